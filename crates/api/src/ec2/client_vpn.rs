//! Client VPN operations: endpoints, target network associations, authorization rules, routes.

use super::common::{tag_set, tags_for};
use super::describe::{Ask, Listed, NO_TAGS, describe, in_scope};
use super::filter::{Row, Table, one, table};
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use model::World;
use model::client_vpn::{self as cv, Authentication, ClientVpnChange, NewClientVpnEndpoint};
use shapes::ec2::*;
use std::borrow::Cow;
use wire::{ApiError, Timestamp};

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateClientVpnEndpoint", write(create_endpoint)),
        ("DescribeClientVpnEndpoints", read(describe_endpoints)),
        ("ModifyClientVpnEndpoint", write(modify_endpoint)),
        ("DeleteClientVpnEndpoint", write(delete_endpoint)),
        ("AssociateClientVpnTargetNetwork", write(associate)),
        ("DisassociateClientVpnTargetNetwork", write(disassociate)),
        ("DescribeClientVpnTargetNetworks", read(describe_target_networks)),
        ("ApplySecurityGroupsToClientVpnTargetNetwork", write(apply_security_groups)),
        ("AuthorizeClientVpnIngress", write(authorize_ingress)),
        ("RevokeClientVpnIngress", write(revoke_ingress)),
        ("DescribeClientVpnAuthorizationRules", read(describe_authorization_rules)),
        ("CreateClientVpnRoute", write(create_route)),
        ("DeleteClientVpnRoute", write(delete_route)),
        ("DescribeClientVpnRoutes", read(describe_routes)),
        ("DescribeClientVpnConnections", read(describe_connections)),
        ("ExportClientVpnClientConfiguration", read(export_configuration)),
    ]
}

fn status(code: &str) -> Option<ClientVpnEndpointStatus> {
    Some(ClientVpnEndpointStatus { code: Some(code.into()), message: None })
}

fn render(e: &cv::ClientVpnEndpoint) -> ClientVpnEndpoint {
    ClientVpnEndpoint {
        associated_target_networks: e
            .associations
            .first()
            .map(|a| AssociatedTargetNetwork {
                network_id: Some(a.vpc_id.clone()),
                network_type: Some("vpc".into()),
            })
            .into_iter()
            .collect(),
        authentication_options: e
            .authentication
            .iter()
            .map(|a| ClientVpnAuthentication {
                type_: Some(a.kind.clone()),
                mutual_authentication: a.client_root_certificate_chain_arn.as_ref().map(|c| {
                    CertificateAuthentication { client_root_certificate_chain: Some(c.clone()) }
                }),
                active_directory: a
                    .directory_id
                    .as_ref()
                    .map(|d| DirectoryServiceAuthentication { directory_id: Some(d.clone()) }),
                federated_authentication: a.saml_provider_arn.as_ref().map(|s| {
                    FederatedAuthentication {
                        saml_provider_arn: Some(s.clone()),
                        self_service_saml_provider_arn: a.self_service_saml_provider_arn.clone(),
                    }
                }),
            })
            .collect(),
        client_cidr_block: Some(e.client_cidr.to_string()),
        client_connect_options: Some(ClientConnectResponseOptions {
            enabled: Some(false),
            lambda_function_arn: None,
            status: Some(ClientVpnEndpointAttributeStatus {
                code: Some("applied".into()),
                message: None,
            }),
        }),
        client_login_banner_options: Some(ClientLoginBannerResponseOptions {
            banner_text: None,
            enabled: Some(false),
        }),
        client_route_enforcement_options: Some(ClientRouteEnforcementResponseOptions {
            enforced: Some(false),
        }),
        client_vpn_endpoint_id: Some(e.id.clone()),
        connection_log_options: Some(ConnectionLogResponseOptions {
            cloudwatch_log_group: e.connection_log.log_group.clone(),
            cloudwatch_log_stream: e.connection_log.log_stream.clone(),
            enabled: Some(e.connection_log.enabled),
        }),
        creation_time: Some(Timestamp(e.create_time).to_iso8601()),
        description: e.description.clone(),
        disconnect_on_session_timeout: Some(true),
        dns_name: Some(e.dns_name()),
        dns_servers: e.dns_servers.clone(),
        endpoint_ip_address_type: Some("ipv4".into()),
        security_group_ids: e.security_group_ids.clone(),
        self_service_portal_url: e
            .self_service_portal
            .then(|| format!("https://self-service.clientvpn.amazonaws.com/endpoints/{}", e.id)),
        server_certificate_arn: Some(e.server_certificate_arn.clone()),
        session_timeout_hours: Some(e.session_timeout_hours),
        split_tunnel: Some(e.split_tunnel),
        status: status(e.state.name()),
        tags: tag_set(&e.tags),
        traffic_ip_address_type: Some("ipv4".into()),
        transport_protocol: Some(e.transport_protocol.clone()),
        vpc_id: e.vpc_id.clone(),
        vpn_port: Some(e.vpn_port),
        vpn_protocol: Some("openvpn".into()),
        ..Default::default()
    }
}

