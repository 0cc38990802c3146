//! The stored types of traffic mirroring (operations: [`crate::traffic_mirror`]).

use crate::cidr::Cidr;
use crate::scope::Scope;
use crate::types::ec2::*;
use serde::{Deserialize, Serialize};

/// Where mirrored traffic goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TargetKind {
    NetworkInterface(String),
    NetworkLoadBalancer(String),
    GatewayLoadBalancerEndpoint(String),
}

impl TargetKind {
    /// The `Type` AWS reports.
    pub fn type_name(&self) -> &'static str {
        match self {
            TargetKind::NetworkInterface(_) => "network-interface",
            TargetKind::NetworkLoadBalancer(_) => "network-load-balancer",
            TargetKind::GatewayLoadBalancerEndpoint(_) => "gateway-load-balancer-endpoint",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrafficMirrorTarget {
    /// `tmt-…`.
    pub id: String,
    pub owner: Scope,
    pub kind: TargetKind,
    pub description: Option<String>,
    pub client_token: Option<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortRange {
    pub from: i32,
    pub to: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilterRule {
    /// `tmfr-…`.
    pub id: String,
    /// `ingress` or `egress`.
    pub direction: String,
    pub number: i32,
    /// `accept` or `reject`.
    pub action: String,
    pub protocol: Option<i32>,
    pub source_cidr: Cidr,
    pub destination_cidr: Cidr,
    pub source_ports: Option<PortRange>,
    pub destination_ports: Option<PortRange>,
    pub description: Option<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrafficMirrorFilter {
    /// `tmf-…`.
    pub id: String,
    pub owner: Scope,
    pub description: Option<String>,
    pub network_services: Vec<String>,
    /// In the order created; rendered by direction and number.
    pub rules: Vec<FilterRule>,
    pub client_token: Option<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrafficMirrorSession {
    /// `tms-…`.
    pub id: String,
    pub owner: Scope,
    pub network_interface_id: String,
    pub target_id: String,
    pub filter_id: String,
    pub session_number: i32,
    pub packet_length: Option<i32>,
    pub virtual_network_id: i32,
    pub description: Option<String>,
    pub client_token: Option<String>,
    pub tags: Tags,
}

/// What CreateTrafficMirrorTarget asks for: one of an interface, an NLB ARN, a GWLB endpoint.
#[derive(Debug, Clone, Default)]
pub struct NewTarget {
    pub eni: Option<String>,
    pub nlb: Option<String>,
    pub gwlbe: Option<String>,
    pub description: Option<String>,
    pub client_token: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// What CreateTrafficMirrorFilterRule / ModifyTrafficMirrorFilterRule give (`None`: absent).
#[derive(Debug, Clone, Default)]
pub struct RuleSpec {
    pub direction: Option<String>,
    pub number: Option<i32>,
    pub action: Option<String>,
    pub protocol: Option<i32>,
    pub source_cidr: Option<String>,
    pub destination_cidr: Option<String>,
    pub source_ports: Option<PortRange>,
    pub destination_ports: Option<PortRange>,
    pub description: Option<String>,
    /// ModifyTrafficMirrorFilterRule's RemoveFields.
    pub remove_fields: Vec<String>,
}

/// What CreateTrafficMirrorSession / ModifyTrafficMirrorSession give.
#[derive(Debug, Clone, Default)]
pub struct SessionSpec {
    pub network_interface_id: Option<String>,
    pub target_id: Option<String>,
    pub filter_id: Option<String>,
    pub session_number: Option<i32>,
    pub packet_length: Option<i32>,
    pub virtual_network_id: Option<i32>,
    pub description: Option<String>,
    pub remove_fields: Vec<String>,
}
