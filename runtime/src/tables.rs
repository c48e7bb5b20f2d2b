//! The decision tables: what `gavel compile` produces and `authorize` reads.
//!
//! Everything here is already lowered: action patterns are interned and every known action is
//! pre-classified ([`ActionIndex`]), policies are hash-consed and specialized per principal
//! (principal variables and conditions folded by the compiler), and every string a decision
//! compares is stored ready to compare (lower-cased keys, pre-parsed condition constants).
//!
//! The tables are built by the compiler (`gavel_compiler::lower`), written to a file by
//! `format::tables` and read back by the same module, which validates every index before the
//! tables are handed to the evaluator; [`Tables::check`] is that validation.

use crate::cond_value::CondValue;
use crate::decision::Effect;
use crate::eval::condition::Shortcut;
use crate::eval::context::KeyKind;
use crate::eval::plan::{self, Chain, PlanId, Plans};
use crate::glob::Tok;
use crate::operator::Operator;
use crate::par;
use crate::pattern::Template;
use crate::principal::PrincipalType;
use crate::str_index::{AccountIndex, NameIndex, StrIndex};
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// Index of a policy in [`Tables::policies`].
pub type PolicyId = u32;

/// The compiled decision tables of one organization (or one conformance case).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tables {
    /// Action patterns and pre-classified actions.
    pub actions: ActionIndex,
    /// Every distinct (specialized) policy.
    pub policies: Vec<Policy>,
    /// What the policies apply to.
    pub scope: Scope,
    /// Lookup maps derived from the above when the tables are loaded (not stored in the file).
    pub derived: Derived,
}

/// What the tables decide for.
#[derive(Clone, Debug, PartialEq)]
pub enum Scope {
    /// A fixed policy set and a complete request context (conformance cases): the request's
    /// principal is whoever it says and its context is used as given.
    Fixed(PolicySets),
    /// An organization: principals, accounts and resources are looked up per request and the
    /// principal and resource keys of the context are derived, as `org::resolve` does.
    Org(OrgTables),
}

impl Default for Scope {
    fn default() -> Scope {
        Scope::Fixed(PolicySets::default())
    }
}

/// The policy sets of one evaluation (spec §1.2), by policy id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicySets {
    /// Identity-based policies.
    pub identity: Vec<PolicyId>,
    /// The resource-based policy.
    pub resource: Option<PolicyId>,
    /// Permissions boundary policies.
    pub boundaries: Vec<PolicyId>,
    /// Session policies.
    pub session: Vec<PolicyId>,
    /// SCP levels, root first; `None` when SCPs do not apply.
    pub scps: Option<Vec<Vec<PolicyId>>>,
    /// RCP levels, root first; `None` when RCPs do not apply.
    pub rcps: Option<Vec<Vec<PolicyId>>>,
}

/// The organization: its accounts, principals and resources.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OrgTables {
    /// `aws:PrincipalOrgID` / `aws:ResourceOrgID`, when the model has an organization.
    pub org_id: Option<String>,
    /// Accounts, sorted by id.
    pub accounts: Vec<Account>,
    /// IAM users and roles, sorted by `(kind, arn)`.
    pub principals: Vec<PrincipalRecord>,
    /// Resources the model knows, sorted by ARN.
    pub resources: Vec<ResourceRecord>,
    /// Managed policies by ARN, sorted, unspecialized: session policies name them at run time.
    pub managed: Vec<(String, PolicyId)>,
    /// `RCPFullAWSAccess`, first at every RCP level.
    pub rcp_full_access: Option<PolicyId>,
    /// SCP levels specialized for principals ([`PrincipalRecord::scps`]): an account's levels
    /// with each policy folded on what a principal's own requests know (`aws:PrincipalArn`,
    /// its tags, ...), distinct sets only; each is named by some record.
    pub scp_sets: Vec<Vec<Vec<PolicyId>>>,
}

/// One account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Account {
    /// The 12-digit id.
    pub id: String,
    /// In the organization (member or management account).
    pub in_org: bool,
    /// `aws:PrincipalOrgPaths` / `aws:ResourceOrgPaths` value.
    pub org_path: Option<String>,
    /// SCP levels when the account is a member account.
    pub scps: Option<Vec<Vec<PolicyId>>>,
    /// RCP levels when the account is a member account (`RCPFullAWSAccess` included).
    pub rcps: Option<Vec<Vec<PolicyId>>>,
    /// Why the account's SCPs cannot be used (an unknown policy name): every request that
    /// needs them is denied with this message.
    pub scp_error: Option<String>,
    /// The same for its RCPs.
    pub rcp_error: Option<String>,
}

/// Whether a principal record is an IAM user or a role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordKind {
    /// An IAM user.
    User,
    /// An IAM role (requests come from its sessions).
    Role,
}

/// An IAM user or role with its policies gathered and specialized.
///
/// `repr(C)` keeps the fields in this order: the ones every request of the principal reads
/// (ARN confirmation, account, error, identity and boundary lists, SCP set, tags, unique id)
/// come first, so that they share as few cache lines as possible; a request reads one record
/// of a large organization cold.
#[derive(Clone, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct PrincipalRecord {
    /// The ARN, path included.
    pub arn: String,
    /// Identity policies specialized for this principal's own requests.
    pub identity: Vec<PolicyId>,
    /// Permissions boundary specialized likewise.
    pub boundaries: Vec<PolicyId>,
    /// Tags, as `aws:PrincipalTag/*` gives them.
    pub tags: Vec<Tag>,
    /// `AIDA…` / `AROA…`.
    pub unique_id: String,
    /// Why the principal's policies cannot be gathered: its requests are denied with this.
    pub error: Option<String>,
    /// Index in [`OrgTables::accounts`].
    pub account: u32,
    /// User or role.
    pub kind: RecordKind,
    /// The account's SCP levels specialized for this principal's own requests (a position in
    /// [`OrgTables::scp_sets`], with as many levels as the account has); `None`: the account's
    /// levels as they are (nothing in them depends on the principal). Federated users this
    /// user creates and the account's root user use the account's levels.
    pub scps: Option<u32>,
    /// The user or role name.
    pub name: String,
    /// Users: the same policies unspecialized, for the federated users this user creates
    /// (empty for roles, whose raw lists nothing reads).
    pub identity_raw: Vec<PolicyId>,
    /// Users: the boundary unspecialized.
    pub boundaries_raw: Vec<PolicyId>,
    /// Roles: the trust policy.
    pub trust: Option<PolicyId>,
}

/// Bytes of a principal's ARN kept in its [`HotPrincipal`]: the rest of a 128-byte block.
pub const HOT_ARN: usize = 99;

/// What every request of a principal reads, in one 128-byte block (two adjacent cache lines,
/// which the processor fetches together): its account, SCP set, plans, two flags and its
/// ARN. A request reads one principal of a large organization cold; reading its
/// [`PrincipalRecord`] (three lines), the record's ARN text (a heap block of its own) and its
/// plans (another table) cost three to five misses where this costs one. The record is still
/// read for what only some requests need (tags, unique id, an error message, policy lists
/// without plans).
#[derive(Clone, Debug, PartialEq, Eq)]
#[repr(C, align(128))]
pub struct HotPrincipal {
    account: u32,
    /// [`PrincipalRecord::scps`], [`NO_ID`] for none.
    scps: u32,
    /// The plans of `identity`, `boundaries`, `identity_raw`, `boundaries_raw`; [`NO_ID`] for
    /// none (the evaluator then takes the per-policy path).
    plans: [u32; 4],
    arn_len: u32,
    flags: u8,
    /// The ARN's first [`HOT_ARN`] bytes (a longer ARN is confirmed against the record).
    arn: [u8; HOT_ARN],
}

