//! Instance operations, and the read-only catalogues instances refer to (instance types,
//! images, volumes).
//!
//! vpclab models instances as network citizens: addresses, interfaces, security groups,
//! lifecycle states. RunInstances fields about the machine itself that vpclab does not model —
//! placement groups, host and affinity placement, capacity reservations, Elastic GPUs and
//! inference accelerators, licenses, enclaves, hibernation, maintenance, CPU and network
//! performance options, kernel/ramdisk ids, additional info — are accepted and ignored, as AWS
//! accepts them with defaults. Launch templates and spot market options are refused with a
//! message saying so, since ignoring them would launch something else than asked.
//!
//! Images: vpclab has no AMI catalogue. Any well-formed image id is accepted, and
//! DescribeImages describes each requested id as a public, available x86_64 HVM image owned by
//! `amazon` with an 8 GiB gp3 root volume at `/dev/xvda`.

use super::common::{
    attr_bool, attr_value, not_taggable_here, spec_resource_type, tag_set, tags_for,
};
use super::eni::{count, dns_hostnames, group_identifiers, parse_ip};
use super::filter::{Filters, Row, Table, flag, one, table};
use super::page::paginate;
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use model::eni::public_dns_name;
use model::instance::{InstanceChange, InterfaceSpec, Launch, StateChange, VolumeSpec};
use model::instance_types::TypeInfo;
use model::lookup;
use model::{World, resources as m};
use shapes::ec2::*;
use wire::xml::ReturnTrue;
use wire::{ApiError, Timestamp};

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("RunInstances", write(run_instances)),
        ("DescribeInstances", read(describe_instances)),
        ("StartInstances", write(start_instances)),
        ("StopInstances", write(stop_instances)),
        ("TerminateInstances", write(terminate_instances)),
        ("DescribeInstanceStatus", read(describe_instance_status)),
        ("ModifyInstanceAttribute", write(modify_instance_attribute)),
        ("DescribeInstanceAttribute", read(describe_instance_attribute)),
        ("DescribeInstanceTypes", read(describe_instance_types)),
        ("DescribeImages", read(describe_images)),
        ("DescribeInstanceCreditSpecifications", read(describe_instance_credit_specifications)),
        ("DescribeVolumes", read(describe_volumes)),
        ("ModifyInstanceMetadataOptions", write(modify_instance_metadata_options)),
    ]
}

fn state(s: m::InstanceState) -> Option<InstanceState> {
    Some(InstanceState { code: Some(s.code()), name: Some(s.name().into()) })
}

fn instance_association(a: NetworkInterfaceAssociation) -> InstanceNetworkInterfaceAssociation {
    InstanceNetworkInterfaceAssociation {
        carrier_ip: None,
        customer_owned_ip: None,
        ip_owner_id: a.ip_owner_id,
        public_dns_name: Some(a.public_dns_name.unwrap_or_default()),
        public_ip: a.public_ip,
    }
}

fn render_nic(w: &World, e: &m::NetworkInterface) -> InstanceNetworkInterface {
    let shown = super::eni::render(w, e);
    InstanceNetworkInterface {
        association: shown.association.map(instance_association),
        attachment: e.attachment.as_ref().map(|a| InstanceNetworkInterfaceAttachment {
            attach_time: Some(Timestamp(a.attach_time)),
            attachment_id: Some(a.id.clone()),
            delete_on_termination: Some(a.delete_on_termination),
            device_index: Some(a.device_index),
            network_card_index: Some(0),
            status: Some("attached".into()),
            ..Default::default()
        }),
        description: shown.description,
        groups: shown.groups,
        interface_type: shown.interface_type,
        ipv6_addresses: e
            .ipv6_addresses
            .iter()
            .map(|a| InstanceIpv6Address {
                ipv6_address: Some(a.to_string()),
                is_primary_ipv6: Some(false),
            })
            .collect(),
        mac_address: shown.mac_address,
        network_interface_id: shown.network_interface_id,
        owner_id: shown.owner_id,
        private_dns_name: shown.private_dns_name,
        private_ip_address: shown.private_ip_address,
        private_ip_addresses: shown
            .private_ip_addresses
            .into_iter()
            .map(|p| InstancePrivateIpAddress {
                association: p.association.map(instance_association),
                primary: p.primary,
                private_dns_name: p.private_dns_name,
                private_ip_address: p.private_ip_address,
            })
            .collect(),
        source_dest_check: shown.source_dest_check,
        status: shown.status,
        subnet_id: shown.subnet_id,
        vpc_id: shown.vpc_id,
        ..Default::default()
    }
}

fn volumes_of<'a>(w: &'a World, instance_id: &str) -> Vec<&'a m::Volume> {
    let mut v: Vec<&m::Volume> = w
        .volumes
        .values()
        .filter(|v| v.attached_instance_id.as_deref() == Some(instance_id))
        .collect();
    v.sort_by(|a, b| a.device.cmp(&b.device));
    v
}

fn block_devices(w: &World, i: &m::Instance) -> Vec<InstanceBlockDeviceMapping> {
    volumes_of(w, &i.id)
        .into_iter()
        .map(|v| InstanceBlockDeviceMapping {
            device_name: v.device.clone(),
            ebs: Some(EbsInstanceBlockDevice {
                attach_time: Some(Timestamp(v.create_time)),
                delete_on_termination: Some(v.delete_on_termination),
                status: Some("attached".into()),
                volume_id: Some(v.id.clone()),
                ..Default::default()
            }),
        })
        .collect()
}

