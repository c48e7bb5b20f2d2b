//! `gavel fmt`: formats the text language canonically and converts between text and JSON.

use crate::cli::lint::TypeArg;
use crate::json::{ParseMode, parse_policy_with, policy_to_json};
use crate::model::PolicyType;
use crate::text::{parse_policy_text_with, policy_to_text};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// The output form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Form {
    /// The Gavel text language.
    Text,
    /// IAM JSON.
    Json,
}

/// Arguments of `gavel fmt`.
#[derive(Args, Debug)]
pub struct FmtArgs {
    /// The policy file: `.json` is read as IAM JSON, anything else as the text language.
    file: PathBuf,
    /// The output form (default: the text language).
    #[arg(long, value_enum, default_value = "text")]
    to: Form,
    /// Print nothing; exit with status 1 when the file is not already in canonical form.
    #[arg(long)]
    check: bool,
    /// What the policy is attached as.
    #[arg(long = "type", value_enum, default_value = "identity")]
    policy_type: TypeArg,
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
    let ty = PolicyType::from(args.policy_type);
    let is_json = args
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let parsed = if is_json {
        parse_policy_with(&text, ty, ParseMode::Lenient)
    } else {
        parse_policy_text_with(&text, ty, ParseMode::Lenient)
    };
    let policy = match parsed {
        Ok(p) => p.value,
        Err(d) => {
            eprint!("{}", d.render(&file, &text));
            return ExitCode::from(1);
        }
    };
    let output = match args.to {
        Form::Text => policy_to_text(&policy),
        Form::Json => {
            let v = policy_to_json(&policy);
            let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    if !is_json && args.to == Form::Text && (text.contains("//") || text.contains("/*")) {
        eprintln!("warning: `gavel fmt` does not keep comments yet");
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
