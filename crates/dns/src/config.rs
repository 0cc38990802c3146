//! The plane's configuration: plain data a translator fills from Route 53 resources.
//!
//! It mirrors Route 53's own shapes (`ResourceRecordSet`, `HealthCheckConfig`, CIDR
//! collections) so the translation is a field-by-field copy: names in text form as Route 53
//! stores them (lower-case, trailing dot, `\ooo` octal escapes), values typed as [`RData`]
//! (the model parses Route 53's text form of a value), durations as [`Duration`]s so
//! tests can use intervals AWS would refuse. What the plane adds is *where* things are served
//! ([`View`]) and *where clients are* ([`ClientLocation`]), which Route 53 knows from its
//! own network and vpclab must be told.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

pub use crate::wire::RData;

/// Everything the plane serves.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct Config {
    /// Hosted zones, public and private.
    pub zones: Vec<Zone>,
    /// Health checks to run, by id.
    pub health_checks: Vec<HealthCheck>,
    /// CIDR collections that CIDR routing policies name.
    pub cidr_collections: Vec<CidrCollection>,
    /// Where the zones are served: one listener each.
    pub views: Vec<View>,
    /// Where clients are, by address (the most specific CIDR wins).
    pub locations: Vec<LocationRule>,
    /// Where a client matched by no rule is.
    pub default_location: ClientLocation,
}

/// A hosted zone.
#[derive(Clone, PartialEq, Debug)]
pub struct Zone {
    /// Its id (`Z…`); views name zones by it.
    pub id: String,
    /// Its name (`example.com.`).
    pub origin: String,
    /// Private zones are served only on the views of the VPCs they are associated with.
    pub private: bool,
    /// Its record sets, the apex SOA and NS included (negative answers carry that SOA).
    pub record_sets: Vec<RecordSet>,
}

/// A record set: a name, a type and values, under one routing policy.
#[derive(Clone, PartialEq, Debug)]
pub struct RecordSet {
    /// The owner name, within the zone; `*.example.com.` is a wildcard.
    pub name: String,
    /// The type ([`crate::wire::rtype`]).
    pub rtype: u16,
    /// Seconds; alias records use their target's.
    pub ttl: u32,
    /// The values, or an alias.
    pub values: Values,
    /// `SetIdentifier`: tells apart the record sets of one name and type that a routing
    /// policy chooses between.
    pub set_identifier: Option<String>,
    /// How one set of the group is chosen.
    pub policy: Policy,
    /// `HealthCheckId`: a failing check leaves the record set out of answers.
    pub health_check_id: Option<String>,
}

/// What a record set answers with.
#[derive(Clone, PartialEq, Debug)]
pub enum Values {
    /// `ResourceRecords`.
    Records(Vec<RData>),
    /// `AliasTarget`.
    Alias(Alias),
}

/// An alias record set.
#[derive(Clone, PartialEq, Debug)]
pub struct Alias {
    /// What it points at.
    pub target: AliasTarget,
    /// `EvaluateTargetHealth`: the alias is as healthy as its target.
    pub evaluate_target_health: bool,
}

/// An alias's target.
#[derive(Clone, PartialEq, Debug)]
pub enum AliasTarget {
    /// A resource outside the zone (a load balancer, a CloudFront distribution…): the
    /// translator resolves it to addresses. A records answer with the IPv4 ones, AAAA records
    /// with the IPv6 ones.
    Addresses {
        /// The resource's addresses.
        addresses: Vec<IpAddr>,
        /// The TTL Route 53 uses for that kind of target (60 s for load balancers).
        ttl: u32,
        /// The resource's health as the translator sees it (a balancer with a healthy
        /// target); only read when `evaluate_target_health` is set.
        healthy: bool,
    },
    /// Another record set of the same zone and type (all of its sets, under their policy).
    Record {
        /// The target's name.
        name: String,
    },
}

/// A routing policy.
#[derive(Clone, PartialEq, Debug)]
pub enum Policy {
    /// One record set per name and type; all values are returned.
    Simple,
    /// `Weight`: chosen in proportion to the weights (0 only when all are 0).
    Weighted {
        /// 0–255.
        weight: u32,
    },
    /// `Region`: the set whose region is nearest the client.
    Latency {
        /// An AWS region (`us-east-1`).
        region: String,
    },
    /// `GeoLocation`: the most specific match of the client's location.
    Geolocation(GeoLocation),
    /// `GeoProximityLocation`: the nearest after bias.
    Geoproximity {
        /// Where the resource is.
        location: GeoproximityLocation,
        /// -99–99: positive grows the area served, negative shrinks it.
        bias: i32,
    },
    /// `Failover`.
    Failover(Failover),
    /// `MultiValueAnswer`: up to eight healthy sets, in random order.
    Multivalue,
    /// `CidrRoutingConfig`: the set whose location holds the client's address.
    Cidr {
        /// The collection's id.
        collection_id: String,
        /// A location name of that collection, or `*` for clients in none.
        location_name: String,
    },
}

/// A geolocation. Route 53's shape: a continent, or a country, or a country's subdivision;
/// country `*` is the default location, matching clients no other set does.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct GeoLocation {
    /// `AF`, `AN`, `AS`, `EU`, `OC`, `NA`, `SA`.
    pub continent: Option<String>,
    /// ISO 3166 alpha-2, or `*`.
    pub country: Option<String>,
    /// A subdivision of the country (US states: `WA`).
    pub subdivision: Option<String>,
}

/// Where a geoproximity resource is.
#[derive(Clone, PartialEq, Debug)]
pub enum GeoproximityLocation {
    /// An AWS region.
    Region(String),
    /// A Local Zone group (`us-east-1-bos-1`): placed at its parent region.
    LocalZoneGroup(String),
    /// Latitude and longitude in degrees.
    Coordinates {
        /// Latitude.
        latitude: f64,
        /// Longitude.
        longitude: f64,
    },
}