/// "None" in a [`HotPrincipal`]'s id fields.
const NO_ID: u32 = u32::MAX;
/// [`HotPrincipal`] flag: the record has an `error`.
const HOT_ERROR: u8 = 1;
/// [`HotPrincipal`] flag: the record has boundary policies.
const HOT_BOUNDARIES: u8 = 2;
/// [`HotPrincipal`] flag: the ARN is an IAM role ARN (`arn:…:iam::…:role/…`), which
/// [`crate::eval::caller::Caller::set_role_arn`] accepts.
const HOT_IAM_ROLE: u8 = 4;
/// [`HotPrincipal`] flag: that role is service-linked (path `/aws-service-role/`).
const HOT_SERVICE_LINKED: u8 = 8;

impl HotPrincipal {
    /// The hot block of `record`, whose plans are `plans`.
    pub fn new(record: &PrincipalRecord, plans: [Option<PlanId>; 4]) -> HotPrincipal {
        let (arn, arn_len) = inline_text(&record.arn);
        let mut flags = 0;
        if record.error.is_some() {
            flags |= HOT_ERROR;
        }
        if !record.boundaries.is_empty() {
            flags |= HOT_BOUNDARIES;
        }
        // Worked out once here so that a role session found by name need not parse the ARN
        // per request (`set_role_arn`'s test, the same function).
        if let Some(linked) = crate::eval::caller::role_arn_facts(&record.arn) {
            flags |= HOT_IAM_ROLE;
            if linked {
                flags |= HOT_SERVICE_LINKED;
            }
        }
        HotPrincipal {
            account: record.account,
            scps: record.scps.unwrap_or(NO_ID),
            plans: plans.map(|p| p.unwrap_or(NO_ID)),
            arn_len,
            flags,
            arn,
        }
    }

    /// Index of the principal's account in [`OrgTables::accounts`].
    pub fn account(&self) -> u32 {
        self.account
    }

    /// [`PrincipalRecord::scps`].
    pub fn scps(&self) -> Option<u32> {
        (self.scps != NO_ID).then_some(self.scps)
    }

    /// The plans of `identity`, `boundaries`, `identity_raw` and `boundaries_raw`.
    pub fn plans(&self) -> [Option<PlanId>; 4] {
        self.plans.map(|p| (p != NO_ID).then_some(p))
    }

    /// The record has an `error` (its requests are denied with it).
    pub fn has_error(&self) -> bool {
        self.flags & HOT_ERROR != 0
    }

    /// The record has boundary policies.
    pub fn has_boundaries(&self) -> bool {
        self.flags & HOT_BOUNDARIES != 0
    }

    /// The principal's ARN, when the block holds all of it.
    pub fn arn_str(&self) -> Option<&str> {
        std::str::from_utf8(self.arn.get(..self.arn_len as usize)?).ok()
    }

    /// Whether the ARN is an IAM role ARN, and then whether the role is service-linked.
    pub fn iam_role(&self) -> Option<bool> {
        (self.flags & HOT_IAM_ROLE != 0).then_some(self.flags & HOT_SERVICE_LINKED != 0)
    }

    /// Whether the principal's name (the ARN's last `/` segment) is `name`, known from the
    /// ARN the block holds (`None` when it does not hold all of it).
    pub fn name_is(&self, name: &str) -> Option<bool> {
        let arn = self.arn.get(..self.arn_len as usize)?;
        // The last segment is `name` exactly when `name` has no `/` and the ARN ends with it
        // right after a `/` (or is all of it): bytes compared in place, no UTF-8 check.
        let name = name.as_bytes();
        let Some(before) = arn.len().checked_sub(name.len()) else {
            return Some(false);
        };
        Some(
            arn.ends_with(name)
                && !name.contains(&b'/')
                && (before == 0 || arn.get(before - 1) == Some(&b'/')),
        )
    }

    /// Whether the principal's ARN is `key`; `full` gives the record's ARN, read only when
    /// the ARN is longer than the block holds.
    pub fn arn_is<'r>(&self, key: &str, full: impl FnOnce() -> Option<&'r str>) -> bool {
        inline_is(&self.arn, self.arn_len, key, full)
    }
}

/// The first `N` bytes of `text` and its length (a text of 4 GiB gets a length no key has, so
/// [`inline_is`] then reads the full text).
fn inline_text<const N: usize>(text: &str) -> ([u8; N], u32) {
    let mut out = [0u8; N];
    let bytes = text.as_bytes();
    let n = bytes.len().min(N);
    if let (Some(dst), Some(src)) = (out.get_mut(..n), bytes.get(..n)) {
        dst.copy_from_slice(src);
    }
    (out, u32::try_from(bytes.len()).unwrap_or(u32::MAX))
}

/// Whether the text of length `len` whose first bytes are `inline` is `key`: compared in
/// place when `inline` holds all of it, else against `full()` (the record's copy).
fn inline_is<'r>(
    inline: &[u8],
    len: u32,
    key: &str,
    full: impl FnOnce() -> Option<&'r str>,
) -> bool {
    if u32::try_from(key.len()).ok() != Some(len) {
        return false;
    }
    match inline.get(..key.len()) {
        Some(inline) => inline == key.as_bytes(),
        None => full().is_some_and(|a| a == key),
    }
}

/// Bytes of a resource's ARN kept in its [`HotResource`]: the rest of a 128-byte block.
pub const HOT_RESOURCE_ARN: usize = 116;

/// What a request for a resource the model knows reads of it, in one 128-byte block: its
/// account (as an index, so that the account's RCP plans need no lookup by id), its
/// resource-based policy and its ARN (which confirms the index's answer). The
/// [`ResourceRecord`] costs three to four misses for the same (the record, its ARN's heap
/// block, its account's heap block); it is still read for the resource's tags, and for an ARN
/// longer than the block holds.
#[derive(Clone, Debug, PartialEq, Eq)]
#[repr(C, align(128))]
pub struct HotResource {
    /// Index of the resource's account in [`OrgTables::accounts`], [`NO_ID`] when the
    /// organization has no such account.
    account: u32,
    /// [`ResourceRecord::policy`], [`NO_ID`] for none.
    policy: u32,
    arn_len: u32,
    /// The ARN's first [`HOT_RESOURCE_ARN`] bytes.
    arn: [u8; HOT_RESOURCE_ARN],
}

impl HotResource {
    /// The hot block of `record`, whose account is `account` in [`OrgTables::accounts`].
    pub fn new(record: &ResourceRecord, account: Option<u32>) -> HotResource {
        let (arn, arn_len) = inline_text(&record.arn);
        HotResource {
            account: account.unwrap_or(NO_ID),
            policy: record.policy.unwrap_or(NO_ID),
            arn_len,
            arn,
        }
    }

