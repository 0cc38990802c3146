//! Site-to-site VPN operations: virtual private gateways, customer gateways, VPN connections
//! and their static routes.

use super::common::{require_all, tag_set, tags_for};
use super::filter::{Filters, Row, Table, flag, one, table};
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use model::World;
use model::kinds;
use model::vpn::{self as v, NewVpnConnection};
use shapes::ec2::*;
use wire::Timestamp;
use wire::xml::ReturnTrue;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateVpnGateway", write(create_vpn_gateway)),
        ("AttachVpnGateway", write(attach_vpn_gateway)),
        ("DetachVpnGateway", write(detach_vpn_gateway)),
        ("DeleteVpnGateway", write(delete_vpn_gateway)),
        ("DescribeVpnGateways", read(describe_vpn_gateways)),
        ("CreateCustomerGateway", write(create_customer_gateway)),
        ("DeleteCustomerGateway", write(delete_customer_gateway)),
        ("DescribeCustomerGateways", read(describe_customer_gateways)),
        ("CreateVpnConnection", write(create_vpn_connection)),
        ("DeleteVpnConnection", write(delete_vpn_connection)),
        ("DescribeVpnConnections", read(describe_vpn_connections)),
        ("CreateVpnConnectionRoute", write(create_vpn_connection_route)),
        ("DeleteVpnConnectionRoute", write(delete_vpn_connection_route)),
    ]
}

fn render_vgw(g: &v::VpnGateway) -> VpnGateway {
    VpnGateway {
        amazon_side_asn: Some(g.amazon_side_asn),
        availability_zone: g.availability_zone.clone(),
        state: Some("available".into()),
        tags: tag_set(&g.tags),
        type_: Some(v::IPSEC_1.into()),
        vpc_attachments: g
            .attachment
            .iter()
            .map(|a| VpcAttachment {
                state: Some(a.state().into()),
                vpc_id: Some(a.vpc_id.clone()),
            })
            .collect(),
        vpn_gateway_id: Some(g.id.clone()),
    }
}

fn create_vpn_gateway(
    ctx: &Ctx,
    w: &mut World,
    req: CreateVpnGatewayRequest,
) -> Outcome<CreateVpnGatewayResult> {
    let tags = tags_for(&req.tag_specifications, "vpn-gateway")?;
    let id = w.create_vpn_gateway(
        &ctx.scope,
        &req.type_,
        req.amazon_side_asn,
        // Terraform sends an empty zone for "none".
        req.availability_zone.as_deref().filter(|z| !z.is_empty()),
        &tags,
    )?;
    let g = w.vpn_gateways.find(&kinds::VPN_GATEWAY, &ctx.scope, &id)?;
    Ok(CreateVpnGatewayResult { vpn_gateway: Some(render_vgw(g)) })
}

fn attach_vpn_gateway(
    ctx: &Ctx,
    w: &mut World,
    req: AttachVpnGatewayRequest,
) -> Outcome<AttachVpnGatewayResult> {
    w.attach_vpn_gateway(&ctx.scope, &req.vpn_gateway_id, &req.vpc_id)?;
    Ok(AttachVpnGatewayResult {
        vpc_attachment: Some(VpcAttachment {
            state: Some("attached".into()),
            vpc_id: Some(req.vpc_id),
        }),
    })
}

fn detach_vpn_gateway(
    ctx: &Ctx,
    w: &mut World,
    req: DetachVpnGatewayRequest,
) -> Outcome<ReturnTrue> {
    w.detach_vpn_gateway(&ctx.scope, &req.vpn_gateway_id, &req.vpc_id)?;
    Ok(ReturnTrue)
}

fn delete_vpn_gateway(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteVpnGatewayRequest,
) -> Outcome<ReturnTrue> {
    w.delete_vpn_gateway(&ctx.scope, &req.vpn_gateway_id)?;
    Ok(ReturnTrue)
}

pub(super) const VGW_FILTERS: Table<v::VpnGateway> = table![
    "amazon-side-asn" => |g| one(g.amazon_side_asn),
    "attachment.state" => |g| g.attachment.iter().map(|a| a.state().to_owned()).collect(),
    "attachment.vpc-id" => |g| g.attachment.iter().map(|a| a.vpc_id.clone()).collect(),
    "availability-zone" => |g| g.availability_zone.iter().cloned().collect(),
    "state" => |_| one("available"),
    "type" => |_| one(v::IPSEC_1),
    "vpn-gateway-id" => |g| one(&g.id),
];

