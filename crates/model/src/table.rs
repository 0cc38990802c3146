//! A table of resources of one kind that remembers what changed.
//!
//! Every write goes through [`Table::get_mut`], [`Table::insert`] or [`Table::remove`], which keep
//! the row's value from before the current operation. An operation that fails is undone with
//! [`Table::rollback`]; one that succeeds hands its changed rows to the store
//! ([`Table::changes`]) and ends with [`Table::take_undo`], whose record can still undo it until
//! the store says it is durable ([`Table::restore`]). So an operation is all-or-nothing in memory
//! and on disk without any handler having to list what it touched.
//!
//! A table may also keep a secondary index ([`Table::index_by`]): each row names some keys (its
//! VPC, its subnet, its scope, …) and the table finds or counts the rows of a key in O(log n)
//! ([`Table::keyed`], [`Table::count_keyed`]), so operations need no scan of the whole table.
//! The index is derived, never stored: it follows every write, undo and load.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::btree_map;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

/// Names the index keys of a row (see [`Table::index_by`]).
pub type KeysOf<T> = fn(&T, &mut Vec<String>);

#[derive(Debug, Clone)]
pub struct Table<T> {
    rows: BTreeMap<String, T>,
    /// For each row touched in the current operation: its value before (None: it did not exist).
    undo: TableUndo<T>,
    index: Option<Index<T>>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table { rows: BTreeMap::new(), undo: BTreeMap::new(), index: None }
    }
}

/// The ids of the rows of each key. A row handed out by [`Table::get_mut`] may change its keys,
/// so it leaves the index until the table's next write ("stale"); lookups meanwhile ask it
/// directly.
#[derive(Clone)]
struct Index<T> {
    keys_of: KeysOf<T>,
    ids: BTreeMap<String, BTreeSet<String>>,
    stale: Option<String>,
}

impl<T> std::fmt::Debug for Index<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index").field("keys", &self.ids.len()).field("stale", &self.stale).finish()
    }
}

impl<T> Index<T> {
    fn keys(&self, row: &T) -> Vec<String> {
        let mut keys = Vec::new();
        (self.keys_of)(row, &mut keys);
        keys
    }

    fn add(&mut self, id: &str, row: &T) {
        for key in self.keys(row) {
            self.ids.entry(key).or_default().insert(id.to_owned());
        }
    }

    fn drop_row(&mut self, id: &str, row: &T) {
        for key in self.keys(row) {
            if let Some(set) = self.ids.get_mut(&key) {
                set.remove(id);
                if set.is_empty() {
                    self.ids.remove(&key);
                }
            }
        }
    }
}

/// The rows one operation changed, as they were before it (`None`: the row did not exist).
pub type TableUndo<T> = BTreeMap<String, Option<T>>;

/// One changed row: its new serialized value, or `None` when it was deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowChange {
    pub kind: &'static str,
    pub id: String,
    pub body: Option<String>,
}

impl<T: Clone + Serialize + DeserializeOwned> Table<T> {
    pub fn get(&self, id: &str) -> Option<&T> {
        self.rows.get(id)
    }

    /// Keeps an index of the keys `keys_of` names for each row (built now from the rows
    /// present, then kept in step with every change).
    pub fn index_by(&mut self, keys_of: KeysOf<T>) {
        let mut index = Index { keys_of, ids: BTreeMap::new(), stale: None };
        for (id, row) in &self.rows {
            index.add(id, row);
        }
        self.index = Some(index);
    }

    /// Whether the table keeps an index ([`Table::index_by`]).
    pub fn is_indexed(&self) -> bool {
        self.index.is_some()
    }

    /// Whether the index holds exactly the keys the rows name now (it is derived: for tests).
    pub fn index_matches_rows(&self) -> bool {
        let Some(index) = &self.index else { return true };
        let mut settled = index.clone();
        if let Some(id) = settled.stale.take()
            && let Some(row) = self.rows.get(&id)
        {
            settled.add(&id, row);
        }
        let mut fresh = Index { keys_of: index.keys_of, ids: BTreeMap::new(), stale: None };
        for (id, row) in &self.rows {
            fresh.add(id, row);
        }
        settled.ids == fresh.ids
    }

