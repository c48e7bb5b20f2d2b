//! The decision algorithm of spec §6.10 over compiled policies: the same steps, in the same
//! order, as the reference interpreter's `decide.rs`, with statements pre-filtered by action.

use super::caller::{Caller, MatchKind, match_principal, not_principal_applies};
use super::condition::{Buffers, holds, resolve_glob};
use super::context::Lookup;
use super::plan::{Chain, Entry, PlanId};
use crate::decision::{Decision, DenyBasis, Effect, Explanation, PolicyKind, StatementRef};
use crate::glob::{glob_match, is_arn, resource_matches, resource_star_matches};
use crate::principal::{PrincipalKind, split_colon};
use crate::services;
use crate::tables::{
    ActionPattern, ActionPatterns, Policy, PolicyId, PolicyIndex, ResourcePattern, Resources,
    Statement, Tables,
};

/// What the action of a request is, once classified.
#[derive(Clone, Copy, Debug)]
pub enum ActionClass<'t> {
    /// A known action: its service and the ids of the patterns that match it.
    Known {
        /// Service id.
        service: u32,
        /// Sorted pattern ids.
        class: &'t [u32],
    },
    /// An action the tables do not know: patterns are run on it.
    Unknown {
        /// The service id, when some pattern names the service.
        service: Option<u32>,
    },
}

/// The policy sets of one request.
pub struct Sets<'a> {
    /// Identity policies (a `Vec`, so that a principal record's list is read only when the
    /// per-policy path needs it: most requests take its plan).
    pub identity: &'a Vec<PolicyId>,
    /// The resource-based policy.
    pub resource: Option<PolicyId>,
    /// Boundary policies (likewise).
    pub boundaries: &'a Vec<PolicyId>,
    /// Whether `boundaries` is not empty (known without reading it).
    pub has_boundaries: bool,
    /// Inline session policy.
    pub session_inline: Option<&'a Policy>,
    /// Session policies by id.
    pub session_ids: &'a [PolicyId],
    /// Managed session policies by ARN (looked up in the tables; checked to exist).
    pub session_arns: &'a [String],
    /// SCP levels.
    pub scps: Option<&'a [Vec<PolicyId>]>,
    /// RCP levels.
    pub rcps: Option<&'a [Vec<PolicyId>]>,
    /// The statement plans of these sets, where the tables have them.
    pub plans: SetPlans<'a>,
}

/// The plans of a request's policy sets ([`super::plan`]); `None` takes the per-policy path.
#[derive(Clone, Copy, Debug, Default)]
pub struct SetPlans<'a> {
    /// Identity policies.
    pub identity: Option<PlanId>,
    /// Boundary policies.
    pub boundaries: Option<PlanId>,
    /// Session policies by id.
    pub session: Option<PlanId>,
    /// SCP levels (a missing level takes the per-policy path).
    pub scps: &'a [Option<PlanId>],
    /// RCP levels.
    pub rcps: &'a [Option<PlanId>],
    /// How the SCP levels are decided ([`Chain`]).
    pub scp_chain: Chain,
    /// How the RCP levels are decided.
    pub rcp_chain: Chain,
}

impl Sets<'_> {
    fn session_is_empty(&self) -> bool {
        self.session_inline.is_none() && self.session_ids.is_empty() && self.session_arns.is_empty()
    }
}

/// Everything a decision reads.
pub struct Input<'a> {
    /// The tables.
    pub tables: &'a Tables,
    /// The caller.
    pub caller: &'a Caller<'a>,
    /// The action, lower-cased.
    pub action: &'a str,
    /// Its classification.
    pub class: ActionClass<'a>,
    /// The resource.
    pub resource: &'a str,
    /// The resource's account.
    pub resource_account: Option<&'a str>,
    /// The policy sets.
    pub sets: Sets<'a>,
    /// The context.
    pub ctx: &'a dyn Lookup,
}

/// Deciding statements, collected only when an explanation is wanted.
#[derive(Debug, Default)]
pub struct Collect {
    denies: Vec<StatementRef>,
    allows: Vec<StatementRef>,
}

#[derive(Clone, Copy, Default)]
struct Matches {
    allows: u32,
    denies: u32,
    best: Option<MatchKind>,
}

/// Is any element of sorted `a` in sorted `b`?
fn intersects(a: &[u32], b: &[u32]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() <= 8 {
        return short.iter().any(|x| long.contains(x));
    }
    short.iter().any(|x| long.binary_search(x).is_ok())
}

