//! Reachability Analyzer's answer to a network insights path: the path's question put to the
//! engine ([`trace`]), and the [`Trace`] written down as the records an analysis stores
//! ([`model::network_insights::AnalysisResult`]), in AWS's vocabulary.
//!
//! What AWS shows, and so what is written here:
//! - components numbered from 1, forward and return each; a blocked path stops at (and
//!   includes) its first blocking component, and has a return path only when the forward one
//!   got through;
//! - headers only where packets start, end or change: the source's outbound header, the
//!   destination's inbound header, an internet gateway's headers (entering: the full inbound
//!   header and only the translated destination outbound; leaving: the full outbound header);
//! - the rule or route that decided at each ACL, security group and route table;
//! - a path whose source or destination is a network interface starts or ends at the
//!   interface, not at the instance it is attached to.

use crate::endpoint::Endpoint;
use crate::header::{ALL_PORTS, Family, Header, Span, public_cidrs, span_cidrs};
use crate::packet::{TCP, UDP, protocol_name, protocol_number};
use crate::trace::{Decision, Explanation, Hop, Network, Question, Trace, TraceError, trace};
use model::kinds;
use model::kinds::parse_ec2_arn;
use model::network_insights::{
    AclRuleRecord, AnalysisResult, AnalysisStatus, ComponentRef, ExplanationRecord, HeaderRecord,
    PathComponentRecord, RouteRecord, SecurityGroupRuleRecord, TransitRouteRecord,
};
use model::transit_gateway::TgwRoute;
use model::types::ec2::{
    AclCidr, NetworkAclEntry, NetworkInsightsPath, PathFilter, PortSpan, Route, RouteDestination,
    RouteOrigin, RouteTarget, RulePeer, SecurityGroupRule,
};
use model::{Scope, World};
use std::net::{IpAddr, Ipv4Addr};

/// Explanation codes of the analysis itself (search filters, configuration), beside the
/// engine's [`crate::trace::codes`].
pub mod codes {
    pub const NO_PATH: &str = "NO_PATH";
    pub const NO_SOURCE_OR_DESTINATION: &str = "NO_SOURCE_OR_DESTINATION";
    pub const UNASSOCIATED_COMPONENT: &str = "UNASSOCIATED_COMPONENT";
    pub const UNSUPPORTED_COMPONENT: &str = "UNSUPPORTED_COMPONENT";
    pub const COMPONENT_FILTER_RESTRICTION: &str = "COMPONENT_FILTER_RESTRICTION";
    pub const IGW_EXPECTS_PUBLIC_ADDRESS: &str = "IGW_EXPECTS_PUBLIC_ADDRESS";
    pub const FILTER_AT_SOURCE_SOURCE_ADDRESS: &str = "FILTER_AT_SOURCE_SOURCE_ADDRESS";
    pub const FILTER_AT_DESTINATION_DESTINATION_ADDRESS: &str =
        "FILTER_AT_DESTINATION_DESTINATION_ADDRESS";
    pub const FILTER_AT_DESTINATION_SOURCE_PORT_RANGE: &str =
        "FILTER_AT_DESTINATION_SOURCE_PORT_RANGE";
    pub const FILTER_AT_DESTINATION_DESTINATION_PORT_RANGE: &str =
        "FILTER_AT_DESTINATION_DESTINATION_PORT_RANGE";
}

/// Analyses `path` on `net`: the path must traverse every component of `filter_in_arns` and
/// none of `filter_out_arns` (ARNs or ids). The owner of the path names the ARNs written.
pub fn analyse(
    net: &Network<'_>,
    path: &NetworkInsightsPath,
    filter_in_arns: &[String],
    filter_out_arns: &[String],
) -> AnalysisResult {
    let names = Names { world: net.world, scope: &path.owner };
    let question = match question(net, path) {
        Ok(q) => q,
        Err(explanation) => return not_found(vec![*explanation]),
    };
    let t = match trace(net, &question) {
        Ok(t) => t,
        Err(e) => return not_found(vec![trace_error(&names, path, &e)]),
    };
    let mut explanations: Vec<ExplanationRecord> =
        t.explanations.iter().map(|e| names.explanation(e)).collect();
    if t.reachable() {
        let on_path = |arn: &String| t.components().any(|c| c == component_id(arn));
        for arn in filter_in_arns.iter().filter(|a| !on_path(a)) {
            explanations.push(ExplanationRecord {
                code: codes::COMPONENT_FILTER_RESTRICTION.into(),
                component: Some(names.component(component_id(arn))),
                ..ExplanationRecord::default()
            });
        }
        for arn in filter_out_arns.iter().filter(|a| on_path(a)) {
            explanations.push(ExplanationRecord {
                code: codes::NO_PATH.into(),
                component: Some(names.component(component_id(arn))),
                ..ExplanationRecord::default()
            });
        }
    }
    let (forward, back) = shown_paths(&t, &path.spec.source, path.spec.destination.as_deref());
    AnalysisResult {
        status: AnalysisStatus::Succeeded,
        status_message: None,
        path_found: Some(t.reachable() && explanations.is_empty()),
        forward: names.components(forward),
        back: names.components(back),
        explanations,
    }
}

