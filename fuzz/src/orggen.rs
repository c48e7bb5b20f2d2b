//! Structured inputs for the `differential` target (STYLE.md 13): an [`Input`] is an
//! organization and several requests drawn from one small vocabulary, so that the actions,
//! resources, principals and condition values written in policies actually meet the requests.
//!
//! The vocabulary: three accounts (the management account, a member under `ou-dev`, and one
//! that is a member under `ou-prod` or standalone), two users, a group and two roles in each,
//! two customer managed policies per account (attachable as policies or as boundaries), up to
//! three SCPs and two RCPs attached at the root, the OUs and the accounts, buckets, a KMS key
//! and a queue with resource policies and tags, conditions of every operator family with
//! `IfExists` and set modifiers, policy variables. Requests come from users, the root user,
//! role sessions (with session policies and tags), a service and anonymous callers.
//!
//! Policies are built as IAM JSON and read with the JSON front end in lenient mode; one that
//! does not read (a combination AWS forbids) is left out, so every organization is valid.

use arbitrary::Arbitrary;
use gavel_compiler::json::{ParseMode, parse_policy_with};
use gavel_compiler::model::{Policy, PolicyType};
use gavel_compiler::org::{
    Account, Group, InlinePolicy, ManagedPolicy, OrgPolicy, OrgRequest, OrgUnit, Organization,
    Resource, Role, Session, SessionKind, User,
};
use gavel_runtime::{Context, ContextValue};
use serde_json::{Map, Value, json};

/// The request time of every generated request (2025-06-15).
pub const NOW: i64 = 1_750_000_000;
const ORG: &str = "o-fuzz";
const ACCOUNTS: [&str; 3] = ["111111111111", "222222222222", "333333333333"];
const USERS: [&str; 2] = ["alice", "bob"];
const ROLES: [&str; 2] = ["app", "admin"];
const SCPS: [&str; 3] = ["scp0", "scp1", "scp2"];
const RCPS: [&str; 2] = ["rcp0", "rcp1"];

/// One fuzz case: an organization and the requests decided against it.
#[derive(Arbitrary, Debug)]
pub struct Input {
    /// The organization.
    pub org: OrgSpec,
    /// The requests (the first six are used; at least one is always made).
    pub requests: Vec<RequestSpec>,
}

/// The organization's shape and policies.
#[derive(Arbitrary, Debug)]
pub struct OrgSpec {
    third_in_org: bool,
    prod_under_dev: bool,
    scps: [PolicySpec; 3],
    rcps: [PolicySpec; 2],
    /// SCP attachments of root, ou-dev, ou-prod, then the three accounts.
    scp_attach: [Attach; 6],
    /// RCP attachments, same order.
    rcp_attach: [Attach; 6],
    accounts: [AccountSpec; 3],
    resources: Vec<ResourceSpec>,
}

/// Which organization policies a node has: `FullAWSAccess` (SCPs only) and a mask of the
/// generated ones.
#[derive(Arbitrary, Debug, Clone, Copy)]
struct Attach {
    full: bool,
    mask: u8,
}

#[derive(Arbitrary, Debug)]
struct AccountSpec {
    users: [UserSpec; 2],
    group: Vec<PolicySpec>,
    group_managed: u8,
    roles: [RoleSpec; 2],
    managed: [PolicySpec; 2],
}

#[derive(Arbitrary, Debug)]
struct UserSpec {
    present: bool,
    in_group: bool,
    inline: Vec<PolicySpec>,
    managed: u8,
    boundary: Option<bool>,
    tags: Vec<Tag>,
    mfa: bool,
}

#[derive(Arbitrary, Debug)]
struct RoleSpec {
    present: bool,
    trust: PolicySpec,
    inline: Vec<PolicySpec>,
    managed: u8,
    boundary: Option<bool>,
    tags: Vec<Tag>,
}

