//! Traffic mirroring operations: targets, filters and their rules, sessions (state only).

use super::common::{tag_set, tags_for};
use super::describe::{Ask, Listed, describe, in_scope};
use super::filter::{Row, Table, one, table};
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use model::World;
use model::traffic_mirror::{self as tm, PortRange, RuleSpec, SessionSpec, TargetKind};
use shapes::ec2::*;
use wire::ApiError;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateTrafficMirrorTarget", write(create_target)),
        ("DescribeTrafficMirrorTargets", read(describe_targets)),
        ("DeleteTrafficMirrorTarget", write(delete_target)),
        ("CreateTrafficMirrorFilter", write(create_filter)),
        ("DescribeTrafficMirrorFilters", read(describe_filters)),
        ("DeleteTrafficMirrorFilter", write(delete_filter)),
        ("ModifyTrafficMirrorFilterNetworkServices", write(modify_network_services)),
        ("CreateTrafficMirrorFilterRule", write(create_rule)),
        ("ModifyTrafficMirrorFilterRule", write(modify_rule)),
        ("DeleteTrafficMirrorFilterRule", write(delete_rule)),
        ("DescribeTrafficMirrorFilterRules", read(describe_rules)),
        ("CreateTrafficMirrorSession", write(create_session)),
        ("DescribeTrafficMirrorSessions", read(describe_sessions)),
        ("ModifyTrafficMirrorSession", write(modify_session)),
        ("DeleteTrafficMirrorSession", write(delete_session)),
    ]
}

const LIMITS: (i32, i32) = (5, 1000);

fn render_target(t: &tm::TrafficMirrorTarget) -> TrafficMirrorTarget {
    let mut out = TrafficMirrorTarget {
        description: t.description.clone(),
        owner_id: Some(t.owner.account.clone()),
        tags: tag_set(&t.tags),
        traffic_mirror_target_id: Some(t.id.clone()),
        type_: Some(t.kind.type_name().into()),
        ..Default::default()
    };
    match &t.kind {
        TargetKind::NetworkInterface(id) => out.network_interface_id = Some(id.clone()),
        TargetKind::NetworkLoadBalancer(arn) => out.network_load_balancer_arn = Some(arn.clone()),
        TargetKind::GatewayLoadBalancerEndpoint(id) => {
            out.gateway_load_balancer_endpoint_id = Some(id.clone())
        }
    }
    out
}

fn create_target(
    ctx: &Ctx,
    w: &mut World,
    req: CreateTrafficMirrorTargetRequest,
) -> Outcome<CreateTrafficMirrorTargetResult> {
    let new = tm::NewTarget {
        eni: req.network_interface_id,
        nlb: req.network_load_balancer_arn,
        gwlbe: req.gateway_load_balancer_endpoint_id,
        description: req.description,
        client_token: req.client_token.clone(),
        tags: tags_for(&req.tag_specifications, "traffic-mirror-target")?,
    };
    let id = w.create_traffic_mirror_target(&ctx.scope, new)?;
    let t = w.find_traffic_mirror_target(&ctx.scope, &id)?;
    Ok(CreateTrafficMirrorTargetResult {
        client_token: req.client_token,
        traffic_mirror_target: Some(render_target(t)),
    })
}

pub(super) const TARGET_FILTERS: Table<tm::TrafficMirrorTarget> = table![
    "description" => |t| t.description.iter().cloned().collect(),
    "network-interface-id" => |t| match &t.kind {
        TargetKind::NetworkInterface(id) => one(id),
        _ => vec![],
    },
    "network-load-balancer-arn" => |t| match &t.kind {
        TargetKind::NetworkLoadBalancer(arn) => one(arn),
        _ => vec![],
    },
    "owner-id" => |t| one(&t.owner.account),
    "traffic-mirror-target-id" => |t| one(&t.id),
];

