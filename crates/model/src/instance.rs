//! Instances as citizens of the network: each holds a primary network interface (device 0)
//! with its private address and, when the subnet maps one or the launch asks for it, a public
//! address; it may hold more interfaces; it has a root EBS volume.
//!
//! Lifecycle: instances are stored `running` at once (RunInstances still answers `pending`, as
//! AWS does); stop stores `stopped` (the AWS-assigned public address is given back, Elastic IPs
//! stay), start stores `running` (a new public address when the launch asked for one),
//! terminate stores `terminated`: interfaces marked delete-on-termination are deleted (their
//! addresses freed, Elastic IPs disassociated), others detached, volumes marked
//! delete-on-termination deleted. A terminated instance stays visible, as on AWS for a while.
//!
//! vpclab has no AMI catalogue: any well-formed image id (`ami-` and 8 or 17 hex digits) is
//! accepted and reported back as given. Launch options that only matter to the hypervisor
//! (placement groups, capacity reservations, Elastic GPUs and inference accelerators, licenses,
//! enclaves, hibernation, maintenance and network-performance options, CPU options, spot market
//! options) are accepted by the API layer and ignored.

use crate::error::{Error, Result};
use crate::kinds;
use crate::references::{Reference, References};
use crate::types::ec2::eni::NewInterface;
use crate::types::ec2::*;
use crate::world::{Scope, World};
use codes::Ec2;
use std::net::Ipv4Addr;

/// One entry of RunInstances' `NetworkInterfaces`.
#[derive(Debug, Clone, Default)]
pub struct InterfaceSpec {
    pub device_index: i32,
    pub network_interface_id: Option<String>,
    pub subnet_id: Option<String>,
    pub groups: Vec<String>,
    pub private_ip: Option<Ipv4Addr>,
    pub secondary_ips: Vec<Ipv4Addr>,
    pub secondary_count: u32,
    pub ipv6_count: u32,
    pub associate_public_ip: Option<bool>,
    pub delete_on_termination: Option<bool>,
    pub description: Option<String>,
    pub interface_type: Option<String>,
}

/// One EBS volume of the launch's block device mappings.
#[derive(Debug, Clone, Default)]
pub struct VolumeSpec {
    pub device_name: String,
    pub size_gib: Option<i32>,
    pub volume_type: Option<String>,
    pub iops: Option<i32>,
    pub throughput: Option<i32>,
    pub encrypted: bool,
    pub delete_on_termination: Option<bool>,
}

/// What RunInstances asks for, validated for shape by the API layer.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    pub image_id: String,
    pub instance_type: String,
    pub min_count: i32,
    pub max_count: i32,
    pub subnet_id: Option<String>,
    pub group_ids: Vec<String>,
    pub group_names: Vec<String>,
    pub private_ip: Option<Ipv4Addr>,
    pub interfaces: Vec<InterfaceSpec>,
    pub availability_zone: Option<String>,
    pub tenancy: Option<String>,
    pub key_name: Option<String>,
    pub user_data: Option<String>,
    pub client_token: Option<String>,
    pub disable_api_termination: bool,
    pub disable_api_stop: bool,
    pub shutdown_behavior: Option<String>,
    pub cpu_credits: Option<String>,
    pub metadata_http_tokens: Option<String>,
    pub metadata_http_endpoint: Option<String>,
    pub metadata_hop_limit: Option<i32>,
    pub metadata_tags: Option<String>,
    pub iam_instance_profile_arn: Option<String>,
    pub monitoring: bool,
    pub ebs_optimized: bool,
    pub volumes: Vec<VolumeSpec>,
    pub instance_tags: Vec<(String, String)>,
    pub volume_tags: Vec<(String, String)>,
    pub interface_tags: Vec<(String, String)>,
}

/// The device name of every root volume.
pub const ROOT_DEVICE: &str = "/dev/xvda";
/// The root volume's size when the launch does not set one.
pub const ROOT_SIZE_GIB: i32 = 8;

/// Instance attributes settable with ModifyInstanceAttribute (one per call).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstanceChange {
    Groups(Vec<String>),
    SourceDestCheck(bool),
    DisableApiTermination(bool),
    DisableApiStop(bool),
    InstanceType(String),
    UserData(String),
    ShutdownBehavior(String),
    EbsOptimized(bool),
    /// (device name, delete on termination)
    DeleteOnTermination(String, bool),
}

/// A state change as Start/Stop/TerminateInstances report it: (id, previous, current).
pub type StateChange = (String, InstanceState, InstanceState);

/// Whether an image id has AWS's shape.
pub fn is_image_id(id: &str) -> bool {
    crate::ids::is_well_formed("ami", id)
}

/// The instance counts of a launch: at least one, min ≤ max, at most 1,000.
fn check_counts(l: &Launch) -> Result<()> {
    if l.min_count < 1 || l.max_count < 1 {
        return Err(Error::invalid_parameter_value(format!(
            "Value ({}) for parameter {} is invalid. Expecting a value greater than 0.",
            l.min_count.min(l.max_count),
            if l.min_count < 1 { "minCount" } else { "maxCount" }
        )));
    }
    if l.min_count > l.max_count {
        return Err(Error::invalid_parameter_value(
            "Value for parameter minCount is invalid. minCount must be less than or equal to maxCount.",
        ));
    }
    if l.max_count > 1000 {
        return Err(Error::new(
            Ec2::InstanceLimitExceeded,
            "You have requested more instances than your current instance limit allows.",
        ));
    }
    Ok(())
}

