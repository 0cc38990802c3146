//! Network interface operations.

use super::common::{attr_bool, attr_value, tag_set, tags_for};
use super::describe::{Ask, describe, in_scope, require_found};
use super::filter::{Row, Table, flag, one, table};
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use codes::Ec2;
use model::eni::{InterfaceChange, NewInterface, public_dns_name};
use model::kinds;
use model::{Scope, World, types::ec2 as m};
use shapes::ec2::*;
use std::net::{Ipv4Addr, Ipv6Addr};
use wire::xml::ReturnTrue;
use wire::{ApiError, Timestamp};

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateNetworkInterface", write(create_network_interface)),
        ("DeleteNetworkInterface", write(delete_network_interface)),
        ("DescribeNetworkInterfaces", read(describe_network_interfaces)),
        ("AttachNetworkInterface", write(attach_network_interface)),
        ("DetachNetworkInterface", write(detach_network_interface)),
        ("ModifyNetworkInterfaceAttribute", write(modify_network_interface_attribute)),
        ("DescribeNetworkInterfaceAttribute", read(describe_network_interface_attribute)),
        ("AssignPrivateIpAddresses", write(assign_private_ip_addresses)),
        ("UnassignPrivateIpAddresses", write(unassign_private_ip_addresses)),
    ]
}

/// An IPv4 address parameter.
pub(super) fn parse_ip(raw: &str, param: &str) -> Result<Ipv4Addr, ApiError> {
    raw.trim().parse().map_err(|_| {
        ApiError::invalid_parameter_value(format!(
            "Value ({raw}) for parameter {param} is invalid. This is not a valid IP address."
        ))
    })
}

fn parse_ip6(raw: &str) -> Result<Ipv6Addr, ApiError> {
    raw.trim().parse().map_err(|_| {
        ApiError::invalid_parameter_value(format!(
            "Value ({raw}) for parameter ipv6Address is invalid. This is not a valid IPv6 address."
        ))
    })
}

/// A count parameter that must not be negative.
pub(super) fn count(v: Option<i32>, param: &str) -> Result<u32, ApiError> {
    match v {
        None => Ok(0),
        Some(n) => u32::try_from(n).map_err(|_| {
            ApiError::invalid_parameter_value(format!(
                "Value ({n}) for parameter {param} is invalid. Expecting a value greater than or equal to 0."
            ))
        }),
    }
}

/// Whether public DNS names are given in the interface's VPC.
pub(super) fn dns_hostnames(w: &World, vpc_id: &str) -> bool {
    w.vpcs.get(vpc_id).is_some_and(|v| v.enable_dns_hostnames)
}

/// The public side of a private address, if any.
pub(super) fn association(
    w: &World,
    owner: &Scope,
    vpc_id: &str,
    p: &m::PrivateIp,
) -> Option<NetworkInterfaceAssociation> {
    let public = p.public.as_ref()?;
    let association_id = public.allocation_id.as_ref().and_then(|a| {
        w.addresses.get(a).and_then(|x| x.association.as_ref()).map(|x| x.association_id.clone())
    });
    Some(NetworkInterfaceAssociation {
        allocation_id: public.allocation_id.clone(),
        association_id,
        ip_owner_id: Some(if public.allocation_id.is_some() {
            owner.account.clone()
        } else {
            "amazon".into()
        }),
        public_dns_name: dns_hostnames(w, vpc_id).then(|| public_dns_name(owner, public.address)),
        public_ip: Some(public.address.to_string()),
        ..Default::default()
    })
}

pub(super) fn group_identifiers(w: &World, ids: &[String]) -> Vec<GroupIdentifier> {
    ids.iter()
        .map(|g| GroupIdentifier {
            group_id: Some(g.clone()),
            group_name: w.security_groups.get(g).map(|s| s.name.clone()),
        })
        .collect()
}

fn attachment(e: &m::NetworkInterface) -> Option<NetworkInterfaceAttachment> {
    e.attachment.as_ref().map(|a| NetworkInterfaceAttachment {
        attach_time: Some(Timestamp(a.attach_time)),
        attachment_id: Some(a.id.clone()),
        delete_on_termination: Some(a.delete_on_termination),
        device_index: Some(a.device_index),
        instance_id: Some(a.instance_id.clone()),
        instance_owner_id: Some(e.owner.account.clone()),
        network_card_index: Some(0),
        status: Some("attached".into()),
        ..Default::default()
    })
}

