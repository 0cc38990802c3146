//! The DNS wire format: queries in, responses out.
//!
//! [`parse_query`] reads a query (RFC 1035 header and one question, RFC 6891 EDNS with the
//! RFC 7871 client-subnet option) without trusting a single byte: every read is bounds-checked,
//! compression pointers must point backwards, names stay within 255 octets. What cannot be
//! understood becomes a [`Reject`]: dropped when even the header is unreadable or the message is
//! a response, else answered `FORMERR`/`NOTIMP` by [`write_error`].
//!
//! [`Writer`] builds a response in a caller-owned buffer (reused across queries): the header,
//! the question copied as it came (so answers echo the question's case), records with name
//! compression, and the OPT record. Record data is prepared once per configuration by
//! [`RData::pieces`]: literal bytes plus names, compressible where RFC 3597 allows it (NS,
//! CNAME, SOA, PTR, MX) and written in full where it does not (SRV, NAPTR).
//!
//! The other direction serves TestDNSAnswer, which puts one question to the engine as a
//! resolver would: [`write_query`] writes the query, [`parse_response`] reads the answer back
//! (names through compression pointers, [`RData::read`] for every type written here), and
//! `RData`'s `Display` gives Route 53's presentation form (`10 mail.example.com.`,
//! `"v=spf1 -all"`, `0 issue "amazon.com"`).
//!
//! Names inside the engine are *keys*: lower-case text with a trailing dot, characters other
//! than `a-z 0-9 - _ *` written as three-digit octal escapes as Route 53 writes them (`\052`).
//! [`name_key`] makes one from wire labels, [`text_to_wire`] reads Route 53's text form.

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

mod rdata;
mod response;
mod writer;
pub use rdata::*;
pub use response::*;
pub use writer::*;

/// Record types (RFC 1035, 3596, 2782, 3403, 4034, 6844, 6891).
pub mod rtype {
    /// IPv4 address.
    pub const A: u16 = 1;
    /// Name server.
    pub const NS: u16 = 2;
    /// Canonical name.
    pub const CNAME: u16 = 5;
    /// Start of authority.
    pub const SOA: u16 = 6;
    /// Pointer.
    pub const PTR: u16 = 12;
    /// Mail exchange.
    pub const MX: u16 = 15;
    /// Text.
    pub const TXT: u16 = 16;
    /// IPv6 address.
    pub const AAAA: u16 = 28;
    /// Service locator.
    pub const SRV: u16 = 33;
    /// Naming authority pointer.
    pub const NAPTR: u16 = 35;
    /// EDNS pseudo-record.
    pub const OPT: u16 = 41;
    /// Delegation signer.
    pub const DS: u16 = 43;
    /// SSH key fingerprint (RFC 4255).
    pub const SSHFP: u16 = 44;
    /// TLS certificate association (RFC 6698).
    pub const TLSA: u16 = 52;
    /// Service binding (RFC 9460).
    pub const SVCB: u16 = 64;
    /// HTTPS service binding (RFC 9460).
    pub const HTTPS: u16 = 65;
    /// Sender policy framework (same data as TXT).
    pub const SPF: u16 = 99;
    /// Incremental zone transfer.
    pub const IXFR: u16 = 251;
    /// Zone transfer.
    pub const AXFR: u16 = 252;
    /// Any type.
    pub const ANY: u16 = 255;
    /// Certification authority authorization.
    pub const CAA: u16 = 257;

