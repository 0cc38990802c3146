//! The engine across VPC peering connections: routes both ways, no transit, no edge-to-edge
//! routing, group references to the peer's groups.

use crate::lab::{Lab, codes, kinds};
use crate::packet::TCP;
use crate::trace::codes::*;
use model::security_group::{Direction, PeerRequest, RuleRequest};

struct Peered {
    lab: Lab,
    a: String,
    b: String,
    a_table: String,
    b_table: String,
    pcx: String,
    vpc_b: String,
}

fn ssh_from(lab: &mut Lab, vpc: &str, cidr: &str) -> String {
    let sg = lab.group_in(vpc, "ssh");
    lab.allow_in(&sg, "tcp", 22, PeerRequest::CidrV4(cidr.into()));
    sg
}

/// VPC A (10.0/16, the lab's) and B (10.1/16), peered, one instance each; routes both ways
/// unless `routes` is false.
fn peered(routes: bool) -> Peered {
    let mut lab = Lab::new();
    let home = lab.vpc.clone();
    let vpc_b = lab.new_vpc("10.1.0.0/16");
    let (a_subnet, a_table) = lab.subnet("10.0.1.0/24");
    let (b_subnet, b_table) = lab.subnet_in(&vpc_b, "10.1.1.0/24");
    let a_sg = ssh_from(&mut lab, &home, "10.0.0.0/8");
    let b_sg = ssh_from(&mut lab, &vpc_b, "10.0.0.0/8");
    let a = lab.instance(&a_subnet, &[&a_sg], false);
    let b = lab.instance(&b_subnet, &[&b_sg], false);
    let pcx = lab.peering(&home, &vpc_b);
    if routes {
        lab.route_to_peering(&a_table, "10.1.0.0/16", &pcx);
        lab.route_to_peering(&b_table, "10.0.0.0/16", &pcx);
    }
    Peered { lab, a, b, a_table, b_table, pcx, vpc_b }
}

#[test]
fn peered_vpcs_with_routes_both_ways_reach_each_other() {
    let p = peered(true);
    let t = p.lab.ask(&p.a, &p.b, TCP, 22);
    assert!(t.reachable(), "{:?}", t.explanations);
    assert_eq!(kinds(&t.forward), ["i", "eni", "sg", "acl", "rtb", "pcx", "acl", "sg", "eni", "i"]);
    assert_eq!(kinds(&t.back), ["i", "eni", "sg", "acl", "rtb", "pcx", "acl", "sg", "eni", "i"]);
    assert!(t.forward.iter().any(|h| h.component == p.pcx));
    let t = p.lab.ask(&p.b, &p.a, TCP, 22);
    assert!(t.reachable(), "{:?}", t.explanations);
}

#[test]
fn a_missing_return_route_stops_the_reply() {
    let mut p = peered(false);
    p.lab.route_to_peering(&p.a_table, "10.1.0.0/16", &p.pcx);
    let t = p.lab.ask(&p.a, &p.b, TCP, 22);
    assert!(t.arrived);
    assert_eq!(codes(&t), [(NO_ROUTE_TO_DESTINATION, None, true)]);
    assert_eq!(t.explanations[0].route_table.as_deref(), Some(p.b_table.as_str()));
}

#[test]
fn a_connection_that_is_not_active_is_a_blackhole() {
    let mut p = peered(true);
    p.lab.world.delete_vpc_peering_connection(&p.lab.scope, &p.pcx, 0).unwrap();
    let t = p.lab.ask(&p.a, &p.b, TCP, 22);
    assert_eq!(codes(&t), [(BAD_STATE_ROUTE, None, false)]);
}

#[test]
fn a_peering_triangle_is_not_transitive() {
    let mut p = peered(true);
    let home = p.lab.vpc.clone();
    let vpc_c = p.lab.new_vpc("10.2.0.0/16");
    let (c_subnet, c_table) = p.lab.subnet_in(&vpc_c, "10.2.1.0/24");
    let c_sg = ssh_from(&mut p.lab, &vpc_c, "10.0.0.0/8");
    let c = p.lab.instance(&c_subnet, &[&c_sg], false);
    let bc = p.lab.peering(&p.vpc_b, &vpc_c);
    // A sends C's range to B, B to C, C answers through B: still nothing gets through.
    p.lab.route_to_peering(&p.a_table, "10.2.0.0/16", &p.pcx);
    p.lab.route_to_peering(&p.b_table, "10.2.0.0/16", &bc);
    p.lab.route_to_peering(&c_table, "10.0.0.0/8", &bc);
    let t = p.lab.ask(&p.a, &c, TCP, 22);
    assert!(!t.reachable());
    assert_eq!(codes(&t), [(PCX_REQUIRES_ADDRESS_IN_VPC_CIDR, None, false)]);
    let e = &t.explanations[0];
    assert_eq!(e.component.as_deref(), Some(p.pcx.as_str()));
    assert_eq!(e.vpc.as_deref(), Some(p.vpc_b.as_str()));
    // B reaches C directly, and A reaches B: each pair only.
    assert!(p.lab.ask(&p.b, &c, TCP, 22).reachable());
    assert!(p.lab.ask(&p.a, &p.b, TCP, 22).reachable());
    let _ = home;
}

