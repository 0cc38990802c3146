//! Listeners, their attributes and certificates, rules, SSL policies, account limits, and the
//! read-only answers Terraform asks for (capacity reservation, trust stores).

use super::{Result_, decode, page, read, tags_in, write};
use crate::Api;
use model::elb_catalog;
use model::listener::{
    self as ls, ActionKind, ActionSpec, ConditionSpec, FixedResponseSpec, ListenerSpec,
    RedirectSpec, RuleCondition,
};
use model::{Scope, World};
use shapes::elasticloadbalancing as s;
use wire::{ApiError, QueryMap};

fn actions_in(actions: &[s::Action]) -> Vec<ActionSpec> {
    actions
        .iter()
        .map(|a| ActionSpec {
            type_: a.type_.clone(),
            order: a.order,
            target_group_arn: a.target_group_arn.clone(),
            forward_target_groups: a.forward_config.as_ref().map(|f| {
                f.target_groups
                    .iter()
                    .map(|t| (t.target_group_arn.clone().unwrap_or_default(), t.weight))
                    .collect()
            }),
            forward_stickiness: a
                .forward_config
                .as_ref()
                .and_then(|f| f.target_group_stickiness_config.as_ref())
                .map(|s| (s.enabled, s.duration_seconds)),
            redirect: a.redirect_config.as_ref().map(|r| RedirectSpec {
                protocol: r.protocol.clone(),
                port: r.port.clone(),
                host: r.host.clone(),
                path: r.path.clone(),
                query: r.query.clone(),
                status_code: r.status_code.clone(),
            }),
            fixed_response: a.fixed_response_config.as_ref().map(|f| FixedResponseSpec {
                status_code: f.status_code.clone(),
                content_type: f.content_type.clone(),
                message_body: f.message_body.clone(),
            }),
        })
        .collect()
}