pub(super) fn render(w: &World, e: &m::NetworkInterface) -> NetworkInterface {
    let zone_id = w.subnets.get(&e.subnet_id).map(|s| s.availability_zone_id.clone());
    let primary = e.private_ips.first();
    NetworkInterface {
        association: primary.and_then(|p| association(w, &e.owner, &e.vpc_id, p)),
        attachment: attachment(e),
        availability_zone: Some(e.availability_zone.clone()),
        availability_zone_id: zone_id,
        deny_all_igw_traffic: Some(false),
        description: Some(e.description.clone()),
        groups: group_identifiers(w, &e.security_groups),
        interface_type: Some(e.interface_type.clone()),
        ipv6_address: e.ipv6_addresses.first().map(|a| a.to_string()),
        ipv6_addresses: e
            .ipv6_addresses
            .iter()
            .map(|a| NetworkInterfaceIpv6Address {
                ipv6_address: Some(a.to_string()),
                is_primary_ipv6: Some(false),
                ..Default::default()
            })
            .collect(),
        ipv6_native: Some(false),
        mac_address: Some(e.mac_address.clone()),
        network_interface_id: Some(e.id.clone()),
        owner_id: Some(e.owner.account.clone()),
        private_dns_name: primary.map(|p| model::eni::private_dns_name(&e.owner, p.address)),
        private_ip_address: primary.map(|p| p.address.to_string()),
        private_ip_addresses: e
            .private_ips
            .iter()
            .enumerate()
            .map(|(i, p)| NetworkInterfacePrivateIpAddress {
                association: association(w, &e.owner, &e.vpc_id, p),
                primary: Some(i == 0),
                private_dns_name: Some(model::eni::private_dns_name(&e.owner, p.address)),
                private_ip_address: Some(p.address.to_string()),
            })
            .collect(),
        public_dns_name: primary
            .and_then(|p| p.public.as_ref())
            .filter(|_| dns_hostnames(w, &e.vpc_id))
            .map(|p| public_dns_name(&e.owner, p.address)),
        requester_id: e.requester_id.clone(),
        requester_managed: Some(e.requester_managed),
        source_dest_check: Some(e.source_dest_check),
        status: Some(e.status().into()),
        subnet_id: Some(e.subnet_id.clone()),
        tag_set: tag_set(&e.tags),
        vpc_id: Some(e.vpc_id.clone()),
        ..Default::default()
    }
}

fn create_network_interface(
    ctx: &Ctx,
    w: &mut World,
    req: CreateNetworkInterfaceRequest,
) -> Outcome<CreateNetworkInterfaceResult> {
    if !req.ipv4_prefixes.is_empty()
        || req.ipv4_prefix_count.is_some()
        || !req.ipv6_prefixes.is_empty()
        || req.ipv6_prefix_count.is_some()
    {
        return Err(ApiError::invalid_parameter_value(
            "Prefix delegation is not supported by vpclab.",
        )
        .into());
    }
    let tags = tags_for(&req.tag_specifications, "network-interface")?;
    let mut primary =
        req.private_ip_address.as_deref().map(|ip| parse_ip(ip, "privateIpAddress")).transpose()?;
    let mut secondary = Vec::new();
    for spec in &req.private_ip_addresses {
        let raw = spec
            .private_ip_address
            .as_deref()
            .ok_or_else(|| ApiError::missing_parameter("PrivateIpAddresses.N.PrivateIpAddress"))?;
        let ip = parse_ip(raw, "privateIpAddresses")?;
        if spec.primary == Some(true) {
            if primary.is_some_and(|p| p != ip) {
                return Err(ApiError::client(
                    Ec2::InvalidParameterCombination,
                    "Only one primary private IP address may be specified.",
                )
                .into());
            }
            primary = Some(ip);
        } else if Some(ip) != primary {
            secondary.push(ip);
        }
    }
    let ipv6_addresses = req
        .ipv6_addresses
        .iter()
        .filter_map(|a| a.ipv6_address.as_deref())
        .map(parse_ip6)
        .collect::<Result<Vec<_>, _>>()?;
    let id = w.create_network_interface(
        &ctx.scope,
        NewInterface {
            subnet_id: req.subnet_id.clone(),
            description: req.description.clone().unwrap_or_default(),
            private_ip: primary,
            secondary_ips: secondary,
            secondary_count: count(
                req.secondary_private_ip_address_count,
                "secondaryPrivateIpAddressCount",
            )?,
            groups: req.groups.clone(),
            ipv6_addresses,
            ipv6_count: count(req.ipv6_address_count, "ipv6AddressCount")?,
            interface_type: req.interface_type.clone(),
            tags,
        },
    )?;
    let e = w.network_interfaces.find(&kinds::NETWORK_INTERFACE, &ctx.scope, &id)?;
    let mut shown = render(w, e);
    shown.status = Some("pending".into());
    Ok(CreateNetworkInterfaceResult {
        client_token: req.client_token,
        network_interface: Some(shown),
    })
}

