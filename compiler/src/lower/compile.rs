//! Lowering policies and organizations into decision [`Tables`] (`docs/compiled-design.md`).
//!
//! * [`compile_case`]: a fixed policy set (conformance cases), decided with the request's
//!   context as given.
//! * [`compile_org`]: an organization: every user and role with its policies gathered and
//!   specialized ([`super::fold`]), accounts with their SCP/RCP chains, resources with their
//!   policies, managed policies by ARN for run-time sessions.
//! * [`runtime_request`]: an [`OrgRequest`] as the runtime takes it (the session's inline policy
//!   compiled on its own).
//!
//! Action patterns are interned once per organization; every known action (the AWS catalogue,
//! plus every literal action the policies name) is classified here with the runtime's own
//! matcher, so the runtime only looks its class up.

use super::fold::{KnownKeys, PRINCIPAL_KEYS, fold_policy};
use crate::json::{self, ParseMode};
use crate::model::{
    ActionPattern, CondValue, Part, Policy, PolicyType, Principals, Statement, Template,
};
use crate::org::{OrgRequest, Organization, ResolveError, resolve};
use crate::reference::{NamedPolicy, PolicySet, rcp_full_aws_access};
use gavel_runtime::eval::decide::pattern_matches;
use gavel_runtime::glob::{Tok, is_arn};
use gavel_runtime::tables::{
    self, Account, ActionIndex, ActionPatterns, Actions, Clause, OrgTables, PolicyId, PolicySets,
    PrincipalRecord, RecordKind, ResourcePattern, ResourceRecord, Resources, Scope, Tables,
};
use gavel_runtime::{Principal, PrincipalKind, Request, SessionInfo};
use rustc_hash::{FxBuildHasher, FxHashMap};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::BuildHasher;
use std::sync::Arc;

/// Choices for a compilation.
#[derive(Clone, Debug, Default)]
pub struct CompileOptions {
    /// Actions to pre-classify besides those the policies name literally (the AWS catalogue),
    /// `service:Action` in any case.
    pub catalog: Vec<String>,
    /// Skip per-principal specialization (for measuring it; answers are the same).
    pub no_fold: bool,
}

/// Why an organization cannot be compiled.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    /// More of something than the file's 32-bit ids can count.
    #[error("too many {0} for one decision file")]
    TooLarge(&'static str),
}

/// Reads the action catalogue (`aws-service-reference.json`: `{prefix: {actions: {Name: …}}}`).
pub fn read_catalog(text: &str) -> Result<Vec<String>, String> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("the action catalogue is not JSON: {e}"))?;
    let services = v
        .as_object()
        .ok_or("the action catalogue must be an object of services")?;
    let mut out = Vec::new();
    for (prefix, service) in services {
        if let Some(actions) = service.get("actions").and_then(|a| a.as_object()) {
            out.extend(
                actions
                    .keys()
                    .map(|a| format!("{prefix}:{a}").to_lowercase()),
            );
        }
    }
    Ok(out)
}

fn id32(n: usize, what: &'static str) -> Result<u32, CompileError> {
    u32::try_from(n).map_err(|_| CompileError::TooLarge(what))
}

/// Interns patterns and hash-conses policies.
#[derive(Default)]
struct Builder {
    patterns: Vec<tables::ActionPattern>,
    pattern_ids: FxHashMap<tables::ActionPattern, u32>,
    policies: Vec<tables::Policy>,
    policy_ids: FxHashMap<tables::Policy, PolicyId>,
    /// Unspecialized policies seen, by hash of `(name, document)`: the document, its id once
    /// lowered, and whether it mentions a principal key (else folding leaves it as it is). An
    /// AWS managed policy attached to thousands of principals is lowered once, not per
    /// principal, and the tables come out byte for byte as without the memo.
    lowered: MemoTable,
}

/// See [`Builder::lowered`].
type MemoTable = FxHashMap<u64, Vec<(String, Policy, Option<PolicyId>, bool)>>;

/// Whether folding can change `policy`: it names a principal key somewhere (a condition key or
/// a variable, in any case). Conservative: any mention in the document's text counts.
fn mentions_principal_keys(policy: &Policy) -> bool {
    let text = format!("{policy:?}").to_lowercase();
    PRINCIPAL_KEYS
        .iter()
        .any(|k| text.contains(k.trim_end_matches('/')))
}

