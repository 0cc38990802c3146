//! Internet gateway and egress-only internet gateway operations.

use super::common::{tag_set, tags_for};
use super::describe::{Ask, describe, in_scope, require_found};
use super::filter::{Table, one, table};
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use model::kinds;
use model::{World, types::ec2 as m};
use shapes::ec2::*;
use wire::xml::ReturnTrue;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateInternetGateway", write(create_internet_gateway)),
        ("DeleteInternetGateway", write(delete_internet_gateway)),
        ("DescribeInternetGateways", read(describe_internet_gateways)),
        ("AttachInternetGateway", write(attach_internet_gateway)),
        ("DetachInternetGateway", write(detach_internet_gateway)),
        ("CreateEgressOnlyInternetGateway", write(create_egress_only_internet_gateway)),
        ("DeleteEgressOnlyInternetGateway", write(delete_egress_only_internet_gateway)),
        ("DescribeEgressOnlyInternetGateways", read(describe_egress_only_internet_gateways)),
    ]
}

/// An internet gateway as the API shows it: an attachment reports `available`.
pub(super) fn render_igw(g: &m::InternetGateway) -> InternetGateway {
    InternetGateway {
        attachments: g
            .attached_vpc_id
            .iter()
            .map(|v| InternetGatewayAttachment {
                state: Some("available".into()),
                vpc_id: Some(v.clone()),
            })
            .collect(),
        internet_gateway_id: Some(g.id.clone()),
        owner_id: Some(g.owner.account.clone()),
        tags: tag_set(&g.tags),
    }
}

/// An egress-only internet gateway: always `attached` to its VPC.
pub(super) fn render_eigw(g: &m::EgressOnlyInternetGateway) -> EgressOnlyInternetGateway {
    EgressOnlyInternetGateway {
        attachments: vec![InternetGatewayAttachment {
            state: Some("attached".into()),
            vpc_id: Some(g.vpc_id.clone()),
        }],
        egress_only_internet_gateway_id: Some(g.id.clone()),
        tags: tag_set(&g.tags),
    }
}

fn create_internet_gateway(
    ctx: &Ctx,
    w: &mut World,
    req: CreateInternetGatewayRequest,
) -> Outcome<CreateInternetGatewayResult> {
    let tags = tags_for(&req.tag_specifications, "internet-gateway")?;
    let id = w.create_internet_gateway(&ctx.scope, &tags)?;
    let g = w.internet_gateways.find(&kinds::INTERNET_GATEWAY, &ctx.scope, &id)?;
    Ok(CreateInternetGatewayResult { internet_gateway: Some(render_igw(g)) })
}

fn delete_internet_gateway(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteInternetGatewayRequest,
) -> Outcome<ReturnTrue> {
    w.delete_internet_gateway(&ctx.scope, &req.internet_gateway_id)?;
    Ok(ReturnTrue)
}

fn attach_internet_gateway(
    ctx: &Ctx,
    w: &mut World,
    req: AttachInternetGatewayRequest,
) -> Outcome<ReturnTrue> {
    w.attach_internet_gateway(&ctx.scope, &req.internet_gateway_id, &req.vpc_id)?;
    Ok(ReturnTrue)
}

fn detach_internet_gateway(
    ctx: &Ctx,
    w: &mut World,
    req: DetachInternetGatewayRequest,
) -> Outcome<ReturnTrue> {
    w.detach_internet_gateway(&ctx.scope, &req.internet_gateway_id, &req.vpc_id)?;
    Ok(ReturnTrue)
}

pub(super) const IGW_FILTERS: Table<m::InternetGateway> = table![
    "attachment.state" => |g| g.attached_vpc_id.iter().map(|_| "available".to_owned()).collect(),
    "attachment.vpc-id" => |g| g.attached_vpc_id.iter().cloned().collect(),
    "internet-gateway-id" => |g| one(&g.id),
    "owner-id" => |g| one(&g.owner.account),
];

fn describe_internet_gateways(
    ctx: &Ctx,
    w: &World,
    req: DescribeInternetGatewaysRequest,
) -> Outcome<DescribeInternetGatewaysResult> {
    let ask = Ask::new(
        &req.filters,
        &req.internet_gateway_ids,
        req.max_results,
        &req.next_token,
        (5, 1000),
    );
    let (items, next_token) = describe(
        ask,
        IGW_FILTERS,
        |ids| {
            require_found(&w.internet_gateways, &kinds::INTERNET_GATEWAY, &ctx.scope, ids)?;
            Ok(in_scope(&w.internet_gateways, w, &ctx.scope))
        },
        |r| render_igw(r.item),
    )?;
    Ok(DescribeInternetGatewaysResult { internet_gateways: items, next_token })
}

fn create_egress_only_internet_gateway(
    ctx: &Ctx,
    w: &mut World,
    req: CreateEgressOnlyInternetGatewayRequest,
) -> Outcome<CreateEgressOnlyInternetGatewayResult> {
    let tags = tags_for(&req.tag_specifications, "egress-only-internet-gateway")?;
    let id = w.create_egress_only_internet_gateway(&ctx.scope, &req.vpc_id, &tags)?;
    let g = w.egress_only_internet_gateways.find(
        &kinds::EGRESS_ONLY_INTERNET_GATEWAY,
        &ctx.scope,
        &id,
    )?;
    Ok(CreateEgressOnlyInternetGatewayResult {
        client_token: req.client_token,
        egress_only_internet_gateway: Some(render_eigw(g)),
    })
}

fn delete_egress_only_internet_gateway(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteEgressOnlyInternetGatewayRequest,
) -> Outcome<DeleteEgressOnlyInternetGatewayResult> {
    w.delete_egress_only_internet_gateway(&ctx.scope, &req.egress_only_internet_gateway_id)?;
    Ok(DeleteEgressOnlyInternetGatewayResult { return_code: Some(true) })
}

/// Only the tag filters.
pub(super) const EIGW_FILTERS: Table<m::EgressOnlyInternetGateway> = &[];

/// Unknown ids are not an error here: AWS answers with the gateways that exist (Terraform relies
/// on an empty list for a deleted gateway).
fn describe_egress_only_internet_gateways(
    ctx: &Ctx,
    w: &World,
    req: DescribeEgressOnlyInternetGatewaysRequest,
) -> Outcome<DescribeEgressOnlyInternetGatewaysResult> {
    let ask = Ask::new(
        &req.filters,
        &req.egress_only_internet_gateway_ids,
        req.max_results,
        &req.next_token,
        (5, 255),
    );
    let (items, next_token) = describe(
        ask,
        EIGW_FILTERS,
        |_| Ok(in_scope(&w.egress_only_internet_gateways, w, &ctx.scope)),
        |r| render_eigw(r.item),
    )?;
    Ok(DescribeEgressOnlyInternetGatewaysResult {
        egress_only_internet_gateways: items,
        next_token,
    })
}
