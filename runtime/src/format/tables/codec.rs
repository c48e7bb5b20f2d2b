//! The words every table section is made of, read and written side by side.
//!
//! A table section is a stream of little-endian `u32` words read front to back by a
//! [`Reader`]: counts, ids, tags, flag words, string ids (indices into the string pool,
//! [`Strs`]). Byte strings (binary condition values) are padded to a multiple of 4 with zeros,
//! so every section's length is a multiple of 4.
//!
//! Every read is checked and names its quantity; every count is checked against the bytes
//! left in the section *before* anything is allocated for it (`Reader::count`), so a crafted
//! count is an error, never a giant allocation. Strings are cloned out of the pool against a
//! budget proportional to the file's size (`Strs::string`): a small file that names one long
//! string millions of times is refused instead of expanding to gigabytes.
//!
//! Entries that real organizations repeat by the hundred thousand are stored once and named by
//! position (action-id lists, resource lists and clause lists: the writer's `Lists`), or, for
//! Sids, materialized once per string id and shared ([`Strs::shared`]). Only what is
//! materialized is charged to the budget.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rustc_hash::FxHashMap;

use crate::format::error::LoadError;
use crate::format::section::SectionKind;
use crate::format::wire::{self, wide};

/// The "absent" value of an optional id or string id.
pub(super) const NONE: u32 = u32::MAX;

/// Bytes of one word.
pub(super) const WORD: usize = 4;

/// The string pool, read: every string checked as UTF-8 once, cloned out on demand.
///
/// Sections are decoded on two threads ([`super::decode`]): each takes its own [`Strs::fork`],
/// which shares the pool and the budget (an atomic) but keeps its own cache of shared text.
pub(super) struct Strs<'a> {
    strs: Arc<[&'a str]>,
    /// String bytes that may still be materialized (cloned or expanded into glob tokens), by
    /// every fork together.
    budget: Arc<AtomicU64>,
    /// The budget at the start, for messages.
    limit: u64,
    /// Strings already materialized as shared text ([`Strs::shared`]), by id.
    shared: RefCell<FxHashMap<u32, Arc<str>>>,
}

impl<'a> Strs<'a> {
    /// A pool of `strs` that lets decoding materialize at most `budget` bytes of text.
    pub(super) fn new(strs: Vec<&'a str>, budget: u64) -> Strs<'a> {
        Strs {
            strs: strs.into(),
            budget: Arc::new(AtomicU64::new(budget)),
            limit: budget,
            shared: RefCell::default(),
        }
    }

    /// The same pool and budget, for another thread.
    pub(super) fn fork(&self) -> Strs<'a> {
        Strs {
            strs: Arc::clone(&self.strs),
            budget: Arc::clone(&self.budget),
            limit: self.limit,
            shared: RefCell::default(),
        }
    }

    /// How many strings the pool holds.
    pub(super) fn len(&self) -> usize {
        self.strs.len()
    }

    /// String `id`, borrowed; charges its length to the budget (the caller materializes it).
    pub(super) fn get(&self, id: u32, what: &'static str) -> Result<&'a str, LoadError> {
        let s = usize::try_from(id)
            .ok()
            .and_then(|i| self.strs.get(i))
            .copied()
            .ok_or_else(|| LoadError::bad_string_id(what, u64::from(id), wide(self.strs.len())))?;
        let cost = wide(s.len());
        self.budget
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(cost)
            })
            .map_err(|_| LoadError::decoded_too_large(self.limit))?;
        Ok(s)
    }

    /// String `id`, owned.
    pub(super) fn string(&self, id: u32, what: &'static str) -> Result<String, LoadError> {
        self.get(id, what).map(str::to_string)
    }

    /// String `id` as shared text: materialized (and charged) once, then shared.
    pub(super) fn shared(&self, id: u32, what: &'static str) -> Result<Arc<str>, LoadError> {
        if let Some(s) = self.shared.borrow().get(&id) {
            return Ok(Arc::clone(s));
        }
        let s: Arc<str> = Arc::from(self.get(id, what)?);
        self.shared.borrow_mut().insert(id, Arc::clone(&s));
        Ok(s)
    }
}

/// Reads one table section front to back.
pub(super) struct Reader<'a, 's> {
    bytes: &'a [u8],
    at: usize,
    section: SectionKind,
    strs: &'s Strs<'a>,
}

impl<'a, 's> Reader<'a, 's> {
    /// A reader at the start of `bytes`, the section of `kind`.
    pub(super) fn new(bytes: &'a [u8], section: SectionKind, strs: &'s Strs<'a>) -> Self {
        Reader {
            bytes,
            at: 0,
            section,
            strs,
        }
    }

    /// Attaches this reader's section to `err`.
    pub(super) fn err(&self, err: LoadError) -> LoadError {
        err.in_section(self.section)
    }