fn delete_network_interface(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteNetworkInterfaceRequest,
) -> Outcome<ReturnTrue> {
    w.delete_network_interface(&ctx.scope, &req.network_interface_id)?;
    Ok(ReturnTrue)
}

type NicRow<'a> = Row<'a, m::NetworkInterface>;

/// The interface's public addresses.
fn publics<'a>(e: &NicRow<'a>) -> impl Iterator<Item = &'a m::PublicIp> {
    e.item.private_ips.iter().filter_map(|p| p.public.as_ref())
}

/// The public address of the primary private address.
fn primary_public<'a>(e: &NicRow<'a>) -> Option<&'a m::PublicIp> {
    e.item.private_ips.first().and_then(|p| p.public.as_ref())
}

fn att<'a>(e: &NicRow<'a>) -> Option<&'a m::InterfaceAttachment> {
    e.item.attachment.as_ref()
}

/// The Elastic IP association of a public address.
fn association_of(e: &NicRow, p: &m::PublicIp) -> Option<m::AddressAssociation> {
    p.allocation_id
        .as_ref()
        .and_then(|a| e.world.addresses.get(a))
        .and_then(|a| a.association.clone())
}

/// Who owns a public address: the account for an Elastic IP, Amazon otherwise.
fn public_owner(e: &NicRow, p: &m::PublicIp) -> String {
    if p.allocation_id.is_some() { e.owner.account.clone() } else { "amazon".into() }
}

fn public_dns_names<'a>(
    e: &NicRow<'a>,
    addresses: impl Iterator<Item = &'a m::PublicIp>,
) -> Vec<String> {
    addresses
        .filter(|_| dns_hostnames(e.world, &e.vpc_id))
        .map(|p| public_dns_name(&e.owner, p.address))
        .collect()
}

fn association_public_dns_name(e: &NicRow) -> Vec<String> {
    public_dns_names(e, primary_public(e).into_iter())
}

/// Not modelled, so as AWS reports an interface without them: no prefixes; no carrier
/// (Wavelength) or customer-owned (Outposts) addresses.
fn not_modelled(_: &NicRow) -> Vec<String> {
    vec![]
}

