//! Section `statements` (kind 6): every statement of every policy, in policy order (each
//! policy takes the next `statement count` statements; section `policies`).
//!
//! ```text
//!  ┌───────────┬─────────────────────────────────────────────────────────────────┐
//!  │ count u32 │ statement × count                                               │
//!  └───────────┴─────────────────────────────────────────────────────────────────┘
//!  statement: u32 index (in the source policy), opt-str Sid, u32 flags,
//!             [principal block, when flag 3], actions,
//!             [u32 resource list, when flag 6], opt clause list
//!  flags:     bit 0 Deny (else Allow)        bit 4 NotPrincipal
//!             bit 1 NotAction                bit 5 Principal is a bare "*"
//!             bit 2 actions are inline       bit 6 has Resource/NotResource
//!                   patterns (else ids)      (bits 4-5 need bit 3; others must be 0)
//!             bit 3 has Principal/NotPrincipal
//!  principal block: u32 n, (u32 type, str value) × n
//!                   type: 0 AWS, 1 Service, 2 Federated, 3 CanonicalUser
//!  actions:   u32 statement pattern list (a position in section `actions`), or, with
//!             flag 2, u32 n and n inline patterns
//!  resource list: a position in section `resources`
//!  clause list:   a position in section `conditions`, or NONE (no condition)
//! ```
//!
//! Every list of sections `actions`, `resources` and `conditions` must be named by some
//! statement.

#[cfg(feature = "write")]
use super::codec::Writer;
use super::codec::{Reader, WORD};
use crate::decision::Effect;
use crate::format::error::LoadError;
use crate::format::section::SectionKind;
use crate::format::wire::wide;
use crate::principal::PrincipalType;
use crate::tables::{ActionPatterns, Actions, Clause, Principals, Resources, Statement};
#[cfg(feature = "write")]
use rustc_hash::FxHashMap;
use std::sync::Arc;

const DENY: u32 = 1;
const NOT_ACTION: u32 = 1 << 1;
const DIRECT: u32 = 1 << 2;
const HAS_PRINCIPAL: u32 = 1 << 3;
const NOT_PRINCIPAL: u32 = 1 << 4;
const ANY_PRINCIPAL: u32 = 1 << 5;
const HAS_RESOURCES: u32 = 1 << 6;
const KNOWN: u32 = (1 << 7) - 1;

const ACTION_LIST: &str = "pattern list of a statement (lists in section `actions`)";
const RESOURCE_LIST: &str = "resource list of a statement (lists in section `resources`)";
const CLAUSE_LIST: &str = "clause list of a statement (lists in section `conditions`)";

/// Principal entry types: the code is the position here.
const PRINCIPAL_TYPES: [PrincipalType; 4] = [
    PrincipalType::Aws,
    PrincipalType::Service,
    PrincipalType::Federated,
    PrincipalType::CanonicalUser,
];

/// Reads the section's statement count, which must equal the sum of `counts`, the statement
/// counts of the policies (section `policies`).
pub(super) fn count(
    r: &mut Reader<'_, '_>,
    mut counts: impl Iterator<Item = usize>,
) -> Result<usize, LoadError> {
    let n = r.count(5 * WORD, "statement count")?;
    let claimed = counts
        .try_fold(0usize, usize::checked_add)
        .unwrap_or(usize::MAX);
    if claimed > n {
        return Err(LoadError::bad_reference(
            "statement count of a policy (statements left in section `statements`)",
            wide(claimed),
            wide(n),
        )
        .in_section(SectionKind::Policies));
    }
    if claimed < n {
        return Err(LoadError::unused_entries("statements", wide(n - claimed))
            .in_section(SectionKind::Statements));
    }
    Ok(n)
}

/// Where a second decoder can start: after the statements of the first `policies` policies,
/// at byte `at` of the section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Split {
    pub(super) policies: usize,
    pub(super) at: usize,
}

/// The share of the statements the calling thread decodes, in per cent: the helper thread
/// was measured a fifth slower per statement (L file, equal halves: 21 against 27 ms), so
/// equal halves left the caller idle.
const FIRST_HALF_PERCENT: usize = 55;

/// Finds the policy boundary nearest [`FIRST_HALF_PERCENT`] of the statements and moves `r`
/// (after the count) past the statements before it, checking only their shape; `None` when
/// something is malformed there (the single decoder then reports it).
pub(super) fn split(r: &mut Reader<'_, '_>, counts: &[usize]) -> Option<Split> {
    let total: usize = counts.iter().sum();
    let mut before = 0;
    let policies = counts.iter().position(|c| {
        before += c;
        before * 100 >= total * FIRST_HALF_PERCENT
    })? + 1;
    for _ in 0..before {
        skip(r).ok()?;
    }
    Some(Split {
        policies,
        at: r.at(),
    })
}