fn describe_targets(
    ctx: &Ctx,
    w: &World,
    req: DescribeTrafficMirrorTargetsRequest,
) -> Outcome<DescribeTrafficMirrorTargetsResult> {
    let ask = Ask::new(
        &req.filters,
        &req.traffic_mirror_target_ids,
        req.max_results,
        &req.next_token,
        LIMITS,
    );
    let (items, next_token) = describe(
        ask,
        TARGET_FILTERS,
        |ids| {
            for id in ids {
                w.find_traffic_mirror_target(&ctx.scope, id)?;
            }
            Ok(in_scope(&w.traffic_mirror_targets, w, &ctx.scope))
        },
        |r| render_target(r.item),
    )?;
    Ok(DescribeTrafficMirrorTargetsResult { next_token, traffic_mirror_targets: items })
}

fn delete_target(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteTrafficMirrorTargetRequest,
) -> Outcome<DeleteTrafficMirrorTargetResult> {
    w.delete_traffic_mirror_target(&ctx.scope, &req.traffic_mirror_target_id)?;
    Ok(DeleteTrafficMirrorTargetResult {
        traffic_mirror_target_id: Some(req.traffic_mirror_target_id),
    })
}

fn port_range(p: &Option<PortRange>) -> Option<TrafficMirrorPortRange> {
    p.map(|p| TrafficMirrorPortRange { from_port: Some(p.from), to_port: Some(p.to) })
}

fn render_rule(filter: &str, r: &tm::FilterRule) -> TrafficMirrorFilterRule {
    TrafficMirrorFilterRule {
        description: r.description.clone(),
        destination_cidr_block: Some(r.destination_cidr.to_string()),
        destination_port_range: port_range(&r.destination_ports),
        protocol: r.protocol,
        rule_action: Some(r.action.clone()),
        rule_number: Some(r.number),
        source_cidr_block: Some(r.source_cidr.to_string()),
        source_port_range: port_range(&r.source_ports),
        tags: tag_set(&r.tags),
        traffic_direction: Some(r.direction.clone()),
        traffic_mirror_filter_id: Some(filter.to_owned()),
        traffic_mirror_filter_rule_id: Some(r.id.clone()),
    }
}

fn render_filter(f: &tm::TrafficMirrorFilter) -> TrafficMirrorFilter {
    let rules = |direction: &str| {
        let mut rules: Vec<&tm::FilterRule> =
            f.rules.iter().filter(|r| r.direction == direction).collect();
        rules.sort_by_key(|r| r.number);
        rules.into_iter().map(|r| render_rule(&f.id, r)).collect()
    };
    TrafficMirrorFilter {
        description: f.description.clone(),
        egress_filter_rules: rules("egress"),
        ingress_filter_rules: rules("ingress"),
        network_services: f.network_services.clone(),
        tags: tag_set(&f.tags),
        traffic_mirror_filter_id: Some(f.id.clone()),
    }
}

fn create_filter(
    ctx: &Ctx,
    w: &mut World,
    req: CreateTrafficMirrorFilterRequest,
) -> Outcome<CreateTrafficMirrorFilterResult> {
    let id = w.create_traffic_mirror_filter(
        &ctx.scope,
        req.description,
        req.client_token.clone(),
        tags_for(&req.tag_specifications, "traffic-mirror-filter")?,
    )?;
    let f = w.find_traffic_mirror_filter(&ctx.scope, &id)?;
    Ok(CreateTrafficMirrorFilterResult {
        client_token: req.client_token,
        traffic_mirror_filter: Some(render_filter(f)),
    })
}

pub(super) const FILTER_FILTERS: Table<tm::TrafficMirrorFilter> = table![
    "description" => |f| f.description.iter().cloned().collect(),
    "traffic-mirror-filter-id" => |f| one(&f.id),
];