#[derive(Arbitrary, Debug)]
struct ResourceSpec {
    kind: ResKind,
    account: u8,
    tags: Vec<Tag>,
    policy: Option<PolicySpec>,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum ResKind {
    Bucket0,
    Bucket1,
    Key,
    Queue,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
struct Tag {
    key: bool,
    value: u8,
}

impl Tag {
    fn pair(self) -> (String, String) {
        let key = if self.key { "team" } else { "env" };
        let value = ["red", "blue", "prod", "alice"][usize::from(self.value % 4)];
        (key.to_string(), value.to_string())
    }
}

/// A policy document.
#[derive(Arbitrary, Debug, Clone)]
pub struct PolicySpec {
    version: u8,
    statements: Vec<StmtSpec>,
}

#[derive(Arbitrary, Debug, Clone)]
struct StmtSpec {
    deny: bool,
    sid: bool,
    not_action: bool,
    actions: Vec<Act>,
    not_resource: bool,
    resources: Vec<Res>,
    principal: Option<PrincipalSpec>,
    conditions: Vec<CondSpec>,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Act {
    GetObject,
    PutObject,
    S3Star,
    S3GetStar,
    Star,
    AssumeRole,
    Decrypt,
    PassRole,
    SendMessage,
    QuestGetObject,
    UpperGetObject,
    ListBucket,
}

impl Act {
    fn text(self) -> &'static str {
        match self {
            Act::GetObject => "s3:GetObject",
            Act::PutObject => "s3:PutObject",
            Act::S3Star => "s3:*",
            Act::S3GetStar => "s3:Get*",
            Act::Star => "*",
            Act::AssumeRole => "sts:AssumeRole",
            Act::Decrypt => "kms:Decrypt",
            Act::PassRole => "iam:PassRole",
            Act::SendMessage => "sqs:SendMessage",
            Act::QuestGetObject => "s3:?etObject",
            Act::UpperGetObject => "S3:GETOBJECT",
            Act::ListBucket => "s3:ListBucket",
        }
    }
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Res {
    Star,
    Bucket(bool),
    Object(bool),
    BucketStar(bool),
    UserFolder,
    AliceObject,
    AllS3,
    Role(u8, bool),
    AnyRole,
    Key(u8),
    AnyKey,
    Queue(u8),
    ArnStar,
    ServiceHead,
    QuestBucket,
}

impl Res {
    fn text(self) -> String {
        let b = |x: bool| if x { "bkt-1" } else { "bkt-0" };
        match self {
            Res::Star => "*".into(),
            Res::Bucket(x) => format!("arn:aws:s3:::{}", b(x)),
            Res::Object(x) => format!("arn:aws:s3:::{}/key", b(x)),
            Res::BucketStar(x) => format!("arn:aws:s3:::{}/*", b(x)),
            Res::UserFolder => "arn:aws:s3:::bkt-0/${aws:username}/*".into(),
            Res::AliceObject => "arn:aws:s3:::bkt-0/alice/x".into(),
            Res::AllS3 => "arn:aws:s3:::*".into(),
            Res::Role(a, r) => format!("arn:aws:iam::{}:role/{}", acct(a), role(r)),
            Res::AnyRole => "arn:aws:iam::*:role/*".into(),
            Res::Key(a) => format!("arn:aws:kms:us-east-1:{}:key/k1", acct(a)),
            Res::AnyKey => "arn:aws:kms:*:*:key/*".into(),
            Res::Queue(a) => format!("arn:aws:sqs:us-east-1:{}:q", acct(a)),
            Res::ArnStar => "arn:*".into(),
            Res::ServiceHead => "arn:aws:s3:*".into(),
            Res::QuestBucket => "arn:aws:s3:::bkt-?".into(),
        }
    }
}

fn acct(a: u8) -> &'static str {
    ACCOUNTS[usize::from(a % 3)]
}

fn role(r: bool) -> &'static str {
    if r { ROLES[1] } else { ROLES[0] }
}

#[derive(Arbitrary, Debug, Clone)]
struct PrincipalSpec {
    not: bool,
    entries: Vec<PrinEntry>,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum PrinEntry {
    Star,
    AwsStar,
    Account(u8),
    Root(u8),
    User(u8, bool),
    Role(u8, bool),
    Session(u8, bool),
    Service,
}

#[derive(Arbitrary, Debug, Clone)]
struct CondSpec {
    op: Op,
    set: u8,
    if_exists: bool,
    key: Key,
    values: Vec<Val>,
}

#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

impl Op {
    fn name(self) -> String {
        format!("{self:?}")
    }

