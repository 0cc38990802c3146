//! Health checks: their configuration, versions and AWS's validation. Whether a target is
//! healthy is the probes' business (the DNS crate); the model keeps what was configured.

use super::{Page, invalid_input, new_uuid, page_after};
use crate::error::{Error, Result};
use crate::types::ec2::Tags;
pub use crate::types::route53::health_check::{HealthCheck, HealthCheckConfig};
use crate::world::World;
use codes::Route53;
use std::net::IpAddr;

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

/// The most health checks an account may have (`MAX_HEALTH_CHECKS_BY_OWNER`).
pub const MAX_HEALTH_CHECKS: usize = 200;

/// The regions health checkers run in; a check names at least three of them, or all.
pub const CHECKER_REGIONS: &[&str] = &[
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
];

const TYPES: &[&str] = &[
    "HTTP",
    "HTTPS",
    "HTTP_STR_MATCH",
    "HTTPS_STR_MATCH",
    "TCP",
    "CALCULATED",
    "CLOUDWATCH_METRIC",
    "RECOVERY_CONTROL",
];

impl HealthCheckConfig {
    /// Whether the check probes an endpoint (as opposed to combining or watching others).
    pub fn probes_endpoint(&self) -> bool {
        matches!(
            self.check_type.as_str(),
            "HTTP" | "HTTPS" | "HTTP_STR_MATCH" | "HTTPS_STR_MATCH" | "TCP"
        )
    }

    fn is_https(&self) -> bool {
        self.check_type.starts_with("HTTPS")
    }

    fn is_http(&self) -> bool {
        self.check_type.starts_with("HTTP")
    }

    fn is_str_match(&self) -> bool {
        self.check_type.ends_with("_STR_MATCH")
    }
}

/// Whether an address may be probed: public ones, as AWS allows, and loopback (vpclab's
/// extension, so a local service can be checked).
fn probeable(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || !(v4.is_private()
                    || v4.is_link_local()
                    || v4.is_multicast()
                    || v4.is_broadcast()
                    || v4.is_unspecified()
                    || v4.octets()[0] == 0)
        }
        IpAddr::V6(v6) => v6.is_loopback() || !(v6.is_multicast() || v6.is_unspecified()),
    }
}

