//! Route 53 query logging configurations as stored (operations: [`crate::route53::query_logging`]).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryLoggingConfig {
    /// A UUID.
    pub id: String,
    pub account: String,
    pub hosted_zone_id: String,
    pub log_group_arn: String,
}