fn not_found(explanations: Vec<ExplanationRecord>) -> AnalysisResult {
    AnalysisResult {
        status: AnalysisStatus::Succeeded,
        path_found: Some(false),
        explanations,
        ..AnalysisResult::default()
    }
}

/// The id an ARN (or a plain id) of a filter names.
pub(crate) fn component_id(arn: &str) -> &str {
    parse_ec2_arn(arn).map_or(arn, |(_, _, id)| id)
}

fn explanation(code: &str, component: Option<ComponentRef>) -> ExplanationRecord {
    ExplanationRecord { code: code.into(), component, ..ExplanationRecord::default() }
}

/// The path's question: its ends, and the packets its addresses, ports and filters describe.
fn question(
    net: &Network<'_>,
    path: &NetworkInsightsPath,
) -> Result<Question, Box<ExplanationRecord>> {
    let names = Names { world: net.world, scope: &path.owner };
    let spec = &path.spec;
    let none = PathFilter::default();
    let at_source = spec.filter_at_source.as_ref().unwrap_or(&none);
    let at_destination = spec.filter_at_destination.as_ref().unwrap_or(&none);
    let v4 = |a: Option<Ipv4Addr>| a.map(IpAddr::V4);
    let source_address =
        v4(spec.source_ip.or(at_source.source_address).or(at_destination.source_address));
    let destination = match &spec.destination {
        Some(id) => Endpoint::Resource(id.clone()),
        None => match at_source.destination_address.or(at_destination.destination_address) {
            Some(a) => Endpoint::Address(IpAddr::V4(a)),
            None => return Err(Box::new(explanation(codes::NO_PATH, None))),
        },
    };
    // Seen at the source, a destination behind an internet gateway is its public address;
    // the engine names an interface by its private one.
    let destination_address = match spec.destination {
        None => None,
        Some(_) => v4(spec.destination_ip.or(at_destination.destination_address)).or_else(|| {
            at_source.destination_address.map(|a| {
                net.index
                    .public_holder(&path.owner.region, a)
                    .map_or(IpAddr::V4(a), |holder| holder.private)
            })
        }),
    };
    for (end, address) in
        [(Some(&spec.source), source_address), (spec.destination.as_ref(), destination_address)]
    {
        if let (Some(id), Some(IpAddr::V4(a))) = (end, address)
            && kinds::INTERNET_GATEWAY.names(id)
            && !is_public(a)
        {
            return Err(Box::new(ExplanationRecord {
                address: Some(a.to_string()),
                ..explanation(codes::IGW_EXPECTS_PUBLIC_ADDRESS, Some(names.component(id)))
            }));
        }
    }
    let span = |p: Option<PortSpan>| p.map(|p| Span::new(u128::from(p.from), u128::from(p.to)));
    let both = |a: Option<Span>, b: Option<Span>, code: &str| match (a, b) {
        (Some(a), Some(b)) => a.intersect(b).ok_or_else(|| Box::new(explanation(code, None))),
        (a, b) => Ok(a.or(b).unwrap_or(ALL_PORTS)),
    };
    let source_ports = both(
        span(at_source.source_port_range),
        span(at_destination.source_port_range),
        codes::FILTER_AT_DESTINATION_SOURCE_PORT_RANGE,
    )?;
    let destination_ports = both(
        spec.destination_port
            .map(|p| Span::one(u128::from(p)))
            .or(span(at_source.destination_port_range)),
        span(at_destination.destination_port_range),
        codes::FILTER_AT_DESTINATION_DESTINATION_PORT_RANGE,
    )?;
    Ok(Question {
        source: Endpoint::Resource(spec.source.clone()),
        destination,
        source_address,
        destination_address,
        protocol: if spec.protocol == "udp" { UDP } else { TCP },
        source_ports,
        destination_ports,
    })
}

/// Whether an address may be an internet host's: not private (RFC 1918), not shared
/// (RFC 6598), not loopback, link-local or unspecified.
fn is_public(a: Ipv4Addr) -> bool {
    let shared = a.octets()[0] == 100 && (a.octets()[1] & 0xc0) == 64;
    !(a.is_private() || shared || a.is_loopback() || a.is_link_local() || a.is_unspecified())
}

