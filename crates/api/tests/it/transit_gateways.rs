//! Transit gateways through the API: gateways, VPC attachments, route tables with
//! associations, propagations and static routes, and VPC routes to a gateway.

use crate::{all, code, first, memory_api, ok};
use api::Api;

fn vpc_with_subnet(api: &Api, cidr: &str, subnet: &str) -> (String, String) {
    let v = ok(api, &[("Action", "CreateVpc"), ("CidrBlock", cidr)]);
    let vpc = first(&v, "vpcId").unwrap().to_owned();
    let s = ok(
        api,
        &[
            ("Action", "CreateSubnet"),
            ("VpcId", &vpc),
            ("CidrBlock", subnet),
            ("AvailabilityZone", "us-east-1a"),
        ],
    );
    (vpc, first(&s, "subnetId").unwrap().to_owned())
}

fn tgw(api: &Api) -> (String, String) {
    let g = ok(
        api,
        &[
            ("Action", "CreateTransitGateway"),
            ("Description", "hub"),
            ("TagSpecification.1.ResourceType", "transit-gateway"),
            ("TagSpecification.1.Tag.1.Key", "Name"),
            ("TagSpecification.1.Tag.1.Value", "hub"),
        ],
    );
    assert_eq!(first(&g, "state"), Some("pending"));
    assert_eq!(first(&g, "amazonSideAsn"), Some("64512"));
    assert_eq!(first(&g, "defaultRouteTableAssociation"), Some("enable"));
    let id = first(&g, "transitGatewayId").unwrap().to_owned();
    let rtb = first(&g, "associationDefaultRouteTableId").unwrap().to_owned();
    assert_eq!(first(&g, "propagationDefaultRouteTableId"), Some(rtb.as_str()));
    (id, rtb)
}

fn attach(api: &Api, tgw: &str, vpc: &str, subnet: &str) -> String {
    let a = ok(
        api,
        &[
            ("Action", "CreateTransitGatewayVpcAttachment"),
            ("TransitGatewayId", tgw),
            ("VpcId", vpc),
            ("SubnetIds.1", subnet),
        ],
    );
    assert_eq!(first(&a, "state"), Some("pending"));
    first(&a, "transitGatewayAttachmentId").unwrap().to_owned()
}

