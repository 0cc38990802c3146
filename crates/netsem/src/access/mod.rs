//! Network Access Analyzer: every path a Network Access Scope asks about, found exhaustively.
//!
//! A scope's findings are the paths that match at least one of its match conditions and none of
//! its exclusions (an omitted statement matches anything; a through statement matches a
//! component anywhere on the path). Each condition names where paths start and end (resource
//! statements) and which packets (packet header statements); the engine walks every pair of
//! such ends with every such packet ([`crate::trace::exhaustive`]), so each finding is one way
//! through the network with exactly the packets that take it.
//!
//! What a path may start and end at, as AWS's guide lists it: interfaces (not a NAT gateway's,
//! a Network Load Balancer's or a transit gateway's; an interface endpoint's answers to its
//! endpoint too), internet gateways and virtual private gateways (paths never pass through
//! them, so a path from one ends at an interface of its VPC), transit gateway attachments to
//! what lies outside the VPCs (VPN, Direct Connect, peered gateways; a VPC's attachment is
//! crossed), VPC peering connections, and gateway endpoints (as destinations: their services
//! send nothing first). Paths through a load balancer to its targets are not yet followed.
//!
//! A finding is one way through (the same components, rules and routes) and one box of
//! packets, written as AWS writes header sets: address blocks and port ranges per field. Sets of
//! packets that take the same way and differ in one field only are merged into one finding.

use crate::analysis::{component_id, path_components};
use crate::endpoint::Endpoint;
use crate::header::{ALL_PORTS, Family, Header, Span, span_cidrs, v4_span};
use crate::packet::{TCP, UDP};
use crate::trace::exhaustive::{self, Path, interface_can_be_end};
use crate::trace::{Hop, Network};
use classes::{Classes, Named, moved};
use model::Scope;
use model::cidr::Cidr;
use model::kinds;
use model::types::ec2::PortSpan;
use model::types::ec2::access_scope::{
    AccessAnalysisResult, AccessFinding, AccessPath, AccessScope, PacketHeaderStatement,
    PathStatement, ResourceStatement, ScopeContent, ScopeProtocol,
};
use model::types::ec2::network_insights::{AnalysisStatus, HeaderRecord, PathComponentRecord};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

mod classes;

/// Analyses `scope` on `net`, keeping at most `kept` findings (all are counted).
pub fn analyse(net: &Network<'_>, scope: &AccessScope, kept: usize) -> AccessAnalysisResult {
    let owner = &scope.owner;
    let found = find(net, owner, &scope.content, kept);
    let total = found.total;
    let warning_message = (total > kept).then(|| {
        format!(
            "The analysis found {total} findings; only the first {kept} are kept (an analysis \
             keeps at most {kept})."
        )
    });
    let findings = found
        .findings
        .into_iter()
        .enumerate()
        .map(|(i, f)| AccessFinding {
            finding_id: format!("finding-{:05}", i + 1),
            components: f.records(net, owner),
        })
        .collect();
    AccessAnalysisResult {
        status: AnalysisStatus::Succeeded,
        status_message: None,
        warning_message,
        analyzed_eni_count: i32::try_from(found.interfaces).unwrap_or(i32::MAX),
        findings,
    }
}

/// Every finding of `content` among the resources of `owner`'s account and region.
#[derive(Debug)]
pub struct Found {
    /// In a fixed order: by source, destination and packets; at most the limit asked for.
    pub findings: Vec<Finding>,
    /// How many findings there are in all.
    pub total: usize,
    /// The interfaces of the account and region (what AWS counts as analysed).
    pub interfaces: usize,
}

/// Finds every path `content` asks about among the resources of `owner`, keeping the first
/// `limit` (all are counted).
pub fn find(net: &Network<'_>, owner: &Scope, content: &ScopeContent, limit: usize) -> Found {
    let ends = ends(net, owner);
    let Collected { findings, total } =
        findings(net, owner, &ends, &content.match_paths, &content.exclude_paths, limit);
    Found { findings, total, interfaces: ends.interfaces }
}

/// One finding: a way through and the packets that take it.
#[derive(Debug, Clone)]
pub struct Finding {
    pub source: String,
    pub destination: String,
    /// The packets, as one box per field list (AWS's header sets).
    pub packets: Packets,
    /// The hops of the first box of packets: the way they all take.
    pub hops: Vec<Hop>,
    /// That first box, to tell which fields of the hops' headers are still as they started.
    first: Header,
}