/// The network interfaces of a launch: none beside instance-level subnet, groups or address;
/// unique device indexes, index 0 present; an existing interface only for one instance and
/// alone; a public address only with one interface.
fn check_interface_specs(l: &Launch) -> Result<()> {
    if l.interfaces.is_empty() {
        return Ok(());
    }
    if l.subnet_id.is_some() {
        return Err(Error::invalid_combination(
            "Network interfaces and an instance-level subnet ID may not be specified on the same request",
        ));
    }
    if !l.group_ids.is_empty() || !l.group_names.is_empty() {
        return Err(Error::invalid_combination(
            "Network interfaces and an instance-level security groups may not be specified on the same request",
        ));
    }
    if l.private_ip.is_some() {
        return Err(Error::invalid_combination(
            "Network interfaces and an instance-level private IP address may not be specified on the same request",
        ));
    }
    let mut seen = Vec::new();
    for s in &l.interfaces {
        if seen.contains(&s.device_index) {
            return Err(Error::invalid_parameter_value(format!(
                "Each network interface requires a unique device index (duplicate {}).",
                s.device_index
            )));
        }
        seen.push(s.device_index);
        if s.network_interface_id.is_some() && l.max_count > 1 {
            return Err(Error::invalid_combination(
                "An existing network interface cannot be used when launching more than one instance.",
            ));
        }
        if s.network_interface_id.is_some()
            && (s.subnet_id.is_some() || !s.groups.is_empty() || s.private_ip.is_some())
        {
            return Err(Error::invalid_combination(
                "A network interface may not specify both a network interface ID and a subnet, security groups or private IP address.",
            ));
        }
    }
    if !seen.contains(&0) {
        return Err(Error::invalid_parameter_value(
            "When specifying network interfaces, you must include a device at index 0.",
        ));
    }
    if l.interfaces.len() > 1 && l.interfaces.iter().any(|s| s.associate_public_ip == Some(true)) {
        return Err(Error::invalid_combination(
            "The associatePublicIPAddress parameter cannot be specified when launching with multiple network interfaces.",
        ));
    }
    Ok(())
}

/// The instance type is known and has room for the interfaces asked for.
fn check_instance_type(l: &Launch) -> Result<()> {
    let type_info = crate::instance_types::info(&l.instance_type).ok_or_else(|| {
        Error::invalid_parameter_value(format!(
            "Invalid value '{}' for InstanceType.",
            l.instance_type
        ))
    })?;
    if l.interfaces.len() > type_info.max_interfaces {
        return Err(Error::new(
            Ec2::InvalidParameterValue,
            format!(
                "The instance type {} supports at most {} network interfaces.",
                l.instance_type, type_info.max_interfaces
            ),
        ));
    }
    Ok(())
}

/// How many instances fit: every launched instance needs its addresses in the subnet; fewer
/// than the minimum is InsufficientFreeAddressesInSubnet.
fn instances_that_fit(
    l: &Launch,
    subnet: &Subnet,
    primary_spec: Option<&InterfaceSpec>,
) -> Result<i32> {
    let per_instance: u64 = match primary_spec {
        Some(s) if s.network_interface_id.is_some() => 0,
        Some(s) => 1 + s.secondary_count as u64 + s.secondary_ips.len() as u64,
        None => 1,
    };
    let free = subnet.available_ip_count();
    let fits = free.checked_div(per_instance).unwrap_or(l.max_count as u64);
    let count = (l.max_count as u64).min(fits) as i32;
    if count < l.min_count {
        return Err(Error::new(
            Ec2::InsufficientFreeAddressesInSubnet,
            format!(
                "There are not enough free addresses in subnet '{}' to satisfy the requested number of instances.",
                subnet.id
            ),
        ));
    }
    Ok(count)
}

