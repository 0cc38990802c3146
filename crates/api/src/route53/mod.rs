//! Route 53 (`route53`, restXml): the operation is the HTTP method and path
//! (`POST /2013-04-01/hostedzone/{Id}/rrset/`), inputs come from URI labels, the query string
//! and an XML body rooted at `<OperationRequest>`, answers are `<OperationResponse>` documents
//! (creates answer 201 with a `Location` header) and errors `<ErrorResponse>` documents.
//!
//! [`handle`] matches the path against the generated route table ([`shapes::route53::ROUTES`])
//! and hands the route's operation and the request ([`RestRequest`]: labels, query string,
//! headers, parsed body) to the shared [`crate::registry`], which decodes the generated request
//! shape ([`wire::rest::FromRest`]) and runs the operation's typed handler under the right
//! lock; [`render`] writes the response shape with the route's status and its header members.
//! TestDNSAnswer and GetHealthCheckStatus / GetHealthCheckLastFailureReason read the world,
//! then ask the DNS engine or the probes once the lock is released
//! ([`registry::read_then`]); the geolocations and the checkers' addresses need no world and
//! take no lock ([`registry::unlocked`]). Route 53
//! is global: resources belong to the caller's account whatever region the request was signed
//! for. Ids are accepted bare (`Z…`) or as AWS returns them (`/hostedzone/Z…`), and returned
//! as AWS returns them.
//!
//! The handlers are split by resource: hosted zones, their VPC associations and DNSSEC status
//! in [`zones`]; record sets and changes in [`records`]; health checks and what the probes
//! observed in [`health_checks`]; delegation sets, query logging configs, CIDR collections,
//! tags, limits and geolocations in [`misc`]; TestDNSAnswer, answered by the DNS engine
//! through a [`DnsAnswerer`], in [`dns_answer`]. The rules live in [`model::route53`].

mod dns_answer;
mod health_checks;
mod misc;
mod records;
mod zones;

pub use dns_answer::{DEFAULT_RESOLVER, DnsAnswer, DnsAnswerer, DnsQuestion};
pub use health_checks::{HealthCheckObserver, Observation};

use crate::registry::{self, Ctx, Registry, RestRequest, RestXml};
use crate::{Api, Reply, Request};
use codes::{Protocol, Route53};
use shapes::route53 as s;
use std::sync::OnceLock;
use wire::rest::{RestOutput, RouteMatch, invalid_input, match_route, parse_body};
use wire::{ApiError, Timestamp, XmlWriter};

pub use s::{API_VERSION, XML_NAMESPACE as XMLNS};

/// A Route 53 operation, as a handler module lists it.
type Handler = registry::Operation<RestXml>;

fn registry() -> &'static Registry<RestXml> {
    static REGISTRY: OnceLock<Registry<RestXml>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        Registry::new(
            [
                zones::handlers(),
                records::handlers(),
                health_checks::handlers(),
                misc::handlers(),
                dns_answer::handlers(),
            ],
            |other| {
                ApiError::new(
                    Route53::NotImplemented,
                    501,
                    format!("vpclab does not serve the Route 53 operation {other}."),
                )
            },
            render,
        )
    })
}

/// The operations served, sorted.
pub fn operations() -> Vec<&'static str> {
    registry().operations()
}

/// Whether the request at `method` and `path` only reads: its operation's handler is a reader.
/// A path no operation is addressed by counts as reading when it is a `GET`.
pub(crate) fn is_read(method: &str, path: &str) -> bool {
    match match_route(s::ROUTES, method, path) {
        RouteMatch::Found(route, _) => registry().is_read(route.operation),
        RouteMatch::NotFound | RouteMatch::WrongMethod => method == "GET",
    }
}

/// Serves one Route 53 request; its query string and headers are taken out of `request` into
/// the registry's owned input.
pub async fn handle(api: &Api, request: &mut Request) -> Result<Reply, ApiError> {
    let http = &request.http;
    let (route, labels) = match match_route(s::ROUTES, &http.method, &http.path) {
        RouteMatch::Found(route, labels) => (route, labels),
        // AWS answers paths it does not know with a bare 404; vpclab says which path it was.
        RouteMatch::NotFound => {
            return Err(ApiError::new(
                Protocol::UnknownOperationException,
                404,
                format!("No Route 53 operation is addressed by {} {}.", http.method, http.path),
            ));
        }
        RouteMatch::WrongMethod => {
            return Err(ApiError::new(
                Route53::MethodNotAllowed,
                405,
                format!("The method {} is not allowed on {}.", http.method, http.path),
            ));
        }
    };
    // Ids come back as AWS returned them (`/hostedzone/Z…`) or bare; the model keeps them bare,
    // and the model's length limits are those of bare ids. A tag operation's `ResourceId` is
    // taken as given, as AWS takes it (botocore strips no prefix from a TagResourceId).
    let labels = labels
        .into_iter()
        .map(|(k, v)| if k == "ResourceId" { (k, v) } else { (k, strip_prefix(v)) })
        .collect();
    let input = RestRequest {
        labels,
        body: parse_body(&request.body)?,
        query: std::mem::take(&mut request.params),
        headers: std::mem::take(&mut request.http.headers),
    };
    let ctx = Ctx::new(api, &request.scope, &request.request_id);
    registry().serve(&ctx, route.operation, &input).await
}