    /// The type's mnemonic, for the ones Route 53 serves.
    pub fn name(t: u16) -> Option<&'static str> {
        Some(match t {
            A => "A",
            NS => "NS",
            CNAME => "CNAME",
            SOA => "SOA",
            PTR => "PTR",
            MX => "MX",
            TXT => "TXT",
            AAAA => "AAAA",
            SRV => "SRV",
            NAPTR => "NAPTR",
            DS => "DS",
            SPF => "SPF",
            CAA => "CAA",
            SSHFP => "SSHFP",
            TLSA => "TLSA",
            SVCB => "SVCB",
            HTTPS => "HTTPS",
            _ => return None,
        })
    }

    /// The type for a mnemonic (case-insensitive), for the ones Route 53 serves.
    pub fn parse(name: &str) -> Option<u16> {
        [A, NS, CNAME, SOA, PTR, MX, TXT, AAAA, SRV, NAPTR, DS, SPF, CAA, SSHFP, TLSA, SVCB, HTTPS]
            .into_iter()
            .find(|t| self::name(*t).is_some_and(|n| n.eq_ignore_ascii_case(name)))
    }
}

/// Response codes (RFC 1035, 6891).
pub mod rcode {
    /// No error.
    pub const NOERROR: u16 = 0;
    /// The query could not be understood.
    pub const FORMERR: u16 = 1;
    /// The server failed.
    pub const SERVFAIL: u16 = 2;
    /// The name does not exist.
    pub const NXDOMAIN: u16 = 3;
    /// The opcode is not supported.
    pub const NOTIMP: u16 = 4;
    /// The server will not answer this.
    pub const REFUSED: u16 = 5;
    /// An EDNS version the server does not speak (extended: needs OPT).
    pub const BADVERS: u16 = 16;

    /// The code's mnemonic (IANA's DNS RCODES registry), as TestDNSAnswer reports it.
    pub fn name(code: u16) -> Option<&'static str> {
        Some(match code {
            NOERROR => "NOERROR",
            FORMERR => "FORMERR",
            SERVFAIL => "SERVFAIL",
            NXDOMAIN => "NXDOMAIN",
            NOTIMP => "NOTIMP",
            REFUSED => "REFUSED",
            BADVERS => "BADVERS",
            _ => return None,
        })
    }
}

/// Class IN.
pub const CLASS_IN: u16 = 1;
/// The UDP payload size this server advertises (the DNS flag day 2020 value).
pub const ADVERTISED_PAYLOAD: u16 = 1232;
/// The largest UDP response this server writes, whatever a client advertises.
pub const MAX_UDP_PAYLOAD: usize = 4096;
/// EDNS option code of client subnet (RFC 7871).
const OPTION_CLIENT_SUBNET: u16 = 8;

const HEADER: usize = 12;
const QR: u16 = 0x8000;
const AA: u16 = 0x0400;
const TC: u16 = 0x0200;
const RD: u16 = 0x0100;
const RA: u16 = 0x0080;
const CD: u16 = 0x0010;

/// The EDNS client-subnet option (RFC 7871).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientSubnet {
    /// 1 = IPv4, 2 = IPv6.
    pub family: u16,
    /// Significant bits of `address` the client sent.
    pub source_prefix: u8,
    /// Always 0 in queries.
    pub scope_prefix: u8,
    /// The address, zero-padded.
    pub address: IpAddr,
}

/// The EDNS part of a query (RFC 6891).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edns {
    /// The client's UDP payload size (values under 512 count as 512).
    pub payload: u16,
    /// The EDNS version; only 0 exists.
    pub version: u8,
    /// The DO bit (we sign nothing, but echo it).
    pub dnssec_ok: bool,
    /// The client subnet, when sent.
    pub client_subnet: Option<ClientSubnet>,
}

/// A parsed query. Borrowed from the message it came from.
#[derive(Debug, Clone, Copy)]
pub struct Query<'a> {
    /// The id to echo.
    pub id: u16,
    /// The header's flags word (RD and CD are echoed).
    pub flags: u16,
    /// The question's name as it came (uncompressed wire form, the client's case).
    pub qname: &'a [u8],
    /// The question's type.
    pub qtype: u16,
    /// The question's class.
    pub qclass: u16,
    /// The question section as it came, to copy into the response.
    pub question: &'a [u8],
    /// EDNS, when the query has an OPT record.
    pub edns: Option<Edns>,
}

