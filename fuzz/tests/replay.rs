//! `cargo test --manifest-path fuzz/Cargo.toml`: replays the saved `differential` crashes and
//! seeds (structured inputs only this crate's generator reads), and runs the differential
//! check on fixed-seed random inputs, so the generator and the check stay usable on stable
//! without libFuzzer.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]

use gavel_fuzz::orggen::{Input, check_bytes};
use std::path::PathBuf;

fn dir(parts: &[&str]) -> PathBuf {
    let mut d = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus/fuzz"));
    d.extend(parts);
    d
}

#[test]
fn saved_differential_inputs_pass() {
    for d in [dir(&["crashes", "differential"]), dir(&["differential"])] {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with('.') || name.ends_with(".md") {
                continue;
            }
            let data = std::fs::read(e.path()).unwrap();
            if let Err(msg) = check_bytes(&data) {
                panic!("{}: {msg}", e.path().display());
            }
        }
    }
}

/// xorshift64*: fixed-seed bytes without a dependency.
fn bytes(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed.max(1);
    (0..n)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

#[test]
fn random_organizations_agree_with_themselves() {
    use arbitrary::{Arbitrary, Unstructured};
    let (mut cases, mut requests, mut allows, mut policies) = (0, 0, 0, 0);
    for seed in 1..=300u64 {
        let data = bytes(seed, 4096);
        let Ok(input) = Input::arbitrary(&mut Unstructured::new(&data)) else {
            continue;
        };
        let (org, reqs) = input.build();
        policies += org.managed_policies.len() + org.scps.len() + org.rcps.len();
        let answers = gavel_compiler::fuzzcheck::differential(&org, &reqs)
            .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        cases += 1;
        requests += answers.len();
        allows += answers
            .iter()
            .filter(|a| a.decision == gavel_runtime::Decision::Allow)
            .count();
    }
    eprintln!(
        "{cases} organizations, {requests} requests, {allows} allowed, {policies} org-level policies"
    );
    assert!(cases > 250 && requests > cases, "{cases} {requests}");
}
