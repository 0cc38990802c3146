//! Reachability Analyzer's paths and analyses (EC2 "network insights").
//!
//! A path is a question — from a source resource to a destination, for TCP or UDP packets,
//! narrowed by addresses and ports — validated here as AWS validates it. An analysis is one
//! answer to a path. The semantics engine computes the answer when the analysis starts (the
//! caller passes it in as a function, since the engine depends on this crate and not the other
//! way round), and it is stored as plain data, [`AnalysisResult`], mirroring the fields of
//! AWS's response shapes: the network may change afterwards, the answer must not.

use crate::error::{Error, Result};
use crate::ids::prefix_of;
use crate::kinds;
use crate::kinds::parse_ec2_arn;
pub use crate::types::ec2::network_insights::*;
use crate::types::ec2::{
    NetworkInsightsAnalysis, NetworkInsightsPath, PathFilter, PathSpec, PortSpan,
};
use crate::world::{Scope, World};
use codes::Ec2;
use std::net::Ipv4Addr;

/// Which end of a path a resource parameter names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Source,
    Destination,
}

impl End {
    fn parameter(self) -> &'static str {
        match self {
            End::Source => "Source",
            End::Destination => "Destination",
        }
    }

    fn not_found(self, id: &str) -> Error {
        match self {
            End::Source => Error::new(
                Ec2::NetworkInsightsSourceNotFound,
                format!("The source resource '{id}' does not exist."),
            ),
            End::Destination => Error::new(
                Ec2::NetworkInsightsDestinationNotFound,
                format!("The destination resource '{id}' does not exist."),
            ),
        }
    }
}

/// Every kind AWS's Reachability Analyzer guide lists under "Source and destination
/// resources", each accepted at either end ("IP addresses" are destinations too, given as
/// `DestinationIp` or `FilterAtSource.DestinationAddress`, not as a resource). NAT gateways and
/// load balancers are only intermediate components there, so they are refused as ends.
pub const PATH_END_KINDS: &[PathEndKind] = &[
    PathEndKind { prefix: "i", name: "instances" },
    PathEndKind { prefix: "igw", name: "internet gateways" },
    PathEndKind { prefix: "eni", name: "network interfaces" },
    PathEndKind { prefix: "tgw", name: "transit gateways" },
    PathEndKind { prefix: "tgw-attach", name: "transit gateway attachments" },
    PathEndKind { prefix: "vpce-svc", name: "VPC endpoint services" },
    PathEndKind { prefix: "vpce", name: "VPC endpoints" },
    PathEndKind { prefix: "pcx", name: "VPC peering connections" },
    PathEndKind { prefix: "vgw", name: "VPN gateways" },
];

/// The id a `Source`/`Destination` parameter names (an id, or an ARN of the caller's account
/// and region), if it is of a kind a path can start or end at.
fn end_id(scope: &Scope, text: &str, end: End) -> Result<String> {
    let unsupported = || {
        let kinds: Vec<&str> = PATH_END_KINDS.iter().map(|k| k.name).collect();
        Error::invalid_parameter_value(format!(
            "The {} '{text}' is not a supported resource. Supported resource types: {}.",
            end.parameter(),
            kinds.join(", ")
        ))
    };
    let id = if text.starts_with("arn:") {
        // A load balancer's ARN is well formed, but not of a kind a path ends at.
        let Some((region, account, id)) = parse_ec2_arn(text) else {
            return Err(if text.starts_with("arn:aws:elasticloadbalancing:") {
                unsupported()
            } else {
                Error::invalid_parameter_value(format!(
                    "The {} '{text}' is not a valid resource ARN.",
                    end.parameter()
                ))
            });
        };
        if region != scope.region || account != scope.account {
            return Err(end.not_found(text));
        }
        id.to_owned()
    } else {
        text.to_owned()
    };
    if PATH_END_KINDS.iter().any(|k| k.prefix == prefix_of(&id)) {
        return Ok(id);
    }
    Err(unsupported())
}

