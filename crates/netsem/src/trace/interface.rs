//! Interfaces (ENIs): where packets start and arrive. An interface at a path's end stands for
//! what it belongs to (an instance, a VPC endpoint, an endpoint service); one that is not the
//! destination is an appliance forwarding the packets on, subject to its source/destination
//! check.

use super::{Border, End, Explanation, Hop, Owner, Sender, Walk, codes};
use crate::header::Header;
use model::types::ec2::{InstanceState, NetworkInterface};
use std::net::IpAddr;

impl<'w> Walk<'_, 'w> {
    /// The hop of what an interface at a path's end stands for (see [`End::Interface`]).
    pub(super) fn owner_hop(
        &mut self,
        owner: &str,
        eni: &NetworkInterface,
        h: Header,
        arriving: bool,
    ) {
        let mut hop = Hop::located(owner, Some(&eni.vpc_id), Some(&eni.subnet_id));
        if arriving {
            hop.inbound = Some(h);
        } else {
            hop.outbound = Some(h);
        }
        if let Some(instance) = self.world().instances.get(owner)
            && !matches!(instance.state, InstanceState::Running | InstanceState::Pending)
        {
            hop.blocked = true;
            self.explain(Explanation {
                code: codes::BAD_STATE,
                component: Some(owner.to_owned()),
                state: Some(instance.state.name().to_owned()),
                vpc: Some(eni.vpc_id.clone()),
                header: Some(h),
                ..Explanation::default()
            });
        }
        self.hops.push(hop);
    }

    pub(super) fn interface_hop(&mut self, eni: &NetworkInterface, h: Header, arriving: bool) {
        let mut hop = Hop::located(&eni.id, Some(&eni.vpc_id), Some(&eni.subnet_id));
        hop.attached_to = eni.attachment.as_ref().map(|a| a.instance_id.clone());
        if arriving {
            hop.inbound = Some(h);
        } else {
            hop.outbound = Some(h);
        }
        self.hops.push(hop);
    }

    /// Whether `address` is one of the interface's own.
    pub(super) fn owns(eni: &NetworkInterface, address: Option<IpAddr>) -> bool {
        address.is_some_and(|a| {
            eni.private_ips.iter().any(|p| IpAddr::V4(p.address) == a)
                || eni.ipv6_addresses.iter().any(|v6| IpAddr::V6(*v6) == a)
        })
    }

    /// The source/destination check: an interface sends and receives only its own addresses
    /// unless the check is disabled (NAT instances, appliances).
    pub(super) fn source_dest_check(&mut self, eni: &NetworkInterface, h: &Header, sending: bool) {
        let address = if sending { h.source_address() } else { h.destination_address() };
        // A Network Load Balancer sends to targets with its clients' addresses when its target
        // group preserves them.
        let forwards_clients = sending && eni.interface_type == "network_load_balancer";
        if eni.source_dest_check && !forwards_clients && !Self::owns(eni, address) {
            self.block_last(Explanation {
                code: codes::ENI_SOURCE_DEST_CHECK_RESTRICTION,
                direction: Some(if sending { "egress" } else { "ingress" }),
                component: Some(eni.id.clone()),
                network_interface: Some(eni.id.clone()),
                vpc: Some(eni.vpc_id.clone()),
                subnet: Some(eni.subnet_id.clone()),
                header: Some(*h),
                ..Explanation::default()
            });
        }
    }

    /// Packets leaving an interface that sends them: its groups, then its subnet's routing.
    pub(super) fn leave_interface(
        &mut self,
        eni: &NetworkInterface,
        h: Header,
        to: &End,
    ) -> Option<Header> {
        self.interface_hop(eni, h, false);
        self.source_dest_check(eni, &h, true);
        let sender = Sender {
            groups: eni.security_groups.clone(),
            vpc: Some(eni.vpc_id.clone()),
            through_transit: false,
        };
        let h = self.security_groups(eni, h, true, &sender);
        self.route_from_subnet(eni, h, to, &sender)
    }

    /// Packets entering the subnet of `target` (routed there) and arriving at it.
    pub(super) fn enter_subnet(
        &mut self,
        target: &NetworkInterface,
        h: Header,
        to: &End,
        sender: &Sender,
    ) -> Option<Header> {
        let h = self.network_acl(&target.subnet_id, &target.vpc_id, h, false);
        self.arrive_at_interface(target, h, to, sender)
    }

    pub(super) fn arrive_at_interface(
        &mut self,
        target: &NetworkInterface,
        h: Header,
        to: &End,
        sender: &Sender,
    ) -> Option<Header> {
        // The reply to a Client VPN client reaches the association's interface.
        if let End::Outside { beyond: Border::ClientVpn(g), .. } = to
            && target.requester_managed
            && let Some(cvpn) = self.world().client_vpn_of_interface(&target.id)
            && cvpn.id == *g
        {
            return self.back_to_client_vpn(cvpn, target, h, sender);
        }
        // Only a NAT gateway's own interface (its type says so) needs the gateway looked up.
        if let Some(nat) = (target.interface_type == "nat_gateway")
            .then(|| self.world().nat_gateway_of_interface(&target.id))
            .flatten()
        {
            return self.through_nat_gateway(nat, target, h, to, sender.through_transit);
        }
        let h = self.security_groups(target, h, false, sender);
        self.interface_hop(target, h, true);
        match to {
            End::Interface { eni, owner, .. } if *eni == target.id => {
                // An endpoint's interface: the endpoint, and its service unless the path ends
                // at the endpoint.
                if !self.established && target.interface_type.ends_with("endpoint") {
                    let ends_at_endpoint = matches!(owner, Some(Owner::VpcEndpoint(_)));
                    return self.on_to_endpoint_service(target, h, ends_at_endpoint);
                }
                if let Some(owner) = owner {
                    self.owner_hop(owner.id(), target, h, true);
                }
                Some(h)
            }
            _ => {
                // An interface that is not the destination: an appliance forwarding onward.
                self.source_dest_check(target, &h, false);
                let onward = Sender {
                    groups: target.security_groups.clone(),
                    vpc: Some(target.vpc_id.clone()),
                    through_transit: sender.through_transit,
                };
                let h = self.security_groups(target, h, true, &onward);
                self.route_from_subnet(target, h, to, &onward)
            }
        }
    }
}
