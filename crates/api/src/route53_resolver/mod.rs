//! Route 53 Resolver over awsJson 1.1: `X-Amz-Target: Route53Resolver.<Operation>`, a JSON
//! object in (the generated `shapes::route53_resolver` request), a JSON object out, errors as
//! `{"__type": "InvalidParameterException", "message": …}` with HTTP 400.
//!
//! Endpoints, rules and associations belong to the caller's account and region; the rules live
//! in [`model::route53_resolver`]. Lists take Resolver's filters (by the member names AWS
//! documents for each list) and page with an opaque `NextToken`. AWS's auto-defined RECURSIVE
//! rule is listed among the rules and can be read, not changed.
//!
//! Each operation is a typed handler in the shared [`crate::registry`]: endpoints and their
//! addresses in [`endpoints`], rules in [`rules`], rule associations in [`associations`], tags
//! here. What vpclab refuses in a request before touching the world (Outposts, IPv6, DoH,
//! DELEGATE rules) is refused as the request is decoded, outside the lock.

mod associations;
mod endpoints;
mod rules;

use crate::registry::{self, Ctx, Json, Registry, read, write};
use crate::{Api, Outcome, Reply, Request};
use codes::{Protocol, Route53Resolver};
use model::World;
use shapes::route53_resolver as s;
use std::sync::OnceLock;
use wire::{ApiError, Timestamp};

/// `X-Amz-Target` is `Route53Resolver.<Operation>`.
pub const TARGET_PREFIX: &str = s::TARGET_PREFIX;

/// What lists return when `MaxResults` is not given.
const DEFAULT_MAX_RESULTS: usize = 100;

/// A Route 53 Resolver operation, as a handler module lists it.
type Handler = registry::Operation<Json>;

fn registry() -> &'static Registry<Json> {
    static REGISTRY: OnceLock<Registry<Json>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        Registry::json(
            [endpoints::handlers(), rules::handlers(), associations::handlers(), handlers()],
            |other| {
                ApiError::client(
                    Protocol::UnknownOperationException,
                    format!("The operation '{other}' is not served."),
                )
            },
        )
    })
}

/// The operations served, sorted.
pub fn operations() -> Vec<&'static str> {
    registry().operations()
}

/// Whether a Route 53 Resolver operation only reads (its handler is a reader).
pub(crate) fn is_read(operation: &str) -> bool {
    registry().is_read(operation)
}

/// Serves one Route 53 Resolver request.
pub async fn handle(api: &Api, request: &Request) -> Result<Reply, ApiError> {
    let service = (s::TARGET_PREFIX, s::OPERATIONS, "Route 53 Resolver");
    registry().serve_json(api, request, service).await.map_err(invalid_parameter)
}

/// Requests that do not fit their shape are Resolver's `InvalidParameterException`.
fn invalid_parameter(e: ApiError) -> ApiError {
    if e.code == Protocol::ValidationException {
        ApiError::client(Route53Resolver::InvalidParameterException, e.message)
    } else {
        e
    }
}

/// A request vpclab refuses (what it does not serve) before the world is touched.
fn refused(message: &str) -> ApiError {
    ApiError::client(Route53Resolver::InvalidParameterException, message)
}

fn time(ms: i64) -> Option<String> {
    Some(Timestamp(ms).to_iso8601())
}

fn tags_in(tags: &[s::Tag]) -> Vec<(String, String)> {
    tags.iter().map(|t| (t.key.clone(), t.value.clone())).collect()
}

/// An optional member as a filter's values.
fn one(v: &Option<String>) -> Option<Vec<String>> {
    Some(v.iter().cloned().collect())
}

/// Keeps the items every filter matches; `fields` gives an item's values for a filter name
/// (`None`: a name this list does not filter by).
fn filtered<T>(
    items: Vec<T>,
    filters: &[s::Filter],
    fields: impl Fn(&T, &str) -> Option<Vec<String>>,
) -> Result<Vec<T>, ApiError> {
    let mut out = Vec::new();
    for item in items {
        let mut keep = true;
        for f in filters {
            let name = f.name.as_deref().unwrap_or_default();
            let values = fields(&item, name).ok_or_else(|| {
                ApiError::client(
                    Route53Resolver::InvalidParameterException,
                    format!("'{name}' is not a filter of this list."),
                )
            })?;
            keep &= f.values.is_empty() || values.iter().any(|v| f.values.contains(v));
        }
        if keep {
            out.push(item);
        }
    }
    Ok(out)
}

/// One page of `items`: (page, next token). Tokens are the offset of the next item.
fn page<T>(
    items: Vec<T>,
    max_results: Option<i32>,
    token: Option<&str>,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let max = match max_results {
        None => DEFAULT_MAX_RESULTS,
        Some(n) => usize::try_from(n).ok().filter(|n| (1..=100).contains(n)).ok_or_else(|| {
            ApiError::client(
                Route53Resolver::InvalidParameterException,
                format!("MaxResults {n} is not between 1 and 100."),
            )
        })?,
    };
    let start = match token {
        None => 0,
        Some(t) => t.parse::<usize>().ok().filter(|s| *s <= items.len()).ok_or_else(|| {
            ApiError::client(
                Route53Resolver::InvalidNextTokenException,
                format!("The token '{t}' is not valid."),
            )
        })?,
    };
    let end = start.saturating_add(max).min(items.len());
    let next = (end < items.len()).then(|| end.to_string());
    Ok((items.into_iter().skip(start).take(max).collect(), next))
}

fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("TagResource", write(tag_resource)),
        ("UntagResource", write(untag_resource)),
        ("ListTagsForResource", read(list_tags_for_resource)),
    ]
}

fn tag_resource(
    ctx: &Ctx,
    w: &mut World,
    q: s::TagResourceRequest,
) -> Outcome<s::TagResourceResponse> {
    w.tag_resolver_resource(&ctx.scope, &q.resource_arn, &tags_in(&q.tags))?;
    Ok(s::TagResourceResponse {})
}

fn untag_resource(
    ctx: &Ctx,
    w: &mut World,
    q: s::UntagResourceRequest,
) -> Outcome<s::UntagResourceResponse> {
    let tags = w.resolver_tags_mut(&ctx.scope, &q.resource_arn)?;
    for k in &q.tag_keys {
        tags.remove(k);
    }
    Ok(s::UntagResourceResponse {})
}

fn list_tags_for_resource(
    ctx: &Ctx,
    w: &World,
    q: s::ListTagsForResourceRequest,
) -> Outcome<s::ListTagsForResourceResponse> {
    let all = w
        .resolver_tags(&ctx.scope, &q.resource_arn)?
        .iter()
        .map(|(k, v)| s::Tag { key: k.clone(), value: v.clone() })
        .collect();
    let (tags, next_token) = page(all, q.max_results, q.next_token.as_deref())?;
    Ok(s::ListTagsForResourceResponse { next_token, tags })
}
