//! `gavel fmt` on the text language: the canonical layout keeps comments, imports and names;
//! it is a fixed point; and the command converts organizations between text, manifests and
//! dumps.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed expectation is a test failure"
)]

mod common;
use common::corpus_dir;
use gavel_compiler::model::PolicyType;
use gavel_compiler::org::load::{LoadOptions, load_for_cli_with, load_manifest_text};
use gavel_compiler::text::{
    format_org_text, format_policy_text, org_to_text, parse_org_text, parse_policy_text,
    policy_to_text,
};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn gavel(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gavel"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run gavel: {e}"))
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "gavel failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gavel-fmt-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Comments before an item stay before it, comments after an item on its line stay there, a
/// comment inside a statement moves before the statement.
const MESSY: &str = r#"// The file's header.

// About the organization.
organization "o-abcdefghij" {   // the id
  management 111122223333
  root Root id "r-ab12" { attach scp FullAWSAccess
    account 111122223333 "m" {
      attach scp FullAWSAccess   // every node needs one
      /* The developers. */
      group Dev { attach P }
      user mia in Dev { tags { team = "web" } }   // a user
      policy P { allow s3:GetObject on "arn:aws:s3:::b/*"
        when aws:SourceIp IpAddress "10.0.0.0/8" // office
         and aws:MultiFactorAuthPresent Bool "true" }
      // trailing remark of the account
    }
  }
}
"#;

const TIDY: &str = r#"// The file's header.

// About the organization.
organization o-abcdefghij {  // the id
  management 111122223333

  root Root id r-ab12 {
    attach scp FullAWSAccess

    account 111122223333 "m" {
      attach scp FullAWSAccess  // every node needs one
      /* The developers. */
      group Dev { attach P }
      user mia in Dev { tags { team = "web" } }  // a user

      policy P {
        // office
        allow s3:GetObject
          on "arn:aws:s3:::b/*"
          when aws:SourceIp ip_in "10.0.0.0/8"
           and aws:MultiFactorAuthPresent is true
      }
      // trailing remark of the account
    }
  }
}
"#;

#[test]
fn fmt_keeps_comments_and_lays_out_canonically() {
    let formatted = format_org_text(MESSY).unwrap_or_else(|d| panic!("{}", d.render("m", MESSY)));
    assert_eq!(formatted, TIDY, "\n{formatted}");
    assert_eq!(format_org_text(TIDY).unwrap(), TIDY);
    // The same organization.
    let opts = LoadOptions::default();
    let a = parse_org_text(MESSY, "a", Path::new("."), &opts)
        .unwrap()
        .value;
    let b = parse_org_text(TIDY, "b", Path::new("."), &opts)
        .unwrap()
        .value;
    assert_eq!(a, b);
}

#[test]
fn fmt_keeps_imports_and_names_as_written() {
    let text = "import managed \"aws.jsonl\"\naccount 111122223333 { import \"dump.json\" }\n\naccount 444455556666 {\n  role R {\n    trust allow sts:AssumeRole\n      for service \"lambda.amazonaws.com\"\n\n    attach ReadOnlyAccess\n  }\n}\n";
    assert_eq!(format_org_text(text).unwrap(), text);
}

#[test]
fn policy_fmt_keeps_comments_and_matches_the_printer_without_them() {
    let text = "// Reads.\nallow s3:GetObject on * // all of it\n/* Never delete. */ deny s3:DeleteBucket on \"arn:aws:s3:::b\"\n";
    let f = format_policy_text(text, PolicyType::Identity).unwrap();
    assert_eq!(
        f,
        "// Reads.\nallow s3:GetObject\n  on *  // all of it\n\n/* Never delete. */\ndeny s3:DeleteBucket\n  on \"arn:aws:s3:::b\"\n"
    );
    let p = parse_policy_text(text, PolicyType::Identity).unwrap().value;
    assert_eq!(
        parse_policy_text(&f, PolicyType::Identity).unwrap().value,
        p
    );
    // Without comments, `gavel fmt` writes what the model printer writes.
    let plain = policy_to_text(&p);
    assert_eq!(
        format_policy_text(&plain, PolicyType::Identity).unwrap(),
        plain
    );
}

#[test]
fn cli_fmt_check_passes_on_the_example_organization() {
    let org = root().join("corpus/example-org/org.gavel");
    let o = gavel(&["fmt", org.to_str().unwrap(), "--check"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let messy = scratch("messy.gavel", MESSY);
    let o = gavel(&["fmt", messy.to_str().unwrap(), "--check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not in canonical form"));
    assert_eq!(stdout(&gavel(&["fmt", messy.to_str().unwrap()])), TIDY);
}

#[test]
fn cli_fmt_converts_organizations() {
    let dir = root().join("corpus/example-org");
    let manifest = dir.join("manifest.json");
    let org = load_for_cli_with(&manifest, &[]).unwrap();
    // A manifest to text: the whole organization written out.
    let text = stdout(&gavel(&["fmt", manifest.to_str().unwrap(), "--to", "text"]));
    assert_eq!(text, org_to_text(&org));
    // Text to a manifest: imports stay paths relative to the text's folder.
    let json = stdout(&gavel(&[
        "fmt",
        dir.join("org.gavel").to_str().unwrap(),
        "--to",
        "json",
    ]));
    let from_json = load_manifest_text(&json, "m.json", &dir, &LoadOptions::default())
        .unwrap()
        .value;
    assert!(from_json == org);
    // A manifest to a manifest with every document inline.
    let inline = stdout(&gavel(&["fmt", manifest.to_str().unwrap(), "--to", "json"]));
    assert!(!inline.contains("accounts/prod.json"));
    let back = load_manifest_text(
        &inline,
        "m.json",
        Path::new("/nonexistent"),
        &LoadOptions::default(),
    )
    .unwrap()
    .value;
    assert!(back == org);
    // An account dump to text.
    let dump = corpus_dir().join("account-authorization-details/awscli-doc-example.json");
    let catalog = corpus_dir().join("aws-managed-policies.jsonl");
    let text = stdout(&gavel(&[
        "fmt",
        dump.to_str().unwrap(),
        "--managed-policies",
        catalog.to_str().unwrap(),
    ]));
    assert!(text.starts_with("account 123456789012 {\n"), "{text}");
    // Comments do not go to JSON silently.
    let messy = scratch("messy2.gavel", MESSY);
    let o = gavel(&["fmt", messy.to_str().unwrap(), "--to", "json"]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("JSON has no comments"));
}

#[test]
fn cli_fmt_reports_errors_at_the_text() {
    let bad = scratch(
        "bad.gavel",
        "organization o-abcdefghij {\n  management 111122223333\n  root Root id r-ab12 {\n    attach scp FullAWSAccess\n    account 111122223333 { attach scp FullAWSAcess }\n  }\n}\n",
    );
    let o = gavel(&["fmt", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.gavel:5:39: error: unknown SCP `FullAWSAcess`"),
        "{err}"
    );
    assert!(err.contains("did you mean `FullAWSAccess`?"), "{err}");
}

#[test]
fn the_documented_organization_example_reads() {
    let doc = std::fs::read_to_string(root().join("docs/text-language.md")).unwrap();
    let section = doc.split("## Organizations").nth(1).unwrap();
    let block = section
        .split("```\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no example"));
    let manifest = gavel_compiler::text::org_text_to_manifest(block)
        .unwrap_or_else(|d| panic!("{}", d.render("doc", block)));
    assert_eq!(manifest["accounts"].as_array().map(Vec::len), Some(2));
    format_org_text(block).unwrap_or_else(|d| panic!("{}", d.render("doc", block)));
}
