//! AWS Direct Connect: dedicated connections at a Direct Connect location (alone or bundled in a
//! link aggregation group), virtual interfaces on them (private to a virtual private gateway or a
//! Direct Connect gateway, public, transit), BGP peers, Direct Connect gateways and their
//! associations with virtual private gateways (and transit gateways) with allowed prefixes.
//!
//! Everything is ready at once: a connection is `available` as if its cross-connect were done and
//! the link up, a virtual interface `available` with its BGP session `up`, a gateway `available`,
//! an association `associated`. Deleted resources leave the tables at once (their delete answers
//! say `deleted`).
//!
//! What the on-premises router advertises over BGP cannot come from the AWS API: vpclab reads it
//! from the tag [`ADVERTISED_CIDRS_TAG`] (comma-separated IPv4 CIDRs) on a virtual interface.
//! [`World::direct_connect_routes_via_vgw`] gives the prefixes a virtual private gateway learns
//! that way — from private virtual interfaces on the gateway itself, or on a Direct Connect
//! gateway associated with it — which the gateway propagates into route tables and which the
//! semantics engine follows to on premises.
//!
//! Errors are Direct Connect's: `DirectConnectClientException` with a message (the service has
//! no finer codes), `DuplicateTagKeysException`, `TooManyTagsException`.

mod gateways;
mod tags_and_routes;
mod virtual_interfaces;

use crate::cidr::Ipv4Cidr;
use crate::error::{Error, Result};
use crate::references::{Reference, References};
use crate::transit_gateway::{AttachmentResource, AttachmentState};
pub use crate::types::direct_connect::*;
use crate::types::ec2::Tags;
use crate::world::{Scope, World};
use codes::DirectConnect;
use std::net::Ipv4Addr;

pub use crate::types::ec2::ADVERTISED_CIDRS_TAG;
/// The Amazon side ASN of a Direct Connect gateway created without one.
pub const DEFAULT_AMAZON_SIDE_ASN: i64 = 64512;
/// Tags per Direct Connect resource.
pub const MAX_TAGS: usize = 50;
/// Port speeds of dedicated connections.
pub const PORT_SPEEDS: &[&str] = &["1Gbps", "10Gbps", "100Gbps", "400Gbps"];
/// Connections in one LAG (1 and 10 Gbps ports; 100 and 400 Gbps ports allow 2).
pub const MAX_LAG_CONNECTIONS: i32 = 4;

/// A client error of Direct Connect.
pub fn client_error(message: impl Into<String>) -> Error {
    Error::new(DirectConnect::DirectConnectClientException, message)
}

/// A Direct Connect location: (region, code, name).
pub const LOCATIONS: &[(&str, &str, &str)] = &[
    ("us-east-1", "EqDC2", "Equinix DC1 - DC6 & DC10-DC11, Ashburn, VA"),
    ("us-east-1", "CSVA1", "CoreSite VA1 & VA2, Reston, VA"),
    ("us-east-1", "EqNY9", "Equinix NY9, New York, NY"),
    ("us-east-2", "CSCH1", "CoreSite CH1, Chicago, IL"),
    ("us-east-2", "CyrusOne", "CyrusOne West III, Columbus, OH"),
    ("us-west-1", "EqSV5", "Equinix SV5, San Jose, CA"),
    ("us-west-1", "CSLA1", "CoreSite LA1, Los Angeles, CA"),
    ("us-west-2", "EqSe2", "Equinix SE2, Seattle, WA"),
    ("us-west-2", "PDX50", "Pittock Block, Portland, OR"),
    ("eu-west-1", "EirGB", "Eircom Clonshaugh, Dublin"),
    ("eu-west-1", "TCSH", "Digital Realty Dublin, Clonshaugh"),
    ("eu-central-1", "EqFA5", "Equinix FR5, Frankfurt"),
    ("eu-central-1", "InFra", "Interxion FRA6, Frankfurt"),
    ("eu-west-2", "LD5", "Equinix LD5, London Slough"),
    ("ap-northeast-1", "EqTY2", "Equinix TY2, Tokyo"),
    ("ap-southeast-1", "EqSG2", "Equinix SG2, Singapore"),
    ("ap-southeast-2", "EqSY3", "Equinix SY3, Sydney"),
];

