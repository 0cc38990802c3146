//! Accounts through `Api::handle`: another account's resource answers as a missing one (or as
//! AWS answers for another account's).

use crate::{call_as, first, memory_api};
use api::Api;
use model::Scope;

/// The account of the default access key, and another.
const A: &str = api::DEFAULT_ACCOUNT;
const B: &str = "222222222222";

fn at(account: &str) -> Scope {
    Scope::new(account, "us-east-1")
}

fn ok_as(api: &Api, account: &str, pairs: &[(&str, &str)]) -> String {
    let r = call_as(api, at(account), pairs);
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

/// The status and code of a failed EC2 call.
fn refused_as(api: &Api, account: &str, pairs: &[(&str, &str)]) -> (u16, String) {
    let r = call_as(api, at(account), pairs);
    assert_ne!(r.status, 200, "{}", r.body);
    (r.status, first(&r.body, "Code").unwrap_or_default().to_owned())
}

fn created(api: &Api, account: &str, pairs: &[(&str, &str)], id: &str) -> String {
    first(&ok_as(api, account, pairs), id).unwrap().to_owned()
}

#[test]
fn a_route_names_only_the_callers_vpc_endpoints() {
    let api = memory_api();
    let vpc = created(&api, A, &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")], "vpcId");
    let endpoint = created(
        &api,
        A,
        &[
            ("Action", "CreateVpcEndpoint"),
            ("VpcId", &vpc),
            ("ServiceName", "com.amazonaws.us-east-1.s3"),
        ],
        "vpcEndpointId",
    );
    let rtb = created(&api, A, &[("Action", "CreateRouteTable"), ("VpcId", &vpc)], "routeTableId");
    let route = |account: &str, table: &str, target: &str| {
        call_as(
            &api,
            at(account),
            &[
                ("Action", "CreateRoute"),
                ("RouteTableId", table),
                ("DestinationCidrBlock", "192.168.0.0/16"),
                ("VpcEndpointId", target),
            ],
        )
    };
    let theirs =
        created(&api, B, &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")], "vpcId");
    let their_rtb =
        created(&api, B, &[("Action", "CreateRouteTable"), ("VpcId", &theirs)], "routeTableId");
    let foreign = route(B, &their_rtb, &endpoint);
    let missing = route(B, &their_rtb, "vpce-0123456789abcdef0");
    assert_eq!(
        first(&foreign.body, "Code"),
        Some("InvalidVpcEndpointId.NotFound"),
        "{}",
        foreign.body
    );
    assert_eq!(first(&missing.body, "Code"), first(&foreign.body, "Code"));
    // The owner's route to its own endpoint is taken, and active.
    assert_eq!(route(A, &rtb, &endpoint).status, 200);
    let tables = ok_as(&api, A, &[("Action", "DescribeRouteTables"), ("RouteTableId.1", &rtb)]);
    let route = format!(
        "<gatewayId>{endpoint}</gatewayId><origin>CreateRoute</origin><state>active</state>"
    );
    assert!(tables.contains(&route), "{tables}");
}

#[test]
fn traffic_mirror_targets_are_the_callers_load_balancers() {
    let api = memory_api();
    let nlb = crate::privatelink::nlb(&api);
    let target = |account: &str, arn: &str| {
        call_as(
            &api,
            at(account),
            &[("Action", "CreateTrafficMirrorTarget"), ("NetworkLoadBalancerArn", arn)],
        )
    };
    let foreign = target(B, &nlb);
    assert_eq!(first(&foreign.body, "Code"), Some("InvalidParameterValue"), "{}", foreign.body);
    let missing = target(A, &nlb.replace("loadbalancer/net/svc/", "loadbalancer/net/gone/"));
    assert_eq!(first(&missing.body, "Code"), Some("InvalidParameterValue"));
    assert_eq!(target(A, &nlb).status, 200);
}

#[test]
fn another_accounts_elastic_ip_is_missing_to_reads_and_not_its_to_release() {
    let api = memory_api();
    let eip = created(&api, A, &[("Action", "AllocateAddress"), ("Domain", "vpc")], "allocationId");
    for action in ["DescribeAddresses", "DescribeAddressesAttribute"] {
        let got = refused_as(&api, B, &[("Action", action), ("AllocationId.1", &eip)]);
        assert_eq!(got, (400, "InvalidAllocationID.NotFound".into()), "{action}");
    }
    // AWS's answer to releasing another account's address: it "does not belong to you".
    assert_eq!(
        refused_as(&api, B, &[("Action", "ReleaseAddress"), ("AllocationId", &eip)]).1,
        "AuthFailure"
    );
    assert!(ok_as(&api, A, &[("Action", "DescribeAddresses")]).contains(&eip));
}

#[test]
fn tagging_another_accounts_resource_answers_its_kinds_not_found() {
    let api = memory_api();
    let tgw = created(&api, A, &[("Action", "CreateTransitGateway")], "transitGatewayId");
    for (account, id) in [(B, tgw.as_str()), (A, "tgw-0123456789abcdef0")] {
        let got = refused_as(
            &api,
            account,
            &[
                ("Action", "CreateTags"),
                ("ResourceId.1", id),
                ("Tag.1.Key", "k"),
                ("Tag.1.Value", "v"),
            ],
        );
        assert_eq!(got, (400, "InvalidTransitGatewayID.NotFound".into()));
    }
}
