//! Any bytes as a compiled decision file, raw and as sections and patches inside a valid
//! container (checksums re-sealed): a typed `LoadError` or a usable engine, never a panic.
//! The property lives in `gavel_compiler::fuzzcheck::load_file`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = gavel_compiler::fuzzcheck::load_file(data) {
        panic!("{e}");
    }
});
