//! The engine through transit gateways: spokes on the default route table, segmentation by
//! association and propagation, blackholes, the availability-zone rule, and centralised egress
//! through a NAT gateway in another VPC.

use crate::lab::{Lab, codes, kinds};
use crate::packet::TCP;
use crate::trace::codes::*;
use model::security_group::PeerRequest;
use model::transit_gateway::{RouteChange, TgwRouteTarget};

/// Three spokes (10.0/16 = the lab's VPC, 10.1/16, 10.2/16), each with a subnet in us-east-1a,
/// a web instance admitting HTTPS from 10/8, and a route 10/8 → the gateway.
struct Hub {
    lab: Lab,
    tgw: String,
    /// Per spoke: (vpc, subnet, route table, instance, attachment).
    spokes: Vec<(String, String, String, String, String)>,
}

fn hub(defaults: bool) -> Hub {
    let mut lab = Lab::new();
    let tgw = lab.transit_gateway(defaults);
    let mut spokes = Vec::new();
    for n in 0..3 {
        let vpc = if n == 0 { lab.vpc.clone() } else { lab.new_vpc(&format!("10.{n}.0.0/16")) };
        let (subnet, table) = lab.subnet_in(&vpc, &format!("10.{n}.1.0/24"));
        let sg = lab.group_in(&vpc, "web");
        lab.allow_in(&sg, "tcp", 443, PeerRequest::CidrV4("10.0.0.0/8".into()));
        let instance = lab.instance(&subnet, &[&sg], false);
        let attachment = lab.attach(&tgw, &vpc, &[&subnet]);
        lab.route_to_tgw(&table, "10.0.0.0/8", &tgw);
        spokes.push((vpc, subnet, table, instance, attachment));
    }
    Hub { lab, tgw, spokes }
}

fn instance(h: &Hub, n: usize) -> &str {
    &h.spokes[n].3
}

#[test]
fn spokes_on_the_default_route_table_reach_each_other_and_back() {
    let h = hub(true);
    let t = h.lab.ask(instance(&h, 0), instance(&h, 2), TCP, 443);
    assert!(t.reachable(), "{:?}", t.explanations);
    assert_eq!(
        kinds(&t.forward),
        ["i", "eni", "sg", "acl", "rtb", "tgw-attach", "tgw-rtb", "tgw-attach", "sg", "eni", "i"]
    );
    // The reply comes back through the gateway too, routed by the far spoke's attachment.
    assert!(t.back.iter().any(|hop| hop.component == h.spokes[2].4));
    assert!(t.back.iter().any(|hop| hop.component == h.spokes[0].4));
    // Transitive by design: every spoke reaches every other.
    assert!(h.lab.ask(instance(&h, 1), instance(&h, 2), TCP, 443).reachable());
}

#[test]
fn without_a_route_to_the_gateway_there_is_no_path() {
    let mut h = hub(true);
    let (scope, table) = (h.lab.scope.clone(), h.spokes[0].2.clone());
    let dest = model::route_table::DestinationSpec {
        cidr: Some("10.0.0.0/8".into()),
        ..Default::default()
    };
    h.lab.world.delete_route(&scope, &table, &dest).unwrap();
    let t = h.lab.ask(instance(&h, 0), instance(&h, 1), TCP, 443);
    assert_eq!(codes(&t), [(NO_ROUTE_TO_DESTINATION, None, false)]);
}

#[test]
fn segmented_route_tables_route_only_what_is_propagated_into_them() {
    let mut h = hub(false);
    let scope = h.lab.scope.clone();
    let w = &mut h.lab.world;
    // Spoke 0 is associated with a table into which only spoke 1 propagates; spokes 1 and 2
    // share a table into which only spoke 0 propagates.
    let (a, b, c) = (h.spokes[0].4.clone(), h.spokes[1].4.clone(), h.spokes[2].4.clone());
    let first = w.create_tgw_route_table(&scope, &h.tgw, &[], 0).unwrap();
    let second = w.create_tgw_route_table(&scope, &h.tgw, &[], 0).unwrap();
    w.associate_tgw_route_table(&scope, &first, &a).unwrap();
    w.associate_tgw_route_table(&scope, &second, &b).unwrap();
    w.associate_tgw_route_table(&scope, &second, &c).unwrap();
    w.set_tgw_propagation(&scope, &first, &b, true).unwrap();
    w.set_tgw_propagation(&scope, &second, &a, true).unwrap();
    assert!(h.lab.ask(instance(&h, 0), instance(&h, 1), TCP, 443).reachable());
    let t = h.lab.ask(instance(&h, 0), instance(&h, 2), TCP, 443);
    assert_eq!(codes(&t), [(TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT, None, false)]);
    let refusal = &t.explanations[0];
    assert_eq!(refusal.transit_gateway_route_table.as_deref(), Some(first.as_str()));
    assert!(refusal.message().contains(&first), "{}", refusal.message());
    // Spokes 1 and 2 share a table without each other's routes.
    let t = h.lab.ask(instance(&h, 1), instance(&h, 2), TCP, 443);
    assert_eq!(codes(&t), [(TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT, None, false)]);
}

