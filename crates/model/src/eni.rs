//! Elastic network interfaces: their private addresses, security groups and attachments.
//!
//! An interface lives in one subnet and takes its private addresses from it (never one of the
//! five the subnet reserves). Its status is derived: `in-use` while attached, else `available`.
//! Public addresses sit on the private address they are mapped to ([`PrivateIp::public`]): an
//! Elastic IP carries its allocation id, an address AWS assigned at launch does not.

use crate::error::{Error, Result};
use crate::kinds;
use crate::references::{Reference, References};
pub use crate::types::ec2::eni::*;
use crate::types::ec2::*;
use crate::world::{Scope, World};
use codes::Ec2;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The most addresses (primary included) vpclab lets one interface hold; AWS's limit depends on
/// the instance type, 50 being the largest.
pub const MAX_PRIVATE_IPS: usize = 50;

/// A MAC address derived from the interface id: locally administered (`02:`), stable.
pub fn mac_for(id: &str) -> String {
    let hex: Vec<u8> =
        id.rsplit('-').next().unwrap_or_default().bytes().filter(u8::is_ascii_hexdigit).collect();
    let tail: Vec<u8> = hex.iter().rev().take(10).rev().copied().collect();
    let mut out = String::from("02");
    for pair in tail.chunks(2) {
        out.push(':');
        for b in pair {
            out.push(char::from(*b).to_ascii_lowercase());
        }
        if pair.len() == 1 {
            out.push('0');
        }
    }
    while out.len() < 17 {
        out.push_str(":00");
    }
    out
}

/// `ip-10-0-1-5.ec2.internal` (us-east-1) / `ip-10-0-1-5.eu-west-1.compute.internal`.
pub fn private_dns_name(scope: &Scope, ip: Ipv4Addr) -> String {
    let domain = scope
        .region()
        .map(|r| r.internal_domain())
        .unwrap_or_else(|_| format!("{}.compute.internal", scope.region));
    format!("ip-{}.{domain}", ip.to_string().replace('.', "-"))
}

/// `ec2-3-80-0-1.compute-1.amazonaws.com` (us-east-1) / `ec2-….<region>.compute.amazonaws.com`.
pub fn public_dns_name(scope: &Scope, ip: Ipv4Addr) -> String {
    let dashed = ip.to_string().replace('.', "-");
    if scope.region == "us-east-1" {
        format!("ec2-{dashed}.compute-1.amazonaws.com")
    } else {
        format!("ec2-{dashed}.{}.compute.amazonaws.com", scope.region)
    }
}

impl NetworkInterface {
    /// `in-use` while attached, else `available`.
    pub fn status(&self) -> &'static str {
        if self.attachment.is_some() { "in-use" } else { "available" }
    }

    pub fn holds(&self, ip: Ipv4Addr) -> bool {
        self.private_ips.iter().any(|p| p.address == ip)
    }
}

impl World {
    /// The security groups an interface in `vpc_id` may use: each must exist in the caller's
    /// scope and in that VPC; duplicates are dropped; at most the per-interface quota. No
    /// groups means the VPC's default group.
    pub fn resolve_interface_groups(
        &self,
        scope: &Scope,
        vpc_id: &str,
        groups: &[String],
    ) -> Result<Vec<String>> {
        if groups.is_empty() {
            let vpc = self.vpcs.find(&kinds::VPC, scope, vpc_id)?;
            return Ok(vec![vpc.default_security_group_id.clone()]);
        }
        let mut out: Vec<String> = Vec::new();
        for g in groups {
            let sg = self.security_groups.find(&kinds::SECURITY_GROUP, scope, g)?;
            if sg.vpc_id != vpc_id {
                return Err(Error::invalid_parameter(format!(
                    "The security group '{g}' does not belong to VPC '{vpc_id}'."
                )));
            }
            if !out.contains(g) {
                out.push(g.clone());
            }
        }
        if out.len() > self.quotas.security_groups_per_interface {
            return Err(Error::quota(
                "security_groups_per_interface",
                Ec2::SecurityGroupsPerInterfaceLimitExceeded,
                "The maximum number of security groups per interface has been reached.",
            ));
        }
        Ok(out)
    }

