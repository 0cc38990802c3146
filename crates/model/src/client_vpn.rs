//! Client VPN endpoints: remote users' OpenVPN sessions terminate at an endpoint, which sends
//! their traffic into a VPC through target network associations (one subnet per zone).
//!
//! An endpoint starts `pending-associate` and becomes `available` with its first association;
//! each association is a requester-managed interface in its subnet (clients' traffic leaves it
//! source-NATed to the interface's address, with the endpoint's security groups) and adds a
//! route for the VPC's CIDR to the endpoint's route table (origin `associate`). Routes added
//! with CreateClientVpnRoute (origin `add-route`) must target an associated subnet; clients
//! reach a destination only when an authorization rule covers it.
//!
//! vpclab makes every state change at once: associations are `associated` when created and
//! gone when disassociated, an endpoint is gone when deleted (the call answers `deleting`).

use crate::cidr::Ipv4Cidr;
use crate::error::{Error, Result};
use crate::kinds;
pub use crate::types::ec2::client_vpn::*;
use crate::types::ec2::eni::ManagedInterface;
use crate::world::{Scope, World};
use codes::Ec2;
use std::net::Ipv4Addr;

pub const DEFAULT_PORT: i32 = 443;
pub const DEFAULT_SESSION_TIMEOUT_HOURS: i32 = 24;
/// The description AWS gives an association's interface.
pub const INTERFACE_DESCRIPTION: &str = "ClientVPN Endpoint resource";

fn check_port(port: i32) -> Result<i32> {
    if port == 443 || port == 1194 {
        Ok(port)
    } else {
        Err(Error::invalid_parameter_value(format!(
            "Invalid VPN port {port}. Valid values are 443 and 1194."
        )))
    }
}

fn check_timeout(hours: i32) -> Result<i32> {
    if [8, 10, 12, 24].contains(&hours) {
        Ok(hours)
    } else {
        Err(Error::invalid_parameter_value(format!(
            "Invalid session timeout {hours}. Valid values are 8, 10, 12 and 24 hours."
        )))
    }
}

fn check_dns_servers(servers: &[String]) -> Result<Vec<String>> {
    if servers.len() > 2 {
        return Err(Error::invalid_parameter_value("At most 2 DNS servers can be specified."));
    }
    for s in servers {
        if s.parse::<Ipv4Addr>().is_err() {
            return Err(Error::invalid_parameter_value(format!("Invalid DNS server address {s}.")));
        }
    }
    Ok(servers.to_vec())
}

fn check_certificate_arn(arn: &str) -> Result<()> {
    if arn.starts_with("arn:") && arn.contains(":acm:") {
        Ok(())
    } else {
        Err(Error::invalid_parameter_value(format!("Certificate {arn} is not a valid ACM ARN.")))
    }
}

fn check_connection_log(log: &ConnectionLog) -> Result<()> {
    if log.enabled && log.log_group.as_deref().is_none_or(str::is_empty) {
        return Err(Error::invalid_parameter_value(
            "CloudwatchLogGroup must be specified when connection logging is enabled.",
        ));
    }
    Ok(())
}

fn check_authentication(options: &[Authentication]) -> Result<()> {
    if options.is_empty() {
        return Err(Error::new(
            Ec2::MissingParameter,
            "The request must contain the parameter Authentication",
        ));
    }
    if options.len() > 2 {
        return Err(Error::invalid_parameter_value(
            "At most 2 authentication options can be specified.",
        ));
    }
    for o in options {
        let missing = match o.kind.as_str() {
            "certificate-authentication" => o
                .client_root_certificate_chain_arn
                .is_none()
                .then_some("MutualAuthentication.ClientRootCertificateChainArn"),
            "directory-service-authentication" => {
                o.directory_id.is_none().then_some("ActiveDirectory.DirectoryId")
            }
            "federated-authentication" => {
                o.saml_provider_arn.is_none().then_some("FederatedAuthentication.SAMLProviderArn")
            }
            other => {
                return Err(Error::invalid_parameter_value(format!(
                    "Invalid authentication type {other}. Valid values are certificate-authentication, directory-service-authentication and federated-authentication."
                )));
            }
        };
        if let Some(name) = missing {
            return Err(Error::new(
                Ec2::MissingParameter,
                format!("The request must contain the parameter {name}"),
            ));
        }
    }
    Ok(())
}

