//! From an organization and a request that names its caller by ARN to what the reference
//! interpreter decides on: the caller's policy sets and the complete request context
//! (spec §1.1, §1.2, §6.3).

use super::model::{Account, Organization, Role, Tags, User};
use super::session::{Session, SessionKind};
use crate::json::{self, ParseMode};
use crate::model::{Policy, PolicyType};
use crate::reference::{NamedPolicy, PolicySet, rcp_full_aws_access};
// The keys a caller may not supply, and the session keys: one list, shared with the runtime.
use gavel_runtime::eval::context::{SESSION_KEYS, is_principal_key};
use gavel_runtime::principal::split_arn;
use gavel_runtime::{Context, ContextValue, Principal, PrincipalKind, Request, services};
use thiserror::Error;

/// A request as a caller of the organization's AWS would make it.
#[derive(Clone, Debug, Default)]
pub struct OrgRequest {
    /// The caller: an ARN (user, root, role session, federated user), a service principal,
    /// an identity provider, or `anonymous`.
    pub principal: String,
    /// `service:Action`.
    pub action: String,
    /// The resource ARN, or `*`.
    pub resource: String,
    /// The resource's owning account, when neither the ARN nor the model says it.
    pub resource_account: Option<String>,
    /// Request keys from the caller. Principal keys in it are ignored: Gavel derives them.
    pub context: Context,
    /// The session the caller acts with (role or federated-user sessions).
    pub session: Option<Session>,
    /// The request time (epoch seconds); `None` = now.
    pub time: Option<i64>,
}

/// Why a request could not be tied to the organization; the decision is a deny.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ResolveError {
    /// The principal text names no caller.
    #[error("{0}")]
    Principal(String),
    /// The principal's account is in the model but the user or role is not.
    #[error("`{0}` does not exist in the organization")]
    UnknownPrincipal(String),
    /// A session whose ARN differs from the request's principal.
    #[error("the session is for `{session}`, but the request names `{principal}`")]
    SessionMismatch {
        /// The session's ARN.
        session: String,
        /// The request's principal.
        principal: String,
    },
    /// A federated-user session was named without its session (parent user unknown).
    #[error(
        "`{0}` is a federated-user session; pass its session (`--session FILE`) so its parent user and policies are known"
    )]
    FederatedWithoutSession(String),
    /// A managed policy that the model lacks.
    #[error("managed policy `{0}` is not in the organization")]
    UnknownManagedPolicy(String),
    /// An organization policy that the model lacks.
    #[error("organization policy `{0}` is not defined")]
    UnknownOrgPolicy(String),
    /// A session's inline policy that does not parse.
    #[error("the session's inline policy is invalid: {0}")]
    SessionPolicy(String),
    /// The session has expired.
    #[error("the session `{0}` expired at {1}")]
    Expired(String, String),
}

/// The decision inputs for one request.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// The policy sets.
    pub set: PolicySet,
    /// The request with its principal and complete context.
    pub request: Request,
}

/// The account, user and role a principal ARN names, in the model.
struct Found<'o> {
    account: Option<&'o Account>,
    user: Option<&'o User>,
    role: Option<&'o Role>,
}

/// Formats epoch seconds as `aws:CurrentTime` does.
pub fn format_time(epoch: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(epoch)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| epoch.to_string())
}

/// Parses a time given as epoch seconds or RFC 3339 (`2026-11-23T10:00:00Z`).
pub fn parse_time(text: &str) -> Result<i64, String> {
    if let Ok(n) = text.parse::<i64>() {
        return Ok(n);
    }
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map(|t| t.unix_timestamp())
        .map_err(|e| format!("`{text}` is neither epoch seconds nor an RFC 3339 time: {e}"))
}