/// Moves past one statement.
fn skip(r: &mut Reader<'_, '_>) -> Result<(), LoadError> {
    r.u32("statement index")?;
    r.opt("Sid")?;
    let flags = r.flags(KNOWN, "statement flags")?;
    if flags & HAS_PRINCIPAL != 0 {
        let n = r.count(2 * WORD, "principal entry count")?;
        r.bytes(n.saturating_mul(2 * WORD), "principal entries")?;
    }
    if flags & DIRECT != 0 {
        let n = r.count(WORD, "inline action pattern count")?;
        for _ in 0..n {
            super::actions::skip_pattern(r)?;
        }
    } else {
        r.u32("statement pattern list")?;
    }
    if flags & HAS_RESOURCES != 0 {
        r.u32("resource list")?;
    }
    r.opt("clause list")?;
    Ok(())
}

/// The lists of sections `actions`, `resources` and `conditions` that statements name, and
/// which of them some statement has named (each must be, [`Pools::unused`]).
pub(super) struct Pools<'p> {
    actions: Pool<'p, Arc<[u32]>>,
    resources: Pool<'p, Resources>,
    clauses: Pool<'p, Arc<[Clause]>>,
}

/// One kind of list, and which entries were named.
struct Pool<'p, T> {
    lists: &'p [T],
    used: Vec<bool>,
}

impl<'p, T> Pool<'p, T> {
    fn new(lists: &'p [T]) -> Self {
        Pool {
            lists,
            used: vec![false; lists.len()],
        }
    }

    /// The list at `id`, marked as named.
    fn take(
        &mut self,
        r: &Reader<'_, '_>,
        id: u32,
        what: &'static str,
    ) -> Result<&'p T, LoadError> {
        match (self.lists.get(id as usize), self.used.get_mut(id as usize)) {
            (Some(v), Some(u)) => {
                *u = true;
                Ok(v)
            }
            _ => Err(r.err(LoadError::bad_reference(
                what,
                u64::from(id),
                wide(self.lists.len()),
            ))),
        }
    }

    fn merge(&mut self, other: &Pool<'_, T>) {
        for (a, b) in self.used.iter_mut().zip(&other.used) {
            *a |= *b;
        }
    }

    fn unused(&self) -> usize {
        self.used.iter().filter(|u| !**u).count()
    }
}

impl<'p> Pools<'p> {
    /// Pools with nothing named yet.
    pub(super) fn new(
        actions: &'p [Arc<[u32]>],
        resources: &'p [Resources],
        clauses: &'p [Arc<[Clause]>],
    ) -> Pools<'p> {
        Pools {
            actions: Pool::new(actions),
            resources: Pool::new(resources),
            clauses: Pool::new(clauses),
        }
    }

    /// Marks what `other` (the same pools, another half of the statements) named.
    pub(super) fn merge(&mut self, other: &Pools<'_>) {
        self.actions.merge(&other.actions);
        self.resources.merge(&other.resources);
        self.clauses.merge(&other.clauses);
    }

    /// How many pattern lists, resource lists and clause lists no statement named.
    pub(super) fn unused(&self) -> (usize, usize, usize) {
        (
            self.actions.unused(),
            self.resources.unused(),
            self.clauses.unused(),
        )
    }
}

/// Reads statements (after the count, [`count`]) into the policies that take them, `counts[i]`
/// statements for policy `i` (section `policies`, read first so that each statement is decoded
/// in place rather than moved: a large organization has 200,000 of them). Statements share
/// the pattern, resource and clause lists they name from `pools` (the already decoded
/// `actions`, `resources` and `conditions` sections).
pub(super) fn read(
    r: &mut Reader<'_, '_>,
    counts: &[usize],
    pools: &mut Pools<'_>,
) -> Result<Vec<Vec<Statement>>, LoadError> {
    // Every count is now at most `n`, which the section's size bounds.
    let mut grouped: Vec<Vec<Statement>> = counts.iter().copied().map(Vec::with_capacity).collect();
    let no_clauses: Arc<[Clause]> = Arc::from(Vec::new());
    for (statements, count) in grouped.iter_mut().zip(counts) {
        for _ in 0..*count {
            let index = r.u32("statement index")?;
            let sid = r.opt_shared("Sid")?;
            let flags = r.flags(KNOWN, "statement flags")?;
            if flags & HAS_PRINCIPAL == 0 && flags & (NOT_PRINCIPAL | ANY_PRINCIPAL) != 0 {
                return Err(r.err(LoadError::invalid_value(
                    "statement flags",
                    "bits 4 and 5 only with bit 3",
                    u64::from(flags),
                )));
            }
            let principal = if flags & HAS_PRINCIPAL != 0 {
                let n = r.count(2 * WORD, "principal entry count")?;
                let mut entries = Vec::with_capacity(n);
                for _ in 0..n {
                    let t = r.tag(
                        4,
                        "principal type",
                        "0 (AWS), 1 (Service), 2 (Federated) or 3 (CanonicalUser)",
                    )?;
                    let t = PRINCIPAL_TYPES
                        .get(t as usize)
                        .copied()
                        .unwrap_or(PrincipalType::Aws);
                    entries.push((t, r.string("principal entry")?));
                }
                Some(Box::new(Principals {
                    negated: flags & NOT_PRINCIPAL != 0,
                    wildcard: flags & ANY_PRINCIPAL != 0,
                    entries,
                }))
            } else {
                None
            };
            let patterns = if flags & DIRECT != 0 {
                let n = r.count(WORD, "inline action pattern count")?;
                let mut patterns = Vec::with_capacity(n);
                for _ in 0..n {
                    patterns.push(super::actions::read_pattern(r)?);
                }
                ActionPatterns::Direct(patterns)
            } else {
                let id = r.u32("statement pattern list")?;
                ActionPatterns::Indexed(Arc::clone(pools.actions.take(r, id, ACTION_LIST)?))
            };
            let resources = if flags & HAS_RESOURCES != 0 {
                let id = r.u32("resource list")?;
                Some(pools.resources.take(r, id, RESOURCE_LIST)?.clone())
            } else {
                None
            };
            let conditions = match r.opt("clause list")? {
                Some(id) => Arc::clone(pools.clauses.take(r, id, CLAUSE_LIST)?),
                None => Arc::clone(&no_clauses),
            };
            statements.push(Statement {
                index,
                sid,
                effect: if flags & DENY != 0 {
                    Effect::Deny
                } else {
                    Effect::Allow
                },
                principal,
                actions: Actions {
                    negated: flags & NOT_ACTION != 0,
                    patterns,
                },
                resources,
                conditions,
            });
        }
    }
    Ok(grouped)
}

