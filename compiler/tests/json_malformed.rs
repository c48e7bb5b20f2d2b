//! Every text of `malformed-policy-texts.jsonl` (real policy-looking blocks that are not valid
//! JSON) is rejected with a located, readable error.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failed expectation is a test failure"
)]

use gavel_compiler::diagnostics::{Diagnostic, Diagnostics};
use gavel_compiler::json::{parse_json, parse_policy};
use gavel_compiler::model::PolicyType;
use std::path::PathBuf;

struct Case {
    source: String,
    /// Python's `json` error, e.g. `Expecting ',' delimiter: line 15 column 13 (char 456)`.
    python: String,
    text: String,
}

fn cases() -> Vec<Case> {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpus/malformed-policy-texts.jsonl"
    ));
    assert!(
        path.is_file(),
        "the shared corpus is missing: expected {} (the `shared` folder beside the repository root)",
        path.display()
    );
    let content = std::fs::read_to_string(&path).unwrap();
    content
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
            Case {
                source: s("source"),
                python: s("error"),
                text: s("text"),
            }
        })
        .collect()
}

/// Python's line number, from `…: line N column M (char K)`.
fn python_line(err: &str) -> Option<u32> {
    let rest = err.split(": line ").nth(1)?;
    rest.split(' ').next()?.parse().ok()
}

fn first_error(diags: &Diagnostics) -> &Diagnostic {
    diags.errors().next().expect("at least one error")
}

/// A message is a lowercase sentence fragment without a final period, long enough to say
/// something, and not the parser's internal wording.
fn assert_clear(d: &Diagnostic, context: &str) {
    let first = d.message.chars().next().unwrap_or(' ');
    assert!(
        first.is_lowercase() || first == '`' || first.is_ascii_digit(),
        "{context}: message does not start in lowercase: {}",
        d.message
    );
    assert!(
        !d.message.ends_with('.'),
        "{context}: final period: {}",
        d.message
    );
    assert!(
        d.message.len() >= 12,
        "{context}: message too short: {}",
        d.message
    );
}

/// The location lies inside the text: a real line, a column within it (or just past its end).
fn assert_plausible(d: &Diagnostic, text: &str, context: &str) {
    let lines: Vec<&str> = text.split('\n').collect();
    let line = d.loc.line as usize;
    assert!(
        line >= 1 && line <= lines.len(),
        "{context}: line {line} out of range"
    );
    let width = lines[line - 1].chars().count();
    assert!(
        (d.loc.col as usize) >= 1 && (d.loc.col as usize) <= width + 1,
        "{context}: column {} beyond the line of {width} characters",
        d.loc.col
    );
    assert!(
        (d.loc.offset as usize) <= text.len(),
        "{context}: offset beyond the text"
    );
}

#[test]
fn every_malformed_text_is_rejected_with_a_located_readable_error() {
    let cases = cases();
    assert!(
        cases.len() >= 50,
        "expected the 50 malformed texts, found {}",
        cases.len()
    );
    let mut same_line = 0;
    for (i, case) in cases.iter().enumerate() {
        let context = format!("#{i} {}", case.source);
        let json = parse_json(&case.text)
            .err()
            .unwrap_or_else(|| panic!("{context}: accepted as JSON"));
        let policy = parse_policy(&case.text, PolicyType::Resource)
            .err()
            .unwrap_or_else(|| panic!("{context}: accepted as a policy"));
        assert_eq!(json.errors().next(), policy.errors().next(), "{context}");
        for d in policy.errors() {
            assert_clear(d, &context);
            assert_plausible(d, &case.text, &context);
        }
        let d = first_error(&policy);
        assert!(
            d.code.starts_with("json-"),
            "{context}: first error is {}",
            d.code
        );
        if python_line(&case.python) == Some(d.loc.line) {
            same_line += 1;
        }
        println!(
            "#{i:<2} {:<58} {}",
            format!("{}: {}", d.loc, d.message),
            case.python
        );
        // The human rendering shows the offending line with a caret.
        let rendered = policy.render("policy.json", &case.text);
        assert!(rendered.contains(&format!(
            "policy.json:{}:{}: error: ",
            d.loc.line, d.loc.col
        )));
        assert!(rendered.contains('^'), "{context}: no caret in\n{rendered}");
    }
    println!(
        "{} texts rejected; first error on Python's line for {same_line}",
        cases.len()
    );
}

fn error_of(text: &str) -> Diagnostic {
    first_error(&parse_policy(text, PolicyType::Resource).expect_err("rejected")).clone()
}

fn case_containing(needle: &str) -> Case {
    cases()
        .into_iter()
        .find(|c| c.source.contains(needle))
        .unwrap_or_else(|| panic!("no malformed text from {needle}"))
}

#[test]
fn comment_is_reported_where_it_starts() {
    let case = case_containing("deny-service-specific-credential-by-type.json");
    let d = error_of(&case.text);
    assert_eq!(d.code, "json-comment");
    assert_eq!(d.message, "comments are not allowed in IAM policy JSON");
    assert_eq!((d.loc.line, d.loc.col), (15, 13));
    assert!(
        d.help
            .as_deref()
            .unwrap_or("")
            .contains("delete the comment")
    );
}

#[test]
fn raw_control_character_in_a_string() {
    // A string runs past the end of its line: it is reported where it starts, and the raw
    // line break where the closing quote is missing (Python: "Invalid control character at:
    // line 12 column 135").
    let case = case_containing("S3OutpostsAccessPointEditPolicy.md");
    let diags = parse_policy(&case.text, PolicyType::Resource)
        .err()
        .unwrap();
    let errors: Vec<_> = diags
        .errors()
        .map(|d| (d.code, d.loc.line, d.loc.col, d.message.as_str()))
        .collect();
    assert_eq!(
        errors,
        vec![
            ("json-string", 12, 24, "this string is never closed"),
            (
                "json-control-character",
                12,
                135,
                "a line break is not allowed inside a JSON string"
            ),
        ]
    );
    // A raw tab inside an otherwise fine string.
    let d = error_of("{\"Version\": \"2012-10-17\", \"Statement\": {\"Sid\": \"a\tb\"}}");
    assert_eq!(d.code, "json-control-character");
    assert_eq!((d.loc.line, d.loc.col), (1, 50));
    assert_eq!(
        d.message,
        "a tab character is not allowed inside a JSON string"
    );
}

#[test]
fn two_keys_where_one_object_was_meant() {
    // `"Bool": "kms:MultiRegion": true`
    let case = case_containing("multi-region-keys-auth.md");
    let d = error_of(&case.text);
    assert_eq!(d.code, "json-syntax");
    assert_eq!(
        d.message,
        "unexpected `:` after a value; expected `,` or `}`"
    );
    assert_eq!(d.loc.line, 8);
    assert!(
        d.help
            .as_deref()
            .unwrap_or("")
            .contains("\"Outer\": {\"Inner\": value}")
    );
}

#[test]
fn text_after_the_document() {
    let case = case_containing("org_troubleshoot_policies.md#block0");
    let d = error_of(&case.text);
    assert_eq!(d.code, "json-trailing-text");
    assert_eq!(
        d.message,
        "unexpected text after the end of the JSON document"
    );
    assert_eq!(d.loc.line, 10);
}

#[test]
fn unquoted_template_token() {
    let case = case_containing("LZA-Guardrails-Sandbox.json");
    let d = error_of(&case.text);
    assert_eq!(d.loc.line, 192);
    assert!(d.message.starts_with("unexpected"), "{}", d.message);
}
