//! Target groups, their attributes and targets, and DescribeTargetHealth.

use super::{Handler, attribute_changes, page, tags_in};
use crate::Outcome;
use crate::registry::{Ctx, read, write};
use model::target_group::{self as tg, HealthCheckSpec, Matcher, NewTargetGroup, TargetSpec};
use model::{Scope, World};
use shapes::elbv2 as s;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateTargetGroup", write(create_target_group)),
        ("DescribeTargetGroups", read(describe_target_groups)),
        ("ModifyTargetGroup", write(modify_target_group)),
        ("DeleteTargetGroup", write(delete_target_group)),
        ("DescribeTargetGroupAttributes", read(describe_target_group_attributes)),
        ("ModifyTargetGroupAttributes", write(modify_target_group_attributes)),
        ("RegisterTargets", write(register_targets)),
        ("DeregisterTargets", write(deregister_targets)),
        ("DescribeTargetHealth", read(describe_target_health)),
    ]
}

/// A target group as DescribeTargetGroups shows it.
fn render(w: &World, t: &tg::TargetGroup) -> s::TargetGroup {
    let hc = &t.health_check;
    s::TargetGroup {
        target_group_arn: Some(t.arn.clone()),
        target_group_name: Some(t.name.clone()),
        protocol: t.protocol.map(|p| p.name().into()),
        protocol_version: t.protocol_version.clone(),
        port: t.port.map(i32::from),
        vpc_id: t.vpc_id.clone(),
        health_check_enabled: Some(hc.enabled),
        health_check_protocol: hc.protocol.map(|p| p.name().into()),
        health_check_port: (t.target_type != tg::TargetType::Lambda).then(|| hc.port.clone()),
        health_check_path: hc.path.clone(),
        health_check_interval_seconds: Some(hc.interval_seconds as i32),
        health_check_timeout_seconds: Some(hc.timeout_seconds as i32),
        healthy_threshold_count: Some(hc.healthy_threshold as i32),
        unhealthy_threshold_count: Some(hc.unhealthy_threshold as i32),
        matcher: hc.matcher.as_ref().map(|m| match m {
            Matcher::Http(c) => s::Matcher { http_code: Some(c.clone()), grpc_code: None },
            Matcher::Grpc(c) => s::Matcher { http_code: None, grpc_code: Some(c.clone()) },
        }),
        load_balancer_arns: w.load_balancers_of_target_group(&t.arn),
        target_type: Some(t.target_type.name().into()),
        ip_address_type: (t.target_type != tg::TargetType::Lambda)
            .then(|| t.ip_address_type.clone()),
        ..Default::default()
    }
}

/// The health check of a CreateTargetGroup or ModifyTargetGroup request (the two shapes are
/// distinct types with the same members).
macro_rules! health_spec {
    ($r:expr) => {
        HealthCheckSpec {
            enabled: $r.health_check_enabled,
            protocol: $r.health_check_protocol.clone(),
            port: $r.health_check_port.clone(),
            path: $r.health_check_path.clone(),
            interval_seconds: $r.health_check_interval_seconds,
            timeout_seconds: $r.health_check_timeout_seconds,
            healthy_threshold: $r.healthy_threshold_count,
            unhealthy_threshold: $r.unhealthy_threshold_count,
            http_code: $r.matcher.as_ref().and_then(|m| m.http_code.clone()),
            grpc_code: $r.matcher.as_ref().and_then(|m| m.grpc_code.clone()),
        }
    };
}

fn targets_in(targets: &[s::TargetDescription]) -> Vec<TargetSpec> {
    targets
        .iter()
        .map(|t| TargetSpec {
            id: t.id.clone(),
            port: t.port,
            availability_zone: t.availability_zone.clone(),
        })
        .collect()
}

fn attributes(t: &tg::TargetGroup) -> Vec<s::TargetGroupAttribute> {
    t.attributes
        .iter()
        .map(|(k, v)| s::TargetGroupAttribute { key: Some(k.clone()), value: Some(v.clone()) })
        .collect()
}

/// The target groups of a DescribeTargetGroups request, in ARN order.
fn select<'w>(
    w: &'w World,
    scope: &Scope,
    r: &s::DescribeTargetGroupsInput,
) -> model::Result<Vec<&'w tg::TargetGroup>> {
    let given =
        [!r.target_group_arns.is_empty(), !r.names.is_empty(), r.load_balancer_arn.is_some()];
    if given.iter().filter(|g| **g).count() > 1 {
        return Err(model::load_balancer::validation(
            "Target group ARNs, names and a load balancer ARN cannot be specified together",
        ));
    }
    for arn in &r.target_group_arns {
        w.find_target_group(scope, arn)?;
    }
    let all: Vec<&tg::TargetGroup> =
        w.target_groups.values().filter(|t| &t.owner == scope).collect();
    if r.names.iter().any(|n| !all.iter().any(|t| &t.name == n)) {
        return Err(tg::not_found());
    }
    let lb_groups = match &r.load_balancer_arn {
        Some(arn) => {
            w.find_load_balancer(scope, arn)?;
            Some(arn)
        }
        None => None,
    };
    Ok(all
        .into_iter()
        .filter(|t| r.target_group_arns.is_empty() || r.target_group_arns.contains(&t.arn))
        .filter(|t| r.names.is_empty() || r.names.contains(&t.name))
        .filter(|t| lb_groups.is_none_or(|l| w.load_balancers_of_target_group(&t.arn).contains(l)))
        .collect())
}

