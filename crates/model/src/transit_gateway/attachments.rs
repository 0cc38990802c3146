//! VPC attachments: one subnet per zone with an interface in each; modify and delete for every
//! kind of attachment.

use super::*;
use codes::Ec2;

impl World {
    /// CreateTransitGatewayVpcAttachment: one subnet per zone of the VPC, an interface in
    /// each, one attachment per (gateway, VPC); associated with and propagating into the
    /// gateway's default tables when those options are on.
    pub fn create_tgw_vpc_attachment(
        &mut self,
        scope: &Scope,
        req: NewVpcAttachment,
        now: i64,
    ) -> Result<String> {
        crate::tags::validate(&req.tags)?;
        let tgw = self.find_transit_gateway(scope, &req.transit_gateway_id)?.clone();
        self.vpcs.find(&kinds::VPC, scope, &req.vpc_id)?;
        if req.subnet_ids.is_empty() {
            return Err(Error::missing_parameter("SubnetIds"));
        }
        let data = VpcAttachmentData {
            vpc_id: req.vpc_id.clone(),
            subnet_ids: Vec::new(),
            network_interface_ids: Vec::new(),
            appliance_mode_support: parse_flag(
                req.appliance_mode_support.as_deref(),
                "applianceModeSupport",
                false,
            )?,
            dns_support: parse_flag(req.dns_support.as_deref(), "dnsSupport", true)?,
            ipv6_support: parse_flag(req.ipv6_support.as_deref(), "ipv6Support", false)?,
            security_group_referencing_support: parse_flag(
                req.security_group_referencing_support.as_deref(),
                "securityGroupReferencingSupport",
                tgw.options.security_group_referencing_support,
            )?,
        };
        if self.tgw_attachment_in_vpc(&tgw.id, &req.vpc_id).is_some() {
            return Err(Error::new(
                Ec2::DuplicateTransitGatewayAttachment,
                format!("{} has non-deleted Transit Gateway Attachments with same VPC ID.", tgw.id),
            ));
        }
        self.check_attachment_subnets(scope, &req.vpc_id, &[], &req.subnet_ids)?;
        let tags = req.tags.into_iter().collect();
        let id =
            self.insert_tgw_attachment(scope, &tgw.id, AttachmentResource::Vpc(data), tags, now);
        self.add_attachment_subnets(scope, &id, &req.subnet_ids)?;
        Ok(id)
    }

    /// A new `available` attachment of `resource` (owned by `scope`) on live gateway `tgw_id`,
    /// associated with and propagating into the gateway's default tables as its options say —
    /// or, for a peering, `pendingAcceptance` and associated with nothing yet.
    pub(crate) fn insert_tgw_attachment(
        &mut self,
        scope: &Scope,
        tgw_id: &str,
        resource: AttachmentResource,
        tags: Tags,
        now: i64,
    ) -> String {
        self.purge_deleted_transit_gateways(now);
        let id = self.fresh_id("tgw-attach");
        let peering = matches!(resource, AttachmentResource::Peering { .. });
        self.transit_gateway_attachments.insert(
            id.clone(),
            TgwAttachment {
                id: id.clone(),
                owner: scope.clone(),
                transit_gateway_id: tgw_id.to_owned(),
                resource,
                state: if peering {
                    AttachmentState::PendingAcceptance
                } else {
                    AttachmentState::Available
                },
                association: None,
                create_time: now,
                delete_time: None,
                tags,
            },
        );
        if let Some(tgw) = self.transit_gateways.get(tgw_id).cloned()
            && !peering
        {
            self.apply_default_tables(&tgw, &id);
        }
        id
    }

    /// The id of the live attachment whose resource satisfies `is`, if any.
    pub fn tgw_attachment_of(&self, is: impl Fn(&AttachmentResource) -> bool) -> Option<String> {
        self.transit_gateway_attachments
            .values()
            .find(|a| a.is_live() && is(&a.resource))
            .map(|a| a.id.clone())
    }

