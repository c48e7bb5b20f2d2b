//! Section `strings` (kind 1): the string pool. Every string of the tables is stored here once;
//! the other sections name strings by their index in the pool (a "string id").
//!
//! ```text
//!  ┌───────────┬─────────────────────────┬───────────────────────────────┐
//!  │ count u32 │ end u32 × count         │ data: UTF-8 bytes, back to back│
//!  └───────────┴─────────────────────────┴───────────────────────────────┘
//!  string i = data[end[i-1] .. end[i]]  (end[-1] = 0); ends never decrease;
//!  the section ends exactly at end[count-1] (0 when count is 0)
//! ```
//!
//! Ids are given in first-use order while the other sections are written, so the same tables
//! always give the same pool.

#[cfg(feature = "write")]
use super::codec::{Pool, len32};
use crate::format::error::LoadError;
use crate::format::section::SectionKind;
use crate::format::wire::{self, wide};

const KIND: SectionKind = SectionKind::Strings;

/// Reads and checks the pool: every string in bounds and valid UTF-8.
pub(super) fn read(bytes: &[u8]) -> Result<Vec<&str>, LoadError> {
    let err = |e: LoadError| e.in_section(KIND);
    let count = wire::read_u32(bytes, 0, "string count").map_err(err)?;
    let count = wire::to_usize(u64::from(count), "string count").map_err(err)?;
    let rest = bytes.len().saturating_sub(4);
    if count > rest / 4 {
        return Err(err(LoadError::count_too_large(
            "string count",
            wide(count),
            4,
            wide(rest),
        )));
    }
    let ends = wire::array_of_u32(bytes, 4, count, "string end offsets").map_err(err)?;
    let data_at = wire::add(4, count.saturating_mul(4), "string data offset").map_err(err)?;
    let data = bytes.get(data_at..).unwrap_or_default();
    let mut strs = Vec::with_capacity(count);
    let mut start = 0usize;
    for (i, end) in ends.iter().enumerate() {
        let end = wire::to_usize(u64::from(end), "string end offset").map_err(err)?;
        if end < start {
            return Err(err(LoadError::invalid_value(
                "a string end offset",
                "at least the previous end offset",
                wide(end),
            )));
        }
        let b = wire::slice(data, start, end - start, "string data").map_err(err)?;
        let s = std::str::from_utf8(b).map_err(|_| err(LoadError::invalid_utf8(wide(i))))?;
        strs.push(s);
        start = end;
    }
    if start != data.len() {
        return Err(err(LoadError::trailing_bytes(
            "the string data",
            wide(data.len().saturating_sub(start)),
        )));
    }
    Ok(strs)
}

/// Writes the pool.
#[cfg(feature = "write")]
pub(super) fn write(pool: &Pool) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        4usize
            .saturating_add(pool.ends.len().saturating_mul(4))
            .saturating_add(pool.data.len()),
    );
    wire::push_u32(&mut out, len32(pool.ends.len()));
    wire::push_u32s(&mut out, &pool.ends);
    out.extend_from_slice(&pool.data);
    out
}
