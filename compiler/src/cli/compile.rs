//! `gavel compile`: an organization into one decision file.

use super::org_args::load_org;
use crate::lower::{CompileOptions, compile_org, read_catalog};
use clap::Args;
use gavel_runtime::tables::{Scope, Tables};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Arguments of `gavel compile`.
#[derive(Args, Debug)]
pub struct CompileArgs {
    /// The organization: a manifest, an account-authorization dump, or a `.gavel` text file.
    pub org: PathBuf,
    /// Where to write the decision file (written to a temporary file, then renamed).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Managed-policy files (JSON Lines) resolving attachments the organization lacks
    /// (repeatable).
    #[arg(long = "managed-policies")]
    pub managed_policies: Vec<PathBuf>,
    /// The AWS action catalogue (`aws-service-reference.json`) whose actions are
    /// pre-classified; default `$GAVEL_ACTION_CATALOG`, else the shared corpus beside the
    /// checkout, else none (actions are then classified at request time: same answers).
    #[arg(long)]
    pub catalog: Option<PathBuf>,
    /// Do not specialize policies per principal (same answers; for measuring).
    #[arg(long)]
    pub no_fold: bool,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

/// The catalogue `gavel compile` uses when none is named.
pub fn default_catalog() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("GAVEL_ACTION_CATALOG") {
        return Some(PathBuf::from(p));
    }
    [
        "../shared/corpus/aws-service-reference.json",
        "shared/corpus/aws-service-reference.json",
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

/// Reads the action catalogue at `path`.
pub fn load_catalog(path: &Path) -> Result<Vec<String>, String> {
    let text = super::read_file(path)?;
    read_catalog(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs `gavel compile`.
pub fn run(args: &CompileArgs) -> ExitCode {
    match compile(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn compile(args: &CompileArgs) -> Result<(), String> {
    let say = |m: String| {
        if !args.quiet {
            eprintln!("{m}");
        }
    };
    let start = Instant::now();
    let org = load_org(&args.org, &args.managed_policies)?;
    say(format!(
        "loaded {} ({} accounts) in {:.1?}",
        args.org.display(),
        org.accounts.len(),
        start.elapsed()
    ));
    let catalog_path = args.catalog.clone().or_else(default_catalog);
    let catalog = match &catalog_path {
        Some(p) => {
            let c = load_catalog(p)?;
            say(format!(
                "action catalogue: {} ({} actions)",
                p.display(),
                c.len()
            ));
            c
        }
        None => {
            say("action catalogue: none (actions are classified at request time)".into());
            Vec::new()
        }
    };
    let principals: usize = org
        .accounts
        .values()
        .map(|a| a.users.len() + a.roles.len())
        .sum();
    say(format!("compiling {principals} principals ..."));
    let t = Instant::now();
    let opts = CompileOptions {
        catalog,
        no_fold: args.no_fold,
    };
    let tables = compile_org(&org, &opts).map_err(|e| e.to_string())?;
    let compile_time = t.elapsed();
    let bytes = tables.to_bytes();
    gavel_runtime::format::write_file_atomically(&args.output, &bytes)
        .map_err(|e| format!("cannot write `{}`: {e}", args.output.display()))?;
    say(summary(&tables, bytes.len(), &args.output));
    say(format!(
        "compiled in {compile_time:.1?}, {:.1?} in all",
        start.elapsed()
    ));
    Ok(())
}

/// One paragraph describing compiled tables.
pub fn summary(t: &Tables, size: usize, path: &Path) -> String {
    let statements: usize = t.policies.iter().map(|p| p.statements.len()).sum();
    let (accounts, principals, resources) = match &t.scope {
        Scope::Org(o) => (o.accounts.len(), o.principals.len(), o.resources.len()),
        Scope::Fixed(_) => (0, 0, 0),
    };
    format!(
        "wrote {} ({size} bytes): {accounts} accounts, {principals} principals, {resources} resources, {} distinct policies with {statements} statements, {} action patterns, {} known actions in {} classes",
        path.display(),
        t.policies.len(),
        t.actions.patterns.len(),
        t.actions.known.len(),
        t.actions.classes.len()
    )
}
