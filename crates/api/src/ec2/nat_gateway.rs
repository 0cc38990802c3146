//! NAT gateway operations.

use super::common::{tag_set, tags_for};
use super::describe::{Ask, Resource, describe};
use super::eni::parse_ip;
use super::filter::{Table, one, table};
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use model::nat_gateway::NewNatGateway;
use model::{World, types::ec2 as m};
use shapes::ec2::*;
use wire::{ApiError, Timestamp};

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateNatGateway", write(create_nat_gateway)),
        ("DeleteNatGateway", write(delete_nat_gateway)),
        ("DescribeNatGateways", read(describe_nat_gateways)),
    ]
}

/// A NAT gateway as the API shows it; `state` overrides the stored one (a new gateway is
/// reported `pending` by the call that creates it, as on AWS).
fn render(n: &m::NatGateway, state: Option<&str>) -> NatGateway {
    let live = n.state.is_live();
    NatGateway {
        connectivity_type: Some(n.connectivity_type.clone()),
        create_time: Some(Timestamp(n.create_time)),
        // A failed gateway was never deleted: its delete time only bounds how long it is listed.
        delete_time: n.delete_time.filter(|_| n.failure.is_none()).map(Timestamp),
        // The creating call shows a gateway that will fail as `pending`, without the failure.
        failure_code: n.failure.as_ref().filter(|_| state.is_none()).map(|f| f.code.clone()),
        failure_message: n.failure.as_ref().filter(|_| state.is_none()).map(|f| f.message.clone()),
        nat_gateway_addresses: n
            .addresses
            .iter()
            .map(|a| NatGatewayAddress {
                allocation_id: a.allocation_id.clone(),
                association_id: a.association_id.clone(),
                is_primary: Some(a.is_primary),
                network_interface_id: Some(n.network_interface_id.clone()),
                private_ip: Some(a.private_ip.to_string()),
                public_ip: a.public_ip.map(|p| p.to_string()),
                status: Some(if live { "succeeded" } else { "disassociated" }.into()),
                ..Default::default()
            })
            .collect(),
        nat_gateway_id: Some(n.id.clone()),
        state: Some(state.unwrap_or(n.state.name()).to_owned()),
        subnet_id: Some(n.subnet_id.clone()),
        tags: tag_set(&n.tags),
        vpc_id: Some(n.vpc_id.clone()),
        ..Default::default()
    }
}

fn create_nat_gateway(
    ctx: &Ctx,
    w: &mut World,
    req: CreateNatGatewayRequest,
) -> Outcome<CreateNatGatewayResult> {
    if req.availability_mode.as_deref().is_some_and(|m| m != "zonal")
        || !req.availability_zone_addresses.is_empty()
    {
        return Err(ApiError::invalid_parameter_value(
            "Regional NAT gateways are not supported by vpclab; use AvailabilityMode zonal.",
        )
        .into());
    }
    let subnet_id = req.subnet_id.clone().ok_or_else(|| ApiError::missing_parameter("SubnetId"))?;
    let ips = |raw: &[String], param: &str| {
        raw.iter().map(|r| parse_ip(r, param)).collect::<Result<Vec<_>, _>>()
    };
    let new = NewNatGateway {
        subnet_id,
        connectivity_type: req.connectivity_type.clone(),
        allocation_id: req.allocation_id.clone(),
        private_ip: req
            .private_ip_address
            .as_deref()
            .map(|r| parse_ip(r, "privateIpAddress"))
            .transpose()?,
        secondary_allocation_ids: req.secondary_allocation_ids.clone(),
        secondary_private_ips: ips(
            &req.secondary_private_ip_addresses,
            "secondaryPrivateIpAddress",
        )?,
        secondary_private_ip_count: req.secondary_private_ip_address_count,
        client_token: req.client_token.clone(),
        tags: tags_for(&req.tag_specifications, "natgateway")?,
    };
    let id = w.create_nat_gateway(&ctx.scope, new, Timestamp::now().0)?;
    let n = w.find_nat_gateway(&ctx.scope, &id)?;
    Ok(CreateNatGatewayResult {
        client_token: req.client_token,
        nat_gateway: Some(render(n, Some("pending"))),
    })
}

fn delete_nat_gateway(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteNatGatewayRequest,
) -> Outcome<DeleteNatGatewayResult> {
    w.delete_nat_gateway(&ctx.scope, &req.nat_gateway_id, Timestamp::now().0)?;
    Ok(DeleteNatGatewayResult { nat_gateway_id: Some(req.nat_gateway_id) })
}

pub(super) const FILTERS: Table<m::NatGateway> = table![
    "nat-gateway-id" => |n| one(&n.id),
    "state" => |n| one(n.state.name()),
    "subnet-id" => |n| one(&n.subnet_id),
    "vpc-id" => |n| one(&n.vpc_id),
];

/// Every id named must be listed (a deleted gateway is, for an hour); an unknown one fails the
/// call with `NatGatewayNotFound`.
fn describe_nat_gateways(
    ctx: &Ctx,
    w: &World,
    req: DescribeNatGatewaysRequest,
) -> Outcome<DescribeNatGatewaysResult> {
    let ids = &req.nat_gateway_ids;
    let ask = Ask::new(&req.filter, ids, req.max_results, &req.next_token, (5, 1000));
    let now = Timestamp::now().0;
    let (nat_gateways, next_token) = describe(
        ask,
        FILTERS,
        |ids| {
            let listed: Vec<&m::NatGateway> = w.listed_nat_gateways(&ctx.scope, now).collect();
            if let Some(missing) = ids.iter().find(|id| !listed.iter().any(|n| &n.id == *id)) {
                return Err(model::kinds::nat_gateway_not_found(missing).into());
            }
            Ok(listed.into_iter().map(|n| n.listed(w, &ctx.scope)))
        },
        |r| render(r.item, None),
    )?;
    Ok(DescribeNatGatewaysResult { nat_gateways, next_token })
}