fn ipv4(value: &Option<String>, parameter: &str) -> Result<Option<Ipv4Addr>> {
    value
        .as_deref()
        .map(|v| {
            v.parse::<Ipv4Addr>().map_err(|_| {
                Error::invalid_parameter_value(format!(
                    "Value ({v}) for parameter {parameter} is invalid. Expecting an IPv4 address."
                ))
            })
        })
        .transpose()
}

fn port(value: i32, parameter: &str) -> Result<u16> {
    u16::try_from(value).map_err(|_| {
        Error::invalid_parameter_value(format!(
            "Value ({value}) for parameter {parameter} is invalid. Expecting a port between 0 \
             and 65535."
        ))
    })
}

/// A port range as given: an absent end is open (0 or 65535).
fn port_range(
    range: &Option<(Option<i32>, Option<i32>)>,
    parameter: &str,
) -> Result<Option<PortSpan>> {
    let Some((from, to)) = range else { return Ok(None) };
    let from = port(from.unwrap_or(0), &format!("{parameter}.FromPort"))?;
    let to = port(to.unwrap_or(65535), &format!("{parameter}.ToPort"))?;
    if from > to {
        return Err(Error::invalid_parameter_value(format!(
            "The port range {from}-{to} of {parameter} is invalid: FromPort must not exceed ToPort."
        )));
    }
    Ok(Some(PortSpan { from, to }))
}

fn path_filter(f: &Option<FilterRequest>, parameter: &str) -> Result<Option<PathFilter>> {
    let Some(f) = f else { return Ok(None) };
    Ok(Some(PathFilter {
        source_address: ipv4(&f.source_address, &format!("{parameter}.SourceAddress"))?,
        source_port_range: port_range(
            &f.source_port_range,
            &format!("{parameter}.SourcePortRange"),
        )?,
        destination_address: ipv4(
            &f.destination_address,
            &format!("{parameter}.DestinationAddress"),
        )?,
        destination_port_range: port_range(
            &f.destination_port_range,
            &format!("{parameter}.DestinationPortRange"),
        )?,
    }))
}

/// The path a request describes, checked for shape (not yet for existence).
fn parse_path(scope: &Scope, req: &NewPath) -> Result<PathSpec> {
    if req.source.is_empty() {
        return Err(Error::missing_parameter("Source"));
    }
    let protocol = req.protocol.to_ascii_lowercase();
    if !matches!(protocol.as_str(), "tcp" | "udp") {
        return Err(Error::invalid_parameter_value(format!(
            "Value ({}) for parameter Protocol is invalid. Valid values: tcp, udp.",
            req.protocol
        )));
    }
    if req.filter_at_source.is_some() && (req.source_ip.is_some() || req.destination_port.is_some())
    {
        return Err(Error::invalid_combination(
            "FilterAtSource cannot be specified with SourceIp or DestinationPort.",
        ));
    }
    if req.filter_at_destination.is_some() && req.destination_ip.is_some() {
        return Err(Error::invalid_combination(
            "FilterAtDestination cannot be specified with DestinationIp.",
        ));
    }
    let destination = req.destination.as_deref().filter(|d| !d.is_empty());
    let filter_at_source = path_filter(&req.filter_at_source, "FilterAtSource")?;
    if destination.is_none()
        && filter_at_source.as_ref().is_none_or(|f| f.destination_address.is_none())
    {
        return Err(Error::new(
            Ec2::MissingParameter,
            "The request must include either the Destination parameter or the \
             FilterAtSource.DestinationAddress parameter. Add the required parameter and retry \
             the request.",
        ));
    }
    Ok(PathSpec {
        source: end_id(scope, &req.source, End::Source)?,
        destination: destination.map(|d| end_id(scope, d, End::Destination)).transpose()?,
        source_ip: ipv4(&req.source_ip, "SourceIp")?,
        destination_ip: ipv4(&req.destination_ip, "DestinationIp")?,
        protocol,
        destination_port: req.destination_port.map(|p| port(p, "DestinationPort")).transpose()?,
        filter_at_source,
        filter_at_destination: path_filter(&req.filter_at_destination, "FilterAtDestination")?,
    })
}

/// A non-empty idempotency token.
fn token(t: &Option<String>) -> Option<&str> {
    t.as_deref().filter(|t| !t.is_empty())
}

