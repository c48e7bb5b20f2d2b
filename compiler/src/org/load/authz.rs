//! `aws iam get-account-authorization-details` output: one account's users, groups, roles and
//! managed policies.
//!
//! The shape is AWS's (`UserDetailList`, `GroupDetailList`, `RoleDetailList`, `Policies`), as
//! the AWS CLI prints it or as the raw API returns it:
//!
//! * policy documents are JSON objects (AWS CLI) or strings holding URL-encoded JSON (the raw
//!   API, RFC 3986); both are decoded and read with the JSON front end in lenient mode
//!   (identity policies as [`PolicyType::Identity`], trust policies as [`PolicyType::Trust`]),
//!   whose warnings are kept;
//! * `AttachedManagedPolicies` given as one object instead of a list (the AWS CLI
//!   documentation example does this) is read as a list of one, with a warning;
//! * `IsTruncated: true` and `Marker` are ignored with a warning (the dump is one page of
//!   several); other unknown top-level keys are ignored with a warning;
//! * a missing list (no `RoleDetailList`, …) is empty; a missing `MaxSessionDuration` is 3600;
//! * instance profiles, last-used data and dates are not part of the model and are skipped.
//!
//! Managed-policy attachments stay ARNs here; [`resolve`](super::resolve) looks them up.

use super::error::{LoadError, Problem, ProblemKind, Sink};
use super::reader::{JsonPath, Reader, kind};
use crate::json::ParseMode;
use crate::model::{Loc, PolicyType};
use crate::org::model::{Account, Group, InlinePolicy, ManagedPolicy, Role, Tags, User};
use jsonc_parser::ast::{Object, Value};
use jsonc_parser::common::Ranged;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// The maximum session duration of a role when the dump does not say (one hour).
pub const DEFAULT_MAX_SESSION_DURATION: u32 = 3600;

/// Who holds a managed-policy attachment.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Holder {
    /// An IAM user, by name.
    User(String),
    /// An IAM group, by name.
    Group(String),
    /// An IAM role, by name.
    Role(String),
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Holder::User(n) => write!(f, "user `{n}`"),
            Holder::Group(n) => write!(f, "group `{n}`"),
            Holder::Role(n) => write!(f, "role `{n}`"),
        }
    }
}

/// One managed-policy attachment (or permissions boundary) and where it was written, so that
/// an attachment that resolves nowhere can be reported precisely.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// The user, group or role that attaches the policy.
    pub holder: Holder,
    /// The policy ARN.
    pub arn: String,
    /// True for a permissions boundary, false for an attached managed policy.
    pub boundary: bool,
    /// The file it was read from.
    pub file: String,
    /// The JSON path of the attachment.
    pub path: String,
    /// Line and column, when known.
    pub loc: Option<Loc>,
}

/// One account as read from an authorization-details dump, before its managed-policy
/// attachments are resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountDump {
    /// The file it was read from.
    pub file: String,
    /// The account: id (from the ARNs, or the hint), users, groups and roles. Its `name` is
    /// the id, `parent` is `None` and it has no SCP/RCP attachments; a manifest sets those.
    pub account: Account,
    /// The dump's own `Policies` (customer and AWS managed, every version), by ARN.
    pub policies: BTreeMap<String, ManagedPolicy>,
    /// Every managed-policy attachment and boundary, in document order.
    pub attachments: Vec<Attachment>,
    /// Warnings: lenient-mode policy lints, ignored keys, the quirks that were read anyway.
    pub warnings: Vec<Problem>,
}

impl AccountDump {
    /// The number of inline policies of all users, groups and roles.
    pub fn inline_count(&self) -> usize {
        let a = &self.account;
        a.users.values().map(|u| u.inline.len()).sum::<usize>()
            + a.groups.values().map(|g| g.inline.len()).sum::<usize>()
            + a.roles.values().map(|r| r.inline.len()).sum::<usize>()
    }

