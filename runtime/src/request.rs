//! A request to authorize (spec §1.1) and its context.

use crate::principal::Principal;
use thiserror::Error;

/// A context value: one string, or a list for a multivalued key (spec §1.1.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContextValue {
    /// A single-valued key.
    Single(String),
    /// A multivalued key (`ArrayOf…`), even when it holds one element.
    List(Vec<String>),
}

/// A context that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ContextError {
    /// Two keys differ only in case (spec §1.1.4, A-1): lookups would be ambiguous.
    #[error(
        "context keys `{first}` and `{second}` differ only in case; AWS would match both (spec A-1)"
    )]
    CaseConflict {
        /// The key already present.
        first: String,
        /// The key being added.
        second: String,
    },
}

/// The request context: case-insensitive keys to values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    // (hash of the lower-cased key, lower-cased key, key as given, value); few keys, so a
    // vector beats a map. A lookup compares hashes first: the key texts are separate
    // allocations, and reading one that does not match is a cache miss at the hot path.
    entries: Vec<(u64, String, String, ContextValue)>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// Adds a key; a key equal to an existing one up to case is rejected.
    pub fn insert(&mut self, key: &str, value: ContextValue) -> Result<(), ContextError> {
        let lower = key.to_lowercase();
        if let Some((_, _, first, _)) = self.entries.iter().find(|(_, l, _, _)| *l == lower) {
            return Err(ContextError::CaseConflict {
                first: first.clone(),
                second: key.to_string(),
            });
        }
        self.entries
            .push((key_hash(&lower), lower, key.to_string(), value));
        Ok(())
    }

    /// Sets a key, replacing any value under the same key in any case.
    pub fn set(&mut self, key: &str, value: ContextValue) {
        let lower = key.to_lowercase();
        self.entries.retain(|(_, l, _, _)| *l != lower);
        self.entries
            .push((key_hash(&lower), lower, key.to_string(), value));
    }

    /// Removes a key (any case).
    pub fn remove(&mut self, key: &str) {
        let lower = key.to_lowercase();
        self.entries.retain(|(_, l, _, _)| *l != lower);
    }

    /// Looks a key up case-insensitively.
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        self.entries
            .iter()
            .find(|(_, l, _, _)| {
                l.eq_ignore_ascii_case(key) && l.to_lowercase() == key.to_lowercase()
            })
            .map(|(_, _, _, v)| v)
    }

    /// Looks up a key that is already lower-case.
    pub fn get_lower(&self, lower_key: &str) -> Option<&ContextValue> {
        let h = key_hash(lower_key);
        self.entries
            .iter()
            .find(|(kh, l, _, _)| *kh == h && l == lower_key)
            .map(|(_, _, _, v)| v)
    }

    /// The single string value of a key, if it has one.
    pub fn get_single(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(ContextValue::Single(s)) => Some(s),
            _ => None,
        }
    }

    /// Iterates over (key as given, value).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries.iter().map(|(_, _, k, v)| (k.as_str(), v))
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no keys.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The hash [`Context`] files a lower-cased key under.
fn key_hash(lower: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(lower)
}

/// One authorization question: may this principal perform this action on this resource?
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The caller.
    pub principal: Principal,
    /// `service:Action`, compared case-insensitively.
    pub action: String,
    /// The resource ARN, or `*` for actions without resource-level permissions.
    pub resource: String,
    /// The account that owns the resource; `None` means the principal's own account.
    pub resource_account: Option<String>,
    /// The request context.
    pub context: Context,
    /// The session the caller acts with, for decisions against an organization (role and
    /// federated-user sessions created at run time); evaluators of fixed policy sets ignore it.
    pub session: Option<Box<SessionInfo>>,
    /// The request time in epoch seconds; `None` = now. Only decisions against an organization
    /// use it (session expiry, `aws:CurrentTime` when the context lacks it).
    pub time: Option<i64>,
}

/// A temporary session (STS) as the runtime needs it: identity chain, session keys and the
/// session policies. Built by the compiler library from a session document
/// (`gavel_compiler::lower::runtime_request`), so an inline session policy arrives compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionInfo {
    /// True for a `GetFederationToken` session, false for a role session.
    pub federated: bool,
    /// The session ARN.
    pub arn: String,
    /// For role sessions: the role ARN.
    pub role_arn: Option<String>,
    /// For federated-user sessions: the IAM user (or root) that federated.
    pub parent_arn: Option<String>,
    /// `aws:TokenIssueTime`, epoch seconds.
    pub issued_at: i64,
    /// Expiry, epoch seconds.
    pub expires_at: i64,
    /// Session tags (they override the role's tags of the same key).
    pub tags: Vec<(String, String)>,
    /// `aws:SourceIdentity`.
    pub source_identity: Option<String>,
    /// `aws:MultiFactorAuthPresent`.
    pub mfa: bool,
    /// `aws:FederatedProvider` for web-identity and SAML sessions.
    pub federated_provider: Option<String>,
    /// The inline session policy, compiled on its own (self-contained action patterns).
    pub inline_policy: Option<crate::tables::Policy>,
    /// Managed session policies by ARN, looked up in the decision tables.
    pub policy_arns: Vec<String>,
}

impl Request {
    /// The owning account of the resource: the explicit one, else the ARN's account field,
    /// else the principal's account (spec §1.1.3).
    pub fn effective_resource_account(&self) -> Option<&str> {
        if let Some(a) = &self.resource_account {
            return Some(a);
        }
        if let Some([_, _, _, _, acct, _]) = crate::principal::split_arn(&self.resource)
            && !acct.is_empty()
        {
            return Some(acct);
        }
        self.principal.account.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_case_insensitive_and_conflicts_rejected() {
        let mut c = Context::new();
        c.insert("aws:SourceIp", ContextValue::Single("1.2.3.4".into()))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(c.get("AWS:sourceip").is_some());
        assert!(c.get_lower("aws:sourceip").is_some());
        assert!(
            c.insert("AWS:SOURCEIP", ContextValue::Single("x".into()))
                .is_err()
        );
        c.set("AWS:SOURCEIP", ContextValue::Single("x".into()));
        assert_eq!(c.get_single("aws:sourceip"), Some("x"));
        assert_eq!(c.len(), 1);
        // Lookups compare hashes first: another key must still miss, and a key
        // set again or removed is found, or not, under its new entry.
        assert!(c.get_lower("aws:sourcevpc").is_none());
        c.set("aws:SourceVpc", ContextValue::Single("vpc-1".into()));
        assert!(
            matches!(c.get_lower("aws:sourcevpc"), Some(ContextValue::Single(v)) if v == "vpc-1")
        );
        assert!(matches!(c.get_lower("aws:sourceip"), Some(ContextValue::Single(v)) if v == "x"));
        c.remove("AWS:SourceIP");
        assert!(c.get_lower("aws:sourceip").is_none());
        assert!(c.get_lower("aws:sourcevpc").is_some());
    }
}