/// The locations of a region: the known ones, else one generic location named after it.
pub fn locations_of(region: &str) -> Vec<(String, String)> {
    let known: Vec<(String, String)> = LOCATIONS
        .iter()
        .filter(|(r, ..)| *r == region)
        .map(|(_, code, name)| ((*code).to_owned(), (*name).to_owned()))
        .collect();
    if known.is_empty() {
        vec![(format!("{region}-dx1"), format!("Direct Connect location 1, {region}"))]
    } else {
        known
    }
}

/// An id of Direct Connect's shape: the prefix, a dash and eight lowercase letters and digits.
fn dx_id(w: &World, prefix: &str) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    loop {
        let mut id = format!("{prefix}-");
        for _ in 0..8 {
            let i = fastrand::usize(..ALPHABET.len());
            id.push(char::from(ALPHABET.get(i).copied().unwrap_or(b'x')));
        }
        if w.dx_tags(&id).is_none() && !w.counters.contains(&id) {
            return id;
        }
    }
}

/// A UUID-shaped id (Direct Connect gateways and associations).
fn uuid() -> String {
    let a = fastrand::u64(..);
    let b = fastrand::u64(..);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        ((b >> 48) & 0x3fff) | 0x8000,
        b & 0xffff_ffff_ffff
    )
}

fn aws_device(location: &str) -> String {
    format!("{location}-{}", fastrand::u32(1..=9))
}

/// Validates Direct Connect tags: `DuplicateTagKeysException`, `TooManyTagsException`, and the
/// key and value lengths.
pub fn check_tags(existing: &Tags, tags: &[(String, Option<String>)]) -> Result<Tags> {
    let mut out = existing.clone();
    let mut seen = std::collections::BTreeSet::new();
    for (key, value) in tags {
        if !seen.insert(key.as_str()) {
            return Err(Error::new(
                DirectConnect::DuplicateTagKeysException,
                format!("Duplicate tag key: {key}"),
            ));
        }
        let value = value.clone().unwrap_or_default();
        crate::tags::validate(&[(key.clone(), value.clone())])
            .map_err(|e| client_error(e.message))?;
        out.insert(key.clone(), value);
    }
    if out.len() > MAX_TAGS {
        return Err(Error::new(
            DirectConnect::TooManyTagsException,
            format!("A resource can have at most {MAX_TAGS} tags."),
        ));
    }
    Ok(out)
}

fn check_asn(asn: i64, what: &str) -> Result<()> {
    if (1..=4_294_967_294).contains(&asn) {
        Ok(())
    } else {
        Err(client_error(format!("The {what} ASN {asn} is not a valid ASN.")))
    }
}

fn check_amazon_side_asn(asn: i64) -> Result<()> {
    let private16 = (64512..=65534).contains(&asn);
    let private32 = (4_200_000_000..=4_294_967_294).contains(&asn);
    if private16 || private32 {
        Ok(())
    } else {
        Err(client_error(format!(
            "The Amazon side ASN {asn} is not valid: use a private ASN (64512-65534 or 4200000000-4294967294)."
        )))
    }
}

fn check_location(scope: &Scope, location: &str) -> Result<()> {
    if locations_of(&scope.region).iter().any(|(code, _)| code == location) {
        Ok(())
    } else {
        Err(client_error(format!(
            "Location {location} is not a Direct Connect location of {}.",
            scope.region
        )))
    }
}

