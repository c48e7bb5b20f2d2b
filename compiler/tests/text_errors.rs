//! Broken text as a new user would write it: every error points at the right place with a
//! helpful message, several errors are reported at once, and no input makes the parser panic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failed expectation is a test failure"
)]

use gavel_compiler::diagnostics::Diagnostics;
use gavel_compiler::model::PolicyType;
use gavel_compiler::org::load::LoadOptions;
use gavel_compiler::text::{OrgTextError, parse_org_text, parse_policy_text, policy_to_text};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;

fn errors(text: &str) -> Diagnostics {
    match parse_policy_text(text, PolicyType::Identity) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(d) => d,
    }
}

#[test]
fn unterminated_string() {
    let text = "allow s3:GetObject\n  on \"arn:aws:s3:::b/*\n";
    assert_eq!(
        errors(text).render("p.gavel", text),
        "p.gavel:2:6: error: unterminated string\n  |\n2 |   on \"arn:aws:s3:::b/*\n  |      ^^^^^^^^^^^^^^^^^\n  = help: add the closing `\"` on the same line (a string cannot span lines)\n\n1 error, 0 warnings\n"
    );
}

#[test]
fn unknown_operator_suggests_alias_and_aws_name() {
    let text = "allow s3:GetObject on *\n  when aws:SourceIp ip_inn \"10.0.0.0/8\"\n";
    assert_eq!(
        errors(text).render("p.gavel", text),
        "p.gavel:2:21: error: unknown condition operator `ip_inn`\n  |\n2 |   when aws:SourceIp ip_inn \"10.0.0.0/8\"\n  |                     ^^^^^^\n  = help: did you mean `ip_in`?\n\n1 error, 0 warnings\n"
    );
    let text = "allow s3:Get on * when aws:y StringEqal \"z\"";
    let d = errors(text);
    let e = d.errors().next().unwrap();
    assert_eq!((e.loc.line, e.loc.col), (1, 30));
    assert_eq!(e.help.as_deref(), Some("did you mean `StringEquals`?"));
}

#[test]
fn misspelled_keyword_did_you_mean() {
    let text = "alow s3:GetObject on *\n";
    assert_eq!(
        errors(text).render("p.gavel", text),
        "p.gavel:1:1: error: unknown keyword `alow`\n  |\n1 | alow s3:GetObject on *\n  | ^^^^\n  = help: did you mean `allow`?\n\n1 error, 0 warnings\n"
    );
}

#[test]
fn several_errors_at_once() {
    let text = "allow s3:GetObject on * when aws:x eq\ndeny s3:* on \"x\" frm aws \"y\"\nallow s3:Get on * when aws:y StringEqal \"z\"\n";
    let d = errors(text);
    let found: Vec<(u32, u32, &str)> = d
        .errors()
        .map(|e| (e.loc.line, e.loc.col, e.message.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            (2, 1, "unexpected `deny`"),
            (2, 18, "unknown keyword `frm`"),
            (3, 30, "unknown condition operator `StringEqal`"),
        ]
    );
}

#[test]
fn policy_rules_are_the_json_front_end_rules_located_in_the_text() {
    // An identity policy may not name a principal: the JSON front end's rule, at the text.
    let text = "allow s3:GetObject\n  on *\n  for aws \"arn:aws:iam::111122223333:root\"\n";
    let d = errors(text);
    assert_eq!(
        d.render("p.gavel", text),
        "p.gavel:3:3: error: `Principal` is not allowed in an identity-based policy\n  |\n3 |   for aws \"arn:aws:iam::111122223333:root\"\n  |   ^^^\n  = help: an identity-based policy applies to the identity it is attached to; delete `Principal`, or attach the document as a resource-based policy\n\n1 error, 0 warnings\n"
    );
}

