//! Arguments and helpers shared by the subcommands that read an organization.

use crate::org::{Organization, Session};
use gavel_runtime::{Context, ContextValue};
use std::path::Path;

/// Loads an organization manifest, or one account's authorization dump, for the CLI;
/// `catalogs` are extra managed-policy files (JSON Lines).
pub fn load_org(path: &Path, catalogs: &[std::path::PathBuf]) -> Result<Organization, String> {
    crate::org::load::load_for_cli_with(path, catalogs)
}

/// Reads a session written by `gavel assume-role`.
pub fn load_session(path: &Path) -> Result<Session, String> {
    let text = super::read_file(path)?;
    serde_json::from_str(&text).map_err(|e| format!("`{}` is not a session: {e}", path.display()))
}

pub use crate::org::resolve::parse_time;

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