    /// Associates a new attachment with the gateway's default association table and makes it
    /// propagate into the default propagation table, as the gateway's options say.
    pub(crate) fn apply_default_tables(&mut self, tgw: &TransitGateway, attachment_id: &str) {
        let o = &tgw.options;
        let live = |w: &World, t: &Option<String>| {
            t.as_ref()
                .filter(|t| w.transit_gateway_route_tables.get(t).is_some_and(|t| t.is_live()))
                .cloned()
        };
        if o.default_route_table_association
            && let Some(rtb) = live(self, &o.association_default_route_table_id)
            && let Some(a) = self.transit_gateway_attachments.get_mut(attachment_id)
        {
            a.association = Some(rtb);
        }
        if o.default_route_table_propagation
            && let Some(rtb) = live(self, &o.propagation_default_route_table_id)
            && let Some(t) = self.transit_gateway_route_tables.get_mut(&rtb)
        {
            t.propagations.push(attachment_id.to_owned());
        }
    }

    /// Subnets to add to a VPC attachment: of the VPC, not already in, one per zone
    /// (counting those it keeps).
    pub(super) fn check_attachment_subnets(
        &self,
        scope: &Scope,
        vpc_id: &str,
        kept: &[String],
        added: &[String],
    ) -> Result<()> {
        let mut zones: Vec<String> = kept
            .iter()
            .filter_map(|s| self.subnets.get(s))
            .map(|s| s.availability_zone.clone())
            .collect();
        for subnet_id in added {
            let subnet = self.subnets.find(&kinds::SUBNET, scope, subnet_id)?;
            if subnet.vpc_id != vpc_id {
                return Err(Error::invalid_parameter_value(format!(
                    "The subnet {subnet_id} does not belong to the VPC {vpc_id}."
                )));
            }
            if zones.contains(&subnet.availability_zone) {
                return Err(Error::new(
                    Ec2::DuplicateSubnetsInSameZone,
                    "Duplicate Subnets for same AZ",
                ));
            }
            zones.push(subnet.availability_zone.clone());
        }
        Ok(())
    }

    /// Gives a VPC attachment an interface in each of `subnets` (checked already).
    pub(super) fn add_attachment_subnets(
        &mut self,
        scope: &Scope,
        attachment_id: &str,
        subnets: &[String],
    ) -> Result<()> {
        for subnet_id in subnets {
            let ip = self.allocate_private_ip(subnet_id, None)?;
            let description = interface_description(attachment_id);
            let spec = ManagedInterface {
                source_dest_check: false,
                ..ManagedInterface::new(description, "transit_gateway", ip)
            };
            let eni_id = self.insert_managed_interface(scope, subnet_id, spec)?;
            if let Some(a) = self.transit_gateway_attachments.get_mut(attachment_id)
                && let AttachmentResource::Vpc(v) = &mut a.resource
            {
                v.subnet_ids.push(subnet_id.clone());
                v.network_interface_ids.push(eni_id);
            }
        }
        Ok(())
    }

    /// Removes a VPC attachment's interfaces in `subnets`.
    pub(super) fn remove_attachment_subnets(&mut self, attachment_id: &str, subnets: &[String]) {
        let Some(v) = self.transit_gateway_attachments.get(attachment_id).and_then(|a| a.vpc())
        else {
            return;
        };
        let pairs: Vec<(String, String)> =
            v.subnet_ids.iter().cloned().zip(v.network_interface_ids.iter().cloned()).collect();
        let mut kept = (Vec::new(), Vec::new());
        for (subnet, eni) in pairs {
            if subnets.contains(&subnet) {
                self.remove_interface(&eni);
            } else {
                kept.0.push(subnet);
                kept.1.push(eni);
            }
        }
        if let Some(a) = self.transit_gateway_attachments.get_mut(attachment_id)
            && let AttachmentResource::Vpc(v) = &mut a.resource
        {
            v.subnet_ids = kept.0;
            v.network_interface_ids = kept.1;
        }
    }

