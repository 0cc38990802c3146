//! DescribeRegions, DescribeAvailabilityZones, DescribeAccountAttributes.

use super::filter::{Filters, Row, Table, flag, one, table};
use super::{Ctx, Handler, read};
use crate::Outcome;
use codes::Ec2;
use model::World;
use model::regions::REGIONS;
use model::regions::{Region as CatalogueRegion, Zone};
use shapes::ec2::*;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("DescribeRegions", read(describe_regions)),
        ("DescribeAvailabilityZones", read(describe_availability_zones)),
        ("DescribeAccountAttributes", read(describe_account_attributes)),
    ]
}

fn opt_in_status(opt_in: bool) -> &'static str {
    if opt_in { "opted-in" } else { "opt-in-not-required" }
}

pub(super) const REGION_FILTERS: Table<CatalogueRegion> = table![
    "endpoint" => |r| one(r.endpoint("ec2")),
    "region-name" => |r| one(r.name),
    "opt-in-status" => |r| one(opt_in_status(r.opt_in)),
];

// Not on `describe::describe` (nor the other Describes without MaxResults: zones, addresses,
// VPN gateways and connections, customer gateways): AWS does not paginate them.
fn describe_regions(
    ctx: &Ctx,
    w: &World,
    req: DescribeRegionsRequest,
) -> Outcome<DescribeRegionsResult> {
    let filters = Filters::new(&req.filters, REGION_FILTERS)?;
    let regions = REGIONS
        .iter()
        .filter(|r| req.region_names.is_empty() || req.region_names.iter().any(|n| n == r.name))
        .filter(|r| filters.matches(&Row::new(w, &ctx.scope, *r), &Default::default()))
        .map(|r| Region {
            endpoint: Some(r.endpoint("ec2")),
            region_name: Some(r.name.to_owned()),
            opt_in_status: Some(opt_in_status(r.opt_in).to_owned()),
            geography: vec![],
        })
        .collect::<Vec<_>>();
    if let Some(missing) = req.region_names.iter().find(|n| model::regions::find(n).is_none()) {
        return Err(model::Error::new(
            Ec2::InvalidParameterValue,
            format!("Invalid region: {missing}"),
        )
        .into());
    }
    Ok(DescribeRegionsResult { regions })
}

fn zone_region(z: &Row<Zone>) -> Vec<String> {
    one(z.region)
}

/// As DescribeAvailabilityZones shows the zone: no messages, no parent zone (vpclab has no
/// Local or Wavelength Zones), no group long name.
fn not_shown(_: &Row<Zone>) -> Vec<String> {
    vec![]
}

pub(super) const ZONE_FILTERS: Table<Zone> = table![
    "group-name" => zone_region,
    "message" => not_shown,
    "opt-in-status" => |_| one("opt-in-not-required"),
    "parent-zone-id" => not_shown,
    "parent-zone-name" => not_shown,
    "region-name" => zone_region,
    "state" => |_| one("available"),
    "zone-id" => |z| one(&z.id),
    "zone-name" => |z| one(&z.name),
    "zone-type" => |_| one("availability-zone"),
    "group-long-name" => not_shown,
];

fn describe_availability_zones(
    ctx: &Ctx,
    w: &World,
    req: DescribeAvailabilityZonesRequest,
) -> Outcome<DescribeAvailabilityZonesResult> {
    let region = ctx.scope.region()?;
    let filters = Filters::new(&req.filters, ZONE_FILTERS)?;
    let zones = region.zones();
    for n in &req.zone_names {
        if !zones.iter().any(|z| &z.name == n) {
            return Err(model::Error::invalid_parameter_value(format!(
                "The zone '{n}' does not exist."
            ))
            .into());
        }
    }
    for n in &req.zone_ids {
        if !zones.iter().any(|z| &z.id == n) {
            return Err(model::Error::invalid_parameter_value(format!(
                "The zone ID '{n}' does not exist."
            ))
            .into());
        }
    }
    let availability_zones = zones
        .into_iter()
        .filter(|z| req.zone_names.is_empty() || req.zone_names.contains(&z.name))
        .filter(|z| req.zone_ids.is_empty() || req.zone_ids.contains(&z.id))
        .filter(|z| filters.matches(&Row::new(w, &ctx.scope, z), &Default::default()))
        .map(|z| AvailabilityZone {
            group_name: Some(region.name.to_owned()),
            network_border_group: Some(region.name.to_owned()),
            opt_in_status: Some("opt-in-not-required".into()),
            region_name: Some(region.name.to_owned()),
            state: Some("available".into()),
            zone_id: Some(z.id),
            zone_name: Some(z.name),
            zone_type: Some("availability-zone".into()),
            messages: vec![],
            ..Default::default()
        })
        .collect();
    let _ = flag;
    Ok(DescribeAvailabilityZonesResult { availability_zones })
}

fn describe_account_attributes(
    ctx: &Ctx,
    w: &World,
    req: DescribeAccountAttributesRequest,
) -> Outcome<DescribeAccountAttributesResult> {
    let default_vpc = w
        .scopes
        .get(&ctx.scope.key())
        .and_then(|s| s.default_vpc_id.clone())
        .filter(|id| w.vpcs.contains(id))
        .unwrap_or_else(|| "none".into());
    let q = &w.quotas;
    let all: Vec<(&str, Vec<String>)> = vec![
        ("supported-platforms", vec!["VPC".into()]),
        ("default-vpc", vec![default_vpc]),
        ("max-instances", vec!["20".into()]),
        (
            "vpc-max-security-groups-per-interface",
            vec![q.security_groups_per_interface.to_string()],
        ),
        ("max-elastic-ips", vec![q.elastic_ips_per_region.to_string()]),
        ("vpc-max-elastic-ips", vec![q.elastic_ips_per_region.to_string()]),
    ];
    let account_attributes = all
        .into_iter()
        .filter(|(name, _)| {
            req.attribute_names.is_empty() || req.attribute_names.iter().any(|n| n == name)
        })
        .map(|(name, values)| AccountAttribute {
            attribute_name: Some(name.to_owned()),
            attribute_values: values
                .into_iter()
                .map(|v| AccountAttributeValue { attribute_value: Some(v) })
                .collect(),
        })
        .collect();
    Ok(DescribeAccountAttributesResult { account_attributes })
}
