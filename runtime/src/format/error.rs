//! The one error type of loading a decision file: [`LoadError`].
//!
//! The error is opaque: its kind is private so that new checks (and new fields on old checks)
//! never break callers. Callers that must branch on the cause use the `is_*` accessors and
//! [`LoadError::section`]; everyone else prints it. Every message says what was expected, what
//! was found, and what to do about it.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use super::header::{ENDIAN_MARK, MAGIC, READABLE_VERSIONS};
use super::section::{Region, SectionKind};

/// What to tell the user when the bytes are damaged.
const REMEDY_CORRUPT: &str =
    "the file is damaged or was changed after it was written: re-generate it with `gavel compile`";

/// Why a decision file could not be loaded.
///
/// Returned by [`File::from_bytes`](super::File::from_bytes), [`Engine::open`](crate::Engine::open)
/// and friends. Loading validates the whole file first, so this error is the *only* way a bad
/// file shows itself: the runtime never panics on file contents and never answers from a file
/// it could not fully check.
///
/// The error is boxed so that `Result<T, LoadError>` stays one pointer wide in the validators'
/// loops.
pub struct LoadError(Box<Inner>);

/// The error's payload: the cause, and the section it concerns (if any).
#[derive(Debug)]
struct Inner {
    kind: LoadErrorKind,
    section: Option<SectionKind>,
}

