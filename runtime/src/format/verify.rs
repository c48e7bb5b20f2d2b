//! `gavel verify`: every problem of a file, not just the first, plus what the file holds.

use std::fmt;

use super::error::LoadError;
use super::file::{Mode, inspect};
use super::header::Header;
use super::section::{SectionEntry, SectionKind};

/// Checks `bytes` in the validation order of [`File::from_bytes`](super::File::from_bytes) but
/// goes on after a problem wherever the rest can still be read, and reports what it saw.
///
/// A file loads exactly when the report [`is_ok`](Report::is_ok): the first problem listed is
/// the one loading returns. Never panics, whatever the bytes.
pub fn verify(bytes: &[u8]) -> Report {
    let insp = inspect(bytes, Mode::CollectAll);
    Report {
        len: bytes.len(),
        header: insp.header,
        header_checksum: insp.header_checksum,
        table_checksum: insp.table_checksum,
        body_checksum: insp.body_checksum,
        sections: insp
            .entries
            .iter()
            .map(|e| SectionReport {
                entry: e.entry,
                kind: e.kind,
                checksum: e.checksum,
            })
            .collect(),
        problems: insp.problems,
    }
}

/// What [`verify`] found.
#[derive(Debug)]
pub struct Report {
    len: usize,
    header: Option<Header>,
    header_checksum: Option<u32>,
    table_checksum: Option<u32>,
    body_checksum: Option<u32>,
    sections: Vec<SectionReport>,
    problems: Vec<LoadError>,
}

/// What [`verify`] found about one section table entry.
#[derive(Clone, Copy, Debug)]
pub struct SectionReport {
    entry: SectionEntry,
    kind: Option<SectionKind>,
    checksum: Option<u32>,
}

/// Whether a checksum was checked and matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChecksumStatus {
    /// The stored and computed checksums agree.
    Ok,
    /// They differ.
    Mismatch {
        /// The checksum stored in the file.
        stored: u32,
        /// The checksum of the bytes as they are.
        computed: u32,
    },
    /// The bytes could not be located, so nothing was computed.
    NotChecked,
}

impl ChecksumStatus {
    fn of(stored: u32, computed: Option<u32>) -> ChecksumStatus {
        match computed {
            None => ChecksumStatus::NotChecked,
            Some(c) if c == stored => ChecksumStatus::Ok,
            Some(computed) => ChecksumStatus::Mismatch { stored, computed },
        }
    }
}

impl fmt::Display for ChecksumStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChecksumStatus::Ok => f.write_str("ok"),
            ChecksumStatus::Mismatch { stored, computed } => {
                write!(
                    f,
                    "MISMATCH (stored {stored:#010x}, computed {computed:#010x})"
                )
            }
            ChecksumStatus::NotChecked => f.write_str("not checked"),
        }
    }
}

impl Report {
    /// True if the file has no problem at all (it would load).
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// Every problem, in validation order.
    pub fn problems(&self) -> &[LoadError] {
        &self.problems
    }

    /// The header's fields as stored, if the input is long enough to hold a header.
    pub fn header(&self) -> Option<&Header> {
        self.header.as_ref()
    }

    /// The input's length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True if the input was empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The header checksum's status.
    pub fn header_checksum(&self) -> ChecksumStatus {
        match &self.header {
            Some(h) => ChecksumStatus::of(h.header_checksum, self.header_checksum),
            None => ChecksumStatus::NotChecked,
        }
    }

    /// The section table checksum's status.
    pub fn table_checksum(&self) -> ChecksumStatus {
        match &self.header {
            Some(h) => ChecksumStatus::of(h.table_checksum, self.table_checksum),
            None => ChecksumStatus::NotChecked,
        }
    }

    /// The body checksum's status.
    pub fn body_checksum(&self) -> ChecksumStatus {
        match &self.header {
            Some(h) => ChecksumStatus::of(h.body_checksum, self.body_checksum),
            None => ChecksumStatus::NotChecked,
        }
    }

    /// The section table's entries, in table order, as far as the table could be read.
    pub fn sections(&self) -> &[SectionReport] {
        &self.sections
    }
}

impl SectionReport {
    /// The entry as stored.
    pub fn entry(&self) -> &SectionEntry {
        &self.entry
    }

    /// The entry's kind, if known (and not a duplicate of an earlier entry).
    pub fn kind(&self) -> Option<SectionKind> {
        self.kind
    }

    /// The section checksum's status.
    pub fn checksum(&self) -> ChecksumStatus {
        ChecksumStatus::of(self.entry.checksum, self.checksum)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "length:          {} bytes", self.len)?;
        if let Some(h) = &self.header {
            writeln!(f, "format version:  {}", h.version)?;
            writeln!(f, "flags:           {:#010x}", h.flags)?;
            writeln!(f, "file length:     {} bytes (header)", h.file_len)?;
            writeln!(
                f,
                "section table:   offset {}, {} entries",
                h.table_offset, h.section_count
            )?;
            writeln!(
                f,
                "header checksum: {:#010x} {}",
                h.header_checksum,
                self.header_checksum()
            )?;
            writeln!(
                f,
                "table checksum:  {:#010x} {}",
                h.table_checksum,
                self.table_checksum()
            )?;
            writeln!(
                f,
                "body checksum:   {:#010x} {}",
                h.body_checksum,
                self.body_checksum()
            )?;
        }
        if !self.sections.is_empty() {
            writeln!(f, "sections:")?;
            for s in &self.sections {
                let name = match s.kind {
                    Some(kind) => kind.name().to_string(),
                    None => format!("kind {}", s.entry.kind),
                };
                writeln!(
                    f,
                    "  {name:<12} offset {:>10}  len {:>10}  checksum {:#010x} {}",
                    s.entry.offset,
                    s.entry.len,
                    s.entry.checksum,
                    s.checksum()
                )?;
            }
        }
        if self.problems.is_empty() {
            writeln!(f, "ok: the file is valid")
        } else {
            writeln!(f, "{} problem(s):", self.problems.len())?;
            for p in &self.problems {
                writeln!(f, "  - {p}")?;
            }
            Ok(())
        }
    }
}
