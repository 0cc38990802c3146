//! Route 53 through `Api::handle`: routing by method and path, restXml decoding and errors.

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
    crate::handle(api, request)
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
        r53(&api, "GET", "/2013-04-01/healthcheck/00000000-0000-4000-a000-000000000000/status", "");
    assert_eq!(r.status / 100, 4, "{}", r.body);
}

/// Records the questions it is asked and answers from a fixed table.
#[derive(Default)]
struct FakeAnswerer(std::sync::Mutex<Vec<api::route53::DnsQuestion>>);

impl api::route53::DnsAnswerer for FakeAnswerer {
    fn answer(&self, q: &api::route53::DnsQuestion) -> api::route53::DnsAnswer {
        self.0.lock().unwrap().push(q.clone());
        let (code, data): (&str, &[&str]) = match q.name.as_str() {
            "www.example.com" => ("NOERROR", &["192.0.2.1"]),
            "example.com" => ("NOERROR", &["10 mail.example.com.", "20 mx2.example.com."]),
            _ => ("NXDOMAIN", &[]),
        };
        api::route53::DnsAnswer {
            response_code: code.into(),
            record_data: data.iter().map(|d| (*d).to_owned()).collect(),
            protocol: "UDP".into(),
        }
    }
}

fn test_dns(api: &Api, query: &str) -> Reply {
    r53(api, "GET", &format!("/2013-04-01/testdnsanswer?{query}"), "")
}

#[test]
fn test_dns_answer_asks_the_dns_engine_for_public_zones() {
    let api = crate::memory_api();
    let zone = create_zone(&api, "example.com");
    let id = zone.trim_start_matches("/hostedzone/");
    let ask = |rest: &str| test_dns(&api, &format!("hostedzoneid={id}&{rest}"));
    // Not wired: a clear 501, after the zone was found.
    let r = ask("recordname=www.example.com&recordtype=A");
    assert_eq!((r.status, code(&r).as_str()), (501, "NotImplemented"), "{}", r.body);
    let missing =
        test_dns(&api, "hostedzoneid=ZNOSUCHZONE123&recordname=a.example.com&recordtype=A");
    assert_eq!((missing.status, code(&missing).as_str()), (404, "NoSuchHostedZone"));

    let fake = std::sync::Arc::new(FakeAnswerer::default());
    api.set_dns_answerer(fake.clone());
    let r = ask("recordname=www.example.com&recordtype=A");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains(
            "<TestDNSAnswerResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
        ),
        "{}",
        r.body
    );
    let ns = crate::first(&r.body, "Nameserver").unwrap();
    assert!(ns.starts_with("ns-") && !ns.ends_with('.'), "{ns}");
    assert_eq!(crate::first(&r.body, "RecordName"), Some("www.example.com"));
    assert_eq!(crate::first(&r.body, "RecordType"), Some("A"));
    assert_eq!(crate::first(&r.body, "ResponseCode"), Some("NOERROR"));
    assert_eq!(crate::first(&r.body, "Protocol"), Some("UDP"));
    assert!(
        r.body.contains("<RecordData><RecordDataEntry>192.0.2.1</RecordDataEntry></RecordData>"),
        "{}",
        r.body
    );
    let mx = ask("recordname=example.com&recordtype=MX");
    assert!(mx.body.contains("<RecordDataEntry>10 mail.example.com.</RecordDataEntry><RecordDataEntry>20 mx2.example.com.</RecordDataEntry>"), "{}", mx.body);
    let nx = ask("recordname=nope.example.com&recordtype=A");
    assert_eq!(crate::first(&nx.body, "ResponseCode"), Some("NXDOMAIN"), "{}", nx.body);

    // What the engine is asked: the zone, the resolver, the client subnet (mask defaulted).
    let r = ask(
        "recordname=www.example.com&recordtype=A&resolverip=198.51.100.7&edns0clientsubnetip=203.0.113.9",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let asked = fake.0.lock().unwrap().last().cloned().unwrap();
    assert_eq!((asked.zone_id.as_str(), asked.zone_origin.as_str()), (id, "example.com."));
    assert_eq!(asked.resolver, "198.51.100.7".parse::<std::net::IpAddr>().unwrap());
    assert_eq!(asked.client_subnet, Some(("203.0.113.9".parse().unwrap(), 24)));
    let first_asked = fake.0.lock().unwrap().first().cloned().unwrap();
    assert_eq!(first_asked.resolver, api::route53::DEFAULT_RESOLVER);
    assert_eq!(first_asked.client_subnet, None);
    // Bad inputs are InvalidInput, and the engine is not asked.
    let before = fake.0.lock().unwrap().len();
    for bad in [
        "recordname=www.example.com&recordtype=BOGUS",
        "recordname=www.example.com&recordtype=A&resolverip=300.1.1.1",
        "recordname=www.example.com&recordtype=A&edns0clientsubnetip=nope",
        "recordname=www.example.com&recordtype=A&edns0clientsubnetip=192.0.2.1&edns0clientsubnetmask=33",
        "recordname=www.example.com&recordtype=A&edns0clientsubnetip=2001:db8::1&edns0clientsubnetmask=129",
        "recordname=a..b&recordtype=A",
    ] {
        let r = ask(bad);
        assert_eq!((r.status, code(&r).as_str()), (400, "InvalidInput"), "{bad}: {}", r.body);
    }
    assert_eq!(fake.0.lock().unwrap().len(), before);
}