    /// The number of users and roles that have a permissions boundary.
    pub fn boundary_count(&self) -> usize {
        let a = &self.account;
        a.users.values().filter(|u| u.boundary.is_some()).count()
            + a.roles.values().filter(|r| r.boundary.is_some()).count()
    }
}

/// Reads `aws iam get-account-authorization-details` output.
///
/// `file` names the text in messages. `account_hint` is the account id to use; without it the
/// id is the one most ARNs of users, groups, roles and customer managed policies carry. ARNs
/// of another account are reported as warnings (some published dumps mix accounts).
///
/// Errors name the file, the JSON path (`RoleDetailList[3].RolePolicyList[0].PolicyDocument`)
/// and, for an invalid policy, the front end's diagnostics; every problem found is reported.
/// A user listed in a group that the dump does not define is an error (a dangling group).
/// Never panics, whatever the input.
pub fn load_authorization_details(
    text: &str,
    file: &str,
    account_hint: Option<&str>,
) -> Result<AccountDump, LoadError> {
    if text.len() > super::MAX_FILE_BYTES {
        let size = u64::try_from(text.len()).unwrap_or(u64::MAX);
        return Err(LoadError::single(super::too_large(file, "the dump", size)));
    }
    let mut sink = Sink::default();
    let r = Reader::new(file, text, ParseMode::Lenient);
    if let Some(h) = account_hint
        && !is_account_id(h)
    {
        sink.push(Problem::error(
            ProblemKind::InvalidValue,
            file,
            "",
            None,
            format!("the account id `{h}` is not 12 digits"),
        ));
        return Err(LoadError::new(sink.problems));
    }
    let Some(root) = r.parse(&mut sink, "the authorization-details dump") else {
        return Err(LoadError::new(sink.problems));
    };
    let dump = read_dump(&r, &mut sink, &root, account_hint);
    match (dump, sink.has_errors()) {
        (Some(mut dump), false) => {
            dump.warnings = sink.problems;
            Ok(dump)
        }
        _ => Err(LoadError::new(sink.problems)),
    }
}

/// True for a 12-digit account id.
pub(crate) fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The account field of an ARN (`arn:aws:iam::123456789012:user/x` -> `123456789012`).
pub(crate) fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4)
}

const TOP_KEYS: [&str; 4] = [
    "UserDetailList",
    "GroupDetailList",
    "RoleDetailList",
    "Policies",
];

