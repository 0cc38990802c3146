//! Route 53 reusable delegation sets as stored (operations: [`crate::route53::delegation_set`]).

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
