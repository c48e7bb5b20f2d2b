//! Managed-policy data supplied by the user: the corpus JSON Lines format
//! (`{"name","arn","path","version","document"}` per line, like
//! `aws-managed-policies.jsonl`) or a JSON array of the same objects.
//!
//! Attachments resolve against a dump's own `Policies` first and against a catalog second
//! (see [`resolve`](super::resolve)). Other fields of a record (`policy_id`, dates, counts)
//! are ignored; a record whose `arn` is `null` cannot be attached and is skipped with a warning.

use super::error::{LoadError, Loaded, Problem, ProblemKind, Sink};
use super::reader::{JsonPath, Reader};
use crate::json::ParseMode;
use crate::model::{Loc, PolicyType};
use crate::org::model::ManagedPolicy;
use jsonc_parser::ast::Value;
use jsonc_parser::common::Ranged;
use std::collections::BTreeMap;
use std::path::Path;

/// Managed policies by ARN, with the file each came from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicyCatalog {
    policies: BTreeMap<String, (ManagedPolicy, String)>,
}

impl PolicyCatalog {
    /// An empty catalog.
    pub fn new() -> PolicyCatalog {
        PolicyCatalog::default()
    }

    /// Reads a catalog from text: JSON Lines (one object per line; blank lines are skipped)
    /// or, when the text starts with `[`, a JSON array of the same objects. Documents are read
    /// as identity policies in lenient mode; `file` names the text in messages.
    ///
    /// Locations in messages are the file's lines and columns (JSON Lines records are parsed
    /// one by one, placed on their own line).
    pub fn parse(text: &str, file: &str) -> Result<Loaded<PolicyCatalog>, LoadError> {
        if text.len() > super::MAX_FILE_BYTES {
            let size = u64::try_from(text.len()).unwrap_or(u64::MAX);
            return Err(LoadError::single(super::too_large(
                file,
                "the managed-policy file",
                size,
            )));
        }
        let mut sink = Sink::default();
        let mut catalog = PolicyCatalog::new();
        if text.trim_start().starts_with('[') {
            let r = Reader::new(file, text, ParseMode::Lenient);
            if let Some(root) = r.parse(&mut sink, "the managed-policy list")
                && let Some(list) = r.array(&mut sink, &root, &JsonPath::root())
            {
                for (i, v) in list.elements.iter().enumerate() {
                    let _ = catalog.record(&r, &mut sink, v, &JsonPath::root().index(i));
                }
            }
        } else {
            // Each record is parsed alone, then its locations (in problems and in the policy
            // model) are moved to the record's line and byte offset in the file. (Padding each
            // record with the line breaks before it cost time and memory quadratic in the
            // number of lines, and left byte offsets relative to the padded copy.)
            let mut line_start = 0usize;
            for (n, raw) in text.split('\n').enumerate() {
                let start = line_start;
                line_start = line_start.saturating_add(raw.len() + 1);
                let line = raw.trim_end_matches('\r');
                if line.trim().is_empty() {
                    continue;
                }
                let shift = LineShift {
                    lines: u32::try_from(n).unwrap_or(u32::MAX),
                    bytes: u32::try_from(start).unwrap_or(u32::MAX),
                };
                let before = sink.problems.len();
                let r = Reader::new(file, line, ParseMode::Lenient);
                if let Some(v) = r.parse(&mut sink, &format!("line {}", n + 1))
                    && let Some(arn) = catalog.record(&r, &mut sink, &v, &JsonPath::root())
                    && let Some((policy, _)) = catalog.policies.get_mut(&arn)
                {
                    for (_, doc) in &mut policy.versions {
                        crate::text::remap_policy(doc, &|l| shift.loc(l));
                    }
                }
                for p in sink.problems.iter_mut().skip(before) {
                    shift.problem(p);
                }
            }
        }
        sink.finish(catalog)
    }

    /// Reads a catalog file (see [`PolicyCatalog::parse`]).
    pub fn read(path: &Path) -> Result<Loaded<PolicyCatalog>, LoadError> {
        let file = path.display().to_string();
        let text = read_text(path, &file, "")?;
        PolicyCatalog::parse(&text, &file)
    }

