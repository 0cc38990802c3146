//! NAT gateways: outbound only. The gateway's interface takes packets from its own VPC (or from
//! other VPCs through a transit gateway), rewrites their source to its private address and an
//! ephemeral port, and routes them on by its subnet's table; the reply is translated back.

use super::{EPHEMERAL_PORTS, End, Explanation, Hop, NatSession, Sender, Walk, codes};
use crate::header::{Family, Header, Span, address_value, v4_span};
use model::World;
use model::types::ec2::NetworkInterface;
use std::net::IpAddr;

impl<'w> Walk<'_, 'w> {
    /// The interface of a live NAT gateway of `vpc` whose Elastic IP is `address`, and the
    /// private address the Elastic IP maps to.
    pub(super) fn nat_public_address(
        &self,
        vpc: &str,
        address: IpAddr,
    ) -> Option<(&'w NetworkInterface, IpAddr)> {
        let (eni, private) = nat_interface_at_public(self.world(), address)?;
        let eni = self.world().network_interfaces.get(&eni)?;
        (eni.vpc_id == vpc).then_some((eni, private))
    }

    /// Packets at a NAT gateway's interface. Going out, the gateway takes them only from its own
    /// VPC, and sends them on from its private address and an ephemeral port, routed by its
    /// subnet's table (to an internet gateway, which maps that address to the Elastic IP). A
    /// reply is translated back to the address and port that opened the connection.
    pub(super) fn through_nat_gateway(
        &mut self,
        nat: &'w model::types::ec2::NatGateway,
        eni: &NetworkInterface,
        h: Header,
        to: &End,
        through_transit: bool,
    ) -> Option<Header> {
        let mut hop = Hop::located(&nat.id, Some(&nat.vpc_id), Some(&nat.subnet_id));
        hop.inbound = Some(h);
        let session = self.flow.nat_sessions.iter().rev().find(|s| s.nat == nat.id).cloned();
        let translated = match (self.established, session) {
            (true, Some(session)) => Header {
                destination: session.inside_source,
                destination_ports: session.inside_ports,
                ..h
            },
            _ => {
                // Its own VPC's sources, or other VPCs' through a transit gateway (centralised
                // egress); not a peer's (no edge-to-edge routing).
                let inside = through_transit
                    || self.world().vpcs.get(&nat.vpc_id).is_some_and(|v| {
                        v.cidr_blocks.iter().any(|b| v4_span(b.cidr).contains(h.source))
                    });
                if h.family != Family::V4 || !inside {
                    self.push_blocked(
                        hop,
                        Explanation {
                            code: codes::NGW_REQUIRES_SOURCE_IN_VPC,
                            component: Some(nat.id.clone()),
                            vpc: Some(nat.vpc_id.clone()),
                            subnet: Some(nat.subnet_id.clone()),
                            address: h.source_address(),
                            header: Some(h),
                            ..Explanation::default()
                        },
                    );
                    return None;
                }
                if matches!(to, End::Interface { eni: id, .. } if *id == eni.id) {
                    // The gateway's own address is the destination: it answers nothing.
                    hop.blocked = true;
                    self.hops.push(hop);
                    return Some(h);
                }
                let private = nat.primary_private_ip()?;
                self.flow.nat_sessions.push(NatSession {
                    nat: nat.id.clone(),
                    inside_source: h.source,
                    inside_ports: h.source_ports,
                });
                let ports = if h.has_ports() { EPHEMERAL_PORTS } else { h.source_ports };
                Header {
                    source: Span::one(address_value(IpAddr::V4(private))),
                    source_ports: ports,
                    ..h
                }
            }
        };
        hop.outbound = Some(translated);
        self.hops.push(hop);
        // Security group references do not survive the translation.
        let sender =
            Sender { groups: Vec::new(), vpc: Some(nat.vpc_id.clone()), through_transit: false };
        self.route_from_subnet(eni, translated, to, &sender)
    }
}

/// The interface of the live NAT gateway whose Elastic IP is `address`, and the private
/// address behind it.
pub(super) fn nat_interface_at_public(world: &World, address: IpAddr) -> Option<(String, IpAddr)> {
    let IpAddr::V4(address) = address else { return None };
    world.nat_gateways.values().filter(|n| n.state.is_live()).find_map(|n| {
        let a = n.addresses.iter().find(|a| a.public_ip == Some(address))?;
        Some((n.network_interface_id.clone(), IpAddr::V4(a.private_ip)))
    })
}
