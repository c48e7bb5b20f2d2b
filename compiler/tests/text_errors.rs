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
use gavel_compiler::text::{
    OrgTextError, format_org_text, format_policy_text, org_text_to_manifest, parse_org_text,
    parse_policy_text, policy_to_text,
};
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

/// The comments of a text (outside strings), trimmed and sorted.
fn comments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut prev = 0;
    let mut gaps = Vec::new();
    for (lo, _, hi) in gavel_compiler::text::lexer::Lexer::new(text).flatten() {
        gaps.push(text.get(prev..lo).unwrap_or(""));
        prev = hi;
    }
    gaps.push(text.get(prev..).unwrap_or(""));
    for gap in gaps {
        let mut rest = gap;
        while let Some(i) = rest.find('/') {
            let tail = &rest[i..];
            let len = if tail.starts_with("//") {
                tail.find('\n').unwrap_or(tail.len())
            } else if tail.starts_with("/*") {
                tail.find("*/").map_or(tail.len(), |e| e + 2)
            } else {
                1
            };
            if len > 1 {
                out.push(tail[..len].trim_end().to_string());
            }
            rest = &tail[len..];
        }
    }
    out.sort();
    out
}

const SEEDS: &[&str] = &[
    "// c\nimport managed \"m.jsonl\" // t\n/* b */ organization o-abcdefghij { // o\n  management 111122223333\n  root Root id r-ab12 {\n    // before\n    attach scp FullAWSAccess\n    account 111122223333 { attach scp FullAWSAccess\n      policy P version v1 { allow s3:* on * }\n      policy P path \"/p/\" version v2 default { deny s3:* on * /* in */ }\n      user u arn \"arn:aws:iam::111122223333:user/u\" unique_id AIDAX {}\n      // end\n    }\n  }\n}\nmanaged A arn \"arn:aws:iam::aws:policy/A\" { allow * on * }\n",
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
    let mut formatted = 0;
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
        // Whatever `gavel fmt` accepts it formats to a fixed point that reads back, with
        // every comment.
        if let Ok(f) = format_org_text(&text) {
            assert!(org_text_to_manifest(&f).is_ok(), "{text}\n---\n{f}");
            assert_eq!(format_org_text(&f).ok().as_ref(), Some(&f), "{text}");
            assert_eq!(comments(&f), comments(&text), "{text}\n---\n{f}");
            formatted += 1;
        }
        if let Ok(f) = format_policy_text(&text, PolicyType::Identity) {
            assert_eq!(comments(&f), comments(&text), "{text}\n---\n{f}");
            formatted += 1;
            let a = parse_policy_text(&text, PolicyType::Identity).map(|p| p.value);
            let b = parse_policy_text(&f, PolicyType::Identity).map(|p| p.value);
            assert_eq!(a.ok(), b.ok(), "{text}\n---\n{f}");
            assert_eq!(
                format_policy_text(&f, PolicyType::Identity).ok().as_ref(),
                Some(&f),
                "{text}"
            );
        }
    }
    assert!(
        formatted > 100,
        "only {formatted} mutated texts were formatted"
    );
}

// ----- organizations -----

/// A valid organization; each test below breaks it the way a new user would.
const ORG: &str = r#"organization o-abcdefghij {
  management 111122223333

  root Root id r-ab12 {
    attach scp FullAWSAccess

    account 111122223333 "management" {
      attach scp FullAWSAccess

      policy DevAccess {
        allow s3:GetObject
          on "arn:aws:s3:::dev/*"
      }

      group Developers { attach DevAccess }
      user mia in Developers {}
      mfa mia

      role Deployer {
        trust allow sts:AssumeRole
          for service "codebuild.amazonaws.com"
      }
    }

    ou Sandbox id ou-ab12-sandbox1 {
      attach scp FullAWSAccess, DenyLeave
    }
  }

  scp DenyLeave {
    deny organizations:LeaveOrganization
      on *
  }
}
"#;

/// `ORG` with `from` replaced by `to`.
fn broken(from: &str, to: &str) -> String {
    assert!(ORG.contains(from), "{from}");
    ORG.replacen(from, to, 1)
}

