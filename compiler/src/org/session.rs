//! Temporary sessions (STS): what `AssumeRole` (and its web-identity and SAML variants) and
//! `GetFederationToken` hand back, and what later requests carry.

use serde::{Deserialize, Serialize};

/// Which STS call created the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionKind {
    /// `AssumeRole`, `AssumeRoleWithWebIdentity` or `AssumeRoleWithSAML`: a role session.
    Role,
    /// `GetFederationToken`: a federated-user session.
    FederatedUser,
}

/// A session created at run time. Serialized as JSON by `gavel assume-role` and read back by
/// `gavel eval --session`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Session {
    /// Role session or federated-user session.
    pub kind: SessionKind,
    /// The session's ARN: `arn:aws:sts::ACCT:assumed-role/ROLE/NAME` or `…:federated-user/NAME`.
    pub arn: String,
    /// For role sessions: the role's ARN, path included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// For federated-user sessions: the IAM user (or root) that called `GetFederationToken`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_arn: Option<String>,
    /// The session name.
    pub session_name: String,
    /// When the credentials were issued (`aws:TokenIssueTime`), epoch seconds.
    pub issued_at: i64,
    /// When the credentials expire, epoch seconds.
    pub expires_at: i64,
    /// The inline session policy, as JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inline_policy: Option<String>,
    /// Managed session policies, by ARN.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_arns: Vec<String>,
    /// Session tags, already merged over the role's tags (session tags win, case-insensitively).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<(String, String)>,
    /// Keys of tags that pass on to chained role sessions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transitive_tag_keys: Vec<String>,
    /// `aws:SourceIdentity`, once set it cannot change along a chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_identity: Option<String>,
    /// Whether MFA was used to authenticate (`aws:MultiFactorAuthPresent`).
    #[serde(default)]
    pub mfa: bool,
    /// The identity provider for web-identity and SAML sessions (`aws:FederatedProvider`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub federated_provider: Option<String>,
}

impl Session {
    /// True when the credentials have expired at `now` (epoch seconds).
    pub fn expired_at(&self, now: i64) -> bool {
        now >= self.expires_at
    }
}
