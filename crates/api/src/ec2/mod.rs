//! EC2 (ec2Query protocol): the VPC networking operations.
//!
//! Each resource module lists its operations in `handlers()`: (operation name, [`Handler`]). A
//! handler is an ordinary function from the generated request shape to the generated response
//! shape; [`read`] and [`write`] (the shared [`crate::registry`] adapters) make it an
//! operation. The one EC2 [`Registry`] decodes the parameters (refusing unknown ones with
//! `UnknownParameter`) outside any lock, answers `DryRun` requests with `DryRunOperation`, runs
//! readers under [`crate::Api::read`] and writers under [`crate::Api::mutate`], and renders
//! `<ActionResponse>` once the lock is released.

pub mod common;
pub mod describe;
pub mod filter;
pub mod page;

mod access_analysis;
mod access_scope;
mod address;
mod client_vpn;
mod dhcp;
mod endpoint_service;
mod eni;
mod flow_log;
mod gateway;
mod instance;
mod nat_gateway;
mod network_acl;
mod network_insights;
mod peering;
mod prefix_list;
mod regions;
mod route_table;
mod security_group;
mod subnet;
mod tags;
mod tgw_peering;
mod traffic_mirror;
mod transit_gateway;
mod vpc;
mod vpc_endpoint;
mod vpn;

use crate::registry::{self, Query, Registry};
use crate::{Api, Reply, Request};
use std::sync::OnceLock;
use wire::{ApiError, QueryMap, ToXml, XmlWriter};

pub use crate::registry::Ctx;

/// The namespace of EC2 response documents.
pub const XMLNS: &str = "http://ec2.amazonaws.com/doc/2016-11-15/";

/// An EC2 operation, as a resource module lists it.
pub type Handler = registry::Operation<Query>;

/// Adapts a handler that only reads ([`registry::read`]).
pub use crate::registry::read;
/// Adapts a handler that changes the world ([`registry::write`]).
pub use crate::registry::write;

/// `DryRun=true` (any case), checked once the request decodes: AWS answers
/// `DryRunOperation` without touching anything.
fn dry_run(q: &QueryMap) -> Result<(), ApiError> {
    if q.peek("DryRun").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return Err(ApiError::dry_run());
    }
    Ok(())
}

/// `<ActionResponse xmlns=…><requestId>…</requestId>…</ActionResponse>`.
fn render(ctx: &Ctx<'_>, action: &str, answer: &(dyn ToXml + Send)) -> Reply {
    let mut w = XmlWriter::document();
    w.open_with_xmlns(&format!("{action}Response"), XMLNS);
    w.leaf("requestId", &ctx.request_id);
    let mut out = w.finish();
    let mut body = XmlWriter::new();
    answer.write_xml(&mut body);
    out.push_str(&body.finish());
    out.push_str(&format!("</{action}Response>"));
    Reply::ok("text/xml", out)
}

fn registry() -> &'static Registry<Query> {
    static REGISTRY: OnceLock<Registry<Query>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        Registry::new(
            [
                regions::handlers(),
                vpc::handlers(),
                subnet::handlers(),
                route_table::handlers(),
                gateway::handlers(),
                dhcp::handlers(),
                prefix_list::handlers(),
                tags::handlers(),
                security_group::handlers(),
                network_acl::handlers(),
                eni::handlers(),
                address::handlers(),
                instance::handlers(),
                flow_log::handlers(),
                network_insights::handlers(),
                access_scope::handlers(),
                access_analysis::handlers(),
                nat_gateway::handlers(),
                peering::handlers(),
                vpc_endpoint::handlers(),
                vpn::handlers(),
                transit_gateway::handlers(),
                client_vpn::handlers(),
                traffic_mirror::handlers(),
                endpoint_service::handlers(),
                tgw_peering::handlers(),
            ],
            ApiError::invalid_action,
            render,
        )
        .with_check(dry_run)
    })
}

/// The operations served, sorted.
pub fn operations() -> Vec<&'static str> {
    registry().operations()
}

