//! The engine through NAT gateways: a private subnet reaches the internet only through one.

use crate::header::{Span, address_value};
use crate::lab::{Lab, codes, kinds};
use crate::packet::TCP;
use crate::trace::EPHEMERAL_PORTS;
use crate::trace::codes::*;
use model::security_group::PeerRequest;
use std::net::IpAddr;

/// A public subnet routed to an internet gateway with a NAT gateway in it, and a private
/// subnet whose default route goes to the NAT: (lab, igw, nat, app instance, private table,
/// public table).
fn behind_nat(public_nat: bool) -> (Lab, String, String, String, String, String) {
    let mut lab = Lab::new();
    let igw = lab.igw();
    let (public, public_rt) = lab.subnet("10.0.1.0/24");
    let (private, private_rt) = lab.subnet("10.0.2.0/24");
    lab.route_to_gateway(&public_rt, "0.0.0.0/0", &igw);
    let nat = lab.nat(&public, public_nat);
    lab.route_to_nat(&private_rt, "0.0.0.0/0", &nat);
    let sg = lab.group("app");
    lab.allow_in(&sg, "tcp", 22, PeerRequest::CidrV4("0.0.0.0/0".into()));
    let app = lab.instance(&private, &[&sg], false);
    (lab, igw, nat, app, private_rt, public_rt)
}

#[test]
fn a_private_instance_reaches_the_internet_through_the_nat_gateway() {
    let (lab, igw, nat, app, ..) = behind_nat(true);
    for destination in ["8.8.8.8", igw.as_str()] {
        let t = lab.ask(&app, destination, TCP, 443);
        assert!(t.reachable(), "{destination}: {:?}", t.explanations);
        assert_eq!(
            kinds(&t.forward),
            ["i", "eni", "sg", "acl", "rtb", "acl", "nat", "acl", "rtb", "igw"],
            "{destination}"
        );
        assert_eq!(
            kinds(&t.back),
            ["igw", "acl", "nat", "acl", "rtb", "acl", "sg", "eni", "i"],
            "{destination}"
        );
    }
    let t = lab.ask(&app, "8.8.8.8", TCP, 443);
    let n = lab.world.nat_gateways.get(&nat).unwrap();
    let private = IpAddr::V4(n.addresses[0].private_ip);
    let public = IpAddr::V4(n.addresses[0].public_ip.unwrap());
    let app_ip = lab
        .world
        .network_interfaces
        .values()
        .find(|e| e.attachment.as_ref().is_some_and(|a| a.instance_id == app));
    let app_ip = IpAddr::V4(app_ip.unwrap().primary_ip().unwrap());
    // The NAT rewrites the source to its private address and an ephemeral port …
    let hop = t.forward.iter().find(|h| h.component == nat).unwrap();
    assert_eq!(hop.inbound.unwrap().source_address(), Some(app_ip));
    let out = hop.outbound.unwrap();
    assert_eq!(out.source_address(), Some(private));
    assert_eq!(out.source_ports, EPHEMERAL_PORTS);
    // … which the internet gateway maps to the Elastic IP.
    let gw = t.forward.last().unwrap();
    assert_eq!(gw.outbound.unwrap().source_address(), Some(public));
    // The reply comes back to the Elastic IP and is translated back to the instance.
    let back_nat = t.back.iter().find(|h| h.component == nat).unwrap();
    assert_eq!(back_nat.inbound.unwrap().destination_address(), Some(private));
    let back = back_nat.outbound.unwrap();
    assert_eq!(back.destination, Span::one(address_value(app_ip)));
    assert_eq!(t.back.first().unwrap().inbound.unwrap().destination_address(), Some(public));
}

