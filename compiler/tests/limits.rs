//! Resource limits (issue 6 item 4): a huge or deeply nested policy, millions of statements, a
//! 100 MB dump and a wildcard pattern built to backtrack each cost bounded time and memory,
//! and a limit that is hit gives a clear typed error, never a partial read. Inputs are built in
//! memory; every test here takes well under a second in release.
//!
//! The limits: `gavel_compiler::json::MAX_POLICY_BYTES` (1 MiB per policy document, JSON or
//! text, wherever it is read from), `gavel_compiler::org::load::MAX_FILE_BYTES` (64 MiB per
//! input file or text), JSON nesting 512 levels (the parser's), text-language blocks
//! `MAX_BLOCK_DEPTH` deep. They are listed in `fuzz/README.md`.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests report failures by panicking"
)]

use gavel_compiler::json::{MAX_POLICY_BYTES, parse_policy};
use gavel_compiler::model::PolicyType;
use gavel_compiler::org::load::{
    LoadOptions, MAX_FILE_BYTES, PolicyCatalog, ProblemKind, load_authorization_details,
    load_manifest_text,
};
use gavel_compiler::reference::{NamedPolicy, Options, PolicySet, decide};
use gavel_compiler::text::{parse_org_text, parse_policy_text};
use gavel_runtime::{Context, ContextValue, Decision, Principal, Request};
use std::path::Path;
use std::time::{Duration, Instant};

/// Fails when `f` takes longer than `limit` (generous: 2 cores shared with other builds).
fn timed<T>(what: &str, limit: Duration, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    assert!(took < limit, "{what} took {took:?}, more than {limit:?}");
    out
}

fn statement(i: usize) -> String {
    format!(
        r#"{{"Sid":"S{i}","Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/{i}"}}"#
    )
}

fn policy_of(n: usize) -> String {
    let statements: Vec<String> = (0..n).map(statement).collect();
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    )
}

fn codes(d: &gavel_compiler::diagnostics::Diagnostics) -> Vec<&'static str> {
    d.iter().map(|d| d.code).collect()
}

#[test]
fn a_policy_of_millions_of_statements_is_refused_before_it_is_read() {
    let text = policy_of(1_000_000);
    assert!(text.len() > 50_000_000);
    let err = timed(
        "refusing a 1M-statement policy",
        Duration::from_millis(500),
        || parse_policy(&text, PolicyType::Identity).unwrap_err(),
    );
    assert_eq!(codes(&err), ["policy-too-large"]);
    let message = err.iter().next().unwrap().message.clone();
    assert!(message.contains("at most 1048576 bytes"), "{message}");
}

#[test]
fn the_largest_accepted_policy_reads_in_bounded_time() {
    // Just under the limit: about 11,000 statements.
    let mut n = 10_000;
    while policy_of(n + 100).len() < MAX_POLICY_BYTES {
        n += 100;
    }
    let text = policy_of(n);
    let parsed = timed("a 1 MiB policy", Duration::from_secs(5), || {
        parse_policy(&text, PolicyType::Identity).unwrap()
    });
    assert_eq!(parsed.value.statements.len(), n);
    let over = policy_of(n + 100);
    assert_eq!(
        codes(&parse_policy(&over, PolicyType::Identity).unwrap_err()),
        ["policy-too-large"]
    );
}

#[test]
fn a_deeply_nested_policy_is_refused() {
    for depth in [600, 1_000_000] {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":{}{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let err = timed("a deeply nested policy", Duration::from_secs(1), || {
            parse_policy(&text, PolicyType::Identity).unwrap_err()
        });
        let want = if text.len() > MAX_POLICY_BYTES {
            "policy-too-large"
        } else {
            "json-too-deep"
        };
        assert!(codes(&err).contains(&want), "{:?}", codes(&err));
    }
}

#[test]
fn a_text_policy_of_millions_of_statements_is_refused() {
    let text = "deny s3:GetObject on *\n".repeat(1_000_000);
    let err = timed(
        "refusing a 1M-statement text policy",
        Duration::from_millis(500),
        || parse_policy_text(&text, PolicyType::Identity).unwrap_err(),
    );
    assert_eq!(codes(&err), ["policy-too-large"]);
}

#[test]
fn deeply_nested_text_is_refused() {
    let depth = 100_000;
    let org = format!("{}{}", "ou x {\n".repeat(depth), "}\n".repeat(depth));
    let options = LoadOptions::default();
    let err = timed(
        "a deeply nested organization",
        Duration::from_secs(5),
        || parse_org_text(&org, "deep.gavel", Path::new("/nonexistent"), &options).unwrap_err(),
    );
    let rendered = err.render("deep.gavel", &org);
    assert!(rendered.contains("nested too deeply"), "{rendered}");
}

