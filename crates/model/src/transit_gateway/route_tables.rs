//! Transit gateway route tables: associations, propagations, static routes and prefix-list
//! references, and the routes in force derived from them.

use super::*;
use codes::Ec2;

impl World {
    /// CreateTransitGatewayRouteTable.
    pub fn create_tgw_route_table(
        &mut self,
        scope: &Scope,
        tgw_id: &str,
        tags: &[(String, String)],
        now: i64,
    ) -> Result<String> {
        crate::tags::validate(tags)?;
        self.find_transit_gateway(scope, tgw_id)?;
        let count = self
            .transit_gateway_route_tables
            .values()
            .filter(|t| t.transit_gateway_id == tgw_id && t.is_live())
            .count();
        if count >= ROUTE_TABLES_PER_GATEWAY {
            return Err(Error::new(
                Ec2::TransitGatewayRouteTableLimitExceeded,
                format!("The maximum number of route tables for {tgw_id} has been reached."),
            ));
        }
        Ok(self.insert_tgw_route_table(scope, tgw_id, tags.iter().cloned().collect(), now))
    }

    /// DeleteTransitGatewayRouteTable: refused while attachments are associated with it. A
    /// gateway whose default table it was has none afterwards.
    pub fn delete_tgw_route_table(&mut self, scope: &Scope, id: &str, now: i64) -> Result<()> {
        let t = self.find_tgw_route_table(scope, id)?.clone();
        if self.tgw_route_table_associations(id).next().is_some() {
            return Err(Error::new(
                Ec2::IncorrectState,
                format!("Transit Gateway Route Table {id} has associations and cannot be deleted."),
            ));
        }
        if let Some(g) = self.transit_gateways.get_mut(&t.transit_gateway_id) {
            for slot in [
                &mut g.options.association_default_route_table_id,
                &mut g.options.propagation_default_route_table_id,
            ] {
                if slot.as_deref() == Some(id) {
                    *slot = None;
                }
            }
        }
        if let Some(t) = self.transit_gateway_route_tables.get_mut(id) {
            t.delete_time = Some(now);
            t.propagations.clear();
        }
        Ok(())
    }

    /// The live route table and attachment of an association or propagation call: both of
    /// the same gateway.
    pub(super) fn table_and_attachment(
        &self,
        scope: &Scope,
        rtb_id: &str,
        attachment_id: &str,
    ) -> Result<(TgwRouteTable, TgwAttachment)> {
        let t = self.find_tgw_route_table(scope, rtb_id)?.clone();
        let a = self.find_tgw_attachment(scope, attachment_id)?.clone();
        if !a.on_gateway(&t.transit_gateway_id) {
            return Err(Error::invalid_parameter_value(format!(
                "Transit Gateway Attachment {attachment_id} and Transit Gateway Route Table {rtb_id} belong to different Transit Gateways."
            )));
        }
        if !a.is_available() {
            return Err(Error::new(
                Ec2::IncorrectState,
                format!("Transit Gateway Attachment {attachment_id} is in invalid state."),
            ));
        }
        Ok((t, a))
    }

    /// AssociateTransitGatewayRouteTable: an attachment has at most one association.
    pub fn associate_tgw_route_table(
        &mut self,
        scope: &Scope,
        rtb_id: &str,
        attachment_id: &str,
    ) -> Result<()> {
        let (t, a) = self.table_and_attachment(scope, rtb_id, attachment_id)?;
        if a.association_on(&t.transit_gateway_id).is_some() {
            return Err(Error::new(
                Ec2::ResourceAlreadyAssociated,
                format!(
                    "Transit Gateway Attachment {attachment_id} is already associated to a route table."
                ),
            ));
        }
        self.set_tgw_association(attachment_id, &t.transit_gateway_id, Some(rtb_id));
        Ok(())
    }

    /// DisassociateTransitGatewayRouteTable.
    pub fn disassociate_tgw_route_table(
        &mut self,
        scope: &Scope,
        rtb_id: &str,
        attachment_id: &str,
    ) -> Result<()> {
        let t = self.find_tgw_route_table(scope, rtb_id)?.clone();
        let a = self.find_tgw_attachment(scope, attachment_id)?;
        if a.association_on(&t.transit_gateway_id) != Some(t.id.as_str()) {
            return Err(Error::new(
                Ec2::InvalidAssociationNotFound,
                format!(
                    "Transit Gateway Attachment {attachment_id} is not associated with Transit Gateway Route Table {rtb_id}."
                ),
            ));
        }
        self.set_tgw_association(attachment_id, &t.transit_gateway_id, None);
        Ok(())
    }

