//! The caller as decisions see it, borrowed from the request and the principal table, and
//! `Principal` / `NotPrincipal` matching against it (spec §3.4, §3.5).

use crate::principal::{Principal, PrincipalKind, PrincipalType, split_arn};
use crate::tables::Principals;

/// The caller's identity chain, without owning anything.
#[derive(Clone, Copy, Debug)]
pub struct Caller<'a> {
    /// The kind of caller.
    pub kind: PrincipalKind,
    /// The ARN (canonical for users found in the model), service name or provider.
    pub arn: &'a str,
    /// The partition.
    pub partition: &'a str,
    /// The account of account principals.
    pub account: Option<&'a str>,
    /// Role sessions: the role ARN.
    pub role_arn: Option<&'a str>,
    /// Role sessions: the role name.
    pub role_name: Option<&'a str>,
    /// Federated users: the parent.
    pub parent_arn: Option<&'a str>,
    /// `AIDA…` / `AROA…` (a `String`, so that a principal record's is read only when a
    /// statement asks for it).
    pub unique_id: Option<&'a String>,
    /// A service-linked role's session.
    pub service_linked: bool,
}

impl<'a> Caller<'a> {
    /// The caller exactly as the request gives it.
    pub fn of(p: &'a Principal) -> Caller<'a> {
        Caller {
            kind: p.kind,
            arn: &p.arn,
            partition: &p.partition,
            account: p.account.as_deref(),
            role_arn: p.role_arn.as_deref(),
            role_name: p.role_name.as_deref(),
            parent_arn: p.parent_arn.as_deref(),
            unique_id: p.unique_id.as_ref(),
            service_linked: p.service_linked,
        }
    }

    /// Records the role of a role session (as `Principal::set_role_arn` does); false, and
    /// nothing changed, when `role_arn` is not an IAM role ARN.
    pub fn set_role_arn(&mut self, role_arn: &'a str) -> bool {
        if let Some(path_name) = role_path_name(role_arn) {
            self.service_linked = path_name.starts_with(SERVICE_ROLE_PATH);
            self.role_name = path_name.rsplit('/').next();
            self.role_arn = Some(role_arn);
            return true;
        }
        false
    }

    /// What `set_role_arn(role_arn)` records, from facts worked out when the tables were
    /// loaded ([`crate::tables::HotPrincipal::iam_role`], `name_is`): `role_arn` is an IAM
    /// role ARN, service-linked or not, whose last segment is `name`. Parses nothing.
    pub fn set_known_role(&mut self, role_arn: &'a str, name: &'a str, service_linked: bool) {
        self.service_linked = service_linked;
        self.role_name = Some(name);
        self.role_arn = Some(role_arn);
    }
}

/// The path the service-linked roles live under.
const SERVICE_ROLE_PATH: &str = "aws-service-role/";

/// The path and name of an IAM role ARN (`arn:…:iam:…:…:role/PATH/NAME`).
fn role_path_name(arn: &str) -> Option<&str> {
    match split_arn(arn) {
        Some([_, _, "iam", _, _, res]) => res.strip_prefix("role/"),
        _ => None,
    }
}

/// Whether `arn` is a role ARN [`Caller::set_role_arn`] accepts, and then whether the role is
/// service-linked.
pub fn role_arn_facts(arn: &str) -> Option<bool> {
    role_path_name(arn).map(|p| p.starts_with(SERVICE_ROLE_PATH))
}

/// How a `Principal` entry matched; ordered weakest to strongest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchKind {
    /// The entry names the caller's account.
    AccountLevel,
    /// The entry names the session's role or the federating user.
    RoleOrParent,
    /// The entry names the caller itself, or is `*`.
    Direct,
}

fn account_entry(value: &str) -> Option<&str> {
    if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value);
    }
    // The sixth component is `root` only if the text ends so: skip the split otherwise.
    if !value.ends_with(":root") {
        return None;
    }
    match split_arn(value) {
        Some([_, _, "iam", "", acct, "root"]) => Some(acct),
        _ => None,
    }
}

fn id_prefix(id: &str) -> &str {
    id.split_once(':').map_or(id, |(role, _)| role)
}

fn role_matches(entry: &str, p: &Caller<'_>) -> bool {
    // With the role ARN known only equality can match: test it before parsing the entry.
    if p.role_arn.is_some_and(|r| r != entry) {
        return false;
    }
    let Some([_, part, "iam", "", acct, res]) = split_arn(entry) else {
        return false;
    };
    let Some(path_name) = res.strip_prefix("role/") else {
        return false;
    };
    if let Some(role_arn) = p.role_arn {
        return role_arn == entry;
    }
    let name = path_name.rsplit('/').next().unwrap_or(path_name);
    part == p.partition && p.account == Some(acct) && p.role_name == Some(name)
}

/// How one entry matches the caller (spec §3.4 table).
pub fn match_entry(kind: PrincipalType, value: &str, p: &Caller<'_>) -> Option<MatchKind> {
    match kind {
        PrincipalType::Aws => {
            if value == "*" {
                return Some(MatchKind::Direct);
            }
            if !p.kind.is_account_principal() {
                return None;
            }
            if let Some(acct) = account_entry(value) {
                return (p.account == Some(acct)).then_some(MatchKind::AccountLevel);
            }
            if !value.starts_with("arn:") {
                let uid = p.unique_id.map(|u| id_prefix(u))?;
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
                    } else if p.parent_arn == Some(value) {
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
        PrincipalType::CanonicalUser => None,
    }
}

/// The strongest kind with which a `Principal` element matches.
pub fn match_principal(ps: &Principals, p: &Caller<'_>) -> Option<MatchKind> {
    if ps.wildcard {
        return Some(MatchKind::Direct);
    }
    ps.entries
        .iter()
        .filter_map(|(k, v)| match_entry(*k, v, p))
        .max()
}

/// Does a `NotPrincipal` statement apply (spec §3.5, strict mode A-12)?
pub fn not_principal_applies(ps: &Principals, p: &Caller<'_>, has_boundary: bool) -> bool {
    if has_boundary && matches!(p.kind, PrincipalKind::IamUser | PrincipalKind::RoleSession) {
        return true;
    }
    !covered(ps, p)
}

fn covered(ps: &Principals, p: &Caller<'_>) -> bool {
    if ps.wildcard
        || ps
            .entries
            .iter()
            .any(|(k, v)| *k == PrincipalType::Aws && v == "*")
    {
        return true;
    }
    let listed =
        |pred: &dyn Fn(PrincipalType, &str) -> bool| ps.entries.iter().any(|(k, v)| pred(*k, v));
    let account = || {
        listed(&|k, v| {
            k == PrincipalType::Aws && account_entry(v).is_some_and(|a| p.account == Some(a))
        })
    };
    let kind_is =
        |want: MatchKind| move |k: PrincipalType, v: &str| match_entry(k, v, p) == Some(want);
    match p.kind {
        PrincipalKind::Anonymous => false,
        PrincipalKind::Root => account(),
        PrincipalKind::IamUser | PrincipalKind::FederatedUser => {
            listed(&kind_is(MatchKind::Direct)) && account()
        }
        PrincipalKind::RoleSession => {
            listed(&kind_is(MatchKind::Direct))
                && listed(&kind_is(MatchKind::RoleOrParent))
                && account()
        }
        PrincipalKind::Service | PrincipalKind::WebIdentity | PrincipalKind::Saml => {
            listed(&kind_is(MatchKind::Direct))
        }
    }
}