#[test]
fn a_more_specific_blackhole_route_drops_the_packets() {
    let mut h = hub(true);
    let scope = h.lab.scope.clone();
    let table = h
        .lab
        .world
        .transit_gateways
        .get(&h.tgw)
        .unwrap()
        .options
        .association_default_route_table_id
        .clone()
        .unwrap();
    h.lab
        .world
        .change_tgw_route(
            &scope,
            &table,
            "10.2.1.0/24",
            Some(TgwRouteTarget::Blackhole),
            RouteChange::Create,
        )
        .unwrap();
    let t = h.lab.ask(instance(&h, 0), instance(&h, 2), TCP, 443);
    assert_eq!(codes(&t), [(TGW_RTB_BAD_STATE_ROUTE, None, false)]);
    assert!(t.explanations[0].message().contains("10.2.1.0/24"));
    // The rest of the spoke's block is still routed.
    assert!(h.lab.ask(instance(&h, 0), instance(&h, 1), TCP, 443).reachable());
}

#[test]
fn an_attachment_without_a_route_table_routes_nothing() {
    let mut h = hub(false);
    let scope = h.lab.scope.clone();
    let table = h.lab.world.create_tgw_route_table(&scope, &h.tgw, &[], 0).unwrap();
    for spoke in &h.spokes {
        h.lab.world.set_tgw_propagation(&scope, &table, &spoke.4, true).unwrap();
    }
    let t = h.lab.ask(instance(&h, 0), instance(&h, 1), TCP, 443);
    assert_eq!(codes(&t), [(TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION, None, false)]);
    let b = h.spokes[0].4.clone();
    h.lab.world.associate_tgw_route_table(&scope, &table, &b).unwrap();
    // Forward now routes; the reply enters by spoke 1's attachment, still without a table.
    let t = h.lab.ask(instance(&h, 0), instance(&h, 1), TCP, 443);
    assert_eq!(codes(&t), [(TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION, None, true)]);
}

#[test]
fn a_zone_without_an_attachment_subnet_cannot_reach_the_gateway() {
    let mut h = hub(true);
    let vpc = h.spokes[0].0.clone();
    let (subnet_b, table_b) = h.lab.subnet_in_zone(&vpc, "10.0.2.0/24", "us-east-1b");
    let tgw = h.tgw.clone();
    h.lab.route_to_tgw(&table_b, "10.0.0.0/8", &tgw);
    let sg = h.lab.group_in(&vpc, "b");
    let in_b = h.lab.instance(&subnet_b, &[&sg], false);
    let t = h.lab.ask(&in_b, instance(&h, 1), TCP, 443);
    assert_eq!(codes(&t), [(TGW_ATTACH_VPC_AZ_RESTRICTION, None, false)]);
    assert!(
        t.explanations[0].message().contains("us-east-1b")
            || t.explanations[0].message().contains(&subnet_b)
    );
}

#[test]
fn spokes_reach_the_internet_through_a_nat_gateway_in_an_egress_vpc() {
    let mut h = hub(true);
    let tgw = h.tgw.clone();
    // The egress VPC: the gateway's subnet routes out by a NAT gateway in a public subnet.
    let egress = h.lab.new_vpc("10.9.0.0/16");
    let (attach_subnet, attach_table) = h.lab.subnet_in(&egress, "10.9.1.0/24");
    let (public_subnet, public_table) = h.lab.subnet_in(&egress, "10.9.2.0/24");
    let igw = h.lab.world.create_internet_gateway(&h.lab.scope, &[]).unwrap();
    let scope = h.lab.scope.clone();
    h.lab.world.attach_internet_gateway(&scope, &igw, &egress).unwrap();
    h.lab.route_to_gateway(&public_table, "0.0.0.0/0", &igw);
    h.lab.route_to_tgw(&public_table, "10.0.0.0/8", &tgw);
    let nat = h.lab.nat(&public_subnet, true);
    h.lab.route_to_nat(&attach_table, "0.0.0.0/0", &nat);
    let attachment = h.lab.attach(&tgw, &egress, &[&attach_subnet]);
    // The spokes' default route, and the gateway's default route to the egress VPC.
    let spoke_table = h.spokes[0].2.clone();
    h.lab.route_to_tgw(&spoke_table, "0.0.0.0/0", &tgw);
    let table = h
        .lab
        .world
        .transit_gateways
        .get(&tgw)
        .unwrap()
        .options
        .association_default_route_table_id
        .clone()
        .unwrap();
    h.lab
        .world
        .change_tgw_route(
            &scope,
            &table,
            "0.0.0.0/0",
            Some(TgwRouteTarget::Attachment(attachment)),
            RouteChange::Create,
        )
        .unwrap();
    let t = h.lab.ask(instance(&h, 0), "203.0.113.10", TCP, 443);
    assert!(t.reachable(), "{:?}", t.explanations);
    let forward = kinds(&t.forward);
    assert!(forward.contains(&"nat") && forward.contains(&"igw"), "{forward:?}");
    assert!(kinds(&t.back).contains(&"tgw-rtb"));
}

