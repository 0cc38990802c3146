//! NAT gateways through the API: the documents, the Elastic IP and interface they take, the
//! states, filters, errors, and routes to them.

use crate::{all, code, first, memory_api, ok};
use api::Api;

/// A VPC with an internet gateway and a subnet: (vpc, subnet).
fn network(api: &Api) -> (String, String) {
    let vpc = ok(api, &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")]);
    let vpc = first(&vpc, "vpcId").unwrap().to_owned();
    let igw = ok(api, &[("Action", "CreateInternetGateway")]);
    let igw = first(&igw, "internetGatewayId").unwrap().to_owned();
    ok(api, &[("Action", "AttachInternetGateway"), ("InternetGatewayId", &igw), ("VpcId", &vpc)]);
    let subnet =
        ok(api, &[("Action", "CreateSubnet"), ("VpcId", &vpc), ("CidrBlock", "10.0.1.0/24")]);
    (vpc, first(&subnet, "subnetId").unwrap().to_owned())
}

#[test]
fn a_public_nat_gateway_is_created_listed_and_deleted() {
    let api = memory_api();
    let (vpc, subnet) = network(&api);
    let eip = ok(&api, &[("Action", "AllocateAddress"), ("Domain", "vpc")]);
    let (eip, public_ip) = (
        first(&eip, "allocationId").unwrap().to_owned(),
        first(&eip, "publicIp").unwrap().to_owned(),
    );
    let created = ok(
        &api,
        &[
            ("Action", "CreateNatGateway"),
            ("SubnetId", &subnet),
            ("AllocationId", &eip),
            ("ClientToken", "tok-1"),
            ("TagSpecification.1.ResourceType", "natgateway"),
            ("TagSpecification.1.Tag.1.Key", "Name"),
            ("TagSpecification.1.Tag.1.Value", "nat-a"),
        ],
    );
    assert_eq!(first(&created, "state"), Some("pending"));
    assert_eq!(first(&created, "clientToken"), Some("tok-1"));
    let nat = first(&created, "natGatewayId").unwrap().to_owned();
    assert!(nat.starts_with("nat-"));
    // The same client token gives the same gateway.
    let again = ok(
        &api,
        &[
            ("Action", "CreateNatGateway"),
            ("SubnetId", &subnet),
            ("AllocationId", &eip),
            ("ClientToken", "tok-1"),
        ],
    );
    assert_eq!(first(&again, "natGatewayId"), Some(nat.as_str()));

    let d = ok(&api, &[("Action", "DescribeNatGateways"), ("NatGatewayId.1", &nat)]);
    assert_eq!(first(&d, "state"), Some("available"));
    assert_eq!(first(&d, "connectivityType"), Some("public"));
    assert_eq!(first(&d, "vpcId"), Some(vpc.as_str()));
    assert_eq!(first(&d, "publicIp"), Some(public_ip.as_str()));
    assert_eq!(first(&d, "isPrimary"), Some("true"));
    assert_eq!(first(&d, "status"), Some("succeeded"));
    let eni = first(&d, "networkInterfaceId").unwrap().to_owned();
    let private_ip = first(&d, "privateIp").unwrap().to_owned();

    // The Elastic IP is associated with the gateway's interface.
    let a = ok(&api, &[("Action", "DescribeAddresses"), ("AllocationId.1", &eip)]);
    assert_eq!(first(&a, "networkInterfaceId"), Some(eni.as_str()));
    assert_eq!(first(&a, "privateIpAddress"), Some(private_ip.as_str()));
    assert_eq!(
        code(&api, &[("Action", "ReleaseAddress"), ("AllocationId", &eip)]),
        "InvalidIPAddress.InUse"
    );
    let e = ok(&api, &[("Action", "DescribeNetworkInterfaces"), ("NetworkInterfaceId.1", &eni)]);
    assert_eq!(first(&e, "interfaceType"), Some("nat_gateway"));
    assert_eq!(first(&e, "requesterManaged"), Some("true"));
    assert_eq!(first(&e, "description"), Some(format!("Interface for NAT Gateway {nat}").as_str()));

    // Filters.
    for (name, value, hits) in [
        ("state", "available", 1),
        ("state", "deleted", 0),
        ("subnet-id", subnet.as_str(), 1),
        ("vpc-id", vpc.as_str(), 1),
        ("nat-gateway-id", nat.as_str(), 1),
        ("tag:Name", "nat-a", 1),
        ("tag-key", "Other", 0),
    ] {
        let d = ok(
            &api,
            &[
                ("Action", "DescribeNatGateways"),
                ("Filter.1.Name", name),
                ("Filter.1.Value.1", value),
            ],
        );
        assert_eq!(all(&d, "natGatewayId").len(), hits, "{name}={value}");
    }

    // A route to it; the VPC and the subnet cannot go while it lives.
    let rtb = ok(&api, &[("Action", "CreateRouteTable"), ("VpcId", &vpc)]);
    let rtb = first(&rtb, "routeTableId").unwrap().to_owned();
    ok(
        &api,
        &[
            ("Action", "CreateRoute"),
            ("RouteTableId", &rtb),
            ("DestinationCidrBlock", "0.0.0.0/0"),
            ("NatGatewayId", &nat),
        ],
    );
    assert_eq!(
        code(
            &api,
            &[
                ("Action", "CreateRoute"),
                ("RouteTableId", &rtb),
                ("DestinationCidrBlock", "1.0.0.0/8"),
                ("NatGatewayId", "nat-0123456789abcdef0")
            ]
        ),
        "InvalidNatGatewayID.NotFound"
    );
    assert_eq!(
        code(&api, &[("Action", "DeleteSubnet"), ("SubnetId", &subnet)]),
        "DependencyViolation"
    );
    assert_eq!(code(&api, &[("Action", "DeleteVpc"), ("VpcId", &vpc)]), "DependencyViolation");

    let del = ok(&api, &[("Action", "DeleteNatGateway"), ("NatGatewayId", &nat)]);
    assert_eq!(first(&del, "natGatewayId"), Some(nat.as_str()));
    let d = ok(&api, &[("Action", "DescribeNatGateways"), ("NatGatewayId.1", &nat)]);
    assert_eq!(first(&d, "state"), Some("deleted"));
    assert!(first(&d, "deleteTime").is_some());
    let routes = ok(&api, &[("Action", "DescribeRouteTables"), ("RouteTableId.1", &rtb)]);
    assert!(routes.contains("<state>blackhole</state>"), "{routes}");
    let a = ok(&api, &[("Action", "DescribeAddresses"), ("AllocationId.1", &eip)]);
    assert_eq!(first(&a, "networkInterfaceId"), None);
    ok(&api, &[("Action", "ReleaseAddress"), ("AllocationId", &eip)]);
    ok(&api, &[("Action", "DeleteSubnet"), ("SubnetId", &subnet)]);
}

#[test]
fn nat_gateway_errors() {
    let api = memory_api();
    let (_, subnet) = network(&api);
    let missing = "nat-0123456789abcdef0";
    assert_eq!(
        code(&api, &[("Action", "DescribeNatGateways"), ("NatGatewayId.1", missing)]),
        "NatGatewayNotFound"
    );
    assert_eq!(
        code(&api, &[("Action", "DeleteNatGateway"), ("NatGatewayId", missing)]),
        "NatGatewayNotFound"
    );
    assert_eq!(
        code(
            &api,
            &[
                ("Action", "CreateNatGateway"),
                ("SubnetId", "subnet-0123456789abcdef0"),
                ("ConnectivityType", "private")
            ]
        ),
        "InvalidSubnetID.NotFound"
    );
    assert_eq!(
        code(
            &api,
            &[
                ("Action", "CreateNatGateway"),
                ("SubnetId", &subnet),
                ("AllocationId", "eipalloc-0123456789abcdef0")
            ]
        ),
        "InvalidAllocationID.NotFound"
    );
    assert_eq!(
        code(&api, &[("Action", "CreateNatGateway"), ("SubnetId", &subnet)]),
        "MissingParameter"
    );
    assert_eq!(
        code(
            &api,
            &[
                ("Action", "CreateNatGateway"),
                ("SubnetId", &subnet),
                ("ConnectivityType", "private"),
                ("PrivateIpAddress", "10.9.9.9")
            ]
        ),
        "InvalidParameterValue"
    );
    assert_eq!(
        code(
            &api,
            &[
                ("Action", "DescribeNatGateways"),
                ("Filter.1.Name", "bogus"),
                ("Filter.1.Value.1", "x")
            ]
        ),
        "InvalidParameterValue"
    );
    // Private gateways: no Elastic IP, chosen and counted secondary addresses; pagination.
    let p = ok(
        &api,
        &[
            ("Action", "CreateNatGateway"),
            ("SubnetId", &subnet),
            ("ConnectivityType", "private"),
            ("PrivateIpAddress", "10.0.1.50"),
            ("SecondaryPrivateIpAddressCount", "2"),
        ],
    );
    assert_eq!(first(&p, "connectivityType"), Some("private"));
    assert_eq!(all(&p, "privateIp"), ["10.0.1.50", "10.0.1.4", "10.0.1.5"]);
    assert_eq!(first(&p, "publicIp"), None);
    for _ in 0..4 {
        ok(
            &api,
            &[
                ("Action", "CreateNatGateway"),
                ("SubnetId", &subnet),
                ("ConnectivityType", "private"),
            ],
        );
    }
    assert_eq!(
        code(
            &api,
            &[
                ("Action", "CreateNatGateway"),
                ("SubnetId", &subnet),
                ("ConnectivityType", "private")
            ]
        ),
        "NatGatewayLimitExceeded"
    );
    // A deleted gateway is still listed, and frees its place in the zone.
    let first_id = first(&p, "natGatewayId").unwrap().to_owned();
    ok(&api, &[("Action", "DeleteNatGateway"), ("NatGatewayId", &first_id)]);
    ok(
        &api,
        &[("Action", "CreateNatGateway"), ("SubnetId", &subnet), ("ConnectivityType", "private")],
    );
    let page = ok(&api, &[("Action", "DescribeNatGateways"), ("MaxResults", "5")]);
    assert_eq!(all(&page, "natGatewayId").len(), 5);
    let token = first(&page, "nextToken").unwrap().to_owned();
    let rest =
        ok(&api, &[("Action", "DescribeNatGateways"), ("MaxResults", "5"), ("NextToken", &token)]);
    assert_eq!(all(&rest, "natGatewayId").len(), 1);
    assert_eq!(
        code(&api, &[("Action", "DescribeNatGateways"), ("MaxResults", "3")]),
        "InvalidParameterValue"
    );
}