fn read_dump<'t>(
    r: &Reader<'t>,
    sink: &mut Sink,
    root: &Value<'t>,
    hint: Option<&str>,
) -> Option<AccountDump> {
    let top = JsonPath::root();
    let Value::Object(obj) = root else {
        let looks_like_resources = root.as_array().is_some_and(|a| {
            a.elements
                .first()
                .and_then(Value::as_object)
                .is_some_and(|o| o.get("Resource").is_some() && o.get("Policy").is_some())
        });
        let mut p = r.error(
            ProblemKind::Shape,
            &top,
            Some(root.range().start),
            format!(
                "an authorization-details dump must be a JSON object with `UserDetailList`, `GroupDetailList`, `RoleDetailList` and `Policies`, found {}",
                kind(root)
            ),
        );
        if looks_like_resources {
            p = p.with_help("this looks like a list of resource policies (`[{Resource, Policy, Account}]`, the IAMSpy format); load it as resources, not as an account");
        }
        sink.push(p);
        return None;
    };
    for prop in &obj.properties {
        let name = prop.name.as_str();
        let at = Some(prop.range.start);
        match name {
            n if TOP_KEYS.contains(&n) => {}
            "IsTruncated" => {
                if matches!(prop.value, Value::BooleanLit(ref b) if b.value) {
                    sink.push(
                        r.warning(
                            ProblemKind::Ignored,
                            &top.key(name),
                            at,
                            "the dump says `IsTruncated: true`: it is one page of several, so principals and policies on the other pages are missing",
                        )
                        .with_help("fetch every page (the AWS CLI does unless `--max-items` or `--no-paginate` is given) and merge them"),
                    );
                }
            }
            "Marker" => sink.push(r.warning(
                ProblemKind::Ignored,
                &top.key(name),
                at,
                "`Marker` (a pagination token) is ignored",
            )),
            other => sink.push(r.warning(
                ProblemKind::Ignored,
                &top.key(other),
                at,
                format!("unknown key `{other}` is ignored"),
            )),
        }
    }
    let mut d = DumpReader {
        r,
        sink,
        attachments: Vec::new(),
    };
    let groups = d.list(obj, "GroupDetailList", DumpReader::group);
    let users = d.list(obj, "UserDetailList", DumpReader::user);
    let roles = d.list(obj, "RoleDetailList", DumpReader::role);
    let policies = d.list(obj, "Policies", DumpReader::managed_policy);
    let mut attachments = std::mem::take(&mut d.attachments);

    // Account id: the hint, or the most common 12-digit account of the ARNs.
    let arns: Vec<(&JsonPath, usize, &str)> = groups
        .iter()
        .map(|(p, at, g)| (p, *at, g.arn.as_str()))
        .chain(users.iter().map(|(p, at, u)| (p, *at, u.arn.as_str())))
        .chain(roles.iter().map(|(p, at, x)| (p, *at, x.arn.as_str())))
        .chain(
            policies
                .iter()
                .filter(|(_, _, m)| !m.is_aws_managed())
                .map(|(p, at, m)| (p, *at, m.arn.as_str())),
        )
        .collect();
    let id = match hint {
        Some(h) => Some(h.to_string()),
        None => {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for (_, _, arn) in &arns {
                if let Some(a) = arn_account(arn).filter(|a| is_account_id(a)) {
                    *counts.entry(a).or_default() += 1;
                }
            }
            counts
                .iter()
                .max_by_key(|(_, n)| **n)
                .map(|(a, _)| (*a).to_string())
        }
    };
    let Some(id) = id else {
        sink.push(
            r.error(
                ProblemKind::MissingAccount,
                &top,
                None,
                "cannot tell which account the dump belongs to: no user, group, role or customer managed policy ARN names a 12-digit account",
            )
            .with_help("pass the account id (the `account_hint`, or the manifest's `id`)"),
        );
        return None;
    };
    for (path, at, arn) in &arns {
        if arn_account(arn) != Some(id.as_str()) {
            sink.push(
                r.warning(
                    ProblemKind::AccountMismatch,
                    &path.key("Arn"),
                    Some(*at),
                    format!("the ARN `{arn}` is not in account `{id}`, the account of this dump"),
                )
                .with_help("a dump describes one account; the ARN is kept as written"),
            );
        }
    }

    let mut account = Account {
        id: id.clone(),
        name: id,
        ..Account::default()
    };
    let mut group_arns: HashMap<String, String> = HashMap::new();
    let mut seen = Names::default();
    for (path, at, g) in groups {
        if seen.check(r, sink, "group", &g.name, &path, at) {
            group_arns.insert(g.name.clone(), g.arn.clone());
            account.groups.insert(g.name.clone(), g);
        }
    }
    let mut seen = Names::default();
    for (path, at, u) in users {
        if !seen.check(r, sink, "user", &u.name, &path, at) {
            continue;
        }
        for (i, g) in u.groups.iter().enumerate() {
            let gpath = path.key("GroupList").index(i);
            check_group(r, sink, &account, &u, g, &gpath, at);
        }
        account.users.insert(u.name.clone(), u);
    }
    let mut seen = Names::default();
    for (path, at, x) in roles {
        if seen.check(r, sink, "role", &x.name, &path, at) {
            account.roles.insert(x.name.clone(), x);
        }
    }
    let mut managed = BTreeMap::new();
    for (path, at, m) in policies {
        if managed.contains_key(&m.arn) {
            sink.push(r.error(
                ProblemKind::Duplicate,
                &path,
                Some(at),
                format!("the managed policy `{}` is listed twice", m.arn),
            ));
            continue;
        }
        managed.insert(m.arn.clone(), m);
    }
    // A principal dropped as a duplicate takes its attachments with it.
    attachments.retain(|a| match &a.holder {
        Holder::User(n) => account.users.contains_key(n),
        Holder::Group(n) => account.groups.contains_key(n),
        Holder::Role(n) => account.roles.contains_key(n),
    });
    Some(AccountDump {
        file: r.file.clone(),
        account,
        policies: managed,
        attachments,
        warnings: Vec::new(),
    })
}