/// Whether one compiled action pattern matches a lower-cased action (spec §3.1). The compiler
/// classifies known actions with this same function, so both paths agree by construction.
pub fn pattern_matches(p: &ActionPattern, action: &str) -> bool {
    split_matches(p, split_colon(action))
}

/// [`pattern_matches`] on an action already split at its first colon.
fn split_matches(p: &ActionPattern, split: Option<(&str, &str)>) -> bool {
    match p {
        ActionPattern::Any => true,
        ActionPattern::Never => false,
        ActionPattern::Named { service, name } => {
            split.is_some_and(|(s, n)| s == service && glob_match(name, n))
        }
    }
}

struct Ctx<'i, 'a> {
    input: &'i Input<'a>,
    split: Option<(&'a str, &'a str)>,
    has_boundary: bool,
    buf: &'i mut Buffers,
}

impl Ctx<'_, '_> {
    fn action_ok(&self, st: &Statement) -> bool {
        let input = self.input;
        let hit = match &st.actions.patterns {
            ActionPatterns::Indexed(ids) => match input.class {
                ActionClass::Known { class, service } => {
                    match input.tables.derived.service_patterns.get(service as usize) {
                        // Only the `Any` patterns (first) and the service's own range can be in
                        // the class: intersect just those parts of the statement's list.
                        Some(&(lo, hi)) => {
                            let any_end =
                                ids.partition_point(|i| *i < input.tables.derived.any_patterns);
                            let from = ids.partition_point(|i| *i < lo);
                            let to = ids.partition_point(|i| *i < hi);
                            intersects(ids.get(..any_end).unwrap_or(&[]), class)
                                || intersects(ids.get(from..to).unwrap_or(&[]), class)
                        }
                        None => intersects(ids, class),
                    }
                }
                ActionClass::Unknown { .. } => {
                    let patterns = &input.tables.actions.patterns;
                    ids.iter().any(|id| {
                        patterns
                            .get(*id as usize)
                            .is_some_and(|p| split_matches(p, self.split))
                    })
                }
            },
            ActionPatterns::Direct(ps) => ps.iter().any(|p| split_matches(p, self.split)),
        };
        hit != st.actions.negated
    }

    fn resource_ok(&mut self, res: &Resources) -> bool {
        let resource = self.input.resource;
        let ctx = self.input.ctx;
        let buf = &mut *self.buf;
        let hit = res.items.iter().any(|it| match it {
            ResourcePattern::Any => true,
            ResourcePattern::Exact(s) => resource == s,
            ResourcePattern::Prefix(s) => {
                resource != "*" && resource.starts_with(s.as_str()) && is_arn(resource)
            }
            ResourcePattern::Stars(p) => resource_star_matches(p, resource),
            ResourcePattern::Glob(toks) => resource_matches(toks, resource),
            ResourcePattern::Template(t) => {
                let mut toks = std::mem::take(&mut buf.toks);
                let ok = resolve_glob(t, ctx, &mut toks) && resource_matches(&toks, resource);
                buf.toks = toks;
                ok
            }
        });
        hit != res.negated
    }

    fn statement_matches(&mut self, st: &Statement, action_checked: bool) -> Option<MatchKind> {
        if !action_checked && !self.action_ok(st) {
            return None;
        }
        let kind = match &st.principal {
            None => MatchKind::Direct,
            Some(p) if p.negated => {
                if !not_principal_applies(p, self.input.caller, self.has_boundary) {
                    return None;
                }
                MatchKind::Direct
            }
            Some(p) => match_principal(p, self.input.caller)?,
        };
        if let Some(res) = &st.resources
            && !self.resource_ok(res)
        {
            return None;
        }
        if !holds(&st.conditions, self.input.ctx, self.buf) {
            return None;
        }
        Some(kind)
    }

    fn policy_applies(&self, policy: &Policy) -> bool {
        if policy.any_service {
            return true;
        }
        let service = match self.input.class {
            ActionClass::Known { service, .. } => Some(service),
            ActionClass::Unknown { service } => service,
        };
        service.is_some_and(|s| policy.services.binary_search(&s).is_ok())
    }