/// The filter names each EC2 operation with filters accepts besides the tag filters (its filter
/// tables'), by operation: what the test holding them to botocore's documentation reads.
pub fn filter_names() -> Vec<(&'static str, Vec<&'static str>)> {
    use filter::names;
    let mut all = vec![
        ("DescribeAddresses", names(address::ADDRESS_FILTERS).collect()),
        ("DescribeAvailabilityZones", names(regions::ZONE_FILTERS).collect()),
        ("DescribeClientVpnAuthorizationRules", names(client_vpn::RULE_FILTERS).collect()),
        ("DescribeClientVpnConnections", names(client_vpn::CONNECTION_FILTERS).collect()),
        ("DescribeClientVpnEndpoints", names(client_vpn::ENDPOINT_FILTERS).collect()),
        ("DescribeClientVpnRoutes", names(client_vpn::ROUTE_FILTERS).collect()),
        ("DescribeClientVpnTargetNetworks", names(client_vpn::TARGET_FILTERS).collect()),
        ("DescribeCustomerGateways", names(vpn::CGW_FILTERS).collect()),
        ("DescribeDhcpOptions", names(dhcp::DHCP_FILTERS).collect()),
        ("DescribeEgressOnlyInternetGateways", names(gateway::EIGW_FILTERS).collect()),
        ("DescribeFlowLogs", names(flow_log::FILTERS).collect()),
        ("DescribeInternetGateways", names(gateway::IGW_FILTERS).collect()),
        ("DescribeManagedPrefixLists", names(prefix_list::MANAGED_FILTERS).collect()),
        ("DescribeNatGateways", names(nat_gateway::FILTERS).collect()),
        ("DescribeNetworkAcls", names(network_acl::ACL_FILTERS).collect()),
        ("DescribeNetworkInsightsAnalyses", names(network_insights::ANALYSIS_FILTERS).collect()),
        ("DescribeNetworkInsightsPaths", names(network_insights::PATH_FILTERS).collect()),
        ("DescribeNetworkInsightsAccessScopes", names(access_scope::SCOPE_FILTERS).collect()),
        (
            "DescribeNetworkInsightsAccessScopeAnalyses",
            names(access_analysis::ANALYSIS_FILTERS).collect(),
        ),
        ("DescribeNetworkInterfaces", names(eni::ENI_FILTERS).collect()),
        ("DescribePrefixLists", names(prefix_list::AWS_FILTERS).collect()),
        ("DescribeRegions", names(regions::REGION_FILTERS).collect()),
        ("DescribeRouteTables", names(route_table::ROUTE_TABLE_FILTERS).collect()),
        ("DescribeSecurityGroupRules", names(security_group::RULE_FILTERS).collect()),
        ("DescribeSecurityGroups", names(security_group::GROUP_FILTERS).collect()),
        ("DescribeSubnets", names(subnet::SUBNET_FILTERS).collect()),
        ("DescribeTags", names(tags::TAG_FILTERS).collect()),
        ("DescribeTrafficMirrorFilterRules", names(traffic_mirror::RULE_FILTERS).collect()),
        ("DescribeTrafficMirrorFilters", names(traffic_mirror::FILTER_FILTERS).collect()),
        ("DescribeTrafficMirrorSessions", names(traffic_mirror::SESSION_FILTERS).collect()),
        ("DescribeTrafficMirrorTargets", names(traffic_mirror::TARGET_FILTERS).collect()),
        ("DescribeTransitGatewayAttachments", names(transit_gateway::ATTACHMENT_FILTERS).collect()),
        ("DescribeTransitGatewayPeeringAttachments", names(tgw_peering::PEERING_FILTERS).collect()),
        (
            "DescribeTransitGatewayRouteTables",
            names(transit_gateway::ROUTE_TABLE_FILTERS).collect(),
        ),
        (
            "DescribeTransitGatewayVpcAttachments",
            names(transit_gateway::VPC_ATTACHMENT_FILTERS).collect(),
        ),
        ("DescribeTransitGateways", names(transit_gateway::TGW_FILTERS).collect()),
        ("DescribeVpcEndpointConnections", names(endpoint_service::CONNECTION_FILTERS).collect()),
        (
            "DescribeVpcEndpointServiceConfigurations",
            names(endpoint_service::SERVICE_FILTERS).collect(),
        ),
        (
            "DescribeVpcEndpointServicePermissions",
            names(endpoint_service::PERMISSION_FILTERS).collect(),
        ),
        // AWS's services and PrivateLink ones are read by two tables; a name is either's.
        (
            "DescribeVpcEndpointServices",
            names(vpc_endpoint::SERVICE_FILTERS)
                .chain(names(vpc_endpoint::PRIVATELINK_FILTERS))
                .collect(),
        ),
        ("DescribeVpcEndpoints", names(vpc_endpoint::FILTERS).collect()),
        ("DescribeVpcPeeringConnections", names(peering::FILTERS).collect()),
        ("DescribeVpcs", names(vpc::VPC_FILTERS).collect()),
        ("DescribeVpnConnections", names(vpn::VPN_FILTERS).collect()),
        ("DescribeVpnGateways", names(vpn::VGW_FILTERS).collect()),
        ("GetSubnetCidrReservations", names(subnet::RESERVATION_FILTERS).collect()),
        (
            "GetTransitGatewayPrefixListReferences",
            names(transit_gateway::REFERENCE_FILTERS).collect(),
        ),
        (
            "GetTransitGatewayRouteTableAssociations",
            names(transit_gateway::ASSOCIATION_FILTERS).collect(),
        ),
        (
            "GetTransitGatewayRouteTablePropagations",
            names(transit_gateway::ASSOCIATION_FILTERS).collect(),
        ),
        ("SearchTransitGatewayRoutes", names(transit_gateway::ROUTE_FILTERS).collect()),
    ];
    all.extend(instance::filter_names());
    all
}

/// Whether an EC2 operation only reads (its handler is a reader).
pub(crate) fn is_read(action: &str) -> bool {
    registry().is_read(action)
}

pub(crate) async fn handle(api: &Api, request: &Request) -> Result<Reply, ApiError> {
    let q = &request.params;
    let action = match q.action() {
        Some(a) if !a.is_empty() => a,
        _ => return Err(ApiError::missing_parameter("Action")),
    };
    let ctx = Ctx::new(api, &request.scope, &request.request_id);
    registry().serve(&ctx, action, q).await
}
