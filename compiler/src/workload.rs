//! Seeded benchmark workloads (issue 5, "Benchmarks"): a whole organization at a chosen scale
//! and a mix of requests against it, shared by the benches and the tests.
//!
//! | scale | principals (users + roles) | statements (over all distinct policies) |
//! | --- | --- | --- |
//! | S | 100 | ~1,000 |
//! | M | 1,000 | ~10,000 |
//! | L | 10,000 | ~100,000 |
//! | XL | 100,000 | ~1,000,000 |
//!
//! The organization mixes real AWS managed policies (passed in by the caller, typically read
//! from `../shared/corpus/aws-managed-policies.jsonl`) with generated customer managed, group and
//! inline policies that look like what companies write: service actions on named resources and
//! team prefixes, `${aws:username}` home folders, ABAC on `aws:PrincipalTag/team` against
//! `aws:ResourceTag/team`, `aws:SourceIp`, `aws:MultiFactorAuthPresent`, tag-on-create rules,
//! explicit denies. Around it: an OU tree with SCPs at every level (deny lists, a region
//! restriction, account guardrails), RCPs (a data perimeter, TLS), permissions boundaries on some
//! principals, role trust policies (services, the account, named roles, other accounts with an
//! external id), bucket, key and queue policies with cross-account grants, and one partner account
//! outside the organization.
//!
//! Requests are *aimed*: most are drawn from what a statement of the caller's own policies (or a
//! resource policy naming it) grants or denies, with the context its conditions ask for, so that
//! the mix holds allows, explicit denies and implicit denies instead of only the last. Every
//! request names a principal of the organization and resolves ([`crate::org::resolve`]).
//!
//! Everything is deterministic in `(config, seed, managed policies)`: the generator draws from one
//! ChaCha8 stream and iterates ordered maps only.

use crate::json::{self, ParseMode};
use crate::model::{Policy, PolicyType};
use crate::org::{
    Account, Group, InlinePolicy, ManagedPolicy, OrgPolicy, OrgRequest, OrgUnit, Organization,
    Resource, Role, User,
};
use crate::reference::{full_aws_access, rcp_full_aws_access};
use gavel_runtime::glob::{Tok, glob_match};
use gavel_runtime::{Context, ContextValue};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The scales of issue 5's benchmarks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scale {
    /// 100 principals, ~1k statements.
    S,
    /// 1,000 principals, ~10k statements.
    M,
    /// 10,000 principals, ~100k statements.
    L,
    /// 100,000 principals, ~1M statements.
    XL,
}

impl Scale {
    /// Every scale, smallest first.
    pub const ALL: [Scale; 4] = [Scale::S, Scale::M, Scale::L, Scale::XL];

    /// `S`, `M`, `L` or `XL`.
    pub fn name(self) -> &'static str {
        match self {
            Scale::S => "S",
            Scale::M => "M",
            Scale::L => "L",
            Scale::XL => "XL",
        }
    }

    /// Reads a scale name, case-insensitively.
    pub fn parse(text: &str) -> Option<Scale> {
        Scale::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(text.trim()))
    }

    /// The number of principals (IAM users and roles).
    pub fn principals(self) -> usize {
        match self {
            Scale::S => 100,
            Scale::M => 1_000,
            Scale::L => 10_000,
            Scale::XL => 100_000,
        }
    }

    /// The generator's knobs for this scale.
    pub fn config(self) -> Config {
        let principals = self.principals();
        Config {
            principals,
            statements: principals * 10,
            requests: 4_096,
            aws_managed: match self {
                Scale::S => 12,
                Scale::M => 40,
                Scale::L => 150,
                Scale::XL => 500,
            },
        }
    }
}

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// IAM users plus roles, over all accounts (the partner account outside the organization
    /// included).
    pub principals: usize,
    /// The statement count to aim at, over all distinct policies; generated customer policies
    /// are sized so that the total lands near it.
    pub statements: usize,
    /// How many requests to draw.
    pub requests: usize,
    /// How many AWS managed policies to use, at most (all of them are attached somewhere).
    pub aws_managed: usize,
}

/// Counts that describe a generated organization.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Accounts, the management and partner accounts included.
    pub accounts: usize,
    /// Organizational units, the root included.
    pub units: usize,
    /// IAM users.
    pub users: usize,
    /// IAM roles.
    pub roles: usize,
    /// IAM groups.
    pub groups: usize,
    /// Distinct policies: managed (AWS and customer), inline, trust, resource, SCPs, RCPs.
    pub policies: usize,
    /// Statements over all distinct policies ([`count_statements`]).
    pub statements: usize,
    /// AWS managed policies in use.
    pub aws_managed: usize,
    /// Customer managed policies (permissions boundaries included).
    pub customer_managed: usize,
    /// Inline policies of users, groups and roles.
    pub inline: usize,
    /// Resources with a resource-based policy (roles' trust policies not included).
    pub resource_policies: usize,
    /// SCPs, `FullAWSAccess` included.
    pub scps: usize,
    /// RCPs, `RCPFullAWSAccess` included.
    pub rcps: usize,
    /// Users and roles with a permissions boundary.
    pub with_boundary: usize,
}

impl Stats {
    /// Users plus roles.
    pub fn principals(&self) -> usize {
        self.users + self.roles
    }
}

/// A generated organization and the requests to decide against it.
#[derive(Clone, Debug)]
pub struct Workload {
    /// The organization.
    pub org: Organization,
    /// The requests, each naming a principal of `org`.
    pub requests: Vec<OrgRequest>,
    /// What `org` holds.
    pub stats: Stats,
}

/// The time every generated request is made at (2026-01-01T00:00:00Z), so that decisions do
/// not depend on the clock (some statements carry `aws:CurrentTime` conditions).
pub const REQUEST_TIME: i64 = 1_767_225_600;

/// The generated organization's id.
pub const ORG_ID: &str = "o-gavelbench01";

/// Generates the workload of `scale` from `seed`, with AWS managed policies drawn from `managed`
/// (may be empty). Fails only on a generator bug: a generated document the strict parser rejects.
pub fn generate(scale: Scale, seed: u64, managed: &[ManagedPolicy]) -> Result<Workload, String> {
    generate_with(&scale.config(), seed, managed)
}

/// [`generate`] with explicit knobs.
pub fn generate_with(
    config: &Config,
    seed: u64,
    managed: &[ManagedPolicy],
) -> Result<Workload, String> {
    let mut g = Gen::new(config, seed);
    g.build(managed)?;
    let requests = g.requests();
    let stats = g.stats();
    Ok(Workload {
        org: g.org,
        requests,
        stats,
    })
}

/// Reads AWS managed policies in the corpus JSON Lines format (`aws-managed-policies.jsonl`).
pub fn parse_managed(text: &str) -> Result<Vec<ManagedPolicy>, String> {
    let catalog = crate::org::load::PolicyCatalog::parse(text, "aws-managed-policies.jsonl")
        .map_err(|e| e.to_string())?;
    Ok(catalog.value.iter().cloned().collect())
}

/// Statements over all distinct policies of `org`: managed policies (default versions), inline
/// policies, trust policies, resource policies, SCPs and RCPs.
pub fn count_statements(org: &Organization) -> usize {
    let managed: usize = org
        .managed_policies
        .values()
        .filter_map(|m| m.document())
        .map(|d| d.statements.len())
        .sum();
    let org_policies: usize = org
        .scps
        .values()
        .chain(org.rcps.values())
        .map(|p| p.policy.statements.len())
        .sum();
    let resources: usize = org
        .resources
        .values()
        .filter_map(|r| r.policy.as_ref())
        .map(|p| p.statements.len())
        .sum();
    let inline_of = |v: &[InlinePolicy]| v.iter().map(|p| p.policy.statements.len()).sum::<usize>();
    let iam: usize = org
        .accounts
        .values()
        .map(|a| {
            a.users
                .values()
                .map(|u| inline_of(&u.inline))
                .sum::<usize>()
                + a.groups
                    .values()
                    .map(|g| inline_of(&g.inline))
                    .sum::<usize>()
                + a.roles
                    .values()
                    .map(|r| inline_of(&r.inline) + r.trust.statements.len())
                    .sum::<usize>()
        })
        .sum();
    managed + org_policies + resources + iam
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

/// Teams: the `team` tag of principals and resources, and a part of resource names.
const TEAMS: &[&str] = &[
    "web", "data", "platform", "mobile", "ml", "payments", "search", "infra", "growth", "security",
];

/// Second parts of resource names.
const THINGS: &[&str] = &[
    "orders",
    "payments",
    "users",
    "events",
    "reports",
    "images",
    "audit",
    "catalog",
    "billing",
    "inventory",
    "sessions",
    "metrics",
    "backups",
    "models",
    "feeds",
    "exports",
];

/// Regions resources live in; the last is outside the region restriction SCP.
const REGIONS: &[&str] = &["us-east-1", "eu-west-1", "ap-southeast-2"];

/// The corporate networks `aws:SourceIp` conditions allow.
const CORP_CIDRS: &[&str] = &["10.0.0.0/8", "203.0.113.0/24"];

/// Services the generated policies use, with real action names; `kind` says what their
/// resources look like.
struct Service {
    prefix: &'static str,
    actions: &'static [&'static str],
}

const SERVICES: &[Service] = &[
    Service {
        prefix: "s3",
        actions: &[
            "GetObject",
            "PutObject",
            "DeleteObject",
            "GetObjectTagging",
            "PutObjectTagging",
            "GetObjectVersion",
            "AbortMultipartUpload",
            "ListBucket",
            "GetBucketLocation",
            "GetBucketPolicy",
            "PutBucketPolicy",
            "DeleteBucket",
            "GetBucketTagging",
            "ListBucketVersions",
        ],
    },
    Service {
        prefix: "dynamodb",
        actions: &[
            "GetItem",
            "PutItem",
            "UpdateItem",
            "DeleteItem",
            "Query",
            "Scan",
            "BatchGetItem",
            "BatchWriteItem",
            "DescribeTable",
            "DeleteTable",
            "UpdateTable",
            "ListTagsOfResource",
        ],
    },
    Service {
        prefix: "lambda",
        actions: &[
            "InvokeFunction",
            "GetFunction",
            "GetFunctionConfiguration",
            "UpdateFunctionCode",
            "UpdateFunctionConfiguration",
            "DeleteFunction",
            "ListTags",
            "PublishVersion",
        ],
    },
    Service {
        prefix: "ec2",
        actions: &[
            "StartInstances",
            "StopInstances",
            "RebootInstances",
            "TerminateInstances",
            "DescribeInstances",
            "DescribeInstanceStatus",
            "CreateTags",
            "DeleteTags",
            "GetConsoleOutput",
            "ModifyInstanceAttribute",
        ],
    },
    Service {
        prefix: "kms",
        actions: &[
            "Encrypt",
            "Decrypt",
            "GenerateDataKey",
            "GenerateDataKeyWithoutPlaintext",
            "ReEncryptFrom",
            "ReEncryptTo",
            "DescribeKey",
            "ScheduleKeyDeletion",
            "DisableKey",
            "PutKeyPolicy",
        ],
    },
    Service {
        prefix: "sqs",
        actions: &[
            "SendMessage",
            "ReceiveMessage",
            "DeleteMessage",
            "GetQueueAttributes",
            "GetQueueUrl",
            "ChangeMessageVisibility",
            "PurgeQueue",
            "DeleteQueue",
        ],
    },
    Service {
        prefix: "sns",
        actions: &[
            "Publish",
            "Subscribe",
            "Unsubscribe",
            "GetTopicAttributes",
            "SetTopicAttributes",
            "DeleteTopic",
            "ListSubscriptionsByTopic",
        ],
    },
    Service {
        prefix: "secretsmanager",
        actions: &[
            "GetSecretValue",
            "DescribeSecret",
            "PutSecretValue",
            "UpdateSecret",
            "RotateSecret",
            "DeleteSecret",
            "TagResource",
        ],
    },
    Service {
        prefix: "ssm",
        actions: &[
            "GetParameter",
            "GetParameters",
            "GetParametersByPath",
            "PutParameter",
            "DeleteParameter",
            "GetParameterHistory",
        ],
    },
    Service {
        prefix: "logs",
        actions: &[
            "CreateLogStream",
            "PutLogEvents",
            "GetLogEvents",
            "FilterLogEvents",
            "DescribeLogStreams",
            "DeleteLogGroup",
            "PutRetentionPolicy",
        ],
    },
    Service {
        prefix: "ecr",
        actions: &[
            "BatchGetImage",
            "GetDownloadUrlForLayer",
            "BatchCheckLayerAvailability",
            "PutImage",
            "InitiateLayerUpload",
            "UploadLayerPart",
            "CompleteLayerUpload",
            "DescribeImages",
            "DeleteRepository",
        ],
    },
    Service {
        prefix: "cloudwatch",
        actions: &[
            "PutMetricAlarm",
            "DescribeAlarms",
            "DeleteAlarms",
            "SetAlarmState",
            "EnableAlarmActions",
            "DisableAlarmActions",
        ],
    },
];

