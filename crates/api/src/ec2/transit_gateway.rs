//! Transit gateway operations: gateways, VPC attachments (and the generic attachment listing),
//! route tables with their associations, propagations and static routes.
//!
//! Create calls answer `pending` (associations `associating`, propagations `enabling`, deletes
//! `deleting`), as AWS does; the next read shows the settled state, which vpclab reaches at
//! once.

use super::common::{tag_set, tags_for};
use super::describe::{Ask, Listed, Resource, describe};
use super::filter::{Filters, Row, Table, flag, one, table};
use super::page::paginate;
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use codes::Ec2;
use model::cidr::Ipv4Cidr;
use model::transit_gateway::{
    self as t, NewTransitGateway, NewVpcAttachment, RouteChange, TgwAttachment, TgwModification,
    TgwRoute, TgwRouteTarget, VpcAttachmentModification, flag_name,
};
use model::{Scope, World};
use shapes::ec2::*;
use wire::{ApiError, Timestamp};

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateTransitGateway", write(create_transit_gateway)),
        ("DescribeTransitGateways", read(describe_transit_gateways)),
        ("ModifyTransitGateway", write(modify_transit_gateway)),
        ("DeleteTransitGateway", write(delete_transit_gateway)),
        ("CreateTransitGatewayVpcAttachment", write(create_vpc_attachment)),
        ("DescribeTransitGatewayVpcAttachments", read(describe_vpc_attachments)),
        ("ModifyTransitGatewayVpcAttachment", write(modify_vpc_attachment)),
        ("DeleteTransitGatewayVpcAttachment", write(delete_vpc_attachment)),
        ("DescribeTransitGatewayAttachments", read(describe_attachments)),
        ("CreateTransitGatewayRouteTable", write(create_route_table)),
        ("DescribeTransitGatewayRouteTables", read(describe_route_tables)),
        ("DeleteTransitGatewayRouteTable", write(delete_route_table)),
        ("AssociateTransitGatewayRouteTable", write(associate_route_table)),
        ("DisassociateTransitGatewayRouteTable", write(disassociate_route_table)),
        ("EnableTransitGatewayRouteTablePropagation", write(enable_propagation)),
        ("DisableTransitGatewayRouteTablePropagation", write(disable_propagation)),
        ("CreateTransitGatewayRoute", write(create_route)),
        ("DeleteTransitGatewayRoute", write(delete_route)),
        ("ReplaceTransitGatewayRoute", write(replace_route)),
        ("SearchTransitGatewayRoutes", read(search_routes)),
        ("GetTransitGatewayRouteTableAssociations", read(get_associations)),
        ("GetTransitGatewayRouteTablePropagations", read(get_propagations)),
        ("CreateTransitGatewayPrefixListReference", write(create_prefix_list_reference)),
        ("ModifyTransitGatewayPrefixListReference", write(modify_prefix_list_reference)),
        ("DeleteTransitGatewayPrefixListReference", write(delete_prefix_list_reference)),
        ("GetTransitGatewayPrefixListReferences", read(get_prefix_list_references)),
    ]
}

/// MaxResults range of every paginated transit gateway call.
pub(super) const PAGE_LIMITS: (i32, i32) = (5, 1000);

pub(super) fn now() -> i64 {
    Timestamp::now().0
}

// ---- gateways ----

fn render_tgw(g: &t::TransitGateway, state: Option<&str>) -> TransitGateway {
    let o = &g.options;
    TransitGateway {
        creation_time: Some(Timestamp(g.create_time)),
        description: g.description.clone(),
        options: Some(TransitGatewayOptions {
            amazon_side_asn: Some(o.amazon_side_asn),
            association_default_route_table_id: o.association_default_route_table_id.clone(),
            auto_accept_shared_attachments: Some(
                flag_name(o.auto_accept_shared_attachments).into(),
            ),
            default_route_table_association: Some(
                flag_name(o.default_route_table_association).into(),
            ),
            default_route_table_propagation: Some(
                flag_name(o.default_route_table_propagation).into(),
            ),
            dns_support: Some(flag_name(o.dns_support).into()),
            encryption_support: None,
            multicast_support: Some(flag_name(o.multicast_support).into()),
            propagation_default_route_table_id: o.propagation_default_route_table_id.clone(),
            security_group_referencing_support: Some(
                flag_name(o.security_group_referencing_support).into(),
            ),
            transit_gateway_cidr_blocks: o.cidr_blocks.clone(),
            vpn_ecmp_support: Some(flag_name(o.vpn_ecmp_support).into()),
        }),
        owner_id: Some(g.owner.account.clone()),
        state: Some(state.unwrap_or(g.state()).to_owned()),
        tags: tag_set(&g.tags),
        transit_gateway_arn: Some(g.arn()),
        transit_gateway_id: Some(g.id.clone()),
    }
}

fn create_transit_gateway(
    ctx: &Ctx,
    w: &mut World,
    req: CreateTransitGatewayRequest,
) -> Outcome<CreateTransitGatewayResult> {
    let o = req.options.unwrap_or_default();
    let new = NewTransitGateway {
        description: req.description,
        amazon_side_asn: o.amazon_side_asn,
        auto_accept_shared_attachments: o.auto_accept_shared_attachments,
        default_route_table_association: o.default_route_table_association,
        default_route_table_propagation: o.default_route_table_propagation,
        dns_support: o.dns_support,
        vpn_ecmp_support: o.vpn_ecmp_support,
        multicast_support: o.multicast_support,
        security_group_referencing_support: o.security_group_referencing_support,
        cidr_blocks: o.transit_gateway_cidr_blocks,
        tags: tags_for(&req.tag_specifications, "transit-gateway")?,
    };
    let id = w.create_transit_gateway(&ctx.scope, new, now())?;
    let g = w.find_transit_gateway(&ctx.scope, &id)?;
    Ok(CreateTransitGatewayResult { transit_gateway: Some(render_tgw(g, Some("pending"))) })
}

