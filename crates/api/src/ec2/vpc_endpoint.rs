//! VPC endpoint operations (gateway and interface endpoints to AWS services).

use super::common::{tag_set, tags_for};
use super::describe::{Ask, Resource, describe};
use super::filter::{Filters, Row, Table, one, table};
use super::page::paginate;
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use codes::Ec2;
use model::World;
use model::vpc_endpoint::{self as ve, EndpointChange, NewVpcEndpoint};
use shapes::ec2::*;
use wire::{ApiError, Timestamp};

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateVpcEndpoint", write(create_vpc_endpoint)),
        ("DeleteVpcEndpoints", write(delete_vpc_endpoints)),
        ("DescribeVpcEndpoints", read(describe_vpc_endpoints)),
        ("ModifyVpcEndpoint", write(modify_vpc_endpoint)),
        ("DescribeVpcEndpointServices", read(describe_vpc_endpoint_services)),
    ]
}

/// The Route 53 hosted zone AWS's `vpce.amazonaws.com` names live in (us-east-1's; vpclab
/// uses one for every region).
const VPCE_HOSTED_ZONE: &str = "Z7HUB22UULQXV";

fn render(w: &World, e: &ve::VpcEndpoint) -> VpcEndpoint {
    let interface = e.endpoint_type == ve::EndpointType::Interface;
    let zones: Vec<String> = e
        .subnet_ids
        .iter()
        .filter_map(|s| w.subnets.get(s))
        .map(|s| s.availability_zone.clone())
        .collect();
    let mut dns_entries: Vec<DnsEntry> = if interface && e.is_live() {
        ve::dns_names(e, &zones)
            .into_iter()
            .map(|n| DnsEntry { dns_name: Some(n), hosted_zone_id: Some(VPCE_HOSTED_ZONE.into()) })
            .collect()
    } else {
        vec![]
    };
    if interface && e.private_dns_enabled && e.is_live() {
        let region = &e.owner.region;
        if let Some(name) =
            ve::find_service(region, &e.service_name).and_then(|s| s.private_dns_name)
        {
            dns_entries.push(DnsEntry { dns_name: Some(name), hosted_zone_id: None });
        }
    }
    VpcEndpoint {
        creation_timestamp: Some(Timestamp(e.create_time)),
        dns_entries,
        dns_options: interface
            .then(|| DnsOptions { dns_record_ip_type: Some("ipv4".into()), ..Default::default() }),
        groups: e
            .security_group_ids
            .iter()
            .map(|g| SecurityGroupIdentifier {
                group_id: Some(g.clone()),
                group_name: w.security_groups.get(g).map(|s| s.name.clone()),
            })
            .collect(),
        ip_address_type: Some("ipv4".into()),
        network_interface_ids: e.network_interface_ids.clone(),
        owner_id: Some(e.owner.account.clone()),
        policy_document: e.policy_document.clone(),
        private_dns_enabled: Some(e.private_dns_enabled),
        requester_managed: Some(false),
        route_table_ids: e.route_table_ids.clone(),
        service_name: Some(e.service_name.clone()),
        state: Some(e.state.name().into()),
        subnet_ids: e.subnet_ids.clone(),
        tags: tag_set(&e.tags),
        vpc_endpoint_id: Some(e.id.clone()),
        vpc_endpoint_type: Some(e.endpoint_type.name().into()),
        vpc_id: Some(e.vpc_id.clone()),
        ..Default::default()
    }
}

fn create_vpc_endpoint(
    ctx: &Ctx,
    w: &mut World,
    req: CreateVpcEndpointRequest,
) -> Outcome<CreateVpcEndpointResult> {
    let service_name =
        req.service_name.clone().ok_or_else(|| ApiError::missing_parameter("ServiceName"))?;
    let new = NewVpcEndpoint {
        vpc_id: req.vpc_id.clone(),
        service_name,
        endpoint_type: req.vpc_endpoint_type.clone(),
        policy_document: req.policy_document.clone(),
        route_table_ids: req.route_table_ids.clone(),
        subnet_ids: req.subnet_ids.clone(),
        security_group_ids: req.security_group_ids.clone(),
        private_dns_enabled: req.private_dns_enabled,
        client_token: req.client_token.clone(),
        tags: tags_for(&req.tag_specifications, "vpc-endpoint")?,
    };
    let id = w.create_vpc_endpoint(&ctx.scope, new, Timestamp::now().0)?;
    let e = w.find_vpc_endpoint(&ctx.scope, &id)?;
    Ok(CreateVpcEndpointResult { client_token: req.client_token, vpc_endpoint: Some(render(w, e)) })
}