/// Why a query gets no ordinary answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reject {
    /// Not even a header, or a response: nothing is sent back.
    Drop,
    /// Answer with this header-only error (`FORMERR`, `NOTIMP`).
    Error {
        /// The query's id.
        id: u16,
        /// The query's flags.
        flags: u16,
        /// The response code.
        rcode: u16,
    },
}

fn u16_at(msg: &[u8], at: usize) -> Option<u16> {
    let b = msg.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([*b.first()?, *b.get(1)?]))
}

fn u32_at(msg: &[u8], at: usize) -> Option<u32> {
    let b = msg.get(at..at.checked_add(4)?)?;
    let mut a = [0u8; 4];
    a.copy_from_slice(b);
    Some(u32::from_be_bytes(a))
}

/// Reads a (possibly compressed) name starting at `at`; returns where the name ends in the
/// message (after its first pointer or its root label). Labels are passed to `label`.
fn walk_name(msg: &[u8], at: usize, mut label: impl FnMut(&[u8])) -> Option<usize> {
    let mut pos = at;
    let mut end = None;
    let mut total = 1usize;
    let mut jumps = 0;
    loop {
        let len = *msg.get(pos)? as usize;
        match len & 0xC0 {
            0x00 => {
                if len == 0 {
                    return Some(end.unwrap_or(pos + 1));
                }
                let l = msg.get(pos + 1..pos + 1 + len)?;
                total += len + 1;
                if total > 255 {
                    return None;
                }
                label(l);
                pos += 1 + len;
            }
            0xC0 => {
                let target = (u16_at(msg, pos)? & 0x3FFF) as usize;
                // Backwards only: no loops, no forward references.
                if target >= pos || jumps > 64 {
                    return None;
                }
                jumps += 1;
                end.get_or_insert(pos + 2);
                pos = target;
            }
            _ => return None,
        }
    }
}

/// Skips a name (compressed or not); returns the position after it.
fn skip_name(msg: &[u8], at: usize) -> Option<usize> {
    walk_name(msg, at, |_| {})
}

/// Appends one label's key text (lower case, octal escapes) to `out`.
fn push_label_key(out: &mut String, label: &[u8]) {
    for &b in label {
        match b {
            b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'*' => out.push(b as char),
            b'A'..=b'Z' => out.push(b.to_ascii_lowercase() as char),
            _ => {
                let _ = write!(out, "\\{b:03o}");
            }
        }
    }
    out.push('.');
}

/// The key of a wire name (uncompressed, as in a question): lower case, trailing dot.
/// `out` is cleared first. Returns `None` for a malformed name.
pub fn name_key(wire: &[u8], out: &mut String) -> Option<()> {
    out.clear();
    walk_name(wire, 0, |l| push_label_key(out, l))?;
    if out.is_empty() {
        out.push('.');
    }
    Some(())
}

/// Why a name in text form was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    /// A label is empty (two dots in a row) or longer than 63 octets.
    Label,
    /// The name is longer than 255 octets.
    TooLong,
    /// A `\` escape is not `\ooo` (octal) or `\X`.
    Escape,
}

impl std::fmt::Display for NameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NameError::Label => "a label is empty or longer than 63 characters",
            NameError::TooLong => "the name is longer than 255 octets",
            NameError::Escape => "an escape is not \\ooo (three octal digits) or \\X",
        })
    }
}

impl std::error::Error for NameError {}

