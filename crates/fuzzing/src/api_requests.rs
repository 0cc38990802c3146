//! The four AWS protocols, from the decoded request on: EC2 query forms and the generated
//! request shapes, awsQuery (ELBv2, STS), awsJson (Direct Connect, Resolver) and restXml
//! (Route 53) routes and bodies. An input holds up to four requests separated by NUL bytes,
//! so a sequence (create, then modify or delete) replays from one input.

use crate::base::{self, fresh_api, request};
use api::{Api, Http, Reply, Service};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use wire::{ErrorFormat, QueryMap};

const MAX_REQUESTS: usize = 4;

/// Form bodies, as the EC2 API reads them.
pub fn ec2_query(data: &[u8]) {
    run(data, |piece| {
        let params = QueryMap::parse(piece).ok()?;
        Some(request(Service::Ec2, params, None, Vec::new(), Http::default()))
    });
}

/// awsQuery form bodies: STS when they carry its API version, else ELBv2.
pub fn aws_query(data: &[u8]) {
    run(data, |piece| {
        let params = QueryMap::parse(piece).ok()?;
        // STS's API version; every other awsQuery request goes to ELBv2.
        let service = match params.peek("Version") {
            Some("2011-06-15") => Service::Sts,
            _ => Service::Elbv2,
        };
        Some(request(service, params, None, Vec::new(), Http::default()))
    });
}

/// awsJson: the first line is `X-Amz-Target`, the rest the body.
pub fn aws_json(data: &[u8]) {
    run(data, |piece| {
        let (target, body) = crate::head_and_rest(piece);
        let service = if target.starts_with("Route53Resolver.") {
            Service::Route53Resolver
        } else {
            Service::DirectConnect
        };
        Some(request(service, QueryMap::default(), Some(target), body.to_vec(), Http::default()))
    });
}

/// restXml: the first line is `METHOD /path?query`, the rest the body.
pub fn rest_xml(data: &[u8]) {
    run(data, |piece| {
        let (line, body) = crate::head_and_rest(piece);
        let (method, target) = line.split_once(' ').unwrap_or(("GET", line.as_str()));
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let params = QueryMap::parse(query.as_bytes()).ok()?;
        let http = Http { method: method.to_owned(), path: path.to_owned(), headers: Vec::new() };
        Some(request(Service::Route53, params, None, body.to_vec(), http))
    });
}

/// Serves each request `decode` makes of the input's pieces, checking every answer, then
/// checks what the requests left behind.
fn run(data: &[u8], decode: impl Fn(&[u8]) -> Option<api::Request>) {
    let api = fresh_api();
    for piece in crate::pieces(data, MAX_REQUESTS) {
        let Some(req) = decode(piece) else { continue };
        let format = req.service.error_format();
        let reply = crate::block_on(api.handle(req));
        check_reply(&reply, format);
    }
    check_world(&api);
}

/// An answer is a client error or a success, well formed in its service's format: an
/// in-memory server has nothing that can fail on its side. (`501 NotImplemented` is what
/// vpclab says of what it does not serve, TestDNSAnswer among it here: no DNS plane runs.)
pub fn check_reply(reply: &Reply, format: ErrorFormat) {
    let not_served = reply.status == 501 && reply.body.contains("NotImplemented");
    assert!(
        (200..500).contains(&reply.status) || not_served,
        "a server error for client input: {} {}",
        reply.status,
        reply.body
    );
    if reply.body.is_empty() {
        return;
    }
    match format {
        ErrorFormat::Json => {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(&reply.body) {
                panic!("the answer is not JSON ({e}): {}", reply.body);
            }
        }
        ErrorFormat::Ec2 | ErrorFormat::Query { .. } | ErrorFormat::RestXml { .. } => {
            if let Err(e) = roxmltree::Document::parse(&reply.body) {
                panic!("the answer is not XML ({e}): {}", reply.body);
            }
        }
    }
}

/// What the requests left behind is a world a restart would load, and that the data planes
/// and the engine can translate.
pub fn check_world(api: &Api) {
    crate::block_on(api.read(|world| {
        let dangling = world.dangling_references();
        assert!(dangling.is_empty(), "references lead nowhere: {dangling:?}");
        let balancers = lb::from_model::translate(world, 0);
        drop(lb::state::Snapshot::build(&balancers.config, &lb::state::Snapshot::default()));
        let site = site();
        let names = dns::from_model::translate(world, &site, &|_| true, &[]);
        drop(dns::answer::Snapshot::build(&names, &|_| None));
    }));
    crate::block_on(api.with_network(|net| {
        let base = base::base();
        let question = netsem::trace::Question::new(
            netsem::endpoint::Endpoint::Resource(base.web.clone()),
            netsem::endpoint::Endpoint::Resource(base.db.clone()),
            netsem::packet::TCP,
            Some(80),
        );
        // The instances may be gone; the trace must still answer, one way or the other.
        drop(netsem::trace::trace(&net, &question));
    }));
}

/// Where the DNS plane serves, as the binary's defaults say.
pub fn site() -> dns::from_model::Site {
    dns::from_model::Site {
        listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 53),
        locations: Vec::new(),
        default_location: dns::config::ClientLocation::default(),
        balancer_address: IpAddr::V4(Ipv4Addr::LOCALHOST),
    }
}
