//! Elastic Load Balancing v2 target groups and their registered targets.
//!
//! A target group names where a load balancer sends traffic: instances (by id), IP addresses,
//! one Lambda function or one Application Load Balancer, all reached with one protocol and port
//! and checked by one health check. Its ARN
//! (`arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<16 hex>`) is its id; the
//! table is keyed by it.
//!
//! Which load balancers use a group is derived, not stored: the listeners and rules whose
//! forward actions name it ([`World::load_balancers_of_target_group`]).
//!
//! A deregistered target stays in the group, `draining`, for the group's deregistration delay
//! (`deregistration_delay.timeout_seconds`, 300 s by default) after
//! [`Target::deregistered_at`]; after that it is gone ([`TargetGroup::live_targets`] with the
//! time passed in: the model reads no clock).

mod targets;

use crate::cidr::Ipv4Cidr;
use crate::error::{Error, Result};
use crate::load_balancer::{check_tags, hex16, invalid_configuration, validation};
use crate::types::ec2::{InstanceState, Tags};
pub use crate::types::elbv2::target_group::*;
use crate::world::{Scope, World};
use codes::Elbv2;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// ELBv2's default quota of target groups per region.
pub const TARGET_GROUPS_PER_REGION: usize = 3000;

/// ELBv2's default quota of targets per target group (instance and IP groups).
pub const TARGETS_PER_TARGET_GROUP: usize = 1000;

/// The answer for target groups (by ARN or name) that do not exist.
pub fn not_found() -> Error {
    Error::new(Elbv2::TargetGroupNotFound, "One or more target groups not found")
}

/// Checks an ARN's shape: `ValidationError` when it cannot name a target group.
pub fn check_arn(arn: &str) -> Result<()> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = matches!(parts.as_slice(),
        ["arn", "aws", "elasticloadbalancing", region, account, rest]
            if !region.is_empty() && account.len() == 12
                && rest.strip_prefix("targetgroup/").is_some_and(|r| r.split('/').count() == 2));
    if ok { Ok(()) } else { Err(validation(format!("'{arn}' is not a valid target group ARN"))) }
}

fn parse_protocol(s: &str) -> Result<Protocol> {
    Protocol::parse(s).ok_or_else(|| validation(format!("Protocol '{s}' is not valid")))
}

fn in_range(what: &str, v: i32, lo: i32, hi: i32) -> Result<u32> {
    if (lo..=hi).contains(&v) {
        Ok(v as u32)
    } else {
        Err(validation(format!("{what} must be between {lo} and {hi}, but was {v}")))
    }
}

/// Checks a health check or success-code list: `200`, `200,202`, `200-299`, within `lo..=hi`.
fn check_codes(what: &str, codes: &str, lo: u32, hi: u32) -> Result<()> {
    let ok = !codes.is_empty()
        && codes.split(',').all(|part| {
            let mut ends = part.splitn(2, '-').map(|n| n.trim().parse::<u32>());
            match (ends.next(), ends.next()) {
                (Some(Ok(a)), None) => (lo..=hi).contains(&a),
                (Some(Ok(a)), Some(Ok(b))) => {
                    a <= b && (lo..=hi).contains(&a) && (lo..=hi).contains(&b)
                }
                _ => false,
            }
        });
    if ok {
        Ok(())
    } else {
        Err(validation(format!("{what} '{codes}' must be codes or ranges from {lo} to {hi}")))
    }
}

