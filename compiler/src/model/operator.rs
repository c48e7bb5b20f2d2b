//! Condition operators (spec §4.2): defined in [`gavel_runtime::operator`], which both
//! evaluators and the compiled file share.

pub use gavel_runtime::operator::*;
