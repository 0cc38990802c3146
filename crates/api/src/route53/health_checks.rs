//! Health checks: their configuration (create, get, list, update, delete, count) from the
//! model, and what the probes observed (GetHealthCheckStatus, GetHealthCheckLastFailureReason)
//! from a [`HealthCheckObserver`] the binary wires in — the api crate probes nothing itself.

use super::{Handler, echo_max, location, max_items};
use crate::Outcome;
use crate::registry::{Ctx, Decode, RestRequest, read, read_then, unlocked, write};
use model::World;
use model::route53::{HealthCheck, HealthCheckConfig, HealthCheckUpdate};
use shapes::route53 as s;
use wire::rest::{FromRest, invalid_input};
use wire::{ApiError, Timestamp};

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateHealthCheck", write(create_health_check)),
        ("GetHealthCheck", read(get_health_check)),
        ("ListHealthChecks", read(list_health_checks)),
        ("UpdateHealthCheck", write(update_health_check)),
        ("DeleteHealthCheck", write(delete_health_check)),
        ("GetHealthCheckCount", read(get_health_check_count)),
        ("GetHealthCheckStatus", read_then(status_check_exists, get_health_check_status)),
        (
            "GetHealthCheckLastFailureReason",
            read_then(failure_check_exists, get_health_check_last_failure_reason),
        ),
        ("GetCheckerIpRanges", unlocked(get_checker_ip_ranges)),
    ]
}

/// The addresses Route 53's health checkers come from. vpclab's checkers are this machine.
const CHECKER_IP_RANGES: &[&str] = &["127.0.0.1/32", "::1/128"];

/// One checker's report on a health check, as GetHealthCheckStatus lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// The checker's address (`IPAddress`).
    pub ip_address: Option<String>,
    /// The checker's region (`us-east-1`…).
    pub region: Option<String>,
    /// AWS's status text: `Success: HTTP Status Code 200, OK`, `Failure: …`.
    pub status: String,
    /// When the check ran, in milliseconds since the epoch.
    pub checked_at: i64,
}

/// The live probes of health checks. Without one wired, the operations answer with no
/// observations.
pub trait HealthCheckObserver: Send + Sync {
    /// The latest report of each checker (GetHealthCheckStatus).
    fn status(&self, health_check_id: &str) -> Vec<Observation>;
    /// Each checker's most recent failure (GetHealthCheckLastFailureReason).
    fn last_failures(&self, health_check_id: &str) -> Vec<Observation>;
}

impl std::fmt::Debug for dyn HealthCheckObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HealthCheckObserver")
    }
}

fn observations_out(list: Vec<Observation>) -> Vec<s::HealthCheckObservation> {
    list.into_iter()
        .map(|o| s::HealthCheckObservation {
            ip_address: o.ip_address,
            region: o.region,
            status_report: Some(s::StatusReport {
                status: Some(o.status),
                checked_time: Some(Timestamp(o.checked_at)),
            }),
        })
        .collect()
}

fn number<T: TryFrom<i32>>(value: Option<i32>, name: &str) -> Result<Option<T>, ApiError> {
    value
        .map(|v| T::try_from(v).map_err(|_| invalid_input(format!("Invalid value {v} for {name}"))))
        .transpose()
}

fn config_in(c: &s::HealthCheckConfig) -> Result<HealthCheckConfig, ApiError> {
    Ok(HealthCheckConfig {
        check_type: c.type_.clone(),
        ip_address: c.ip_address.clone(),
        port: number(c.port, "Port")?,
        resource_path: c.resource_path.clone(),
        fqdn: c.fully_qualified_domain_name.clone(),
        search_string: c.search_string.clone(),
        request_interval: number(c.request_interval, "RequestInterval")?,
        failure_threshold: number(c.failure_threshold, "FailureThreshold")?,
        measure_latency: c.measure_latency,
        inverted: c.inverted.unwrap_or(false),
        disabled: c.disabled.unwrap_or(false),
        health_threshold: number(c.health_threshold, "HealthThreshold")?,
        child_health_checks: c.child_health_checks.clone(),
        enable_sni: c.enable_sni,
        regions: c.regions.clone(),
        alarm: c.alarm_identifier.as_ref().map(|a| (a.region.clone(), a.name.clone())),
        insufficient_data_health_status: c.insufficient_data_health_status.clone(),
        routing_control_arn: c.routing_control_arn.clone(),
    })
}