/// A product of field lists: every combination of one span per field is in the set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packets {
    pub protocol: u8,
    pub sources: Vec<Span>,
    pub destinations: Vec<Span>,
    pub source_ports: Vec<Span>,
    pub destination_ports: Vec<Span>,
}

impl Packets {
    fn of(h: &Header) -> Packets {
        Packets {
            protocol: h.protocol,
            sources: vec![h.source],
            destinations: vec![h.destination],
            source_ports: vec![h.source_ports],
            destination_ports: vec![h.destination_ports],
        }
    }

    fn fields(&self) -> [&Vec<Span>; 4] {
        [&self.sources, &self.destinations, &self.source_ports, &self.destination_ports]
    }

    /// `self` and `other` as one product, when they differ in one field only.
    fn merged(&self, other: &Packets) -> Option<Packets> {
        if self.protocol != other.protocol {
            return None;
        }
        let (a, b) = (self.fields(), other.fields());
        let differing: Vec<usize> = (0..4).filter(|&i| a.get(i) != b.get(i)).collect();
        let [field] = differing.as_slice() else { return None };
        let union = |x: &Vec<Span>, y: &Vec<Span>| coalesce(x.iter().chain(y).copied().collect());
        let mut out = self.clone();
        match field {
            0 => out.sources = union(&self.sources, &other.sources),
            1 => out.destinations = union(&self.destinations, &other.destinations),
            2 => out.source_ports = union(&self.source_ports, &other.source_ports),
            _ => out.destination_ports = union(&self.destination_ports, &other.destination_ports),
        }
        Some(out)
    }

    /// The same packets between other ends: `from`'s addresses replaced by `to`'s.
    fn moved(self, from: (Named<'_>, Named<'_>), to: (Named<'_>, Named<'_>)) -> Packets {
        let pairs = [(from.0, to.0), (from.1, to.1)];
        let swap = |list: Vec<Span>| -> Vec<Span> {
            list.into_iter().map(|s| Named::swap(s, pairs)).collect()
        };
        Packets { sources: swap(self.sources), destinations: swap(self.destinations), ..self }
    }

    /// Whether the packet set holds every packet of `h`.
    pub fn contains(&self, h: &Header) -> bool {
        let within = |list: &Vec<Span>, s: Span| list.iter().any(|l| l.contains(s));
        self.protocol == h.protocol
            && within(&self.sources, h.source)
            && within(&self.destinations, h.destination)
            && within(&self.source_ports, h.source_ports)
            && within(&self.destination_ports, h.destination_ports)
    }
}

/// Spans sorted, with overlapping and adjacent ones joined.
fn coalesce(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_by_key(|s| (s.lo, s.hi));
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.lo <= last.hi.saturating_add(1) => last.hi = last.hi.max(s.hi),
            _ => out.push(s),
        }
    }
    out
}

/// The ends a path may have in the owner's account and region, and how many interfaces the
/// analysis covers.
struct Ends {
    list: Vec<PathEnd>,
    interfaces: usize,
}

/// A path's end: what a statement may name it by.
struct PathEnd {
    id: String,
    /// Where an end outside the VPCs leads in: the VPC its gateway is attached to (paths from
    /// it go only into that VPC), or anywhere the routes take them; `None` for an interface.
    outside: Option<Reach>,
    /// Ids a resource statement may name it by: itself, and for an interface its instance,
    /// subnet, VPC and security groups ("the interfaces in/with …") and the VPC endpoint it
    /// belongs to.
    names: Vec<String>,
    /// The resource types a statement may name it by.
    resource_types: &'static [&'static str],
}

/// Where paths from an outside end may go.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reach {
    /// Into this VPC only (an internet or virtual private gateway).
    Vpc(String),
    /// Wherever the routes take them (a transit gateway attachment, a peering connection).
    Routed,
    /// Nowhere: packets only go to it (a gateway endpoint's service).
    Nowhere,
}

