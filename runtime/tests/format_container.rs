//! The decision-file container: round trip, golden bytes, and a typed error (never a panic)
//! for every kind of damage: truncation, flipped bytes, bad header fields, bad table entries.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests report failures by panicking"
)]

mod format_support;

use format_support::*;
use gavel_runtime::format::{
    ChecksumStatus, ENTRY_LEN, File, FileBuilder, FileView, FormatVersion, HEADER_LEN, LoadError,
    MAGIC, Region, SectionKind, verify,
};

fn load(bytes: &[u8]) -> Result<FileView<'_>, LoadError> {
    File::from_bytes(bytes)
}

fn load_err(bytes: &[u8]) -> LoadError {
    match load(bytes) {
        Ok(_) => panic!("expected a load error"),
        Err(e) => e,
    }
}

// ----- round trip -----

#[test]
fn round_trip_several_sections() {
    let bytes = sample();
    let file = File::from_bytes(bytes.clone()).unwrap();
    assert_eq!(file.version(), FormatVersion::V1);
    assert_eq!(file.header().file_len, bytes.len() as u64);
    assert_eq!(file.header().section_count, 6);
    for (kind, content) in sample_sections() {
        assert_eq!(file.section(kind), Some(&content[..]), "section {kind}");
        assert_eq!(file.require(kind).unwrap(), &content[..]);
    }
    assert_eq!(file.section(SectionKind::OrgTree), None);
    let err = file.require(SectionKind::OrgTree).unwrap_err();
    assert!(err.is_missing_section());
    assert_eq!(err.section(), Some(SectionKind::OrgTree));
    assert!(err.to_string().contains("`org-tree`"), "{err}");

    // `sections()` lists exactly what was written, in kind order.
    let listed: Vec<(SectionKind, Vec<u8>)> =
        file.sections().map(|(k, b)| (k, b.to_vec())).collect();
    assert_eq!(listed, sample_sections());

    // Every layout rule the reader enforces holds for what the writer wrote.
    assert_eq!(bytes.len() % 8, 0);
    for (kind, _) in sample_sections() {
        assert_eq!(section_range(&bytes, kind).start % 8, 0);
    }

    // The same file over other storage: borrowed, static, and a view of an owned one.
    let view = file.view();
    assert_eq!(
        view.section(SectionKind::Meta),
        file.section(SectionKind::Meta)
    );
    let leaked: &'static [u8] = Box::leak(bytes.clone().into_boxed_slice());
    let file_static = File::from_bytes(leaked).unwrap();
    assert_eq!(
        file_static.section(SectionKind::Actions),
        Some(&[0xAB; 16][..])
    );
    assert_eq!(file.into_storage(), bytes);
}

#[test]
fn every_kind_round_trips_and_an_empty_file_is_valid() {
    let mut builder = FileBuilder::new();
    for kind in SectionKind::ALL {
        builder.add_section(kind, kind.name().as_bytes().repeat(kind.as_u32() as usize));
    }
    let bytes = builder.finish().unwrap();
    let file = load(&bytes).unwrap();
    for kind in SectionKind::ALL {
        assert_eq!(
            file.section(kind).unwrap(),
            kind.name().as_bytes().repeat(kind.as_u32() as usize)
        );
    }
    let empty = FileBuilder::new().finish().unwrap();
    assert_eq!(empty.len(), HEADER_LEN);
    let file = load(&empty).unwrap();
    assert_eq!(file.sections().count(), 0);
}

// ----- golden bytes -----

