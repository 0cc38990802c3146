//! Packet headers as sets: every dimension a range, so one question covers many packets.
//!
//! Reachability Analyzer answers for a *set* of packets (any source port, a destination port
//! range, any internet address); a single packet is the set with one value per dimension. Rules
//! narrow the set as the path crosses them, and the narrowed set is what the path reports.

use crate::packet::{ICMP, ICMPV6, Packet, TrafficSpec, protocol_number};
use model::cidr::{Ipv4Cidr, Ipv6Cidr};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An inclusive range of values of one header field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub lo: u128,
    pub hi: u128,
}

impl Span {
    pub const fn new(lo: u128, hi: u128) -> Span {
        Span { lo, hi }
    }

    pub const fn one(value: u128) -> Span {
        Span { lo: value, hi: value }
    }

    pub fn intersect(self, other: Span) -> Option<Span> {
        let (lo, hi) = (self.lo.max(other.lo), self.hi.min(other.hi));
        (lo <= hi).then_some(Span { lo, hi })
    }

    pub fn contains(self, other: Span) -> bool {
        self.lo <= other.lo && other.hi <= self.hi
    }

    pub fn is_single(self) -> bool {
        self.lo == self.hi
    }

    /// The parts of `self` outside `other`: none, one or two spans.
    fn minus(self, other: Span) -> impl Iterator<Item = Span> {
        let below = (other.lo > self.lo).then(|| Span::new(self.lo, (other.lo - 1).min(self.hi)));
        let above = (other.hi < self.hi).then(|| Span::new((other.hi + 1).max(self.lo), self.hi));
        below.into_iter().chain(above).filter(|s| s.lo <= s.hi)
    }
}

/// Address family of a header; its address spans are in that family's number space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    pub fn of(address: IpAddr) -> Family {
        if address.is_ipv4() { Family::V4 } else { Family::V6 }
    }

    pub fn all(self) -> Span {
        match self {
            Family::V4 => Span::new(0, u128::from(u32::MAX)),
            Family::V6 => Span::new(0, u128::MAX),
        }
    }

    pub fn address(self, value: u128) -> IpAddr {
        match self {
            Family::V4 => IpAddr::V4(Ipv4Addr::from(u32::try_from(value).unwrap_or(u32::MAX))),
            Family::V6 => IpAddr::V6(Ipv6Addr::from(value)),
        }
    }
}

pub fn address_value(address: IpAddr) -> u128 {
    match address {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

pub fn v4_span(cidr: Ipv4Cidr) -> Span {
    Span::new(u128::from(cidr.first()), u128::from(cidr.last()))
}

pub fn v6_span(cidr: Ipv6Cidr) -> Span {
    Span::new(cidr.first(), cidr.last())
}

pub const ALL_PORTS: Span = Span::new(0, 65535);

/// A set of packets: one protocol, and a span per field. For ICMP the "ports" are the type
/// (source side) and the code (destination side), as in [`Packet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Header {
    pub protocol: u8,
    pub family: Family,
    pub source: Span,
    pub destination: Span,
    pub source_ports: Span,
    pub destination_ports: Span,
}

/// The constraint a rule puts on a header: `None` leaves a field free.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Constraint {
    pub source: Option<Span>,
    pub destination: Option<Span>,
    pub source_ports: Option<Span>,
    pub destination_ports: Option<Span>,
}

impl Header {
    pub fn from_packet(p: &Packet) -> Header {
        Header {
            protocol: p.protocol,
            family: Family::of(p.source),
            source: Span::one(address_value(p.source)),
            destination: Span::one(address_value(p.destination)),
            source_ports: Span::one(u128::from(p.source_port)),
            destination_ports: Span::one(u128::from(p.destination_port)),
        }
    }

    /// The packets that answer these (ends swapped).
    pub fn reply(&self) -> Header {
        Header {
            source: self.destination,
            destination: self.source,
            source_ports: self.destination_ports,
            destination_ports: self.source_ports,
            ..*self
        }
    }

