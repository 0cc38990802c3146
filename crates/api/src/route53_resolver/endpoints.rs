//! Resolver endpoints and their IP addresses. Only IPv4 endpoints over Do53, off Outposts, are
//! served: anything else is refused as the request is decoded ([`NewEndpointRequest`],
//! [`EndpointUpdate`]).

use super::{Handler, filtered, one, page, refused, tags_in, time};
use crate::Outcome;
use crate::registry::{Ctx, Decode, read, write};
use model::World;
use model::route53_resolver::{NewEndpoint, ResolverEndpoint};
use shapes::route53_resolver as s;
use wire::ApiError;
use wire::json::{FromJson, Value};

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateResolverEndpoint", write(create_resolver_endpoint)),
        ("GetResolverEndpoint", read(get_resolver_endpoint)),
        ("ListResolverEndpoints", read(list_resolver_endpoints)),
        ("UpdateResolverEndpoint", write(update_resolver_endpoint)),
        ("DeleteResolverEndpoint", write(delete_resolver_endpoint)),
        ("ListResolverEndpointIpAddresses", read(list_resolver_endpoint_ip_addresses)),
    ]
}

fn endpoint(e: &ResolverEndpoint) -> s::ResolverEndpoint {
    s::ResolverEndpoint {
        arn: Some(e.arn()),
        creation_time: time(e.created_at),
        creator_request_id: Some(e.creator_request_id.clone()),
        direction: Some(e.direction.name().into()),
        host_vpc_id: Some(e.vpc_id.clone()),
        id: Some(e.id.clone()),
        ip_address_count: i32::try_from(e.ips.len()).ok(),
        modification_time: time(e.modified_at),
        name: e.name.clone(),
        protocols: vec!["Do53".into()],
        resolver_endpoint_type: Some("IPV4".into()),
        security_group_ids: e.security_group_ids.clone(),
        status: Some("OPERATIONAL".into()),
        status_message: Some("This Resolver Endpoint is operational.".into()),
        ..Default::default()
    }
}

/// CreateResolverEndpoint's request, as the model takes it.
struct NewEndpointRequest(NewEndpoint);

impl Decode<Value> for NewEndpointRequest {
    fn decode(body: &Value) -> Result<Self, ApiError> {
        let q = s::CreateResolverEndpointRequest::from_body(body)?;
        if q.outpost_arn.is_some() {
            return Err(refused("vpclab does not serve Resolver endpoints on Outposts."));
        }
        if q.resolver_endpoint_type.as_deref().is_some_and(|t| t != "IPV4")
            || q.protocols.iter().any(|p| p != "Do53")
            || q.ip_addresses.iter().any(|a| a.ipv6.is_some())
        {
            return Err(refused("vpclab serves IPV4 endpoints over Do53 only."));
        }
        Ok(NewEndpointRequest(NewEndpoint {
            creator_request_id: q.creator_request_id,
            name: q.name,
            direction: q.direction,
            security_group_ids: q.security_group_ids,
            ips: q.ip_addresses.into_iter().map(|a| (a.subnet_id, a.ip)).collect(),
            tags: tags_in(&q.tags),
        }))
    }
}

fn create_resolver_endpoint(
    ctx: &Ctx,
    w: &mut World,
    NewEndpointRequest(spec): NewEndpointRequest,
) -> Outcome<s::CreateResolverEndpointResponse> {
    let id = w.create_resolver_endpoint(&ctx.scope, spec, ctx.now)?;
    Ok(s::CreateResolverEndpointResponse {
        resolver_endpoint: Some(endpoint(w.resolver_endpoint(&ctx.scope, &id)?)),
    })
}

fn get_resolver_endpoint(
    ctx: &Ctx,
    w: &World,
    q: s::GetResolverEndpointRequest,
) -> Outcome<s::GetResolverEndpointResponse> {
    Ok(s::GetResolverEndpointResponse {
        resolver_endpoint: Some(endpoint(
            w.resolver_endpoint(&ctx.scope, &q.resolver_endpoint_id)?,
        )),
    })
}

