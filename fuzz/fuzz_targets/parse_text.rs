//! Any bytes through the Gavel text language, as a policy of every type and mode and as an
//! organization: never a panic; text -> model -> JSON -> model and model -> text -> model are
//! lossless. The property lives in `gavel_compiler::fuzzcheck::parse_text`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = gavel_compiler::fuzzcheck::parse_text(data) {
        panic!("{e}");
    }
});
