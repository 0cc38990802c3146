//! Route 53 Resolver's stored types (see [`crate::route53_resolver`] for its operations).

use crate::scope::Scope;
use crate::types::ec2::Tags;
use serde::{Deserialize, Serialize};
use std::net::{Ipv4Addr, SocketAddr};

/// INBOUND or OUTBOUND.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    Inbound,
    Outbound,
}

impl Direction {
    pub fn name(self) -> &'static str {
        match self {
            Direction::Inbound => "INBOUND",
            Direction::Outbound => "OUTBOUND",
        }
    }

    pub(crate) fn id_prefix(self) -> &'static str {
        match self {
            Direction::Inbound => "rslvr-in",
            Direction::Outbound => "rslvr-out",
        }
    }
}

/// One address of an endpoint: an interface in a subnet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointIp {
    /// `rni-…`.
    pub id: String,
    pub subnet_id: String,
    pub ip: Ipv4Addr,
    pub network_interface_id: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolverEndpoint {
    pub id: String,
    pub owner: Scope,
    pub creator_request_id: String,
    pub name: Option<String>,
    pub direction: Direction,
    pub vpc_id: String,
    pub security_group_ids: Vec<String>,
    pub ips: Vec<EndpointIp>,
    pub created_at: i64,
    pub modified_at: i64,
    pub tags: Tags,
}

impl ResolverEndpoint {
    pub fn arn(&self) -> String {
        self.owner.arn("route53resolver", &format!("resolver-endpoint/{}", self.id))
    }
}

/// FORWARD, SYSTEM, or AWS's RECURSIVE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleType {
    Forward,
    System,
    Recursive,
}

impl RuleType {
    pub fn name(self) -> &'static str {
        match self {
            RuleType::Forward => "FORWARD",
            RuleType::System => "SYSTEM",
            RuleType::Recursive => "RECURSIVE",
        }
    }
}

/// Where a FORWARD rule sends queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub ip: Ipv4Addr,
    pub port: u16,
}

impl Target {
    pub fn socket_addr(&self) -> SocketAddr {
        SocketAddr::from((self.ip, self.port))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolverRule {
    pub id: String,
    pub owner: Scope,
    pub creator_request_id: String,
    pub name: Option<String>,
    pub rule_type: RuleType,
    /// Lower case, with the trailing dot (`corp.example.com.`).
    pub domain_name: String,
    pub targets: Vec<Target>,
    pub endpoint_id: Option<String>,
    pub created_at: i64,
    pub modified_at: i64,
    pub tags: Tags,
}

impl ResolverRule {
    pub fn arn(&self) -> String {
        self.owner.arn("route53resolver", &format!("resolver-rule/{}", self.id))
    }

    /// AWS's auto-defined rule for `.`, which every VPC uses and nobody owns.
    pub fn internet_resolver(scope: &Scope) -> ResolverRule {
        ResolverRule {
            id: INTERNET_RESOLVER_RULE_ID.into(),
            owner: scope.clone(),
            creator_request_id: String::new(),
            name: Some("Internet Resolver".into()),
            rule_type: RuleType::Recursive,
            domain_name: ".".into(),
            targets: Vec::new(),
            endpoint_id: None,
            created_at: 0,
            modified_at: 0,
            tags: Tags::new(),
        }
    }
}

/// A rule in use by a VPC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleAssociation {
    pub id: String,
    pub owner: Scope,
    pub rule_id: String,
    pub vpc_id: String,
    pub name: Option<String>,
}

/// CreateResolverEndpoint's parameters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewEndpoint {
    pub creator_request_id: String,
    pub name: Option<String>,
    /// `INBOUND` or `OUTBOUND`.
    pub direction: String,
    pub security_group_ids: Vec<String>,
    /// (subnet, wanted address).
    pub ips: Vec<(String, Option<String>)>,
    pub tags: Vec<(String, String)>,
}

/// A target as requested: (address, port), the port defaulting to [`crate::route53_resolver::DEFAULT_PORT`].
pub type TargetSpec = (Option<String>, Option<i32>);

/// CreateResolverRule's parameters (and UpdateResolverRule's, where they apply).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewRule {
    pub creator_request_id: String,
    pub name: Option<String>,
    /// `FORWARD`, `SYSTEM`…
    pub rule_type: String,
    pub domain_name: Option<String>,
    /// (address, port).
    pub targets: Vec<TargetSpec>,
    pub endpoint_id: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// The id of AWS's auto-defined RECURSIVE rule for `.` (the "Internet Resolver").
pub const INTERNET_RESOLVER_RULE_ID: &str = "rslvr-autodefined-rr-internet-resolver";
