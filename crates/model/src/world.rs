//! The whole network: every resource of every account and region, in tables.

use crate::error::{Error, Result};
pub use crate::quotas::{DEFAULT_LISTENER_PORTS, Quotas};
use crate::references::{DanglingReference, Reference, References};
pub use crate::scope::{Scope, ScopeState};
use crate::table::{RowChange, Table};
use serde::Serialize;

macro_rules! tables {
    (@kind $kind:literal $marker:ident) => { $kind };
    (tables { $($field:ident: $ty:ty => $kind:literal $([$not_network:ident])?;)* } $($rest:tt)*) => {
        /// Every resource, in one table per kind.
        #[derive(Debug, Clone)]
        pub struct World {
            $(pub $field: Table<$ty>,)*
            /// Service quotas in force (not stored: they come from the command line).
            pub quotas: Quotas,
            /// Counts committed changes to the network (every kind but the records of
            /// [`World::NOT_NETWORK`]) and clears, so readers can cache what they derive from
            /// the network until it changes. Not stored.
            pub version: u64,
            /// Per kind, how many committed operations changed its rows (and clears): see
            /// [`World::stamp`]. Not stored.
            pub changes_by_kind: std::collections::BTreeMap<&'static str, u64>,
        }

        impl Default for World {
            fn default() -> Self {
                let mut world = World {
                    $($field: Table::default(),)*
                    quotas: Quotas::default(),
                    version: 0,
                    changes_by_kind: Default::default(),
                };
                world.index_tables();
                world
            }
        }

        impl World {
            /// The kinds of rows the store holds, one per table.
            pub const KINDS: &'static [&'static str] = &[$($kind),*];

            /// Kinds that record things about the network without being part of it (marked
            /// `[not_network]` below): analyses, flow logs, Route 53's DNS data and Resolver's
            /// rules do not change what a packet meets (a Resolver endpoint's interfaces are
            /// rows of their own, which do).
            pub const NOT_NETWORK: &'static [&'static str] =
                &[$($(tables!(@kind $kind $not_network),)?)*];

            /// Undoes everything the current operation changed.
            pub fn rollback(&mut self) {
                let resync = self.acl_lists_before_undo(
                    self.subnets.changed_ids(),
                    self.network_acls.changed_ids(),
                );
                $(self.$field.rollback();)*
                self.resync_acl_lists(resync);
            }

            /// The rows the current operation changed, ready for the store, and the record
            /// that undoes them; ends the operation. On error nothing is taken: the operation
            /// can still be rolled back.
            pub fn take_changes(&mut self) -> Result<Changes> {
                let mut rows = Vec::new();
                $(self.$field.changes($kind, &mut rows)
                    .map_err(|e| Error::internal(format!("serializing {}: {e}", $kind)))?;)*
                Ok(Changes { rows, undo: self.take_undo() })
            }

            /// Ends the current operation, keeping its changes without serializing them (for
            /// state that is not stored); returns the record that undoes it.
            pub fn take_undo(&mut self) -> Undo {
                let undo = Undo { $($field: self.$field.take_undo(),)* };
                if undo.touches_network() {
                    self.version += 1;
                }
                for kind in undo.kinds() {
                    *self.changes_by_kind.entry(kind).or_default() += 1;
                }
                undo
            }

            /// Undoes an operation that has ended, from its record. Operations ended after it
            /// must be undone first (newest first).
            pub fn undo(&mut self, undo: Undo) {
                for kind in undo.kinds() {
                    *self.changes_by_kind.entry(kind).or_default() += 1;
                }
                let resync =
                    self.acl_lists_before_undo(undo.subnets.keys(), undo.network_acls.keys());
                $(self.$field.restore(undo.$field);)*
                self.resync_acl_lists(resync);
                // What was derived from the undone state must not be taken for this one.
                self.version += 1;
            }

            /// Whether the current operation changed anything.
            pub fn has_changes(&self) -> bool {
                false $(|| self.$field.has_changes())*
            }

            /// Puts back one stored row.
            pub fn load_row(&mut self, kind: &str, id: String, body: &str) -> Result<()> {
                let loaded = match kind {
                    $($kind => self.$field.load(id, body),)*
                    other => return Err(Error::internal(format!("unknown stored kind {other}"))),
                };
                loaded.map_err(|e| Error::internal(format!("stored {kind} row is unreadable: {e}")))
            }

            /// Forgets everything (the store is cleared separately).
            pub fn clear(&mut self) {
                $(self.$field.clear();)*
                self.version += 1;
                self.changes_by_kind = self.every_kind_changed();
            }

            /// Whether the table of `kind` holds a row `id`.
            pub fn contains_row(&self, kind: &str, id: &str) -> bool {
                match kind {
                    $($kind => self.$field.contains(id),)*
                    _ => false,
                }
            }

            /// Every reference from a row to a row that does not exist (see
            /// [`crate::references`]), in kind and id order.
            pub fn dangling_references(&self) -> Vec<DanglingReference> {
                let mut out = Vec::new();
                $(self.dangling_in($kind, &self.$field, &mut out);)*
                out
            }
        }

        /// What one ended operation changed, as the rows were before it: enough to undo it
        /// ([`World::undo`]) until the store says it is durable.
        #[derive(Debug, Default)]
        pub struct Undo {
            $($field: crate::table::TableUndo<$ty>,)*
        }

        impl Undo {
            /// Whether the operation changed the network (anything but
            /// [`World::NOT_NETWORK`]'s kinds).
            pub fn touches_network(&self) -> bool {
                false $(|| (!self.$field.is_empty() && !World::NOT_NETWORK.contains(&$kind)))*
            }

            /// The kinds of rows the operation changed.
            pub fn kinds(&self) -> impl Iterator<Item = &'static str> + use<> {
                let mut kinds = Vec::new();
                $(if !self.$field.is_empty() { kinds.push($kind); })*
                kinds.into_iter()
            }
        }
    };
}