    /// CreateNetworkInterface.
    pub fn create_network_interface(&mut self, scope: &Scope, req: NewInterface) -> Result<String> {
        crate::tags::validate(&req.tags)?;
        let subnet = self.subnets.find(&kinds::SUBNET, scope, &req.subnet_id)?.clone();
        let groups = self.resolve_interface_groups(scope, &subnet.vpc_id, &req.groups)?;
        if let Some(t) = &req.interface_type
            && !matches!(t.as_str(), "interface" | "efa" | "efa-only" | "trunk" | "branch")
        {
            return Err(Error::invalid_parameter_value(format!(
                "Value ({t}) for parameter interfaceType is invalid."
            )));
        }
        let total = 1 + req.secondary_ips.len() + req.secondary_count as usize;
        if total > MAX_PRIVATE_IPS {
            return Err(Error::new(
                Ec2::PrivateIpAddressLimitExceeded,
                format!(
                    "Number of private addresses ({total}) exceeds limit of {MAX_PRIVATE_IPS}."
                ),
            ));
        }
        if self.network_interfaces.reaches(scope, self.quotas.network_interfaces_per_region) {
            return Err(Error::quota(
                "network_interfaces_per_region",
                Ec2::NetworkInterfaceLimitExceeded,
                "The maximum number of network interfaces has been reached.",
            ));
        }
        let ipv6 = self.pick_ipv6(&subnet, &req.ipv6_addresses, req.ipv6_count)?;
        // Explicit addresses first, so an automatic pick cannot take one of them.
        let mut ips = Vec::with_capacity(total);
        let primary_explicit =
            req.private_ip.map(|a| self.allocate_private_ip(&subnet.id, Some(a)));
        let mut secondaries = Vec::new();
        for a in &req.secondary_ips {
            secondaries.push(self.allocate_private_ip(&subnet.id, Some(*a))?);
        }
        let primary = match primary_explicit {
            Some(r) => r?,
            None => self.allocate_private_ip(&subnet.id, None)?,
        };
        ips.push(primary);
        ips.extend(secondaries);
        for _ in 0..req.secondary_count {
            ips.push(self.allocate_private_ip(&subnet.id, None)?);
        }
        let id = self.fresh_id("eni");
        self.network_interfaces.insert(
            id.clone(),
            NetworkInterface {
                id: id.clone(),
                owner: scope.clone(),
                subnet_id: subnet.id.clone(),
                vpc_id: subnet.vpc_id.clone(),
                availability_zone: subnet.availability_zone.clone(),
                description: req.description,
                private_ips: ips
                    .into_iter()
                    .map(|address| PrivateIp { address, public: None })
                    .collect(),
                ipv6_addresses: ipv6,
                security_groups: groups,
                source_dest_check: true,
                attachment: None,
                mac_address: mac_for(&id),
                interface_type: req.interface_type.unwrap_or_else(|| "interface".into()),
                requester_managed: false,
                requester_id: None,
                auto_public_ip: false,
                tags: req.tags.into_iter().collect(),
            },
        );
        Ok(id)
    }

    /// Inserts the requester-managed interface `spec` describes in `subnet_id`, under a fresh
    /// id, which it returns.
    pub fn insert_managed_interface(
        &mut self,
        scope: &Scope,
        subnet_id: &str,
        spec: ManagedInterface,
    ) -> Result<String> {
        let eni_id = self.fresh_id("eni");
        self.insert_managed_interface_as(scope, subnet_id, &eni_id, spec)?;
        Ok(eni_id)
    }

    /// [`World::insert_managed_interface`] under an id drawn already, for a caller that names
    /// the interface before it exists (in an Elastic IP's association).
    pub fn insert_managed_interface_as(
        &mut self,
        scope: &Scope,
        subnet_id: &str,
        eni_id: &str,
        spec: ManagedInterface,
    ) -> Result<()> {
        let subnet =
            self.subnets.get(subnet_id).ok_or_else(|| kinds::SUBNET.not_found(subnet_id))?;
        let interface = NetworkInterface {
            id: eni_id.to_string(),
            owner: scope.clone(),
            subnet_id: subnet.id.clone(),
            vpc_id: subnet.vpc_id.clone(),
            availability_zone: subnet.availability_zone.clone(),
            description: spec.description,
            private_ips: spec.private_ips,
            ipv6_addresses: vec![],
            security_groups: spec.security_groups,
            source_dest_check: spec.source_dest_check,
            attachment: None,
            mac_address: mac_for(eni_id),
            interface_type: spec.interface_type.into(),
            requester_managed: true,
            requester_id: spec.requester_id.map(Into::into),
            auto_public_ip: false,
            tags: Default::default(),
        };
        self.network_interfaces.insert(eni_id.to_string(), interface);
        Ok(())
    }

