//! Virtual interfaces (private, public, transit) and their BGP peers.
//!
//! The members the model marks optional but an operation needs are checked as the request is
//! decoded ([`TransitInterface`], [`NewPeer`], [`GonePeer`]), before the world is touched.

use super::{Handler, asn_of, missing, prefixes_in, tags_in, tags_out};
use crate::Outcome;
use crate::registry::{Ctx, Decode, read, write};
use model::World;
use model::direct_connect::{NewBgpPeer, NewVif, VifKind, VirtualInterface};
use shapes::direct_connect as s;
use wire::ApiError;
use wire::json::{FromJson, Value};

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreatePrivateVirtualInterface", write(create_private_virtual_interface)),
        ("CreatePublicVirtualInterface", write(create_public_virtual_interface)),
        ("CreateTransitVirtualInterface", write(create_transit_virtual_interface)),
        ("DescribeVirtualInterfaces", read(describe_virtual_interfaces)),
        ("DeleteVirtualInterface", write(delete_virtual_interface)),
        ("CreateBGPPeer", write(create_bgp_peer)),
        ("DeleteBGPPeer", write(delete_bgp_peer)),
    ]
}

/// The members of a new interface that every kind has (the kinds' shapes are distinct types),
/// the others left to the model's defaults.
macro_rules! peering {
    ($n:ident) => {
        NewVif {
            asn: asn_of($n.asn, $n.asn_long),
            auth_key: $n.auth_key,
            amazon_address: $n.amazon_address,
            customer_address: $n.customer_address,
            address_family: $n.address_family,
            tags: tags_in(&$n.tags),
            ..NewVif::default()
        }
    };
}

fn create_vif(
    ctx: &Ctx,
    w: &mut World,
    kind: VifKind,
    connection_id: &str,
    spec: &NewVif,
) -> Outcome<s::VirtualInterface> {
    let id = w.create_dx_virtual_interface(&ctx.scope, kind, connection_id, spec)?;
    Ok(virtual_interface(w, w.dx_virtual_interface(&ctx.scope, &id)?))
}

fn create_private_virtual_interface(
    ctx: &Ctx,
    w: &mut World,
    r: s::CreatePrivateVirtualInterfaceRequest,
) -> Outcome<s::VirtualInterface> {
    let n = r.new_private_virtual_interface;
    let spec = NewVif {
        name: n.virtual_interface_name,
        vlan: n.vlan,
        mtu: n.mtu,
        virtual_gateway_id: n.virtual_gateway_id,
        direct_connect_gateway_id: n.direct_connect_gateway_id,
        ..peering!(n)
    };
    create_vif(ctx, w, VifKind::Private, &r.connection_id, &spec)
}

fn create_public_virtual_interface(
    ctx: &Ctx,
    w: &mut World,
    r: s::CreatePublicVirtualInterfaceRequest,
) -> Outcome<s::VirtualInterface> {
    let n = r.new_public_virtual_interface;
    let spec = NewVif {
        name: n.virtual_interface_name,
        vlan: n.vlan,
        route_filter_prefixes: prefixes_in(&n.route_filter_prefixes),
        ..peering!(n)
    };
    create_vif(ctx, w, VifKind::Public, &r.connection_id, &spec)
}

/// CreateTransitVirtualInterface's request: the VLAN is required.
struct TransitInterface {
    connection_id: String,
    spec: NewVif,
}

impl Decode<Value> for TransitInterface {
    fn decode(body: &Value) -> Result<Self, ApiError> {
        let r = s::CreateTransitVirtualInterfaceRequest::from_body(body)?;
        let n = r.new_transit_virtual_interface;
        let spec = NewVif {
            name: n.virtual_interface_name.unwrap_or_default(),
            vlan: n.vlan.ok_or_else(|| missing("newTransitVirtualInterface.vlan"))?,
            mtu: n.mtu,
            direct_connect_gateway_id: n.direct_connect_gateway_id,
            ..peering!(n)
        };
        Ok(TransitInterface { connection_id: r.connection_id, spec })
    }
}

