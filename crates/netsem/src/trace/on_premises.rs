//! On premises through a virtual private gateway: out over the site-to-site VPN connection or
//! Direct Connect virtual interface whose prefixes hold the destination (static routes, and the
//! prefixes a customer gateway or virtual interface advertises — BGP stood in for by the
//! `vpclab:advertised-cidrs` tag), in from a site to the gateway's VPC, and VPN CloudHub: from
//! one site to another through the gateway. (On premises through a transit gateway's VPN or
//! Direct Connect attachment: see `transit`.)

use super::{Border, End, Explanation, Hop, Sender, Walk, codes};
use crate::header::{Family, Header, Span, v4_span};
use model::World;
use model::types::ec2::{Route, RouteTable};
use std::net::{IpAddr, Ipv4Addr};

impl<'w> Walk<'_, 'w> {
    /// Out through the virtual private gateway `id`: the packets must come from a private
    /// address of the gateway's VPC, and go to an on-premises address — inside a static route
    /// of one of the gateway's VPN connections, a prefix its customer gateway advertises over
    /// BGP (the `vpclab:advertised-cidrs` tag), or a prefix a Direct Connect private virtual
    /// interface advertises to the gateway (see [`on_premises_link`]) — which they reach
    /// through that connection or interface. From one site to another through the gateway
    /// (VPN CloudHub), see [`Walk::enter_from_vpn`].
    pub(super) fn leave_through_vpn(
        &mut self,
        id: &str,
        table: &RouteTable,
        route: &Route,
        h: Header,
        to: &End,
    ) -> Option<Header> {
        let mut hop = Hop::located(id, Some(&table.vpc_id), None);
        hop.inbound = Some(h);
        let source = h.source_address();
        if source.is_none_or(|a| self.net.index.interface_at(&table.vpc_id, a).is_none()) {
            self.push_blocked(
                hop,
                Explanation {
                    address: source,
                    ..Explanation::at_route(
                        codes::VGW_PRIVATE_IP_ASSOCIATION_FOR_EGRESS,
                        id,
                        table,
                        route,
                        h,
                    )
                },
            );
            return None;
        }
        let h = self.out_to_site(id, hop, h, Some(&table.vpc_id), to)?;
        // An address in a VPC is not on premises (and a VGW is no transit for VPCs).
        matches!(to, End::Outside { .. }).then_some(h)
    }

    /// In through the virtual private gateway `id` from on premises, to a private address of
    /// its VPC.
    pub(super) fn enter_from_vpn(&mut self, id: &str, h: Header, to: &End) -> Option<Header> {
        let world = self.world();
        let vgw = world.vpn_gateways.get(id)?;
        let Some(vpc) = vgw.attached_vpc().map(str::to_owned) else {
            self.push_blocked(
                Hop::new(id),
                Explanation {
                    code: codes::BAD_STATE,
                    component: Some(id.to_owned()),
                    state: Some("detached".into()),
                    header: Some(h),
                    ..Explanation::default()
                },
            );
            return None;
        };
        if let Some(IpAddr::V4(source)) = h.source_address()
            && let Some(link) = on_premises_link(world, id, source)
        {
            for component in link.components().into_iter().rev() {
                self.pass_through(Hop::new(component), h);
            }
        }
        let mut hop = Hop::located(id, Some(&vpc), None);
        hop.inbound = Some(h);
        let End::Interface { eni, .. } = to else {
            // VPN CloudHub: from one site to another through the gateway.
            return self.out_to_site(id, hop, h, None, to);
        };
        let target = world.network_interfaces.get(eni)?;
        let destination = h.destination_address();
        if target.vpc_id != vpc
            || destination.is_none_or(|a| self.net.index.interface_at(&vpc, a).is_none())
        {
            self.push_blocked(
                hop,
                Explanation {
                    code: codes::VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS,
                    component: Some(id.to_owned()),
                    network_interface: Some(target.id.clone()),
                    vpc: Some(vpc),
                    address: destination,
                    header: Some(h),
                    ..Explanation::default()
                },
            );
            return None;
        }
        hop.outbound = Some(h);
        self.hops.push(hop);
        self.enter_subnet(target, h, to, &Sender::default())
    }

    /// Out of virtual private gateway `id` (hop `hop`, of `vpc` when the packets come from
    /// one) to the on-premises site whose link (VPN connection or Direct Connect) has a route
    /// holding the destination (unless the gateway is `to`); the reply comes back in by the
    /// gateway.
    fn out_to_site(
        &mut self,
        id: &str,
        mut hop: Hop,
        h: Header,
        vpc: Option<&str>,
        to: &End,
    ) -> Option<Header> {
        // A path to the gateway itself names no on-premises address: the packets go to the
        // part of their set that a block behind the gateway holds.
        let h = match h.destination_address() {
            None => match on_premises_part(self.world(), id, h.destination) {
                Some(destination) => self.decided(&h, Header { destination, ..h }),
                None => h,
            },
            Some(_) => h,
        };
        let destination = h.destination_address();
        let probe = match destination {
            Some(IpAddr::V4(a)) => Some(a),
            Some(IpAddr::V6(_)) => None,
            None if h.family == Family::V4 => {
                u32::try_from(h.destination.lo).ok().map(Ipv4Addr::from)
            }
            None => None,
        };
        let link = probe.and_then(|a| on_premises_link(self.world(), id, a));
        let Some(link) = link else {
            self.push_blocked(
                hop,
                Explanation {
                    code: codes::VGW_NO_ROUTE_TO_DESTINATION,
                    component: Some(id.to_owned()),
                    vpc: vpc.map(str::to_owned),
                    address: destination,
                    header: Some(h),
                    ..Explanation::default()
                },
            );
            return None;
        };
        hop.outbound = Some(h);
        self.hops.push(hop);
        self.flow.on_premises_exit = Some(Border::VpnGateway(id.to_owned()));
        // A path to the gateway that names no on-premises address ends there (as one from it
        // starts there); one to an on-premises address goes on over the link.
        if destination.is_none()
            && matches!(to, End::Outside { beyond: Border::VpnGateway(g), .. } if g == id)
        {
            return Some(h);
        }
        for component in link.components() {
            self.pass_through(Hop::new(component), h);
        }
        Some(h)
    }
}

