//! Subnet operations.

use super::common::{attr_value, tag_set, tags_for};
use super::describe::{Ask, describe, in_scope, require_found};
use super::filter::{Filters, Row, Table, flag, one, table};
use super::page::paginate;
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use codes::Ec2;
use model::kinds;
use model::subnet::{NewCidrReservation, SubnetAttribute};
use model::{World, types::ec2 as m};
use shapes::ec2::*;
use wire::ApiError;
use wire::xml::ReturnTrue;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateSubnet", write(create_subnet)),
        ("DeleteSubnet", write(delete_subnet)),
        ("DescribeSubnets", read(describe_subnets)),
        ("ModifySubnetAttribute", write(modify_subnet_attribute)),
        ("AssociateSubnetCidrBlock", write(associate_subnet_cidr_block)),
        ("DisassociateSubnetCidrBlock", write(disassociate_subnet_cidr_block)),
        ("CreateDefaultSubnet", write(create_default_subnet)),
        ("CreateSubnetCidrReservation", write(create_subnet_cidr_reservation)),
        ("DeleteSubnetCidrReservation", write(delete_subnet_cidr_reservation)),
        ("GetSubnetCidrReservations", read(get_subnet_cidr_reservations)),
    ]
}

fn render_reservation(
    owner: &str,
    subnet_id: &str,
    r: &m::SubnetCidrReservation,
) -> SubnetCidrReservation {
    SubnetCidrReservation {
        cidr: Some(r.cidr.to_string()),
        description: r.description.clone(),
        owner_id: Some(owner.to_owned()),
        reservation_type: Some(r.reservation_type.clone()),
        subnet_cidr_reservation_id: Some(r.id.clone()),
        subnet_id: Some(subnet_id.to_owned()),
        tags: tag_set(&r.tags),
    }
}

fn create_subnet_cidr_reservation(
    ctx: &Ctx,
    w: &mut World,
    req: CreateSubnetCidrReservationRequest,
) -> Outcome<CreateSubnetCidrReservationResult> {
    let new = NewCidrReservation {
        cidr: req.cidr,
        reservation_type: req.reservation_type,
        description: req.description,
        tags: tags_for(&req.tag_specifications, "subnet-cidr-reservation")?,
    };
    let r = w.create_subnet_cidr_reservation(&ctx.scope, &req.subnet_id, new)?;
    Ok(CreateSubnetCidrReservationResult {
        subnet_cidr_reservation: Some(render_reservation(&ctx.scope.account, &req.subnet_id, &r)),
    })
}

fn delete_subnet_cidr_reservation(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteSubnetCidrReservationRequest,
) -> Outcome<DeleteSubnetCidrReservationResult> {
    let (subnet_id, r) =
        w.delete_subnet_cidr_reservation(&ctx.scope, &req.subnet_cidr_reservation_id)?;
    Ok(DeleteSubnetCidrReservationResult {
        deleted_subnet_cidr_reservation: Some(render_reservation(
            &ctx.scope.account,
            &subnet_id,
            &r,
        )),
    })
}

pub(super) const RESERVATION_FILTERS: Table<m::SubnetCidrReservation, m::Subnet> = table![
    "reservationType" => |r| one(&r.reservation_type),
    "subnet-id" => |r| one(&r.extra.id),
];

fn get_subnet_cidr_reservations(
    ctx: &Ctx,
    w: &World,
    req: GetSubnetCidrReservationsRequest,
) -> Outcome<GetSubnetCidrReservationsResult> {
    let filters = Filters::new(&req.filters, RESERVATION_FILTERS)?;
    let subnet = w.subnets.find(&kinds::SUBNET, &ctx.scope, &req.subnet_id)?;
    let items = subnet
        .cidr_reservations
        .iter()
        .filter(|r| filters.matches(&Row::with(w, &ctx.scope, *r, subnet), &r.tags))
        .map(|r| (r.id.clone(), r))
        .collect();
    let (page, next_token) =
        paginate(items, req.max_results, req.next_token.as_deref(), (5, 1000))?;
    let (v4, v6): (Vec<_>, Vec<_>) =
        page.into_iter().partition(|r| matches!(r.cidr, model::cidr::Cidr::V4(_)));
    let shown = |list: Vec<&m::SubnetCidrReservation>| {
        list.into_iter().map(|r| render_reservation(&subnet.owner.account, &subnet.id, r)).collect()
    };
    Ok(GetSubnetCidrReservationsResult {
        next_token,
        subnet_ipv4_cidr_reservations: shown(v4),
        subnet_ipv6_cidr_reservations: shown(v6),
    })
}

