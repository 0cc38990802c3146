//! Integration tests of the API layer: requests in, AWS documents out, state kept or undone.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod access_analyses;
mod accounts;
mod client_vpn;
mod direct_connect;
mod documented_filters;
mod durability;
mod ec2;
mod elbv2_listeners;
mod elbv2_subnets;
mod elbv2_validation;
mod flow_logs;
mod nat_gateways;
mod network_insights;
mod peering;
mod prefix_lists;
mod privatelink;
mod registry;
mod route53;
mod route53_resolver;
mod transit_gateway_attachments;
mod transit_gateways;
mod vpc_endpoints;
mod vpn;

use api::{Api, Reply, Request, Service};
use model::{Scope, World};
use store::Store;
use wire::QueryMap;

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
}

pub fn scope() -> Scope {
    Scope::new(api::DEFAULT_ACCOUNT, "us-east-1")
}

/// Sends one EC2 request made of `pairs` (Action first).
pub fn call(api: &Api, pairs: &[(&str, &str)]) -> Reply {
    call_as(api, scope(), pairs)
}

pub fn call_as(api: &Api, scope: Scope, pairs: &[(&str, &str)]) -> Reply {
    handle(api, query_request(Service::Ec2, "2016-11-15", scope, pairs))
}

/// A query-protocol request of `service` at API `version` made of `pairs` (Action first).
fn query_request(service: Service, version: &str, scope: Scope, pairs: &[(&str, &str)]) -> Request {
    let mut all = vec![("Version", version)];
    all.extend_from_slice(pairs);
    Request {
        service,
        scope,
        request_id: "REQUEST-ID".into(),
        params: QueryMap::from_pairs(all.iter().map(|(k, v)| (k.to_string(), v.to_string()))),
        target: None,
        body: Vec::new(),
        http: Default::default(),
    }
}

/// Serves one request, then checks that every reference between rows still leads to a row
/// (what a restart checks): no operation may leave an orphan behind.
pub fn handle(api: &Api, request: Request) -> Reply {
    let what = format!("{:?} {:?} {:?}", request.service, request.target, request.params.action());
    let reply = block_on(api.handle(request));
    let dangling = block_on(api.read(|w| w.dangling_references()));
    assert!(dangling.is_empty(), "{what} left dangling references: {dangling:#?}");
    let drift = block_on(api.read(|w| w.index_drift()));
    assert!(drift.is_empty(), "{what} left derived state out of step with its rows: {drift:?}");
    reply
}

/// Sends one ELBv2 (awsQuery) request made of `pairs` (Action first).
pub fn elb(api: &Api, pairs: &[(&str, &str)]) -> Reply {
    handle(api, query_request(Service::Elbv2, "2015-12-01", scope(), pairs))
}

/// The body of an ELBv2 call that must succeed.
pub fn elb_ok(api: &Api, pairs: &[(&str, &str)]) -> String {
    let r = elb(api, pairs);
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

/// The code and message of an ELBv2 call that must fail with HTTP 400 in ELBv2's format.
pub fn elb_error(api: &Api, pairs: &[(&str, &str)]) -> (String, String) {
    let r = elb(api, pairs);
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("<ErrorResponse xmlns"), "{}", r.body);
    let message = first(&r.body, "Message").unwrap_or_default();
    let message = message.replace("&apos;", "'").replace("&quot;", "\"").replace("&amp;", "&");
    (first(&r.body, "Code").unwrap().to_owned(), message)
}

/// The code of an ELBv2 call that must fail with HTTP 400.
pub fn elb_code(api: &Api, pairs: &[(&str, &str)]) -> String {
    elb_error(api, pairs).0
}

pub fn memory_api() -> Api {
    Api::new(World::default(), Store::in_memory())
}

/// The text of the first `<tag>` element of a document.
pub fn first<'a>(doc: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let start = doc.find(&open)? + open.len();
    let end = doc[start..].find(&format!("</{tag}>"))? + start;
    Some(&doc[start..end])
}

pub fn all<'a>(doc: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let mut out = vec![];
    let mut rest = doc;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(&close) else { break };
        out.push(&after[..j]);
        rest = &after[j + close.len()..];
    }
    out
}

/// The body of a call that must succeed.
pub fn ok(api: &Api, pairs: &[(&str, &str)]) -> String {
    let r = call(api, pairs);
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

/// The error code of a call that must fail.
pub fn code(api: &Api, pairs: &[(&str, &str)]) -> String {
    let r = call(api, pairs);
    assert_ne!(r.status, 200, "{}", r.body);
    first(&r.body, "Code").unwrap().to_owned()
}
