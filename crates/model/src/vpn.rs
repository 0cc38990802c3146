//! Site-to-site VPN: virtual private gateways (the VPC side), customer gateways (the
//! on-premises device as AWS knows it) and VPN connections between the two, with their static
//! routes (the on-premises CIDRs).
//!
//! Everything is ready at once: a gateway is `available` when created, an attachment `attached`
//! when made, a connection `available` with both tunnels `UP`. vpclab runs no BGP: a dynamic
//! connection reaches what its customer gateway's `vpclab:advertised-cidrs` tag says the router
//! announces, a static one its static routes ([`World::vpn_on_premises_blocks`]); they reach
//! the VPC through route propagation ([`World::propagated_routes`]) or static routes to the
//! gateway, and one site reaches another through the gateway (VPN CloudHub, in the engine).

use crate::cidr::Ipv4Cidr;
use crate::error::{Error, Result};
use crate::kinds;
use crate::transit_gateway::{AttachmentResource, AttachmentState};
pub use crate::types::ec2::vpn::*;
use crate::types::ec2::{Route, RouteDestination, RouteOrigin, RouteTable, RouteTarget, Tags};
use crate::world::{Scope, World};
use codes::Ec2;
use std::net::Ipv4Addr;

/// The only VPN type AWS offers.
pub const IPSEC_1: &str = "ipsec.1";
/// The Amazon side ASN of a gateway created without one.
pub const DEFAULT_AMAZON_SIDE_ASN: i64 = 64512;
/// The BGP ASN of a customer gateway created without one.
pub const DEFAULT_BGP_ASN: i64 = 65000;
/// Virtual private gateways per region (AWS's default quota).
pub const VPN_GATEWAYS_PER_REGION: usize = 5;
/// Static routes per VPN connection (AWS's default quota).
pub const STATIC_ROUTES_PER_CONNECTION: usize = 100;

fn check_type(type_: &str) -> Result<()> {
    if type_ == IPSEC_1 {
        Ok(())
    } else {
        Err(Error::invalid_parameter_value(format!(
            "Value ({type_}) for parameter type is invalid. Valid type: ipsec.1"
        )))
    }
}

fn in_use(what: &str, id: &str) -> Error {
    Error::new(Ec2::IncorrectState, format!("The {what} '{id}' is in use."))
}

/// A random pre-shared key: AWS's alphabet, not starting with 0.
fn new_pre_shared_key() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
    let mut key = String::from("k");
    for _ in 0..31 {
        let i = fastrand::usize(..ALPHABET.len());
        key.push(char::from(ALPHABET.get(i).copied().unwrap_or(b'x')));
    }
    key
}

fn check_pre_shared_key(key: &str) -> Result<()> {
    let ok = (8..=64).contains(&key.len())
        && !key.starts_with('0')
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_parameter_value(
            "The pre-shared key must be 8 to 64 characters (letters, digits, periods and underscores) and cannot start with zero.",
        ))
    }
}

/// AWS refuses these /30 blocks as tunnel inside CIDRs.
const RESERVED_INSIDE: &[&str] = &[
    "169.254.0.0/30",
    "169.254.1.0/30",
    "169.254.2.0/30",
    "169.254.3.0/30",
    "169.254.4.0/30",
    "169.254.5.0/30",
    "169.254.169.252/30",
];

fn check_inside_cidr(text: &str) -> Result<Ipv4Cidr> {
    let link_local = Ipv4Cidr::parse("169.254.0.0/16", true);
    let cidr = Ipv4Cidr::parse(text, true)
        .filter(|c| c.prefix_len() == 30 && link_local.is_some_and(|l| l.contains(*c)))
        .filter(|c| !RESERVED_INSIDE.iter().any(|r| Ipv4Cidr::parse(r, true) == Some(*c)));
    cidr.ok_or_else(|| {
        Error::invalid_parameter_value(format!(
            "The tunnel inside CIDR {text} is invalid: it must be a /30 within 169.254.0.0/16 and not a reserved block."
        ))
    })
}

