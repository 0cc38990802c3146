//! The engine through a virtual private gateway: static routes and propagated routes to the
//! on-premises blocks of a site-to-site VPN connection, and back.

use crate::lab::{Lab, codes, kinds};
use crate::packet::TCP;
use crate::trace::codes::*;
use model::security_group::PeerRequest;

const ON_PREM_HOST: &str = "192.168.10.5";

struct Site {
    lab: Lab,
    app: String,
    table: String,
    vgw: String,
    vpn: String,
}

/// A private instance (SSH open to 192.168.0.0/16) in 10.0.1.0/24 and a VPN to 192.168.0.0/16;
/// its subnet's table has no route to the gateway yet.
fn site() -> Site {
    let mut lab = Lab::new();
    let (subnet, table) = lab.subnet("10.0.1.0/24");
    let sg = lab.group("app");
    lab.allow_in(&sg, "tcp", 22, PeerRequest::CidrV4("192.168.0.0/16".into()));
    let app = lab.instance(&subnet, &[&sg], false);
    let (vgw, vpn) = lab.vpn(&["192.168.0.0/16"]);
    Site { lab, app, table, vgw, vpn }
}

#[test]
fn without_a_route_the_on_premises_network_is_unreachable() {
    let s = site();
    let t = s.lab.ask(&s.app, ON_PREM_HOST, TCP, 443);
    assert!(!t.reachable());
    assert_eq!(codes(&t), [(NO_ROUTE_TO_DESTINATION, None, false)]);
}

#[test]
fn a_static_route_to_the_gateway_reaches_on_premises_and_back() {
    let mut s = site();
    s.lab.route_to_gateway(&s.table, "192.168.0.0/16", &s.vgw);
    let t = s.lab.ask(&s.app, ON_PREM_HOST, TCP, 443);
    assert!(t.reachable(), "{:?}", t.explanations);
    assert_eq!(kinds(&t.forward), ["i", "eni", "sg", "acl", "rtb", "vgw", "vpn"]);
    assert!(t.forward.iter().any(|h| h.component == s.vpn));
    assert_eq!(kinds(&t.back), ["vpn", "vgw", "acl", "sg", "eni", "i"]);
}

#[test]
fn propagated_routes_take_the_packets_to_the_gateway() {
    let mut s = site();
    let (scope, table, vgw) = (s.lab.scope.clone(), s.table.clone(), s.vgw.clone());
    s.lab.world.set_vgw_route_propagation(&scope, &table, &vgw, true).unwrap();
    let t = s.lab.ask(&s.app, ON_PREM_HOST, TCP, 443);
    assert!(t.reachable(), "{:?}", t.explanations);
    assert!(t.forward.iter().any(|h| h.component == s.vgw));
    // Detached, the gateway propagates nothing any more.
    let vpc = s.lab.vpc.clone();
    s.lab.world.detach_vpn_gateway(&scope, &vgw, &vpc).unwrap();
    let t = s.lab.ask(&s.app, ON_PREM_HOST, TCP, 443);
    assert_eq!(codes(&t), [(NO_ROUTE_TO_DESTINATION, None, false)]);
}

#[test]
fn a_destination_outside_the_static_routes_has_no_route_at_the_gateway() {
    let mut s = site();
    s.lab.route_to_gateway(&s.table, "172.16.0.0/12", &s.vgw);
    let t = s.lab.ask(&s.app, "172.16.0.9", TCP, 443);
    assert!(!t.reachable());
    assert_eq!(codes(&t), [(VGW_NO_ROUTE_TO_DESTINATION, None, false)]);
    let last = t.forward.last().unwrap();
    assert_eq!(last.component, s.vgw);
    assert!(last.blocked);
    let text = t.explanations[0].message();
    assert!(text.contains("static route"), "{text}");
}

#[test]
fn on_premises_reaches_the_instance_through_the_gateway() {
    let mut s = site();
    s.lab.route_to_gateway(&s.table, "192.168.0.0/16", &s.vgw);
    let t = s.lab.ask(ON_PREM_HOST, &s.app, TCP, 22);
    // An address outside every VPC comes in through the internet gateway, which this VPC
    // lacks; asked from the gateway itself, the path goes through the VPN.
    assert!(!t.reachable());
    let index = crate::index::Index::build(&s.lab.world);
    let net = crate::trace::Network { world: &s.lab.world, index: &index };
    let mut q = crate::trace::Question::new(
        crate::endpoint::Endpoint::Resource(s.vgw.clone()),
        crate::endpoint::Endpoint::Resource(s.app.clone()),
        TCP,
        Some(22),
    );
    q.source_address = Some(ON_PREM_HOST.parse().unwrap());
    let t = crate::trace::trace(&net, &q).unwrap();
    assert!(t.reachable(), "{:?}", t.explanations);
    assert_eq!(kinds(&t.forward), ["vpn", "vgw", "acl", "sg", "eni", "i"]);
    assert_eq!(kinds(&t.back), ["i", "eni", "sg", "acl", "rtb", "vgw", "vpn"]);
}