/// The current time in epoch seconds.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl Organization {
    /// The chain of organization units from the root down to the account's parent.
    fn unit_chain(&self, account: &Account) -> Vec<&super::OrgUnit> {
        let mut chain = Vec::new();
        let mut next = account.parent.as_deref();
        while let Some(id) = next {
            let Some(unit) = self.units.get(id) else {
                break;
            };
            if chain.iter().any(|u: &&super::OrgUnit| u.id == unit.id) {
                break; // a cycle: the loader rejects these; stop rather than loop
            }
            chain.push(unit);
            next = unit.parent.as_deref();
        }
        chain.reverse();
        chain
    }

    /// True when the account is a member account: in the organization, not its management
    /// account (spec §6.3).
    pub fn is_member(&self, account_id: &str) -> bool {
        self.accounts
            .get(account_id)
            .is_some_and(|a| a.parent.is_some())
            && self.management_account.as_deref() != Some(account_id)
    }

    /// True when the account belongs to the organization (member or management).
    pub fn in_org(&self, account_id: &str) -> bool {
        self.id.is_some()
            && self
                .accounts
                .get(account_id)
                .is_some_and(|a| a.parent.is_some())
    }

    /// `aws:PrincipalOrgPaths` / `aws:ResourceOrgPaths` of an account: `o-…/r-…/ou-…/`.
    pub fn org_path(&self, account_id: &str) -> Option<String> {
        let org = self.id.as_deref()?;
        let account = self.accounts.get(account_id)?;
        account.parent.as_ref()?;
        let mut path = format!("{org}/");
        for unit in self.unit_chain(account) {
            path.push_str(&unit.id);
            path.push('/');
        }
        Some(path)
    }

    pub(crate) fn org_levels(
        &self,
        account_id: &str,
        scp: bool,
    ) -> Result<Option<Vec<Vec<NamedPolicy>>>, ResolveError> {
        if !self.is_member(account_id) {
            return Ok(None);
        }
        let Some(account) = self.accounts.get(account_id) else {
            return Ok(None);
        };
        let table = if scp { &self.scps } else { &self.rcps };
        let mut levels = Vec::new();
        let attached = self
            .unit_chain(account)
            .into_iter()
            .map(|u| if scp { &u.scps } else { &u.rcps })
            .chain(std::iter::once(if scp {
                &account.scps
            } else {
                &account.rcps
            }));
        for names in attached {
            let mut level = Vec::new();
            if !scp {
                level.push(rcp_full_aws_access());
            }
            for name in names {
                if !scp && name == "RCPFullAWSAccess" {
                    continue;
                }
                let p = table
                    .get(name)
                    .ok_or_else(|| ResolveError::UnknownOrgPolicy(name.clone()))?;
                level.push(NamedPolicy {
                    name: p.name.clone(),
                    policy: p.policy.clone(),
                });
            }
            levels.push(level);
        }
        Ok(Some(levels))
    }

    pub(crate) fn managed(&self, arn: &str) -> Result<NamedPolicy, ResolveError> {
        let m = self
            .managed_policies
            .get(arn)
            .ok_or_else(|| ResolveError::UnknownManagedPolicy(arn.to_string()))?;
        let doc = m
            .document()
            .ok_or_else(|| ResolveError::UnknownManagedPolicy(arn.to_string()))?;
        Ok(NamedPolicy {
            name: m.name.clone(),
            policy: doc.clone(),
        })
    }

    fn find(&self, p: &Principal) -> Found<'_> {
        let account = p.account.as_deref().and_then(|a| self.accounts.get(a));
        let user = match (account, p.kind) {
            // User names are unique in an account, so an ARN written without the user's path
            // still names exactly one user; it is canonicalized below.
            (Some(a), PrincipalKind::IamUser) => {
                a.users.values().find(|u| u.arn == p.arn).or_else(|| {
                    p.user_name()
                        .and_then(|n| a.users.values().find(|u| u.name == n))
                })
            }
            _ => None,
        };
        let role = match (account, p.kind, &p.role_arn, &p.role_name) {
            (Some(a), PrincipalKind::RoleSession, Some(arn), _) => {
                a.roles.values().find(|r| r.arn == *arn)
            }
            (Some(a), PrincipalKind::RoleSession, None, Some(name)) => a.roles.get(name),
            _ => None,
        };
        Found {
            account,
            user,
            role,
        }
    }

    /// The resource-based policy that governs `resource` for `action`: a role's trust policy
    /// for role assumption, else the resource's own policy (an S3 object: its bucket's).
    pub fn resource_policy(&self, action_lower: &str, resource: &str) -> Option<(String, Policy)> {
        if services::is_role_assumption(action_lower) && services::is_role_arn(resource) {
            let account = split_arn(resource).map(|p| p[4])?;
            let role = self
                .accounts
                .get(account)?
                .roles
                .values()
                .find(|r| r.arn == resource)?;
            return Some((format!("{} trust policy", role.name), role.trust.clone()));
        }
        let entry = self.resource_entry(resource)?;
        entry.policy.clone().map(|p| (entry.arn.clone(), p))
    }

    /// The model's entry for a resource, or for the bucket of an S3 object.
    pub fn resource_entry(&self, resource: &str) -> Option<&super::Resource> {
        if let Some(r) = self.resources.get(resource) {
            return Some(r);
        }
        let bucket = resource.strip_prefix("arn:aws:s3:::")?.split('/').next()?;
        self.resources.get(&format!("arn:aws:s3:::{bucket}"))
    }
}