/// A random free /30 for a tunnel's inside addresses.
fn new_inside_cidr(taken: &[Ipv4Cidr]) -> Ipv4Cidr {
    loop {
        let n = fastrand::u32(6 * 64..(169 * 64));
        let addr = Ipv4Addr::from(u32::from(Ipv4Addr::new(169, 254, 0, 0)) + n * 4);
        if let Some(c) = Ipv4Cidr::new(addr, 30)
            && !taken.contains(&c)
        {
            return c;
        }
    }
}

impl World {
    /// CreateVpnGateway: `available` at once, within the per-region quota.
    pub fn create_vpn_gateway(
        &mut self,
        scope: &Scope,
        type_: &str,
        amazon_side_asn: Option<i64>,
        availability_zone: Option<&str>,
        tags: &[(String, String)],
    ) -> Result<String> {
        crate::tags::validate(tags)?;
        check_type(type_)?;
        let asn = amazon_side_asn.unwrap_or(DEFAULT_AMAZON_SIDE_ASN);
        let private16 = (64512..=65534).contains(&asn);
        let private32 = (4_200_000_000..=4_294_967_294).contains(&asn);
        if !(private16 || private32 || asn == 7224 || asn == 9059 || asn == 10124 || asn == 17493) {
            return Err(Error::invalid_parameter_value(format!(
                "The Amazon side ASN {asn} is invalid: use a private ASN (64512-65534 or 4200000000-4294967294)."
            )));
        }
        if let Some(zone) = availability_zone {
            let region = scope.region()?;
            if region.zone(zone).is_none() {
                return Err(Error::invalid_parameter_value(format!(
                    "Invalid availability zone: [{zone}]"
                )));
            }
        }
        if self.vpn_gateways.reaches(scope, VPN_GATEWAYS_PER_REGION) {
            return Err(Error::new(
                Ec2::VpnGatewayLimitExceeded,
                "The maximum number of virtual private gateways has been reached.",
            ));
        }
        let id = self.fresh_id("vgw");
        self.vpn_gateways.insert(
            id.clone(),
            VpnGateway {
                id: id.clone(),
                owner: scope.clone(),
                amazon_side_asn: asn,
                availability_zone: availability_zone.map(str::to_owned),
                attachment: None,
                tags: tags.iter().cloned().collect(),
            },
        );
        Ok(id)
    }

    /// AttachVpnGateway: one gateway per VPC, one VPC per gateway.
    pub fn attach_vpn_gateway(&mut self, scope: &Scope, vgw_id: &str, vpc_id: &str) -> Result<()> {
        let vgw = self.vpn_gateways.find(&kinds::VPN_GATEWAY, scope, vgw_id)?;
        self.vpcs.find(&kinds::VPC, scope, vpc_id)?;
        if let Some(current) = vgw.attached_vpc() {
            return Err(Error::new(
                Ec2::VpnGatewayAttachmentLimitExceeded,
                format!("The VPN gateway {vgw_id} is already attached to {current}."),
            ));
        }
        if let Some(other) = self.vpn_gateways.values().find(|g| g.attached_vpc() == Some(vpc_id)) {
            return Err(Error::new(
                Ec2::VpnGatewayAttachmentLimitExceeded,
                format!(
                    "The VPC {vpc_id} already has a VPN gateway attached ({}); a VPC can have one VPN gateway.",
                    other.id
                ),
            ));
        }
        self.vpn_gateways.find_mut(&kinds::VPN_GATEWAY, scope, vgw_id)?.attachment =
            Some(VgwAttachment { vpc_id: vpc_id.to_owned(), attached: true });
        Ok(())
    }

