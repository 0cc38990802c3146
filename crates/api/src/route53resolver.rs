//! Route 53 Resolver over awsJson 1.1: `X-Amz-Target: Route53Resolver.<Operation>`, a JSON
//! object in (the generated `shapes::route53resolver` request), a JSON object out, errors as
//! `{"__type": "InvalidParameterException", "message": …}` with HTTP 400.
//!
//! Endpoints, rules and associations belong to the caller's account and region; the rules live
//! in [`model::route53_resolver`]. Lists take Resolver's filters (by the member names AWS
//! documents for each list) and page with an opaque `NextToken`. AWS's auto-defined RECURSIVE
//! rule is listed among the rules and can be read, not changed.

use crate::{Api, Reply, Request, from_model};
use model::route53_resolver::{
    self as r, INTERNET_RESOLVER_RULE_ID, NewEndpoint, NewRule, ResolverEndpoint, ResolverRule,
    RuleAssociation,
};
use model::{Scope, World};
use shapes::route53resolver as s;
use wire::json::{FromJson, ToJson, VALIDATION_EXCEPTION, Value};
use wire::{ApiError, Timestamp};

/// `X-Amz-Target` is `Route53Resolver.<Operation>`.
pub const TARGET_PREFIX: &str = s::TARGET_PREFIX;

/// What lists return when `MaxResults` is not given.
const DEFAULT_MAX_RESULTS: usize = 100;

/// The operations served, as generated.
pub fn operations() -> Vec<&'static str> {
    s::OPERATIONS.iter().map(|(name, ..)| *name).collect()
}

/// Serves one Route 53 Resolver request.
pub async fn handle(api: &Api, request: &Request) -> Result<Reply, ApiError> {
    let (op, body) =
        crate::json_operation(request, s::TARGET_PREFIX, s::OPERATIONS, "Route 53 Resolver")?;
    let value = dispatch(api, &request.scope, op, &body).await.map_err(invalid_parameter)?;
    Ok(crate::json_reply(&value))
}

/// Requests that do not fit their shape are Resolver's `InvalidParameterException`.
fn invalid_parameter(e: ApiError) -> ApiError {
    if e.code == VALIDATION_EXCEPTION {
        ApiError::client(r::INVALID_PARAMETER, e.message)
    } else {
        e
    }
}

fn input<T: FromJson>(body: &Value) -> Result<T, ApiError> {
    T::from_body(body)
}

fn now() -> i64 {
    Timestamp::now().0
}

fn time(ms: i64) -> Option<String> {
    Some(Timestamp(ms).to_iso8601())
}

async fn write<T: ToJson>(
    api: &Api,
    f: impl FnOnce(&mut World) -> model::Result<T>,
) -> Result<Value, ApiError> {
    api.mutate(|w| f(w).map_err(from_model)).await.map(|v| v.to_json())
}

async fn read<T: ToJson>(
    api: &Api,
    f: impl FnOnce(&World) -> model::Result<T>,
) -> Result<Value, ApiError> {
    api.read(f).await.map_err(from_model).map(|v| v.to_json())
}

fn tags_in(tags: &[s::Tag]) -> Vec<(String, String)> {
    tags.iter().map(|t| (t.key.clone(), t.value.clone())).collect()
}

