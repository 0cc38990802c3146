//! Network ACL operations.

use super::common::{require_all, tag_set, tags_for};
use super::describe::{Ask, describe, in_scope};
use super::filter::{Row, Table, flag, one, table};
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use model::kinds;
use model::network_acl::EntryRequest;
use model::{World, types::ec2 as m};
use shapes::ec2::*;
use wire::xml::ReturnTrue;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateNetworkAcl", write(create_network_acl)),
        ("DeleteNetworkAcl", write(delete_network_acl)),
        ("DescribeNetworkAcls", read(describe_network_acls)),
        ("CreateNetworkAclEntry", write(create_network_acl_entry)),
        ("ReplaceNetworkAclEntry", write(replace_network_acl_entry)),
        ("DeleteNetworkAclEntry", write(delete_network_acl_entry)),
        ("ReplaceNetworkAclAssociation", write(replace_network_acl_association)),
    ]
}

fn render_entry(e: &m::NetworkAclEntry) -> NetworkAclEntry {
    let (cidr_block, ipv6_cidr_block) = match &e.cidr {
        m::AclCidr::V4(c) => (Some(c.to_string()), None),
        m::AclCidr::V6(c) => (None, Some(c.to_string())),
    };
    NetworkAclEntry {
        rule_number: Some(e.rule_number),
        egress: Some(e.egress),
        protocol: Some(e.protocol.clone()),
        rule_action: Some(e.action().into()),
        cidr_block,
        ipv6_cidr_block,
        port_range: match (e.port_from, e.port_to) {
            (Some(from), Some(to)) => Some(PortRange { from: Some(from), to: Some(to) }),
            _ => None,
        },
        icmp_type_code: match (e.icmp_type, e.icmp_code) {
            (Some(t), Some(c)) => Some(IcmpTypeCode { type_: Some(t), code: Some(c) }),
            _ => None,
        },
    }
}

fn render(a: &m::NetworkAcl) -> NetworkAcl {
    // Egress entries first, each direction by rule number, as AWS lists them.
    let mut entries: Vec<&m::NetworkAclEntry> = a.entries.iter().collect();
    entries.sort_by_key(|e| (!e.egress, e.rule_number));
    NetworkAcl {
        network_acl_id: Some(a.id.clone()),
        owner_id: Some(a.owner.account.clone()),
        vpc_id: Some(a.vpc_id.clone()),
        is_default: Some(a.is_default),
        entries: entries.into_iter().map(render_entry).collect(),
        associations: a
            .associations
            .iter()
            .map(|x| NetworkAclAssociation {
                network_acl_association_id: Some(x.id.clone()),
                network_acl_id: Some(a.id.clone()),
                subnet_id: Some(x.subnet_id.clone()),
            })
            .collect(),
        tags: tag_set(&a.tags),
    }
}

fn create_network_acl(
    ctx: &Ctx,
    w: &mut World,
    req: CreateNetworkAclRequest,
) -> Outcome<CreateNetworkAclResult> {
    let tags = tags_for(&req.tag_specifications, "network-acl")?;
    let id = w.create_network_acl(&ctx.scope, &req.vpc_id, &tags)?;
    let acl = w.network_acls.find(&kinds::NETWORK_ACL, &ctx.scope, &id)?;
    Ok(CreateNetworkAclResult { client_token: req.client_token, network_acl: Some(render(acl)) })
}

fn delete_network_acl(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteNetworkAclRequest,
) -> Outcome<ReturnTrue> {
    w.delete_network_acl(&ctx.scope, &req.network_acl_id)?;
    Ok(ReturnTrue)
}

/// A value from each of the ACL's entries that has one.
fn entries(
    a: &Row<m::NetworkAcl>,
    f: impl Fn(&m::NetworkAclEntry) -> Option<String>,
) -> Vec<String> {
    a.entries.iter().filter_map(f).collect()
}

fn cidr(e: &m::NetworkAclEntry) -> String {
    match &e.cidr {
        m::AclCidr::V4(c) => c.to_string(),
        m::AclCidr::V6(c) => c.to_string(),
    }
}

