//! Record sets: their values in presentation form, their parsed form, and routing policies.
//!
//! Values are checked against the syntax of their type when a change batch stores them
//! ([`check_value`], AWS's `Invalid Resource Record: FATAL problem: …` messages) and parsed
//! into [`RecordData`] when the DNS answerer asks ([`RecordSet::data`]).

use super::names;
use serde::{Deserialize, Serialize};
use std::net::{Ipv4Addr, Ipv6Addr};

/// An alias target as stored: `HostedZoneId`, `DNSName` (normalized), `EvaluateTargetHealth`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasTarget {
    pub hosted_zone_id: String,
    pub dns_name: String,
    pub evaluate_target_health: bool,
}

/// A geolocation: continent, or country with optional subdivision, or `*` (country `*`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GeoLocation {
    pub continent_code: Option<String>,
    pub country_code: Option<String>,
    pub subdivision_code: Option<String>,
}

/// A geoproximity location: an AWS region, a Local Zone group or coordinates, and a bias.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GeoProximity {
    pub aws_region: Option<String>,
    pub local_zone_group: Option<String>,
    /// Latitude and longitude as given (`"47.61"`, `"-122.33"`).
    pub coordinates: Option<(String, String)>,
    pub bias: Option<i32>,
}

/// How Route 53 chooses among the record sets of one name and type.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum RoutingPolicy {
    #[default]
    Simple,
    Weighted {
        weight: u8,
    },
    Latency {
        region: String,
    },
    Geolocation(GeoLocation),
    Geoproximity(GeoProximity),
    /// `PRIMARY` (true) or `SECONDARY`.
    Failover {
        primary: bool,
    },
    MultiValue,
    /// IP-based routing: a CIDR collection's location (`*` for the default).
    Cidr {
        collection_id: String,
        location_name: String,
    },
}

/// One stored record set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordSet {
    pub zone_id: String,
    /// Lower-case, fully qualified, octal escapes (`\052.example.com.`).
    pub name: String,
    /// `A`, `AAAA`, … as AWS writes it.
    pub rtype: String,
    pub set_identifier: Option<String>,
    /// Absent for an alias.
    pub ttl: Option<u32>,
    /// The values as AWS echoes them back.
    pub records: Vec<String>,
    pub alias: Option<AliasTarget>,
    pub policy: RoutingPolicy,
    pub health_check_id: Option<String>,
}

/// A record set as a change names it: plain inputs, validated by the change batch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordSetInput {
    pub name: String,
    pub rtype: String,
    pub set_identifier: Option<String>,
    pub ttl: Option<i64>,
    pub records: Vec<String>,
    /// (`HostedZoneId`, `DNSName`, `EvaluateTargetHealth`).
    pub alias: Option<AliasTarget>,
    pub weight: Option<i64>,
    pub region: Option<String>,
    pub geo_location: Option<GeoLocation>,
    pub geo_proximity: Option<GeoProximity>,
    /// `PRIMARY` or `SECONDARY`.
    pub failover: Option<String>,
    pub multi_value_answer: Option<bool>,
    /// (`CollectionId`, `LocationName`).
    pub cidr_routing: Option<(String, String)>,
    pub health_check_id: Option<String>,
}

/// One record's data, parsed (what the DNS answerer writes on the wire). Domain names are
/// fully qualified presentation strings (`mail.example.com.`); character strings are raw bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordData {
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    Caa {
        flags: u8,
        tag: String,
        value: Vec<u8>,
    },
    Cname(String),
    Ds {
        key_tag: u16,
        algorithm: u8,
        digest_type: u8,
        digest: Vec<u8>,
    },
    Mx {
        preference: u16,
        exchange: String,
    },
    Naptr {
        order: u16,
        preference: u16,
        flags: Vec<u8>,
        services: Vec<u8>,
        regexp: Vec<u8>,
        replacement: String,
    },
    Ns(String),
    Ptr(String),
    Soa {
        mname: String,
        rname: String,
        serial: u32,
        refresh: u32,
        retry: u32,
        expire: u32,
        minimum: u32,
    },
    Spf(Vec<Vec<u8>>),
    Srv {
        priority: u16,
        weight: u16,
        port: u16,
        target: String,
    },
    Txt(Vec<Vec<u8>>),
}

/// The record types Route 53 stores.
pub const TYPES: &[&str] =
    &["A", "AAAA", "CAA", "CNAME", "DS", "MX", "NAPTR", "NS", "PTR", "SOA", "SPF", "SRV", "TXT"];