fn targets_in(targets: &[s::TargetAddress]) -> Result<Vec<r::TargetSpec>, ApiError> {
    targets
        .iter()
        .map(|t| {
            if t.ipv6.is_some() || t.protocol.as_deref().is_some_and(|p| p != "Do53") {
                return Err(ApiError::client(
                    r::INVALID_PARAMETER,
                    "vpclab forwards to IPv4 targets over Do53 only.",
                ));
            }
            Ok((t.ip.clone(), t.port))
        })
        .collect()
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

fn rule(x: &ResolverRule) -> s::ResolverRule {
    let auto = x.id == INTERNET_RESOLVER_RULE_ID;
    s::ResolverRule {
        arn: Some(x.arn()),
        creation_time: (!auto).then(|| time(x.created_at)).flatten(),
        creator_request_id: (!auto).then(|| x.creator_request_id.clone()),
        domain_name: Some(x.domain_name.clone()),
        id: Some(x.id.clone()),
        modification_time: (!auto).then(|| time(x.modified_at)).flatten(),
        name: x.name.clone(),
        owner_id: Some(if auto { "Route 53 Resolver".into() } else { x.owner.account.clone() }),
        resolver_endpoint_id: x.endpoint_id.clone(),
        rule_type: Some(x.rule_type.name().into()),
        share_status: Some("NOT_SHARED".into()),
        status: Some("COMPLETE".into()),
        status_message: Some("[Trace Id: vpclab] Successfully created Resolver Rule.".into()),
        target_ips: x
            .targets
            .iter()
            .map(|t| s::TargetAddress {
                ip: Some(t.ip.to_string()),
                port: Some(i32::from(t.port)),
                protocol: Some("Do53".into()),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

fn association(a: &RuleAssociation) -> s::ResolverRuleAssociation {
    s::ResolverRuleAssociation {
        id: Some(a.id.clone()),
        name: a.name.clone(),
        resolver_rule_id: Some(a.rule_id.clone()),
        status: Some("COMPLETE".into()),
        status_message: Some(String::new()),
        vpc_id: Some(a.vpc_id.clone()),
    }
}

/// Keeps the items every filter matches; `fields` gives an item's values for a filter name
/// (`None`: a name this list does not filter by).
fn filtered<T>(
    items: Vec<T>,
    filters: &[s::Filter],
    fields: impl Fn(&T, &str) -> Option<Vec<String>>,
) -> Result<Vec<T>, ApiError> {
    let mut out = Vec::new();
    for item in items {
        let mut keep = true;
        for f in filters {
            let name = f.name.as_deref().unwrap_or_default();
            let values = fields(&item, name).ok_or_else(|| {
                ApiError::client(
                    r::INVALID_PARAMETER,
                    format!("'{name}' is not a filter of this list."),
                )
            })?;
            keep &= f.values.is_empty() || values.iter().any(|v| f.values.contains(v));
        }
        if keep {
            out.push(item);
        }
    }
    Ok(out)
}

/// One page of `items`: (page, next token). Tokens are the offset of the next item.
fn page<T>(
    items: Vec<T>,
    max_results: Option<i32>,
    token: Option<&str>,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let max = match max_results {
        None => DEFAULT_MAX_RESULTS,
        Some(n) => usize::try_from(n).ok().filter(|n| (1..=100).contains(n)).ok_or_else(|| {
            ApiError::client(
                r::INVALID_PARAMETER,
                format!("MaxResults {n} is not between 1 and 100."),
            )
        })?,
    };
    let start = match token {
        None => 0,
        Some(t) => t.parse::<usize>().ok().filter(|s| *s <= items.len()).ok_or_else(|| {
            ApiError::client("InvalidNextTokenException", format!("The token '{t}' is not valid."))
        })?,
    };
    let end = start.saturating_add(max).min(items.len());
    let next = (end < items.len()).then(|| end.to_string());
    Ok((items.into_iter().skip(start).take(max).collect(), next))
}

fn of<T: Clone>(items: impl Iterator<Item = T>) -> Vec<T> {
    items.collect()
}

async fn dispatch(api: &Api, scope: &Scope, op: &str, body: &Value) -> Result<Value, ApiError> {
    let scope = scope.clone();
    match op {
        "CreateResolverEndpoint" => {
            let q: s::CreateResolverEndpointRequest = input(body)?;
            if q.outpost_arn.is_some() {
                return Err(ApiError::client(
                    r::INVALID_PARAMETER,
                    "vpclab does not serve Resolver endpoints on Outposts.",
                ));
            }
            if q.resolver_endpoint_type.as_deref().is_some_and(|t| t != "IPV4")
                || q.protocols.iter().any(|p| p != "Do53")
                || q.ip_addresses.iter().any(|a| a.ipv6.is_some())
            {
                return Err(ApiError::client(
                    r::INVALID_PARAMETER,
                    "vpclab serves IPV4 endpoints over Do53 only.",
                ));
            }
            let spec = NewEndpoint {
                creator_request_id: q.creator_request_id,
                name: q.name,
                direction: q.direction,
                security_group_ids: q.security_group_ids,
                ips: q.ip_addresses.into_iter().map(|a| (a.subnet_id, a.ip)).collect(),
                tags: tags_in(&q.tags),
            };
            write(api, |w| {
                let id = w.create_resolver_endpoint(&scope, spec, now())?;
                Ok(s::CreateResolverEndpointResponse {
                    resolver_endpoint: Some(endpoint(w.resolver_endpoint(&scope, &id)?)),
                })
            })
            .await
        }
        "GetResolverEndpoint" => {
            let q: s::GetResolverEndpointRequest = input(body)?;
            read(api, |w| {
                Ok(s::GetResolverEndpointResponse {
                    resolver_endpoint: Some(endpoint(
                        w.resolver_endpoint(&scope, &q.resolver_endpoint_id)?,
                    )),
                })
            })
            .await
        }
        "ListResolverEndpoints" => {
            let q: s::ListResolverEndpointsRequest = input(body)?;
            let all = api
                .read(|w| of(w.r53r_endpoints.values().filter(|e| e.owner == scope).map(endpoint)))
                .await;
            let all = filtered(all, &q.filters, |e, name| {
                let one = |v: &Option<String>| Some(v.iter().cloned().collect());
                match name {
                    "CreatorRequestId" => one(&e.creator_request_id),
                    "Direction" => one(&e.direction),
                    "HostVPCId" => one(&e.host_vpc_id),
                    "IpAddressCount" => {
                        Some(e.ip_address_count.iter().map(i32::to_string).collect())
                    }
                    "Name" => one(&e.name),
                    "SecurityGroupIds" => Some(e.security_group_ids.clone()),
                    "Status" => one(&e.status),
                    _ => None,
                }
            })?;
            let (resolver_endpoints, next_token) =
                page(all, q.max_results, q.next_token.as_deref())?;
            Ok(s::ListResolverEndpointsResponse {
                max_results: q.max_results,
                next_token,
                resolver_endpoints,
            }
            .to_json())
        }
        "UpdateResolverEndpoint" => {
            let q: s::UpdateResolverEndpointRequest = input(body)?;
            if !q.update_ip_addresses.is_empty()
                || q.resolver_endpoint_type.as_deref().is_some_and(|t| t != "IPV4")
                || q.protocols.iter().any(|p| p != "Do53")
            {
                return Err(ApiError::client(
                    r::INVALID_PARAMETER,
                    "vpclab updates an endpoint's name only (IPV4, Do53).",
                ));
            }
            write(api, |w| {
                w.update_resolver_endpoint(&scope, &q.resolver_endpoint_id, q.name, now())?;
                Ok(s::UpdateResolverEndpointResponse {
                    resolver_endpoint: Some(endpoint(
                        w.resolver_endpoint(&scope, &q.resolver_endpoint_id)?,
                    )),
                })
            })
            .await
        }
        "DeleteResolverEndpoint" => {
            let q: s::DeleteResolverEndpointRequest = input(body)?;
            write(api, |w| {
                let gone = w.delete_resolver_endpoint(&scope, &q.resolver_endpoint_id)?;
                let mut shape = endpoint(&gone);
                shape.status = Some("DELETING".into());
                shape.status_message = Some("[Trace Id: vpclab] Deleting ResolverEndpoint".into());
                Ok(s::DeleteResolverEndpointResponse { resolver_endpoint: Some(shape) })
            })
            .await
        }
        "ListResolverEndpointIpAddresses" => {
            let q: s::ListResolverEndpointIpAddressesRequest = input(body)?;
            let all = api
                .read(|w| {
                    w.resolver_endpoint(&scope, &q.resolver_endpoint_id).map(|e| {
                        of(e.ips.iter().map(|ip| s::IpAddressResponse {
                            creation_time: time(ip.created_at),
                            ip: Some(ip.ip.to_string()),
                            ip_id: Some(ip.id.clone()),
                            modification_time: time(ip.created_at),
                            status: Some("ATTACHED".into()),
                            status_message: Some("This IP address is operational.".into()),
                            subnet_id: Some(ip.subnet_id.clone()),
                            ..Default::default()
                        }))
                    })
                })
                .await
                .map_err(from_model)?;
            let (ip_addresses, next_token) = page(all, q.max_results, q.next_token.as_deref())?;
            Ok(s::ListResolverEndpointIpAddressesResponse {
                ip_addresses,
                max_results: q.max_results,
                next_token,
            }
            .to_json())
        }
        "CreateResolverRule" => {
            let q: s::CreateResolverRuleRequest = input(body)?;
            if q.delegation_record.is_some() {
                return Err(ApiError::client(
                    r::INVALID_PARAMETER,
                    "vpclab does not serve DELEGATE rules.",
                ));
            }
            let spec = NewRule {
                creator_request_id: q.creator_request_id,
                name: q.name,
                rule_type: q.rule_type,
                domain_name: q.domain_name,
                targets: targets_in(&q.target_ips)?,
                endpoint_id: q.resolver_endpoint_id,
                tags: tags_in(&q.tags),
            };
            write(api, |w| {
                let id = w.create_resolver_rule(&scope, spec, now())?;
                Ok(s::CreateResolverRuleResponse {
                    resolver_rule: Some(rule(&w.resolver_rule(&scope, &id)?)),
                })
            })
            .await
        }
        "GetResolverRule" => {
            let q: s::GetResolverRuleRequest = input(body)?;
            read(api, |w| {
                Ok(s::GetResolverRuleResponse {
                    resolver_rule: Some(rule(&w.resolver_rule(&scope, &q.resolver_rule_id)?)),
                })
            })
            .await
        }
        "ListResolverRules" => {
            let q: s::ListResolverRulesRequest = input(body)?;
            let all = api
                .read(|w| {
                    let auto = ResolverRule::internet_resolver(&scope);
                    of(std::iter::once(rule(&auto))
                        .chain(w.r53r_rules.values().filter(|x| x.owner == scope).map(rule)))
                })
                .await;
            let all = filtered(all, &q.filters, |x, name| {
                let one = |v: &Option<String>| Some(v.iter().cloned().collect());
                match name {
                    "CreatorRequestId" => one(&x.creator_request_id),
                    "DomainName" => one(&x.domain_name),
                    "Name" => one(&x.name),
                    "ResolverEndpointId" => one(&x.resolver_endpoint_id),
                    "Status" => one(&x.status),
                    "Type" => one(&x.rule_type),
                    _ => None,
                }
            })?;
            let (resolver_rules, next_token) = page(all, q.max_results, q.next_token.as_deref())?;
            Ok(s::ListResolverRulesResponse {
                max_results: q.max_results,
                next_token,
                resolver_rules,
            }
            .to_json())
        }
        "UpdateResolverRule" => {
            let q: s::UpdateResolverRuleRequest = input(body)?;
            let c = q.config;
            let targets = targets_in(&c.target_ips)?;
            let targets = (!targets.is_empty()).then_some(targets);
            write(api, |w| {
                w.update_resolver_rule(
                    &scope,
                    &q.resolver_rule_id,
                    c.name,
                    targets.as_deref(),
                    c.resolver_endpoint_id,
                    now(),
                )?;
                Ok(s::UpdateResolverRuleResponse {
                    resolver_rule: Some(rule(&w.resolver_rule(&scope, &q.resolver_rule_id)?)),
                })
            })
            .await
        }
        "DeleteResolverRule" => {
            let q: s::DeleteResolverRuleRequest = input(body)?;
            write(api, |w| {
                let gone = w.delete_resolver_rule(&scope, &q.resolver_rule_id)?;
                let mut shape = rule(&gone);
                shape.status = Some("DELETING".into());
                Ok(s::DeleteResolverRuleResponse { resolver_rule: Some(shape) })
            })
            .await
        }
        "AssociateResolverRule" => {
            let q: s::AssociateResolverRuleRequest = input(body)?;
            write(api, |w| {
                let id =
                    w.associate_resolver_rule(&scope, &q.resolver_rule_id, &q.vpc_id, q.name)?;
                Ok(s::AssociateResolverRuleResponse {
                    resolver_rule_association: Some(association(
                        w.resolver_rule_association(&scope, &id)?,
                    )),
                })
            })
            .await
        }
        "DisassociateResolverRule" => {
            let q: s::DisassociateResolverRuleRequest = input(body)?;
            write(api, |w| {
                let gone = w.disassociate_resolver_rule(&scope, &q.resolver_rule_id, &q.vpc_id)?;
                let mut shape = association(&gone);
                shape.status = Some("DELETING".into());
                Ok(s::DisassociateResolverRuleResponse { resolver_rule_association: Some(shape) })
            })
            .await
        }
        "GetResolverRuleAssociation" => {
            let q: s::GetResolverRuleAssociationRequest = input(body)?;
            read(api, |w| {
                Ok(s::GetResolverRuleAssociationResponse {
                    resolver_rule_association: Some(association(
                        w.resolver_rule_association(&scope, &q.resolver_rule_association_id)?,
                    )),
                })
            })
            .await
        }
        "ListResolverRuleAssociations" => {
            let q: s::ListResolverRuleAssociationsRequest = input(body)?;
            let all = api
                .read(|w| {
                    of(w.r53r_rule_associations
                        .values()
                        .filter(|a| a.owner == scope)
                        .map(association))
                })
                .await;
            let all = filtered(all, &q.filters, |a, name| {
                let one = |v: &Option<String>| Some(v.iter().cloned().collect());
                match name {
                    "Name" => one(&a.name),
                    "ResolverRuleId" => one(&a.resolver_rule_id),
                    "Status" => one(&a.status),
                    "VPCId" => one(&a.vpc_id),
                    _ => None,
                }
            })?;
            let (resolver_rule_associations, next_token) =
                page(all, q.max_results, q.next_token.as_deref())?;
            Ok(s::ListResolverRuleAssociationsResponse {
                max_results: q.max_results,
                next_token,
                resolver_rule_associations,
            }
            .to_json())
        }
        "TagResource" => {
            let q: s::TagResourceRequest = input(body)?;
            let tags = tags_in(&q.tags);
            write(api, |w| {
                w.tag_resolver_resource(&scope, &q.resource_arn, &tags)?;
                Ok(s::TagResourceResponse {})
            })
            .await
        }
        "UntagResource" => {
            let q: s::UntagResourceRequest = input(body)?;
            write(api, |w| {
                let tags = w.resolver_tags_mut(&scope, &q.resource_arn)?;
                for k in &q.tag_keys {
                    tags.remove(k);
                }
                Ok(s::UntagResourceResponse {})
            })
            .await
        }
        "ListTagsForResource" => {
            let q: s::ListTagsForResourceRequest = input(body)?;
            let all = api
                .read(|w| {
                    w.resolver_tags(&scope, &q.resource_arn).map(|t| {
                        of(t.iter().map(|(k, v)| s::Tag { key: k.clone(), value: v.clone() }))
                    })
                })
                .await
                .map_err(from_model)?;
            let (tags, next_token) = page(all, q.max_results, q.next_token.as_deref())?;
            Ok(s::ListTagsForResourceResponse { next_token, tags }.to_json())
        }
        other => Err(ApiError::client(
            "UnknownOperationException",
            format!("The operation '{other}' is not served."),
        )),
    }
}
