//! Route table operations: tables, routes, associations, VGW route propagation.

use super::common::{tag_set, tags_for};
use super::describe::{Ask, describe, in_scope, require_found};
use super::filter::{Row, Table, flag, one, table};
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use model::kinds;
use model::route_table::{DestinationSpec, TargetSpec};
use model::types::ec2::{AssociationTarget, RouteDestination, RouteOrigin, RouteTarget};
use model::{World, types::ec2 as m};
use shapes::ec2::*;
use wire::xml::ReturnTrue;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateRouteTable", write(create_route_table)),
        ("DeleteRouteTable", write(delete_route_table)),
        ("DescribeRouteTables", read(describe_route_tables)),
        ("CreateRoute", write(create_route)),
        ("ReplaceRoute", write(replace_route)),
        ("DeleteRoute", write(delete_route)),
        ("AssociateRouteTable", write(associate_route_table)),
        ("DisassociateRouteTable", write(disassociate_route_table)),
        ("ReplaceRouteTableAssociation", write(replace_route_table_association)),
        ("EnableVgwRoutePropagation", write(enable_vgw_route_propagation)),
        ("DisableVgwRoutePropagation", write(disable_vgw_route_propagation)),
    ]
}

fn associated() -> Option<RouteTableAssociationState> {
    Some(RouteTableAssociationState { state: Some("associated".into()), status_message: None })
}

fn origin(o: &RouteOrigin) -> &'static str {
    match o {
        RouteOrigin::CreateRouteTable => "CreateRouteTable",
        RouteOrigin::CreateRoute => "CreateRoute",
        RouteOrigin::EnableVgwRoutePropagation => "EnableVgwRoutePropagation",
    }
}

fn render_route(w: &World, t: &m::RouteTable, r: &m::Route) -> Route {
    let mut out = Route {
        origin: Some(origin(&r.origin).into()),
        state: Some(w.route_state(t, r).into()),
        ..Default::default()
    };
    match &r.destination {
        RouteDestination::V4(c) => out.destination_cidr_block = Some(c.to_string()),
        RouteDestination::V6(c) => out.destination_ipv6_cidr_block = Some(c.to_string()),
        RouteDestination::PrefixList(id) => out.destination_prefix_list_id = Some(id.clone()),
    }
    match &r.target {
        RouteTarget::Local => out.gateway_id = Some("local".into()),
        // Endpoints are reported as gateways, as AWS does.
        RouteTarget::Gateway(id) | RouteTarget::VpcEndpoint(id) => {
            out.gateway_id = Some(id.clone())
        }
        RouteTarget::EgressOnlyInternetGateway(id) => {
            out.egress_only_internet_gateway_id = Some(id.clone())
        }
        RouteTarget::NatGateway(id) => out.nat_gateway_id = Some(id.clone()),
        RouteTarget::Instance { instance_id, network_interface_id } => {
            out.instance_id = Some(instance_id.clone());
            out.instance_owner_id = Some(t.owner.account.clone());
            out.network_interface_id = Some(network_interface_id.clone());
        }
        RouteTarget::NetworkInterface(id) => {
            out.network_interface_id = Some(id.clone());
            // A route to an instance's interface also names the instance.
            if let Some(a) = w.network_interfaces.get(id).and_then(|e| e.attachment.as_ref()) {
                out.instance_id = Some(a.instance_id.clone());
                out.instance_owner_id = Some(t.owner.account.clone());
            }
        }
        RouteTarget::VpcPeeringConnection(id) => out.vpc_peering_connection_id = Some(id.clone()),
        RouteTarget::TransitGateway(id) => out.transit_gateway_id = Some(id.clone()),
        RouteTarget::LocalGateway(id) => out.local_gateway_id = Some(id.clone()),
        RouteTarget::CarrierGateway(id) => out.carrier_gateway_id = Some(id.clone()),
        RouteTarget::CoreNetwork(arn) => out.core_network_arn = Some(arn.clone()),
    }
    out
}

fn render_association(t: &m::RouteTable, a: &m::RouteTableAssociation) -> RouteTableAssociation {
    let mut out = RouteTableAssociation {
        association_state: associated(),
        main: Some(a.target == AssociationTarget::Main),
        route_table_association_id: Some(a.id.clone()),
        route_table_id: Some(t.id.clone()),
        ..Default::default()
    };
    match &a.target {
        AssociationTarget::Main => {}
        AssociationTarget::Subnet(s) => out.subnet_id = Some(s.clone()),
        AssociationTarget::Gateway(g) => out.gateway_id = Some(g.clone()),
    }
    out
}

