//! Gavel's runtime: the types every Gavel evaluator shares (requests, principals, decisions)
//! and, later, the compiled decision file and the lock-free `Engine` that answers from it.
//!
//! The runtime depends on no compiler code; the compiler depends on it.

// One `unsafe` block in the whole crate: the `mmap` call in `engine.rs` (see its SAFETY comment
// and FORMAT.md, "Mapped files"). Everything else is safe Rust.
#![deny(unsafe_code)]

pub mod cond_value;
pub mod decision;
pub mod engine;
pub mod eval;
pub mod format;
pub mod glob;
pub mod operator;
mod par;
pub mod pattern;
pub mod principal;
pub mod request;
pub mod services;
pub mod str_index;
pub mod tables;
pub mod value;

pub use decision::{Decision, DenyBasis, Effect, Explanation, PolicyKind, StatementRef};
pub use engine::{Engine, LoadThreads, Snapshot, SnapshotGuard};
pub use format::LoadError;
pub use principal::{Principal, PrincipalError, PrincipalKind};
pub use request::{Context, ContextError, ContextValue, Request, SessionInfo};
