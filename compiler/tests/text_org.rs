//! The example organization written in the text language (`corpus/example-org/org.gavel`)
//! is the organization of `manifest.json`: same model, same decision on every org
//! conformance case.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failed expectation is a test failure"
)]

use gavel_compiler::conformance::parse_org_case;
use gavel_compiler::org::load::{LoadOptions, load_manifest};
use gavel_compiler::reference::{Options, decide_org};
use gavel_compiler::text::load_org_file;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn example_org_from_text_decides_like_the_manifest() {
    let dir = root().join("corpus/example-org");
    let options = LoadOptions::default();
    let from_json = load_manifest(&dir.join("manifest.json"), &options).unwrap();
    let from_text = match load_org_file(&dir.join("org.gavel"), &options) {
        Ok(l) => l.value,
        Err(e) => panic!("{e}"),
    };
    let cases =
        std::fs::read_to_string(root().join("corpus/conformance/org-example.jsonl")).unwrap();
    let mut n = 0;
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        let case = parse_org_case(line).unwrap();
        let a = decide_org(&from_json, &case.request, &Options::default());
        let b = decide_org(&from_text, &case.request, &Options::default());
        assert_eq!(a.decision, b.decision, "case {line}");
        n += 1;
    }
    assert!(n > 10, "only {n} cases");
    assert_eq!(from_json.accounts, from_text.accounts);
    assert_eq!(from_json.units, from_text.units);
    assert_eq!(from_json.scps, from_text.scps);
    assert_eq!(from_json.rcps, from_text.rcps);
    assert_eq!(from_json.resources, from_text.resources);
    assert_eq!(from_json.managed_policies, from_text.managed_policies);
    assert_eq!(from_json, from_text);
}
