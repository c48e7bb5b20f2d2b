//! The fixed-size header at offset 0 of every decision file.
//!
//! ```text
//!  offset size field            value
//!  ────── ──── ──────────────── ─────────────────────────────────────────────────────────
//!     0     8  magic            b"GAVELDT\0"
//!     8     4  endian_mark      0x0A0B0C0D (bytes 0D 0C 0B 0A)
//!    12     4  format_version   1
//!    16     4  reserved         0
//!    20     4  flags            0 (none defined in version 1)
//!    24     8  file_len         length of the whole file in bytes
//!    32     8  table_offset     offset of the section table (multiple of 8)
//!    40     4  section_count    number of section table entries
//!    44     4  table_checksum   CRC-32 of the section table (section_count * 32 bytes)
//!    48     4  body_checksum    CRC-32 of bytes [56, file_len)
//!    52     4  header_checksum  CRC-32 of bytes [0, 52)
//!    56        (end; the header is 7 * 8 bytes, so what follows is 8-byte aligned)
//! ```
//!
//! Magic, endianness mark and version sit at offsets 0, 8 and 12 in *every* format version,
//! present and future, so that any reader can tell any Gavel file's version.
//!
//! The reader half ([`Header::read`]) and the writer half ([`Header::encode`], cargo feature
//! `write`) sit side by side.

use std::ops::RangeInclusive;

use super::error::LoadError;
use super::wire;

/// The first eight bytes of every decision file.
pub const MAGIC: [u8; 8] = *b"GAVELDT\0";

/// Written little-endian at offset 8; reads back as this value only when the file is read
/// little-endian (a big-endian writer would produce `0x0D0C0B0A`).
pub const ENDIAN_MARK: u32 = 0x0A0B_0C0D;

/// The size of the header in bytes.
pub const HEADER_LEN: usize = 56;

/// The format versions this runtime reads. See `FORMAT.md`, "Version policy".
pub const READABLE_VERSIONS: RangeInclusive<u32> = 1..=1;

/// Header flags this version defines (none yet). Any other bit set is an error.
pub const KNOWN_FLAGS: u32 = 0;

/// Byte offsets of the header's fields.
pub(crate) const MAGIC_AT: usize = 0;
pub(crate) const ENDIAN_MARK_AT: usize = 8;
pub(crate) const VERSION_AT: usize = 12;
pub(crate) const RESERVED_AT: usize = 16;
pub(crate) const FLAGS_AT: usize = 20;
pub(crate) const FILE_LEN_AT: usize = 24;
pub(crate) const TABLE_OFFSET_AT: usize = 32;
pub(crate) const SECTION_COUNT_AT: usize = 40;
pub(crate) const TABLE_CHECKSUM_AT: usize = 44;
pub(crate) const BODY_CHECKSUM_AT: usize = 48;
pub(crate) const HEADER_CHECKSUM_AT: usize = 52;

/// The format versions this runtime knows; a closed list.
///
/// Every variant lies in [`READABLE_VERSIONS`]. When a new version is added, older variants
/// stay while their files remain readable (see `FORMAT.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u32)]
#[non_exhaustive]
pub enum FormatVersion {
    /// Version 1: header, section table, 8-byte aligned sections, CRC-32 checksums.
    /// Provisional until frozen (see `FORMAT.md`).
    V1 = 1,
}

impl FormatVersion {
    /// The version this runtime writes.
    pub const CURRENT: FormatVersion = FormatVersion::V1;

    /// The version numbered `n`, if this runtime reads it.
    pub fn from_u32(n: u32) -> Option<FormatVersion> {
        match n {
            1 => Some(FormatVersion::V1),
            _ => None,
        }
    }

    /// The number stored in the header.
    pub fn as_u32(self) -> u32 {
        self as u32
    }
}

/// A header's fields as stored, before any check (so `gavel verify` can show a bad header).
///
/// In a [`File`](super::File) that loaded, every field has been checked: the magic and
/// endianness mark are right, the version is readable, the reserved word and flags are zero,
/// `file_len` is the file's length, and all three checksums match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Header {
    /// Must be [`MAGIC`].
    pub magic: [u8; 8],
    /// Must be [`ENDIAN_MARK`].
    pub endian_mark: u32,
    /// The format version; must lie in [`READABLE_VERSIONS`].
    pub version: u32,
    /// Must be 0.
    pub reserved: u32,
    /// Must have no bit outside [`KNOWN_FLAGS`].
    pub flags: u32,
    /// The length of the whole file in bytes.
    pub file_len: u64,
    /// The offset of the section table; a multiple of 8, at or after the header's end.
    pub table_offset: u64,
    /// The number of section table entries; at most [`SectionKind::COUNT`](super::SectionKind::COUNT).
    pub section_count: u32,
    /// CRC-32 of the section table's bytes.
    pub table_checksum: u32,
    /// CRC-32 of every byte after the header.
    pub body_checksum: u32,
    /// CRC-32 of the header's first 52 bytes (every field before this one).
    pub header_checksum: u32,
}