fn type_info(name: &str) -> Option<TypeInfo> {
    model::instance_types::info(name)
}

pub(super) fn render(w: &World, i: &m::Instance) -> Instance {
    let nics = w.interfaces_of(&i.id);
    let primary = nics.iter().find(|e| e.attachment.as_ref().is_some_and(|a| a.device_index == 0));
    let public = primary.and_then(|e| e.public_ip());
    let zone_id = w.subnets.get(&i.subnet_id).map(|s| s.availability_zone_id.clone());
    let t = type_info(&i.instance_type);
    let terminated = i.state == m::InstanceState::Terminated;
    Instance {
        ami_launch_index: Some(i.ami_launch_index),
        architecture: Some(
            t.as_ref()
                .and_then(|t| t.architectures.last().map(|a| (*a).to_owned()))
                .unwrap_or_else(|| "x86_64".into()),
        ),
        block_device_mappings: block_devices(w, i),
        boot_mode: None,
        capacity_reservation_specification: Some(CapacityReservationSpecificationResponse {
            capacity_reservation_preference: Some("open".into()),
            capacity_reservation_target: None,
        }),
        client_token: Some(i.client_token.clone().unwrap_or_default()),
        cpu_options: t.as_ref().map(|t| CpuOptions {
            core_count: Some(t.cores),
            threads_per_core: Some(t.threads_per_core),
            ..Default::default()
        }),
        current_instance_boot_mode: Some("legacy-bios".into()),
        ebs_optimized: Some(i.ebs_optimized),
        ena_support: Some(true),
        enclave_options: Some(EnclaveOptions { enabled: Some(false) }),
        hibernation_options: Some(HibernationOptions { configured: Some(false) }),
        hypervisor: Some("xen".into()),
        iam_instance_profile: i
            .iam_instance_profile_arn
            .as_ref()
            .map(|arn| IamInstanceProfile { arn: Some(arn.clone()), id: Some(profile_id(arn)) }),
        image_id: Some(i.image_id.clone()),
        instance_id: Some(i.id.clone()),
        instance_type: Some(i.instance_type.clone()),
        key_name: i.key_name.clone(),
        launch_time: Some(Timestamp(i.launch_time)),
        maintenance_options: Some(InstanceMaintenanceOptions {
            auto_recovery: Some("default".into()),
            reboot_migration: None,
        }),
        metadata_options: Some(metadata(i)),
        monitoring: Some(Monitoring {
            state: Some(if i.monitoring { "enabled" } else { "disabled" }.into()),
        }),
        network_interfaces: nics.iter().map(|e| render_nic(w, e)).collect(),
        placement: Some(Placement {
            availability_zone: Some(i.availability_zone.clone()),
            availability_zone_id: zone_id,
            group_name: Some(String::new()),
            tenancy: Some(i.tenancy.clone()),
            ..Default::default()
        }),
        platform_details: Some("Linux/UNIX".into()),
        private_dns_name: Some(if terminated { String::new() } else { i.private_dns_name.clone() }),
        private_dns_name_options: Some(PrivateDnsNameOptionsResponse {
            enable_resource_name_dns_aaaa_record: Some(false),
            enable_resource_name_dns_a_record: Some(false),
            hostname_type: Some("ip-name".into()),
        }),
        private_ip_address: primary.and_then(|e| e.primary_ip()).map(|ip| ip.to_string()),
        product_codes: vec![],
        public_dns_name: Some(
            public
                .filter(|_| dns_hostnames(w, &i.vpc_id))
                .map(|ip| public_dns_name(&i.owner, ip))
                .unwrap_or_default(),
        ),
        public_ip_address: public.map(|ip| ip.to_string()),
        root_device_name: Some(i.root_device_name.clone()),
        root_device_type: Some("ebs".into()),
        security_groups: primary
            .map(|e| group_identifiers(w, &e.security_groups))
            .unwrap_or_default(),
        source_dest_check: primary.map(|e| e.source_dest_check),
        state: state(i.state),
        state_reason: (i.state != m::InstanceState::Running).then(|| StateReason {
            code: Some("Client.UserInitiatedShutdown".into()),
            message: Some("Client.UserInitiatedShutdown: User initiated shutdown".into()),
        }),
        state_transition_reason: Some(i.state_transition_reason.clone()),
        subnet_id: (!terminated).then(|| i.subnet_id.clone()),
        tags: tag_set(&i.tags),
        usage_operation: Some("RunInstances".into()),
        usage_operation_update_time: Some(Timestamp(i.launch_time)),
        virtualization_type: Some("hvm".into()),
        vpc_id: (!terminated).then(|| i.vpc_id.clone()),
        ..Default::default()
    }
}

fn profile_id(arn: &str) -> String {
    let h = arn
        .bytes()
        .fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3));
    format!("AIPA{:016X}", h)
}

fn metadata(i: &m::Instance) -> InstanceMetadataOptionsResponse {
    InstanceMetadataOptionsResponse {
        http_endpoint: Some(i.metadata_http_endpoint.clone()),
        http_protocol_ipv6: Some("disabled".into()),
        http_put_response_hop_limit: Some(i.metadata_hop_limit),
        http_tokens: Some(i.metadata_http_tokens.clone()),
        instance_metadata_tags: Some(i.metadata_tags.clone()),
        state: Some("applied".into()),
    }
}

fn reservation(owner: &str, id: &str, instances: Vec<Instance>) -> Reservation {
    Reservation {
        groups: vec![],
        instances,
        owner_id: Some(owner.to_owned()),
        requester_id: None,
        reservation_id: Some(id.to_owned()),
    }
}

