//! The engine's walk on the small networks of [`crate::lab`]: public and private subnets,
//! security groups, network ACLs, internet gateways.

use crate::lab::{Lab, codes, kinds};
use crate::packet::{TCP, UDP};
use crate::trace::Decision;
use crate::trace::codes::*;
use model::security_group::PeerRequest;

fn anywhere() -> PeerRequest {
    PeerRequest::CidrV4("0.0.0.0/0".into())
}

fn from_group(g: &str) -> PeerRequest {
    PeerRequest::Group { group_id: Some(g.into()), group_name: None, user_id: None }
}

/// The public/private split: web in a public subnet with an Elastic IP, db in a private one.
fn two_tier() -> (Lab, String, String, String, String, String) {
    let mut lab = Lab::new();
    let igw = lab.igw();
    let (public, public_rt) = lab.subnet("10.0.1.0/24");
    let (private, _) = lab.subnet("10.0.2.0/24");
    lab.route_to_gateway(&public_rt, "0.0.0.0/0", &igw);
    let web_sg = lab.group("web");
    lab.allow_in(&web_sg, "tcp", 443, anywhere());
    let db_sg = lab.group("db");
    lab.allow_in(&db_sg, "tcp", 3306, from_group(&web_sg));
    let web = lab.instance(&public, &[&web_sg], true);
    let db = lab.instance(&private, &[&db_sg], false);
    (lab, igw, web, db, web_sg, db_sg)
}

#[test]
fn internet_reaches_the_public_web_server_and_the_reply_goes_back() {
    let (lab, igw, web, ..) = two_tier();
    let t = lab.ask(&igw, &web, TCP, 443);
    assert!(t.reachable(), "{:?}", t.explanations);
    assert_eq!(kinds(&t.forward), ["igw", "acl", "sg", "eni", "i"]);
    assert_eq!(kinds(&t.back), ["i", "eni", "sg", "acl", "rtb", "igw"]);
    // The gateway translates the public destination to the private address.
    let gw = &t.forward[0];
    let private = lab.world.instances.get(&web).unwrap();
    let eni = lab.world.network_interfaces.get(&private.primary_network_interface_id).unwrap();
    let public = eni.public_ip().unwrap();
    assert_eq!(gw.inbound.unwrap().destination_address(), Some(public.into()));
    assert_eq!(gw.outbound.unwrap().destination_address(), Some(eni.primary_ip().unwrap().into()));
    // On the way back the source is translated to the public address again.
    let back_gw = t.back.last().unwrap();
    assert_eq!(back_gw.outbound.unwrap().source_address(), Some(public.into()));
}

#[test]
fn an_instance_without_a_public_address_is_not_reachable_from_the_internet() {
    let (lab, igw, _, db, ..) = two_tier();
    let t = lab.ask(&igw, &db, TCP, 3306);
    assert!(!t.reachable());
    assert_eq!(codes(&t), [(IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS, None, false)]);
}

#[test]
fn group_references_admit_members_only() {
    let (mut lab, _, web, db, ..) = two_tier();
    let t = lab.ask(&web, &db, TCP, 3306);
    assert!(t.reachable(), "{:?}", t.explanations);
    assert_eq!(kinds(&t.forward), ["i", "eni", "sg", "acl", "rtb", "acl", "sg", "eni", "i"]);
    // The return path: stateful groups are crossed without a rule; ACLs judge again.
    assert_eq!(kinds(&t.back), ["i", "eni", "sg", "acl", "rtb", "acl", "sg", "eni", "i"]);
    assert!(t.back.iter().all(|h| !matches!(h.decision, Some(Decision::SecurityGroup { .. }))));
    let (public, _) = (lab.world.instances.get(&web).unwrap().subnet_id.clone(), ());
    let other_sg = lab.group("other");
    let other = lab.instance(&public, &[&other_sg], false);
    let t = lab.ask(&other, &db, TCP, 3306);
    assert_eq!(codes(&t), [(ENI_SG_RULES_MISMATCH, Some("ingress"), false)]);
}

#[test]
fn tcp_allowed_but_not_udp() {
    let (lab, igw, web, ..) = two_tier();
    assert!(lab.ask(&igw, &web, TCP, 443).reachable());
    let t = lab.ask(&igw, &web, UDP, 443);
    assert_eq!(codes(&t), [(ENI_SG_RULES_MISMATCH, Some("ingress"), false)]);
}

