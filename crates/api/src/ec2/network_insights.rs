//! Reachability Analyzer: network insights paths and analyses.
//!
//! The model validates paths and keeps analyses; the semantics engine answers an analysis when
//! it starts ([`netsem::analysis::analyse`]) and the answer is stored with it. The start call
//! reports the analysis `running`, as AWS does; by the time a client describes it, it has
//! `succeeded` (or `failed`) with its result.

use super::common::{tag_set, tags_for};
use super::describe::{Ask, describe, in_scope, require_found};
use super::filter::{Row, Table, flag, one, table};
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use model::World;
use model::kinds;
use model::network_insights::{
    self as ni, AclRuleRecord, AnalysisStatus, ComponentRef, ExplanationRecord, HeaderRecord,
    PathComponentRecord, RouteRecord, SecurityGroupRuleRecord, TransitRouteRecord,
};
use model::types::ec2::{self as m, PortSpan};
use netsem::trace::Network;
use shapes::ec2::*;
use wire::Timestamp;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateNetworkInsightsPath", write(create_network_insights_path)),
        ("DeleteNetworkInsightsPath", write(delete_network_insights_path)),
        ("DescribeNetworkInsightsPaths", read(describe_network_insights_paths)),
        ("StartNetworkInsightsAnalysis", write(start_network_insights_analysis)),
        ("DeleteNetworkInsightsAnalysis", write(delete_network_insights_analysis)),
        ("DescribeNetworkInsightsAnalyses", read(describe_network_insights_analyses)),
    ]
}

fn filter_request(f: &Option<PathRequestFilter>) -> Option<ni::FilterRequest> {
    let range = |r: &Option<RequestFilterPortRange>| r.as_ref().map(|r| (r.from_port, r.to_port));
    f.as_ref().map(|f| ni::FilterRequest {
        source_address: f.source_address.clone(),
        source_port_range: range(&f.source_port_range),
        destination_address: f.destination_address.clone(),
        destination_port_range: range(&f.destination_port_range),
    })
}

fn port_range(p: &Option<PortSpan>) -> Option<FilterPortRange> {
    p.map(|p| FilterPortRange { from_port: Some(p.from.into()), to_port: Some(p.to.into()) })
}

fn path_filter(f: &Option<m::PathFilter>) -> Option<PathFilter> {
    f.as_ref().map(|f| PathFilter {
        source_address: f.source_address.map(|a| a.to_string()),
        source_port_range: port_range(&f.source_port_range),
        destination_address: f.destination_address.map(|a| a.to_string()),
        destination_port_range: port_range(&f.destination_port_range),
    })
}

fn render_path(p: &m::NetworkInsightsPath) -> NetworkInsightsPath {
    let s = &p.spec;
    NetworkInsightsPath {
        created_date: Some(Timestamp(p.created)),
        destination: s.destination.clone(),
        destination_arn: s.destination.as_deref().and_then(|d| p.owner.ec2_arn(d)),
        destination_ip: s.destination_ip.map(|a| a.to_string()),
        destination_port: s.destination_port.map(i32::from),
        filter_at_destination: path_filter(&s.filter_at_destination),
        filter_at_source: path_filter(&s.filter_at_source),
        network_insights_path_arn: p.owner.ec2_arn(&p.id),
        network_insights_path_id: Some(p.id.clone()),
        protocol: Some(s.protocol.clone()),
        source: Some(s.source.clone()),
        source_arn: p.owner.ec2_arn(&s.source),
        source_ip: s.source_ip.map(|a| a.to_string()),
        tags: tag_set(&p.tags),
    }
}

fn create_network_insights_path(
    ctx: &Ctx,
    w: &mut World,
    req: CreateNetworkInsightsPathRequest,
) -> Outcome<CreateNetworkInsightsPathResult> {
    let tags = tags_for(&req.tag_specifications, "network-insights-path")?;
    let new = ni::NewPath {
        source: req.source,
        destination: req.destination,
        source_ip: req.source_ip,
        destination_ip: req.destination_ip,
        protocol: req.protocol,
        destination_port: req.destination_port,
        filter_at_source: filter_request(&req.filter_at_source),
        filter_at_destination: filter_request(&req.filter_at_destination),
        client_token: Some(req.client_token),
        tags,
    };
    let id = w.create_network_insights_path(&ctx.scope, new, Timestamp::now().0)?;
    let p = w.network_insights_paths.find(&kinds::NETWORK_INSIGHTS_PATH, &ctx.scope, &id)?;
    Ok(CreateNetworkInsightsPathResult { network_insights_path: Some(render_path(p)) })
}

