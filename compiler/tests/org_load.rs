//! The organization loaders on real inputs: every account authorization dump of the shared
//! corpus, the IAMSpy fixtures, the bundled example organization, and bad inputs that must
//! give clear errors (file, JSON path, what is wrong) and never panic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failed expectation is a test failure"
)]

mod common;
use common::corpus_dir;
use gavel_compiler::org::load::{
    IamspyFiles, LoadOptions, MissingPolicy, PolicyCatalog, ProblemKind,
    load_authorization_details, load_iamspy, load_manifest, load_manifest_with_warnings,
    load_org_tree, load_resource_list, organization_from_dumps,
};
use std::path::{Path, PathBuf};

fn dumps_dir() -> PathBuf {
    corpus_dir().join("account-authorization-details")
}

fn iamspy_dir() -> PathBuf {
    dumps_dir().join("iamspy")
}

fn example_org() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../corpus/example-org/manifest.json"
    ))
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// SOURCES.md §5: `(file, users, groups, roles, policies, aws-managed policies, inline,
/// boundaries)`.
type Row = (
    &'static str,
    usize,
    usize,
    usize,
    usize,
    usize,
    usize,
    usize,
);

const TABLE: &[Row] = &[
    (
        "cloudsplaining-examples-example.json",
        44,
        5,
        78,
        84,
        38,
        39,
        0,
    ),
    (
        "cloudsplaining-test-example-authz-details.json",
        3,
        2,
        3,
        32,
        30,
        6,
        0,
    ),
    (
        "cloudsplaining-test-example-authz-v2.json",
        1,
        1,
        2,
        2,
        0,
        2,
        0,
    ),
    (
        "cloudsplaining-test-authz-for-overrides-complete.json",
        1,
        1,
        2,
        3,
        1,
        2,
        0,
    ),
    (
        "cloudsplaining-test-managed-policy-mismatch.json",
        0,
        1,
        0,
        1,
        1,
        0,
        0,
    ),
    ("cloudmapper-demo.json", 2, 1, 4, 2, 1, 4, 0),
    ("awscli-doc-example.json", 3, 3, 1, 3, 1, 2, 0),
];

#[test]
fn every_corpus_dump_loads_with_the_documented_counts() {
    let mut files: Vec<String> = std::fs::read_dir(dumps_dir())
        .unwrap()
        .filter_map(|e| {
            let e = e.unwrap();
            let name = e.file_name().into_string().unwrap();
            (e.file_type().unwrap().is_file() && name.ends_with(".json")).then_some(name)
        })
        .collect();
    files.sort();
    let mut listed: Vec<&str> = TABLE.iter().map(|t| t.0).collect();
    listed.sort_unstable();
    assert_eq!(
        files, listed,
        "every top-level dump is in the SOURCES.md table"
    );
    for &(file, users, groups, roles, policies, aws, inline, boundaries) in TABLE {
        let path = dumps_dir().join(file);
        let d = load_authorization_details(&read(&path), file, None)
            .unwrap_or_else(|e| panic!("{file} must load:\n{e}"));
        let a = &d.account;
        let got = (
            a.users.len(),
            a.groups.len(),
            a.roles.len(),
            d.policies.len(),
            d.policies.values().filter(|p| p.is_aws_managed()).count(),
            d.inline_count(),
            d.boundary_count(),
        );
        assert_eq!(
            got,
            (users, groups, roles, policies, aws, inline, boundaries),
            "{file}"
        );
        for w in &d.warnings {
            assert!(w.file == file && !w.is_error(), "{w}");
        }
    }
}

/// IAMSpy's dumps (every file that is not a resource list or a tree).
fn iamspy_files(prefix_filter: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(iamspy_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| prefix_filter(p.file_name().unwrap().to_str().unwrap()))
        .collect();
    v.sort();
    v
}

fn is_resource_list(name: &str) -> bool {
    name.starts_with("resource-")
        || name == "batch-resource.json"
        || name == "cross-account-rp.json"
}

fn is_tree(name: &str) -> bool {
    name.starts_with("scp-")
}

#[test]
fn iamspy_fixtures_load() {
    let dumps = iamspy_files(|n| !is_resource_list(n) && !is_tree(n));
    let resources = iamspy_files(is_resource_list);
    let trees = iamspy_files(is_tree);
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
        .unwrap_or_else(|e| panic!("{}:\n{e}", d.display()));
        assert_eq!(org.value.accounts.len(), 1, "{}", d.display());
    }
    let mut bare = 0;
    let mut total = 0;
    for r in &resources {
        let l = load_resource_list(&read(r), &r.display().to_string())
            .unwrap_or_else(|e| panic!("{}:\n{e}", r.display()));
        total += l.value.len();
        bare += l
            .warnings
            .iter()
            .filter(|w| w.kind == ProblemKind::Rewritten && w.message.contains("bare-string"))
            .count();
    }
    assert_eq!(total, 8);
    assert_eq!(bare, 5, "every fixture principal is a bare string");
    for t in &trees {
        let tree = load_org_tree(&read(t), &t.display().to_string())
            .unwrap_or_else(|e| panic!("{}:\n{e}", t.display()))
            .value;
        assert_eq!(tree.id, "o-abcdefghij");
        // scp-deny-lambda2.json is taken from 123456789012, the management account, which
        // is then the tree's only account (SCPs do not apply to it).
        let mgmt = if t.ends_with("scp-deny-lambda2.json") {
            "123456789012"
        } else {
            "023456789012"
        };
        assert_eq!(tree.management_account, mgmt, "{}", t.display());
        assert_eq!(tree.units.len(), 1, "the root only");
        assert!(tree.scps.contains_key("FullAWSAccess"));
    }
    let blocked = load_org_tree(&read(&iamspy_dir().join("scp-deny-lambda.json")), "t")
        .unwrap()
        .value;
    assert_eq!(
        blocked.units.get("r-abcd").map(|u| u.scps.clone()),
        Some(vec![
            "FullAWSAccess".to_string(),
            "block lambda".to_string()
        ])
    );
}

