//! Transit gateways: a regional hub that attachments (VPCs, VPN connections, peerings with
//! other transit gateways, Direct Connect gateways) plug into, with its own route tables.
//!
//! The model, in three tables of [`World`]:
//! - [`TransitGateway`] (`tgw-`): the hub and its options. With default association and/or
//!   propagation enabled (AWS's default) it gets a default route table at creation, named by
//!   [`TgwOptions::association_default_route_table_id`] /
//!   [`TgwOptions::propagation_default_route_table_id`].
//! - [`TgwAttachment`] (`tgw-attach-`): ONE table for every kind of attachment. Each knows its
//!   transit gateway, owner, state, the one route table it is associated with
//!   ([`TgwAttachment::association`]: the table used to route what ENTERS the gateway through
//!   it) and its kind's data ([`AttachmentResource`]). A VPC attachment holds one subnet per
//!   availability zone and one requester-managed interface (`interface_type`
//!   `transit_gateway`) in each.
//! - [`TgwRouteTable`] (`tgw-rtb-`): the attachments propagating into it and its static routes
//!   (CIDR → attachment, or blackhole).
//!
//! Routes in force are derived at read time, never stored: [`World::transit_gateway_routes`]
//! (static routes plus those propagated by each propagating attachment, per kind in
//! [`World::tgw_propagated_cidrs`]) and [`World::tgw_route_for`] (longest prefix match). The
//! engine walks a packet as: VPC route → [`World::tgw_attachment_in_vpc`] (the gateway's
//! attachment in the source VPC) → its associated table ([`TgwAttachment::association`]) →
//! [`World::tgw_route_for`] → the target attachment → for a VPC attachment, its subnet in the
//! packet's zone ([`World::tgw_attachment_subnet_in_zone`]) and that VPC's route tables.
//!
//! Everything is ready at once: a gateway, attachment or table is `available` when created
//! (the create calls answer `pending`, as on AWS, and the next Describe shows `available`).
//! Deleted gateways, attachments and tables stay listed as `deleted` for
//! [`DELETED_RETENTION_MS`], as AWS lists them for a while; lookups by the other operations
//! treat them as missing.

use crate::cidr::Ipv4Cidr;
use crate::eni::ManagedInterface;
use crate::error::{Error, Result};
use crate::lookup;
use crate::resources::Tags;
use crate::world::{Scope, World};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// The Amazon side ASN of a gateway created without one.
pub const DEFAULT_AMAZON_SIDE_ASN: i64 = 64512;
/// How long deleted gateways, attachments and route tables are still listed.
pub const DELETED_RETENTION_MS: i64 = 60 * 60 * 1000;
/// Static routes per transit gateway route table (AWS's default quota: 10,000 routes across
/// all tables; vpclab counts per table).
pub const ROUTES_PER_TABLE: usize = 10_000;
/// Transit gateway route tables per gateway (AWS's default quota).
pub const ROUTE_TABLES_PER_GATEWAY: usize = 20;
/// Transit gateways per account and region (AWS's default quota).
pub const GATEWAYS_PER_REGION: usize = 5;

/// AWS's answer for a transit gateway id that names none.
pub fn gateway_not_found(id: &str) -> Error {
    Error::new(
        "InvalidTransitGatewayID.NotFound",
        format!("Transit Gateway {id} was deleted or does not exist."),
    )
}

/// AWS's answer for an attachment id that names none.
pub fn attachment_not_found(id: &str) -> Error {
    Error::new(
        lookup::TRANSIT_GATEWAY_ATTACHMENT.not_found,
        format!("Transit Gateway Attachment {id} was deleted or does not exist."),
    )
}

/// AWS's answer for a transit gateway route table id that names none.
pub fn route_table_not_found(id: &str) -> Error {
    Error::new(
        lookup::TRANSIT_GATEWAY_ROUTE_TABLE.not_found,
        format!("Transit Gateway Route Table {id} was deleted or does not exist."),
    )
}

/// The description AWS gives the interface of a VPC attachment in a subnet.
pub fn interface_description(attachment_id: &str) -> String {
    format!("Network Interface for Transit Gateway Attachment {attachment_id}")
}

/// `enable` / `disable`, as the API spells the options.
pub fn flag_name(on: bool) -> &'static str {
    if on { "enable" } else { "disable" }
}

/// Parses an `enable` / `disable` option (absent: `default`).
pub fn parse_flag(value: Option<&str>, name: &str, default: bool) -> Result<bool> {
    match value {
        None => Ok(default),
        Some("enable") => Ok(true),
        Some("disable") => Ok(false),
        Some(other) => Err(Error::invalid_parameter_value(format!(
            "Value ({other}) for parameter {name} is invalid. Valid values: enable, disable"
        ))),
    }
}

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
    fn association_slot(&mut self, tgw: &str) -> Option<&mut Option<String>> {
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
/// [`World::transit_gateway_routes`]).
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

fn check_asn(asn: i64) -> Result<()> {
    let private16 = (64512..=65534).contains(&asn);
    let private32 = (4_200_000_000..=4_294_967_294).contains(&asn);
    if private16 || private32 {
        Ok(())
    } else {
        Err(Error::invalid_parameter_value(format!(
            "The Amazon side ASN {asn} is invalid: use a private ASN (64512-65534 or 4200000000-4294967294)."
        )))
    }
}

fn check_cidr_block(text: &str) -> Result<()> {
    let ok = crate::cidr::Ipv4Cidr::parse(text, true).is_some_and(|c| c.prefix_len() <= 24)
        || crate::cidr::Ipv6Cidr::parse(text, true).is_some_and(|c| c.prefix_len() <= 64);
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_parameter_value(format!(
            "The transit gateway CIDR block {text} is invalid: give an IPv4 CIDR of /24 or larger or an IPv6 CIDR of /64 or larger."
        )))
    }
}

fn parse_destination(cidr: &str) -> Result<Ipv4Cidr> {
    Ipv4Cidr::parse(cidr, false).ok_or_else(|| {
        Error::invalid_parameter_value(format!(
            "Value ({cidr}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block."
        ))
    })
}

impl World {
    /// A live transit gateway of the scope.
    pub fn find_transit_gateway(&self, scope: &Scope, id: &str) -> Result<&TransitGateway> {
        lookup::TRANSIT_GATEWAY.check_format(id)?;
        self.transit_gateways
            .get(id)
            .filter(|g| &g.owner == scope && g.is_live())
            .ok_or_else(|| gateway_not_found(id))
    }

    /// A live attachment of the scope (owned by it, or on one of its gateways).
    pub fn find_tgw_attachment(&self, scope: &Scope, id: &str) -> Result<&TgwAttachment> {
        lookup::TRANSIT_GATEWAY_ATTACHMENT.check_format(id)?;
        self.transit_gateway_attachments
            .get(id)
            .filter(|a| a.is_live() && self.tgw_attachment_visible(scope, a))
            .ok_or_else(|| attachment_not_found(id))
    }

    /// Whether `scope` sees an attachment: it owns the resource or a gateway it is on.
    pub fn tgw_attachment_visible(&self, scope: &Scope, a: &TgwAttachment) -> bool {
        let owns = |tgw: &str| self.transit_gateways.get(tgw).is_some_and(|g| &g.owner == scope);
        &a.owner == scope || owns(&a.transit_gateway_id) || a.peer_gateway().is_some_and(owns)
    }