    /// Sets (or clears) the route table attachment `attachment_id` is associated with on
    /// gateway `tgw` (a peering attachment has one association per side).
    pub(super) fn set_tgw_association(
        &mut self,
        attachment_id: &str,
        tgw: &str,
        rtb_id: Option<&str>,
    ) {
        if let Some(slot) = self
            .transit_gateway_attachments
            .get_mut(attachment_id)
            .and_then(|a| a.association_slot(tgw))
        {
            *slot = rtb_id.map(str::to_owned);
        }
    }

    /// EnableTransitGatewayRouteTablePropagation (`enable`) / Disable….
    pub fn set_tgw_propagation(
        &mut self,
        scope: &Scope,
        rtb_id: &str,
        attachment_id: &str,
        enable: bool,
    ) -> Result<()> {
        let present = if enable {
            let (t, a) = self.table_and_attachment(scope, rtb_id, attachment_id)?;
            if a.peer_gateway().is_some() {
                return Err(Error::invalid_parameter_value(format!(
                    "Transit Gateway Attachment {attachment_id} is a peering attachment: peering attachments do not propagate routes."
                )));
            }
            t.propagations.iter().any(|p| p == attachment_id)
        } else {
            self.find_tgw_route_table(scope, rtb_id)?
                .propagations
                .iter()
                .any(|p| p == attachment_id)
        };
        if enable && present {
            return Err(Error::new(
                Ec2::TransitGatewayRouteTablePropagationDuplicate,
                format!(
                    "Transit Gateway Attachment {attachment_id} is already propagating to Transit Gateway Route Table {rtb_id}."
                ),
            ));
        }
        if !enable && !present {
            self.find_tgw_attachment(scope, attachment_id)?;
            return Err(Error::new(
                Ec2::TransitGatewayRouteTablePropagationNotFound,
                format!(
                    "Transit Gateway Attachment {attachment_id} is not propagating to Transit Gateway Route Table {rtb_id}."
                ),
            ));
        }
        if let Some(t) = self.transit_gateway_route_tables.get_mut(rtb_id) {
            if enable {
                t.propagations.push(attachment_id.to_owned());
            } else {
                t.propagations.retain(|p| p != attachment_id);
            }
        }
        Ok(())
    }

    /// CreateTransitGatewayRoute / ReplaceTransitGatewayRoute / DeleteTransitGatewayRoute.
    /// `target` is the attachment (or blackhole) for Create and Replace.
    pub fn change_tgw_route(
        &mut self,
        scope: &Scope,
        rtb_id: &str,
        cidr: &str,
        target: Option<TgwRouteTarget>,
        change: RouteChange,
    ) -> Result<()> {
        let t = self.find_tgw_route_table(scope, rtb_id)?.clone();
        let destination = parse_destination(cidr)?;
        let existing = t.routes.iter().position(|r| r.destination == destination);
        let target = match (change, target) {
            (RouteChange::Delete, _) => None,
            (_, None) => {
                return Err(Error::missing_parameter("TransitGatewayAttachmentId or Blackhole"));
            }
            (_, Some(TgwRouteTarget::Attachment(att))) => {
                let a = self.find_tgw_attachment(scope, &att)?;
                if !a.on_gateway(&t.transit_gateway_id) {
                    return Err(Error::invalid_parameter_value(format!(
                        "Transit Gateway Attachment {att} does not belong to the Transit Gateway of {rtb_id}."
                    )));
                }
                Some(TgwRouteTarget::Attachment(att))
            }
            (_, Some(TgwRouteTarget::Blackhole)) => Some(TgwRouteTarget::Blackhole),
        };
        let missing = || {
            Error::new(
                Ec2::InvalidRouteNotFound,
                format!(
                    "No route with destination-cidr-block {destination} in Transit Gateway Route Table {rtb_id}"
                ),
            )
        };
        let Some(t) = self.transit_gateway_route_tables.get_mut(rtb_id) else {
            return Err(route_table_not_found(rtb_id));
        };
        match (change, existing, target) {
            (RouteChange::Create, Some(_), _) => Err(Error::new(
                Ec2::RouteAlreadyExists,
                format!(
                    "Route {destination} already exists in Transit Gateway Route Table {rtb_id}."
                ),
            )),
            (RouteChange::Create, None, Some(target)) => {
                if t.routes.len() >= ROUTES_PER_TABLE {
                    return Err(Error::new(
                        Ec2::RouteLimitExceeded,
                        format!("The maximum number of routes in {rtb_id} has been reached."),
                    ));
                }
                t.routes.push(TgwStaticRoute { destination, target });
                t.routes.sort_by_key(|r| r.destination);
                Ok(())
            }
            (RouteChange::Replace, Some(i), Some(target)) => {
                if let Some(r) = t.routes.get_mut(i) {
                    r.target = target;
                }
                Ok(())
            }
            (RouteChange::Delete, Some(i), _) => {
                t.routes.remove(i);
                Ok(())
            }
            _ => Err(missing()),
        }
    }