/// The compiled form of one action entry.
fn action_pattern(p: &ActionPattern) -> tables::ActionPattern {
    match p {
        ActionPattern::Any => tables::ActionPattern::Any,
        ActionPattern::Never { .. } => tables::ActionPattern::Never,
        ActionPattern::Named { service, name, .. } => tables::ActionPattern::Named {
            service: service.clone(),
            name: Tok::glob(name),
        },
    }
}

/// A template with its variable keys lower-cased (the runtime looks keys up lower-cased).
fn lower_keys(t: &Template) -> Template {
    Template {
        parts: t
            .parts
            .iter()
            .map(|p| match p {
                Part::Var { key, default } => Part::Var {
                    key: key.to_lowercase(),
                    default: default.clone(),
                },
                other => other.clone(),
            })
            .collect(),
    }
}

/// The fast form of a resource entry.
fn resource_pattern(t: &Template) -> ResourcePattern {
    if t.has_variables() {
        return ResourcePattern::Template(lower_keys(t));
    }
    let mut toks = Vec::new();
    for p in &t.parts {
        match p {
            Part::Lit(l) => toks.extend(Tok::glob(l)),
            Part::Escaped(c) => toks.push(Tok::Char(*c)),
            Part::Text(s) => toks.extend(s.chars().map(Tok::Char)),
            Part::Var { .. } => {}
        }
    }
    if toks == [Tok::Star] {
        return ResourcePattern::Any;
    }
    let literal = |ts: &[Tok]| -> Option<String> {
        ts.iter()
            .map(|t| match t {
                Tok::Char(c) => Some(*c),
                _ => None,
            })
            .collect()
    };
    if let Some(text) = literal(&toks)
        && is_arn(&text)
    {
        return ResourcePattern::Exact(text);
    }
    if let Some((Tok::Star, head)) = toks.split_last()
        && let Some(text) = literal(head)
    {
        return ResourcePattern::Prefix(text);
    }
    ResourcePattern::glob(toks)
}

fn principals(p: &Principals) -> tables::Principals {
    tables::Principals {
        negated: p.negated,
        wildcard: p.wildcard,
        entries: p
            .entries
            .iter()
            .map(|e| (e.kind, e.value.clone()))
            .collect(),
    }
}

fn clause(c: &crate::model::ConditionClause) -> Clause {
    let values = c
        .values
        .iter()
        .map(|v| {
            Some(match &v.parsed {
                CondValue::Template(t) => CondValue::Template(lower_keys(t)),
                other => other.clone(),
            })
        })
        .collect();
    Clause::new(c.operator.node, c.key.to_lowercase(), values)
}

impl Builder {
    fn pattern(&mut self, p: &ActionPattern) -> Result<u32, CompileError> {
        let compiled = action_pattern(p);
        if let Some(id) = self.pattern_ids.get(&compiled) {
            return Ok(*id);
        }
        let id = id32(self.patterns.len(), "action patterns")?;
        self.patterns.push(compiled.clone());
        self.pattern_ids.insert(compiled, id);
        Ok(id)
    }

    fn statement(
        &mut self,
        st: &Statement,
        index: usize,
        direct: bool,
    ) -> Result<tables::Statement, CompileError> {
        let patterns = if direct {
            ActionPatterns::Direct(st.action.items.iter().map(|a| action_pattern(a)).collect())
        } else {
            let mut ids = st
                .action
                .items
                .iter()
                .map(|a| self.pattern(a))
                .collect::<Result<Vec<u32>, _>>()?;
            ids.sort_unstable();
            ids.dedup();
            ActionPatterns::Indexed(ids.into())
        };
        Ok(tables::Statement {
            index: id32(index, "statements in a policy")?,
            sid: st.sid.as_ref().map(|s| s.node.as_str().into()),
            effect: st.effect.node,
            principal: st.principal.as_ref().map(|p| Box::new(principals(p))),
            actions: Actions {
                negated: st.action.negated,
                patterns,
            },
            resources: st.resource.as_ref().map(|r| Resources {
                negated: r.negated,
                items: r.items.iter().map(|t| resource_pattern(t)).collect(),
            }),
            conditions: st.condition.iter().map(|c| clause(c)).collect(),
        })
    }

