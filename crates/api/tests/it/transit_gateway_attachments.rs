//! Transit gateway attachments other than VPCs through the API: VPN connections, Direct
//! Connect gateway associations, peerings with other gateways, prefix-list references.

use crate::{all, code, first, memory_api, ok};
use api::Api;

/// A gateway with AWS's default options: (gateway, its default route table).
fn tgw(api: &Api) -> (String, String) {
    let g = ok(api, &[("Action", "CreateTransitGateway")]);
    let id = first(&g, "transitGatewayId").unwrap().to_owned();
    let rtb = first(&g, "associationDefaultRouteTableId").unwrap().to_owned();
    (id, rtb)
}

fn customer_gateway(api: &Api) -> String {
    let c = ok(
        api,
        &[
            ("Action", "CreateCustomerGateway"),
            ("Type", "ipsec.1"),
            ("BgpAsn", "65000"),
            ("IpAddress", "198.51.100.20"),
        ],
    );
    first(&c, "customerGatewayId").unwrap().to_owned()
}

#[test]
fn vpn_connections_to_a_transit_gateway() {
    let api = memory_api();
    let (tgw, rtb) = tgw(&api);
    let cgw = customer_gateway(&api);
    let v = ok(
        &api,
        &[
            ("Action", "CreateVpnConnection"),
            ("Type", "ipsec.1"),
            ("CustomerGatewayId", &cgw),
            ("TransitGatewayId", &tgw),
            ("Options.StaticRoutesOnly", "true"),
        ],
    );
    assert_eq!(first(&v, "transitGatewayId"), Some(tgw.as_str()));
    assert_eq!(first(&v, "vpnGatewayId"), None);
    let vpn = first(&v, "vpnConnectionId").unwrap().to_owned();
    ok(
        &api,
        &[
            ("Action", "CreateVpnConnectionRoute"),
            ("VpnConnectionId", &vpn),
            ("DestinationCidrBlock", "192.168.0.0/16"),
        ],
    );
    let d = ok(
        &api,
        &[
            ("Action", "DescribeVpnConnections"),
            ("Filter.1.Name", "transit-gateway-id"),
            ("Filter.1.Value.1", &tgw),
        ],
    );
    assert_eq!(all(&d, "vpnConnectionId"), vec![vpn.as_str()]);
    let atts = ok(
        &api,
        &[
            ("Action", "DescribeTransitGatewayAttachments"),
            ("Filter.1.Name", "resource-type"),
            ("Filter.1.Value.1", "vpn"),
        ],
    );
    assert_eq!(first(&atts, "resourceId"), Some(vpn.as_str()));
    assert_eq!(first(&atts, "transitGatewayRouteTableId"), Some(rtb.as_str()));
    let att = first(&atts, "transitGatewayAttachmentId").unwrap().to_owned();
    let routes = ok(
        &api,
        &[
            ("Action", "SearchTransitGatewayRoutes"),
            ("TransitGatewayRouteTableId", &rtb),
            ("Filter.1.Name", "type"),
            ("Filter.1.Value.1", "propagated"),
        ],
    );
    assert_eq!(first(&routes, "destinationCidrBlock"), Some("192.168.0.0/16"));
    assert_eq!(first(&routes, "resourceType"), Some("vpn"));
    assert_eq!(
        code(
            &api,
            &[
                ("Action", "CreateVpnConnection"),
                ("Type", "ipsec.1"),
                ("CustomerGatewayId", &cgw),
                ("TransitGatewayId", "tgw-0123456789abcdef0"),
            ],
        ),
        "InvalidTransitGatewayID.NotFound"
    );
    assert_eq!(
        code(&api, &[("Action", "DeleteTransitGateway"), ("TransitGatewayId", &tgw)]),
        "IncorrectState"
    );
    ok(&api, &[("Action", "DeleteVpnConnection"), ("VpnConnectionId", &vpn)]);
    let atts = ok(
        &api,
        &[("Action", "DescribeTransitGatewayAttachments"), ("TransitGatewayAttachmentIds.1", &att)],
    );
    assert_eq!(first(&atts, "state"), Some("deleted"));
    ok(&api, &[("Action", "DeleteTransitGateway"), ("TransitGatewayId", &tgw)]);
}

