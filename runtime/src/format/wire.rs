//! Checked little-endian primitives shared by the container and every section.
//!
//! Reading: every function takes the quantity's name (`what`) so that a failure says *which*
//! offset, length or count was bad. Nothing here indexes or slices without a check, and nothing
//! here panics for any input.
//!
//! Writing (cargo feature `write`): `push_*` appends little-endian integers to a `Vec<u8>`;
//! `pad_to_alignment` appends the zero bytes every section ends with.

use super::error::LoadError;

/// Every section, and the section table, starts at a multiple of this many bytes.
pub const ALIGN: usize = 8;

/// [`ALIGN`] as a `u64`, for checks on offsets read from a file.
pub(crate) const ALIGN_U64: u64 = ALIGN as u64;

/// Widens a `usize` to `u64` for error messages (lossless on every supported target).
pub(crate) fn wide(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Returns `bytes[offset .. offset + len]`, or an out-of-bounds error naming `what`.
pub fn slice<'a>(
    bytes: &'a [u8],
    offset: usize,
    len: usize,
    what: &'static str,
) -> Result<&'a [u8], LoadError> {
    bytes
        .get(offset..)
        .and_then(|rest| rest.get(..len))
        .ok_or_else(|| LoadError::out_of_bounds(what, wide(offset), wide(len), wide(bytes.len())))
}

/// Reads `N` bytes at `at`.
pub fn read_array<const N: usize>(
    bytes: &[u8],
    at: usize,
    what: &'static str,
) -> Result<[u8; N], LoadError> {
    bytes
        .get(at..)
        .and_then(|rest| rest.first_chunk::<N>())
        .copied()
        .ok_or_else(|| LoadError::out_of_bounds(what, wide(at), wide(N), wide(bytes.len())))
}

/// Reads one byte at `at`.
pub fn read_u8(bytes: &[u8], at: usize, what: &'static str) -> Result<u8, LoadError> {
    read_array::<1>(bytes, at, what).map(|[b]| b)
}

/// Reads a little-endian `u16` at `at`.
pub fn read_u16(bytes: &[u8], at: usize, what: &'static str) -> Result<u16, LoadError> {
    read_array(bytes, at, what).map(u16::from_le_bytes)
}

/// Reads a little-endian `u32` at `at`.
pub fn read_u32(bytes: &[u8], at: usize, what: &'static str) -> Result<u32, LoadError> {
    read_array(bytes, at, what).map(u32::from_le_bytes)
}

/// Reads a little-endian `u64` at `at`.
pub fn read_u64(bytes: &[u8], at: usize, what: &'static str) -> Result<u64, LoadError> {
    read_array(bytes, at, what).map(u64::from_le_bytes)
}

/// Checks that `count` little-endian `u32`s fit at `offset` and returns a view of them.
pub fn array_of_u32<'a>(
    bytes: &'a [u8],
    offset: usize,
    count: usize,
    what: &'static str,
) -> Result<U32s<'a>, LoadError> {
    let len = mul(count, 4, what)?;
    let (words, _rest) = slice(bytes, offset, len, what)?.as_chunks::<4>();
    Ok(U32s { words })
}

/// Checks that `count` little-endian `u64`s fit at `offset` and returns a view of them.
pub fn array_of_u64<'a>(
    bytes: &'a [u8],
    offset: usize,
    count: usize,
    what: &'static str,
) -> Result<U64s<'a>, LoadError> {
    let len = mul(count, 8, what)?;
    let (words, _rest) = slice(bytes, offset, len, what)?.as_chunks::<8>();
    Ok(U64s { words })
}

/// A checked view of little-endian `u32`s inside a file (no copy, no alignment requirement).
#[derive(Clone, Copy, Debug)]
pub struct U32s<'a> {
    words: &'a [[u8; 4]],
}

impl<'a> U32s<'a> {
    /// How many `u32`s the view holds.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// True if the view holds none.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The `i`-th value, or `None` past the end.
    pub fn get(&self, i: usize) -> Option<u32> {
        self.words.get(i).map(|w| u32::from_le_bytes(*w))
    }

    /// The values in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = u32> + 'a {
        self.words.iter().map(|w| u32::from_le_bytes(*w))
    }
}

/// A checked view of little-endian `u64`s inside a file (no copy, no alignment requirement).
#[derive(Clone, Copy, Debug)]
pub struct U64s<'a> {
    words: &'a [[u8; 8]],
}

impl<'a> U64s<'a> {
    /// How many `u64`s the view holds.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// True if the view holds none.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The `i`-th value, or `None` past the end.
    pub fn get(&self, i: usize) -> Option<u64> {
        self.words.get(i).map(|w| u64::from_le_bytes(*w))
    }

    /// The values in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = u64> + 'a {
        self.words.iter().map(|w| u64::from_le_bytes(*w))
    }
}

/// `a + b`, or an overflow error naming `what`.
pub fn add(a: usize, b: usize, what: &'static str) -> Result<usize, LoadError> {
    a.checked_add(b).ok_or_else(|| LoadError::overflow(what))
}

