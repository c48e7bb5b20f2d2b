//! `gavel gen-cases`: seeded random conformance cases.

use clap::Args;
use std::io::Write;
use std::process::ExitCode;

/// Arguments of `gavel gen-cases`.
#[derive(Args, Debug)]
pub struct GenArgs {
    /// The seed; the same seed always gives the same cases.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How many cases.
    #[arg(long, default_value_t = 1000)]
    count: usize,
}

/// Runs `gavel gen-cases`.
pub fn run(args: &GenArgs) -> ExitCode {
    let opts = crate::casegen::GenOptions {
        seed: args.seed,
        count: args.count,
        ..Default::default()
    };
    let mut out = std::io::stdout().lock();
    for case in crate::casegen::generate_cases(&opts) {
        if writeln!(out, "{case}").is_err() {
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