/// Fills AWS's defaults into a config and checks it.
fn complete(mut c: HealthCheckConfig) -> Result<HealthCheckConfig> {
    if !TYPES.contains(&c.check_type.as_str()) {
        return Err(invalid_input(format!(
            "1 validation error detected: Value '{}' at 'healthCheckConfig.type' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
            c.check_type,
            TYPES.join(", ")
        )));
    }
    if c.probes_endpoint() {
        if c.ip_address.is_none() && c.fqdn.is_none() {
            return Err(invalid_input(
                "Invalid parameter: A health check must have either an IPAddress or a FullyQualifiedDomainName",
            ));
        }
        if let Some(ip) = &c.ip_address {
            match ip.parse::<IpAddr>() {
                Ok(a) if probeable(a) => {}
                _ => {
                    return Err(invalid_input(format!(
                        "Invalid IP address: {ip}. The IP address must be a public IP address."
                    )));
                }
            }
        }
        if c.port.is_none() {
            c.port = match c.check_type.as_str() {
                "TCP" => {
                    return Err(invalid_input("A port is required for health checks of type TCP"));
                }
                _ if c.is_https() => Some(443),
                _ => Some(80),
            };
        }
        if c.port == Some(0) {
            return Err(invalid_input("Port must be between 1 and 65535"));
        }
        let interval = *c.request_interval.get_or_insert(30);
        if interval != 10 && interval != 30 {
            return Err(invalid_input("RequestInterval must be 10 or 30 seconds"));
        }
        c.measure_latency.get_or_insert(false);
        c.enable_sni.get_or_insert(c.is_https());
    } else if c.ip_address.is_some() || c.port.is_some() || c.fqdn.is_some() {
        return Err(invalid_input(format!(
            "Health checks of type {} do not take an IPAddress, Port or FullyQualifiedDomainName",
            c.check_type
        )));
    }
    if c.probes_endpoint() || c.check_type == "CLOUDWATCH_METRIC" {
        let threshold = *c.failure_threshold.get_or_insert(3);
        if !(1..=10).contains(&threshold) {
            return Err(invalid_input("FailureThreshold must be between 1 and 10"));
        }
    }
    if c.resource_path.is_some() && !c.is_http() {
        return Err(invalid_input("ResourcePath is only valid for HTTP and HTTPS health checks"));
    }
    if c.resource_path.as_ref().is_some_and(|p| p.len() > 255) {
        return Err(invalid_input("ResourcePath must be at most 255 characters"));
    }
    match (&c.search_string, c.is_str_match()) {
        (None, true) => {
            return Err(invalid_input(
                "A SearchString is required for health checks of type HTTP_STR_MATCH and HTTPS_STR_MATCH",
            ));
        }
        (Some(_), false) => {
            return Err(invalid_input(
                "SearchString is only valid for health checks of type HTTP_STR_MATCH and HTTPS_STR_MATCH",
            ));
        }
        (Some(s), true) if s.len() > 255 => {
            return Err(invalid_input("SearchString must be at most 255 characters"));
        }
        _ => {}
    }
    if c.fqdn.as_ref().is_some_and(|f| f.len() > 255) {
        return Err(invalid_input("FullyQualifiedDomainName must be at most 255 characters"));
    }
    if !c.regions.is_empty() {
        if c.regions.len() < 3 {
            return Err(invalid_input("A health check must be performed from at least 3 regions"));
        }
        if let Some(r) = c.regions.iter().find(|r| !CHECKER_REGIONS.contains(&r.as_str())) {
            return Err(invalid_input(format!("Invalid health check region: {r}")));
        }
    }
    match c.check_type.as_str() {
        "CALCULATED" => {
            if c.child_health_checks.len() > 256 {
                return Err(invalid_input(
                    "A calculated health check can have at most 256 child health checks",
                ));
            }
            let threshold = *c.health_threshold.get_or_insert(0);
            if threshold > 256 {
                return Err(invalid_input("HealthThreshold must be between 0 and 256"));
            }
        }
        "CLOUDWATCH_METRIC" => {
            if c.alarm.is_none() {
                return Err(invalid_input(
                    "An AlarmIdentifier is required for health checks of type CLOUDWATCH_METRIC",
                ));
            }
            let status =
                c.insufficient_data_health_status.get_or_insert_with(|| "LastKnownStatus".into());
            if !["Healthy", "Unhealthy", "LastKnownStatus"].contains(&status.as_str()) {
                return Err(invalid_input(format!(
                    "Invalid InsufficientDataHealthStatus: {status}"
                )));
            }
        }
        "RECOVERY_CONTROL" if c.routing_control_arn.is_none() => {
            return Err(invalid_input(
                "A RoutingControlArn is required for health checks of type RECOVERY_CONTROL",
            ));
        }
        _ => {}
    }
    Ok(c)
}

fn no_such_check(id: &str) -> Error {
    Error::new(Route53::NoSuchHealthCheck, format!("A health check with id {id} does not exist."))
}

impl World {
    /// The children of a calculated check must be checks of the account.
    fn r53_check_children(&self, account: &str, c: &HealthCheckConfig) -> Result<()> {
        match c.child_health_checks.iter().find(|id| self.get_health_check(account, id).is_err()) {
            Some(id) => Err(no_such_check(id)),
            None => Ok(()),
        }
    }

    /// CreateHealthCheck: `(check, created)`; a reused caller reference with the same config
    /// gives the existing check (`created` false).
    pub fn create_health_check(
        &mut self,
        account: &str,
        caller_reference: &str,
        config: HealthCheckInput,
    ) -> Result<(HealthCheck, bool)> {
        if caller_reference.is_empty() || caller_reference.len() > 64 {
            return Err(invalid_input(
                "1 validation error detected: Value at 'callerReference' failed to satisfy constraint: Member must have length between 1 and 64",
            ));
        }
        let config = complete(config)?;
        self.r53_check_children(account, &config)?;
        if let Some(existing) = self
            .r53_health_checks
            .values()
            .find(|h| h.account == account && h.caller_reference == caller_reference)
        {
            if existing.config == config {
                return Ok((existing.clone(), false));
            }
            return Err(Error::new(
                Route53::HealthCheckAlreadyExists,
                format!(
                    "A health check with caller reference {caller_reference} already exists with a different configuration."
                ),
            ));
        }
        if self.health_check_count(account) >= MAX_HEALTH_CHECKS {
            return Err(Error::new(
                Route53::TooManyHealthChecks,
                format!(
                    "Limits Exceeded: MAX_HEALTH_CHECKS_BY_OWNER - Cannot create more than {MAX_HEALTH_CHECKS} health checks."
                ),
            ));
        }
        let check = HealthCheck {
            id: new_uuid(),
            account: account.to_owned(),
            caller_reference: caller_reference.to_owned(),
            config,
            version: 1,
            tags: Tags::new(),
        };
        self.r53_health_checks.insert(check.id.clone(), check.clone());
        Ok((check, true))
    }

