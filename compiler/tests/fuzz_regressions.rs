//! Every saved fuzz crash, replayed through the same checks as its fuzz target
//! (`gavel_compiler::fuzzcheck`), plus the committed seeds, plus one named test per crash that
//! was found and fixed, with what slipped through.
//!
//! A crash saved as `corpus/fuzz/crashes/<target>/<name>` (see `fuzz/README.md`) is checked
//! here from then on. `differential` crashes are structured inputs that only the fuzz crate's
//! generator can read: `cargo test --manifest-path fuzz/Cargo.toml` replays them.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests report failures by panicking"
)]

use gavel_compiler::fuzzcheck;
use std::path::{Path, PathBuf};

fn corpus(parts: &[&str]) -> PathBuf {
    let mut dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus/fuzz"));
    for p in parts {
        dir.push(p);
    }
    dir
}

/// The files of a folder (none when it does not exist), sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n != "README.md" && !n.starts_with('.'))
        })
        .collect();
    out.sort();
    out
}

fn regex_oracle(source: &str, texts: &[String]) -> Option<Vec<bool>> {
    let re = regex::Regex::new(source).ok()?;
    Some(texts.iter().map(|t| re.is_match(t)).collect())
}

/// The check of one target.
fn check(target: &str, data: &[u8]) -> Result<(), String> {
    match target {
        "parse_json" => fuzzcheck::parse_json(data),
        "parse_text" => fuzzcheck::parse_text(data),
        "load_file" => fuzzcheck::load_file(data),
        "wildcard" => fuzzcheck::wildcard(data, &regex_oracle),
        _ => Ok(()),
    }
}

const TARGETS: [&str; 4] = ["parse_json", "parse_text", "load_file", "wildcard"];

fn replay(dir: &Path, target: &str) -> usize {
    let mut n = 0;
    for f in files(dir) {
        let data = std::fs::read(&f).unwrap();
        if let Err(e) = check(target, &data) {
            panic!("{}: {e}", f.display());
        }
        n += 1;
    }
    n
}

#[test]
fn saved_crashes_stay_fixed() {
    for target in TARGETS {
        replay(&corpus(&["crashes", target]), target);
    }
}

#[test]
fn committed_seeds_pass() {
    let mut total = 0;
    for target in TARGETS {
        total += replay(&corpus(&[target]), target);
    }
    assert!(total >= 10, "only {total} committed seeds");
}

/// Reads a saved crash by name (they are the named regression tests' inputs).
fn crash(target: &str, name: &str) -> Vec<u8> {
    let path = corpus(&["crashes", target, name]);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `parse_json`: a JSON Lines managed-policy file whose second line is not JSON. Each record
/// was parsed after as many line breaks as lines before it, so the byte offset of its problems
/// was counted in that padded copy (one byte short per line before), not in the file, and the
/// source line shown under a diagnostic could be the wrong one. (The padding also made a file
/// of many lines quadratic to read.)
#[test]
fn catalog_jsonl_offsets_are_file_offsets() {
    assert_eq!(
        fuzzcheck::parse_json(&crash("parse_json", "catalog-jsonl-offset")),
        Ok(())
    );
}
