//! DescribeInstances, DescribeInstanceStatus and DescribeInstanceCreditSpecifications: the
//! instances as filters read them.

use super::*;
use codes::Ec2;

type InstanceRow<'a> = Row<'a, m::Instance>;

/// The instance as DescribeInstances shows it.
fn shown(i: &InstanceRow) -> Instance {
    render(i.world, i.item)
}

/// The interface at device index 0.
fn primary<'a>(i: &InstanceRow<'a>) -> Option<&'a m::NetworkInterface> {
    i.world
        .interfaces_of(&i.id)
        .into_iter()
        .find(|e| e.attachment.as_ref().is_some_and(|a| a.device_index == 0))
}

fn each_nic(i: &InstanceRow, f: impl Fn(&m::NetworkInterface) -> Vec<String>) -> Vec<String> {
    i.world.interfaces_of(&i.id).into_iter().flat_map(f).collect()
}

/// Each interface's values for DescribeNetworkInterfaces' filter `name`.
fn interface_values(i: &InstanceRow, name: &str) -> Vec<String> {
    each_nic(i, |e| crate::ec2::eni::interface_values(&Row::new(i.world, i.scope, e), name))
}

fn vols<'a>(i: &InstanceRow<'a>) -> Vec<&'a m::Volume> {
    volumes_of(i.world, &i.id)
}

fn zone_id(i: &InstanceRow) -> Vec<String> {
    i.world.subnets.get(&i.subnet_id).map(|s| s.availability_zone_id.clone()).into_iter().collect()
}

fn terminated(i: &InstanceRow) -> bool {
    i.state == m::InstanceState::Terminated
}

fn no_capacity_reservation_target(_: &InstanceRow) -> Vec<String> {
    vec![]
}

fn no_resource_name_record(_: &InstanceRow) -> Vec<String> {
    flag(false)
}