fn tags_of_type(specs: &[TagSpecification]) -> Result<[Vec<(String, String)>; 3], ApiError> {
    let mut by_type: [(&str, Vec<TagSpecification>); 3] =
        [("instance", vec![]), ("volume", vec![]), ("network-interface", vec![])];
    for s in specs {
        let t = spec_resource_type(s)?;
        match by_type.iter_mut().find(|(name, _)| *name == t) {
            Some((_, v)) => v.push(s.clone()),
            None => return Err(not_taggable_here(t)),
        }
    }
    let [(_, i), (_, v), (_, n)] = by_type;
    Ok([tags_for(&i, "instance")?, tags_for(&v, "volume")?, tags_for(&n, "network-interface")?])
}

fn run_instances(ctx: &Ctx, w: &mut World, req: RunInstancesRequest) -> Outcome<Reservation> {
    if req.launch_template.is_some() {
        return Err(ApiError::invalid_parameter_value(
            "Launch templates are not supported by vpclab.",
        )
        .into());
    }
    if req.instance_market_options.is_some() {
        return Err(ApiError::invalid_parameter_value(
            "Spot instances are not supported by vpclab.",
        )
        .into());
    }
    if !req.secondary_interfaces.is_empty() {
        return Err(ApiError::invalid_parameter_value(
            "Secondary interfaces are not supported by vpclab.",
        )
        .into());
    }
    let image_id = req.image_id.clone().ok_or_else(|| ApiError::missing_parameter("ImageId"))?;
    let [instance_tags, volume_tags, interface_tags] = tags_of_type(&req.tag_specifications)?;
    let mut interfaces = Vec::new();
    for (n, s) in req.network_interfaces.iter().enumerate() {
        let mut secondary_ips = Vec::new();
        let mut private_ip = s
            .private_ip_address
            .as_deref()
            .map(|ip| parse_ip(ip, "privateIpAddress"))
            .transpose()?;
        for p in &s.private_ip_addresses {
            let raw = p
                .private_ip_address
                .as_deref()
                .ok_or_else(|| ApiError::missing_parameter("PrivateIpAddress"))?;
            let ip = parse_ip(raw, "privateIpAddresses")?;
            if p.primary == Some(true) {
                private_ip = Some(ip);
            } else if Some(ip) != private_ip {
                secondary_ips.push(ip);
            }
        }
        let device_index = match (s.device_index, &s.network_interface_id) {
            (Some(d), _) => d,
            (None, _) if n == 0 => 0,
            (None, _) => {
                return Err(ApiError::missing_parameter("NetworkInterface.N.DeviceIndex").into());
            }
        };
        interfaces.push(InterfaceSpec {
            device_index,
            network_interface_id: s.network_interface_id.clone(),
            subnet_id: s.subnet_id.clone(),
            groups: s.groups.clone(),
            private_ip,
            secondary_ips,
            secondary_count: count(
                s.secondary_private_ip_address_count,
                "secondaryPrivateIpAddressCount",
            )?,
            ipv6_count: count(s.ipv6_address_count, "ipv6AddressCount")?
                + s.ipv6_addresses.len() as u32,
            associate_public_ip: s.associate_public_ip_address,
            delete_on_termination: s.delete_on_termination,
            description: s.description.clone(),
            interface_type: s.interface_type.clone(),
        });
    }
    let mut volumes = Vec::new();
    for b in &req.block_device_mappings {
        let Some(ebs) = &b.ebs else { continue };
        let device_name = b
            .device_name
            .clone()
            .ok_or_else(|| ApiError::missing_parameter("BlockDeviceMapping.N.DeviceName"))?;
        if let Some(size) = ebs.volume_size
            && !(1..=65536).contains(&size)
        {
            return Err(ApiError::invalid_parameter_value(format!(
                "Volume of size {size}GB is outside the range of 1 to 65536 GiB."
            ))
            .into());
        }
        volumes.push(VolumeSpec {
            device_name,
            size_gib: ebs.volume_size,
            volume_type: ebs.volume_type.clone(),
            iops: ebs.iops,
            throughput: ebs.throughput,
            encrypted: ebs.encrypted.unwrap_or(false),
            delete_on_termination: ebs.delete_on_termination,
        });
    }
    let placement = req.placement.clone().unwrap_or_default();
    let profile = req
        .iam_instance_profile
        .as_ref()
        .map(|p| match (&p.arn, &p.name) {
            (Some(arn), _) => arn.clone(),
            (None, Some(name)) => {
                format!("arn:aws:iam::{}:instance-profile/{name}", ctx.scope.account)
            }
            (None, None) => String::new(),
        })
        .filter(|a| !a.is_empty());
    let metadata = req.metadata_options.clone().unwrap_or_default();
    let launch = Launch {
        image_id,
        instance_type: req.instance_type.clone().unwrap_or_else(|| "m1.small".into()),
        min_count: req.min_count,
        max_count: req.max_count,
        subnet_id: req.subnet_id.clone().filter(|s| !s.is_empty()),
        group_ids: req.security_group_ids.clone(),
        group_names: req.security_groups.clone(),
        private_ip: req
            .private_ip_address
            .as_deref()
            .map(|ip| parse_ip(ip, "privateIpAddress"))
            .transpose()?,
        interfaces,
        availability_zone: placement.availability_zone.filter(|z| !z.is_empty()),
        tenancy: placement.tenancy.filter(|t| !t.is_empty()),
        key_name: req.key_name.clone(),
        user_data: req.user_data.clone().filter(|d| !d.is_empty()),
        client_token: req.client_token.clone().filter(|t| !t.is_empty()),
        disable_api_termination: req.disable_api_termination.unwrap_or(false),
        disable_api_stop: req.disable_api_stop.unwrap_or(false),
        shutdown_behavior: req.instance_initiated_shutdown_behavior.clone(),
        cpu_credits: req.credit_specification.as_ref().map(|c| c.cpu_credits.clone()),
        metadata_http_tokens: metadata.http_tokens,
        metadata_http_endpoint: metadata.http_endpoint,
        metadata_hop_limit: metadata.http_put_response_hop_limit,
        metadata_tags: metadata.instance_metadata_tags,
        iam_instance_profile_arn: profile,
        monitoring: req.monitoring.as_ref().is_some_and(|m| m.enabled),
        ebs_optimized: req.ebs_optimized.unwrap_or(false),
        volumes,
        instance_tags,
        volume_tags,
        interface_tags,
    };
    if let Some(c) = &launch.cpu_credits
        && c != "standard"
        && c != "unlimited"
    {
        return Err(ApiError::invalid_parameter_value(format!(
            "Value ({c}) for parameter cpuCredits is invalid."
        ))
        .into());
    }
    if let Some(h) = launch.metadata_hop_limit
        && !(1..=64).contains(&h)
    {
        return Err(ApiError::invalid_parameter_value(format!(
            "Value ({h}) for parameter httpPutResponseHopLimit is invalid."
        ))
        .into());
    }
    if launch.private_ip.is_none() && req.ipv6_address_count.is_some_and(|n| n > 0) {
        return Err(ApiError::invalid_parameter_value(
            "Instance-level IPv6 addresses are only supported through NetworkInterfaces by vpclab.",
        )
        .into());
    }
    let (reservation_id, ids) = w.run_instances(&ctx.scope, launch, Timestamp::now().0)?;
    let fresh = w
        .instances
        .get(&ids.first().cloned().unwrap_or_default())
        .is_some_and(|i| i.launch_time + 1000 > Timestamp::now().0);
    let instances = ids
        .iter()
        .filter_map(|id| w.instances.get(id))
        .map(|i| {
            let mut shown = render(w, i);
            if fresh && i.state == m::InstanceState::Running {
                shown.state = state(m::InstanceState::Pending);
                shown.state_reason = None;
            }
            shown
        })
        .collect();
    Ok(reservation(&ctx.scope.account, &reservation_id, instances))
}

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
    each_nic(i, |e| super::eni::interface_values(&Row::new(i.world, i.scope, e), name))
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

