//! Lowering an organization into decision tables (issue 5, in progress; see
//! `docs/compiled-design.md`). What exists so far: per-principal partial evaluation.

pub mod fold;
