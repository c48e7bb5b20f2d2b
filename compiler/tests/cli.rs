//! The `gavel` binary as a user meets it: answer lines, summaries, exit codes, diagnostics.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "test helpers report failures by panicking"
)]

use std::io::Write;
use std::process::{Command, Output};

fn gavel(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gavel"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run gavel: {e}"))
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("gavel-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(text.as_bytes()).unwrap();
    path
}

const ALLOW: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;

#[test]
fn cases_give_one_answer_per_line_and_a_summary() {
    let cases = temp_file(
        "cases.jsonl",
        &format!(
            "{}\n{}\n{}\nnot json\n",
            format_args!(
                r#"{{"id":"a","identityPolicies":[{ALLOW}],"request":{{"principal":"arn:aws:iam::111122223333:user/u","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","resourceAccount":"111122223333"}},"expect":"Allow"}}"#
            ),
            format_args!(
                r#"{{"id":"b","identityPolicies":[],"request":{{"principal":"arn:aws:iam::111122223333:user/u","action":"s3:GetObject","resource":"*"}},"expect":"Allow"}}"#
            ),
            r#"{"id":"c","identityPolicies":[],"request":{"principal":"arn:aws:iam::111122223333:user/u","action":"s3:GetObject"}}"#,
        ),
    );
    let out = gavel(&["eval", "--cases", cases.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a disagreement and unreadable lines fail the run"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["decision"], "Allow");
    assert_eq!(lines[0]["reasons"][0]["sid"], "Read");
    assert_eq!(lines[1]["decision"], "ImplicitDeny");
    assert_eq!(lines[1]["agree"], false);
    assert_eq!(lines[2]["id"], "c");
    assert!(
        lines[2]["error"]
            .as_str()
            .unwrap()
            .contains("missing `resource`"),
        "{}",
        lines[2]
    );
    assert!(lines[3]["id"].is_null() && lines[3]["error"].is_string());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.lines().any(|l| l == "1 passed, 3 failed"),
        "{stderr}"
    );
}

#[test]
fn one_request_is_explained() {
    let p = temp_file("allow.json", ALLOW);
    let out = gavel(&[
        "eval",
        "--identity-policy",
        p.to_str().unwrap(),
        "--principal",
        "arn:aws:iam::111122223333:user/u",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::b/k",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("decision: Allow"), "{stdout}");
    assert!(
        stdout.contains("statement #0 (Sid `Read`) at 1:38"),
        "{stdout}"
    );
    let out = gavel(&[
        "eval",
        "--identity-policy",
        p.to_str().unwrap(),
        "--principal",
        "arn:aws:iam::111122223333:user/u",
        "--action",
        "s3:PutObject",
    ]);
    assert_eq!(out.status.code(), Some(1), "a deny exits 1");
}

#[test]
fn bad_policies_are_reported_with_locations_and_never_panic() {
    let p = temp_file(
        "bad.json",
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\n\"Resource\":\"*\",\"Condition\":{\"StringEqual\":{\"aws:username\":\"bob\"}}}]}",
    );
    let out = gavel(&["lint", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.json:2:29: error: unknown condition operator `StringEqual`"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `StringEquals`?"), "{stderr}");
    for text in [
        "",
        "{",
        "[]",
        "{\"Statement\":[]}",
        "\u{0}",
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\"}}",
    ] {
        let p = temp_file("junk.json", text);
        let out = gavel(&["lint", p.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{text:?}");
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("panicked"),
            "{text:?}"
        );
    }
    let out = gavel(&["lint", "--error-format", "json", p.to_str().unwrap()]);
    let first = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .map(str::to_string)
        .unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(v["severity"], "error");
}

#[test]
fn spec_cases_pass_through_the_binary() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../corpus/conformance/spec-cases.jsonl"
    );
    let out = gavel(&["eval", "--cases", path]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.lines().any(|l| l.ends_with(" passed, 0 failed")),
        "{stderr}"
    );
}

#[test]
fn the_readme_main_command_answers_every_example_question() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus/example-org");
    let out = gavel(&["demo", dir, "--quiet"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every answer comes from the compiled decision file and agrees with the reference.
    assert!(stdout.contains("compiled to a decision file"), "{stdout}");
    assert!(
        stdout
            .contains("(the compiled runtime and the reference interpreter agree on each), 0 not"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "session arn:aws:sts::222222222222:assumed-role/github-actions-deploy/GitHubActions"
        ),
        "{stdout}"
    );
}

/// `gavel dump --principal` shows the SCP levels a principal's own requests use: the region
/// guard of the example organization exempts `OpsAdmin` by `aws:PrincipalARN`, so OpsAdmin's
/// specialized levels keep none of its statements and Mia's keep it with the region clause
/// alone.
#[test]
fn dump_shows_a_principals_specialized_scp_levels() {
    let manifest = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../corpus/example-org/manifest.json"
    );
    let file = temp_file("example.gavel", "");
    let file = file.to_str().unwrap();
    let out = gavel(&["compile", manifest, "-o", file]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let dump = |who: &str| {
        let out = gavel(&["dump", file, "--principal", who]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let ops = dump("OpsAdmin");
    assert!(
        ops.contains("SCP level 1 (specialized for this principal; root first)"),
        "{ops}"
    );
    assert!(
        ops.contains("policy `RestrictRegions` (0 statements kept)"),
        "{ops}"
    );
    let mia = dump("Mia");
    assert!(
        mia.contains("policy `RestrictRegions` (1 statements kept)"),
        "{mia}"
    );
    assert!(
        mia.contains("when 1 clause(s) on aws:requestedregion"),
        "{mia}"
    );
}