pub(super) const ACL_FILTERS: Table<m::NetworkAcl> = table![
    "association.association-id" => |a| a.associations.iter().map(|x| x.id.clone()).collect(),
    "association.network-acl-id" => |a| {
        if a.associations.is_empty() { vec![] } else { one(&a.id) }
    },
    "association.subnet-id" => |a| a.associations.iter().map(|x| x.subnet_id.clone()).collect(),
    "default" => |a| flag(a.is_default),
    "entry.cidr" => |a| entries(a, |e| matches!(e.cidr, m::AclCidr::V4(_)).then(|| cidr(e))),
    "entry.icmp.code" => |a| entries(a, |e| opt(e.icmp_code)),
    "entry.icmp.type" => |a| entries(a, |e| opt(e.icmp_type)),
    "entry.ipv6-cidr" => |a| entries(a, |e| matches!(e.cidr, m::AclCidr::V6(_)).then(|| cidr(e))),
    "entry.port-range.from" => |a| entries(a, |e| opt(e.port_from)),
    "entry.port-range.to" => |a| entries(a, |e| opt(e.port_to)),
    "entry.protocol" => |a| a.entries.iter().map(|e| e.protocol.clone()).collect(),
    "entry.rule-action" => |a| a.entries.iter().map(|e| e.action().to_owned()).collect(),
    "entry.egress" => |a| a.entries.iter().flat_map(|e| flag(e.egress)).collect(),
    "entry.rule-number" => |a| a.entries.iter().map(|e| e.rule_number.to_string()).collect(),
    "network-acl-id" => |a| one(&a.id),
    "owner-id" => |a| one(&a.owner.account),
    "vpc-id" => |a| one(&a.vpc_id),
];

fn opt(v: Option<i32>) -> Option<String> {
    v.map(|v| v.to_string())
}

fn describe_network_acls(
    ctx: &Ctx,
    w: &World,
    req: DescribeNetworkAclsRequest,
) -> Outcome<DescribeNetworkAclsResult> {
    let ask =
        Ask::new(&req.filters, &req.network_acl_ids, req.max_results, &req.next_token, (5, 1000));
    let (network_acls, next_token) = describe(
        ask,
        ACL_FILTERS,
        |ids| {
            require_all(
                ids,
                |id| w.network_acls.find(&kinds::NETWORK_ACL, &ctx.scope, id).ok(),
                |id| match kinds::NETWORK_ACL.check_format(id) {
                    Err(e) => e,
                    Ok(()) => kinds::NETWORK_ACL.not_found(id),
                },
            )?;
            Ok(in_scope(&w.network_acls, w, &ctx.scope))
        },
        |r| render(r.item),
    )?;
    Ok(DescribeNetworkAclsResult { network_acls, next_token })
}

#[allow(clippy::too_many_arguments)]
fn entry_request(
    rule_number: i32,
    egress: bool,
    protocol: String,
    rule_action: String,
    cidr_block: Option<String>,
    ipv6_cidr_block: Option<String>,
    port_range: Option<PortRange>,
    icmp: Option<IcmpTypeCode>,
) -> EntryRequest {
    EntryRequest {
        rule_number,
        egress,
        protocol,
        rule_action,
        cidr_block,
        ipv6_cidr_block,
        port_range: port_range.map(|p| (p.from, p.to)),
        icmp_type_code: icmp.map(|i| (i.type_, i.code)),
    }
}

/// CreateNetworkAclEntry and ReplaceNetworkAclEntry carry the same entry fields in two shapes.
macro_rules! entry_request {
    ($req:ident) => {
        entry_request(
            $req.rule_number,
            $req.egress,
            $req.protocol,
            $req.rule_action,
            $req.cidr_block,
            $req.ipv6_cidr_block,
            $req.port_range,
            $req.icmp_type_code,
        )
    };
}

fn create_network_acl_entry(
    ctx: &Ctx,
    w: &mut World,
    req: CreateNetworkAclEntryRequest,
) -> Outcome<ReturnTrue> {
    let entry = entry_request!(req);
    w.create_network_acl_entry(&ctx.scope, &req.network_acl_id, &entry)?;
    Ok(ReturnTrue)
}

fn replace_network_acl_entry(
    ctx: &Ctx,
    w: &mut World,
    req: ReplaceNetworkAclEntryRequest,
) -> Outcome<ReturnTrue> {
    let entry = entry_request!(req);
    w.replace_network_acl_entry(&ctx.scope, &req.network_acl_id, &entry)?;
    Ok(ReturnTrue)
}

fn delete_network_acl_entry(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteNetworkAclEntryRequest,
) -> Outcome<ReturnTrue> {
    w.delete_network_acl_entry(&ctx.scope, &req.network_acl_id, req.rule_number, req.egress)?;
    Ok(ReturnTrue)
}

fn replace_network_acl_association(
    ctx: &Ctx,
    w: &mut World,
    req: ReplaceNetworkAclAssociationRequest,
) -> Outcome<ReplaceNetworkAclAssociationResult> {
    let id =
        w.replace_network_acl_association(&ctx.scope, &req.association_id, &req.network_acl_id)?;
    Ok(ReplaceNetworkAclAssociationResult { new_association_id: Some(id) })
}
