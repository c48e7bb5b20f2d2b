//! The compiled engine as the benches use it: `gavel compile`'s lowering
//! (`lower::compile_org`, with the AWS action catalogue as `gavel compile` reads it by default),
//! the decision file (`Tables::to_bytes`), and `gavel_runtime::Engine` built from the tables in
//! memory and from the file read back.

use gavel_compiler::lower::{self, CompileOptions};
use gavel_compiler::org::{OrgRequest, Organization};
use gavel_runtime::{Decision, Engine, Request};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The AWS action catalogue: `$GAVEL_ACTION_CATALOG`, else
/// `../shared/corpus/aws-service-reference.json` beside the repository (what `gavel compile`
/// reads by default).
pub fn action_catalog_path() -> PathBuf {
    match std::env::var_os("GAVEL_ACTION_CATALOG") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/corpus/aws-service-reference.json"
        )),
    }
}

/// The compile options of the benches: the action catalogue ([`action_catalog_path`]), folding on.
pub fn compile_options() -> Result<CompileOptions, String> {
    let path = action_catalog_path();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read the action catalogue `{}`: {e}", path.display()))?;
    let catalog = lower::read_catalog(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(CompileOptions {
        catalog,
        ..CompileOptions::default()
    })
}

/// A compiled organization, ready to time.
pub struct Compiled {
    /// The engine built from the tables in memory.
    pub engine: Engine,
    /// The engine read back from the file's bytes (what a service loads).
    pub file_engine: Engine,
    /// The requests in the runtime's form, in the order of the mix.
    pub requests: Vec<Request>,
    /// The decision file.
    pub bytes: Vec<u8>,
    /// `compile_org` wall time.
    pub compile: Duration,
    /// `Engine::open` (map + full validation) of the written file, best of three.
    pub open: Duration,
    /// `Engine::from_bytes` (full validation) of the bytes, best of three.
    pub from_bytes: Duration,
}

impl Compiled {
    /// Decides request `i` of the mix (the engine built from the tables in memory).
    pub fn authorize(&self, i: usize) -> Decision {
        self.requests
            .get(i)
            .map_or(Decision::ImplicitDeny, |r| self.engine.authorize(r))
    }

    /// Decides request `i` of the mix with the engine read back from the file.
    pub fn authorize_file(&self, i: usize) -> Decision {
        self.requests
            .get(i)
            .map_or(Decision::ImplicitDeny, |r| self.file_engine.authorize(r))
    }

    /// Requests of the mix on which either engine (in memory, read back from the file)
    /// answers otherwise than `expected` (the reference's decisions, in mix order).
    pub fn disagreements(&self, expected: &[Decision]) -> usize {
        (0..self.requests.len())
            .zip(expected)
            .filter(|(i, d)| self.authorize(*i) != **d || self.authorize_file(*i) != **d)
            .count()
    }
}

/// Compiles `org`, writes the file and opens it again, converts the requests.
pub fn prepare(
    org: &Organization,
    requests: &[OrgRequest],
    opts: &CompileOptions,
) -> Result<Compiled, String> {
    let t = Instant::now();
    let tables = lower::compile_org(org, opts).map_err(|e| format!("compile_org: {e}"))?;
    let compile = t.elapsed();
    let bytes = tables.to_bytes();

    let mut from_bytes = Duration::MAX;
    let mut file_engine = None;
    for _ in 0..3 {
        let copy = bytes.clone();
        let t = Instant::now();
        let e = Engine::from_bytes(copy).map_err(|e| format!("Engine::from_bytes: {e}"))?;
        from_bytes = from_bytes.min(t.elapsed());
        file_engine = Some(e);
    }
    let file_engine = file_engine.ok_or("no engine")?;

    let path = std::env::temp_dir().join(format!("gavel-bench-{}.gavel", std::process::id()));
    std::fs::write(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut open = Duration::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let e = Engine::open(&path).map_err(|e| format!("Engine::open: {e}"));
        open = open.min(t.elapsed());
        drop(e?);
    }
    // A leftover temporary file is harmless; the measurement is what matters.
    let _ = std::fs::remove_file(&path);

    let engine = Engine::from_tables(tables);
    let requests = requests
        .iter()
        .map(|r| {
            lower::runtime_request(r).map_err(|e| format!("runtime_request `{}`: {e}", r.principal))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Compiled {
        engine,
        file_engine,
        requests,
        bytes,
        compile,
        open,
        from_bytes,
    })
}
