//! `gavel fmt`: formats the text language canonically and converts between text and JSON, for
//! policies and for whole organizations.

use crate::cli::lint::TypeArg;
use crate::cli::org_args::load_org;
use crate::json::{ParseMode, parse_policy_with, policy_to_json};
use crate::model::PolicyType;
use crate::org::load::LoadOptions;
use crate::text::{
    format_org_text, format_policy_text, is_org_text, org_text_to_manifest, org_to_manifest,
    org_to_text, parse_org_text, parse_policy_text_with, policy_to_text,
};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The output form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Form {
    /// The Gavel text language.
    Text,
    /// IAM JSON for a policy; the organization manifest for an organization.
    Json,
}

/// Arguments of `gavel fmt`.
#[derive(Args, Debug)]
pub struct FmtArgs {
    /// A policy or an organization. `.json` is IAM JSON, an organization manifest or an
    /// account's authorization dump; anything else is the text language (an organization
    /// when it declares `organization`, `account` or `managed`, else a policy).
    file: PathBuf,
    /// The output form (default: the text language).
    #[arg(long, value_enum, default_value = "text")]
    to: Form,
    /// Print nothing; exit with status 1 when the file is not already in canonical form.
    #[arg(long)]
    check: bool,
    /// What a policy is attached as.
    #[arg(long = "type", value_enum, default_value = "identity")]
    policy_type: TypeArg,
    /// Managed-policy files (JSON Lines) for a dump that attaches AWS managed policies.
    #[arg(long = "managed-policies")]
    managed_policies: Vec<PathBuf>,
}

/// What kind of JSON file a `.json` argument is.
fn is_org_json(text: &str) -> bool {
    let Ok(serde_json::Value::Object(o)) = serde_json::from_str::<serde_json::Value>(text) else {
        return false;
    };
    [
        "format",
        "organization",
        "accounts",
        "managed_policies",
        "UserDetailList",
        "GroupDetailList",
        "RoleDetailList",
    ]
    .iter()
    .any(|k| o.contains_key(*k))
}

fn pretty(v: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// True when the text has a comment (outside strings).
fn has_comments(text: &str) -> bool {
    let mut prev = 0;
    for (lo, _, hi) in crate::text::lexer::Lexer::new(text).flatten() {
        let gap = text.get(prev..lo).unwrap_or("");
        if gap.contains("//") || gap.contains("/*") {
            return true;
        }
        prev = hi;
    }
    let rest = text.get(prev..).unwrap_or("");
    rest.contains("//") || rest.contains("/*")
}

/// Runs `gavel fmt`.
pub fn run(args: &FmtArgs) -> ExitCode {
    let text = match super::read_file(&args.file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let file = args.file.display().to_string();
    let is_json = args
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let output = if is_json && is_org_json(&text) {
        org_from_json(args)
    } else if !is_json && is_org_text(&text) {
        org_from_text(args, &file, &text)
    } else {
        policy(args, &file, &text, is_json)
    };
    let output = match output {
        Ok(o) => o,
        Err(message) => {
            eprint!("{message}");
            return ExitCode::from(1);
        }
    };
    if !is_json && args.to == Form::Json && has_comments(&text) {
        eprintln!("note: JSON has no comments: the comments of `{file}` are not in the output");
    }
    if args.check {
        return if output == text {
            ExitCode::SUCCESS
        } else {
            eprintln!("{file}: not in canonical form");
            ExitCode::from(1)
        };
    }
    print!("{output}");
    ExitCode::SUCCESS
}

/// A policy: IAM JSON or text, to either form. Text to text keeps comments.
fn policy(args: &FmtArgs, file: &str, text: &str, is_json: bool) -> Result<String, String> {
    let ty = PolicyType::from(args.policy_type);
    if !is_json && args.to == Form::Text {
        return format_policy_text(text, ty).map_err(|d| d.render(file, text));
    }
    let parsed = if is_json {
        parse_policy_with(text, ty, ParseMode::Lenient)
    } else {
        parse_policy_text_with(text, ty, ParseMode::Lenient)
    };
    let policy = parsed.map_err(|d| d.render(file, text))?.value;
    Ok(match args.to {
        Form::Text => policy_to_text(&policy),
        Form::Json => pretty(&policy_to_json(&policy)),
    })
}

/// An organization manifest or dump, to text (every document written out) or to a manifest
/// with every document inline.
fn org_from_json(args: &FmtArgs) -> Result<String, String> {
    let org = load_org(&args.file, &args.managed_policies).map_err(|e| format!("{e}\n"))?;
    match args.to {
        Form::Text => Ok(org_to_text(&org)),
        Form::Json => org_to_manifest(&org)
            .map(|v| pretty(&v))
            .map_err(|d| d.render("(organization)", "")),
    }
}

/// An organization in the text language: checked (with the files it imports), then written
/// canonically with its comments, or as its manifest (imports stay paths, relative to the
/// file's folder).
fn org_from_text(args: &FmtArgs, file: &str, text: &str) -> Result<String, String> {
    let base = args
        .file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    parse_org_text(text, file, &base, &LoadOptions::default()).map_err(|e| e.render(file, text))?;
    match args.to {
        Form::Text => format_org_text(text),
        Form::Json => org_text_to_manifest(text).map(|v| pretty(&v)),
    }
    .map_err(|d| d.render(file, text))
}
