//! Elastic IP operations (domain `vpc`; EC2-Classic addresses no longer exist).

use super::common::{tag_set, tags_for};
use super::eni::parse_ip;
use super::filter::{Filters, Row, Table, one, table};
use super::page::paginate;
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use codes::Ec2;
use model::address::AssociateTarget;
use model::kinds;
use model::{World, types::ec2 as m};
use shapes::ec2::*;
use wire::ApiError;
use wire::xml::ReturnTrue;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("AllocateAddress", write(allocate_address)),
        ("ReleaseAddress", write(release_address)),
        ("AssociateAddress", write(associate_address)),
        ("DisassociateAddress", write(disassociate_address)),
        ("DescribeAddresses", read(describe_addresses)),
        ("DescribeAddressesAttribute", read(describe_addresses_attribute)),
    ]
}

fn render(w: &World, a: &m::Address) -> Address {
    let assoc = a.association.as_ref();
    Address {
        allocation_id: Some(a.allocation_id.clone()),
        association_id: assoc.map(|x| x.association_id.clone()),
        domain: Some("vpc".into()),
        instance_id: w.address_instance(a),
        network_border_group: Some(a.network_border_group.clone()),
        network_interface_id: assoc.map(|x| x.network_interface_id.clone()),
        network_interface_owner_id: assoc.map(|_| a.owner.account.clone()),
        private_ip_address: assoc.map(|x| x.private_ip.to_string()),
        public_ip: Some(a.public_ip.to_string()),
        public_ipv4_pool: Some("amazon".into()),
        subnet_id: assoc
            .and_then(|x| w.network_interfaces.get(&x.network_interface_id))
            .map(|e| e.subnet_id.clone()),
        tags: tag_set(&a.tags),
        ..Default::default()
    }
}

fn allocate_address(
    ctx: &Ctx,
    w: &mut World,
    req: AllocateAddressRequest,
) -> Outcome<AllocateAddressResult> {
    // Any other Domain — empty or unknown — allocates a VPC address, as AWS does.
    if req.domain.as_deref() == Some("standard") {
        return Err(ApiError::invalid_parameter_value(
            "EC2-Classic addresses (Domain standard) no longer exist; use Domain vpc.",
        )
        .into());
    }
    if req.address.is_some()
        || req.customer_owned_ipv4_pool.is_some()
        || req.ipam_pool_id.is_some()
        || req.public_ipv4_pool.as_deref().is_some_and(|p| p != "amazon")
    {
        return Err(ApiError::invalid_parameter_value(
            "BYOIP, IPAM and customer-owned address pools are not supported by vpclab.",
        )
        .into());
    }
    if let Some(g) = &req.network_border_group
        && g != &ctx.scope.region
    {
        return Err(ApiError::invalid_parameter_value(format!(
            "Value ({g}) for parameter networkBorderGroup is invalid."
        ))
        .into());
    }
    let id = w.allocate_address(&ctx.scope, &tags_for(&req.tag_specifications, "elastic-ip")?)?;
    let a = w.find_address(&ctx.scope, &id)?;
    Ok(AllocateAddressResult {
        allocation_id: Some(id.clone()),
        domain: Some("vpc".into()),
        network_border_group: Some(a.network_border_group.clone()),
        public_ip: Some(a.public_ip.to_string()),
        public_ipv4_pool: Some("amazon".into()),
        ..Default::default()
    })
}

/// The allocation named by `AllocationId` or `PublicIp` (exactly one).
fn allocation(
    ctx: &Ctx,
    w: &World,
    allocation_id: Option<&str>,
    public_ip: Option<&str>,
) -> Result<String, crate::Fail> {
    match (allocation_id, public_ip) {
        (Some(id), None) => Ok(w.find_address(&ctx.scope, id)?.allocation_id.clone()),
        (None, Some(ip)) => Ok(w.allocation_by_public_ip(&ctx.scope, ip)?),
        (Some(_), Some(_)) => Err(ApiError::client(
            Ec2::InvalidParameterCombination,
            "The parameter PublicIp cannot be used with the parameter AllocationId",
        )
        .into()),
        (None, None) => Err(ApiError::missing_parameter("AllocationId").into()),
    }
}

fn release_address(ctx: &Ctx, w: &mut World, req: ReleaseAddressRequest) -> Outcome<ReturnTrue> {
    let id = allocation(ctx, w, req.allocation_id.as_deref(), req.public_ip.as_deref())?;
    w.release_address(&ctx.scope, &id)?;
    Ok(ReturnTrue)
}