fn describe_filters(
    ctx: &Ctx,
    w: &World,
    req: DescribeTrafficMirrorFiltersRequest,
) -> Outcome<DescribeTrafficMirrorFiltersResult> {
    let ask = Ask::new(
        &req.filters,
        &req.traffic_mirror_filter_ids,
        req.max_results,
        &req.next_token,
        LIMITS,
    );
    let (items, next_token) = describe(
        ask,
        FILTER_FILTERS,
        |ids| {
            for id in ids {
                w.find_traffic_mirror_filter(&ctx.scope, id)?;
            }
            Ok(in_scope(&w.traffic_mirror_filters, w, &ctx.scope))
        },
        |r| render_filter(r.item),
    )?;
    Ok(DescribeTrafficMirrorFiltersResult { next_token, traffic_mirror_filters: items })
}

fn delete_filter(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteTrafficMirrorFilterRequest,
) -> Outcome<DeleteTrafficMirrorFilterResult> {
    w.delete_traffic_mirror_filter(&ctx.scope, &req.traffic_mirror_filter_id)?;
    Ok(DeleteTrafficMirrorFilterResult {
        traffic_mirror_filter_id: Some(req.traffic_mirror_filter_id),
    })
}

fn modify_network_services(
    ctx: &Ctx,
    w: &mut World,
    req: ModifyTrafficMirrorFilterNetworkServicesRequest,
) -> Outcome<ModifyTrafficMirrorFilterNetworkServicesResult> {
    w.modify_traffic_mirror_network_services(
        &ctx.scope,
        &req.traffic_mirror_filter_id,
        &req.add_network_services,
        &req.remove_network_services,
    )?;
    let f = w.find_traffic_mirror_filter(&ctx.scope, &req.traffic_mirror_filter_id)?;
    Ok(ModifyTrafficMirrorFilterNetworkServicesResult {
        traffic_mirror_filter: Some(render_filter(f)),
    })
}

fn ports(
    p: &Option<TrafficMirrorPortRangeRequest>,
    name: &str,
) -> Result<Option<PortRange>, ApiError> {
    match p {
        None => Ok(None),
        Some(TrafficMirrorPortRangeRequest { from_port: Some(from), to_port: Some(to) }) => {
            Ok(Some(PortRange { from: *from, to: *to }))
        }
        Some(TrafficMirrorPortRangeRequest { from_port: Some(port), to_port: None })
        | Some(TrafficMirrorPortRangeRequest { from_port: None, to_port: Some(port) }) => {
            Ok(Some(PortRange { from: *port, to: *port }))
        }
        Some(_) => Err(ApiError::missing_parameter(&format!("{name}.FromPort"))),
    }
}

fn rendered_rule(w: &World, ctx: &Ctx, id: &str) -> Outcome<TrafficMirrorFilterRule> {
    let (f, r) = w.find_traffic_mirror_rule(&ctx.scope, id)?;
    Ok(render_rule(&f.id, r))
}

fn create_rule(
    ctx: &Ctx,
    w: &mut World,
    req: CreateTrafficMirrorFilterRuleRequest,
) -> Outcome<CreateTrafficMirrorFilterRuleResult> {
    let spec = RuleSpec {
        direction: Some(req.traffic_direction),
        number: Some(req.rule_number),
        action: Some(req.rule_action),
        protocol: req.protocol,
        source_cidr: Some(req.source_cidr_block),
        destination_cidr: Some(req.destination_cidr_block),
        source_ports: ports(&req.source_port_range, "SourcePortRange")?,
        destination_ports: ports(&req.destination_port_range, "DestinationPortRange")?,
        description: req.description,
        remove_fields: Vec::new(),
    };
    let tags = tags_for(&req.tag_specifications, "traffic-mirror-filter-rule")?;
    let id =
        w.create_traffic_mirror_rule(&ctx.scope, &req.traffic_mirror_filter_id, &spec, tags)?;
    Ok(CreateTrafficMirrorFilterRuleResult {
        client_token: req.client_token,
        traffic_mirror_filter_rule: Some(rendered_rule(w, ctx, &id)?),
    })
}

