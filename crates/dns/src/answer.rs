//! The answering engine: a [`Snapshot`] compiled from one [`Config`], and [`Snapshot::answer`].
//!
//! Compiling does the work once per configuration: names become keys in hash maps (zone
//! origins per view, owner names per zone, empty non-terminals included so they answer
//! NODATA rather than NXDOMAIN), record data becomes prepared wire pieces, health check ids
//! become the [`CheckState`]s the probes update. Answering a query is then a handful of hash
//! lookups, one atomic load per health check consulted, and writing into the caller's buffer.
//!
//! The lookup follows RFC 1034 4.3.2 within the zone with the longest matching origin:
//! a delegation (NS below the apex) gives a referral with glue and no AA (except for DS at
//! the cut, which the parent answers); an exact name answers its type, or its CNAME, chased
//! within the zone; a name that does not exist is synthesised from the closest encloser's
//! wildcard (RFC 4592) or is NXDOMAIN; NXDOMAIN and NODATA carry the zone's SOA with the
//! negative TTL, the smaller of the SOA's TTL and its MINIMUM (RFC 2308, as Route 53 does).
//! A name in no zone of the view is REFUSED, on VPC views too: vpclab does not recurse to the
//! internet.
//!
//! Routing policies choose among the record sets of one name and type, leaving out the ones
//! whose health check fails, and — when every candidate is unhealthy — choosing as if all
//! were healthy, as Route 53 documents: weighted in proportion (weight-0 sets only when no
//! other is healthy, uniformly when all weights are 0); failover primary, else secondary,
//! else primary; multivalue up to eight healthy sets in random order; latency the nearest
//! region (see [`crate::geo`]); geoproximity the nearest after bias; geolocation the most
//! specific match (subdivision, country, continent, then `*`), an unhealthy match giving
//! way to the next, no match at all NODATA; CIDR the set of the location holding the
//! client's address (longest prefix), else `*`, else NODATA. The client is the EDNS client
//! subnet's address when the query has one, else the packet's source.

use std::cell::Cell;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use crate::config::{
    AliasTarget, ClientLocation, Config, Failover, GeoLocation, GeoproximityLocation, Policy,
    Values,
};
use crate::geo;
use crate::health::CheckState;
use crate::rng::below;
use crate::wire::{self, Piece, Query, Section, Writer, rcode, rtype};

/// How many CNAME or alias hops an answer follows.
const MAX_CHAIN: usize = 8;
/// Multivalue answers hold at most this many record sets.
const MULTIVALUE_MAX: usize = 8;

/// A configuration compiled for answering.
#[derive(Debug, Default)]
pub struct Snapshot {
    zones: Vec<ZoneC>,
    /// Public zones by origin key.
    public: HashMap<Box<str>, usize>,
    views: HashMap<String, ViewC>,
    collections: HashMap<String, Vec<(IpAddr, u8, Box<str>)>>,
    /// Location rules, most specific first.
    locations: Vec<(IpAddr, u8, LocationC)>,
    default_location: LocationC,
}

#[derive(Debug, Clone, Default)]
struct LocationC {
    region: String,
    continent: String,
    country: String,
    subdivision: Option<String>,
    coordinates: Option<(f64, f64)>,
}

impl From<&ClientLocation> for LocationC {
    fn from(l: &ClientLocation) -> Self {
        LocationC {
            region: l.region.clone(),
            continent: l.continent.to_ascii_uppercase(),
            country: l.country.to_ascii_uppercase(),
            subdivision: l.subdivision.as_ref().map(|s| s.to_ascii_uppercase()),
            coordinates: l.coordinates.or_else(|| geo::region_coordinates(&l.region)),
        }
    }
}

/// A view as answering needs it.
#[derive(Debug, Default)]
pub struct ViewC {
    private: HashMap<Box<str>, usize>,
    public: bool,
    resolver: bool,
    /// Resolver rules by domain key: `Some(targets)` forwards, `None` (SYSTEM) answers here.
    /// Empty for views without rules, which then cost nothing more per query.
    forward: HashMap<Box<str>, Option<Arc<[SocketAddr]>>>,
}

#[derive(Debug)]
struct ZoneC {
    origin_wire: Box<[u8]>,
    origin_key: Box<str>,
    nodes: HashMap<Box<str>, Node>,
    /// The SOA with the negative TTL, for NXDOMAIN and NODATA.
    soa: Option<(u32, Vec<Piece>)>,
    has_cuts: bool,
}

#[derive(Debug, Default)]
struct Node {
    groups: Vec<Group>,
    /// NS here, and not the apex.
    cut: bool,
}

#[derive(Debug)]
struct Group {
    rtype: u16,
    sets: Vec<SetC>,
}

#[derive(Debug)]
struct SetC {
    /// The owner name as configured (referrals write it).
    owner: Box<[u8]>,
    /// The set's type (an alias to a record set follows the target group of this type).
    rtype: u16,
    ttl: u32,
    policy: Policy,
    health: Option<Arc<CheckState>>,
    content: Content,
}

#[derive(Debug)]
enum Content {
    /// Prepared values; for CNAME sets also the target's key and wire name (to chase).
    Records { values: Vec<Vec<Piece>>, cname: Option<(Box<str>, Box<[u8]>)> },
    /// Alias to outside resources: prepared addresses of the set's type.
    Addresses { values: Vec<Vec<Piece>>, ttl: u32, evaluate: bool, healthy: bool },
    /// Alias to a record set group of the same zone.
    Record { key: Box<str>, evaluate: bool },
}

/// Why a configuration could not be compiled (the parts that could are served).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem(pub String);

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The label boundaries of a key, from the full name to the last label (`a.b.` → 0, 2).
fn label_starts(key: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0)
        .chain(key.char_indices().filter(|(_, c)| *c == '.').map(|(i, _)| i + 1))
        .filter(move |i| *i < key.len())
}

fn in_zone(key: &str, origin: &str) -> bool {
    key == origin
        || (key.len() > origin.len()
            && key.ends_with(origin)
            && key.as_bytes().get(key.len() - origin.len() - 1) == Some(&b'.'))
}

fn contains(net: (IpAddr, u8), ip: IpAddr) -> bool {
    match (net.0, ip) {
        (IpAddr::V4(n), IpAddr::V4(a)) => {
            let bits = u32::from(net.1.min(32));
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
            u32::from(n) & mask == u32::from(a) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(a)) => {
            let bits = u32::from(net.1.min(128));
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits) };
            u128::from(n) & mask == u128::from(a) & mask
        }
        (IpAddr::V4(_), IpAddr::V6(a)) => {
            a.to_ipv4_mapped().is_some_and(|a4| contains(net, IpAddr::V4(a4)))
        }
        _ => false,
    }
}