fn check_bandwidth(bandwidth: &str) -> Result<()> {
    if PORT_SPEEDS.contains(&bandwidth) {
        Ok(())
    } else {
        Err(client_error(format!(
            "Bandwidth {bandwidth} is not available for dedicated connections: use one of {}.",
            PORT_SPEEDS.join(", ")
        )))
    }
}

/// A link-local /30 pair (Amazon .1, customer .2) that no interface of the connection uses.
fn link_local_pair(taken: &[String]) -> (String, String) {
    loop {
        let n = fastrand::u32(0..16384);
        let base = u32::from(Ipv4Addr::new(169, 254, 0, 0)) + n * 4;
        let amazon = format!("{}/30", Ipv4Addr::from(base + 1));
        let customer = format!("{}/30", Ipv4Addr::from(base + 2));
        if !taken.contains(&amazon) {
            return (amazon, customer);
        }
    }
}

fn parse_peer_address(text: &str, family: &str) -> Result<()> {
    let (addr, len) = text.split_once('/').unwrap_or((text, ""));
    let ok = match family {
        "ipv6" => addr.parse::<std::net::Ipv6Addr>().is_ok(),
        _ => addr.parse::<Ipv4Addr>().is_ok(),
    } && (len.is_empty() || len.parse::<u8>().is_ok_and(|l| l <= 128));
    if ok {
        Ok(())
    } else {
        Err(client_error(format!("The address {text} is not a valid {family} peer address.")))
    }
}

impl World {
    /// The connection `id` of the caller's region.
    pub fn dx_connection(&self, scope: &Scope, id: &str) -> Result<&DxConnection> {
        self.dx_connections
            .get(id)
            .filter(|c| &c.owner == scope)
            .ok_or_else(|| client_error(format!("Could not find Connection with ID {id}")))
    }

    pub fn dx_lag(&self, scope: &Scope, id: &str) -> Result<&DxLag> {
        self.dx_lags
            .get(id)
            .filter(|l| &l.owner == scope)
            .ok_or_else(|| client_error(format!("Could not find Lag with ID {id}")))
    }

    pub fn dx_virtual_interface(&self, scope: &Scope, id: &str) -> Result<&VirtualInterface> {
        self.dx_virtual_interfaces
            .get(id)
            .filter(|v| &v.owner == scope)
            .ok_or_else(|| client_error(format!("Virtual interface {id} does not exist.")))
    }

    /// A Direct Connect gateway of the caller's account (gateways are global).
    pub fn dx_gateway(&self, scope: &Scope, id: &str) -> Result<&DxGateway> {
        self.dx_gateways
            .get(id)
            .filter(|g| g.owner.account == scope.account)
            .ok_or_else(|| client_error(format!("Direct Connect Gateway {id} does not exist.")))
    }

    pub fn dx_gateway_association(&self, scope: &Scope, id: &str) -> Result<&DxGatewayAssociation> {
        self.dx_gateway_associations
            .get(id)
            .filter(|a| a.dx_gateway_owner == scope.account || a.gateway_owner == *scope)
            .ok_or_else(|| {
                client_error(format!("Direct Connect Gateway Association {id} does not exist."))
            })
    }

    /// The connections of a LAG.
    pub fn dx_lag_connections(&self, lag_id: &str) -> Vec<&DxConnection> {
        self.dx_connections.values().filter(|c| c.lag_id.as_deref() == Some(lag_id)).collect()
    }

