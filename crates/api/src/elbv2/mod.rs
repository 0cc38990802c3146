//! Elastic Load Balancing v2 (`elasticloadbalancing`, awsQuery): `Action=…&Version=2015-12-01`,
//! lists as `X.member.N`, answers `<XResponse><XResult>…` and errors as `<ErrorResponse>` with
//! ELBv2's codes.
//!
//! Load balancers (create, describe with `Marker`/`PageSize`, delete, security groups, subnets,
//! IP address type), their attributes and the tags of every ELBv2 resource are served here;
//! target groups, targets and their health in [`targets`]; listeners, certificates, rules,
//! SSL policies and account limits in [`listeners`]. The rules live in
//! [`model::load_balancer`], [`model::target_group`] and [`model::listener`].

mod listeners;
mod targets;

use crate::sts::render_query;
use crate::{Api, Reply, Request, from_model};
use model::load_balancer::{self as lb, NewLoadBalancer, SubnetMappingSpec};
use model::{Scope, World};
use shapes::elasticloadbalancing as s;
use wire::query::FromQuery;
use wire::{ApiError, QueryMap, Timestamp, ToXml};

pub use s::{API_VERSION, XML_NAMESPACE as XMLNS};

/// The operations served, as generated.
pub fn operations() -> Vec<&'static str> {
    s::OPERATIONS.iter().map(|(name, ..)| *name).collect()
}

/// Serves one ELBv2 request.
pub async fn handle(api: &Api, request: &Request) -> Result<Reply, ApiError> {
    let q = &request.params;
    let action = match q.action() {
        Some(a) if !a.is_empty() => a.to_owned(),
        _ => return Err(ApiError::missing_parameter("Action")),
    };
    if !s::OPERATIONS.iter().any(|(name, ..)| *name == action) {
        return Err(ApiError::invalid_action(&action));
    }
    let scope = request.scope.clone();
    let result = dispatch(api, &scope, &action, q).await.map_err(validation_error)?;
    Ok(render_query(&action, XMLNS, result.as_ref(), &request.request_id))
}

/// Whether an ELBv2 operation only reads (`Describe…`).
pub(crate) fn is_read(action: &str) -> bool {
    action.starts_with("Describe")
}

/// A result shape, ready to be written.
pub(crate) type Result_ = Box<dyn ToXml + Send>;

/// Request-shape failures are ELBv2's `ValidationError`.
fn validation_error(e: ApiError) -> ApiError {
    if e.code == "MissingParameter" || e.code == "InvalidParameterValue" {
        ApiError::client("ValidationError", e.message)
    } else {
        e
    }
}

pub(crate) fn decode<T: FromQuery>(q: &QueryMap) -> Result<T, ApiError> {
    let r = T::from_query(q, "")?;
    q.reject_unused()?;
    Ok(r)
}

pub(crate) async fn write<T: ToXml + Send + 'static>(
    api: &Api,
    f: impl FnOnce(&mut World) -> model::Result<T>,
) -> Result<Result_, ApiError> {
    api.mutate(|w| f(w).map_err(from_model)).await.map(|v| Box::new(v) as Result_)
}

pub(crate) async fn read<T: ToXml + Send + 'static>(
    api: &Api,
    f: impl FnOnce(&World) -> model::Result<T>,
) -> Result<Result_, ApiError> {
    api.read(f).await.map_err(from_model).map(|v| Box::new(v) as Result_)
}

pub(crate) fn tags_in(tags: &[s::Tag]) -> Vec<(String, Option<String>)> {
    tags.iter().map(|t| (t.key.clone(), t.value.clone())).collect()
}

pub(crate) fn tags_out(tags: &model::resources::Tags) -> Vec<s::Tag> {
    tags.iter().map(|(k, v)| s::Tag { key: k.clone(), value: Some(v.clone()) }).collect()
}

/// A load balancer as DescribeLoadBalancers shows it.
fn render(w: &World, l: &lb::LoadBalancer) -> s::LoadBalancer {
    let network = l.lb_type == lb::LbType::Network;
    s::LoadBalancer {
        availability_zones: l
            .zones
            .iter()
            .map(|z| s::AvailabilityZone {
                load_balancer_addresses: if !network {
                    vec![]
                } else if let Some(a) = &z.allocation_id {
                    vec![s::LoadBalancerAddress {
                        allocation_id: Some(a.clone()),
                        ip_address: w.addresses.get(a).map(|x| x.public_ip.to_string()),
                        ..Default::default()
                    }]
                } else if z.private_ip_requested {
                    vec![s::LoadBalancerAddress {
                        private_i_pv4_address: Some(z.private_ip.to_string()),
                        ..Default::default()
                    }]
                } else {
                    vec![]
                },
                subnet_id: Some(z.subnet_id.clone()),
                zone_name: Some(z.zone.clone()),
                ..Default::default()
            })
            .collect(),
        canonical_hosted_zone_id: Some(l.canonical_hosted_zone_id().into()),
        created_time: Some(Timestamp(l.create_time)),
        dns_name: Some(l.dns_name.clone()),
        ip_address_type: Some(l.ip_address_type.clone()),
        load_balancer_arn: Some(l.arn.clone()),
        load_balancer_name: Some(l.name.clone()),
        scheme: Some(l.scheme.clone()),
        security_groups: l.security_group_ids.clone(),
        state: Some(s::LoadBalancerState { code: Some("active".into()), reason: None }),
        type_: Some(l.lb_type.name().into()),
        vpc_id: Some(l.vpc_id.clone()),
        enforce_security_group_inbound_rules_on_private_link_traffic: (network
            && !l.security_group_ids.is_empty())
        .then(|| "on".into()),
        ..Default::default()
    }
}