/// A text name (`www.example.com.` or without the final dot; Route 53's `\ooo` octal escapes
/// and `\X` allowed) in uncompressed wire form.
pub fn text_to_wire(text: &str) -> Result<Vec<u8>, NameError> {
    let mut out = Vec::with_capacity(text.len() + 2);
    let bytes = text.as_bytes();
    if bytes == b"." || bytes.is_empty() {
        return Ok(vec![0]);
    }
    let mut label: Vec<u8> = Vec::new();
    let mut i = 0;
    let flush = |label: &mut Vec<u8>, out: &mut Vec<u8>| -> Result<(), NameError> {
        if label.is_empty() || label.len() > 63 {
            return Err(NameError::Label);
        }
        out.push(label.len() as u8);
        out.extend_from_slice(label);
        label.clear();
        Ok(())
    };
    while let Some(&b) = bytes.get(i) {
        match b {
            b'.' => {
                flush(&mut label, &mut out)?;
                i += 1;
            }
            b'\\' => {
                let digits = bytes.get(i + 1..i + 4);
                match digits {
                    Some(d) if d.iter().all(|c| (b'0'..=b'7').contains(c)) => {
                        let v = d.iter().fold(0u32, |a, c| a * 8 + u32::from(c - b'0'));
                        label.push(u8::try_from(v).map_err(|_| NameError::Escape)?);
                        i += 4;
                    }
                    _ => match bytes.get(i + 1) {
                        Some(c) if !c.is_ascii_digit() => {
                            label.push(*c);
                            i += 2;
                        }
                        _ => return Err(NameError::Escape),
                    },
                }
            }
            _ => {
                label.push(b);
                i += 1;
            }
        }
    }
    if !label.is_empty() {
        flush(&mut label, &mut out)?;
    }
    out.push(0);
    if out.len() > 255 {
        return Err(NameError::TooLong);
    }
    Ok(out)
}

/// The key of a text name (see the module docs).
pub fn text_key(text: &str) -> Result<String, NameError> {
    let wire = text_to_wire(text)?;
    let mut key = String::with_capacity(text.len() + 1);
    name_key(&wire, &mut key).ok_or(NameError::TooLong)?;
    Ok(key)
}

/// Parses a query. `Ok` means one question of opcode QUERY, with its EDNS if any.
pub fn parse_query(msg: &[u8]) -> Result<Query<'_>, Reject> {
    let (Some(id), Some(flags)) = (u16_at(msg, 0), u16_at(msg, 2)) else {
        return Err(Reject::Drop);
    };
    if flags & QR != 0 {
        return Err(Reject::Drop);
    }
    let formerr = Reject::Error { id, flags, rcode: rcode::FORMERR };
    let (Some(qd), Some(an), Some(ns), Some(ar)) =
        (u16_at(msg, 4), u16_at(msg, 6), u16_at(msg, 8), u16_at(msg, 10))
    else {
        return Err(formerr);
    };
    let opcode = (flags >> 11) & 0xF;
    if opcode != 0 {
        return Err(Reject::Error { id, flags, rcode: rcode::NOTIMP });
    }
    if qd != 1 {
        return Err(formerr);
    }
    // The question's name must be uncompressed: there is nothing before it to point at.
    let mut pos = HEADER;
    loop {
        let Some(&len) = msg.get(pos) else { return Err(formerr) };
        if len == 0 {
            pos += 1;
            break;
        }
        if len & 0xC0 != 0 {
            return Err(formerr);
        }
        pos += 1 + len as usize;
        if pos - HEADER > 255 {
            return Err(formerr);
        }
    }
    let qname = msg.get(HEADER..pos).ok_or(formerr)?;
    let (Some(qtype), Some(qclass)) = (u16_at(msg, pos), u16_at(msg, pos + 2)) else {
        return Err(formerr);
    };
    pos += 4;
    let question = msg.get(HEADER..pos).ok_or(formerr)?;
    // Skip answer and authority records (a query has none, but they are harmless).
    for _ in 0..(u32::from(an) + u32::from(ns)) {
        pos = skip_record(msg, pos).ok_or(formerr)?;
    }
    let mut edns = None;
    for _ in 0..ar {
        let start = pos;
        let after_name = skip_name(msg, pos).ok_or(formerr)?;
        let rt = u16_at(msg, after_name).ok_or(formerr)?;
        pos = skip_record(msg, start).ok_or(formerr)?;
        if rt == rtype::OPT {
            // One OPT, owned by the root (RFC 6891 6.1.1).
            if edns.is_some() || msg.get(start) != Some(&0) {
                return Err(formerr);
            }
            edns = Some(parse_opt(msg, after_name).ok_or(formerr)?);
        }
    }
    Ok(Query { id, flags, qname, qtype, qclass, question, edns })
}

