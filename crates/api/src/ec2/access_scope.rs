//! Network Access Analyzer: access scopes (the questions). The model validates and keeps them;
//! a scope's content comes back as it was sent.

use super::common::{tag_set, tags_for};
use super::describe::{Ask, describe, in_scope, require_found};
use super::filter::{Table, table};
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use model::World;
use model::access_scope as scopes;
use model::kinds;
use shapes::ec2::*;
use wire::Timestamp;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateNetworkInsightsAccessScope", write(create_network_insights_access_scope)),
        ("DeleteNetworkInsightsAccessScope", write(delete_network_insights_access_scope)),
        ("DescribeNetworkInsightsAccessScopes", read(describe_network_insights_access_scopes)),
        ("GetNetworkInsightsAccessScopeContent", read(get_network_insights_access_scope_content)),
    ]
}

fn resource_request(r: &ResourceStatementRequest) -> scopes::ResourceStatement {
    scopes::ResourceStatement {
        resources: r.resources.clone(),
        resource_types: r.resource_types.clone(),
    }
}

fn header_request(h: &PacketHeaderStatementRequest) -> scopes::PacketHeaderRequest {
    scopes::PacketHeaderRequest {
        source_addresses: h.source_addresses.clone(),
        destination_addresses: h.destination_addresses.clone(),
        source_ports: h.source_ports.clone(),
        destination_ports: h.destination_ports.clone(),
        source_prefix_lists: h.source_prefix_lists.clone(),
        destination_prefix_lists: h.destination_prefix_lists.clone(),
        protocols: h.protocols.clone(),
    }
}

fn path_request(p: &AccessScopePathRequest) -> scopes::AccessPathRequest {
    let end = |s: &Option<PathStatementRequest>| {
        s.as_ref().map(|s| scopes::PathStatementRequest {
            packet_header: s.packet_header_statement.as_ref().map(header_request),
            resource: s.resource_statement.as_ref().map(resource_request),
        })
    };
    scopes::AccessPathRequest {
        source: end(&p.source),
        destination: end(&p.destination),
        through: p
            .through_resources
            .iter()
            .map(|t| t.resource_statement.as_ref().map(resource_request))
            .collect(),
    }
}

fn render_resources(r: &scopes::ResourceStatement) -> ResourceStatement {
    ResourceStatement { resources: r.resources.clone(), resource_types: r.resource_types.clone() }
}

fn render_header(h: &scopes::PacketHeaderStatement) -> PacketHeaderStatement {
    let cidrs = |c: &[model::cidr::Ipv4Cidr]| c.iter().map(|c| c.to_string()).collect();
    let ports = |p: &[scopes::PortRange]| p.iter().map(|p| p.text()).collect();
    PacketHeaderStatement {
        source_addresses: cidrs(&h.source_addresses),
        destination_addresses: cidrs(&h.destination_addresses),
        source_ports: ports(&h.source_ports),
        destination_ports: ports(&h.destination_ports),
        source_prefix_lists: h.source_prefix_lists.clone(),
        destination_prefix_lists: h.destination_prefix_lists.clone(),
        protocols: h.protocols.iter().map(|p| p.as_str().to_owned()).collect(),
    }
}

fn render_path(p: &scopes::AccessPath) -> AccessScopePath {
    let end = |s: &Option<scopes::PathStatement>| {
        s.as_ref().map(|s| PathStatement {
            packet_header_statement: s.packet_header.as_ref().map(render_header),
            resource_statement: s.resource.as_ref().map(render_resources),
        })
    };
    AccessScopePath {
        source: end(&p.source),
        destination: end(&p.destination),
        through_resources: p
            .through
            .iter()
            .map(|r| ThroughResourcesStatement { resource_statement: Some(render_resources(r)) })
            .collect(),
    }
}

fn render_scope(s: &scopes::AccessScope) -> NetworkInsightsAccessScope {
    NetworkInsightsAccessScope {
        created_date: Some(Timestamp(s.created)),
        network_insights_access_scope_arn: s.owner.ec2_arn(&s.id),
        network_insights_access_scope_id: Some(s.id.clone()),
        tags: tag_set(&s.tags),
        updated_date: Some(Timestamp(s.created)),
    }
}

fn render_content(s: &scopes::AccessScope) -> NetworkInsightsAccessScopeContent {
    NetworkInsightsAccessScopeContent {
        match_paths: s.content.match_paths.iter().map(render_path).collect(),
        exclude_paths: s.content.exclude_paths.iter().map(render_path).collect(),
        network_insights_access_scope_id: Some(s.id.clone()),
    }
}

fn create_network_insights_access_scope(
    ctx: &Ctx,
    w: &mut World,
    req: CreateNetworkInsightsAccessScopeRequest,
) -> Outcome<CreateNetworkInsightsAccessScopeResult> {
    let new = scopes::NewAccessScope {
        match_paths: req.match_paths.iter().map(path_request).collect(),
        exclude_paths: req.exclude_paths.iter().map(path_request).collect(),
        client_token: Some(req.client_token),
        tags: tags_for(&req.tag_specifications, "network-insights-access-scope")?,
    };
    let id = w.create_network_insights_access_scope(&ctx.scope, new, Timestamp::now().0)?;
    let s = w.network_insights_access_scopes.find(
        &kinds::NETWORK_INSIGHTS_ACCESS_SCOPE,
        &ctx.scope,
        &id,
    )?;
    Ok(CreateNetworkInsightsAccessScopeResult {
        network_insights_access_scope: Some(render_scope(s)),
        network_insights_access_scope_content: Some(render_content(s)),
    })
}

fn delete_network_insights_access_scope(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteNetworkInsightsAccessScopeRequest,
) -> Outcome<DeleteNetworkInsightsAccessScopeResult> {
    w.delete_network_insights_access_scope(&ctx.scope, &req.network_insights_access_scope_id)?;
    Ok(DeleteNetworkInsightsAccessScopeResult {
        network_insights_access_scope_id: Some(req.network_insights_access_scope_id),
    })
}

/// "There are no supported filters" (the operation's documentation).
pub(super) const SCOPE_FILTERS: Table<scopes::AccessScope> = table![];

fn describe_network_insights_access_scopes(
    ctx: &Ctx,
    w: &World,
    req: DescribeNetworkInsightsAccessScopesRequest,
) -> Outcome<DescribeNetworkInsightsAccessScopesResult> {
    let ask = Ask::new(
        &req.filters,
        &req.network_insights_access_scope_ids,
        req.max_results,
        &req.next_token,
        (1, 100),
    );
    let table = &w.network_insights_access_scopes;
    let (items, next_token) = describe(
        ask,
        SCOPE_FILTERS,
        |ids| {
            require_found(table, &kinds::NETWORK_INSIGHTS_ACCESS_SCOPE, &ctx.scope, ids)?;
            Ok(in_scope(table, w, &ctx.scope))
        },
        |r| render_scope(r.item),
    )?;
    Ok(DescribeNetworkInsightsAccessScopesResult {
        network_insights_access_scopes: items,
        next_token,
    })
}

fn get_network_insights_access_scope_content(
    ctx: &Ctx,
    w: &World,
    req: GetNetworkInsightsAccessScopeContentRequest,
) -> Outcome<GetNetworkInsightsAccessScopeContentResult> {
    let s = w.network_insights_access_scopes.find(
        &kinds::NETWORK_INSIGHTS_ACCESS_SCOPE,
        &ctx.scope,
        &req.network_insights_access_scope_id,
    )?;
    Ok(GetNetworkInsightsAccessScopeContentResult {
        network_insights_access_scope_content: Some(render_content(s)),
    })
}