/// Every error of an organization text: line, column, message, help, in order.
fn org_errors(text: &str) -> Vec<(u32, u32, String, String)> {
    match parse_org_text(
        text,
        "org.gavel",
        Path::new("/nonexistent"),
        &LoadOptions::default(),
    ) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(OrgTextError::Syntax(d)) => d
            .errors()
            .map(|e| {
                (
                    e.loc.line,
                    e.loc.col,
                    e.message.clone(),
                    e.help.clone().unwrap_or_default(),
                )
            })
            .collect(),
        Err(OrgTextError::Load(e)) => e
            .errors()
            .map(|p| {
                let loc = p.loc.unwrap_or_default();
                (
                    loc.line,
                    loc.col,
                    p.message.clone(),
                    p.help.clone().unwrap_or_default(),
                )
            })
            .collect(),
    }
}

/// The only error of `text`.
fn org_error(text: &str) -> (u32, u32, String, String) {
    let all = org_errors(text);
    assert_eq!(all.len(), 1, "{all:#?}");
    all.into_iter().next().unwrap()
}

fn expect(text: &str, line: u32, col: u32, message: &str, help: &str) {
    let (l, c, m, h) = org_error(text);
    assert_eq!((l, c, m.as_str()), (line, col, message), "help: {h}");
    assert!(h.contains(help), "help `{h}` does not contain `{help}`");
}