fn modify_rule(
    ctx: &Ctx,
    w: &mut World,
    req: ModifyTrafficMirrorFilterRuleRequest,
) -> Outcome<ModifyTrafficMirrorFilterRuleResult> {
    let spec = RuleSpec {
        direction: req.traffic_direction,
        number: req.rule_number,
        action: req.rule_action,
        protocol: req.protocol,
        source_cidr: req.source_cidr_block,
        destination_cidr: req.destination_cidr_block,
        source_ports: ports(&req.source_port_range, "SourcePortRange")?,
        destination_ports: ports(&req.destination_port_range, "DestinationPortRange")?,
        description: req.description,
        remove_fields: req.remove_fields,
    };
    w.modify_traffic_mirror_rule(&ctx.scope, &req.traffic_mirror_filter_rule_id, &spec)?;
    Ok(ModifyTrafficMirrorFilterRuleResult {
        traffic_mirror_filter_rule: Some(rendered_rule(
            w,
            ctx,
            &req.traffic_mirror_filter_rule_id,
        )?),
    })
}

fn delete_rule(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteTrafficMirrorFilterRuleRequest,
) -> Outcome<DeleteTrafficMirrorFilterRuleResult> {
    w.delete_traffic_mirror_rule(&ctx.scope, &req.traffic_mirror_filter_rule_id)?;
    Ok(DeleteTrafficMirrorFilterRuleResult {
        traffic_mirror_filter_rule_id: Some(req.traffic_mirror_filter_rule_id),
    })
}

pub(super) const RULE_FILTERS: Table<tm::FilterRule, tm::TrafficMirrorFilter> = table![
    "description" => |r| r.description.iter().cloned().collect(),
    "destination-cidr-block" => |r| one(r.destination_cidr),
    "protocol" => |r| r.protocol.iter().map(|p| p.to_string()).collect(),
    "rule-action" => |r| one(&r.action),
    "rule-number" => |r| one(r.number),
    "source-cidr-block" => |r| one(r.source_cidr),
    "traffic-direction" => |r| one(&r.direction),
    "traffic-mirror-filter-id" => |r| one(&r.extra.id),
    "traffic-mirror-filter-rule-id" => |r| one(&r.id),
];

fn describe_rules(
    ctx: &Ctx,
    w: &World,
    req: DescribeTrafficMirrorFilterRulesRequest,
) -> Outcome<DescribeTrafficMirrorFilterRulesResult> {
    let ask = Ask::new(
        &req.filters,
        &req.traffic_mirror_filter_rule_ids,
        req.max_results,
        &req.next_token,
        LIMITS,
    );
    let (traffic_mirror_filter_rules, next_token) = describe(
        ask,
        RULE_FILTERS,
        |ids| {
            if let Some(id) = &req.traffic_mirror_filter_id {
                w.find_traffic_mirror_filter(&ctx.scope, id)?;
            }
            for id in ids {
                w.find_traffic_mirror_rule(&ctx.scope, id)?;
            }
            let rules = w
                .traffic_mirror_filters
                .in_scope(&ctx.scope)
                .filter(|f| req.traffic_mirror_filter_id.as_ref().is_none_or(|id| *id == f.id))
                .flat_map(|f| f.rules.iter().map(move |r| (f, r)));
            Ok(rules.map(|(f, r)| Listed {
                id: (&r.id).into(),
                row: Row::with(w, &ctx.scope, r, f),
                tags: &r.tags,
            }))
        },
        |r| render_rule(&r.extra.id, r.item),
    )?;
    Ok(DescribeTrafficMirrorFilterRulesResult { next_token, traffic_mirror_filter_rules })
}

fn render_session(s: &tm::TrafficMirrorSession) -> TrafficMirrorSession {
    TrafficMirrorSession {
        description: s.description.clone(),
        network_interface_id: Some(s.network_interface_id.clone()),
        owner_id: Some(s.owner.account.clone()),
        packet_length: s.packet_length,
        session_number: Some(s.session_number),
        tags: tag_set(&s.tags),
        traffic_mirror_filter_id: Some(s.filter_id.clone()),
        traffic_mirror_session_id: Some(s.id.clone()),
        traffic_mirror_target_id: Some(s.target_id.clone()),
        virtual_network_id: Some(s.virtual_network_id),
    }
}

