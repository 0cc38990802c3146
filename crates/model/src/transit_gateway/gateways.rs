//! Transit gateways themselves: create (with a default route table), modify, delete and purge.

use super::*;
use codes::Ec2;

impl World {
    /// CreateTransitGateway: `available` at once, with a default route table unless both
    /// default association and default propagation are disabled.
    pub fn create_transit_gateway(
        &mut self,
        scope: &Scope,
        req: NewTransitGateway,
        now: i64,
    ) -> Result<String> {
        crate::tags::validate(&req.tags)?;
        let asn = req.amazon_side_asn.unwrap_or(DEFAULT_AMAZON_SIDE_ASN);
        check_asn(asn)?;
        for c in &req.cidr_blocks {
            check_cidr_block(c)?;
        }
        let association = parse_flag(
            req.default_route_table_association.as_deref(),
            "defaultRouteTableAssociation",
            true,
        )?;
        let propagation = parse_flag(
            req.default_route_table_propagation.as_deref(),
            "defaultRouteTablePropagation",
            true,
        )?;
        let options = TgwOptions {
            amazon_side_asn: asn,
            auto_accept_shared_attachments: parse_flag(
                req.auto_accept_shared_attachments.as_deref(),
                "autoAcceptSharedAttachments",
                false,
            )?,
            default_route_table_association: association,
            default_route_table_propagation: propagation,
            association_default_route_table_id: None,
            propagation_default_route_table_id: None,
            dns_support: parse_flag(req.dns_support.as_deref(), "dnsSupport", true)?,
            vpn_ecmp_support: parse_flag(req.vpn_ecmp_support.as_deref(), "vpnEcmpSupport", true)?,
            multicast_support: parse_flag(
                req.multicast_support.as_deref(),
                "multicastSupport",
                false,
            )?,
            security_group_referencing_support: parse_flag(
                req.security_group_referencing_support.as_deref(),
                "securityGroupReferencingSupport",
                false,
            )?,
            cidr_blocks: req.cidr_blocks.clone(),
        };
        let live = self.transit_gateways.in_scope(scope).filter(|g| g.is_live()).count();
        if live >= GATEWAYS_PER_REGION {
            return Err(Error::new(
                Ec2::TransitGatewayLimitExceeded,
                "You've reached the limit on the number of transit gateways.",
            ));
        }
        self.purge_deleted_transit_gateways(now);
        let id = self.fresh_id("tgw");
        self.transit_gateways.insert(
            id.clone(),
            TransitGateway {
                id: id.clone(),
                owner: scope.clone(),
                description: req.description,
                options,
                create_time: now,
                delete_time: None,
                tags: req.tags.into_iter().collect(),
            },
        );
        if association || propagation {
            let rtb = self.insert_tgw_route_table(scope, &id, Tags::default(), now);
            if let Some(g) = self.transit_gateways.get_mut(&id) {
                if association {
                    g.options.association_default_route_table_id = Some(rtb.clone());
                }
                if propagation {
                    g.options.propagation_default_route_table_id = Some(rtb);
                }
            }
        }
        Ok(id)
    }

    pub(super) fn insert_tgw_route_table(
        &mut self,
        scope: &Scope,
        tgw_id: &str,
        tags: Tags,
        now: i64,
    ) -> String {
        let id = self.fresh_id("tgw-rtb");
        self.transit_gateway_route_tables.insert(
            id.clone(),
            TgwRouteTable {
                id: id.clone(),
                owner: scope.clone(),
                transit_gateway_id: tgw_id.to_owned(),
                propagations: Vec::new(),
                routes: Vec::new(),
                prefix_list_references: Vec::new(),
                create_time: now,
                delete_time: None,
                tags,
            },
        );
        id
    }