fn ends(net: &Network<'_>, owner: &Scope) -> Ends {
    let world = net.world;
    let mine = |o: &Scope| o == owner;
    let mut list = Vec::new();
    let mut interfaces = 0;
    // Interface endpoints' interfaces answer to their endpoint too.
    let endpoint_of: HashMap<&str, &str> = world
        .vpc_endpoints
        .values()
        .filter(|e| mine(&e.owner) && e.is_live())
        .flat_map(|e| e.network_interface_ids.iter().map(move |n| (n.as_str(), e.id.as_str())))
        .collect();
    for eni in world.network_interfaces.values().filter(|e| mine(&e.owner)) {
        interfaces += 1;
        if !interface_can_be_end(eni) {
            continue;
        }
        let mut names = vec![eni.id.clone(), eni.subnet_id.clone(), eni.vpc_id.clone()];
        names.extend(eni.attachment.as_ref().map(|a| a.instance_id.clone()));
        names.extend(eni.security_groups.iter().cloned());
        let endpoint = endpoint_of.get(eni.id.as_str());
        names.extend(endpoint.map(|e| (*e).to_owned()));
        let resource_types: &'static [&'static str] = if endpoint.is_some() {
            &["AWS::EC2::NetworkInterface", "AWS::EC2::VPCEndpoint"]
        } else {
            &["AWS::EC2::NetworkInterface"]
        };
        list.push(PathEnd { id: eni.id.clone(), outside: None, names, resource_types });
    }
    let mut outside = |id: &str, reach: Reach, resource_types: &'static [&'static str]| {
        list.push(PathEnd {
            id: id.to_owned(),
            outside: Some(reach),
            names: vec![id.to_owned()],
            resource_types,
        });
    };
    for igw in world.internet_gateways.values().filter(|g| mine(&g.owner)) {
        if let Some(vpc) = &igw.attached_vpc_id {
            outside(&igw.id, Reach::Vpc(vpc.clone()), &["AWS::EC2::InternetGateway"]);
        }
    }
    for vgw in world.vpn_gateways.values().filter(|g| mine(&g.owner)) {
        if let Some(vpc) = vgw.attached_vpc() {
            outside(&vgw.id, Reach::Vpc(vpc.to_owned()), &["AWS::EC2::VPNGateway"]);
        }
    }
    // Attachments to what lies outside the VPCs (a VPN, Direct Connect, another transit
    // gateway); a VPC's attachment is crossed, its VPC's interfaces are the ends.
    for a in world.transit_gateway_attachments.values().filter(|a| mine(&a.owner) && a.is_live()) {
        if !matches!(a.resource, model::transit_gateway::AttachmentResource::Vpc(_)) {
            outside(&a.id, Reach::Routed, &["AWS::EC2::TransitGatewayAttachment"]);
        }
    }
    for p in world.vpc_peering_connections.values().filter(|p| mine(&p.owner) && p.is_active()) {
        outside(&p.id, Reach::Routed, &["AWS::EC2::VPCPeeringConnection"]);
    }
    for e in world.vpc_endpoints.values().filter(|e| mine(&e.owner) && e.is_live()) {
        if e.endpoint_type == model::vpc_endpoint::EndpointType::Gateway {
            outside(&e.id, Reach::Nowhere, &["AWS::EC2::VPCEndpoint"]);
        }
    }
    list.sort_by(|a, b| a.id.cmp(&b.id));
    Ends { list, interfaces }
}

fn statement_names_end(statement: &ResourceStatement, end: &PathEnd) -> bool {
    statement.resources.iter().any(|r| end.names.iter().any(|n| n == component_id(r)))
        || statement.resource_types.iter().any(|t| end.resource_types.contains(&t.as_str()))
}

/// The resource type a through statement may name a component by.
fn component_type(id: &str) -> Option<&'static str> {
    if id.starts_with("arn:") {
        return Some("AWS::ElasticLoadBalancingV2::LoadBalancer");
    }
    Some(match kinds::of(id)? {
        k if *k == kinds::NAT_GATEWAY => "AWS::EC2::NatGateway",
        k if *k == kinds::TRANSIT_GATEWAY_ATTACHMENT => "AWS::EC2::TransitGatewayAttachment",
        k if *k == kinds::VPC_ENDPOINT => "AWS::EC2::VPCEndpoint",
        k if *k == kinds::VPC_ENDPOINT_SERVICE => "AWS::EC2::VPCEndpointService",
        k if *k == kinds::VPC_PEERING_CONNECTION => "AWS::EC2::VPCPeeringConnection",
        _ => return None,
    })
}

