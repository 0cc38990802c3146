//! Reusable delegation sets, query logging configs, CIDR collections, tags, account limits,
//! geolocations; TestDNSAnswer is handed to [`super::dns_answer`].

use super::{Answer, Ctx, change_info, decode, echo_max, location, max_items, tags_out};
use model::route53::{CidrChange, TagResourceType, geo};
use shapes::route53 as s;
use wire::ApiError;
use wire::rest::invalid_input;

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

pub(super) async fn dispatch(ctx: &Ctx<'_>, op: &str) -> Result<Answer, ApiError> {
    let (input, now) = (ctx.input, ctx.now);
    match op {
        "CreateReusableDelegationSet" => {
            let r: s::CreateReusableDelegationSetRequest = decode(input)?;
            ctx.write(|w, account| {
                let d = w.create_reusable_delegation_set(
                    account,
                    &r.caller_reference,
                    r.hosted_zone_id.as_deref(),
                )?;
                Ok(s::CreateReusableDelegationSetResponse {
                    location: location(&format!("delegationset/{}", d.id)),
                    delegation_set: delegation_set_out(&d),
                })
            })
            .await
        }
        "GetReusableDelegationSet" => {
            let r: s::GetReusableDelegationSetRequest = decode(input)?;
            ctx.read(|w, account| {
                let d = w.get_reusable_delegation_set(account, &r.id)?;
                Ok(s::GetReusableDelegationSetResponse { delegation_set: delegation_set_out(d) })
            })
            .await
        }
        "ListReusableDelegationSets" => {
            let r: s::ListReusableDelegationSetsRequest = decode(input)?;
            let max = max_items(&r.max_items, "maxItems")?;
            ctx.read(|w, account| {
                let page = w.list_reusable_delegation_sets(account, r.marker.as_deref(), max)?;
                Ok(s::ListReusableDelegationSetsResponse {
                    delegation_sets: page.items.iter().map(|d| delegation_set_out(d)).collect(),
                    marker: r.marker.clone(),
                    is_truncated: page.is_truncated(),
                    next_marker: page.next_marker.clone(),
                    max_items: echo_max(&r.max_items, 100),
                })
            })
            .await
        }
        "DeleteReusableDelegationSet" => {
            let r: s::DeleteReusableDelegationSetRequest = decode(input)?;
            ctx.write(|w, account| {
                w.delete_reusable_delegation_set(account, &r.id)?;
                Ok(s::DeleteReusableDelegationSetResponse {})
            })
            .await
        }
        "GetReusableDelegationSetLimit" => {
            let r: s::GetReusableDelegationSetLimitRequest = decode(input)?;
            ctx.read(|w, account| {
                let (limit, used) =
                    w.get_reusable_delegation_set_limit(account, &r.delegation_set_id, &r.type_)?;
                Ok(s::GetReusableDelegationSetLimitResponse {
                    limit: s::ReusableDelegationSetLimit {
                        type_: r.type_.clone(),
                        value: count(limit),
                    },
                    count: count(used),
                })
            })
            .await
        }
        "GetAccountLimit" => {
            let r: s::GetAccountLimitRequest = decode(input)?;
            ctx.read(|w, account| {
                let (limit, used) = w.get_account_limit(account, &r.type_)?;
                Ok(s::GetAccountLimitResponse {
                    limit: s::AccountLimit { type_: r.type_.clone(), value: count(limit) },
                    count: count(used),
                })
            })
            .await
        }
        "CreateQueryLoggingConfig" => {
            let r: s::CreateQueryLoggingConfigRequest = decode(input)?;
            ctx.write(|w, account| {
                let q = w.create_query_logging_config(
                    account,
                    &r.hosted_zone_id,
                    &r.cloud_watch_logs_log_group_arn,
                )?;
                Ok(s::CreateQueryLoggingConfigResponse {
                    location: location(&format!("queryloggingconfig/{}", q.id)),
                    query_logging_config: query_logging_out(&q),
                })
            })
            .await
        }
        "GetQueryLoggingConfig" => {
            let r: s::GetQueryLoggingConfigRequest = decode(input)?;
            ctx.read(|w, account| {
                let q = w.get_query_logging_config(account, &r.id)?;
                Ok(s::GetQueryLoggingConfigResponse { query_logging_config: query_logging_out(q) })
            })
            .await
        }
        "ListQueryLoggingConfigs" => {
            let r: s::ListQueryLoggingConfigsRequest = decode(input)?;
            let max = max_items(&r.max_results, "maxResults")?;
            ctx.read(|w, account| {
                let page = w.list_query_logging_configs(
                    account,
                    r.hosted_zone_id.as_deref(),
                    r.next_token.as_deref(),
                    max,
                )?;
                Ok(s::ListQueryLoggingConfigsResponse {
                    query_logging_configs: page
                        .items
                        .iter()
                        .map(|q| query_logging_out(q))
                        .collect(),
                    next_token: page.next_marker.clone(),
                })
            })
            .await
        }
        "DeleteQueryLoggingConfig" => {
            let r: s::DeleteQueryLoggingConfigRequest = decode(input)?;
            ctx.write(|w, account| {
                w.delete_query_logging_config(account, &r.id)?;
                Ok(s::DeleteQueryLoggingConfigResponse {})
            })
            .await
        }
        "CreateCidrCollection" => {
            let r: s::CreateCidrCollectionRequest = decode(input)?;
            ctx.write(|w, account| {
                let c = w.create_cidr_collection(account, &r.name, &r.caller_reference)?;
                Ok(s::CreateCidrCollectionResponse {
                    location: Some(location(&format!("cidrcollection/{}", c.id))),
                    collection: Some(collection_out(&c)),
                })
            })
            .await
        }
        "ChangeCidrCollection" => {
            let r: s::ChangeCidrCollectionRequest = decode(input)?;
            let changes = r
                .changes
                .iter()
                .map(|c| CidrChange {
                    put: c.action == "PUT",
                    location_name: c.location_name.clone(),
                    cidrs: c.cidr_list.clone(),
                })
                .collect();
            ctx.write(|w, account| {
                let change =
                    w.change_cidr_collection(account, &r.id, r.collection_version, changes, now)?;
                Ok(s::ChangeCidrCollectionResponse { id: change_info(&change).id })
            })
            .await
        }
        "ListCidrCollections" => {
            let r: s::ListCidrCollectionsRequest = decode(input)?;
            let max = max_items(&r.max_results, "maxResults")?;
            ctx.read(|w, account| {
                let page = w.list_cidr_collections(account, r.next_token.as_deref(), max)?;
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
            })
            .await
        }
        "ListCidrLocations" => {
            let r: s::ListCidrLocationsRequest = decode(input)?;
            let max = max_items(&r.max_results, "maxResults")?;
            ctx.read(|w, account| {
                let page =
                    w.list_cidr_locations(account, &r.collection_id, r.next_token.as_deref(), max)?;
                Ok(s::ListCidrLocationsResponse {
                    cidr_locations: page
                        .items
                        .iter()
                        .map(|l| s::LocationSummary { location_name: Some(l.clone()) })
                        .collect(),
                    next_token: page.next_marker.clone(),
                })
            })
            .await
        }
        "ListCidrBlocks" => {
            let r: s::ListCidrBlocksRequest = decode(input)?;
            let max = max_items(&r.max_results, "maxResults")?;
            ctx.read(|w, account| {
                let page = w.list_cidr_blocks(
                    account,
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
            })
            .await
        }
        "DeleteCidrCollection" => {
            let r: s::DeleteCidrCollectionRequest = decode(input)?;
            ctx.write(|w, account| {
                w.delete_cidr_collection(account, &r.id)?;
                Ok(s::DeleteCidrCollectionResponse {})
            })
            .await
        }
        "ChangeTagsForResource" => {
            let r: s::ChangeTagsForResourceRequest = decode(input)?;
            let kind = tag_kind(&r.resource_type)?;
            let id = tag_resource_id(kind, &r.resource_id)?;
            let add = r
                .add_tags
                .iter()
                .map(|t| match &t.key {
                    Some(k) => Ok((k.clone(), t.value.clone().unwrap_or_default())),
                    None => Err(invalid_input("A tag must have a Key")),
                })
                .collect::<Result<Vec<_>, ApiError>>()?;
            ctx.write(|w, account| {
                w.change_tags_for_resource(account, kind, id, add, r.remove_tag_keys.clone())?;
                Ok(s::ChangeTagsForResourceResponse {})
            })
            .await
        }
        "ListTagsForResource" => {
            let r: s::ListTagsForResourceRequest = decode(input)?;
            let kind = tag_kind(&r.resource_type)?;
            let id = tag_resource_id(kind, &r.resource_id)?;
            ctx.read(|w, account| {
                let tags = w.list_tags_for_resource(account, kind, id)?;
                Ok(s::ListTagsForResourceResponse {
                    resource_tag_set: s::ResourceTagSet {
                        resource_type: Some(r.resource_type.clone()),
                        resource_id: Some(id.to_owned()),
                        tags: tags_out(tags),
                    },
                })
            })
            .await
        }
        "ListTagsForResources" => {
            let r: s::ListTagsForResourcesRequest = decode(input)?;
            let kind = tag_kind(&r.resource_type)?;
            ctx.read(|w, account| {
                let sets = w.list_tags_for_resources(account, kind, &r.resource_ids)?;
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
            })
            .await
        }
        "GetGeoLocation" => {
            let r: s::GetGeoLocationRequest = decode(input)?;
            let g = geo::get_geo_location(
                r.continent_code.as_deref(),
                r.country_code.as_deref(),
                r.subdivision_code.as_deref(),
            )
            .map_err(crate::from_model)?;
            Ok(Box::new(s::GetGeoLocationResponse { geo_location_details: geo_out(&g) }))
        }
        "ListGeoLocations" => {
            let r: s::ListGeoLocationsRequest = decode(input)?;
            let max = max_items(&r.max_items, "maxItems")?;
            let start = geo::GeoStart {
                continent: r.start_continent_code.clone(),
                country: r.start_country_code.clone(),
                subdivision: r.start_subdivision_code.clone(),
            };
            let page = geo::list_geo_locations(&start, max).map_err(crate::from_model)?;
            let next = page.next.clone().unwrap_or_default();
            Ok(Box::new(s::ListGeoLocationsResponse {
                geo_location_details_list: page.items.iter().map(geo_out).collect(),
                is_truncated: page.next.is_some(),
                next_continent_code: next.continent,
                next_country_code: next.country,
                next_subdivision_code: next.subdivision,
                max_items: page.max_items.to_string(),
            }))
        }
        "TestDNSAnswer" => super::dns_answer::test_dns_answer(ctx).await,
        other => Err(ApiError::new(
            "NotImplemented",
            501,
            format!("vpclab does not serve the Route 53 operation {other}."),
        )),
    }
}