    /// Compiles `policy` (statements numbered by `origin` when folded) and returns its id.
    fn policy(
        &mut self,
        name: &str,
        policy: &Policy,
        origin: Option<&[usize]>,
    ) -> Result<PolicyId, CompileError> {
        let mut statements = Vec::with_capacity(policy.statements.len());
        for (i, st) in policy.statements.iter().enumerate() {
            let index = origin.and_then(|o| o.get(i).copied()).unwrap_or(i);
            statements.push(self.statement(st, index, false)?);
        }
        let compiled = tables::Policy {
            name: name.to_string(),
            statements,
            services: Vec::new(),
            any_service: false,
        };
        if let Some(id) = self.policy_ids.get(&compiled) {
            return Ok(*id);
        }
        let id = id32(self.policies.len(), "policies")?;
        self.policies.push(compiled.clone());
        self.policy_ids.insert(compiled, id);
        Ok(id)
    }

    fn named(&mut self, p: &NamedPolicy) -> Result<PolicyId, CompileError> {
        let slot = self.memo(p);
        if let Some(id) = self
            .lowered
            .get(&slot.0)
            .and_then(|v| v.get(slot.1))
            .and_then(|e| e.2)
        {
            return Ok(id);
        }
        let id = self.policy(&p.name, &p.policy, None)?;
        if let Some(e) = self
            .lowered
            .get_mut(&slot.0)
            .and_then(|v| v.get_mut(slot.1))
        {
            e.2 = Some(id);
        }
        Ok(id)
    }

    /// The memo entry of `p` (its hash and position in the bucket), made on first sight.
    fn memo(&mut self, p: &NamedPolicy) -> (u64, usize) {
        let hash = FxBuildHasher.hash_one((&p.name, &p.policy));
        let bucket = self.lowered.entry(hash).or_default();
        if let Some(i) = bucket
            .iter()
            .position(|(name, policy, ..)| *name == p.name && *policy == p.policy)
        {
            return (hash, i);
        }
        let depends = mentions_principal_keys(&p.policy);
        bucket.push((p.name.clone(), p.policy.clone(), None, depends));
        (hash, bucket.len() - 1)
    }

    /// Whether folding can change `p` (memoized).
    fn depends(&mut self, p: &NamedPolicy) -> bool {
        let slot = self.memo(p);
        self.lowered
            .get(&slot.0)
            .and_then(|v| v.get(slot.1))
            .is_none_or(|e| e.3)
    }

    fn folded(
        &mut self,
        p: &NamedPolicy,
        known: Option<&KnownKeys>,
    ) -> Result<PolicyId, CompileError> {
        let slot = self.memo(p);
        let depends = self
            .lowered
            .get(&slot.0)
            .and_then(|v| v.get(slot.1))
            .is_none_or(|e| e.3);
        match known {
            Some(k) if depends => {
                let f = fold_policy(&p.policy, k);
                self.policy(&p.name, &f.policy, Some(&f.origin))
            }
            // Folding leaves a policy without principal keys as it is.
            _ => self.named(p),
        }
    }

    fn levels(
        &mut self,
        levels: &Option<Vec<Vec<NamedPolicy>>>,
    ) -> Result<Option<Vec<Vec<PolicyId>>>, CompileError> {
        levels
            .as_ref()
            .map(|ls| {
                ls.iter()
                    .map(|l| l.iter().map(|p| self.named(p)).collect())
                    .collect()
            })
            .transpose()
    }

    /// Interns services, fills each policy's service filter and classifies the known actions.
    /// Renumbers the patterns so that `Any` comes first and each service's patterns are
    /// contiguous (the runtime intersects a statement's patterns with an action's class within
    /// that range only).
    fn group_patterns(&mut self) {
        let rank = |p: &tables::ActionPattern| match p {
            tables::ActionPattern::Any => (0, String::new()),
            tables::ActionPattern::Never => (1, String::new()),
            tables::ActionPattern::Named { service, .. } => (2, service.clone()),
        };
        let mut order: Vec<usize> = (0..self.patterns.len()).collect();
        // Stable: within a service, patterns keep their first-use order (deterministic output).
        order.sort_by_key(|i| self.patterns.get(*i).map(rank));
        let mut new_id = vec![0u32; self.patterns.len()];
        for (new, old) in order.iter().enumerate() {
            if let Some(slot) = new_id.get_mut(*old) {
                *slot = new as u32;
            }
        }
        self.patterns = order
            .iter()
            .filter_map(|old| self.patterns.get(*old).cloned())
            .collect();
        for policy in &mut self.policies {
            for st in &mut policy.statements {
                if let ActionPatterns::Indexed(ids) = &mut st.actions.patterns {
                    let mut renumbered: Vec<u32> = ids
                        .iter()
                        .map(|id| new_id.get(*id as usize).copied().unwrap_or(*id))
                        .collect();
                    renumbered.sort_unstable();
                    *ids = renumbered.into();
                }
            }
        }
    }

