//! Security group evaluation: allow-only rules, any rule of any group of the interface admits.
//!
//! Groups are stateful: once the packet that opens a flow is admitted, its replies are allowed
//! whatever the rules say, so the caller evaluates only the opening direction.

use crate::header::{Constraint, Family, Header, v4_span, v6_span};
use crate::packet::TrafficSpec;
use crate::prefix_lists::PrefixLists;
use model::Scope;
use model::cidr::Cidr;
use model::types::ec2::{RulePeer, SecurityGroup, SecurityGroupRule};

/// Which rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Traffic arriving at the interface: inbound rules, matched against the source.
    Ingress,
    /// Traffic leaving the interface: outbound rules, matched against the destination.
    Egress,
}

/// The other end of the packet as rules see it: the groups of its interface when it is one
/// reached over private addressing (for group references); its address is in the header.
#[derive(Debug, Clone, Copy)]
pub struct Peer<'a> {
    pub groups: &'a [String],
}

/// The rule that admitted the packets, its group, and the packets it admits.
#[derive(Debug, Clone, Copy)]
pub struct SgVerdict<'a> {
    pub group: &'a SecurityGroup,
    pub rule: &'a SecurityGroupRule,
    pub header: Header,
}

/// The packets of `header` that `rule` admits, if any.
fn admitted(
    rule: &SecurityGroupRule,
    header: &Header,
    direction: Direction,
    peer: &Peer<'_>,
    owner: &Scope,
    lists: &PrefixLists,
) -> Option<Header> {
    // For ICMP a rule's "ports" are the type and the code.
    let traffic = Constraint::of_traffic(
        &TrafficSpec {
            protocol: &rule.protocol,
            ports: (rule.from_port, rule.to_port),
            icmp: (rule.from_port, rule.to_port),
        },
        header,
    )?;
    let peer_is_source = direction == Direction::Ingress;
    let within = |span| header.narrow(&traffic.with_peer(span, peer_is_source));
    match (&rule.peer, header.family) {
        (RulePeer::V4(c), Family::V4) => within(v4_span(*c)),
        (RulePeer::V6(c), Family::V6) => within(v6_span(*c)),
        (RulePeer::PrefixList(id), family) => {
            lists.blocks(owner, id).iter().find_map(|c| match (c, family) {
                (Cidr::V4(c), Family::V4) => within(v4_span(*c)),
                (Cidr::V6(c), Family::V6) => within(v6_span(*c)),
                _ => None,
            })
        }
        (RulePeer::Group { group_id, .. }, _) if peer.groups.contains(group_id) => {
            header.narrow(&traffic)
        }
        _ => None,
    }
}

/// The first rule, over all `groups`, that admits any packet of `header` in `direction`;
/// `None` means the groups deny them all (they have no deny rules: only the absence of an
/// allow).
pub fn evaluate<'a>(
    groups: impl IntoIterator<Item = &'a SecurityGroup>,
    header: &Header,
    direction: Direction,
    peer: Peer<'_>,
    lists: &PrefixLists,
) -> Option<SgVerdict<'a>> {
    groups.into_iter().find_map(|group| {
        let rules = match direction {
            Direction::Ingress => &group.ingress,
            Direction::Egress => &group.egress,
        };
        rules.iter().find_map(|rule| {
            admitted(rule, header, direction, &peer, &group.owner, lists).map(|header| SgVerdict {
                group,
                rule,
                header,
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::Packet;
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
            &Header::from_packet(&to_db(22)),
            Direction::Ingress,
            Peer { groups: &bastion },
            &PrefixLists::default(),
        );
        assert_eq!(v.unwrap().rule.id, "sgr-ssh");
        assert!(
            evaluate(
                [&db],
                &Header::from_packet(&to_db(22)),
                Direction::Ingress,
                Peer { groups: &app },
                &PrefixLists::default(),
            )
            .is_none()
        );
        assert_eq!(
            evaluate(
                [&db],
                &Header::from_packet(&to_db(3306)),
                Direction::Ingress,
                Peer { groups: &app },
                &PrefixLists::default(),
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
        let anyone = Peer { groups: &[] };
        let none = PrefixLists::default();
        let tcp =
            Packet::tcp("198.51.100.1".parse().unwrap(), 50000, "10.0.0.5".parse().unwrap(), 443);
        let udp =
            Packet::udp("198.51.100.1".parse().unwrap(), 50000, "10.0.0.5".parse().unwrap(), 443);
        assert!(
            evaluate([&web], &Header::from_packet(&tcp), Direction::Ingress, anyone, &none)
                .is_some()
        );
        assert!(
            evaluate([&web], &Header::from_packet(&udp), Direction::Ingress, anyone, &none)
                .is_none()
        );
        assert_eq!(
            evaluate([&web], &Header::from_packet(&tcp.reply()), Direction::Egress, anyone, &none)
                .unwrap()
                .rule
                .id,
            "sgr-out"
        );
    }

    #[test]
    fn any_group_of_the_interface_may_admit() {
        let a = group("sg-a", vec![]);
        let b = group("sg-b", vec![rule("sgr-all", "-1", None, v4("10.0.0.0/8"))]);
        let p = Packet::udp("10.1.2.3".parse().unwrap(), 1000, "10.0.0.5".parse().unwrap(), 9999);
        let v = evaluate(
            [&a, &b],
            &Header::from_packet(&p),
            Direction::Ingress,
            Peer { groups: &[] },
            &PrefixLists::default(),
        )
        .unwrap();
        assert_eq!((v.group.id.as_str(), v.rule.id.as_str()), ("sg-b", "sgr-all"));
    }
}