#[test]
fn a_route_to_a_detached_gateway_is_a_blackhole() {
    let mut s = site();
    s.lab.route_to_gateway(&s.table, "192.168.0.0/16", &s.vgw);
    let (scope, vgw, vpc) = (s.lab.scope.clone(), s.vgw.clone(), s.lab.vpc.clone());
    s.lab.world.detach_vpn_gateway(&scope, &vgw, &vpc).unwrap();
    let t = s.lab.ask(&s.app, ON_PREM_HOST, TCP, 443);
    assert_eq!(codes(&t), [(BAD_STATE_ROUTE, None, false)]);
}

#[test]
fn analyses_name_the_gateway_and_the_connection() {
    let mut s = site();
    s.lab.route_to_gateway(&s.table, "192.168.0.0/16", &s.vgw);
    let mut path = s.lab.path(&s.app, &s.vgw, 443);
    path.spec.filter_at_source = Some(model::types::ec2::PathFilter {
        destination_address: Some(ON_PREM_HOST.parse().unwrap()),
        ..Default::default()
    });
    let r = s.lab.analyse(&path, &[]);
    assert_eq!(r.path_found, Some(true), "{:?}", r.explanations);
    let arns: Vec<String> = r.forward.iter().filter_map(|c| c.component.arn.clone()).collect();
    assert!(arns.iter().any(|a| a.contains(":vpn-gateway/vgw-")), "{arns:?}");
}

/// A question from on premises (`source`, behind the gateway) to `to`.
fn from_on_premises(s: &Site, source: &str, to: &str, port: u16) -> crate::trace::Trace {
    let index = crate::index::Index::build(&s.lab.world);
    let net = crate::trace::Network { world: &s.lab.world, index: &index };
    let mut q = crate::trace::Question::new(
        crate::endpoint::Endpoint::Resource(s.vgw.clone()),
        crate::endpoint::Endpoint::parse(to).unwrap(),
        TCP,
        Some(port),
    );
    q.source_address = Some(source.parse().unwrap());
    crate::trace::trace(&net, &q).unwrap()
}

#[test]
fn vpn_cloudhub_joins_two_sites_through_one_gateway() {
    let mut s = site();
    // A second site, 10.50.0.0/16, on its own connection to the same gateway.
    use model::vpn::{IPSEC_1, NewVpnConnection};
    let scope = s.lab.scope.clone();
    let w = &mut s.lab.world;
    let cgw =
        w.create_customer_gateway(&scope, IPSEC_1, None, Some("198.51.100.2"), None, &[]).unwrap();
    let spec = NewVpnConnection {
        type_: IPSEC_1.into(),
        customer_gateway_id: cgw,
        vpn_gateway_id: Some(s.vgw.clone()),
        static_routes_only: true,
        ..Default::default()
    };
    let second = w.create_vpn_connection(&scope, &spec, &[]).unwrap();
    w.set_vpn_connection_route(&scope, &second, "10.50.0.0/16", true).unwrap();
    let t = from_on_premises(&s, ON_PREM_HOST, "10.50.1.9", 443);
    assert!(t.reachable(), "{:?}", t.explanations);
    assert_eq!(kinds(&t.forward), ["vpn", "vgw", "vpn"]);
    assert_eq!(t.forward[0].component, s.vpn);
    assert_eq!(t.forward[2].component, second);
    assert_eq!(t.back.last().map(|h| h.component.as_str()), Some(s.vpn.as_str()));
    // No site holds 10.60.0.0/16.
    let t = from_on_premises(&s, ON_PREM_HOST, "10.60.1.9", 443);
    assert_eq!(codes(&t), [(VGW_NO_ROUTE_TO_DESTINATION, None, false)]);
}

#[test]
fn a_bgp_connection_reaches_what_its_customer_gateway_advertises() {
    use model::tags::ADVERTISED_CIDRS_TAG;
    use model::vpn::{IPSEC_1, NewVpnConnection};
    let mut s = site();
    let scope = s.lab.scope.clone();
    let w = &mut s.lab.world;
    let cgw = w
        .create_customer_gateway(&scope, IPSEC_1, Some(65010), Some("198.51.100.3"), None, &[])
        .unwrap();
    let tags = [(ADVERTISED_CIDRS_TAG.to_owned(), "172.20.0.0/16".to_owned())];
    w.create_tags(&scope, std::slice::from_ref(&cgw), &tags).unwrap();
    let spec = NewVpnConnection {
        type_: IPSEC_1.into(),
        customer_gateway_id: cgw,
        vpn_gateway_id: Some(s.vgw.clone()),
        static_routes_only: false,
        ..Default::default()
    };
    let bgp = w.create_vpn_connection(&scope, &spec, &[]).unwrap();
    let (table, vgw) = (s.table.clone(), s.vgw.clone());
    w.set_vgw_route_propagation(&scope, &table, &vgw, true).unwrap();
    let t = s.lab.ask(&s.app, "172.20.3.4", TCP, 443);
    assert!(t.reachable(), "{:?}", t.explanations);
    assert!(t.forward.iter().any(|h| h.component == bgp));
}