    fn finish(mut self, catalog: &[String], scope: Scope) -> Result<Tables, CompileError> {
        self.group_patterns();
        let mut services: BTreeSet<String> = BTreeSet::new();
        let mut known: BTreeSet<String> = BTreeSet::new();
        for p in &self.patterns {
            if let tables::ActionPattern::Named { service, name } = p {
                services.insert(service.clone());
                if name.iter().all(|t| matches!(t, Tok::Char(_))) {
                    let n: String = name
                        .iter()
                        .map(|t| if let Tok::Char(c) = t { *c } else { '*' })
                        .collect();
                    known.insert(format!("{service}:{n}"));
                }
            }
        }
        for a in catalog {
            let a = a.to_lowercase();
            if let Some((s, _)) = a.split_once(':') {
                services.insert(s.to_string());
            }
            known.insert(a);
        }
        let services: Vec<String> = services.into_iter().collect();
        let service_id: HashMap<&str, u32> = services
            .iter()
            .enumerate()
            .map(|(i, s)| Ok((s.as_str(), id32(i, "services")?)))
            .collect::<Result<_, CompileError>>()?;

        for policy in &mut self.policies {
            let mut ids = BTreeSet::new();
            let mut any = false;
            for st in &policy.statements {
                if st.actions.negated {
                    any = true;
                }
                match &st.actions.patterns {
                    ActionPatterns::Direct(_) => any = true,
                    ActionPatterns::Indexed(pids) => {
                        for pid in pids.iter() {
                            match self.patterns.get(*pid as usize) {
                                Some(tables::ActionPattern::Any) => any = true,
                                Some(tables::ActionPattern::Named { service, .. }) => {
                                    if let Some(id) = service_id.get(service.as_str()) {
                                        ids.insert(*id);
                                    }
                                }
                                Some(tables::ActionPattern::Never) | None => {}
                            }
                        }
                    }
                }
            }
            policy.services = ids.into_iter().collect();
            policy.any_service = any;
        }

        // Classify every known action with the runtime's matcher: `Any` patterns, and the
        // patterns of its own service.
        let mut by_service: HashMap<&str, Vec<u32>> = HashMap::new();
        let mut any_ids = Vec::new();
        for (i, p) in self.patterns.iter().enumerate() {
            let id = id32(i, "action patterns")?;
            match p {
                tables::ActionPattern::Any => any_ids.push(id),
                tables::ActionPattern::Named { service, .. } => {
                    by_service.entry(service.as_str()).or_default().push(id);
                }
                tables::ActionPattern::Never => {}
            }
        }
        let mut classes: Vec<Vec<u32>> = Vec::new();
        let mut class_ids: HashMap<Vec<u32>, u32> = HashMap::new();
        let mut known_out = Vec::with_capacity(known.len());
        for action in known {
            let service = action.split_once(':').map_or("", |(s, _)| s);
            let mut class: Vec<u32> = any_ids.clone();
            for id in by_service.get(service).into_iter().flatten() {
                if self
                    .patterns
                    .get(*id as usize)
                    .is_some_and(|p| pattern_matches(p, &action))
                {
                    class.push(*id);
                }
            }
            class.sort_unstable();
            let next = id32(classes.len(), "action classes")?;
            let cid = *class_ids.entry(class.clone()).or_insert_with(|| {
                classes.push(class);
                next
            });
            known_out.push((action, cid));
        }
        let tables = Tables {
            actions: ActionIndex {
                patterns: self.patterns,
                services,
                known: known_out,
                classes,
            },
            policies: self.policies,
            scope,
            derived: Default::default(),
        };
        // The builder only produces consistent tables; checking them also builds the maps.
        tables
            .check()
            .map_err(|_| CompileError::TooLarge("consistent ids (internal error)"))
    }
}

