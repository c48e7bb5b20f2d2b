//! A string-keyed index that stores no strings: 64-bit hashes to positions in a table that
//! already holds the keys (principal ARNs, resource ARNs, action names).
//!
//! Why: a `HashMap<String, u32>` clones every key at load time and, on lookup, reads the key's
//! heap copy to confirm the hit, a cache miss of its own at large scales. Here a hit is confirmed
//! against the table's own string, which the caller is about to read anyway. Two keys whose hashes
//! collide are kept in a small ordinary map, so a lookup is exact for every key.

use rustc_hash::{FxBuildHasher, FxHashMap};
use std::hash::BuildHasher;

/// Keys (by hash) to positions; `get` confirms with the caller's table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StrIndex {
    by_hash: FxHashMap<u64, u32>,
    /// Keys whose hash another key shares: looked up by text.
    collided: FxHashMap<String, u32>,
}

fn hash(key: &str) -> u64 {
    FxBuildHasher.hash_one(key)
}

/// Splits `(key, hash, position)` entries into the positions of the hashes exactly one key has
/// and, in entry order, the entries of the keys whose hash another key shares (which the
/// caller keeps by text). A key listed again replaces its position in either part.
fn partition<K: PartialEq + Copy>(
    entries: impl IntoIterator<Item = (K, u64, u32)>,
) -> (FxHashMap<u64, u32>, Vec<(K, u32)>) {
    let mut first: FxHashMap<u64, (K, u32)> = FxHashMap::default();
    let mut clashing: FxHashMap<u64, ()> = FxHashMap::default();
    let mut rest = Vec::new();
    for (key, h, pos) in entries {
        if clashing.contains_key(&h) {
            rest.push((key, pos));
            continue;
        }
        match first.get(&h) {
            Some((other, _)) if *other != key => {
                rest.extend(first.remove(&h));
                rest.push((key, pos));
                clashing.insert(h, ());
            }
            _ => {
                first.insert(h, (key, pos));
            }
        }
    }
    let unique = first.into_iter().map(|(h, (_, p))| (h, p)).collect();
    (unique, rest)
}

impl StrIndex {
    /// Indexes `key -> position` pairs; for a key listed twice the last position wins (as
    /// repeated `HashMap::insert`s would).
    pub fn build<'k>(entries: impl IntoIterator<Item = (&'k str, u32)>) -> StrIndex {
        StrIndex::build_with(entries, hash)
    }

    fn build_with<'k>(
        entries: impl IntoIterator<Item = (&'k str, u32)>,
        hash: fn(&str) -> u64,
    ) -> StrIndex {
        let (by_hash, rest) = partition(entries.into_iter().map(|(k, p)| (k, hash(k), p)));
        // In entry order, so that a key listed again keeps its last position here too.
        let collided = rest.into_iter().map(|(k, p)| (k.to_string(), p)).collect();
        StrIndex { by_hash, collided }
    }

    /// The position of `key`, confirmed by `key_at` (the key stored at a position).
    pub fn get<'t>(&self, key: &str, key_at: impl Fn(u32) -> Option<&'t str>) -> Option<u32> {
        self.get_with(key, key_at, hash)
    }

    fn get_with<'t>(
        &self,
        key: &str,
        key_at: impl Fn(u32) -> Option<&'t str>,
        hash: fn(&str) -> u64,
    ) -> Option<u32> {
        self.get_by_with(key, |p| key_at(p) == Some(key), hash)
    }

    /// The position of `key`, confirmed by `is_key` (whether the key stored at a position is
    /// `key`): for tables that can confirm a key without materializing it as a `&str`.
    pub fn get_by(&self, key: &str, is_key: impl Fn(u32) -> bool) -> Option<u32> {
        self.get_by_with(key, is_key, hash)
    }

    fn get_by_with(
        &self,
        key: &str,
        is_key: impl Fn(u32) -> bool,
        hash: fn(&str) -> u64,
    ) -> Option<u32> {
        if !self.collided.is_empty()
            && let Some(p) = self.collided.get(key)
        {
            return Some(*p);
        }
        let p = *self.by_hash.get(&hash(key))?;
        is_key(p).then_some(p)
    }

    /// The number of indexed keys.
    pub fn len(&self) -> usize {
        self.by_hash.len() + self.collided.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `(account, name)` keys to positions, confirmed by the caller like [`StrIndex`]: user and
/// role names are unique per account, not across accounts, and a request that names a role
/// session or a user without its path is looked up so. Entries the caller cannot confirm (it
/// says which) and keys whose hashes collide are kept by text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameIndex {
    by_hash: FxHashMap<u64, u32>,
    /// Name -> `(account, position)` pairs, for the entries `by_hash` cannot hold.
    exact: FxHashMap<String, Vec<(u32, u32)>>,
}

fn name_hash(account: u32, name: &str) -> u64 {
    FxBuildHasher.hash_one((account, name))
}

