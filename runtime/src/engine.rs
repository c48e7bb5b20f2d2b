//! The [`Engine`]: one validated decision file at a time, swapped atomically while readers run.
//!
//! ```text
//!   Engine ── ArcSwap ──▶ Arc<Snapshot> ──▶ Tables   (decoded once, when the snapshot is made)
//!                 ▲                     └─▶ File<Storage>  (Vec<u8> | &'static [u8] | Mmap)
//!   reload(path): map + validate + decode ──(ok)──▶ store   (err: keep the old snapshot)
//! ```
//!
//! [`Engine::authorize`] and [`Engine::authorize_explain`] load the current snapshot (a few
//! atomic operations, never a lock, never blocked by a reload) and ask its tables. Readers that
//! need several answers from one consistent file call [`Engine::snapshot`] once and ask
//! [`Snapshot::authorize`]: a snapshot lives until its last reader drops it, so a reader keeps
//! a consistent file for as long as it holds the guard, even across reloads. A replaced snapshot
//! is freed by the reloading thread, or by a helper thread once its last reader lets go, never
//! by a reader: freeing an organization of scale L takes ~26 ms, which a reader holding the
//! last reference would otherwise spend inside one request.
//!
//! # Mapped files
//!
//! [`Engine::open`] and [`Engine::reload`] memory-map the file. The runtime's only `unsafe`
//! block is that `mmap` call, and its contract is the user's: **a mapped decision file must
//! not be modified or truncated while mapped.** `gavel compile` (and
//! `format::write_file_atomically` (cargo feature `write`)) never writes into an
//! existing file: it writes a new file and renames it into place, so mapped readers keep the
//! old inode and the next `reload` maps the new one. Do the same when you copy decision files
//! around (`cp new.gavel dir/.org.gavel.tmp && mv dir/.org.gavel.tmp dir/org.gavel`, never
//! `cp new.gavel dir/org.gavel` over a live file). If you cannot promise this (network file
//! systems, files other programs edit), use [`Engine::read`] / [`Engine::reload_read`], which
//! copy the file into memory.

#![deny(clippy::indexing_slicing)]

use std::fmt;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::{ArcSwap, Guard};
use memmap2::Mmap;

use crate::decision::{Decision, Explanation};
use crate::format::{File, LoadError, SectionKind};
use crate::request::Request;
use crate::tables::Tables;

/// Decides requests from one decision file at a time; the file can be replaced while
/// requests run.
///
/// `Engine` is `Send + Sync`: share it by reference or in an `Arc` across threads.
pub struct Engine {
    current: ArcSwap<Snapshot>,
}

impl Engine {
    /// Maps the decision file at `path`, validates and decodes it fully, and answers from it.
    ///
    /// See the module docs, "Mapped files", for the contract a mapped file must keep.
    pub fn open(path: impl AsRef<Path>) -> Result<Engine, LoadError> {
        Snapshot::open(path).map(Engine::from_snapshot)
    }

    /// Reads the decision file at `path` into memory (no mapping), validates and decodes it
    /// fully, and answers from it.
    pub fn read(path: impl AsRef<Path>) -> Result<Engine, LoadError> {
        Snapshot::read(path).map(Engine::from_snapshot)
    }