    /// CreateConnection: `available` at once at a location of the region.
    #[allow(clippy::too_many_arguments)]
    pub fn create_dx_connection(
        &mut self,
        scope: &Scope,
        name: &str,
        location: &str,
        bandwidth: &str,
        lag_id: Option<&str>,
        provider_name: Option<&str>,
        tags: &[(String, Option<String>)],
    ) -> Result<String> {
        let tags = check_tags(&Tags::new(), tags)?;
        check_location(scope, location)?;
        check_bandwidth(bandwidth)?;
        if let Some(lag) = lag_id {
            let lag = self.dx_lag(scope, lag)?;
            if lag.location != location || lag.bandwidth != bandwidth {
                return Err(client_error(format!(
                    "Connection must be at location {} with bandwidth {} to join LAG {}.",
                    lag.location, lag.bandwidth, lag.id
                )));
            }
        }
        let id = dx_id(self, "dxcon");
        self.dx_connections.insert(
            id.clone(),
            DxConnection {
                id: id.clone(),
                owner: scope.clone(),
                name: name.to_owned(),
                location: location.to_owned(),
                bandwidth: bandwidth.to_owned(),
                lag_id: lag_id.map(str::to_owned),
                provider_name: provider_name.map(str::to_owned),
                loa_issue_time: now_millis(),
                aws_device: aws_device(location),
                tags,
            },
        );
        Ok(id)
    }

    /// DeleteConnection: refused while virtual interfaces use it.
    pub fn delete_dx_connection(&mut self, scope: &Scope, id: &str) -> Result<DxConnection> {
        self.dx_connection(scope, id)?;
        if let Some(vif) = self.dx_virtual_interfaces.values().find(|v| v.connection_id == id) {
            return Err(client_error(format!(
                "Connection {id} has virtual interface {} on it: delete the virtual interfaces first.",
                vif.id
            )));
        }
        self.dx_connections
            .remove(id)
            .ok_or_else(|| client_error(format!("Could not find Connection with ID {id}")))
    }

    /// CreateLag: a LAG with `count` new connections (or with an existing connection).
    #[allow(clippy::too_many_arguments)]
    pub fn create_dx_lag(
        &mut self,
        scope: &Scope,
        name: &str,
        location: &str,
        bandwidth: &str,
        count: i32,
        connection_id: Option<&str>,
        provider_name: Option<&str>,
        tags: &[(String, Option<String>)],
        child_tags: &[(String, Option<String>)],
    ) -> Result<String> {
        let tags = check_tags(&Tags::new(), tags)?;
        check_tags(&Tags::new(), child_tags)?;
        check_location(scope, location)?;
        check_bandwidth(bandwidth)?;
        let max = if matches!(bandwidth, "100Gbps" | "400Gbps") { 2 } else { MAX_LAG_CONNECTIONS };
        if !(1..=max).contains(&count) {
            return Err(client_error(format!(
                "numberOfConnections must be between 1 and {max} for {bandwidth} connections."
            )));
        }
        if let Some(conn) = connection_id {
            let c = self.dx_connection(scope, conn)?;
            if c.location != location || c.bandwidth != bandwidth {
                return Err(client_error(format!(
                    "Connection {conn} must be at location {location} with bandwidth {bandwidth}."
                )));
            }
            if let Some(lag) = &c.lag_id {
                return Err(client_error(format!("Connection {conn} is already in LAG {lag}.")));
            }
        }
        let id = dx_id(self, "dxlag");
        let device = aws_device(location);
        self.dx_lags.insert(
            id.clone(),
            DxLag {
                id: id.clone(),
                owner: scope.clone(),
                name: name.to_owned(),
                location: location.to_owned(),
                bandwidth: bandwidth.to_owned(),
                minimum_links: 0,
                provider_name: provider_name.map(str::to_owned),
                aws_device: device,
                tags,
            },
        );
        if let Some(conn) = connection_id {
            if let Some(c) = self.dx_connections.get_mut(conn) {
                c.lag_id = Some(id.clone());
            }
        } else {
            for _ in 0..count {
                self.create_dx_connection(
                    scope,
                    name,
                    location,
                    bandwidth,
                    Some(&id),
                    provider_name,
                    child_tags,
                )?;
            }
        }
        Ok(id)
    }