/// One section `strings` = "gavel", asserted byte by byte. Checksums were computed with an
/// independent CRC-32 (Python's `zlib.crc32`). If this test fails, the format changed: bump the
/// version or update FORMAT.md, this test and the fixture together.
#[test]
fn golden_bytes_of_a_tiny_file() {
    let bytes = FileBuilder::new()
        .section(SectionKind::Strings, b"gavel".to_vec())
        .finish()
        .unwrap();
    #[rustfmt::skip]
    let expected: [u8; 96] = [
        // ---- header (56 bytes) ----
        b'G', b'A', b'V', b'E', b'L', b'D', b'T', 0x00, //  0: magic "GAVELDT\0"
        0x0d, 0x0c, 0x0b, 0x0a,                         //  8: endianness mark 0x0A0B0C0D
        0x01, 0x00, 0x00, 0x00,                         // 12: format version 1
        0x00, 0x00, 0x00, 0x00,                         // 16: reserved 0
        0x00, 0x00, 0x00, 0x00,                         // 20: flags 0
        0x60, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 24: file length 96
        0x38, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 32: section table offset 56
        0x01, 0x00, 0x00, 0x00,                         // 40: section count 1
        0x99, 0x74, 0x1c, 0x28,                         // 44: table checksum 0x281c7499
        0x07, 0x92, 0xd9, 0xc2,                         // 48: body checksum 0xc2d99207 (bytes 56..96)
        0x54, 0xb0, 0x22, 0x73,                         // 52: header checksum 0x7322b054 (bytes 0..52)
        // ---- section table (1 entry of 32 bytes) ----
        0x01, 0x00, 0x00, 0x00,                         // 56: kind 1 = strings
        0x00, 0x00, 0x00, 0x00,                         // 60: reserved 0
        0x58, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 64: offset 88
        0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 72: length 5
        0x55, 0x6a, 0x58, 0x62,                         // 80: checksum of "gavel" 0x62586a55
        0x00, 0x00, 0x00, 0x00,                         // 84: flags 0
        // ---- section `strings` ----
        b'g', b'a', b'v', b'e', b'l',                   // 88: "gavel"
        0x00, 0x00, 0x00,                               // 93: padding to 96
    ];
    assert_eq!(bytes.len(), expected.len());
    for (i, (got, want)) in bytes.iter().zip(expected.iter()).enumerate() {
        assert_eq!(got, want, "byte {i}");
    }
    // The independent CRC agrees with the stored ones.
    assert_eq!(crc32(b"gavel"), 0x6258_6a55);
    assert_eq!(crc32(&bytes[..52]), get_u32(&bytes, HEADER_CHECKSUM_AT));
    assert_eq!(
        load(&bytes).unwrap().section(SectionKind::Strings),
        Some(&b"gavel"[..])
    );
}

// ----- truncation and extension -----

#[test]
fn every_truncation_is_a_typed_error() {
    let bytes = sample();
    for len in 0..bytes.len() {
        let err = load_err(&bytes[..len]);
        if len < HEADER_LEN {
            assert!(err.is_too_short(), "len {len}: {err}");
        } else {
            assert!(err.is_length_mismatch(), "len {len}: {err}");
            assert!(err.to_string().contains("truncated"), "{err}");
        }
        assert!(!verify(&bytes[..len]).is_ok());
    }
}

#[test]
fn trailing_bytes_are_an_error() {
    let mut bytes = sample();
    bytes.extend_from_slice(&[0; 8]);
    let err = load_err(&bytes);
    assert!(err.is_length_mismatch());
    assert!(err.to_string().contains("trailing"), "{err}");
}

// ----- flipped bytes -----

#[test]
fn a_flipped_byte_in_each_section_names_that_section() {
    let bytes = sample();
    for (kind, content) in sample_sections() {
        let range = section_range(&bytes, kind);
        assert_eq!(range.len(), content.len());
        for at in range {
            for mask in [0x01, 0x80, 0xFF] {
                let mut bad = bytes.clone();
                bad[at] ^= mask;
                let err = load_err(&bad);
                assert!(err.is_checksum_mismatch(), "{kind} byte {at}: {err}");
                assert_eq!(err.section(), Some(kind));
                assert_eq!(err.region(), Some(Region::Section(kind)));
                assert!(
                    err.to_string().contains(&format!("section `{kind}`")),
                    "{err}"
                );
                assert!(err.to_string().contains("gavel compile"), "{err}");
            }
        }
    }
}

