//! Route 53 CIDR collections as stored (operations: [`crate::route53::cidr_collection`]).

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