    /// DetachVpnGateway: the attachment stays on record as `detached`; routes to the gateway
    /// become blackholes and its propagated routes disappear.
    pub fn detach_vpn_gateway(&mut self, scope: &Scope, vgw_id: &str, vpc_id: &str) -> Result<()> {
        let vgw = self.vpn_gateways.find(&kinds::VPN_GATEWAY, scope, vgw_id)?;
        // A VPC that no longer exists is reported as a missing attachment, not a missing VPC
        // (Terraform detaches a gateway from a VPC it may already have deleted).
        if vgw.attached_vpc() != Some(vpc_id) {
            return Err(Error::new(
                Ec2::InvalidVpnGatewayAttachmentNotFound,
                format!(
                    "The attachment with vpn gateway ID '{vgw_id}' and vpc ID '{vpc_id}' does not exist"
                ),
            ));
        }
        if let Some(a) =
            &mut self.vpn_gateways.find_mut(&kinds::VPN_GATEWAY, scope, vgw_id)?.attachment
        {
            a.attached = false;
        }
        Ok(())
    }

    /// DeleteVpnGateway: refused while attached or used by a VPN connection, a Direct Connect
    /// virtual interface or a Direct Connect gateway association.
    pub fn delete_vpn_gateway(&mut self, scope: &Scope, vgw_id: &str) -> Result<()> {
        let vgw = self.vpn_gateways.find(&kinds::VPN_GATEWAY, scope, vgw_id)?;
        if vgw.attached_vpc().is_some()
            || self.vpn_connections.values().any(|c| c.vpn_gateway_id.as_deref() == Some(vgw_id))
            || self.dx_gateway_associations.values().any(|a| a.gateway_id == vgw_id)
            || self
                .dx_virtual_interfaces
                .values()
                .any(|v| v.virtual_gateway_id.as_deref() == Some(vgw_id))
        {
            return Err(in_use("VPN gateway", vgw_id));
        }
        self.vpn_gateways.remove(vgw_id);
        self.route_tables.update_where(
            |t| t.propagating_vgws.iter().any(|g| g == vgw_id),
            |t| t.propagating_vgws.retain(|g| g != vgw_id),
        );
        Ok(())
    }

    /// CreateCustomerGateway: the device's public IPv4 address and BGP ASN.
    pub fn create_customer_gateway(
        &mut self,
        scope: &Scope,
        type_: &str,
        bgp_asn: Option<i64>,
        ip_address: Option<&str>,
        device_name: Option<&str>,
        tags: &[(String, String)],
    ) -> Result<String> {
        crate::tags::validate(tags)?;
        check_type(type_)?;
        let text = ip_address.ok_or_else(|| Error::missing_parameter("ipAddress"))?;
        let ip: Ipv4Addr = text.parse().map_err(|_| {
            Error::invalid_parameter_value(format!(
                "Value ({text}) for parameter ipAddress is invalid. Invalid Format."
            ))
        })?;
        let asn = bgp_asn.unwrap_or(DEFAULT_BGP_ASN);
        if !(1..=4_294_967_294).contains(&asn) {
            return Err(Error::invalid_parameter_value(format!(
                "Value ({asn}) for parameter bgpAsn is invalid."
            )));
        }
        let id = self.fresh_id("cgw");
        self.customer_gateways.insert(
            id.clone(),
            CustomerGateway {
                id: id.clone(),
                owner: scope.clone(),
                bgp_asn: asn,
                ip_address: ip,
                device_name: device_name.map(str::to_owned),
                tags: tags.iter().cloned().collect(),
                delete_time: None,
            },
        );
        Ok(id)
    }

    /// A customer gateway that is not deleted.
    pub fn find_customer_gateway(&self, scope: &Scope, id: &str) -> Result<&CustomerGateway> {
        let kind = &kinds::CUSTOMER_GATEWAY;
        self.customer_gateways
            .find(kind, scope, id)
            .ok()
            .filter(|g| g.delete_time.is_none())
            .ok_or_else(|| kind.not_found(id))
    }