pub(super) const INSTANCE_FILTERS: Table<m::Instance> = table![
    "affinity" => |i| shown(i).placement.and_then(|p| p.affinity).into_iter().collect(),
    "architecture" => |i| one(shown(i).architecture.unwrap_or_default()),
    "availability-zone" => |i| one(&i.availability_zone),
    "availability-zone-id" => zone_id,
    // Most of the rest read the instance as DescribeInstances shows it: a value vpclab does
    // not model is absent there, so it matches nothing, as on AWS for such an instance.
    "block-device-mapping.attach-time" => {
        |i| shown(i)
                .block_device_mappings
                .into_iter()
                .filter_map(|b| b.ebs.and_then(|e| e.attach_time))
                .map(|t| t.to_iso8601())
                .collect()
    },
    "block-device-mapping.delete-on-termination" => {
        |i| vols(i).iter().flat_map(|v| flag(v.delete_on_termination)).collect()
    },
    "block-device-mapping.device-name" => {
        |i| vols(i).iter().filter_map(|v| v.device.clone()).collect()
    },
    "block-device-mapping.status" => |i| vols(i).iter().map(|_| "attached".to_owned()).collect(),
    "block-device-mapping.volume-id" => |i| vols(i).iter().map(|v| v.id.clone()).collect(),
    "boot-mode" => |i| shown(i).boot_mode.into_iter().collect(),
    "capacity-reservation-id" => |i| shown(i).capacity_reservation_id.into_iter().collect(),
    "capacity-reservation-specification.capacity-reservation-preference" => {
        |i| shown(i)
                .capacity_reservation_specification
                .and_then(|c| c.capacity_reservation_preference)
                .into_iter()
                .collect()
    },
    "capacity-reservation-specification.capacity-reservation-target.capacity-reservation-id" => {
        no_capacity_reservation_target
    },
    "capacity-reservation-specification.capacity-reservation-target.capacity-reservation-resource-group-arn" => {
        no_capacity_reservation_target
    },
    "client-token" => |i| i.client_token.clone().into_iter().collect(),
    "current-instance-boot-mode" => |i| shown(i).current_instance_boot_mode.into_iter().collect(),
    "dns-name" => |i| shown(i).public_dns_name.filter(|d| !d.is_empty()).into_iter().collect(),
    "ebs-optimized" => |i| flag(i.ebs_optimized),
    "ena-support" => |_| flag(true),
    "enclave-options.enabled" => {
        |i| shown(i).enclave_options.and_then(|o| o.enabled).map(flag).unwrap_or_default()
    },
    "hibernation-options.configured" => {
        |i| shown(i).hibernation_options.and_then(|o| o.configured).map(flag).unwrap_or_default()
    },
    "host-id" => |i| shown(i).placement.and_then(|p| p.host_id).into_iter().collect(),
    "hypervisor" => |_| one("xen"),
    "iam-instance-profile.arn" => |i| i.iam_instance_profile_arn.clone().into_iter().collect(),
    "iam-instance-profile.id" => {
        |i| shown(i).iam_instance_profile.and_then(|p| p.id).into_iter().collect()
    },
    "image-id" => |i| one(&i.image_id),
    "instance-id" => |i| one(&i.id),
    "instance-lifecycle" => |_| vec![],
    "instance-state-code" => |i| one(i.state.code()),
    "instance-state-name" => |i| one(i.state.name()),
    "instance-type" => |i| one(&i.instance_type),
    "instance.group-id" => |i| primary(i).map(|e| e.security_groups.clone()).unwrap_or_default(),
    "instance.group-name" => |i| {
        primary(i)
            .map(|e| {
                e.security_groups
                    .iter()
                    .filter_map(|g| i.world.security_groups.get(g))
                    .map(|g| g.name.clone())
                    .collect()
            })
            .unwrap_or_default()
    },
    "ip-address" => {
        |i| primary(i).and_then(|e| e.public_ip()).map(|ip| ip.to_string()).into_iter().collect()
    },
    "ipv6-address" => |i| each_nic(i, |e| e.ipv6_addresses.iter().map(|a| a.to_string()).collect()),
    "kernel-id" => |i| shown(i).kernel_id.into_iter().collect(),
    "key-name" => |i| i.key_name.clone().into_iter().collect(),
    "launch-index" => |i| one(i.ami_launch_index),
    "launch-time" => |i| shown(i).launch_time.map(|t| t.to_iso8601()).into_iter().collect(),
    "maintenance-options.auto-recovery" => {
        |i| shown(i).maintenance_options.and_then(|o| o.auto_recovery).into_iter().collect()
    },
    "metadata-options.http-endpoint" => |i| one(&i.metadata_http_endpoint),
    // The instance metadata service's IPv4 endpoint cannot be turned off.
    "metadata-options.http-protocol-ipv4" => |_| one("enabled"),
    "metadata-options.http-protocol-ipv6" => {
        |i| shown(i).metadata_options.and_then(|o| o.http_protocol_ipv6).into_iter().collect()
    },
    "metadata-options.http-put-response-hop-limit" => |i| one(i.metadata_hop_limit),
    "metadata-options.http-tokens" => |i| one(&i.metadata_http_tokens),
    "metadata-options.instance-metadata-tags" => |i| one(&i.metadata_tags),
    "metadata-options.state" => |_| one("applied"),
    "monitoring-state" => |i| one(if i.monitoring { "enabled" } else { "disabled" }),
    "network-performance-options.bandwidth-weighting" => {
        |i| shown(i)
                .network_performance_options
                .and_then(|o| o.bandwidth_weighting)
                .into_iter()
                .collect()
    },
    "operator.managed" => |i| flag(shown(i).operator.and_then(|o| o.managed).unwrap_or(false)),
    "operator.principal" => |i| shown(i).operator.and_then(|o| o.principal).into_iter().collect(),
    "outpost-arn" => |i| shown(i).outpost_arn.into_iter().collect(),
    "owner-id" => |i| one(&i.owner.account),
    "placement-group-name" => |_| vec![],
    "placement-partition-number" => {
        |i| shown(i).placement.and_then(|p| p.partition_number).map(one).unwrap_or_default()
    },
    "platform" => |i| shown(i).platform.into_iter().collect(),
    "platform-details" => |_| one("Linux/UNIX"),
    "private-dns-name" => {
        |i| (!terminated(i)).then(|| i.private_dns_name.clone()).into_iter().collect()
    },
    // As rendered: vpclab launches with ip-name hostnames and no resource-name records.
    "private-dns-name-options.enable-resource-name-dns-a-record" => {
        no_resource_name_record
    },
    "private-dns-name-options.enable-resource-name-dns-aaaa-record" => {
        no_resource_name_record
    },
    "private-dns-name-options.hostname-type" => |_| one("ip-name"),
    "private-ip-address" => {
        |i| primary(i).and_then(|e| e.primary_ip()).map(|ip| ip.to_string()).into_iter().collect()
    },
    "product-code" => {
        |i| shown(i).product_codes.into_iter().filter_map(|c| c.product_code_id).collect()
    },
    "product-code.type" => {
        |i| shown(i).product_codes.into_iter().filter_map(|c| c.product_code_type).collect()
    },
    "ramdisk-id" => |i| shown(i).ramdisk_id.into_iter().collect(),
    "reason" => |i| shown(i).state_transition_reason.into_iter().collect(),
    "requester-id" => |_| vec![],
    "reservation-id" => |i| one(&i.reservation_id),
    "root-device-name" => |i| one(&i.root_device_name),
    "root-device-type" => |_| one("ebs"),
    "source-dest-check" => |i| primary(i).map(|e| flag(e.source_dest_check)).unwrap_or_default(),
    "spot-instance-request-id" => |i| shown(i).spot_instance_request_id.into_iter().collect(),
    "state-reason-code" => |i| shown(i).state_reason.and_then(|r| r.code).into_iter().collect(),
    "state-reason-message" => {
        |i| shown(i).state_reason.and_then(|r| r.message).into_iter().collect()
    },
    "subnet-id" => |i| (!terminated(i)).then(|| i.subnet_id.clone()).into_iter().collect(),
    "tenancy" => |i| one(&i.tenancy),
    "tpm-support" => |i| shown(i).tpm_support.into_iter().collect(),
    "usage-operation" => |i| shown(i).usage_operation.into_iter().collect(),
    "usage-operation-update-time" => {
        |i| shown(i).usage_operation_update_time.map(|t| t.to_iso8601()).into_iter().collect()
    },
    "virtualization-type" => |_| one("hvm"),
    "vpc-id" => |i| (!terminated(i)).then(|| i.vpc_id.clone()).into_iter().collect(),
    // `network-interface.X` reads each interface as DescribeNetworkInterfaces' filter X does.
    "network-interface.addresses.association.allocation-id" => {
        |i| interface_values(i, "addresses.association.allocation-id")
    },
    "network-interface.addresses.association.association-id" => {
        |i| interface_values(i, "addresses.association.association-id")
    },
    "network-interface.addresses.association.carrier-ip" => {
        |i| interface_values(i, "addresses.association.carrier-ip")
    },
    "network-interface.addresses.association.customer-owned-ip" => {
        |i| interface_values(i, "addresses.association.customer-owned-ip")
    },
    "network-interface.addresses.association.ip-owner-id" => {
        |i| interface_values(i, "addresses.association.owner-id")
    },
    "network-interface.addresses.association.public-dns-name" => {
        |i| interface_values(i, "addresses.association.public-dns-name")
    },
    "network-interface.addresses.association.public-ip" => {
        |i| interface_values(i, "addresses.association.public-ip")
    },
    "network-interface.addresses.primary" => |i| interface_values(i, "addresses.primary"),
    "network-interface.addresses.private-dns-name" => {
        |i| interface_values(i, "addresses.private-dns-name")
    },
    "network-interface.addresses.private-ip-address" => {
        |i| interface_values(i, "addresses.private-ip-address")
    },
    "network-interface.association.allocation-id" => {
        |i| interface_values(i, "association.allocation-id")
    },
    "network-interface.association.association-id" => {
        |i| interface_values(i, "association.association-id")
    },
    "network-interface.association.carrier-ip" => |i| interface_values(i, "association.carrier-ip"),
    "network-interface.association.customer-owned-ip" => {
        |i| interface_values(i, "association.customer-owned-ip")
    },
    "network-interface.association.ip-owner-id" => {
        |i| interface_values(i, "association.ip-owner-id")
    },
    "network-interface.association.public-dns-name" => {
        |i| interface_values(i, "association.public-dns-name")
    },
    "network-interface.association.public-ip" => |i| interface_values(i, "association.public-ip"),
    "network-interface.attachment.attach-time" => |i| interface_values(i, "attachment.attach-time"),
    "network-interface.attachment.attachment-id" => {
        |i| interface_values(i, "attachment.attachment-id")
    },
    "network-interface.attachment.delete-on-termination" => {
        |i| interface_values(i, "attachment.delete-on-termination")
    },
    "network-interface.attachment.device-index" => {
        |i| interface_values(i, "attachment.device-index")
    },
    "network-interface.attachment.instance-id" => |i| interface_values(i, "attachment.instance-id"),
    "network-interface.attachment.instance-owner-id" => {
        |i| interface_values(i, "attachment.instance-owner-id")
    },
    "network-interface.attachment.network-card-index" => {
        |i| interface_values(i, "attachment.network-card-index")
    },
    "network-interface.attachment.status" => |i| interface_values(i, "attachment.status"),
    "network-interface.availability-zone" => |i| interface_values(i, "availability-zone"),
    "network-interface.deny-all-igw-traffic" => |i| interface_values(i, "deny-all-igw-traffic"),
    "network-interface.description" => |i| interface_values(i, "description"),
    "network-interface.group-id" => |i| interface_values(i, "group-id"),
    "network-interface.group-name" => |i| interface_values(i, "group-name"),
    "network-interface.ipv4-prefixes.ipv4-prefix" => {
        |i| interface_values(i, "ipv4-prefixes.ipv4-prefix")
    },
    "network-interface.ipv6-address" => |i| interface_values(i, "ipv6-addresses.ipv6-address"),
    "network-interface.ipv6-addresses.ipv6-address" => {
        |i| interface_values(i, "ipv6-addresses.ipv6-address")
    },
    "network-interface.ipv6-addresses.is-primary-ipv6" => {
        |i| interface_values(i, "ipv6-addresses.is-primary-ipv6")
    },
    "network-interface.ipv6-native" => |i| interface_values(i, "ipv6-native"),
    "network-interface.ipv6-prefixes.ipv6-prefix" => {
        |i| interface_values(i, "ipv6-prefixes.ipv6-prefix")
    },
    "network-interface.mac-address" => |i| interface_values(i, "mac-address"),
    "network-interface.network-interface-id" => |i| interface_values(i, "network-interface-id"),
    "network-interface.operator.managed" => |i| interface_values(i, "operator.managed"),
    "network-interface.operator.principal" => |i| interface_values(i, "operator.principal"),
    "network-interface.outpost-arn" => |i| interface_values(i, "outpost-arn"),
    "network-interface.owner-id" => |i| interface_values(i, "owner-id"),
    "network-interface.private-dns-name" => |i| interface_values(i, "private-dns-name"),
    "network-interface.private-ip-address" => |i| interface_values(i, "private-ip-address"),
    "network-interface.public-dns-name" => |i| interface_values(i, "public-dns-name"),
    "network-interface.requester-id" => |i| interface_values(i, "requester-id"),
    "network-interface.requester-managed" => |i| interface_values(i, "requester-managed"),
    "network-interface.source-dest-check" => |i| interface_values(i, "source-dest-check"),
    "network-interface.status" => |i| interface_values(i, "status"),
    "network-interface.subnet-id" => |i| interface_values(i, "subnet-id"),
    "network-interface.tag-key" => |i| interface_values(i, "tag-key"),
    "network-interface.tag-value" => |i| interface_values(i, "tag-value"),
    "network-interface.vpc-id" => |i| interface_values(i, "vpc-id"),
];

