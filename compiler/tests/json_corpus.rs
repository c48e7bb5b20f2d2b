//! Every policy of the shared corpus goes through the JSON front end: it must be accepted
//! (except the few documents listed in `INVALID`, which break a rule of spec §2), and must
//! survive `parse -> policy_to_json -> parse` unchanged.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failed expectation is a test failure"
)]

mod common;
use common::corpus_dir;
use gavel_compiler::diagnostics::Diagnostics;
use gavel_compiler::json::{parse_json, parse_policy, policy_from_ast, policy_to_json};
use gavel_compiler::model::PolicyType;
use jsonc_parser::ast::Value;
use std::collections::BTreeMap;

// Why the documents below are rejected. Most are documentation samples with unfilled
// placeholders, or resource policies of services that imply the resource.
const CIDR_PLACEHOLDER: &str = "spec §2.5 item 12: the placeholder `<my-corporate-cidr>` under `NotIpAddressIfExists` is not an IP address or CIDR block";
const ACCEL_TOKEN: &str = "spec §2.5 item 12 and §5.2: the deployment token `${ACCEL_LOOKUP::CUSTOM:ALLOWED_CORPORATE_CIDRS}` under `NotIpAddressIfExists` (variables are not recognized in IP values, so it is an unparsable literal)";
const NO_RESOURCE: &str = "spec §2.5 item 5: a resource-based statement without `Resource`/`NotResource` (EFS, ECR and SNS imply the attached resource, but the spec exempts only trust policies)";
const ACTION_PLACEHOLDER: &str = "spec §2.5 item 9: an action without a service prefix (a documentation placeholder such as `<action>` or `action-statement`)";
const NOT_AN_RCP: &str = "spec §2.4 (RCP): `Deny` with the bare action `*`; the file is a service-specific resource policy kept with the RCP examples";