    /// ModifyTransitGateway.
    pub fn modify_transit_gateway(
        &mut self,
        scope: &Scope,
        id: &str,
        m: TgwModification,
        now: i64,
    ) -> Result<()> {
        let g = self.find_transit_gateway(scope, id)?.clone();
        let mut o = g.options.clone();
        if let Some(asn) = m.amazon_side_asn {
            check_asn(asn)?;
            o.amazon_side_asn = asn;
        }
        let flag = |v: &Option<String>, name: &str, cur: bool| parse_flag(v.as_deref(), name, cur);
        o.auto_accept_shared_attachments = flag(
            &m.auto_accept_shared_attachments,
            "autoAcceptSharedAttachments",
            o.auto_accept_shared_attachments,
        )?;
        o.default_route_table_association = flag(
            &m.default_route_table_association,
            "defaultRouteTableAssociation",
            o.default_route_table_association,
        )?;
        o.default_route_table_propagation = flag(
            &m.default_route_table_propagation,
            "defaultRouteTablePropagation",
            o.default_route_table_propagation,
        )?;
        o.dns_support = flag(&m.dns_support, "dnsSupport", o.dns_support)?;
        o.vpn_ecmp_support = flag(&m.vpn_ecmp_support, "vpnEcmpSupport", o.vpn_ecmp_support)?;
        o.security_group_referencing_support = flag(
            &m.security_group_referencing_support,
            "securityGroupReferencingSupport",
            o.security_group_referencing_support,
        )?;
        for (given, slot) in [
            (&m.association_default_route_table_id, &mut o.association_default_route_table_id),
            (&m.propagation_default_route_table_id, &mut o.propagation_default_route_table_id),
        ] {
            if let Some(rtb) = given {
                let t = self.find_tgw_route_table(scope, rtb)?;
                if t.transit_gateway_id != id {
                    return Err(Error::invalid_parameter_value(format!(
                        "Transit Gateway Route Table {rtb} does not belong to Transit Gateway {id}."
                    )));
                }
                *slot = Some(rtb.clone());
            }
        }
        for c in &m.add_cidr_blocks {
            check_cidr_block(c)?;
            if !o.cidr_blocks.contains(c) {
                o.cidr_blocks.push(c.clone());
            }
        }
        o.cidr_blocks.retain(|c| !m.remove_cidr_blocks.contains(c));
        // Turning a default on without a default table gives the gateway one.
        let needs_table = (o.default_route_table_association
            && o.association_default_route_table_id.is_none())
            || (o.default_route_table_propagation
                && o.propagation_default_route_table_id.is_none());
        if needs_table {
            let rtb = self.insert_tgw_route_table(scope, id, Tags::default(), now);
            if o.default_route_table_association && o.association_default_route_table_id.is_none() {
                o.association_default_route_table_id = Some(rtb.clone());
            }
            if o.default_route_table_propagation && o.propagation_default_route_table_id.is_none() {
                o.propagation_default_route_table_id = Some(rtb);
            }
        }
        if let Some(g) = self.transit_gateways.get_mut(id) {
            g.options = o;
            if let Some(d) = m.description {
                g.description = Some(d);
            }
        }
        Ok(())
    }

    /// DeleteTransitGateway: refused while attachments remain; its route tables go with it.
    pub fn delete_transit_gateway(&mut self, scope: &Scope, id: &str, now: i64) -> Result<()> {
        self.find_transit_gateway(scope, id)?;
        let attached: Vec<String> = self
            .transit_gateway_attachments
            .values()
            .filter(|a| a.on_gateway(id) && a.is_live())
            .map(|a| a.id.clone())
            .collect();
        if !attached.is_empty() {
            return Err(Error::new(
                Ec2::IncorrectState,
                format!(
                    "{id} has non-deleted Transit Gateway Attachments: {}.",
                    attached.join(", ")
                ),
            ));
        }
        if let Some(g) = self.transit_gateways.get_mut(id) {
            g.delete_time = Some(now);
        }
        self.transit_gateway_route_tables.update_where(
            |t| t.transit_gateway_id == id && t.is_live(),
            |t| t.delete_time = Some(now),
        );
        Ok(())
    }

    pub(super) fn purge_deleted_transit_gateways(&mut self, now: i64) {
        let old = |t: Option<i64>| t.is_some_and(|t| now.saturating_sub(t) >= DELETED_RETENTION_MS);
        for id in self.transit_gateways.ids_where(|g| old(g.delete_time)) {
            self.transit_gateways.remove(&id);
        }
        for id in self.transit_gateway_attachments.ids_where(|a| old(a.delete_time)) {
            self.transit_gateway_attachments.remove(&id);
        }
        for id in self.transit_gateway_route_tables.ids_where(|t| old(t.delete_time)) {
            self.transit_gateway_route_tables.remove(&id);
        }
    }
}
