//! A table of resources of one kind that remembers what changed.
//!
//! Every write goes through [`Table::get_mut`], [`Table::insert`] or [`Table::remove`], which keep
//! the row's value from before the current operation. An operation that fails is undone with
//! [`Table::rollback`]; one that succeeds hands its changed rows to the store
//! ([`Table::changes`]) and ends with [`Table::take_undo`], whose record can still undo it until
//! the store says it is durable ([`Table::restore`]). So an operation is all-or-nothing in memory
//! and on disk without any handler having to list what it touched.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::collections::btree_map;
use std::ops::Bound;

#[derive(Debug, Clone)]
pub struct Table<T> {
    rows: BTreeMap<String, T>,
    /// For each row touched in the current operation: its value before (None: it did not exist).
    undo: TableUndo<T>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table { rows: BTreeMap::new(), undo: BTreeMap::new() }
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
        self.rows.get_mut(id)
    }

    pub fn insert(&mut self, id: String, value: T) {
        self.remember(&id);
        self.rows.insert(id, value);
    }

    pub fn remove(&mut self, id: &str) -> Option<T> {
        if !self.rows.contains_key(id) {
            return None;
        }
        self.remember(id);
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
        for (id, before) in undo {
            match before {
                Some(v) => {
                    self.rows.insert(id, v);
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
        std::mem::take(&mut self.undo)
    }

    /// Puts a row back from storage (no change is recorded).
    pub fn load(&mut self, id: String, body: &str) -> Result<(), serde_json::Error> {
        self.rows.insert(id, serde_json::from_str(body)?);
        Ok(())
    }

    pub fn clear(&mut self) {
        self.rows.clear();
        self.undo.clear();
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
}