fn v6_association(b: &m::SubnetIpv6CidrBlock, state: &str) -> SubnetIpv6CidrBlockAssociation {
    SubnetIpv6CidrBlockAssociation {
        association_id: Some(b.association_id.clone()),
        ipv6_cidr_block: Some(b.cidr.to_string()),
        ipv6_cidr_block_state: Some(SubnetCidrBlockState {
            state: Some(state.into()),
            status_message: None,
        }),
        ip_source: Some("amazon".into()),
        ipv6_address_attribute: Some("public".into()),
    }
}

pub(super) fn render(s: &m::Subnet) -> Subnet {
    Subnet {
        subnet_id: Some(s.id.clone()),
        subnet_arn: Some(s.owner.arn("ec2", &format!("subnet/{}", s.id))),
        owner_id: Some(s.owner.account.clone()),
        vpc_id: Some(s.vpc_id.clone()),
        state: Some("available".into()),
        cidr_block: s.cidr.map(|c| c.to_string()),
        availability_zone: Some(s.availability_zone.clone()),
        availability_zone_id: Some(s.availability_zone_id.clone()),
        available_ip_address_count: Some(i32::try_from(s.available_ip_count()).unwrap_or(i32::MAX)),
        default_for_az: Some(s.default_for_az),
        map_public_ip_on_launch: Some(s.map_public_ip_on_launch),
        map_customer_owned_ip_on_launch: Some(false),
        assign_ipv6_address_on_creation: Some(s.assign_ipv6_address_on_creation),
        enable_dns64: Some(s.enable_dns64),
        ipv6_native: Some(s.is_ipv6_only()),
        enable_lni_at_device_index: None,
        ipv6_cidr_block_association_set: s
            .ipv6_cidr_blocks
            .iter()
            .map(|b| v6_association(b, "associated"))
            .collect(),
        private_dns_name_options_on_launch: Some(PrivateDnsNameOptionsOnLaunch {
            hostname_type: Some(s.hostname_type.clone()),
            enable_resource_name_dns_a_record: Some(s.enable_resource_name_dns_a_record),
            enable_resource_name_dns_aaaa_record: Some(s.enable_resource_name_dns_aaaa_record),
        }),
        tags: tag_set(&s.tags),
        ..Default::default()
    }
}

fn create_subnet(
    ctx: &Ctx,
    w: &mut World,
    req: CreateSubnetRequest,
) -> Outcome<CreateSubnetResult> {
    // An IPv6-only subnet: AWS's answers to the wrong combinations (moto's AWS-verified tests).
    let ipv6_only = req.ipv6_native == Some(true);
    if ipv6_only && req.ipv6_cidr_block.is_none() && req.ipv6_ipam_pool_id.is_none() {
        return Err(ApiError::client(
            Ec2::MissingParameter,
            "Either 'ipv6CidrBlock' or 'ipv6IpamPoolId' should be provided.",
        )
        .into());
    }
    if ipv6_only && (req.cidr_block.is_some() || req.ipv4_ipam_pool_id.is_some()) {
        return Err(ApiError::client(
            Ec2::InvalidParameterCombination,
            "When specifying ipv4 parameters, cidrBlock or ipv4IpamPoolId, you cannot set ipv6Native to true.",
        )
        .into());
    }
    if req.ipv4_ipam_pool_id.is_some() || req.ipv6_ipam_pool_id.is_some() {
        return Err(
            ApiError::invalid_parameter_value("IPAM pools are not supported by vpclab.").into()
        );
    }
    if req.availability_zone.is_some() && req.availability_zone_id.is_some() {
        return Err(ApiError::client(
            Ec2::InvalidParameterCombination,
            "Only one of AvailabilityZone or AvailabilityZoneId may be specified.",
        )
        .into());
    }
    if !ipv6_only && req.cidr_block.is_none() {
        return Err(ApiError::missing_parameter("CidrBlock").into());
    }
    let zone = req.availability_zone.or(req.availability_zone_id);
    let id = w.create_subnet_with(
        &ctx.scope,
        &req.vpc_id,
        req.cidr_block.as_deref(),
        zone.as_deref(),
        req.ipv6_cidr_block.as_deref(),
        &tags_for(&req.tag_specifications, "subnet")?,
    )?;
    // A new subnet is `available` at once (moto's AWS-verified CreateSubnet test; AWS CLI's
    // create-subnet example).
    let shown = render(w.subnets.find(&kinds::SUBNET, &ctx.scope, &id)?);
    Ok(CreateSubnetResult { subnet: Some(shown) })
}