/// Instance ids a Describe names must all exist (any unknown one fails the call).
fn check_ids(ctx: &Ctx, w: &World, ids: &[String]) -> Result<(), ApiError> {
    let mut missing = Vec::new();
    for id in ids {
        kinds::INSTANCE.check_format(id).map_err(crate::from_model)?;
        if w.instances.get(id).is_none_or(|i| i.owner != ctx.scope) {
            missing.push(id.clone());
        }
    }
    match missing.as_slice() {
        [] => Ok(()),
        [one] => Err(crate::from_model(kinds::INSTANCE.not_found(one))),
        many => Err(ApiError::client(
            Ec2::InvalidInstanceIDNotFound,
            format!("The instance IDs '{}' do not exist", many.join(", ")),
        )),
    }
}

/// AWS refuses explicit instance ids together with MaxResults.
fn refuse_ids_with_max_results(ids: &[String], max_results: Option<i32>) -> Result<(), ApiError> {
    if !ids.is_empty() && max_results.is_some() {
        return Err(ApiError::client(
            Ec2::InvalidParameterCombination,
            "The parameter instancesSet cannot be used with the parameter maxResults",
        ));
    }
    Ok(())
}

/// Every instance of the caller as a row without tags: the status and credit filters read none.
fn instance_rows<'w>(ctx: &'w Ctx, w: &'w World) -> impl Iterator<Item = Listed<'w, m::Instance>> {
    w.instances.in_scope(&ctx.scope).map(move |i| Listed {
        id: (&i.id).into(),
        row: Row::new(w, &ctx.scope, i),
        tags: &NO_TAGS,
    })
}