fn modify_transit_gateway(
    ctx: &Ctx,
    w: &mut World,
    req: ModifyTransitGatewayRequest,
) -> Outcome<ModifyTransitGatewayResult> {
    let o = req.options.unwrap_or_default();
    let m = TgwModification {
        description: req.description,
        amazon_side_asn: o.amazon_side_asn,
        auto_accept_shared_attachments: o.auto_accept_shared_attachments,
        default_route_table_association: o.default_route_table_association,
        default_route_table_propagation: o.default_route_table_propagation,
        association_default_route_table_id: o.association_default_route_table_id,
        propagation_default_route_table_id: o.propagation_default_route_table_id,
        dns_support: o.dns_support,
        vpn_ecmp_support: o.vpn_ecmp_support,
        security_group_referencing_support: o.security_group_referencing_support,
        add_cidr_blocks: o.add_transit_gateway_cidr_blocks,
        remove_cidr_blocks: o.remove_transit_gateway_cidr_blocks,
    };
    w.modify_transit_gateway(&ctx.scope, &req.transit_gateway_id, m, now())?;
    let g = w.find_transit_gateway(&ctx.scope, &req.transit_gateway_id)?;
    Ok(ModifyTransitGatewayResult { transit_gateway: Some(render_tgw(g, Some("modifying"))) })
}

fn delete_transit_gateway(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteTransitGatewayRequest,
) -> Outcome<DeleteTransitGatewayResult> {
    w.delete_transit_gateway(&ctx.scope, &req.transit_gateway_id, now())?;
    let g = w
        .transit_gateways
        .get(&req.transit_gateway_id)
        .ok_or_else(|| t::gateway_not_found(&req.transit_gateway_id))?;
    Ok(DeleteTransitGatewayResult { transit_gateway: Some(render_tgw(g, Some("deleting"))) })
}

pub(super) const TGW_FILTERS: Table<t::TransitGateway> = table![
    "options.propagation-default-route-table-id" => {
        |g| g.options.propagation_default_route_table_id.iter().cloned().collect()
    },
    "options.amazon-side-asn" => |g| one(g.options.amazon_side_asn),
    "options.association-default-route-table-id" => {
        |g| g.options.association_default_route_table_id.iter().cloned().collect()
    },
    "options.auto-accept-shared-attachments" => {
        |g| one(flag_name(g.options.auto_accept_shared_attachments))
    },
    "options.default-route-table-association" => {
        |g| one(flag_name(g.options.default_route_table_association))
    },
    "options.default-route-table-propagation" => {
        |g| one(flag_name(g.options.default_route_table_propagation))
    },
    "options.dns-support" => |g| one(flag_name(g.options.dns_support)),
    "options.vpn-ecmp-support" => |g| one(flag_name(g.options.vpn_ecmp_support)),
    "owner-id" => |g| one(&g.owner.account),
    "state" => |g| one(g.state()),
    "transit-gateway-id" => |g| one(&g.id),
];

/// Every id named must be listed (deleted ones are, for a while).
pub(super) fn require_listed<T>(
    ids: &[String],
    listed: &[&T],
    id_of: impl Fn(&T) -> &str,
    not_found: impl Fn(&str) -> model::Error,
) -> Result<(), model::Error> {
    if let Some(missing) = ids.iter().find(|id| !listed.iter().any(|x| id_of(x) == id.as_str())) {
        return Err(not_found(missing));
    }
    Ok(())
}

fn describe_transit_gateways(
    ctx: &Ctx,
    w: &World,
    req: DescribeTransitGatewaysRequest,
) -> Outcome<DescribeTransitGatewaysResult> {
    let ids = &req.transit_gateway_ids;
    let ask = Ask::new(&req.filters, ids, req.max_results, &req.next_token, PAGE_LIMITS);
    let (transit_gateways, next_token) = describe(
        ask,
        TGW_FILTERS,
        |ids| {
            for id in ids {
                model::kinds::TRANSIT_GATEWAY.check_format(id)?;
            }
            let listed: Vec<&t::TransitGateway> =
                w.listed_transit_gateways(&ctx.scope, now()).collect();
            require_listed(ids, &listed, |g| &g.id, t::gateway_not_found)?;
            Ok(listed.into_iter().map(|g| g.listed(w, &ctx.scope)))
        },
        |r| render_tgw(r.item, None),
    )?;
    Ok(DescribeTransitGatewaysResult { transit_gateways, next_token })
}

// ---- attachments ----

fn render_vpc_attachment(a: &TgwAttachment, state: Option<&str>) -> TransitGatewayVpcAttachment {
    let v = a.vpc();
    TransitGatewayVpcAttachment {
        creation_time: Some(Timestamp(a.create_time)),
        options: v.map(|v| TransitGatewayVpcAttachmentOptions {
            appliance_mode_support: Some(flag_name(v.appliance_mode_support).into()),
            dns_support: Some(flag_name(v.dns_support).into()),
            ipv6_support: Some(flag_name(v.ipv6_support).into()),
            security_group_referencing_support: Some(
                flag_name(v.security_group_referencing_support).into(),
            ),
        }),
        state: Some(state.unwrap_or(a.state.name()).to_owned()),
        subnet_ids: v.map(|v| v.subnet_ids.clone()).unwrap_or_default(),
        tags: tag_set(&a.tags),
        transit_gateway_attachment_id: Some(a.id.clone()),
        transit_gateway_id: Some(a.transit_gateway_id.clone()),
        vpc_id: v.map(|v| v.vpc_id.clone()),
        vpc_owner_id: Some(a.owner.account.clone()),
    }
}

