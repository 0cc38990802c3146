//! Record data: typed values, the pieces a response is built from, reading them back and
//! Route 53's presentation form.

use super::*;

/// Record data, typed (what a record set's values are).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RData {
    /// An IPv4 address.
    A(Ipv4Addr),
    /// An IPv6 address.
    Aaaa(Ipv6Addr),
    /// A canonical name.
    Cname(String),
    /// A name server.
    Ns(String),
    /// A pointer.
    Ptr(String),
    /// A mail exchange.
    Mx {
        /// Lower is preferred.
        preference: u16,
        /// The mail server.
        exchange: String,
    },
    /// Character strings (each up to 255 octets).
    Txt(Vec<Vec<u8>>),
    /// SPF: character strings, as TXT.
    Spf(Vec<Vec<u8>>),
    /// A service location.
    Srv {
        /// Lower first.
        priority: u16,
        /// Share among equal priorities.
        weight: u16,
        /// The port.
        port: u16,
        /// The host.
        target: String,
    },
    /// A naming authority pointer.
    Naptr {
        /// Lower first.
        order: u16,
        /// Among equal orders.
        preference: u16,
        /// `S`, `A`, `U`, `P` or empty.
        flags: Vec<u8>,
        /// The service parameters.
        services: Vec<u8>,
        /// A substitution expression.
        regexp: Vec<u8>,
        /// The next name (`.` when `regexp` is used).
        replacement: String,
    },
    /// Certification authority authorization.
    Caa {
        /// 0 or 128 (critical).
        flags: u8,
        /// `issue`, `issuewild`, `iodef`…
        tag: String,
        /// The value, without quotes.
        value: Vec<u8>,
    },
    /// A delegation signer.
    Ds {
        /// The key tag.
        key_tag: u16,
        /// The DNSSEC algorithm.
        algorithm: u8,
        /// The digest type.
        digest_type: u8,
        /// The digest.
        digest: Vec<u8>,
    },
    /// Start of authority.
    Soa {
        /// The primary name server.
        mname: String,
        /// The responsible mailbox.
        rname: String,
        /// Serial.
        serial: u32,
        /// Refresh.
        refresh: u32,
        /// Retry.
        retry: u32,
        /// Expire.
        expire: u32,
        /// The negative-caching TTL (RFC 2308).
        minimum: u32,
    },
}

/// One part of prepared record data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Literal octets.
    Bytes(Box<[u8]>),
    /// A name that may be compressed.
    Name(Box<[u8]>),
    /// A name that must be written in full (SRV, NAPTR: RFC 2782, 3403, 3597).
    FullName(Box<[u8]>),
}

/// Why record data cannot be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RDataError {
    /// A name in it is malformed.
    Name(NameError),
    /// A character string is longer than 255 octets.
    StringTooLong,
    /// The data is longer than 65535 octets.
    TooLong,
}

impl std::fmt::Display for RDataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RDataError::Name(e) => write!(f, "bad name: {e}"),
            RDataError::StringTooLong => f.write_str("a character string is over 255 octets"),
            RDataError::TooLong => f.write_str("the record data is over 65535 octets"),
        }
    }
}

impl std::error::Error for RDataError {}

impl From<NameError> for RDataError {
    fn from(e: NameError) -> Self {
        RDataError::Name(e)
    }
}

fn char_string(out: &mut Vec<u8>, s: &[u8]) -> Result<(), RDataError> {
    let len = u8::try_from(s.len()).map_err(|_| RDataError::StringTooLong)?;
    out.push(len);
    out.extend_from_slice(s);
    Ok(())
}

impl RData {
    /// The record type of this data.
    pub fn rtype(&self) -> u16 {
        match self {
            RData::A(_) => rtype::A,
            RData::Aaaa(_) => rtype::AAAA,
            RData::Cname(_) => rtype::CNAME,
            RData::Ns(_) => rtype::NS,
            RData::Ptr(_) => rtype::PTR,
            RData::Mx { .. } => rtype::MX,
            RData::Txt(_) => rtype::TXT,
            RData::Spf(_) => rtype::SPF,
            RData::Srv { .. } => rtype::SRV,
            RData::Naptr { .. } => rtype::NAPTR,
            RData::Caa { .. } => rtype::CAA,
            RData::Ds { .. } => rtype::DS,
            RData::Soa { .. } => rtype::SOA,
        }
    }