#[test]
fn a_flipped_byte_anywhere_else_is_the_right_typed_error() {
    let bytes = sample();
    let table = 56..56 + 6 * ENTRY_LEN;
    let in_section = |at: usize| {
        sample_sections()
            .iter()
            .any(|(k, _)| section_range(&bytes, *k).contains(&at))
    };
    for at in 0..bytes.len() {
        if in_section(at) {
            continue;
        }
        for mask in [0x01, 0x10, 0x80] {
            let mut bad = bytes.clone();
            bad[at] ^= mask;
            let err = load_err(&bad);
            match at {
                0..8 => assert!(err.is_bad_magic(), "byte {at}: {err}"),
                8..12 => assert!(err.is_wrong_endianness(), "byte {at}: {err}"),
                12..16 => assert!(err.is_unsupported_version(), "byte {at}: {err}"),
                16..56 => assert_eq!(err.region(), Some(Region::Header), "byte {at}: {err}"),
                _ if table.contains(&at) => {
                    assert_eq!(err.region(), Some(Region::SectionTable), "byte {at}: {err}")
                }
                _ => assert!(err.is_nonzero_padding(), "byte {at}: {err}"),
            }
        }
    }
}

// ----- header fields -----

#[test]
fn wrong_magic() {
    let mut bytes = sample();
    bytes[..8].copy_from_slice(b"PK\x03\x04....");
    let err = load_err(&bytes);
    assert!(err.is_bad_magic());
    assert!(
        err.to_string().contains("not a Gavel decision file"),
        "{err}"
    );
    assert!(err.to_string().contains("`PK\\x03\\x04....`"), "{err}");
    // Any non-Gavel input of any length is refused cleanly.
    assert!(load_err(b"{\"Version\": \"2012-10-17\"}").is_too_short());
    assert!(load_err(&[0x41; 200]).is_bad_magic());
    assert!(load_err(&MAGIC).is_too_short());
}

#[test]
fn big_endian_file() {
    let mut bytes = sample();
    bytes[8..12].reverse();
    let err = load_err(&bytes);
    assert!(err.is_wrong_endianness());
    assert!(err.to_string().contains("big-endian"), "{err}");
}

#[test]
fn unsupported_versions_old_and_future() {
    for version in [0, 2, 3, 1000, u32::MAX] {
        let mut bytes = sample();
        set_u32(&mut bytes, VERSION_AT, version);
        reseal(&mut bytes);
        let err = load_err(&bytes);
        assert!(err.is_unsupported_version(), "{version}: {err}");
        assert_eq!(err.found_version(), Some(version));
        if version > 1 {
            assert!(
                err.to_string().contains("newer than this runtime reads"),
                "{err}"
            );
            assert!(err.to_string().contains("versions 1 to 1"), "{err}");
        }
    }
}

#[test]
fn header_reserved_word_and_flags() {
    let mut bytes = sample();
    set_u32(&mut bytes, RESERVED_AT, 7);
    // Without re-sealing the header checksum catches it first (validation order).
    assert_eq!(load_err(&bytes).region(), Some(Region::Header));
    reseal(&mut bytes);
    let err = load_err(&bytes);
    assert!(err.is_reserved_not_zero(), "{err}");
    assert_eq!(err.section(), None);

    let mut bytes = sample();
    set_u32(&mut bytes, FLAGS_AT, 1 << 31);
    reseal(&mut bytes);
    assert!(load_err(&bytes).is_unknown_flags());
}

#[test]
fn header_file_length_lies() {
    for file_len in [0, 1, 55, 56, u64::MAX] {
        let mut bytes = sample();
        set_u64(&mut bytes, FILE_LEN_AT, file_len);
        reseal(&mut bytes);
        assert!(load_err(&bytes).is_length_mismatch(), "{file_len}");
    }
}