crate::kinds::with_every_resource!(tables);

impl World {
    /// The references of `table`'s rows (of `kind`) that lead to no row.
    fn dangling_in<'a, T: References + Clone + Serialize + serde::de::DeserializeOwned>(
        &self,
        kind: &'static str,
        table: &'a Table<T>,
        out: &mut Vec<DanglingReference>,
    ) {
        let mut refs: Vec<Reference<'a>> = Vec::new();
        for (id, row) in table.iter() {
            refs.clear();
            row.references(&mut |to| refs.push(to));
            for to in refs.iter().filter(|to| !self.contains_row(to.kind, to.id)) {
                out.push(DanglingReference {
                    kind,
                    id: id.clone(),
                    field: to.field,
                    to_kind: to.kind,
                    to_id: to.id.to_owned(),
                });
            }
        }
    }
}

/// The end of one operation: the rows for the store and the record that undoes them.
#[derive(Debug)]
pub struct Changes {
    pub rows: Vec<RowChange>,
    pub undo: Undo,
}

impl World {
    /// Empties the world, keeping its quotas, and returns what it held (a reset that can be
    /// undone with [`World::restore`] until the store has cleared its rows too).
    pub fn take_all(&mut self) -> World {
        let empty = World {
            quotas: self.quotas.clone(),
            version: self.version + 1,
            changes_by_kind: self.every_kind_changed(),
            ..World::default()
        };
        std::mem::replace(self, empty)
    }

    /// Puts back a world [`World::take_all`] took.
    pub fn restore(&mut self, before: World) {
        let version = self.version + 1;
        let changes_by_kind = self.every_kind_changed();
        *self = before;
        self.version = version;
        self.changes_by_kind = changes_by_kind;
    }

