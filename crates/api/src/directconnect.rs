//! AWS Direct Connect over awsJson 1.1: `X-Amz-Target: OvertureService.<Operation>`, a JSON
//! object in (the generated `shapes::directconnect` request), a JSON object out, errors as
//! `{"__type": "DirectConnectClientException", "message": …}` with HTTP 400.
//!
//! Connections, LAGs and virtual interfaces belong to the caller's account and region; Direct
//! Connect gateways to the account (they are global). The rules live in
//! [`model::direct_connect`]; this module turns shapes into model calls and model resources into
//! shapes.

use crate::{Api, Reply, Request, from_model};
use model::direct_connect::{
    self as dx, DxConnection, DxGateway, DxGatewayAssociation, DxLag, NewBgpPeer, NewVif, VifKind,
};
use model::{Scope, World};
use shapes::directconnect as s;
use wire::json::{FromJson, ToJson, VALIDATION_EXCEPTION, Value};
use wire::{ApiError, Timestamp};

/// `X-Amz-Target` is `OvertureService.<Operation>`.
pub const TARGET_PREFIX: &str = s::TARGET_PREFIX;

/// The operations served, as generated.
pub fn operations() -> Vec<&'static str> {
    s::OPERATIONS.iter().map(|(name, ..)| *name).collect()
}

/// Serves one Direct Connect request.
pub async fn handle(api: &Api, request: &Request) -> Result<Reply, ApiError> {
    let (op, body) =
        crate::json_operation(request, s::TARGET_PREFIX, s::OPERATIONS, "Direct Connect")?;
    let scope = &request.scope;
    let value = dispatch(api, scope, op, &body).await.map_err(client_exception)?;
    Ok(crate::json_reply(&value))
}

/// Validation failures of the request shapes are Direct Connect's client exception.
fn client_exception(e: ApiError) -> ApiError {
    if e.code == VALIDATION_EXCEPTION {
        ApiError::client(dx::CLIENT_EXCEPTION, e.message)
    } else {
        e
    }
}

fn input<T: FromJson>(body: &Value) -> Result<T, ApiError> {
    T::from_body(body)
}

async fn write<T: ToJson>(
    api: &Api,
    f: impl FnOnce(&mut World) -> model::Result<T>,
) -> Result<Value, ApiError> {
    api.mutate(|w| f(w).map_err(from_model)).await.map(|v| v.to_json())
}

async fn read<T: ToJson>(
    api: &Api,
    f: impl FnOnce(&World) -> model::Result<T>,
) -> Result<Value, ApiError> {
    api.read(f).await.map_err(from_model).map(|v| v.to_json())
}

fn tags_in(tags: &[s::Tag]) -> Vec<(String, Option<String>)> {
    tags.iter().map(|t| (t.key.clone(), t.value.clone())).collect()
}

fn prefixes_in(prefixes: &[s::RouteFilterPrefix]) -> Vec<String> {
    prefixes.iter().filter_map(|p| p.cidr.clone()).collect()
}

fn asn_of(asn: Option<i32>, asn_long: Option<i64>) -> Option<i64> {
    asn_long.or(asn.map(i64::from))
}