impl Snapshot {
    /// Compiles `config`; `check` gives the state of a health check by id. Record sets that
    /// cannot be compiled are left out and reported.
    pub fn build(
        config: &Config,
        check: &dyn Fn(&str) -> Option<Arc<CheckState>>,
    ) -> (Snapshot, Vec<Problem>) {
        let mut problems = Vec::new();
        let mut snap = Snapshot::default();
        let mut by_id: HashMap<&str, usize> = HashMap::new();
        for zone in &config.zones {
            let (Ok(origin_wire), Ok(origin_key)) =
                (wire::text_to_wire(&zone.origin), wire::text_key(&zone.origin))
            else {
                problems.push(Problem(format!("zone {}: bad origin {}", zone.id, zone.origin)));
                continue;
            };
            let mut z = ZoneC {
                origin_wire: origin_wire.into_boxed_slice(),
                origin_key: origin_key.clone().into_boxed_str(),
                nodes: HashMap::new(),
                soa: None,
                has_cuts: false,
            };
            z.nodes.insert(origin_key.clone().into_boxed_str(), Node::default());
            for set in &zone.record_sets {
                match compile_set(set, &origin_key, check) {
                    Ok((key, s)) => {
                        // Empty non-terminals between the owner and the apex.
                        for start in label_starts(&key).skip(1) {
                            let Some(ancestor) = key.get(start..) else { continue };
                            if ancestor.len() <= origin_key.len() {
                                break;
                            }
                            z.nodes.entry(ancestor.into()).or_default();
                        }
                        let node = z.nodes.entry(key.clone().into_boxed_str()).or_default();
                        if set.rtype == rtype::NS && key != origin_key {
                            node.cut = true;
                            z.has_cuts = true;
                        }
                        if set.rtype == rtype::SOA
                            && key == origin_key
                            && let Values::Records(values) = &set.values
                            && let Some(rd @ wire::RData::Soa { minimum, .. }) = values.first()
                            && let Ok(pieces) = rd.pieces()
                        {
                            z.soa = Some((set.ttl.min(*minimum), pieces));
                        }
                        match node.groups.iter_mut().find(|g| g.rtype == set.rtype) {
                            Some(g) => g.sets.push(s),
                            None => node.groups.push(Group { rtype: set.rtype, sets: vec![s] }),
                        }
                    }
                    Err(p) => problems.push(Problem(format!("zone {}: {}", zone.id, p.0))),
                }
            }
            let index = snap.zones.len();
            by_id.insert(zone.id.as_str(), index);
            if !zone.private {
                snap.public.insert(z.origin_key.clone(), index);
            }
            snap.zones.push(z);
        }
        for view in &config.views {
            let mut v = ViewC {
                private: HashMap::new(),
                public: view.public_zones,
                resolver: view.resolver,
                forward: HashMap::new(),
            };
            for rule in &view.forward {
                match wire::text_key(&rule.domain) {
                    Ok(key) => {
                        let targets =
                            (!rule.targets.is_empty()).then(|| Arc::from(rule.targets.as_slice()));
                        v.forward.insert(key.into_boxed_str(), targets);
                    }
                    Err(_) => problems.push(Problem(format!(
                        "view {}: bad rule domain {}",
                        view.name, rule.domain
                    ))),
                }
            }
            for id in &view.private_zones {
                match by_id.get(id.as_str()).and_then(|i| snap.zones.get(*i).map(|z| (i, z))) {
                    Some((i, z)) => {
                        v.private.insert(z.origin_key.clone(), *i);
                    }
                    None => problems.push(Problem(format!("view {}: no zone {id}", view.name))),
                }
            }
            snap.views.insert(view.name.clone(), v);
        }
        for c in &config.cidr_collections {
            let mut blocks: Vec<(IpAddr, u8, Box<str>)> = c
                .locations
                .iter()
                .flat_map(|(name, cidrs)| {
                    cidrs.iter().map(move |(ip, len)| (*ip, *len, name.as_str().into()))
                })
                .collect();
            blocks.sort_by_key(|b| std::cmp::Reverse(b.1));
            snap.collections.insert(c.id.clone(), blocks);
        }
        let mut locations: Vec<(IpAddr, u8, LocationC)> =
            config.locations.iter().map(|r| (r.cidr.0, r.cidr.1, (&r.location).into())).collect();
        locations.sort_by_key(|l| std::cmp::Reverse(l.1));
        snap.locations = locations;
        snap.default_location = (&config.default_location).into();
        (snap, problems)
    }

    /// The view named `name`.
    pub fn view(&self, name: &str) -> Option<&ViewC> {
        self.views.get(name)
    }

