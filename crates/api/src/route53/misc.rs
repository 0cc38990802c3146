//! Reusable delegation sets, query logging configs, CIDR collections, tags, account limits,
//! geolocations (a fixed table: no lock taken).

use super::{Handler, change_info, echo_max, location, max_items, tags_out};
use crate::Outcome;
use crate::registry::{Ctx, Decode, RestRequest, read, unlocked, write};
use model::World;
use model::route53::{CidrChange, TagResourceType, geo};
use shapes::route53 as s;
use wire::ApiError;
use wire::rest::{FromRest, invalid_input};

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateReusableDelegationSet", write(create_reusable_delegation_set)),
        ("GetReusableDelegationSet", read(get_reusable_delegation_set)),
        ("ListReusableDelegationSets", read(list_reusable_delegation_sets)),
        ("DeleteReusableDelegationSet", write(delete_reusable_delegation_set)),
        ("GetReusableDelegationSetLimit", read(get_reusable_delegation_set_limit)),
        ("GetAccountLimit", read(get_account_limit)),
        ("CreateQueryLoggingConfig", write(create_query_logging_config)),
        ("GetQueryLoggingConfig", read(get_query_logging_config)),
        ("ListQueryLoggingConfigs", read(list_query_logging_configs)),
        ("DeleteQueryLoggingConfig", write(delete_query_logging_config)),
        ("CreateCidrCollection", write(create_cidr_collection)),
        ("ChangeCidrCollection", write(change_cidr_collection)),
        ("ListCidrCollections", read(list_cidr_collections)),
        ("ListCidrLocations", read(list_cidr_locations)),
        ("ListCidrBlocks", read(list_cidr_blocks)),
        ("DeleteCidrCollection", write(delete_cidr_collection)),
        ("ChangeTagsForResource", write(change_tags_for_resource)),
        ("ListTagsForResource", read(list_tags_for_resource)),
        ("ListTagsForResources", read(list_tags_for_resources)),
        ("GetGeoLocation", unlocked(get_geo_location)),
        ("ListGeoLocations", unlocked(list_geo_locations)),
    ]
}

fn delegation_set_out(d: &model::route53::DelegationSet) -> s::DelegationSet {
    super::delegation_set(Some(&d.id), Some(d.caller_reference.clone()), &d.name_servers)
}

fn query_logging_out(q: &model::route53::QueryLoggingConfig) -> s::QueryLoggingConfig {
    s::QueryLoggingConfig {
        id: q.id.clone(),
        hosted_zone_id: q.hosted_zone_id.clone(),
        cloud_watch_logs_log_group_arn: q.log_group_arn.clone(),
    }
}

fn collection_out(c: &model::route53::CidrCollection) -> s::CidrCollection {
    s::CidrCollection {
        arn: Some(c.arn()),
        id: Some(c.id.clone()),
        name: Some(c.name.clone()),
        version: Some(c.version),
    }
}

fn geo_out(g: &geo::GeoLocationDetails) -> s::GeoLocationDetails {
    let own = |v: Option<&'static str>| v.map(str::to_owned);
    s::GeoLocationDetails {
        continent_code: own(g.continent_code),
        continent_name: own(g.continent_name),
        country_code: own(g.country_code),
        country_name: own(g.country_name),
        subdivision_code: own(g.subdivision_code),
        subdivision_name: own(g.subdivision_name),
    }
}

fn tag_kind(name: &str) -> Result<TagResourceType, ApiError> {
    TagResourceType::parse(name)
        .ok_or_else(|| invalid_input(format!("'{name}' is not a taggable resource type")))
}