    fn pick_ipv6(&self, subnet: &Subnet, wanted: &[Ipv6Addr], count: u32) -> Result<Vec<Ipv6Addr>> {
        if wanted.is_empty() && count == 0 {
            return Ok(vec![]);
        }
        let block = subnet.ipv6_cidr_blocks.first().map(|b| b.cidr).ok_or_else(|| {
            Error::invalid_parameter_value(format!(
                "The subnet '{}' has no IPv6 CIDR block.",
                subnet.id
            ))
        })?;
        let used: Vec<Ipv6Addr> = self
            .network_interfaces
            .rows_keyed(&crate::indexes::subnet_key(&subnet.id))
            .flat_map(|e| e.ipv6_addresses.iter().copied())
            .collect();
        let mut out = Vec::new();
        for a in wanted {
            let host = crate::cidr::Ipv6Cidr::new(*a, 128).ok_or_else(|| Error::internal("v6"))?;
            if !block.contains(host) {
                return Err(Error::invalid_parameter_value(format!(
                    "Address {a} does not fall within the subnet's address range"
                )));
            }
            if used.contains(a) || out.contains(a) {
                return Err(Error::new(
                    Ec2::InvalidIPAddressInUse,
                    format!("Address {a} is in use."),
                ));
            }
            out.push(*a);
        }
        let mut n = 4u128;
        while out.len() < wanted.len() + count as usize {
            let a = block.nth(n).ok_or_else(|| {
                Error::new(Ec2::InsufficientFreeAddressesInSubnet, "No free IPv6 addresses.")
            })?;
            if !used.contains(&a) && !out.contains(&a) {
                out.push(a);
            }
            n += 1;
        }
        Ok(out)
    }

    /// DeleteNetworkInterface: refused while attached.
    pub fn delete_network_interface(&mut self, scope: &Scope, id: &str) -> Result<()> {
        let eni = self.network_interfaces.find(&kinds::NETWORK_INTERFACE, scope, id)?;
        if eni.attachment.is_some() {
            return Err(Error::new(
                Ec2::InvalidNetworkInterfaceInUse,
                format!("The network interface '{id}' is currently in use."),
            ));
        }
        if eni.interface_type == "vpc_endpoint" {
            // What AWS answers for an interface endpoint's interface (cloud-nuke#431).
            return Err(Error::invalid_parameter_value(format!(
                "Network interface '{id}' is currently in use."
            )));
        }
        if eni.requester_managed {
            return Err(Error::new(
                Ec2::OperationNotPermitted,
                format!("You are not allowed to manage '{id}' attachments."),
            ));
        }
        self.remove_interface(id);
        Ok(())
    }

    /// Removes an interface: its addresses go back to the subnet, its Elastic IPs are
    /// disassociated.
    pub(crate) fn remove_interface(&mut self, id: &str) {
        let Some(eni) = self.network_interfaces.remove(id) else { return };
        self.drop_flow_logs_of(id);
        for ip in &eni.private_ips {
            self.release_private_ip(&eni.subnet_id, ip.address);
        }
        let eips: Vec<String> =
            self.addresses.keyed(&crate::indexes::interface_key(id)).cloned().collect();
        for eip in eips {
            if let Some(a) = self.addresses.get_mut(&eip) {
                a.association = None;
            }
        }
    }