    /// Index of the resource's account in [`OrgTables::accounts`].
    pub fn account(&self) -> Option<u32> {
        (self.account != NO_ID).then_some(self.account)
    }

    /// [`ResourceRecord::policy`].
    pub fn policy(&self) -> Option<PolicyId> {
        (self.policy != NO_ID).then_some(self.policy)
    }

    /// Whether the resource's ARN is `key`; `full` gives the record's ARN, read only when the
    /// ARN is longer than the block holds.
    pub fn arn_is<'r>(&self, key: &str, full: impl FnOnce() -> Option<&'r str>) -> bool {
        inline_is(&self.arn, self.arn_len, key, full)
    }
}

/// A tag: key and value (shared: organizations repeat a few keys and values everywhere).
pub type Tag = (Arc<str>, Arc<str>);

/// A resource the model knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceRecord {
    /// The resource ARN.
    pub arn: String,
    /// The owning account.
    pub account: String,
    /// Its tags (`aws:ResourceTag/*`).
    pub tags: Vec<Tag>,
    /// Its resource-based policy.
    pub policy: Option<PolicyId>,
}

/// A compiled policy.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Policy {
    /// The name answers report it by.
    pub name: String,
    /// The statements kept after specialization, in source order.
    pub statements: Vec<Statement>,
    /// Service ids some statement names, sorted: a request for another service skips the
    /// policy unless `any_service`.
    pub services: Vec<u32>,
    /// True when some statement may match an action of any service (`*`, `NotAction`, or a
    /// self-contained pattern list).
    pub any_service: bool,
}

/// A compiled statement.
///
/// Laid out for the evaluator: the fields a decision reads once the plan has checked the
/// action (resources, conditions, principal, effect) come first and, with the 64-byte
/// alignment, share one cache line; a statement read is one miss instead of two or three.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[repr(C, align(64))]
pub struct Statement {
    /// `Resource` / `NotResource`; `None` in trust policies.
    pub resources: Option<Resources>,
    /// The condition clauses, ANDed; shared between the statements that carry the same list
    /// (decoding hash-conses them: a large organization has a few thousand distinct lists
    /// over a hundred thousand statements).
    pub conditions: Arc<[Clause]>,
    /// `Principal` / `NotPrincipal`, if present (boxed: most statements have none, and the
    /// hot line has room for a pointer only).
    pub principal: Option<Box<Principals>>,
    /// `Allow` or `Deny`.
    pub effect: Effect,
    /// Index of the statement in the source policy (answers name statements by it).
    pub index: u32,
    /// The `Sid` (shared: real organizations repeat a few hundred Sids over every account).
    pub sid: Option<Arc<str>>,
    /// `Action` / `NotAction`.
    pub actions: Actions,
}

/// `Principal` / `NotPrincipal`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Principals {
    /// `NotPrincipal`.
    pub negated: bool,
    /// A bare `"*"`.
    pub wildcard: bool,
    /// The entries.
    pub entries: Vec<(PrincipalType, String)>,
}

/// `Action` / `NotAction`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Actions {
    /// `NotAction`.
    pub negated: bool,
    /// The entries.
    pub patterns: ActionPatterns,
}

/// The entries of an `Action` list.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ActionPatterns {
    /// Ids into [`ActionIndex::patterns`], sorted (policies compiled with the tables); shared
    /// like [`Statement::conditions`].
    Indexed(Arc<[u32]>),
    /// The patterns themselves (policies compiled on their own, e.g. inline session policies).
    Direct(Vec<ActionPattern>),
}

/// One action pattern, lower-cased.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ActionPattern {
    /// `*`.
    Any,
    /// Never matches (spec A-8).
    Never,
    /// `service:glob`.
    Named {
        /// Service prefix, lower-cased.
        service: String,
        /// The name glob, lower-cased.
        name: Vec<Tok>,
    },
}

/// `Resource` / `NotResource`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Resources {
    /// `NotResource`.
    pub negated: bool,
    /// The entries; shared like [`Statement::conditions`].
    pub items: Arc<[ResourcePattern]>,
}

/// One resource entry, with a fast form when it has no variables.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ResourcePattern {
    /// Exactly `*`: everything.
    Any,
    /// No wildcard: the resource must be an ARN equal to this.
    Exact(String),
    /// Literal text then one final `*`: an ARN starting with this.
    Prefix(String),
    /// A variable-free pattern whose only wildcards are `*`s that may cross colons
    /// ([`crate::glob::resource_stars`]): compared in place with [`crate::glob::star_match`].
    /// Written to the file as the [`ResourcePattern::Glob`] it stands for.
    Stars(String),
    /// Any other variable-free pattern.
    Glob(Vec<Tok>),
    /// A pattern with variables, resolved per request.
    Template(Template),
}

impl ResourcePattern {
    /// The form a variable-free glob takes: [`ResourcePattern::Stars`] where it qualifies,
    /// else [`ResourcePattern::Glob`]. The compiler and the decoder both build globs with it,
    /// so compiled and loaded tables are equal.
    pub fn glob(toks: Vec<Tok>) -> ResourcePattern {
        match crate::glob::resource_stars(&toks) {
            Some(text) => ResourcePattern::Stars(text),
            None => ResourcePattern::Glob(toks),
        }
    }
}

/// One condition clause.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Clause {
    /// The operator.
    pub operator: Operator,
    /// The context key, lower-cased.
    pub key: String,
    /// What the key is ([`KeyKind::of`] of `key`: not stored in the file, computed when the
    /// clause is built or read).
    pub kind: KeyKind,
    /// The values, parsed for the operator's family; `None` for a value that could not be
    /// parsed (lenient import): it compares as an error.
    pub values: Vec<Option<CondValue>>,
    /// The test without the general comparison, when there is one ([`Shortcut::of`] of the
    /// operator and values: not stored in the file).
    pub shortcut: Shortcut,
}

impl Clause {
    /// A clause on the lower-cased `key`, with what is derived from the other fields
    /// ([`KeyKind`], [`Shortcut`]) worked out.
    pub fn new(operator: Operator, key: String, values: Vec<Option<CondValue>>) -> Clause {
        Clause {
            kind: KeyKind::of(&key),
            shortcut: Shortcut::of(&operator, &values),
            operator,
            key,
            values,
        }
    }
}

/// Action patterns and the classification of known actions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActionIndex {
    /// Every distinct pattern of the organization.
    pub patterns: Vec<ActionPattern>,
    /// Service prefixes (lower-case), sorted; a service id is an index here.
    pub services: Vec<String>,
    /// Known actions (lower-case `service:name`), sorted, with their class.
    pub known: Vec<(String, u32)>,
    /// Action classes: the sorted ids of the patterns that match the class's actions.
    pub classes: Vec<Vec<u32>>,
}

/// The known actions of [`ActionIndex`] as a request's lookup reads them: per action (by
/// position in [`ActionIndex::known`]) a row naming its text, its service and its class's
/// pattern ids, in three flat arrays.
///
/// Why: classifying an action read the known action's entry, its name's own allocation, the
/// class list's header and its own allocation, and a service array: five cold lines at large
/// scales where these rows need three (row, name, ids).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActionRows {
    rows: Vec<ActionRow>,
    names: String,
    ids: Vec<u32>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct ActionRow {
    name: (u32, u32),
    /// The service id (`u32::MAX` when no pattern names the service).
    service: u32,
    class: (u32, u32),
}

