//! The read-only catalogues instances refer to: instance types, images, volumes.

use super::*;
use codes::Ec2;

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

pub(super) const TYPE_FILTERS: Table<TypeInfo> = table![
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
// Not on `describe::describe` (nor DescribeImages): the rows are built for the request.
pub(super) fn describe_instance_types(
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
                        Ec2::InvalidInstanceType,
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
pub(super) const IMAGE_FILTERS: Table<Image> = table![
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
pub(super) fn describe_images(
    ctx: &Ctx,
    w: &World,
    req: DescribeImagesRequest,
) -> Outcome<DescribeImagesResult> {
    let filters = Filters::new(&req.filters, IMAGE_FILTERS)?;
    for id in &req.image_ids {
        if !model::instance::is_image_id(id) {
            return Err(ApiError::client(
                Ec2::InvalidAMIIDMalformed,
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

fn not_modelled(_: &Row<m::Volume>) -> Vec<String> {
    flag(false)
}

pub(super) const VOLUME_FILTERS: Table<m::Volume> = table![
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

pub(super) fn describe_volumes(
    ctx: &Ctx,
    w: &World,
    req: DescribeVolumesRequest,
) -> Outcome<DescribeVolumesResult> {
    let ask = Ask::new(&req.filters, &req.volume_ids, req.max_results, &req.next_token, (5, 500));
    let (volumes, next_token) = describe(
        ask,
        VOLUME_FILTERS,
        |ids| {
            for id in ids {
                w.volumes.find(&kinds::VOLUME, &ctx.scope, id)?;
            }
            Ok(in_scope(&w.volumes, w, &ctx.scope))
        },
        |r| render_volume(r.item),
    )?;
    Ok(DescribeVolumesResult { next_token, volumes })
}
