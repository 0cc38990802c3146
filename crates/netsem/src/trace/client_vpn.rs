//! Client VPN: a connected client's packets enter the VPC through the endpoint — its route
//! table picks the target subnet, an authorization rule must cover the destination, and the
//! packets leave the association's interface source-NATed to its address; the reply goes back
//! to the client.

use super::{Border, End, Explanation, Hop, NatSession, Sender, Walk, codes};
use crate::header::{Header, Span, address_value};
use model::types::ec2::NetworkInterface;
use std::net::IpAddr;

impl<'w> Walk<'_, 'w> {
    /// From a client of the Client VPN endpoint `id`: the endpoint's route table picks the
    /// target subnet (longest prefix), an authorization rule must cover the destination, and
    /// the packets leave the association's interface source-NATed to its address, with the
    /// endpoint's security groups, routed by the subnet's table like any other.
    pub(super) fn enter_from_client_vpn(
        &mut self,
        id: &str,
        h: Header,
        to: &End,
    ) -> Option<Header> {
        let world = self.world();
        let e = world.client_vpn_endpoints.get(id)?;
        let mut hop = Hop::located(id, e.vpc_id.as_deref(), None);
        hop.inbound = Some(h);
        if e.state != model::client_vpn::EndpointState::Available {
            self.push_blocked(
                hop,
                Explanation {
                    code: codes::BAD_STATE,
                    component: Some(id.to_owned()),
                    state: Some(e.state.name().to_owned()),
                    header: Some(h),
                    ..Explanation::default()
                },
            );
            return None;
        }
        let destination = match h.destination_address() {
            Some(IpAddr::V4(a)) => a,
            Some(IpAddr::V6(_)) => return None,
            // A set of destinations (the internet): the route of its lowest address.
            None => std::net::Ipv4Addr::from(u32::try_from(h.destination.lo).unwrap_or(0)),
        };
        let refusal = |code: &'static str| Explanation {
            code,
            component: Some(id.to_owned()),
            vpc: e.vpc_id.clone(),
            address: Some(IpAddr::V4(destination)),
            header: Some(h),
            ..Explanation::default()
        };
        let Some(route) = e.route_to(destination) else {
            self.push_blocked(hop, refusal(codes::CLIENT_VPN_NO_ROUTE_TO_DESTINATION));
            return None;
        };
        let authorized = e.authorization_for(destination).is_some();
        let association = e.association_in(&route.target_subnet);
        let Some(eni) =
            association.and_then(|a| world.network_interfaces.get(&a.network_interface_id))
        else {
            // The client-to-client route: only another client is there.
            if !authorized {
                self.push_blocked(hop, refusal(codes::VPCLAB_CLIENT_VPN_NOT_AUTHORIZED));
                return None;
            }
            hop.outbound = Some(h);
            self.hops.push(hop);
            return matches!(to, End::Outside { beyond: Border::ClientVpn(c), .. } if c == id)
                .then_some(h);
        };
        let private = eni.primary_ip()?;
        let translated = Header { source: Span::one(address_value(IpAddr::V4(private))), ..h };
        hop.outbound = Some(translated);
        hop.subnet = Some(eni.subnet_id.clone());
        if authorized {
            self.hops.push(hop);
        } else {
            // The walk goes on, so every other blocking component is named too.
            self.push_blocked(hop, refusal(codes::VPCLAB_CLIENT_VPN_NOT_AUTHORIZED));
        }
        self.flow.nat_sessions.push(NatSession {
            nat: id.to_owned(),
            inside_source: h.source,
            inside_ports: h.source_ports,
        });
        self.leave_interface(eni, translated, to)
    }

    /// The reply at the association's interface goes back to the client it came from.
    pub(super) fn back_to_client_vpn(
        &mut self,
        cvpn: &'w model::client_vpn::ClientVpnEndpoint,
        eni: &NetworkInterface,
        h: Header,
        sender: &Sender,
    ) -> Option<Header> {
        let h = self.security_groups(eni, h, false, sender);
        self.interface_hop(eni, h, true);
        let session = self.flow.nat_sessions.iter().rev().find(|s| s.nat == cvpn.id).cloned()?;
        let back = Header {
            destination: session.inside_source,
            destination_ports: session.inside_ports,
            ..h
        };
        let mut hop = Hop::located(&cvpn.id, cvpn.vpc_id.as_deref(), None);
        hop.inbound = Some(h);
        hop.outbound = Some(back);
        self.hops.push(hop);
        Some(back)
    }
}
