//! Prefix list operations: the AWS-managed lists of the region (read only) and the caller's
//! customer-managed lists (create, modify, restore a version, delete, associations).
//!
//! DescribePrefixLists shows the AWS service lists only, as AWS does; DescribeManagedPrefixLists
//! shows both kinds.

use super::common::{tag_set, tags_for};
use super::filter::{Filters, Row, Table, one, table};
use super::page::paginate;
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use codes::Ec2;
use model::World;
use model::cidr::Cidr;
use model::prefix_list::{
    AWS_OWNER, CustomerPrefixList, Entry, ManagedPrefixList as AwsList, NewPrefixList,
    PrefixListChange, aws_managed, find_aws_managed,
};
use shapes::ec2::*;
use wire::ApiError;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("DescribePrefixLists", read(describe_prefix_lists)),
        ("DescribeManagedPrefixLists", read(describe_managed_prefix_lists)),
        ("GetManagedPrefixListEntries", read(get_managed_prefix_list_entries)),
        ("CreateManagedPrefixList", write(create_managed_prefix_list)),
        ("ModifyManagedPrefixList", write(modify_managed_prefix_list)),
        ("DeleteManagedPrefixList", write(delete_managed_prefix_list)),
        ("RestoreManagedPrefixListVersion", write(restore_managed_prefix_list_version)),
        ("GetManagedPrefixListAssociations", read(get_managed_prefix_list_associations)),
    ]
}

fn not_found(id: &str) -> model::Error {
    model::Error::not_found(Ec2::InvalidPrefixListIDNotFound, "prefix list", id)
}

fn check_id(id: &str) -> Result<(), model::Error> {
    model::kinds::PREFIX_LIST.check_format(id)
}

/// A list of either kind, as the Describe and Get calls see it.
enum Any<'w> {
    Aws(AwsList),
    Customer(&'w CustomerPrefixList),
}

impl Any<'_> {
    fn id(&self) -> &str {
        match self {
            Any::Aws(p) => &p.id,
            Any::Customer(p) => &p.id,
        }
    }

    fn tags(&self) -> model::types::ec2::Tags {
        match self {
            Any::Aws(_) => Default::default(),
            Any::Customer(p) => p.tags.clone(),
        }
    }

    fn render(&self, ctx: &Ctx) -> ManagedPrefixList {
        match self {
            Any::Aws(p) => ManagedPrefixList {
                address_family: Some(p.address_family.into()),
                owner_id: Some(AWS_OWNER.into()),
                prefix_list_arn: Some(format!(
                    "arn:aws:ec2:{}:aws:prefix-list/{}",
                    ctx.scope.region, p.id
                )),
                prefix_list_id: Some(p.id.clone()),
                prefix_list_name: Some(p.name.clone()),
                state: Some("create-complete".into()),
                ..Default::default()
            },
            Any::Customer(p) => render(p),
        }
    }
}

/// DescribePrefixLists: the AWS-managed lists.
pub(super) const AWS_FILTERS: Table<AwsList> = table![
    "prefix-list-id" => |p| one(&p.id),
    "prefix-list-name" => |p| one(&p.name),
];

/// DescribeManagedPrefixLists: lists of either kind, read as shown.
pub(super) const MANAGED_FILTERS: Table<ManagedPrefixList> = table![
    "owner-id" => |p| p.owner_id.iter().cloned().collect(),
    "prefix-list-id" => |p| p.prefix_list_id.iter().cloned().collect(),
    "prefix-list-name" => |p| p.prefix_list_name.iter().cloned().collect(),
];

/// A customer-managed list as the API shows it.
fn render(p: &CustomerPrefixList) -> ManagedPrefixList {
    ManagedPrefixList {
        address_family: Some(p.address_family.as_str().into()),
        max_entries: i32::try_from(p.max_entries).ok(),
        owner_id: Some(p.owner.account.clone()),
        prefix_list_arn: Some(p.arn()),
        prefix_list_id: Some(p.id.clone()),
        prefix_list_name: Some(p.name.clone()),
        state: Some(p.state.as_str().into()),
        state_message: p.state_message.clone(),
        tags: tag_set(&p.tags),
        version: Some(p.version()),
        ..Default::default()
    }
}

