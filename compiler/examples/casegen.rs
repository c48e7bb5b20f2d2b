//! Prints generated conformance cases as JSON Lines.
//!
//! `cargo run --example casegen -- --seed 1 --count 1000 [--avoid-peer-gaps]
//!  [--garbage-rate 0.06] [--cross-account-rate 0.4] > cases.jsonl`

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use gavel_compiler::casegen::{GenOptions, generate_case};

fn usage() -> ExitCode {
    eprintln!(
        "usage: casegen [--seed N] [--count N] [--avoid-peer-gaps] [--garbage-rate P] \
         [--cross-account-rate P]"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut opts = GenOptions::new(1, 1000);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (arg.clone(), None),
        };
        if name == "--avoid-peer-gaps" {
            opts.avoid_peer_gaps = true;
            continue;
        }
        if name == "-h" || name == "--help" {
            usage();
            return ExitCode::SUCCESS;
        }
        let Some(value) = inline.or_else(|| args.next()) else {
            return usage();
        };
        let ok = match name.as_str() {
            "--seed" => value.parse().map(|v| opts.seed = v).is_ok(),
            "--count" => value.parse().map(|v| opts.count = v).is_ok(),
            "--garbage-rate" => value.parse().map(|v| opts.garbage_rate = v).is_ok(),
            "--cross-account-rate" => value.parse().map(|v| opts.cross_account_rate = v).is_ok(),
            _ => false,
        };
        if !ok {
            eprintln!("bad argument {name} {value}");
            return usage();
        }
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for n in 0..opts.count {
        let case = generate_case(&opts, n);
        if writeln!(out, "{case}").is_err() {
            return ExitCode::FAILURE;
        }
    }
    if out.flush().is_err() {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