/// Why a question could not be put to the network, as Reachability Analyzer says it.
fn trace_error(names: &Names<'_>, path: &NetworkInsightsPath, e: &TraceError) -> ExplanationRecord {
    match e {
        TraceError::UnknownResource(id) => {
            explanation(codes::NO_SOURCE_OR_DESTINATION, Some(names.component(id)))
        }
        TraceError::UnsupportedEndpoint(id) => {
            explanation(codes::UNSUPPORTED_COMPONENT, Some(names.component(id)))
        }
        TraceError::NoAddress(id) => {
            explanation(codes::UNASSOCIATED_COMPONENT, Some(names.component(id)))
        }
        TraceError::AddressNotOnResource { resource, address } => {
            let at_source = *resource == path.spec.source
                || names.world.network_interfaces.get(&path.spec.source).is_some_and(|eni| {
                    eni.attachment.as_ref().is_some_and(|a| a.instance_id == *resource)
                });
            let code = if at_source {
                codes::FILTER_AT_SOURCE_SOURCE_ADDRESS
            } else {
                codes::FILTER_AT_DESTINATION_DESTINATION_ADDRESS
            };
            ExplanationRecord {
                address: Some(address.to_string()),
                ..explanation(code, Some(names.component(resource)))
            }
        }
        TraceError::MixedFamilies => explanation(codes::NO_PATH, None),
        TraceError::NoEndpointToService { service, .. } => {
            explanation(codes::NO_PATH, Some(names.component(service)))
        }
    }
}

/// The hops shown: an interface end without its instance; a blocked forward path up to its
/// first blocking component and no return path; a blocked return path likewise cut.
fn shown_paths<'t>(
    t: &'t Trace,
    source: &str,
    destination: Option<&str>,
) -> (&'t [Hop], &'t [Hop]) {
    let eni_source = kinds::NETWORK_INTERFACE.names(source);
    let eni_destination = destination.is_some_and(|d| kinds::NETWORK_INTERFACE.names(d));
    let trim = |hops: &'t [Hop], first_is_eni_end: bool, last_is_eni_end: bool| {
        let instance = |h: Option<&Hop>| h.is_some_and(|h| kinds::INSTANCE.names(&h.component));
        let mut hops = hops;
        if first_is_eni_end && instance(hops.first()) {
            hops = hops.get(1..).unwrap_or_default();
        }
        if last_is_eni_end && instance(hops.last()) {
            hops = hops.get(..hops.len() - 1).unwrap_or_default();
        }
        hops
    };
    let upto_block = |hops: &'t [Hop]| match hops.iter().position(|h| h.blocked) {
        Some(i) => (hops.get(..=i).unwrap_or(hops), true),
        None => (hops, false),
    };
    let (forward, blocked) = upto_block(trim(&t.forward, eni_source, eni_destination));
    let back =
        if blocked { &[][..] } else { upto_block(trim(&t.back, eni_destination, eni_source)).0 };
    (forward, back)
}

/// `hops` as the path components an analysis of `scope` (its owner names the ARNs) stores.
pub(crate) fn path_components(
    world: &World,
    scope: &Scope,
    hops: &[Hop],
) -> Vec<PathComponentRecord> {
    Names { world, scope }.components(hops)
}

/// Writes components as analyses name them: ids with ARNs of the path's owner and `Name` tags.
struct Names<'w> {
    world: &'w World,
    scope: &'w Scope,
}

