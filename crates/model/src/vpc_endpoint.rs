//! VPC endpoints to AWS services of the endpoint's own region.
//!
//! A gateway endpoint (S3, DynamoDB) is a route target: each of its route tables gets a route
//! to the service's AWS-managed prefix list with `GatewayId` = the endpoint (origin
//! `CreateRoute`, as AWS shows it); deleting the endpoint or removing a table takes the route
//! away. An interface endpoint is one requester-managed interface per subnet (one subnet per
//! zone), with security groups (the VPC's default group when none is given).
//!
//! vpclab makes an endpoint `available` at once; a deleted one stays listed as `deleted` for
//! [`crate::nat_gateway::DELETED_RETENTION_MS`].

use crate::error::{Error, Result};
use crate::kinds;
use crate::references::{Reference, References};
use crate::types::ec2::eni::ManagedInterface;
pub use crate::types::ec2::vpc_endpoint::*;
use crate::types::ec2::*;
use crate::world::{Scope, World};
use codes::Ec2;

/// Interface-only services of every region.
const INTERFACE_SERVICES: &[&str] = &[
    "ec2",
    "ec2messages",
    "ecr.api",
    "ecr.dkr",
    "elasticloadbalancing",
    "kms",
    "logs",
    "monitoring",
    "secretsmanager",
    "sns",
    "sqs",
    "ssm",
    "ssmmessages",
    "sts",
];

