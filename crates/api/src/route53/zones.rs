//! Hosted zones: create, get, list (by marker, by name, by VPC), count, comment, delete; VPC
//! associations and cross-account authorizations; DNSSEC status and per-zone limits.

use super::{Handler, change_info, echo_max, location, max_items};
use crate::Outcome;
use crate::registry::{Ctx, read, write};
use model::World;
use model::route53::{HostedZone, NewHostedZone, ZoneVpc};
use shapes::route53 as s;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateHostedZone", write(create_hosted_zone)),
        ("GetHostedZone", read(get_hosted_zone)),
        ("ListHostedZones", read(list_hosted_zones)),
        ("ListHostedZonesByName", read(list_hosted_zones_by_name)),
        ("ListHostedZonesByVPC", read(list_hosted_zones_by_vpc)),
        ("GetHostedZoneCount", read(get_hosted_zone_count)),
        ("UpdateHostedZoneComment", write(update_hosted_zone_comment)),
        ("DeleteHostedZone", write(delete_hosted_zone)),
        ("AssociateVPCWithHostedZone", write(associate_vpc_with_hosted_zone)),
        ("DisassociateVPCFromHostedZone", write(disassociate_vpc_from_hosted_zone)),
        ("CreateVPCAssociationAuthorization", write(create_vpc_association_authorization)),
        ("DeleteVPCAssociationAuthorization", write(delete_vpc_association_authorization)),
        ("ListVPCAssociationAuthorizations", read(list_vpc_association_authorizations)),
        ("GetDNSSEC", read(get_dnssec)),
        ("GetHostedZoneLimit", read(get_hosted_zone_limit)),
    ]
}

/// The default and ceiling of `MaxItems` for hosted zone listings.
const ZONE_PAGE: usize = 100;

/// A hosted zone as AWS shows it.
pub(super) fn zone_out(z: &HostedZone) -> s::HostedZone {
    s::HostedZone {
        id: format!("/hostedzone/{}", z.id),
        name: z.name.clone(),
        caller_reference: z.caller_reference.clone(),
        config: Some(s::HostedZoneConfig {
            comment: z.comment.clone(),
            private_zone: Some(z.private),
        }),
        resource_record_set_count: Some(i64::try_from(z.record_count).unwrap_or(i64::MAX)),
        ..Default::default()
    }
}

fn delegation_set_out(z: &HostedZone) -> s::DelegationSet {
    super::delegation_set(z.delegation_set_id.as_deref(), None, &z.name_servers)
}

/// A VPC of a request; what is missing is left empty for the model to refuse as AWS does.
fn vpc_in(v: &s::VPC) -> ZoneVpc {
    ZoneVpc {
        vpc_id: v.vpc_id.clone().unwrap_or_default(),
        region: v.vpc_region.clone().unwrap_or_default(),
    }
}

/// A VPC to associate or disassociate: AWS takes one without `VPCRegion` as a VPC of the
/// region the request was signed for.
fn vpc_in_signed_region(v: &s::VPC, region: &str) -> ZoneVpc {
    ZoneVpc { region: v.vpc_region.clone().unwrap_or_else(|| region.to_owned()), ..vpc_in(v) }
}

fn vpc_out(v: &ZoneVpc) -> s::VPC {
    s::VPC { vpc_id: Some(v.vpc_id.clone()), vpc_region: Some(v.region.clone()) }
}

fn create_hosted_zone(
    ctx: &Ctx,
    w: &mut World,
    r: s::CreateHostedZoneRequest,
) -> Outcome<s::CreateHostedZoneResponse> {
    let config = r.hosted_zone_config.unwrap_or_default();
    let new = NewHostedZone {
        name: r.name,
        caller_reference: r.caller_reference,
        comment: config.comment,
        private: config.private_zone.unwrap_or(false),
        vpc: r.vpc.as_ref().map(vpc_in),
        delegation_set_id: r.delegation_set_id,
    };
    let (z, change) = w.create_hosted_zone(&ctx.scope.account, new, ctx.now)?;
    Ok(s::CreateHostedZoneResponse {
        hosted_zone: zone_out(&z),
        change_info: change_info(&change),
        delegation_set: delegation_set_out(&z),
        vpc: z.vpcs.first().map(vpc_out),
        location: location(&format!("hostedzone/{}", z.id)),
    })
}

