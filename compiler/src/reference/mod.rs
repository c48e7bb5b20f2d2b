//! The reference interpreter: the executable spec.

pub mod condition;
pub mod wildcard;