impl World {
    /// An endpoint of the scope.
    pub fn find_client_vpn_endpoint(&self, scope: &Scope, id: &str) -> Result<&ClientVpnEndpoint> {
        self.client_vpn_endpoints
            .get(id)
            .filter(|e| &e.owner == scope)
            .ok_or_else(|| kinds::CLIENT_VPN_ENDPOINT.not_found(id))
    }

    fn client_vpn_mut(&mut self, scope: &Scope, id: &str) -> Result<&mut ClientVpnEndpoint> {
        self.client_vpn_endpoints
            .get_mut(id)
            .filter(|e| &e.owner == scope)
            .ok_or_else(|| kinds::CLIENT_VPN_ENDPOINT.not_found(id))
    }

    /// The endpoint an association interface belongs to.
    pub fn client_vpn_of_interface(&self, eni_id: &str) -> Option<&ClientVpnEndpoint> {
        self.client_vpn_endpoints
            .values()
            .find(|e| e.associations.iter().any(|a| a.network_interface_id == eni_id))
    }

    /// The security groups an endpoint applies in `vpc`: those given (all of `vpc`), else the
    /// VPC's default group.
    fn client_vpn_groups(
        &self,
        scope: &Scope,
        vpc: &str,
        groups: &[String],
    ) -> Result<Vec<String>> {
        let vpc = self.vpcs.find(&kinds::VPC, scope, vpc)?;
        if groups.is_empty() {
            return Ok(vec![vpc.default_security_group_id.clone()]);
        }
        let mut out: Vec<String> = Vec::new();
        for g in groups {
            let group = self.find_security_group(scope, g)?;
            if group.vpc_id != vpc.id {
                return Err(Error::invalid_parameter_value(format!(
                    "Security group {g} does not belong to VPC {}.",
                    vpc.id
                )));
            }
            if !out.contains(g) {
                out.push(g.clone());
            }
        }
        if out.len() > 5 {
            return Err(Error::invalid_parameter_value(
                "At most 5 security groups can be applied.",
            ));
        }
        Ok(out)
    }

