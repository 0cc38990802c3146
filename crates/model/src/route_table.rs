//! Route tables: routes, their targets, and the associations that decide which subnets (and
//! which gateways, for edge routing) use a table.
//!
//! Every VPC has exactly one main association; a subnet without an explicit association uses
//! the VPC's main table ([`World::route_table_for_subnet`]). A route's state is never stored:
//! [`World::route_state`] derives `active` or `blackhole` from whether its target still exists
//! and can carry traffic for the table's VPC.

use crate::cidr::{Ipv4Cidr, Ipv6Cidr};
use crate::error::{Error, Result};
use crate::kinds::{self, Kind};
use crate::references::{Reference, References};
use crate::types::ec2::*;
use crate::world::{Scope, World};
use codes::Ec2;

/// The target parameters of CreateRoute / ReplaceRoute, as given (ids not yet checked).
#[derive(Debug, Clone, Default)]
pub struct TargetSpec {
    pub gateway_id: Option<String>,
    pub egress_only_internet_gateway_id: Option<String>,
    pub nat_gateway_id: Option<String>,
    pub instance_id: Option<String>,
    pub network_interface_id: Option<String>,
    pub vpc_peering_connection_id: Option<String>,
    pub transit_gateway_id: Option<String>,
    pub local_gateway_id: Option<String>,
    pub carrier_gateway_id: Option<String>,
    pub core_network_arn: Option<String>,
    pub vpc_endpoint_id: Option<String>,
    /// ReplaceRoute's `LocalTarget=true`: give a VPC block's route back to `local`.
    pub local_target: bool,
}

/// The destination parameters of CreateRoute / ReplaceRoute / DeleteRoute, as given.
#[derive(Debug, Clone, Default)]
pub struct DestinationSpec {
    pub cidr: Option<String>,
    pub ipv6_cidr: Option<String>,
    pub prefix_list_id: Option<String>,
}

/// Which way a route table association was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssociationRef {
    pub route_table_id: String,
    pub association: RouteTableAssociation,
}

impl RouteDestination {
    /// How AWS names the destination in messages (`0.0.0.0/0`, `pl-…`).
    pub fn text(&self) -> String {
        match self {
            RouteDestination::V4(c) => c.to_string(),
            RouteDestination::V6(c) => c.to_string(),
            RouteDestination::PrefixList(id) => id.clone(),
        }
    }
}

fn different_networks(rtb: &str, what: &str, id: &str) -> Error {
    Error::invalid_parameter_value(format!(
        "route table {rtb} and {what} {id} belong to different networks"
    ))
}

impl DestinationSpec {
    /// Exactly one destination, parsed and canonicalised.
    pub fn parse(&self) -> Result<RouteDestination> {
        let given = [self.cidr.is_some(), self.ipv6_cidr.is_some(), self.prefix_list_id.is_some()]
            .iter()
            .filter(|b| **b)
            .count();
        if given == 0 {
            return Err(Error::missing_parameter(
                "destinationCidrBlock or destinationIpv6CidrBlock or destinationPrefixListId",
            ));
        }
        if given > 1 {
            return Err(Error::invalid_combination(
                "Only one of destinationCidrBlock, destinationIpv6CidrBlock or destinationPrefixListId can be specified.",
            ));
        }
        if let Some(c) = &self.cidr {
            return Ipv4Cidr::parse(c, false).map(RouteDestination::V4).ok_or_else(|| {
                Error::invalid_parameter_value(format!(
                    "Value ({c}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block."
                ))
            });
        }
        if let Some(c) = &self.ipv6_cidr {
            return Ipv6Cidr::parse(c, false).map(RouteDestination::V6).ok_or_else(|| {
                Error::invalid_parameter_value(format!(
                    "Value ({c}) for parameter destinationIpv6CidrBlock is invalid. This is not a valid IPv6 CIDR block."
                ))
            });
        }
        let id = self.prefix_list_id.clone().unwrap_or_default();
        Ok(RouteDestination::PrefixList(id))
    }
}

/// CreateRoute and ReplaceRoute take exactly one target.
fn exactly_one_target(spec: &TargetSpec) -> Result<()> {
    let given = [
        &spec.gateway_id,
        &spec.egress_only_internet_gateway_id,
        &spec.nat_gateway_id,
        &spec.instance_id,
        &spec.network_interface_id,
        &spec.vpc_peering_connection_id,
        &spec.transit_gateway_id,
        &spec.local_gateway_id,
        &spec.carrier_gateway_id,
        &spec.core_network_arn,
        &spec.vpc_endpoint_id,
    ]
    .iter()
    .filter(|t| t.is_some())
    .count()
        + usize::from(spec.local_target);
    if given == 0 {
        return Err(Error::missing_parameter(
            "gatewayId, egressOnlyInternetGatewayId, natGatewayId, instanceId, networkInterfaceId, vpcPeeringConnectionId, transitGatewayId, localGatewayId, carrierGatewayId, coreNetworkArn or vpcEndpointId",
        ));
    }
    if given > 1 {
        return Err(Error::invalid_combination(
            "More than one target specified. Exactly one target must be specified.",
        ));
    }
    Ok(())
}

impl World {
    /// CreateRouteTable: a table with a local route for every block of the VPC.
    pub fn create_route_table(
        &mut self,
        scope: &Scope,
        vpc_id: &str,
        tags: &[(String, String)],
    ) -> Result<String> {
        crate::tags::validate(tags)?;
        let vpc = self.vpcs.find(&kinds::VPC, scope, vpc_id)?;
        if self.route_tables.count_keyed(&crate::indexes::vpc_key(vpc_id))
            >= self.quotas.route_tables_per_vpc
        {
            return Err(Error::quota(
                "route_tables_per_vpc",
                Ec2::RouteTableLimitExceeded,
                "The maximum number of route tables has been reached.",
            ));
        }
        let routes = local_routes(vpc);
        let id = self.fresh_id("rtb");
        self.route_tables.insert(
            id.clone(),
            RouteTable {
                id: id.clone(),
                owner: scope.clone(),
                vpc_id: vpc_id.to_owned(),
                routes,
                associations: vec![],
                propagating_vgws: vec![],
                tags: tags.iter().cloned().collect(),
            },
        );
        Ok(id)
    }