fn describe_vpn_gateways(
    ctx: &Ctx,
    w: &World,
    req: DescribeVpnGatewaysRequest,
) -> Outcome<DescribeVpnGatewaysResult> {
    let filters = Filters::new(&req.filters, VGW_FILTERS)?;
    let ids = &req.vpn_gateway_ids;
    require_all(
        ids,
        |id| w.vpn_gateways.find(&kinds::VPN_GATEWAY, &ctx.scope, id).ok(),
        |id| kinds::VPN_GATEWAY.not_found(id),
    )?;
    let vpn_gateways = w
        .vpn_gateways
        .in_scope(&ctx.scope)
        .filter(|g| ids.is_empty() || ids.contains(&g.id))
        .filter(|g| filters.matches(&Row::new(w, &ctx.scope, g), &g.tags))
        .map(render_vgw)
        .collect();
    Ok(DescribeVpnGatewaysResult { vpn_gateways })
}

fn render_cgw(g: &v::CustomerGateway) -> CustomerGateway {
    CustomerGateway {
        bgp_asn: Some(g.bgp_asn.to_string()),
        bgp_asn_extended: None,
        certificate_arn: None,
        customer_gateway_id: Some(g.id.clone()),
        device_name: g.device_name.clone(),
        ip_address: Some(g.ip_address.to_string()),
        state: Some(g.state().into()),
        tags: tag_set(&g.tags),
        type_: Some(v::IPSEC_1.into()),
    }
}

fn create_customer_gateway(
    ctx: &Ctx,
    w: &mut World,
    req: CreateCustomerGatewayRequest,
) -> Outcome<CreateCustomerGatewayResult> {
    let tags = tags_for(&req.tag_specifications, "customer-gateway")?;
    let asn = req.bgp_asn_extended.or(req.bgp_asn.map(i64::from));
    let ip = req.ip_address.as_deref().or(req.public_ip.as_deref());
    let id = w.create_customer_gateway(
        &ctx.scope,
        &req.type_,
        asn,
        ip,
        req.device_name.as_deref(),
        &tags,
    )?;
    let g = w.customer_gateways.find(&kinds::CUSTOMER_GATEWAY, &ctx.scope, &id)?;
    Ok(CreateCustomerGatewayResult { customer_gateway: Some(render_cgw(g)) })
}

fn delete_customer_gateway(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteCustomerGatewayRequest,
) -> Outcome<ReturnTrue> {
    w.delete_customer_gateway(&ctx.scope, &req.customer_gateway_id, Timestamp::now().0)?;
    Ok(ReturnTrue)
}

pub(super) const CGW_FILTERS: Table<v::CustomerGateway> = table![
    "bgp-asn" => |g| one(g.bgp_asn),
    "customer-gateway-id" => |g| one(&g.id),
    "ip-address" => |g| one(g.ip_address),
    "state" => |g| one(g.state()),
    "type" => |_| one(v::IPSEC_1),
];

fn describe_customer_gateways(
    ctx: &Ctx,
    w: &World,
    req: DescribeCustomerGatewaysRequest,
) -> Outcome<DescribeCustomerGatewaysResult> {
    let filters = Filters::new(&req.filters, CGW_FILTERS)?;
    let ids = &req.customer_gateway_ids;
    require_all(
        ids,
        |id| w.customer_gateways.find(&kinds::CUSTOMER_GATEWAY, &ctx.scope, id).ok(),
        |id| kinds::CUSTOMER_GATEWAY.not_found(id),
    )?;
    let customer_gateways = w
        .listed_customer_gateways(&ctx.scope, Timestamp::now().0)
        .filter(|g| ids.is_empty() || ids.contains(&g.id))
        .filter(|g| filters.matches(&Row::new(w, &ctx.scope, g), &g.tags))
        .map(render_cgw)
        .collect();
    Ok(DescribeCustomerGatewaysResult { customer_gateways })
}

/// The inside addresses of a tunnel's /30: (AWS side, customer side).
fn inside_addresses(t: &v::Tunnel) -> (String, String) {
    let base = u32::from(t.inside_cidr.network());
    (std::net::Ipv4Addr::from(base + 1).to_string(), std::net::Ipv4Addr::from(base + 2).to_string())
}

