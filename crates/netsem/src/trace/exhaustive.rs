//! Exhaustive walks: every set of packets that gets from a source to a destination, each with
//! the one path all of its packets take — what Network Access Analyzer reports.
//!
//! A walk of a set of packets is exact when every rule and route on its way decides the same for
//! all of them. So the walk starts with the whole set, and the first decision that takes only
//! part of it (a security group rule admitting some ports, a network ACL entry, the longest
//! prefix of a route) splits it: that part and the rest are walked again, apart, from the start.
//! Each part is smaller, so this ends; what is left are sets each decided evenly all the way,
//! and those that arrive with no component refusing them are the paths. Fields the walk
//! rewrites (a NAT gateway's source, an internet gateway's translated destination) cannot be
//! traced back to the start: a decision on them narrows the set as a one-off trace does.
//!
//! Walks are one way (Network Access Analyzer's paths are unidirectional) and the order of the
//! paths is fixed by the packets' order, so the same network gives the same paths every time.

use super::ends::{Border, End, resolve};
use super::{Exact, Hop, Network, TraceError, Walk};
use crate::endpoint::Endpoint;
use crate::header::{Family, Header, public_spans};
use model::kinds;

/// Packets that get from the source to the destination, and the way they all take.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// The packets as they leave the source.
    pub header: Header,
    pub hops: Vec<Hop>,
}

/// Upper bound on walks for one pair of ends: splits are bounded by the rules and routes met,
/// but a pathological network must not hold an analysis for ever.
const MAX_WALKS: usize = 100_000;

/// Every path from `source` to `destination` taken by packets of `start` (boxes of IPv4
/// headers; their addresses are narrowed to the ends'). An interface end is the interface
/// itself, not the instance it is attached to; the internet is public address space.
pub fn paths(
    net: &Network<'_>,
    source: &Endpoint,
    destination: &Endpoint,
    start: &[Header],
) -> Result<Vec<Path>, TraceError> {
    let source = bare(resolve(net, source, None, Some(Family::V4))?);
    let destination = bare(resolve(net, destination, None, Some(Family::V4))?);
    let mut queue: Vec<Header> = start
        .iter()
        .flat_map(|h| {
            let ends =
                Header { source: source.addresses(), destination: destination.addresses(), ..*h };
            let h = h.meet(&ends);
            h.into_iter().flat_map(|h| public_parts(&source, &destination, h))
        })
        .collect();
    // Walk in the packets' order: the lowest first.
    queue.sort_by_key(|h| std::cmp::Reverse(order(h)));
    let mut found = Vec::new();
    let mut walks = 0;
    while let Some(h) = queue.pop() {
        walks += 1;
        if walks > MAX_WALKS {
            break;
        }
        let mut walk = Walk::new(net);
        walk.exact = Some(Exact { start: h, split: None, ended: false });
        let arrived = walk.run(&source, &destination, h);
        match walk.exact.and_then(|e| e.split) {
            Some(part) => {
                let mut rest = h.without(&part);
                rest.push(part);
                rest.sort_by_key(|h| std::cmp::Reverse(order(h)));
                queue.extend(rest);
            }
            None if arrived.is_some()
                && walk.explanations.is_empty()
                && left_by_the_named_border(&destination, &walk.hops) =>
            {
                found.push(Path {
                    header: h,
                    hops: between_borders(&source, &destination, walk.hops),
                });
            }
            None => {}
        }
    }
    found.sort_by_key(|p| order(&p.header));
    Ok(found)
}

/// The sort key of a set of packets: protocol, then each field's lowest value.
pub fn order(h: &Header) -> (u8, u128, u128, u128, u128) {
    (h.protocol, h.source.lo, h.destination.lo, h.source_ports.lo, h.destination_ports.lo)
}

/// Whether a path to the outside left by the component the destination names (packets to one
/// internet gateway that leave by another do not reach it).
fn left_by_the_named_border(destination: &End, hops: &[Hop]) -> bool {
    border_id(destination).is_none_or(|id| hops.iter().any(|h| h.component == id))
}

/// The component an outside end names (none for an interface, or for the routes' choice).
fn border_id(end: &End) -> Option<&str> {
    match end {
        End::Outside { beyond, .. } => beyond.id(),
        End::Interface { .. } => None,
    }
}

/// The hops from the named source border to the named destination border: a path from (to) a
/// transit gateway's VPN attachment starts (ends) at the attachment, not at the VPN connection
/// behind it.
fn between_borders(source: &End, destination: &End, mut hops: Vec<Hop>) -> Vec<Hop> {
    if let Some(id) = border_id(destination)
        && let Some(last) = hops.iter().rposition(|h| h.component == id)
    {
        hops.truncate(last + 1);
    }
    if let Some(id) = border_id(source)
        && let Some(first) = hops.iter().position(|h| h.component == id)
    {
        hops.drain(..first);
    }
    hops
}

/// An interface end stands for itself.
fn bare(end: End) -> End {
    match end {
        End::Interface { eni, address, .. } => End::Interface { eni, owner: None, address },
        outside => outside,
    }
}

/// `h` with the internet's side (beyond an internet gateway) cut to public addresses.
fn public_parts(source: &End, destination: &End, h: Header) -> Vec<Header> {
    let internet =
        |end: &End| matches!(end, End::Outside { beyond: Border::InternetGateway(_), .. });
    let public = |span| public_spans(h.family, span);
    let sources = if internet(source) { public(h.source) } else { vec![h.source] };
    let destinations =
        if internet(destination) { public(h.destination) } else { vec![h.destination] };
    sources
        .iter()
        .flat_map(|&source| {
            destinations.iter().map(move |&destination| Header { source, destination, ..h })
        })
        .collect()
}

/// Whether an interface can be a path's end: Network Access Analyzer's paths never start or
/// end at the interface of a NAT gateway or a Network Load Balancer, nor at a transit
/// gateway's interface in an attachment's subnet (the gateway forwards, it neither sends nor
/// receives; the guide names its attachment as the end instead).
pub fn interface_can_be_end(eni: &model::types::ec2::NetworkInterface) -> bool {
    !matches!(
        eni.interface_type.as_str(),
        "nat_gateway" | "network_load_balancer" | "transit_gateway"
    ) && kinds::NETWORK_INTERFACE.names(&eni.id)
}