fn create_default_subnet(
    ctx: &Ctx,
    w: &mut World,
    req: CreateDefaultSubnetRequest,
) -> Outcome<CreateDefaultSubnetResult> {
    let zone = req
        .availability_zone
        .or(req.availability_zone_id)
        .ok_or_else(|| ApiError::missing_parameter("AvailabilityZone"))?;
    let id = w.create_default_subnet(&ctx.scope, &zone)?;
    Ok(CreateDefaultSubnetResult {
        subnet: Some(render(w.subnets.find(&kinds::SUBNET, &ctx.scope, &id)?)),
    })
}

fn delete_subnet(ctx: &Ctx, w: &mut World, req: DeleteSubnetRequest) -> Outcome<ReturnTrue> {
    w.delete_subnet(&ctx.scope, &req.subnet_id)?;
    Ok(ReturnTrue)
}

type SubnetRow<'a> = Row<'a, m::Subnet>;

fn zone(r: &SubnetRow) -> Vec<String> {
    one(&r.availability_zone)
}

fn zone_id(r: &SubnetRow) -> Vec<String> {
    one(&r.availability_zone_id)
}

fn cidr(r: &SubnetRow) -> Vec<String> {
    r.cidr.iter().map(|c| c.to_string()).collect()
}

fn default_for_az(r: &SubnetRow) -> Vec<String> {
    flag(r.default_for_az)
}

/// vpclab has no Outposts and no customer-owned pools: those filters match no subnet.
fn none(_: &SubnetRow) -> Vec<String> {
    vec![]
}

pub(super) const SUBNET_FILTERS: Table<m::Subnet> = table![
    "availability-zone" => zone,
    "availabilityZone" => zone,
    "availability-zone-id" => zone_id,
    "availabilityZoneId" => zone_id,
    "available-ip-address-count" => |r| one(r.available_ip_count()),
    "cidr-block" => cidr,
    "cidr" => cidr,
    "cidrBlock" => cidr,
    "customer-owned-ipv4-pool" => none,
    "default-for-az" => default_for_az,
    "defaultForAz" => default_for_az,
    "enable-dns64" => |r| flag(r.enable_dns64),
    "enable-lni-at-device-index" => none,
    "ipv6-cidr-block-association.ipv6-cidr-block" => {
        |r| r.ipv6_cidr_blocks.iter().map(|b| b.cidr.to_string()).collect()
    },
    "ipv6-cidr-block-association.association-id" => {
        |r| r.ipv6_cidr_blocks.iter().map(|b| b.association_id.clone()).collect()
    },
    "ipv6-cidr-block-association.state" => {
        |r| r.ipv6_cidr_blocks.iter().map(|_| "associated".to_owned()).collect()
    },
    "ipv6-native" => |_| flag(false),
    "map-customer-owned-ip-on-launch" => |_| flag(false),
    "map-public-ip-on-launch" => |r| flag(r.map_public_ip_on_launch),
    "outpost-arn" => none,
    "owner-id" => |r| one(&r.owner.account),
    "private-dns-name-options-on-launch.hostname-type" => |r| one(&r.hostname_type),
    "private-dns-name-options-on-launch.enable-resource-name-dns-a-record" => {
        |r| flag(r.enable_resource_name_dns_a_record)
    },
    "private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record" => {
        |r| flag(r.enable_resource_name_dns_aaaa_record)
    },
    "state" => |_| one("available"),
    "subnet-arn" => |r| one(r.owner.arn("ec2", &format!("subnet/{}", r.id))),
    "subnet-id" => |r| one(&r.id),
    "vpc-id" => |r| one(&r.vpc_id),
];