    /// Validates and decodes `bytes` as a decision file and answers from it.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Engine, LoadError> {
        Snapshot::from_bytes(bytes).map(Engine::from_snapshot)
    }

    /// Validates and decodes a decision file embedded in the program (`include_bytes!`) and
    /// answers from it.
    pub fn from_static(bytes: &'static [u8]) -> Result<Engine, LoadError> {
        Snapshot::from_static(bytes).map(Engine::from_snapshot)
    }

    /// Answers from tables in memory, without a file (e.g. straight from the compiler).
    ///
    /// The tables must be checked ([`Tables::check`], which also builds their lookup maps):
    /// the compiler's `compile_case` / `compile_org` return them so.
    pub fn from_tables(tables: Tables) -> Engine {
        Engine::from_snapshot(Snapshot::from_tables(tables))
    }

    /// Answers from an already validated snapshot.
    pub fn from_snapshot(snapshot: Snapshot) -> Engine {
        Engine {
            current: ArcSwap::from_pointee(snapshot),
        }
    }

    /// Maps, fully validates and decodes the file at `path`, then makes it current.
    ///
    /// On error the current snapshot stays (the engine keeps answering from the old file) and
    /// the error says why the new one was refused. Readers are never blocked: those holding
    /// the old snapshot finish on it; the next [`Engine::snapshot`] sees the new one.
    ///
    /// The replaced snapshot is freed by the reloading thread (or, while some reader still
    /// holds it, by a helper thread once the last reader lets go): never by a reader, for
    /// which freeing a large organization's tables would be a stall of tens of milliseconds.
    ///
    /// The file is decoded on the calling thread alone ([`LoadThreads::One`]): a reload runs
    /// beside readers, and a second decoding thread would take a core from one of them (on
    /// two cores with one busy reader it made the reload no faster and the reader's requests
    /// over 1 ms six times as many). [`Engine::reload_with`] chooses otherwise.
    pub fn reload(&self, path: impl AsRef<Path>) -> Result<(), LoadError> {
        self.reload_with(path, LoadThreads::One)
    }

    /// [`Engine::reload`] on the threads `threads` allows: [`LoadThreads::Auto`] loads a large
    /// file faster when a core is free (the L benchmark file: ~110 ms instead of ~145 ms).
    pub fn reload_with(
        &self,
        path: impl AsRef<Path>,
        threads: LoadThreads,
    ) -> Result<(), LoadError> {
        self.replace(Snapshot::open_with(path, threads)?);
        Ok(())
    }

    /// Like [`Engine::reload`], but reads the file into memory instead of mapping it.
    pub fn reload_read(&self, path: impl AsRef<Path>) -> Result<(), LoadError> {
        self.replace(Snapshot::read_with(path, LoadThreads::One)?);
        Ok(())
    }

    /// Like [`Engine::reload`], from bytes in memory.
    pub fn reload_bytes(&self, bytes: Vec<u8>) -> Result<(), LoadError> {
        self.replace(Snapshot::from_bytes_with(bytes, LoadThreads::One)?);
        Ok(())
    }

    /// Makes `snapshot` current and frees the one it replaces away from the readers, as
    /// [`Engine::reload`] does.
    pub fn replace(&self, snapshot: Snapshot) {
        retire(self.install(snapshot));
    }

    /// Makes `snapshot` current and returns the one it replaces.
    ///
    /// Whoever drops the last reference to the returned snapshot frees it; that may be a
    /// reader still holding it. [`Engine::replace`] (and the `reload` methods) avoid that.
    pub fn install(&self, snapshot: Snapshot) -> Arc<Snapshot> {
        self.current.swap(Arc::new(snapshot))
    }

    /// The current snapshot, for one request: lock-free and wait-free in the common case.
    ///
    /// Hold the guard for the duration of a request, not longer: a thread holding many guards
    /// at once makes further loads slower (still correct, still lock-free). For a long-lived
    /// handle use [`Engine::snapshot_arc`].
    pub fn snapshot(&self) -> SnapshotGuard {
        SnapshotGuard(self.current.load())
    }

    /// The current snapshot as an owned `Arc`, to keep as long as you like.
    pub fn snapshot_arc(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// The decision for `request`, from the current snapshot. Cannot fail: anything the tables
    /// cannot account for is a deny (fail closed). Lock-free; see [`crate::eval::authorize`].
    pub fn authorize(&self, request: &Request) -> Decision {
        crate::eval::authorize(&self.current.load().tables, request)
    }

    /// The decision for `request` with its basis and the deciding statements, from the current
    /// snapshot; see [`crate::eval::authorize_explain`].
    pub fn authorize_explain(&self, request: &Request) -> Explanation {
        crate::eval::authorize_explain(&self.current.load().tables, request)
    }
}

