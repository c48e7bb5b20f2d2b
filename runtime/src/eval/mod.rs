//! Deciding requests from [`Tables`]: the runtime's evaluator.
//!
//! [`authorize`] answers the decision alone and allocates nothing once the calling thread's
//! scratch buffers have grown to the largest request seen (a counting-allocator test proves it);
//! [`authorize_explain`] also names the deciding statements, exactly as the reference
//! interpreter does. Neither can fail: anything the tables cannot account for is a deny with a
//! reason (fail closed).

pub mod caller;
pub mod condition;
pub mod context;
pub mod decide;
pub mod plan;

use crate::decision::{Decision, DenyBasis, Explanation};
use crate::principal::{PrincipalKind, split_arn};
use crate::request::Request;
use crate::services;
use crate::tables::{
    Account, HotPrincipal, HotResource, OrgTables, PolicyId, PrincipalRecord, RecordKind, Scope,
    Tables, Tag,
};
use caller::Caller;
use condition::Buffers;
use context::{Derived, DerivedText, Given};
use decide::{ActionClass, Answer, Collect, Input, SetPlans, Sets, decide};
use plan::{Chain, PlanId};
use std::cell::RefCell;

/// Why a request could not be decided normally; always a deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Failure<'a> {
    /// The caller's account is modelled but the user or role is not.
    UnknownPrincipal(&'a str),
    /// A federated-user session without its session.
    FederatedWithoutSession(&'a str),
    /// A managed session policy the tables lack.
    UnknownManagedPolicy(&'a str),
    /// A compile-time problem recorded for this principal or account.
    Recorded(&'a str),
    /// The session expired.
    Expired(&'a str, i64),
}

impl Failure<'_> {
    fn decision(self) -> Decision {
        match self {
            Failure::Expired(..) => Decision::ImplicitDeny,
            _ => Decision::ExplicitDeny,
        }
    }

    fn explain(self) -> Explanation {
        match self {
            Failure::UnknownPrincipal(arn) => {
                Explanation::error(format!("`{arn}` does not exist in the organization"))
            }
            Failure::FederatedWithoutSession(arn) => Explanation::error(format!(
                "`{arn}` is a federated-user session; pass its session so its parent user and policies are known"
            )),
            Failure::UnknownManagedPolicy(arn) => {
                Explanation::error(format!("managed policy `{arn}` is not in the organization"))
            }
            Failure::Recorded(m) => Explanation::error(m.to_string()),
            Failure::Expired(arn, at) => {
                let mut when = context::SmallStr::default();
                context::format_time(at, &mut when);
                Explanation::bare(
                    Decision::ImplicitDeny,
                    DenyBasis::SessionExpired(format!(
                        "session `{arn}` expired at {}",
                        when.as_str()
                    )),
                )
            }
        }
    }
}

/// The lists of a caller without a record (borrowed as `&Vec` so that a record's are not read
/// until needed).
static NO_POLICIES: Vec<PolicyId> = Vec::new();
/// The tags of a caller without a record.
static NO_TAGS: Vec<Tag> = Vec::new();

/// Per-thread buffers, reused so that steady-state requests allocate nothing.
#[derive(Debug, Default)]
struct Scratch {
    action: String,
    buffers: Buffers,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut s) => f(&mut s),
        // Re-entered (cannot happen today): use fresh buffers rather than fail.
        Err(_) => f(&mut Scratch::default()),
    })
}

/// The decision for `req`.
pub fn authorize(tables: &Tables, req: &Request) -> Decision {
    with_scratch(|s| match run(tables, req, s, None) {
        Ok(a) => a.decision,
        Err(f) => f.decision(),
    })
}

/// The decision for `req` with its basis and deciding statements.
pub fn authorize_explain(tables: &Tables, req: &Request) -> Explanation {
    with_scratch(|s| {
        let mut collect = Collect::default();
        match run(tables, req, s, Some(&mut collect)) {
            Ok(a) => a.explain(collect),
            Err(f) => f.explain(),
        }
    })
}