fn create_target_group(
    ctx: &Ctx,
    w: &mut World,
    r: s::CreateTargetGroupInput,
) -> Outcome<s::CreateTargetGroupOutput> {
    let new = NewTargetGroup {
        name: r.name,
        target_type: r.target_type,
        protocol: r.protocol,
        protocol_version: r.protocol_version,
        port: r.port,
        vpc_id: r.vpc_id,
        ip_address_type: r.ip_address_type,
        health_check: health_spec!(r),
        tags: tags_in(&r.tags),
    };
    let arn = w.create_target_group(&ctx.scope, new, ctx.now)?;
    let t = w.find_target_group(&ctx.scope, &arn)?;
    Ok(s::CreateTargetGroupOutput { target_groups: vec![render(w, t)] })
}

fn describe_target_groups(
    ctx: &Ctx,
    w: &World,
    r: s::DescribeTargetGroupsInput,
) -> Outcome<s::DescribeTargetGroupsOutput> {
    let items =
        select(w, &ctx.scope, &r)?.into_iter().map(|t| (t.arn.as_str(), render(w, t))).collect();
    let (target_groups, next_marker) = page(items, r.marker.as_deref(), r.page_size)?;
    Ok(s::DescribeTargetGroupsOutput { target_groups, next_marker })
}

fn modify_target_group(
    ctx: &Ctx,
    w: &mut World,
    r: s::ModifyTargetGroupInput,
) -> Outcome<s::ModifyTargetGroupOutput> {
    let spec = health_spec!(r);
    w.modify_target_group(&ctx.scope, &r.target_group_arn, &spec)?;
    let t = w.find_target_group(&ctx.scope, &r.target_group_arn)?;
    Ok(s::ModifyTargetGroupOutput { target_groups: vec![render(w, t)] })
}

fn delete_target_group(
    ctx: &Ctx,
    w: &mut World,
    r: s::DeleteTargetGroupInput,
) -> Outcome<s::DeleteTargetGroupOutput> {
    w.delete_target_group(&ctx.scope, &r.target_group_arn)?;
    Ok(s::DeleteTargetGroupOutput {})
}

fn describe_target_group_attributes(
    ctx: &Ctx,
    w: &World,
    r: s::DescribeTargetGroupAttributesInput,
) -> Outcome<s::DescribeTargetGroupAttributesOutput> {
    let t = w.find_target_group(&ctx.scope, &r.target_group_arn)?;
    Ok(s::DescribeTargetGroupAttributesOutput { attributes: attributes(t) })
}

fn modify_target_group_attributes(
    ctx: &Ctx,
    w: &mut World,
    r: s::ModifyTargetGroupAttributesInput,
) -> Outcome<s::ModifyTargetGroupAttributesOutput> {
    let changes = attribute_changes(r.attributes.iter().map(|a| (&a.key, &a.value)));
    w.modify_target_group_attributes(&ctx.scope, &r.target_group_arn, &changes)?;
    let t = w.find_target_group(&ctx.scope, &r.target_group_arn)?;
    Ok(s::ModifyTargetGroupAttributesOutput { attributes: attributes(t) })
}

fn register_targets(
    ctx: &Ctx,
    w: &mut World,
    r: s::RegisterTargetsInput,
) -> Outcome<s::RegisterTargetsOutput> {
    w.register_targets(&ctx.scope, &r.target_group_arn, &targets_in(&r.targets), ctx.now)?;
    Ok(s::RegisterTargetsOutput {})
}

fn deregister_targets(
    ctx: &Ctx,
    w: &mut World,
    r: s::DeregisterTargetsInput,
) -> Outcome<s::DeregisterTargetsOutput> {
    w.deregister_targets(&ctx.scope, &r.target_group_arn, &targets_in(&r.targets), ctx.now)?;
    Ok(s::DeregisterTargetsOutput {})
}

fn describe_target_health(
    ctx: &Ctx,
    w: &World,
    r: s::DescribeTargetHealthInput,
) -> Outcome<s::DescribeTargetHealthOutput> {
    let now = ctx.now;
    let t = w.find_target_group(&ctx.scope, &r.target_group_arn)?;
    let asked: Vec<(String, u16, Option<String>)> = if r.targets.is_empty() {
        t.live_targets(now).map(|x| (x.id.clone(), x.port, x.availability_zone.clone())).collect()
    } else {
        r.targets
            .iter()
            .map(|x| {
                let port = x
                    .port
                    .and_then(|p| u16::try_from(p).ok())
                    .or_else(|| t.live_targets(now).find(|l| l.id == x.id).map(|l| l.port))
                    .or(t.port)
                    .unwrap_or(0);
                (x.id.clone(), port, x.availability_zone.clone())
            })
            .collect()
    };
    let descriptions = asked
        .into_iter()
        .map(|(id, port, zone)| {
            let observed = ctx.api.observed_health(&t.arn, &id, port).map(|o| tg::HealthReport {
                state: o.state,
                reason: o.reason,
                description: o.description,
            });
            let h = w.target_health(t, &id, port, now, observed);
            s::TargetHealthDescription {
                target: Some(s::TargetDescription {
                    id,
                    port: (port != 0).then_some(i32::from(port)),
                    availability_zone: zone,
                    ..Default::default()
                }),
                health_check_port: (port != 0).then(|| t.health_check.port_for(port).to_string()),
                target_health: Some(s::TargetHealth {
                    state: Some(h.state),
                    reason: h.reason,
                    description: h.description,
                }),
                ..Default::default()
            }
        })
        .collect();
    Ok(s::DescribeTargetHealthOutput { target_health_descriptions: descriptions })
}