#[test]
fn a_missing_egress_rule_blocks_at_the_source() {
    let (mut lab, _, web, db, web_sg, _) = two_tier();
    lab.revoke_all_egress(&web_sg);
    let t = lab.ask(&web, &db, TCP, 3306);
    assert_eq!(codes(&t), [(ENI_SG_RULES_MISMATCH, Some("egress"), false)]);
}

#[test]
fn stateless_acls_need_the_ephemeral_return_ports() {
    let (mut lab, igw, web, ..) = two_tier();
    let subnet = lab.world.instances.get(&web).unwrap().subnet_id.clone();
    let acl = lab.custom_acl(&subnet);
    lab.acl_entry(&acl, 100, false, true, Some((443, 443)));
    let t = lab.ask(&igw, &web, TCP, 443);
    assert_eq!(codes(&t), [(SUBNET_ACL_RESTRICTION, Some("egress"), true)]);
    lab.acl_entry(&acl, 100, true, true, Some((1024, 65535)));
    let t = lab.ask(&igw, &web, TCP, 443);
    assert!(t.reachable(), "{:?}", t.explanations);
}

#[test]
fn a_deny_numbered_before_an_allow_wins_and_a_new_custom_acl_denies_all() {
    let (mut lab, igw, web, ..) = two_tier();
    let subnet = lab.world.instances.get(&web).unwrap().subnet_id.clone();
    let acl = lab.custom_acl(&subnet);
    let t = lab.ask(&igw, &web, TCP, 443);
    let acl_blocks = codes(&t);
    assert_eq!(
        acl_blocks,
        [
            (SUBNET_ACL_RESTRICTION, Some("ingress"), false),
            (SUBNET_ACL_RESTRICTION, Some("egress"), true)
        ]
    );
    lab.acl_entry(&acl, 100, false, false, Some((443, 443)));
    lab.acl_entry(&acl, 200, false, true, None);
    lab.acl_entry(&acl, 100, true, true, None);
    let t = lab.ask(&igw, &web, TCP, 443);
    assert_eq!(codes(&t), [(SUBNET_ACL_RESTRICTION, Some("ingress"), false)]);
    let rule = t.explanations[0].acl_rule.as_ref().unwrap();
    assert_eq!((rule.rule_number, rule.allow), (100, false));
}

#[test]
fn every_blocking_component_is_named() {
    let (mut lab, _, web, db, web_sg, _) = two_tier();
    lab.revoke_all_egress(&web_sg);
    let db_subnet = lab.world.instances.get(&db).unwrap().subnet_id.clone();
    lab.custom_acl(&db_subnet);
    let t = lab.ask(&web, &db, TCP, 3306);
    assert_eq!(
        codes(&t),
        [
            (ENI_SG_RULES_MISMATCH, Some("egress"), false),
            (SUBNET_ACL_RESTRICTION, Some("ingress"), false),
            (SUBNET_ACL_RESTRICTION, Some("egress"), true),
        ]
    );
}

#[test]
fn a_private_subnet_has_no_route_to_the_internet() {
    let (lab, igw, _, db, ..) = two_tier();
    let t = lab.ask(&db, &igw, TCP, 443);
    assert_eq!(codes(&t), [(NO_ROUTE_TO_DESTINATION, None, false)]);
    let t = lab.ask(&db, "8.8.8.8", TCP, 443);
    assert_eq!(codes(&t), [(NO_ROUTE_TO_DESTINATION, None, false)]);
}

#[test]
fn a_public_instance_reaches_the_internet_with_its_public_address() {
    let (lab, igw, web, ..) = two_tier();
    let t = lab.ask(&web, "8.8.8.8", TCP, 443);
    assert!(t.reachable(), "{:?}", t.explanations);
    assert_eq!(kinds(&t.forward), ["i", "eni", "sg", "acl", "rtb", "igw"]);
    assert_eq!(t.forward.last().unwrap().component, igw);
}

#[test]
fn a_route_to_a_deleted_gateway_is_a_blackhole() {
    let (mut lab, igw, web, ..) = two_tier();
    // (AWS refuses to detach while public addresses are mapped; a deleted target is the
    // same blackhole to the engine.)
    lab.world.internet_gateways.get_mut(&igw).unwrap().attached_vpc_id = None;
    let t = lab.ask(&web, "8.8.8.8", TCP, 443);
    assert_eq!(codes(&t), [(BAD_STATE_ROUTE, None, false)]);
}