/// Compiles a fixed policy set (a conformance case).
pub fn compile_case(set: &PolicySet, opts: &CompileOptions) -> Result<Tables, CompileError> {
    let mut b = Builder::default();
    let ids = |b: &mut Builder, ps: &[NamedPolicy]| -> Result<Vec<PolicyId>, CompileError> {
        ps.iter().map(|p| b.named(p)).collect()
    };
    let sets = PolicySets {
        identity: ids(&mut b, &set.identity)?,
        resource: set.resource.as_ref().map(|p| b.named(p)).transpose()?,
        boundaries: ids(&mut b, &set.boundaries)?,
        session: ids(&mut b, &set.session)?,
        scps: b.levels(&set.scps)?,
        rcps: b.levels(&set.rcps)?,
    };
    b.finish(&opts.catalog, Scope::Fixed(sets))
}

/// What the compiler knows about a principal's keys: everything but, for roles, the tags and
/// `aws:userid` that a session decides.
fn known_keys(org: &Organization, arn: &str, role: bool) -> Option<KnownKeys> {
    let req = OrgRequest {
        principal: arn.to_string(),
        action: "sts:GetCallerIdentity".into(),
        resource: "*".into(),
        time: Some(0),
        ..OrgRequest::default()
    };
    let resolved = resolve(org, &req).ok()?;
    if !role {
        return Some(KnownKeys::principal_keys_of(&resolved.request.context));
    }
    let session_dependent = |k: &str| k.starts_with("aws:principaltag/") || k == "aws:userid";
    let owned: Vec<&str> = PRINCIPAL_KEYS
        .iter()
        .copied()
        .filter(|k| !session_dependent(k))
        .collect();
    let values = resolved
        .request
        .context
        .iter()
        .map(|(k, v)| (k.to_lowercase(), v.clone()))
        .filter(|(k, _)| {
            !session_dependent(k)
                && owned.iter().any(|o| {
                    if o.ends_with('/') {
                        k.starts_with(o)
                    } else {
                        k == o
                    }
                })
        })
        .collect::<Vec<_>>();
    Some(KnownKeys::new(values, &owned))
}

/// One principal's policies, specialized and raw.
struct Gathered {
    identity: Vec<PolicyId>,
    boundaries: Vec<PolicyId>,
    identity_raw: Vec<PolicyId>,
    boundaries_raw: Vec<PolicyId>,
    /// Its account's SCP levels specialized for it, when some SCP uses a principal key.
    scps: Option<Vec<Vec<PolicyId>>>,
}

/// Gathers a principal's policies, specialized on what `known` gives; with `raw` (IAM users:
/// the federated users they create use them), also unspecialized. Roles have no raw lists:
/// nothing reads them, and their unspecialized copies were a tenth of the L file's policies
/// and of its load time.
fn gather(
    b: &mut Builder,
    set: &PolicySet,
    raw: bool,
    scps: Option<&[Vec<NamedPolicy>]>,
    known: impl FnOnce() -> Option<KnownKeys>,
) -> Result<Gathered, CompileError> {
    // The principal's keys are resolved only when some policy can use them: most principals
    // of a large organization attach only policies without principal keys.
    let scps_depend = scps.is_some_and(|l| l.iter().flatten().any(|p| b.depends(p)));
    let needed = scps_depend
        || set
            .identity
            .iter()
            .chain(&set.boundaries)
            .any(|p| b.depends(p));
    let known = if needed { known() } else { None };
    let known = known.as_ref();
    let mut g = Gathered {
        identity: Vec::new(),
        boundaries: Vec::new(),
        identity_raw: Vec::new(),
        boundaries_raw: Vec::new(),
        scps: None,
    };
    // SCPs are shared by the account, but what a principal's own requests know is fixed: an
    // `aws:PrincipalArn` guard that cannot hold for this principal drops its statement, one
    // that must hold drops its clause (spec §6.4: SCPs see the same request context).
    if let (true, Some(levels), Some(_)) = (scps_depend, scps, known) {
        let mut folded = Vec::with_capacity(levels.len());
        for level in levels {
            let ids = level
                .iter()
                .map(|p| b.folded(p, known))
                .collect::<Result<Vec<_>, _>>()?;
            folded.push(ids);
        }
        g.scps = Some(folded);
    }
    for p in &set.identity {
        g.identity.push(b.folded(p, known)?);
        if raw {
            g.identity_raw.push(b.named(p)?);
        }
    }
    for p in &set.boundaries {
        g.boundaries.push(b.folded(p, known)?);
        if raw {
            g.boundaries_raw.push(b.named(p)?);
        }
    }
    Ok(g)
}

