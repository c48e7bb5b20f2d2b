//! Context lookups for compiled conditions: the request's own context (fixed policy sets), or
//! the context `org::resolve` would derive for an organization (spec §1.1.4), computed key by
//! key on demand instead of being materialized, so a request allocates nothing.

use super::caller::Caller;
use crate::principal::PrincipalKind;
use crate::request::{Context, ContextValue, SessionInfo};
use crate::tables::{Account, ResourceRecord, Tag};
use std::cell::OnceCell;
use std::fmt::Write as _;

/// A context value as conditions see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Val<'a> {
    /// A single-valued key.
    Single(&'a str),
    /// A multivalued key.
    List(&'a [String]),
    /// A multivalued key with exactly this one element (derived `…OrgPaths`).
    One(&'a str),
}

impl<'a> Val<'a> {
    /// Null for the `Null` operator: the empty string, the empty list.
    pub fn is_null(self) -> bool {
        match self {
            Val::Single(s) => s.is_empty(),
            Val::List(items) => items.is_empty(),
            Val::One(_) => false,
        }
    }

    /// The elements a set operator ranges over.
    pub fn elements(self) -> impl Iterator<Item = &'a str> {
        let (slice, one): (&'a [String], Option<&'a str>) = match self {
            Val::Single(s) | Val::One(s) => (&[], Some(s)),
            Val::List(items) => (items, None),
        };
        one.into_iter().chain(slice.iter().map(String::as_str))
    }

    fn of(v: &'a ContextValue) -> Val<'a> {
        match v {
            ContextValue::Single(s) => Val::Single(s),
            ContextValue::List(items) => Val::List(items),
        }
    }
}

/// Where conditions read context keys from. Keys are lower-cased by the compiler.
pub trait Lookup {
    /// The value of a lower-cased key.
    fn get(&self, key: &str) -> Option<Val<'_>>;

    /// The value of a lower-cased key whose [`KeyKind`] is already known (condition clauses
    /// carry theirs): the same answer as [`Lookup::get`], without matching the key's text.
    fn get_kind(&self, kind: KeyKind, key: &str) -> Option<Val<'_>> {
        let _ = kind;
        self.get(key)
    }
}

/// What a (lower-cased) context key is to the organization evaluator: one of the keys it
/// derives, another principal key, a time key, or a key the request gives. Computed once per
/// condition clause when the tables are built or loaded ([`KeyKind::of`]), so that a lookup
/// dispatches on a small integer instead of comparing the key with every derived key's name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // each variant is the key of the same name
pub enum KeyKind {
    PrincipalType,
    PrincipalAccount,
    UserId,
    PrincipalIsAwsService,
    PrincipalServiceName,
    FederatedProvider,
    PrincipalArn,
    Username,
    PrincipalOrgId,
    PrincipalOrgPaths,
    TokenIssueTime,
    MfaPresent,
    MfaAge,
    SourceIdentity,
    ResourceAccount,
    ResourceOrgId,
    ResourceOrgPaths,
    /// `aws:principaltag/…`.
    PrincipalTag,
    /// `aws:resourcetag/…`.
    ResourceTag,
    /// A principal key the evaluator does not derive (`aws:principalservicenameslist`).
    OtherPrincipal,
    CurrentTime,
    EpochTime,
    /// Any other key: read from the request as given.
    #[default]
    Given,
}

impl KeyKind {
    /// The kind of a lower-cased key.
    pub fn of(key: &str) -> KeyKind {
        use KeyKind::*;
        match key {
            "aws:principaltype" => PrincipalType,
            "aws:principalaccount" => PrincipalAccount,
            "aws:userid" => UserId,
            "aws:principalisawsservice" => PrincipalIsAwsService,
            "aws:principalservicename" => PrincipalServiceName,
            "aws:federatedprovider" => FederatedProvider,
            "aws:principalarn" => PrincipalArn,
            "aws:username" => Username,
            "aws:principalorgid" => PrincipalOrgId,
            "aws:principalorgpaths" => PrincipalOrgPaths,
            "aws:tokenissuetime" => TokenIssueTime,
            "aws:multifactorauthpresent" => MfaPresent,
            "aws:multifactorauthage" => MfaAge,
            "aws:sourceidentity" => SourceIdentity,
            "aws:resourceaccount" => ResourceAccount,
            "aws:resourceorgid" => ResourceOrgId,
            "aws:resourceorgpaths" => ResourceOrgPaths,
            "aws:principalservicenameslist" => OtherPrincipal,
            "aws:currenttime" => CurrentTime,
            "aws:epochtime" => EpochTime,
            _ if key.starts_with("aws:principaltag/") => PrincipalTag,
            _ if key.starts_with("aws:resourcetag/") => ResourceTag,
            _ => Given,
        }
    }

    /// A key of [`PRINCIPAL_KEYS`]: never taken from the request in an organization.
    pub fn is_principal(self) -> bool {
        use KeyKind::*;
        !matches!(
            self,
            TokenIssueTime | MfaPresent | MfaAge | ResourceTag | CurrentTime | EpochTime | Given
        )
    }

    /// A key of [`SESSION_KEYS`].
    pub fn is_session(self) -> bool {
        matches!(
            self,
            KeyKind::TokenIssueTime | KeyKind::MfaPresent | KeyKind::MfaAge
        )
    }
}

/// The request context as given (fixed policy sets: the context is complete).
pub struct Given<'a>(pub &'a Context);