    /// CreateClientVpnEndpoint. Returns the endpoint id (an existing one for a repeated token).
    pub fn create_client_vpn_endpoint(
        &mut self,
        scope: &Scope,
        req: NewClientVpnEndpoint,
        now: i64,
    ) -> Result<String> {
        crate::tags::validate(&req.tags)?;
        if let Some(token) = &req.client_token
            && let Some(existing) = self
                .client_vpn_endpoints
                .in_scope(scope)
                .find(|e| e.client_token.as_ref() == Some(token))
        {
            return Ok(existing.id.clone());
        }
        let text = req.client_cidr_block.as_deref().ok_or_else(|| {
            Error::new(
                Ec2::MissingParameter,
                "The request must contain the parameter ClientCidrBlock",
            )
        })?;
        let client_cidr = Ipv4Cidr::parse(text, false)
            .ok_or_else(|| Error::invalid_parameter_value(format!("Invalid CIDR block {text}.")))?;
        if !(12..=22).contains(&client_cidr.prefix_len()) {
            return Err(Error::invalid_parameter_value(format!(
                "Client CIDR range {text} must have a size of at least /22 and must not be greater than /12."
            )));
        }
        check_certificate_arn(&req.server_certificate_arn)?;
        check_authentication(&req.authentication)?;
        check_connection_log(&req.connection_log)?;
        let transport_protocol = match req.transport_protocol.as_deref() {
            None => "udp".to_owned(),
            Some(p @ ("udp" | "tcp")) => p.to_owned(),
            Some(other) => {
                return Err(Error::invalid_parameter_value(format!(
                    "Invalid transport protocol {other}. Valid values are udp and tcp."
                )));
            }
        };
        let vpn_port = check_port(req.vpn_port.unwrap_or(DEFAULT_PORT))?;
        let session_timeout_hours =
            check_timeout(req.session_timeout_hours.unwrap_or(DEFAULT_SESSION_TIMEOUT_HOURS))?;
        let dns_servers = check_dns_servers(&req.dns_servers)?;
        let (vpc_id, security_group_ids) = match &req.vpc_id {
            Some(vpc) => {
                let groups = self.client_vpn_groups(scope, vpc, &req.security_group_ids)?;
                self.check_client_cidr_against_vpc(client_cidr, vpc)?;
                (Some(vpc.clone()), groups)
            }
            None if !req.security_group_ids.is_empty() => {
                return Err(Error::new(
                    Ec2::MissingParameter,
                    "VpcId must be specified with SecurityGroupIds.",
                ));
            }
            None => (None, Vec::new()),
        };
        let self_service_portal = match req.self_service_portal.as_deref() {
            None | Some("disabled") => false,
            Some("enabled") => true,
            Some(other) => {
                return Err(Error::invalid_parameter_value(format!(
                    "Invalid self-service portal value {other}. Valid values are enabled and disabled."
                )));
            }
        };
        let id = self.fresh_id("cvpn-endpoint");
        self.client_vpn_endpoints.insert(
            id.clone(),
            ClientVpnEndpoint {
                id: id.clone(),
                owner: scope.clone(),
                description: req.description,
                client_cidr,
                server_certificate_arn: req.server_certificate_arn,
                authentication: req.authentication,
                connection_log: req.connection_log,
                split_tunnel: req.split_tunnel.unwrap_or(false),
                transport_protocol,
                vpn_port,
                dns_servers,
                vpc_id,
                security_group_ids,
                session_timeout_hours,
                self_service_portal,
                state: EndpointState::PendingAssociate,
                associations: Vec::new(),
                authorization_rules: Vec::new(),
                routes: Vec::new(),
                create_time: now,
                client_token: req.client_token,
                tags: req.tags.into_iter().collect(),
            },
        );
        Ok(id)
    }

    /// The client CIDR may not overlap the VPC's CIDR blocks.
    fn check_client_cidr_against_vpc(&self, client: Ipv4Cidr, vpc: &str) -> Result<()> {
        let Some(vpc) = self.vpcs.get(vpc) else { return Ok(()) };
        if let Some(block) = vpc.cidr_blocks.iter().find(|b| b.cidr.overlaps(client)) {
            return Err(Error::new(
                Ec2::InvalidClientVpnSubnetIdOverlappingCidr,
                format!(
                    "The client CIDR range {client} overlaps with the CIDR {} of {}.",
                    block.cidr, vpc.id
                ),
            ));
        }
        Ok(())
    }

