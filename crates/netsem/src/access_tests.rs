//! Network Access Analyzer on the small networks of [`crate::lab`]: findings are exactly the
//! packets that get through, each with its way.

use crate::lab::Lab;
use crate::packet::TCP;
use model::security_group::PeerRequest;
use model::types::ec2::access_scope::{
    AccessPath, PathStatement, PortRange, ResourceStatement, ScopeContent,
};
use model::types::ec2::network_insights::PathComponentRecord;

fn cidr(c: &str) -> PeerRequest {
    PeerRequest::CidrV4(c.into())
}

fn of_type(t: &str) -> Option<PathStatement> {
    Some(PathStatement {
        packet_header: None,
        resource: Some(ResourceStatement { resources: vec![], resource_types: vec![t.into()] }),
    })
}

fn by_id(id: &str) -> Option<PathStatement> {
    Some(PathStatement {
        packet_header: None,
        resource: Some(ResourceStatement { resources: vec![id.into()], resource_types: vec![] }),
    })
}

/// "All paths from the internet": every path starting at an internet gateway.
fn from_the_internet() -> ScopeContent {
    ScopeContent {
        match_paths: vec![AccessPath {
            source: of_type("AWS::EC2::InternetGateway"),
            ..Default::default()
        }],
        exclude_paths: vec![],
    }
}

fn ids(components: &[PathComponentRecord]) -> Vec<&str> {
    components.iter().map(|c| model::ids::prefix_of(&c.component.id)).collect()
}

/// A public web server in a routed subnet, a private one beside it.
fn web(lab: &mut Lab, rules: &[(i32, &str)]) -> (String, String) {
    let igw = lab.igw();
    let (public, rt) = lab.subnet("10.0.1.0/24");
    lab.route_to_gateway(&rt, "0.0.0.0/0", &igw);
    let sg = lab.group("web");
    for (port, peer) in rules {
        lab.allow_in(&sg, "tcp", *port, cidr(peer));
    }
    let web = lab.instance(&public, &[&sg], true);
    (igw, web)
}

#[test]
fn the_internet_reaches_what_its_rules_admit_and_no_more() {
    let mut lab = Lab::new();
    web(&mut lab, &[(443, "0.0.0.0/0"), (22, "203.0.113.0/24")]);
    let r = lab.access(from_the_internet());
    assert_eq!(r.findings.len(), 2, "{:#?}", r.findings);
    for f in &r.findings {
        assert_eq!(ids(&f.components), ["igw", "acl", "sg", "eni"]);
    }
    let inbound = |i: usize| r.findings[i].components[0].inbound_header.clone().unwrap();
    // Ordered by the packets: 203.0.113.0/24 is not the lowest source, so 443 from the whole
    // internet comes first.
    let https = inbound(0);
    assert_eq!(https.destination_port_ranges[0].from, 443);
    assert_eq!(&https.source_addresses[..3], ["0.0.0.0/5", "8.0.0.0/7", "11.0.0.0/8"]);
    assert!(!https.source_addresses.iter().any(|c| c.starts_with("10.")));
    let ssh = inbound(1);
    assert_eq!(ssh.source_addresses, ["203.0.113.0/24"]);
    assert_eq!((ssh.destination_port_ranges[0].from, ssh.destination_port_ranges[0].to), (22, 22));
    assert_eq!(ssh.protocol.as_deref(), Some("6"));
}

#[test]
fn a_group_admitting_only_private_space_admits_nothing_from_the_internet() {
    let mut lab = Lab::new();
    web(&mut lab, &[(443, "10.0.0.0/8"), (443, "192.168.0.0/16")]);
    let r = lab.access(from_the_internet());
    assert!(r.findings.is_empty(), "{:#?}", r.findings);
    // One-box traces see 0.0.0.0/0 meet 10.0.0.0/8; the exhaustive answer knows the internet
    // holds none of it.
}

#[test]
fn a_network_acl_deny_carves_its_packets_out_of_a_finding() {
    let mut lab = Lab::new();
    let (_, web) = web(&mut lab, &[(443, "0.0.0.0/0")]);
    let subnet = lab.world.instances.get(&web).unwrap().subnet_id.clone();
    let acl = lab.custom_acl(&subnet);
    lab.acl_entry_for(&acl, 100, false, false, "198.51.100.0/24", Some((443, 443)));
    lab.acl_entry(&acl, 200, false, true, None);
    lab.acl_entry(&acl, 100, true, true, None);
    let r = lab.access(from_the_internet());
    let sources: Vec<String> = r
        .findings
        .iter()
        .flat_map(|f| f.components[0].inbound_header.clone().unwrap().source_addresses)
        .collect();
    assert!(!sources.is_empty());
    assert!(!sources.iter().any(|c| c.starts_with("198.51.100.")), "{sources:?}");
    assert!(sources.contains(&"198.51.101.0/24".to_owned()), "{sources:?}");
}