impl World {
    /// RunInstances. Returns the reservation id and the instance ids (new, or those of an
    /// earlier launch with the same client token).
    pub fn run_instances(
        &mut self,
        scope: &Scope,
        l: Launch,
        now: i64,
    ) -> Result<(String, Vec<String>)> {
        if let Some(earlier) = self.earlier_launch(scope, l.client_token.as_deref()) {
            return Ok(earlier);
        }
        if !is_image_id(&l.image_id) {
            return Err(Error::new(
                Ec2::InvalidAMIIDMalformed,
                format!("Invalid id: \"{}\" (expecting \"ami-...\")", l.image_id),
            ));
        }
        check_counts(&l)?;
        crate::tags::validate(&l.instance_tags)?;
        crate::tags::validate(&l.volume_tags)?;
        crate::tags::validate(&l.interface_tags)?;
        check_interface_specs(&l)?;
        let private_ip_given = l.private_ip.is_some()
            || l.interfaces.iter().any(|s| s.private_ip.is_some() || !s.secondary_ips.is_empty());
        if private_ip_given && l.max_count > 1 {
            return Err(Error::invalid_combination(
                "A private IP address may not be specified when launching more than one instance.",
            ));
        }
        check_instance_type(&l)?;
        // The primary interface's subnet decides the zone and VPC.
        let primary_spec = l.interfaces.iter().find(|s| s.device_index == 0).cloned();
        let subnet_id = self.launch_subnet(scope, &l, primary_spec.as_ref())?;
        let subnet = self.subnets.find(&kinds::SUBNET, scope, &subnet_id)?.clone();
        if let Some(az) = l.availability_zone.as_deref()
            && az != subnet.availability_zone
            && az != subnet.availability_zone_id
        {
            return Err(Error::invalid_parameter_value(format!(
                "Value ({az}) for parameter availabilityZone is invalid. Subnet '{}' is in the availability zone {}",
                subnet.id, subnet.availability_zone
            )));
        }
        let groups = self.launch_groups(scope, &l, &subnet)?;
        let count = instances_that_fit(&l, &subnet, primary_spec.as_ref())?;
        let reservation_id = self.fresh_id("r");
        let mut ids = Vec::new();
        for index in 0..count {
            ids.push(self.launch_one(scope, &l, &subnet, &groups, &reservation_id, index, now)?);
        }
        Ok((reservation_id, ids))
    }

    /// The reservation and instances of an earlier launch with the same client token.
    fn earlier_launch(&self, scope: &Scope, token: Option<&str>) -> Option<(String, Vec<String>)> {
        let token = token?;
        let earlier =
            self.instances.in_scope(scope).find(|i| i.client_token.as_deref() == Some(token))?;
        let reservation = earlier.reservation_id.clone();
        let mut launched: Vec<&Instance> =
            self.instances.in_scope(scope).filter(|i| i.reservation_id == reservation).collect();
        launched.sort_by_key(|i| i.ami_launch_index);
        Some((reservation, launched.into_iter().map(|i| i.id.clone()).collect()))
    }

    /// The subnet a launch goes into: its primary interface's (an existing interface's, or the
    /// one named), the instance-level subnet, else the default VPC's in the zone.
    fn launch_subnet(
        &self,
        scope: &Scope,
        l: &Launch,
        primary_spec: Option<&InterfaceSpec>,
    ) -> Result<String> {
        Ok(match primary_spec {
            Some(s) => match (&s.network_interface_id, &s.subnet_id) {
                (Some(eni), _) => {
                    let e = self.network_interfaces.find(&kinds::NETWORK_INTERFACE, scope, eni)?;
                    if e.attachment.is_some() {
                        return Err(Error::new(
                            Ec2::InvalidNetworkInterfaceInUse,
                            format!("Interface: [{eni}] in use."),
                        ));
                    }
                    e.subnet_id.clone()
                }
                (None, Some(subnet)) => subnet.clone(),
                (None, None) => self.default_subnet(scope, l.availability_zone.as_deref())?,
            },
            None => match &l.subnet_id {
                Some(s) => s.clone(),
                None => self.default_subnet(scope, l.availability_zone.as_deref())?,
            },
        })
    }

    /// The security groups of a launch, by id or by name in the subnet's VPC.
    fn launch_groups(&self, scope: &Scope, l: &Launch, subnet: &Subnet) -> Result<Vec<String>> {
        let mut groups = l.group_ids.clone();
        for name in &l.group_names {
            let g = self
                .security_groups
                .in_scope(scope)
                .find(|g| g.vpc_id == subnet.vpc_id && &g.name == name)
                .ok_or_else(|| {
                    Error::new(
                        Ec2::InvalidGroupNotFound,
                        format!(
                            "The security group '{name}' does not exist in VPC '{}'",
                            subnet.vpc_id
                        ),
                    )
                })?;
            groups.push(g.id.clone());
        }
        for g in &groups {
            let sg = self.security_groups.find(&kinds::SECURITY_GROUP, scope, g)?;
            if sg.vpc_id != subnet.vpc_id {
                return Err(Error::invalid_parameter(format!(
                    "Security group {g} and subnet {} belong to different networks.",
                    subnet.id
                )));
            }
        }
        Ok(groups)
    }

    /// The default subnet of the default VPC in `zone` (or in the first zone that has one).
    fn default_subnet(&self, scope: &Scope, zone: Option<&str>) -> Result<String> {
        let vpc = self
            .scopes
            .get(&scope.key())
            .and_then(|s| s.default_vpc_id.clone())
            .filter(|v| self.vpcs.contains(v))
            .ok_or_else(|| {
                Error::new(
                    Ec2::VPCIdNotSpecified,
                    "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.",
                )
            })?;
        let mut candidates: Vec<&Subnet> = self
            .subnets
            .in_scope(scope)
            .filter(|s| s.vpc_id == vpc && s.default_for_az)
            .filter(|s| {
                zone.is_none_or(|z| s.availability_zone == z || s.availability_zone_id == z)
            })
            .collect();
        candidates.sort_by(|a, b| a.availability_zone.cmp(&b.availability_zone));
        candidates.first().map(|s| s.id.clone()).ok_or_else(|| {
            Error::new(
                Ec2::MissingInput,
                format!("No subnets found for the default VPC '{vpc}'. Please specify a subnet."),
            )
        })
    }