#[test]
fn huge_counts_and_offsets() {
    // Section count: more than there are kinds, up to u32::MAX.
    for count in [10, 1000, u32::MAX] {
        let mut bytes = sample();
        set_u32(&mut bytes, SECTION_COUNT_AT, count);
        reseal(&mut bytes);
        assert!(load_err(&bytes).is_too_many_sections(), "{count}");
    }
    // Table offset whose end overflows u64: named overflow.
    let mut bytes = sample();
    set_u64(&mut bytes, TABLE_OFFSET_AT, u64::MAX - 7);
    reseal(&mut bytes);
    let err = load_err(&bytes);
    assert!(err.is_overflow(), "{err}");
    assert_eq!(err.what(), Some("section table end (offset + length)"));
    // Table offset far past the end, or misaligned, or inside the header.
    let mut bytes = sample();
    set_u64(&mut bytes, TABLE_OFFSET_AT, 1 << 40);
    reseal(&mut bytes);
    assert!(load_err(&bytes).is_out_of_bounds());
    let mut bytes = sample();
    set_u64(&mut bytes, TABLE_OFFSET_AT, 60);
    reseal(&mut bytes);
    assert!(load_err(&bytes).is_misaligned());
    let mut bytes = sample();
    set_u64(&mut bytes, TABLE_OFFSET_AT, 48);
    reseal(&mut bytes);
    assert!(load_err(&bytes).is_overlap());
}

// ----- section table entries -----

/// Edits entry of `kind` with `edit(bytes, entry_offset)`, re-seals, returns the error.
fn entry_error(kind: SectionKind, edit: impl Fn(&mut Vec<u8>, usize)) -> LoadError {
    let mut bytes = sample();
    let e = entry_at(&bytes, entry_index(&bytes, kind));
    edit(&mut bytes, e);
    reseal(&mut bytes);
    load_err(&bytes)
}

#[test]
fn entry_with_unknown_kind() {
    for found in [0, 10, 0xFFFF_FFFF] {
        let err = entry_error(SectionKind::Actions, |b, e| {
            set_u32(b, e + ENTRY_KIND, found)
        });
        assert!(err.is_unknown_section_kind(), "{err}");
        assert!(
            err.to_string().contains(&format!("unknown kind {found}")),
            "{err}"
        );
    }
}

#[test]
fn entry_with_duplicate_kind() {
    let err = entry_error(SectionKind::Actions, |b, e| {
        set_u32(b, e + ENTRY_KIND, SectionKind::Strings.as_u32())
    });
    assert!(err.is_duplicate_section(), "{err}");
    assert_eq!(err.section(), Some(SectionKind::Strings));
}

#[test]
fn entry_reserved_word_and_flags() {
    let err = entry_error(SectionKind::Meta, |b, e| set_u32(b, e + ENTRY_RESERVED, 1));
    assert!(err.is_reserved_not_zero(), "{err}");
    assert_eq!(err.section(), Some(SectionKind::Meta));
    assert!(err.to_string().contains("section `meta`"), "{err}");
    let err = entry_error(SectionKind::Meta, |b, e| set_u32(b, e + ENTRY_FLAGS, 4));
    assert!(err.is_unknown_flags(), "{err}");
    assert_eq!(err.section(), Some(SectionKind::Meta));
}