/// Corpus documents that are invalid per the spec, with the rule each breaks. Each must be
/// rejected with (at least) the given error code. `(file, name, code, why)`; a name may stand
/// for several documents of the file.
const INVALID: &[(&str, &str, &str, &str)] = &[
    (
        "scp-examples.jsonl",
        "service-control-policy-examples/Deny-use-of-IAM-user-credentials-from-unexpected-networks",
        "invalid-condition-value",
        CIDR_PLACEHOLDER,
    ),
    (
        "scp-examples.jsonl",
        "data-perimeter-policy-examples/network_perimeter_sourcevpc_scp",
        "invalid-condition-value",
        CIDR_PLACEHOLDER,
    ),
    (
        "scp-examples.jsonl",
        "data-perimeter-policy-examples/network_perimeter_vpceorgid_scp",
        "invalid-condition-value",
        CIDR_PLACEHOLDER,
    ),
    (
        "scp-examples.jsonl",
        "data-perimeter-policy-examples/network_perimeter_ec2_scp",
        "invalid-condition-value",
        CIDR_PLACEHOLDER,
    ),
    (
        "scp-examples.jsonl",
        "data-perimeter-policy-examples/network_perimeter_glue_scp",
        "invalid-condition-value",
        CIDR_PLACEHOLDER,
    ),
    (
        "scp-examples.jsonl",
        "data-perimeter-policy-examples/network_perimeter_iam_users_scp",
        "invalid-condition-value",
        CIDR_PLACEHOLDER,
    ),
    (
        "scp-examples.jsonl",
        "data-perimeter-policy-examples/network_perimeter_lambda_scp",
        "invalid-condition-value",
        CIDR_PLACEHOLDER,
    ),
    (
        "rcp-examples.jsonl",
        "resource-control-policy-examples/Shared-Issuers",
        "rcp-allow",
        "spec §2.4 (RCP): an `Allow` statement that is not the RCPFullAWSAccess one (it allows `sts:AssumeRoleWithWebIdentity` under a condition)",
    ),
    (
        "rcp-examples.jsonl",
        "resource-control-policy-examples/S3-Prevent-long-term-presigned-url",
        "invalid-condition-value",
        "spec §2.5 item 12: the placeholder `[MAX_SIGNATURE_AGE_IN_MILLISECONDS]` under `NumericGreaterThan` is not a number",
    ),
    (
        "rcp-examples.jsonl",
        "data-perimeter-policy-examples/network_perimeter_sourcevpc_rcp",
        "invalid-condition-value",
        CIDR_PLACEHOLDER,
    ),
    (
        "rcp-examples.jsonl",
        "data-perimeter-policy-examples/network_perimeter_vpceorgid_rcp",
        "invalid-condition-value",
        CIDR_PLACEHOLDER,
    ),
    (
        "rcp-examples.jsonl",
        "data-perimeter-policy-examples/api_gateway_policy",
        "rcp-action-wildcard",
        NOT_AN_RCP,
    ),
    (
        "rcp-examples.jsonl",
        "data-perimeter-policy-examples/sns_topic_policy",
        "rcp-action-wildcard",
        NOT_AN_RCP,
    ),
    (
        "resource-policy-examples.jsonl",
        "data-perimeter-policy-examples/s3_endpoint_policy",
        "invalid-action",
        ACTION_PLACEHOLDER,
    ),
    (
        "resource-policy-examples.jsonl",
        "landing-zone-accelerator-on-aws/applicationEbs",
        "not-a-string",
        "spec §2.1 and §2.5 item 11: deployment templates left objects where `Principal.AWS` and condition values must be strings",
    ),
    (
        "resource-policy-examples.jsonl",
        "landing-zone-accelerator-on-aws/apigateway",
        "variable-not-allowed",
        ACCEL_TOKEN,
    ),
    (
        "resource-policy-examples.jsonl",
        "landing-zone-accelerator-on-aws/backup-vault",
        "variable-not-allowed",
        ACCEL_TOKEN,
    ),
    (
        "resource-policy-examples.jsonl",
        "landing-zone-accelerator-on-aws/ecr",
        "variable-not-allowed",
        ACCEL_TOKEN,
    ),
    (
        "resource-policy-examples.jsonl",
        "landing-zone-accelerator-on-aws/glue-catalog",
        "invalid-action",
        "spec §2.5 item 9: an ARN written as an action (more than one `:`)",
    ),
    (
        "resource-policy-examples.jsonl",
        "landing-zone-accelerator-on-aws/iam",
        "variable-not-allowed",
        ACCEL_TOKEN,
    ),
    (
        "resource-policy-examples.jsonl",
        "landing-zone-accelerator-on-aws/lex-bot",
        "variable-not-allowed",
        ACCEL_TOKEN,
    ),
    (
        "resource-policy-examples.jsonl",
        "landing-zone-accelerator-on-aws/s3",
        "variable-not-allowed",
        ACCEL_TOKEN,
    ),
    (
        "resource-policy-examples.jsonl",
        "landing-zone-accelerator-on-aws/sns",
        "variable-not-allowed",
        ACCEL_TOKEN,
    ),
    (
        "resource-policy-examples.jsonl",
        "landing-zone-accelerator-on-aws/sqs",
        "variable-not-allowed",
        ACCEL_TOKEN,
    ),
    (
        "resource-policy-examples.jsonl",
        "iam-user-guide/reference_policies_variables#7",
        "missing-resource",
        NO_RESOURCE,
    ),
    (
        "resource-policy-examples.jsonl",
        "amazon-opensearch-service-developer-guide/dashboards#0",
        "invalid-condition-value",
        "spec §2.5 item 12: `123.456.789.123` under `IpAddress` is not an IP address",
    ),
    (
        "resource-policy-examples.jsonl",
        "amazon-dynamodb-developer-guide/inter-network-traffic-privacy#0",
        "invalid-principal",
        "spec §2.1: the placeholder `(Include IAM Principals)` is neither `\"*\"` nor a principal object",
    ),
    (
        "resource-policy-examples.jsonl",
        "amazon-efs-user-guide/access-control-block-public-access#0",
        "missing-resource",
        NO_RESOURCE,
    ),
    (
        "resource-policy-examples.jsonl",
        "amazon-efs-user-guide/access-control-block-public-access#1",
        "missing-resource",
        NO_RESOURCE,
    ),
    (
        "resource-policy-examples.jsonl",
        "amazon-efs-user-guide/access-control-overview#1",
        "missing-resource",
        NO_RESOURCE,
    ),
    (
        "resource-policy-examples.jsonl",
        "amazon-efs-user-guide/efs-access-points#1",
        "missing-resource",
        NO_RESOURCE,
    ),
    (
        "resource-policy-examples.jsonl",
        "amazon-efs-user-guide/using-aws-transfer-integration#3",
        "missing-resource",
        NO_RESOURCE,
    ),
    (
        "resource-policy-examples.jsonl",
        "amazon-efs-user-guide/using-aws-transfer-integration#4",
        "missing-resource",
        NO_RESOURCE,
    ),
    (
        "resource-policy-examples.jsonl",
        "amazon-efs-user-guide/using-aws-transfer-integration#5",
        "missing-resource",
        NO_RESOURCE,
    ),
    (
        "resource-policy-examples.jsonl",
        "aws-cli/accessanalyzer/check-no-public-access#1",
        "missing-resource",
        NO_RESOURCE,
    ),
    (
        "resource-policy-examples.jsonl",
        "aws-cli/ecr-public/get-repository-policy#1/policyText(json-string)",
        "missing-resource",
        NO_RESOURCE,
    ),
    (
        "resource-policy-examples.jsonl",
        "aws-cli/ecr-public/set-repository-policy#1",
        "missing-resource",
        NO_RESOURCE,
    ),
    (
        "resource-policy-examples.jsonl",
        "aws-cli/ecr-public/set-repository-policy#4",
        "missing-resource",
        NO_RESOURCE,
    ),
    (
        "resource-policy-examples.jsonl",
        "aws-cli/ecr-public/set-repository-policy#5/policyText(json-string)",
        "missing-resource",
        NO_RESOURCE,
    ),
    (
        "resource-policy-examples.jsonl",
        "aws-cli/ecr-public/set-repository-policy#8/policyText(json-string)",
        "missing-resource",
        NO_RESOURCE,
    ),
    (
        "resource-policy-examples.jsonl",
        "aws-cli/lambda/add-layer-version-permission#1",
        "unknown-element",
        "spec §2.5 item 2: CLI output with the top-level element `RevisionId`",
    ),
    (
        "resource-policy-examples.jsonl",
        "aws-cli/ram/get-resource-policies#1/policies[0](json-string)",
        "empty-list",
        "spec §2.5 item 2 and 11 (empty lists): `\"AWS\": []`",
    ),
    (
        "identity-policy-examples.jsonl",
        "iam-user-guide/id_roles_use_passrole#0",
        "invalid-action",
        "spec §2.5 item 9: prose placeholders (`A list of the permissions the role is allowed to use`) as action",
    ),
    (
        "identity-policy-examples.jsonl",
        "iam-user-guide/troubleshoot_policies#11",
        "invalid-action",
        "spec §3.1 rule 3 and §2.5 item 9: `ec2:* ` with a trailing space (the page shows it as a mistake)",
    ),
    (
        "identity-policy-examples.jsonl",
        "iam-user-guide/troubleshoot_policies#12",
        "invalid-action",
        "spec §3.1 rule 3 and §2.5 item 9: `ec2:* ` with a trailing space (the page shows it as a mistake)",
    ),
    (
        "identity-policy-examples.jsonl",
        "amazon-api-gateway-developer-guide/api-gateway-control-access-using-iam-policies-to-invoke-api#0",
        "invalid-effect",
        "spec §2.5 item 4: the placeholder `Permission` as `Effect`",
    ),
    (
        "identity-policy-examples.jsonl",
        "amazon-api-gateway-developer-guide/api-gateway-create-and-attach-iam-policy#0",
        "invalid-action",
        ACTION_PLACEHOLDER,
    ),
    (
        "identity-policy-examples.jsonl",
        "amazon-ec2-user-guide/iam-policy-structure#0",
        "invalid-effect",
        "spec §2.5 item 4: the grammar skeleton (`\"Effect\": \"effect\"`, `\"Action\": \"action\"`)",
    ),
];

