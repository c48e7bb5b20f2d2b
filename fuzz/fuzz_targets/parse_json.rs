//! Any bytes as an IAM policy of every type and mode, an account authorization dump, a
//! managed-policy file and a manifest: never a panic, rejections located, what parses
//! round-trips. The property lives in `gavel_compiler::fuzzcheck::parse_json`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = gavel_compiler::fuzzcheck::parse_json(data) {
        panic!("{e}");
    }
});
