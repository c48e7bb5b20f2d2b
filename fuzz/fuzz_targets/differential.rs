//! Structured organizations and requests (`gavel_fuzz::orggen`), decided by the reference
//! interpreter, and again after every policy went through its canonical JSON and its text
//! form; later also by the compiled engine (see `// COMPILED PATH:` in
//! `gavel_compiler::fuzzcheck::differential`). Any difference in decision or deciding
//! statements is a crash that prints the request, the answers and the organization.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = gavel_fuzz::orggen::check_bytes(data) {
        panic!("{e}");
    }
});