/// The lists of either kind the caller sees, in id order.
fn all_lists<'w>(ctx: &'w Ctx, w: &'w World) -> Vec<Any<'w>> {
    let mut lists: Vec<Any<'w>> =
        aws_managed(&ctx.scope.region).into_iter().map(Any::Aws).collect();
    lists.extend(w.prefix_lists.in_scope(&ctx.scope).map(Any::Customer));
    lists.sort_by(|a, b| a.id().cmp(b.id()));
    lists
}

/// One list of either kind by id.
fn find_any<'w>(ctx: &Ctx, w: &'w World, id: &str) -> Result<Any<'w>, model::Error> {
    check_id(id)?;
    if let Some(p) = find_aws_managed(&ctx.scope.region, id) {
        return Ok(Any::Aws(p));
    }
    w.prefix_lists.find(&model::kinds::PREFIX_LIST, &ctx.scope, id).map(Any::Customer)
}

/// The AWS-managed lists of the caller's region named by `ids` (all when empty).
fn selected_aws(ctx: &Ctx, ids: &[String]) -> Result<Vec<AwsList>, model::Error> {
    let all = aws_managed(&ctx.scope.region);
    for id in ids {
        if !all.iter().any(|p| &p.id == id) {
            return Err(not_found(id));
        }
    }
    Ok(all.into_iter().filter(|p| ids.is_empty() || ids.contains(&p.id)).collect())
}

