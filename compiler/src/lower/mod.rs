//! Lowering policies and organizations into decision tables (`docs/compiled-design.md`):
//! per-principal partial evaluation ([`fold`]), then interning, action classification and
//! condition compilation ([`compile`]).

pub mod compile;
pub mod fold;

pub use compile::{
    CompileError, CompileOptions, compile_case, compile_org, compile_standalone, read_catalog,
    runtime_request,
};
