//! Seeded generator of random conformance cases.
//!
//! [`generate_cases`] produces cases in the binding case format (`notes/case-format.md`), without
//! `expect`, each with an id `gen-<seed>-<n>` and a `"features"` array naming what it exercises
//! (`"notaction"`, `"scp"`, `"op:StringLike"`, `"principal:role-session"`, ...), so that a corpus
//! can be balanced across features and disagreements with a peer evaluator can be grouped.
//!
//! The vocabulary is deliberately small so that actions, resources, principals and condition
//! values written in policies actually meet the request: three accounts (an organization member,
//! an account outside any organization, the organization's management account), a few users,
//! roles, sessions and federated users in each, and six services with a handful of actions each.
//! Every statement is *aimed* at the request with some probability (its action, resource,
//! principal or condition is drawn from patterns that match the request) and is otherwise drawn
//! from the same vocabulary at random.
//!
//! Generated policies are valid per spec §2.4/§2.5, and the request context is complete and
//! consistent with the principal (spec §1.1.4), apart from deliberately injected unparsable
//! request values (tagged `"garbage-value"`).
//!
//! Case `n` of a seed depends only on `(seed, n)` and the option knobs: each case draws from its
//! own ChaCha8 stream, so a longer run extends a shorter one.

use std::collections::BTreeSet;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

/// Options for [`generate_cases`].
#[derive(Clone, Debug, PartialEq)]
pub struct GenOptions {
    /// The seed: the same options always give the same cases.
    pub seed: u64,
    /// How many cases to generate.
    pub count: usize,
    /// Avoid the constructs on which `@cloud-copilot/iam-simulate` is known to differ from the
    /// spec (root user, service-linked roles, `2008-10-17` policies, epoch dates, variables in
    /// `Arn*` values and under negated operators, `NotPrincipal` lists naming only part of the
    /// caller's chain, federated sessions without a session policy or calling IAM/STS, RCPs on
    /// wildcard resources or services without RCP support, a boundary on role assumption, a
    /// session policy next to a grant naming the session, variables in `NotResource`,
    /// `ForAnyValue:…IfExists`, request values with a numeric prefix; see `tools/peer/README.md`),
    /// so that every disagreement with the peer is worth a look. Off by default: the full
    /// vocabulary is used.
    pub avoid_peer_gaps: bool,
    /// Probability that a case gets one unparsable request value (a bad IP, date, number or
    /// boolean). Default 0.06.
    pub garbage_rate: f64,
    /// Probability that a request to a service with resource-based policies (S3, SQS, KMS, STS
    /// role trust) crosses accounts. Default 0.4.
    pub cross_account_rate: f64,
}

impl GenOptions {
    /// Default knobs for `count` cases from `seed`.
    pub fn new(seed: u64, count: usize) -> GenOptions {
        GenOptions {
            seed,
            count,
            avoid_peer_gaps: false,
            garbage_rate: 0.06,
            cross_account_rate: 0.4,
        }
    }
}

impl Default for GenOptions {
    fn default() -> GenOptions {
        GenOptions::new(0, 100)
    }
}

/// Generates `opts.count` cases from `opts.seed` (deterministic).
pub fn generate_cases(opts: &GenOptions) -> Vec<Value> {
    (0..opts.count).map(|n| generate_case(opts, n)).collect()
}

/// Generates case number `n` of `opts.seed`; `generate_cases(opts)[n]` is this case.
pub fn generate_case(opts: &GenOptions, n: usize) -> Value {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    rng.set_stream(n as u64);
    let mut g = Gen {
        rng,
        avoid: opts.avoid_peer_gaps,
        opts,
        feats: BTreeSet::new(),
    };
    g.case(format!("gen-{}-{}", opts.seed, n))
}

/// Every feature tag the generator can emit, for coverage checks.
pub fn feature_tags() -> Vec<String> {
    let mut tags: Vec<String> = FEATURES.iter().map(|s| (*s).to_string()).collect();
    for op in OPERATORS {
        tags.push(format!("op:{op}"));
    }
    tags
}

const FEATURES: &[&str] = &[
    "same-account",
    "cross-account",
    "principal:iam-user",
    "principal:root",
    "principal:role-session",
    "principal:slr",
    "principal:federated-user",
    "principal:service",
    "anonymous",
    "service:s3",
    "service:ec2",
    "service:iam",
    "service:kms",
    "service:sqs",
    "service:sts",
    "wildcard-only-action",
    "identity",
    "multiple-identity",
    "resource-policy",
    "trust-policy",
    "boundary",
    "session",
    "session-list",
    "scp",
    "scp-levels",
    "rcp",
    "rcp-levels",
    "deny",
    "notaction",
    "notresource",
    "notprincipal",
    "principal-wildcard",
    "principal-account",
    "principal-role",
    "principal-parent-user",
    "principal-service",
    "action-wildcard",
    "action-case",
    "resource-wildcard",
    "variable",
    "variable-default",
    "condition",
    "multi-clause",
    "negated",
    "ifexists",
    "set-op",
    "forallvalues",
    "foranyvalue",
    "multivalued-key",
    "list-on-single-key",
    "absent-key",
    "garbage-value",
    "ip-v6",
    "date-epoch",
    "version-2008",
    "version-missing",
    "tags-passed",
];

const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

// ---------------------------------------------------------------------------------------------
// Vocabulary

const ORG_ID: &str = "o-abc";
const ORG_PATH_MEMBER: &str = "o-abc/r-ab12/ou-ab12-dev/";
const ORG_PATH_MGMT: &str = "o-abc/r-ab12/";

/// The three accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Acct {
    /// Member of organization o-abc.
    Member,
    /// In no organization.
    Outside,
    /// Management account of o-abc.
    Mgmt,
}

impl Acct {
    const ALL: [Acct; 3] = [Acct::Member, Acct::Outside, Acct::Mgmt];

    fn id(self) -> &'static str {
        match self {
            Acct::Member => "111122223333",
            Acct::Outside => "444455556666",
            Acct::Mgmt => "777788889999",
        }
    }

    fn org_path(self) -> Option<&'static str> {
        match self {
            Acct::Member => Some(ORG_PATH_MEMBER),
            Acct::Mgmt => Some(ORG_PATH_MGMT),
            Acct::Outside => None,
        }
    }
}

/// Users: (path, name).
const USERS: &[(&str, &str)] = &[("/", "alice"), ("/", "bob"), ("/eng/", "carol")];
/// Roles: (path, name).
const ROLES: &[(&str, &str)] = &[("/", "Dev"), ("/ops/", "Deploy"), ("/", "Admin")];
const SLR: (&str, &str) = (
    "/aws-service-role/support.amazonaws.com/",
    "AWSServiceRoleForSupport",
);
const SESSIONS: &[&str] = &["alice", "ci-run", "s-42"];
const SERVICES: &[&str] = &[
    "cloudtrail.amazonaws.com",
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
];
const TEAMS: &[&str] = &["red", "blue"];
const ENVS: &[&str] = &["dev", "prod"];
const REGIONS: &[&str] = &["us-east-1", "eu-west-1"];
const BUCKETS: &[&str] = &["data", "logs", "bucket-alice", "bucket-bob", "team-red"];
const KEYS: &[&str] = &[
    "report.txt",
    "public/index.html",
    "home/alice/notes.txt",
    "home/bob/todo.txt",
];
const INSTANCES: &[&str] = &["i-0aaa1111", "i-0bbb2222"];
const KMS_KEYS: &[&str] = &[
    "1234abcd-12ab-34cd-56ef-1234567890ab",
    "0987dcba-09fe-87dc-65ba-ab0987654321",
];
const QUEUES: &[&str] = &["orders", "orders-dlq"];
const SOURCE_IPS_V4: &[&str] = &["10.1.2.3", "192.0.2.44", "203.0.113.7", "198.51.100.9"];
const SOURCE_IPS_V6: &[&str] = &["2001:db8::1", "2600:1f18::5"];
const CIDRS: &[&str] = &[
    "10.0.0.0/8",
    "192.0.2.0/24",
    "203.0.113.7",
    "198.51.100.0/22",
    "2001:db8::/32",
    "172.16.0.0/12",
];
const TIMES: &[(&str, &str)] = &[
    ("2025-06-15T12:00:00Z", "1749988800"),
    ("2023-03-01T08:30:00Z", "1677659400"),
    ("2026-01-10T23:59:59Z", "1768089599"),
];
const DATE_LITERALS: &[&str] = &[
    "2025-01-01T00:00:00Z",
    "2024-06-01",
    "2026-01-01T00:00:00+02:00",
    "2025-06-15T12:00:00Z",
    "2023-03-01T08:30:00.000Z",
];
const EPOCH_LITERALS: &[&str] = &["1735689600", "1700000000"];

/// What kind of resource an action is authorized on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ResType {
    Star,
    S3Object,
    S3Bucket,
    Ec2Instance,
    IamUser,
    IamRole,
    KmsKey,
    SqsQueue,
    /// A role as the target of `sts:AssumeRole` and friends (its trust policy is the RBP).
    StsRole,
}

const ACTIONS: &[(&str, &str, ResType)] = &[
    ("s3", "GetObject", ResType::S3Object),
    ("s3", "PutObject", ResType::S3Object),
    ("s3", "DeleteObject", ResType::S3Object),
    ("s3", "GetObjectTagging", ResType::S3Object),
    ("s3", "ListBucket", ResType::S3Bucket),
    ("s3", "GetBucketPolicy", ResType::S3Bucket),
    ("s3", "ListAllMyBuckets", ResType::Star),
    ("ec2", "DescribeInstances", ResType::Star),
    ("ec2", "StartInstances", ResType::Ec2Instance),
    ("ec2", "StopInstances", ResType::Ec2Instance),
    ("ec2", "TerminateInstances", ResType::Ec2Instance),
    ("iam", "GetUser", ResType::IamUser),
    ("iam", "CreateAccessKey", ResType::IamUser),
    ("iam", "PassRole", ResType::IamRole),
    ("iam", "GetRole", ResType::IamRole),
    ("iam", "ListRoles", ResType::Star),
    ("kms", "Decrypt", ResType::KmsKey),
    ("kms", "Encrypt", ResType::KmsKey),
    ("kms", "DescribeKey", ResType::KmsKey),
    ("kms", "ListKeys", ResType::Star),
    ("sqs", "SendMessage", ResType::SqsQueue),
    ("sqs", "ReceiveMessage", ResType::SqsQueue),
    ("sqs", "DeleteMessage", ResType::SqsQueue),
    ("sqs", "ListQueues", ResType::Star),
    ("sts", "AssumeRole", ResType::StsRole),
    ("sts", "TagSession", ResType::StsRole),
    ("sts", "GetCallerIdentity", ResType::Star),
];

