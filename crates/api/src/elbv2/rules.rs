//! Listener rules: their conditions, priorities and actions, and the default rule each
//! listener has.

use super::listeners::{actions_in, actions_out};
use super::{Handler, page, tags_in};
use crate::Outcome;
use crate::registry::{Ctx, read, write};
use model::listener::{self as ls, ConditionSpec, RuleCondition};
use model::load_balancer::validation;
use model::{Scope, World};
use shapes::elbv2 as s;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateRule", write(create_rule)),
        ("DescribeRules", read(describe_rules)),
        ("ModifyRule", write(modify_rule)),
        ("DeleteRule", write(delete_rule)),
        ("SetRulePriorities", write(set_rule_priorities)),
    ]
}

fn conditions_in(conditions: &[s::RuleCondition]) -> Vec<ConditionSpec> {
    conditions
        .iter()
        .map(|c| ConditionSpec {
            field: c.field.clone(),
            values: c.values.clone(),
            host_header: c.host_header_config.as_ref().map(|x| x.values.clone()),
            path_pattern: c.path_pattern_config.as_ref().map(|x| x.values.clone()),
            http_header: c
                .http_header_config
                .as_ref()
                .map(|x| (x.http_header_name.clone(), x.values.clone())),
            http_request_method: c.http_request_method_config.as_ref().map(|x| x.values.clone()),
            query_string: c
                .query_string_config
                .as_ref()
                .map(|x| x.values.iter().map(|p| (p.key.clone(), p.value.clone())).collect()),
            source_ip: c.source_ip_config.as_ref().map(|x| x.values.clone()),
        })
        .collect()
}

/// A condition as DescribeRules shows it: host-header and path-pattern with their values in
/// both forms, as AWS does; the others in their configuration only.
fn condition_out(c: &RuleCondition) -> s::RuleCondition {
    let mut out = s::RuleCondition { field: Some(c.field().into()), ..Default::default() };
    match c {
        RuleCondition::HostHeader { values } => {
            out.values = values.clone();
            out.host_header_config =
                Some(s::HostHeaderConditionConfig { values: values.clone(), ..Default::default() });
        }
        RuleCondition::PathPattern { values } => {
            out.values = values.clone();
            out.path_pattern_config = Some(s::PathPatternConditionConfig {
                values: values.clone(),
                ..Default::default()
            });
        }
        RuleCondition::HttpHeader { name, values } => {
            out.http_header_config = Some(s::HttpHeaderConditionConfig {
                http_header_name: Some(name.clone()),
                values: values.clone(),
                ..Default::default()
            });
        }
        RuleCondition::HttpRequestMethod { values } => {
            out.http_request_method_config =
                Some(s::HttpRequestMethodConditionConfig { values: values.clone() });
        }
        RuleCondition::QueryString { values } => {
            out.query_string_config = Some(s::QueryStringConditionConfig {
                values: values
                    .iter()
                    .map(|p| s::QueryStringKeyValuePair {
                        key: p.key.clone(),
                        value: Some(p.value.clone()),
                    })
                    .collect(),
            });
        }
        RuleCondition::SourceIp { values } => {
            out.source_ip_config = Some(s::SourceIpConditionConfig { values: values.clone() });
        }
    }
    out
}

fn render_rule(r: &ls::Rule) -> s::Rule {
    s::Rule {
        rule_arn: Some(r.arn.clone()),
        priority: Some(r.priority.to_string()),
        conditions: r.conditions.iter().map(condition_out).collect(),
        actions: actions_out(&r.actions),
        is_default: Some(false),
        ..Default::default()
    }
}

fn render_default_rule(l: &ls::Listener) -> s::Rule {
    s::Rule {
        rule_arn: Some(l.default_rule_arn.clone()),
        priority: Some("default".into()),
        actions: actions_out(&l.default_actions),
        is_default: Some(true),
        ..Default::default()
    }
}

/// A rule or default rule by ARN, rendered.
fn any_rule(w: &World, scope: &Scope, arn: &str) -> model::Result<s::Rule> {
    match w.listener_of_default_rule(scope, arn) {
        Some(l) => Ok(render_default_rule(l)),
        None => Ok(render_rule(w.find_rule(scope, arn)?)),
    }
}

fn create_rule(ctx: &Ctx, w: &mut World, r: s::CreateRuleInput) -> Outcome<s::CreateRuleOutput> {
    let arn = w.create_rule(
        &ctx.scope,
        &r.listener_arn,
        r.priority,
        &conditions_in(&r.conditions),
        &actions_in(&r.actions),
        &tags_in(&r.tags),
    )?;
    Ok(s::CreateRuleOutput { rules: vec![render_rule(w.find_rule(&ctx.scope, &arn)?)] })
}

fn describe_rules(
    ctx: &Ctx,
    w: &World,
    r: s::DescribeRulesInput,
) -> Outcome<s::DescribeRulesOutput> {
    let rules: Vec<(String, s::Rule)> = match (&r.listener_arn, r.rule_arns.is_empty()) {
        (Some(_), false) => {
            return Err(
                validation("Rule ARNs and a listener ARN cannot be specified together").into()
            );
        }
        (Some(arn), true) => {
            let l = w.find_listener(&ctx.scope, arn)?;
            w.rules_of(arn)
                .into_iter()
                .map(|x| (x.arn.clone(), render_rule(x)))
                .chain(std::iter::once((l.default_rule_arn.clone(), render_default_rule(l))))
                .collect()
        }
        (None, false) => r
            .rule_arns
            .iter()
            .map(|a| Ok((a.clone(), any_rule(w, &ctx.scope, a)?)))
            .collect::<model::Result<_>>()?,
        (None, true) => {
            return Err(validation("A listener ARN or rule ARNs must be specified").into());
        }
    };
    let items = rules.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let (rules, next_marker) = page(items, r.marker.as_deref(), r.page_size)?;
    Ok(s::DescribeRulesOutput { rules, next_marker })
}

fn modify_rule(ctx: &Ctx, w: &mut World, r: s::ModifyRuleInput) -> Outcome<s::ModifyRuleOutput> {
    let conditions = conditions_in(&r.conditions);
    let actions = actions_in(&r.actions);
    w.modify_rule(
        &ctx.scope,
        &r.rule_arn,
        (!r.conditions.is_empty()).then_some(conditions.as_slice()),
        (!r.actions.is_empty()).then_some(actions.as_slice()),
    )?;
    Ok(s::ModifyRuleOutput { rules: vec![any_rule(w, &ctx.scope, &r.rule_arn)?] })
}

fn delete_rule(ctx: &Ctx, w: &mut World, r: s::DeleteRuleInput) -> Outcome<s::DeleteRuleOutput> {
    w.delete_rule(&ctx.scope, &r.rule_arn)?;
    Ok(s::DeleteRuleOutput {})
}

fn set_rule_priorities(
    ctx: &Ctx,
    w: &mut World,
    r: s::SetRulePrioritiesInput,
) -> Outcome<s::SetRulePrioritiesOutput> {
    let changes: Vec<(String, i32)> =
        r.rule_priorities.iter().filter_map(|p| Some((p.rule_arn.clone()?, p.priority?))).collect();
    w.set_rule_priorities(&ctx.scope, &changes)?;
    let rules = changes
        .iter()
        .map(|(a, _)| Ok(render_rule(w.find_rule(&ctx.scope, a)?)))
        .collect::<model::Result<_>>()?;
    Ok(s::SetRulePrioritiesOutput { rules })
}