fn describe_subnets(
    ctx: &Ctx,
    w: &World,
    req: DescribeSubnetsRequest,
) -> Outcome<DescribeSubnetsResult> {
    let ask = Ask::new(&req.filters, &req.subnet_ids, req.max_results, &req.next_token, (5, 1000));
    let (items, next_token) = describe(
        ask,
        SUBNET_FILTERS,
        |ids| {
            require_found(&w.subnets, &kinds::SUBNET, &ctx.scope, ids)?;
            Ok(in_scope(&w.subnets, w, &ctx.scope))
        },
        |r| render(r.item),
    )?;
    Ok(DescribeSubnetsResult { subnets: items, next_token })
}

fn modify_subnet_attribute(
    ctx: &Ctx,
    w: &mut World,
    req: ModifySubnetAttributeRequest,
) -> Outcome<ReturnTrue> {
    let mut changes = Vec::new();
    if let Some(v) = attr_value(&req.map_public_ip_on_launch, "MapPublicIpOnLaunch")? {
        changes.push(SubnetAttribute::MapPublicIpOnLaunch(v));
    }
    if let Some(v) =
        attr_value(&req.assign_ipv6_address_on_creation, "AssignIpv6AddressOnCreation")?
    {
        changes.push(SubnetAttribute::AssignIpv6AddressOnCreation(v));
    }
    if let Some(v) = attr_value(&req.enable_dns64, "EnableDns64")? {
        changes.push(SubnetAttribute::EnableDns64(v));
    }
    if let Some(t) = req.private_dns_hostname_type_on_launch {
        changes.push(SubnetAttribute::HostnameType(t));
    }
    if let Some(v) = attr_value(
        &req.enable_resource_name_dns_a_record_on_launch,
        "EnableResourceNameDnsARecordOnLaunch",
    )? {
        changes.push(SubnetAttribute::EnableResourceNameDnsARecord(v));
    }
    if let Some(v) = attr_value(
        &req.enable_resource_name_dns_aaaa_record_on_launch,
        "EnableResourceNameDnsAAAARecordOnLaunch",
    )? {
        changes.push(SubnetAttribute::EnableResourceNameDnsAaaaRecord(v));
    }
    if attr_value(&req.map_customer_owned_ip_on_launch, "MapCustomerOwnedIpOnLaunch")? == Some(true)
    {
        return Err(ApiError::invalid_parameter_value(
            "Customer-owned IP pools (Outposts) are not supported by vpclab.",
        )
        .into());
    }
    w.subnets.find(&kinds::SUBNET, &ctx.scope, &req.subnet_id)?;
    if changes.len() > 1 {
        return Err(ApiError::client(
            Ec2::InvalidParameterCombination,
            "Only one attribute can be modified at a time.",
        )
        .into());
    }
    for change in changes {
        w.modify_subnet_attribute(&ctx.scope, &req.subnet_id, change)?;
    }
    Ok(ReturnTrue)
}

fn associate_subnet_cidr_block(
    ctx: &Ctx,
    w: &mut World,
    req: AssociateSubnetCidrBlockRequest,
) -> Outcome<AssociateSubnetCidrBlockResult> {
    let cidr = req.ipv6_cidr_block.ok_or_else(|| ApiError::missing_parameter("Ipv6CidrBlock"))?;
    let (association_id, cidr) =
        w.associate_subnet_ipv6_block(&ctx.scope, &req.subnet_id, &cidr)?;
    Ok(AssociateSubnetCidrBlockResult {
        subnet_id: Some(req.subnet_id),
        ipv6_cidr_block_association: Some(v6_association(
            &m::SubnetIpv6CidrBlock { association_id, cidr },
            "associating",
        )),
    })
}

fn disassociate_subnet_cidr_block(
    ctx: &Ctx,
    w: &mut World,
    req: DisassociateSubnetCidrBlockRequest,
) -> Outcome<DisassociateSubnetCidrBlockResult> {
    let (subnet_id, cidr) = w.disassociate_subnet_ipv6_block(&ctx.scope, &req.association_id)?;
    Ok(DisassociateSubnetCidrBlockResult {
        subnet_id: Some(subnet_id),
        ipv6_cidr_block_association: Some(v6_association(
            &m::SubnetIpv6CidrBlock { association_id: req.association_id, cidr },
            "disassociating",
        )),
    })
}