/// The health check a new group gets: AWS's defaults for its type and protocol, overridden by
/// what was asked; every value checked against AWS's ranges.
fn health_check_for(
    target_type: TargetType,
    protocol: Option<Protocol>,
    protocol_version: Option<&str>,
    current: Option<&HealthCheck>,
    spec: &HealthCheckSpec,
) -> Result<HealthCheck> {
    let lambda = target_type == TargetType::Lambda;
    let application = protocol.is_some_and(Protocol::is_application);
    let grpc = protocol_version == Some("GRPC");
    let hc_protocol = match (&spec.protocol, current) {
        (Some(p), _) => Some(parse_protocol(p)?),
        (None, Some(c)) => c.protocol,
        (None, None) if lambda => None,
        (None, None) if application => protocol,
        (None, None) => Some(Protocol::Tcp),
    };
    if let Some(p) = hc_protocol {
        if !matches!(p, Protocol::Http | Protocol::Https | Protocol::Tcp) {
            return Err(validation(format!(
                "Health check protocol '{}' is not supported",
                p.name()
            )));
        }
        if application && p == Protocol::Tcp {
            return Err(validation(
                "Health check protocol 'TCP' is not supported for target groups with the HTTP or HTTPS protocol",
            ));
        }
    }
    let http_check = hc_protocol.is_some_and(Protocol::is_application) || lambda;
    let geneve = protocol == Some(Protocol::Geneve);
    let d = |field: Option<u32>, default: u32| field.unwrap_or(default);
    let interval = match spec.interval_seconds {
        Some(v) => in_range("Health check interval", v, 5, 300)?,
        None => d(
            current.map(|c| c.interval_seconds),
            if lambda {
                35
            } else if geneve {
                10
            } else {
                30
            },
        ),
    };
    let default_timeout = match (lambda, application, geneve, hc_protocol) {
        (true, ..) => 30,
        (_, true, ..) | (_, _, true, _) => 5,
        (.., Some(Protocol::Http)) => 6,
        _ => 10,
    };
    let timeout = match spec.timeout_seconds {
        Some(v) => in_range("Health check timeout", v, 2, 120)?,
        None => d(current.map(|c| c.timeout_seconds), default_timeout),
    };
    // Network Load Balancer groups may time out after a whole interval (aws/aws-cdk#26031,
    // after AWS's 2022 change; a TLS group given only a 10 s interval keeps its 10 s timeout)
    let network = !lambda
        && matches!(
            protocol,
            Some(Protocol::Tcp | Protocol::Tls | Protocol::Udp | Protocol::TcpUdp)
        );
    if network && timeout > interval {
        return Err(validation(format!(
            "Health check timeout '{timeout}' must be smaller than or equal to the interval '{interval}'"
        )));
    }
    if !network && timeout >= interval {
        // AWS words the same rule differently per operation: CreateTargetGroup
        // (hashicorp/terraform-provider-aws#48071, aws/aws-cdk#3703) and ModifyTargetGroup
        // (hashicorp/terraform-provider-aws#2366)
        return Err(validation(match current {
            None => "Health check interval must be greater than the timeout.".to_owned(),
            Some(_) => format!(
                "Health check timeout '{timeout}' must be smaller than the interval '{interval}'"
            ),
        }));
    }
    let healthy = match spec.healthy_threshold {
        Some(v) => in_range("Healthy threshold count", v, 2, 10)?,
        None => d(current.map(|c| c.healthy_threshold), 5),
    };
    let unhealthy = match spec.unhealthy_threshold {
        Some(v) => in_range("Unhealthy threshold count", v, 2, 10)?,
        None => d(current.map(|c| c.unhealthy_threshold), if lambda { 5 } else { 2 }),
    };
    let port = match &spec.port {
        Some(p) if p == "traffic-port" => p.clone(),
        Some(p) => {
            let n: i32 = p.parse().map_err(|_| {
                validation(format!("Health check port '{p}' must be 'traffic-port' or a port"))
            })?;
            in_range("Health check port", n, 1, 65535)?.to_string()
        }
        None => current
            .map(|c| c.port.clone())
            .unwrap_or_else(|| if geneve { "80".into() } else { "traffic-port".into() }),
    };
    let path = health_check_path(spec, current, http_check, grpc)?;
    let matcher = health_check_matcher(spec, current, http_check, grpc, application || lambda)?;
    let enabled = match (spec.enabled, current) {
        (Some(false), _) if !lambda => {
            return Err(validation(format!(
                "Health checks cannot be disabled for target groups with target type '{}'",
                target_type.name()
            )));
        }
        (Some(e), _) => e,
        (None, Some(c)) => c.enabled,
        (None, None) => !lambda,
    };
    Ok(HealthCheck {
        enabled,
        protocol: hc_protocol,
        port,
        path,
        interval_seconds: interval,
        timeout_seconds: timeout,
        healthy_threshold: healthy,
        unhealthy_threshold: unhealthy,
        matcher,
    })
}