    /// Where a query for `key` is forwarded from `view`, if a Resolver rule sends it away:
    /// the rule with the most specific domain holding the name decides (a SYSTEM rule keeps
    /// it here), and a private zone of the view more specific than that rule keeps it too.
    pub fn forward_targets<'a>(&self, view: &'a ViewC, key: &str) -> Option<&'a Arc<[SocketAddr]>> {
        if view.forward.is_empty() {
            return None;
        }
        let (start, rule) = label_starts(key)
            .find_map(|i| key.get(i..).and_then(|s| view.forward.get(s)).map(|r| (i, r)))?;
        let targets = rule.as_ref()?;
        let closer_zone = label_starts(key)
            .take_while(|i| *i < start)
            .any(|i| key.get(i..).is_some_and(|s| view.private.contains_key(s)));
        (!closer_zone).then_some(targets)
    }

    /// Answers `query` (whose name's key is `key`) from `view` for a client at `source`,
    /// writing the response into `buf`, at most `limit` bytes (larger answers are truncated
    /// with TC set).
    pub fn answer(
        &self,
        view: &ViewC,
        query: &Query<'_>,
        key: &str,
        source: IpAddr,
        limit: usize,
        buf: &mut Vec<u8>,
    ) {
        let client = Client::new(self, query, source);
        let mut w = Writer::new(buf, query, rcode::NOERROR, false, view.resolver);
        let code = self.fill(view, query, key, &client, &mut w);
        let scope = client.scope();
        w.set_rcode(code);
        if let Some(edns) = &query.edns {
            w.opt(edns, code, scope);
        }
        if w.len() > limit {
            w.truncate(query, code, scope);
        }
    }

    fn fill(
        &self,
        view: &ViewC,
        query: &Query<'_>,
        key: &str,
        client: &Client<'_>,
        w: &mut Writer<'_>,
    ) -> u16 {
        if query.edns.is_some_and(|e| e.version != 0) {
            return rcode::BADVERS;
        }
        if query.qclass != wire::CLASS_IN
            || matches!(query.qtype, rtype::AXFR | rtype::IXFR | rtype::OPT)
        {
            return rcode::REFUSED;
        }
        let Some(zone) = self.zone_for(view, key) else { return rcode::REFUSED };
        w.set_aa(true);
        let mut owner: &[u8] = query.qname;
        let mut current: &str = key;
        let mut scratch = String::new();
        for step in 0..MAX_CHAIN {
            if zone.has_cuts
                && let Some(cut) = zone.cut_above(current, query.qtype)
            {
                if step == 0 {
                    w.set_aa(false);
                    zone.referral(cut, w);
                }
                return rcode::NOERROR;
            }
            // A wildcard answers with the query's own name as owner (RFC 4592).
            let node = match zone.nodes.get(current) {
                Some(n) => n,
                None => match zone.wildcard(current, &mut scratch) {
                    Some(n) => n,
                    None => {
                        zone.negative(w);
                        return rcode::NXDOMAIN;
                    }
                },
            };
            if let Some(g) = node.group(query.qtype) {
                if !self.emit(zone, g, owner, client, w, 0) {
                    zone.negative(w);
                }
                return rcode::NOERROR;
            }
            if query.qtype == rtype::ANY && !node.groups.is_empty() {
                for g in &node.groups {
                    self.emit(zone, g, owner, client, w, 0);
                }
                return rcode::NOERROR;
            }
            let Some(cname) = node.group(rtype::CNAME) else {
                zone.negative(w);
                return rcode::NOERROR;
            };
            let Some(set) = self.choose_one(zone, cname, client) else {
                zone.negative(w);
                return rcode::NOERROR;
            };
            self.emit_set(zone, set, owner, rtype::CNAME, client, w, 0);
            match &set.content {
                Content::Records { cname: Some((target_key, target_wire)), .. }
                    if in_zone(target_key, &zone.origin_key) =>
                {
                    current = target_key;
                    owner = target_wire;
                }
                _ => return rcode::NOERROR,
            }
        }
        rcode::NOERROR
    }

    /// The zone with the longest origin that holds `key`: the view's private zones first,
    /// then (if none holds it) the public ones.
    fn zone_for(&self, view: &ViewC, key: &str) -> Option<&ZoneC> {
        let find = |map: &HashMap<Box<str>, usize>| {
            label_starts(key).find_map(|i| key.get(i..).and_then(|s| map.get(s)).copied())
        };
        let index = if view.private.is_empty() { None } else { find(&view.private) };
        let index = index.or_else(|| if view.public { find(&self.public) } else { None })?;
        self.zones.get(index)
    }

    fn healthy(&self, zone: &ZoneC, set: &SetC, depth: usize) -> bool {
        if set.health.as_ref().is_some_and(|h| !h.healthy()) {
            return false;
        }
        match &set.content {
            Content::Records { .. } => true,
            Content::Addresses { evaluate, healthy, .. } => !evaluate || *healthy,
            Content::Record { key, evaluate } => {
                if !evaluate || depth >= MAX_CHAIN {
                    return true;
                }
                // Healthy when any set of the target group is.
                let group = zone.nodes.get(key.as_ref()).and_then(|n| n.group(set.rtype));
                group.is_some_and(|g| g.sets.iter().any(|s| self.healthy(zone, s, depth + 1)))
            }
        }
    }

    fn choose_one<'s>(
        &'s self,
        zone: &'s ZoneC,
        group: &'s Group,
        client: &Client<'_>,
    ) -> Option<&'s SetC> {
        let mut chosen = Vec::new();
        self.choose(zone, group, client, 0, &mut chosen);
        chosen.first().copied()
    }

    /// The record sets a group answers with.
    fn choose<'s>(
        &'s self,
        zone: &'s ZoneC,
        group: &'s Group,
        client: &Client<'_>,
        depth: usize,
        out: &mut Vec<&'s SetC>,
    ) {
        let sets = &group.sets;
        let Some(first) = sets.first() else { return };
        let ok = |s: &SetC| self.healthy(zone, s, depth);
        match &first.policy {
            Policy::Simple => out.extend(sets.iter()),
            Policy::Weighted { .. } => {
                let weight = |s: &SetC| match s.policy {
                    Policy::Weighted { weight } => u64::from(weight),
                    _ => 0,
                };
                let tiers: [&dyn Fn(&SetC) -> bool; 4] = [
                    &|s| weight(s) > 0 && ok(s),
                    &|s| weight(s) == 0 && ok(s),
                    &|s| weight(s) > 0,
                    &|_| true,
                ];
                for tier in tiers {
                    let total: u64 = sets.iter().filter(|s| tier(s)).map(&weight).sum();
                    let count = sets.iter().filter(|s| tier(s)).count() as u64;
                    if count == 0 {
                        continue;
                    }
                    let pick = if total > 0 {
                        let mut r = below(total);
                        sets.iter().filter(|s| tier(s)).find(|s| {
                            let w = weight(s);
                            if r < w {
                                true
                            } else {
                                r -= w;
                                false
                            }
                        })
                    } else {
                        sets.iter().filter(|s| tier(s)).nth(below(count) as usize)
                    };
                    out.extend(pick);
                    return;
                }
            }
            Policy::Failover(_) => {
                let role = |f: Failover| sets.iter().find(|s| s.policy == Policy::Failover(f));
                let primary = role(Failover::Primary);
                let secondary = role(Failover::Secondary);
                let pick = primary
                    .filter(|s| ok(s))
                    .or_else(|| secondary.filter(|s| ok(s)))
                    .or(primary)
                    .or(secondary);
                out.extend(pick);
            }
            Policy::Multivalue => {
                let start = out.len();
                out.extend(sets.iter().filter(|s| ok(s)));
                if out.len() == start {
                    out.extend(sets.iter());
                }
                // Shuffle what was added, then keep eight.
                let n = out.len() - start;
                for i in (1..n).rev() {
                    let j = below(i as u64 + 1) as usize;
                    out.swap(start + i, start + j);
                }
                out.truncate(start + n.min(MULTIVALUE_MAX));
            }
            Policy::Latency { .. } | Policy::Geoproximity { .. } => {
                let loc = client.location();
                // Latency: from the client's region; geoproximity: from the client itself.
                let from_region = geo::region_coordinates(&loc.region).or(loc.coordinates);
                let distance = |s: &SetC| -> f64 {
                    let here = match s.policy {
                        Policy::Latency { .. } => from_region,
                        _ => loc.coordinates,
                    };
                    let (place, bias) = match &s.policy {
                        Policy::Latency { region } => (geo::region_coordinates(region), 0),
                        Policy::Geoproximity { location, bias } => (
                            match location {
                                GeoproximityLocation::Region(r)
                                | GeoproximityLocation::LocalZoneGroup(r) => {
                                    geo::region_coordinates(r)
                                }
                                GeoproximityLocation::Coordinates { latitude, longitude } => {
                                    Some((*latitude, *longitude))
                                }
                            },
                            *bias,
                        ),
                        _ => (None, 0),
                    };
                    match (here, place) {
                        (Some(a), Some(b)) => geo::biased(geo::distance(a, b), bias),
                        _ => f64::MAX,
                    }
                };
                let nearest = |pred: &dyn Fn(&SetC) -> bool| {
                    sets.iter()
                        .filter(|s| pred(s))
                        .min_by(|a, b| distance(a).total_cmp(&distance(b)))
                };
                out.extend(nearest(&|s| ok(s)).or_else(|| nearest(&|_| true)));
            }
            Policy::Geolocation(_) => {
                let loc = client.location();
                let rank = |s: &SetC| -> Option<u8> {
                    let Policy::Geolocation(g) = &s.policy else { return None };
                    geo_rank(g, loc)
                };
                let best = |pred: &dyn Fn(&SetC) -> bool| {
                    sets.iter()
                        .filter_map(|s| rank(s).filter(|_| pred(s)).map(|r| (r, s)))
                        .min_by_key(|(r, _)| *r)
                        .map(|(_, s)| s)
                };
                out.extend(best(&|s| ok(s)).or_else(|| best(&|_| true)));
            }
            Policy::Cidr { collection_id, .. } => {
                let here = client.cidr_location(collection_id);
                let named = |want: &str, pred: &dyn Fn(&SetC) -> bool| {
                    sets.iter().find(|s| {
                        matches!(&s.policy, Policy::Cidr { location_name, .. } if location_name == want)
                            && pred(s)
                    })
                };
                let pick = |pred: &dyn Fn(&SetC) -> bool| {
                    here.and_then(|h| named(h, pred)).or_else(|| named("*", pred))
                };
                out.extend(pick(&|s| ok(s)).or_else(|| pick(&|_| true)));
            }
        }
    }

    /// Writes the answer of one group; `false` when the policy chose nothing.
    fn emit(
        &self,
        zone: &ZoneC,
        group: &Group,
        owner: &[u8],
        client: &Client<'_>,
        w: &mut Writer<'_>,
        depth: usize,
    ) -> bool {
        let mut chosen = Vec::new();
        self.choose(zone, group, client, depth, &mut chosen);
        let mut wrote = false;
        for set in chosen {
            wrote |= self.emit_set(zone, set, owner, group.rtype, client, w, depth);
        }
        wrote
    }

    #[allow(clippy::too_many_arguments)]
    fn emit_set(
        &self,
        zone: &ZoneC,
        set: &SetC,
        owner: &[u8],
        rtype: u16,
        client: &Client<'_>,
        w: &mut Writer<'_>,
        depth: usize,
    ) -> bool {
        match &set.content {
            Content::Records { values, .. } => {
                for v in values {
                    w.record(Section::Answer, owner, rtype, set.ttl, v);
                }
                !values.is_empty()
            }
            Content::Addresses { values, ttl, .. } => {
                for v in values {
                    w.record(Section::Answer, owner, rtype, *ttl, v);
                }
                !values.is_empty()
            }
            Content::Record { key, .. } => {
                if depth >= MAX_CHAIN {
                    return false;
                }
                match zone.nodes.get(key.as_ref()).and_then(|n| n.group(rtype)) {
                    Some(g) => self.emit(zone, g, owner, client, w, depth + 1),
                    None => false,
                }
            }
        }
    }
}

