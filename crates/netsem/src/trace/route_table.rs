//! Route tables: the subnet's table picks the route (longest prefix; for a set of destinations
//! bound outside, a route to the wanted gateway), and the route's target takes the packets on —
//! each kind of target is one arm of `Walk::follow_route`, handled in its construct's file.

use super::{Border, Decision, End, Explanation, Hop, Sender, Walk, codes};
use crate::header::{Family, Header, v4_span, v6_span};
use crate::prefix_lists::PrefixLists;
use crate::routes;
use model::cidr::Cidr;
use model::kinds;
use model::types::ec2::{NetworkInterface, Route, RouteDestination, RouteTable, RouteTarget};

impl<'w> Walk<'_, 'w> {
    /// Packets that left `from` (an interface of its subnet) go where its subnet's route table
    /// sends them; within one subnet they go straight to the destination interface.
    pub(super) fn route_from_subnet(
        &mut self,
        from: &NetworkInterface,
        h: Header,
        to: &End,
        sender: &Sender,
    ) -> Option<Header> {
        self.budget = self.budget.checked_sub(1)?;
        if self.halted() {
            return None;
        }
        let world = self.world();
        if let End::Interface { eni: target, .. } = to
            && let Some(target) = world.network_interfaces.get(target)
            && target.subnet_id == from.subnet_id
            && h.destination_address().is_some_and(|a| Self::owns(target, Some(a)))
        {
            // Traffic within a subnet is not routed and crosses no ACL.
            return self.arrive_at_interface(target, h, to, sender);
        }
        let h = self.network_acl(&from.subnet_id, &from.vpc_id, h, true);
        let table = self
            .net
            .index
            .route_table_of_subnet(&from.subnet_id, &from.vpc_id)
            .and_then(|id| self.net.index.route_table(world, id))?;
        let outside = match to {
            End::Outside { beyond, .. } => Some(beyond),
            End::Interface { .. } => None,
        };
        let lists = &self.net.index.prefix_lists;
        let chosen = if self.exact.is_some() && !h.destination.is_single() {
            // An exhaustive walk routes a set of destinations by longest prefix, part by part.
            let (found, part) = routes::lookup_span(table, h.family, h.destination, lists);
            let h = self.decided(&h, Header { destination: part, ..h });
            found.filter(|_| !self.halted()).map(|m| (m.route, h))
        } else {
            pick_route(table, &h, outside, lists)
        };
        if self.halted() {
            return None;
        }
        let Some((route, narrowed)) = chosen else {
            self.no_route(table, from, h, to.name());
            return None;
        };
        let narrowed = self.decided(&h, narrowed);
        let mut hop = Hop::located(&table.id, Some(&from.vpc_id), Some(&from.subnet_id));
        hop.decision = Some(Decision::Route(route.clone()));
        self.hops.push(hop);
        if world.route_state(table, route) == "blackhole" {
            self.block_last(Explanation {
                state: Some("blackhole".into()),
                ..Explanation::at_route(codes::BAD_STATE_ROUTE, &table.id, table, route, narrowed)
            });
            return None;
        }
        self.follow_route(table, route, from, narrowed, to, sender)
    }

    fn no_route(
        &mut self,
        table: &RouteTable,
        from: &NetworkInterface,
        h: Header,
        destination: Option<String>,
    ) {
        let hop = Hop::located(&table.id, Some(&from.vpc_id), Some(&from.subnet_id));
        self.push_blocked(
            hop,
            Explanation {
                code: codes::NO_ROUTE_TO_DESTINATION,
                component: Some(table.id.clone()),
                route_table: Some(table.id.clone()),
                destination,
                subnet: Some(from.subnet_id.clone()),
                vpc: Some(from.vpc_id.clone()),
                header: Some(h),
                ..Explanation::default()
            },
        );
    }

    /// Where a route's target takes the packets.
    pub(super) fn follow_route(
        &mut self,
        table: &RouteTable,
        route: &Route,
        from: &NetworkInterface,
        h: Header,
        to: &End,
        sender: &Sender,
    ) -> Option<Header> {
        let world = self.world();
        match &route.target {
            RouteTarget::Local => {
                let Some(target) = h
                    .destination_address()
                    .and_then(|a| self.net.index.interface_at(&table.vpc_id, a))
                    .and_then(|id| world.network_interfaces.get(id))
                else {
                    self.explain(Explanation::at_route(
                        codes::DESTINATION_NOT_IN_VPC,
                        &table.id,
                        table,
                        route,
                        h,
                    ));
                    return None;
                };
                self.enter_subnet(target, h, to, sender)
            }
            RouteTarget::Gateway(id) => match GatewayKind::of(id) {
                GatewayKind::Internet => self.leave_to_internet(id, from, h, to),
                GatewayKind::Endpoint => self.through_gateway_endpoint(id, table, route, h, to),
                GatewayKind::Vpn => self.leave_through_vpn(id, table, route, h, to),
                GatewayKind::Other => self.unmodelled(table, route, h),
            },
            RouteTarget::EgressOnlyInternetGateway(id) => {
                self.leave_by_egress_only_gateway(id, &table.vpc_id, h, to)
            }
            RouteTarget::NatGateway(id) => {
                // The gateway's interface receives the packets (see `arrive_at_interface`).
                let nat = world.nat_gateways.get(id)?;
                let eni = world.network_interfaces.get(&nat.network_interface_id)?;
                self.enter_subnet(eni, h, to, sender)
            }
            RouteTarget::VpcPeeringConnection(id) => {
                self.cross_peering(id, table, route, h, to, sender)
            }
            RouteTarget::TransitGateway(id) => {
                self.enter_transit_gateway(id, table, from, h, to, sender)
            }
            RouteTarget::NetworkInterface(id)
            | RouteTarget::Instance { network_interface_id: id, .. } => {
                // An appliance: it receives the packets and, not being their destination,
                // sends them on (see `arrive_at_interface`).
                let appliance = world.network_interfaces.get(id)?;
                self.enter_subnet(appliance, h, to, sender)
            }
            RouteTarget::LocalGateway(_)
            | RouteTarget::CarrierGateway(_)
            | RouteTarget::VpcEndpoint(_)
            | RouteTarget::CoreNetwork(_) => self.unmodelled(table, route, h),
        }
    }

    /// A route to a kind of component vpclab does not model: the packets stop there.
    fn unmodelled(&mut self, table: &RouteTable, route: &Route, h: Header) -> Option<Header> {
        let id = target_id(&route.target);
        let hop = Hop::located(&id, Some(&table.vpc_id), None);
        self.push_blocked(
            hop,
            Explanation::at_route(codes::VPCLAB_UNMODELLED_COMPONENT, &id, table, route, h),
        );
        None
    }
}