fn authentication(options: &[ClientVpnAuthenticationRequest]) -> Vec<Authentication> {
    options
        .iter()
        .map(|o| Authentication {
            kind: o.type_.clone().unwrap_or_default(),
            client_root_certificate_chain_arn: o
                .mutual_authentication
                .as_ref()
                .and_then(|m| m.client_root_certificate_chain_arn.clone()),
            directory_id: o.active_directory.as_ref().and_then(|d| d.directory_id.clone()),
            saml_provider_arn: o
                .federated_authentication
                .as_ref()
                .and_then(|f| f.saml_provider_arn.clone()),
            self_service_saml_provider_arn: o
                .federated_authentication
                .as_ref()
                .and_then(|f| f.self_service_saml_provider_arn.clone()),
        })
        .collect()
}

fn connection_log(o: &ConnectionLogOptions) -> Result<cv::ConnectionLog, ApiError> {
    Ok(cv::ConnectionLog {
        enabled: o
            .enabled
            .ok_or_else(|| ApiError::missing_parameter("ConnectionLogOptions.Enabled"))?,
        log_group: o.cloudwatch_log_group.clone(),
        log_stream: o.cloudwatch_log_stream.clone(),
    })
}

fn create_endpoint(
    ctx: &Ctx,
    w: &mut World,
    req: CreateClientVpnEndpointRequest,
) -> Outcome<CreateClientVpnEndpointResult> {
    let new = NewClientVpnEndpoint {
        client_cidr_block: req.client_cidr_block,
        server_certificate_arn: req.server_certificate_arn,
        authentication: authentication(&req.authentication_options),
        connection_log: connection_log(&req.connection_log_options)?,
        description: req.description,
        dns_servers: req.dns_servers,
        split_tunnel: req.split_tunnel,
        transport_protocol: req.transport_protocol,
        vpn_port: req.vpn_port,
        vpc_id: req.vpc_id,
        security_group_ids: req.security_group_ids,
        session_timeout_hours: req.session_timeout_hours,
        self_service_portal: req.self_service_portal,
        client_token: req.client_token,
        tags: tags_for(&req.tag_specifications, "client-vpn-endpoint")?,
    };
    let id = w.create_client_vpn_endpoint(&ctx.scope, new, Timestamp::now().0)?;
    let e = w.find_client_vpn_endpoint(&ctx.scope, &id)?;
    Ok(CreateClientVpnEndpointResult {
        client_vpn_endpoint_id: Some(id.clone()),
        dns_name: Some(e.dns_name()),
        status: status(e.state.name()),
    })
}

fn modify_endpoint(
    ctx: &Ctx,
    w: &mut World,
    req: ModifyClientVpnEndpointRequest,
) -> Outcome<ModifyClientVpnEndpointResult> {
    let dns_servers = req
        .dns_servers
        .as_ref()
        .map(|d| if d.enabled == Some(false) { Vec::new() } else { d.custom_dns_servers.clone() });
    let change = ClientVpnChange {
        server_certificate_arn: req.server_certificate_arn,
        connection_log: req.connection_log_options.as_ref().map(connection_log).transpose()?,
        dns_servers,
        vpn_port: req.vpn_port,
        description: req.description,
        split_tunnel: req.split_tunnel,
        vpc_id: req.vpc_id,
        security_group_ids: req.security_group_ids,
        session_timeout_hours: req.session_timeout_hours,
        self_service_portal: req.self_service_portal,
    };
    w.modify_client_vpn_endpoint(&ctx.scope, &req.client_vpn_endpoint_id, change)?;
    Ok(ModifyClientVpnEndpointResult { return_: Some(true) })
}

