//! The engine from a Client VPN endpoint: a connected client's packets go by the endpoint's
//! route table and authorization rules, leave the association's interface source-NATed with the
//! endpoint's groups, and follow the subnet's routing, ACLs and groups like any other.

use crate::lab::{Lab, codes, kinds};
use crate::packet::TCP;
use crate::trace::codes::*;
use model::security_group::PeerRequest;

struct Site {
    lab: Lab,
    app: String,
    cvpn: String,
    app_subnet: String,
}

/// An app instance in 10.0.2.0/24 opening SSH to the endpoint's group; the endpoint associated
/// with 10.0.1.0/24.
fn site() -> Site {
    let mut lab = Lab::new();
    let (cvpn_subnet, _) = lab.subnet("10.0.1.0/24");
    let (app_subnet, _) = lab.subnet("10.0.2.0/24");
    let cvpn_sg = lab.group("cvpn");
    let app_sg = lab.group("app");
    lab.allow_in(
        &app_sg,
        "tcp",
        22,
        PeerRequest::Group { group_id: Some(cvpn_sg.clone()), group_name: None, user_id: None },
    );
    let app = lab.instance(&app_subnet, &[&app_sg], false);
    let cvpn = lab.client_vpn(&cvpn_subnet, &[&cvpn_sg]);
    Site { lab, app, cvpn, app_subnet }
}

fn authorize(s: &mut Site, cidr: &str) {
    let (scope, id) = (s.lab.scope.clone(), s.cvpn.clone());
    s.lab.world.authorize_client_vpn_ingress(&scope, &id, cidr, None, true, None).unwrap();
}

#[test]
fn without_an_authorization_rule_the_endpoint_refuses() {
    let s = site();
    let t = s.lab.ask(&s.cvpn, &s.app, TCP, 22);
    assert!(!t.reachable());
    assert_eq!(codes(&t), [(VPCLAB_CLIENT_VPN_NOT_AUTHORIZED, None, false)]);
    assert_eq!(t.explanations[0].component.as_deref(), Some(s.cvpn.as_str()));
    assert!(t.explanations[0].message().contains("authorization rule"));
}

#[test]
fn an_authorized_client_reaches_the_instance_source_natted_and_back() {
    let mut s = site();
    authorize(&mut s, "10.0.0.0/16");
    let t = s.lab.ask(&s.cvpn, &s.app, TCP, 22);
    assert!(t.reachable(), "{:?}", t.explanations);
    assert_eq!(
        kinds(&t.forward),
        ["cvpn-endpoint", "eni", "sg", "acl", "rtb", "acl", "sg", "eni", "i"]
    );
    let entry = &t.forward[0];
    let client = entry.inbound.unwrap().source_address().unwrap();
    assert_eq!(client.to_string(), "172.16.0.1");
    let natted = entry.outbound.unwrap().source_address().unwrap();
    let e = s.lab.world.client_vpn_endpoints.get(&s.cvpn).unwrap();
    let eni = s.lab.world.network_interfaces.get(&e.associations[0].network_interface_id).unwrap();
    assert_eq!(natted, std::net::IpAddr::V4(eni.primary_ip().unwrap()));
    assert_eq!(t.forward[1].component, eni.id);
    // The reply comes back to the client's own address.
    let last = t.back.last().unwrap();
    assert_eq!(last.component, s.cvpn);
    assert_eq!(last.outbound.unwrap().destination_address(), Some(client));
}

#[test]
fn the_destinations_security_group_still_decides() {
    let mut s = site();
    authorize(&mut s, "10.0.2.0/24");
    let t = s.lab.ask(&s.cvpn, &s.app, TCP, 3306);
    assert_eq!(codes(&t), [(ENI_SG_RULES_MISMATCH, Some("ingress"), false)]);
}

#[test]
fn a_destination_without_a_route_of_the_endpoint_is_unreachable() {
    let mut s = site();
    authorize(&mut s, "0.0.0.0/0");
    let t = s.lab.ask(&s.cvpn, "8.8.8.8", TCP, 443);
    assert_eq!(codes(&t), [(CLIENT_VPN_NO_ROUTE_TO_DESTINATION, None, false)]);
    assert!(t.explanations[0].message().contains("Client VPN endpoint"));
    // Routed into the subnet, the packets meet the subnet's table, which has no way out.
    let (scope, id) = (s.lab.scope.clone(), s.cvpn.clone());
    let subnet =
        s.lab.world.client_vpn_endpoints.get(&id).unwrap().associations[0].subnet_id.clone();
    s.lab.world.create_client_vpn_route(&scope, &id, "0.0.0.0/0", &subnet, None).unwrap();
    let t = s.lab.ask(&s.cvpn, "8.8.8.8", TCP, 443);
    assert_eq!(codes(&t), [(NO_ROUTE_TO_DESTINATION, None, false)]);
    assert_eq!(kinds(&t.forward), ["cvpn-endpoint", "eni", "sg", "acl", "rtb"]);
    assert_ne!(subnet, s.app_subnet);
}

#[test]
fn an_endpoint_without_associations_carries_nothing() {
    let mut s = site();
    let (scope, id) = (s.lab.scope.clone(), s.cvpn.clone());
    let assoc = s.lab.world.client_vpn_endpoints.get(&id).unwrap().associations[0].id.clone();
    s.lab.world.disassociate_client_vpn_target_network(&scope, &id, &assoc).unwrap();
    let t = s.lab.ask(&s.cvpn, &s.app, TCP, 22);
    assert_eq!(codes(&t), [(BAD_STATE, None, false)]);
    assert!(t.explanations[0].message().contains("pending-associate"));
}