fn list_resolver_endpoints(
    ctx: &Ctx,
    w: &World,
    q: s::ListResolverEndpointsRequest,
) -> Outcome<s::ListResolverEndpointsResponse> {
    let all = w.r53r_endpoints.values().filter(|e| e.owner == ctx.scope).map(endpoint).collect();
    let all = filtered(all, &q.filters, |e, name| match name {
        "CreatorRequestId" => one(&e.creator_request_id),
        "Direction" => one(&e.direction),
        "HostVPCId" => one(&e.host_vpc_id),
        "IpAddressCount" => Some(e.ip_address_count.iter().map(i32::to_string).collect()),
        "Name" => one(&e.name),
        "SecurityGroupIds" => Some(e.security_group_ids.clone()),
        "Status" => one(&e.status),
        _ => None,
    })?;
    let (resolver_endpoints, next_token) = page(all, q.max_results, q.next_token.as_deref())?;
    Ok(s::ListResolverEndpointsResponse {
        max_results: q.max_results,
        next_token,
        resolver_endpoints,
    })
}

/// UpdateResolverEndpoint's request: vpclab changes an endpoint's name only.
struct EndpointUpdate(s::UpdateResolverEndpointRequest);

impl Decode<Value> for EndpointUpdate {
    fn decode(body: &Value) -> Result<Self, ApiError> {
        let q = s::UpdateResolverEndpointRequest::from_body(body)?;
        if !q.update_ip_addresses.is_empty()
            || q.resolver_endpoint_type.as_deref().is_some_and(|t| t != "IPV4")
            || q.protocols.iter().any(|p| p != "Do53")
        {
            return Err(refused("vpclab updates an endpoint's name only (IPV4, Do53)."));
        }
        Ok(EndpointUpdate(q))
    }
}

fn update_resolver_endpoint(
    ctx: &Ctx,
    w: &mut World,
    EndpointUpdate(q): EndpointUpdate,
) -> Outcome<s::UpdateResolverEndpointResponse> {
    w.update_resolver_endpoint(&ctx.scope, &q.resolver_endpoint_id, q.name, ctx.now)?;
    Ok(s::UpdateResolverEndpointResponse {
        resolver_endpoint: Some(endpoint(
            w.resolver_endpoint(&ctx.scope, &q.resolver_endpoint_id)?,
        )),
    })
}

fn delete_resolver_endpoint(
    ctx: &Ctx,
    w: &mut World,
    q: s::DeleteResolverEndpointRequest,
) -> Outcome<s::DeleteResolverEndpointResponse> {
    let gone = w.delete_resolver_endpoint(&ctx.scope, &q.resolver_endpoint_id)?;
    let mut shape = endpoint(&gone);
    shape.status = Some("DELETING".into());
    shape.status_message = Some("[Trace Id: vpclab] Deleting ResolverEndpoint".into());
    Ok(s::DeleteResolverEndpointResponse { resolver_endpoint: Some(shape) })
}

fn list_resolver_endpoint_ip_addresses(
    ctx: &Ctx,
    w: &World,
    q: s::ListResolverEndpointIpAddressesRequest,
) -> Outcome<s::ListResolverEndpointIpAddressesResponse> {
    let e = w.resolver_endpoint(&ctx.scope, &q.resolver_endpoint_id)?;
    let all = e
        .ips
        .iter()
        .map(|ip| s::IpAddressResponse {
            creation_time: time(ip.created_at),
            ip: Some(ip.ip.to_string()),
            ip_id: Some(ip.id.clone()),
            modification_time: time(ip.created_at),
            status: Some("ATTACHED".into()),
            status_message: Some("This IP address is operational.".into()),
            subnet_id: Some(ip.subnet_id.clone()),
            ..Default::default()
        })
        .collect();
    let (ip_addresses, next_token) = page(all, q.max_results, q.next_token.as_deref())?;
    Ok(s::ListResolverEndpointIpAddressesResponse {
        ip_addresses,
        max_results: q.max_results,
        next_token,
    })
}