fn create_session(
    ctx: &Ctx,
    w: &mut World,
    req: CreateTrafficMirrorSessionRequest,
) -> Outcome<CreateTrafficMirrorSessionResult> {
    let spec = SessionSpec {
        network_interface_id: Some(req.network_interface_id),
        target_id: Some(req.traffic_mirror_target_id),
        filter_id: Some(req.traffic_mirror_filter_id),
        session_number: Some(req.session_number),
        packet_length: req.packet_length,
        virtual_network_id: req.virtual_network_id,
        description: req.description,
        remove_fields: Vec::new(),
    };
    let tags = tags_for(&req.tag_specifications, "traffic-mirror-session")?;
    let id = w.create_traffic_mirror_session(&ctx.scope, &spec, req.client_token.clone(), tags)?;
    let s = w.find_traffic_mirror_session(&ctx.scope, &id)?;
    Ok(CreateTrafficMirrorSessionResult {
        client_token: req.client_token,
        traffic_mirror_session: Some(render_session(s)),
    })
}

pub(super) const SESSION_FILTERS: Table<tm::TrafficMirrorSession> = table![
    "description" => |s| s.description.iter().cloned().collect(),
    "network-interface-id" => |s| one(&s.network_interface_id),
    "owner-id" => |s| one(&s.owner.account),
    "packet-length" => |s| s.packet_length.iter().map(|l| l.to_string()).collect(),
    "session-number" => |s| one(s.session_number),
    "traffic-mirror-filter-id" => |s| one(&s.filter_id),
    "traffic-mirror-session-id" => |s| one(&s.id),
    "traffic-mirror-target-id" => |s| one(&s.target_id),
    "virtual-network-id" => |s| one(s.virtual_network_id),
];

fn describe_sessions(
    ctx: &Ctx,
    w: &World,
    req: DescribeTrafficMirrorSessionsRequest,
) -> Outcome<DescribeTrafficMirrorSessionsResult> {
    let ask = Ask::new(
        &req.filters,
        &req.traffic_mirror_session_ids,
        req.max_results,
        &req.next_token,
        LIMITS,
    );
    let (items, next_token) = describe(
        ask,
        SESSION_FILTERS,
        |ids| {
            for id in ids {
                w.find_traffic_mirror_session(&ctx.scope, id)?;
            }
            Ok(in_scope(&w.traffic_mirror_sessions, w, &ctx.scope))
        },
        |r| render_session(r.item),
    )?;
    Ok(DescribeTrafficMirrorSessionsResult { next_token, traffic_mirror_sessions: items })
}

fn modify_session(
    ctx: &Ctx,
    w: &mut World,
    req: ModifyTrafficMirrorSessionRequest,
) -> Outcome<ModifyTrafficMirrorSessionResult> {
    let spec = SessionSpec {
        network_interface_id: None,
        target_id: req.traffic_mirror_target_id,
        filter_id: req.traffic_mirror_filter_id,
        session_number: req.session_number,
        packet_length: req.packet_length,
        virtual_network_id: req.virtual_network_id,
        description: req.description,
        remove_fields: req.remove_fields,
    };
    w.modify_traffic_mirror_session(&ctx.scope, &req.traffic_mirror_session_id, &spec)?;
    let s = w.find_traffic_mirror_session(&ctx.scope, &req.traffic_mirror_session_id)?;
    Ok(ModifyTrafficMirrorSessionResult { traffic_mirror_session: Some(render_session(s)) })
}

fn delete_session(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteTrafficMirrorSessionRequest,
) -> Outcome<DeleteTrafficMirrorSessionResult> {
    w.delete_traffic_mirror_session(&ctx.scope, &req.traffic_mirror_session_id)?;
    Ok(DeleteTrafficMirrorSessionResult {
        traffic_mirror_session_id: Some(req.traffic_mirror_session_id),
    })
}