fn statement_names_component(statement: &ResourceStatement, id: &str) -> bool {
    statement.resources.iter().any(|r| component_id(r) == id || r == id)
        || component_type(id).is_some_and(|t| statement.resource_types.iter().any(|s| s == t))
}

/// Whether every through statement names a component of `hops`.
fn passes_through(through: &[ResourceStatement], hops: &[Hop]) -> bool {
    through.iter().all(|s| hops.iter().any(|h| statement_names_component(s, &h.component)))
}

/// Whether a path between `source` and `destination` by `hops` meets the resource statements
/// of `path` (packets aside).
fn resources_match(
    path: &AccessPath,
    source: &PathEnd,
    destination: &PathEnd,
    hops: &[Hop],
) -> bool {
    end_allows(&path.source, source)
        && end_allows(&path.destination, destination)
        && passes_through(&path.through, hops)
}

/// Whether a path's source or destination statement lets `end` be that end (an omitted
/// statement, or one without resources, lets any).
fn end_allows(statement: &Option<PathStatement>, end: &PathEnd) -> bool {
    statement.as_ref().and_then(|s| s.resource.as_ref()).is_none_or(|r| statement_names_end(r, end))
}

/// The packets a condition admits, as boxes: the source's and the destination's packet header
/// statements both hold (an omitted field admits any value; protocols TCP and UDP).
fn condition_packets(net: &Network<'_>, owner: &Scope, path: &AccessPath) -> Vec<Header> {
    let statements: Vec<&PacketHeaderStatement> = [&path.source, &path.destination]
        .into_iter()
        .filter_map(|s| s.as_ref().and_then(|s| s.packet_header.as_ref()))
        .collect();
    let mut protocols = vec![TCP, UDP];
    let mut fields: [Vec<Span>; 4] =
        [vec![Family::V4.all()], vec![Family::V4.all()], vec![ALL_PORTS], vec![ALL_PORTS]];
    for s in statements {
        if !s.protocols.is_empty() {
            let listed: Vec<u8> = s
                .protocols
                .iter()
                .map(|p| match p {
                    ScopeProtocol::Tcp => TCP,
                    ScopeProtocol::Udp => UDP,
                })
                .collect();
            protocols.retain(|p| listed.contains(p));
        }
        let addresses = |cidrs: &[model::cidr::Ipv4Cidr], lists: &[String]| -> Option<Vec<Span>> {
            if !cidrs.is_empty() {
                return Some(cidrs.iter().map(|c| v4_span(*c)).collect());
            }
            if lists.is_empty() {
                return None;
            }
            let blocks =
                lists.iter().flat_map(|l| net.index.prefix_lists.blocks(owner, component_id(l)));
            Some(
                blocks
                    .filter_map(|b| if let Cidr::V4(c) = b { Some(v4_span(*c)) } else { None })
                    .collect(),
            )
        };
        let ports = |ranges: &[model::types::ec2::access_scope::PortRange]| {
            (!ranges.is_empty()).then(|| {
                ranges.iter().map(|r| Span::new(u128::from(r.from), u128::from(r.to))).collect()
            })
        };
        let given: [Option<Vec<Span>>; 4] = [
            addresses(&s.source_addresses, &s.source_prefix_lists),
            addresses(&s.destination_addresses, &s.destination_prefix_lists),
            ports(&s.source_ports),
            ports(&s.destination_ports),
        ];
        for (field, limit) in fields.iter_mut().zip(given) {
            if let Some(limit) = limit {
                *field = field
                    .iter()
                    .flat_map(|f| limit.iter().filter_map(move |l| f.intersect(*l)))
                    .collect();
            }
        }
    }
    let [sources, destinations, source_ports, destination_ports] = fields;
    let mut boxes = Vec::new();
    for &protocol in &protocols {
        for &source in &sources {
            for &destination in &destinations {
                for &sp in &source_ports {
                    for &dp in &destination_ports {
                        boxes.push(Header {
                            protocol,
                            family: Family::V4,
                            source,
                            destination,
                            source_ports: sp,
                            destination_ports: dp,
                        });
                    }
                }
            }
        }
    }
    boxes
}

