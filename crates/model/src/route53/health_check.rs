//! Health checks: their configuration, versions and AWS's validation. Whether a target is
//! healthy is the probes' business (the DNS crate); the model keeps what was configured.

use super::Page;
use crate::error::{Error, Result};
use crate::resources::Tags;
use crate::world::World;
use serde::{Deserialize, Serialize};

/// A health check's configuration with AWS's defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HealthCheckConfig {
    /// `HTTP`, `HTTPS`, `HTTP_STR_MATCH`, `HTTPS_STR_MATCH`, `TCP`, `CALCULATED`,
    /// `CLOUDWATCH_METRIC`, `RECOVERY_CONTROL`.
    pub check_type: String,
    pub ip_address: Option<String>,
    pub port: Option<u16>,
    pub resource_path: Option<String>,
    pub fqdn: Option<String>,
    pub search_string: Option<String>,
    pub request_interval: Option<u32>,
    pub failure_threshold: Option<u32>,
    pub measure_latency: Option<bool>,
    pub inverted: bool,
    pub disabled: bool,
    pub health_threshold: Option<u32>,
    pub child_health_checks: Vec<String>,
    pub enable_sni: Option<bool>,
    pub regions: Vec<String>,
    /// (`Region`, `Name`) of the CloudWatch alarm.
    pub alarm: Option<(String, String)>,
    /// `Healthy`, `Unhealthy` or `LastKnownStatus`.
    pub insufficient_data_health_status: Option<String>,
    pub routing_control_arn: Option<String>,
}

/// CreateHealthCheck's `HealthCheckConfig` as given (defaults not yet applied).
pub type HealthCheckInput = HealthCheckConfig;

/// UpdateHealthCheck's inputs: every field optional; `reset_elements` names the ones to put
/// back to their defaults (`FullyQualifiedDomainName`, `Regions`, `ResourcePath`,
/// `ChildHealthChecks`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HealthCheckUpdate {
    pub version: Option<i64>,
    pub ip_address: Option<String>,
    pub port: Option<u16>,
    pub resource_path: Option<String>,
    pub fqdn: Option<String>,
    pub search_string: Option<String>,
    pub failure_threshold: Option<u32>,
    pub inverted: Option<bool>,
    pub disabled: Option<bool>,
    pub health_threshold: Option<u32>,
    pub child_health_checks: Option<Vec<String>>,
    pub enable_sni: Option<bool>,
    pub regions: Option<Vec<String>>,
    pub alarm: Option<(String, String)>,
    pub insufficient_data_health_status: Option<String>,
    pub reset_elements: Vec<String>,
}

/// One health check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheck {
    /// A UUID.
    pub id: String,
    pub account: String,
    pub caller_reference: String,
    pub config: HealthCheckConfig,
    /// `HealthCheckVersion`, from 1.
    pub version: i64,
    pub tags: Tags,
}

impl World {
    /// CreateHealthCheck: `(check, created)`; a reused caller reference with the same config
    /// gives the existing check (`created` false).
    pub fn create_health_check(
        &mut self,
        account: &str,
        caller_reference: &str,
        config: HealthCheckInput,
    ) -> Result<(HealthCheck, bool)> {
        let _ = (account, caller_reference, config);
        Err(Error::internal("not yet"))
    }

    /// GetHealthCheck.
    pub fn get_health_check(&self, account: &str, id: &str) -> Result<&HealthCheck> {
        let _ = (account, id);
        Err(Error::internal("not yet"))
    }

    /// UpdateHealthCheck.
    pub fn update_health_check(
        &mut self,
        account: &str,
        id: &str,
        update: HealthCheckUpdate,
    ) -> Result<&HealthCheck> {
        let _ = (account, id, update);
        Err(Error::internal("not yet"))
    }

    /// ListHealthChecks.
    pub fn list_health_checks(
        &self,
        account: &str,
        marker: Option<&str>,
        max_items: Option<usize>,
    ) -> Result<Page<&HealthCheck>> {
        let _ = (account, marker, max_items);
        Err(Error::internal("not yet"))
    }

    /// GetHealthCheckCount.
    pub fn health_check_count(&self, account: &str) -> usize {
        self.r53_health_checks.values().filter(|h| h.account == account).count()
    }

    /// DeleteHealthCheck: refused while a record set refers to it.
    pub fn delete_health_check(&mut self, account: &str, id: &str) -> Result<()> {
        let _ = (account, id);
        Err(Error::internal("not yet"))
    }
}
