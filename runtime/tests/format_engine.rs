//! The `Engine` shell: mapping a file, reloading while readers run, keeping the old snapshot on
//! a failed reload, and old snapshots outliving the swap. Each file holds small tables whose
//! one policy's name tells its generation.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests report failures by panicking"
)]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;

use gavel_runtime::format::{SectionKind, encode, write_file_atomically};
use gavel_runtime::tables::{Policy, Tables};
use gavel_runtime::{Engine, LoadThreads, Snapshot};

/// A scratch directory unique to this process and test, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("gavel-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The tables of generation `n`: a first policy named "gen-n", then `n % 7` more (so files
/// differ in length too).
fn tables(n: u64) -> Tables {
    let policy = |name: String| Policy {
        name,
        statements: Vec::new(),
        services: Vec::new(),
        any_service: false,
    };
    let mut policies = vec![policy(format!("gen-{n}"))];
    policies.extend((0..n % 7).map(|i| policy(format!("padding {i}"))));
    Tables {
        policies,
        ..Tables::default()
    }
    .check()
    .unwrap()
}

/// A valid file of generation `n`.
fn generation(n: u64) -> Vec<u8> {
    encode(&tables(n))
}

/// The generation a snapshot holds, after checking that its tables and its file agree.
fn generation_of(engine: &Engine) -> u64 {
    let snap = engine.snapshot();
    let n = generation_in(&snap);
    assert_eq!(snap.tables(), &tables(n), "torn snapshot");
    assert_eq!(
        snap.file().unwrap().as_bytes(),
        &generation(n)[..],
        "torn snapshot"
    );
    n
}

/// The generation a snapshot's tables hold.
fn generation_in(snap: &gavel_runtime::Snapshot) -> u64 {
    let name = &snap.tables().policies[0].name;
    name.strip_prefix("gen-").unwrap().parse().unwrap()
}

fn corrupt(mut bytes: Vec<u8>) -> Vec<u8> {
    let last = bytes.len() - 9;
    bytes[last] ^= 0x40;
    bytes
}

#[test]
fn open_maps_the_file() {
    let dir = Scratch::new("open");
    let path = dir.path("org.gavel");
    write_file_atomically(&path, &generation(3)).unwrap();
    let engine = Engine::open(&path).unwrap();
    let snap = engine.snapshot();
    assert!(snap.is_mapped());
    assert_eq!(snap.source(), Some(path.as_path()));
    assert_eq!(generation_of(&engine), 3);
    assert_eq!(snap.file().unwrap().as_bytes(), &generation(3)[..]);
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(&dir.0).unwrap().count(), 1);

    let read = Engine::read(&path).unwrap();
    assert!(!read.snapshot().is_mapped());
    assert_eq!(read.snapshot().checksum(), snap.checksum());
}

#[test]
fn open_refuses_bad_files_with_typed_errors() {
    let dir = Scratch::new("refuse");
    let path = dir.path("bad.gavel");
    std::fs::write(&path, b"").unwrap();
    assert!(Engine::open(&path).unwrap_err().is_too_short());
    std::fs::write(&path, corrupt(generation(1))).unwrap();
    let err = Engine::open(&path).unwrap_err();
    assert!(err.is_checksum_mismatch(), "{err}");
    // `corrupt` damages a byte near the end: the last section, `meta`.
    assert_eq!(err.section(), Some(SectionKind::Meta));
    let err = Engine::open(dir.path("missing.gavel")).unwrap_err();
    assert!(err.is_io());
    assert!(err.to_string().contains("missing.gavel"), "{err}");
}

#[test]
fn failed_reload_keeps_the_old_snapshot() {
    let dir = Scratch::new("keep");
    let path = dir.path("org.gavel");
    write_file_atomically(&path, &generation(1)).unwrap();
    let engine = Engine::open(&path).unwrap();
    let before = engine.snapshot_arc();

    write_file_atomically(&path, &corrupt(generation(2))).unwrap();
    assert!(engine.reload(&path).unwrap_err().is_checksum_mismatch());
    assert!(Arc::ptr_eq(&before, &engine.snapshot_arc()));
    assert!(
        engine
            .reload(dir.path("missing.gavel"))
            .unwrap_err()
            .is_io()
    );
    assert!(engine.reload_bytes(vec![0; 10]).unwrap_err().is_too_short());
    assert!(Arc::ptr_eq(&before, &engine.snapshot_arc()));
    assert_eq!(generation_of(&engine), 1);

    write_file_atomically(&path, &generation(2)).unwrap();
    engine.reload(&path).unwrap();
    assert_eq!(generation_of(&engine), 2);
}