#[test]
fn iamspy_combinations_as_in_its_tests() {
    let opts = LoadOptions::default();
    // basic-allow.json + cross-account-rp.json: the role in 123456789012, the function in
    // 111111111111 (an account that only owns the resource).
    let org = load_iamspy(
        &IamspyFiles {
            dumps: vec![iamspy_dir().join("basic-allow.json")],
            resources: vec![iamspy_dir().join("cross-account-rp.json")],
            ..IamspyFiles::default()
        },
        &opts,
    )
    .unwrap_or_else(|e| panic!("{e}"))
    .value;
    assert_eq!(org.accounts.len(), 2);
    let f = &org.resources["arn:aws:lambda:eu-west-1:111111111111:function:helloworld"];
    assert_eq!(f.account, "111111111111");
    let principal = f.policy.as_ref().unwrap().statements[0]
        .principal
        .as_ref()
        .unwrap();
    assert_eq!(principal.entries[0].value, "arn:aws:iam::123456789012:root");

    // A tree: the dumped account sits under the root with FullAWSAccess; the management
    // account has no dump and no principals.
    let org = load_iamspy(
        &IamspyFiles {
            dumps: vec![iamspy_dir().join("basic-allow.json")],
            organization: Some(iamspy_dir().join("scp-deny-lambda.json")),
            ..IamspyFiles::default()
        },
        &opts,
    )
    .unwrap_or_else(|e| panic!("{e}"))
    .value;
    assert_eq!(org.id.as_deref(), Some("o-abcdefghij"));
    assert_eq!(org.management_account.as_deref(), Some("023456789012"));
    let a = &org.accounts["123456789012"];
    assert_eq!(a.parent.as_deref(), Some("r-abcd"));
    assert_eq!(a.roles.len(), 1);
    assert_eq!(org.accounts["023456789012"].roles.len(), 0);
    assert_eq!(org.scps.len(), 2);

    // Boundaries resolve against the dump's own Policies.
    let org = load_iamspy(
        &IamspyFiles {
            dumps: vec![iamspy_dir().join("user-boundary-deny.json")],
            ..IamspyFiles::default()
        },
        &opts,
    )
    .unwrap_or_else(|e| panic!("{e}"))
    .value;
    let u = &org.accounts["391638756970"].users["PermissionBoundaryBlock"];
    let b = u.boundary.as_deref().unwrap();
    assert!(org.managed_policies.contains_key(b));
}

