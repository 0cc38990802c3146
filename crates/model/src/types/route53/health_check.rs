//! Route 53 health checks as stored (operations: [`crate::route53::health_check`]).

use crate::types::ec2::Tags;
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
