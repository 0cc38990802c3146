//! ChangeResourceRecordSets and ListResourceRecordSets.

use super::{Change, RecordSet, RecordSetInput};
use crate::error::{Error, Result};
use crate::world::World;

/// `CREATE`, `DELETE` or `UPSERT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeAction {
    Create,
    Delete,
    Upsert,
}

impl ChangeAction {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "CREATE" => Some(ChangeAction::Create),
            "DELETE" => Some(ChangeAction::Delete),
            "UPSERT" => Some(ChangeAction::Upsert),
            _ => None,
        }
    }
}

/// One change of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordChange {
    pub action: ChangeAction,
    pub record: RecordSetInput,
}

/// Where ListResourceRecordSets starts: `StartRecordName`, `StartRecordType`,
/// `StartRecordIdentifier`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordStart {
    pub name: Option<String>,
    pub rtype: Option<String>,
    pub identifier: Option<String>,
}

/// A page of ListResourceRecordSets.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordPage<'a> {
    pub records: Vec<&'a RecordSet>,
    pub max_items: usize,
    /// Where the next page starts (`NextRecordName`, `NextRecordType`,
    /// `NextRecordIdentifier`) when `IsTruncated`.
    pub next: Option<RecordStart>,
}

impl World {
    /// ChangeResourceRecordSets: applies the batch atomically, or fails with every error of it.
    pub fn change_resource_record_sets(
        &mut self,
        account: &str,
        zone_id: &str,
        changes: Vec<RecordChange>,
        comment: Option<String>,
        now: i64,
    ) -> Result<Change> {
        let _ = (account, zone_id, changes, comment, now);
        Err(Error::internal("not yet"))
    }

    /// ListResourceRecordSets: AWS's order (reversed-label name, then type, then set id),
    /// `max_items` ≤ 300 (default 300).
    pub fn list_resource_record_sets(
        &self,
        account: &str,
        zone_id: &str,
        start: &RecordStart,
        max_items: Option<usize>,
    ) -> Result<RecordPage<'_>> {
        let _ = (account, zone_id, start, max_items);
        Err(Error::internal("not yet"))
    }

    /// Every record set of a zone in list order (for the DNS answerer).
    pub fn record_sets_of_zone<'a>(
        &'a self,
        zone_id: &str,
    ) -> impl Iterator<Item = &'a RecordSet> + use<'a> {
        let prefix = format!("{} ", super::bare_id(zone_id));
        self.r53_record_sets.with_prefix(&prefix).map(|(_, v)| v)
    }
}
