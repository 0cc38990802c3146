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
use super::describe::{Ask, Listed, NO_TAGS, describe, in_scope};
use super::eni::{count, dns_hostnames, group_identifiers, parse_ip};
use super::filter::{Filters, Row, Table, flag, one, table};
use super::page::paginate;
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use codes::Ec2;
use model::eni::public_dns_name;
use model::instance::{InstanceChange, InterfaceSpec, Launch, StateChange, VolumeSpec};
use model::instance_types::TypeInfo;
use model::kinds;
use model::{World, types::ec2 as m};
use shapes::ec2::*;
use wire::xml::ReturnTrue;
use wire::{ApiError, Timestamp};

/// The filter names of the instance Describes, by operation.
pub(super) fn filter_names() -> Vec<(&'static str, Vec<&'static str>)> {
    use super::filter::names;
    vec![
        ("DescribeInstances", names(describe::INSTANCE_FILTERS).collect()),
        ("DescribeInstanceStatus", names(describe::STATUS_FILTERS).collect()),
        ("DescribeInstanceCreditSpecifications", names(describe::CREDIT_FILTERS).collect()),
        ("DescribeInstanceTypes", names(catalogue::TYPE_FILTERS).collect()),
        ("DescribeImages", names(catalogue::IMAGE_FILTERS).collect()),
        ("DescribeVolumes", names(catalogue::VOLUME_FILTERS).collect()),
    ]
}

mod attributes;
mod catalogue;
mod describe;

use attributes::{
    describe_instance_attribute, modify_instance_attribute, modify_instance_metadata_options,
};
use catalogue::{describe_images, describe_instance_types, describe_volumes};
use describe::{
    describe_instance_credit_specifications, describe_instance_status, describe_instances,
};

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
    let shown = crate::ec2::eni::render(w, e);
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
    let mut v: Vec<&m::Volume> =
        w.volumes.rows_keyed(&model::indexes::instance_key(instance_id)).collect();
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

/// RunInstances' network interfaces as the model takes them: addresses parsed, the primary
/// among `PrivateIpAddresses` found, the first interface's device index 0 when not given.
fn launch_interfaces(
    specs: &[InstanceNetworkInterfaceSpecification],
) -> Result<Vec<InterfaceSpec>, ApiError> {
    let mut interfaces = Vec::new();
    for (n, s) in specs.iter().enumerate() {
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
                return Err(ApiError::missing_parameter("NetworkInterface.N.DeviceIndex"));
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
    Ok(interfaces)
}

/// RunInstances' EBS block device mappings as the model takes them (sizes 1–65,536 GiB).
fn launch_volumes(mappings: &[BlockDeviceMapping]) -> Result<Vec<VolumeSpec>, ApiError> {
    let mut volumes = Vec::new();
    for b in mappings {
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
            )));
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
    Ok(volumes)
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
    let interfaces = launch_interfaces(&req.network_interfaces)?;
    let volumes = launch_volumes(&req.block_device_mappings)?;
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
            Ec2::UnsupportedHibernationConfiguration,
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
