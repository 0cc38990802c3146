//! Listeners, their attributes and certificates, and the actions listeners and rules share.

use super::{Handler, attribute_changes, page, tags_in};
use crate::Outcome;
use crate::registry::{Ctx, read, write};
use model::World;
use model::listener::{
    self as ls, ActionKind, ActionSpec, FixedResponseSpec, ListenerSpec, RedirectSpec,
};
use model::load_balancer::validation;
use shapes::elbv2 as s;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateListener", write(create_listener)),
        ("DescribeListeners", read(describe_listeners)),
        ("ModifyListener", write(modify_listener)),
        ("DeleteListener", write(delete_listener)),
        ("DescribeListenerAttributes", read(describe_listener_attributes)),
        ("ModifyListenerAttributes", write(modify_listener_attributes)),
        ("AddListenerCertificates", write(add_listener_certificates)),
        ("RemoveListenerCertificates", write(remove_listener_certificates)),
        ("DescribeListenerCertificates", read(describe_listener_certificates)),
    ]
}

pub(super) fn actions_in(actions: &[s::Action]) -> Vec<ActionSpec> {
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

pub(super) fn actions_out(actions: &[ls::Action]) -> Vec<s::Action> {
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

/// The listener of a CreateListener or ModifyListener request (the two shapes are distinct
/// types with the same members), with `tags`.
macro_rules! listener_spec {
    ($r:expr, $tags:expr) => {
        ListenerSpec {
            protocol: $r.protocol.clone(),
            port: $r.port,
            ssl_policy: $r.ssl_policy.clone(),
            certificate_arns: (!$r.certificates.is_empty()).then(|| cert_arns(&$r.certificates)),
            alpn_policy: (!$r.alpn_policy.is_empty()).then(|| $r.alpn_policy.clone()),
            default_actions: (!$r.default_actions.is_empty())
                .then(|| actions_in(&$r.default_actions)),
            tags: tags_in($tags),
        }
    };
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

fn create_listener(
    ctx: &Ctx,
    w: &mut World,
    r: s::CreateListenerInput,
) -> Outcome<s::CreateListenerOutput> {
    let spec = listener_spec!(r, &r.tags);
    let arn = w.create_listener(&ctx.scope, &r.load_balancer_arn, &spec)?;
    Ok(s::CreateListenerOutput { listeners: vec![render(w.find_listener(&ctx.scope, &arn)?)] })
}

fn describe_listeners(
    ctx: &Ctx,
    w: &World,
    r: s::DescribeListenersInput,
) -> Outcome<s::DescribeListenersOutput> {
    let chosen: Vec<&ls::Listener> = match (&r.load_balancer_arn, r.listener_arns.is_empty()) {
        (Some(_), false) => {
            return Err(validation(
                "Listener ARNs and a load balancer ARN cannot be specified together",
            )
            .into());
        }
        (Some(lb), true) => {
            w.find_load_balancer(&ctx.scope, lb)?;
            w.listeners_of(lb)
        }
        (None, false) => r
            .listener_arns
            .iter()
            .map(|a| w.find_listener(&ctx.scope, a))
            .collect::<model::Result<_>>()?,
        (None, true) => {
            return Err(
                validation("You must specify either listener ARNs or a load balancer ARN").into()
            );
        }
    };
    let items = chosen.into_iter().map(|l| (l.arn.as_str(), render(l))).collect();
    let (listeners, next_marker) = page(items, r.marker.as_deref(), r.page_size)?;
    Ok(s::DescribeListenersOutput { listeners, next_marker })
}

fn modify_listener(
    ctx: &Ctx,
    w: &mut World,
    r: s::ModifyListenerInput,
) -> Outcome<s::ModifyListenerOutput> {
    let spec = listener_spec!(r, &[]);
    w.modify_listener(&ctx.scope, &r.listener_arn, &spec)?;
    Ok(s::ModifyListenerOutput {
        listeners: vec![render(w.find_listener(&ctx.scope, &r.listener_arn)?)],
    })
}

fn delete_listener(
    ctx: &Ctx,
    w: &mut World,
    r: s::DeleteListenerInput,
) -> Outcome<s::DeleteListenerOutput> {
    w.delete_listener(&ctx.scope, &r.listener_arn)?;
    Ok(s::DeleteListenerOutput {})
}

fn describe_listener_attributes(
    ctx: &Ctx,
    w: &World,
    r: s::DescribeListenerAttributesInput,
) -> Outcome<s::DescribeListenerAttributesOutput> {
    let l = w.find_listener(&ctx.scope, &r.listener_arn)?;
    Ok(s::DescribeListenerAttributesOutput { attributes: listener_attributes(l) })
}

fn modify_listener_attributes(
    ctx: &Ctx,
    w: &mut World,
    r: s::ModifyListenerAttributesInput,
) -> Outcome<s::ModifyListenerAttributesOutput> {
    let changes = attribute_changes(r.attributes.iter().map(|a| (&a.key, &a.value)));
    w.modify_listener_attributes(&ctx.scope, &r.listener_arn, &changes)?;
    let l = w.find_listener(&ctx.scope, &r.listener_arn)?;
    Ok(s::ModifyListenerAttributesOutput { attributes: listener_attributes(l) })
}

fn add_listener_certificates(
    ctx: &Ctx,
    w: &mut World,
    r: s::AddListenerCertificatesInput,
) -> Outcome<s::AddListenerCertificatesOutput> {
    let arns = cert_arns(&r.certificates);
    w.add_listener_certificates(&ctx.scope, &r.listener_arn, &arns)?;
    let l = w.find_listener(&ctx.scope, &r.listener_arn)?;
    let added: Vec<ls::ListenerCertificate> =
        l.certificates.iter().filter(|c| arns.contains(&c.arn)).cloned().collect();
    Ok(s::AddListenerCertificatesOutput { certificates: certificates_out(&added, false) })
}

fn remove_listener_certificates(
    ctx: &Ctx,
    w: &mut World,
    r: s::RemoveListenerCertificatesInput,
) -> Outcome<s::RemoveListenerCertificatesOutput> {
    w.remove_listener_certificates(&ctx.scope, &r.listener_arn, &cert_arns(&r.certificates))?;
    Ok(s::RemoveListenerCertificatesOutput {})
}

fn describe_listener_certificates(
    ctx: &Ctx,
    w: &World,
    r: s::DescribeListenerCertificatesInput,
) -> Outcome<s::DescribeListenerCertificatesOutput> {
    let l = w.find_listener(&ctx.scope, &r.listener_arn)?;
    let items = l
        .certificates
        .iter()
        .zip(certificates_out(&l.certificates, false))
        .map(|(c, out)| (c.arn.as_str(), out))
        .collect();
    let (certificates, next_marker) = page(items, r.marker.as_deref(), r.page_size)?;
    Ok(s::DescribeListenerCertificatesOutput { certificates, next_marker })
}