#[test]
fn hub_and_spoke_routes_and_describes() {
    let api = memory_api();
    let (id, rtb) = tgw(&api);
    let d = ok(&api, &[("Action", "DescribeTransitGateways"), ("TransitGatewayIds.1", &id)]);
    assert_eq!(first(&d, "state"), Some("available"));
    assert!(d.contains(":transit-gateway/tgw-"), "{d}");
    let by_tag = ok(
        &api,
        &[
            ("Action", "DescribeTransitGateways"),
            ("Filter.1.Name", "tag:Name"),
            ("Filter.1.Value.1", "hub"),
        ],
    );
    assert_eq!(all(&by_tag, "transitGatewayId"), vec![id.as_str()]);
    let mut atts = vec![];
    for i in 1..=3 {
        let (vpc, subnet) =
            vpc_with_subnet(&api, &format!("10.{i}.0.0/16"), &format!("10.{i}.1.0/24"));
        atts.push((vpc.clone(), attach(&api, &id, &vpc, &subnet)));
    }
    let listed = ok(&api, &[("Action", "DescribeTransitGatewayAttachments")]);
    assert_eq!(all(&listed, "transitGatewayAttachmentId").len(), 3);
    assert_eq!(all(&listed, "resourceType"), vec!["vpc"; 3]);
    assert!(listed.contains(&format!("<transitGatewayRouteTableId>{rtb}")), "{listed}");
    let vpcs = ok(
        &api,
        &[
            ("Action", "DescribeTransitGatewayVpcAttachments"),
            ("Filter.1.Name", "vpc-id"),
            ("Filter.1.Value.1", &atts[0].0),
        ],
    );
    assert_eq!(all(&vpcs, "transitGatewayAttachmentId"), vec![atts[0].1.as_str()]);
    assert_eq!(first(&vpcs, "state"), Some("available"));
    // Propagated routes, one per VPC.
    let search = |filters: &[(&str, &str)]| {
        let mut pairs = vec![
            ("Action", "SearchTransitGatewayRoutes"),
            ("TransitGatewayRouteTableId", rtb.as_str()),
        ];
        pairs.extend_from_slice(filters);
        ok(&api, &pairs)
    };
    let routes = search(&[("Filter.1.Name", "type"), ("Filter.1.Value.1", "propagated")]);
    assert_eq!(
        all(&routes, "destinationCidrBlock"),
        vec!["10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"]
    );
    // A blackhole static route, found by longest prefix.
    ok(
        &api,
        &[
            ("Action", "CreateTransitGatewayRoute"),
            ("TransitGatewayRouteTableId", &rtb),
            ("DestinationCidrBlock", "10.2.9.0/24"),
            ("Blackhole", "true"),
        ],
    );
    let lpm = search(&[
        ("Filter.1.Name", "route-search.longest-prefix-match"),
        ("Filter.1.Value.1", "10.2.9.7/32"),
    ]);
    assert_eq!(all(&lpm, "destinationCidrBlock"), vec!["10.2.9.0/24"]);
    assert_eq!(first(&lpm, "state"), Some("blackhole"));
    assert_eq!(first(&lpm, "type"), Some("static"));
    assert_eq!(
        code(
            &api,
            &[
                ("Action", "CreateTransitGatewayRoute"),
                ("TransitGatewayRouteTableId", &rtb),
                ("DestinationCidrBlock", "10.2.9.0/24"),
                ("Blackhole", "true"),
            ]
        ),
        "RouteAlreadyExists"
    );
    ok(
        &api,
        &[
            ("Action", "ReplaceTransitGatewayRoute"),
            ("TransitGatewayRouteTableId", &rtb),
            ("DestinationCidrBlock", "10.2.9.0/24"),
            ("TransitGatewayAttachmentId", &atts[0].1),
        ],
    );
    let exact = search(&[
        ("Filter.1.Name", "route-search.exact-match"),
        ("Filter.1.Value.1", "10.2.9.0/24"),
        ("Filter.2.Name", "type"),
        ("Filter.2.Value.1", "static"),
    ]);
    assert_eq!(first(&exact, "state"), Some("active"));
    assert_eq!(first(&exact, "resourceId"), Some(atts[0].0.as_str()));
    // Associations and propagations of the default table.
    let assoc = ok(
        &api,
        &[
            ("Action", "GetTransitGatewayRouteTableAssociations"),
            ("TransitGatewayRouteTableId", &rtb),
        ],
    );
    assert_eq!(all(&assoc, "transitGatewayAttachmentId").len(), 3);
    let props = ok(
        &api,
        &[
            ("Action", "GetTransitGatewayRouteTablePropagations"),
            ("TransitGatewayRouteTableId", &rtb),
            ("Filter.1.Name", "transit-gateway-attachment-id"),
            ("Filter.1.Value.1", &atts[1].1),
        ],
    );
    assert_eq!(all(&props, "state"), vec!["enabled"]);
    // A VPC route to the gateway, shown in DescribeRouteTables, active while attached.
    let tables = ok(
        &api,
        &[
            ("Action", "DescribeRouteTables"),
            ("Filter.1.Name", "vpc-id"),
            ("Filter.1.Value.1", &atts[0].0),
        ],
    );
    let main = first(&tables, "routeTableId").unwrap().to_owned();
    ok(
        &api,
        &[
            ("Action", "CreateRoute"),
            ("RouteTableId", &main),
            ("DestinationCidrBlock", "10.0.0.0/8"),
            ("TransitGatewayId", &id),
        ],
    );
    let shown = ok(&api, &[("Action", "DescribeRouteTables"), ("RouteTableId.1", &main)]);
    assert!(shown.contains(&format!("<transitGatewayId>{id}</transitGatewayId>")), "{shown}");
    assert!(!shown.contains("blackhole"), "{shown}");
    ok(
        &api,
        &[
            ("Action", "DeleteTransitGatewayVpcAttachment"),
            ("TransitGatewayAttachmentId", &atts[0].1),
        ],
    );
    let shown = ok(&api, &[("Action", "DescribeRouteTables"), ("RouteTableId.1", &main)]);
    assert!(shown.contains("blackhole"), "{shown}");
    assert_eq!(
        code(
            &api,
            &[
                ("Action", "CreateRoute"),
                ("RouteTableId", &main),
                ("DestinationCidrBlock", "192.168.0.0/16"),
                ("TransitGatewayId", "tgw-0123456789abcdef0"),
            ]
        ),
        "InvalidTransitGatewayID.NotFound"
    );
    // The deleted attachment is listed as such.
    let gone = ok(
        &api,
        &[
            ("Action", "DescribeTransitGatewayAttachments"),
            ("TransitGatewayAttachmentIds.1", &atts[0].1),
        ],
    );
    assert_eq!(first(&gone, "state"), Some("deleted"));
}

