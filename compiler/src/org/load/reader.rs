//! Walking a located JSON tree with JSON paths, reporting shape errors as [`Problem`]s, and
//! reading policy documents given as objects or as (URL-encoded) strings.

use super::error::{Problem, ProblemKind, Sink};
use crate::diagnostics::Diagnostics;
use crate::json::{self, ParseMode};
use crate::model::{Loc, Policy, PolicyType};
use jsonc_parser::ast::{Array, Object, Value};
use jsonc_parser::common::Ranged;
use std::borrow::Cow;

/// A JSON path such as `RoleDetailList[3].RolePolicyList[0].PolicyDocument`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct JsonPath(String);

impl JsonPath {
    /// The whole document.
    pub(crate) fn root() -> JsonPath {
        JsonPath(String::new())
    }

    /// A member: `.name`, or `["odd name"]` when the name is not a plain word.
    pub(crate) fn key(&self, name: &str) -> JsonPath {
        let plain = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        let mut s = self.0.clone();
        if plain {
            if !s.is_empty() {
                s.push('.');
            }
            s.push_str(name);
        } else {
            s.push('[');
            s.push_str(&serde_json::Value::String(name.to_string()).to_string());
            s.push(']');
        }
        JsonPath(s)
    }

    /// An element: `[3]`.
    pub(crate) fn index(&self, i: usize) -> JsonPath {
        JsonPath(format!("{}[{i}]", self.0))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for JsonPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Line starts of a text, for offset -> line:column.
pub(crate) type Lines<'t> = crate::model::loc::LineIndex<'t>;

/// A JSON value's kind, for "found …" in messages.
pub(crate) fn kind(v: &Value<'_>) -> &'static str {
    match v {
        Value::StringLit(_) => "a string",
        Value::NumberLit(_) => "a number",
        Value::BooleanLit(_) => "a boolean",
        Value::NullKeyword(_) => "`null`",
        Value::Object(_) => "an object",
        Value::Array(_) => "a list",
    }
}

/// Reads values out of one JSON text, reporting into a [`Sink`].
pub(crate) struct Reader<'t> {
    /// The file name used in problems.
    pub(crate) file: String,
    /// The whole text the values were parsed from.
    pub(crate) text: &'t str,
    lines: Lines<'t>,
    /// How policy documents are read.
    pub(crate) mode: ParseMode,
}

impl<'t> Reader<'t> {
    pub(crate) fn new(file: impl Into<String>, text: &'t str, mode: ParseMode) -> Reader<'t> {
        Reader {
            file: file.into(),
            text,
            lines: Lines::new(text),
            mode,
        }
    }

    /// The line and column of a byte offset.
    pub(crate) fn loc(&self, offset: usize) -> Loc {
        self.lines.loc(offset)
    }

    pub(crate) fn error(
        &self,
        kind: ProblemKind,
        path: &JsonPath,
        at: Option<usize>,
        message: impl Into<String>,
    ) -> Problem {
        Problem::error(
            kind,
            self.file.clone(),
            path.as_str(),
            at.map(|o| self.loc(o)),
            message,
        )
    }

    pub(crate) fn warning(
        &self,
        kind: ProblemKind,
        path: &JsonPath,
        at: Option<usize>,
        message: impl Into<String>,
    ) -> Problem {
        Problem::warning(
            kind,
            self.file.clone(),
            path.as_str(),
            at.map(|o| self.loc(o)),
            message,
        )
    }

    /// Parses the text as strict JSON; on failure reports one [`ProblemKind::Json`] problem
    /// carrying the syntax diagnostics.
    pub(crate) fn parse(&self, sink: &mut Sink, what: &str) -> Option<Value<'t>> {
        match json::parse_json(self.text) {
            Ok(v) => Some(v),
            Err(diags) => {
                let first = diags.errors().next().map(|d| d.loc);
                let mut p = Problem::error(
                    ProblemKind::Json,
                    self.file.clone(),
                    "",
                    first,
                    format!("{what} is not valid JSON"),
                );
                p.diagnostics = diags.into_vec();
                sink.push(p);
                None
            }
        }
    }

    /// The value as an object, or a shape error.
    pub(crate) fn object<'v>(
        &self,
        sink: &mut Sink,
        v: &'v Value<'t>,
        path: &JsonPath,
        what: &str,
    ) -> Option<&'v Object<'t>> {
        match v {
            Value::Object(o) => Some(o),
            other => {
                sink.push(self.error(
                    ProblemKind::Shape,
                    path,
                    Some(other.range().start),
                    format!("{what} must be an object, found {}", kind(other)),
                ));
                None
            }
        }
    }

    /// The value as a list, or a shape error.
    pub(crate) fn array<'v>(
        &self,
        sink: &mut Sink,
        v: &'v Value<'t>,
        path: &JsonPath,
    ) -> Option<&'v Array<'t>> {
        match v {
            Value::Array(a) => Some(a),
            other => {
                sink.push(self.error(
                    ProblemKind::Shape,
                    path,
                    Some(other.range().start),
                    format!("`{}` must be a list, found {}", last(path), kind(other)),
                ));
                None
            }
        }
    }

