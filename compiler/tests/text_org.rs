//! Organizations in the text language: the example organization written in text
//! (`corpus/example-org/org.gavel`) is the organization of `manifest.json`, and every
//! organization model (the example, every account dump of the shared corpus, IAMSpy's
//! fixtures) is printed to text and read back unchanged, printed identically again, and left
//! as is by `gavel fmt`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failed expectation is a test failure"
)]

mod common;
use common::corpus_dir;
use gavel_compiler::conformance::parse_org_case;
use gavel_compiler::org::Organization;
use gavel_compiler::org::load::{
    IamspyFiles, LoadOptions, MissingPolicy, PolicyCatalog, load_authorization_details,
    load_for_cli_with, load_iamspy, load_manifest, load_manifest_text, organization_from_dumps,
};
use gavel_compiler::reference::{Options, decide_org};
use gavel_compiler::text::{
    format_org_text, load_org_file, org_text_to_manifest, org_to_manifest, org_to_text,
    parse_org_text,
};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn example_dir() -> PathBuf {
    root().join("corpus/example-org")
}

#[test]
fn example_org_from_text_decides_like_the_manifest() {
    let dir = example_dir();
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

#[test]
fn example_org_text_is_in_canonical_layout() {
    let text = std::fs::read_to_string(example_dir().join("org.gavel")).unwrap();
    let formatted =
        format_org_text(&text).unwrap_or_else(|d| panic!("{}", d.render("org.gavel", &text)));
    assert!(
        formatted == text,
        "`gavel fmt corpus/example-org/org.gavel` changes the file; regenerate it:\n{formatted}"
    );
}

/// The first differing field of two organizations, for a readable failure.
fn first_difference(a: &Organization, b: &Organization) -> String {
    if a.id != b.id || a.management_account != b.management_account {
        return "id or management account".into();
    }
    if a.units != b.units {
        return format!("units:\n{:#?}\n{:#?}", a.units, b.units);
    }
    if a.scps != b.scps || a.rcps != b.rcps {
        return "scps or rcps".into();
    }
    for (id, x) in &a.accounts {
        match b.accounts.get(id) {
            None => return format!("account {id} missing"),
            Some(y) if x != y => {
                for (n, u) in &x.users {
                    if y.users.get(n) != Some(u) {
                        return format!("user {n}:\n{u:#?}\n{:#?}", y.users.get(n));
                    }
                }
                for (n, g) in &x.groups {
                    if y.groups.get(n) != Some(g) {
                        return format!("group {n}:\n{g:#?}\n{:#?}", y.groups.get(n));
                    }
                }
                for (n, r) in &x.roles {
                    if y.roles.get(n) != Some(r) {
                        return format!("role {n}:\n{r:#?}\n{:#?}", y.roles.get(n));
                    }
                }
                return format!("account {id}:\n{x:#?}\n{y:#?}");
            }
            Some(_) => {}
        }
    }
    if a.accounts.len() != b.accounts.len() {
        return "accounts".into();
    }
    for (arn, p) in &a.managed_policies {
        if b.managed_policies.get(arn) != Some(p) {
            return format!(
                "managed policy {arn}:\n{p:#?}\n{:#?}",
                b.managed_policies.get(arn)
            );
        }
    }
    if a.managed_policies.len() != b.managed_policies.len() {
        return "managed policy count".into();
    }
    if a.resources != b.resources {
        return "resources".into();
    }
    "nothing?".into()
}

/// `org` -> text -> `org`, text -> model -> text stable, `gavel fmt` leaves the text as is,
/// and the manifest written from it (`--to json`) is the same organization too. Returns the
/// number of lines.
fn round_trip(what: &str, org: &Organization) -> usize {
    let text = org_to_text(org);
    let back = match parse_org_text(
        &text,
        "printed.gavel",
        Path::new("."),
        &LoadOptions::default(),
    ) {
        Ok(l) => l.value,
        Err(e) => panic!(
            "{what}: the printed text does not load:\n{}\n{text}",
            e.render("printed.gavel", &text)
        ),
    };
    assert!(
        back == *org,
        "{what}: the model differs after text: {}\n{text}",
        first_difference(org, &back)
    );
    assert_eq!(org_to_text(&back), text, "{what}: printing twice differs");
    let formatted = format_org_text(&text)
        .unwrap_or_else(|d| panic!("{what}: {}", d.render("printed.gavel", &text)));
    assert!(
        formatted == text,
        "{what}: `gavel fmt` changes the printed text:\n{formatted}"
    );
    // The manifest form of the same text.
    let manifest = org_to_manifest(org).unwrap_or_else(|d| panic!("{what}: {d:?}"));
    assert_eq!(Some(&manifest), org_text_to_manifest(&text).ok().as_ref());
    let from_json = load_manifest_text(
        &manifest.to_string(),
        "printed.json",
        Path::new("."),
        &LoadOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{what}: the manifest does not load:\n{e}"))
    .value;
    assert!(
        from_json == *org,
        "{what}: the model differs after the manifest"
    );
    text.lines().count()
}

#[test]
fn the_example_organization_prints_to_text_and_back() {
    let org = load_for_cli_with(&example_dir().join("manifest.json"), &[]).unwrap();
    let lines = round_trip("manifest.json", &org);
    assert!(lines > 400, "{lines}");
    let from_text = load_org_file(&example_dir().join("org.gavel"), &LoadOptions::default())
        .unwrap()
        .value;
    round_trip("org.gavel", &from_text);
    assert_eq!(org_to_text(&from_text), org_to_text(&org));
}

fn catalogs() -> Vec<PathBuf> {
    [
        "aws-managed-policies.jsonl",
        "aws-managed-policies-deprecated.jsonl",
    ]
    .iter()
    .map(|f| corpus_dir().join(f))
    .collect()
}

#[test]
fn every_corpus_dump_prints_to_text_and_back() {
    let dir = corpus_dir().join("account-authorization-details");
    let mut catalog = PolicyCatalog::new();
    let mut names = Vec::new();
    for c in catalogs() {
        catalog.merge(PolicyCatalog::read(&c).unwrap().value);
        names.push(c.display().to_string());
    }
    // A dump that attaches a policy no catalog has is read with the attachment dropped.
    let options = LoadOptions {
        missing_policy: MissingPolicy::Drop,
        ..LoadOptions::default()
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 7);
    let mut lines = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let file = f.display().to_string();
        let dump = load_authorization_details(&text, &file, None).unwrap();
        let org = organization_from_dumps(vec![dump], &catalog, &names, &options)
            .unwrap_or_else(|e| panic!("{file}:\n{e}"))
            .value;
        lines += round_trip(&file, &org);
    }
    // The command line's loader, with its default options, on one dump.
    let org = load_for_cli_with(&dir.join("awscli-doc-example.json"), &catalogs()).unwrap();
    round_trip("awscli-doc-example.json (CLI)", &org);
    assert!(lines > 5000, "{lines}");
}

#[test]
fn iamspy_fixtures_print_to_text_and_back() {
    let dir = corpus_dir().join("account-authorization-details/iamspy");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let name = |p: &PathBuf| p.file_name().unwrap().to_str().unwrap().to_string();
    let is_resources = |n: &str| {
        n.starts_with("resource-") || n == "batch-resource.json" || n == "cross-account-rp.json"
    };
    let dumps: Vec<PathBuf> = files
        .iter()
        .filter(|p| !is_resources(&name(p)) && !name(p).starts_with("scp-"))
        .cloned()
        .collect();
    let resources: Vec<PathBuf> = files
        .iter()
        .filter(|p| is_resources(&name(p)))
        .cloned()
        .collect();
    let trees: Vec<PathBuf> = files
        .iter()
        .filter(|p| name(p).starts_with("scp-"))
        .cloned()
        .collect();
    assert_eq!((dumps.len(), resources.len(), trees.len()), (11, 5, 3));
    let opts = LoadOptions::default();
    for d in &dumps {
        let org = load_iamspy(
            &IamspyFiles {
                dumps: vec![d.clone()],
                ..IamspyFiles::default()
            },
            &opts,
        )
        .unwrap()
        .value;
        round_trip(&name(d), &org);
    }
    // Dumps, resource policies and an organization tree together.
    for (d, r, t) in [
        (
            "basic-allow.json",
            "cross-account-rp.json",
            "scp-deny-lambda.json",
        ),
        (
            "allow-testing-s3.json",
            "resource-s3-allow-testing.json",
            "scp-basic.json",
        ),
        (
            "batch-allow.json",
            "batch-resource.json",
            "scp-deny-lambda2.json",
        ),
    ] {
        let org = load_iamspy(
            &IamspyFiles {
                dumps: vec![dir.join(d)],
                resources: vec![dir.join(r)],
                organization: Some(dir.join(t)),
                ..IamspyFiles::default()
            },
            &opts,
        )
        .unwrap_or_else(|e| panic!("{d} {r} {t}:\n{e}"))
        .value;
        round_trip(&format!("{d} + {r} + {t}"), &org);
    }
}