/// Compiles an organization.
pub fn compile_org(org: &Organization, opts: &CompileOptions) -> Result<Tables, CompileError> {
    let mut b = Builder::default();
    let mut out = OrgTables {
        org_id: org.id.clone(),
        ..OrgTables::default()
    };
    // Specialized SCP sets, each stored once (most principals of an account share one).
    let mut scp_sets: FxHashMap<Vec<Vec<PolicyId>>, u32> = FxHashMap::default();
    let mut scp_set = |folded: Option<Vec<Vec<PolicyId>>>,
                       account: &Option<Vec<Vec<PolicyId>>>,
                       out: &mut OrgTables|
     -> Result<Option<u32>, CompileError> {
        let Some(folded) = folded.filter(|f| Some(f) != account.as_ref()) else {
            return Ok(None);
        };
        if let Some(s) = scp_sets.get(&folded) {
            return Ok(Some(*s));
        }
        let s = id32(out.scp_sets.len(), "specialized SCP sets")?;
        out.scp_sets.push(folded.clone());
        scp_sets.insert(folded, s);
        Ok(Some(s))
    };
    for (i, (id, account)) in org.accounts.iter().enumerate() {
        let idx = id32(i, "accounts")?;
        let (scps, scp_named, scp_error) = match org.org_levels(id, true) {
            Ok(l) => (b.levels(&l)?, l, None),
            Err(e) => (None, None, Some(e.to_string())),
        };
        let scp_named = scp_named.as_deref();
        let (rcps, rcp_error) = match org.org_levels(id, false) {
            Ok(l) => (b.levels(&l)?, None),
            Err(e) => (None, Some(e.to_string())),
        };
        out.accounts.push(Account {
            id: id.clone(),
            in_org: org.in_org(id),
            org_path: org.org_path(id),
            scps: scps.clone(),
            rcps,
            scp_error,
            rcp_error,
        });
        for user in account.users.values() {
            let mut set = PolicySet::default();
            let gathered = crate::org::resolve::gather_user(org, account, user, &mut set);
            let known = || {
                if opts.no_fold {
                    None
                } else {
                    known_keys(org, &user.arn, false)
                }
            };
            let (g, error) = match gathered {
                Ok(()) => (gather(&mut b, &set, true, scp_named, known)?, None),
                Err(e) => (
                    gather(&mut b, &PolicySet::default(), true, None, || None)?,
                    Some(e.to_string()),
                ),
            };
            let own_scps = scp_set(g.scps, &scps, &mut out)?;
            out.principals.push(PrincipalRecord {
                kind: RecordKind::User,
                arn: user.arn.clone(),
                name: user.name.clone(),
                account: idx,
                unique_id: user.unique_id.clone(),
                tags: table_tags(&user.tags),
                identity: g.identity,
                boundaries: g.boundaries,
                identity_raw: g.identity_raw,
                boundaries_raw: g.boundaries_raw,
                scps: own_scps,
                trust: None,
                error,
            });
        }
        for role in account.roles.values() {
            let mut set = PolicySet::default();
            let mut error = None;
            for p in &role.inline {
                set.identity.push(NamedPolicy {
                    name: p.name.clone(),
                    policy: p.policy.clone(),
                });
            }
            for arn in &role.managed {
                match org.managed(arn) {
                    Ok(p) => set.identity.push(p),
                    Err(e) => error = error.or(Some(e.to_string())),
                }
            }
            if let Some(bd) = &role.boundary {
                match org.managed(bd) {
                    Ok(p) => set.boundaries.push(p),
                    Err(e) => error = error.or(Some(e.to_string())),
                }
            }
            let known = || {
                if opts.no_fold || error.is_some() {
                    None
                } else {
                    known_keys(org, &role.arn, true)
                }
            };
            let g = gather(&mut b, &set, false, scp_named, known)?;
            let trust = b.policy(&format!("{} trust policy", role.name), &role.trust, None)?;
            let own_scps = scp_set(g.scps, &scps, &mut out)?;
            out.principals.push(PrincipalRecord {
                kind: RecordKind::Role,
                arn: role.arn.clone(),
                name: role.name.clone(),
                account: idx,
                unique_id: role.unique_id.clone(),
                tags: table_tags(&role.tags),
                identity: g.identity,
                boundaries: g.boundaries,
                identity_raw: g.identity_raw,
                boundaries_raw: g.boundaries_raw,
                scps: own_scps,
                trust: Some(trust),
                error,
            });
        }
    }
    for r in org.resources.values() {
        let policy = r
            .policy
            .as_ref()
            .map(|p| b.policy(&r.arn, p, None))
            .transpose()?;
        out.resources.push(ResourceRecord {
            arn: r.arn.clone(),
            account: r.account.clone(),
            tags: table_tags(&r.tags),
            policy,
        });
    }
    let mut managed = BTreeMap::new();
    for (arn, m) in &org.managed_policies {
        if let Some(doc) = m.document() {
            managed.insert(arn.clone(), b.policy(&m.name, doc, None)?);
        }
    }
    out.managed = managed.into_iter().collect();
    out.rcp_full_access = Some(b.named(&rcp_full_aws_access())?);
    b.finish(&opts.catalog, Scope::Org(out))
}