/// The private list of causes. Add variants freely: no caller can match on it.
#[derive(Debug)]
enum LoadErrorKind {
    /// Opening, mapping or reading the file failed.
    Io { path: PathBuf, source: io::Error },
    /// Fewer bytes than the smallest thing that could be there.
    TooShort {
        what: &'static str,
        expected: u64,
        found: u64,
    },
    /// The first eight bytes are not [`MAGIC`].
    BadMagic { found: [u8; 8] },
    /// The endianness mark does not read back as `ENDIAN_MARK`.
    WrongEndianness { found: u32 },
    /// The format version is outside [`READABLE_VERSIONS`].
    UnsupportedVersion { found: u32 },
    /// A stored checksum does not match the bytes it covers.
    ChecksumMismatch {
        region: Region,
        expected: u32,
        found: u32,
    },
    /// A word that must be zero in this version is not.
    ReservedNotZero { what: &'static str, found: u64 },
    /// Flag bits that this version does not define are set.
    UnknownFlags { what: &'static str, found: u32 },
    /// The header's file length differs from the number of bytes present.
    LengthMismatch { expected: u64, found: u64 },
    /// The section table lists more sections than there are kinds.
    TooManySections { found: u32, max: u32 },
    /// A section table entry names a kind this version does not know.
    UnknownSectionKind { index: u32, found: u32 },
    /// Two section table entries name the same kind.
    DuplicateSection { kind: SectionKind },
    /// A section the caller requires is absent.
    MissingSection { kind: SectionKind },
    /// `offset .. offset + len` does not lie within the `available` bytes.
    OutOfBounds {
        what: &'static str,
        offset: u64,
        len: u64,
        available: u64,
    },
    /// An offset is not a multiple of the required alignment.
    Misaligned {
        what: &'static str,
        offset: u64,
        align: u64,
    },
    /// Two regions of the file share bytes.
    Overlap { first: Region, second: Region },
    /// A byte outside every region (alignment padding, gaps) is not zero.
    NonZeroPadding { offset: u64 },
    /// Checked arithmetic on a quantity read from the file overflowed.
    Overflow { what: &'static str },
    /// A value read from the file is not one of the allowed values.
    InvalidValue {
        what: &'static str,
        expected: &'static str,
        found: u64,
    },
    /// A count read from a section promises more entries than its remaining bytes can hold
    /// (each entry takes at least `min_entry` bytes): refused before anything is allocated.
    CountTooLarge {
        what: &'static str,
        count: u64,
        min_entry: u64,
        remaining: u64,
    },
    /// An id read from a section names an entry that does not exist (or a count asks for more
    /// entries of another section than are left).
    BadReference {
        what: &'static str,
        found: u64,
        available: u64,
    },
    /// A string id (of the field `what`) is past the end of the string pool.
    BadStringId {
        what: &'static str,
        found: u64,
        available: u64,
    },
    /// A string of the string pool is not valid UTF-8.
    InvalidUtf8 { index: u64 },
    /// Text read from the file does not parse as what it stands for (a decimal constant, a
    /// date's fraction digits, ...).
    InvalidText { what: &'static str, found: String },
    /// A section has bytes left after its last entry.
    TrailingBytes { what: &'static str, count: u64 },
    /// Entries of one section that no entry of another section uses.
    UnusedEntries { what: &'static str, count: u64 },
    /// A count stored twice (in the `meta` section and where the entries are) differs.
    CountMismatch {
        what: &'static str,
        expected: u64,
        found: u64,
    },
    /// Decoding would materialize more string bytes than the file's size allows (a crafted
    /// file that names one long string very many times).
    DecodedTooLarge { limit: u64 },
    /// The decoded tables name something that does not exist ([`crate::tables::Tables::check`]).
    Inconsistent { reason: String },
}

impl LoadError {
    fn new(kind: LoadErrorKind) -> LoadError {
        LoadError(Box::new(Inner {
            kind,
            section: None,
        }))
    }

    /// Attaches the section this error concerns; its message then names the section.
    pub(crate) fn in_section(mut self, kind: SectionKind) -> LoadError {
        self.0.section = Some(kind);
        self
    }

    pub(crate) fn io(path: &Path, source: io::Error) -> LoadError {
        LoadError::new(LoadErrorKind::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    pub(crate) fn too_short(what: &'static str, expected: u64, found: u64) -> LoadError {
        LoadError::new(LoadErrorKind::TooShort {
            what,
            expected,
            found,
        })
    }

    pub(crate) fn bad_magic(found: [u8; 8]) -> LoadError {
        LoadError::new(LoadErrorKind::BadMagic { found })
    }

    pub(crate) fn wrong_endianness(found: u32) -> LoadError {
        LoadError::new(LoadErrorKind::WrongEndianness { found })
    }

    pub(crate) fn unsupported_version(found: u32) -> LoadError {
        LoadError::new(LoadErrorKind::UnsupportedVersion { found })
    }

    pub(crate) fn checksum_mismatch(region: Region, expected: u32, found: u32) -> LoadError {
        let err = LoadError::new(LoadErrorKind::ChecksumMismatch {
            region,
            expected,
            found,
        });
        match region.section() {
            Some(kind) => err.in_section(kind),
            None => err,
        }
    }

    pub(crate) fn reserved_not_zero(what: &'static str, found: u64) -> LoadError {
        LoadError::new(LoadErrorKind::ReservedNotZero { what, found })
    }

    pub(crate) fn unknown_flags(what: &'static str, found: u32) -> LoadError {
        LoadError::new(LoadErrorKind::UnknownFlags { what, found })
    }

    pub(crate) fn length_mismatch(expected: u64, found: u64) -> LoadError {
        LoadError::new(LoadErrorKind::LengthMismatch { expected, found })
    }

    pub(crate) fn too_many_sections(found: u32, max: u32) -> LoadError {
        LoadError::new(LoadErrorKind::TooManySections { found, max })
    }

    pub(crate) fn unknown_section_kind(index: u32, found: u32) -> LoadError {
        LoadError::new(LoadErrorKind::UnknownSectionKind { index, found })
    }

    pub(crate) fn duplicate_section(kind: SectionKind) -> LoadError {
        LoadError::new(LoadErrorKind::DuplicateSection { kind }).in_section(kind)
    }

    pub(crate) fn missing_section(kind: SectionKind) -> LoadError {
        LoadError::new(LoadErrorKind::MissingSection { kind }).in_section(kind)
    }

    pub(crate) fn out_of_bounds(
        what: &'static str,
        offset: u64,
        len: u64,
        available: u64,
    ) -> LoadError {
        LoadError::new(LoadErrorKind::OutOfBounds {
            what,
            offset,
            len,
            available,
        })
    }

    pub(crate) fn misaligned(what: &'static str, offset: u64, align: u64) -> LoadError {
        LoadError::new(LoadErrorKind::Misaligned {
            what,
            offset,
            align,
        })
    }

    pub(crate) fn overlap(first: Region, second: Region) -> LoadError {
        let err = LoadError::new(LoadErrorKind::Overlap { first, second });
        match second.section().or(first.section()) {
            Some(kind) => err.in_section(kind),
            None => err,
        }
    }

    pub(crate) fn nonzero_padding(offset: u64) -> LoadError {
        LoadError::new(LoadErrorKind::NonZeroPadding { offset })
    }

    pub(crate) fn overflow(what: &'static str) -> LoadError {
        LoadError::new(LoadErrorKind::Overflow { what })
    }

    /// A value read from a section is not one of the allowed values (for section readers).
    pub(crate) fn invalid_value(
        what: &'static str,
        expected: &'static str,
        found: u64,
    ) -> LoadError {
        LoadError::new(LoadErrorKind::InvalidValue {
            what,
            expected,
            found,
        })
    }

    pub(crate) fn count_too_large(
        what: &'static str,
        count: u64,
        min_entry: u64,
        remaining: u64,
    ) -> LoadError {
        LoadError::new(LoadErrorKind::CountTooLarge {
            what,
            count,
            min_entry,
            remaining,
        })
    }

    pub(crate) fn bad_reference(what: &'static str, found: u64, available: u64) -> LoadError {
        LoadError::new(LoadErrorKind::BadReference {
            what,
            found,
            available,
        })
    }

    pub(crate) fn bad_string_id(what: &'static str, found: u64, available: u64) -> LoadError {
        LoadError::new(LoadErrorKind::BadStringId {
            what,
            found,
            available,
        })
    }

    pub(crate) fn invalid_utf8(index: u64) -> LoadError {
        LoadError::new(LoadErrorKind::InvalidUtf8 { index })
    }

    pub(crate) fn invalid_text(what: &'static str, found: &str) -> LoadError {
        // Enough of the text to recognize it; a crafted file may hold megabytes.
        let found = match found.char_indices().nth(60) {
            Some((cut, _)) => format!("{}…", found.get(..cut).unwrap_or_default()),
            None => found.to_string(),
        };
        LoadError::new(LoadErrorKind::InvalidText { what, found })
    }

    pub(crate) fn trailing_bytes(what: &'static str, count: u64) -> LoadError {
        LoadError::new(LoadErrorKind::TrailingBytes { what, count })
    }

    pub(crate) fn unused_entries(what: &'static str, count: u64) -> LoadError {
        LoadError::new(LoadErrorKind::UnusedEntries { what, count })
    }

    pub(crate) fn count_mismatch(what: &'static str, expected: u64, found: u64) -> LoadError {
        LoadError::new(LoadErrorKind::CountMismatch {
            what,
            expected,
            found,
        })
    }

    pub(crate) fn decoded_too_large(limit: u64) -> LoadError {
        LoadError::new(LoadErrorKind::DecodedTooLarge { limit })
    }

    pub(crate) fn inconsistent(reason: String) -> LoadError {
        LoadError::new(LoadErrorKind::Inconsistent { reason })
    }

    // ----- accessors (for callers and tests that must branch on the cause) -----

    /// The section this error concerns, if it concerns one (a checksum mismatch in it, an entry
    /// of it that is out of bounds, misaligned, duplicated, ...).
    pub fn section(&self) -> Option<SectionKind> {
        self.0.section
    }

    /// For a checksum mismatch: the region whose checksum failed.
    pub fn region(&self) -> Option<Region> {
        match self.0.kind {
            LoadErrorKind::ChecksumMismatch { region, .. } => Some(region),
            _ => None,
        }
    }

    /// The quantity or field the error names (`"section count"`, `"section table"`, ...), if
    /// the error names one.
    pub fn what(&self) -> Option<&'static str> {
        match self.0.kind {
            LoadErrorKind::TooShort { what, .. }
            | LoadErrorKind::ReservedNotZero { what, .. }
            | LoadErrorKind::UnknownFlags { what, .. }
            | LoadErrorKind::OutOfBounds { what, .. }
            | LoadErrorKind::Misaligned { what, .. }
            | LoadErrorKind::Overflow { what }
            | LoadErrorKind::InvalidValue { what, .. }
            | LoadErrorKind::CountTooLarge { what, .. }
            | LoadErrorKind::BadReference { what, .. }
            | LoadErrorKind::BadStringId { what, .. }
            | LoadErrorKind::InvalidText { what, .. }
            | LoadErrorKind::TrailingBytes { what, .. }
            | LoadErrorKind::UnusedEntries { what, .. }
            | LoadErrorKind::CountMismatch { what, .. } => Some(what),
            LoadErrorKind::InvalidUtf8 { .. } => Some("string pool entry"),
            _ => None,
        }
    }

    /// For an unsupported version: the version the file declares.
    pub fn found_version(&self) -> Option<u32> {
        match self.0.kind {
            LoadErrorKind::UnsupportedVersion { found } => Some(found),
            _ => None,
        }
    }

    /// Opening, mapping or reading the file failed (the file itself may be fine).
    pub fn is_io(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::Io { .. })
    }

    /// The input is shorter than a header.
    pub fn is_too_short(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::TooShort { .. })
    }

    /// The input does not start with the magic label: not a Gavel decision file.
    pub fn is_bad_magic(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::BadMagic { .. })
    }

    /// The endianness mark is wrong (a big-endian writer, or damage).
    pub fn is_wrong_endianness(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::WrongEndianness { .. })
    }

    /// The format version is outside the range this runtime reads.
    pub fn is_unsupported_version(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::UnsupportedVersion { .. })
    }

    /// A header, section table or section checksum does not match; see [`LoadError::region`].
    pub fn is_checksum_mismatch(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::ChecksumMismatch { .. })
    }

    /// A reserved word is not zero.
    pub fn is_reserved_not_zero(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::ReservedNotZero { .. })
    }