/// The load balancers of a DescribeLoadBalancers request, in ARN order.
fn select<'w>(
    w: &'w World,
    scope: &'w Scope,
    r: &s::DescribeLoadBalancersInput,
) -> model::Result<Vec<&'w lb::LoadBalancer>> {
    if !r.load_balancer_arns.is_empty() && !r.names.is_empty() {
        return Err(model::Error::new(
            "ValidationError",
            "Load balancer names and load balancer ARNs cannot be specified at the same time",
        ));
    }
    for arn in &r.load_balancer_arns {
        lb::check_arn(arn)?;
    }
    let all: Vec<&lb::LoadBalancer> = w.load_balancers.in_scope(scope).collect();
    let missing: Vec<String> = r
        .load_balancer_arns
        .iter()
        .filter(|a| !all.iter().any(|l| &l.arn == *a))
        .chain(r.names.iter().filter(|n| !all.iter().any(|l| &l.name == *n)))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(lb::not_found(&missing));
    }
    Ok(all
        .into_iter()
        .filter(|l| r.load_balancer_arns.is_empty() || r.load_balancer_arns.contains(&l.arn))
        .filter(|l| r.names.is_empty() || r.names.contains(&l.name))
        .collect())
}

/// One page of `items` after `marker` (an ARN), at most `size` long; the next marker.
pub(crate) fn page<T>(
    items: Vec<(&str, T)>,
    marker: Option<&str>,
    size: Option<i32>,
) -> model::Result<(Vec<T>, Option<String>)> {
    let size = match size {
        None => 400,
        Some(n @ 1..=400) => n as usize,
        Some(n) => {
            return Err(model::Error::new(
                "ValidationError",
                format!("Page size '{n}' must be between 1 and 400"),
            ));
        }
    };
    let start = match marker {
        None => 0,
        Some(m) => items
            .iter()
            .position(|(key, _)| *key == m)
            .ok_or_else(|| model::Error::new("ValidationError", "The marker is not valid"))?,
    };
    let mut rest = items.into_iter().skip(start);
    let out: Vec<T> = rest.by_ref().take(size).map(|(_, v)| v).collect();
    let next = rest.next().map(|(k, _)| k.to_owned());
    Ok((out, next))
}