fn set_single(ctx: &mut Context, key: &str, value: impl Into<String>) {
    ctx.set(key, ContextValue::Single(value.into()));
}

fn merge_tags(base: &Tags, over: &[(String, String)]) -> Tags {
    let mut out: Tags = base
        .iter()
        .filter(|(k, _)| !over.iter().any(|(o, _)| o.eq_ignore_ascii_case(k)))
        .cloned()
        .collect();
    out.extend(over.iter().cloned());
    out
}

/// Gathers the policy sets and the complete context for `req` (spec §1.1.4, §6.3).
pub fn resolve(org: &Organization, req: &OrgRequest) -> Result<Resolved, ResolveError> {
    let now = req.time.unwrap_or_else(now);
    let mut principal =
        Principal::parse(&req.principal).map_err(|e| ResolveError::Principal(e.to_string()))?;
    let action_lower = req.action.to_lowercase();
    if principal.kind == PrincipalKind::Service && action_lower == "sts:assumerolewithwebidentity" {
        principal = Principal::federated_identity(PrincipalKind::WebIdentity, &req.principal);
    }
    if let Some(s) = &req.session {
        let same = s.arn == req.principal || s.role_arn.as_deref() == Some(req.principal.as_str());
        if !same {
            return Err(ResolveError::SessionMismatch {
                session: s.arn.clone(),
                principal: req.principal.clone(),
            });
        }
        if s.expired_at(now) {
            return Err(ResolveError::Expired(
                s.arn.clone(),
                format_time(s.expires_at),
            ));
        }
        principal = Principal::parse(&s.arn).map_err(|e| ResolveError::Principal(e.to_string()))?;
        if let Some(r) = &s.role_arn {
            principal.set_role_arn(r);
        }
        principal.parent_arn.clone_from(&s.parent_arn);
    }
    if principal.kind == PrincipalKind::FederatedUser && req.session.is_none() {
        return Err(ResolveError::FederatedWithoutSession(req.principal.clone()));
    }

    let found = org.find(&principal);
    let in_model_account = found.account.is_some();
    let mut set = PolicySet::default();
    let mut tags: Tags = Vec::new();
    match principal.kind {
        PrincipalKind::IamUser if in_model_account => {
            let user = found
                .user
                .ok_or_else(|| ResolveError::UnknownPrincipal(principal.arn.clone()))?;
            let account = found
                .account
                .ok_or_else(|| ResolveError::UnknownPrincipal(principal.arn.clone()))?;
            principal.unique_id = Some(user.unique_id.clone());
            principal.arn.clone_from(&user.arn);
            tags.clone_from(&user.tags);
            gather_user(org, account, user, &mut set)?;
        }
        PrincipalKind::RoleSession if in_model_account => {
            let role = found
                .role
                .ok_or_else(|| ResolveError::UnknownPrincipal(principal.arn.clone()))?;
            principal.set_role_arn(&role.arn);
            principal.unique_id = Some(role.unique_id.clone());
            tags.clone_from(&role.tags);
            for p in &role.inline {
                set.identity.push(NamedPolicy {
                    name: p.name.clone(),
                    policy: p.policy.clone(),
                });
            }
            for arn in &role.managed {
                set.identity.push(org.managed(arn)?);
            }
            if let Some(b) = &role.boundary {
                set.boundaries.push(org.managed(b)?);
            }
        }
        PrincipalKind::FederatedUser if in_model_account => {
            let parent = principal.parent_arn.clone().unwrap_or_default();
            if let Ok(pp) = Principal::parse(&parent)
                && pp.kind == PrincipalKind::IamUser
            {
                let pf = org.find(&pp);
                let (Some(account), Some(user)) = (pf.account, pf.user) else {
                    return Err(ResolveError::UnknownPrincipal(parent));
                };
                gather_user(org, account, user, &mut set)?;
            }
        }
        _ => {}
    }
    if let Some(s) = &req.session {
        if let Some(text) = &s.inline_policy {
            let parsed = json::parse_policy_with(text, PolicyType::Session, ParseMode::Strict)
                .map_err(|d| ResolveError::SessionPolicy(d.to_string()))?;
            set.session.push(NamedPolicy {
                name: "inline session policy".into(),
                policy: parsed.value,
            });
        }
        for arn in &s.policy_arns {
            set.session.push(org.managed(arn)?);
        }
        tags = merge_tags(&tags, &s.tags);
    }

    // The resource side.
    let resource_account = org
        .resource_entry(&req.resource)
        .map(|r| r.account.clone())
        .or_else(|| req.resource_account.clone())
        .or_else(|| {
            split_arn(&req.resource)
                .map(|p| p[4].to_string())
                .filter(|a| !a.is_empty())
        })
        .or_else(|| principal.account.clone());
    if let Some((name, policy)) = org.resource_policy(&action_lower, &req.resource) {
        set.resource = Some(NamedPolicy { name, policy });
    }
    if let Some(a) = &principal.account
        && principal.kind.is_account_principal()
        && !principal.service_linked
    {
        set.scps = org.org_levels(a, true)?;
    }
    if let Some(ra) = &resource_account {
        set.rcps = org.org_levels(ra, false)?;
    }

    let context = derive_context(
        org,
        req,
        &principal,
        &tags,
        resource_account.as_deref(),
        now,
    );
    Ok(Resolved {
        set,
        request: Request {
            principal,
            action: req.action.clone(),
            resource: req.resource.clone(),
            resource_account,
            context,
            session: None,
            time: None,
        },
    })
}