impl NameIndex {
    /// Indexes `(account, name, position, confirmable)` entries; for a key listed twice the
    /// first position wins (the first record of that name in the account, as a scan finds).
    pub fn build<'k>(entries: impl IntoIterator<Item = (u32, &'k str, u32, bool)>) -> NameIndex {
        NameIndex::build_with(entries, name_hash)
    }

    fn build_with<'k>(
        entries: impl IntoIterator<Item = (u32, &'k str, u32, bool)>,
        hash: fn(u32, &str) -> u64,
    ) -> NameIndex {
        let mut exact: FxHashMap<String, Vec<(u32, u32)>> = FxHashMap::default();
        let mut keep_exact = |(a, n): (u32, &str), p| {
            exact.entry(n.to_string()).or_default().push((a, p));
        };
        // Each key once, in entry order: later repeats are dropped wherever the first went.
        let mut seen: FxHashMap<(u32, &str), ()> = FxHashMap::default();
        let mut confirmable = Vec::new();
        for (account, name, pos, can_confirm) in entries {
            let key = (account, name);
            if seen.insert(key, ()).is_some() {
                continue;
            }
            if can_confirm {
                confirmable.push((key, hash(account, name), pos));
            } else {
                keep_exact(key, pos);
            }
        }
        let (by_hash, rest) = partition(confirmable);
        for (key, pos) in rest {
            keep_exact(key, pos);
        }
        NameIndex { by_hash, exact }
    }

    /// The position of `name` in account `account`, confirmed by `is_key` (whether the entry
    /// at a position is that key).
    pub fn get_by(&self, account: u32, name: &str, is_key: impl Fn(u32) -> bool) -> Option<u32> {
        self.get_by_with(account, name, is_key, name_hash)
    }

    fn get_by_with(
        &self,
        account: u32,
        name: &str,
        is_key: impl Fn(u32) -> bool,
        hash: fn(u32, &str) -> u64,
    ) -> Option<u32> {
        if !self.exact.is_empty()
            && let Some(p) = self
                .exact
                .get(name)
                .and_then(|v| v.iter().find(|(a, _)| *a == account))
        {
            return Some(p.1);
        }
        let p = *self.by_hash.get(&hash(account, name))?;
        is_key(p).then_some(p)
    }
}

/// Account ids to positions: an id of 12 bytes (every real one) is kept as the integer its
/// bytes make, so a lookup hashes one integer and confirms nothing (the integer is the id);
/// any other id is kept by text.
///
/// Why: a request looks up its caller's and its resource's account; with `String` keys each
/// lookup hashed the text and then read the key's heap copy to confirm it, a cache miss at
/// large scales.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountIndex {
    numbers: FxHashMap<u128, u32>,
    others: FxHashMap<String, u32>,
}

/// The integer of a 12-byte id (its bytes, little-endian); `None` for any other length.
/// Distinct 12-byte ids have distinct integers.
fn account_number(id: &str) -> Option<u128> {
    let bytes: &[u8; 12] = id.as_bytes().try_into().ok()?;
    let mut wide = [0u8; 16];
    if let Some(head) = wide.get_mut(..12) {
        head.copy_from_slice(bytes);
    }
    Some(u128::from_le_bytes(wide))
}

