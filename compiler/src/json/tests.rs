//! Unit tests of the JSON front end: one small document per rule, asserting the diagnostic's
//! code and where it points.

use super::syntax::LineIndex;
use super::*;
use crate::diagnostics::Severity;
use crate::model::{
    ActionPattern, CondValue, Decimal, Loc, Part, PrincipalType, Template, Version,
};
use PolicyType::*;

/// A 2012 policy with one statement whose members are `body`.
fn stmt(body: &str) -> String {
    format!(r#"{{"Version": "2012-10-17", "Statement": {{{body}}}}}"#)
}

/// A valid identity statement plus `extra` members.
fn identity(extra: &str) -> String {
    stmt(&format!(
        r#""Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"{extra}"#
    ))
}

fn accepted(text: &str, ty: PolicyType) -> Parsed<Policy> {
    match parse_policy(text, ty) {
        Ok(p) => p,
        Err(d) => panic!("rejected:\n{}", d.render("test.json", text)),
    }
}

fn rejected(text: &str, ty: PolicyType) -> Diagnostics {
    match parse_policy(text, ty) {
        Ok(_) => panic!("accepted: {text}"),
        Err(d) => d,
    }
}

/// The byte offset of the `n`-th (0-based) occurrence of `needle`.
fn offset_of(text: &str, needle: &str, n: usize) -> u32 {
    let at = text
        .match_indices(needle)
        .nth(n)
        .map(|(i, _)| i)
        .unwrap_or_else(|| panic!("`{needle}` not in {text}"));
    u32::try_from(at).unwrap_or(u32::MAX)
}

/// Asserts an error with `code` that starts at the first occurrence of `at`, and returns it.
fn error_at(text: &str, ty: PolicyType, code: &str, at: &str) -> Diagnostic {
    error_at_nth(text, ty, code, at, 0)
}

fn error_at_nth(text: &str, ty: PolicyType, code: &str, at: &str, n: usize) -> Diagnostic {
    let diags = rejected(text, ty);
    let offset = offset_of(text, at, n);
    diags
        .errors()
        .find(|d| d.code == code && d.loc.offset == offset)
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "no `{code}` error at `{at}` (offset {offset}); got:\n{}",
                diags.render("test.json", text)
            )
        })
}

/// Asserts that the document is accepted with a warning `code` at `at`.
fn warning_at(text: &str, ty: PolicyType, code: &str, at: &str) -> Diagnostic {
    let parsed = accepted(text, ty);
    let offset = offset_of(text, at, 0);
    parsed
        .warnings
        .iter()
        .find(|d| d.code == code && d.loc.offset == offset)
        .cloned()
        .unwrap_or_else(|| panic!("no `{code}` warning at `{at}`; got {:?}", parsed.warnings))
}

fn codes(diags: &Diagnostics) -> Vec<&'static str> {
    diags.iter().map(|d| d.code).collect()
}

// ---------------------------------------------------------------- strict JSON

#[test]
fn json_comments_are_rejected_where_they_start() {
    let text = "{\n  \"Version\": \"2012-10-17\", // the version\n  \"Statement\": []\n}";
    let d = error_at(text, Identity, "json-comment", "// the");
    assert_eq!((d.loc.line, d.loc.col), (2, 28));
    assert_eq!(d.message, "comments are not allowed in IAM policy JSON");
    let text = "{/* x */}";
    error_at(text, Identity, "json-comment", "/*");
}

