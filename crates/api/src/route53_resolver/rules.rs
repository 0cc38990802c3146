//! Resolver rules (FORWARD and SYSTEM; AWS's auto-defined RECURSIVE rule is listed and read).
//! Targets are IPv4 over Do53 and DELEGATE rules are not served: both are refused as the
//! request is decoded ([`NewRuleRequest`], [`RuleUpdate`]).

use super::{Handler, filtered, one, page, refused, tags_in, time};
use crate::Outcome;
use crate::registry::{Ctx, Decode, read, write};
use model::World;
use model::route53_resolver::{self as r, INTERNET_RESOLVER_RULE_ID, NewRule, ResolverRule};
use shapes::route53_resolver as s;
use wire::ApiError;
use wire::json::{FromJson, Value};

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateResolverRule", write(create_resolver_rule)),
        ("GetResolverRule", read(get_resolver_rule)),
        ("ListResolverRules", read(list_resolver_rules)),
        ("UpdateResolverRule", write(update_resolver_rule)),
        ("DeleteResolverRule", write(delete_resolver_rule)),
    ]
}

fn targets_in(targets: &[s::TargetAddress]) -> Result<Vec<r::TargetSpec>, ApiError> {
    targets
        .iter()
        .map(|t| {
            if t.ipv6.is_some() || t.protocol.as_deref().is_some_and(|p| p != "Do53") {
                return Err(refused("vpclab forwards to IPv4 targets over Do53 only."));
            }
            Ok((t.ip.clone(), t.port))
        })
        .collect()
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

/// CreateResolverRule's request, as the model takes it.
struct NewRuleRequest(NewRule);

impl Decode<Value> for NewRuleRequest {
    fn decode(body: &Value) -> Result<Self, ApiError> {
        let q = s::CreateResolverRuleRequest::from_body(body)?;
        if q.delegation_record.is_some() {
            return Err(refused("vpclab does not serve DELEGATE rules."));
        }
        Ok(NewRuleRequest(NewRule {
            creator_request_id: q.creator_request_id,
            name: q.name,
            rule_type: q.rule_type,
            domain_name: q.domain_name,
            targets: targets_in(&q.target_ips)?,
            endpoint_id: q.resolver_endpoint_id,
            tags: tags_in(&q.tags),
        }))
    }
}

fn create_resolver_rule(
    ctx: &Ctx,
    w: &mut World,
    NewRuleRequest(spec): NewRuleRequest,
) -> Outcome<s::CreateResolverRuleResponse> {
    let id = w.create_resolver_rule(&ctx.scope, spec, ctx.now)?;
    Ok(s::CreateResolverRuleResponse {
        resolver_rule: Some(rule(&w.resolver_rule(&ctx.scope, &id)?)),
    })
}

fn get_resolver_rule(
    ctx: &Ctx,
    w: &World,
    q: s::GetResolverRuleRequest,
) -> Outcome<s::GetResolverRuleResponse> {
    Ok(s::GetResolverRuleResponse {
        resolver_rule: Some(rule(&w.resolver_rule(&ctx.scope, &q.resolver_rule_id)?)),
    })
}

fn list_resolver_rules(
    ctx: &Ctx,
    w: &World,
    q: s::ListResolverRulesRequest,
) -> Outcome<s::ListResolverRulesResponse> {
    let auto = ResolverRule::internet_resolver(&ctx.scope);
    let all = std::iter::once(rule(&auto))
        .chain(w.r53r_rules.values().filter(|x| x.owner == ctx.scope).map(rule))
        .collect();
    let all = filtered(all, &q.filters, |x, name| match name {
        "CreatorRequestId" => one(&x.creator_request_id),
        "DomainName" => one(&x.domain_name),
        "Name" => one(&x.name),
        "ResolverEndpointId" => one(&x.resolver_endpoint_id),
        "Status" => one(&x.status),
        "Type" => one(&x.rule_type),
        _ => None,
    })?;
    let (resolver_rules, next_token) = page(all, q.max_results, q.next_token.as_deref())?;
    Ok(s::ListResolverRulesResponse { max_results: q.max_results, next_token, resolver_rules })
}

/// UpdateResolverRule's request with its targets checked (none given: left as they are).
struct RuleUpdate {
    q: s::UpdateResolverRuleRequest,
    targets: Option<Vec<r::TargetSpec>>,
}

impl Decode<Value> for RuleUpdate {
    fn decode(body: &Value) -> Result<Self, ApiError> {
        let q = s::UpdateResolverRuleRequest::from_body(body)?;
        let targets = targets_in(&q.config.target_ips)?;
        Ok(RuleUpdate { targets: (!targets.is_empty()).then_some(targets), q })
    }
}

fn update_resolver_rule(
    ctx: &Ctx,
    w: &mut World,
    RuleUpdate { q, targets }: RuleUpdate,
) -> Outcome<s::UpdateResolverRuleResponse> {
    let c = q.config;
    w.update_resolver_rule(
        &ctx.scope,
        &q.resolver_rule_id,
        c.name,
        targets.as_deref(),
        c.resolver_endpoint_id,
        ctx.now,
    )?;
    Ok(s::UpdateResolverRuleResponse {
        resolver_rule: Some(rule(&w.resolver_rule(&ctx.scope, &q.resolver_rule_id)?)),
    })
}

fn delete_resolver_rule(
    ctx: &Ctx,
    w: &mut World,
    q: s::DeleteResolverRuleRequest,
) -> Outcome<s::DeleteResolverRuleResponse> {
    let gone = w.delete_resolver_rule(&ctx.scope, &q.resolver_rule_id)?;
    let mut shape = rule(&gone);
    shape.status = Some("DELETING".into());
    Ok(s::DeleteResolverRuleResponse { resolver_rule: Some(shape) })
}
