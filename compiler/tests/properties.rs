//! Metamorphic properties of the reference interpreter over seeded random cases (casegen):
//! facts about IAM evaluation that hold for every policy set, so a violation is a bug whatever
//! the expected decision of the case.
//!
//! * JSON round trip and statement order never change the answer;
//! * adding a statement to a policy that already applies never moves the decision against its
//!   effect: an added `Deny` never raises it, an added `Allow` never lowers it
//!   (ExplicitDeny < ImplicitDeny < Allow).

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "test helpers report failures by panicking"
)]

use gavel_compiler::casegen::{GenOptions, generate_cases};
use gavel_compiler::conformance::{Case, parse_case};
use gavel_compiler::reference::{Options, decide};
use gavel_runtime::{Decision, Explanation};
use serde_json::{Value, json};

const CASES: usize = 4000;

fn rank(d: Decision) -> u8 {
    match d {
        Decision::ExplicitDeny => 0,
        Decision::ImplicitDeny => 1,
        Decision::Allow => 2,
    }
}

fn run(v: &Value) -> Option<(Case, Explanation)> {
    let case = parse_case(&v.to_string(), 1).ok()?;
    let e = decide(&case.set, &case.request, &Options::default());
    Some((case, e))
}

/// Every policy document inside a case, mutably (bare or `{name, document}`).
fn documents(v: &mut Value) -> Vec<&mut Value> {
    fn doc(p: &mut Value) -> &mut Value {
        if p.get("Statement").is_none() && p.get("document").is_some() {
            return p.get_mut("document").unwrap();
        }
        p
    }
    let mut out = Vec::new();
    let Some(obj) = v.as_object_mut() else {
        return out;
    };
    for (k, val) in obj.iter_mut() {
        match k.as_str() {
            "identityPolicies" | "permissionBoundaries" => {
                if let Some(a) = val.as_array_mut() {
                    out.extend(a.iter_mut().map(doc));
                }
            }
            "resourcePolicy" | "sessionPolicy" if val.is_object() => out.push(doc(val)),
            "sessionPolicy" => {
                if let Some(a) = val.as_array_mut() {
                    out.extend(a.iter_mut().map(doc));
                }
            }
            "scps" | "rcps" => {
                if let Some(levels) = val.as_array_mut() {
                    for l in levels {
                        if let Some(a) = l.as_array_mut() {
                            out.extend(a.iter_mut().map(doc));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn statements(doc: &mut Value) -> Option<&mut Vec<Value>> {
    let s = doc.get_mut("Statement")?;
    if s.is_object() {
        *s = json!([s.clone()]);
    }
    s.as_array_mut()
}

fn cases(seed: u64) -> Vec<Value> {
    generate_cases(&GenOptions::new(seed, CASES))
}

#[test]
fn statement_order_never_changes_the_answer() {
    let mut checked = 0;
    for v in cases(101) {
        let Some((_, before)) = run(&v) else { continue };
        let mut w = v.clone();
        for d in documents(&mut w) {
            if let Some(st) = statements(d) {
                st.reverse();
            }
        }
        let (_, after) = run(&w).unwrap_or_else(|| panic!("reordered case unreadable: {w}"));
        assert_eq!(before.decision, after.decision, "{v}");
        let mut a: Vec<_> = before
            .statements
            .iter()
            .map(|s| (s.kind, s.policy.clone(), s.sid.clone(), s.effect))
            .collect();
        let mut b: Vec<_> = after
            .statements
            .iter()
            .map(|s| (s.kind, s.policy.clone(), s.sid.clone(), s.effect))
            .collect();
        a.sort();
        b.sort();
        assert_eq!(a, b, "{v}");
        checked += 1;
    }
    assert!(checked > CASES * 9 / 10, "{checked}");
}

#[test]
fn json_round_trip_never_changes_the_answer() {
    use gavel_compiler::json::policy_to_json;
    let mut checked = 0;
    for v in cases(102) {
        let Some((case, before)) = run(&v) else {
            continue;
        };
        let mut set = case.set.clone();
        let redo = |p: &mut gavel_compiler::reference::NamedPolicy, ty| {
            let text = policy_to_json(&p.policy).to_string();
            p.policy = gavel_compiler::json::parse_policy_with(
                &text,
                ty,
                gavel_compiler::json::ParseMode::Lenient,
            )
            .unwrap_or_else(|d| panic!("{d}\n{text}"))
            .value;
        };
        use gavel_compiler::model::PolicyType as T;
        set.identity.iter_mut().for_each(|p| redo(p, T::Identity));
        set.boundaries.iter_mut().for_each(|p| redo(p, T::Boundary));
        set.session.iter_mut().for_each(|p| redo(p, T::Session));
        for l in set.scps.iter_mut().flatten() {
            l.iter_mut().for_each(|p| redo(p, T::Scp));
        }
        let after = decide(&set, &case.request, &Options::default());
        assert_eq!(
            (before.decision, &before.statements),
            (after.decision, &after.statements),
            "{v}"
        );
        checked += 1;
    }
    assert!(checked > CASES * 9 / 10, "{checked}");
}

/// Adds `statement` to the first policy of every non-empty identity/boundary/session/SCP set
/// (never creating a set, which could change which limits apply).
fn add_everywhere(v: &Value, statement: &Value) -> Value {
    let mut w = v.clone();
    let obj = w.as_object_mut().unwrap();
    for key in ["identityPolicies", "permissionBoundaries"] {
        if let Some(first) = obj
            .get_mut(key)
            .and_then(Value::as_array_mut)
            .and_then(|a| a.first_mut())
        {
            let d = if first.get("document").is_some() {
                first.get_mut("document").unwrap()
            } else {
                first
            };
            statements(d).unwrap().push(statement.clone());
        }
    }
    if let Some(levels) = obj.get_mut("scps").and_then(Value::as_array_mut) {
        for l in levels {
            if let Some(first) = l.as_array_mut().and_then(|a| a.first_mut()) {
                let d = if first.get("document").is_some() {
                    first.get_mut("document").unwrap()
                } else {
                    first
                };
                statements(d).unwrap().push(statement.clone());
            }
        }
    }
    w
}

#[test]
fn an_added_deny_never_raises_and_an_added_allow_never_lowers() {
    let deny =
        json!({"Effect": "Deny", "Action": ["s3:*", "ec2:Describe*", "iam:Get*"], "Resource": "*"});
    let allow = json!({"Effect": "Allow", "Action": ["s3:Get*", "ec2:*", "sts:AssumeRole"], "Resource": "*"});
    let (mut raised, mut lowered) = (0, 0);
    for v in cases(103) {
        let Some((_, before)) = run(&v) else { continue };
        if let Some((_, after)) = run(&add_everywhere(&v, &deny)) {
            assert!(
                rank(after.decision) <= rank(before.decision),
                "a Deny raised {} to {}: {v}",
                before.decision,
                after.decision
            );
            lowered += usize::from(after.decision != before.decision);
        }
        if let Some((_, after)) = run(&add_everywhere(&v, &allow)) {
            assert!(
                rank(after.decision) >= rank(before.decision),
                "an Allow lowered {} to {}: {v}",
                before.decision,
                after.decision
            );
            raised += usize::from(after.decision != before.decision);
        }
    }
    // The mutations must actually change some answers, or this test proves nothing.
    assert!(
        lowered > 50 && raised > 50,
        "lowered {lowered}, raised {raised}"
    );
}
