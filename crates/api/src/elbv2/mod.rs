//! Elastic Load Balancing v2 (`elasticloadbalancing`, awsQuery): `Action=…&Version=2015-12-01`,
//! lists as `X.member.N`, answers `<XResponse><XResult>…` and errors as `<ErrorResponse>` with
//! ELBv2's codes.
//!
//! Each operation is a typed handler in the shared [`crate::registry`]: the generated request
//! shape in (unknown parameters refused as it is decoded, outside any lock), the generated
//! response shape out; request-shape failures (`MissingParameter`, `InvalidParameterValue`)
//! are ELBv2's `ValidationError`. Load balancers (create, describe with `Marker`/`PageSize`,
//! delete, security groups, subnets, IP address type), their attributes and the tags of every
//! ELBv2 resource are served here; target groups, targets and their health in [`targets`];
//! listeners, their attributes and certificates in [`listeners`]; rules in [`rules`]; SSL
//! policies, account limits and the read-only answers Terraform asks for in [`catalog`]. The
//! rules live in [`model::load_balancer`], [`model::target_group`] and [`model::listener`].

mod catalog;
mod listeners;
mod rules;
mod targets;

use crate::registry::{self, Ctx, Query, Registry, read, write};
use crate::sts::render_query;
use crate::{Api, Outcome, Reply, Request};
use codes::{Code, Elbv2, Protocol};
use model::load_balancer::{self as lb, NewLoadBalancer, SubnetMappingSpec};
use model::{Scope, World};
use shapes::elbv2 as s;
use std::sync::OnceLock;
use wire::{ApiError, Timestamp, ToXml};

pub use s::{API_VERSION, XML_NAMESPACE as XMLNS};

/// An ELBv2 operation, as a handler module lists it.
type Handler = registry::Operation<Query>;

/// `<XResponse xmlns=…><XResult>…</XResult><ResponseMetadata>…`.
fn render(ctx: &Ctx<'_>, action: &str, answer: &(dyn ToXml + Send)) -> Reply {
    render_query(action, XMLNS, answer, &ctx.request_id)
}

fn registry() -> &'static Registry<Query> {
    static REGISTRY: OnceLock<Registry<Query>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        Registry::new(
            [
                handlers(),
                targets::handlers(),
                listeners::handlers(),
                rules::handlers(),
                catalog::handlers(),
            ],
            ApiError::invalid_action,
            render,
        )
    })
}

/// The operations served, sorted.
pub fn operations() -> Vec<&'static str> {
    registry().operations()
}

/// Whether an ELBv2 operation only reads (its handler is a reader).
pub(crate) fn is_read(action: &str) -> bool {
    registry().is_read(action)
}

/// Serves one ELBv2 request.
pub async fn handle(api: &Api, request: &Request) -> Result<Reply, ApiError> {
    let q = &request.params;
    let action = match q.action() {
        Some(a) if !a.is_empty() => a,
        _ => return Err(ApiError::missing_parameter("Action")),
    };
    let ctx = Ctx::new(api, &request.scope, &request.request_id);
    registry().serve(&ctx, action, q).await.map_err(validation_error)
}

/// Request-shape failures are ELBv2's `ValidationError`.
fn validation_error(e: ApiError) -> ApiError {
    if matches!(
        e.code,
        Code::Protocol(Protocol::MissingParameter | Protocol::InvalidParameterValue)
    ) {
        ApiError::client(Elbv2::ValidationError, e.message)
    } else {
        e
    }
}

pub(crate) fn tags_in(tags: &[s::Tag]) -> Vec<(String, Option<String>)> {
    tags.iter().map(|t| (t.key.clone(), t.value.clone())).collect()
}

pub(crate) fn tags_out(tags: &model::types::ec2::Tags) -> Vec<s::Tag> {
    tags.iter().map(|(k, v)| s::Tag { key: k.clone(), value: Some(v.clone()) }).collect()
}