async fn dispatch(api: &Api, scope: &Scope, op: &str, q: &QueryMap) -> Result<Result_, ApiError> {
    let scope = scope.clone();
    let now = Timestamp::now().0;
    match op {
        "CreateLoadBalancer" => {
            let r: s::CreateLoadBalancerInput = decode(q)?;
            let new = NewLoadBalancer {
                name: r.name.clone(),
                lb_type: r.type_.clone(),
                scheme: r.scheme.clone(),
                subnets: r.subnets.clone(),
                subnet_mappings: mapping_specs(&r.subnet_mappings),
                security_groups: r.security_groups.clone(),
                ip_address_type: r.ip_address_type.clone(),
                tags: tags_in(&r.tags),
            };
            write(api, |w| {
                let arn = w.create_load_balancer(&scope, new, now)?;
                let l = w.find_load_balancer(&scope, &arn)?;
                Ok(s::CreateLoadBalancerOutput { load_balancers: vec![render(w, l)] })
            })
            .await
        }
        "DescribeLoadBalancers" => {
            let r: s::DescribeLoadBalancersInput = decode(q)?;
            read(api, |w| {
                let items = select(w, &scope, &r)?
                    .into_iter()
                    .map(|l| (l.arn.as_str(), render(w, l)))
                    .collect();
                let (load_balancers, next_marker) = page(items, r.marker.as_deref(), r.page_size)?;
                Ok(s::DescribeLoadBalancersOutput { load_balancers, next_marker })
            })
            .await
        }
        "DeleteLoadBalancer" => {
            let r: s::DeleteLoadBalancerInput = decode(q)?;
            write(api, |w| {
                w.delete_load_balancer(&scope, &r.load_balancer_arn)?;
                Ok(s::DeleteLoadBalancerOutput {})
            })
            .await
        }
        "DescribeLoadBalancerAttributes" => {
            let r: s::DescribeLoadBalancerAttributesInput = decode(q)?;
            read(api, |w| {
                let l = w.find_load_balancer(&scope, &r.load_balancer_arn)?;
                Ok(s::DescribeLoadBalancerAttributesOutput { attributes: attributes(l) })
            })
            .await
        }
        "ModifyLoadBalancerAttributes" => {
            let r: s::ModifyLoadBalancerAttributesInput = decode(q)?;
            let changes: Vec<(String, String)> = r
                .attributes
                .iter()
                .filter_map(|a| Some((a.key.clone()?, a.value.clone().unwrap_or_default())))
                .collect();
            write(api, |w| {
                w.modify_load_balancer_attributes(&scope, &r.load_balancer_arn, &changes)?;
                let l = w.find_load_balancer(&scope, &r.load_balancer_arn)?;
                Ok(s::ModifyLoadBalancerAttributesOutput { attributes: attributes(l) })
            })
            .await
        }
        "DescribeTags" => {
            let r: s::DescribeTagsInput = decode(q)?;
            read(api, |w| {
                let mut tag_descriptions = Vec::new();
                for arn in &r.resource_arns {
                    tag_descriptions.push(s::TagDescription {
                        resource_arn: Some(arn.clone()),
                        tags: tags_out(w.elb_tags(&scope, arn)?),
                    });
                }
                Ok(s::DescribeTagsOutput { tag_descriptions })
            })
            .await
        }
        "AddTags" => {
            let r: s::AddTagsInput = decode(q)?;
            let tags = tags_in(&r.tags);
            write(api, |w| {
                for arn in &r.resource_arns {
                    w.add_elb_tags(&scope, arn, &tags)?;
                }
                Ok(s::AddTagsOutput {})
            })
            .await
        }
        "RemoveTags" => {
            let r: s::RemoveTagsInput = decode(q)?;
            write(api, |w| {
                for arn in &r.resource_arns {
                    w.remove_elb_tags(&scope, arn, &r.tag_keys)?;
                }
                Ok(s::RemoveTagsOutput {})
            })
            .await
        }
        "SetSecurityGroups" => {
            let r: s::SetSecurityGroupsInput = decode(q)?;
            write(api, |w| {
                w.set_load_balancer_security_groups(
                    &scope,
                    &r.load_balancer_arn,
                    &r.security_groups,
                )?;
                let l = w.find_load_balancer(&scope, &r.load_balancer_arn)?;
                Ok(s::SetSecurityGroupsOutput {
                    security_group_ids: l.security_group_ids.clone(),
                    enforce_security_group_inbound_rules_on_private_link_traffic: render(w, l)
                        .enforce_security_group_inbound_rules_on_private_link_traffic,
                })
            })
            .await
        }
        "SetIpAddressType" => {
            let r: s::SetIpAddressTypeInput = decode(q)?;
            write(api, |w| {
                w.set_load_balancer_ip_address_type(
                    &scope,
                    &r.load_balancer_arn,
                    &r.ip_address_type,
                )?;
                Ok(s::SetIpAddressTypeOutput { ip_address_type: Some(r.ip_address_type.clone()) })
            })
            .await
        }
        "SetSubnets" => {
            let r: s::SetSubnetsInput = decode(q)?;
            let mappings = mapping_specs(&r.subnet_mappings);
            write(api, |w| {
                if r.enable_prefix_for_ipv6_source_nat.as_deref() == Some("on") {
                    return Err(lb::invalid_configuration(
                        "vpclab does not serve source NAT prefixes for IPv6 (EnablePrefixForIpv6SourceNat=on)",
                    ));
                }
                w.set_load_balancer_subnets(
                    &scope,
                    &r.load_balancer_arn,
                    &r.subnets,
                    &mappings,
                    r.ip_address_type.as_deref(),
                )?;
                let l = w.find_load_balancer(&scope, &r.load_balancer_arn)?;
                Ok(s::SetSubnetsOutput {
                    availability_zones: render(w, l).availability_zones,
                    ip_address_type: Some(l.ip_address_type.clone()),
                    ..Default::default()
                })
            })
            .await
        }
        other if targets::OPERATIONS.contains(&other) => {
            targets::dispatch(api, &scope, other, q, now).await
        }
        other => listeners::dispatch(api, &scope, other, q).await,
    }
}

/// The subnet mappings of a CreateLoadBalancer or SetSubnets request.
fn mapping_specs(mappings: &[s::SubnetMapping]) -> Vec<SubnetMappingSpec> {
    mappings
        .iter()
        .map(|m| SubnetMappingSpec {
            subnet_id: m.subnet_id.clone().unwrap_or_default(),
            allocation_id: m.allocation_id.clone(),
            private_ipv4_address: m.private_i_pv4_address.clone(),
        })
        .collect()
}

fn attributes(l: &lb::LoadBalancer) -> Vec<s::LoadBalancerAttribute> {
    l.attributes
        .iter()
        .map(|(k, v)| s::LoadBalancerAttribute { key: Some(k.clone()), value: Some(v.clone()) })
        .collect()
}
