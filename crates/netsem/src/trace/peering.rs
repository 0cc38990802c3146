//! VPC peering: packets cross to the peer VPC, where only its local route delivers them — not
//! transitive, no edge-to-edge routing (only the two VPCs' own addresses cross).

use super::{Border, End, Explanation, Hop, Sender, Walk, codes};
use crate::header::{Family, Header, Span, v4_span, v6_span};
use model::types::ec2::{Route, RouteTable};

impl<'w> Walk<'_, 'w> {
    /// Across the peering connection `id` from the VPC of `table`: only packets from the local
    /// VPC's addresses to the peer VPC's addresses cross (no transit, no edge-to-edge), and in
    /// the peer VPC they go straight to the interface holding the destination.
    pub(super) fn cross_peering(
        &mut self,
        id: &str,
        table: &RouteTable,
        route: &Route,
        h: Header,
        to: &End,
        sender: &Sender,
    ) -> Option<Header> {
        let world = self.world();
        let pcx = world.vpc_peering_connections.get(id)?;
        let local = world.vpcs.get(&table.vpc_id)?;
        let peer_id = pcx.peer_of(&local.id)?.to_owned();
        let peer = world.vpcs.get(&peer_id)?;
        let hop = Hop::located(id, Some(&local.id), None);
        let (source, destination) = (h.source_address(), h.destination_address());
        let outside = if !vpc_holds(peer, h.family, h.destination) {
            Some((destination, &peer_id))
        } else if !vpc_holds(local, h.family, h.source) {
            Some((source, &local.id))
        } else {
            None
        };
        if let Some((address, vpc)) = outside {
            self.push_blocked(
                hop,
                Explanation {
                    code: codes::PCX_REQUIRES_ADDRESS_IN_VPC_CIDR,
                    component: Some(id.to_owned()),
                    route_table: Some(table.id.clone()),
                    route: Some(route.clone()),
                    vpc: Some(vpc.clone()),
                    address,
                    header: Some(h),
                    ..Explanation::default()
                },
            );
            return None;
        }
        self.hops.push(hop);
        if matches!(to, End::Outside { beyond: Border::Peering(p), .. } if p == id) {
            // The peering connection is where the packets were going.
            return Some(h);
        }
        let target = destination
            .and_then(|a| self.net.index.interface_at(&peer_id, a))
            .and_then(|e| world.network_interfaces.get(e));
        let Some(target) = target else {
            self.block_last(Explanation {
                code: codes::DESTINATION_NOT_IN_VPC,
                component: Some(id.to_owned()),
                vpc: Some(peer_id),
                address: destination,
                header: Some(h),
                ..Explanation::default()
            });
            return None;
        };
        self.enter_subnet(target, h, to, sender)
    }

    /// In across the peering connection `id` (a path's source) to an interface of one of its
    /// VPCs: the packets come from the other VPC's addresses (its first block unless given).
    pub(super) fn enter_from_peering(&mut self, id: &str, h: Header, to: &End) -> Option<Header> {
        let world = self.world();
        let pcx = world.vpc_peering_connections.get(id)?;
        let End::Interface { eni, .. } = to else { return None };
        let target = world.network_interfaces.get(eni)?;
        let from_vpc = world.vpcs.get(pcx.peer_of(&target.vpc_id)?)?;
        let mut h = h;
        if h.source == h.family.all()
            && let Some(block) = from_vpc.cidr_blocks.first()
        {
            h.source = v4_span(block.cidr);
        }
        let hop = Hop::located(id, Some(&target.vpc_id), None);
        if !vpc_holds(from_vpc, h.family, h.source) {
            self.push_blocked(
                hop,
                Explanation {
                    code: codes::PCX_REQUIRES_ADDRESS_IN_VPC_CIDR,
                    component: Some(id.to_owned()),
                    vpc: Some(from_vpc.id.clone()),
                    address: h.source_address(),
                    header: Some(h),
                    ..Explanation::default()
                },
            );
            return None;
        }
        self.pass_through(hop, h);
        self.enter_subnet(target, h, to, &Sender::default())
    }
}

/// Whether the blocks of `vpc` hold every address of `span`.
fn vpc_holds(vpc: &model::types::ec2::Vpc, family: Family, span: Span) -> bool {
    match family {
        Family::V4 => vpc.cidr_blocks.iter().any(|b| v4_span(b.cidr).contains(span)),
        Family::V6 => vpc.ipv6_cidr_blocks.iter().any(|b| v6_span(b.cidr).contains(span)),
    }
}