/// An attachment as `scope` sees it (a peering from the side of the caller's gateway).
pub(super) fn render_attachment(
    w: &World,
    scope: &Scope,
    a: &TgwAttachment,
) -> TransitGatewayAttachment {
    let side = w.tgw_attachment_side(scope, a);
    TransitGatewayAttachment {
        association: a.association_on(side).map(|rtb| TransitGatewayAttachmentAssociation {
            state: Some("associated".into()),
            transit_gateway_route_table_id: Some(rtb.to_owned()),
        }),
        creation_time: Some(Timestamp(a.create_time)),
        resource_id: Some(a.resource_id_from(side).to_owned()),
        resource_owner_id: Some(w.tgw_attachment_resource_owner(a, side)),
        resource_type: Some(a.resource.resource_type().into()),
        state: Some(a.state.name().into()),
        tags: tag_set(a.tags_seen_from(side)),
        transit_gateway_attachment_id: Some(a.id.clone()),
        transit_gateway_id: Some(side.to_owned()),
        transit_gateway_owner_id: w.transit_gateways.get(side).map(|g| g.owner.account.clone()),
    }
}

fn create_vpc_attachment(
    ctx: &Ctx,
    w: &mut World,
    req: CreateTransitGatewayVpcAttachmentRequest,
) -> Outcome<CreateTransitGatewayVpcAttachmentResult> {
    let o = req.options.unwrap_or_default();
    let new = NewVpcAttachment {
        transit_gateway_id: req.transit_gateway_id,
        vpc_id: req.vpc_id,
        subnet_ids: req.subnet_ids,
        appliance_mode_support: o.appliance_mode_support,
        dns_support: o.dns_support,
        ipv6_support: o.ipv6_support,
        security_group_referencing_support: o.security_group_referencing_support,
        tags: tags_for(&req.tag_specifications, "transit-gateway-attachment")?,
    };
    let id = w.create_tgw_vpc_attachment(&ctx.scope, new, now())?;
    let a = w.find_tgw_attachment(&ctx.scope, &id)?;
    Ok(CreateTransitGatewayVpcAttachmentResult {
        transit_gateway_vpc_attachment: Some(render_vpc_attachment(a, Some("pending"))),
    })
}

fn modify_vpc_attachment(
    ctx: &Ctx,
    w: &mut World,
    req: ModifyTransitGatewayVpcAttachmentRequest,
) -> Outcome<ModifyTransitGatewayVpcAttachmentResult> {
    let o = req.options.unwrap_or_default();
    let m = VpcAttachmentModification {
        add_subnet_ids: req.add_subnet_ids,
        remove_subnet_ids: req.remove_subnet_ids,
        appliance_mode_support: o.appliance_mode_support,
        dns_support: o.dns_support,
        ipv6_support: o.ipv6_support,
        security_group_referencing_support: o.security_group_referencing_support,
    };
    w.modify_tgw_vpc_attachment(&ctx.scope, &req.transit_gateway_attachment_id, m)?;
    let a = w.find_tgw_attachment(&ctx.scope, &req.transit_gateway_attachment_id)?;
    Ok(ModifyTransitGatewayVpcAttachmentResult {
        transit_gateway_vpc_attachment: Some(render_vpc_attachment(a, Some("modifying"))),
    })
}

/// The VPC attachment `id` of the scope (another kind of attachment is not found here).
fn find_vpc_attachment<'a>(
    ctx: &Ctx,
    w: &'a World,
    id: &str,
) -> Result<&'a TgwAttachment, model::Error> {
    w.find_tgw_attachment(&ctx.scope, id)?;
    w.transit_gateway_attachments
        .get(id)
        .filter(|a| a.vpc().is_some())
        .ok_or_else(|| t::attachment_not_found(id))
}

fn delete_vpc_attachment(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteTransitGatewayVpcAttachmentRequest,
) -> Outcome<DeleteTransitGatewayVpcAttachmentResult> {
    let id = &req.transit_gateway_attachment_id;
    find_vpc_attachment(ctx, w, id)?;
    w.delete_tgw_attachment(&ctx.scope, id, now())?;
    let a = w.transit_gateway_attachments.get(id).ok_or_else(|| t::attachment_not_found(id))?;
    Ok(DeleteTransitGatewayVpcAttachmentResult {
        transit_gateway_vpc_attachment: Some(render_vpc_attachment(a, Some("deleting"))),
    })
}

type AttachmentRow<'a> = Row<'a, TgwAttachment>;

/// The gateway on the caller's side of the attachment.
fn side<'a>(a: &AttachmentRow<'a>) -> &'a str {
    a.world.tgw_attachment_side(a.scope, a.item)
}

fn attachment_state(a: &AttachmentRow) -> Vec<String> {
    one(a.state.name())
}

fn attachment_id(a: &AttachmentRow) -> Vec<String> {
    one(&a.id)
}

fn attachment_gateway(a: &AttachmentRow) -> Vec<String> {
    one(side(a))
}

pub(super) const VPC_ATTACHMENT_FILTERS: Table<TgwAttachment> = table![
    "state" => attachment_state,
    "transit-gateway-attachment-id" => attachment_id,
    "transit-gateway-id" => attachment_gateway,
    "vpc-id" => |a| a.vpc().map(|v| one(&v.vpc_id)).unwrap_or_default(),
];