    /// Undefined flag bits are set.
    pub fn is_unknown_flags(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::UnknownFlags { .. })
    }

    /// The header's file length differs from the input's length (truncated or extended file).
    pub fn is_length_mismatch(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::LengthMismatch { .. })
    }

    /// The section count exceeds the number of section kinds.
    pub fn is_too_many_sections(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::TooManySections { .. })
    }

    /// A section table entry has a kind this version does not know.
    pub fn is_unknown_section_kind(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::UnknownSectionKind { .. })
    }

    /// Two section table entries have the same kind.
    pub fn is_duplicate_section(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::DuplicateSection { .. })
    }

    /// A required section is absent.
    pub fn is_missing_section(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::MissingSection { .. })
    }

    /// Something lies (partly) outside the bytes available to it.
    pub fn is_out_of_bounds(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::OutOfBounds { .. })
    }

    /// An offset is not properly aligned.
    pub fn is_misaligned(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::Misaligned { .. })
    }

    /// Two regions of the file overlap.
    pub fn is_overlap(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::Overlap { .. })
    }

    /// A padding or gap byte is not zero.
    pub fn is_nonzero_padding(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::NonZeroPadding { .. })
    }

    /// Arithmetic on a count, offset or length read from the file overflowed.
    pub fn is_overflow(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::Overflow { .. })
    }

    /// A value read from a section is not one of the allowed values (an unknown tag, a flag
    /// bit, a boolean that is neither 0 nor 1, ...).
    pub fn is_invalid_value(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::InvalidValue { .. })
    }

    /// A count promises more entries than the section's remaining bytes can hold.
    pub fn is_count_too_large(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::CountTooLarge { .. })
    }

    /// An id (string, pattern, policy, account, ...) names an entry that does not exist.
    pub fn is_bad_reference(&self) -> bool {
        matches!(
            self.0.kind,
            LoadErrorKind::BadReference { .. } | LoadErrorKind::BadStringId { .. }
        )
    }

    /// A string of the string pool is not valid UTF-8.
    pub fn is_invalid_utf8(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::InvalidUtf8 { .. })
    }

    /// Stored text does not parse as what it stands for (e.g. a decimal constant).
    pub fn is_invalid_text(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::InvalidText { .. })
    }

    /// A section has bytes after its last entry.
    pub fn is_trailing_bytes(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::TrailingBytes { .. })
    }

    /// A section holds entries that nothing uses.
    pub fn is_unused_entries(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::UnusedEntries { .. })
    }

    /// A count in the `meta` section differs from the entries actually stored.
    pub fn is_count_mismatch(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::CountMismatch { .. })
    }

    /// Decoding would build far more string data than the file's size allows.
    pub fn is_decoded_too_large(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::DecodedTooLarge { .. })
    }

    /// The decoded tables are inconsistent (an id names nothing); see [`LoadError::reason`].
    pub fn is_inconsistent(&self) -> bool {
        matches!(self.0.kind, LoadErrorKind::Inconsistent { .. })
    }

    /// For inconsistent tables: what is inconsistent.
    pub fn reason(&self) -> Option<&str> {
        match &self.0.kind {
            LoadErrorKind::Inconsistent { reason } => Some(reason),
            _ => None,
        }
    }
}

