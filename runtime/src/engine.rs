//! The [`Engine`]: one validated decision file at a time, swapped atomically while readers run.
//!
//! ```text
//!   Engine ── ArcSwap ──▶ Arc<Snapshot> ──▶ File<Storage>  (Vec<u8> | &'static [u8] | Mmap)
//!                 ▲
//!   reload(path): map + validate fully ──(ok)──▶ store   (err: keep the old snapshot)
//! ```
//!
//! Readers call [`Engine::snapshot`] per request: a few atomic operations, never a lock, never
//! blocked by a reload. A snapshot lives until its last reader drops it, so a reader keeps a
//! consistent file for as long as it holds the guard, even across reloads.
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

use arc_swap::{ArcSwap, Guard};
use memmap2::Mmap;

use crate::format::{File, LoadError, SectionKind};

/// Decides requests from one decision file at a time; the file can be replaced while
/// requests run.
///
/// `Engine` is `Send + Sync`: share it by reference or in an `Arc` across threads.
pub struct Engine {
    current: ArcSwap<Snapshot>,
}

impl Engine {
    /// Maps the decision file at `path`, validates it fully, and answers from it.
    ///
    /// See the module docs, "Mapped files", for the contract a mapped file must keep.
    pub fn open(path: impl AsRef<Path>) -> Result<Engine, LoadError> {
        Snapshot::open(path).map(Engine::from_snapshot)
    }

    /// Reads the decision file at `path` into memory (no mapping), validates it fully, and
    /// answers from it.
    pub fn read(path: impl AsRef<Path>) -> Result<Engine, LoadError> {
        Snapshot::read(path).map(Engine::from_snapshot)
    }

    /// Validates `bytes` as a decision file and answers from it.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Engine, LoadError> {
        Snapshot::from_bytes(bytes).map(Engine::from_snapshot)
    }

    /// Validates a decision file embedded in the program (`include_bytes!`) and answers from it.
    pub fn from_static(bytes: &'static [u8]) -> Result<Engine, LoadError> {
        Snapshot::from_static(bytes).map(Engine::from_snapshot)
    }

    /// Answers from an already validated snapshot.
    pub fn from_snapshot(snapshot: Snapshot) -> Engine {
        Engine {
            current: ArcSwap::from_pointee(snapshot),
        }
    }

    /// Maps and fully validates the file at `path`, then makes it current.
    ///
    /// On error the current snapshot stays (the engine keeps answering from the old file) and
    /// the error says why the new one was refused. Readers are never blocked: those holding
    /// the old snapshot finish on it; the next [`Engine::snapshot`] sees the new one.
    pub fn reload(&self, path: impl AsRef<Path>) -> Result<(), LoadError> {
        self.install(Snapshot::open(path)?);
        Ok(())
    }

    /// Like [`Engine::reload`], but reads the file into memory instead of mapping it.
    pub fn reload_read(&self, path: impl AsRef<Path>) -> Result<(), LoadError> {
        self.install(Snapshot::read(path)?);
        Ok(())
    }

    /// Like [`Engine::reload`], from bytes in memory.
    pub fn reload_bytes(&self, bytes: Vec<u8>) -> Result<(), LoadError> {
        self.install(Snapshot::from_bytes(bytes)?);
        Ok(())
    }

    /// Makes `snapshot` current and returns the one it replaces.
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

    // DECISION HOOK: `pub fn authorize(&self, request: &Request) -> Decision` goes here; it
    // takes `self.snapshot()` and asks the snapshot's compiled tables (see `Snapshot::file`).
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

/// One validated decision file and the bytes it lives in.
///
/// Immutable: a reload builds a new snapshot; this one stays valid until its last holder drops
/// it.
pub struct Snapshot {
    file: File<Storage>,
    source: Option<PathBuf>,
}

impl Snapshot {
    /// Maps the file at `path` and validates it fully. See the module docs, "Mapped files".
    pub fn open(path: impl AsRef<Path>) -> Result<Snapshot, LoadError> {
        let path = path.as_ref();
        let map = map_file(path)?;
        Snapshot::new(Storage(Bytes::Mapped(map)), Some(path))
    }

    /// Reads the file at `path` into memory and validates it fully.
    pub fn read(path: impl AsRef<Path>) -> Result<Snapshot, LoadError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| LoadError::io(path, e))?;
        Snapshot::new(Storage(Bytes::Owned(bytes)), Some(path))
    }

    /// Validates `bytes` fully.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Snapshot, LoadError> {
        Snapshot::new(Storage(Bytes::Owned(bytes)), None)
    }

    /// Validates a file embedded in the program fully.
    pub fn from_static(bytes: &'static [u8]) -> Result<Snapshot, LoadError> {
        Snapshot::new(Storage(Bytes::Static(bytes)), None)
    }

    fn new(storage: Storage, source: Option<&Path>) -> Result<Snapshot, LoadError> {
        Ok(Snapshot {
            file: File::from_bytes(storage)?,
            source: source.map(Path::to_path_buf),
        })
    }

    /// The validated file: header, version, sections.
    ///
    /// DECISION HOOK: the compiled tables (parsed, validated views over these sections) will be
    /// built here once per snapshot, and `Engine::authorize` will ask them.
    pub fn file(&self) -> &File<Storage> {
        &self.file
    }

    /// The bytes of one section, if the file has it (shorthand for `file().section(kind)`).
    pub fn section(&self, kind: SectionKind) -> Option<&[u8]> {
        self.file.section(kind)
    }

    /// The path the file was loaded from, if it came from a path.
    pub fn source(&self) -> Option<&Path> {
        self.source.as_deref()
    }

    /// The file's body checksum (CRC-32 of everything after the header): a short identity of
    /// the loaded file for logs.
    pub fn checksum(&self) -> u32 {
        self.file.header().body_checksum
    }

    /// True if the bytes are memory-mapped (rather than in memory).
    pub fn is_mapped(&self) -> bool {
        matches!(self.file.storage().0, Bytes::Mapped(_))
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("source", &self.source)
            .field("mapped", &self.is_mapped())
            .field("checksum", &format_args!("{:#010x}", self.checksum()))
            .field("file", &self.file)
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
