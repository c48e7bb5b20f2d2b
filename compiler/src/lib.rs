//! Gavel's compiler crate: the IAM policy model, its front ends, the reference interpreter
//! (the executable spec), and the `gavel` command line.

#![forbid(unsafe_code)]

pub mod casegen;
pub mod cli;
pub mod conformance;
pub mod diagnostics;
pub mod json;
pub mod model;
pub mod org;
pub mod reference;
