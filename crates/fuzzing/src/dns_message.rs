//! DNS messages as the listeners read them. The first byte chooses the transport (bit 0: TCP)
//! and the view (the rest); the next four are the client's IPv4 address (routing policies
//! answer by it); the remainder is the message.
//!
//! Beyond not crashing: every answer is a well-formed response to the query's id, within the
//! size the client can take; and the message read as a response (what the forwarder reads
//! from upstream) does not crash the reader either.

use dns::answer::Snapshot;
use dns::plane::{Outcome, respond};
use dns::wire;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::OnceLock;

/// The base network's zones, compiled once, and the names of the views serving them.
fn compiled() -> &'static (Snapshot, Vec<String>) {
    static COMPILED: OnceLock<(Snapshot, Vec<String>)> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let world = &crate::base::base().world;
        let config =
            dns::from_model::translate(world, &crate::api_requests::site(), &|_| true, &[]);
        let views = config.views.iter().map(|v| v.name.clone()).collect();
        let (snapshot, problems) = Snapshot::build(&config, &|_| None);
        assert!(problems.is_empty(), "the base zones do not compile: {problems:?}");
        (snapshot, views)
    })
}

pub fn run(data: &[u8]) {
    let (Some(&choice), Some(client), Some(msg)) = (data.first(), data.get(1..5), data.get(5..))
    else {
        return;
    };
    let (snapshot, views) = compiled();
    let tcp = choice & 1 == 1;
    let Some(view) = views.get(usize::from(choice >> 1) % views.len().max(1)) else { return };
    let client = IpAddr::V4(Ipv4Addr::new(
        client.first().copied().unwrap_or(127),
        client.get(1).copied().unwrap_or(0),
        client.get(2).copied().unwrap_or(0),
        client.get(3).copied().unwrap_or(1),
    ));
    let (mut key, mut out) = (String::new(), Vec::new());
    match respond(snapshot, view, msg, client, tcp, &mut key, &mut out) {
        Outcome::Reply => {
            let Some(response) = wire::parse_response(&out) else {
                panic!("the answer is not a DNS response: {out:?}");
            };
            let id = msg.get(..2).map(|b| b.iter().fold(0u16, |a, x| a << 8 | u16::from(*x)));
            assert_eq!(Some(response.id), id, "the answer does not echo the query's id");
            // UDP: what the query's EDNS says the client takes, 512 bytes without it.
            let udp_limit = wire::parse_query(msg)
                .ok()
                .and_then(|q| q.edns)
                .map_or(512, |e| usize::from(e.payload).clamp(512, wire::MAX_UDP_PAYLOAD));
            let limit = if tcp { usize::from(u16::MAX) } else { udp_limit };
            assert!(out.len() <= limit, "an answer of {} bytes (limit {limit})", out.len());
        }
        Outcome::Nothing | Outcome::Forward(..) => {}
    }
    drop(wire::parse_response(msg));
}