impl AccountIndex {
    /// Files `id` under `pos`; false (and nothing changed) when `id` is already there.
    pub fn insert(&mut self, id: &str, pos: u32) -> bool {
        fn insert_new<K: std::hash::Hash + Eq>(
            map: &mut FxHashMap<K, u32>,
            k: K,
            pos: u32,
        ) -> bool {
            match map.entry(k) {
                std::collections::hash_map::Entry::Occupied(_) => false,
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(pos);
                    true
                }
            }
        }
        match account_number(id) {
            Some(n) => insert_new(&mut self.numbers, n, pos),
            None => insert_new(&mut self.others, id.to_string(), pos),
        }
    }

    /// The position of `id`.
    pub fn get(&self, id: &str) -> Option<u32> {
        match account_number(id) {
            Some(n) => self.numbers.get(&n).copied(),
            None => self.others.get(id).copied(),
        }
    }

    /// The number of ids.
    pub fn len(&self) -> usize {
        self.numbers.len() + self.others.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_found_exactly_by_number_or_text() {
        let ids = [
            "111122223333",
            "000000000001",
            "000000000010",
            "999999999999",
            "1",
            "00000000000a",
            "1111222233334",
            "",
            "１１１１２２２２３３３３",
        ];
        let mut ix = AccountIndex::default();
        for (i, id) in ids.iter().enumerate() {
            assert!(ix.insert(id, i as u32), "{id}");
        }
        assert!(!ix.insert("111122223333", 99));
        assert!(!ix.insert("1", 99));
        assert_eq!(ix.len(), ids.len());
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(ix.get(id), Some(i as u32), "{id}");
        }
        // Near misses: the same number in other text, other lengths, other digits.
        for id in [
            "000000000000",
            "01",
            "11112222333",
            "111122223334",
            " 11122223333",
            "+11122223333",
            "111122223333 ",
            "00000000000A",
            // ':' is the byte after '9': read as a digit, it would be "000000000010".
            "00000000000:",
            "1111222233330",
        ] {
            assert_eq!(ix.get(id), None, "{id}");
        }
    }

    #[test]
    fn finds_every_key_and_nothing_else() {
        let keys: Vec<String> = (0..5000)
            .map(|i| format!("arn:aws:iam::1:user/u{i}"))
            .collect();
        let ix = StrIndex::build(keys.iter().enumerate().map(|(i, k)| (k.as_str(), i as u32)));
        let at = |p: u32| keys.get(p as usize).map(String::as_str);
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(ix.get(k, at), Some(i as u32));
        }
        assert_eq!(ix.get("arn:aws:iam::1:user/nobody", at), None);
    }

    #[test]
    fn colliding_keys_stay_exact_and_repeats_keep_the_last() {
        // A hash with few values forces collisions on most keys.
        fn tiny(k: &str) -> u64 {
            (k.len() % 3) as u64
        }
        let keys = ["a", "b", "cc", "dd", "eee", "b", "f"];
        let ix = StrIndex::build_with(keys.iter().enumerate().map(|(i, k)| (*k, i as u32)), tiny);
        let at = |p: u32| keys.get(p as usize).copied();
        for k in ["a", "cc", "dd", "eee", "f"] {
            let want = keys.iter().rposition(|x| *x == k).map(|p| p as u32);
            assert_eq!(ix.get_with(k, at, tiny), want, "{k}");
        }
        assert_eq!(ix.get_with("b", at, tiny), Some(5));
        assert_eq!(ix.get_with("zz", at, tiny), None);
        assert_eq!(ix.get_with("", at, tiny), None);
    }

    /// Every `(account, name)` is found at its first position, whether its hash is shared,
    /// it cannot be confirmed, or its name repeats in other accounts; nothing else is found,
    /// and a hash-only match needs the caller's confirmation.
    #[test]
    fn names_are_found_per_account_and_confirmed() {
        fn tiny(account: u32, name: &str) -> u64 {
            u64::from(account % 2) + (name.len() % 2) as u64
        }
        let entries = [
            (0, "admin", 0, true),
            (1, "admin", 1, true),
            (2, "admin", 2, false),
            (0, "ops", 3, true),
            (0, "admin", 4, true),
            (3, "x", 5, true),
            (4, "yy", 6, true),
        ];
        let keyed = |p: u32| entries.iter().find(|e| e.2 == p).map(|e| (e.0, e.1));
        for hash in [tiny as fn(u32, &str) -> u64, name_hash] {
            let ix = NameIndex::build_with(entries.iter().copied(), hash);
            for (a, n, p, _) in entries {
                let want = if (a, n) == (0, "admin") { 0 } else { p };
                let got = ix.get_by_with(a, n, |q| keyed(q) == Some((a, n)), hash);
                assert_eq!(got, Some(want), "{a} {n}");
            }
            for (a, n) in [(1, "ops"), (5, "admin"), (0, "x"), (4, "y")] {
                assert_eq!(
                    ix.get_by_with(a, n, |q| keyed(q) == Some((a, n)), hash),
                    None
                );
            }
        }
        // With the tiny hash, (4, "yy") is alone under its hash: a key sharing that hash is
        // found only if the caller confirms it.
        let ix = NameIndex::build_with(entries.iter().copied(), tiny);
        assert_eq!(tiny(4, "yy"), tiny(6, "zz"));
        assert_eq!(ix.get_by_with(6, "zz", |_| true, tiny), Some(6));
        assert_eq!(
            ix.get_by_with(6, "zz", |q| keyed(q) == Some((6, "zz")), tiny),
            None
        );
    }

    /// `get_by` finds what `get` finds, and a key whose hash matches a stored key's is
    /// refused unless the caller confirms it.
    #[test]
    fn get_by_confirms_through_the_caller() {
        fn tiny(k: &str) -> u64 {
            (k.len() % 3) as u64
        }
        let keys = ["a", "cc", "eee", "b", "ffff"];
        let ix = StrIndex::build_with(keys.iter().enumerate().map(|(i, k)| (*k, i as u32)), tiny);
        let at = |p: u32| keys.get(p as usize).copied();
        for k in keys.iter().chain(&["zz", "g", "hhh", ""]) {
            let is = |p: u32| at(p) == Some(*k);
            assert_eq!(ix.get_by_with(k, is, tiny), ix.get_with(k, at, tiny), "{k}");
        }
        // "zz" hashes like "cc" (the only key of its length class): only the confirmation
        // tells them apart.
        assert_eq!(ix.get_by_with("zz", |_| true, tiny), Some(1));
        assert_eq!(ix.get_by_with("zz", |p| at(p) == Some("zz"), tiny), None);
    }
}
