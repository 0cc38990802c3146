//! Route 53 through `Api::handle`: routing by method and path, restXml decoding and errors.

use crate::block_on;
use api::{Api, Http, Reply, Request, Service};
use model::Scope;
use wire::QueryMap;

/// One Route 53 call: method, path (with an optional query string) and body.
pub(crate) fn r53(api: &Api, method: &str, path: &str, body: &str) -> Reply {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let request = Request {
        service: Service::Route53,
        scope: Scope::new(api::DEFAULT_ACCOUNT, api::DEFAULT_REGION),
        request_id: "REQUEST-ID".into(),
        params: QueryMap::parse(query.as_bytes()).unwrap(),
        target: None,
        body: body.as_bytes().to_vec(),
        http: Http { method: method.into(), path: path.into(), headers: vec![] },
    };
    block_on(api.handle(request))
}

/// The error code of a failed call.
pub(crate) fn code(reply: &Reply) -> String {
    crate::first(&reply.body, "Code").unwrap_or_default().to_owned()
}

#[test]
fn unknown_paths_and_methods_are_refused() {
    let api = crate::memory_api();
    let r = r53(&api, "GET", "/2013-04-01/nothing", "");
    assert_eq!((r.status, code(&r).as_str()), (404, "UnknownOperationException"));
    assert!(r.body.starts_with("<?xml"));
    assert!(
        r.body.contains("<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">")
    );
    let r = r53(&api, "PUT", "/2013-04-01/hostedzone", "");
    assert_eq!((r.status, code(&r).as_str()), (405, "MethodNotAllowed"));
}

#[test]
fn checker_ip_ranges_are_this_machine() {
    let api = crate::memory_api();
    let r = r53(&api, "GET", "/2013-04-01/checkeripranges", "");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("<GetCheckerIpRangesResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><CheckerIpRanges><member>127.0.0.1/32</member>"), "{}", r.body);
}

#[test]
fn malformed_bodies_are_invalid_input() {
    let api = crate::memory_api();
    let r = r53(&api, "POST", "/2013-04-01/hostedzone", "<CreateHostedZoneRequest><Name>");
    assert_eq!((r.status, code(&r).as_str()), (400, "InvalidInput"), "{}", r.body);
}