/// How many threads loading a decision file may use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LoadThreads {
    /// Two for files of [`crate::format::tables::PARALLEL_FROM`] bytes and more, else one: the
    /// fastest load (the L benchmark file: ~110 ms instead of ~145 ms on two cores).
    #[default]
    Auto,
    /// The calling thread only: the same tables, more slowly, without taking a second core
    /// (what [`Engine::reload`] uses: it runs beside query threads).
    One,
}

/// How long [`retire`] waits in the calling thread for readers to let go of a replaced
/// snapshot before handing it to a helper thread. A reader holds it for one request
/// (microseconds), so this is almost never reached; long-lived holders ([`Engine::snapshot_arc`])
/// are the helper's to wait for.
const RETIRE_SPIN: Duration = Duration::from_millis(2);

/// Frees a replaced snapshot without making a reader do it.
///
/// Why: the snapshot is freed by whoever drops its last reference. A reader that loaded it
/// just before the swap holds a reference until its request ends; if the reloading thread
/// dropped its own first, that reader would free the whole organization's tables (26 ms at
/// scale L) in the middle of answering. So the reference is kept here until it is the only
/// one: `swap` has turned every reader's borrowed load into a counted reference, and nobody
/// can take a new one from a snapshot that is no longer current, so a count of one stays one.
fn retire(old: Arc<Snapshot>) {
    let start = Instant::now();
    while Arc::strong_count(&old) > 1 {
        if start.elapsed() > RETIRE_SPIN {
            let handoff = std::thread::Builder::new()
                .name("gavel-retire".into())
                .spawn(move || wait_and_free(old));
            // Without a thread, the last holder frees it: the behaviour of a plain `Arc`.
            drop(handoff);
            return;
        }
        std::thread::yield_now();
    }
    drop(old);
}

/// The helper thread of [`retire`]: polls with a growing interval until it holds the last
/// reference, then frees the snapshot.
fn wait_and_free(old: Arc<Snapshot>) {
    let mut pause = Duration::from_micros(100);
    while Arc::strong_count(&old) > 1 {
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    }
    drop(old);
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("current", &*self.current.load())
            .finish()
    }
}

/// A borrowed handle on the current [`Snapshot`] (derefs to it); see [`Engine::snapshot`].
pub struct SnapshotGuard(Guard<Arc<Snapshot>>);

impl SnapshotGuard {
    /// Turns the guard into an owned `Arc` (to keep the snapshot beyond one request).
    pub fn into_arc(self) -> Arc<Snapshot> {
        Guard::into_inner(self.0)
    }
}

impl Deref for SnapshotGuard {
    type Target = Snapshot;

    fn deref(&self) -> &Snapshot {
        &self.0
    }
}

impl fmt::Debug for SnapshotGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// One validated decision file, the bytes it lives in, and its decoded tables (or tables that
/// never were a file: [`Snapshot::from_tables`]).
///
/// Immutable: a reload builds a new snapshot; this one stays valid until its last holder drops
/// it.
pub struct Snapshot {
    tables: Tables,
    file: Option<File<Storage>>,
    source: Option<PathBuf>,
}

impl Snapshot {
    /// Maps the file at `path`, validates it fully and decodes its tables. See the module docs,
    /// "Mapped files".
    pub fn open(path: impl AsRef<Path>) -> Result<Snapshot, LoadError> {
        Snapshot::open_with(path, LoadThreads::Auto)
    }

    /// [`Snapshot::open`] on the threads `threads` allows.
    pub fn open_with(path: impl AsRef<Path>, threads: LoadThreads) -> Result<Snapshot, LoadError> {
        let path = path.as_ref();
        let map = map_file(path)?;
        Snapshot::new(Storage(Bytes::Mapped(map)), Some(path), threads)
    }

