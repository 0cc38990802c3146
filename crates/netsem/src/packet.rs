//! Packets as the engine sees them.

use std::net::IpAddr;

/// IP protocol numbers the rules name.
pub const ICMP: u8 = 1;
pub const TCP: u8 = 6;
pub const UDP: u8 = 17;
pub const ICMPV6: u8 = 58;

/// One packet (or the first packet of a flow).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Packet {
    pub protocol: u8,
    pub source: IpAddr,
    pub destination: IpAddr,
    /// Source port for TCP/UDP; ICMP type for ICMP.
    pub source_port: u16,
    /// Destination port for TCP/UDP; ICMP code for ICMP.
    pub destination_port: u16,
}

impl Packet {
    pub fn tcp(
        source: IpAddr,
        source_port: u16,
        destination: IpAddr,
        destination_port: u16,
    ) -> Self {
        Packet { protocol: TCP, source, destination, source_port, destination_port }
    }

    pub fn udp(
        source: IpAddr,
        source_port: u16,
        destination: IpAddr,
        destination_port: u16,
    ) -> Self {
        Packet { protocol: UDP, source, destination, source_port, destination_port }
    }

    /// The packet that answers this one (addresses and ports swapped).
    pub fn reply(&self) -> Self {
        Packet {
            protocol: self.protocol,
            source: self.destination,
            destination: self.source,
            source_port: self.destination_port,
            destination_port: self.source_port,
        }
    }

    /// Whether the protocol carries ports.
    pub fn has_ports(&self) -> bool {
        matches!(self.protocol, TCP | UDP)
    }
}

/// What a rule or ACL entry says about traffic: a protocol as rules write it, a port range
/// (TCP/UDP) and an ICMP type and code; an absent bound or `-1` means any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrafficSpec<'a> {
    pub protocol: &'a str,
    pub ports: (Option<i32>, Option<i32>),
    pub icmp: (Option<i32>, Option<i32>),
}

impl Packet {
    /// Whether this packet is traffic of the kind `spec` describes.
    pub fn matches(&self, spec: &TrafficSpec<'_>) -> bool {
        let protocol = match protocol_number(spec.protocol) {
            Some(None) => return true,
            Some(Some(p)) => p,
            None => return false,
        };
        if protocol != self.protocol {
            return false;
        }
        if self.has_ports() {
            let port = i32::from(self.destination_port);
            return match spec.ports {
                (Some(-1), Some(-1)) => true,
                (Some(from), Some(to)) => (from..=to).contains(&port),
                _ => true,
            };
        }
        if matches!(protocol, ICMP | ICMPV6) {
            let any_or = |bound: Option<i32>, value: u16| {
                bound.is_none_or(|b| b == -1 || b == i32::from(value))
            };
            return any_or(spec.icmp.0, self.source_port)
                && any_or(spec.icmp.1, self.destination_port);
        }
        true
    }
}

/// The number of a protocol as rules write it (`tcp`, `6`, `-1` for all). `None` for all.
pub fn protocol_number(name: &str) -> Option<Option<u8>> {
    // Called for every rule a walk meets: compare without allocating a lowercase copy.
    const NAMED: [(&str, Option<u8>); 6] = [
        ("-1", None),
        ("all", None),
        ("tcp", Some(TCP)),
        ("udp", Some(UDP)),
        ("icmp", Some(ICMP)),
        ("icmpv6", Some(ICMPV6)),
    ];
    if let Some((_, number)) = NAMED.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
        return Some(*number);
    }
    name.parse::<u8>().ok().map(Some)
}

/// How rules name a protocol number in text: `tcp`, `udp`, `icmp`, `icmpv6`, else the number.
pub fn protocol_name(protocol: u8) -> String {
    match protocol {
        TCP => "tcp".into(),
        UDP => "udp".into(),
        ICMP => "icmp".into(),
        ICMPV6 => "icmpv6".into(),
        n => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_swap_ends_and_protocols_parse() {
        let p = Packet::tcp("10.0.0.1".parse().unwrap(), 40000, "10.0.1.5".parse().unwrap(), 3306);
        let r = p.reply();
        assert_eq!((r.source, r.source_port, r.destination_port), (p.destination, 3306, 40000));
        assert_eq!(protocol_number("TCP"), Some(Some(TCP)));
        assert_eq!(protocol_number("-1"), Some(None));
        assert_eq!(protocol_number("50"), Some(Some(50)));
        assert_eq!(protocol_number("bogus"), None);
    }
}