impl ActionRows {
    /// Rows for `index`'s known actions; `service` gives a name's service id. `None` when a
    /// known action names a missing class or the text is too long to index.
    fn build(index: &ActionIndex, service: impl Fn(&str) -> u32) -> Option<ActionRows> {
        let mut out = ActionRows::default();
        let at = |n: usize| u32::try_from(n).ok();
        let mut classes = Vec::with_capacity(index.classes.len());
        for class in &index.classes {
            let start = at(out.ids.len())?;
            out.ids.extend_from_slice(class);
            classes.push((start, at(out.ids.len())?));
        }
        out.rows.reserve(index.known.len());
        for (name, class) in &index.known {
            let start = at(out.names.len())?;
            out.names.push_str(name);
            out.rows.push(ActionRow {
                name: (start, at(out.names.len())?),
                service: service(name),
                class: *classes.get(*class as usize)?,
            });
        }
        Some(out)
    }

    /// The name of known action `p`.
    pub fn name(&self, p: u32) -> Option<&str> {
        let (a, b) = self.rows.get(p as usize)?.name;
        self.names.get(a as usize..b as usize)
    }

    /// The service id and the class's sorted pattern ids of known action `p`.
    pub fn class(&self, p: u32) -> Option<(u32, &[u32])> {
        let row = self.rows.get(p as usize)?;
        let (a, b) = row.class;
        Some((row.service, self.ids.get(a as usize..b as usize)?))
    }
}

/// Maps built at load time for constant-time lookups.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Derived {
    /// Known action -> its position in [`ActionIndex::known`].
    pub actions: StrIndex,
    /// Per known action: its name, service and class, laid out for one lookup.
    pub action_rows: ActionRows,
    /// Service prefix -> service id.
    pub services: FxHashMap<String, u32>,
    /// Per service id: RCPs govern its resources ([`crate::services::rcp_supported`]).
    pub rcp_services: Vec<bool>,
    /// User ARN -> principal record.
    pub users: StrIndex,
    /// Role ARN -> principal record.
    pub roles: StrIndex,
    /// (Account, role name) -> principal record.
    pub role_names: NameIndex,
    /// (Account, user name) -> principal record.
    pub user_names: NameIndex,
    /// Account id -> account.
    pub accounts: AccountIndex,
    /// Resource ARN -> resource record.
    pub resources: StrIndex,
    /// Managed policy ARN -> policy.
    pub managed: FxHashMap<String, PolicyId>,
    /// Per policy (by id): its statements grouped by the service they name.
    pub policy_index: PolicyIndexes,
    /// Per service id: the range of pattern ids naming it, when the patterns are grouped by
    /// service (as the compiler writes them); empty otherwise.
    pub service_patterns: Vec<(u32, u32)>,
    /// How many patterns at the start of the list are `Any`.
    pub any_patterns: u32,
    /// Statement plans of every policy list a request can use.
    pub plans: Plans,
    /// Per principal record: what every request reads ([`HotPrincipal`]: account, SCP set,
    /// the plans of `identity`, `boundaries`, `identity_raw`, `boundaries_raw` (the last two
    /// for users only), flags, ARN).
    pub principal_hot: Vec<HotPrincipal>,
    /// Per resource record: what a request for it reads ([`HotResource`]: account, policy,
    /// ARN).
    pub resource_hot: Vec<HotResource>,
    /// Per account: the plans of its SCP and RCP levels.
    pub account_plans: Vec<LevelPlans>,
    /// Per specialized SCP set ([`OrgTables::scp_sets`]): the plans of its levels.
    pub scp_set_plans: Vec<Vec<Option<PlanId>>>,
    /// Per specialized SCP set: how its chain is decided ([`Chain`]).
    pub scp_set_chains: Vec<Chain>,
    /// The plans of a fixed scope's sets.
    pub fixed_plans: FixedPlans,
}

/// The plans of SCP and RCP levels, one per level.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LevelPlans {
    /// SCP levels, root first.
    pub scps: Vec<Option<PlanId>>,
    /// RCP levels, root first.
    pub rcps: Vec<Option<PlanId>>,
    /// How the SCP chain is decided ([`Chain`]).
    pub scp_chain: Chain,
    /// How the RCP chain is decided.
    pub rcp_chain: Chain,
}

/// The plans of [`Scope::Fixed`]'s policy sets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FixedPlans {
    /// Identity policies.
    pub identity: Option<PlanId>,
    /// Boundaries.
    pub boundaries: Option<PlanId>,
    /// Session policies.
    pub session: Option<PlanId>,
    /// SCP and RCP levels.
    pub levels: LevelPlans,
}

/// Which statements of each policy can match an action of a given service, so that a request
/// visits only those (in source order): every policy's index in a few flat arrays (a large
/// organization has 33,000 policies; one set of vectors each cost a fifth of the load time).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyIndexes {
    /// Per policy: its ranges of `services` (and `starts`, one longer) and of `any`.
    heads: Vec<IndexHead>,
    /// Service ids, sorted per policy.
    services: Vec<u32>,
    /// Per policy, `services.len() + 1` offsets into `positions`.
    starts: Vec<u32>,
    /// Statement positions, ascending per service.
    positions: Vec<u32>,
    /// Statements that may match any service (`*`, `NotAction`), ascending per policy.
    any: Vec<u32>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct IndexHead {
    services: (u32, u32),
    starts: u32,
    any: (u32, u32),
}

fn range<T>(v: &[T], (a, b): (u32, u32)) -> &[T] {
    v.get(a as usize..b as usize).unwrap_or(&[])
}

impl PolicyIndexes {
    /// How many (service, statement) and any-service entries the index holds: a bound on the
    /// entries of the policies' segments.
    pub fn entries(&self) -> usize {
        self.positions.len() + self.any.len()
    }

