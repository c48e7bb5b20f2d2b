//! The IAM policy JSON front end: strict JSON with source locations, per-policy-type
//! validation (spec §2.4-§2.5), diagnostics, and the model back to JSON.
//!
//! ```
//! use gavel_compiler::json::parse_policy;
//! use gavel_compiler::model::PolicyType;
//!
//! let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
//!     "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}}"#;
//! let parsed = parse_policy(text, PolicyType::Identity).map_err(|d| d.to_string());
//! assert!(parsed.is_ok_and(|p| p.warnings.is_empty() && p.value.statements.len() == 1));
//!
//! let bad = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject",
//!     "Resource": "*", "Condition": {"StringEqual": {"aws:username": "bob"}}}}"#;
//! let errors = parse_policy(bad, PolicyType::Identity).err().unwrap_or_default();
//! let first = errors.iter().next().map(|d| (d.code, d.message.as_str(), d.help.as_deref()));
//! assert_eq!(first, Some(("unknown-operator",
//!     "unknown condition operator `StringEqual`", Some("did you mean `StringEquals`?"))));
//! ```
//!
//! Rules the front end applies that are choices rather than AWS text:
//! * Element names, principal types and `Effect`/`Version` values are exact (A-3); operator
//!   names are case-insensitive (A-6).
//! * A wildcard in a resource ARN's service segment or resource-type word is a warning (A-9).
//!   The resource-type word is the start of the resource part up to the first `/` or `:`,
//!   except for services whose resource part starts with a name (S3, SQS, SNS, API Gateway
//!   `execute-api`, CodeCommit, CodePipeline), and a resource part that is exactly `*` is not reported.
//! * `Sid` characters outside `A-Za-z0-9` and repeated `Sid`s are warnings, and only in IAM
//!   policy types (identity, boundary, session, trust).

mod lower;
mod serialize;
pub(crate) use serialize::case_variant;
mod syntax;

#[cfg(test)]
mod tests;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::{Policy, PolicyType};
use jsonc_parser::ast::Value;
use syntax::LineIndex;

/// The largest policy document Gavel reads: 1 MiB of source text (JSON, or the text language).
///
/// AWS's own limits are far lower (2,048 to 10,240 characters for inline and managed identity
/// policies, 5,120 for SCPs and RCPs, 20 KB for S3 bucket policies, 32 KB for KMS key
/// policies), so no real policy comes near it; the limit bounds the time and memory one
/// document can cost (a policy of millions of statements is refused before it is read). A
/// larger document is rejected with the error code `policy-too-large`, located at its start.
pub const MAX_POLICY_BYTES: usize = 1 << 20;

/// The `policy-too-large` error for a document of `size` bytes starting at `loc`.
pub(crate) fn too_large(loc: crate::model::Loc, size: usize) -> Diagnostic {
    Diagnostic::error(
        "policy-too-large",
        loc,
        format!(
            "the policy document is {size} bytes; Gavel reads policies of at most {MAX_POLICY_BYTES} bytes (1 MiB)"
        ),
    )
    .with_help("AWS accepts policies of at most 32 KB; split the document into several policies")
}

/// How strictly documents are read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ParseMode {
    /// Reject everything spec §2.5 lists (what `gavel compile` and `gavel lint` do).
    #[default]
    Strict,
    /// Keep what spec §2.5 gives a lenient meaning, as a warning: `NotPrincipal` with `Allow`
    /// (item 7), wildcard principal names (item 8: they match no caller), actions AWS never
    /// matches (item 9, A-8). Every lenient meaning is fail-closed.
    Lenient,
}

/// A successfully read value and the warnings found on the way.
#[derive(Clone, Debug)]
pub struct Parsed<T> {
    /// The value.
    pub value: T,
    /// Lints that did not stop the document from being accepted, in document order.
    pub warnings: Vec<Diagnostic>,
}

/// Reads a policy document of type `ty` from `text`: strict JSON, then every rule of spec §2.
///
/// On failure the `Diagnostics` hold every error found (and the warnings), with locations
/// relative to `text`: first the JSON syntax errors, then the policy's, each in document order.
pub fn parse_policy(text: &str, ty: PolicyType) -> Result<Parsed<Policy>, Diagnostics> {
    parse_policy_with(text, ty, ParseMode::Strict)
}

/// [`parse_policy`] with a choice of [`ParseMode`].
pub fn parse_policy_with(
    text: &str,
    ty: PolicyType,
    mode: ParseMode,
) -> Result<Parsed<Policy>, Diagnostics> {
    if text.len() > MAX_POLICY_BYTES {
        let mut d = Diagnostics::new();
        d.push(too_large(crate::model::Loc::at(text, 0), text.len()));
        return Err(d);
    }
    let lines = LineIndex::new(text);
    let (value, mut diags) = syntax::parse_strict(text, &lines);
    // JSON errors first (in document order), then the policy's own (`lower_policy` sorts).
    diags.sort();
    let policy = value.and_then(|v| lower::lower_policy(&v, &lines, ty, mode, &mut diags));
    match policy {
        Some(value) if !diags.has_errors() => Ok(Parsed {
            value,
            warnings: diags.into_vec(),
        }),
        _ => Err(diags),
    }
}

/// Reads a policy that is one value inside a larger JSON document (a conformance case line,
/// an account authorization dump). `text` is the whole document `value` was parsed from, and
/// locations are relative to it. Duplicate keys inside `value` are checked here too.
///
/// Every diagnostic found (errors and warnings) is appended to `diags`; the policy is returned
/// only when this value had no error.
pub fn policy_from_ast(
    value: &Value<'_>,
    text: &str,
    ty: PolicyType,
    diags: &mut Diagnostics,
) -> Option<Policy> {
    policy_from_ast_with(value, text, ty, ParseMode::Strict, diags)
}

/// [`policy_from_ast`] with a choice of [`ParseMode`].
pub fn policy_from_ast_with(
    value: &Value<'_>,
    text: &str,
    ty: PolicyType,
    mode: ParseMode,
    diags: &mut Diagnostics,
) -> Option<Policy> {
    let lines = LineIndex::new(text);
    lower::lower_policy(value, &lines, ty, mode, diags)
}

/// Parses strict JSON (RFC 8259: no comments, trailing commas, single quotes, leading zeros,
/// raw control characters in strings, …) into a located AST, and rejects any object that
/// repeats a key.
pub fn parse_json(text: &str) -> Result<Value<'_>, Diagnostics> {
    let lines = LineIndex::new(text);
    let (value, mut diags) = syntax::parse_strict(text, &lines);
    if let Some(v) = &value {
        syntax::check_duplicate_keys(v, &lines, &mut diags);
    }
    diags.sort();
    match value {
        Some(v) if !diags.has_errors() => Ok(v),
        _ => Err(diags),
    }
}

/// Writes a policy as canonical IAM JSON: `Version`, `Id`, `Statement` (always a list);
/// single values as strings, several as lists; conditions grouped back by operator in order of
/// first appearance; every condition value as a string (numbers keep their lexeme).
///
/// Reading the result back gives an equal `Policy` (equality ignores locations).
pub fn policy_to_json(policy: &Policy) -> serde_json::Value {
    serialize::policy(policy)
}
