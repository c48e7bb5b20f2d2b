//! Policies and statements (spec §2.1).

use crate::model::loc::{Loc, Node};
use crate::model::operator::Operator;
use crate::model::pattern::{ActionPattern, Template};
use crate::model::value::ConditionValue;
pub use gavel_runtime::Effect;
pub use gavel_runtime::principal::PrincipalType;

/// The policy language version (spec §2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Version {
    /// `2008-10-17`, also what a missing `Version` means: `${…}` is literal text.
    V2008_10_17,
    /// `2012-10-17`: policy variables are recognized.
    V2012_10_17,
}

impl Version {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V2008_10_17 => "2008-10-17",
            Version::V2012_10_17 => "2012-10-17",
        }
    }
}

/// What a policy is attached as; decides which elements are allowed (spec §2.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyType {
    /// Identity-based (managed or inline) policy of a user, group or role.
    Identity,
    /// Resource-based policy (bucket, key, queue, ...).
    Resource,
    /// A role's trust policy.
    Trust,
    /// A permissions boundary.
    Boundary,
    /// A session policy.
    Session,
    /// A service control policy.
    Scp,
    /// A resource control policy.
    Rcp,
}

impl PolicyType {
    /// A name for messages.
    pub fn describe(self) -> &'static str {
        match self {
            PolicyType::Identity => "an identity-based policy",
            PolicyType::Resource => "a resource-based policy",
            PolicyType::Trust => "a role trust policy",
            PolicyType::Boundary => "a permissions boundary",
            PolicyType::Session => "a session policy",
            PolicyType::Scp => "a service control policy (SCP)",
            PolicyType::Rcp => "a resource control policy (RCP)",
        }
    }

    /// True for the types whose statements name a principal.
    pub fn has_principal(self) -> bool {
        matches!(
            self,
            PolicyType::Resource | PolicyType::Trust | PolicyType::Rcp
        )
    }
}

/// A whole policy document. Equality ignores `loc`, like [`Node`]'s.
#[derive(Clone, Debug)]
pub struct Policy {
    /// `Version`; `None` when absent (behaves as `2008-10-17`).
    pub version: Option<Node<Version>>,
    /// `Id`.
    pub id: Option<Node<String>>,
    /// The statements, in document order.
    pub statements: Vec<Node<Statement>>,
    /// Where the document starts.
    pub loc: Loc,
}

impl PartialEq for Policy {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && self.id == other.id && self.statements == other.statements
    }
}

impl Eq for Policy {}

impl std::hash::Hash for Policy {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // The fields equality compares; `loc` is left out, as there.
        self.version.hash(state);
        self.id.hash(state);
        self.statements.hash(state);
    }
}

impl Policy {
    /// The version that governs evaluation (missing = `2008-10-17`).
    pub fn effective_version(&self) -> Version {
        self.version
            .as_ref()
            .map_or(Version::V2008_10_17, |v| v.node)
    }
}

/// One statement.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Statement {
    /// `Sid`.
    pub sid: Option<Node<String>>,
    /// `Effect`.
    pub effect: Node<Effect>,
    /// `Principal` or `NotPrincipal`, if present.
    pub principal: Option<Node<Principals>>,
    /// `Action` or `NotAction`.
    pub action: Node<Actions>,
    /// `Resource` or `NotResource`; `None` only in trust policies.
    pub resource: Option<Node<Resources>>,
    /// The condition clauses (ANDed), in document order.
    pub condition: Vec<Node<ConditionClause>>,
}

/// `Principal` / `NotPrincipal` (spec §3.4, §3.5).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Principals {
    /// True for `NotPrincipal`.
    pub negated: bool,
    /// `"*"` as a bare string.
    pub wildcard: bool,
    /// The entries of the object form, in document order.
    pub entries: Vec<Node<PrincipalEntry>>,
}

/// One principal entry: `{"AWS": "arn:…"}` contributes one per value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PrincipalEntry {
    /// The key it was listed under.
    pub kind: PrincipalType,
    /// The value as written.
    pub value: String,
}

/// `Action` / `NotAction`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Actions {
    /// True for `NotAction`.
    pub negated: bool,
    /// The entries.
    pub items: Vec<Node<ActionPattern>>,
}

/// `Resource` / `NotResource`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Resources {
    /// True for `NotResource`.
    pub negated: bool,
    /// The entries: the part before the ARN's fifth colon is always literal (spec §5.2).
    pub items: Vec<Node<Template>>,
}

/// One `(operator, key, values)` triple of a `Condition` block (spec §4.1).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConditionClause {
    /// The operator.
    pub operator: Node<Operator>,
    /// The context key as written (looked up case-insensitively).
    pub key: Node<String>,
    /// The values (ORed, or NORed for negated operators).
    pub values: Vec<Node<ConditionValue>>,
}
