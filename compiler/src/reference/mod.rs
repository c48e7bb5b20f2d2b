//! The reference interpreter: the executable spec (`../shared/spec/iam-evaluation.md` §6).
//!
//! It evaluates a request against parsed policies directly, statement by statement, with no
//! indexes and no caches, so that it can be read side by side with the spec. The compiled
//! runtime must always give the same answer.

pub mod condition;
pub mod decide;
pub mod org;
pub mod principal_match;
pub mod wildcard;

pub use decide::{NotPrincipalMode, Options, decide};
pub use org::decide_org;

use crate::model::Policy;

/// A policy with the name decisions report it by.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedPolicy {
    /// Managed policy name, inline policy name, or a name given by whoever built the set.
    pub name: String,
    /// The parsed document.
    pub policy: Policy,
}

/// Every policy that may take part in one evaluation (spec §1.2), already gathered for the
/// request's principal and resource.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicySet {
    /// Identity-based policies: the user's own and its groups', or the session's role's, or
    /// the federating user's.
    pub identity: Vec<NamedPolicy>,
    /// The resource's resource-based policy (for role assumption: the trust policy).
    pub resource: Option<NamedPolicy>,
    /// The permissions boundary (its policies act as one).
    pub boundaries: Vec<NamedPolicy>,
    /// Session policies (inline and managed act as one).
    pub session: Vec<NamedPolicy>,
    /// SCP levels of the principal's account, root first; `None` when the account is not a
    /// member of an organization (or is its management account).
    pub scps: Option<Vec<Vec<NamedPolicy>>>,
    /// RCP levels of the resource's account, root first, `RCPFullAWSAccess` included; `None`
    /// when the account is not a member account.
    pub rcps: Option<Vec<Vec<NamedPolicy>>>,
}

/// The managed policy `RCPFullAWSAccess`, attached at every RCP level (spec §6.6).
pub fn rcp_full_aws_access() -> NamedPolicy {
    NamedPolicy {
        name: "RCPFullAWSAccess".into(),
        policy: allow_all(true),
    }
}

/// The managed policy `FullAWSAccess`, attached by default at every SCP level.
pub fn full_aws_access() -> NamedPolicy {
    NamedPolicy {
        name: "FullAWSAccess".into(),
        policy: allow_all(false),
    }
}

/// `Allow * on *`, with `Principal: *` for RCPs.
fn allow_all(with_principal: bool) -> Policy {
    use crate::model::{
        ActionPattern, Actions, Effect, Node, Principals, Resources, Statement, Template, Version,
    };
    let statement = Statement {
        sid: None,
        effect: Node::synthetic(Effect::Allow),
        principal: with_principal.then(|| {
            Node::synthetic(Principals {
                negated: false,
                wildcard: true,
                entries: Vec::new(),
            })
        }),
        action: Node::synthetic(Actions {
            negated: false,
            items: vec![Node::synthetic(ActionPattern::Any)],
        }),
        resource: Some(Node::synthetic(Resources {
            negated: false,
            items: vec![Node::synthetic(Template::literal("*"))],
        })),
        condition: Vec::new(),
    };
    Policy {
        version: Some(Node::synthetic(Version::V2012_10_17)),
        id: None,
        statements: vec![Node::synthetic(statement)],
        loc: crate::model::Loc::default(),
    }
}