impl Lookup for Given<'_> {
    fn get(&self, key: &str) -> Option<Val<'_>> {
        self.0.get_lower(key).map(Val::of)
    }
}

/// Text formatted on demand into an inline buffer (heap only past 128 bytes).
#[derive(Clone, Debug)]
pub struct SmallStr {
    buf: [u8; 128],
    len: usize,
    heap: Option<String>,
}

impl Default for SmallStr {
    fn default() -> SmallStr {
        SmallStr {
            buf: [0; 128],
            len: 0,
            heap: None,
        }
    }
}

impl SmallStr {
    /// The text.
    pub fn as_str(&self) -> &str {
        if let Some(h) = &self.heap {
            return h;
        }
        // Only whole `&str`s are ever copied in, so the prefix is valid UTF-8.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

impl std::fmt::Write for SmallStr {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if let Some(h) = &mut self.heap {
            h.push_str(s);
            return Ok(());
        }
        let end = self.len + s.len();
        if end <= self.buf.len() {
            self.buf[self.len..end].copy_from_slice(s.as_bytes());
            self.len = end;
        } else {
            let mut h = String::with_capacity(end);
            h.push_str(self.as_str());
            h.push_str(s);
            self.heap = Some(h);
        }
        Ok(())
    }
}

/// `aws:CurrentTime`-style text of epoch seconds: RFC 3339, or the number when out of range.
pub fn format_time(epoch: i64, out: &mut SmallStr) {
    let formatted = time::OffsetDateTime::from_unix_timestamp(epoch)
        .ok()
        .map(|t| {
            let (y, mo, d) = (t.year(), u8::from(t.month()), t.day());
            let (h, mi, s) = (t.hour(), t.minute(), t.second());
            (0..=9999)
                .contains(&y)
                .then(|| write!(out, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"))
        });
    if !matches!(formatted, Some(Some(Ok(())))) {
        *out = SmallStr::default();
        let _ = write!(out, "{epoch}");
    }
}

fn lazy(cell: &OnceCell<SmallStr>, fill: impl FnOnce(&mut SmallStr)) -> &str {
    cell.get_or_init(|| {
        let mut s = SmallStr::default();
        fill(&mut s);
        s
    })
    .as_str()
}

fn single(s: &str) -> Option<Val<'_>> {
    Some(Val::Single(s))
}

/// Principal keys a caller may not supply: Gavel derives them, so a client cannot spoof its
/// identity (lower-case; `/` ends a prefix). Both evaluators strip them from the caller's context.
pub const PRINCIPAL_KEYS: &[&str] = &[
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principaltag/",
    "aws:principaltype",
    "aws:principalisawsservice",
    "aws:principalservicename",
    "aws:principalservicenameslist",
    "aws:userid",
    "aws:username",
    "aws:sourceidentity",
    "aws:federatedprovider",
    "aws:resourceaccount",
    "aws:resourceorgid",
    "aws:resourceorgpaths",
];

/// Keys that come from the session when the caller acts with one.
pub const SESSION_KEYS: &[&str] = &[
    "aws:tokenissuetime",
    "aws:multifactorauthpresent",
    "aws:multifactorauthage",
];

/// True for a (lower-cased) key in [`PRINCIPAL_KEYS`].
pub fn is_principal_key(key: &str) -> bool {
    PRINCIPAL_KEYS.iter().any(|k| {
        if k.ends_with('/') {
            key.starts_with(k)
        } else {
            key == *k
        }
    })
}

/// `k.to_lowercase() == lower`, without allocating for ASCII keys.
fn key_is(k: &str, lower: &str) -> bool {
    if k.is_ascii() {
        k.len() == lower.len()
            && k.bytes()
                .zip(lower.bytes())
                .all(|(a, b)| a.to_ascii_lowercase() == b)
    } else {
        k.to_lowercase() == lower
    }
}

/// The context of a request against an organization, derived as `org::resolve` does.
pub struct Derived<'a> {
    /// The caller's own keys.
    pub given: &'a Context,
    /// The caller, as resolved.
    pub caller: &'a Caller<'a>,
    /// The caller's tags (user or role; a `Vec`, so that a principal record's are read only
    /// when a condition asks for them).
    pub tags: &'a Vec<Tag>,
    /// The session.
    pub session: Option<&'a SessionInfo>,
    /// The organization id.
    pub org_id: Option<&'a str>,
    /// The caller's account, when the model has it.
    pub account: Option<&'a Account>,
    /// The resource's account id.
    pub resource_account: Option<&'a str>,
    /// The resource's account, when the model has it.
    pub resource_account_record: Option<&'a Account>,
    /// The model's entry for the resource (or its bucket).
    pub resource_entry: Option<&'a ResourceRecord>,
    /// The resource ARN.
    pub resource: &'a str,
    /// The request time.
    pub now: i64,
    /// Formatted on first use.
    pub cache: DerivedText,
}

/// Derived values that need formatting, computed at most once per request.
#[derive(Debug, Default)]
pub struct DerivedText {
    current_time: OnceCell<SmallStr>,
    epoch_time: OnceCell<SmallStr>,
    token_issue_time: OnceCell<SmallStr>,
    mfa_age: OnceCell<SmallStr>,
    userid: OnceCell<SmallStr>,
}

impl Derived<'_> {
    fn org_keys<'s>(&'s self, account: Option<&'s Account>) -> Option<(&'s str, Option<&'s str>)> {
        let a = account.filter(|a| a.in_org)?;
        Some((self.org_id?, a.org_path.as_deref()))
    }

    fn principal_tag(&self, lower_key: &str) -> Option<&str> {
        if let Some(s) = self.session
            && let Some((_, v)) = s.tags.iter().rev().find(|(k, _)| key_is(k, lower_key))
        {
            return Some(v);
        }
        let overridden = |k: &str| {
            self.session
                .is_some_and(|s| s.tags.iter().any(|(o, _)| o.eq_ignore_ascii_case(k)))
        };
        self.tags
            .iter()
            .rev()
            .find(|(k, _)| !overridden(k) && key_is(k, lower_key))
            .map(|(_, v)| &**v)
    }

    /// The value a derived key takes; `None` when the key is not derived for this request.
    fn derived(&self, kind: KeyKind, key: &str) -> Option<Val<'_>> {
        let c = self.caller;
        let account_principal = c.kind.is_account_principal();
        let session = self.session;
        match kind {
            KeyKind::PrincipalType => return single(c.kind.principal_type()),
            KeyKind::PrincipalAccount => {
                if c.kind == PrincipalKind::Anonymous {
                    return single("anonymous");
                }
                if account_principal {
                    return c.account.map(Val::Single);
                }
                return None;
            }
            KeyKind::UserId => {
                if c.kind == PrincipalKind::Anonymous {
                    return single("anonymous");
                }
                let account = c.account.filter(|_| account_principal)?;
                let id = lazy(&self.cache.userid, |out| {
                    let last = c.arn.rsplit('/').next().unwrap_or_default();
                    let _ = match c.kind {
                        PrincipalKind::Root => out.write_str(account),
                        PrincipalKind::IamUser => {
                            out.write_str(c.unique_id.map_or("", String::as_str))
                        }
                        PrincipalKind::RoleSession => {
                            write!(out, "{}:{last}", c.unique_id.map_or("", String::as_str))
                        }
                        _ => write!(out, "{account}:{last}"),
                    };
                });
                return (!id.is_empty() && !id.starts_with(':')).then_some(Val::Single(id));
            }
            KeyKind::PrincipalIsAwsService => {
                return match c.kind {
                    PrincipalKind::Service => single("true"),
                    PrincipalKind::WebIdentity | PrincipalKind::Saml | PrincipalKind::Anonymous => {
                        None
                    }
                    _ => single("false"),
                };
            }
            KeyKind::PrincipalServiceName => {
                return (c.kind == PrincipalKind::Service).then_some(Val::Single(c.arn));
            }
            KeyKind::FederatedProvider => {
                if let Some(fp) = session.and_then(|s| s.federated_provider.as_deref()) {
                    return single(fp);
                }
                return matches!(c.kind, PrincipalKind::WebIdentity | PrincipalKind::Saml)
                    .then_some(Val::Single(c.arn));
            }
            KeyKind::PrincipalArn => {
                if let Some(s) = session.filter(|s| s.federated) {
                    return single(&s.arn);
                }
                if !account_principal || c.account.is_none() {
                    return None;
                }
                return single(match c.kind {
                    PrincipalKind::RoleSession => c.role_arn.unwrap_or(c.arn),
                    _ => c.arn,
                });
            }
            KeyKind::Username => {
                return (c.kind == PrincipalKind::IamUser)
                    .then(|| c.arn.rsplit('/').next())
                    .flatten()
                    .map(Val::Single);
            }
            KeyKind::PrincipalOrgId | KeyKind::PrincipalOrgPaths => {
                if !account_principal || c.account.is_none() {
                    return None;
                }
                let (id, path) = self.org_keys(self.account)?;
                return if kind == KeyKind::PrincipalOrgId {
                    single(id)
                } else {
                    path.map(Val::One)
                };
            }
            KeyKind::TokenIssueTime => {
                let s = session?;
                return single(lazy(&self.cache.token_issue_time, |out| {
                    format_time(s.issued_at, out)
                }));
            }
            KeyKind::MfaPresent => {
                return session.map(|s| Val::Single(if s.mfa { "true" } else { "false" }));
            }
            KeyKind::MfaAge => {
                let s = session.filter(|s| s.mfa)?;
                return single(lazy(&self.cache.mfa_age, |out| {
                    let _ = write!(out, "{}", (self.now - s.issued_at).max(0));
                }));
            }
            KeyKind::SourceIdentity => {
                return session
                    .and_then(|s| s.source_identity.as_deref())
                    .map(Val::Single);
            }
            KeyKind::ResourceAccount => return self.resource_account.map(Val::Single),
            KeyKind::ResourceOrgId | KeyKind::ResourceOrgPaths => {
                self.resource_account?;
                let (id, path) = self.org_keys(self.resource_account_record)?;
                return if kind == KeyKind::ResourceOrgId {
                    single(id)
                } else {
                    path.map(Val::One)
                };
            }
            _ => {}
        }
        if kind == KeyKind::PrincipalTag
            && let Some(tag) = key.strip_prefix("aws:principaltag/")
        {
            if !account_principal || c.account.is_none() {
                return None;
            }
            return self.principal_tag(tag).map(Val::Single);
        }
        if kind == KeyKind::ResourceTag
            && let Some(tag) = key.strip_prefix("aws:resourcetag/")
        {
            let entry = self.resource_entry.filter(|e| e.arn == self.resource)?;
            return entry
                .tags
                .iter()
                .rev()
                .find(|(k, _)| key_is(k, tag))
                .map(|(_, v)| Val::Single(v));
        }
        None
    }
}

