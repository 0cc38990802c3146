//! ARNs and tags of every Direct Connect resource, and the routes Direct Connect brings to
//! virtual private gateways and transit gateways.

use super::*;

impl World {
    /// The region-qualified ARN of a Direct Connect resource.
    pub fn dx_arn(&self, id: &str) -> Option<String> {
        let (kind, owner, _) = self.dx_tags(id)?;
        let region = if kind == "dx-gateway" { "" } else { owner.region.as_str() };
        Some(format!("arn:aws:directconnect:{region}:{}:{kind}/{id}", owner.account))
    }

    /// The ARN resource type, owner and tags of a Direct Connect resource.
    pub fn dx_tags(&self, id: &str) -> Option<(&'static str, &Scope, &Tags)> {
        match crate::ids::prefix_of(id) {
            "dxcon" => self.dx_connections.get(id).map(|r| ("dxcon", &r.owner, &r.tags)),
            "dxlag" => self.dx_lags.get(id).map(|r| ("dxlag", &r.owner, &r.tags)),
            "dxvif" => self.dx_virtual_interfaces.get(id).map(|r| ("dxvif", &r.owner, &r.tags)),
            _ => self.dx_gateways.get(id).map(|r| ("dx-gateway", &r.owner, &r.tags)),
        }
    }

    pub(super) fn dx_tags_mut(&mut self, id: &str) -> Option<&mut Tags> {
        match crate::ids::prefix_of(id) {
            "dxcon" => self.dx_connections.get_mut(id).map(|r| &mut r.tags),
            "dxlag" => self.dx_lags.get_mut(id).map(|r| &mut r.tags),
            "dxvif" => self.dx_virtual_interfaces.get_mut(id).map(|r| &mut r.tags),
            _ => self.dx_gateways.get_mut(id).map(|r| &mut r.tags),
        }
    }

    /// The resource an ARN names, if the caller may see it: its id.
    pub fn dx_resource_of_arn(&self, scope: &Scope, arn: &str) -> Result<String> {
        let missing = || client_error(format!("Resource {arn} does not exist."));
        let rest = arn.strip_prefix("arn:aws:directconnect:").ok_or_else(missing)?;
        let id = rest.rsplit('/').next().ok_or_else(missing)?;
        let (kind, owner, _) = self.dx_tags(id).ok_or_else(missing)?;
        let visible = owner.account == scope.account && (kind == "dx-gateway" || owner == scope);
        if visible { Ok(id.to_owned()) } else { Err(missing()) }
    }

    /// TagResource.
    pub fn dx_tag_resource(
        &mut self,
        scope: &Scope,
        arn: &str,
        tags: &[(String, Option<String>)],
    ) -> Result<()> {
        let id = self.dx_resource_of_arn(scope, arn)?;
        let current = self.dx_tags(&id).map(|(_, _, t)| t.clone()).unwrap_or_default();
        let merged = check_tags(&current, tags)?;
        if let Some(t) = self.dx_tags_mut(&id) {
            *t = merged;
        }
        Ok(())
    }

    /// UntagResource.
    pub fn dx_untag_resource(&mut self, scope: &Scope, arn: &str, keys: &[String]) -> Result<()> {
        let id = self.dx_resource_of_arn(scope, arn)?;
        if let Some(t) = self.dx_tags_mut(&id) {
            for k in keys {
                t.remove(k);
            }
        }
        Ok(())
    }

    /// The on-premises prefixes virtual private gateway `vgw_id` learns over Direct Connect,
    /// each with the private virtual interface that advertises it: interfaces on the gateway
    /// itself, and interfaces on a Direct Connect gateway associated with it. Derived, never
    /// stored.
    pub fn direct_connect_routes_via_vgw(&self, vgw_id: &str) -> Vec<(Ipv4Cidr, String)> {
        let dx_gateways: Vec<&str> = self
            .dx_gateway_associations
            .values()
            .filter(|a| a.gateway_id == vgw_id)
            .map(|a| a.dx_gateway_id.as_str())
            .collect();
        let mut out = Vec::new();
        for vif in self.dx_virtual_interfaces.values().filter(|v| v.kind == VifKind::Private) {
            let on_vgw = vif.virtual_gateway_id.as_deref() == Some(vgw_id);
            let via_dxgw =
                vif.direct_connect_gateway_id.as_deref().is_some_and(|d| dx_gateways.contains(&d));
            if on_vgw || via_dxgw {
                for cidr in vif.advertised_cidrs() {
                    out.push((cidr, vif.id.clone()));
                }
            }
        }
        out
    }

    /// The private virtual interface through which virtual private gateway `vgw_id` reaches
    /// `address` (the most specific advertised prefix), with that prefix's length and the
    /// Direct Connect gateway association it goes through, if any.
    pub fn direct_connect_route_to(
        &self,
        vgw_id: &str,
        address: Ipv4Addr,
    ) -> Option<(u8, &VirtualInterface, Option<&DxGatewayAssociation>)> {
        let (cidr, vif_id) = self
            .direct_connect_routes_via_vgw(vgw_id)
            .into_iter()
            .filter(|(c, _)| c.contains_addr(address))
            .max_by_key(|(c, _)| c.prefix_len())?;
        let vif = self.dx_virtual_interfaces.get(&vif_id)?;
        let association = vif.direct_connect_gateway_id.as_deref().and_then(|d| {
            self.dx_gateway_associations
                .values()
                .find(|a| a.dx_gateway_id == d && a.gateway_id == vgw_id)
        });
        Some((cidr.prefix_len(), vif, association))
    }
}
