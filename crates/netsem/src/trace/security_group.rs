//! Security groups: allow-only rules of all the groups of an interface, judged for packets
//! leaving (egress) and arriving (ingress); stateful — the reply of an admitted flow crosses them
//! unjudged. Rules may name groups: those of the interface at the other end, in the same VPC or
//! a VPC peered with it in the same region.

use super::{Decision, Explanation, Hop, Sender, Walk, codes};
use crate::header::Header;
use crate::security_groups;
use model::types::ec2::NetworkInterface;
use std::net::IpAddr;

impl<'w> Walk<'_, 'w> {
    /// The interface's security groups, in the order it lists them.
    fn groups_of(&self, eni: &NetworkInterface) -> Vec<&'w model::types::ec2::SecurityGroup> {
        eni.security_groups.iter().filter_map(|g| self.world().security_groups.get(g)).collect()
    }

    /// Security groups of `eni` for packets leaving (egress) or arriving (ingress). Replies of
    /// admitted flows pass without a hop: groups are stateful.
    pub(super) fn security_groups(
        &mut self,
        eni: &NetworkInterface,
        h: Header,
        egress: bool,
        sender: &Sender,
    ) -> Header {
        // An interface without groups (a Network Load Balancer's created without any) is not
        // filtered by them.
        if eni.security_groups.is_empty() {
            return h;
        }
        if self.established {
            // Replies of admitted flows: the groups are crossed but judge nothing.
            if let Some(first) = eni.security_groups.first() {
                let hop = Hop::located(first, Some(&eni.vpc_id), Some(&eni.subnet_id));
                self.hops.push(hop);
            }
            return h;
        }
        let groups = self.groups_of(eni);
        let direction = if egress {
            security_groups::Direction::Egress
        } else {
            security_groups::Direction::Ingress
        };
        // Group references name the interface at the other end, reached over private
        // addressing in the same VPC: the destination's groups for egress, the sender's for
        // ingress.
        let peer_groups: Vec<String> = if egress {
            h.destination_address()
                .and_then(|a| self.group_peer_at(&eni.vpc_id, a))
                .map(|d| d.security_groups.clone())
                .unwrap_or_default()
        } else if sender.vpc.as_deref().is_some_and(|v| self.groups_reach(v, &eni.vpc_id)) {
            sender.groups.clone()
        } else {
            Vec::new()
        };
        let peer = security_groups::Peer { groups: &peer_groups };
        let lists = &self.net.index.prefix_lists;
        match security_groups::evaluate(groups.iter().copied(), &h, direction, peer, lists) {
            Some(verdict) => {
                let mut hop =
                    Hop::located(&verdict.group.id, Some(&eni.vpc_id), Some(&eni.subnet_id));
                hop.decision = Some(Decision::SecurityGroup { egress, rule: verdict.rule.clone() });
                self.hops.push(hop);
                self.decided(&h, verdict.header)
            }
            None => {
                let first = eni.security_groups.first().cloned().unwrap_or_default();
                let hop = Hop::located(&first, Some(&eni.vpc_id), Some(&eni.subnet_id));
                self.push_blocked(
                    hop,
                    Explanation {
                        code: codes::ENI_SG_RULES_MISMATCH,
                        direction: Some(if egress { "egress" } else { "ingress" }),
                        component: Some(eni.id.clone()),
                        network_interface: Some(eni.id.clone()),
                        security_groups: eni.security_groups.clone(),
                        vpc: Some(eni.vpc_id.clone()),
                        subnet: Some(eni.subnet_id.clone()),
                        header: Some(h),
                        ..Explanation::default()
                    },
                );
                h
            }
        }
    }

    /// Whether group references of `from`'s groups count in `to`: the same VPC, or a VPC
    /// actively peered with it in the same region.
    fn groups_reach(&self, from: &str, to: &str) -> bool {
        from == to || {
            let world = self.world();
            let region = |v: &str| world.vpcs.get(v).map(|v| v.owner.region.clone());
            world.active_peering_between(from, to).is_some() && region(from) == region(to)
        }
    }

    /// The interface at `address` whose groups a rule of a group in `vpc` may name: in the
    /// VPC itself, else in a VPC peered with it in the same region.
    fn group_peer_at(&self, vpc: &str, address: IpAddr) -> Option<&'_ NetworkInterface> {
        let index = self.net.index;
        let found = index.interface_at(vpc, address).or_else(|| {
            index.interfaces_at(address).find(|(v, _)| self.groups_reach(vpc, v)).map(|(_, e)| e)
        })?;
        self.world().network_interfaces.get(found)
    }
}