impl RoutingPolicy {
    /// The policy's name in messages (`weighted`, `failover`, …); `simple` for none.
    pub fn kind(&self) -> &'static str {
        match self {
            RoutingPolicy::Simple => "simple",
            RoutingPolicy::Weighted { .. } => "weighted",
            RoutingPolicy::Latency { .. } => "latency",
            RoutingPolicy::Geolocation(_) => "geolocation",
            RoutingPolicy::Geoproximity(_) => "geoproximity",
            RoutingPolicy::Failover { .. } => "failover",
            RoutingPolicy::MultiValue => "multivalue",
            RoutingPolicy::Cidr { .. } => "cidr",
        }
    }
}

impl RecordSet {
    /// The table key: zone, reversed name, type, set identifier — ListResourceRecordSets'
    /// order, a zone's sets contiguous.
    pub fn key(&self) -> String {
        record_key(&self.zone_id, &self.name, &self.rtype, self.set_identifier.as_deref())
    }

    /// `[name='…', type='…']` or with `, set-identifier='…'`, as change-batch messages name a set.
    pub fn describe(&self) -> String {
        describe(&self.name, &self.rtype, self.set_identifier.as_deref())
    }

    /// The values parsed (checked when stored, so every value parses).
    pub fn data(&self) -> Vec<RecordData> {
        self.records.iter().filter_map(|v| parse_value(&self.rtype, v).ok()).collect()
    }
}

/// The table key of a record set (see [`RecordSet::key`]).
pub fn record_key(zone_id: &str, name: &str, rtype: &str, set_id: Option<&str>) -> String {
    format!("{zone_id} {} {rtype} {}", names::sort_key(name), set_id.unwrap_or(""))
}

/// The prefix of the keys of every set of a name in a zone.
pub fn name_prefix(zone_id: &str, name: &str) -> String {
    format!("{zone_id} {} ", names::sort_key(name))
}

pub(crate) fn describe(name: &str, rtype: &str, set_id: Option<&str>) -> String {
    match set_id {
        Some(s) => format!("[name='{name}', type='{rtype}', set-identifier='{s}']"),
        None => format!("[name='{name}', type='{rtype}']"),
    }
}

/// AWS's message for a value that does not parse.
fn fatal(code: &str, text: &str, value: &str) -> String {
    format!("Invalid Resource Record: FATAL problem: {code} ({text}) encountered with '{value}'")
}

/// Checks one value against its type's syntax; `Err` is AWS's message.
pub fn check_value(rtype: &str, value: &str) -> Result<(), String> {
    parse_value(rtype, value).map(|_| ())
}

/// A domain name inside record data, fully qualified.
fn rdata_name(rtype: &str, field: &str, value: &str) -> Result<String, String> {
    names::normalize(field).map_err(|p| fatal(p.code, p.text, value)).and_then(|n| {
        if n == "." && field != "." {
            Err(fatal(
                &format!("{rtype}RRDATAIllegalName"),
                "Value is not a valid domain name",
                value,
            ))
        } else {
            Ok(n)
        }
    })
}

fn number<T: std::str::FromStr>(
    rtype: &str,
    what: &str,
    field: &str,
    value: &str,
) -> Result<T, String> {
    field.parse().map_err(|_| {
        fatal(
            &format!("{rtype}RRDATAIllegal{what}"),
            &format!("{what} is not a valid number"),
            value,
        )
    })
}

fn fields<'a>(rtype: &str, value: &'a str, n: usize) -> Result<Vec<&'a str>, String> {
    let parts: Vec<&str> = value.split_whitespace().collect();
    if parts.len() == n {
        Ok(parts)
    } else {
        Err(fatal(
            &format!("{rtype}RRDATAWrongFieldCount"),
            &format!("{rtype} RRDATA must have exactly {n} fields"),
            value,
        ))
    }
}