    /// The values that make sense for the operator's family.
    fn family(self) -> &'static [&'static str] {
        use Op::*;
        match self {
            NumericEquals
            | NumericNotEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => &["10", "3600", "-1", "1.5", "0"],
            DateEquals
            | DateNotEquals
            | DateLessThan
            | DateLessThanEquals
            | DateGreaterThan
            | DateGreaterThanEquals => &[
                "2020-01-01T00:00:00Z",
                "2030-01-01T00:00:00Z",
                "1750000000",
                "2025-06-15",
            ],
            Bool | Null => &["true", "false"],
            BinaryEquals => &["QmluYXJ5", "YWxpY2U="],
            IpAddress | NotIpAddress => &["10.0.0.0/8", "192.168.1.1/32", "::1/128", "10.1.2.3"],
            ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => &[
                "arn:aws:iam::222222222222:role/app",
                "arn:aws:iam::*:role/*",
                "arn:aws:iam::222222222222:user/alice",
                "arn:aws:s3:::bkt-*",
                "arn:aws:iam::${aws:PrincipalAccount}:*",
            ],
            _ => &[
                "alice",
                "bob",
                "red",
                "blue",
                "${aws:username}",
                "a*",
                "*",
                "${aws:PrincipalTag/team}",
                "o-fuzz",
                "o-fuzz/r-root/ou-dev/*",
                "222222222222",
                "AIDA*",
                "User",
                "AssumedRole",
                "${aws:PrincipalAccount}",
                "${aws:ResourceAccount}",
                "team",
                "${aws:undefined, 'dflt'}",
            ],
        }
    }
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Key {
    Username,
    PrincipalTagTeam,
    ResourceTagEnv,
    RequestTagEnv,
    TagKeys,
    SourceIp,
    SecureTransport,
    CurrentTime,
    MfaAge,
    MfaPresent,
    S3Prefix,
    MaxKeys,
    SourceArn,
    PrincipalArn,
    PrincipalAccount,
    PrincipalOrgId,
    PrincipalOrgPaths,
    ResourceAccount,
    UserId,
    PrincipalType,
    BinKey,
}

impl Key {
    fn text(self) -> &'static str {
        match self {
            Key::Username => "aws:username",
            Key::PrincipalTagTeam => "aws:PrincipalTag/team",
            Key::ResourceTagEnv => "aws:ResourceTag/env",
            Key::RequestTagEnv => "aws:RequestTag/env",
            Key::TagKeys => "aws:TagKeys",
            Key::SourceIp => "aws:SourceIp",
            Key::SecureTransport => "aws:SecureTransport",
            Key::CurrentTime => "aws:CurrentTime",
            Key::MfaAge => "aws:MultiFactorAuthAge",
            Key::MfaPresent => "aws:MultiFactorAuthPresent",
            Key::S3Prefix => "s3:prefix",
            Key::MaxKeys => "s3:max-keys",
            Key::SourceArn => "aws:SourceArn",
            Key::PrincipalArn => "aws:PrincipalArn",
            Key::PrincipalAccount => "aws:PrincipalAccount",
            Key::PrincipalOrgId => "aws:PrincipalOrgID",
            Key::PrincipalOrgPaths => "aws:PrincipalOrgPaths",
            Key::ResourceAccount => "aws:ResourceAccount",
            Key::UserId => "aws:userid",
            Key::PrincipalType => "aws:PrincipalType",
            Key::BinKey => "fuzz:binary",
        }
    }
}

/// A condition value: from the operator's family, or from the string table (the wrong family
/// exercises the error paths).
#[derive(Arbitrary, Debug, Clone, Copy)]
struct Val {
    own_family: bool,
    index: u8,
}

impl Val {
    fn text(self, op: Op) -> &'static str {
        let table = if self.own_family {
            op.family()
        } else {
            Op::StringEquals.family()
        };
        table[usize::from(self.index) % table.len()]
    }
}

