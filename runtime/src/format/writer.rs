//! The write half of the container (cargo feature `write`): [`FileBuilder`] lays out header,
//! section table, sections and padding and computes every checksum; [`write_file_atomically`]
//! puts the result on disk the way mapped readers need (new file, then rename).

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::header::{HEADER_LEN, Header};
use super::section::{ENTRY_LEN, SectionEntry, SectionKind};
use super::wire::{self, wide};

/// Builds a decision file from section bytes.
///
/// The layout is canonical: the section table follows the header, sections follow the table
/// in kind order, each starting at the next multiple of 8 with zero padding before it, and the
/// file ends padded to a multiple of 8. The same sections always give the same bytes,
/// whatever order they were added in.
///
/// ```
/// use gavel_runtime::format::{File, FileBuilder, SectionKind};
///
/// let bytes = FileBuilder::new()
///     .section(SectionKind::Strings, b"hello".to_vec())
///     .section(SectionKind::Meta, b"made by a doctest".to_vec())
///     .finish()?;
/// let file = File::from_bytes(bytes)?;
/// assert_eq!(file.section(SectionKind::Strings), Some(&b"hello"[..]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct FileBuilder {
    sections: Vec<(SectionKind, Vec<u8>)>,
}

impl FileBuilder {
    /// A builder with no sections.
    pub fn new() -> FileBuilder {
        FileBuilder::default()
    }

    /// Adds a section (chaining form). Adding a kind twice makes [`FileBuilder::finish`] fail.
    pub fn section(mut self, kind: SectionKind, bytes: impl Into<Vec<u8>>) -> FileBuilder {
        self.add_section(kind, bytes);
        self
    }

    /// Adds a section. Adding a kind twice makes [`FileBuilder::finish`] fail.
    pub fn add_section(
        &mut self,
        kind: SectionKind,
        bytes: impl Into<Vec<u8>>,
    ) -> &mut FileBuilder {
        self.sections.push((kind, bytes.into()));
        self
    }

    /// Lays the file out and returns its bytes.
    pub fn finish(self) -> Result<Vec<u8>, WriteError> {
        let mut sections = self.sections;
        sections.sort_by_key(|(kind, _)| *kind);
        for pair in sections.windows(2) {
            if let [(a, _), (b, _)] = pair
                && a == b
            {
                return Err(WriteError(WriteErrorKind::DuplicateSection(*a)));
            }
        }

        // Where everything goes.
        let table_len = sections.len().saturating_mul(ENTRY_LEN);
        let mut pos = HEADER_LEN.saturating_add(table_len);
        let mut entries = Vec::with_capacity(sections.len());
        for (kind, bytes) in &sections {
            pos = pos.saturating_add(wire::padding_len(pos));
            let entry =
                SectionEntry::new(*kind, wide(pos), wide(bytes.len()), crc32fast::hash(bytes));
            entries.push(entry);
            pos = pos.saturating_add(bytes.len());
        }
        let file_len = pos.saturating_add(wire::padding_len(pos));

        // The body: table, then sections with their padding.
        let mut out = Vec::with_capacity(file_len);
        out.resize(HEADER_LEN, 0);
        for entry in &entries {
            entry.encode(&mut out);
        }
        for (_, bytes) in &sections {
            wire::pad_to_alignment(&mut out);
            out.extend_from_slice(bytes);
        }
        wire::pad_to_alignment(&mut out);
        debug_assert_eq!(out.len(), file_len);

        // The header last: it holds the table's and the body's checksums.
        let table_checksum = out
            .get(HEADER_LEN..HEADER_LEN.saturating_add(table_len))
            .map(crc32fast::hash)
            .unwrap_or(0);
        let body_checksum = out.get(HEADER_LEN..).map(crc32fast::hash).unwrap_or(0);
        let count = u32::try_from(sections.len()).unwrap_or(u32::MAX);
        let header = Header::new(
            wide(out.len()),
            wide(HEADER_LEN),
            count,
            table_checksum,
            body_checksum,
        );
        if let Some(dst) = out.get_mut(..HEADER_LEN) {
            dst.copy_from_slice(&header.encode());
        }
        Ok(out)
    }
}

/// Why [`FileBuilder::finish`] failed.
#[derive(Debug)]
pub struct WriteError(WriteErrorKind);

#[derive(Debug)]
enum WriteErrorKind {
    DuplicateSection(SectionKind),
}

impl WriteError {
    /// The section kind that was added twice.
    pub fn duplicate_section(&self) -> Option<SectionKind> {
        match self.0 {
            WriteErrorKind::DuplicateSection(kind) => Some(kind),
        }
    }
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            WriteErrorKind::DuplicateSection(kind) => write!(
                f,
                "cannot write gavel decision file: section `{}` was added twice \
                 (a bug in the compiler: please report it)",
                kind.name()
            ),
        }
    }
}

impl std::error::Error for WriteError {}

/// Writes `bytes` to `path` the way readers that map files need it: into a new file
/// `<path>.tmp` next to `path`, flushed to disk, then renamed over `path`.
///
/// A reader that mapped the old file keeps seeing the old file (its inode lives on until the
/// mapping goes); a reader that opens `path` afterwards sees the new one; nobody ever sees a
/// half-written file. This is the contract [`Engine::open`](crate::Engine::open) relies on:
/// never write into a decision file in place. One writer per `path` at a time.
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = tmp_path(path);
    let result = write_and_rename(&tmp, path, bytes);
    if result.is_err() {
        // Best effort: leave no half-written temporary file behind.
        let _ = std::fs::remove_file(&tmp);
        return result;
    }
    // Make the rename itself durable (best effort: not every platform can open a directory).
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// Writes and flushes `tmp`, then renames it to `path`.
fn write_and_rename(tmp: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = std::fs::File::create(tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(tmp, path)
}

/// `<path>.tmp`.
fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(".tmp");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::File;

    #[test]
    fn layout_is_canonical_whatever_the_order() {
        let a = FileBuilder::new()
            .section(SectionKind::Meta, b"m".to_vec())
            .section(SectionKind::Strings, b"sss".to_vec())
            .finish()
            .unwrap();
        let b = FileBuilder::new()
            .section(SectionKind::Strings, b"sss".to_vec())
            .section(SectionKind::Meta, b"m".to_vec())
            .finish()
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len() % 8, 0);
        File::from_bytes(a).unwrap();
    }

    #[test]
    fn duplicates_are_refused() {
        let err = FileBuilder::new()
            .section(SectionKind::Meta, b"m".to_vec())
            .section(SectionKind::Meta, b"n".to_vec())
            .finish()
            .unwrap_err();
        assert_eq!(err.duplicate_section(), Some(SectionKind::Meta));
    }

    #[test]
    fn tmp_path_appends() {
        assert_eq!(
            tmp_path(Path::new("a/org.gavel")),
            PathBuf::from("a/org.gavel.tmp")
        );
    }
}