/// Reports a user's group that the account does not define, or that belongs to another
/// account.
fn check_group(
    r: &Reader<'_>,
    sink: &mut Sink,
    account: &Account,
    user: &User,
    group: &str,
    path: &JsonPath,
    at: usize,
) {
    match account.groups.get(group) {
        Some(g) => {
            let (ua, ga) = (arn_account(&user.arn), arn_account(&g.arn));
            if ua != ga {
                sink.push(
                    r.error(
                        ProblemKind::ForeignGroup,
                        path,
                        Some(at),
                        format!(
                            "user `{}` ({}) is listed in group `{group}` of another account ({})",
                            user.name, user.arn, g.arn
                        ),
                    )
                    .with_help("IAM groups hold users of their own account only"),
                );
            }
        }
        None => {
            let mut p = r.error(
                ProblemKind::DanglingGroup,
                path,
                Some(at),
                format!(
                    "user `{}` is listed in group `{group}`, which the dump does not define",
                    user.name
                ),
            );
            let near = account
                .groups
                .keys()
                .find(|k| k.eq_ignore_ascii_case(group));
            p = match near {
                Some(k) => p.with_help(format!("did you mean `{k}`? group names are matched exactly")),
                None => p.with_help("add the group to `GroupDetailList`, or remove it from the user's `GroupList` (the dump may be a partial page)"),
            };
            sink.push(p);
        }
    }
}

/// Names seen so far in one list; IAM names are unique case-insensitively.
#[derive(Default)]
struct Names(HashMap<String, String>);

impl Names {
    fn check(
        &mut self,
        r: &Reader<'_>,
        sink: &mut Sink,
        what: &str,
        name: &str,
        path: &JsonPath,
        at: usize,
    ) -> bool {
        let folded = name.to_lowercase();
        if let Some(first) = self.0.get(&folded) {
            sink.push(
                r.error(
                    ProblemKind::Duplicate,
                    path,
                    Some(at),
                    format!("the {what} `{name}` is listed twice (first as `{first}`)"),
                )
                .with_help("IAM names are unique in an account, regardless of case"),
            );
            return false;
        }
        self.0.insert(folded, name.to_string());
        true
    }
}

struct DumpReader<'r, 't, 's> {
    r: &'r Reader<'t>,
    sink: &'s mut Sink,
    attachments: Vec<Attachment>,
}

type Item<T> = (JsonPath, usize, T);