/// Actions that destroy things: what explicit deny statements and SCPs name.
const DESTRUCTIVE: &[&str] = &[
    "s3:DeleteBucket",
    "s3:PutBucketPolicy",
    "dynamodb:DeleteTable",
    "kms:ScheduleKeyDeletion",
    "kms:DisableKey",
    "ec2:TerminateInstances",
    "logs:DeleteLogGroup",
    "lambda:DeleteFunction",
    "sqs:DeleteQueue",
    "sqs:PurgeQueue",
    "sns:DeleteTopic",
    "secretsmanager:DeleteSecret",
    "ssm:DeleteParameter",
    "ecr:DeleteRepository",
    "cloudwatch:DeleteAlarms",
];

/// AWS managed policies companies attach most, used first (those present in the corpus).
const POPULAR_AWS_MANAGED: &[&str] = &[
    "ReadOnlyAccess",
    "AmazonS3ReadOnlyAccess",
    "CloudWatchReadOnlyAccess",
    "AWSLambdaBasicExecutionRole",
    "AmazonSSMManagedInstanceCore",
    "AmazonEC2ReadOnlyAccess",
    "AmazonDynamoDBReadOnlyAccess",
    "IAMUserChangePassword",
    "ViewOnlyAccess",
    "SecurityAudit",
    "AmazonSQSFullAccess",
    "CloudWatchAgentServerPolicy",
    "AWSLambda_ReadOnlyAccess",
    "AmazonEC2ContainerRegistryReadOnly",
    "PowerUserAccess",
    "AdministratorAccess",
];

// ---------------------------------------------------------------------------------------------
// The generator

/// A resource of the inventory: `arn = head + team + tail` when the team is part of the name
/// (`named`), so that policies can write team prefixes.
#[derive(Clone, Debug)]
struct Res {
    arn: String,
    head: String,
    tail: String,
    team: usize,
    named: bool,
}

impl Res {
    /// The separator after the team in the name (`-` or `/`).
    fn sep(&self) -> &str {
        self.tail.get(..1).unwrap_or("-")
    }
}

/// What a statement grants or denies, for aiming requests at it. `resource` and context values
/// may hold `${aws:username}`, `${aws:PrincipalTag/team}` and `{ACCOUNT}` (the caller's
/// account), filled in per caller; `{ANY:svc}` picks a resource of the caller's account.
#[derive(Clone, Debug)]
struct Hint {
    deny: bool,
    action: String,
    resource: String,
    context: Vec<(String, CtxVal)>,
}

#[derive(Clone, Debug)]
enum CtxVal {
    One(String),
    List(Vec<String>),
}

impl Hint {
    fn allow(action: impl Into<String>, resource: impl Into<String>) -> Hint {
        Hint {
            deny: false,
            action: action.into(),
            resource: resource.into(),
            context: Vec::new(),
        }
    }

    fn deny(action: impl Into<String>, resource: impl Into<String>) -> Hint {
        Hint {
            deny: true,
            ..Hint::allow(action, resource)
        }
    }

    fn with(mut self, key: &str, value: &str) -> Hint {
        self.context
            .push((key.to_string(), CtxVal::One(value.to_string())));
        self
    }

    fn with_list(mut self, key: &str, values: &[&str]) -> Hint {
        self.context.push((
            key.to_string(),
            CtxVal::List(values.iter().map(|v| (*v).to_string()).collect()),
        ));
        self
    }
}

/// A planned user or role.
#[derive(Clone, Debug)]
struct Who {
    account: usize,
    user: bool,
    name: String,
    path: String,
    arn: String,
    unique_id: String,
    team: usize,
    mfa: bool,
    /// Hint sets (indexes into `Gen::hints`) of every policy that applies to it.
    policies: Vec<usize>,
    /// Statements granted to it by name (trust and resource policies): its own hint set.
    own: usize,
    /// Identity statements it needs for the cross-account grants others made to it.
    extra: Vec<Value>,
    trust: Option<Policy>,
    inline: Vec<InlinePolicy>,
    managed: Vec<String>,
    boundary: Option<String>,
    groups: Vec<String>,
    /// How many inline policies to generate.
    inline_slots: usize,
}

/// A planned account.
#[derive(Clone, Debug, Default)]
struct Acct {
    id: String,
    name: String,
    parent: Option<String>,
    env: &'static str,
    inv: BTreeMap<&'static str, Vec<Res>>,
    who: Vec<usize>,
    /// Roles whose trust policy names the account root (what `sts:AssumeRole` grants target).
    assumable: Vec<usize>,
    /// Customer managed policies: ARN and hint set.
    managed: Vec<(String, usize)>,
    boundaries: Vec<String>,
    groups: Vec<GroupPlan>,
    /// Explicit denies of the SCPs and RCPs that apply to this account's principals/resources.
    deny_hints: Vec<Hint>,
}

#[derive(Clone, Debug, Default)]
struct GroupPlan {
    name: String,
    hints: usize,
    inline: Vec<InlinePolicy>,
    managed: Vec<String>,
    inline_slots: usize,
}

struct Gen {
    rng: ChaCha8Rng,
    cfg: Config,
    org: Organization,
    accts: Vec<Acct>,
    who: Vec<Who>,
    hints: Vec<Vec<Hint>>,
    /// AWS managed policies in use: ARN and hint set.
    aws: Vec<(String, usize)>,
    /// Next AWS managed policy that no one attaches yet.
    aws_cursor: usize,
    /// Literal actions by lower-cased service prefix (built-in services and the AWS managed
    /// policies in use), to turn wildcard actions into requests.
    vocab: BTreeMap<String, BTreeSet<String>>,
    /// Requests a service principal makes (SNS delivering to queues).
    service_hints: Vec<(String, Hint)>,
    /// Mean statement count of the generated customer policies.
    mean: f64,
    statements: usize,
    ids: usize,
}

impl Gen {
    fn new(cfg: &Config, seed: u64) -> Gen {
        let mut vocab: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for s in SERVICES {
            let set = vocab.entry(s.prefix.to_string()).or_default();
            for a in s.actions {
                set.insert(format!("{}:{a}", s.prefix));
            }
        }
        Gen {
            rng: ChaCha8Rng::seed_from_u64(seed),
            cfg: cfg.clone(),
            org: Organization::default(),
            accts: Vec::new(),
            who: Vec::new(),
            hints: Vec::new(),
            aws: Vec::new(),
            aws_cursor: 0,
            vocab,
            service_hints: Vec::new(),
            mean: 4.0,
            statements: 0,
            ids: 0,
        }
    }

    // --- random helpers ------------------------------------------------------------------