fn get_hosted_zone(
    ctx: &Ctx,
    w: &World,
    r: s::GetHostedZoneRequest,
) -> Outcome<s::GetHostedZoneResponse> {
    let z = w.get_hosted_zone(&ctx.scope.account, &r.id)?;
    Ok(s::GetHostedZoneResponse {
        hosted_zone: zone_out(z),
        // AWS shows a public zone's name servers and a private zone's VPCs.
        delegation_set: (!z.private).then(|| delegation_set_out(z)),
        vpcs: z.vpcs.iter().map(vpc_out).collect(),
    })
}

fn list_hosted_zones(
    ctx: &Ctx,
    w: &World,
    r: s::ListHostedZonesRequest,
) -> Outcome<s::ListHostedZonesResponse> {
    let max = max_items(&r.max_items, "maxItems")?;
    let private = r.hosted_zone_type.as_deref().map(|t| t == "PrivateHostedZone");
    let page = w.list_hosted_zones(
        &ctx.scope.account,
        r.marker.as_deref(),
        max,
        r.delegation_set_id.as_deref(),
        private,
    )?;
    Ok(s::ListHostedZonesResponse {
        hosted_zones: page.items.iter().map(|z| zone_out(z)).collect(),
        is_truncated: page.is_truncated(),
        next_marker: page.next_marker.clone(),
        max_items: echo_max(&r.max_items, ZONE_PAGE),
        marker: r.marker,
    })
}

fn list_hosted_zones_by_name(
    ctx: &Ctx,
    w: &World,
    r: s::ListHostedZonesByNameRequest,
) -> Outcome<s::ListHostedZonesByNameResponse> {
    let max = max_items(&r.max_items, "maxItems")?;
    let page = w.list_hosted_zones_by_name(
        &ctx.scope.account,
        r.dns_name.as_deref(),
        r.hosted_zone_id.as_deref(),
        max,
    )?;
    let (next_dns_name, next_hosted_zone_id) = match &page.next {
        Some((name, id)) => (Some(name.clone()), Some(id.clone())),
        None => (None, None),
    };
    Ok(s::ListHostedZonesByNameResponse {
        hosted_zones: page.items.iter().map(|z| zone_out(z)).collect(),
        is_truncated: page.next.is_some(),
        next_dns_name,
        next_hosted_zone_id,
        max_items: echo_max(&r.max_items, ZONE_PAGE),
        dns_name: r.dns_name,
        hosted_zone_id: r.hosted_zone_id,
    })
}

fn list_hosted_zones_by_vpc(
    ctx: &Ctx,
    w: &World,
    r: s::ListHostedZonesByVPCRequest,
) -> Outcome<s::ListHostedZonesByVPCResponse> {
    let max = max_items(&r.max_items, "maxItems")?;
    let vpc = ZoneVpc { vpc_id: r.vpc_id.clone(), region: r.vpc_region.clone() };
    let page =
        w.list_hosted_zones_by_vpc(&ctx.scope.account, &vpc, r.next_token.as_deref(), max)?;
    Ok(s::ListHostedZonesByVPCResponse {
        hosted_zone_summaries: page
            .items
            .iter()
            .map(|z| s::HostedZoneSummary {
                hosted_zone_id: z.id.clone(),
                name: z.name.clone(),
                owner: s::HostedZoneOwner {
                    owning_account: Some(z.account.clone()),
                    owning_service: None,
                },
            })
            .collect(),
        max_items: echo_max(&r.max_items, ZONE_PAGE),
        next_token: page.next_marker.clone(),
    })
}

fn get_hosted_zone_count(
    ctx: &Ctx,
    w: &World,
    _: s::GetHostedZoneCountRequest,
) -> Outcome<s::GetHostedZoneCountResponse> {
    Ok(s::GetHostedZoneCountResponse {
        hosted_zone_count: i64::try_from(w.hosted_zone_count(&ctx.scope.account))
            .unwrap_or(i64::MAX),
    })
}

fn update_hosted_zone_comment(
    ctx: &Ctx,
    w: &mut World,
    r: s::UpdateHostedZoneCommentRequest,
) -> Outcome<s::UpdateHostedZoneCommentResponse> {
    let z = w.update_hosted_zone_comment(&ctx.scope.account, &r.id, r.comment)?;
    Ok(s::UpdateHostedZoneCommentResponse { hosted_zone: zone_out(z) })
}