/// Splits TXT/SPF-style data into its quoted character strings (octal escapes decoded).
pub fn character_strings(value: &str) -> Result<Vec<Vec<u8>>, String> {
    let not_quoted =
        || fatal("InvalidCharacterString", "Value should be enclosed in quotation marks", value);
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while bytes.get(i).is_some_and(|b| *b == b' ' || *b == b'\t') {
            i += 1;
        }
        match bytes.get(i) {
            None => break,
            Some(b'"') => i += 1,
            Some(_) => return Err(not_quoted()),
        }
        let mut s = Vec::new();
        loop {
            match bytes.get(i) {
                None => return Err(not_quoted()),
                Some(b'"') => {
                    i += 1;
                    break;
                }
                Some(b'\\') => {
                    let digits = bytes
                        .get(i + 1..i + 4)
                        .filter(|d| d.iter().all(|c| (b'0'..=b'7').contains(c)));
                    if let Some(d) = digits {
                        let v = d.iter().fold(0u32, |acc, c| acc * 8 + u32::from(c - b'0'));
                        s.push(u8::try_from(v).map_err(|_| not_quoted())?);
                        i += 4;
                    } else {
                        s.push(*bytes.get(i + 1).ok_or_else(not_quoted)?);
                        i += 2;
                    }
                }
                Some(&b) => {
                    s.push(b);
                    i += 1;
                }
            }
        }
        if s.len() > 255 {
            return Err(fatal("CharacterStringTooLong", "Value is too long", value));
        }
        out.push(s);
    }
    if out.is_empty() {
        return Err(not_quoted());
    }
    Ok(out)
}

/// One quoted character string (CAA value, NAPTR fields): exactly one.
fn one_string(rtype: &str, field: &str, value: &str) -> Result<Vec<u8>, String> {
    let mut strings = character_strings(field).map_err(|_| {
        fatal("InvalidCharacterString", "Value should be enclosed in quotation marks", value)
    })?;
    match (strings.pop(), strings.is_empty()) {
        (Some(s), true) => Ok(s),
        _ => Err(fatal(
            &format!("{rtype}RRDATAWrongFieldCount"),
            "Too many character strings",
            value,
        )),
    }
}

/// Splits at most `n` whitespace-separated fields, the last one taking the rest.
fn leading_fields(value: &str, n: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = value.trim();
    while out.len() + 1 < n {
        match rest.split_once(char::is_whitespace) {
            Some((head, tail)) => {
                out.push(head);
                rest = tail.trim_start();
            }
            None => break,
        }
    }
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// Parses one value of a type; `Err` is AWS's message.
pub fn parse_value(rtype: &str, value: &str) -> Result<RecordData, String> {
    let v = value.trim();
    match rtype {
        "A" => v
            .parse::<Ipv4Addr>()
            .ok()
            .filter(|_| v.split('.').all(|o| o.len() <= 3))
            .map(RecordData::A)
            .ok_or_else(|| {
                fatal("ARRDATAIllegalIPv4Address", "Value is not a valid IPv4 address", value)
            }),
        "AAAA" => v.parse().map(RecordData::Aaaa).map_err(|_| {
            fatal("AAAARRDATAIllegalIPv6Address", "Value is not a valid IPv6 address", value)
        }),
        "CNAME" => rdata_name(rtype, v, value).map(RecordData::Cname),
        "NS" => rdata_name(rtype, v, value).map(RecordData::Ns),
        "PTR" => rdata_name(rtype, v, value).map(RecordData::Ptr),
        "MX" => {
            let f = fields(rtype, v, 2)?;
            let (p, x) = (f.first().copied().unwrap_or(""), f.get(1).copied().unwrap_or(""));
            Ok(RecordData::Mx {
                preference: number(rtype, "Preference", p, value)?,
                exchange: rdata_name(rtype, x, value)?,
            })
        }
        "SRV" => {
            let f = fields(rtype, v, 4)?;
            let at = |i: usize| f.get(i).copied().unwrap_or("");
            Ok(RecordData::Srv {
                priority: number(rtype, "Priority", at(0), value)?,
                weight: number(rtype, "Weight", at(1), value)?,
                port: number(rtype, "Port", at(2), value)?,
                target: rdata_name(rtype, at(3), value)?,
            })
        }
        "SOA" => {
            let f = fields(rtype, v, 7)?;
            let at = |i: usize| f.get(i).copied().unwrap_or("");
            Ok(RecordData::Soa {
                mname: rdata_name(rtype, at(0), value)?,
                rname: rdata_name(rtype, at(1), value)?,
                serial: number(rtype, "Serial", at(2), value)?,
                refresh: number(rtype, "Refresh", at(3), value)?,
                retry: number(rtype, "Retry", at(4), value)?,
                expire: number(rtype, "Expire", at(5), value)?,
                minimum: number(rtype, "Minimum", at(6), value)?,
            })
        }
        "TXT" => character_strings(v).map(RecordData::Txt),
        "SPF" => character_strings(v).map(RecordData::Spf),
        "CAA" => {
            let f = leading_fields(v, 3);
            let at = |i: usize| f.get(i).copied().unwrap_or("");
            if f.len() != 3 {
                return Err(fatal(
                    "CAARRDATAWrongFieldCount",
                    "CAA RRDATA must have exactly 3 fields",
                    value,
                ));
            }
            let tag = at(1);
            if tag.is_empty() || !tag.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(fatal("CAARRDATAIllegalTag", "Tag is not valid", value));
            }
            Ok(RecordData::Caa {
                flags: number(rtype, "Flags", at(0), value)?,
                tag: tag.to_owned(),
                value: one_string(rtype, at(2), value)?,
            })
        }
        "DS" => {
            let f = fields(rtype, v, 4)?;
            let at = |i: usize| f.get(i).copied().unwrap_or("");
            let digest = hex(at(3)).ok_or_else(|| {
                fatal("DSRRDATAIllegalDigest", "Digest is not valid hexadecimal", value)
            })?;
            Ok(RecordData::Ds {
                key_tag: number(rtype, "KeyTag", at(0), value)?,
                algorithm: number(rtype, "Algorithm", at(1), value)?,
                digest_type: number(rtype, "DigestType", at(2), value)?,
                digest,
            })
        }
        "NAPTR" => {
            let f = naptr_fields(v);
            let at = |i: usize| f.get(i).map(String::as_str).unwrap_or("");
            if f.len() != 6 {
                return Err(fatal(
                    "NAPTRRDATAWrongFieldCount",
                    "NAPTR RRDATA must have exactly 6 fields",
                    value,
                ));
            }
            Ok(RecordData::Naptr {
                order: number(rtype, "Order", at(0), value)?,
                preference: number(rtype, "Preference", at(1), value)?,
                flags: one_string(rtype, at(2), value)?,
                services: one_string(rtype, at(3), value)?,
                regexp: one_string(rtype, at(4), value)?,
                replacement: rdata_name(rtype, at(5), value)?,
            })
        }
        other => Err(format!("Unsupported record type: {other}")),
    }
}

