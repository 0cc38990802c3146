//! VPC endpoints through the API: the documents, the routes a gateway endpoint adds, the
//! interfaces of an interface endpoint, filters and errors, and rollback of a failed create.

use crate::{all, code, first, memory_api, ok};
use api::Api;

/// A VPC with a subnet and a route table: (vpc, subnet, table).
fn network(api: &Api) -> (String, String, String) {
    let vpc = ok(api, &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")]);
    let vpc = first(&vpc, "vpcId").unwrap().to_owned();
    let subnet = ok(
        api,
        &[
            ("Action", "CreateSubnet"),
            ("VpcId", &vpc),
            ("CidrBlock", "10.0.1.0/24"),
            ("AvailabilityZone", "us-east-1a"),
        ],
    );
    let rt = ok(api, &[("Action", "CreateRouteTable"), ("VpcId", &vpc)]);
    (
        vpc,
        first(&subnet, "subnetId").unwrap().to_owned(),
        first(&rt, "routeTableId").unwrap().to_owned(),
    )
}

#[test]
fn a_gateway_endpoint_routes_its_tables_and_is_deleted() {
    let api = memory_api();
    let (vpc, _, rt) = network(&api);
    let created = ok(
        &api,
        &[
            ("Action", "CreateVpcEndpoint"),
            ("VpcId", &vpc),
            ("ServiceName", "com.amazonaws.us-east-1.s3"),
            ("RouteTableId.1", &rt),
            ("TagSpecification.1.ResourceType", "vpc-endpoint"),
            ("TagSpecification.1.Tag.1.Key", "Name"),
            ("TagSpecification.1.Tag.1.Value", "s3"),
        ],
    );
    let id = first(&created, "vpcEndpointId").unwrap().to_owned();
    assert_eq!(first(&created, "vpcEndpointType"), Some("Gateway"));
    assert_eq!(first(&created, "state"), Some("available"));
    let pl = model::prefix_list::id_for("com.amazonaws.us-east-1.s3");
    let tables = ok(&api, &[("Action", "DescribeRouteTables"), ("RouteTableId.1", &rt)]);
    assert!(all(&tables, "destinationPrefixListId").contains(&pl.as_str()), "{tables}");
    assert!(all(&tables, "gatewayId").contains(&id.as_str()));

    let again = [
        ("Action", "CreateVpcEndpoint"),
        ("VpcId", vpc.as_str()),
        ("ServiceName", "com.amazonaws.us-east-1.s3"),
        ("RouteTableId.1", rt.as_str()),
    ];
    assert_eq!(code(&api, &again), "RouteAlreadyExists");
    // The failed create left nothing behind.
    let listed = ok(&api, &[("Action", "DescribeVpcEndpoints")]);
    assert_eq!(all(&listed, "vpcEndpointId"), [id.as_str()]);

    let filtered = ok(
        &api,
        &[
            ("Action", "DescribeVpcEndpoints"),
            ("Filter.1.Name", "service-name"),
            ("Filter.1.Value.1", "com.amazonaws.us-east-1.dynamodb"),
        ],
    );
    assert!(all(&filtered, "vpcEndpointId").is_empty());
    let bad = [("Action", "DescribeVpcEndpoints"), ("VpcEndpointId.1", "vpce-0123456789abcdef0")];
    assert_eq!(code(&api, &bad), "InvalidVpcEndpointId.NotFound");
    let bad = [
        ("Action", "CreateVpcEndpoint"),
        ("VpcId", vpc.as_str()),
        ("ServiceName", "com.amazonaws.us-east-1.nosuch"),
    ];
    assert_eq!(code(&api, &bad), "InvalidServiceName");

    let deleted = ok(&api, &[("Action", "DeleteVpcEndpoints"), ("VpcEndpointId.1", &id)]);
    assert!(first(&deleted, "resourceId").is_none(), "{deleted}");
    let tables = ok(&api, &[("Action", "DescribeRouteTables"), ("RouteTableId.1", &rt)]);
    assert!(!all(&tables, "gatewayId").contains(&id.as_str()));
}

#[test]
fn an_interface_endpoint_has_a_requester_managed_interface() {
    let api = memory_api();
    let (vpc, subnet, _) = network(&api);
    let created = ok(
        &api,
        &[
            ("Action", "CreateVpcEndpoint"),
            ("VpcId", &vpc),
            ("VpcEndpointType", "Interface"),
            ("ServiceName", "com.amazonaws.us-east-1.sts"),
            ("SubnetId.1", &subnet),
            ("PrivateDnsEnabled", "false"),
        ],
    );
    let open = "<networkInterfaceIdSet><item>";
    let at = created.find(open).unwrap() + open.len();
    let eni: String = created[at..].chars().take_while(|c| *c != '<').collect();
    let described =
        ok(&api, &[("Action", "DescribeNetworkInterfaces"), ("NetworkInterfaceId.1", &eni)]);
    assert_eq!(first(&described, "interfaceType"), Some("vpc_endpoint"));
    assert_eq!(first(&described, "requesterManaged"), Some("true"));
    let services = ok(&api, &[("Action", "DescribeVpcEndpointServices")]);
    assert!(all(&services, "serviceName").contains(&"com.amazonaws.us-east-1.ecr.dkr"));
}
