//! The decision algorithm (spec §6), step by step.

use super::condition::{eval_condition, variable_value};
pub use super::principal_match::NotPrincipalMode;
use super::principal_match::{Caller, MatchKind, match_principal, not_principal_applies};
use super::wildcard::{action_matches, resource_matches};
use super::{NamedPolicy, PolicySet};
use crate::model::{Effect, Statement};
use gavel_runtime::services;
use gavel_runtime::{
    Decision, DenyBasis, Explanation, PolicyKind, PrincipalKind, Request, StatementRef,
};

/// Choices the spec leaves to configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// How `NotPrincipal` lists cover a caller.
    pub not_principal: NotPrincipalMode,
    /// Deny IAM and STS calls from federated-user sessions (spec §6.2 item 3).
    pub federated_user_restrictions: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            not_principal: NotPrincipalMode::Strict,
            federated_user_restrictions: true,
        }
    }
}

/// One matching statement, with the principal match kind (resource-based policies and RCPs).
struct Hit {
    at: StatementRef,
    kind: MatchKind,
}

/// Does `statement` match the request (spec §3, §4)? Returns the principal match kind;
/// statements without `Principal` match as `Direct` (their principal is implicit).
fn statement_matches(
    statement: &Statement,
    req: &Request,
    caller: &Caller<'_>,
    opts: &Options,
) -> Option<MatchKind> {
    let kind = match &statement.principal {
        None => MatchKind::Direct,
        Some(p) if p.negated => {
            if !not_principal_applies(p, caller, opts.not_principal) {
                return None;
            }
            MatchKind::Direct
        }
        Some(p) => match_principal(p, caller.principal)?,
    };
    let action_hit = statement
        .action
        .items
        .iter()
        .any(|a| action_matches(a, &req.action));
    if action_hit == statement.action.negated {
        return None;
    }
    if let Some(resources) = &statement.resource {
        let lookup = |key: &str| variable_value(&req.context, key);
        // An entry whose variable has no value matches nothing (spec §3.2 R4, §5.3).
        let resource_hit = resources.items.iter().any(|t| {
            t.resolve(true, &lookup)
                .is_some_and(|toks| resource_matches(&toks, &req.resource))
        });
        if resource_hit == resources.negated {
            return None;
        }
    }
    if !eval_condition(&statement.condition, &req.context) {
        return None;
    }
    Some(kind)
}

/// The matching statements of a set of policies, split by effect (spec §6.4).
#[derive(Default)]
struct Matches {
    allows: Vec<Hit>,
    denies: Vec<Hit>,
}

fn match_set(
    policies: &[NamedPolicy],
    kind: PolicyKind,
    req: &Request,
    caller: &Caller<'_>,
    opts: &Options,
) -> Matches {
    let mut m = Matches::default();
    for named in policies {
        for (index, statement) in named.policy.statements.iter().enumerate() {
            let Some(match_kind) = statement_matches(statement, req, caller, opts) else {
                continue;
            };
            let effect = statement.effect.node;
            let hit = Hit {
                at: StatementRef {
                    kind,
                    policy: named.name.clone(),
                    index,
                    sid: statement.sid.as_ref().map(|s| s.node.clone()),
                    effect,
                },
                kind: match_kind,
            };
            match effect {
                Effect::Allow => m.allows.push(hit),
                Effect::Deny => m.denies.push(hit),
            }
        }
    }
    m
}

fn level(l: usize) -> u16 {
    u16::try_from(l).unwrap_or(u16::MAX)
}