fn create_transit_virtual_interface(
    ctx: &Ctx,
    w: &mut World,
    r: TransitInterface,
) -> Outcome<s::CreateTransitVirtualInterfaceResult> {
    let vif = create_vif(ctx, w, VifKind::Transit, &r.connection_id, &r.spec)?;
    Ok(s::CreateTransitVirtualInterfaceResult { virtual_interface: Some(vif) })
}

fn describe_virtual_interfaces(
    ctx: &Ctx,
    w: &World,
    r: s::DescribeVirtualInterfacesRequest,
) -> Outcome<s::VirtualInterfaces> {
    let virtual_interfaces = w
        .dx_virtual_interfaces
        .values()
        .filter(|v| v.owner == ctx.scope)
        .filter(|v| r.virtual_interface_id.as_ref().is_none_or(|id| &v.id == id))
        .filter(|v| r.connection_id.as_ref().is_none_or(|c| &v.connection_id == c))
        .map(|v| virtual_interface(w, v))
        .collect();
    Ok(s::VirtualInterfaces { virtual_interfaces, next_token: None })
}

fn delete_virtual_interface(
    ctx: &Ctx,
    w: &mut World,
    r: s::DeleteVirtualInterfaceRequest,
) -> Outcome<s::DeleteVirtualInterfaceResponse> {
    w.delete_dx_virtual_interface(&ctx.scope, &r.virtual_interface_id)?;
    Ok(s::DeleteVirtualInterfaceResponse { virtual_interface_state: Some("deleted".into()) })
}

/// CreateBGPPeer's request: the virtual interface is required.
struct NewPeer {
    vif_id: String,
    spec: NewBgpPeer,
}

impl Decode<Value> for NewPeer {
    fn decode(body: &Value) -> Result<Self, ApiError> {
        let r = s::CreateBGPPeerRequest::from_body(body)?;
        let vif_id = r.virtual_interface_id.ok_or_else(|| missing("virtualInterfaceId"))?;
        let n = r.new_bgp_peer.unwrap_or_default();
        let spec = NewBgpPeer {
            asn: asn_of(n.asn, n.asn_long),
            auth_key: n.auth_key,
            address_family: n.address_family,
            amazon_address: n.amazon_address,
            customer_address: n.customer_address,
        };
        Ok(NewPeer { vif_id, spec })
    }
}

fn create_bgp_peer(ctx: &Ctx, w: &mut World, r: NewPeer) -> Outcome<s::CreateBGPPeerResponse> {
    w.create_dx_bgp_peer(&ctx.scope, &r.vif_id, &r.spec)?;
    let vif = virtual_interface(w, w.dx_virtual_interface(&ctx.scope, &r.vif_id)?);
    Ok(s::CreateBGPPeerResponse { virtual_interface: Some(vif) })
}

/// DeleteBGPPeer's request: the virtual interface is required.
struct GonePeer {
    vif_id: String,
    request: s::DeleteBGPPeerRequest,
}

impl Decode<Value> for GonePeer {
    fn decode(body: &Value) -> Result<Self, ApiError> {
        let request = s::DeleteBGPPeerRequest::from_body(body)?;
        let vif_id =
            request.virtual_interface_id.clone().ok_or_else(|| missing("virtualInterfaceId"))?;
        Ok(GonePeer { vif_id, request })
    }
}

fn delete_bgp_peer(ctx: &Ctx, w: &mut World, g: GonePeer) -> Outcome<s::DeleteBGPPeerResponse> {
    let r = &g.request;
    w.delete_dx_bgp_peer(
        &ctx.scope,
        &g.vif_id,
        r.bgp_peer_id.as_deref(),
        asn_of(r.asn, r.asn_long),
        r.customer_address.as_deref(),
    )?;
    let vif = virtual_interface(w, w.dx_virtual_interface(&ctx.scope, &g.vif_id)?);
    Ok(s::DeleteBGPPeerResponse { virtual_interface: Some(vif) })
}

fn asn_fields(asn: i64) -> (Option<i32>, Option<i64>) {
    // `asn` is an integer: ASNs past its range are given in `asnLong` only (with `asn` 0).
    (Some(i32::try_from(asn).unwrap_or(0)), Some(asn))
}

fn virtual_interface(w: &World, v: &VirtualInterface) -> s::VirtualInterface {
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
