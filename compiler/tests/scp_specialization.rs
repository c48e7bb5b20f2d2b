//! SCP levels specialized per principal (`PrincipalRecord::scps`): an account's SCPs folded on
//! what each user's and role's own requests know. The folded levels must decide exactly as the
//! account's levels do for those requests, and must not be used for callers whose principal
//! keys differ: a federated user created by a user, the root user, another role's sessions.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "test helpers report failures by panicking"
)]

use gavel_compiler::fuzzcheck::differential;
use gavel_compiler::json::parse_policy;
use gavel_compiler::lower::{CompileOptions, compile_org};
use gavel_compiler::model::{Policy, PolicyType};
use gavel_compiler::org::{
    Account, InlinePolicy, OrgPolicy, OrgRequest, OrgUnit, Organization, Role, Session,
    SessionKind, User,
};
use gavel_runtime::Decision;
use gavel_runtime::tables::Scope;

const A: &str = "111122223333";
const NOW: i64 = 1_800_000_000;

fn pol(text: &str, ty: PolicyType) -> Policy {
    parse_policy(text, ty)
        .unwrap_or_else(|d| panic!("{d}"))
        .value
}

const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// Deletes are denied to everyone but `alice` and the `Breakglass` role; everything outside
/// `us-east-1` is denied to everyone but the `Ops` role; the root user is denied outright.
const GUARDS: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Sid":"OnlyAliceDeletes","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*",
   "Condition":{"ArnNotLike":{"aws:PrincipalArn":["arn:aws:iam::*:user/alice","arn:aws:iam::*:role/Breakglass"]}}},
  {"Sid":"Region","Effect":"Deny","Action":"s3:*","Resource":"*",
   "Condition":{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"},
                "ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Ops"}}},
  {"Sid":"NoRoot","Effect":"Deny","Action":"*","Resource":"*",
   "Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"}}}]}"#;

fn user(name: &str) -> User {
    User {
        name: name.into(),
        path: "/".into(),
        arn: format!("arn:aws:iam::{A}:user/{name}"),
        unique_id: format!("AIDA{}", name.to_uppercase()),
        tags: Vec::new(),
        groups: Vec::new(),
        inline: vec![InlinePolicy {
            name: "all".into(),
            policy: pol(ALLOW_ALL, PolicyType::Identity),
        }],
        managed: Vec::new(),
        boundary: None,
        mfa_enabled: false,
    }
}

fn role(name: &str) -> Role {
    Role {
        name: name.into(),
        path: "/".into(),
        arn: format!("arn:aws:iam::{A}:role/{name}"),
        unique_id: format!("AROA{}", name.to_uppercase()),
        trust: pol(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}"#,
            PolicyType::Trust,
        ),
        inline: vec![InlinePolicy {
            name: "all".into(),
            policy: pol(ALLOW_ALL, PolicyType::Identity),
        }],
        managed: Vec::new(),
        boundary: None,
        tags: Vec::new(),
        max_session_duration: 3600,
    }
}

fn org() -> Organization {
    let mut o = Organization {
        id: Some("o-abc".into()),
        management_account: Some("999999999999".into()),
        ..Default::default()
    };
    o.units.insert(
        "r-root".into(),
        OrgUnit {
            id: "r-root".into(),
            name: "Root".into(),
            parent: None,
            scps: vec!["FullAWSAccess".into(), "Guards".into()],
            rcps: vec![],
        },
    );
    for (name, text) in [("FullAWSAccess", ALLOW_ALL), ("Guards", GUARDS)] {
        o.scps.insert(
            name.into(),
            OrgPolicy {
                name: name.into(),
                policy: pol(text, PolicyType::Scp),
            },
        );
    }
    let mut a = Account {
        id: A.into(),
        name: "prod".into(),
        parent: Some("r-root".into()),
        scps: vec!["FullAWSAccess".into()],
        ..Default::default()
    };
    for name in ["alice", "bob"] {
        a.users.insert(name.into(), user(name));
    }
    for name in ["Breakglass", "Ops", "App"] {
        a.roles.insert(name.into(), role(name));
    }
    o.accounts.insert(A.into(), a);
    o
}

fn session(
    kind: SessionKind,
    arn: String,
    role_arn: Option<String>,
    parent: Option<String>,
) -> Session {
    Session {
        kind,
        arn,
        role_arn,
        parent_arn: parent,
        session_name: "s".into(),
        issued_at: NOW - 100,
        expires_at: NOW + 3600,
        inline_policy: Some(ALLOW_ALL.into()),
        policy_arns: Vec::new(),
        tags: Vec::new(),
        transitive_tag_keys: Vec::new(),
        source_identity: None,
        mfa: false,
        federated_provider: None,
    }
}

