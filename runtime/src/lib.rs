//! Gavel's runtime: the types every Gavel evaluator shares (requests, principals, decisions)
//! and, later, the compiled decision file and the lock-free `Engine` that answers from it.
//!
//! The runtime depends on no compiler code; the compiler depends on it.

#![forbid(unsafe_code)]

pub mod decision;
pub mod principal;
pub mod request;
pub mod services;

pub use decision::{Decision, DenyBasis, Effect, Explanation, PolicyKind, StatementRef};
pub use principal::{Principal, PrincipalError, PrincipalKind};
pub use request::{Context, ContextError, ContextValue, Request};