    /// The data prepared for [`Writer::record`].
    pub fn pieces(&self) -> Result<Vec<Piece>, RDataError> {
        let name = |n: &str| -> Result<Piece, RDataError> {
            Ok(Piece::Name(text_to_wire(n)?.into_boxed_slice()))
        };
        let full = |n: &str| -> Result<Piece, RDataError> {
            Ok(Piece::FullName(text_to_wire(n)?.into_boxed_slice()))
        };
        let bytes = |b: Vec<u8>| Piece::Bytes(b.into_boxed_slice());
        let pieces = match self {
            RData::A(a) => vec![bytes(a.octets().to_vec())],
            RData::Aaaa(a) => vec![bytes(a.octets().to_vec())],
            RData::Cname(n) | RData::Ns(n) | RData::Ptr(n) => vec![name(n)?],
            RData::Mx { preference, exchange } => {
                vec![bytes(preference.to_be_bytes().to_vec()), name(exchange)?]
            }
            RData::Txt(strings) | RData::Spf(strings) => {
                let mut out = Vec::new();
                for s in strings {
                    char_string(&mut out, s)?;
                }
                if strings.is_empty() {
                    out.push(0);
                }
                vec![bytes(out)]
            }
            RData::Srv { priority, weight, port, target } => {
                let mut out = Vec::with_capacity(6);
                out.extend_from_slice(&priority.to_be_bytes());
                out.extend_from_slice(&weight.to_be_bytes());
                out.extend_from_slice(&port.to_be_bytes());
                vec![bytes(out), full(target)?]
            }
            RData::Naptr { order, preference, flags, services, regexp, replacement } => {
                let mut out = Vec::new();
                out.extend_from_slice(&order.to_be_bytes());
                out.extend_from_slice(&preference.to_be_bytes());
                char_string(&mut out, flags)?;
                char_string(&mut out, services)?;
                char_string(&mut out, regexp)?;
                vec![bytes(out), full(replacement)?]
            }
            RData::Caa { flags, tag, value } => {
                let mut out = vec![*flags];
                char_string(&mut out, tag.as_bytes())?;
                out.extend_from_slice(value);
                vec![bytes(out)]
            }
            RData::Ds { key_tag, algorithm, digest_type, digest } => {
                let mut out = key_tag.to_be_bytes().to_vec();
                out.push(*algorithm);
                out.push(*digest_type);
                out.extend_from_slice(digest);
                vec![bytes(out)]
            }
            RData::Soa { mname, rname, serial, refresh, retry, expire, minimum } => {
                let mut out = Vec::with_capacity(20);
                for v in [serial, refresh, retry, expire, minimum] {
                    out.extend_from_slice(&v.to_be_bytes());
                }
                vec![name(mname)?, name(rname)?, bytes(out)]
            }
        };
        let len: usize = pieces
            .iter()
            .map(|p| match p {
                Piece::Bytes(b) | Piece::Name(b) | Piece::FullName(b) => b.len(),
            })
            .sum();
        if len > 65535 {
            return Err(RDataError::TooLong);
        }
        Ok(pieces)
    }
}

impl RData {
    /// Reads the data of a record of type `rt` occupying `msg[at..end]` (names may point
    /// anywhere before them in `msg`). `None` for a type this crate does not write, or data
    /// that is not exactly one value of the type.
    pub fn read(msg: &[u8], rt: u16, at: usize, end: usize) -> Option<RData> {
        let data = msg.get(at..end)?;
        let fixed = |n: usize| (data.len() == n).then_some(data);
        let exact = |after: usize| after == end;
        let rd = match rt {
            rtype::A => RData::A(Ipv4Addr::from(<[u8; 4]>::try_from(fixed(4)?).ok()?)),
            rtype::AAAA => RData::Aaaa(Ipv6Addr::from(<[u8; 16]>::try_from(fixed(16)?).ok()?)),
            rtype::CNAME | rtype::NS | rtype::PTR => {
                let (n, after) = read_name(msg, at, end)?;
                if !exact(after) {
                    return None;
                }
                match rt {
                    rtype::CNAME => RData::Cname(n),
                    rtype::NS => RData::Ns(n),
                    _ => RData::Ptr(n),
                }
            }
            rtype::MX => {
                let (exchange, after) = read_name(msg, at + 2, end)?;
                exact(after).then_some(())?;
                RData::Mx { preference: u16_at(data, 0)?, exchange }
            }
            rtype::TXT => RData::Txt(read_strings(msg, at, end)?),
            rtype::SPF => RData::Spf(read_strings(msg, at, end)?),
            rtype::SRV => {
                let (target, after) = read_name(msg, at + 6, end)?;
                exact(after).then_some(())?;
                RData::Srv {
                    priority: u16_at(data, 0)?,
                    weight: u16_at(data, 2)?,
                    port: u16_at(data, 4)?,
                    target,
                }
            }
            rtype::NAPTR => {
                let (flags, p) = read_string(msg, at + 4, end)?;
                let (services, p) = read_string(msg, p, end)?;
                let (regexp, p) = read_string(msg, p, end)?;
                let (replacement, after) = read_name(msg, p, end)?;
                exact(after).then_some(())?;
                RData::Naptr {
                    order: u16_at(data, 0)?,
                    preference: u16_at(data, 2)?,
                    flags,
                    services,
                    regexp,
                    replacement,
                }
            }
            rtype::CAA => {
                let (tag, p) = read_string(msg, at + 1, end)?;
                RData::Caa {
                    flags: *data.first()?,
                    tag: String::from_utf8(tag).ok()?,
                    value: msg.get(p..end)?.to_vec(),
                }
            }
            rtype::DS => RData::Ds {
                key_tag: u16_at(data, 0)?,
                algorithm: *data.get(2)?,
                digest_type: *data.get(3)?,
                digest: data.get(4..)?.to_vec(),
            },
            rtype::SOA => {
                let (mname, p) = read_name(msg, at, end)?;
                let (rname, p) = read_name(msg, p, end)?;
                let n = |i: usize| u32_at(msg, p + 4 * i);
                (p + 20 == end).then_some(())?;
                RData::Soa {
                    mname,
                    rname,
                    serial: n(0)?,
                    refresh: n(1)?,
                    retry: n(2)?,
                    expire: n(3)?,
                    minimum: n(4)?,
                }
            }
            _ => return None,
        };
        Some(rd)
    }
}

