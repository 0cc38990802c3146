//! The egress policy (`--egress-allow`): where the server itself may connect.
//!
//! vpclab runs on laptops and CI runners next to a company network, so nothing a client of its
//! API configures may make it open a connection somewhere the user did not allow. The rule, in
//! the order it is applied to the address actually dialled (after any name is resolved):
//!
//! 1. **Never dialled**, whatever the list says: link-local addresses (`169.254.0.0/16`,
//!    `fe80::/10` — where cloud metadata services live), the instance metadata service's IPv6
//!    address (`fd00:ec2::254`), multicast (`224.0.0.0/4`, `ff00::/8`), the broadcast address
//!    (`255.255.255.255`) and unspecified addresses (`0.0.0.0/8`, `::`).
//! 2. **Always allowed:** loopback (`127.0.0.0/8`, `::1`) — services on this machine.
//! 3. **Allowed when listed:** each `--egress-allow CIDR` adds a range (IPv4 or IPv6).
//!
//! An address that embeds an IPv4 address is judged as what the kernel would reach: an
//! IPv4-mapped address (`::ffff:169.254.169.254`) *is* the IPv4 address, so it is judged as
//! that alone; an IPv4-compatible (`::a.b.c.d`) or NAT64 (`64:ff9b::/96`) address leaves as
//! IPv6 but stands for the IPv4 address, so it must pass as both.
//!
//! [`EgressPolicy::connect_tcp`] and [`EgressPolicy::udp_connected`] are the way the data
//! planes dial: they take a resolved [`SocketAddr`] (so the address judged is the address
//! dialled) and check it before any packet is sent. A refusal is a [`Refused`] whose message
//! names the address and `--egress-allow`, for the health reports that show it.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use tokio::net::{TcpStream, UdpSocket};

/// An IPv4 or IPv6 address range (`10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

/// Why a text is not a [`Cidr`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    /// Neither `ADDRESS/PREFIX` nor an address.
    #[error("{0} is not an IPv4 or IPv6 CIDR block (such as 10.0.0.0/8 or fd00::/8)")]
    Malformed(String),
    /// The prefix is longer than the family's addresses.
    #[error("{text}: an {family} prefix length is 0 to {max}")]
    PrefixTooLong { text: String, family: &'static str, max: u8 },
    /// Bits are set past the prefix: the block is ambiguous.
    #[error("{text} has bits set past its prefix length; did you mean {network}?")]
    HostBits { text: String, network: Cidr },
}

impl Cidr {
    /// The block `network/prefix`; bits past the prefix must be clear. An IPv4-mapped IPv6
    /// block (`::ffff:10.0.0.0/104`) is the IPv4 block it maps (`10.0.0.0/8`), as the
    /// addresses in it are judged.
    pub fn new(network: IpAddr, prefix: u8) -> Result<Cidr, CidrError> {
        let text = format!("{network}/{prefix}");
        let max = if network.is_ipv4() { 32 } else { 128 };
        if prefix > max {
            let family = if network.is_ipv4() { "IPv4" } else { "IPv6" };
            return Err(CidrError::PrefixTooLong { text, family, max });
        }
        let masked = Cidr { network: mask(network, prefix), prefix };
        if masked.network != network {
            return Err(CidrError::HostBits { text, network: masked });
        }
        Ok(masked.canonical())
    }

    fn canonical(self) -> Cidr {
        match self.network {
            IpAddr::V6(v6) if self.prefix >= 96 => match v6.to_ipv4_mapped() {
                Some(v4) => Cidr { network: IpAddr::V4(v4), prefix: self.prefix - 96 },
                None => self,
            },
            _ => self,
        }
    }

    /// Whether `ip` (of the same family) is in the block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        ip.is_ipv4() == self.network.is_ipv4() && mask(ip, self.prefix) == self.network
    }

    /// Whether every address of the block is a loopback address.
    fn is_loopback(&self) -> bool {
        LOOPBACK.iter().any(|l| l.prefix <= self.prefix && l.contains(self.network))
    }
}

impl FromStr for Cidr {
    type Err = CidrError;

    /// `ADDRESS/PREFIX`, or a bare address (one address: `/32` or `/128`).
    fn from_str(text: &str) -> Result<Cidr, CidrError> {
        let malformed = || CidrError::Malformed(text.to_owned());
        let (address, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text.trim(), None),
        };
        let network: IpAddr = address.parse().map_err(|_| malformed())?;
        let prefix = match prefix {
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse().map_err(|_| malformed())?
            }
            Some(_) => return Err(malformed()),
            None if network.is_ipv4() => 32,
            None => 128,
        };
        Cidr::new(network, prefix)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// `ip` with the bits past `prefix` cleared.
