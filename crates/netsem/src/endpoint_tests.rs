//! The engine through VPC endpoints: a private subnet reaches S3 through a gateway endpoint,
//! and interface endpoints are interfaces guarded by their security groups.

use crate::lab::{Lab, codes, kinds};
use crate::packet::{TCP, UDP};
use crate::trace::codes::*;
use model::security_group::PeerRequest;

/// An address of us-east-1's S3 prefix list.
const S3_ADDRESS: &str = "52.216.0.10";

/// A private subnet (no internet route) with one instance: (lab, instance, its table).
fn private_app() -> (Lab, String, String, String) {
    let mut lab = Lab::new();
    let (subnet, table) = lab.subnet("10.0.2.0/24");
    let sg = lab.group("app");
    let app = lab.instance(&subnet, &[&sg], false);
    (lab, app, table, subnet)
}

#[test]
fn a_private_instance_reaches_s3_through_a_gateway_endpoint() {
    let (mut lab, app, table, _) = private_app();
    let t = lab.ask(&app, S3_ADDRESS, TCP, 443);
    assert!(!t.reachable());
    assert_eq!(codes(&t), [(NO_ROUTE_TO_DESTINATION, None, false)]);

    let vpce = lab.gateway_endpoint("s3", &[&table]);
    for destination in [S3_ADDRESS, vpce.as_str()] {
        let t = lab.ask(&app, destination, TCP, 443);
        assert!(t.reachable(), "{destination}: {:?}", t.explanations);
        assert_eq!(kinds(&t.forward), ["i", "eni", "sg", "acl", "rtb", "vpce"], "{destination}");
        assert_eq!(kinds(&t.back), ["vpce", "acl", "sg", "eni", "i"], "{destination}");
    }
    // Only TCP passes a gateway endpoint.
    let t = lab.ask(&app, S3_ADDRESS, UDP, 53);
    assert_eq!(codes(&t), [(VPCE_GATEWAY_PROTOCOL_RESTRICTION, None, false)]);
    // DynamoDB is not routed by an S3 endpoint.
    let t = lab.ask(&app, "52.94.0.10", TCP, 443);
    assert_eq!(codes(&t), [(NO_ROUTE_TO_DESTINATION, None, false)]);
}

#[test]
fn deleting_the_endpoint_takes_its_route_away() {
    let (mut lab, app, table, _) = private_app();
    let vpce = lab.gateway_endpoint("s3", &[&table]);
    let scope = lab.scope.clone();
    lab.world.delete_vpc_endpoint(&scope, &vpce, 0).unwrap();
    let t = lab.ask(&app, S3_ADDRESS, TCP, 443);
    assert_eq!(codes(&t), [(NO_ROUTE_TO_DESTINATION, None, false)]);
}

#[test]
fn an_instance_reaches_an_interface_endpoint_its_groups_admit() {
    let (mut lab, app, _, subnet) = private_app();
    let endpoint_sg = lab.group("endpoint");
    let (vpce, eni) = lab.interface_endpoint("ssm", &[&subnet], &[&endpoint_sg]);
    let t = lab.ask(&app, &eni, TCP, 443);
    assert!(!t.reachable());
    assert_eq!(codes(&t), [(ENI_SG_RULES_MISMATCH, Some("ingress"), false)]);
    lab.allow_in(&endpoint_sg, "tcp", 443, PeerRequest::CidrV4("10.0.0.0/16".into()));
    // A path to the endpoint ends at it, past its interface.
    for (destination, last) in [(eni.as_str(), "eni"), (vpce.as_str(), "vpce")] {
        let t = lab.ask(&app, destination, TCP, 443);
        assert!(t.reachable(), "{destination}: {:?}", t.explanations);
        assert_eq!(kinds(&t.forward).last(), Some(&last));
    }
}

#[test]
fn a_route_made_to_a_deleted_endpoint_is_a_blackhole() {
    let (mut lab, app, table, _) = private_app();
    let vpce = lab.gateway_endpoint("s3", &[]);
    lab.route_to_gateway(&table, "52.216.0.0/15", &vpce);
    assert!(lab.ask(&app, S3_ADDRESS, TCP, 443).reachable());
    let scope = lab.scope.clone();
    lab.world.delete_vpc_endpoint(&scope, &vpce, 0).unwrap();
    let t = lab.ask(&app, S3_ADDRESS, TCP, 443);
    assert_eq!(codes(&t), [(BAD_STATE_ROUTE, None, false)]);
}