struct Set {
    file: &'static str,
    ty: fn(&serde_json::Value) -> PolicyType,
}

fn sets() -> Vec<Set> {
    fn identity(_: &serde_json::Value) -> PolicyType {
        PolicyType::Identity
    }
    fn scp(_: &serde_json::Value) -> PolicyType {
        PolicyType::Scp
    }
    fn rcp(_: &serde_json::Value) -> PolicyType {
        PolicyType::Rcp
    }
    fn resource(line: &serde_json::Value) -> PolicyType {
        if line.get("policy_type").and_then(|v| v.as_str()) == Some("trust") {
            PolicyType::Trust
        } else {
            PolicyType::Resource
        }
    }
    vec![
        Set {
            file: "aws-managed-policies.jsonl",
            ty: identity,
        },
        Set {
            file: "aws-managed-policies-deprecated.jsonl",
            ty: identity,
        },
        Set {
            file: "scp-examples.jsonl",
            ty: scp,
        },
        Set {
            file: "rcp-examples.jsonl",
            ty: rcp,
        },
        Set {
            file: "resource-policy-examples.jsonl",
            ty: resource,
        },
        Set {
            file: "identity-policy-examples.jsonl",
            ty: identity,
        },
    ]
}

fn document<'a, 'v>(line: &'v Value<'a>) -> Option<&'v Value<'a>> {
    line.as_object()?.get("document").map(|p| &p.value)
}