    /// DeleteRouteTable: refused while the table has any association, the main one included.
    pub fn delete_route_table(&mut self, scope: &Scope, id: &str) -> Result<()> {
        let table = self.route_tables.find(&kinds::ROUTE_TABLE, scope, id)?;
        if !table.associations.is_empty() {
            return Err(Error::dependency_violation(format!(
                "The routeTable '{id}' has dependencies and cannot be deleted."
            )));
        }
        self.route_tables.remove(id);
        Ok(())
    }

    /// The table a subnet's traffic uses: its explicit association, else its VPC's main table.
    pub fn route_table_for_subnet(&self, subnet_id: &str) -> Option<&RouteTable> {
        let subnet = self.subnets.get(subnet_id)?;
        let explicit = AssociationTarget::Subnet(subnet_id.to_owned());
        self.route_tables
            .rows_keyed(&crate::indexes::association_target_key(&subnet.vpc_id, &explicit))
            .find(|t| t.vpc_id == subnet.vpc_id)
            .or_else(|| self.main_route_table(&subnet.vpc_id))
    }

    /// The VPC's main route table.
    pub fn main_route_table(&self, vpc_id: &str) -> Option<&RouteTable> {
        let key = crate::indexes::association_target_key(vpc_id, &AssociationTarget::Main);
        self.route_tables.rows_keyed(&key).find(|t| t.vpc_id == vpc_id)
    }