pub(super) const ENI_FILTERS: Table<m::NetworkInterface> = table![
    "association.allocation-id" => {
        |e| primary_public(e).and_then(|p| p.allocation_id.clone()).into_iter().collect()
    },
    "association.association-id" => |e| {
        primary_public(e)
            .and_then(|p| association_of(e, p))
            .map(|a| a.association_id)
            .into_iter()
            .collect()
    },
    "addresses.association.owner-id" => |e| publics(e).map(|p| public_owner(e, p)).collect(),
    "addresses.association.public-ip" => |e| publics(e).map(|p| p.address.to_string()).collect(),
    "addresses.primary" => |_| flag(true),
    "addresses.private-ip-address" => {
        |e| e.private_ips.iter().map(|p| p.address.to_string()).collect()
    },
    "association.ip-owner-id" => {
        |e| primary_public(e).map(|p| public_owner(e, p)).into_iter().collect()
    },
    "association.public-ip" => {
        |e| primary_public(e).map(|p| p.address.to_string()).into_iter().collect()
    },
    "association.public-dns-name" => association_public_dns_name,
    "attachment.attach-time" => {
        |e| att(e).map(|a| Timestamp(a.attach_time).to_iso8601()).into_iter().collect()
    },
    "attachment.attachment-id" => |e| att(e).map(|a| a.id.clone()).into_iter().collect(),
    "attachment.delete-on-termination" => {
        |e| att(e).map(|a| flag(a.delete_on_termination)).unwrap_or_default()
    },
    "attachment.device-index" => {
        |e| att(e).map(|a| a.device_index.to_string()).into_iter().collect()
    },
    "attachment.instance-id" => |e| att(e).map(|a| a.instance_id.clone()).into_iter().collect(),
    "attachment.instance-owner-id" => {
        |e| att(e).map(|_| e.owner.account.clone()).into_iter().collect()
    },
    "attachment.status" => |e| att(e).map(|_| "attached".to_owned()).into_iter().collect(),
    "availability-zone" => |e| one(&e.availability_zone),
    "availability-zone-id" => |e| {
        e.world.subnets.get(&e.subnet_id).map(|s| s.availability_zone_id.clone()).into_iter().collect()
    },
    "description" => |e| one(&e.description),
    "group-id" => |e| e.security_groups.clone(),
    "group-name" => |e| {
        e.security_groups
            .iter()
            .filter_map(|g| e.world.security_groups.get(g))
            .map(|g| g.name.clone())
            .collect()
    },
    "ipv6-addresses.ipv6-address" => |e| e.ipv6_addresses.iter().map(|a| a.to_string()).collect(),
    "interface-type" => |e| one(&e.interface_type),
    "mac-address" => |e| one(&e.mac_address),
    "network-interface-id" => |e| one(&e.id),
    // No service operates vpclab's interfaces (AWS's `Operator` of managed interfaces).
    "operator.managed" => |_| flag(false),
    "operator.principal" => |_| vec![],
    "owner-id" => |e| one(&e.owner.account),
    "private-dns-name" => |e| {
        e.primary_ip().map(|ip| model::eni::private_dns_name(&e.owner, ip)).into_iter().collect()
    },
    "private-ip-address" => |e| e.primary_ip().map(|ip| ip.to_string()).into_iter().collect(),
    "requester-id" => |e| e.requester_id.clone().into_iter().collect(),
    "requester-managed" => |e| flag(e.requester_managed),
    "source-dest-check" => |e| flag(e.source_dest_check),
    "status" => |e| one(e.status()),
    "subnet-id" => |e| one(&e.subnet_id),
    "vpc-id" => |e| one(&e.vpc_id),
];

/// The rest of DescribeInstances' `network-interface.X` filters, which
/// DescribeNetworkInterfaces does not take.
pub(super) const INSTANCE_INTERFACE_FILTERS: Table<m::NetworkInterface> = table![
    "addresses.association.allocation-id" => {
        |e| publics(e).filter_map(|p| p.allocation_id.clone()).collect()
    },
    "addresses.association.association-id" => {
        |e| publics(e).filter_map(|p| association_of(e, p)).map(|a| a.association_id).collect()
    },
    "addresses.association.public-dns-name" => |e| public_dns_names(e, publics(e)),
    "addresses.private-dns-name" => |e| {
        e.private_ips.iter().map(|p| model::eni::private_dns_name(&e.owner, p.address)).collect()
    },
    "attachment.network-card-index" => |e| att(e).map(|_| "0".to_owned()).into_iter().collect(),
    // Not modelled: no primary IPv6 address, IGW traffic allowed.
    "deny-all-igw-traffic" => |_| flag(false),
    "ipv4-prefixes.ipv4-prefix" => not_modelled,
    "ipv6-prefixes.ipv6-prefix" => not_modelled,
    "addresses.association.carrier-ip" => not_modelled,
    "addresses.association.customer-owned-ip" => not_modelled,
    "association.carrier-ip" => not_modelled,
    "association.customer-owned-ip" => not_modelled,
    "outpost-arn" => not_modelled,
    "ipv6-addresses.is-primary-ipv6" => {
        |e| e.ipv6_addresses.iter().flat_map(|_| flag(false)).collect()
    },
    "ipv6-native" => |e| {
        flag(e.world.subnets.get(&e.subnet_id).is_some_and(|s| s.is_ipv6_only()))
    },
    "public-dns-name" => association_public_dns_name,
    "tag-key" => |e| e.tags.keys().cloned().collect(),
    "tag-value" => |e| e.tags.values().cloned().collect(),
];

