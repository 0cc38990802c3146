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

fn create_zone(api: &Api, name: &str) -> String {
    let body = format!(
        r#"<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Name>{name}</Name><CallerReference>{name}</CallerReference></CreateHostedZoneRequest>"#
    );
    let r = r53(api, "POST", "/2013-04-01/hostedzone", &body);
    assert_eq!(r.status, 201, "{}", r.body);
    let zone = r.body.split("<HostedZone>").nth(1).unwrap();
    let id = crate::first(zone, "Id").unwrap().to_owned();
    assert!(id.starts_with("/hostedzone/Z"), "{id}");
    let location = &r.headers.iter().find(|(k, _)| *k == "Location").unwrap().1;
    assert!(location.ends_with(&id), "{location}");
    id
}

fn change(api: &Api, zone: &str, action: &str, name: &str, value: &str) -> Reply {
    let body = format!(
        r#"<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes><Change><Action>{action}</Action><ResourceRecordSet><Name>{name}</Name><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>{value}</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>"#
    );
    r53(
        api,
        "POST",
        &format!("/2013-04-01/hostedzone/{}/rrset/", zone.trim_start_matches("/hostedzone/")),
        &body,
    )
}

#[test]
fn zones_are_created_read_listed_and_deleted() {
    let api = crate::memory_api();
    let id = create_zone(&api, "example.com");
    // Both the bare and the prefixed id are accepted.
    let bare = id.trim_start_matches("/hostedzone/");
    for path in [
        format!("/2013-04-01/hostedzone/{bare}"),
        format!("/2013-04-01/hostedzone/%2Fhostedzone%2F{bare}"),
    ] {
        let r = r53(&api, "GET", &path, "");
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("<Name>example.com.</Name>"), "{}", r.body);
        assert!(r.body.contains("<NameServers><NameServer>ns-"), "{}", r.body);
    }
    let r = r53(&api, "GET", "/2013-04-01/hostedzone", "");
    assert!(r.body.contains("<IsTruncated>false</IsTruncated>"), "{}", r.body);
    assert!(r.body.contains("<MaxItems>100</MaxItems>"), "{}", r.body);
    let r = r53(&api, "GET", "/2013-04-01/hostedzonecount", "");
    assert_eq!(crate::first(&r.body, "HostedZoneCount"), Some("1"));

    let r = r53(&api, "DELETE", &format!("/2013-04-01/hostedzone/{bare}"), "");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("<Status>INSYNC</Status>"), "{}", r.body);
    let r = r53(&api, "GET", &format!("/2013-04-01/hostedzone/{bare}"), "");
    assert_eq!((r.status, code(&r).as_str()), (404, "NoSuchHostedZone"));
}

#[test]
fn record_changes_are_atomic_and_listed() {
    let api = crate::memory_api();
    let zone = create_zone(&api, "example.com");
    let r = change(&api, &zone, "CREATE", "a.example.com", "10.0.0.1");
    assert_eq!(r.status, 200, "{}", r.body);
    let change_id = crate::first(&r.body, "Id").unwrap().to_owned();
    let r = r53(
        &api,
        "GET",
        &format!("/2013-04-01/change/{}", change_id.trim_start_matches("/change/")),
        "",
    );
    assert!(r.body.contains("<Status>INSYNC</Status>"), "{}", r.body);

    let r = change(&api, &zone, "CREATE", "a.example.com", "10.0.0.1");
    assert_eq!((r.status, code(&r).as_str()), (400, "InvalidChangeBatch"), "{}", r.body);
    let r = change(&api, &zone, "CREATE", "b.example.com", "not-an-address");
    assert_eq!((r.status, code(&r).as_str()), (400, "InvalidChangeBatch"), "{}", r.body);

    let bare = zone.trim_start_matches("/hostedzone/");
    let r = r53(&api, "GET", &format!("/2013-04-01/hostedzone/{bare}/rrset?maxitems=2"), "");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("<IsTruncated>true</IsTruncated>"), "{}", r.body);
    assert!(r.body.contains("<NextRecordName>"), "{}", r.body);
    let r = r53(&api, "GET", &format!("/2013-04-01/hostedzone/{bare}/rrset"), "");
    assert!(
        r.body.contains("<Name>a.example.com.</Name><Type>A</Type>")
            || r.body.contains("<Value>10.0.0.1</Value>"),
        "{}",
        r.body
    );
    // A zone with records of its own cannot be deleted.
    let r = r53(&api, "DELETE", &format!("/2013-04-01/hostedzone/{bare}"), "");
    assert_eq!(code(&r), "HostedZoneNotEmpty");
}

#[test]
fn geolocations_and_unanswered_operations() {
    let api = crate::memory_api();
    let r = r53(&api, "GET", "/2013-04-01/geolocation?countrycode=US&subdivisioncode=WA", "");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("<SubdivisionName>Washington</SubdivisionName>"), "{}", r.body);
    let r =
        r53(&api, "GET", "/2013-04-01/testdnsanswer?hostedzoneid=Z1&recordname=a&recordtype=A", "");
    assert_eq!((r.status, code(&r).as_str()), (501, "NotImplemented"));
    let r =
        r53(&api, "GET", "/2013-04-01/healthcheck/00000000-0000-4000-a000-000000000000/status", "");
    assert_eq!(r.status / 100, 4, "{}", r.body);
}
