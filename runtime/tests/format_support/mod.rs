//! Helpers shared by the `format_*` integration tests: sample files and byte surgery that
//! re-computes checksums, so a test can reach the check *behind* the checksums.

#![allow(dead_code, reason = "each test crate uses a different subset")]

use gavel_runtime::format::{ENTRY_LEN, FileBuilder, HEADER_LEN, SectionKind};

/// Header field offsets (FORMAT.md, "Header").
pub const ENDIAN_MARK_AT: usize = 8;
pub const VERSION_AT: usize = 12;
pub const RESERVED_AT: usize = 16;
pub const FLAGS_AT: usize = 20;
pub const FILE_LEN_AT: usize = 24;
pub const TABLE_OFFSET_AT: usize = 32;
pub const SECTION_COUNT_AT: usize = 40;
pub const TABLE_CHECKSUM_AT: usize = 44;
pub const BODY_CHECKSUM_AT: usize = 48;
pub const HEADER_CHECKSUM_AT: usize = 52;

/// Entry field offsets, relative to the entry (FORMAT.md, "Section table").
pub const ENTRY_KIND: usize = 0;
pub const ENTRY_RESERVED: usize = 4;
pub const ENTRY_OFFSET: usize = 8;
pub const ENTRY_LEN_FIELD: usize = 16;
pub const ENTRY_CHECKSUM: usize = 24;
pub const ENTRY_FLAGS: usize = 28;

/// The sections of [`sample`]: several kinds, odd lengths, an empty one.
pub fn sample_sections() -> Vec<(SectionKind, Vec<u8>)> {
    vec![
        (
            SectionKind::Strings,
            b"arn:aws:iam::111122223333:user/alice\0s3:GetObject\0".to_vec(),
        ),
        (SectionKind::Principals, (0u8..=40).collect()),
        (SectionKind::Actions, vec![0xAB; 16]),
        (SectionKind::Conditions, Vec::new()),
        (SectionKind::Statements, (0u8..=255).rev().collect()),
        (SectionKind::Meta, b"gavel-test 0.1.0".to_vec()),
    ]
}

/// A valid file holding [`sample_sections`].
pub fn sample() -> Vec<u8> {
    let mut builder = FileBuilder::new();
    for (kind, bytes) in sample_sections() {
        builder.add_section(kind, bytes);
    }
    builder.finish().unwrap()
}

pub fn get_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

pub fn get_u64(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap())
}

pub fn set_u32(bytes: &mut [u8], at: usize, v: u32) {
    bytes[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

pub fn set_u64(bytes: &mut [u8], at: usize, v: u64) {
    bytes[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

/// Offset of entry `i` of the table the header points to.
pub fn entry_at(bytes: &[u8], i: usize) -> usize {
    get_u64(bytes, TABLE_OFFSET_AT) as usize + i * ENTRY_LEN
}

/// The table index of the entry of `kind`.
pub fn entry_index(bytes: &[u8], kind: SectionKind) -> usize {
    let count = get_u32(bytes, SECTION_COUNT_AT) as usize;
    (0..count)
        .find(|&i| get_u32(bytes, entry_at(bytes, i) + ENTRY_KIND) == kind.as_u32())
        .unwrap()
}

/// `[offset, offset + len)` of the section of `kind`, from its entry.
pub fn section_range(bytes: &[u8], kind: SectionKind) -> std::ops::Range<usize> {
    let e = entry_at(bytes, entry_index(bytes, kind));
    let offset = get_u64(bytes, e + ENTRY_OFFSET) as usize;
    offset..offset + get_u64(bytes, e + ENTRY_LEN_FIELD) as usize
}

/// Re-computes the table, body and header checksums (in that order) after an edit, as far as
/// the header still points at something in bounds. Section checksums are left alone.
pub fn reseal(bytes: &mut [u8]) {
    if bytes.len() < HEADER_LEN {
        return;
    }
    let table = get_u64(bytes, TABLE_OFFSET_AT) as usize;
    let count = get_u32(bytes, SECTION_COUNT_AT) as usize;
    if let Some(end) = count
        .checked_mul(ENTRY_LEN)
        .and_then(|len| table.checked_add(len))
        && end <= bytes.len()
    {
        let crc = crc32(&bytes[table..end]);
        set_u32(bytes, TABLE_CHECKSUM_AT, crc);
    }
    let crc = crc32(&bytes[HEADER_LEN..]);
    set_u32(bytes, BODY_CHECKSUM_AT, crc);
    let crc = crc32(&bytes[..HEADER_CHECKSUM_AT]);
    set_u32(bytes, HEADER_CHECKSUM_AT, crc);
}

/// Like [`reseal`], but first re-computes every in-bounds section checksum too.
pub fn reseal_all(bytes: &mut [u8]) {
    let count = get_u32(bytes, SECTION_COUNT_AT) as usize;
    let table = get_u64(bytes, TABLE_OFFSET_AT);
    for i in 0..count.min(16) {
        let Some(e) = table.checked_add((i * ENTRY_LEN) as u64) else {
            break;
        };
        if e.saturating_add(ENTRY_LEN as u64) > bytes.len() as u64 {
            break;
        }
        let e = e as usize;
        let offset = get_u64(bytes, e + ENTRY_OFFSET);
        let len = get_u64(bytes, e + ENTRY_LEN_FIELD);
        if let Some(end) = offset.checked_add(len)
            && end <= bytes.len() as u64
        {
            let crc = crc32(&bytes[offset as usize..end as usize]);
            set_u32(bytes, e + ENTRY_CHECKSUM, crc);
        }
    }
    reseal(bytes);
}

/// CRC-32 (ISO-HDLC, the zlib/PNG one), bit by bit: an oracle independent of `crc32fast`.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
