//! `AssumeRole` and its web-identity and SAML variants: itself an authorization decision
//! (the caller's identity side and the role's trust policy, spec §6.9), yielding a session.

use super::model::{Organization, Tags};
use super::resolve::{format_time, now};
use super::session::{Session, SessionKind};
use crate::json::{self, ParseMode};
use crate::model::PolicyType;
use crate::reference::{Options, decide_org};
use gavel_runtime::principal::split_arn;
use gavel_runtime::{Context, ContextValue, Decision, Explanation};
use thiserror::Error;

/// Which STS call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AssumeKind {
    /// `sts:AssumeRole` by an IAM user, a role session or the root user.
    #[default]
    AssumeRole,
    /// `sts:AssumeRoleWithWebIdentity` by an OIDC identity (the caller is the provider).
    WebIdentity,
    /// `sts:AssumeRoleWithSAML` by a SAML identity (the caller is the provider).
    Saml,
}

/// The parameters of an `AssumeRole` call.
#[derive(Clone, Debug, Default)]
pub struct AssumeRoleInput {
    /// Which call.
    pub kind: AssumeKind,
    /// The caller's ARN (or the identity provider for web identity and SAML).
    pub caller: String,
    /// The caller's own session, when the caller is a role session (role chaining).
    pub caller_session: Option<Session>,
    /// The role to assume.
    pub role_arn: String,
    /// `RoleSessionName`.
    pub session_name: String,
    /// `DurationSeconds`; default one hour.
    pub duration: Option<u32>,
    /// The inline session policy (`Policy`), JSON text.
    pub inline_policy: Option<String>,
    /// Managed session policies (`PolicyArns`), at most 10.
    pub policy_arns: Vec<String>,
    /// Session tags (`Tags`), at most 50.
    pub tags: Tags,
    /// `TransitiveTagKeys`.
    pub transitive_tag_keys: Vec<String>,
    /// `SourceIdentity`.
    pub source_identity: Option<String>,
    /// Whether the caller authenticated with MFA (`SerialNumber`/`TokenCode` given).
    pub mfa: bool,
    /// Further request keys (`sts:ExternalId`, provider claims such as
    /// `token.actions.githubusercontent.com:sub`, `aws:SourceIp`, ...).
    pub context: Context,
    /// The request time (epoch seconds); `None` = now.
    pub time: Option<i64>,
}

/// Why no session was issued.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum AssumeRoleError {
    /// A parameter AWS itself would refuse.
    #[error("invalid AssumeRole parameters: {0}")]
    Invalid(String),
    /// An authorization step denied the call.
    #[error("{action} on `{role}` was denied ({decision}): {why}")]
    Denied {
        /// The action that was denied (`sts:AssumeRole`, `sts:TagSession`, ...).
        action: String,
        /// The role.
        role: String,
        /// The decision.
        decision: Decision,
        /// The reason.
        why: String,
        /// The full explanation.
        explanation: Box<Explanation>,
    },
}

fn invalid(msg: impl Into<String>) -> AssumeRoleError {
    AssumeRoleError::Invalid(msg.into())
}

