//! VPC endpoint services (PrivateLink): a provider's Network or Gateway Load Balancers offered
//! to consumers in other VPCs and accounts of the same region.
//!
//! A service (`vpce-svc-…`, named `com.amazonaws.vpce.<region>.vpce-svc-…`) fronts the
//! provider's load balancers (all network, or all gateway). Consumers see it — in
//! DescribeVpcEndpointServices, and to create endpoints to — when they are its owner or one of
//! its allowed principals (`arn:aws:iam::<account>:root`, an IAM user or role ARN of the
//! account, or `*`). A consumer's endpoint to it is a *connection*: `pendingAcceptance` when the
//! service requires acceptance and the consumer is another account, else `available`; the
//! provider accepts or rejects it. The connection is the consumer's [`VpcEndpoint`] itself: its
//! state is the connection's state.
//!
//! A service with connections `pendingAcceptance` or `available` cannot be deleted
//! (`ExistingVpcEndpointConnections`), nor can a load balancer a service fronts
//! (`ResourceInUse`).

use crate::error::{Error, Result};
use crate::kinds;
use crate::references::{Reference, References};
pub use crate::types::ec2::endpoint_service::*;
use crate::types::elbv2::load_balancer::LbType;
use crate::vpc_endpoint::{EndpointState, EndpointType, VpcEndpoint};
use crate::world::{Scope, World};
use codes::Ec2;

/// AWS's answer for a service id that names none of the caller's services.
pub fn not_found(id: &str) -> Error {
    Error::new(
        Ec2::InvalidVpcEndpointServiceIdNotFound,
        format!("The VpcEndpointService Id '{id}' does not exist"),
    )
}

fn check_dns_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 255
        && name.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && (l == "*" || l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        })
        && name.contains('.');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_parameter(format!("The private DNS name '{name}' is not valid.")))
    }
}

fn check_ip_types(types: &[String]) -> Result<()> {
    for t in types {
        if t != "ipv4" && t != "ipv6" {
            return Err(Error::invalid_parameter_value(format!(
                "Value ({t}) for parameter supportedIpAddressType is invalid. Valid values: ipv4, ipv6"
            )));
        }
    }
    Ok(())
}

fn verification_record() -> (String, String) {
    let token = format!("{:016x}", fastrand::u64(..));
    let value = format!("vpce:{:032x}", fastrand::u128(..));
    (format!("_{token}"), value)
}

impl World {
    /// A service of the caller by id.
    pub fn find_endpoint_service(&self, scope: &Scope, id: &str) -> Result<&EndpointService> {
        kinds::VPC_ENDPOINT_SERVICE.check_format(id)?;
        self.vpc_endpoint_services
            .get(id)
            .filter(|s| &s.owner == scope)
            .ok_or_else(|| not_found(id))
    }

    /// The service a consumer in `scope` reaches by `name`: it exists in the scope's region and
    /// the consumer may use it. `Ok(None)` when the name is not an endpoint service's at all.
    pub fn endpoint_service_for_consumer(
        &self,
        scope: &Scope,
        name: &str,
    ) -> Result<Option<&EndpointService>> {
        if !name.starts_with("com.amazonaws.vpce.") {
            return Ok(None);
        }
        self.vpc_endpoint_services
            .values()
            .find(|s| {
                s.service_name == name && s.owner.region == scope.region && s.allows(&scope.account)
            })
            .map(Some)
            .ok_or_else(|| crate::vpc_endpoint::invalid_service_name(name))
    }

