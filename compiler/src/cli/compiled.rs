//! The compiled path behind `gavel eval --engine compiled`: compile, write the decision file
//! (to memory), load it back with full validation, decide with `gavel-runtime`.

use crate::agreement::{decide_org_engine, engine_answer};
use crate::conformance::Case;
use crate::lower::{CompileOptions, compile_case, compile_org};
use crate::org::{OrgRequest, Organization};
use gavel_runtime::{Engine, Explanation};

/// Compiles one case's policies to a decision file and decides its request on the runtime.
pub fn decide_case(case: &Case) -> Explanation {
    let tables = match compile_case(&case.set, &CompileOptions::default()) {
        Ok(t) => t,
        Err(e) => return Explanation::error(e.to_string()),
    };
    match Engine::from_bytes(tables.to_bytes()) {
        Ok(engine) => engine_answer(&engine, &case.request),
        Err(e) => Explanation::error(format!("the decision file does not load: {e}")),
    }
}

/// Compiles an organization to a decision file and loads it back.
pub fn engine_for_org(org: &Organization) -> Result<Engine, String> {
    let tables = compile_org(org, &CompileOptions::default()).map_err(|e| e.to_string())?;
    Engine::from_bytes(tables.to_bytes()).map_err(|e| e.to_string())
}

/// Decides one organization request on the runtime.
pub fn decide_org_request(engine: &Engine, req: &OrgRequest) -> Explanation {
    decide_org_engine(engine, req)
}