/// How well a geolocation matches a client: 0 subdivision, 1 country, 2 continent, 3 `*`.
fn geo_rank(g: &GeoLocation, loc: &LocationC) -> Option<u8> {
    let eq = |a: &Option<String>, b: &str| a.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(b));
    if g.country.as_deref() == Some("*") {
        return Some(3);
    }
    if let Some(sub) = &g.subdivision {
        let here = loc.subdivision.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(sub));
        return (eq(&g.country, &loc.country) && here).then_some(0);
    }
    if g.country.is_some() {
        return eq(&g.country, &loc.country).then_some(1);
    }
    if g.continent.is_some() {
        return eq(&g.continent, &loc.continent).then_some(2);
    }
    None
}

impl Node {
    fn group(&self, rtype: u16) -> Option<&Group> {
        self.groups.iter().find(|g| g.rtype == rtype)
    }
}

impl ZoneC {
    /// The highest delegation point at or above `key` and below the apex; DS at the cut
    /// itself belongs to this zone.
    fn cut_above(&self, key: &str, qtype: u16) -> Option<&Node> {
        let mut starts = [0usize; 128];
        let mut n = 0;
        for s in label_starts(key) {
            if let Some(slot) = starts.get_mut(n) {
                *slot = s;
                n += 1;
            }
        }
        for &s in starts.get(..n)?.iter().rev() {
            let Some(name) = key.get(s..) else { continue };
            if name.len() <= self.origin_key.len() {
                continue;
            }
            if let Some(node) = self.nodes.get(name)
                && node.cut
            {
                if s == 0 && qtype == rtype::DS {
                    return None;
                }
                return Some(node);
            }
        }
        None
    }

    /// NS records of the cut in the authority section, their addresses (glue) in the
    /// additional section.
    fn referral(&self, node: &Node, w: &mut Writer<'_>) {
        let Some(ns) = node.group(rtype::NS) else { return };
        let owner = ns_owner(ns);
        for set in &ns.sets {
            if let Content::Records { values, .. } = &set.content {
                for v in values {
                    w.record(Section::Authority, owner, rtype::NS, set.ttl, v);
                }
            }
        }
        for set in &ns.sets {
            let Content::Records { values, .. } = &set.content else { continue };
            for v in values {
                let Some(Piece::Name(target)) = v.first() else { continue };
                let mut key = String::new();
                if wire::name_key(target, &mut key).is_none() || !in_zone(&key, &self.origin_key) {
                    continue;
                }
                let Some(glue) = self.nodes.get(key.as_str()) else { continue };
                for t in [rtype::A, rtype::AAAA] {
                    let Some(g) = glue.group(t) else { continue };
                    for s in &g.sets {
                        if let Content::Records { values, .. } = &s.content {
                            for gv in values {
                                w.record(Section::Additional, target, t, s.ttl, gv);
                            }
                        }
                    }
                }
            }
        }
    }

    /// The node `*.<closest encloser>` for a name that does not exist, if any.
    fn wildcard(&self, key: &str, scratch: &mut String) -> Option<&Node> {
        for s in label_starts(key).skip(1) {
            let encloser = key.get(s..)?;
            if encloser.len() < self.origin_key.len() {
                return None;
            }
            if self.nodes.contains_key(encloser) {
                scratch.clear();
                scratch.push_str("*.");
                scratch.push_str(encloser);
                return self.nodes.get(scratch.as_str());
            }
        }
        None
    }