// Not on `describe::describe`: AWS's lists are built for the request, not stored.
fn describe_prefix_lists(
    ctx: &Ctx,
    w: &World,
    req: DescribePrefixListsRequest,
) -> Outcome<DescribePrefixListsResult> {
    let filters = Filters::new(&req.filters, AWS_FILTERS)?;
    let items = selected_aws(ctx, &req.prefix_list_ids)?
        .into_iter()
        .filter(|p| filters.matches(&Row::new(w, &ctx.scope, p), &Default::default()))
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

// Not on `describe::describe`: filters read the rendered list (AWS's and the caller's alike).
fn describe_managed_prefix_lists(
    ctx: &Ctx,
    w: &World,
    req: DescribeManagedPrefixListsRequest,
) -> Outcome<DescribeManagedPrefixListsResult> {
    let filters = Filters::new(&req.filters, MANAGED_FILTERS)?;
    let lists = all_lists(ctx, w);
    for id in &req.prefix_list_ids {
        if !lists.iter().any(|p| p.id() == id) {
            return Err(not_found(id).into());
        }
    }
    let ids = &req.prefix_list_ids;
    let items = lists
        .into_iter()
        .filter(|p| ids.is_empty() || ids.iter().any(|id| id == p.id()))
        .map(|p| (p.id().to_owned(), p.render(ctx), p.tags()))
        .filter(|(_, shown, tags)| filters.matches(&Row::new(w, &ctx.scope, shown), tags))
        .map(|(id, shown, _)| (id, shown))
        .collect();
    let (prefix_lists, next_token) =
        paginate(items, req.max_results, req.next_token.as_deref(), (1, 100))?;
    Ok(DescribeManagedPrefixListsResult { next_token, prefix_lists })
}

fn entry_key(c: &Cidr) -> String {
    match c {
        Cidr::V4(c) => format!("4-{:010}/{:03}", c.first(), c.prefix_len()),
        Cidr::V6(c) => format!("6-{:039}/{:03}", c.first(), c.prefix_len()),
    }
}

fn get_managed_prefix_list_entries(
    ctx: &Ctx,
    w: &World,
    req: GetManagedPrefixListEntriesRequest,
) -> Outcome<GetManagedPrefixListEntriesResult> {
    let no_version = |v: i64| {
        ApiError::invalid_parameter_value(format!(
            "The prefix list {} has no version {v}.",
            req.prefix_list_id
        ))
    };
    let entries: Vec<Entry> = match find_any(ctx, w, &req.prefix_list_id)? {
        Any::Aws(p) => {
            if let Some(v) = req.target_version
                && v != 1
            {
                return Err(no_version(v).into());
            }
            p.cidrs.into_iter().map(|c| Entry { cidr: Cidr::V4(c), description: None }).collect()
        }
        Any::Customer(p) => match req.target_version {
            Some(v) => p.entries_at(v).ok_or_else(|| no_version(v))?.to_vec(),
            None => p.entries().to_vec(),
        },
    };
    // Entries page in CIDR order; the CIDR is the token key.
    let items = entries
        .into_iter()
        .map(|e| {
            let shown =
                PrefixListEntry { cidr: Some(e.cidr.to_string()), description: e.description };
            (entry_key(&e.cidr), shown)
        })
        .collect();
    let (entries, next_token) =
        paginate(items, req.max_results, req.next_token.as_deref(), (1, 100))?;
    Ok(GetManagedPrefixListEntriesResult { entries, next_token })
}

fn added(entries: Vec<AddPrefixListEntry>) -> Vec<(String, Option<String>)> {
    entries.into_iter().map(|e| (e.cidr, e.description)).collect()
}

fn shown(w: &World, id: &str) -> Result<Option<ManagedPrefixList>, model::Error> {
    let list = w.prefix_lists.get(id).ok_or_else(|| not_found(id))?;
    Ok(Some(render(list)))
}

fn create_managed_prefix_list(
    ctx: &Ctx,
    w: &mut World,
    req: CreateManagedPrefixListRequest,
) -> Outcome<CreateManagedPrefixListResult> {
    let tags = tags_for(&req.tag_specifications, "prefix-list")?;
    let new = NewPrefixList {
        name: req.prefix_list_name,
        max_entries: req.max_entries,
        address_family: req.address_family,
        entries: added(req.entries),
        client_token: req.client_token,
        tags,
    };
    let id = w.create_managed_prefix_list(&ctx.scope, new)?;
    Ok(CreateManagedPrefixListResult { prefix_list: shown(w, &id)? })
}

fn modify_managed_prefix_list(
    ctx: &Ctx,
    w: &mut World,
    req: ModifyManagedPrefixListRequest,
) -> Outcome<ModifyManagedPrefixListResult> {
    check_id(&req.prefix_list_id)?;
    let change = PrefixListChange {
        current_version: req.current_version,
        name: req.prefix_list_name,
        max_entries: req.max_entries,
        add: added(req.add_entries),
        remove: req.remove_entries.into_iter().map(|e| e.cidr).collect(),
    };
    w.modify_managed_prefix_list(&ctx.scope, &req.prefix_list_id, change)?;
    Ok(ModifyManagedPrefixListResult { prefix_list: shown(w, &req.prefix_list_id)? })
}

fn delete_managed_prefix_list(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteManagedPrefixListRequest,
) -> Outcome<DeleteManagedPrefixListResult> {
    check_id(&req.prefix_list_id)?;
    let list = w.delete_managed_prefix_list(&ctx.scope, &req.prefix_list_id)?;
    Ok(DeleteManagedPrefixListResult { prefix_list: Some(render(&list)) })
}

fn restore_managed_prefix_list_version(
    ctx: &Ctx,
    w: &mut World,
    req: RestoreManagedPrefixListVersionRequest,
) -> Outcome<RestoreManagedPrefixListVersionResult> {
    check_id(&req.prefix_list_id)?;
    w.restore_managed_prefix_list_version(
        &ctx.scope,
        &req.prefix_list_id,
        req.previous_version,
        req.current_version,
    )?;
    Ok(RestoreManagedPrefixListVersionResult { prefix_list: shown(w, &req.prefix_list_id)? })
}

fn get_managed_prefix_list_associations(
    ctx: &Ctx,
    w: &World,
    req: GetManagedPrefixListAssociationsRequest,
) -> Outcome<GetManagedPrefixListAssociationsResult> {
    let list = find_any(ctx, w, &req.prefix_list_id)?;
    let items = w
        .prefix_list_associations(&ctx.scope, list.id())
        .into_iter()
        .map(|id| {
            let shown = PrefixListAssociation {
                resource_id: Some(id.clone()),
                resource_owner: Some(ctx.scope.account.clone()),
            };
            (id, shown)
        })
        .collect();
    let (prefix_list_associations, next_token) =
        paginate(items, req.max_results, req.next_token.as_deref(), (5, 255))?;
    Ok(GetManagedPrefixListAssociationsResult { next_token, prefix_list_associations })
}