#[test]
fn the_example_organization_loads() {
    let loaded = load_manifest_with_warnings(&example_org(), &LoadOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let org = loaded.value;
    let count = |f: &dyn Fn(&Account) -> usize| org.accounts.values().map(f).sum::<usize>();
    assert_eq!(org.accounts.len(), 4);
    assert_eq!(count(&|a| a.users.len()), 9);
    assert_eq!(count(&|a| a.groups.len()), 4);
    assert_eq!(count(&|a| a.roles.len()), 8);
    assert_eq!(org.resources.len(), 9);
    assert_eq!(org.managed_policies.len(), 10);
    assert_eq!(org.units.len(), 4, "the root and three OUs");
    assert_eq!(org.id.as_deref(), Some("o-exampleorg1"));
    assert_eq!(org.management_account.as_deref(), Some("111111111111"));
    assert!(org.accounts["444444444444"].parent.is_none());
    let dev = &org.accounts["333333333333"];
    assert_eq!(dev.users["Charles"].groups, ["Developers", "AuditTeam"]);
    assert!(dev.users["Henry"].groups.is_empty());
    assert!(dev.users["Lucas"].mfa_enabled);
    assert_eq!(
        dev.users["Sophia"].boundary.as_deref(),
        Some("arn:aws:iam::333333333333:policy/DelegatedAdminBoundary")
    );
    assert_eq!(dev.roles["web-batch"].max_session_duration, 7200);
    let mgmt = &org.accounts["111111111111"];
    assert!(mgmt.roles["AWSServiceRoleForOrganizations"].is_service_linked());
    let require_mfa = &org.managed_policies["arn:aws:iam::111111111111:policy/RequireMFA"];
    assert_eq!(require_mfa.versions.len(), 2);
    assert_eq!(require_mfa.default_version, "v2");
    assert_eq!(require_mfa.document().unwrap().statements.len(), 5);
    // Unique ids look like IAM's.
    for a in org.accounts.values() {
        for u in a.users.values() {
            assert!(
                u.unique_id.starts_with("AIDA") && u.unique_id.len() == 21,
                "{}",
                u.unique_id
            );
        }
        for r in a.roles.values() {
            assert!(
                r.unique_id.starts_with("AROA") && r.unique_id.len() == 21,
                "{}",
                r.unique_id
            );
        }
    }
    // The plain entry point gives the same organization.
    assert_eq!(
        load_manifest(&example_org(), &LoadOptions::default()).unwrap(),
        org
    );
}

/// The example organization is self-contained: every path it names is inside its folder.
#[test]
fn the_example_organization_is_self_contained() {
    let dir = example_org().parent().unwrap().to_path_buf();
    for entry in walk(&dir) {
        if entry
            .extension()
            .is_some_and(|e| e == "json" || e == "jsonl")
        {
            let text = read(&entry);
            assert!(
                !text.contains("shared/corpus"),
                "{} names a shared file",
                entry.display()
            );
            assert!(
                !text.contains("../"),
                "{} leaves the folder",
                entry.display()
            );
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

// ----- the example organization's questions -----
//
// Until the organization-level evaluator exists, each question of
// `corpus/example-org/questions.jsonl` is turned into a conformance case by hand here: the
// policy set of the principal (user and group policies, or the role's, the boundary, the SCP
// chain of its account), the resource's policy (or the role's trust policy) and RCP chain,
// and the principal- and resource-derived context keys are taken from the loaded
// organization; the reference interpreter then decides.

use gavel_compiler::conformance::parse_case;
use gavel_compiler::json::policy_to_json;
use gavel_compiler::model::Policy;
use gavel_compiler::org::{Account, Organization};
use gavel_compiler::reference::{Options, decide};
use serde_json::{Map, Value, json};

fn named(name: &str, p: &Policy) -> Value {
    json!({"name": name, "document": policy_to_json(p)})
}

fn managed(org: &Organization, arn: &str) -> Value {
    let m = &org.managed_policies[arn];
    named(&m.name, m.document().unwrap())
}

/// The chain of levels (root first) above an account, with the account's own level last.
fn chain(org: &Organization, account: &Account, scp: bool) -> Value {
    let mut levels = Vec::new();
    let mut cur = account.parent.clone();
    while let Some(id) = cur {
        let u = &org.units[&id];
        levels.push(if scp { u.scps.clone() } else { u.rcps.clone() });
        cur = u.parent.clone();
    }
    levels.reverse();
    levels.push(if scp {
        account.scps.clone()
    } else {
        account.rcps.clone()
    });
    let docs = if scp { &org.scps } else { &org.rcps };
    Value::Array(
        levels
            .iter()
            .map(|l| Value::Array(l.iter().map(|n| named(n, &docs[n].policy)).collect()))
            .collect(),
    )
}

fn member(org: &Organization, account: &str) -> bool {
    org.accounts
        .get(account)
        .is_some_and(|a| a.parent.is_some())
        && org.management_account.as_deref() != Some(account)
}

fn question_case(org: &Organization, q: &Value) -> String {
    let principal = q["principal"].as_str().unwrap();
    let action = q["action"].as_str().unwrap();
    let resource = q["resource"].as_str().unwrap();
    let mut ctx: Map<String, Value> = q["context"].as_object().unwrap().clone();
    let mut case = Map::new();
    let mut identity = Vec::new();
    let mut boundary = Vec::new();
    let mut principal_account = None;
    let put_tags = |ctx: &mut Map<String, Value>, tags: &[(String, String)], prefix: &str| {
        for (k, v) in tags {
            ctx.insert(format!("{prefix}{k}"), json!(v));
        }
    };
    let parts: Vec<&str> = principal.split(':').collect();
    if principal.contains(":user/") {
        let acct = org.accounts.get(parts[4]).unwrap();
        let name = principal.rsplit('/').next().unwrap();
        let u = &acct.users[name];
        for p in &u.inline {
            identity.push(named(&p.name, &p.policy));
        }
        for arn in &u.managed {
            identity.push(managed(org, arn));
        }
        for g in &u.groups {
            let g = &acct.groups[g];
            for p in &g.inline {
                identity.push(named(&p.name, &p.policy));
            }
            for arn in &g.managed {
                identity.push(managed(org, arn));
            }
        }
        if let Some(b) = &u.boundary {
            boundary.push(managed(org, b));
        }
        ctx.insert("aws:username".into(), json!(u.name));
        ctx.insert("aws:userid".into(), json!(u.unique_id));
        ctx.insert("aws:PrincipalArn".into(), json!(u.arn));
        ctx.insert("aws:PrincipalType".into(), json!("User"));
        put_tags(&mut ctx, &u.tags, "aws:PrincipalTag/");
        principal_account = Some(acct);
    } else if principal.contains(":assumed-role/") {
        let acct = org.accounts.get(parts[4]).unwrap();
        let role_name = principal.split('/').nth(1).unwrap();
        let session = principal.rsplit('/').next().unwrap();
        let r = &acct.roles[role_name];
        for p in &r.inline {
            identity.push(named(&p.name, &p.policy));
        }
        for arn in &r.managed {
            identity.push(managed(org, arn));
        }
        if let Some(b) = &r.boundary {
            boundary.push(managed(org, b));
        }
        ctx.insert(
            "aws:userid".into(),
            json!(format!("{}:{session}", r.unique_id)),
        );
        ctx.insert("aws:PrincipalArn".into(), json!(r.arn));
        ctx.insert("aws:PrincipalType".into(), json!("AssumedRole"));
        put_tags(&mut ctx, &r.tags, "aws:PrincipalTag/");
        principal_account = Some(acct);
        case.insert("_roleArn".into(), json!(r.arn));
    } else if principal.ends_with(".amazonaws.com") {
        ctx.insert("aws:PrincipalIsAWSService".into(), json!("true"));
        ctx.insert("aws:PrincipalServiceName".into(), json!(principal));
    }
    if let Some(acct) = principal_account {
        ctx.insert("aws:PrincipalAccount".into(), json!(acct.id));
        ctx.insert("aws:PrincipalIsAWSService".into(), json!("false"));
        if acct.parent.is_some() {
            ctx.insert("aws:PrincipalOrgID".into(), json!(org.id.clone().unwrap()));
        }
        if member(org, &acct.id) {
            case.insert("scps".into(), chain(org, acct, true));
        }
    }
    // The resource: its account, its policy (a role's trust policy for role assumption).
    let resource_account = q
        .get("resourceAccount")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| {
            resource
                .split(':')
                .nth(4)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
        });
    let mut resource_policy = None;
    if let Some(ra) = &resource_account {
        let acct = &org.accounts[ra];
        ctx.insert("aws:ResourceAccount".into(), json!(ra));
        if acct.parent.is_some() {
            ctx.insert("aws:ResourceOrgID".into(), json!(org.id.clone().unwrap()));
        }
        if member(org, ra) {
            case.insert("rcps".into(), chain(org, acct, false));
        }
        if action.to_ascii_lowercase().starts_with("sts:assumerole") {
            let role = acct.roles.values().find(|r| r.arn == resource).unwrap();
            resource_policy = Some(named("trust", &role.trust));
        }
    }
    let bucket = resource
        .strip_prefix("arn:aws:s3:::")
        .map(|k| format!("arn:aws:s3:::{}", k.split('/').next().unwrap()));
    if resource_policy.is_none() {
        let res = org
            .resources
            .get(resource)
            .or_else(|| bucket.as_ref().and_then(|b| org.resources.get(b)));
        if let Some(res) = res {
            if let Some(p) = &res.policy {
                resource_policy = Some(named("resource", p));
            }
            if org.resources.contains_key(resource) {
                put_tags(&mut ctx, &res.tags, "aws:ResourceTag/");
            }
        }
    }
    let mut request =
        json!({"principal": principal, "action": action, "resource": resource, "context": ctx});
    if let Some(ra) = resource_account {
        request["resourceAccount"] = json!(ra);
    }
    if let Some(r) = case.remove("_roleArn") {
        request["roleArn"] = r;
    }
    case.insert("id".into(), q["id"].clone());
    case.insert("identityPolicies".into(), Value::Array(identity));
    if !boundary.is_empty() {
        case.insert("permissionBoundaries".into(), Value::Array(boundary));
    }
    if let Some(p) = resource_policy {
        case.insert("resourcePolicy".into(), p);
    }
    case.insert("request".into(), request);
    case.insert("expect".into(), q["expect"].clone());
    Value::Object(case).to_string()
}

#[test]
fn the_example_questions_have_the_documented_answers() {
    let org = load_manifest(&example_org(), &LoadOptions::default()).unwrap();
    let path = example_org().parent().unwrap().join("questions.jsonl");
    let text = read(&path);
    let mut failures = Vec::new();
    let mut n = 0;
    for (i, line) in text.lines().enumerate() {
        let q: Value = serde_json::from_str(line).unwrap();
        let case_line = question_case(&org, &q);
        let case = parse_case(&case_line, i + 1).unwrap_or_else(|e| panic!("{e:?}\n{case_line}"));
        let e = decide(&case.set, &case.request, &Options::default());
        if Some(e.decision) != case.expect {
            failures.push(format!(
                "{}: expected {:?}, got {:?} ({:?})\n{case_line}",
                q["id"], case.expect, e.decision, e.basis
            ));
        }
        n += 1;
    }
    assert!(n >= 12);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

// ----- quirks and bad input -----

#[test]
fn the_awscli_quirks_are_read_with_warnings() {
    let file = "awscli-doc-example.json";
    let d = load_authorization_details(&read(&dumps_dir().join(file)), file, None).unwrap();
    let admins = &d.account.groups["Admins"];
    assert_eq!(
        admins.managed,
        ["arn:aws:iam::aws:policy/AdministratorAccess"]
    );
    let kinds: Vec<(ProblemKind, &str)> = d
        .warnings
        .iter()
        .map(|w| (w.kind, w.path.as_str()))
        .collect();
    assert!(kinds.contains(&(
        ProblemKind::Rewritten,
        "GroupDetailList[0].AttachedManagedPolicies"
    )));
    assert!(kinds.contains(&(
        ProblemKind::Rewritten,
        "GroupDetailList[1].AttachedManagedPolicies"
    )));
    assert!(kinds.contains(&(ProblemKind::Ignored, "IsTruncated")));
    assert!(kinds.contains(&(ProblemKind::Ignored, "Marker")));
    // Its AWS managed attachments resolve against the corpus's managed policies.
    let catalog = PolicyCatalog::read(&corpus_dir().join("aws-managed-policies.jsonl"))
        .unwrap_or_else(|e| panic!("{e}"));
    // Lenient-mode lints of real AWS policies (wildcards in resource types) are warnings.
    assert!(
        catalog
            .warnings
            .iter()
            .all(|w| w.kind == ProblemKind::PolicyWarning && !w.is_error())
    );
    assert_eq!(catalog.value.len(), 1452);
    let org = organization_from_dumps(vec![d], &catalog.value, &[], &LoadOptions::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .value;
    assert!(
        org.managed_policies
            .contains_key("arn:aws:iam::aws:policy/PowerUserAccess")
    );
    assert!(
        org.managed_policies
            .contains_key("arn:aws:iam::aws:policy/AmazonS3FullAccess")
    );
}

/// Rewrites every policy document of a dump as the raw API returns it: a string holding
/// URL-encoded JSON.
fn url_encode_documents(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, x) in map.iter_mut() {
                let is_doc = matches!(
                    k.as_str(),
                    "PolicyDocument" | "Document" | "AssumeRolePolicyDocument"
                );
                if is_doc && x.is_object() {
                    let text = x.to_string();
                    let enc = percent_encoding::utf8_percent_encode(
                        &text,
                        percent_encoding::NON_ALPHANUMERIC,
                    )
                    .to_string();
                    *x = Value::String(enc);
                } else {
                    url_encode_documents(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(url_encode_documents),
        _ => {}
    }
}

#[test]
fn url_encoded_documents_read_like_objects() {
    for file in [
        "cloudsplaining-test-example-authz-details.json",
        "cloudmapper-demo.json",
    ] {
        let text = read(&dumps_dir().join(file));
        let plain = load_authorization_details(&text, file, None).unwrap();
        let mut v: Value = serde_json::from_str(&text).unwrap();
        url_encode_documents(&mut v);
        let encoded_text = serde_json::to_string_pretty(&v).unwrap();
        assert!(
            encoded_text.contains("%7B%22Version%22"),
            "{file}: documents were encoded"
        );
        let encoded = load_authorization_details(&encoded_text, file, None)
            .unwrap_or_else(|e| panic!("{file}:\n{e}"));
        assert_eq!(encoded.account, plain.account, "{file}");
        assert_eq!(encoded.policies, plain.policies, "{file}");
    }
}

/// A small hand-written dump with URL-encoded documents, as `aws iam
/// get-account-authorization-details --output json` never prints them but the raw API returns
/// them.
const URL_ENCODED_DUMP: &str = r#"{
  "UserDetailList": [],
  "GroupDetailList": [],
  "RoleDetailList": [{
    "Path": "/", "RoleName": "reader", "RoleId": "AROAEXAMPLEREADER0001",
    "Arn": "arn:aws:iam::123456789012:role/reader",
    "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D",
    "RolePolicyList": [{"PolicyName": "read",
      "PolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Abucket%2F%24%7Baws%3Ausername%7D%2F%2A%22%7D%7D"},
      {"PolicyName": "broken",
      "PolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Alow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22%2A%22%7D%7D"}],
    "AttachedManagedPolicies": []
  }],
  "Policies": []
}"#;

#[test]
fn url_encoded_fixture() {
    let good = URL_ENCODED_DUMP
        .replace("\"Alow\"", "\"Allow\"")
        .replace("%22Alow%22", "%22Allow%22");
    let d =
        load_authorization_details(&good, "encoded.json", None).unwrap_or_else(|e| panic!("{e}"));
    let r = &d.account.roles["reader"];
    assert_eq!(r.trust.statements.len(), 1);
    let json = policy_to_json(&r.inline[0].policy).to_string();
    assert!(
        json.contains("arn:aws:s3:::bucket/${aws:username}/*"),
        "{json}"
    );
    // An invalid encoded document: the error names the file, the JSON path and the policy
    // diagnostic (located in the decoded document).
    let e = load_authorization_details(URL_ENCODED_DUMP, "encoded.json", None).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("encoded.json:")
            && msg.contains("`RoleDetailList[0].RolePolicyList[1].PolicyDocument`"),
        "{msg}"
    );
    assert!(
        msg.contains("(in the decoded document)") && msg.contains("`Alow`"),
        "{msg}"
    );
    assert!(e.has(ProblemKind::InvalidPolicy));
    // Not URL encoding at all.
    let bad = good.replace(
        "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B",
        "%zz",
    );
    let e = load_authorization_details(&bad, "encoded.json", None).unwrap_err();
    assert!(e.has(ProblemKind::Encoding), "{e}");
}

#[test]
fn an_invalid_document_names_file_path_and_diagnostic() {
    let file = "cloudmapper-demo.json";
    let text = read(&dumps_dir().join(file));
    // The second role's first inline policy, made invalid.
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["RoleDetailList"][3]["RolePolicyList"][0]["PolicyDocument"]["Statement"][0]["Effect"] =
        json!("Permit");
    let bad = serde_json::to_string_pretty(&v).unwrap();
    let e = load_authorization_details(&bad, file, None).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains(
            "`RoleDetailList[3].RolePolicyList[0].PolicyDocument`: invalid identity-based policy"
        ),
        "{msg}"
    );
    assert!(
        msg.contains(&format!("\n    {file}:")),
        "diagnostics carry file:line:col\n{msg}"
    );
    assert!(msg.contains("`Permit`"), "{msg}");
    let p = e.errors().next().unwrap();
    assert_eq!(p.file, file);
    assert!(p.loc.is_some());
}

#[test]
fn truncated_and_mangled_input_never_panics() {
    let text = read(&dumps_dir().join("awscli-doc-example.json"));
    let e = load_authorization_details(&text[..text.len() / 2], "t.json", None).unwrap_err();
    assert!(e.has(ProblemKind::Json), "{e}");
    assert!(e.to_string().starts_with("t.json:"), "{e}");
    // Every prefix, and a few byte substitutions, through every text loader.
    let mut inputs: Vec<String> = (0..text.len())
        .step_by(13)
        .filter_map(|n| text.get(..n).map(str::to_string))
        .collect();
    for (i, c) in text.char_indices().step_by(97) {
        for with in ["\"", "]", "{", "0", "null", "[]", "\\"] {
            let mut s = text.clone();
            s.replace_range(i..i + c.len_utf8(), with);
            inputs.push(s);
        }
    }
    inputs.extend(
        [
            "",
            "null",
            "[]",
            "[{}]",
            "{\"UserDetailList\": {}}",
            "{\"RoleDetailList\": [1]}",
        ]
        .map(str::to_string),
    );
    for s in &inputs {
        let _ = load_authorization_details(s, "f", None);
        let _ = load_authorization_details(s, "f", Some("123456789012"));
        let _ = load_resource_list(s, "f");
        let _ = load_org_tree(s, "f");
        let _ = PolicyCatalog::parse(s, "f");
    }
}

#[test]
fn a_dangling_group_is_an_error() {
    let file = "awscli-doc-example.json";
    let text = read(&dumps_dir().join(file)).replacen("\"Admins\"\n", "\"Admin\"\n", 1);
    let e = load_authorization_details(&text, file, None).unwrap_err();
    assert!(e.has(ProblemKind::DanglingGroup), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("`UserDetailList[0].GroupList[0]`: user `Alice` is listed in group `Admin`, which the dump does not define"),
        "{msg}"
    );
}

#[test]
fn an_unknown_policy_arn_names_who_attaches_it() {
    let file = "cloudsplaining-test-managed-policy-mismatch.json";
    let d = load_authorization_details(&read(&dumps_dir().join(file)), file, None).unwrap();
    let catalog = PolicyCatalog::read(&corpus_dir().join("aws-managed-policies.jsonl"))
        .unwrap()
        .value;
    let files = ["aws-managed-policies.jsonl".to_string()];
    let e = organization_from_dumps(vec![d.clone()], &catalog, &files, &LoadOptions::default())
        .unwrap_err();
    assert!(e.has(ProblemKind::UnknownPolicy), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("`GroupDetailList[0].AttachedManagedPolicies[0]`: the managed policy `arn:aws:iam::aws:policy/AWSLambdaReadOnlyAccess` attached to group `anton-test` is not defined in the dump's `Policies` and `aws-managed-policies.jsonl`"),
        "{msg}"
    );
    // Downgraded: the attachment is dropped, with a warning.
    let opts = LoadOptions {
        missing_policy: MissingPolicy::Drop,
        ..LoadOptions::default()
    };
    let org = organization_from_dumps(vec![d], &catalog, &files, &opts).unwrap();
    assert!(
        org.value.accounts["123456789012"].groups["anton-test"]
            .managed
            .is_empty()
    );
    assert!(
        org.warnings
            .iter()
            .any(|w| w.kind == ProblemKind::DroppedAttachment)
    );
}

#[test]
fn an_unresolved_boundary_is_always_an_error() {
    let file = "user-boundary-allow.json";
    let text = read(&iamspy_dir().join(file)).replace(
        "\"PermissionsBoundaryArn\": \"arn:aws:iam::aws:policy/",
        "\"PermissionsBoundaryArn\": \"arn:aws:iam::aws:policy/Missing",
    );
    let d = load_authorization_details(&text, file, None).unwrap();
    for missing_policy in [MissingPolicy::Error, MissingPolicy::Drop] {
        let opts = LoadOptions {
            missing_policy,
            ..LoadOptions::default()
        };
        let e = organization_from_dumps(vec![d.clone()], &PolicyCatalog::new(), &[], &opts)
            .unwrap_err();
        assert!(e.has(ProblemKind::UnknownBoundary), "{e}");
        let msg = e.to_string();
        assert!(
            msg.contains("`UserDetailList[0].PermissionsBoundary.PermissionsBoundaryArn`"),
            "{msg}"
        );
        assert!(msg.contains("a boundary is never dropped"), "{msg}");
    }
}

/// A scratch folder for manifests, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("gavel-org-load-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_bad_manifest_reports_every_problem() {
    let s = Scratch::new("bad");
    s.write(
        "dev.json",
        &read(&example_org().parent().unwrap().join("accounts/dev.json")),
    );
    let manifest = s.write(
        "manifest.json",
        r#"{
  "organization": {
    "id": "o-exampleorg1",
    "management_account": "999999999999",
    "root": {"id": "r-ex01", "scps": ["FullAWSAccess"]},
    "units": [
      {"name": "Workloads", "id": "ou-ex01-wkld0001", "parent": "Root", "scps": ["FullAWSAccess", "NoSuchScp"]},
      {"name": "Orphans", "id": "ou-ex01-orph0001", "parent": "Nowhere", "scps": []}
    ],
    "scps": {"FullAWSAccess": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}
  },
  "accounts": [
    {"id": "333333333333", "name": "dev", "parent": "Sandbox", "scps": ["FullAWSAccess"], "authorization_details": "dev.json"},
    {"id": "333333333333", "name": "dev again", "parent": "Workloads", "scps": ["FullAWSAccess"]},
    {"id": "555555555555", "outside_organization": true, "iam": {
      "groups": [{"name": "Readers"}],
      "users": [{"name": "eve", "groups": ["Writers", "arn:aws:iam::333333333333:group/Developers"]}]
    }},
    {"id": "666666666666", "parent": "Workloads", "scps": ["FullAWSAccess"], "authorization_details": "missing.json"},
    {"id": "777777777777", "parent": "Workloads", "scps": ["FullAWSAccess"], "mfa_users": ["nobody"], "colour": "blue"}
  ],
  "resources": [
    {"resource": "arn:aws:s3:::bucket", "account": "888888888888"},
    {"resource": "arn:aws:iam::333333333333:role/Auditor", "account": "333333333333", "policy": {}}
  ]
}"#,
    );
    let e = load_manifest(&manifest, &LoadOptions::default()).unwrap_err();
    let msg = e.to_string();
    let shown = manifest.display().to_string();
    let expect: &[(ProblemKind, &str, &str)] = &[
        (
            ProblemKind::Duplicate,
            "organization.scps.FullAWSAccess",
            "`FullAWSAccess` is predefined",
        ),
        (
            ProblemKind::UnknownOrgPolicy,
            "organization.units[0].scps[1]",
            "unknown SCP `NoSuchScp`",
        ),
        (
            ProblemKind::NoScp,
            "organization.units[1]",
            "OU `Orphans` has no SCP attached",
        ),
        (
            ProblemKind::UnknownUnit,
            "organization.units[1].parent",
            "unknown parent OU `Nowhere`",
        ),
        (
            ProblemKind::UnknownUnit,
            "accounts[0].parent",
            "account `333333333333` names the unknown OU `Sandbox`",
        ),
        (
            ProblemKind::Duplicate,
            "accounts[1]",
            "account `333333333333` is listed twice (first at `accounts[0]`)",
        ),
        (
            ProblemKind::DanglingGroup,
            "accounts[2].iam.users[0].groups[0]",
            "user `eve` is listed in group `Writers`, which account `555555555555` does not define",
        ),
        (
            ProblemKind::ForeignGroup,
            "accounts[2].iam.users[0].groups[1]",
            "a group of another account",
        ),
        (
            ProblemKind::Io,
            "accounts[3].authorization_details",
            "missing.json` does not exist",
        ),
        (
            ProblemKind::Shape,
            "accounts[4].colour",
            "unknown key `colour`",
        ),
        (
            ProblemKind::UnknownUser,
            "accounts[4].mfa_users[0]",
            "account `777777777777` has no user `nobody`",
        ),
        (
            ProblemKind::UnknownAccount,
            "organization.management_account",
            "the management account `999999999999` is not among `accounts`",
        ),
        (
            ProblemKind::UnknownAccount,
            "resources[0].account",
            "names the unknown account `888888888888`",
        ),
        (
            ProblemKind::InvalidValue,
            "resources[1].resource",
            "is a role: its trust policy is not a resource entry",
        ),
    ];
    for (kind, path, text) in expect {
        let found = e.errors().any(|p| {
            p.kind == *kind && p.path == *path && p.message.contains(text) && p.file == shown
        });
        assert!(found, "missing {kind:?} at `{path}` ({text}) in:\n{msg}");
    }
    // The dump's AWS managed attachment resolves nowhere: the manifest names no managed-policy
    // file. That error is in the dump's file.
    let henry = e
        .errors()
        .find(|p| p.kind == ProblemKind::UnknownPolicy)
        .unwrap();
    assert!(
        henry.file.ends_with("dev.json")
            && henry.path == "UserDetailList[5].AttachedManagedPolicies[0]"
    );
    assert!(
        henry.message.contains("attached to user `Henry`"),
        "{henry}"
    );
    assert_eq!(e.errors().count(), expect.len() + 1, "{msg}");
    // Rendered with file:line:col.
    assert!(msg.contains(&format!("{shown}:8:")), "{msg}");
}

#[test]
fn a_manifest_with_an_unknown_ou_is_rejected() {
    let s = Scratch::new("ou");
    let m = s.write(
        "m.json",
        r#"{"organization": {"id": "o-exampleorg1", "management_account": "111111111111",
             "root": {"id": "r-ex01", "scps": ["FullAWSAccess"]}},
            "accounts": [{"id": "111111111111", "parent": "Root", "scps": ["FullAWSAccess"]},
                         {"id": "222222222222", "parent": "Prod", "scps": ["FullAWSAccess"]}]}"#,
    );
    let e = load_manifest(&m, &LoadOptions::default()).unwrap_err();
    assert!(e.has(ProblemKind::UnknownUnit));
    let msg = e.to_string();
    assert!(
        msg.contains("`accounts[1].parent`: account `222222222222` names the unknown OU `Prod`"),
        "{msg}"
    );
    assert!(msg.contains("the root and OUs are `Root`"), "{msg}");
}