    /// One representative packet of the set (the lowest value of each field).
    pub fn sample(&self) -> Packet {
        let port = |s: Span| u16::try_from(s.lo).unwrap_or(u16::MAX);
        Packet {
            protocol: self.protocol,
            source: self.family.address(self.source.lo),
            destination: self.family.address(self.destination.lo),
            source_port: port(self.source_ports),
            destination_port: port(self.destination_ports),
        }
    }

    pub fn source_address(&self) -> Option<IpAddr> {
        self.source.is_single().then(|| self.family.address(self.source.lo))
    }

    pub fn destination_address(&self) -> Option<IpAddr> {
        self.destination.is_single().then(|| self.family.address(self.destination.lo))
    }

    pub fn has_ports(&self) -> bool {
        self.sample().has_ports()
    }

    fn fields(&self) -> [Span; 4] {
        [self.source, self.destination, self.source_ports, self.destination_ports]
    }

    fn with_fields(&self, f: [Span; 4]) -> Header {
        Header {
            source: f[0],
            destination: f[1],
            source_ports: f[2],
            destination_ports: f[3],
            ..*self
        }
    }

    /// The packets of this set that also meet `c`, if any.
    pub fn narrow(&self, c: &Constraint) -> Option<Header> {
        let mut f = self.fields();
        for (field, limit) in f.iter_mut().zip(c.spans()) {
            if let Some(limit) = limit {
                *field = field.intersect(limit)?;
            }
        }
        Some(self.with_fields(f))
    }

    /// The packets of this set that do not meet `c`, as disjoint boxes.
    pub fn minus(&self, c: &Constraint) -> Vec<Header> {
        let Some(inside) = self.narrow(c) else { return vec![*self] };
        let mut pieces = Vec::new();
        // Peel the box dimension by dimension: what lies outside `c` in field i, with the
        // fields before i already clipped to `c`.
        let mut current = self.fields();
        for (i, clipped) in inside.fields().into_iter().enumerate() {
            let Some(field) = current.get(i).copied() else { break };
            for part in field.minus(clipped) {
                let mut piece = current;
                if let Some(slot) = piece.get_mut(i) {
                    *slot = part;
                }
                pieces.push(self.with_fields(piece));
            }
            if let Some(slot) = current.get_mut(i) {
                *slot = clipped;
            }
        }
        pieces
    }
}

impl Header {
    /// The packets of `self` (a walk's start) that became `narrowed` at a hop where they were
    /// `at`: a field the walk has carried unchanged narrows as it did there; a field the walk
    /// rewrote (a translated address or port) cannot be traced back and stays whole.
    pub fn carried(&self, at: &Header, narrowed: &Header) -> Header {
        let (start, at, narrowed) = (self.fields(), at.fields(), narrowed.fields());
        let mut f = start;
        for (i, slot) in f.iter_mut().enumerate() {
            if let (Some(s), Some(a), Some(n)) = (start.get(i), at.get(i), narrowed.get(i))
                && s == a
            {
                *slot = *n;
            }
        }
        self.with_fields(f)
    }

    /// The packets of `self` outside `part`, as disjoint boxes.
    pub fn without(&self, part: &Header) -> Vec<Header> {
        if part.protocol != self.protocol || part.family != self.family {
            return vec![*self];
        }
        self.minus(&Constraint {
            source: Some(part.source),
            destination: Some(part.destination),
            source_ports: Some(part.source_ports),
            destination_ports: Some(part.destination_ports),
        })
    }

    /// The packets in both sets, if any.
    pub fn meet(&self, other: &Header) -> Option<Header> {
        if other.protocol != self.protocol || other.family != self.family {
            return None;
        }
        self.narrow(&Constraint {
            source: Some(other.source),
            destination: Some(other.destination),
            source_ports: Some(other.source_ports),
            destination_ports: Some(other.destination_ports),
        })
    }