pub(super) const ATTACHMENT_FILTERS: Table<TgwAttachment> = table![
    "association.transit-gateway-route-table-id" => |a| {
        a.association_on(side(a)).map(one).unwrap_or_default()
    },
    "association.state" => |a| {
        a.association_on(side(a)).map(|_| "associated".to_owned()).into_iter().collect()
    },
    "resource-id" => |a| one(a.resource_id_from(side(a))),
    "resource-owner-id" => |a| one(a.world.tgw_attachment_resource_owner(a.item, side(a))),
    "resource-type" => |a| one(a.resource.resource_type()),
    "state" => attachment_state,
    "transit-gateway-attachment-id" => attachment_id,
    "transit-gateway-id" => attachment_gateway,
    "transit-gateway-owner-id" => |a| {
        a.world.transit_gateways.get(side(a)).map(|g| one(&g.owner.account)).unwrap_or_default()
    },
];

/// The attachments a Describe call lists: named ones must exist (for the kind asked).
/// The attachments `ctx` lists that are `wanted`, each with the tags its side sees on it, once
/// every id in `ids` is well formed and listed.
pub(super) fn listed_attachments<'a>(
    ctx: &'a Ctx,
    w: &'a World,
    ids: &[String],
    wanted: fn(&TgwAttachment) -> bool,
) -> Result<impl Iterator<Item = Listed<'a, TgwAttachment>> + use<'a>, model::Error> {
    for id in ids {
        model::kinds::TRANSIT_GATEWAY_ATTACHMENT.check_format(id)?;
    }
    let listed: Vec<&TgwAttachment> =
        w.listed_tgw_attachments(&ctx.scope, now()).filter(|a| wanted(a)).collect();
    require_listed(ids, &listed, |a| &a.id, t::attachment_not_found)?;
    Ok(listed.into_iter().map(|a| Listed {
        id: (&a.id).into(),
        row: Row::new(w, &ctx.scope, a),
        tags: a.tags_seen_from(w.tgw_attachment_side(&ctx.scope, a)),
    }))
}

fn describe_vpc_attachments(
    ctx: &Ctx,
    w: &World,
    req: DescribeTransitGatewayVpcAttachmentsRequest,
) -> Outcome<DescribeTransitGatewayVpcAttachmentsResult> {
    let ids = &req.transit_gateway_attachment_ids;
    let ask = Ask::new(&req.filters, ids, req.max_results, &req.next_token, PAGE_LIMITS);
    let (transit_gateway_vpc_attachments, next_token) = describe(
        ask,
        VPC_ATTACHMENT_FILTERS,
        |ids| Ok(listed_attachments(ctx, w, ids, |a| a.vpc().is_some())?),
        |r| render_vpc_attachment(r.item, None),
    )?;
    Ok(DescribeTransitGatewayVpcAttachmentsResult { transit_gateway_vpc_attachments, next_token })
}

fn describe_attachments(
    ctx: &Ctx,
    w: &World,
    req: DescribeTransitGatewayAttachmentsRequest,
) -> Outcome<DescribeTransitGatewayAttachmentsResult> {
    let ids = &req.transit_gateway_attachment_ids;
    let ask = Ask::new(&req.filters, ids, req.max_results, &req.next_token, PAGE_LIMITS);
    let (transit_gateway_attachments, next_token) = describe(
        ask,
        ATTACHMENT_FILTERS,
        |ids| Ok(listed_attachments(ctx, w, ids, |_| true)?),
        |r| render_attachment(w, &ctx.scope, r.item),
    )?;
    Ok(DescribeTransitGatewayAttachmentsResult { transit_gateway_attachments, next_token })
}

// ---- route tables ----

fn render_route_table(
    w: &World,
    rt: &t::TgwRouteTable,
    state: Option<&str>,
) -> TransitGatewayRouteTable {
    let g = w.transit_gateways.get(&rt.transit_gateway_id);
    let is = |f: fn(&t::TgwOptions) -> &Option<String>| {
        g.is_some_and(|g| f(&g.options).as_deref() == Some(rt.id.as_str()))
    };
    TransitGatewayRouteTable {
        creation_time: Some(Timestamp(rt.create_time)),
        default_association_route_table: Some(is(|o| &o.association_default_route_table_id)),
        default_propagation_route_table: Some(is(|o| &o.propagation_default_route_table_id)),
        state: Some(state.unwrap_or(rt.state()).to_owned()),
        tags: tag_set(&rt.tags),
        transit_gateway_id: Some(rt.transit_gateway_id.clone()),
        transit_gateway_route_table_id: Some(rt.id.clone()),
    }
}

fn create_route_table(
    ctx: &Ctx,
    w: &mut World,
    req: CreateTransitGatewayRouteTableRequest,
) -> Outcome<CreateTransitGatewayRouteTableResult> {
    let tags = tags_for(&req.tag_specifications, "transit-gateway-route-table")?;
    let id = w.create_tgw_route_table(&ctx.scope, &req.transit_gateway_id, &tags, now())?;
    let rt = w.find_tgw_route_table(&ctx.scope, &id)?;
    Ok(CreateTransitGatewayRouteTableResult {
        transit_gateway_route_table: Some(render_route_table(w, rt, Some("pending"))),
    })
}

fn delete_route_table(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteTransitGatewayRouteTableRequest,
) -> Outcome<DeleteTransitGatewayRouteTableResult> {
    let id = &req.transit_gateway_route_table_id;
    w.delete_tgw_route_table(&ctx.scope, id, now())?;
    let rt = w.transit_gateway_route_tables.get(id).ok_or_else(|| t::route_table_not_found(id))?;
    Ok(DeleteTransitGatewayRouteTableResult {
        transit_gateway_route_table: Some(render_route_table(w, rt, Some("deleting"))),
    })
}