impl World {
    /// Whether `id` (a path's source or destination) exists in `scope`.
    fn path_end_exists(&self, scope: &Scope, id: &str) -> bool {
        match prefix_of(id) {
            "i" => self.instances.find(&kinds::INSTANCE, scope, id).is_ok(),
            "eni" => self.network_interfaces.find(&kinds::NETWORK_INTERFACE, scope, id).is_ok(),
            "igw" => self.internet_gateways.find(&kinds::INTERNET_GATEWAY, scope, id).is_ok(),
            "vpce" => self.find_vpc_endpoint(scope, id).is_ok_and(|e| e.is_live()),
            "vgw" => self.vpn_gateways.find(&kinds::VPN_GATEWAY, scope, id).is_ok(),
            "tgw" => self.find_transit_gateway(scope, id).is_ok(),
            // What is behind a transit gateway attachment (on premises, a peer, a VPC).
            "tgw-attach" => self.find_tgw_attachment(scope, id).is_ok_and(|a| a.is_live()),
            // The VPC across an active peering connection the caller's side is part of.
            "pcx" => self
                .vpc_peering_connections
                .get(id)
                .is_some_and(|p| p.is_active() && (p.owner == *scope || p.accepter == *scope)),
            // A provider's endpoint service the caller may use (PrivateLink).
            "vpce-svc" => self.visible_endpoint_services(scope).any(|s| s.id == id),
            _ => false,
        }
    }

    /// CreateNetworkInsightsPath. A repeated request (same client token, same parameters)
    /// answers with the path the first one created.
    pub fn create_network_insights_path(
        &mut self,
        scope: &Scope,
        req: NewPath,
        now: i64,
    ) -> Result<String> {
        crate::tags::validate(&req.tags)?;
        let spec = parse_path(scope, &req)?;
        let tags = req.tags.iter().cloned().collect();
        if let Some(t) = token(&req.client_token)
            && let Some(earlier) = self
                .network_insights_paths
                .in_scope(scope)
                .find(|p| p.client_token.as_deref() == Some(t))
        {
            return if earlier.spec == spec && earlier.tags == tags {
                Ok(earlier.id.clone())
            } else {
                Err(Error::idempotent_mismatch(t))
            };
        }
        if !self.path_end_exists(scope, &spec.source) {
            return Err(End::Source.not_found(&spec.source));
        }
        if let Some(d) = &spec.destination
            && !self.path_end_exists(scope, d)
        {
            return Err(End::Destination.not_found(d));
        }
        if self.network_insights_paths.reaches(scope, self.quotas.network_insights_paths_per_region)
        {
            return Err(Error::quota(
                "network_insights_paths_per_region",
                Ec2::NetworkInsightsPathLimitExceeded,
                format!(
                    "You have reached the limit of {} network insights paths.",
                    self.quotas.network_insights_paths_per_region
                ),
            ));
        }
        let id = self.fresh_id("nip");
        self.network_insights_paths.insert(
            id.clone(),
            NetworkInsightsPath {
                id: id.clone(),
                owner: scope.clone(),
                created: now,
                spec,
                client_token: token(&req.client_token).map(str::to_owned),
                tags,
            },
        );
        Ok(id)
    }

    /// DeleteNetworkInsightsPath: refused while analyses of the path exist.
    pub fn delete_network_insights_path(&mut self, scope: &Scope, id: &str) -> Result<()> {
        self.network_insights_paths.find(&kinds::NETWORK_INSIGHTS_PATH, scope, id)?;
        let analyses: Vec<&str> = self
            .network_insights_analyses
            .in_scope(scope)
            .filter(|a| a.path_id == id)
            .map(|a| a.id.as_str())
            .collect();
        if !analyses.is_empty() {
            return Err(Error::new(
                Ec2::AnalysisExistsForNetworkInsightsPath,
                format!(
                    "At least one analysis [{}] exists for path {id}. Delete all the analyses \
                     before deleting this network path.",
                    analyses.join(", ")
                ),
            ));
        }
        self.network_insights_paths.remove(id);
        Ok(())
    }