impl Names<'_> {
    fn component(&self, id: &str) -> ComponentRef {
        // Load balancers are named by ARN.
        if id.starts_with("arn:") {
            let name = self.world.load_balancers.get(id).map(|b| b.name.clone());
            return ComponentRef { id: id.to_owned(), arn: Some(id.to_owned()), name };
        }
        let tagged = self.world.tags_of(id);
        let name = tagged.and_then(|(_, _, tags)| tags.get("Name").cloned());
        // A component of a peered VPC is another account's or region's: its ARN says so.
        let owner = tagged.map_or(self.scope, |(_, owner, _)| owner);
        ComponentRef { id: id.to_owned(), arn: owner.ec2_arn(id), name }
    }

    fn components(&self, hops: &[Hop]) -> Vec<PathComponentRecord> {
        let last = hops.len().saturating_sub(1);
        hops.iter().enumerate().map(|(i, hop)| self.path_component(hop, i, i == last)).collect()
    }

    fn path_component(&self, hop: &Hop, index: usize, last: bool) -> PathComponentRecord {
        // Load balancers are named by ARN, the rest by ids of their kind.
        let load_balancer = hop.component.starts_with("arn:");
        let kind = kinds::of(&hop.component);
        let mut c = PathComponentRecord {
            sequence_number: i32::try_from(index + 1).unwrap_or(i32::MAX),
            component: self.component(&hop.component),
            ..PathComponentRecord::default()
        };
        match kind {
            Some(&kinds::INSTANCE | &kinds::NETWORK_INTERFACE) => {
                if index == 0 {
                    c.outbound_header = hop.outbound.as_ref().map(header);
                }
                if last {
                    c.inbound_header = hop.inbound.as_ref().map(header);
                }
                if kind == Some(&kinds::NETWORK_INTERFACE) {
                    c.vpc = hop.vpc.as_deref().map(|v| self.component(v));
                    c.subnet = hop.subnet.as_deref().map(|s| self.component(s));
                    c.attached_to = hop.attached_to.as_deref().map(|a| self.component(a));
                }
            }
            Some(
                &kinds::INTERNET_GATEWAY
                | &kinds::EGRESS_ONLY_INTERNET_GATEWAY
                | &kinds::VPN_GATEWAY,
            ) => {
                c.vpc = hop.vpc.as_deref().map(|v| self.component(v));
                match (&hop.inbound, &hop.outbound) {
                    // Entering: the gateway translated the public destination.
                    (Some(inbound), Some(outbound))
                        if inbound.destination != outbound.destination =>
                    {
                        c.inbound_header = Some(header(inbound));
                        c.outbound_header = Some(HeaderRecord {
                            destination_addresses: addresses(outbound.family, outbound.destination),
                            ..HeaderRecord::default()
                        });
                    }
                    (_, Some(outbound)) => c.outbound_header = Some(header(outbound)),
                    (inbound, None) => c.inbound_header = inbound.as_ref().map(header),
                }
            }
            Some(&kinds::VPC_ENDPOINT | &kinds::VPC_ENDPOINT_SERVICE) => {
                c.vpc = hop.vpc.as_deref().map(|v| self.component(v));
                c.inbound_header = hop.inbound.as_ref().map(header);
            }
            _ if load_balancer => {
                // A load balancer: the packets it took, and its own connection to the target.
                c.vpc = hop.vpc.as_deref().map(|v| self.component(v));
                c.subnet = hop.subnet.as_deref().map(|s| self.component(s));
                c.inbound_header = hop.inbound.as_ref().map(header);
                c.outbound_header = hop.outbound.as_ref().map(header);
            }
            Some(&kinds::NAT_GATEWAY) => {
                // A NAT gateway translates: the packets as they came, and the fields it changed.
                c.vpc = hop.vpc.as_deref().map(|v| self.component(v));
                c.subnet = hop.subnet.as_deref().map(|s| self.component(s));
                c.inbound_header = hop.inbound.as_ref().map(header);
                if let (Some(inbound), Some(outbound)) = (&hop.inbound, &hop.outbound) {
                    c.outbound_header = Some(translated_fields(inbound, outbound));
                }
            }
            _ => {}
        }
        match &hop.decision {
            Some(Decision::Acl(entry)) => c.acl_rule = Some(acl_rule(entry)),
            Some(Decision::SecurityGroup { egress, rule }) => {
                c.security_group_rule = Some(security_group_rule(rule, *egress));
            }
            Some(Decision::Route(route)) => {
                c.route_table_route = Some(self.route(&hop.component, route, None));
            }
            Some(Decision::TransitGatewayRoute(route)) => {
                c.transit_gateway_route_table_route = Some(self.transit_route(route));
            }
            Some(Decision::Listener { listener, .. }) => {
                c.elastic_load_balancer_listener = Some(self.component(listener));
            }
            None => {}
        }
        c
    }

    /// A route as analyses show it, with its state in its table now (or as explained).
    fn route(&self, table: &str, route: &Route, state: Option<&str>) -> RouteRecord {
        let state = state.map(str::to_owned).unwrap_or_else(|| {
            self.world
                .route_tables
                .get(table)
                .map_or("active", |t| self.world.route_state(t, route))
                .to_owned()
        });
        route_record(route, state)
    }

    fn explanation(&self, e: &Explanation) -> ExplanationRecord {
        let named = |id: &Option<String>| id.as_deref().map(|i| self.component(i));
        // `Component` only when no field of its own kind names the component already.
        let typed = [&e.network_interface, &e.acl, &e.route_table, &e.internet_gateway];
        let component = e
            .component
            .as_ref()
            .filter(|c| !typed.iter().any(|t| t.as_ref() == Some(c)))
            .map(|c| self.component(c));
        let attached_to = match e.code {
            crate::trace::codes::ENI_SOURCE_DEST_CHECK_RESTRICTION => e
                .network_interface
                .as_ref()
                .and_then(|eni| self.world.network_interfaces.get(eni))
                .and_then(|eni| eni.attachment.as_ref())
                .map(|a| self.component(&a.instance_id)),
            _ => None,
        };
        ExplanationRecord {
            code: e.code.to_owned(),
            direction: e.direction.map(str::to_owned),
            component,
            vpc: named(&e.vpc),
            subnet: named(&e.subnet),
            network_interface: named(&e.network_interface),
            attached_to,
            security_groups: e.security_groups.iter().map(|g| self.component(g)).collect(),
            acl: named(&e.acl),
            acl_rule: e.acl_rule.as_ref().map(acl_rule),
            route_table: named(&e.route_table),
            route_table_route: e.route.as_ref().map(|r| {
                self.route(e.route_table.as_deref().unwrap_or_default(), r, e.state.as_deref())
            }),
            internet_gateway: named(&e.internet_gateway),
            destination: named(&e.destination),
            address: e.address.map(|a| a.to_string()),
            state: e.state.clone(),
            transit_gateway: named(&e.transit_gateway),
            transit_gateway_attachment: named(&e.transit_gateway_attachment),
            transit_gateway_route_table: named(&e.transit_gateway_route_table),
            transit_gateway_route_table_route: e
                .transit_gateway_route
                .as_ref()
                .map(|r| self.transit_route(r)),
            load_balancer_arn: e.load_balancer.clone(),
        }
    }

    /// A transit gateway route as analyses show it, with the resource behind its attachment.
    fn transit_route(&self, route: &TgwRoute) -> TransitRouteRecord {
        let attachment = route
            .attachment_ids
            .first()
            .and_then(|a| self.world.transit_gateway_attachments.get(a));
        TransitRouteRecord {
            destination_cidr: route.destination.to_string(),
            attachment_id: attachment.map(|a| a.id.clone()),
            resource_id: attachment.map(|a| a.resource.resource_id().to_owned()),
            resource_type: attachment.map(|a| a.resource.resource_type().to_owned()),
            route_origin: route.route_type.name().to_owned(),
            state: route.state.name().to_owned(),
        }
    }
}