async fn dispatch(api: &Api, scope: &Scope, op: &str, body: &Value) -> Result<Value, ApiError> {
    let scope = scope.clone();
    match op {
        "DescribeLocations" => Ok(locations(&scope).to_json()),
        "CreateConnection" => {
            let r: s::CreateConnectionRequest = input(body)?;
            write(api, |w| {
                let id = w.create_dx_connection(
                    &scope,
                    &r.connection_name,
                    &r.location,
                    &r.bandwidth,
                    r.lag_id.as_deref(),
                    r.provider_name.as_deref(),
                    &tags_in(&r.tags),
                )?;
                Ok(connection(w, w.dx_connection(&scope, &id)?, "available"))
            })
            .await
        }
        "DescribeConnections" => {
            let r: s::DescribeConnectionsRequest = input(body)?;
            read(api, |w| {
                let connections = match &r.connection_id {
                    Some(id) => vec![connection(w, w.dx_connection(&scope, id)?, "available")],
                    None => w
                        .dx_connections
                        .values()
                        .filter(|c| c.owner == scope)
                        .map(|c| connection(w, c, "available"))
                        .collect(),
                };
                Ok(s::Connections { connections, next_token: None })
            })
            .await
        }
        "DeleteConnection" => {
            let r: s::DeleteConnectionRequest = input(body)?;
            write(api, |w| {
                let gone = w.delete_dx_connection(&scope, &r.connection_id)?;
                Ok(connection(w, &gone, "deleted"))
            })
            .await
        }
        "CreateLag" => {
            let r: s::CreateLagRequest = input(body)?;
            write(api, |w| {
                let id = w.create_dx_lag(
                    &scope,
                    &r.lag_name,
                    &r.location,
                    &r.connections_bandwidth,
                    r.number_of_connections,
                    r.connection_id.as_deref(),
                    r.provider_name.as_deref(),
                    &tags_in(&r.tags),
                    &tags_in(&r.child_connection_tags),
                )?;
                Ok(lag(w, w.dx_lag(&scope, &id)?, "available"))
            })
            .await
        }
        "DescribeLags" => {
            let r: s::DescribeLagsRequest = input(body)?;
            read(api, |w| {
                let lags = match &r.lag_id {
                    Some(id) => vec![lag(w, w.dx_lag(&scope, id)?, "available")],
                    None => w
                        .dx_lags
                        .values()
                        .filter(|l| l.owner == scope)
                        .map(|l| lag(w, l, "available"))
                        .collect(),
                };
                Ok(s::Lags { lags, next_token: None })
            })
            .await
        }
        "DeleteLag" => {
            let r: s::DeleteLagRequest = input(body)?;
            write(api, |w| {
                let gone = w.delete_dx_lag(&scope, &r.lag_id)?;
                Ok(lag(w, &gone, "deleted"))
            })
            .await
        }
        "AssociateConnectionWithLag" => {
            let r: s::AssociateConnectionWithLagRequest = input(body)?;
            write(api, |w| {
                w.associate_dx_connection_with_lag(&scope, &r.connection_id, &r.lag_id)?;
                Ok(connection(w, w.dx_connection(&scope, &r.connection_id)?, "available"))
            })
            .await
        }
        "CreatePrivateVirtualInterface" => {
            let r: s::CreatePrivateVirtualInterfaceRequest = input(body)?;
            let n = r.new_private_virtual_interface;
            let spec = NewVif {
                name: n.virtual_interface_name,
                vlan: n.vlan,
                asn: asn_of(n.asn, n.asn_long),
                mtu: n.mtu,
                auth_key: n.auth_key,
                amazon_address: n.amazon_address,
                customer_address: n.customer_address,
                address_family: n.address_family,
                virtual_gateway_id: n.virtual_gateway_id,
                direct_connect_gateway_id: n.direct_connect_gateway_id,
                route_filter_prefixes: Vec::new(),
                tags: tags_in(&n.tags),
            };
            create_vif(api, scope, VifKind::Private, r.connection_id, spec)
                .await
                .map(|v| v.to_json())
        }
        "CreatePublicVirtualInterface" => {
            let r: s::CreatePublicVirtualInterfaceRequest = input(body)?;
            let n = r.new_public_virtual_interface;
            let spec = NewVif {
                name: n.virtual_interface_name,
                vlan: n.vlan,
                asn: asn_of(n.asn, n.asn_long),
                auth_key: n.auth_key,
                amazon_address: n.amazon_address,
                customer_address: n.customer_address,
                address_family: n.address_family,
                route_filter_prefixes: prefixes_in(&n.route_filter_prefixes),
                tags: tags_in(&n.tags),
                ..NewVif::default()
            };
            create_vif(api, scope, VifKind::Public, r.connection_id, spec)
                .await
                .map(|v| v.to_json())
        }
        "CreateTransitVirtualInterface" => {
            let r: s::CreateTransitVirtualInterfaceRequest = input(body)?;
            let n = r.new_transit_virtual_interface;
            let spec = NewVif {
                name: n.virtual_interface_name.unwrap_or_default(),
                vlan: n.vlan.ok_or_else(|| missing("newTransitVirtualInterface.vlan"))?,
                asn: asn_of(n.asn, n.asn_long),
                mtu: n.mtu,
                auth_key: n.auth_key,
                amazon_address: n.amazon_address,
                customer_address: n.customer_address,
                address_family: n.address_family,
                direct_connect_gateway_id: n.direct_connect_gateway_id,
                tags: tags_in(&n.tags),
                ..NewVif::default()
            };
            let vif = create_vif(api, scope, VifKind::Transit, r.connection_id, spec).await?;
            Ok(s::CreateTransitVirtualInterfaceResult { virtual_interface: Some(vif) }.to_json())
        }
        "DescribeVirtualInterfaces" => {
            let r: s::DescribeVirtualInterfacesRequest = input(body)?;
            read(api, |w| {
                let virtual_interfaces = w
                    .dx_virtual_interfaces
                    .values()
                    .filter(|v| v.owner == scope)
                    .filter(|v| r.virtual_interface_id.as_ref().is_none_or(|id| &v.id == id))
                    .filter(|v| r.connection_id.as_ref().is_none_or(|c| &v.connection_id == c))
                    .map(|v| virtual_interface(w, v))
                    .collect();
                Ok(s::VirtualInterfaces { virtual_interfaces, next_token: None })
            })
            .await
        }
        "DeleteVirtualInterface" => {
            let r: s::DeleteVirtualInterfaceRequest = input(body)?;
            write(api, |w| {
                w.delete_dx_virtual_interface(&scope, &r.virtual_interface_id)?;
                Ok(s::DeleteVirtualInterfaceResponse {
                    virtual_interface_state: Some("deleted".into()),
                })
            })
            .await
        }
        "CreateBGPPeer" => {
            let r: s::CreateBGPPeerRequest = input(body)?;
            let vif_id = r.virtual_interface_id.ok_or_else(|| missing("virtualInterfaceId"))?;
            let n = r.new_bgp_peer.unwrap_or_default();
            let spec = NewBgpPeer {
                asn: asn_of(n.asn, n.asn_long),
                auth_key: n.auth_key,
                address_family: n.address_family,
                amazon_address: n.amazon_address,
                customer_address: n.customer_address,
            };
            write(api, |w| {
                w.create_dx_bgp_peer(&scope, &vif_id, &spec)?;
                let vif = virtual_interface(w, w.dx_virtual_interface(&scope, &vif_id)?);
                Ok(s::CreateBGPPeerResponse { virtual_interface: Some(vif) })
            })
            .await
        }
        "DeleteBGPPeer" => {
            let r: s::DeleteBGPPeerRequest = input(body)?;
            let vif_id = r.virtual_interface_id.ok_or_else(|| missing("virtualInterfaceId"))?;
            write(api, |w| {
                w.delete_dx_bgp_peer(
                    &scope,
                    &vif_id,
                    r.bgp_peer_id.as_deref(),
                    asn_of(r.asn, r.asn_long),
                    r.customer_address.as_deref(),
                )?;
                let vif = virtual_interface(w, w.dx_virtual_interface(&scope, &vif_id)?);
                Ok(s::DeleteBGPPeerResponse { virtual_interface: Some(vif) })
            })
            .await
        }
        "CreateDirectConnectGateway" => {
            let r: s::CreateDirectConnectGatewayRequest = input(body)?;
            write(api, |w| {
                let id = w.create_dx_gateway(
                    &scope,
                    &r.direct_connect_gateway_name,
                    r.amazon_side_asn,
                    &tags_in(&r.tags),
                )?;
                let gw = dx_gateway(w.dx_gateway(&scope, &id)?, "available");
                Ok(s::CreateDirectConnectGatewayResult { direct_connect_gateway: Some(gw) })
            })
            .await
        }
        "DescribeDirectConnectGateways" => {
            let r: s::DescribeDirectConnectGatewaysRequest = input(body)?;
            read(api, |w| {
                // An unknown id is an empty answer, as AWS gives it.
                let direct_connect_gateways = w
                    .dx_gateways
                    .values()
                    .filter(|g| g.owner.account == scope.account)
                    .filter(|g| r.direct_connect_gateway_id.as_ref().is_none_or(|id| &g.id == id))
                    .map(|g| dx_gateway(g, "available"))
                    .collect();
                Ok(s::DescribeDirectConnectGatewaysResult {
                    direct_connect_gateways,
                    next_token: None,
                })
            })
            .await
        }
        "DeleteDirectConnectGateway" => {
            let r: s::DeleteDirectConnectGatewayRequest = input(body)?;
            write(api, |w| {
                let gone = w.delete_dx_gateway(&scope, &r.direct_connect_gateway_id)?;
                Ok(s::DeleteDirectConnectGatewayResult {
                    direct_connect_gateway: Some(dx_gateway(&gone, "deleted")),
                })
            })
            .await
        }
        "CreateDirectConnectGatewayAssociation" => {
            let r: s::CreateDirectConnectGatewayAssociationRequest = input(body)?;
            let gateway =
                r.gateway_id.or(r.virtual_gateway_id).ok_or_else(|| missing("gatewayId"))?;
            let prefixes = prefixes_in(&r.add_allowed_prefixes_to_direct_connect_gateway);
            write(api, |w| {
                let id = w.create_dx_gateway_association(
                    &scope,
                    &r.direct_connect_gateway_id,
                    &gateway,
                    &prefixes,
                    wire::Timestamp::now().0,
                )?;
                let a = association(w.dx_gateway_association(&scope, &id)?, "associated");
                Ok(s::CreateDirectConnectGatewayAssociationResult {
                    direct_connect_gateway_association: Some(a),
                })
            })
            .await
        }
        "DescribeDirectConnectGatewayAssociations" => {
            let r: s::DescribeDirectConnectGatewayAssociationsRequest = input(body)?;
            read(api, |w| {
                // An association id that is gone (or never was) lists nothing: the Terraform
                // provider waits for a deletion by polling this until the list is empty.
                if let Some(id) = &r.direct_connect_gateway_id {
                    w.dx_gateway(&scope, id)?;
                }
                let associated = r.associated_gateway_id.as_ref().or(r.virtual_gateway_id.as_ref());
                let direct_connect_gateway_associations = w
                    .dx_gateway_associations
                    .values()
                    .filter(|a| a.dx_gateway_owner == scope.account || a.gateway_owner == scope)
                    .filter(|a| r.association_id.as_ref().is_none_or(|id| &a.id == id))
                    .filter(|a| {
                        r.direct_connect_gateway_id.as_ref().is_none_or(|d| &a.dx_gateway_id == d)
                    })
                    .filter(|a| associated.is_none_or(|g| &a.gateway_id == g))
                    .map(|a| association(a, "associated"))
                    .collect();
                Ok(s::DescribeDirectConnectGatewayAssociationsResult {
                    direct_connect_gateway_associations,
                    next_token: None,
                })
            })
            .await
        }
        "UpdateDirectConnectGatewayAssociation" => {
            let r: s::UpdateDirectConnectGatewayAssociationRequest = input(body)?;
            let id = r.association_id.ok_or_else(|| missing("associationId"))?;
            let add = prefixes_in(&r.add_allowed_prefixes_to_direct_connect_gateway);
            let remove = prefixes_in(&r.remove_allowed_prefixes_to_direct_connect_gateway);
            write(api, |w| {
                w.update_dx_gateway_association(&scope, &id, &add, &remove)?;
                let a = association(w.dx_gateway_association(&scope, &id)?, "associated");
                Ok(s::UpdateDirectConnectGatewayAssociationResult {
                    direct_connect_gateway_association: Some(a),
                })
            })
            .await
        }
        "DeleteDirectConnectGatewayAssociation" => {
            let r: s::DeleteDirectConnectGatewayAssociationRequest = input(body)?;
            write(api, |w| {
                let gone = w.delete_dx_gateway_association(
                    &scope,
                    r.association_id.as_deref(),
                    r.direct_connect_gateway_id.as_deref(),
                    r.virtual_gateway_id.as_deref(),
                    wire::Timestamp::now().0,
                )?;
                Ok(s::DeleteDirectConnectGatewayAssociationResult {
                    direct_connect_gateway_association: Some(association(&gone, "disassociated")),
                })
            })
            .await
        }
        "DescribeVirtualGateways" => {
            read(api, |w| {
                let virtual_gateways = w
                    .vpn_gateways
                    .values()
                    .filter(|g| g.owner == scope)
                    .map(|g| s::VirtualGateway {
                        virtual_gateway_id: Some(g.id.clone()),
                        virtual_gateway_state: Some("available".into()),
                    })
                    .collect();
                Ok(s::VirtualGateways { virtual_gateways })
            })
            .await
        }
        "TagResource" => {
            let r: s::TagResourceRequest = input(body)?;
            write(api, |w| {
                w.dx_tag_resource(&scope, &r.resource_arn, &tags_in(&r.tags))?;
                Ok(s::TagResourceResponse {})
            })
            .await
        }
        "UntagResource" => {
            let r: s::UntagResourceRequest = input(body)?;
            write(api, |w| {
                w.dx_untag_resource(&scope, &r.resource_arn, &r.tag_keys)?;
                Ok(s::UntagResourceResponse {})
            })
            .await
        }
        "DescribeTags" => {
            let r: s::DescribeTagsRequest = input(body)?;
            read(api, |w| {
                let mut resource_tags = Vec::new();
                for arn in &r.resource_arns {
                    let id = w.dx_resource_of_arn(&scope, arn)?;
                    let tags = w.dx_tags(&id).map(|(_, _, t)| tags_out(t)).unwrap_or_default();
                    resource_tags.push(s::ResourceTag { resource_arn: Some(arn.clone()), tags });
                }
                Ok(s::DescribeTagsResponse { resource_tags })
            })
            .await
        }
        other => Err(ApiError::client(
            "UnknownOperationException",
            format!("vpclab does not implement Direct Connect's {other}."),
        )),
    }
}

