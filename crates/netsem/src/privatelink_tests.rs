//! The engine through PrivateLink: a consumer instance reaches a provider's endpoint service
//! (in another account) through its VPC's interface endpoint, once the provider accepts it.

use crate::endpoint::Endpoint;
use crate::index::Index;
use crate::lab::{Lab, codes, kinds};
use crate::packet::TCP;
use crate::trace::codes::*;
use crate::trace::{Network, Question, TraceError, trace};
use model::security_group::PeerRequest;

/// A consumer instance and an endpoint (pending acceptance) to the provider's service:
/// (lab, instance, endpoint, endpoint's group, service id).
fn consumer() -> (Lab, String, String, String, String) {
    let mut lab = Lab::new();
    let (subnet, _) = lab.subnet("10.0.2.0/24");
    let app_sg = lab.group("app");
    let app = lab.instance(&subnet, &[&app_sg], false);
    let (service, name) = lab.endpoint_service();
    let endpoint_sg = lab.group("endpoint");
    let vpce = lab.privatelink_endpoint(&name, &subnet, &[&endpoint_sg]);
    (lab, app, vpce, endpoint_sg, service)
}

#[test]
fn a_pending_endpoint_carries_nothing_until_accepted() {
    let (mut lab, app, vpce, endpoint_sg, service) = consumer();
    lab.allow_in(&endpoint_sg, "tcp", 443, PeerRequest::CidrV4("10.0.0.0/16".into()));
    let t = lab.ask(&app, &vpce, TCP, 443);
    assert!(!t.arrived);
    assert_eq!(codes(&t), [(BAD_STATE, None, false)]);
    assert_eq!(t.explanations[0].state.as_deref(), Some("pendingAcceptance"));
    assert_eq!(t.explanations[0].component.as_deref(), Some(vpce.as_str()));

    lab.decide_connection(&service, &vpce, true);
    // A path to the endpoint ends at it; one to the service goes on to the service.
    let t = lab.ask(&app, &vpce, TCP, 443);
    assert!(t.reachable(), "{:?}", t.explanations);
    assert_eq!(kinds(&t.forward), ["i", "eni", "sg", "sg", "eni", "vpce"]);
    let t = lab.ask(&app, &service, TCP, 443);
    assert!(t.reachable(), "{:?}", t.explanations);
    assert_eq!(kinds(&t.forward), ["i", "eni", "sg", "sg", "eni", "vpce", "vpce-svc"]);
    let last = t.forward.last().unwrap();
    assert!(last.attached_to.as_deref().unwrap().contains(":loadbalancer/net/svc/"));

    lab.decide_connection(&service, &vpce, false);
    let t = lab.ask(&app, &service, TCP, 443);
    assert_eq!(codes(&t), [(BAD_STATE, None, false)]);
    assert_eq!(t.explanations[0].state.as_deref(), Some("rejected"));
}

#[test]
fn the_endpoint_groups_judge_what_reaches_the_service() {
    let (mut lab, app, vpce, _, service) = consumer();
    lab.decide_connection(&service, &vpce, true);
    let t = lab.ask(&app, &service, TCP, 443);
    assert!(t.arrived);
    assert_eq!(codes(&t), [(ENI_SG_RULES_MISMATCH, Some("ingress"), false)]);
}

#[test]
fn a_vpc_without_an_endpoint_cannot_name_the_service() {
    let (mut lab, _, _, _, service) = consumer();
    let other = lab.new_vpc("10.9.0.0/16");
    let (subnet, _) = lab.subnet_in(&other, "10.9.1.0/24");
    let sg = lab.group_in(&other, "x");
    let elsewhere = lab.instance(&subnet, &[&sg], false);
    let index = Index::build(&lab.world);
    let net = Network { world: &lab.world, index: &index };
    let q = Question::new(
        Endpoint::parse(&elsewhere).unwrap(),
        Endpoint::parse(&service).unwrap(),
        TCP,
        Some(443),
    );
    assert!(matches!(trace(&net, &q), Err(TraceError::NoEndpointToService { .. })));
}

#[test]
fn an_analysis_to_the_service_names_it_by_the_providers_arn() {
    let (mut lab, app, vpce, endpoint_sg, service) = consumer();
    lab.allow_in(&endpoint_sg, "tcp", 443, PeerRequest::CidrV4("10.0.0.0/16".into()));
    lab.decide_connection(&service, &vpce, true);
    let result = lab.analyse(&lab.path(&app, &service, 443), &[]);
    assert_eq!(result.path_found, Some(true), "{:?}", result.explanations);
    let last = result.forward.last().unwrap();
    assert_eq!(last.component.id, service);
    assert_eq!(
        last.component.arn.as_deref(),
        Some(format!("arn:aws:ec2:us-east-1:210987654321:vpc-endpoint-service/{service}").as_str())
    );
}
