//! Condition evaluation (spec §4).
