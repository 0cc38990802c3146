//! The stored types of Site-to-Site VPN (operations: [`crate::vpn`]).

use crate::cidr::Ipv4Cidr;
use crate::scope::Scope;
use crate::types::ec2::Tags;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// A virtual private gateway's tie to a VPC. Once detached it stays on record as `detached`
/// until the gateway is attached again, as on AWS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VgwAttachment {
    pub vpc_id: String,
    pub attached: bool,
}

impl VgwAttachment {
    pub fn state(&self) -> &'static str {
        if self.attached { "attached" } else { "detached" }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VpnGateway {
    pub id: String,
    pub owner: Scope,
    pub amazon_side_asn: i64,
    pub availability_zone: Option<String>,
    pub attachment: Option<VgwAttachment>,
    pub tags: Tags,
}

impl VpnGateway {
    /// The VPC the gateway is attached to, if it is.
    pub fn attached_vpc(&self) -> Option<&str> {
        self.attachment.as_ref().filter(|a| a.attached).map(|a| a.vpc_id.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerGateway {
    pub id: String,
    pub owner: Scope,
    pub bgp_asn: i64,
    pub ip_address: Ipv4Addr,
    pub device_name: Option<String>,
    pub tags: Tags,
    /// When it was deleted: AWS lists a deleted gateway as `deleted` for a while.
    #[serde(default)]
    pub delete_time: Option<i64>,
}

impl CustomerGateway {
    pub fn state(&self) -> &'static str {
        if self.delete_time.is_some() { "deleted" } else { "available" }
    }
}

/// One of the two tunnels of a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tunnel {
    /// The AWS end's public address.
    pub outside_ip: Ipv4Addr,
    /// The /30 inside addresses (169.254.0.0/16).
    pub inside_cidr: Ipv4Cidr,
    pub pre_shared_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VpnConnection {
    pub id: String,
    pub owner: Scope,
    pub customer_gateway_id: String,
    /// The virtual private gateway the connection ends at, or none for a connection to a
    /// transit gateway.
    pub vpn_gateway_id: Option<String>,
    /// The transit gateway the connection ends at (through a `vpn` attachment).
    #[serde(default)]
    pub transit_gateway_id: Option<String>,
    pub static_routes_only: bool,
    /// The on-premises CIDRs reached through the connection (CreateVpnConnectionRoute).
    pub routes: Vec<Ipv4Cidr>,
    pub tunnels: Vec<Tunnel>,
    pub tags: Tags,
}

impl VpnConnection {
    /// The gateway the connection ends at: `vgw-…` or `tgw-…`.
    pub fn gateway_id(&self) -> &str {
        self.vpn_gateway_id.as_deref().or(self.transit_gateway_id.as_deref()).unwrap_or_default()
    }

    /// Whether `address` is on premises: inside one of the connection's static routes.
    pub fn reaches(&self, address: Ipv4Addr) -> bool {
        self.routes.iter().any(|c| c.contains_addr(address))
    }
}

/// What CreateVpnConnection asks for.
#[derive(Debug, Clone, Default)]
pub struct NewVpnConnection {
    pub type_: String,
    pub customer_gateway_id: String,
    pub vpn_gateway_id: Option<String>,
    pub transit_gateway_id: Option<String>,
    pub static_routes_only: bool,
    /// Per tunnel: the inside CIDR and pre-shared key asked for, if any.
    pub tunnels: Vec<(Option<String>, Option<String>)>,
    /// When the request came (the creation time of a transit gateway attachment).
    pub now: i64,
}
