//! The engine through a virtual private gateway to on premises over Direct Connect: prefixes a
//! private virtual interface advertises (its `vpclab:advertised-cidrs` tag) reach the VPC's route
//! tables through VGW route propagation, and the walk leaves through the interface — directly on
//! the VGW, or through a Direct Connect gateway associated with it — and comes back the same way.

use crate::lab::{Lab, codes, kinds};
use crate::packet::TCP;
use crate::trace::codes::*;
use model::security_group::PeerRequest;

const ON_PREM_HOST: &str = "172.16.8.9";

struct Site {
    lab: Lab,
    app: String,
    table: String,
    vgw: String,
    vif: String,
    dxgw: Option<String>,
}

/// A private instance (SSH open to 172.16.0.0/16) in 10.0.1.0/24 and a private virtual
/// interface advertising 172.16.0.0/16; the subnet's table propagates the VGW's routes.
fn site(via_dx_gateway: bool) -> Site {
    let mut lab = Lab::new();
    let (subnet, table) = lab.subnet("10.0.1.0/24");
    let sg = lab.group("app");
    lab.allow_in(&sg, "tcp", 22, PeerRequest::CidrV4("172.16.0.0/16".into()));
    let app = lab.instance(&subnet, &[&sg], false);
    let (vgw, vif, dxgw) = lab.direct_connect(&["172.16.0.0/16"], via_dx_gateway);
    let scope = lab.scope.clone();
    lab.world.set_vgw_route_propagation(&scope, &table, &vgw, true).unwrap();
    Site { lab, app, table, vgw, vif, dxgw }
}

#[test]
fn a_private_vif_on_a_dx_gateway_reaches_on_premises_and_back() {
    let s = site(true);
    let table = s.lab.world.route_tables.get(&s.table).unwrap().clone();
    let propagated = s.lab.world.propagated_routes(&table);
    assert_eq!(propagated.len(), 1, "{propagated:?}");
    assert_eq!(s.lab.world.route_state(&table, &propagated[0]), "active");

    let t = s.lab.ask(&s.app, ON_PREM_HOST, TCP, 443);
    assert!(t.reachable(), "{:?}", t.explanations);
    let dxgw = s.dxgw.clone().unwrap();
    let ids: Vec<&str> = t.forward.iter().map(|h| h.component.as_str()).collect();
    let at = ids.iter().position(|c| *c == s.vgw).unwrap();
    assert_eq!(ids[at + 1..], [dxgw.as_str(), s.vif.as_str()], "{ids:?}");
    let back: Vec<&str> = t.back.iter().take(3).map(|h| h.component.as_str()).collect();
    assert_eq!(back, [s.vif.as_str(), dxgw.as_str(), s.vgw.as_str()]);
}

#[test]
fn a_private_vif_on_the_vgw_itself_is_followed() {
    let s = site(false);
    let t = s.lab.ask(&s.app, ON_PREM_HOST, TCP, 443);
    assert!(t.reachable(), "{:?}", t.explanations);
    assert_eq!(kinds(&t.forward), ["i", "eni", "sg", "acl", "rtb", "vgw", "dxvif"]);
    assert_eq!(kinds(&t.back), ["dxvif", "vgw", "acl", "sg", "eni", "i"]);
}

#[test]
fn addresses_the_vif_does_not_advertise_are_not_reached() {
    let mut s = site(true);
    // A static route sends the packets to the gateway, which has no way to 192.168.1.1.
    s.lab.route_to_gateway(&s.table, "192.168.0.0/16", &s.vgw);
    let t = s.lab.ask(&s.app, "192.168.1.1", TCP, 443);
    assert!(!t.reachable());
    assert_eq!(codes(&t), [(VGW_NO_ROUTE_TO_DESTINATION, None, false)]);
}

#[test]
fn deleting_the_association_withdraws_the_routes() {
    let mut s = site(true);
    let scope = s.lab.scope.clone();
    let dxgw = s.dxgw.clone().unwrap();
    s.lab.world.delete_dx_gateway_association(&scope, None, Some(&dxgw), Some(&s.vgw), 0).unwrap();
    let table = s.lab.world.route_tables.get(&s.table).unwrap().clone();
    assert!(s.lab.world.propagated_routes(&table).is_empty());
    let t = s.lab.ask(&s.app, ON_PREM_HOST, TCP, 443);
    assert!(!t.reachable());
    assert_eq!(codes(&t), [(NO_ROUTE_TO_DESTINATION, None, false)]);
}

#[test]
fn the_longer_prefix_wins_between_vpn_and_direct_connect() {
    let mut s = site(false);
    // A VPN on another gateway cannot be used; on the same gateway, a more specific VPN
    // static route beats the Direct Connect /16.
    let vpn = {
        use model::vpn::{IPSEC_1, NewVpnConnection};
        let scope = s.lab.scope.clone();
        let w = &mut s.lab.world;
        let cgw = w
            .create_customer_gateway(&scope, IPSEC_1, None, Some("198.51.100.1"), None, &[])
            .unwrap();
        let spec = NewVpnConnection {
            type_: IPSEC_1.into(),
            customer_gateway_id: cgw,
            vpn_gateway_id: Some(s.vgw.clone()),
            static_routes_only: true,
            ..Default::default()
        };
        let vpn = w.create_vpn_connection(&scope, &spec, &[]).unwrap();
        w.set_vpn_connection_route(&scope, &vpn, "172.16.8.0/24", true).unwrap();
        w.set_vpn_connection_route(&scope, &vpn, "172.16.0.0/16", true).unwrap();
        vpn
    };
    let t = s.lab.ask(&s.app, ON_PREM_HOST, TCP, 443);
    assert!(t.forward.iter().any(|h| h.component == vpn), "the /24 is the VPN's");
    let t = s.lab.ask(&s.app, "172.16.200.1", TCP, 443);
    assert!(t.forward.iter().any(|h| h.component == s.vif), "a tie goes to Direct Connect");
}