    fn match_policy(
        &mut self,
        policy: &Policy,
        index: Option<PolicyIndex<'_>>,
        kind: PolicyKind,
        m: &mut Matches,
        collect: &mut Option<&mut Collect>,
    ) {
        let Some(ix) = index else {
            // A policy outside the tables (an inline session policy): every statement.
            if self.policy_applies(policy) {
                for st in &policy.statements {
                    self.record(policy, st, false, kind, m, collect);
                }
            }
            return;
        };
        let service = match self.input.class {
            ActionClass::Known { service, .. } => Some(service),
            ActionClass::Unknown { service } => service,
        };
        let named: &[u32] = service.map_or(&[], |s| ix.named(s));
        // Both lists ascend: merge them so statements are visited in source order.
        let (mut a, mut b) = (named.iter().peekable(), ix.any.iter().peekable());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => {
                    if x <= y {
                        a.next()
                    } else {
                        b.next()
                    }
                }
                (Some(_), None) => a.next(),
                (None, Some(_)) => b.next(),
                (None, None) => break,
            };
            if let Some(st) = next.and_then(|i| policy.statements.get(*i as usize)) {
                self.record(policy, st, false, kind, m, collect);
            }
        }
    }

    fn record(
        &mut self,
        policy: &Policy,
        st: &Statement,
        action_checked: bool,
        kind: PolicyKind,
        m: &mut Matches,
        collect: &mut Option<&mut Collect>,
    ) {
        let Some(match_kind) = self.statement_matches(st, action_checked) else {
            return;
        };
        match st.effect {
            Effect::Allow => {
                m.allows += 1;
                m.best = m.best.max(Some(match_kind));
            }
            Effect::Deny => m.denies += 1,
        }
        if let Some(c) = collect {
            let r = StatementRef {
                kind,
                policy: policy.name.clone(),
                index: st.index as usize,
                sid: st.sid.as_deref().map(str::to_string),
                effect: st.effect,
            };
            match st.effect {
                Effect::Deny => c.denies.push(r),
                Effect::Allow if !matches!(kind, PolicyKind::Scp(_) | PolicyKind::Rcp(_)) => {
                    c.allows.push(r);
                }
                Effect::Allow => {}
            }
        }
    }

    /// Counts one statement a plan or a policy's segments list for a known action of class
    /// `class`: skipped when its action cannot match, counted unread when it is trivial or a
    /// guardrail whose clauses hold (no `Principal` or a bare `"*"`: what reading it would
    /// give, a direct match), read otherwise.
    fn count_entry(&mut self, e: &Entry<'_>, class: &[u32], kind: PolicyKind, m: &mut Matches) {
        if intersects(e.ids, class) == e.negated {
            return;
        }
        let decided = match e.cond {
            Some(clauses) => {
                if !holds(clauses, self.input.ctx, self.buf) {
                    return;
                }
                true
            }
            None => e.trivial,
        };
        if decided {
            if e.deny {
                m.denies += 1;
            } else {
                m.allows += 1;
                m.best = m.best.max(Some(MatchKind::Direct));
            }
            return;
        }
        let t = self.input.tables;
        if let Some(policy) = t.policies.get(e.policy as usize)
            && let Some(st) = policy.statements.get(e.position as usize)
        {
            self.record(policy, st, true, kind, m, &mut None);
        }
    }

    /// Matches the policy with this id.
    fn match_id(
        &mut self,
        id: PolicyId,
        kind: PolicyKind,
        m: &mut Matches,
        collect: &mut Option<&mut Collect>,
    ) {
        let t = self.input.tables;
        if let (ActionClass::Known { service, class }, None) = (self.input.class, collect.as_ref())
        {
            // The policy's own segments: a statement whose action cannot match is skipped
            // without being read, and guardrails are decided from their clause lists. Every
            // allow counts here (a resource policy's strongest match matters).
            let walked = (t.derived.plans)
                .visit_policy(id, service, |e| self.count_entry(&e, class, kind, m));
            if walked {
                return;
            }
        }
        if let Some(p) = t.policies.get(id as usize) {
            self.match_policy(p, t.derived.policy_index.get(id), kind, m, collect);
        }
    }

    /// SCP or RCP `levels` (root first, `plans` theirs, `kind` naming a level): whether a
    /// statement of them denies, and the first level without an allow. Without an explanation
    /// to collect, the first deny ends the walk, and a known action takes the chain's
    /// shortcut ([`Chain`]): the levels' allows are then known to be there.
    fn levels(
        &mut self,
        levels: &[Vec<PolicyId>],
        plans: &[Option<PlanId>],
        chain: Chain,
        kind: fn(u16) -> PolicyKind,
        collect: &mut Option<&mut Collect>,
    ) -> (bool, Option<usize>) {
        if let (ActionClass::Known { service, class }, None) = (self.input.class, collect.as_ref())
        {
            match chain {
                Chain::Open => return (false, None),
                Chain::Denies(plan) => {
                    let mut m = Matches::default();
                    (self.input.tables.derived.plans).visit(plan, service, |e| {
                        // Only a deny can change what the chain decides, and one is enough.
                        if e.deny && m.denies == 0 {
                            self.count_entry(&e, class, kind(0), &mut m);
                        }
                    });
                    return (m.denies > 0, None);
                }
                Chain::Levels => {}
            }
        }
        let (mut deny, mut gate) = (false, None);
        for (l, ids) in levels.iter().enumerate() {
            let plan = plans.get(l).copied().flatten();
            let m = self.match_ids(ids, plan, kind(level(l)), collect);
            deny |= m.denies > 0;
            if deny && collect.is_none() {
                return (true, gate);
            }
            if m.allows == 0 && gate.is_none() {
                gate = Some(l);
            }
        }
        (deny, gate)
    }

    /// `ids` is read only on the per-policy path (a principal record's list would otherwise
    /// be a cache miss on every request).
    fn match_ids(
        &mut self,
        ids: impl AsRef<[PolicyId]>,
        plan: Option<PlanId>,
        kind: PolicyKind,
        collect: &mut Option<&mut Collect>,
    ) -> Matches {
        let mut m = Matches::default();
        if let (Some(plan), ActionClass::Known { service, class }, None) =
            (plan, self.input.class, collect.as_ref())
        {
            // The plan visits the same statements as the loop below, grouped by policy segment
            // rather than in source order: the counts are the same, and only an explanation
            // (which takes the loop) lists statements in order.
            let t = self.input.tables;
            if t.derived.plans.allows_everything(plan) {
                // What the walk below would count: its first allow, no deny (`best` matters
                // only for the resource policy, which never comes here).
                return Matches {
                    allows: 1,
                    denies: 0,
                    best: Some(MatchKind::Direct),
                };
            }
            t.derived.plans.visit(plan, service, |e| {
                // A set's allows only count as "some" (identity, boundary, session, SCP and
                // RCP levels; the resource policy, whose strongest match matters, never comes
                // here): once one matched, further allows cannot change the decision.
                if !e.deny && m.allows > 0 {
                    return;
                }
                self.count_entry(&e, class, kind, &mut m);
            });
            return m;
        }
        for id in ids.as_ref() {
            self.match_id(*id, kind, &mut m, collect);
        }
        m
    }
}

