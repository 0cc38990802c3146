//! VPC endpoint service operations (PrivateLink, the provider's side): service
//! configurations, their allowed principals, and the connections consumers' endpoints make.

use super::common::{tag_set, tags_for};
use super::describe::{Ask, Listed, NO_TAGS, describe, in_scope};
use super::filter::{Row, Table, one, table};
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use codes::Ec2;
use model::endpoint_service::{self as es, EndpointServiceChange, NewEndpointService};
use model::{Scope, World};
use shapes::ec2::*;
use wire::Timestamp;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateVpcEndpointServiceConfiguration", write(create_service)),
        ("DescribeVpcEndpointServiceConfigurations", read(describe_services)),
        ("ModifyVpcEndpointServiceConfiguration", write(modify_service)),
        ("DeleteVpcEndpointServiceConfigurations", write(delete_services)),
        ("ModifyVpcEndpointServicePermissions", write(modify_permissions)),
        ("DescribeVpcEndpointServicePermissions", read(describe_permissions)),
        ("DescribeVpcEndpointConnections", read(describe_connections)),
        ("AcceptVpcEndpointConnections", write(accept_connections)),
        ("RejectVpcEndpointConnections", write(reject_connections)),
    ]
}

/// The zones a service is offered in: those of its load balancers.
pub(super) fn service_zones(w: &World, s: &es::EndpointService) -> Vec<String> {
    let mut zones: Vec<String> = s
        .load_balancer_arns()
        .filter_map(|a| w.load_balancers.get(a))
        .flat_map(|l| l.zones.iter().map(|z| z.zone.clone()))
        .collect();
    zones.sort();
    zones.dedup();
    zones
}

/// The zone ids of zone names, in the same order.
pub(super) fn zone_ids(scope: &Scope, zones: &[String]) -> Vec<String> {
    let all = model::regions::find(&scope.region).map(|r| r.zones()).unwrap_or_default();
    zones.iter().filter_map(|z| all.iter().find(|x| &x.name == z).map(|x| x.id.clone())).collect()
}

/// The DNS name endpoints of a service are named under.
pub(super) fn base_dns_name(s: &es::EndpointService) -> String {
    format!("{}.{}.vpce.amazonaws.com", s.id, s.owner.region)
}

fn render(w: &World, s: &es::EndpointService) -> ServiceConfiguration {
    let zones = service_zones(w, s);
    ServiceConfiguration {
        acceptance_required: Some(s.acceptance_required),
        availability_zone_ids: zone_ids(&s.owner, &zones),
        availability_zones: zones,
        base_endpoint_dns_names: vec![base_dns_name(s)],
        gateway_load_balancer_arns: s.gateway_load_balancer_arns.clone(),
        manages_vpc_endpoints: Some(false),
        network_load_balancer_arns: s.network_load_balancer_arns.clone(),
        payer_responsibility: Some("ServiceOwner".into()),
        private_dns_name: s.private_dns_name.clone(),
        private_dns_name_configuration: s.private_dns_verification.as_ref().map(|(name, value)| {
            PrivateDnsNameConfiguration {
                name: Some(name.clone()),
                state: Some("pendingVerification".into()),
                type_: Some("TXT".into()),
                value: Some(value.clone()),
            }
        }),
        remote_access_enabled: Some(false),
        service_id: Some(s.id.clone()),
        service_name: Some(s.service_name.clone()),
        service_state: Some("Available".into()),
        service_type: vec![ServiceTypeDetail { service_type: Some(s.service_type.name().into()) }],
        supported_ip_address_types: s.supported_ip_address_types.clone(),
        supported_regions: vec![SupportedRegionDetail {
            region: Some(s.owner.region.clone()),
            service_state: Some("Available".into()),
        }],
        tags: tag_set(&s.tags),
    }
}