#[test]
fn analyses_name_the_transit_gateway_route_taken() {
    let h = hub(true);
    let path = h.lab.path(instance(&h, 0), instance(&h, 1), 443);
    let result = h.lab.analyse(&path, &[]);
    assert_eq!(result.path_found, Some(true), "{:?}", result.explanations);
    let route = result
        .forward
        .iter()
        .find_map(|c| c.transit_gateway_route_table_route.as_ref())
        .expect("a transit gateway route in the path");
    assert_eq!(route.destination_cidr, "10.1.0.0/16");
    assert_eq!(route.route_origin, "propagated");
    assert_eq!(route.resource_type.as_deref(), Some("vpc"));
    assert_eq!(route.resource_id.as_deref(), Some(h.spokes[1].0.as_str()));
}

#[test]
fn a_spoke_reaches_on_premises_through_a_vpn_attachment_and_back() {
    let mut h = hub(true);
    let tgw = h.tgw.clone();
    let (vpn, attachment) = h.lab.vpn_to_tgw(&tgw, &["192.168.0.0/16"]);
    let table = h.spokes[0].2.clone();
    h.lab.route_to_tgw(&table, "192.168.0.0/16", &tgw);
    let t = h.lab.ask(instance(&h, 0), "192.168.1.10", TCP, 443);
    assert!(t.reachable(), "{:?}", t.explanations);
    let forward: Vec<&str> = t.forward.iter().map(|hop| hop.component.as_str()).collect();
    assert!(forward.ends_with(&[attachment.as_str(), vpn.as_str()]), "{forward:?}");
    // The reply enters the gateway by the VPN attachment and is routed by its table.
    let back: Vec<&str> = t.back.iter().map(|hop| hop.component.as_str()).collect();
    assert_eq!(back[..2], [vpn.as_str(), attachment.as_str()], "{back:?}");
    assert!(back.contains(&h.spokes[0].4.as_str()), "{back:?}");
    // Without the static route the on-premises block is not propagated: no route.
    let scope = h.lab.scope.clone();
    h.lab.world.set_vpn_connection_route(&scope, &vpn, "192.168.0.0/16", false).unwrap();
    let t = h.lab.ask(instance(&h, 0), "192.168.1.10", TCP, 443);
    assert_eq!(codes(&t), [(TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT, None, false)]);
}

#[test]
fn on_premises_reaches_a_spoke_through_the_vpn_attachment() {
    let mut h = hub(true);
    let tgw = h.tgw.clone();
    let (_, attachment) = h.lab.vpn_to_tgw(&tgw, &["192.168.0.0/16"]);
    let table = h.spokes[0].2.clone();
    h.lab.route_to_tgw(&table, "192.168.0.0/16", &tgw);
    let w = &h.lab.world;
    let eni = &w.instances.get(instance(&h, 0)).unwrap().primary_network_interface_id;
    let sg = w.network_interfaces.get(eni).unwrap().security_groups[0].clone();
    h.lab.allow_in(&sg, "tcp", 443, PeerRequest::CidrV4("192.168.0.0/16".into()));
    let t = h.lab.ask_from(&attachment, "192.168.7.7", instance(&h, 0), TCP, 443);
    assert!(t.reachable(), "{:?}", t.explanations);
    assert!(t.forward.iter().take(2).any(|hop| hop.component == attachment));
    assert!(t.back.iter().any(|hop| hop.component == attachment));
}

