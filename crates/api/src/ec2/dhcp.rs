//! DHCP options operations.

use super::common::{tag_set, tags_for};
use super::describe::{Ask, describe, in_scope, require_found};
use super::filter::{Table, one, table};
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use model::kinds;
use model::{World, types::ec2 as m};
use shapes::ec2::*;
use wire::ApiError;
use wire::xml::ReturnTrue;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateDhcpOptions", write(create_dhcp_options)),
        ("DeleteDhcpOptions", write(delete_dhcp_options)),
        ("DescribeDhcpOptions", read(describe_dhcp_options)),
        ("AssociateDhcpOptions", write(associate_dhcp_options)),
    ]
}

pub(super) fn render(d: &m::DhcpOptions) -> DhcpOptions {
    DhcpOptions {
        dhcp_configurations: d
            .configurations
            .iter()
            .map(|(k, vs)| DhcpConfiguration {
                key: Some(k.clone()),
                values: vs.iter().map(|v| AttributeValue { value: Some(v.clone()) }).collect(),
            })
            .collect(),
        dhcp_options_id: Some(d.id.clone()),
        owner_id: Some(d.owner.account.clone()),
        tags: tag_set(&d.tags),
    }
}

fn create_dhcp_options(
    ctx: &Ctx,
    w: &mut World,
    req: CreateDhcpOptionsRequest,
) -> Outcome<CreateDhcpOptionsResult> {
    let tags = tags_for(&req.tag_specifications, "dhcp-options")?;
    let configurations = req
        .dhcp_configurations
        .into_iter()
        .map(|c| {
            let key =
                c.key.ok_or_else(|| ApiError::missing_parameter("DhcpConfiguration.N.Key"))?;
            Ok((key, c.values))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let id = w.create_dhcp_options(&ctx.scope, configurations, &tags)?;
    let d = w.dhcp_options.find(&kinds::DHCP_OPTIONS, &ctx.scope, &id)?;
    Ok(CreateDhcpOptionsResult { dhcp_options: Some(render(d)) })
}

fn delete_dhcp_options(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteDhcpOptionsRequest,
) -> Outcome<ReturnTrue> {
    w.delete_dhcp_options(&ctx.scope, &req.dhcp_options_id)?;
    Ok(ReturnTrue)
}

fn associate_dhcp_options(
    ctx: &Ctx,
    w: &mut World,
    req: AssociateDhcpOptionsRequest,
) -> Outcome<ReturnTrue> {
    w.associate_dhcp_options(&ctx.scope, &req.dhcp_options_id, &req.vpc_id)?;
    Ok(ReturnTrue)
}

pub(super) const DHCP_FILTERS: Table<m::DhcpOptions> = table![
    "dhcp-options-id" => |d| one(&d.id),
    "key" => |d| d.configurations.iter().map(|(k, _)| k.clone()).collect(),
    "value" => |d| d.configurations.iter().flat_map(|(_, vs)| vs.iter().cloned()).collect(),
    "owner-id" => |d| one(&d.owner.account),
];

fn describe_dhcp_options(
    ctx: &Ctx,
    w: &World,
    req: DescribeDhcpOptionsRequest,
) -> Outcome<DescribeDhcpOptionsResult> {
    let ask =
        Ask::new(&req.filters, &req.dhcp_options_ids, req.max_results, &req.next_token, (5, 1000));
    let (items, next_token) = describe(
        ask,
        DHCP_FILTERS,
        |ids| {
            require_found(&w.dhcp_options, &kinds::DHCP_OPTIONS, &ctx.scope, ids)?;
            Ok(in_scope(&w.dhcp_options, w, &ctx.scope))
        },
        |r| render(r.item),
    )?;
    Ok(DescribeDhcpOptionsResult { dhcp_options: items, next_token })
}
