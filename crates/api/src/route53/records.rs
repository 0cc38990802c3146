//! Record sets: ChangeResourceRecordSets (atomic batches, validated by the model),
//! ListResourceRecordSets (AWS's order and paging) and GetChange.

use super::{Handler, change_info, max_items};
use crate::Outcome;
use crate::registry::{Ctx, Decode, RestRequest, read, write};
use model::World;
use model::route53::{
    AliasTarget, ChangeAction, GeoLocation, GeoProximity, RecordChange, RecordSet, RecordSetInput,
    RecordStart, RoutingPolicy,
};
use shapes::route53 as s;
use wire::ApiError;
use wire::rest::{FromRest, invalid_input};

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("ChangeResourceRecordSets", write(change_resource_record_sets)),
        ("ListResourceRecordSets", read(list_resource_record_sets)),
        ("GetChange", read(get_change)),
    ]
}

fn record_in(r: &s::ResourceRecordSet) -> RecordSetInput {
    RecordSetInput {
        name: r.name.clone(),
        rtype: r.type_.clone(),
        set_identifier: r.set_identifier.clone(),
        ttl: r.ttl,
        records: r.resource_records.iter().map(|v| v.value.clone()).collect(),
        alias: r.alias_target.as_ref().map(|a| AliasTarget {
            hosted_zone_id: a.hosted_zone_id.clone(),
            dns_name: a.dns_name.clone(),
            evaluate_target_health: a.evaluate_target_health,
        }),
        weight: r.weight,
        region: r.region.clone(),
        geo_location: r.geo_location.as_ref().map(|g| GeoLocation {
            continent_code: g.continent_code.clone(),
            country_code: g.country_code.clone(),
            subdivision_code: g.subdivision_code.clone(),
        }),
        geo_proximity: r.geo_proximity_location.as_ref().map(|g| GeoProximity {
            aws_region: g.aws_region.clone(),
            local_zone_group: g.local_zone_group.clone(),
            coordinates: g.coordinates.as_ref().map(|c| (c.latitude.clone(), c.longitude.clone())),
            bias: g.bias,
        }),
        failover: r.failover.clone(),
        multi_value_answer: r.multi_value_answer,
        cidr_routing: r
            .cidr_routing_config
            .as_ref()
            .map(|c| (c.collection_id.clone(), c.location_name.clone())),
        health_check_id: r.health_check_id.clone(),
    }
}

/// A record set as ListResourceRecordSets shows it.
fn record_out(r: &RecordSet) -> s::ResourceRecordSet {
    let mut out = s::ResourceRecordSet {
        name: r.name.clone(),
        type_: r.rtype.clone(),
        set_identifier: r.set_identifier.clone(),
        ttl: r.ttl.map(i64::from),
        resource_records: r
            .records
            .iter()
            .map(|v| s::ResourceRecord { value: v.clone() })
            .collect(),
        alias_target: r.alias.as_ref().map(|a| s::AliasTarget {
            hosted_zone_id: a.hosted_zone_id.clone(),
            dns_name: a.dns_name.clone(),
            evaluate_target_health: a.evaluate_target_health,
        }),
        health_check_id: r.health_check_id.clone(),
        ..Default::default()
    };
    match &r.policy {
        RoutingPolicy::Simple => {}
        RoutingPolicy::Weighted { weight } => out.weight = Some(i64::from(*weight)),
        RoutingPolicy::Latency { region } => out.region = Some(region.clone()),
        RoutingPolicy::Geolocation(g) => {
            out.geo_location = Some(s::GeoLocation {
                continent_code: g.continent_code.clone(),
                country_code: g.country_code.clone(),
                subdivision_code: g.subdivision_code.clone(),
            })
        }
        RoutingPolicy::Geoproximity(g) => {
            out.geo_proximity_location = Some(s::GeoProximityLocation {
                aws_region: g.aws_region.clone(),
                local_zone_group: g.local_zone_group.clone(),
                coordinates: g.coordinates.as_ref().map(|(latitude, longitude)| s::Coordinates {
                    latitude: latitude.clone(),
                    longitude: longitude.clone(),
                }),
                bias: g.bias,
            })
        }
        RoutingPolicy::Failover { primary } => {
            out.failover = Some(if *primary { "PRIMARY" } else { "SECONDARY" }.into())
        }
        RoutingPolicy::MultiValue => out.multi_value_answer = Some(true),
        RoutingPolicy::Cidr { collection_id, location_name } => {
            out.cidr_routing_config = Some(s::CidrRoutingConfig {
                collection_id: collection_id.clone(),
                location_name: location_name.clone(),
            })
        }
    }
    out
}

/// ChangeResourceRecordSets' request with its actions read: an unknown action is refused
/// before the world is touched.
struct ChangeBatch {
    hosted_zone_id: String,
    changes: Vec<RecordChange>,
    comment: Option<String>,
}

impl Decode<RestRequest> for ChangeBatch {
    fn decode(request: &RestRequest) -> Result<Self, ApiError> {
        let r = s::ChangeResourceRecordSetsRequest::from_rest(&request.input())?;
        let changes = r
            .change_batch
            .changes
            .iter()
            .map(|c| {
                let action = ChangeAction::parse(&c.action).ok_or_else(|| {
                    invalid_input(format!("Invalid XML ; unknown action '{}'", c.action))
                })?;
                Ok(RecordChange { action, record: record_in(&c.resource_record_set) })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        Ok(ChangeBatch {
            hosted_zone_id: r.hosted_zone_id,
            changes,
            comment: r.change_batch.comment,
        })
    }
}

fn change_resource_record_sets(
    ctx: &Ctx,
    w: &mut World,
    r: ChangeBatch,
) -> Outcome<s::ChangeResourceRecordSetsResponse> {
    let change = w.change_resource_record_sets(
        &ctx.scope.account,
        &r.hosted_zone_id,
        r.changes,
        r.comment,
        ctx.now,
    )?;
    Ok(s::ChangeResourceRecordSetsResponse { change_info: change_info(&change) })
}

fn list_resource_record_sets(
    ctx: &Ctx,
    w: &World,
    r: s::ListResourceRecordSetsRequest,
) -> Outcome<s::ListResourceRecordSetsResponse> {
    let max = max_items(&r.max_items, "maxItems")?;
    let start = RecordStart {
        name: r.start_record_name,
        rtype: r.start_record_type,
        identifier: r.start_record_identifier,
    };
    let page = w.list_resource_record_sets(&ctx.scope.account, &r.hosted_zone_id, &start, max)?;
    let next = page.next.clone().unwrap_or_default();
    Ok(s::ListResourceRecordSetsResponse {
        resource_record_sets: page.records.iter().map(|r| record_out(r)).collect(),
        is_truncated: page.next.is_some(),
        next_record_name: next.name,
        next_record_type: next.rtype,
        next_record_identifier: next.identifier,
        max_items: page.max_items.to_string(),
    })
}

fn get_change(ctx: &Ctx, w: &World, r: s::GetChangeRequest) -> Outcome<s::GetChangeResponse> {
    Ok(s::GetChangeResponse { change_info: change_info(w.get_change(&ctx.scope.account, &r.id)?) })
}