    /// The index of policy `id`.
    pub fn get(&self, id: PolicyId) -> Option<PolicyIndex<'_>> {
        let h = self.heads.get(id as usize)?;
        let services = range(&self.services, h.services);
        let n = services.len() as u32;
        Some(PolicyIndex {
            services,
            starts: range(&self.starts, (h.starts, h.starts + n + 1)),
            positions: &self.positions,
            any: range(&self.any, h.any),
        })
    }

    /// Indexes every policy, given the service each interned pattern names, and checks what
    /// the index reads: each policy's service ids (below `services`) and each distinct
    /// action-id list (sorted, every id a pattern). `first` is the id of `policies[0]`, for
    /// the error.
    fn build(
        policies: &[Policy],
        service_of: &[PatternService],
        services: usize,
        first: usize,
    ) -> Result<PolicyIndexes, TablesError> {
        let mut ix = PolicyIndexes::default();
        // Statements share their action-id lists (`Arc`; a few thousand distinct lists over
        // hundreds of thousands of statements): the services of each list are found once,
        // keyed by the list's address (a copy with equal content merely misses the memo).
        let mut memo: FxHashMap<usize, ListServices> = FxHashMap::default();
        let mut listed: Vec<u32> = Vec::new();
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for (p, policy) in policies.iter().enumerate() {
            let bad = |what: &str| Err(TablesError(format!("policy {} {what}", first + p)));
            if policy.services.iter().any(|s| *s as usize >= services) {
                return bad("names a missing service");
            }
            pairs.clear();
            let any_start = ix.any.len() as u32;
            for (i, st) in policy.statements.iter().enumerate() {
                let i = i as u32;
                let found = match &st.actions.patterns {
                    ActionPatterns::Direct(_) => ListServices::Any,
                    ActionPatterns::Indexed(ids) => {
                        let key = Arc::as_ptr(ids).cast::<u32>() as usize;
                        match memo.get(&key) {
                            Some(found) => *found,
                            None => {
                                if ids.iter().any(|i| *i as usize >= service_of.len()) {
                                    return bad("names a missing action pattern");
                                }
                                // The evaluator intersects sorted lists (binary search, range
                                // cuts): an unsorted list could hide a matching pattern.
                                if !ids.is_sorted() {
                                    return bad("lists its action patterns out of order");
                                }
                                let found = ListServices::of(ids, service_of, &mut listed);
                                memo.insert(key, found);
                                found
                            }
                        }
                    }
                };
                match found {
                    ListServices::Named(a, b) if !st.actions.negated => {
                        pairs.extend(range(&listed, (a, b)).iter().map(|s| (*s, i)));
                    }
                    _ => ix.any.push(i),
                }
            }
            pairs.sort_unstable();
            pairs.dedup();
            let services_start = ix.services.len() as u32;
            let starts = ix.starts.len() as u32;
            for &(s, i) in &pairs {
                if ix.services.len() as u32 == services_start || ix.services.last() != Some(&s) {
                    ix.services.push(s);
                    ix.starts.push(ix.positions.len() as u32);
                }
                ix.positions.push(i);
            }
            ix.starts.push(ix.positions.len() as u32);
            ix.heads.push(IndexHead {
                services: (services_start, ix.services.len() as u32),
                starts,
                any: (any_start, ix.any.len() as u32),
            });
        }
        Ok(ix)
    }
}

impl PolicyIndexes {
    /// Appends the indexes of the policies after these.
    fn append(&mut self, other: PolicyIndexes) {
        let services = self.services.len() as u32;
        let starts = self.starts.len() as u32;
        let positions = self.positions.len() as u32;
        let any = self.any.len() as u32;
        self.heads
            .extend(other.heads.into_iter().map(|h| IndexHead {
                services: (h.services.0 + services, h.services.1 + services),
                starts: h.starts + starts,
                any: (h.any.0 + any, h.any.1 + any),
            }));
        self.services.extend(other.services);
        self.starts
            .extend(other.starts.into_iter().map(|s| s + positions));
        self.positions.extend(other.positions);
        self.any.extend(other.any);
    }
}

/// The services one action-id list names: a range of the memo's list of service ids, or
/// `Any` when some pattern matches every service.
#[derive(Clone, Copy, Debug)]
enum ListServices {
    Any,
    Named(u32, u32),
}

impl ListServices {
    fn of(ids: &[u32], service_of: &[PatternService], listed: &mut Vec<u32>) -> ListServices {
        let mut found = Vec::new();
        for id in ids {
            match service_of.get(*id as usize) {
                Some(PatternService::Any) => return ListServices::Any,
                Some(PatternService::Service(s)) => found.push(*s),
                Some(PatternService::None) | None => {}
            }
        }
        found.sort_unstable();
        found.dedup();
        let start = listed.len() as u32;
        listed.extend(found);
        ListServices::Named(start, listed.len() as u32)
    }
}

/// The index of one policy ([`PolicyIndexes::get`]).
#[derive(Clone, Copy, Debug)]
pub struct PolicyIndex<'a> {
    /// Service ids, sorted.
    pub services: &'a [u32],
    /// `positions[starts[i]..starts[i + 1]]` lists the statements naming `services[i]`.
    starts: &'a [u32],
    positions: &'a [u32],
    /// Statements that may match any service (`*`, `NotAction`), ascending.
    pub any: &'a [u32],
}

impl<'a> PolicyIndex<'a> {
    /// The statements naming `service`, ascending (empty when none does).
    pub fn named(&self, service: u32) -> &'a [u32] {
        self.services
            .binary_search(&service)
            .ok()
            .and_then(|i| self.of(i))
            .unwrap_or(&[])
    }

    /// Each service with the statements naming it.
    pub fn by_service(&self) -> impl Iterator<Item = (u32, &'a [u32])> + '_ {
        self.services
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((*s, self.of(i)?)))
    }

    fn of(&self, i: usize) -> Option<&'a [u32]> {
        let (a, b) = (*self.starts.get(i)?, *self.starts.get(i + 1)?);
        self.positions.get(a as usize..b as usize)
    }
}

/// What service an action pattern can match, for [`PolicyIndex`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PatternService {
    /// `*`: every service.
    Any,
    /// Only this service.
    Service(u32),
    /// None (`Never`, or a service no catalogue entry or pattern interned).
    None,
}

impl PatternService {
    fn of(p: &ActionPattern, services: &FxHashMap<String, u32>) -> PatternService {
        match p {
            ActionPattern::Any => PatternService::Any,
            ActionPattern::Named { service, .. } => services
                .get(service)
                .map_or(PatternService::None, |s| PatternService::Service(*s)),
            ActionPattern::Never => PatternService::None,
        }
    }
}

/// The contiguous pattern-id range of each service, or nothing when some service's patterns
/// are not contiguous (the runtime then intersects whole lists).
fn service_ranges(actions: &ActionIndex, services: &FxHashMap<String, u32>) -> Vec<(u32, u32)> {
    let mut ranges: Vec<Option<(u32, u32)>> = vec![None; actions.services.len()];
    let mut last: Option<u32> = None;
    for (i, p) in actions.patterns.iter().enumerate() {
        let i = i as u32;
        let ActionPattern::Named { service, .. } = p else {
            continue;
        };
        let Some(&s) = services.get(service) else {
            return Vec::new();
        };
        let Some(slot) = ranges.get_mut(s as usize) else {
            return Vec::new();
        };
        match slot {
            None => *slot = Some((i, i + 1)),
            Some((_, hi)) if last == Some(s) && *hi == i => *hi = i + 1,
            Some(_) => return Vec::new(),
        }
        last = Some(s);
    }
    ranges.into_iter().map(|r| r.unwrap_or((0, 0))).collect()
}

/// [`Tables::check`] indexes and plans tables with at least this many statements on two
/// threads: below it, starting a thread costs more than it saves.
pub const PARALLEL_FROM: usize = 20_000;