    /// AttachNetworkInterface: same zone as the instance, a free device index, the instance
    /// running or stopped, the interface not attached elsewhere.
    pub fn attach_network_interface(
        &mut self,
        scope: &Scope,
        eni_id: &str,
        instance_id: &str,
        device_index: i32,
        now: i64,
    ) -> Result<String> {
        let eni = self.network_interfaces.find(&kinds::NETWORK_INTERFACE, scope, eni_id)?;
        let inst = self.instances.find(&kinds::INSTANCE, scope, instance_id)?;
        if !matches!(inst.state, InstanceState::Running | InstanceState::Stopped) {
            return Err(Error::new(
                Ec2::IncorrectInstanceState,
                format!("The instance '{instance_id}' is not in a valid state for this operation."),
            ));
        }
        if eni.attachment.is_some() {
            return Err(Error::new(
                Ec2::InvalidNetworkInterfaceInUse,
                format!("Interface: [{eni_id}] in use."),
            ));
        }
        if !(0..=31).contains(&device_index) {
            return Err(Error::invalid_parameter_value(format!(
                "Value ({device_index}) for parameter deviceIndex is invalid."
            )));
        }
        if eni.availability_zone != inst.availability_zone {
            return Err(Error::invalid_parameter_value(format!(
                "You may not attach a network interface to an instance if they are not in the same availability zone ({} and {}).",
                eni.availability_zone, inst.availability_zone
            )));
        }
        if eni.vpc_id != inst.vpc_id {
            return Err(Error::invalid_parameter_value(format!(
                "The network interface '{eni_id}' and instance '{instance_id}' belong to different networks."
            )));
        }
        let attached = self.interfaces_of(instance_id);
        if attached
            .iter()
            .any(|e| e.attachment.as_ref().is_some_and(|a| a.device_index == device_index))
        {
            return Err(Error::invalid_parameter_value(format!(
                "Instance '{instance_id}' already has an interface attached at device index '{device_index}'."
            )));
        }
        let limit = crate::instance_types::max_interfaces(&inst.instance_type);
        if attached.len() >= limit {
            return Err(Error::new(
                Ec2::AttachmentLimitExceeded,
                format!(
                    "Interface count {} exceeds the limit for {}",
                    attached.len() + 1,
                    inst.instance_type
                ),
            ));
        }
        let attachment_id = self.fresh_id("eni-attach");
        let eni = self.network_interfaces.find_mut(&kinds::NETWORK_INTERFACE, scope, eni_id)?;
        eni.attachment = Some(InterfaceAttachment {
            id: attachment_id.clone(),
            instance_id: instance_id.to_owned(),
            device_index,
            delete_on_termination: false,
            attach_time: now,
        });
        Ok(attachment_id)
    }

    /// The interfaces attached to an instance, by device index.
    pub fn interfaces_of(&self, instance_id: &str) -> Vec<&NetworkInterface> {
        let mut v: Vec<&NetworkInterface> = self
            .network_interfaces
            .rows_keyed(&crate::indexes::instance_key(instance_id))
            .collect();
        v.sort_by_key(|e| e.attachment.as_ref().map_or(0, |a| a.device_index));
        v
    }

    fn interface_by_attachment(&self, scope: &Scope, attachment_id: &str) -> Result<String> {
        self.network_interfaces
            .in_scope(scope)
            .find(|e| e.attachment.as_ref().is_some_and(|a| a.id == attachment_id))
            .map(|e| e.id.clone())
            .ok_or_else(|| {
                Error::new(
                    Ec2::InvalidAttachmentIDNotFound,
                    format!("The network interface attachment ID '{attachment_id}' does not exist"),
                )
            })
    }

    /// DetachNetworkInterface: the primary interface (device index 0) stays.
    pub fn detach_network_interface(&mut self, scope: &Scope, attachment_id: &str) -> Result<()> {
        let id = self.interface_by_attachment(scope, attachment_id)?;
        let eni = self.network_interfaces.find_mut(&kinds::NETWORK_INTERFACE, scope, &id)?;
        if eni.attachment.as_ref().is_some_and(|a| a.device_index == 0) {
            return Err(Error::new(
                Ec2::OperationNotPermitted,
                "The network interface at device index 0 and networkCard index 0 cannot be detached.",
            ));
        }
        eni.attachment = None;
        Ok(())
    }

