//! Query logging configs: at most one per hosted zone, to a CloudWatch Logs group in us-east-1.

use super::Page;
use crate::error::{Error, Result};
use crate::world::World;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryLoggingConfig {
    /// A UUID.
    pub id: String,
    pub account: String,
    pub hosted_zone_id: String,
    pub log_group_arn: String,
}

impl World {
    /// CreateQueryLoggingConfig.
    pub fn create_query_logging_config(
        &mut self,
        account: &str,
        hosted_zone_id: &str,
        log_group_arn: &str,
    ) -> Result<QueryLoggingConfig> {
        let _ = (account, hosted_zone_id, log_group_arn);
        Err(Error::internal("not yet"))
    }

    /// GetQueryLoggingConfig.
    pub fn get_query_logging_config(&self, account: &str, id: &str) -> Result<&QueryLoggingConfig> {
        let _ = (account, id);
        Err(Error::internal("not yet"))
    }

    /// ListQueryLoggingConfigs, optionally of one zone.
    pub fn list_query_logging_configs(
        &self,
        account: &str,
        hosted_zone_id: Option<&str>,
        next_token: Option<&str>,
        max_results: Option<usize>,
    ) -> Result<Page<&QueryLoggingConfig>> {
        let _ = (account, hosted_zone_id, next_token, max_results);
        Err(Error::internal("not yet"))
    }

    /// DeleteQueryLoggingConfig.
    pub fn delete_query_logging_config(&mut self, account: &str, id: &str) -> Result<()> {
        let _ = (account, id);
        Err(Error::internal("not yet"))
    }
}