    /// ModifyClientVpnEndpoint.
    pub fn modify_client_vpn_endpoint(
        &mut self,
        scope: &Scope,
        id: &str,
        change: ClientVpnChange,
    ) -> Result<()> {
        let e = self.find_client_vpn_endpoint(scope, id)?.clone();
        if let Some(arn) = &change.server_certificate_arn {
            check_certificate_arn(arn)?;
        }
        if let Some(log) = &change.connection_log {
            check_connection_log(log)?;
        }
        let dns = change.dns_servers.as_deref().map(check_dns_servers).transpose()?;
        let port = change.vpn_port.map(check_port).transpose()?;
        let timeout = change.session_timeout_hours.map(check_timeout).transpose()?;
        let portal = match change.self_service_portal.as_deref() {
            None => None,
            Some("enabled") => Some(true),
            Some("disabled") => Some(false),
            Some(other) => {
                return Err(Error::invalid_parameter_value(format!(
                    "Invalid self-service portal value {other}. Valid values are enabled and disabled."
                )));
            }
        };
        let groups = match (&change.vpc_id, change.security_group_ids.is_empty()) {
            (Some(vpc), _) => {
                if e.vpc_id.as_ref() != Some(vpc) && !e.associations.is_empty() {
                    return Err(Error::invalid_parameter_value(format!(
                        "The VPC of {id} cannot be changed while it has target network associations."
                    )));
                }
                self.check_client_cidr_against_vpc(e.client_cidr, vpc)?;
                Some((vpc.clone(), self.client_vpn_groups(scope, vpc, &change.security_group_ids)?))
            }
            (None, false) => {
                let vpc = e.vpc_id.clone().ok_or_else(|| {
                    Error::new(
                        Ec2::MissingParameter,
                        "VpcId must be specified with SecurityGroupIds.",
                    )
                })?;
                let groups = self.client_vpn_groups(scope, &vpc, &change.security_group_ids)?;
                Some((vpc, groups))
            }
            (None, true) => None,
        };
        let endpoint = self.client_vpn_mut(scope, id)?;
        if let Some(arn) = change.server_certificate_arn {
            endpoint.server_certificate_arn = arn;
        }
        if let Some(log) = change.connection_log {
            endpoint.connection_log = log;
        }
        if let Some(dns) = dns {
            endpoint.dns_servers = dns;
        }
        if let Some(port) = port {
            endpoint.vpn_port = port;
        }
        if let Some(d) = change.description {
            endpoint.description = Some(d);
        }
        if let Some(s) = change.split_tunnel {
            endpoint.split_tunnel = s;
        }
        if let Some(t) = timeout {
            endpoint.session_timeout_hours = t;
        }
        if let Some(p) = portal {
            endpoint.self_service_portal = p;
        }
        if let Some((vpc, groups)) = groups {
            endpoint.vpc_id = Some(vpc);
            endpoint.security_group_ids = groups.clone();
            let enis: Vec<String> =
                endpoint.associations.iter().map(|a| a.network_interface_id.clone()).collect();
            for eni in enis {
                if let Some(n) = self.network_interfaces.get_mut(&eni) {
                    n.security_groups = groups.clone();
                }
            }
        }
        Ok(())
    }

    /// DeleteClientVpnEndpoint: the endpoint must have no target network associations.
    pub fn delete_client_vpn_endpoint(&mut self, scope: &Scope, id: &str) -> Result<()> {
        let e = self.find_client_vpn_endpoint(scope, id)?;
        if !e.associations.is_empty() {
            return Err(Error::new(
                Ec2::IncorrectState,
                format!(
                    "Client VPN endpoint {id} has target network associations; disassociate them first."
                ),
            ));
        }
        self.client_vpn_endpoints.remove(id);
        Ok(())
    }