/// A route table, with the way DescribeTransitGatewayRouteTables shows it.
pub(super) const ROUTE_TABLE_FILTERS: Table<t::TgwRouteTable, TransitGatewayRouteTable> = table![
    "default-association-route-table" => |rt| {
        flag(rt.extra.default_association_route_table == Some(true))
    },
    "default-propagation-route-table" => |rt| {
        flag(rt.extra.default_propagation_route_table == Some(true))
    },
    "state" => |rt| one(rt.state()),
    "transit-gateway-id" => |rt| one(&rt.transit_gateway_id),
    "transit-gateway-route-table-id" => |rt| one(&rt.id),
];

// Not on `describe::describe`: this table's filters read the rendered table (its defaults), so
// each row is rendered before it is filtered, and a `Listed` row cannot hold what it renders.
fn describe_route_tables(
    ctx: &Ctx,
    w: &World,
    req: DescribeTransitGatewayRouteTablesRequest,
) -> Outcome<DescribeTransitGatewayRouteTablesResult> {
    let filters = Filters::new(&req.filters, ROUTE_TABLE_FILTERS)?;
    let ids = &req.transit_gateway_route_table_ids;
    for id in ids {
        model::kinds::TRANSIT_GATEWAY_ROUTE_TABLE.check_format(id)?;
    }
    let listed: Vec<&t::TgwRouteTable> = w.listed_tgw_route_tables(&ctx.scope, now()).collect();
    require_listed(ids, &listed, |t| &t.id, t::route_table_not_found)?;
    let items = listed
        .into_iter()
        .filter(|rt| ids.is_empty() || ids.contains(&rt.id))
        .map(|rt| (rt, render_route_table(w, rt, None)))
        .filter(|(rt, r)| filters.matches(&Row::with(w, &ctx.scope, *rt, r), &rt.tags))
        .map(|(rt, r)| (rt.id.clone(), r))
        .collect();
    let (transit_gateway_route_tables, next_token) =
        paginate(items, req.max_results, req.next_token.as_deref(), PAGE_LIMITS)?;
    Ok(DescribeTransitGatewayRouteTablesResult { transit_gateway_route_tables, next_token })
}

// ---- associations and propagations ----

fn association(a: &TgwAttachment, rtb: &str, state: &str) -> TransitGatewayAssociation {
    TransitGatewayAssociation {
        resource_id: Some(a.resource.resource_id().to_owned()),
        resource_type: Some(a.resource.resource_type().into()),
        state: Some(state.into()),
        transit_gateway_attachment_id: Some(a.id.clone()),
        transit_gateway_route_table_id: Some(rtb.to_owned()),
    }
}

fn propagation(a: &TgwAttachment, rtb: &str, state: &str) -> TransitGatewayPropagation {
    TransitGatewayPropagation {
        resource_id: Some(a.resource.resource_id().to_owned()),
        resource_type: Some(a.resource.resource_type().into()),
        state: Some(state.into()),
        transit_gateway_attachment_id: Some(a.id.clone()),
        transit_gateway_route_table_announcement_id: None,
        transit_gateway_route_table_id: Some(rtb.to_owned()),
    }
}

fn associate_route_table(
    ctx: &Ctx,
    w: &mut World,
    req: AssociateTransitGatewayRouteTableRequest,
) -> Outcome<AssociateTransitGatewayRouteTableResult> {
    let (rtb, att) = (&req.transit_gateway_route_table_id, &req.transit_gateway_attachment_id);
    w.associate_tgw_route_table(&ctx.scope, rtb, att)?;
    let a = w.find_tgw_attachment(&ctx.scope, att)?;
    Ok(AssociateTransitGatewayRouteTableResult {
        association: Some(association(a, rtb, "associating")),
    })
}

fn disassociate_route_table(
    ctx: &Ctx,
    w: &mut World,
    req: DisassociateTransitGatewayRouteTableRequest,
) -> Outcome<DisassociateTransitGatewayRouteTableResult> {
    let (rtb, att) = (&req.transit_gateway_route_table_id, &req.transit_gateway_attachment_id);
    w.disassociate_tgw_route_table(&ctx.scope, rtb, att)?;
    let a = w.find_tgw_attachment(&ctx.scope, att)?;
    Ok(DisassociateTransitGatewayRouteTableResult {
        association: Some(association(a, rtb, "disassociating")),
    })
}

fn propagation_attachment(id: &Option<String>) -> Result<&str, ApiError> {
    id.as_deref().ok_or_else(|| ApiError::missing_parameter("TransitGatewayAttachmentId"))
}

fn enable_propagation(
    ctx: &Ctx,
    w: &mut World,
    req: EnableTransitGatewayRouteTablePropagationRequest,
) -> Outcome<EnableTransitGatewayRouteTablePropagationResult> {
    let rtb = &req.transit_gateway_route_table_id;
    let att = propagation_attachment(&req.transit_gateway_attachment_id)?;
    w.set_tgw_propagation(&ctx.scope, rtb, att, true)?;
    let a = w.find_tgw_attachment(&ctx.scope, att)?;
    Ok(EnableTransitGatewayRouteTablePropagationResult {
        propagation: Some(propagation(a, rtb, "enabling")),
    })
}

fn disable_propagation(
    ctx: &Ctx,
    w: &mut World,
    req: DisableTransitGatewayRouteTablePropagationRequest,
) -> Outcome<DisableTransitGatewayRouteTablePropagationResult> {
    let rtb = &req.transit_gateway_route_table_id;
    let att = propagation_attachment(&req.transit_gateway_attachment_id)?;
    w.set_tgw_propagation(&ctx.scope, rtb, att, false)?;
    let a = w.find_tgw_attachment(&ctx.scope, att)?;
    Ok(DisableTransitGatewayRouteTablePropagationResult {
        propagation: Some(propagation(a, rtb, "disabling")),
    })
}