/// Hand-picked action patterns (some match nothing in the vocabulary).
const ACTION_PATTERNS: &[&str] = &[
    "s3:Get*",
    "s3:*Object",
    "s3:List*",
    "ec2:Describe?nstances",
    "ec2:*Instances",
    "iam:*AccessKey*",
    "iam:Get*",
    "kms:*",
    "kms:Encrypt",
    "sqs:*Message",
    "sts:Assume*",
    "s3:*",
    "*",
];

// ---------------------------------------------------------------------------------------------
// The request

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    User,
    Root,
    RoleSession,
    Federated,
    Service,
    Anonymous,
}

#[derive(Clone, Debug)]
struct Principal {
    kind: Kind,
    acct: Option<Acct>,
    /// The request's principal string: an ARN, a service name or `anonymous`.
    arn: String,
    /// User name (IAM user, and the parent of a federated user), role name, federated name.
    name: String,
    user_path: String,
    role_arn: Option<String>,
    parent_arn: Option<String>,
    slr: bool,
    tags: Vec<(&'static str, &'static str)>,
    has_boundary: bool,
    has_session_policy: bool,
}

impl Principal {
    fn account_id(&self) -> Option<&'static str> {
        self.acct.map(Acct::id)
    }

    fn is_iam(&self) -> bool {
        matches!(
            self.kind,
            Kind::User | Kind::Root | Kind::RoleSession | Kind::Federated
        )
    }
}

#[derive(Clone, Debug)]
struct Target {
    service: &'static str,
    name: &'static str,
    res: ResType,
    resource: String,
    acct: Acct,
    region: &'static str,
    bucket: Option<&'static str>,
    key: Option<&'static str>,
    /// Name of the user or role the resource is (IAM/STS resources).
    entity: Option<(&'static str, &'static str)>,
}

impl Target {
    fn action(&self) -> String {
        format!("{}:{}", self.service, self.name)
    }
}

// ---------------------------------------------------------------------------------------------
// The generator

struct Gen<'o> {
    rng: ChaCha8Rng,
    avoid: bool,
    opts: &'o GenOptions,
    feats: BTreeSet<String>,
}

/// Which policy a statement is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PolKind {
    Identity,
    Boundary,
    Session,
    Resource,
    Trust,
    Scp,
    Rcp,
}

/// Per-case facts statements are aimed at.
struct Scene {
    p: Principal,
    t: Target,
    ctx: Map<String, Value>,
}

impl Scene {
    fn same_account(&self) -> bool {
        self.p.acct == Some(self.t.acct)
    }

    fn ctx_str(&self, key: &str) -> Option<String> {
        self.ctx.iter().find_map(|(k, v)| {
            if k.eq_ignore_ascii_case(key) {
                v.as_str().map(str::to_string)
            } else {
                None
            }
        })
    }
}