    /// AssociateClientVpnTargetNetwork: a subnet of the endpoint's VPC (the first association
    /// sets it), one per zone; an interface in the subnet and a route for the VPC's CIDR.
    /// Returns the association id.
    pub fn associate_client_vpn_target_network(
        &mut self,
        scope: &Scope,
        id: &str,
        subnet_id: &str,
    ) -> Result<String> {
        let e = self.find_client_vpn_endpoint(scope, id)?.clone();
        kinds::SUBNET.check_format(subnet_id)?;
        let subnet = match self.subnets.get(subnet_id) {
            Some(s) if &s.owner == scope => s.clone(),
            Some(_) => {
                return Err(Error::new(
                    Ec2::InvalidClientVpnSubnetIdDifferentAccount,
                    format!("The subnet {subnet_id} belongs to a different account."),
                ));
            }
            None => return Err(kinds::SUBNET.not_found(subnet_id)),
        };
        if e.association_in(subnet_id).is_some() {
            return Err(Error::new(
                Ec2::InvalidClientVpnDuplicateAssociationException,
                format!("Subnet {subnet_id} is already associated with {id}."),
            ));
        }
        if let Some(vpc) = &e.vpc_id
            && *vpc != subnet.vpc_id
        {
            return Err(Error::new(
                Ec2::InvalidClientVpnSubnetIdNotFound,
                format!("Subnet {subnet_id} does not belong to VPC {vpc} of {id}."),
            ));
        }
        if e.associations.iter().any(|a| a.availability_zone == subnet.availability_zone) {
            return Err(Error::new(
                Ec2::InvalidClientVpnSubnetIdDuplicateAz,
                format!(
                    "A subnet in {} is already associated with {id}.",
                    subnet.availability_zone
                ),
            ));
        }
        self.check_client_cidr_against_vpc(e.client_cidr, &subnet.vpc_id)?;
        let groups = if e.vpc_id.is_some() {
            e.security_group_ids.clone()
        } else {
            self.client_vpn_groups(scope, &subnet.vpc_id, &[])?
        };
        let vpc_cidr = self
            .vpcs
            .get(&subnet.vpc_id)
            .and_then(|v| v.cidr_blocks.first())
            .map(|b| b.cidr)
            .ok_or_else(|| kinds::VPC.not_found(&subnet.vpc_id))?;
        let ip = self.allocate_private_ip(subnet_id, None)?;
        let spec = ManagedInterface {
            security_groups: groups.clone(),
            ..ManagedInterface::new(INTERFACE_DESCRIPTION.into(), "interface", ip)
        };
        let eni_id = self.insert_managed_interface(scope, &subnet.id, spec)?;
        let assoc_id = self.fresh_id("cvpn-assoc");
        let endpoint = self.client_vpn_mut(scope, id)?;
        endpoint.vpc_id = Some(subnet.vpc_id.clone());
        endpoint.security_group_ids = groups;
        endpoint.state = EndpointState::Available;
        endpoint.associations.push(TargetNetwork {
            id: assoc_id.clone(),
            subnet_id: subnet.id.clone(),
            vpc_id: subnet.vpc_id.clone(),
            availability_zone: subnet.availability_zone.clone(),
            network_interface_id: eni_id,
        });
        endpoint.routes.push(ClientVpnRoute {
            destination: vpc_cidr,
            target_subnet: subnet.id.clone(),
            origin: RouteOrigin::Associate,
            description: Some("Default Route".into()),
        });
        Ok(assoc_id)
    }

    /// DisassociateClientVpnTargetNetwork: the interface and the routes through the subnet go;
    /// the endpoint is `pending-associate` again without associations.
    pub fn disassociate_client_vpn_target_network(
        &mut self,
        scope: &Scope,
        id: &str,
        association_id: &str,
    ) -> Result<()> {
        let e = self.find_client_vpn_endpoint(scope, id)?;
        let assoc =
            e.associations.iter().find(|a| a.id == association_id).cloned().ok_or_else(|| {
                Error::new(
                    Ec2::InvalidClientVpnAssociationIdNotFound,
                    format!("The association ID '{association_id}' does not exist"),
                )
            })?;
        self.remove_interface(&assoc.network_interface_id);
        let endpoint = self.client_vpn_mut(scope, id)?;
        endpoint.associations.retain(|a| a.id != association_id);
        endpoint.routes.retain(|r| r.target_subnet != assoc.subnet_id);
        if endpoint.associations.is_empty() {
            endpoint.state = EndpointState::PendingAssociate;
        }
        Ok(())
    }

    /// ApplySecurityGroupsToClientVpnTargetNetwork: the groups of the endpoint in `vpc`.
    pub fn apply_client_vpn_security_groups(
        &mut self,
        scope: &Scope,
        id: &str,
        vpc: &str,
        groups: &[String],
    ) -> Result<Vec<String>> {
        let change = ClientVpnChange {
            vpc_id: Some(vpc.to_owned()),
            security_group_ids: groups.to_vec(),
            ..Default::default()
        };
        if groups.is_empty() {
            return Err(Error::new(
                Ec2::MissingParameter,
                "The request must contain the parameter SecurityGroupId",
            ));
        }
        self.modify_client_vpn_endpoint(scope, id, change)?;
        Ok(self.find_client_vpn_endpoint(scope, id)?.security_group_ids.clone())
    }

