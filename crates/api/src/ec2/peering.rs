//! VPC peering connection operations. Both sides (the requester's and the accepter's account
//! and region) see a connection; the model decides who may do what.

use super::common::{require_all, tag_set, tags_for};
use super::describe::{Ask, Listed, describe};
use super::filter::{Row, Table, one, table};
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use model::World;
use model::kinds;
use model::peering::{
    NewPeering, OptionsChange, PeeringOptions, PeeringState, VpcPeeringConnection,
};
use model::world::Scope;
use shapes::ec2::*;
use wire::time::Timestamp;
use wire::xml::ReturnTrue;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateVpcPeeringConnection", write(create_vpc_peering_connection)),
        ("AcceptVpcPeeringConnection", write(accept_vpc_peering_connection)),
        ("RejectVpcPeeringConnection", write(reject_vpc_peering_connection)),
        ("DeleteVpcPeeringConnection", write(delete_vpc_peering_connection)),
        ("DescribeVpcPeeringConnections", read(describe_vpc_peering_connections)),
        ("ModifyVpcPeeringConnectionOptions", write(modify_vpc_peering_connection_options)),
    ]
}

fn now() -> i64 {
    Timestamp::now().0
}

fn options(o: &PeeringOptions) -> VpcPeeringConnectionOptionsDescription {
    VpcPeeringConnectionOptionsDescription {
        allow_dns_resolution_from_remote_vpc: Some(o.allow_dns_resolution_from_remote_vpc),
        allow_egress_from_local_classic_link_to_remote_vpc: Some(
            o.allow_egress_from_local_classic_link_to_remote_vpc,
        ),
        allow_egress_from_local_vpc_to_remote_classic_link: Some(
            o.allow_egress_from_local_vpc_to_remote_classic_link,
        ),
    }
}

/// One side as the API shows it: the VPC's blocks while the connection is open (AWS leaves
/// them out of a request it could not check), its options once active.
fn side(
    w: &World,
    scope: &Scope,
    vpc_id: &str,
    state: PeeringState,
    opts: &PeeringOptions,
) -> VpcPeeringConnectionVpcInfo {
    let vpc = w.vpcs.get(vpc_id).filter(|v| &v.owner == scope);
    let shown = vpc.filter(|_| state != PeeringState::Failed);
    VpcPeeringConnectionVpcInfo {
        cidr_block: shown.and_then(|v| v.primary_cidr()).map(|c| c.to_string()),
        cidr_block_set: shown
            .map(|v| {
                v.cidr_blocks
                    .iter()
                    .map(|b| CidrBlock { cidr_block: Some(b.cidr.to_string()) })
                    .collect()
            })
            .unwrap_or_default(),
        ipv6_cidr_block_set: shown
            .map(|v| {
                v.ipv6_cidr_blocks
                    .iter()
                    .map(|b| Ipv6CidrBlock { ipv6_cidr_block: Some(b.cidr.to_string()) })
                    .collect()
            })
            .unwrap_or_default(),
        owner_id: Some(scope.account.clone()),
        peering_options: (state == PeeringState::Active).then(|| options(opts)),
        region: Some(scope.region.clone()),
        vpc_id: Some(vpc_id.to_owned()),
    }
}

/// A connection as the API shows it at `now`; `status` overrides the stored status (the
/// create call answers `initiating-request`).
fn render(
    w: &World,
    viewer: &Scope,
    p: &VpcPeeringConnection,
    now: i64,
    status: Option<(&str, String)>,
) -> shapes::ec2::VpcPeeringConnection {
    let state = p.state_at(now);
    let (code, message) = status.unwrap_or_else(|| (state.code(), p.message_at(now)));
    shapes::ec2::VpcPeeringConnection {
        accepter_vpc_info: Some(side(
            w,
            &p.accepter,
            &p.accepter_vpc_id,
            state,
            &p.accepter_options,
        )),
        expiration_time: matches!(
            state,
            PeeringState::PendingAcceptance | PeeringState::InitiatingRequest
        )
        .then(|| Timestamp(p.expiration())),
        requester_vpc_info: Some(side(
            w,
            &p.owner,
            &p.requester_vpc_id,
            state,
            &p.requester_options,
        )),
        status: Some(VpcPeeringConnectionStateReason {
            code: Some(code.to_owned()),
            message: Some(message),
        }),
        tags: tag_set(p.tags_seen_by(viewer)),
        vpc_peering_connection_id: Some(p.id.clone()),
    }
}

fn create_vpc_peering_connection(
    ctx: &Ctx,
    w: &mut World,
    req: CreateVpcPeeringConnectionRequest,
) -> Outcome<CreateVpcPeeringConnectionResult> {
    let tags = tags_for(&req.tag_specifications, "vpc-peering-connection")?;
    let now = now();
    let new = NewPeering {
        vpc_id: req.vpc_id,
        peer_vpc_id: req.peer_vpc_id,
        peer_owner_id: req.peer_owner_id,
        peer_region: req.peer_region,
        tags,
    };
    let id = w.create_vpc_peering_connection(&ctx.scope, new, now)?;
    let p = w.find_vpc_peering_connection(&ctx.scope, &id, now)?;
    // The request is answered before the accepter's side is checked.
    let initiating =
        ("initiating-request", format!("Initiating Request to {}", p.accepter.account));
    Ok(CreateVpcPeeringConnectionResult {
        vpc_peering_connection: Some(render(w, &ctx.scope, p, now, Some(initiating))),
    })
}

