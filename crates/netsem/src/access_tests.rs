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