fn delete_network_insights_path(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteNetworkInsightsPathRequest,
) -> Outcome<DeleteNetworkInsightsPathResult> {
    w.delete_network_insights_path(&ctx.scope, &req.network_insights_path_id)?;
    Ok(DeleteNetworkInsightsPathResult {
        network_insights_path_id: Some(req.network_insights_path_id),
    })
}

type PathRow<'a> = Row<'a, m::NetworkInsightsPath>;

/// A value of the path's filter at the source or, `at_destination`, at the destination.
fn filter_value(
    p: &PathRow,
    at_destination: bool,
    value: fn(&m::PathFilter) -> Option<String>,
) -> Vec<String> {
    let spec = &p.item.spec;
    let f = if at_destination { &spec.filter_at_destination } else { &spec.filter_at_source };
    f.as_ref().and_then(value).into_iter().collect()
}

fn source_address(f: &m::PathFilter) -> Option<String> {
    f.source_address.map(|a| a.to_string())
}

fn destination_address(f: &m::PathFilter) -> Option<String> {
    f.destination_address.map(|a| a.to_string())
}

/// Port ranges as `from-to`.
fn range(r: Option<PortSpan>) -> Option<String> {
    r.map(|r| format!("{}-{}", r.from, r.to))
}

fn source_ports(f: &m::PathFilter) -> Option<String> {
    range(f.source_port_range)
}

fn destination_ports(f: &m::PathFilter) -> Option<String> {
    range(f.destination_port_range)
}

pub(super) const PATH_FILTERS: Table<m::NetworkInsightsPath> = table![
    "destination" => |p| p.spec.destination.iter().cloned().collect(),
    "source" => |p| one(&p.spec.source),
    "protocol" => |p| one(&p.spec.protocol),
    "filter-at-source.source-address" => |p| filter_value(p, false, source_address),
    "filter-at-source.source-port-range" => |p| filter_value(p, false, source_ports),
    "filter-at-source.destination-address" => |p| filter_value(p, false, destination_address),
    "filter-at-source.destination-port-range" => |p| filter_value(p, false, destination_ports),
    "filter-at-destination.source-address" => |p| filter_value(p, true, source_address),
    "filter-at-destination.source-port-range" => |p| filter_value(p, true, source_ports),
    "filter-at-destination.destination-address" => |p| filter_value(p, true, destination_address),
    "filter-at-destination.destination-port-range" => |p| filter_value(p, true, destination_ports),
];

/// MaxResults of the network insights Describe calls.
const PAGE_LIMITS: (i32, i32) = (1, 100);

fn describe_network_insights_paths(
    ctx: &Ctx,
    w: &World,
    req: DescribeNetworkInsightsPathsRequest,
) -> Outcome<DescribeNetworkInsightsPathsResult> {
    let ask = Ask::new(
        &req.filters,
        &req.network_insights_path_ids,
        req.max_results,
        &req.next_token,
        PAGE_LIMITS,
    );
    let (items, next_token) = describe(
        ask,
        PATH_FILTERS,
        |ids| {
            require_found(
                &w.network_insights_paths,
                &kinds::NETWORK_INSIGHTS_PATH,
                &ctx.scope,
                ids,
            )?;
            Ok(in_scope(&w.network_insights_paths, w, &ctx.scope))
        },
        |r| render_path(r.item),
    )?;
    Ok(DescribeNetworkInsightsPathsResult { network_insights_paths: items, next_token })
}

fn start_network_insights_analysis(
    ctx: &Ctx,
    w: &mut World,
    req: StartNetworkInsightsAnalysisRequest,
) -> Outcome<StartNetworkInsightsAnalysisResult> {
    let tags = tags_for(&req.tag_specifications, "network-insights-analysis")?;
    let (filter_in, filter_out) = (req.filter_in_arns.clone(), req.filter_out_arns.clone());
    let new = ni::NewAnalysis {
        path_id: req.network_insights_path_id,
        filter_in_arns: req.filter_in_arns,
        filter_out_arns: req.filter_out_arns,
        additional_accounts: req.additional_accounts,
        client_token: Some(req.client_token),
        tags,
    };
    let id =
        w.start_network_insights_analysis(&ctx.scope, new, Timestamp::now().0, |world, path| {
            // The analysis runs before this call changes anything the engine looks at, so the
            // index of the last committed version is the network's.
            let index = ctx.network_index.get(world);
            let net = Network { world, index: &index };
            netsem::analysis::analyse(&net, path, &filter_in, &filter_out)
        })?;
    let a = w.network_insights_analyses.find(&kinds::NETWORK_INSIGHTS_ANALYSIS, &ctx.scope, &id)?;
    Ok(StartNetworkInsightsAnalysisResult {
        network_insights_analysis: Some(render_analysis(a, AnalysisStatus::Running)),
    })
}