    /// CreateTransitGatewayPrefixListReference / Modify… / Delete…: one reference per
    /// (table, customer-managed prefix list of the scope), to an attachment of the table's
    /// gateway or a blackhole. `target` is given for Create and Replace (Modify).
    pub fn change_tgw_prefix_list_reference(
        &mut self,
        scope: &Scope,
        rtb_id: &str,
        prefix_list_id: &str,
        target: Option<TgwRouteTarget>,
        change: RouteChange,
    ) -> Result<()> {
        let t = self.find_tgw_route_table(scope, rtb_id)?.clone();
        let list = self.find_customer_prefix_list(scope, prefix_list_id)?;
        if list.address_family != crate::types::ec2::prefix_list::AddressFamily::IPv4 {
            return Err(Error::invalid_parameter_value(format!(
                "The prefix list {prefix_list_id} is not an IPv4 prefix list."
            )));
        }
        let existing =
            t.prefix_list_references.iter().position(|r| r.prefix_list_id == prefix_list_id);
        if let Some(TgwRouteTarget::Attachment(att)) = &target {
            let a = self.find_tgw_attachment(scope, att)?;
            if !a.on_gateway(&t.transit_gateway_id) {
                return Err(Error::invalid_parameter_value(format!(
                    "Transit Gateway Attachment {att} does not belong to the Transit Gateway of {rtb_id}."
                )));
            }
        }
        let Some(t) = self.transit_gateway_route_tables.get_mut(rtb_id) else {
            return Err(route_table_not_found(rtb_id));
        };
        match (change, existing, target) {
            (RouteChange::Create, Some(_), _) => Err(Error::new(
                Ec2::RouteAlreadyExists,
                format!(
                    "Transit Gateway Route Table {rtb_id} already has a reference to prefix list {prefix_list_id}."
                ),
            )),
            (RouteChange::Create, None, Some(target)) => {
                t.prefix_list_references
                    .push(TgwPrefixListReference { prefix_list_id: prefix_list_id.into(), target });
                Ok(())
            }
            (RouteChange::Replace, Some(i), Some(target)) => {
                if let Some(r) = t.prefix_list_references.get_mut(i) {
                    r.target = target;
                }
                Ok(())
            }
            (RouteChange::Delete, Some(i), _) => {
                t.prefix_list_references.remove(i);
                Ok(())
            }
            (_, None, _) => Err(Error::new(
                Ec2::InvalidRouteNotFound,
                format!(
                    "Transit Gateway Route Table {rtb_id} has no reference to prefix list {prefix_list_id}."
                ),
            )),
            (_, Some(_), None) => {
                Err(Error::missing_parameter("TransitGatewayAttachmentId or Blackhole"))
            }
        }
    }

    /// The live VPC attachment of gateway `tgw_id` in VPC `vpc_id`, if any.
    pub fn tgw_attachment_in_vpc(&self, tgw_id: &str, vpc_id: &str) -> Option<&TgwAttachment> {
        self.transit_gateway_attachments.values().find(|a| {
            a.transit_gateway_id == tgw_id
                && a.is_live()
                && a.vpc().is_some_and(|v| v.vpc_id == vpc_id)
        })
    }

