//! VPC operations.

use super::common::{attr_bool, attr_value, tag_set, tags_for};
use super::describe::{Ask, describe, in_scope, require_found};
use super::filter::{Row, Table, flag, one, table};
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use codes::Ec2;
use model::kinds;
use model::vpc::{NewVpc, VpcAttribute};
use model::{Error, World, types::ec2 as m};
use shapes::ec2::*;
use wire::ApiError;
use wire::xml::ReturnTrue;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateVpc", write(create_vpc)),
        ("DeleteVpc", write(delete_vpc)),
        ("DescribeVpcs", read(describe_vpcs)),
        ("ModifyVpcAttribute", write(modify_vpc_attribute)),
        ("ModifyVpcTenancy", write(modify_vpc_tenancy)),
        ("DescribeVpcAttribute", read(describe_vpc_attribute)),
        ("AssociateVpcCidrBlock", write(associate_vpc_cidr_block)),
        ("DisassociateVpcCidrBlock", write(disassociate_vpc_cidr_block)),
        ("CreateDefaultVpc", write(create_default_vpc)),
    ]
}

fn associated() -> Option<VpcCidrBlockState> {
    Some(VpcCidrBlockState { state: Some("associated".into()), status_message: None })
}

fn v4_association(b: &m::VpcCidrBlock) -> VpcCidrBlockAssociation {
    VpcCidrBlockAssociation {
        association_id: Some(b.association_id.clone()),
        cidr_block: Some(b.cidr.to_string()),
        cidr_block_state: associated(),
    }
}

fn v6_association(b: &m::VpcIpv6CidrBlock) -> VpcIpv6CidrBlockAssociation {
    VpcIpv6CidrBlockAssociation {
        association_id: Some(b.association_id.clone()),
        ipv6_cidr_block: Some(b.cidr.to_string()),
        ipv6_cidr_block_state: associated(),
        ipv6_pool: Some(b.pool.clone()),
        network_border_group: Some(b.network_border_group.clone()),
        ip_source: Some("amazon".into()),
        ipv6_address_attribute: Some("public".into()),
    }
}

/// A stored VPC as the API shows it.
pub(super) fn render(v: &m::Vpc) -> Vpc {
    Vpc {
        vpc_id: Some(v.id.clone()),
        owner_id: Some(v.owner.account.clone()),
        state: Some("available".into()),
        cidr_block: v.primary_cidr().map(|c| c.to_string()),
        cidr_block_association_set: v.cidr_blocks.iter().map(v4_association).collect(),
        ipv6_cidr_block_association_set: v.ipv6_cidr_blocks.iter().map(v6_association).collect(),
        dhcp_options_id: Some(v.dhcp_options_id.clone()),
        instance_tenancy: Some(v.instance_tenancy.clone()),
        is_default: Some(v.is_default),
        tags: tag_set(&v.tags),
        ..Default::default()
    }
}

/// `Ipv6CidrBlock` names a block of an address pool, so it needs `Ipv6Pool` (botocore's
/// documentation of CreateVpc and AssociateVpcCidrBlock: "You must also specify Ipv6Pool").
fn check_ipv6_pool(block: &Option<String>, pool: &Option<String>) -> Result<(), ApiError> {
    if block.is_some() && pool.is_none() {
        return Err(ApiError::missing_parameter("Ipv6Pool"));
    }
    Ok(())
}

fn create_vpc(ctx: &Ctx, w: &mut World, req: CreateVpcRequest) -> Outcome<CreateVpcResult> {
    check_ipv6_pool(&req.ipv6_cidr_block, &req.ipv6_pool)?;
    if req.ipv4_ipam_pool_id.is_some() || req.ipv6_ipam_pool_id.is_some() || req.ipv6_pool.is_some()
    {
        return Err(ApiError::invalid_parameter_value(
            "IPAM and BYOIP address pools are not supported by vpclab.",
        )
        .into());
    }
    let id = w.create_vpc(
        &ctx.scope,
        NewVpc {
            cidr: req.cidr_block,
            amazon_provided_ipv6: req.amazon_provided_ipv6_cidr_block.unwrap_or(false),
            instance_tenancy: req.instance_tenancy,
            tags: tags_for(&req.tag_specifications, "vpc")?,
        },
    )?;
    let vpc = w.vpcs.find(&kinds::VPC, &ctx.scope, &id)?;
    let mut shown = render(vpc);
    // A new VPC is reported `pending`, as AWS reports it; describes show it `available`.
    shown.state = Some("pending".into());
    Ok(CreateVpcResult { vpc: Some(shown) })
}