impl Header {
    /// Reads the header's fields from the start of `bytes`, checking nothing but the length.
    pub fn read(bytes: &[u8]) -> Result<Header, LoadError> {
        const WHAT: &str = "header";
        let h = bytes.first_chunk::<HEADER_LEN>().ok_or_else(|| {
            LoadError::too_short("a header", wire::wide(HEADER_LEN), wire::wide(bytes.len()))
        })?;
        Ok(Header {
            magic: wire::read_array(h, MAGIC_AT, WHAT)?,
            endian_mark: wire::read_u32(h, ENDIAN_MARK_AT, WHAT)?,
            version: wire::read_u32(h, VERSION_AT, WHAT)?,
            reserved: wire::read_u32(h, RESERVED_AT, WHAT)?,
            flags: wire::read_u32(h, FLAGS_AT, WHAT)?,
            file_len: wire::read_u64(h, FILE_LEN_AT, WHAT)?,
            table_offset: wire::read_u64(h, TABLE_OFFSET_AT, WHAT)?,
            section_count: wire::read_u32(h, SECTION_COUNT_AT, WHAT)?,
            table_checksum: wire::read_u32(h, TABLE_CHECKSUM_AT, WHAT)?,
            body_checksum: wire::read_u32(h, BODY_CHECKSUM_AT, WHAT)?,
            header_checksum: wire::read_u32(h, HEADER_CHECKSUM_AT, WHAT)?,
        })
    }

    /// The checksum the header's first 52 bytes actually have (compare with
    /// [`Header::header_checksum`]). `None` if `bytes` is shorter than a header.
    pub fn compute_header_checksum(bytes: &[u8]) -> Option<u32> {
        bytes.get(..HEADER_CHECKSUM_AT).map(crc32fast::hash)
    }

    /// The version as the closed enum, if this runtime reads it.
    pub fn format_version(&self) -> Option<FormatVersion> {
        FormatVersion::from_u32(self.version)
    }

    /// A header for a version-[`CURRENT`](FormatVersion::CURRENT) file with the given layout;
    /// `header_checksum` is left 0 for [`Header::encode`] to fill in.
    #[cfg(feature = "write")]
    pub fn new(
        file_len: u64,
        table_offset: u64,
        section_count: u32,
        table_checksum: u32,
        body_checksum: u32,
    ) -> Header {
        Header {
            magic: MAGIC,
            endian_mark: ENDIAN_MARK,
            version: FormatVersion::CURRENT.as_u32(),
            reserved: 0,
            flags: 0,
            file_len,
            table_offset,
            section_count,
            table_checksum,
            body_checksum,
            header_checksum: 0,
        }
    }

    /// The header's [`HEADER_LEN`] bytes, with the header checksum computed over the first 52
    /// (the stored `header_checksum` field is ignored).
    #[cfg(feature = "write")]
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN);
        out.extend_from_slice(&self.magic);
        wire::push_u32(&mut out, self.endian_mark);
        wire::push_u32(&mut out, self.version);
        wire::push_u32(&mut out, self.reserved);
        wire::push_u32(&mut out, self.flags);
        wire::push_u64(&mut out, self.file_len);
        wire::push_u64(&mut out, self.table_offset);
        wire::push_u32(&mut out, self.section_count);
        wire::push_u32(&mut out, self.table_checksum);
        wire::push_u32(&mut out, self.body_checksum);
        debug_assert_eq!(out.len(), HEADER_CHECKSUM_AT);
        let checksum = crc32fast::hash(&out);
        wire::push_u32(&mut out, checksum);
        debug_assert_eq!(out.len(), HEADER_LEN);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endian_mark_only_reads_back_little_endian() {
        let bytes = ENDIAN_MARK.to_le_bytes();
        assert_eq!(bytes, [0x0D, 0x0C, 0x0B, 0x0A]);
        assert_eq!(u32::from_le_bytes(bytes), ENDIAN_MARK);
        assert_ne!(u32::from_be_bytes(bytes), ENDIAN_MARK);
    }

    #[test]
    fn every_known_version_is_readable() {
        for n in 0..=8 {
            if let Some(v) = FormatVersion::from_u32(n) {
                assert!(READABLE_VERSIONS.contains(&v.as_u32()));
            }
        }
        assert!(READABLE_VERSIONS.contains(&FormatVersion::CURRENT.as_u32()));
    }

    #[test]
    fn short_input_is_too_short() {
        for len in 0..HEADER_LEN {
            assert!(Header::read(&vec![0; len]).unwrap_err().is_too_short());
        }
        assert!(Header::read(&[0; HEADER_LEN]).is_ok());
    }
}