// Not on `describe::describe`: its pages are of reservations (instances grouped), not of rows.
pub(super) fn describe_instances(
    ctx: &Ctx,
    w: &World,
    req: DescribeInstancesRequest,
) -> Outcome<DescribeInstancesResult> {
    refuse_ids_with_max_results(&req.instance_ids, req.max_results)?;
    let filters = Filters::new(&req.filters, INSTANCE_FILTERS)?;
    check_ids(ctx, w, &req.instance_ids)?;
    // Pages are of reservations, ordered by reservation id.
    let mut groups: std::collections::BTreeMap<String, Vec<&m::Instance>> = Default::default();
    for i in w.instances.in_scope(&ctx.scope) {
        if (req.instance_ids.is_empty() || req.instance_ids.contains(&i.id))
            && filters.matches(&Row::new(w, &ctx.scope, i), &i.tags)
        {
            groups.entry(i.reservation_id.clone()).or_default().push(i);
        }
    }
    let items = groups
        .into_iter()
        .map(|(rid, mut insts)| {
            insts.sort_by_key(|i| i.ami_launch_index);
            let owner = insts.first().map(|i| i.owner.account.clone()).unwrap_or_default();
            let shown = insts.iter().map(|i| render(w, i)).collect();
            (rid.clone(), reservation(&owner, &rid, shown))
        })
        .collect();
    let (reservations, next_token) =
        paginate(items, req.max_results, req.next_token.as_deref(), (5, 1000))?;
    Ok(DescribeInstancesResult { next_token, reservations })
}

