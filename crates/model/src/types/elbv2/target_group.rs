//! The stored types of ELBv2's target groups (operations: [`crate::target_group`]).

use crate::scope::Scope;
use crate::types::ec2::Tags;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// ELBv2's protocols (`ProtocolEnum`), of listeners, target groups and health checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Protocol {
    Http,
    Https,
    Tcp,
    Tls,
    Udp,
    TcpUdp,
    Geneve,
}

impl Protocol {
    /// Every protocol, in AWS's order.
    pub const ALL: [Protocol; 7] = [
        Protocol::Http,
        Protocol::Https,
        Protocol::Tcp,
        Protocol::Tls,
        Protocol::Udp,
        Protocol::TcpUdp,
        Protocol::Geneve,
    ];

    /// The wire name: `HTTP`, `HTTPS`, `TCP`, `TLS`, `UDP`, `TCP_UDP`, `GENEVE`.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Http => "HTTP",
            Protocol::Https => "HTTPS",
            Protocol::Tcp => "TCP",
            Protocol::Tls => "TLS",
            Protocol::Udp => "UDP",
            Protocol::TcpUdp => "TCP_UDP",
            Protocol::Geneve => "GENEVE",
        }
    }

    /// The protocol of a wire name (exact case, as ELBv2 reads it).
    pub fn parse(s: &str) -> Option<Self> {
        Protocol::ALL.into_iter().find(|p| p.name() == s)
    }

    /// HTTP or HTTPS: the protocols of Application Load Balancers (layer 7).
    pub fn is_application(self) -> bool {
        matches!(self, Protocol::Http | Protocol::Https)
    }

    /// TCP, TLS, UDP or TCP_UDP: the protocols of Network Load Balancers (layer 4).
    pub fn is_network(self) -> bool {
        matches!(self, Protocol::Tcp | Protocol::Tls | Protocol::Udp | Protocol::TcpUdp)
    }
}

/// What a target group's targets are (`TargetTypeEnum`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetType {
    /// EC2 instances, registered by instance id.
    Instance,
    /// IP addresses.
    Ip,
    /// One Lambda function, registered by ARN (no protocol, port or VPC).
    Lambda,
    /// One Application Load Balancer behind a Network Load Balancer, registered by ARN.
    Alb,
}

impl TargetType {
    /// The wire name: `instance`, `ip`, `lambda`, `alb`.
    pub fn name(self) -> &'static str {
        match self {
            TargetType::Instance => "instance",
            TargetType::Ip => "ip",
            TargetType::Lambda => "lambda",
            TargetType::Alb => "alb",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "instance" => Some(TargetType::Instance),
            "ip" => Some(TargetType::Ip),
            "lambda" => Some(TargetType::Lambda),
            "alb" => Some(TargetType::Alb),
            _ => None,
        }
    }
}

/// The codes a health check counts as success (`Matcher`): HTTP codes (`200`, `200,202`,
/// `200-399`) or, for gRPC target groups, gRPC codes (`0`, `0-99`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Matcher {
    Http(String),
    Grpc(String),
}

/// How the load balancer checks the health of a group's targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheck {
    /// Whether checks run at all; when off, targets are `unavailable`
    /// (`Target.HealthCheckDisabled`). Lambda groups have them off by default.
    pub enabled: bool,
    /// The protocol of the check (HTTP, HTTPS or TCP; GENEVE groups check over HTTP/HTTPS/TCP).
    pub protocol: Option<Protocol>,
    /// `traffic-port` (the port each target was registered with) or a port number.
    pub port: String,
    /// The request path of HTTP/HTTPS checks (`/`, or `/AWS.ALB/healthcheck` for gRPC).
    pub path: Option<String>,
    /// Seconds between checks of one target.
    pub interval_seconds: u32,
    /// Seconds without a response after which a check fails.
    pub timeout_seconds: u32,
    /// Consecutive successes that make an unhealthy target healthy.
    pub healthy_threshold: u32,
    /// Consecutive failures that make a healthy target unhealthy.
    pub unhealthy_threshold: u32,
    /// The success codes of HTTP/HTTPS checks.
    pub matcher: Option<Matcher>,
}

impl HealthCheck {
    /// The port checks go to for a target registered with `target_port`.
    pub fn port_for(&self, target_port: u16) -> u16 {
        self.port.parse().unwrap_or(target_port)
    }
}

/// One registered target: an instance id, an IPv4 address or a Lambda/ALB ARN, and a port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// Instance id, IP address or ARN.
    pub id: String,
    /// The port traffic goes to (the group's port unless registered with another); 0 for
    /// Lambda targets, which have none.
    pub port: u16,
    /// `all` for an IP address outside the VPC (or, a vpclab extension, a loopback address);
    /// otherwise the zone given at registration, if any.
    pub availability_zone: Option<String>,
    /// When it was registered, in milliseconds since the epoch.
    pub registered_at: i64,
    /// When DeregisterTargets removed it (milliseconds since the epoch): it drains until the
    /// deregistration delay has passed. `None` while registered.
    pub deregistered_at: Option<i64>,
}