fn missing(name: &str) -> ApiError {
    ApiError::client(dx::CLIENT_EXCEPTION, format!("{name} is required."))
}

async fn create_vif(
    api: &Api,
    scope: Scope,
    kind: VifKind,
    connection_id: String,
    spec: NewVif,
) -> Result<s::VirtualInterface, ApiError> {
    api.mutate(|w| {
        let id = w
            .create_dx_virtual_interface(&scope, kind, &connection_id, &spec)
            .map_err(from_model)?;
        Ok(virtual_interface(w, w.dx_virtual_interface(&scope, &id).map_err(from_model)?))
    })
    .await
}

fn tags_out(tags: &model::resources::Tags) -> Vec<s::Tag> {
    tags.iter().map(|(k, v)| s::Tag { key: k.clone(), value: Some(v.clone()) }).collect()
}

fn locations(scope: &Scope) -> s::Locations {
    let speeds: Vec<String> = dx::PORT_SPEEDS.iter().map(|s| (*s).to_owned()).collect();
    s::Locations {
        locations: dx::locations_of(&scope.region)
            .into_iter()
            .map(|(code, name)| s::Location {
                location_code: Some(code),
                location_name: Some(name),
                region: Some(scope.region.clone()),
                available_port_speeds: speeds.clone(),
                available_providers: Vec::new(),
                available_mac_sec_port_speeds: vec!["10Gbps".into(), "100Gbps".into()],
            })
            .collect(),
    }
}