/// Lower-cases the action into `out` exactly as `str::to_lowercase` would.
fn lower_action<'s>(action: &str, out: &'s mut String) -> &'s str {
    out.clear();
    if action.is_ascii() {
        out.push_str(action);
        out.make_ascii_lowercase();
    } else {
        out.push_str(&action.to_lowercase());
    }
    out
}

fn classify<'t>(tables: &'t Tables, action: &str) -> ActionClass<'t> {
    let d = &tables.derived;
    let rows = &d.action_rows;
    if let Some(p) = d.actions.get(action, |p| rows.name(p))
        && let Some((service, class)) = rows.class(p)
    {
        return ActionClass::Known { service, class };
    }
    ActionClass::Unknown {
        service: d.services.get(services::service_of(action)).copied(),
    }
}

fn run<'t>(
    tables: &'t Tables,
    req: &'t Request,
    scratch: &mut Scratch,
    collect: Option<&mut Collect>,
) -> Result<Answer, Failure<'t>> {
    let action = lower_action(&req.action, &mut scratch.action);
    let class = classify(tables, action);
    let buf = &mut scratch.buffers;
    match &tables.scope {
        Scope::Fixed(sets) => {
            let caller = Caller::of(&req.principal);
            let ctx = Given(&req.context);
            let input = Input {
                tables,
                caller: &caller,
                action,
                class,
                resource: &req.resource,
                resource_account: req.effective_resource_account(),
                sets: Sets {
                    identity: &sets.identity,
                    resource: sets.resource,
                    boundaries: &sets.boundaries,
                    has_boundaries: !sets.boundaries.is_empty(),
                    session_inline: None,
                    session_ids: &sets.session,
                    session_arns: &[],
                    scps: sets.scps.as_deref(),
                    rcps: sets.rcps.as_deref(),
                    plans: {
                        let p = &tables.derived.fixed_plans;
                        SetPlans {
                            identity: p.identity,
                            boundaries: p.boundaries,
                            session: p.session,
                            scps: &p.levels.scps,
                            rcps: &p.levels.rcps,
                            scp_chain: p.levels.scp_chain,
                            rcp_chain: p.levels.rcp_chain,
                        }
                    },
                },
                ctx: &ctx,
            };
            Ok(decide(&input, buf, collect))
        }
        Scope::Org(org) => run_org(tables, org, req, action, class, buf, collect),
    }
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A principal record a request names.
struct Found<'t> {
    /// What every request reads of it.
    hot: &'t HotPrincipal,
    /// The record itself (not read until a field is).
    record: &'t PrincipalRecord,
    /// Found by the ARN the request gave, which is then exactly the record's ARN.
    by_arn: bool,
}

/// The user or role a principal names in account `account` (an index of `org.accounts`): by
/// ARN, else by name (names are unique per account).
fn find_record<'t>(
    tables: &'t Tables,
    org: &'t OrgTables,
    kind: RecordKind,
    account: usize,
    arn: Option<&str>,
    name: Option<&str>,
) -> Option<Found<'t>> {
    let d = &tables.derived;
    let (by_arn, by_name) = match kind {
        RecordKind::User => (&d.users, &d.user_names),
        RecordKind::Role => (&d.roles, &d.role_names),
    };
    // Account ids are unique (`Tables::check`), so comparing indexes compares ids.
    let found = |i: u32, by_arn: bool| {
        let hot = d.principal_hot.get(i as usize)?;
        (hot.account() as usize == account).then_some(())?;
        Some(Found {
            hot,
            record: org.principals.get(i as usize)?,
            by_arn,
        })
    };
    if let Some(a) = arn
        && let Some(f) = by_arn
            .get_by(a, |p| {
                d.principal_hot.get(p as usize).is_some_and(|h| {
                    h.arn_is(a, || org.principals.get(p as usize).map(|r| r.arn.as_str()))
                })
            })
            .and_then(|i| found(i, true))
    {
        return Some(f);
    }
    // A role session names its role by ARN only when the role ARN is known; then the ARN
    // must match (`org::resolve` does not fall back to the name).
    if kind == RecordKind::Role && arn.is_some() {
        return None;
    }
    let n = name?;
    let i = by_name.get_by(u32::try_from(account).ok()?, n, |p| {
        d.principal_hot.get(p as usize).is_some_and(|h| {
            h.account() as usize == account
                && h.name_is(n)
                    .unwrap_or_else(|| org.principals.get(p as usize).is_some_and(|r| r.name == n))
        })
    })?;
    found(i, false)
}