    /// The services a consumer in `scope` sees: its own and those that allow it.
    pub fn visible_endpoint_services<'a>(
        &'a self,
        scope: &'a Scope,
    ) -> impl Iterator<Item = &'a EndpointService> + 'a {
        self.vpc_endpoint_services
            .values()
            .filter(move |s| s.owner.region == scope.region && s.allows(&scope.account))
    }

    /// The service fronting a load balancer, if one does.
    pub fn endpoint_service_using(&self, lb_arn: &str) -> Option<String> {
        self.vpc_endpoint_services
            .values()
            .find(|s| s.load_balancer_arns().any(|a| a == lb_arn))
            .map(|s| s.id.clone())
    }

    /// The endpoints connected to a service (any account), deleted ones included while
    /// listed.
    pub fn endpoint_connections<'a>(
        &'a self,
        service: &'a EndpointService,
    ) -> impl Iterator<Item = &'a VpcEndpoint> + 'a {
        self.vpc_endpoints.values().filter(move |e| {
            e.service_name == service.service_name && e.owner.region == service.owner.region
        })
    }

    /// The live endpoint of a consumer's VPC to a service, if there is one (the engine's
    /// answer to "the service, seen from this VPC").
    pub fn endpoint_to_service_in_vpc(
        &self,
        service_id: &str,
        vpc_id: &str,
    ) -> Option<&VpcEndpoint> {
        let service = self.vpc_endpoint_services.get(service_id)?;
        self.endpoint_connections(service).find(|e| e.is_live() && e.vpc_id == vpc_id)
    }

    /// The service an endpoint connects to, if it is an endpoint service's.
    pub fn endpoint_service_of(&self, e: &VpcEndpoint) -> Option<&EndpointService> {
        self.vpc_endpoint_services
            .values()
            .find(|s| s.service_name == e.service_name && s.owner.region == e.owner.region)
    }

    /// Checks load balancer ARNs for a service: they exist in the caller's account and region,
    /// are of the type wanted, and front no other service.
    fn check_service_load_balancers(
        &self,
        scope: &Scope,
        arns: &[String],
        wanted: LbType,
        service_id: Option<&str>,
    ) -> Result<()> {
        for arn in arns {
            let lb =
                self.load_balancers.get(arn).filter(|lb| &lb.owner == scope).ok_or_else(|| {
                    Error::invalid_parameter(format!("The load balancer ARN '{arn}' is not valid."))
                })?;
            if lb.lb_type != wanted {
                return Err(Error::invalid_parameter(format!(
                    "The load balancer '{arn}' is not a {} Load Balancer.",
                    if wanted == LbType::Network { "Network" } else { "Gateway" }
                )));
            }
            if let Some(other) = self.endpoint_service_using(arn)
                && Some(other.as_str()) != service_id
            {
                return Err(Error::invalid_parameter(format!(
                    "The load balancer '{arn}' is already associated with the VPC endpoint service {other}."
                )));
            }
        }
        Ok(())
    }

    /// CreateVpcEndpointServiceConfiguration. Returns the service id (the existing one for a
    /// repeated client token).
    pub fn create_endpoint_service(
        &mut self,
        scope: &Scope,
        req: NewEndpointService,
        now: i64,
    ) -> Result<String> {
        crate::tags::validate(&req.tags)?;
        if let Some(token) = &req.client_token
            && let Some(existing) = self
                .vpc_endpoint_services
                .in_scope(scope)
                .find(|s| s.client_token.as_ref() == Some(token))
        {
            return Ok(existing.id.clone());
        }
        let (service_type, lb_type) = match (
            req.network_load_balancer_arns.is_empty(),
            req.gateway_load_balancer_arns.is_empty(),
        ) {
            (false, true) => (EndpointType::Interface, LbType::Network),
            (true, false) => (EndpointType::GatewayLoadBalancer, LbType::Gateway),
            (false, false) => {
                return Err(Error::invalid_combination(
                    "NetworkLoadBalancerArns and GatewayLoadBalancerArns cannot be specified together.",
                ));
            }
            // AWS's service framework words this one with the members' snake_case names (the
            // text moto's test of the same call records).
            (true, true) => {
                return Err(Error::invalid_parameter(
                    "exactly one of network_load_balancer_arn or gateway_load_balancer_arn is a required member",
                ));
            }
        };
        let arns = match lb_type {
            LbType::Network => &req.network_load_balancer_arns,
            _ => &req.gateway_load_balancer_arns,
        };
        self.check_service_load_balancers(scope, arns, lb_type, None)?;
        if let Some(name) = &req.private_dns_name {
            if service_type == EndpointType::GatewayLoadBalancer {
                return Err(Error::invalid_parameter(
                    "A private DNS name cannot be specified for a Gateway Load Balancer endpoint service.",
                ));
            }
            check_dns_name(name)?;
        }
        check_ip_types(&req.supported_ip_address_types)?;
        let id = self.fresh_id("vpce-svc");
        let service = EndpointService {
            id: id.clone(),
            owner: scope.clone(),
            service_name: format!("com.amazonaws.vpce.{}.{id}", scope.region),
            service_type,
            network_load_balancer_arns: dedup(&req.network_load_balancer_arns),
            gateway_load_balancer_arns: dedup(&req.gateway_load_balancer_arns),
            acceptance_required: req.acceptance_required.unwrap_or(true),
            private_dns_verification: req.private_dns_name.as_ref().map(|_| verification_record()),
            private_dns_name: req.private_dns_name,
            allowed_principals: vec![],
            supported_ip_address_types: if req.supported_ip_address_types.is_empty() {
                vec!["ipv4".into()]
            } else {
                dedup(&req.supported_ip_address_types)
            },
            create_time: now,
            client_token: req.client_token,
            tags: req.tags.into_iter().collect(),
        };
        self.vpc_endpoint_services.insert(id.clone(), service);
        Ok(id)
    }

    /// ModifyVpcEndpointServiceConfiguration.
    pub fn modify_endpoint_service(
        &mut self,
        scope: &Scope,
        id: &str,
        change: EndpointServiceChange,
    ) -> Result<()> {
        let s = self.find_endpoint_service(scope, id)?.clone();
        let (add, remove, wanted, other_add) = match s.service_type {
            EndpointType::GatewayLoadBalancer => (
                &change.add_gateway_load_balancer_arns,
                &change.remove_gateway_load_balancer_arns,
                LbType::Gateway,
                &change.add_network_load_balancer_arns,
            ),
            _ => (
                &change.add_network_load_balancer_arns,
                &change.remove_network_load_balancer_arns,
                LbType::Network,
                &change.add_gateway_load_balancer_arns,
            ),
        };
        if !other_add.is_empty() {
            return Err(Error::invalid_parameter(
                "An endpoint service fronts load balancers of one type only.",
            ));
        }
        self.check_service_load_balancers(scope, add, wanted, Some(id))?;
        let mut arns: Vec<String> = s.load_balancer_arns().cloned().collect();
        arns.retain(|a| !remove.contains(a));
        for a in add {
            if !arns.contains(a) {
                arns.push(a.clone());
            }
        }
        if arns.is_empty() {
            return Err(Error::invalid_parameter(
                "An endpoint service must keep at least one load balancer.",
            ));
        }
        if change.remove_private_dns_name && change.private_dns_name.is_some() {
            return Err(Error::invalid_combination(
                "PrivateDnsName and RemovePrivateDnsName cannot be specified together.",
            ));
        }
        if let Some(name) = &change.private_dns_name {
            if s.service_type == EndpointType::GatewayLoadBalancer {
                return Err(Error::invalid_parameter(
                    "A private DNS name cannot be specified for a Gateway Load Balancer endpoint service.",
                ));
            }
            check_dns_name(name)?;
        }
        check_ip_types(&change.add_supported_ip_address_types)?;
        let mut ip_types = s.supported_ip_address_types.clone();
        ip_types.retain(|t| !change.remove_supported_ip_address_types.contains(t));
        for t in &change.add_supported_ip_address_types {
            if !ip_types.contains(t) {
                ip_types.push(t.clone());
            }
        }
        if ip_types.is_empty() {
            return Err(Error::invalid_parameter(
                "An endpoint service must support at least one IP address type.",
            ));
        }
        let svc = self.vpc_endpoint_services.find_mut(&kinds::VPC_ENDPOINT_SERVICE, scope, id)?;
        match wanted {
            LbType::Gateway => svc.gateway_load_balancer_arns = arns,
            _ => svc.network_load_balancer_arns = arns,
        }
        svc.supported_ip_address_types = ip_types;
        if let Some(a) = change.acceptance_required {
            svc.acceptance_required = a;
        }
        if change.remove_private_dns_name {
            svc.private_dns_name = None;
            svc.private_dns_verification = None;
        }
        if let Some(name) = change.private_dns_name {
            svc.private_dns_verification = Some(verification_record());
            svc.private_dns_name = Some(name);
        }
        Ok(())
    }

    /// DeleteVpcEndpointServiceConfigurations, one id: refused while endpoints are connected
    /// (`pendingAcceptance` or `available`).
    pub fn delete_endpoint_service(&mut self, scope: &Scope, id: &str) -> Result<()> {
        let s = self.find_endpoint_service(scope, id)?;
        let connected = self.endpoint_connections(s).any(|e| {
            matches!(e.state, EndpointState::Available | EndpointState::PendingAcceptance)
        });
        if connected {
            return Err(Error::new(
                Ec2::ExistingVpcEndpointConnections,
                "Service has existing active VPC Endpoint connections!",
            ));
        }
        self.vpc_endpoint_services.remove(id);
        Ok(())
    }

    /// ModifyVpcEndpointServicePermissions: the principals added (with their permission ids).
    pub fn modify_endpoint_service_permissions(
        &mut self,
        scope: &Scope,
        id: &str,
        add: &[String],
        remove: &[String],
    ) -> Result<Vec<AllowedPrincipal>> {
        self.find_endpoint_service(scope, id)?;
        for p in add.iter().chain(remove) {
            if principal_type(p).is_none() {
                return Err(Error::new(
                    Ec2::InvalidPrincipal,
                    format!(
                        "Invalid principal {p}: expected '*' or an IAM ARN (arn:aws:iam::<account>:root, :user/…, :role/…)."
                    ),
                ));
            }
        }
        let mut added = Vec::new();
        let mut fresh: Vec<String> = Vec::new();
        for _ in add {
            fresh.push(self.fresh_id("vpce-svc-perm"));
        }
        let svc = self.vpc_endpoint_services.find_mut(&kinds::VPC_ENDPOINT_SERVICE, scope, id)?;
        svc.allowed_principals.retain(|p| !remove.contains(&p.principal));
        for (p, perm) in add.iter().zip(fresh) {
            if let Some(existing) = svc.allowed_principals.iter().find(|x| &x.principal == p) {
                added.push(existing.clone());
                continue;
            }
            let entry = AllowedPrincipal { principal: p.clone(), permission_id: perm };
            svc.allowed_principals.push(entry.clone());
            added.push(entry);
        }
        Ok(added)
    }

    /// AcceptVpcEndpointConnections / RejectVpcEndpointConnections, one endpoint: the
    /// provider moves a connection of its service to `available` or `rejected`.
    pub fn decide_endpoint_connection(
        &mut self,
        scope: &Scope,
        service_id: &str,
        endpoint_id: &str,
        accept: bool,
    ) -> Result<()> {
        let s = self.find_endpoint_service(scope, service_id)?.clone();
        let e = self
            .vpc_endpoints
            .get(endpoint_id)
            .filter(|e| e.service_name == s.service_name && e.owner.region == s.owner.region)
            .ok_or_else(|| crate::vpc_endpoint::not_found(endpoint_id))?;
        let next = match (accept, e.state) {
            (true, EndpointState::PendingAcceptance) => EndpointState::Available,
            (false, EndpointState::PendingAcceptance | EndpointState::Available) => {
                EndpointState::Rejected
            }
            (_, state) => {
                return Err(Error::new(
                    Ec2::InvalidVpcEndpointInvalidState,
                    format!(
                        "The VPC endpoint '{endpoint_id}' is in state '{}' and cannot be {}.",
                        state.name(),
                        if accept { "accepted" } else { "rejected" }
                    ),
                ));
            }
        };
        if let Some(e) = self.vpc_endpoints.get_mut(endpoint_id) {
            e.state = next;
        }
        Ok(())
    }
}

