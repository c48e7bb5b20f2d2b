//! Partial evaluation per principal never changes an answer: for generated cases, folding the
//! identity, boundary, session and SCP policies with the case's principal keys and deciding gives
//! the same decision and the same deciding statements (mapped back to source indices) as the
//! reference on the unfolded policies.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "test helpers report failures by panicking"
)]

use gavel_compiler::casegen::{GenOptions, generate_cases};
use gavel_compiler::conformance::parse_case;
use gavel_compiler::lower::fold::{KnownKeys, fold_policy};
use gavel_compiler::reference::{NamedPolicy, Options, PolicySet, decide};
use gavel_runtime::{PolicyKind, StatementRef};
use std::collections::HashMap;

type Origins = HashMap<(PolicyKind, String), Vec<usize>>;

fn fold_all(
    pols: &[NamedPolicy],
    kind: PolicyKind,
    known: &KnownKeys,
    origins: &mut Origins,
    removed: &mut usize,
) -> Vec<NamedPolicy> {
    pols.iter()
        .map(|p| {
            let f = fold_policy(&p.policy, known);
            *removed += p.policy.statements.len() - f.policy.statements.len();
            origins.insert((kind, p.name.clone()), f.origin);
            NamedPolicy {
                name: p.name.clone(),
                policy: f.policy,
            }
        })
        .collect()
}

fn remap(s: &StatementRef, origins: &Origins) -> StatementRef {
    let mut s = s.clone();
    if let Some(o) = origins.get(&(s.kind, s.policy.clone())) {
        s.index = o[s.index];
    }
    s
}

#[test]
fn folding_never_changes_an_answer() {
    let (mut checked, mut removed, mut folded_clauses) = (0, 0usize, 0usize);
    for seed in [201u64, 202, 203] {
        for v in generate_cases(&GenOptions::new(seed, 5000)) {
            let Ok(mut case) = parse_case(&v.to_string(), 1) else {
                continue;
            };
            // Answers name statements by (set, policy name, index); make names unique so the
            // mapping back to source indices is unambiguous.
            let unique = |pols: &mut Vec<NamedPolicy>| {
                for (i, p) in pols.iter_mut().enumerate() {
                    p.name = format!("{}#{i}", p.name);
                }
            };
            unique(&mut case.set.identity);
            unique(&mut case.set.boundaries);
            unique(&mut case.set.session);
            for l in case.set.scps.iter_mut().flatten() {
                unique(l);
            }
            let known = KnownKeys::principal_keys_of(&case.request.context);
            let mut origins = Origins::new();
            let s = &case.set;
            let count = |set: &PolicySet| -> usize {
                set.identity
                    .iter()
                    .chain(&set.boundaries)
                    .flat_map(|p| &p.policy.statements)
                    .map(|st| st.condition.len())
                    .sum()
            };
            let before_clauses = count(s);
            let folded = PolicySet {
                identity: fold_all(
                    &s.identity,
                    PolicyKind::Identity,
                    &known,
                    &mut origins,
                    &mut removed,
                ),
                resource: s.resource.clone(),
                boundaries: fold_all(
                    &s.boundaries,
                    PolicyKind::Boundary,
                    &known,
                    &mut origins,
                    &mut removed,
                ),
                session: fold_all(
                    &s.session,
                    PolicyKind::Session,
                    &known,
                    &mut origins,
                    &mut removed,
                ),
                scps: s.scps.as_ref().map(|levels| {
                    levels
                        .iter()
                        .enumerate()
                        .map(|(l, pols)| {
                            fold_all(
                                pols,
                                PolicyKind::Scp(u16::try_from(l).unwrap()),
                                &known,
                                &mut origins,
                                &mut removed,
                            )
                        })
                        .collect()
                }),
                rcps: s.rcps.clone(),
            };
            folded_clauses += before_clauses.saturating_sub(count(&folded));
            let want = decide(&case.set, &case.request, &Options::default());
            let got = decide(&folded, &case.request, &Options::default());
            let got_statements: Vec<StatementRef> =
                got.statements.iter().map(|s| remap(s, &origins)).collect();
            assert_eq!(
                (want.decision, &want.statements),
                (got.decision, &got_statements),
                "folding changed the answer of {}: {v}",
                case.id
            );
            checked += 1;
        }
    }
    assert!(checked > 14_000, "{checked}");
    // Folding must actually happen, or this test proves nothing.
    assert!(
        removed > 500 && folded_clauses > 500,
        "removed {removed} statements, {folded_clauses} clauses"
    );
    eprintln!("{checked} cases; folding removed {removed} statements and {folded_clauses} clauses");
}
