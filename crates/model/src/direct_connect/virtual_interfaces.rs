//! Virtual interfaces (private, transit) on connections and LAGs, and their BGP peers.

use super::*;

impl World {
    /// CreatePrivate/Public/TransitVirtualInterface on a connection or LAG of the caller's
    /// region: a VLAN free on it, BGP addresses (link-local ones picked when not given for a
    /// private or transit interface), the gateway it ends at.
    pub fn create_dx_virtual_interface(
        &mut self,
        scope: &Scope,
        kind: VifKind,
        connection_id: &str,
        spec: &NewVif,
    ) -> Result<String> {
        let tags = check_tags(&Tags::new(), &spec.tags)?;
        let location = match crate::ids::prefix_of(connection_id) {
            "dxlag" => self.dx_lag(scope, connection_id)?.location.clone(),
            _ => self.dx_connection(scope, connection_id)?.location.clone(),
        };
        if !(1..=4094).contains(&spec.vlan) {
            return Err(client_error(format!(
                "VLAN {} is not valid: it must be between 1 and 4094.",
                spec.vlan
            )));
        }
        if let Some(other) = self
            .dx_virtual_interfaces
            .values()
            .find(|v| v.connection_id == connection_id && v.vlan == spec.vlan)
        {
            return Err(client_error(format!(
                "VLAN {} is already in use by virtual interface {} on {connection_id}.",
                spec.vlan, other.id
            )));
        }
        let asn = spec.asn.ok_or_else(|| client_error("asn or asnLong is required."))?;
        check_asn(asn, "customer")?;
        let family = spec.address_family.clone().unwrap_or_else(|| "ipv4".to_owned());
        let (amazon, customer) = self.vif_peer_addresses(kind, connection_id, spec, &family)?;
        let mtu = vif_mtu(kind, spec)?;
        let amazon_side_asn = self.vif_amazon_side_asn(scope, kind, spec, &family)?;
        if kind == VifKind::Public {
            parse_prefixes(&spec.route_filter_prefixes)?;
        }
        let id = dx_id(self, "dxvif");
        let peer = BgpPeer {
            id: dx_id(self, "dxpeer"),
            asn,
            auth_key: spec.auth_key.clone().unwrap_or_else(new_auth_key),
            address_family: family,
            amazon_address: amazon,
            customer_address: customer,
        };
        self.dx_virtual_interfaces.insert(
            id.clone(),
            VirtualInterface {
                id: id.clone(),
                owner: scope.clone(),
                kind,
                connection_id: connection_id.to_owned(),
                location,
                name: spec.name.clone(),
                vlan: spec.vlan,
                amazon_side_asn,
                mtu,
                virtual_gateway_id: spec
                    .virtual_gateway_id
                    .clone()
                    .filter(|_| kind == VifKind::Private),
                direct_connect_gateway_id: spec
                    .direct_connect_gateway_id
                    .clone()
                    .filter(|_| kind != VifKind::Public),
                route_filter_prefixes: if kind == VifKind::Public {
                    spec.route_filter_prefixes.clone()
                } else {
                    Vec::new()
                },
                bgp_peers: vec![peer],
                tags,
            },
        );
        Ok(id)
    }

    /// The BGP peer addresses of a new interface: both given, or link-local ones picked for a
    /// private or transit IPv4 interface (a public IPv4 one must give them).
    fn vif_peer_addresses(
        &self,
        kind: VifKind,
        connection_id: &str,
        spec: &NewVif,
        family: &str,
    ) -> Result<(Option<String>, Option<String>)> {
        Ok(match (&spec.amazon_address, &spec.customer_address) {
            (Some(a), Some(c)) => {
                parse_peer_address(a, family)?;
                parse_peer_address(c, family)?;
                if a == c {
                    return Err(client_error(
                        "amazonAddress and customerAddress must be different addresses.",
                    ));
                }
                (Some(a.clone()), Some(c.clone()))
            }
            (None, None) if kind == VifKind::Public && family == "ipv4" => {
                return Err(client_error(
                    "amazonAddress and customerAddress are required for a public virtual interface.",
                ));
            }
            (None, None) if family == "ipv4" => {
                let taken: Vec<String> = self
                    .dx_virtual_interfaces
                    .values()
                    .filter(|v| v.connection_id == connection_id)
                    .flat_map(|v| v.bgp_peers.iter().filter_map(|p| p.amazon_address.clone()))
                    .collect();
                let (a, c) = link_local_pair(&taken);
                (Some(a), Some(c))
            }
            (None, None) => (None, None),
            _ => {
                return Err(client_error(
                    "amazonAddress and customerAddress must be given together.",
                ));
            }
        })
    }