fn dedup(items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !out.contains(i) {
            out.push(i.clone());
        }
    }
    out
}

impl References for EndpointService {
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        for arn in self.network_load_balancer_arns.iter().chain(&self.gateway_load_balancer_arns) {
            each(Reference::new("load_balancer", arn, "NetworkLoadBalancerArns"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ec2::vpc_endpoint::NewVpcEndpoint;
    use crate::types::elbv2::load_balancer::NewLoadBalancer;

    /// A provider with an internal NLB and a service requiring acceptance; a consumer account
    /// with a VPC and subnet: (world, provider, consumer, service id, consumer vpc, subnet).
    fn privatelink() -> (World, Scope, Scope, String, String, String) {
        let (mut w, provider, vpc, subnet) = crate::testkit::world_with_subnet("10.0.1.0/24");
        let nlb = w
            .create_load_balancer(
                &provider,
                NewLoadBalancer {
                    name: "svc".into(),
                    lb_type: Some("network".into()),
                    scheme: Some("internal".into()),
                    subnets: vec![subnet],
                    ..Default::default()
                },
                0,
            )
            .unwrap();
        let _ = vpc;
        let svc = w
            .create_endpoint_service(
                &provider,
                NewEndpointService {
                    network_load_balancer_arns: vec![nlb],
                    acceptance_required: Some(true),
                    ..Default::default()
                },
                0,
            )
            .unwrap();
        let consumer = Scope::new("210987654321", "us-east-1");
        w.ensure_scope(&consumer).unwrap();
        let cvpc = w
            .create_vpc(
                &consumer,
                crate::vpc::NewVpc { cidr: Some("10.1.0.0/16".into()), ..Default::default() },
            )
            .unwrap();
        let csub = w
            .create_subnet(&consumer, &cvpc, "10.1.1.0/24", Some("us-east-1a"), None, &[])
            .unwrap();
        (w, provider, consumer, svc, cvpc, csub)
    }

    fn endpoint(name: &str, vpc: &str, subnet: &str) -> NewVpcEndpoint {
        NewVpcEndpoint {
            vpc_id: vpc.into(),
            service_name: name.into(),
            endpoint_type: Some("Interface".into()),
            subnet_ids: vec![subnet.into()],
            ..Default::default()
        }
    }

    #[test]
    fn a_service_needs_a_load_balancer_and_unknown_ids_are_not_found() {
        let (mut w, provider, ..) = privatelink();
        let err =
            w.create_endpoint_service(&provider, NewEndpointService::default(), 0).unwrap_err();
        assert_eq!(err.code, "InvalidParameter");
        assert_eq!(
            err.message,
            "exactly one of network_load_balancer_arn or gateway_load_balancer_arn is a required member"
        );
        // Lower-case letters and digits of any length are an id AWS looks up, not a malformed one.
        let err = w.find_endpoint_service(&provider, "vpce-svc-unknown").unwrap_err();
        assert_eq!(err.code, "InvalidVpcEndpointServiceId.NotFound");
        let err = w.find_vpc_endpoint(&provider, "vpce-Bad").unwrap_err();
        assert_eq!(err.code, "InvalidVpcEndpointId.Malformed");
        assert_eq!(
            err.message,
            "Invalid Id: 'vpce-Bad' (expecting 'vpce-...; the Id may only contain lowercase \
             alphanumeric characters and a single dash')"
        );
    }

    #[test]
    fn a_consumer_connects_once_allowed_and_the_provider_accepts() {
        let (mut w, provider, consumer, svc, cvpc, csub) = privatelink();
        let name = w.find_endpoint_service(&provider, &svc).unwrap().service_name.clone();
        assert_eq!(name, format!("com.amazonaws.vpce.us-east-1.{svc}"));
        assert_eq!(svc.len(), "vpce-svc-".len() + 17);

        // Not allowed yet: the service does not exist for the consumer.
        let err = w.create_vpc_endpoint(&consumer, endpoint(&name, &cvpc, &csub), 0).unwrap_err();
        assert_eq!(err.code, "InvalidServiceName");
        assert_eq!(w.visible_endpoint_services(&consumer).count(), 0);

        let added = w
            .modify_endpoint_service_permissions(
                &provider,
                &svc,
                &["arn:aws:iam::210987654321:root".into()],
                &[],
            )
            .unwrap();
        assert!(added[0].permission_id.starts_with("vpce-svc-perm-"));
        assert_eq!(added[0].principal_type(), "Account");
        assert_eq!(w.visible_endpoint_services(&consumer).count(), 1);

        let id = w.create_vpc_endpoint(&consumer, endpoint(&name, &cvpc, &csub), 0).unwrap();
        let e = w.find_vpc_endpoint(&consumer, &id).unwrap();
        assert_eq!(e.state, EndpointState::PendingAcceptance);
        assert_eq!(e.network_interface_ids.len(), 1);

        // The service cannot go while the connection is pending.
        assert_eq!(
            w.delete_endpoint_service(&provider, &svc).unwrap_err().code,
            "ExistingVpcEndpointConnections"
        );
        w.decide_endpoint_connection(&provider, &svc, &id, true).unwrap();
        assert_eq!(w.find_vpc_endpoint(&consumer, &id).unwrap().state, EndpointState::Available);
        let err = w.decide_endpoint_connection(&provider, &svc, &id, true).unwrap_err();
        assert_eq!(err.code, "InvalidVpcEndpoint.InvalidState");
        w.decide_endpoint_connection(&provider, &svc, &id, false).unwrap();
        assert_eq!(w.find_vpc_endpoint(&consumer, &id).unwrap().state, EndpointState::Rejected);
        w.delete_endpoint_service(&provider, &svc).unwrap();
        assert_eq!(
            w.find_endpoint_service(&provider, &svc).unwrap_err().code,
            "InvalidVpcEndpointServiceId.NotFound"
        );
    }

    #[test]
    fn the_owner_connects_without_acceptance() {
        let (mut w, provider, _, svc, _, _) = privatelink();
        let name = w.find_endpoint_service(&provider, &svc).unwrap().service_name.clone();
        let vpc = w
            .vpcs
            .in_scope(&provider)
            .find(|v| v.cidr_blocks.first().is_some_and(|c| c.cidr.to_string() == "10.0.0.0/16"))
            .unwrap()
            .id
            .clone();
        let subnet = w.subnets.in_scope(&provider).find(|s| s.vpc_id == vpc).unwrap().id.clone();
        let id = w.create_vpc_endpoint(&provider, endpoint(&name, &vpc, &subnet), 0).unwrap();
        assert_eq!(w.find_vpc_endpoint(&provider, &id).unwrap().state, EndpointState::Available);
    }

    #[test]
    fn services_check_their_load_balancers_and_principals() {
        let (mut w, provider, consumer, svc, _, _) = privatelink();
        let nlb =
            w.find_endpoint_service(&provider, &svc).unwrap().network_load_balancer_arns[0].clone();
        let new = |arns: Vec<String>| NewEndpointService {
            network_load_balancer_arns: arns,
            ..Default::default()
        };
        let unknown = nlb.replace("/net/svc/", "/net/nope/");
        assert_eq!(
            w.create_endpoint_service(&provider, new(vec![unknown]), 0).unwrap_err().code,
            "InvalidParameter"
        );
        // Another account's load balancer is not the caller's to offer.
        assert_eq!(
            w.create_endpoint_service(&consumer, new(vec![nlb.clone()]), 0).unwrap_err().code,
            "InvalidParameter"
        );
        // One service per load balancer.
        assert_eq!(
            w.create_endpoint_service(&provider, new(vec![nlb.clone()]), 0).unwrap_err().code,
            "InvalidParameter"
        );
        assert_eq!(
            w.create_endpoint_service(&provider, new(vec![]), 0).unwrap_err().code,
            "InvalidParameter"
        );
        assert_eq!(w.delete_load_balancer(&provider, &nlb).unwrap_err().code, "ResourceInUse");
        let err = w
            .modify_endpoint_service_permissions(&provider, &svc, &["210987654321".into()], &[])
            .unwrap_err();
        assert_eq!(err.code, "InvalidPrincipal");
        w.modify_endpoint_service_permissions(&provider, &svc, &["*".into()], &[]).unwrap();
        assert!(w.find_endpoint_service(&provider, &svc).unwrap().allows("999999999999"));
        let change = EndpointServiceChange {
            remove_network_load_balancer_arns: vec![nlb],
            ..Default::default()
        };
        assert_eq!(
            w.modify_endpoint_service(&provider, &svc, change).unwrap_err().code,
            "InvalidParameter"
        );
    }
}