impl fmt::Debug for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadError")
            .field("kind", &self.0.kind)
            .field("section", &self.0.section)
            .finish()
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cannot load gavel decision file: ")?;
        if let Some(kind) = self.0.section {
            // Checksum and overlap messages name their regions themselves.
            if !matches!(
                self.0.kind,
                LoadErrorKind::ChecksumMismatch { .. }
                    | LoadErrorKind::Overlap { .. }
                    | LoadErrorKind::DuplicateSection { .. }
                    | LoadErrorKind::MissingSection { .. }
            ) {
                write!(f, "section `{}`: ", kind.name())?;
            }
        }
        match &self.0.kind {
            LoadErrorKind::Io { path, source } => {
                write!(f, "`{}`: {source}", path.display())
            }
            LoadErrorKind::TooShort {
                what,
                expected,
                found,
            } => write!(
                f,
                "{what} needs at least {expected} bytes, found {found}; \
                 the file is truncated or not a decision file: re-generate it with `gavel compile`"
            ),
            LoadErrorKind::BadMagic { found } => write!(
                f,
                "not a Gavel decision file: expected it to start with {}, found {}; \
                 pass a file written by `gavel compile`",
                Escaped(&MAGIC),
                Escaped(found)
            ),
            LoadErrorKind::WrongEndianness { found } => {
                if found.swap_bytes() == ENDIAN_MARK {
                    write!(
                        f,
                        "the file was written big-endian (endianness mark {found:#010x}); \
                         Gavel files are little-endian: re-generate it with `gavel compile`"
                    )
                } else {
                    write!(
                        f,
                        "bad endianness mark: expected {:#010x}, found {found:#010x}; {REMEDY_CORRUPT}",
                        ENDIAN_MARK
                    )
                }
            }
            LoadErrorKind::UnsupportedVersion { found } => {
                let (min, max) = (*READABLE_VERSIONS.start(), *READABLE_VERSIONS.end());
                if *found > max {
                    write!(
                        f,
                        "format version {found} is newer than this runtime reads \
                         (versions {min} to {max}): upgrade gavel-runtime, or re-generate the \
                         file with the `gavel compile` that matches this runtime"
                    )
                } else {
                    write!(
                        f,
                        "format version {found} is not readable by this runtime \
                         (versions {min} to {max}): re-generate the file with `gavel compile`"
                    )
                }
            }
            LoadErrorKind::ChecksumMismatch {
                region,
                expected,
                found,
            } => write!(
                f,
                "checksum mismatch in {region}: stored {expected:#010x}, computed {found:#010x}; \
                 {REMEDY_CORRUPT}"
            ),
            LoadErrorKind::ReservedNotZero { what, found } => write!(
                f,
                "{what} must be 0 in this format version, found {found:#x}; \
                 the file was written by an incompatible writer or is damaged: \
                 re-generate it with `gavel compile`"
            ),
            LoadErrorKind::UnknownFlags { what, found } => write!(
                f,
                "{what} has flag bits this runtime does not know ({found:#010x}); \
                 the file was written by a newer or incompatible writer: \
                 re-generate it with `gavel compile`"
            ),
            LoadErrorKind::LengthMismatch { expected, found } => {
                if found < expected {
                    write!(
                        f,
                        "the file is truncated: its header says {expected} bytes, found {found}; \
                         {REMEDY_CORRUPT}"
                    )
                } else {
                    write!(
                        f,
                        "the file has trailing bytes: its header says {expected} bytes, \
                         found {found}; {REMEDY_CORRUPT}"
                    )
                }
            }
            LoadErrorKind::TooManySections { found, max } => write!(
                f,
                "the section table lists {found} sections, at most {max} are possible; \
                 {REMEDY_CORRUPT}"
            ),
            LoadErrorKind::UnknownSectionKind { index, found } => write!(
                f,
                "section table entry {index} has unknown kind {found}; the file was written by \
                 a newer or incompatible writer, or is damaged: re-generate it with `gavel compile`"
            ),
            LoadErrorKind::DuplicateSection { kind } => write!(
                f,
                "section `{}` appears twice in the section table; {REMEDY_CORRUPT}",
                kind.name()
            ),
            LoadErrorKind::MissingSection { kind } => write!(
                f,
                "the file has no `{}` section, which this runtime needs; \
                 re-generate it with `gavel compile`",
                kind.name()
            ),
            LoadErrorKind::OutOfBounds {
                what,
                offset,
                len,
                available,
            } => write!(
                f,
                "{what} at offset {offset} with length {len} does not fit in the {available} \
                 bytes available; {REMEDY_CORRUPT}"
            ),
            LoadErrorKind::Misaligned {
                what,
                offset,
                align,
            } => write!(
                f,
                "{what} at offset {offset} is not {align}-byte aligned; {REMEDY_CORRUPT}"
            ),
            LoadErrorKind::Overlap { first, second } => {
                write!(f, "{first} and {second} overlap; {REMEDY_CORRUPT}")
            }
            LoadErrorKind::NonZeroPadding { offset } => write!(
                f,
                "padding byte at offset {offset} is not zero; {REMEDY_CORRUPT}"
            ),
            LoadErrorKind::Overflow { what } => write!(f, "{what} overflows; {REMEDY_CORRUPT}"),
            LoadErrorKind::InvalidValue {
                what,
                expected,
                found,
            } => write!(
                f,
                "{what} must be {expected}, found {found}; {REMEDY_CORRUPT}"
            ),
            LoadErrorKind::CountTooLarge {
                what,
                count,
                min_entry,
                remaining,
            } => write!(
                f,
                "{what}: {count} entries of at least {min_entry} bytes each do not fit in the \
                 {remaining} bytes left; {REMEDY_CORRUPT}"
            ),
            LoadErrorKind::BadReference {
                what,
                found,
                available,
            } => write!(
                f,
                "{what} {found} is out of range: there are {available}; {REMEDY_CORRUPT}"
            ),
            LoadErrorKind::BadStringId {
                what,
                found,
                available,
            } => write!(
                f,
                "{what}: string id {found} is out of range: the string pool holds {available} \
                 strings; {REMEDY_CORRUPT}"
            ),
            LoadErrorKind::InvalidUtf8 { index } => write!(
                f,
                "string {index} of the string pool is not valid UTF-8; {REMEDY_CORRUPT}"
            ),
            LoadErrorKind::InvalidText { what, found } => {
                write!(f, "{what} `{found}` is malformed; {REMEDY_CORRUPT}")
            }
            LoadErrorKind::TrailingBytes { what, count } => write!(
                f,
                "{count} bytes follow the last entry of {what}; {REMEDY_CORRUPT}"
            ),
            LoadErrorKind::UnusedEntries { what, count } => {
                write!(f, "{count} {what} are used by nothing; {REMEDY_CORRUPT}")
            }
            LoadErrorKind::CountMismatch {
                what,
                expected,
                found,
            } => write!(
                f,
                "the meta section counts {expected} {what}, the file holds {found}; \
                 {REMEDY_CORRUPT}"
            ),
            LoadErrorKind::DecodedTooLarge { limit } => write!(
                f,
                "the tables would hold more than {limit} bytes of text, far more than a file \
                 of this size can describe; {REMEDY_CORRUPT}"
            ),
            LoadErrorKind::Inconsistent { reason } => write!(
                f,
                "the decision tables are inconsistent: {reason}; {REMEDY_CORRUPT}"
            ),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.0.kind {
            LoadErrorKind::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Prints bytes as a quoted string with `\xNN` escapes for anything but printable ASCII.
struct Escaped<'a>(&'a [u8]);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`")?;
        for &b in self.0 {
            if b.is_ascii_graphic() || b == b' ' {
                write!(f, "{}", char::from(b))?;
            } else if b == 0 {
                f.write_str("\\0")?;
            } else {
                write!(f, "\\x{b:02x}")?;
            }
        }
        f.write_str("`")
    }
}
