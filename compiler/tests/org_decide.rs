//! The org-level reference evaluator: principal resolution, derived context keys (spec §1.1.4),
//! spoofing, sessions and role assumption (spec §6.9).

#![allow(clippy::panic, reason = "test helpers report failures by panicking")]

use gavel_compiler::json::parse_policy;
use gavel_compiler::model::{Policy, PolicyType};
use gavel_compiler::org::{
    Account, AssumeKind, AssumeRoleError, AssumeRoleInput, Group, InlinePolicy, ManagedPolicy,
    OrgPolicy, OrgRequest, OrgUnit, Organization, Resource, Role, User, assume_role, resolve,
};
use gavel_compiler::reference::{Options, decide_org};
use gavel_runtime::{Context, ContextValue, Decision, DenyBasis};

const A: &str = "111122223333";
const B: &str = "444455556666";
const T0: i64 = 1_800_000_000;

fn pol(text: &str, ty: PolicyType) -> Policy {
    parse_policy(text, ty)
        .unwrap_or_else(|d| panic!("{d}"))
        .value
}

fn inline(name: &str, text: &str) -> InlinePolicy {
    InlinePolicy {
        name: name.into(),
        policy: pol(text, PolicyType::Identity),
    }
}

fn role(account: &str, name: &str, trust: &str, policies: Vec<InlinePolicy>) -> Role {
    Role {
        name: name.into(),
        path: "/".into(),
        arn: format!("arn:aws:iam::{account}:role/{name}"),
        unique_id: format!("AROA{name}ID"),
        trust: pol(trust, PolicyType::Trust),
        inline: policies,
        managed: Vec::new(),
        boundary: None,
        tags: vec![("team".into(), "blue".into())],
        max_session_duration: 7200,
    }
}

fn user(account: &str, name: &str, groups: &[&str], policies: Vec<InlinePolicy>) -> User {
    User {
        name: name.into(),
        path: "/".into(),
        arn: format!("arn:aws:iam::{account}:user/{name}"),
        unique_id: format!("AIDA{}", name.to_uppercase()),
        tags: vec![("team".into(), "web".into())],
        groups: groups.iter().map(|g| g.to_string()).collect(),
        inline: policies,
        managed: Vec::new(),
        boundary: None,
        mfa_enabled: false,
    }
}