    fn p(&mut self, prob: f64) -> bool {
        self.rng.random_bool(prob.clamp(0.0, 1.0))
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            self.rng.random_range(0..n)
        }
    }

    fn range(&mut self, lo: usize, hi: usize) -> usize {
        if hi <= lo {
            lo
        } else {
            self.rng.random_range(lo..=hi)
        }
    }

    /// An index skewed towards the front (a few popular items, a long tail).
    fn skewed(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        let u: f64 = self.rng.random();
        ((u * u * u) * n as f64) as usize % n
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        let i = self.below(items.len());
        items.get(i).copied().unwrap_or("")
    }

    fn new_hints(&mut self, hints: Vec<Hint>) -> usize {
        self.hints.push(hints);
        self.hints.len() - 1
    }

    fn unique(&mut self, prefix: &str) -> String {
        self.ids += 1;
        format!("{prefix}{:017}", self.ids)
    }

    fn parse(&mut self, doc: &Value, ty: PolicyType, what: &str) -> Result<Policy, String> {
        let text = doc.to_string();
        match json::parse_policy_with(&text, ty, ParseMode::Strict) {
            Ok(p) => {
                self.statements += p.value.statements.len();
                Ok(p.value)
            }
            Err(d) => Err(format!("generated {what} does not parse: {d}\n{text}")),
        }
    }

    // --- the build -----------------------------------------------------------------------

    fn build(&mut self, managed: &[ManagedPolicy]) -> Result<(), String> {
        self.tree()?;
        self.principals();
        self.inventory();
        self.pick_aws_managed(managed);
        self.trusts()?;
        self.resource_policies()?;
        self.boundaries()?;
        // Everything with a fixed shape exists now; size the customer policies so that the
        // total lands near the target.
        let slots: usize = self
            .accts
            .iter()
            .map(|a| {
                a.groups.iter().map(|g| g.inline_slots).sum::<usize>() + (a.who.len() / 4).max(3)
            })
            .sum::<usize>()
            + self.who.iter().map(|w| w.inline_slots).sum::<usize>();
        let left = self.cfg.statements.saturating_sub(self.statements);
        self.mean = (left as f64 / slots.max(1) as f64).clamp(1.0, 40.0);
        self.customer_managed()?;
        self.groups()?;
        self.attach();
        self.inline()?;
        self.assemble();
        Ok(())
    }

    /// The OU tree, the accounts, SCPs and RCPs.
    fn tree(&mut self) -> Result<(), String> {
        self.org.id = Some(ORG_ID.to_string());
        let management = "100000000000".to_string();
        self.org.management_account = Some(management.clone());
        let units = [
            ("r-gvb0", "Root", None),
            ("ou-gvb0-security", "Security", Some("r-gvb0")),
            ("ou-gvb0-workload", "Workloads", Some("r-gvb0")),
            ("ou-gvb0-prod0001", "Prod", Some("ou-gvb0-workload")),
            ("ou-gvb0-nonprod1", "NonProd", Some("ou-gvb0-workload")),
            ("ou-gvb0-sandbox1", "Sandbox", Some("r-gvb0")),
        ];
        let unit_scps: [&[&str]; 6] = [
            &["DenyLeaveOrganization", "ProtectSecurityBaseline"],
            &[],
            &["RestrictRegions"],
            &["ProtectProdData", "DenyRootUser"],
            &[],
            &["SandboxGuardrails"],
        ];
        let unit_rcps: [&[&str]; 6] = [
            &["EnforceSecureTransport"],
            &[],
            &["DataPerimeter"],
            &[],
            &[],
            &[],
        ];
        for (((id, name, parent), scps), rcps) in units.iter().zip(unit_scps).zip(unit_rcps) {
            let mut s = vec!["FullAWSAccess".to_string()];
            s.extend(scps.iter().map(|n| (*n).to_string()));
            self.org.units.insert(
                (*id).to_string(),
                OrgUnit {
                    id: (*id).to_string(),
                    name: (*name).to_string(),
                    parent: parent.map(str::to_string),
                    scps: s,
                    rcps: rcps.iter().map(|n| (*n).to_string()).collect(),
                },
            );
        }
        self.org.scps.insert(
            "FullAWSAccess".into(),
            OrgPolicy {
                name: "FullAWSAccess".into(),
                policy: full_aws_access().policy,
            },
        );
        self.org.rcps.insert(
            "RCPFullAWSAccess".into(),
            OrgPolicy {
                name: "RCPFullAWSAccess".into(),
                policy: rcp_full_aws_access().policy,
            },
        );
        self.statements += 2;
        let scps = [
            (
                "DenyLeaveOrganization",
                json!([{"Sid": "DenyLeave", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]),
            ),
            (
                "ProtectSecurityBaseline",
                json!([{
                    "Sid": "ProtectAuditTrail",
                    "Effect": "Deny",
                    "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail",
                               "guardduty:DeleteDetector", "guardduty:DisassociateFromMasterAccount",
                               "config:DeleteConfigurationRecorder", "config:StopConfigurationRecorder"],
                    "Resource": "*",
                    "Condition": {"ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::*:role/SecurityAdmin"}}
                }]),
            ),
            (
                "RestrictRegions",
                json!([{
                    "Sid": "DenyOutsideAllowedRegions",
                    "Effect": "Deny",
                    "NotAction": ["iam:*", "organizations:*", "sts:*", "account:*", "support:*", "budgets:*",
                                  "ce:*", "cloudfront:*", "route53:*", "waf:*", "wafv2:*", "health:*",
                                  "trustedadvisor:*", "s3:ListAllMyBuckets", "s3:GetBucketLocation"],
                    "Resource": "*",
                    "Condition": {
                        "StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]},
                        "ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::*:role/OpsAdmin"}
                    }
                }]),
            ),
            (
                "ProtectProdData",
                json!([{
                    "Sid": "DestructiveNeedsMfa",
                    "Effect": "Deny",
                    "Action": ["s3:DeleteBucket", "dynamodb:DeleteTable", "rds:DeleteDBInstance",
                               "kms:ScheduleKeyDeletion", "backup:DeleteBackupVault", "logs:DeleteLogGroup"],
                    "Resource": "*",
                    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
                }, {
                    "Sid": "NoPublicBuckets",
                    "Effect": "Deny",
                    "Action": ["s3:PutBucketPublicAccessBlock", "s3:DeletePublicAccessBlock"],
                    "Resource": "*"
                }]),
            ),
            (
                "DenyRootUser",
                json!([{
                    "Sid": "DenyRoot",
                    "Effect": "Deny",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}
                }]),
            ),
            (
                "SandboxGuardrails",
                json!([{
                    "Sid": "NoCommitments",
                    "Effect": "Deny",
                    "Action": ["ec2:PurchaseReservedInstancesOffering", "ec2:ModifyReservedInstances",
                               "redshift:*", "sagemaker:CreateEndpoint*", "dynamodb:PurchaseReservedCapacityOfferings"],
                    "Resource": "*"
                }, {
                    "Sid": "SmallInstancesOnly",
                    "Effect": "Deny",
                    "Action": "ec2:RunInstances",
                    "Resource": "arn:aws:ec2:*:*:instance/*",
                    "Condition": {"StringNotLike": {"ec2:InstanceType": ["t3.*", "t4g.*"]}}
                }]),
            ),
        ];
        for (name, statements) in scps {
            let doc = json!({"Version": "2012-10-17", "Statement": statements});
            let policy = self.parse(&doc, PolicyType::Scp, name)?;
            self.org.scps.insert(
                name.to_string(),
                OrgPolicy {
                    name: name.to_string(),
                    policy,
                },
            );
        }
        let rcps = [
            (
                "EnforceSecureTransport",
                json!([{
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": ["s3:*", "sqs:*", "kms:*", "secretsmanager:*"],
                    "Resource": "*",
                    "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}
                }]),
            ),
            (
                "DataPerimeter",
                json!([{
                    "Sid": "EnforceOrgIdentities",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": ["s3:*", "kms:*", "sqs:*", "sts:AssumeRole"],
                    "Resource": "*",
                    "Condition": {
                        "StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG_ID},
                        "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}
                    }
                }]),
            ),
        ];
        for (name, statements) in rcps {
            let doc = json!({"Version": "2012-10-17", "Statement": statements});
            let policy = self.parse(&doc, PolicyType::Rcp, name)?;
            self.org.rcps.insert(
                name.to_string(),
                OrgPolicy {
                    name: name.to_string(),
                    policy,
                },
            );
        }

        // Accounts: the management account, member accounts spread over the leaf OUs, and a
        // partner outside the organization.
        let members = (self.cfg.principals / 250).max(3);
        let leaves = [
            ("ou-gvb0-prod0001", "prod"),
            ("ou-gvb0-nonprod1", "dev"),
            ("ou-gvb0-prod0001", "prod"),
            ("ou-gvb0-nonprod1", "staging"),
            ("ou-gvb0-sandbox1", "sandbox"),
            ("ou-gvb0-security", "security"),
        ];
        self.accts.push(Acct {
            id: management,
            name: "management".into(),
            parent: Some("r-gvb0".into()),
            env: "management",
            ..Acct::default()
        });
        for i in 0..members {
            let (ou, env) = leaves.get(i % leaves.len()).copied().unwrap_or(leaves[0]);
            self.accts.push(Acct {
                id: format!("{}", 200_000_000_000u64 + i as u64 * 7_919),
                name: format!("{env}-{i:03}"),
                parent: Some(ou.to_string()),
                env,
                ..Acct::default()
            });
        }
        self.accts.push(Acct {
            id: "999900000001".into(),
            name: "partner".into(),
            parent: None,
            env: "partner",
            ..Acct::default()
        });

        // Account-level guardrail SCPs and RCPs: the part of the org policies that grows with
        // the number of accounts.
        for ai in 0..self.accts.len() {
            let mut scps = vec!["FullAWSAccess".to_string()];
            let mut rcps = Vec::new();
            let member = self
                .accts
                .get(ai)
                .is_some_and(|a| a.parent.is_some() && a.env != "management" && a.env != "partner");
            if member && self.p(0.4) {
                let name = format!("AccountGuardrail-{}", self.accts[ai].id);
                let n = self.range(3, 10);
                let mut actions = BTreeSet::new();
                for _ in 0..n {
                    let a = self.pick(DESTRUCTIVE).to_string();
                    actions.insert(a);
                }
                let actions: Vec<String> = actions.into_iter().collect();
                let mut st = json!({
                    "Sid": "AccountGuardrail",
                    "Effect": "Deny",
                    "Action": actions,
                    "Resource": "*"
                });
                let exempt = self.p(0.5);
                if exempt {
                    st["Condition"] = json!({"ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::*:role/PlatformAdmin*"}});
                }
                for a in &actions {
                    let hint = Hint::deny(a.clone(), format!("{{ANY:{}}}", service_of(a)));
                    self.accts[ai].deny_hints.push(hint);
                }
                let doc = json!({"Version": "2012-10-17", "Statement": [st]});
                let policy = self.parse(&doc, PolicyType::Scp, &name)?;
                self.org.scps.insert(
                    name.clone(),
                    OrgPolicy {
                        name: name.clone(),
                        policy,
                    },
                );
                scps.push(name);
            }
            if member && self.p(0.15) {
                let name = format!("ProtectKeys-{}", self.accts[ai].id);
                let doc = json!({"Version": "2012-10-17", "Statement": [{
                    "Sid": "OnlyKeyAdminsDestroyKeys",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"],
                    "Resource": "*",
                    "Condition": {"ArnNotLikeIfExists": {"aws:PrincipalArn": format!("arn:aws:iam::{}:role/KeyAdmin*", self.accts[ai].id)}}
                }]});
                let policy = self.parse(&doc, PolicyType::Rcp, &name)?;
                self.org.rcps.insert(
                    name.clone(),
                    OrgPolicy {
                        name: name.clone(),
                        policy,
                    },
                );
                self.accts[ai]
                    .deny_hints
                    .push(Hint::deny("kms:ScheduleKeyDeletion", "{ANY:kms}"));
                rcps.push(name);
            }
            let a = &mut self.accts[ai];
            a.deny_hints
                .push(Hint::deny("organizations:LeaveOrganization", "*"));
            a.deny_hints.push(Hint::deny(
                "cloudtrail:StopLogging",
                "arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/org-trail",
            ));
            self.org.accounts.insert(
                a.id.clone(),
                Account {
                    id: a.id.clone(),
                    name: a.name.clone(),
                    parent: a.parent.clone(),
                    scps: if a.parent.is_some() { scps } else { Vec::new() },
                    rcps,
                    ..Account::default()
                },
            );
        }
        Ok(())
    }

    /// Users and roles, spread over the accounts, with tags and group memberships planned.
    fn principals(&mut self) {
        let total = self.cfg.principals.max(1);
        let n_accts = self.accts.len();
        // The management and partner accounts hold a few principals; members share the rest
        // with some accounts bigger than others.
        let small = (total / 50).max(2).min(total);
        let members = n_accts.saturating_sub(2).max(1);
        let mut weights: Vec<f64> = (0..members)
            .map(|_| 0.5 + self.rng.random::<f64>())
            .collect();
        let sum: f64 = weights.iter().sum();
        for w in &mut weights {
            *w /= sum;
        }
        let rest = total.saturating_sub(2 * small);
        let mut counts = vec![small.min(total)];
        let mut given = 0;
        for (i, w) in weights.iter().enumerate() {
            let c = if i + 1 == members {
                rest - given
            } else {
                ((rest as f64 * w) as usize).min(rest - given)
            };
            given += c;
            counts.push(c);
        }
        counts.push(total.saturating_sub(small + rest));
        for (ai, count) in counts.into_iter().enumerate().take(n_accts) {
            let n_groups = (count / 15).max(2);
            for gi in 0..n_groups {
                let team = TEAMS[gi % TEAMS.len()];
                let role = ["Developers", "Operators", "Analysts", "Admins", "Auditors"][gi % 5];
                let slots = usize::from(self.p(0.5));
                self.accts[ai].groups.push(GroupPlan {
                    name: format!("{team}-{role}-{gi}"),
                    inline_slots: slots,
                    ..GroupPlan::default()
                });
            }
            for i in 0..count {
                let user = self.p(0.4);
                let team = self.below(TEAMS.len());
                let id = self.accts[ai].id.clone();
                let (name, path, arn, uid) = if user {
                    let name = format!(
                        "{}.{}{}",
                        TEAMS[team],
                        ["ana", "ben", "chen", "dara", "eli", "fay", "gus", "hana"][i % 8],
                        i
                    );
                    let path = if self.p(0.3) { "/engineering/" } else { "/" };
                    let arn = format!("arn:aws:iam::{id}:user{path}{name}");
                    (name, path, arn, self.unique("AIDA"))
                } else {
                    // A few well-known role names that SCP exceptions and RCPs mention.
                    let special = ["OpsAdmin", "SecurityAdmin", "KeyAdmin", "PlatformAdmin"];
                    let name = match special.get(i) {
                        Some(s) if i < count / 4 => (*s).to_string(),
                        _ => format!(
                            "{}-{}-{}{i}",
                            TEAMS[team],
                            THINGS[i % THINGS.len()],
                            ["app", "svc", "ci", "etl", "api"][i % 5]
                        ),
                    };
                    let path = if self.p(0.25) { "/service-role/" } else { "/" };
                    let arn = format!("arn:aws:iam::{id}:role{path}{name}");
                    (name, path, arn, self.unique("AROA"))
                };
                let mfa = user && self.p(0.6);
                let inline_slots = if self.p(if user { 0.5 } else { 0.7 }) {
                    self.range(1, 2)
                } else {
                    0
                };
                let own = self.new_hints(Vec::new());
                let wi = self.who.len();
                self.who.push(Who {
                    account: ai,
                    user,
                    name,
                    path: path.to_string(),
                    arn,
                    unique_id: uid,
                    team,
                    mfa,
                    policies: vec![own],
                    own,
                    extra: Vec::new(),
                    trust: None,
                    inline: Vec::new(),
                    managed: Vec::new(),
                    boundary: None,
                    groups: Vec::new(),
                    inline_slots,
                });
                self.accts[ai].who.push(wi);
            }
        }
    }

    /// Resources of every account, by service.
    fn inventory(&mut self) {
        for ai in 0..self.accts.len() {
            let n = self.accts[ai].who.len();
            let id = self.accts[ai].id.clone();
            let acct_name = self.accts[ai].name.clone();
            let per: [(&'static str, usize); 12] = [
                ("s3", (n / 6).max(2)),
                ("dynamodb", (n / 8).max(1)),
                ("lambda", (n / 6).max(1)),
                ("ec2", (n / 5).max(1)),
                ("kms", (n / 20).max(1)),
                ("sqs", (n / 12).max(1)),
                ("sns", (n / 20).max(1)),
                ("secretsmanager", (n / 10).max(1)),
                ("ssm", (n / 5).max(1)),
                ("logs", (n / 8).max(1)),
                ("ecr", (n / 20).max(1)),
                ("cloudwatch", (n / 15).max(1)),
            ];
            for (svc, count) in per {
                let mut list = Vec::with_capacity(count);
                for i in 0..count {
                    let team = self.skewed(TEAMS.len());
                    let t = TEAMS[team];
                    let thing = THINGS[self.below(THINGS.len())];
                    let region = if self.p(0.7) {
                        REGIONS[0]
                    } else if self.p(0.85) {
                        REGIONS[1]
                    } else {
                        REGIONS[2]
                    };
                    let (head, tail, named) = match svc {
                        "s3" => (
                            format!("arn:aws:s3:::{acct_name}-"),
                            format!("-{thing}-{i}"),
                            true,
                        ),
                        "dynamodb" => (
                            format!("arn:aws:dynamodb:{region}:{id}:table/"),
                            format!("-{thing}-{i}"),
                            true,
                        ),
                        "lambda" => (
                            format!("arn:aws:lambda:{region}:{id}:function:"),
                            format!("-{thing}-{i}"),
                            true,
                        ),
                        "ec2" => (
                            format!(
                                "arn:aws:ec2:{region}:{id}:instance/i-0{:016x}",
                                self.rng.random::<u64>()
                            ),
                            String::new(),
                            false,
                        ),
                        "kms" => {
                            let u: u128 = self.rng.random();
                            let h = format!("{u:032x}");
                            (
                                format!(
                                    "arn:aws:kms:{region}:{id}:key/{}-{}-{}-{}-{}",
                                    &h[..8],
                                    &h[8..12],
                                    &h[12..16],
                                    &h[16..20],
                                    &h[20..]
                                ),
                                String::new(),
                                false,
                            )
                        }
                        "sqs" => (
                            format!("arn:aws:sqs:{region}:{id}:"),
                            format!("-{thing}-{i}"),
                            true,
                        ),
                        "sns" => (
                            format!("arn:aws:sns:{region}:{id}:"),
                            format!("-{thing}-events-{i}"),
                            true,
                        ),
                        "secretsmanager" => (
                            format!("arn:aws:secretsmanager:{region}:{id}:secret:"),
                            format!("/{thing}-{i}-AbCdEf"),
                            true,
                        ),
                        "ssm" => (
                            format!("arn:aws:ssm:{region}:{id}:parameter/"),
                            format!("/{thing}/config-{i}"),
                            true,
                        ),
                        "logs" => (
                            format!("arn:aws:logs:{region}:{id}:log-group:/aws/lambda/"),
                            format!("-{thing}-{i}"),
                            true,
                        ),
                        "ecr" => (
                            format!("arn:aws:ecr:{region}:{id}:repository/"),
                            format!("/{thing}-{i}"),
                            true,
                        ),
                        _ => (
                            format!("arn:aws:cloudwatch:{region}:{id}:alarm:"),
                            format!("-{thing}-high-{i}"),
                            true,
                        ),
                    };
                    let arn = if named {
                        format!("{head}{t}{tail}")
                    } else {
                        head.clone()
                    };
                    list.push(Res {
                        arn,
                        head,
                        tail,
                        team,
                        named,
                    });
                }
                self.accts[ai].inv.insert(svc, list);
            }
        }
    }

    /// Chooses the AWS managed policies to use (popular ones first) and derives hints from them.
    fn pick_aws_managed(&mut self, managed: &[ManagedPolicy]) {
        let by_name: BTreeMap<&str, &ManagedPolicy> = managed
            .iter()
            .filter(|m| m.is_aws_managed() && m.document().is_some())
            .map(|m| (m.name.as_str(), m))
            .collect();
        let mut chosen: Vec<&ManagedPolicy> = POPULAR_AWS_MANAGED
            .iter()
            .filter_map(|n| by_name.get(n).copied())
            .take(self.cfg.aws_managed)
            .collect();
        let mut rest: Vec<&ManagedPolicy> = by_name
            .values()
            .copied()
            .filter(|m| !POPULAR_AWS_MANAGED.contains(&m.name.as_str()))
            .collect();
        while chosen.len() < self.cfg.aws_managed && !rest.is_empty() {
            let i = self.below(rest.len());
            chosen.push(rest.swap_remove(i));
        }
        // Their literal actions widen the vocabulary wildcards are expanded from.
        let docs: Vec<Value> = chosen
            .iter()
            .filter_map(|m| m.document())
            .map(json::policy_to_json)
            .collect();
        for doc in &docs {
            for st in statements_of(doc) {
                for a in strings(st.get("Action")) {
                    if !a.contains('*') && !a.contains('?') && a.contains(':') {
                        self.vocab
                            .entry(service_of(&a).to_lowercase())
                            .or_default()
                            .insert(a);
                    }
                }
            }
        }
        for (m, doc) in chosen.into_iter().zip(&docs) {
            let mut hints = Vec::new();
            for st in statements_of(doc).take(40) {
                if st.get("Effect").and_then(Value::as_str) != Some("Allow")
                    || st.get("NotResource").is_some()
                {
                    continue;
                }
                let actions = strings(st.get("Action"));
                let resources = strings(st.get("Resource"));
                for _ in 0..2 {
                    let Some(a) = actions.get(self.below(actions.len())) else {
                        break;
                    };
                    let Some(action) = self.concrete_action(a) else {
                        continue;
                    };
                    let Some(r) = resources.get(self.below(resources.len())) else {
                        break;
                    };
                    if let Some(resource) = instantiate(r, &action) {
                        hints.push(Hint::allow(action, resource));
                    }
                }
            }
            let h = self.new_hints(hints);
            self.statements += m.document().map_or(0, |d| d.statements.len());
            self.org.managed_policies.insert(m.arn.clone(), m.clone());
            self.aws.push((m.arn.clone(), h));
        }
    }

    /// A literal action the pattern matches, from the vocabulary.
    fn concrete_action(&mut self, pattern: &str) -> Option<String> {
        if !pattern.contains('*') && !pattern.contains('?') {
            return pattern.contains(':').then(|| pattern.to_string());
        }
        let service = service_of(pattern).to_lowercase();
        if service.contains('*') || service.contains('?') {
            // `*` or `*:Get*`: any known action.
            let svc = SERVICES[self.below(SERVICES.len())].prefix;
            let acts = SERVICES.iter().find(|s| s.prefix == svc)?.actions;
            let a = acts.get(self.below(acts.len()))?;
            let action = format!("{svc}:{a}");
            let toks = Tok::glob(&pattern.to_lowercase());
            return glob_match(&toks, &action.to_lowercase()).then_some(action);
        }
        let toks = Tok::glob(&pattern.to_lowercase());
        let matching: Vec<String> = self
            .vocab
            .get(&service)?
            .iter()
            .filter(|a| glob_match(&toks, &a.to_lowercase()))
            .cloned()
            .collect();
        let i = self.below(matching.len());
        matching.into_iter().nth(i)
    }

    /// Trust policies of every role.
    fn trusts(&mut self) -> Result<(), String> {
        let services = [
            "lambda.amazonaws.com",
            "ec2.amazonaws.com",
            "ecs-tasks.amazonaws.com",
        ];
        for wi in 0..self.who.len() {
            if self.who[wi].user {
                continue;
            }
            let ai = self.who[wi].account;
            let acct_id = self.accts[ai].id.clone();
            let roll: f64 = self.rng.random();
            let mut hint_for: Option<(usize, Hint)> = None;
            let statements = if roll < 0.45 {
                vec![json!({
                    "Effect": "Allow",
                    "Principal": {"Service": self.pick(&services)},
                    "Action": "sts:AssumeRole"
                })]
            } else if roll < 0.75 {
                self.accts[ai].assumable.push(wi);
                let mut st = json!({
                    "Effect": "Allow",
                    "Principal": {"AWS": format!("arn:aws:iam::{acct_id}:root")},
                    "Action": ["sts:AssumeRole", "sts:TagSession"]
                });
                if self.p(0.3) {
                    st["Condition"] = json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}});
                }
                vec![st]
            } else if roll < 0.87 {
                // Trusts one named role of its own account: that alone lets the role assume it.
                let pick = self.member_of(ai);
                if self.who[pick].user || pick == wi {
                    vec![json!({
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole"
                    })]
                } else {
                    hint_for = Some((
                        pick,
                        Hint::allow("sts:AssumeRole", self.who[wi].arn.clone()),
                    ));
                    vec![json!({
                        "Effect": "Allow",
                        "Principal": {"AWS": self.who[pick].arn},
                        "Action": "sts:AssumeRole"
                    })]
                }
            } else if roll < 0.97 {
                // Cross-account: a role of another account, with an external id; the caller
                // needs an identity grant too.
                let bi = self.other_account(ai);
                let pick = self.member_of(bi);
                let ext = format!("ext-{}", self.below(1_000_000));
                let role_arn = self.who[wi].arn.clone();
                self.who[pick].extra.push(json!({
                    "Sid": "AssumeCrossAccount",
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Resource": role_arn
                }));
                hint_for = Some((
                    pick,
                    Hint::allow("sts:AssumeRole", role_arn).with("sts:ExternalId", &ext),
                ));
                vec![json!({
                    "Effect": "Allow",
                    "Principal": {"AWS": self.who[pick].arn},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": ext}}
                })]
            } else {
                vec![json!({
                    "Effect": "Allow",
                    "Principal": {"Federated": format!("arn:aws:iam::{acct_id}:oidc-provider/token.actions.githubusercontent.com")},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                        "StringLike": {"token.actions.githubusercontent.com:sub": format!("repo:acme/{}-*:*", TEAMS[self.who[wi].team])}
                    }
                })]
            };
            if let Some((pick, hint)) = hint_for {
                let own = self.who[pick].own;
                self.hints[own].push(hint);
            }
            let doc = json!({"Version": "2012-10-17", "Statement": statements});
            let trust = self.parse(&doc, PolicyType::Trust, "trust policy")?;
            self.who[wi].trust = Some(trust);
        }
        Ok(())
    }

    /// Another account than `ai` (the partner account sometimes).
    fn other_account(&mut self, ai: usize) -> usize {
        let n = self.accts.len();
        if n < 2 {
            return ai;
        }
        let mut bi = self.below(n);
        if bi == ai {
            bi = (bi + 1) % n;
        }
        bi
    }

    /// A user or role of account `ai` (accounts always have some).
    fn member_of(&mut self, ai: usize) -> usize {
        let n = self.accts[ai].who.len();
        let i = self.below(n);
        self.accts[ai].who.get(i).copied().unwrap_or(0)
    }

    /// A role of account `ai`, if it has one (a few tries).
    fn some_role(&mut self, ai: usize) -> Option<usize> {
        for _ in 0..8 {
            let n = self.accts.get(ai)?.who.len();
            let i = self.below(n);
            let w = *self.accts[ai].who.get(i)?;
            if !self.who[w].user {
                return Some(w);
            }
        }
        None
    }

    /// Bucket, key and queue policies (and the tags conditions read).
    fn resource_policies(&mut self) -> Result<(), String> {
        for ai in 0..self.accts.len() {
            let acct_id = self.accts[ai].id.clone();
            let member = self.accts[ai].parent.is_some();
            let env = self.accts[ai].env;
            let buckets = self.accts[ai].inv.get("s3").cloned().unwrap_or_default();
            for b in &buckets {
                let tags = vec![
                    ("team".to_string(), TEAMS[b.team].to_string()),
                    ("env".to_string(), env.to_string()),
                ];
                let mut policy = None;
                if self.p(0.6) {
                    let objects = format!("{}/*", b.arn);
                    let mut statements = vec![json!({
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [b.arn, objects],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}}
                    })];
                    if self.p(0.35) {
                        let bi = self.other_account(ai);
                        if let Some(r) = self.some_role(bi) {
                            let role = self.who[r].arn.clone();
                            statements.push(json!({
                                "Sid": "CrossAccountRead",
                                "Effect": "Allow",
                                "Principal": {"AWS": role},
                                "Action": ["s3:GetObject", "s3:ListBucket"],
                                "Resource": [b.arn, objects]
                            }));
                            self.who[r].extra.push(json!({
                                "Sid": "ReadPartnerBucket",
                                "Effect": "Allow",
                                "Action": ["s3:GetObject", "s3:ListBucket"],
                                "Resource": [b.arn, objects]
                            }));
                            let own = self.who[r].own;
                            self.hints[own].push(Hint::allow(
                                "s3:GetObject",
                                format!("{}/shared/data.csv", b.arn),
                            ));
                        }
                    }
                    if self.p(0.4)
                        && let Some(r) = self.some_role(ai)
                    {
                        let role = self.who[r].arn.clone();
                        statements.push(json!({
                            "Sid": "WriterRole",
                            "Effect": "Allow",
                            "Principal": {"AWS": role},
                            "Action": ["s3:PutObject", "s3:PutObjectTagging"],
                            "Resource": objects
                        }));
                        let own = self.who[r].own;
                        self.hints[own].push(Hint::allow(
                            "s3:PutObject",
                            format!("{}/incoming/batch-7.json", b.arn),
                        ));
                    }
                    if member && self.p(0.25) {
                        statements.push(json!({
                            "Sid": "DenyOutsideOrg",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [b.arn, objects],
                            "Condition": {
                                "StringNotEquals": {"aws:PrincipalOrgID": ORG_ID},
                                "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}
                            }
                        }));
                    }
                    let doc = json!({"Version": "2012-10-17", "Statement": statements});
                    policy = Some(self.parse(&doc, PolicyType::Resource, "bucket policy")?);
                }
                self.org.resources.insert(
                    b.arn.clone(),
                    Resource {
                        arn: b.arn.clone(),
                        account: acct_id.clone(),
                        tags,
                        policy,
                    },
                );
            }
            let keys = self.accts[ai].inv.get("kms").cloned().unwrap_or_default();
            for k in &keys {
                let mut statements = vec![json!({
                    "Sid": "EnableIamPolicies",
                    "Effect": "Allow",
                    "Principal": {"AWS": format!("arn:aws:iam::{acct_id}:root")},
                    "Action": "kms:*",
                    "Resource": "*"
                })];
                if let Some(admin) = self.some_role(ai) {
                    statements.push(json!({
                        "Sid": "KeyAdministrators",
                        "Effect": "Allow",
                        "Principal": {"AWS": self.who[admin].arn},
                        "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*",
                                   "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*",
                                   "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion",
                                   "kms:CancelKeyDeletion"],
                        "Resource": "*"
                    }));
                    let own = self.who[admin].own;
                    self.hints[own].push(Hint::allow("kms:DescribeKey", k.arn.clone()));
                }
                let mut users = Vec::new();
                for _ in 0..self.range(1, 4) {
                    let from = if self.p(0.2) {
                        self.other_account(ai)
                    } else {
                        ai
                    };
                    if let Some(u) = self.some_role(from) {
                        users.push(u);
                    }
                }
                if !users.is_empty() {
                    let arns: Vec<String> =
                        users.iter().map(|u| self.who[*u].arn.clone()).collect();
                    let via = self.p(0.3);
                    let region = k.arn.split(':').nth(3).unwrap_or("us-east-1").to_string();
                    let mut st = json!({
                        "Sid": "KeyUsers",
                        "Effect": "Allow",
                        "Principal": {"AWS": arns},
                        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                        "Resource": "*"
                    });
                    if via {
                        st["Condition"] = json!({"StringEquals": {"kms:ViaService": [format!("s3.{region}.amazonaws.com"), format!("secretsmanager.{region}.amazonaws.com")]}});
                    }
                    statements.push(st);
                    for u in users {
                        let mut hint = Hint::allow("kms:Decrypt", k.arn.clone());
                        if via {
                            hint =
                                hint.with("kms:ViaService", &format!("s3.{region}.amazonaws.com"));
                        }
                        if self.who[u].account != ai {
                            self.who[u].extra.push(json!({
                                "Sid": "UsePartnerKey",
                                "Effect": "Allow",
                                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                                "Resource": k.arn
                            }));
                        }
                        let own = self.who[u].own;
                        self.hints[own].push(hint);
                    }
                }
                let doc =
                    json!({"Version": "2012-10-17", "Id": "key-policy", "Statement": statements});
                let policy = self.parse(&doc, PolicyType::Resource, "key policy")?;
                self.org.resources.insert(
                    k.arn.clone(),
                    Resource {
                        arn: k.arn.clone(),
                        account: acct_id.clone(),
                        tags: vec![("team".into(), TEAMS[k.team].into())],
                        policy: Some(policy),
                    },
                );
            }
            let queues = self.accts[ai].inv.get("sqs").cloned().unwrap_or_default();
            let topics = self.accts[ai].inv.get("sns").cloned().unwrap_or_default();
            for q in &queues {
                if !self.p(0.5) {
                    continue;
                }
                let topic = topics
                    .get(self.below(topics.len()))
                    .map(|t| t.arn.clone())
                    .unwrap_or_default();
                let mut statements = vec![json!({
                    "Sid": "TopicDelivers",
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": q.arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic}}
                })];
                self.service_hints.push((
                    "sns.amazonaws.com".into(),
                    Hint::allow("sqs:SendMessage", q.arn.clone())
                        .with("aws:SourceArn", &topic)
                        .with("aws:SourceAccount", &acct_id),
                ));
                if let Some(r) = self.some_role(ai) {
                    statements.push(json!({
                        "Sid": "Consumer",
                        "Effect": "Allow",
                        "Principal": {"AWS": self.who[r].arn},
                        "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"],
                        "Resource": q.arn
                    }));
                    let own = self.who[r].own;
                    self.hints[own].push(Hint::allow("sqs:ReceiveMessage", q.arn.clone()));
                }
                let doc = json!({"Version": "2012-10-17", "Statement": statements});
                let policy = self.parse(&doc, PolicyType::Resource, "queue policy")?;
                self.org.resources.insert(
                    q.arn.clone(),
                    Resource {
                        arn: q.arn.clone(),
                        account: acct_id.clone(),
                        tags: vec![("team".into(), TEAMS[q.team].into())],
                        policy: Some(policy),
                    },
                );
            }
            // Secrets carry tags (ABAC reads them from the model), no policy.
            let secrets = self.accts[ai]
                .inv
                .get("secretsmanager")
                .cloned()
                .unwrap_or_default();
            for s in &secrets {
                self.org.resources.insert(
                    s.arn.clone(),
                    Resource {
                        arn: s.arn.clone(),
                        account: acct_id.clone(),
                        tags: vec![("team".into(), TEAMS[s.team].into())],
                        policy: None,
                    },
                );
            }
        }
        Ok(())
    }

    /// Two permissions boundaries per account (customer managed), set on ~20% of principals.
    fn boundaries(&mut self) -> Result<(), String> {
        for ai in 0..self.accts.len() {
            let id = self.accts[ai].id.clone();
            let dev = json!({"Version": "2012-10-17", "Statement": [{
                "Sid": "ServicesTeamsMayUse",
                "Effect": "Allow",
                "Action": ["s3:*", "dynamodb:*", "lambda:*", "logs:*", "sqs:*", "sns:*", "kms:Decrypt",
                           "kms:GenerateDataKey*", "kms:DescribeKey", "ssm:Get*", "secretsmanager:GetSecretValue",
                           "cloudwatch:*", "ecr:*", "ec2:Describe*", "sts:AssumeRole"],
                "Resource": "*"
            }, {
                "Sid": "NoIamChanges",
                "Effect": "Deny",
                "Action": ["iam:Create*", "iam:Delete*", "iam:Put*", "iam:Attach*", "iam:Detach*", "iam:Update*"],
                "Resource": "*"
            }, {
                "Sid": "OwnRolesOnly",
                "Effect": "Allow",
                "Action": ["iam:PassRole", "iam:GetRole"],
                "Resource": format!("arn:aws:iam::{id}:role/service-role/*")
            }]});
            let svc = json!({"Version": "2012-10-17", "Statement": [{
                "Sid": "DataPlaneOnly",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "dynamodb:GetItem", "dynamodb:PutItem",
                           "dynamodb:Query", "dynamodb:UpdateItem", "sqs:*", "sns:Publish", "logs:CreateLogStream",
                           "logs:PutLogEvents", "kms:Decrypt", "kms:GenerateDataKey", "secretsmanager:GetSecretValue",
                           "ssm:GetParameter*", "sts:AssumeRole"],
                "Resource": "*"
            }, {
                "Sid": "StayInRegion",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}
            }]});
            for (name, doc) in [("DeveloperBoundary", dev), ("ServiceRoleBoundary", svc)] {
                let arn = format!("arn:aws:iam::{id}:policy/boundaries/{name}");
                let policy = self.parse(&doc, PolicyType::Boundary, name)?;
                self.org
                    .managed_policies
                    .insert(arn.clone(), customer(&arn, name, "/boundaries/", policy));
                self.accts[ai].boundaries.push(arn);
            }
        }
        for wi in 0..self.who.len() {
            let rate = if self.who[wi].user { 0.2 } else { 0.25 };
            if self.p(rate) {
                let ai = self.who[wi].account;
                let b = self.accts[ai].boundaries[usize::from(!self.who[wi].user)].clone();
                self.who[wi].boundary = Some(b);
            }
        }
        Ok(())
    }

    /// A generated customer policy of `n` statements for account `ai`, written for `team`.
    fn policy_doc(&mut self, ai: usize, team: usize, n: usize, users: bool) -> (Value, Vec<Hint>) {
        let mut statements = Vec::new();
        let mut hints = Vec::new();
        let mut guard = 0;
        while statements.len() < n && guard < n * 4 {
            guard += 1;
            for (st, hint) in self.statement(ai, team, users) {
                if statements.len() >= n {
                    break;
                }
                let mut st = st;
                st["Sid"] = Value::String(format!("S{}", statements.len()));
                statements.push(st);
                hints.extend(hint);
            }
        }
        (
            json!({"Version": "2012-10-17", "Statement": statements}),
            hints,
        )
    }

    /// A resource of service `svc` in account `ai`, preferably of `team`.
    fn resource(&mut self, ai: usize, svc: &str, team: usize) -> Option<Res> {
        let len = self.accts.get(ai)?.inv.get(svc)?.len();
        if len == 0 {
            return None;
        }
        let start = self.below(len);
        let list = self.accts.get(ai)?.inv.get(svc)?;
        let pick = (0..list.len().min(6))
            .map(|k| (start + k) % list.len())
            .find(|i| list[*i].team == team)
            .unwrap_or(start);
        list.get(pick).cloned()
    }

    /// One or two statements (a recipe) and the hints they give.
    fn statement(&mut self, ai: usize, team: usize, users: bool) -> Vec<(Value, Option<Hint>)> {
        let id = self.accts[ai].id.clone();
        let roll: f64 = self.rng.random();
        if roll < 0.40 {
            return vec![self.service_access(ai, team)];
        }
        if roll < 0.50 {
            // Read-only wildcards over a few services.
            let mut actions = Vec::new();
            let mut hint = None;
            for _ in 0..self.range(1, 3) {
                let svc = SERVICES[self.below(SERVICES.len())].prefix;
                let verb = self.pick(&["Get*", "List*", "Describe*"]);
                let pattern = format!("{svc}:{verb}");
                if hint.is_none()
                    && let Some(a) = self.concrete_action(&pattern)
                {
                    hint = Some(Hint::allow(a, format!("{{ANY:{svc}}}")));
                }
                actions.push(pattern);
            }
            return vec![(
                json!({"Effect": "Allow", "Action": actions, "Resource": "*"}),
                hint,
            )];
        }
        if roll < 0.56 && users {
            // Home folders.
            let Some(b) = self.resource(ai, "s3", team) else {
                return vec![self.service_access(ai, team)];
            };
            let home = format!("{}/home/${{aws:username}}/*", b.arn);
            return vec![
                (
                    json!({"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "Resource": home}),
                    Some(Hint::allow(
                        "s3:PutObject",
                        format!("{}/home/${{aws:username}}/notes.txt", b.arn),
                    )),
                ),
                (
                    json!({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": b.arn,
                           "Condition": {"StringLike": {"s3:prefix": ["home/${aws:username}/*", "home/"]}}}),
                    Some(
                        Hint::allow("s3:ListBucket", b.arn.clone())
                            .with("s3:prefix", "home/${aws:username}/docs"),
                    ),
                ),
            ];
        }
        if roll < 0.64 {
            // ABAC: resources tagged with the caller's team.
            let (svc, actions, res) = match self.below(3) {
                0 => (
                    "ec2",
                    vec![
                        "ec2:StartInstances",
                        "ec2:StopInstances",
                        "ec2:RebootInstances",
                    ],
                    format!("arn:aws:ec2:*:{id}:instance/*"),
                ),
                1 => (
                    "lambda",
                    vec![
                        "lambda:InvokeFunction",
                        "lambda:UpdateFunctionCode",
                        "lambda:GetFunction",
                    ],
                    format!("arn:aws:lambda:*:{id}:function:*"),
                ),
                _ => (
                    "secretsmanager",
                    vec![
                        "secretsmanager:GetSecretValue",
                        "secretsmanager:DescribeSecret",
                    ],
                    format!("arn:aws:secretsmanager:*:{id}:secret:*"),
                ),
            };
            let action = actions[self.below(actions.len())];
            let hint = if svc == "secretsmanager" {
                // The model holds secrets' tags: aim at one of the caller's team.
                Hint::allow(action, "{TEAM:secretsmanager}")
            } else {
                Hint::allow(action, format!("{{ANY:{svc}}}"))
                    .with("aws:ResourceTag/team", "${aws:PrincipalTag/team}")
            };
            return vec![(
                json!({"Effect": "Allow", "Action": actions, "Resource": res,
                       "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}}),
                Some(hint),
            )];
        }
        if roll < 0.69 {
            // Tag on create.
            let (action, res) = if self.p(0.5) {
                (
                    "dynamodb:CreateTable",
                    format!("arn:aws:dynamodb:*:{id}:table/*"),
                )
            } else {
                ("sqs:CreateQueue", format!("arn:aws:sqs:*:{id}:*"))
            };
            let name = format!("{}-new-{}", TEAMS[team], self.below(1000));
            let concrete = match action {
                "dynamodb:CreateTable" => format!("arn:aws:dynamodb:us-east-1:{id}:table/{name}"),
                _ => format!("arn:aws:sqs:us-east-1:{id}:{name}"),
            };
            return vec![(
                json!({"Effect": "Allow", "Action": action, "Resource": res, "Condition": {
                    "StringEquals": {"aws:RequestTag/team": "${aws:PrincipalTag/team}"},
                    "ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env", "cost-center"]}
                }}),
                Some(
                    Hint::allow(action, concrete)
                        .with("aws:RequestTag/team", "${aws:PrincipalTag/team}")
                        .with_list("aws:TagKeys", &["team", "env"]),
                ),
            )];
        }
        if roll < 0.82 {
            return vec![self.deny_statement(ai, team)];
        }
        if roll < 0.86 && users {
            return vec![(
                json!({"Effect": "Allow",
                       "Action": ["iam:ChangePassword", "iam:GetUser", "iam:CreateAccessKey", "iam:ListAccessKeys", "iam:DeleteAccessKey"],
                       "Resource": format!("arn:aws:iam::{id}:user/*${{aws:username}}")}),
                Some(Hint::allow(
                    "iam:ListAccessKeys",
                    format!("arn:aws:iam::{id}:user/${{aws:username}}"),
                )),
            )];
        }
        if roll < 0.90 {
            return vec![(
                json!({"Effect": "Allow", "Action": "iam:PassRole", "Resource": format!("arn:aws:iam::{id}:role/service-role/*"),
                       "Condition": {"StringEquals": {"iam:PassedToService": ["lambda.amazonaws.com", "ecs-tasks.amazonaws.com"]}}}),
                Some(
                    Hint::allow(
                        "iam:PassRole",
                        format!("arn:aws:iam::{id}:role/service-role/{}-worker", TEAMS[team]),
                    )
                    .with("iam:PassedToService", "lambda.amazonaws.com"),
                ),
            )];
        }
        if roll < 0.96 {
            // Assume a role of the account that trusts the account.
            let n = self.accts[ai].assumable.len();
            let i = self.below(n);
            if let Some(r) = self.accts[ai].assumable.get(i).copied() {
                let arn = self.who[r].arn.clone();
                return vec![(
                    json!({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arn}),
                    Some(Hint::allow("sts:AssumeRole", arn)),
                )];
            }
            return vec![self.service_access(ai, team)];
        }
        if roll < 0.98 {
            let Some(b) = self.resource(ai, "s3", team) else {
                return vec![self.service_access(ai, team)];
            };
            return vec![(
                json!({"Effect": "Allow", "Action": "s3:*", "NotResource": [b.arn, format!("{}/*", b.arn)]}),
                None,
            )];
        }
        vec![(
            json!({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*",
                   "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}),
            Some(
                Hint::allow("ssm:GetParameter", "{ANY:ssm}")
                    .with("aws:MultiFactorAuthPresent", "true"),
            ),
        )]
    }

    /// Actions of one service on a resource, a team prefix, or the account's resources, with a
    /// condition sometimes.
    fn service_access(&mut self, ai: usize, team: usize) -> (Value, Option<Hint>) {
        let si = self.skewed(SERVICES.len());
        let svc = &SERVICES[si];
        let prefix = svc.prefix;
        let Some(res) = self.resource(ai, prefix, team) else {
            return (
                json!({"Effect": "Allow", "Action": format!("{prefix}:Describe*"), "Resource": "*"}),
                None,
            );
        };
        let s3_objects = prefix == "s3" && self.p(0.65);
        let candidates: Vec<&str> = svc
            .actions
            .iter()
            .copied()
            .filter(|a| prefix != "s3" || s3_objects == is_object_action(a))
            .collect();
        let mut actions: Vec<String> = Vec::new();
        for _ in 0..self.range(1, 5) {
            let a = candidates[self.below(candidates.len())];
            let full = format!("{prefix}:{a}");
            if !actions.contains(&full) {
                actions.push(full);
            }
        }
        if self.p(0.15)
            && let Some(first) = actions.first_mut()
        {
            // A verb wildcard (`dynamodb:Get*`) instead of the first action.
            let wild = format!(
                "{prefix}:{}*",
                verb_of(first.split(':').nth(1).unwrap_or("Get"))
            );
            *first = wild;
        }
        let hint_action = actions
            .iter()
            .find(|a| !a.contains('*'))
            .cloned()
            .unwrap_or_else(|| format!("{prefix}:{}", candidates[0]));
        let team_name = TEAMS[team];
        let (pattern, concrete) = {
            let variant = self.below(10);
            let suffix = if s3_objects { "/*" } else { "" };
            let object = if s3_objects {
                "/reports/2025/q4.csv"
            } else {
                ""
            };
            match variant {
                0..=3 => (
                    format!("{}{suffix}", res.arn),
                    format!("{}{object}", res.arn),
                ),
                4..=5 if res.named => (
                    format!("{}{}{}*{suffix}", res.head, TEAMS[res.team], res.sep()),
                    format!("{}{object}", res.arn),
                ),
                6 if res.named => (
                    format!(
                        "{}${{aws:PrincipalTag/team}}{}*{suffix}",
                        res.head,
                        res.sep()
                    ),
                    format!("{}${{aws:PrincipalTag/team}}{}{object}", res.head, res.tail),
                ),
                7 if prefix != "s3" => {
                    let (svc_part, rest) = split_region(&res.head);
                    (
                        format!("{svc_part}*{rest}*"),
                        format!("{}{object}", res.arn),
                    )
                }
                8 if s3_objects => (
                    format!("{}/reports/*", res.arn),
                    format!("{}/reports/{team_name}-2025.csv", res.arn),
                ),
                _ => (
                    format!("{}{suffix}", res.arn),
                    format!("{}{object}", res.arn),
                ),
            }
        };
        let mut st = json!({"Effect": "Allow", "Action": actions, "Resource": pattern});
        let mut hint = Hint::allow(hint_action, concrete);
        if self.p(0.35) {
            match self.below(5) {
                0 => {
                    st["Condition"] = json!({"IpAddress": {"aws:SourceIp": CORP_CIDRS}});
                }
                1 => {
                    st["Condition"] = json!({"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}});
                }
                2 => {
                    st["Condition"] = json!({"Bool": {"aws:SecureTransport": "true"}});
                }
                3 => {
                    let expired = self.p(0.3);
                    let date = if expired {
                        "2025-06-30T00:00:00Z"
                    } else {
                        "2027-01-01T00:00:00Z"
                    };
                    st["Condition"] = json!({"DateLessThan": {"aws:CurrentTime": date}});
                }
                _ => {
                    st["Condition"] = json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}});
                    hint = hint.with("aws:MultiFactorAuthPresent", "true");
                }
            }
        }
        (st, Some(hint))
    }

    /// An explicit deny statement.
    fn deny_statement(&mut self, ai: usize, team: usize) -> (Value, Option<Hint>) {
        match self.below(4) {
            0 => {
                let mut actions = BTreeSet::new();
                for _ in 0..self.range(2, 6) {
                    actions.insert(self.pick(DESTRUCTIVE).to_string());
                }
                let actions: Vec<String> = actions.into_iter().collect();
                let a = actions[self.below(actions.len())].clone();
                let svc = service_of(&a).to_string();
                (
                    json!({"Effect": "Deny", "Action": actions, "Resource": "*"}),
                    Some(Hint::deny(a, format!("{{ANY:{svc}}}"))),
                )
            }
            1 => {
                let svc = SERVICES[self.skewed(SERVICES.len())].prefix;
                let action = self
                    .concrete_action(&format!("{svc}:Get*"))
                    .or_else(|| self.concrete_action(&format!("{svc}:*")))
                    .unwrap_or_else(|| format!("{svc}:Describe"));
                (
                    json!({"Effect": "Deny", "Action": format!("{svc}:*"), "Resource": "*",
                           "Condition": {"NotIpAddress": {"aws:SourceIp": CORP_CIDRS},
                                         "BoolIfExists": {"aws:ViaAWSService": "false"}}}),
                    Some(
                        Hint::deny(action, format!("{{ANY:{svc}}}"))
                            .with("aws:SourceIp", "198.51.100.23"),
                    ),
                )
            }
            2 => (
                json!({"Effect": "Deny", "Action": ["iam:*", "kms:ScheduleKeyDeletion", "kms:DisableKey"], "Resource": "*",
                       "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}),
                Some(
                    Hint::deny("kms:DisableKey", "{ANY:kms}")
                        .with("aws:MultiFactorAuthPresent", "false"),
                ),
            ),
            _ => {
                // Another team's data is off limits.
                let other = (team + 1 + self.below(TEAMS.len() - 1)) % TEAMS.len();
                match self.resource(ai, "s3", other) {
                    Some(b) => (
                        json!({"Effect": "Deny", "Action": "s3:*", "Resource": [b.arn, format!("{}/*", b.arn)]}),
                        Some(Hint::deny(
                            "s3:GetObject",
                            format!("{}/private/data.parquet", b.arn),
                        )),
                    ),
                    None => (
                        json!({"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}),
                        Some(Hint::deny("s3:DeleteBucket", "{ANY:s3}")),
                    ),
                }
            }
        }
    }

    /// Customer managed policies of every account.
    fn customer_managed(&mut self) -> Result<(), String> {
        for ai in 0..self.accts.len() {
            let id = self.accts[ai].id.clone();
            let count = (self.accts[ai].who.len() / 4).max(3);
            for i in 0..count {
                let team = i % TEAMS.len();
                let n = self.size();
                // Policies attached to groups hold the home-folder and self-service recipes.
                let (doc, hints) = self.policy_doc(ai, team, n, i % 3 == 0);
                let name = format!(
                    "{}-{}-{}",
                    TEAMS[team],
                    [
                        "DataAccess",
                        "Deploy",
                        "ReadOnly",
                        "Ops",
                        "Pipeline",
                        "Guardrails"
                    ][i % 6],
                    i
                );
                let path = if i % 4 == 0 { "/teams/" } else { "/" };
                let arn = format!("arn:aws:iam::{id}:policy{path}{name}");
                let policy = self.parse(&doc, PolicyType::Identity, &name)?;
                self.org
                    .managed_policies
                    .insert(arn.clone(), customer(&arn, &name, path, policy));
                let h = self.new_hints(hints);
                self.accts[ai].managed.push((arn, h));
            }
        }
        Ok(())
    }

    /// A statement count for a generated customer policy, around `self.mean`.
    fn size(&mut self) -> usize {
        let x = self.mean * (0.5 + self.rng.random::<f64>());
        (x.round() as usize).max(1)
    }

    /// Group policies and memberships.
    fn groups(&mut self) -> Result<(), String> {
        for ai in 0..self.accts.len() {
            for gi in 0..self.accts[ai].groups.len() {
                let team = gi % TEAMS.len();
                let mut hint_sets = Vec::new();
                let mut inline = Vec::new();
                for k in 0..self.accts[ai].groups[gi].inline_slots {
                    let n = self.size();
                    let (doc, hints) = self.policy_doc(ai, team, n, true);
                    let policy = self.parse(&doc, PolicyType::Identity, "group inline policy")?;
                    inline.push(InlinePolicy {
                        name: format!("group-inline-{k}"),
                        policy,
                    });
                    hint_sets.push(hints);
                }
                let mut managed = Vec::new();
                let mut sets = Vec::new();
                for _ in 0..self.range(1, 2) {
                    let n = self.accts[ai].managed.len();
                    let i = self.skewed(n);
                    let (arn, h) = self.accts[ai].managed[i].clone();
                    if !managed.contains(&arn) {
                        managed.push(arn);
                        sets.push(h);
                    }
                }
                if self.p(0.4)
                    && let Some((arn, h)) = self.next_aws()
                {
                    managed.push(arn);
                    sets.push(h);
                }
                let flat: Vec<Hint> = hint_sets.into_iter().flatten().collect();
                let own = self.new_hints(flat);
                sets.push(own);
                let g = &mut self.accts[ai].groups[gi];
                g.inline = inline;
                g.managed = managed;
                g.hints = own;
                // Group hint sets reach members in `attach`; keep the managed ones too.
                let extra: Vec<Hint> = sets
                    .iter()
                    .filter(|s| **s != own)
                    .flat_map(|s| self.hints[*s].clone())
                    .collect();
                self.hints[own].extend(extra);
            }
        }
        Ok(())
    }

    /// The next AWS managed policy to attach: unattached ones first, then popular ones.
    fn next_aws(&mut self) -> Option<(String, usize)> {
        if self.aws.is_empty() {
            return None;
        }
        let i = if self.aws_cursor < self.aws.len() {
            self.aws_cursor += 1;
            self.aws_cursor - 1
        } else {
            self.skewed(self.aws.len())
        };
        self.aws.get(i).cloned()
    }

    /// Managed attachments and group memberships of users and roles.
    fn attach(&mut self) {
        for ai in 0..self.accts.len() {
            let members = self.accts[ai].who.clone();
            let n_managed = self.accts[ai].managed.len();
            let mut cursor = 0;
            for wi in members {
                let mut managed = Vec::new();
                let mut sets = Vec::new();
                let k = self.range(if self.who[wi].user { 0 } else { 1 }, 2);
                for _ in 0..k {
                    // Every customer managed policy is attached at least once.
                    let i = if cursor < n_managed {
                        cursor += 1;
                        cursor - 1
                    } else {
                        self.skewed(n_managed)
                    };
                    let (arn, h) = self.accts[ai].managed[i].clone();
                    if !managed.contains(&arn) {
                        managed.push(arn);
                        sets.push(h);
                    }
                }
                if self.p(0.3)
                    && let Some((arn, h)) = self.next_aws()
                    && !managed.contains(&arn)
                {
                    managed.push(arn);
                    sets.push(h);
                }
                let mut groups = Vec::new();
                if self.who[wi].user {
                    let n_groups = self.accts[ai].groups.len();
                    for _ in 0..self.range(1, 3) {
                        let gi = self.skewed(n_groups);
                        let g = &self.accts[ai].groups[gi];
                        if !groups.contains(&g.name) {
                            groups.push(g.name.clone());
                            sets.push(g.hints);
                        }
                    }
                }
                let w = &mut self.who[wi];
                w.managed = managed;
                w.groups = groups;
                w.policies.extend(sets);
            }
        }
        // Attach any AWS managed policy still unattached to some role, so that every one in the
        // organization is in use.
        while self.aws_cursor < self.aws.len() && !self.who.is_empty() {
            let wi = self.below(self.who.len());
            if let Some((arn, h)) = self.next_aws()
                && !self.who[wi].managed.contains(&arn)
            {
                self.who[wi].managed.push(arn);
                self.who[wi].policies.push(h);
            }
        }
    }

    /// Inline policies of users and roles (the cross-account grants others made to them
    /// included).
    fn inline(&mut self) -> Result<(), String> {
        for wi in 0..self.who.len() {
            let ai = self.who[wi].account;
            let team = self.who[wi].team;
            let user = self.who[wi].user;
            let mut inline = Vec::new();
            let mut hints = Vec::new();
            for k in 0..self.who[wi].inline_slots {
                let n = self.size();
                let (doc, h) = self.policy_doc(ai, team, n, user);
                let policy = self.parse(&doc, PolicyType::Identity, "inline policy")?;
                inline.push(InlinePolicy {
                    name: format!("inline-{k}"),
                    policy,
                });
                hints.extend(h);
            }
            let extra = std::mem::take(&mut self.who[wi].extra);
            if !extra.is_empty() {
                let mut statements = extra;
                for (i, st) in statements.iter_mut().enumerate() {
                    st["Sid"] = Value::String(format!("{}{i}", st["Sid"].as_str().unwrap_or("X")));
                }
                let doc = json!({"Version": "2012-10-17", "Statement": statements});
                let policy = self.parse(&doc, PolicyType::Identity, "cross-account policy")?;
                inline.push(InlinePolicy {
                    name: "cross-account-access".into(),
                    policy,
                });
            }
            let h = self.new_hints(hints);
            let w = &mut self.who[wi];
            w.inline = inline;
            w.policies.push(h);
        }
        Ok(())
    }

    /// Moves the planned users, groups and roles into the organization.
    fn assemble(&mut self) {
        for wi in 0..self.who.len() {
            let w = &mut self.who[wi];
            let tags = vec![
                ("team".to_string(), TEAMS[w.team].to_string()),
                (
                    "cost-center".to_string(),
                    format!("cc-{}", 1000 + w.team * 7),
                ),
                ("env".to_string(), self.accts[w.account].env.to_string()),
            ];
            let Some(account) = self.org.accounts.get_mut(&self.accts[w.account].id) else {
                continue;
            };
            let inline = std::mem::take(&mut w.inline);
            let managed = std::mem::take(&mut w.managed);
            if w.user {
                account.users.insert(
                    w.name.clone(),
                    User {
                        name: w.name.clone(),
                        path: w.path.clone(),
                        arn: w.arn.clone(),
                        unique_id: w.unique_id.clone(),
                        tags,
                        groups: std::mem::take(&mut w.groups),
                        inline,
                        managed,
                        boundary: w.boundary.clone(),
                        mfa_enabled: w.mfa,
                    },
                );
            } else {
                let trust = w.trust.take().unwrap_or_else(|| full_aws_access().policy);
                account.roles.insert(
                    w.name.clone(),
                    Role {
                        name: w.name.clone(),
                        path: w.path.clone(),
                        arn: w.arn.clone(),
                        unique_id: w.unique_id.clone(),
                        trust,
                        inline,
                        managed,
                        boundary: w.boundary.clone(),
                        tags,
                        max_session_duration: 3600,
                    },
                );
            }
        }
        for a in &mut self.accts {
            let Some(account) = self.org.accounts.get_mut(&a.id) else {
                continue;
            };
            for g in std::mem::take(&mut a.groups) {
                self.ids += 1;
                account.groups.insert(
                    g.name.clone(),
                    Group {
                        arn: format!("arn:aws:iam::{}:group/{}", a.id, g.name),
                        name: g.name,
                        path: "/".into(),
                        unique_id: format!("AGPA{:017}", self.ids),
                        inline: g.inline,
                        managed: g.managed,
                    },
                );
            }
        }
    }

    // --- requests ------------------------------------------------------------------------

    fn requests(&mut self) -> Vec<OrgRequest> {
        let mut out = Vec::with_capacity(self.cfg.requests);
        if self.who.is_empty() {
            return out;
        }
        let mut tries = 0;
        while out.len() < self.cfg.requests && tries < self.cfg.requests * 20 {
            tries += 1;
            if !self.service_hints.is_empty() && self.p(0.02) {
                let i = self.below(self.service_hints.len());
                let (principal, hint) = self.service_hints[i].clone();
                let mut ctx = Context::new();
                for (k, v) in &hint.context {
                    ctx.set(k, to_ctx(v.clone()));
                }
                set(&mut ctx, "aws:SecureTransport", "true");
                set(&mut ctx, "aws:RequestedRegion", &region_of(&hint.resource));
                out.push(OrgRequest {
                    principal,
                    action: hint.action,
                    resource: hint.resource,
                    context: ctx,
                    time: Some(REQUEST_TIME),
                    ..OrgRequest::default()
                });
                continue;
            }
            let wi = self.below(self.who.len());
            let roll: f64 = self.rng.random();
            let hint = if roll < 0.62 {
                self.principal_hint(wi, false)
            } else if roll < 0.72 {
                self.principal_hint(wi, true)
            } else if roll < 0.80 {
                let ai = self.who[wi].account;
                let i = self.below(self.accts[ai].deny_hints.len());
                self.accts[ai].deny_hints.get(i).cloned()
            } else {
                self.random_hint(wi)
            };
            let Some(hint) = hint else { continue };
            if let Some(r) = self.request(wi, &hint) {
                out.push(r);
            }
        }
        out
    }

    /// A hint from the policies that apply to the caller (denies or allows).
    fn principal_hint(&mut self, wi: usize, deny: bool) -> Option<Hint> {
        let sets = self.who[wi].policies.clone();
        for _ in 0..6 {
            let s = *sets.get(self.below(sets.len()))?;
            let n = self.hints[s].iter().filter(|h| h.deny == deny).count();
            let i = self.below(n);
            if let Some(h) = self.hints[s].iter().filter(|h| h.deny == deny).nth(i) {
                return Some(h.clone());
            }
        }
        None
    }

    /// A request that no statement aims at: any action on any resource.
    fn random_hint(&mut self, wi: usize) -> Option<Hint> {
        let svc = &SERVICES[self.below(SERVICES.len())];
        let action = format!(
            "{}:{}",
            svc.prefix,
            svc.actions[self.below(svc.actions.len())]
        );
        let ai = if self.p(0.7) {
            self.who[wi].account
        } else {
            self.below(self.accts.len())
        };
        let team = self.below(TEAMS.len());
        let res = self.resource(ai, svc.prefix, team)?;
        let resource = if svc.prefix == "s3" && is_object_action(&action) {
            format!("{}/data/part-{}.json", res.arn, self.below(100))
        } else {
            res.arn
        };
        Some(Hint::allow(action, resource))
    }

    /// Turns a hint into a request of principal `wi`.
    fn request(&mut self, wi: usize, hint: &Hint) -> Option<OrgRequest> {
        let w = self.who[wi].clone();
        let acct = self.accts[w.account].id.clone();
        let team = TEAMS[w.team];
        let mut resource = fill(&hint.resource, &w, &acct)?;
        if let Some(svc) = resource
            .strip_prefix("{ANY:")
            .and_then(|r| r.strip_suffix('}'))
            .map(str::to_string)
        {
            let svc = svc.as_str();
            let t = self.below(TEAMS.len());
            resource = self.resource(w.account, svc, t).map_or_else(
                || format!("arn:aws:{svc}:us-east-1:{acct}:bench/{}", w.name),
                |r| r.arn,
            );
            if svc == "s3" && is_object_action(&hint.action) {
                resource.push_str("/data/file.json");
            }
        } else if let Some(svc) = resource
            .strip_prefix("{TEAM:")
            .and_then(|r| r.strip_suffix('}'))
        {
            resource = self.resource(w.account, svc, w.team)?.arn;
        }
        let mut ctx = Context::new();
        let inside = self.p(0.9);
        set(
            &mut ctx,
            "aws:SourceIp",
            &if inside {
                format!(
                    "10.{}.{}.{}",
                    self.below(256),
                    self.below(256),
                    1 + self.below(254)
                )
            } else {
                format!("198.51.100.{}", 1 + self.below(254))
            },
        );
        let mut region = region_of(&resource);
        if self.p(0.04) {
            region = "ap-northeast-3".to_string();
        }
        set(&mut ctx, "aws:RequestedRegion", &region);
        set(
            &mut ctx,
            "aws:SecureTransport",
            if self.p(0.96) { "true" } else { "false" },
        );
        let mfa = if w.user { w.mfa } else { self.p(0.3) };
        set(
            &mut ctx,
            "aws:MultiFactorAuthPresent",
            if mfa { "true" } else { "false" },
        );
        for (k, v) in &hint.context {
            // Most requests carry what the statement asks for; a few do not.
            if self.p(0.9) {
                let v = match v {
                    CtxVal::One(s) => CtxVal::One(fill(s, &w, &acct)?),
                    CtxVal::List(l) => CtxVal::List(l.clone()),
                };
                ctx.set(k, to_ctx(v));
            }
        }
        if ctx.get("aws:ResourceTag/team").is_none() && self.p(0.3) {
            set(&mut ctx, "aws:ResourceTag/team", team);
        }
        let principal = if w.user {
            w.arn.clone()
        } else {
            format!(
                "arn:aws:sts::{acct}:assumed-role/{}/session-{}",
                w.name,
                self.below(10_000)
            )
        };
        let resource_account = if resource.starts_with("arn:aws:s3:::") {
            self.org
                .resource_entry(&resource)
                .map(|r| r.account.clone())
        } else {
            None
        };
        Some(OrgRequest {
            principal,
            action: hint.action.clone(),
            resource,
            resource_account,
            context: ctx,
            session: None,
            time: Some(REQUEST_TIME),
        })
    }

    fn stats(&self) -> Stats {
        let mut s = Stats {
            accounts: self.org.accounts.len(),
            units: self.org.units.len(),
            scps: self.org.scps.len(),
            rcps: self.org.rcps.len(),
            statements: count_statements(&self.org),
            ..Stats::default()
        };
        for m in self.org.managed_policies.values() {
            if m.is_aws_managed() {
                s.aws_managed += 1;
            } else {
                s.customer_managed += 1;
            }
        }
        for a in self.org.accounts.values() {
            s.users += a.users.len();
            s.roles += a.roles.len();
            s.groups += a.groups.len();
            s.inline += a.users.values().map(|u| u.inline.len()).sum::<usize>()
                + a.groups.values().map(|g| g.inline.len()).sum::<usize>()
                + a.roles.values().map(|r| r.inline.len()).sum::<usize>();
            s.with_boundary += a.users.values().filter(|u| u.boundary.is_some()).count()
                + a.roles.values().filter(|r| r.boundary.is_some()).count();
        }
        s.resource_policies = self
            .org
            .resources
            .values()
            .filter(|r| r.policy.is_some())
            .count();
        s.policies = s.aws_managed
            + s.customer_managed
            + s.inline
            + s.roles
            + s.resource_policies
            + s.scps
            + s.rcps;
        s
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn customer(arn: &str, name: &str, path: &str, policy: Policy) -> ManagedPolicy {
    ManagedPolicy {
        arn: arn.to_string(),
        name: name.to_string(),
        path: path.to_string(),
        default_version: "v1".into(),
        versions: vec![("v1".into(), policy)],
    }
}

fn set(ctx: &mut Context, key: &str, value: &str) {
    ctx.set(key, ContextValue::Single(value.to_string()));
}

fn to_ctx(v: CtxVal) -> ContextValue {
    match v {
        CtxVal::One(s) => ContextValue::Single(s),
        CtxVal::List(l) => ContextValue::List(l),
    }
}

/// The service prefix of an action (`s3` of `s3:GetObject`).
fn service_of(action: &str) -> &str {
    action.split(':').next().unwrap_or(action)
}

/// S3 actions on objects (as opposed to buckets).
fn is_object_action(action: &str) -> bool {
    action.contains("Object") || action.contains("Multipart")
}

/// The verb of an action name: `Get` of `GetObject`.
fn verb_of(name: &str) -> &str {
    let end = name
        .char_indices()
        .skip(1)
        .find(|(_, c)| c.is_ascii_uppercase())
        .map_or(name.len(), |(i, _)| i);
    name.get(..end).unwrap_or(name)
}

/// `arn:aws:svc:` and `:account:…` around an ARN's region.
fn split_region(head: &str) -> (String, String) {
    let parts: Vec<&str> = head.splitn(5, ':').collect();
    match parts.as_slice() {
        [a, b, c, _region, rest] => (format!("{a}:{b}:{c}:"), format!(":{rest}")),
        _ => (head.to_string(), String::new()),
    }
}

/// The region of an ARN, `us-east-1` when it has none.
fn region_of(arn: &str) -> String {
    match arn.split(':').nth(3) {
        Some(r) if !r.is_empty() && !r.contains('*') && !r.contains('{') => r.to_string(),
        _ => "us-east-1".to_string(),
    }
}

/// Fills a hint template for a caller; `None` when it names a variable the caller lacks.
fn fill(template: &str, w: &Who, account: &str) -> Option<String> {
    let mut s = template.replace("{ACCOUNT}", account);
    s = s.replace("${aws:PrincipalTag/team}", TEAMS.get(w.team)?);
    if s.contains("${aws:username}") {
        if !w.user {
            return None;
        }
        s = s.replace("${aws:username}", &w.name);
    }
    (!s.contains("${")).then_some(s)
}

/// The statements of a policy written as JSON.
fn statements_of(doc: &Value) -> impl Iterator<Item = &Value> {
    doc.get("Statement")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// A JSON string or list of strings.
fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// A concrete resource a pattern of an AWS managed policy matches, for a request of `action`:
/// wildcards become names, the region `us-east-1`, the account the caller's. `None` for patterns
/// with variables other than `${aws:username}`.
fn instantiate(pattern: &str, action: &str) -> Option<String> {
    if pattern == "*" {
        let svc = service_of(action).to_lowercase();
        return Some(if SERVICES.iter().any(|s| s.prefix == svc) {
            format!("{{ANY:{svc}}}")
        } else {
            format!("arn:aws:{svc}:us-east-1:{{ACCOUNT}}:resource/bench")
        });
    }
    let rest = pattern.replace("${aws:username}", "\u{1}");
    if rest.contains("${") {
        return None;
    }
    let parts: Vec<&str> = rest.splitn(6, ':').collect();
    let [arn, partition, service, region, account, tail] = parts.as_slice() else {
        return None;
    };
    let region = if region.contains('*') || region.contains('?') {
        "us-east-1"
    } else {
        region
    };
    let account = if account.contains('*') || account.contains('?') {
        "{ACCOUNT}"
    } else {
        account
    };
    let tail = tail.replace('*', "bench").replace('?', "x");
    let partition = partition.replace('*', "aws");
    Some(
        format!("{arn}:{partition}:{service}:{region}:{account}:{tail}")
            .replace('\u{1}', "${aws:username}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::resolve;
    use crate::reference::{Options, decide_org};
    use gavel_runtime::Decision;

    fn corpus_managed() -> Vec<ManagedPolicy> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/corpus/aws-managed-policies.jsonl"
        );
        let text = std::fs::read_to_string(path).expect("the shared corpus beside the checkout");
        parse_managed(&text).expect("the AWS managed policies parse")
    }

    #[test]
    fn scale_s_resolves_and_mixes_decisions() {
        let managed = corpus_managed();
        let w = generate(Scale::S, 7, &managed).expect("generates");
        let s = &w.stats;
        assert_eq!(s.principals(), 100, "{s:?}");
        assert!(
            (700..=1400).contains(&s.statements),
            "statements {}: {s:?}",
            s.statements
        );
        assert!(s.aws_managed >= 10, "{s:?}");
        assert!(s.with_boundary > 0 && s.resource_policies > 0, "{s:?}");
        assert_eq!(w.requests.len(), Scale::S.config().requests);
        let mut mix: BTreeMap<Decision, usize> = BTreeMap::new();
        for r in &w.requests {
            if let Err(e) = resolve(&w.org, r) {
                panic!("request {r:?} does not resolve: {e}");
            }
            let answer = decide_org(&w.org, r, &Options::default());
            *mix.entry(answer.decision).or_default() += 1;
        }
        let n = w.requests.len() as f64;
        let share = |d| *mix.get(&d).unwrap_or(&0) as f64 / n;
        eprintln!(
            "scale S: {s:?}\nmix: allow {:.1}%, explicit deny {:.1}%, implicit deny {:.1}%",
            100.0 * share(Decision::Allow),
            100.0 * share(Decision::ExplicitDeny),
            100.0 * share(Decision::ImplicitDeny)
        );
        assert!(share(Decision::Allow) >= 0.25, "{mix:?}");
        assert!(share(Decision::ExplicitDeny) >= 0.10, "{mix:?}");
        assert!(share(Decision::ImplicitDeny) >= 0.15, "{mix:?}");
    }

    #[test]
    fn deterministic_and_works_without_the_corpus() {
        let cfg = Config {
            principals: 40,
            statements: 400,
            requests: 200,
            aws_managed: 0,
        };
        let a = generate_with(&cfg, 3, &[]).expect("generates");
        let b = generate_with(&cfg, 3, &[]).expect("generates");
        assert_eq!(a.org, b.org);
        assert_eq!(a.stats, b.stats);
        assert_eq!(format!("{:?}", a.requests), format!("{:?}", b.requests));
        let c = generate_with(&cfg, 4, &[]).expect("generates");
        assert_ne!(a.org, c.org);
        for r in &a.requests {
            assert!(resolve(&a.org, r).is_ok(), "{r:?}");
        }
    }

    #[test]
    fn scales_parse_by_name() {
        assert_eq!(Scale::parse("xl"), Some(Scale::XL));
        assert_eq!(Scale::parse("M"), Some(Scale::M));
        assert_eq!(Scale::parse("XXL"), None);
        assert_eq!(Scale::L.config().statements, 100_000);
    }

    #[test]
    fn managed_patterns_instantiate() {
        assert_eq!(
            instantiate(
                "arn:aws:logs:*:*:log-group:/aws/lambda/*",
                "logs:PutLogEvents"
            )
            .as_deref(),
            Some("arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/bench")
        );
        assert_eq!(
            instantiate("arn:aws:iam::*:user/${aws:username}", "iam:ChangePassword").as_deref(),
            Some("arn:aws:iam::{ACCOUNT}:user/${aws:username}")
        );
        assert_eq!(
            instantiate("arn:aws:s3:::${aws:PrincipalTag/x}/*", "s3:GetObject"),
            None
        );
    }
}