    /// StartNetworkInsightsAnalysis: `analyse` answers the path on the network as it is now;
    /// its answer is stored with the analysis. A repeated request (same client token, same
    /// parameters) answers with the analysis the first one started.
    pub fn start_network_insights_analysis(
        &mut self,
        scope: &Scope,
        req: NewAnalysis,
        now: i64,
        analyse: impl FnOnce(&World, &NetworkInsightsPath) -> AnalysisResult,
    ) -> Result<String> {
        crate::tags::validate(&req.tags)?;
        let path =
            self.network_insights_paths.find(&kinds::NETWORK_INSIGHTS_PATH, scope, &req.path_id)?;
        if let Some(empty) =
            req.filter_in_arns.iter().chain(&req.filter_out_arns).find(|a| a.is_empty())
        {
            return Err(Error::invalid_parameter_value(format!(
                "The ARN '{empty}' is invalid: it must not be empty."
            )));
        }
        let tags = req.tags.iter().cloned().collect();
        if let Some(t) = token(&req.client_token)
            && let Some(earlier) = self
                .network_insights_analyses
                .in_scope(scope)
                .find(|a| a.client_token.as_deref() == Some(t))
        {
            let same = earlier.path_id == req.path_id
                && earlier.filter_in_arns == req.filter_in_arns
                && earlier.filter_out_arns == req.filter_out_arns
                && earlier.additional_accounts == req.additional_accounts
                && earlier.tags == tags;
            return if same { Ok(earlier.id.clone()) } else { Err(Error::idempotent_mismatch(t)) };
        }
        if self
            .network_insights_analyses
            .reaches(scope, self.quotas.network_insights_analyses_per_region)
        {
            return Err(Error::quota(
                "network_insights_analyses_per_region",
                Ec2::NetworkInsightsAnalysisLimitExceeded,
                format!(
                    "You have reached the limit of {} network insights analyses.",
                    self.quotas.network_insights_analyses_per_region
                ),
            ));
        }
        let result = analyse(self, path);
        let id = self.fresh_id("nia");
        self.network_insights_analyses.insert(
            id.clone(),
            NetworkInsightsAnalysis {
                id: id.clone(),
                owner: scope.clone(),
                path_id: req.path_id,
                started: now,
                filter_in_arns: req.filter_in_arns,
                filter_out_arns: req.filter_out_arns,
                additional_accounts: req.additional_accounts,
                client_token: token(&req.client_token).map(str::to_owned),
                result,
                tags,
            },
        );
        Ok(id)
    }

