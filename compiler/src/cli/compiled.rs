//! The compiled path behind `gavel eval --engine compiled`: compile, then decide with
//! `gavel-runtime`.

use crate::agreement::decide_org_compiled;
use crate::conformance::Case;
use crate::lower::{CompileOptions, compile_case, compile_org};
use crate::org::{OrgRequest, Organization};
use gavel_runtime::Explanation;
use gavel_runtime::tables::Tables;

/// Compiles one case's policies and decides its request on the runtime.
pub fn decide_case(case: &Case) -> Explanation {
    match compile_case(&case.set, &CompileOptions::default()) {
        Ok(tables) => gavel_runtime::eval::authorize_explain(&tables, &case.request),
        Err(e) => Explanation::error(e.to_string()),
    }
}

/// Compiles an organization for the runtime.
pub fn engine_for_org(org: &Organization) -> Result<Tables, String> {
    compile_org(org, &CompileOptions::default()).map_err(|e| e.to_string())
}

/// Decides one organization request on the runtime.
pub fn decide_org_request(tables: &Tables, req: &OrgRequest) -> Explanation {
    decide_org_compiled(tables, req)
}