#[test]
fn a_peer_cannot_use_the_other_side_internet_gateway() {
    let mut p = peered(true);
    // B has the internet; A points its default route at the peering.
    let igw = p.lab.world.create_internet_gateway(&p.lab.scope, &[]).unwrap();
    p.lab.world.attach_internet_gateway(&p.lab.scope, &igw, &p.vpc_b).unwrap();
    p.lab.route_to_gateway(&p.b_table, "0.0.0.0/0", &igw);
    p.lab.route_to_peering(&p.a_table, "0.0.0.0/0", &p.pcx);
    let t = p.lab.ask(&p.a, "8.8.8.8", TCP, 443);
    assert_eq!(codes(&t), [(PCX_REQUIRES_ADDRESS_IN_VPC_CIDR, None, false)]);
}

#[test]
fn rules_may_name_the_peer_vpc_groups_once_peered() {
    let mut p = peered(false);
    let home = p.lab.vpc.clone();
    let scope = p.lab.scope.clone();
    let web = p.lab.group_in(&home, "web");
    let db = p.lab.group_in(&p.vpc_b, "db");
    let from_web = RuleRequest {
        protocol: "tcp".into(),
        from_port: Some(5432),
        to_port: Some(5432),
        peer: PeerRequest::Group { group_id: Some(web.clone()), group_name: None, user_id: None },
        description: None,
    };
    let rule = || [from_web.clone()];
    // Not before the peering is active: a group of another VPC.
    let mut q = Lab::new();
    let other_vpc = q.new_vpc("10.5.0.0/16");
    let lonely = q.group_in(&other_vpc, "lonely");
    let home_group = q.group("home");
    let r = RuleRequest {
        peer: PeerRequest::Group { group_id: Some(home_group), group_name: None, user_id: None },
        ..from_web.clone()
    };
    let err = q
        .world
        .authorize_security_group_rules(&q.scope, &lonely, Direction::Ingress, &[r], &[])
        .unwrap_err();
    assert_eq!(err.code, "InvalidGroup.NotFound");
    // Peered: allowed, and the engine honours it across the connection.
    p.lab
        .world
        .authorize_security_group_rules(&scope, &db, Direction::Ingress, &rule(), &[])
        .unwrap();
    p.lab.route_to_peering(&p.a_table, "10.1.0.0/16", &p.pcx);
    p.lab.route_to_peering(&p.b_table, "10.0.0.0/16", &p.pcx);
    let a_subnet = p.lab.world.instances.get(&p.a).unwrap().subnet_id.clone();
    let b_subnet = p.lab.world.instances.get(&p.b).unwrap().subnet_id.clone();
    let app = p.lab.instance(&a_subnet, &[&web], false);
    let other_sg = p.lab.group_in(&home, "other");
    let other = p.lab.instance(&a_subnet, &[&other_sg], false);
    let database = p.lab.instance(&b_subnet, &[&db], false);
    let t = p.lab.ask(&app, &database, TCP, 5432);
    assert!(t.reachable(), "{:?}", t.explanations);
    let t = p.lab.ask(&other, &database, TCP, 5432);
    assert_eq!(codes(&t), [(ENI_SG_RULES_MISMATCH, Some("ingress"), false)]);
}

#[test]
fn analyses_name_the_peering_connection_by_its_arn() {
    let p = peered(true);
    let r = p.lab.analyse(&p.lab.path(&p.a, &p.b, 22), &[]);
    assert_eq!(r.path_found, Some(true), "{:?}", r.explanations);
    let pcx = r.forward.iter().find(|c| c.component.id == p.pcx).unwrap();
    assert_eq!(
        pcx.component.arn.as_deref(),
        Some(
            format!("arn:aws:ec2:us-east-1:123456789012:vpc-peering-connection/{}", p.pcx).as_str()
        )
    );
}

#[test]
fn a_peering_connection_is_a_path_end_for_the_vpc_across_it() {
    let p = peered(true);
    // To the peering connection, for an address of B: out of A and across.
    let mut path = p.lab.path(&p.a, &p.pcx, 22);
    path.spec.filter_at_source = Some(model::types::ec2::PathFilter {
        destination_address: Some("10.1.1.10".parse().unwrap()),
        ..Default::default()
    });
    let r = p.lab.analyse(&path, &[]);
    assert_eq!(r.path_found, Some(true), "{:?}", r.explanations);
    assert_eq!(r.forward.last().map(|c| c.component.id.as_str()), Some(p.pcx.as_str()));
    // From it: B's addresses in to A's instance, which admits 10/8.
    let t = p.lab.ask(&p.pcx, &p.a, TCP, 22);
    assert!(t.reachable(), "{:?}", t.explanations);
    assert_eq!(kinds(&t.forward), ["pcx", "acl", "sg", "eni", "i"]);
    assert!(kinds(&t.back).contains(&"pcx"));
    // An address outside B does not come across.
    let mut path = p.lab.path(&p.pcx, &p.a, 22);
    path.spec.filter_at_source = Some(model::types::ec2::PathFilter {
        source_address: Some("192.168.1.1".parse().unwrap()),
        ..Default::default()
    });
    let r = p.lab.analyse(&path, &[]);
    assert_eq!(r.path_found, Some(false));
    assert_eq!(r.explanations[0].code, PCX_REQUIRES_ADDRESS_IN_VPC_CIDR);
}
