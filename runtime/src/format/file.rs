//! The validated reader: [`File`] (generic over its storage) and the validation that every
//! byte of a file goes through before any of it is used.
//!
//! # Validation order
//!
//! Checks run in this order; loading stops at the first failure and returns it, while
//! [`verify`](super::verify) goes on wherever it still can and reports every failure.
//!
//! 1. the input holds at least a header (56 bytes);
//! 2. magic label;
//! 3. endianness mark;
//! 4. format version within [`READABLE_VERSIONS`] (these three first: they decide how to read the
//!    rest, and stay where they are in every version);
//! 5. header checksum;
//! 6. header reserved word is zero, no unknown header flags;
//! 7. `file_len` equals the input's length (truncated or extended files);
//! 8. section count at most [`SectionKind::COUNT`];
//! 9. section table: 8-byte aligned, after the header, inside the file (checked arithmetic);
//! 10. section table checksum;
//! 11. each entry, in table order: known kind, not a duplicate, reserved word and flags zero,
//!     8-byte aligned offset, `offset + len` does not overflow, after the header and inside the
//!     file;
//! 12. no two regions (section table, sections) share a byte;
//! 13. walking the file in offset order: every byte between regions (padding, gaps, the tail)
//!     is zero, and every section's checksum matches;
//! 14. body checksum (every byte after the header).
//!
//! After step 14 every byte of the file has been checked: the header by its checksum, the table
//! by its own, each section by its own, everything else by being zero.

use std::fmt;

use crc32fast::Hasher;

use super::error::LoadError;
use super::header::{
    ENDIAN_MARK, FormatVersion, HEADER_LEN, Header, KNOWN_FLAGS, MAGIC, READABLE_VERSIONS,
};
use super::section::{ENTRY_LEN, Region, SectionEntry, SectionKind};
use super::wire::{self, wide};

/// A decision file whose container has been validated, over any byte storage.
///
/// `T` is anything that holds the file's bytes: `Vec<u8>`, `&'static [u8]` (a file embedded
/// with `include_bytes!`), `memmap2::Mmap`, ... The generic methods are thin wrappers over
/// non-generic code on `&[u8]`, so each storage type costs almost no extra code.
///
/// Holding a `File` means: every check of the validation order (module docs of
/// `format::file`, and `FORMAT.md`) passed. Sections' *contents* are checked by the section
/// readers built on top of [`File::section`].
#[derive(Clone)]
pub struct File<T> {
    storage: T,
    layout: Layout,
}

/// A validated file over borrowed bytes.
pub type FileView<'a> = File<&'a [u8]>;

/// What validation learned: the header and where each section is.
///
/// INVARIANT: built only by [`validate`] from the bytes it is paired with; every span lies
/// inside those bytes.
#[derive(Clone, Copy, Debug)]
struct Layout {
    header: Header,
    version: FormatVersion,
    spans: [Option<Span>; SectionKind::COUNT],
}

/// A validated byte range `[offset, end)` of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) offset: usize,
    pub(crate) end: usize,
}

impl Layout {
    fn section<'a>(&self, bytes: &'a [u8], kind: SectionKind) -> Option<&'a [u8]> {
        let span = self.spans.get(kind.index())?.as_ref()?;
        bytes.get(span.offset..span.end)
    }
}

impl<T: AsRef<[u8]>> File<T> {
    /// Validates `storage` as a decision file (the full validation order, every checksum
    /// included) and keeps it.
    ///
    /// Never panics, whatever the bytes. Returns the first problem found; use
    /// [`verify`](super::verify) to list them all.
    pub fn from_bytes(storage: T) -> Result<File<T>, LoadError> {
        let layout = validate(storage.as_ref())?;
        Ok(File { storage, layout })
    }

    /// The bytes of the section of `kind` (without its padding), or `None` if the file has no
    /// such section.
    pub fn section(&self, kind: SectionKind) -> Option<&[u8]> {
        self.layout.section(self.storage.as_ref(), kind)
    }

    /// The bytes of the section of `kind`, or an error saying the file lacks it.
    pub fn require(&self, kind: SectionKind) -> Result<&[u8], LoadError> {
        self.section(kind)
            .ok_or_else(|| LoadError::missing_section(kind))
    }

