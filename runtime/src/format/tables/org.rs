//! Section `org-tree` (kind 8): what the tables decide for ([`Scope`]): a fixed policy set
//! (conformance cases) or an organization's accounts, resources and managed policies.
//!
//! ```text
//!  ┌───────────┬───────────────────────────────────────────────────────────────────────┐
//!  │ scope u32 │ 0: fixed set  or  1: organization                                     │
//!  └───────────┴───────────────────────────────────────────────────────────────────────┘
//!  fixed set:    ids identity, u32 resource policy or NONE, ids boundaries, ids session,
//!                levels SCPs, levels RCPs
//!  organization: opt-str org id,
//!                u32 n, account × n          (sorted by id)
//!                u32 n, resource × n         (sorted by ARN)
//!                u32 n, (str ARN, u32 policy) × n   managed policies (sorted by ARN)
//!                u32 RCPFullAWSAccess policy or NONE,
//!                u32 n, scp set × n          (specialized SCP levels, named by principals)
//!  account:      str id, u32 in_org (0/1), opt-str org path, levels SCPs, levels RCPs,
//!                opt-str SCP error, opt-str RCP error
//!  resource:     str ARN, str account, tags, u32 policy or NONE
//!  scp set:      u32 levels, ids × levels    (root first, as the account's SCP levels)
//! ```
//!
//! A fixed set has no principal records: section `principals` must be empty.

#[cfg(feature = "write")]
use super::codec::Writer;
use super::codec::{Reader, WORD};
use super::values::{read_levels, read_tags};
#[cfg(feature = "write")]
use super::values::{write_levels, write_tags};
use crate::format::error::LoadError;
use crate::tables::{Account, OrgTables, PolicySets, ResourceRecord, Scope};

/// Reads the section.
pub(super) fn read(r: &mut Reader<'_, '_>) -> Result<Scope, LoadError> {
    if r.tag(2, "scope", "0 (fixed policy set) or 1 (organization)")? == 0 {
        return Ok(Scope::Fixed(PolicySets {
            identity: r.ids("identity policy ids")?,
            resource: r.opt("resource policy id")?,
            boundaries: r.ids("boundary policy ids")?,
            session: r.ids("session policy ids")?,
            scps: read_levels(r, "SCP levels")?,
            rcps: read_levels(r, "RCP levels")?,
        }));
    }
    let org_id = r.opt_string("organization id")?;
    let n = r.count(7 * WORD, "account count")?;
    let mut accounts = Vec::with_capacity(n);
    for _ in 0..n {
        accounts.push(Account {
            id: r.string("account id")?,
            in_org: r.bool("account's in-organization flag")?,
            org_path: r.opt_string("account's organization path")?,
            scps: read_levels(r, "account's SCP levels")?,
            rcps: read_levels(r, "account's RCP levels")?,
            scp_error: r.opt_string("account's SCP error")?,
            rcp_error: r.opt_string("account's RCP error")?,
        });
    }
    let n = r.count(4 * WORD, "resource count")?;
    let mut resources = Vec::with_capacity(n);
    for _ in 0..n {
        resources.push(ResourceRecord {
            arn: r.string("resource ARN")?,
            account: r.string("resource account")?,
            tags: read_tags(r)?,
            policy: r.opt("resource policy id")?,
        });
    }
    let n = r.count(2 * WORD, "managed policy count")?;
    let mut managed = Vec::with_capacity(n);
    for _ in 0..n {
        managed.push((r.string("managed policy ARN")?, r.u32("managed policy id")?));
    }
    let rcp_full_access = r.opt("RCPFullAWSAccess policy id")?;
    let n = r.count(WORD, "specialized SCP set count")?;
    let mut scp_sets = Vec::with_capacity(n);
    for _ in 0..n {
        let levels = r.count(WORD, "specialized SCP set's level count")?;
        let mut set = Vec::with_capacity(levels);
        for _ in 0..levels {
            set.push(r.ids("specialized SCP level")?);
        }
        scp_sets.push(set);
    }
    Ok(Scope::Org(OrgTables {
        org_id,
        accounts,
        principals: Vec::new(),
        resources,
        managed,
        rcp_full_access,
        scp_sets,
    }))
}

/// Writes the section (the organization's principal records go to section `principals`).
#[cfg(feature = "write")]
pub(super) fn write(w: &mut Writer<'_>, scope: &Scope) {
    match scope {
        Scope::Fixed(sets) => {
            w.u32(0);
            w.ids(&sets.identity);
            w.opt(sets.resource);
            w.ids(&sets.boundaries);
            w.ids(&sets.session);
            write_levels(w, sets.scps.as_ref());
            write_levels(w, sets.rcps.as_ref());
        }
        Scope::Org(org) => {
            w.u32(1);
            w.opt_str(org.org_id.as_deref());
            w.len(org.accounts.len());
            for a in &org.accounts {
                w.str(&a.id);
                w.bool(a.in_org);
                w.opt_str(a.org_path.as_deref());
                write_levels(w, a.scps.as_ref());
                write_levels(w, a.rcps.as_ref());
                w.opt_str(a.scp_error.as_deref());
                w.opt_str(a.rcp_error.as_deref());
            }
            w.len(org.resources.len());
            for res in &org.resources {
                w.str(&res.arn);
                w.str(&res.account);
                write_tags(w, &res.tags);
                w.opt(res.policy);
            }
            w.len(org.managed.len());
            for (arn, id) in &org.managed {
                w.str(arn);
                w.u32(*id);
            }
            w.opt(org.rcp_full_access);
            w.len(org.scp_sets.len());
            for set in &org.scp_sets {
                w.len(set.len());
                for level in set {
                    w.ids(level);
                }
            }
        }
    }
}