#[test]
fn exclusions_and_ports_narrow_the_findings() {
    let mut lab = Lab::new();
    let (igw, _) = web(&mut lab, &[(443, "0.0.0.0/0"), (22, "0.0.0.0/0")]);
    let only_ssh = ScopeContent {
        match_paths: vec![AccessPath {
            source: by_id(&igw),
            destination: Some(PathStatement {
                packet_header: Some(model::types::ec2::access_scope::PacketHeaderStatement {
                    destination_ports: vec![PortRange { from: 20, to: 30 }],
                    ..Default::default()
                }),
                resource: None,
            }),
            through: vec![],
        }],
        exclude_paths: vec![],
    };
    let r = lab.access(only_ssh);
    assert_eq!(r.findings.len(), 1);
    let h = r.findings[0].components[0].inbound_header.clone().unwrap();
    assert_eq!((h.destination_port_ranges[0].from, h.destination_port_ranges[0].to), (22, 22));
    let mut everything_but_igw = from_the_internet();
    everything_but_igw.exclude_paths =
        vec![AccessPath { source: by_id(&igw), ..Default::default() }];
    assert!(lab.access(everything_but_igw).findings.is_empty());
}

#[test]
fn findings_agree_with_one_packet_traces() {
    let mut lab = Lab::new();
    let (igw, web) = web(&mut lab, &[(443, "0.0.0.0/0"), (22, "203.0.113.0/24")]);
    let r = lab.access(from_the_internet());
    let eni = r.findings[0].components.last().unwrap().component.id.clone();
    assert_eq!(
        lab.world.network_interfaces.get(&eni).unwrap().attachment.as_ref().unwrap().instance_id,
        web
    );
    // Inside a finding: reachable. Outside every finding: not.
    assert!(lab.ask_from(&igw, "8.8.8.8", &eni, TCP, 443).reachable());
    assert!(lab.ask_from(&igw, "203.0.113.9", &eni, TCP, 22).reachable());
    assert!(!lab.ask_from(&igw, "8.8.8.8", &eni, TCP, 22).reachable());
    assert!(!lab.ask_from(&igw, "8.8.8.8", &eni, TCP, 80).reachable());
}

/// A small deterministic generator (xorshift), so a failing network can be rebuilt.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.roll(items.len())]
    }
}

const BLOCKS: [&str; 9] = [
    "0.0.0.0/0",
    "3.80.0.2/31",
    "0.0.0.0/1",
    "128.0.0.0/2",
    "203.0.113.0/24",
    "198.51.100.0/25",
    "10.0.0.0/8",
    "10.0.1.0/24",
    "10.0.2.0/28",
];
const PORTS: [(i32, i32); 6] =
    [(22, 22), (80, 80), (443, 443), (0, 1023), (1024, 65535), (3306, 3310)];
const PROBE_PORTS: [u16; 10] = [0, 21, 22, 23, 80, 443, 1023, 1024, 3308, 65535];
const PROBE_SOURCES: [&str; 8] = [
    "8.8.8.8",
    "203.0.113.7",
    "198.51.100.1",
    "198.51.100.200",
    "100.0.0.1",
    "130.1.1.1",
    "200.0.0.1",
    "3.3.3.3",
];