    /// The Amazon side ASN a new interface peers with: its VGW's or Direct Connect gateway's
    /// (which must not mix private and transit interfaces), 7224 for a public one.
    fn vif_amazon_side_asn(
        &self,
        scope: &Scope,
        kind: VifKind,
        spec: &NewVif,
        family: &str,
    ) -> Result<i64> {
        Ok(match (kind, &spec.virtual_gateway_id, &spec.direct_connect_gateway_id) {
            (VifKind::Private, Some(_), Some(_)) => {
                return Err(client_error(
                    "Give either virtualGatewayId or directConnectGatewayId, not both.",
                ));
            }
            (VifKind::Private, None, None) => {
                return Err(client_error(
                    "A private virtual interface needs virtualGatewayId or directConnectGatewayId.",
                ));
            }
            (VifKind::Private, Some(vgw), None) => {
                self.vpn_gateways
                    .get(vgw)
                    .filter(|g| g.owner == *scope)
                    .ok_or_else(|| {
                        client_error(format!("Virtual private gateway {vgw} does not exist."))
                    })?
                    .amazon_side_asn
            }
            (VifKind::Private | VifKind::Transit, _, Some(dx)) => {
                let gw = self.dx_gateway(scope, dx)?.amazon_side_asn;
                let (other_kind, other_type) = if kind == VifKind::Private {
                    (VifKind::Transit, "transitGateway")
                } else {
                    (VifKind::Private, "virtualPrivateGateway")
                };
                let mixed = self.dx_gateway_vif_kinds(dx).contains(&other_kind)
                    || self
                        .dx_gateway_associations
                        .values()
                        .any(|a| a.dx_gateway_id == *dx && a.gateway_type() == other_type);
                if mixed {
                    return Err(client_error(format!(
                        "Direct Connect Gateway {dx} is used for {} virtual interfaces: it cannot take a {} one.",
                        other_kind.as_str(),
                        kind.as_str()
                    )));
                }
                gw
            }
            (VifKind::Transit, _, None) => {
                return Err(client_error(
                    "A transit virtual interface needs directConnectGatewayId.",
                ));
            }
            (VifKind::Public, ..) => {
                if spec.route_filter_prefixes.is_empty() && family == "ipv4" {
                    return Err(client_error(
                        "routeFilterPrefixes is required for a public virtual interface.",
                    ));
                }
                7224
            }
        })
    }

    /// DeleteVirtualInterface.
    pub fn delete_dx_virtual_interface(&mut self, scope: &Scope, id: &str) -> Result<()> {
        self.dx_virtual_interface(scope, id)?;
        self.dx_virtual_interfaces.remove(id);
        Ok(())
    }

    /// CreateBGPPeer: one peer per address family on an interface.
    pub fn create_dx_bgp_peer(
        &mut self,
        scope: &Scope,
        vif_id: &str,
        spec: &NewBgpPeer,
    ) -> Result<String> {
        let vif = self.dx_virtual_interface(scope, vif_id)?;
        let family = spec
            .address_family
            .clone()
            .ok_or_else(|| client_error("addressFamily is required."))?;
        if vif.bgp_peers.iter().any(|p| p.address_family == family) {
            return Err(client_error(format!(
                "Virtual interface {vif_id} already has an {family} BGP peer."
            )));
        }
        let asn = spec.asn.ok_or_else(|| client_error("asn or asnLong is required."))?;
        check_asn(asn, "customer")?;
        for a in [&spec.amazon_address, &spec.customer_address].into_iter().flatten() {
            parse_peer_address(a, &family)?;
        }
        if spec.amazon_address.is_some() != spec.customer_address.is_some() {
            return Err(client_error("amazonAddress and customerAddress must be given together."));
        }
        let (amazon, customer) = match (&spec.amazon_address, &spec.customer_address) {
            (Some(a), Some(c)) => (Some(a.clone()), Some(c.clone())),
            _ if family == "ipv4" => {
                let (a, c) = link_local_pair(&[]);
                (Some(a), Some(c))
            }
            _ => (None, None),
        };
        let peer = BgpPeer {
            id: dx_id(self, "dxpeer"),
            asn,
            auth_key: spec.auth_key.clone().unwrap_or_else(new_auth_key),
            address_family: family,
            amazon_address: amazon,
            customer_address: customer,
        };
        let peer_id = peer.id.clone();
        if let Some(v) = self.dx_virtual_interfaces.get_mut(vif_id) {
            v.bgp_peers.push(peer);
        }
        Ok(peer_id)
    }

    /// DeleteBGPPeer, by peer id or by (ASN, customer address); the last peer stays.
    pub fn delete_dx_bgp_peer(
        &mut self,
        scope: &Scope,
        vif_id: &str,
        peer_id: Option<&str>,
        asn: Option<i64>,
        customer_address: Option<&str>,
    ) -> Result<()> {
        let vif = self.dx_virtual_interface(scope, vif_id)?;
        let index = vif
            .bgp_peers
            .iter()
            .position(|p| match peer_id {
                Some(id) => p.id == id,
                None => Some(p.asn) == asn && p.customer_address.as_deref() == customer_address,
            })
            .ok_or_else(|| {
                client_error(format!("The BGP peer does not exist on virtual interface {vif_id}."))
            })?;
        if vif.bgp_peers.len() == 1 {
            return Err(client_error(format!(
                "The BGP peer is the last one of virtual interface {vif_id}: delete the virtual interface instead."
            )));
        }
        if let Some(v) = self.dx_virtual_interfaces.get_mut(vif_id) {
            v.bgp_peers.remove(index);
        }
        Ok(())
    }
}

/// The MTU of a new interface: 1500, or jumbo frames where its kind allows them.
fn vif_mtu(kind: VifKind, spec: &NewVif) -> Result<i32> {
    let mtu = spec.mtu.unwrap_or(1500);
    let allowed_mtu: &[i32] = match kind {
        VifKind::Private => &[1500, 9001],
        VifKind::Transit => &[1500, 8500],
        VifKind::Public => &[1500],
    };
    if !allowed_mtu.contains(&mtu) {
        return Err(client_error(format!(
            "MTU {mtu} is not valid for a {} virtual interface.",
            kind.as_str()
        )));
    }
    Ok(mtu)
}