/// One request.
#[derive(Arbitrary, Debug)]
pub struct RequestSpec {
    who: Who,
    action: Act,
    resource: Res,
    resource_account: Option<u8>,
    context: Vec<(Key, u8, bool)>,
    session_policy: Option<PolicySpec>,
    session_managed: bool,
    session_tags: Vec<Tag>,
    mfa: bool,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Who {
    User(u8, bool),
    Root(u8),
    RoleSession(u8, bool),
    Service,
    Anonymous,
    UnknownUser(u8),
    /// A `GetFederationToken` session of a user: its principal keys are not the user's.
    FederatedUser(u8, bool),
}

/// Values request context keys take.
const CONTEXT_VALUES: [&str; 14] = [
    "alice",
    "red",
    "blue",
    "10.1.2.3",
    "192.168.1.1",
    "true",
    "false",
    "2025-06-15T00:00:00Z",
    "10",
    "3600",
    "QmluYXJ5",
    "arn:aws:iam::222222222222:role/app",
    "team",
    "not-a-number",
];

fn build_statement(s: &StmtSpec, ty: PolicyType) -> Value {
    let mut o = Map::new();
    if s.sid {
        o.insert("Sid".into(), json!("S"));
    }
    let deny = s.deny || ty == PolicyType::Rcp;
    o.insert("Effect".into(), json!(if deny { "Deny" } else { "Allow" }));
    if ty.has_principal() {
        let p = match &s.principal {
            _ if ty == PolicyType::Rcp => json!("*"),
            None => json!("*"),
            Some(p) => principal(p),
        };
        let key = match &s.principal {
            Some(p) if p.not && ty != PolicyType::Rcp => "NotPrincipal",
            _ => "Principal",
        };
        o.insert(key.into(), p);
    }
    let actions: Vec<&str> = s.actions.iter().take(3).map(|a| a.text()).collect();
    let actions = if actions.is_empty() {
        vec!["s3:GetObject"]
    } else {
        actions
    };
    let key = if s.not_action { "NotAction" } else { "Action" };
    o.insert(
        key.into(),
        one_or_many(actions.iter().map(|a| a.to_string())),
    );
    if ty != PolicyType::Trust || !s.resources.is_empty() {
        let rs: Vec<String> = s.resources.iter().take(3).map(|r| r.text()).collect();
        let rs = if rs.is_empty() { vec!["*".into()] } else { rs };
        let key = if s.not_resource {
            "NotResource"
        } else {
            "Resource"
        };
        o.insert(key.into(), one_or_many(rs.into_iter()));
    }
    let mut cond = Map::new();
    for c in s.conditions.iter().take(3) {
        let mut name = c.op.name();
        if c.if_exists && c.op != Op::Null {
            name.push_str("IfExists");
        }
        let name = match c.set % 4 {
            1 => format!("ForAnyValue:{name}"),
            2 => format!("ForAllValues:{name}"),
            _ => name,
        };
        let values: Vec<String> = c
            .values
            .iter()
            .take(3)
            .map(|v| v.text(c.op).to_string())
            .collect();
        let values = if values.is_empty() {
            vec![c.op.family()[0].to_string()]
        } else {
            values
        };
        let entry = cond.entry(name).or_insert_with(|| json!({}));
        if let Value::Object(m) = entry {
            m.insert(c.key.text().into(), one_or_many(values.into_iter()));
        }
    }
    if !cond.is_empty() {
        o.insert("Condition".into(), Value::Object(cond));
    }
    Value::Object(o)
}

fn one_or_many(items: impl Iterator<Item = String>) -> Value {
    let v: Vec<String> = items.collect();
    match v.as_slice() {
        [one] => json!(one),
        _ => json!(v),
    }
}

fn principal(p: &PrincipalSpec) -> Value {
    let mut aws = Vec::new();
    let mut service = Vec::new();
    for e in p.entries.iter().take(3) {
        match *e {
            PrinEntry::Star => return json!("*"),
            PrinEntry::AwsStar => aws.push("*".to_string()),
            PrinEntry::Account(a) => aws.push(acct(a).to_string()),
            PrinEntry::Root(a) => aws.push(format!("arn:aws:iam::{}:root", acct(a))),
            PrinEntry::User(a, u) => aws.push(format!(
                "arn:aws:iam::{}:user/{}",
                acct(a),
                USERS[usize::from(u)]
            )),
            PrinEntry::Role(a, r) => aws.push(format!("arn:aws:iam::{}:role/{}", acct(a), role(r))),
            PrinEntry::Session(a, r) => aws.push(format!(
                "arn:aws:sts::{}:assumed-role/{}/sess",
                acct(a),
                role(r)
            )),
            PrinEntry::Service => service.push("lambda.amazonaws.com".to_string()),
        }
    }
    let mut o = Map::new();
    if !aws.is_empty() || service.is_empty() {
        if aws.is_empty() {
            aws.push(ACCOUNTS[1].to_string());
        }
        o.insert("AWS".into(), one_or_many(aws.into_iter()));
    }
    if !service.is_empty() {
        o.insert("Service".into(), one_or_many(service.into_iter()));
    }
    Value::Object(o)
}

/// The JSON document of a policy spec for `ty`.
fn document(p: &PolicySpec, ty: PolicyType) -> String {
    let mut o = Map::new();
    match p.version % 4 {
        0 => {}
        1 => {
            o.insert("Version".into(), json!("2008-10-17"));
        }
        _ => {
            o.insert("Version".into(), json!("2012-10-17"));
        }
    }
    let statements: Vec<Value> = p
        .statements
        .iter()
        .take(3)
        .map(|s| build_statement(s, ty))
        .collect();
    let statements = if statements.is_empty() {
        vec![build_statement(
            &StmtSpec {
                deny: false,
                sid: false,
                not_action: false,
                actions: Vec::new(),
                not_resource: false,
                resources: Vec::new(),
                principal: None,
                conditions: Vec::new(),
            },
            ty,
        )]
    } else {
        statements
    };
    o.insert("Statement".into(), Value::Array(statements));
    Value::Object(o).to_string()
}

/// The policy, or `None` when the front end refuses it for `ty`.
fn policy(p: &PolicySpec, ty: PolicyType) -> Option<Policy> {
    parse_policy_with(&document(p, ty), ty, ParseMode::Lenient)
        .ok()
        .map(|p| p.value)
}

fn inline(specs: &[PolicySpec], prefix: &str) -> Vec<InlinePolicy> {
    specs
        .iter()
        .take(2)
        .enumerate()
        .filter_map(|(i, p)| {
            Some(InlinePolicy {
                name: format!("{prefix}-inline{i}"),
                policy: policy(p, PolicyType::Identity)?,
            })
        })
        .collect()
}

fn managed_arn(a: usize, i: usize) -> String {
    format!("arn:aws:iam::{}:policy/m{i}", ACCOUNTS[a])
}

fn masked(mask: u8, a: usize) -> Vec<String> {
    (0..2)
        .filter(|i| mask & (1 << i) != 0)
        .map(|i| managed_arn(a, i))
        .collect()
}

fn tags(ts: &[Tag]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for t in ts.iter().take(2) {
        let (k, v) = t.pair();
        if !out.iter().any(|(x, _)| x.eq_ignore_ascii_case(&k)) {
            out.push((k, v));
        }
    }
    out
}

fn attachments(a: Attach, names: &[&str], full: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = full
        .filter(|_| a.full)
        .map(|f| vec![f.to_string()])
        .unwrap_or_default();
    for (i, n) in names.iter().enumerate() {
        if a.mask & (1 << i) != 0 {
            out.push((*n).to_string());
        }
    }
    out
}

impl OrgSpec {
    /// Builds the organization.
    pub fn build(&self) -> Organization {
        let mut org = Organization {
            id: Some(ORG.into()),
            management_account: Some(ACCOUNTS[0].into()),
            ..Organization::default()
        };
        let full = gavel_compiler::reference::full_aws_access();
        org.scps.insert(
            full.name.clone(),
            OrgPolicy {
                name: full.name,
                policy: full.policy,
            },
        );
        for (i, p) in self.scps.iter().enumerate() {
            if let Some(policy) = policy(p, PolicyType::Scp) {
                let name = SCPS[i].to_string();
                org.scps.insert(name.clone(), OrgPolicy { name, policy });
            }
        }
        for (i, p) in self.rcps.iter().enumerate() {
            if let Some(policy) = policy(p, PolicyType::Rcp) {
                let name = RCPS[i].to_string();
                org.rcps.insert(name.clone(), OrgPolicy { name, policy });
            }
        }
        // Only attach organization policies that exist (an unknown one denies everything,
        // which would hide the rest).
        let scp_names: Vec<&str> = SCPS
            .iter()
            .copied()
            .filter(|n| org.scps.contains_key(*n))
            .collect();
        let rcp_names: Vec<&str> = RCPS
            .iter()
            .copied()
            .filter(|n| org.rcps.contains_key(*n))
            .collect();
        let scp = |i: usize| attachments(self.scp_attach[i], &scp_names, Some("FullAWSAccess"));
        let rcp = |i: usize| attachments(self.rcp_attach[i], &rcp_names, None);
        let units = [
            ("r-root", None),
            ("ou-dev", Some("r-root")),
            (
                "ou-prod",
                Some(if self.prod_under_dev {
                    "ou-dev"
                } else {
                    "r-root"
                }),
            ),
        ];
        for (i, (id, parent)) in units.iter().enumerate() {
            org.units.insert(
                (*id).to_string(),
                OrgUnit {
                    id: (*id).to_string(),
                    name: (*id).to_string(),
                    parent: parent.map(str::to_string),
                    scps: scp(i),
                    rcps: rcp(i),
                },
            );
        }
        for (a, spec) in self.accounts.iter().enumerate() {
            let id = ACCOUNTS[a];
            let parent = match a {
                0 => Some("r-root"),
                1 => Some("ou-dev"),
                _ => self.third_in_org.then_some("ou-prod"),
            };
            let mut account = Account {
                id: id.into(),
                name: format!("account{a}"),
                parent: parent.map(str::to_string),
                scps: scp(3 + a),
                rcps: rcp(3 + a),
                ..Account::default()
            };
            for (i, m) in spec.managed.iter().enumerate() {
                if let Some(p) = policy(m, PolicyType::Identity) {
                    let arn = managed_arn(a, i);
                    org.managed_policies.insert(
                        arn.clone(),
                        ManagedPolicy {
                            arn,
                            name: format!("m{i}"),
                            path: "/".into(),
                            default_version: "v1".into(),
                            versions: vec![("v1".into(), p)],
                        },
                    );
                }
            }
            let exists = |arn: &String| org.managed_policies.contains_key(arn);
            account.groups.insert(
                "devs".into(),
                Group {
                    name: "devs".into(),
                    path: "/".into(),
                    arn: format!("arn:aws:iam::{id}:group/devs"),
                    unique_id: format!("AGPA{a}"),
                    inline: inline(&spec.group, "devs"),
                    managed: masked(spec.group_managed, a)
                        .into_iter()
                        .filter(exists)
                        .collect(),
                },
            );
            for (u, us) in spec.users.iter().enumerate() {
                if !us.present {
                    continue;
                }
                let name = USERS[u];
                account.users.insert(
                    name.into(),
                    User {
                        name: name.into(),
                        path: "/".into(),
                        arn: format!("arn:aws:iam::{id}:user/{name}"),
                        unique_id: format!("AIDA{a}{u}"),
                        tags: tags(&us.tags),
                        groups: if us.in_group {
                            vec!["devs".into()]
                        } else {
                            Vec::new()
                        },
                        inline: inline(&us.inline, name),
                        managed: masked(us.managed, a).into_iter().filter(exists).collect(),
                        boundary: us
                            .boundary
                            .map(|b| managed_arn(a, usize::from(b)))
                            .filter(exists),
                        mfa_enabled: us.mfa,
                    },
                );
            }
            for (r, rs) in spec.roles.iter().enumerate() {
                if !rs.present {
                    continue;
                }
                let name = ROLES[r];
                let Some(trust) = policy(&rs.trust, PolicyType::Trust) else {
                    continue;
                };
                account.roles.insert(
                    name.into(),
                    Role {
                        name: name.into(),
                        path: "/".into(),
                        arn: format!("arn:aws:iam::{id}:role/{name}"),
                        unique_id: format!("AROA{a}{r}"),
                        trust,
                        inline: inline(&rs.inline, name),
                        managed: masked(rs.managed, a).into_iter().filter(exists).collect(),
                        boundary: rs
                            .boundary
                            .map(|b| managed_arn(a, usize::from(b)))
                            .filter(exists),
                        tags: tags(&rs.tags),
                        max_session_duration: 3600,
                    },
                );
            }
            org.accounts.insert(id.into(), account);
        }
        for r in self.resources.iter().take(4) {
            let a = acct(r.account);
            let arn = match r.kind {
                ResKind::Bucket0 => "arn:aws:s3:::bkt-0".to_string(),
                ResKind::Bucket1 => "arn:aws:s3:::bkt-1".to_string(),
                ResKind::Key => format!("arn:aws:kms:us-east-1:{a}:key/k1"),
                ResKind::Queue => format!("arn:aws:sqs:us-east-1:{a}:q"),
            };
            let policy = r
                .policy
                .as_ref()
                .and_then(|p| policy(p, PolicyType::Resource));
            org.resources.insert(
                arn.clone(),
                Resource {
                    arn,
                    account: a.into(),
                    tags: tags(&r.tags),
                    policy,
                },
            );
        }
        org
    }
}

impl RequestSpec {
    /// A session of this request's kind, policy, tags and MFA; the caller names its role or
    /// parent and adds managed policies.
    fn session(&self, kind: SessionKind, arn: &str, name: &str) -> Session {
        Session {
            kind,
            arn: arn.to_string(),
            role_arn: None,
            parent_arn: None,
            session_name: name.to_string(),
            issued_at: NOW - 100,
            expires_at: NOW + 3600,
            inline_policy: self
                .session_policy
                .as_ref()
                .map(|p| document(p, PolicyType::Session)),
            policy_arns: Vec::new(),
            tags: tags(&self.session_tags),
            transitive_tag_keys: Vec::new(),
            source_identity: None,
            mfa: self.mfa,
            federated_provider: None,
        }
    }