fn actions_out(actions: &[ls::Action]) -> Vec<s::Action> {
    actions
        .iter()
        .map(|a| {
            let mut out = s::Action {
                type_: a.type_name().into(),
                order: Some(a.order as i32),
                ..Default::default()
            };
            match &a.kind {
                ActionKind::Forward(f) => {
                    if let [single] = f.target_groups.as_slice() {
                        out.target_group_arn = Some(single.target_group_arn.clone());
                    }
                    out.forward_config = Some(s::ForwardActionConfig {
                        target_groups: f
                            .target_groups
                            .iter()
                            .map(|t| s::TargetGroupTuple {
                                target_group_arn: Some(t.target_group_arn.clone()),
                                weight: Some(t.weight.map_or(1, |w| w as i32)),
                            })
                            .collect(),
                        target_group_stickiness_config: Some(s::TargetGroupStickinessConfig {
                            enabled: Some(f.stickiness.as_ref().is_some_and(|s| s.enabled)),
                            duration_seconds: f
                                .stickiness
                                .as_ref()
                                .and_then(|s| s.duration_seconds)
                                .map(|d| d as i32),
                        }),
                    });
                }
                ActionKind::Redirect(r) => {
                    out.redirect_config = Some(s::RedirectActionConfig {
                        protocol: Some(r.protocol.clone()),
                        port: Some(r.port.clone()),
                        host: Some(r.host.clone()),
                        path: Some(r.path.clone()),
                        query: Some(r.query.clone()),
                        status_code: r.status_code.clone(),
                    });
                }
                ActionKind::FixedResponse(f) => {
                    out.fixed_response_config = Some(s::FixedResponseActionConfig {
                        status_code: f.status_code.clone(),
                        content_type: f.content_type.clone(),
                        message_body: f.message_body.clone(),
                    });
                }
            }
            out
        })
        .collect()
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

fn certificates_out(certs: &[ls::ListenerCertificate], defaults_only: bool) -> Vec<s::Certificate> {
    certs
        .iter()
        .filter(|c| !defaults_only || c.is_default)
        .map(|c| s::Certificate {
            certificate_arn: Some(c.arn.clone()),
            is_default: (!defaults_only).then_some(c.is_default),
        })
        .collect()
}

fn render(l: &ls::Listener) -> s::Listener {
    s::Listener {
        listener_arn: Some(l.arn.clone()),
        load_balancer_arn: Some(l.load_balancer_arn.clone()),
        port: l.port.map(i32::from),
        protocol: l.protocol.map(|p| p.name().into()),
        certificates: certificates_out(&l.certificates, true),
        ssl_policy: l.ssl_policy.clone(),
        alpn_policy: l.alpn_policy.iter().cloned().collect(),
        default_actions: actions_out(&l.default_actions),
        ..Default::default()
    }
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

fn listener_spec(
    protocol: &Option<String>,
    port: Option<i32>,
    ssl_policy: &Option<String>,
    certificates: &[s::Certificate],
    alpn: &[String],
    actions: &[s::Action],
    tags: &[s::Tag],
) -> ListenerSpec {
    ListenerSpec {
        protocol: protocol.clone(),
        port,
        ssl_policy: ssl_policy.clone(),
        certificate_arns: (!certificates.is_empty())
            .then(|| certificates.iter().filter_map(|c| c.certificate_arn.clone()).collect()),
        alpn_policy: (!alpn.is_empty()).then(|| alpn.to_vec()),
        default_actions: (!actions.is_empty()).then(|| actions_in(actions)),
        tags: tags_in(tags),
    }
}

fn listener_attributes(l: &ls::Listener) -> Vec<s::ListenerAttribute> {
    l.attributes
        .iter()
        .map(|(k, v)| s::ListenerAttribute { key: Some(k.clone()), value: Some(v.clone()) })
        .collect()
}

fn cert_arns(certs: &[s::Certificate]) -> Vec<String> {
    certs.iter().filter_map(|c| c.certificate_arn.clone()).collect()
}

/// Serves the listener, rule and catalogue operations.
pub(super) async fn dispatch(
    api: &Api,
    scope: &Scope,
    op: &str,
    q: &QueryMap,
) -> Result<Result_, ApiError> {
    let scope = scope.clone();
    match op {
        "CreateListener" => {
            let r: s::CreateListenerInput = decode(q)?;
            let spec = listener_spec(
                &r.protocol,
                r.port,
                &r.ssl_policy,
                &r.certificates,
                &r.alpn_policy,
                &r.default_actions,
                &r.tags,
            );
            write(api, |w| {
                let arn = w.create_listener(&scope, &r.load_balancer_arn, &spec)?;
                Ok(s::CreateListenerOutput {
                    listeners: vec![render(w.find_listener(&scope, &arn)?)],
                })
            })
            .await
        }
        "DescribeListeners" => {
            let r: s::DescribeListenersInput = decode(q)?;
            read(api, |w| {
                let chosen: Vec<&ls::Listener> = match (
                    &r.load_balancer_arn,
                    r.listener_arns.is_empty(),
                ) {
                    (Some(_), false) => {
                        return Err(model::load_balancer::validation(
                            "Listener ARNs and a load balancer ARN cannot be specified together",
                        ));
                    }
                    (Some(lb), true) => {
                        w.find_load_balancer(&scope, lb)?;
                        w.listeners_of(lb)
                    }
                    (None, false) => r
                        .listener_arns
                        .iter()
                        .map(|a| w.find_listener(&scope, a))
                        .collect::<model::Result<_>>()?,
                    (None, true) => {
                        return Err(model::load_balancer::validation(
                            "You must specify either listener ARNs or a load balancer ARN",
                        ));
                    }
                };
                let items = chosen.into_iter().map(|l| (l.arn.as_str(), render(l))).collect();
                let (listeners, next_marker) = page(items, r.marker.as_deref(), r.page_size)?;
                Ok(s::DescribeListenersOutput { listeners, next_marker })
            })
            .await
        }
        "ModifyListener" => {
            let r: s::ModifyListenerInput = decode(q)?;
            let spec = listener_spec(
                &r.protocol,
                r.port,
                &r.ssl_policy,
                &r.certificates,
                &r.alpn_policy,
                &r.default_actions,
                &[],
            );
            write(api, |w| {
                w.modify_listener(&scope, &r.listener_arn, &spec)?;
                Ok(s::ModifyListenerOutput {
                    listeners: vec![render(w.find_listener(&scope, &r.listener_arn)?)],
                })
            })
            .await
        }
        "DeleteListener" => {
            let r: s::DeleteListenerInput = decode(q)?;
            write(api, |w| {
                w.delete_listener(&scope, &r.listener_arn)?;
                Ok(s::DeleteListenerOutput {})
            })
            .await
        }
        "DescribeListenerAttributes" => {
            let r: s::DescribeListenerAttributesInput = decode(q)?;
            read(api, |w| {
                let l = w.find_listener(&scope, &r.listener_arn)?;
                Ok(s::DescribeListenerAttributesOutput { attributes: listener_attributes(l) })
            })
            .await
        }
        "ModifyListenerAttributes" => {
            let r: s::ModifyListenerAttributesInput = decode(q)?;
            let changes: Vec<(String, String)> = r
                .attributes
                .iter()
                .filter_map(|a| Some((a.key.clone()?, a.value.clone().unwrap_or_default())))
                .collect();
            write(api, |w| {
                w.modify_listener_attributes(&scope, &r.listener_arn, &changes)?;
                let l = w.find_listener(&scope, &r.listener_arn)?;
                Ok(s::ModifyListenerAttributesOutput { attributes: listener_attributes(l) })
            })
            .await
        }
        "AddListenerCertificates" => {
            let r: s::AddListenerCertificatesInput = decode(q)?;
            let arns = cert_arns(&r.certificates);
            write(api, |w| {
                w.add_listener_certificates(&scope, &r.listener_arn, &arns)?;
                let l = w.find_listener(&scope, &r.listener_arn)?;
                let added: Vec<ls::ListenerCertificate> =
                    l.certificates.iter().filter(|c| arns.contains(&c.arn)).cloned().collect();
                Ok(s::AddListenerCertificatesOutput {
                    certificates: certificates_out(&added, false),
                })
            })
            .await
        }
        "RemoveListenerCertificates" => {
            let r: s::RemoveListenerCertificatesInput = decode(q)?;
            let arns = cert_arns(&r.certificates);
            write(api, |w| {
                w.remove_listener_certificates(&scope, &r.listener_arn, &arns)?;
                Ok(s::RemoveListenerCertificatesOutput {})
            })
            .await
        }
        "DescribeListenerCertificates" => {
            let r: s::DescribeListenerCertificatesInput = decode(q)?;
            read(api, |w| {
                let l = w.find_listener(&scope, &r.listener_arn)?;
                let items = l
                    .certificates
                    .iter()
                    .zip(certificates_out(&l.certificates, false))
                    .map(|(c, out)| (c.arn.as_str(), out))
                    .collect();
                let (certificates, next_marker) = page(items, r.marker.as_deref(), r.page_size)?;
                Ok(s::DescribeListenerCertificatesOutput { certificates, next_marker })
            })
            .await
        }
        "CreateRule" => {
            let r: s::CreateRuleInput = decode(q)?;
            let conditions = conditions_in(&r.conditions);
            let actions = actions_in(&r.actions);
            let tags = tags_in(&r.tags);
            write(api, |w| {
                let arn = w.create_rule(
                    &scope,
                    &r.listener_arn,
                    r.priority,
                    &conditions,
                    &actions,
                    &tags,
                )?;
                Ok(s::CreateRuleOutput { rules: vec![render_rule(w.find_rule(&scope, &arn)?)] })
            })
            .await
        }
        "DescribeRules" => {
            let r: s::DescribeRulesInput = decode(q)?;
            read(api, |w| {
                let rules: Vec<(String, s::Rule)> = match (&r.listener_arn, r.rule_arns.is_empty())
                {
                    (Some(_), false) => {
                        return Err(model::load_balancer::validation(
                            "Rule ARNs and a listener ARN cannot be specified together",
                        ));
                    }
                    (Some(arn), true) => {
                        let l = w.find_listener(&scope, arn)?;
                        w.rules_of(arn)
                            .into_iter()
                            .map(|x| (x.arn.clone(), render_rule(x)))
                            .chain(std::iter::once((
                                l.default_rule_arn.clone(),
                                render_default_rule(l),
                            )))
                            .collect()
                    }
                    (None, false) => r
                        .rule_arns
                        .iter()
                        .map(|a| Ok((a.clone(), any_rule(w, &scope, a)?)))
                        .collect::<model::Result<_>>()?,
                    (None, true) => {
                        return Err(model::load_balancer::validation(
                            "A listener ARN or rule ARNs must be specified",
                        ));
                    }
                };
                let items = rules.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                let (rules, next_marker) = page(items, r.marker.as_deref(), r.page_size)?;
                Ok(s::DescribeRulesOutput { rules, next_marker })
            })
            .await
        }
        "ModifyRule" => {
            let r: s::ModifyRuleInput = decode(q)?;
            let conditions = conditions_in(&r.conditions);
            let actions = actions_in(&r.actions);
            write(api, |w| {
                w.modify_rule(
                    &scope,
                    &r.rule_arn,
                    (!r.conditions.is_empty()).then_some(conditions.as_slice()),
                    (!r.actions.is_empty()).then_some(actions.as_slice()),
                )?;
                Ok(s::ModifyRuleOutput { rules: vec![any_rule(w, &scope, &r.rule_arn)?] })
            })
            .await
        }
        "DeleteRule" => {
            let r: s::DeleteRuleInput = decode(q)?;
            write(api, |w| {
                w.delete_rule(&scope, &r.rule_arn)?;
                Ok(s::DeleteRuleOutput {})
            })
            .await
        }
        "SetRulePriorities" => {
            let r: s::SetRulePrioritiesInput = decode(q)?;
            let changes: Vec<(String, i32)> = r
                .rule_priorities
                .iter()
                .filter_map(|p| Some((p.rule_arn.clone()?, p.priority?)))
                .collect();
            write(api, |w| {
                w.set_rule_priorities(&scope, &changes)?;
                let rules = changes
                    .iter()
                    .map(|(a, _)| Ok(render_rule(w.find_rule(&scope, a)?)))
                    .collect::<model::Result<_>>()?;
                Ok(s::SetRulePrioritiesOutput { rules })
            })
            .await
        }
        "DescribeSSLPolicies" => {
            let r: s::DescribeSSLPoliciesInput = decode(q)?;
            read(api, |_| {
                if let Some(missing) = r.names.iter().find(|n| elb_catalog::ssl_policy(n).is_none())
                {
                    return Err(model::Error::new(
                        "SSLPolicyNotFound",
                        format!("SSL policy '{missing}' not found"),
                    ));
                }
                let types: Vec<String> = match r.load_balancer_type.as_deref() {
                    Some(t) => vec![t.to_owned()],
                    None => vec!["application".into(), "network".into()],
                };
                let items = elb_catalog::SSL_POLICIES
                    .iter()
                    .filter(|p| r.names.is_empty() || r.names.iter().any(|n| n == p.name))
                    .map(|p| {
                        (
                            p.name,
                            s::SslPolicy {
                                name: Some(p.name.into()),
                                ssl_protocols: p
                                    .protocols
                                    .iter()
                                    .map(|x| (*x).to_owned())
                                    .collect(),
                                ciphers: p
                                    .ciphers()
                                    .into_iter()
                                    .map(|(name, priority)| s::Cipher {
                                        name: Some(name.into()),
                                        priority: Some(priority as i32),
                                    })
                                    .collect(),
                                supported_load_balancer_types: types.clone(),
                            },
                        )
                    })
                    .collect();
                let (ssl_policies, next_marker) = page(items, r.marker.as_deref(), r.page_size)?;
                Ok(s::DescribeSSLPoliciesOutput { ssl_policies, next_marker })
            })
            .await
        }
        "DescribeAccountLimits" => {
            let r: s::DescribeAccountLimitsInput = decode(q)?;
            read(api, |_| {
                let items = elb_catalog::ACCOUNT_LIMITS
                    .iter()
                    .map(|(name, max)| {
                        (*name, s::Limit { name: Some((*name).into()), max: Some(max.to_string()) })
                    })
                    .collect();
                let (limits, next_marker) = page(items, r.marker.as_deref(), r.page_size)?;
                Ok(s::DescribeAccountLimitsOutput { limits, next_marker })
            })
            .await
        }
        "DescribeCapacityReservation" => {
            let r: s::DescribeCapacityReservationInput = decode(q)?;
            read(api, |w| {
                w.find_load_balancer(&scope, &r.load_balancer_arn)?;
                Ok(s::DescribeCapacityReservationOutput {
                    decrease_requests_remaining: Some(3),
                    ..Default::default()
                })
            })
            .await
        }
        "DescribeTrustStores" => {
            let r: s::DescribeTrustStoresInput = decode(q)?;
            read(api, |_| {
                if !r.names.is_empty() || !r.trust_store_arns.is_empty() {
                    return Err(model::Error::new(
                        "TrustStoreNotFound",
                        "One or more trust stores not found",
                    ));
                }
                Ok(s::DescribeTrustStoresOutput::default())
            })
            .await
        }
        other => Err(ApiError::invalid_action(other)),
    }
}
