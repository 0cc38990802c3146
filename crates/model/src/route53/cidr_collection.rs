//! CIDR collections for IP-based routing: named locations, each a list of CIDR blocks.

use super::{Change, Page};
use crate::error::{Error, Result};
use crate::world::World;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CidrCollection {
    /// A UUID.
    pub id: String,
    pub account: String,
    pub name: String,
    pub caller_reference: String,
    /// From 1, incremented by every ChangeCidrCollection.
    pub version: i64,
    /// Location name → its CIDR blocks (canonical text, sorted).
    pub locations: BTreeMap<String, Vec<String>>,
}

impl CidrCollection {
    /// `arn:aws:route53:::cidrcollection/<id>`.
    pub fn arn(&self) -> String {
        format!("arn:aws:route53:::cidrcollection/{}", self.id)
    }
}

/// One change of ChangeCidrCollection: `PUT` (true) or `DELETE_IF_EXISTS` blocks at a location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CidrChange {
    pub put: bool,
    pub location_name: String,
    pub cidrs: Vec<String>,
}

impl World {
    /// CreateCidrCollection.
    pub fn create_cidr_collection(
        &mut self,
        account: &str,
        name: &str,
        caller_reference: &str,
    ) -> Result<CidrCollection> {
        let _ = (account, name, caller_reference);
        Err(Error::internal("not yet"))
    }

    /// ChangeCidrCollection: all changes or none; `version` must be the current one when given.
    pub fn change_cidr_collection(
        &mut self,
        account: &str,
        id: &str,
        version: Option<i64>,
        changes: Vec<CidrChange>,
        now: i64,
    ) -> Result<Change> {
        let _ = (account, id, version, changes, now);
        Err(Error::internal("not yet"))
    }

    /// ListCidrCollections.
    pub fn list_cidr_collections(
        &self,
        account: &str,
        next_token: Option<&str>,
        max_results: Option<usize>,
    ) -> Result<Page<&CidrCollection>> {
        let _ = (account, next_token, max_results);
        Err(Error::internal("not yet"))
    }

    /// ListCidrLocations: location names of a collection.
    pub fn list_cidr_locations(
        &self,
        account: &str,
        id: &str,
        next_token: Option<&str>,
        max_results: Option<usize>,
    ) -> Result<Page<String>> {
        let _ = (account, id, next_token, max_results);
        Err(Error::internal("not yet"))
    }

    /// ListCidrBlocks: (location, block) pairs, optionally of one location.
    pub fn list_cidr_blocks(
        &self,
        account: &str,
        id: &str,
        location_name: Option<&str>,
        next_token: Option<&str>,
        max_results: Option<usize>,
    ) -> Result<Page<(String, String)>> {
        let _ = (account, id, location_name, next_token, max_results);
        Err(Error::internal("not yet"))
    }

    /// DeleteCidrCollection: refused while it has locations or a record set uses it.
    pub fn delete_cidr_collection(&mut self, account: &str, id: &str) -> Result<()> {
        let _ = (account, id);
        Err(Error::internal("not yet"))
    }
}
