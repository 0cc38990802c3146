//! Transit gateways. A VPC route sends packets into the gateway through the VPC's attachment
//! (which needs a subnet in the source's availability zone); the route table that attachment
//! is associated with picks the attachment they leave by (longest prefix; a blackhole drops
//! them). Out of a VPC attachment they enter that VPC at the gateway's interface in the
//! attachment's subnet — the same zone when it has one — and are routed by that subnet's route
//! table, so an inspection or egress VPC works as on AWS. Out of a VPN or Direct Connect
//! attachment they reach on premises; out of a peering attachment, the peer gateway routes
//! them by its own tables. Transitive by design: nothing here checks where the packets began.

use super::{Border, End, Explanation, Hop, Sender, Walk, codes};
use crate::header::Header;
use model::transit_gateway::{AttachmentResource, TgwAttachment, TgwRouteState};
use model::types::ec2::{NetworkInterface, RouteTable};

impl<'w> Walk<'_, 'w> {
    /// From the VPC of `table` into transit gateway `tgw`, the target of the route taken.
    pub(super) fn enter_transit_gateway(
        &mut self,
        tgw: &str,
        table: &RouteTable,
        from: &NetworkInterface,
        h: Header,
        to: &End,
        sender: &Sender,
    ) -> Option<Header> {
        let world = self.world();
        // The route is active (checked before), so the VPC has an available attachment.
        let attachment = world.tgw_attachment_in_vpc(tgw, &table.vpc_id)?;
        let zone = world.subnets.get(&from.subnet_id).map(|s| s.availability_zone.clone());
        let mut hop = Hop::located(&attachment.id, Some(&table.vpc_id), None);
        hop.inbound = Some(h);
        if zone
            .as_deref()
            .is_none_or(|z| world.tgw_attachment_subnet_in_zone(attachment, z).is_none())
        {
            self.push_blocked(
                hop,
                Explanation {
                    code: codes::TGW_ATTACH_VPC_AZ_RESTRICTION,
                    component: Some(attachment.id.clone()),
                    transit_gateway: Some(tgw.to_owned()),
                    transit_gateway_attachment: Some(attachment.id.clone()),
                    subnet: Some(from.subnet_id.clone()),
                    vpc: Some(table.vpc_id.clone()),
                    header: Some(h),
                    ..Explanation::default()
                },
            );
            return None;
        }
        hop.outbound = Some(h);
        self.hops.push(hop);
        self.transit_zone = zone;
        let tgw = attachment.transit_gateway_id.as_str();
        // The gateway itself is the destination: the packets are there.
        if matches!(to, End::Outside { beyond: Border::TransitGateway(g), .. } if g == tgw) {
            self.pass_through(Hop::new(tgw), h);
            return Some(h);
        }
        self.across_transit_gateway(attachment, tgw, h, to, sender)
    }

    /// A path from the gateway `id` itself: the packets leave it by its attachment in the
    /// destination's VPC (a gateway reaches a VPC only through its attachment there).
    pub(super) fn leave_transit_gateway_as_source(
        &mut self,
        id: &str,
        h: Header,
        to: &End,
    ) -> Option<Header> {
        let world = self.world();
        self.pass_through(Hop::new(id), h);
        let vpc = match to {
            End::Interface { eni, .. } => world.network_interfaces.get(eni).map(|e| &e.vpc_id),
            End::Outside { .. } => None,
        };
        let egress =
            vpc.and_then(|v| world.tgw_attachment_in_vpc(id, v)).filter(|a| a.is_available());
        let Some(egress) = egress else {
            self.block_last(Explanation {
                code: codes::NO_ROUTE_TO_DESTINATION,
                component: Some(id.to_owned()),
                transit_gateway: Some(id.to_owned()),
                destination: to.name(),
                vpc: vpc.cloned(),
                header: Some(h),
                ..Explanation::default()
            });
            return None;
        };
        self.pass_through(Hop::new(&egress.id), h);
        let tgw = egress.transit_gateway_id.as_str();
        self.leave_transit_gateway(egress, tgw, h, to, &Sender::default())
    }

    /// In by the attachment `id` from what is behind it (on premises, or a walk's end).
    pub(super) fn enter_from_transit_attachment(
        &mut self,
        id: &str,
        h: Header,
        to: &End,
    ) -> Option<Header> {
        let world = self.world();
        let attachment = world.transit_gateway_attachments.get(id)?;
        if let AttachmentResource::Vpn { vpn_connection_id } = &attachment.resource {
            self.pass_through(Hop::new(vpn_connection_id), h);
        }
        self.pass_through(Hop::new(id), h);
        let tgw = attachment.transit_gateway_id.as_str();
        self.across_transit_gateway(attachment, tgw, h, to, &Sender::default())
    }

    /// Packets that entered gateway `tgw` by `ingress`, routed by the table `ingress` is
    /// associated with on that gateway (a peering has one per side) to the attachment they
    /// leave by.
    fn across_transit_gateway(
        &mut self,
        ingress: &'w TgwAttachment,
        tgw: &'w str,
        h: Header,
        to: &End,
        sender: &Sender,
    ) -> Option<Header> {
        self.budget = self.budget.checked_sub(1)?;
        let world = self.world();
        let refusal = |code: &'static str| Explanation {
            code,
            component: Some(tgw.to_owned()),
            transit_gateway: Some(tgw.to_owned()),
            transit_gateway_attachment: Some(ingress.id.clone()),
            header: Some(h),
            ..Explanation::default()
        };
        let Some(table) = ingress
            .association_on(tgw)
            .filter(|t| world.transit_gateway_route_tables.get(t).is_some_and(|t| t.is_live()))
        else {
            self.push_blocked(
                Hop::new(tgw),
                refusal(codes::TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION),
            );
            return None;
        };
        let mut hop = Hop::new(table);
        hop.inbound = Some(h);
        // To an attachment named as the destination, any address behind it will do: the route
        // to it carries the packets it covers.
        let wanted = match to {
            End::Outside { beyond: Border::TransitAttachment(a), .. } => Some(a),
            _ => None,
        };
        let index = &self.net.index;
        let found = match (h.destination.is_single(), wanted) {
            (false, Some(want)) => index.transit_route_to(table, want, h.destination),
            _ => index.transit_route(table, h.destination).map(|r| (r, h.destination)),
        };
        let Some((route, destination)) = found else {
            self.push_blocked(
                hop,
                Explanation {
                    transit_gateway_route_table: Some(table.to_owned()),
                    address: h.destination_address(),
                    ..refusal(codes::TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT)
                },
            );
            return None;
        };
        let h = self.decided(&h, Header { destination, ..h });
        hop.decision = Some(super::Decision::TransitGatewayRoute(route.clone()));
        let egress = route
            .attachment_ids
            .first()
            .and_then(|a| world.transit_gateway_attachments.get(a))
            .filter(|a| a.is_available());
        let (TgwRouteState::Active, Some(egress)) = (route.state, egress) else {
            self.push_blocked(
                hop,
                Explanation {
                    component: Some(table.to_owned()),
                    transit_gateway_route_table: Some(table.to_owned()),
                    transit_gateway_route: Some(route.clone()),
                    state: Some("blackhole".into()),
                    ..refusal(codes::TGW_RTB_BAD_STATE_ROUTE)
                },
            );
            return None;
        };
        hop.outbound = Some(h);
        self.hops.push(hop);
        self.pass_through(Hop::new(&egress.id), h);
        if wanted.is_some_and(|w| *w == egress.id) {
            return Some(h);
        }
        self.leave_transit_gateway(egress, tgw, h, to, sender)
    }

    /// Out of gateway `tgw` by `egress`, to what is behind it.
    fn leave_transit_gateway(
        &mut self,
        egress: &'w TgwAttachment,
        tgw: &'w str,
        h: Header,
        to: &End,
        sender: &Sender,
    ) -> Option<Header> {
        let world = self.world();
        match &egress.resource {
            AttachmentResource::Vpc(vpc) => {
                // The gateway's interface in the zone the packets came from, else the first.
                let zone_subnet = self
                    .transit_zone
                    .as_deref()
                    .and_then(|z| world.tgw_attachment_subnet_in_zone(egress, z));
                let position = zone_subnet
                    .and_then(|s| vpc.subnet_ids.iter().position(|x| x == s))
                    .unwrap_or(0);
                let eni = vpc
                    .network_interface_ids
                    .get(position)
                    .and_then(|e| world.network_interfaces.get(e))?;
                // Security group references cross only where the attachment carries them.
                let sender = Sender {
                    groups: if vpc.security_group_referencing_support {
                        sender.groups.clone()
                    } else {
                        Vec::new()
                    },
                    vpc: sender.vpc.clone().filter(|_| vpc.security_group_referencing_support),
                    through_transit: true,
                };
                self.route_from_subnet(eni, h, to, &sender)
            }
            AttachmentResource::Vpn { vpn_connection_id } => {
                self.pass_through(Hop::new(vpn_connection_id), h);
                self.leave_to_on_premises(egress, h, to)
            }
            AttachmentResource::DirectConnectGateway { .. } => {
                self.leave_to_on_premises(egress, h, to)
            }
            AttachmentResource::Peering { .. } => {
                // The same attachment, on the peer gateway's side: that gateway routes the
                // packets on by the table it associates the peering with.
                let peer = egress.across(tgw)?;
                self.across_transit_gateway(egress, peer, h, to, sender)
            }
        }
    }

    /// Packets left for on premises by `egress`: they arrive when that is where they were
    /// going, and the reply comes back in by the same attachment.
    fn leave_to_on_premises(
        &mut self,
        egress: &TgwAttachment,
        h: Header,
        to: &End,
    ) -> Option<Header> {
        match to {
            End::Outside { .. } => {
                self.flow.on_premises_exit = Some(Border::TransitAttachment(egress.id.clone()));
                Some(h)
            }
            // An interface in a VPC is not on premises.
            End::Interface { eni, .. } => {
                self.block_last(Explanation {
                    code: codes::NO_ROUTE_TO_DESTINATION,
                    component: Some(egress.id.clone()),
                    transit_gateway_attachment: Some(egress.id.clone()),
                    destination: Some(eni.clone()),
                    header: Some(h),
                    ..Explanation::default()
                });
                None
            }
        }
    }
}