#[test]
fn json_trailing_and_missing_commas() {
    let d = error_at(r#"{"a": [1, 2,]}"#, Identity, "json-trailing-comma", ",]");
    assert_eq!(d.message, "trailing comma before the closing `]`");
    let d = error_at(r#"{"a": 1,}"#, Identity, "json-trailing-comma", ",}");
    assert_eq!(d.message, "trailing comma before the closing `}`");
    // The missing comma is reported right after the value that needs one.
    let d = error_at(
        "{\"a\": 1\n \"b\": 2}",
        Identity,
        "json-missing-comma",
        "\n",
    );
    assert_eq!(d.loc.line, 1);
    error_at(r#"["a" "b"]"#, Identity, "json-missing-comma", r#" "b""#);
}

#[test]
fn json_quotes_keys_and_words() {
    error_at(r#"{"a": 'b'}"#, Identity, "json-single-quote", "'b'");
    error_at(r#"{a: 1}"#, Identity, "json-unquoted-key", "a:");
    let d = error_at(r#"{"a": True}"#, Identity, "json-syntax", "True");
    assert_eq!(d.message, "unexpected word `True`");
    assert_eq!(
        d.help.as_deref(),
        Some("JSON booleans are lowercase: write `true`")
    );
    let d = error_at(r#"{"a": ${X}}"#, Identity, "json-syntax", "$");
    assert!(d.help.unwrap_or_default().contains("placeholder"));
    let d = error_at(r#"{"a": [1, ...]}"#, Identity, "json-syntax", "...");
    assert_eq!(d.message, "`...` is not JSON");
}

#[test]
fn json_numbers_must_be_rfc_8259() {
    for (text, at) in [
        (r#"{"a": 0x1F}"#, "0x1F"),
        (r#"{"a": +1}"#, "+1"),
        (r#"{"a": .5}"#, ".5"),
        (r#"{"a": 5.}"#, "5."),
        (r#"{"a": -Infinity}"#, "-Infinity"),
    ] {
        error_at(text, Identity, "json-number", at);
    }
    // jsonc-parser reads `01` as `0` then `1`; the pre-scan reports the real problem, alone.
    for text in [r#"{"a": 01}"#, r#"{"a": [-007, 1]}"#, "01"] {
        let diags = rejected(text, Identity);
        assert_eq!(codes(&diags), vec!["json-leading-zero"], "{text}");
    }
    let d = error_at(r#"{"a": [-007, 1]}"#, Identity, "json-leading-zero", "-007");
    assert_eq!(
        d.message,
        "the number `-007` has a leading zero, which JSON does not allow"
    );
    assert!(d.help.unwrap_or_default().starts_with("write `-7`"));
    // Valid numbers are accepted by parse_json.
    assert!(parse_json(r#"[0, -0, 0.5, 10, 1e5, 1E-5, -2.50]"#).is_ok());
}

#[test]
fn json_control_characters_and_white_space() {
    let text = "{\"Sid\": \"a\u{1}b\"}";
    let d = error_at(text, Identity, "json-control-character", "\u{1}");
    assert_eq!(
        d.message,
        "the control character U+0001 is not allowed inside a JSON string"
    );
    // A no-break space between tokens is reported once, with a count.
    let text = "{\u{a0}\"a\":\u{a0}1}";
    let diags = parse_json(text).err().unwrap_or_default();
    assert_eq!(codes(&diags), vec!["json-whitespace"]);
    let d = diags.iter().next().cloned().unwrap_or_else(|| panic!());
    assert_eq!(
        d.message,
        "a no-break space (U+00A0) is not allowed in JSON"
    );
    assert!(
        d.help
            .unwrap_or_default()
            .ends_with("(it occurs 2 times in the text)")
    );
    // Vertical tab, form feed, byte order mark.
    for text in ["{\u{b}}", "{\u{c}}", "\u{feff}{}"] {
        let diags = parse_json(text).err().unwrap_or_default();
        assert_eq!(codes(&diags), vec!["json-whitespace"], "{text:?}");
    }
    // Escaped control characters and non-ASCII text are fine.
    assert!(parse_json("{\"a\": \"tab\\there \\u0001 é ✓\"}").is_ok());
}

#[test]
fn json_strings_and_escapes() {
    error_at(r#"{"a": "\x41"}"#, Identity, "json-string", r"\x");
    let d = error_at(r#"{"a": "it\'s"}"#, Identity, "json-string", r"\'");
    assert_eq!(d.message, "`\\'` is not a JSON escape");
    error_at(r#"{"a": "\u12"}"#, Identity, "json-string", r"\u");
    let d = error_at(r#"{"a": "open}"#, Identity, "json-string", r#""open"#);
    assert_eq!(d.message, "this string is never closed");
}

#[test]
fn json_structure_errors() {
    let d = error_at("", Identity, "json-empty", "");
    assert_eq!(d.message, "the document is empty");
    // At the end of the text: where the value should have been.
    let diags = rejected("  \n ", Identity);
    let d = diags.iter().next().cloned().unwrap_or_else(|| panic!());
    assert_eq!((d.code, d.loc.line, d.loc.col), ("json-empty", 2, 2));
    let d = error_at_nth("{} {}", Identity, "json-trailing-text", "{}", 1);
    assert_eq!(d.loc.col, 4);
    let d = error_at(r#"{"a": [1, 2"#, Identity, "json-unclosed", "[");
    assert_eq!(d.message, "this array is never closed");
    error_at(r#"{"a": 1"#, Identity, "json-unclosed", "{");
    error_at(r#"{"a": 1]"#, Identity, "json-syntax", "]");
    error_at(r#"{"a" 1}"#, Identity, "json-syntax", "1");
    error_at(r#"{"a": }"#, Identity, "json-syntax", "}");
    let d = error_at(
        r#"{"Bool": "kms:MultiRegion": true}"#,
        Identity,
        "json-syntax",
        ": true",
    );
    assert_eq!(
        d.message,
        "unexpected `:` after a value; expected `,` or `}`"
    );
}

#[test]
fn json_deep_nesting_is_an_error_not_a_crash() {
    for text in [
        "[".repeat(100_000),
        format!("{}1{}", "[".repeat(5_000), "]".repeat(5_000)),
        "{\"a\":".repeat(50_000),
    ] {
        let diags = parse_json(&text).err().unwrap_or_default();
        assert_eq!(codes(&diags), vec!["json-too-deep"]);
        let diags = rejected(&text, Identity);
        assert_eq!(codes(&diags), vec!["json-too-deep"]);
    }
    // Moderate nesting is fine for the JSON layer (and a policy error, not a crash).
    let text = format!("{}1{}", "[".repeat(100), "]".repeat(100));
    assert!(parse_json(&text).is_ok());
    error_at(&text, Identity, "policy-not-object", "[");
}

#[test]
fn duplicate_keys_anywhere() {
    let text =
        identity(r#", "Condition": {"StringEquals": {"aws:username": "a", "aws:username": "b"}}"#);
    let d = error_at_nth(&text, Identity, "duplicate-key", "\"aws:username\"", 1);
    assert_eq!(d.message, "duplicate key `aws:username`");
    assert!(
        d.help
            .unwrap_or_default()
            .starts_with("`aws:username` is already set at line 1, column")
    );
    // Also reported by parse_json, for documents that embed policies.
    let diags = parse_json(r#"{"a": {"b": 1, "b": 2}, "c": [{"d": 1, "d": 1}]}"#)
        .err()
        .unwrap_or_default();
    assert_eq!(codes(&diags), vec!["duplicate-key", "duplicate-key"]);
    // The statement element repeated.
    let text = stmt(r#""Effect": "Allow", "Effect": "Deny", "Action": "*", "Resource": "*""#);
    error_at_nth(&text, Identity, "duplicate-key", "\"Effect\"", 1);
}

#[test]
fn line_index_agrees_with_loc_at() {
    let text = "{\n  \"é\": \"✓\",\r\n\t\"b\": [1,\n\n 2]}\n";
    let lines = LineIndex::new(text);
    for offset in 0..=text.len() + 2 {
        if text.is_char_boundary(offset.min(text.len())) {
            assert_eq!(lines.loc(offset), Loc::at(text, offset), "offset {offset}");
        }
    }
}

// ---------------------------------------------------------------- policy level

#[test]
fn policy_must_be_an_object() {
    let d = error_at(r#"["Version"]"#, Identity, "policy-not-object", "[");
    assert_eq!(d.message, "a policy must be a JSON object, found a list");
}

#[test]
fn unknown_top_level_elements() {
    let text = r#"{"Version": "2012-10-17", "statement": []}"#;
    let d = error_at(text, Identity, "unknown-element", "\"statement\"");
    assert_eq!(d.message, "unknown policy element `statement`");
    assert_eq!(
        d.help.as_deref(),
        Some("element names are case-sensitive: write `Statement`")
    );
    // No extra "missing Statement" for a near miss.
    assert_eq!(codes(&rejected(text, Identity)), vec!["unknown-element"]);
    let text = r#"{"Version": "2012-10-17", "Statment": {}}"#;
    let d = error_at(text, Identity, "unknown-element", "\"Statment\"");
    assert_eq!(d.help.as_deref(), Some("did you mean `Statement`?"));
    let text = r#"{"Effect": "Allow", "Statement": {}}"#;
    let d = error_at(text, Identity, "unknown-element", "\"Effect\"");
    assert!(
        d.help
            .unwrap_or_default()
            .contains("belongs inside a statement")
    );
    let text = r#"{"Comment": "x", "Statement": {}}"#;
    error_at(text, Identity, "unknown-element", "\"Comment\"");
}

#[test]
fn version_values() {
    let text = r#"{"Version": "2012-10-18", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#;
    let d = error_at(text, Identity, "invalid-version", "\"2012-10-18\"");
    assert_eq!(
        d.message,
        "`Version` must be `2012-10-17` or `2008-10-17`, found `2012-10-18`"
    );
    let text =
        r#"{"Version": 2012, "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#;
    let d = error_at(text, Identity, "invalid-version", "2012");
    assert_eq!(
        d.message,
        "`Version` must be `2012-10-17` or `2008-10-17`, found a number"
    );
    let p = accepted(
        r#"{"Version": "2008-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#,
        Identity,
    );
    assert_eq!(p.value.effective_version(), Version::V2008_10_17);
    let p = accepted(
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#,
        Identity,
    );
    assert!(p.value.version.is_none());
}

#[test]
fn statement_shapes() {
    let d = error_at(
        r#"{"Version": "2012-10-17"}"#,
        Identity,
        "missing-statement",
        "{",
    );
    assert_eq!(d.message, "the policy has no `Statement` element");
    error_at(
        r#"{"Version": "2012-10-17", "Statement": []}"#,
        Identity,
        "empty-statement",
        "[]",
    );
    error_at(
        r#"{"Version": "2012-10-17", "Statement": "Allow"}"#,
        Identity,
        "statement-not-object",
        "\"Allow\"",
    );
    error_at(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, 7]}"#,
        Identity,
        "statement-not-object",
        "7]",
    );
    // A single statement object and a list of them read the same.
    let one = accepted(&identity(""), Identity).value;
    let list = accepted(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#,
        Identity,
    )
    .value;
    assert_eq!(one, list);
}

#[test]
fn id_only_where_allowed() {
    let text = r#"{"Version": "2012-10-17", "Id": "x", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#;
    for ty in [Identity, Boundary, Session] {
        let d = error_at(text, ty, "id-not-allowed", "\"Id\"");
        assert_eq!(
            d.message,
            format!("`Id` is not allowed in {}", ty.describe())
        );
    }
    // SCPs keep it (the brief limits the rule to identity-based policy types).
    accepted(text, Scp);
    let text = r#"{"Version": "2012-10-17", "Id": "key-1", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}}"#;
    let p = accepted(text, Resource).value;
    assert_eq!(p.id.map(|i| i.node), Some("key-1".to_string()));
    let text = r#"{"Version": "2012-10-17", "Id": 1, "Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}}"#;
    error_at(text, Resource, "id-not-string", "1,");
}

#[test]
fn unknown_statement_elements() {
    let text = identity(r#", "condition": {}"#);
    let d = error_at(&text, Identity, "unknown-element", "\"condition\"");
    assert_eq!(d.message, "unknown statement element `condition`");
    assert_eq!(
        d.help.as_deref(),
        Some("element names are case-sensitive: write `Condition`")
    );
    let text = identity(r#", "Actions": "s3:*""#);
    let d = error_at(&text, Identity, "unknown-element", "\"Actions\"");
    assert_eq!(d.help.as_deref(), Some("did you mean `Action`?"));
    let text = identity(r#", "Version": "2012-10-17""#);
    let d = error_at_nth(&text, Identity, "unknown-element", "\"Version\"", 1);
    assert!(d.help.unwrap_or_default().contains("top level"));
}

#[test]
fn sid_rules() {
    let text = identity(r#", "Sid": 5"#);
    error_at(&text, Identity, "sid-not-string", "5");
    // Characters outside A-Za-z0-9: a warning in IAM policies only.
    let text = identity(r#", "Sid": "Allow-Read""#);
    let w = warning_at(&text, Identity, "sid-charset", "\"Allow-Read\"");
    assert_eq!(w.severity, Severity::Warning);
    let text = stmt(
        r#""Sid": "Allow read", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*""#,
    );
    assert!(accepted(&text, Resource).warnings.is_empty());
    // Repeated Sids: a warning.
    let text = r#"{"Version": "2012-10-17", "Statement": [
        {"Sid": "A", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "A", "Effect": "Deny", "Action": "*", "Resource": "*"}]}"#;
    let p = accepted(text, Identity);
    assert_eq!(p.warnings.len(), 1);
    assert_eq!(p.warnings[0].code, "duplicate-sid");
    assert_eq!(p.warnings[0].loc.line, 3);
}

#[test]
fn effect_rules() {
    let text = stmt(r#""Action": "*", "Resource": "*""#);
    let d = error_at(&text, Identity, "missing-effect", "{\"Action\"");
    assert_eq!(d.message, "this statement has no `Effect`");
    let text = stmt(r#""Effect": "allow", "Action": "*", "Resource": "*""#);
    let d = error_at(&text, Identity, "invalid-effect", "\"allow\"");
    assert_eq!(
        d.message,
        "`Effect` must be `Allow` or `Deny`, found `allow`"
    );
    assert_eq!(
        d.help.as_deref(),
        Some("`Effect` is case-sensitive: write `Allow`")
    );
    let text = stmt(r#""Effect": true, "Action": "*", "Resource": "*""#);
    error_at(&text, Identity, "invalid-effect", "true");
}

#[test]
fn action_and_resource_presence() {
    let text = stmt(r#""Effect": "Allow", "Action": "*", "NotAction": "s3:*", "Resource": "*""#);
    error_at(&text, Identity, "action-and-notaction", "\"NotAction\"");
    let text = stmt(r#""Effect": "Allow", "Resource": "*""#);
    error_at(&text, Identity, "missing-action", "{\"Effect\"");
    let text = stmt(r#""Effect": "Allow", "Action": "*", "Resource": "*", "NotResource": "x""#);
    error_at(
        &text,
        Identity,
        "resource-and-notresource",
        "\"NotResource\"",
    );
    let text = stmt(r#""Effect": "Allow", "Action": "*""#);
    let d = error_at(&text, Identity, "missing-resource", "{\"Effect\"");
    assert_eq!(
        d.message,
        "this statement has no `Resource` or `NotResource`"
    );
    // Trust policies may omit the resource.
    let text = stmt(
        r#""Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole""#,
    );
    let p = accepted(&text, Trust).value;
    assert!(p.statements[0].resource.is_none());
    error_at(&text, Resource, "missing-resource", "{\"Effect\"");
}

#[test]
fn string_or_list_values() {
    let text = stmt(r#""Effect": "Allow", "Action": [], "Resource": "*""#);
    let d = error_at(&text, Identity, "empty-list", "[]");
    assert_eq!(d.message, "`Action` must not be an empty list");
    let text = stmt(r#""Effect": "Allow", "Action": 5, "Resource": "*""#);
    let d = error_at(&text, Identity, "not-a-string", "5");
    assert_eq!(
        d.message,
        "`Action` must be a string or a list of strings, found a number"
    );
    let text = stmt(r#""Effect": "Allow", "Action": ["s3:GetObject", null], "Resource": "*""#);
    let d = error_at(&text, Identity, "not-a-string", "null");
    assert_eq!(
        d.message,
        "each `Action` entry must be a string, found `null`"
    );
    let text = stmt(r#""Effect": "Allow", "Action": "*", "Resource": {"arn": "x"}"#);
    error_at(&text, Identity, "not-a-string", "{\"arn\"");
}

// ---------------------------------------------------------------- principals

#[test]
fn principal_forbidden_in_identity_boundary_session_scp() {
    let text = stmt(r#""Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*""#);
    for ty in [Identity, Boundary, Session, Scp] {
        let d = error_at(&text, ty, "principal-not-allowed", "\"Principal\"");
        assert_eq!(
            d.message,
            format!("`Principal` is not allowed in {}", ty.describe())
        );
    }
    let text = stmt(r#""Effect": "Deny", "NotPrincipal": "*", "Action": "*", "Resource": "*""#);
    let d = error_at(&text, Scp, "principal-not-allowed", "\"NotPrincipal\"");
    assert_eq!(
        d.message,
        "`NotPrincipal` is not allowed in a service control policy (SCP)"
    );
}

#[test]
fn principal_required_in_resource_trust_rcp() {
    let text = stmt(r#""Effect": "Deny", "Action": "s3:*", "Resource": "*""#);
    for ty in [Resource, Trust, Rcp] {
        let d = error_at(&text, ty, "missing-principal", "{\"Effect\"");
        assert_eq!(
            d.message,
            format!("a statement in {} must have a `Principal`", ty.describe())
        );
    }
}

#[test]
fn not_principal_rules() {
    let both = stmt(
        r#""Effect": "Deny", "Principal": "*", "NotPrincipal": {"AWS": "123456789012"}, "Action": "*", "Resource": "*""#,
    );
    error_at(
        &both,
        Resource,
        "principal-and-notprincipal",
        "\"NotPrincipal\"",
    );
    let allow = stmt(
        r#""Effect": "Allow", "NotPrincipal": {"AWS": "123456789012"}, "Action": "*", "Resource": "*""#,
    );
    let d = error_at(&allow, Resource, "notprincipal-allow", "\"NotPrincipal\"");
    assert_eq!(
        d.message,
        "`NotPrincipal` can only be used with `\"Effect\": \"Deny\"`"
    );
    let deny = stmt(
        r#""Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::123456789012:user/Bob", "123456789012"]}, "Action": "*", "Resource": "*""#,
    );
    let p = accepted(&deny, Resource).value;
    let principal = p.statements[0]
        .principal
        .clone()
        .unwrap_or_else(|| panic!());
    assert!(principal.negated);
    assert_eq!(principal.entries.len(), 2);
    for ty in [Trust, Rcp] {
        error_at(&deny, ty, "notprincipal-not-allowed", "\"NotPrincipal\"");
    }
}

#[test]
fn principal_shapes() {
    let with = |p: &str| {
        stmt(&format!(
            r#""Effect": "Allow", "Principal": {p}, "Action": "s3:GetObject", "Resource": "*""#
        ))
    };
    // `"*"` and `{"AWS": "*"}` are fine.
    let p = accepted(&with(r#""*""#), Resource).value;
    assert!(
        p.statements[0]
            .principal
            .as_ref()
            .is_some_and(|p| p.wildcard)
    );
    let p = accepted(&with(r#"{"AWS": "*"}"#), Resource).value;
    let principal = p.statements[0]
        .principal
        .clone()
        .unwrap_or_else(|| panic!());
    assert!(!principal.wildcard);
    assert_eq!(principal.entries[0].kind, PrincipalType::Aws);
    // Entries in document order, one per value.
    let p = accepted(
        &with(r#"{"Service": ["a.amazonaws.com", "b.amazonaws.com"], "AWS": "123456789012"}"#),
        Resource,
    )
    .value;
    let entries: Vec<(PrincipalType, String)> = p.statements[0]
        .principal
        .iter()
        .flat_map(|p| p.entries.iter().map(|e| (e.kind, e.value.clone())))
        .collect();
    assert_eq!(
        entries,
        vec![
            (PrincipalType::Service, "a.amazonaws.com".into()),
            (PrincipalType::Service, "b.amazonaws.com".into()),
            (PrincipalType::Aws, "123456789012".into()),
        ]
    );
    let text = with(r#""arn:aws:iam::123456789012:root""#);
    let d = error_at(&text, Resource, "invalid-principal", "\"arn:aws:iam");
    assert_eq!(
        d.help.as_deref(),
        Some(r#"write `"Principal": {"AWS": "arn:aws:iam::123456789012:root"}`"#)
    );
    error_at(&with("7"), Resource, "invalid-principal", "7,");
    error_at(&with("{}"), Resource, "empty-principal", "{}");
    error_at(&with(r#"{"AWS": ""}"#), Resource, "empty-principal", "\"\"");
    error_at(&with(r#"{"AWS": []}"#), Resource, "empty-list", "[]");
    let d = error_at(
        &with(r#"{"aws": "*"}"#),
        Resource,
        "unknown-principal-type",
        "\"aws\"",
    );
    assert_eq!(d.message, "unknown principal type `aws`");
    assert_eq!(
        d.help.as_deref(),
        Some("principal types are case-sensitive: write `AWS`")
    );
}

#[test]
fn canonical_user_only_in_resource_policies() {
    let text = stmt(
        r#""Effect": "Allow", "Principal": {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}, "Action": "sts:AssumeRole""#,
    );
    error_at(
        &text,
        Trust,
        "canonical-user-not-allowed",
        "\"CanonicalUser\"",
    );
    let text = stmt(
        r#""Effect": "Allow", "Principal": {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*""#,
    );
    accepted(&text, Resource);
}

#[test]
fn principal_wildcards() {
    let with = |p: &str| {
        stmt(&format!(
            r#""Effect": "Allow", "Principal": {p}, "Action": "s3:GetObject", "Resource": "*""#
        ))
    };
    for value in [
        "arn:aws:iam::*:root",
        "arn:aws:iam::123456789012:user/*",
        "1234*",
    ] {
        let text = with(&format!(r#"{{"AWS": "{value}"}}"#));
        let d = error_at(
            &text,
            Resource,
            "principal-partial-wildcard",
            &format!("\"{value}\""),
        );
        assert_eq!(
            d.message,
            format!("the principal `{value}` uses a wildcard in part of its name")
        );
    }
    let text = with(r#"{"Service": "*"}"#);
    let d = error_at(&text, Resource, "service-principal-wildcard", "\"*\"");
    assert_eq!(d.message, "`\"Service\": \"*\"` is not allowed");
    error_at(
        &with(r#"{"Service": "*.amazonaws.com"}"#),
        Resource,
        "principal-partial-wildcard",
        "\"*.amazonaws.com\"",
    );
    let text = with(r#"{"AWS": "arn:aws:sts::123456789012:assumed-role/Admin/*"}"#);
    let d = error_at(
        &text,
        Resource,
        "principal-session-wildcard",
        "\"arn:aws:sts",
    );
    assert_eq!(
        d.message,
        "the assumed-role session `arn:aws:sts::123456789012:assumed-role/Admin/*` uses a wildcard"
    );
    error_at(
        &with(r#"{"Federated": "*"}"#),
        Resource,
        "principal-wildcard",
        "\"*\"",
    );
}

// ---------------------------------------------------------------- RCPs

fn rcp(body: &str) -> String {
    stmt(body)
}

#[test]
fn rcp_rules() {
    // The RCPFullAWSAccess statement is the only allowed Allow.
    accepted(
        &rcp(r#""Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*""#),
        Rcp,
    );
    let text = rcp(r#""Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*""#);
    let d = error_at(&text, Rcp, "rcp-allow", "\"Allow\"");
    assert_eq!(
        d.message,
        "a statement in a resource control policy must have `\"Effect\": \"Deny\"`"
    );
    let text = rcp(
        r#""Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}"#,
    );
    error_at(&text, Rcp, "rcp-allow", "\"Allow\"");
    // Deny statements: principal only `*`, no NotAction, no bare `*` action.
    let text = rcp(
        r#""Effect": "Deny", "Principal": {"AWS": "123456789012"}, "Action": "s3:*", "Resource": "*""#,
    );
    error_at(&text, Rcp, "rcp-principal", "{\"AWS\"");
    let text = rcp(r#""Effect": "Deny", "Principal": "*", "NotAction": "s3:*", "Resource": "*""#);
    error_at(&text, Rcp, "rcp-notaction", "\"NotAction\"");
    let text =
        rcp(r#""Effect": "Deny", "Principal": "*", "Action": ["s3:*", "*"], "Resource": "*""#);
    let d = error_at(&text, Rcp, "rcp-action-wildcard", "\"*\"]");
    assert_eq!(
        d.message,
        "a `Deny` statement in a resource control policy cannot use the action `*`"
    );
    accepted(
        &rcp(
            r#""Effect": "Deny", "Principal": "*", "Action": ["s3:*", "sqs:*"], "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-123"}}"#,
        ),
        Rcp,
    );
}

// ---------------------------------------------------------------- actions

#[test]
fn invalid_actions() {
    let cases = [
        (
            "s3GetObject",
            "the action `s3GetObject` has no service prefix",
        ),
        ("s3:", "the action `s3:` has an empty action name"),
        (
            ":GetObject",
            "the action `:GetObject` has an empty service prefix",
        ),
        (
            "*:Get*",
            "the action `*:Get*` has a wildcard in its service prefix",
        ),
        (
            "s3:Get Object",
            "the action `s3:Get Object` contains white space",
        ),
        (
            " s3:GetObject",
            "the action ` s3:GetObject` contains white space",
        ),
        ("s3:a:b", "the action `s3:a:b` has more than one `:`"),
        ("", "empty action"),
    ];
    for (action, message) in cases {
        let text = stmt(&format!(
            r#""Effect": "Allow", "Action": ["s3:GetObject", "{action}"], "Resource": "*""#
        ));
        let d = error_at(&text, Identity, "invalid-action", &format!("\"{action}\""));
        assert_eq!(d.message, message);
        assert!(d.help.is_some());
    }
    let text = stmt(r#""Effect": "Allow", "Action": "s3:Get Object", "Resource": "*""#);
    let d = error_at(&text, Identity, "invalid-action", "\"s3:Get Object\"");
    assert_eq!(
        d.help.as_deref(),
        Some("IAM does not trim action names, so this entry matches nothing; write `s3:GetObject`")
    );
    let p = accepted(
        &stmt(r#""Effect": "Allow", "NotAction": ["IAM:Get*", "*"], "Resource": "*""#),
        Identity,
    )
    .value;
    let action = &p.statements[0].action;
    assert!(action.negated);
    assert!(
        matches!(&action.items[0].node, ActionPattern::Named { service, .. } if service == "iam")
    );
    assert_eq!(action.items[1].node, ActionPattern::Any);
}

// ---------------------------------------------------------------- resources

fn resource_of(policy: &Policy) -> Template {
    policy.statements[0]
        .resource
        .as_ref()
        .and_then(|r| r.items.first())
        .map(|t| t.node.clone())
        .unwrap_or_default()
}

#[test]
fn resource_variables_only_after_the_fifth_colon() {
    let text = identity("").replace(
        r#""Resource": "*""#,
        r#""Resource": "arn:aws:s3:::bucket/${aws:username}/*""#,
    );
    let t = resource_of(&accepted(&text, Identity).value);
    assert_eq!(
        t.parts,
        vec![
            Part::Lit("arn:aws:s3:::bucket/".into()),
            Part::Var {
                key: "aws:username".into(),
                default: None
            },
            Part::Lit("/*".into()),
        ]
    );
    assert_eq!(t.source(), "arn:aws:s3:::bucket/${aws:username}/*");
    // In the head: a warning, and the text stays literal.
    let text = identity("").replace(
        r#""Resource": "*""#,
        r#""Resource": "arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}""#,
    );
    let w = warning_at(&text, Identity, "variable-in-arn-head", "\"arn:aws:iam");
    assert!(
        w.help
            .unwrap_or_default()
            .starts_with("policy variables are only recognized after the fifth colon")
    );
    let t = resource_of(&accepted(&text, Identity).value);
    assert_eq!(
        t.parts,
        vec![
            Part::Lit("arn:aws:iam::${aws:PrincipalAccount}:user/".into()),
            Part::Var {
                key: "aws:username".into(),
                default: None
            },
        ]
    );
    assert_eq!(
        t.source(),
        "arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}"
    );
}

#[test]
fn resource_variables_are_literal_without_2012_version() {
    for version in [r#""Version": "2008-10-17", "#, ""] {
        let text = format!(
            r#"{{{version}"Statement": {{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${{aws:username}}/*"}}}}"#
        );
        let parsed = accepted(&text, Identity);
        assert_eq!(
            resource_of(&parsed.value),
            Template::literal("arn:aws:s3:::b/${aws:username}/*")
        );
        let code = if version.is_empty() {
            "variables-without-version"
        } else {
            "variables-in-2008-policy"
        };
        assert_eq!(
            parsed.warnings.iter().map(|w| w.code).collect::<Vec<_>>(),
            vec![code]
        );
    }
}

#[test]
fn resource_wildcard_lints() {
    let with =
        |r: &str| identity("").replace(r#""Resource": "*""#, &format!(r#""Resource": "{r}""#));
    let w = warning_at(
        &with("arn:aws:s*:::bucket"),
        Identity,
        "resource-service-wildcard",
        "\"arn:aws:s*",
    );
    assert_eq!(
        w.message,
        "the service part `s*` of `arn:aws:s*:::bucket` contains a wildcard"
    );
    let w = warning_at(
        &with("arn:aws:iam::123456789012:u*"),
        Identity,
        "resource-type-wildcard",
        "\"arn:aws:iam",
    );
    assert_eq!(
        w.message,
        "the resource type `u*` of `arn:aws:iam::123456789012:u*` contains a wildcard"
    );
    warning_at(
        &with("arn:aws:sagemaker:*:*:*canvas*"),
        Identity,
        "resource-type-wildcard",
        "\"arn:aws:sagemaker",
    );
    // Not reported: a resource part that is exactly `*`, services without a type word, and
    // wildcards after the type word.
    for quiet in [
        "arn:aws:logs:*:*:*",
        "arn:aws:s3:::*sagemaker*",
        "arn:aws:sqs:*:*:queue-*",
        "arn:aws:iam::*:user/*",
        "arn:aws:ec2:*:*:instance/*",
        "*",
    ] {
        assert!(
            accepted(&with(quiet), Identity).warnings.is_empty(),
            "{quiet}"
        );
    }
    let w = warning_at(
        &with("my-bucket"),
        Identity,
        "resource-not-arn",
        "\"my-bucket\"",
    );
    assert_eq!(
        w.message,
        "the `Resource` entry `my-bucket` is neither `*` nor an ARN"
    );
    error_at(&with(""), Identity, "empty-resource", "\"\"");
}

// ---------------------------------------------------------------- conditions

fn cond(block: &str) -> String {
    identity(&format!(r#", "Condition": {block}"#))
}

fn clause_values(policy: &Policy) -> Vec<(String, String, Vec<CondValue>)> {
    policy.statements[0]
        .condition
        .iter()
        .map(|c| {
            (
                c.operator.to_string(),
                c.key.node.clone(),
                c.values.iter().map(|v| v.parsed.clone()).collect(),
            )
        })
        .collect()
}

#[test]
fn unknown_operators_get_suggestions() {
    let text = cond(r#"{"StringEqual": {"aws:username": "bob"}}"#);
    let d = error_at(&text, Identity, "unknown-operator", "\"StringEqual\"");
    assert_eq!(d.message, "unknown condition operator `StringEqual`");
    assert_eq!(d.help.as_deref(), Some("did you mean `StringEquals`?"));
    let text = cond(r#"{"ForAnyValues:StringLikeIfExist": {"aws:TagKeys": "a"}}"#);
    let d = error_at(&text, Identity, "unknown-operator", "\"ForAnyValues");
    assert_eq!(
        d.help.as_deref(),
        Some("did you mean `ForAnyValue:StringLikeIfExists`?")
    );
    let text = cond(r#"{"ForAllValues:StringEqualIfExists": {"aws:TagKeys": "a"}}"#);
    let d = error_at(&text, Identity, "unknown-operator", "\"ForAllValues");
    assert_eq!(
        d.help.as_deref(),
        Some("did you mean `ForAllValues:StringEqualsIfExists`?")
    );
    let text = cond(r#"{"aws:SourceIp": {"IpAddress": "10.0.0.0/8"}}"#);
    let d = error_at(&text, Identity, "unknown-operator", "\"aws:SourceIp\"");
    assert!(
        d.help
            .unwrap_or_default()
            .contains("looks like a condition key")
    );
    // Operator names are case-insensitive (A-6).
    let p = accepted(
        &cond(r#"{"stringequalsIFEXISTS": {"aws:username": "bob"}}"#),
        Identity,
    );
    assert_eq!(clause_values(&p.value)[0].0, "StringEqualsIfExists");
}

#[test]
fn null_takes_no_modifiers() {
    for op in [
        "NullIfExists",
        "ForAnyValue:Null",
        "ForAllValues:NullIfExists",
    ] {
        let text = cond(&format!(r#"{{"{op}": {{"aws:TokenIssueTime": "true"}}}}"#));
        let d = error_at(&text, Identity, "null-modifier", &format!("\"{op}\""));
        assert!(
            d.message
                .contains("the `Null` operator cannot take `IfExists` or a set prefix")
        );
    }
}

#[test]
fn condition_block_shapes() {
    error_at(
        &cond(r#""StringEquals""#),
        Identity,
        "condition-not-object",
        "\"StringEquals\"",
    );
    error_at(
        &cond(r#"{"StringEquals": ["aws:username", "bob"]}"#),
        Identity,
        "operator-block-not-object",
        "[\"aws:username\"",
    );
    let w = warning_at(
        &cond(r#"{"StringEquals": {}}"#),
        Identity,
        "empty-operator-block",
        "{}}",
    );
    assert_eq!(
        w.message,
        "`StringEquals` lists no condition key, so it tests nothing"
    );
    error_at(
        &cond(r#"{"StringEquals": {"": "x"}}"#),
        Identity,
        "empty-condition-key",
        "\"\"",
    );
    warning_at(
        &cond(r#"{"StringEquals": {"username": "x"}}"#),
        Identity,
        "condition-key-prefix",
        "\"username\"",
    );
    error_at(
        &cond(r#"{"StringEquals": {"aws:username": []}}"#),
        Identity,
        "empty-condition-values",
        "[]",
    );
    for (value, at) in [
        ("null", "null"),
        (r#"{"a": "b"}"#, "{\"a\""),
        (r#"[["a"]]"#, "[\"a\"]"),
    ] {
        let text = cond(&format!(
            r#"{{"StringEquals": {{"aws:username": {value}}}}}"#
        ));
        let d = error_at(&text, Identity, "invalid-condition-value", at);
        assert!(
            d.message
                .starts_with("a condition value must be a string, number or boolean")
        );
    }
    // An empty Condition is fine.
    let p = accepted(&cond("{}"), Identity).value;
    assert!(p.statements[0].condition.is_empty());
}

#[test]
fn condition_values_parse_by_family() {
    let text = cond(
        r#"{
        "StringLike": {"s3:prefix": ["home/${aws:username}/*", "x"], "aws:userid": "a"},
        "NumericLessThan": {"s3:max-keys": [10, "1.50"]},
        "DateGreaterThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
        "Bool": {"aws:SecureTransport": true, "aws:MultiFactorAuthPresent": "${aws:x}"},
        "BinaryEquals": {"k:b": "aGk="},
        "IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::1"]},
        "Null": {"aws:TokenIssueTime": "FALSE"},
        "ArnLike": {"aws:SourceArn": "arn:aws:sns:*:${aws:PrincipalAccount}:t"}
    }"#,
    );
    let p = accepted(&text, Identity).value;
    let clauses = clause_values(&p);
    let keys: Vec<(&str, &str)> = clauses
        .iter()
        .map(|(op, key, _)| (op.as_str(), key.as_str()))
        .collect();
    assert_eq!(
        keys,
        vec![
            ("StringLike", "s3:prefix"),
            ("StringLike", "aws:userid"),
            ("NumericLessThan", "s3:max-keys"),
            ("DateGreaterThan", "aws:CurrentTime"),
            ("Bool", "aws:SecureTransport"),
            ("Bool", "aws:MultiFactorAuthPresent"),
            ("BinaryEquals", "k:b"),
            ("IpAddress", "aws:SourceIp"),
            ("Null", "aws:TokenIssueTime"),
            ("ArnLike", "aws:SourceArn"),
        ]
    );
    assert_eq!(
        clauses[0].2[0],
        CondValue::Template(Template::parse("home/${aws:username}/*"))
    );
    assert!(matches!(&clauses[0].2[0], CondValue::Template(t) if t.has_variables()));
    assert_eq!(
        clauses[2].2,
        vec![
            CondValue::Number(Decimal::parse("10").unwrap_or_else(|| panic!())),
            CondValue::Number(Decimal::parse("1.5").unwrap_or_else(|| panic!())),
        ]
    );
    assert_eq!(clauses[4].2, vec![CondValue::Bool(true)]);
    assert!(matches!(&clauses[5].2[0], CondValue::Template(t) if t.has_variables()));
    assert_eq!(clauses[6].2, vec![CondValue::Binary(b"hi".to_vec())]);
    assert!(matches!(clauses[7].2[1], CondValue::Ip(n) if n.prefix_len() == 128));
    assert_eq!(clauses[8].2, vec![CondValue::Null(false)]);
    assert!(matches!(&clauses[9].2[0], CondValue::Template(t) if t.has_variables()));
    // Raw text is kept: JSON numbers and booleans keep their lexeme.
    let raws: Vec<&str> = p.statements[0].condition[2]
        .values
        .iter()
        .map(|v| v.raw.as_str())
        .collect();
    assert_eq!(raws, vec!["10", "1.50"]);
    assert_eq!(p.statements[0].condition[4].values[0].raw, "true");
    // Each node points at its text.
    let value_loc = p.statements[0].condition[3].values[0].loc;
    assert_eq!(value_loc.offset, offset_of(&text, "\"2030-01-01", 0));
    assert_eq!(value_loc.line, 4);
}

#[test]
fn unparsable_condition_literals() {
    let cases = [
        (
            "NumericEquals",
            "\"ten\"",
            "`ten` is not a number, as `NumericEquals` requires",
        ),
        (
            "NumericEquals",
            "1e3",
            "`1e3` is not a number, as `NumericEquals` requires",
        ),
        (
            "DateLessThan",
            "\"tomorrow\"",
            "`tomorrow` is not a date, as `DateLessThan` requires",
        ),
        (
            "IpAddress",
            "\"10.0.0.0/33\"",
            "`10.0.0.0/33` is not an IP address or CIDR block, as `IpAddress` requires",
        ),
        (
            "BinaryEquals",
            "\"!!\"",
            "`!!` is not base64 data, as `BinaryEquals` requires",
        ),
        (
            "Bool",
            "\"yes\"",
            "`yes` is not `true` or `false`, as `Bool` requires",
        ),
        (
            "Null",
            "1",
            "`1` is not `true` or `false`, as `Null` requires",
        ),
    ];
    for (op, value, message) in cases {
        let text = cond(&format!(r#"{{"{op}": {{"k:k": {value}}}}}"#));
        let d = error_at(
            &text,
            Identity,
            "invalid-condition-value",
            &format!("{value}}}}}"),
        );
        assert_eq!(d.message, message);
        assert!(d.help.is_some());
    }
    // Variables are not allowed in numeric, date, IP, binary and Null values (spec §5.2).
    let text = cond(r#"{"NumericLessThan": {"s3:max-keys": "${aws:x}"}}"#);
    let d = error_at(&text, Identity, "variable-not-allowed", "\"${aws:x}\"");
    assert_eq!(
        d.message,
        "policy variables are not allowed in `NumericLessThan` values, found `${aws:x}`"
    );
    // In a 2008 policy a variable in `Bool` is plain text, hence not `true`/`false`.
    let text = r#"{"Version": "2008-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "${aws:x}"}}}}"#;
    error_at(text, Identity, "invalid-condition-value", "\"${aws:x}\"");
}

#[test]
fn condition_strings_are_literal_in_2008_policies() {
    let text = r#"{"Version": "2008-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringLike": {"s3:prefix": "${aws:username}/*"}}}}"#;
    let p = accepted(text, Identity).value;
    assert_eq!(
        clause_values(&p)[0].2,
        vec![CondValue::Template(Template::literal("${aws:username}/*"))]
    );
}

// ---------------------------------------------------------------- collection and rendering

#[test]
fn every_error_is_collected() {
    let text = r#"{
  "Version": "2012-10-18",
  "Statement": [
    {"Effect": "allow", "Action": "s3GetObject", "Resource": "*"},
    {"Effect": "Deny", "Principal": "*", "Action": "*:Get*", "NotResource": [],
     "Condition": {"StringEqual": {"aws:username": "bob"}, "NumericLessThan": {"s3:max-keys": "ten"}}}
  ]
}"#;
    let diags = rejected(text, Identity);
    let found: Vec<(&str, u32)> = diags.errors().map(|d| (d.code, d.loc.line)).collect();
    assert_eq!(
        found,
        vec![
            ("invalid-version", 2),
            ("invalid-effect", 4),
            ("invalid-action", 4),
            ("principal-not-allowed", 5),
            ("invalid-action", 5),
            ("empty-list", 5),
            ("unknown-operator", 6),
            ("invalid-condition-value", 6),
        ]
    );
    assert_eq!(diags.summary(), "8 errors, 0 warnings");
}

#[test]
fn rendering_for_people_and_tools() {
    let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\n    \"Effect\": \"Allow\",\n    \"Action\": \"s3:GetObject\",\n    \"Resource\": \"*\",\n    \"Condition\": {\"StringEqual\": {\"aws:username\": \"bob\"}}\n  }\n}\n";
    let diags = rejected(text, Identity);
    assert_eq!(
        diags.render("policy.json", text),
        "policy.json:7:19: error: unknown condition operator `StringEqual`
  |
7 |     \"Condition\": {\"StringEqual\": {\"aws:username\": \"bob\"}}
  |                   ^^^^^^^^^^^^^
  = help: did you mean `StringEquals`?

1 error, 0 warnings
"
    );
    assert_eq!(
        diags.render_json("policy.json"),
        "{\"severity\":\"error\",\"code\":\"unknown-operator\",\"message\":\"unknown condition operator `StringEqual`\",\"help\":\"did you mean `StringEquals`?\",\"line\":7,\"column\":19,\"file\":\"policy.json\"}\n"
    );
    // `?` works: Diagnostics is an Error.
    fn load(text: &str) -> Result<usize, Box<dyn std::error::Error>> {
        Ok(parse_policy(text, PolicyType::Identity)?
            .value
            .statements
            .len())
    }
    let err = load(text).err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(
        err,
        "7:19: error: unknown condition operator `StringEqual` (help: did you mean `StringEquals`?)"
    );
}

// ---------------------------------------------------------------- embedding and round trip

#[test]
fn embedded_policy_locations_are_relative_to_the_outer_text() {
    let text = r#"{"name": "case-1",
 "policy": {"Statement": {"Effect": "Allow", "Action": "s3:", "Resource": "*"}}}"#;
    let outer = parse_json(text).unwrap_or_else(|d| panic!("{d}"));
    let value = outer
        .as_object()
        .and_then(|o| o.get("policy"))
        .map(|p| &p.value)
        .unwrap_or_else(|| panic!());
    let mut diags = Diagnostics::new();
    assert!(policy_from_ast(value, text, Identity, &mut diags).is_none());
    let d = diags.errors().next().cloned().unwrap_or_else(|| panic!());
    assert_eq!(d.code, "invalid-action");
    assert_eq!((d.loc.line, d.loc.col), (2, 56));
    // Duplicate keys inside the embedded policy are found too.
    let text = r#"{"policy": {"Statement": {"Effect": "Allow", "Effect": "Allow", "Action": "*", "Resource": "*"}}}"#;
    let ast = jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default())
        .ok()
        .and_then(|r| r.value)
        .unwrap_or_else(|| panic!());
    let value = ast
        .as_object()
        .and_then(|o| o.get("policy"))
        .map(|p| &p.value)
        .unwrap_or_else(|| panic!());
    let mut diags = Diagnostics::new();
    assert!(policy_from_ast(value, text, Identity, &mut diags).is_none());
    assert_eq!(codes(&diags), vec!["duplicate-key"]);
}

#[test]
fn round_trip_through_json() {
    let text = r#"{"Version": "2012-10-17", "Id": "k", "Statement": [
      {"Sid": "A", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::123456789012:root"], "Service": "s3.amazonaws.com"},
       "Action": ["s3:GetObject", "s3:Put*"], "Resource": "arn:aws:s3:::b/${aws:PrincipalTag/team,   'x'}/*",
       "Condition": {"NumericLessThan": {"s3:max-keys": 1.50}, "Bool": {"aws:SecureTransport": true},
                     "StringLike": {"s3:prefix": ["a", "b"], "aws:userid": "u"}}},
      {"Effect": "Deny", "NotPrincipal": "*", "NotAction": "iam:*", "NotResource": "arn:aws:iam::${x}:user/*"}]}"#;
    let p = accepted(text, Resource).value;
    let json = policy_to_json(&p);
    assert_eq!(
        json,
        serde_json::json!({
            "Version": "2012-10-17",
            "Id": "k",
            "Statement": [
                {"Sid": "A", "Effect": "Allow",
                 "Principal": {"AWS": "arn:aws:iam::123456789012:root", "Service": "s3.amazonaws.com"},
                 "Action": ["s3:GetObject", "s3:Put*"],
                 "Resource": "arn:aws:s3:::b/${aws:PrincipalTag/team, 'x'}/*",
                 "Condition": {"NumericLessThan": {"s3:max-keys": "1.50"},
                               "Bool": {"aws:SecureTransport": "true"},
                               "StringLike": {"s3:prefix": ["a", "b"], "aws:userid": "u"}}},
                {"Effect": "Deny", "NotPrincipal": "*", "NotAction": "iam:*",
                 "NotResource": "arn:aws:iam::${x}:user/*"}
            ]
        })
    );
    let again = accepted(&json.to_string(), Resource).value;
    assert_eq!(again, p);
    assert_eq!(policy_to_json(&again), json);
}

#[test]
fn interleaved_operators_keep_clause_order() {
    // Two blocks spelling one operator differently are distinct JSON keys but one operator.
    let text = cond(
        r#"{"StringEquals": {"a:a": "1"}, "Bool": {"b:b": "true"}, "stringequals": {"a:a": "2"}}"#,
    );
    let p = accepted(&text, Identity).value;
    let json = policy_to_json(&p);
    let names: Vec<String> = json["Statement"][0]["Condition"]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    assert_eq!(names, vec!["StringEquals", "Bool", "stringEquals"]);
    assert_eq!(accepted(&json.to_string(), Identity).value, p);
}

/// Random byte edits of valid policies: the front end must never panic.
#[test]
fn mutated_documents_never_panic() {
    use rand::{Rng, SeedableRng};
    let seeds = [
        identity(r#", "Condition": {"StringLike": {"s3:prefix": ["a/${aws:username}", 1.5]}}"#),
        stmt(
            r#""Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::1:user/é"]}, "NotAction": "s3:*", "NotResource": "arn:aws:s3:::b""#,
        ),
        "{\n \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]\n}"
            .to_string(),
    ];
    let alphabet: &[u8] = b"{}[]:,\"\\ \t\n01-.eE+*?$/aZ'\x01\x7f";
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    for _ in 0..3000 {
        let seed = &seeds[rng.random_range(0..seeds.len())];
        let mut bytes = seed.as_bytes().to_vec();
        for _ in 0..rng.random_range(1..6) {
            let at = rng.random_range(0..bytes.len());
            match rng.random_range(0..3) {
                0 => {
                    bytes.remove(at);
                }
                1 => bytes.insert(at, alphabet[rng.random_range(0..alphabet.len())]),
                _ => bytes[at] = alphabet[rng.random_range(0..alphabet.len())],
            }
            if bytes.is_empty() {
                break;
            }
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        for ty in [Identity, Resource, Trust, Scp, Rcp] {
            if let Err(diags) = parse_policy(&text, ty) {
                assert!(diags.has_errors());
                let rendered = diags.render("fuzz.json", &text);
                assert!(rendered.contains("error"));
            }
        }
    }
}