/// destination address it is the longest-prefix match; for an address set bound for the
/// outside the VPCs it is a route to the component the end lies beyond (an internet gateway
/// when the routes pick it); none for a set bound for an interface.
pub(super) fn pick_route<'t>(
    table: &'t RouteTable,
    h: &Header,
    outside: Option<&Border>,
    lists: &PrefixLists,
) -> Option<(&'t Route, Header)> {
    if let Some(address) = h.destination_address() {
        let m = routes::lookup(table, address, lists)?;
        return Some((m.route, *h));
    }
    let wanted = outside?;
    table.routes.iter().find_map(|route| {
        let to_gateway = match (&route.target, wanted) {
            (RouteTarget::Gateway(g), Border::Routed) => {
                GatewayKind::of(g) == GatewayKind::Internet
            }
            (RouteTarget::Gateway(g), want) => want.id() == Some(g.as_str()),
            (RouteTarget::EgressOnlyInternetGateway(_), Border::Routed) => true,
            // A NAT gateway sends the packets on towards the internet.
            (RouteTarget::NatGateway(_), _) => true,
            // A transit gateway: to the internet by a default route (centralised egress
            // through another VPC), or to itself or one of its attachments.
            (RouteTarget::TransitGateway(_), Border::Routed) => match &route.destination {
                RouteDestination::V4(c) => c.prefix_len() == 0,
                RouteDestination::V6(c) => c.prefix_len() == 0,
                RouteDestination::PrefixList(_) => false,
            },
            (RouteTarget::TransitGateway(t), want) => {
                want.id() == Some(t.as_str()) || matches!(want, Border::TransitAttachment(_))
            }
            (RouteTarget::VpcPeeringConnection(p), want) => want.id() == Some(p.as_str()),
            _ => false,
        };
        if !to_gateway {
            return None;
        }
        let span = |c: &Cidr| match (c, h.family) {
            (Cidr::V4(c), Family::V4) => Some(v4_span(*c)),
            (Cidr::V6(c), Family::V6) => Some(v6_span(*c)),
            _ => None,
        };
        let blocks = match &route.destination {
            RouteDestination::V4(c) => vec![Cidr::V4(*c)],
            RouteDestination::V6(c) => vec![Cidr::V6(*c)],
            RouteDestination::PrefixList(id) => lists.blocks(&table.owner, id).to_vec(),
        };
        // A prefix list carries the part of the set within its first entry that meets it.
        let destination =
            blocks.iter().find_map(|c| span(c).and_then(|s| h.destination.intersect(s)))?;
        Some((route, Header { destination, ..*h }))
    })
}

/// The id a route target names.
pub fn target_id(target: &RouteTarget) -> String {
    match target {
        RouteTarget::Local => "local".into(),
        RouteTarget::Gateway(id)
        | RouteTarget::EgressOnlyInternetGateway(id)
        | RouteTarget::NatGateway(id)
        | RouteTarget::NetworkInterface(id)
        | RouteTarget::VpcPeeringConnection(id)
        | RouteTarget::TransitGateway(id)
        | RouteTarget::LocalGateway(id)
        | RouteTarget::CarrierGateway(id)
        | RouteTarget::VpcEndpoint(id)
        | RouteTarget::CoreNetwork(id) => id.clone(),
        RouteTarget::Instance { instance_id, .. } => instance_id.clone(),
    }
}

/// What a route's `GatewayId` target is: the model keeps one field for three kinds of gateway,
/// told apart here, once, by the id's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GatewayKind {
    Internet,
    Endpoint,
    Vpn,
    Other,
}

impl GatewayKind {
    fn of(id: &str) -> GatewayKind {
        match kinds::of(id) {
            Some(&kinds::INTERNET_GATEWAY) => GatewayKind::Internet,
            Some(&kinds::VPC_ENDPOINT) => GatewayKind::Endpoint,
            Some(&kinds::VPN_GATEWAY) => GatewayKind::Vpn,
            _ => GatewayKind::Other,
        }
    }
}