#[test]
fn route_tables_associations_and_errors() {
    let api = memory_api();
    let (id, default) = tgw(&api);
    let (vpc, subnet) = vpc_with_subnet(&api, "10.0.0.0/16", "10.0.1.0/24");
    let att = attach(&api, &id, &vpc, &subnet);
    let s2 = ok(
        &api,
        &[
            ("Action", "CreateSubnet"),
            ("VpcId", &vpc),
            ("CidrBlock", "10.0.2.0/24"),
            ("AvailabilityZone", "us-east-1a"),
        ],
    );
    let s2 = first(&s2, "subnetId").unwrap().to_owned();
    assert_eq!(
        code(
            &api,
            &[
                ("Action", "CreateTransitGatewayVpcAttachment"),
                ("TransitGatewayId", &id),
                ("VpcId", &vpc),
                ("SubnetIds.1", &subnet),
            ]
        ),
        "DuplicateTransitGatewayAttachment"
    );
    assert_eq!(
        code(
            &api,
            &[
                ("Action", "ModifyTransitGatewayVpcAttachment"),
                ("TransitGatewayAttachmentId", &att),
                ("AddSubnetIds.1", &s2),
            ]
        ),
        "DuplicateSubnetsInSameZone"
    );
    let rt = ok(
        &api,
        &[
            ("Action", "CreateTransitGatewayRouteTable"),
            ("TransitGatewayId", &id),
            ("TagSpecifications.1.ResourceType", "transit-gateway-route-table"),
            ("TagSpecifications.1.Tag.1.Key", "Name"),
            ("TagSpecifications.1.Tag.1.Value", "spokes"),
        ],
    );
    let rtb = first(&rt, "transitGatewayRouteTableId").unwrap().to_owned();
    let assoc = [
        ("Action", "AssociateTransitGatewayRouteTable"),
        ("TransitGatewayRouteTableId", rtb.as_str()),
        ("TransitGatewayAttachmentId", att.as_str()),
    ];
    assert_eq!(code(&api, &assoc), "Resource.AlreadyAssociated");
    ok(
        &api,
        &[
            ("Action", "DisassociateTransitGatewayRouteTable"),
            ("TransitGatewayRouteTableId", &default),
            ("TransitGatewayAttachmentId", &att),
        ],
    );
    let a = ok(&api, &assoc);
    assert_eq!(first(&a, "state"), Some("associating"));
    let enable = [
        ("Action", "EnableTransitGatewayRouteTablePropagation"),
        ("TransitGatewayRouteTableId", default.as_str()),
        ("TransitGatewayAttachmentId", att.as_str()),
    ];
    assert_eq!(code(&api, &enable), "TransitGatewayRouteTablePropagation.Duplicate");
    let tables = ok(
        &api,
        &[
            ("Action", "DescribeTransitGatewayRouteTables"),
            ("Filter.1.Name", "default-association-route-table"),
            ("Filter.1.Value.1", "false"),
        ],
    );
    assert_eq!(all(&tables, "transitGatewayRouteTableId"), vec![rtb.as_str()]);
    assert_eq!(
        code(
            &api,
            &[("Action", "DeleteTransitGatewayRouteTable"), ("TransitGatewayRouteTableId", &rtb)]
        ),
        "IncorrectState"
    );
    assert_eq!(
        code(&api, &[("Action", "DeleteTransitGateway"), ("TransitGatewayId", &id)]),
        "IncorrectState"
    );
    assert_eq!(
        code(
            &api,
            &[
                ("Action", "DescribeTransitGatewayRouteTables"),
                ("TransitGatewayRouteTableIds.1", "tgw-rtb-0123456789abcdef0"),
            ]
        ),
        "InvalidRouteTableID.NotFound"
    );
    assert_eq!(
        code(
            &api,
            &[
                ("Action", "DescribeTransitGateways"),
                ("TransitGatewayIds.1", "tgw-0123456789abcdef0")
            ]
        ),
        "InvalidTransitGatewayID.NotFound"
    );
    assert_eq!(
        code(
            &api,
            &[
                ("Action", "DeleteTransitGatewayVpcAttachment"),
                ("TransitGatewayAttachmentId", "tgw-attach-0123456789abcdef0")
            ]
        ),
        "InvalidTransitGatewayAttachmentID.NotFound"
    );
    assert_eq!(
        code(
            &api,
            &[("Action", "DeleteTransitGateway"), ("TransitGatewayId", &id), ("DryRun", "true")]
        ),
        "DryRunOperation"
    );
    // Tear down in order.
    ok(
        &api,
        &[("Action", "DeleteTransitGatewayVpcAttachment"), ("TransitGatewayAttachmentId", &att)],
    );
    ok(&api, &[("Action", "DeleteTransitGatewayRouteTable"), ("TransitGatewayRouteTableId", &rtb)]);
    let d = ok(&api, &[("Action", "DeleteTransitGateway"), ("TransitGatewayId", &id)]);
    assert_eq!(first(&d, "state"), Some("deleting"));
    let listed = ok(&api, &[("Action", "DescribeTransitGateways")]);
    assert_eq!(first(&listed, "state"), Some("deleted"));
    ok(&api, &[("Action", "DeleteSubnet"), ("SubnetId", &subnet)]);
}