impl Tables {
    /// Builds the policy indexes and segments, then the statement plans of every policy list;
    /// with `parallel`, each in two halves side by side (the result is the same either way,
    /// but for plan ids and duplicate plans across the principal halves).
    fn index_and_plan(
        &self,
        derived: &mut Derived,
        service_of: &[PatternService],
        parallel: bool,
    ) -> Result<(), TablesError> {
        // Two parts: this thread also checks the policy sets and builds the maps
        // ([`Tables::check_refs`], about a sixth of the layout's work in a large organization),
        // so it lays out the first 40 % of the statements.
        let total: usize = self.policies.iter().map(|p| p.statements.len()).sum();
        let mut seen = 0;
        let mid = self
            .policies
            .iter()
            .position(|p| {
                seen += p.statements.len();
                seen * 5 >= total * 2
            })
            .map_or(self.policies.len(), |i| i + 1);
        let (first, rest) = self.policies.split_at(mid.min(self.policies.len()));
        let nsvc = self.actions.services.len();
        // Copied (a few hundred ranges): `check_refs` borrows `derived` meanwhile.
        let (service_patterns, any_patterns) =
            (derived.service_patterns.clone(), derived.any_patterns);
        let layout = |policies: &[Policy], first: usize| {
            let index = PolicyIndexes::build(policies, service_of, nsvc, first)?;
            let segments = plan::Segments::build(
                policies,
                &index,
                &self.actions.patterns,
                &service_patterns,
                any_patterns,
            );
            Ok((index, segments))
        };
        let (done, second) = par::join(
            parallel,
            || (self.check_refs(derived), layout(first, 0)),
            || layout(rest, first.len()),
        );
        let (refs, done) = done;
        refs?;
        let (mut index, segments) = done?;
        let (rest_index, rest_segments) = second.unwrap_or_else(|| layout(rest, first.len()))?;
        index.append(rest_index);
        let segments = plan::SegmentParts::new(segments, rest_segments);

        // The deny-bearing policies of every SCP and RCP chain ([`Chain`]), made before the
        // builder, which borrows the lists it plans: `[SCP chain, RCP chain]` of the fixed
        // scope or of each account, and each specialized SCP set's chain.
        type Denies = Option<Vec<PolicyId>>;
        let chain_denies = |levels: &Option<Vec<Vec<PolicyId>>>| {
            levels
                .as_ref()
                .and_then(|l| segments.chain_denies(l.iter().map(Vec::as_slice)))
        };
        let (level_denies, set_denies): (Vec<[Denies; 2]>, Vec<Denies>) = match &self.scope {
            Scope::Fixed(sets) => (
                vec![[chain_denies(&sets.scps), chain_denies(&sets.rcps)]],
                Vec::new(),
            ),
            Scope::Org(org) => (
                (org.accounts.iter())
                    .map(|a| [chain_denies(&a.scps), chain_denies(&a.rcps)])
                    .collect(),
                (org.scp_sets.iter())
                    .map(|set| segments.chain_denies(set.iter().map(Vec::as_slice)))
                    .collect(),
            ),
        };

        // (Functions, not closures: the builder borrows the lists it plans.)
        fn chain<'t>(denies: Option<&'t Denies>, b: &mut plan::Builder<'t>) -> Chain {
            match denies {
                Some(Some(l)) if l.is_empty() => Chain::Open,
                Some(Some(l)) => b.plan(l).map_or(Chain::Levels, Chain::Denies),
                _ => Chain::Levels,
            }
        }
        fn levels<'t>(
            scps: &'t Option<Vec<Vec<PolicyId>>>,
            rcps: &'t Option<Vec<Vec<PolicyId>>>,
            denies: Option<&'t [Denies; 2]>,
            b: &mut plan::Builder<'t>,
        ) -> LevelPlans {
            LevelPlans {
                scps: scps.iter().flatten().map(|l| b.plan(l)).collect(),
                rcps: rcps.iter().flatten().map(|l| b.plan(l)).collect(),
                scp_chain: chain(denies.map(|[s, _]| s), b),
                rcp_chain: chain(denies.map(|[_, r]| r), b),
            }
        }
        fn of<'t>(
            b: &mut plan::Builder<'t>,
            records: &'t [PrincipalRecord],
        ) -> Vec<[Option<PlanId>; 4]> {
            records
                .iter()
                .map(|p| {
                    // Only a user's federated users read its raw lists.
                    let raw = p.kind == RecordKind::User;
                    [
                        b.plan(&p.identity),
                        b.plan(&p.boundaries),
                        raw.then(|| b.plan(&p.identity_raw)).flatten(),
                        raw.then(|| b.plan(&p.boundaries_raw)).flatten(),
                    ]
                })
                .collect()
        }
        let mut b = plan::Builder::new(&segments);
        let (parts, rest_parts) = match &self.scope {
            Scope::Fixed(sets) => {
                derived.fixed_plans = FixedPlans {
                    identity: b.plan(&sets.identity),
                    boundaries: b.plan(&sets.boundaries),
                    session: b.plan(&sets.session),
                    levels: levels(&sets.scps, &sets.rcps, level_denies.first(), &mut b),
                };
                (b.finish(), plan::Parts::default())
            }
            Scope::Org(org) => {
                derived.account_plans = org
                    .accounts
                    .iter()
                    .zip(&level_denies)
                    .map(|(a, denies)| levels(&a.scps, &a.rcps, Some(denies), &mut b))
                    .collect();
                derived.scp_set_plans = org
                    .scp_sets
                    .iter()
                    .map(|set| set.iter().map(|l| b.plan(l)).collect())
                    .collect();
                derived.scp_set_chains =
                    set_denies.iter().map(|d| chain(Some(d), &mut b)).collect();
                let (first, rest) = org.principals.split_at(org.principals.len() / 2);
                let second_half = || {
                    let mut b = plan::Builder::new(&segments);
                    let plans = of(&mut b, rest);
                    (b.finish(), plans)
                };
                let ((parts, mut plans), second) = par::join(
                    parallel,
                    || {
                        let plans = of(&mut b, first);
                        (b.finish(), plans)
                    },
                    second_half,
                );
                let (rest_parts, rest_plans) = second.unwrap_or_else(second_half);
                // The second builder numbered its plans from 0; `Plans` numbers them after the
                // first builder's.
                let offset = PlanId::try_from(parts.id_end()).ok();
                plans.extend(
                    rest_plans
                        .into_iter()
                        .map(|slots| slots.map(|p| p.and_then(|p| p.checked_add(offset?)))),
                );
                derived.principal_hot = (org.principals.iter())
                    .zip(plans)
                    .map(|(r, plans)| HotPrincipal::new(r, plans))
                    .collect();
                (parts, rest_parts)
            }
        };
        derived.policy_index = index;
        derived.plans = Plans::new(segments, parts, rest_parts);
        Ok(())
    }
}

/// Why tables are inconsistent (a crafted or corrupted file that passed its checksums).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("inconsistent decision tables: {0}")]
pub struct TablesError(pub String);

impl Tables {
    /// Checks every cross-reference and builds the lookup maps. Evaluation relies on what this
    /// proves: every id indexes something. Uses two threads from [`PARALLEL_FROM`] statements
    /// on ([`Tables::check_with`]).
    pub fn check(self) -> Result<Tables, TablesError> {
        let statements: usize = self.policies.iter().map(|p| p.statements.len()).sum();
        self.check_with(statements >= PARALLEL_FROM)
    }

