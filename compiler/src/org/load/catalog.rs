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
use crate::model::PolicyType;
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
        let mut sink = Sink::default();
        let mut catalog = PolicyCatalog::new();
        if text.trim_start().starts_with('[') {
            let r = Reader::new(file, text, ParseMode::Lenient);
            if let Some(root) = r.parse(&mut sink, "the managed-policy list")
                && let Some(list) = r.array(&mut sink, &root, &JsonPath::root())
            {
                for (i, v) in list.elements.iter().enumerate() {
                    catalog.record(&r, &mut sink, v, &JsonPath::root().index(i));
                }
            }
        } else {
            // Each record is parsed alone, after as many line breaks as precede it, so that
            // every location (also inside the policy model) has the file's line numbers.
            let mut padded = String::new();
            for (n, line) in text.split('\n').enumerate() {
                if !line.trim().is_empty() {
                    padded.truncate(0);
                    padded.extend(std::iter::repeat_n('\n', n));
                    padded.push_str(line.trim_end_matches('\r'));
                    let r = Reader::new(file, &padded, ParseMode::Lenient);
                    if let Some(v) = r.parse(&mut sink, &format!("line {}", n + 1)) {
                        catalog.record(&r, &mut sink, &v, &JsonPath::root());
                    }
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

    fn record<'t>(&mut self, r: &Reader<'t>, sink: &mut Sink, v: &Value<'t>, path: &JsonPath) {
        let Some(o) = r.object(sink, v, path, "a managed-policy record") else {
            return;
        };
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
                return;
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
            return;
        };
        if let Some((_, first)) = self.policies.get(&arn) {
            sink.push(r.error(
                ProblemKind::Duplicate,
                path,
                Some(v.range().start),
                format!("the managed policy `{arn}` is defined twice (first in `{first}`)"),
            ));
            return;
        }
        let policy = ManagedPolicy {
            arn: arn.clone(),
            name,
            path: policy_path,
            default_version: version.clone(),
            versions: vec![(version, doc)],
        };
        self.policies.insert(arn, (policy, r.file.clone()));
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
    std::fs::read_to_string(path).map_err(|e| {
        let message = match e.kind() {
            std::io::ErrorKind::NotFound => "the file does not exist".to_string(),
            std::io::ErrorKind::InvalidData => "the file is not UTF-8 text".to_string(),
            _ => format!("the file cannot be read: {e}"),
        };
        LoadError::single(Problem::error(
            ProblemKind::Io,
            file,
            referenced_at,
            None,
            message,
        ))
    })
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
}
