//! Matching `Principal` and `NotPrincipal` against the caller (spec §3.4, §3.5).

use crate::model::{PrincipalEntry, PrincipalType, Principals};
use gavel_runtime::principal::split_arn;
use gavel_runtime::{Principal, PrincipalKind};

/// How a `Principal` entry matched the caller; §6.8 treats the kinds differently.
/// Ordered from weakest to strongest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchKind {
    /// The entry names the caller's account (`"AWS": "ACCT"` or `…:root`): it delegates.
    AccountLevel,
    /// The entry names the session's role, or the user who federated.
    RoleOrParent,
    /// The entry names the caller itself, or is `*`.
    Direct,
}

/// Whether `NotPrincipal` needs every link of the caller's chain listed (spec §3.5, A-12).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NotPrincipalMode {
    /// Covered only if every link (principal, role, account) is listed. Gavel's default.
    #[default]
    Strict,
    /// Covered if any entry matches (what iam-simulate does).
    Lenient,
}

/// The caller's identity chain as the matcher needs it.
pub struct Caller<'a> {
    /// The principal.
    pub principal: &'a Principal,
    /// True when the user or role has a permissions boundary (§3.5 boundary rule).
    pub has_boundary: bool,
}

/// True for an entry of the form `"AWS": "*"` or a bare `"*"` list.
fn is_wildcard(entry: &PrincipalEntry) -> bool {
    entry.kind == PrincipalType::Aws && entry.value == "*"
}

/// The account an account-level entry names: `123456789012` or `arn:PART:iam::ACCT:root`.
fn account_entry(value: &str) -> Option<&str> {
    if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value);
    }
    match split_arn(value) {
        Some([_, _, "iam", "", acct, "root"]) => Some(acct),
        _ => None,
    }
}

/// The unique id of a role from `aws:userid`-style `AROA…:session`, or the id itself.
fn id_prefix(id: &str) -> &str {
    id.split_once(':').map_or(id, |(role, _)| role)
}

/// How one entry matches the caller, if it does (spec §3.4 table).
pub fn match_entry(entry: &PrincipalEntry, p: &Principal) -> Option<MatchKind> {
    let value = entry.value.as_str();
    match entry.kind {
        PrincipalType::Aws => {
            if value == "*" {
                return Some(MatchKind::Direct);
            }
            if !p.kind.is_account_principal() {
                return None;
            }
            if let Some(acct) = account_entry(value) {
                return (p.account.as_deref() == Some(acct)).then_some(MatchKind::AccountLevel);
            }
            if !value.starts_with("arn:") {
                // A unique id: AIDA… (user) or AROA… (role).
                let uid = p.unique_id.as_deref().map(id_prefix)?;
                if uid != value {
                    return None;
                }
                return match p.kind {
                    PrincipalKind::IamUser => Some(MatchKind::Direct),
                    PrincipalKind::RoleSession => Some(MatchKind::RoleOrParent),
                    _ => None,
                };
            }
            match p.kind {
                PrincipalKind::IamUser => (p.arn == value).then_some(MatchKind::Direct),
                PrincipalKind::FederatedUser => {
                    if p.arn == value {
                        Some(MatchKind::Direct)
                    } else if p.parent_arn.as_deref() == Some(value) {
                        Some(MatchKind::RoleOrParent)
                    } else {
                        None
                    }
                }
                PrincipalKind::RoleSession => {
                    if p.arn == value {
                        return Some(MatchKind::Direct);
                    }
                    role_matches(value, p).then_some(MatchKind::RoleOrParent)
                }
                _ => None,
            }
        }
        PrincipalType::Service => {
            (p.kind == PrincipalKind::Service && p.arn == value).then_some(MatchKind::Direct)
        }
        PrincipalType::Federated => {
            (matches!(p.kind, PrincipalKind::WebIdentity | PrincipalKind::Saml) && p.arn == value)
                .then_some(MatchKind::Direct)
        }
        // Mapping a canonical user id to its account needs data Gavel does not have; an entry
        // that cannot be resolved grants nothing (fail closed).
        PrincipalType::CanonicalUser => None,
    }
}

/// Does a role ARN entry name the session's role? With the role ARN known, the whole ARN
/// (path included) must be equal; otherwise partition, account and the role name (the last
/// path segment) are compared (spec §3.4, the iam-simulate fallback).
fn role_matches(entry: &str, p: &Principal) -> bool {
    let Some([_, part, "iam", "", acct, res]) = split_arn(entry) else {
        return false;
    };
    let Some(path_name) = res.strip_prefix("role/") else {
        return false;
    };
    if let Some(role_arn) = &p.role_arn {
        return role_arn == entry;
    }
    let name = path_name.rsplit('/').next().unwrap_or(path_name);
    part == p.partition
        && p.account.as_deref() == Some(acct)
        && p.role_name.as_deref() == Some(name)
}

/// The strongest kind with which a `Principal` element matches the caller (spec §3.4: the
/// entries are ORed and the strongest kind wins).
pub fn match_principal(principals: &Principals, p: &Principal) -> Option<MatchKind> {
    if principals.wildcard {
        return Some(MatchKind::Direct);
    }
    principals
        .entries
        .iter()
        .filter_map(|e| match_entry(e, p))
        .max()
}

/// Does a `NotPrincipal` statement apply to the caller (spec §3.5)? It applies to everyone the
/// list does not cover, and always to a user or role session with a permissions boundary.
pub fn not_principal_applies(
    principals: &Principals,
    caller: &Caller<'_>,
    mode: NotPrincipalMode,
) -> bool {
    let p = caller.principal;
    if caller.has_boundary && matches!(p.kind, PrincipalKind::IamUser | PrincipalKind::RoleSession)
    {
        return true;
    }
    !covered(principals, p, mode)
}

fn covered(principals: &Principals, p: &Principal, mode: NotPrincipalMode) -> bool {
    if principals.wildcard || principals.entries.iter().any(|e| is_wildcard(e)) {
        return true;
    }
    let listed =
        |pred: &dyn Fn(&PrincipalEntry) -> bool| principals.entries.iter().any(|e| pred(e));
    if mode == NotPrincipalMode::Lenient {
        return listed(&|e| match_entry(e, p).is_some());
    }
    let account = || {
        listed(&|e| {
            e.kind == PrincipalType::Aws
                && account_entry(&e.value).is_some_and(|a| p.account.as_deref() == Some(a))
        })
    };
    let kind_is = |e: &PrincipalEntry, k: MatchKind| match_entry(e, p) == Some(k);
    match p.kind {
        PrincipalKind::Anonymous => false,
        PrincipalKind::Root => account(),
        PrincipalKind::IamUser | PrincipalKind::FederatedUser => {
            listed(&|e| kind_is(e, MatchKind::Direct)) && account()
        }
        PrincipalKind::RoleSession => {
            listed(&|e| kind_is(e, MatchKind::Direct))
                && listed(&|e| kind_is(e, MatchKind::RoleOrParent))
                && account()
        }
        PrincipalKind::Service | PrincipalKind::WebIdentity | PrincipalKind::Saml => {
            listed(&|e| kind_is(e, MatchKind::Direct))
        }
    }
}