fn delete_endpoint(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteClientVpnEndpointRequest,
) -> Outcome<DeleteClientVpnEndpointResult> {
    w.delete_client_vpn_endpoint(&ctx.scope, &req.client_vpn_endpoint_id)?;
    Ok(DeleteClientVpnEndpointResult { status: status("deleting") })
}

pub(super) const ENDPOINT_FILTERS: Table<cv::ClientVpnEndpoint> = table![
    "endpoint-id" => |e| one(&e.id),
    "transport-protocol" => |e| one(&e.transport_protocol),
];

fn describe_endpoints(
    ctx: &Ctx,
    w: &World,
    req: DescribeClientVpnEndpointsRequest,
) -> Outcome<DescribeClientVpnEndpointsResult> {
    let ids = &req.client_vpn_endpoint_ids;
    let ask = Ask::new(&req.filters, ids, req.max_results, &req.next_token, (5, 1000));
    let (client_vpn_endpoints, next_token) = describe(
        ask,
        ENDPOINT_FILTERS,
        |ids| {
            for id in ids {
                w.find_client_vpn_endpoint(&ctx.scope, id)?;
            }
            Ok(in_scope(&w.client_vpn_endpoints, w, &ctx.scope))
        },
        |r| render(r.item),
    )?;
    Ok(DescribeClientVpnEndpointsResult { client_vpn_endpoints, next_token })
}

fn association_status(code: &str) -> Option<AssociationStatus> {
    Some(AssociationStatus { code: Some(code.into()), message: None })
}

fn associate(
    ctx: &Ctx,
    w: &mut World,
    req: AssociateClientVpnTargetNetworkRequest,
) -> Outcome<AssociateClientVpnTargetNetworkResult> {
    let subnet = req.subnet_id.ok_or_else(|| ApiError::missing_parameter("SubnetId"))?;
    let id =
        w.associate_client_vpn_target_network(&ctx.scope, &req.client_vpn_endpoint_id, &subnet)?;
    Ok(AssociateClientVpnTargetNetworkResult {
        association_id: Some(id),
        status: association_status("associating"),
    })
}

fn disassociate(
    ctx: &Ctx,
    w: &mut World,
    req: DisassociateClientVpnTargetNetworkRequest,
) -> Outcome<DisassociateClientVpnTargetNetworkResult> {
    w.disassociate_client_vpn_target_network(
        &ctx.scope,
        &req.client_vpn_endpoint_id,
        &req.association_id,
    )?;
    Ok(DisassociateClientVpnTargetNetworkResult {
        association_id: Some(req.association_id),
        status: association_status("disassociating"),
    })
}

pub(super) const TARGET_FILTERS: Table<cv::TargetNetwork, cv::ClientVpnEndpoint> = table![
    "association-id" => |a| one(&a.id),
    "target-network-id" => |a| one(&a.subnet_id),
    "vpc-id" => |a| one(&a.vpc_id),
];

/// An endpoint's `items` (its associations, rules or routes) as rows that know the endpoint, in
/// their stored order, each with the id `id` gives it.
fn of_endpoint<'w, T: 'static>(
    ctx: &'w Ctx,
    w: &'w World,
    e: &'w cv::ClientVpnEndpoint,
    items: &'w [T],
    id: fn(usize, &'w T) -> Cow<'w, str>,
) -> impl Iterator<Item = Listed<'w, T, cv::ClientVpnEndpoint>> {
    items.iter().enumerate().map(move |(i, item)| Listed {
        id: id(i, item),
        row: Row::with(w, &ctx.scope, item, e),
        tags: &NO_TAGS,
    })
}

/// Rules and routes have no id: their page tokens are their positions.
fn by_position<T>(i: usize, _: &T) -> Cow<'static, str> {
    super::page::position_id(i).into()
}