fn create_service(
    ctx: &Ctx,
    w: &mut World,
    req: CreateVpcEndpointServiceConfigurationRequest,
) -> Outcome<CreateVpcEndpointServiceConfigurationResult> {
    for region in &req.supported_regions {
        if region != &ctx.scope.region {
            return Err(model::Error::invalid_parameter(format!(
                "vpclab does not offer endpoint services across regions ({region})."
            ))
            .into());
        }
    }
    let new = NewEndpointService {
        network_load_balancer_arns: req.network_load_balancer_arns,
        gateway_load_balancer_arns: req.gateway_load_balancer_arns,
        acceptance_required: req.acceptance_required,
        private_dns_name: req.private_dns_name,
        supported_ip_address_types: req.supported_ip_address_types,
        client_token: req.client_token.clone(),
        tags: tags_for(&req.tag_specifications, "vpc-endpoint-service")?,
    };
    let id = w.create_endpoint_service(&ctx.scope, new, Timestamp::now().0)?;
    let s = w.find_endpoint_service(&ctx.scope, &id)?;
    Ok(CreateVpcEndpointServiceConfigurationResult {
        client_token: req.client_token,
        service_configuration: Some(render(w, s)),
    })
}

pub(super) const SERVICE_FILTERS: Table<es::EndpointService> = table![
    "service-name" => |s| one(&s.service_name),
    "service-id" => |s| one(&s.id),
    "service-state" => |_| one("Available"),
    "supported-ip-address-types" => |s| s.supported_ip_address_types.clone(),
];

fn describe_services(
    ctx: &Ctx,
    w: &World,
    req: DescribeVpcEndpointServiceConfigurationsRequest,
) -> Outcome<DescribeVpcEndpointServiceConfigurationsResult> {
    let ask = Ask::new(&req.filters, &req.service_ids, req.max_results, &req.next_token, (5, 1000));
    let (service_configurations, next_token) = describe(
        ask,
        SERVICE_FILTERS,
        |ids| {
            for id in ids {
                w.find_endpoint_service(&ctx.scope, id)?;
            }
            Ok(in_scope(&w.vpc_endpoint_services, w, &ctx.scope))
        },
        |r| render(w, r.item),
    )?;
    Ok(DescribeVpcEndpointServiceConfigurationsResult { next_token, service_configurations })
}

fn modify_service(
    ctx: &Ctx,
    w: &mut World,
    req: ModifyVpcEndpointServiceConfigurationRequest,
) -> Outcome<ModifyVpcEndpointServiceConfigurationResult> {
    if !req.add_supported_regions.is_empty() || !req.remove_supported_regions.is_empty() {
        return Err(model::Error::invalid_parameter(
            "vpclab does not offer endpoint services across regions.",
        )
        .into());
    }
    let change = EndpointServiceChange {
        acceptance_required: req.acceptance_required,
        private_dns_name: req.private_dns_name,
        remove_private_dns_name: req.remove_private_dns_name.unwrap_or(false),
        add_network_load_balancer_arns: req.add_network_load_balancer_arns,
        remove_network_load_balancer_arns: req.remove_network_load_balancer_arns,
        add_gateway_load_balancer_arns: req.add_gateway_load_balancer_arns,
        remove_gateway_load_balancer_arns: req.remove_gateway_load_balancer_arns,
        add_supported_ip_address_types: req.add_supported_ip_address_types,
        remove_supported_ip_address_types: req.remove_supported_ip_address_types,
    };
    w.modify_endpoint_service(&ctx.scope, &req.service_id, change)?;
    Ok(ModifyVpcEndpointServiceConfigurationResult { return_: Some(true) })
}

fn unsuccessful(id: &str, e: &model::Error) -> UnsuccessfulItem {
    UnsuccessfulItem {
        error: Some(UnsuccessfulItemError {
            code: Some(e.code.to_string()),
            message: Some(e.message.clone()),
        }),
        resource_id: Some(id.to_owned()),
    }
}