#[test]
fn a_100_mb_dump_is_refused_with_a_typed_error() {
    // 100 MB of valid-looking JSON: refused by size before the parser sees it.
    let mut text = String::with_capacity(100_000_010);
    text.push_str(r#"{"UserDetailList":[],"Padding":""#);
    text.push_str(&" ".repeat(100_000_000));
    text.push_str(r#""}"#);
    let err = timed("refusing a 100 MB dump", Duration::from_millis(500), || {
        load_authorization_details(&text, "big.json", None).unwrap_err()
    });
    assert!(err.has(ProblemKind::TooLarge), "{err}");
    assert!(err.to_string().contains("at most 67108864 bytes"), "{err}");
    let err = PolicyCatalog::parse(&text, "big.jsonl").unwrap_err();
    assert!(err.has(ProblemKind::TooLarge), "{err}");
    let err =
        load_manifest_text(&text, "big.json", Path::new("."), &LoadOptions::default()).unwrap_err();
    assert!(err.has(ProblemKind::TooLarge), "{err}");
}

#[test]
fn a_100_mb_file_is_refused_before_a_byte_is_read() {
    let dir = std::env::temp_dir().join(format!("gavel-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.jsonl");
    // Sparse: no 100 MB written to disk, but its length is 100 MB.
    std::fs::File::create(&path)
        .and_then(|f| f.set_len(100_000_000))
        .unwrap();
    let err = timed("refusing a 100 MB file", Duration::from_millis(500), || {
        PolicyCatalog::read(&path).unwrap_err()
    });
    assert!(err.has(ProblemKind::TooLarge), "{err}");
    let err = gavel_compiler::org::load::load_for_cli(&path).unwrap_err();
    assert!(err.contains("at most 67108864 bytes"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(MAX_FILE_BYTES, 64 << 20);
}

#[test]
fn a_manifest_cannot_make_the_loader_read_a_device() {
    // `/dev/zero` never ends; a FIFO would block. Only regular files are read.
    let manifest =
        r#"{"accounts": [{"id": "111122223333", "authorization_details": "/dev/zero"}]}"#;
    let err = timed(
        "a manifest naming /dev/zero",
        Duration::from_secs(1),
        || {
            load_manifest_text(manifest, "m.json", Path::new("."), &LoadOptions::default())
                .unwrap_err()
        },
    );
    assert!(err.to_string().contains("is not a regular file"), "{err}");
}

#[test]
fn a_policy_too_large_inside_a_dump_is_located() {
    let big = policy_of(30_000);
    assert!(big.len() > MAX_POLICY_BYTES);
    let dump = format!(
        r#"{{"UserDetailList":[{{"UserName":"a","Path":"/","Arn":"arn:aws:iam::111122223333:user/a","UserId":"AIDA","UserPolicyList":[{{"PolicyName":"big","PolicyDocument":{big}}}]}}]}}"#
    );
    let err = timed(
        "a dump with a 1.4 MB policy",
        Duration::from_secs(3),
        || load_authorization_details(&dump, "d.json", None).unwrap_err(),
    );
    let text = err.to_string();
    assert!(text.contains("UserPolicyList[0]"), "{text}");
    assert!(
        err.problems()
            .iter()
            .flat_map(|p| &p.diagnostics)
            .any(|d| d.code == "policy-too-large"),
        "{text}"
    );
}

#[test]
fn a_pattern_built_to_backtrack_is_matched_in_linear_time() {
    // `a*a*a*…b` against `aaa…a`: exponential for a backtracking matcher, O(pattern × text)
    // for Gavel's (runtime/src/glob.rs), in `Resource` and in `StringLike` alike.
    let hostile = format!("{}b", "a*".repeat(1000));
    let doc = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::{hostile}"}},{{"Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":{{"StringLike":{{"s3:prefix":"{hostile}"}}}}}}]}}"#
    );
    let policy = parse_policy(&doc, PolicyType::Identity).unwrap().value;
    let set = PolicySet {
        identity: vec![NamedPolicy {
            name: "hostile".into(),
            policy,
        }],
        ..Default::default()
    };
    let long = "a".repeat(20_000);
    let mut context = Context::new();
    context
        .insert("s3:prefix", ContextValue::Single(long.clone()))
        .unwrap();
    for action in ["s3:GetObject", "s3:PutObject"] {
        let request = Request {
            principal: Principal::parse("arn:aws:iam::111122223333:user/alice").unwrap(),
            action: action.into(),
            resource: format!("arn:aws:s3:::{long}"),
            resource_account: Some("111122223333".into()),
            context: context.clone(),
            session: None,
            time: None,
        };
        let answer = timed(
            "a backtracking-bait pattern",
            Duration::from_secs(3),
            || decide(&set, &request, &Options::default()),
        );
        assert_eq!(answer.decision, Decision::ImplicitDeny, "{action}");
    }
}
