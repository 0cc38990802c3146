//! Network Access Analyzer's access scopes: CreateNetworkInsightsAccessScope,
//! DeleteNetworkInsightsAccessScope, DescribeNetworkInsightsAccessScopes and
//! GetNetworkInsightsAccessScopeContent.
//!
//! A scope is validated as the Network Access Analyzer guide describes it ("Match conditions",
//! "Exclusion conditions", "Resource statements", "Packet header statements"): at least one match
//! condition; every path condition, path statement and packet header statement says something;
//! a resource statement names resources or resource types, not both, each allowed where it stands
//! (an internet gateway only as a source or destination, a NAT gateway only passed through, …);
//! addresses and prefix lists of one end exclude each other; protocols are `tcp` and `udp`, ports
//! `N` or `N-M`. A scope cannot be changed once created.

use crate::cidr::Ipv4Cidr;
use crate::error::{Error, Result};
use crate::kinds::{self, Kind};
use crate::references::{Reference, References};
pub use crate::types::ec2::access_scope::*;
use crate::world::{Scope, World};
use codes::Ec2;

/// Where a resource statement stands in a path condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    Source,
    Destination,
    Through,
}

impl Position {
    fn parameter(self) -> &'static str {
        match self {
            Position::Source => "Source",
            Position::Destination => "Destination",
            Position::Through => "ThroughResource",
        }
    }
}

const ENDS: &[Position] = &[Position::Source, Position::Destination];
const THROUGH: &[Position] = &[Position::Through];
const ANYWHERE: &[Position] = &[Position::Source, Position::Destination, Position::Through];

/// The resource types a statement may name, and where (the guide's "Resource statements" table;
/// `AWS::NetworkFirewall::Firewall` is the spelling its own firewall example uses, and
/// `AWS::EC2::NetworkInterface` stands for the interfaces paths start and end at).
const RESOURCE_TYPES: &[(&str, &[Position])] = &[
    ("AWS::EC2::InternetGateway", ENDS),
    ("AWS::EC2::NatGateway", THROUGH),
    ("AWS::EC2::NetworkInterface", ENDS),
    ("AWS::EC2::TransitGatewayAttachment", ANYWHERE),
    ("AWS::EC2::VPCEndpoint", &[Position::Destination, Position::Through]),
    ("AWS::EC2::VPCEndpointService", ANYWHERE),
    ("AWS::EC2::VPCPeeringConnection", ANYWHERE),
    ("AWS::EC2::VPNGateway", ENDS),
    ("AWS::ElasticLoadBalancing::LoadBalancer", THROUGH),
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", THROUGH),
    ("AWS::NetworkFirewall::Firewall", THROUGH),
    ("AWS::NetworkFirewall::NetworkFirewall", THROUGH),
];

/// The kinds of resources a statement may name by id, and where (the same table; load
/// balancers are named by ARN and only passed through).
const RESOURCE_KINDS: &[(&Kind, &[Position])] = &[
    (&kinds::INSTANCE, ENDS),
    (&kinds::INTERNET_GATEWAY, ENDS),
    (&kinds::NAT_GATEWAY, THROUGH),
    (&kinds::NETWORK_INTERFACE, ENDS),
    (&kinds::SECURITY_GROUP, ENDS),
    (&kinds::SUBNET, ENDS),
    (&kinds::TRANSIT_GATEWAY_ATTACHMENT, ANYWHERE),
    (&kinds::VPC, ENDS),
    (&kinds::VPN_GATEWAY, ENDS),
    (&kinds::VPC_ENDPOINT_SERVICE, ANYWHERE),
    (&kinds::VPC_ENDPOINT, ANYWHERE),
    (&kinds::VPC_PEERING_CONNECTION, ANYWHERE),
];

/// The id an EC2 ARN names, or the text itself.
fn bare_id(text: &str) -> &str {
    kinds::parse_ec2_arn(text).map_or(text, |(_, _, id)| id)
}

/// The client token Create and Start require (SDKs fill one in).
pub(crate) fn client_token(token: &Option<String>) -> Result<String> {
    token
        .as_deref()
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| Error::missing_parameter("ClientToken"))
}

