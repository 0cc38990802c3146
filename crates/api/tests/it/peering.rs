//! VPC peering connections through the API: both accounts' views, states, errors, routes.

use crate::{all, call, call_as, first, memory_api, scope};
use api::Api;
use model::Scope;

fn vpc_as(api: &Api, who: &Scope, cidr: &str) -> String {
    let r = call_as(api, who.clone(), &[("Action", "CreateVpc"), ("CidrBlock", cidr)]);
    first(&r.body, "vpcId").unwrap().to_owned()
}

fn other() -> Scope {
    Scope::new("111122223333", "us-east-1")
}

fn status(api: &Api, who: &Scope, id: &str) -> String {
    let r = call_as(
        api,
        who.clone(),
        &[("Action", "DescribeVpcPeeringConnections"), ("VpcPeeringConnectionId.1", id)],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    first(&r.body, "code").unwrap().to_owned()
}

#[test]
fn cross_account_request_is_accepted_by_the_other_account() {
    let api = memory_api();
    let a = vpc_as(&api, &scope(), "10.0.0.0/16");
    let b = vpc_as(&api, &other(), "10.1.0.0/16");
    let r = call(
        &api,
        &[
            ("Action", "CreateVpcPeeringConnection"),
            ("VpcId", &a),
            ("PeerVpcId", &b),
            ("PeerOwnerId", "111122223333"),
            ("TagSpecification.1.ResourceType", "vpc-peering-connection"),
            ("TagSpecification.1.Tag.1.Key", "Name"),
            ("TagSpecification.1.Tag.1.Value", "a-to-b"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let id = first(&r.body, "vpcPeeringConnectionId").unwrap().to_owned();
    assert_eq!(first(&r.body, "code"), Some("initiating-request"));
    assert!(r.body.contains("<message>Initiating Request to 111122223333</message>"), "{}", r.body);
    assert_eq!(status(&api, &scope(), &id), "pending-acceptance");
    assert_eq!(status(&api, &other(), &id), "pending-acceptance");
    // The requester cannot accept its own cross-account request.
    let r =
        call(&api, &[("Action", "AcceptVpcPeeringConnection"), ("VpcPeeringConnectionId", &id)]);
    assert_eq!(first(&r.body, "Code"), Some("OperationNotPermitted"), "{}", r.body);
    let r = call_as(
        &api,
        other(),
        &[("Action", "AcceptVpcPeeringConnection"), ("VpcPeeringConnectionId", &id)],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(first(&r.body, "code"), Some("active"));
    assert_eq!(all(&r.body, "ownerId"), ["111122223333", "123456789012"]);
    assert!(r.body.contains("<cidrBlock>10.1.0.0/16</cidrBlock>"), "{}", r.body);
    assert!(r.body.contains("<allowDnsResolutionFromRemoteVpc>false"), "{}", r.body);
    // Filters, from either side.
    for (who, name, value, hits) in [
        (scope(), "status-code", "active", 1),
        (other(), "requester-vpc-info.vpc-id", a.as_str(), 1),
        (other(), "accepter-vpc-info.owner-id", "111122223333", 1),
        (scope(), "tag:Name", "a-to-b", 1),
        (scope(), "status-code", "pending-acceptance", 0),
    ] {
        let r = call_as(
            &api,
            who,
            &[
                ("Action", "DescribeVpcPeeringConnections"),
                ("Filter.1.Name", name),
                ("Filter.1.Value.1", value),
            ],
        );
        assert_eq!(all(&r.body, "vpcPeeringConnectionId").len(), hits, "{name}: {}", r.body);
    }
    // Options: each side its own.
    let r = call_as(
        &api,
        other(),
        &[
            ("Action", "ModifyVpcPeeringConnectionOptions"),
            ("VpcPeeringConnectionId", &id),
            ("AccepterPeeringConnectionOptions.AllowDnsResolutionFromRemoteVpc", "true"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("<accepterPeeringConnectionOptions>"), "{}", r.body);
    let r = call_as(
        &api,
        other(),
        &[("Action", "DeleteVpcPeeringConnection"), ("VpcPeeringConnectionId", &id)],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(status(&api, &scope(), &id), "deleted");
    let r =
        call(&api, &[("Action", "DeleteVpcPeeringConnection"), ("VpcPeeringConnectionId", &id)]);
    assert_eq!(first(&r.body, "Code"), Some("InvalidStateTransition"), "{}", r.body);
}

#[test]
fn overlap_fails_and_unknown_ids_are_not_found() {
    let api = memory_api();
    let a = vpc_as(&api, &scope(), "10.0.0.0/16");
    let b = vpc_as(&api, &scope(), "10.0.0.0/24");
    let r =
        call(&api, &[("Action", "CreateVpcPeeringConnection"), ("VpcId", &a), ("PeerVpcId", &b)]);
    let id = first(&r.body, "vpcPeeringConnectionId").unwrap().to_owned();
    assert_eq!(status(&api, &scope(), &id), "failed");
    let r = call(
        &api,
        &[("Action", "DescribeVpcPeeringConnections"), ("VpcPeeringConnectionId.1", &id)],
    );
    assert!(
        r.body.contains("Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range"),
        "{}",
        r.body
    );
    let r = call(
        &api,
        &[
            ("Action", "AcceptVpcPeeringConnection"),
            ("VpcPeeringConnectionId", "pcx-0123456789abcdef0"),
        ],
    );
    assert_eq!(first(&r.body, "Code"), Some("InvalidVpcPeeringConnectionID.NotFound"));
    // Another account does not see it.
    let r = call_as(
        &api,
        other(),
        &[("Action", "DescribeVpcPeeringConnections"), ("VpcPeeringConnectionId.1", &id)],
    );
    assert_eq!(first(&r.body, "Code"), Some("InvalidVpcPeeringConnectionID.NotFound"));
}

#[test]
fn routes_to_a_peering_show_blackhole_until_active() {
    let api = memory_api();
    let a = vpc_as(&api, &scope(), "10.0.0.0/16");
    let b = vpc_as(&api, &scope(), "10.1.0.0/16");
    let r =
        call(&api, &[("Action", "CreateVpcPeeringConnection"), ("VpcId", &a), ("PeerVpcId", &b)]);
    let id = first(&r.body, "vpcPeeringConnectionId").unwrap().to_owned();
    let r = call(&api, &[("Action", "CreateRouteTable"), ("VpcId", &a)]);
    let rtb = first(&r.body, "routeTableId").unwrap().to_owned();
    let r = call(
        &api,
        &[
            ("Action", "CreateRoute"),
            ("RouteTableId", &rtb),
            ("DestinationCidrBlock", "10.1.0.0/16"),
            ("VpcPeeringConnectionId", &id),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let state = || {
        let r = call(&api, &[("Action", "DescribeRouteTables"), ("RouteTableId.1", &rtb)]);
        all(&r.body, "state").last().map(|s| s.to_string()).unwrap()
    };
    assert_eq!(state(), "blackhole");
    call(&api, &[("Action", "AcceptVpcPeeringConnection"), ("VpcPeeringConnectionId", &id)]);
    assert_eq!(state(), "active");
}