    /// The value as a string, or a shape error.
    pub(crate) fn string(&self, sink: &mut Sink, v: &Value<'_>, path: &JsonPath) -> Option<String> {
        match v {
            Value::StringLit(s) => Some(s.value.to_string()),
            other => {
                sink.push(self.error(
                    ProblemKind::Shape,
                    path,
                    Some(other.range().start),
                    format!("`{}` must be a string, found {}", last(path), kind(other)),
                ));
                None
            }
        }
    }

    /// A required string member.
    pub(crate) fn req_string(
        &self,
        sink: &mut Sink,
        obj: &Object<'_>,
        name: &str,
        path: &JsonPath,
    ) -> Option<String> {
        match obj.get(name) {
            Some(p) => self.string(sink, &p.value, &path.key(name)),
            None => {
                sink.push(self.error(
                    ProblemKind::Shape,
                    path,
                    Some(obj.range.start),
                    format!("missing `{name}`"),
                ));
                None
            }
        }
    }

    /// An optional string member (`null` counts as absent).
    pub(crate) fn opt_string(
        &self,
        sink: &mut Sink,
        obj: &Object<'_>,
        name: &str,
        path: &JsonPath,
    ) -> Option<String> {
        match obj.get(name).map(|p| &p.value) {
            None | Some(Value::NullKeyword(_)) => None,
            Some(v) => self.string(sink, v, &path.key(name)),
        }
    }

    /// An optional list member: its elements with their paths (absent or `null` = empty).
    pub(crate) fn opt_list<'v>(
        &self,
        sink: &mut Sink,
        obj: &'v Object<'t>,
        name: &str,
        path: &JsonPath,
    ) -> Vec<(JsonPath, &'v Value<'t>)> {
        let p = path.key(name);
        match obj.get(name).map(|p| &p.value) {
            None | Some(Value::NullKeyword(_)) => Vec::new(),
            Some(v) => match self.array(sink, v, &p) {
                Some(a) => a
                    .elements
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (p.index(i), e))
                    .collect(),
                None => Vec::new(),
            },
        }
    }

    /// A list of strings (each element checked).
    pub(crate) fn string_list(
        &self,
        sink: &mut Sink,
        obj: &Object<'t>,
        name: &str,
        path: &JsonPath,
    ) -> Vec<(JsonPath, usize, String)> {
        self.opt_list(sink, obj, name, path)
            .into_iter()
            .filter_map(|(p, v)| {
                let s = self.string(sink, v, &p)?;
                Some((p, v.range().start, s))
            })
            .collect()
    }

    /// Reads a policy document of type `ty`: a JSON object, or a string holding the document
    /// as URL-encoded JSON (what the IAM API returns) or as plain JSON text. Diagnostics go into
    /// one problem (error or warning) naming `path`.
    pub(crate) fn policy(
        &self,
        sink: &mut Sink,
        v: &Value<'t>,
        path: &JsonPath,
        ty: PolicyType,
    ) -> Option<Policy> {
        let at = Some(v.range().start);
        match v {
            Value::Object(_) => {
                let mut diags = Diagnostics::new();
                let policy = json::policy_from_ast_with(v, self.text, ty, self.mode, &mut diags);
                self.report_policy(sink, path, at, ty, diags, false);
                policy
            }
            Value::StringLit(s) => {
                let decoded = match decode_document(&s.value) {
                    Ok(d) => d,
                    Err(message) => {
                        sink.push(
                            self.error(ProblemKind::Encoding, path, at, message)
                                .with_help("give the document as a JSON object, as JSON text in a string, or URL-encoded as the IAM API returns it"),
                        );
                        return None;
                    }
                };
                match json::parse_policy_with(&decoded, ty, self.mode) {
                    Ok(parsed) => {
                        self.report_policy(
                            sink,
                            path,
                            at,
                            ty,
                            Diagnostics::from(parsed.warnings),
                            true,
                        );
                        Some(parsed.value)
                    }
                    Err(diags) => {
                        self.report_policy(sink, path, at, ty, diags, true);
                        None
                    }
                }
            }
            other => {
                sink.push(
                    self.error(
                        ProblemKind::Shape,
                        path,
                        at,
                        format!(
                            "a policy document must be an object or a string, found {}",
                            kind(other)
                        ),
                    )
                    .with_help("write `{\"Version\": \"2012-10-17\", \"Statement\": [ … ]}`"),
                );
                None
            }
        }
    }

    /// Turns a policy's diagnostics into one problem: an error when any is an error, else a
    /// warning (nothing when there are none).
    pub(crate) fn report_policy(
        &self,
        sink: &mut Sink,
        path: &JsonPath,
        at: Option<usize>,
        ty: PolicyType,
        diags: Diagnostics,
        decoded: bool,
    ) {
        if diags.is_empty() {
            return;
        }
        let errors = diags.error_count();
        let mut p = if errors > 0 {
            self.error(
                ProblemKind::InvalidPolicy,
                path,
                at,
                format!(
                    "invalid {}: {}",
                    ty.describe()
                        .trim_start_matches("an ")
                        .trim_start_matches("a "),
                    diags.summary()
                ),
            )
        } else {
            self.warning(
                ProblemKind::PolicyWarning,
                path,
                at,
                format!(
                    "{} accepted with {}",
                    ty.describe(),
                    plural(diags.warning_count(), "warning")
                ),
            )
        };
        p.diagnostics = diags.into_vec();
        p.decoded = decoded;
        sink.push(p);
    }
}

