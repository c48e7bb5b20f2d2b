//! The IAM `*`/`?` matchers (`glob_match`, `resource_matches`, `arn_like`) against the `regex`
//! crate on patterns and near-miss texts drawn from the input. The property lives in
//! `gavel_compiler::fuzzcheck::wildcard`; this file supplies the regex engine.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = gavel_compiler::fuzzcheck::wildcard(data, &gavel_fuzz::regex_oracle) {
        panic!("{e}");
    }
});