impl Lookup for Derived<'_> {
    fn get(&self, key: &str) -> Option<Val<'_>> {
        self.get_kind(KeyKind::of(key), key)
    }

    fn get_kind(&self, kind: KeyKind, key: &str) -> Option<Val<'_>> {
        if kind == KeyKind::Given {
            return self.given.get_lower(key).map(Val::of);
        }
        if let Some(v) = self.derived(kind, key) {
            return Some(v);
        }
        if kind.is_principal()
            || (self.session.is_some() && kind.is_session())
            || (kind == KeyKind::ResourceTag && self.resource_entry.is_some())
        {
            return None;
        }
        if let Some(v) = self.given.get_lower(key) {
            return Some(Val::of(v));
        }
        match kind {
            KeyKind::CurrentTime => Some(Val::Single(lazy(&self.cache.current_time, |out| {
                format_time(self.now, out)
            }))),
            KeyKind::EpochTime => Some(Val::Single(lazy(&self.cache.epoch_time, |out| {
                let _ = write!(out, "{}", self.now);
            }))),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_kinds_match_the_key_lists() {
        // `get_kind` relies on these two flags standing for the two lists exactly.
        for key in PRINCIPAL_KEYS {
            let key = key.to_string() + if key.ends_with('/') { "team" } else { "" };
            assert!(KeyKind::of(&key).is_principal(), "{key}");
            assert!(!KeyKind::of(&key).is_session(), "{key}");
        }
        for key in SESSION_KEYS {
            assert!(KeyKind::of(key).is_session(), "{key}");
            assert!(!KeyKind::of(key).is_principal(), "{key}");
        }
        for key in [
            "aws:sourceip",
            "aws:currenttime",
            "aws:epochtime",
            "aws:resourcetag/team",
            "s3:prefix",
            "aws:principaltagx",
            "",
        ] {
            let kind = KeyKind::of(key);
            assert!(!kind.is_principal() && !kind.is_session(), "{key}");
            assert_eq!(is_principal_key(key), kind.is_principal(), "{key}");
        }
        assert_eq!(KeyKind::of("aws:principaltag/"), KeyKind::PrincipalTag);
        assert_eq!(KeyKind::of("s3:prefix"), KeyKind::Given);
    }
}