    /// Reads one record; returns the ARN it was stored under.
    fn record<'t>(
        &mut self,
        r: &Reader<'t>,
        sink: &mut Sink,
        v: &Value<'t>,
        path: &JsonPath,
    ) -> Option<String> {
        let o = r.object(sink, v, path, "a managed-policy record")?;
        let name = r.req_string(sink, o, "name", path);
        let arn = match o.get("arn").map(|p| &p.value) {
            Some(Value::NullKeyword(_)) => {
                sink.push(r.warning(
                    ProblemKind::Ignored,
                    &path.key("arn"),
                    Some(o.range.start),
                    format!(
                        "the managed policy `{}` has no ARN (`null`) and cannot be attached; it is skipped",
                        name.as_deref().unwrap_or("?")
                    ),
                ));
                return None;
            }
            _ => r.req_string(sink, o, "arn", path),
        };
        let policy_path = r
            .opt_string(sink, o, "path", path)
            .unwrap_or_else(|| "/".to_string());
        let version = r
            .opt_string(sink, o, "version", path)
            .unwrap_or_else(|| "v1".to_string());
        let doc = match o.get("document") {
            Some(d) => r.policy(sink, &d.value, &path.key("document"), PolicyType::Identity),
            None => {
                sink.push(r.error(
                    ProblemKind::Shape,
                    path,
                    Some(o.range.start),
                    "missing `document`",
                ));
                None
            }
        };
        let (Some(name), Some(arn), Some(doc)) = (name, arn, doc) else {
            return None;
        };
        if let Some((_, first)) = self.policies.get(&arn) {
            sink.push(r.error(
                ProblemKind::Duplicate,
                path,
                Some(v.range().start),
                format!("the managed policy `{arn}` is defined twice (first in `{first}`)"),
            ));
            return None;
        }
        let policy = ManagedPolicy {
            arn: arn.clone(),
            name,
            path: policy_path,
            default_version: version.clone(),
            versions: vec![(version, doc)],
        };
        self.policies.insert(arn.clone(), (policy, r.file.clone()));
        Some(arn)
    }

    /// Adds a policy; returns false (and keeps the one already there) when its ARN is taken.
    pub fn insert(&mut self, policy: ManagedPolicy, source: &str) -> bool {
        if self.policies.contains_key(&policy.arn) {
            return false;
        }
        self.policies
            .insert(policy.arn.clone(), (policy, source.to_string()));
        true
    }

    /// Adds every policy of `other` whose ARN is not taken yet (earlier sources win).
    pub fn merge(&mut self, other: PolicyCatalog) {
        for (arn, entry) in other.policies {
            self.policies.entry(arn).or_insert(entry);
        }
    }

    /// The policy with this ARN.
    pub fn get(&self, arn: &str) -> Option<&ManagedPolicy> {
        self.policies.get(arn).map(|(p, _)| p)
    }

    /// The file the policy with this ARN came from.
    pub fn source(&self, arn: &str) -> Option<&str> {
        self.policies.get(arn).map(|(_, s)| s.as_str())
    }

    /// The number of policies.
    pub fn len(&self) -> usize {
        self.policies.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// The policies in ARN order.
    pub fn iter(&self) -> impl Iterator<Item = &ManagedPolicy> {
        self.policies.values().map(|(p, _)| p)
    }
}

/// Reads a file as UTF-8 text, or reports a [`ProblemKind::Io`] problem naming the file (and
/// the JSON path of the reference to it, when there is one).
pub(crate) fn read_text(path: &Path, file: &str, referenced_at: &str) -> Result<String, LoadError> {
    super::read_limited(path).map_err(|(kind, why)| {
        LoadError::single(Problem::error(
            kind,
            file,
            referenced_at,
            None,
            format!("the file {why}"),
        ))
    })
}

/// Moves locations found in one JSON Lines record, parsed alone, to where the record is in
/// the file: `lines` lines down and `bytes` bytes on (columns do not change).
struct LineShift {
    lines: u32,
    bytes: u32,
}

impl LineShift {
    fn loc(&self, l: Loc) -> Loc {
        Loc {
            line: l.line.saturating_add(self.lines),
            col: l.col,
            offset: l.offset.saturating_add(self.bytes),
        }
    }