    /// Every section the file holds, in kind order.
    pub fn sections(&self) -> impl Iterator<Item = (SectionKind, &[u8])> + '_ {
        SectionKind::ALL
            .into_iter()
            .filter_map(move |kind| self.section(kind).map(|bytes| (kind, bytes)))
    }

    /// The validated header.
    pub fn header(&self) -> &Header {
        &self.layout.header
    }

    /// The file's format version.
    pub fn version(&self) -> FormatVersion {
        self.layout.version
    }

    /// The whole file.
    pub fn as_bytes(&self) -> &[u8] {
        self.storage.as_ref()
    }

    /// The same file over borrowed bytes (no re-validation).
    pub fn view(&self) -> FileView<'_> {
        File {
            storage: self.storage.as_ref(),
            layout: self.layout,
        }
    }

    /// The storage.
    pub fn storage(&self) -> &T {
        &self.storage
    }

    /// Gives the storage back.
    pub fn into_storage(self) -> T {
        self.storage
    }
}

impl<T> fmt::Debug for File<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_struct("File");
        list.field("version", &self.layout.version.as_u32())
            .field("file_len", &self.layout.header.file_len);
        for kind in SectionKind::ALL {
            if let Some(Some(span)) = self.layout.spans.get(kind.index()) {
                list.field(kind.name(), &(span.offset..span.end));
            }
        }
        list.finish()
    }
}

/// Runs the whole validation order on `bytes`, stopping at the first problem.
fn validate(bytes: &[u8]) -> Result<Layout, LoadError> {
    let mut insp = inspect(bytes, Mode::FailFast);
    if let Some(first) = insp.problems.drain(..).next() {
        return Err(first);
    }
    let header = insp
        .header
        .ok_or_else(|| LoadError::too_short("a header", wide(HEADER_LEN), wide(bytes.len())))?;
    let version = header
        .format_version()
        .ok_or_else(|| LoadError::unsupported_version(header.version))?;
    let mut spans = [None; SectionKind::COUNT];
    for e in &insp.entries {
        if let (Some(kind), Some(span)) = (e.kind, e.span)
            && let Some(slot) = spans.get_mut(kind.index())
        {
            *slot = Some(span);
        }
    }
    Ok(Layout {
        header,
        version,
        spans,
    })
}

/// Whether to stop at the first problem or note them all.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Stop at the first problem (loading).
    FailFast,
    /// Note every problem and go on where the rest can still be read (`gavel verify`).
    CollectAll,
}

/// Everything validation saw, for [`validate`] and [`verify`](super::verify).
#[derive(Default)]
pub(crate) struct Inspection {
    /// The header's fields, if the input is long enough to hold one.
    pub(crate) header: Option<Header>,
    /// The table's entries, in table order, as far as the table could be read.
    pub(crate) entries: Vec<EntryInspection>,
    /// The computed checksum of the header, if it was computed.
    pub(crate) header_checksum: Option<u32>,
    /// The computed checksum of the section table, if it was read.
    pub(crate) table_checksum: Option<u32>,
    /// The computed checksum of the body, if validation got that far.
    pub(crate) body_checksum: Option<u32>,
    /// Every problem noted, in validation order (only the first in `FailFast` mode).
    pub(crate) problems: Vec<LoadError>,
}

/// What validation saw of one section table entry.
pub(crate) struct EntryInspection {
    /// The entry as stored.
    pub(crate) entry: SectionEntry,
    /// Its kind, if known and not a duplicate.
    pub(crate) kind: Option<SectionKind>,
    /// Its bytes' range, if the entry is in bounds.
    pub(crate) span: Option<Span>,
    /// The computed checksum of its bytes, if they were read.
    pub(crate) checksum: Option<u32>,
}

/// Validation was stopped: the problems noted so far say why.
struct Stop;

/// Collects problems and decides whether validation goes on.
struct Checker {
    mode: Mode,
    problems: Vec<LoadError>,
}

impl Checker {
    /// Notes a problem after which validation can go on; stops in `FailFast` mode.
    fn note(&mut self, err: LoadError) -> Result<(), Stop> {
        self.problems.push(err);
        match self.mode {
            Mode::FailFast => Err(Stop),
            Mode::CollectAll => Ok(()),
        }
    }

    /// Notes a problem after which nothing more can be read.
    fn fatal(&mut self, err: LoadError) -> Stop {
        self.problems.push(err);
        Stop
    }
}

/// Runs the validation order over `bytes`, recording what it sees.
pub(crate) fn inspect(bytes: &[u8], mode: Mode) -> Inspection {
    let mut insp = Inspection::default();
    let mut checker = Checker {
        mode,
        problems: Vec::new(),
    };
    // `Stop` only ends the run; the reasons are in `checker.problems`.
    let _ = run(bytes, &mut checker, &mut insp);
    insp.problems = checker.problems;
    insp
}

/// A region of the body for the overlap check and the in-order walk.
#[derive(Clone, Copy)]
struct Placed {
    start: usize,
    end: usize,
    region: Region,
    /// Index into `Inspection::entries` for sections.
    entry: Option<usize>,
}

