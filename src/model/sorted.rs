//! [`SortedMap`]: the small maps of the wire types (a record's custom
//! fields, a user's queues), kept as one vector sorted by key.
//!
//! These maps hold a handful of entries and are read far more than they
//! change. A sorted vector iterates in key order like a B-tree (so the JSON
//! is the same) and shares the vector code the engine carries anyway; each
//! B-tree key and value type added about 6 KB of node code to the wasm
//! engine.

use crate::codec::{Decode, Encode, Errors, Json};
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use alloc::{borrow::Borrow, string::String, vec::Vec};
use core::fmt;
use core::marker::PhantomData;

/// A map kept as a vector of entries sorted by key, each key once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap { entries: Vec::new() }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Where `key` is, or where it would go.
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    /// The value of `key`.
    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|at| &self.entries[at].1)
    }

    /// The value of `key`, to change.
    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|at| &mut self.entries[at].1)
    }

    /// Whether `key` has a value.
    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Sets the value of `key`; returns the one it replaces.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(at) => Some(core::mem::replace(&mut self.entries[at].1, value)),
            Err(at) => {
                self.entries.insert(at, (key, value));
                None
            }
        }
    }

    /// Removes `key`; returns its value.
    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|at| self.entries.remove(at).1)
    }
}

impl<K, V> SortedMap<K, V> {
    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in key order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        self.into_iter()
    }

    /// The keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values in key order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }
}

/// Later entries replace earlier ones with the same key, as in a B-tree.
impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(entries: I) -> Self {
        let mut map = SortedMap::new();
        map.extend(entries);
        map
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for SortedMap<K, V> {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

/// Each later entry replaces an earlier one with the same key.
impl<K: Ord, V> Extend<(K, V)> for SortedMap<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, entries: I) {
        for (key, value) in entries {
            self.insert(key, value);
        }
    }
}

/// The entries of a [`SortedMap`] in key order, borrowed.
pub type Iter<'a, K, V> = core::iter::Map<core::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;

fn pair<K, V>(entry: &(K, V)) -> (&K, &V) {
    (&entry.0, &entry.1)
}

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(pair as fn(&'a (K, V)) -> (&'a K, &'a V))
    }
}

impl<K, V> IntoIterator for SortedMap<K, V> {
    type Item = (K, V);
    type IntoIter = alloc::vec::IntoIter<(K, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<K: Serialize, V: Serialize> Serialize for SortedMap<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (key, value) in &self.entries {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>> Deserialize<'de> for SortedMap<K, V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries<K, V>(PhantomData<(K, V)>);
        impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>> Visitor<'de> for Entries<K, V> {
            type Value = SortedMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut map = SortedMap::new();
                while let Some((key, value)) = access.next_entry()? {
                    map.insert(key, value);
                }
                Ok(map)
            }
        }
        deserializer.deserialize_map(Entries(PhantomData))
    }
}

impl<K: Encode, V: Encode> Encode for SortedMap<K, V> {
    fn encode(&self, out: &mut String) {
        crate::codec::write_entries(out, self.iter());
    }
}

impl<K: Decode + Ord, V: Decode> Decode for SortedMap<K, V> {
    fn decode(json: Json, errors: &mut Errors) -> Self {
        let mut map = SortedMap::new();
        crate::codec::entries(json, errors, |key, value| {
            map.insert(key, value);
        });
        map
    }

    fn placeholder() -> Self {
        SortedMap::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeMap;

    /// Any sequence of inserts and removes leaves the same entries, in the
    /// same order, as a B-tree given the same sequence.
    #[test]
    fn it_behaves_as_a_btree_map() {
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as u32
        };
        let (mut sorted, mut tree) = (SortedMap::new(), BTreeMap::new());
        for _ in 0..5_000 {
            let key = next() % 40;
            match next() % 3 {
                0 => assert_eq!(sorted.remove(&key), tree.remove(&key)),
                _ => {
                    let value = next();
                    assert_eq!(sorted.insert(key, value), tree.insert(key, value));
                }
            }
            assert_eq!(sorted.get(&key), tree.get(&key));
            assert_eq!(sorted.len(), tree.len());
        }
        assert!(sorted.iter().eq(tree.iter()));
        assert_eq!(serde_json::to_string(&sorted).unwrap(), serde_json::to_string(&tree).unwrap());
        assert_eq!(crate::codec::to_string(&sorted), crate::codec::to_string(&tree));
    }

    /// Duplicate keys in JSON keep the last value, as serde's B-tree does,
    /// through serde and through the browser's codec.
    #[test]
    fn a_repeated_key_keeps_its_last_value() {
        let text = r#"{"b":"1","a":"2","b":"3"}"#;
        let by_serde: SortedMap<String, String> = serde_json::from_str(text).unwrap();
        let by_codec: SortedMap<String, String> = crate::codec::from_str(text).unwrap();
        let tree: BTreeMap<String, String> = serde_json::from_str(text).unwrap();
        assert!(by_serde.iter().eq(tree.iter()));
        assert_eq!(by_codec, by_serde);
        assert_eq!(serde_json::to_string(&by_serde).unwrap(), r#"{"a":"2","b":"3"}"#);
    }
}