fn modify_vpc_endpoint(
    ctx: &Ctx,
    w: &mut World,
    req: ModifyVpcEndpointRequest,
) -> Outcome<ModifyVpcEndpointResult> {
    let change = EndpointChange {
        add_route_table_ids: req.add_route_table_ids,
        remove_route_table_ids: req.remove_route_table_ids,
        add_subnet_ids: req.add_subnet_ids,
        remove_subnet_ids: req.remove_subnet_ids,
        add_security_group_ids: req.add_security_group_ids,
        remove_security_group_ids: req.remove_security_group_ids,
        policy_document: req.policy_document,
        reset_policy: req.reset_policy.unwrap_or(false),
        private_dns_enabled: req.private_dns_enabled,
    };
    w.modify_vpc_endpoint(&ctx.scope, &req.vpc_endpoint_id, change)?;
    Ok(ModifyVpcEndpointResult { return_: Some(true) })
}

/// Each id is deleted on its own; failures are listed, not raised.
fn delete_vpc_endpoints(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteVpcEndpointsRequest,
) -> Outcome<DeleteVpcEndpointsResult> {
    let now = Timestamp::now().0;
    let mut unsuccessful = Vec::new();
    for id in &req.vpc_endpoint_ids {
        if let Err(e) = w.delete_vpc_endpoint(&ctx.scope, id, now) {
            unsuccessful.push(UnsuccessfulItem {
                error: Some(UnsuccessfulItemError {
                    code: Some(e.code.to_string()),
                    message: Some(e.message.clone()),
                }),
                resource_id: Some(id.clone()),
            });
        }
    }
    Ok(DeleteVpcEndpointsResult { unsuccessful })
}

pub(super) const FILTERS: Table<ve::VpcEndpoint> = table![
    "ip-address-type" => |_| one("ipv4"),
    "service-name" => |e| one(&e.service_name),
    // Endpoints reach services of their own region only (no cross-region PrivateLink).
    "service-region" => |e| one(&e.owner.region),
    "vpc-id" => |e| one(&e.vpc_id),
    "vpc-endpoint-id" => |e| one(&e.id),
    "vpc-endpoint-state" => |e| one(e.state.name()),
    "vpc-endpoint-type" => |e| one(e.endpoint_type.name()),
];

fn describe_vpc_endpoints(
    ctx: &Ctx,
    w: &World,
    req: DescribeVpcEndpointsRequest,
) -> Outcome<DescribeVpcEndpointsResult> {
    let ids = &req.vpc_endpoint_ids;
    let ask = Ask::new(&req.filters, ids, req.max_results, &req.next_token, (5, 1000));
    let now = Timestamp::now().0;
    let (vpc_endpoints, next_token) = describe(
        ask,
        FILTERS,
        |ids| {
            let listed: Vec<&ve::VpcEndpoint> = w.listed_vpc_endpoints(&ctx.scope, now).collect();
            for id in ids {
                model::kinds::VPC_ENDPOINT.check_format(id)?;
                if !listed.iter().any(|e| &e.id == id) {
                    return Err(ve::not_found(id).into());
                }
            }
            Ok(listed.into_iter().map(|e| e.listed(w, &ctx.scope)))
        },
        |r| render(w, r.item),
    )?;
    Ok(DescribeVpcEndpointsResult { next_token, vpc_endpoints })
}

/// Amazon's services of the region.
pub(super) const SERVICE_FILTERS: Table<ve::Service> = table![
    "owner" => |_| one("amazon"),
    "service-name" => |s| one(&s.name),
    "service-region" => |s| one(&s.scope.region),
    "service-type" => |s| s.types.iter().map(|t| t.name().to_owned()).collect(),
    "supported-ip-address-types" => |_| one("ipv4"),
];