#[test]
fn a_direct_connect_gateway_associated_with_a_transit_gateway_is_attached() {
    use crate::direct_connect::{err as dx_err, ok as dx_ok};
    use serde_json::json;
    let api = memory_api();
    let (tgw, rtb) = tgw(&api);
    let g = dx_ok(
        &api,
        "CreateDirectConnectGateway",
        json!({"directConnectGatewayName": "dxgw", "amazonSideAsn": 64600}),
    );
    let dxgw = g["directConnectGateway"]["directConnectGatewayId"].as_str().unwrap().to_owned();
    let (kind, _) = dx_err(
        &api,
        "CreateDirectConnectGatewayAssociation",
        json!({"directConnectGatewayId": dxgw, "gatewayId": "tgw-0123456789abcdef0",
               "addAllowedPrefixesToDirectConnectGateway": [{"cidr": "10.0.0.0/8"}]}),
    );
    assert_eq!(kind, "DirectConnectClientException");
    let a = dx_ok(
        &api,
        "CreateDirectConnectGatewayAssociation",
        json!({"directConnectGatewayId": dxgw, "gatewayId": tgw,
               "addAllowedPrefixesToDirectConnectGateway": [{"cidr": "10.0.0.0/8"}]}),
    );
    let assoc = a["directConnectGatewayAssociation"]["associationId"].as_str().unwrap().to_owned();
    let atts = ok(
        &api,
        &[
            ("Action", "DescribeTransitGatewayAttachments"),
            ("Filter.1.Name", "resource-type"),
            ("Filter.1.Value.1", "direct-connect-gateway"),
        ],
    );
    assert_eq!(first(&atts, "resourceId"), Some(dxgw.as_str()));
    assert_eq!(first(&atts, "transitGatewayRouteTableId"), Some(rtb.as_str()));
    let att = first(&atts, "transitGatewayAttachmentId").unwrap().to_owned();
    dx_ok(&api, "DeleteDirectConnectGatewayAssociation", json!({"associationId": assoc}));
    let atts = ok(
        &api,
        &[("Action", "DescribeTransitGatewayAttachments"), ("TransitGatewayAttachmentIds.1", &att)],
    );
    assert_eq!(first(&atts, "state"), Some("deleted"));
}

fn peering_request<'a>(tgw: &'a str, peer: &'a str) -> [(&'a str, &'a str); 5] {
    [
        ("Action", "CreateTransitGatewayPeeringAttachment"),
        ("TransitGatewayId", tgw),
        ("PeerTransitGatewayId", peer),
        ("PeerAccountId", "210987654321"),
        ("PeerRegion", "us-west-2"),
    ]
}