#[test]
fn the_internet_cannot_open_connections_through_a_nat_gateway() {
    let (lab, igw, nat, app, ..) = behind_nat(true);
    let t = lab.ask(&igw, &app, TCP, 22);
    assert!(!t.reachable());
    assert_eq!(codes(&t), [(IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS, None, false)]);
    // Nor to the gateway's own Elastic IP.
    let eni = lab.world.nat_gateways.get(&nat).unwrap().network_interface_id.clone();
    let t = lab.ask(&igw, &eni, TCP, 22);
    assert_eq!(codes(&t), [(NGW_REQUIRES_SOURCE_IN_VPC, None, false)]);
    let public = lab.world.nat_gateways.get(&nat).unwrap().addresses[0].public_ip.unwrap();
    let t = lab.ask("internet", &public.to_string(), TCP, 22);
    assert_eq!(codes(&t), [(NGW_REQUIRES_SOURCE_IN_VPC, None, false)]);
}

#[test]
fn a_nat_gateway_needs_a_route_to_an_internet_gateway() {
    let mut lab = Lab::new();
    lab.igw();
    let (public, _) = lab.subnet("10.0.1.0/24");
    let (private, private_rt) = lab.subnet("10.0.2.0/24");
    let nat = lab.nat(&public, true);
    lab.route_to_nat(&private_rt, "0.0.0.0/0", &nat);
    let sg = lab.group("app");
    let app = lab.instance(&private, &[&sg], false);
    let t = lab.ask(&app, "8.8.8.8", TCP, 443);
    assert_eq!(codes(&t), [(NO_ROUTE_TO_DESTINATION, None, false)]);
    let public_rt = lab.world.route_table_for_subnet(&public).unwrap().id.clone();
    assert_eq!(t.explanations[0].route_table.as_deref(), Some(public_rt.as_str()));
    assert_eq!(kinds(&t.forward).last(), Some(&"rtb"));
}

#[test]
fn a_private_nat_gateway_does_not_reach_the_internet() {
    let (lab, _, _, app, ..) = behind_nat(false);
    let t = lab.ask(&app, "8.8.8.8", TCP, 443);
    assert_eq!(codes(&t), [(IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS, None, false)]);
}

#[test]
fn a_deleted_nat_gateway_leaves_a_blackhole() {
    let (mut lab, _, nat, app, ..) = behind_nat(true);
    let scope = lab.scope.clone();
    lab.world.delete_nat_gateway(&scope, &nat, 0).unwrap();
    let t = lab.ask(&app, "8.8.8.8", TCP, 443);
    assert_eq!(codes(&t), [(BAD_STATE_ROUTE, None, false)]);
}

#[test]
fn analyses_show_the_nat_gateway_and_its_translation() {
    let (lab, igw, nat, app, ..) = behind_nat(true);
    let r = lab.analyse(&lab.path(&app, &igw, 443), &[]);
    assert_eq!(r.path_found, Some(true), "{:?}", r.explanations);
    let hop = r.forward.iter().find(|c| c.component.id == nat).unwrap();
    let arn = hop.component.arn.as_deref().unwrap();
    assert!(arn.ends_with(&format!(":natgateway/{nat}")), "{arn}");
    let n = lab.world.nat_gateways.get(&nat).unwrap();
    let out = hop.outbound_header.as_ref().unwrap();
    assert_eq!(out.source_addresses, [format!("{}/32", n.addresses[0].private_ip)]);
    assert_eq!(out.source_port_ranges[0].from, 1024);
    assert!(out.destination_addresses.is_empty() && out.protocol.is_none());
    assert_eq!(hop.subnet.as_ref().unwrap().id, n.subnet_id);
    // The way in is closed.
    let r = lab.analyse(&lab.path(&igw, &app, 22), &[]);
    assert_eq!(r.path_found, Some(false));
}

#[test]
fn the_refusal_reads_as_a_sentence() {
    let (lab, igw, nat, ..) = behind_nat(true);
    let eni = lab.world.nat_gateways.get(&nat).unwrap().network_interface_id.clone();
    let t = lab.ask(&igw, &eni, TCP, 22);
    let text = t.explanations[0].message();
    assert!(
        text.contains(&nat) && text.contains("forwards only traffic from its own VPC"),
        "{text}"
    );
}