pub(super) const ASSOCIATION_FILTERS: Table<TgwAttachment> = table![
    "resource-id" => |a| one(a.resource.resource_id()),
    "resource-type" => |a| one(a.resource.resource_type()),
    "transit-gateway-attachment-id" => attachment_id,
];

fn get_associations(
    ctx: &Ctx,
    w: &World,
    req: GetTransitGatewayRouteTableAssociationsRequest,
) -> Outcome<GetTransitGatewayRouteTableAssociationsResult> {
    let filters = Filters::new(&req.filters, ASSOCIATION_FILTERS)?;
    let rtb = w.find_tgw_route_table(&ctx.scope, &req.transit_gateway_route_table_id)?;
    let items = w
        .tgw_route_table_associations(&rtb.id)
        .filter(|a| filters.matches(&Row::new(w, &ctx.scope, *a), &Default::default()))
        .map(|a| {
            (
                a.id.clone(),
                TransitGatewayRouteTableAssociation {
                    resource_id: Some(a.resource_id_from(&rtb.transit_gateway_id).to_owned()),
                    resource_type: Some(a.resource.resource_type().into()),
                    state: Some("associated".into()),
                    transit_gateway_attachment_id: Some(a.id.clone()),
                },
            )
        })
        .collect();
    let (associations, next_token) =
        paginate(items, req.max_results, req.next_token.as_deref(), PAGE_LIMITS)?;
    Ok(GetTransitGatewayRouteTableAssociationsResult { associations, next_token })
}

fn get_propagations(
    ctx: &Ctx,
    w: &World,
    req: GetTransitGatewayRouteTablePropagationsRequest,
) -> Outcome<GetTransitGatewayRouteTablePropagationsResult> {
    let filters = Filters::new(&req.filters, ASSOCIATION_FILTERS)?;
    let rtb = w.find_tgw_route_table(&ctx.scope, &req.transit_gateway_route_table_id)?;
    let mut items: Vec<(String, TransitGatewayRouteTablePropagation)> = rtb
        .propagations
        .iter()
        .filter_map(|id| w.transit_gateway_attachments.get(id))
        .filter(|a| filters.matches(&Row::new(w, &ctx.scope, *a), &Default::default()))
        .map(|a| {
            (
                a.id.clone(),
                TransitGatewayRouteTablePropagation {
                    resource_id: Some(a.resource.resource_id().to_owned()),
                    resource_type: Some(a.resource.resource_type().into()),
                    state: Some("enabled".into()),
                    transit_gateway_attachment_id: Some(a.id.clone()),
                    transit_gateway_route_table_announcement_id: None,
                },
            )
        })
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let (transit_gateway_route_table_propagations, next_token) =
        paginate(items, req.max_results, req.next_token.as_deref(), PAGE_LIMITS)?;
    Ok(GetTransitGatewayRouteTablePropagationsResult {
        transit_gateway_route_table_propagations,
        next_token,
    })
}

// ---- routes ----

fn render_route(w: &World, r: &TgwRoute) -> TransitGatewayRoute {
    TransitGatewayRoute {
        destination_cidr_block: Some(r.destination.to_string()),
        prefix_list_id: r.prefix_list_id.clone(),
        state: Some(r.state.name().into()),
        transit_gateway_attachments: r
            .attachment_ids
            .iter()
            .map(|id| {
                let a = w.transit_gateway_attachments.get(id);
                TransitGatewayRouteAttachment {
                    resource_id: a.map(|a| a.resource.resource_id().to_owned()),
                    resource_type: a.map(|a| a.resource.resource_type().to_owned()),
                    transit_gateway_attachment_id: Some(id.clone()),
                }
            })
            .collect(),
        transit_gateway_route_table_announcement_id: None,
        type_: Some(r.route_type.name().into()),
    }
}

fn route_target(
    attachment: Option<String>,
    blackhole: Option<bool>,
) -> Result<TgwRouteTarget, ApiError> {
    // Terraform sends an empty attachment id with a blackhole route.
    match (attachment.filter(|a| !a.is_empty()), blackhole.unwrap_or(false)) {
        (Some(_), true) => Err(ApiError::client(
            Ec2::InvalidParameterCombination,
            "Blackhole and TransitGatewayAttachmentId cannot both be specified.",
        )),
        (Some(a), false) => Ok(TgwRouteTarget::Attachment(a)),
        (None, true) => Ok(TgwRouteTarget::Blackhole),
        (None, false) => Err(ApiError::missing_parameter("TransitGatewayAttachmentId")),
    }
}

/// The route now in force for exactly `cidr` in the table (after a change).
fn route_now(w: &World, rtb: &str, cidr: &str) -> Option<TransitGatewayRoute> {
    let dest = Ipv4Cidr::parse(cidr, false)?;
    w.transit_gateway_routes(rtb).iter().find(|r| r.destination == dest).map(|r| render_route(w, r))
}

fn create_route(
    ctx: &Ctx,
    w: &mut World,
    req: CreateTransitGatewayRouteRequest,
) -> Outcome<CreateTransitGatewayRouteResult> {
    let target = route_target(req.transit_gateway_attachment_id, req.blackhole)?;
    let (rtb, cidr) = (&req.transit_gateway_route_table_id, &req.destination_cidr_block);
    w.change_tgw_route(&ctx.scope, rtb, cidr, Some(target), RouteChange::Create)?;
    Ok(CreateTransitGatewayRouteResult { route: route_now(w, rtb, cidr) })
}

fn replace_route(
    ctx: &Ctx,
    w: &mut World,
    req: ReplaceTransitGatewayRouteRequest,
) -> Outcome<ReplaceTransitGatewayRouteResult> {
    let target = route_target(req.transit_gateway_attachment_id, req.blackhole)?;
    let (rtb, cidr) = (&req.transit_gateway_route_table_id, &req.destination_cidr_block);
    w.change_tgw_route(&ctx.scope, rtb, cidr, Some(target), RouteChange::Replace)?;
    Ok(ReplaceTransitGatewayRouteResult { route: route_now(w, rtb, cidr) })
}