/// The path a health check asks for: only HTTP(S) checks have one (`/`, or gRPC's).
fn health_check_path(
    spec: &HealthCheckSpec,
    current: Option<&HealthCheck>,
    http_check: bool,
    grpc: bool,
) -> Result<Option<String>> {
    Ok(match &spec.path {
        Some(_) if !http_check => {
            return Err(validation(
                "A health check path can be set only for HTTP or HTTPS health checks",
            ));
        }
        Some(p) if !p.starts_with('/') || p.len() > 1024 => {
            return Err(validation(format!(
                "Health check path '{p}' must start with '/' (at most 1024 characters)"
            )));
        }
        Some(p) => Some(p.clone()),
        None => match current.and_then(|c| c.path.clone()) {
            Some(p) if http_check => Some(p),
            _ if http_check && grpc => Some("/AWS.ALB/healthcheck".into()),
            _ if http_check => Some("/".into()),
            _ => None,
        },
    })
}

/// The codes a healthy target answers with: HTTP codes or gRPC codes, for HTTP(S) checks
/// only. `answers_4xx`: application and Lambda groups, whose codes run to 499.
fn health_check_matcher(
    spec: &HealthCheckSpec,
    current: Option<&HealthCheck>,
    http_check: bool,
    grpc: bool,
    answers_4xx: bool,
) -> Result<Option<Matcher>> {
    let (lo, hi) = if answers_4xx { (200, 499) } else { (200, 599) };
    if !http_check && (spec.http_code.is_some() || spec.grpc_code.is_some()) {
        return Err(validation("A matcher can be set only for HTTP or HTTPS health checks"));
    }
    Ok(match (&spec.http_code, &spec.grpc_code) {
        (Some(_), Some(_)) => {
            return Err(validation("A matcher has either HTTP codes or gRPC codes, not both"));
        }
        (Some(c), None) if grpc => {
            return Err(validation(format!(
                "HTTP codes '{c}' cannot be used with the GRPC protocol version"
            )));
        }
        (Some(c), None) => {
            check_codes("HTTP code", c, lo, hi)?;
            Some(Matcher::Http(c.clone()))
        }
        (None, Some(c)) if !grpc => {
            return Err(validation(format!("gRPC codes '{c}' need the GRPC protocol version")));
        }
        (None, Some(c)) => {
            check_codes("gRPC code", c, 0, 99)?;
            Some(Matcher::Grpc(c.clone()))
        }
        (None, None) => match current.and_then(|c| c.matcher.clone()) {
            Some(m) if http_check => Some(m),
            _ if !http_check => None,
            _ if grpc => Some(Matcher::Grpc("12".into())),
            _ if answers_4xx => Some(Matcher::Http("200".into())),
            _ => Some(Matcher::Http("200-399".into())),
        },
    })
}