impl<'t> DumpReader<'_, 't, '_> {
    /// Reads every element of an optional top-level list with `f`.
    fn list<T>(
        &mut self,
        obj: &Object<'t>,
        name: &str,
        f: impl Fn(&mut Self, &Object<'t>, &JsonPath) -> Option<T>,
    ) -> Vec<Item<T>> {
        let items = self.r.opt_list(self.sink, obj, name, &JsonPath::root());
        let mut out = Vec::new();
        for (path, v) in items {
            let what = format!("an entry of `{name}`");
            if let Some(o) = self.r.object(self.sink, v, &path, &what)
                && let Some(x) = f(self, o, &path)
            {
                out.push((path, o.range.start, x));
            }
        }
        out
    }

    fn arn(&mut self, o: &Object<'t>, path: &JsonPath, kind: &str) -> Option<String> {
        let arn = self.r.req_string(self.sink, o, "Arn", path)?;
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let ok = parts.len() == 6
            && parts.first() == Some(&"arn")
            && parts.get(2) == Some(&"iam")
            && parts.get(5).is_some_and(|r| r.starts_with(kind));
        if !ok {
            let at = o.get("Arn").map(|p| p.value.range().start);
            self.sink.push(self.r.error(
                ProblemKind::InvalidValue,
                &path.key("Arn"),
                at,
                format!(
                    "`{arn}` is not an IAM {kind} ARN (`arn:aws:iam::ACCOUNT:{kind}/PATH/NAME`)"
                ),
            ));
            return None;
        }
        Some(arn)
    }

    fn path_field(&mut self, o: &Object<'t>, path: &JsonPath) -> String {
        match self.r.opt_string(self.sink, o, "Path", path) {
            Some(p) if !p.is_empty() => p,
            _ => "/".to_string(),
        }
    }

    fn tags(&mut self, o: &Object<'t>, path: &JsonPath) -> Tags {
        let mut tags: Tags = Vec::new();
        for (p, v) in self.r.opt_list(self.sink, o, "Tags", path) {
            let Some(t) = self.r.object(self.sink, v, &p, "a tag") else {
                continue;
            };
            let (Some(k), Some(val)) = (
                self.r.req_string(self.sink, t, "Key", &p),
                self.r.req_string(self.sink, t, "Value", &p),
            ) else {
                continue;
            };
            if let Some((first, _)) = tags.iter().find(|(x, _)| x.eq_ignore_ascii_case(&k)) {
                self.sink.push(
                    self.r
                        .error(
                            ProblemKind::Duplicate,
                            &p,
                            Some(t.range.start),
                            format!("the tag key `{k}` is given twice (first as `{first}`)"),
                        )
                        .with_help("tag keys are unique regardless of case; condition keys such as `aws:PrincipalTag/…` could not tell the two apart"),
                );
                continue;
            }
            tags.push((k, val));
        }
        tags
    }

    fn inline(&mut self, o: &Object<'t>, name: &str, path: &JsonPath) -> Vec<InlinePolicy> {
        let mut out: Vec<InlinePolicy> = Vec::new();
        for (p, v) in self.r.opt_list(self.sink, o, name, path) {
            let Some(e) = self.r.object(self.sink, v, &p, "an inline policy") else {
                continue;
            };
            let pname = self.r.req_string(self.sink, e, "PolicyName", &p);
            let doc = match e.get("PolicyDocument") {
                Some(d) => self.r.policy(
                    self.sink,
                    &d.value,
                    &p.key("PolicyDocument"),
                    PolicyType::Identity,
                ),
                None => {
                    self.sink.push(self.r.error(
                        ProblemKind::Shape,
                        &p,
                        Some(e.range.start),
                        "missing `PolicyDocument`",
                    ));
                    None
                }
            };
            let (Some(pname), Some(policy)) = (pname, doc) else {
                continue;
            };
            if out.iter().any(|x| x.name == pname) {
                self.sink.push(self.r.error(
                    ProblemKind::Duplicate,
                    &p,
                    Some(e.range.start),
                    format!("the inline policy `{pname}` is listed twice"),
                ));
                continue;
            }
            out.push(InlinePolicy {
                name: pname,
                policy,
            });
        }
        out
    }

    /// `AttachedManagedPolicies`: a list of `{PolicyName, PolicyArn}`, or (quirk) one object.
    fn managed(&mut self, o: &Object<'t>, path: &JsonPath, holder: &Holder) -> Vec<String> {
        let key = "AttachedManagedPolicies";
        let p = path.key(key);
        let elements: Vec<(JsonPath, &Value<'t>)> = match o.get(key).map(|x| &x.value) {
            None | Some(Value::NullKeyword(_)) => Vec::new(),
            Some(Value::Array(a)) => a
                .elements
                .iter()
                .enumerate()
                .map(|(i, e)| (p.index(i), e))
                .collect(),
            Some(v @ Value::Object(_)) => {
                self.sink.push(
                    self.r
                        .warning(
                            ProblemKind::Rewritten,
                            &p,
                            Some(v.range().start),
                            format!(
                                "`{key}` is one object, not a list; it is read as a list of one"
                            ),
                        )
                        .with_help(
                            "AWS returns a list; the AWS CLI documentation example shows an object",
                        ),
                );
                vec![(p.clone(), v)]
            }
            Some(v) => {
                self.sink.push(self.r.error(
                    ProblemKind::Shape,
                    &p,
                    Some(v.range().start),
                    format!("`{key}` must be a list, found {}", kind(v)),
                ));
                Vec::new()
            }
        };
        let mut arns = Vec::new();
        for (ep, v) in elements {
            let Some(e) = self
                .r
                .object(self.sink, v, &ep, "an attached managed policy")
            else {
                continue;
            };
            let Some(arn) = self.r.req_string(self.sink, e, "PolicyArn", &ep) else {
                continue;
            };
            if arns.contains(&arn) {
                continue;
            }
            self.attachments.push(Attachment {
                holder: holder.clone(),
                arn: arn.clone(),
                boundary: false,
                file: self.r.file.clone(),
                path: ep.to_string(),
                loc: Some(self.r.loc(e.range.start)),
            });
            arns.push(arn);
        }
        arns
    }

    fn boundary(&mut self, o: &Object<'t>, path: &JsonPath, holder: &Holder) -> Option<String> {
        let key = "PermissionsBoundary";
        let v = o.get(key).map(|x| &x.value)?;
        if matches!(v, Value::NullKeyword(_)) {
            return None;
        }
        let p = path.key(key);
        let b = self.r.object(self.sink, v, &p, "`PermissionsBoundary`")?;
        let arn = self
            .r
            .req_string(self.sink, b, "PermissionsBoundaryArn", &p)?;
        self.attachments.push(Attachment {
            holder: holder.clone(),
            arn: arn.clone(),
            boundary: true,
            file: self.r.file.clone(),
            path: p.key("PermissionsBoundaryArn").to_string(),
            loc: Some(self.r.loc(b.range.start)),
        });
        Some(arn)
    }

    fn group(&mut self, o: &Object<'t>, path: &JsonPath) -> Option<Group> {
        let name = self.r.req_string(self.sink, o, "GroupName", path);
        let arn = self.arn(o, path, "group");
        let unique_id = self.r.req_string(self.sink, o, "GroupId", path);
        let p = self.path_field(o, path);
        let name = name?;
        let holder = Holder::Group(name.clone());
        let inline = self.inline(o, "GroupPolicyList", path);
        let managed = self.managed(o, path, &holder);
        Some(Group {
            name,
            path: p,
            arn: arn?,
            unique_id: unique_id?,
            inline,
            managed,
        })
    }

    fn user(&mut self, o: &Object<'t>, path: &JsonPath) -> Option<User> {
        let name = self.r.req_string(self.sink, o, "UserName", path);
        let arn = self.arn(o, path, "user");
        let unique_id = self.r.req_string(self.sink, o, "UserId", path);
        let p = self.path_field(o, path);
        let name = name?;
        let holder = Holder::User(name.clone());
        let tags = self.tags(o, path);
        let groups: Vec<String> = self
            .r
            .string_list(self.sink, o, "GroupList", path)
            .into_iter()
            .map(|(_, _, g)| g)
            .collect();
        let inline = self.inline(o, "UserPolicyList", path);
        let managed = self.managed(o, path, &holder);
        let boundary = self.boundary(o, path, &holder);
        Some(User {
            name,
            path: p,
            arn: arn?,
            unique_id: unique_id?,
            tags,
            groups,
            inline,
            managed,
            boundary,
            mfa_enabled: false,
        })
    }

    fn role(&mut self, o: &Object<'t>, path: &JsonPath) -> Option<Role> {
        let name = self.r.req_string(self.sink, o, "RoleName", path);
        let arn = self.arn(o, path, "role");
        let unique_id = self.r.req_string(self.sink, o, "RoleId", path);
        let p = self.path_field(o, path);
        let name = name?;
        let holder = Holder::Role(name.clone());
        let trust = match o.get("AssumeRolePolicyDocument") {
            Some(d) => self.r.policy(
                self.sink,
                &d.value,
                &path.key("AssumeRolePolicyDocument"),
                PolicyType::Trust,
            ),
            None => {
                self.sink.push(
                    self.r
                        .error(
                            ProblemKind::Shape,
                            path,
                            Some(o.range.start),
                            format!("role `{name}` has no `AssumeRolePolicyDocument`"),
                        )
                        .with_help("every role has a trust policy; the dump may have been edited"),
                );
                None
            }
        };
        let tags = self.tags(o, path);
        let inline = self.inline(o, "RolePolicyList", path);
        let managed = self.managed(o, path, &holder);
        let boundary = self.boundary(o, path, &holder);
        let max_session_duration = self.max_session(o, path);
        Some(Role {
            name,
            path: p,
            arn: arn?,
            unique_id: unique_id?,
            trust: trust?,
            inline,
            managed,
            boundary,
            tags,
            max_session_duration: max_session_duration?,
        })
    }

    fn max_session(&mut self, o: &Object<'t>, path: &JsonPath) -> Option<u32> {
        let key = "MaxSessionDuration";
        let Some(v) = o.get(key).map(|x| &x.value) else {
            return Some(DEFAULT_MAX_SESSION_DURATION);
        };
        let p = path.key(key);
        let n = match v {
            Value::NumberLit(n) => n.value.parse::<u32>().ok(),
            Value::NullKeyword(_) => return Some(DEFAULT_MAX_SESSION_DURATION),
            _ => None,
        };
        match n {
            Some(n) if (3600..=43200).contains(&n) => Some(n),
            _ => {
                self.sink.push(self.r.error(
                    ProblemKind::InvalidValue,
                    &p,
                    Some(v.range().start),
                    format!(
                        "`{key}` must be a whole number of seconds from 3600 to 43200, found `{}`",
                        self.r.text.get(v.range().start..v.range().end).unwrap_or("?")
                    ),
                ));
                None
            }
        }
    }

    fn managed_policy(&mut self, o: &Object<'t>, path: &JsonPath) -> Option<ManagedPolicy> {
        let name = self.r.req_string(self.sink, o, "PolicyName", path);
        let arn = self.r.req_string(self.sink, o, "Arn", path);
        let p = self.path_field(o, path);
        let default = self.r.opt_string(self.sink, o, "DefaultVersionId", path);
        let errors_before = self.sink.error_count();
        let mut versions = Vec::new();
        let mut flagged = None;
        let vkey = "PolicyVersionList";
        for (vp, v) in self.r.opt_list(self.sink, o, vkey, path) {
            let Some(e) = self.r.object(self.sink, v, &vp, "a policy version") else {
                continue;
            };
            let id = self.r.req_string(self.sink, e, "VersionId", &vp);
            let doc = match e.get("Document") {
                Some(d) => self.r.policy(
                    self.sink,
                    &d.value,
                    &vp.key("Document"),
                    PolicyType::Identity,
                ),
                None => {
                    self.sink.push(self.r.error(
                        ProblemKind::Shape,
                        &vp,
                        Some(e.range.start),
                        "missing `Document`",
                    ));
                    None
                }
            };
            if let (Some(id), Some(doc)) = (id, doc) {
                if e.get_boolean("IsDefaultVersion").is_some_and(|b| b.value) {
                    flagged = Some(id.clone());
                }
                versions.push((id, doc));
            }
        }
        let (name, arn) = (name?, arn?);
        let Some(default_version) = default.or(flagged) else {
            self.sink.push(self.r.error(
                ProblemKind::Shape,
                path,
                Some(o.range.start),
                format!("the managed policy `{arn}` has no `DefaultVersionId` and no version marked `IsDefaultVersion`"),
            ));
            return None;
        };
        if !versions.iter().any(|(id, _)| *id == default_version) {
            // Only report when the versions themselves were readable.
            if self.sink.error_count() == errors_before {
                self.sink.push(
                    self.r
                        .error(
                            ProblemKind::Shape,
                            &path.key(vkey),
                            Some(o.range.start),
                            format!(
                                "the default version `{default_version}` of `{arn}` is not in `{vkey}`"
                            ),
                        )
                        .with_help("the document in force is unknown; dump with `--filter` values that include the policy versions"),
                );
            }
            return None;
        }
        Some(ManagedPolicy {
            arn,
            name,
            path: p,
            default_version,
            versions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"{
  "UserDetailList": [
    {"UserName": "alice", "UserId": "AIDAEXAMPLE000000001", "Path": "/",
     "Arn": "arn:aws:iam::123456789012:user/alice", "GroupList": ["devs"],
     "Tags": [{"Key": "team", "Value": "web"}],
     "UserPolicyList": [], "AttachedManagedPolicies": [],
     "PermissionsBoundary": {"PermissionsBoundaryType": "Policy",
        "PermissionsBoundaryArn": "arn:aws:iam::123456789012:policy/Boundary"}}
  ],
  "GroupDetailList": [
    {"GroupName": "devs", "GroupId": "AGPAEXAMPLE000000001", "Path": "/",
     "Arn": "arn:aws:iam::123456789012:group/devs", "GroupPolicyList": [],
     "AttachedManagedPolicies": [{"PolicyName": "ReadOnlyAccess",
        "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]}
  ],
  "Policies": [
    {"PolicyName": "Boundary", "Arn": "arn:aws:iam::123456789012:policy/Boundary",
     "Path": "/", "DefaultVersionId": "v2", "PolicyVersionList": [
       {"VersionId": "v1", "IsDefaultVersion": false, "Document":
          {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}},
       {"VersionId": "v2", "IsDefaultVersion": true, "Document":
          "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%7D"}
    ]}
  ]
}"#;

    #[test]
    fn reads_a_small_dump() {
        let d = load_authorization_details(SMALL, "small.json", None);
        let d = d.map_err(|e| e.to_string());
        let Ok(d) = d else { unreachable!("{d:?}") };
        assert_eq!(d.account.id, "123456789012");
        assert_eq!(d.account.users.len(), 1);
        assert_eq!(
            d.account.roles.len(),
            0,
            "a missing RoleDetailList is empty"
        );
        assert_eq!(d.attachments.len(), 2);
        let b = d.policies.get("arn:aws:iam::123456789012:policy/Boundary");
        assert_eq!(b.map(|b| b.versions.len()), Some(2));
        assert_eq!(
            b.and_then(|b| b.document()).map(|p| p.statements.len()),
            Some(1)
        );
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        assert_eq!(d.boundary_count(), 1);
    }

    #[test]
    fn dangling_group_is_an_error_with_a_path() {
        let text = SMALL.replace("\"GroupList\": [\"devs\"]", "\"GroupList\": [\"Devs\"]");
        let e = load_authorization_details(&text, "small.json", None).err();
        let e = e.map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("small.json:"), "{e}");
        assert!(e.contains("`UserDetailList[0].GroupList[0]`"), "{e}");
        assert!(e.contains("which the dump does not define"), "{e}");
        assert!(e.contains("did you mean `devs`?"), "{e}");
    }

    #[test]
    fn bad_hint_and_no_account() {
        assert!(load_authorization_details("{}", "f", Some("12")).is_err());
        let e = load_authorization_details("{}", "f", None).err();
        assert!(e.is_some_and(|e| e.has(ProblemKind::MissingAccount)));
        let ok = load_authorization_details("{}", "f", Some("123456789012"));
        assert!(ok.is_ok_and(|d| d.account.users.is_empty()));
    }
}