#[test]
fn peering_attachments_across_regions_and_accounts() {
    use crate::call_as;
    use model::Scope;
    let api = memory_api();
    let west = Scope::new("210987654321", "us-west-2");
    let as_west = |pairs: &[(&str, &str)]| {
        let r = call_as(&api, west.clone(), pairs);
        (r.status, r.body)
    };
    let (a, a_rtb) = tgw(&api);
    let (status, body) = as_west(&[("Action", "CreateTransitGateway")]);
    assert_eq!(status, 200, "{body}");
    let b = first(&body, "transitGatewayId").unwrap().to_owned();
    let b_rtb = first(&body, "associationDefaultRouteTableId").unwrap().to_owned();
    assert_eq!(code(&api, &peering_request(&a, &a)), "InvalidParameterValue");
    let p = ok(&api, &peering_request(&a, &b));
    assert_eq!(first(&p, "state"), Some("initiatingRequest"));
    let id = first(&p, "transitGatewayAttachmentId").unwrap().to_owned();
    let d = ok(
        &api,
        &[
            ("Action", "DescribeTransitGatewayPeeringAttachments"),
            ("TransitGatewayAttachmentIds.1", &id),
        ],
    );
    assert_eq!(first(&d, "state"), Some("pendingAcceptance"));
    assert!(d.contains("<region>us-west-2</region>"), "{d}");
    // The requester cannot accept; the accepter can, once.
    assert_eq!(
        code(
            &api,
            &[
                ("Action", "AcceptTransitGatewayPeeringAttachment"),
                ("TransitGatewayAttachmentId", &id)
            ]
        ),
        "InvalidParameterValue"
    );
    let accept = [
        ("Action", "AcceptTransitGatewayPeeringAttachment"),
        ("TransitGatewayAttachmentId", id.as_str()),
    ];
    let (status, body) = as_west(&accept);
    assert_eq!(status, 200, "{body}");
    let (status, body) = as_west(&accept);
    assert_eq!((status, first(&body, "Code")), (400, Some("IncorrectState")));
    // Each side sees the attachment on its own gateway, associated with its own table.
    let (_, body) = as_west(&[
        ("Action", "DescribeTransitGatewayAttachments"),
        ("TransitGatewayAttachmentIds.1", &id),
    ]);
    assert_eq!(first(&body, "transitGatewayId"), Some(b.as_str()));
    assert_eq!(first(&body, "resourceId"), Some(a.as_str()));
    assert_eq!(first(&body, "transitGatewayRouteTableId"), Some(b_rtb.as_str()));
    let mine = ok(
        &api,
        &[("Action", "DescribeTransitGatewayAttachments"), ("TransitGatewayAttachmentIds.1", &id)],
    );
    assert_eq!(first(&mine, "transitGatewayId"), Some(a.as_str()));
    assert_eq!(first(&mine, "resourceType"), Some("peering"));
    assert_eq!(first(&mine, "transitGatewayRouteTableId"), Some(a_rtb.as_str()));
    // Static routes to it on both sides.
    ok(
        &api,
        &[
            ("Action", "CreateTransitGatewayRoute"),
            ("TransitGatewayRouteTableId", &a_rtb),
            ("DestinationCidrBlock", "10.50.0.0/16"),
            ("TransitGatewayAttachmentId", &id),
        ],
    );
    let (status, body) = as_west(&[
        ("Action", "CreateTransitGatewayRoute"),
        ("TransitGatewayRouteTableId", &b_rtb),
        ("DestinationCidrBlock", "10.0.0.0/16"),
        ("TransitGatewayAttachmentId", &id),
    ]);
    assert_eq!(status, 200, "{body}");
    ok(
        &api,
        &[("Action", "DeleteTransitGatewayPeeringAttachment"), ("TransitGatewayAttachmentId", &id)],
    );
    assert_eq!(
        code(
            &api,
            &[
                ("Action", "DeleteTransitGatewayPeeringAttachment"),
                ("TransitGatewayAttachmentId", &id)
            ]
        ),
        "InvalidTransitGatewayAttachmentID.NotFound"
    );
    let d = ok(
        &api,
        &[
            ("Action", "DescribeTransitGatewayPeeringAttachments"),
            ("TransitGatewayAttachmentIds.1", &id),
        ],
    );
    assert_eq!(first(&d, "state"), Some("deleted"));
}

