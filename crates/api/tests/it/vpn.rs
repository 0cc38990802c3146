//! Site-to-site VPN through the API: virtual private gateways and their attachments,
//! customer gateways, VPN connections with static routes, and route propagation.

use crate::{all, code, first, memory_api, ok};
use api::Api;

fn vpc(api: &Api) -> String {
    let vpc = ok(api, &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")]);
    first(&vpc, "vpcId").unwrap().to_owned()
}

fn vgw(api: &Api) -> String {
    let g = ok(api, &[("Action", "CreateVpnGateway"), ("Type", "ipsec.1")]);
    first(&g, "vpnGatewayId").unwrap().to_owned()
}

#[test]
fn a_gateway_attaches_detaches_and_is_deleted() {
    let api = memory_api();
    let vpc = vpc(&api);
    let created = ok(
        &api,
        &[
            ("Action", "CreateVpnGateway"),
            ("Type", "ipsec.1"),
            ("TagSpecification.1.ResourceType", "vpn-gateway"),
            ("TagSpecification.1.Tag.1.Key", "Name"),
            ("TagSpecification.1.Tag.1.Value", "vgw"),
        ],
    );
    assert_eq!(first(&created, "amazonSideAsn"), Some("64512"));
    assert_eq!(first(&created, "state"), Some("available"));
    assert_eq!(first(&created, "type"), Some("ipsec.1"));
    let id = first(&created, "vpnGatewayId").unwrap().to_owned();
    let attach = [("Action", "AttachVpnGateway"), ("VpnGatewayId", id.as_str()), ("VpcId", &vpc)];
    let a = ok(&api, &attach);
    assert!(a.contains("<attachment><state>attached</state>"), "{a}");
    let other = vgw(&api);
    assert_eq!(
        code(&api, &[("Action", "AttachVpnGateway"), ("VpnGatewayId", &other), ("VpcId", &vpc)]),
        "VpnGatewayAttachmentLimitExceeded"
    );
    let by_vpc = ok(
        &api,
        &[
            ("Action", "DescribeVpnGateways"),
            ("Filter.1.Name", "attachment.vpc-id"),
            ("Filter.1.Value.1", &vpc),
            ("Filter.2.Name", "attachment.state"),
            ("Filter.2.Value.1", "attached"),
        ],
    );
    assert_eq!(all(&by_vpc, "vpnGatewayId"), vec![id.as_str()]);
    assert_eq!(
        code(&api, &[("Action", "DeleteVpnGateway"), ("VpnGatewayId", &id)]),
        "IncorrectState"
    );
    assert_eq!(code(&api, &[("Action", "DeleteVpc"), ("VpcId", &vpc)]), "DependencyViolation");
    ok(&api, &[("Action", "DetachVpnGateway"), ("VpnGatewayId", &id), ("VpcId", &vpc)]);
    let d = ok(&api, &[("Action", "DescribeVpnGateways"), ("VpnGatewayId.1", &id)]);
    assert!(d.contains("<state>detached</state>"), "{d}");
    ok(&api, &[("Action", "DeleteVpnGateway"), ("VpnGatewayId", &id)]);
    assert_eq!(
        code(&api, &[("Action", "DescribeVpnGateways"), ("VpnGatewayId.1", &id)]),
        "InvalidVpnGatewayID.NotFound"
    );
}

#[test]
fn a_vpn_connection_propagates_its_static_routes() {
    let api = memory_api();
    let vpc = vpc(&api);
    let vgw = vgw(&api);
    ok(&api, &[("Action", "AttachVpnGateway"), ("VpnGatewayId", &vgw), ("VpcId", &vpc)]);
    let cgw = ok(
        &api,
        &[
            ("Action", "CreateCustomerGateway"),
            ("Type", "ipsec.1"),
            ("BgpAsn", "65010"),
            ("IpAddress", "198.51.100.7"),
        ],
    );
    assert_eq!(first(&cgw, "bgpAsn"), Some("65010"));
    let cgw = first(&cgw, "customerGatewayId").unwrap().to_owned();
    let created = ok(
        &api,
        &[
            ("Action", "CreateVpnConnection"),
            ("Type", "ipsec.1"),
            ("CustomerGatewayId", &cgw),
            ("VpnGatewayId", &vgw),
            ("Options.StaticRoutesOnly", "true"),
            ("Options.TunnelOptions.1.TunnelInsideCidr", "169.254.10.0/30"),
            ("Options.TunnelOptions.1.PreSharedKey", "example_key_1"),
        ],
    );
    let vpn = first(&created, "vpnConnectionId").unwrap().to_owned();
    assert_eq!(all(&created, "outsideIpAddress").len(), 4, "two tunnels, options and telemetry");
    let config = first(&created, "customerGatewayConfiguration").unwrap();
    assert!(config.contains("example_key_1") && config.contains("169.254.10.2"), "{config}");
    ok(
        &api,
        &[
            ("Action", "CreateVpnConnectionRoute"),
            ("VpnConnectionId", &vpn),
            ("DestinationCidrBlock", "192.168.0.0/16"),
        ],
    );
    let rtb = ok(&api, &[("Action", "CreateRouteTable"), ("VpcId", &vpc)]);
    let rtb = first(&rtb, "routeTableId").unwrap().to_owned();
    ok(
        &api,
        &[("Action", "EnableVgwRoutePropagation"), ("RouteTableId", &rtb), ("GatewayId", &vgw)],
    );
    let t = ok(&api, &[("Action", "DescribeRouteTables"), ("RouteTableId.1", &rtb)]);
    assert!(
        t.contains("<destinationCidrBlock>192.168.0.0/16</destinationCidrBlock>")
            && t.contains("<origin>EnableVgwRoutePropagation</origin>"),
        "{t}"
    );
    assert!(t.contains(&format!("<propagatingVgwSet><item><gatewayId>{vgw}</gatewayId>")), "{t}");
    assert_eq!(
        code(&api, &[("Action", "DeleteCustomerGateway"), ("CustomerGatewayId", &cgw)]),
        "IncorrectState"
    );
    ok(&api, &[("Action", "DeleteVpnConnection"), ("VpnConnectionId", &vpn)]);
    let t = ok(&api, &[("Action", "DescribeRouteTables"), ("RouteTableId.1", &rtb)]);
    assert!(!t.contains("192.168.0.0/16"), "{t}");
    ok(&api, &[("Action", "DeleteCustomerGateway"), ("CustomerGatewayId", &cgw)]);
    assert_eq!(
        code(&api, &[("Action", "DescribeVpnConnections"), ("VpnConnectionId.1", &vpn)]),
        "InvalidVpnConnectionID.NotFound"
    );
}