/// A random network: a VPC of three subnets (one or two routed to the internet), groups with
/// random ingress rules, some custom network ACLs with random entries, instances public or not;
/// and a second VPC reached only across the internet, with two instances of its own. The
/// first VPC's internet gateway, its interfaces, and every interface.
fn random_network(dice: &mut Dice) -> (Lab, String, Vec<String>, Vec<String>) {
    let mut lab = Lab::new();
    lab.world.quotas.elastic_ips_per_region = 100;
    let igw = lab.igw();
    let mut subnets = Vec::new();
    for (i, cidr) in ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"].iter().enumerate() {
        let (subnet, rt) = lab.subnet(cidr);
        if i == 0 || dice.roll(2) == 0 {
            let routed = dice.pick(&["0.0.0.0/0", "0.0.0.0/1", "128.0.0.0/1"]);
            lab.route_to_gateway(&rt, routed, &igw);
        }
        if dice.roll(3) == 0 {
            let acl = lab.custom_acl(&subnet);
            for rule in 1..=dice.roll(4) + 1 {
                let ports = (dice.roll(2) == 0).then(|| *dice.pick(&PORTS));
                let allow = dice.roll(3) != 0;
                let block = dice.pick(&BLOCKS);
                lab.acl_entry_for(&acl, rule as i32 * 10, false, allow, block, ports);
            }
            lab.acl_entry(&acl, 100, true, true, None);
        }
        subnets.push(subnet);
    }
    let mut groups = Vec::new();
    for g in 0..3 {
        let group = lab.group(&format!("g{g}"));
        let mut rules = std::collections::HashSet::new();
        for _ in 0..dice.roll(4) {
            let protocol = *dice.pick(&["tcp", "udp"]);
            let (ports, block) = (*dice.pick(&PORTS), dice.pick(&BLOCKS));
            if rules.insert((protocol, ports, block)) {
                lab.allow_in_range(&group, protocol, ports, cidr(block));
            }
        }
        groups.push(group);
    }
    let mut enis = Vec::new();
    // Enough interfaces that some are alike (one subnet, one group): paths between them are
    // walked once per pair of classes, and must still be each pair's own.
    for _ in 0..7 {
        let subnet = dice.pick(&subnets).clone();
        let group = dice.pick(&groups).clone();
        let instance = lab.instance(&subnet, &[&group], dice.roll(2) == 0);
        enis.push(lab.world.instances.get(&instance).unwrap().primary_network_interface_id.clone());
    }
    let home = enis.clone();
    let far = lab.new_vpc("10.1.0.0/16");
    let far_igw = lab.world.create_internet_gateway(&lab.scope, &[]).unwrap();
    lab.world.attach_internet_gateway(&lab.scope, &far_igw, &far).unwrap();
    let (far_subnet, far_table) = lab.subnet_in(&far, "10.1.1.0/24");
    lab.route_to_gateway(&far_table, "0.0.0.0/0", &far_igw);
    let far_group = lab.group_in(&far, "far");
    let mut rules = std::collections::HashSet::new();
    for _ in 0..dice.roll(4) + 1 {
        let (ports, block) = (*dice.pick(&PORTS), dice.pick(&BLOCKS));
        if rules.insert((ports, block)) {
            lab.allow_in_range(&far_group, "tcp", ports, cidr(block));
        }
    }
    for _ in 0..2 {
        let instance = lab.instance(&far_subnet, &[&far_group], dice.roll(3) != 0);
        enis.push(lab.world.instances.get(&instance).unwrap().primary_network_interface_id.clone());
    }
    (lab, igw, home, enis)
}

/// Whether one packet gets from `from` to `to` (forward only, as Network Access Analyzer's
/// paths are), by a one-packet trace.
fn one_packet_gets_there(
    lab: &Lab,
    from: &str,
    to: &str,
    packet: &crate::packet::Packet,
    internet_source: bool,
) -> bool {
    use crate::endpoint::Endpoint;
    use crate::header::Span;
    let mut q = crate::trace::Question::new(
        Endpoint::Resource(from.into()),
        Endpoint::Resource(to.into()),
        packet.protocol,
        Some(packet.destination_port),
    );
    q.source_ports = Span::one(u128::from(packet.source_port));
    if internet_source {
        q.source_address = Some(packet.source);
    } else {
        q.destination_address = Some(packet.destination).filter(|_| to.starts_with("igw-"));
    }
    let index = crate::index::Index::build(&lab.world);
    let net = crate::trace::Network { world: &lab.world, index: &index };
    let t = crate::trace::trace(&net, &q).unwrap();
    t.arrived && t.explanations.iter().all(|e| e.on_return)
}