    /// The subnet of a VPC attachment in availability zone `zone`, if it has one there.
    pub fn tgw_attachment_subnet_in_zone<'a>(
        &'a self,
        attachment: &'a TgwAttachment,
        zone: &str,
    ) -> Option<&'a str> {
        attachment
            .vpc()?
            .subnet_ids
            .iter()
            .map(String::as_str)
            .find(|s| self.subnets.get(s).is_some_and(|s| s.availability_zone == zone))
    }

    /// The live attachments associated with route table `rtb_id`.
    pub fn tgw_route_table_associations<'a>(
        &'a self,
        rtb_id: &'a str,
    ) -> impl Iterator<Item = &'a TgwAttachment> + 'a {
        self.transit_gateway_attachments
            .values()
            .filter(move |a| a.is_live() && a.associated_with(rtb_id))
    }

    /// The CIDRs an attachment propagates into the tables it propagates to, by kind. The hook
    /// for each kind of attachment:
    /// - VPC: the VPC's IPv4 CIDR blocks;
    /// - VPN: the VPN connection's static routes, and the customer gateway's
    ///   `vpclab:advertised-cidrs` tag for a BGP connection (the project's stand-in for BGP);
    /// - peering: nothing (AWS does not propagate over peering attachments: static routes only);
    /// - Direct Connect gateway: what the transit virtual interfaces on it advertise (their
    ///   `vpclab:advertised-cidrs` tag, see [`World::direct_connect_routes_via_dx_gateway`]).
    pub fn tgw_propagated_cidrs(&self, a: &TgwAttachment) -> Vec<Ipv4Cidr> {
        if !a.is_available() {
            return Vec::new();
        }
        match &a.resource {
            AttachmentResource::Vpc(v) => self
                .vpcs
                .get(&v.vpc_id)
                .map(|vpc| vpc.cidr_blocks.iter().map(|b| b.cidr).collect())
                .unwrap_or_default(),
            AttachmentResource::Vpn { vpn_connection_id } => self
                .vpn_connections
                .get(vpn_connection_id)
                .map(|c| self.vpn_on_premises_blocks(c))
                .unwrap_or_default(),
            AttachmentResource::DirectConnectGateway { direct_connect_gateway_id } => {
                self.direct_connect_routes_via_dx_gateway(direct_connect_gateway_id)
            }
            AttachmentResource::Peering { .. } => Vec::new(),
        }
    }

    /// Every route in force in transit gateway route table `rtb_id`, by destination: its
    /// static routes, then the routes its propagating attachments bring for destinations no
    /// static route covers exactly (a static route wins over a propagated one of the same
    /// destination). Propagated routes of one destination from several attachments are one
    /// route with several attachments (ECMP). Empty for an unknown or deleted table.
    pub fn transit_gateway_routes(&self, rtb_id: &str) -> Vec<TgwRoute> {
        let Some(t) = self.transit_gateway_route_tables.get(rtb_id).filter(|t| t.is_live()) else {
            return Vec::new();
        };
        let static_route = |destination: Ipv4Cidr, target: &TgwRouteTarget, list: Option<&str>| {
            let (attachment_ids, up) = match target {
                TgwRouteTarget::Blackhole => (Vec::new(), false),
                TgwRouteTarget::Attachment(id) => (
                    vec![id.clone()],
                    self.transit_gateway_attachments.get(id).is_some_and(|a| a.is_available()),
                ),
            };
            TgwRoute {
                destination,
                route_type: TgwRouteType::Static,
                attachment_ids,
                state: if up { TgwRouteState::Active } else { TgwRouteState::Blackhole },
                prefix_list_id: list.map(str::to_owned),
            }
        };
        // By destination, so a table of thousands of propagated routes is built in n log n.
        let mut statics: BTreeMap<Ipv4Cidr, TgwRoute> = t
            .routes
            .iter()
            .map(|r| (r.destination, static_route(r.destination, &r.target, None)))
            .collect();
        // A prefix-list reference routes each entry no static route names exactly.
        for reference in &t.prefix_list_references {
            let Some(list) = self.prefix_lists.get(&reference.prefix_list_id) else { continue };
            for cidr in list.cidrs() {
                if let crate::cidr::Cidr::V4(destination) = cidr {
                    statics.entry(destination).or_insert_with(|| {
                        static_route(
                            destination,
                            &reference.target,
                            Some(&reference.prefix_list_id),
                        )
                    });
                }
            }
        }
        let mut propagated: BTreeMap<Ipv4Cidr, TgwRoute> = BTreeMap::new();
        for att_id in &t.propagations {
            let Some(a) = self.transit_gateway_attachments.get(att_id) else { continue };
            for destination in self.tgw_propagated_cidrs(a) {
                if statics.contains_key(&destination) {
                    continue;
                }
                let route = propagated.entry(destination).or_insert_with(|| TgwRoute {
                    destination,
                    route_type: TgwRouteType::Propagated,
                    attachment_ids: Vec::new(),
                    state: TgwRouteState::Active,
                    prefix_list_id: None,
                });
                if !route.attachment_ids.contains(att_id) {
                    route.attachment_ids.push(att_id.clone());
                }
            }
        }
        let mut out: Vec<TgwRoute> =
            statics.into_values().chain(propagated.into_values()).collect();
        out.sort_by_key(|r| (r.destination, r.route_type));
        out
    }

    /// The route of table `rtb_id` that `addr` takes: the longest prefix match (static before
    /// propagated on equal prefixes, which [`World::transit_gateway_routes`] already ensures).
    /// A blackhole route is returned as such; `None` when no route matches.
    pub fn tgw_route_for(&self, rtb_id: &str, addr: Ipv4Addr) -> Option<TgwRoute> {
        self.transit_gateway_routes(rtb_id)
            .into_iter()
            .filter(|r| r.destination.contains_addr(addr))
            .max_by_key(|r| (r.destination.prefix_len(), r.route_type == TgwRouteType::Static))
    }

    /// Whether a VPC route to transit gateway `tgw_id` in a table of `vpc_id` is active: the
    /// gateway exists and has an available attachment in the VPC.
    pub fn tgw_route_active(&self, tgw_id: &str, vpc_id: &str) -> bool {
        self.transit_gateways.get(tgw_id).is_some_and(|g| g.is_live())
            && self.tgw_attachment_in_vpc(tgw_id, vpc_id).is_some_and(|a| a.is_available())
    }
}