fn connection(_w: &World, c: &DxConnection, state: &str) -> s::Connection {
    s::Connection {
        owner_account: Some(c.owner.account.clone()),
        connection_id: Some(c.id.clone()),
        connection_name: Some(c.name.clone()),
        connection_state: Some(state.to_owned()),
        region: Some(c.owner.region.clone()),
        location: Some(c.location.clone()),
        bandwidth: Some(c.bandwidth.clone()),
        loa_issue_time: Some(Timestamp(c.loa_issue_time)),
        lag_id: c.lag_id.clone(),
        aws_device: Some(c.aws_device.clone()),
        aws_device_v2: Some(c.aws_device.clone()),
        aws_logical_device_id: Some(format!("{}-logical", c.aws_device)),
        jumbo_frame_capable: Some(true),
        has_logical_redundancy: Some("unknown".into()),
        provider_name: c.provider_name.clone(),
        mac_sec_capable: Some(false),
        tags: tags_out(&c.tags),
        ..s::Connection::default()
    }
}

fn lag(w: &World, l: &DxLag, state: &str) -> s::Lag {
    let connections: Vec<s::Connection> = w
        .dx_lag_connections(&l.id)
        .into_iter()
        .map(|c| connection(w, c, if state == "deleted" { "deleted" } else { "available" }))
        .collect();
    s::Lag {
        connections_bandwidth: Some(l.bandwidth.clone()),
        number_of_connections: Some(i32::try_from(connections.len()).unwrap_or(i32::MAX)),
        lag_id: Some(l.id.clone()),
        owner_account: Some(l.owner.account.clone()),
        lag_name: Some(l.name.clone()),
        lag_state: Some(state.to_owned()),
        location: Some(l.location.clone()),
        region: Some(l.owner.region.clone()),
        minimum_links: Some(l.minimum_links),
        aws_device: Some(l.aws_device.clone()),
        aws_device_v2: Some(l.aws_device.clone()),
        aws_logical_device_id: Some(format!("{}-logical", l.aws_device)),
        connections,
        allows_hosted_connections: Some(false),
        jumbo_frame_capable: Some(true),
        has_logical_redundancy: Some("unknown".into()),
        provider_name: l.provider_name.clone(),
        mac_sec_capable: Some(false),
        tags: tags_out(&l.tags),
        ..s::Lag::default()
    }
}