/// `a * b`, or an overflow error naming `what`.
pub fn mul(a: usize, b: usize, what: &'static str) -> Result<usize, LoadError> {
    a.checked_mul(b).ok_or_else(|| LoadError::overflow(what))
}

/// `a + b` on 64-bit quantities read from a file, or an overflow error naming `what`.
pub fn add_u64(a: u64, b: u64, what: &'static str) -> Result<u64, LoadError> {
    a.checked_add(b).ok_or_else(|| LoadError::overflow(what))
}

/// Converts a 64-bit quantity read from a file to `usize`, or an overflow error naming `what`
/// (only possible on targets narrower than 64 bits).
pub fn to_usize(n: u64, what: &'static str) -> Result<usize, LoadError> {
    usize::try_from(n).map_err(|_| LoadError::overflow(what))
}

/// Checks that `offset` is a multiple of [`ALIGN`].
pub fn check_aligned(offset: u64, what: &'static str) -> Result<(), LoadError> {
    if offset.is_multiple_of(ALIGN_U64) {
        Ok(())
    } else {
        Err(LoadError::misaligned(what, offset, ALIGN_U64))
    }
}

/// How many zero bytes follow `len` bytes to reach the next multiple of [`ALIGN`] (0 to 7).
pub fn padding_len(len: usize) -> usize {
    (ALIGN - len % ALIGN) % ALIGN
}

/// The offset of the first non-zero byte of `bytes`, if any.
pub(crate) fn first_nonzero(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b != 0)
}

/// Appends `v` little-endian.
#[cfg(feature = "write")]
pub fn push_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Appends `v` little-endian.
#[cfg(feature = "write")]
pub fn push_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Appends `v` little-endian.
#[cfg(feature = "write")]
pub fn push_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Appends every value of `vs` little-endian (the layout [`array_of_u32`] reads).
#[cfg(feature = "write")]
pub fn push_u32s(out: &mut Vec<u8>, vs: &[u32]) {
    out.reserve(vs.len().saturating_mul(4));
    for &v in vs {
        push_u32(out, v);
    }
}

/// Appends every value of `vs` little-endian (the layout [`array_of_u64`] reads).
#[cfg(feature = "write")]
pub fn push_u64s(out: &mut Vec<u8>, vs: &[u64]) {
    out.reserve(vs.len().saturating_mul(8));
    for &v in vs {
        push_u64(out, v);
    }
}

/// Appends zero bytes until `out.len()` is a multiple of [`ALIGN`].
#[cfg(feature = "write")]
pub fn pad_to_alignment(out: &mut Vec<u8>) {
    let pad = padding_len(out.len());
    out.resize(out.len().saturating_add(pad), 0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_checked() {
        let bytes = [1u8, 0, 0, 0, 2, 0, 0, 0, 3];
        assert_eq!(read_u32(&bytes, 0, "x").unwrap(), 1);
        assert_eq!(read_u32(&bytes, 4, "x").unwrap(), 2);
        assert!(read_u32(&bytes, 6, "x").unwrap_err().is_out_of_bounds());
        assert!(
            read_u32(&bytes, usize::MAX, "x")
                .unwrap_err()
                .is_out_of_bounds()
        );
        assert!(read_u64(&bytes, 2, "x").unwrap_err().is_out_of_bounds());
        assert_eq!(read_u8(&bytes, 8, "x").unwrap(), 3);
        assert_eq!(read_u16(&bytes, 4, "x").unwrap(), 2);
        assert!(slice(&bytes, usize::MAX, 2, "x").is_err());
        assert!(slice(&bytes, 2, usize::MAX, "x").is_err());
        assert_eq!(slice(&bytes, 9, 0, "x").unwrap(), &[] as &[u8]);
    }

    #[test]
    fn arrays_name_the_quantity() {
        let bytes = [1u8, 0, 0, 0, 2, 0, 0, 0];
        let a = array_of_u32(&bytes, 0, 2, "ids").unwrap();
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(a.get(2), None);
        let err = array_of_u32(&bytes, 0, usize::MAX, "ids").unwrap_err();
        assert!(err.is_overflow());
        assert_eq!(err.what(), Some("ids"));
        assert!(
            array_of_u64(&bytes, 0, 2, "ids")
                .unwrap_err()
                .is_out_of_bounds()
        );
        assert_eq!(
            array_of_u64(&bytes, 0, 1, "ids").unwrap().get(0),
            Some(0x2_0000_0001)
        );
    }

    #[test]
    fn arithmetic_names_the_quantity() {
        let err = add(usize::MAX, 1, "string pool end").unwrap_err();
        assert!(err.is_overflow());
        assert!(err.to_string().contains("string pool end overflows"));
        assert!(mul(usize::MAX, 2, "n").is_err());
        assert!(add_u64(u64::MAX, 1, "n").is_err());
        assert!(check_aligned(12, "t").unwrap_err().is_misaligned());
        assert_eq!(padding_len(0), 0);
        assert_eq!(padding_len(1), 7);
        assert_eq!(padding_len(8), 0);
    }
}