fn describe_target_networks(
    ctx: &Ctx,
    w: &World,
    req: DescribeClientVpnTargetNetworksRequest,
) -> Outcome<DescribeClientVpnTargetNetworksResult> {
    let ids = &req.association_ids;
    let ask = Ask::new(&req.filters, ids, req.max_results, &req.next_token, (5, 1000));
    let zone_id = |zone: &str| {
        ctx.scope
            .region()
            .ok()
            .and_then(|r| r.zones().into_iter().find(|z| z.name == zone).map(|z| z.id))
    };
    let (client_vpn_target_networks, next_token) = describe(
        ask,
        TARGET_FILTERS,
        // Associations are not checked: one not found is left out.
        |_| {
            let e = w.find_client_vpn_endpoint(&ctx.scope, &req.client_vpn_endpoint_id)?;
            Ok(of_endpoint(ctx, w, e, &e.associations, |_, a| (&a.id).into()))
        },
        |a| TargetNetwork {
            association_id: Some(a.id.clone()),
            availability_zone_ids: zone_id(&a.availability_zone).into_iter().collect(),
            availability_zones: vec![a.availability_zone.clone()],
            client_vpn_endpoint_id: Some(a.extra.id.clone()),
            security_groups: a.extra.security_group_ids.clone(),
            status: association_status("associated"),
            target_network_id: Some(a.subnet_id.clone()),
            vpc_id: Some(a.vpc_id.clone()),
        },
    )?;
    Ok(DescribeClientVpnTargetNetworksResult { client_vpn_target_networks, next_token })
}

fn apply_security_groups(
    ctx: &Ctx,
    w: &mut World,
    req: ApplySecurityGroupsToClientVpnTargetNetworkRequest,
) -> Outcome<ApplySecurityGroupsToClientVpnTargetNetworkResult> {
    let security_group_ids = w.apply_client_vpn_security_groups(
        &ctx.scope,
        &req.client_vpn_endpoint_id,
        &req.vpc_id,
        &req.security_group_ids,
    )?;
    Ok(ApplySecurityGroupsToClientVpnTargetNetworkResult { security_group_ids })
}

fn rule_status(code: &str) -> Option<ClientVpnAuthorizationRuleStatus> {
    Some(ClientVpnAuthorizationRuleStatus { code: Some(code.into()), message: None })
}

fn authorize_ingress(
    ctx: &Ctx,
    w: &mut World,
    req: AuthorizeClientVpnIngressRequest,
) -> Outcome<AuthorizeClientVpnIngressResult> {
    w.authorize_client_vpn_ingress(
        &ctx.scope,
        &req.client_vpn_endpoint_id,
        &req.target_network_cidr,
        req.access_group_id,
        req.authorize_all_groups.unwrap_or(false),
        req.description,
    )?;
    Ok(AuthorizeClientVpnIngressResult { status: rule_status("authorizing") })
}

fn revoke_ingress(
    ctx: &Ctx,
    w: &mut World,
    req: RevokeClientVpnIngressRequest,
) -> Outcome<RevokeClientVpnIngressResult> {
    w.revoke_client_vpn_ingress(
        &ctx.scope,
        &req.client_vpn_endpoint_id,
        &req.target_network_cidr,
        req.access_group_id,
        req.revoke_all_groups.unwrap_or(false),
    )?;
    Ok(RevokeClientVpnIngressResult { status: rule_status("revoking") })
}

pub(super) const RULE_FILTERS: Table<cv::AuthorizationRule, cv::ClientVpnEndpoint> = table![
    "description" => |r| r.description.iter().cloned().collect(),
    "destination-cidr" => |r| one(r.destination),
    "group-id" => |r| r.group_id.iter().cloned().collect(),
];

fn describe_authorization_rules(
    ctx: &Ctx,
    w: &World,
    req: DescribeClientVpnAuthorizationRulesRequest,
) -> Outcome<DescribeClientVpnAuthorizationRulesResult> {
    let ask = Ask::new(&req.filters, &[], req.max_results, &req.next_token, (5, 1000));
    let (authorization_rules, next_token) = describe(
        ask,
        RULE_FILTERS,
        |_| {
            let e = w.find_client_vpn_endpoint(&ctx.scope, &req.client_vpn_endpoint_id)?;
            Ok(of_endpoint(ctx, w, e, &e.authorization_rules, by_position))
        },
        |r| AuthorizationRule {
            access_all: Some(r.access_all()),
            client_vpn_endpoint_id: Some(r.extra.id.clone()),
            description: r.description.clone(),
            destination_cidr: Some(r.destination.to_string()),
            group_id: Some(r.group_id.clone().unwrap_or_default()),
            status: rule_status("active"),
        },
    )?;
    Ok(DescribeClientVpnAuthorizationRulesResult { authorization_rules, next_token })
}

