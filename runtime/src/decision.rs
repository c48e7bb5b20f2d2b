//! What an evaluator answers: the decision, the statements that decided it, and why.

use std::fmt;

/// The three outcomes of an AWS IAM evaluation (spec §6.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Decision {
    /// Every gate passed and a grant exists.
    Allow,
    /// A `Deny` statement matched, or evaluation failed (fail closed, spec §4.8).
    ExplicitDeny,
    /// Nothing denied, but nothing (or not enough) allowed.
    ImplicitDeny,
}

impl Decision {
    /// The name used in conformance files and CLI output.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "Allow",
            Decision::ExplicitDeny => "ExplicitDeny",
            Decision::ImplicitDeny => "ImplicitDeny",
        }
    }

    /// Parses the name used in conformance files.
    pub fn parse(s: &str) -> Option<Decision> {
        match s {
            "Allow" => Some(Decision::Allow),
            "ExplicitDeny" => Some(Decision::ExplicitDeny),
            "ImplicitDeny" => Some(Decision::ImplicitDeny),
            _ => None,
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A statement's `Effect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Effect {
    /// `"Effect": "Allow"`.
    Allow,
    /// `"Effect": "Deny"`.
    Deny,
}

impl Effect {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// Which policy set a statement came from (spec §6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyKind {
    /// A service control policy, at the given level of the chain (0 = organization root).
    Scp(u16),
    /// A resource control policy, at the given level of the chain (0 = organization root).
    Rcp(u16),
    /// The resource-based policy of the resource (or the role's trust policy).
    Resource,
    /// An identity-based policy of the principal (own, group, or the role's).
    Identity,
    /// The permissions boundary.
    Boundary,
    /// A session policy.
    Session,
}

impl PolicyKind {
    /// A short name for output: `scp[0]`, `identity`, ...
    pub fn label(self) -> String {
        match self {
            PolicyKind::Scp(l) => format!("scp[{l}]"),
            PolicyKind::Rcp(l) => format!("rcp[{l}]"),
            PolicyKind::Resource => "resource".into(),
            PolicyKind::Identity => "identity".into(),
            PolicyKind::Boundary => "boundary".into(),
            PolicyKind::Session => "session".into(),
        }
    }
}

/// One statement that took part in a decision.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatementRef {
    /// The policy set the statement belongs to.
    pub kind: PolicyKind,
    /// The policy's name (managed policy name, inline name, or a name given by the caller).
    pub policy: String,
    /// Zero-based index of the statement within its policy.
    pub index: usize,
    /// The statement's `Sid`, if it has one.
    pub sid: Option<String>,
    /// The statement's effect.
    pub effect: Effect,
}

/// Why an evaluation ended as it did: the step of spec §6 that settled it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DenyBasis {
    /// Allowed through the principal's identity policies (within boundary and session policies).
    IdentityGrant,
    /// Allowed because the principal is the account's root user (full access in its account).
    RootUser,
    /// Allowed by a resource-based policy naming the caller directly (or `*`).
    ResourceGrantDirect,
    /// Allowed by a resource-based policy naming the role or the federating user.
    ResourceGrantRoleOrParent,
    /// Allowed cross-account: both the principal's and the resource's side allowed.
    CrossAccountGrant,
    /// `sts:GetCallerIdentity` needs no permission (spec §6.2).
    GetCallerIdentityOverride,
    /// One or more `Deny` statements matched.
    ExplicitDenyStatement,
    /// Evaluation could not be completed; denied, fail closed (spec §4.8).
    Error(String),
    /// No statement allowed the request.
    NoGrant,
    /// An SCP level of the principal's account allowed nothing for this request.
    ScpGate(u16),
    /// An RCP level of the resource's account allowed nothing for this request.
    RcpGate(u16),
    /// The service requires its resource policy (trust policy, key policy) to allow, and it did not.
    ResourcePolicyRequired,
    /// The identity side allowed, but the permissions boundary did not.
    BoundaryLimit,
    /// The identity side allowed, but the session policies did not.
    SessionPolicyLimit,
    /// Cross-account: the resource's account granted nothing to this principal.
    CrossAccountNoResourceGrant,
    /// Cross-account: the principal's own account granted nothing.
    CrossAccountNoIdentityGrant,
    /// Federated-user sessions cannot call IAM or STS (except `GetCallerIdentity`).
    FederatedUserRestriction,
    /// The session's credentials have expired (the message says which and when).
    SessionExpired(String),
}

impl DenyBasis {
    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            DenyBasis::IdentityGrant => "allowed by the principal's identity-based policies".into(),
            DenyBasis::RootUser => "the account's root user has full access in its own account".into(),
            DenyBasis::ResourceGrantDirect => {
                "the resource-based policy grants this principal directly".into()
            }
            DenyBasis::ResourceGrantRoleOrParent => {
                "the resource-based policy grants the role (or the federating user), within the boundary and session policies".into()
            }
            DenyBasis::CrossAccountGrant => {
                "cross-account: the principal's account and the resource's account both allow".into()
            }
            DenyBasis::GetCallerIdentityOverride => {
                "sts:GetCallerIdentity needs no permission".into()
            }
            DenyBasis::ExplicitDenyStatement => "an explicit Deny statement matched".into(),
            DenyBasis::Error(e) => format!("evaluation failed, denied (fail closed): {e}"),
            DenyBasis::NoGrant => "no statement allows this request (implicit deny)".into(),
            DenyBasis::ScpGate(l) => {
                format!("no service control policy at level {l} of the principal's account allows this action")
            }
            DenyBasis::RcpGate(l) => {
                format!("no resource control policy at level {l} of the resource's account allows this action")
            }
            DenyBasis::ResourcePolicyRequired => {
                "this resource's own policy (trust or key policy) must allow the principal, and it does not".into()
            }
            DenyBasis::BoundaryLimit => {
                "the permissions boundary does not allow this action (identity policies alone are not enough)".into()
            }
            DenyBasis::SessionPolicyLimit => {
                "the session policies do not allow this action".into()
            }
            DenyBasis::CrossAccountNoResourceGrant => {
                "cross-account: the resource's policy does not grant this principal".into()
            }
            DenyBasis::CrossAccountNoIdentityGrant => {
                "cross-account: the principal's own policies do not allow this request".into()
            }
            DenyBasis::FederatedUserRestriction => {
                "federated-user sessions cannot call IAM or STS operations".into()
            }
            DenyBasis::SessionExpired(m) => format!("the credentials have expired: {m}"),
        }
    }
}

/// A decision with the statements that decided it.
///
/// For `ExplicitDeny`: every matching `Deny` statement. For `Allow`: the matching `Allow`
/// statements of the identity, resource, boundary and session sets. For `ImplicitDeny`:
/// none; `basis` says which step failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// The decision.
    pub decision: Decision,
    /// The step of the algorithm that settled it.
    pub basis: DenyBasis,
    /// The deciding statements, in a canonical order (policy kind, policy, statement index).
    pub statements: Vec<StatementRef>,
}

impl Explanation {
    /// An explanation with no statements.
    pub fn bare(decision: Decision, basis: DenyBasis) -> Explanation {
        Explanation {
            decision,
            basis,
            statements: Vec::new(),
        }
    }

    /// A fail-closed answer for an internal error.
    pub fn error(message: impl Into<String>) -> Explanation {
        Explanation::bare(Decision::ExplicitDeny, DenyBasis::Error(message.into()))
    }
}
