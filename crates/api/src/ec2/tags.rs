//! CreateTags, DeleteTags, DescribeTags — for every taggable resource.

use super::common::tag_pairs;
use super::filter::{Filters, Row, Table, table};
use super::page::paginate;
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use model::World;
use shapes::ec2::*;
use wire::xml::ReturnTrue;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateTags", write(create_tags)),
        ("DeleteTags", write(delete_tags)),
        ("DescribeTags", read(describe_tags)),
    ]
}

fn create_tags(ctx: &Ctx, w: &mut World, req: CreateTagsRequest) -> Outcome<ReturnTrue> {
    w.create_tags(&ctx.scope, &req.resources, &tag_pairs(&req.tags)?)?;
    Ok(ReturnTrue)
}

fn delete_tags(ctx: &Ctx, w: &mut World, req: DeleteTagsRequest) -> Outcome<ReturnTrue> {
    let tags: Vec<(String, Option<String>)> = req
        .tags
        .iter()
        .map(|t| {
            Ok((
                t.key.clone().ok_or_else(|| wire::ApiError::missing_parameter("Tag.N.Key"))?,
                t.value.clone(),
            ))
        })
        .collect::<Result<_, wire::ApiError>>()?;
    w.delete_tags(&ctx.scope, &req.resources, &tags)?;
    Ok(ReturnTrue)
}

/// Read from the tag as DescribeTags shows it.
pub(super) const TAG_FILTERS: Table<TagDescription> = table![
    "key" => |t| t.key.iter().cloned().collect(),
    "resource-id" => |t| t.resource_id.iter().cloned().collect(),
    "resource-type" => |t| t.resource_type.iter().cloned().collect(),
    "value" => |t| t.value.iter().cloned().collect(),
];

// Not on `describe::describe`: its rows (one per tag) are built for the request, not stored.
fn describe_tags(ctx: &Ctx, w: &World, req: DescribeTagsRequest) -> Outcome<DescribeTagsResult> {
    let filters = Filters::new(&req.filters, TAG_FILTERS)?;
    let mut items = Vec::new();
    for (id, kind, tags) in w.tagged_resources(&ctx.scope) {
        for (key, value) in tags {
            let shown = TagDescription {
                key: Some(key.clone()),
                value: Some(value.clone()),
                resource_id: Some(id.clone()),
                resource_type: Some(kind.to_owned()),
            };
            if filters.matches(&Row::new(w, &ctx.scope, &shown), &Default::default()) {
                items.push((format!("{id}\u{0}{key}"), shown));
            }
        }
    }
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let (tags, next_token) =
        paginate(items, req.max_results, req.next_token.as_deref(), (5, 1000))?;
    Ok(DescribeTagsResult { tags, next_token })
}
