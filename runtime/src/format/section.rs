//! The section table: which kinds of section a file holds, and where.
//!
//! ```text
//!  entry (32 bytes, little-endian), `section_count` of them at `table_offset`
//!  ┌──────────┬──────────┬───────────────────┬───────────────────┬──────────┬──────────┐
//!  │ kind u32 │ rsvd u32 │ offset u64        │ len u64           │ crc  u32 │ flags u32│
//!  └──────────┴──────────┴───────────────────┴───────────────────┴──────────┴──────────┘
//!   0          4          8                   16                  24         28       32
//! ```
//!
//! The reader half ([`SectionEntry::read`]) and the writer half ([`SectionEntry::encode`],
//! cargo feature `write`) sit side by side; the checks an entry must pass live in
//! `file.rs`, which sees the whole table at once.

use std::fmt;

use super::error::LoadError;
use super::wire;

/// The size of one section table entry in bytes.
pub const ENTRY_LEN: usize = 32;

/// Byte offsets of an entry's fields.
const KIND_AT: usize = 0;
const RESERVED_AT: usize = 4;
const OFFSET_AT: usize = 8;
const LEN_AT: usize = 16;
const CHECKSUM_AT: usize = 24;
const FLAGS_AT: usize = 28;

/// What a section holds.
///
/// **Provisional for format version 1**: this list, and the numbers, may change until version 1
/// is frozen (see `FORMAT.md`). To add a kind: add a variant with the next free number, add it
/// to [`SectionKind::ALL`] and [`SectionKind::name`], and re-generate the compatibility
/// fixture. Kind `0` is never used, so a zeroed entry is always invalid. A version-1 reader
/// rejects a kind it does not know: a section can change the meaning of a file, so skipping
/// one would be unsafe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u32)]
#[non_exhaustive]
pub enum SectionKind {
    /// The string pool: every interned string (ARNs, keys, constants) the other sections name.
    Strings = 1,
    /// The principal table.
    Principals = 2,
    /// The action index.
    Actions = 3,
    /// Resource automata and patterns.
    Resources = 4,
    /// Condition bytecode and its constant pool.
    Conditions = 5,
    /// The statement table.
    Statements = 6,
    /// Policies (which statements each policy holds).
    Policies = 7,
    /// The organization tree (root, OUs, accounts, their SCPs and RCPs).
    OrgTree = 8,
    /// Metadata: compiler version, digest of the sources, creation time.
    Meta = 9,
}

impl SectionKind {
    /// Every kind, in number order.
    pub const ALL: [SectionKind; 9] = [
        SectionKind::Strings,
        SectionKind::Principals,
        SectionKind::Actions,
        SectionKind::Resources,
        SectionKind::Conditions,
        SectionKind::Statements,
        SectionKind::Policies,
        SectionKind::OrgTree,
        SectionKind::Meta,
    ];

    /// How many kinds there are; also the most sections a file can hold.
    pub const COUNT: usize = SectionKind::ALL.len();

    /// The kind with number `n`, or `None` if this version does not know it.
    pub fn from_u32(n: u32) -> Option<SectionKind> {
        SectionKind::ALL.into_iter().find(|k| k.as_u32() == n)
    }

    /// The number stored in the section table.
    pub fn as_u32(self) -> u32 {
        self as u32
    }

    /// The kind's name in messages and `gavel verify` output.
    pub fn name(self) -> &'static str {
        match self {
            SectionKind::Strings => "strings",
            SectionKind::Principals => "principals",
            SectionKind::Actions => "actions",
            SectionKind::Resources => "resources",
            SectionKind::Conditions => "conditions",
            SectionKind::Statements => "statements",
            SectionKind::Policies => "policies",
            SectionKind::OrgTree => "org-tree",
            SectionKind::Meta => "meta",
        }
    }

    /// A dense index in `0 .. COUNT`, for per-kind arrays.
    pub(crate) fn index(self) -> usize {
        // Kinds are numbered 1..=COUNT; the conversion cannot fail or wrap.
        usize::try_from(self.as_u32().saturating_sub(1)).unwrap_or(usize::MAX)
    }
}

