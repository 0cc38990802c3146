//! The stored types of VPC endpoints (operations: [`crate::vpc_endpoint`]).

use crate::scope::Scope;
use crate::types::ec2::*;
use serde::{Deserialize, Serialize};

/// `Gateway`, `Interface` or `GatewayLoadBalancer` (to a Gateway Load Balancer endpoint
/// service).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EndpointType {
    Gateway,
    Interface,
    GatewayLoadBalancer,
}

impl EndpointType {
    pub fn name(self) -> &'static str {
        match self {
            EndpointType::Gateway => "Gateway",
            EndpointType::Interface => "Interface",
            EndpointType::GatewayLoadBalancer => "GatewayLoadBalancer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "Gateway" => Some(EndpointType::Gateway),
            "Interface" => Some(EndpointType::Interface),
            "GatewayLoadBalancer" => Some(EndpointType::GatewayLoadBalancer),
            _ => None,
        }
    }
}

/// An endpoint's state; to an endpoint service it is also the connection's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EndpointState {
    Available,
    Deleted,
    /// Waiting for the endpoint service's owner to accept it.
    PendingAcceptance,
    /// The endpoint service's owner rejected it.
    Rejected,
}

impl EndpointState {
    pub fn name(self) -> &'static str {
        match self {
            EndpointState::Available => "available",
            EndpointState::Deleted => "deleted",
            EndpointState::PendingAcceptance => "pendingAcceptance",
            EndpointState::Rejected => "rejected",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VpcEndpoint {
    pub id: String,
    pub owner: Scope,
    pub vpc_id: String,
    pub service_name: String,
    pub endpoint_type: EndpointType,
    pub state: EndpointState,
    pub policy_document: Option<String>,
    pub route_table_ids: Vec<String>,
    pub subnet_ids: Vec<String>,
    pub network_interface_ids: Vec<String>,
    pub security_group_ids: Vec<String>,
    pub private_dns_enabled: bool,
    /// Milliseconds since the epoch.
    pub create_time: i64,
    pub delete_time: Option<i64>,
    pub client_token: Option<String>,
    pub tags: Tags,
}

impl VpcEndpoint {
    /// Not deleted: it holds its interfaces and routes (whether traffic passes depends on
    /// [`VpcEndpoint::passes_traffic`]).
    pub fn is_live(&self) -> bool {
        self.state != EndpointState::Deleted
    }

    /// Available: an endpoint waiting for acceptance, or rejected, carries nothing.
    pub fn passes_traffic(&self) -> bool {
        self.state == EndpointState::Available
    }
}

/// One AWS service endpoints can reach, as DescribeVpcEndpointServices lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub name: String,
    /// The short name (`s3`, `ecr.api`).
    pub short: &'static str,
    pub types: Vec<EndpointType>,
    /// The name private DNS answers for interface endpoints.
    pub private_dns_name: Option<String>,
}

impl Service {
    pub fn supports(&self, t: EndpointType) -> bool {
        self.types.contains(&t)
    }
}

/// What CreateVpcEndpoint asks for.
#[derive(Debug, Clone, Default)]
pub struct NewVpcEndpoint {
    pub vpc_id: String,
    pub service_name: String,
    pub endpoint_type: Option<String>,
    pub policy_document: Option<String>,
    pub route_table_ids: Vec<String>,
    pub subnet_ids: Vec<String>,
    pub security_group_ids: Vec<String>,
    pub private_dns_enabled: Option<bool>,
    pub client_token: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// What ModifyVpcEndpoint asks for.
#[derive(Debug, Clone, Default)]
pub struct EndpointChange {
    pub add_route_table_ids: Vec<String>,
    pub remove_route_table_ids: Vec<String>,
    pub add_subnet_ids: Vec<String>,
    pub remove_subnet_ids: Vec<String>,
    pub add_security_group_ids: Vec<String>,
    pub remove_security_group_ids: Vec<String>,
    pub policy_document: Option<String>,
    pub reset_policy: bool,
    pub private_dns_enabled: Option<bool>,
}