/// The errors only, one per line with their code.
fn errors(diags: &Diagnostics) -> String {
    diags
        .errors()
        .map(|d| format!("  {} [{}] {}", d.loc, d.code, d.message))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_corpus_policy_parses_and_round_trips() {
    let dir = corpus_dir();
    // `GAVEL_PRINT_WARNINGS=1 cargo test --test json_corpus -- --nocapture` lists every lint.
    let print_warnings = std::env::var_os("GAVEL_PRINT_WARNINGS").is_some();
    let mut failures = Vec::new();
    let mut expected_seen = Vec::new();
    let mut warnings: BTreeMap<&'static str, usize> = BTreeMap::new();
    let (mut total, mut accepted, mut round_trips) = (0usize, 0usize, 0usize);
    for set in sets() {
        let path = dir.join(set.file);
        let content = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let mut file_total = 0;
        let mut file_ok = 0;
        for (n, line) in content.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            total += 1;
            file_total += 1;
            let meta: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}:{}: not JSON: {e}", set.file, n + 1));
            let name = meta
                .get("name")
                .and_then(|v| v.as_str())
                .unwrap_or("?")
                .to_string();
            let ty = (set.ty)(&meta);
            let ast = parse_json(line).unwrap_or_else(|d| {
                panic!("{}:{}: the line is not strict JSON:\n{d}", set.file, n + 1)
            });
            let doc =
                document(&ast).unwrap_or_else(|| panic!("{}:{}: no `document`", set.file, n + 1));
            let mut diags = Diagnostics::new();
            let policy = policy_from_ast(doc, line, ty, &mut diags);
            for w in diags.warnings() {
                *warnings.entry(w.code).or_default() += 1;
                if print_warnings {
                    println!("{} `{name}`: {w}", set.file);
                }
            }
            let expected = INVALID
                .iter()
                .find(|(f, nm, _, _)| *f == set.file && *nm == name);
            match (policy, expected) {
                (Some(_), Some((_, _, code, _))) => failures.push(format!(
                    "{} `{name}` is listed as invalid ({code}) but was accepted",
                    set.file
                )),
                (None, Some((_, _, code, _))) => {
                    expected_seen.push(name.clone());
                    if !diags.errors().any(|d| d.code == *code) {
                        failures.push(format!(
                            "{} `{name}` was rejected, but not with `{code}`:\n{}",
                            set.file,
                            errors(&diags)
                        ));
                    }
                }
                (None, None) => failures.push(format!(
                    "{} line {} `{name}` ({ty:?}) was rejected:\n{}",
                    set.file,
                    n + 1,
                    errors(&diags)
                )),
                (Some(policy), None) => {
                    accepted += 1;
                    file_ok += 1;
                    let json = policy_to_json(&policy);
                    let text = serde_json::to_string_pretty(&json)
                        .unwrap_or_else(|e| panic!("cannot serialize: {e}"));
                    match parse_policy(&text, ty) {
                        Ok(again) if again.value == policy => {
                            // The canonical form is a fixed point.
                            if policy_to_json(&again.value) == json {
                                round_trips += 1;
                            } else {
                                failures.push(format!(
                                    "{} `{name}`: policy_to_json is not stable",
                                    set.file
                                ));
                            }
                        }
                        Ok(again) => failures.push(format!(
                            "{} `{name}`: the round trip changed the policy\nbefore: {policy:?}\nafter: {:?}\njson: {text}",
                            set.file, again.value
                        )),
                        Err(d) => failures.push(format!(
                            "{} `{name}`: the re-serialized policy was rejected:\n{}",
                            set.file,
                            d.render("roundtrip.json", &text)
                        )),
                    }
                }
            }
        }
        println!("{:<40} {file_ok:>5} of {file_total:>5} accepted", set.file);
    }
    for (file, name, _, _) in INVALID {
        if !expected_seen.iter().any(|n| n == name) {
            failures.push(format!(
                "{file} `{name}` is listed as invalid but was not found"
            ));
        }
    }
    println!(
        "{total} documents: {accepted} accepted, {} rejected as listed, {round_trips} round trips",
        expected_seen.len()
    );
    println!("warnings by code: {warnings:?}");
    assert!(
        failures.is_empty(),
        "{} corpus failures:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert_eq!(accepted + expected_seen.len(), total);
    assert_eq!(round_trips, accepted);
}