    /// AuthorizeClientVpnIngress: a group (or every group) may reach `cidr`.
    pub fn authorize_client_vpn_ingress(
        &mut self,
        scope: &Scope,
        id: &str,
        cidr: &str,
        group: Option<String>,
        all_groups: bool,
        description: Option<String>,
    ) -> Result<()> {
        let destination = parse_cidr(cidr)?;
        let group = rule_group(group, all_groups)?;
        let endpoint = self.client_vpn_mut(scope, id)?;
        if endpoint
            .authorization_rules
            .iter()
            .any(|r| r.destination == destination && r.group_id == group)
        {
            return Err(Error::new(
                Ec2::InvalidClientVpnDuplicateAuthorizationRule,
                format!("An authorization rule for {destination} already exists on {id}."),
            ));
        }
        endpoint.authorization_rules.push(AuthorizationRule {
            destination,
            group_id: group,
            description,
        });
        Ok(())
    }

    /// RevokeClientVpnIngress.
    pub fn revoke_client_vpn_ingress(
        &mut self,
        scope: &Scope,
        id: &str,
        cidr: &str,
        group: Option<String>,
        all_groups: bool,
    ) -> Result<()> {
        let destination = parse_cidr(cidr)?;
        let group = rule_group(group, all_groups)?;
        let endpoint = self.client_vpn_mut(scope, id)?;
        let before = endpoint.authorization_rules.len();
        endpoint
            .authorization_rules
            .retain(|r| !(r.destination == destination && r.group_id == group));
        if endpoint.authorization_rules.len() == before {
            return Err(Error::new(
                Ec2::InvalidClientVpnEndpointAuthorizationRuleNotFound,
                format!("No authorization rule for {destination} exists on {id}."),
            ));
        }
        Ok(())
    }

    /// CreateClientVpnRoute: to an associated subnet, or `local`.
    pub fn create_client_vpn_route(
        &mut self,
        scope: &Scope,
        id: &str,
        cidr: &str,
        target: &str,
        description: Option<String>,
    ) -> Result<()> {
        let destination = parse_cidr(cidr)?;
        let e = self.find_client_vpn_endpoint(scope, id)?;
        if target != "local" {
            kinds::SUBNET.check_format(target)?;
            if e.association_in(target).is_none() {
                return Err(Error::new(
                    Ec2::InvalidClientVpnActiveAssociationNotFound,
                    format!("Subnet {target} is not associated with {id}."),
                ));
            }
        }
        if e.routes.iter().any(|r| r.destination == destination && r.target_subnet == target) {
            return Err(Error::new(
                Ec2::InvalidClientVpnDuplicateRoute,
                format!("A route to {destination} through {target} already exists on {id}."),
            ));
        }
        self.client_vpn_mut(scope, id)?.routes.push(ClientVpnRoute {
            destination,
            target_subnet: target.to_owned(),
            origin: RouteOrigin::AddRoute,
            description,
        });
        Ok(())
    }

    /// DeleteClientVpnRoute: only routes added with CreateClientVpnRoute.
    pub fn delete_client_vpn_route(
        &mut self,
        scope: &Scope,
        id: &str,
        cidr: &str,
        target: Option<&str>,
    ) -> Result<()> {
        let destination = parse_cidr(cidr)?;
        let endpoint = self.client_vpn_mut(scope, id)?;
        let matches = |r: &ClientVpnRoute| {
            r.destination == destination && target.is_none_or(|t| r.target_subnet == t)
        };
        let Some(index) = endpoint.routes.iter().position(matches) else {
            return Err(Error::new(
                Ec2::InvalidClientVpnRouteNotFound,
                format!("No route to {destination} exists on {id}."),
            ));
        };
        if endpoint.routes.get(index).is_some_and(|r| r.origin == RouteOrigin::Associate) {
            return Err(Error::invalid_parameter_value(format!(
                "The route to {destination} was added by a target network association; disassociate the subnet to remove it."
            )));
        }
        endpoint.routes.remove(index);
        Ok(())
    }

    /// Whether a Client VPN endpoint is associated with a subnet of the VPC (DeleteVpc refuses
    /// then; the interfaces already hold the subnets).
    pub fn vpc_has_client_vpn(&self, vpc_id: &str) -> bool {
        self.client_vpn_endpoints
            .values()
            .any(|e| e.associations.iter().any(|a| a.vpc_id == vpc_id))
    }
}