/// ModifyVpcTenancy: a VPC's tenancy may only become `default` (the API reference and the
/// `VpcTenancy` enum); any other value is EC2's UnsupportedTenancy ("The specified tenancy is
/// not supported. You can change the tenancy of a VPC to default only.", the error-code list).
/// Existing instances keep theirs.
fn modify_vpc_tenancy(
    ctx: &Ctx,
    w: &mut World,
    req: ModifyVpcTenancyRequest,
) -> Outcome<ModifyVpcTenancyResult> {
    if req.instance_tenancy != "default" {
        return Err(Error::new(
            Ec2::UnsupportedTenancy,
            format!("The tenancy value {} is not supported.", req.instance_tenancy),
        )
        .into());
    }
    w.vpcs.find_mut(&kinds::VPC, &ctx.scope, &req.vpc_id)?.instance_tenancy = "default".into();
    Ok(ModifyVpcTenancyResult { return_value: Some(true) })
}

fn create_default_vpc(
    ctx: &Ctx,
    w: &mut World,
    _req: CreateDefaultVpcRequest,
) -> Outcome<CreateDefaultVpcResult> {
    let id = w.create_default_vpc(&ctx.scope)?;
    Ok(CreateDefaultVpcResult { vpc: Some(render(w.vpcs.find(&kinds::VPC, &ctx.scope, &id)?)) })
}

fn delete_vpc(ctx: &Ctx, w: &mut World, req: DeleteVpcRequest) -> Outcome<ReturnTrue> {
    w.delete_vpc(&ctx.scope, &req.vpc_id)?;
    Ok(ReturnTrue)
}

fn vpc_is_default(v: &Row<m::Vpc>) -> Vec<String> {
    flag(v.is_default)
}

pub(super) const VPC_FILTERS: Table<m::Vpc> = table![
    "cidr" => |v| v.primary_cidr().map(|c| c.to_string()).into_iter().collect(),
    "cidr-block-association.cidr-block" => {
        |v| v.cidr_blocks.iter().map(|b| b.cidr.to_string()).collect()
    },
    "cidr-block-association.association-id" => {
        |v| v.cidr_blocks.iter().map(|b| b.association_id.clone()).collect()
    },
    // One state per associated block: a VPC without IPv6 has no IPv6 association state.
    "cidr-block-association.state" => {
        |v| v.cidr_blocks.iter().map(|_| "associated".to_owned()).collect()
    },
    "dhcp-options-id" => |v| one(&v.dhcp_options_id),
    "ipv6-cidr-block-association.ipv6-cidr-block" => {
        |v| v.ipv6_cidr_blocks.iter().map(|b| b.cidr.to_string()).collect()
    },
    "ipv6-cidr-block-association.ipv6-pool" => {
        |v| v.ipv6_cidr_blocks.iter().map(|b| b.pool.clone()).collect()
    },
    "ipv6-cidr-block-association.association-id" => {
        |v| v.ipv6_cidr_blocks.iter().map(|b| b.association_id.clone()).collect()
    },
    "ipv6-cidr-block-association.state" => {
        |v| v.ipv6_cidr_blocks.iter().map(|_| "associated".to_owned()).collect()
    },
    "is-default" => vpc_is_default,
    // Not in botocore's text, but AWS accepts it (moto's suite relies on it).
    "isDefault" => vpc_is_default,
    "owner-id" => |v| one(&v.owner.account),
    "state" => |_| one("available"),
    "vpc-id" => |v| one(&v.id),
];

fn describe_vpcs(ctx: &Ctx, w: &World, req: DescribeVpcsRequest) -> Outcome<DescribeVpcsResult> {
    let ask = Ask::new(&req.filters, &req.vpc_ids, req.max_results, &req.next_token, (5, 1000));
    let (vpcs, next_token) = describe(
        ask,
        VPC_FILTERS,
        |ids| {
            require_found(&w.vpcs, &kinds::VPC, &ctx.scope, ids)?;
            Ok(in_scope(&w.vpcs, w, &ctx.scope))
        },
        |r| render(r.item),
    )?;
    Ok(DescribeVpcsResult { vpcs, next_token })
}

fn modify_vpc_attribute(
    ctx: &Ctx,
    w: &mut World,
    req: ModifyVpcAttributeRequest,
) -> Outcome<ReturnTrue> {
    let changes = [
        (VpcAttribute::EnableDnsSupport, attr_value(&req.enable_dns_support, "EnableDnsSupport")?),
        (
            VpcAttribute::EnableDnsHostnames,
            attr_value(&req.enable_dns_hostnames, "EnableDnsHostnames")?,
        ),
        (
            VpcAttribute::EnableNetworkAddressUsageMetrics,
            attr_value(
                &req.enable_network_address_usage_metrics,
                "EnableNetworkAddressUsageMetrics",
            )?,
        ),
    ];
    let given: Vec<_> = changes.iter().filter_map(|(a, v)| v.map(|v| (*a, v))).collect();
    match given.as_slice() {
        [(attribute, value)] => {
            w.modify_vpc_attribute(&ctx.scope, &req.vpc_id, *attribute, *value)?
        }
        [] => {
            w.vpcs.find(&kinds::VPC, &ctx.scope, &req.vpc_id)?;
            return Err(ApiError::missing_parameter(
                "EnableDnsSupport, EnableDnsHostnames or EnableNetworkAddressUsageMetrics",
            )
            .into());
        }
        _ => {
            return Err(ApiError::client(Ec2::InvalidParameterCombination, "Fields for multiple attribute types specified: enableDnsSupport, enableDnsHostnames, enableNetworkAddressUsageMetrics").into());
        }
    }
    Ok(ReturnTrue)
}