fn delete_network_insights_analysis(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteNetworkInsightsAnalysisRequest,
) -> Outcome<DeleteNetworkInsightsAnalysisResult> {
    w.delete_network_insights_analysis(&ctx.scope, &req.network_insights_analysis_id)?;
    Ok(DeleteNetworkInsightsAnalysisResult {
        network_insights_analysis_id: Some(req.network_insights_analysis_id),
    })
}

pub(super) const ANALYSIS_FILTERS: Table<m::NetworkInsightsAnalysis> = table![
    "path-found" => |a| a.result.path_found.map(flag).unwrap_or_default(),
    "status" => |a| one(a.result.status.as_str()),
];

fn describe_network_insights_analyses(
    ctx: &Ctx,
    w: &World,
    req: DescribeNetworkInsightsAnalysesRequest,
) -> Outcome<DescribeNetworkInsightsAnalysesResult> {
    let ids = &req.network_insights_analysis_ids;
    let ask = Ask::new(&req.filters, ids, req.max_results, &req.next_token, PAGE_LIMITS);
    let (from, until) = (req.analysis_start_time, req.analysis_end_time);
    let (network_insights_analyses, next_token) = describe(
        ask,
        ANALYSIS_FILTERS,
        |ids| {
            if let Some(path) = &req.network_insights_path_id {
                kinds::NETWORK_INSIGHTS_PATH.check_format(path)?;
            }
            let kind = &kinds::NETWORK_INSIGHTS_ANALYSIS;
            require_found(&w.network_insights_analyses, kind, &ctx.scope, ids)?;
            Ok(in_scope(&w.network_insights_analyses, w, &ctx.scope)
                .filter(|l| {
                    req.network_insights_path_id.as_ref().is_none_or(|p| *p == l.row.path_id)
                })
                .filter(|l| {
                    from.is_none_or(|t| l.row.started >= t.0)
                        && until.is_none_or(|t| l.row.started <= t.0)
                }))
        },
        |r| render_analysis(r.item, r.result.status),
    )?;
    Ok(DescribeNetworkInsightsAnalysesResult { network_insights_analyses, next_token })
}

/// An analysis as reported with `status`: while `running`, without its result.
fn render_analysis(
    a: &m::NetworkInsightsAnalysis,
    status: AnalysisStatus,
) -> NetworkInsightsAnalysis {
    let mut out = NetworkInsightsAnalysis {
        additional_accounts: a.additional_accounts.clone(),
        filter_in_arns: a.filter_in_arns.clone(),
        filter_out_arns: a.filter_out_arns.clone(),
        network_insights_analysis_arn: a.owner.ec2_arn(&a.id),
        network_insights_analysis_id: Some(a.id.clone()),
        network_insights_path_id: Some(a.path_id.clone()),
        start_date: Some(Timestamp(a.started)),
        status: Some(status.as_str().to_owned()),
        tags: tag_set(&a.tags),
        ..NetworkInsightsAnalysis::default()
    };
    if status != AnalysisStatus::Running {
        let r = &a.result;
        out.status_message = r.status_message.clone();
        out.network_path_found = r.path_found;
        out.forward_path_components = r.forward.iter().map(path_component).collect();
        out.return_path_components = r.back.iter().map(path_component).collect();
        out.explanations = r.explanations.iter().map(explanation).collect();
    }
    out
}

fn component(c: &ComponentRef) -> AnalysisComponent {
    AnalysisComponent { arn: c.arn.clone(), id: Some(c.id.clone()), name: c.name.clone() }
}

fn opt_component(c: &Option<ComponentRef>) -> Option<AnalysisComponent> {
    c.as_ref().map(component)
}

fn port_range_shape(p: PortSpan) -> PortRange {
    PortRange { from: Some(p.from.into()), to: Some(p.to.into()) }
}

fn port_ranges(spans: &[PortSpan]) -> Vec<PortRange> {
    spans.iter().copied().map(port_range_shape).collect()
}

fn port(p: &Option<PortSpan>) -> Option<PortRange> {
    p.map(port_range_shape)
}

fn header(h: &HeaderRecord) -> AnalysisPacketHeader {
    AnalysisPacketHeader {
        destination_addresses: h.destination_addresses.clone(),
        destination_port_ranges: port_ranges(&h.destination_port_ranges),
        protocol: h.protocol.clone(),
        source_addresses: h.source_addresses.clone(),
        source_port_ranges: port_ranges(&h.source_port_ranges),
    }
}