/// A packet set as analyses show it: CIDR blocks (`/32` for one host), the protocol number,
/// port ranges for protocols with ports.
pub(crate) fn header(h: &Header) -> HeaderRecord {
    let ports = |s: Span| {
        let port = |v: u128| u16::try_from(v).unwrap_or(u16::MAX);
        if h.has_ports() { vec![PortSpan { from: port(s.lo), to: port(s.hi) }] } else { vec![] }
    };
    HeaderRecord {
        protocol: Some(h.protocol.to_string()),
        source_addresses: addresses(h.family, h.source),
        destination_addresses: addresses(h.family, h.destination),
        source_port_ranges: ports(h.source_ports),
        destination_port_ranges: ports(h.destination_ports),
    }
}

/// Only the fields a translating component changed, as AWS writes its outbound header.
fn translated_fields(inbound: &Header, outbound: &Header) -> HeaderRecord {
    let full = header(outbound);
    HeaderRecord {
        protocol: None,
        source_addresses: if inbound.source != outbound.source {
            full.source_addresses
        } else {
            vec![]
        },
        destination_addresses: if inbound.destination != outbound.destination {
            full.destination_addresses
        } else {
            vec![]
        },
        source_port_ranges: if inbound.source_ports != outbound.source_ports {
            full.source_port_ranges
        } else {
            vec![]
        },
        destination_port_ranges: if inbound.destination_ports != outbound.destination_ports {
            full.destination_port_ranges
        } else {
            vec![]
        },
    }
}

/// An address set as CIDR blocks. One address is an interface's (or a host's given by the
/// path); a set of many is the internet's, which AWS writes as public space only.
fn addresses(family: Family, span: Span) -> Vec<String> {
    if !span.is_single() {
        return public_cidrs(family, span);
    }
    let host = if family == Family::V4 { 32 } else { 128 };
    span_cidrs(family, span)
        .into_iter()
        .map(|c| if c.contains('/') { c } else { format!("{c}/{host}") })
        .collect()
}

/// A rule's protocol as analyses write it: `all`, `tcp`, `udp`, `icmp`, or its number.
fn protocol_text(protocol: &str) -> String {
    match protocol_number(protocol) {
        Some(None) => "all".into(),
        Some(Some(p)) => protocol_name(p),
        None => protocol.to_owned(),
    }
}

/// A rule's port range, for the protocols that have ports.
fn rule_ports(protocol: &str, from: Option<i32>, to: Option<i32>) -> Option<PortSpan> {
    if !matches!(protocol_number(protocol), Some(Some(TCP | UDP))) {
        return None;
    }
    let port = |p: Option<i32>| p.and_then(|p| u16::try_from(p).ok());
    Some(PortSpan { from: port(from)?, to: port(to)? })
}

fn acl_rule(e: &NetworkAclEntry) -> AclRuleRecord {
    AclRuleRecord {
        cidr: Some(match &e.cidr {
            AclCidr::V4(c) => c.to_string(),
            AclCidr::V6(c) => c.to_string(),
        }),
        egress: e.egress,
        port_range: rule_ports(&e.protocol, e.port_from, e.port_to),
        protocol: protocol_text(&e.protocol),
        rule_action: if e.allow { "allow" } else { "deny" }.into(),
        rule_number: e.rule_number,
    }
}

