//! The `gavel` command line.

#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    gavel_compiler::cli::run()
}
