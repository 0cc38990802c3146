//! The plane's configuration: plain data, built by the binary from the ELBv2 resources.
//!
//! Names and meanings follow the ELBv2 API (`CreateLoadBalancer`, `CreateListener`,
//! `CreateRule`, `CreateTargetGroup`, `RegisterTargets`, the target group attributes), so the
//! conversion from the model is a field-by-field copy. Durations are [`Duration`]s, not seconds,
//! so tests can use intervals AWS would refuse.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// Everything the plane serves: the balancers with their listeners, and the target groups their
/// actions name (by ARN).
#[derive(Clone, PartialEq, Debug, Default)]
pub struct Config {
    /// The load balancers, each with its listeners.
    pub balancers: Vec<Balancer>,
    /// Target groups by ARN.
    pub target_groups: BTreeMap<String, TargetGroup>,
}

/// One load balancer.
#[derive(Clone, PartialEq, Debug)]
pub struct Balancer {
    /// Its ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// Its DNS name (`name-123.us-east-1.elb.amazonaws.com`); [`crate::Plane::serve_by_host`]
    /// matches the `Host` header against it.
    pub dns_name: String,
    /// Application, network or gateway.
    pub kind: Kind,
    /// The Availability Zones it is enabled in.
    pub zones: Vec<String>,
    /// Cross-zone load balancing (on by default for ALB, off for NLB). Recorded; the plane
    /// balances across all zones whatever it says (one local node stands for every zone).
    pub cross_zone: bool,
    /// ALB: `idle_timeout.timeout_seconds` (default 60 s): how long a target may take to answer
    /// before the client gets 504. NLB: the TCP idle timeout (350 s); UDP flows use 120 s.
    pub idle_timeout: Duration,
    /// Its listeners.
    pub listeners: Vec<Listener>,
}

/// The kind of a load balancer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// Layer 7: HTTP/HTTPS listeners, rules.
    Application,
    /// Layer 4: TCP/TLS/UDP/TCP_UDP listeners.
    Network,
    /// GENEVE appliances. The plane opens no listener for these.
    Gateway,
}

/// ELBv2's protocols: the model's own type, so the plane and the API cannot disagree.
pub use model::target_group::Protocol;

/// One listener: a port, a protocol, rules and default actions.
#[derive(Clone, PartialEq, Debug)]
pub struct Listener {
    /// Its ARN: the key that keeps its local port stable across [`crate::Plane::apply`].
    pub arn: String,
    /// The port as configured in AWS (80, 443…). The plane listens on an ephemeral local port;
    /// this one is what `X-Forwarded-Port` and redirects' `#{port}` say.
    pub port: u16,
    /// Its protocol.
    pub protocol: Protocol,
    /// Applied when no rule matches (the listener's default rule).
    pub default_actions: Vec<Action>,
    /// Rules, evaluated by ascending priority (the plane sorts them).
    pub rules: Vec<Rule>,
    /// HTTPS/TLS: the certificate to present; `None` = a self-signed one for the balancer's DNS
    /// name.
    pub certificate: Option<CertificatePem>,
}

/// A certificate chain and its private key, PEM encoded.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CertificatePem {
    /// The certificate chain, leaf first.
    pub chain: String,
    /// The private key (PKCS#8, PKCS#1 or SEC1).
    pub key: String,
}

/// A listener rule: all its conditions must match; then its actions apply.
#[derive(Clone, PartialEq, Debug)]
pub struct Rule {
    /// Its ARN.
    pub arn: String,
    /// 1–50000; lower is evaluated first.
    pub priority: u32,
    /// All must match (AND); within a condition any value may match (OR).
    pub conditions: Vec<Condition>,
    /// What to do: the first terminal action (forward, redirect, fixed response) decides.
    pub actions: Vec<Action>,
}

/// A rule condition, as ALB documents them.
#[derive(Clone, PartialEq, Debug)]
pub enum Condition {
    /// `host-header`: the request's host name (port dropped), case-insensitive; `*` matches any
    /// run of characters and `?` exactly one.
    HostHeader(Vec<String>),
    /// `path-pattern`: the request path (without the query string), case-sensitive, with `*`
    /// and `?` wildcards.
    PathPattern(Vec<String>),
    /// `http-header`: a header named `name` (case-insensitive) with a value matching one of
    /// `values` (case-insensitive, wildcards).
    HttpHeader {
        /// The header name.
        name: String,
        /// Patterns for its value.
        values: Vec<String>,
    },
    /// `http-request-method`: exact and case-sensitive (`GET`, `POST`, custom methods).
    HttpRequestMethod(Vec<String>),
    /// `query-string`: one of these `(key, value)` pairs is in the query string; no key means
    /// any key. Case-insensitive, wildcards in both.
    QueryString(Vec<(Option<String>, String)>),
    /// `source-ip`: the client address (not `X-Forwarded-For`) is in one of these CIDR blocks.
    SourceIp(Vec<(IpAddr, u8)>),
}