#[test]
fn entry_offsets_and_lengths() {
    let k = SectionKind::Principals;
    // Offset + length overflows u64.
    let err = entry_error(k, |b, e| set_u64(b, e + ENTRY_OFFSET, u64::MAX - 7));
    assert!(err.is_overflow(), "{err}");
    assert_eq!(err.section(), Some(k));
    assert_eq!(err.what(), Some("section end (offset + length)"));
    let err = entry_error(k, |b, e| set_u64(b, e + ENTRY_LEN_FIELD, u64::MAX));
    assert!(err.is_overflow(), "{err}");
    // Past the end of the file.
    let err = entry_error(k, |b, e| set_u64(b, e + ENTRY_LEN_FIELD, 1 << 32));
    assert!(err.is_out_of_bounds(), "{err}");
    assert_eq!(err.section(), Some(k));
    let err = entry_error(k, |b, e| set_u64(b, e + ENTRY_OFFSET, 1 << 50));
    assert!(err.is_out_of_bounds(), "{err}");
    // Misaligned.
    let err = entry_error(k, |b, e| {
        let off = get_u64(b, e + ENTRY_OFFSET);
        set_u64(b, e + ENTRY_OFFSET, off + 4)
    });
    assert!(err.is_misaligned(), "{err}");
    assert_eq!(err.section(), Some(k));
    // Inside the header.
    let err = entry_error(k, |b, e| set_u64(b, e + ENTRY_OFFSET, 8));
    assert!(err.is_overlap(), "{err}");
    // Over the section table.
    let err = entry_error(k, |b, e| set_u64(b, e + ENTRY_OFFSET, 64));
    assert!(err.is_overlap(), "{err}");
    assert!(err.to_string().contains("the section table"), "{err}");
    // Over another section.
    let err = entry_error(k, |b, e| {
        let other = section_range(b, SectionKind::Strings).start as u64;
        set_u64(b, e + ENTRY_OFFSET, other)
    });
    assert!(err.is_overlap(), "{err}");
    assert!(err.to_string().contains("section `strings`"), "{err}");
}

#[test]
fn a_wrong_stored_section_checksum_names_the_section() {
    let err = entry_error(SectionKind::Statements, |b, e| {
        let c = get_u32(b, e + ENTRY_CHECKSUM);
        set_u32(b, e + ENTRY_CHECKSUM, c ^ 1)
    });
    assert!(err.is_checksum_mismatch());
    assert_eq!(err.section(), Some(SectionKind::Statements));
}

#[test]
fn the_body_checksum_is_checked() {
    let mut bytes = sample();
    reseal(&mut bytes);
    assert!(load(&bytes).is_ok());
    let b = get_u32(&bytes, BODY_CHECKSUM_AT);
    set_u32(&mut bytes, BODY_CHECKSUM_AT, b ^ 0x100);
    let c = crc32(&bytes[..HEADER_CHECKSUM_AT]);
    set_u32(&mut bytes, HEADER_CHECKSUM_AT, c);
    assert_eq!(load_err(&bytes).region(), Some(Region::Body));
}

#[test]
fn gaps_between_sections_are_allowed_but_must_be_zero() {
    // Move the last section 64 bytes further out, leaving a zero gap: still valid.
    let bytes = sample();
    let kind = SectionKind::Meta;
    let range = section_range(&bytes, kind);
    let mut moved = bytes[..range.start].to_vec();
    moved.extend_from_slice(&[0; 64]);
    moved.extend_from_slice(&bytes[range.start..]);
    let e = entry_at(&moved, entry_index(&moved, kind));
    set_u64(&mut moved, e + ENTRY_OFFSET, range.start as u64 + 64);
    let new_len = moved.len() as u64;
    set_u64(&mut moved, FILE_LEN_AT, new_len);
    reseal(&mut moved);
    let file = load(&moved).unwrap();
    assert_eq!(file.section(kind), Some(&bytes[range.clone()]));
    // A non-zero byte in the gap is refused.
    moved[range.start + 10] = 1;
    reseal(&mut moved);
    let err = load_err(&moved);
    assert!(err.is_nonzero_padding(), "{err}");
    assert!(
        err.to_string()
            .contains(&format!("offset {}", range.start + 10)),
        "{err}"
    );
}

// ----- verify -----

#[test]
fn verify_a_valid_file() {
    let bytes = sample();
    let report = verify(&bytes);
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.header_checksum(), ChecksumStatus::Ok);
    assert_eq!(report.table_checksum(), ChecksumStatus::Ok);
    assert_eq!(report.body_checksum(), ChecksumStatus::Ok);
    assert_eq!(report.sections().len(), 6);
    for s in report.sections() {
        assert_eq!(s.checksum(), ChecksumStatus::Ok);
        assert!(s.kind().is_some());
    }
    let text = report.to_string();
    assert!(text.contains("ok: the file is valid"), "{text}");
    assert!(text.contains("strings"), "{text}");
}