    /// [`Tables::check`] on one thread or two. The checks and maps are the same either way;
    /// with two, the principals' plans are built in two halves, so their numbering differs and
    /// a plan that both halves need is built twice (decisions are the same).
    pub fn check_with(mut self, parallel: bool) -> Result<Tables, TablesError> {
        let bad = |what: String| Err(TablesError(what));
        let npat = self.actions.patterns.len();
        for (c, class) in self.actions.classes.iter().enumerate() {
            if class.iter().any(|p| *p as usize >= npat) || !class.is_sorted() {
                return bad(format!(
                    "action class {c} is unsorted or names a missing pattern"
                ));
            }
        }
        let mut derived = Derived::default();
        for (i, s) in self.actions.services.iter().enumerate() {
            derived.services.insert(s.clone(), i as u32);
            derived
                .rcp_services
                .push(crate::services::RCP_SUPPORTED_SERVICES.contains(&s.as_str()));
        }
        derived.service_patterns = service_ranges(&self.actions, &derived.services);
        derived.any_patterns = self
            .actions
            .patterns
            .iter()
            .take_while(|p| **p == ActionPattern::Any)
            .count() as u32;
        let service_of: Vec<PatternService> = self
            .actions
            .patterns
            .iter()
            .map(|p| PatternService::of(p, &derived.services))
            .collect();
        self.index_and_plan(&mut derived, &service_of, parallel)?;
        self.derived = derived;
        Ok(self)
    }