/// A tag operation's `ResourceId`: a hosted zone's is a bare id, at most 32 characters (AWS
/// refuses `/hostedzone/Z…` with the length error below; a health check's UUID may be longer).
fn tag_resource_id(kind: TagResourceType, id: &str) -> Result<&str, ApiError> {
    if kind == TagResourceType::HostedZone && id.chars().count() > 32 {
        return Err(invalid_input(format!(
            "1 validation error detected: Value '{id}' at 'resourceId' failed to satisfy constraint: Member must have length less than or equal to 32"
        )));
    }
    Ok(id)
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn create_reusable_delegation_set(
    ctx: &Ctx,
    w: &mut World,
    r: s::CreateReusableDelegationSetRequest,
) -> Outcome<s::CreateReusableDelegationSetResponse> {
    let d = w.create_reusable_delegation_set(
        &ctx.scope.account,
        &r.caller_reference,
        r.hosted_zone_id.as_deref(),
    )?;
    Ok(s::CreateReusableDelegationSetResponse {
        location: location(&format!("delegationset/{}", d.id)),
        delegation_set: delegation_set_out(&d),
    })
}

fn get_reusable_delegation_set(
    ctx: &Ctx,
    w: &World,
    r: s::GetReusableDelegationSetRequest,
) -> Outcome<s::GetReusableDelegationSetResponse> {
    let d = w.get_reusable_delegation_set(&ctx.scope.account, &r.id)?;
    Ok(s::GetReusableDelegationSetResponse { delegation_set: delegation_set_out(d) })
}

fn list_reusable_delegation_sets(
    ctx: &Ctx,
    w: &World,
    r: s::ListReusableDelegationSetsRequest,
) -> Outcome<s::ListReusableDelegationSetsResponse> {
    let max = max_items(&r.max_items, "maxItems")?;
    let page = w.list_reusable_delegation_sets(&ctx.scope.account, r.marker.as_deref(), max)?;
    Ok(s::ListReusableDelegationSetsResponse {
        delegation_sets: page.items.iter().map(|d| delegation_set_out(d)).collect(),
        is_truncated: page.is_truncated(),
        next_marker: page.next_marker.clone(),
        max_items: echo_max(&r.max_items, 100),
        marker: r.marker,
    })
}

fn delete_reusable_delegation_set(
    ctx: &Ctx,
    w: &mut World,
    r: s::DeleteReusableDelegationSetRequest,
) -> Outcome<s::DeleteReusableDelegationSetResponse> {
    w.delete_reusable_delegation_set(&ctx.scope.account, &r.id)?;
    Ok(s::DeleteReusableDelegationSetResponse {})
}

fn get_reusable_delegation_set_limit(
    ctx: &Ctx,
    w: &World,
    r: s::GetReusableDelegationSetLimitRequest,
) -> Outcome<s::GetReusableDelegationSetLimitResponse> {
    let (limit, used) =
        w.get_reusable_delegation_set_limit(&ctx.scope.account, &r.delegation_set_id, &r.type_)?;
    Ok(s::GetReusableDelegationSetLimitResponse {
        limit: s::ReusableDelegationSetLimit { type_: r.type_, value: count(limit) },
        count: count(used),
    })
}

fn get_account_limit(
    ctx: &Ctx,
    w: &World,
    r: s::GetAccountLimitRequest,
) -> Outcome<s::GetAccountLimitResponse> {
    let (limit, used) = w.get_account_limit(&ctx.scope.account, &r.type_)?;
    Ok(s::GetAccountLimitResponse {
        limit: s::AccountLimit { type_: r.type_, value: count(limit) },
        count: count(used),
    })
}

fn create_query_logging_config(
    ctx: &Ctx,
    w: &mut World,
    r: s::CreateQueryLoggingConfigRequest,
) -> Outcome<s::CreateQueryLoggingConfigResponse> {
    let q = w.create_query_logging_config(
        &ctx.scope.account,
        &r.hosted_zone_id,
        &r.cloud_watch_logs_log_group_arn,
    )?;
    Ok(s::CreateQueryLoggingConfigResponse {
        location: location(&format!("queryloggingconfig/{}", q.id)),
        query_logging_config: query_logging_out(&q),
    })
}

fn get_query_logging_config(
    ctx: &Ctx,
    w: &World,
    r: s::GetQueryLoggingConfigRequest,
) -> Outcome<s::GetQueryLoggingConfigResponse> {
    let q = w.get_query_logging_config(&ctx.scope.account, &r.id)?;
    Ok(s::GetQueryLoggingConfigResponse { query_logging_config: query_logging_out(q) })
}

fn list_query_logging_configs(
    ctx: &Ctx,
    w: &World,
    r: s::ListQueryLoggingConfigsRequest,
) -> Outcome<s::ListQueryLoggingConfigsResponse> {
    let max = max_items(&r.max_results, "maxResults")?;
    let page = w.list_query_logging_configs(
        &ctx.scope.account,
        r.hosted_zone_id.as_deref(),
        r.next_token.as_deref(),
        max,
    )?;
    Ok(s::ListQueryLoggingConfigsResponse {
        query_logging_configs: page.items.iter().map(|q| query_logging_out(q)).collect(),
        next_token: page.next_marker.clone(),
    })
}

fn delete_query_logging_config(
    ctx: &Ctx,
    w: &mut World,
    r: s::DeleteQueryLoggingConfigRequest,
) -> Outcome<s::DeleteQueryLoggingConfigResponse> {
    w.delete_query_logging_config(&ctx.scope.account, &r.id)?;
    Ok(s::DeleteQueryLoggingConfigResponse {})
}

fn create_cidr_collection(
    ctx: &Ctx,
    w: &mut World,
    r: s::CreateCidrCollectionRequest,
) -> Outcome<s::CreateCidrCollectionResponse> {
    let c = w.create_cidr_collection(&ctx.scope.account, &r.name, &r.caller_reference)?;
    Ok(s::CreateCidrCollectionResponse {
        location: Some(location(&format!("cidrcollection/{}", c.id))),
        collection: Some(collection_out(&c)),
    })
}

fn change_cidr_collection(
    ctx: &Ctx,
    w: &mut World,
    r: s::ChangeCidrCollectionRequest,
) -> Outcome<s::ChangeCidrCollectionResponse> {
    let changes = r
        .changes
        .into_iter()
        .map(|c| CidrChange {
            put: c.action == "PUT",
            location_name: c.location_name,
            cidrs: c.cidr_list,
        })
        .collect();
    let change = w.change_cidr_collection(
        &ctx.scope.account,
        &r.id,
        r.collection_version,
        changes,
        ctx.now,
    )?;
    Ok(s::ChangeCidrCollectionResponse { id: change_info(&change).id })
}

fn list_cidr_collections(
    ctx: &Ctx,
    w: &World,
    r: s::ListCidrCollectionsRequest,
) -> Outcome<s::ListCidrCollectionsResponse> {
    let max = max_items(&r.max_results, "maxResults")?;
    let page = w.list_cidr_collections(&ctx.scope.account, r.next_token.as_deref(), max)?;
    Ok(s::ListCidrCollectionsResponse {
        cidr_collections: page
            .items
            .iter()
            .map(|c| s::CollectionSummary {
                arn: Some(c.arn()),
                id: Some(c.id.clone()),
                name: Some(c.name.clone()),
                version: Some(c.version),
            })
            .collect(),
        next_token: page.next_marker.clone(),
    })
}

fn list_cidr_locations(
    ctx: &Ctx,
    w: &World,
    r: s::ListCidrLocationsRequest,
) -> Outcome<s::ListCidrLocationsResponse> {
    let max = max_items(&r.max_results, "maxResults")?;
    let page =
        w.list_cidr_locations(&ctx.scope.account, &r.collection_id, r.next_token.as_deref(), max)?;
    Ok(s::ListCidrLocationsResponse {
        cidr_locations: page
            .items
            .iter()
            .map(|l| s::LocationSummary { location_name: Some(l.clone()) })
            .collect(),
        next_token: page.next_marker.clone(),
    })
}

fn list_cidr_blocks(
    ctx: &Ctx,
    w: &World,
    r: s::ListCidrBlocksRequest,
) -> Outcome<s::ListCidrBlocksResponse> {
    let max = max_items(&r.max_results, "maxResults")?;
    let page = w.list_cidr_blocks(
        &ctx.scope.account,
        &r.collection_id,
        r.location_name.as_deref(),
        r.next_token.as_deref(),
        max,
    )?;
    Ok(s::ListCidrBlocksResponse {
        cidr_blocks: page
            .items
            .iter()
            .map(|(loc, cidr)| s::CidrBlockSummary {
                cidr_block: Some(cidr.clone()),
                location_name: Some(loc.clone()),
            })
            .collect(),
        next_token: page.next_marker.clone(),
    })
}

fn delete_cidr_collection(
    ctx: &Ctx,
    w: &mut World,
    r: s::DeleteCidrCollectionRequest,
) -> Outcome<s::DeleteCidrCollectionResponse> {
    w.delete_cidr_collection(&ctx.scope.account, &r.id)?;
    Ok(s::DeleteCidrCollectionResponse {})
}

/// ChangeTagsForResource's request with its resource and tags checked before the world is
/// touched.
struct TagChange {
    kind: TagResourceType,
    id: String,
    add: Vec<(String, String)>,
    remove: Vec<String>,
}

impl Decode<RestRequest> for TagChange {
    fn decode(request: &RestRequest) -> Result<Self, ApiError> {
        let r = s::ChangeTagsForResourceRequest::from_rest(&request.input())?;
        let kind = tag_kind(&r.resource_type)?;
        let id = tag_resource_id(kind, &r.resource_id)?.to_owned();
        let add = r
            .add_tags
            .iter()
            .map(|t| match &t.key {
                Some(k) => Ok((k.clone(), t.value.clone().unwrap_or_default())),
                None => Err(invalid_input("A tag must have a Key")),
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        Ok(TagChange { kind, id, add, remove: r.remove_tag_keys })
    }
}

fn change_tags_for_resource(
    ctx: &Ctx,
    w: &mut World,
    r: TagChange,
) -> Outcome<s::ChangeTagsForResourceResponse> {
    w.change_tags_for_resource(&ctx.scope.account, r.kind, &r.id, r.add, r.remove)?;
    Ok(s::ChangeTagsForResourceResponse {})
}

fn list_tags_for_resource(
    ctx: &Ctx,
    w: &World,
    r: s::ListTagsForResourceRequest,
) -> Outcome<s::ListTagsForResourceResponse> {
    let kind = tag_kind(&r.resource_type)?;
    let id = tag_resource_id(kind, &r.resource_id)?;
    let tags = w.list_tags_for_resource(&ctx.scope.account, kind, id)?;
    Ok(s::ListTagsForResourceResponse {
        resource_tag_set: s::ResourceTagSet {
            resource_type: Some(r.resource_type.clone()),
            resource_id: Some(id.to_owned()),
            tags: tags_out(tags),
        },
    })
}

fn list_tags_for_resources(
    ctx: &Ctx,
    w: &World,
    r: s::ListTagsForResourcesRequest,
) -> Outcome<s::ListTagsForResourcesResponse> {
    let kind = tag_kind(&r.resource_type)?;
    let sets = w.list_tags_for_resources(&ctx.scope.account, kind, &r.resource_ids)?;
    Ok(s::ListTagsForResourcesResponse {
        resource_tag_sets: sets
            .into_iter()
            .map(|(id, tags)| s::ResourceTagSet {
                resource_type: Some(r.resource_type.clone()),
                resource_id: Some(id),
                tags: tags_out(tags),
            })
            .collect(),
    })
}

fn get_geo_location(_: &Ctx, r: s::GetGeoLocationRequest) -> Outcome<s::GetGeoLocationResponse> {
    let g = geo::get_geo_location(
        r.continent_code.as_deref(),
        r.country_code.as_deref(),
        r.subdivision_code.as_deref(),
    )?;
    Ok(s::GetGeoLocationResponse { geo_location_details: geo_out(&g) })
}

fn list_geo_locations(
    _: &Ctx,
    r: s::ListGeoLocationsRequest,
) -> Outcome<s::ListGeoLocationsResponse> {
    let max = max_items(&r.max_items, "maxItems")?;
    let start = geo::GeoStart {
        continent: r.start_continent_code,
        country: r.start_country_code,
        subdivision: r.start_subdivision_code,
    };
    let page = geo::list_geo_locations(&start, max)?;
    let next = page.next.clone().unwrap_or_default();
    Ok(s::ListGeoLocationsResponse {
        geo_location_details_list: page.items.iter().map(geo_out).collect(),
        is_truncated: page.next.is_some(),
        next_continent_code: next.continent,
        next_country_code: next.country,
        next_subdivision_code: next.subdivision,
        max_items: page.max_items.to_string(),
    })
}