impl Gen<'_> {
    // --- randomness helpers -------------------------------------------------------------------

    fn p(&mut self, prob: f64) -> bool {
        self.rng.random_bool(prob.clamp(0.0, 1.0))
    }

    fn idx(&mut self, len: usize) -> usize {
        if len <= 1 {
            0
        } else {
            self.rng.random_range(0..len)
        }
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        let i = self.idx(xs.len());
        xs[i]
    }

    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|(_, w)| *w).sum();
        let mut r = if total == 0 {
            0
        } else {
            self.rng.random_range(0..total)
        };
        for (item, w) in items {
            if r < *w {
                return *item;
            }
            r -= *w;
        }
        items[0].0
    }

    fn range(&mut self, lo: usize, hi: usize) -> usize {
        if hi <= lo {
            lo
        } else {
            self.rng.random_range(lo..=hi)
        }
    }

    fn feat(&mut self, f: impl Into<String>) {
        self.feats.insert(f.into());
    }

    /// A string or array of strings, the JSON "one or many" shape.
    fn one_or_many(&mut self, mut xs: Vec<Value>) -> Value {
        if xs.len() == 1 && self.p(0.7) {
            xs.remove(0)
        } else {
            Value::Array(xs)
        }
    }

    // --- the case -----------------------------------------------------------------------------

    fn case(&mut self, id: String) -> Value {
        let p = self.principal();
        let t = self.target(&p);
        let ctx = self.context(&p, &t);
        let mut scene = Scene { p, t, ctx };
        scene.p.has_boundary = matches!(scene.p.kind, Kind::User | Kind::RoleSession)
            && self.p(0.22)
            && !(self.avoid && scene.t.res == ResType::StsRole);
        scene.p.has_session_policy = match scene.p.kind {
            Kind::RoleSession => self.p(0.3),
            Kind::Federated => self.avoid || self.p(0.85),
            _ => false,
        };

        let mut case = Map::new();
        case.insert("id".into(), json!(id));

        // Identity policies.
        let mut ids = Vec::new();
        if matches!(
            scene.p.kind,
            Kind::User | Kind::RoleSession | Kind::Federated
        ) {
            let n = self.weighted(&[(0usize, 8), (1, 70), (2, 18), (3, 4)]);
            for _ in 0..n {
                ids.push(self.policy(&scene, PolKind::Identity));
            }
            if !ids.is_empty() {
                self.feat("identity");
            }
            if ids.len() > 1 {
                self.feat("multiple-identity");
            }
        }
        case.insert("identityPolicies".into(), Value::Array(ids));

        // Resource-based policy.
        if let Some(kind) = self.rbp_kind(&scene) {
            let doc = self.policy(&scene, kind);
            self.feat(if kind == PolKind::Trust {
                "trust-policy"
            } else {
                "resource-policy"
            });
            case.insert("resourcePolicy".into(), doc);
        }

        if scene.p.has_boundary {
            self.feat("boundary");
            let doc = self.policy(&scene, PolKind::Boundary);
            case.insert("permissionBoundaries".into(), json!([doc]));
        }

        if scene.p.has_session_policy {
            self.feat("session");
            if self.p(0.15) {
                self.feat("session-list");
                let a = self.policy(&scene, PolKind::Session);
                let b = self.policy(&scene, PolKind::Session);
                case.insert("sessionPolicy".into(), json!([a, b]));
            } else {
                let doc = self.policy(&scene, PolKind::Session);
                case.insert("sessionPolicy".into(), doc);
            }
        }

        // SCPs: the principal's account is a member of o-abc (never the management account).
        if scene.p.is_iam() && scene.p.acct == Some(Acct::Member) {
            let levels = self.scp_levels(&scene);
            case.insert("scps".into(), levels);
        }
        // RCPs: the resource's account is a member of o-abc.
        if scene.t.acct == Acct::Member {
            let levels = self.rcp_levels(&scene);
            case.insert("rcps".into(), levels);
        }

        // The request.
        let mut req = Map::new();
        req.insert("principal".into(), json!(scene.p.arn));
        req.insert("action".into(), json!(scene.t.action()));
        req.insert("resource".into(), json!(scene.t.resource));
        let arn_has_account = scene
            .t
            .resource
            .split(':')
            .nth(4)
            .is_some_and(|a| !a.is_empty());
        if !arn_has_account || scene.p.acct.is_none() || self.p(0.2) {
            req.insert("resourceAccount".into(), json!(scene.t.acct.id()));
        }
        req.insert("context".into(), Value::Object(scene.ctx.clone()));
        if let Some(r) = &scene.p.role_arn
            && (self.avoid || self.p(0.8))
        {
            req.insert("roleArn".into(), json!(r));
        }
        if let Some(parent) = &scene.p.parent_arn {
            req.insert("parentArn".into(), json!(parent));
        }
        case.insert("request".into(), Value::Object(req));

        if scene.p.acct.is_some() {
            self.feat(if scene.same_account() {
                "same-account"
            } else {
                "cross-account"
            });
        } else {
            self.feat("cross-account");
        }
        let feats: Vec<Value> = self.feats.iter().map(|f| json!(f)).collect();
        case.insert("features".into(), Value::Array(feats));
        Value::Object(case)
    }

    // --- principal ----------------------------------------------------------------------------

    fn principal(&mut self) -> Principal {
        let root_w = if self.avoid { 0 } else { 6 };
        let kind = self.weighted(&[
            (Kind::User, 36),
            (Kind::RoleSession, 28),
            (Kind::Federated, 8),
            (Kind::Root, root_w),
            (Kind::Service, 9),
            (Kind::Anonymous, 8),
        ]);
        let acct = self.weighted(&[(Acct::Member, 50), (Acct::Outside, 25), (Acct::Mgmt, 25)]);
        let a = acct.id();
        let mut tags = Vec::new();
        if matches!(kind, Kind::User | Kind::RoleSession | Kind::Federated) {
            if self.p(0.65) {
                let t = self.pick(TEAMS);
                tags.push(("team", t));
            }
            if self.p(0.45) {
                let e = self.pick(ENVS);
                tags.push(("env", e));
            }
        }
        let mut p = Principal {
            kind,
            acct: Some(acct),
            arn: String::new(),
            name: String::new(),
            user_path: "/".into(),
            role_arn: None,
            parent_arn: None,
            slr: false,
            tags,
            has_boundary: false,
            has_session_policy: false,
        };
        match kind {
            Kind::User => {
                self.feat("principal:iam-user");
                let (path, name) = self.pick(USERS);
                p.arn = format!("arn:aws:iam::{a}:user{path}{name}");
                p.name = name.into();
                p.user_path = path.into();
            }
            Kind::Root => {
                self.feat("principal:root");
                p.arn = format!("arn:aws:iam::{a}:root");
                p.name = "root".into();
            }
            Kind::RoleSession => {
                self.feat("principal:role-session");
                let slr = !self.avoid && self.p(0.06);
                let (path, name) = if slr { SLR } else { self.pick(ROLES) };
                if slr {
                    self.feat("principal:slr");
                    p.tags.clear();
                }
                let session = self.pick(SESSIONS);
                p.arn = format!("arn:aws:sts::{a}:assumed-role/{name}/{session}");
                p.role_arn = Some(format!("arn:aws:iam::{a}:role{path}{name}"));
                p.name = name.into();
                p.slr = slr;
            }
            Kind::Federated => {
                self.feat("principal:federated-user");
                // iam-simulate derives the parent from the federated name (user/NAME), so the
                // parent is normally the pathless user of the same name.
                let (path, user) = if self.avoid {
                    self.pick(&USERS[..2])
                } else {
                    self.pick(USERS)
                };
                p.arn = format!("arn:aws:sts::{a}:federated-user/{user}");
                p.parent_arn = Some(format!("arn:aws:iam::{a}:user{path}{user}"));
                p.name = user.into();
                p.user_path = path.into();
            }
            Kind::Service => {
                self.feat("principal:service");
                p.acct = None;
                p.arn = self.pick(SERVICES).into();
                p.tags.clear();
            }
            Kind::Anonymous => {
                self.feat("anonymous");
                p.acct = None;
                p.arn = "anonymous".into();
                p.tags.clear();
            }
        }
        p
    }

    // --- target -------------------------------------------------------------------------------

    fn target(&mut self, p: &Principal) -> Target {
        let svc = match p.kind {
            Kind::Anonymous => self.weighted(&[("s3", 75), ("sqs", 25)]),
            Kind::Service => self.weighted(&[("s3", 30), ("sqs", 20), ("kms", 20), ("sts", 30)]),
            Kind::Federated if self.avoid => {
                self.weighted(&[("s3", 40), ("ec2", 20), ("kms", 20), ("sqs", 20)])
            }
            _ => self.weighted(&[
                ("s3", 32),
                ("ec2", 12),
                ("iam", 12),
                ("kms", 14),
                ("sqs", 14),
                ("sts", 16),
            ]),
        };
        self.feat(format!("service:{svc}"));
        let candidates: Vec<(&str, &str, ResType)> = ACTIONS
            .iter()
            .copied()
            .filter(|(s, _, r)| {
                *s == svc
                    && !(matches!(p.kind, Kind::Anonymous | Kind::Service) && *r == ResType::Star)
            })
            .collect();
        // Wildcard-only actions are rarer than resource actions; GetCallerIdentity rarer still.
        let weights: Vec<((&str, &str, ResType), u32)> = candidates
            .iter()
            .map(|c| {
                let w = match (c.1, c.2) {
                    ("GetCallerIdentity", _) => 1,
                    (_, ResType::Star) => 3,
                    _ => 8,
                };
                (*c, w)
            })
            .collect();
        let (service, name, res) = self.weighted(&weights);
        if res == ResType::Star {
            self.feat("wildcard-only-action");
        }

        // Which account owns the resource.
        let cross_rate = match (svc, p.acct) {
            (_, None) => 1.0,
            ("s3" | "sqs" | "kms" | "sts", _) => self.opts.cross_account_rate,
            _ => self.opts.cross_account_rate / 4.0,
        };
        let acct = match p.acct {
            Some(own) if !self.p(cross_rate) => own,
            Some(own) => {
                let others: Vec<Acct> = Acct::ALL.iter().copied().filter(|a| *a != own).collect();
                self.pick(&others)
            }
            None => self.weighted(&[(Acct::Member, 50), (Acct::Outside, 25), (Acct::Mgmt, 25)]),
        };
        let acct = if res == ResType::Star {
            p.acct.unwrap_or(acct)
        } else {
            acct
        };
        let a = acct.id();
        let region = self.pick(REGIONS);
        let mut t = Target {
            service,
            name,
            res,
            resource: String::new(),
            acct,
            region,
            bucket: None,
            key: None,
            entity: None,
        };
        t.resource = match res {
            ResType::Star => "*".into(),
            ResType::S3Object => {
                let b = self.pick(BUCKETS);
                let k = self.pick(KEYS);
                t.bucket = Some(b);
                t.key = Some(k);
                format!("arn:aws:s3:::{b}/{k}")
            }
            ResType::S3Bucket => {
                let b = self.pick(BUCKETS);
                t.bucket = Some(b);
                format!("arn:aws:s3:::{b}")
            }
            ResType::Ec2Instance => {
                let i = self.pick(INSTANCES);
                format!("arn:aws:ec2:{region}:{a}:instance/{i}")
            }
            ResType::IamUser => {
                let u = self.pick(USERS);
                t.entity = Some(u);
                format!("arn:aws:iam::{a}:user{}{}", u.0, u.1)
            }
            ResType::IamRole | ResType::StsRole => {
                let r = self.pick(ROLES);
                t.entity = Some(r);
                format!("arn:aws:iam::{a}:role{}{}", r.0, r.1)
            }
            ResType::KmsKey => {
                let k = self.pick(KMS_KEYS);
                format!("arn:aws:kms:{region}:{a}:key/{k}")
            }
            ResType::SqsQueue => {
                let q = self.pick(QUEUES);
                format!("arn:aws:sqs:{region}:{a}:{q}")
            }
        };
        t
    }

    // --- context ------------------------------------------------------------------------------

    fn context(&mut self, p: &Principal, t: &Target) -> Map<String, Value> {
        let mut c = Map::new();
        let a = p.account_id();
        match p.kind {
            Kind::User => {
                let a = a.unwrap_or_default();
                c.insert("aws:PrincipalArn".into(), json!(p.arn));
                c.insert("aws:PrincipalAccount".into(), json!(a));
                c.insert("aws:username".into(), json!(p.name));
                c.insert(
                    "aws:userid".into(),
                    json!(format!("AIDA{}EXAMPLE", p.name.to_uppercase())),
                );
                c.insert("aws:PrincipalType".into(), json!("User"));
                if self.p(0.3) {
                    // A console session: temporary credentials with MFA information.
                    let mfa = self.p(0.6);
                    c.insert("aws:MultiFactorAuthPresent".into(), json!(mfa.to_string()));
                    if mfa {
                        let age = self.pick(&["30", "4000"]);
                        c.insert("aws:MultiFactorAuthAge".into(), json!(age));
                    }
                    let (time, _) = self.pick(TIMES);
                    c.insert("aws:TokenIssueTime".into(), json!(time));
                }
            }
            Kind::Root => {
                let a = a.unwrap_or_default();
                c.insert("aws:PrincipalArn".into(), json!(p.arn));
                c.insert("aws:PrincipalAccount".into(), json!(a));
                c.insert("aws:userid".into(), json!(a));
                c.insert("aws:PrincipalType".into(), json!("Account"));
            }
            Kind::RoleSession => {
                let a = a.unwrap_or_default();
                let session = p.arn.rsplit('/').next().unwrap_or_default();
                c.insert(
                    "aws:PrincipalArn".into(),
                    json!(p.role_arn.clone().unwrap_or_default()),
                );
                c.insert("aws:PrincipalAccount".into(), json!(a));
                c.insert(
                    "aws:userid".into(),
                    json!(format!("AROA{}EXAMPLE:{session}", p.name.to_uppercase())),
                );
                c.insert("aws:PrincipalType".into(), json!("AssumedRole"));
                let mfa = self.p(0.4);
                c.insert("aws:MultiFactorAuthPresent".into(), json!(mfa.to_string()));
                if mfa {
                    let age = self.pick(&["30", "4000"]);
                    c.insert("aws:MultiFactorAuthAge".into(), json!(age));
                }
                let (time, _) = self.pick(TIMES);
                c.insert("aws:TokenIssueTime".into(), json!(time));
            }
            Kind::Federated => {
                let a = a.unwrap_or_default();
                c.insert("aws:PrincipalArn".into(), json!(p.arn));
                c.insert("aws:PrincipalAccount".into(), json!(a));
                c.insert("aws:userid".into(), json!(format!("{a}:{}", p.name)));
                c.insert("aws:PrincipalType".into(), json!("FederatedUser"));
                c.insert("aws:MultiFactorAuthPresent".into(), json!("false"));
                let (time, _) = self.pick(TIMES);
                c.insert("aws:TokenIssueTime".into(), json!(time));
            }
            Kind::Service => {
                c.insert("aws:PrincipalServiceName".into(), json!(p.arn));
                c.insert("aws:PrincipalIsAWSService".into(), json!("true"));
                if self.p(0.6) {
                    let src = self.pick(&Acct::ALL);
                    let s = src.id();
                    c.insert(
                        "aws:SourceArn".into(),
                        json!(format!("arn:aws:cloudtrail:us-east-1:{s}:trail/main")),
                    );
                    c.insert("aws:SourceAccount".into(), json!(s));
                }
            }
            Kind::Anonymous => {
                c.insert("aws:PrincipalAccount".into(), json!("anonymous"));
                c.insert("aws:userid".into(), json!("anonymous"));
                c.insert("aws:PrincipalType".into(), json!("Anonymous"));
            }
        }
        if p.is_iam() && p.kind != Kind::Root {
            c.insert("aws:PrincipalIsAWSService".into(), json!("false"));
        }
        if let Some(path) = p.acct.and_then(Acct::org_path) {
            c.insert("aws:PrincipalOrgID".into(), json!(ORG_ID));
            c.insert("aws:PrincipalOrgPaths".into(), json!([path]));
        }
        for (k, v) in &p.tags {
            c.insert(format!("aws:PrincipalTag/{k}"), json!(v));
        }

        // Request keys.
        let (time, epoch) = self.pick(TIMES);
        c.insert("aws:CurrentTime".into(), json!(time));
        c.insert("aws:EpochTime".into(), json!(epoch));
        let secure = self.p(0.85);
        c.insert("aws:SecureTransport".into(), json!(secure.to_string()));
        c.insert("aws:RequestedRegion".into(), json!(t.region));
        if p.kind != Kind::Service && self.p(0.85) {
            if self.p(0.15) {
                self.feat("ip-v6");
                let ip = self.pick(SOURCE_IPS_V6);
                c.insert("aws:SourceIp".into(), json!(ip));
            } else {
                let ip = self.pick(SOURCE_IPS_V4);
                c.insert("aws:SourceIp".into(), json!(ip));
            }
        }
        if p.is_iam() && self.p(0.08) {
            c.insert(
                "aws:CalledVia".into(),
                json!(["cloudformation.amazonaws.com"]),
            );
            c.insert(
                "aws:CalledViaFirst".into(),
                json!("cloudformation.amazonaws.com"),
            );
            c.insert("aws:ViaAWSService".into(), json!("true"));
        } else if p.is_iam() {
            c.insert("aws:ViaAWSService".into(), json!("false"));
        }

        // Resource keys.
        if t.res != ResType::Star {
            c.insert("aws:ResourceAccount".into(), json!(t.acct.id()));
            if let Some(path) = t.acct.org_path() {
                c.insert("aws:ResourceOrgID".into(), json!(ORG_ID));
                c.insert("aws:ResourceOrgPaths".into(), json!([path]));
            }
            if matches!(
                t.res,
                ResType::S3Object | ResType::Ec2Instance | ResType::KmsKey | ResType::SqsQueue
            ) {
                if self.p(0.45) {
                    let team = self.pick(TEAMS);
                    c.insert("aws:ResourceTag/team".into(), json!(team));
                }
                if self.p(0.3) {
                    let env = self.pick(ENVS);
                    c.insert("aws:ResourceTag/env".into(), json!(env));
                }
            }
        }

        // Tags passed with the request.
        let taggable = matches!(
            (t.service, t.name),
            ("ec2", "StartInstances") | ("sqs", "SendMessage") | ("sts", "TagSession")
        ) || t.res == ResType::S3Object;
        if taggable && self.p(0.35) {
            self.feat("tags-passed");
            let mut keys = Vec::new();
            if self.p(0.7) {
                let team = self.pick(TEAMS);
                c.insert("aws:RequestTag/team".into(), json!(team));
                keys.push("team");
            }
            if self.p(0.5) {
                let env = self.pick(ENVS);
                c.insert("aws:RequestTag/env".into(), json!(env));
                keys.push("env");
            }
            if self.p(0.2) {
                c.insert("aws:RequestTag/cost-center".into(), json!("cc-7"));
                keys.push("cost-center");
            }
            if self.p(0.15) {
                let sig = self.pick(&["QUJDRA==", "aGVsbG8="]);
                c.insert("aws:RequestTag/sig".into(), json!(sig));
                keys.push("sig");
            }
            c.insert("aws:TagKeys".into(), json!(keys));
        }

        // Service keys.
        if t.service == "s3" && t.name == "ListBucket" {
            if self.p(0.7) {
                let prefixes: &[&str] = if self.avoid {
                    &["home/alice/", "home/bob/", "public/"]
                } else {
                    &["home/alice/", "home/bob/", "public/", ""]
                };
                let pre = self.pick(prefixes);
                c.insert("s3:prefix".into(), json!(pre));
            }
            if self.p(0.5) {
                let mk = self.pick(&["10", "100", "1000"]);
                c.insert("s3:max-keys".into(), json!(mk));
            }
        }

        // A single-valued key given as a list (spec A-13: no operator without a set prefix
        // matches it).
        if self.p(0.03) {
            self.feat("list-on-single-key");
            c.insert("aws:RequestedRegion".into(), json!([t.region]));
        }

        // Garbage.
        if self.p(self.opts.garbage_rate) {
            // Outside avoid mode also values with a parsable prefix, which iam-simulate's
            // lenient number/date parsing accepts (spec A-16).
            let lenient = !self.avoid;
            let choices: Vec<(&str, &[&str])> = vec![
                (
                    "aws:SourceIp",
                    if lenient {
                        &["not-an-ip", "300.1.2.3", "10.0.0.0/8x"]
                    } else {
                        &["not-an-ip", "300.1.2.3"]
                    },
                ),
                ("aws:CurrentTime", &["yesterday", "2025-13-45T99:00:00Z"]),
                (
                    "aws:MultiFactorAuthAge",
                    if lenient { &["abc", "1e"] } else { &["abc"] },
                ),
                ("aws:MultiFactorAuthPresent", &["maybe", "yes"]),
                ("aws:SecureTransport", &["1", "on"]),
                (
                    "s3:max-keys",
                    if lenient { &["ten", "1,000"] } else { &["ten"] },
                ),
                ("aws:TokenIssueTime", &["soon"]),
            ];
            let (key, vals) = self.pick(&choices);
            let v = self.pick(vals);
            c.insert(key.into(), json!(v));
            self.feat("garbage-value");
        }
        c
    }

    // --- policies -----------------------------------------------------------------------------

    /// Which resource-based policy (if any) the target has.
    fn rbp_kind(&mut self, s: &Scene) -> Option<PolKind> {
        match s.t.res {
            ResType::StsRole => Some(PolKind::Trust),
            ResType::KmsKey => Some(PolKind::Resource),
            ResType::S3Object | ResType::S3Bucket | ResType::SqsQueue => {
                let prob = if !s.p.is_iam() {
                    0.9
                } else if s.same_account() {
                    0.45
                } else {
                    0.8
                };
                self.p(prob).then_some(PolKind::Resource)
            }
            _ => None,
        }
    }

    fn version(&mut self, kind: PolKind) -> Option<&'static str> {
        if self.avoid || kind == PolKind::Rcp {
            return Some("2012-10-17");
        }
        match self.weighted(&[(0u8, 94), (1, 4), (2, 2)]) {
            1 => {
                self.feat("version-2008");
                Some("2008-10-17")
            }
            2 => {
                self.feat("version-missing");
                None
            }
            _ => Some("2012-10-17"),
        }
    }

    fn document(&mut self, kind: PolKind, statements: Vec<Value>) -> Value {
        let mut doc = Map::new();
        if let Some(v) = self.version(kind) {
            doc.insert("Version".into(), json!(v));
        }
        let stmt = if statements.len() == 1 && kind != PolKind::Rcp && self.p(0.25) {
            statements.into_iter().next().unwrap_or(Value::Null)
        } else {
            Value::Array(statements)
        };
        doc.insert("Statement".into(), stmt);
        let doc = Value::Object(doc);
        if self.p(0.1) {
            json!({"name": "named-policy", "document": doc})
        } else {
            doc
        }
    }

    fn policy(&mut self, s: &Scene, kind: PolKind) -> Value {
        let n = match kind {
            PolKind::Identity | PolKind::Resource => {
                self.weighted(&[(1usize, 55), (2, 32), (3, 13)])
            }
            PolKind::Trust => self.weighted(&[(1usize, 75), (2, 25)]),
            _ => self.weighted(&[(1usize, 75), (2, 25)]),
        };
        let mut stmts = Vec::new();
        for i in 0..n {
            let deny_rate = match kind {
                PolKind::Identity => 0.27,
                PolKind::Resource => 0.24,
                PolKind::Trust => 0.1,
                PolKind::Boundary | PolKind::Session => 0.12,
                _ => 0.0,
            };
            // The first statement of a grant-bearing policy is an Allow more often.
            let deny = self.p(if i == 0 { deny_rate / 2.0 } else { deny_rate });
            let st = self.statement(s, kind, deny, i);
            stmts.push(st);
        }
        if kind == PolKind::Resource && s.t.res == ResType::KmsKey && self.p(0.5) {
            // The default key policy: delegate to the key's account.
            let a = s.t.acct.id();
            self.feat("principal-account");
            stmts.push(json!({
                "Sid": "EnableIAMUserPermissions",
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{a}:root")},
                "Action": "kms:*",
                "Resource": "*"
            }));
        }
        self.document(kind, stmts)
    }

    fn statement(&mut self, s: &Scene, kind: PolKind, deny: bool, i: usize) -> Value {
        let mut st = Map::new();
        if self.p(0.3) {
            st.insert("Sid".into(), json!(format!("Stmt{i}")));
        }
        let effect = if deny { "Deny" } else { "Allow" };
        st.insert("Effect".into(), json!(effect));
        if deny {
            self.feat("deny");
        }
        let aim = if deny { 0.6 } else { 0.78 };

        // Principal / NotPrincipal.
        if matches!(kind, PolKind::Resource | PolKind::Trust) {
            let not_principal = deny && kind == PolKind::Resource && s.p.is_iam() && self.p(0.3);
            if not_principal {
                self.feat("notprincipal");
                let np = self.not_principal(s);
                st.insert("NotPrincipal".into(), np);
            } else {
                let pr = self.principal_element(s, aim, kind, deny);
                st.insert("Principal".into(), pr);
            }
        }

        // Action / NotAction.
        let not_action = kind != PolKind::Trust && self.p(0.1);
        if not_action {
            self.feat("notaction");
            // NotAction naming other services mostly, so the statement covers the request.
            let n = self.range(1, 2);
            let mut xs = Vec::new();
            for _ in 0..n {
                let pat = if self.p(0.7) {
                    self.other_service_pattern(s.t.service)
                } else {
                    self.action_pattern(s, 0.5)
                };
                xs.push(json!(pat));
            }
            let v = self.one_or_many(xs);
            st.insert("NotAction".into(), v);
        } else {
            let n = self.weighted(&[(1usize, 65), (2, 25), (3, 10)]);
            let mut xs = Vec::new();
            for j in 0..n {
                let pat = if kind == PolKind::Trust {
                    self.trust_action(s, if j == 0 { aim } else { 0.3 })
                } else {
                    self.action_pattern(s, if j == 0 { aim } else { 0.3 })
                };
                xs.push(json!(pat));
            }
            let v = self.one_or_many(xs);
            st.insert("Action".into(), v);
        }

        // Resource / NotResource (trust policies have neither).
        if kind != PolKind::Trust {
            let not_resource = self.p(0.08);
            let n = self.weighted(&[(1usize, 75), (2, 25)]);
            let mut xs = Vec::new();
            for j in 0..n {
                let aim_r = if not_resource {
                    0.35
                } else if j == 0 {
                    aim
                } else {
                    0.3
                };
                // iam-simulate lets an unresolved variable in NotResource exclude the request.
                let vars_ok = !(self.avoid && (not_resource || kind == PolKind::Rcp));
                let r = self.resource_pattern(s, aim_r, vars_ok);
                xs.push(json!(r));
            }
            let v = self.one_or_many(xs);
            if not_resource {
                self.feat("notresource");
                st.insert("NotResource".into(), v);
            } else {
                st.insert("Resource".into(), v);
            }
        }

        // Condition.
        let cond_rate = if deny { 0.55 } else { 0.35 };
        if self.p(cond_rate) {
            let c = self.condition(s, kind, deny);
            st.insert("Condition".into(), c);
        }
        Value::Object(st)
    }

    // --- actions ------------------------------------------------------------------------------

    fn action_pattern(&mut self, s: &Scene, aim: f64) -> String {
        if self.p(aim) {
            self.matching_action(&s.t.action())
        } else if self.p(0.4) {
            let p = self.pick(ACTION_PATTERNS);
            self.note_action(p);
            p.to_string()
        } else {
            let (svc, name, _) = self.pick(ACTIONS);
            format!("{svc}:{name}")
        }
    }

    fn trust_action(&mut self, s: &Scene, aim: f64) -> String {
        if self.p(aim) {
            let action = s.t.action();
            self.matching_action(&action)
        } else {
            let p = self.pick(&["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]);
            p.to_string()
        }
    }

    fn note_action(&mut self, p: &str) {
        if p.contains(['*', '?']) {
            self.feat("action-wildcard");
        }
    }

    /// A pattern that matches `action` (spec §3.1).
    fn matching_action(&mut self, action: &str) -> String {
        let (svc, name) = action.split_once(':').unwrap_or((action, ""));
        let len = name.len();
        let out =
            match self.weighted(&[(0u8, 40), (1, 12), (2, 6), (3, 12), (4, 10), (5, 8), (6, 5)]) {
                1 => format!("{svc}:*"),
                2 => "*".to_string(),
                3 if len > 2 => {
                    let k = self.range(1, len - 1);
                    format!("{svc}:{}*", &name[..k])
                }
                4 if len > 2 => {
                    let k = self.range(1, len - 1);
                    format!("{svc}:*{}", &name[k..])
                }
                5 if len > 1 => {
                    let k = self.idx(len);
                    format!("{svc}:{}?{}", &name[..k], &name[k + 1..])
                }
                6 => {
                    self.feat("action-case");
                    format!("{}:{}", svc.to_uppercase(), name.to_lowercase())
                }
                _ => action.to_string(),
            };
        self.note_action(&out);
        out
    }

    fn other_service_pattern(&mut self, svc: &str) -> String {
        let others: Vec<&str> = ["s3", "ec2", "iam", "kms", "sqs", "sts"]
            .into_iter()
            .filter(|s| *s != svc)
            .collect();
        let o = self.pick(&others);
        if self.p(0.6) {
            format!("{o}:*")
        } else {
            let named: Vec<&(&str, &str, ResType)> =
                ACTIONS.iter().filter(|(s, _, _)| *s == o).collect();
            let (s2, n2, _) = *self.pick(&named);
            format!("{s2}:{n2}")
        }
    }

    // --- resources ----------------------------------------------------------------------------

    /// A resource pattern; with probability `aim` one meant to match the target.
    fn resource_pattern(&mut self, s: &Scene, aim: f64, vars_ok: bool) -> String {
        let out = if self.p(aim) {
            self.matching_resource(&s.t, vars_ok)
        } else {
            // A resource from another random target-like draw.
            let other = self.random_resource();
            if self.p(0.7) {
                other
            } else {
                let t = s.t.clone();
                self.matching_resource(&t, vars_ok)
            }
        };
        if out.contains("${") {
            self.feat("variable");
        }
        if out.contains(", '") {
            self.feat("variable-default");
        }
        if out.contains(['*', '?']) {
            self.feat("resource-wildcard");
        }
        out
    }

    fn random_resource(&mut self) -> String {
        let a = self.pick(&Acct::ALL).id();
        let r = self.pick(REGIONS);
        match self.range(0, 7) {
            0 => format!("arn:aws:s3:::{}/*", self.pick(BUCKETS)),
            1 => format!("arn:aws:s3:::{}", self.pick(BUCKETS)),
            2 => format!("arn:aws:ec2:{r}:{a}:instance/{}", self.pick(INSTANCES)),
            3 => {
                let (p, n) = self.pick(USERS);
                format!("arn:aws:iam::{a}:user{p}{n}")
            }
            4 => {
                let (p, n) = self.pick(ROLES);
                format!("arn:aws:iam::{a}:role{p}{n}")
            }
            5 => format!("arn:aws:kms:{r}:{a}:key/{}", self.pick(KMS_KEYS)),
            6 => format!("arn:aws:sqs:{r}:{a}:{}", self.pick(QUEUES)),
            _ => "*".into(),
        }
    }

    /// A resource pattern built to match `t` (variables may still fail to resolve).
    fn matching_resource(&mut self, t: &Target, vars_ok: bool) -> String {
        if self.p(0.15) {
            return "*".into();
        }
        let a = t.acct.id();
        let r = t.region;
        let mut c: Vec<String> = vec![t.resource.clone()];
        match t.res {
            ResType::Star => return "*".into(),
            ResType::S3Object => {
                let b = t.bucket.unwrap_or("data");
                let k = t.key.unwrap_or("x");
                c.push(format!("arn:aws:s3:::{b}/*"));
                c.push("arn:aws:s3:::*".into());
                c.push("arn:aws:s3:::*/*".into());
                c.push(format!("arn:aws:s3:::{b}/{}", question_mark(k)));
                if !self.avoid {
                    c.push("arn:aws:s3:*".into());
                }
                if vars_ok {
                    c.push("arn:aws:s3:::bucket-${aws:username}/*".into());
                    c.push(format!("arn:aws:s3:::{b}/home/${{aws:username}}/*"));
                    c.push("arn:aws:s3:::team-${aws:PrincipalTag/team}/*".into());
                    c.push("arn:aws:s3:::team-${aws:PrincipalTag/team, 'red'}/*".into());
                }
            }
            ResType::S3Bucket => {
                let b = t.bucket.unwrap_or("data");
                c.push("arn:aws:s3:::*".into());
                c.push(format!("arn:aws:s3:::{}*", &b[..b.len().min(3)]));
                if vars_ok {
                    c.push("arn:aws:s3:::bucket-${aws:username}".into());
                    c.push("arn:aws:s3:::team-${aws:PrincipalTag/team}".into());
                }
            }
            ResType::Ec2Instance => {
                c.push("arn:aws:ec2:*:*:instance/*".into());
                c.push(format!("arn:aws:ec2:{r}:{a}:instance/*"));
                c.push(format!("arn:aws:ec2:*:{a}:*"));
                c.push(question_mark(&t.resource));
            }
            ResType::IamUser => {
                c.push(format!("arn:aws:iam::{a}:user/*"));
                c.push("arn:aws:iam::*:user/eng/*".into());
                if vars_ok {
                    c.push(format!("arn:aws:iam::{a}:user/${{aws:username}}"));
                }
            }
            ResType::IamRole | ResType::StsRole => {
                let (path, name) = t.entity.unwrap_or(("/", "Dev"));
                c.push(format!("arn:aws:iam::{a}:role/*"));
                c.push(format!("arn:aws:iam::*:role{path}{name}"));
                c.push(format!("arn:aws:iam::{a}:role{path}{}*", &name[..2]));
            }
            ResType::KmsKey => {
                c.push(format!("arn:aws:kms:*:{a}:key/*"));
                c.push(format!("arn:aws:kms:{r}:*:key/*"));
            }
            ResType::SqsQueue => {
                c.push(format!("arn:aws:sqs:*:{a}:orders*"));
                c.push(format!("arn:aws:sqs:{r}:{a}:*"));
                c.push(question_mark(&t.resource));
                if !self.avoid {
                    c.push("arn:aws:sqs:*".into());
                }
            }
        }
        let i = self.idx(c.len());
        c.swap_remove(i)
    }

    // --- principals in resource policies -------------------------------------------------------

    fn principal_element(&mut self, s: &Scene, aim: f64, kind: PolKind, deny: bool) -> Value {
        let n = self.weighted(&[(1usize, 75), (2, 20), (3, 5)]);
        let mut entries: Vec<(&'static str, String)> = Vec::new();
        for j in 0..n {
            let e = self.principal_entry(s, if j == 0 { aim } else { 0.3 }, kind, deny);
            match e {
                None => {
                    self.feat("principal-wildcard");
                    // "*" cannot be combined with other entries in this shape; stop here.
                    if entries.is_empty() {
                        return if self.p(0.6) {
                            json!("*")
                        } else {
                            json!({"AWS": "*"})
                        };
                    }
                }
                Some(e) => entries.push(e),
            }
        }
        let mut obj = Map::new();
        for (k, v) in entries {
            match obj.get_mut(k) {
                Some(Value::Array(a)) => {
                    if !a.contains(&json!(v)) {
                        a.push(json!(v));
                    }
                }
                Some(existing) => {
                    if existing != &json!(v) {
                        let old = existing.take();
                        *existing = json!([old, v]);
                    }
                }
                None => {
                    obj.insert(k.to_string(), json!(v));
                }
            }
        }
        Value::Object(obj)
    }

    /// One `Principal` entry: `None` is `"*"`; otherwise (type, value).
    fn principal_entry(
        &mut self,
        s: &Scene,
        aim: f64,
        kind: PolKind,
        deny: bool,
    ) -> Option<(&'static str, String)> {
        let p = &s.p;
        // iam-simulate lets a session policy limit a grant naming the session (or "*").
        let no_direct_session = self.avoid
            && !deny
            && p.has_session_policy
            && s.same_account()
            && matches!(p.kind, Kind::RoleSession | Kind::Federated);
        if self.p(aim) {
            match p.kind {
                Kind::Anonymous => None,
                Kind::Service => {
                    if self.p(0.8) {
                        self.feat("principal-service");
                        Some(("Service", p.arn.clone()))
                    } else {
                        None
                    }
                }
                _ => {
                    let a = p.account_id().unwrap_or_default();
                    let choice = self.weighted(&[(0u8, 35), (1, 25), (2, 10), (3, 30)]);
                    match choice {
                        0 => {
                            self.feat("principal-account");
                            if self.p(0.5) {
                                Some(("AWS", a.to_string()))
                            } else {
                                Some(("AWS", format!("arn:aws:iam::{a}:root")))
                            }
                        }
                        1 if !no_direct_session => None,
                        3 if p.kind == Kind::RoleSession => {
                            self.feat("principal-role");
                            Some(("AWS", p.role_arn.clone().unwrap_or_default()))
                        }
                        3 if p.kind == Kind::Federated => {
                            self.feat("principal-parent-user");
                            Some(("AWS", p.parent_arn.clone().unwrap_or_default()))
                        }
                        _ if p.kind == Kind::Root => Some(("AWS", p.arn.clone())),
                        _ if no_direct_session => {
                            self.feat("principal-account");
                            Some(("AWS", a.to_string()))
                        }
                        _ => Some(("AWS", p.arn.clone())),
                    }
                }
            }
        } else {
            let _ = kind;
            // Somebody else (who may still happen to be the caller).
            let acct = self.pick(&Acct::ALL).id();
            match self.range(0, 4) {
                0 => Some(("AWS", acct.to_string())),
                1 => {
                    let (path, name) = self.pick(USERS);
                    Some(("AWS", format!("arn:aws:iam::{acct}:user{path}{name}")))
                }
                2 => {
                    let (path, name) = self.pick(ROLES);
                    Some(("AWS", format!("arn:aws:iam::{acct}:role{path}{name}")))
                }
                3 => {
                    let svc = self.pick(SERVICES);
                    self.feat("principal-service");
                    Some(("Service", svc.to_string()))
                }
                _ => {
                    let (_, name) = self.pick(ROLES);
                    let sess = self.pick(SESSIONS);
                    Some((
                        "AWS",
                        format!("arn:aws:sts::{acct}:assumed-role/{name}/{sess}"),
                    ))
                }
            }
        }
    }

    /// A `NotPrincipal` list: either the caller's full identity chain (so the Deny skips it)
    /// or identities of another account (so the Deny applies); outside `avoid` mode sometimes
    /// only part of the chain (where strict and lenient readings differ, spec A-12).
    fn not_principal(&mut self, s: &Scene) -> Value {
        let p = &s.p;
        let a = p.account_id().unwrap_or_default();
        let mut list: Vec<String> = Vec::new();
        match self.weighted(&[(0u8, 45), (1, 40), (2, if self.avoid { 0 } else { 15 })]) {
            0 => {
                list.push(format!("arn:aws:iam::{a}:root"));
                match p.kind {
                    Kind::RoleSession => {
                        list.push(p.role_arn.clone().unwrap_or_default());
                        list.push(p.arn.clone());
                    }
                    Kind::Root => {}
                    _ => list.push(p.arn.clone()),
                }
            }
            1 => {
                let other = Acct::ALL
                    .iter()
                    .copied()
                    .find(|x| Some(*x) != p.acct)
                    .unwrap_or(Acct::Outside)
                    .id();
                list.push(format!("arn:aws:iam::{other}:root"));
                let (path, name) = self.pick(USERS);
                list.push(format!("arn:aws:iam::{other}:user{path}{name}"));
            }
            _ => {
                list.push(a.to_string());
            }
        }
        let xs: Vec<Value> = list.into_iter().map(|x| json!(x)).collect();
        let v = self.one_or_many(xs);
        json!({ "AWS": v })
    }

    // --- organization policies ----------------------------------------------------------------

    fn full_aws_access(&mut self) -> Value {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    }

    fn scp_levels(&mut self, s: &Scene) -> Value {
        self.feat("scp");
        let n = self.weighted(&[(1usize, 30), (2, 40), (3, 30)]);
        if n > 1 {
            self.feat("scp-levels");
        }
        let deny_level = if self.p(0.35) {
            Some(self.idx(n))
        } else {
            None
        };
        let mut levels = Vec::new();
        for l in 0..n {
            let mut pols = Vec::new();
            if self.p(0.88) {
                pols.push(self.full_aws_access());
            } else {
                // An allow list instead of FullAWSAccess: the SCP gate may fail.
                let k = self.range(1, 2);
                let mut stmts = Vec::new();
                for i in 0..k {
                    stmts.push(self.statement(s, PolKind::Scp, false, i));
                }
                pols.push(self.document(PolKind::Scp, stmts));
            }
            if deny_level == Some(l) {
                let k = self.range(1, 2);
                let mut stmts = Vec::new();
                for i in 0..k {
                    stmts.push(self.statement(s, PolKind::Scp, true, i));
                }
                pols.push(self.document(PolKind::Scp, stmts));
            }
            levels.push(Value::Array(pols));
        }
        Value::Array(levels)
    }

    fn rcp_levels(&mut self, s: &Scene) -> Value {
        self.feat("rcp");
        let n = self.weighted(&[(1usize, 35), (2, 40), (3, 25)]);
        if n > 1 {
            self.feat("rcp-levels");
        }
        // iam-simulate applies RCPs to every service and to "*" resources (spec §6.3, A-23).
        let supported = matches!(s.t.service, "s3" | "sqs" | "kms" | "sts");
        let restrict = !self.avoid || (supported && s.t.res != ResType::Star);
        let mut levels = Vec::new();
        for _ in 0..n {
            let mut pols = Vec::new();
            if restrict && self.p(0.3) {
                let k = self.range(1, 2);
                let mut stmts = Vec::new();
                for _ in 0..k {
                    stmts.push(self.rcp_statement(s));
                }
                pols.push(self.document(PolKind::Rcp, stmts));
            }
            levels.push(Value::Array(pols));
        }
        Value::Array(levels)
    }

    fn rcp_statement(&mut self, s: &Scene) -> Value {
        self.feat("deny");
        let n = self.range(1, 2);
        let mut actions = Vec::new();
        for j in 0..n {
            let a = if self.p(if j == 0 { 0.7 } else { 0.3 }) {
                let m = self.matching_action(&s.t.action());
                if m == "*" {
                    format!("{}:*", s.t.service)
                } else {
                    m
                }
            } else {
                let svc = self.pick(&["s3", "sqs", "kms", "sts"]);
                format!("{svc}:*")
            };
            actions.push(json!(a));
        }
        let action = self.one_or_many(actions);
        let mut st = Map::new();
        st.insert("Effect".into(), json!("Deny"));
        st.insert("Principal".into(), json!("*"));
        st.insert("Action".into(), action);
        let not_resource = self.p(0.08);
        let vars_ok = !self.avoid;
        let r = self.resource_pattern(s, 0.7, vars_ok);
        if not_resource {
            self.feat("notresource");
            st.insert("NotResource".into(), json!(r));
        } else {
            st.insert("Resource".into(), json!(r));
        }
        if self.p(0.85) {
            let c = match self.range(0, 4) {
                0 => {
                    self.feat("op:StringNotEquals");
                    self.feat("negated");
                    self.feat("ifexists");
                    json!({"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG_ID}})
                }
                1 => {
                    self.feat("op:Bool");
                    self.feat("ifexists");
                    json!({"BoolIfExists": {"aws:SecureTransport": "false"}})
                }
                2 => {
                    self.feat("op:StringNotEquals");
                    self.feat("negated");
                    json!({"StringNotEquals": {"aws:PrincipalAccount": [Acct::Member.id(), Acct::Mgmt.id()]}})
                }
                _ => self.condition(s, PolKind::Rcp, true),
            };
            st.insert("Condition".into(), c);
        }
        Value::Object(st)
    }

    // --- conditions ---------------------------------------------------------------------------

    fn condition(&mut self, s: &Scene, kind: PolKind, deny: bool) -> Value {
        self.feat("condition");
        let n = self.weighted(&[(1usize, 80), (2, 20)]);
        let mut obj = Map::new();
        for _ in 0..n {
            let (op, key, val) = self.clause(s, kind, deny);
            match obj.get_mut(&op) {
                Some(Value::Object(m)) => {
                    m.entry(key).or_insert(val);
                }
                _ => {
                    let mut m = Map::new();
                    m.insert(key, val);
                    obj.insert(op, Value::Object(m));
                }
            }
        }
        let clauses: usize = obj
            .values()
            .map(|v| v.as_object().map_or(0, Map::len))
            .sum();
        if clauses > 1 {
            self.feat("multi-clause");
        }
        Value::Object(obj)
    }

    /// A value from the context (`Some` when present and single-valued).
    fn ctx_or(&mut self, s: &Scene, key: &str, alternatives: &[&str], aim: f64) -> String {
        match s.ctx_str(key) {
            Some(v) if self.p(aim) => v,
            _ => self.pick(alternatives).to_string(),
        }
    }

    /// Marks the operator's features and builds its full name.
    fn op_name(&mut self, base: &str, set: Option<&str>, if_exists: bool) -> String {
        self.feat(format!("op:{base}"));
        if NEGATED.contains(&base) {
            self.feat("negated");
        }
        let mut name = String::new();
        if let Some(set) = set {
            self.feat("set-op");
            self.feat(if set == "ForAllValues" {
                "forallvalues"
            } else {
                "foranyvalue"
            });
            name.push_str(set);
            name.push(':');
        }
        name.push_str(base);
        if if_exists {
            self.feat("ifexists");
            name.push_str("IfExists");
        }
        name
    }

    fn values(&mut self, mut xs: Vec<String>) -> Value {
        xs.dedup();
        let vs: Vec<Value> = xs.into_iter().map(|x| json!(x)).collect();
        self.one_or_many(vs)
    }

    fn clause(&mut self, s: &Scene, kind: PolKind, deny: bool) -> (String, String, Value) {
        let _ = (kind, deny);
        let family = self.weighted(&[
            ("string", 30),
            ("arn", 9),
            ("ip", 10),
            ("bool", 10),
            ("numeric", 8),
            ("date", 9),
            ("null", 7),
            ("set", 12),
            ("binary", 3),
        ]);
        let if_exists = self.p(0.18);
        let (op, key, val) = match family {
            "arn" => self.arn_clause(s, if_exists),
            "ip" => self.ip_clause(s, if_exists),
            "bool" => self.bool_clause(s, if_exists),
            "numeric" => self.numeric_clause(s, if_exists),
            "date" => self.date_clause(s, if_exists),
            "null" => self.null_clause(s),
            "set" => self.set_clause(s),
            "binary" => self.binary_clause(s, if_exists),
            _ => self.string_clause(s, if_exists),
        };
        if !s.ctx.keys().any(|k| k.eq_ignore_ascii_case(&key)) {
            self.feat("absent-key");
        }
        (op, key, val)
    }

    fn string_clause(&mut self, s: &Scene, if_exists: bool) -> (String, String, Value) {
        let key = self.pick(&[
            "aws:PrincipalTag/team",
            "aws:PrincipalTag/env",
            "aws:username",
            "aws:PrincipalOrgID",
            "aws:PrincipalAccount",
            "aws:RequestedRegion",
            "aws:ResourceTag/team",
            "aws:ResourceAccount",
            "aws:PrincipalType",
            "aws:userid",
            "aws:SourceAccount",
            "aws:PrincipalServiceName",
            "aws:RequestTag/team",
            "s3:prefix",
        ]);
        let alts: &[&str] = match key {
            "aws:PrincipalTag/team" | "aws:ResourceTag/team" | "aws:RequestTag/team" => TEAMS,
            "aws:PrincipalTag/env" => ENVS,
            "aws:username" => &["alice", "bob", "carol"],
            "aws:PrincipalOrgID" => &[ORG_ID, "o-other"],
            "aws:PrincipalAccount" | "aws:ResourceAccount" | "aws:SourceAccount" => {
                &["111122223333", "444455556666", "777788889999"]
            }
            "aws:RequestedRegion" => REGIONS,
            "aws:PrincipalType" => &["User", "AssumedRole", "FederatedUser", "Account"],
            "aws:userid" => &["AIDAALICEEXAMPLE", "AROADEVEXAMPLE:ci-run"],
            "aws:PrincipalServiceName" => SERVICES,
            _ => &["home/alice/", "public/", "home/bob/"],
        };
        let base = self.weighted(&[
            ("StringEquals", 30),
            ("StringNotEquals", 15),
            ("StringEqualsIgnoreCase", 8),
            ("StringNotEqualsIgnoreCase", 5),
            ("StringLike", 25),
            ("StringNotLike", 10),
        ]);
        let negated = NEGATED.contains(&base);
        let like = base.contains("Like");
        let n = self.weighted(&[(1usize, 75), (2, 25)]);
        let mut vals = Vec::new();
        for j in 0..n {
            let mut v = self.ctx_or(s, key, alts, if j == 0 { 0.6 } else { 0.2 });
            // Variables (resolved from the context; may have no value).
            let vars_ok = !(self.avoid && negated);
            if vars_ok && self.p(0.15) {
                v = match key {
                    "aws:ResourceTag/team" | "aws:RequestTag/team" => {
                        "${aws:PrincipalTag/team}".into()
                    }
                    "s3:prefix" => "home/${aws:username}/".into(),
                    "aws:ResourceAccount" => "${aws:PrincipalAccount}".into(),
                    "aws:PrincipalTag/env" => "${aws:ResourceTag/env, 'dev'}".into(),
                    _ => v,
                };
                if v.contains("${") {
                    self.feat("variable");
                }
                if v.contains(", '") {
                    self.feat("variable-default");
                }
            }
            if like && self.p(0.6) && !v.contains("${") {
                v = glob_of(&v, self.idx(3));
            } else if like && v.contains("${") && !v.ends_with('*') && self.p(0.5) {
                v.push('*');
            }
            if base.contains("IgnoreCase") && self.p(0.5) {
                v = v.to_uppercase();
            }
            vals.push(v);
        }
        let op = self.op_name(base, None, if_exists);
        let val = self.values(vals);
        (op, key.to_string(), val)
    }

    fn arn_clause(&mut self, s: &Scene, if_exists: bool) -> (String, String, Value) {
        let key = if self.p(0.8) {
            "aws:PrincipalArn"
        } else {
            "aws:SourceArn"
        };
        let base = self.weighted(&[
            ("ArnEquals", 20),
            ("ArnLike", 45),
            ("ArnNotEquals", 10),
            ("ArnNotLike", 25),
        ]);
        let mut alts: Vec<String> = vec![
            "arn:aws:iam::*:role/Dev".into(),
            "arn:aws:iam::111122223333:user/*".into(),
            "arn:aws:iam::*:root".into(),
            "arn:aws:iam::*:role/ops/*".into(),
            "arn:aws:cloudtrail:*:111122223333:trail/*".into(),
            "arn:aws:iam::444455556666:*".into(),
        ];
        if !self.avoid {
            alts.push("arn:aws:iam::${aws:PrincipalAccount}:role/*".into());
        }
        let v = match s.ctx_str(key) {
            Some(v) if self.p(0.4) => {
                if base.contains("Like") && self.p(0.5) {
                    // Wildcard the last segment's tail.
                    match v.rfind(['/', ':']) {
                        Some(i) => format!("{}*", &v[..=i]),
                        None => v,
                    }
                } else {
                    v
                }
            }
            _ => {
                let i = self.idx(alts.len());
                alts.swap_remove(i)
            }
        };
        if v.contains("${") {
            self.feat("variable");
        }
        let op = self.op_name(base, None, if_exists);
        (op, key.to_string(), json!(v))
    }

    fn ip_clause(&mut self, s: &Scene, if_exists: bool) -> (String, String, Value) {
        let base = self.weighted(&[("IpAddress", 60), ("NotIpAddress", 40)]);
        let n = self.weighted(&[(1usize, 70), (2, 30)]);
        let mut vals = Vec::new();
        for _ in 0..n {
            let v = match s.ctx_str("aws:SourceIp") {
                // Only a request value that is a valid literal may be copied into the policy.
                Some(ip)
                    if self.p(0.3)
                        && !ip.contains(['/', 'n'])
                        && crate::model::value::parse_cidr(&ip).is_some() =>
                {
                    if ip.contains(':') {
                        format!("{ip}/128")
                    } else {
                        ip
                    }
                }
                _ => self.pick(CIDRS).to_string(),
            };
            if v.contains(':') {
                self.feat("ip-v6");
            }
            vals.push(v);
        }
        let op = self.op_name(base, None, if_exists);
        let val = self.values(vals);
        (op, "aws:SourceIp".into(), val)
    }

    fn bool_clause(&mut self, _s: &Scene, if_exists: bool) -> (String, String, Value) {
        let key = self.pick(&[
            "aws:MultiFactorAuthPresent",
            "aws:SecureTransport",
            "aws:ViaAWSService",
            "aws:PrincipalIsAWSService",
        ]);
        let b = self.p(0.5);
        let v = match self.range(0, 3) {
            0 => json!(b),
            1 if !self.avoid => json!(if b { "True" } else { "FALSE" }),
            _ => json!(b.to_string()),
        };
        let op = self.op_name("Bool", None, if_exists);
        (op, key.to_string(), v)
    }

    fn numeric_clause(&mut self, _s: &Scene, if_exists: bool) -> (String, String, Value) {
        let (key, vals): (&str, &[&str]) = if self.p(0.5) {
            ("aws:MultiFactorAuthAge", &["3600", "60", "4000"])
        } else {
            ("s3:max-keys", &["10", "100", "1000", "50.5"])
        };
        let base = self.pick(&[
            "NumericEquals",
            "NumericNotEquals",
            "NumericLessThan",
            "NumericLessThanEquals",
            "NumericGreaterThan",
            "NumericGreaterThanEquals",
        ]);
        let v = self.pick(vals);
        let val = if self.p(0.3) && !v.contains('.') {
            json!(v.parse::<u64>().unwrap_or(0))
        } else {
            json!(v)
        };
        let op = self.op_name(base, None, if_exists);
        (op, key.to_string(), val)
    }

    fn date_clause(&mut self, s: &Scene, if_exists: bool) -> (String, String, Value) {
        let epoch_ok = !self.avoid;
        let key = if epoch_ok && self.p(0.15) {
            "aws:EpochTime"
        } else if self.p(0.3) {
            "aws:TokenIssueTime"
        } else {
            "aws:CurrentTime"
        };
        let base = self.pick(&[
            "DateEquals",
            "DateNotEquals",
            "DateLessThan",
            "DateLessThanEquals",
            "DateGreaterThan",
            "DateGreaterThanEquals",
        ]);
        let v = if epoch_ok && self.p(0.15) {
            self.feat("date-epoch");
            self.pick(EPOCH_LITERALS).to_string()
        } else if key != "aws:EpochTime" && self.p(0.3) {
            s.ctx_str(key)
                .filter(|v| v.starts_with('2') && crate::model::value::Instant::parse(v).is_some())
                .unwrap_or_else(|| "2025-01-01T00:00:00Z".into())
        } else {
            self.pick(DATE_LITERALS).to_string()
        };
        if key == "aws:EpochTime" {
            self.feat("date-epoch");
        }
        let op = self.op_name(base, None, if_exists);
        (op, key.to_string(), json!(v))
    }

    fn null_clause(&mut self, _s: &Scene) -> (String, String, Value) {
        let key = self.pick(&[
            "aws:TokenIssueTime",
            "aws:MultiFactorAuthAge",
            "aws:PrincipalTag/team",
            "aws:SourceIp",
            "aws:username",
            "aws:RequestTag/team",
            "aws:PrincipalOrgID",
            "aws:SourceArn",
        ]);
        let b = self.p(0.5);
        let v = if self.p(0.4) {
            json!(b)
        } else {
            json!(b.to_string())
        };
        let op = self.op_name("Null", None, false);
        (op, key.to_string(), v)
    }

    fn set_clause(&mut self, s: &Scene) -> (String, String, Value) {
        let key = self.weighted(&[
            ("aws:TagKeys", 45),
            ("aws:PrincipalOrgPaths", 20),
            ("aws:ResourceOrgPaths", 10),
            ("aws:CalledVia", 10),
            ("aws:RequestedRegion", 10),
            ("aws:PrincipalTag/team", 5),
        ]);
        let set = if self.p(0.5) {
            "ForAllValues"
        } else {
            "ForAnyValue"
        };
        let base = self.weighted(&[
            ("StringEquals", 40),
            ("StringLike", 30),
            ("StringNotEquals", 15),
            ("StringNotLike", 10),
            ("StringEqualsIgnoreCase", 5),
        ]);
        let like = base.contains("Like");
        let alts: &[&str] = match key {
            "aws:TagKeys" => {
                if like {
                    &["team", "env", "cost-*", "t*"]
                } else {
                    &["team", "env", "cost-center", "owner"]
                }
            }
            "aws:PrincipalOrgPaths" | "aws:ResourceOrgPaths" => {
                if like {
                    &["o-abc/*", "o-abc/r-ab12/ou-ab12-dev/*", "o-xyz/*"]
                } else {
                    &[ORG_PATH_MEMBER, ORG_PATH_MGMT]
                }
            }
            "aws:CalledVia" => &["cloudformation.amazonaws.com", "athena.amazonaws.com"],
            "aws:RequestedRegion" => REGIONS,
            _ => TEAMS,
        };
        let n = self.range(1, 3);
        let mut vals: Vec<String> = Vec::new();
        for _ in 0..n {
            let v = self.pick(alts).to_string();
            if !vals.contains(&v) {
                vals.push(v);
            }
        }
        // ForAnyValue...IfExists on an absent key differs in iam-simulate (spec A-14).
        let if_exists = (set == "ForAllValues" || !self.avoid) && self.p(0.12);
        let _ = s;
        if matches!(
            key,
            "aws:TagKeys" | "aws:PrincipalOrgPaths" | "aws:ResourceOrgPaths" | "aws:CalledVia"
        ) {
            self.feat("multivalued-key");
        }
        let op = self.op_name(base, Some(set), if_exists);
        let vs: Vec<Value> = vals.into_iter().map(|x| json!(x)).collect();
        let val = self.one_or_many(vs);
        (op, key.to_string(), val)
    }

    fn binary_clause(&mut self, _s: &Scene, if_exists: bool) -> (String, String, Value) {
        let v = self.pick(&["QUJDRA==", "aGVsbG8=", "d29ybGQ="]);
        let op = self.op_name("BinaryEquals", None, if_exists);
        (op, "aws:RequestTag/sig".into(), json!(v))
    }
}

const NEGATED: &[&str] = &[
    "StringNotEquals",
    "StringNotEqualsIgnoreCase",
    "StringNotLike",
    "NumericNotEquals",
    "DateNotEquals",
    "NotIpAddress",
    "ArnNotEquals",
    "ArnNotLike",
];

/// Replaces one character of the part after the last `/` or `:` with `?` (or returns `s`).
fn question_mark(s: &str) -> String {
    let start = s.rfind(['/', ':']).map_or(0, |i| i + 1);
    let tail = &s[start..];
    match tail.char_indices().find(|(_, c)| c.is_ascii_alphanumeric()) {
        Some((i, c)) => {
            let at = start + i;
            format!("{}?{}", &s[..at], &s[at + c.len_utf8()..])
        }
        None => s.to_string(),
    }
}

/// A glob that matches `s`: a prefix with `*` (0), a `*` with a suffix (1), or a `?` (2).
fn glob_of(s: &str, how: usize) -> String {
    if !s.is_ascii() || s.len() < 2 {
        return format!("{s}*");
    }
    let mid = s.len() / 2;
    match how {
        0 => format!("{}*", &s[..mid]),
        1 => format!("*{}", &s[mid..]),
        _ => format!("{}?{}", &s[..mid], &s[mid + 1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Decimal, Instant, Operator, value};
    use std::collections::BTreeMap;

    fn sample(seed: u64, count: usize) -> Vec<Value> {
        generate_cases(&GenOptions::new(seed, count))
    }

    #[test]
    fn deterministic_for_a_seed() {
        let a = sample(7, 200);
        let b = sample(7, 200);
        assert_eq!(a, b);
        let c = sample(8, 200);
        assert_ne!(a, c);
        // A longer run extends a shorter one.
        let short = sample(7, 50);
        assert_eq!(&a[..50], &short[..]);
        assert_eq!(a[3]["id"], json!("gen-7-3"));
    }

    fn statements(doc: &Value) -> Vec<Value> {
        let d = doc.get("document").unwrap_or(doc);
        match &d["Statement"] {
            Value::Array(a) => a.clone(),
            v @ Value::Object(_) => vec![v.clone()],
            other => panic!("bad Statement {other}"),
        }
    }

    fn list(v: &Value) -> Vec<Value> {
        match v {
            Value::Array(a) => a.clone(),
            other => vec![other.clone()],
        }
    }

    fn check_principal_values(v: &Value) {
        if v == &json!("*") {
            return;
        }
        let obj = v.as_object().expect("principal object");
        for (k, vals) in obj {
            assert!(["AWS", "Service", "Federated", "CanonicalUser"].contains(&k.as_str()));
            for x in list(vals) {
                let x = x.as_str().expect("principal string");
                assert!(
                    x == "*" || !x.contains(['*', '?']),
                    "partial wildcard principal {x}"
                );
                assert!(!(k == "Service" && x == "*"));
            }
        }
    }

    fn check_literal(op: &Operator, v: &Value) {
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            other => panic!("bad condition value {other}"),
        };
        use crate::model::Family;
        let ok = match op.base.family() {
            Family::Numeric => Decimal::parse(&text).is_some(),
            Family::Date => Instant::parse(&text).is_some(),
            Family::Bool | Family::Null => value::parse_bool(&text).is_some(),
            Family::Binary => value::parse_base64(&text).is_some(),
            Family::Ip => value::parse_cidr(&text).is_some(),
            Family::String | Family::Arn => true,
        };
        assert!(ok, "{} literal {text:?} does not parse", op.base.name());
        if !matches!(
            op.base.family(),
            Family::String | Family::Arn | Family::Bool
        ) {
            assert!(!text.contains("${"), "variable in {}", op.base.name());
        }
    }

    fn check_policy(doc: &Value, kind: PolKind) {
        let d = doc.get("document").unwrap_or(doc);
        let obj = d.as_object().expect("policy object");
        for k in obj.keys() {
            assert!(
                ["Version", "Statement"].contains(&k.as_str()),
                "element {k}"
            );
        }
        if let Some(v) = obj.get("Version") {
            assert!(v == "2012-10-17" || v == "2008-10-17");
        }
        let stmts = statements(doc);
        assert!(!stmts.is_empty());
        let mut sids = BTreeSet::new();
        for st in &stmts {
            let st = st.as_object().expect("statement");
            if let Some(sid) = st.get("Sid") {
                let sid = sid.as_str().expect("sid");
                assert!(sid.chars().all(|c| c.is_ascii_alphanumeric()));
                assert!(sids.insert(sid.to_string()), "duplicate Sid");
            }
            let effect = st["Effect"].as_str().expect("effect");
            assert!(effect == "Allow" || effect == "Deny");
            assert!(st.contains_key("Action") ^ st.contains_key("NotAction"));
            let has_res = st.contains_key("Resource") || st.contains_key("NotResource");
            assert!(!(st.contains_key("Resource") && st.contains_key("NotResource")));
            let has_p = st.contains_key("Principal");
            let has_np = st.contains_key("NotPrincipal");
            assert!(!(has_p && has_np));
            match kind {
                PolKind::Identity | PolKind::Boundary | PolKind::Session | PolKind::Scp => {
                    assert!(!has_p && !has_np, "principal in {kind:?}");
                    assert!(has_res);
                }
                PolKind::Resource => {
                    assert!(has_p || has_np);
                    assert!(has_res);
                    if has_np {
                        assert_eq!(effect, "Deny");
                    }
                }
                PolKind::Trust => {
                    assert!(has_p && !has_np);
                    assert!(!has_res);
                }
                PolKind::Rcp => {
                    assert_eq!(effect, "Deny");
                    assert_eq!(st["Principal"], json!("*"));
                    assert!(!st.contains_key("NotAction"));
                    assert!(has_res);
                    for a in list(&st["Action"]) {
                        assert_ne!(a, json!("*"));
                    }
                    assert_eq!(obj.get("Version"), Some(&json!("2012-10-17")));
                }
            }
            if let Some(p) = st.get("Principal").or(st.get("NotPrincipal")) {
                check_principal_values(p);
            }
            for key in ["Action", "NotAction"] {
                if let Some(v) = st.get(key) {
                    for a in list(v) {
                        let a = a.as_str().expect("action string");
                        assert!(a == "*" || a.split(':').count() == 2, "bad action {a}");
                    }
                }
            }
            for key in ["Resource", "NotResource"] {
                if let Some(v) = st.get(key) {
                    for r in list(v) {
                        let r = r.as_str().expect("resource string");
                        assert!(r == "*" || r.starts_with("arn:aws:"), "bad resource {r}");
                        if let Some(i) = r.find("${") {
                            let colons = r[..i].matches(':').count();
                            assert!(colons >= 5, "variable before the fifth colon: {r}");
                        }
                    }
                }
            }
            if let Some(c) = st.get("Condition") {
                for (op, clauses) in c.as_object().expect("condition object") {
                    let op = Operator::parse(op).expect("operator parses");
                    for (_, vals) in clauses.as_object().expect("clause object") {
                        let vals = list(vals);
                        assert!(!vals.is_empty());
                        for v in &vals {
                            check_literal(&op, v);
                        }
                    }
                }
            }
        }
    }

    fn check_case(c: &Value) {
        let obj = c.as_object().expect("case object");
        let allowed = [
            "id",
            "identityPolicies",
            "resourcePolicy",
            "permissionBoundaries",
            "sessionPolicy",
            "scps",
            "rcps",
            "request",
            "features",
        ];
        for k in obj.keys() {
            assert!(allowed.contains(&k.as_str()), "unexpected field {k}");
        }
        assert!(obj["id"].as_str().expect("id").starts_with("gen-"));
        assert!(!obj.contains_key("expect"));
        for p in obj["identityPolicies"].as_array().expect("identity list") {
            check_policy(p, PolKind::Identity);
        }
        let req = obj["request"].as_object().expect("request");
        let action = req["action"].as_str().expect("action");
        let resource = req["resource"].as_str().expect("resource");
        let principal = req["principal"].as_str().expect("principal");
        if let Some(rp) = obj.get("resourcePolicy") {
            let trust = action.starts_with("sts:") && resource.contains(":role/");
            check_policy(
                rp,
                if trust {
                    PolKind::Trust
                } else {
                    PolKind::Resource
                },
            );
        }
        for p in obj
            .get("permissionBoundaries")
            .map(list)
            .unwrap_or_default()
        {
            check_policy(&p, PolKind::Boundary);
        }
        if let Some(sp) = obj.get("sessionPolicy") {
            let sps = if sp.is_array() {
                list(sp)
            } else {
                vec![sp.clone()]
            };
            for p in sps {
                check_policy(&p, PolKind::Session);
            }
        }
        for (field, kind) in [("scps", PolKind::Scp), ("rcps", PolKind::Rcp)] {
            if let Some(levels) = obj.get(field) {
                for level in levels.as_array().expect("levels") {
                    for p in level.as_array().expect("level") {
                        check_policy(p, kind);
                    }
                }
            }
        }
        // Context consistency (spec §1.1.4).
        let ctx = req["context"].as_object().expect("context");
        for (k, v) in ctx {
            match v {
                Value::String(_) => {}
                Value::Array(a) => assert!(a.iter().all(Value::is_string), "{k}"),
                other => panic!("context {k} = {other}"),
            }
        }
        let lower: BTreeSet<String> = ctx.keys().map(|k| k.to_ascii_lowercase()).collect();
        assert_eq!(lower.len(), ctx.len(), "case-duplicate context keys");
        let is_user = principal.contains(":user/");
        assert_eq!(ctx.contains_key("aws:username"), is_user);
        if principal.contains(":assumed-role/") {
            let role = ctx["aws:PrincipalArn"].as_str().expect("principal arn");
            assert!(
                role.contains(":role/"),
                "PrincipalArn of a session is the role"
            );
        } else if principal.starts_with("arn:") {
            assert_eq!(ctx["aws:PrincipalArn"], json!(principal));
        }
        if principal.starts_with("arn:") {
            let acct = principal.split(':').nth(4).expect("account");
            assert_eq!(ctx["aws:PrincipalAccount"], json!(acct));
            let in_org = acct != Acct::Outside.id();
            assert_eq!(ctx.contains_key("aws:PrincipalOrgID"), in_org);
            // SCPs only for member-account principals.
            assert_eq!(obj.contains_key("scps"), acct == Acct::Member.id());
        } else {
            assert!(!obj.contains_key("scps"));
            assert!(!ctx.contains_key("aws:PrincipalArn"));
            assert!(obj["identityPolicies"].as_array().expect("ids").is_empty());
        }
        let feats = obj["features"].as_array().expect("features");
        assert!(!feats.is_empty());
        let all = feature_tags();
        for f in feats {
            let f = f.as_str().expect("feature string");
            assert!(all.iter().any(|t| t == f), "unknown feature {f}");
        }
        // Round-trips as one JSON line.
        let line = serde_json::to_string(c).expect("serialize");
        assert!(!line.contains('\n'));
        let back: Value = serde_json::from_str(&line).expect("parse");
        assert_eq!(&back, c);
    }

    #[test]
    fn every_case_is_valid_in_the_format() {
        for c in sample(1, 2000) {
            check_case(&c);
        }
        let mut opts = GenOptions::new(2, 1000);
        opts.avoid_peer_gaps = true;
        for c in generate_cases(&opts) {
            check_case(&c);
            let feats = c["features"].as_array().expect("features");
            for gap in [
                "principal:root",
                "principal:slr",
                "version-2008",
                "date-epoch",
            ] {
                assert!(!feats.contains(&json!(gap)), "{gap} in avoid mode");
            }
        }
    }

    #[test]
    fn a_sample_covers_every_feature() {
        const N: usize = 10;
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for c in sample(1, 2000) {
            for f in c["features"].as_array().expect("features") {
                *counts
                    .entry(f.as_str().expect("str").to_string())
                    .or_default() += 1;
            }
        }
        let missing: Vec<String> = feature_tags()
            .into_iter()
            .filter(|t| counts.get(t).copied().unwrap_or(0) < N)
            .collect();
        assert!(missing.is_empty(), "features seen < {N} times: {missing:?}");
    }

    #[test]
    fn helpers() {
        assert_eq!(
            question_mark("arn:aws:s3:::b/k.txt"),
            "arn:aws:s3:::b/?.txt"
        );
        assert_eq!(glob_of("alice", 0), "al*");
        assert_eq!(glob_of("alice", 1), "*ice");
        assert_eq!(glob_of("alice", 2), "al?ce");
    }
}
