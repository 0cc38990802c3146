//! IPv4 and IPv6 address blocks.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// An IPv4 block in canonical form (host bits zero), e.g. `10.0.0.0/16`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Ipv4Cidr {
    base: u32,
    len: u8,
}

impl Ipv4Cidr {
    /// The block of `addr/len`, host bits cleared as AWS canonicalises them.
    pub fn new(addr: Ipv4Addr, len: u8) -> Option<Self> {
        (len <= 32).then(|| Ipv4Cidr { base: u32::from(addr) & mask4(len), len })
    }

    /// Parses `a.b.c.d/n`. `exact` refuses host bits (for CIDRs AWS does not canonicalise).
    pub fn parse(s: &str, exact: bool) -> Option<Self> {
        let (addr, len) = s.split_once('/')?;
        if len.is_empty() || len.len() > 2 || !len.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let addr = Ipv4Addr::from_str(addr).ok()?;
        let cidr = Ipv4Cidr::new(addr, len.parse().ok()?)?;
        (!exact || cidr.base == u32::from(addr)).then_some(cidr)
    }

    pub fn host(addr: Ipv4Addr) -> Self {
        Ipv4Cidr { base: u32::from(addr), len: 32 }
    }

    pub fn prefix_len(self) -> u8 {
        self.len
    }

    pub fn network(self) -> Ipv4Addr {
        Ipv4Addr::from(self.base)
    }

    pub fn first(self) -> u32 {
        self.base
    }

    pub fn last(self) -> u32 {
        self.base | !mask4(self.len)
    }

    /// Number of addresses in the block.
    pub fn size(self) -> u64 {
        1u64 << (32 - u32::from(self.len))
    }

    pub fn contains_addr(self, addr: Ipv4Addr) -> bool {
        u32::from(addr) & mask4(self.len) == self.base
    }

    /// Whether `other` lies wholly inside this block.
    pub fn contains(self, other: Ipv4Cidr) -> bool {
        other.len >= self.len && other.base & mask4(self.len) == self.base
    }

    pub fn overlaps(self, other: Ipv4Cidr) -> bool {
        self.contains(other) || other.contains(self)
    }

    /// The `n`th address of the block, if it has one.
    pub fn nth(self, n: u64) -> Option<Ipv4Addr> {
        (n < self.size()).then(|| Ipv4Addr::from(self.base.wrapping_add(n as u32)))
    }

    /// Offset of `addr` within the block.
    pub fn offset_of(self, addr: Ipv4Addr) -> Option<u64> {
        self.contains_addr(addr).then(|| u64::from(u32::from(addr) - self.base))
    }
}

fn mask4(len: u8) -> u32 {
    if len == 0 { 0 } else { u32::MAX << (32 - u32::from(len.min(32))) }
}

impl fmt::Display for Ipv4Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", Ipv4Addr::from(self.base), self.len)
    }
}

impl TryFrom<String> for Ipv4Cidr {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Ipv4Cidr::parse(&s, false).ok_or_else(|| format!("invalid IPv4 CIDR {s}"))
    }
}

impl From<Ipv4Cidr> for String {
    fn from(c: Ipv4Cidr) -> String {
        c.to_string()
    }
}

/// An IPv6 block in canonical form, e.g. `2600:1f18:1234:5600::/56`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Ipv6Cidr {
    base: u128,
    len: u8,
}

fn mask6(len: u8) -> u128 {
    if len == 0 { 0 } else { u128::MAX << (128 - u32::from(len.min(128))) }
}

impl Ipv6Cidr {
    pub fn new(addr: Ipv6Addr, len: u8) -> Option<Self> {
        (len <= 128).then(|| Ipv6Cidr { base: u128::from(addr) & mask6(len), len })
    }

    pub fn parse(s: &str, exact: bool) -> Option<Self> {
        let (addr, len) = s.split_once('/')?;
        if len.is_empty() || len.len() > 3 || !len.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let addr = Ipv6Addr::from_str(addr).ok()?;
        let cidr = Ipv6Cidr::new(addr, len.parse().ok()?)?;
        (!exact || cidr.base == u128::from(addr)).then_some(cidr)
    }

    pub fn prefix_len(self) -> u8 {
        self.len
    }