fn delete_route(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteTransitGatewayRouteRequest,
) -> Outcome<DeleteTransitGatewayRouteResult> {
    let (rtb, cidr) = (&req.transit_gateway_route_table_id, &req.destination_cidr_block);
    let before = route_now(w, rtb, cidr).map(|mut r| {
        r.state = Some("deleted".into());
        r
    });
    w.change_tgw_route(&ctx.scope, rtb, cidr, None, RouteChange::Delete)?;
    Ok(DeleteTransitGatewayRouteResult { route: before })
}

/// The routes' attachments.
fn route_attachments<'a>(r: &Row<'a, TgwRoute>) -> impl Iterator<Item = &'a TgwAttachment> {
    let w = r.world;
    r.item.attachment_ids.iter().filter_map(move |id| w.transit_gateway_attachments.get(id))
}

/// The route's destination: `route-search.*` compare it as a CIDR (in search_routes), the
/// others as text.
fn destination(r: &Row<TgwRoute>) -> Vec<String> {
    one(r.destination)
}

pub(super) const ROUTE_FILTERS: Table<TgwRoute> = table![
    "attachment.transit-gateway-attachment-id" => |r| r.attachment_ids.clone(),
    "attachment.resource-id" => {
        |r| route_attachments(r).map(|a| a.resource.resource_id().to_owned()).collect()
    },
    "attachment.resource-type" => {
        |r| route_attachments(r).map(|a| a.resource.resource_type().to_owned()).collect()
    },
    "prefix-list-id" => |r| r.prefix_list_id.iter().cloned().collect(),
    "route-search.exact-match" => destination,
    "route-search.longest-prefix-match" => destination,
    "route-search.subnet-of-match" => destination,
    "route-search.supernet-of-match" => destination,
    "state" => |r| one(r.state.name()),
    "transit-gateway-route-destination-cidr-block" => destination,
    "type" => |r| one(r.route_type.name()),
];

/// The route-search filters compare CIDRs, not text.
fn cidr_values(values: &[String], name: &str) -> Result<Vec<Ipv4Cidr>, ApiError> {
    values
        .iter()
        .map(|v| {
            Ipv4Cidr::parse(v, false).ok_or_else(|| {
                ApiError::invalid_parameter_value(format!(
                    "The value '{v}' of filter {name} is not a valid CIDR block."
                ))
            })
        })
        .collect()
}

fn search_routes(
    ctx: &Ctx,
    w: &World,
    req: SearchTransitGatewayRoutesRequest,
) -> Outcome<SearchTransitGatewayRoutesResult> {
    Filters::new(&req.filters, ROUTE_FILTERS)?;
    // The route-search filters compare CIDRs (below); the others match values.
    let (searches, plain): (Vec<Filter>, Vec<Filter>) = req
        .filters
        .iter()
        .cloned()
        .partition(|f| f.name.as_deref().is_some_and(|n| n.starts_with("route-search.")));
    let filters = Filters::new(&plain, ROUTE_FILTERS)?;
    if req.filters.is_empty() {
        return Err(ApiError::missing_parameter("Filters").into());
    }
    if let Some(max) = req.max_results
        && !(PAGE_LIMITS.0..=PAGE_LIMITS.1).contains(&max)
    {
        return Err(ApiError::invalid_parameter_value(format!(
            "Value ( {max} ) for parameter maxResults is invalid. Expecting a value between {} and {}.",
            PAGE_LIMITS.0, PAGE_LIMITS.1
        ))
        .into());
    }
    let rtb = w.find_tgw_route_table(&ctx.scope, &req.transit_gateway_route_table_id)?;
    // CIDR relations, by filter name.
    let mut cidr_filters: Vec<(&str, Vec<Ipv4Cidr>)> = Vec::new();
    for f in &searches {
        let name = f.name.as_deref().unwrap_or_default();
        cidr_filters.push((name, cidr_values(&f.values, name)?));
    }
    let mut routes = w.transit_gateway_routes(&rtb.id);
    for (name, values) in &cidr_filters {
        match *name {
            "route-search.exact-match" => routes.retain(|r| values.contains(&r.destination)),
            "route-search.subnet-of-match" => {
                routes.retain(|r| values.iter().any(|v| v.contains(r.destination)))
            }
            "route-search.supernet-of-match" => {
                routes.retain(|r| values.iter().any(|v| r.destination.contains(*v)))
            }
            _ => {
                // longest-prefix-match: for each value, the most specific route containing it.
                let best: Vec<Ipv4Cidr> = values
                    .iter()
                    .filter_map(|v| {
                        routes
                            .iter()
                            .filter(|r| r.destination.contains(*v))
                            .map(|r| r.destination)
                            .max_by_key(|d| d.prefix_len())
                    })
                    .collect();
                routes.retain(|r| best.contains(&r.destination));
            }
        }
    }
    let rendered: Vec<TransitGatewayRoute> = routes
        .iter()
        .filter(|r| filters.matches(&Row::new(w, &ctx.scope, *r), &Default::default()))
        .map(|r| render_route(w, r))
        .collect();
    let limit = req.max_results.map_or(usize::MAX, |m| m as usize);
    let more = rendered.len() > limit;
    Ok(SearchTransitGatewayRoutesResult {
        additional_routes_available: Some(more),
        next_token: None,
        routes: rendered.into_iter().take(limit).collect(),
    })
}

// ---- prefix-list references ----

