//! The stored types of transit gateways (operations: [`crate::transit_gateway`]).

use crate::cidr::Ipv4Cidr;
use crate::scope::Scope;
use crate::types::ec2::Tags;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TgwOptions {
    pub amazon_side_asn: i64,
    pub auto_accept_shared_attachments: bool,
    pub default_route_table_association: bool,
    pub default_route_table_propagation: bool,
    /// The table new attachments are associated with (while default association is on).
    pub association_default_route_table_id: Option<String>,
    /// The table new attachments propagate into (while default propagation is on).
    pub propagation_default_route_table_id: Option<String>,
    pub dns_support: bool,
    pub vpn_ecmp_support: bool,
    pub multicast_support: bool,
    pub security_group_referencing_support: bool,
    /// TransitGatewayCidrBlocks (IPv4 or IPv6 CIDRs for Connect peers), as given.
    pub cidr_blocks: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransitGateway {
    pub id: String,
    pub owner: Scope,
    pub description: Option<String>,
    pub options: TgwOptions,
    pub create_time: i64,
    pub delete_time: Option<i64>,
    pub tags: Tags,
}

impl TransitGateway {
    pub fn is_live(&self) -> bool {
        self.delete_time.is_none()
    }

    pub fn state(&self) -> &'static str {
        if self.is_live() { "available" } else { "deleted" }
    }

    pub fn arn(&self) -> String {
        self.owner.arn("ec2", &format!("transit-gateway/{}", self.id))
    }
}

/// What CreateTransitGateway asks for (options absent take AWS's defaults).
#[derive(Debug, Clone, Default)]
pub struct NewTransitGateway {
    pub description: Option<String>,
    pub amazon_side_asn: Option<i64>,
    pub auto_accept_shared_attachments: Option<String>,
    pub default_route_table_association: Option<String>,
    pub default_route_table_propagation: Option<String>,
    pub dns_support: Option<String>,
    pub vpn_ecmp_support: Option<String>,
    pub multicast_support: Option<String>,
    pub security_group_referencing_support: Option<String>,
    pub cidr_blocks: Vec<String>,
    pub tags: Vec<(String, String)>,
}

/// What ModifyTransitGateway changes (absent: unchanged).
#[derive(Debug, Clone, Default)]
pub struct TgwModification {
    pub description: Option<String>,
    pub amazon_side_asn: Option<i64>,
    pub auto_accept_shared_attachments: Option<String>,
    pub default_route_table_association: Option<String>,
    pub default_route_table_propagation: Option<String>,
    pub association_default_route_table_id: Option<String>,
    pub propagation_default_route_table_id: Option<String>,
    pub dns_support: Option<String>,
    pub vpn_ecmp_support: Option<String>,
    pub security_group_referencing_support: Option<String>,
    pub add_cidr_blocks: Vec<String>,
    pub remove_cidr_blocks: Vec<String>,
}

/// An attachment's state (AWS has more transitional ones; vpclab moves at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttachmentState {
    Available,
    /// A peering attachment waiting for the peer's owner (AcceptTransitGatewayPeeringAttachment).
    PendingAcceptance,
    Rejected,
    /// A peering whose peer gateway does not exist.
    Failed,
    Deleted,
}

impl AttachmentState {
    pub fn name(self) -> &'static str {
        match self {
            AttachmentState::Available => "available",
            AttachmentState::PendingAcceptance => "pendingAcceptance",
            AttachmentState::Rejected => "rejected",
            AttachmentState::Failed => "failed",
            AttachmentState::Deleted => "deleted",
        }
    }
}

/// The data of a VPC attachment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VpcAttachmentData {
    pub vpc_id: String,
    /// One subnet per availability zone: where the gateway meets the VPC.
    pub subnet_ids: Vec<String>,
    /// The gateway's interface in each subnet, in the order of `subnet_ids`.
    pub network_interface_ids: Vec<String>,
    pub appliance_mode_support: bool,
    pub dns_support: bool,
    pub ipv6_support: bool,
    pub security_group_referencing_support: bool,
}

