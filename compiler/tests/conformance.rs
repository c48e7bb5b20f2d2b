//! Every conformance file in `corpus/conformance/` through the reference interpreter: each
//! case must be readable and, where it names an expected decision, agree with it.

#![allow(clippy::panic, reason = "test helpers report failures by panicking")]

use gavel_compiler::conformance::{parse_case, parse_org_case};
use gavel_compiler::org::load::load_for_cli_with;
use gavel_compiler::reference::decide_org;
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
        .filter(|n| n.ends_with(".jsonl") && !n.starts_with("org-"))
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

/// The organization each `org-*.jsonl` file is decided against.
fn org_of(file: &str) -> Option<(PathBuf, Vec<PathBuf>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let dumps = root.join("../shared/corpus/account-authorization-details");
    let aws_managed = vec![root.join("../shared/corpus/aws-managed-policies.jsonl")];
    match file {
        "org-example.jsonl" => Some((root.join("corpus/example-org/manifest.json"), Vec::new())),
        "org-awscli.jsonl" => Some((dumps.join("awscli-doc-example.json"), aws_managed)),
        "org-cloudmapper.jsonl" => Some((dumps.join("cloudmapper-demo.json"), aws_managed)),
        _ => None,
    }
}

#[test]
fn org_cases_agree_against_their_organizations() {
    let mut files: Vec<String> = std::fs::read_dir(conformance_dir())
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("org-") && n.ends_with(".jsonl"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{files:?}");
    let mut failures = Vec::new();
    let mut checked = 0;
    for f in &files {
        let (org_path, catalogs) = org_of(f)
            .unwrap_or_else(|| panic!("{f}: no organization is mapped to this file in org_of()"));
        let org = load_for_cli_with(&org_path, &catalogs)
            .unwrap_or_else(|e| panic!("{}: {e}", org_path.display()));
        let text =
            std::fs::read_to_string(conformance_dir().join(f)).unwrap_or_else(|e| panic!("{e}"));
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            match parse_org_case(line) {
                Ok(case) => {
                    let e = decide_org(&org, &case.request, &Options::default());
                    if let Some(expect) = case.expect {
                        checked += 1;
                        if expect != e.decision {
                            failures.push(format!(
                                "{f}:{}: {}: expected {expect}, got {} ({})",
                                i + 1,
                                case.id,
                                e.decision,
                                e.basis.describe()
                            ));
                        }
                    }
                }
                Err(err) => failures.push(format!("{f}:{}: unreadable: {}", i + 1, err.message)),
            }
        }
    }
    assert!(checked >= 60, "only {checked} org cases checked");
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