fn security_group_rule(rule: &SecurityGroupRule, egress: bool) -> SecurityGroupRuleRecord {
    let mut r = SecurityGroupRuleRecord {
        direction: if egress { "egress" } else { "ingress" }.into(),
        port_range: rule_ports(&rule.protocol, rule.from_port, rule.to_port),
        protocol: protocol_text(&rule.protocol),
        ..SecurityGroupRuleRecord::default()
    };
    match &rule.peer {
        RulePeer::V4(c) => r.cidr = Some(c.to_string()),
        RulePeer::V6(c) => r.cidr = Some(c.to_string()),
        RulePeer::PrefixList(id) => r.prefix_list_id = Some(id.clone()),
        RulePeer::Group { group_id, .. } => r.security_group_id = Some(group_id.clone()),
    }
    r
}

fn route_record(route: &Route, state: String) -> RouteRecord {
    let mut r = RouteRecord {
        origin: match route.origin {
            RouteOrigin::CreateRouteTable => "createroutetable",
            RouteOrigin::CreateRoute => "createroute",
            RouteOrigin::EnableVgwRoutePropagation => "enablevgwroutepropagation",
        }
        .into(),
        state,
        ..RouteRecord::default()
    };
    match &route.destination {
        RouteDestination::V4(c) => r.destination_cidr = Some(c.to_string()),
        RouteDestination::V6(c) => r.destination_cidr = Some(c.to_string()),
        RouteDestination::PrefixList(id) => r.destination_prefix_list_id = Some(id.clone()),
    }
    match &route.target {
        RouteTarget::Local => r.gateway_id = Some("local".into()),
        RouteTarget::Gateway(id) | RouteTarget::VpcEndpoint(id) => r.gateway_id = Some(id.clone()),
        RouteTarget::EgressOnlyInternetGateway(id) => {
            r.egress_only_internet_gateway_id = Some(id.clone());
        }
        RouteTarget::NatGateway(id) => r.nat_gateway_id = Some(id.clone()),
        RouteTarget::Instance { instance_id, network_interface_id } => {
            r.instance_id = Some(instance_id.clone());
            r.network_interface_id = Some(network_interface_id.clone());
        }
        RouteTarget::NetworkInterface(id) => r.network_interface_id = Some(id.clone()),
        RouteTarget::VpcPeeringConnection(id) => r.vpc_peering_connection_id = Some(id.clone()),
        RouteTarget::TransitGateway(id) => r.transit_gateway_id = Some(id.clone()),
        RouteTarget::LocalGateway(id) => r.local_gateway_id = Some(id.clone()),
        RouteTarget::CarrierGateway(id) => r.carrier_gateway_id = Some(id.clone()),
        RouteTarget::CoreNetwork(arn) => r.core_network_arn = Some(arn.clone()),
    }
    r
}

#[cfg(test)]
mod tests {
    use super::codes::*;
    use crate::lab::Lab;
    use crate::trace::codes::*;
    use model::network_insights::{AnalysisResult, PathComponentRecord};
    use model::security_group::PeerRequest;
    use model::types::ec2::PortSpan;

    struct TwoTier {
        lab: Lab,
        igw: String,
        web: String,
        db: String,
        db_sg: String,
    }

    /// Web (public, Elastic IP, 443 from anywhere) and db (private, 3306 from web's group).
    fn two_tier() -> TwoTier {
        let mut lab = Lab::new();
        let igw = lab.igw();
        let (public, public_rt) = lab.subnet("10.0.1.0/24");
        let (private, _) = lab.subnet("10.0.2.0/24");
        lab.route_to_gateway(&public_rt, "0.0.0.0/0", &igw);
        let web_sg = lab.group("web");
        lab.allow_in(&web_sg, "tcp", 443, PeerRequest::CidrV4("0.0.0.0/0".into()));
        let db_sg = lab.group("db");
        let from_web =
            PeerRequest::Group { group_id: Some(web_sg.clone()), group_name: None, user_id: None };
        lab.allow_in(&db_sg, "tcp", 3306, from_web);
        let web = lab.instance(&public, &[&web_sg], true);
        let db = lab.instance(&private, &[&db_sg], false);
        TwoTier { lab, igw, web, db, db_sg }
    }

    fn ids(components: &[PathComponentRecord]) -> Vec<&str> {
        components.iter().map(|c| model::ids::prefix_of(&c.component.id)).collect()
    }

    fn codes(r: &AnalysisResult) -> Vec<&str> {
        r.explanations.iter().map(|e| e.code.as_str()).collect()
    }

    fn ports(p: u16, q: u16) -> Vec<PortSpan> {
        vec![PortSpan { from: p, to: q }]
    }