/// How a virtual private gateway reaches on premises.
enum OnPremisesLink<'w> {
    /// Over a site-to-site VPN connection (its static routes, or what its customer gateway
    /// advertises).
    Vpn(&'w model::vpn::VpnConnection),
    /// Over a Direct Connect private virtual interface, on the gateway itself or on a Direct
    /// Connect gateway associated with it.
    DirectConnect { vif: &'w model::direct_connect::VirtualInterface, dx_gateway: Option<&'w str> },
}

impl OnPremisesLink<'_> {
    /// The components the packets cross beyond the gateway, outward.
    fn components(&self) -> Vec<&str> {
        match self {
            OnPremisesLink::Vpn(c) => vec![c.id.as_str()],
            OnPremisesLink::DirectConnect { vif, dx_gateway } => {
                dx_gateway.iter().copied().chain([vif.id.as_str()]).collect()
            }
        }
    }
}

/// The part of IPv4 destination set `span` within the first on-premises block behind gateway
/// `vgw` (its VPN connections' blocks, then its Direct Connect prefixes) that meets it.
fn on_premises_part(world: &World, vgw: &str, span: Span) -> Option<Span> {
    let vpn = world
        .vpn_connections
        .values()
        .filter(|c| c.vpn_gateway_id.as_deref() == Some(vgw))
        .flat_map(|c| world.vpn_on_premises_blocks(c));
    let dx = world.direct_connect_routes_via_vgw(vgw).into_iter().map(|(cidr, _)| cidr);
    vpn.chain(dx).find_map(|block| span.intersect(v4_span(block)))
}

/// The link by which virtual private gateway `vgw` reaches on-premises `address`: the longest
/// matching prefix among its VPN connections' routes and the prefixes Direct Connect
/// advertises to it; on a tie Direct Connect wins, as AWS prefers Direct Connect BGP routes
/// over VPN routes.
fn on_premises_link<'w>(
    world: &'w World,
    vgw: &str,
    address: Ipv4Addr,
) -> Option<OnPremisesLink<'w>> {
    let vpn = world.vpn_connection_to(vgw, address).map(|c| {
        let blocks = world.vpn_on_premises_blocks(c);
        let len = blocks.iter().filter(|b| b.contains_addr(address)).map(|b| b.prefix_len());
        (len.max().unwrap_or(0), c)
    });
    let dx = world.direct_connect_route_to(vgw, address);
    match (vpn, dx) {
        (Some((vpn_len, c)), Some((dx_len, ..))) if vpn_len > dx_len => {
            Some(OnPremisesLink::Vpn(c))
        }
        (_, Some((_, vif, association))) => Some(OnPremisesLink::DirectConnect {
            vif,
            dx_gateway: association.map(|a| a.dx_gateway_id.as_str()),
        }),
        (Some((_, c)), None) => Some(OnPremisesLink::Vpn(c)),
        (None, None) => None,
    }
}