#[test]
fn a_manifest_dump_of_another_account_is_rejected() {
    let s = Scratch::new("mismatch");
    s.write("d.json", &read(&iamspy_dir().join("basic-allow.json")));
    let m = s.write(
        "m.json",
        r#"{"accounts": [{"id": "999999999999", "outside_organization": true, "authorization_details": "d.json"}]}"#,
    );
    let e = load_manifest(&m, &LoadOptions::default()).unwrap_err();
    assert!(e.has(ProblemKind::AccountMismatch), "{e}");
    assert!(e.to_string().contains("`RoleDetailList[0].Arn`"), "{e}");
}

#[test]
fn an_ou_cycle_is_reported_and_does_not_hang() {
    let s = Scratch::new("cycle");
    let m = s.write(
        "m.json",
        r#"{"organization": {"id": "o-exampleorg1", "management_account": "111111111111",
             "root": {"id": "r-ex01", "scps": ["FullAWSAccess"]},
             "units": [{"name": "A", "id": "ou-ex01-aaaaaaaa", "parent": "B", "scps": ["FullAWSAccess"]},
                       {"name": "B", "id": "ou-ex01-bbbbbbbb", "parent": "ou-ex01-aaaaaaaa", "scps": ["FullAWSAccess"]}]},
            "accounts": [{"id": "111111111111", "parent": "A", "scps": ["FullAWSAccess"]}]}"#,
    );
    let e = load_manifest(&m, &LoadOptions::default()).unwrap_err();
    assert!(e.has(ProblemKind::Cycle), "{e}");
    assert!(e.to_string().contains("is its own ancestor"), "{e}");
}