fn level(l: usize) -> u16 {
    u16::try_from(l).unwrap_or(u16::MAX)
}

/// Decides one request (spec §6.10). With `collect`, the deciding statements are gathered for
/// the explanation; without, nothing is allocated.
pub fn decide(input: &Input<'_>, buf: &mut Buffers, mut collect: Option<&mut Collect>) -> Answer {
    let p = input.caller;
    let action = input.action;
    // One scan for the colon serves the service name here and the action patterns below.
    let split = split_colon(action);
    let service = split.map_or(action, |(s, _)| s);

    if action == "sts:getcalleridentity" && p.kind.is_account_principal() {
        return Answer::bare(Decision::Allow, Basis::GetCallerIdentityOverride);
    }
    if p.kind == PrincipalKind::FederatedUser && (service == "iam" || service == "sts") {
        return Answer::bare(Decision::ImplicitDeny, Basis::FederatedUserRestriction);
    }

    let sets = &input.sets;
    let account_principal = p.kind.is_account_principal();
    let has_boundary = account_principal && p.kind != PrincipalKind::Root && sets.has_boundaries;
    let is_session = matches!(
        p.kind,
        PrincipalKind::RoleSession | PrincipalKind::FederatedUser
    );
    let same_account = account_principal && p.account == input.resource_account;
    let scp_levels = sets.scps.filter(|_| {
        account_principal
            && !p.service_linked
            && !(p.kind == PrincipalKind::Root
                && services::SCP_EXEMPT_ROOT_ACTIONS.contains(&action))
    });
    let rcp_levels = sets.rcps.filter(|_| {
        // A known action's service was looked up when the tables were loaded.
        let known = match input.class {
            ActionClass::Known { service, .. } => input
                .tables
                .derived
                .rcp_services
                .get(service as usize)
                .copied(),
            ActionClass::Unknown { .. } => None,
        };
        known.unwrap_or_else(|| services::rcp_supported(action))
            && !(p.kind == PrincipalKind::RoleSession && p.service_linked)
            && input.resource != "*"
            && action != "kms:retiregrant"
    });
    let mut cx = Ctx {
        input,
        split,
        has_boundary,
        buf,
    };

    // Without an explanation to collect, the first explicit deny settles the request: nothing
    // later can undo it (the bucket-owner exception clears only resource-policy denies, which
    // are checked after it is applied).
    let settled = |any_deny: bool, collect: &Option<&mut Collect>| any_deny && collect.is_none();
    let explicit = || Answer::bare(Decision::ExplicitDeny, Basis::ExplicitDenyStatement);
    let (mut any_deny, scp_gate) = match scp_levels {
        Some(levels) => {
            let (plans, chain) = (sets.plans.scps, sets.plans.scp_chain);
            cx.levels(levels, plans, chain, PolicyKind::Scp, &mut collect)
        }
        None => (false, None),
    };
    if settled(any_deny, &collect) {
        return explicit();
    }
    let (rcp_deny, rcp_gate) = match rcp_levels {
        Some(levels) => {
            let (plans, chain) = (sets.plans.rcps, sets.plans.rcp_chain);
            cx.levels(levels, plans, chain, PolicyKind::Rcp, &mut collect)
        }
        None => (false, None),
    };
    any_deny |= rcp_deny;
    if settled(any_deny, &collect) {
        return explicit();
    }
    let before_rbp = collect.as_ref().map(|c| (c.denies.len(), c.allows.len()));
    let mut rbp = Matches::default();
    if let Some(id) = sets.resource {
        cx.match_id(id, PolicyKind::Resource, &mut rbp, &mut collect);
    }
    if p.kind == PrincipalKind::Root
        && same_account
        && services::BUCKET_POLICY_ACTIONS.contains(&action)
    {
        // §6.2 item 2: the bucket owner's root user keeps control of the bucket policy.
        rbp.denies = 0;
        if let (Some(c), Some((d, _))) = (collect.as_deref_mut(), before_rbp) {
            c.denies.truncate(d);
        }
    }
    any_deny |= rbp.denies > 0;
    if settled(any_deny, &collect) {
        return explicit();
    }
    let id = if account_principal {
        cx.match_ids(
            sets.identity,
            sets.plans.identity,
            PolicyKind::Identity,
            &mut collect,
        )
    } else {
        Matches::default()
    };
    let pb = if has_boundary {
        cx.match_ids(
            sets.boundaries,
            sets.plans.boundaries,
            PolicyKind::Boundary,
            &mut collect,
        )
    } else {
        Matches::default()
    };
    let mut sp = Matches::default();
    if is_session {
        if let Some(policy) = sets.session_inline {
            cx.match_policy(policy, None, PolicyKind::Session, &mut sp, &mut collect);
        }
        let m = cx.match_ids(
            sets.session_ids,
            sets.plans.session,
            PolicyKind::Session,
            &mut collect,
        );
        sp.allows += m.allows;
        sp.denies += m.denies;
        let managed = &input.tables.derived.managed;
        for arn in sets.session_arns {
            if let Some(id) = managed.get(arn) {
                cx.match_id(*id, PolicyKind::Session, &mut sp, &mut collect);
            }
        }
    }
    any_deny |= id.denies > 0 || pb.denies > 0 || sp.denies > 0;

    if any_deny {
        return Answer::bare(Decision::ExplicitDeny, Basis::ExplicitDenyStatement);
    }
    if let Some(l) = rcp_gate {
        return Answer::bare(Decision::ImplicitDeny, Basis::RcpGate(level(l)));
    }
    if let Some(l) = scp_gate {
        return Answer::bare(Decision::ImplicitDeny, Basis::ScpGate(level(l)));
    }

    let best = rbp.best;
    let direct = best == Some(MatchKind::Direct);
    let role_or_parent = best >= Some(MatchKind::RoleOrParent);
    let any_rbp = best.is_some();
    let parent_is_root = p.kind == PrincipalKind::FederatedUser
        && p.parent_arn.is_some_and(|a| a.ends_with(":root"));
    let id_ok = p.kind == PrincipalKind::Root || parent_is_root || id.allows > 0;
    let pb_ok = !has_boundary || pb.allows > 0;
    let sp_ok = match p.kind {
        PrincipalKind::RoleSession => sets.session_is_empty() || sp.allows > 0,
        PrincipalKind::FederatedUser => !sets.session_is_empty() && sp.allows > 0,
        _ => true,
    };
    let limits_ok = pb_ok && sp_ok;
    let allow = |basis: Basis| Answer::bare(Decision::Allow, basis);
    let implicit = |basis: Basis| Answer::bare(Decision::ImplicitDeny, basis);
    let limit_basis = || {
        if !pb_ok {
            Basis::BoundaryLimit
        } else {
            Basis::SessionPolicyLimit
        }
    };

    if !account_principal {
        return if direct {
            allow(Basis::ResourceGrantDirect)
        } else {
            implicit(Basis::NoGrant)
        };
    }
    if same_account {
        if services::needs_resource_policy(action, input.resource) && !any_rbp {
            return implicit(Basis::ResourcePolicyRequired);
        }
        if direct && !services::is_role_assumption(action) {
            return allow(Basis::ResourceGrantDirect);
        }
        if role_or_parent && limits_ok {
            return allow(if direct {
                Basis::ResourceGrantDirect
            } else {
                Basis::ResourceGrantRoleOrParent
            });
        }
        if id_ok && limits_ok {
            return allow(if p.kind == PrincipalKind::Root && id.allows == 0 {
                Basis::RootUser
            } else {
                Basis::IdentityGrant
            });
        }
        if id_ok || role_or_parent {
            return implicit(limit_basis());
        }
        return implicit(Basis::NoGrant);
    }
    let principal_side = id_ok && limits_ok;
    match (principal_side, any_rbp) {
        (true, true) => allow(Basis::CrossAccountGrant),
        (_, false) => implicit(Basis::CrossAccountNoResourceGrant),
        (false, true) if id_ok => implicit(limit_basis()),
        (false, true) => implicit(Basis::CrossAccountNoIdentityGrant),
    }
}