/// Whether a path may run from `source` to `destination`: not from an end to itself, never
/// from outside to outside (paths do not pass through gateways), from a gateway only into its
/// VPC, never from a gateway endpoint's service.
fn may_pair(net: &Network<'_>, source: &PathEnd, destination: &PathEnd) -> bool {
    if source.id == destination.id {
        return false;
    }
    let vpc_of = |id: &str| net.world.network_interfaces.get(id).map(|e| e.vpc_id.as_str());
    match (&source.outside, &destination.outside) {
        (Some(_), Some(_)) | (Some(Reach::Nowhere), _) => false,
        (Some(Reach::Vpc(vpc)), None) => vpc_of(&destination.id) == Some(vpc.as_str()),
        _ => true,
    }
}

/// The paths walked between one pair of ends, with which of them share a way through (the
/// same components, rules and routes): `ways[i]` numbers the way of `paths[i]`.
struct Walked {
    paths: Vec<Path>,
    ways: Vec<usize>,
}

impl Walked {
    fn new(paths: Vec<Path>) -> Walked {
        let same_way = |a: &Path, b: &Path| {
            a.hops.len() == b.hops.len()
                && a.hops
                    .iter()
                    .zip(&b.hops)
                    .all(|(x, y)| x.component == y.component && x.decision == y.decision)
        };
        // A pair has a few paths: each is compared with the first path of each way so far.
        let mut firsts: Vec<usize> = Vec::new();
        let mut ways = Vec::with_capacity(paths.len());
        for (i, path) in paths.iter().enumerate() {
            let found =
                firsts.iter().position(|&f| paths.get(f).is_some_and(|f| same_way(f, path)));
            ways.push(found.unwrap_or_else(|| {
                firsts.push(i);
                firsts.len() - 1
            }));
        }
        Walked { paths, ways }
    }
}

/// The conditions of a scope, their packets worked out once.
struct Conditions<'s> {
    matches: &'s [AccessPath],
    match_packets: Vec<Vec<Header>>,
    excludes: &'s [AccessPath],
    exclude_packets: Vec<Vec<Header>>,
}

impl Conditions<'_> {
    /// Every address block the statements name.
    fn blocks(&self) -> Vec<Span> {
        self.match_packets
            .iter()
            .chain(&self.exclude_packets)
            .flatten()
            .flat_map(|h| [h.source, h.destination])
            .collect()
    }

    /// The findings of one pair of ends walked as `walked`: the packets of each path that some
    /// condition admits with its resources and no exclusion takes, boxes of one way merged.
    fn pair_findings(&self, s: &PathEnd, d: &PathEnd, walked: &Walked) -> PairFindings {
        let mut by_way: BTreeMap<usize, Vec<(Header, usize)>> = BTreeMap::new();
        for (i, path) in walked.paths.iter().enumerate() {
            let admitted: Vec<Header> = self
                .matches
                .iter()
                .zip(&self.match_packets)
                .filter(|(m, _)| resources_match(m, s, d, &path.hops))
                .flat_map(|(_, packets)| packets.iter().filter_map(|p| p.meet(&path.header)))
                .collect();
            let mut kept = disjoint(admitted);
            for (_, packets) in self
                .excludes
                .iter()
                .zip(&self.exclude_packets)
                .filter(|(x, _)| resources_match(x, s, d, &path.hops))
            {
                for p in packets {
                    kept = kept.iter().flat_map(|k| k.without(p)).collect();
                }
            }
            let way = walked.ways.get(i).copied().unwrap_or(i);
            by_way.entry(way).or_default().extend(kept.into_iter().map(|k| (k, i)));
        }
        let mut out: PairFindings = by_way.into_values().flat_map(merge).collect();
        out.sort_by_key(|(_, _, first)| exhaustive::order(first));
        out
    }
}

/// Findings in a fixed order, up to a limit, and how many there are in all.
struct Collected {
    findings: Vec<Finding>,
    total: usize,
}

/// A pair walked as another: (the pair walked, this pair).
type MovedFrom<'e> = Option<((Named<'e>, Named<'e>), (Named<'e>, Named<'e>))>;

