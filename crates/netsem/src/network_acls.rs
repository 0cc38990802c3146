//! Network ACL evaluation: entries in rule-number order, the first that matches decides.
//!
//! ACLs are stateless: the reply of an allowed flow is evaluated again, in the other direction,
//! against its own ports (usually the client's ephemeral range, 1024–65535).

use crate::packet::{Packet, TrafficSpec};
use model::resources::{AclCidr, NetworkAcl, NetworkAclEntry};
use std::net::IpAddr;

/// Which way a packet crosses the subnet boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Entering the subnet: ingress entries, matched against the packet's source.
    Inbound,
    /// Leaving the subnet: egress entries, matched against the packet's destination.
    Outbound,
}

/// The entry that decided, and whether it allowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AclVerdict<'a> {
    pub allowed: bool,
    pub entry: &'a NetworkAclEntry,
}

fn entry_matches(entry: &NetworkAclEntry, packet: &Packet, peer: IpAddr) -> bool {
    let in_block = match (&entry.cidr, peer) {
        (AclCidr::V4(c), IpAddr::V4(a)) => c.contains_addr(a),
        (AclCidr::V6(c), IpAddr::V6(a)) => c.contains_addr(a),
        _ => false,
    };
    if !in_block {
        return false;
    }
    packet.matches(&TrafficSpec {
        protocol: &entry.protocol,
        ports: (entry.port_from, entry.port_to),
        icmp: (entry.icmp_type, entry.icmp_code),
    })
}

/// Evaluates `packet` crossing the boundary of a subnet with `acl`. There is always a verdict:
/// the `*` entries deny whatever nothing else matched.
pub fn evaluate<'a>(
    acl: &'a NetworkAcl,
    packet: &Packet,
    direction: Direction,
) -> Option<AclVerdict<'a>> {
    let egress = direction == Direction::Outbound;
    let peer = if egress { packet.destination } else { packet.source };
    let mut entries: Vec<&NetworkAclEntry> =
        acl.entries.iter().filter(|e| e.egress == egress).collect();
    entries.sort_by_key(|e| e.rule_number);
    entries
        .into_iter()
        .find(|e| entry_matches(e, packet, peer))
        .map(|entry| AclVerdict { allowed: entry.allow, entry })
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::Scope;
    use model::cidr::Ipv4Cidr;

    fn entry(
        rule_number: i32,
        egress: bool,
        protocol: &str,
        allow: bool,
        cidr: &str,
        ports: Option<(i32, i32)>,
    ) -> NetworkAclEntry {
        NetworkAclEntry {
            rule_number,
            egress,
            protocol: protocol.into(),
            allow,
            cidr: AclCidr::V4(Ipv4Cidr::parse(cidr, true).unwrap()),
            icmp_type: None,
            icmp_code: None,
            port_from: ports.map(|p| p.0),
            port_to: ports.map(|p| p.1),
        }
    }

    fn custom(entries: Vec<NetworkAclEntry>) -> NetworkAcl {
        let mut acl = NetworkAcl::new_custom(
            "acl-1".into(),
            Scope::new("123456789012", "us-east-1"),
            "vpc-1".into(),
            false,
        );
        acl.entries.extend(entries);
        acl
    }

    #[test]
    fn first_match_wins_even_when_a_later_rule_allows() {
        let acl = custom(vec![
            entry(100, false, "6", false, "203.0.113.0/24", Some((22, 22))),
            entry(200, false, "6", true, "0.0.0.0/0", Some((22, 22))),
        ]);
        let from =
            |src: &str| Packet::tcp(src.parse().unwrap(), 50000, "10.0.1.5".parse().unwrap(), 22);
        let v = evaluate(&acl, &from("203.0.113.7"), Direction::Inbound).unwrap();
        assert_eq!((v.allowed, v.entry.rule_number), (false, 100));
        let v = evaluate(&acl, &from("198.51.100.1"), Direction::Inbound).unwrap();
        assert_eq!((v.allowed, v.entry.rule_number), (true, 200));
    }

    #[test]
    fn stateless_replies_need_their_own_entry() {
        // Inbound 443 is allowed, but nothing lets the reply out to ephemeral ports.
        let mut acl = custom(vec![entry(100, false, "6", true, "0.0.0.0/0", Some((443, 443)))]);
        let request =
            Packet::tcp("198.51.100.1".parse().unwrap(), 50000, "10.0.1.5".parse().unwrap(), 443);
        assert!(evaluate(&acl, &request, Direction::Inbound).unwrap().allowed);
        let v = evaluate(&acl, &request.reply(), Direction::Outbound).unwrap();
        assert_eq!((v.allowed, v.entry.rule_number), (false, NetworkAclEntry::CATCH_ALL_V4));
        acl.entries.push(entry(100, true, "6", true, "0.0.0.0/0", Some((1024, 65535))));
        assert!(evaluate(&acl, &request.reply(), Direction::Outbound).unwrap().allowed);
    }

    #[test]
    fn protocols_must_match() {
        let acl = custom(vec![entry(100, false, "6", true, "0.0.0.0/0", Some((53, 53)))]);
        let dns =
            Packet::udp("198.51.100.1".parse().unwrap(), 5353, "10.0.1.5".parse().unwrap(), 53);
        assert!(!evaluate(&acl, &dns, Direction::Inbound).unwrap().allowed);
    }
}