fn asn_fields(asn: i64) -> (Option<i32>, Option<i64>) {
    // `asn` is an integer: ASNs past its range are given in `asnLong` only (with `asn` 0).
    (Some(i32::try_from(asn).unwrap_or(0)), Some(asn))
}

fn virtual_interface(
    w: &World,
    v: &model::direct_connect::VirtualInterface,
) -> s::VirtualInterface {
    let peer = v.primary_peer();
    let (asn, asn_long) = asn_fields(peer.map_or(0, |p| p.asn));
    let device = w
        .dx_connections
        .get(&v.connection_id)
        .map(|c| c.aws_device.clone())
        .or_else(|| w.dx_lags.get(&v.connection_id).map(|l| l.aws_device.clone()));
    s::VirtualInterface {
        owner_account: Some(v.owner.account.clone()),
        virtual_interface_id: Some(v.id.clone()),
        location: Some(v.location.clone()),
        connection_id: Some(v.connection_id.clone()),
        virtual_interface_type: Some(v.kind.as_str().to_owned()),
        virtual_interface_name: Some(v.name.clone()),
        vlan: Some(v.vlan),
        asn,
        asn_long,
        amazon_side_asn: Some(v.amazon_side_asn),
        auth_key: peer.map(|p| p.auth_key.clone()),
        amazon_address: peer.and_then(|p| p.amazon_address.clone()),
        customer_address: peer.and_then(|p| p.customer_address.clone()),
        address_family: peer.map(|p| p.address_family.clone()),
        virtual_interface_state: Some("available".into()),
        customer_router_config: None,
        mtu: Some(v.mtu),
        jumbo_frame_capable: Some(v.mtu > 1500),
        virtual_gateway_id: v.virtual_gateway_id.clone(),
        direct_connect_gateway_id: v.direct_connect_gateway_id.clone(),
        route_filter_prefixes: v
            .route_filter_prefixes
            .iter()
            .map(|c| s::RouteFilterPrefix { cidr: Some(c.clone()) })
            .collect(),
        bgp_peers: v
            .bgp_peers
            .iter()
            .map(|p| {
                let (asn, asn_long) = asn_fields(p.asn);
                s::BGPPeer {
                    bgp_peer_id: Some(p.id.clone()),
                    asn,
                    asn_long,
                    auth_key: Some(p.auth_key.clone()),
                    address_family: Some(p.address_family.clone()),
                    amazon_address: p.amazon_address.clone(),
                    customer_address: p.customer_address.clone(),
                    bgp_peer_state: Some("available".into()),
                    bgp_status: Some("up".into()),
                    aws_device_v2: device.clone(),
                    aws_logical_device_id: device.as_ref().map(|d| format!("{d}-logical")),
                }
            })
            .collect(),
        region: Some(v.owner.region.clone()),
        aws_device_v2: device.clone(),
        aws_logical_device_id: device.map(|d| format!("{d}-logical")),
        tags: tags_out(&v.tags),
        site_link_enabled: Some(false),
    }
}