pub(crate) fn gather_user(
    org: &Organization,
    account: &Account,
    user: &User,
    set: &mut PolicySet,
) -> Result<(), ResolveError> {
    for p in &user.inline {
        set.identity.push(NamedPolicy {
            name: p.name.clone(),
            policy: p.policy.clone(),
        });
    }
    for arn in &user.managed {
        set.identity.push(org.managed(arn)?);
    }
    for g in &user.groups {
        let Some(group) = account.groups.get(g) else {
            return Err(ResolveError::UnknownPrincipal(format!(
                "group `{g}` of `{}`",
                user.arn
            )));
        };
        for p in &group.inline {
            set.identity.push(NamedPolicy {
                name: format!("{}/{}", group.name, p.name),
                policy: p.policy.clone(),
            });
        }
        for arn in &group.managed {
            set.identity.push(org.managed(arn)?);
        }
    }
    if let Some(b) = &user.boundary {
        set.boundaries.push(org.managed(b)?);
    }
    Ok(())
}

/// The complete context: the caller's request keys, minus any principal key it tried to set,
/// plus every key Gavel derives (spec §1.1.4).
fn derive_context(
    org: &Organization,
    req: &OrgRequest,
    p: &Principal,
    tags: &Tags,
    resource_account: Option<&str>,
    now: i64,
) -> Context {
    let mut ctx = Context::new();
    for (key, value) in req.context.iter() {
        let lower = key.to_lowercase();
        if is_principal_key(&lower)
            || (req.session.is_some() && SESSION_KEYS.contains(&lower.as_str()))
        {
            continue;
        }
        ctx.set(key, value.clone());
    }
    if ctx.get("aws:CurrentTime").is_none() {
        set_single(&mut ctx, "aws:CurrentTime", format_time(now));
    }
    if ctx.get("aws:EpochTime").is_none() {
        set_single(&mut ctx, "aws:EpochTime", now.to_string());
    }
    set_single(&mut ctx, "aws:PrincipalType", p.kind.principal_type());
    match p.kind {
        PrincipalKind::Anonymous => {
            set_single(&mut ctx, "aws:PrincipalAccount", "anonymous");
            set_single(&mut ctx, "aws:userid", "anonymous");
        }
        PrincipalKind::Service => {
            set_single(&mut ctx, "aws:PrincipalIsAWSService", "true");
            set_single(&mut ctx, "aws:PrincipalServiceName", p.arn.clone());
        }
        PrincipalKind::WebIdentity | PrincipalKind::Saml => {
            set_single(&mut ctx, "aws:FederatedProvider", p.arn.clone());
        }
        _ => {
            set_single(&mut ctx, "aws:PrincipalIsAWSService", "false");
        }
    }
    if let Some(account) = p
        .account
        .as_deref()
        .filter(|_| p.kind.is_account_principal())
    {
        set_single(&mut ctx, "aws:PrincipalAccount", account);
        let principal_arn = match p.kind {
            PrincipalKind::RoleSession => p.role_arn.clone().unwrap_or_else(|| p.arn.clone()),
            _ => p.arn.clone(),
        };
        set_single(&mut ctx, "aws:PrincipalArn", principal_arn);
        let userid = match p.kind {
            PrincipalKind::Root => account.to_string(),
            PrincipalKind::IamUser => p.unique_id.clone().unwrap_or_default(),
            PrincipalKind::RoleSession => {
                let session = p.arn.rsplit('/').next().unwrap_or_default();
                format!("{}:{session}", p.unique_id.clone().unwrap_or_default())
            }
            _ => format!("{account}:{}", p.arn.rsplit('/').next().unwrap_or_default()),
        };
        if !userid.is_empty() && !userid.starts_with(':') {
            set_single(&mut ctx, "aws:userid", userid);
        }
        if let Some(name) = p.user_name() {
            set_single(&mut ctx, "aws:username", name);
        }
        if org.in_org(account)
            && let Some(id) = &org.id
        {
            set_single(&mut ctx, "aws:PrincipalOrgID", id.clone());
            if let Some(path) = org.org_path(account) {
                ctx.set("aws:PrincipalOrgPaths", ContextValue::List(vec![path]));
            }
        }
        for (k, v) in tags {
            set_single(&mut ctx, &format!("aws:PrincipalTag/{k}"), v.clone());
        }
    }
    if let Some(s) = &req.session {
        set_single(&mut ctx, "aws:TokenIssueTime", format_time(s.issued_at));
        set_single(
            &mut ctx,
            "aws:MultiFactorAuthPresent",
            if s.mfa { "true" } else { "false" },
        );
        if s.mfa {
            set_single(
                &mut ctx,
                "aws:MultiFactorAuthAge",
                (now - s.issued_at).max(0).to_string(),
            );
        }
        if let Some(si) = &s.source_identity {
            set_single(&mut ctx, "aws:SourceIdentity", si.clone());
        }
        if let Some(fp) = &s.federated_provider {
            set_single(&mut ctx, "aws:FederatedProvider", fp.clone());
        }
        if s.kind == SessionKind::FederatedUser {
            set_single(&mut ctx, "aws:PrincipalArn", s.arn.clone());
        }
    }
    if let Some(ra) = resource_account {
        set_single(&mut ctx, "aws:ResourceAccount", ra);
        if org.in_org(ra)
            && let Some(id) = &org.id
        {
            set_single(&mut ctx, "aws:ResourceOrgID", id.clone());
            if let Some(path) = org.org_path(ra) {
                ctx.set("aws:ResourceOrgPaths", ContextValue::List(vec![path]));
            }
        }
    }
    if let Some(entry) = org.resource_entry(&req.resource) {
        // The model knows the resource: its tags replace whatever the caller said.
        let stale: Vec<String> = ctx
            .iter()
            .map(|(k, _)| k.to_string())
            .filter(|k| k.to_lowercase().starts_with("aws:resourcetag/"))
            .collect();
        for k in stale {
            ctx.remove(&k);
        }
        if entry.arn == req.resource {
            for (k, v) in &entry.tags {
                set_single(&mut ctx, &format!("aws:ResourceTag/{k}"), v.clone());
            }
        }
    }
    ctx
}
