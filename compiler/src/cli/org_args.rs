//! Arguments and helpers shared by the subcommands that read an organization.

use crate::org::{Organization, Session};
use gavel_runtime::{Context, ContextValue};
use std::path::Path;

/// Loads an organization manifest (or anything the loaders accept) for the CLI.
pub fn load_org(path: &Path) -> Result<Organization, String> {
    crate::org::load::load_for_cli(path)
}

/// Reads a session written by `gavel assume-role`.
pub fn load_session(path: &Path) -> Result<Session, String> {
    let text = super::read_file(path)?;
    serde_json::from_str(&text).map_err(|e| format!("`{}` is not a session: {e}", path.display()))
}

/// Parses a time given as epoch seconds or RFC 3339 (`2026-11-23T10:00:00Z`).
pub fn parse_time(text: &str) -> Result<i64, String> {
    if let Ok(n) = text.parse::<i64>() {
        return Ok(n);
    }
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map(|t| t.unix_timestamp())
        .map_err(|e| format!("`{text}` is neither epoch seconds nor an RFC 3339 time: {e}"))
}

/// Parses `key=value` / `key=["a","b"]` context arguments into a context.
pub fn parse_context(items: &[String]) -> Result<Context, String> {
    let mut ctx = Context::new();
    for text in items {
        let (k, v) = text
            .split_once('=')
            .ok_or_else(|| format!("--context `{text}`: expected KEY=VALUE"))?;
        let value = if v.starts_with('[') {
            let list: Vec<serde_json::Value> = serde_json::from_str(v).map_err(|e| {
                format!("--context `{text}`: a list is a JSON array of strings: {e}")
            })?;
            ContextValue::List(
                list.into_iter()
                    .map(|x| match x {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    })
                    .collect(),
            )
        } else {
            ContextValue::Single(v.to_string())
        };
        ctx.insert(k, value).map_err(|e| e.to_string())?;
    }
    Ok(ctx)
}

/// Parses `key=value` tag arguments.
pub fn parse_tags(items: &[String]) -> Result<Vec<(String, String)>, String> {
    items
        .iter()
        .map(|t| {
            t.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .ok_or_else(|| format!("--tag `{t}`: expected KEY=VALUE"))
        })
        .collect()
}
