//! Reusable delegation sets: four name servers shared by the zones created with them.

use super::Page;
use crate::error::{Error, Result};
use crate::world::World;
use serde::{Deserialize, Serialize};

/// One reusable delegation set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegationSet {
    /// `N…`, without `/delegationset/`.
    pub id: String,
    pub account: String,
    pub caller_reference: String,
    pub name_servers: Vec<String>,
}

impl World {
    /// CreateReusableDelegationSet, optionally reusing a zone's name servers.
    pub fn create_reusable_delegation_set(
        &mut self,
        account: &str,
        caller_reference: &str,
        hosted_zone_id: Option<&str>,
    ) -> Result<DelegationSet> {
        let _ = (account, caller_reference, hosted_zone_id);
        Err(Error::internal("not yet"))
    }

    /// GetReusableDelegationSet.
    pub fn get_reusable_delegation_set(&self, account: &str, id: &str) -> Result<&DelegationSet> {
        let _ = (account, id);
        Err(Error::internal("not yet"))
    }

    /// ListReusableDelegationSets.
    pub fn list_reusable_delegation_sets(
        &self,
        account: &str,
        marker: Option<&str>,
        max_items: Option<usize>,
    ) -> Result<Page<&DelegationSet>> {
        let _ = (account, marker, max_items);
        Err(Error::internal("not yet"))
    }

    /// DeleteReusableDelegationSet: refused while a zone uses it.
    pub fn delete_reusable_delegation_set(&mut self, account: &str, id: &str) -> Result<()> {
        let _ = (account, id);
        Err(Error::internal("not yet"))
    }
}
