//! The never-panic promise under seeded random damage: thousands of mutated files, each loaded
//! and verified. Half the mutations re-seal the checksums afterwards so that they reach the
//! structural checks behind them.
//!
//! A failure prints the seed and the case number; rerun with the same seed to reproduce, and
//! turn the case into a named test in `format_container.rs`. To see which checks refused the
//! cases: `FUZZ_STATS=1 cargo test -p gavel-runtime --test format_fuzz -- --nocapture 2>&1 |
//! grep KIND | sort | uniq -c`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests report failures by panicking"
)]

mod format_support;

use std::panic::{AssertUnwindSafe, catch_unwind};

use format_support::*;
use gavel_runtime::format::{ENTRY_LEN, File, FileBuilder, HEADER_LEN, SectionKind, verify};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const SEED: u64 = 0x6761_7665_6c21; // "gavel!"
const CASES: usize = 20_000;

/// Values that sit on the edges of the checks.
fn interesting_u64(rng: &mut ChaCha8Rng, file_len: usize) -> u64 {
    let n = file_len as u64;
    match rng.random_range(0..12) {
        0 => 0,
        1 => 1,
        2 => u64::MAX,
        3 => u64::MAX - 7,
        4 => u64::from(u32::MAX),
        5 => n,
        6 => n.saturating_sub(1),
        7 => n + 8,
        8 => HEADER_LEN as u64,
        9 => rng.random_range(0..=n + 16) & !7,
        10 => rng.random_range(0..=n + 16),
        _ => rng.random(),
    }
}

/// One random mutation of `bytes`.
fn mutate(rng: &mut ChaCha8Rng, bytes: &mut Vec<u8>) {
    let len = bytes.len();
    match rng.random_range(0..9) {
        // Flip a few bits anywhere.
        0 | 1 => {
            for _ in 0..rng.random_range(1..=4) {
                let at = rng.random_range(0..len);
                bytes[at] ^= 1 << rng.random_range(0..8);
            }
        }
        // Overwrite a random byte.
        2 => {
            let at = rng.random_range(0..len);
            bytes[at] = rng.random();
        }
        // Truncate.
        3 => bytes.truncate(rng.random_range(0..len)),
        // Extend with random bytes.
        4 => {
            for _ in 0..rng.random_range(1..=24) {
                bytes.push(rng.random());
            }
        }
        // A header field (u32 or u64) set to an edge value.
        5 => {
            let v = interesting_u64(rng, len);
            match rng.random_range(0..5) {
                0 => set_u64(bytes, FILE_LEN_AT, v),
                1 => set_u64(bytes, TABLE_OFFSET_AT, v),
                2 => set_u32(bytes, SECTION_COUNT_AT, v as u32),
                3 => set_u32(bytes, VERSION_AT, v as u32),
                _ => set_u32(bytes, RESERVED_AT + 4 * rng.random_range(0..2), v as u32),
            }
        }
        // A section table entry field set to an edge value.
        _ => {
            // Entries of the table as written (at 56), as far as the bytes reach.
            let count = (get_u32(bytes, SECTION_COUNT_AT) as usize).min((len - 56) / ENTRY_LEN);
            if count == 0 {
                return;
            }
            let e = 56 + ENTRY_LEN * rng.random_range(0..count);
            let v = interesting_u64(rng, len);
            match rng.random_range(0..5) {
                0 => set_u32(bytes, e + ENTRY_KIND, rng.random_range(0..12)),
                1 => set_u64(bytes, e + ENTRY_OFFSET, v),
                2 => set_u64(bytes, e + ENTRY_LEN_FIELD, v),
                3 => set_u32(bytes, e + ENTRY_RESERVED, v as u32),
                _ => set_u32(bytes, e + ENTRY_FLAGS, v as u32),
            }
        }
    }
}

/// Loads and verifies `bytes`; checks that both agree and that a loaded file is usable.
fn check(bytes: &[u8]) -> bool {
    let loaded = File::from_bytes(bytes);
    let report = verify(bytes);
    match &loaded {
        Ok(file) => {
            assert!(report.is_ok(), "verify disagrees with load:\n{report}");
            for kind in SectionKind::ALL {
                if let Some(s) = file.section(kind) {
                    assert!(s.len() <= bytes.len());
                }
            }
        }
        Err(err) => {
            assert!(!report.is_ok(), "verify accepts what load refuses: {err}");
            assert_eq!(report.problems()[0].to_string(), err.to_string());
            assert!(!err.to_string().is_empty());
            if std::env::var("FUZZ_STATS").is_ok() {
                let t = format!("{err:?}");
                eprintln!("KIND {}", t.split(['{', '(']).nth(1).unwrap_or("?").trim());
            }
        }
    }
    // The report always prints.
    let _ = report.to_string();
    loaded.is_ok()
}

#[test]
fn random_mutations_never_panic() {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let bases = [
        sample(),
        FileBuilder::new().finish().unwrap(),
        FileBuilder::new()
            .section(SectionKind::Strings, b"gavel".to_vec())
            .finish()
            .unwrap(),
    ];
    let mut refused = 0;
    let mut resealed_refused = 0;
    for case in 0..CASES {
        let mut bytes = bases[case % bases.len()].clone();
        let rounds = rng.random_range(1..=3);
        let reseal_it = rng.random_bool(0.5);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            for _ in 0..rounds {
                if bytes.len() < HEADER_LEN {
                    break;
                }
                mutate(&mut rng, &mut bytes);
            }
            if reseal_it && bytes.len() >= HEADER_LEN {
                if rng.random_bool(0.5) {
                    reseal_all(&mut bytes);
                } else {
                    reseal(&mut bytes);
                }
            }
            check(&bytes)
        }));
        match outcome {
            Ok(true) => {}
            Ok(false) => {
                refused += 1;
                if reseal_it {
                    resealed_refused += 1;
                }
            }
            Err(_) => panic!(
                "seed {SEED:#x} case {case} panicked on {} bytes: {:02x?}",
                bytes.len(),
                bytes
            ),
        }
    }
    // Most mutations must be caught; re-sealed ones must reach the structural checks.
    assert!(refused > CASES / 2, "only {refused} of {CASES} refused");
    assert!(
        resealed_refused > CASES / 8,
        "only {resealed_refused} re-sealed cases refused"
    );
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED ^ 1);
    for case in 0..2000 {
        let len = rng.random_range(0..300);
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        // Give some of them a real magic, endianness mark and version to get further in.
        if case % 2 == 0 && bytes.len() >= HEADER_LEN {
            bytes[..8].copy_from_slice(b"GAVELDT\0");
            set_u32(&mut bytes, 8, 0x0A0B_0C0D);
            set_u32(&mut bytes, VERSION_AT, 1);
            set_u32(&mut bytes, SECTION_COUNT_AT, rng.random_range(0..4));
            set_u64(&mut bytes, TABLE_OFFSET_AT, 56);
            set_u64(&mut bytes, FILE_LEN_AT, len as u64);
            reseal(&mut bytes);
        }
        let ok = catch_unwind(|| check(&bytes));
        assert!(ok.is_ok(), "case {case} panicked on {bytes:02x?}");
    }
}
