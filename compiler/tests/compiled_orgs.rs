//! Seeded random organizations (the `differential` fuzz target's structured generator:
//! accounts, OUs, SCP/RCP levels, users, groups, roles, boundaries, resource policies,
//! sessions, every operator family, variables) and requests drawn from the same vocabulary,
//! decided by the reference interpreter and by the compiled decision file
//! (`fuzzcheck::differential`); any difference fails with the request and both answers.
//!
//! `GAVEL_ORG_CASES=N` changes the number of organizations (default 6,000).

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    dead_code,
    clippy::enum_variant_names,
    reason = "test code; the generator module is shared with the fuzz crate"
)]

#[path = "../../fuzz/src/orggen.rs"]
mod orggen;

use arbitrary::{Arbitrary, Unstructured};
use orggen::Input;

/// xorshift64*: fixed-seed bytes.
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
fn random_organizations_decide_alike_on_both_paths() {
    let n: u64 = std::env::var("GAVEL_ORG_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6000);
    let (mut orgs, mut requests, mut allows, mut denies) = (0, 0, 0, 0);
    for seed in 1..=n {
        let data = bytes(seed.wrapping_mul(0x9E37_79B9), 4096);
        let Ok(input) = Input::arbitrary(&mut Unstructured::new(&data)) else {
            continue;
        };
        let (org, reqs) = input.build();
        let answers = gavel_compiler::fuzzcheck::differential(&org, &reqs)
            .unwrap_or_else(|e| panic!("seed {seed}: {e}\norganization: {org:#?}"));
        orgs += 1;
        requests += answers.len();
        allows += answers
            .iter()
            .filter(|a| a.decision == gavel_runtime::Decision::Allow)
            .count();
        denies += answers
            .iter()
            .filter(|a| a.decision == gavel_runtime::Decision::ExplicitDeny)
            .count();
    }
    eprintln!(
        "{orgs} organizations, {requests} requests: {allows} allowed, {denies} denied explicitly"
    );
    assert!(
        orgs * 10 >= n * 8,
        "only {orgs} of {n} inputs built an organization"
    );
    // The generator must keep producing both outcomes, or this proves little.
    assert!(
        allows * 40 >= requests && denies * 20 >= requests,
        "{allows} {denies} {requests}"
    );
}