/// A load balancer as DescribeLoadBalancers shows it.
fn load_balancer_out(w: &World, l: &lb::LoadBalancer) -> s::LoadBalancer {
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
            Elbv2::ValidationError,
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
                Elbv2::ValidationError,
                format!("Page size '{n}' must be between 1 and 400"),
            ));
        }
    };
    let start = match marker {
        None => 0,
        Some(m) => items
            .iter()
            .position(|(key, _)| *key == m)
            .ok_or_else(|| model::Error::new(Elbv2::ValidationError, "The marker is not valid"))?,
    };
    let mut rest = items.into_iter().skip(start);
    let out: Vec<T> = rest.by_ref().take(size).map(|(_, v)| v).collect();
    let next = rest.next().map(|(k, _)| k.to_owned());
    Ok((out, next))
}

fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateLoadBalancer", write(create_load_balancer)),
        ("DescribeLoadBalancers", read(describe_load_balancers)),
        ("DeleteLoadBalancer", write(delete_load_balancer)),
        ("DescribeLoadBalancerAttributes", read(describe_load_balancer_attributes)),
        ("ModifyLoadBalancerAttributes", write(modify_load_balancer_attributes)),
        ("DescribeTags", read(describe_tags)),
        ("AddTags", write(add_tags)),
        ("RemoveTags", write(remove_tags)),
        ("SetSecurityGroups", write(set_security_groups)),
        ("SetIpAddressType", write(set_ip_address_type)),
        ("SetSubnets", write(set_subnets)),
    ]
}

fn create_load_balancer(
    ctx: &Ctx,
    w: &mut World,
    r: s::CreateLoadBalancerInput,
) -> Outcome<s::CreateLoadBalancerOutput> {
    let new = NewLoadBalancer {
        name: r.name,
        lb_type: r.type_,
        scheme: r.scheme,
        subnets: r.subnets,
        subnet_mappings: mapping_specs(&r.subnet_mappings),
        security_groups: r.security_groups,
        ip_address_type: r.ip_address_type,
        tags: tags_in(&r.tags),
    };
    let arn = w.create_load_balancer(&ctx.scope, new, ctx.now)?;
    let l = w.find_load_balancer(&ctx.scope, &arn)?;
    Ok(s::CreateLoadBalancerOutput { load_balancers: vec![load_balancer_out(w, l)] })
}

fn describe_load_balancers(
    ctx: &Ctx,
    w: &World,
    r: s::DescribeLoadBalancersInput,
) -> Outcome<s::DescribeLoadBalancersOutput> {
    let items = select(w, &ctx.scope, &r)?
        .into_iter()
        .map(|l| (l.arn.as_str(), load_balancer_out(w, l)))
        .collect();
    let (load_balancers, next_marker) = page(items, r.marker.as_deref(), r.page_size)?;
    Ok(s::DescribeLoadBalancersOutput { load_balancers, next_marker })
}

fn delete_load_balancer(
    ctx: &Ctx,
    w: &mut World,
    r: s::DeleteLoadBalancerInput,
) -> Outcome<s::DeleteLoadBalancerOutput> {
    w.delete_load_balancer(&ctx.scope, &r.load_balancer_arn)?;
    Ok(s::DeleteLoadBalancerOutput {})
}

fn describe_load_balancer_attributes(
    ctx: &Ctx,
    w: &World,
    r: s::DescribeLoadBalancerAttributesInput,
) -> Outcome<s::DescribeLoadBalancerAttributesOutput> {
    let l = w.find_load_balancer(&ctx.scope, &r.load_balancer_arn)?;
    Ok(s::DescribeLoadBalancerAttributesOutput { attributes: attributes(l) })
}

fn modify_load_balancer_attributes(
    ctx: &Ctx,
    w: &mut World,
    r: s::ModifyLoadBalancerAttributesInput,
) -> Outcome<s::ModifyLoadBalancerAttributesOutput> {
    let changes = attribute_changes(r.attributes.iter().map(|a| (&a.key, &a.value)));
    w.modify_load_balancer_attributes(&ctx.scope, &r.load_balancer_arn, &changes)?;
    let l = w.find_load_balancer(&ctx.scope, &r.load_balancer_arn)?;
    Ok(s::ModifyLoadBalancerAttributesOutput { attributes: attributes(l) })
}