    /// Shifts a problem's location, its diagnostics' (unless they are located in a decoded
    /// document), and the "line N" that two messages quote (duplicate keys and `Sid`s: in a
    /// one-line record such a reference is always to line 1 of the record).
    fn problem(&self, p: &mut Problem) {
        p.loc = p.loc.map(|l| self.loc(l));
        if p.decoded {
            return;
        }
        let line = self.lines.saturating_add(1);
        for d in &mut p.diagnostics {
            d.loc = self.loc(d.loc);
            for text in d.help.iter_mut().chain(std::iter::once(&mut d.message)) {
                if text.contains("at line 1, column") {
                    *text = text.replace("at line 1, column", &format!("at line {line}, column"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_and_array() {
        let line = r#"{"name": "A", "arn": "arn:aws:iam::aws:policy/A", "path": "/", "version": "v3", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}"#;
        let text = format!("{line}\n\n{}\n", line.replace("/A\"", "/B\""));
        let c = PolicyCatalog::parse(&text, "c.jsonl").map_err(|e| e.to_string());
        assert_eq!(c.as_ref().map(|c| c.value.len()), Ok(2));
        let a = c
            .as_ref()
            .ok()
            .and_then(|c| c.value.get("arn:aws:iam::aws:policy/A"));
        assert_eq!(a.map(|a| a.default_version.as_str()), Some("v3"));
        let arr = format!("[{line}]");
        assert_eq!(
            PolicyCatalog::parse(&arr, "c.json")
                .map(|c| c.value.len())
                .ok(),
            Some(1)
        );
    }

    #[test]
    fn errors_carry_the_line() {
        let good = r#"{"name": "A", "arn": "arn:aws:iam::aws:policy/A", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}"#;
        let bad = r#"{"name": "B", "arn": "arn:aws:iam::aws:policy/B", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}}"#;
        let text = format!("{good}\n{bad}\n{{oops\n");
        let e = PolicyCatalog::parse(&text, "c.jsonl").err();
        let e = e.map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("c.jsonl:2:"), "{e}");
        assert!(
            e.contains("`document`: invalid identity-based policy"),
            "{e}"
        );
        assert!(e.contains("c.jsonl:3:"), "{e}");
        assert!(e.contains("line 3 is not valid JSON"), "{e}");
    }

    /// Found by the `parse_json` fuzz target: JSON Lines records were parsed after padding
    /// with line breaks, so byte offsets (which diagnostics use to show the source line) were
    /// relative to the padded copy, not the file; and the padding made a file of many lines
    /// quadratic to read.
    #[test]
    fn jsonl_locations_are_file_offsets() {
        let dup = r#"{"name": "B", "arn": "arn:aws:iam::aws:policy/B", "document": {"Version": "2012-10-17", "Statement": [{"Sid": "S", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, {"Sid": "S", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}"#;
        let text = format!("\n  {{oops\n{dup}\n");
        let e = PolicyCatalog::parse(&text, "c.jsonl").err();
        let problems = e.as_ref().map(LoadError::problems).unwrap_or_default();
        let oops = problems.iter().find(|p| p.message.contains("line 2"));
        let loc = oops.and_then(|p| p.loc);
        // Line 2 starts at byte 1; the column counts from there.
        assert!(
            loc.is_some_and(|l| l.line == 2 && l.offset == l.col),
            "{problems:?}"
        );
        let full = format!("\n\n{dup}");
        let c = PolicyCatalog::parse(&full, "c.jsonl");
        let warnings = c.map(|c| c.warnings).unwrap_or_default();
        let sid = warnings
            .iter()
            .flat_map(|p| &p.diagnostics)
            .find(|d| d.code.contains("sid"));
        let d = sid.unwrap_or_else(|| panic!("no duplicate-sid warning: {warnings:?}"));
        assert_eq!(d.loc.line, 3);
        let at = full.get(d.loc.offset as usize..).unwrap_or_default();
        assert!(at.starts_with("\"S"), "{d:?} points at {at}");
        assert!(
            d.help
                .as_deref()
                .unwrap_or_default()
                .contains("at line 3, column"),
            "{d:?}"
        );
    }

    #[test]
    fn many_lines_read_in_linear_time() {
        let text = "{}\n".repeat(200_000);
        let start = std::time::Instant::now();
        let e = PolicyCatalog::parse(&text, "c.jsonl").err();
        // Three problems per record (no `name`, `arn`, `document`), every one reported.
        assert_eq!(e.map(|e| e.problems().len()), Some(600_000));
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
    }
}
