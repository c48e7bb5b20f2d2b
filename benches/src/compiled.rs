//! The harness's only contact with the compiled engine (feature `compiled`): every call the
//! benches make to the compiler's lowering and to `gavel_runtime::Engine` is here, so that a
//! renamed function is a one-line change.
//!
//! Expected API (issue 5, being written):
//!
//! ```text
//! gavel_compiler::lower::compile_org(&Organization) -> Result<gavel_runtime::tables::Tables, E: Display>
//! gavel_compiler::lower::runtime_request(&OrgRequest) -> gavel_runtime::Request   (or Result<Request, E>)
//! gavel_runtime::tables::Tables::to_bytes(&self) -> Vec<u8>
//! gavel_runtime::Engine::from_tables(Tables) -> Engine                            (or Result<Engine, E>)
//! gavel_runtime::Engine::from_bytes(Vec<u8>) -> Result<Engine, LoadError>
//! gavel_runtime::Engine::open(path) -> Result<Engine, LoadError>
//! gavel_runtime::Engine::authorize(&self, &Request) -> Decision                   (or Explanation)
//! ```
//!
//! The small `Into*` traits below accept either shape where the API is still open.

use gavel_compiler::lower;
use gavel_compiler::org::{OrgRequest, Organization};
use gavel_runtime::{Decision, Engine, Explanation, Request};
use std::fmt::Display;
use std::time::{Duration, Instant};

/// A compiled organization, ready to time.
pub struct Compiled {
    /// The engine built from the tables in memory.
    pub engine: Engine,
    /// The engine read back from the file bytes (what a service loads).
    pub file_engine: Engine,
    /// The requests in the runtime's form, in the order of the mix.
    pub requests: Vec<Request>,
    /// `compile_org` wall time.
    pub compile: Duration,
    /// The file size (`Tables::to_bytes`).
    pub bytes: usize,
    /// `Engine::open` (map + full validation) of the written file, best of a few.
    pub open: Duration,
    /// `Engine::from_bytes` (full validation) of the bytes, best of a few.
    pub from_bytes: Duration,
}

impl Compiled {
    /// Decides request `i` of the mix.
    pub fn authorize(&self, i: usize) -> Decision {
        self.requests.get(i).map_or(Decision::ImplicitDeny, |r| {
            self.engine.authorize(r).into_decision()
        })
    }

    /// Requests of the mix on which either engine (in memory, read back from the file)
    /// answers otherwise than `expected` (the reference's decisions, in mix order).
    pub fn disagreements(&self, expected: &[Decision]) -> usize {
        self.requests
            .iter()
            .zip(expected)
            .filter(|(r, d)| {
                self.engine.authorize(r).into_decision() != **d
                    || self.file_engine.authorize(r).into_decision() != **d
            })
            .count()
    }
}

/// Compiles `org`, writes and reopens the file, converts the requests.
pub fn prepare(org: &Organization, requests: &[OrgRequest]) -> Result<Compiled, String> {
    let t = Instant::now();
    let tables = lower::compile_org(org).map_err(|e| format!("compile_org: {e}"))?;
    let compile = t.elapsed();
    let bytes: Vec<u8> = tables.to_bytes().into_bytes()?;

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
    let _ = std::fs::remove_file(&path);

    let engine = Engine::from_tables(tables).into_engine()?;
    let requests = requests
        .iter()
        .map(|r| lower::runtime_request(r).into_request())
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Compiled {
        engine,
        file_engine,
        requests,
        compile,
        bytes: bytes.len(),
        open,
        from_bytes,
    })
}

/// `Engine` or `Result<Engine, E>`.
pub trait IntoEngine {
    /// The engine, or the error rendered.
    fn into_engine(self) -> Result<Engine, String>;
}

impl IntoEngine for Engine {
    fn into_engine(self) -> Result<Engine, String> {
        Ok(self)
    }
}

impl<E: Display> IntoEngine for Result<Engine, E> {
    fn into_engine(self) -> Result<Engine, String> {
        self.map_err(|e| format!("Engine::from_tables: {e}"))
    }
}

/// `Request` or `Result<Request, E>`.
pub trait IntoRequest {
    /// The request, or the error rendered.
    fn into_request(self) -> Result<Request, String>;
}

impl IntoRequest for Request {
    fn into_request(self) -> Result<Request, String> {
        Ok(self)
    }
}

impl<E: Display> IntoRequest for Result<Request, E> {
    fn into_request(self) -> Result<Request, String> {
        self.map_err(|e| format!("runtime_request: {e}"))
    }
}

/// `Vec<u8>` or `Result<Vec<u8>, E>`.
pub trait IntoBytes {
    /// The bytes, or the error rendered.
    fn into_bytes(self) -> Result<Vec<u8>, String>;
}

impl IntoBytes for Vec<u8> {
    fn into_bytes(self) -> Result<Vec<u8>, String> {
        Ok(self)
    }
}

impl<E: Display> IntoBytes for Result<Vec<u8>, E> {
    fn into_bytes(self) -> Result<Vec<u8>, String> {
        self.map_err(|e| format!("Tables::to_bytes: {e}"))
    }
}

/// `Decision` or `Explanation`.
pub trait IntoDecision {
    /// The decision.
    fn into_decision(self) -> Decision;
}

impl IntoDecision for Decision {
    fn into_decision(self) -> Decision {
        self
    }
}

impl IntoDecision for Explanation {
    fn into_decision(self) -> Decision {
        self.decision
    }
}
