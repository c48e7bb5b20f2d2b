//! Every policy of the shared corpus that the JSON front end accepts survives
//! JSON -> model -> text -> model unchanged, and text -> JSON -> text is stable.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failed expectation is a test failure"
)]

mod common;
use common::corpus_dir;
use gavel_compiler::json::{parse_policy, policy_to_json};
use gavel_compiler::model::PolicyType;
use gavel_compiler::text::{parse_policy_text, policy_to_text};

const FILES: [(&str, PolicyType); 6] = [
    ("aws-managed-policies.jsonl", PolicyType::Identity),
    (
        "aws-managed-policies-deprecated.jsonl",
        PolicyType::Identity,
    ),
    ("scp-examples.jsonl", PolicyType::Scp),
    ("rcp-examples.jsonl", PolicyType::Rcp),
    ("resource-policy-examples.jsonl", PolicyType::Resource),
    ("identity-policy-examples.jsonl", PolicyType::Identity),
];

#[test]
fn every_accepted_corpus_policy_round_trips_through_text() {
    let dir = corpus_dir();
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut skipped = 0;
    for (file, default_ty) in FILES {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            let Some(doc) = value.get("document") else {
                continue;
            };
            let ty = if value.get("policy_type").and_then(|v| v.as_str()) == Some("trust") {
                PolicyType::Trust
            } else {
                default_ty
            };
            let json_text = doc.to_string();
            let Ok(parsed) = parse_policy(&json_text, ty) else {
                skipped += 1;
                continue;
            };
            let model = parsed.value;
            let as_text = policy_to_text(&model);
            let back = match parse_policy_text(&as_text, ty) {
                Ok(p) => p.value,
                Err(d) => {
                    failures.push(format!(
                        "{file}:{}: text does not parse back:\n{}\n{as_text}",
                        n + 1,
                        d.render("policy.gavel", &as_text)
                    ));
                    continue;
                }
            };
            if back != model {
                failures.push(format!(
                    "{file}:{}: model differs after text:\n{as_text}",
                    n + 1
                ));
                continue;
            }
            // text -> JSON -> text is stable.
            let json2 = policy_to_json(&back).to_string();
            let again = parse_policy(&json2, ty).map(|p| policy_to_text(&p.value));
            if again.as_deref().ok() != Some(as_text.as_str()) {
                failures.push(format!("{file}:{}: text -> JSON -> text differs", n + 1));
                continue;
            }
            checked += 1;
        }
    }
    eprintln!(
        "round-tripped {checked} documents through text ({skipped} rejected by the JSON front end)"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
    assert!(checked > 1000, "only {checked} documents checked");
}