fn config_out(c: &HealthCheckConfig) -> s::HealthCheckConfig {
    s::HealthCheckConfig {
        type_: c.check_type.clone(),
        ip_address: c.ip_address.clone(),
        port: c.port.map(i32::from),
        resource_path: c.resource_path.clone(),
        fully_qualified_domain_name: c.fqdn.clone(),
        search_string: c.search_string.clone(),
        request_interval: c.request_interval.and_then(|v| i32::try_from(v).ok()),
        failure_threshold: c.failure_threshold.and_then(|v| i32::try_from(v).ok()),
        measure_latency: c.measure_latency,
        inverted: Some(c.inverted),
        disabled: Some(c.disabled),
        health_threshold: c.health_threshold.and_then(|v| i32::try_from(v).ok()),
        child_health_checks: c.child_health_checks.clone(),
        enable_sni: c.enable_sni,
        regions: c.regions.clone(),
        alarm_identifier: c.alarm.as_ref().map(|(region, name)| s::AlarmIdentifier {
            region: region.clone(),
            name: name.clone(),
        }),
        insufficient_data_health_status: c.insufficient_data_health_status.clone(),
        routing_control_arn: c.routing_control_arn.clone(),
    }
}

fn check_out(h: &HealthCheck) -> s::HealthCheck {
    s::HealthCheck {
        id: h.id.clone(),
        caller_reference: h.caller_reference.clone(),
        health_check_config: config_out(&h.config),
        health_check_version: h.version,
        ..Default::default()
    }
}

fn update_in(r: &s::UpdateHealthCheckRequest) -> Result<HealthCheckUpdate, ApiError> {
    Ok(HealthCheckUpdate {
        version: r.health_check_version,
        ip_address: r.ip_address.clone(),
        port: number(r.port, "Port")?,
        resource_path: r.resource_path.clone(),
        fqdn: r.fully_qualified_domain_name.clone(),
        search_string: r.search_string.clone(),
        failure_threshold: number(r.failure_threshold, "FailureThreshold")?,
        inverted: r.inverted,
        disabled: r.disabled,
        health_threshold: number(r.health_threshold, "HealthThreshold")?,
        // An absent list leaves the children as they are; AWS clears them only on reset.
        child_health_checks: (!r.child_health_checks.is_empty())
            .then(|| r.child_health_checks.clone()),
        enable_sni: r.enable_sni,
        regions: (!r.regions.is_empty()).then(|| r.regions.clone()),
        alarm: r.alarm_identifier.as_ref().map(|a| (a.region.clone(), a.name.clone())),
        insufficient_data_health_status: r.insufficient_data_health_status.clone(),
        reset_elements: r.reset_elements.clone(),
    })
}

/// CreateHealthCheck's request with its numbers checked before the world is touched.
struct NewHealthCheck {
    caller_reference: String,
    config: HealthCheckConfig,
}

impl Decode<RestRequest> for NewHealthCheck {
    fn decode(request: &RestRequest) -> Result<Self, ApiError> {
        let r = s::CreateHealthCheckRequest::from_rest(&request.input())?;
        let config = config_in(&r.health_check_config)?;
        Ok(NewHealthCheck { caller_reference: r.caller_reference, config })
    }
}

fn create_health_check(
    ctx: &Ctx,
    w: &mut World,
    r: NewHealthCheck,
) -> Outcome<s::CreateHealthCheckResponse> {
    let (h, _) = w.create_health_check(&ctx.scope.account, &r.caller_reference, r.config)?;
    Ok(s::CreateHealthCheckResponse {
        location: location(&format!("healthcheck/{}", h.id)),
        health_check: check_out(&h),
    })
}

fn get_health_check(
    ctx: &Ctx,
    w: &World,
    r: s::GetHealthCheckRequest,
) -> Outcome<s::GetHealthCheckResponse> {
    let h = w.get_health_check(&ctx.scope.account, &r.health_check_id)?;
    Ok(s::GetHealthCheckResponse { health_check: check_out(h) })
}