impl Collected {
    /// Counts the findings of the pair `s` → `d` and keeps them while under `limit`, moved
    /// from the pair they were walked for.
    fn add(
        &mut self,
        s: &PathEnd,
        d: &PathEnd,
        walked: &Walked,
        pair: &PairFindings,
        moved_from: MovedFrom<'_>,
        limit: usize,
    ) {
        self.total += pair.len();
        for (path, packets, first) in pair {
            if self.findings.len() >= limit {
                return;
            }
            let Some(path) = walked.paths.get(*path) else { continue };
            let (hops, packets, first) = match moved_from {
                Some((rep, member)) => {
                    let at = Path { header: *first, hops: path.hops.clone() };
                    let moved = moved(&at, rep, member);
                    (moved.hops, packets.clone().moved(rep, member), moved.header)
                }
                None => (path.hops.clone(), packets.clone(), *first),
            };
            self.findings.push(Finding {
                source: s.id.clone(),
                destination: d.id.clone(),
                packets,
                hops,
                first,
            });
        }
    }
}

/// Values numbered as they are first met, so that equal ones share a number.
struct Numbered<T> {
    numbers: HashMap<T, usize>,
    values: Vec<T>,
}

impl<T: std::hash::Hash + Eq + Clone> Numbered<T> {
    fn new() -> Self {
        Numbered { numbers: HashMap::new(), values: Vec::new() }
    }

    fn number(&mut self, value: T) -> usize {
        if let Some(n) = self.numbers.get(&value) {
            return *n;
        }
        self.values.push(value.clone());
        self.numbers.insert(value, self.values.len() - 1);
        self.values.len() - 1
    }

    fn get(&self, n: usize) -> Option<&T> {
        self.values.get(n)
    }
}

/// What the statements say of one end: which match conditions may start and end there, which
/// exclusions may (each a number for a list of marks).
#[derive(Debug, Clone, Copy)]
struct Profile {
    source: usize,
    destination: usize,
    excluded_source: usize,
    excluded_destination: usize,
}

/// A pair of interfaces as the memo knows them: their classes and what the statements say.
type PairKey = (usize, usize, usize, usize, usize);

/// The walks between pairs of classes (with the conditions wanted), and the pair walked.
type WalkMemo<'e> = HashMap<(usize, usize, usize), (Named<'e>, Named<'e>, Rc<Walked>)>;

/// The findings of one pair, in the terms of the pair first walked.
type PairFindings = Vec<(usize, Packets, Header)>;