fn mask(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(a) => {
            let keep = u32::MAX.checked_shl(32 - u32::from(prefix.min(32))).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(a) & keep))
        }
        IpAddr::V6(a) => {
            let keep = u128::MAX.checked_shl(128 - u32::from(prefix.min(128))).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(a) & keep))
        }
    }
}

const fn v4(a: u8, b: u8, c: u8, d: u8, prefix: u8) -> Cidr {
    Cidr { network: IpAddr::V4(Ipv4Addr::new(a, b, c, d)), prefix }
}

const fn v6(segments: [u16; 8], prefix: u8) -> Cidr {
    let [a, b, c, d, e, f, g, h] = segments;
    Cidr { network: IpAddr::V6(Ipv6Addr::new(a, b, c, d, e, f, g, h)), prefix }
}

/// Always allowed: this machine.
const LOOPBACK: [Cidr; 2] = [v4(127, 0, 0, 0, 8), v6([0, 0, 0, 0, 0, 0, 0, 1], 128)];

/// Never dialled, whatever `--egress-allow` says, and why.
const NEVER: [(Cidr, Reason); 8] = [
    (v4(0, 0, 0, 0, 8), Reason::Unspecified),
    (v4(169, 254, 0, 0, 16), Reason::LinkLocal),
    (v4(224, 0, 0, 0, 4), Reason::Multicast),
    (v4(255, 255, 255, 255, 32), Reason::Broadcast),
    (v6([0; 8], 128), Reason::Unspecified),
    (v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10), Reason::LinkLocal),
    (v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8), Reason::Multicast),
    // The EC2 instance metadata service's IPv6 address (Nitro instances).
    (v6([0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254], 128), Reason::InstanceMetadata),
];

/// Why an address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Not loopback and in no `--egress-allow` range.
    OutsideAllowList,
    /// Link-local: where cloud metadata services answer.
    LinkLocal,
    /// The instance metadata service's IPv6 address.
    InstanceMetadata,
    /// A multicast group.
    Multicast,
    /// The limited broadcast address.
    Broadcast,
    /// The unspecified address ("this network").
    Unspecified,
}

impl Reason {
    fn words(self) -> &'static str {
        match self {
            Reason::OutsideAllowList => {
                "the address is outside --egress-allow (loopback only by default)"
            }
            Reason::LinkLocal => {
                "link-local addresses (cloud metadata) are never dialled, whatever --egress-allow says"
            }
            Reason::InstanceMetadata => {
                "the instance metadata address is never dialled, whatever --egress-allow says"
            }
            Reason::Multicast => {
                "multicast addresses are never dialled, whatever --egress-allow says"
            }
            Reason::Broadcast => {
                "the broadcast address is never dialled, whatever --egress-allow says"
            }
            Reason::Unspecified => {
                "unspecified addresses are never dialled, whatever --egress-allow says"
            }
        }
    }
}

/// A destination the policy refuses; nothing was sent to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The address the caller wanted to dial.
    pub address: SocketAddr,
    /// The address judged: `address`'s, or the IPv4 address it embeds.
    pub judged: IpAddr,
    /// Why.
    pub reason: Reason,
}

impl fmt::Display for Refused {
    /// `vpclab does not connect to 10.0.1.5:80: the address is outside --egress-allow
    /// (loopback only by default)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "vpclab does not connect to {}", self.address)?;
        if self.judged != self.address.ip() {
            write!(f, " (IPv4 {})", self.judged)?;
        }
        write!(f, ": {}", self.reason.words())
    }
}

impl std::error::Error for Refused {}

/// A dial that did not give a connection.
#[derive(Debug, thiserror::Error)]
pub enum DialError {
    /// The policy refused the address; no packet was sent.
    #[error(transparent)]
    Refused(#[from] Refused),
    /// The connection itself failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Where the server may connect: loopback, plus the `--egress-allow` ranges. See the module
/// documentation for the rule. The default allows loopback only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EgressPolicy {
    /// The ranges added to loopback, in the order given, without repeats.
    added: Vec<Cidr>,
}

impl EgressPolicy {
    /// Loopback only: the default.
    pub fn loopback_only() -> EgressPolicy {
        EgressPolicy::default()
    }

    /// Loopback and `ranges`.
    pub fn allowing(ranges: impl IntoIterator<Item = Cidr>) -> EgressPolicy {
        let mut added: Vec<Cidr> = Vec::new();
        for range in ranges {
            if !added.contains(&range) {
                added.push(range);
            }
        }
        EgressPolicy { added }
    }