fn render_reference(
    w: &World,
    rtb: &str,
    r: &t::TgwPrefixListReference,
    state: &str,
) -> TransitGatewayPrefixListReference {
    let attachment = match &r.target {
        TgwRouteTarget::Attachment(id) => Some(id),
        TgwRouteTarget::Blackhole => None,
    };
    let tgw = w.transit_gateway_route_tables.get(rtb).map(|t| t.transit_gateway_id.as_str());
    TransitGatewayPrefixListReference {
        blackhole: Some(attachment.is_none()),
        prefix_list_id: Some(r.prefix_list_id.clone()),
        prefix_list_owner_id: w
            .prefix_lists
            .get(&r.prefix_list_id)
            .map(|p| p.owner.account.clone()),
        state: Some(state.into()),
        transit_gateway_attachment: attachment.map(|id| {
            let a = w.transit_gateway_attachments.get(id);
            TransitGatewayPrefixListAttachment {
                resource_id: a.map(|a| a.resource_id_from(tgw.unwrap_or_default()).to_owned()),
                resource_type: a.map(|a| a.resource.resource_type().to_owned()),
                transit_gateway_attachment_id: Some(id.clone()),
            }
        }),
        transit_gateway_route_table_id: Some(rtb.to_owned()),
    }
}

/// The reference of table `rtb` to list `pl` as it is now (or was, before a deletion).
fn reference_now(
    w: &World,
    rtb: &str,
    pl: &str,
    state: &str,
) -> Option<TransitGatewayPrefixListReference> {
    let t = w.transit_gateway_route_tables.get(rtb)?;
    let r = t.prefix_list_references.iter().find(|r| r.prefix_list_id == pl)?;
    Some(render_reference(w, rtb, r, state))
}

fn create_prefix_list_reference(
    ctx: &Ctx,
    w: &mut World,
    req: CreateTransitGatewayPrefixListReferenceRequest,
) -> Outcome<CreateTransitGatewayPrefixListReferenceResult> {
    let target = route_target(req.transit_gateway_attachment_id, req.blackhole)?;
    let (rtb, pl) = (&req.transit_gateway_route_table_id, &req.prefix_list_id);
    w.change_tgw_prefix_list_reference(&ctx.scope, rtb, pl, Some(target), RouteChange::Create)?;
    Ok(CreateTransitGatewayPrefixListReferenceResult {
        transit_gateway_prefix_list_reference: reference_now(w, rtb, pl, "pending"),
    })
}

fn modify_prefix_list_reference(
    ctx: &Ctx,
    w: &mut World,
    req: ModifyTransitGatewayPrefixListReferenceRequest,
) -> Outcome<ModifyTransitGatewayPrefixListReferenceResult> {
    let target = route_target(req.transit_gateway_attachment_id, req.blackhole)?;
    let (rtb, pl) = (&req.transit_gateway_route_table_id, &req.prefix_list_id);
    w.change_tgw_prefix_list_reference(&ctx.scope, rtb, pl, Some(target), RouteChange::Replace)?;
    Ok(ModifyTransitGatewayPrefixListReferenceResult {
        transit_gateway_prefix_list_reference: reference_now(w, rtb, pl, "modifying"),
    })
}

fn delete_prefix_list_reference(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteTransitGatewayPrefixListReferenceRequest,
) -> Outcome<DeleteTransitGatewayPrefixListReferenceResult> {
    let (rtb, pl) = (&req.transit_gateway_route_table_id, &req.prefix_list_id);
    let before = reference_now(w, rtb, pl, "deleting");
    w.change_tgw_prefix_list_reference(&ctx.scope, rtb, pl, None, RouteChange::Delete)?;
    Ok(DeleteTransitGatewayPrefixListReferenceResult {
        transit_gateway_prefix_list_reference: before,
    })
}

/// A reference as shown.
pub(super) const REFERENCE_FILTERS: Table<TransitGatewayPrefixListReference> = table![
    "attachment.resource-id" => {
        |r| r.transit_gateway_attachment.as_ref().and_then(|a| a.resource_id.clone()).into_iter().collect()
    },
    "attachment.resource-type" => {
        |r| r.transit_gateway_attachment.as_ref().and_then(|a| a.resource_type.clone()).into_iter().collect()
    },
    "attachment.transit-gateway-attachment-id" => |r| {
        r.transit_gateway_attachment
            .as_ref()
            .and_then(|a| a.transit_gateway_attachment_id.clone())
            .into_iter()
            .collect()
    },
    "is-blackhole" => |r| flag(r.blackhole.unwrap_or(false)),
    "prefix-list-id" => |r| r.prefix_list_id.iter().cloned().collect(),
    "prefix-list-owner-id" => |r| r.prefix_list_owner_id.iter().cloned().collect(),
    "state" => |r| r.state.iter().cloned().collect(),
];

fn get_prefix_list_references(
    ctx: &Ctx,
    w: &World,
    req: GetTransitGatewayPrefixListReferencesRequest,
) -> Outcome<GetTransitGatewayPrefixListReferencesResult> {
    let filters = Filters::new(&req.filters, REFERENCE_FILTERS)?;
    let rtb = w.find_tgw_route_table(&ctx.scope, &req.transit_gateway_route_table_id)?;
    let items = rtb
        .prefix_list_references
        .iter()
        .map(|r| render_reference(w, &rtb.id, r, "available"))
        .filter(|r| filters.matches(&Row::new(w, &ctx.scope, r), &Default::default()))
        .map(|r| (r.prefix_list_id.clone().unwrap_or_default(), r))
        .collect();
    let (transit_gateway_prefix_list_references, next_token) =
        paginate(items, req.max_results, req.next_token.as_deref(), PAGE_LIMITS)?;
    Ok(GetTransitGatewayPrefixListReferencesResult {
        transit_gateway_prefix_list_references,
        next_token,
    })
}