    /// GetHealthCheck.
    pub fn get_health_check(&self, account: &str, id: &str) -> Result<&HealthCheck> {
        self.r53_health_checks
            .get(id)
            .filter(|h| h.account == account)
            .ok_or_else(|| no_such_check(id))
    }

    /// UpdateHealthCheck: the given fields replace the stored ones, `ResetElements` restore
    /// defaults; type, request interval and latency measurement never change.
    pub fn update_health_check(
        &mut self,
        account: &str,
        id: &str,
        u: HealthCheckUpdate,
    ) -> Result<&HealthCheck> {
        let current = self.get_health_check(account, id)?.clone();
        if let Some(v) = u.version
            && v != current.version
        {
            return Err(Error::new(
                Route53::HealthCheckVersionMismatch,
                format!(
                    "The value of HealthCheckVersion in the request ({v}) doesn't match the value of HealthCheckVersion in the health check ({}).",
                    current.version
                ),
            ));
        }
        let mut c = current.config.clone();
        for element in &u.reset_elements {
            match element.as_str() {
                "FullyQualifiedDomainName" => c.fqdn = None,
                "Regions" => c.regions.clear(),
                "ResourcePath" => c.resource_path = None,
                "ChildHealthChecks" => c.child_health_checks.clear(),
                other => return Err(invalid_input(format!("Invalid ResetElement: {other}"))),
            }
        }
        macro_rules! set {
            ($($field:ident),*) => { $(if let Some(v) = u.$field { c.$field = Some(v); })* };
        }
        set!(
            ip_address,
            port,
            resource_path,
            fqdn,
            search_string,
            failure_threshold,
            health_threshold,
            enable_sni,
            alarm,
            insufficient_data_health_status
        );
        if let Some(v) = u.inverted {
            c.inverted = v;
        }
        if let Some(v) = u.disabled {
            c.disabled = v;
        }
        if let Some(v) = u.child_health_checks {
            c.child_health_checks = v;
        }
        if let Some(v) = u.regions {
            c.regions = v;
        }
        let c = complete(c)?;
        self.r53_check_children(account, &c)?;
        let check = self.r53_health_checks.get_mut(&current.id).ok_or_else(|| no_such_check(id))?;
        check.config = c;
        check.version += 1;
        Ok(check)
    }

    /// ListHealthChecks.
    pub fn list_health_checks(
        &self,
        account: &str,
        marker: Option<&str>,
        max_items: Option<usize>,
    ) -> Result<Page<&HealthCheck>> {
        let checks = self.r53_health_checks.values().filter(|h| h.account == account);
        Ok(page_after(checks, |h| h.id.clone(), marker, max_items, 1000))
    }

    /// GetHealthCheckCount.
    pub fn health_check_count(&self, account: &str) -> usize {
        self.r53_health_checks.values().filter(|h| h.account == account).count()
    }