#[test]
fn org_the_base_organization_loads() {
    parse_org_text(
        ORG,
        "org.gavel",
        Path::new("/nonexistent"),
        &LoadOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{}", e.render("org.gavel", ORG)));
}

#[test]
fn org_missing_open_brace() {
    let text = broken(
        "ou Sandbox id ou-ab12-sandbox1 {",
        "ou Sandbox id ou-ab12-sandbox1",
    );
    let first = org_errors(&text).into_iter().next().unwrap();
    assert_eq!(
        (first.0, first.1, first.2.as_str()),
        (26, 7, "unexpected `attach`")
    );
    assert!(first.3.starts_with("expected `{`"), "{}", first.3);
}

#[test]
fn org_missing_close_brace_of_the_organization() {
    let text = broken(
        "  scp DenyLeave {\n    deny organizations:LeaveOrganization\n      on *\n  }\n}\n",
        "  scp DenyLeave {\n    deny organizations:LeaveOrganization\n      on *\n  }\n",
    );
    expect(
        &text,
        1,
        27,
        "this `{` is never closed",
        "add a `}` to close the block opened on line 1",
    );
}

#[test]
fn org_unknown_operator_in_an_scp() {
    let text = broken(
        "      on *\n  }",
        "      on *\n      when aws:PrincipalArn arn_likee \"arn:aws:iam::*:role/Admin\"\n  }",
    );
    expect(
        &text,
        33,
        29,
        "unknown condition operator `arn_likee`",
        "did you mean `arn_like`?",
    );
}

#[test]
fn org_misspelled_keyword_is_skipped_with_its_block() {
    // `usr mia … {}` is one mistake: the block after it does not close the account.
    let text = broken("user mia in", "usr mia in");
    expect(
        &text,
        16,
        7,
        "unknown keyword `usr`",
        "did you mean `user`?",
    );
}

#[test]
fn org_unterminated_label_before_a_block() {
    let text = broken("\"management\" {", "\"management {");
    expect(
        &text,
        7,
        26,
        "unterminated string",
        "add the closing `\"` on the same line",
    );
}

#[test]
fn org_duplicate_account() {
    let text = broken(
        "ou Sandbox id ou-ab12-sandbox1 {",
        "ou Sandbox id ou-ab12-sandbox1 {\n      account 111122223333 { attach scp FullAWSAccess }",
    );
    expect(
        &text,
        26,
        15,
        "account `111122223333` is declared twice",
        "it is first declared on line 7",
    );
}

#[test]
fn org_unknown_group_of_a_user() {
    let text = broken("user mia in Developers", "user mia in Developer");
    expect(
        &text,
        16,
        19,
        "account `111122223333` has no group `Developer`",
        "did you mean `Developers`?",
    );
    let text = broken("user mia in Developers", "user mia in Admins");
    expect(
        &text,
        16,
        19,
        "account `111122223333` has no group `Admins`",
        "the groups of account `111122223333` are `Developers`",
    );
}

#[test]
fn org_unknown_scp() {
    let text = broken("FullAWSAccess, DenyLeave", "FullAwsAccess, DenyLeave");
    expect(
        &text,
        26,
        18,
        "unknown SCP `FullAwsAccess`",
        "did you mean `FullAWSAccess`?",
    );
}

#[test]
fn org_node_without_an_scp() {
    let text = broken(
        "      attach scp FullAWSAccess, DenyLeave\n",
        "      attach rcp RCPFullAWSAccess\n",
    );
    expect(
        &text,
        25,
        8,
        "OU `Sandbox` has no SCP attached",
        "add `attach scp FullAWSAccess`",
    );
}

#[test]
fn org_undeclared_management_account() {
    let text = broken("management 111122223333", "management 111122223334");
    expect(
        &text,
        2,
        14,
        "the management account `111122223334` is not declared",
        "declare `account 111122223334 { … }` under the root or an OU",
    );
}

#[test]
fn org_unknown_mfa_user() {
    let text = broken("mfa mia", "mfa mai");
    expect(
        &text,
        17,
        11,
        "account `111122223333` has no user `mai`",
        "did you mean `mia`?",
    );
}

#[test]
fn org_user_in_an_ou() {
    let text = broken(
        "ou Sandbox id ou-ab12-sandbox1 {",
        "ou Sandbox id ou-ab12-sandbox1 {\n      user bob {}",
    );
    expect(
        &text,
        26,
        7,
        "`user` cannot appear in the root or an OU",
        "the root and OUs hold",
    );
}

#[test]
fn org_invalid_ou_id_is_located_in_the_text() {
    // Checked by the manifest loader, reported at the text.
    let text = broken("id ou-ab12-sandbox1", "id sandbox");
    expect(
        &text,
        25,
        19,
        "`sandbox` is not an OU id",
        "OU ids look like `ou-`",
    );
    let rendered =
        match parse_org_text(&text, "org.gavel", Path::new("/x"), &LoadOptions::default()) {
            Err(e) => e.render("org.gavel", &text),
            Ok(_) => panic!("accepted"),
        };
    assert!(
        rendered.starts_with(
            "org.gavel:25:19: error: `sandbox` is not an OU id\n   |\n25 |     ou Sandbox id sandbox {\n   |                   ^^^^^^^\n"
        ),
        "{rendered}"
    );
}

#[test]
fn org_misspelled_policy_name_in_attach() {
    let text = broken("attach DevAccess", "attach DevAcess");
    expect(
        &text,
        15,
        33,
        "unknown managed policy `DevAcess`",
        "did you mean `DevAccess`?",
    );
}

#[test]
fn org_duplicate_user_regardless_of_case() {
    let text = broken("      mfa mia\n", "      mfa mia\n      user Mia {}\n");
    expect(
        &text,
        18,
        12,
        "the user `Mia` is declared twice in account `111122223333`",
        "it is first declared on line 16",
    );
}

#[test]
fn org_policy_versions_without_default() {
    let text = broken(
        "policy DevAccess {",
        "policy DevAccess version v1 {\n        allow s3:ListBucket on *\n      }\n      policy DevAccess version v2 {",
    );
    expect(
        &text,
        10,
        14,
        "policy `DevAccess` has 2 versions and none is marked `default`",
        "mark the version in force",
    );
    let fixed = text.replace("version v2 {", "version v2 default {");
    let org = parse_org_text(
        &fixed,
        "org.gavel",
        Path::new("/x"),
        &LoadOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{}", e.render("org.gavel", &fixed)))
    .value;
    let p = &org.managed_policies["arn:aws:iam::111122223333:policy/DevAccess"];
    assert_eq!(p.default_version, "v2");
    assert_eq!(p.versions.len(), 2);
}

#[test]
fn org_qualifier_on_the_wrong_declaration() {
    let text = broken("ou Sandbox id", "ou Sandbox path \"/x/\" id");
    expect(
        &text,
        25,
        16,
        "`path` cannot qualify an OU",
        "an OU takes `id`",
    );
}

#[test]
fn org_unknown_principal_kind_in_a_trust() {
    let text = broken("for service \"codebuild", "for servce \"codebuild");
    expect(
        &text,
        21,
        15,
        "unknown principal kind `servce`",
        "did you mean `service`?",
    );
}

#[test]
fn org_bad_account_id() {
    let text = broken(
        "ou Sandbox id ou-ab12-sandbox1 {",
        "ou Sandbox id ou-ab12-sandbox1 {\n      account 1234 { attach scp FullAWSAccess }",
    );
    expect(
        &text,
        26,
        15,
        "the account id `1234` is not 12 digits",
        "such as `111122223333`",
    );
}

#[test]
fn org_policy_rule_in_an_account_policy() {
    // The JSON front end's rule, at the text; the policy's attachments are not also
    // reported as unknown.
    let text = broken(
        "          on \"arn:aws:s3:::dev/*\"\n",
        "          on \"arn:aws:s3:::dev/*\"\n          for aws \"arn:aws:iam::111122223333:root\"\n",
    );
    let Err(OrgTextError::Load(e)) =
        parse_org_text(&text, "org.gavel", Path::new("/x"), &LoadOptions::default())
    else {
        panic!("expected a load error");
    };
    assert_eq!(e.errors().count(), 1, "{e}");
    let p = e.errors().next().unwrap();
    let d = &p.diagnostics[0];
    assert_eq!(
        (d.loc.line, d.loc.col, d.message.as_str()),
        (
            13,
            11,
            "`Principal` is not allowed in an identity-based policy"
        )
    );
}

#[test]
fn fmt_keeps_every_comment_wherever_it_is() {
    // Comments and blank lines inserted between any two tokens of valid texts: `gavel fmt`
    // keeps every comment, reaches a fixed point, and the text says the same.
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    // A space first: `aws:t/*` would be one word.
    let pieces = [
        " // a\n",
        " /* b */",
        "\n\n// c d\n",
        " /* e\n f */",
        "\n",
        " // g\n\n",
    ];
    let policy = "version \"2008-10-17\"\nsid \"A\"\nallow s3:GetObject, s3:ListBucket,\n  on \"arn:aws:s3:::b\", \"arn:aws:s3:::b/${aws:username}/*\"\n  when aws:SourceIp ip_in [\"10.0.0.0/8\", \"192.0.2.1\"] and aws:MultiFactorAuthPresent is true\n   and aws:TagKeys any like [\"a*\"] if exists and aws:x num_lt 1.50\ndeny not iam:* on not * when \"ForAnyValue:StringLikeIfExists\" \"aws:k\" [\"a*\"] and aws:t is null\n";
    let seeds = [policy, SEEDS[0], SEEDS[2]];
    for _ in 0..600 {
        let seed = seeds[rng.random_range(0..seeds.len())];
        let ends: Vec<usize> = gavel_compiler::text::lexer::Lexer::new(seed)
            .flatten()
            .map(|(_, _, hi)| hi)
            .collect();
        let mut text = seed.to_string();
        let mut at: Vec<usize> = (0..rng.random_range(1..6))
            .map(|_| ends[rng.random_range(0..ends.len())])
            .collect();
        at.sort_unstable();
        for &i in at.iter().rev() {
            text.insert_str(i, pieces[rng.random_range(0..pieces.len())]);
        }
        if seed.starts_with("version") {
            let f = format_policy_text(&text, PolicyType::Identity)
                .unwrap_or_else(|d| panic!("{}\n{text}", d.render("p", &text)));
            assert_eq!(comments(&f), comments(&text), "{text}\n---\n{f}");
            assert_eq!(
                format_policy_text(&f, PolicyType::Identity).ok().as_ref(),
                Some(&f)
            );
            let a = parse_policy_text(seed, PolicyType::Identity).unwrap().value;
            assert_eq!(
                parse_policy_text(&f, PolicyType::Identity).unwrap().value,
                a
            );
        } else {
            let f = format_org_text(&text)
                .unwrap_or_else(|d| panic!("{}\n{text}", d.render("o", &text)));
            assert_eq!(comments(&f), comments(&text), "{text}\n---\n{f}");
            assert_eq!(format_org_text(&f).ok().as_ref(), Some(&f), "{f}");
            let plain = format_org_text(seed).unwrap();
            assert_eq!(
                org_text_to_manifest(&f).unwrap(),
                org_text_to_manifest(&plain).unwrap()
            );
        }
    }
}