/// The generic customer gateway configuration document (AWS's XML layout, which clients such
/// as Terraform parse for the tunnel addresses and keys).
fn customer_gateway_configuration(
    c: &v::VpnConnection,
    cgw: Option<&v::CustomerGateway>,
    amazon_asn: Option<i64>,
) -> String {
    use wire::xml::escape;
    let cgw_ip = cgw.map(|g| g.ip_address.to_string()).unwrap_or_default();
    let cgw_asn = cgw.map_or(v::DEFAULT_BGP_ASN, |g| g.bgp_asn);
    let vgw_asn = amazon_asn.unwrap_or(v::DEFAULT_AMAZON_SIDE_ASN);
    let mut doc = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<vpn_connection id=\"{}\">\n  <customer_gateway_id>{}</customer_gateway_id>\n  <vpn_gateway_id>{}</vpn_gateway_id>\n  <vpn_connection_type>ipsec.1</vpn_connection_type>\n",
        escape(&c.id),
        escape(&c.customer_gateway_id),
        escape(c.gateway_id())
    );
    for t in &c.tunnels {
        let (aws_inside, cgw_inside) = inside_addresses(t);
        let side = |outside: &str, inside: &str, asn: i64| {
            let bgp = if c.static_routes_only {
                String::new()
            } else {
                format!(
                    "      <bgp>\n        <asn>{asn}</asn>\n        <hold_time>30</hold_time>\n      </bgp>\n"
                )
            };
            format!(
                "      <tunnel_outside_address>\n        <ip_address>{outside}</ip_address>\n      </tunnel_outside_address>\n      <tunnel_inside_address>\n        <ip_address>{inside}</ip_address>\n        <network_mask>255.255.255.252</network_mask>\n        <network_cidr>30</network_cidr>\n      </tunnel_inside_address>\n{bgp}"
            )
        };
        doc.push_str(&format!(
            "  <ipsec_tunnel>\n    <customer_gateway>\n{}    </customer_gateway>\n    <vpn_gateway>\n{}    </vpn_gateway>\n    <ike>\n      <authentication_protocol>sha1</authentication_protocol>\n      <encryption_protocol>aes-128-cbc</encryption_protocol>\n      <lifetime>28800</lifetime>\n      <perfect_forward_secrecy>group2</perfect_forward_secrecy>\n      <mode>main</mode>\n      <pre_shared_key>{}</pre_shared_key>\n    </ike>\n    <ipsec>\n      <protocol>esp</protocol>\n      <authentication_protocol>hmac-sha1-96</authentication_protocol>\n      <encryption_protocol>aes-128-cbc</encryption_protocol>\n      <lifetime>3600</lifetime>\n      <perfect_forward_secrecy>group2</perfect_forward_secrecy>\n      <mode>tunnel</mode>\n      <clear_df_bit>true</clear_df_bit>\n      <fragmentation_before_encryption>true</fragmentation_before_encryption>\n      <tcp_mss_adjustment>1379</tcp_mss_adjustment>\n      <dead_peer_detection>\n        <delay>10</delay>\n        <retries>3</retries>\n      </dead_peer_detection>\n    </ipsec>\n  </ipsec_tunnel>\n",
            side(&cgw_ip, &cgw_inside, cgw_asn),
            side(&t.outside_ip.to_string(), &aws_inside, vgw_asn),
            escape(&t.pre_shared_key)
        ));
    }
    doc.push_str("</vpn_connection>\n");
    doc
}