fn list_health_checks(
    ctx: &Ctx,
    w: &World,
    r: s::ListHealthChecksRequest,
) -> Outcome<s::ListHealthChecksResponse> {
    let max = max_items(&r.max_items, "maxItems")?;
    let page = w.list_health_checks(&ctx.scope.account, r.marker.as_deref(), max)?;
    Ok(s::ListHealthChecksResponse {
        health_checks: page.items.iter().map(|h| check_out(h)).collect(),
        is_truncated: page.is_truncated(),
        next_marker: page.next_marker.clone(),
        max_items: echo_max(&r.max_items, 100),
        marker: r.marker,
    })
}

/// UpdateHealthCheck's request with its numbers checked before the world is touched.
struct HealthCheckChange {
    health_check_id: String,
    update: HealthCheckUpdate,
}

impl Decode<RestRequest> for HealthCheckChange {
    fn decode(request: &RestRequest) -> Result<Self, ApiError> {
        let r = s::UpdateHealthCheckRequest::from_rest(&request.input())?;
        let update = update_in(&r)?;
        Ok(HealthCheckChange { health_check_id: r.health_check_id, update })
    }
}

fn update_health_check(
    ctx: &Ctx,
    w: &mut World,
    r: HealthCheckChange,
) -> Outcome<s::UpdateHealthCheckResponse> {
    let h = w.update_health_check(&ctx.scope.account, &r.health_check_id, r.update)?;
    Ok(s::UpdateHealthCheckResponse { health_check: check_out(h) })
}

fn delete_health_check(
    ctx: &Ctx,
    w: &mut World,
    r: s::DeleteHealthCheckRequest,
) -> Outcome<s::DeleteHealthCheckResponse> {
    w.delete_health_check(&ctx.scope.account, &r.health_check_id)?;
    Ok(s::DeleteHealthCheckResponse {})
}

fn get_health_check_count(
    ctx: &Ctx,
    w: &World,
    _: s::GetHealthCheckCountRequest,
) -> Outcome<s::GetHealthCheckCountResponse> {
    Ok(s::GetHealthCheckCountResponse {
        health_check_count: i64::try_from(w.health_check_count(&ctx.scope.account))
            .unwrap_or(i64::MAX),
    })
}

/// The check must exist (NoSuchHealthCheck) before the probes are asked, which they are once
/// the read lock is released.
fn check_exists(ctx: &Ctx, w: &World, id: &str) -> Outcome<()> {
    w.get_health_check(&ctx.scope.account, id)?;
    Ok(())
}

fn status_check_exists(ctx: &Ctx, w: &World, r: &s::GetHealthCheckStatusRequest) -> Outcome<()> {
    check_exists(ctx, w, &r.health_check_id)
}

fn failure_check_exists(
    ctx: &Ctx,
    w: &World,
    r: &s::GetHealthCheckLastFailureReasonRequest,
) -> Outcome<()> {
    check_exists(ctx, w, &r.health_check_id)
}

fn get_health_check_status(
    ctx: &Ctx,
    r: s::GetHealthCheckStatusRequest,
    (): (),
) -> Outcome<s::GetHealthCheckStatusResponse> {
    let seen = ctx.api.health_check_observer().map(|o| o.status(&r.health_check_id));
    Ok(s::GetHealthCheckStatusResponse {
        health_check_observations: observations_out(seen.unwrap_or_default()),
    })
}

fn get_health_check_last_failure_reason(
    ctx: &Ctx,
    r: s::GetHealthCheckLastFailureReasonRequest,
    (): (),
) -> Outcome<s::GetHealthCheckLastFailureReasonResponse> {
    let seen = ctx.api.health_check_observer().map(|o| o.last_failures(&r.health_check_id));
    Ok(s::GetHealthCheckLastFailureReasonResponse {
        health_check_observations: observations_out(seen.unwrap_or_default()),
    })
}

fn get_checker_ip_ranges(
    _: &Ctx,
    _: s::GetCheckerIpRangesRequest,
) -> Outcome<s::GetCheckerIpRangesResponse> {
    Ok(s::GetCheckerIpRangesResponse {
        checker_ip_ranges: CHECKER_IP_RANGES.iter().map(|r| (*r).to_owned()).collect(),
    })
}