fn parse_cidr(text: &str) -> Result<Ipv4Cidr> {
    Ipv4Cidr::parse(text, false)
        .ok_or_else(|| Error::invalid_parameter_value(format!("Invalid CIDR block {text}.")))
}

fn rule_group(group: Option<String>, all: bool) -> Result<Option<String>> {
    match (group.filter(|g| !g.is_empty()), all) {
        (Some(_), true) => Err(Error::invalid_combination(
            "AccessGroupId and AuthorizeAllGroups cannot be specified together.",
        )),
        (None, false) => Err(Error::new(
            Ec2::MissingParameter,
            "Either AccessGroupId or AuthorizeAllGroups must be specified.",
        )),
        (g, _) => Ok(g),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(cidr: &str) -> NewClientVpnEndpoint {
        NewClientVpnEndpoint {
            client_cidr_block: Some(cidr.into()),
            server_certificate_arn: "arn:aws:acm:us-east-1:123456789012:certificate/abc".into(),
            authentication: vec![Authentication {
                kind: "certificate-authentication".into(),
                client_root_certificate_chain_arn: Some(
                    "arn:aws:acm:us-east-1:123456789012:certificate/root".into(),
                ),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn the_client_cidr_is_a_22_to_12_block_outside_the_vpc() {
        let (mut w, scope, _vpc, subnet) = crate::testkit::world_with_subnet("10.0.1.0/24");
        for bad in ["10.100.0.0/23", "10.0.0.0/11", "nonsense"] {
            let err = w.create_client_vpn_endpoint(&scope, new(bad), 0).unwrap_err();
            assert_eq!(err.code, "InvalidParameterValue", "{bad}");
        }
        let id = w.create_client_vpn_endpoint(&scope, new("10.0.0.0/22"), 0).unwrap();
        let err = w.associate_client_vpn_target_network(&scope, &id, &subnet).unwrap_err();
        assert_eq!(err.code, "InvalidClientVpnSubnetId.OverlappingCidr");
    }

    #[test]
    fn associations_make_the_endpoint_available_and_route_the_vpc() {
        let (mut w, scope, vpc, subnet) = crate::testkit::world_with_subnet("10.0.1.0/24");
        let same_zone =
            w.create_subnet(&scope, &vpc, "10.0.2.0/24", Some("us-east-1a"), None, &[]).unwrap();
        let id = w.create_client_vpn_endpoint(&scope, new("172.16.0.0/22"), 0).unwrap();
        let e = w.find_client_vpn_endpoint(&scope, &id).unwrap();
        assert_eq!(e.state, EndpointState::PendingAssociate);
        assert_eq!(e.vpn_port, 443);
        assert_eq!(e.transport_protocol, "udp");
        let assoc = w.associate_client_vpn_target_network(&scope, &id, &subnet).unwrap();
        let e = w.find_client_vpn_endpoint(&scope, &id).unwrap().clone();
        assert_eq!(e.state, EndpointState::Available);
        assert_eq!(e.vpc_id.as_deref(), Some(vpc.as_str()));
        let default_sg = w.vpcs.get(&vpc).unwrap().default_security_group_id.clone();
        assert_eq!(e.security_group_ids, vec![default_sg.clone()]);
        assert_eq!(e.routes.len(), 1);
        assert_eq!(e.routes[0].destination.to_string(), "10.0.0.0/16");
        assert_eq!(e.routes[0].origin, RouteOrigin::Associate);
        let eni = w.network_interfaces.get(&e.associations[0].network_interface_id).unwrap();
        assert!(eni.requester_managed);
        assert_eq!(eni.security_groups, vec![default_sg]);
        assert_eq!(
            w.associate_client_vpn_target_network(&scope, &id, &subnet).unwrap_err().code,
            "InvalidClientVpnDuplicateAssociationException"
        );
        assert_eq!(
            w.associate_client_vpn_target_network(&scope, &id, &same_zone).unwrap_err().code,
            "InvalidClientVpnSubnetId.DuplicateAz"
        );
        assert_eq!(w.delete_client_vpn_endpoint(&scope, &id).unwrap_err().code, "IncorrectState");

        // Routes need an associated subnet and are unique per destination and target.
        assert_eq!(
            w.create_client_vpn_route(&scope, &id, "0.0.0.0/0", &same_zone, None).unwrap_err().code,
            "InvalidClientVpnActiveAssociationNotFound"
        );
        w.create_client_vpn_route(&scope, &id, "0.0.0.0/0", &subnet, None).unwrap();
        assert_eq!(
            w.create_client_vpn_route(&scope, &id, "0.0.0.0/0", &subnet, None).unwrap_err().code,
            "InvalidClientVpnDuplicateRoute"
        );
        let e = w.find_client_vpn_endpoint(&scope, &id).unwrap().clone();
        assert_eq!(e.route_to("10.0.1.9".parse().unwrap()).unwrap().origin, RouteOrigin::Associate);
        assert_eq!(e.route_to("8.8.8.8".parse().unwrap()).unwrap().origin, RouteOrigin::AddRoute);
        assert_eq!(
            w.delete_client_vpn_route(&scope, &id, "10.0.0.0/16", None).unwrap_err().code,
            "InvalidParameterValue"
        );

        // Authorization rules.
        w.authorize_client_vpn_ingress(&scope, &id, "10.0.0.0/16", None, true, None).unwrap();
        assert_eq!(
            w.authorize_client_vpn_ingress(&scope, &id, "10.0.0.0/16", None, true, None)
                .unwrap_err()
                .code,
            "InvalidClientVpnDuplicateAuthorizationRule"
        );
        assert_eq!(
            w.authorize_client_vpn_ingress(&scope, &id, "10.0.0.0/16", None, false, None)
                .unwrap_err()
                .code,
            "MissingParameter"
        );
        w.revoke_client_vpn_ingress(&scope, &id, "10.0.0.0/16", None, true).unwrap();
        assert_eq!(
            w.revoke_client_vpn_ingress(&scope, &id, "10.0.0.0/16", None, true).unwrap_err().code,
            "InvalidClientVpnEndpointAuthorizationRuleNotFound"
        );

        // Disassociating takes the interface and the subnet's routes away.
        let eni = e.associations[0].network_interface_id.clone();
        w.disassociate_client_vpn_target_network(&scope, &id, &assoc).unwrap();
        let e = w.find_client_vpn_endpoint(&scope, &id).unwrap();
        assert_eq!(e.state, EndpointState::PendingAssociate);
        assert!(e.routes.is_empty());
        assert!(!w.network_interfaces.contains(&eni));
        assert_eq!(
            w.disassociate_client_vpn_target_network(&scope, &id, &assoc).unwrap_err().code,
            "InvalidClientVpnAssociationIdNotFound"
        );
        w.delete_client_vpn_endpoint(&scope, &id).unwrap();
        assert_eq!(
            w.find_client_vpn_endpoint(&scope, &id).unwrap_err().code,
            "InvalidClientVpnEndpointId.NotFound"
        );
    }

    #[test]
    fn the_client_configuration_names_the_endpoint() {
        let (mut w, scope, _) = crate::testkit::world_with_vpc();
        let mut req = new("172.16.0.0/22");
        req.transport_protocol = Some("tcp".into());
        req.vpn_port = Some(1194);
        let id = w.create_client_vpn_endpoint(&scope, req, 0).unwrap();
        let text = w.find_client_vpn_endpoint(&scope, &id).unwrap().client_configuration();
        assert!(text.contains("proto tcp\n"));
        assert!(text.contains(&format!("remote {id}.prod.clientvpn.us-east-1.amazonaws.com 1194")));
        let mut bad = new("172.16.0.0/22");
        bad.vpn_port = Some(80);
        assert_eq!(
            w.create_client_vpn_endpoint(&scope, bad, 0).unwrap_err().code,
            "InvalidParameterValue"
        );
    }
}