fn accept_vpc_peering_connection(
    ctx: &Ctx,
    w: &mut World,
    req: AcceptVpcPeeringConnectionRequest,
) -> Outcome<AcceptVpcPeeringConnectionResult> {
    let now = now();
    let id = &req.vpc_peering_connection_id;
    w.accept_vpc_peering_connection(&ctx.scope, id, now)?;
    let p = w.find_vpc_peering_connection(&ctx.scope, id, now)?;
    Ok(AcceptVpcPeeringConnectionResult {
        vpc_peering_connection: Some(render(w, &ctx.scope, p, now, None)),
    })
}

fn reject_vpc_peering_connection(
    ctx: &Ctx,
    w: &mut World,
    req: RejectVpcPeeringConnectionRequest,
) -> Outcome<ReturnTrue> {
    w.reject_vpc_peering_connection(&ctx.scope, &req.vpc_peering_connection_id, now())?;
    Ok(ReturnTrue)
}

fn delete_vpc_peering_connection(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteVpcPeeringConnectionRequest,
) -> Outcome<ReturnTrue> {
    w.delete_vpc_peering_connection(&ctx.scope, &req.vpc_peering_connection_id, now())?;
    Ok(ReturnTrue)
}

fn change(o: &Option<PeeringConnectionOptionsRequest>) -> Option<OptionsChange> {
    o.as_ref().map(|o| OptionsChange {
        allow_dns_resolution_from_remote_vpc: o.allow_dns_resolution_from_remote_vpc,
        allow_egress_from_local_classic_link_to_remote_vpc: o
            .allow_egress_from_local_classic_link_to_remote_vpc,
        allow_egress_from_local_vpc_to_remote_classic_link: o
            .allow_egress_from_local_vpc_to_remote_classic_link,
    })
}

fn modify_vpc_peering_connection_options(
    ctx: &Ctx,
    w: &mut World,
    req: ModifyVpcPeeringConnectionOptionsRequest,
) -> Outcome<ModifyVpcPeeringConnectionOptionsResult> {
    let accepter = change(&req.accepter_peering_connection_options);
    let requester = change(&req.requester_peering_connection_options);
    let (a, r) = w.modify_vpc_peering_connection_options(
        &ctx.scope,
        &req.vpc_peering_connection_id,
        accepter,
        requester,
        now(),
    )?;
    let shown = |o: &PeeringOptions| PeeringConnectionOptions {
        allow_dns_resolution_from_remote_vpc: Some(o.allow_dns_resolution_from_remote_vpc),
        allow_egress_from_local_classic_link_to_remote_vpc: Some(
            o.allow_egress_from_local_classic_link_to_remote_vpc,
        ),
        allow_egress_from_local_vpc_to_remote_classic_link: Some(
            o.allow_egress_from_local_vpc_to_remote_classic_link,
        ),
    };
    Ok(ModifyVpcPeeringConnectionOptionsResult {
        accepter_peering_connection_options: accepter.map(|_| shown(&a)),
        requester_peering_connection_options: requester.map(|_| shown(&r)),
    })
}

/// A connection, seen at a moment (milliseconds since the epoch): its state depends on it.
type PeeringRow<'a> = Row<'a, VpcPeeringConnection, i64>;

fn cidrs(p: &PeeringRow, vpc: &str) -> Vec<String> {
    p.world
        .vpcs
        .get(vpc)
        .map(|v| v.cidr_blocks.iter().map(|b| b.cidr.to_string()).collect())
        .unwrap_or_default()
}

pub(super) const FILTERS: Table<VpcPeeringConnection, i64> = table![
    "accepter-vpc-info.cidr-block" => |p| cidrs(p, &p.accepter_vpc_id),
    "accepter-vpc-info.owner-id" => |p| one(&p.accepter.account),
    "accepter-vpc-info.vpc-id" => |p| one(&p.accepter_vpc_id),
    "expiration-time" => |p| {
        if p.state_at(*p.extra) == PeeringState::PendingAcceptance {
            one(Timestamp(p.expiration()).to_iso8601())
        } else {
            vec![]
        }
    },
    "requester-vpc-info.cidr-block" => |p| cidrs(p, &p.requester_vpc_id),
    "requester-vpc-info.owner-id" => |p| one(&p.owner.account),
    "requester-vpc-info.vpc-id" => |p| one(&p.requester_vpc_id),
    "status-code" => |p| one(p.state_at(*p.extra).code()),
    "status-message" => |p| one(p.message_at(*p.extra)),
    "vpc-peering-connection-id" => |p| one(&p.id),
];

fn describe_vpc_peering_connections(
    ctx: &Ctx,
    w: &World,
    req: DescribeVpcPeeringConnectionsRequest,
) -> Outcome<DescribeVpcPeeringConnectionsResult> {
    let now = now();
    let ids = &req.vpc_peering_connection_ids;
    let ask = Ask::new(&req.filters, ids, req.max_results, &req.next_token, (5, 1000));
    let (vpc_peering_connections, next_token) = describe(
        ask,
        FILTERS,
        |ids| {
            require_all(
                ids,
                |id| w.find_vpc_peering_connection(&ctx.scope, id, now).ok(),
                |id| kinds::VPC_PEERING_CONNECTION.not_found(id),
            )?;
            // Both sides list a connection; each sees its own tags.
            let visible =
                w.vpc_peering_connections.values().filter(|p| p.visible_to(&ctx.scope, now));
            Ok(visible.map(|p| Listed {
                id: (&p.id).into(),
                row: Row::with(w, &ctx.scope, p, &now),
                tags: p.tags_seen_by(&ctx.scope),
            }))
        },
        |r| render(w, &ctx.scope, r.item, now, None),
    )?;
    Ok(DescribeVpcPeeringConnectionsResult { next_token, vpc_peering_connections })
}
