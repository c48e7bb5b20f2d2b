//! The caller of a request (spec §1.1.1).

use thiserror::Error;

/// The kinds of caller AWS distinguishes (spec §1.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// The account's root user, `arn:aws:iam::ACCT:root`.
    Root,
    /// An IAM user, `arn:aws:iam::ACCT:user/PATH/NAME`.
    IamUser,
    /// A role session, `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`.
    RoleSession,
    /// A federated-user session, `arn:aws:sts::ACCT:federated-user/NAME`.
    FederatedUser,
    /// An AWS service principal such as `cloudtrail.amazonaws.com`.
    Service,
    /// An unsigned request.
    Anonymous,
    /// An OIDC identity calling `sts:AssumeRoleWithWebIdentity`.
    WebIdentity,
    /// A SAML identity calling `sts:AssumeRoleWithSAML`.
    Saml,
}

impl PrincipalKind {
    /// The value of `aws:PrincipalType` for this kind (spec §1.1.4).
    pub fn principal_type(self) -> &'static str {
        match self {
            PrincipalKind::Root => "Account",
            PrincipalKind::IamUser => "User",
            PrincipalKind::RoleSession => "AssumedRole",
            PrincipalKind::FederatedUser => "FederatedUser",
            PrincipalKind::Service => "Service",
            PrincipalKind::Anonymous => "Anonymous",
            PrincipalKind::WebIdentity => "WebIdentityUser",
            PrincipalKind::Saml => "SAMLUser",
        }
    }

    /// True for callers that belong to an AWS account (root, users, sessions).
    pub fn is_account_principal(self) -> bool {
        matches!(
            self,
            PrincipalKind::Root
                | PrincipalKind::IamUser
                | PrincipalKind::RoleSession
                | PrincipalKind::FederatedUser
        )
    }
}

/// A request's caller with the identity chain the evaluators match against (spec §3.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The kind of caller.
    pub kind: PrincipalKind,
    /// What the request carries: the ARN (session ARN for sessions), the service name, the
    /// identity provider for web-identity and SAML callers, empty for anonymous callers.
    pub arn: String,
    /// The partition (`aws`, `aws-cn`, ...) of account principals.
    pub partition: String,
    /// The caller's account (account principals only).
    pub account: Option<String>,
    /// For a role session: the role's ARN, path included, when known.
    pub role_arn: Option<String>,
    /// For a role session: the role's name (last segment of the role ARN).
    pub role_name: Option<String>,
    /// For a federated-user session: the ARN of the IAM user (or root) that federated.
    pub parent_arn: Option<String>,
    /// The unique id of the user (`AIDA…`) or role (`AROA…`), when known.
    pub unique_id: Option<String>,
    /// True for sessions of a service-linked role (SCPs and RCPs skip them).
    pub service_linked: bool,
}

/// A principal string that names no caller Gavel knows.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("`{text}` is not a caller: {reason}")]
pub struct PrincipalError {
    text: String,
    reason: &'static str,
}

impl PrincipalError {
    fn new(text: &str, reason: &'static str) -> PrincipalError {
        PrincipalError {
            text: text.to_string(),
            reason,
        }
    }
}

/// `s.split_once(':')` by a plain byte scan: the texts split on the hot path (actions, ARN
/// components) are short, and the generic char searcher cost about 130 instructions a call.
/// `:` is ASCII, so both cuts are char boundaries.
pub fn split_colon(s: &str) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == b':')?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// Splits an ARN into its six components; the last keeps any further colons.
pub fn split_arn(arn: &str) -> Option<[&str; 6]> {
    // On the hot path for every request (and again for role ARNs): the four colons after
    // `arn:` are found eight bytes at a time, then six cuts (a generic iterator chain here
    // cost about 300 instructions per call, a byte loop about 250). `:` is ASCII, so it never
    // occurs inside a multi-byte character and every cut is a char boundary.
    let rest = arn.strip_prefix("arn:")?;
    let cuts = colons::<4>(rest.as_bytes())?;
    let [a, b, c, d] = cuts;
    Some([
        arn.get(..3)?,
        rest.get(..a)?,
        rest.get(a + 1..b)?,
        rest.get(b + 1..c)?,
        rest.get(c + 1..d)?,
        rest.get(d + 1..)?,
    ])
}