const INSTANCE_FILTERS: Table<m::Instance> = table![
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
        lookup::INSTANCE.check_format(id).map_err(crate::from_model)?;
        if w.instances.get(id).is_none_or(|i| i.owner != ctx.scope) {
            missing.push(id.clone());
        }
    }
    match missing.as_slice() {
        [] => Ok(()),
        [one] => Err(crate::from_model(lookup::INSTANCE.not_found(one))),
        many => Err(ApiError::client(
            "InvalidInstanceID.NotFound",
            format!("The instance IDs '{}' do not exist", many.join(", ")),
        )),
    }
}

/// AWS refuses explicit instance ids together with MaxResults.
fn refuse_ids_with_max_results(ids: &[String], max_results: Option<i32>) -> Result<(), ApiError> {
    if !ids.is_empty() && max_results.is_some() {
        return Err(ApiError::client(
            "InvalidParameterCombination",
            "The parameter instancesSet cannot be used with the parameter maxResults",
        ));
    }
    Ok(())
}

fn describe_instances(
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

fn changes(list: Vec<StateChange>) -> Vec<InstanceStateChange> {
    list.into_iter()
        .map(|(id, prev, cur)| InstanceStateChange {
            current_state: state(cur),
            instance_id: Some(id),
            previous_state: state(prev),
        })
        .collect()
}

fn start_instances(
    ctx: &Ctx,
    w: &mut World,
    req: StartInstancesRequest,
) -> Outcome<StartInstancesResult> {
    Ok(StartInstancesResult {
        starting_instances: changes(w.start_instances(&ctx.scope, &req.instance_ids)?),
    })
}

fn stop_instances(
    ctx: &Ctx,
    w: &mut World,
    req: StopInstancesRequest,
) -> Outcome<StopInstancesResult> {
    if req.hibernate == Some(true) {
        return Err(ApiError::client(
            "UnsupportedHibernationConfiguration",
            "The instance was not launched with hibernation enabled.",
        )
        .into());
    }
    Ok(StopInstancesResult {
        stopping_instances: changes(w.stop_instances(&ctx.scope, &req.instance_ids)?),
    })
}

fn terminate_instances(
    ctx: &Ctx,
    w: &mut World,
    req: TerminateInstancesRequest,
) -> Outcome<TerminateInstancesResult> {
    Ok(TerminateInstancesResult {
        terminating_instances: changes(w.terminate_instances(&ctx.scope, &req.instance_ids)?),
    })
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

const STATUS_FILTERS: Table<m::Instance> = table![
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

fn describe_instance_status(
    ctx: &Ctx,
    w: &World,
    req: DescribeInstanceStatusRequest,
) -> Outcome<DescribeInstanceStatusResult> {
    refuse_ids_with_max_results(&req.instance_ids, req.max_results)?;
    let filters = Filters::new(&req.filters, STATUS_FILTERS)?;
    check_ids(ctx, w, &req.instance_ids)?;
    let all = req.include_all_instances.unwrap_or(false);
    let items = w
        .instances
        .in_scope(&ctx.scope)
        .filter(|i| req.instance_ids.is_empty() || req.instance_ids.contains(&i.id))
        .filter(|i| all || i.state == m::InstanceState::Running)
        .filter(|i| filters.matches(&Row::new(w, &ctx.scope, i), &Default::default()))
        .map(|i| {
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
            (
                i.id.clone(),
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
                },
            )
        })
        .collect();
    let (instance_statuses, next_token) =
        paginate(items, req.max_results, req.next_token.as_deref(), (5, 1000))?;
    Ok(DescribeInstanceStatusResult { instance_statuses, next_token })
}

fn modify_instance_attribute(
    ctx: &Ctx,
    w: &mut World,
    req: ModifyInstanceAttributeRequest,
) -> Outcome<ReturnTrue> {
    let mut list = Vec::new();
    if !req.groups.is_empty() {
        list.push(InstanceChange::Groups(req.groups.clone()));
    }
    if let Some(v) = attr_value(&req.source_dest_check, "SourceDestCheck")? {
        list.push(InstanceChange::SourceDestCheck(v));
    }
    if let Some(v) = attr_value(&req.disable_api_termination, "DisableApiTermination")? {
        list.push(InstanceChange::DisableApiTermination(v));
    }
    if let Some(v) = attr_value(&req.disable_api_stop, "DisableApiStop")? {
        list.push(InstanceChange::DisableApiStop(v));
    }
    if let Some(v) = attr_value(&req.ebs_optimized, "EbsOptimized")? {
        list.push(InstanceChange::EbsOptimized(v));
    }
    if let Some(v) = &req.instance_type {
        let t = v.value.clone().ok_or_else(|| ApiError::missing_parameter("InstanceType.Value"))?;
        list.push(InstanceChange::InstanceType(t));
    }
    if let Some(v) = &req.instance_initiated_shutdown_behavior {
        let b = v.value.clone().ok_or_else(|| {
            ApiError::missing_parameter("InstanceInitiatedShutdownBehavior.Value")
        })?;
        list.push(InstanceChange::ShutdownBehavior(b));
    }
    if let Some(v) = &req.user_data {
        list.push(InstanceChange::UserData(v.value.clone().unwrap_or_default()));
    }
    for b in &req.block_device_mappings {
        let device = b
            .device_name
            .clone()
            .ok_or_else(|| ApiError::missing_parameter("BlockDeviceMapping.N.DeviceName"))?;
        if let Some(d) = b.ebs.as_ref().and_then(|e| e.delete_on_termination) {
            list.push(InstanceChange::DeleteOnTermination(device, d));
        }
    }
    // The older form: Attribute=<name>&Value=<value>.
    if let Some(attr) = &req.attribute {
        let value = req.value.clone().ok_or_else(|| ApiError::missing_parameter("Value"))?;
        let as_bool = || match value.as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            v => Err(ApiError::invalid_parameter_value(format!(
                "Value ({v}) for parameter value is invalid."
            ))),
        };
        list.push(match attr.as_str() {
            "instanceType" => InstanceChange::InstanceType(value.clone()),
            "userData" => InstanceChange::UserData(value.clone()),
            "instanceInitiatedShutdownBehavior" => InstanceChange::ShutdownBehavior(value.clone()),
            "disableApiTermination" => InstanceChange::DisableApiTermination(as_bool()?),
            "disableApiStop" => InstanceChange::DisableApiStop(as_bool()?),
            "sourceDestCheck" => InstanceChange::SourceDestCheck(as_bool()?),
            "ebsOptimized" => InstanceChange::EbsOptimized(as_bool()?),
            other => {
                return Err(ApiError::invalid_parameter_value(format!(
                    "Value ({other}) for parameter attribute is invalid. Unknown attribute."
                ))
                .into());
            }
        });
    }
    if req.ena_support.is_some()
        || req.sriov_net_support.is_some()
        || req.kernel.is_some()
        || req.ramdisk.is_some()
    {
        w.instances.find(&lookup::INSTANCE, &ctx.scope, &req.instance_id)?;
        return Err(ApiError::client(
            "UnsupportedOperation",
            "This attribute is not supported by vpclab.",
        )
        .into());
    }
    w.instances.find(&lookup::INSTANCE, &ctx.scope, &req.instance_id)?;
    let block_devices = list.iter().all(|c| matches!(c, InstanceChange::DeleteOnTermination(..)));
    if list.is_empty() {
        return Err(ApiError::missing_parameter("Attribute").into());
    }
    if list.len() > 1 && !block_devices {
        return Err(ApiError::client(
            "InvalidParameterCombination",
            "Fields for multiple attribute types specified",
        )
        .into());
    }
    for c in list {
        w.modify_instance(&ctx.scope, &req.instance_id, c)?;
    }
    Ok(ReturnTrue)
}

fn describe_instance_attribute(
    ctx: &Ctx,
    w: &World,
    req: DescribeInstanceAttributeRequest,
) -> Outcome<InstanceAttribute> {
    let i = w.instances.find(&lookup::INSTANCE, &ctx.scope, &req.instance_id)?;
    let primary = w
        .interfaces_of(&i.id)
        .into_iter()
        .find(|e| e.attachment.as_ref().is_some_and(|a| a.device_index == 0));
    let mut out = InstanceAttribute { instance_id: Some(i.id.clone()), ..Default::default() };
    let value = |s: &str| Some(AttributeValue { value: Some(s.to_owned()) });
    match req.attribute.as_str() {
        "instanceType" => out.instance_type = value(&i.instance_type),
        "kernel" => out.kernel_id = Some(AttributeValue { value: None }),
        "ramdisk" => out.ramdisk_id = Some(AttributeValue { value: None }),
        "userData" => out.user_data = Some(AttributeValue { value: i.user_data.clone() }),
        "disableApiTermination" => {
            out.disable_api_termination = attr_bool(i.disable_api_termination)
        }
        "disableApiStop" => out.disable_api_stop = attr_bool(i.disable_api_stop),
        "instanceInitiatedShutdownBehavior" => {
            out.instance_initiated_shutdown_behavior =
                value(&i.instance_initiated_shutdown_behavior)
        }
        "rootDeviceName" => out.root_device_name = value(&i.root_device_name),
        "blockDeviceMapping" => out.block_device_mappings = block_devices(w, i),
        "productCodes" => {}
        "sourceDestCheck" => {
            out.source_dest_check = attr_bool(primary.is_none_or(|e| e.source_dest_check))
        }
        "groupSet" => {
            out.groups =
                primary.map(|e| group_identifiers(w, &e.security_groups)).unwrap_or_default()
        }
        "ebsOptimized" => out.ebs_optimized = attr_bool(i.ebs_optimized),
        "sriovNetSupport" => out.sriov_net_support = Some(AttributeValue { value: None }),
        "enaSupport" => out.ena_support = attr_bool(true),
        "enclaveOptions" => out.enclave_options = Some(EnclaveOptions { enabled: Some(false) }),
        other => {
            return Err(ApiError::invalid_parameter_value(format!(
                "Value ({other}) for parameter attribute is invalid. Unknown attribute."
            ))
            .into());
        }
    }
    Ok(out)
}

fn type_shape(t: &TypeInfo) -> InstanceTypeInfo {
    InstanceTypeInfo {
        auto_recovery_supported: Some(true),
        bare_metal: Some(false),
        burstable_performance_supported: Some(t.burstable),
        current_generation: Some(t.current_generation),
        dedicated_hosts_supported: Some(!t.burstable),
        ebs_info: Some(EbsInfo {
            ebs_optimized_support: Some(
                if t.hypervisor == "nitro" { "default" } else { "unsupported" }.into(),
            ),
            encryption_support: Some("supported".into()),
            nvme_support: Some(
                if t.hypervisor == "nitro" { "required" } else { "unsupported" }.into(),
            ),
            ..Default::default()
        }),
        free_tier_eligible: Some(t.name == "t2.micro" || t.name == "t3.micro"),
        hibernation_supported: Some(false),
        hypervisor: Some(t.hypervisor.into()),
        instance_storage_supported: Some(false),
        instance_type: Some(t.name.clone()),
        memory_info: Some(MemoryInfo { size_in_mi_b: Some(t.memory_mib) }),
        network_info: Some(NetworkInfo {
            default_network_card_index: Some(0),
            efa_supported: Some(false),
            ena_support: Some(
                if t.hypervisor == "nitro" { "required" } else { "supported" }.into(),
            ),
            encryption_in_transit_supported: Some(false),
            ipv4_addresses_per_interface: Some(t.ipv4_per_interface),
            ipv6_addresses_per_interface: Some(t.ipv4_per_interface),
            ipv6_supported: Some(true),
            maximum_network_cards: Some(1),
            maximum_network_interfaces: Some(t.max_interfaces as i32),
            network_cards: vec![NetworkCardInfo {
                maximum_network_interfaces: Some(t.max_interfaces as i32),
                network_card_index: Some(0),
                network_performance: Some(t.network_performance.clone()),
                ..Default::default()
            }],
            network_performance: Some(t.network_performance.clone()),
            ..Default::default()
        }),
        processor_info: Some(ProcessorInfo {
            manufacturer: Some(
                if t.architectures.contains(&"arm64") { "AWS" } else { "Intel" }.into(),
            ),
            supported_architectures: t.architectures.iter().map(|a| (*a).to_owned()).collect(),
            ..Default::default()
        }),
        supported_boot_modes: vec!["legacy-bios".into(), "uefi".into()],
        supported_in_region: Some(true),
        supported_root_device_types: vec!["ebs".into()],
        supported_usage_classes: vec!["on-demand".into(), "spot".into()],
        supported_virtualization_types: vec!["hvm".into()],
        v_cpu_info: Some(VCpuInfo {
            default_cores: Some(t.cores),
            default_threads_per_core: Some(t.threads_per_core),
            default_v_cpus: Some(t.vcpus),
            valid_cores: vec![],
            valid_threads_per_core: vec![],
        }),
        ..Default::default()
    }
}

const TYPE_FILTERS: Table<TypeInfo> = table![
    "instance-type" => |t| one(&t.name),
    "burstable-performance-supported" => |t| flag(t.burstable),
    "current-generation" => |t| flag(t.current_generation),
    "hypervisor" => |t| one(t.hypervisor),
    "memory-info.size-in-mib" => |t| one(t.memory_mib),
    "network-info.maximum-network-interfaces" => |t| one(t.max_interfaces),
    "network-info.ipv4-addresses-per-interface" => |t| one(t.ipv4_per_interface),
    "processor-info.supported-architecture" => {
        |t| t.architectures.iter().map(|a| (*a).to_owned()).collect()
    },
    "vcpu-info.default-vcpus" => |t| one(t.vcpus),
    "free-tier-eligible" => |t| flag(t.name == "t2.micro" || t.name == "t3.micro"),
];

/// DescribeInstanceTypes: without names, the catalogue; with names, each named type (any type
/// of AWS's list, described from its size and family when it is not in the catalogue).
fn describe_instance_types(
    ctx: &Ctx,
    w: &World,
    req: DescribeInstanceTypesRequest,
) -> Outcome<DescribeInstanceTypesResult> {
    let filters = Filters::new(&req.filters, TYPE_FILTERS)?;
    let types: Vec<TypeInfo> = if req.instance_types.is_empty() {
        model::instance_types::catalogue()
    } else {
        req.instance_types
            .iter()
            .map(|n| {
                type_info(n).ok_or_else(|| {
                    ApiError::client(
                        "InvalidInstanceType",
                        format!("The following supplied instance types do not exist: [{n}]"),
                    )
                })
            })
            .collect::<Result<_, _>>()?
    };
    let items = types
        .into_iter()
        .filter(|t| filters.matches(&Row::new(w, &ctx.scope, t), &Default::default()))
        .map(|t| (t.name.clone(), type_shape(&t)))
        .collect();
    let (instance_types, next_token) =
        paginate(items, req.max_results, req.next_token.as_deref(), (5, 100))?;
    Ok(DescribeInstanceTypesResult { instance_types, next_token })
}

fn amazon(_: &Row<Image>) -> Vec<String> {
    one("amazon")
}

/// The image as synthesised.
const IMAGE_FILTERS: Table<Image> = table![
    "architecture" => |_| one("x86_64"),
    "image-id" => |img| img.image_id.clone().into_iter().collect(),
    "image-type" => |_| one("machine"),
    "is-public" => |_| flag(true),
    "name" => |img| img.name.clone().into_iter().collect(),
    "owner-alias" => amazon,
    "owner-id" => amazon,
    "root-device-name" => |_| one(model::instance::ROOT_DEVICE),
    "root-device-type" => |_| one("ebs"),
    "state" => |_| one("available"),
    "virtualization-type" => |_| one("hvm"),
];

fn image(id: &str) -> Image {
    Image {
        architecture: Some("x86_64".into()),
        block_device_mappings: vec![BlockDeviceMapping {
            device_name: Some(model::instance::ROOT_DEVICE.into()),
            ebs: Some(EbsBlockDevice {
                delete_on_termination: Some(true),
                encrypted: Some(false),
                volume_size: Some(model::instance::ROOT_SIZE_GIB),
                volume_type: Some("gp3".into()),
                iops: Some(3000),
                throughput: Some(125),
                ..Default::default()
            }),
            ..Default::default()
        }],
        creation_date: Some("2024-01-01T00:00:00.000Z".into()),
        description: Some("Image synthesised by vpclab (no AMI catalogue)".into()),
        ena_support: Some(true),
        hypervisor: Some("xen".into()),
        image_id: Some(id.to_owned()),
        image_location: Some(format!("amazon/vpclab-{id}")),
        image_owner_alias: Some("amazon".into()),
        image_type: Some("machine".into()),
        name: Some(format!("vpclab-{id}")),
        owner_id: Some("amazon".into()),
        platform_details: Some("Linux/UNIX".into()),
        public: Some(true),
        root_device_name: Some(model::instance::ROOT_DEVICE.into()),
        root_device_type: Some("ebs".into()),
        sriov_net_support: Some("simple".into()),
        state: Some("available".into()),
        usage_operation: Some("RunInstances".into()),
        virtualization_type: Some("hvm".into()),
        ..Default::default()
    }
}

/// DescribeImages: each requested well-formed image id, synthesised (see the module docs).
/// Without image ids there is nothing to list.
fn describe_images(
    ctx: &Ctx,
    w: &World,
    req: DescribeImagesRequest,
) -> Outcome<DescribeImagesResult> {
    let filters = Filters::new(&req.filters, IMAGE_FILTERS)?;
    for id in &req.image_ids {
        if !model::instance::is_image_id(id) {
            return Err(ApiError::client(
                "InvalidAMIID.Malformed",
                format!("Invalid id: \"{id}\" (expecting \"ami-...\")"),
            )
            .into());
        }
    }
    let mut ids = req.image_ids.clone();
    ids.sort();
    ids.dedup();
    let items = ids
        .iter()
        .map(|id| image(id))
        .filter(|img| filters.matches(&Row::new(w, &ctx.scope, img), &Default::default()))
        .filter(|_| req.owners.is_empty() || req.owners.iter().any(|o| o == "amazon"))
        .map(|img| (img.image_id.clone().unwrap_or_default(), img))
        .collect();
    let (images, next_token) =
        paginate(items, req.max_results, req.next_token.as_deref(), (5, 1000))?;
    Ok(DescribeImagesResult { images, next_token })
}

const CREDIT_FILTERS: Table<m::Instance> = table!["instance-id" => |i| one(&i.id)];

fn describe_instance_credit_specifications(
    ctx: &Ctx,
    w: &World,
    req: DescribeInstanceCreditSpecificationsRequest,
) -> Outcome<DescribeInstanceCreditSpecificationsResult> {
    refuse_ids_with_max_results(&req.instance_ids, req.max_results)?;
    let filters = Filters::new(&req.filters, CREDIT_FILTERS)?;
    check_ids(ctx, w, &req.instance_ids)?;
    let items = w
        .instances
        .in_scope(&ctx.scope)
        .filter(|i| req.instance_ids.is_empty() || req.instance_ids.contains(&i.id))
        .filter(|i| i.state != m::InstanceState::Terminated)
        .filter(|i| filters.matches(&Row::new(w, &ctx.scope, i), &Default::default()))
        .filter_map(|i| {
            i.credit_specification.clone().map(|c| {
                (
                    i.id.clone(),
                    InstanceCreditSpecification {
                        cpu_credits: Some(c),
                        instance_id: Some(i.id.clone()),
                    },
                )
            })
        })
        .collect();
    let (instance_credit_specifications, next_token) =
        paginate(items, req.max_results, req.next_token.as_deref(), (5, 1000))?;
    Ok(DescribeInstanceCreditSpecificationsResult { instance_credit_specifications, next_token })
}

fn not_modelled(_: &Row<m::Volume>) -> Vec<String> {
    flag(false)
}

const VOLUME_FILTERS: Table<m::Volume> = table![
    "attachment.attach-time" => |v| {
        v.attached_instance_id.iter().map(|_| Timestamp(v.create_time).to_iso8601()).collect()
    },
    "attachment.delete-on-termination" => {
        |v| v.attached_instance_id.iter().flat_map(|_| flag(v.delete_on_termination)).collect()
    },
    "attachment.device" => |v| v.device.clone().into_iter().collect(),
    "attachment.instance-id" => |v| v.attached_instance_id.clone().into_iter().collect(),
    "attachment.status" => {
        |v| v.attached_instance_id.iter().map(|_| "attached".to_owned()).collect()
    },
    "availability-zone" => |v| one(&v.availability_zone),
    "availability-zone-id" => |v| render_volume(v.item).availability_zone_id.into_iter().collect(),
    "create-time" => |v| one(Timestamp(v.create_time).to_iso8601()),
    "encrypted" => |v| flag(v.encrypted),
    "fast-restored" => not_modelled,
    "multi-attach-enabled" => not_modelled,
    "operator.managed" => not_modelled,
    "operator.principal" => |_| vec![],
    "size" => |v| one(v.size_gib),
    // Volumes are created empty: AWS shows an empty SnapshotId.
    "snapshot-id" => |_| one(""),
    "status" => |v| one(if v.attached_instance_id.is_some() { "in-use" } else { "available" }),
    "volume-id" => |v| one(&v.id),
    "volume-type" => |v| one(&v.volume_type),
];

fn render_volume(v: &m::Volume) -> Volume {
    Volume {
        attachments: v
            .attached_instance_id
            .iter()
            .map(|i| VolumeAttachment {
                attach_time: Some(Timestamp(v.create_time)),
                delete_on_termination: Some(v.delete_on_termination),
                device: v.device.clone(),
                instance_id: Some(i.clone()),
                state: Some("attached".into()),
                volume_id: Some(v.id.clone()),
                ..Default::default()
            })
            .collect(),
        availability_zone: Some(v.availability_zone.clone()),
        availability_zone_id: v
            .owner
            .region()
            .ok()
            .and_then(|r| r.zone(&v.availability_zone))
            .map(|z| z.id),
        create_time: Some(Timestamp(v.create_time)),
        encrypted: Some(v.encrypted),
        iops: v.iops,
        multi_attach_enabled: Some(false),
        size: Some(v.size_gib),
        snapshot_id: Some(String::new()),
        state: Some(if v.attached_instance_id.is_some() { "in-use" } else { "available" }.into()),
        tags: tag_set(&v.tags),
        throughput: v.throughput,
        volume_id: Some(v.id.clone()),
        volume_type: Some(v.volume_type.clone()),
        ..Default::default()
    }
}

fn describe_volumes(
    ctx: &Ctx,
    w: &World,
    req: DescribeVolumesRequest,
) -> Outcome<DescribeVolumesResult> {
    let filters = Filters::new(&req.filters, VOLUME_FILTERS)?;
    for id in &req.volume_ids {
        w.volumes.find(&lookup::VOLUME, &ctx.scope, id)?;
    }
    let items = w
        .volumes
        .in_scope(&ctx.scope)
        .filter(|v| req.volume_ids.is_empty() || req.volume_ids.contains(&v.id))
        .filter(|v| filters.matches(&Row::new(w, &ctx.scope, v), &v.tags))
        .map(|v| (v.id.clone(), render_volume(v)))
        .collect();
    let (volumes, next_token) =
        paginate(items, req.max_results, req.next_token.as_deref(), (5, 500))?;
    Ok(DescribeVolumesResult { next_token, volumes })
}

fn modify_instance_metadata_options(
    ctx: &Ctx,
    w: &mut World,
    req: ModifyInstanceMetadataOptionsRequest,
) -> Outcome<ModifyInstanceMetadataOptionsResult> {
    if req.http_protocol_ipv6.as_deref() == Some("enabled") {
        return Err(ApiError::invalid_parameter_value(
            "The IPv6 metadata endpoint is not supported by vpclab.",
        )
        .into());
    }
    w.modify_instance_metadata(
        &ctx.scope,
        &req.instance_id,
        req.http_tokens,
        req.http_endpoint,
        req.http_put_response_hop_limit,
        req.instance_metadata_tags,
    )?;
    let i = w.instances.find(&lookup::INSTANCE, &ctx.scope, &req.instance_id)?;
    let mut shown = metadata(i);
    shown.state = Some("pending".into());
    Ok(ModifyInstanceMetadataOptionsResult {
        instance_id: Some(i.id.clone()),
        instance_metadata_options: Some(shown),
    })
}