/// A user ARN's name, as `Principal::user_name` reads it.
fn last_segment(arn: &str) -> Option<&str> {
    arn.rsplit('/').next()
}

fn run_org<'t: 'a, 'a>(
    tables: &'t Tables,
    org: &'t OrgTables,
    req: &'t Request,
    action: &'a str,
    class: ActionClass<'a>,
    buf: &mut Buffers,
    collect: Option<&mut Collect>,
) -> Result<Answer, Failure<'t>> {
    let now = req.time.unwrap_or_else(now);
    let session = req.session.as_deref();
    if let Some(s) = session
        && now >= s.expires_at
    {
        return Err(Failure::Expired(&s.arn, s.expires_at));
    }
    let p = &req.principal;
    if p.kind == PrincipalKind::FederatedUser && session.is_none() {
        return Err(Failure::FederatedWithoutSession(&p.arn));
    }
    let mut caller = Caller::of(p);
    let mut parsed_role: Option<&str> = None;
    if let Some(s) = session {
        if let Some(r) = &s.role_arn
            && caller.set_role_arn(r)
        {
            parsed_role = Some(r.as_str());
        }
        caller.parent_arn = s.parent_arn.as_deref();
    }
    let d = &tables.derived;
    let account_at = |id: Option<&str>| -> Option<(usize, &'t Account)> {
        let i = d.accounts.get(id?)? as usize;
        Some((i, org.accounts.get(i)?))
    };
    let account_index = account_at(caller.account);
    let account = account_index.map(|(_, a)| a);
    // The plans of the identity and boundary lists chosen below: (the record's plans, first
    // slot).
    let mut principal_plans: Option<([Option<PlanId>; 4], usize)> = None;

    let empty: &[u32] = &[];
    // Borrowed from the record without reading it: most requests take the lists' plans.
    let mut identity: &Vec<PolicyId> = &NO_POLICIES;
    let mut boundaries: &Vec<PolicyId> = &NO_POLICIES;
    let mut has_boundaries = false;
    let mut tags: &Vec<Tag> = &NO_TAGS;
    // The caller's SCP levels specialized for its own record (users and role sessions).
    let mut own_scps: Option<u32> = None;
    if let (Some((acct, _)), true) = (account_index, caller.kind.is_account_principal()) {
        match caller.kind {
            PrincipalKind::IamUser => {
                let f = find_record(
                    tables,
                    org,
                    RecordKind::User,
                    acct,
                    Some(caller.arn),
                    last_segment(caller.arn),
                )
                .ok_or(Failure::UnknownPrincipal(&p.arn))?;
                let (h, r) = (f.hot, f.record);
                principal_plans = Some((h.plans(), 0));
                if h.has_error()
                    && let Some(e) = &r.error
                {
                    return Err(Failure::Recorded(e));
                }
                // Found by name: the record's ARN (with its path) is the canonical one.
                if !f.by_arn {
                    caller.arn = h.arn_str().unwrap_or(&r.arn);
                }
                caller.unique_id = Some(&r.unique_id);
                own_scps = h.scps();
                tags = &r.tags;
                identity = &r.identity;
                boundaries = &r.boundaries;
                has_boundaries = h.has_boundaries();
            }
            PrincipalKind::RoleSession => {
                let f = find_record(
                    tables,
                    org,
                    RecordKind::Role,
                    acct,
                    caller.role_arn,
                    caller.role_name,
                )
                .ok_or(Failure::UnknownPrincipal(&p.arn))?;
                let (h, r) = (f.hot, f.record);
                principal_plans = Some((h.plans(), 0));
                if h.has_error()
                    && let Some(e) = &r.error
                {
                    return Err(Failure::Recorded(e));
                }
                // When the session named the role by this very ARN, `set_role_arn` above
                // already parsed this text; parsing it again would find the same name and
                // service-linked flag. (A role ARN from the request's `Principal` alone is
                // parsed again: its fields are the caller's to get wrong. Found by that ARN,
                // its text is the record's, so the request's copy is parsed, not the record's.)
                match (f.by_arn, caller.role_arn) {
                    (true, Some(a)) if parsed_role != Some(a) => {
                        caller.set_role_arn(a);
                    }
                    (true, Some(_)) => {}
                    // Found by name, the ARN in the block: its last segment is that name
                    // (`name_is` confirmed it) and the block knows what parsing it would give.
                    (false, None)
                        if let (Some(arn), Some(name), Some(linked)) =
                            (h.arn_str(), caller.role_name, h.iam_role()) =>
                    {
                        caller.set_known_role(arn, name, linked);
                    }
                    _ => {
                        // The record's ARN, from the hot block when it fits.
                        let arn = h.arn_str().unwrap_or(&r.arn);
                        if parsed_role != Some(arn) {
                            caller.set_role_arn(arn);
                        }
                    }
                }
                caller.unique_id = Some(&r.unique_id);
                own_scps = h.scps();
                tags = &r.tags;
                identity = &r.identity;
                boundaries = &r.boundaries;
                has_boundaries = h.has_boundaries();
            }
            PrincipalKind::FederatedUser => {
                let parent = caller.parent_arn.unwrap_or_default();
                if let Some([_, _, "iam", _, pacct, res]) = split_arn(parent)
                    && res.starts_with("user/")
                    && res.len() > 5
                    && pacct.len() == 12
                    && pacct.bytes().all(|b| b.is_ascii_digit())
                {
                    let f = account_at(Some(pacct))
                        .and_then(|(a, _)| {
                            find_record(
                                tables,
                                org,
                                RecordKind::User,
                                a,
                                Some(parent),
                                last_segment(parent),
                            )
                        })
                        .ok_or(Failure::UnknownPrincipal(parent))?;
                    let r = f.record;
                    principal_plans = Some((f.hot.plans(), 2));
                    if let Some(e) = &r.error {
                        return Err(Failure::Recorded(e));
                    }
                    identity = &r.identity_raw;
                    boundaries = &r.boundaries_raw;
                    has_boundaries = !r.boundaries_raw.is_empty();
                }
            }
            _ => {}
        }
    }
    if let Some(s) = session
        && let Some(missing) = s.policy_arns.iter().find(|a| !d.managed.contains_key(*a))
    {
        return Err(Failure::UnknownManagedPolicy(missing));
    }

    // The resource side.
    let resource = req.resource.as_str();
    // Confirmed from the resource's hot block; the record is read only for a longer ARN.
    let find = |key: &str| {
        d.resources.get_by(key, |p| {
            d.resource_hot.get(p as usize).is_some_and(|h| {
                h.arn_is(key, || {
                    org.resources.get(p as usize).map(|r| r.arn.as_str())
                })
            })
        })
    };
    let found = find(resource).or_else(|| {
        let rest = resource.strip_prefix("arn:aws:s3:::")?;
        let bucket = rest.split('/').next()?;
        find(resource.get(..13 + bucket.len())?)
    });
    // `Tables::check` built one hot block per record; the record itself is not read here.
    let (entry, hot) = match found {
        Some(i) => (
            org.resources.get(i as usize),
            d.resource_hot.get(i as usize),
        ),
        None => (None, None),
    };
    // The account of a known resource, by index when it is one of the organization's (its id
    // is then the record's `account`, which the index was built from).
    let hot_account = hot
        .and_then(HotResource::account)
        .and_then(|i| Some((i as usize, org.accounts.get(i as usize)?)));
    let resource_account = match hot_account {
        Some((_, a)) => Some(a.id.as_str()),
        None => entry
            .map(|e| e.account.as_str())
            .or(req.resource_account.as_deref())
            .or_else(|| split_arn(resource).map(|p| p[4]).filter(|a| !a.is_empty()))
            .or(caller.account),
    };
    let resource_policy = if services::is_role_assumption(action) && services::is_role_arn(resource)
    {
        let acct = split_arn(resource).map(|p| p[4]).unwrap_or_default();
        d.roles
            .get(resource, |p| {
                org.principals.get(p as usize).map(|r| r.arn.as_str())
            })
            .and_then(|i| org.principals.get(i as usize))
            .filter(|r| {
                org.accounts
                    .get(r.account as usize)
                    .is_some_and(|a| a.id == acct)
            })
            .and_then(|r| r.trust)
    } else {
        // (Without a block, which `Tables::check` never leaves, the record says.)
        hot.map_or_else(|| entry.and_then(|e| e.policy), HotResource::policy)
    };
    // `Tables::check` proved that a record's set exists and has its account's level count.
    let own_set = own_scps.and_then(|s| Some((org.scp_sets.get(s as usize)?, s as usize)));
    let scps = if caller.kind.is_account_principal() && !caller.service_linked {
        match account {
            Some(a) => {
                if let Some(e) = &a.scp_error {
                    return Err(Failure::Recorded(e));
                }
                match own_set {
                    Some((set, _)) => Some(set.as_slice()),
                    None => a.scps.as_deref(),
                }
            }
            None => None,
        }
    } else {
        None
    };
    let resource_account_index = hot_account.or_else(|| account_at(resource_account));
    let resource_account_record = resource_account_index.map(|(_, a)| a);
    let rcps = match resource_account_record {
        Some(a) => {
            if let Some(e) = &a.rcp_error {
                return Err(Failure::Recorded(e));
            }
            a.rcps.as_deref()
        }
        None => None,
    };

    let ctx = Derived {
        given: &req.context,
        caller: &caller,
        tags,
        session,
        org_id: org.org_id.as_deref(),
        account,
        resource_account,
        resource_account_record,
        resource_entry: entry,
        resource,
        now,
        cache: DerivedText::default(),
    };
    let input = Input {
        tables,
        caller: &caller,
        action,
        class,
        resource,
        resource_account,
        sets: Sets {
            identity,
            resource: resource_policy,
            boundaries,
            has_boundaries,
            session_inline: session.and_then(|s| s.inline_policy.as_ref()),
            session_ids: empty,
            session_arns: session.map_or(&[], |s| s.policy_arns.as_slice()),
            scps,
            rcps,
            plans: {
                let slot =
                    |k: usize| principal_plans.and_then(|(p, s)| p.get(s + k).copied().flatten());
                let levels =
                    |a: Option<(usize, &'t Account)>| a.and_then(|(i, _)| d.account_plans.get(i));
                SetPlans {
                    identity: slot(0),
                    boundaries: slot(1),
                    session: None,
                    scps: match own_set {
                        Some((_, s)) => d.scp_set_plans.get(s).map_or(&[], Vec::as_slice),
                        None => levels(account_index).map_or(&[], |l| l.scps.as_slice()),
                    },
                    rcps: levels(resource_account_index).map_or(&[], |l| l.rcps.as_slice()),
                    scp_chain: match own_set {
                        Some((_, s)) => d.scp_set_chains.get(s).copied().unwrap_or_default(),
                        None => levels(account_index).map_or(Chain::Levels, |l| l.scp_chain),
                    },
                    rcp_chain: levels(resource_account_index)
                        .map_or(Chain::Levels, |l| l.rcp_chain),
                }
            },
        },
        ctx: &ctx,
    };
    Ok(decide(&input, buf, collect))
}
