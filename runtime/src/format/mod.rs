//! The decision file's container: header, section table, checksums, validation.
//!
//! A decision file is one little-endian byte string: a fixed 56-byte [`Header`], a section
//! table of 32-byte [`SectionEntry`]s, and 8-byte aligned sections, one per [`SectionKind`]
//! at most, each with its own CRC-32. `runtime/FORMAT.md` draws the layout and states the
//! version policy and the validation order.
//!
//! * Reading: [`File::from_bytes`] validates everything before it hands out a single section;
//!   [`verify`] lists every problem of a bad file (for `gavel verify`).
//! * Writing (cargo feature `write`, which the compiler turns on): `FileBuilder` and
//!   `write_file_atomically`, and the `wire::push_*` helpers for section encoders.
//!
//! The container knows where sections are and that their bytes are intact; what the bytes mean
//! is up to each section's reader, all in [`tables`]: [`decode`] reads the decision tables out
//! of a validated file, `encode` (feature `write`) writes them.
//!
//! Nothing in this module panics for any input; indexing and slicing are denied here so that
//! every access to file bytes goes through a checked `get` or the `wire` helpers.

#![deny(clippy::indexing_slicing)]

mod error;
mod file;
mod header;
mod section;
pub mod tables;
mod verify;
pub mod wire;
#[cfg(feature = "write")]
mod writer;

pub use error::LoadError;
pub use file::{File, FileView};
pub use header::{
    ENDIAN_MARK, FormatVersion, HEADER_LEN, Header, KNOWN_FLAGS, MAGIC, READABLE_VERSIONS,
};
pub use section::{ENTRY_LEN, Region, SectionEntry, SectionKind};
#[cfg(feature = "write")]
pub use tables::encode;
pub use tables::{Counts, Meta, decode, decode_with, read_meta};
pub use verify::{ChecksumStatus, Report, SectionReport, verify};
pub use wire::ALIGN;
#[cfg(feature = "write")]
pub use writer::{FileBuilder, WriteError, write_file_atomically};