#[test]
fn the_example_organization_is_valid_in_strict_mode() {
    let opts = LoadOptions {
        mode: gavel_compiler::json::ParseMode::Strict,
        ..LoadOptions::default()
    };
    let org = load_manifest_with_warnings(&example_org(), &opts).unwrap_or_else(|e| panic!("{e}"));
    assert!(org.warnings.is_empty());
}

#[test]
fn the_documented_example_manifest_loads() {
    let doc = read(&PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/org-manifest.md"
    )));
    let section = doc.split("## A complete example").nth(1).unwrap();
    let block = section
        .split("```json\n")
        .nth(1)
        .and_then(|b| b.split("\n```").next())
        .unwrap();
    let s = Scratch::new("doc");
    let m = s.write("manifest.json", block);
    let loaded =
        load_manifest_with_warnings(&m, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let org = loaded.value;
    assert_eq!(org.accounts.len(), 3);
    let app = &org.accounts["444455556666"];
    assert_eq!(app.users["ana"].arn, "arn:aws:iam::444455556666:user/ana");
    assert!(app.users["ana"].mfa_enabled);
    assert!(app.roles["Reader"].unique_id.starts_with("AROA"));
    assert_eq!(org.managed_policies.len(), 1);
    assert_eq!(org.resources.len(), 1);
    assert_eq!(
        org.rcps.len(),
        2,
        "OrgOnlyS3 and the implicit RCPFullAWSAccess"
    );
}