/// `PRIMARY` or `SECONDARY`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Failover {
    /// Answers while healthy.
    Primary,
    /// Answers while the primary is not.
    Secondary,
}

/// A CIDR collection.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CidrCollection {
    /// Its id.
    pub id: String,
    /// `(location name, its CIDR blocks)`.
    pub locations: Vec<(String, Vec<(IpAddr, u8)>)>,
}

/// A health check.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HealthCheck {
    /// Its id (a UUID).
    pub id: String,
    /// What is checked.
    pub kind: CheckKind,
    /// `IPAddress`: where to connect; else `fqdn` is resolved.
    pub ip: Option<IpAddr>,
    /// `FullyQualifiedDomainName`: the `Host` header (and SNI), and the address when `ip` is
    /// unset.
    pub fqdn: Option<String>,
    /// `Port`; default 80 (HTTP) or 443 (HTTPS).
    pub port: Option<u16>,
    /// `ResourcePath` (`/health`); default `/`.
    pub resource_path: Option<String>,
    /// `SearchString`, for the `_STR_MATCH` kinds.
    pub search_string: Option<String>,
    /// `RequestInterval`: 10 or 30 s on AWS; anything here.
    pub interval: Duration,
    /// `FailureThreshold`: consecutive results that flip the status (1–10, default 3).
    pub failure_threshold: u32,
    /// `Inverted`: healthy when the checks fail.
    pub inverted: bool,
    /// `Disabled`: not probed, always healthy.
    pub disabled: bool,
    /// `EnableSNI` (HTTPS).
    pub enable_sni: bool,
    /// `ChildHealthChecks` (CALCULATED).
    pub children: Vec<String>,
    /// `HealthThreshold` (CALCULATED): healthy children needed.
    pub health_threshold: u32,
}

/// Health check types.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CheckKind {
    /// `HTTP`.
    Http,
    /// `HTTPS` (the certificate is not validated, as on AWS).
    Https,
    /// `HTTP_STR_MATCH`.
    HttpStrMatch,
    /// `HTTPS_STR_MATCH`.
    HttpsStrMatch,
    /// `TCP`.
    Tcp,
    /// `CALCULATED`: from the children's status.
    Calculated,
}

impl CheckKind {
    /// Parses Route 53's spelling.
    pub fn parse(s: &str) -> Option<CheckKind> {
        Some(match s {
            "HTTP" => CheckKind::Http,
            "HTTPS" => CheckKind::Https,
            "HTTP_STR_MATCH" => CheckKind::HttpStrMatch,
            "HTTPS_STR_MATCH" => CheckKind::HttpsStrMatch,
            "TCP" => CheckKind::Tcp,
            "CALCULATED" => CheckKind::Calculated,
            _ => return None,
        })
    }
}

impl Default for HealthCheck {
    fn default() -> Self {
        HealthCheck {
            id: String::new(),
            kind: CheckKind::Http,
            ip: None,
            fqdn: None,
            port: None,
            resource_path: None,
            search_string: None,
            interval: Duration::from_secs(30),
            failure_threshold: 3,
            inverted: false,
            disabled: false,
            enable_sni: true,
            children: Vec::new(),
            health_threshold: 1,
        }
    }
}

/// One DNS listener and the zones it serves.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct View {
    /// Its name (`public`, or a VPC id); keys the listener across applies.
    pub name: String,
    /// Where to listen, UDP and TCP on the same port; port 0 takes an ephemeral one, kept
    /// while the view exists.
    pub listen: SocketAddr,
    /// Private zones (ids) served here: a VPC's associated zones. A name that falls in one of
    /// them is answered from it alone, as the VPC resolver does.
    pub private_zones: Vec<String>,
    /// Whether the public zones are served too (the public view, and every VPC view).
    pub public_zones: bool,
    /// Answers as a VPC's resolver does: RA set. The public view is an authoritative server
    /// and leaves RA clear.
    pub resolver: bool,
    /// Route 53 Resolver rules associated with the VPC: a name under a forwarding rule's
    /// domain is forwarded to its targets (the most specific domain wins). Empty for views
    /// without rules.
    pub forward: Vec<ForwardRule>,
}

/// A Resolver rule as the VPC resolver applies it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ForwardRule {
    /// The domain (`corp.example.com.`); names at or below it match.
    pub domain: String,
    /// Where to forward (FORWARD); empty for a SYSTEM rule, which answers here what a less
    /// specific forwarding rule would send away.
    pub targets: Vec<SocketAddr>,
}

/// Clients from a CIDR block are at a location.
#[derive(Clone, PartialEq, Debug)]
pub struct LocationRule {
    /// The block (address, prefix length).
    pub cidr: (IpAddr, u8),
    /// Where its clients are.
    pub location: ClientLocation,
}

/// Where a client is, for latency, geolocation and geoproximity routing.
#[derive(Clone, PartialEq, Debug)]
pub struct ClientLocation {
    /// The nearest AWS region (`us-east-1`).
    pub region: String,
    /// Continent code (`NA`).
    pub continent: String,
    /// Country code (`US`).
    pub country: String,
    /// Subdivision code (`WA`), if known.
    pub subdivision: Option<String>,
    /// Latitude and longitude; else the region's.
    pub coordinates: Option<(f64, f64)>,
}

impl Default for ClientLocation {
    /// vpclab's default: a client in Virginia, next to `us-east-1`.
    fn default() -> Self {
        ClientLocation {
            region: "us-east-1".into(),
            continent: "NA".into(),
            country: "US".into(),
            subdivision: Some("VA".into()),
            coordinates: None,
        }
    }
}