/// The success document `<OperationResponse xmlns=…>` with the route's status and the output's
/// header members.
fn render(_: &Ctx<'_>, operation: &str, answer: &(dyn RestOutput + Send)) -> Reply {
    document(operation, answer)
}

fn document(operation: &str, answer: &(dyn RestOutput + Send)) -> Reply {
    let status = s::ROUTES.iter().find(|r| r.operation == operation).map_or(200, |r| r.status);
    let root = format!("{operation}Response");
    let mut w = XmlWriter::document();
    w.open_with_xmlns(&root, XMLNS);
    answer.write_xml(&mut w);
    w.close(&root);
    Reply {
        status,
        content_type: "text/xml",
        body: w.finish(),
        headers: answer.headers(),
        error_code: None,
    }
}

/// An id without the `/hostedzone/`, `/change/` or `/delegationset/` AWS puts before it.
fn strip_prefix(id: String) -> String {
    ["/hostedzone/", "/change/", "/delegationset/"]
        .iter()
        .find_map(|p| id.strip_prefix(p))
        .map_or(id.clone(), str::to_owned)
}

/// A `MaxItems`/`MaxResults` query parameter (a string in the model) as a number.
pub(crate) fn max_items(value: &Option<String>, name: &str) -> Result<Option<usize>, ApiError> {
    value
        .as_deref()
        .map(|v| {
            v.parse::<usize>().map_err(|_| {
                invalid_input(format!(
                    "1 validation error detected: Value '{v}' at '{name}' failed to satisfy constraint: Member must be a number"
                ))
            })
        })
        .transpose()
}

/// `MaxItems` as the answer echoes it: the request's, else the default.
pub(crate) fn echo_max(value: &Option<String>, default: usize) -> String {
    value.clone().unwrap_or_else(|| default.to_string())
}

/// A change as AWS reports it (`/change/C…`, INSYNC).
pub(crate) fn change_info(c: &model::route53::Change) -> s::ChangeInfo {
    s::ChangeInfo {
        id: format!("/change/{}", c.id),
        status: c.status.clone(),
        submitted_at: Timestamp(c.submitted_at),
        comment: c.comment.clone(),
    }
}

/// The `Location` header of a created resource.
pub(crate) fn location(path: &str) -> String {
    format!("https://route53.amazonaws.com/{API_VERSION}/{path}")
}

pub(crate) fn tags_out(tags: &model::types::ec2::Tags) -> Vec<s::Tag> {
    tags.iter().map(|(k, v)| s::Tag { key: Some(k.clone()), value: Some(v.clone()) }).collect()
}