    /// Builds the request.
    pub fn build(&self) -> OrgRequest {
        let mut session = None;
        let principal = match self.who {
            Who::User(a, u) => format!("arn:aws:iam::{}:user/{}", acct(a), USERS[usize::from(u)]),
            Who::Root(a) => format!("arn:aws:iam::{}:root", acct(a)),
            Who::RoleSession(a, r) => {
                let arn = format!("arn:aws:sts::{}:assumed-role/{}/sess", acct(a), role(r));
                let mut s = self.session(SessionKind::Role, &arn, "sess");
                s.role_arn = Some(format!("arn:aws:iam::{}:role/{}", acct(a), role(r)));
                if self.session_managed {
                    s.policy_arns = vec![managed_arn(usize::from(a % 3), 0)];
                }
                session = Some(s);
                arn
            }
            Who::FederatedUser(a, u) => {
                let user = USERS[usize::from(u)];
                let arn = format!("arn:aws:sts::{}:federated-user/fed-{user}", acct(a));
                let mut s = self.session(SessionKind::FederatedUser, &arn, &format!("fed-{user}"));
                s.parent_arn = Some(format!("arn:aws:iam::{}:user/{user}", acct(a)));
                session = Some(s);
                arn
            }
            Who::Service => "lambda.amazonaws.com".into(),
            Who::Anonymous => "anonymous".into(),
            Who::UnknownUser(a) => format!("arn:aws:iam::{}:user/nobody", acct(a)),
        };
        let mut context = Context::new();
        for (key, v, list) in self.context.iter().take(4) {
            let value = CONTEXT_VALUES[usize::from(*v) % CONTEXT_VALUES.len()].to_string();
            let value = if *list {
                ContextValue::List(vec![value, "blue".into()])
            } else {
                ContextValue::Single(value)
            };
            // A key given twice keeps its first value.
            let _ = context.insert(key.text(), value);
        }
        OrgRequest {
            principal,
            action: self.action.text().into(),
            resource: self.resource.text(),
            resource_account: self.resource_account.map(|a| acct(a).to_string()),
            context,
            session,
            time: Some(NOW),
        }
    }
}

impl Input {
    /// The organization and at least one request.
    pub fn build(&self) -> (Organization, Vec<OrgRequest>) {
        let mut requests: Vec<OrgRequest> = self
            .requests
            .iter()
            .take(6)
            .map(RequestSpec::build)
            .collect();
        if requests.is_empty() {
            requests.push(OrgRequest {
                principal: format!("arn:aws:iam::{}:user/alice", ACCOUNTS[1]),
                action: "s3:GetObject".into(),
                resource: "arn:aws:s3:::bkt-0/key".into(),
                time: Some(NOW),
                ..OrgRequest::default()
            });
        }
        (self.org.build(), requests)
    }
}

/// Runs the differential check on structured fuzz bytes; `Err` describes the case. Inputs the
/// bytes cannot describe pass.
pub fn check_bytes(data: &[u8]) -> Result<(), String> {
    let mut u = arbitrary::Unstructured::new(data);
    let Ok(input) = Input::arbitrary(&mut u) else {
        return Ok(());
    };
    let (org, requests) = input.build();
    gavel_compiler::fuzzcheck::differential(&org, &requests)
        .map(|_| ())
        .map_err(|e| format!("{e}\norganization: {org:#?}"))
}