fn describe_vpc_attribute(
    ctx: &Ctx,
    w: &World,
    req: DescribeVpcAttributeRequest,
) -> Outcome<DescribeVpcAttributeResult> {
    let v = w.vpcs.find(&kinds::VPC, &ctx.scope, &req.vpc_id)?;
    let mut out = DescribeVpcAttributeResult { vpc_id: Some(v.id.clone()), ..Default::default() };
    match req.attribute.as_str() {
        "enableDnsSupport" => out.enable_dns_support = attr_bool(v.enable_dns_support),
        "enableDnsHostnames" => out.enable_dns_hostnames = attr_bool(v.enable_dns_hostnames),
        "enableNetworkAddressUsageMetrics" => {
            out.enable_network_address_usage_metrics =
                attr_bool(v.enable_network_address_usage_metrics)
        }
        other => {
            return Err(ApiError::invalid_parameter_value(format!(
                "Value ({other}) for parameter attribute is invalid. Unknown attribute."
            ))
            .into());
        }
    }
    Ok(out)
}

fn associate_vpc_cidr_block(
    ctx: &Ctx,
    w: &mut World,
    req: AssociateVpcCidrBlockRequest,
) -> Outcome<AssociateVpcCidrBlockResult> {
    check_ipv6_pool(&req.ipv6_cidr_block, &req.ipv6_pool)?;
    let ipv6 = req.amazon_provided_ipv6_cidr_block.unwrap_or(false);
    let mut out =
        AssociateVpcCidrBlockResult { vpc_id: Some(req.vpc_id.clone()), ..Default::default() };
    match (&req.cidr_block, ipv6) {
        (Some(cidr), false) => {
            let assoc = w.associate_vpc_ipv4_block(&ctx.scope, &req.vpc_id, cidr)?;
            let v = w.vpcs.find(&kinds::VPC, &ctx.scope, &req.vpc_id)?;
            let mut shown =
                v.cidr_blocks.iter().find(|b| b.association_id == assoc).map(v4_association);
            if let Some(s) = shown.as_mut() {
                s.cidr_block_state = Some(VpcCidrBlockState {
                    state: Some("associating".into()),
                    status_message: None,
                });
            }
            out.cidr_block_association = shown;
        }
        (None, true) => {
            let assoc = w.associate_vpc_ipv6_block(&ctx.scope, &req.vpc_id)?;
            let v = w.vpcs.find(&kinds::VPC, &ctx.scope, &req.vpc_id)?;
            let mut shown =
                v.ipv6_cidr_blocks.iter().find(|b| b.association_id == assoc).map(v6_association);
            if let Some(s) = shown.as_mut() {
                s.ipv6_cidr_block_state = Some(VpcCidrBlockState {
                    state: Some("associating".into()),
                    status_message: None,
                });
            }
            out.ipv6_cidr_block_association = shown;
        }
        (Some(_), true) => {
            return Err(ApiError::client(
                Ec2::InvalidParameterCombination,
                "The parameters CidrBlock and AmazonProvidedIpv6CidrBlock cannot be used together.",
            )
            .into());
        }
        (None, false) => {
            if req.ipv6_cidr_block.is_some()
                || req.ipv4_ipam_pool_id.is_some()
                || req.ipv6_ipam_pool_id.is_some()
            {
                return Err(ApiError::invalid_parameter_value(
                    "IPAM and BYOIP address pools are not supported by vpclab.",
                )
                .into());
            }
            return Err(
                ApiError::missing_parameter("CidrBlock or AmazonProvidedIpv6CidrBlock").into()
            );
        }
    }
    Ok(out)
}

fn disassociate_vpc_cidr_block(
    ctx: &Ctx,
    w: &mut World,
    req: DisassociateVpcCidrBlockRequest,
) -> Outcome<DisassociateVpcCidrBlockResult> {
    let (vpc_id, block) = w.disassociate_vpc_block(&ctx.scope, &req.association_id)?;
    let disassociating =
        || Some(VpcCidrBlockState { state: Some("disassociating".into()), status_message: None });
    let mut out = DisassociateVpcCidrBlockResult { vpc_id: Some(vpc_id), ..Default::default() };
    match block {
        Ok(v4) => {
            out.cidr_block_association = Some(VpcCidrBlockAssociation {
                association_id: Some(req.association_id),
                cidr_block: Some(v4.to_string()),
                cidr_block_state: disassociating(),
            })
        }
        Err(v6) => {
            out.ipv6_cidr_block_association = Some(VpcIpv6CidrBlockAssociation {
                association_id: Some(req.association_id),
                ipv6_cidr_block: Some(v6.to_string()),
                ipv6_cidr_block_state: disassociating(),
                ..Default::default()
            })
        }
    }
    Ok(out)
}