pub(super) fn render(w: &World, t: &m::RouteTable) -> RouteTable {
    RouteTable {
        associations: t.associations.iter().map(|a| render_association(t, a)).collect(),
        owner_id: Some(t.owner.account.clone()),
        propagating_vgws: t
            .propagating_vgws
            .iter()
            .map(|g| PropagatingVgw { gateway_id: Some(g.clone()) })
            .collect(),
        route_table_id: Some(t.id.clone()),
        routes: w.effective_routes(t).iter().map(|r| render_route(w, t, r)).collect(),
        tags: tag_set(&t.tags),
        vpc_id: Some(t.vpc_id.clone()),
    }
}

fn create_route_table(
    ctx: &Ctx,
    w: &mut World,
    req: CreateRouteTableRequest,
) -> Outcome<CreateRouteTableResult> {
    let tags = tags_for(&req.tag_specifications, "route-table")?;
    let id = w.create_route_table(&ctx.scope, &req.vpc_id, &tags)?;
    let t = w.route_tables.find(&kinds::ROUTE_TABLE, &ctx.scope, &id)?;
    Ok(CreateRouteTableResult { client_token: req.client_token, route_table: Some(render(w, t)) })
}

fn delete_route_table(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteRouteTableRequest,
) -> Outcome<ReturnTrue> {
    w.delete_route_table(&ctx.scope, &req.route_table_id)?;
    Ok(ReturnTrue)
}

type TableRow<'a> = Row<'a, m::RouteTable>;

/// A value from each of the table's associations.
fn assoc(t: &TableRow, f: &dyn Fn(&m::RouteTableAssociation) -> Option<String>) -> Vec<String> {
    t.associations.iter().filter_map(f).collect()
}

/// A value from each of the table's routes, as DescribeRouteTables shows them.
fn routes(t: &TableRow, f: &dyn Fn(&Route) -> Option<String>) -> Vec<String> {
    let w = t.world;
    w.effective_routes(t.item)
        .iter()
        .map(|r| render_route(w, t.item, r))
        .filter_map(|r| f(&r))
        .collect()
}

pub(super) const ROUTE_TABLE_FILTERS: Table<m::RouteTable> = table![
    "association.gateway-id" => {
        |t| assoc(t, &|a| match &a.target {
                AssociationTarget::Gateway(g) => Some(g.clone()),
                _ => None,
            })
    },
    "association.route-table-association-id" => |t| assoc(t, &|a| Some(a.id.clone())),
    "association.route-table-id" => |t| assoc(t, &|_| Some(t.id.clone())),
    "association.subnet-id" => {
        |t| assoc(t, &|a| match &a.target {
                AssociationTarget::Subnet(s) => Some(s.clone()),
                _ => None,
            })
    },
    "association.main" => {
        |t| t.associations.iter().flat_map(|a| flag(a.target == AssociationTarget::Main)).collect()
    },
    "owner-id" => |t| one(&t.owner.account),
    "route-table-id" => |t| one(&t.id),
    "route.destination-cidr-block" => |t| routes(t, &|r| r.destination_cidr_block.clone()),
    "route.destination-ipv6-cidr-block" => |t| routes(t, &|r| r.destination_ipv6_cidr_block.clone()),
    "route.destination-prefix-list-id" => |t| routes(t, &|r| r.destination_prefix_list_id.clone()),
    "route.egress-only-internet-gateway-id" => {
        |t| routes(t, &|r| r.egress_only_internet_gateway_id.clone())
    },
    "route.gateway-id" => |t| routes(t, &|r| r.gateway_id.clone()),
    "route.instance-id" => |t| routes(t, &|r| r.instance_id.clone()),
    "route.nat-gateway-id" => |t| routes(t, &|r| r.nat_gateway_id.clone()),
    "route.transit-gateway-id" => |t| routes(t, &|r| r.transit_gateway_id.clone()),
    "route.origin" => |t| routes(t, &|r| r.origin.clone()),
    "route.state" => |t| routes(t, &|r| r.state.clone()),
    "route.vpc-peering-connection-id" => |t| routes(t, &|r| r.vpc_peering_connection_id.clone()),
    "vpc-id" => |t| one(&t.vpc_id),
];

fn describe_route_tables(
    ctx: &Ctx,
    w: &World,
    req: DescribeRouteTablesRequest,
) -> Outcome<DescribeRouteTablesResult> {
    let ask =
        Ask::new(&req.filters, &req.route_table_ids, req.max_results, &req.next_token, (5, 100));
    let (items, next_token) = describe(
        ask,
        ROUTE_TABLE_FILTERS,
        |ids| {
            require_found(&w.route_tables, &kinds::ROUTE_TABLE, &ctx.scope, ids)?;
            Ok(in_scope(&w.route_tables, w, &ctx.scope))
        },
        |r| render(w, r.item),
    )?;
    Ok(DescribeRouteTablesResult { route_tables: items, next_token })
}