    /// Creates (or takes) the launch's interfaces and attaches them to instance `id`, with an
    /// automatic public address on a new primary interface where the spec or the subnet asks
    /// for one. Returns the primary interface.
    fn attach_launch_interfaces(
        &mut self,
        scope: &Scope,
        l: &Launch,
        subnet: &Subnet,
        groups: &[String],
        id: &str,
        now: i64,
    ) -> Result<String> {
        let mut specs = l.interfaces.clone();
        if specs.is_empty() {
            specs.push(InterfaceSpec {
                device_index: 0,
                subnet_id: Some(subnet.id.clone()),
                groups: groups.to_vec(),
                private_ip: l.private_ip,
                ..Default::default()
            });
        }
        specs.sort_by_key(|s| s.device_index);
        let mut primary_eni = String::new();
        for spec in &specs {
            let (eni_id, created) = self.launch_interface(scope, l, spec, subnet, groups)?;
            let auto_public = spec.device_index == 0
                && created
                && spec
                    .associate_public_ip
                    .unwrap_or(subnet.map_public_ip_on_launch && specs.len() == 1);
            let public = auto_public.then(|| self.allocate_public_ipv4());
            let attachment_id = self.fresh_id("eni-attach");
            let e = self
                .network_interfaces
                .get_mut(&eni_id)
                .ok_or_else(|| kinds::NETWORK_INTERFACE.not_found(&eni_id))?;
            e.attachment = Some(InterfaceAttachment {
                id: attachment_id,
                instance_id: id.to_owned(),
                device_index: spec.device_index,
                delete_on_termination: spec.delete_on_termination.unwrap_or(created),
                attach_time: now,
            });
            e.auto_public_ip = auto_public;
            if let (Some(address), Some(first)) = (public, e.private_ips.first_mut()) {
                first.public = Some(PublicIp { address, allocation_id: None });
            }
            if spec.device_index == 0 {
                primary_eni = eni_id;
            }
        }
        Ok(primary_eni)
    }

    /// One interface of a launch: an existing free one in the instance's zone, or a new one
    /// (the instance's groups on the primary unless it names its own). Returns it and whether
    /// it was created.
    fn launch_interface(
        &mut self,
        scope: &Scope,
        l: &Launch,
        spec: &InterfaceSpec,
        subnet: &Subnet,
        groups: &[String],
    ) -> Result<(String, bool)> {
        Ok(match &spec.network_interface_id {
            Some(existing) => {
                let e = self.network_interfaces.find(&kinds::NETWORK_INTERFACE, scope, existing)?;
                if e.attachment.is_some() {
                    return Err(Error::new(
                        Ec2::InvalidNetworkInterfaceInUse,
                        format!("Interface: [{existing}] in use."),
                    ));
                }
                if e.availability_zone != subnet.availability_zone {
                    return Err(Error::invalid_parameter_value(format!(
                        "The network interface '{existing}' is not in the instance's availability zone {}.",
                        subnet.availability_zone
                    )));
                }
                (existing.clone(), false)
            }
            None => {
                let sub = spec.subnet_id.clone().unwrap_or_else(|| subnet.id.clone());
                let s = self.subnets.find(&kinds::SUBNET, scope, &sub)?;
                if s.availability_zone != subnet.availability_zone {
                    return Err(Error::invalid_parameter_value(format!(
                        "The subnet '{sub}' is not in the instance's availability zone {}.",
                        subnet.availability_zone
                    )));
                }
                let groups = if spec.groups.is_empty() && spec.device_index == 0 {
                    groups.to_vec()
                } else {
                    spec.groups.clone()
                };
                let eni = self.create_network_interface(
                    scope,
                    NewInterface {
                        subnet_id: sub,
                        description: spec.description.clone().unwrap_or_default(),
                        private_ip: spec.private_ip,
                        secondary_ips: spec.secondary_ips.clone(),
                        secondary_count: spec.secondary_count,
                        groups,
                        ipv6_count: spec.ipv6_count,
                        interface_type: spec.interface_type.clone(),
                        tags: l.interface_tags.clone(),
                        ..Default::default()
                    },
                )?;
                (eni, true)
            }
        })
    }

    /// The launch's volumes, the root device always among them. Returns the root volume.
    fn create_launch_volumes(
        &mut self,
        scope: &Scope,
        l: &Launch,
        subnet: &Subnet,
        id: &str,
        now: i64,
    ) -> Option<String> {
        let mut vols = l.volumes.clone();
        if !vols.iter().any(|v| v.device_name == ROOT_DEVICE) {
            vols.insert(0, VolumeSpec { device_name: ROOT_DEVICE.into(), ..Default::default() });
        }
        let mut root_volume_id = None;
        for v in vols {
            let volume_type = v.volume_type.clone().unwrap_or_else(|| "gp3".into());
            let size = v.size_gib.unwrap_or(ROOT_SIZE_GIB);
            let (iops, throughput) = match volume_type.as_str() {
                "gp3" => (Some(v.iops.unwrap_or(3000)), Some(v.throughput.unwrap_or(125))),
                "gp2" => (Some((size * 3).clamp(100, 16000)), None),
                "io1" | "io2" => (v.iops, None),
                _ => (None, None),
            };
            let vol_id = self.fresh_id("vol");
            self.volumes.insert(
                vol_id.clone(),
                Volume {
                    id: vol_id.clone(),
                    owner: scope.clone(),
                    availability_zone: subnet.availability_zone.clone(),
                    size_gib: size,
                    volume_type,
                    iops,
                    throughput,
                    encrypted: v.encrypted,
                    create_time: now,
                    attached_instance_id: Some(id.to_owned()),
                    device: Some(v.device_name.clone()),
                    delete_on_termination: v.delete_on_termination.unwrap_or(true),
                    tags: l.volume_tags.iter().cloned().collect(),
                },
            );
            if v.device_name == ROOT_DEVICE {
                root_volume_id = Some(vol_id);
            }
        }
        root_volume_id
    }