/// The attributes a new target group has, with AWS's defaults for its type and protocol.
pub fn default_attributes(
    target_type: TargetType,
    protocol: Option<Protocol>,
) -> BTreeMap<String, String> {
    let health: &[(&str, &str)] = &[
        ("target_group_health.dns_failover.minimum_healthy_targets.count", "1"),
        ("target_group_health.dns_failover.minimum_healthy_targets.percentage", "off"),
        ("target_group_health.unhealthy_state_routing.minimum_healthy_targets.count", "1"),
        ("target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage", "off"),
    ];
    let rows: Vec<(&str, &str)> = match (target_type, protocol) {
        (TargetType::Lambda, _) => vec![
            ("lambda.multi_value_headers.enabled", "false"),
            ("stickiness.enabled", "false"),
            ("stickiness.type", "lb_cookie"),
            ("stickiness.lb_cookie.duration_seconds", "86400"),
        ],
        (_, Some(Protocol::Geneve)) => vec![
            ("deregistration_delay.timeout_seconds", "300"),
            ("stickiness.enabled", "false"),
            ("stickiness.type", "source_ip_dest_ip_proto"),
            ("target_failover.on_deregistration", "no_rebalance"),
            ("target_failover.on_unhealthy", "no_rebalance"),
        ],
        (_, Some(p)) if p.is_application() => {
            let mut v = vec![
                ("deregistration_delay.timeout_seconds", "300"),
                ("load_balancing.algorithm.type", "round_robin"),
                ("load_balancing.algorithm.anomaly_mitigation", "off"),
                ("load_balancing.cross_zone.enabled", "use_load_balancer_configuration"),
                ("slow_start.duration_seconds", "0"),
                ("stickiness.enabled", "false"),
                ("stickiness.type", "lb_cookie"),
                ("stickiness.lb_cookie.duration_seconds", "86400"),
                ("stickiness.app_cookie.cookie_name", ""),
                ("stickiness.app_cookie.duration_seconds", "86400"),
            ];
            v.extend_from_slice(health);
            v
        }
        (t, p) => {
            // Network Load Balancer groups: client IPs preserved for instances, and for IP
            // targets over UDP and TCP_UDP.
            let preserve =
                t == TargetType::Instance || matches!(p, Some(Protocol::Udp | Protocol::TcpUdp));
            let mut v = vec![
                ("deregistration_delay.timeout_seconds", "300"),
                ("deregistration_delay.connection_termination.enabled", "false"),
                ("load_balancing.cross_zone.enabled", "use_load_balancer_configuration"),
                ("preserve_client_ip.enabled", if preserve { "true" } else { "false" }),
                ("proxy_protocol_v2.enabled", "false"),
                ("stickiness.enabled", "false"),
                ("stickiness.type", "source_ip"),
                ("target_health_state.unhealthy.connection_termination.enabled", "true"),
                ("target_health_state.unhealthy.draining_interval_seconds", "0"),
            ];
            v.extend_from_slice(health);
            v
        }
    };
    rows.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
}

/// Every stickiness type some kind of target group takes.
const STICKINESS_TYPES: &[&str] =
    &["lb_cookie", "app_cookie", "source_ip", "source_ip_dest_ip", "source_ip_dest_ip_proto"];

/// Checks one attribute change against the group's kind: known key, value of the right form.
fn check_attribute(tg: &TargetGroup, key: &str, value: &str) -> Result<()> {
    let known = default_attributes(tg.target_type, tg.protocol);
    if !known.contains_key(key) {
        return Err(validation(format!(
            "Attribute key '{key}' is not recognized for this target group"
        )));
    }
    let number = |lo: u32, hi: u32| -> Result<()> {
        match value.parse::<u32>() {
            Ok(n) if (lo..=hi).contains(&n) => Ok(()),
            _ => Err(validation(format!("Attribute '{key}' must be an integer from {lo} to {hi}"))),
        }
    };
    let one_of = |allowed: &[&str]| -> Result<()> {
        if allowed.contains(&value) {
            Ok(())
        } else {
            Err(validation(format!("Attribute '{key}' must be one of: {}", allowed.join(", "))))
        }
    };
    match key {
        k if k.ends_with(".enabled") && k != "load_balancing.cross_zone.enabled" => {
            one_of(&["true", "false"])
        }
        "load_balancing.cross_zone.enabled" => {
            one_of(&["true", "false", "use_load_balancer_configuration"])
        }
        "deregistration_delay.timeout_seconds" => number(0, 3600),
        "slow_start.duration_seconds" => {
            if value == "0" {
                Ok(())
            } else {
                number(30, 900)
            }
        }
        "stickiness.lb_cookie.duration_seconds" | "stickiness.app_cookie.duration_seconds" => {
            number(1, 604_800)
        }
        "stickiness.type" => {
            let allowed: &[&str] = match tg.protocol {
                Some(p) if p.is_application() => &["lb_cookie", "app_cookie"],
                Some(Protocol::Geneve) => &["source_ip_dest_ip", "source_ip_dest_ip_proto"],
                None => &["lb_cookie"],
                _ => &["source_ip"],
            };
            match tg.protocol {
                // a type of another kind of group: AWS's InvalidConfigurationRequest "Stickiness
                // type 'lb_cookie' is not supported for target groups with the TCP protocol"
                // (ansible/ansible#67993, hashicorp/boundary-reference-architecture#14)
                Some(p) if STICKINESS_TYPES.contains(&value) && !allowed.contains(&value) => {
                    Err(invalid_configuration(format!(
                        "Stickiness type '{value}' is not supported for target groups with the {} protocol",
                        p.name()
                    )))
                }
                _ => one_of(allowed),
            }
        }
        "load_balancing.algorithm.type" => {
            one_of(&["round_robin", "least_outstanding_requests", "weighted_random"])
        }
        "load_balancing.algorithm.anomaly_mitigation" => one_of(&["on", "off"]),
        "target_failover.on_deregistration" | "target_failover.on_unhealthy" => {
            one_of(&["rebalance", "no_rebalance"])
        }
        "target_health_state.unhealthy.draining_interval_seconds" => number(0, 360_000),
        k if k.ends_with(".count") => {
            if value == "off" {
                Ok(())
            } else {
                number(1, 1_000_000)
            }
        }
        k if k.ends_with(".percentage") => {
            if value == "off" {
                Ok(())
            } else {
                number(1, 100)
            }
        }
        _ => Ok(()),
    }
}