/// Why a decision was reached, without any owned text (the hot path's form of `DenyBasis`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)] // each variant is the `DenyBasis` of the same name
pub enum Basis {
    IdentityGrant,
    RootUser,
    ResourceGrantDirect,
    ResourceGrantRoleOrParent,
    CrossAccountGrant,
    GetCallerIdentityOverride,
    ExplicitDenyStatement,
    NoGrant,
    ScpGate(u16),
    RcpGate(u16),
    ResourcePolicyRequired,
    BoundaryLimit,
    SessionPolicyLimit,
    CrossAccountNoResourceGrant,
    CrossAccountNoIdentityGrant,
    FederatedUserRestriction,
}

impl Basis {
    /// The owned form.
    pub fn to_deny_basis(self) -> DenyBasis {
        match self {
            Basis::IdentityGrant => DenyBasis::IdentityGrant,
            Basis::RootUser => DenyBasis::RootUser,
            Basis::ResourceGrantDirect => DenyBasis::ResourceGrantDirect,
            Basis::ResourceGrantRoleOrParent => DenyBasis::ResourceGrantRoleOrParent,
            Basis::CrossAccountGrant => DenyBasis::CrossAccountGrant,
            Basis::GetCallerIdentityOverride => DenyBasis::GetCallerIdentityOverride,
            Basis::ExplicitDenyStatement => DenyBasis::ExplicitDenyStatement,
            Basis::NoGrant => DenyBasis::NoGrant,
            Basis::ScpGate(l) => DenyBasis::ScpGate(l),
            Basis::RcpGate(l) => DenyBasis::RcpGate(l),
            Basis::ResourcePolicyRequired => DenyBasis::ResourcePolicyRequired,
            Basis::BoundaryLimit => DenyBasis::BoundaryLimit,
            Basis::SessionPolicyLimit => DenyBasis::SessionPolicyLimit,
            Basis::CrossAccountNoResourceGrant => DenyBasis::CrossAccountNoResourceGrant,
            Basis::CrossAccountNoIdentityGrant => DenyBasis::CrossAccountNoIdentityGrant,
            Basis::FederatedUserRestriction => DenyBasis::FederatedUserRestriction,
        }
    }
}

/// A decision and its basis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The decision.
    pub decision: Decision,
    /// The step that settled it.
    pub basis: Basis,
}

impl Answer {
    fn bare(decision: Decision, basis: Basis) -> Answer {
        Answer { decision, basis }
    }

    /// The explanation, with the statements `collect` gathered (the denies for an explicit
    /// deny, the allows for an allow, none otherwise).
    pub fn explain(self, collect: Collect) -> Explanation {
        let statements = match self.decision {
            Decision::ExplicitDeny => collect.denies,
            Decision::Allow if self.basis != Basis::GetCallerIdentityOverride => collect.allows,
            _ => Vec::new(),
        };
        Explanation {
            decision: self.decision,
            basis: self.basis.to_deny_basis(),
            statements,
        }
    }
}