    /// Bytes not read yet.
    pub(super) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.at)
    }

    /// The position in the section.
    pub(super) fn at(&self) -> usize {
        self.at
    }

    /// Moves to position `at` of the section (a later read past the end is an error).
    pub(super) fn seek(&mut self, at: usize) {
        self.at = at;
    }

    /// The next `n` bytes.
    pub(super) fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], LoadError> {
        let b = wire::slice(self.bytes, self.at, n, what).map_err(|e| self.err(e))?;
        self.at = self.at.saturating_add(n);
        Ok(b)
    }

    /// The next word.
    pub(super) fn u32(&mut self, what: &'static str) -> Result<u32, LoadError> {
        let v = wire::read_u32(self.bytes, self.at, what).map_err(|e| self.err(e))?;
        self.at = self.at.saturating_add(WORD);
        Ok(v)
    }

    /// The next word as a `usize`.
    pub(super) fn usize(&mut self, what: &'static str) -> Result<usize, LoadError> {
        let v = self.u32(what)?;
        wire::to_usize(u64::from(v), what).map_err(|e| self.err(e))
    }

    /// A count of entries that take at least `min_entry` bytes each: refused unless that many
    /// entries fit in the bytes left, so the caller may allocate for it.
    pub(super) fn count(
        &mut self,
        min_entry: usize,
        what: &'static str,
    ) -> Result<usize, LoadError> {
        let n = self.usize(what)?;
        self.check_count(n, min_entry, what)
    }

    /// Like [`Reader::count`], but [`NONE`] stands for "absent".
    pub(super) fn opt_count(
        &mut self,
        min_entry: usize,
        what: &'static str,
    ) -> Result<Option<usize>, LoadError> {
        match self.opt(what)? {
            None => Ok(None),
            Some(n) => {
                let n = wire::to_usize(u64::from(n), what).map_err(|e| self.err(e))?;
                self.check_count(n, min_entry, what).map(Some)
            }
        }
    }

    fn check_count(
        &self,
        n: usize,
        min_entry: usize,
        what: &'static str,
    ) -> Result<usize, LoadError> {
        let need = wire::mul(n, min_entry, what).map_err(|e| self.err(e))?;
        if need > self.remaining() {
            return Err(self.err(LoadError::count_too_large(
                what,
                wide(n),
                wide(min_entry),
                wide(self.remaining()),
            )));
        }
        Ok(n)
    }

    /// A word that must be 0 or 1.
    pub(super) fn bool(&mut self, what: &'static str) -> Result<bool, LoadError> {
        match self.u32(what)? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(self.err(LoadError::invalid_value(what, "0 or 1", u64::from(other)))),
        }
    }

    /// A tag word that must be below `n` (`expected` says which values are allowed).
    pub(super) fn tag(
        &mut self,
        n: u32,
        what: &'static str,
        expected: &'static str,
    ) -> Result<u32, LoadError> {
        let t = self.u32(what)?;
        if t < n {
            Ok(t)
        } else {
            Err(self.err(LoadError::invalid_value(what, expected, u64::from(t))))
        }
    }

    /// A flag word with no bits outside `known`.
    pub(super) fn flags(&mut self, known: u32, what: &'static str) -> Result<u32, LoadError> {
        let f = self.u32(what)?;
        if f & !known == 0 {
            Ok(f)
        } else {
            Err(self.err(LoadError::unknown_flags(what, f)))
        }
    }

    /// An optional word: `None` for [`NONE`].
    pub(super) fn opt(&mut self, what: &'static str) -> Result<Option<u32>, LoadError> {
        let v = self.u32(what)?;
        Ok((v != NONE).then_some(v))
    }

    /// A list of ids as a shared slice.
    pub(super) fn shared_ids(&mut self, what: &'static str) -> Result<Arc<[u32]>, LoadError> {
        self.ids(what).map(Arc::from)
    }

    /// A list of ids: a count, then that many words.
    pub(super) fn ids(&mut self, what: &'static str) -> Result<Vec<u32>, LoadError> {
        let n = self.count(WORD, what)?;
        let len = wire::mul(n, WORD, what).map_err(|e| self.err(e))?;
        let words = wire::array_of_u32(self.bytes, self.at, n, what).map_err(|e| self.err(e))?;
        self.at = self.at.saturating_add(len);
        Ok(words.iter().collect())
    }

    /// A string id, resolved and cloned out of the pool.
    pub(super) fn string(&mut self, what: &'static str) -> Result<String, LoadError> {
        let id = self.u32(what)?;
        self.strs.string(id, what).map_err(|e| self.err(e))
    }

    /// A string id, resolved and borrowed from the pool (its length is charged to the budget).
    pub(super) fn str(&mut self, what: &'static str) -> Result<&'a str, LoadError> {
        let id = self.u32(what)?;
        self.strs.get(id, what).map_err(|e| self.err(e))
    }

    /// An optional string id, as shared text ([`Strs::shared`]).
    /// A string id, resolved to text shared with every other use of the same id.
    pub(super) fn shared(&mut self, what: &'static str) -> Result<Arc<str>, LoadError> {
        let id = self.u32(what)?;
        self.strs.shared(id, what).map_err(|e| self.err(e))
    }

    /// An optional string id, resolved to shared text.
    pub(super) fn opt_shared(&mut self, what: &'static str) -> Result<Option<Arc<str>>, LoadError> {
        match self.opt(what)? {
            None => Ok(None),
            Some(id) => self
                .strs
                .shared(id, what)
                .map(Some)
                .map_err(|e| self.err(e)),
        }
    }

    /// Moves past a list of ids (a count, then that many words) without reading them.
    pub(super) fn skip_ids(&mut self, what: &'static str) -> Result<(), LoadError> {
        let n = self.count(WORD, what)?;
        let len = wire::mul(n, WORD, what).map_err(|e| self.err(e))?;
        self.bytes(len, what).map(|_| ())
    }

    /// An optional string id.
    pub(super) fn opt_string(&mut self, what: &'static str) -> Result<Option<String>, LoadError> {
        match self.opt(what)? {
            None => Ok(None),
            Some(id) => self
                .strs
                .string(id, what)
                .map(Some)
                .map_err(|e| self.err(e)),
        }
    }

    /// Bytes padded with zeros to a multiple of 4 (a length word comes first, read by the
    /// caller).
    pub(super) fn padded_bytes(
        &mut self,
        n: usize,
        what: &'static str,
    ) -> Result<&'a [u8], LoadError> {
        let b = self.bytes(n, what)?;
        let pad = (WORD - n % WORD) % WORD;
        let zeros = self.bytes(pad, what)?;
        if zeros.iter().any(|&z| z != 0) {
            return Err(self.err(LoadError::invalid_value(
                "padding after a byte string",
                "0",
                zeros.iter().map(|&z| u64::from(z)).max().unwrap_or(0),
            )));
        }
        Ok(b)
    }

    /// Ends the section: every byte must have been read.
    pub(super) fn finish(self) -> Result<(), LoadError> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(self.err(LoadError::trailing_bytes("the section", wide(n)))),
        }
    }
}