/// Compiles one policy on its own, with self-contained action patterns (inline session
/// policies, which arrive at run time and cannot use a file's pattern ids).
pub fn compile_standalone(name: &str, policy: &Policy) -> tables::Policy {
    let mut b = Builder::default();
    let statements = policy
        .statements
        .iter()
        .enumerate()
        .filter_map(|(i, st)| b.statement(st, i, true).ok())
        .collect();
    tables::Policy {
        name: name.to_string(),
        statements,
        services: Vec::new(),
        any_service: true,
    }
}

/// The runtime's form of an [`OrgRequest`]: the caller parsed (the session's identity when it
/// has one), the session's inline policy compiled. Errors are those `org::resolve` reports for
/// the same request, and deny it.
pub fn runtime_request(req: &OrgRequest) -> Result<Request, ResolveError> {
    let mut principal =
        Principal::parse(&req.principal).map_err(|e| ResolveError::Principal(e.to_string()))?;
    if principal.kind == PrincipalKind::Service
        && req.action.to_lowercase() == "sts:assumerolewithwebidentity"
    {
        principal = Principal::federated_identity(PrincipalKind::WebIdentity, &req.principal);
    }
    let mut session = None;
    if let Some(s) = &req.session {
        let same = s.arn == req.principal || s.role_arn.as_deref() == Some(req.principal.as_str());
        if !same {
            return Err(ResolveError::SessionMismatch {
                session: s.arn.clone(),
                principal: req.principal.clone(),
            });
        }
        principal = Principal::parse(&s.arn).map_err(|e| ResolveError::Principal(e.to_string()))?;
        if let Some(r) = &s.role_arn {
            principal.set_role_arn(r);
        }
        principal.parent_arn.clone_from(&s.parent_arn);
        let expired = s.expired_at(req.time.unwrap_or_else(crate::org::resolve::now));
        let inline_policy = match &s.inline_policy {
            Some(text) => {
                match json::parse_policy_with(text, PolicyType::Session, ParseMode::Strict) {
                    Ok(parsed) => Some(compile_standalone("inline session policy", &parsed.value)),
                    // The runtime reports the expiry first, as `resolve` does.
                    Err(_) if expired => None,
                    Err(d) => return Err(ResolveError::SessionPolicy(d.to_string())),
                }
            }
            None => None,
        };
        session = Some(Box::new(SessionInfo {
            federated: s.kind == crate::org::SessionKind::FederatedUser,
            arn: s.arn.clone(),
            role_arn: s.role_arn.clone(),
            parent_arn: s.parent_arn.clone(),
            issued_at: s.issued_at,
            expires_at: s.expires_at,
            tags: s.tags.clone(),
            source_identity: s.source_identity.clone(),
            mfa: s.mfa,
            federated_provider: s.federated_provider.clone(),
            inline_policy,
            policy_arns: s.policy_arns.clone(),
        }));
    }
    Ok(Request {
        principal,
        action: req.action.clone(),
        resource: req.resource.clone(),
        resource_account: req.resource_account.clone(),
        context: req.context.clone(),
        session,
        time: req.time,
    })
}

/// The model's tags as the tables hold them.
fn table_tags(tags: &[(String, String)]) -> Vec<gavel_runtime::tables::Tag> {
    tags.iter()
        .map(|(k, v)| (Arc::from(k.as_str()), Arc::from(v.as_str())))
        .collect()
}
