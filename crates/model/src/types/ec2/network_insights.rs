//! The stored types of Reachability Analyzer paths and analyses (operations: [`crate::network_insights`]).

use crate::types::ec2::PortSpan;
use serde::{Deserialize, Serialize};

/// CreateNetworkInsightsPath's parameters, as the request gives them.
#[derive(Debug, Clone, Default)]
pub struct NewPath {
    /// An id or an ARN.
    pub source: String,
    pub destination: Option<String>,
    pub source_ip: Option<String>,
    pub destination_ip: Option<String>,
    pub protocol: String,
    pub destination_port: Option<i32>,
    pub filter_at_source: Option<FilterRequest>,
    pub filter_at_destination: Option<FilterRequest>,
    pub client_token: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// `FilterAtSource` / `FilterAtDestination` as given; port ranges are (from, to).
#[derive(Debug, Clone, Default)]
pub struct FilterRequest {
    pub source_address: Option<String>,
    pub source_port_range: Option<(Option<i32>, Option<i32>)>,
    pub destination_address: Option<String>,
    pub destination_port_range: Option<(Option<i32>, Option<i32>)>,
}

/// StartNetworkInsightsAnalysis's parameters.
#[derive(Debug, Clone, Default)]
pub struct NewAnalysis {
    pub path_id: String,
    pub filter_in_arns: Vec<String>,
    pub filter_out_arns: Vec<String>,
    pub additional_accounts: Vec<String>,
    pub client_token: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// Where an analysis stands. vpclab finishes an analysis as it starts it: `Running` is only
/// what the start call reports, as AWS's does. A blocked path — even one whose source or
/// destination has gone since the path was made — is a `Succeeded` analysis that explains why;
/// `Failed` is for an analysis that could not be made at all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AnalysisStatus {
    Running,
    #[default]
    Succeeded,
    Failed,
}

impl AnalysisStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AnalysisStatus::Running => "running",
            AnalysisStatus::Succeeded => "succeeded",
            AnalysisStatus::Failed => "failed",
        }
    }
}

/// The answer of an analysis, field for field what `NetworkInsightsAnalysis` reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AnalysisResult {
    pub status: AnalysisStatus,
    /// Why the analysis failed.
    pub status_message: Option<String>,
    /// `NetworkPathFound` (absent when the analysis failed).
    pub path_found: Option<bool>,
    /// `ForwardPathComponents`, numbered from 1.
    pub forward: Vec<PathComponentRecord>,
    /// `ReturnPathComponents`, numbered from 1.
    pub back: Vec<PathComponentRecord>,
    pub explanations: Vec<ExplanationRecord>,
}

/// `AnalysisComponent`: a resource named by id, ARN and `Name` tag.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentRef {
    pub id: String,
    pub arn: Option<String>,
    pub name: Option<String>,
}

/// `PathComponent`: one hop.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PathComponentRecord {
    pub sequence_number: i32,
    pub component: ComponentRef,
    pub vpc: Option<ComponentRef>,
    pub subnet: Option<ComponentRef>,
    pub attached_to: Option<ComponentRef>,
    pub inbound_header: Option<HeaderRecord>,
    pub outbound_header: Option<HeaderRecord>,
    pub acl_rule: Option<AclRuleRecord>,
    pub security_group_rule: Option<SecurityGroupRuleRecord>,
    pub route_table_route: Option<RouteRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_gateway: Option<ComponentRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_gateway_route_table_route: Option<TransitRouteRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The load balancer listener (by ARN) that took the packets.
    pub elastic_load_balancer_listener: Option<ComponentRef>,
}

/// `TransitGatewayRouteTableRoute`: the route a transit gateway route table took.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitRouteRecord {
    pub destination_cidr: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// `static` or `propagated`.
    pub route_origin: String,
    /// `active` or `blackhole`.
    pub state: String,
}

/// `AnalysisPacketHeader`: addresses as CIDR blocks, the protocol as its number (`"6"`).
/// A header may carry only the fields a component changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderRecord {
    pub protocol: Option<String>,
    pub source_addresses: Vec<String>,
    pub destination_addresses: Vec<String>,
    pub source_port_ranges: Vec<PortSpan>,
    pub destination_port_ranges: Vec<PortSpan>,
}

/// `AnalysisAclRule`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclRuleRecord {
    pub cidr: Option<String>,
    pub egress: bool,
    pub port_range: Option<PortSpan>,
    /// `all`, `tcp`, `udp`, `icmp`, or a protocol number.
    pub protocol: String,
    /// `allow` or `deny`.
    pub rule_action: String,
    pub rule_number: i32,
}

/// `AnalysisSecurityGroupRule`: the peer is a CIDR, a group or a prefix list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityGroupRuleRecord {
    pub cidr: Option<String>,
    pub security_group_id: Option<String>,
    pub prefix_list_id: Option<String>,
    /// `ingress` or `egress`.
    pub direction: String,
    pub port_range: Option<PortSpan>,
    pub protocol: String,
}

/// `AnalysisRouteTableRoute`: one destination, one target field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_cidr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_prefix_list_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub egress_only_internet_gateway_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nat_gateway_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_interface_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_peering_connection_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_gateway_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_gateway_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier_gateway_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub core_network_arn: Option<String>,
    /// `createroutetable`, `createroute` or `enablevgwroutepropagation`.
    pub origin: String,
    /// `active` or `blackhole`.
    pub state: String,
}

/// `Explanation`: why one component blocks the path (or why there is no path).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExplanationRecord {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<ComponentRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc: Option<ComponentRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet: Option<ComponentRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_interface: Option<ComponentRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attached_to: Option<ComponentRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_groups: Vec<ComponentRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl: Option<ComponentRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl_rule: Option<AclRuleRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_table: Option<ComponentRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_table_route: Option<RouteRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internet_gateway: Option<ComponentRef>,
    /// The component the packets needed to reach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<ComponentRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_gateway: Option<ComponentRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_gateway_attachment: Option<ComponentRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_gateway_route_table: Option<ComponentRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_gateway_route_table_route: Option<TransitRouteRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer_arn: Option<String>,
}

/// A kind of resource Reachability Analyzer accepts as a path's source and as its destination,
/// told by its id's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathEndKind {
    pub prefix: &'static str,
    /// As AWS's guide names the kind.
    pub name: &'static str,
}
