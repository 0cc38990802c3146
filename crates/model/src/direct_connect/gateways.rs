//! Direct Connect gateways and their associations with virtual private gateways and transit
//! gateways (allowed prefixes; a transit gateway association is an attachment).

use super::*;

impl World {
    /// CreateDirectConnectGateway: global, `available` at once.
    pub fn create_dx_gateway(
        &mut self,
        scope: &Scope,
        name: &str,
        amazon_side_asn: Option<i64>,
        tags: &[(String, Option<String>)],
    ) -> Result<String> {
        let tags = check_tags(&Tags::new(), tags)?;
        if name.is_empty() || name.len() > 100 {
            return Err(client_error(
                "The Direct Connect gateway name must be 1 to 100 characters.",
            ));
        }
        let asn = amazon_side_asn.unwrap_or(DEFAULT_AMAZON_SIDE_ASN);
        check_amazon_side_asn(asn)?;
        let id = uuid();
        self.dx_gateways.insert(
            id.clone(),
            DxGateway {
                id: id.clone(),
                owner: scope.clone(),
                name: name.to_owned(),
                amazon_side_asn: asn,
                tags,
            },
        );
        Ok(id)
    }

    /// DeleteDirectConnectGateway: refused while associated or used by virtual interfaces.
    pub fn delete_dx_gateway(&mut self, scope: &Scope, id: &str) -> Result<DxGateway> {
        self.dx_gateway(scope, id)?;
        if let Some(a) = self.dx_gateway_associations.values().find(|a| a.dx_gateway_id == id) {
            return Err(client_error(format!(
                "Direct Connect Gateway {id} is associated with {}: delete the association first.",
                a.gateway_id
            )));
        }
        if let Some(v) = self
            .dx_virtual_interfaces
            .values()
            .find(|v| v.direct_connect_gateway_id.as_deref() == Some(id))
        {
            return Err(client_error(format!(
                "Direct Connect Gateway {id} has virtual interface {} attached.",
                v.id
            )));
        }
        self.dx_gateways
            .remove(id)
            .ok_or_else(|| client_error(format!("Direct Connect Gateway {id} does not exist.")))
    }

    /// The kinds of virtual interfaces attached to a Direct Connect gateway.
    pub(super) fn dx_gateway_vif_kinds(&self, dx_gateway_id: &str) -> Vec<VifKind> {
        self.dx_virtual_interfaces
            .values()
            .filter(|v| v.direct_connect_gateway_id.as_deref() == Some(dx_gateway_id))
            .map(|v| v.kind)
            .collect()
    }

    /// CreateDirectConnectGatewayAssociation with a virtual private gateway (of the caller's
    /// account and region, attached to a VPC) or a transit gateway. The allowed prefixes
    /// default to the VPC's CIDRs for a virtual private gateway.
    pub fn create_dx_gateway_association(
        &mut self,
        scope: &Scope,
        dx_gateway_id: &str,
        gateway_id: &str,
        allowed_prefixes: &[String],
        now: i64,
    ) -> Result<String> {
        let dxgw = self.dx_gateway(scope, dx_gateway_id)?;
        let dx_gateway_owner = dxgw.owner.account.clone();
        let prefixes = parse_prefixes(allowed_prefixes)?;
        let kinds = self.dx_gateway_vif_kinds(dx_gateway_id);
        let prefixes = match crate::ids::prefix_of(gateway_id) {
            "vgw" => {
                let vgw =
                    self.vpn_gateways.get(gateway_id).filter(|g| g.owner == *scope).ok_or_else(
                        || {
                            client_error(format!(
                                "Virtual private gateway {gateway_id} does not exist."
                            ))
                        },
                    )?;
                let vpc = vgw.attached_vpc().and_then(|v| self.vpcs.get(v)).ok_or_else(|| {
                    client_error(format!(
                        "Virtual private gateway {gateway_id} is not attached to a VPC."
                    ))
                })?;
                if kinds.contains(&VifKind::Transit) {
                    return Err(client_error(format!(
                        "Direct Connect Gateway {dx_gateway_id} has transit virtual interfaces: it cannot be associated with a virtual private gateway."
                    )));
                }
                if let Some(other) =
                    self.dx_gateway_associations.values().find(|a| a.gateway_id == gateway_id)
                {
                    return Err(client_error(format!(
                        "Virtual private gateway {gateway_id} is already associated with Direct Connect Gateway {}.",
                        other.dx_gateway_id
                    )));
                }
                if prefixes.is_empty() {
                    vpc.cidr_blocks.iter().map(|b| b.cidr).collect()
                } else {
                    prefixes
                }
            }
            "tgw" => {
                self.find_transit_gateway(scope, gateway_id).map_err(|_| {
                    client_error(format!("Transit gateway {gateway_id} does not exist."))
                })?;
                if kinds.contains(&VifKind::Private) {
                    return Err(client_error(format!(
                        "Direct Connect Gateway {dx_gateway_id} has private virtual interfaces: it cannot be associated with a transit gateway."
                    )));
                }
                if prefixes.is_empty() {
                    return Err(client_error(
                        "addAllowedPrefixesToDirectConnectGateway is required for a transit gateway association.",
                    ));
                }
                prefixes
            }
            _ => {
                return Err(client_error(format!(
                    "Gateway {gateway_id} is neither a virtual private gateway nor a transit gateway."
                )));
            }
        };
        if self
            .dx_gateway_associations
            .values()
            .any(|a| a.dx_gateway_id == dx_gateway_id && a.gateway_id == gateway_id)
        {
            return Err(client_error(format!(
                "Direct Connect Gateway {dx_gateway_id} is already associated with {gateway_id}."
            )));
        }
        check_prefix_overlap(self, dx_gateway_id, None, &prefixes)?;
        let id = uuid();
        self.dx_gateway_associations.insert(
            id.clone(),
            DxGatewayAssociation {
                id: id.clone(),
                dx_gateway_id: dx_gateway_id.to_owned(),
                dx_gateway_owner,
                gateway_id: gateway_id.to_owned(),
                gateway_owner: scope.clone(),
                allowed_prefixes: prefixes,
            },
        );
        if crate::ids::prefix_of(gateway_id) == "tgw" {
            let resource = AttachmentResource::DirectConnectGateway {
                direct_connect_gateway_id: dx_gateway_id.to_owned(),
            };
            self.insert_tgw_attachment(scope, gateway_id, resource, Tags::new(), now);
        }
        Ok(id)
    }