fn acl_rule(r: &AclRuleRecord) -> AnalysisAclRule {
    AnalysisAclRule {
        cidr: r.cidr.clone(),
        egress: Some(r.egress),
        port_range: port(&r.port_range),
        protocol: Some(r.protocol.clone()),
        rule_action: Some(r.rule_action.clone()),
        rule_number: Some(r.rule_number),
    }
}

fn security_group_rule(r: &SecurityGroupRuleRecord) -> AnalysisSecurityGroupRule {
    AnalysisSecurityGroupRule {
        cidr: r.cidr.clone(),
        direction: Some(r.direction.clone()),
        port_range: port(&r.port_range),
        prefix_list_id: r.prefix_list_id.clone(),
        protocol: Some(r.protocol.clone()),
        security_group_id: r.security_group_id.clone(),
    }
}

fn route(r: &RouteRecord) -> AnalysisRouteTableRoute {
    AnalysisRouteTableRoute {
        carrier_gateway_id: r.carrier_gateway_id.clone(),
        core_network_arn: r.core_network_arn.clone(),
        destination_cidr: r.destination_cidr.clone(),
        destination_prefix_list_id: r.destination_prefix_list_id.clone(),
        egress_only_internet_gateway_id: r.egress_only_internet_gateway_id.clone(),
        gateway_id: r.gateway_id.clone(),
        instance_id: r.instance_id.clone(),
        local_gateway_id: r.local_gateway_id.clone(),
        nat_gateway_id: r.nat_gateway_id.clone(),
        network_interface_id: r.network_interface_id.clone(),
        origin: Some(r.origin.clone()),
        state: Some(r.state.clone()),
        transit_gateway_id: r.transit_gateway_id.clone(),
        vpc_peering_connection_id: r.vpc_peering_connection_id.clone(),
    }
}

/// One path component as Reachability Analyzer reports it (and Network Access Analyzer's
/// findings).
pub(super) fn path_component(c: &PathComponentRecord) -> PathComponent {
    PathComponent {
        acl_rule: c.acl_rule.as_ref().map(acl_rule),
        attached_to: opt_component(&c.attached_to),
        component: Some(component(&c.component)),
        inbound_header: c.inbound_header.as_ref().map(header),
        outbound_header: c.outbound_header.as_ref().map(header),
        route_table_route: c.route_table_route.as_ref().map(route),
        security_group_rule: c.security_group_rule.as_ref().map(security_group_rule),
        sequence_number: Some(c.sequence_number),
        subnet: opt_component(&c.subnet),
        transit_gateway: opt_component(&c.transit_gateway),
        transit_gateway_route_table_route: c
            .transit_gateway_route_table_route
            .as_ref()
            .map(transit_route),
        vpc: opt_component(&c.vpc),
        elastic_load_balancer_listener: opt_component(&c.elastic_load_balancer_listener),
        ..PathComponent::default()
    }
}

fn transit_route(r: &TransitRouteRecord) -> TransitGatewayRouteTableRoute {
    TransitGatewayRouteTableRoute {
        attachment_id: r.attachment_id.clone(),
        destination_cidr: Some(r.destination_cidr.clone()),
        prefix_list_id: None,
        resource_id: r.resource_id.clone(),
        resource_type: r.resource_type.clone(),
        route_origin: Some(r.route_origin.clone()),
        state: Some(r.state.clone()),
    }
}

fn explanation(e: &ExplanationRecord) -> Explanation {
    Explanation {
        acl: opt_component(&e.acl),
        acl_rule: e.acl_rule.as_ref().map(acl_rule),
        address: e.address.clone(),
        attached_to: opt_component(&e.attached_to),
        component: opt_component(&e.component),
        destination: opt_component(&e.destination),
        direction: e.direction.clone(),
        explanation_code: Some(e.code.clone()),
        internet_gateway: opt_component(&e.internet_gateway),
        network_interface: opt_component(&e.network_interface),
        route_table: opt_component(&e.route_table),
        route_table_route: e.route_table_route.as_ref().map(route),
        security_groups: e.security_groups.iter().map(component).collect(),
        state: e.state.clone(),
        subnet: opt_component(&e.subnet),
        transit_gateway: opt_component(&e.transit_gateway),
        transit_gateway_attachment: opt_component(&e.transit_gateway_attachment),
        transit_gateway_route_table: opt_component(&e.transit_gateway_route_table),
        transit_gateway_route_table_route: e
            .transit_gateway_route_table_route
            .as_ref()
            .map(transit_route),
        vpc: opt_component(&e.vpc),
        load_balancer_arn: e.load_balancer_arn.clone(),
        ..Explanation::default()
    }
}
