//! Security group evaluation: allow-only rules, any rule of any group of the interface admits.
//!
//! Groups are stateful: once the packet that opens a flow is admitted, its replies are allowed
//! whatever the rules say, so the caller evaluates only the opening direction.

use crate::packet::{Packet, TrafficSpec};
use model::prefix_list::find_aws_managed;
use model::resources::{RulePeer, SecurityGroup, SecurityGroupRule};
use std::net::IpAddr;

/// Which rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Traffic arriving at the interface: inbound rules, matched against the source.
    Ingress,
    /// Traffic leaving the interface: outbound rules, matched against the destination.
    Egress,
}

/// The other end of the packet as rules see it: its address and, when it is an interface
/// reached over private addressing, the groups it belongs to (for group references).
#[derive(Debug, Clone, Copy)]
pub struct Peer<'a> {
    pub address: IpAddr,
    pub groups: &'a [String],
}

/// The rule that admitted the packet, and its group.
#[derive(Debug, Clone, Copy)]
pub struct SgVerdict<'a> {
    pub group: &'a SecurityGroup,
    pub rule: &'a SecurityGroupRule,
}

fn peer_matches(rule: &SecurityGroupRule, peer: &Peer<'_>, region: &str) -> bool {
    match (&rule.peer, peer.address) {
        (RulePeer::V4(c), IpAddr::V4(a)) => c.contains_addr(a),
        (RulePeer::V6(c), IpAddr::V6(a)) => c.contains_addr(a),
        (RulePeer::PrefixList(id), IpAddr::V4(a)) => find_aws_managed(region, id)
            .is_some_and(|pl| pl.cidrs.iter().any(|c| c.contains_addr(a))),
        (RulePeer::Group { group_id, .. }, _) => peer.groups.contains(group_id),
        _ => false,
    }
}

fn traffic_matches(rule: &SecurityGroupRule, packet: &Packet) -> bool {
    // For ICMP a rule's "ports" are the type and the code.
    packet.matches(&TrafficSpec {
        protocol: &rule.protocol,
        ports: (rule.from_port, rule.to_port),
        icmp: (rule.from_port, rule.to_port),
    })
}

/// The first rule, over all `groups`, that admits `packet` in `direction`; `None` means the
/// groups deny it (they have no deny rules: only the absence of an allow).
pub fn evaluate<'a>(
    groups: impl IntoIterator<Item = &'a SecurityGroup>,
    packet: &Packet,
    direction: Direction,
    peer: Peer<'_>,
) -> Option<SgVerdict<'a>> {
    groups.into_iter().find_map(|group| {
        let rules = match direction {
            Direction::Ingress => &group.ingress,
            Direction::Egress => &group.egress,
        };
        rules
            .iter()
            .find(|r| traffic_matches(r, packet) && peer_matches(r, &peer, &group.owner.region))
            .map(|rule| SgVerdict { group, rule })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::Scope;
    use model::cidr::Ipv4Cidr;

    fn rule(
        id: &str,
        protocol: &str,
        ports: Option<(i32, i32)>,
        peer: RulePeer,
    ) -> SecurityGroupRule {
        SecurityGroupRule {
            id: id.into(),
            protocol: protocol.into(),
            from_port: ports.map(|p| p.0),
            to_port: ports.map(|p| p.1),
            peer,
            description: None,
            tags: Default::default(),
        }
    }

    fn group(id: &str, ingress: Vec<SecurityGroupRule>) -> SecurityGroup {
        SecurityGroup {
            id: id.into(),
            owner: Scope::new("123456789012", "us-east-1"),
            name: id.into(),
            description: String::new(),
            vpc_id: "vpc-1".into(),
            ingress,
            egress: vec![SecurityGroupRule::allow_all_egress("sgr-out".into())],
            tags: Default::default(),
        }
    }

    fn v4(c: &str) -> RulePeer {
        RulePeer::V4(Ipv4Cidr::parse(c, true).unwrap())
    }

    #[test]
    fn bastion_pattern_ssh_only_from_the_bastion_group() {
        let db = group(
            "sg-db",
            vec![
                rule(
                    "sgr-ssh",
                    "tcp",
                    Some((22, 22)),
                    RulePeer::Group {
                        group_id: "sg-bastion".into(),
                        user_id: "123456789012".into(),
                    },
                ),
                rule(
                    "sgr-mysql",
                    "tcp",
                    Some((3306, 3306)),
                    RulePeer::Group { group_id: "sg-app".into(), user_id: "123456789012".into() },
                ),
            ],
        );
        let to_db = |port| {
            Packet::tcp("10.0.1.10".parse().unwrap(), 40000, "10.0.2.20".parse().unwrap(), port)
        };
        let bastion = ["sg-bastion".to_owned()];
        let app = ["sg-app".to_owned()];
        let v = evaluate(
            [&db],
            &to_db(22),
            Direction::Ingress,
            Peer { address: "10.0.1.10".parse().unwrap(), groups: &bastion },
        );
        assert_eq!(v.unwrap().rule.id, "sgr-ssh");
        assert!(
            evaluate(
                [&db],
                &to_db(22),
                Direction::Ingress,
                Peer { address: "10.0.1.10".parse().unwrap(), groups: &app }
            )
            .is_none()
        );
        assert_eq!(
            evaluate(
                [&db],
                &to_db(3306),
                Direction::Ingress,
                Peer { address: "10.0.1.10".parse().unwrap(), groups: &app }
            )
            .unwrap()
            .rule
            .id,
            "sgr-mysql"
        );
    }

    #[test]
    fn tcp_allowed_but_not_udp_and_egress_default_allows_all() {
        let web =
            group("sg-web", vec![rule("sgr-https", "tcp", Some((443, 443)), v4("0.0.0.0/0"))]);
        let anyone = Peer { address: "198.51.100.1".parse().unwrap(), groups: &[] };
        let tcp =
            Packet::tcp("198.51.100.1".parse().unwrap(), 50000, "10.0.0.5".parse().unwrap(), 443);
        let udp =
            Packet::udp("198.51.100.1".parse().unwrap(), 50000, "10.0.0.5".parse().unwrap(), 443);
        assert!(evaluate([&web], &tcp, Direction::Ingress, anyone).is_some());
        assert!(evaluate([&web], &udp, Direction::Ingress, anyone).is_none());
        assert_eq!(
            evaluate([&web], &tcp.reply(), Direction::Egress, anyone).unwrap().rule.id,
            "sgr-out"
        );
    }

    #[test]
    fn any_group_of_the_interface_may_admit() {
        let a = group("sg-a", vec![]);
        let b = group("sg-b", vec![rule("sgr-all", "-1", None, v4("10.0.0.0/8"))]);
        let p = Packet::udp("10.1.2.3".parse().unwrap(), 1000, "10.0.0.5".parse().unwrap(), 9999);
        let v = evaluate([&a, &b], &p, Direction::Ingress, Peer { address: p.source, groups: &[] })
            .unwrap();
        assert_eq!((v.group.id.as_str(), v.rule.id.as_str()), ("sg-b", "sgr-all"));
    }
}