#[test]
fn test_dns_answer_refuses_private_zones() {
    let api = crate::memory_api();
    api.set_dns_answerer(std::sync::Arc::new(FakeAnswerer::default()));
    let vpc = crate::ok(&api, &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")]);
    let vpc = crate::first(&vpc, "vpcId").unwrap().to_owned();
    let body = format!(
        r#"<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Name>corp.internal</Name><VPC><VPCRegion>us-east-1</VPCRegion><VPCId>{vpc}</VPCId></VPC><CallerReference>p</CallerReference><HostedZoneConfig><PrivateZone>true</PrivateZone></HostedZoneConfig></CreateHostedZoneRequest>"#
    );
    let r = r53(&api, "POST", "/2013-04-01/hostedzone", &body);
    assert_eq!(r.status, 201, "{}", r.body);
    let zone = r.body.split("<HostedZone>").nth(1).unwrap();
    let id = crate::first(zone, "Id").unwrap().trim_start_matches("/hostedzone/").to_owned();
    let r = test_dns(&api, &format!("hostedzoneid={id}&recordname=db.corp.internal&recordtype=A"));
    assert_eq!((r.status, code(&r).as_str()), (400, "InvalidInput"), "{}", r.body);
}

/// The error code and message (XML entities decoded) of a failed call.
fn error(reply: &Reply) -> (String, String) {
    let message = crate::first(&reply.body, "Message").unwrap_or_default();
    let message = [("&apos;", "'"), ("&quot;", "\""), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")]
        .iter()
        .fold(message.to_owned(), |m, (entity, c)| m.replace(entity, c));
    (code(reply), message)
}

const XMLNS: &str = "https://route53.amazonaws.com/doc/2013-04-01/";

/// A batch of one change per (action, name, record count), each record a distinct address.
fn batch(api: &Api, zone: &str, changes: &[(&str, &str, usize)]) -> Reply {
    let changes: String = changes
        .iter()
        .map(|(action, name, n)| {
            let records: String = (0..*n)
                .map(|i| {
                    format!("<ResourceRecord><Value>10.0.{}.{}</Value></ResourceRecord>", i / 256, i % 256)
                })
                .collect();
            format!("<Change><Action>{action}</Action><ResourceRecordSet><Name>{name}</Name><Type>A</Type><TTL>60</TTL><ResourceRecords>{records}</ResourceRecords></ResourceRecordSet></Change>")
        })
        .collect();
    let body = format!(
        r#"<ChangeResourceRecordSetsRequest xmlns="{XMLNS}"><ChangeBatch><Changes>{changes}</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>"#
    );
    let bare = zone.trim_start_matches("/hostedzone/");
    r53(api, "POST", &format!("/2013-04-01/hostedzone/{bare}/rrset/"), &body)
}

#[test]
fn upserted_records_count_twice_toward_the_batch_limit() {
    // AWS's Route 53 quotas: at most 1,000 ResourceRecord elements a request, an UPSERT's
    // counted twice.
    let api = crate::memory_api();
    let zone = create_zone(&api, "db");
    let r = batch(&api, &zone, &[("CREATE", "a.db", 500), ("CREATE", "b.db", 500)]);
    assert_eq!(r.status, 200, "{}", r.body);
    let r = batch(&api, &zone, &[("CREATE", "c.db", 1000), ("CREATE", "d.db", 1)]);
    let limit =
        ("InvalidChangeBatch".to_owned(), "Number of records limit of 1000 exceeded.".to_owned());
    assert_eq!(error(&r), limit);
    let r = batch(&api, &zone, &[("UPSERT", "a.db", 250), ("UPSERT", "b.db", 250)]);
    assert_eq!(r.status, 200, "{}", r.body);
    let r = batch(
        &api,
        &zone,
        &[("UPSERT", "a.db", 250), ("UPSERT", "b.db", 250), ("UPSERT", "e.db", 1)],
    );
    assert_eq!(error(&r), limit);
}

#[test]
fn list_hosted_zones_echoes_a_marker_only_when_given_one() {
    let api = crate::memory_api();
    for name in ["a.example", "b.example", "c.example"] {
        create_zone(&api, name);
    }
    let first = r53(&api, "GET", "/2013-04-01/hostedzone?maxitems=2", "");
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(!first.body.contains("<Marker"), "{}", first.body);
    let next = crate::first(&first.body, "NextMarker").unwrap();
    let second = r53(&api, "GET", &format!("/2013-04-01/hostedzone?marker={next}"), "");
    assert_eq!(crate::first(&second.body, "Marker"), Some(next), "{}", second.body);
    assert!(!second.body.contains("<NextMarker>"), "{}", second.body);
}

#[test]
fn hosted_zone_tags_take_the_bare_id_only() {
    let api = crate::memory_api();
    let full = create_zone(&api, "example.com");
    let bare = full.trim_start_matches("/hostedzone/");
    let add = format!(
        r#"<ChangeTagsForResourceRequest xmlns="{XMLNS}"><AddTags><Tag><Key>foo</Key><Value>bar</Value></Tag></AddTags></ChangeTagsForResourceRequest>"#
    );
    // An untagged zone lists an empty tag set.
    let r = r53(&api, "GET", &format!("/2013-04-01/tags/hostedzone/{bare}"), "");
    assert!(r.body.contains("<Tags></Tags>") || r.body.contains("<Tags/>"), "{}", r.body);
    // botocore sends a TagResourceId as given; AWS refuses `/hostedzone/Z…` by its length.
    let encoded = full.replace('/', "%2F");
    let too_long = (
        "InvalidInput".to_owned(),
        format!(
            "1 validation error detected: Value '{full}' at 'resourceId' failed to satisfy constraint: Member must have length less than or equal to 32"
        ),
    );
    let r = r53(&api, "POST", &format!("/2013-04-01/tags/hostedzone/{encoded}"), &add);
    assert_eq!((r.status, error(&r)), (400, too_long.clone()));
    let r = r53(&api, "GET", &format!("/2013-04-01/tags/hostedzone/{encoded}"), "");
    assert_eq!((r.status, error(&r)), (400, too_long));
    // Cut to 32 characters, it is no zone's id.
    let cut = full.get(..32).unwrap().replace('/', "%2F");
    let r = r53(&api, "POST", &format!("/2013-04-01/tags/hostedzone/{cut}"), &add);
    assert_eq!(code(&r), "NoSuchHostedZone", "{}", r.body);
    let r = r53(&api, "POST", &format!("/2013-04-01/tags/hostedzone/{bare}"), &add);
    assert_eq!(r.status, 200, "{}", r.body);
    let r = r53(&api, "GET", &format!("/2013-04-01/tags/hostedzone/{bare}"), "");
    assert!(r.body.contains(&format!("<ResourceId>{bare}</ResourceId>")), "{}", r.body);
    assert!(
        r.body.contains("<Tags><Tag><Key>foo</Key><Value>bar</Value></Tag></Tags>"),
        "{}",
        r.body
    );
}

#[test]
fn vpc_associations_default_the_region_and_use_aws_words() {
    let api = crate::memory_api();
    let vpc = |cidr: &str| {
        let r = crate::ok(&api, &[("Action", "CreateVpc"), ("CidrBlock", cidr)]);
        crate::first(&r, "vpcId").unwrap().to_owned()
    };
    let (one, two) = (vpc("10.1.0.0/16"), vpc("10.2.0.0/16"));
    let body = format!(
        r#"<CreateHostedZoneRequest xmlns="{XMLNS}"><Name>corp.internal</Name><VPC><VPCRegion>{}</VPCRegion><VPCId>{one}</VPCId></VPC><CallerReference>p</CallerReference></CreateHostedZoneRequest>"#,
        api::DEFAULT_REGION
    );
    let r = r53(&api, "POST", "/2013-04-01/hostedzone", &body);
    assert_eq!(r.status, 201, "{}", r.body);
    let zone = r.body.split("<HostedZone>").nth(1).unwrap();
    let id = crate::first(zone, "Id").unwrap().trim_start_matches("/hostedzone/").to_owned();
    // Without a VPCRegion, the VPC is one of the region the request was signed for.
    let call = |zone: &str, op: &str, vpc: &str| {
        let root = if op == "associatevpc" {
            "AssociateVPCWithHostedZoneRequest"
        } else {
            "DisassociateVPCFromHostedZoneRequest"
        };
        let body = format!(r#"<{root} xmlns="{XMLNS}"><VPC><VPCId>{vpc}</VPCId></VPC></{root}>"#);
        r53(&api, "POST", &format!("/2013-04-01/hostedzone/{zone}/{op}"), &body)
    };
    let r = call(&id, "associatevpc", &two);
    assert_eq!(r.status, 200, "{}", r.body);
    let r = call(&id, "disassociatevpc", &one);
    assert_eq!(r.status, 200, "{}", r.body);
    let r = call(&id, "disassociatevpc", &two);
    assert_eq!(
        error(&r),
        ("LastVPCAssociation".into(), "The VPC that you're trying to disassociate from the private hosted zone is the last VPC that is associated with the hosted zone. Amazon Route 53 doesn't support disassociating the last VPC from a hosted zone.".into())
    );
    let public = create_zone(&api, "example.com");
    let r = call(public.trim_start_matches("/hostedzone/"), "associatevpc", &one);
    assert_eq!(
        error(&r),
        ("PublicZoneVPCAssociation".into(), "You're trying to associate a VPC with a public hosted zone. Amazon Route 53 doesn't support associating a VPC with a public hosted zone.".into())
    );
}

#[test]
fn names_are_refused_in_aws_words() {
    let api = crate::memory_api();
    let zone = create_zone(&api, "example.com");
    let bare = zone.trim_start_matches("/hostedzone/");
    let list =
        |query: &str| r53(&api, "GET", &format!("/2013-04-01/hostedzone/{bare}/rrset?{query}"), "");
    for (name, culprit) in [("i%20d.example.com.", " "), ("i%09d.example.com.", "\t")] {
        let r = list(&format!("name={name}"));
        assert_eq!(
            (r.status, error(&r)),
            (
                400,
                (
                    "InvalidInput".into(),
                    format!(
                        "FATAL problem: UnsupportedCharacter (Value contains unsupported characters) encountered with '{culprit}'"
                    )
                )
            )
        );
    }
    // In a change, a name that does not parse fails the batch with that one problem.
    for (name, problem) in [
        (
            "i d.example.com.",
            "UnsupportedCharacter (Value contains unsupported characters) encountered with ' '",
        ),
        (
            "a..example.com",
            "DomainLabelEmpty (Domain label is empty) encountered with 'a..example.com'",
        ),
    ] {
        let r = change(&api, &zone, "CREATE", name, "10.0.0.1");
        assert_eq!(
            (r.status, error(&r)),
            (400, ("InvalidChangeBatch".into(), format!("FATAL problem: {problem}")))
        );
    }
    // A type without a name: AWS's InvalidInput says nothing more.
    let r = list("type=A");
    assert_eq!((r.status, error(&r)), (400, ("InvalidInput".into(), String::new())));
}

#[test]
fn an_unknown_delegation_set_is_named_by_its_id_alone() {
    let api = crate::memory_api();
    let r = r53(&api, "GET", "/2013-04-01/delegationset/unknown", "");
    assert_eq!(error(&r), ("NoSuchDelegationSet".into(), "unknown".into()));
}