/// A delegation set as the API shows it: the name servers without the trailing dot the zone's
/// NS record gives them (`ns-2048.awsdns-64.com`).
pub(crate) fn delegation_set(
    id: Option<&str>,
    caller_reference: Option<String>,
    name_servers: &[String],
) -> s::DelegationSet {
    s::DelegationSet {
        id: id.map(|d| format!("/delegationset/{d}")),
        caller_reference,
        name_servers: name_servers.iter().map(|n| n.trim_end_matches('.').to_owned()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Decode;
    use wire::QueryMap;

    /// What botocore sends for ChangeResourceRecordSets.
    const CHANGE_BODY: &str = r#"<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Comment>c</Comment><Changes><Change><Action>CREATE</Action><ResourceRecordSet><Name>a.example.com</Name><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>10.0.0.1</Value></ResourceRecord><ResourceRecord><Value>10.0.0.2</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>"#;

    fn change_request(body: &str) -> Result<s::ChangeResourceRecordSetsRequest, ApiError> {
        let input = RestRequest {
            labels: vec![("Id".into(), "Z1".into())],
            body: parse_body(body.as_bytes())?,
            ..RestRequest::default()
        };
        Decode::decode(&input)
    }

    #[test]
    fn decodes_what_botocore_sends() {
        let r = change_request(CHANGE_BODY).unwrap();
        assert_eq!(r.hosted_zone_id, "Z1");
        assert_eq!(r.change_batch.comment.as_deref(), Some("c"));
        let change = &r.change_batch.changes[0];
        assert_eq!(change.action, "CREATE");
        let set = &change.resource_record_set;
        assert_eq!(
            (set.name.as_str(), set.type_.as_str(), set.ttl),
            ("a.example.com", "A", Some(60))
        );
        let values: Vec<&str> = set.resource_records.iter().map(|r| r.value.as_str()).collect();
        assert_eq!(values, ["10.0.0.1", "10.0.0.2"]);
    }

    #[test]
    fn decodes_labels_and_query_parameters() {
        let query = QueryMap::parse(b"name=a.&type=A&maxitems=2").unwrap();
        let input = RestRequest {
            labels: vec![("Id".into(), "Z1".into())],
            query,
            ..RestRequest::default()
        };
        let r: s::ListResourceRecordSetsRequest = Decode::decode(&input).unwrap();
        assert_eq!(r.hosted_zone_id, "Z1");
        assert_eq!(r.start_record_name.as_deref(), Some("a."));
        assert_eq!(r.start_record_type.as_deref(), Some("A"));
        assert_eq!(r.max_items.as_deref(), Some("2"));
        let bad = QueryMap::parse(b"type=BOGUS").unwrap();
        let input = RestRequest { query: bad, ..input };
        assert_eq!(
            <s::ListResourceRecordSetsRequest as Decode<_>>::decode(&input).unwrap_err().code,
            "InvalidInput"
        );
    }

    #[test]
    fn refuses_bodies_that_do_not_fit_the_schema() {
        let code = |body: &str| change_request(body).unwrap_err().code;
        assert_eq!(code(&CHANGE_BODY.replace("<TTL>60</TTL>", "<TTL>sixty</TTL>")), "InvalidInput");
        assert_eq!(code(&CHANGE_BODY.replace("<Type>A</Type>", "<Type>Q</Type>")), "InvalidInput");
        assert_eq!(code(&CHANGE_BODY.replace("<TTL>60</TTL>", "<Bogus/>")), "InvalidInput");
        assert_eq!(code(&CHANGE_BODY.replace("<Action>CREATE</Action>", "")), "InvalidInput");
        assert_eq!(
            code(&CHANGE_BODY.replace("ChangeResourceRecordSetsRequest", "Other")),
            "MalformedInput"
        );
        assert_eq!(code(&CHANGE_BODY[..100]), "InvalidInput");
        assert_eq!(code("<ChangeResourceRecordSetsRequest/>"), "InvalidInput");
        let long = format!("<Name>{}</Name>", "a".repeat(1025));
        assert_eq!(code(&CHANGE_BODY.replace("<Name>a.example.com</Name>", &long)), "InvalidInput");
        let weight = "<SetIdentifier>x</SetIdentifier><Weight>256</Weight><TTL>60</TTL>";
        assert_eq!(code(&CHANGE_BODY.replace("<TTL>60</TTL>", weight)), "InvalidInput");
    }

    #[test]
    fn writes_answers_as_route53_does() {
        let answer = s::CreateHostedZoneResponse {
            hosted_zone: s::HostedZone {
                id: "/hostedzone/Z1".into(),
                name: "example.com.".into(),
                caller_reference: "r".into(),
                config: Some(s::HostedZoneConfig { private_zone: Some(false), comment: None }),
                resource_record_set_count: Some(2),
                ..Default::default()
            },
            change_info: s::ChangeInfo {
                id: "/change/C1".into(),
                status: "INSYNC".into(),
                submitted_at: wire::Timestamp(0),
                comment: None,
            },
            delegation_set: s::DelegationSet {
                name_servers: vec!["ns-1.awsdns-01.com.".into()],
                ..Default::default()
            },
            vpc: None,
            location: "https://route53.amazonaws.com/2013-04-01/hostedzone/Z1".into(),
        };
        let reply = document("CreateHostedZone", &answer);
        assert_eq!(reply.status, 201);
        assert_eq!(reply.headers, vec![("Location", answer.location.clone())]);
        for piece in [
            r#"<CreateHostedZoneResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeInfo>"#,
            "<Id>/hostedzone/Z1</Id>",
            "<Config><PrivateZone>false</PrivateZone></Config>",
            "<ResourceRecordSetCount>2</ResourceRecordSetCount>",
            "<Status>INSYNC</Status>",
            "<SubmittedAt>1970-01-01T00:00:00",
        ] {
            assert!(reply.body.contains(piece), "{piece} in {}", reply.body);
        }
        assert!(reply.body.contains("<DelegationSet><NameServers><NameServer>ns-1.awsdns-01.com.</NameServer></NameServers></DelegationSet>"), "{}", reply.body);
        assert!(!reply.body.contains("Location"));
    }

    #[test]
    fn labels_lose_the_prefixes_aws_puts_on_ids() {
        assert_eq!(strip_prefix("/hostedzone/Z1".into()), "Z1");
        assert_eq!(strip_prefix("/change/C1".into()), "C1");
        assert_eq!(strip_prefix("/delegationset/N1".into()), "N1");
        assert_eq!(strip_prefix("Z1".into()), "Z1");
    }

    #[test]
    fn max_items_must_be_numbers() {
        assert_eq!(max_items(&Some("5".into()), "maxitems").unwrap(), Some(5));
        assert_eq!(max_items(&None, "maxitems").unwrap(), None);
        assert_eq!(max_items(&Some("x".into()), "maxitems").unwrap_err().code, "InvalidInput");
    }
}