/// Each id on its own; failures are listed, not raised.
fn delete_services(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteVpcEndpointServiceConfigurationsRequest,
) -> Outcome<DeleteVpcEndpointServiceConfigurationsResult> {
    let unsuccessful = req
        .service_ids
        .iter()
        .filter_map(|id| {
            w.delete_endpoint_service(&ctx.scope, id).err().map(|mut e| {
                // A bulk delete names a missing service `InvalidVpcEndpointService.NotFound`
                // (AWS's error-code list for bulk requests; Terraform's delete path checks it).
                if e.code == Ec2::InvalidVpcEndpointServiceIdNotFound {
                    e.code = Ec2::InvalidVpcEndpointServiceNotFound.into();
                }
                unsuccessful(id, &e)
            })
        })
        .collect();
    Ok(DeleteVpcEndpointServiceConfigurationsResult { unsuccessful })
}

fn modify_permissions(
    ctx: &Ctx,
    w: &mut World,
    req: ModifyVpcEndpointServicePermissionsRequest,
) -> Outcome<ModifyVpcEndpointServicePermissionsResult> {
    let added = w.modify_endpoint_service_permissions(
        &ctx.scope,
        &req.service_id,
        &req.add_allowed_principals,
        &req.remove_allowed_principals,
    )?;
    Ok(ModifyVpcEndpointServicePermissionsResult {
        added_principals: added
            .iter()
            .map(|p| AddedPrincipal {
                principal: Some(p.principal.clone()),
                principal_type: Some(p.principal_type().into()),
                service_id: Some(req.service_id.clone()),
                service_permission_id: Some(p.permission_id.clone()),
            })
            .collect(),
        return_value: Some(true),
    })
}

pub(super) const PERMISSION_FILTERS: Table<es::AllowedPrincipal, es::EndpointService> = table![
    "principal" => |p| one(&p.principal),
    "principal-type" => |p| one(p.principal_type()),
    "service-permission-id" => |p| one(&p.permission_id),
];

fn describe_permissions(
    ctx: &Ctx,
    w: &World,
    req: DescribeVpcEndpointServicePermissionsRequest,
) -> Outcome<DescribeVpcEndpointServicePermissionsResult> {
    let ask = Ask::new(&req.filters, &[], req.max_results, &req.next_token, (5, 1000));
    let (allowed_principals, next_token) = describe(
        ask,
        PERMISSION_FILTERS,
        |_| {
            let s = w.find_endpoint_service(&ctx.scope, &req.service_id)?;
            Ok(s.allowed_principals.iter().map(move |p| Listed {
                id: (&p.permission_id).into(),
                row: Row::with(w, &ctx.scope, p, s),
                tags: &NO_TAGS,
            }))
        },
        |p| shapes::ec2::AllowedPrincipal {
            principal: Some(p.principal.clone()),
            principal_type: Some(p.principal_type().into()),
            service_id: Some(p.extra.id.clone()),
            service_permission_id: Some(p.permission_id.clone()),
            tags: vec![],
        },
    )?;
    Ok(DescribeVpcEndpointServicePermissionsResult { allowed_principals, next_token })
}

/// A connection: the endpoint, with the service it connects to.
pub(super) const CONNECTION_FILTERS: Table<model::vpc_endpoint::VpcEndpoint, es::EndpointService> = table![
    "ip-address-type" => |_| one("ipv4"),
    "service-id" => |e| one(&e.extra.id),
    "vpc-endpoint-owner" => |e| one(&e.owner.account),
    "vpc-endpoint-region" => |e| one(&e.owner.region),
    "vpc-endpoint-state" => |e| one(e.state.name()),
    "vpc-endpoint-id" => |e| one(&e.id),
];