    /// ModifyNetworkInterfaceAttribute.
    pub fn modify_network_interface(
        &mut self,
        scope: &Scope,
        id: &str,
        change: InterfaceChange,
    ) -> Result<()> {
        let eni = self.network_interfaces.find(&kinds::NETWORK_INTERFACE, scope, id)?;
        let change = match change {
            InterfaceChange::Groups(g) => {
                InterfaceChange::Groups(self.resolve_interface_groups(scope, &eni.vpc_id, &g)?)
            }
            other => other,
        };
        let eni = self.network_interfaces.find_mut(&kinds::NETWORK_INTERFACE, scope, id)?;
        match change {
            InterfaceChange::Groups(g) => eni.security_groups = g,
            InterfaceChange::SourceDestCheck(v) => eni.source_dest_check = v,
            InterfaceChange::Description(d) => eni.description = d,
            InterfaceChange::DeleteOnTermination { attachment_id, value } => {
                match &mut eni.attachment {
                    Some(a) if a.id == attachment_id => a.delete_on_termination = value,
                    _ => {
                        return Err(Error::new(
                            Ec2::InvalidAttachmentIDNotFound,
                            format!(
                                "The network interface attachment ID '{attachment_id}' does not exist"
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// AssignPrivateIpAddresses: the given addresses and/or `count` more. With
    /// `allow_reassignment` an address another interface of the subnet holds (as a secondary)
    /// moves here. Returns the addresses added.
    pub fn assign_private_ips(
        &mut self,
        scope: &Scope,
        id: &str,
        wanted: &[Ipv4Addr],
        count: u32,
        allow_reassignment: bool,
    ) -> Result<Vec<Ipv4Addr>> {
        let eni = self.network_interfaces.find(&kinds::NETWORK_INTERFACE, scope, id)?.clone();
        if wanted.is_empty() && count == 0 {
            return Err(Error::missing_parameter(
                "privateIpAddress or secondaryPrivateIpAddressCount",
            ));
        }
        let total = eni.private_ips.len() + wanted.len() + count as usize;
        if total > MAX_PRIVATE_IPS {
            return Err(Error::new(
                Ec2::PrivateIpAddressLimitExceeded,
                format!(
                    "Number of private addresses ({total}) exceeds limit of {MAX_PRIVATE_IPS}."
                ),
            ));
        }
        let mut added = Vec::new();
        for a in wanted {
            if eni.holds(*a) {
                return Err(Error::invalid_parameter_value(format!(
                    "The address {a} is already assigned to the network interface {id}."
                )));
            }
            let holder = self
                .network_interfaces
                .rows_keyed(&crate::indexes::subnet_key(&eni.subnet_id))
                .find(|e| e.holds(*a))
                .map(|e| (e.id.clone(), e.primary_ip() == Some(*a)));
            if let Some((other, is_primary)) = holder {
                if !allow_reassignment || is_primary {
                    return Err(Error::new(
                        Ec2::InvalidIPAddressInUse,
                        format!("Address {a} is in use."),
                    ));
                }
                self.take_secondary(&other, *a);
            }
            added.push(self.allocate_private_ip(&eni.subnet_id, Some(*a))?);
        }
        for _ in 0..count {
            added.push(self.allocate_private_ip(&eni.subnet_id, None)?);
        }
        let e = self.network_interfaces.find_mut(&kinds::NETWORK_INTERFACE, scope, id)?;
        e.private_ips.extend(added.iter().map(|a| PrivateIp { address: *a, public: None }));
        Ok(added)
    }

    /// Takes a secondary address off an interface, with any Elastic IP mapped to it.
    fn take_secondary(&mut self, eni_id: &str, addr: Ipv4Addr) {
        let subnet = match self.network_interfaces.get_mut(eni_id) {
            Some(e) => {
                e.private_ips.retain(|p| p.address != addr);
                e.subnet_id.clone()
            }
            None => return,
        };
        self.release_private_ip(&subnet, addr);
        let eips: Vec<String> =
            self.addresses.keyed(&crate::indexes::interface_key(eni_id)).cloned().collect();
        for eip in eips {
            if let Some(a) = self.addresses.get_mut(&eip)
                && a.association.as_ref().is_some_and(|x| x.private_ip == addr)
            {
                a.association = None;
            }
        }
    }

    /// UnassignPrivateIpAddresses: secondary addresses the interface holds.
    pub fn unassign_private_ips(
        &mut self,
        scope: &Scope,
        id: &str,
        addrs: &[Ipv4Addr],
    ) -> Result<()> {
        let eni = self.network_interfaces.find(&kinds::NETWORK_INTERFACE, scope, id)?;
        for a in addrs {
            if eni.primary_ip() == Some(*a) {
                return Err(Error::invalid_parameter_value(format!(
                    "The primary private IP address {a} of network interface {id} cannot be unassigned."
                )));
            }
            if !eni.holds(*a) {
                return Err(Error::invalid_parameter_value(format!(
                    "Some of the specified addresses are not assigned to interface {id}"
                )));
            }
        }
        for a in addrs {
            self.take_secondary(id, *a);
        }
        Ok(())
    }
}

impl References for NetworkInterface {
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        each(Reference::new("vpc", &self.vpc_id, "VpcId"));
        each(Reference::new("subnet", &self.subnet_id, "SubnetId"));
        for group in &self.security_groups {
            each(Reference::new("security_group", group, "Groups.GroupId"));
        }
        if let Some(a) = &self.attachment {
            each(Reference::new("instance", &a.instance_id, "Attachment.InstanceId"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn world_with_subnet(cidr: &str) -> (World, Scope, String, String) {
        crate::testkit::world_with_subnet(cidr)
    }

    #[test]
    fn addresses_are_never_reserved_and_come_back_on_delete() {
        let (mut w, scope, vpc, subnet) = world_with_subnet("10.0.1.0/28");
        let mut ips = vec![];
        for _ in 0..11 {
            let id = w
                .create_network_interface(
                    &scope,
                    NewInterface { subnet_id: subnet.clone(), ..Default::default() },
                )
                .unwrap();
            let e = w.network_interfaces.get(&id).unwrap();
            assert_eq!(
                e.security_groups,
                vec![w.vpcs.get(&vpc).unwrap().default_security_group_id.clone()]
            );
            assert_eq!(e.status(), "available");
            ips.push((id, e.primary_ip().unwrap()));
        }
        let reserved: Vec<Ipv4Addr> = ["10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.15"]
            .map(|s| s.parse().unwrap())
            .to_vec();
        assert!(ips.iter().all(|(_, ip)| !reserved.contains(ip)));
        let err = w
            .create_network_interface(
                &scope,
                NewInterface { subnet_id: subnet.clone(), ..Default::default() },
            )
            .unwrap_err();
        assert_eq!(err.code, "InsufficientFreeAddressesInSubnet");
        w.delete_network_interface(&scope, &ips[0].0).unwrap();
        assert_eq!(w.subnets.get(&subnet).unwrap().available_ip_count(), 1);
    }

    #[test]
    fn secondary_addresses_move_only_with_reassignment() {
        let (mut w, scope, _, subnet) = world_with_subnet("10.0.1.0/24");
        let new = |ip: &str| NewInterface {
            subnet_id: subnet.clone(),
            private_ip: Some(ip.parse().unwrap()),
            ..Default::default()
        };
        let a = w.create_network_interface(&scope, new("10.0.1.10")).unwrap();
        let b = w.create_network_interface(&scope, new("10.0.1.11")).unwrap();
        let x: Ipv4Addr = "10.0.1.60".parse().unwrap();
        w.assign_private_ips(&scope, &a, &[x], 0, false).unwrap();
        assert_eq!(
            w.assign_private_ips(&scope, &b, &[x], 0, false).unwrap_err().code,
            "InvalidIPAddress.InUse"
        );
        w.assign_private_ips(&scope, &b, &[x], 0, true).unwrap();
        assert!(!w.network_interfaces.get(&a).unwrap().holds(x));
        assert!(w.network_interfaces.get(&b).unwrap().holds(x));
        // a primary never moves, and cannot be unassigned
        let p: Ipv4Addr = "10.0.1.10".parse().unwrap();
        assert_eq!(
            w.assign_private_ips(&scope, &b, &[p], 0, true).unwrap_err().code,
            "InvalidIPAddress.InUse"
        );
        assert_eq!(
            w.unassign_private_ips(&scope, &a, &[p]).unwrap_err().code,
            "InvalidParameterValue"
        );
        w.unassign_private_ips(&scope, &b, &[x]).unwrap();
        assert!(!w.subnets.get(&subnet).unwrap().used_offsets.contains(&60));
    }

    #[test]
    fn mac_addresses_are_well_formed() {
        let m = mac_for("eni-0123456789abcdef0");
        assert_eq!(m, "02:78:9a:bc:de:f0");
        assert_eq!(mac_for("eni-1").len(), 17);
        assert_eq!(
            private_dns_name(&Scope::new("1", "us-east-1"), "10.0.0.5".parse().unwrap()),
            "ip-10-0-0-5.ec2.internal"
        );
        assert_eq!(
            public_dns_name(&Scope::new("1", "eu-west-1"), "3.80.0.1".parse().unwrap()),
            "ec2-3-80-0-1.eu-west-1.compute.amazonaws.com"
        );
    }
}