/// The positions of the first `N` colons of `bytes`, or `None` if it has fewer.
fn colons<const N: usize>(bytes: &[u8]) -> Option<[usize; N]> {
    let mut cuts = [0usize; N];
    let mut found = 0;
    let mut record = |i: usize| {
        if let Some(slot) = cuts.get_mut(found) {
            *slot = i;
        }
        found += 1;
        found == N
    };
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().ok()?);
        let mut mask = colon_bytes(word);
        while mask != 0 {
            if record(base + (mask.trailing_zeros() / 8) as usize) {
                return Some(cuts);
            }
            mask &= mask - 1;
        }
        base += 8;
    }
    for (i, b) in chunks.remainder().iter().enumerate() {
        if *b == b':' && record(base + i) {
            return Some(cuts);
        }
    }
    None
}

/// The high bit of each byte of `word` that is `:`, and no other bit. Exact (no false
/// positives from borrows): the classic "has zero byte" test on `word ^ ::::::::`, in the form
/// that keeps each byte's carry inside the byte.
fn colon_bytes(word: u64) -> u64 {
    const COLONS: u64 = u64::from_ne_bytes([b':'; 8]);
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = word ^ COLONS;
    !(((x & LOW7) + LOW7) | x | LOW7)
}

impl Principal {
    fn base(kind: PrincipalKind, arn: &str) -> Principal {
        Principal {
            kind,
            arn: arn.to_string(),
            partition: "aws".into(),
            account: None,
            role_arn: None,
            role_name: None,
            parent_arn: None,
            unique_id: None,
            service_linked: false,
        }
    }

    /// The anonymous caller.
    pub fn anonymous() -> Principal {
        Principal::base(PrincipalKind::Anonymous, "")
    }

    /// An AWS service principal such as `lambda.amazonaws.com`.
    pub fn service(name: &str) -> Principal {
        Principal::base(PrincipalKind::Service, name)
    }

    /// A web-identity (OIDC) or SAML caller from the given provider.
    pub fn federated_identity(kind: PrincipalKind, provider: &str) -> Principal {
        Principal::base(kind, provider)
    }