fn valid_session_name(name: &str) -> bool {
    (2..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@-_".contains(c))
}

/// Assumes a role: validates the call as STS would, decides `sts:AssumeRole` (plus
/// `sts:TagSession` when tags are passed and `sts:SetSourceIdentity` when a source identity
/// is set, spec §6.9), and returns the session.
pub fn assume_role(
    org: &Organization,
    input: &AssumeRoleInput,
    opts: &Options,
) -> Result<Session, AssumeRoleError> {
    let now = input.time.unwrap_or_else(now);
    let Some([_, partition, "iam", "", account, res]) = split_arn(&input.role_arn) else {
        return Err(invalid(format!("`{}` is not a role ARN", input.role_arn)));
    };
    let role = org
        .accounts
        .get(account)
        .and_then(|a| a.roles.values().find(|r| r.arn == input.role_arn))
        .ok_or_else(|| invalid(format!("role `{}` does not exist", input.role_arn)))?;
    if !res.starts_with("role/") {
        return Err(invalid(format!("`{}` is not a role ARN", input.role_arn)));
    }
    if input.kind == AssumeKind::AssumeRole && input.caller.ends_with(":root") {
        // STS refuses root-user credentials for AssumeRole (STS-AR: "You cannot use AWS account
        // root user credentials to call AssumeRole").
        return Err(invalid(
            "the root user cannot call AssumeRole; use an IAM user or role",
        ));
    }
    if !valid_session_name(&input.session_name) {
        return Err(invalid(format!(
            "session name `{}` must be 2 to 64 characters of letters, digits and +=,.@-_",
            input.session_name
        )));
    }
    let chaining = input
        .caller_session
        .as_ref()
        .is_some_and(|s| s.kind == SessionKind::Role);
    let max = if chaining {
        3600
    } else {
        role.max_session_duration.max(3600)
    };
    let duration = input.duration.unwrap_or(3600);
    if !(900..=max).contains(&duration) {
        return Err(invalid(format!(
            "duration {duration}s is outside 900..={max}s{}",
            if chaining {
                " (role chaining is limited to one hour)"
            } else {
                ""
            }
        )));
    }
    if input.policy_arns.len() > 10 {
        return Err(invalid("at most 10 managed session policies (PolicyArns)"));
    }
    for arn in &input.policy_arns {
        if !org.managed_policies.contains_key(arn) {
            return Err(invalid(format!(
                "managed session policy `{arn}` does not exist"
            )));
        }
    }
    if let Some(text) = &input.inline_policy {
        if text.chars().filter(|c| !c.is_whitespace()).count() > 2048 {
            return Err(invalid(
                "the inline session policy exceeds 2,048 characters",
            ));
        }
        json::parse_policy_with(text, PolicyType::Session, ParseMode::Strict)
            .map_err(|d| invalid(format!("inline session policy: {d}")))?;
    }
    if input.tags.len() > 50 {
        return Err(invalid("at most 50 session tags"));
    }
    for (k, v) in &input.tags {
        if k.is_empty() || k.len() > 128 || v.len() > 256 {
            return Err(invalid(format!(
                "session tag `{k}`: keys are 1-128 and values 0-256 characters"
            )));
        }
        if input
            .tags
            .iter()
            .filter(|(o, _)| o.eq_ignore_ascii_case(k))
            .count()
            > 1
        {
            return Err(invalid(format!("session tag `{k}` is given twice")));
        }
    }
    for k in &input.transitive_tag_keys {
        if !input.tags.iter().any(|(t, _)| t.eq_ignore_ascii_case(k)) {
            return Err(invalid(format!(
                "transitive tag key `{k}` is not among the session tags"
            )));
        }
    }
    let inherited: Tags = input
        .caller_session
        .as_ref()
        .map(|s| {
            s.tags
                .iter()
                .filter(|(k, _)| {
                    s.transitive_tag_keys
                        .iter()
                        .any(|t| t.eq_ignore_ascii_case(k))
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    for (k, _) in &input.tags {
        if inherited.iter().any(|(i, _)| i.eq_ignore_ascii_case(k)) {
            return Err(invalid(format!(
                "session tag `{k}` conflicts with a transitive tag of the calling session"
            )));
        }
    }
    let caller_source = input
        .caller_session
        .as_ref()
        .and_then(|s| s.source_identity.clone());
    if let (Some(old), Some(new)) = (&caller_source, &input.source_identity)
        && old != new
    {
        return Err(invalid(format!(
            "the source identity `{old}` of the calling session cannot change"
        )));
    }

    // The authorization decisions.
    let mut context = input.context.clone();
    context.set(
        "sts:RoleSessionName",
        ContextValue::Single(input.session_name.clone()),
    );
    if !input.tags.is_empty() {
        for (k, v) in &input.tags {
            context.set(
                &format!("aws:RequestTag/{k}"),
                ContextValue::Single(v.clone()),
            );
        }
        context.set(
            "aws:TagKeys",
            ContextValue::List(input.tags.iter().map(|(k, _)| k.clone()).collect()),
        );
    }
    if !input.transitive_tag_keys.is_empty() {
        context.set(
            "sts:TransitiveTagKeys",
            ContextValue::List(input.transitive_tag_keys.clone()),
        );
    }
    if let Some(si) = &input.source_identity {
        context.set("sts:SourceIdentity", ContextValue::Single(si.clone()));
    }
    if input.caller_session.is_none() && input.kind == AssumeKind::AssumeRole {
        context.set(
            "aws:MultiFactorAuthPresent",
            ContextValue::Single(input.mfa.to_string()),
        );
    }
    let main_action = match input.kind {
        AssumeKind::AssumeRole => "sts:AssumeRole",
        AssumeKind::WebIdentity => "sts:AssumeRoleWithWebIdentity",
        AssumeKind::Saml => "sts:AssumeRoleWithSAML",
    };
    let mut actions = vec![main_action];
    if !input.tags.is_empty() {
        actions.push("sts:TagSession");
    }
    if input.source_identity.is_some() && caller_source.is_none() {
        actions.push("sts:SetSourceIdentity");
    }
    for action in actions {
        let req = super::OrgRequest {
            principal: input.caller.clone(),
            action: action.to_string(),
            resource: input.role_arn.clone(),
            resource_account: Some(account.to_string()),
            context: context.clone(),
            session: input.caller_session.clone(),
            time: Some(now),
        };
        let e = decide_org(org, &req, opts);
        if e.decision != Decision::Allow {
            return Err(AssumeRoleError::Denied {
                action: action.to_string(),
                role: input.role_arn.clone(),
                decision: e.decision,
                why: e.basis.describe(),
                explanation: Box::new(e),
            });
        }
    }

    let mut session_tags = inherited.clone();
    session_tags.extend(input.tags.iter().cloned());
    let mut transitive: Vec<String> = input
        .caller_session
        .as_ref()
        .map(|s| s.transitive_tag_keys.clone())
        .unwrap_or_default();
    transitive.extend(input.transitive_tag_keys.iter().cloned());
    let mfa = match &input.caller_session {
        Some(s) => s.mfa,
        None => input.mfa,
    };
    let _ = format_time; // times are kept as epoch seconds in the session
    Ok(Session {
        kind: SessionKind::Role,
        arn: format!(
            "arn:{partition}:sts::{account}:assumed-role/{}/{}",
            role.name, input.session_name
        ),
        role_arn: Some(role.arn.clone()),
        parent_arn: None,
        session_name: input.session_name.clone(),
        issued_at: now,
        expires_at: now + i64::from(duration),
        inline_policy: input.inline_policy.clone(),
        policy_arns: input.policy_arns.clone(),
        tags: session_tags,
        transitive_tag_keys: transitive,
        source_identity: input.source_identity.clone().or(caller_source),
        mfa: mfa && input.kind == AssumeKind::AssumeRole,
        federated_provider: match input.kind {
            AssumeKind::AssumeRole => None,
            _ => Some(input.caller.clone()),
        },
    })
}