/// What an attachment connects, with the kind's own data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AttachmentResource {
    Vpc(VpcAttachmentData),
    /// A site-to-site VPN connection ending on the gateway.
    Vpn {
        vpn_connection_id: String,
    },
    /// A peering with another transit gateway (possibly of another region or account). ONE
    /// attachment, seen from both gateways: the requester's is
    /// [`TgwAttachment::transit_gateway_id`] (its route table association in
    /// [`TgwAttachment::association`]), the accepter's is `peer_transit_gateway_id`, with its
    /// own association `peer_association`.
    Peering {
        peer_transit_gateway_id: String,
        peer_owner: Scope,
        /// The accepter gateway's route table for what enters it by the peering.
        #[serde(default)]
        peer_association: Option<String>,
        /// The accepter's own tags on the attachment (each side tags it for itself).
        #[serde(default)]
        accepter_tags: Tags,
    },
    DirectConnectGateway {
        direct_connect_gateway_id: String,
    },
}

impl AttachmentResource {
    /// The `ResourceType` the API reports.
    pub fn resource_type(&self) -> &'static str {
        match self {
            AttachmentResource::Vpc(_) => "vpc",
            AttachmentResource::Vpn { .. } => "vpn",
            AttachmentResource::Peering { .. } => "peering",
            AttachmentResource::DirectConnectGateway { .. } => "direct-connect-gateway",
        }
    }

    /// The `ResourceId` the API reports.
    pub fn resource_id(&self) -> &str {
        match self {
            AttachmentResource::Vpc(v) => &v.vpc_id,
            AttachmentResource::Vpn { vpn_connection_id } => vpn_connection_id,
            AttachmentResource::Peering { peer_transit_gateway_id, .. } => peer_transit_gateway_id,
            AttachmentResource::DirectConnectGateway { direct_connect_gateway_id } => {
                direct_connect_gateway_id
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TgwAttachment {
    pub id: String,
    /// The account (and region) that owns the attached resource.
    pub owner: Scope,
    pub transit_gateway_id: String,
    pub resource: AttachmentResource,
    pub state: AttachmentState,
    /// The route table the attachment is associated with: it routes traffic that enters the
    /// gateway from this attachment. At most one.
    pub association: Option<String>,
    pub create_time: i64,
    pub delete_time: Option<i64>,
    pub tags: Tags,
}

impl TgwAttachment {
    /// Neither deleted, rejected nor failed.
    pub fn is_live(&self) -> bool {
        !matches!(
            self.state,
            AttachmentState::Deleted | AttachmentState::Rejected | AttachmentState::Failed
        )
    }

    /// The accepter gateway of a peering.
    pub fn peer_gateway(&self) -> Option<&str> {
        match &self.resource {
            AttachmentResource::Peering { peer_transit_gateway_id, .. } => {
                Some(peer_transit_gateway_id)
            }
            _ => None,
        }
    }

    /// Whether the attachment is on gateway `tgw` (a peering is on two).
    pub fn on_gateway(&self, tgw: &str) -> bool {
        self.transit_gateway_id == tgw || self.peer_gateway() == Some(tgw)
    }

    /// The gateway at the other end of a peering, seen from `tgw`.
    pub fn across(&self, tgw: &str) -> Option<&str> {
        let peer = self.peer_gateway()?;
        if tgw == self.transit_gateway_id {
            Some(peer)
        } else if tgw == peer {
            Some(&self.transit_gateway_id)
        } else {
            None
        }
    }

    /// The route table the attachment is associated with on gateway `tgw`: the one that
    /// routes what enters `tgw` by it.
    pub fn association_on(&self, tgw: &str) -> Option<&str> {
        match &self.resource {
            _ if tgw == self.transit_gateway_id => self.association.as_deref(),
            AttachmentResource::Peering { peer_transit_gateway_id, peer_association, .. }
                if peer_transit_gateway_id == tgw =>
            {
                peer_association.as_deref()
            }
            _ => None,
        }
    }

    /// The association slot of gateway `tgw`'s side.
    pub(crate) fn association_slot(&mut self, tgw: &str) -> Option<&mut Option<String>> {
        if tgw == self.transit_gateway_id {
            return Some(&mut self.association);
        }
        match &mut self.resource {
            AttachmentResource::Peering { peer_transit_gateway_id, peer_association, .. }
                if peer_transit_gateway_id == tgw =>
            {
                Some(peer_association)
            }
            _ => None,
        }
    }

    /// The tags of the attachment seen from gateway `tgw`: a peering's accepter has its own.
    pub fn tags_seen_from(&self, tgw: &str) -> &Tags {
        match &self.resource {
            AttachmentResource::Peering { peer_transit_gateway_id, accepter_tags, .. }
                if peer_transit_gateway_id == tgw =>
            {
                accepter_tags
            }
            _ => &self.tags,
        }
    }

    /// The id of what is behind the attachment seen from gateway `tgw`: for a peering, the
    /// gateway at the other end.
    pub fn resource_id_from<'a>(&'a self, tgw: &str) -> &'a str {
        self.across(tgw).unwrap_or(self.resource.resource_id())
    }

    /// Whether one side of the attachment is associated with route table `rtb_id`.
    pub fn associated_with(&self, rtb_id: &str) -> bool {
        self.association.as_deref() == Some(rtb_id)
            || matches!(&self.resource, AttachmentResource::Peering { peer_association: Some(p), .. } if p == rtb_id)
    }

    /// Carries traffic.
    pub fn is_available(&self) -> bool {
        self.state == AttachmentState::Available
    }

    /// The VPC attachment's data, if it is one.
    pub fn vpc(&self) -> Option<&VpcAttachmentData> {
        match &self.resource {
            AttachmentResource::Vpc(v) => Some(v),
            _ => None,
        }
    }
}

/// Where a static route sends traffic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TgwRouteTarget {
    Attachment(String),
    /// Dropped on purpose.
    Blackhole,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TgwStaticRoute {
    pub destination: Ipv4Cidr,
    pub target: TgwRouteTarget,
}

/// A prefix-list reference: a route to `target` for every entry of a customer-managed prefix
/// list (CreateTransitGatewayPrefixListReference).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TgwPrefixListReference {
    pub prefix_list_id: String,
    pub target: TgwRouteTarget,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TgwRouteTable {
    pub id: String,
    /// The gateway's owner.
    pub owner: Scope,
    pub transit_gateway_id: String,
    /// Attachments propagating their routes into the table (EnableTransitGatewayRouteTablePropagation).
    pub propagations: Vec<String>,
    pub routes: Vec<TgwStaticRoute>,
    /// Prefix-list references: static routes for every entry of each list.
    #[serde(default)]
    pub prefix_list_references: Vec<TgwPrefixListReference>,
    pub create_time: i64,
    pub delete_time: Option<i64>,
    pub tags: Tags,
}

impl TgwRouteTable {
    pub fn is_live(&self) -> bool {
        self.delete_time.is_none()
    }

    pub fn state(&self) -> &'static str {
        if self.is_live() { "available" } else { "deleted" }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TgwRouteType {
    Static,
    Propagated,
}

impl TgwRouteType {
    pub fn name(self) -> &'static str {
        match self {
            TgwRouteType::Static => "static",
            TgwRouteType::Propagated => "propagated",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TgwRouteState {
    Active,
    Blackhole,
}

impl TgwRouteState {
    pub fn name(self) -> &'static str {
        match self {
            TgwRouteState::Active => "active",
            TgwRouteState::Blackhole => "blackhole",
        }
    }
}

/// A route in force in a transit gateway route table (derived, see
/// [`crate::World::transit_gateway_routes`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TgwRoute {
    pub destination: Ipv4Cidr,
    pub route_type: TgwRouteType,
    /// The attachments traffic goes to: one for a static route, one or more (ECMP) for a
    /// propagated one; empty for a blackhole route.
    pub attachment_ids: Vec<String>,
    /// Blackhole for a blackhole route and for a static route whose attachment is gone.
    pub state: TgwRouteState,
    /// The prefix list of a route made by a prefix-list reference.
    pub prefix_list_id: Option<String>,
}

/// CreateTransitGatewayRoute / ReplaceTransitGatewayRoute / DeleteTransitGatewayRoute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteChange {
    Create,
    Replace,
    Delete,
}

/// What CreateTransitGatewayVpcAttachment asks for.
#[derive(Debug, Clone, Default)]
pub struct NewVpcAttachment {
    pub transit_gateway_id: String,
    pub vpc_id: String,
    pub subnet_ids: Vec<String>,
    pub appliance_mode_support: Option<String>,
    pub dns_support: Option<String>,
    pub ipv6_support: Option<String>,
    pub security_group_referencing_support: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// What ModifyTransitGatewayVpcAttachment changes.
#[derive(Debug, Clone, Default)]
pub struct VpcAttachmentModification {
    pub add_subnet_ids: Vec<String>,
    pub remove_subnet_ids: Vec<String>,
    pub appliance_mode_support: Option<String>,
    pub dns_support: Option<String>,
    pub ipv6_support: Option<String>,
    pub security_group_referencing_support: Option<String>,
}
