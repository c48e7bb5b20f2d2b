//! `gavel verify`: check a compiled decision file and report every problem.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `gavel verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The compiled file.
    file: PathBuf,
}

/// Runs `gavel verify`: the header, the section table, and each section's checksum.
pub fn run(args: &VerifyArgs) -> ExitCode {
    let bytes = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", args.file.display());
            return ExitCode::from(2);
        }
    };
    let report = gavel_runtime::format::verify(&bytes);
    print!("{report}");
    if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