fn running(i: &InstanceRow) -> bool {
    i.state == m::InstanceState::Running
}

fn reachability(i: &InstanceRow) -> Vec<String> {
    one(if running(i) { "passed" } else { "not-applicable" })
}

fn status(i: &InstanceRow) -> Vec<String> {
    one(if running(i) { "ok" } else { "not-applicable" })
}

/// No scheduled events, no attached-EBS status and no operator are shown, so `event.*`,
/// `attached-ebs-status.status` and `operator.principal` match nothing.
fn not_shown(_: &InstanceRow) -> Vec<String> {
    vec![]
}

pub(super) const STATUS_FILTERS: Table<m::Instance> = table![
    "attached-ebs-status.status" => not_shown,
    "availability-zone" => |i| one(&i.availability_zone),
    "availability-zone-id" => zone_id,
    "event.code" => not_shown,
    "event.description" => not_shown,
    "event.instance-event-id" => not_shown,
    "event.not-after" => not_shown,
    "event.not-before" => not_shown,
    "event.not-before-deadline" => not_shown,
    "instance-state-code" => |i| one(i.state.code()),
    "instance-state-name" => |i| one(i.state.name()),
    "instance-status.reachability" => reachability,
    "instance-status.status" => status,
    "operator.managed" => |_| flag(false),
    "operator.principal" => not_shown,
    "system-status.reachability" => reachability,
    "system-status.status" => status,
];

