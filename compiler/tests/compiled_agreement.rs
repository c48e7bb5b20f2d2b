//! The compiled path agrees with the reference interpreter on every conformance case, on three
//! paths (reference, compiled tables in memory, decision file written and loaded back): spec and
//! peer cases (each case's policies compiled on their own) and organization cases (the
//! organization compiled once), decisions and deciding statements identical.

#![allow(clippy::panic, reason = "test helpers report failures by panicking")]

use gavel_compiler::agreement::{
    CompiledFile, CompiledInMemory, Evaluator, Reference, compare, decide_org_compiled,
    decide_org_engine, same_answer,
};
use gavel_compiler::conformance::{parse_case, parse_org_case};
use gavel_compiler::lower::{CompileOptions, compile_org};
use gavel_compiler::org::load::load_for_cli_with;
use gavel_compiler::reference::{Options, decide_org};
use gavel_runtime::Engine;
use std::path::PathBuf;

fn conformance_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/conformance")
}

fn files(org: bool) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(conformance_dir())
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".jsonl") && n.starts_with("org-") == org)
        .collect();
    files.sort();
    files
}

#[test]
fn every_case_file_agrees_on_the_compiled_tables() {
    let reference = Reference::default();
    let compiled = CompiledInMemory::default();
    let file = CompiledFile::default();
    let mut checked = 0;
    let mut failures = Vec::new();
    for f in files(false) {
        let text =
            std::fs::read_to_string(conformance_dir().join(&f)).unwrap_or_else(|e| panic!("{e}"));
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let case =
                parse_case(line, i + 1).unwrap_or_else(|e| panic!("{f}:{}: {}", i + 1, e.message));
            checked += 1;
            if let Err(report) = compare(&case, &[&reference, &compiled, &file]) {
                failures.push(format!("{f}:{}: {report}", i + 1));
            }
        }
    }
    assert!(checked >= 6000, "only {checked} cases");
    assert!(
        failures.is_empty(),
        "{} of {checked} disagree:\n{}",
        failures.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

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
fn org_cases_agree_on_the_compiled_organization() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for f in files(true) {
        let (path, catalogs) = org_of(&f).unwrap_or_else(|| panic!("{f}: no organization mapped"));
        let org = load_for_cli_with(&path, &catalogs).unwrap_or_else(|e| panic!("{e}"));
        for no_fold in [false, true] {
            let tables = compile_org(
                &org,
                &CompileOptions {
                    no_fold,
                    ..Default::default()
                },
            )
            .unwrap_or_else(|e| panic!("{e}"));
            let engine = Engine::from_bytes(tables.to_bytes()).unwrap_or_else(|e| panic!("{e}"));
            let text = std::fs::read_to_string(conformance_dir().join(&f))
                .unwrap_or_else(|e| panic!("{e}"));
            for (i, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let case =
                    parse_org_case(line).unwrap_or_else(|e| panic!("{f}:{}: {}", i + 1, e.message));
                checked += 1;
                let want = decide_org(&org, &case.request, &Options::default());
                let got = decide_org_compiled(&tables, &case.request);
                let from_file = decide_org_engine(&engine, &case.request);
                if !same_answer(&want, &got) || !same_answer(&want, &from_file) {
                    failures.push(format!(
                        "{f}:{} {} (no_fold={no_fold}):\n  reference: {} {:?} {:?}\n  compiled:  {} {:?} {:?}\n  file:      {} {:?} {:?}",
                        i + 1, case.id, want.decision, want.basis, want.statements, got.decision, got.basis, got.statements,
                        from_file.decision, from_file.basis, from_file.statements
                    ));
                }
            }
        }
    }
    assert!(checked >= 120, "only {checked} org cases");
    assert!(
        failures.is_empty(),
        "{} disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A policy naming more than 24 services is kept out of the plans' per-service lists and looked
/// up in its own directory (`eval/plan.rs`, "wide"); none of the corpus cases reaches that path
/// with two such policies in one set. Two wide policies (one with a deny) and a narrow one,
/// every service asked: the plan walk (`authorize`), the per-policy path (`authorize_explain`)
/// and the reference agree. The wide policies also have statements for any service (one allows
/// the lists, one denies the deletes, each under a condition): a plan copies them like a
/// narrow policy's, and one that dropped them would deny the lists and allow the narrow
/// policy's deletes.
#[test]
fn sets_with_several_wide_policies_agree() {
    let wide = |name: &str, services: std::ops::Range<u32>, deny: Option<u32>, any: &str| {
        let mut statements: Vec<String> = services
            .map(|n| {
                format!(
                    r#"{{"Sid":"S{n}","Effect":"Allow","Action":"svc{n}:Get*","Resource":"*"}}"#
                )
            })
            .collect();
        if let Some(n) = deny {
            statements.push(format!(
                r#"{{"Sid":"D{n}","Effect":"Deny","Action":"svc{n}:GetSecret","Resource":"*"}}"#
            ));
        }
        statements.push(any.to_string());
        format!(
            r#"{{"name":"{name}","document":{{"Version":"2012-10-17","Statement":[{}]}}}}"#,
            statements.join(",")
        )
    };
    let narrow = r#"{"name":"narrow","document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["svc40:Put*","svc3:PutThing"],"Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/op":"DeleteThing"}}},{"Effect":"Deny","Action":"svc41:GetThing","Resource":"*"}]}}"#;
    // Actions named literally in some policy are known to the tables, and only those take
    // plans: a statement naming every action asked, for a resource never asked, makes them so.
    let actions = [
        "GetThing",
        "GetSecret",
        "PutThing",
        "ListThings",
        "DeleteThing",
    ];
    let named: Vec<String> = (0..62)
        .flat_map(|n| actions.map(|a| format!(r#""svc{n}:{a}""#)))
        .collect();
    let catalog = format!(
        r#"{{"Effect":"Deny","Action":[{}],"Resource":"arn:aws:svc0:us-east-1:111122223333:thing/never"}}"#,
        named.join(",")
    );
    let policies = [
        policy("catalog", &[&catalog]),
        wide(
            "wideA",
            0..30,
            Some(7),
            r#"{"Sid":"Lists","Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/op":"ListThings"}}}"#,
        ),
        narrow.to_string(),
        wide(
            "wideB",
            20..60,
            Some(45),
            r#"{"Sid":"NoDeletes","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/op":"DeleteThing"}}}"#,
        ),
    ];
    let reference = Reference::default();
    let compiled = CompiledInMemory::default();
    let file = CompiledFile::default();
    let mut failures = Vec::new();
    let mut decisions = std::collections::BTreeMap::new();
    for n in 0..62 {
        for action in actions {
            let line = format!(
                r#"{{"id":"wide-{n}-{action}","identityPolicies":[{}],"request":{{"principal":"arn:aws:iam::111122223333:user/alice","action":"svc{n}:{action}","resource":"arn:aws:svc{n}:us-east-1:111122223333:thing/a","context":{{"aws:RequestTag/op":"{action}"}}}},"expect":"ImplicitDeny"}}"#,
                policies.join(",")
            );
            let case = parse_case(&line, 1).unwrap_or_else(|e| panic!("{line}: {}", e.message));
            let want = reference.decide_case(&case);
            *decisions.entry(format!("{:?}", want.decision)).or_insert(0) += 1;
            if let Err(report) = compare(&case, &[&reference, &compiled, &file]) {
                failures.push(format!("svc{n}:{action}: {report}"));
            }
        }
    }
    // Every kind of answer is reached, so a walk that skips a policy would show.
    assert_eq!(decisions.len(), 3, "{decisions:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A named policy in the conformance-case format, of these statements.
fn policy(name: &str, statements: &[&str]) -> String {
    format!(
        r#"{{"name":"{name}","document":{{"Version":"2012-10-17","Statement":[{}]}}}}"#,
        statements.join(",")
    )
}

/// Statements that match whenever their action and their conditions do (guardrails such as
/// "deny outside these regions") are decided by the plan walk from their clause list alone,
/// numbered per distinct list (`eval/plan.rs`, `COND`); a resource policy is walked through
/// its own segments, where such statements (`Principal: "*"`) count as direct matches.
/// Several such lists in one set, some equal across policies and SCP levels, some differing
/// only in a value, contexts that make each hold or not, callers of the resource's account and
/// of another: the plan walk (`authorize`), the per-policy path (`authorize_explain`) and the
/// reference agree, and every kind of answer is reached.
#[test]
fn guardrails_decided_from_their_clause_lists_agree() {
    let regions = |list: &str| {
        format!(
            r#"{{"Effect":"Deny","Action":"*","Resource":"*","Condition":{{"StringNotEquals":{{"aws:RequestedRegion":{list}}}}}}}"#
        )
    };
    let tls = r#"{"Effect":"Deny","Action":["s3:*","sqs:*"],"Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#;
    let from_office = r#"{"Effect":"Allow","Action":"svc1:Get*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}"#;
    let from_lab = r#"{"Effect":"Allow","Action":"svc1:Get*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}"#;
    let with_mfa = r#"{"Effect":"Allow","Action":["s3:Get*","svc1:Put*"],"Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}"#;
    let plain = r#"{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}"#;
    let eu = regions(r#"["eu-west-1"]"#);
    let us_eu = regions(r#"["us-east-1","eu-west-1"]"#);
    let identity = [
        policy("office", &[from_office, tls, with_mfa]),
        policy("lab", &[from_lab, plain, tls]),
    ];
    let all = r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#;
    let scps = [
        vec![policy("root-guard", &[all, &us_eu])],
        vec![
            policy("ou-guard", &[all, &us_eu, tls]),
            policy("ou-eu", &[all, &eu]),
        ],
    ];
    let scps = format!(
        "[{}]",
        scps.iter()
            .map(|level| format!("[{}]", level.join(",")))
            .collect::<Vec<_>>()
            .join(",")
    );
    let bucket = policy(
        "bucket",
        &[
            r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#,
            r#"{"Effect":"Allow","Principal":"*","Action":"svc1:GetThing","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}"#,
            r#"{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","sqs:SendMessage"],"Resource":"*"}"#,
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/bob"},"Action":"svc1:PutThing","Resource":"*"}"#,
        ],
    );
    let reference = Reference::default();
    let compiled = CompiledInMemory::default();
    let file = CompiledFile::default();
    let mut failures = Vec::new();
    let mut decisions = std::collections::BTreeMap::new();
    let callers = [
        "arn:aws:iam::111122223333:user/alice",
        "arn:aws:iam::444455556666:user/bob",
    ];
    let regions = [
        Some("eu-west-1"),
        Some("us-east-1"),
        Some("ap-south-1"),
        None,
    ];
    let transports = [Some("true"), Some("false"), None];
    let ips = [
        Some("10.1.2.3"),
        Some("192.0.2.7"),
        Some("203.0.113.9"),
        None,
    ];
    let mfas = [Some("true"), Some("false"), None];
    let actions = [
        "svc1:GetThing",
        "svc1:PutThing",
        "s3:GetObject",
        "sqs:SendMessage",
    ];
    let mut n = 0;
    for region in regions {
        for transport in transports {
            for ip in ips {
                for mfa in mfas {
                    for (action, caller) in actions.iter().flat_map(|a| callers.map(|c| (a, c))) {
                        n += 1;
                        let mut context = Vec::new();
                        for (key, value) in [
                            ("aws:RequestedRegion", region),
                            ("aws:SecureTransport", transport),
                            ("aws:SourceIp", ip),
                            ("aws:MultiFactorAuthPresent", mfa),
                        ] {
                            if let Some(v) = value {
                                context.push(format!(r#""{key}":"{v}""#));
                            }
                        }
                        let line = format!(
                            r#"{{"id":"guard-{n}","identityPolicies":[{}],"scps":{scps},"resourcePolicy":{bucket},"request":{{"principal":"{caller}","action":"{action}","resource":"arn:aws:svc1:us-east-1:111122223333:thing/a","context":{{{}}}}},"expect":"ImplicitDeny"}}"#,
                            identity.join(","),
                            context.join(",")
                        );
                        let case = parse_case(&line, 1)
                            .unwrap_or_else(|e| panic!("{line}: {}", e.message));
                        let want = reference.decide_case(&case);
                        *decisions.entry(format!("{:?}", want.decision)).or_insert(0) += 1;
                        if let Err(report) = compare(&case, &[&reference, &compiled, &file]) {
                            failures.push(format!("{caller} {action} {context:?}: {report}"));
                        }
                    }
                }
            }
        }
    }
    assert_eq!(decisions.len(), 3, "{decisions:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// SCP and RCP chains decided by their denies alone (`plan::Chain`): chains with an allow-all
/// policy at every level (one deny plan, or nothing to walk), chains where some level lacks
/// one (level by level: its gate must still close), a deny policy named at two levels, a
/// policy that both allows everything and denies, a `NotAction` deny, RCPs (which always have
/// `RCPFullAWSAccess`) on and off the services they govern. The shortcut (`authorize`), the
/// level-by-level path (`authorize_explain`) and the reference agree, and each chain takes the
/// form it should.
#[test]
fn scp_and_rcp_chains_decided_by_their_denies_agree() {
    use gavel_runtime::eval::plan::Chain;
    let all = r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#;
    let rcp_all = r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}"#;
    let regions = r#"{"Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}"#;
    let no_put =
        r#"{"Effect":"Deny","Action":"svc1:Put*","Resource":"arn:aws:svc1:*:*:thing/locked"}"#;
    let tls = r#"{"Effect":"Deny","Principal":"*","Action":["s3:*","sqs:*"],"Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}}"#;
    let only_s3 = r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#;
    let levels = |levels: &[Vec<String>]| {
        let inner: Vec<String> = levels
            .iter()
            .map(|l| format!("[{}]", l.join(",")))
            .collect();
        format!("[{}]", inner.join(","))
    };
    let full = policy("FullAWSAccess", &[all]);
    let guard = policy("regions", &[regions]);
    let scp_chains = [
        // Every level allows all; denies at two levels, one policy named twice.
        (
            levels(&[
                vec![full.clone()],
                vec![full.clone(), guard.clone()],
                vec![full.clone(), guard.clone(), policy("locked", &[no_put])],
            ]),
            "denies",
        ),
        // Allow-all and a deny in one policy.
        (levels(&[vec![policy("mixed", &[all, no_put])]]), "denies"),
        (levels(&[vec![full.clone()], vec![full.clone()]]), "open"),
        // The second level allows only S3: its gate closes for the others.
        (
            levels(&[
                vec![full.clone(), guard.clone()],
                vec![policy("s3-only", &[only_s3])],
            ]),
            "levels",
        ),
    ];
    let rcp_full = policy("RCPFullAWSAccess", &[rcp_all]);
    let rcp_chains = [
        (
            levels(&[
                vec![rcp_full.clone()],
                vec![rcp_full.clone(), policy("tls", &[tls])],
            ]),
            "denies",
        ),
        (levels(&[vec![rcp_full.clone()]]), "open"),
        // `RCPFullAWSAccess` is at every level whether named or not (spec §2): RCP chains
        // always take the shortcut.
        (
            levels(&[vec![policy("tls", &[tls])], vec![policy("tls", &[tls])]]),
            "denies",
        ),
    ];
    // Actions named literally in some policy are known to the tables (only those take plans
    // and chains); `svc1:PutOther` is not, and takes the per-policy path.
    let known = r#"{"Effect":"Allow","Action":["s3:GetObject","sqs:SendMessage","svc1:PutThing","iam:GetUser"],"Resource":"*"}"#;
    let identity = policy("admin", &[all, known]);
    let bucket = policy(
        "grants",
        &[
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/bob"},"Action":"*","Resource":"*"}"#,
        ],
    );
    let requests = [
        ("s3:GetObject", "arn:aws:s3:::bucket/key"),
        (
            "sqs:SendMessage",
            "arn:aws:sqs:eu-west-1:111122223333:queue",
        ),
        (
            "svc1:PutThing",
            "arn:aws:svc1:us-east-1:111122223333:thing/locked",
        ),
        (
            "svc1:PutThing",
            "arn:aws:svc1:us-east-1:111122223333:thing/open",
        ),
        ("iam:GetUser", "arn:aws:iam::111122223333:user/alice"),
        (
            "svc1:PutOther",
            "arn:aws:svc1:us-east-1:111122223333:thing/locked",
        ),
    ];
    let callers = [
        "arn:aws:iam::111122223333:user/alice",
        "arn:aws:iam::444455556666:user/bob",
    ];
    let reference = Reference::default();
    let compiled = CompiledInMemory::default();
    let file = CompiledFile::default();
    let mut failures = Vec::new();
    let mut decisions = std::collections::BTreeMap::new();
    let mut forms = std::collections::BTreeSet::new();
    let mut n = 0;
    for (scps, scp_form) in &scp_chains {
        for (rcps, rcp_form) in &rcp_chains {
            for ((action, resource), caller) in
                requests.iter().flat_map(|r| callers.map(|c| (r, c)))
            {
                for region in [Some("eu-west-1"), Some("ap-south-1"), None] {
                    for transport in [Some("true"), Some("false"), None] {
                        n += 1;
                        let mut context = Vec::new();
                        for (key, value) in [
                            ("aws:RequestedRegion", region),
                            ("aws:SecureTransport", transport),
                        ] {
                            if let Some(v) = value {
                                context.push(format!(r#""{key}":"{v}""#));
                            }
                        }
                        let line = format!(
                            r#"{{"id":"chain-{n}","identityPolicies":[{identity}],"scps":{scps},"rcps":{rcps},"resourcePolicy":{bucket},"request":{{"principal":"{caller}","action":"{action}","resource":"{resource}","context":{{{}}}}},"expect":"ImplicitDeny"}}"#,
                            context.join(",")
                        );
                        let case = parse_case(&line, 1)
                            .unwrap_or_else(|e| panic!("{line}: {}", e.message));
                        let want = reference.decide_case(&case);
                        *decisions
                            .entry(format!("{:?} {:?}", want.decision, want.basis))
                            .or_insert(0) += 1;
                        if let Err(report) = compare(&case, &[&reference, &compiled, &file]) {
                            failures.push(format!("{scp_form}/{rcp_form} {caller} {action} {resource} {context:?}: {report}"));
                        }
                        if forms.insert((scp_form, rcp_form)) {
                            let tables = gavel_compiler::lower::compile_case(
                                &case.set,
                                &CompileOptions::default(),
                            )
                            .unwrap_or_else(|e| panic!("{e}"));
                            let form = |c: Chain| match c {
                                Chain::Levels => "levels",
                                Chain::Open => "open",
                                Chain::Denies(_) => "denies",
                            };
                            let levels = &tables.derived.fixed_plans.levels;
                            assert_eq!(form(levels.scp_chain), *scp_form, "{scps}");
                            assert_eq!(form(levels.rcp_chain), *rcp_form, "{rcps}");
                        }
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Explicit denies from SCPs and RCPs, both gates, allows same- and cross-account.
    for basis in [
        "ExplicitDeny ExplicitDenyStatement",
        "ImplicitDeny ScpGate(1)",
        "Allow IdentityGrant",
        "Allow CrossAccountGrant",
    ] {
        assert!(
            decisions.contains_key(basis),
            "{basis} never reached: {decisions:?}"
        );
    }
}
