//! Hosted zones: create, get, list (by marker, by name, by VPC), count, comment, delete; VPC
//! associations and cross-account authorizations; DNSSEC status and per-zone limits.

use super::{Answer, Ctx, change_info, decode, echo_max, location, max_items};
use model::route53::{HostedZone, NewHostedZone, ZoneVpc};
use shapes::route53 as s;
use wire::ApiError;

pub(super) const OPERATIONS: &[&str] = &[
    "CreateHostedZone",
    "GetHostedZone",
    "ListHostedZones",
    "ListHostedZonesByName",
    "ListHostedZonesByVPC",
    "GetHostedZoneCount",
    "UpdateHostedZoneComment",
    "DeleteHostedZone",
    "AssociateVPCWithHostedZone",
    "DisassociateVPCFromHostedZone",
    "CreateVPCAssociationAuthorization",
    "DeleteVPCAssociationAuthorization",
    "ListVPCAssociationAuthorizations",
    "GetDNSSEC",
    "GetHostedZoneLimit",
];

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

pub(super) async fn dispatch(ctx: &Ctx<'_>, op: &str) -> Result<Answer, ApiError> {
    let (input, now) = (ctx.input, ctx.now);
    match op {
        "CreateHostedZone" => {
            let r: s::CreateHostedZoneRequest = decode(input)?;
            let config = r.hosted_zone_config.clone().unwrap_or_default();
            let new = NewHostedZone {
                name: r.name.clone(),
                caller_reference: r.caller_reference.clone(),
                comment: config.comment,
                private: config.private_zone.unwrap_or(false),
                vpc: r.vpc.as_ref().map(vpc_in),
                delegation_set_id: r.delegation_set_id.clone(),
            };
            ctx.write(|w, account| {
                let (z, change) = w.create_hosted_zone(account, new, now)?;
                Ok(s::CreateHostedZoneResponse {
                    hosted_zone: zone_out(&z),
                    change_info: change_info(&change),
                    delegation_set: delegation_set_out(&z),
                    vpc: z.vpcs.first().map(vpc_out),
                    location: location(&format!("hostedzone/{}", z.id)),
                })
            })
            .await
        }
        "GetHostedZone" => {
            let r: s::GetHostedZoneRequest = decode(input)?;
            ctx.read(|w, account| {
                let z = w.get_hosted_zone(account, &r.id)?;
                Ok(s::GetHostedZoneResponse {
                    hosted_zone: zone_out(z),
                    // AWS shows a public zone's name servers and a private zone's VPCs.
                    delegation_set: (!z.private).then(|| delegation_set_out(z)),
                    vpcs: z.vpcs.iter().map(vpc_out).collect(),
                })
            })
            .await
        }
        "ListHostedZones" => {
            let r: s::ListHostedZonesRequest = decode(input)?;
            let max = max_items(&r.max_items, "maxItems")?;
            let private = r.hosted_zone_type.as_deref().map(|t| t == "PrivateHostedZone");
            ctx.read(|w, account| {
                let page = w.list_hosted_zones(
                    account,
                    r.marker.as_deref(),
                    max,
                    r.delegation_set_id.as_deref(),
                    private,
                )?;
                Ok(s::ListHostedZonesResponse {
                    hosted_zones: page.items.iter().map(|z| zone_out(z)).collect(),
                    marker: r.marker.clone(),
                    is_truncated: page.is_truncated(),
                    next_marker: page.next_marker.clone(),
                    max_items: echo_max(&r.max_items, ZONE_PAGE),
                })
            })
            .await
        }
        "ListHostedZonesByName" => {
            let r: s::ListHostedZonesByNameRequest = decode(input)?;
            let max = max_items(&r.max_items, "maxItems")?;
            ctx.read(|w, account| {
                let page = w.list_hosted_zones_by_name(
                    account,
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
                    dns_name: r.dns_name.clone(),
                    hosted_zone_id: r.hosted_zone_id.clone(),
                    is_truncated: page.next.is_some(),
                    next_dns_name,
                    next_hosted_zone_id,
                    max_items: echo_max(&r.max_items, ZONE_PAGE),
                })
            })
            .await
        }
        "ListHostedZonesByVPC" => {
            let r: s::ListHostedZonesByVPCRequest = decode(input)?;
            let max = max_items(&r.max_items, "maxItems")?;
            let vpc = ZoneVpc { vpc_id: r.vpc_id.clone(), region: r.vpc_region.clone() };
            ctx.read(|w, account| {
                let page =
                    w.list_hosted_zones_by_vpc(account, &vpc, r.next_token.as_deref(), max)?;
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
            })
            .await
        }
        "GetHostedZoneCount" => {
            let _: s::GetHostedZoneCountRequest = decode(input)?;
            ctx.read(|w, account| {
                Ok(s::GetHostedZoneCountResponse {
                    hosted_zone_count: i64::try_from(w.hosted_zone_count(account))
                        .unwrap_or(i64::MAX),
                })
            })
            .await
        }
        "UpdateHostedZoneComment" => {
            let r: s::UpdateHostedZoneCommentRequest = decode(input)?;
            ctx.write(|w, account| {
                let z = w.update_hosted_zone_comment(account, &r.id, r.comment.clone())?;
                Ok(s::UpdateHostedZoneCommentResponse { hosted_zone: zone_out(z) })
            })
            .await
        }
        "DeleteHostedZone" => {
            let r: s::DeleteHostedZoneRequest = decode(input)?;
            ctx.write(|w, account| {
                let change = w.delete_hosted_zone(account, &r.id, now)?;
                Ok(s::DeleteHostedZoneResponse { change_info: change_info(&change) })
            })
            .await
        }
        "AssociateVPCWithHostedZone" => {
            let r: s::AssociateVPCWithHostedZoneRequest = decode(input)?;
            ctx.write(|w, account| {
                let change = w.associate_vpc_with_hosted_zone(
                    account,
                    &r.hosted_zone_id,
                    vpc_in_signed_region(&r.vpc, &ctx.region),
                    r.comment.clone(),
                    now,
                )?;
                Ok(s::AssociateVPCWithHostedZoneResponse { change_info: change_info(&change) })
            })
            .await
        }
        "DisassociateVPCFromHostedZone" => {
            let r: s::DisassociateVPCFromHostedZoneRequest = decode(input)?;
            ctx.write(|w, account| {
                let change = w.disassociate_vpc_from_hosted_zone(
                    account,
                    &r.hosted_zone_id,
                    &vpc_in_signed_region(&r.vpc, &ctx.region),
                    r.comment.clone(),
                    now,
                )?;
                Ok(s::DisassociateVPCFromHostedZoneResponse { change_info: change_info(&change) })
            })
            .await
        }
        "CreateVPCAssociationAuthorization" => {
            let r: s::CreateVPCAssociationAuthorizationRequest = decode(input)?;
            ctx.write(|w, account| {
                let vpc = w.create_vpc_association_authorization(
                    account,
                    &r.hosted_zone_id,
                    vpc_in(&r.vpc),
                )?;
                Ok(s::CreateVPCAssociationAuthorizationResponse {
                    hosted_zone_id: model::route53::bare_id(&r.hosted_zone_id).to_owned(),
                    vpc: vpc_out(&vpc),
                })
            })
            .await
        }
        "DeleteVPCAssociationAuthorization" => {
            let r: s::DeleteVPCAssociationAuthorizationRequest = decode(input)?;
            ctx.write(|w, account| {
                w.delete_vpc_association_authorization(
                    account,
                    &r.hosted_zone_id,
                    &vpc_in(&r.vpc),
                )?;
                Ok(s::DeleteVPCAssociationAuthorizationResponse {})
            })
            .await
        }
        "ListVPCAssociationAuthorizations" => {
            let r: s::ListVPCAssociationAuthorizationsRequest = decode(input)?;
            let max = max_items(&r.max_results, "maxResults")?;
            ctx.read(|w, account| {
                let page = w.list_vpc_association_authorizations(
                    account,
                    &r.hosted_zone_id,
                    r.next_token.as_deref(),
                    max,
                )?;
                Ok(s::ListVPCAssociationAuthorizationsResponse {
                    hosted_zone_id: model::route53::bare_id(&r.hosted_zone_id).to_owned(),
                    next_token: page.next_marker.clone(),
                    vpcs: page.items.iter().map(vpc_out).collect(),
                })
            })
            .await
        }
        "GetDNSSEC" => {
            let r: s::GetDNSSECRequest = decode(input)?;
            // vpclab signs nothing: every zone reports DNSSEC signing as not enabled.
            ctx.read(|w, account| {
                w.get_hosted_zone(account, &r.hosted_zone_id)?;
                Ok(s::GetDNSSECResponse {
                    status: s::DNSSECStatus {
                        serve_signature: Some("NOT_SIGNING".into()),
                        status_message: None,
                    },
                    key_signing_keys: vec![],
                })
            })
            .await
        }
        "GetHostedZoneLimit" => {
            let r: s::GetHostedZoneLimitRequest = decode(input)?;
            ctx.read(|w, account| {
                let (limit, count) =
                    w.get_hosted_zone_limit(account, &r.hosted_zone_id, &r.type_)?;
                Ok(s::GetHostedZoneLimitResponse {
                    limit: s::HostedZoneLimit {
                        type_: r.type_.clone(),
                        value: i64::try_from(limit).unwrap_or(i64::MAX),
                    },
                    count: i64::try_from(count).unwrap_or(i64::MAX),
                })
            })
            .await
        }
        other => Err(ApiError::internal(format!("{other} is not a hosted zone operation"))),
    }
}