    /// Customer gateways listed still: live ones, and deleted ones for an hour.
    pub fn listed_customer_gateways<'a>(
        &'a self,
        scope: &'a Scope,
        now: i64,
    ) -> impl Iterator<Item = &'a CustomerGateway> + 'a {
        self.customer_gateways
            .in_scope(scope)
            .filter(move |g| crate::transit_gateway::recent(g.delete_time, now))
    }

    /// DeleteCustomerGateway: refused while a VPN connection uses it. The gateway stays listed
    /// as `deleted` for an hour, as on AWS.
    pub fn delete_customer_gateway(&mut self, scope: &Scope, cgw_id: &str, now: i64) -> Result<()> {
        self.find_customer_gateway(scope, cgw_id)?;
        if self.vpn_connections.values().any(|c| c.customer_gateway_id == cgw_id) {
            return Err(in_use("customer gateway", cgw_id));
        }
        for old in self
            .customer_gateways
            .ids_where(|g| !crate::transit_gateway::recent(g.delete_time, now))
        {
            self.customer_gateways.remove(&old);
        }
        if let Some(g) = self.customer_gateways.get_mut(cgw_id) {
            g.delete_time = Some(now);
        }
        Ok(())
    }

    /// CreateVpnConnection between a customer gateway and a virtual private gateway: two
    /// tunnels with public outside addresses, `available` at once.
    pub fn create_vpn_connection(
        &mut self,
        scope: &Scope,
        spec: &NewVpnConnection,
        tags: &[(String, String)],
    ) -> Result<String> {
        crate::tags::validate(tags)?;
        check_type(&spec.type_)?;
        // Both gateways are refused before anything is looked up (moto's AWS-verified test).
        if spec.vpn_gateway_id.is_some() && spec.transit_gateway_id.is_some() {
            return Err(Error::invalid_parameter_value(
                "The request must not contain both parameter vpnGatewayId and transitGatewayId",
            ));
        }
        self.find_customer_gateway(scope, &spec.customer_gateway_id)?;
        let gateway = match (&spec.vpn_gateway_id, &spec.transit_gateway_id) {
            (Some(vgw), _) => self.vpn_gateways.find(&kinds::VPN_GATEWAY, scope, vgw)?.id.clone(),
            // CreateVpnConnection words a missing gateway as EC2's lookups do (moto's
            // AWS-verified test), not as the transit gateway operations do.
            (None, Some(tgw)) => self
                .find_transit_gateway(scope, tgw)
                .map_err(|e| match e.code {
                    c if c == Ec2::InvalidTransitGatewayIDNotFound => {
                        kinds::TRANSIT_GATEWAY.not_found(tgw)
                    }
                    _ => e,
                })?
                .id
                .clone(),
            (None, None) => {
                return Err(Error::missing_parameter("vpnGatewayId or transitGatewayId"));
            }
        };
        let vgw_id = gateway.as_str();
        if spec.tunnels.len() > 2 {
            return Err(Error::invalid_parameter_value(
                "A VPN connection has two tunnels: give at most two TunnelOptions.",
            ));
        }
        let mut asked = Vec::new();
        for (cidr, key) in &spec.tunnels {
            let cidr = cidr.as_deref().map(check_inside_cidr).transpose()?;
            if let Some(key) = key {
                check_pre_shared_key(key)?;
            }
            asked.push((cidr, key.clone()));
        }
        asked.resize(2, (None, None));
        let mut taken: Vec<Ipv4Cidr> = self
            .vpn_connections
            .values()
            .filter(|c| c.gateway_id() == vgw_id)
            .flat_map(|c| c.tunnels.iter().map(|t| t.inside_cidr))
            .collect();
        let mut tunnels = Vec::new();
        for (cidr, key) in asked {
            let inside_cidr = match cidr {
                Some(c) if taken.contains(&c) => {
                    return Err(Error::invalid_parameter_value(format!(
                        "The tunnel inside CIDR {c} is already in use on {vgw_id}."
                    )));
                }
                Some(c) => c,
                None => new_inside_cidr(&taken),
            };
            taken.push(inside_cidr);
            tunnels.push(Tunnel {
                outside_ip: self.allocate_public_ipv4(),
                inside_cidr,
                pre_shared_key: key.unwrap_or_else(new_pre_shared_key),
            });
        }
        let id = self.fresh_id("vpn");
        self.vpn_connections.insert(
            id.clone(),
            VpnConnection {
                id: id.clone(),
                owner: scope.clone(),
                customer_gateway_id: spec.customer_gateway_id.clone(),
                vpn_gateway_id: spec.vpn_gateway_id.clone(),
                transit_gateway_id: spec.transit_gateway_id.clone(),
                static_routes_only: spec.static_routes_only,
                routes: Vec::new(),
                tunnels,
                tags: tags.iter().cloned().collect(),
            },
        );
        if let Some(tgw) = &spec.transit_gateway_id {
            let resource = AttachmentResource::Vpn { vpn_connection_id: id.clone() };
            self.insert_tgw_attachment(scope, tgw, resource, Tags::default(), spec.now);
        }
        Ok(id)
    }

    /// DeleteVpnConnection: its routes leave every route table it propagated to; its transit
    /// gateway attachment, if any, is deleted.
    pub fn delete_vpn_connection(&mut self, scope: &Scope, id: &str, now: i64) -> Result<()> {
        self.vpn_connections.find(&kinds::VPN_CONNECTION, scope, id)?;
        self.vpn_connections.remove(id);
        if let Some(a) = self.tgw_attachment_of(|r| {
            matches!(r, AttachmentResource::Vpn { vpn_connection_id } if vpn_connection_id == id)
        }) {
            self.end_tgw_attachment(&a, AttachmentState::Deleted, now);
        }
        Ok(())
    }

    /// CreateVpnConnectionRoute (`add`) / DeleteVpnConnectionRoute: a static route to an
    /// on-premises CIDR, on a connection that uses static routing.
    pub fn set_vpn_connection_route(
        &mut self,
        scope: &Scope,
        id: &str,
        cidr: &str,
        add: bool,
    ) -> Result<()> {
        let conn = self.vpn_connections.find(&kinds::VPN_CONNECTION, scope, id)?;
        let block = Ipv4Cidr::parse(cidr, false).ok_or_else(|| {
            Error::invalid_parameter_value(format!(
                "Value ({cidr}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block."
            ))
        })?;
        let present = conn.routes.contains(&block);
        if add {
            if !conn.static_routes_only {
                return Err(Error::invalid_parameter_value(format!(
                    "The VPN connection {id} uses dynamic routing (BGP): static routes need StaticRoutesOnly."
                )));
            }
            if present {
                return Err(Error::new(
                    Ec2::RouteAlreadyExists,
                    format!("The route {block} already exists on VPN connection {id}."),
                ));
            }
            if conn.routes.len() >= STATIC_ROUTES_PER_CONNECTION {
                return Err(Error::new(
                    Ec2::RouteLimitExceeded,
                    format!("The maximum number of static routes on {id} has been reached."),
                ));
            }
        } else if !present {
            return Err(Error::new(
                Ec2::InvalidRouteNotFound,
                format!("The route {block} does not exist on VPN connection {id}."),
            ));
        }
        let conn = self.vpn_connections.find_mut(&kinds::VPN_CONNECTION, scope, id)?;
        if add {
            conn.routes.push(block);
        } else {
            conn.routes.retain(|c| *c != block);
        }
        Ok(())
    }

    /// The on-premises blocks VPN connection `c` reaches: its static routes and, for a BGP
    /// connection, what its customer gateway advertises (the `vpclab:advertised-cidrs` tag).
    pub fn vpn_on_premises_blocks(&self, c: &VpnConnection) -> Vec<Ipv4Cidr> {
        let mut blocks = c.routes.clone();
        if !c.static_routes_only
            && let Some(cgw) = self.customer_gateways.get(&c.customer_gateway_id)
        {
            blocks.extend(crate::tags::advertised_cidrs(&cgw.tags));
        }
        blocks
    }

    /// The routes a virtual private gateway propagates into `table`: the on-premises blocks of
    /// its VPN connections ([`World::vpn_on_premises_blocks`]) and the prefixes it learns over
    /// Direct Connect ([`World::direct_connect_routes_via_vgw`]), for each gateway the table
    /// propagates from that is attached to the table's VPC. A destination the table already
    /// routes statically is not repeated. Derived on demand, never stored.
    pub fn propagated_routes(&self, table: &RouteTable) -> Vec<Route> {
        let mut out: Vec<Route> = Vec::new();
        for vgw_id in &table.propagating_vgws {
            let attached = self
                .vpn_gateways
                .get(vgw_id)
                .is_some_and(|g| g.attached_vpc() == Some(table.vpc_id.as_str()));
            if !attached {
                continue;
            }
            let static_routes = self
                .vpn_connections
                .values()
                .filter(|c| c.vpn_gateway_id.as_ref() == Some(vgw_id))
                .flat_map(|c| self.vpn_on_premises_blocks(c));
            // Direct Connect: what private virtual interfaces advertise to the gateway.
            let learned =
                self.direct_connect_routes_via_vgw(vgw_id).into_iter().map(|(block, _)| block);
            for block in static_routes.chain(learned).collect::<Vec<_>>() {
                let destination = RouteDestination::V4(block);
                let known =
                    table.routes.iter().chain(out.iter()).any(|r| r.destination == destination);
                if !known {
                    out.push(Route {
                        destination,
                        target: RouteTarget::Gateway(vgw_id.clone()),
                        origin: RouteOrigin::EnableVgwRoutePropagation,
                    });
                }
            }
        }
        out
    }

    /// Every route of `table` in force: its own and the propagated ones.
    pub fn effective_routes(&self, table: &RouteTable) -> Vec<Route> {
        let mut routes = table.routes.clone();
        routes.extend(self.propagated_routes(table));
        routes
    }

    /// The VPN connection of virtual private gateway `vgw_id` whose static routes cover
    /// `address`, if any (the most specific).
    pub fn vpn_connection_to(&self, vgw_id: &str, address: Ipv4Addr) -> Option<&VpnConnection> {
        self.vpn_connections
            .values()
            .filter(|c| c.vpn_gateway_id.as_deref() == Some(vgw_id))
            .filter_map(|c| {
                self.vpn_on_premises_blocks(c)
                    .iter()
                    .filter(|b| b.contains_addr(address))
                    .map(|b| b.prefix_len())
                    .max()
                    .map(|len| (len, c))
            })
            .max_by_key(|(len, _)| *len)
            .map(|(_, c)| c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::world_with_vpc;

    fn vpn_world() -> (World, Scope, String, String, String, String) {
        let (mut w, scope, vpc) = world_with_vpc();
        let vgw = w.create_vpn_gateway(&scope, IPSEC_1, None, None, &[]).unwrap();
        w.attach_vpn_gateway(&scope, &vgw, &vpc).unwrap();
        let cgw = w
            .create_customer_gateway(&scope, IPSEC_1, Some(65010), Some("198.51.100.7"), None, &[])
            .unwrap();
        let spec = NewVpnConnection {
            type_: IPSEC_1.into(),
            customer_gateway_id: cgw.clone(),
            vpn_gateway_id: Some(vgw.clone()),
            static_routes_only: true,
            ..Default::default()
        };
        let vpn = w.create_vpn_connection(&scope, &spec, &[]).unwrap();
        (w, scope, vpc, vgw, cgw, vpn)
    }

    #[test]
    fn gateway_lifecycle_and_errors() {
        let (mut w, scope, vpc) = world_with_vpc();
        let vgw = w.create_vpn_gateway(&scope, IPSEC_1, None, Some("us-east-1a"), &[]).unwrap();
        assert_eq!(w.vpn_gateways.get(&vgw).unwrap().amazon_side_asn, 64512);
        assert_eq!(
            w.create_vpn_gateway(&scope, "ipsec.2", None, None, &[]).unwrap_err().code,
            "InvalidParameterValue"
        );
        w.attach_vpn_gateway(&scope, &vgw, &vpc).unwrap();
        let other = w.create_vpn_gateway(&scope, IPSEC_1, Some(65000), None, &[]).unwrap();
        assert_eq!(
            w.attach_vpn_gateway(&scope, &other, &vpc).unwrap_err().code,
            "VpnGatewayAttachmentLimitExceeded"
        );
        assert_eq!(w.delete_vpn_gateway(&scope, &vgw).unwrap_err().code, "IncorrectState");
        w.detach_vpn_gateway(&scope, &vgw, &vpc).unwrap();
        assert_eq!(
            w.detach_vpn_gateway(&scope, &vgw, &vpc).unwrap_err().code,
            "InvalidVpnGatewayAttachment.NotFound"
        );
        assert_eq!(
            w.vpn_gateways.get(&vgw).unwrap().attachment.as_ref().unwrap().state(),
            "detached"
        );
        w.delete_vpn_gateway(&scope, &vgw).unwrap();
        assert_eq!(
            w.delete_vpn_gateway(&scope, &vgw).unwrap_err().code,
            "InvalidVpnGatewayID.NotFound"
        );
    }

    #[test]
    fn connections_have_two_tunnels_and_static_routes() {
        let (mut w, scope, _vpc, vgw, cgw, vpn) = vpn_world();
        let conn = w.vpn_connections.get(&vpn).unwrap();
        assert_eq!(conn.tunnels.len(), 2);
        assert_ne!(conn.tunnels[0].outside_ip, conn.tunnels[1].outside_ip);
        w.set_vpn_connection_route(&scope, &vpn, "192.168.0.0/16", true).unwrap();
        assert_eq!(
            w.set_vpn_connection_route(&scope, &vpn, "192.168.0.0/16", true).unwrap_err().code,
            "RouteAlreadyExists"
        );
        assert!(w.vpn_connection_to(&vgw, "192.168.4.4".parse().unwrap()).is_some());
        assert_eq!(w.delete_customer_gateway(&scope, &cgw, 0).unwrap_err().code, "IncorrectState");
        assert_eq!(w.delete_vpn_gateway(&scope, &vgw).unwrap_err().code, "IncorrectState");
        w.set_vpn_connection_route(&scope, &vpn, "192.168.0.0/16", false).unwrap();
        assert_eq!(
            w.set_vpn_connection_route(&scope, &vpn, "192.168.0.0/16", false).unwrap_err().code,
            "InvalidRoute.NotFound"
        );
        w.delete_vpn_connection(&scope, &vpn, 0).unwrap();
        w.delete_customer_gateway(&scope, &cgw, 0).unwrap();
        assert_eq!(w.customer_gateways.get(&cgw).unwrap().state(), "deleted");
        assert_eq!(
            w.find_customer_gateway(&scope, &cgw).unwrap_err().code,
            "InvalidCustomerGatewayID.NotFound"
        );
        assert_eq!(w.listed_customer_gateways(&scope, 0).count(), 1);
        let later = crate::transit_gateway::DELETED_RETENTION_MS;
        assert_eq!(w.listed_customer_gateways(&scope, later).count(), 0);
    }

    #[test]
    fn propagation_derives_routes_while_attached() {
        let (mut w, scope, vpc, vgw, _cgw, vpn) = vpn_world();
        w.set_vpn_connection_route(&scope, &vpn, "192.168.0.0/16", true).unwrap();
        let rtb = w.vpcs.get(&vpc).unwrap().main_route_table_id.clone();
        w.set_vgw_route_propagation(&scope, &rtb, &vgw, true).unwrap();
        let table = w.route_tables.get(&rtb).unwrap().clone();
        assert_eq!(table.propagating_vgws, vec![vgw.clone()]);
        let routes = w.propagated_routes(&table);
        assert_eq!(routes.len(), 1);
        assert_eq!(routes[0].target, RouteTarget::Gateway(vgw.clone()));
        assert_eq!(w.route_state(&table, &routes[0]), "active");
        w.detach_vpn_gateway(&scope, &vgw, &vpc).unwrap();
        assert!(w.propagated_routes(&table).is_empty());
        assert_eq!(w.route_state(&table, &routes[0]), "blackhole");
    }
}