    /// Reads a caller from the text a request names it by: an ARN, a service principal name,
    /// an identity provider, or `anonymous`.
    ///
    /// A role ARN (`arn:aws:iam::A:role/PATH/NAME`) is read as a session of that role whose
    /// session name is unknown; an account id alone is read as that account's root user.
    pub fn parse(text: &str) -> Result<Principal, PrincipalError> {
        if text == "anonymous" || text == "*" {
            return Ok(Principal::anonymous());
        }
        if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
            let mut p = Principal::base(PrincipalKind::Root, &format!("arn:aws:iam::{text}:root"));
            p.account = Some(text.to_string());
            return Ok(p);
        }
        let Some([_, partition, service, _region, account, resource]) = split_arn(text) else {
            if text.starts_with("arn:") {
                return Err(PrincipalError::new(
                    text,
                    "an ARN has six colon-separated parts",
                ));
            }
            if text.is_empty() || text.contains(char::is_whitespace) {
                return Err(PrincipalError::new(
                    text,
                    "expected an ARN, a service principal name or `anonymous`",
                ));
            }
            if is_web_identity_provider(text) {
                return Ok(Principal::federated_identity(
                    PrincipalKind::WebIdentity,
                    text,
                ));
            }
            if text.contains('.') {
                return Ok(Principal::service(text));
            }
            return Err(PrincipalError::new(
                text,
                "expected an ARN, a service principal name or `anonymous`",
            ));
        };
        let valid_account = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
        if !valid_account {
            return Err(PrincipalError::new(text, "the account must be 12 digits"));
        }
        let with = |kind: PrincipalKind| {
            let mut p = Principal::base(kind, text);
            p.partition = partition.to_string();
            p.account = Some(account.to_string());
            p
        };
        match (service, resource) {
            ("iam", "root") => Ok(with(PrincipalKind::Root)),
            ("iam", r) if r.starts_with("user/") && r.len() > 5 => Ok(with(PrincipalKind::IamUser)),
            ("iam", r) if r.starts_with("role/") && r.len() > 5 => {
                let mut p = with(PrincipalKind::RoleSession);
                let name = r.rsplit('/').next().unwrap_or_default().to_string();
                p.service_linked = r.starts_with("role/aws-service-role/");
                p.role_arn = Some(text.to_string());
                p.role_name = Some(name);
                Ok(p)
            }
            ("iam", r) if r.starts_with("oidc-provider/") => Ok(with(PrincipalKind::WebIdentity)),
            ("iam", r) if r.starts_with("saml-provider/") => Ok(with(PrincipalKind::Saml)),
            ("sts", r) if r.starts_with("assumed-role/") => {
                let rest = &r["assumed-role/".len()..];
                let Some((role, session)) = rest.split_once('/') else {
                    return Err(PrincipalError::new(
                        text,
                        "an assumed-role ARN is `assumed-role/ROLE/SESSION`",
                    ));
                };
                if role.is_empty() || session.is_empty() {
                    return Err(PrincipalError::new(
                        text,
                        "an assumed-role ARN is `assumed-role/ROLE/SESSION`",
                    ));
                }
                let mut p = with(PrincipalKind::RoleSession);
                p.role_name = Some(role.to_string());
                // Service-linked roles are named AWSServiceRoleFor…; the session ARN has no path.
                p.service_linked = role.starts_with("AWSServiceRoleFor");
                Ok(p)
            }
            ("sts", r) if r.starts_with("federated-user/") && r.len() > 15 => {
                Ok(with(PrincipalKind::FederatedUser))
            }
            _ => Err(PrincipalError::new(
                text,
                "expected an ARN of a root user, IAM user, role, role session or federated user",
            )),
        }
    }

    /// Records the role ARN of a role session (for role-level principal matching).
    pub fn set_role_arn(&mut self, role_arn: &str) {
        if let Some([_, _, "iam", _, _, res]) = split_arn(role_arn)
            && let Some(path_name) = res.strip_prefix("role/")
        {
            self.service_linked = path_name.starts_with("aws-service-role/");
            self.role_name = path_name.rsplit('/').next().map(str::to_string);
            self.role_arn = Some(role_arn.to_string());
        }
    }

    /// The account's root ARN for account principals.
    pub fn account_root_arn(&self) -> Option<String> {
        self.account
            .as_ref()
            .map(|a| format!("arn:{}:iam::{a}:root", self.partition))
    }

    /// The name of an IAM user (last segment of its ARN).
    pub fn user_name(&self) -> Option<&str> {
        if self.kind != PrincipalKind::IamUser {
            return None;
        }
        self.arn.rsplit('/').next()
    }
}

/// Identity providers that are not ARNs (web identity federation).
fn is_web_identity_provider(text: &str) -> bool {
    matches!(
        text,
        "accounts.google.com"
            | "graph.facebook.com"
            | "www.amazon.com"
            | "cognito-identity.amazonaws.com"
    )
}

/// The key of a principal entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PrincipalType {
    /// `AWS`: accounts, users, roles, sessions, or `*`.
    Aws,
    /// `Service`: a service principal name.
    Service,
    /// `Federated`: an identity provider.
    Federated,
    /// `CanonicalUser`: an S3 canonical user id.
    CanonicalUser,
}