    /// Reads the file at `path` into memory, validates it fully and decodes its tables.
    pub fn read(path: impl AsRef<Path>) -> Result<Snapshot, LoadError> {
        Snapshot::read_with(path, LoadThreads::Auto)
    }

    /// [`Snapshot::read`] on the threads `threads` allows.
    pub fn read_with(path: impl AsRef<Path>, threads: LoadThreads) -> Result<Snapshot, LoadError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| LoadError::io(path, e))?;
        Snapshot::new(Storage(Bytes::Owned(bytes)), Some(path), threads)
    }

    /// Validates `bytes` fully and decodes their tables.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Snapshot, LoadError> {
        Snapshot::from_bytes_with(bytes, LoadThreads::Auto)
    }

    /// [`Snapshot::from_bytes`] on the threads `threads` allows.
    pub fn from_bytes_with(bytes: Vec<u8>, threads: LoadThreads) -> Result<Snapshot, LoadError> {
        Snapshot::new(Storage(Bytes::Owned(bytes)), None, threads)
    }

    /// Validates a file embedded in the program fully and decodes its tables.
    pub fn from_static(bytes: &'static [u8]) -> Result<Snapshot, LoadError> {
        Snapshot::new(Storage(Bytes::Static(bytes)), None, LoadThreads::Auto)
    }

    /// Tables in memory, without a file; they must be checked (see [`Engine::from_tables`]).
    pub fn from_tables(tables: Tables) -> Snapshot {
        Snapshot {
            tables,
            file: None,
            source: None,
        }
    }

    fn new(
        storage: Storage,
        source: Option<&Path>,
        threads: LoadThreads,
    ) -> Result<Snapshot, LoadError> {
        let file = File::from_bytes(storage)?;
        // Decoded once here, so that answering never parses or validates anything.
        let tables = match threads {
            LoadThreads::Auto => crate::format::decode(&file)?,
            LoadThreads::One => crate::format::decode_with(&file, false)?,
        };
        Ok(Snapshot {
            tables,
            file: Some(file),
            source: source.map(Path::to_path_buf),
        })
    }

    /// The decoded, checked decision tables.
    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    /// The decision for `request` from this snapshot's tables.
    pub fn authorize(&self, request: &Request) -> Decision {
        crate::eval::authorize(&self.tables, request)
    }

    /// The decision for `request` with its basis and deciding statements.
    pub fn authorize_explain(&self, request: &Request) -> Explanation {
        crate::eval::authorize_explain(&self.tables, request)
    }

    /// The validated file: header, version, sections; `None` for tables that came from memory
    /// ([`Snapshot::from_tables`]).
    pub fn file(&self) -> Option<&File<Storage>> {
        self.file.as_ref()
    }

    /// The bytes of one section, if the snapshot has a file and the file has the section.
    pub fn section(&self, kind: SectionKind) -> Option<&[u8]> {
        self.file.as_ref()?.section(kind)
    }

    /// The path the file was loaded from, if it came from a path.
    pub fn source(&self) -> Option<&Path> {
        self.source.as_deref()
    }

    /// The file's body checksum (CRC-32 of everything after the header): a short identity of
    /// the loaded file for logs; `None` without a file.
    pub fn checksum(&self) -> Option<u32> {
        self.file.as_ref().map(|f| f.header().body_checksum)
    }

    /// True if the bytes are memory-mapped (rather than in memory or absent).
    pub fn is_mapped(&self) -> bool {
        self.file
            .as_ref()
            .is_some_and(|f| matches!(f.storage().0, Bytes::Mapped(_)))
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("source", &self.source)
            .field("mapped", &self.is_mapped())
            .field(
                "checksum",
                &format_args!("{:#010x}", self.checksum().unwrap_or(0)),
            )
            .field("file", &self.file)
            .field("policies", &self.tables.policies.len())
            .finish()
    }
}

