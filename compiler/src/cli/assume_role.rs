//! `gavel assume-role`: decide an `AssumeRole` call and print the session as JSON.

use super::org_args::{load_org, load_session, parse_context, parse_tags, parse_time};
use crate::org::{AssumeKind, AssumeRoleError, AssumeRoleInput, assume_role};
use crate::reference::Options;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `gavel assume-role`.
#[derive(Args, Debug)]
pub struct AssumeRoleArgs {
    /// The organization manifest.
    #[arg(long)]
    org: PathBuf,
    /// Managed-policy files (JSON Lines) for attachments the organization's dumps lack.
    #[arg(long = "managed-policies")]
    managed_policies: Vec<PathBuf>,
    /// The caller: an IAM user or root ARN, a role session ARN (with `--caller-session`), or
    /// the identity provider for `--web-identity` / `--saml`.
    #[arg(long)]
    caller: String,
    /// The caller's own session (role chaining), JSON from an earlier `gavel assume-role`.
    #[arg(long)]
    caller_session: Option<PathBuf>,
    /// The role to assume.
    #[arg(long)]
    role: String,
    /// The session name.
    #[arg(long, default_value = "gavel-session")]
    session_name: String,
    /// Session duration in seconds (900 to the role's maximum; default 3600).
    #[arg(long)]
    duration: Option<u32>,
    /// An inline session policy file.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// A managed session policy ARN (repeatable, at most 10).
    #[arg(long = "policy-arn")]
    policy_arns: Vec<String>,
    /// A session tag `key=value` (repeatable).
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// A transitive tag key (repeatable).
    #[arg(long = "transitive-tag")]
    transitive: Vec<String>,
    /// The source identity.
    #[arg(long)]
    source_identity: Option<String>,
    /// The caller authenticated with MFA.
    #[arg(long)]
    mfa: bool,
    /// `AssumeRoleWithWebIdentity`: the caller is an OIDC provider; claims go in `--context`.
    #[arg(long, conflicts_with = "saml")]
    web_identity: bool,
    /// `AssumeRoleWithSAML`: the caller is a SAML provider; assertions go in `--context`.
    #[arg(long)]
    saml: bool,
    /// A request key `key=value` (e.g. `sts:ExternalId=…`, `token.actions.githubusercontent.com:sub=…`).
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// The request time, epoch seconds or RFC 3339 (default: now).
    #[arg(long)]
    time: Option<String>,
}

fn build(args: &AssumeRoleArgs) -> Result<AssumeRoleInput, String> {
    Ok(AssumeRoleInput {
        kind: if args.web_identity {
            AssumeKind::WebIdentity
        } else if args.saml {
            AssumeKind::Saml
        } else {
            AssumeKind::AssumeRole
        },
        caller: args.caller.clone(),
        caller_session: args
            .caller_session
            .as_deref()
            .map(load_session)
            .transpose()?,
        role_arn: args.role.clone(),
        session_name: args.session_name.clone(),
        duration: args.duration,
        inline_policy: args.policy.as_deref().map(super::read_file).transpose()?,
        policy_arns: args.policy_arns.clone(),
        tags: parse_tags(&args.tags)?,
        transitive_tag_keys: args.transitive.clone(),
        source_identity: args.source_identity.clone(),
        mfa: args.mfa,
        context: parse_context(&args.context)?,
        time: args.time.as_deref().map(parse_time).transpose()?,
    })
}

/// Runs `gavel assume-role`.
pub fn run(args: &AssumeRoleArgs) -> ExitCode {
    let result = load_org(&args.org, &args.managed_policies).and_then(|org| {
        let input = build(args)?;
        Ok(assume_role(&org, &input, &Options::default()))
    });
    match result {
        Ok(Ok(session)) => match serde_json::to_string_pretty(&session) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
        Ok(Err(AssumeRoleError::Denied {
            explanation,
            action,
            role,
            ..
        })) => {
            eprintln!(
                "denied: {action} on `{role}`: {} ({})",
                explanation.decision,
                explanation.basis.describe()
            );
            for s in &explanation.statements {
                eprintln!(
                    "  {} {} policy `{}` statement #{}",
                    s.effect.as_str(),
                    s.kind.label(),
                    s.policy,
                    s.index
                );
            }
            ExitCode::from(1)
        }
        Ok(Err(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
