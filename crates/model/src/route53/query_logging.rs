//! Query logging configs: at most one per hosted zone, to a CloudWatch Logs group in us-east-1.

use super::{Page, bare_id, invalid_input, new_uuid, page_after};
use crate::error::{Error, Result};
use crate::references::{Reference, References};
pub use crate::types::route53::query_logging::QueryLoggingConfig;
use crate::world::World;
use codes::Route53;

fn no_such_config(id: &str) -> Error {
    Error::new(
        Route53::NoSuchQueryLoggingConfig,
        format!("There is no query logging configuration with the ID {id}"),
    )
}

/// A CloudWatch Logs log group ARN in us-east-1 (`arn:aws:logs:us-east-1:<account>:log-group:<name>`,
/// optionally ending `:*`).
fn check_log_group_arn(arn: &str) -> Result<()> {
    let rest = arn.strip_prefix("arn:aws:logs:").ok_or_else(|| {
        invalid_input(format!("The ARN {arn} is not a CloudWatch Logs log group ARN"))
    })?;
    let mut parts = rest.splitn(4, ':');
    let (region, account, kind) = (parts.next(), parts.next(), parts.next());
    let name = parts.next().map(|n| n.strip_suffix(":*").unwrap_or(n));
    if region != Some("us-east-1") {
        return Err(invalid_input(
            "The log group for DNS query logs must be in the us-east-1 region",
        ));
    }
    let account_ok =
        account.is_some_and(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()));
    if !account_ok || kind != Some("log-group") || name.is_none_or(str::is_empty) {
        return Err(invalid_input(format!("The ARN {arn} is not a CloudWatch Logs log group ARN")));
    }
    Ok(())
}

impl World {
    /// CreateQueryLoggingConfig: one per public zone.
    pub fn create_query_logging_config(
        &mut self,
        account: &str,
        hosted_zone_id: &str,
        log_group_arn: &str,
    ) -> Result<QueryLoggingConfig> {
        let zone = self.r53_zone(account, hosted_zone_id)?;
        if zone.private {
            return Err(invalid_input("Query logging is only available for public hosted zones"));
        }
        let zone_id = zone.id.clone();
        check_log_group_arn(log_group_arn)?;
        if self.r53_query_logging_configs.values().any(|q| q.hosted_zone_id == zone_id) {
            return Err(Error::new(
                Route53::QueryLoggingConfigAlreadyExists,
                format!(
                    "A query logging configuration already exists for the hosted zone {zone_id}"
                ),
            ));
        }
        let config = QueryLoggingConfig {
            id: new_uuid(),
            account: account.to_owned(),
            hosted_zone_id: zone_id,
            log_group_arn: log_group_arn.to_owned(),
        };
        self.r53_query_logging_configs.insert(config.id.clone(), config.clone());
        Ok(config)
    }

    /// GetQueryLoggingConfig.
    pub fn get_query_logging_config(&self, account: &str, id: &str) -> Result<&QueryLoggingConfig> {
        self.r53_query_logging_configs
            .get(id)
            .filter(|q| q.account == account)
            .ok_or_else(|| no_such_config(id))
    }

    /// ListQueryLoggingConfigs, optionally of one zone.
    pub fn list_query_logging_configs(
        &self,
        account: &str,
        hosted_zone_id: Option<&str>,
        next_token: Option<&str>,
        max_results: Option<usize>,
    ) -> Result<Page<&QueryLoggingConfig>> {
        if let Some(z) = hosted_zone_id {
            self.r53_zone(account, z)?;
        }
        let zone = hosted_zone_id.map(bare_id);
        let configs = self
            .r53_query_logging_configs
            .values()
            .filter(|q| q.account == account && zone.is_none_or(|z| q.hosted_zone_id == z));
        Ok(page_after(configs, |q| q.id.clone(), next_token, max_results, 100))
    }

    /// DeleteQueryLoggingConfig.
    pub fn delete_query_logging_config(&mut self, account: &str, id: &str) -> Result<()> {
        let id = self.get_query_logging_config(account, id)?.id.clone();
        self.r53_query_logging_configs.remove(&id);
        Ok(())
    }
}

impl References for QueryLoggingConfig {
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        each(Reference::new("r53_hosted_zone", &self.hosted_zone_id, "HostedZoneId"));
    }
}