/// The values of DescribeInstances' filter `network-interface.<name>` for one interface: as
/// DescribeNetworkInterfaces' filter `name` reads it, or the instance's own extras.
pub(super) fn interface_values(e: &NicRow, name: &str) -> Vec<String> {
    ENI_FILTERS
        .iter()
        .chain(INSTANCE_INTERFACE_FILTERS)
        .find(|f| f.name == name)
        .map(|f| (f.values)(e))
        .unwrap_or_default()
}

fn describe_network_interfaces(
    ctx: &Ctx,
    w: &World,
    req: DescribeNetworkInterfacesRequest,
) -> Outcome<DescribeNetworkInterfacesResult> {
    if !req.network_interface_ids.is_empty() && req.max_results.is_some() {
        return Err(ApiError::client(
            Ec2::InvalidParameterCombination,
            "The parameter NetworkInterfaceIds cannot be used with the parameter MaxResults",
        )
        .into());
    }
    let ids = &req.network_interface_ids;
    let ask = Ask::new(&req.filters, ids, req.max_results, &req.next_token, (5, 1000));
    let (network_interfaces, next_token) = describe(
        ask,
        ENI_FILTERS,
        |ids| {
            require_found(&w.network_interfaces, &kinds::NETWORK_INTERFACE, &ctx.scope, ids)?;
            Ok(in_scope(&w.network_interfaces, w, &ctx.scope))
        },
        |r| render(w, r.item),
    )?;
    Ok(DescribeNetworkInterfacesResult { network_interfaces, next_token })
}

fn attach_network_interface(
    ctx: &Ctx,
    w: &mut World,
    req: AttachNetworkInterfaceRequest,
) -> Outcome<AttachNetworkInterfaceResult> {
    if req.network_card_index.is_some_and(|n| n != 0) {
        return Err(ApiError::invalid_parameter_value(
            "Value for parameter networkCardIndex is invalid. vpclab instances have one network card (index 0).",
        )
        .into());
    }
    let id = w.attach_network_interface(
        &ctx.scope,
        &req.network_interface_id,
        &req.instance_id,
        req.device_index,
        Timestamp::now().0,
    )?;
    Ok(AttachNetworkInterfaceResult { attachment_id: Some(id), network_card_index: Some(0) })
}

fn detach_network_interface(
    ctx: &Ctx,
    w: &mut World,
    req: DetachNetworkInterfaceRequest,
) -> Outcome<ReturnTrue> {
    w.detach_network_interface(&ctx.scope, &req.attachment_id)?;
    Ok(ReturnTrue)
}

fn modify_network_interface_attribute(
    ctx: &Ctx,
    w: &mut World,
    req: ModifyNetworkInterfaceAttributeRequest,
) -> Outcome<ReturnTrue> {
    let mut changes = Vec::new();
    if !req.groups.is_empty() {
        changes.push(InterfaceChange::Groups(req.groups.clone()));
    }
    if let Some(v) = attr_value(&req.source_dest_check, "SourceDestCheck")? {
        changes.push(InterfaceChange::SourceDestCheck(v));
    }
    if let Some(d) = &req.description {
        changes.push(InterfaceChange::Description(d.value.clone().unwrap_or_default()));
    }
    if let Some(a) = &req.attachment {
        let attachment_id = a
            .attachment_id
            .clone()
            .ok_or_else(|| ApiError::missing_parameter("Attachment.AttachmentId"))?;
        let value = a
            .delete_on_termination
            .ok_or_else(|| ApiError::missing_parameter("Attachment.DeleteOnTermination"))?;
        changes.push(InterfaceChange::DeleteOnTermination { attachment_id, value });
    }
    if req.associate_public_ip_address.is_some()
        || !req.associated_subnet_ids.is_empty()
        || req.enable_primary_ipv6.is_some()
    {
        return Err(ApiError::invalid_parameter_value(
            "This attribute is not supported by vpclab.",
        )
        .into());
    }
    w.network_interfaces.find(&kinds::NETWORK_INTERFACE, &ctx.scope, &req.network_interface_id)?;
    match changes.len() {
        0 => {
            return Err(ApiError::missing_parameter(
                "Groups, SourceDestCheck, Description or Attachment",
            )
            .into());
        }
        1 => {}
        _ => {
            return Err(ApiError::client(
                Ec2::InvalidParameterCombination,
                "Only one attribute can be modified at a time.",
            )
            .into());
        }
    }
    for c in changes {
        w.modify_network_interface(&ctx.scope, &req.network_interface_id, c)?;
    }
    Ok(ReturnTrue)
}