fn render_vpn(w: &World, c: &v::VpnConnection) -> VpnConnection {
    let cgw = w.customer_gateways.get(&c.customer_gateway_id);
    let amazon_asn = match (&c.vpn_gateway_id, &c.transit_gateway_id) {
        (Some(vgw), _) => w.vpn_gateways.get(vgw).map(|g| g.amazon_side_asn),
        (None, Some(tgw)) => w.transit_gateways.get(tgw).map(|g| g.options.amazon_side_asn),
        (None, None) => None,
    };
    VpnConnection {
        category: Some("VPN".into()),
        customer_gateway_configuration: Some(customer_gateway_configuration(c, cgw, amazon_asn)),
        customer_gateway_id: Some(c.customer_gateway_id.clone()),
        options: Some(VpnConnectionOptions {
            enable_acceleration: Some(false),
            local_ipv4_network_cidr: Some("0.0.0.0/0".into()),
            outside_ip_address_type: Some("PublicIpv4".into()),
            remote_ipv4_network_cidr: Some("0.0.0.0/0".into()),
            static_routes_only: Some(c.static_routes_only),
            tunnel_inside_ip_version: Some("ipv4".into()),
            tunnel_options: c
                .tunnels
                .iter()
                .map(|t| TunnelOption {
                    outside_ip_address: Some(t.outside_ip.to_string()),
                    pre_shared_key: Some(t.pre_shared_key.clone()),
                    tunnel_inside_cidr: Some(t.inside_cidr.to_string()),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }),
        routes: c
            .routes
            .iter()
            .map(|r| VpnStaticRoute {
                destination_cidr_block: Some(r.to_string()),
                source: Some("Static".into()),
                state: Some("available".into()),
            })
            .collect(),
        state: Some("available".into()),
        tags: tag_set(&c.tags),
        type_: Some(v::IPSEC_1.into()),
        vgw_telemetry: c
            .tunnels
            .iter()
            .map(|t| VgwTelemetry {
                accepted_route_count: Some(i32::try_from(c.routes.len()).unwrap_or(i32::MAX)),
                outside_ip_address: Some(t.outside_ip.to_string()),
                status: Some("UP".into()),
                status_message: Some(String::new()),
                ..Default::default()
            })
            .collect(),
        vpn_connection_id: Some(c.id.clone()),
        vpn_gateway_id: c.vpn_gateway_id.clone(),
        transit_gateway_id: c.transit_gateway_id.clone(),
        ..Default::default()
    }
}

fn create_vpn_connection(
    ctx: &Ctx,
    w: &mut World,
    req: CreateVpnConnectionRequest,
) -> Outcome<CreateVpnConnectionResult> {
    let tags = tags_for(&req.tag_specifications, "vpn-connection")?;
    let options = req.options.unwrap_or_default();
    let spec = NewVpnConnection {
        type_: req.type_,
        customer_gateway_id: req.customer_gateway_id,
        vpn_gateway_id: req.vpn_gateway_id,
        transit_gateway_id: req.transit_gateway_id,
        static_routes_only: options.static_routes_only.unwrap_or(false),
        tunnels: options
            .tunnel_options
            .iter()
            .map(|t| (t.tunnel_inside_cidr.clone(), t.pre_shared_key.clone()))
            .collect(),
        now: wire::Timestamp::now().0,
    };
    let id = w.create_vpn_connection(&ctx.scope, &spec, &tags)?;
    let c = w.vpn_connections.find(&kinds::VPN_CONNECTION, &ctx.scope, &id)?;
    Ok(CreateVpnConnectionResult { vpn_connection: Some(render_vpn(w, c)) })
}

fn delete_vpn_connection(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteVpnConnectionRequest,
) -> Outcome<ReturnTrue> {
    w.delete_vpn_connection(&ctx.scope, &req.vpn_connection_id, wire::Timestamp::now().0)?;
    Ok(ReturnTrue)
}

pub(super) const VPN_FILTERS: Table<v::VpnConnection> = table![
    // The configuration document DescribeVpnConnections shows.
    "customer-gateway-configuration" => {
        |c| render_vpn(c.world, c.item).customer_gateway_configuration.into_iter().collect()
    },
    "customer-gateway-id" => |c| one(&c.customer_gateway_id),
    "state" => |_| one("available"),
    "option.static-routes-only" => |c| flag(c.static_routes_only),
    "route.destination-cidr-block" => |c| c.routes.iter().map(|r| r.to_string()).collect(),
    "bgp-asn" => {
        |c| c.world
                .customer_gateways
                .get(&c.customer_gateway_id)
                .map(|g| one(g.bgp_asn))
                .unwrap_or_default()
    },
    "type" => |_| one(v::IPSEC_1),
    "vpn-connection-id" => |c| one(&c.id),
    "vpn-gateway-id" => |c| c.vpn_gateway_id.iter().cloned().collect(),
    "transit-gateway-id" => |c| c.transit_gateway_id.iter().cloned().collect(),
];

fn describe_vpn_connections(
    ctx: &Ctx,
    w: &World,
    req: DescribeVpnConnectionsRequest,
) -> Outcome<DescribeVpnConnectionsResult> {
    let filters = Filters::new(&req.filters, VPN_FILTERS)?;
    let ids = &req.vpn_connection_ids;
    require_all(
        ids,
        |id| w.vpn_connections.find(&kinds::VPN_CONNECTION, &ctx.scope, id).ok(),
        |id| kinds::VPN_CONNECTION.not_found(id),
    )?;
    let vpn_connections = w
        .vpn_connections
        .in_scope(&ctx.scope)
        .filter(|c| ids.is_empty() || ids.contains(&c.id))
        .filter(|c| filters.matches(&Row::new(w, &ctx.scope, c), &c.tags))
        .map(|c| render_vpn(w, c))
        .collect();
    Ok(DescribeVpnConnectionsResult { vpn_connections })
}

fn create_vpn_connection_route(
    ctx: &Ctx,
    w: &mut World,
    req: CreateVpnConnectionRouteRequest,
) -> Outcome<ReturnTrue> {
    w.set_vpn_connection_route(
        &ctx.scope,
        &req.vpn_connection_id,
        &req.destination_cidr_block,
        true,
    )?;
    Ok(ReturnTrue)
}

fn delete_vpn_connection_route(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteVpnConnectionRouteRequest,
) -> Outcome<ReturnTrue> {
    w.set_vpn_connection_route(
        &ctx.scope,
        &req.vpn_connection_id,
        &req.destination_cidr_block,
        false,
    )?;
    Ok(ReturnTrue)
}
