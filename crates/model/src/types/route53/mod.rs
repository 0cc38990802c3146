//! Route 53's stored types, one file per concern as the operations are (see
//! [`crate::route53`]): names and record values are plain data too, so they live here whole.

pub mod cidr_collection;
pub mod delegation_set;
pub mod health_check;
pub mod names;
pub mod query_logging;
pub mod record;
pub mod zone;

use serde::{Deserialize, Serialize};

/// A change as GetChange reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// `C…`, without the `/change/` prefix.
    pub id: String,
    /// The account that made it: GetChange shows a change to that account only. (Rows stored
    /// before changes recorded their account have none, and are shown to no one.)
    #[serde(default)]
    pub account: String,
    /// Always `INSYNC`: vpclab applies changes at once.
    pub status: String,
    /// Milliseconds since the epoch.
    pub submitted_at: i64,
    pub comment: Option<String>,
}