    /// Checks the known actions and the policy sets (every id names something) and builds
    /// the lookup maps of [`Derived`] that do not depend on the policies' statements.
    fn check_refs(&self, derived: &mut Derived) -> Result<(), TablesError> {
        let bad = |what: String| Err(TablesError(what));
        let npol = self.policies.len();
        let pol_ok = |id: &PolicyId| (*id as usize) < npol;
        for (name, class) in &self.actions.known {
            if *class as usize >= self.actions.classes.len() {
                return bad(format!("known action `{name}` names a missing class"));
            }
        }
        let services = &derived.services;
        derived.action_rows = ActionRows::build(&self.actions, |name| {
            name.split_once(':')
                .and_then(|(s, _)| services.get(s).copied())
                .unwrap_or(u32::MAX)
        })
        .ok_or_else(|| TablesError("the known actions are too large to index".into()))?;
        derived.actions = StrIndex::build(
            self.actions
                .known
                .iter()
                .enumerate()
                .map(|(i, (name, _))| (name.as_str(), i as u32)),
        );
        // Each policy's service and action-pattern ids are checked where they are indexed
        // (`PolicyIndexes::build`, on two threads, once per distinct list).
        let levels_ok = |l: &Option<Vec<Vec<PolicyId>>>| l.iter().flatten().flatten().all(pol_ok);
        match &self.scope {
            Scope::Fixed(sets) => {
                let ok = sets.identity.iter().all(pol_ok)
                    && sets.resource.iter().all(pol_ok)
                    && sets.boundaries.iter().all(pol_ok)
                    && sets.session.iter().all(pol_ok)
                    && levels_ok(&sets.scps)
                    && levels_ok(&sets.rcps);
                if !ok {
                    return bad("a policy set names a missing policy".into());
                }
            }
            Scope::Org(org) => {
                for (i, a) in org.accounts.iter().enumerate() {
                    if !levels_ok(&a.scps) || !levels_ok(&a.rcps) {
                        return bad(format!("account {} names a missing policy", a.id));
                    }
                    if !derived.accounts.insert(&a.id, i as u32) {
                        return bad(format!("account {} is listed twice", a.id));
                    }
                }
                if !org
                    .scp_sets
                    .iter()
                    .all(|set| set.iter().flatten().all(pol_ok))
                {
                    return bad("a specialized SCP set names a missing policy".into());
                }
                let mut named_sets = vec![false; org.scp_sets.len()];
                for p in &org.principals {
                    let ok = (p.account as usize) < org.accounts.len()
                        && p.identity.iter().all(pol_ok)
                        && p.boundaries.iter().all(pol_ok)
                        && p.identity_raw.iter().all(pol_ok)
                        && p.boundaries_raw.iter().all(pol_ok)
                        && p.trust.iter().all(pol_ok);
                    if !ok {
                        return bad(format!("principal {} names a missing entry", p.arn));
                    }
                    if let Some(s) = p.scps {
                        // A specialized set stands in for the account's levels, level for
                        // level: it must exist and have exactly as many (a set with fewer
                        // would skip a level's ceiling).
                        let levels = org
                            .accounts
                            .get(p.account as usize)
                            .and_then(|a| a.scps.as_ref())
                            .map(Vec::len);
                        let set = org.scp_sets.get(s as usize);
                        if levels.is_none() || set.map(Vec::len) != levels {
                            return bad(format!(
                                "principal {} names SCP set {s}, which is missing or does not match its account's levels",
                                p.arn
                            ));
                        }
                        if let Some(n) = named_sets.get_mut(s as usize) {
                            *n = true;
                        }
                    }
                }
                // A name is confirmed from the principal's hot block when the block holds the
                // whole ARN and the ARN ends in that name (`HotPrincipal::name_is`), as every
                // compiled record's does; other records are looked up by text.
                let names = |kind: RecordKind| {
                    NameIndex::build(
                        org.principals
                            .iter()
                            .enumerate()
                            .filter(move |(_, p)| p.kind == kind)
                            .map(|(i, p)| {
                                let confirmable = p.arn.len() <= HOT_ARN
                                    && p.arn.rsplit('/').next() == Some(p.name.as_str());
                                (p.account, p.name.as_str(), i as u32, confirmable)
                            }),
                    )
                };
                derived.user_names = names(RecordKind::User);
                derived.role_names = names(RecordKind::Role);
                let of_kind = |kind: RecordKind| {
                    StrIndex::build(
                        org.principals
                            .iter()
                            .enumerate()
                            .filter(move |(_, p)| p.kind == kind)
                            .map(|(i, p)| (p.arn.as_str(), i as u32)),
                    )
                };
                derived.users = of_kind(RecordKind::User);
                derived.roles = of_kind(RecordKind::Role);
                if let Some(s) = named_sets.iter().position(|n| !n) {
                    // One encoding per table set: a set no principal uses is not written.
                    return bad(format!("specialized SCP set {s} is named by no principal"));
                }
                for r in &org.resources {
                    if !r.policy.iter().all(pol_ok) {
                        return bad(format!("resource {} names a missing policy", r.arn));
                    }
                }
                derived.resources = StrIndex::build(
                    org.resources
                        .iter()
                        .enumerate()
                        .map(|(i, r)| (r.arn.as_str(), i as u32)),
                );
                derived.resource_hot = (org.resources.iter())
                    .map(|r| HotResource::new(r, derived.accounts.get(&r.account)))
                    .collect();
                for (arn, id) in &org.managed {
                    if !pol_ok(id) {
                        return bad(format!("managed policy {arn} is missing"));
                    }
                    derived.managed.insert(arn.clone(), *id);
                }
                if !org.rcp_full_access.iter().all(pol_ok) {
                    return bad("RCPFullAWSAccess is missing".into());
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{
        ActionIndex, ActionRows, HOT_ARN, HOT_RESOURCE_ARN, HotPrincipal, HotResource,
        PrincipalRecord, RecordKind, ResourceRecord,
    };

    #[test]
    fn action_rows_give_each_known_action_its_name_service_and_class() {
        let index = ActionIndex {
            patterns: Vec::new(),
            services: Vec::new(),
            known: vec![
                ("s3:getobject".into(), 1),
                ("s3:putobject".into(), 0),
                ("sqs:sendmessage".into(), 2),
                ("ünïcode:x".into(), 1),
            ],
            classes: vec![vec![0, 4], vec![1, 2, 3], vec![]],
        };
        let service = |name: &str| match name.split_once(':') {
            Some(("s3", _)) => 7,
            Some(("sqs", _)) => 9,
            _ => u32::MAX,
        };
        let rows = ActionRows::build(&index, service).unwrap();
        for (p, (name, class)) in index.known.iter().enumerate() {
            let p = p as u32;
            assert_eq!(rows.name(p), Some(name.as_str()));
            let want = index.classes[*class as usize].as_slice();
            assert_eq!(rows.class(p), Some((service(name), want)), "{name}");
        }
        assert_eq!(rows.name(4), None);
        assert_eq!(rows.class(4), None);
        let missing = ActionIndex {
            known: vec![("s3:x".into(), 3)],
            ..index
        };
        assert!(ActionRows::build(&missing, service).is_none());
    }

    fn record(arn: &str) -> PrincipalRecord {
        PrincipalRecord {
            arn: arn.into(),
            identity: vec![1, 2],
            boundaries: Vec::new(),
            tags: Vec::new(),
            unique_id: "AIDAEXAMPLE".into(),
            error: None,
            account: 3,
            kind: RecordKind::User,
            scps: Some(4),
            name: "u".into(),
            identity_raw: Vec::new(),
            boundaries_raw: Vec::new(),
            trust: None,
        }
    }

    /// The inline part confirms ARNs that fit, the record's text those that do not, and any
    /// difference of length or of a single byte anywhere is refused.
    #[test]
    fn a_hot_block_confirms_exactly_its_arn() {
        for len in [1, 40, HOT_ARN - 1, HOT_ARN, HOT_ARN + 1, 300] {
            let arn: String = "arn:aws:iam::1:user/"
                .chars()
                .chain(std::iter::repeat('x'))
                .take(len)
                .collect();
            let r = record(&arn);
            let hot = HotPrincipal::new(&r, [Some(7), None, None, Some(9)]);
            let full = || Some(r.arn.as_str());
            assert!(hot.arn_is(&arn, full), "{len}");
            // The record is read only when the ARN does not fit.
            assert_eq!(hot.arn_is(&arn, || None), len <= HOT_ARN, "{len}");
            for at in 0..len {
                let mut other = arn.clone().into_bytes();
                other[at] = b'#';
                let other = String::from_utf8(other).unwrap();
                assert!(!hot.arn_is(&other, full), "{len} {at}");
            }
            assert!(!hot.arn_is(&format!("{arn}x"), full), "{len} longer");
            assert!(!hot.arn_is(&arn[..len - 1], full), "{len} shorter");
            assert_eq!(hot.arn_str(), (len <= HOT_ARN).then_some(arn.as_str()));
            assert_eq!(hot.plans(), [Some(7), None, None, Some(9)]);
            assert_eq!((hot.account(), hot.scps()), (3, Some(4)));
            assert!(!hot.has_error() && !hot.has_boundaries());
        }
        let mut r = record("arn:aws:iam::1:user/u");
        r.error = Some("no".into());
        r.boundaries = vec![5];
        r.scps = None;
        let hot = HotPrincipal::new(&r, [None; 4]);
        assert!(hot.has_error() && hot.has_boundaries());
        assert_eq!((hot.scps(), hot.plans()), (None, [None; 4]));
        assert_eq!(std::mem::size_of::<HotPrincipal>(), 128);
    }

    /// A resource's block confirms exactly its ARN (in place when it fits, against the
    /// record's text when it does not) and keeps its account index and policy.
    #[test]
    fn a_resource_block_confirms_exactly_its_arn() {
        for len in [
            1,
            40,
            HOT_RESOURCE_ARN - 1,
            HOT_RESOURCE_ARN,
            HOT_RESOURCE_ARN + 1,
            300,
        ] {
            let arn: String = "arn:aws:s3:::b/"
                .chars()
                .chain(std::iter::repeat('k'))
                .take(len)
                .collect();
            let r = ResourceRecord {
                arn: arn.clone(),
                account: "111122223333".into(),
                tags: Vec::new(),
                policy: Some(6),
            };
            let hot = HotResource::new(&r, Some(2));
            let full = || Some(r.arn.as_str());
            assert!(hot.arn_is(&arn, full), "{len}");
            assert_eq!(hot.arn_is(&arn, || None), len <= HOT_RESOURCE_ARN, "{len}");
            assert!(!hot.arn_is(&format!("{arn}k"), full), "{len} longer");
            assert!(!hot.arn_is(&arn[..len - 1], full), "{len} shorter");
            for at in 0..len {
                let mut other = arn.clone().into_bytes();
                other[at] = b'#';
                let other = String::from_utf8(other).unwrap();
                assert!(!hot.arn_is(&other, full), "{len} {at}");
            }
            assert_eq!((hot.account(), hot.policy()), (Some(2), Some(6)));
        }
        let r = ResourceRecord {
            arn: "arn:aws:s3:::b".into(),
            account: "999999999999".into(),
            tags: Vec::new(),
            policy: None,
        };
        let hot = HotResource::new(&r, None);
        assert_eq!((hot.account(), hot.policy()), (None, None));
        assert_eq!(std::mem::size_of::<HotResource>(), 128);
    }

    /// `name_is` answers what the ARN's last `/` segment compared with the name answers, and
    /// `iam_role` what `Caller::set_role_arn` finds, for ARNs and names that differ around
    /// the slash, the ends and the role path.
    #[test]
    fn a_hot_block_knows_its_name_and_role_as_parsing_would() {
        use crate::principal::Principal;
        let arns = [
            "arn:aws:iam::111122223333:role/R",
            "arn:aws:iam::111122223333:role/team/R",
            "arn:aws:iam::111122223333:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
            "arn:aws:iam::111122223333:role/aws-service-roles/R",
            "arn:aws:iam::111122223333:user/R",
            "arn:aws:iam::111122223333:user/path/u",
            "arn:aws:sts::111122223333:role/R",
            "arn:aws:iam::111122223333:rolex/R",
            "arn:aws:iam::111122223333:role",
            "R",
            "/R",
            "arn:aws:iam::1:role/",
        ];
        let names = [
            "R",
            "r",
            "team/R",
            "/R",
            "",
            "RR",
            "u",
            "path/u",
            "AWSServiceRoleForECS",
        ];
        for arn in arns {
            let hot = HotPrincipal::new(&record(arn), [None; 4]);
            for name in names {
                let want = arn.rsplit('/').next() == Some(name);
                assert_eq!(hot.name_is(name), Some(want), "{arn} {name}");
            }
            let p = Principal::anonymous();
            let mut caller = crate::eval::caller::Caller::of(&p);
            let parsed = caller.set_role_arn(arn).then_some(caller.service_linked);
            assert_eq!(hot.iam_role(), parsed, "{arn}");
        }
        let long = format!("arn:aws:iam::1:role/{}", "x".repeat(HOT_ARN));
        assert_eq!(
            HotPrincipal::new(&record(&long), [None; 4]).name_is("x"),
            None
        );
    }
}
