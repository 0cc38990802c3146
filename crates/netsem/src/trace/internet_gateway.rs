//! Internet gateways (and egress-only ones): out to the internet with an IPv4 source translated
//! to its public address, in to the private address behind a public one, with the gateway's
//! edge route table (ingress routing) first. Private and shared addresses never cross.

use super::route_table::pick_route;
use super::{Decision, End, Explanation, Hop, Sender, Walk, codes};
use crate::header::{Family, Header, Span, address_value};
use model::types::ec2::{NetworkInterface, RouteTarget};
use std::net::IpAddr;

impl<'w> Walk<'_, 'w> {
    /// Out through an internet gateway: IPv4 sources are translated to their public address.
    pub(super) fn leave_to_internet(
        &mut self,
        gateway: &str,
        from: &NetworkInterface,
        h: Header,
        to: &End,
    ) -> Option<Header> {
        let mut hop = Hop::located(gateway, Some(&from.vpc_id), None);
        hop.inbound = Some(h);
        if let Some(code) = h.destination_address().and_then(|a| not_routable(a, true)) {
            let explanation = Explanation {
                code,
                component: Some(gateway.to_owned()),
                internet_gateway: Some(gateway.to_owned()),
                address: h.destination_address(),
                vpc: Some(from.vpc_id.clone()),
                header: Some(h),
                ..Explanation::default()
            };
            self.push_blocked(hop, explanation);
            return None;
        }
        let translated = match h.family {
            Family::V6 => Some(h),
            Family::V4 => self.public_source(&from.vpc_id, &h),
        };
        match translated {
            Some(out) => {
                hop.outbound = Some(out);
                self.hops.push(hop);
                self.arrive_in_internet(out, to)
            }
            None => {
                self.push_blocked(
                    hop,
                    Explanation {
                        code: codes::IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS,
                        component: Some(gateway.to_owned()),
                        internet_gateway: Some(gateway.to_owned()),
                        address: h.source_address(),
                        vpc: Some(from.vpc_id.clone()),
                        header: Some(h),
                        ..Explanation::default()
                    },
                );
                None
            }
        }
    }

    /// The header with its private IPv4 source replaced by the public address mapped to it.
    fn public_source(&self, vpc: &str, h: &Header) -> Option<Header> {
        let source = h.source_address()?;
        let eni = self.net.index.interface_at(vpc, source)?;
        let eni = self.world().network_interfaces.get(eni)?;
        let public = eni
            .private_ips
            .iter()
            .find(|p| IpAddr::V4(p.address) == source)
            .and_then(|p| p.public.as_ref())?;
        Some(Header { source: Span::one(address_value(IpAddr::V4(public.address))), ..*h })
    }

    /// Out through the egress-only internet gateway `id` of `vpc` (IPv6, untranslated).
    pub(super) fn leave_by_egress_only_gateway(
        &mut self,
        id: &str,
        vpc: &str,
        h: Header,
        to: &End,
    ) -> Option<Header> {
        self.pass_through(Hop::located(id, Some(vpc), None), h);
        self.arrive_in_internet(h, to)
    }

    /// Packets out in the internet: either that is where they were going, or they come back
    /// in through the gateway of the destination's VPC (to its public address).
    fn arrive_in_internet(&mut self, h: Header, to: &End) -> Option<Header> {
        match to {
            End::Outside { .. } => Some(h),
            End::Interface { eni, .. } => {
                let vpc = self.world().network_interfaces.get(eni)?.vpc_id.clone();
                let gateway = self.net.index.internet_gateway_of_vpc(&vpc)?.to_owned();
                self.enter_from_internet(&gateway, h, to)
            }
        }
    }

    /// From the internet (no gateway named) to interface `eni`: in by the internet gateway of
    /// its VPC — or, for the reply to a NAT gateway's connection, of the NAT gateway's VPC
    /// (another VPC than the destination's, behind a transit gateway).
    pub(super) fn enter_from_the_internet(
        &mut self,
        eni: &str,
        h: Header,
        to: &End,
    ) -> Option<Header> {
        let world = self.world();
        let vpc = match self.flow.nat_sessions.last() {
            Some(s) => &world.nat_gateways.get(&s.nat)?.vpc_id,
            None => &world.network_interfaces.get(eni)?.vpc_id,
        };
        let Some(gateway) = self.net.index.internet_gateway_of_vpc(vpc) else {
            self.explain(Explanation {
                code: codes::NO_ROUTE_TO_DESTINATION,
                vpc: Some(vpc.clone()),
                header: Some(h),
                ..Explanation::default()
            });
            return None;
        };
        self.enter_from_internet(gateway, h, to)
    }

    /// In through an internet gateway to an interface: the public destination is translated to
    /// the private address behind it, then the gateway's edge route table (if any) routes it.
    pub(super) fn enter_from_internet(
        &mut self,
        gateway: &str,
        h: Header,
        to: &End,
    ) -> Option<Header> {
        let world = self.world();
        let igw = world.internet_gateways.get(gateway)?;
        if let Some(code) = h.source_address().and_then(|a| not_routable(a, false)) {
            let explanation = Explanation {
                code,
                component: Some(gateway.to_owned()),
                internet_gateway: Some(gateway.to_owned()),
                address: h.source_address(),
                vpc: igw.attached_vpc_id.clone(),
                header: Some(h),
                ..Explanation::default()
            };
            self.push_blocked(
                Hop::located(gateway, igw.attached_vpc_id.as_deref(), None),
                explanation,
            );
            return None;
        }
        let Some(vpc) = igw.attached_vpc_id.clone() else {
            let hop = Hop::new(gateway);
            self.push_blocked(
                hop,
                Explanation {
                    code: codes::BAD_STATE,
                    component: Some(gateway.to_owned()),
                    internet_gateway: Some(gateway.to_owned()),
                    state: Some("detached".into()),
                    header: Some(h),
                    ..Explanation::default()
                },
            );
            return None;
        };
        let End::Interface { eni: target_id, address: private, .. } = to else {
            return Some(h);
        };
        let target = world.network_interfaces.get(target_id)?;
        // Packets to a NAT gateway's Elastic IP go to the gateway's interface.
        let nat_target = h
            .destination_address()
            .and_then(|a| self.nat_public_address(&vpc, a))
            .filter(|(eni, _)| eni.id != target.id);
        let (target, private) = match &nat_target {
            Some((eni, private)) => (*eni, private),
            None => (target, private),
        };
        let mut hop = Hop::located(gateway, Some(&vpc), None);
        // The packets are addressed to the public address mapped to the destination.
        let public = match private {
            IpAddr::V6(_) => Some(*private),
            IpAddr::V4(p) => target
                .private_ips
                .iter()
                .find(|ip| ip.address == *p)
                .and_then(|ip| ip.public.as_ref())
                .map(|public| IpAddr::V4(public.address)),
        };
        let addressed_to = |a: IpAddr| Header { destination: Span::one(address_value(a)), ..h };
        let Some(public) = public else {
            hop.inbound = Some(h);
            self.push_blocked(
                hop,
                Explanation {
                    code: codes::IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS,
                    component: Some(gateway.to_owned()),
                    internet_gateway: Some(gateway.to_owned()),
                    network_interface: Some(target.id.clone()),
                    address: Some(*private),
                    vpc: Some(vpc),
                    header: Some(h),
                    ..Explanation::default()
                },
            );
            return None;
        };
        if target.vpc_id != vpc {
            return None;
        }
        let inbound = addressed_to(public);
        let outbound = addressed_to(*private);
        hop.inbound = Some(inbound);
        hop.outbound = Some(outbound);
        self.hops.push(hop);
        let sender = Sender::default();
        // Ingress routing: a route table edge-associated with the gateway may send the packets
        // to an appliance first.
        if let Some(table) =
            self.net.index.edge_route_table(gateway).and_then(|id| world.route_tables.get(id))
            && let Some((route, narrowed)) =
                pick_route(table, &outbound, None, &self.net.index.prefix_lists)
        {
            let mut hop = Hop::located(&table.id, Some(&vpc), None);
            hop.decision = Some(Decision::Route(route.clone()));
            self.hops.push(hop);
            if let RouteTarget::NetworkInterface(id)
            | RouteTarget::Instance { network_interface_id: id, .. } = &route.target
                && let Some(appliance) = world.network_interfaces.get(id)
            {
                return self.enter_subnet(appliance, narrowed, to, &sender);
            }
        }
        self.enter_subnet(target, outbound, to, &sender)
    }
}

/// Why an internet gateway refuses an address that cannot be on the internet: a private
/// (RFC 1918) or shared (RFC 6598) IPv4 destination going out, or source coming in.
fn not_routable(address: IpAddr, egress: bool) -> Option<&'static str> {
    let IpAddr::V4(a) = address else { return None };
    let [first, second, ..] = a.octets();
    let private = first == 10
        || (first == 172 && (16..32).contains(&second))
        || (first == 192 && second == 168);
    let shared = first == 100 && (64..128).contains(&second);
    match (private, shared, egress) {
        (true, _, true) => Some(codes::IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS),
        (_, true, true) => Some(codes::IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS),
        (true, _, false) => Some(codes::IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS),
        (_, true, false) => Some(codes::IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS),
        _ => None,
    }
}