/// The string pool, written: each distinct string once, numbered in first-use order (so the
/// same tables always give the same ids; the map is only looked up, never iterated).
#[cfg(feature = "write")]
#[derive(Default)]
pub(super) struct Pool {
    ids: rustc_hash::FxHashMap<String, u32>,
    /// End offset of each string in `data`.
    pub(super) ends: Vec<u32>,
    /// The strings, back to back.
    pub(super) data: Vec<u8>,
}

#[cfg(feature = "write")]
impl Pool {
    /// The id of `s`, interning it on first use.
    pub(super) fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = len32(self.ends.len());
        self.data.extend_from_slice(s.as_bytes());
        self.ends.push(len32(self.data.len()));
        self.ids.insert(s.to_string(), id);
        id
    }
}

/// A length or index as a word. Tables beyond the format's 32-bit counts (over 4 Gi entries or
/// a 4 GiB string pool) cannot be written; the compiler refuses them first (its `TooLarge`
/// error), and were one to get here, the saturated count makes the file fail to load rather
/// than mean something else.
#[cfg(feature = "write")]
pub(super) fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(NONE)
}

/// Writes one table section.
#[cfg(feature = "write")]
pub(super) struct Writer<'p> {
    out: Vec<u8>,
    pool: &'p mut Pool,
}

#[cfg(feature = "write")]
impl<'p> Writer<'p> {
    /// An empty section that interns its strings in `pool`.
    pub(super) fn new(pool: &'p mut Pool) -> Self {
        Writer {
            out: Vec::new(),
            pool,
        }
    }

    /// The section's bytes.
    pub(super) fn finish(self) -> Vec<u8> {
        self.out
    }

    /// A word.
    pub(super) fn u32(&mut self, v: u32) {
        wire::push_u32(&mut self.out, v);
    }

    /// A count or index.
    pub(super) fn len(&mut self, n: usize) {
        self.u32(len32(n));
    }

    /// 0 or 1.
    pub(super) fn bool(&mut self, b: bool) {
        self.u32(u32::from(b));
    }

    /// An optional word ([`NONE`] when absent).
    pub(super) fn opt(&mut self, v: Option<u32>) {
        self.u32(v.unwrap_or(NONE));
    }

    /// A list of ids: count, then the ids.
    pub(super) fn ids(&mut self, ids: &[u32]) {
        self.len(ids.len());
        wire::push_u32s(&mut self.out, ids);
    }

    /// A string id.
    pub(super) fn str(&mut self, s: &str) {
        let id = self.pool.intern(s);
        self.u32(id);
    }

    /// An optional string id.
    pub(super) fn opt_str(&mut self, s: Option<&str>) {
        let id = s.map(|s| self.pool.intern(s));
        self.opt(id);
    }

    /// Bytes, zero-padded to a multiple of 4 (the caller writes the length first).
    pub(super) fn padded_bytes(&mut self, b: &[u8]) {
        self.out.extend_from_slice(b);
        let pad = (WORD - b.len() % WORD) % WORD;
        self.out.resize(self.out.len().saturating_add(pad), 0);
    }
}
