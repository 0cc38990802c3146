//! Interfaces that no rule or route tells apart: paths between them are walked once.
//!
//! A walk between two interfaces reads of each end its subnet (its network ACL and route
//! table), its security groups, what it is (its type, its instance's state, its
//! source/destination check) and, through rules and routes, its address. Addresses matter only
//! by the blocks that hold them: two addresses in the same stretch between block edges (every
//! block of a rule, entry, route, prefix list, VPC, subnet or of the scope's statements) are
//! held by exactly the same blocks. So interfaces alike in all of that form a class, and the
//! paths between two interfaces of two classes are those of any other pair of the same classes
//! with the ends' ids and addresses put in.

use crate::header::{Header, Span, v4_span};
use crate::trace::exhaustive::Path;
use crate::trace::{Hop, Network};
use model::cidr::Cidr;
use model::types::ec2::{AclCidr, NetworkInterface, RouteDestination, RulePeer};
use std::collections::HashMap;

/// What a walk reads of an interface at a path's end, its address aside.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Likeness {
    subnet: String,
    groups: Vec<String>,
    interface_type: String,
    requester_managed: bool,
    source_dest_check: bool,
    /// The attached instance's state, by name.
    instance_state: Option<&'static str>,
    /// Which stretch between block edges holds the address.
    stretch: usize,
    /// Which holds its public address, if it has one (paths between VPCs may cross the
    /// internet, translated to and from it).
    public_stretch: Option<usize>,
}

/// The classes of the interfaces that may be path ends.
pub(super) struct Classes {
    /// Sorted, deduplicated first addresses of the stretches (block starts and ends + 1).
    edges: Vec<u128>,
    /// Whether public addresses tell interfaces apart (see `access::findings`).
    public_matters: bool,
    ids: HashMap<Likeness, usize>,
}

impl Classes {
    /// The stretches of `net`, and of the `extra` blocks (the scope's statements); public
    /// addresses count when `public_matters`.
    pub(super) fn new(net: &Network<'_>, extra: &[Span], public_matters: bool) -> Classes {
        let world = net.world;
        let mut spans: Vec<Span> = extra.to_vec();
        let mut cidr = |c: &Cidr| {
            if let Cidr::V4(c) = c {
                spans.push(v4_span(*c));
            }
        };
        for g in world.security_groups.values() {
            for r in g.ingress.iter().chain(&g.egress) {
                if let RulePeer::V4(c) = &r.peer {
                    cidr(&Cidr::V4(*c));
                }
            }
        }
        for acl in world.network_acls.values() {
            for e in &acl.entries {
                if let AclCidr::V4(c) = &e.cidr {
                    cidr(&Cidr::V4(*c));
                }
            }
        }
        for t in world.route_tables.values() {
            for r in &t.routes {
                if let RouteDestination::V4(c) = &r.destination {
                    cidr(&Cidr::V4(*c));
                }
            }
        }
        for t in world.transit_gateway_route_tables.values() {
            for r in &t.routes {
                cidr(&Cidr::V4(r.destination));
            }
        }
        for v in world.vpcs.values() {
            for b in &v.cidr_blocks {
                cidr(&Cidr::V4(b.cidr));
            }
        }
        for s in world.subnets.values() {
            if let Some(c) = s.cidr {
                cidr(&Cidr::V4(c));
            }
        }
        for c in net.index.prefix_lists.all_blocks() {
            cidr(c);
        }
        let mut edges: Vec<u128> =
            spans.iter().flat_map(|s| [s.lo, s.hi.saturating_add(1)]).collect();
        edges.sort_unstable();
        edges.dedup();
        Classes { edges, public_matters, ids: HashMap::new() }
    }

    /// The class of interface `eni` (a number), reading it at `address` (and its public
    /// address `public`).
    pub(super) fn of(
        &mut self,
        net: &Network<'_>,
        eni: &NetworkInterface,
        address: u128,
        public: Option<u128>,
    ) -> usize {
        let instance_state = eni
            .attachment
            .as_ref()
            .and_then(|a| net.world.instances.get(&a.instance_id))
            .map(|i| i.state.name());
        let likeness = Likeness {
            subnet: eni.subnet_id.clone(),
            groups: eni.security_groups.clone(),
            interface_type: eni.interface_type.clone(),
            requester_managed: eni.requester_managed,
            source_dest_check: eni.source_dest_check,
            instance_state,
            stretch: self.stretch(address),
            public_stretch: public.filter(|_| self.public_matters).map(|p| self.stretch(p)),
        };
        let next = self.ids.len();
        *self.ids.entry(likeness).or_insert(next)
    }
}

impl Classes {
    fn stretch(&self, address: u128) -> usize {
        self.edges.partition_point(|e| *e <= address)
    }
}

/// An end of a walked pair: the interface's id, its instance, its addresses.
#[derive(Debug, Clone, Copy)]
pub(super) struct Named<'a> {
    pub id: &'a str,
    pub instance: Option<&'a str>,
    pub address: u128,
    pub public: Option<u128>,
}

impl Named<'_> {
    /// Each address of `from` that `s` is, as `to`'s.
    pub(super) fn swap(s: Span, pairs: [(Named<'_>, Named<'_>); 2]) -> Span {
        for (from, to) in pairs {
            if s == Span::one(from.address) {
                return Span::one(to.address);
            }
            if let (Some(a), Some(b)) = (from.public, to.public)
                && s == Span::one(a)
            {
                return Span::one(b);
            }
        }
        s
    }
}

/// `path`, walked between `from.0` and `to.0`, as the path between `from.1` and `to.1`.
pub(super) fn moved(path: &Path, from: (Named<'_>, Named<'_>), to: (Named<'_>, Named<'_>)) -> Path {
    let pairs = [(from.0, to.0), (from.1, to.1)];
    let swap = |h: &Header| Header {
        source: Named::swap(h.source, pairs),
        destination: Named::swap(h.destination, pairs),
        ..*h
    };
    let hops = path
        .hops
        .iter()
        .map(|hop| {
            let mut hop: Hop = hop.clone();
            for (old, new) in [(from.0, to.0), (from.1, to.1)] {
                if hop.component == old.id {
                    hop.component = new.id.to_owned();
                    if hop.attached_to.as_deref() == old.instance {
                        hop.attached_to = new.instance.map(str::to_owned);
                    }
                }
            }
            hop.inbound = hop.inbound.as_ref().map(swap);
            hop.outbound = hop.outbound.as_ref().map(swap);
            hop
        })
        .collect();
    Path { header: swap(&path.header), hops }
}