    /// The SOA in the authority section with the negative TTL.
    fn negative(&self, w: &mut Writer<'_>) {
        if let Some((ttl, soa)) = &self.soa {
            w.record(Section::Authority, &self.origin_wire, rtype::SOA, *ttl, soa);
        }
    }
}

fn ns_owner(g: &Group) -> &[u8] {
    g.sets.first().map(|s| s.owner.as_ref()).unwrap_or(&[0])
}

/// The client, located lazily.
struct Client<'a> {
    snapshot: &'a Snapshot,
    address: IpAddr,
    subnet_prefix: Option<u8>,
    located: Cell<bool>,
}

impl<'a> Client<'a> {
    fn new(snapshot: &'a Snapshot, query: &Query<'_>, source: IpAddr) -> Self {
        let subnet = query.edns.and_then(|e| e.client_subnet);
        Client {
            snapshot,
            address: subnet.map(|s| s.address).unwrap_or(source),
            subnet_prefix: subnet.map(|s| s.source_prefix),
            located: Cell::new(false),
        }
    }

    fn location(&self) -> &'a LocationC {
        self.located.set(true);
        self.snapshot
            .locations
            .iter()
            .find(|(ip, len, _)| contains((*ip, *len), self.address))
            .map(|(_, _, l)| l)
            .unwrap_or(&self.snapshot.default_location)
    }

    fn cidr_location(&self, collection: &str) -> Option<&'a str> {
        self.located.set(true);
        self.snapshot
            .collections
            .get(collection)?
            .iter()
            .find(|(ip, len, _)| contains((*ip, *len), self.address))
            .map(|(_, _, name)| name.as_ref())
    }

    /// The scope prefix to echo: the source prefix when the answer depended on where the
    /// client is, else 0.
    fn scope(&self) -> Option<u8> {
        self.subnet_prefix.map(|p| if self.located.get() { p } else { 0 })
    }
}