impl World {
    /// A resource statement, checked against where it stands and against the caller's resources.
    fn scope_resource_statement(
        &self,
        scope: &Scope,
        statement: &ResourceStatement,
        position: Position,
    ) -> Result<ResourceStatement> {
        let at = position.parameter();
        match (statement.resources.is_empty(), statement.resource_types.is_empty()) {
            (false, false) => {
                return Err(Error::invalid_combination(format!(
                    "A resource statement in {at} can name resources or resource types, not both."
                )));
            }
            (true, true) => {
                return Err(Error::invalid_parameter_value(format!(
                    "A resource statement in {at} must name at least one resource or resource type."
                )));
            }
            _ => {}
        }
        for t in &statement.resource_types {
            match RESOURCE_TYPES.iter().find(|(name, _)| name == t) {
                None => {
                    return Err(Error::invalid_parameter_value(format!(
                        "The resource type '{t}' is not supported."
                    )));
                }
                Some((_, allowed)) if !allowed.contains(&position) => {
                    return Err(Error::invalid_parameter_value(format!(
                        "The resource type '{t}' is not supported in {at}."
                    )));
                }
                Some(_) => {}
            }
        }
        for r in &statement.resources {
            self.scope_resource(scope, r, position)?;
        }
        Ok(statement.clone())
    }

    /// One resource of a statement: a kind allowed where it stands, and one the caller has.
    fn scope_resource(&self, scope: &Scope, text: &str, position: Position) -> Result<()> {
        let at = position.parameter();
        if text.starts_with("arn:") && text.contains(":loadbalancer/") {
            if position != Position::Through {
                return Err(Error::invalid_parameter_value(format!(
                    "A load balancer is not supported in {at}."
                )));
            }
            return self.find_load_balancer(scope, text).map(|_| ());
        }
        let id = bare_id(text);
        let Some((kind, allowed)) = RESOURCE_KINDS.iter().find(|(kind, _)| kind.names(id)) else {
            return Err(Error::invalid_parameter_value(format!(
                "The resource '{text}' is not supported."
            )));
        };
        if !allowed.contains(&position) {
            return Err(Error::invalid_parameter_value(format!(
                "The resource '{text}' is not supported in {at}."
            )));
        }
        if self.tags_of(id).is_some_and(|(_, owner, _)| owner == scope) {
            Ok(())
        } else {
            kind.check_format(id)?;
            Err(kind.not_found(id))
        }
    }