/// The (key, value) changes of a Modify…Attributes request: those without a key are dropped, a
/// missing value is empty.
pub(crate) fn attribute_changes<'a>(
    attributes: impl Iterator<Item = (&'a Option<String>, &'a Option<String>)>,
) -> Vec<(String, String)> {
    attributes.filter_map(|(k, v)| Some((k.clone()?, v.clone().unwrap_or_default()))).collect()
}

fn describe_tags(ctx: &Ctx, w: &World, r: s::DescribeTagsInput) -> Outcome<s::DescribeTagsOutput> {
    let mut tag_descriptions = Vec::new();
    for arn in &r.resource_arns {
        tag_descriptions.push(s::TagDescription {
            resource_arn: Some(arn.clone()),
            tags: tags_out(w.elb_tags(&ctx.scope, arn)?),
        });
    }
    Ok(s::DescribeTagsOutput { tag_descriptions })
}

fn add_tags(ctx: &Ctx, w: &mut World, r: s::AddTagsInput) -> Outcome<s::AddTagsOutput> {
    let tags = tags_in(&r.tags);
    for arn in &r.resource_arns {
        w.add_elb_tags(&ctx.scope, arn, &tags)?;
    }
    Ok(s::AddTagsOutput {})
}

fn remove_tags(ctx: &Ctx, w: &mut World, r: s::RemoveTagsInput) -> Outcome<s::RemoveTagsOutput> {
    for arn in &r.resource_arns {
        w.remove_elb_tags(&ctx.scope, arn, &r.tag_keys)?;
    }
    Ok(s::RemoveTagsOutput {})
}

fn set_security_groups(
    ctx: &Ctx,
    w: &mut World,
    r: s::SetSecurityGroupsInput,
) -> Outcome<s::SetSecurityGroupsOutput> {
    w.set_load_balancer_security_groups(&ctx.scope, &r.load_balancer_arn, &r.security_groups)?;
    let l = w.find_load_balancer(&ctx.scope, &r.load_balancer_arn)?;
    Ok(s::SetSecurityGroupsOutput {
        security_group_ids: l.security_group_ids.clone(),
        enforce_security_group_inbound_rules_on_private_link_traffic: load_balancer_out(w, l)
            .enforce_security_group_inbound_rules_on_private_link_traffic,
    })
}

fn set_ip_address_type(
    ctx: &Ctx,
    w: &mut World,
    r: s::SetIpAddressTypeInput,
) -> Outcome<s::SetIpAddressTypeOutput> {
    w.set_load_balancer_ip_address_type(&ctx.scope, &r.load_balancer_arn, &r.ip_address_type)?;
    Ok(s::SetIpAddressTypeOutput { ip_address_type: Some(r.ip_address_type) })
}

fn set_subnets(ctx: &Ctx, w: &mut World, r: s::SetSubnetsInput) -> Outcome<s::SetSubnetsOutput> {
    if r.enable_prefix_for_ipv6_source_nat.as_deref() == Some("on") {
        return Err(lb::invalid_configuration(
            "vpclab does not serve source NAT prefixes for IPv6 (EnablePrefixForIpv6SourceNat=on)",
        )
        .into());
    }
    w.set_load_balancer_subnets(
        &ctx.scope,
        &r.load_balancer_arn,
        &r.subnets,
        &mapping_specs(&r.subnet_mappings),
        r.ip_address_type.as_deref(),
    )?;
    let l = w.find_load_balancer(&ctx.scope, &r.load_balancer_arn)?;
    Ok(s::SetSubnetsOutput {
        availability_zones: load_balancer_out(w, l).availability_zones,
        ip_address_type: Some(l.ip_address_type.clone()),
        ..Default::default()
    })
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