const ALLOW_S3: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
const ALLOW_ASSUME_T: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"arn:aws:iam::111122223333:role/T"}]}"#;

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
            scps: vec!["FullAWSAccess".into()],
            rcps: vec![],
        },
    );
    o.units.insert(
        "ou-prod".into(),
        OrgUnit {
            id: "ou-prod".into(),
            name: "prod".into(),
            parent: Some("r-root".into()),
            scps: vec!["FullAWSAccess".into(), "DenyLeave".into()],
            rcps: vec![],
        },
    );
    o.scps.insert(
        "FullAWSAccess".into(),
        OrgPolicy {
            name: "FullAWSAccess".into(),
            policy: pol(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#, PolicyType::Scp),
        },
    );
    o.scps.insert(
        "DenyLeave".into(),
        OrgPolicy {
            name: "DenyLeave".into(),
            policy: pol(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}"#, PolicyType::Scp),
        },
    );
    let mut a = Account {
        id: A.into(),
        name: "prod".into(),
        parent: Some("ou-prod".into()),
        scps: vec!["FullAWSAccess".into()],
        ..Default::default()
    };
    a.groups.insert(
        "dev".into(),
        Group {
            name: "dev".into(),
            path: "/".into(),
            arn: format!("arn:aws:iam::{A}:group/dev"),
            unique_id: "AGPADEV".into(),
            inline: vec![inline("dev-s3", ALLOW_S3)],
            managed: vec![],
        },
    );
    a.users
        .insert("alice".into(), user(A, "alice", &["dev"], vec![]));
    a.users.insert("bob".into(), user(A, "bob", &[], vec![]));
    let mut carol = user(A, "carol", &[], vec![inline("assume", ALLOW_ASSUME_T)]);
    carol.boundary = Some(format!("arn:aws:iam::{A}:policy/OnlyS3"));
    a.users.insert("carol".into(), carol);
    a.users.insert(
        "erin".into(),
        user(A, "erin", &[], vec![inline("assume", ALLOW_ASSUME_T)]),
    );
    a.roles.insert(
        "T".into(),
        role(
            A,
            "T",
            r#"{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/bob","arn:aws:iam::111122223333:user/carol","arn:aws:iam::444455556666:user/dave","arn:aws:iam::111122223333:root"]},"Action":["sts:AssumeRole","sts:TagSession"]},
                {"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity",
                 "Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/app:*"}}}]}"#,
            vec![inline("t-s3", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/${aws:PrincipalTag/team}/*"}]}"#)],
        ),
    );
    o.accounts.insert(A.into(), a);
    let mut b = Account {
        id: B.into(),
        name: "partner".into(),
        ..Default::default()
    };
    b.users.insert("dave".into(), user(B, "dave", &[], vec![]));
    o.accounts.insert(B.into(), b);
    o.managed_policies.insert(
        format!("arn:aws:iam::{A}:policy/OnlyS3"),
        ManagedPolicy {
            arn: format!("arn:aws:iam::{A}:policy/OnlyS3"),
            name: "OnlyS3".into(),
            path: "/".into(),
            default_version: "v1".into(),
            versions: vec![("v1".into(), pol(ALLOW_S3, PolicyType::Identity))],
        },
    );
    o.resources.insert(
        "arn:aws:s3:::b".into(),
        Resource {
            arn: "arn:aws:s3:::b".into(),
            account: A.into(),
            tags: vec![("team".into(), "web".into())],
            policy: None,
        },
    );
    o
}

fn req(principal: &str, action: &str, resource: &str) -> OrgRequest {
    OrgRequest {
        principal: principal.into(),
        action: action.into(),
        resource: resource.into(),
        time: Some(T0),
        ..Default::default()
    }
}

fn single<'a>(ctx: &'a Context, key: &str) -> Option<&'a str> {
    ctx.get_single(key)
}

#[test]
fn derived_keys_of_an_iam_user() {
    let o = org();
    let r = resolve(
        &o,
        &req(
            "arn:aws:iam::111122223333:user/alice",
            "s3:GetObject",
            "arn:aws:s3:::b",
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let c = &r.request.context;
    assert_eq!(single(c, "aws:username"), Some("alice"));
    assert_eq!(single(c, "aws:userid"), Some("AIDAALICE"));
    assert_eq!(
        single(c, "aws:PrincipalArn"),
        Some("arn:aws:iam::111122223333:user/alice")
    );
    assert_eq!(single(c, "aws:PrincipalAccount"), Some(A));
    assert_eq!(single(c, "aws:PrincipalType"), Some("User"));
    assert_eq!(single(c, "aws:PrincipalOrgID"), Some("o-abc"));
    assert_eq!(
        c.get("aws:PrincipalOrgPaths"),
        Some(&ContextValue::List(vec!["o-abc/r-root/ou-prod/".into()]))
    );
    assert_eq!(single(c, "aws:PrincipalTag/team"), Some("web"));
    assert_eq!(single(c, "aws:ResourceAccount"), Some(A));
    assert_eq!(single(c, "aws:ResourceTag/team"), Some("web"));
    assert_eq!(single(c, "aws:EpochTime"), Some("1800000000"));
    assert_eq!(single(c, "aws:CurrentTime"), Some("2027-01-15T08:00:00Z"));
    // Group policy gathered, SCP chain root -> OU -> account.
    assert_eq!(r.set.identity.len(), 1);
    assert_eq!(r.set.scps.as_ref().map(Vec::len), Some(3));
}

#[test]
fn derived_keys_of_root_session_and_outsider() {
    let o = org();
    let root = resolve(
        &o,
        &req("arn:aws:iam::111122223333:root", "s3:GetObject", "*"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(single(&root.request.context, "aws:userid"), Some(A));
    assert_eq!(
        single(&root.request.context, "aws:PrincipalType"),
        Some("Account")
    );
    assert!(root.request.context.get("aws:username").is_none());

    let s = resolve(
        &o,
        &req(
            "arn:aws:sts::111122223333:assumed-role/T/s1",
            "s3:GetObject",
            "*",
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let c = &s.request.context;
    assert_eq!(
        single(c, "aws:PrincipalArn"),
        Some("arn:aws:iam::111122223333:role/T"),
        "a session's PrincipalArn is the role"
    );
    assert_eq!(single(c, "aws:userid"), Some("AROATID:s1"));
    assert_eq!(single(c, "aws:PrincipalType"), Some("AssumedRole"));
    assert!(c.get("aws:username").is_none());

    let d = resolve(
        &o,
        &req(
            "arn:aws:iam::444455556666:user/dave",
            "s3:GetObject",
            "arn:aws:s3:::b/k",
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        d.request.context.get("aws:PrincipalOrgID").is_none(),
        "outsiders have no org id"
    );
    assert!(
        d.set.scps.is_none(),
        "SCPs do not apply outside the organization"
    );

    let anon = resolve(&o, &req("anonymous", "s3:GetObject", "arn:aws:s3:::b/k"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        single(&anon.request.context, "aws:PrincipalAccount"),
        Some("anonymous")
    );
    assert_eq!(
        single(&anon.request.context, "aws:PrincipalType"),
        Some("Anonymous")
    );
}

#[test]
fn spoofed_principal_keys_do_not_change_the_decision() {
    let mut o = org();
    o.resources.insert(
        "arn:aws:s3:::secret".into(),
        Resource {
            arn: "arn:aws:s3:::secret".into(),
            account: A.into(),
            tags: vec![],
            policy: Some(pol(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::secret/*","Condition":{"StringEquals":{"aws:PrincipalTag/clearance":"top"}}}]}"#, PolicyType::Resource)),
        },
    );
    let mut r = req(
        "arn:aws:iam::111122223333:user/bob",
        "s3:GetObject",
        "arn:aws:s3:::secret/k",
    );
    let honest = decide_org(&o, &r, &Options::default());
    assert_eq!(honest.decision, Decision::ImplicitDeny);
    r.context.set(
        "aws:PrincipalTag/clearance",
        ContextValue::Single("top".into()),
    );
    r.context.set(
        "AWS:PRINCIPALARN",
        ContextValue::Single("arn:aws:iam::111122223333:root".into()),
    );
    let spoofed = decide_org(&o, &r, &Options::default());
    assert_eq!(spoofed.decision, Decision::ImplicitDeny);
    let resolved = resolve(&o, &r).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        single(&resolved.request.context, "aws:PrincipalArn"),
        Some("arn:aws:iam::111122223333:user/bob")
    );
    assert!(
        resolved
            .request
            .context
            .get("aws:PrincipalTag/clearance")
            .is_none()
    );
}

#[test]
fn group_policies_grant_and_unknown_principals_are_denied_with_a_reason() {
    let o = org();
    let e = decide_org(
        &o,
        &req(
            "arn:aws:iam::111122223333:user/alice",
            "s3:PutObject",
            "arn:aws:s3:::b/k",
        ),
        &Options::default(),
    );
    assert_eq!(e.decision, Decision::Allow);
    assert_eq!(
        e.statements.first().map(|s| s.policy.as_str()),
        Some("dev/dev-s3")
    );
    let e = decide_org(
        &o,
        &req("arn:aws:iam::111122223333:user/nobody", "s3:GetObject", "*"),
        &Options::default(),
    );
    assert_eq!(e.decision, Decision::ExplicitDeny);
    assert!(
        matches!(e.basis, DenyBasis::Error(ref m) if m.contains("does not exist")),
        "{:?}",
        e.basis
    );
}

fn input(caller: &str) -> AssumeRoleInput {
    AssumeRoleInput {
        caller: caller.into(),
        role_arn: "arn:aws:iam::111122223333:role/T".into(),
        session_name: "s1".into(),
        time: Some(T0),
        ..Default::default()
    }
}

#[test]
fn assume_role_same_account_by_trust_alone() {
    let o = org();
    let s = assume_role(
        &o,
        &input("arn:aws:iam::111122223333:user/bob"),
        &Options::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.arn, "arn:aws:sts::111122223333:assumed-role/T/s1");
    assert_eq!(s.expires_at - s.issued_at, 3600);
    // A user the trust policy does not name, with no identity policy: the trust policy trusts
    // the account (root), which delegates, so an identity allow is needed (C-76).
    let e = assume_role(
        &o,
        &input("arn:aws:iam::111122223333:user/alice"),
        &Options::default(),
    );
    assert!(
        matches!(
            e,
            Err(AssumeRoleError::Denied {
                decision: Decision::ImplicitDeny,
                ..
            })
        ),
        "{e:?}"
    );
    // erin has the identity allow and the account is trusted.
    assert!(
        assume_role(
            &o,
            &input("arn:aws:iam::111122223333:user/erin"),
            &Options::default()
        )
        .is_ok()
    );
}

#[test]
fn assume_role_respects_the_callers_boundary() {
    // carol is named in the trust policy and allowed by her identity policy, but her boundary
    // allows only s3:* (A-24, C-78).
    let o = org();
    let e = assume_role(
        &o,
        &input("arn:aws:iam::111122223333:user/carol"),
        &Options::default(),
    );
    assert!(
        matches!(
            e,
            Err(AssumeRoleError::Denied {
                decision: Decision::ImplicitDeny,
                ..
            })
        ),
        "{e:?}"
    );
}

#[test]
fn assume_role_cross_account_needs_both_sides() {
    let mut o = org();
    let e = assume_role(
        &o,
        &input("arn:aws:iam::444455556666:user/dave"),
        &Options::default(),
    );
    assert!(matches!(e, Err(AssumeRoleError::Denied { .. })), "{e:?}");
    let with_policy = user(B, "dave", &[], vec![inline("assume", ALLOW_ASSUME_T)]);
    o.accounts
        .get_mut(B)
        .map(|b| b.users.insert("dave".into(), with_policy));
    assert!(
        assume_role(
            &o,
            &input("arn:aws:iam::444455556666:user/dave"),
            &Options::default()
        )
        .is_ok()
    );
}

#[test]
fn sessions_carry_policies_tags_and_expiry() {
    let o = org();
    let mut i = input("arn:aws:iam::111122223333:user/bob");
    i.inline_policy = Some(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#.into());
    i.tags = vec![("team".into(), "red".into())];
    i.transitive_tag_keys = vec!["team".into()];
    let s = assume_role(&o, &i, &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let mut r = req(&s.arn, "s3:GetObject", "arn:aws:s3:::b/red/x");
    r.session = Some(s.clone());
    r.time = Some(T0 + 60);
    // Session tag team=red overrides the role's team=blue in ${aws:PrincipalTag/team}.
    assert_eq!(
        decide_org(&o, &r, &Options::default()).decision,
        Decision::Allow
    );
    r.resource = "arn:aws:s3:::b/blue/x".into();
    assert_eq!(
        decide_org(&o, &r, &Options::default()).decision,
        Decision::ImplicitDeny
    );
    // The session policy caps the role: PutObject is allowed by the role, not the session.
    let mut put = req(&s.arn, "s3:PutObject", "arn:aws:s3:::b/red/x");
    put.session = Some(s.clone());
    put.time = Some(T0 + 60);
    let e = decide_org(&o, &put, &Options::default());
    assert_eq!(
        (e.decision, e.basis),
        (Decision::ImplicitDeny, DenyBasis::SessionPolicyLimit)
    );
    // Expired.
    let mut late = req(&s.arn, "s3:GetObject", "arn:aws:s3:::b/red/x");
    late.session = Some(s.clone());
    late.time = Some(T0 + 3600);
    let e = decide_org(&o, &late, &Options::default());
    assert_eq!(e.decision, Decision::ImplicitDeny);
    assert!(matches!(e.basis, DenyBasis::SessionExpired(_)));
    // Role chaining is limited to one hour.
    let mut chain = input(&s.arn);
    chain.caller_session = Some(s.clone());
    chain.time = Some(T0 + 60);
    chain.duration = Some(7200);
    assert!(matches!(
        assume_role(&o, &chain, &Options::default()),
        Err(AssumeRoleError::Invalid(_))
    ));
}

#[test]
fn web_identity_through_a_federated_trust_statement() {
    let o = org();
    let mut i =
        input("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com");
    i.kind = AssumeKind::WebIdentity;
    i.context.set(
        "token.actions.githubusercontent.com:aud",
        ContextValue::Single("sts.amazonaws.com".into()),
    );
    i.context.set(
        "token.actions.githubusercontent.com:sub",
        ContextValue::Single("repo:acme/app:ref:refs/heads/main".into()),
    );
    let s = assume_role(&o, &i, &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        s.federated_provider.as_deref(),
        Some("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com")
    );
    i.context.set(
        "token.actions.githubusercontent.com:sub",
        ContextValue::Single("repo:evil/app:ref:refs/heads/main".into()),
    );
    assert!(matches!(
        assume_role(&o, &i, &Options::default()),
        Err(AssumeRoleError::Denied { .. })
    ));
}

#[test]
fn invalid_parameters_are_refused() {
    let o = org();
    let mut i = input("arn:aws:iam::111122223333:user/bob");
    i.session_name = "x".into();
    assert!(matches!(
        assume_role(&o, &i, &Options::default()),
        Err(AssumeRoleError::Invalid(_))
    ));
    let mut i = input("arn:aws:iam::111122223333:user/bob");
    i.duration = Some(600);
    assert!(matches!(
        assume_role(&o, &i, &Options::default()),
        Err(AssumeRoleError::Invalid(_))
    ));
    let i = input("arn:aws:iam::111122223333:root");
    assert!(matches!(
        assume_role(&o, &i, &Options::default()),
        Err(AssumeRoleError::Invalid(_))
    ));
    let mut i = input("arn:aws:iam::111122223333:user/bob");
    i.role_arn = "arn:aws:iam::111122223333:role/Nope".into();
    assert!(matches!(
        assume_role(&o, &i, &Options::default()),
        Err(AssumeRoleError::Invalid(_))
    ));
}