    /// How many packets the set holds (saturating).
    pub fn volume(&self) -> u128 {
        self.fields().iter().fold(1u128, |v, s| v.saturating_mul((s.hi - s.lo).saturating_add(1)))
    }
}

impl Constraint {
    fn spans(&self) -> [Option<Span>; 4] {
        [self.source, self.destination, self.source_ports, self.destination_ports]
    }

    /// The constraint of a rule's protocol and ports on `header`'s protocol; `None` when the
    /// protocol does not match at all.
    pub fn of_traffic(spec: &TrafficSpec<'_>, header: &Header) -> Option<Constraint> {
        let protocol = match protocol_number(spec.protocol)? {
            None => return Some(Constraint::default()),
            Some(p) => p,
        };
        if protocol != header.protocol {
            return None;
        }
        let bound = |b: (Option<i32>, Option<i32>)| match b {
            (Some(from), Some(to)) if from >= 0 && to >= 0 => {
                Some(Span::new(u128::try_from(from).unwrap_or(0), u128::try_from(to).unwrap_or(0)))
            }
            _ => None,
        };
        let one = |v: Option<i32>| {
            v.filter(|v| *v >= 0).map(|v| Span::one(u128::try_from(v).unwrap_or(0)))
        };
        if header.has_ports() {
            Some(Constraint { destination_ports: bound(spec.ports), ..Constraint::default() })
        } else if matches!(protocol, ICMP | ICMPV6) {
            Some(Constraint {
                source_ports: one(spec.icmp.0),
                destination_ports: one(spec.icmp.1),
                ..Constraint::default()
            })
        } else {
            Some(Constraint::default())
        }
    }

    /// The same constraint with an address block on the source or destination side.
    pub fn with_peer(mut self, peer: Span, peer_is_source: bool) -> Constraint {
        if peer_is_source {
            self.source = Some(peer);
        } else {
            self.destination = Some(peer);
        }
        self
    }
}

/// The smallest list of CIDR blocks that covers an address span exactly, as AWS writes
/// address sets.
pub fn span_cidrs(family: Family, span: Span) -> Vec<String> {
    let bits: u32 = if family == Family::V4 { 32 } else { 128 };
    let mut out = Vec::new();
    let mut lo = span.lo;
    loop {
        // The largest aligned block starting at `lo` that stays within the span.
        let mut size_bits = if lo == 0 { bits } else { lo.trailing_zeros().min(bits) };
        while size_bits > 0 {
            let last = if size_bits >= 128 { u128::MAX } else { lo + ((1u128 << size_bits) - 1) };
            if last <= span.hi {
                break;
            }
            size_bits -= 1;
        }
        let address = family.address(lo);
        if size_bits == 0 {
            out.push(address.to_string());
        } else {
            out.push(format!("{address}/{}", bits - size_bits));
        }
        let step = if size_bits >= 128 { return out } else { 1u128 << size_bits };
        match lo.checked_add(step) {
            Some(next) if next <= span.hi => lo = next,
            _ => return out,
        }
    }
}

/// IPv4 blocks no internet host holds: private (RFC 1918) and shared (RFC 6598) space.
const NOT_PUBLIC_V4: [(u32, u32); 4] = [
    (0x0A00_0000, 0x0AFF_FFFF), // 10.0.0.0/8
    (0x6440_0000, 0x647F_FFFF), // 100.64.0.0/10
    (0xAC10_0000, 0xAC1F_FFFF), // 172.16.0.0/12
    (0xC0A8_0000, 0xC0A8_FFFF), // 192.168.0.0/16
];

/// The public addresses in `span`: IPv4 space around the private and shared blocks (all of an
/// IPv6 span).
pub fn public_spans(family: Family, span: Span) -> Vec<Span> {
    let mut pieces = vec![span];
    if family == Family::V6 {
        return pieces;
    }
    for (lo, hi) in NOT_PUBLIC_V4 {
        let block = Span::new(u128::from(lo), u128::from(hi));
        pieces = pieces.into_iter().flat_map(|p| p.minus(block).collect::<Vec<_>>()).collect();
    }
    pieces
}