    /// `active` when the route's target exists and can carry the table's traffic, else
    /// `blackhole` (a deleted or detached gateway, a deleted interface, a stopped or terminated
    /// instance). Targets of kinds the model does not hold yet are reported `active`.
    pub fn route_state(&self, table: &RouteTable, route: &Route) -> &'static str {
        let active = match &route.target {
            RouteTarget::Local => true,
            RouteTarget::Gateway(id) => match crate::ids::prefix_of(id) {
                "igw" => self
                    .internet_gateways
                    .get(id)
                    .is_some_and(|g| g.attached_vpc_id.as_deref() == Some(table.vpc_id.as_str())),
                "vpce" => self.live_gateway_endpoint(id).is_some_and(|e| e.vpc_id == table.vpc_id),
                "vgw" => self
                    .vpn_gateways
                    .get(id)
                    .is_some_and(|g| g.attached_vpc() == Some(table.vpc_id.as_str())),
                _ => true,
            },
            RouteTarget::EgressOnlyInternetGateway(id) => {
                self.egress_only_internet_gateways.get(id).is_some_and(|g| g.vpc_id == table.vpc_id)
            }
            RouteTarget::Instance { instance_id, network_interface_id } => {
                self.instances.get(instance_id).is_some_and(|i| {
                    matches!(i.state, InstanceState::Pending | InstanceState::Running)
                }) && self.network_interfaces.contains(network_interface_id)
            }
            RouteTarget::NetworkInterface(id) => self.network_interfaces.get(id).is_some_and(|e| {
                e.requester_managed
                    || e.attachment.as_ref().is_some_and(|a| {
                        self.instances.get(&a.instance_id).is_some_and(|i| {
                            matches!(i.state, InstanceState::Pending | InstanceState::Running)
                        })
                    })
            }),
            RouteTarget::NatGateway(id) => self
                .nat_gateways
                .get(id)
                .is_some_and(|n| n.state.is_live() && n.vpc_id == table.vpc_id),
            RouteTarget::VpcPeeringConnection(id) => self
                .vpc_peering_connections
                .get(id)
                .is_some_and(|p| p.is_active() && p.peer_of(&table.vpc_id).is_some()),
            RouteTarget::TransitGateway(id) => self.tgw_route_active(id, &table.vpc_id),
            RouteTarget::VpcEndpoint(id) => {
                self.vpc_endpoints.get(id).is_some_and(|e| e.is_live() && e.vpc_id == table.vpc_id)
            }
            RouteTarget::LocalGateway(_)
            | RouteTarget::CarrierGateway(_)
            | RouteTarget::CoreNetwork(_) => true,
        };
        if active { "active" } else { "blackhole" }
    }

    /// Whether a prefix list id names a list the scope can use: an AWS-managed list of its
    /// region or one of its own customer-managed lists.
    pub fn prefix_list_exists(&self, scope: &Scope, id: &str) -> bool {
        self.resolve_prefix_list(scope, id).is_some()
    }

    /// How many routes a route counts as against the route quota: one, or a prefix list's
    /// weight (its `MaxEntries`).
    pub fn route_weight(&self, owner: &Scope, destination: &RouteDestination) -> usize {
        match destination {
            RouteDestination::PrefixList(id) => self.prefix_list_weight(owner, id),
            _ => 1,
        }
    }

    /// The routes of a table that count against the route quota (those added by CreateRoute),
    /// weighted.
    pub fn route_table_weight(&self, table: &RouteTable) -> usize {
        table
            .routes
            .iter()
            .filter(|r| r.origin == RouteOrigin::CreateRoute)
            .map(|r| self.route_weight(&table.owner, &r.destination))
            .sum()
    }

    fn check_destination(&self, scope: &Scope, spec: &DestinationSpec) -> Result<RouteDestination> {
        let dest = spec.parse()?;
        if let RouteDestination::PrefixList(id) = &dest {
            if !crate::ids::is_well_formed("pl", id) {
                return Err(Error::new(
                    Ec2::InvalidPrefixListIdMalformed,
                    format!("Invalid id: \"{id}\" (expecting \"pl-...\")"),
                ));
            }
            if !self.prefix_list_exists(scope, id) {
                return Err(Error::not_found(Ec2::InvalidPrefixListIDNotFound, "prefix list", id));
            }
        }
        Ok(dest)
    }

    /// Resolves and checks the one target of CreateRoute / ReplaceRoute.
    fn check_target(
        &self,
        scope: &Scope,
        table: &RouteTable,
        dest: &RouteDestination,
        spec: &TargetSpec,
    ) -> Result<RouteTarget> {
        exactly_one_target(spec)?;
        let rtb = table.id.as_str();
        if spec.local_target {
            return Ok(RouteTarget::Local);
        }
        if let Some(id) = &spec.gateway_id {
            return self.check_gateway_target(scope, table, id);
        }
        if let Some(id) = &spec.egress_only_internet_gateway_id {
            let eigw = self.egress_only_internet_gateways.find(
                &kinds::EGRESS_ONLY_INTERNET_GATEWAY,
                scope,
                id,
            )?;
            if eigw.vpc_id != table.vpc_id {
                return Err(different_networks(rtb, "egress-only internet gateway", id));
            }
            if matches!(dest, RouteDestination::V4(_)) {
                return Err(Error::invalid_parameter_value(format!(
                    "Egress-only internet gateway {id} can only be the target of IPv6 routes."
                )));
            }
            return Ok(RouteTarget::EgressOnlyInternetGateway(id.clone()));
        }
        if let Some(id) = &spec.instance_id {
            return self.check_instance_target(scope, table, id);
        }
        if let Some(id) = &spec.network_interface_id {
            let eni = self.network_interfaces.find(&kinds::NETWORK_INTERFACE, scope, id)?;
            if eni.vpc_id != table.vpc_id {
                return Err(different_networks(rtb, "network interface", id));
            }
            return Ok(RouteTarget::NetworkInterface(id.clone()));
        }
        if let Some(id) = &spec.vpc_endpoint_id {
            // A (Gateway Load Balancer) endpoint of the caller's, in the table's VPC.
            let endpoint = self.find_vpc_endpoint(scope, id)?;
            if !endpoint.is_live() {
                return Err(kinds::VPC_ENDPOINT.not_found(id));
            }
            if endpoint.vpc_id != table.vpc_id {
                return Err(different_networks(rtb, "vpc endpoint", id));
            }
            return Ok(RouteTarget::VpcEndpoint(id.clone()));
        }
        // Local and carrier gateways and Cloud WAN are not modelled: only the id's shape is
        // checked, and the route is accepted and reported active.
        let shaped = |kind: &Kind, id: &String| -> Result<String> {
            if kind.malformed == kind.not_found {
                // AWS reports a badly shaped id of these kinds as missing.
                if !crate::ids::is_well_formed(kind.prefix, id) {
                    return Err(kind.not_found(id));
                }
            } else {
                kind.check_format(id)?;
            }
            Ok(id.clone())
        };
        if let Some(id) = &spec.nat_gateway_id {
            let id = shaped(&kinds::NAT_GATEWAY, id)?;
            let nat = self
                .nat_gateways
                .get(&id)
                .filter(|n| &n.owner == scope && n.state.is_live())
                .ok_or_else(|| kinds::NAT_GATEWAY.not_found(&id))?;
            if nat.vpc_id != table.vpc_id {
                return Err(different_networks(rtb, "NAT gateway", &id));
            }
            return Ok(RouteTarget::NatGateway(id));
        }
        if let Some(id) = &spec.vpc_peering_connection_id {
            return self.check_peering_target(table, id);
        }
        if let Some(id) = &spec.transit_gateway_id {
            // The gateway must exist; without an attachment in the VPC the route is a
            // blackhole (see `route_state`).
            let id = shaped(&kinds::TRANSIT_GATEWAY, id)?;
            self.transit_gateways
                .get(&id)
                .filter(|g| &g.owner == scope && g.is_live())
                .ok_or_else(|| kinds::TRANSIT_GATEWAY.not_found(&id))?;
            return Ok(RouteTarget::TransitGateway(id));
        }
        if let Some(id) = &spec.local_gateway_id {
            return Ok(RouteTarget::LocalGateway(shaped(&kinds::LOCAL_GATEWAY, id)?));
        }
        if let Some(id) = &spec.carrier_gateway_id {
            return Ok(RouteTarget::CarrierGateway(shaped(&kinds::CARRIER_GATEWAY, id)?));
        }
        if let Some(arn) = &spec.core_network_arn {
            let ok = arn.starts_with("arn:aws:networkmanager::")
                && arn.split(':').nth(5).is_some_and(|r| r.starts_with("core-network/"));
            if !ok {
                return Err(Error::invalid_parameter_value(format!(
                    "Value ({arn}) for parameter coreNetworkArn is invalid."
                )));
            }
            return Ok(RouteTarget::CoreNetwork(arn.clone()));
        }
        Err(Error::internal("no route target"))
    }

    /// A `GatewayId` target: an internet gateway, virtual private gateway or gateway endpoint
    /// of the table's VPC.
    fn check_gateway_target(
        &self,
        scope: &Scope,
        table: &RouteTable,
        id: &str,
    ) -> Result<RouteTarget> {
        let rtb = table.id.as_str();
        match crate::ids::prefix_of(id) {
            "igw" if crate::ids::is_well_formed("igw", id) => {
                let igw = self.internet_gateways.find(&kinds::INTERNET_GATEWAY, scope, id)?;
                if igw.attached_vpc_id.as_deref() != Some(table.vpc_id.as_str()) {
                    return Err(different_networks(rtb, "network gateway", id));
                }
                Ok(RouteTarget::Gateway(id.to_owned()))
            }
            "vgw" if crate::ids::is_well_formed("vgw", id) => {
                let vgw = self.vpn_gateways.find(&kinds::VPN_GATEWAY, scope, id)?;
                if vgw.attached_vpc() != Some(table.vpc_id.as_str()) {
                    return Err(different_networks(rtb, "network gateway", id));
                }
                Ok(RouteTarget::Gateway(id.to_owned()))
            }
            "vpce" if crate::ids::is_well_formed("vpce", id) => {
                let e = self.live_gateway_endpoint(id).filter(|e| &e.owner == scope).ok_or_else(
                    || Error::not_found(Ec2::InvalidGatewayIDNotFound, "gateway", id),
                )?;
                if e.vpc_id != table.vpc_id {
                    return Err(different_networks(rtb, "network gateway", id));
                }
                Ok(RouteTarget::Gateway(id.to_owned()))
            }
            _ => Err(Error::not_found(Ec2::InvalidGatewayIDNotFound, "gateway", id)),
        }
    }

    /// An `InstanceId` target: a live instance of the table's VPC with one interface, which
    /// the route records.
    fn check_instance_target(
        &self,
        scope: &Scope,
        table: &RouteTable,
        id: &str,
    ) -> Result<RouteTarget> {
        let rtb = table.id.as_str();
        let instance = self.instances.find(&kinds::INSTANCE, scope, id)?;
        if instance.state == InstanceState::Terminated {
            return Err(Error::new(
                Ec2::IncorrectInstanceState,
                format!(
                    "The instance '{id}' is not in a state from which it can be used as a route target."
                ),
            ));
        }
        if instance.vpc_id != table.vpc_id {
            return Err(different_networks(rtb, "instance", id));
        }
        let attached = self.network_interfaces.count_keyed(&crate::indexes::instance_key(id));
        if attached > 1 {
            return Err(Error::new(
                Ec2::InvalidInstanceID,
                format!(
                    "There are multiple interfaces attached to instance '{id}'. Please specify an interface ID for the operation instead."
                ),
            ));
        }
        Ok(RouteTarget::Instance {
            instance_id: id.to_owned(),
            network_interface_id: instance.primary_network_interface_id.clone(),
        })
    }

    /// A route to a peering connection: one of the table's VPC's own, pending or active.
    fn check_peering_target(&self, table: &RouteTable, id: &str) -> Result<RouteTarget> {
        let kind = &kinds::VPC_PEERING_CONNECTION;
        kind.check_format(id)?;
        let p = self
            .vpc_peering_connections
            .get(id)
            .filter(|p| p.is_side(&table.owner) && !p.state.is_closed())
            .ok_or_else(|| kind.not_found(id))?;
        if p.peer_of(&table.vpc_id).is_none() {
            return Err(different_networks(&table.id, "vpc peering connection", id));
        }
        Ok(RouteTarget::VpcPeeringConnection(id.to_owned()))
    }

    /// Routes inside a VPC block (more specific than a local route) may only go to middleboxes.
    fn check_more_specific(
        &self,
        table: &RouteTable,
        dest: &RouteDestination,
        target: &RouteTarget,
    ) -> Result<()> {
        let Some(vpc) = self.vpcs.get(&table.vpc_id) else { return Ok(()) };
        let inside = match dest {
            RouteDestination::V4(c) => vpc.contains_v4(*c),
            RouteDestination::V6(c) => vpc.contains_v6(*c),
            RouteDestination::PrefixList(_) => false,
        };
        let middlebox = matches!(
            target,
            RouteTarget::NetworkInterface(_)
                | RouteTarget::Instance { .. }
                | RouteTarget::NatGateway(_)
                | RouteTarget::VpcEndpoint(_)
                | RouteTarget::Local
        );
        if inside && !middlebox {
            return Err(Error::invalid_parameter_value(format!(
                "The destination CIDR block {} is equal to or more specific than one of this VPC's CIDR blocks. This route can target only an interface, an instance, a NAT gateway or a VPC endpoint.",
                dest.text()
            )));
        }
        Ok(())
    }

    /// CreateRoute.
    pub fn create_route(
        &mut self,
        scope: &Scope,
        rtb_id: &str,
        dest: &DestinationSpec,
        target: &TargetSpec,
    ) -> Result<()> {
        let table = self.route_tables.find(&kinds::ROUTE_TABLE, scope, rtb_id)?;
        if target.gateway_id.as_deref() == Some("local") {
            return Err(Error::not_found(Ec2::InvalidGatewayIDNotFound, "gateway", "local"));
        }
        if target.local_target {
            return Err(Error::invalid_parameter("LocalTarget is only valid with ReplaceRoute."));
        }
        let destination = self.check_destination(scope, dest)?;
        let existing = table.routes.iter().find(|r| r.destination == destination);
        let already = || {
            Error::new(
                Ec2::RouteAlreadyExists,
                format!("The route identified by {} already exists.", destination.text()),
            )
        };
        // A route equal to the local one is judged by its target first: through a gateway it
        // is AWS's InvalidParameterValue ("equal to or more specific"), not RouteAlreadyExists.
        if existing.is_some_and(|r| r.target != RouteTarget::Local) {
            return Err(already());
        }
        let resolved = self.check_target(scope, table, &destination, target)?;
        self.check_more_specific(table, &destination, &resolved)?;
        if existing.is_some() {
            return Err(already());
        }
        // A route to a prefix list counts as many routes as the list's MaxEntries.
        let weight = self.route_table_weight(table) + self.route_weight(scope, &destination);
        if weight > self.quotas.routes_per_route_table {
            return Err(Error::quota(
                "routes_per_route_table",
                Ec2::RouteLimitExceeded,
                format!(
                    "The maximum number of routes ({}) for route table {rtb_id} has been reached.",
                    self.quotas.routes_per_route_table
                ),
            ));
        }
        self.route_tables.find_mut(&kinds::ROUTE_TABLE, scope, rtb_id)?.routes.push(Route {
            destination,
            target: resolved,
            origin: RouteOrigin::CreateRoute,
        });
        Ok(())
    }

    /// ReplaceRoute: a new target for an existing destination. The local route keeps its
    /// target; `LocalTarget` only confirms it.
    pub fn replace_route(
        &mut self,
        scope: &Scope,
        rtb_id: &str,
        dest: &DestinationSpec,
        target: &TargetSpec,
    ) -> Result<()> {
        let table = self.route_tables.find(&kinds::ROUTE_TABLE, scope, rtb_id)?;
        let destination = self.check_destination(scope, dest)?;
        let Some(pos) = table.routes.iter().position(|r| r.destination == destination) else {
            return Err(Error::invalid_parameter_value(format!(
                "There is no route defined for '{}' in the route table. Use CreateRoute instead.",
                destination.text()
            )));
        };
        let current = table.routes.get(pos).map(|r| r.target.clone());
        let resolved = self.check_target(scope, table, &destination, target)?;
        match (current, &resolved) {
            (Some(RouteTarget::Local), RouteTarget::Local) => return Ok(()),
            (Some(RouteTarget::Local), _) => {
                return Err(Error::invalid_parameter_value(format!(
                    "cannot replace local route {} in route table {rtb_id}",
                    destination.text()
                )));
            }
            (_, RouteTarget::Local) => {
                return Err(Error::invalid_parameter_value(format!(
                    "LocalTarget can only be used for the route of a VPC CIDR block; {} is not one.",
                    destination.text()
                )));
            }
            _ => {}
        }
        self.check_more_specific(table, &destination, &resolved)?;
        let table = self.route_tables.find_mut(&kinds::ROUTE_TABLE, scope, rtb_id)?;
        if let Some(route) = table.routes.get_mut(pos) {
            route.target = resolved;
        }
        Ok(())
    }

    /// DeleteRoute: any route but the local ones, blackholes included.
    pub fn delete_route(
        &mut self,
        scope: &Scope,
        rtb_id: &str,
        dest: &DestinationSpec,
    ) -> Result<()> {
        let table = self.route_tables.find(&kinds::ROUTE_TABLE, scope, rtb_id)?;
        let destination = dest.parse()?;
        let Some(route) = table.routes.iter().find(|r| r.destination == destination) else {
            let kind = match destination {
                RouteDestination::PrefixList(_) => "destination-prefix-list-id",
                // AWS says destination-cidr-block for IPv6 too.
                _ => "destination-cidr-block",
            };
            return Err(Error::new(
                Ec2::InvalidRouteNotFound,
                format!("no route with {kind} {} in route table {rtb_id}", destination.text()),
            ));
        };
        if route.target == RouteTarget::Local {
            return Err(Error::invalid_parameter_value(format!(
                "cannot remove local route {} in route table {rtb_id}",
                destination.text()
            )));
        }
        self.route_tables
            .find_mut(&kinds::ROUTE_TABLE, scope, rtb_id)?
            .routes
            .retain(|r| r.destination != destination);
        Ok(())
    }

    /// Finds an association by id among the scope's tables.
    pub fn find_route_table_association(
        &self,
        scope: &Scope,
        association_id: &str,
    ) -> Result<AssociationRef> {
        self.route_tables
            .rows_keyed(&crate::indexes::member_key(association_id))
            .filter(|t| &t.owner == scope)
            .find_map(|t| {
                t.associations.iter().find(|a| a.id == association_id).map(|a| AssociationRef {
                    route_table_id: t.id.clone(),
                    association: a.clone(),
                })
            })
            .ok_or_else(|| {
                Error::new(
                    Ec2::InvalidAssociationIDNotFound,
                    format!("The association ID '{association_id}' does not exist"),
                )
            })
    }

    /// AssociateRouteTable with a subnet (`SubnetId`) or, for edge routing, an internet
    /// gateway (`GatewayId`). Returns the association id.
    pub fn associate_route_table(
        &mut self,
        scope: &Scope,
        rtb_id: &str,
        subnet_id: Option<&str>,
        gateway_id: Option<&str>,
    ) -> Result<String> {
        let table = self.route_tables.find(&kinds::ROUTE_TABLE, scope, rtb_id)?;
        let target = match (subnet_id, gateway_id) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid_combination(
                    "Only one of subnetId or gatewayId can be specified.",
                ));
            }
            (None, None) => return Err(Error::missing_parameter("subnetId or gatewayId")),
            (Some(subnet_id), None) => {
                let subnet = self.subnets.find(&kinds::SUBNET, scope, subnet_id)?;
                if subnet.vpc_id != table.vpc_id {
                    return Err(different_networks(rtb_id, "subnet", subnet_id));
                }
                AssociationTarget::Subnet(subnet_id.to_owned())
            }
            (None, Some(gw)) => {
                match crate::ids::prefix_of(gw) {
                    "igw" => {
                        let igw =
                            self.internet_gateways.find(&kinds::INTERNET_GATEWAY, scope, gw)?;
                        if igw.attached_vpc_id.as_deref() != Some(table.vpc_id.as_str()) {
                            return Err(different_networks(rtb_id, "gateway", gw));
                        }
                    }
                    "vgw" => {
                        let vgw = self.vpn_gateways.find(&kinds::VPN_GATEWAY, scope, gw)?;
                        if vgw.attached_vpc() != Some(table.vpc_id.as_str()) {
                            return Err(different_networks(rtb_id, "gateway", gw));
                        }
                    }
                    _ => {
                        return Err(Error::invalid_parameter_value(format!(
                            "Value ({gw}) for parameter gatewayId is invalid. Only internet gateways and virtual private gateways can be associated with a route table."
                        )));
                    }
                }
                AssociationTarget::Gateway(gw.to_owned())
            }
        };
        // AWS's text names only the table asked for (terraform-provider-aws#38960).
        let vpc = self.route_tables.get(rtb_id).map(|t| t.vpc_id.clone()).unwrap_or_default();
        let key = crate::indexes::association_target_key(&vpc, &target);
        if self.route_tables.count_keyed(&key) > 0 {
            return Err(Error::new(
                Ec2::ResourceAlreadyAssociated,
                format!(
                    "the specified association for route table {rtb_id} conflicts with an existing association"
                ),
            ));
        }
        let id = self.fresh_id("rtbassoc");
        self.route_tables
            .find_mut(&kinds::ROUTE_TABLE, scope, rtb_id)?
            .associations
            .push(RouteTableAssociation { id: id.clone(), target });
        Ok(id)
    }

    /// DisassociateRouteTable: any association but the main one.
    pub fn disassociate_route_table(&mut self, scope: &Scope, association_id: &str) -> Result<()> {
        let found = self.find_route_table_association(scope, association_id)?;
        if found.association.target == AssociationTarget::Main {
            return Err(Error::invalid_parameter_value(format!(
                "cannot disassociate the main route table association {association_id}"
            )));
        }
        self.route_tables
            .find_mut(&kinds::ROUTE_TABLE, scope, &found.route_table_id)?
            .associations
            .retain(|a| a.id != association_id);
        Ok(())
    }

    /// ReplaceRouteTableAssociation: moves an association (the main one included) to another
    /// table of the same VPC under a new id. Returns the new association id.
    pub fn replace_route_table_association(
        &mut self,
        scope: &Scope,
        association_id: &str,
        rtb_id: &str,
    ) -> Result<String> {
        let found = self.find_route_table_association(scope, association_id)?;
        let new_table = self.route_tables.find(&kinds::ROUTE_TABLE, scope, rtb_id)?;
        let vpc_id = new_table.vpc_id.clone();
        let old_vpc = self
            .route_tables
            .get(&found.route_table_id)
            .map(|t| t.vpc_id.clone())
            .ok_or_else(|| Error::internal("association's table vanished"))?;
        if old_vpc != vpc_id {
            return Err(Error::invalid_parameter_value(format!(
                "Route table {rtb_id} and association {association_id} belong to different networks"
            )));
        }
        let new_id = self.fresh_id("rtbassoc");
        if let Some(old) = self.route_tables.get_mut(&found.route_table_id) {
            old.associations.retain(|a| a.id != association_id);
        }
        let target = found.association.target;
        self.route_tables
            .find_mut(&kinds::ROUTE_TABLE, scope, rtb_id)?
            .associations
            .push(RouteTableAssociation { id: new_id.clone(), target: target.clone() });
        if target == AssociationTarget::Main
            && let Some(vpc) = self.vpcs.get_mut(&vpc_id)
        {
            vpc.main_route_table_id = rtb_id.to_owned();
        }
        Ok(new_id)
    }

    /// EnableVgwRoutePropagation / DisableVgwRoutePropagation. Enabling needs the gateway
    /// attached to the table's VPC; the propagated routes themselves are derived on demand
    /// ([`World::propagated_routes`]).
    pub fn set_vgw_route_propagation(
        &mut self,
        scope: &Scope,
        rtb_id: &str,
        gateway_id: &str,
        enable: bool,
    ) -> Result<()> {
        let table = self.route_tables.find(&kinds::ROUTE_TABLE, scope, rtb_id)?;
        let vgw = self.vpn_gateways.find(&kinds::VPN_GATEWAY, scope, gateway_id)?;
        if enable && vgw.attached_vpc() != Some(table.vpc_id.as_str()) {
            return Err(Error::new(
                Ec2::GatewayNotAttached,
                format!("resource {gateway_id} is not attached to network {}", table.vpc_id),
            ));
        }
        let table = self.route_tables.find_mut(&kinds::ROUTE_TABLE, scope, rtb_id)?;
        let present = table.propagating_vgws.iter().any(|g| g == gateway_id);
        if enable && !present {
            table.propagating_vgws.push(gateway_id.to_owned());
        } else if !enable && present {
            table.propagating_vgws.retain(|g| g != gateway_id);
        }
        Ok(())
    }
}