/// The addresses an IP target may have outside its VPC: RFC 1918 and RFC 6598 (100.64/10).
const PRIVATE_RANGES: [(Ipv4Addr, u8); 4] = [
    (Ipv4Addr::new(10, 0, 0, 0), 8),
    (Ipv4Addr::new(172, 16, 0, 0), 12),
    (Ipv4Addr::new(192, 168, 0, 0), 16),
    (Ipv4Addr::new(100, 64, 0, 0), 10),
];

fn in_block(ip: Ipv4Addr, (base, len): (Ipv4Addr, u8)) -> bool {
    Ipv4Cidr::new(base, len).is_some_and(|c| c.contains_addr(ip))
}

fn invalid_target(message: impl Into<String>) -> Error {
    Error::new(Elbv2::InvalidTarget, message)
}

/// Checks a target group's name in AWS's words (as moto's tests quote them): at most 32
/// characters, letters, digits and hyphens — then the pattern of AWS's validation framework
/// for a hyphen at either end or two in a row.
pub fn check_name(name: &str) -> Result<()> {
    if name.chars().count() > 32 {
        return Err(validation(format!(
            "Target group name '{name}' cannot be longer than '32' characters"
        )));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(validation(format!(
            "Target group name '{name}' can only contain characters that are alphanumeric characters or hyphens(-)"
        )));
    }
    if name.is_empty() || name.starts_with('-') || name.ends_with('-') || name.contains("--") {
        return Err(validation(format!(
            "1 validation error detected: Value '{name}' at 'targetGroup.targetGroupArn.targetGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!.*--)(?!^-)(?!.*-$)^[A-Za-z0-9-]+$"
        )));
    }
    Ok(())
}

impl World {
    /// A target group of the scope by ARN.
    pub fn find_target_group(&self, scope: &Scope, arn: &str) -> Result<&TargetGroup> {
        check_arn(arn)?;
        self.target_groups.get(arn).filter(|t| &t.owner == scope).ok_or_else(not_found)
    }