#[test]
fn on_random_networks_findings_are_exactly_the_packets_one_packet_traces_let_through() {
    let everything =
        ScopeContent { match_paths: vec![AccessPath::default()], exclude_paths: vec![] };
    let (mut through, mut stopped) = (0, 0);
    for seed in 1..=60u64 {
        let mut dice = Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let (lab, igw, home, enis) = random_network(&mut dice);
        let index = crate::index::Index::build(&lab.world);
        let net = crate::trace::Network { world: &lab.world, index: &index };
        let found = crate::access::find(&net, &lab.scope, &everything, usize::MAX);
        let address = |eni: &str| {
            std::net::IpAddr::V4(
                lab.world.network_interfaces.get(eni).unwrap().primary_ip().unwrap(),
            )
        };
        // Every pair of ends the analysis walks, with packets inside and outside its findings.
        let mut pairs: Vec<(String, String)> = Vec::new();
        for e in &enis {
            if home.contains(e) {
                pairs.push((igw.clone(), e.clone()));
                pairs.push((e.clone(), igw.clone()));
            }
            pairs.extend(enis.iter().filter(|d| *d != e).map(|d| (e.clone(), d.clone())));
        }
        for (from, to) in pairs {
            let from_internet = from == igw;
            for _ in 0..6 {
                let internet = dice.pick(&PROBE_SOURCES).parse().unwrap();
                let packet = crate::packet::Packet {
                    protocol: *dice.pick(&[crate::packet::TCP, crate::packet::UDP]),
                    source: if from_internet { internet } else { address(&from) },
                    destination: if to == igw { internet } else { address(&to) },
                    source_port: *dice.pick(&PROBE_PORTS),
                    destination_port: *dice.pick(&PROBE_PORTS),
                };
                let h = crate::header::Header::from_packet(&packet);
                let in_finding = found
                    .findings
                    .iter()
                    .any(|f| f.source == from && f.destination == to && f.packets.contains(&h));
                let traced = one_packet_gets_there(&lab, &from, &to, &packet, from_internet);
                assert_eq!(in_finding, traced, "seed {seed}: {from} → {to}, {packet:?}");
                if traced {
                    through += 1;
                } else {
                    stopped += 1;
                }
            }
        }
    }
    // Both kinds of packet were tried, plenty of each.
    assert!(through > 300 && stopped > 300, "{through} through, {stopped} stopped");
}

#[test]
fn a_path_to_an_internet_gateway_leaves_by_that_gateway() {
    let mut lab = Lab::new();
    let (igw, web) = web(&mut lab, &[(443, "0.0.0.0/0")]);
    let egress = ScopeContent {
        match_paths: vec![AccessPath {
            destination: of_type("AWS::EC2::InternetGateway"),
            ..Default::default()
        }],
        exclude_paths: vec![],
    };
    let r = lab.access(egress);
    // TCP and UDP to all of public space, one finding each, to the routed gateway only (not
    // to the default VPC's).
    assert_eq!(r.findings.len(), 2, "{:#?}", r.findings);
    let eni = &lab.world.instances.get(&web).unwrap().primary_network_interface_id;
    for f in &r.findings {
        let ids: Vec<&str> = f.components.iter().map(|c| c.component.id.as_str()).collect();
        assert_eq!((ids[0], *ids.last().unwrap()), (eni.as_str(), igw.as_str()));
    }
}

#[test]
fn a_transit_gateway_interface_is_no_path_end() {
    // Two spokes on a transit gateway's default table, each attachment in its instance's
    // subnet: the gateway's interfaces there forward packets but neither send nor receive
    // them, so paths between the VPCs run from instance to instance only.
    let mut lab = Lab::new();
    let tgw = lab.transit_gateway(true);
    let mut vpcs = Vec::new();
    let mut enis = Vec::new();
    for n in 0..2 {
        let vpc = if n == 0 { lab.vpc.clone() } else { lab.new_vpc("10.1.0.0/16") };
        let (subnet, table) = lab.subnet_in(&vpc, &format!("10.{n}.1.0/24"));
        let sg = lab.group_in(&vpc, "web");
        lab.allow_in(&sg, "tcp", 443, cidr("10.0.0.0/8"));
        let instance = lab.instance(&subnet, &[&sg], false);
        lab.attach(&tgw, &vpc, &[&subnet]);
        lab.route_to_tgw(&table, "10.0.0.0/8", &tgw);
        enis.push(lab.world.instances.get(&instance).unwrap().primary_network_interface_id.clone());
        vpcs.push(vpc);
    }
    let r = lab.access(ScopeContent {
        match_paths: vec![AccessPath {
            source: by_id(&vpcs[0]),
            destination: by_id(&vpcs[1]),
            ..Default::default()
        }],
        exclude_paths: vec![],
    });
    let ends: Vec<(&str, &str)> = r
        .findings
        .iter()
        .map(|f| {
            let ids: Vec<&str> = f.components.iter().map(|c| c.component.id.as_str()).collect();
            (ids[0], *ids.last().unwrap())
        })
        .collect();
    assert_eq!(ends, [(enis[0].as_str(), enis[1].as_str())], "{:#?}", r.findings);
    let kinds = ids(&r.findings[0].components);
    assert_eq!(
        kinds,
        ["eni", "sg", "acl", "rtb", "tgw-attach", "tgw-rtb", "tgw-attach", "sg", "eni"]
    );
}