    /// DeleteLag: refused while virtual interfaces use the LAG or its connections; its
    /// connections are deleted with it.
    pub fn delete_dx_lag(&mut self, scope: &Scope, id: &str) -> Result<DxLag> {
        self.dx_lag(scope, id)?;
        let members: Vec<String> =
            self.dx_lag_connections(id).into_iter().map(|c| c.id.clone()).collect();
        if let Some(vif) = self
            .dx_virtual_interfaces
            .values()
            .find(|v| v.connection_id == id || members.contains(&v.connection_id))
        {
            return Err(client_error(format!(
                "Lag {id} has virtual interface {} on it: delete the virtual interfaces first.",
                vif.id
            )));
        }
        for m in &members {
            self.dx_connections.remove(m);
        }
        self.dx_lags
            .remove(id)
            .ok_or_else(|| client_error(format!("Could not find Lag with ID {id}")))
    }

    /// AssociateConnectionWithLag: same location and bandwidth; the connection leaves any
    /// LAG it was in.
    pub fn associate_dx_connection_with_lag(
        &mut self,
        scope: &Scope,
        connection_id: &str,
        lag_id: &str,
    ) -> Result<()> {
        let lag = self.dx_lag(scope, lag_id)?;
        let conn = self.dx_connection(scope, connection_id)?;
        if conn.location != lag.location || conn.bandwidth != lag.bandwidth {
            return Err(client_error(format!(
                "Connection {connection_id} must be at location {} with bandwidth {} to join LAG {lag_id}.",
                lag.location, lag.bandwidth
            )));
        }
        let max = if matches!(lag.bandwidth.as_str(), "100Gbps" | "400Gbps") {
            2
        } else {
            MAX_LAG_CONNECTIONS
        };
        let members = self.dx_lag_connections(lag_id).len();
        if conn.lag_id.as_deref() != Some(lag_id) && members >= max as usize {
            return Err(client_error(format!("Lag {lag_id} already has {max} connections.")));
        }
        if let Some(c) = self.dx_connections.get_mut(connection_id) {
            c.lag_id = Some(lag_id.to_owned());
        }
        Ok(())
    }
}

fn parse_prefixes(prefixes: &[String]) -> Result<Vec<Ipv4Cidr>> {
    let mut out = Vec::new();
    for p in prefixes {
        let cidr = Ipv4Cidr::parse(p, true)
            .ok_or_else(|| client_error(format!("{p} is not a valid IPv4 CIDR prefix.")))?;
        if !out.contains(&cidr) {
            out.push(cidr);
        }
    }
    Ok(out)
}

/// Allowed prefixes of one Direct Connect gateway's associations must not overlap.
fn check_prefix_overlap(
    w: &World,
    dx_gateway_id: &str,
    except: Option<&str>,
    prefixes: &[Ipv4Cidr],
) -> Result<()> {
    for a in w.dx_gateway_associations.values() {
        if a.dx_gateway_id != dx_gateway_id || Some(a.id.as_str()) == except {
            continue;
        }
        for p in prefixes {
            if let Some(q) = a.allowed_prefixes.iter().find(|q| q.overlaps(*p)) {
                return Err(client_error(format!(
                    "The allowed prefix {p} overlaps {q} of the association with {} on Direct Connect Gateway {dx_gateway_id}.",
                    a.gateway_id
                )));
            }
        }
    }
    Ok(())
}

fn new_auth_key() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..24)
        .map(|_| {
            let i = fastrand::usize(..ALPHABET.len());
            char::from(ALPHABET.get(i).copied().unwrap_or(b'x'))
        })
        .collect()
}

fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl References for DxGatewayAssociation {
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        each(Reference::new("dx_gateway", &self.dx_gateway_id, "directConnectGatewayId"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::world_with_vpc;
    use crate::vpn::IPSEC_1;

    fn tag(k: &str, v: &str) -> (String, Option<String>) {
        (k.to_owned(), Some(v.to_owned()))
    }

    /// A VPC with an attached VGW, a connection and a DX gateway: (world, scope, vpc, vgw,
    /// connection, dx gateway).
    fn dx_world() -> (World, Scope, String, String, String, String) {
        let (mut w, scope, vpc) = world_with_vpc();
        let vgw = w.create_vpn_gateway(&scope, IPSEC_1, None, None, &[]).unwrap();
        w.attach_vpn_gateway(&scope, &vgw, &vpc).unwrap();
        let con = w.create_dx_connection(&scope, "c", "EqDC2", "1Gbps", None, None, &[]).unwrap();
        let dxgw = w.create_dx_gateway(&scope, "gw", Some(64600), &[]).unwrap();
        (w, scope, vpc, vgw, con, dxgw)
    }

    fn private_vif(dxgw: Option<&str>, vgw: Option<&str>, vlan: i32) -> NewVif {
        NewVif {
            name: "vif".into(),
            vlan,
            asn: Some(65100),
            direct_connect_gateway_id: dxgw.map(str::to_owned),
            virtual_gateway_id: vgw.map(str::to_owned),
            tags: vec![tag(ADVERTISED_CIDRS_TAG, "192.168.0.0/16, 172.16.5.0/24, nonsense")],
            ..Default::default()
        }
    }

    #[test]
    fn connections_check_location_bandwidth_and_lookups() {
        let (mut w, scope, ..) = dx_world();
        let err = w.create_dx_connection(&scope, "c", "Nowhere", "1Gbps", None, None, &[]);
        assert_eq!(err.unwrap_err().code, DirectConnect::DirectConnectClientException);
        let err = w.create_dx_connection(&scope, "c", "EqDC2", "3Gbps", None, None, &[]);
        assert_eq!(err.unwrap_err().code, DirectConnect::DirectConnectClientException);
        let err = w.dx_connection(&scope, "dxcon-zzzzzzzz").unwrap_err();
        assert!(err.message.contains("Could not find Connection with ID"), "{}", err.message);
        let dup = w.create_dx_connection(
            &scope,
            "c",
            "EqDC2",
            "1Gbps",
            None,
            None,
            &[tag("a", "1"), tag("a", "2")],
        );
        assert_eq!(dup.unwrap_err().code, "DuplicateTagKeysException");
        let many: Vec<_> = (0..51).map(|i| tag(&format!("k{i}"), "v")).collect();
        let too_many = w.create_dx_connection(&scope, "c", "EqDC2", "1Gbps", None, None, &many);
        assert_eq!(too_many.unwrap_err().code, "TooManyTagsException");
    }

    #[test]
    fn lags_bundle_connections() {
        let (mut w, scope, ..) = dx_world();
        let lag = w.create_dx_lag(&scope, "l", "EqDC2", "10Gbps", 2, None, None, &[], &[]).unwrap();
        assert_eq!(w.dx_lag_connections(&lag).len(), 2);
        let extra =
            w.create_dx_connection(&scope, "x", "EqDC2", "10Gbps", None, None, &[]).unwrap();
        w.associate_dx_connection_with_lag(&scope, &extra, &lag).unwrap();
        assert_eq!(w.dx_lag_connections(&lag).len(), 3);
        let slow = w.create_dx_connection(&scope, "s", "EqDC2", "1Gbps", None, None, &[]).unwrap();
        assert!(w.associate_dx_connection_with_lag(&scope, &slow, &lag).is_err());
        w.delete_dx_lag(&scope, &lag).unwrap();
        assert!(w.dx_connections.get(&extra).is_none());
    }

    #[test]
    fn virtual_interfaces_need_a_free_vlan_and_one_gateway() {
        let (mut w, scope, _vpc, vgw, con, dxgw) = dx_world();
        let vif = w
            .create_dx_virtual_interface(
                &scope,
                VifKind::Private,
                &con,
                &private_vif(Some(&dxgw), None, 101),
            )
            .unwrap();
        let v = w.dx_virtual_interfaces.get(&vif).unwrap();
        assert_eq!(v.amazon_side_asn, 64600);
        assert!(
            v.primary_peer().unwrap().amazon_address.as_deref().unwrap().starts_with("169.254.")
        );
        assert_eq!(v.advertised_cidrs().len(), 2);
        let again = w.create_dx_virtual_interface(
            &scope,
            VifKind::Private,
            &con,
            &private_vif(None, Some(&vgw), 101),
        );
        assert!(again.unwrap_err().message.contains("VLAN 101"));
        let both = w.create_dx_virtual_interface(
            &scope,
            VifKind::Private,
            &con,
            &private_vif(Some(&dxgw), Some(&vgw), 102),
        );
        assert_eq!(both.unwrap_err().code, DirectConnect::DirectConnectClientException);
        let bad_vlan = w.create_dx_virtual_interface(
            &scope,
            VifKind::Private,
            &con,
            &private_vif(None, Some(&vgw), 4095),
        );
        assert!(bad_vlan.is_err());
        let transit = w.create_dx_virtual_interface(
            &scope,
            VifKind::Transit,
            &con,
            &NewVif {
                direct_connect_gateway_id: Some(dxgw.clone()),
                ..private_vif(None, None, 103)
            },
        );
        assert!(transit.unwrap_err().message.contains("private"));
        assert!(w.delete_dx_connection(&scope, &con).is_err());
        assert!(w.delete_dx_gateway(&scope, &dxgw).is_err());
        // BGP peers: one per family, the last one stays.
        let peer = w
            .create_dx_bgp_peer(
                &scope,
                &vif,
                &NewBgpPeer {
                    asn: Some(65100),
                    address_family: Some("ipv6".into()),
                    ..Default::default()
                },
            )
            .unwrap();
        let dup = w.create_dx_bgp_peer(
            &scope,
            &vif,
            &NewBgpPeer {
                asn: Some(65100),
                address_family: Some("ipv6".into()),
                ..Default::default()
            },
        );
        assert!(dup.is_err());
        w.delete_dx_bgp_peer(&scope, &vif, Some(&peer), None, None).unwrap();
        let first = w.dx_virtual_interfaces.get(&vif).unwrap().bgp_peers[0].id.clone();
        assert!(w.delete_dx_bgp_peer(&scope, &vif, Some(&first), None, None).is_err());
        w.delete_dx_virtual_interface(&scope, &vif).unwrap();
        w.delete_dx_connection(&scope, &con).unwrap();
    }

    #[test]
    fn routes_reach_a_vgw_directly_or_through_an_associated_dx_gateway() {
        let (mut w, scope, _vpc, vgw, con, dxgw) = dx_world();
        w.create_dx_virtual_interface(
            &scope,
            VifKind::Private,
            &con,
            &private_vif(Some(&dxgw), None, 101),
        )
        .unwrap();
        assert!(w.direct_connect_routes_via_vgw(&vgw).is_empty(), "not associated yet");
        let assoc = w.create_dx_gateway_association(&scope, &dxgw, &vgw, &[], 0).unwrap();
        let a = w.dx_gateway_associations.get(&assoc).unwrap();
        assert_eq!(a.allowed_prefixes, vec![Ipv4Cidr::parse("10.0.0.0/16", true).unwrap()]);
        assert_eq!(w.direct_connect_routes_via_vgw(&vgw).len(), 2);
        let (len, vif, via) =
            w.direct_connect_route_to(&vgw, "172.16.5.9".parse().unwrap()).unwrap();
        assert_eq!((len, via.map(|a| a.id.clone())), (24, Some(assoc.clone())));
        assert_eq!(vif.vlan, 101);
        assert!(w.direct_connect_route_to(&vgw, "8.8.8.8".parse().unwrap()).is_none());
        assert!(w.create_dx_gateway_association(&scope, &dxgw, &vgw, &[], 0).is_err());
        w.update_dx_gateway_association(&scope, &assoc, &["10.1.0.0/16".into()], &[]).unwrap();
        assert_eq!(w.dx_gateway_associations.get(&assoc).unwrap().allowed_prefixes.len(), 2);
        w.delete_dx_gateway_association(&scope, None, Some(&dxgw), Some(&vgw), 0).unwrap();
        assert!(w.direct_connect_routes_via_vgw(&vgw).is_empty());
        // A VIF straight on the VGW.
        w.create_dx_virtual_interface(
            &scope,
            VifKind::Private,
            &con,
            &private_vif(None, Some(&vgw), 102),
        )
        .unwrap();
        assert_eq!(w.direct_connect_routes_via_vgw(&vgw).len(), 2);
    }

    #[test]
    fn associations_check_their_gateways() {
        let (mut w, scope, _vpc, _vgw, con, dxgw) = dx_world();
        let detached = w.create_vpn_gateway(&scope, IPSEC_1, None, None, &[]).unwrap();
        let err = w.create_dx_gateway_association(&scope, &dxgw, &detached, &[], 0).unwrap_err();
        assert!(err.message.contains("not attached"), "{}", err.message);
        let err = w
            .create_dx_gateway_association(&scope, &dxgw, "vgw-0123456789abcdef0", &[], 0)
            .unwrap_err();
        assert!(err.message.contains("does not exist"));
        let missing = "tgw-0123456789abcdef0";
        let err = w
            .create_dx_gateway_association(&scope, &dxgw, missing, &["10.9.0.0/16".into()], 0)
            .unwrap_err();
        assert!(err.message.contains("does not exist"));
        let tgw = w
            .create_transit_gateway(
                &scope,
                crate::types::ec2::transit_gateway::NewTransitGateway::default(),
                0,
            )
            .unwrap();
        assert!(w.create_dx_gateway_association(&scope, &dxgw, &tgw, &[], 0).is_err());
        let assoc = w
            .create_dx_gateway_association(&scope, &dxgw, &tgw, &["10.9.0.0/16".into()], 0)
            .unwrap();
        // The association is an attachment of the transit gateway, which propagates what the
        // transit virtual interfaces on the Direct Connect gateway advertise.
        let att = w.tgw_dx_gateway_attachment(&tgw, &dxgw).unwrap();
        let a = w.transit_gateway_attachments.get(&att).unwrap();
        assert_eq!(a.resource.resource_type(), "direct-connect-gateway");
        let rtb = a.association.clone().unwrap();
        let mut spec = private_vif(Some(&dxgw), None, 103);
        spec.tags = vec![tag(ADVERTISED_CIDRS_TAG, "172.30.0.0/16")];
        w.create_dx_virtual_interface(&scope, VifKind::Transit, &con, &spec).unwrap();
        let route = w.tgw_route_for(&rtb, "172.30.1.1".parse().unwrap()).unwrap();
        assert_eq!(route.attachment_ids, vec![att.clone()]);
        w.delete_dx_gateway_association(&scope, Some(&assoc), None, None, 0).unwrap();
        assert!(w.tgw_dx_gateway_attachment(&tgw, &dxgw).is_none());
        assert!(w.tgw_route_for(&rtb, "172.30.1.1".parse().unwrap()).is_none());
        assert!(w.create_dx_gateway(&scope, "x", Some(100), &[]).is_err());
        let arn = w.dx_arn(&dxgw).unwrap();
        assert!(arn.starts_with("arn:aws:directconnect::123456789012:dx-gateway/"));
        w.dx_tag_resource(&scope, &arn, &[tag("Name", "hub")]).unwrap();
        assert_eq!(w.dx_gateways.get(&dxgw).unwrap().tags.get("Name").unwrap(), "hub");
        w.dx_untag_resource(&scope, &arn, &["Name".into()]).unwrap();
        assert!(w.dx_gateways.get(&dxgw).unwrap().tags.is_empty());
    }
}
