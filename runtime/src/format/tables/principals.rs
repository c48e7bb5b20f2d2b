//! Section `principals` (kind 2): the organization's IAM users and roles with their gathered,
//! specialized policies ([`PrincipalRecord`]). Empty (count 0) for a fixed policy set.
//!
//! ```text
//!  ┌───────────┬──────────────────────────────────────────────────────────────────────┐
//!  │ count u32 │ record × count                                                       │
//!  └───────────┴──────────────────────────────────────────────────────────────────────┘
//!  record: u32 kind (0 user, 1 role), str arn, str name, u32 account (index into the
//!          accounts of section `org-tree`), str unique id, tags,
//!          ids identity, ids boundaries, ids identity_raw, ids boundaries_raw,
//!          u32 specialized SCP set (of section `org-tree`) or NONE,
//!          u32 trust policy or NONE, opt-str error
//! ```

#[cfg(feature = "write")]
use super::codec::Writer;
use super::codec::{Reader, WORD};
use super::values::read_tags;
#[cfg(feature = "write")]
use super::values::write_tags;
use crate::format::error::LoadError;
use crate::tables::{PrincipalRecord, RecordKind};

/// Reads the section.
pub(super) fn read(r: &mut Reader<'_, '_>) -> Result<Vec<PrincipalRecord>, LoadError> {
    let n = r.count(13 * WORD, "principal record count")?;
    let mut records = Vec::with_capacity(n);
    for _ in 0..n {
        let kind = match r.tag(2, "principal record kind", "0 (user) or 1 (role)")? {
            0 => RecordKind::User,
            _ => RecordKind::Role,
        };
        records.push(PrincipalRecord {
            kind,
            arn: r.string("principal ARN")?,
            name: r.string("principal name")?,
            account: r.u32("principal's account")?,
            unique_id: r.string("principal unique id")?,
            tags: read_tags(r)?,
            identity: r.ids("identity policy ids")?,
            boundaries: r.ids("boundary policy ids")?,
            identity_raw: r.ids("unspecialized identity policy ids")?,
            boundaries_raw: r.ids("unspecialized boundary policy ids")?,
            scps: r.opt("principal's specialized SCP set")?,
            trust: r.opt("trust policy id")?,
            error: r.opt_string("principal's error")?,
        });
    }
    Ok(records)
}

/// Writes the section.
#[cfg(feature = "write")]
pub(super) fn write(w: &mut Writer<'_>, records: &[PrincipalRecord]) {
    w.len(records.len());
    for p in records {
        w.u32(match p.kind {
            RecordKind::User => 0,
            RecordKind::Role => 1,
        });
        w.str(&p.arn);
        w.str(&p.name);
        w.u32(p.account);
        w.str(&p.unique_id);
        write_tags(w, &p.tags);
        w.ids(&p.identity);
        w.ids(&p.boundaries);
        w.ids(&p.identity_raw);
        w.ids(&p.boundaries_raw);
        w.opt(p.scps);
        w.opt(p.trust);
        w.opt_str(p.error.as_deref());
    }
}
