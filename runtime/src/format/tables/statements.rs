//! Section `statements` (kind 6): every statement of every policy, in policy order (each
//! policy takes the next `statement count` statements; section `policies`).
//!
//! ```text
//!  ┌───────────┬─────────────────────────────────────────────────────────────────┐
//!  │ count u32 │ statement × count                                               │
//!  └───────────┴─────────────────────────────────────────────────────────────────┘
//!  statement: u32 index (in the source policy), opt-str Sid, u32 flags,
//!             [principal block, when flag 3], actions, u32 clause count
//!  flags:     bit 0 Deny (else Allow)        bit 4 NotPrincipal
//!             bit 1 NotAction                bit 5 Principal is a bare "*"
//!             bit 2 actions are inline       bit 6 has Resource/NotResource: takes the next
//!                   patterns (else ids)            list of section `resources`
//!             bit 3 has Principal/NotPrincipal     (bits 4-5 need bit 3; others must be 0)
//!  principal block: u32 n, (u32 type, str value) × n
//!                   type: 0 AWS, 1 Service, 2 Federated, 3 CanonicalUser
//!  actions:   u32 n, then n pattern ids (into section `actions`) or n inline patterns
//!  clause count: takes the next that many clauses of section `conditions`
//! ```

#[cfg(feature = "write")]
use super::codec::Writer;
use super::codec::{Memo, Reader, WORD};
use super::conditions::Clauses;
use crate::decision::Effect;
use crate::format::error::LoadError;
use crate::format::section::SectionKind;
use crate::format::wire::wide;
use crate::principal::PrincipalType;
use crate::tables::{ActionPatterns, Actions, Clause, Principals, Resources, Statement};
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
/// at byte `at` of the section, with the clauses and resource lists those statements take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Split {
    pub(super) policies: usize,
    pub(super) at: usize,
    pub(super) clauses: usize,
    pub(super) lists: usize,
}

/// Finds the policy boundary nearest half the statements and moves `r` (after the count)
/// past the statements before it, checking only their shape; `None` when something is
/// malformed there (the single decoder then reports it).
pub(super) fn split(r: &mut Reader<'_, '_>, counts: &[usize]) -> Option<Split> {
    let total: usize = counts.iter().sum();
    let mut before = 0;
    let policies = counts.iter().position(|c| {
        before += c;
        before * 2 >= total
    })? + 1;
    let (mut clauses, mut lists) = (0usize, 0usize);
    for _ in 0..before {
        skip(r, &mut clauses, &mut lists).ok()?;
    }
    Some(Split {
        policies,
        at: r.at(),
        clauses,
        lists,
    })
}

/// Moves past one statement, counting the clauses and resource lists it takes.
fn skip(r: &mut Reader<'_, '_>, clauses: &mut usize, lists: &mut usize) -> Result<(), LoadError> {
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
        r.skip_ids("action pattern ids")?;
    }
    if flags & HAS_RESOURCES != 0 {
        *lists = lists.saturating_add(1);
    }
    *clauses = clauses.saturating_add(r.usize("clause count")?);
    Ok(())
}

/// Reads statements (after the count, [`count`]) into the policies that take them, `counts[i]`
/// statements for policy `i` (section `policies`, read first so that each statement is decoded
/// in place rather than moved: a large organization has 200,000 of them). Statements take
/// their clauses and resource lists, in order, from the already decoded `conditions` and
/// `resources` sections, from `next_clause` and `resources` on. Equal action-id lists and
/// equal clause lists are shared (`codec::Memo`).
pub(super) fn read<'a>(
    r: &mut Reader<'a, '_>,
    counts: &[usize],
    clauses: &Clauses,
    next_clause: &mut usize,
    resources: &mut impl Iterator<Item = Resources>,
) -> Result<Vec<Vec<Statement>>, LoadError> {
    // Every count is now at most `n`, which the section's size bounds.
    let mut grouped: Vec<Vec<Statement>> = counts.iter().copied().map(Vec::with_capacity).collect();
    let mut action_ids = Memo::<'a, Arc<[u32]>>::default();
    let mut lists: FxHashMap<Box<[u32]>, Arc<[Clause]>> = FxHashMap::default();
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
                const WHAT: &str = "action pattern ids";
                ActionPatterns::Indexed(action_ids.read(
                    r,
                    WHAT,
                    |r| r.skip_ids(WHAT),
                    |r| r.shared_ids(WHAT),
                )?)
            };
            let resources = if flags & HAS_RESOURCES != 0 {
                Some(resources.next().ok_or_else(|| {
                    r.err(LoadError::bad_reference(
                        "resource list of a statement (lists left in section `resources`)",
                        1,
                        0,
                    ))
                })?)
            } else {
                None
            };
            let n = r.usize("clause count")?;
            let left = clauses.order.len().saturating_sub(*next_clause);
            let Some(ids) = clauses.order.get(*next_clause..).and_then(|o| o.get(..n)) else {
                return Err(r.err(LoadError::bad_reference(
                    "clause count of a statement (clauses left in section `conditions`)",
                    wide(n),
                    wide(left),
                )));
            };
            *next_clause += n;
            let conditions = match lists.get(ids) {
                Some(list) => Arc::clone(list),
                None => {
                    let list: Arc<[Clause]> = ids
                        .iter()
                        .filter_map(|i| clauses.distinct.get(*i as usize).cloned())
                        .collect();
                    lists.insert(ids.into(), Arc::clone(&list));
                    list
                }
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

/// Writes the section: the statements of every policy, in order.
#[cfg(feature = "write")]
pub(super) fn write(w: &mut Writer<'_>, statements: &[&Statement]) {
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
            ActionPatterns::Indexed(ids) => w.ids(ids),
            ActionPatterns::Direct(patterns) => {
                w.len(patterns.len());
                for p in patterns {
                    super::actions::write_pattern(w, p);
                }
            }
        }
        w.len(st.conditions.len());
    }
}