    #[allow(clippy::too_many_arguments)]
    fn launch_one(
        &mut self,
        scope: &Scope,
        l: &Launch,
        subnet: &Subnet,
        groups: &[String],
        reservation_id: &str,
        index: i32,
        now: i64,
    ) -> Result<String> {
        let id = self.fresh_id("i");
        let primary_eni = self.attach_launch_interfaces(scope, l, subnet, groups, &id, now)?;
        let root_volume_id = self.create_launch_volumes(scope, l, subnet, &id, now);
        let private_ip = self
            .network_interfaces
            .get(&primary_eni)
            .and_then(|e| e.primary_ip())
            .ok_or_else(|| Error::internal("primary interface without address"))?;
        let credits = l
            .cpu_credits
            .clone()
            .filter(|_| crate::instance_types::is_burstable(&l.instance_type))
            .or_else(|| {
                crate::instance_types::default_cpu_credits(&l.instance_type).map(str::to_owned)
            });
        self.instances.insert(
            id.clone(),
            Instance {
                id: id.clone(),
                owner: scope.clone(),
                reservation_id: reservation_id.to_owned(),
                image_id: l.image_id.clone(),
                instance_type: l.instance_type.clone(),
                key_name: l.key_name.clone(),
                state: InstanceState::Running,
                state_transition_reason: String::new(),
                launch_time: now,
                availability_zone: subnet.availability_zone.clone(),
                subnet_id: subnet.id.clone(),
                vpc_id: subnet.vpc_id.clone(),
                primary_network_interface_id: primary_eni,
                private_dns_name: crate::eni::private_dns_name(scope, private_ip),
                ami_launch_index: index,
                client_token: l.client_token.clone(),
                user_data: l.user_data.clone(),
                disable_api_termination: l.disable_api_termination,
                disable_api_stop: l.disable_api_stop,
                instance_initiated_shutdown_behavior: l
                    .shutdown_behavior
                    .clone()
                    .unwrap_or_else(|| "stop".into()),
                ebs_optimized: l.ebs_optimized,
                monitoring: l.monitoring,
                tenancy: l.tenancy.clone().unwrap_or_else(|| "default".into()),
                root_volume_id,
                root_device_name: ROOT_DEVICE.into(),
                metadata_http_tokens: l
                    .metadata_http_tokens
                    .clone()
                    .unwrap_or_else(|| "optional".into()),
                metadata_http_endpoint: l
                    .metadata_http_endpoint
                    .clone()
                    .unwrap_or_else(|| "enabled".into()),
                metadata_hop_limit: l.metadata_hop_limit.unwrap_or(1),
                metadata_tags: l.metadata_tags.clone().unwrap_or_else(|| "disabled".into()),
                credit_specification: credits,
                iam_instance_profile_arn: l.iam_instance_profile_arn.clone(),
                tags: l.instance_tags.iter().cloned().collect(),
            },
        );
        Ok(id)
    }

    fn instances_for(&self, scope: &Scope, ids: &[String]) -> Result<Vec<Instance>> {
        if ids.is_empty() {
            return Err(Error::invalid_combination("No instances specified"));
        }
        let mut missing = Vec::new();
        let mut out = Vec::new();
        for id in ids {
            kinds::INSTANCE.check_format(id)?;
            match self.instances.get(id).filter(|i| &i.owner == scope) {
                Some(i) => out.push(i.clone()),
                None => missing.push(id.clone()),
            }
        }
        match missing.as_slice() {
            [] => Ok(out),
            [one] => Err(kinds::INSTANCE.not_found(one)),
            many => Err(Error::new(
                Ec2::InvalidInstanceIDNotFound,
                format!("The instance IDs '{}' do not exist", many.join(", ")),
            )),
        }
    }

    /// StopInstances.
    pub fn stop_instances(&mut self, scope: &Scope, ids: &[String]) -> Result<Vec<StateChange>> {
        let found = self.instances_for(scope, ids)?;
        for i in &found {
            if matches!(i.state, InstanceState::Terminated | InstanceState::ShuttingDown) {
                return Err(Error::new(
                    Ec2::IncorrectInstanceState,
                    format!(
                        "The instance '{}' is not in a state from which it can be stopped.",
                        i.id
                    ),
                ));
            }
            if i.disable_api_stop {
                return Err(Error::new(
                    Ec2::OperationNotPermitted,
                    format!(
                        "The instance '{}' may not be stopped. Modify its 'disableApiStop' instance attribute and try again.",
                        i.id
                    ),
                ));
            }
        }
        let mut out = Vec::new();
        for i in found {
            if i.state == InstanceState::Stopped {
                out.push((i.id, InstanceState::Stopped, InstanceState::Stopped));
                continue;
            }
            self.set_public_ips(&i.id, false);
            if let Some(x) = self.instances.get_mut(&i.id) {
                x.state = InstanceState::Stopped;
                x.state_transition_reason = "User initiated".into();
            }
            out.push((i.id, i.state, InstanceState::Stopping));
        }
        Ok(out)
    }