    /// ModifyTransitGatewayVpcAttachment: subnets added and removed, options changed. At least
    /// one subnet remains.
    pub fn modify_tgw_vpc_attachment(
        &mut self,
        scope: &Scope,
        id: &str,
        m: VpcAttachmentModification,
    ) -> Result<()> {
        let a = self.find_tgw_attachment(scope, id)?;
        let v = a.vpc().cloned().ok_or_else(|| {
            Error::invalid_parameter_value(format!("{id} is not a VPC attachment."))
        })?;
        for s in &m.remove_subnet_ids {
            if !v.subnet_ids.contains(s) {
                return Err(Error::invalid_parameter_value(format!(
                    "The subnet {s} is not part of the attachment {id}."
                )));
            }
        }
        let kept: Vec<String> =
            v.subnet_ids.iter().filter(|s| !m.remove_subnet_ids.contains(s)).cloned().collect();
        let added: Vec<String> =
            m.add_subnet_ids.iter().filter(|s| !v.subnet_ids.contains(s)).cloned().collect();
        self.check_attachment_subnets(scope, &v.vpc_id, &kept, &added)?;
        if kept.is_empty() && added.is_empty() {
            return Err(Error::invalid_parameter_value(
                "A VPC attachment needs at least one subnet.",
            ));
        }
        let flags = (
            parse_flag(
                m.appliance_mode_support.as_deref(),
                "applianceModeSupport",
                v.appliance_mode_support,
            )?,
            parse_flag(m.dns_support.as_deref(), "dnsSupport", v.dns_support)?,
            parse_flag(m.ipv6_support.as_deref(), "ipv6Support", v.ipv6_support)?,
            parse_flag(
                m.security_group_referencing_support.as_deref(),
                "securityGroupReferencingSupport",
                v.security_group_referencing_support,
            )?,
        );
        self.remove_attachment_subnets(id, &m.remove_subnet_ids);
        self.add_attachment_subnets(scope, id, &added)?;
        if let Some(a) = self.transit_gateway_attachments.get_mut(id)
            && let AttachmentResource::Vpc(v) = &mut a.resource
        {
            (
                v.appliance_mode_support,
                v.dns_support,
                v.ipv6_support,
                v.security_group_referencing_support,
            ) = flags;
        }
        Ok(())
    }

    /// DeleteTransitGatewayVpcAttachment (and the generic part of every attachment's
    /// deletion): its interfaces go, its association and propagations end; it is listed as
    /// `deleted` for a while. Static routes to it stay, as blackholes.
    pub fn delete_tgw_attachment(&mut self, scope: &Scope, id: &str, now: i64) -> Result<()> {
        self.find_tgw_attachment(scope, id)?;
        self.end_tgw_attachment(id, AttachmentState::Deleted, now);
        Ok(())
    }

    /// Ends an attachment with a final state (`deleted`, `rejected`).
    pub(crate) fn end_tgw_attachment(&mut self, id: &str, state: AttachmentState, now: i64) {
        if let Some(subnets) = self
            .transit_gateway_attachments
            .get(id)
            .and_then(|a| a.vpc())
            .map(|v| v.subnet_ids.clone())
        {
            self.remove_attachment_subnets(id, &subnets);
        }
        if let Some(a) = self.transit_gateway_attachments.get_mut(id) {
            a.state = state;
            a.association = None;
            if let AttachmentResource::Peering { peer_association, .. } = &mut a.resource {
                *peer_association = None;
            }
            a.delete_time = Some(now);
        }
        self.transit_gateway_route_tables.update_where(
            |t| t.propagations.iter().any(|p| p == id),
            |t| t.propagations.retain(|p| p != id),
        );
    }
}