impl fmt::Display for SectionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A part of a file that a checksum covers or that must not overlap another part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Region {
    /// The fixed-size header at offset 0.
    Header,
    /// The section table.
    SectionTable,
    /// One section.
    Section(SectionKind),
    /// Everything after the header.
    Body,
}

impl Region {
    /// The section, if the region is one.
    pub fn section(self) -> Option<SectionKind> {
        match self {
            Region::Section(kind) => Some(kind),
            _ => None,
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Region::Header => f.write_str("the header"),
            Region::SectionTable => f.write_str("the section table"),
            Region::Section(kind) => write!(f, "section `{}`", kind.name()),
            Region::Body => f.write_str("the file body"),
        }
    }
}

/// One section table entry as stored, before any check (so `gavel verify` can show bad ones).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SectionEntry {
    /// The kind number ([`SectionKind::as_u32`]); unknown numbers are an error.
    pub kind: u32,
    /// Must be 0.
    pub reserved: u32,
    /// Offset of the section's first byte from the start of the file; a multiple of 8.
    pub offset: u64,
    /// Length of the section in bytes (the zero padding after it is not counted).
    pub len: u64,
    /// CRC-32 of the section's `len` bytes.
    pub checksum: u32,
    /// Per-section flags; none are defined in version 1, so must be 0.
    pub flags: u32,
}

impl SectionEntry {
    /// Reads entry `index` of a section table (the table's bytes, `count * ENTRY_LEN` long).
    pub fn read(table: &[u8], index: usize) -> Result<SectionEntry, LoadError> {
        const WHAT: &str = "section table entry";
        let at = wire::mul(index, ENTRY_LEN, "section table entry offset")?;
        let e = wire::slice(table, at, ENTRY_LEN, WHAT)?;
        Ok(SectionEntry {
            kind: wire::read_u32(e, KIND_AT, WHAT)?,
            reserved: wire::read_u32(e, RESERVED_AT, WHAT)?,
            offset: wire::read_u64(e, OFFSET_AT, WHAT)?,
            len: wire::read_u64(e, LEN_AT, WHAT)?,
            checksum: wire::read_u32(e, CHECKSUM_AT, WHAT)?,
            flags: wire::read_u32(e, FLAGS_AT, WHAT)?,
        })
    }

    /// A well-formed entry for a section of `kind` (for the writer).
    #[cfg(feature = "write")]
    pub fn new(kind: SectionKind, offset: u64, len: u64, checksum: u32) -> SectionEntry {
        SectionEntry {
            kind: kind.as_u32(),
            reserved: 0,
            offset,
            len,
            checksum,
            flags: 0,
        }
    }

    /// The entry's [`ENTRY_LEN`] bytes, as [`SectionEntry::read`] reads them.
    #[cfg(feature = "write")]
    pub fn encode(&self, out: &mut Vec<u8>) {
        let start = out.len();
        wire::push_u32(out, self.kind);
        wire::push_u32(out, self.reserved);
        wire::push_u64(out, self.offset);
        wire::push_u64(out, self.len);
        wire::push_u32(out, self.checksum);
        wire::push_u32(out, self.flags);
        debug_assert_eq!(out.len() - start, ENTRY_LEN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_are_dense() {
        for (i, kind) in SectionKind::ALL.into_iter().enumerate() {
            assert_eq!(SectionKind::from_u32(kind.as_u32()), Some(kind));
            assert_eq!(kind.index(), i);
        }
        assert_eq!(SectionKind::from_u32(0), None);
        assert_eq!(SectionKind::from_u32(10), None);
        assert_eq!(SectionKind::from_u32(u32::MAX), None);
    }

    #[test]
    fn reading_a_short_table_is_an_error() {
        let table = [0u8; ENTRY_LEN + 3];
        assert!(SectionEntry::read(&table, 0).is_ok());
        assert!(
            SectionEntry::read(&table, 1)
                .unwrap_err()
                .is_out_of_bounds()
        );
        assert!(
            SectionEntry::read(&table, usize::MAX)
                .unwrap_err()
                .is_overflow()
        );
    }
}