fn describe_connections(
    ctx: &Ctx,
    w: &World,
    req: DescribeVpcEndpointConnectionsRequest,
) -> Outcome<DescribeVpcEndpointConnectionsResult> {
    let ask = Ask::new(&req.filters, &[], req.max_results, &req.next_token, (5, 1000));
    let (vpc_endpoint_connections, next_token) = describe(
        ask,
        CONNECTION_FILTERS,
        |_| {
            let services = w.vpc_endpoint_services.in_scope(&ctx.scope);
            Ok(services.flat_map(move |s| {
                w.endpoint_connections(s).map(move |e| Listed {
                    id: format!("{}/{}", s.id, e.id).into(),
                    row: Row::with(w, &ctx.scope, e, s),
                    tags: &NO_TAGS,
                })
            }))
        },
        |r| VpcEndpointConnection {
            creation_timestamp: Some(Timestamp(r.create_time)),
            gateway_load_balancer_arns: r.extra.gateway_load_balancer_arns.clone(),
            ip_address_type: Some("ipv4".into()),
            network_load_balancer_arns: r.extra.network_load_balancer_arns.clone(),
            service_id: Some(r.extra.id.clone()),
            vpc_endpoint_connection_id: Some(format!(
                "vpce-con-{}",
                r.id.trim_start_matches("vpce-")
            )),
            vpc_endpoint_id: Some(r.id.clone()),
            vpc_endpoint_owner: Some(r.owner.account.clone()),
            vpc_endpoint_region: Some(r.owner.region.clone()),
            vpc_endpoint_state: Some(r.state.name().into()),
            ..Default::default()
        },
    )?;
    Ok(DescribeVpcEndpointConnectionsResult { next_token, vpc_endpoint_connections })
}

fn decide(
    ctx: &Ctx,
    w: &mut World,
    service_id: &str,
    ids: &[String],
    accept: bool,
) -> Outcome<Vec<UnsuccessfulItem>> {
    // An unknown service fails the whole call; each endpoint fails on its own.
    w.find_endpoint_service(&ctx.scope, service_id)?;
    Ok(ids
        .iter()
        .filter_map(|id| {
            w.decide_endpoint_connection(&ctx.scope, service_id, id, accept)
                .err()
                .map(|e| unsuccessful(id, &e))
        })
        .collect())
}

fn accept_connections(
    ctx: &Ctx,
    w: &mut World,
    req: AcceptVpcEndpointConnectionsRequest,
) -> Outcome<AcceptVpcEndpointConnectionsResult> {
    let unsuccessful = decide(ctx, w, &req.service_id, &req.vpc_endpoint_ids, true)?;
    Ok(AcceptVpcEndpointConnectionsResult { unsuccessful })
}

fn reject_connections(
    ctx: &Ctx,
    w: &mut World,
    req: RejectVpcEndpointConnectionsRequest,
) -> Outcome<RejectVpcEndpointConnectionsResult> {
    let unsuccessful = decide(ctx, w, &req.service_id, &req.vpc_endpoint_ids, false)?;
    Ok(RejectVpcEndpointConnectionsResult { unsuccessful })
}

/// A provider's service as DescribeVpcEndpointServices shows it to a consumer.
pub(super) fn service_detail(w: &World, s: &es::EndpointService) -> ServiceDetail {
    let zones = service_zones(w, s);
    ServiceDetail {
        acceptance_required: Some(s.acceptance_required),
        availability_zone_ids: zone_ids(&s.owner, &zones),
        availability_zones: zones,
        base_endpoint_dns_names: vec![base_dns_name(s)],
        manages_vpc_endpoints: Some(false),
        owner: Some(s.owner.account.clone()),
        payer_responsibility: Some("ServiceOwner".into()),
        private_dns_name: s.private_dns_name.clone(),
        private_dns_name_verification_state: s
            .private_dns_name
            .as_ref()
            .map(|_| "pendingVerification".into()),
        private_dns_names: s
            .private_dns_name
            .iter()
            .map(|n| PrivateDnsDetails { private_dns_name: Some(n.clone()) })
            .collect(),
        service_id: Some(s.id.clone()),
        service_name: Some(s.service_name.clone()),
        service_region: Some(s.owner.region.clone()),
        service_type: vec![ServiceTypeDetail { service_type: Some(s.service_type.name().into()) }],
        supported_ip_address_types: s.supported_ip_address_types.clone(),
        tags: tag_set(&s.tags),
        vpc_endpoint_policy_supported: Some(false),
    }
}