    #[test]
    fn a_found_path_is_written_as_aws_shows_it() {
        let t = two_tier();
        let r = t.lab.analyse(&t.lab.path(&t.igw, &t.web, 443), &[]);
        assert_eq!(r.path_found, Some(true), "{:?}", r.explanations);
        assert_eq!(r.status.as_str(), "succeeded");
        assert_eq!(ids(&r.forward), ["igw", "acl", "sg", "eni", "i"]);
        assert_eq!(ids(&r.back), ["i", "eni", "sg", "acl", "rtb", "igw"]);
        let numbers: Vec<i32> = r.back.iter().map(|c| c.sequence_number).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 5, 6]);

        let eni = t.lab.world.instances.get(&t.web).unwrap().primary_network_interface_id.clone();
        let eni = t.lab.world.network_interfaces.get(&eni).unwrap();
        let private = format!("{}/32", eni.primary_ip().unwrap());
        let public = format!("{}/32", eni.public_ip().unwrap());

        let [gw, acl, sg, interface, instance] = &r.forward[..] else { panic!() };
        assert_eq!(
            gw.component.arn.as_deref(),
            Some(format!("arn:aws:ec2:us-east-1:123456789012:internet-gateway/{}", t.igw).as_str())
        );
        assert_eq!(gw.vpc.as_ref().map(|v| v.id.as_str()), Some(t.lab.vpc.as_str()));
        let inbound = gw.inbound_header.as_ref().unwrap();
        assert_eq!(inbound.protocol.as_deref(), Some("6"));
        assert_eq!(inbound.destination_addresses, std::slice::from_ref(&public));
        assert_eq!(inbound.source_addresses[..3], ["0.0.0.0/5", "8.0.0.0/7", "11.0.0.0/8"]);
        assert_eq!(
            (&inbound.source_port_ranges, &inbound.destination_port_ranges),
            (&ports(0, 65535), &ports(443, 443))
        );
        // Entering, the gateway's outbound header holds only what it translated.
        let outbound = gw.outbound_header.as_ref().unwrap();
        assert_eq!(outbound.destination_addresses, std::slice::from_ref(&private));
        assert!(outbound.protocol.is_none() && outbound.source_addresses.is_empty());

        let rule = acl.acl_rule.as_ref().unwrap();
        assert_eq!(
            (
                rule.cidr.as_deref(),
                rule.egress,
                rule.protocol.as_str(),
                rule.rule_action.as_str(),
                rule.rule_number
            ),
            (Some("0.0.0.0/0"), false, "all", "allow", 100)
        );
        assert!(acl.vpc.is_none() && acl.inbound_header.is_none());
        let rule = sg.security_group_rule.as_ref().unwrap();
        assert_eq!(
            (
                rule.cidr.as_deref(),
                rule.direction.as_str(),
                rule.port_range,
                rule.protocol.as_str()
            ),
            (Some("0.0.0.0/0"), "ingress", Some(PortSpan { from: 443, to: 443 }), "tcp")
        );
        assert_eq!(interface.attached_to.as_ref().map(|a| a.id.as_str()), Some(t.web.as_str()));
        assert_eq!(interface.subnet.as_ref().map(|s| s.id.as_str()), Some(eni.subnet_id.as_str()));
        assert!(interface.inbound_header.is_none());
        assert_eq!(
            instance.inbound_header.as_ref().unwrap().destination_addresses,
            std::slice::from_ref(&private)
        );

        let [from, .., table, gw_out] = &r.back[..] else { panic!() };
        let out = from.outbound_header.as_ref().unwrap();
        assert_eq!(
            (&out.source_addresses, &out.source_port_ranges),
            (&vec![private], &ports(443, 443))
        );
        assert!(r.back.get(2).unwrap().security_group_rule.is_none(), "stateful return");
        let route = table.route_table_route.as_ref().unwrap();
        assert_eq!(
            (
                route.destination_cidr.as_deref(),
                route.gateway_id.as_deref(),
                route.origin.as_str(),
                route.state.as_str()
            ),
            (Some("0.0.0.0/0"), Some(t.igw.as_str()), "createroute", "active")
        );
        let leaving = gw_out.outbound_header.as_ref().unwrap();
        assert_eq!(
            (&leaving.source_addresses, leaving.protocol.as_deref()),
            (&vec![public], Some("6"))
        );
        assert!(gw_out.inbound_header.is_none());
    }

    #[test]
    fn the_local_route_and_group_references_are_named() {
        let t = two_tier();
        let r = t.lab.analyse(&t.lab.path(&t.web, &t.db, 3306), &[]);
        assert_eq!(r.path_found, Some(true), "{:?}", r.explanations);
        let route = r.forward.iter().find_map(|c| c.route_table_route.as_ref()).unwrap();
        assert_eq!(
            (route.destination_cidr.as_deref(), route.gateway_id.as_deref(), route.origin.as_str()),
            (Some("10.0.0.0/16"), Some("local"), "createroutetable")
        );
        let db_rule = r.forward.get(6).and_then(|c| c.security_group_rule.as_ref()).unwrap();
        assert!(db_rule.security_group_id.is_some() && db_rule.cidr.is_none());
    }

    #[test]
    fn a_blocked_path_stops_at_the_blocking_component() {
        let mut t = two_tier();
        let web_subnet = t.lab.world.instances.get(&t.web).unwrap().subnet_id.clone();
        let other_sg = t.lab.group("other");
        let other = t.lab.instance(&web_subnet, &[&other_sg], false);
        let r = t.lab.analyse(&t.lab.path(&other, &t.db, 3306), &[]);
        assert_eq!(r.path_found, Some(false));
        assert_eq!(ids(&r.forward), ["i", "eni", "sg", "acl", "rtb", "acl", "sg"]);
        assert!(r.back.is_empty());
        let [e] = &r.explanations[..] else { panic!("{:?}", r.explanations) };
        let db_eni = t.lab.world.instances.get(&t.db).unwrap().primary_network_interface_id.clone();
        assert_eq!(
            (
                e.code.as_str(),
                e.direction.as_deref(),
                e.network_interface.as_ref().map(|n| n.id.as_str())
            ),
            (ENI_SG_RULES_MISMATCH, Some("ingress"), Some(db_eni.as_str()))
        );
        assert_eq!(
            e.security_groups.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(),
            [t.db_sg.as_str()]
        );
        assert!(e.component.is_none() && e.vpc.is_some());

        // No public address: the gateway refuses, and nothing lies beyond it.
        let r = t.lab.analyse(&t.lab.path(&t.igw, &t.db, 3306), &[]);
        assert_eq!(ids(&r.forward), ["igw"]);
        assert_eq!(codes(&r), [IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS]);
        let e = &r.explanations[0];
        assert_eq!(e.internet_gateway.as_ref().map(|g| g.id.as_str()), Some(t.igw.as_str()));
    }

    #[test]
    fn a_blocked_return_path_keeps_the_forward_path_whole() {
        let mut t = two_tier();
        let subnet = t.lab.world.instances.get(&t.web).unwrap().subnet_id.clone();
        let acl = t.lab.custom_acl(&subnet);
        t.lab.acl_entry(&acl, 100, false, true, Some((443, 443)));
        let r = t.lab.analyse(&t.lab.path(&t.igw, &t.web, 443), &[]);
        assert_eq!(r.path_found, Some(false));
        assert_eq!(ids(&r.forward), ["igw", "acl", "sg", "eni", "i"]);
        assert_eq!(
            r.forward[1].acl_rule.as_ref().unwrap().port_range,
            Some(PortSpan { from: 443, to: 443 })
        );
        assert_eq!(ids(&r.back), ["i", "eni", "sg", "acl"]);
        let [e] = &r.explanations[..] else { panic!() };
        assert_eq!(
            (e.code.as_str(), e.direction.as_deref()),
            (SUBNET_ACL_RESTRICTION, Some("egress"))
        );
        let rule = e.acl_rule.as_ref().unwrap();
        assert_eq!(
            (rule.rule_number, rule.rule_action.as_str(), rule.egress),
            (32767, "deny", true)
        );
        assert_eq!(e.acl.as_ref().map(|a| a.id.as_str()), Some(acl.as_str()));
    }

    #[test]
    fn interface_ends_leave_the_instances_out() {
        let t = two_tier();
        let eni =
            |i: &str| t.lab.world.instances.get(i).unwrap().primary_network_interface_id.clone();
        let r = t.lab.analyse(&t.lab.path(&eni(&t.web), &eni(&t.db), 3306), &[]);
        assert_eq!(r.path_found, Some(true), "{:?}", r.explanations);
        assert_eq!(ids(&r.forward), ["eni", "sg", "acl", "rtb", "acl", "sg", "eni"]);
        assert!(r.forward[0].outbound_header.is_some());
        assert!(r.forward[6].inbound_header.is_some());
        assert_eq!(ids(&r.back).first(), Some(&"eni"));
    }

    #[test]
    fn filters_and_vanished_resources_are_explained() {
        let mut t = two_tier();
        let path = t.lab.path(&t.igw, &t.web, 443);
        let on_path = t.lab.scope.ec2_arn(&t.igw).unwrap();
        assert_eq!(t.lab.analyse(&path, &[on_path]).path_found, Some(true));
        let r = t.lab.analyse(&path, &[t.db_sg.clone()]);
        assert_eq!((r.path_found, codes(&r)), (Some(false), vec![COMPONENT_FILTER_RESTRICTION]));

        let mut private_source = t.lab.path(&t.igw, &t.web, 443);
        private_source.spec.source_ip = Some("10.9.9.9".parse().unwrap());
        assert_eq!(codes(&t.lab.analyse(&private_source, &[])), [IGW_EXPECTS_PUBLIC_ADDRESS]);

        let gone = t.lab.path(&t.web, &t.db, 3306);
        t.lab.world.instances.remove(&t.db);
        let r = t.lab.analyse(&gone, &[]);
        assert_eq!((r.status.as_str(), r.path_found), ("succeeded", Some(false)));
        assert_eq!(codes(&r), [NO_SOURCE_OR_DESTINATION]);
        assert_eq!(
            r.explanations[0].component.as_ref().map(|c| c.id.as_str()),
            Some(t.db.as_str())
        );
    }
}