    /// StartInstances.
    pub fn start_instances(&mut self, scope: &Scope, ids: &[String]) -> Result<Vec<StateChange>> {
        let found = self.instances_for(scope, ids)?;
        for i in &found {
            if matches!(i.state, InstanceState::Terminated | InstanceState::ShuttingDown) {
                return Err(Error::new(
                    Ec2::IncorrectInstanceState,
                    format!(
                        "The instance '{}' is not in a state from which it can be started.",
                        i.id
                    ),
                ));
            }
        }
        let mut out = Vec::new();
        for i in found {
            if i.state == InstanceState::Running {
                out.push((i.id, InstanceState::Running, InstanceState::Running));
                continue;
            }
            if let Some(x) = self.instances.get_mut(&i.id) {
                x.state = InstanceState::Running;
                x.state_transition_reason = String::new();
            }
            self.set_public_ips(&i.id, true);
            out.push((i.id, i.state, InstanceState::Pending));
        }
        Ok(out)
    }

    /// Gives back (`assign == false`) or hands out AWS-assigned public addresses on the
    /// instance's interfaces that want one; Elastic IPs are untouched.
    fn set_public_ips(&mut self, instance_id: &str, assign: bool) {
        let enis: Vec<String> =
            self.interfaces_of(instance_id).iter().map(|e| e.id.clone()).collect();
        for eni in enis {
            let needs = self.network_interfaces.get(&eni).is_some_and(|e| {
                e.auto_public_ip && e.private_ips.first().is_some_and(|p| p.public.is_none())
            });
            let fresh = (assign && needs).then(|| self.allocate_public_ipv4());
            if let Some(e) = self.network_interfaces.get_mut(&eni)
                && let Some(first) = e.private_ips.first_mut()
            {
                if !assign && first.public.as_ref().is_some_and(|p| p.allocation_id.is_none()) {
                    first.public = None;
                }
                if let Some(address) = fresh {
                    first.public = Some(PublicIp { address, allocation_id: None });
                }
            }
        }
    }

    /// TerminateInstances.
    pub fn terminate_instances(
        &mut self,
        scope: &Scope,
        ids: &[String],
    ) -> Result<Vec<StateChange>> {
        let found = self.instances_for(scope, ids)?;
        for i in &found {
            if i.disable_api_termination && i.state != InstanceState::Terminated {
                return Err(Error::new(
                    Ec2::OperationNotPermitted,
                    format!(
                        "The instance '{}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.",
                        i.id
                    ),
                ));
            }
        }
        let mut out = Vec::new();
        for i in found {
            if i.state == InstanceState::Terminated {
                out.push((i.id, InstanceState::Terminated, InstanceState::Terminated));
                continue;
            }
            let enis: Vec<(String, bool)> = self
                .interfaces_of(&i.id)
                .iter()
                .map(|e| {
                    (e.id.clone(), e.attachment.as_ref().is_some_and(|a| a.delete_on_termination))
                })
                .collect();
            for (eni, delete) in enis {
                if delete {
                    self.remove_interface(&eni);
                } else if let Some(e) = self.network_interfaces.get_mut(&eni) {
                    e.attachment = None;
                    if let Some(first) = e.private_ips.first_mut()
                        && first.public.as_ref().is_some_and(|p| p.allocation_id.is_none())
                    {
                        first.public = None;
                    }
                    e.auto_public_ip = false;
                }
            }
            let vols: Vec<(String, bool)> = self
                .volumes
                .rows_keyed(&crate::indexes::instance_key(&i.id))
                .map(|v| (v.id.clone(), v.delete_on_termination))
                .collect();
            for (vol, delete) in vols {
                if delete {
                    self.volumes.remove(&vol);
                } else if let Some(v) = self.volumes.get_mut(&vol) {
                    v.attached_instance_id = None;
                    v.device = None;
                }
            }
            if let Some(x) = self.instances.get_mut(&i.id) {
                x.state = InstanceState::Terminated;
                x.state_transition_reason = "User initiated".into();
            }
            out.push((i.id, i.state, InstanceState::ShuttingDown));
        }
        Ok(out)
    }

    /// The instance's only interface, for the attributes AWS keeps on it; an instance with
    /// several must be changed through the interface.
    fn sole_interface(&self, inst: &Instance) -> Result<String> {
        let nics = self.interfaces_of(&inst.id);
        if nics.len() > 1 {
            return Err(Error::new(
                Ec2::InvalidInstanceID,
                format!(
                    "There are multiple interfaces attached to instance '{}'. Please specify an interface ID for the operation instead.",
                    inst.id
                ),
            ));
        }
        nics.first().map(|e| e.id.clone()).ok_or_else(|| {
            Error::new(
                Ec2::IncorrectInstanceState,
                format!("The instance '{}' has no network interface.", inst.id),
            )
        })
    }