#[test]
fn verify_reports_every_problem() {
    let mut bytes = sample();
    // Three damaged sections, a reserved word, and a bad padding byte.
    for kind in [
        SectionKind::Strings,
        SectionKind::Actions,
        SectionKind::Meta,
    ] {
        let at = section_range(&bytes, kind).start;
        bytes[at] ^= 0x20;
    }
    let e = entry_at(&bytes, entry_index(&bytes, SectionKind::Principals));
    set_u32(&mut bytes, e + ENTRY_RESERVED, 9);
    let strings = section_range(&bytes, SectionKind::Strings);
    let pad = strings.end; // `strings` is 50 bytes long: padding follows.
    assert_ne!(strings.len() % 8, 0);
    bytes[pad] = 0xEE;
    reseal(&mut bytes);

    let report = verify(&bytes);
    assert!(!report.is_ok());
    let problems = report.problems();
    // 1 reserved word + 1 padding byte + 3 sections (the body checksum was re-sealed).
    assert_eq!(problems.len(), 5, "{report}");
    assert!(problems.iter().any(|p| p.is_reserved_not_zero()));
    assert!(problems.iter().any(|p| p.is_nonzero_padding()));
    for kind in [
        SectionKind::Strings,
        SectionKind::Actions,
        SectionKind::Meta,
    ] {
        assert!(
            problems
                .iter()
                .any(|p| p.is_checksum_mismatch() && p.section() == Some(kind)),
            "{kind}: {report}"
        );
        let s = report
            .sections()
            .iter()
            .find(|s| s.kind() == Some(kind))
            .unwrap();
        assert!(matches!(s.checksum(), ChecksumStatus::Mismatch { .. }));
    }
    // Loading reports the first of them.
    assert_eq!(load_err(&bytes).to_string(), problems[0].to_string());
    assert!(report.to_string().contains("5 problem(s)"), "{report}");
}

#[test]
fn verify_goes_on_after_a_header_checksum_mismatch() {
    let mut bytes = sample();
    bytes[RESERVED_AT] = 1; // not re-sealed: header checksum and reserved word both wrong
    let at = section_range(&bytes, SectionKind::Meta).start;
    bytes[at] ^= 1;
    let report = verify(&bytes);
    let p = report.problems();
    assert!(p[0].region() == Some(Region::Header), "{report}");
    assert!(p.iter().any(|e| e.is_reserved_not_zero()), "{report}");
    assert!(
        p.iter().any(|e| e.section() == Some(SectionKind::Meta)),
        "{report}"
    );
    assert!(matches!(
        report.header_checksum(),
        ChecksumStatus::Mismatch { .. }
    ));
}

#[test]
fn verify_stops_where_nothing_more_can_be_read() {
    let report = verify(b"short");
    assert_eq!(report.problems().len(), 1);
    assert!(report.header().is_none());
    assert_eq!(report.header_checksum(), ChecksumStatus::NotChecked);
    let mut bytes = sample();
    bytes[0] = b'X';
    let report = verify(&bytes);
    assert_eq!(report.problems().len(), 1);
    assert!(report.problems()[0].is_bad_magic());
    assert!(report.header().is_some());
}

#[test]
fn messages_carry_a_remedy() {
    let mut cases = Vec::new();
    let bytes = sample();
    cases.push(load_err(&bytes[..10]));
    cases.push(load_err(&bytes[..100]));
    let mut bad = bytes.clone();
    bad[200] ^= 1;
    cases.push(load_err(&bad));
    for err in cases {
        let text = err.to_string();
        assert!(
            text.starts_with("cannot load gavel decision file: "),
            "{text}"
        );
        assert!(text.contains("`gavel compile`"), "{text}");
    }
    // `LoadError` is a std error and prints for `{:?}` without the bytes.
    let err: Box<dyn std::error::Error> = Box::new(load_err(b""));
    assert!(format!("{err:?}").contains("TooShort"));
}