#[test]
fn every_corpus_dump_resolves_against_the_corpus_managed_policies() {
    let mut catalog = PolicyCatalog::new();
    let mut files = Vec::new();
    for f in [
        "aws-managed-policies.jsonl",
        "aws-managed-policies-deprecated.jsonl",
    ] {
        let c = PolicyCatalog::read(&corpus_dir().join(f)).unwrap_or_else(|e| panic!("{e}"));
        assert!(c.warnings.iter().all(|w| !w.is_error()));
        catalog.merge(c.value);
        files.push(f.to_string());
    }
    assert!(catalog.len() > 1452);
    for &(file, ..) in TABLE {
        let d = load_authorization_details(&read(&dumps_dir().join(file)), file, None).unwrap();
        let r = organization_from_dumps(vec![d], &catalog, &files, &LoadOptions::default());
        if file == "cloudsplaining-test-managed-policy-mismatch.json" {
            // It attaches `AWSLambdaReadOnlyAccess` but holds `AWSLambda_ReadOnlyAccess`.
            assert!(r.unwrap_err().has(ProblemKind::UnknownPolicy), "{file}");
        } else {
            let org = r.unwrap_or_else(|e| panic!("{file}:\n{e}")).value;
            for a in org.accounts.values() {
                let attached = a
                    .users
                    .values()
                    .flat_map(|u| u.managed.iter().chain(&u.boundary))
                    .chain(a.groups.values().flat_map(|g| &g.managed))
                    .chain(
                        a.roles
                            .values()
                            .flat_map(|r| r.managed.iter().chain(&r.boundary)),
                    );
                for arn in attached {
                    assert!(org.managed_policies.contains_key(arn), "{file}: {arn}");
                }
            }
        }
    }
}