fn describe_network_interface_attribute(
    ctx: &Ctx,
    w: &World,
    req: DescribeNetworkInterfaceAttributeRequest,
) -> Outcome<DescribeNetworkInterfaceAttributeResult> {
    let e = w.network_interfaces.find(
        &kinds::NETWORK_INTERFACE,
        &ctx.scope,
        &req.network_interface_id,
    )?;
    let mut out = DescribeNetworkInterfaceAttributeResult {
        network_interface_id: Some(e.id.clone()),
        ..Default::default()
    };
    match req.attribute.as_deref() {
        Some("description") => {
            out.description = Some(AttributeValue { value: Some(e.description.clone()) })
        }
        Some("groupSet") => out.groups = group_identifiers(w, &e.security_groups),
        Some("sourceDestCheck") => out.source_dest_check = attr_bool(e.source_dest_check),
        Some("attachment") => out.attachment = attachment(e),
        Some("associatePublicIpAddress") => {
            out.associate_public_ip_address = Some(e.public_ip().is_some())
        }
        Some(other) => {
            return Err(ApiError::invalid_parameter_value(format!(
                "Value ({other}) for parameter attribute is invalid. Unknown attribute."
            ))
            .into());
        }
        None => return Err(ApiError::missing_parameter("Attribute").into()),
    }
    Ok(out)
}

fn assign_private_ip_addresses(
    ctx: &Ctx,
    w: &mut World,
    req: AssignPrivateIpAddressesRequest,
) -> Outcome<AssignPrivateIpAddressesResult> {
    if !req.ipv4_prefixes.is_empty() || req.ipv4_prefix_count.is_some() {
        return Err(ApiError::invalid_parameter_value(
            "Prefix delegation is not supported by vpclab.",
        )
        .into());
    }
    if !req.private_ip_addresses.is_empty() && req.secondary_private_ip_address_count.is_some() {
        return Err(ApiError::client(
            Ec2::InvalidParameterCombination,
            "The parameters privateIpAddress and secondaryPrivateIpAddressCount cannot be used together.",
        )
        .into());
    }
    let wanted = req
        .private_ip_addresses
        .iter()
        .map(|a| parse_ip(a, "privateIpAddress"))
        .collect::<Result<Vec<_>, _>>()?;
    let added = w.assign_private_ips(
        &ctx.scope,
        &req.network_interface_id,
        &wanted,
        count(req.secondary_private_ip_address_count, "secondaryPrivateIpAddressCount")?,
        req.allow_reassignment.unwrap_or(false),
    )?;
    Ok(AssignPrivateIpAddressesResult {
        assigned_ipv4_prefixes: vec![],
        assigned_private_ip_addresses: added
            .iter()
            .map(|a| AssignedPrivateIpAddress { private_ip_address: Some(a.to_string()) })
            .collect(),
        network_interface_id: Some(req.network_interface_id),
    })
}

fn unassign_private_ip_addresses(
    ctx: &Ctx,
    w: &mut World,
    req: UnassignPrivateIpAddressesRequest,
) -> Outcome<ReturnTrue> {
    if !req.ipv4_prefixes.is_empty() {
        return Err(ApiError::invalid_parameter_value(
            "Prefix delegation is not supported by vpclab.",
        )
        .into());
    }
    if req.private_ip_addresses.is_empty() {
        return Err(ApiError::missing_parameter("PrivateIpAddress").into());
    }
    let addrs = req
        .private_ip_addresses
        .iter()
        .map(|a| parse_ip(a, "privateIpAddress"))
        .collect::<Result<Vec<_>, _>>()?;
    w.unassign_private_ips(&ctx.scope, &req.network_interface_id, &addrs)?;
    Ok(ReturnTrue)
}
