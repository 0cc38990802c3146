//! The engine through Elastic Load Balancing: the internet reaches instances in private
//! subnets through an internet-facing load balancer's listener, as the seeds' web tiers do.

use crate::lab::{Lab, codes};
use crate::packet::TCP;
use crate::trace::Decision;
use crate::trace::codes::*;
use model::route_table::TargetSpec;
use model::security_group::PeerRequest;

fn anywhere() -> PeerRequest {
    PeerRequest::CidrV4("0.0.0.0/0".into())
}

fn from_group(g: &str) -> PeerRequest {
    PeerRequest::Group { group_id: Some(g.into()), group_name: None, user_id: None }
}

/// Two public subnets (zones a and b) routed to an internet gateway, a private subnet in
/// zone a, an ALB group open on 80 and an app group: (lab, igw, public subnets, private
/// subnet, ALB group, app group).
fn web_tier() -> (Lab, String, [String; 2], String, String, String) {
    let mut lab = Lab::new();
    let igw = lab.igw();
    let vpc = lab.vpc.clone();
    let (a, rt_a) = lab.subnet_in_zone(&vpc, "10.0.1.0/24", "us-east-1a");
    let (b, rt_b) = lab.subnet_in_zone(&vpc, "10.0.2.0/24", "us-east-1b");
    for table in [&rt_a, &rt_b] {
        let to_igw = TargetSpec { gateway_id: Some(igw.clone()), ..Default::default() };
        lab.route(table, "0.0.0.0/0", to_igw);
    }
    let (private, _) = lab.subnet_in_zone(&vpc, "10.0.3.0/24", "us-east-1a");
    let alb_sg = lab.group("alb");
    lab.allow_in(&alb_sg, "tcp", 80, anywhere());
    let app_sg = lab.group("app");
    (lab, igw, [a, b], private, alb_sg, app_sg)
}

#[test]
fn the_internet_reaches_a_private_instance_through_the_alb_listener() {
    let (mut lab, igw, [a, b], private, alb_sg, app_sg) = web_tier();
    lab.allow_in(&app_sg, "tcp", 8080, from_group(&alb_sg));
    let app = lab.instance(&private, &[&app_sg], false);
    let alb = lab.load_balancer("application", &[&a, &b], &[&alb_sg]);
    let tg = lab.target_group("instance", "HTTP", 8080, &[&app]);
    let listener = lab.listener(&alb, "HTTP", 80, &tg);

    let t = lab.ask(&igw, &app, TCP, 80);
    assert!(t.reachable(), "{:?}", t.explanations);
    let hop = t.forward.iter().find(|h| h.component == alb).expect("the load balancer is a hop");
    assert_eq!(
        hop.decision,
        Some(Decision::Listener {
            listener,
            port: 80,
            target_group: Some(tg.clone()),
            target_port: Some(8080)
        })
    );
    // The load balancer connects to the target from its own address in the target's zone.
    let zone_a = lab.world.load_balancers.get(&alb).unwrap().zones[0].clone();
    assert_eq!(hop.subnet.as_deref(), Some(a.as_str()));
    let out = hop.outbound.unwrap();
    assert_eq!(out.source_address(), Some(zone_a.private_ip.into()));
    assert_eq!(out.destination_ports.lo, 8080);
    // The reply comes back through the load balancer and out of the internet gateway.
    assert!(t.back.iter().any(|h| h.component == alb));
    assert_eq!(t.back.last().unwrap().component, igw);

    // The app group must admit the load balancer's group.
    let (mut lab, igw, [a, b], private, alb_sg, app_sg) = web_tier();
    let app = lab.instance(&private, &[&app_sg], false);
    let alb = lab.load_balancer("application", &[&a, &b], &[&alb_sg]);
    let tg = lab.target_group("instance", "HTTP", 8080, &[&app]);
    lab.listener(&alb, "HTTP", 80, &tg);
    let t = lab.ask(&igw, &app, TCP, 80);
    assert!(t.forward.iter().any(|h| h.component == alb));
    assert_eq!(codes(&t), [(ENI_SG_RULES_MISMATCH, Some("ingress"), false)]);
    assert_eq!(t.explanations[0].security_groups, [app_sg]);
}