    /// ModifyInstanceAttribute.
    pub fn modify_instance(
        &mut self,
        scope: &Scope,
        id: &str,
        change: InstanceChange,
    ) -> Result<()> {
        let inst = self.instances.find(&kinds::INSTANCE, scope, id)?.clone();
        if inst.state == InstanceState::Terminated {
            return Err(Error::new(
                Ec2::IncorrectInstanceState,
                format!("The instance '{id}' is not in a valid state for this operation."),
            ));
        }
        let must_be_stopped = || {
            if inst.state == InstanceState::Stopped {
                Ok(())
            } else {
                Err(Error::new(
                    Ec2::IncorrectInstanceState,
                    format!("The instance '{id}' is not in the 'stopped' state."),
                ))
            }
        };
        match change {
            InstanceChange::Groups(groups) => {
                let eni = self.sole_interface(&inst)?;
                self.modify_network_interface(
                    scope,
                    &eni,
                    crate::types::ec2::eni::InterfaceChange::Groups(groups),
                )?;
            }
            InstanceChange::SourceDestCheck(v) => {
                let eni = self.sole_interface(&inst)?;
                self.modify_network_interface(
                    scope,
                    &eni,
                    crate::types::ec2::eni::InterfaceChange::SourceDestCheck(v),
                )?;
            }
            InstanceChange::DeleteOnTermination(device, value) => {
                let vol = self
                    .volumes
                    .rows_keyed(&crate::indexes::instance_key(id))
                    .find(|v| {
                        v.attached_instance_id.as_deref() == Some(id)
                            && v.device.as_deref() == Some(device.as_str())
                    })
                    .map(|v| v.id.clone())
                    .ok_or_else(|| {
                        Error::invalid_parameter_value(format!(
                            "The device '{device}' is not attached to instance '{id}'."
                        ))
                    })?;
                if let Some(v) = self.volumes.get_mut(&vol) {
                    v.delete_on_termination = value;
                }
            }
            InstanceChange::InstanceType(t) => {
                must_be_stopped()?;
                if crate::instance_types::info(&t).is_none() {
                    return Err(Error::invalid_parameter_value(format!(
                        "Invalid value '{t}' for InstanceType."
                    )));
                }
                let credits = crate::instance_types::default_cpu_credits(&t).map(str::to_owned);
                if let Some(x) = self.instances.get_mut(id) {
                    if !crate::instance_types::is_burstable(&t) {
                        x.credit_specification = None;
                    } else if x.credit_specification.is_none() {
                        x.credit_specification = credits;
                    }
                    x.instance_type = t;
                }
            }
            InstanceChange::UserData(data) => {
                must_be_stopped()?;
                if let Some(x) = self.instances.get_mut(id) {
                    x.user_data = (!data.is_empty()).then_some(data);
                }
            }
            other => {
                let x = self.instances.find_mut(&kinds::INSTANCE, scope, id)?;
                match other {
                    InstanceChange::DisableApiTermination(v) => x.disable_api_termination = v,
                    InstanceChange::DisableApiStop(v) => x.disable_api_stop = v,
                    InstanceChange::EbsOptimized(v) => x.ebs_optimized = v,
                    InstanceChange::ShutdownBehavior(b) => {
                        if b != "stop" && b != "terminate" {
                            return Err(Error::invalid_parameter_value(format!(
                                "Value ({b}) for parameter instanceInitiatedShutdownBehavior is invalid."
                            )));
                        }
                        x.instance_initiated_shutdown_behavior = b
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// ModifyInstanceMetadataOptions: only the options given change.
    pub fn modify_instance_metadata(
        &mut self,
        scope: &Scope,
        id: &str,
        http_tokens: Option<String>,
        http_endpoint: Option<String>,
        hop_limit: Option<i32>,
        tags: Option<String>,
    ) -> Result<()> {
        if let Some(h) = hop_limit
            && !(1..=64).contains(&h)
        {
            return Err(Error::invalid_parameter_value(format!(
                "Value ({h}) for parameter httpPutResponseHopLimit is invalid. Expecting a value between 1 and 64."
            )));
        }
        let x = self.instances.find_mut(&kinds::INSTANCE, scope, id)?;
        if x.state == InstanceState::Terminated {
            return Err(Error::new(
                Ec2::IncorrectInstanceState,
                format!("The instance '{id}' is not in a valid state for this operation."),
            ));
        }
        if let Some(v) = http_tokens {
            x.metadata_http_tokens = v;
        }
        if let Some(v) = http_endpoint {
            x.metadata_http_endpoint = v;
        }
        if let Some(v) = hop_limit {
            x.metadata_hop_limit = v;
        }
        if let Some(v) = tags {
            x.metadata_tags = v;
        }
        Ok(())
    }
}

impl References for Instance {
    /// A terminated instance stays listed after its interfaces and perhaps its subnet are gone.
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        if self.state == InstanceState::Terminated {
            return;
        }
        each(Reference::new("vpc", &self.vpc_id, "VpcId"));
        each(Reference::new("subnet", &self.subnet_id, "SubnetId"));
        each(Reference::new(
            "network_interface",
            &self.primary_network_interface_id,
            "NetworkInterfaces.NetworkInterfaceId",
        ));
    }
}

impl References for Volume {
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        if let Some(instance_id) = &self.attached_instance_id {
            each(Reference::new("instance", instance_id, "Attachments.InstanceId"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(cidr: &str, map_public: bool) -> (World, Scope, String, String) {
        let (mut w, scope, vpc, subnet) = crate::testkit::world_with_subnet(cidr);
        w.subnets.get_mut(&subnet).unwrap().map_public_ip_on_launch = map_public;
        (w, scope, vpc, subnet)
    }

    fn launch(subnet: &str, n: i32) -> Launch {
        Launch {
            image_id: "ami-12345678".into(),
            instance_type: "t3.micro".into(),
            min_count: n,
            max_count: n,
            subnet_id: Some(subnet.into()),
            ..Default::default()
        }
    }

    #[test]
    fn launch_gives_an_interface_an_address_and_a_root_volume() {
        let (mut w, scope, vpc, subnet) = setup("10.0.1.0/24", true);
        let (_, ids) = w.run_instances(&scope, launch(&subnet, 1), 0).unwrap();
        let i = w.instances.get(&ids[0]).unwrap().clone();
        assert_eq!(i.state, InstanceState::Running);
        let eni = w.network_interfaces.get(&i.primary_network_interface_id).unwrap();
        let att = eni.attachment.as_ref().unwrap();
        assert_eq!((att.device_index, att.delete_on_termination), (0, true));
        assert_eq!(
            eni.security_groups,
            vec![w.vpcs.get(&vpc).unwrap().default_security_group_id.clone()]
        );
        assert!(eni.public_ip().is_some());
        assert_eq!(
            i.private_dns_name,
            format!("ip-{}.ec2.internal", eni.primary_ip().unwrap().to_string().replace('.', "-"))
        );
        let root = w.volumes.get(i.root_volume_id.as_ref().unwrap()).unwrap();
        assert_eq!((root.size_gib, root.volume_type.as_str()), (8, "gp3"));
        assert_eq!(i.credit_specification.as_deref(), Some("unlimited"));
    }

    #[test]
    fn stop_start_terminate_manage_public_addresses_and_resources() {
        let (mut w, scope, _, subnet) = setup("10.0.1.0/24", true);
        let (_, ids) = w.run_instances(&scope, launch(&subnet, 1), 0).unwrap();
        let id = ids[0].clone();
        let eni = w.instances.get(&id).unwrap().primary_network_interface_id.clone();
        let changes = w.stop_instances(&scope, &ids).unwrap();
        assert_eq!(changes[0].2, InstanceState::Stopping);
        assert!(w.network_interfaces.get(&eni).unwrap().public_ip().is_none());
        assert_eq!(w.stop_instances(&scope, &ids).unwrap()[0].2, InstanceState::Stopped);
        w.start_instances(&scope, &ids).unwrap();
        assert!(w.network_interfaces.get(&eni).unwrap().public_ip().is_some());

        w.modify_instance(&scope, &id, InstanceChange::DisableApiTermination(true)).unwrap();
        assert_eq!(w.terminate_instances(&scope, &ids).unwrap_err().code, "OperationNotPermitted");
        w.modify_instance(&scope, &id, InstanceChange::DisableApiTermination(false)).unwrap();
        assert_eq!(
            w.modify_instance(&scope, &id, InstanceChange::InstanceType("t3.large".into()))
                .unwrap_err()
                .code,
            "IncorrectInstanceState"
        );
        w.terminate_instances(&scope, &ids).unwrap();
        assert_eq!(w.instances.get(&id).unwrap().state, InstanceState::Terminated);
        assert!(w.network_interfaces.get(&eni).is_none());
        assert!(w.volumes.is_empty());
        assert_eq!(w.subnets.get(&subnet).unwrap().available_ip_count(), 251);
        assert_eq!(w.start_instances(&scope, &ids).unwrap_err().code, "IncorrectInstanceState");
    }

    #[test]
    fn counts_must_fit_the_subnet() {
        let (mut w, scope, _, subnet) = setup("10.0.1.0/28", false);
        assert_eq!(
            w.run_instances(&scope, launch(&subnet, 12), 0).unwrap_err().code,
            "InsufficientFreeAddressesInSubnet"
        );
        let mut l = launch(&subnet, 1);
        l.max_count = 20;
        let (_, ids) = w.run_instances(&scope, l, 0).unwrap();
        assert_eq!(ids.len(), 11);
        let mut bad = launch(&subnet, 1);
        bad.image_id = "image-1".into();
        assert_eq!(w.run_instances(&scope, bad, 0).unwrap_err().code, "InvalidAMIID.Malformed");
    }

    #[test]
    fn client_token_makes_launch_idempotent() {
        let (mut w, scope, _, subnet) = setup("10.0.1.0/24", false);
        let mut l = launch(&subnet, 2);
        l.client_token = Some("tok".into());
        let first = w.run_instances(&scope, l.clone(), 0).unwrap();
        let again = w.run_instances(&scope, l, 0).unwrap();
        assert_eq!(first, again);
        assert_eq!(w.instances.len(), 2);
    }
}