/// The presentation form Route 53 shows values in (ListResourceRecordSets, TestDNSAnswer):
/// `10 mail.example.com.`, `"v=spf1 -all"`, `0 issue "amazon.com"`, DS digests in upper-case
/// hexadecimal.
impl std::fmt::Display for RData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = String::new();
        match self {
            RData::A(a) => return write!(f, "{a}"),
            RData::Aaaa(a) => return write!(f, "{a}"),
            RData::Cname(n) | RData::Ns(n) | RData::Ptr(n) => return f.write_str(n),
            RData::Mx { preference, exchange } => return write!(f, "{preference} {exchange}"),
            RData::Txt(strings) | RData::Spf(strings) => {
                for (i, s) in strings.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    push_quoted(&mut out, s);
                }
            }
            RData::Srv { priority, weight, port, target } => {
                return write!(f, "{priority} {weight} {port} {target}");
            }
            RData::Naptr { order, preference, flags, services, regexp, replacement } => {
                let _ = write!(out, "{order} {preference} ");
                for s in [flags, services, regexp] {
                    push_quoted(&mut out, s);
                    out.push(' ');
                }
                out.push_str(replacement);
            }
            RData::Caa { flags, tag, value } => {
                let _ = write!(out, "{flags} {tag} ");
                push_quoted(&mut out, value);
            }
            RData::Ds { key_tag, algorithm, digest_type, digest } => {
                let _ = write!(out, "{key_tag} {algorithm} {digest_type} ");
                for b in digest {
                    let _ = write!(out, "{b:02X}");
                }
            }
            RData::Soa { mname, rname, serial, refresh, retry, expire, minimum } => {
                return write!(f, "{mname} {rname} {serial} {refresh} {retry} {expire} {minimum}");
            }
        }
        f.write_str(&out)
    }
}

/// A (possibly compressed) name inside record data that ends at `end`: its key and the
/// position after it.
pub(super) fn read_name(msg: &[u8], at: usize, end: usize) -> Option<(String, usize)> {
    let mut key = String::new();
    let after = walk_name(msg, at, |l| push_label_key(&mut key, l))?;
    if key.is_empty() {
        key.push('.');
    }
    (after <= end).then_some((key, after))
}

/// One character string inside record data that ends at `end`, and the position after it.
pub(super) fn read_string(msg: &[u8], at: usize, end: usize) -> Option<(Vec<u8>, usize)> {
    let len = usize::from(*msg.get(at)?);
    let after = at + 1 + len;
    (after <= end).then(|| msg.get(at + 1..after).map(|s| (s.to_vec(), after)))?
}

/// Character strings filling record data from `at` to `end`.
pub(super) fn read_strings(msg: &[u8], mut at: usize, end: usize) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    while at < end {
        let (s, after) = read_string(msg, at, end)?;
        out.push(s);
        at = after;
    }
    Some(out)
}

/// Appends a character string in presentation form: quoted, `"` and `\` escaped, other
/// octets outside printable ASCII as `\ooo` (how Route 53 writes TXT values).
pub(super) fn push_quoted(out: &mut String, s: &[u8]) {
    out.push('"');
    for &b in s {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7E => out.push(b as char),
            _ => {
                let _ = write!(out, "\\{b:03o}");
            }
        }
    }
    out.push('"');
}