    /// The gateway an attachment is on as `scope` sees it: for a peering seen by the
    /// accepter gateway's owner (and not the requester's), the accepter gateway.
    pub fn tgw_attachment_side<'a>(&self, scope: &Scope, a: &'a TgwAttachment) -> &'a str {
        let owns = |tgw: &str| self.transit_gateways.get(tgw).is_some_and(|g| &g.owner == scope);
        match a.peer_gateway() {
            Some(peer) if !owns(&a.transit_gateway_id) && owns(peer) => peer,
            _ => &a.transit_gateway_id,
        }
    }

    /// The account that owns what is behind attachment `a` seen from gateway `tgw`: for a
    /// peering, the other gateway's owner.
    pub fn tgw_attachment_resource_owner(&self, a: &TgwAttachment, tgw: &str) -> String {
        match a.across(tgw) {
            Some(other) => self
                .transit_gateways
                .get(other)
                .map_or_else(|| a.owner.account.clone(), |g| g.owner.account.clone()),
            None => a.owner.account.clone(),
        }
    }

    /// A live transit gateway route table of the scope.
    pub fn find_tgw_route_table(&self, scope: &Scope, id: &str) -> Result<&TgwRouteTable> {
        lookup::TRANSIT_GATEWAY_ROUTE_TABLE.check_format(id)?;
        self.transit_gateway_route_tables
            .get(id)
            .filter(|t| &t.owner == scope && t.is_live())
            .ok_or_else(|| route_table_not_found(id))
    }

    /// Gateways listed by DescribeTransitGateways: live ones, and deleted ones for a while.
    pub fn listed_transit_gateways<'a>(
        &'a self,
        scope: &'a Scope,
        now: i64,
    ) -> impl Iterator<Item = &'a TransitGateway> + 'a {
        self.transit_gateways.in_scope(scope).filter(move |g| recent(g.delete_time, now))
    }

    /// Attachments listed by the Describe calls: those the scope sees, live or recently gone.
    pub fn listed_tgw_attachments<'a>(
        &'a self,
        scope: &'a Scope,
        now: i64,
    ) -> impl Iterator<Item = &'a TgwAttachment> + 'a {
        self.transit_gateway_attachments
            .values()
            .filter(move |a| self.tgw_attachment_visible(scope, a) && recent(a.delete_time, now))
    }

    /// Route tables listed by DescribeTransitGatewayRouteTables.
    pub fn listed_tgw_route_tables<'a>(
        &'a self,
        scope: &'a Scope,
        now: i64,
    ) -> impl Iterator<Item = &'a TgwRouteTable> + 'a {
        self.transit_gateway_route_tables
            .in_scope(scope)
            .filter(move |t| recent(t.delete_time, now))
    }

    /// CreateTransitGateway: `available` at once, with a default route table unless both
    /// default association and default propagation are disabled.
    pub fn create_transit_gateway(
        &mut self,
        scope: &Scope,
        req: NewTransitGateway,
        now: i64,
    ) -> Result<String> {
        crate::tags::validate(&req.tags)?;
        let asn = req.amazon_side_asn.unwrap_or(DEFAULT_AMAZON_SIDE_ASN);
        check_asn(asn)?;
        for c in &req.cidr_blocks {
            check_cidr_block(c)?;
        }
        let association = parse_flag(
            req.default_route_table_association.as_deref(),
            "defaultRouteTableAssociation",
            true,
        )?;
        let propagation = parse_flag(
            req.default_route_table_propagation.as_deref(),
            "defaultRouteTablePropagation",
            true,
        )?;
        let options = TgwOptions {
            amazon_side_asn: asn,
            auto_accept_shared_attachments: parse_flag(
                req.auto_accept_shared_attachments.as_deref(),
                "autoAcceptSharedAttachments",
                false,
            )?,
            default_route_table_association: association,
            default_route_table_propagation: propagation,
            association_default_route_table_id: None,
            propagation_default_route_table_id: None,
            dns_support: parse_flag(req.dns_support.as_deref(), "dnsSupport", true)?,
            vpn_ecmp_support: parse_flag(req.vpn_ecmp_support.as_deref(), "vpnEcmpSupport", true)?,
            multicast_support: parse_flag(
                req.multicast_support.as_deref(),
                "multicastSupport",
                false,
            )?,
            security_group_referencing_support: parse_flag(
                req.security_group_referencing_support.as_deref(),
                "securityGroupReferencingSupport",
                false,
            )?,
            cidr_blocks: req.cidr_blocks.clone(),
        };
        let live = self.transit_gateways.in_scope(scope).filter(|g| g.is_live()).count();
        if live >= GATEWAYS_PER_REGION {
            return Err(Error::new(
                "TransitGatewayLimitExceeded",
                "You've reached the limit on the number of transit gateways.",
            ));
        }
        self.purge_deleted_transit_gateways(now);
        let id = self.fresh_id("tgw");
        self.transit_gateways.insert(
            id.clone(),
            TransitGateway {
                id: id.clone(),
                owner: scope.clone(),
                description: req.description,
                options,
                create_time: now,
                delete_time: None,
                tags: req.tags.into_iter().collect(),
            },
        );
        if association || propagation {
            let rtb = self.insert_tgw_route_table(scope, &id, Tags::default(), now);
            if let Some(g) = self.transit_gateways.get_mut(&id) {
                if association {
                    g.options.association_default_route_table_id = Some(rtb.clone());
                }
                if propagation {
                    g.options.propagation_default_route_table_id = Some(rtb);
                }
            }
        }
        Ok(id)
    }

    fn insert_tgw_route_table(
        &mut self,
        scope: &Scope,
        tgw_id: &str,
        tags: Tags,
        now: i64,
    ) -> String {
        let id = self.fresh_id("tgw-rtb");
        self.transit_gateway_route_tables.insert(
            id.clone(),
            TgwRouteTable {
                id: id.clone(),
                owner: scope.clone(),
                transit_gateway_id: tgw_id.to_owned(),
                propagations: Vec::new(),
                routes: Vec::new(),
                prefix_list_references: Vec::new(),
                create_time: now,
                delete_time: None,
                tags,
            },
        );
        id
    }

    /// ModifyTransitGateway.
    pub fn modify_transit_gateway(
        &mut self,
        scope: &Scope,
        id: &str,
        m: TgwModification,
        now: i64,
    ) -> Result<()> {
        let g = self.find_transit_gateway(scope, id)?.clone();
        let mut o = g.options.clone();
        if let Some(asn) = m.amazon_side_asn {
            check_asn(asn)?;
            o.amazon_side_asn = asn;
        }
        let flag = |v: &Option<String>, name: &str, cur: bool| parse_flag(v.as_deref(), name, cur);
        o.auto_accept_shared_attachments = flag(
            &m.auto_accept_shared_attachments,
            "autoAcceptSharedAttachments",
            o.auto_accept_shared_attachments,
        )?;
        o.default_route_table_association = flag(
            &m.default_route_table_association,
            "defaultRouteTableAssociation",
            o.default_route_table_association,
        )?;
        o.default_route_table_propagation = flag(
            &m.default_route_table_propagation,
            "defaultRouteTablePropagation",
            o.default_route_table_propagation,
        )?;
        o.dns_support = flag(&m.dns_support, "dnsSupport", o.dns_support)?;
        o.vpn_ecmp_support = flag(&m.vpn_ecmp_support, "vpnEcmpSupport", o.vpn_ecmp_support)?;
        o.security_group_referencing_support = flag(
            &m.security_group_referencing_support,
            "securityGroupReferencingSupport",
            o.security_group_referencing_support,
        )?;
        for (given, slot) in [
            (&m.association_default_route_table_id, &mut o.association_default_route_table_id),
            (&m.propagation_default_route_table_id, &mut o.propagation_default_route_table_id),
        ] {
            if let Some(rtb) = given {
                let t = self.find_tgw_route_table(scope, rtb)?;
                if t.transit_gateway_id != id {
                    return Err(Error::invalid_parameter_value(format!(
                        "Transit Gateway Route Table {rtb} does not belong to Transit Gateway {id}."
                    )));
                }
                *slot = Some(rtb.clone());
            }
        }
        for c in &m.add_cidr_blocks {
            check_cidr_block(c)?;
            if !o.cidr_blocks.contains(c) {
                o.cidr_blocks.push(c.clone());
            }
        }
        o.cidr_blocks.retain(|c| !m.remove_cidr_blocks.contains(c));
        // Turning a default on without a default table gives the gateway one.
        let needs_table = (o.default_route_table_association
            && o.association_default_route_table_id.is_none())
            || (o.default_route_table_propagation
                && o.propagation_default_route_table_id.is_none());
        if needs_table {
            let rtb = self.insert_tgw_route_table(scope, id, Tags::default(), now);
            if o.default_route_table_association && o.association_default_route_table_id.is_none() {
                o.association_default_route_table_id = Some(rtb.clone());
            }
            if o.default_route_table_propagation && o.propagation_default_route_table_id.is_none() {
                o.propagation_default_route_table_id = Some(rtb);
            }
        }
        if let Some(g) = self.transit_gateways.get_mut(id) {
            g.options = o;
            if let Some(d) = m.description {
                g.description = Some(d);
            }
        }
        Ok(())
    }

    /// DeleteTransitGateway: refused while attachments remain; its route tables go with it.
    pub fn delete_transit_gateway(&mut self, scope: &Scope, id: &str, now: i64) -> Result<()> {
        self.find_transit_gateway(scope, id)?;
        let attached: Vec<String> = self
            .transit_gateway_attachments
            .values()
            .filter(|a| a.on_gateway(id) && a.is_live())
            .map(|a| a.id.clone())
            .collect();
        if !attached.is_empty() {
            return Err(Error::new(
                "IncorrectState",
                format!(
                    "{id} has non-deleted Transit Gateway Attachments: {}.",
                    attached.join(", ")
                ),
            ));
        }
        if let Some(g) = self.transit_gateways.get_mut(id) {
            g.delete_time = Some(now);
        }
        self.transit_gateway_route_tables.update_where(
            |t| t.transit_gateway_id == id && t.is_live(),
            |t| t.delete_time = Some(now),
        );
        Ok(())
    }

    fn purge_deleted_transit_gateways(&mut self, now: i64) {
        let old = |t: Option<i64>| t.is_some_and(|t| now.saturating_sub(t) >= DELETED_RETENTION_MS);
        for id in self.transit_gateways.ids_where(|g| old(g.delete_time)) {
            self.transit_gateways.remove(&id);
        }
        for id in self.transit_gateway_attachments.ids_where(|a| old(a.delete_time)) {
            self.transit_gateway_attachments.remove(&id);
        }
        for id in self.transit_gateway_route_tables.ids_where(|t| old(t.delete_time)) {
            self.transit_gateway_route_tables.remove(&id);
        }
    }

    /// CreateTransitGatewayVpcAttachment: one subnet per zone of the VPC, an interface in
    /// each, one attachment per (gateway, VPC); associated with and propagating into the
    /// gateway's default tables when those options are on.
    pub fn create_tgw_vpc_attachment(
        &mut self,
        scope: &Scope,
        req: NewVpcAttachment,
        now: i64,
    ) -> Result<String> {
        crate::tags::validate(&req.tags)?;
        let tgw = self.find_transit_gateway(scope, &req.transit_gateway_id)?.clone();
        self.vpcs.find(&lookup::VPC, scope, &req.vpc_id)?;
        if req.subnet_ids.is_empty() {
            return Err(Error::missing_parameter("SubnetIds"));
        }
        let data = VpcAttachmentData {
            vpc_id: req.vpc_id.clone(),
            subnet_ids: Vec::new(),
            network_interface_ids: Vec::new(),
            appliance_mode_support: parse_flag(
                req.appliance_mode_support.as_deref(),
                "applianceModeSupport",
                false,
            )?,
            dns_support: parse_flag(req.dns_support.as_deref(), "dnsSupport", true)?,
            ipv6_support: parse_flag(req.ipv6_support.as_deref(), "ipv6Support", false)?,
            security_group_referencing_support: parse_flag(
                req.security_group_referencing_support.as_deref(),
                "securityGroupReferencingSupport",
                tgw.options.security_group_referencing_support,
            )?,
        };
        if self.tgw_attachment_in_vpc(&tgw.id, &req.vpc_id).is_some() {
            return Err(Error::new(
                "DuplicateTransitGatewayAttachment",
                format!("{} has non-deleted Transit Gateway Attachments with same VPC ID.", tgw.id),
            ));
        }
        self.check_attachment_subnets(scope, &req.vpc_id, &[], &req.subnet_ids)?;
        let tags = req.tags.into_iter().collect();
        let id =
            self.insert_tgw_attachment(scope, &tgw.id, AttachmentResource::Vpc(data), tags, now);
        self.add_attachment_subnets(scope, &id, &req.subnet_ids)?;
        Ok(id)
    }

    /// A new `available` attachment of `resource` (owned by `scope`) on live gateway `tgw_id`,
    /// associated with and propagating into the gateway's default tables as its options say —
    /// or, for a peering, `pendingAcceptance` and associated with nothing yet.
    pub(crate) fn insert_tgw_attachment(
        &mut self,
        scope: &Scope,
        tgw_id: &str,
        resource: AttachmentResource,
        tags: Tags,
        now: i64,
    ) -> String {
        self.purge_deleted_transit_gateways(now);
        let id = self.fresh_id("tgw-attach");
        let peering = matches!(resource, AttachmentResource::Peering { .. });
        self.transit_gateway_attachments.insert(
            id.clone(),
            TgwAttachment {
                id: id.clone(),
                owner: scope.clone(),
                transit_gateway_id: tgw_id.to_owned(),
                resource,
                state: if peering {
                    AttachmentState::PendingAcceptance
                } else {
                    AttachmentState::Available
                },
                association: None,
                create_time: now,
                delete_time: None,
                tags,
            },
        );
        if let Some(tgw) = self.transit_gateways.get(tgw_id).cloned()
            && !peering
        {
            self.apply_default_tables(&tgw, &id);
        }
        id
    }

    /// The id of the live attachment whose resource satisfies `is`, if any.
    pub fn tgw_attachment_of(&self, is: impl Fn(&AttachmentResource) -> bool) -> Option<String> {
        self.transit_gateway_attachments
            .values()
            .find(|a| a.is_live() && is(&a.resource))
            .map(|a| a.id.clone())
    }

    /// Associates a new attachment with the gateway's default association table and makes it
    /// propagate into the default propagation table, as the gateway's options say.
    pub(crate) fn apply_default_tables(&mut self, tgw: &TransitGateway, attachment_id: &str) {
        let o = &tgw.options;
        let live = |w: &World, t: &Option<String>| {
            t.as_ref()
                .filter(|t| w.transit_gateway_route_tables.get(t).is_some_and(|t| t.is_live()))
                .cloned()
        };
        if o.default_route_table_association
            && let Some(rtb) = live(self, &o.association_default_route_table_id)
            && let Some(a) = self.transit_gateway_attachments.get_mut(attachment_id)
        {
            a.association = Some(rtb);
        }
        if o.default_route_table_propagation
            && let Some(rtb) = live(self, &o.propagation_default_route_table_id)
            && let Some(t) = self.transit_gateway_route_tables.get_mut(&rtb)
        {
            t.propagations.push(attachment_id.to_owned());
        }
    }

    /// Subnets to add to a VPC attachment: of the VPC, not already in, one per zone
    /// (counting those it keeps).
    fn check_attachment_subnets(
        &self,
        scope: &Scope,
        vpc_id: &str,
        kept: &[String],
        added: &[String],
    ) -> Result<()> {
        let mut zones: Vec<String> = kept
            .iter()
            .filter_map(|s| self.subnets.get(s))
            .map(|s| s.availability_zone.clone())
            .collect();
        for subnet_id in added {
            let subnet = self.subnets.find(&lookup::SUBNET, scope, subnet_id)?;
            if subnet.vpc_id != vpc_id {
                return Err(Error::invalid_parameter_value(format!(
                    "The subnet {subnet_id} does not belong to the VPC {vpc_id}."
                )));
            }
            if zones.contains(&subnet.availability_zone) {
                return Err(Error::new(
                    "DuplicateSubnetsInSameZone",
                    "Duplicate Subnets for same AZ",
                ));
            }
            zones.push(subnet.availability_zone.clone());
        }
        Ok(())
    }

    /// Gives a VPC attachment an interface in each of `subnets` (checked already).
    fn add_attachment_subnets(
        &mut self,
        scope: &Scope,
        attachment_id: &str,
        subnets: &[String],
    ) -> Result<()> {
        for subnet_id in subnets {
            let ip = self.allocate_private_ip(subnet_id, None)?;
            let description = interface_description(attachment_id);
            let spec = ManagedInterface {
                source_dest_check: false,
                ..ManagedInterface::new(description, "transit_gateway", ip)
            };
            let eni_id = self.insert_managed_interface(scope, subnet_id, spec)?;
            if let Some(a) = self.transit_gateway_attachments.get_mut(attachment_id)
                && let AttachmentResource::Vpc(v) = &mut a.resource
            {
                v.subnet_ids.push(subnet_id.clone());
                v.network_interface_ids.push(eni_id);
            }
        }
        Ok(())
    }

    /// Removes a VPC attachment's interfaces in `subnets`.
    fn remove_attachment_subnets(&mut self, attachment_id: &str, subnets: &[String]) {
        let Some(v) = self.transit_gateway_attachments.get(attachment_id).and_then(|a| a.vpc())
        else {
            return;
        };
        let pairs: Vec<(String, String)> =
            v.subnet_ids.iter().cloned().zip(v.network_interface_ids.iter().cloned()).collect();
        let mut kept = (Vec::new(), Vec::new());
        for (subnet, eni) in pairs {
            if subnets.contains(&subnet) {
                self.remove_interface(&eni);
            } else {
                kept.0.push(subnet);
                kept.1.push(eni);
            }
        }
        if let Some(a) = self.transit_gateway_attachments.get_mut(attachment_id)
            && let AttachmentResource::Vpc(v) = &mut a.resource
        {
            v.subnet_ids = kept.0;
            v.network_interface_ids = kept.1;
        }
    }

    /// ModifyTransitGatewayVpcAttachment: subnets added and removed, options changed. At least
    /// one subnet remains.
    pub fn modify_tgw_vpc_attachment(
        &mut self,
        scope: &Scope,
        id: &str,
        m: VpcAttachmentModification,
    ) -> Result<()> {
        let a = self.find_tgw_attachment(scope, id)?;
        let v = a.vpc().cloned().ok_or_else(|| {
            Error::invalid_parameter_value(format!("{id} is not a VPC attachment."))
        })?;
        for s in &m.remove_subnet_ids {
            if !v.subnet_ids.contains(s) {
                return Err(Error::invalid_parameter_value(format!(
                    "The subnet {s} is not part of the attachment {id}."
                )));
            }
        }
        let kept: Vec<String> =
            v.subnet_ids.iter().filter(|s| !m.remove_subnet_ids.contains(s)).cloned().collect();
        let added: Vec<String> =
            m.add_subnet_ids.iter().filter(|s| !v.subnet_ids.contains(s)).cloned().collect();
        self.check_attachment_subnets(scope, &v.vpc_id, &kept, &added)?;
        if kept.is_empty() && added.is_empty() {
            return Err(Error::invalid_parameter_value(
                "A VPC attachment needs at least one subnet.",
            ));
        }
        let flags = (
            parse_flag(
                m.appliance_mode_support.as_deref(),
                "applianceModeSupport",
                v.appliance_mode_support,
            )?,
            parse_flag(m.dns_support.as_deref(), "dnsSupport", v.dns_support)?,
            parse_flag(m.ipv6_support.as_deref(), "ipv6Support", v.ipv6_support)?,
            parse_flag(
                m.security_group_referencing_support.as_deref(),
                "securityGroupReferencingSupport",
                v.security_group_referencing_support,
            )?,
        );
        self.remove_attachment_subnets(id, &m.remove_subnet_ids);
        self.add_attachment_subnets(scope, id, &added)?;
        if let Some(a) = self.transit_gateway_attachments.get_mut(id)
            && let AttachmentResource::Vpc(v) = &mut a.resource
        {
            (
                v.appliance_mode_support,
                v.dns_support,
                v.ipv6_support,
                v.security_group_referencing_support,
            ) = flags;
        }
        Ok(())
    }

    /// DeleteTransitGatewayVpcAttachment (and the generic part of every attachment's
    /// deletion): its interfaces go, its association and propagations end; it is listed as
    /// `deleted` for a while. Static routes to it stay, as blackholes.
    pub fn delete_tgw_attachment(&mut self, scope: &Scope, id: &str, now: i64) -> Result<()> {
        self.find_tgw_attachment(scope, id)?;
        self.end_tgw_attachment(id, AttachmentState::Deleted, now);
        Ok(())
    }

    /// Ends an attachment with a final state (`deleted`, `rejected`).
    pub(crate) fn end_tgw_attachment(&mut self, id: &str, state: AttachmentState, now: i64) {
        if let Some(subnets) = self
            .transit_gateway_attachments
            .get(id)
            .and_then(|a| a.vpc())
            .map(|v| v.subnet_ids.clone())
        {
            self.remove_attachment_subnets(id, &subnets);
        }
        if let Some(a) = self.transit_gateway_attachments.get_mut(id) {
            a.state = state;
            a.association = None;
            if let AttachmentResource::Peering { peer_association, .. } = &mut a.resource {
                *peer_association = None;
            }
            a.delete_time = Some(now);
        }
        self.transit_gateway_route_tables.update_where(
            |t| t.propagations.iter().any(|p| p == id),
            |t| t.propagations.retain(|p| p != id),
        );
    }

    /// CreateTransitGatewayRouteTable.
    pub fn create_tgw_route_table(
        &mut self,
        scope: &Scope,
        tgw_id: &str,
        tags: &[(String, String)],
        now: i64,
    ) -> Result<String> {
        crate::tags::validate(tags)?;
        self.find_transit_gateway(scope, tgw_id)?;
        let count = self
            .transit_gateway_route_tables
            .values()
            .filter(|t| t.transit_gateway_id == tgw_id && t.is_live())
            .count();
        if count >= ROUTE_TABLES_PER_GATEWAY {
            return Err(Error::new(
                "TransitGatewayRouteTableLimitExceeded",
                format!("The maximum number of route tables for {tgw_id} has been reached."),
            ));
        }
        Ok(self.insert_tgw_route_table(scope, tgw_id, tags.iter().cloned().collect(), now))
    }

    /// DeleteTransitGatewayRouteTable: refused while attachments are associated with it. A
    /// gateway whose default table it was has none afterwards.
    pub fn delete_tgw_route_table(&mut self, scope: &Scope, id: &str, now: i64) -> Result<()> {
        let t = self.find_tgw_route_table(scope, id)?.clone();
        if self.tgw_route_table_associations(id).next().is_some() {
            return Err(Error::new(
                "IncorrectState",
                format!("Transit Gateway Route Table {id} has associations and cannot be deleted."),
            ));
        }
        if let Some(g) = self.transit_gateways.get_mut(&t.transit_gateway_id) {
            for slot in [
                &mut g.options.association_default_route_table_id,
                &mut g.options.propagation_default_route_table_id,
            ] {
                if slot.as_deref() == Some(id) {
                    *slot = None;
                }
            }
        }
        if let Some(t) = self.transit_gateway_route_tables.get_mut(id) {
            t.delete_time = Some(now);
            t.propagations.clear();
        }
        Ok(())
    }

    /// The live route table and attachment of an association or propagation call: both of
    /// the same gateway.
    fn table_and_attachment(
        &self,
        scope: &Scope,
        rtb_id: &str,
        attachment_id: &str,
    ) -> Result<(TgwRouteTable, TgwAttachment)> {
        let t = self.find_tgw_route_table(scope, rtb_id)?.clone();
        let a = self.find_tgw_attachment(scope, attachment_id)?.clone();
        if !a.on_gateway(&t.transit_gateway_id) {
            return Err(Error::invalid_parameter_value(format!(
                "Transit Gateway Attachment {attachment_id} and Transit Gateway Route Table {rtb_id} belong to different Transit Gateways."
            )));
        }
        if !a.is_available() {
            return Err(Error::new(
                "IncorrectState",
                format!("Transit Gateway Attachment {attachment_id} is in invalid state."),
            ));
        }
        Ok((t, a))
    }

    /// AssociateTransitGatewayRouteTable: an attachment has at most one association.
    pub fn associate_tgw_route_table(
        &mut self,
        scope: &Scope,
        rtb_id: &str,
        attachment_id: &str,
    ) -> Result<()> {
        let (t, a) = self.table_and_attachment(scope, rtb_id, attachment_id)?;
        if a.association_on(&t.transit_gateway_id).is_some() {
            return Err(Error::new(
                "Resource.AlreadyAssociated",
                format!(
                    "Transit Gateway Attachment {attachment_id} is already associated to a route table."
                ),
            ));
        }
        self.set_tgw_association(attachment_id, &t.transit_gateway_id, Some(rtb_id));
        Ok(())
    }

    /// DisassociateTransitGatewayRouteTable.
    pub fn disassociate_tgw_route_table(
        &mut self,
        scope: &Scope,
        rtb_id: &str,
        attachment_id: &str,
    ) -> Result<()> {
        let t = self.find_tgw_route_table(scope, rtb_id)?.clone();
        let a = self.find_tgw_attachment(scope, attachment_id)?;
        if a.association_on(&t.transit_gateway_id) != Some(t.id.as_str()) {
            return Err(Error::new(
                "InvalidAssociation.NotFound",
                format!(
                    "Transit Gateway Attachment {attachment_id} is not associated with Transit Gateway Route Table {rtb_id}."
                ),
            ));
        }
        self.set_tgw_association(attachment_id, &t.transit_gateway_id, None);
        Ok(())
    }

    /// Sets (or clears) the route table attachment `attachment_id` is associated with on
    /// gateway `tgw` (a peering attachment has one association per side).
    fn set_tgw_association(&mut self, attachment_id: &str, tgw: &str, rtb_id: Option<&str>) {
        if let Some(slot) = self
            .transit_gateway_attachments
            .get_mut(attachment_id)
            .and_then(|a| a.association_slot(tgw))
        {
            *slot = rtb_id.map(str::to_owned);
        }
    }

    /// EnableTransitGatewayRouteTablePropagation (`enable`) / Disable….
    pub fn set_tgw_propagation(
        &mut self,
        scope: &Scope,
        rtb_id: &str,
        attachment_id: &str,
        enable: bool,
    ) -> Result<()> {
        let present = if enable {
            let (t, a) = self.table_and_attachment(scope, rtb_id, attachment_id)?;
            if a.peer_gateway().is_some() {
                return Err(Error::invalid_parameter_value(format!(
                    "Transit Gateway Attachment {attachment_id} is a peering attachment: peering attachments do not propagate routes."
                )));
            }
            t.propagations.iter().any(|p| p == attachment_id)
        } else {
            self.find_tgw_route_table(scope, rtb_id)?
                .propagations
                .iter()
                .any(|p| p == attachment_id)
        };
        if enable && present {
            return Err(Error::new(
                "TransitGatewayRouteTablePropagation.Duplicate",
                format!(
                    "Transit Gateway Attachment {attachment_id} is already propagating to Transit Gateway Route Table {rtb_id}."
                ),
            ));
        }
        if !enable && !present {
            self.find_tgw_attachment(scope, attachment_id)?;
            return Err(Error::new(
                "TransitGatewayRouteTablePropagation.NotFound",
                format!(
                    "Transit Gateway Attachment {attachment_id} is not propagating to Transit Gateway Route Table {rtb_id}."
                ),
            ));
        }
        if let Some(t) = self.transit_gateway_route_tables.get_mut(rtb_id) {
            if enable {
                t.propagations.push(attachment_id.to_owned());
            } else {
                t.propagations.retain(|p| p != attachment_id);
            }
        }
        Ok(())
    }

    /// CreateTransitGatewayRoute / ReplaceTransitGatewayRoute / DeleteTransitGatewayRoute.
    /// `target` is the attachment (or blackhole) for Create and Replace.
    pub fn change_tgw_route(
        &mut self,
        scope: &Scope,
        rtb_id: &str,
        cidr: &str,
        target: Option<TgwRouteTarget>,
        change: RouteChange,
    ) -> Result<()> {
        let t = self.find_tgw_route_table(scope, rtb_id)?.clone();
        let destination = parse_destination(cidr)?;
        let existing = t.routes.iter().position(|r| r.destination == destination);
        let target = match (change, target) {
            (RouteChange::Delete, _) => None,
            (_, None) => {
                return Err(Error::missing_parameter("TransitGatewayAttachmentId or Blackhole"));
            }
            (_, Some(TgwRouteTarget::Attachment(att))) => {
                let a = self.find_tgw_attachment(scope, &att)?;
                if !a.on_gateway(&t.transit_gateway_id) {
                    return Err(Error::invalid_parameter_value(format!(
                        "Transit Gateway Attachment {att} does not belong to the Transit Gateway of {rtb_id}."
                    )));
                }
                Some(TgwRouteTarget::Attachment(att))
            }
            (_, Some(TgwRouteTarget::Blackhole)) => Some(TgwRouteTarget::Blackhole),
        };
        let missing = || {
            Error::new(
                "InvalidRoute.NotFound",
                format!(
                    "No route with destination-cidr-block {destination} in Transit Gateway Route Table {rtb_id}"
                ),
            )
        };
        let Some(t) = self.transit_gateway_route_tables.get_mut(rtb_id) else {
            return Err(route_table_not_found(rtb_id));
        };
        match (change, existing, target) {
            (RouteChange::Create, Some(_), _) => Err(Error::new(
                "RouteAlreadyExists",
                format!(
                    "Route {destination} already exists in Transit Gateway Route Table {rtb_id}."
                ),
            )),
            (RouteChange::Create, None, Some(target)) => {
                if t.routes.len() >= ROUTES_PER_TABLE {
                    return Err(Error::new(
                        "RouteLimitExceeded",
                        format!("The maximum number of routes in {rtb_id} has been reached."),
                    ));
                }
                t.routes.push(TgwStaticRoute { destination, target });
                t.routes.sort_by_key(|r| r.destination);
                Ok(())
            }
            (RouteChange::Replace, Some(i), Some(target)) => {
                if let Some(r) = t.routes.get_mut(i) {
                    r.target = target;
                }
                Ok(())
            }
            (RouteChange::Delete, Some(i), _) => {
                t.routes.remove(i);
                Ok(())
            }
            _ => Err(missing()),
        }
    }

    /// CreateTransitGatewayPrefixListReference / Modify… / Delete…: one reference per
    /// (table, customer-managed prefix list of the scope), to an attachment of the table's
    /// gateway or a blackhole. `target` is given for Create and Replace (Modify).
    pub fn change_tgw_prefix_list_reference(
        &mut self,
        scope: &Scope,
        rtb_id: &str,
        prefix_list_id: &str,
        target: Option<TgwRouteTarget>,
        change: RouteChange,
    ) -> Result<()> {
        let t = self.find_tgw_route_table(scope, rtb_id)?.clone();
        let list = self.find_customer_prefix_list(scope, prefix_list_id)?;
        if list.address_family != crate::prefix_list::AddressFamily::IPv4 {
            return Err(Error::invalid_parameter_value(format!(
                "The prefix list {prefix_list_id} is not an IPv4 prefix list."
            )));
        }
        let existing =
            t.prefix_list_references.iter().position(|r| r.prefix_list_id == prefix_list_id);
        if let Some(TgwRouteTarget::Attachment(att)) = &target {
            let a = self.find_tgw_attachment(scope, att)?;
            if !a.on_gateway(&t.transit_gateway_id) {
                return Err(Error::invalid_parameter_value(format!(
                    "Transit Gateway Attachment {att} does not belong to the Transit Gateway of {rtb_id}."
                )));
            }
        }
        let Some(t) = self.transit_gateway_route_tables.get_mut(rtb_id) else {
            return Err(route_table_not_found(rtb_id));
        };
        match (change, existing, target) {
            (RouteChange::Create, Some(_), _) => Err(Error::new(
                "RouteAlreadyExists",
                format!(
                    "Transit Gateway Route Table {rtb_id} already has a reference to prefix list {prefix_list_id}."
                ),
            )),
            (RouteChange::Create, None, Some(target)) => {
                t.prefix_list_references
                    .push(TgwPrefixListReference { prefix_list_id: prefix_list_id.into(), target });
                Ok(())
            }
            (RouteChange::Replace, Some(i), Some(target)) => {
                if let Some(r) = t.prefix_list_references.get_mut(i) {
                    r.target = target;
                }
                Ok(())
            }
            (RouteChange::Delete, Some(i), _) => {
                t.prefix_list_references.remove(i);
                Ok(())
            }
            (_, None, _) => Err(Error::new(
                "InvalidRoute.NotFound",
                format!(
                    "Transit Gateway Route Table {rtb_id} has no reference to prefix list {prefix_list_id}."
                ),
            )),
            (_, Some(_), None) => {
                Err(Error::missing_parameter("TransitGatewayAttachmentId or Blackhole"))
            }
        }
    }

    /// The live VPC attachment of gateway `tgw_id` in VPC `vpc_id`, if any.
    pub fn tgw_attachment_in_vpc(&self, tgw_id: &str, vpc_id: &str) -> Option<&TgwAttachment> {
        self.transit_gateway_attachments.values().find(|a| {
            a.transit_gateway_id == tgw_id
                && a.is_live()
                && a.vpc().is_some_and(|v| v.vpc_id == vpc_id)
        })
    }

    /// The subnet of a VPC attachment in availability zone `zone`, if it has one there.
    pub fn tgw_attachment_subnet_in_zone<'a>(
        &'a self,
        attachment: &'a TgwAttachment,
        zone: &str,
    ) -> Option<&'a str> {
        attachment
            .vpc()?
            .subnet_ids
            .iter()
            .map(String::as_str)
            .find(|s| self.subnets.get(s).is_some_and(|s| s.availability_zone == zone))
    }

    /// The live attachments associated with route table `rtb_id`.
    pub fn tgw_route_table_associations<'a>(
        &'a self,
        rtb_id: &'a str,
    ) -> impl Iterator<Item = &'a TgwAttachment> + 'a {
        self.transit_gateway_attachments
            .values()
            .filter(move |a| a.is_live() && a.associated_with(rtb_id))
    }

    /// The CIDRs an attachment propagates into the tables it propagates to, by kind. The hook
    /// for each kind of attachment:
    /// - VPC: the VPC's IPv4 CIDR blocks;
    /// - VPN: the VPN connection's static routes, and the customer gateway's
    ///   `vpclab:advertised-cidrs` tag for a BGP connection (the project's stand-in for BGP);
    /// - peering: nothing (AWS does not propagate over peering attachments: static routes only);
    /// - Direct Connect gateway: what the transit virtual interfaces on it advertise (their
    ///   `vpclab:advertised-cidrs` tag, see [`World::direct_connect_routes_via_dx_gateway`]).
    pub fn tgw_propagated_cidrs(&self, a: &TgwAttachment) -> Vec<Ipv4Cidr> {
        if !a.is_available() {
            return Vec::new();
        }
        match &a.resource {
            AttachmentResource::Vpc(v) => self
                .vpcs
                .get(&v.vpc_id)
                .map(|vpc| vpc.cidr_blocks.iter().map(|b| b.cidr).collect())
                .unwrap_or_default(),
            AttachmentResource::Vpn { vpn_connection_id } => self
                .vpn_connections
                .get(vpn_connection_id)
                .map(|c| self.vpn_on_premises_blocks(c))
                .unwrap_or_default(),
            AttachmentResource::DirectConnectGateway { direct_connect_gateway_id } => {
                self.direct_connect_routes_via_dx_gateway(direct_connect_gateway_id)
            }
            AttachmentResource::Peering { .. } => Vec::new(),
        }
    }

    /// Every route in force in transit gateway route table `rtb_id`, by destination: its
    /// static routes, then the routes its propagating attachments bring for destinations no
    /// static route covers exactly (a static route wins over a propagated one of the same
    /// destination). Propagated routes of one destination from several attachments are one
    /// route with several attachments (ECMP). Empty for an unknown or deleted table.
    pub fn transit_gateway_routes(&self, rtb_id: &str) -> Vec<TgwRoute> {
        let Some(t) = self.transit_gateway_route_tables.get(rtb_id).filter(|t| t.is_live()) else {
            return Vec::new();
        };
        let static_route = |destination: Ipv4Cidr, target: &TgwRouteTarget, list: Option<&str>| {
            let (attachment_ids, up) = match target {
                TgwRouteTarget::Blackhole => (Vec::new(), false),
                TgwRouteTarget::Attachment(id) => (
                    vec![id.clone()],
                    self.transit_gateway_attachments.get(id).is_some_and(|a| a.is_available()),
                ),
            };
            TgwRoute {
                destination,
                route_type: TgwRouteType::Static,
                attachment_ids,
                state: if up { TgwRouteState::Active } else { TgwRouteState::Blackhole },
                prefix_list_id: list.map(str::to_owned),
            }
        };
        // By destination, so a table of thousands of propagated routes is built in n log n.
        let mut statics: BTreeMap<Ipv4Cidr, TgwRoute> = t
            .routes
            .iter()
            .map(|r| (r.destination, static_route(r.destination, &r.target, None)))
            .collect();
        // A prefix-list reference routes each entry no static route names exactly.
        for reference in &t.prefix_list_references {
            let Some(list) = self.prefix_lists.get(&reference.prefix_list_id) else { continue };
            for cidr in list.cidrs() {
                if let crate::cidr::Cidr::V4(destination) = cidr {
                    statics.entry(destination).or_insert_with(|| {
                        static_route(
                            destination,
                            &reference.target,
                            Some(&reference.prefix_list_id),
                        )
                    });
                }
            }
        }
        let mut propagated: BTreeMap<Ipv4Cidr, TgwRoute> = BTreeMap::new();
        for att_id in &t.propagations {
            let Some(a) = self.transit_gateway_attachments.get(att_id) else { continue };
            for destination in self.tgw_propagated_cidrs(a) {
                if statics.contains_key(&destination) {
                    continue;
                }
                let route = propagated.entry(destination).or_insert_with(|| TgwRoute {
                    destination,
                    route_type: TgwRouteType::Propagated,
                    attachment_ids: Vec::new(),
                    state: TgwRouteState::Active,
                    prefix_list_id: None,
                });
                if !route.attachment_ids.contains(att_id) {
                    route.attachment_ids.push(att_id.clone());
                }
            }
        }
        let mut out: Vec<TgwRoute> =
            statics.into_values().chain(propagated.into_values()).collect();
        out.sort_by_key(|r| (r.destination, r.route_type));
        out
    }

    /// The route of table `rtb_id` that `addr` takes: the longest prefix match (static before
    /// propagated on equal prefixes, which [`World::transit_gateway_routes`] already ensures).
    /// A blackhole route is returned as such; `None` when no route matches.
    pub fn tgw_route_for(&self, rtb_id: &str, addr: Ipv4Addr) -> Option<TgwRoute> {
        self.transit_gateway_routes(rtb_id)
            .into_iter()
            .filter(|r| r.destination.contains_addr(addr))
            .max_by_key(|r| (r.destination.prefix_len(), r.route_type == TgwRouteType::Static))
    }

    /// Whether a VPC route to transit gateway `tgw_id` in a table of `vpc_id` is active: the
    /// gateway exists and has an available attachment in the VPC.
    pub fn tgw_route_active(&self, tgw_id: &str, vpc_id: &str) -> bool {
        self.transit_gateways.get(tgw_id).is_some_and(|g| g.is_live())
            && self.tgw_attachment_in_vpc(tgw_id, vpc_id).is_some_and(|a| a.is_available())
    }
}