    /// Puts the row handed out for writing back into the index.
    fn settle(&mut self) {
        if let Some(index) = &mut self.index
            && let Some(id) = index.stale.take()
            && let Some(row) = self.rows.get(&id)
        {
            index.add(&id, row);
        }
    }

    fn unindex(&mut self, id: &str) {
        if let (Some(index), Some(row)) = (&mut self.index, self.rows.get(id)) {
            index.drop_row(id, row);
        }
    }

    fn reindex(&mut self, id: &str) {
        if let (Some(index), Some(row)) = (&mut self.index, self.rows.get(id)) {
            index.add(id, row);
        }
    }

    /// The stale row, when it has `key`.
    fn stale_with(&self, key: &str) -> Option<&String> {
        let index = self.index.as_ref()?;
        let id = index.stale.as_ref()?;
        let row = self.rows.get(id)?;
        index.keys(row).iter().any(|k| k == key).then_some(id)
    }

    /// The ids of the rows that have `key`, in id order. Panics in debug builds on a table
    /// without an index; in release it scans nothing and finds nothing.
    pub fn keyed<'a>(&'a self, key: &str) -> impl Iterator<Item = &'a String> + use<'a, T> {
        debug_assert!(self.index.is_some(), "keyed lookup on a table without an index");
        let indexed = self.index.as_ref().and_then(|i| i.ids.get(key)).into_iter().flatten();
        let stale = self.stale_with(key);
        let mut merged: Vec<&'a String> = indexed.chain(stale).collect();
        if stale.is_some() {
            merged.sort();
        }
        merged.into_iter()
    }

    /// The rows that have `key`, in id order.
    pub fn rows_keyed<'a>(&'a self, key: &str) -> impl Iterator<Item = &'a T> + use<'a, T> {
        self.keyed(key).filter_map(|id| self.rows.get(id))
    }

    /// How many rows have `key`, in O(log n).
    pub fn count_keyed(&self, key: &str) -> usize {
        let indexed = self.index.as_ref().and_then(|i| i.ids.get(key)).map_or(0, BTreeSet::len);
        indexed + usize::from(self.stale_with(key).is_some())
    }

    /// The greatest key in `from..=to` that some row has, with the rows that have it.
    pub fn last_key_in(&self, from: &str, to: &str) -> Option<(String, Vec<&String>)> {
        let index = self.index.as_ref()?;
        let range = (Bound::Included(from.to_owned()), Bound::Included(to.to_owned()));
        let mut best: Option<String> =
            index.ids.range::<String, _>(range).next_back().map(|(k, _)| k.clone());
        if let Some(id) = &index.stale
            && let Some(row) = self.rows.get(id)
        {
            for k in index.keys(row) {
                if k.as_str() >= from && k.as_str() <= to && best.as_ref().is_none_or(|b| &k > b) {
                    best = Some(k);
                }
            }
        }
        let best = best?;
        let ids = self.keyed(&best).collect();
        Some((best, ids))
    }

    pub fn contains(&self, id: &str) -> bool {
        self.rows.contains_key(id)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn remember(&mut self, id: &str) {
        self.settle();
        if !self.undo.contains_key(id) {
            self.undo.insert(id.to_owned(), self.rows.get(id).cloned());
        }
    }

    /// A row for writing; the change is recorded.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        if !self.rows.contains_key(id) {
            return None;
        }
        self.remember(id);
        self.unindex(id);
        if let Some(index) = &mut self.index {
            index.stale = Some(id.to_owned());
        }
        self.rows.get_mut(id)
    }

    pub fn insert(&mut self, id: String, value: T) {
        self.remember(&id);
        self.unindex(&id);
        self.rows.insert(id.clone(), value);
        self.reindex(&id);
    }

    pub fn remove(&mut self, id: &str) -> Option<T> {
        if !self.rows.contains_key(id) {
            return None;
        }
        self.remember(id);
        self.unindex(id);
        self.rows.remove(id)
    }

    pub fn iter(&self) -> btree_map::Iter<'_, String, T> {
        self.rows.iter()
    }

    pub fn values(&self) -> btree_map::Values<'_, String, T> {
        self.rows.values()
    }

    pub fn ids(&self) -> btree_map::Keys<'_, String, T> {
        self.rows.keys()
    }

    /// Rows whose id sorts after `after` (for pagination tokens).
    pub fn after<'a>(
        &'a self,
        after: Option<&str>,
    ) -> impl Iterator<Item = (&'a String, &'a T)> + 'a {
        let lower = match after {
            Some(a) => Bound::Excluded(a.to_owned()),
            None => Bound::Unbounded,
        };
        self.rows.range::<String, _>((lower, Bound::Unbounded))
    }

    /// Rows whose id sorts at or after `from`, in order (the borrow of `from` ends here).
    pub fn from_id<'a>(
        &'a self,
        from: &str,
    ) -> impl Iterator<Item = (&'a String, &'a T)> + use<'a, T> {
        self.rows.range::<String, _>((Bound::Included(from.to_owned()), Bound::Unbounded))
    }

    /// Rows whose id starts with `prefix`, in order.
    pub fn with_prefix<'a>(
        &'a self,
        prefix: &str,
    ) -> impl Iterator<Item = (&'a String, &'a T)> + use<'a, T> {
        let owned = prefix.to_owned();
        self.from_id(prefix).take_while(move |(k, _)| k.starts_with(&owned))
    }

    /// Ids of rows for which `f` holds, for the write paths that must change several rows.
    pub fn ids_where(&self, mut f: impl FnMut(&T) -> bool) -> Vec<String> {
        self.rows.iter().filter(|(_, v)| f(v)).map(|(k, _)| k.clone()).collect()
    }

    /// Applies `f` to each row for which `pred` holds.
    pub fn update_where(&mut self, pred: impl Fn(&T) -> bool, mut f: impl FnMut(&mut T)) {
        for id in self.ids_where(pred) {
            if let Some(row) = self.get_mut(&id) {
                f(row);
            }
        }
    }

    /// Undoes every change of the current operation.
    pub fn rollback(&mut self) {
        let undo = std::mem::take(&mut self.undo);
        self.restore(undo);
    }

    /// Puts back the rows as an operation's undo record has them (see [`Table::take_undo`]).
    pub fn restore(&mut self, undo: TableUndo<T>) {
        self.settle();
        for (id, before) in undo {
            self.unindex(&id);
            match before {
                Some(v) => {
                    self.rows.insert(id.clone(), v);
                    self.reindex(&id);
                }
                None => {
                    self.rows.remove(&id);
                }
            }
        }
    }

    /// The rows the current operation changed, serialized, in id order (the operation goes
    /// on until [`Table::take_undo`]).
    pub fn changes(
        &self,
        kind: &'static str,
        out: &mut Vec<RowChange>,
    ) -> Result<(), serde_json::Error> {
        for id in self.undo.keys() {
            let body = match self.rows.get(id) {
                Some(v) => Some(serde_json::to_string(v)?),
                None => None,
            };
            out.push(RowChange { kind, id: id.clone(), body });
        }
        Ok(())
    }

    /// Ends the current operation, keeping its changes; returns the rows as they were before
    /// it, so that it can still be undone later with [`Table::restore`].
    pub fn take_undo(&mut self) -> TableUndo<T> {
        self.settle();
        std::mem::take(&mut self.undo)
    }

    /// Puts a row back from storage (no change is recorded).
    pub fn load(&mut self, id: String, body: &str) -> Result<(), serde_json::Error> {
        let row = serde_json::from_str(body)?;
        self.settle();
        self.unindex(&id);
        self.rows.insert(id.clone(), row);
        self.reindex(&id);
        Ok(())
    }

    pub fn clear(&mut self) {
        self.rows.clear();
        self.undo.clear();
        if let Some(index) = &mut self.index {
            index.ids.clear();
            index.stale = None;
        }
    }

    /// The ids the current operation has changed so far.
    pub fn changed_ids(&self) -> impl Iterator<Item = &String> {
        self.undo.keys()
    }

    /// A row for writing a field that is derived from other rows and never stored: the change
    /// is not recorded, and the row's index keys must not depend on what is written.
    pub(crate) fn derived_mut(&mut self, id: &str) -> Option<&mut T> {
        self.rows.get_mut(id)
    }

    pub fn has_changes(&self) -> bool {
        !self.undo.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rollback_restores_and_changes_are_reported_once() {
        let mut t: Table<u32> = Table::default();
        t.insert("a".into(), 1);
        t.insert("b".into(), 2);
        let mut out = vec![];
        t.changes("n", &mut out).unwrap();
        assert_eq!(out.len(), 2);
        let first = t.take_undo();

        *t.get_mut("a").unwrap() = 10;
        t.remove("b");
        t.insert("c".into(), 3);
        *t.get_mut("a").unwrap() = 11;
        t.rollback();
        assert_eq!(t.get("a"), Some(&1));
        assert_eq!(t.get("b"), Some(&2));
        assert_eq!(t.get("c"), None);

        t.remove("a");
        let mut out = vec![];
        t.changes("n", &mut out).unwrap();
        assert_eq!(out, vec![RowChange { kind: "n", id: "a".into(), body: None }]);
        let second = t.take_undo();
        assert!(!t.has_changes());

        // Undone later, newest first: as before either operation.
        t.restore(second);
        assert_eq!(t.get("a"), Some(&1));
        t.restore(first);
        assert!(t.is_empty());
    }

    #[test]
    fn pages_after_an_id() {
        let mut t: Table<u32> = Table::default();
        for id in ["a", "b", "c"] {
            t.insert(id.into(), 0);
        }
        let ids: Vec<&String> = t.after(Some("a")).map(|(k, _)| k).collect();
        assert_eq!(ids, ["b", "c"]);
    }

    fn parity(n: &u32, out: &mut Vec<String>) {
        out.push(if n.is_multiple_of(2) { "even" } else { "odd" }.into());
        out.push(format!("n{n}"));
    }

    #[test]
    fn the_index_follows_writes_undos_and_loads() {
        let mut t: Table<u32> = Table::default();
        t.insert("a".into(), 1);
        t.index_by(parity);
        t.insert("b".into(), 2);
        t.insert("c".into(), 4);
        assert_eq!(t.count_keyed("even"), 2);
        assert_eq!(t.keyed("odd").collect::<Vec<_>>(), ["a"]);
        let first = t.take_undo();

        // A row out for writing is found by its new keys at once.
        *t.get_mut("b").unwrap() = 3;
        assert_eq!(t.keyed("odd").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!((t.count_keyed("even"), t.count_keyed("n3"), t.count_keyed("n2")), (1, 1, 0));
        assert_eq!(
            t.last_key_in("n0", "n9").map(|(k, ids)| (k, ids.len())),
            Some(("n4".into(), 1))
        );
        t.remove("c");
        assert_eq!(t.count_keyed("even"), 0);
        t.rollback();
        assert_eq!(t.keyed("even").collect::<Vec<_>>(), ["b", "c"]);
        assert_eq!(t.count_keyed("odd"), 1);

        t.restore(first);
        assert!(t.is_empty());
        assert_eq!((t.count_keyed("even"), t.count_keyed("odd")), (0, 0));
        t.load("d".into(), "6").unwrap();
        t.load("a".into(), "8").unwrap();
        assert_eq!(t.keyed("even").collect::<Vec<_>>(), ["a", "d"]);
        assert_eq!(t.count_keyed("odd"), 0);
        t.clear();
        assert_eq!(t.count_keyed("even"), 0);
    }
}