/// Decides `req` against the policies in `set` (spec §6.10).
pub fn decide(set: &PolicySet, req: &Request, opts: &Options) -> Explanation {
    let p = &req.principal;
    let action = req.action.to_lowercase();
    let service = services::service_of(&action);

    // §6.2 overrides.
    if action == "sts:getcalleridentity" && p.kind.is_account_principal() {
        return Explanation::bare(Decision::Allow, DenyBasis::GetCallerIdentityOverride);
    }
    if opts.federated_user_restrictions
        && p.kind == PrincipalKind::FederatedUser
        && (service == "iam" || service == "sts")
    {
        return Explanation::bare(Decision::ImplicitDeny, DenyBasis::FederatedUserRestriction);
    }

    // §6.3 applicable sets.
    let account_principal = p.kind.is_account_principal();
    let has_boundary =
        account_principal && p.kind != PrincipalKind::Root && !set.boundaries.is_empty();
    let is_session = matches!(
        p.kind,
        PrincipalKind::RoleSession | PrincipalKind::FederatedUser
    );
    let resource_account = req.effective_resource_account();
    let same_account = account_principal && p.account.as_deref() == resource_account;
    let scp_levels = set.scps.as_ref().filter(|_| {
        account_principal
            && !p.service_linked
            && !(p.kind == PrincipalKind::Root
                && services::SCP_EXEMPT_ROOT_ACTIONS.contains(&action.as_str()))
    });
    let rcp_levels = set.rcps.as_ref().filter(|_| {
        services::rcp_supported(&action)
            && !(p.kind == PrincipalKind::RoleSession && p.service_linked)
            && req.resource != "*"
            && action != "kms:retiregrant"
    });
    let caller = Caller {
        principal: p,
        has_boundary,
    };

    // §6.4 statement matching per set.
    let scp: Vec<Matches> = scp_levels
        .map(|levels| {
            levels
                .iter()
                .enumerate()
                .map(|(l, pols)| match_set(pols, PolicyKind::Scp(level(l)), req, &caller, opts))
                .collect()
        })
        .unwrap_or_default();
    let rcp: Vec<Matches> = rcp_levels
        .map(|levels| {
            levels
                .iter()
                .enumerate()
                .map(|(l, pols)| match_set(pols, PolicyKind::Rcp(level(l)), req, &caller, opts))
                .collect()
        })
        .unwrap_or_default();
    let mut rbp = set
        .resource
        .as_ref()
        .map(|r| {
            match_set(
                std::slice::from_ref(r),
                PolicyKind::Resource,
                req,
                &caller,
                opts,
            )
        })
        .unwrap_or_default();
    // §6.2 item 2: the bucket owner's root user keeps control of the bucket policy.
    if p.kind == PrincipalKind::Root
        && same_account
        && services::BUCKET_POLICY_ACTIONS.contains(&action.as_str())
    {
        rbp.denies.clear();
    }
    let id = if account_principal {
        match_set(&set.identity, PolicyKind::Identity, req, &caller, opts)
    } else {
        Matches::default()
    };
    let pb = if has_boundary {
        match_set(&set.boundaries, PolicyKind::Boundary, req, &caller, opts)
    } else {
        Matches::default()
    };
    let sp = if is_session {
        match_set(&set.session, PolicyKind::Session, req, &caller, opts)
    } else {
        Matches::default()
    };

    // §6.5 explicit deny, anywhere.
    let denies: Vec<StatementRef> = scp
        .iter()
        .chain(&rcp)
        .chain([&rbp, &id, &pb, &sp])
        .flat_map(|m| m.denies.iter().map(|h| h.at.clone()))
        .collect();
    if !denies.is_empty() {
        return Explanation {
            decision: Decision::ExplicitDeny,
            basis: DenyBasis::ExplicitDenyStatement,
            statements: denies,
        };
    }

    // §6.6 RCP gate and §6.7 SCP gate: every level must allow.
    if let Some(l) = rcp.iter().position(|m| m.allows.is_empty()) {
        return Explanation::bare(Decision::ImplicitDeny, DenyBasis::RcpGate(level(l)));
    }
    if let Some(l) = scp.iter().position(|m| m.allows.is_empty()) {
        return Explanation::bare(Decision::ImplicitDeny, DenyBasis::ScpGate(level(l)));
    }

    // §6.8 grants.
    let best = rbp.allows.iter().map(|h| h.kind).max();
    let direct = best == Some(MatchKind::Direct);
    let role_or_parent = best >= Some(MatchKind::RoleOrParent);
    let any_rbp = best.is_some();
    let parent_is_root = p.kind == PrincipalKind::FederatedUser
        && p.parent_arn
            .as_deref()
            .is_some_and(|a| a.ends_with(":root"));
    let id_ok = p.kind == PrincipalKind::Root || parent_is_root || !id.allows.is_empty();
    let pb_ok = !has_boundary || !pb.allows.is_empty();
    let sp_ok = match p.kind {
        PrincipalKind::RoleSession => set.session.is_empty() || !sp.allows.is_empty(),
        PrincipalKind::FederatedUser => !set.session.is_empty() && !sp.allows.is_empty(),
        _ => true,
    };
    let limits_ok = pb_ok && sp_ok;
    let allow = |basis: DenyBasis| Explanation {
        decision: Decision::Allow,
        basis,
        statements: [&rbp, &id, &pb, &sp]
            .iter()
            .flat_map(|m| m.allows.iter().map(|h| h.at.clone()))
            .collect(),
    };
    let implicit = |basis: DenyBasis| Explanation::bare(Decision::ImplicitDeny, basis);
    let limit_basis = || {
        if !pb_ok {
            DenyBasis::BoundaryLimit
        } else {
            DenyBasis::SessionPolicyLimit
        }
    };

    if !account_principal {
        // Anonymous, service, web-identity and SAML callers: only a direct grant (§6.8).
        return if direct {
            allow(DenyBasis::ResourceGrantDirect)
        } else {
            implicit(DenyBasis::NoGrant)
        };
    }
    if same_account {
        if services::needs_resource_policy(&action, &req.resource) && !any_rbp {
            return implicit(DenyBasis::ResourcePolicyRequired);
        }
        // A grant naming the caller itself is not limited by boundaries or session policies,
        // except for role assumption; one naming its role or parent user is.
        if direct && !services::is_role_assumption(&action) {
            return allow(DenyBasis::ResourceGrantDirect);
        }
        if role_or_parent && limits_ok {
            return allow(if direct {
                DenyBasis::ResourceGrantDirect
            } else {
                DenyBasis::ResourceGrantRoleOrParent
            });
        }
        if id_ok && limits_ok {
            return allow(if p.kind == PrincipalKind::Root && id.allows.is_empty() {
                DenyBasis::RootUser
            } else {
                DenyBasis::IdentityGrant
            });
        }
        if id_ok || role_or_parent {
            return implicit(limit_basis());
        }
        return implicit(DenyBasis::NoGrant);
    }
    // Cross-account: both sides must allow (§6.8, XACCT).
    let principal_side = id_ok && limits_ok;
    match (principal_side, any_rbp) {
        (true, true) => allow(DenyBasis::CrossAccountGrant),
        (_, false) => implicit(DenyBasis::CrossAccountNoResourceGrant),
        (false, true) if id_ok => implicit(limit_basis()),
        (false, true) => implicit(DenyBasis::CrossAccountNoIdentityGrant),
    }
}