    /// CreateTargetGroup. A repeat with the same name and settings returns the existing ARN.
    pub fn create_target_group(
        &mut self,
        scope: &Scope,
        req: NewTargetGroup,
        now: i64,
    ) -> Result<String> {
        check_name(&req.name)?;
        let target_type = match req.target_type.as_deref() {
            None => TargetType::Instance,
            Some(t) => TargetType::parse(t)
                .ok_or_else(|| validation(format!("Target type '{t}' is not valid")))?,
        };
        let lambda = target_type == TargetType::Lambda;
        let protocol = req.protocol.as_deref().map(parse_protocol).transpose()?;
        if lambda {
            if req.protocol.is_some() || req.port.is_some() || req.vpc_id.is_some() {
                return Err(validation(
                    "A protocol, port and VPC ID cannot be specified for target groups with target type 'lambda'",
                ));
            }
        } else {
            if protocol.is_none() {
                return Err(validation("A protocol must be specified"));
            }
            if req.port.is_none() {
                return Err(validation("A port must be specified"));
            }
            if req.vpc_id.is_none() {
                return Err(validation("A VPC ID must be specified"));
            }
        }
        if target_type == TargetType::Alb && protocol != Some(Protocol::Tcp) {
            return Err(validation(
                "Target groups with target type 'alb' support the TCP protocol only",
            ));
        }
        let port = req.port.map(|p| in_range("Port", p, 1, 65535)).transpose()?.map(|p| p as u16);
        if protocol == Some(Protocol::Geneve) && port != Some(6081) {
            return Err(validation("Target groups with the GENEVE protocol must use port 6081"));
        }
        // Terraform sends an empty ProtocolVersion when none is set; AWS takes it as unset.
        let requested_version = req.protocol_version.as_ref().filter(|v| !v.is_empty());
        let protocol_version = match (requested_version, protocol) {
            (Some(v), Some(p)) if p.is_application() => {
                if !matches!(v.to_ascii_uppercase().as_str(), "HTTP1" | "HTTP2" | "GRPC") {
                    return Err(validation(format!("Protocol version '{v}' is not valid")));
                }
                Some(v.to_ascii_uppercase())
            }
            (Some(_), _) => {
                return Err(validation(
                    "A protocol version can be specified only for HTTP and HTTPS target groups",
                ));
            }
            (None, Some(p)) if p.is_application() => Some("HTTP1".to_owned()),
            (None, _) => None,
        };
        if let Some(vpc) = &req.vpc_id
            && self.vpcs.get(vpc).is_none_or(|v| &v.owner != scope)
        {
            return Err(validation(format!("The VPC ID '{vpc}' is not found")));
        }
        let ip_address_type = req.ip_address_type.clone().unwrap_or_else(|| "ipv4".into());
        if !matches!(ip_address_type.as_str(), "ipv4" | "ipv6") {
            return Err(validation(format!("IP address type '{ip_address_type}' is not valid")));
        }
        let health_check = health_check_for(
            target_type,
            protocol,
            protocol_version.as_deref(),
            None,
            &req.health_check,
        )?;
        if let Some(existing) = self.target_groups.in_scope(scope).find(|t| t.name == req.name) {
            let same = existing.target_type == target_type
                && existing.protocol == protocol
                && existing.port == port
                && existing.vpc_id == req.vpc_id
                && existing.health_check == health_check;
            if same {
                return Ok(existing.arn.clone());
            }
            return Err(Error::new(
                Elbv2::DuplicateTargetGroupName,
                format!(
                    "A target group with the same name '{}' exists, but with different settings",
                    req.name
                ),
            ));
        }
        if self.target_groups.in_scope(scope).count() >= TARGET_GROUPS_PER_REGION {
            return Err(Error::new(
                Elbv2::TooManyTargetGroups,
                format!(
                    "The maximum number of target groups ({TARGET_GROUPS_PER_REGION}) has been reached"
                ),
            ));
        }
        check_tags(&Tags::new(), &req.tags)?;
        let arn =
            scope.arn("elasticloadbalancing", &format!("targetgroup/{}/{}", req.name, hex16()));
        self.target_groups.insert(
            arn.clone(),
            TargetGroup {
                arn: arn.clone(),
                owner: scope.clone(),
                name: req.name.clone(),
                target_type,
                protocol,
                protocol_version,
                port,
                vpc_id: req.vpc_id.clone(),
                ip_address_type,
                health_check,
                attributes: default_attributes(target_type, protocol),
                targets: vec![],
                create_time: now,
                tags: req.tags.into_iter().map(|(k, v)| (k, v.unwrap_or_default())).collect(),
            },
        );
        Ok(arn)
    }

    /// ModifyTargetGroup: the health check settings.
    pub fn modify_target_group(
        &mut self,
        scope: &Scope,
        arn: &str,
        spec: &HealthCheckSpec,
    ) -> Result<()> {
        let tg = self.find_target_group(scope, arn)?;
        let hc = health_check_for(
            tg.target_type,
            tg.protocol,
            tg.protocol_version.as_deref(),
            Some(&tg.health_check),
            spec,
        )?;
        if let Some(tg) = self.target_groups.get_mut(arn) {
            tg.health_check = hc;
        }
        Ok(())
    }

