//! The `gavel` command line: one file per subcommand.

mod assume_role;
mod compile;
mod compiled;
mod demo;
mod dump;
mod eval;
mod eval_org;
mod fmt;
mod gen_cases;
mod lint;
mod org_args;
mod verify;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Gavel decides AWS IAM requests exactly as AWS does.
#[derive(Parser, Debug)]
#[command(name = "gavel", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The main job on the bundled example organization: answer and explain its questions.
    Demo(demo::DemoArgs),
    /// Decide requests: conformance cases from a file, or one request explained.
    Eval(Box<eval::EvalArgs>),
    /// Check policy documents and report every error and warning.
    Lint(lint::LintArgs),
    /// Print seeded random conformance cases (JSON Lines).
    GenCases(gen_cases::GenArgs),
    /// Decide an `AssumeRole` call against an organization and print the session as JSON.
    AssumeRole(Box<assume_role::AssumeRoleArgs>),
    /// Format the text language canonically, or convert a policy between text and JSON.
    Fmt(fmt::FmtArgs),
    /// Compile an organization into one decision file.
    Compile(compile::CompileArgs),
    /// Check a compiled decision file: header, section table, every checksum.
    Verify(verify::VerifyArgs),
    /// Show what a decision file holds: sections, counts, a principal's compiled policies.
    Dump(dump::DumpArgs),
}

/// Parses the command line and runs the subcommand.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Demo(a) => demo::run(&a),
        Command::Eval(a) => eval::run(&a),
        Command::Lint(a) => lint::run(&a),
        Command::GenCases(a) => gen_cases::run(&a),
        Command::AssumeRole(a) => assume_role::run(&a),
        Command::Verify(a) => verify::run(&a),
        Command::Compile(a) => compile::run(&a),
        Command::Dump(a) => dump::run(&a),
        Command::Fmt(a) => fmt::run(&a),
    }
}

/// Reads a file for a subcommand, with an error message naming it.
fn read_file(path: &std::path::Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))
}