#[test]
fn a_reload_on_one_thread_loads_the_same_file_and_refuses_the_same_damage() {
    let dir = Scratch::new("one-thread");
    let path = dir.path("org.gavel");
    write_file_atomically(&path, &generation(1)).unwrap();
    let engine = Engine::open(&path).unwrap();
    write_file_atomically(&path, &corrupt(generation(2))).unwrap();
    assert!(
        engine
            .reload_with(&path, LoadThreads::One)
            .unwrap_err()
            .is_checksum_mismatch()
    );
    assert_eq!(generation_of(&engine), 1);
    write_file_atomically(&path, &generation(3)).unwrap();
    engine.reload_with(&path, LoadThreads::One).unwrap();
    assert_eq!(generation_of(&engine), 3);
    let one = Snapshot::read_with(&path, LoadThreads::One).unwrap();
    let auto = Snapshot::read_with(&path, LoadThreads::Auto).unwrap();
    assert_eq!(one.tables(), auto.tables());
}

#[test]
fn old_snapshots_live_until_their_last_reader_drops_them() {
    let dir = Scratch::new("outlive");
    let path = dir.path("org.gavel");
    write_file_atomically(&path, &generation(10)).unwrap();
    let engine = Engine::open(&path).unwrap();
    let held = engine.snapshot().into_arc();
    let guard = engine.snapshot();

    // Replace the file on disk (rename over it) and reload: the held snapshots still read the
    // old mapping, unchanged.
    write_file_atomically(&path, &generation(11)).unwrap();
    engine.reload(&path).unwrap();
    assert_eq!(generation_of(&engine), 11);
    assert_eq!(generation_in(&held), 10);
    assert_eq!(generation_in(&guard), 10);

    // `install` hands back the replaced snapshot.
    let snap = gavel_runtime::Snapshot::from_bytes(generation(12)).unwrap();
    let previous = engine.install(snap);
    assert_eq!(generation_in(&previous), 11);
    drop(guard);
    // Generation 10 is held by this test and by the reload's helper thread, which waits to
    // free it so that the last reader does not have to: dropping ours frees nothing here.
    let ten = Arc::downgrade(&held);
    assert_eq!(Arc::strong_count(&held), 2);
    assert!(Arc::into_inner(held).is_none());
    let start = std::time::Instant::now();
    while ten.upgrade().is_some() {
        assert!(
            start.elapsed().as_secs() < 10,
            "generation 10 was never freed"
        );
        thread::sleep(std::time::Duration::from_millis(1));
    }
}

#[test]
fn reload_from_another_thread_while_readers_query() {
    const READERS: usize = 4;
    const RELOADS: u64 = 60;
    let dir = Scratch::new("swap");
    let path = dir.path("org.gavel");
    write_file_atomically(&path, &generation(0)).unwrap();
    let engine = Arc::new(Engine::open(&path).unwrap());
    let writer_done = Arc::new(AtomicBool::new(false));
    let final_gen = Arc::new(AtomicU64::new(u64::MAX));

    let readers: Vec<_> = (0..READERS)
        .map(|_| {
            let engine = Arc::clone(&engine);
            let writer_done = Arc::clone(&writer_done);
            let final_gen = Arc::clone(&final_gen);
            thread::spawn(move || {
                let mut seen = BTreeSet::new();
                let mut queries = 0u64;
                let mut last = 0;
                loop {
                    let n = generation_of(&engine);
                    // Generations only move forward: a failed reload never brings an old
                    // or a broken file back.
                    assert!(n >= last, "went back from {last} to {n}");
                    last = n;
                    seen.insert(n);
                    queries += 1;
                    if writer_done.load(Ordering::Acquire) && n == final_gen.load(Ordering::Acquire)
                    {
                        return (queries, seen);
                    }
                }
            })
        })
        .collect();

    let writer = {
        let engine = Arc::clone(&engine);
        let path = path.clone();
        thread::spawn(move || {
            for n in 1..=RELOADS {
                if n % 3 == 0 {
                    // A broken file: refused, the current snapshot stays.
                    let before = engine.snapshot_arc();
                    write_file_atomically(&path, &corrupt(generation(n))).unwrap();
                    assert!(engine.reload(&path).is_err());
                    assert!(Arc::ptr_eq(&before, &engine.snapshot_arc()));
                } else {
                    write_file_atomically(&path, &generation(n)).unwrap();
                    engine.reload(&path).unwrap();
                }
                thread::yield_now();
            }
            // The last good generation.
            let last = (1..=RELOADS).rev().find(|n| n % 3 != 0).unwrap();
            final_gen.store(last, Ordering::Release);
            writer_done.store(true, Ordering::Release);
            last
        })
    };

    let last = writer.join().unwrap();
    assert_eq!(generation_of(&engine), last);
    for r in readers {
        let (queries, seen) = r.join().unwrap();
        assert!(queries > 0);
        assert!(seen.contains(&last));
        assert!(
            seen.iter().all(|&n| n == 0 || n % 3 != 0),
            "a refused generation was served: {seen:?}"
        );
    }
}