    /// Every allowed range: loopback first, then the added ones (as `GET /_vpclab/health`
    /// lists them).
    pub fn ranges(&self) -> Vec<Cidr> {
        LOOPBACK.iter().chain(&self.added).copied().collect()
    }

    /// Whether anything beyond this machine is allowed. A name vpclab does not serve itself is
    /// only handed to the system resolver then: the query would leave the machine too.
    pub fn reaches_beyond_loopback(&self) -> bool {
        self.added.iter().any(|r| !r.is_loopback())
    }

    /// Whether the server may connect to `to`; a refusal says why.
    pub fn check(&self, to: SocketAddr) -> Result<(), Refused> {
        self.judge(to.ip()).map_err(|(judged, reason)| Refused { address: to, judged, reason })
    }

    fn judge(&self, ip: IpAddr) -> Result<(), (IpAddr, Reason)> {
        match ip {
            IpAddr::V4(_) => self.judge_one(ip),
            IpAddr::V6(v6) => {
                // The kernel dials a mapped address as the IPv4 address itself.
                if let Some(mapped) = v6.to_ipv4_mapped() {
                    return self.judge_one(IpAddr::V4(mapped));
                }
                if let Some(embedded) = embedded_ipv4(v6) {
                    self.judge_one(IpAddr::V4(embedded))?;
                }
                self.judge_one(ip)
            }
        }
    }

    fn judge_one(&self, ip: IpAddr) -> Result<(), (IpAddr, Reason)> {
        if let Some((_, reason)) = NEVER.iter().find(|(range, _)| range.contains(ip)) {
            return Err((ip, *reason));
        }
        if LOOPBACK.iter().chain(&self.added).any(|range| range.contains(ip)) {
            return Ok(());
        }
        Err((ip, Reason::OutsideAllowList))
    }

    /// Connects to `to` over TCP if the policy allows it; no packet is sent otherwise.
    pub async fn connect_tcp(&self, to: SocketAddr) -> Result<TcpStream, DialError> {
        self.check(to)?;
        Ok(TcpStream::connect(to).await?)
    }

    /// A UDP socket connected to `to` (bound to an ephemeral port of its family) if the policy
    /// allows it: it sends to `to` alone. No packet is sent otherwise.
    pub async fn udp_connected(&self, to: SocketAddr) -> Result<UdpSocket, DialError> {
        self.check(to)?;
        let any: IpAddr =
            if to.is_ipv4() { Ipv4Addr::UNSPECIFIED.into() } else { Ipv6Addr::UNSPECIFIED.into() };
        let socket = UdpSocket::bind(SocketAddr::new(any, 0)).await?;
        socket.connect(to).await?;
        Ok(socket)
    }
}

impl fmt::Display for EgressPolicy {
    /// `loopback only`, or `loopback, 10.0.0.0/8, 192.0.2.0/24`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.added.is_empty() {
            return f.write_str("loopback only");
        }
        f.write_str("loopback")?;
        for range in &self.added {
            write!(f, ", {range}")?;
        }
        Ok(())
    }
}

