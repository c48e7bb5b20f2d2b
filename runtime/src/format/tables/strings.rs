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
    // The data is checked as UTF-8 once: then a string is valid exactly when both its ends are
    // character boundaries (`str::get`), which costs far less than checking 100,000 short
    // strings one by one. Data that is not UTF-8 as a whole is checked string by string, to
    // name the first bad one.
    let whole = std::str::from_utf8(data).ok();
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
        let s = match whole {
            Some(whole) => whole.get(start..end),
            None => std::str::from_utf8(b).ok(),
        };
        strs.push(s.ok_or_else(|| err(LoadError::invalid_utf8(wide(i))))?);
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

#[cfg(test)]
mod tests {
    use super::read;

    /// A pool section: the count, the end offsets, the data.
    fn pool(ends: &[u32], data: &[u8]) -> Vec<u8> {
        let mut out = (ends.len() as u32).to_le_bytes().to_vec();
        for e in ends {
            out.extend_from_slice(&e.to_le_bytes());
        }
        out.extend_from_slice(data);
        out
    }

    #[test]
    fn strings_are_cut_at_their_ends() {
        let bytes = pool(&[1, 1, 4, 6], "aébcd".as_bytes());
        assert_eq!(read(&bytes).unwrap(), ["a", "", "éb", "cd"]);
    }

    #[test]
    fn an_end_inside_a_character_is_refused_although_the_data_is_utf8() {
        // "é" is two bytes; string 1 ends after the first, string 2 starts at the second.
        let bytes = pool(&[1, 2, 4], "aéb".as_bytes());
        let err = read(&bytes).unwrap_err();
        assert!(err.is_invalid_utf8(), "{err}");
        assert!(err.to_string().contains("string 1"), "{err}");
    }

    #[test]
    fn data_that_is_not_utf8_names_the_first_bad_string() {
        let bytes = pool(&[1, 2, 3], &[b'a', b'b', 0xFF]);
        let err = read(&bytes).unwrap_err();
        assert!(err.is_invalid_utf8(), "{err}");
        assert!(err.to_string().contains("string 2"), "{err}");
    }
}
