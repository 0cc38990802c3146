//! Prefix list operations (the AWS-managed lists; customer-managed lists come later).

use super::filter::{Filters, one};
use super::page::paginate;
use super::{Ctx, Handler, read};
use crate::Outcome;
use model::World;
use model::prefix_list::{AWS_OWNER, ManagedPrefixList as List, aws_managed, find_aws_managed};
use shapes::ec2::*;
use wire::ApiError;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("DescribePrefixLists", read(describe_prefix_lists)),
        ("DescribeManagedPrefixLists", read(describe_managed_prefix_lists)),
        ("GetManagedPrefixListEntries", read(get_managed_prefix_list_entries)),
    ]
}

fn not_found(id: &str) -> model::Error {
    model::Error::not_found("InvalidPrefixListID.NotFound", "prefix list", id)
}

/// The lists of the caller's region named by `ids` (all when empty); an unknown id fails.
fn selected(ctx: &Ctx, ids: &[String]) -> Result<Vec<List>, model::Error> {
    let all = aws_managed(&ctx.scope.region);
    for id in ids {
        if !all.iter().any(|p| &p.id == id) {
            return Err(not_found(id));
        }
    }
    Ok(all.into_iter().filter(|p| ids.is_empty() || ids.contains(&p.id)).collect())
}

fn field(p: &List, name: &str) -> Vec<String> {
    match name {
        "prefix-list-id" => one(&p.id),
        "prefix-list-name" => one(&p.name),
        "owner-id" => one(AWS_OWNER),
        _ => vec![],
    }
}

fn describe_prefix_lists(
    ctx: &Ctx,
    _w: &World,
    req: DescribePrefixListsRequest,
) -> Outcome<DescribePrefixListsResult> {
    let filters = Filters::new(&req.filters, &["prefix-list-id", "prefix-list-name"])?;
    let items = selected(ctx, &req.prefix_list_ids)?
        .into_iter()
        .filter(|p| filters.matches(&Default::default(), |n| field(p, n)))
        .map(|p| {
            let shown = PrefixList {
                cidrs: p.cidrs.iter().map(|c| c.to_string()).collect(),
                prefix_list_id: Some(p.id.clone()),
                prefix_list_name: Some(p.name.clone()),
            };
            (p.id, shown)
        })
        .collect();
    let (prefix_lists, next_token) =
        paginate(items, req.max_results, req.next_token.as_deref(), (5, 1000))?;
    Ok(DescribePrefixListsResult { next_token, prefix_lists })
}

fn describe_managed_prefix_lists(
    ctx: &Ctx,
    _w: &World,
    req: DescribeManagedPrefixListsRequest,
) -> Outcome<DescribeManagedPrefixListsResult> {
    let filters = Filters::new(&req.filters, &["owner-id", "prefix-list-id", "prefix-list-name"])?;
    let items = selected(ctx, &req.prefix_list_ids)?
        .into_iter()
        .filter(|p| filters.matches(&Default::default(), |n| field(p, n)))
        .map(|p| {
            let shown = ManagedPrefixList {
                address_family: Some(p.address_family.into()),
                max_entries: None,
                owner_id: Some(AWS_OWNER.into()),
                prefix_list_arn: Some(format!(
                    "arn:aws:ec2:{}:aws:prefix-list/{}",
                    ctx.scope.region, p.id
                )),
                prefix_list_id: Some(p.id.clone()),
                prefix_list_name: Some(p.name.clone()),
                state: Some("create-complete".into()),
                ..Default::default()
            };
            (p.id, shown)
        })
        .collect();
    let (prefix_lists, next_token) =
        paginate(items, req.max_results, req.next_token.as_deref(), (1, 100))?;
    Ok(DescribeManagedPrefixListsResult { next_token, prefix_lists })
}

fn get_managed_prefix_list_entries(
    ctx: &Ctx,
    _w: &World,
    req: GetManagedPrefixListEntriesRequest,
) -> Outcome<GetManagedPrefixListEntriesResult> {
    if !model::ids::is_well_formed("pl", &req.prefix_list_id) {
        return Err(ApiError::client(
            "InvalidPrefixListId.Malformed",
            format!("Invalid id: \"{}\" (expecting \"pl-...\")", req.prefix_list_id),
        )
        .into());
    }
    let list = find_aws_managed(&ctx.scope.region, &req.prefix_list_id)
        .ok_or_else(|| not_found(&req.prefix_list_id))?;
    if let Some(v) = req.target_version
        && v != 1
    {
        return Err(ApiError::invalid_parameter_value(format!(
            "The prefix list {} has no version {v}.",
            list.id
        ))
        .into());
    }
    // Entries page in CIDR order; the CIDR is the token key.
    let items = list
        .cidrs
        .iter()
        .map(|c| (format!("{:010}/{:02}", c.first(), c.prefix_len()), c))
        .map(|(k, c)| (k, PrefixListEntry { cidr: Some(c.to_string()), description: None }))
        .collect();
    let (entries, next_token) =
        paginate(items, req.max_results, req.next_token.as_deref(), (1, 100))?;
    Ok(GetManagedPrefixListEntriesResult { entries, next_token })
}
