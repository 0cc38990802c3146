//! Direct Connect's stored types (see [`crate::direct_connect`] for its operations).

use crate::cidr::Ipv4Cidr;
use crate::scope::Scope;
use crate::types::ec2::Tags;
use serde::{Deserialize, Serialize};

/// A dedicated connection (or a member of a LAG).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DxConnection {
    pub id: String,
    pub owner: Scope,
    pub name: String,
    pub location: String,
    pub bandwidth: String,
    pub lag_id: Option<String>,
    pub provider_name: Option<String>,
    /// Milliseconds since the epoch: when the letter of authorization was issued.
    pub loa_issue_time: i64,
    pub aws_device: String,
    pub tags: Tags,
}

/// A link aggregation group: its connections are those whose `lag_id` names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DxLag {
    pub id: String,
    pub owner: Scope,
    pub name: String,
    pub location: String,
    pub bandwidth: String,
    pub minimum_links: i32,
    pub provider_name: Option<String>,
    pub aws_device: String,
    pub tags: Tags,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VifKind {
    Private,
    Public,
    Transit,
}

impl VifKind {
    /// As DescribeVirtualInterfaces writes `virtualInterfaceType`.
    pub fn as_str(self) -> &'static str {
        match self {
            VifKind::Private => "private",
            VifKind::Public => "public",
            VifKind::Transit => "transit",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BgpPeer {
    pub id: String,
    pub asn: i64,
    pub auth_key: String,
    pub address_family: String,
    pub amazon_address: Option<String>,
    pub customer_address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VirtualInterface {
    pub id: String,
    pub owner: Scope,
    pub kind: VifKind,
    /// The connection or LAG it rides on.
    pub connection_id: String,
    pub location: String,
    pub name: String,
    pub vlan: i32,
    pub amazon_side_asn: i64,
    pub mtu: i32,
    pub virtual_gateway_id: Option<String>,
    pub direct_connect_gateway_id: Option<String>,
    pub route_filter_prefixes: Vec<String>,
    /// The first is the peer created with the interface.
    pub bgp_peers: Vec<BgpPeer>,
    pub tags: Tags,
}

impl VirtualInterface {
    /// The on-premises CIDRs the customer router advertises (the [`crate::types::ec2::ADVERTISED_CIDRS_TAG`] tag);
    /// entries that are not CIDRs are ignored.
    pub fn advertised_cidrs(&self) -> Vec<Ipv4Cidr> {
        crate::types::ec2::advertised_cidrs(&self.tags)
    }

    /// The first (creation) peer.
    pub fn primary_peer(&self) -> Option<&BgpPeer> {
        self.bgp_peers.first()
    }
}

/// A Direct Connect gateway: global, owned by an account (`owner.region` is where it was
/// created, which does not limit it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DxGateway {
    pub id: String,
    pub owner: Scope,
    pub name: String,
    pub amazon_side_asn: i64,
    pub tags: Tags,
}

/// A Direct Connect gateway's tie to a virtual private gateway or a transit gateway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DxGatewayAssociation {
    pub id: String,
    pub dx_gateway_id: String,
    pub dx_gateway_owner: String,
    /// `vgw-…` or `tgw-…`.
    pub gateway_id: String,
    /// The associated gateway's account and region.
    pub gateway_owner: Scope,
    /// The prefixes advertised to on premises through the Direct Connect gateway.
    pub allowed_prefixes: Vec<Ipv4Cidr>,
}

impl DxGatewayAssociation {
    /// `virtualPrivateGateway` or `transitGateway`.
    pub fn gateway_type(&self) -> &'static str {
        if crate::ids::prefix_of(&self.gateway_id) == "tgw" {
            "transitGateway"
        } else {
            "virtualPrivateGateway"
        }
    }
}

/// What CreatePrivate/Public/TransitVirtualInterface ask for.
#[derive(Debug, Clone, Default)]
pub struct NewVif {
    pub name: String,
    pub vlan: i32,
    pub asn: Option<i64>,
    pub mtu: Option<i32>,
    pub auth_key: Option<String>,
    pub amazon_address: Option<String>,
    pub customer_address: Option<String>,
    pub address_family: Option<String>,
    pub virtual_gateway_id: Option<String>,
    pub direct_connect_gateway_id: Option<String>,
    pub route_filter_prefixes: Vec<String>,
    pub tags: Vec<(String, Option<String>)>,
}

/// What CreateBGPPeer asks for.
#[derive(Debug, Clone, Default)]
pub struct NewBgpPeer {
    pub asn: Option<i64>,
    pub auth_key: Option<String>,
    pub address_family: Option<String>,
    pub amazon_address: Option<String>,
    pub customer_address: Option<String>,
}