    /// UpdateDirectConnectGatewayAssociation: adds and removes allowed prefixes.
    pub fn update_dx_gateway_association(
        &mut self,
        scope: &Scope,
        id: &str,
        add: &[String],
        remove: &[String],
    ) -> Result<()> {
        let assoc = self.dx_gateway_association(scope, id)?.clone();
        let add = parse_prefixes(add)?;
        let remove = parse_prefixes(remove)?;
        let mut prefixes: Vec<Ipv4Cidr> =
            assoc.allowed_prefixes.iter().copied().filter(|p| !remove.contains(p)).collect();
        for p in add {
            if !prefixes.contains(&p) {
                prefixes.push(p);
            }
        }
        check_prefix_overlap(self, &assoc.dx_gateway_id, Some(id), &prefixes)?;
        if let Some(a) = self.dx_gateway_associations.get_mut(id) {
            a.allowed_prefixes = prefixes;
        }
        Ok(())
    }

    /// DeleteDirectConnectGatewayAssociation, by id or by (Direct Connect gateway, virtual
    /// private gateway). The transit gateway attachment of an association with a transit
    /// gateway is deleted with it.
    pub fn delete_dx_gateway_association(
        &mut self,
        scope: &Scope,
        id: Option<&str>,
        dx_gateway_id: Option<&str>,
        virtual_gateway_id: Option<&str>,
        now: i64,
    ) -> Result<DxGatewayAssociation> {
        let id = match (id, dx_gateway_id, virtual_gateway_id) {
            (Some(id), ..) => self.dx_gateway_association(scope, id)?.id.clone(),
            (None, Some(dx), Some(vgw)) => self
                .dx_gateway_associations
                .values()
                .find(|a| a.dx_gateway_id == dx && a.gateway_id == vgw)
                .filter(|a| a.dx_gateway_owner == scope.account || a.gateway_owner == *scope)
                .map(|a| a.id.clone())
                .ok_or_else(|| {
                    client_error(format!(
                        "The association between Direct Connect Gateway {dx} and {vgw} does not exist."
                    ))
                })?,
            _ => {
                return Err(client_error(
                    "Give associationId, or directConnectGatewayId and virtualGatewayId.",
                ));
            }
        };
        let gone = self.dx_gateway_associations.remove(&id).ok_or_else(|| {
            client_error(format!("Direct Connect Gateway Association {id} does not exist."))
        })?;
        if let Some(a) = self.tgw_dx_gateway_attachment(&gone.gateway_id, &gone.dx_gateway_id) {
            self.end_tgw_attachment(&a, AttachmentState::Deleted, now);
        }
        Ok(gone)
    }

    /// The live attachment of Direct Connect gateway `dx_gateway_id` on transit gateway
    /// `tgw_id`, if any.
    pub fn tgw_dx_gateway_attachment(&self, tgw_id: &str, dx_gateway_id: &str) -> Option<String> {
        self.transit_gateway_attachments
            .values()
            .find(|a| {
                a.is_live()
                    && a.transit_gateway_id == tgw_id
                    && matches!(&a.resource, AttachmentResource::DirectConnectGateway { direct_connect_gateway_id: d } if d == dx_gateway_id)
            })
            .map(|a| a.id.clone())
    }

    /// The on-premises prefixes a Direct Connect gateway brings to the transit gateways it is
    /// associated with: what its transit virtual interfaces advertise (their
    /// `vpclab:advertised-cidrs` tag).
    pub fn direct_connect_routes_via_dx_gateway(&self, dx_gateway_id: &str) -> Vec<Ipv4Cidr> {
        self.dx_virtual_interfaces
            .values()
            .filter(|v| {
                v.kind == VifKind::Transit
                    && v.direct_connect_gateway_id.as_deref() == Some(dx_gateway_id)
            })
            .flat_map(|v| v.advertised_cidrs())
            .collect()
    }
}