/// The bytes of a [`Snapshot`]: owned, static, or memory-mapped.
pub struct Storage(Bytes);

enum Bytes {
    Owned(Vec<u8>),
    Static(&'static [u8]),
    Mapped(Mmap),
}

impl AsRef<[u8]> for Storage {
    fn as_ref(&self) -> &[u8] {
        match &self.0 {
            Bytes::Owned(v) => v,
            Bytes::Static(s) => s,
            Bytes::Mapped(m) => m,
        }
    }
}

impl fmt::Debug for Storage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let how = match self.0 {
            Bytes::Owned(_) => "owned",
            Bytes::Static(_) => "static",
            Bytes::Mapped(_) => "mapped",
        };
        write!(f, "Storage({how}, {} bytes)", self.as_ref().len())
    }
}

/// Maps the file at `path` read-only. The crate's one `unsafe` block.
#[allow(unsafe_code)]
fn map_file(path: &Path) -> Result<Mmap, LoadError> {
    let file = std::fs::File::open(path).map_err(|e| LoadError::io(path, e))?;
    // SAFETY: `Mmap::map` is unsafe because the mapped bytes can change (or vanish, raising
    // SIGBUS on access) if the file is modified or truncated while mapped, which would break
    // the immutability that `&[u8]` promises. Gavel's contract (module docs, "Mapped files";
    // FORMAT.md) is that a decision file is never modified in place: writers create a new file
    // and rename it over the old one, which leaves existing mappings on the old, unchanged
    // inode. The mapping is read-only and private to this `Snapshot`, which owns it for as long
    // as any slice of it is borrowed. Callers who cannot keep the contract use `Engine::read`.
    let map = unsafe { Mmap::map(&file) }.map_err(|e| LoadError::io(path, e))?;
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn engine_and_snapshots_cross_threads() {
        assert_send_sync::<Engine>();
        assert_send_sync::<Snapshot>();
        assert_send_sync::<Arc<Snapshot>>();
    }

    #[test]
    fn a_reader_never_frees_a_replaced_snapshot() {
        let engine = Arc::new(Engine::from_tables(Tables::default()));
        let old = Arc::downgrade(&engine.snapshot_arc());
        // A reader in the middle of a request on the snapshot about to be replaced.
        let reader = engine.snapshot();
        let reloading = {
            let engine = engine.clone();
            std::thread::spawn(move || engine.replace(Snapshot::from_tables(Tables::default())))
        };
        // Longer than `retire` waits in the reloading thread: the helper must take over.
        std::thread::sleep(RETIRE_SPIN * 10);
        reloading.join().unwrap();
        assert!(old.upgrade().is_some(), "freed while a reader held it");
        // The reader's reference is not the last one: dropping it frees nothing here.
        assert!(Arc::into_inner(reader.into_arc()).is_none());
        let start = Instant::now();
        while old.upgrade().is_some() {
            assert!(start.elapsed() < Duration::from_secs(10), "never freed");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    fn without_readers_the_reloading_thread_frees_the_replaced_snapshot() {
        let engine = Engine::from_tables(Tables::default());
        let old = Arc::downgrade(&engine.snapshot_arc());
        engine.replace(Snapshot::from_tables(Tables::default()));
        assert!(old.upgrade().is_none());
    }

    #[test]
    fn missing_file_is_an_io_error_naming_the_path() {
        let err = Engine::open("/nonexistent/dir/org.gavel").unwrap_err();
        assert!(err.is_io());
        assert!(err.to_string().contains("/nonexistent/dir/org.gavel"));
        assert!(
            Engine::read("/nonexistent/dir/org.gavel")
                .unwrap_err()
                .is_io()
        );
    }

    #[test]
    fn garbage_is_refused() {
        assert!(Engine::from_bytes(vec![]).unwrap_err().is_too_short());
        assert!(
            Engine::from_static(b"not a gavel file, but long enough to hold a header....").is_err()
        );
    }
}