    /// The change counters after a change of every kind: stamps only ever move forward, so a
    /// plane never takes one state for another.
    fn every_kind_changed(&self) -> std::collections::BTreeMap<&'static str, u64> {
        let mut counters = self.changes_by_kind.clone();
        for kind in Self::KINDS {
            *counters.entry(kind).or_default() += 1;
        }
        counters
    }

    /// A number that changes whenever a committed operation (or a clear) changes rows of one of
    /// `kinds`, and only then: a reader that derives something from those kinds alone (a data
    /// plane's configuration) can skip the work while the stamp stays the same.
    pub fn stamp(&self, kinds: &[&str]) -> u64 {
        // A sum of counters that only grow changes exactly when one of them does.
        kinds.iter().filter_map(|k| self.changes_by_kind.get(k)).fold(0, |a, n| a.wrapping_add(*n))
    }

    /// Takes the next value of a named counter (starting at 0), durably.
    pub fn next_counter(&mut self, name: &str) -> u64 {
        let current = self.counters.get(name).copied().unwrap_or(0);
        self.counters.insert(name.to_owned(), current + 1);
        current
    }

    /// A fresh id of the given prefix that no table holds yet.
    pub fn fresh_id(&self, prefix: &str) -> String {
        loop {
            let id = crate::ids::new_id(prefix);
            if self.tags_of(&id).is_none() && !self.counters.contains(&id) {
                return id;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testkit::{world_with_subnet, world_with_vpc};
    use crate::{Scope, World};

    #[test]
    fn an_account_counts_once_whatever_its_regions() {
        let mut w = World::default();
        assert_eq!(w.account_count(), 0);
        for (account, region) in [
            ("111111111111", "us-east-1"),
            ("111111111111", "eu-west-1"),
            ("222222222222", "us-east-1"),
        ] {
            w.ensure_scope(&Scope::new(account, region)).unwrap();
        }
        assert_eq!(w.account_count(), 2);
        assert!(w.has_account("111111111111") && w.has_account("222222222222"));
        assert!(!w.has_account("11111111111"), "a prefix of an account is not the account");
        assert!(!w.has_account("333333333333"));
    }

    #[test]
    fn the_version_counts_network_changes_only() {
        let (mut w, scope, _) = world_with_vpc();
        w.take_changes().unwrap();
        let before = w.version;
        w.next_counter("something");
        w.take_changes().unwrap();
        assert_eq!(w.version, before, "a counter is not the network");
        w.create_internet_gateway(&scope, &[]).unwrap();
        w.take_changes().unwrap();
        assert_eq!(w.version, before + 1);
        w.clear();
        assert_eq!(w.version, before + 2);
    }

    #[test]
    fn a_stamp_moves_only_when_its_kinds_change() {
        let (mut w, scope, _) = world_with_vpc();
        w.take_changes().unwrap();
        let (vpcs, gateways) = (w.stamp(&["vpc"]), w.stamp(&["internet_gateway", "listener"]));
        w.create_internet_gateway(&scope, &[]).unwrap();
        w.take_changes().unwrap();
        assert_eq!(w.stamp(&["vpc"]), vpcs, "no VPC row changed");
        assert_ne!(w.stamp(&["internet_gateway", "listener"]), gateways);
        let gateways = w.stamp(&["internet_gateway", "listener"]);
        w.clear();
        assert_ne!(w.stamp(&["vpc"]), vpcs, "a clear changes every kind");
        assert_ne!(w.stamp(&["internet_gateway", "listener"]), gateways);
    }

    #[test]
    fn ended_operations_are_undone_newest_first() {
        let (mut w, scope, vpc) = world_with_vpc();
        w.take_changes().unwrap();
        let before = w.subnets.len();
        let subnet = w.create_subnet(&scope, &vpc, "10.0.1.0/24", None, None, &[]).unwrap();
        let first = w.take_changes().unwrap().undo;
        w.create_tags(&scope, std::slice::from_ref(&subnet), &[("k".into(), "v".into())]).unwrap();
        let second = w.take_undo();
        let (version, subnets) = (w.version, w.stamp(&["subnet"]));
        w.undo(second);
        assert_ne!(w.stamp(&["subnet"]), subnets, "an undo is a change the planes must see");
        assert!(w.subnets.get(&subnet).unwrap().tags.is_empty());
        w.undo(first);
        assert_eq!(w.subnets.len(), before);
        assert!(w.version > version, "what was derived from the undone state is stale");
    }

    #[test]
    fn a_reset_is_undone_whole() {
        let (mut w, _, vpc) = world_with_vpc();
        let quotas = w.quotas.clone();
        let stamp = w.stamp(&["vpc"]);
        let before = w.take_all();
        assert!(w.vpcs.is_empty() && w.quotas == quotas);
        let emptied = w.stamp(&["vpc"]);
        assert!(emptied > stamp, "stamps only move forward");
        w.restore(before);
        assert!(w.vpcs.contains(&vpc));
        assert!(w.stamp(&["vpc"]) > emptied);
    }

    #[test]
    fn a_missing_row_is_a_dangling_reference_naming_both_rows() {
        let (mut w, _, vpc, subnet) = world_with_subnet("10.0.1.0/24");
        assert_eq!(w.dangling_references(), vec![]);
        w.vpcs.remove(&vpc);
        let dangling = w.dangling_references();
        let of_subnet = dangling.iter().find(|d| d.id == subnet).unwrap();
        assert_eq!((of_subnet.kind, of_subnet.to_kind), ("subnet", "vpc"));
        assert_eq!(of_subnet.to_id, vpc);
        assert_eq!(
            of_subnet.to_string(),
            format!("subnet row {subnet} refers to vpc {vpc} (VpcId), which is not stored")
        );
        // Its route table, network ACL and security group lose their VPC too.
        for kind in ["route_table", "network_acl", "security_group"] {
            assert!(dangling.iter().any(|d| d.kind == kind), "{kind}: {dangling:?}");
        }
    }
}