fn dx_gateway(g: &DxGateway, state: &str) -> s::DirectConnectGateway {
    s::DirectConnectGateway {
        direct_connect_gateway_id: Some(g.id.clone()),
        direct_connect_gateway_name: Some(g.name.clone()),
        amazon_side_asn: Some(g.amazon_side_asn),
        owner_account: Some(g.owner.account.clone()),
        direct_connect_gateway_state: Some(state.to_owned()),
        state_change_error: None,
        tags: tags_out(&g.tags),
    }
}

fn association(a: &DxGatewayAssociation, state: &str) -> s::DirectConnectGatewayAssociation {
    let is_vgw = a.gateway_type() == "virtualPrivateGateway";
    s::DirectConnectGatewayAssociation {
        direct_connect_gateway_id: Some(a.dx_gateway_id.clone()),
        direct_connect_gateway_owner_account: Some(a.dx_gateway_owner.clone()),
        association_state: Some(state.to_owned()),
        state_change_error: None,
        associated_gateway: Some(s::AssociatedGateway {
            id: Some(a.gateway_id.clone()),
            type_: Some(a.gateway_type().to_owned()),
            owner_account: Some(a.gateway_owner.account.clone()),
            region: Some(a.gateway_owner.region.clone()),
        }),
        association_id: Some(a.id.clone()),
        allowed_prefixes_to_direct_connect_gateway: a
            .allowed_prefixes
            .iter()
            .map(|c| s::RouteFilterPrefix { cidr: Some(c.to_string()) })
            .collect(),
        associated_core_network: None,
        virtual_gateway_id: is_vgw.then(|| a.gateway_id.clone()),
        virtual_gateway_region: is_vgw.then(|| a.gateway_owner.region.clone()),
        virtual_gateway_owner_account: is_vgw.then(|| a.gateway_owner.account.clone()),
    }
}
