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

mod attachments;
mod gateways;
mod route_tables;

use crate::cidr::Ipv4Cidr;
use crate::error::{Error, Result};
use crate::kinds;
use crate::types::ec2::Tags;
use crate::types::ec2::eni::ManagedInterface;
pub use crate::types::ec2::transit_gateway::*;
use crate::world::{Scope, World};
use codes::Ec2;
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
        Ec2::InvalidTransitGatewayIDNotFound,
        format!("Transit Gateway {id} was deleted or does not exist."),
    )
}

/// AWS's answer for an attachment id that names none.
pub fn attachment_not_found(id: &str) -> Error {
    Error::new(
        kinds::TRANSIT_GATEWAY_ATTACHMENT.not_found,
        format!("Transit Gateway Attachment {id} was deleted or does not exist."),
    )
}

/// AWS's answer for a transit gateway route table id that names none.
pub fn route_table_not_found(id: &str) -> Error {
    Error::new(
        kinds::TRANSIT_GATEWAY_ROUTE_TABLE.not_found,
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
        kinds::TRANSIT_GATEWAY.check_format(id)?;
        self.transit_gateways
            .get(id)
            .filter(|g| &g.owner == scope && g.is_live())
            .ok_or_else(|| gateway_not_found(id))
    }

    /// A live attachment of the scope (owned by it, or on one of its gateways).
    pub fn find_tgw_attachment(&self, scope: &Scope, id: &str) -> Result<&TgwAttachment> {
        kinds::TRANSIT_GATEWAY_ATTACHMENT.check_format(id)?;
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
        kinds::TRANSIT_GATEWAY_ROUTE_TABLE.check_format(id)?;
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
}

pub use crate::types::ec2::ADVERTISED_CIDRS_TAG;

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

    fn vpn_spec(
        cgw: &str,
        tgw: &str,
        static_routes_only: bool,
    ) -> crate::types::ec2::vpn::NewVpnConnection {
        crate::types::ec2::vpn::NewVpnConnection {
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
                crate::types::ec2::prefix_list::NewPrefixList {
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
            crate::types::ec2::prefix_list::State::DeleteFailed
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
