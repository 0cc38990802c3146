//! AWS Direct Connect over awsJson 1.1: `X-Amz-Target: OvertureService.<Operation>`, a JSON
//! object in (the generated `shapes::direct_connect` request), a JSON object out, errors as
//! `{"__type": "DirectConnectClientException", "message": …}` with HTTP 400.
//!
//! Connections, LAGs and virtual interfaces belong to the caller's account and region; Direct
//! Connect gateways to the account (they are global). The rules live in
//! [`model::direct_connect`]; this module turns shapes into model calls and model resources into
//! shapes. Each operation is a typed handler in the shared [`crate::registry`]: locations,
//! connections and LAGs in [`connections`], virtual interfaces and their BGP peers in
//! [`interfaces`], Direct Connect gateways, their associations and virtual private gateways in
//! [`gateways`], tags here.

mod connections;
mod gateways;
mod interfaces;

use crate::registry::{self, Ctx, Json, Registry, read, write};
use crate::{Api, Outcome, Reply, Request};
use codes::{DirectConnect, Protocol};
use model::World;
use shapes::direct_connect as s;
use std::sync::OnceLock;
use wire::ApiError;

/// `X-Amz-Target` is `OvertureService.<Operation>`.
pub const TARGET_PREFIX: &str = s::TARGET_PREFIX;

/// A Direct Connect operation, as a handler module lists it.
type Handler = registry::Operation<Json>;

fn registry() -> &'static Registry<Json> {
    static REGISTRY: OnceLock<Registry<Json>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        Registry::json(
            [connections::handlers(), interfaces::handlers(), gateways::handlers(), handlers()],
            |other| {
                ApiError::client(
                    Protocol::UnknownOperationException,
                    format!("vpclab does not implement Direct Connect's {other}."),
                )
            },
        )
    })
}

/// The operations served, sorted.
pub fn operations() -> Vec<&'static str> {
    registry().operations()
}

/// Whether a Direct Connect operation only reads (its handler is a reader).
pub(crate) fn is_read(operation: &str) -> bool {
    registry().is_read(operation)
}

/// Serves one Direct Connect request.
pub async fn handle(api: &Api, request: &Request) -> Result<Reply, ApiError> {
    let service = (s::TARGET_PREFIX, s::OPERATIONS, "Direct Connect");
    registry().serve_json(api, request, service).await.map_err(client_exception)
}

/// Validation failures of the request shapes are Direct Connect's client exception.
fn client_exception(e: ApiError) -> ApiError {
    if e.code == Protocol::ValidationException {
        ApiError::client(DirectConnect::DirectConnectClientException, e.message)
    } else {
        e
    }
}

/// A member the model marks optional but the operation needs.
fn missing(name: &str) -> ApiError {
    ApiError::client(DirectConnect::DirectConnectClientException, format!("{name} is required."))
}

fn tags_in(tags: &[s::Tag]) -> Vec<(String, Option<String>)> {
    tags.iter().map(|t| (t.key.clone(), t.value.clone())).collect()
}

fn tags_out(tags: &model::types::ec2::Tags) -> Vec<s::Tag> {
    tags.iter().map(|(k, v)| s::Tag { key: k.clone(), value: Some(v.clone()) }).collect()
}

fn prefixes_in(prefixes: &[s::RouteFilterPrefix]) -> Vec<String> {
    prefixes.iter().filter_map(|p| p.cidr.clone()).collect()
}

fn asn_of(asn: Option<i32>, asn_long: Option<i64>) -> Option<i64> {
    asn_long.or(asn.map(i64::from))
}

fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("TagResource", write(tag_resource)),
        ("UntagResource", write(untag_resource)),
        ("DescribeTags", read(describe_tags)),
    ]
}

fn tag_resource(
    ctx: &Ctx,
    w: &mut World,
    r: s::TagResourceRequest,
) -> Outcome<s::TagResourceResponse> {
    w.dx_tag_resource(&ctx.scope, &r.resource_arn, &tags_in(&r.tags))?;
    Ok(s::TagResourceResponse {})
}

fn untag_resource(
    ctx: &Ctx,
    w: &mut World,
    r: s::UntagResourceRequest,
) -> Outcome<s::UntagResourceResponse> {
    w.dx_untag_resource(&ctx.scope, &r.resource_arn, &r.tag_keys)?;
    Ok(s::UntagResourceResponse {})
}

fn describe_tags(
    ctx: &Ctx,
    w: &World,
    r: s::DescribeTagsRequest,
) -> Outcome<s::DescribeTagsResponse> {
    let mut resource_tags = Vec::new();
    for arn in &r.resource_arns {
        let id = w.dx_resource_of_arn(&ctx.scope, arn)?;
        let tags = w.dx_tags(&id).map(|(_, _, t)| tags_out(t)).unwrap_or_default();
        resource_tags.push(s::ResourceTag { resource_arn: Some(arn.clone()), tags });
    }
    Ok(s::DescribeTagsResponse { resource_tags })
}
