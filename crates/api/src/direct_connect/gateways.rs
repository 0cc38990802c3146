//! Direct Connect gateways, their associations with virtual private and transit gateways, and
//! the virtual private gateways a private virtual interface may attach to.

use super::{Handler, missing, prefixes_in, tags_in, tags_out};
use crate::Outcome;
use crate::registry::{Ctx, Decode, NoInput, read, write};
use model::World;
use model::direct_connect::{DxGateway, DxGatewayAssociation};
use shapes::direct_connect as s;
use wire::ApiError;
use wire::json::{FromJson, Value};

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateDirectConnectGateway", write(create_direct_connect_gateway)),
        ("DescribeDirectConnectGateways", read(describe_direct_connect_gateways)),
        ("DeleteDirectConnectGateway", write(delete_direct_connect_gateway)),
        ("CreateDirectConnectGatewayAssociation", write(create_association)),
        ("DescribeDirectConnectGatewayAssociations", read(describe_associations)),
        ("UpdateDirectConnectGatewayAssociation", write(update_association)),
        ("DeleteDirectConnectGatewayAssociation", write(delete_association)),
        ("DescribeVirtualGateways", read(describe_virtual_gateways)),
    ]
}

fn create_direct_connect_gateway(
    ctx: &Ctx,
    w: &mut World,
    r: s::CreateDirectConnectGatewayRequest,
) -> Outcome<s::CreateDirectConnectGatewayResult> {
    let id = w.create_dx_gateway(
        &ctx.scope,
        &r.direct_connect_gateway_name,
        r.amazon_side_asn,
        &tags_in(&r.tags),
    )?;
    let gw = dx_gateway(w.dx_gateway(&ctx.scope, &id)?, "available");
    Ok(s::CreateDirectConnectGatewayResult { direct_connect_gateway: Some(gw) })
}

fn describe_direct_connect_gateways(
    ctx: &Ctx,
    w: &World,
    r: s::DescribeDirectConnectGatewaysRequest,
) -> Outcome<s::DescribeDirectConnectGatewaysResult> {
    // An unknown id is an empty answer, as AWS gives it.
    let direct_connect_gateways = w
        .dx_gateways
        .values()
        .filter(|g| g.owner.account == ctx.scope.account)
        .filter(|g| r.direct_connect_gateway_id.as_ref().is_none_or(|id| &g.id == id))
        .map(|g| dx_gateway(g, "available"))
        .collect();
    Ok(s::DescribeDirectConnectGatewaysResult { direct_connect_gateways, next_token: None })
}

fn delete_direct_connect_gateway(
    ctx: &Ctx,
    w: &mut World,
    r: s::DeleteDirectConnectGatewayRequest,
) -> Outcome<s::DeleteDirectConnectGatewayResult> {
    let gone = w.delete_dx_gateway(&ctx.scope, &r.direct_connect_gateway_id)?;
    Ok(s::DeleteDirectConnectGatewayResult {
        direct_connect_gateway: Some(dx_gateway(&gone, "deleted")),
    })
}

/// CreateDirectConnectGatewayAssociation's request: the gateway (`gatewayId`, or the older
/// `virtualGatewayId`) is required.
struct NewAssociation {
    dx_gateway_id: String,
    gateway: String,
    prefixes: Vec<String>,
}

impl Decode<Value> for NewAssociation {
    fn decode(body: &Value) -> Result<Self, ApiError> {
        let r = s::CreateDirectConnectGatewayAssociationRequest::from_body(body)?;
        let gateway = r.gateway_id.or(r.virtual_gateway_id).ok_or_else(|| missing("gatewayId"))?;
        let prefixes = prefixes_in(&r.add_allowed_prefixes_to_direct_connect_gateway);
        Ok(NewAssociation { dx_gateway_id: r.direct_connect_gateway_id, gateway, prefixes })
    }
}