impl Target {
    /// Whether this is the registration of (`id`, `port`).
    pub fn is(&self, id: &str, port: u16) -> bool {
        self.id == id && self.port == port
    }
}

/// A target group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetGroup {
    /// Its ARN, which is its id.
    pub arn: String,
    pub owner: Scope,
    /// 1–32 letters, digits and hyphens, unique in the account and region.
    pub name: String,
    pub target_type: TargetType,
    /// The protocol traffic reaches the targets with; `None` for Lambda groups.
    pub protocol: Option<Protocol>,
    /// HTTP1, HTTP2 or GRPC, for HTTP/HTTPS groups.
    pub protocol_version: Option<String>,
    /// The default port of targets; `None` for Lambda groups.
    pub port: Option<u16>,
    /// The VPC of the targets; `None` for Lambda groups.
    pub vpc_id: Option<String>,
    /// `ipv4` or `ipv6`.
    pub ip_address_type: String,
    pub health_check: HealthCheck,
    /// Target group attributes by key (`deregistration_delay.timeout_seconds`, `stickiness.*`, …),
    /// every key the group's type and protocol have, with AWS's defaults filled in.
    pub attributes: BTreeMap<String, String>,
    /// Registered and draining targets, in registration order.
    pub targets: Vec<Target>,
    /// Milliseconds since the epoch.
    pub create_time: i64,
    pub tags: Tags,
}

impl TargetGroup {
    /// The deregistration delay in milliseconds (`deregistration_delay.timeout_seconds`).
    pub fn deregistration_delay_ms(&self) -> i64 {
        self.attributes
            .get("deregistration_delay.timeout_seconds")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(300)
            * 1000
    }

    /// Whether a deregistered target is still draining at `now` (ms since the epoch).
    pub fn is_draining(&self, target: &Target, now: i64) -> bool {
        target.deregistered_at.is_some_and(|at| now < at + self.deregistration_delay_ms())
    }

    /// The targets at `now`: registered ones and those still draining.
    pub fn live_targets(&self, now: i64) -> impl Iterator<Item = &Target> + '_ {
        self.targets.iter().filter(move |t| t.deregistered_at.is_none() || self.is_draining(t, now))
    }

    /// The registered targets (not draining): where a load balancer sends new connections.
    pub fn registered_targets(&self) -> impl Iterator<Item = &Target> + '_ {
        self.targets.iter().filter(|t| t.deregistered_at.is_none())
    }

    /// The `name/<hex>` tail of the ARN (`targetgroup/<name>/<hex>` without the kind).
    pub fn resource_id(&self) -> &str {
        self.arn.split_once(":targetgroup/").map_or("", |x| x.1)
    }
}

/// What CreateTargetGroup asks for (health check settings in [`HealthCheckSpec`]).
#[derive(Debug, Clone, Default)]
pub struct NewTargetGroup {
    pub name: String,
    pub target_type: Option<String>,
    pub protocol: Option<String>,
    pub protocol_version: Option<String>,
    pub port: Option<i32>,
    pub vpc_id: Option<String>,
    pub ip_address_type: Option<String>,
    pub health_check: HealthCheckSpec,
    pub tags: Vec<(String, Option<String>)>,
}

/// Health check settings as CreateTargetGroup and ModifyTargetGroup give them (unset: the
/// default, or unchanged).
#[derive(Debug, Clone, Default)]
pub struct HealthCheckSpec {
    pub enabled: Option<bool>,
    pub protocol: Option<String>,
    pub port: Option<String>,
    pub path: Option<String>,
    pub interval_seconds: Option<i32>,
    pub timeout_seconds: Option<i32>,
    pub healthy_threshold: Option<i32>,
    pub unhealthy_threshold: Option<i32>,
    pub http_code: Option<String>,
    pub grpc_code: Option<String>,
}

/// One target as RegisterTargets, DeregisterTargets and DescribeTargetHealth name it.
#[derive(Debug, Clone, Default)]
pub struct TargetSpec {
    pub id: String,
    pub port: Option<i32>,
    pub availability_zone: Option<String>,
}

/// A target's health as DescribeTargetHealth reports it (`TargetHealth`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthReport {
    /// `initial`, `healthy`, `unhealthy`, `unused`, `draining` or `unavailable`.
    pub state: String,
    /// `Elb.RegistrationInProgress`, `Target.NotInUse`, … (`TargetHealthReasonEnum`).
    pub reason: Option<String>,
    pub description: Option<String>,
}

impl HealthReport {
    pub(crate) fn new(state: &str, reason: &str, description: &str) -> Self {
        HealthReport {
            state: state.into(),
            reason: Some(reason.into()),
            description: Some(description.into()),
        }
    }
}