#[test]
fn modify_and_tags() {
    let api = memory_api();
    let (id, _) = tgw(&api);
    let m = ok(
        &api,
        &[
            ("Action", "ModifyTransitGateway"),
            ("TransitGatewayId", &id),
            ("Options.DnsSupport", "disable"),
            ("Options.AddTransitGatewayCidrBlocks.1", "10.99.0.0/24"),
        ],
    );
    assert_eq!(first(&m, "dnsSupport"), Some("disable"));
    ok(
        &api,
        &[
            ("Action", "CreateTags"),
            ("ResourceId.1", &id),
            ("Tag.1.Key", "env"),
            ("Tag.1.Value", "x"),
        ],
    );
    let d = ok(
        &api,
        &[
            ("Action", "DescribeTransitGateways"),
            ("Filter.1.Name", "options.dns-support"),
            ("Filter.1.Value.1", "disable"),
        ],
    );
    assert_eq!(all(&d, "transitGatewayId"), vec![id.as_str()]);
    assert!(d.contains("<key>env</key>"), "{d}");
    assert!(d.contains("<item>10.99.0.0/24</item>"), "{d}");
    assert_eq!(
        code(&api, &[("Action", "CreateTransitGateway"), ("Options.AmazonSideAsn", "12")]),
        "InvalidParameterValue"
    );
    assert_eq!(
        code(
            &api,
            &[
                ("Action", "DescribeTransitGateways"),
                ("Filter.1.Name", "bogus"),
                ("Filter.1.Value.1", "x")
            ]
        ),
        "InvalidParameterValue"
    );
}