impl PrincipalType {
    /// The JSON key.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "Federated",
            PrincipalType::CanonicalUser => "CanonicalUser",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind() {
        let k = |s: &str| Principal::parse(s).map(|p| p.kind);
        assert_eq!(k("arn:aws:iam::111122223333:root"), Ok(PrincipalKind::Root));
        assert_eq!(
            k("arn:aws:iam::111122223333:user/a/b"),
            Ok(PrincipalKind::IamUser)
        );
        assert_eq!(
            k("arn:aws:sts::111122223333:assumed-role/R/s1"),
            Ok(PrincipalKind::RoleSession)
        );
        assert_eq!(
            k("arn:aws:sts::111122223333:federated-user/f"),
            Ok(PrincipalKind::FederatedUser)
        );
        assert_eq!(k("lambda.amazonaws.com"), Ok(PrincipalKind::Service));
        assert_eq!(k("anonymous"), Ok(PrincipalKind::Anonymous));
        assert_eq!(k("accounts.google.com"), Ok(PrincipalKind::WebIdentity));
        assert_eq!(
            k("arn:aws:iam::111122223333:saml-provider/X"),
            Ok(PrincipalKind::Saml)
        );
        assert!(Principal::parse("arn:aws:iam::1:user/x").is_err());
        assert!(Principal::parse("arn:aws:sts::111122223333:assumed-role/R").is_err());
        assert!(Principal::parse("").is_err());
    }

    #[test]
    fn role_arn_reads_as_a_session_of_that_role() {
        let p = Principal::parse(
            "arn:aws:iam::111122223333:role/aws-service-role/x/AWSServiceRoleForX",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.kind, PrincipalKind::RoleSession);
        assert!(p.service_linked);
        assert_eq!(p.role_name.as_deref(), Some("AWSServiceRoleForX"));
    }

    #[test]
    fn split_arn_cuts_like_splitn() {
        // The byte scan must cut exactly where `splitn(6, ':')` does, on every shape.
        let model = |s: &str| -> Option<[String; 6]> {
            let v: Vec<&str> = s.splitn(6, ':').collect();
            if v.len() != 6 || v[0] != "arn" {
                return None;
            }
            Some(std::array::from_fn(|i| v[i].to_string()))
        };
        let alphabet = ["arn", ":", "a", "é", "", "::", "arn:", "x:y", "/", "*"];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let mut s = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut x = seed;
            if x.is_multiple_of(3) {
                s.push_str("arn:");
            }
            for _ in 0..(x % 9) {
                x /= 10;
                s.push_str(alphabet[(x % alphabet.len() as u64) as usize]);
            }
            let got = split_arn(&s).map(|p| p.map(str::to_string));
            assert_eq!(got, model(&s), "{s:?}");
        }
        // Longer texts: colons at every offset of the eight-byte words and past them.
        let long = [
            "arn",
            ":",
            "aws",
            "é",
            "",
            "::",
            "role/a-b_c",
            "x:y",
            "123456789012",
            "ü/*",
            ";",
            "º",
        ];
        for _ in 0..20_000 {
            let mut s = String::from("arn:");
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut x = seed;
            for _ in 0..(4 + x % 20) {
                x = x.rotate_right(5) ^ (x >> 3);
                s.push_str(long[(x % long.len() as u64) as usize]);
            }
            let got = split_arn(&s).map(|p| p.map(str::to_string));
            assert_eq!(got, model(&s), "{s:?}");
        }
        // `;` and `\xba` (a colon with the high bit set) are the near misses.
        assert_eq!(
            colon_bytes(u64::from_le_bytes(*b":a:;\xba9::")),
            0x8080_0000_0080_0080
        );
        assert_eq!(
            split_arn("arn:aws:s3:::b/k:x"),
            Some(["arn", "aws", "s3", "", "", "b/k:x"])
        );
        assert_eq!(split_arn("arn:aws:s3::"), None);
        assert_eq!(split_arn("arm:aws:s3:::b"), None);
    }

    #[test]
    fn split_colon_cuts_like_split_once() {
        for s in [
            "",
            ":",
            "::",
            "s3:getobject",
            "s3",
            "é:ü",
            "ü",
            ":x",
            "x:",
            "a:b:c",
            "é::",
            "*:*",
        ] {
            assert_eq!(split_colon(s), s.split_once(':'), "{s:?}");
        }
    }
}