/// `who` is a user name, `role:NAME` (a session of that role), `fed:USER` (a federated user
/// created by that user) or `root`.
fn request(who: &str, action: &str, region: &str) -> OrgRequest {
    let mut context = gavel_runtime::Context::new();
    context
        .insert(
            "aws:RequestedRegion",
            gavel_runtime::ContextValue::Single(region.into()),
        )
        .unwrap();
    let (principal, session) = if let Some(r) = who.strip_prefix("role:") {
        let arn = format!("arn:aws:sts::{A}:assumed-role/{r}/s");
        let role_arn = format!("arn:aws:iam::{A}:role/{r}");
        let s = session(SessionKind::Role, arn.clone(), Some(role_arn), None);
        (arn, Some(s))
    } else if let Some(u) = who.strip_prefix("fed:") {
        let arn = format!("arn:aws:sts::{A}:federated-user/{u}-fed");
        let parent = format!("arn:aws:iam::{A}:user/{u}");
        let s = session(SessionKind::FederatedUser, arn.clone(), None, Some(parent));
        (arn, Some(s))
    } else if who == "root" {
        (format!("arn:aws:iam::{A}:root"), None)
    } else {
        (format!("arn:aws:iam::{A}:user/{who}"), None)
    };
    OrgRequest {
        principal,
        action: action.into(),
        resource: "arn:aws:s3:::bucket/key".into(),
        resource_account: None,
        context,
        session,
        time: Some(NOW),
    }
}

#[test]
fn principals_get_their_own_scp_levels_only_where_a_guard_names_them() {
    let tables = compile_org(&org(), &CompileOptions::default()).unwrap();
    let Scope::Org(o) = &tables.scope else {
        panic!("an organization compiles to organization tables")
    };
    let set_of = |name: &str| {
        o.principals
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("{name} is compiled"))
            .scps
    };
    // Every principal folds the guards differently from the account's shared levels; alice
    // and Breakglass fold them alike (both may delete, neither is Ops), as do bob and App.
    for name in ["alice", "bob", "Breakglass", "Ops", "App"] {
        assert!(set_of(name).is_some(), "{name}");
    }
    assert_eq!(set_of("alice"), set_of("Breakglass"));
    assert_eq!(set_of("bob"), set_of("App"));
    assert_ne!(set_of("alice"), set_of("bob"));
    assert_ne!(set_of("bob"), set_of("Ops"));
    assert_eq!(o.scp_sets.len(), 3, "{:?}", o.scp_sets);
    // Without folding, nobody gets a set.
    let plain = compile_org(
        &org(),
        &CompileOptions {
            no_fold: true,
            ..CompileOptions::default()
        },
    )
    .unwrap();
    let Scope::Org(p) = &plain.scope else {
        panic!("organization tables")
    };
    assert!(p.scp_sets.is_empty() && p.principals.iter().all(|r| r.scps.is_none()));
}

#[test]
fn specialized_scp_levels_decide_as_the_accounts_levels_do() {
    use Decision::{Allow, ExplicitDeny};
    let cases = [
        // The users' own requests: folded levels.
        ("alice", "s3:DeleteObject", "us-east-1", Allow),
        ("bob", "s3:DeleteObject", "us-east-1", ExplicitDeny),
        ("bob", "s3:GetObject", "us-east-1", Allow),
        ("bob", "s3:GetObject", "eu-west-1", ExplicitDeny),
        // Role sessions: the role's ARN is `aws:PrincipalArn`.
        ("role:Breakglass", "s3:DeleteObject", "us-east-1", Allow),
        ("role:App", "s3:DeleteObject", "us-east-1", ExplicitDeny),
        ("role:Ops", "s3:GetObject", "eu-west-1", Allow),
        ("role:App", "s3:GetObject", "eu-west-1", ExplicitDeny),
        // A federated user is not its parent user: alice's exemption does not carry over.
        ("fed:alice", "s3:DeleteObject", "us-east-1", ExplicitDeny),
        ("fed:alice", "s3:GetObject", "us-east-1", Allow),
        ("fed:bob", "s3:GetObject", "us-east-1", Allow),
        // The root user uses the account's levels, where `NoRoot` applies.
        ("root", "s3:GetObject", "us-east-1", ExplicitDeny),
    ];
    let requests: Vec<OrgRequest> = cases
        .iter()
        .map(|(who, action, region, _)| request(who, action, region))
        .collect();
    // Reference and compiled file agree on every request (else `differential` fails)...
    let answers = differential(&org(), &requests).unwrap_or_else(|e| panic!("{e}"));
    // ...and the answers are the ones the policies mean.
    for ((who, action, region, want), got) in cases.iter().zip(&answers) {
        assert_eq!(got.decision, *want, "{who} {action} in {region}: {got:?}");
    }
}