#[test]
fn same_subnet_traffic_crosses_no_acl_or_route_table() {
    let (mut lab, _, web, ..) = two_tier();
    let subnet = lab.world.instances.get(&web).unwrap().subnet_id.clone();
    let sg = lab.group("peer");
    lab.allow_in(&sg, "tcp", 22, anywhere());
    let peer = lab.instance(&subnet, &[&sg], false);
    lab.custom_acl(&subnet);
    let t = lab.ask(&web, &peer, TCP, 22);
    assert!(t.reachable(), "{:?}", t.explanations);
    assert_eq!(kinds(&t.forward), ["i", "eni", "sg", "sg", "eni", "i"]);
}

#[test]
fn a_public_instance_in_a_subnet_without_the_gateway_route_cannot_answer() {
    let mut lab = Lab::new();
    let igw = lab.igw();
    let (subnet, _) = lab.subnet("10.0.1.0/24");
    let sg = lab.group("web");
    lab.allow_in(&sg, "tcp", 443, anywhere());
    let web = lab.instance(&subnet, &[&sg], true);
    let t = lab.ask(&igw, &web, TCP, 443);
    assert!(t.arrived);
    assert_eq!(codes(&t), [(NO_ROUTE_TO_DESTINATION, None, true)]);
    assert_eq!(t.explanations[0].destination.as_deref(), Some(igw.as_str()));
}

#[test]
fn an_appliance_forwards_only_with_its_source_dest_check_off() {
    let (mut lab, _, web, db, ..) = two_tier();
    // Route the public subnet's traffic for the private subnet through an appliance.
    let (fw_subnet, _) = lab.subnet("10.0.3.0/24");
    let fw_sg = lab.group("fw");
    lab.allow_in(&fw_sg, "-1", 0, PeerRequest::CidrV4("10.0.0.0/16".into()));
    let fw = lab.instance(&fw_subnet, &[&fw_sg], false);
    let fw_eni = lab.world.instances.get(&fw).unwrap().primary_network_interface_id.clone();
    let web_subnet = lab.world.instances.get(&web).unwrap().subnet_id.clone();
    let web_table = lab.world.route_table_for_subnet(&web_subnet).unwrap().id.clone();
    let target = model::route_table::TargetSpec {
        network_interface_id: Some(fw_eni.clone()),
        ..Default::default()
    };
    lab.route(&web_table, "10.0.2.0/24", target);
    let t = lab.ask(&web, &db, TCP, 3306);
    assert!(t.components().any(|c| c == fw_eni));
    assert!(codes(&t).contains(&(ENI_SOURCE_DEST_CHECK_RESTRICTION, Some("ingress"), false)));
    lab.world.network_interfaces.get_mut(&fw_eni).unwrap().source_dest_check = false;
    let t = lab.ask(&web, &db, TCP, 3306);
    let forward: Vec<&str> = t.forward.iter().map(|h| h.component.as_str()).collect();
    assert!(forward.contains(&fw_eni.as_str()), "{forward:?}");
    // The group reference still names web: the appliance is not the database's peer, so
    // the database's rule (from the web group) does not admit the forwarded packets.
    assert_eq!(codes(&t), [(ENI_SG_RULES_MISMATCH, Some("ingress"), false)]);
}

#[test]
fn internet_gateways_refuse_private_addresses() {
    let (mut lab, igw, web, ..) = two_tier();
    let subnet = lab.world.instances.get(&web).unwrap().subnet_id.clone();
    let table = lab.world.route_table_for_subnet(&subnet).unwrap().id.clone();
    lab.route_to_gateway(&table, "192.168.0.0/16", &igw);
    let t = lab.ask(&web, "192.168.1.1", TCP, 443);
    assert_eq!(codes(&t), [(IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS, None, false)]);
    let mut q = crate::trace::Question::new(
        crate::endpoint::Endpoint::Resource(igw.clone()),
        crate::endpoint::Endpoint::Resource(web.clone()),
        TCP,
        Some(443),
    );
    q.source_address = Some("10.9.9.9".parse().unwrap());
    let index = crate::index::Index::build(&lab.world);
    let net = crate::trace::Network { world: &lab.world, index: &index };
    let t = crate::trace::trace(&net, &q).unwrap();
    assert_eq!(codes(&t), [(IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS, None, false)]);
}