/// A listener or rule action.
#[derive(Clone, PartialEq, Debug)]
pub enum Action {
    /// `forward` to one or more weighted target groups.
    Forward {
        /// `(target group ARN, weight)`; weights 0–999, traffic split in proportion.
        groups: Vec<(String, u32)>,
        /// Target group stickiness: a client keeps its group for this long (`AWSALBTG` cookie).
        group_stickiness: Option<Duration>,
    },
    /// `redirect`: each part may use `#{protocol}`, `#{host}`, `#{port}`, `#{path}`,
    /// `#{query}`; `None` keeps the request's own.
    Redirect {
        /// `HTTP`, `HTTPS` or `#{protocol}`.
        protocol: Option<String>,
        /// The host.
        host: Option<String>,
        /// The port.
        port: Option<String>,
        /// The path (starting with `/`).
        path: Option<String>,
        /// The query, without the leading `?`.
        query: Option<String>,
        /// `HTTP_301` or `HTTP_302`.
        status_code: String,
    },
    /// `fixed-response`.
    FixedResponse {
        /// `2XX`, `4XX` or `5XX` as digits (`"503"`).
        status_code: String,
        /// `text/plain`, `text/css`, `text/html`, `application/javascript`, `application/json`.
        content_type: Option<String>,
        /// Up to 1024 bytes.
        body: Option<String>,
    },
}

/// A target group.
#[derive(Clone, PartialEq, Debug)]
pub struct TargetGroup {
    /// Its ARN.
    pub arn: String,
    /// The protocol to the targets.
    pub protocol: Protocol,
    /// `HTTP1` (default), `HTTP2` or `GRPC` (the last two speak HTTP/2 to targets).
    pub protocol_version: Option<String>,
    /// The default port of its targets.
    pub port: u16,
    /// Its registered targets.
    pub targets: Vec<Target>,
    /// How its targets are probed.
    pub health_check: HealthCheck,
    /// Target stickiness.
    pub stickiness: Option<Stickiness>,
    /// `deregistration_delay.timeout_seconds` (default 300 s): how long a draining target's
    /// existing connections may go on. The binary removes the target after it.
    pub deregistration_delay: Duration,
    /// `slow_start.duration_seconds` (ALB, 0 = off): a newly healthy target's share ramps up
    /// linearly over this time.
    pub slow_start: Duration,
    /// ALB `load_balancing.algorithm.type`.
    pub algorithm: Algorithm,
    /// NLB `proxy_protocol_v2.enabled`: send a PROXY v2 header on each target connection.
    pub proxy_protocol_v2: bool,
}

/// A registered target.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Target {
    /// As registered: an instance id or an IP address.
    pub id: String,
    /// Its port (the group's port unless registered with another).
    pub port: u16,
    /// Where the plane connects to reach it on this machine.
    pub address: SocketAddr,
    /// Its Availability Zone; `None` = `all`.
    pub zone: Option<String>,
    /// Deregistered and draining: no new requests or connections.
    pub draining: bool,
}

/// Target group health check settings.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HealthCheck {
    /// Off: targets are never probed and count as healthy.
    pub enabled: bool,
    /// `HTTP`, `HTTPS` or `TCP`.
    pub protocol: Protocol,
    /// `None` = `traffic-port` (the target's port). Another port is probed on the target
    /// address's IP.
    pub port: Option<u16>,
    /// HTTP(S): the path to `GET`.
    pub path: String,
    /// Between probes (AWS: 5–300 s, default 30).
    pub interval: Duration,
    /// Without an answer for this long a probe fails (`Target.Timeout`).
    pub timeout: Duration,
    /// Consecutive successes that make an unhealthy target healthy (a new target needs one).
    pub healthy_threshold: u32,
    /// Consecutive failures that make a target unhealthy.
    pub unhealthy_threshold: u32,
    /// HTTP codes that mean healthy: `"200"`, `"200-299"`, `"200,202"`.
    pub matcher: String,
}

impl Default for HealthCheck {
    fn default() -> Self {
        HealthCheck {
            enabled: true,
            protocol: Protocol::Http,
            port: None,
            path: "/".into(),
            interval: Duration::from_secs(30),
            timeout: Duration::from_secs(5),
            healthy_threshold: 5,
            unhealthy_threshold: 2,
            matcher: "200".into(),
        }
    }
}

/// Target stickiness (`stickiness.type`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Stickiness {
    /// `lb_cookie`: the balancer's `AWSALB`/`AWSALBCORS` cookies, valid for `duration`.
    LbCookie {
        /// `stickiness.lb_cookie.duration_seconds`.
        duration: Duration,
    },
    /// `app_cookie`: follows the application's cookie `name`; the balancer adds `AWSALBAPP-0`.
    AppCookie {
        /// `stickiness.app_cookie.cookie_name`.
        name: String,
        /// `stickiness.app_cookie.duration_seconds`.
        duration: Duration,
    },
    /// `source_ip` (NLB): flows from one client address go to one target.
    SourceIp,
}

/// `load_balancing.algorithm.type`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Algorithm {
    /// `round_robin` (the default).
    #[default]
    RoundRobin,
    /// `least_outstanding_requests`: the target with fewest requests in flight.
    LeastOutstandingRequests,
    /// `weighted_random`.
    WeightedRandom,
}