fn associate_address(
    ctx: &Ctx,
    w: &mut World,
    req: AssociateAddressRequest,
) -> Outcome<AssociateAddressResult> {
    let id = allocation(ctx, w, req.allocation_id.as_deref(), req.public_ip.as_deref())?;
    let private_ip =
        req.private_ip_address.as_deref().map(|ip| parse_ip(ip, "privateIpAddress")).transpose()?;
    let association = w.associate_address(
        &ctx.scope,
        &id,
        AssociateTarget {
            instance_id: req.instance_id,
            network_interface_id: req.network_interface_id,
            private_ip,
        },
        req.allow_reassociation.unwrap_or(false),
    )?;
    Ok(AssociateAddressResult { association_id: Some(association) })
}

fn disassociate_address(
    ctx: &Ctx,
    w: &mut World,
    req: DisassociateAddressRequest,
) -> Outcome<ReturnTrue> {
    let association = match (req.association_id, req.public_ip) {
        (Some(a), None) => a,
        (None, Some(ip)) => {
            let id = w.allocation_by_public_ip(&ctx.scope, &ip)?;
            w.find_address(&ctx.scope, &id)?
                .association
                .as_ref()
                .map(|a| a.association_id.clone())
                .ok_or_else(|| {
                    ApiError::client(
                        Ec2::InvalidAssociationIDNotFound,
                        format!("The address '{ip}' is not associated."),
                    )
                })?
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::client(
                Ec2::InvalidParameterCombination,
                "The parameter PublicIp cannot be used with the parameter AssociationId",
            )
            .into());
        }
        (None, None) => return Err(ApiError::missing_parameter("AssociationId").into()),
    };
    w.disassociate_address(&ctx.scope, &association)?;
    Ok(ReturnTrue)
}

pub(super) const ADDRESS_FILTERS: Table<m::Address> = table![
    "allocation-id" => |a| one(&a.allocation_id),
    "association-id" => |a| a.association.as_ref().map(|x| x.association_id.clone()).into_iter().collect(),
    "domain" => |_| one("vpc"),
    "instance-id" => |a| a.world.address_instance(a.item).into_iter().collect(),
    "network-border-group" => |a| one(&a.network_border_group),
    "network-interface-id" => {
        |a| a.association.as_ref().map(|x| x.network_interface_id.clone()).into_iter().collect()
    },
    "network-interface-owner-id" => {
        |a| a.association.as_ref().map(|_| a.owner.account.clone()).into_iter().collect()
    },
    "private-ip-address" => |a| a.association.as_ref().map(|x| x.private_ip.to_string()).into_iter().collect(),
    "public-ip" => |a| one(a.public_ip),
];

fn describe_addresses(
    ctx: &Ctx,
    w: &World,
    req: DescribeAddressesRequest,
) -> Outcome<DescribeAddressesResult> {
    let filters = Filters::new(&req.filters, ADDRESS_FILTERS)?;
    for id in &req.allocation_ids {
        w.addresses.find(&kinds::ADDRESS, &ctx.scope, id)?;
    }
    for ip in &req.public_ips {
        w.allocation_by_public_ip(&ctx.scope, ip)?;
    }
    let addresses = w
        .addresses
        .in_scope(&ctx.scope)
        .filter(|a| req.allocation_ids.is_empty() || req.allocation_ids.contains(&a.allocation_id))
        .filter(|a| req.public_ips.is_empty() || req.public_ips.contains(&a.public_ip.to_string()))
        .filter(|a| filters.matches(&Row::new(w, &ctx.scope, a), &a.tags))
        .map(|a| render(w, a))
        .collect();
    Ok(DescribeAddressesResult { addresses })
}

/// DescribeAddressesAttribute: vpclab keeps no reverse-DNS (PTR) records, so each address is
/// listed with no `PtrRecord`.
fn describe_addresses_attribute(
    ctx: &Ctx,
    w: &World,
    req: DescribeAddressesAttributeRequest,
) -> Outcome<DescribeAddressesAttributeResult> {
    if let Some(a) = &req.attribute
        && a != "domain-name"
    {
        return Err(ApiError::invalid_parameter_value(format!(
            "Value ({a}) for parameter attribute is invalid."
        ))
        .into());
    }
    for id in &req.allocation_ids {
        w.addresses.find(&kinds::ADDRESS, &ctx.scope, id)?;
    }
    let items = w
        .addresses
        .in_scope(&ctx.scope)
        .filter(|a| req.allocation_ids.is_empty() || req.allocation_ids.contains(&a.allocation_id))
        .map(|a| {
            (
                a.allocation_id.clone(),
                AddressAttribute {
                    allocation_id: Some(a.allocation_id.clone()),
                    public_ip: Some(a.public_ip.to_string()),
                    ..Default::default()
                },
            )
        })
        .collect();
    let (addresses, next_token) =
        paginate(items, req.max_results, req.next_token.as_deref(), (1, 1000))?;
    Ok(DescribeAddressesAttributeResult { addresses, next_token })
}
