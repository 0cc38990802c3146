//! Locations, connections and link aggregation groups (LAGs).

use super::{Handler, tags_in, tags_out};
use crate::Outcome;
use crate::registry::{Ctx, NoInput, read, write};
use model::World;
use model::direct_connect::{self as dx, DxConnection, DxLag};
use shapes::direct_connect as s;
use wire::Timestamp;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("DescribeLocations", read(describe_locations)),
        ("CreateConnection", write(create_connection)),
        ("DescribeConnections", read(describe_connections)),
        ("DeleteConnection", write(delete_connection)),
        ("CreateLag", write(create_lag)),
        ("DescribeLags", read(describe_lags)),
        ("DeleteLag", write(delete_lag)),
        ("AssociateConnectionWithLag", write(associate_connection_with_lag)),
    ]
}

fn describe_locations(ctx: &Ctx, _: &World, _: NoInput) -> Outcome<s::Locations> {
    let scope = &ctx.scope;
    let speeds: Vec<String> = dx::PORT_SPEEDS.iter().map(|s| (*s).to_owned()).collect();
    Ok(s::Locations {
        locations: dx::locations_of(&scope.region)
            .into_iter()
            .map(|(code, name)| s::Location {
                location_code: Some(code),
                location_name: Some(name),
                region: Some(scope.region.clone()),
                available_port_speeds: speeds.clone(),
                available_providers: Vec::new(),
                available_mac_sec_port_speeds: vec!["10Gbps".into(), "100Gbps".into()],
            })
            .collect(),
    })
}

fn create_connection(
    ctx: &Ctx,
    w: &mut World,
    r: s::CreateConnectionRequest,
) -> Outcome<s::Connection> {
    let id = w.create_dx_connection(
        &ctx.scope,
        &r.connection_name,
        &r.location,
        &r.bandwidth,
        r.lag_id.as_deref(),
        r.provider_name.as_deref(),
        &tags_in(&r.tags),
    )?;
    Ok(connection(w.dx_connection(&ctx.scope, &id)?, "available"))
}

fn describe_connections(
    ctx: &Ctx,
    w: &World,
    r: s::DescribeConnectionsRequest,
) -> Outcome<s::Connections> {
    let connections = match &r.connection_id {
        Some(id) => vec![connection(w.dx_connection(&ctx.scope, id)?, "available")],
        None => w
            .dx_connections
            .values()
            .filter(|c| c.owner == ctx.scope)
            .map(|c| connection(c, "available"))
            .collect(),
    };
    Ok(s::Connections { connections, next_token: None })
}

fn delete_connection(
    ctx: &Ctx,
    w: &mut World,
    r: s::DeleteConnectionRequest,
) -> Outcome<s::Connection> {
    let gone = w.delete_dx_connection(&ctx.scope, &r.connection_id)?;
    Ok(connection(&gone, "deleted"))
}

fn create_lag(ctx: &Ctx, w: &mut World, r: s::CreateLagRequest) -> Outcome<s::Lag> {
    let id = w.create_dx_lag(
        &ctx.scope,
        &r.lag_name,
        &r.location,
        &r.connections_bandwidth,
        r.number_of_connections,
        r.connection_id.as_deref(),
        r.provider_name.as_deref(),
        &tags_in(&r.tags),
        &tags_in(&r.child_connection_tags),
    )?;
    Ok(lag(w, w.dx_lag(&ctx.scope, &id)?, "available"))
}

fn describe_lags(ctx: &Ctx, w: &World, r: s::DescribeLagsRequest) -> Outcome<s::Lags> {
    let lags = match &r.lag_id {
        Some(id) => vec![lag(w, w.dx_lag(&ctx.scope, id)?, "available")],
        None => w
            .dx_lags
            .values()
            .filter(|l| l.owner == ctx.scope)
            .map(|l| lag(w, l, "available"))
            .collect(),
    };
    Ok(s::Lags { lags, next_token: None })
}

fn delete_lag(ctx: &Ctx, w: &mut World, r: s::DeleteLagRequest) -> Outcome<s::Lag> {
    let gone = w.delete_dx_lag(&ctx.scope, &r.lag_id)?;
    Ok(lag(w, &gone, "deleted"))
}

fn associate_connection_with_lag(
    ctx: &Ctx,
    w: &mut World,
    r: s::AssociateConnectionWithLagRequest,
) -> Outcome<s::Connection> {
    w.associate_dx_connection_with_lag(&ctx.scope, &r.connection_id, &r.lag_id)?;
    Ok(connection(w.dx_connection(&ctx.scope, &r.connection_id)?, "available"))
}

fn connection(c: &DxConnection, state: &str) -> s::Connection {
    s::Connection {
        owner_account: Some(c.owner.account.clone()),
        connection_id: Some(c.id.clone()),
        connection_name: Some(c.name.clone()),
        connection_state: Some(state.to_owned()),
        region: Some(c.owner.region.clone()),
        location: Some(c.location.clone()),
        bandwidth: Some(c.bandwidth.clone()),
        loa_issue_time: Some(Timestamp(c.loa_issue_time)),
        lag_id: c.lag_id.clone(),
        aws_device: Some(c.aws_device.clone()),
        aws_device_v2: Some(c.aws_device.clone()),
        aws_logical_device_id: Some(format!("{}-logical", c.aws_device)),
        jumbo_frame_capable: Some(true),
        has_logical_redundancy: Some("unknown".into()),
        provider_name: c.provider_name.clone(),
        mac_sec_capable: Some(false),
        tags: tags_out(&c.tags),
        ..s::Connection::default()
    }
}

fn lag(w: &World, l: &DxLag, state: &str) -> s::Lag {
    let connections: Vec<s::Connection> = w
        .dx_lag_connections(&l.id)
        .into_iter()
        .map(|c| connection(c, if state == "deleted" { "deleted" } else { "available" }))
        .collect();
    s::Lag {
        connections_bandwidth: Some(l.bandwidth.clone()),
        number_of_connections: Some(i32::try_from(connections.len()).unwrap_or(i32::MAX)),
        lag_id: Some(l.id.clone()),
        owner_account: Some(l.owner.account.clone()),
        lag_name: Some(l.name.clone()),
        lag_state: Some(state.to_owned()),
        location: Some(l.location.clone()),
        region: Some(l.owner.region.clone()),
        minimum_links: Some(l.minimum_links),
        aws_device: Some(l.aws_device.clone()),
        aws_device_v2: Some(l.aws_device.clone()),
        aws_logical_device_id: Some(format!("{}-logical", l.aws_device)),
        connections,
        allows_hosted_connections: Some(false),
        jumbo_frame_capable: Some(true),
        has_logical_redundancy: Some("unknown".into()),
        provider_name: l.provider_name.clone(),
        mac_sec_capable: Some(false),
        tags: tags_out(&l.tags),
        ..s::Lag::default()
    }
}