fn run(bytes: &[u8], ck: &mut Checker, insp: &mut Inspection) -> Result<(), Stop> {
    // 1. a header's worth of bytes.
    let header = Header::read(bytes).map_err(|e| ck.fatal(e))?;
    insp.header = Some(header);

    // 2-4. magic, endianness, version: without them nothing else can be interpreted.
    if header.magic != MAGIC {
        return Err(ck.fatal(LoadError::bad_magic(header.magic)));
    }
    if header.endian_mark != ENDIAN_MARK {
        return Err(ck.fatal(LoadError::wrong_endianness(header.endian_mark)));
    }
    if !READABLE_VERSIONS.contains(&header.version) || header.format_version().is_none() {
        return Err(ck.fatal(LoadError::unsupported_version(header.version)));
    }

    // 5. header checksum.
    if let Some(found) = Header::compute_header_checksum(bytes) {
        insp.header_checksum = Some(found);
        if found != header.header_checksum {
            ck.note(LoadError::checksum_mismatch(
                Region::Header,
                header.header_checksum,
                found,
            ))?;
        }
    }

    // 6. reserved word and flags.
    if header.reserved != 0 {
        ck.note(LoadError::reserved_not_zero(
            "the header's reserved word",
            u64::from(header.reserved),
        ))?;
    }
    if header.flags & !KNOWN_FLAGS != 0 {
        ck.note(LoadError::unknown_flags("the header's flags", header.flags))?;
    }

    // 7. the file is as long as the header says. (Collecting goes on with the real length.)
    let file_len = bytes.len();
    if header.file_len != wide(file_len) {
        ck.note(LoadError::length_mismatch(header.file_len, wide(file_len)))?;
    }

    // 8. section count.
    let max_sections = u32::try_from(SectionKind::COUNT).unwrap_or(u32::MAX);
    if header.section_count > max_sections {
        return Err(ck.fatal(LoadError::too_many_sections(
            header.section_count,
            max_sections,
        )));
    }
    let count = wire::to_usize(u64::from(header.section_count), "section count")
        .map_err(|e| ck.fatal(e))?;

    // 9. the section table's place.
    if let Err(e) = wire::check_aligned(header.table_offset, "the section table") {
        ck.note(e)?;
    }
    if header.table_offset < wide(HEADER_LEN) {
        ck.note(LoadError::overlap(Region::Header, Region::SectionTable))?;
    }
    let table_len = wire::mul(count, ENTRY_LEN, "section table length (count * 32)")
        .map_err(|e| ck.fatal(e))?;
    let table_end = wire::add_u64(
        header.table_offset,
        wide(table_len),
        "section table end (offset + length)",
    )
    .map_err(|e| ck.fatal(e))?;
    if table_end > wide(file_len) {
        return Err(ck.fatal(LoadError::out_of_bounds(
            "the section table",
            header.table_offset,
            wide(table_len),
            wide(file_len),
        )));
    }
    // In bounds, so both conversions succeed.
    let table_start =
        wire::to_usize(header.table_offset, "section table offset").map_err(|e| ck.fatal(e))?;
    let table =
        wire::slice(bytes, table_start, table_len, "the section table").map_err(|e| ck.fatal(e))?;

    // 10. table checksum.
    let mut table_hasher = Hasher::new();
    table_hasher.update(table);
    let table_checksum = table_hasher.clone().finalize();
    insp.table_checksum = Some(table_checksum);
    if table_checksum != header.table_checksum {
        ck.note(LoadError::checksum_mismatch(
            Region::SectionTable,
            header.table_checksum,
            table_checksum,
        ))?;
    }

    // 11. entries.
    let mut seen = [false; SectionKind::COUNT];
    let mut placed: Vec<Placed> = Vec::with_capacity(count.saturating_add(1));
    placed.push(Placed {
        start: table_start,
        end: table_start.saturating_add(table_len),
        region: Region::SectionTable,
        entry: None,
    });
    for index in 0..count {
        let entry = SectionEntry::read(table, index).map_err(|e| ck.fatal(e))?;
        let slot = insp.entries.len();
        insp.entries.push(EntryInspection {
            entry,
            kind: None,
            span: None,
            checksum: None,
        });
        let Some(kind) = SectionKind::from_u32(entry.kind) else {
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            ck.note(LoadError::unknown_section_kind(index, entry.kind))?;
            continue;
        };
        match seen.get_mut(kind.index()) {
            Some(seen @ false) => *seen = true,
            _ => {
                ck.note(LoadError::duplicate_section(kind))?;
                continue;
            }
        }
        if let Some(e) = insp.entries.get_mut(slot) {
            e.kind = Some(kind);
        }
        if entry.reserved != 0 {
            ck.note(
                LoadError::reserved_not_zero(
                    "the section table entry's reserved word",
                    u64::from(entry.reserved),
                )
                .in_section(kind),
            )?;
        }
        if entry.flags != 0 {
            ck.note(LoadError::unknown_flags("the section's flags", entry.flags).in_section(kind))?;
        }
        if let Err(e) = wire::check_aligned(entry.offset, "the section") {
            ck.note(e.in_section(kind))?;
        }
        let Some(end) = entry.offset.checked_add(entry.len) else {
            ck.note(LoadError::overflow("section end (offset + length)").in_section(kind))?;
            continue;
        };
        if end > wide(file_len) {
            ck.note(
                LoadError::out_of_bounds("the section", entry.offset, entry.len, wide(file_len))
                    .in_section(kind),
            )?;
            continue;
        }
        if entry.offset < wide(HEADER_LEN) {
            ck.note(LoadError::overlap(Region::Header, Region::Section(kind)))?;
            continue;
        }
        // Both fit in `file_len`, a `usize`.
        let (Ok(start), Ok(end)) = (usize::try_from(entry.offset), usize::try_from(end)) else {
            ck.note(LoadError::overflow("section offset").in_section(kind))?;
            continue;
        };
        if let Some(e) = insp.entries.get_mut(slot) {
            e.span = Some(Span { offset: start, end });
        }
        placed.push(Placed {
            start,
            end,
            region: Region::Section(kind),
            entry: Some(slot),
        });
    }

    // 12. no overlaps. Sorted by start (then end), a region overlaps an earlier one exactly
    // when it starts before the furthest end seen so far. Empty regions may sit on a boundary.
    placed.sort_by_key(|p| (p.start, p.end));
    let mut overlapping = false;
    let mut reach: Option<(usize, Region)> = None;
    for p in &placed {
        if let Some((end, region)) = reach {
            if p.start < end {
                overlapping = true;
                ck.note(LoadError::overlap(region, p.region))?;
            }
            if p.end > end {
                reach = Some((p.end, p.region));
            }
        } else {
            reach = Some((p.end, p.region));
        }
    }

    // 13. in file order: gaps are zero, sections match their checksums. The body's checksum
    // is combined from the pieces, so the file is read once.
    let mut body = Hasher::new();
    let mut pos = HEADER_LEN;
    for p in &placed {
        if p.start > pos {
            check_gap(bytes, pos, p.start, &mut body, ck)?;
            pos = p.start;
        }
        let piece_hasher = match p.region {
            Region::Section(kind) => {
                let section = wire::slice(bytes, p.start, p.end.saturating_sub(p.start), "section")
                    .map_err(|e| ck.fatal(e.in_section(kind)))?;
                let mut h = Hasher::new();
                h.update(section);
                let found = h.clone().finalize();
                let stored = p
                    .entry
                    .and_then(|i| insp.entries.get_mut(i))
                    .map(|e| {
                        e.checksum = Some(found);
                        e.entry.checksum
                    })
                    .unwrap_or(found);
                if found != stored {
                    ck.note(LoadError::checksum_mismatch(
                        Region::Section(kind),
                        stored,
                        found,
                    ))?;
                }
                h
            }
            _ => table_hasher.clone(),
        };
        if !overlapping {
            body.combine(&piece_hasher);
        }
        pos = pos.max(p.end);
    }
    if file_len > pos {
        check_gap(bytes, pos, file_len, &mut body, ck)?;
    }

    // 14. body checksum.
    let found = if overlapping {
        bytes.get(HEADER_LEN..).map(crc32fast::hash).unwrap_or(0)
    } else {
        body.finalize()
    };
    insp.body_checksum = Some(found);
    if found != header.body_checksum {
        ck.note(LoadError::checksum_mismatch(
            Region::Body,
            header.body_checksum,
            found,
        ))?;
    }
    Ok(())
}

/// Checks that `bytes[start..end]` (padding or a gap) is all zero, and feeds it to `body`.
fn check_gap(
    bytes: &[u8],
    start: usize,
    end: usize,
    body: &mut Hasher,
    ck: &mut Checker,
) -> Result<(), Stop> {
    let gap =
        wire::slice(bytes, start, end.saturating_sub(start), "padding").map_err(|e| ck.fatal(e))?;
    body.update(gap);
    if let Some(i) = wire::first_nonzero(gap) {
        ck.note(LoadError::nonzero_padding(wide(start.saturating_add(i))))?;
    }
    Ok(())
}