fn route_status(code: &str) -> Option<ClientVpnRouteStatus> {
    Some(ClientVpnRouteStatus { code: Some(code.into()), message: None })
}

fn create_route(
    ctx: &Ctx,
    w: &mut World,
    req: CreateClientVpnRouteRequest,
) -> Outcome<CreateClientVpnRouteResult> {
    let target =
        req.target_vpc_subnet_id.ok_or_else(|| ApiError::missing_parameter("TargetVpcSubnetId"))?;
    w.create_client_vpn_route(
        &ctx.scope,
        &req.client_vpn_endpoint_id,
        &req.destination_cidr_block,
        &target,
        req.description,
    )?;
    Ok(CreateClientVpnRouteResult { status: route_status("creating") })
}

fn delete_route(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteClientVpnRouteRequest,
) -> Outcome<DeleteClientVpnRouteResult> {
    w.delete_client_vpn_route(
        &ctx.scope,
        &req.client_vpn_endpoint_id,
        &req.destination_cidr_block,
        req.target_vpc_subnet_id.as_deref(),
    )?;
    Ok(DeleteClientVpnRouteResult { status: route_status("deleting") })
}

pub(super) const ROUTE_FILTERS: Table<cv::ClientVpnRoute, cv::ClientVpnEndpoint> = table![
    "destination-cidr" => |r| one(r.destination),
    "origin" => |r| one(r.origin.name()),
    "target-subnet" => |r| one(&r.target_subnet),
];

fn describe_routes(
    ctx: &Ctx,
    w: &World,
    req: DescribeClientVpnRoutesRequest,
) -> Outcome<DescribeClientVpnRoutesResult> {
    let ask = Ask::new(&req.filters, &[], req.max_results, &req.next_token, (5, 1000));
    let (routes, next_token) = describe(
        ask,
        ROUTE_FILTERS,
        |_| {
            let e = w.find_client_vpn_endpoint(&ctx.scope, &req.client_vpn_endpoint_id)?;
            Ok(of_endpoint(ctx, w, e, &e.routes, by_position))
        },
        |r| ClientVpnRoute {
            client_vpn_endpoint_id: Some(r.extra.id.clone()),
            description: r.description.clone(),
            destination_cidr: Some(r.destination.to_string()),
            origin: Some(r.origin.name().into()),
            status: route_status("active"),
            target_subnet: Some(r.target_subnet.clone()),
            transit_gateway_attachment_id: None,
            type_: Some(r.kind().into()),
        },
    )?;
    Ok(DescribeClientVpnRoutesResult { next_token, routes })
}

/// Read from the connection as shown (vpclab has none to show).
pub(super) const CONNECTION_FILTERS: Table<ClientVpnConnection> = table![
    "connection-id" => |c| c.connection_id.iter().cloned().collect(),
    "username" => |c| c.username.iter().cloned().collect(),
];

/// No clients connect to vpclab's endpoints: the list is empty.
fn describe_connections(
    ctx: &Ctx,
    w: &World,
    req: DescribeClientVpnConnectionsRequest,
) -> Outcome<DescribeClientVpnConnectionsResult> {
    let ask = Ask::new(&req.filters, &[], req.max_results, &req.next_token, (5, 1000));
    // vpclab has no clients connected: nothing to list once the endpoint is found.
    let (connections, next_token) = describe(
        ask,
        CONNECTION_FILTERS,
        |_| {
            w.find_client_vpn_endpoint(&ctx.scope, &req.client_vpn_endpoint_id)?;
            Ok(std::iter::empty())
        },
        |c| c.item.clone(),
    )?;
    Ok(DescribeClientVpnConnectionsResult { connections, next_token })
}

fn export_configuration(
    ctx: &Ctx,
    w: &World,
    req: ExportClientVpnClientConfigurationRequest,
) -> Outcome<ExportClientVpnClientConfigurationResult> {
    let e = w.find_client_vpn_endpoint(&ctx.scope, &req.client_vpn_endpoint_id)?;
    Ok(ExportClientVpnClientConfigurationResult {
        client_configuration: Some(e.client_configuration()),
    })
}