    /// DeleteTargetGroup: refused while a listener or rule forwards to it. An ARN that names
    /// nothing is accepted.
    pub fn delete_target_group(&mut self, scope: &Scope, arn: &str) -> Result<()> {
        check_arn(arn)?;
        if self.target_groups.get(arn).is_none_or(|t| &t.owner != scope) {
            return Ok(());
        }
        if !self.load_balancers_of_target_group(arn).is_empty() {
            return Err(Error::new(
                Elbv2::ResourceInUse,
                format!("Target group '{arn}' is currently in use by a listener or a rule"),
            ));
        }
        self.target_groups.remove(arn);
        Ok(())
    }

    /// ModifyTargetGroupAttributes: known keys only, values checked.
    pub fn modify_target_group_attributes(
        &mut self,
        scope: &Scope,
        arn: &str,
        changes: &[(String, String)],
    ) -> Result<()> {
        let tg = self.find_target_group(scope, arn)?;
        for (k, v) in changes {
            check_attribute(tg, k, v)?;
        }
        if let Some(tg) = self.target_groups.get_mut(arn) {
            for (k, v) in changes {
                tg.attributes.insert(k.clone(), v.clone());
            }
        }
        Ok(())
    }

    /// The zone a target lives in: the instance's, the subnet's holding the address, or the
    /// one given at registration.
    pub fn target_zone(&self, tg: &TargetGroup, target: &Target) -> Option<String> {
        if let Some(z) = &target.availability_zone {
            return Some(z.clone());
        }
        match tg.target_type {
            TargetType::Instance => {
                self.instances.get(&target.id).map(|i| i.availability_zone.clone())
            }
            TargetType::Ip => {
                let ip: Ipv4Addr = target.id.parse().ok()?;
                self.subnets
                    .values()
                    .find(|s| {
                        Some(&s.vpc_id) == tg.vpc_id.as_ref()
                            && s.cidr.is_some_and(|c| c.contains_addr(ip))
                    })
                    .map(|s| s.availability_zone.clone())
            }
            TargetType::Lambda | TargetType::Alb => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deregistered_target_drains_for_the_delay_then_is_gone() {
        let target = |deregistered_at| Target {
            id: "10.0.1.5".into(),
            port: 80,
            availability_zone: None,
            registered_at: 0,
            deregistered_at,
        };
        let tg = TargetGroup {
            arn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef"
                .into(),
            owner: Scope::new("123456789012", "us-east-1"),
            name: "web".into(),
            target_type: TargetType::Ip,
            protocol: Some(Protocol::Http),
            protocol_version: Some("HTTP1".into()),
            port: Some(80),
            vpc_id: Some("vpc-1".into()),
            ip_address_type: "ipv4".into(),
            health_check: HealthCheck {
                enabled: true,
                protocol: Some(Protocol::Http),
                port: "traffic-port".into(),
                path: Some("/".into()),
                interval_seconds: 30,
                timeout_seconds: 5,
                healthy_threshold: 5,
                unhealthy_threshold: 2,
                matcher: Some(Matcher::Http("200".into())),
            },
            attributes: [("deregistration_delay.timeout_seconds".to_owned(), "10".to_owned())]
                .into(),
            targets: vec![target(None), target(Some(1_000))],
            create_time: 0,
            tags: Tags::new(),
        };
        assert_eq!(tg.resource_id(), "web/0123456789abcdef");
        assert_eq!(tg.live_targets(5_000).count(), 2);
        assert_eq!(tg.live_targets(11_000).count(), 1);
        assert_eq!(tg.registered_targets().count(), 1);
        assert_eq!(tg.health_check.port_for(8080), 8080);
        assert_eq!(Protocol::parse("TCP_UDP"), Some(Protocol::TcpUdp));
        assert_eq!(serde_json::to_string(&Protocol::TcpUdp).unwrap(), "\"TCP_UDP\"");
    }
}