/// The same names, read from the endpoint services (PrivateLink) of vpclab's users.
pub(super) const PRIVATELINK_FILTERS: Table<model::endpoint_service::EndpointService> = table![
    "owner" => |s| one(&s.owner.account),
    "service-name" => |s| one(&s.service_name),
    "service-region" => |s| one(&s.owner.region),
    "service-type" => |s| one(s.service_type.name()),
    "supported-ip-address-types" => |s| s.supported_ip_address_types.clone(),
];

// Not on `describe::describe`: two kinds of rows (AWS's services, PrivateLink ones) under two
// filter tables, merged by name.
fn describe_vpc_endpoint_services(
    ctx: &Ctx,
    w: &World,
    req: DescribeVpcEndpointServicesRequest,
) -> Outcome<DescribeVpcEndpointServicesResult> {
    let catalogue = Filters::new(&req.filters, SERVICE_FILTERS)?;
    let privatelink = Filters::new(&req.filters, PRIVATELINK_FILTERS)?;
    let region = ctx.scope.region()?;
    let services = ve::services(region.name);
    // Endpoint services (PrivateLink) the caller owns or is allowed to use.
    let provided: Vec<&model::endpoint_service::EndpointService> =
        w.visible_endpoint_services(&ctx.scope).collect();
    for name in &req.service_names {
        if !services.iter().any(|s| &s.name == name)
            && !provided.iter().any(|s| &s.service_name == name)
        {
            return Err(ApiError::client(
                Ec2::InvalidServiceName,
                format!("The Vpc Endpoint Service '{name}' does not exist"),
            )
            .into());
        }
    }
    let zones: Vec<String> = region.zones().into_iter().map(|z| z.name).collect();
    let zone_ids: Vec<String> = region.zones().into_iter().map(|z| z.id).collect();
    let no_tags = Default::default();
    let mut items: Vec<(String, ServiceDetail)> = services
        .into_iter()
        .filter(|s| req.service_names.is_empty() || req.service_names.contains(&s.name))
        .filter(|s| catalogue.matches(&Row::new(w, &ctx.scope, s), &no_tags))
        .map(|s| {
            let detail = ServiceDetail {
                acceptance_required: Some(false),
                availability_zone_ids: zone_ids.clone(),
                availability_zones: zones.clone(),
                base_endpoint_dns_names: vec![format!(
                    "{}.{}.vpce.amazonaws.com",
                    s.short, region.name
                )],
                manages_vpc_endpoints: Some(false),
                owner: Some("amazon".into()),
                private_dns_name: s.private_dns_name.clone(),
                private_dns_name_verification_state: s
                    .private_dns_name
                    .as_ref()
                    .map(|_| "verified".into()),
                private_dns_names: s
                    .private_dns_name
                    .iter()
                    .map(|n| PrivateDnsDetails { private_dns_name: Some(n.clone()) })
                    .collect(),
                service_id: Some(format!(
                    "vpce-svc-{}",
                    model::prefix_list::id_for(&s.name).trim_start_matches("pl-")
                )),
                service_name: Some(s.name.clone()),
                service_region: Some(region.name.into()),
                service_type: s
                    .types
                    .iter()
                    .map(|t| ServiceTypeDetail { service_type: Some(t.name().into()) })
                    .collect(),
                supported_ip_address_types: vec!["ipv4".into()],
                vpc_endpoint_policy_supported: Some(true),
                ..Default::default()
            };
            (s.name.clone(), detail)
        })
        .collect();
    items.extend(
        provided
            .into_iter()
            .filter(|s| req.service_names.is_empty() || req.service_names.contains(&s.service_name))
            .filter(|s| privatelink.matches(&Row::new(w, &ctx.scope, *s), &s.tags))
            .map(|s| (s.service_name.clone(), super::endpoint_service::service_detail(w, s))),
    );
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let (service_details, next_token) =
        paginate(items, req.max_results, req.next_token.as_deref(), (5, 1000))?;
    let service_names = service_details.iter().filter_map(|d| d.service_name.clone()).collect();
    Ok(DescribeVpcEndpointServicesResult { next_token, service_details, service_names })
}