/// The ends of each finding, as ids.
fn finding_ends(
    r: &model::types::ec2::access_scope::AccessAnalysisResult,
) -> Vec<(String, String)> {
    r.findings
        .iter()
        .map(|f| {
            let first = f.components.first().unwrap().component.id.clone();
            (first, f.components.last().unwrap().component.id.clone())
        })
        .collect()
}

fn between(source: Option<PathStatement>, destination: Option<PathStatement>) -> ScopeContent {
    ScopeContent {
        match_paths: vec![AccessPath { source, destination, through: vec![] }],
        exclude_paths: vec![],
    }
}

#[test]
fn a_peering_connection_is_an_end_both_ways() {
    let mut lab = Lab::new();
    let home = lab.vpc.clone();
    let other = lab.new_vpc("10.1.0.0/16");
    let (a_subnet, a_table) = lab.subnet("10.0.1.0/24");
    let (_, b_table) = lab.subnet_in(&other, "10.1.1.0/24");
    let sg = lab.group("ssh");
    lab.allow_in(&sg, "tcp", 22, cidr("10.1.0.0/16"));
    let a = lab.instance(&a_subnet, &[&sg], false);
    let eni = lab.world.instances.get(&a).unwrap().primary_network_interface_id.clone();
    let pcx = lab.peering(&home, &other);
    lab.route_to_peering(&a_table, "10.1.0.0/16", &pcx);
    lab.route_to_peering(&b_table, "10.0.0.0/16", &pcx);
    let r = lab.access(between(of_type("AWS::EC2::VPCPeeringConnection"), None));
    // In across the peering: SSH from the peer's block only.
    assert_eq!(finding_ends(&r), [(pcx.clone(), eni.clone())], "{:#?}", r.findings);
    let h = r.findings[0].components[0]
        .outbound_header
        .clone()
        .or(r.findings[0].components[0].inbound_header.clone());
    let _ = h;
    let to_peer = lab.access(between(by_id(&eni), by_id(&pcx)));
    // Out across it: TCP and UDP to the peer VPC's block only.
    assert_eq!(finding_ends(&to_peer), [(eni.clone(), pcx.clone()), (eni.clone(), pcx.clone())]);
    let first = to_peer.findings[0].components[0].outbound_header.clone().unwrap();
    assert_eq!(first.destination_addresses, ["10.1.0.0/16"], "{first:?}");
}

#[test]
fn on_premises_behind_a_vpn_attachment_is_an_end() {
    let mut lab = Lab::new();
    let tgw = lab.transit_gateway(true);
    let home = lab.vpc.clone();
    let (subnet, table) = lab.subnet("10.0.1.0/24");
    let sg = lab.group("web");
    lab.allow_in(&sg, "tcp", 443, cidr("192.168.0.0/16"));
    let web = lab.instance(&subnet, &[&sg], false);
    let eni = lab.world.instances.get(&web).unwrap().primary_network_interface_id.clone();
    lab.attach(&tgw, &home, &[&subnet]);
    lab.route_to_tgw(&table, "192.168.0.0/16", &tgw);
    let (_, attachment) = lab.vpn_to_tgw(&tgw, &["192.168.0.0/16"]);
    let r = lab.access(between(of_type("AWS::EC2::TransitGatewayAttachment"), by_id(&web)));
    assert_eq!(finding_ends(&r), [(attachment.clone(), eni.clone())], "{:#?}", r.findings);
    let inbound = r.findings[0].components[0].inbound_header.clone();
    let outbound = r.findings[0].components[0].outbound_header.clone();
    let header = inbound.or(outbound).unwrap();
    assert_eq!(header.source_addresses, ["192.168.0.0/16"], "{header:?}");
    assert_eq!(header.destination_port_ranges[0].from, 443);
}

#[test]
fn a_gateway_endpoint_is_a_destination() {
    let mut lab = Lab::new();
    let (subnet, table) = lab.subnet("10.0.1.0/24");
    let sg = lab.group("app");
    let app = lab.instance(&subnet, &[&sg], false);
    let eni = lab.world.instances.get(&app).unwrap().primary_network_interface_id.clone();
    let s3 = lab.gateway_endpoint("s3", &[&table]);
    let r = lab.access(between(by_id(&eni), of_type("AWS::EC2::VPCEndpoint")));
    // TCP only (a gateway endpoint carries nothing else), to the service's prefix list.
    assert_eq!(finding_ends(&r), [(eni.clone(), s3.clone())], "{:#?}", r.findings);
    assert!(lab.access(between(by_id(&s3), None)).findings.is_empty());
}