/// CreateRoute and ReplaceRoute carry the same route fields in two generated shapes: the
/// destination and target they name.
macro_rules! route_spec {
    ($req:ident, $local_target:expr) => {{
        if $req.odb_network_arn.is_some() {
            return Err(wire::ApiError::invalid_parameter_value(
                "Oracle Database@AWS networks are not supported by vpclab.",
            )
            .into());
        }
        let local_target = $local_target;
        let dest = DestinationSpec {
            cidr: $req.destination_cidr_block,
            ipv6_cidr: $req.destination_ipv6_cidr_block,
            prefix_list_id: $req.destination_prefix_list_id,
        };
        let target = TargetSpec {
            gateway_id: $req.gateway_id,
            egress_only_internet_gateway_id: $req.egress_only_internet_gateway_id,
            nat_gateway_id: $req.nat_gateway_id,
            instance_id: $req.instance_id,
            network_interface_id: $req.network_interface_id,
            vpc_peering_connection_id: $req.vpc_peering_connection_id,
            transit_gateway_id: $req.transit_gateway_id,
            local_gateway_id: $req.local_gateway_id,
            carrier_gateway_id: $req.carrier_gateway_id,
            core_network_arn: $req.core_network_arn,
            vpc_endpoint_id: $req.vpc_endpoint_id,
            local_target,
        };
        (dest, target)
    }};
}

fn create_route(ctx: &Ctx, w: &mut World, req: CreateRouteRequest) -> Outcome<CreateRouteResult> {
    let (dest, target) = route_spec!(req, false);
    w.create_route(&ctx.scope, &req.route_table_id, &dest, &target)?;
    Ok(CreateRouteResult { return_: Some(true) })
}

fn replace_route(ctx: &Ctx, w: &mut World, req: ReplaceRouteRequest) -> Outcome<ReturnTrue> {
    let (dest, target) = route_spec!(req, req.local_target.unwrap_or(false));
    w.replace_route(&ctx.scope, &req.route_table_id, &dest, &target)?;
    Ok(ReturnTrue)
}

fn delete_route(ctx: &Ctx, w: &mut World, req: DeleteRouteRequest) -> Outcome<ReturnTrue> {
    let dest = DestinationSpec {
        cidr: req.destination_cidr_block,
        ipv6_cidr: req.destination_ipv6_cidr_block,
        prefix_list_id: req.destination_prefix_list_id,
    };
    w.delete_route(&ctx.scope, &req.route_table_id, &dest)?;
    Ok(ReturnTrue)
}

fn associate_route_table(
    ctx: &Ctx,
    w: &mut World,
    req: AssociateRouteTableRequest,
) -> Outcome<AssociateRouteTableResult> {
    if req.public_ipv4_pool.is_some() {
        return Err(wire::ApiError::invalid_parameter_value(
            "Public IPv4 pools are not supported by vpclab.",
        )
        .into());
    }
    let id = w.associate_route_table(
        &ctx.scope,
        &req.route_table_id,
        req.subnet_id.as_deref(),
        req.gateway_id.as_deref(),
    )?;
    Ok(AssociateRouteTableResult { association_id: Some(id), association_state: associated() })
}

fn disassociate_route_table(
    ctx: &Ctx,
    w: &mut World,
    req: DisassociateRouteTableRequest,
) -> Outcome<ReturnTrue> {
    w.disassociate_route_table(&ctx.scope, &req.association_id)?;
    Ok(ReturnTrue)
}

fn replace_route_table_association(
    ctx: &Ctx,
    w: &mut World,
    req: ReplaceRouteTableAssociationRequest,
) -> Outcome<ReplaceRouteTableAssociationResult> {
    let id =
        w.replace_route_table_association(&ctx.scope, &req.association_id, &req.route_table_id)?;
    Ok(ReplaceRouteTableAssociationResult {
        association_state: associated(),
        new_association_id: Some(id),
    })
}

fn enable_vgw_route_propagation(
    ctx: &Ctx,
    w: &mut World,
    req: EnableVgwRoutePropagationRequest,
) -> Outcome<ReturnTrue> {
    w.set_vgw_route_propagation(&ctx.scope, &req.route_table_id, &req.gateway_id, true)?;
    Ok(ReturnTrue)
}

fn disable_vgw_route_propagation(
    ctx: &Ctx,
    w: &mut World,
    req: DisableVgwRoutePropagationRequest,
) -> Outcome<ReturnTrue> {
    w.set_vgw_route_propagation(&ctx.scope, &req.route_table_id, &req.gateway_id, false)?;
    Ok(ReturnTrue)
}