#[test]
fn a_load_balancer_takes_packets_only_on_its_listeners() {
    let (mut lab, igw, [a, b], private, alb_sg, app_sg) = web_tier();
    let app = lab.instance(&private, &[&app_sg], false);
    let alb = lab.load_balancer("application", &[&a, &b], &[&alb_sg]);
    let tg = lab.target_group("instance", "HTTP", 8080, &[&app]);
    lab.listener(&alb, "HTTP", 80, &tg);

    let t = lab.ask(&igw, &alb, TCP, 80);
    assert!(t.reachable(), "{:?}", t.explanations);
    assert_eq!(t.forward.last().unwrap().component, alb);

    lab.allow_in(&alb_sg, "tcp", 443, anywhere());
    let t = lab.ask(&igw, &alb, TCP, 443);
    assert_eq!(codes(&t), [(ELBV2_LISTENERS_MISMATCH, None, false)]);
    assert_eq!(t.explanations[0].load_balancer.as_deref(), Some(alb.as_str()));

    // The load balancer's own groups judge what reaches its interfaces first.
    let t = lab.ask(&igw, &alb, crate::packet::UDP, 80);
    assert_eq!(codes(&t), [(ENI_SG_RULES_MISMATCH, Some("ingress"), false)]);
}

#[test]
fn targets_outside_the_load_balancers_zones_are_not_reached() {
    let (mut lab, igw, [a, _], _, alb_sg, app_sg) = web_tier();
    let vpc = lab.vpc.clone();
    lab.allow_in(&app_sg, "tcp", 8080, from_group(&alb_sg));
    let (far, _) = lab.subnet_in_zone(&vpc, "10.0.9.0/24", "us-east-1c");
    let app = lab.instance(&far, &[&app_sg], false);
    let nlb = lab.load_balancer("network", &[&a], &[&alb_sg]);
    let tg = lab.target_group("instance", "TCP", 8080, &[&app]);
    lab.listener(&nlb, "TCP", 80, &tg);
    let t = lab.ask(&igw, &app, TCP, 80);
    assert_eq!(codes(&t), [(ELB_INSTALLED_AZ_RESTRICTION, None, false)]);
    assert_eq!(t.explanations[0].state.as_deref(), Some("us-east-1c"));
}

#[test]
fn a_network_load_balancer_keeps_client_addresses_for_instance_targets() {
    let (mut lab, igw, [a, b], private, alb_sg, app_sg) = web_tier();
    // Instance targets of a TCP group see the client's address: admitting the VPC only
    // shuts the internet out.
    lab.allow_in(&app_sg, "tcp", 8080, PeerRequest::CidrV4("10.0.0.0/16".into()));
    let app = lab.instance(&private, &[&app_sg], false);
    let nlb = lab.load_balancer("network", &[&a, &b], &[&alb_sg]);
    let tg = lab.target_group("instance", "TCP", 8080, &[&app]);
    lab.listener(&nlb, "TCP", 80, &tg);
    let t = lab.ask_from(&igw, "203.0.113.9", &app, TCP, 80);
    assert_eq!(codes(&t), [(ENI_SG_RULES_MISMATCH, Some("ingress"), false)]);

    lab.allow_in(&app_sg, "tcp", 8080, anywhere());
    let t = lab.ask_from(&igw, "203.0.113.9", &app, TCP, 80);
    assert!(t.reachable(), "{:?}", t.explanations);
    let hop = t.forward.iter().find(|h| h.component == nlb).unwrap();
    assert_ne!(hop.outbound.unwrap().source, hop.outbound.unwrap().destination);
    assert_eq!(hop.outbound.unwrap().source, hop.inbound.unwrap().source);
}