/// Every finding of the conditions, in a fixed order (by source, destination and packets),
/// keeping the first `limit`. Pairs of interfaces alike to the rules (see `classes`) and to
/// the statements are walked and judged once per pair of classes.
fn findings(
    net: &Network<'_>,
    owner: &Scope,
    ends: &Ends,
    matches: &[AccessPath],
    excludes: &[AccessPath],
    limit: usize,
) -> Collected {
    let packets_of = |paths: &[AccessPath]| -> Vec<Vec<Header>> {
        paths.iter().map(|p| condition_packets(net, owner, p)).collect()
    };
    let conditions = Conditions {
        matches,
        match_packets: packets_of(matches),
        excludes,
        exclude_packets: packets_of(excludes),
    };
    let mut marks: Numbered<Vec<bool>> = Numbered::new();
    let profiles: Vec<Profile> = ends
        .list
        .iter()
        .map(|e| {
            let mut mark =
                |paths: &[AccessPath], pick: fn(&AccessPath) -> &Option<PathStatement>| {
                    marks.number(paths.iter().map(|p| end_allows(pick(p), e)).collect())
                };
            Profile {
                source: mark(matches, |m| &m.source),
                destination: mark(matches, |m| &m.destination),
                excluded_source: mark(excludes, |m| &m.source),
                excluded_destination: mark(excludes, |m| &m.destination),
            }
        })
        .collect();
    // The conditions that name a (source, destination) pair of marks, numbered; none when no
    // condition with packets does.
    let mut wanted: Numbered<Vec<bool>> = Numbered::new();
    let mut wanted_of: HashMap<(usize, usize), Option<usize>> = HashMap::new();
    // A walk between two interfaces crosses the internet (and reads their public addresses)
    // only when some interface's own address is public: private ones are never routed there.
    let public_matters = ends.list.iter().any(|e| {
        net.world.network_interfaces.get(&e.id).and_then(|eni| eni.primary_ip()).is_some_and(|a| {
            !crate::header::public_spans(Family::V4, Span::one(u128::from(u32::from(a)))).is_empty()
        })
    });
    let mut classes = Classes::new(net, &conditions.blocks(), public_matters);
    let class_of: Vec<Option<(usize, Named<'_>)>> = ends
        .list
        .iter()
        .map(|e| {
            let eni = net.world.network_interfaces.get(&e.id)?;
            let address = eni.primary_ip().map(|a| u128::from(u32::from(a)))?;
            let public = eni.public_ip().map(|a| u128::from(u32::from(a)));
            let instance = eni.attachment.as_ref().map(|a| a.instance_id.as_str());
            let class = classes.of(net, eni, address, public);
            Some((class, Named { id: &eni.id, instance, address, public }))
        })
        .collect();
    let mut walks: WalkMemo<'_> = HashMap::new();
    let mut judged: HashMap<PairKey, Rc<PairFindings>> = HashMap::new();
    let mut out = Collected { findings: Vec::new(), total: 0 };
    // Only ends some condition may start (end) at are tried as sources (destinations).
    let marked = |pick: fn(&Profile) -> usize| -> Vec<usize> {
        (0..ends.list.len())
            .filter(|&i| {
                let mark = profiles.get(i).and_then(|p| marks.get(pick(p)));
                mark.is_some_and(|m| m.contains(&true))
            })
            .collect()
    };
    let (sources, destinations) = (marked(|p| p.source), marked(|p| p.destination));
    // A gateway's paths go into its VPC only: its candidates are that VPC's interfaces.
    let mut in_vpc: HashMap<&str, Vec<usize>> = HashMap::new();
    for &i in &destinations {
        let vpc = ends.list.get(i).and_then(|d| net.world.network_interfaces.get(&d.id));
        if let Some(eni) = vpc {
            in_vpc.entry(eni.vpc_id.as_str()).or_default().push(i);
        }
    }
    let at = |i: usize| ends.list.get(i).zip(profiles.get(i));
    for (si, (s, sp)) in sources.iter().filter_map(|&i| Some((i, at(i)?))) {
        let candidates: &[usize] = match &s.outside {
            Some(Reach::Vpc(vpc)) => in_vpc.get(vpc.as_str()).map_or(&[], Vec::as_slice),
            Some(Reach::Nowhere) => &[],
            _ => &destinations,
        };
        for (di, (d, dp)) in candidates.iter().filter_map(|&i| Some((i, at(i)?))) {
            let w = *wanted_of.entry((sp.source, dp.destination)).or_insert_with(|| {
                let (a, b) = (marks.get(sp.source)?, marks.get(dp.destination)?);
                let both: Vec<bool> = a
                    .iter()
                    .zip(b)
                    .zip(&conditions.match_packets)
                    .map(|((x, y), p)| *x && *y && !p.is_empty())
                    .collect();
                both.contains(&true).then(|| wanted.number(both))
            });
            let Some(w) = w else { continue };
            if !may_pair(net, s, d) {
                continue;
            }
            let walk = || {
                let marked = wanted.get(w).map(Vec::as_slice).unwrap_or_default();
                let packets: Vec<Header> = conditions
                    .match_packets
                    .iter()
                    .zip(marked)
                    .filter(|(_, m)| **m)
                    .flat_map(|(p, _)| p.iter().copied())
                    .collect();
                let from = Endpoint::Resource(s.id.clone());
                let to = Endpoint::Resource(d.id.clone());
                Rc::new(Walked::new(
                    exhaustive::paths(net, &from, &to, &disjoint(packets)).unwrap_or_default(),
                ))
            };
            let named =
                class_of.get(si).copied().flatten().zip(class_of.get(di).copied().flatten());
            let (walked, pair, moved_from) = match named {
                Some(((cs, sn), (cd, dn))) => {
                    let (rs, rd, walked) =
                        walks.entry((cs, cd, w)).or_insert_with(|| (sn, dn, walk())).clone();
                    let key = (cs, cd, w, sp.excluded_source, dp.excluded_destination);
                    let pair = judged
                        .entry(key)
                        .or_insert_with(|| Rc::new(conditions.pair_findings(s, d, &walked)))
                        .clone();
                    let moved_from =
                        (rs.id != sn.id || rd.id != dn.id).then_some(((rs, rd), (sn, dn)));
                    (walked, pair, moved_from)
                }
                None => {
                    let walked = walk();
                    let pair = Rc::new(conditions.pair_findings(s, d, &walked));
                    (walked, pair, None)
                }
            };
            out.add(s, d, &walked, &pair, moved_from, limit);
        }
    }
    out
}

/// `boxes` as disjoint boxes covering the same packets.
fn disjoint(boxes: Vec<Header>) -> Vec<Header> {
    let mut out: Vec<Header> = Vec::new();
    for b in boxes {
        let mut pieces = vec![b];
        for o in &out {
            pieces = pieces.iter().flat_map(|p| p.without(o)).collect();
        }
        out.extend(pieces);
    }
    out
}

/// The boxes of one way (each with the path it came from) as findings: boxes differing in one
/// field only become one finding. Each finding: its first box's path, its packets, that box.
fn merge(mut boxes: Vec<(Header, usize)>) -> Vec<(usize, Packets, Header)> {
    boxes.sort_by_key(|(h, _)| exhaustive::order(h));
    let mut out: Vec<(usize, Packets, Header)> = Vec::new();
    for (h, path) in boxes {
        let packets = Packets::of(&h);
        if let Some((found, merged)) =
            out.iter_mut().find_map(|(_, f, _)| f.merged(&packets).map(|m| (f, m)))
        {
            *found = merged;
            continue;
        }
        out.push((path, packets, h));
    }
    out
}

impl Finding {
    /// The finding's components as analyses write them, each header showing the finding's
    /// whole packet set in the fields the walk carried unchanged.
    pub fn records(&self, net: &Network<'_>, owner: &Scope) -> Vec<PathComponentRecord> {
        let mut records = path_components(net.world, owner, &self.hops);
        // The packets are shown where the path starts, whatever kind of component it starts
        // at, and where it ends.
        if let Some(first) = records.first_mut()
            && first.inbound_header.is_none()
            && first.outbound_header.is_none()
        {
            first.outbound_header = Some(crate::analysis::header(&self.first));
        }
        if let Some(first) = records.first_mut()
            && self.hops.first().is_some_and(|h| h.outbound.is_none() && h.inbound.is_none())
            && let Some(shown) = first.outbound_header.as_mut()
        {
            self.show_packets(&self.first, shown);
        }
        for (hop, record) in self.hops.iter().zip(records.iter_mut()) {
            for (header, shown) in [
                (&hop.inbound, &mut record.inbound_header),
                (&hop.outbound, &mut record.outbound_header),
            ] {
                if let (Some(h), Some(shown)) = (header, shown.as_mut()) {
                    self.show_packets(h, shown);
                }
            }
        }
        records
    }

    fn show_packets(&self, h: &Header, shown: &mut HeaderRecord) {
        let cidrs = |spans: &[Span]| -> Vec<String> {
            spans
                .iter()
                .flat_map(|s| span_cidrs(Family::V4, *s))
                .map(|c| if c.contains('/') { c } else { format!("{c}/32") })
                .collect()
        };
        let ports = |spans: &[Span]| -> Vec<PortSpan> {
            let port = |v: u128| u16::try_from(v).unwrap_or(u16::MAX);
            spans.iter().map(|s| PortSpan { from: port(s.lo), to: port(s.hi) }).collect()
        };
        let p = &self.packets;
        // A whole header (it names the protocol) shows every field; a translating component's
        // shows only the fields it changed.
        let whole = shown.protocol.is_some();
        if h.source == self.first.source && (whole || !shown.source_addresses.is_empty()) {
            shown.source_addresses = cidrs(&p.sources);
        }
        if h.destination == self.first.destination
            && (whole || !shown.destination_addresses.is_empty())
        {
            shown.destination_addresses = cidrs(&p.destinations);
        }
        let ported = h.has_ports();
        if ported
            && h.source_ports == self.first.source_ports
            && (whole || !shown.source_port_ranges.is_empty())
        {
            shown.source_port_ranges = ports(&p.source_ports);
        }
        if ported
            && h.destination_ports == self.first.destination_ports
            && (whole || !shown.destination_port_ranges.is_empty())
        {
            shown.destination_port_ranges = ports(&p.destination_ports);
        }
    }
}