/// The AWS services of `region`, in name order.
pub fn services(region: &str) -> Vec<Service> {
    let mut out = vec![
        Service {
            name: format!("com.amazonaws.{region}.s3"),
            short: "s3",
            types: vec![EndpointType::Gateway, EndpointType::Interface],
            private_dns_name: Some(format!("*.s3.{region}.amazonaws.com")),
        },
        Service {
            name: format!("com.amazonaws.{region}.dynamodb"),
            short: "dynamodb",
            types: vec![EndpointType::Gateway],
            private_dns_name: None,
        },
    ];
    for short in INTERFACE_SERVICES {
        let host = if *short == "ecr.dkr" { "dkr.ecr".to_owned() } else { (*short).to_owned() };
        let dns = if *short == "ecr.dkr" {
            format!("*.{host}.{region}.amazonaws.com")
        } else {
            format!("{host}.{region}.amazonaws.com")
        };
        out.push(Service {
            name: format!("com.amazonaws.{region}.{short}"),
            short,
            types: vec![EndpointType::Interface],
            private_dns_name: Some(dns),
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// A service of `region` by name.
pub fn find_service(region: &str, name: &str) -> Option<Service> {
    services(region).into_iter().find(|s| s.name == name)
}

/// The full-access policy AWS gives an endpoint created without one.
pub const DEFAULT_POLICY: &str = "{\"Version\":\"2008-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}]}";

/// AWS's answer for a service name the caller cannot see (none, or not allowed).
pub fn invalid_service_name(name: &str) -> Error {
    Error::new(Ec2::InvalidServiceName, format!("The Vpc Endpoint Service '{name}' does not exist"))
}

/// AWS's answer for an endpoint id that names none (Describe, Modify).
pub fn not_found(id: &str) -> Error {
    Error::new(
        Ec2::InvalidVpcEndpointIdNotFound,
        format!("The Vpc Endpoint Id '{id}' does not exist"),
    )
}

/// The description AWS gives an interface endpoint's interfaces.
pub fn interface_description(id: &str) -> String {
    format!("VPC Endpoint Interface {id}")
}

/// The regional DNS name of an interface endpoint, and one per zone.
pub fn dns_names(e: &VpcEndpoint, zones: &[String]) -> Vec<String> {
    let short = e.service_name.rsplit_once(&format!(".{}.", e.owner.region)).map_or("", |x| x.1);
    let suffix = e.id.trim_start_matches("vpce-");
    let tag: String = suffix.chars().rev().take(8).collect();
    let region = &e.owner.region;
    let first = format!("vpce-{suffix}-{tag}");
    let rest = format!("{short}.{region}.vpce.amazonaws.com");
    let mut out = vec![format!("{first}.{rest}")];
    out.extend(zones.iter().map(|z| format!("{first}-{z}.{rest}")));
    out
}

fn check_policy(policy: &str) -> Result<()> {
    match serde_json::from_str::<serde_json::Value>(policy) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        _ => Err(Error::new(Ec2::InvalidPolicyDocument, "The policy document is malformed.")),
    }
}

impl World {
    /// An endpoint of the scope (deleted ones included, while they are listed).
    pub fn find_vpc_endpoint(&self, scope: &Scope, id: &str) -> Result<&VpcEndpoint> {
        kinds::VPC_ENDPOINT.check_format(id)?;
        self.vpc_endpoints.get(id).filter(|e| &e.owner == scope).ok_or_else(|| not_found(id))
    }

    /// A live gateway endpoint by id (what a `GatewayId` vpce route leads to).
    pub fn live_gateway_endpoint(&self, id: &str) -> Option<&VpcEndpoint> {
        self.vpc_endpoints
            .get(id)
            .filter(|e| e.is_live() && e.endpoint_type == EndpointType::Gateway)
    }

    /// The interface endpoint a requester-managed interface belongs to.
    pub fn vpc_endpoint_of_interface(&self, eni_id: &str) -> Option<&VpcEndpoint> {
        self.vpc_endpoints
            .values()
            .find(|e| e.is_live() && e.network_interface_ids.iter().any(|n| n == eni_id))
    }

    /// Endpoints listed still: live ones, and deleted ones for an hour.
    pub fn listed_vpc_endpoints<'a>(
        &'a self,
        scope: &'a Scope,
        now: i64,
    ) -> impl Iterator<Item = &'a VpcEndpoint> + 'a {
        self.vpc_endpoints.in_scope(scope).filter(move |e| {
            e.delete_time
                .is_none_or(|t| now.saturating_sub(t) < crate::nat_gateway::DELETED_RETENTION_MS)
        })
    }

    /// The prefix list id of a gateway service of the scope's region.
    fn service_prefix_list(scope: &Scope, service: &str) -> Option<String> {
        crate::prefix_list::aws_managed(&scope.region)
            .into_iter()
            .find(|p| p.name == service)
            .map(|p| p.id)
    }

    /// CreateVpcEndpoint. Returns the endpoint id (an existing one for a repeated token).
    pub fn create_vpc_endpoint(
        &mut self,
        scope: &Scope,
        req: NewVpcEndpoint,
        now: i64,
    ) -> Result<String> {
        crate::tags::validate(&req.tags)?;
        if let Some(token) = &req.client_token
            && let Some(existing) =
                self.vpc_endpoints.in_scope(scope).find(|e| e.client_token.as_ref() == Some(token))
        {
            if existing.service_name != req.service_name || existing.vpc_id != req.vpc_id {
                return Err(Error::new(
                    Ec2::IdempotentParameterMismatch,
                    "The client token you have provided is associated with a resource that is already deleted or was created with different parameters.",
                ));
            }
            return Ok(existing.id.clone());
        }
        let vpc = self.vpcs.find(&kinds::VPC, scope, &req.vpc_id)?.clone();
        let endpoint_type = match req.endpoint_type.as_deref() {
            None => EndpointType::Gateway,
            Some(t) => EndpointType::parse(t).ok_or_else(|| {
                Error::invalid_parameter_value(format!(
                    "Value ({t}) for parameter vpcEndpointType is invalid. Valid values: Interface, Gateway, GatewayLoadBalancer, Resource, ServiceNetwork"
                ))
            })?,
        };
        let provided = self
            .endpoint_service_for_consumer(scope, &req.service_name)?
            .map(|s| (s.initial_state(scope), s.service_type, s.private_dns_name.clone()));
        let service = match &provided {
            Some((_, service_type, dns)) => Service {
                name: req.service_name.clone(),
                short: "",
                types: vec![*service_type],
                private_dns_name: dns.clone(),
            },
            None => find_service(&scope.region, &req.service_name)
                .ok_or_else(|| invalid_service_name(&req.service_name))?,
        };
        if !service.supports(endpoint_type) {
            return Err(Error::invalid_parameter(format!(
                "The Vpc Endpoint Service '{}' does not support endpoint type {}.",
                service.name,
                endpoint_type.name()
            )));
        }
        if let Some(p) = &req.policy_document {
            check_policy(p)?;
        }
        let id = self.fresh_id("vpce");
        let mut endpoint = VpcEndpoint {
            id: id.clone(),
            owner: scope.clone(),
            vpc_id: vpc.id.clone(),
            service_name: service.name.clone(),
            endpoint_type,
            state: provided.as_ref().map_or(EndpointState::Available, |p| p.0),
            policy_document: match (&provided, &req.policy_document) {
                (_, Some(p)) => Some(p.clone()),
                (Some(_), None) => None,
                (None, None) => Some(DEFAULT_POLICY.into()),
            },
            route_table_ids: vec![],
            subnet_ids: vec![],
            network_interface_ids: vec![],
            security_group_ids: vec![],
            private_dns_enabled: false,
            create_time: now,
            delete_time: None,
            client_token: req.client_token.clone(),
            tags: req.tags.iter().cloned().collect(),
        };
        match endpoint_type {
            EndpointType::Gateway => {
                if !req.subnet_ids.is_empty() || !req.security_group_ids.is_empty() {
                    return Err(Error::invalid_parameter(
                        "Subnets and security groups can only be specified for Interface endpoints.",
                    ));
                }
                if req.private_dns_enabled == Some(true) {
                    return Err(Error::invalid_parameter(
                        "Private DNS can only be enabled for Interface endpoints.",
                    ));
                }
                self.vpc_endpoints.insert(id.clone(), endpoint);
                self.add_endpoint_routes(scope, &id, &req.route_table_ids)?;
            }
            EndpointType::Interface => {
                if !req.route_table_ids.is_empty() {
                    return Err(Error::invalid_parameter(
                        "Route tables can only be specified for Gateway endpoints.",
                    ));
                }
                let default_dns = service.private_dns_name.is_some() && service.short != "s3";
                let private_dns = req.private_dns_enabled.unwrap_or(default_dns);
                if private_dns && service.private_dns_name.is_none() {
                    return Err(Error::invalid_parameter(format!(
                        "Private DNS can't be enabled because the service {} does not provide a private DNS name.",
                        service.name
                    )));
                }
                if private_dns && !(vpc.enable_dns_support && vpc.enable_dns_hostnames) {
                    return Err(Error::invalid_parameter(format!(
                        "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for {}",
                        vpc.id
                    )));
                }
                endpoint.private_dns_enabled = private_dns;
                let groups = if req.security_group_ids.is_empty() {
                    vec![vpc.default_security_group_id.clone()]
                } else {
                    req.security_group_ids.clone()
                };
                endpoint.security_group_ids =
                    self.check_endpoint_groups(scope, &vpc.id, &groups)?;
                self.vpc_endpoints.insert(id.clone(), endpoint);
                self.add_endpoint_subnets(scope, &id, &req.subnet_ids)?;
            }
            EndpointType::GatewayLoadBalancer => {
                if !req.route_table_ids.is_empty() || !req.security_group_ids.is_empty() {
                    return Err(Error::invalid_parameter(
                        "Route tables and security groups cannot be specified for Gateway Load Balancer endpoints.",
                    ));
                }
                if req.private_dns_enabled == Some(true) {
                    return Err(Error::invalid_parameter(
                        "Private DNS can only be enabled for Interface endpoints.",
                    ));
                }
                if req.subnet_ids.len() != 1 {
                    return Err(Error::invalid_parameter(
                        "A Gateway Load Balancer endpoint must be created in exactly one subnet.",
                    ));
                }
                self.vpc_endpoints.insert(id.clone(), endpoint);
                self.add_endpoint_subnets(scope, &id, &req.subnet_ids)?;
                let enis = self.vpc_endpoints.get(&id).map(|e| e.network_interface_ids.clone());
                for eni in enis.unwrap_or_default() {
                    if let Some(n) = self.network_interfaces.get_mut(&eni) {
                        n.interface_type = "gateway_load_balancer_endpoint".into();
                        n.security_groups.clear();
                    }
                }
            }
        }
        Ok(id)
    }

    fn check_endpoint_groups(
        &self,
        scope: &Scope,
        vpc_id: &str,
        groups: &[String],
    ) -> Result<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for g in groups {
            let group = self.find_security_group(scope, g)?;
            if group.vpc_id != vpc_id {
                return Err(Error::invalid_parameter(format!(
                    "The security group {g} does not belong to the VPC {vpc_id}."
                )));
            }
            if !out.contains(g) {
                out.push(g.clone());
            }
        }
        if out.len() > self.quotas.security_groups_per_interface {
            return Err(Error::quota(
                "security_groups_per_interface",
                Ec2::SecurityGroupsPerInterfaceLimitExceeded,
                "The maximum number of security groups per interface has been reached.",
            ));
        }
        Ok(out)
    }

    /// Adds a route to the service's prefix list in each table.
    fn add_endpoint_routes(&mut self, scope: &Scope, id: &str, tables: &[String]) -> Result<()> {
        if tables.is_empty() {
            return Ok(());
        }
        let e = self.vpc_endpoints.get(id).cloned().ok_or_else(|| not_found(id))?;
        let pl = Self::service_prefix_list(scope, &e.service_name)
            .ok_or_else(|| Error::internal("gateway service without a prefix list"))?;
        let destination = RouteDestination::PrefixList(pl.clone());
        for rtb in tables {
            if e.route_table_ids.contains(rtb) {
                continue;
            }
            let table = self.route_tables.find(&kinds::ROUTE_TABLE, scope, rtb)?;
            if table.vpc_id != e.vpc_id {
                return Err(Error::invalid_parameter(format!(
                    "route table {rtb} does not belong to vpc {}",
                    e.vpc_id
                )));
            }
            if table.routes.iter().any(|r| r.destination == destination) {
                return Err(Error::new(
                    Ec2::RouteAlreadyExists,
                    format!(
                        "route table {rtb} already has a route with destination-prefix-list-id {pl}"
                    ),
                ));
            }
            let weight = self.route_table_weight(table) + self.route_weight(scope, &destination);
            if weight > self.quotas.routes_per_route_table {
                return Err(Error::quota(
                    "routes_per_route_table",
                    Ec2::RouteLimitExceeded,
                    format!(
                        "The maximum number of routes ({}) for route table {rtb} has been reached.",
                        self.quotas.routes_per_route_table
                    ),
                ));
            }
            self.route_tables.find_mut(&kinds::ROUTE_TABLE, scope, rtb)?.routes.push(Route {
                destination: destination.clone(),
                target: RouteTarget::Gateway(id.to_owned()),
                origin: RouteOrigin::CreateRoute,
            });
            if let Some(e) = self.vpc_endpoints.get_mut(id) {
                e.route_table_ids.push(rtb.clone());
            }
        }
        Ok(())
    }

    /// Takes the endpoint's routes out of the tables named.
    fn remove_endpoint_routes(&mut self, id: &str, tables: &[String]) {
        for rtb in tables {
            if let Some(t) = self.route_tables.get_mut(rtb) {
                t.routes.retain(|r| r.target != RouteTarget::Gateway(id.to_owned()));
            }
        }
        if let Some(e) = self.vpc_endpoints.get_mut(id) {
            e.route_table_ids.retain(|t| !tables.contains(t));
        }
    }

    /// One requester-managed interface per subnet, one subnet per zone.
    fn add_endpoint_subnets(&mut self, scope: &Scope, id: &str, subnets: &[String]) -> Result<()> {
        let e = self.vpc_endpoints.get(id).cloned().ok_or_else(|| not_found(id))?;
        let mut zones: Vec<String> = e
            .subnet_ids
            .iter()
            .filter_map(|s| self.subnets.get(s))
            .map(|s| s.availability_zone.clone())
            .collect();
        for subnet_id in subnets {
            if e.subnet_ids.contains(subnet_id) {
                continue;
            }
            let subnet = self.subnets.find(&kinds::SUBNET, scope, subnet_id)?.clone();
            if subnet.vpc_id != e.vpc_id {
                return Err(Error::invalid_parameter(format!(
                    "The subnet ID '{subnet_id}' does not belong to the VPC '{}'.",
                    e.vpc_id
                )));
            }
            if zones.contains(&subnet.availability_zone) {
                return Err(Error::new(
                    Ec2::DuplicateSubnetsInSameZone,
                    format!(
                        "Found another VPC endpoint subnet in the availability zone of {subnet_id}. VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service."
                    ),
                ));
            }
            zones.push(subnet.availability_zone.clone());
            let ip = self.allocate_private_ip(subnet_id, None)?;
            let spec = ManagedInterface {
                security_groups: e.security_group_ids.clone(),
                ..ManagedInterface::new(interface_description(id), "vpc_endpoint", ip)
            };
            let eni_id = self.insert_managed_interface(scope, &subnet.id, spec)?;
            if let Some(e) = self.vpc_endpoints.get_mut(id) {
                e.subnet_ids.push(subnet_id.clone());
                e.network_interface_ids.push(eni_id);
            }
        }
        Ok(())
    }

    fn remove_endpoint_subnets(&mut self, id: &str, subnets: &[String]) {
        let Some(e) = self.vpc_endpoints.get(id).cloned() else { return };
        let mut kept_subnets = Vec::new();
        let mut kept_enis = Vec::new();
        for eni in &e.network_interface_ids {
            let subnet = self.network_interfaces.get(eni).map(|n| n.subnet_id.clone());
            match subnet {
                Some(s) if subnets.contains(&s) => self.remove_interface(eni),
                Some(s) => {
                    kept_subnets.push(s);
                    kept_enis.push(eni.clone());
                }
                None => {}
            }
        }
        if let Some(e) = self.vpc_endpoints.get_mut(id) {
            e.subnet_ids = kept_subnets;
            e.network_interface_ids = kept_enis;
        }
    }

    /// ModifyVpcEndpoint.
    pub fn modify_vpc_endpoint(
        &mut self,
        scope: &Scope,
        id: &str,
        change: EndpointChange,
    ) -> Result<()> {
        let e = self.find_vpc_endpoint(scope, id)?.clone();
        if !e.is_live() {
            return Err(not_found(id));
        }
        let gateway = e.endpoint_type == EndpointType::Gateway;
        let has_interface_changes = !change.add_subnet_ids.is_empty()
            || !change.remove_subnet_ids.is_empty()
            || !change.add_security_group_ids.is_empty()
            || !change.remove_security_group_ids.is_empty()
            || change.private_dns_enabled.is_some();
        let has_route_changes =
            !change.add_route_table_ids.is_empty() || !change.remove_route_table_ids.is_empty();
        if gateway && has_interface_changes {
            return Err(Error::invalid_parameter(
                "Subnets, security groups and private DNS can only be modified for Interface endpoints.",
            ));
        }
        if !gateway && has_route_changes {
            return Err(Error::invalid_parameter(
                "Route tables can only be modified for Gateway endpoints.",
            ));
        }
        if change.reset_policy && change.policy_document.is_some() {
            return Err(Error::invalid_combination(
                "ResetPolicy and PolicyDocument cannot be specified together.",
            ));
        }
        if let Some(p) = &change.policy_document {
            check_policy(p)?;
        }
        for rtb in &change.remove_route_table_ids {
            self.route_tables.find(&kinds::ROUTE_TABLE, scope, rtb)?;
        }
        self.remove_endpoint_routes(id, &change.remove_route_table_ids);
        self.add_endpoint_routes(scope, id, &change.add_route_table_ids)?;
        if !gateway {
            let mut groups = e.security_group_ids.clone();
            groups.retain(|g| !change.remove_security_group_ids.contains(g));
            groups.extend(change.add_security_group_ids.iter().cloned());
            if groups.is_empty() {
                return Err(Error::invalid_parameter(
                    "An interface endpoint must have at least one security group.",
                ));
            }
            let groups = self.check_endpoint_groups(scope, &e.vpc_id, &groups)?;
            if let Some(dns) = change.private_dns_enabled
                && dns
            {
                let vpc = self.vpcs.find(&kinds::VPC, scope, &e.vpc_id)?;
                if !(vpc.enable_dns_support && vpc.enable_dns_hostnames) {
                    return Err(Error::invalid_parameter(format!(
                        "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for {}",
                        vpc.id
                    )));
                }
            }
            self.remove_endpoint_subnets(id, &change.remove_subnet_ids);
            if let Some(e) = self.vpc_endpoints.get_mut(id) {
                e.security_group_ids = groups.clone();
                if let Some(dns) = change.private_dns_enabled {
                    e.private_dns_enabled = dns;
                }
            }
            self.add_endpoint_subnets(scope, id, &change.add_subnet_ids)?;
            let enis = self.vpc_endpoints.get(id).map(|e| e.network_interface_ids.clone());
            for eni in enis.unwrap_or_default() {
                if let Some(n) = self.network_interfaces.get_mut(&eni) {
                    n.security_groups = groups.clone();
                }
            }
        }
        if let Some(e) = self.vpc_endpoints.get_mut(id) {
            if change.reset_policy {
                e.policy_document = Some(DEFAULT_POLICY.into());
            }
            if let Some(p) = change.policy_document {
                e.policy_document = Some(p);
            }
        }
        Ok(())
    }

    /// DeleteVpcEndpoints, one id: routes and interfaces go; the endpoint is listed as
    /// `deleted` for a while. Deleting a deleted endpoint is accepted again.
    pub fn delete_vpc_endpoint(&mut self, scope: &Scope, id: &str, now: i64) -> Result<()> {
        let e =
            self.vpc_endpoints.get(id).filter(|e| &e.owner == scope).cloned().ok_or_else(|| {
                Error::new(
                    Ec2::InvalidVpcEndpointNotFound,
                    format!("The VpcEndpoint Id '{id}' does not exist"),
                )
            })?;
        if !e.is_live() {
            return Ok(());
        }
        self.remove_endpoint_routes(id, &e.route_table_ids);
        self.remove_endpoint_subnets(id, &e.subnet_ids);
        self.purge_deleted_vpc_endpoints(now);
        if let Some(e) = self.vpc_endpoints.get_mut(id) {
            e.state = EndpointState::Deleted;
            e.delete_time = Some(now);
        }
        Ok(())
    }

    fn purge_deleted_vpc_endpoints(&mut self, now: i64) {
        let old = self.vpc_endpoints.ids_where(|e| {
            e.delete_time
                .is_some_and(|t| now.saturating_sub(t) >= crate::nat_gateway::DELETED_RETENTION_MS)
        });
        for id in old {
            self.vpc_endpoints.remove(&id);
        }
    }

    /// Whether a live endpoint is in the VPC (DeleteVpc refuses then).
    pub fn vpc_has_endpoints(&self, vpc_id: &str) -> bool {
        self.vpc_endpoints.values().any(|e| e.is_live() && e.vpc_id == vpc_id)
    }
}

impl References for VpcEndpoint {
    /// A deleted endpoint stays listed after its interfaces are gone.
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        if !self.is_live() {
            return;
        }
        each(Reference::new("vpc", &self.vpc_id, "VpcId"));
        for eni in &self.network_interface_ids {
            each(Reference::new("network_interface", eni, "NetworkInterfaceIds"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3(vpc: &str, tables: &[&str]) -> NewVpcEndpoint {
        NewVpcEndpoint {
            vpc_id: vpc.into(),
            service_name: "com.amazonaws.us-east-1.s3".into(),
            route_table_ids: tables.iter().map(|t| (*t).to_owned()).collect(),
            ..Default::default()
        }
    }

    fn main_table(w: &World, vpc: &str) -> String {
        w.main_route_table(vpc).unwrap().id.clone()
    }

    #[test]
    fn a_gateway_endpoint_routes_its_tables_to_the_service_prefix_list() {
        let (mut w, scope, vpc) = crate::testkit::world_with_vpc();
        let rtb = main_table(&w, &vpc);
        let id = w.create_vpc_endpoint(&scope, s3(&vpc, &[&rtb]), 0).unwrap();
        let pl = crate::prefix_list::id_for("com.amazonaws.us-east-1.s3");
        let table = w.route_tables.get(&rtb).unwrap();
        let route = table
            .routes
            .iter()
            .find(|r| r.destination == RouteDestination::PrefixList(pl.clone()))
            .unwrap();
        assert_eq!(route.target, RouteTarget::Gateway(id.clone()));
        assert_eq!(route.origin, RouteOrigin::CreateRoute);
        assert_eq!(w.route_state(table, route), "active");
        let e = w.find_vpc_endpoint(&scope, &id).unwrap();
        assert_eq!(e.policy_document.as_deref(), Some(DEFAULT_POLICY));
        assert_eq!(e.route_table_ids, vec![rtb.clone()]);

        // A second S3 endpoint cannot route the same table.
        let err = w.create_vpc_endpoint(&scope, s3(&vpc, &[&rtb]), 0).unwrap_err();
        assert_eq!(err.code, "RouteAlreadyExists");

        // Removing the table takes the route away; adding it back restores it.
        let remove =
            EndpointChange { remove_route_table_ids: vec![rtb.clone()], ..Default::default() };
        w.modify_vpc_endpoint(&scope, &id, remove).unwrap();
        assert_eq!(w.route_tables.get(&rtb).unwrap().routes.len(), 1);
        let add = EndpointChange { add_route_table_ids: vec![rtb.clone()], ..Default::default() };
        w.modify_vpc_endpoint(&scope, &id, add).unwrap();
        assert_eq!(w.route_tables.get(&rtb).unwrap().routes.len(), 2);

        assert_eq!(w.delete_vpc(&scope, &vpc).unwrap_err().code, "DependencyViolation");
        w.delete_vpc_endpoint(&scope, &id, 0).unwrap();
        assert_eq!(w.route_tables.get(&rtb).unwrap().routes.len(), 1);
        assert_eq!(w.find_vpc_endpoint(&scope, &id).unwrap().state, EndpointState::Deleted);
        w.delete_vpc_endpoint(&scope, &id, 0).unwrap();
    }

    #[test]
    fn a_route_made_to_a_deleted_endpoint_is_a_blackhole() {
        let (mut w, scope, vpc) = crate::testkit::world_with_vpc();
        let rtb = w.create_route_table(&scope, &vpc, &[]).unwrap();
        let id = w.create_vpc_endpoint(&scope, s3(&vpc, &[]), 0).unwrap();
        let dest = crate::route_table::DestinationSpec {
            cidr: Some("52.216.0.0/15".into()),
            ..Default::default()
        };
        let target =
            crate::route_table::TargetSpec { gateway_id: Some(id.clone()), ..Default::default() };
        w.create_route(&scope, &rtb, &dest, &target).unwrap();
        let state = |w: &World| {
            let t = w.route_tables.get(&rtb).unwrap();
            w.route_state(t, t.routes.last().unwrap())
        };
        assert_eq!(state(&w), "active");
        w.delete_vpc_endpoint(&scope, &id, 0).unwrap();
        assert_eq!(state(&w), "blackhole");
        let err = w.create_route(&scope, &rtb, &dest, &target).unwrap_err();
        assert_eq!(err.code, "RouteAlreadyExists");
        let other = crate::route_table::DestinationSpec {
            cidr: Some("54.231.0.0/16".into()),
            ..Default::default()
        };
        let err = w.create_route(&scope, &rtb, &other, &target).unwrap_err();
        assert_eq!(err.code, "InvalidGatewayID.NotFound");
    }

    #[test]
    fn unknown_services_and_wrong_types_are_refused() {
        let (mut w, scope, vpc) = crate::testkit::world_with_vpc();
        let mut req = s3(&vpc, &[]);
        req.service_name = "com.amazonaws.us-east-1.nosuch".into();
        assert_eq!(w.create_vpc_endpoint(&scope, req, 0).unwrap_err().code, "InvalidServiceName");
        let mut req = s3(&vpc, &[]);
        req.service_name = "com.amazonaws.eu-west-1.s3".into();
        assert_eq!(w.create_vpc_endpoint(&scope, req, 0).unwrap_err().code, "InvalidServiceName");
        let mut req = s3(&vpc, &[]);
        req.service_name = "com.amazonaws.us-east-1.sts".into();
        assert_eq!(w.create_vpc_endpoint(&scope, req, 0).unwrap_err().code, "InvalidParameter");
        let mut req = s3(&vpc, &[]);
        req.policy_document = Some("not json".into());
        assert_eq!(
            w.create_vpc_endpoint(&scope, req, 0).unwrap_err().code,
            "InvalidPolicyDocument"
        );
        assert_eq!(
            w.find_vpc_endpoint(&scope, "vpce-0123456789abcdef0").unwrap_err().code,
            "InvalidVpcEndpointId.NotFound"
        );
    }

    #[test]
    fn an_interface_endpoint_has_one_interface_per_subnet() {
        let (mut w, scope, vpc, subnet) = crate::testkit::world_with_subnet("10.0.1.0/24");
        let same_zone =
            w.create_subnet(&scope, &vpc, "10.0.2.0/24", Some("us-east-1a"), None, &[]).unwrap();
        let other_zone =
            w.create_subnet(&scope, &vpc, "10.0.3.0/24", Some("us-east-1b"), None, &[]).unwrap();
        let req = |subnets: Vec<String>| NewVpcEndpoint {
            vpc_id: vpc.clone(),
            service_name: "com.amazonaws.us-east-1.ssm".into(),
            endpoint_type: Some("Interface".into()),
            subnet_ids: subnets,
            private_dns_enabled: Some(false),
            ..Default::default()
        };
        let err =
            w.create_vpc_endpoint(&scope, req(vec![subnet.clone(), same_zone]), 0).unwrap_err();
        assert_eq!(err.code, "DuplicateSubnetsInSameZone");
        let id = w.create_vpc_endpoint(&scope, req(vec![subnet.clone()]), 0).unwrap();
        let e = w.find_vpc_endpoint(&scope, &id).unwrap().clone();
        let default_sg = w.vpcs.get(&vpc).unwrap().default_security_group_id.clone();
        assert_eq!(e.security_group_ids, vec![default_sg.clone()]);
        let eni = w.network_interfaces.get(&e.network_interface_ids[0]).unwrap();
        assert_eq!(eni.interface_type, "vpc_endpoint");
        assert_eq!(eni.description, format!("VPC Endpoint Interface {id}"));
        assert!(eni.requester_managed);
        assert_eq!(eni.security_groups, vec![default_sg]);
        let add = EndpointChange { add_subnet_ids: vec![other_zone.clone()], ..Default::default() };
        w.modify_vpc_endpoint(&scope, &id, add).unwrap();
        assert_eq!(w.find_vpc_endpoint(&scope, &id).unwrap().network_interface_ids.len(), 2);
        let enis = w.find_vpc_endpoint(&scope, &id).unwrap().network_interface_ids.clone();
        w.delete_vpc_endpoint(&scope, &id, 0).unwrap();
        assert!(enis.iter().all(|n| !w.network_interfaces.contains(n)));
    }
}