#[test]
fn a_spoke_reaches_on_premises_through_a_direct_connect_gateway_attachment() {
    let mut h = hub(true);
    let tgw = h.tgw.clone();
    let (_, attachment) = h.lab.direct_connect_to_tgw(&tgw, &["172.30.0.0/16"]);
    let table = h.spokes[1].2.clone();
    h.lab.route_to_tgw(&table, "172.30.0.0/16", &tgw);
    let t = h.lab.ask(instance(&h, 1), "172.30.4.4", TCP, 443);
    assert!(t.reachable(), "{:?}", t.explanations);
    assert_eq!(t.forward.last().map(|hop| hop.component.as_str()), Some(attachment.as_str()));
    assert_eq!(t.back.first().map(|hop| hop.component.as_str()), Some(attachment.as_str()));
    assert!(t.back.iter().any(|hop| hop.component == h.spokes[1].4));
    // Not advertised: no route.
    let t = h.lab.ask(instance(&h, 1), "172.31.4.4", TCP, 443);
    assert_eq!(codes(&t), [(NO_ROUTE_TO_DESTINATION, None, false)]);
}

/// The default association table of gateway `tgw`.
fn default_table(lab: &crate::lab::Lab, tgw: &str) -> String {
    let g = lab.world.transit_gateways.get(tgw).unwrap();
    g.options.association_default_route_table_id.clone().unwrap()
}

#[test]
fn spokes_of_peered_gateways_in_two_regions_reach_each_other() {
    use model::Scope;
    use model::tgw_peering::NewTgwPeering;
    let mut h = hub(true);
    let east = h.lab.scope.clone();
    let west = Scope::new("210987654321", "us-west-2");
    h.lab.world.ensure_scope(&west).unwrap();
    // A spoke 10.50.0.0/16 on a gateway of another account in us-west-2.
    h.lab.scope = west.clone();
    let far_tgw = h.lab.transit_gateway(true);
    let far_vpc = h.lab.new_vpc("10.50.0.0/16");
    let (far_subnet, far_table) = h.lab.subnet_in_zone(&far_vpc, "10.50.1.0/24", "us-west-2a");
    let sg = h.lab.group_in(&far_vpc, "web");
    h.lab.allow_in(&sg, "tcp", 443, PeerRequest::CidrV4("10.0.0.0/8".into()));
    let far = h.lab.instance(&far_subnet, &[&sg], false);
    h.lab.attach(&far_tgw, &far_vpc, &[&far_subnet]);
    h.lab.route_to_tgw(&far_table, "10.0.0.0/8", &far_tgw);
    h.lab.scope = east.clone();
    // The peering, accepted by the far gateway's owner, with static routes both ways.
    let req = NewTgwPeering {
        transit_gateway_id: h.tgw.clone(),
        peer_transit_gateway_id: far_tgw.clone(),
        peer_account_id: Some(west.account.clone()),
        peer_region: Some(west.region.clone()),
        tags: vec![],
    };
    let w = &mut h.lab.world;
    let pcx = w.create_tgw_peering(&east, req, 0).unwrap();
    let t = h.lab.ask(instance(&h, 0), &far, TCP, 443);
    assert_eq!(codes(&t), [(TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT, None, false)]);
    let w = &mut h.lab.world;
    w.answer_tgw_peering(&west, &pcx, true, 0).unwrap();
    let (near_rtb, far_rtb) = (default_table(&h.lab, &h.tgw), default_table(&h.lab, &far_tgw));
    let to_peering = || Some(TgwRouteTarget::Attachment(pcx.clone()));
    let w = &mut h.lab.world;
    w.change_tgw_route(&east, &near_rtb, "10.50.0.0/16", to_peering(), RouteChange::Create)
        .unwrap();
    // One way only: the reply finds no route back on the far gateway.
    let t = h.lab.ask(instance(&h, 0), &far, TCP, 443);
    assert_eq!(codes(&t), [(TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT, None, true)]);
    let w = &mut h.lab.world;
    w.change_tgw_route(&west, &far_rtb, "10.0.0.0/16", to_peering(), RouteChange::Create).unwrap();
    let t = h.lab.ask(instance(&h, 0), &far, TCP, 443);
    assert!(t.reachable(), "{:?}", t.explanations);
    // Across the peering the far gateway routes by ITS table for the attachment.
    let tables: Vec<&str> = t
        .forward
        .iter()
        .map(|hop| hop.component.as_str())
        .filter(|c| c.starts_with("tgw-rtb-"))
        .collect();
    assert_eq!(tables, [near_rtb.as_str(), far_rtb.as_str()]);
    // The far side without an association for the peering drops what comes across.
    let w = &mut h.lab.world;
    w.disassociate_tgw_route_table(&west, &far_rtb, &pcx).unwrap();
    let t = h.lab.ask(instance(&h, 0), &far, TCP, 443);
    assert_eq!(codes(&t), [(TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION, None, false)]);
}