fn compile_set(
    set: &crate::config::RecordSet,
    origin_key: &str,
    check: &dyn Fn(&str) -> Option<Arc<CheckState>>,
) -> Result<(String, SetC), Problem> {
    let key = wire::text_key(&set.name).map_err(|e| Problem(format!("{}: {e}", set.name)))?;
    if !in_zone(&key, origin_key) {
        return Err(Problem(format!("{} is not in {origin_key}", set.name)));
    }
    let owner = wire::text_to_wire(&set.name)
        .map_err(|e| Problem(format!("{}: {e}", set.name)))?
        .into_boxed_slice();
    let bad = |e: wire::RDataError| Problem(format!("{}: {e}", set.name));
    let content = match &set.values {
        Values::Records(values) => {
            let mut prepared = Vec::with_capacity(values.len());
            let mut cname = None;
            for v in values {
                if v.rtype() != set.rtype {
                    return Err(Problem(format!("{}: a value of another type", set.name)));
                }
                if let wire::RData::Cname(target) = v {
                    let k = wire::text_key(target).map_err(|e| bad(e.into()))?;
                    let wt = wire::text_to_wire(target).map_err(|e| bad(e.into()))?;
                    cname = Some((k.into_boxed_str(), wt.into_boxed_slice()));
                }
                prepared.push(v.pieces().map_err(bad)?);
            }
            Content::Records { values: prepared, cname }
        }
        Values::Alias(alias) => match &alias.target {
            AliasTarget::Addresses { addresses, ttl, healthy } => {
                let values = addresses
                    .iter()
                    .filter_map(|a| match (a, set.rtype) {
                        (IpAddr::V4(v4), rtype::A) => Some(wire::RData::A(*v4)),
                        (IpAddr::V6(v6), rtype::AAAA) => Some(wire::RData::Aaaa(*v6)),
                        _ => None,
                    })
                    .map(|r| r.pieces().map_err(bad))
                    .collect::<Result<Vec<_>, _>>()?;
                Content::Addresses {
                    values,
                    ttl: *ttl,
                    evaluate: alias.evaluate_target_health,
                    healthy: *healthy,
                }
            }
            AliasTarget::Record { name } => {
                let k = wire::text_key(name).map_err(|e| bad(e.into()))?;
                Content::Record { key: k.into_boxed_str(), evaluate: alias.evaluate_target_health }
            }
        },
    };
    let health = set.health_check_id.as_deref().and_then(check);
    Ok((
        key,
        SetC { owner, rtype: set.rtype, ttl: set.ttl, policy: set.policy.clone(), health, content },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::*;
    use crate::wire::tests::query;
    use crate::wire::{RData, parse_query};
    use std::net::Ipv4Addr;

    pub(crate) fn set(name: &str, rtype: u16, values: Vec<RData>) -> RecordSet {
        RecordSet {
            name: name.into(),
            rtype,
            ttl: 300,
            values: Values::Records(values),
            set_identifier: None,
            policy: Policy::Simple,
            health_check_id: None,
        }
    }

    fn a(name: &str, ip: [u8; 4]) -> RecordSet {
        set(name, rtype::A, vec![RData::A(Ipv4Addr::from(ip))])
    }

    fn routed(name: &str, id: &str, ip: [u8; 4], policy: Policy, hc: Option<&str>) -> RecordSet {
        RecordSet {
            set_identifier: Some(id.into()),
            policy,
            health_check_id: hc.map(str::to_owned),
            ..a(name, ip)
        }
    }

    fn zone(origin: &str, mut sets: Vec<RecordSet>) -> Zone {
        let soa = RData::Soa {
            mname: "ns-1.awsdns-01.com.".into(),
            rname: "awsdns-hostmaster.amazon.com.".into(),
            serial: 1,
            refresh: 7200,
            retry: 900,
            expire: 1209600,
            minimum: 86400,
        };
        sets.push(RecordSet { ttl: 900, ..set(origin, rtype::SOA, vec![soa]) });
        sets.push(RecordSet {
            ttl: 172800,
            ..set(origin, rtype::NS, vec![RData::Ns("ns-1.awsdns-01.com.".into())])
        });
        Zone { id: format!("Z{origin}"), origin: origin.into(), private: false, record_sets: sets }
    }

    fn public_view() -> View {
        View {
            name: "public".into(),
            listen: "127.0.0.1:0".parse().unwrap(),
            private_zones: vec![],
            public_zones: true,
            resolver: false,
            forward: Vec::new(),
        }
    }

    struct Reply {
        rcode: u16,
        aa: bool,
        answers: Vec<(u16, u32, Vec<u8>)>,
        authority: Vec<(u16, u32)>,
        additional: usize,
    }

    /// Decodes a response well enough for assertions: (type, ttl, rdata) per answer.
    fn decode(m: &[u8]) -> Reply {
        let count = |i: usize| u16::from_be_bytes([m[i], m[i + 1]]) as usize;
        let mut p = 12 + skip(m, 12) + 4;
        let mut read = |n: usize| {
            let mut out = Vec::new();
            for _ in 0..n {
                p += skip(m, p);
                let t = u16::from_be_bytes([m[p], m[p + 1]]);
                let ttl = u32::from_be_bytes([m[p + 4], m[p + 5], m[p + 6], m[p + 7]]);
                let len = u16::from_be_bytes([m[p + 8], m[p + 9]]) as usize;
                out.push((t, ttl, m[p + 10..p + 10 + len].to_vec()));
                p += 10 + len;
            }
            out
        };
        let answers = read(count(6));
        let authority = read(count(8)).into_iter().map(|(t, ttl, _)| (t, ttl)).collect();
        Reply {
            rcode: u16::from(m[3] & 0xF),
            aa: m[2] & 4 != 0,
            answers,
            authority,
            additional: count(10),
        }
    }

    fn skip(m: &[u8], mut p: usize) -> usize {
        let start = p;
        loop {
            let l = m[p] as usize;
            if l == 0 {
                return p + 1 - start;
            }
            if l & 0xC0 == 0xC0 {
                return p + 2 - start;
            }
            p += 1 + l;
        }
    }

    fn ask_from(snap: &Snapshot, name: &str, qtype: u16, source: IpAddr) -> Reply {
        let m = query(1, name, qtype, None);
        let q = parse_query(&m).unwrap();
        let mut key = String::new();
        wire::name_key(q.qname, &mut key).unwrap();
        let mut buf = Vec::new();
        snap.answer(snap.view("public").unwrap(), &q, &key, source, 65535, &mut buf);
        decode(&buf)
    }

    fn ask(snap: &Snapshot, name: &str, qtype: u16) -> Reply {
        ask_from(snap, name, qtype, IpAddr::V4(Ipv4Addr::LOCALHOST))
    }

    fn build(zones: Vec<Zone>, checks: &[(&str, Arc<CheckState>)]) -> Snapshot {
        let config = Config { zones, views: vec![public_view()], ..Config::default() };
        let lookup = |id: &str| checks.iter().find(|(i, _)| *i == id).map(|(_, s)| s.clone());
        let (snap, problems) = Snapshot::build(&config, &lookup);
        assert!(problems.is_empty(), "{problems:?}");
        snap
    }

    #[test]
    fn exact_names_answer_and_missing_ones_are_nxdomain_with_the_soa() {
        let snap = build(
            vec![zone(
                "example.com.",
                vec![a("www.example.com.", [192, 0, 2, 1]), a("a.b.c.example.com.", [1, 1, 1, 1])],
            )],
            &[],
        );
        let r = ask(&snap, "WWW.example.COM.", rtype::A);
        assert_eq!((r.rcode, r.aa), (rcode::NOERROR, true));
        assert_eq!(r.answers, vec![(rtype::A, 300, vec![192, 0, 2, 1])]);
        let r = ask(&snap, "nope.example.com.", rtype::A);
        assert_eq!(r.rcode, rcode::NXDOMAIN);
        assert!(r.answers.is_empty());
        assert_eq!(r.authority, vec![(rtype::SOA, 900)], "min(SOA TTL 900, minimum 86400)");
        let r = ask(&snap, "www.example.com.", rtype::AAAA);
        assert_eq!((r.rcode, r.answers.len(), r.authority.len()), (rcode::NOERROR, 0, 1));
        // An empty non-terminal is NODATA, not NXDOMAIN.
        let r = ask(&snap, "b.c.example.com.", rtype::A);
        assert_eq!((r.rcode, r.answers.len(), r.authority.len()), (rcode::NOERROR, 0, 1));
        let r = ask(&snap, "example.org.", rtype::A);
        assert_eq!((r.rcode, r.aa), (rcode::REFUSED, false));
    }

    #[test]
    fn the_longest_zone_wins() {
        let snap = build(
            vec![
                zone("example.com.", vec![a("x.sub.example.com.", [1, 1, 1, 1])]),
                zone("sub.example.com.", vec![a("x.sub.example.com.", [2, 2, 2, 2])]),
            ],
            &[],
        );
        assert_eq!(ask(&snap, "x.sub.example.com.", rtype::A).answers[0].2, vec![2, 2, 2, 2]);
    }

    #[test]
    fn wildcards_follow_rfc_4592() {
        let snap = build(
            vec![zone(
                "example.com.",
                vec![
                    a("*.example.com.", [9, 9, 9, 9]),
                    a("sub.example.com.", [1, 2, 3, 4]),
                    a("x.sub2.example.com.", [5, 5, 5, 5]),
                ],
            )],
            &[],
        );
        assert_eq!(ask(&snap, "any.example.com.", rtype::A).answers[0].2, vec![9, 9, 9, 9]);
        assert_eq!(ask(&snap, "a.b.example.com.", rtype::A).answers[0].2, vec![9, 9, 9, 9]);
        // `sub` exists, so `*.sub` would be the source: there is none.
        assert_eq!(ask(&snap, "x.sub.example.com.", rtype::A).rcode, rcode::NXDOMAIN);
        // `sub2` is an empty non-terminal: it also blocks the apex wildcard.
        assert_eq!(ask(&snap, "y.sub2.example.com.", rtype::A).rcode, rcode::NXDOMAIN);
        assert_eq!(ask(&snap, "sub.example.com.", rtype::A).answers[0].2, vec![1, 2, 3, 4]);
    }

    #[test]
    fn cnames_are_chased_inside_the_zone() {
        let snap = build(
            vec![zone(
                "example.com.",
                vec![
                    set(
                        "www.example.com.",
                        rtype::CNAME,
                        vec![RData::Cname("web.example.com.".into())],
                    ),
                    a("web.example.com.", [10, 0, 0, 1]),
                    set(
                        "out.example.com.",
                        rtype::CNAME,
                        vec![RData::Cname("elsewhere.org.".into())],
                    ),
                    set(
                        "dead.example.com.",
                        rtype::CNAME,
                        vec![RData::Cname("gone.example.com.".into())],
                    ),
                ],
            )],
            &[],
        );
        let r = ask(&snap, "www.example.com.", rtype::A);
        let types: Vec<u16> = r.answers.iter().map(|a| a.0).collect();
        assert_eq!(types, vec![rtype::CNAME, rtype::A]);
        assert_eq!(ask(&snap, "www.example.com.", rtype::CNAME).answers.len(), 1);
        let r = ask(&snap, "out.example.com.", rtype::A);
        assert_eq!((r.rcode, r.answers.len()), (rcode::NOERROR, 1));
        let r = ask(&snap, "dead.example.com.", rtype::A);
        assert_eq!((r.rcode, r.answers.len()), (rcode::NXDOMAIN, 1));
    }

    #[test]
    fn delegations_are_referrals_with_glue() {
        let snap = build(
            vec![zone(
                "example.com.",
                vec![
                    set(
                        "sub.example.com.",
                        rtype::NS,
                        vec![RData::Ns("ns1.sub.example.com.".into())],
                    ),
                    set(
                        "sub.example.com.",
                        rtype::DS,
                        vec![RData::Ds {
                            key_tag: 1,
                            algorithm: 8,
                            digest_type: 2,
                            digest: vec![0xAB; 32],
                        }],
                    ),
                    a("ns1.sub.example.com.", [192, 0, 2, 53]),
                ],
            )],
            &[],
        );
        let r = ask(&snap, "www.sub.example.com.", rtype::A);
        assert_eq!((r.rcode, r.aa, r.answers.len()), (rcode::NOERROR, false, 0));
        assert_eq!(r.authority, vec![(rtype::NS, 300)]);
        assert_eq!(r.additional, 1);
        let r = ask(&snap, "sub.example.com.", rtype::DS);
        assert_eq!((r.aa, r.answers.len()), (true, 1), "the parent answers DS");
    }

    #[test]
    fn weighted_sets_split_in_proportion_and_skip_the_unhealthy() {
        let down = CheckState::new();
        let snap = build(
            vec![zone(
                "example.com.",
                vec![
                    routed(
                        "w.example.com.",
                        "one",
                        [1, 0, 0, 1],
                        Policy::Weighted { weight: 1 },
                        None,
                    ),
                    routed(
                        "w.example.com.",
                        "three",
                        [1, 0, 0, 3],
                        Policy::Weighted { weight: 3 },
                        Some("hc"),
                    ),
                    routed(
                        "w.example.com.",
                        "zero",
                        [1, 0, 0, 9],
                        Policy::Weighted { weight: 0 },
                        None,
                    ),
                ],
            )],
            &[("hc", down.clone())],
        );
        let count = |n: usize| {
            let mut three = 0;
            for _ in 0..n {
                let r = ask(&snap, "w.example.com.", rtype::A);
                assert_eq!(r.answers.len(), 1);
                assert_ne!(r.answers[0].2, vec![1, 0, 0, 9], "weight 0 while others are healthy");
                three += usize::from(r.answers[0].2 == vec![1, 0, 0, 3]);
            }
            three
        };
        let three = count(4000);
        assert!((2800..3200).contains(&three), "{three} of 4000");
        down.set_healthy(false);
        assert_eq!(count(200), 0);
    }

    #[test]
    fn failover_and_the_all_unhealthy_rule() {
        let (p, s) = (CheckState::new(), CheckState::new());
        let snap = build(
            vec![zone(
                "example.com.",
                vec![
                    routed(
                        "f.example.com.",
                        "p",
                        [1, 1, 1, 1],
                        Policy::Failover(Failover::Primary),
                        Some("p"),
                    ),
                    routed(
                        "f.example.com.",
                        "s",
                        [2, 2, 2, 2],
                        Policy::Failover(Failover::Secondary),
                        Some("s"),
                    ),
                ],
            )],
            &[("p", p.clone()), ("s", s.clone())],
        );
        let got = || ask(&snap, "f.example.com.", rtype::A).answers[0].2.clone();
        assert_eq!(got(), vec![1, 1, 1, 1]);
        p.set_healthy(false);
        assert_eq!(got(), vec![2, 2, 2, 2]);
        s.set_healthy(false);
        assert_eq!(got(), vec![1, 1, 1, 1], "all unhealthy: as if all were healthy");
    }

    #[test]
    fn multivalue_gives_at_most_eight_healthy_records() {
        let down = CheckState::new();
        down.set_healthy(false);
        let mut sets: Vec<RecordSet> = (0..10)
            .map(|i| {
                routed("m.example.com.", &format!("{i}"), [10, 0, 0, i], Policy::Multivalue, None)
            })
            .collect();
        sets.push(routed("m.example.com.", "bad", [10, 0, 0, 99], Policy::Multivalue, Some("d")));
        let snap = build(vec![zone("example.com.", sets)], &[("d", down)]);
        for _ in 0..50 {
            let r = ask(&snap, "m.example.com.", rtype::A);
            assert_eq!(r.answers.len(), 8);
            assert!(r.answers.iter().all(|a| a.2 != vec![10, 0, 0, 99]));
        }
    }

    fn located(zones: Vec<Zone>, collections: Vec<CidrCollection>) -> Snapshot {
        let loc = |cidr: &str, region: &str, continent: &str, country: &str, sub: Option<&str>| {
            let (ip, len) = cidr.split_once('/').unwrap();
            LocationRule {
                cidr: (ip.parse().unwrap(), len.parse().unwrap()),
                location: ClientLocation {
                    region: region.into(),
                    continent: continent.into(),
                    country: country.into(),
                    subdivision: sub.map(str::to_owned),
                    coordinates: None,
                },
            }
        };
        let config = Config {
            zones,
            views: vec![public_view()],
            cidr_collections: collections,
            locations: vec![
                loc("10.1.0.0/16", "eu-west-1", "EU", "IE", None),
                loc("10.2.0.0/16", "us-west-2", "NA", "US", Some("WA")),
                loc("10.3.0.0/16", "ap-northeast-1", "AS", "JP", None),
            ],
            ..Config::default()
        };
        Snapshot::build(&config, &|_| None).0
    }

    #[test]
    fn latency_and_geolocation_follow_the_client() {
        let geo = |c: Option<&str>, n: Option<&str>, s: Option<&str>| {
            Policy::Geolocation(GeoLocation {
                continent: c.map(str::to_owned),
                country: n.map(str::to_owned),
                subdivision: s.map(str::to_owned),
            })
        };
        let snap = located(
            vec![zone(
                "example.com.",
                vec![
                    routed(
                        "l.example.com.",
                        "us",
                        [1, 0, 0, 1],
                        Policy::Latency { region: "us-east-1".into() },
                        None,
                    ),
                    routed(
                        "l.example.com.",
                        "eu",
                        [1, 0, 0, 2],
                        Policy::Latency { region: "eu-central-1".into() },
                        None,
                    ),
                    routed(
                        "g.example.com.",
                        "wa",
                        [2, 0, 0, 1],
                        geo(None, Some("US"), Some("WA")),
                        None,
                    ),
                    routed("g.example.com.", "eu", [2, 0, 0, 2], geo(Some("EU"), None, None), None),
                    routed("g.example.com.", "us", [2, 0, 0, 3], geo(None, Some("US"), None), None),
                    routed("h.example.com.", "eu", [3, 0, 0, 1], geo(Some("EU"), None, None), None),
                ],
            )],
            vec![],
        );
        let from = |ip: [u8; 4], name: &str| {
            let r = ask_from(&snap, name, rtype::A, IpAddr::V4(Ipv4Addr::from(ip)));
            r.answers.first().map(|a| a.2.clone())
        };
        assert_eq!(from([10, 1, 0, 1], "l.example.com."), Some(vec![1, 0, 0, 2]));
        assert_eq!(from([10, 2, 0, 1], "l.example.com."), Some(vec![1, 0, 0, 1]));
        assert_eq!(from([10, 2, 0, 1], "g.example.com."), Some(vec![2, 0, 0, 1]));
        assert_eq!(from([10, 1, 0, 1], "g.example.com."), Some(vec![2, 0, 0, 2]));
        // Default location: Virginia → the US country record.
        assert_eq!(from([127, 0, 0, 1], "g.example.com."), Some(vec![2, 0, 0, 3]));
        // No match, no default: NODATA.
        let r = ask_from(&snap, "h.example.com.", rtype::A, IpAddr::V4(Ipv4Addr::new(10, 3, 0, 1)));
        assert_eq!((r.rcode, r.answers.len(), r.authority.len()), (rcode::NOERROR, 0, 1));
    }

    #[test]
    fn cidr_routing_uses_the_longest_prefix_then_the_default() {
        let cidr =
            |loc: &str| Policy::Cidr { collection_id: "c1".into(), location_name: loc.into() };
        let snap = located(
            vec![zone(
                "example.com.",
                vec![
                    routed("c.example.com.", "wide", [1, 0, 0, 1], cidr("wide"), None),
                    routed("c.example.com.", "narrow", [1, 0, 0, 2], cidr("narrow"), None),
                    routed("c.example.com.", "rest", [1, 0, 0, 3], cidr("*"), None),
                ],
            )],
            vec![CidrCollection {
                id: "c1".into(),
                locations: vec![
                    ("wide".into(), vec![("198.51.0.0".parse().unwrap(), 16)]),
                    ("narrow".into(), vec![("198.51.100.0".parse().unwrap(), 24)]),
                ],
            }],
        );
        let from = |ip: [u8; 4]| {
            ask_from(&snap, "c.example.com.", rtype::A, IpAddr::V4(Ipv4Addr::from(ip))).answers[0]
                .2
                .clone()
        };
        assert_eq!(from([198, 51, 100, 7]), vec![1, 0, 0, 2]);
        assert_eq!(from([198, 51, 7, 7]), vec![1, 0, 0, 1]);
        assert_eq!(from([8, 8, 8, 8]), vec![1, 0, 0, 3]);
    }

    #[test]
    fn aliases_answer_with_their_targets_and_follow_their_health() {
        let alias = |name: &str, target: AliasTarget, policy: Policy, id: &str| RecordSet {
            values: Values::Alias(Alias { target, evaluate_target_health: true }),
            policy,
            set_identifier: Some(id.into()),
            ..a(name, [0, 0, 0, 0])
        };
        let lb = |ip: [u8; 4], healthy: bool| AliasTarget::Addresses {
            addresses: vec![IpAddr::V4(Ipv4Addr::from(ip)), "2001:db8::1".parse().unwrap()],
            ttl: 60,
            healthy,
        };
        let snap = build(
            vec![zone(
                "example.com.",
                vec![
                    alias(
                        "app.example.com.",
                        lb([10, 0, 0, 1], false),
                        Policy::Failover(Failover::Primary),
                        "p",
                    ),
                    alias(
                        "app.example.com.",
                        lb([10, 0, 0, 2], true),
                        Policy::Failover(Failover::Secondary),
                        "s",
                    ),
                    RecordSet {
                        values: Values::Alias(Alias {
                            target: AliasTarget::Record { name: "app.example.com.".into() },
                            evaluate_target_health: false,
                        }),
                        ..a("example.com.", [0, 0, 0, 0])
                    },
                ],
            )],
            &[],
        );
        let r = ask(&snap, "app.example.com.", rtype::A);
        assert_eq!(r.answers, vec![(rtype::A, 60, vec![10, 0, 0, 2])]);
        let r = ask(&snap, "example.com.", rtype::A);
        assert_eq!(r.answers, vec![(rtype::A, 60, vec![10, 0, 0, 2])]);
    }

    #[test]
    fn private_zones_shadow_public_ones_on_their_vpc_view() {
        let mut private = zone("example.com.", vec![a("db.example.com.", [10, 0, 0, 5])]);
        private.private = true;
        private.id = "Zprivate".into();
        let public = zone("example.com.", vec![a("www.example.com.", [192, 0, 2, 1])]);
        let vpc = View {
            name: "vpc-1".into(),
            private_zones: vec!["Zprivate".into()],
            resolver: true,
            forward: Vec::new(),
            ..public_view()
        };
        let config = Config {
            zones: vec![private, public],
            views: vec![public_view(), vpc],
            ..Config::default()
        };
        let (snap, problems) = Snapshot::build(&config, &|_| None);
        assert!(problems.is_empty());
        let on = |view: &str, name: &str| {
            let m = query(1, name, rtype::A, None);
            let q = parse_query(&m).unwrap();
            let mut key = String::new();
            wire::name_key(q.qname, &mut key).unwrap();
            let mut buf = Vec::new();
            snap.answer(
                snap.view(view).unwrap(),
                &q,
                &key,
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                512,
                &mut buf,
            );
            (decode(&buf), buf[3] & 0x80 != 0)
        };
        assert_eq!(on("vpc-1", "db.example.com.").0.answers.len(), 1);
        assert!(on("vpc-1", "db.example.com.").1, "RA on the VPC resolver");
        assert_eq!(on("vpc-1", "www.example.com.").0.rcode, rcode::NXDOMAIN);
        assert_eq!(on("public", "db.example.com.").0.rcode, rcode::NXDOMAIN);
        assert_eq!(on("public", "www.example.com.").0.answers.len(), 1);
    }

    #[test]
    fn large_udp_answers_are_truncated() {
        let big: Vec<RData> =
            (0..40).map(|i| RData::Txt(vec![vec![b'a' + (i % 26) as u8; 100]])).collect();
        let snap =
            build(vec![zone("example.com.", vec![set("t.example.com.", rtype::TXT, big)])], &[]);
        let m = query(1, "t.example.com.", rtype::TXT, Some((1232, None)));
        let q = parse_query(&m).unwrap();
        let mut key = String::new();
        wire::name_key(q.qname, &mut key).unwrap();
        let mut buf = Vec::new();
        snap.answer(
            snap.view("public").unwrap(),
            &q,
            &key,
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            1232,
            &mut buf,
        );
        assert!(buf.len() <= 1232);
        assert_eq!(buf[2] & 2, 2);
        snap.answer(
            snap.view("public").unwrap(),
            &q,
            &key,
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            65535,
            &mut buf,
        );
        assert_eq!(decode(&buf).answers.len(), 40);
    }
}