/// `1 warning`, `2 warnings`.
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The last segment of a path, for messages.
fn last(path: &JsonPath) -> String {
    let s = path.as_str();
    let cut = s.rfind('.').map_or(0, |i| i + 1);
    s.get(cut..).unwrap_or(s).to_string()
}

/// A policy document held in a string: JSON text as is, or URL-encoded JSON (RFC 3986, as
/// `GetAccountAuthorizationDetails` returns documents when called without the AWS CLI).
pub(crate) fn decode_document(raw: &str) -> Result<Cow<'_, str>, String> {
    if raw.trim_start().starts_with('{') || !raw.contains('%') {
        return Ok(Cow::Borrowed(raw));
    }
    // Every `%` must start a two-digit hex escape, or the text is not URL-encoded.
    let bytes = raw.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'%' {
            let ok = bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
            if !ok {
                return Err(format!(
                    "the policy document string is neither JSON nor URL-encoded JSON: `%` at byte {i} does not start a `%XX` escape"
                ));
            }
        }
    }
    percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| "the URL-encoded policy document does not decode to UTF-8 text".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        let p = JsonPath::root().key("RoleDetailList").index(3);
        assert_eq!(p.as_str(), "RoleDetailList[3]");
        assert_eq!(
            p.key("RolePolicyList").as_str(),
            "RoleDetailList[3].RolePolicyList"
        );
        assert_eq!(
            JsonPath::root().key("accounts").key("Audit Team").as_str(),
            "accounts[\"Audit Team\"]"
        );
    }

    #[test]
    fn decodes_documents() {
        assert_eq!(
            decode_document("%7B%22Version%22%3A%222012-10-17%22%7D").as_deref(),
            Ok("{\"Version\":\"2012-10-17\"}")
        );
        assert_eq!(
            decode_document("{\"a\": \"%41\"}").as_deref(),
            Ok("{\"a\": \"%41\"}")
        );
        assert!(decode_document("%7B%2").is_err());
        assert!(decode_document("%FF%FE").is_err());
    }

    #[test]
    fn lines() {
        let l = Lines::new("ab\ncé\nx");
        assert_eq!((l.loc(0).line, l.loc(0).col), (1, 1));
        assert_eq!((l.loc(5).line, l.loc(5).col), (2, 2), "inside `é`");
        assert_eq!((l.loc(6).line, l.loc(6).col), (2, 3));
        assert_eq!((l.loc(99).line, l.loc(99).col), (3, 2));
    }
}