/// The IPv4 address an IPv6 address stands for, where it leaves as IPv6: IPv4-compatible
/// (`::a.b.c.d`, deprecated; not `::` or `::1`) and NAT64's well-known prefix
/// (`64:ff9b::/96`, RFC 6052).
fn embedded_ipv4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = u128::from(v6);
    let low = Ipv4Addr::from((bits & 0xffff_ffff) as u32);
    let compatible = bits >> 32 == 0 && bits > 1;
    let nat64 = bits >> 32 == 0x0064_ff9b_0000_0000_0000_0000;
    (compatible || nat64).then_some(low)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(ranges: &[&str]) -> EgressPolicy {
        EgressPolicy::allowing(ranges.iter().map(|r| r.parse().unwrap()))
    }

    fn to(address: &str) -> SocketAddr {
        match address.parse::<IpAddr>() {
            Ok(ip) => SocketAddr::new(ip, 80),
            Err(_) => address.parse().unwrap(),
        }
    }

    fn reason(p: &EgressPolicy, address: &str) -> Option<Reason> {
        p.check(to(address)).err().map(|r| r.reason)
    }

    #[test]
    fn loopback_only_by_default() {
        let p = EgressPolicy::default();
        for allowed in ["127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"] {
            assert_eq!(reason(&p, allowed), None, "{allowed}");
        }
        for refused in ["10.0.1.5", "192.0.2.44", "8.8.8.8", "fd00::1", "2001:db8::1"] {
            assert_eq!(reason(&p, refused), Some(Reason::OutsideAllowList), "{refused}");
        }
        assert!(!p.reaches_beyond_loopback());
        assert_eq!(p.to_string(), "loopback only");
        let ranges: Vec<String> = p.ranges().iter().map(ToString::to_string).collect();
        assert_eq!(ranges, ["127.0.0.0/8", "::1/128"]);
    }

    #[test]
    fn each_range_adds_to_loopback() {
        let p = policy(&["10.0.0.0/8", "192.0.2.0/24", "fd00::/8", "10.0.0.0/8"]);
        for allowed in ["10.0.1.5", "192.0.2.44", "fd12::5", "127.0.0.1", "::ffff:10.9.9.9"] {
            assert_eq!(reason(&p, allowed), None, "{allowed}");
        }
        for refused in ["11.0.0.1", "192.0.3.1", "fe00::1"] {
            assert_eq!(reason(&p, refused), Some(Reason::OutsideAllowList), "{refused}");
        }
        assert!(p.reaches_beyond_loopback());
        assert_eq!(p.to_string(), "loopback, 10.0.0.0/8, 192.0.2.0/24, fd00::/8");
        assert_eq!(p.ranges().len(), 5, "the repeated range counts once");
    }

    #[test]
    fn adding_loopback_again_does_not_reach_beyond_it() {
        assert!(!policy(&["127.0.0.0/8", "127.1.0.0/16", "::1"]).reaches_beyond_loopback());
        assert!(policy(&["0.0.0.0/0"]).reaches_beyond_loopback());
        assert!(policy(&["::/0"]).reaches_beyond_loopback());
    }

    #[test]
    fn metadata_multicast_broadcast_and_unspecified_are_never_dialled() {
        let open = policy(&["0.0.0.0/0", "::/0"]);
        let cases = [
            ("169.254.169.254", Reason::LinkLocal),
            ("169.254.0.1", Reason::LinkLocal),
            ("fe80::1", Reason::LinkLocal),
            ("febf::1", Reason::LinkLocal),
            ("fd00:ec2::254", Reason::InstanceMetadata),
            ("224.0.0.251", Reason::Multicast),
            ("239.255.255.250", Reason::Multicast),
            ("ff02::1", Reason::Multicast),
            ("255.255.255.255", Reason::Broadcast),
            ("0.0.0.0", Reason::Unspecified),
            ("0.1.2.3", Reason::Unspecified),
            ("::", Reason::Unspecified),
        ];
        for (address, why) in cases {
            assert_eq!(reason(&open, address), Some(why), "{address} with 0.0.0.0/0 and ::/0");
            assert_eq!(reason(&EgressPolicy::default(), address), Some(why), "{address}");
        }
        // Everything else is open.
        for allowed in ["8.8.8.8", "10.0.0.2", "2001:db8::1", "fd00:ec2::253"] {
            assert_eq!(reason(&open, allowed), None, "{allowed}");
        }
    }

    #[test]
    fn a_listed_link_local_range_is_still_refused() {
        let p = policy(&["169.254.0.0/16", "fe80::/10"]);
        assert_eq!(reason(&p, "169.254.169.254"), Some(Reason::LinkLocal));
        assert_eq!(reason(&p, "fe80::1"), Some(Reason::LinkLocal));
    }

    #[test]
    fn mapped_addresses_are_judged_as_the_ipv4_address() {
        let open = policy(&["0.0.0.0/0"]);
        let r = open.check(to("::ffff:169.254.169.254")).unwrap_err();
        assert_eq!((r.reason, r.judged), (Reason::LinkLocal, "169.254.169.254".parse().unwrap()));
        assert_eq!(
            r.to_string(),
            "vpclab does not connect to [::ffff:169.254.169.254]:80 (IPv4 169.254.169.254): \
             link-local addresses (cloud metadata) are never dialled, whatever --egress-allow says"
        );
        // Allowed as IPv4 is allowed mapped, without any IPv6 range.
        assert_eq!(reason(&open, "::ffff:8.8.8.8"), None);
        assert_eq!(
            reason(&EgressPolicy::default(), "::ffff:10.0.0.1"),
            Some(Reason::OutsideAllowList)
        );
        // A mapped block given to --egress-allow is the IPv4 block.
        let mapped: Cidr = "::ffff:10.0.0.0/104".parse().unwrap();
        assert_eq!(mapped.to_string(), "10.0.0.0/8");
    }

    #[test]
    fn compatible_and_nat64_addresses_must_pass_as_both() {
        let open6 = policy(&["::/0"]);
        assert_eq!(reason(&open6, "::169.254.169.254"), Some(Reason::LinkLocal));
        assert_eq!(reason(&open6, "64:ff9b::169.254.169.254"), Some(Reason::LinkLocal));
        assert_eq!(reason(&open6, "64:ff9b::10.0.0.1"), Some(Reason::OutsideAllowList));
        assert_eq!(reason(&policy(&["::/0", "10.0.0.0/8"]), "64:ff9b::10.0.0.1"), None);
        // The IPv4 address alone does not open the IPv6 route to it.
        assert_eq!(
            reason(&policy(&["10.0.0.0/8"]), "64:ff9b::10.0.0.1"),
            Some(Reason::OutsideAllowList)
        );
        // ::127.0.0.1 is not loopback in IPv6; ::1 is.
        assert_eq!(reason(&EgressPolicy::default(), "::127.0.0.1"), Some(Reason::OutsideAllowList));
    }

    #[test]
    fn a_slash_zero_list_opens_only_its_family() {
        let v4_only = policy(&["0.0.0.0/0"]);
        assert_eq!(reason(&v4_only, "203.0.113.9"), None);
        assert_eq!(reason(&v4_only, "2001:db8::1"), Some(Reason::OutsideAllowList));
        let v6_only = policy(&["::/0"]);
        assert_eq!(reason(&v6_only, "2001:db8::1"), None);
        assert_eq!(reason(&v6_only, "203.0.113.9"), Some(Reason::OutsideAllowList));
    }

    #[test]
    fn refusals_name_the_address_and_the_flag() {
        let r = EgressPolicy::default().check(to("10.0.1.5:80")).unwrap_err();
        assert_eq!(
            r.to_string(),
            "vpclab does not connect to 10.0.1.5:80: the address is outside --egress-allow \
             (loopback only by default)"
        );
        let r = EgressPolicy::default().check(to("[2001:db8::1]:53")).unwrap_err();
        assert!(r.to_string().starts_with("vpclab does not connect to [2001:db8::1]:53: "), "{r}");
    }

    #[test]
    fn cidrs_parse_strictly() {
        assert_eq!("10.0.0.0/8".parse::<Cidr>().unwrap().to_string(), "10.0.0.0/8");
        assert_eq!("192.0.2.44".parse::<Cidr>().unwrap().to_string(), "192.0.2.44/32");
        assert_eq!("fd00::/8".parse::<Cidr>().unwrap().to_string(), "fd00::/8");
        assert_eq!("::1".parse::<Cidr>().unwrap().to_string(), "::1/128");
        assert_eq!(
            "10.0.0.5/8".parse::<Cidr>().unwrap_err().to_string(),
            "10.0.0.5/8 has bits set past its prefix length; did you mean 10.0.0.0/8?"
        );
        assert_eq!(
            "10.0.0.0/33".parse::<Cidr>().unwrap_err().to_string(),
            "10.0.0.0/33: an IPv4 prefix length is 0 to 32"
        );
        for bad in ["", "10.0.0.0/", "10.0.0.0/+8", "10.0.0/8", "example.com", "10.0.0.0/8/8", "/8"]
        {
            assert_eq!(
                bad.parse::<Cidr>(),
                Err(CidrError::Malformed(bad.to_owned())),
                "{bad:?} is malformed"
            );
        }
        assert!(matches!("::/129".parse::<Cidr>(), Err(CidrError::PrefixTooLong { max: 128, .. })));
    }

    #[tokio::test]
    async fn refused_dials_send_nothing() {
        let p = EgressPolicy::default();
        let tcp = p.connect_tcp(to("192.0.2.44:80")).await;
        assert!(matches!(
            tcp,
            Err(DialError::Refused(Refused { reason: Reason::OutsideAllowList, .. }))
        ));
        let udp = p.udp_connected(to("10.0.0.2:53")).await;
        assert!(matches!(udp, Err(DialError::Refused(_))));
    }

    #[tokio::test]
    async fn allowed_dials_connect() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let at = listener.local_addr().unwrap();
        let stream = EgressPolicy::default().connect_tcp(at).await.unwrap();
        assert_eq!(stream.peer_addr().unwrap(), at);
        let server = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let at = server.local_addr().unwrap();
        let udp = EgressPolicy::default().udp_connected(at).await.unwrap();
        udp.send(b"ping").await.unwrap();
        let mut buf = [0u8; 8];
        let (n, _) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"ping");
    }
}