    /// DeleteNetworkInsightsAnalysis.
    pub fn delete_network_insights_analysis(&mut self, scope: &Scope, id: &str) -> Result<()> {
        self.network_insights_analyses.find(&kinds::NETWORK_INSIGHTS_ANALYSIS, scope, id)?;
        self.network_insights_analyses.remove(id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::Launch;

    /// A world with an instance (in a subnet of a VPC with an internet gateway):
    /// (world, scope, instance, its interface, gateway).
    fn world() -> (World, Scope, String, String, String) {
        let (mut w, scope, vpc, subnet) = crate::testkit::world_with_subnet("10.0.1.0/24");
        let igw = w.create_internet_gateway(&scope, &[]).unwrap();
        w.attach_internet_gateway(&scope, &igw, &vpc).unwrap();
        let launch = Launch {
            image_id: "ami-12345678".into(),
            instance_type: "t3.micro".into(),
            min_count: 1,
            max_count: 1,
            subnet_id: Some(subnet),
            ..Default::default()
        };
        let (_, ids) = w.run_instances(&scope, launch, 0).unwrap();
        let instance = ids.into_iter().next().unwrap();
        let eni = w.instances.get(&instance).unwrap().primary_network_interface_id.clone();
        (w, scope, instance, eni, igw)
    }

    fn path(source: &str, destination: &str) -> NewPath {
        NewPath {
            source: source.into(),
            destination: Some(destination.into()),
            protocol: "tcp".into(),
            destination_port: Some(22),
            ..Default::default()
        }
    }

    fn code(r: Result<String>) -> String {
        r.unwrap_err().code.to_string()
    }

    #[test]
    fn paths_are_validated_as_aws_does() {
        let (mut w, scope, instance, eni, igw) = world();
        let mut ok = path(&igw, &instance);
        ok.protocol = "TCP".into();
        let id = w.create_network_insights_path(&scope, ok, 1).unwrap();
        assert!(crate::ids::is_well_formed("nip", &id) && id.len() == 21, "{id}");
        let stored = w.network_insights_paths.get(&id).unwrap();
        assert_eq!(stored.spec.protocol, "tcp");

        // An ARN names the resource; the path keeps its id.
        let arn = scope.ec2_arn(&eni).unwrap();
        let id = w.create_network_insights_path(&scope, path(&arn, &igw), 1).unwrap();
        assert_eq!(w.network_insights_paths.get(&id).unwrap().spec.source, eni);

        let cases: Vec<(NewPath, &str)> = vec![
            (path("i-0123456789abcdef0", &igw), "NetworkInsightsSource.NotFound"),
            (path(&instance, "eni-0123456789abcdef0"), "NetworkInsightsDestination.NotFound"),
            (path("", &igw), "MissingParameter"),
            (NewPath { destination: None, ..path(&instance, "") }, "MissingParameter"),
            (
                NewPath { destination_ip: Some("10.0.1.9".into()), ..path(&instance, "") },
                "MissingParameter",
            ),
            (NewPath { protocol: "icmp".into(), ..path(&instance, &igw) }, "InvalidParameterValue"),
            (
                NewPath { destination_port: Some(70000), ..path(&instance, &igw) },
                "InvalidParameterValue",
            ),
            (
                NewPath { source_ip: Some("10.0.1".into()), ..path(&instance, &igw) },
                "InvalidParameterValue",
            ),
            (path("vpc-0123456789abcdef0", &igw), "InvalidParameterValue"),
            (path("tgw-0123456789abcdef0", &igw), "NetworkInsightsSource.NotFound"),
            (path("nat-0123456789abcdef0", &igw), "InvalidParameterValue"),
            (
                path("arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0", &igw),
                "NetworkInsightsSource.NotFound",
            ),
            (
                NewPath {
                    filter_at_source: Some(FilterRequest::default()),
                    ..path(&instance, &igw)
                },
                "InvalidParameterCombination",
            ),
            (
                NewPath {
                    destination_ip: Some("10.0.1.9".into()),
                    filter_at_destination: Some(FilterRequest::default()),
                    ..path(&instance, &igw)
                },
                "InvalidParameterCombination",
            ),
            (
                NewPath {
                    destination_port: None,
                    filter_at_source: Some(FilterRequest {
                        destination_port_range: Some((Some(443), Some(80))),
                        ..Default::default()
                    }),
                    ..path(&instance, &igw)
                },
                "InvalidParameterValue",
            ),
        ];
        for (req, expected) in cases {
            let shown = format!("{req:?}");
            assert_eq!(code(w.create_network_insights_path(&scope, req, 1)), expected, "{shown}");
        }

        // Only FilterAtSource.DestinationAddress may stand in for a destination.
        let to_address = NewPath {
            destination: None,
            destination_port: None,
            filter_at_source: Some(FilterRequest {
                destination_address: Some("8.8.8.8".into()),
                destination_port_range: Some((Some(443), None)),
                ..Default::default()
            }),
            ..path(&instance, "")
        };
        let id = w.create_network_insights_path(&scope, to_address, 1).unwrap();
        let f = w.network_insights_paths.get(&id).unwrap().spec.filter_at_source.clone().unwrap();
        assert_eq!(f.destination_port_range, Some(PortSpan { from: 443, to: 65535 }));
    }

    #[test]
    fn client_tokens_make_creation_idempotent() {
        let (mut w, scope, instance, _, igw) = world();
        let req = NewPath { client_token: Some("tok".into()), ..path(&igw, &instance) };
        let first = w.create_network_insights_path(&scope, req.clone(), 1).unwrap();
        assert_eq!(w.create_network_insights_path(&scope, req.clone(), 2).unwrap(), first);
        assert_eq!(w.network_insights_paths.len(), 1);
        let changed = NewPath { destination_port: Some(23), ..req };
        assert_eq!(
            code(w.create_network_insights_path(&scope, changed, 3)),
            "IdempotentParameterMismatch"
        );

        let start = |w: &mut World, token: &str, filter: Vec<String>| {
            let req = NewAnalysis {
                path_id: first.clone(),
                filter_in_arns: filter,
                client_token: Some(token.into()),
                ..Default::default()
            };
            w.start_network_insights_analysis(&scope, req, 5, |_, _| AnalysisResult::default())
        };
        let a = start(&mut w, "t1", vec![]).unwrap();
        assert_eq!(start(&mut w, "t1", vec![]).unwrap(), a);
        assert_eq!(code(start(&mut w, "t1", vec![igw.clone()])), "IdempotentParameterMismatch");
        assert_eq!(w.network_insights_analyses.len(), 1);
    }

    #[test]
    fn analyses_store_their_answer_and_hold_their_path() {
        let (mut w, scope, instance, _, igw) = world();
        let p = w.create_network_insights_path(&scope, path(&igw, &instance), 1).unwrap();
        let req = NewAnalysis { path_id: p.clone(), ..Default::default() };
        let a = w
            .start_network_insights_analysis(&scope, req, 7, |world, path| {
                assert!(world.network_insights_paths.contains(&path.id));
                AnalysisResult { path_found: Some(true), ..Default::default() }
            })
            .unwrap();
        let stored = w.network_insights_analyses.get(&a).unwrap();
        assert_eq!((stored.started, stored.result.path_found), (7, Some(true)));
        let e = w.delete_network_insights_path(&scope, &p).unwrap_err();
        assert_eq!(e.code, "AnalysisExistsForNetworkInsightsPath");
        assert!(e.message.contains(&a) && e.message.contains(&p), "{}", e.message);
        w.delete_network_insights_analysis(&scope, &a).unwrap();
        assert_eq!(
            w.delete_network_insights_analysis(&scope, &a).unwrap_err().code,
            "InvalidNetworkInsightsAnalysisId.NotFound"
        );
        w.delete_network_insights_path(&scope, &p).unwrap();
        assert_eq!(
            w.delete_network_insights_path(&scope, &p).unwrap_err().code,
            "InvalidNetworkInsightsPathId.NotFound"
        );
        let req = NewAnalysis { path_id: "nip-xyz".into(), ..Default::default() };
        assert_eq!(
            w.start_network_insights_analysis(&scope, req, 0, |_, _| AnalysisResult::default())
                .unwrap_err()
                .code,
            "InvalidNetworkInsightsPathId.Malformed"
        );
    }

    #[test]
    fn quotas_bound_paths_and_analyses() {
        let (mut w, scope, instance, _, igw) = world();
        w.quotas.network_insights_paths_per_region = 1;
        w.quotas.network_insights_analyses_per_region = 1;
        let p = w.create_network_insights_path(&scope, path(&igw, &instance), 1).unwrap();
        assert_eq!(
            code(w.create_network_insights_path(&scope, path(&instance, &igw), 1)),
            "NetworkInsightsPath.LimitExceeded"
        );
        let start = |w: &mut World| {
            let req = NewAnalysis { path_id: p.clone(), ..Default::default() };
            w.start_network_insights_analysis(&scope, req, 0, |_, _| AnalysisResult::default())
        };
        start(&mut w).unwrap();
        assert_eq!(code(start(&mut w)), "NetworkInsightsAnalysis.LimitExceeded");
    }

    #[test]
    fn paths_and_analyses_are_tagged_like_other_resources() {
        let (mut w, scope, instance, _, igw) = world();
        let req = NewPath { tags: vec![("Name".into(), "web".into())], ..path(&igw, &instance) };
        let p = w.create_network_insights_path(&scope, req, 1).unwrap();
        let (kind, _, tags) = w.tags_of(&p).unwrap();
        assert_eq!(
            (kind, tags.get("Name").map(String::as_str)),
            ("network-insights-path", Some("web"))
        );
        w.create_tags(&scope, std::slice::from_ref(&p), &[("env".into(), "dev".into())]).unwrap();
        assert_eq!(w.network_insights_paths.get(&p).unwrap().tags.len(), 2);
    }
}