/// The CIDR blocks of the public addresses in `span`, as AWS writes a set of internet hosts
/// (`0.0.0.0/5`, `8.0.0.0/7`, `11.0.0.0/8`, … around the private and shared blocks).
pub fn public_cidrs(family: Family, span: Span) -> Vec<String> {
    public_spans(family, span).into_iter().flat_map(|p| span_cidrs(family, p)).collect()
}

impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ports = |s: Span| {
            if s == ALL_PORTS {
                "*".to_owned()
            } else if s.is_single() {
                s.lo.to_string()
            } else {
                format!("{}-{}", s.lo, s.hi)
            }
        };
        write!(
            f,
            "{}:{} → {}:{} ({})",
            span_cidrs(self.family, self.source).join(","),
            ports(self.source_ports),
            span_cidrs(self.family, self.destination).join(","),
            ports(self.destination_ports),
            crate::packet::protocol_name(self.protocol),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(src: (u128, u128), dport: (u128, u128)) -> Header {
        Header {
            protocol: 6,
            family: Family::V4,
            source: Span::new(src.0, src.1),
            destination: Span::one(10),
            source_ports: ALL_PORTS,
            destination_ports: Span::new(dport.0, dport.1),
        }
    }

    #[test]
    fn narrowing_keeps_only_the_packets_a_rule_admits() {
        let any = h((0, 1000), (0, 65535));
        let c = Constraint { destination_ports: Some(Span::one(22)), ..Default::default() };
        assert_eq!(any.narrow(&c).unwrap().destination_ports, Span::one(22));
        let ssh = h((0, 1000), (22, 22));
        let web = Constraint { destination_ports: Some(Span::new(80, 443)), ..Default::default() };
        assert!(ssh.narrow(&web).is_none());
    }

    #[test]
    fn subtracting_a_box_leaves_disjoint_pieces_covering_the_rest() {
        let any = h((0, 99), (0, 99));
        let c = Constraint {
            source: Some(Span::new(10, 19)),
            destination_ports: Some(Span::new(50, 59)),
            ..Default::default()
        };
        let rest = any.minus(&c);
        let volume = |x: &Header| {
            (x.source.hi - x.source.lo + 1) * (x.destination_ports.hi - x.destination_ports.lo + 1)
        };
        assert_eq!(rest.iter().map(volume).sum::<u128>(), 100 * 100 - 10 * 10);
        assert!(rest.iter().all(|r| r.narrow(&c).is_none()));
    }

    #[test]
    fn spans_print_as_aws_writes_address_sets() {
        let all = Family::V4.all();
        assert_eq!(span_cidrs(Family::V4, all), vec!["0.0.0.0/0"]);
        assert_eq!(span_cidrs(Family::V4, Span::one(167772161)), vec!["10.0.0.1"]);
        assert_eq!(span_cidrs(Family::V4, Span::new(167772160, 167772671)), vec!["10.0.0.0/23"]);
        assert_eq!(span_cidrs(Family::V4, Span::new(1, 3)), vec!["0.0.0.1", "0.0.0.2/31"]);
        assert_eq!(span_cidrs(Family::V6, Family::V6.all()), vec!["::/0"]);
    }

    #[test]
    fn the_internet_is_public_space() {
        let internet = public_cidrs(Family::V4, Family::V4.all());
        assert_eq!(internet[..4], ["0.0.0.0/5", "8.0.0.0/7", "11.0.0.0/8", "12.0.0.0/6"]);
        assert!(!internet.iter().any(|c| c.starts_with("10.") || c.starts_with("192.168.")));
        assert!(internet.contains(&"172.32.0.0/11".to_owned()), "{internet:?}");
        let private = Span::new(0x0A00_0000, 0x0A00_00FF);
        assert!(public_cidrs(Family::V4, private).is_empty());
    }
}