    /// A packet header statement: at least one field, each well formed.
    fn scope_packet_header(
        &self,
        scope: &Scope,
        header: &PacketHeaderRequest,
        at: &str,
    ) -> Result<PacketHeaderStatement> {
        let given = [
            &header.source_addresses,
            &header.destination_addresses,
            &header.source_ports,
            &header.destination_ports,
            &header.source_prefix_lists,
            &header.destination_prefix_lists,
            &header.protocols,
        ];
        if given.iter().all(|field| field.is_empty()) {
            return Err(Error::invalid_parameter_value(format!(
                "The packet header statement in {at} must specify at least one field."
            )));
        }
        for (addresses, lists, side) in [
            (&header.source_addresses, &header.source_prefix_lists, "Source"),
            (&header.destination_addresses, &header.destination_prefix_lists, "Destination"),
        ] {
            if !addresses.is_empty() && !lists.is_empty() {
                return Err(Error::invalid_combination(format!(
                    "{side}Addresses and {side}PrefixLists cannot be specified together in {at}."
                )));
            }
        }
        let cidrs = |texts: &[String]| -> Result<Vec<Ipv4Cidr>> {
            texts
                .iter()
                .map(|t| {
                    Ipv4Cidr::parse(t, false).ok_or_else(|| {
                        Error::invalid_parameter_value(format!(
                            "The address '{t}' in {at} is not an IPv4 address or CIDR."
                        ))
                    })
                })
                .collect()
        };
        let ports = |texts: &[String]| -> Result<Vec<PortRange>> {
            texts
                .iter()
                .map(|t| {
                    PortRange::parse(t).ok_or_else(|| {
                        Error::invalid_parameter_value(format!(
                            "The port range '{t}' in {at} is not valid."
                        ))
                    })
                })
                .collect()
        };
        let lists = |texts: &[String]| -> Result<Vec<String>> {
            texts
                .iter()
                .map(|t| {
                    let id = bare_id(t);
                    kinds::PREFIX_LIST.check_format(id)?;
                    match self.resolve_prefix_list(scope, id) {
                        Some(_) => Ok(id.to_owned()),
                        None => Err(kinds::PREFIX_LIST.not_found(id)),
                    }
                })
                .collect()
        };
        let protocols = header
            .protocols
            .iter()
            .map(|p| {
                ScopeProtocol::parse(p).ok_or_else(|| {
                    Error::invalid_parameter_value(format!(
                        "The protocol '{p}' in {at} is not supported: use tcp or udp."
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(PacketHeaderStatement {
            source_addresses: cidrs(&header.source_addresses)?,
            destination_addresses: cidrs(&header.destination_addresses)?,
            source_ports: ports(&header.source_ports)?,
            destination_ports: ports(&header.destination_ports)?,
            source_prefix_lists: lists(&header.source_prefix_lists)?,
            destination_prefix_lists: lists(&header.destination_prefix_lists)?,
            protocols,
        })
    }

    /// One end of a path condition: a packet header statement, a resource statement, or both.
    fn scope_path_statement(
        &self,
        scope: &Scope,
        statement: &PathStatementRequest,
        position: Position,
    ) -> Result<PathStatement> {
        let at = position.parameter();
        if statement.packet_header.is_none() && statement.resource.is_none() {
            return Err(Error::invalid_parameter_value(format!(
                "{at} must specify a packet header statement, a resource statement or both."
            )));
        }
        Ok(PathStatement {
            packet_header: statement
                .packet_header
                .as_ref()
                .map(|h| self.scope_packet_header(scope, h, at))
                .transpose()?,
            resource: statement
                .resource
                .as_ref()
                .map(|r| self.scope_resource_statement(scope, r, position))
                .transpose()?,
        })
    }

    /// A path condition: at least one of its fields.
    fn scope_path(&self, scope: &Scope, path: &AccessPathRequest) -> Result<AccessPath> {
        if path.source.is_none() && path.destination.is_none() && path.through.is_empty() {
            return Err(Error::invalid_parameter_value(
                "A path condition must specify at least one of Source, Destination and \
                 ThroughResources.",
            ));
        }
        let end = |statement: &Option<PathStatementRequest>, position| {
            statement.as_ref().map(|s| self.scope_path_statement(scope, s, position)).transpose()
        };
        let through = path
            .through
            .iter()
            .map(|t| {
                let statement = t.as_ref().ok_or_else(|| {
                    Error::invalid_parameter_value(
                        "A ThroughResources entry must contain a resource statement.",
                    )
                })?;
                self.scope_resource_statement(scope, statement, Position::Through)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(AccessPath {
            source: end(&path.source, Position::Source)?,
            destination: end(&path.destination, Position::Destination)?,
            through,
        })
    }

    /// CreateNetworkInsightsAccessScope. A repeated request (same client token, same content and
    /// tags) answers with the scope the first one created.
    pub fn create_network_insights_access_scope(
        &mut self,
        scope: &Scope,
        req: NewAccessScope,
        now: i64,
    ) -> Result<String> {
        let token = client_token(&req.client_token)?;
        crate::tags::validate(&req.tags)?;
        if req.match_paths.is_empty() {
            return Err(Error::missing_parameter("MatchPath"));
        }
        let content = ScopeContent {
            match_paths: req
                .match_paths
                .iter()
                .map(|p| self.scope_path(scope, p))
                .collect::<Result<_>>()?,
            exclude_paths: req
                .exclude_paths
                .iter()
                .map(|p| self.scope_path(scope, p))
                .collect::<Result<_>>()?,
        };
        let tags = req.tags.into_iter().collect();
        if let Some(earlier) =
            self.network_insights_access_scopes.in_scope(scope).find(|s| s.client_token == token)
        {
            return if earlier.content == content && earlier.tags == tags {
                Ok(earlier.id.clone())
            } else {
                Err(Error::idempotent_mismatch(&token))
            };
        }
        let quota = self.quotas.network_insights_access_scopes_per_region;
        if self.network_insights_access_scopes.reaches(scope, quota) {
            return Err(Error::quota(
                "network_insights_access_scopes_per_region",
                Ec2::ResourceLimitExceeded,
                format!("You have reached the limit of {quota} Network Access Scopes."),
            ));
        }
        let id = self.fresh_id(kinds::NETWORK_INSIGHTS_ACCESS_SCOPE.prefix);
        self.network_insights_access_scopes.insert(
            id.clone(),
            AccessScope {
                id: id.clone(),
                owner: scope.clone(),
                created: now,
                content,
                client_token: token,
                tags,
            },
        );
        Ok(id)
    }

    /// DeleteNetworkInsightsAccessScope, with the scope's analyses. INFERRED: AWS documents no
    /// refusal, and its console deletes a scope without deleting its analyses first; an analysis
    /// of no scope could not be listed by scope, so they go with it.
    pub fn delete_network_insights_access_scope(&mut self, scope: &Scope, id: &str) -> Result<()> {
        self.network_insights_access_scopes.find(
            &kinds::NETWORK_INSIGHTS_ACCESS_SCOPE,
            scope,
            id,
        )?;
        let analyses: Vec<String> = self
            .network_insights_access_scope_analyses
            .in_scope(scope)
            .filter(|a| a.scope_id == id)
            .map(|a| a.id.clone())
            .collect();
        for analysis in analyses {
            self.network_insights_access_scope_analyses.remove(&analysis);
        }
        self.network_insights_access_scopes.remove(id);
        Ok(())
    }
}

/// A scope names resources by id as a question does, not as a dependency: AWS keeps a scope
/// whose resources are deleted (an analysis then finds no path through them).
impl References for AccessScope {
    fn references<'a>(&'a self, _each: &mut dyn FnMut(Reference<'a>)) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::world_with_subnet;

    fn resources(ids: &[&str]) -> Option<ResourceStatement> {
        Some(ResourceStatement {
            resources: ids.iter().map(|s| s.to_string()).collect(),
            resource_types: Vec::new(),
        })
    }

    fn types(names: &[&str]) -> Option<ResourceStatement> {
        Some(ResourceStatement {
            resources: Vec::new(),
            resource_types: names.iter().map(|s| s.to_string()).collect(),
        })
    }

    fn ends(
        source: Option<ResourceStatement>,
        destination: Option<ResourceStatement>,
    ) -> AccessPathRequest {
        let end = |r: Option<ResourceStatement>| {
            r.map(|r| PathStatementRequest { packet_header: None, resource: Some(r) })
        };
        AccessPathRequest {
            source: end(source),
            destination: end(destination),
            through: Vec::new(),
        }
    }

    fn new_scope(paths: Vec<AccessPathRequest>) -> NewAccessScope {
        NewAccessScope {
            match_paths: paths,
            client_token: Some("t1".into()),
            ..NewAccessScope::default()
        }
    }

    fn code(r: Result<String>) -> String {
        r.unwrap_err().code.to_string()
    }

    #[test]
    fn scopes_are_validated_as_the_guide_describes() {
        let (mut w, scope, _vpc, subnet) = world_with_subnet("10.0.1.0/24");
        let igw = ["AWS::EC2::InternetGateway"];
        // At least one match condition; every condition and statement says something.
        assert_eq!(
            code(w.create_network_insights_access_scope(&scope, new_scope(vec![]), 1)),
            "MissingParameter"
        );
        let empty = AccessPathRequest::default();
        assert_eq!(
            code(w.create_network_insights_access_scope(&scope, new_scope(vec![empty]), 1)),
            "InvalidParameterValue"
        );
        // Resources or types, not both; types allowed where they stand.
        let both = ResourceStatement {
            resources: vec![subnet.clone()],
            resource_types: vec![igw[0].into()],
        };
        let r = w.create_network_insights_access_scope(
            &scope,
            new_scope(vec![ends(Some(both), None)]),
            1,
        );
        assert_eq!(code(r), "InvalidParameterCombination");
        let nat_as_source = ends(types(&["AWS::EC2::NatGateway"]), None);
        assert_eq!(
            code(w.create_network_insights_access_scope(&scope, new_scope(vec![nat_as_source]), 1)),
            "InvalidParameterValue"
        );
        let unknown_type = ends(types(&["AWS::S3::Bucket"]), None);
        assert_eq!(
            code(w.create_network_insights_access_scope(&scope, new_scope(vec![unknown_type]), 1)),
            "InvalidParameterValue"
        );
        // Resources the caller has, of kinds allowed where they stand.
        let missing = ends(resources(&["subnet-0123456789abcdef0"]), None);
        assert_eq!(
            code(w.create_network_insights_access_scope(&scope, new_scope(vec![missing]), 1)),
            "InvalidSubnetID.NotFound"
        );
        let through_subnet =
            AccessPathRequest { through: vec![resources(&[&subnet])], ..ends(types(&igw), None) };
        assert_eq!(
            code(w.create_network_insights_access_scope(
                &scope,
                new_scope(vec![through_subnet]),
                1
            )),
            "InvalidParameterValue"
        );
        // Packet headers: one field at least, addresses or prefix lists, tcp or udp, N or N-M.
        let header = |h: PacketHeaderRequest| AccessPathRequest {
            destination: Some(PathStatementRequest { packet_header: Some(h), resource: None }),
            ..AccessPathRequest::default()
        };
        for (h, expected) in [
            (PacketHeaderRequest::default(), "InvalidParameterValue"),
            (
                PacketHeaderRequest { protocols: vec!["icmp".into()], ..Default::default() },
                "InvalidParameterValue",
            ),
            (
                PacketHeaderRequest {
                    destination_ports: vec!["80-22".into()],
                    ..Default::default()
                },
                "InvalidParameterValue",
            ),
            (
                PacketHeaderRequest {
                    destination_addresses: vec!["10.0.0.0/33".into()],
                    ..Default::default()
                },
                "InvalidParameterValue",
            ),
            (
                PacketHeaderRequest {
                    source_addresses: vec!["10.0.0.0/8".into()],
                    source_prefix_lists: vec!["pl-0123456789abcdef0".into()],
                    ..Default::default()
                },
                "InvalidParameterCombination",
            ),
            (
                PacketHeaderRequest {
                    source_prefix_lists: vec!["pl-0123456789abcdef0".into()],
                    ..Default::default()
                },
                "InvalidPrefixListID.NotFound",
            ),
        ] {
            assert_eq!(
                code(w.create_network_insights_access_scope(&scope, new_scope(vec![header(h)]), 1)),
                expected
            );
        }
        assert!(w.network_insights_access_scopes.is_empty(), "nothing refused is stored");
    }

    #[test]
    fn a_scope_keeps_its_content_and_its_client_token() {
        let (mut w, scope, vpc, subnet) = world_with_subnet("10.0.1.0/24");
        let paths = vec![
            ends(resources(&[&subnet]), None),
            AccessPathRequest {
                destination: Some(PathStatementRequest {
                    packet_header: Some(PacketHeaderRequest {
                        destination_ports: vec!["22".into(), "1024-2048".into()],
                        protocols: vec!["tcp".into()],
                        ..Default::default()
                    }),
                    resource: resources(&[&vpc]),
                }),
                ..AccessPathRequest::default()
            },
        ];
        let req = NewAccessScope {
            exclude_paths: vec![AccessPathRequest::default()],
            ..new_scope(paths.clone())
        };
        // An exclude path with no field is refused like a match path.
        assert_eq!(
            code(w.create_network_insights_access_scope(&scope, req, 1)),
            "InvalidParameterValue"
        );
        let id =
            w.create_network_insights_access_scope(&scope, new_scope(paths.clone()), 1).unwrap();
        let stored = w.network_insights_access_scopes.get(&id).unwrap();
        assert_eq!(stored.content.match_paths.len(), 2);
        let ports = &stored.content.match_paths[1]
            .destination
            .as_ref()
            .unwrap()
            .packet_header
            .as_ref()
            .unwrap()
            .destination_ports;
        assert_eq!(ports.iter().map(|p| p.text()).collect::<Vec<_>>(), ["22", "1024-2048"]);
        // The same request again answers with the same scope; other content with the same token
        // is a mismatch.
        assert_eq!(
            w.create_network_insights_access_scope(&scope, new_scope(paths), 2).unwrap(),
            id
        );
        let other = new_scope(vec![ends(None, resources(&[&subnet]))]);
        assert_eq!(
            code(w.create_network_insights_access_scope(&scope, other, 3)),
            "IdempotentParameterMismatch"
        );
        w.delete_network_insights_access_scope(&scope, &id).unwrap();
        let again = w.delete_network_insights_access_scope(&scope, &id).unwrap_err();
        assert_eq!(again.code, "InvalidNetworkInsightsAccessScopeId.NotFound");
    }

    #[test]
    fn scopes_are_bounded_by_their_quota() {
        let (mut w, scope, _vpc, subnet) = world_with_subnet("10.0.1.0/24");
        w.quotas.network_insights_access_scopes_per_region = 1;
        let first = NewAccessScope {
            client_token: Some("a".into()),
            ..new_scope(vec![ends(resources(&[&subnet]), None)])
        };
        w.create_network_insights_access_scope(&scope, first, 1).unwrap();
        let second = NewAccessScope {
            client_token: Some("b".into()),
            ..new_scope(vec![ends(resources(&[&subnet]), None)])
        };
        assert_eq!(
            code(w.create_network_insights_access_scope(&scope, second, 1)),
            "ResourceLimitExceeded"
        );
    }
}