    /// DeleteHealthCheck: refused while a record set or a calculated check refers to it.
    pub fn delete_health_check(&mut self, account: &str, id: &str) -> Result<()> {
        let id = self.get_health_check(account, id)?.id.clone();
        let by_record = self
            .r53_record_sets
            .values()
            .any(|r| r.health_check_id.as_deref() == Some(id.as_str()));
        let by_parent =
            self.r53_health_checks.values().any(|h| h.config.child_health_checks.contains(&id));
        if by_record || by_parent {
            return Err(Error::new(
                Route53::HealthCheckInUse,
                format!(
                    "The health check {id} is still referenced from parent health check(s) or resource record set(s)."
                ),
            ));
        }
        self.r53_health_checks.remove(&id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "123456789012";

    fn http(ip: &str) -> HealthCheckInput {
        HealthCheckConfig {
            check_type: "HTTP".into(),
            ip_address: Some(ip.into()),
            ..Default::default()
        }
    }

    #[test]
    fn defaults_are_filled_in_and_loopback_is_allowed() {
        let mut w = World::default();
        let (hc, created) = w.create_health_check(ACCOUNT, "r1", http("127.0.0.1")).unwrap();
        assert!(created);
        assert_eq!(hc.config.port, Some(80));
        assert_eq!(hc.config.request_interval, Some(30));
        assert_eq!(hc.config.failure_threshold, Some(3));
        assert_eq!(hc.config.enable_sni, Some(false));
        assert_eq!(hc.version, 1);
        let e = w.create_health_check(ACCOUNT, "r2", http("10.0.0.1")).unwrap_err();
        assert_eq!(e.code, "InvalidInput");
        let tcp = HealthCheckConfig { check_type: "TCP".into(), ..http("192.0.2.1") };
        assert_eq!(w.create_health_check(ACCOUNT, "r3", tcp).unwrap_err().code, "InvalidInput");
        let https = HealthCheckConfig {
            check_type: "HTTPS".into(),
            fqdn: Some("example.com".into()),
            ip_address: None,
            ..Default::default()
        };
        let (hc, _) = w.create_health_check(ACCOUNT, "r4", https).unwrap();
        assert_eq!((hc.config.port, hc.config.enable_sni), (Some(443), Some(true)));
        let two_regions = HealthCheckConfig {
            regions: vec!["us-east-1".into(), "eu-west-1".into()],
            ..http("192.0.2.1")
        };
        assert_eq!(
            w.create_health_check(ACCOUNT, "r5", two_regions).unwrap_err().code,
            "InvalidInput"
        );
        let search = HealthCheckConfig { search_string: Some("ok".into()), ..http("192.0.2.1") };
        assert_eq!(w.create_health_check(ACCOUNT, "r6", search).unwrap_err().code, "InvalidInput");
    }

    #[test]
    fn caller_references_are_idempotent() {
        let mut w = World::default();
        let (a, _) = w.create_health_check(ACCOUNT, "r1", http("192.0.2.1")).unwrap();
        let (b, created) = w.create_health_check(ACCOUNT, "r1", http("192.0.2.1")).unwrap();
        assert_eq!((a.id, created), (b.id, false));
        let e = w.create_health_check(ACCOUNT, "r1", http("192.0.2.2")).unwrap_err();
        assert_eq!(e.code, "HealthCheckAlreadyExists");
    }

    #[test]
    fn updates_check_the_version_and_reset_elements() {
        let mut w = World::default();
        let cfg = HealthCheckConfig { resource_path: Some("/health".into()), ..http("192.0.2.1") };
        let (hc, _) = w.create_health_check(ACCOUNT, "r1", cfg).unwrap();
        let u = HealthCheckUpdate {
            version: Some(1),
            failure_threshold: Some(5),
            reset_elements: vec!["ResourcePath".into()],
            ..Default::default()
        };
        let updated = w.update_health_check(ACCOUNT, &hc.id, u).unwrap();
        assert_eq!((updated.version, updated.config.failure_threshold), (2, Some(5)));
        assert_eq!(updated.config.resource_path, None);
        let stale = HealthCheckUpdate { version: Some(1), ..Default::default() };
        assert_eq!(
            w.update_health_check(ACCOUNT, &hc.id, stale).unwrap_err().code,
            "HealthCheckVersionMismatch"
        );
    }

    #[test]
    fn a_check_in_use_cannot_be_deleted() {
        let mut w = World::default();
        let (child, _) = w.create_health_check(ACCOUNT, "r1", http("192.0.2.1")).unwrap();
        let calc = HealthCheckConfig {
            check_type: "CALCULATED".into(),
            child_health_checks: vec![child.id.clone()],
            health_threshold: Some(1),
            ..Default::default()
        };
        let (parent, _) = w.create_health_check(ACCOUNT, "r2", calc).unwrap();
        assert_eq!(w.delete_health_check(ACCOUNT, &child.id).unwrap_err().code, "HealthCheckInUse");
        w.delete_health_check(ACCOUNT, &parent.id).unwrap();
        w.delete_health_check(ACCOUNT, &child.id).unwrap();
        assert_eq!(w.get_health_check(ACCOUNT, &child.id).unwrap_err().code, "NoSuchHealthCheck");
        assert_eq!(w.health_check_count(ACCOUNT), 0);
    }
}