fn create_association(
    ctx: &Ctx,
    w: &mut World,
    r: NewAssociation,
) -> Outcome<s::CreateDirectConnectGatewayAssociationResult> {
    let id = w.create_dx_gateway_association(
        &ctx.scope,
        &r.dx_gateway_id,
        &r.gateway,
        &r.prefixes,
        ctx.now,
    )?;
    let a = association(w.dx_gateway_association(&ctx.scope, &id)?, "associated");
    Ok(s::CreateDirectConnectGatewayAssociationResult {
        direct_connect_gateway_association: Some(a),
    })
}

fn describe_associations(
    ctx: &Ctx,
    w: &World,
    r: s::DescribeDirectConnectGatewayAssociationsRequest,
) -> Outcome<s::DescribeDirectConnectGatewayAssociationsResult> {
    let scope = &ctx.scope;
    // An association id that is gone (or never was) lists nothing: the Terraform provider
    // waits for a deletion by polling this until the list is empty.
    if let Some(id) = &r.direct_connect_gateway_id {
        w.dx_gateway(scope, id)?;
    }
    let associated = r.associated_gateway_id.as_ref().or(r.virtual_gateway_id.as_ref());
    let direct_connect_gateway_associations = w
        .dx_gateway_associations
        .values()
        .filter(|a| a.dx_gateway_owner == scope.account || a.gateway_owner == *scope)
        .filter(|a| r.association_id.as_ref().is_none_or(|id| &a.id == id))
        .filter(|a| r.direct_connect_gateway_id.as_ref().is_none_or(|d| &a.dx_gateway_id == d))
        .filter(|a| associated.is_none_or(|g| &a.gateway_id == g))
        .map(|a| association(a, "associated"))
        .collect();
    Ok(s::DescribeDirectConnectGatewayAssociationsResult {
        direct_connect_gateway_associations,
        next_token: None,
    })
}

/// UpdateDirectConnectGatewayAssociation's request: the association id is required.
struct AssociationUpdate {
    id: String,
    add: Vec<String>,
    remove: Vec<String>,
}

impl Decode<Value> for AssociationUpdate {
    fn decode(body: &Value) -> Result<Self, ApiError> {
        let r = s::UpdateDirectConnectGatewayAssociationRequest::from_body(body)?;
        let id = r.association_id.ok_or_else(|| missing("associationId"))?;
        let add = prefixes_in(&r.add_allowed_prefixes_to_direct_connect_gateway);
        let remove = prefixes_in(&r.remove_allowed_prefixes_to_direct_connect_gateway);
        Ok(AssociationUpdate { id, add, remove })
    }
}

fn update_association(
    ctx: &Ctx,
    w: &mut World,
    r: AssociationUpdate,
) -> Outcome<s::UpdateDirectConnectGatewayAssociationResult> {
    w.update_dx_gateway_association(&ctx.scope, &r.id, &r.add, &r.remove)?;
    let a = association(w.dx_gateway_association(&ctx.scope, &r.id)?, "associated");
    Ok(s::UpdateDirectConnectGatewayAssociationResult {
        direct_connect_gateway_association: Some(a),
    })
}

fn delete_association(
    ctx: &Ctx,
    w: &mut World,
    r: s::DeleteDirectConnectGatewayAssociationRequest,
) -> Outcome<s::DeleteDirectConnectGatewayAssociationResult> {
    let gone = w.delete_dx_gateway_association(
        &ctx.scope,
        r.association_id.as_deref(),
        r.direct_connect_gateway_id.as_deref(),
        r.virtual_gateway_id.as_deref(),
        ctx.now,
    )?;
    Ok(s::DeleteDirectConnectGatewayAssociationResult {
        direct_connect_gateway_association: Some(association(&gone, "disassociated")),
    })
}

fn describe_virtual_gateways(ctx: &Ctx, w: &World, _: NoInput) -> Outcome<s::VirtualGateways> {
    let virtual_gateways = w
        .vpn_gateways
        .values()
        .filter(|g| g.owner == ctx.scope)
        .map(|g| s::VirtualGateway {
            virtual_gateway_id: Some(g.id.clone()),
            virtual_gateway_state: Some("available".into()),
        })
        .collect();
    Ok(s::VirtualGateways { virtual_gateways })
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