#[test]
fn missing_brace_points_at_the_open_brace() {
    let text = "organization o-abcdefghij {\n  management 111122223333\n  root Root id \"r-ab12\" {\n    attach scp FullAWSAccess\n}\n";
    let e = parse_org_text(text, "org.gavel", Path::new("."), &LoadOptions::default());
    let Err(OrgTextError::Syntax(d)) = e else {
        panic!("expected a syntax error");
    };
    assert_eq!(
        d.render("org.gavel", text),
        "org.gavel:1:27: error: this `{` is never closed\n  |\n1 | organization o-abcdefghij {\n  |                           ^\n  = help: add a `}` to close the block opened on line 1; the file ends first\n\n1 error, 0 warnings\n"
    );
}

#[test]
fn misplaced_items_are_named() {
    let text = "account 111122223333 \"a\" {\n  user bob { trust allow sts:AssumeRole for * }\n}\n";
    let e = parse_org_text(text, "org.gavel", Path::new("."), &LoadOptions::default());
    let Err(OrgTextError::Syntax(d)) = e else {
        panic!("expected an error");
    };
    let first = d.errors().next().unwrap();
    assert_eq!((first.loc.line, first.loc.col), (2, 14));
    assert_eq!(first.message, "`trust` cannot appear in a user");
}

const SEEDS: &[&str] = &[
    "version \"2012-10-17\"\nid \"x\"\nsid \"A\"\nallow s3:GetObject, s3:ListBucket,\n  on \"arn:aws:s3:::b\", \"arn:aws:s3:::b/${aws:username}/*\"\n  when aws:SourceIp ip_in [\"10.0.0.0/8\", \"192.0.2.1\"] and aws:MultiFactorAuthPresent is true\n   and aws:TagKeys any like [\"a*\"] if exists and aws:x num_lt 1.50\ndeny not iam:* on not * when \"ForAnyValue:StringLikeIfExists\" \"k ${*}\" [\"a*\"] and aws:t is null\n",
    "organization o-abcdefghij {\n  management 111122223333\n  root Root id \"r-ab12\" {\n    attach scp FullAWSAccess\n    account 111122223333 \"m\" { attach scp FullAWSAccess\n      user mia in Dev { tags { team = \"web\" } attach DevAccess }\n      group Dev { inline I { allow s3:* on * } }\n      role R { trust allow sts:AssumeRole for service \"lambda.amazonaws.com\" max_session 3600 }\n      policy DevAccess { deny s3:DeleteBucket on * }\n      resource \"arn:aws:s3:::b\" { tags { a = \"b\" } policy { allow s3:* on * for * } }\n    }\n  }\n  scp X { deny * on * }\n}\n",
];

#[test]
fn random_mutations_never_panic() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let pieces = [
        "{", "}", "[", "]", ",", "\"", "\\", "*", "=", "allow", "when", "and", "is", "not", "on",
        "for", "if", "/*", "//", "\n", ":", "é", "${", "1.5", "-", "account", "role", "trust",
    ];
    for _ in 0..3000 {
        let seed = SEEDS[rng.random_range(0..SEEDS.len())];
        let mut text: Vec<char> = seed.chars().collect();
        for _ in 0..rng.random_range(1..6) {
            let at = rng.random_range(0..=text.len());
            match rng.random_range(0..3) {
                0 if at < text.len() => {
                    text.remove(at);
                }
                1 => {
                    let p = pieces[rng.random_range(0..pieces.len())];
                    for (i, c) in p.chars().enumerate() {
                        text.insert(at + i, c);
                    }
                }
                _ => {
                    let end = (at + rng.random_range(0..20)).min(text.len());
                    text.drain(at..end);
                }
            }
        }
        let text: String = text.into_iter().collect();
        for ty in [PolicyType::Identity, PolicyType::Resource] {
            if let Ok(p) = parse_policy_text(&text, ty) {
                let again = parse_policy_text(&policy_to_text(&p.value), ty);
                assert_eq!(again.map(|q| q.value).ok(), Some(p.value), "{text}");
            } else if let Err(d) = parse_policy_text(&text, ty) {
                let _ = d.render("f.gavel", &text);
            }
        }
        let _ = parse_org_text(
            &text,
            "f.gavel",
            Path::new("/nonexistent"),
            &LoadOptions::default(),
        )
        .map_err(|e| e.render("f.gavel", &text));
    }
}