#[test]
fn prefix_list_references_route_each_entry() {
    let api = memory_api();
    let (tgw, rtb) = tgw(&api);
    let v = ok(&api, &[("Action", "CreateVpc"), ("CidrBlock", "10.1.0.0/16")]);
    let vpc = first(&v, "vpcId").unwrap().to_owned();
    let s = ok(
        &api,
        &[
            ("Action", "CreateSubnet"),
            ("VpcId", &vpc),
            ("CidrBlock", "10.1.1.0/24"),
            ("AvailabilityZone", "us-east-1a"),
        ],
    );
    let subnet = first(&s, "subnetId").unwrap().to_owned();
    let a = ok(
        &api,
        &[
            ("Action", "CreateTransitGatewayVpcAttachment"),
            ("TransitGatewayId", &tgw),
            ("VpcId", &vpc),
            ("SubnetIds.1", &subnet),
        ],
    );
    let att = first(&a, "transitGatewayAttachmentId").unwrap().to_owned();
    let p = ok(
        &api,
        &[
            ("Action", "CreateManagedPrefixList"),
            ("PrefixListName", "corp"),
            ("MaxEntries", "5"),
            ("AddressFamily", "IPv4"),
            ("Entry.1.Cidr", "192.168.0.0/16"),
            ("Entry.2.Cidr", "172.16.0.0/12"),
        ],
    );
    let pl = first(&p, "prefixListId").unwrap().to_owned();
    let reference = |action: &'static str, target: &[(&'static str, &str)]| {
        let mut pairs = vec![
            ("Action", action),
            ("TransitGatewayRouteTableId", rtb.as_str()),
            ("PrefixListId", pl.as_str()),
        ];
        pairs.extend_from_slice(target);
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>()
    };
    let send = |pairs: Vec<(String, String)>| {
        let borrowed: Vec<(&str, &str)> =
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        crate::call(&api, &borrowed)
    };
    let r = send(reference(
        "CreateTransitGatewayPrefixListReference",
        &[("TransitGatewayAttachmentId", &att)],
    ));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(first(&r.body, "state"), Some("pending"));
    let r = send(reference("CreateTransitGatewayPrefixListReference", &[("Blackhole", "true")]));
    assert_eq!(first(&r.body, "Code"), Some("RouteAlreadyExists"));
    let routes = ok(
        &api,
        &[
            ("Action", "SearchTransitGatewayRoutes"),
            ("TransitGatewayRouteTableId", &rtb),
            ("Filter.1.Name", "prefix-list-id"),
            ("Filter.1.Value.1", &pl),
        ],
    );
    assert_eq!(all(&routes, "destinationCidrBlock"), vec!["172.16.0.0/12", "192.168.0.0/16"]);
    assert_eq!(all(&routes, "prefixListId"), vec![pl.as_str(); 2]);
    let r = send(reference("ModifyTransitGatewayPrefixListReference", &[("Blackhole", "true")]));
    assert_eq!(r.status, 200, "{}", r.body);
    let got = ok(
        &api,
        &[
            ("Action", "GetTransitGatewayPrefixListReferences"),
            ("TransitGatewayRouteTableId", &rtb),
        ],
    );
    assert_eq!(first(&got, "blackhole"), Some("true"));
    assert_eq!(first(&got, "prefixListId"), Some(pl.as_str()));
    let r = send(reference("DeleteTransitGatewayPrefixListReference", &[]));
    assert_eq!(r.status, 200, "{}", r.body);
    let r = send(reference("DeleteTransitGatewayPrefixListReference", &[]));
    assert_eq!(first(&r.body, "Code"), Some("InvalidRoute.NotFound"));
}

#[test]
fn flow_logs_for_transit_gateways() {
    let api = memory_api();
    let (tgw, _) = tgw(&api);
    let f = ok(
        &api,
        &[
            ("Action", "CreateFlowLogs"),
            ("ResourceType", "TransitGateway"),
            ("ResourceId.1", &tgw),
            ("ResourceId.2", "tgw-0123456789abcdef0"),
            ("LogDestinationType", "s3"),
            ("LogDestination", "arn:aws:s3:::flow-bucket"),
        ],
    );
    assert_eq!(all(&f, "flowLogIdSet").len(), 1, "{f}");
    assert!(f.contains("InvalidTransitGatewayID.NotFound"), "{f}");
    let d = ok(
        &api,
        &[
            ("Action", "DescribeFlowLogs"),
            ("Filter.1.Name", "resource-id"),
            ("Filter.1.Value.1", &tgw),
        ],
    );
    assert_eq!(first(&d, "resourceId"), Some(tgw.as_str()));
}