pub(super) fn describe_instance_status(
    ctx: &Ctx,
    w: &World,
    req: DescribeInstanceStatusRequest,
) -> Outcome<DescribeInstanceStatusResult> {
    refuse_ids_with_max_results(&req.instance_ids, req.max_results)?;
    let ask =
        Ask::new(&req.filters, &req.instance_ids, req.max_results, &req.next_token, (5, 1000));
    let all = req.include_all_instances.unwrap_or(false);
    let (instance_statuses, next_token) = describe(
        ask,
        STATUS_FILTERS,
        |ids| {
            check_ids(ctx, w, ids)?;
            Ok(instance_rows(ctx, w)
                .filter(move |l| all || l.row.state == m::InstanceState::Running))
        },
        |r| {
            let i = r.item;
            let running = i.state == m::InstanceState::Running;
            let summary = || {
                Some(if running {
                    InstanceStatusSummary {
                        details: vec![InstanceStatusDetails {
                            impaired_since: None,
                            name: Some("reachability".into()),
                            status: Some("passed".into()),
                        }],
                        status: Some("ok".into()),
                    }
                } else {
                    InstanceStatusSummary { details: vec![], status: Some("not-applicable".into()) }
                })
            };
            InstanceStatus {
                attached_ebs_status: None,
                availability_zone: Some(i.availability_zone.clone()),
                availability_zone_id: w
                    .subnets
                    .get(&i.subnet_id)
                    .map(|s| s.availability_zone_id.clone()),
                events: vec![],
                instance_id: Some(i.id.clone()),
                instance_state: state(i.state),
                instance_status: summary(),
                system_status: summary(),
                ..Default::default()
            }
        },
    )?;
    Ok(DescribeInstanceStatusResult { instance_statuses, next_token })
}

pub(super) const CREDIT_FILTERS: Table<m::Instance> = table!["instance-id" => |i| one(&i.id)];

pub(super) fn describe_instance_credit_specifications(
    ctx: &Ctx,
    w: &World,
    req: DescribeInstanceCreditSpecificationsRequest,
) -> Outcome<DescribeInstanceCreditSpecificationsResult> {
    refuse_ids_with_max_results(&req.instance_ids, req.max_results)?;
    let ask =
        Ask::new(&req.filters, &req.instance_ids, req.max_results, &req.next_token, (5, 1000));
    let (instance_credit_specifications, next_token) = describe(
        ask,
        CREDIT_FILTERS,
        |ids| {
            check_ids(ctx, w, ids)?;
            Ok(instance_rows(ctx, w).filter(|l| {
                l.row.state != m::InstanceState::Terminated && l.row.credit_specification.is_some()
            }))
        },
        |i| InstanceCreditSpecification {
            cpu_credits: i.credit_specification.clone(),
            instance_id: Some(i.id.clone()),
        },
    )?;
    Ok(DescribeInstanceCreditSpecificationsResult { instance_credit_specifications, next_token })
}
