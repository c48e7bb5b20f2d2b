//! The compatibility promise for format version 1: the committed fixture
//! `tests/fixtures/v1-container.bin` must load, and today's writer must still produce it byte
//! for byte. A format change shows up here first.
//!
//! To re-generate the fixture after a deliberate change (and only together with a version
//! bump or, before version 1 is frozen, a FORMAT.md update in the same commit):
//!
//! ```text
//! GAVEL_REGENERATE_FIXTURES=1 cargo test -p gavel-runtime --test format_fixture
//! ```

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests report failures by panicking"
)]

use gavel_runtime::Engine;
use gavel_runtime::format::{File, FileBuilder, FormatVersion, SectionKind, verify, wire};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/v1-container.bin"
);

/// The content of each section of the fixture: every kind, odd lengths, an empty section,
/// integer arrays written with the `wire` helpers.
fn fixture_sections() -> Vec<(SectionKind, Vec<u8>)> {
    let mut ints = Vec::new();
    wire::push_u32s(&mut ints, &[1, 2, 3, 0xDEAD_BEEF]);
    wire::push_u64s(&mut ints, &[u64::MAX, 42]);
    vec![
        (
            SectionKind::Strings,
            b"s3:GetObject\0s3:PutObject\0arn:aws:s3:::bucket/*\0".to_vec(),
        ),
        (SectionKind::Principals, ints.clone()),
        (SectionKind::Actions, (0u8..100).collect()),
        (SectionKind::Resources, b"bucket/*".to_vec()),
        (SectionKind::Conditions, Vec::new()),
        (SectionKind::Statements, vec![0x5A; 33]),
        (SectionKind::Policies, ints),
        (SectionKind::OrgTree, b"r-root/ou-1/111122223333".to_vec()),
        (SectionKind::Meta, b"gavel fixture: container v1".to_vec()),
    ]
}

fn build_fixture() -> Vec<u8> {
    let mut builder = FileBuilder::new();
    for (kind, bytes) in fixture_sections() {
        builder.add_section(kind, bytes);
    }
    builder.finish().unwrap()
}

#[test]
fn v1_fixture_matches_todays_writer() {
    let built = build_fixture();
    if std::env::var_os("GAVEL_REGENERATE_FIXTURES").is_some() {
        std::fs::write(FIXTURE, &built).unwrap();
        eprintln!("wrote {FIXTURE} ({} bytes)", built.len());
        return;
    }
    let committed = std::fs::read(FIXTURE).unwrap();
    if committed != built {
        let first = committed
            .iter()
            .zip(&built)
            .position(|(a, b)| a != b)
            .unwrap_or(committed.len().min(built.len()));
        panic!(
            "the writer no longer produces {FIXTURE} (first difference at byte {first}; \
             lengths {} committed, {} built). The version-1 format changed: bump the format \
             version, or (before version 1 is frozen) update FORMAT.md and re-generate with \
             GAVEL_REGENERATE_FIXTURES=1 in the same commit",
            committed.len(),
            built.len()
        );
    }
}

#[test]
fn v1_fixture_loads() {
    let committed = std::fs::read(FIXTURE).unwrap();
    let report = verify(&committed);
    assert!(report.is_ok(), "{report}");
    let file = File::from_bytes(&committed[..]).unwrap();
    assert_eq!(file.version(), FormatVersion::V1);
    for (kind, content) in fixture_sections() {
        assert_eq!(file.section(kind), Some(&content[..]), "section {kind}");
    }
    // The integer arrays read back through the wire helpers.
    let p = file.section(SectionKind::Principals).unwrap();
    let u32s = wire::array_of_u32(p, 0, 4, "fixture u32s").unwrap();
    assert_eq!(u32s.iter().collect::<Vec<_>>(), vec![1, 2, 3, 0xDEAD_BEEF]);
    let u64s = wire::array_of_u64(p, 16, 2, "fixture u64s").unwrap();
    assert_eq!(u64s.iter().collect::<Vec<_>>(), vec![u64::MAX, 42]);
    // The engine maps it and validates the container, but refuses it: its sections hold
    // synthetic bytes, not decision tables (the first one the decoder reads, `meta`, starts
    // with a writer-name length of 0x65766167, "gave", more than the section holds).
    let err = Engine::open(FIXTURE).unwrap_err();
    assert!(err.is_count_too_large(), "{err}");
    assert_eq!(err.section(), Some(SectionKind::Meta), "{err}");
}