/// NAPTR's fields: whitespace-separated, quoted strings kept whole (quotes included).
fn naptr_fields(v: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in v.chars() {
        if escaped {
            cur.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => {
                cur.push(c);
                escaped = true;
            }
            '"' => {
                cur.push(c);
                quoted = !quoted;
            }
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn hex(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() || !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse_by_type() {
        assert_eq!(parse_value("A", "192.0.2.1"), Ok(RecordData::A(Ipv4Addr::new(192, 0, 2, 1))));
        assert_eq!(
            parse_value("A", "192.0.2.256").unwrap_err(),
            "Invalid Resource Record: FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '192.0.2.256'"
        );
        assert!(parse_value("AAAA", "2001:db8::1").is_ok());
        assert!(
            parse_value("AAAA", "192.0.2.1").unwrap_err().contains("AAAARRDATAIllegalIPv6Address")
        );
        assert_eq!(
            parse_value("MX", "10 Mail.Example.com"),
            Ok(RecordData::Mx { preference: 10, exchange: "mail.example.com.".into() })
        );
        assert!(parse_value("MX", "mail.example.com").is_err());
        assert_eq!(
            parse_value("TXT", r#""v=spf1 -all" "two\"x""#),
            Ok(RecordData::Txt(vec![b"v=spf1 -all".to_vec(), b"two\"x".to_vec()]))
        );
        assert!(parse_value("TXT", "unquoted").unwrap_err().contains("InvalidCharacterString"));
        let long = format!("\"{}\"", "a".repeat(256));
        assert!(parse_value("TXT", &long).unwrap_err().contains("CharacterStringTooLong"));
        assert_eq!(
            parse_value("SRV", "1 10 5269 xmpp.example.com."),
            Ok(RecordData::Srv {
                priority: 1,
                weight: 10,
                port: 5269,
                target: "xmpp.example.com.".into()
            })
        );
        assert_eq!(
            parse_value("CAA", r#"0 issue "amazon.com""#),
            Ok(RecordData::Caa { flags: 0, tag: "issue".into(), value: b"amazon.com".to_vec() })
        );
        assert!(parse_value("DS", "12345 13 2 ABCDEF01").is_ok());
        assert!(parse_value("DS", "12345 13 2 XYZ").is_err());
        assert!(matches!(
            parse_value("NAPTR", r#"100 50 "u" "E2U+sip" "!^.*$!sip:info@example.com!" ."#),
            Ok(RecordData::Naptr { order: 100, .. })
        ));
        assert!(
            parse_value(
                "SOA",
                "ns-1.awsdns-01.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"
            )
            .is_ok()
        );
    }
}