/// The local routes of a new table of `vpc`: one per IPv4 and IPv6 block.
pub(crate) fn local_routes(vpc: &Vpc) -> Vec<Route> {
    vpc.cidr_blocks
        .iter()
        .map(|b| RouteDestination::V4(b.cidr))
        .chain(vpc.ipv6_cidr_blocks.iter().map(|b| RouteDestination::V6(b.cidr)))
        .map(|destination| Route {
            destination,
            target: RouteTarget::Local,
            origin: RouteOrigin::CreateRouteTable,
        })
        .collect()
}

impl References for RouteTable {
    /// Its VPC and associated subnets; routes may lead nowhere (blackholes).
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        each(Reference::new("vpc", &self.vpc_id, "VpcId"));
        for a in &self.associations {
            if let AssociationTarget::Subnet(subnet_id) = &a.target {
                each(Reference::new("subnet", subnet_id, "Associations.SubnetId"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vpc::NewVpc;

    fn setup() -> (World, Scope, String, String) {
        let (mut w, scope, vpc) = crate::testkit::world_with_vpc();
        let rtb = w.create_route_table(&scope, &vpc, &[]).unwrap();
        (w, scope, vpc, rtb)
    }

    fn v4(c: &str) -> DestinationSpec {
        DestinationSpec { cidr: Some(c.into()), ..Default::default() }
    }

    fn gw(id: &str) -> TargetSpec {
        TargetSpec { gateway_id: Some(id.into()), ..Default::default() }
    }

    #[test]
    fn new_table_has_local_routes_for_every_block() {
        let (mut w, scope, vpc, _) = setup();
        w.associate_vpc_ipv6_block(&scope, &vpc).unwrap();
        let rtb = w.create_route_table(&scope, &vpc, &[]).unwrap();
        let t = w.route_tables.get(&rtb).unwrap();
        assert_eq!(t.routes.len(), 2);
        assert!(t.routes.iter().all(|r| r.target == RouteTarget::Local));
        assert!(t.associations.is_empty());
    }

    #[test]
    fn igw_route_goes_blackhole_when_detached_and_back() {
        let (mut w, scope, vpc, rtb) = setup();
        let igw = w.create_internet_gateway(&scope, &[]).unwrap();
        assert_eq!(
            w.create_route(&scope, &rtb, &v4("0.0.0.0/0"), &gw(&igw)).unwrap_err().code,
            "InvalidParameterValue"
        );
        w.attach_internet_gateway(&scope, &igw, &vpc).unwrap();
        w.create_route(&scope, &rtb, &v4("0.0.0.0/0"), &gw(&igw)).unwrap();
        let state = |w: &World| {
            let t = w.route_tables.get(&rtb).unwrap();
            let r = t.routes.iter().find(|r| r.target != RouteTarget::Local).unwrap();
            w.route_state(t, r)
        };
        assert_eq!(state(&w), "active");
        w.detach_internet_gateway(&scope, &igw, &vpc).unwrap();
        assert_eq!(state(&w), "blackhole");
        w.attach_internet_gateway(&scope, &igw, &vpc).unwrap();
        assert_eq!(state(&w), "active");
        w.detach_internet_gateway(&scope, &igw, &vpc).unwrap();
        w.delete_internet_gateway(&scope, &igw).unwrap();
        assert_eq!(state(&w), "blackhole");
        assert_eq!(w.route_tables.get(&rtb).unwrap().routes.len(), 2);
    }

    #[test]
    fn duplicates_local_and_missing_routes() {
        let (mut w, scope, vpc, rtb) = setup();
        let igw = w.create_internet_gateway(&scope, &[]).unwrap();
        w.attach_internet_gateway(&scope, &igw, &vpc).unwrap();
        w.create_route(&scope, &rtb, &v4("0.0.0.0/0"), &gw(&igw)).unwrap();
        let dup = w.create_route(&scope, &rtb, &v4("0.0.0.0/0"), &gw(&igw)).unwrap_err();
        assert_eq!(dup.code, "RouteAlreadyExists");
        // Equal to the local route through a gateway: the target is what AWS refuses.
        let local = w.create_route(&scope, &rtb, &v4("10.0.0.0/16"), &gw(&igw)).unwrap_err();
        assert_eq!(local.code, "InvalidParameterValue");
        let inside = w.create_route(&scope, &rtb, &v4("10.0.1.0/24"), &gw(&igw)).unwrap_err();
        assert_eq!(inside.code, "InvalidParameterValue");
        assert_eq!(
            w.delete_route(&scope, &rtb, &v4("10.0.0.0/16")).unwrap_err().message,
            format!("cannot remove local route 10.0.0.0/16 in route table {rtb}")
        );
        assert_eq!(
            w.delete_route(&scope, &rtb, &v4("1.0.0.0/8")).unwrap_err().code,
            "InvalidRoute.NotFound"
        );
        assert_eq!(
            w.replace_route(&scope, &rtb, &v4("1.0.0.0/8"), &gw(&igw)).unwrap_err().code,
            "InvalidParameterValue"
        );
        assert_eq!(
            w.create_route(&scope, &rtb, &v4("1.0.0.0/8"), &gw("local")).unwrap_err().code,
            "InvalidGatewayID.NotFound"
        );
        let two = TargetSpec {
            gateway_id: Some(igw.clone()),
            nat_gateway_id: Some("nat-0123456789abcdef0".into()),
            ..Default::default()
        };
        assert_eq!(
            w.create_route(&scope, &rtb, &v4("1.0.0.0/8"), &two).unwrap_err().code,
            "InvalidParameterCombination"
        );
        // Unmodelled targets: shape checked, accepted, active.
        let lgw = TargetSpec {
            local_gateway_id: Some("lgw-0123456789abcdef0".into()),
            ..Default::default()
        };
        w.create_route(&scope, &rtb, &v4("10.9.0.0/16"), &lgw).unwrap();
        // A peering connection must exist and join the table's VPC.
        let pcx = TargetSpec {
            vpc_peering_connection_id: Some("pcx-0123456789abcdef0".into()),
            ..Default::default()
        };
        assert_eq!(
            w.create_route(&scope, &rtb, &v4("10.8.0.0/16"), &pcx).unwrap_err().code,
            "InvalidVpcPeeringConnectionID.NotFound"
        );
        w.delete_route(&scope, &rtb, &v4("0.0.0.0/0")).unwrap();
    }

    #[test]
    fn route_quota() {
        let (mut w, scope, _vpc, rtb) = setup();
        w.quotas.routes_per_route_table = 2;
        let pcx = TargetSpec {
            local_gateway_id: Some("lgw-0123456789abcdef0".into()),
            ..Default::default()
        };
        w.create_route(&scope, &rtb, &v4("10.1.0.0/16"), &pcx).unwrap();
        w.create_route(&scope, &rtb, &v4("10.2.0.0/16"), &pcx).unwrap();
        assert_eq!(
            w.create_route(&scope, &rtb, &v4("10.3.0.0/16"), &pcx).unwrap_err().code,
            "RouteLimitExceeded"
        );
    }

    #[test]
    fn subnet_uses_explicit_table_else_main() {
        let (mut w, scope, vpc, rtb) = setup();
        let subnet = w.create_subnet(&scope, &vpc, "10.0.1.0/24", None, None, &[]).unwrap();
        let main = w.vpcs.get(&vpc).unwrap().main_route_table_id.clone();
        assert_eq!(w.route_table_for_subnet(&subnet).unwrap().id, main);
        let assoc = w.associate_route_table(&scope, &rtb, Some(&subnet), None).unwrap();
        assert_eq!(w.route_table_for_subnet(&subnet).unwrap().id, rtb);
        assert_eq!(
            w.associate_route_table(&scope, &main, Some(&subnet), None).unwrap_err().code,
            "Resource.AlreadyAssociated"
        );
        assert_eq!(w.delete_route_table(&scope, &rtb).unwrap_err().code, "DependencyViolation");
        w.disassociate_route_table(&scope, &assoc).unwrap();
        assert_eq!(w.route_table_for_subnet(&subnet).unwrap().id, main);
        assert_eq!(
            w.disassociate_route_table(&scope, &assoc).unwrap_err().code,
            "InvalidAssociationID.NotFound"
        );
    }

    #[test]
    fn main_association_moves_between_tables() {
        let (mut w, scope, vpc, rtb) = setup();
        let old_main = w.vpcs.get(&vpc).unwrap().main_route_table_id.clone();
        let main_assoc = w.route_tables.get(&old_main).unwrap().associations[0].id.clone();
        assert_eq!(
            w.disassociate_route_table(&scope, &main_assoc).unwrap_err().code,
            "InvalidParameterValue"
        );
        assert_eq!(
            w.delete_route_table(&scope, &old_main).unwrap_err().code,
            "DependencyViolation"
        );
        let new_assoc = w.replace_route_table_association(&scope, &main_assoc, &rtb).unwrap();
        assert_ne!(new_assoc, main_assoc);
        assert_eq!(w.main_route_table(&vpc).unwrap().id, rtb);
        assert_eq!(w.vpcs.get(&vpc).unwrap().main_route_table_id, rtb);
        assert!(w.route_tables.get(&old_main).unwrap().associations.is_empty());
        w.delete_route_table(&scope, &old_main).unwrap();
    }

    fn eni(id: &str, vpc: &str, subnet: &str, scope: &Scope) -> NetworkInterface {
        NetworkInterface {
            id: id.into(),
            owner: scope.clone(),
            subnet_id: subnet.into(),
            vpc_id: vpc.into(),
            availability_zone: "us-east-1a".into(),
            description: String::new(),
            private_ips: vec![],
            ipv6_addresses: vec![],
            security_groups: vec![],
            source_dest_check: true,
            attachment: None,
            mac_address: String::new(),
            interface_type: "interface".into(),
            requester_managed: false,
            requester_id: None,
            auto_public_ip: false,
            tags: Default::default(),
        }
    }

    #[test]
    fn interface_routes_are_checked_and_blackholed() {
        let (mut w, scope, vpc, rtb) = setup();
        let subnet = w.create_subnet(&scope, &vpc, "10.0.1.0/24", None, None, &[]).unwrap();
        let id = "eni-0123456789abcdef0";
        let to_eni = TargetSpec { network_interface_id: Some(id.into()), ..Default::default() };
        assert_eq!(
            w.create_route(&scope, &rtb, &v4("172.16.0.0/12"), &to_eni).unwrap_err().code,
            "InvalidNetworkInterfaceID.NotFound"
        );
        let mut managed = eni(id, &vpc, &subnet, &scope);
        managed.requester_managed = true;
        w.network_interfaces.insert(id.into(), managed);
        // Inside the VPC block: allowed for an interface (middlebox routing).
        w.create_route(&scope, &rtb, &v4("10.0.1.0/24"), &to_eni).unwrap();
        let state = |w: &World| {
            let t = w.route_tables.get(&rtb).unwrap();
            let r = t.routes.iter().find(|r| r.target != RouteTarget::Local).unwrap();
            w.route_state(t, r)
        };
        assert_eq!(state(&w), "active");
        // A detached, user-owned interface carries nothing.
        w.network_interfaces.insert(id.into(), eni(id, &vpc, &subnet, &scope));
        assert_eq!(state(&w), "blackhole");
        w.network_interfaces.remove(id);
        assert_eq!(state(&w), "blackhole");
        w.delete_route(&scope, &rtb, &v4("10.0.1.0/24")).unwrap();
        // An interface of another VPC is refused.
        let other = w
            .create_vpc(&scope, NewVpc { cidr: Some("10.1.0.0/16".into()), ..Default::default() })
            .unwrap();
        let other_subnet = w.create_subnet(&scope, &other, "10.1.1.0/24", None, None, &[]).unwrap();
        w.network_interfaces.insert(id.into(), eni(id, &other, &other_subnet, &scope));
        assert_eq!(
            w.create_route(&scope, &rtb, &v4("172.16.0.0/12"), &to_eni).unwrap_err().code,
            "InvalidParameterValue"
        );
    }

    #[test]
    fn vgw_propagation_reports_missing_gateway() {
        let (mut w, scope, _vpc, rtb) = setup();
        let err =
            w.set_vgw_route_propagation(&scope, &rtb, "vgw-0123456789abcdef0", true).unwrap_err();
        assert_eq!(err.code, "InvalidVpnGatewayID.NotFound");
    }
}
