//! Strings with wildcards and policy variables (spec §3, §5): defined in
//! [`gavel_runtime::pattern`], which both evaluators and the compiled file share.

pub use gavel_runtime::pattern::*;
