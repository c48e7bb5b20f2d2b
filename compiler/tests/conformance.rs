//! Every conformance file in `corpus/conformance/` through the reference interpreter: each
//! case must be readable and, where it names an expected decision, agree with it.

#![allow(clippy::panic, reason = "test helpers report failures by panicking")]

use gavel_compiler::conformance::parse_case;
use gavel_compiler::reference::{Options, decide};
use std::path::PathBuf;

fn conformance_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/conformance")
}

fn run_file(name: &str) -> (usize, Vec<String>) {
    let path = conformance_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut checked = 0;
    let mut failures = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse_case(line, i + 1) {
            Ok(case) => {
                let e = decide(&case.set, &case.request, &Options::default());
                if let Some(expect) = case.expect {
                    checked += 1;
                    if expect != e.decision {
                        failures.push(format!(
                            "{name}:{}: {}: expected {expect}, got {} ({})",
                            i + 1,
                            case.id,
                            e.decision,
                            e.basis.describe()
                        ));
                    }
                }
            }
            Err(err) => failures.push(format!("{name}: unreadable case: {}", err.message)),
        }
    }
    (checked, failures)
}

#[test]
fn spec_cases_all_agree() {
    let (checked, failures) = run_file("spec-cases.jsonl");
    assert!(checked >= 190, "only {checked} spec cases checked");
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_conformance_file_agrees() {
    let mut files: Vec<String> = std::fs::read_dir(conformance_dir())
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".jsonl"))
        .collect();
    files.sort();
    let mut all = Vec::new();
    for f in &files {
        let (_, failures) = run_file(f);
        all.extend(failures);
    }
    assert!(
        all.is_empty(),
        "{} disagreements:\n{}",
        all.len(),
        all.join("\n")
    );
}