fn delete_hosted_zone(
    ctx: &Ctx,
    w: &mut World,
    r: s::DeleteHostedZoneRequest,
) -> Outcome<s::DeleteHostedZoneResponse> {
    let change = w.delete_hosted_zone(&ctx.scope.account, &r.id, ctx.now)?;
    Ok(s::DeleteHostedZoneResponse { change_info: change_info(&change) })
}

fn associate_vpc_with_hosted_zone(
    ctx: &Ctx,
    w: &mut World,
    r: s::AssociateVPCWithHostedZoneRequest,
) -> Outcome<s::AssociateVPCWithHostedZoneResponse> {
    let change = w.associate_vpc_with_hosted_zone(
        &ctx.scope.account,
        &r.hosted_zone_id,
        vpc_in_signed_region(&r.vpc, &ctx.scope.region),
        r.comment,
        ctx.now,
    )?;
    Ok(s::AssociateVPCWithHostedZoneResponse { change_info: change_info(&change) })
}

fn disassociate_vpc_from_hosted_zone(
    ctx: &Ctx,
    w: &mut World,
    r: s::DisassociateVPCFromHostedZoneRequest,
) -> Outcome<s::DisassociateVPCFromHostedZoneResponse> {
    let change = w.disassociate_vpc_from_hosted_zone(
        &ctx.scope.account,
        &r.hosted_zone_id,
        &vpc_in_signed_region(&r.vpc, &ctx.scope.region),
        r.comment,
        ctx.now,
    )?;
    Ok(s::DisassociateVPCFromHostedZoneResponse { change_info: change_info(&change) })
}

fn create_vpc_association_authorization(
    ctx: &Ctx,
    w: &mut World,
    r: s::CreateVPCAssociationAuthorizationRequest,
) -> Outcome<s::CreateVPCAssociationAuthorizationResponse> {
    let vpc = w.create_vpc_association_authorization(
        &ctx.scope.account,
        &r.hosted_zone_id,
        vpc_in(&r.vpc),
    )?;
    Ok(s::CreateVPCAssociationAuthorizationResponse {
        hosted_zone_id: model::route53::bare_id(&r.hosted_zone_id).to_owned(),
        vpc: vpc_out(&vpc),
    })
}

fn delete_vpc_association_authorization(
    ctx: &Ctx,
    w: &mut World,
    r: s::DeleteVPCAssociationAuthorizationRequest,
) -> Outcome<s::DeleteVPCAssociationAuthorizationResponse> {
    w.delete_vpc_association_authorization(&ctx.scope.account, &r.hosted_zone_id, &vpc_in(&r.vpc))?;
    Ok(s::DeleteVPCAssociationAuthorizationResponse {})
}

fn list_vpc_association_authorizations(
    ctx: &Ctx,
    w: &World,
    r: s::ListVPCAssociationAuthorizationsRequest,
) -> Outcome<s::ListVPCAssociationAuthorizationsResponse> {
    let max = max_items(&r.max_results, "maxResults")?;
    let page = w.list_vpc_association_authorizations(
        &ctx.scope.account,
        &r.hosted_zone_id,
        r.next_token.as_deref(),
        max,
    )?;
    Ok(s::ListVPCAssociationAuthorizationsResponse {
        hosted_zone_id: model::route53::bare_id(&r.hosted_zone_id).to_owned(),
        next_token: page.next_marker.clone(),
        vpcs: page.items.iter().map(vpc_out).collect(),
    })
}

/// vpclab signs nothing: every zone reports DNSSEC signing as not enabled.
fn get_dnssec(ctx: &Ctx, w: &World, r: s::GetDNSSECRequest) -> Outcome<s::GetDNSSECResponse> {
    w.get_hosted_zone(&ctx.scope.account, &r.hosted_zone_id)?;
    Ok(s::GetDNSSECResponse {
        status: s::DNSSECStatus {
            serve_signature: Some("NOT_SIGNING".into()),
            status_message: None,
        },
        key_signing_keys: vec![],
    })
}

fn get_hosted_zone_limit(
    ctx: &Ctx,
    w: &World,
    r: s::GetHostedZoneLimitRequest,
) -> Outcome<s::GetHostedZoneLimitResponse> {
    let (limit, count) =
        w.get_hosted_zone_limit(&ctx.scope.account, &r.hosted_zone_id, &r.type_)?;
    Ok(s::GetHostedZoneLimitResponse {
        limit: s::HostedZoneLimit {
            type_: r.type_,
            value: i64::try_from(limit).unwrap_or(i64::MAX),
        },
        count: i64::try_from(count).unwrap_or(i64::MAX),
    })
}
