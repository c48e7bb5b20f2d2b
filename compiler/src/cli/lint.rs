//! `gavel lint`: validate policy documents, reporting every error and warning.

use crate::json;
use crate::model::PolicyType;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// What the documents are attached as.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum TypeArg {
    /// Identity-based policy.
    Identity,
    /// Resource-based policy.
    Resource,
    /// Role trust policy.
    Trust,
    /// Permissions boundary.
    Boundary,
    /// Session policy.
    Session,
    /// Service control policy.
    Scp,
    /// Resource control policy.
    Rcp,
}

impl From<TypeArg> for PolicyType {
    fn from(t: TypeArg) -> PolicyType {
        match t {
            TypeArg::Identity => PolicyType::Identity,
            TypeArg::Resource => PolicyType::Resource,
            TypeArg::Trust => PolicyType::Trust,
            TypeArg::Boundary => PolicyType::Boundary,
            TypeArg::Session => PolicyType::Session,
            TypeArg::Scp => PolicyType::Scp,
            TypeArg::Rcp => PolicyType::Rcp,
        }
    }
}

/// Arguments of `gavel lint`.
#[derive(Args, Debug)]
pub struct LintArgs {
    /// Policy documents (IAM JSON).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// What the documents are attached as.
    #[arg(long = "type", value_enum, default_value = "identity")]
    policy_type: TypeArg,
    /// Output format of the diagnostics.
    #[arg(long, value_enum, default_value = "human")]
    error_format: ErrorFormat,
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ErrorFormat {
    /// For people: `file:line:col: error: …` with the source line.
    Human,
    /// One JSON object per diagnostic.
    Json,
}

/// Runs `gavel lint`.
pub fn run(args: &LintArgs) -> ExitCode {
    let mut failed = false;
    for path in &args.files {
        let text = match super::read_file(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
                continue;
            }
        };
        let name = path.display().to_string();
        let diags = match json::parse_policy(&text, args.policy_type.into()) {
            Ok(parsed) => {
                let mut d = crate::diagnostics::Diagnostics::default();
                for w in parsed.warnings {
                    d.push(w);
                }
                d
            }
            Err(d) => {
                failed = true;
                d
            }
        };
        match args.error_format {
            ErrorFormat::Human => eprint!("{}", diags.render(&name, &text)),
            ErrorFormat::Json => {
                print!("{}", diags.render_json(&name));
            }
        }
        if !diags.has_errors() && matches!(args.error_format, ErrorFormat::Human) {
            eprintln!("{name}: ok");
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
