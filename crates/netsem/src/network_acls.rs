//! Network ACL evaluation: entries in rule-number order, the first that matches decides.
//!
//! ACLs are stateless: the reply of an allowed flow is evaluated again, in the other direction,
//! against its own ports (usually the client's ephemeral range, 1024–65535).
//!
//! For a set of packets the first-match rule is applied set-wise: an entry decides for the
//! packets no earlier entry matched, so a deny numbered before an allow carves its packets out.

use crate::header::{Constraint, Header, v4_span, v6_span};
use crate::packet::TrafficSpec;
use model::types::ec2::{AclCidr, NetworkAcl, NetworkAclEntry};

/// Which way a packet crosses the subnet boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Entering the subnet: ingress entries, matched against the packet's source.
    Inbound,
    /// Leaving the subnet: egress entries, matched against the packet's destination.
    Outbound,
}

/// The entry that decided, whether it allowed, and the packets it decided for (when it
/// allowed: the packets that pass).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AclVerdict<'a> {
    pub allowed: bool,
    pub entry: &'a NetworkAclEntry,
    pub header: Header,
}

fn constraint(
    entry: &NetworkAclEntry,
    header: &Header,
    direction: Direction,
) -> Option<Constraint> {
    let block = match &entry.cidr {
        AclCidr::V4(c) if header.family == crate::header::Family::V4 => v4_span(*c),
        AclCidr::V6(c) if header.family == crate::header::Family::V6 => v6_span(*c),
        _ => return None,
    };
    let traffic = Constraint::of_traffic(
        &TrafficSpec {
            protocol: &entry.protocol,
            ports: (entry.port_from, entry.port_to),
            icmp: (entry.icmp_type, entry.icmp_code),
        },
        header,
    )?;
    Some(traffic.with_peer(block, direction == Direction::Inbound))
}

/// Evaluates the packets of `header` crossing the boundary of a subnet with `acl`. When some
/// pass, the verdict is the first allow entry that lets any through; when none pass, it is the
/// first deny entry that stopped any. `None` only for an ACL without entries (which AWS never
/// has: the `*` entries deny whatever nothing else matched).
pub fn evaluate<'a>(
    acl: &'a NetworkAcl,
    header: &Header,
    direction: Direction,
) -> Option<AclVerdict<'a>> {
    let egress = direction == Direction::Outbound;
    let mut entries: Vec<&NetworkAclEntry> =
        acl.entries.iter().filter(|e| e.egress == egress).collect();
    entries.sort_by_key(|e| e.rule_number);
    let mut remaining = vec![*header];
    let mut first_deny: Option<AclVerdict<'a>> = None;
    for entry in entries {
        let Some(c) = constraint(entry, header, direction) else { continue };
        let Some(hit) = remaining.iter().find_map(|h| h.narrow(&c)) else { continue };
        if entry.allow {
            return Some(AclVerdict { allowed: true, entry, header: hit });
        }
        first_deny.get_or_insert(AclVerdict { allowed: false, entry, header: hit });
        remaining = remaining.iter().flat_map(|h| h.minus(&c)).collect();
        if remaining.is_empty() {
            break;
        }
    }
    first_deny
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::Packet;
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

    fn eval<'a>(acl: &'a NetworkAcl, p: &Packet, d: Direction) -> AclVerdict<'a> {
        evaluate(acl, &Header::from_packet(p), d).unwrap()
    }

    #[test]
    fn first_match_wins_even_when_a_later_rule_allows() {
        let acl = custom(vec![
            entry(100, false, "6", false, "203.0.113.0/24", Some((22, 22))),
            entry(200, false, "6", true, "0.0.0.0/0", Some((22, 22))),
        ]);
        let from =
            |src: &str| Packet::tcp(src.parse().unwrap(), 50000, "10.0.1.5".parse().unwrap(), 22);
        let v = eval(&acl, &from("203.0.113.7"), Direction::Inbound);
        assert_eq!((v.allowed, v.entry.rule_number), (false, 100));
        let v = eval(&acl, &from("198.51.100.1"), Direction::Inbound);
        assert_eq!((v.allowed, v.entry.rule_number), (true, 200));
    }

    #[test]
    fn stateless_replies_need_their_own_entry() {
        // Inbound 443 is allowed, but nothing lets the reply out to ephemeral ports.
        let mut acl = custom(vec![entry(100, false, "6", true, "0.0.0.0/0", Some((443, 443)))]);
        let request =
            Packet::tcp("198.51.100.1".parse().unwrap(), 50000, "10.0.1.5".parse().unwrap(), 443);
        assert!(eval(&acl, &request, Direction::Inbound).allowed);
        let v = eval(&acl, &request.reply(), Direction::Outbound);
        assert_eq!((v.allowed, v.entry.rule_number), (false, NetworkAclEntry::CATCH_ALL_V4));
        acl.entries.push(entry(100, true, "6", true, "0.0.0.0/0", Some((1024, 65535))));
        assert!(eval(&acl, &request.reply(), Direction::Outbound).allowed);
    }

    #[test]
    fn protocols_must_match() {
        let acl = custom(vec![entry(100, false, "6", true, "0.0.0.0/0", Some((53, 53)))]);
        let dns =
            Packet::udp("198.51.100.1".parse().unwrap(), 5353, "10.0.1.5".parse().unwrap(), 53);
        assert!(!eval(&acl, &dns, Direction::Inbound).allowed);
    }

    #[test]
    fn for_a_set_a_deny_carves_out_and_a_later_allow_admits_the_rest() {
        // Any source may reach port 22 except 203.0.113.0/24.
        let acl = custom(vec![
            entry(100, false, "6", false, "203.0.113.0/24", Some((22, 22))),
            entry(200, false, "6", true, "0.0.0.0/0", Some((22, 22))),
        ]);
        let mut anyone = Header::from_packet(&Packet::tcp(
            "0.0.0.0".parse().unwrap(),
            0,
            "10.0.1.5".parse().unwrap(),
            22,
        ));
        anyone.source = crate::header::Family::V4.all();
        let v = evaluate(&acl, &anyone, Direction::Inbound).unwrap();
        assert_eq!((v.allowed, v.entry.rule_number), (true, 200));
        let denied = v4_span(Ipv4Cidr::parse("203.0.113.0/24", true).unwrap());
        assert!(v.header.source.intersect(denied).is_none());
        // Only the denied block asks: the deny decides.
        anyone.source = denied;
        let v = evaluate(&acl, &anyone, Direction::Inbound).unwrap();
        assert_eq!((v.allowed, v.entry.rule_number), (false, 100));
    }
}
