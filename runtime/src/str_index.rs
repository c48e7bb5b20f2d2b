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
        let mut first: FxHashMap<u64, (&str, u32)> = FxHashMap::default();
        let mut clashing: FxHashMap<u64, ()> = FxHashMap::default();
        let mut collided: FxHashMap<String, u32> = FxHashMap::default();
        for (key, pos) in entries {
            let h = hash(key);
            if clashing.contains_key(&h) {
                collided.insert(key.to_string(), pos);
                continue;
            }
            match first.get(&h) {
                Some((other, _)) if *other != key => {
                    if let Some((other, at)) = first.remove(&h) {
                        collided.insert(other.to_string(), at);
                    }
                    collided.insert(key.to_string(), pos);
                    clashing.insert(h, ());
                }
                _ => {
                    first.insert(h, (key, pos));
                }
            }
        }
        StrIndex {
            by_hash: first.into_iter().map(|(h, (_, p))| (h, p)).collect(),
            collided,
        }
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
        if !self.collided.is_empty()
            && let Some(p) = self.collided.get(key)
        {
            return Some(*p);
        }
        let p = *self.by_hash.get(&hash(key))?;
        (key_at(p)? == key).then_some(p)
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
