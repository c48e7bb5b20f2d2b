//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// `<repo root>/../shared/corpus`: beside the checkout, as CI has it (`/work/main` ->
/// `/work/shared`). Fails the test with a clear message when it is missing.
pub fn corpus_dir() -> PathBuf {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus"));
    assert!(
        dir.is_dir(),
        "the shared corpus is missing: expected the folder {} (the `shared` folder beside the repository root)",
        dir.display()
    );
    dir
}