fn skip_record(msg: &[u8], at: usize) -> Option<usize> {
    let p = skip_name(msg, at)?;
    let rdlen = u16_at(msg, p + 8)? as usize;
    let end = p + 10 + rdlen;
    if end > msg.len() {
        return None;
    }
    Some(end)
}

/// Reads an OPT record from its type field on.
fn parse_opt(msg: &[u8], at: usize) -> Option<Edns> {
    let payload = u16_at(msg, at + 2)?.max(512);
    let ttl = u32_at(msg, at + 4)?;
    let rdlen = u16_at(msg, at + 8)? as usize;
    let rdata = msg.get(at + 10..at + 10 + rdlen)?;
    let mut edns = Edns {
        payload,
        version: (ttl >> 16) as u8,
        dnssec_ok: ttl & 0x8000 != 0,
        client_subnet: None,
    };
    let mut p = 0;
    while p < rdata.len() {
        let code = u16_at(rdata, p)?;
        let len = u16_at(rdata, p + 2)? as usize;
        let data = rdata.get(p + 4..p + 4 + len)?;
        if code == OPTION_CLIENT_SUBNET {
            edns.client_subnet = Some(parse_client_subnet(data)?);
        }
        p += 4 + len;
    }
    Some(edns)
}

fn parse_client_subnet(data: &[u8]) -> Option<ClientSubnet> {
    let family = u16_at(data, 0)?;
    let source_prefix = *data.get(2)?;
    let scope_prefix = *data.get(3)?;
    let addr = data.get(4..)?;
    // As many octets as the prefix needs, no more (RFC 7871 6).
    if addr.len() != usize::from(source_prefix).div_ceil(8) {
        return None;
    }
    let address = match family {
        1 if source_prefix <= 32 => {
            let mut a = [0u8; 4];
            a.get_mut(..addr.len())?.copy_from_slice(addr);
            IpAddr::V4(Ipv4Addr::from(a))
        }
        2 if source_prefix <= 128 => {
            let mut a = [0u8; 16];
            a.get_mut(..addr.len())?.copy_from_slice(addr);
            IpAddr::V6(Ipv6Addr::from(a))
        }
        _ => return None,
    };
    Some(ClientSubnet { family, source_prefix, scope_prefix, address })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A query for `name`/`qtype`, with EDNS (payload, client subnet) when given.
    pub fn query(
        id: u16,
        name: &str,
        qtype: u16,
        edns: Option<(u16, Option<(IpAddr, u8)>)>,
    ) -> Vec<u8> {
        let subnet = |(address, source_prefix): (IpAddr, u8)| ClientSubnet {
            family: if address.is_ipv4() { 1 } else { 2 },
            source_prefix,
            scope_prefix: 0,
            address,
        };
        let mut m = Vec::new();
        let edns = edns.map(|(payload, cs)| (payload, cs.map(subnet)));
        write_query(&mut m, id, RD, &text_to_wire(name).unwrap(), qtype, edns);
        m
    }

    #[test]
    fn a_query_is_parsed_with_its_edns_and_client_subnet() {
        let subnet = Some((IpAddr::V4(Ipv4Addr::new(203, 0, 113, 0)), 24));
        let m = query(7, "WWW.Example.com.", rtype::AAAA, Some((4096, subnet)));
        let q = parse_query(&m).unwrap();
        assert_eq!((q.id, q.qtype, q.qclass), (7, rtype::AAAA, CLASS_IN));
        let mut key = String::new();
        name_key(q.qname, &mut key).unwrap();
        assert_eq!(key, "www.example.com.");
        let edns = q.edns.unwrap();
        assert_eq!(edns.payload, 4096);
        let cs = edns.client_subnet.unwrap();
        assert_eq!((cs.family, cs.source_prefix), (1, 24));
        assert_eq!(cs.address, IpAddr::V4(Ipv4Addr::new(203, 0, 113, 0)));
    }

    #[test]
    fn responses_and_stubs_are_dropped_and_bad_queries_are_formerr() {
        assert_eq!(parse_query(&[1, 2, 3]).unwrap_err(), Reject::Drop);
        let mut m = query(1, "a.example.", rtype::A, None);
        m[2] |= 0x80;
        assert_eq!(parse_query(&m).unwrap_err(), Reject::Drop);
        let mut two = query(9, "a.example.", rtype::A, None);
        two[5] = 2;
        assert!(matches!(
            parse_query(&two),
            Err(Reject::Error { id: 9, rcode: rcode::FORMERR, .. })
        ));
        let mut notify = query(9, "a.example.", rtype::A, None);
        notify[2] |= 4 << 3;
        assert!(matches!(parse_query(&notify), Err(Reject::Error { rcode: rcode::NOTIMP, .. })));
        let short = query(3, "a.example.", rtype::A, None);
        assert!(matches!(
            parse_query(&short[..short.len() - 1]),
            Err(Reject::Error { rcode: rcode::FORMERR, .. })
        ));
    }

    #[test]
    fn keys_are_lower_case_with_octal_escapes() {
        assert_eq!(text_key("*.Example.COM").unwrap(), "*.example.com.");
        assert_eq!(text_key("a\\.b.example.com.").unwrap(), "a\\056b.example.com.");
        assert_eq!(text_key("\\052.example.com.").unwrap(), "*.example.com.");
        assert_eq!(text_key(".").unwrap(), ".");
        assert!(text_key("a..b").is_err());
        assert!(text_key(&"a".repeat(64)).is_err());
        assert!(text_key(&"abcdefghi.".repeat(26)).is_err());
    }

    #[test]
    fn names_are_compressed_against_the_question_and_each_other() {
        let m = query(1, "www.Example.com.", rtype::A, None);
        let q = parse_query(&m).unwrap();
        let mut buf = Vec::new();
        let mut w = Writer::new(&mut buf, &q, 0, true, false);
        let owner = text_to_wire("www.example.com.").unwrap();
        w.record(
            Section::Answer,
            &owner,
            rtype::A,
            60,
            &RData::A(Ipv4Addr::LOCALHOST).pieces().unwrap(),
        );
        let mx = RData::Mx { preference: 1, exchange: "mail.example.com.".into() };
        w.record(Section::Answer, &owner, rtype::MX, 60, &mx.pieces().unwrap());
        assert_eq!(w.count(Section::Answer), 2);
        let q_end = 12 + q.question.len();
        // First owner: a pointer to the question's name.
        assert_eq!(&buf[q_end..q_end + 2], &[0xC0, 12]);
        // The MX exchange: "mail" then a pointer to "example.com" inside the question.
        let tail = &buf[buf.len() - 7..];
        assert_eq!(&tail[..5], b"\x04mail");
        assert_eq!(tail[5..], [0xC0, 16]);
    }

    #[test]
    fn srv_targets_are_never_compressed() {
        let m = query(1, "_x._tcp.example.com.", rtype::SRV, None);
        let q = parse_query(&m).unwrap();
        let mut buf = Vec::new();
        let mut w = Writer::new(&mut buf, &q, 0, true, false);
        let srv = RData::Srv { priority: 1, weight: 2, port: 3, target: "example.com.".into() };
        w.record(Section::Answer, q.qname, rtype::SRV, 60, &srv.pieces().unwrap());
        assert!(buf.ends_with(b"\x07example\x03com\x00"));
    }

    /// A tiny deterministic generator for the fuzz tests.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        let mut key = String::new();
        for _ in 0..20_000 {
            let len = (next(&mut s) % 80) as usize;
            let m: Vec<u8> = (0..len).map(|_| next(&mut s) as u8).collect();
            let _ = parse_query(&m);
            let _ = name_key(&m, &mut key);
        }
    }

    #[test]
    fn mutated_queries_never_panic() {
        let subnet = Some((IpAddr::V6("2001:db8::".parse().unwrap()), 56));
        let base = query(5, "a.b.example.com.", rtype::TXT, Some((1232, subnet)));
        let mut s = 42u64;
        for _ in 0..50_000 {
            let mut m = base.clone();
            for _ in 0..(next(&mut s) % 4 + 1) {
                let i = (next(&mut s) as usize) % m.len();
                m[i] = next(&mut s) as u8;
            }
            let cut = (next(&mut s) as usize) % (m.len() + 1);
            if let Ok(q) = parse_query(&m[..cut]) {
                let mut buf = Vec::new();
                let mut w = Writer::new(&mut buf, &q, 0, true, false);
                w.record(Section::Answer, q.qname, rtype::A, 1, &[]);
                if let Some(e) = q.edns {
                    w.opt(&e, 0, Some(24));
                }
            }
        }
    }

    #[test]
    fn compression_loops_are_refused() {
        // A pointer to itself and a forward pointer.
        assert!(walk_name(&[0xC0, 0], 0, |_| {}).is_none());
        assert!(walk_name(&[0xC0, 2, 0], 0, |_| {}).is_none());
        assert_eq!(walk_name(&[1, b'a', 0, 0xC0, 0], 3, |_| {}), Some(5));
    }

    #[test]
    fn truncation_keeps_the_question_and_opt() {
        let m = query(1, "big.example.", rtype::TXT, Some((512, None)));
        let q = parse_query(&m).unwrap();
        let mut buf = Vec::new();
        let mut w = Writer::new(&mut buf, &q, 0, true, false);
        for _ in 0..10 {
            let txt = RData::Txt(vec![vec![b'x'; 200]]);
            w.record(Section::Answer, q.qname, rtype::TXT, 1, &txt.pieces().unwrap());
        }
        w.truncate(&q, 0, None);
        assert_eq!(buf[2] & 0x02, 0x02, "TC");
        assert_eq!(&buf[6..12], &[0, 0, 0, 0, 0, 1]);
        assert_eq!(buf.len(), 12 + q.question.len() + 11);
    }

    /// One value of every type the crate writes, with Route 53's presentation of it.
    fn every_type() -> Vec<(RData, &'static str)> {
        vec![
            (RData::A(Ipv4Addr::new(192, 0, 2, 1)), "192.0.2.1"),
            (RData::Aaaa("2001:db8::1".parse().unwrap()), "2001:db8::1"),
            (RData::Cname("web.example.com.".into()), "web.example.com."),
            (RData::Ns("ns-1.awsdns-01.com.".into()), "ns-1.awsdns-01.com."),
            (RData::Ptr("host.example.com.".into()), "host.example.com."),
            (
                RData::Mx { preference: 10, exchange: "mail.example.com.".into() },
                "10 mail.example.com.",
            ),
            (RData::Txt(vec![b"v=spf1 -all".to_vec()]), "\"v=spf1 -all\""),
            (
                RData::Txt(vec![b"a \"q\" \\".to_vec(), vec![b'x', 7]]),
                "\"a \\\"q\\\" \\\\\" \"x\\007\"",
            ),
            (RData::Spf(vec![b"v=spf1 ~all".to_vec()]), "\"v=spf1 ~all\""),
            (
                RData::Srv { priority: 1, weight: 2, port: 443, target: "svc.example.com.".into() },
                "1 2 443 svc.example.com.",
            ),
            (
                RData::Naptr {
                    order: 100,
                    preference: 10,
                    flags: b"U".to_vec(),
                    services: b"E2U+sip".to_vec(),
                    regexp: b"!^.*$!sip:info@example.com!".to_vec(),
                    replacement: ".".into(),
                },
                "100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .",
            ),
            (
                RData::Caa { flags: 0, tag: "issue".into(), value: b"amazon.com".to_vec() },
                "0 issue \"amazon.com\"",
            ),
            (
                RData::Ds {
                    key_tag: 12345,
                    algorithm: 13,
                    digest_type: 2,
                    digest: vec![0xab, 0xcd, 0x01, 0xef],
                },
                "12345 13 2 ABCD01EF",
            ),
            (
                RData::Soa {
                    mname: "ns-1.awsdns-01.com.".into(),
                    rname: "awsdns-hostmaster.amazon.com.".into(),
                    serial: 1,
                    refresh: 7200,
                    retry: 900,
                    expire: 1209600,
                    minimum: 86400,
                },
                "ns-1.awsdns-01.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400",
            ),
        ]
    }

    #[test]
    fn every_type_reads_back_from_a_compressed_response_in_route53_form() {
        let m = query(4, "x.Example.com.", rtype::A, None);
        let q = parse_query(&m).unwrap();
        let mut buf = Vec::new();
        let mut w = Writer::new(&mut buf, &q, rcode::NXDOMAIN, true, false);
        let owner = text_to_wire("x.example.com.").unwrap();
        for (rd, _) in every_type() {
            w.record(Section::Answer, &owner, rd.rtype(), 60, &rd.pieces().unwrap());
        }
        // Names in the data point back into the question and earlier records.
        assert!(buf.windows(2).filter(|p| p[0] & 0xC0 == 0xC0).count() > 5);
        let r = parse_response(&buf).unwrap();
        assert_eq!((r.id, r.rcode, r.truncated), (4, rcode::NXDOMAIN, false));
        assert_eq!(r.answers.len(), every_type().len());
        for (got, (want, text)) in r.answers.iter().zip(every_type()) {
            assert_eq!(
                (got.owner.as_str(), got.rtype, got.ttl),
                ("x.example.com.", want.rtype(), 60)
            );
            assert_eq!(got.data.as_ref(), Some(&want));
            assert_eq!(want.to_string(), text);
        }
    }

    #[test]
    fn responses_that_lie_about_lengths_are_refused_or_untyped() {
        let m = query(1, "a.example.", rtype::A, None);
        let q = parse_query(&m).unwrap();
        let mut buf = Vec::new();
        let mut w = Writer::new(&mut buf, &q, 0, true, false);
        w.record(
            Section::Answer,
            q.qname,
            rtype::A,
            1,
            &RData::A(Ipv4Addr::LOCALHOST).pieces().unwrap(),
        );
        let good = buf.clone();
        assert!(parse_response(&good[..good.len() - 1]).is_none());
        assert!(parse_response(&m).is_none(), "a query is not a response");
        // Five octets of A data: the record is there, its data is not an address.
        let mut long = good.clone();
        let at = long.len() - 6;
        long[at + 1] = 5;
        long.push(0);
        assert_eq!(parse_response(&long).unwrap().answers[0].data, None);
        let mut s = 7u64;
        for _ in 0..20_000 {
            let mut m = good.clone();
            let i = (next(&mut s) as usize) % m.len();
            m[i] = next(&mut s) as u8;
            let _ = parse_response(&m);
        }
    }

    #[test]
    fn queries_carry_the_client_subnet_they_are_given() {
        let cs = ClientSubnet {
            family: 1,
            source_prefix: 24,
            scope_prefix: 0,
            address: IpAddr::V4(Ipv4Addr::new(198, 51, 100, 0)),
        };
        let mut m = Vec::new();
        write_query(
            &mut m,
            9,
            0,
            &text_to_wire("a.example.").unwrap(),
            rtype::TXT,
            Some((1232, Some(cs))),
        );
        let q = parse_query(&m).unwrap();
        assert_eq!((q.id, q.qtype, q.flags), (9, rtype::TXT, 0));
        assert_eq!(q.edns.unwrap().client_subnet, Some(cs));
        assert_eq!(rcode::name(rcode::NXDOMAIN), Some("NXDOMAIN"));
    }
}