    pub fn network(self) -> Ipv6Addr {
        Ipv6Addr::from(self.base)
    }

    pub fn first(self) -> u128 {
        self.base
    }

    pub fn last(self) -> u128 {
        self.base | !mask6(self.len)
    }

    pub fn contains(self, other: Ipv6Cidr) -> bool {
        other.len >= self.len && other.base & mask6(self.len) == self.base
    }

    pub fn contains_addr(self, addr: Ipv6Addr) -> bool {
        u128::from(addr) & mask6(self.len) == self.base
    }

    pub fn overlaps(self, other: Ipv6Cidr) -> bool {
        self.contains(other) || other.contains(self)
    }

    /// The `n`th address of the block (saturating to the block's size).
    pub fn nth(self, n: u128) -> Option<Ipv6Addr> {
        let host_bits = 128 - u32::from(self.len);
        (host_bits == 128 || n < (1u128 << host_bits))
            .then(|| Ipv6Addr::from(self.base.wrapping_add(n)))
    }

    /// The `n`th sub-block of length `len` inside this block.
    pub fn subblock(self, len: u8, n: u128) -> Option<Ipv6Cidr> {
        if len < self.len || len > 128 {
            return None;
        }
        let count_bits = u32::from(len - self.len);
        if count_bits < 128 && n >= (1u128 << count_bits) {
            return None;
        }
        let shift = 128 - u32::from(len);
        let offset = if shift >= 128 { 0 } else { n << shift };
        Some(Ipv6Cidr { base: self.base | offset, len })
    }
}

impl fmt::Display for Ipv6Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", Ipv6Addr::from(self.base), self.len)
    }
}

impl TryFrom<String> for Ipv6Cidr {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Ipv6Cidr::parse(&s, false).ok_or_else(|| format!("invalid IPv6 CIDR {s}"))
    }
}

impl From<Ipv6Cidr> for String {
    fn from(c: Ipv6Cidr) -> String {
        c.to_string()
    }
}

/// Either family, as a route destination or a rule's peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Cidr {
    V4(Ipv4Cidr),
    V6(Ipv6Cidr),
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cidr::V4(c) => c.fmt(f),
            Cidr::V6(c) => c.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_canonicalises() {
        let c = Ipv4Cidr::parse("100.68.0.18/18", false).unwrap();
        assert_eq!(c.to_string(), "100.68.0.0/18");
        assert!(Ipv4Cidr::parse("100.68.0.18/18", true).is_none());
        assert!(Ipv4Cidr::parse("10.0.0.0/33", false).is_none());
        assert!(Ipv4Cidr::parse("10.0.0/16", false).is_none());
        assert!(Ipv4Cidr::parse("10.0.0.0/", false).is_none());
        assert!(Ipv4Cidr::parse("10.0.0.0/+8", false).is_none());
        assert_eq!(Ipv4Cidr::parse("0.0.0.0/0", true).unwrap().size(), 1 << 32);
    }

    #[test]
    fn containment_and_overlap() {
        let vpc = Ipv4Cidr::parse("10.0.0.0/16", true).unwrap();
        let sub = Ipv4Cidr::parse("10.0.1.0/24", true).unwrap();
        let other = Ipv4Cidr::parse("10.1.0.0/24", true).unwrap();
        assert!(vpc.contains(sub) && !sub.contains(vpc));
        assert!(vpc.overlaps(sub) && sub.overlaps(vpc));
        assert!(!vpc.overlaps(other));
        assert_eq!(sub.nth(5), Some(Ipv4Addr::new(10, 0, 1, 5)));
        assert_eq!(sub.nth(256), None);
        assert_eq!(sub.last(), u32::from(Ipv4Addr::new(10, 0, 1, 255)));
    }

    #[test]
    fn ipv6_subblocks() {
        let vpc = Ipv6Cidr::parse("2600:1f18:1234:5600::/56", true).unwrap();
        assert_eq!(vpc.subblock(64, 1).unwrap().to_string(), "2600:1f18:1234:5601::/64");
        assert!(vpc.subblock(64, 256).is_none());
        assert!(vpc.contains(vpc.subblock(64, 255).unwrap()));
    }
}
