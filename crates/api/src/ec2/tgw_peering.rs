//! Transit gateway peering attachments: create (by the requester), accept / reject (by the
//! accepter gateway's owner), delete (by either), describe (both sides see the same id).
//!
//! Create answers `initiatingRequest`, accept `pending`, reject `rejecting`, delete `deleting`,
//! as AWS does; the next Describe shows the settled state, which vpclab reaches at once.

use super::common::{tag_set, tags_for};
use super::describe::{Ask, describe};
use super::filter::{Row, Table, one, table};
use super::transit_gateway::{PAGE_LIMITS, listed_attachments, now};
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use model::tgw_peering::{NewTgwPeering, peering_sides};
use model::transit_gateway::{self as t, AttachmentState, TgwAttachment};
use model::{Scope, World};
use shapes::ec2::*;
use wire::Timestamp;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateTransitGatewayPeeringAttachment", write(create_peering)),
        ("AcceptTransitGatewayPeeringAttachment", write(accept_peering)),
        ("RejectTransitGatewayPeeringAttachment", write(reject_peering)),
        ("DeleteTransitGatewayPeeringAttachment", write(delete_peering)),
        ("DescribeTransitGatewayPeeringAttachments", read(describe_peerings)),
    ]
}

fn tgw_info(gateway: &str, owner: &model::Scope) -> PeeringTgwInfo {
    PeeringTgwInfo {
        core_network_id: None,
        owner_id: Some(owner.account.clone()),
        region: Some(owner.region.clone()),
        transit_gateway_id: Some(gateway.to_owned()),
    }
}

/// The status message of each state (vpclab's wording).
fn status_message(a: &TgwAttachment, accepter_account: &str) -> String {
    match a.state {
        AttachmentState::PendingAcceptance => format!("Pending Acceptance by {accepter_account}"),
        AttachmentState::Available => "Available".into(),
        AttachmentState::Rejected => "Rejected".into(),
        AttachmentState::Failed => "The peer transit gateway does not exist.".into(),
        AttachmentState::Deleted => "Deleted".into(),
    }
}

/// The peering as `scope` sees it (the accepter has its own tags).
fn render(
    w: &World,
    scope: &Scope,
    a: &TgwAttachment,
    state: Option<&str>,
) -> TransitGatewayPeeringAttachment {
    let sides = peering_sides(a);
    let code = state.unwrap_or(a.state.name()).to_owned();
    TransitGatewayPeeringAttachment {
        accepter_tgw_info: sides.map(|(_, (g, o))| tgw_info(g, o)),
        accepter_transit_gateway_attachment_id: None,
        creation_time: Some(Timestamp(a.create_time)),
        // Dynamic routing over peerings is not modelled: no options are reported.
        options: None,
        requester_tgw_info: sides.map(|((g, _), _)| tgw_info(g, &a.owner)),
        state: Some(code.clone()),
        status: Some(PeeringAttachmentStatus {
            code: Some(code),
            message: sides.map(|(_, (_, o))| status_message(a, &o.account)),
        }),
        tags: tag_set(a.tags_seen_from(w.tgw_attachment_side(scope, a))),
        transit_gateway_attachment_id: Some(a.id.clone()),
    }
}

/// The peering attachment `id` as it is now (live or just ended).
fn peering<'a>(w: &'a World, id: &str) -> Result<&'a TgwAttachment, model::Error> {
    w.transit_gateway_attachments
        .get(id)
        .filter(|a| a.peer_gateway().is_some())
        .ok_or_else(|| t::attachment_not_found(id))
}

fn create_peering(
    ctx: &Ctx,
    w: &mut World,
    req: CreateTransitGatewayPeeringAttachmentRequest,
) -> Outcome<CreateTransitGatewayPeeringAttachmentResult> {
    let new = NewTgwPeering {
        transit_gateway_id: req.transit_gateway_id,
        peer_transit_gateway_id: req.peer_transit_gateway_id,
        peer_account_id: Some(req.peer_account_id),
        peer_region: Some(req.peer_region),
        tags: tags_for(&req.tag_specifications, "transit-gateway-attachment")?,
    };
    let id = w.create_tgw_peering(&ctx.scope, new, now())?;
    Ok(CreateTransitGatewayPeeringAttachmentResult {
        transit_gateway_peering_attachment: Some(render(
            w,
            &ctx.scope,
            peering(w, &id)?,
            Some("initiatingRequest"),
        )),
    })
}

fn accept_peering(
    ctx: &Ctx,
    w: &mut World,
    req: AcceptTransitGatewayPeeringAttachmentRequest,
) -> Outcome<AcceptTransitGatewayPeeringAttachmentResult> {
    let id = &req.transit_gateway_attachment_id;
    w.answer_tgw_peering(&ctx.scope, id, true, now())?;
    Ok(AcceptTransitGatewayPeeringAttachmentResult {
        transit_gateway_peering_attachment: Some(render(
            w,
            &ctx.scope,
            peering(w, id)?,
            Some("pending"),
        )),
    })
}

fn reject_peering(
    ctx: &Ctx,
    w: &mut World,
    req: RejectTransitGatewayPeeringAttachmentRequest,
) -> Outcome<RejectTransitGatewayPeeringAttachmentResult> {
    let id = &req.transit_gateway_attachment_id;
    w.answer_tgw_peering(&ctx.scope, id, false, now())?;
    Ok(RejectTransitGatewayPeeringAttachmentResult {
        transit_gateway_peering_attachment: Some(render(
            w,
            &ctx.scope,
            peering(w, id)?,
            Some("rejecting"),
        )),
    })
}

fn delete_peering(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteTransitGatewayPeeringAttachmentRequest,
) -> Outcome<DeleteTransitGatewayPeeringAttachmentResult> {
    let id = &req.transit_gateway_attachment_id;
    w.delete_tgw_peering(&ctx.scope, id, now())?;
    Ok(DeleteTransitGatewayPeeringAttachmentResult {
        transit_gateway_peering_attachment: Some(render(
            w,
            &ctx.scope,
            peering(w, id)?,
            Some("deleting"),
        )),
    })
}

/// The gateway on the caller's side of the attachment.
fn side<'a>(a: &Row<'a, TgwAttachment>) -> &'a str {
    a.world.tgw_attachment_side(a.scope, a.item)
}

pub(super) const PEERING_FILTERS: Table<TgwAttachment> = table![
    "transit-gateway-attachment-id" => |a| one(&a.id),
    "local-owner-id" => |a| {
        a.world.transit_gateways.get(side(a)).map(|g| one(&g.owner.account)).unwrap_or_default()
    },
    "remote-owner-id" => |a| one(a.world.tgw_attachment_resource_owner(a.item, side(a))),
    "state" => |a| one(a.state.name()),
    "transit-gateway-id" => |a| one(side(a)),
];

fn describe_peerings(
    ctx: &Ctx,
    w: &World,
    req: DescribeTransitGatewayPeeringAttachmentsRequest,
) -> Outcome<DescribeTransitGatewayPeeringAttachmentsResult> {
    let ids = &req.transit_gateway_attachment_ids;
    let ask = Ask::new(&req.filters, ids, req.max_results, &req.next_token, PAGE_LIMITS);
    let (transit_gateway_peering_attachments, next_token) = describe(
        ask,
        PEERING_FILTERS,
        |ids| Ok(listed_attachments(ctx, w, ids, |a| a.peer_gateway().is_some())?),
        |r| render(w, &ctx.scope, r.item, None),
    )?;
    Ok(DescribeTransitGatewayPeeringAttachmentsResult {
        transit_gateway_peering_attachments,
        next_token,
    })
}