pub use crate::tags::ADVERTISED_CIDRS_TAG;

/// Whether a resource deleted at `delete_time` (if at all) is still listed at `now`.
pub fn recent(delete_time: Option<i64>, now: i64) -> bool {
    delete_time.is_none_or(|t| now.saturating_sub(t) < DELETED_RETENTION_MS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::world_with_vpc;
    use crate::vpc::NewVpc;

    const NOW: i64 = 1_700_000_000_000;

    fn vpc(w: &mut World, scope: &Scope, cidr: &str) -> String {
        w.create_vpc(scope, NewVpc { cidr: Some(cidr.into()), ..Default::default() }).unwrap()
    }

    fn subnet(w: &mut World, scope: &Scope, vpc: &str, cidr: &str, zone: &str) -> String {
        w.create_subnet(scope, vpc, cidr, Some(zone), None, &[]).unwrap()
    }

    fn attach(w: &mut World, scope: &Scope, tgw: &str, vpc: &str, subnets: &[&str]) -> String {
        let req = NewVpcAttachment {
            transit_gateway_id: tgw.into(),
            vpc_id: vpc.into(),
            subnet_ids: subnets.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        w.create_tgw_vpc_attachment(scope, req, NOW).unwrap()
    }

    fn addr(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    #[test]
    fn gateway_defaults_and_default_table() {
        let (mut w, scope, _) = world_with_vpc();
        let tgw = w.create_transit_gateway(&scope, NewTransitGateway::default(), NOW).unwrap();
        let g = w.find_transit_gateway(&scope, &tgw).unwrap();
        assert_eq!(g.options.amazon_side_asn, 64512);
        assert!(g.options.dns_support && g.options.vpn_ecmp_support);
        assert!(!g.options.auto_accept_shared_attachments);
        let rtb = g.options.association_default_route_table_id.clone().unwrap();
        assert_eq!(g.options.propagation_default_route_table_id.as_deref(), Some(rtb.as_str()));
        assert_eq!(w.find_tgw_route_table(&scope, &rtb).unwrap().transit_gateway_id, tgw);
        assert_eq!(g.state(), "available");

        let bare = NewTransitGateway {
            default_route_table_association: Some("disable".into()),
            default_route_table_propagation: Some("disable".into()),
            ..Default::default()
        };
        let tgw2 = w.create_transit_gateway(&scope, bare, NOW).unwrap();
        assert!(
            w.transit_gateways
                .get(&tgw2)
                .unwrap()
                .options
                .association_default_route_table_id
                .is_none()
        );
        let bad = NewTransitGateway { amazon_side_asn: Some(100), ..Default::default() };
        assert_eq!(
            w.create_transit_gateway(&scope, bad, NOW).unwrap_err().code,
            "InvalidParameterValue"
        );
        let bad = NewTransitGateway { dns_support: Some("yes".into()), ..Default::default() };
        assert_eq!(
            w.create_transit_gateway(&scope, bad, NOW).unwrap_err().code,
            "InvalidParameterValue"
        );
        assert_eq!(
            w.find_transit_gateway(&scope, "tgw-0123456789abcdef0").unwrap_err().code,
            "InvalidTransitGatewayID.NotFound"
        );
        assert_eq!(
            w.find_transit_gateway(&scope, "tgw-xyz").unwrap_err().code,
            "InvalidTransitGatewayID.Malformed"
        );
    }

    #[test]
    fn three_vpcs_route_through_the_default_table() {
        let (mut w, scope, _) = world_with_vpc();
        let tgw = w.create_transit_gateway(&scope, NewTransitGateway::default(), NOW).unwrap();
        let mut atts = Vec::new();
        for (i, cidr) in ["10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"].iter().enumerate() {
            let v = vpc(&mut w, &scope, cidr);
            let s = subnet(&mut w, &scope, &v, &format!("10.{}.1.0/24", i + 1), "us-east-1a");
            atts.push(attach(&mut w, &scope, &tgw, &v, &[&s]));
        }
        let rtb = w
            .transit_gateways
            .get(&tgw)
            .unwrap()
            .options
            .association_default_route_table_id
            .clone()
            .unwrap();
        let routes = w.transit_gateway_routes(&rtb);
        assert_eq!(routes.len(), 3);
        assert!(
            routes
                .iter()
                .all(|r| r.route_type == TgwRouteType::Propagated
                    && r.state == TgwRouteState::Active)
        );
        assert_eq!(
            w.tgw_route_for(&rtb, addr("10.2.1.5")).unwrap().attachment_ids,
            vec![atts[1].clone()]
        );
        assert!(w.tgw_route_for(&rtb, addr("192.168.0.1")).is_none());
        assert!(
            atts.iter().all(|a| w
                .transit_gateway_attachments
                .get(a)
                .unwrap()
                .association
                .as_deref()
                == Some(rtb.as_str()))
        );
        // A static blackhole for a more specific prefix wins.
        w.change_tgw_route(
            &scope,
            &rtb,
            "10.2.1.0/24",
            Some(TgwRouteTarget::Blackhole),
            RouteChange::Create,
        )
        .unwrap();
        let r = w.tgw_route_for(&rtb, addr("10.2.1.5")).unwrap();
        assert_eq!((r.route_type, r.state), (TgwRouteType::Static, TgwRouteState::Blackhole));
        assert_eq!(
            w.change_tgw_route(
                &scope,
                &rtb,
                "10.2.1.0/24",
                Some(TgwRouteTarget::Blackhole),
                RouteChange::Create
            )
            .unwrap_err()
            .code,
            "RouteAlreadyExists"
        );
        // A static route of the same destination as a propagated one replaces it.
        w.change_tgw_route(
            &scope,
            &rtb,
            "10.3.0.0/16",
            Some(TgwRouteTarget::Attachment(atts[0].clone())),
            RouteChange::Create,
        )
        .unwrap();
        let r = w.tgw_route_for(&rtb, addr("10.3.9.9")).unwrap();
        assert_eq!(
            (r.route_type, r.attachment_ids.clone()),
            (TgwRouteType::Static, vec![atts[0].clone()])
        );
        assert_eq!(w.transit_gateway_routes(&rtb).len(), 4);
        w.change_tgw_route(
            &scope,
            &rtb,
            "10.3.0.0/16",
            Some(TgwRouteTarget::Blackhole),
            RouteChange::Replace,
        )
        .unwrap();
        w.change_tgw_route(&scope, &rtb, "10.3.0.0/16", None, RouteChange::Delete).unwrap();
        assert_eq!(
            w.change_tgw_route(&scope, &rtb, "10.3.0.0/16", None, RouteChange::Delete)
                .unwrap_err()
                .code,
            "InvalidRoute.NotFound"
        );
        // Deleting an attachment: its propagated route leaves, static routes to it blackhole.
        w.change_tgw_route(
            &scope,
            &rtb,
            "172.16.0.0/12",
            Some(TgwRouteTarget::Attachment(atts[0].clone())),
            RouteChange::Create,
        )
        .unwrap();
        w.delete_tgw_attachment(&scope, &atts[0], NOW).unwrap();
        assert!(w.tgw_route_for(&rtb, addr("10.1.1.1")).is_none());
        assert_eq!(
            w.tgw_route_for(&rtb, addr("172.16.0.1")).unwrap().state,
            TgwRouteState::Blackhole
        );
        assert_eq!(
            w.find_tgw_attachment(&scope, &atts[0]).unwrap_err().code,
            "InvalidTransitGatewayAttachmentID.NotFound"
        );
        assert_eq!(
            w.listed_tgw_attachments(&scope, NOW)
                .filter(|a| a.state == AttachmentState::Deleted)
                .count(),
            1
        );
    }

    #[test]
    fn attachments_one_subnet_per_zone_and_interfaces() {
        let (mut w, scope, v) = world_with_vpc();
        let a1 = subnet(&mut w, &scope, &v, "10.0.1.0/24", "us-east-1a");
        let a2 = subnet(&mut w, &scope, &v, "10.0.2.0/24", "us-east-1a");
        let b1 = subnet(&mut w, &scope, &v, "10.0.3.0/24", "us-east-1b");
        let tgw = w.create_transit_gateway(&scope, NewTransitGateway::default(), NOW).unwrap();
        let req = |subnets: Vec<String>| NewVpcAttachment {
            transit_gateway_id: tgw.clone(),
            vpc_id: v.clone(),
            subnet_ids: subnets,
            ..Default::default()
        };
        assert_eq!(
            w.create_tgw_vpc_attachment(&scope, req(vec![a1.clone(), a2.clone()]), NOW)
                .unwrap_err()
                .code,
            "DuplicateSubnetsInSameZone"
        );
        let att =
            w.create_tgw_vpc_attachment(&scope, req(vec![a1.clone(), b1.clone()]), NOW).unwrap();
        assert_eq!(
            w.create_tgw_vpc_attachment(&scope, req(vec![a2.clone()]), NOW).unwrap_err().code,
            "DuplicateTransitGatewayAttachment"
        );
        let a = w.transit_gateway_attachments.get(&att).unwrap().clone();
        let data = a.vpc().unwrap();
        assert_eq!(data.network_interface_ids.len(), 2);
        let eni = w.network_interfaces.get(&data.network_interface_ids[0]).unwrap();
        assert_eq!(eni.interface_type, "transit_gateway");
        assert_eq!(w.tgw_attachment_subnet_in_zone(&a, "us-east-1b"), Some(b1.as_str()));
        assert_eq!(w.tgw_attachment_subnet_in_zone(&a, "us-east-1c"), None);
        // The subnet is in use; swapping the zone-a subnet works.
        assert_eq!(w.delete_subnet(&scope, &a1).unwrap_err().code, "DependencyViolation");
        let m = VpcAttachmentModification {
            add_subnet_ids: vec![a2.clone()],
            remove_subnet_ids: vec![a1.clone()],
            appliance_mode_support: Some("enable".into()),
            ..Default::default()
        };
        w.modify_tgw_vpc_attachment(&scope, &att, m).unwrap();
        let data = w.transit_gateway_attachments.get(&att).unwrap().vpc().unwrap().clone();
        assert_eq!(data.subnet_ids, vec![b1.clone(), a2.clone()]);
        assert!(data.appliance_mode_support);
        w.delete_subnet(&scope, &a1).unwrap();
        // The gateway cannot go while attached.
        assert_eq!(w.delete_transit_gateway(&scope, &tgw, NOW).unwrap_err().code, "IncorrectState");
        w.delete_tgw_attachment(&scope, &att, NOW).unwrap();
        w.delete_subnet(&scope, &a2).unwrap();
        w.delete_transit_gateway(&scope, &tgw, NOW).unwrap();
        assert_eq!(w.transit_gateways.get(&tgw).unwrap().state(), "deleted");
        assert!(w.transit_gateway_route_tables.values().all(|t| !t.is_live()));
        assert_eq!(w.listed_transit_gateways(&scope, NOW + DELETED_RETENTION_MS).count(), 0);
    }

    #[test]
    fn association_and_propagation_rules() {
        let (mut w, scope, v) = world_with_vpc();
        let s = subnet(&mut w, &scope, &v, "10.0.1.0/24", "us-east-1a");
        let tgw = w.create_transit_gateway(&scope, NewTransitGateway::default(), NOW).unwrap();
        let att = attach(&mut w, &scope, &tgw, &v, &[&s]);
        let default = w.transit_gateway_attachments.get(&att).unwrap().association.clone().unwrap();
        let rtb = w.create_tgw_route_table(&scope, &tgw, &[], NOW).unwrap();
        assert_eq!(
            w.associate_tgw_route_table(&scope, &rtb, &att).unwrap_err().code,
            "Resource.AlreadyAssociated"
        );
        assert_eq!(
            w.disassociate_tgw_route_table(&scope, &rtb, &att).unwrap_err().code,
            "InvalidAssociation.NotFound"
        );
        w.disassociate_tgw_route_table(&scope, &default, &att).unwrap();
        w.associate_tgw_route_table(&scope, &rtb, &att).unwrap();
        assert_eq!(w.delete_tgw_route_table(&scope, &rtb, NOW).unwrap_err().code, "IncorrectState");
        assert_eq!(
            w.set_tgw_propagation(&scope, &default, &att, true).unwrap_err().code,
            "TransitGatewayRouteTablePropagation.Duplicate"
        );
        w.set_tgw_propagation(&scope, &rtb, &att, true).unwrap();
        assert_eq!(w.transit_gateway_routes(&rtb).len(), 1);
        w.set_tgw_propagation(&scope, &rtb, &att, false).unwrap();
        assert!(w.transit_gateway_routes(&rtb).is_empty());
        assert_eq!(
            w.set_tgw_propagation(&scope, &rtb, &att, false).unwrap_err().code,
            "TransitGatewayRouteTablePropagation.NotFound"
        );
        assert_eq!(
            w.find_tgw_route_table(&scope, "tgw-rtb-0123456789abcdef0").unwrap_err().code,
            "InvalidRouteTableID.NotFound"
        );
        // VPC routes to the gateway are active while it has an attachment in the VPC.
        assert!(w.tgw_route_active(&tgw, &v));
        w.disassociate_tgw_route_table(&scope, &rtb, &att).unwrap();
        w.delete_tgw_route_table(&scope, &rtb, NOW).unwrap();
        w.delete_tgw_attachment(&scope, &att, NOW).unwrap();
        assert!(!w.tgw_route_active(&tgw, &v));
    }

    #[test]
    fn modify_switches_defaults() {
        let (mut w, scope, _) = world_with_vpc();
        let bare = NewTransitGateway {
            default_route_table_association: Some("disable".into()),
            default_route_table_propagation: Some("disable".into()),
            ..Default::default()
        };
        let tgw = w.create_transit_gateway(&scope, bare, NOW).unwrap();
        let rtb = w.create_tgw_route_table(&scope, &tgw, &[], NOW).unwrap();
        let m = TgwModification {
            default_route_table_association: Some("enable".into()),
            association_default_route_table_id: Some(rtb.clone()),
            description: Some("hub".into()),
            add_cidr_blocks: vec!["10.99.0.0/24".into()],
            ..Default::default()
        };
        w.modify_transit_gateway(&scope, &tgw, m, NOW).unwrap();
        let g = w.transit_gateways.get(&tgw).unwrap();
        assert_eq!(g.options.association_default_route_table_id.as_deref(), Some(rtb.as_str()));
        assert_eq!(g.description.as_deref(), Some("hub"));
        assert_eq!(g.options.cidr_blocks, vec!["10.99.0.0/24".to_string()]);
        let m =
            TgwModification { add_cidr_blocks: vec!["10.0.0.0/28".into()], ..Default::default() };
        assert_eq!(
            w.modify_transit_gateway(&scope, &tgw, m, NOW).unwrap_err().code,
            "InvalidParameterValue"
        );
    }

    fn customer_gateway(w: &mut World, scope: &Scope, advertised: Option<&str>) -> String {
        let tags: Vec<(String, String)> = advertised
            .map(|a| (ADVERTISED_CIDRS_TAG.to_owned(), a.to_owned()))
            .into_iter()
            .collect();
        w.create_customer_gateway(
            scope,
            crate::vpn::IPSEC_1,
            None,
            Some("198.51.100.9"),
            None,
            &tags,
        )
        .unwrap()
    }

    fn vpn_spec(cgw: &str, tgw: &str, static_routes_only: bool) -> crate::vpn::NewVpnConnection {
        crate::vpn::NewVpnConnection {
            type_: crate::vpn::IPSEC_1.into(),
            customer_gateway_id: cgw.into(),
            transit_gateway_id: Some(tgw.into()),
            static_routes_only,
            now: NOW,
            ..Default::default()
        }
    }

    #[test]
    fn vpn_connections_attach_to_a_transit_gateway() {
        let (mut w, scope, _) = world_with_vpc();
        let tgw = w.create_transit_gateway(&scope, NewTransitGateway::default(), NOW).unwrap();
        let rtb = w
            .transit_gateways
            .get(&tgw)
            .unwrap()
            .options
            .association_default_route_table_id
            .clone()
            .unwrap();
        let cgw = customer_gateway(&mut w, &scope, None);
        let vpn = w.create_vpn_connection(&scope, &vpn_spec(&cgw, &tgw, true), &[]).unwrap();
        let is_vpn = |r: &AttachmentResource| matches!(r, AttachmentResource::Vpn { vpn_connection_id } if *vpn_connection_id == vpn);
        let att = w.tgw_attachment_of(is_vpn).unwrap();
        let a = w.transit_gateway_attachments.get(&att).unwrap();
        assert_eq!((a.resource.resource_type(), a.resource.resource_id()), ("vpn", vpn.as_str()));
        assert_eq!(a.association.as_deref(), Some(rtb.as_str()));
        assert_eq!(w.vpn_connections.get(&vpn).unwrap().gateway_id(), tgw);
        // Static routes propagate into the default table.
        w.set_vpn_connection_route(&scope, &vpn, "192.168.0.0/16", true).unwrap();
        assert_eq!(
            w.tgw_route_for(&rtb, addr("192.168.3.3")).unwrap().attachment_ids,
            vec![att.clone()]
        );
        // A BGP connection propagates what its customer gateway advertises.
        let bgp_cgw = customer_gateway(&mut w, &scope, Some("172.20.0.0/16, 172.21.0.0/16"));
        let bgp = w.create_vpn_connection(&scope, &vpn_spec(&bgp_cgw, &tgw, false), &[]).unwrap();
        let r = w.tgw_route_for(&rtb, addr("172.21.0.1")).unwrap();
        assert_eq!(r.route_type, TgwRouteType::Propagated);
        // Both gateways, or neither, are refused; so is a gateway that does not exist.
        let mut both = vpn_spec(&cgw, &tgw, true);
        both.vpn_gateway_id = Some("vgw-0123456789abcdef0".into());
        assert_eq!(
            w.create_vpn_connection(&scope, &both, &[]).unwrap_err().code,
            "InvalidParameterValue"
        );
        let missing = vpn_spec(&cgw, "tgw-0123456789abcdef0", true);
        assert_eq!(
            w.create_vpn_connection(&scope, &missing, &[]).unwrap_err().code,
            "InvalidTransitGatewayID.NotFound"
        );
        // The gateway cannot go while the connections are attached; deleting a connection
        // deletes its attachment and its routes.
        assert_eq!(w.delete_transit_gateway(&scope, &tgw, NOW).unwrap_err().code, "IncorrectState");
        w.delete_vpn_connection(&scope, &vpn, NOW).unwrap();
        assert_eq!(
            w.transit_gateway_attachments.get(&att).unwrap().state,
            AttachmentState::Deleted
        );
        assert!(w.tgw_route_for(&rtb, addr("192.168.3.3")).is_none());
        w.delete_vpn_connection(&scope, &bgp, NOW).unwrap();
        w.delete_transit_gateway(&scope, &tgw, NOW).unwrap();
    }

    #[test]
    fn prefix_list_references_route_every_entry() {
        let (mut w, scope, v) = world_with_vpc();
        let s = subnet(&mut w, &scope, &v, "10.0.1.0/24", "us-east-1a");
        let tgw = w.create_transit_gateway(&scope, NewTransitGateway::default(), NOW).unwrap();
        let att = attach(&mut w, &scope, &tgw, &v, &[&s]);
        let rtb = w.transit_gateway_attachments.get(&att).unwrap().association.clone().unwrap();
        let list = w
            .create_managed_prefix_list(
                &scope,
                crate::prefix_list::NewPrefixList {
                    name: "corp".into(),
                    max_entries: 5,
                    address_family: "IPv4".into(),
                    entries: vec![("192.168.0.0/16".into(), None), ("172.16.0.0/12".into(), None)],
                    client_token: None,
                    tags: vec![],
                },
            )
            .unwrap();
        let to = |a: &str| Some(TgwRouteTarget::Attachment(a.to_owned()));
        w.change_tgw_prefix_list_reference(&scope, &rtb, &list, to(&att), RouteChange::Create)
            .unwrap();
        assert_eq!(
            w.change_tgw_prefix_list_reference(&scope, &rtb, &list, to(&att), RouteChange::Create)
                .unwrap_err()
                .code,
            "RouteAlreadyExists"
        );
        let r = w.tgw_route_for(&rtb, addr("172.20.0.1")).unwrap();
        assert_eq!(
            (r.route_type, r.prefix_list_id.as_deref()),
            (TgwRouteType::Static, Some(list.as_str()))
        );
        assert_eq!(r.attachment_ids, vec![att.clone()]);
        // The list is in use; a blackhole replaces the target.
        assert_eq!(
            w.delete_managed_prefix_list(&scope, &list).unwrap().state,
            crate::prefix_list::State::DeleteFailed
        );
        w.change_tgw_prefix_list_reference(
            &scope,
            &rtb,
            &list,
            Some(TgwRouteTarget::Blackhole),
            RouteChange::Replace,
        )
        .unwrap();
        assert_eq!(
            w.tgw_route_for(&rtb, addr("192.168.1.1")).unwrap().state,
            TgwRouteState::Blackhole
        );
        w.change_tgw_prefix_list_reference(&scope, &rtb, &list, None, RouteChange::Delete).unwrap();
        assert!(w.tgw_route_for(&rtb, addr("192.168.1.1")).is_none());
        assert_eq!(
            w.change_tgw_prefix_list_reference(&scope, &rtb, &list, None, RouteChange::Delete)
                .unwrap_err()
                .code,
            "InvalidRoute.NotFound"
        );
        assert_eq!(
            w.change_tgw_prefix_list_reference(
                &scope,
                &rtb,
                "pl-0123456789abcdef0",
                None,
                RouteChange::Delete
            )
            .unwrap_err()
            .code,
            "InvalidPrefixListID.NotFound"
        );
    }
}