/// The distinct pattern, resource and clause lists of `statements`, numbered in first-use order, as
/// the writer stores them.
#[cfg(feature = "write")]
#[derive(Default)]
pub(super) struct Lists<'t> {
    pub(super) actions: Vec<&'t [u32]>,
    pub(super) resources: Vec<&'t Resources>,
    pub(super) clauses: Vec<&'t [Clause]>,
    action_ids: FxHashMap<&'t [u32], u32>,
    resource_ids: FxHashMap<&'t Resources, u32>,
    clause_ids: FxHashMap<&'t [Clause], u32>,
}

#[cfg(feature = "write")]
impl<'t> Lists<'t> {
    /// Numbers the lists of `statements`.
    pub(super) fn of(statements: &[&'t Statement]) -> Lists<'t> {
        let mut l = Lists::default();
        for st in statements {
            if let ActionPatterns::Indexed(ids) = &st.actions.patterns {
                let ids: &'t [u32] = ids;
                if !l.action_ids.contains_key(ids) {
                    l.action_ids
                        .insert(ids, super::codec::len32(l.actions.len()));
                    l.actions.push(ids);
                }
            }
            if let Some(res) = &st.resources
                && !l.resource_ids.contains_key(res)
            {
                l.resource_ids
                    .insert(res, super::codec::len32(l.resources.len()));
                l.resources.push(res);
            }
            let clauses: &'t [Clause] = &st.conditions;
            if !clauses.is_empty() && !l.clause_ids.contains_key(clauses) {
                l.clause_ids
                    .insert(clauses, super::codec::len32(l.clauses.len()));
                l.clauses.push(clauses);
            }
        }
        l
    }
}

/// Writes the section: the statements of every policy, in order, naming their lists by the
/// numbers `lists` gave them.
#[cfg(feature = "write")]
pub(super) fn write(w: &mut Writer<'_>, statements: &[&Statement], lists: &Lists<'_>) {
    w.len(statements.len());
    for st in statements {
        w.u32(st.index);
        w.opt_str(st.sid.as_deref());
        let mut flags = 0;
        if st.effect == Effect::Deny {
            flags |= DENY;
        }
        if st.actions.negated {
            flags |= NOT_ACTION;
        }
        if matches!(st.actions.patterns, ActionPatterns::Direct(_)) {
            flags |= DIRECT;
        }
        if let Some(p) = &st.principal {
            flags |= HAS_PRINCIPAL;
            if p.negated {
                flags |= NOT_PRINCIPAL;
            }
            if p.wildcard {
                flags |= ANY_PRINCIPAL;
            }
        }
        if st.resources.is_some() {
            flags |= HAS_RESOURCES;
        }
        w.u32(flags);
        if let Some(p) = &st.principal {
            w.len(p.entries.len());
            for (t, value) in &p.entries {
                let code = PRINCIPAL_TYPES.iter().position(|x| x == t).unwrap_or(0);
                w.len(code);
                w.str(value);
            }
        }
        match &st.actions.patterns {
            ActionPatterns::Indexed(ids) => {
                let ids: &[u32] = ids;
                w.u32(lists.action_ids.get(ids).copied().unwrap_or(u32::MAX));
            }
            ActionPatterns::Direct(patterns) => {
                w.len(patterns.len());
                for p in patterns {
                    super::actions::write_pattern(w, p);
                }
            }
        }
        if let Some(res) = &st.resources {
            w.u32(lists.resource_ids.get(res).copied().unwrap_or(u32::MAX));
        }
        let clauses: &[Clause] = &st.conditions;
        w.opt(lists.clause_ids.get(clauses).copied());
    }
}
