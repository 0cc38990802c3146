//! Subnets and the private addresses allocated from them.

use crate::cidr::{Cidr, Ipv4Cidr, Ipv6Cidr};
use crate::error::{Error, Result};
use crate::kinds;
use crate::references::{Reference, References};
use crate::types::ec2::*;
use crate::world::{Scope, World};
use codes::Ec2;
use std::net::Ipv4Addr;

/// Subnet attributes settable with ModifySubnetAttribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubnetAttribute {
    MapPublicIpOnLaunch(bool),
    AssignIpv6AddressOnCreation(bool),
    EnableDns64(bool),
    HostnameType(String),
    EnableResourceNameDnsARecord(bool),
    EnableResourceNameDnsAaaaRecord(bool),
}

impl World {
    /// CreateSubnet with an IPv4 block: /16 to /28 inside one of the VPC's blocks, overlapping
    /// no other subnet. `zone` is a zone name or zone id; without one, a zone is picked.
    pub fn create_subnet(
        &mut self,
        scope: &Scope,
        vpc_id: &str,
        cidr: &str,
        zone: Option<&str>,
        ipv6_cidr: Option<&str>,
        tags: &[(String, String)],
    ) -> Result<String> {
        self.create_subnet_with(scope, vpc_id, Some(cidr), zone, ipv6_cidr, tags)
    }

    /// CreateSubnet; without an IPv4 block (`cidr` None) an IPv6-only subnet, which needs an
    /// IPv6 block.
    pub fn create_subnet_with(
        &mut self,
        scope: &Scope,
        vpc_id: &str,
        cidr: Option<&str>,
        zone: Option<&str>,
        ipv6_cidr: Option<&str>,
        tags: &[(String, String)],
    ) -> Result<String> {
        crate::tags::validate(tags)?;
        let vpc = self.vpcs.find(&kinds::VPC, scope, vpc_id)?;
        let block = match cidr {
            Some(cidr) => Some(self.check_subnet_ipv4(vpc, cidr)?),
            None if ipv6_cidr.is_none() => return Err(Error::missing_parameter("CidrBlock")),
            None => None,
        };
        let in_vpc = self.subnets.count_keyed(&crate::indexes::vpc_key(vpc_id));
        if in_vpc >= self.quotas.subnets_per_vpc {
            return Err(Error::quota(
                "subnets_per_vpc",
                Ec2::SubnetLimitExceeded,
                "The maximum number of subnets has been reached.",
            ));
        }
        let region = scope.region()?;
        let zone = match zone {
            Some(z) => region.zone(z).ok_or_else(|| {
                Error::invalid_parameter_value(format!(
                    "Value ({z}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: {}.",
                    region.zones().iter().map(|z| z.name.clone()).collect::<Vec<_>>().join(", ")
                ))
            })?,
            None => {
                let zones = region.zones();
                zones.get(in_vpc % zones.len().max(1)).cloned().ok_or_else(|| Error::internal("region without zones"))?
            }
        };
        let mut ipv6_blocks = vec![];
        if let Some(v6) = ipv6_cidr {
            ipv6_blocks.push(SubnetIpv6CidrBlock {
                association_id: self.fresh_id("subnet-cidr-assoc"),
                cidr: self.check_subnet_ipv6(vpc_id, v6, None)?,
            });
        }
        let id = self.fresh_id("subnet");
        let default_acl = vpc.default_network_acl_id.clone();
        // Every subnet is associated with exactly one network ACL: the default, to begin with.
        let network_acl_association = self.network_acls.contains(&default_acl).then(|| {
            SubnetAclAssociation { id: self.fresh_id("aclassoc"), network_acl_id: default_acl }
        });
        self.subnets.insert(
            id.clone(),
            Subnet {
                id: id.clone(),
                owner: scope.clone(),
                vpc_id: vpc_id.to_owned(),
                cidr: block,
                availability_zone: zone.name,
                availability_zone_id: zone.id,
                ipv6_cidr_blocks: ipv6_blocks,
                map_public_ip_on_launch: false,
                // An IPv6-only subnet assigns IPv6 addresses and names hosts by resource, as
                // AWS creates one.
                assign_ipv6_address_on_creation: block.is_none(),
                default_for_az: false,
                enable_dns64: false,
                hostname_type: if block.is_none() { "resource-name" } else { "ip-name" }.into(),
                enable_resource_name_dns_a_record: false,
                enable_resource_name_dns_aaaa_record: false,
                used_offsets: Default::default(),
                tags: tags.iter().cloned().collect(),
                cidr_reservations: Vec::new(),
                network_acl_association,
            },
        );
        self.sync_acl_list(&id, None);
        Ok(id)
    }

    /// An IPv4 block /16–/28 inside one of the VPC's blocks that no other subnet of it uses.
    fn check_subnet_ipv4(&self, vpc: &Vpc, cidr: &str) -> Result<Ipv4Cidr> {
        let block = Ipv4Cidr::parse(cidr, false).ok_or_else(|| {
            Error::invalid_parameter_value(format!(
                "Value ({cidr}) for parameter cidrBlock is invalid. This is not a valid CIDR block."
            ))
        })?;
        if !(16..=28).contains(&block.prefix_len()) || !vpc.contains_v4(block) {
            return Err(Error::new(
                Ec2::InvalidSubnetRange,
                format!("The CIDR '{cidr}' is invalid."),
            ));
        }
        // The VPC's blocks are disjoint, so only the one starting last at or before the new
        // block's end can overlap it.
        let from = crate::indexes::subnet_block_key(&vpc.id, 0);
        let to = crate::indexes::subnet_block_key(&vpc.id, block.last());
        let before_end = self.subnets.last_key_in(&from, &to).map(|(_, ids)| ids);
        let taken = before_end.into_iter().flatten().filter_map(|id| self.subnets.get(id));
        if taken.filter_map(|s| s.cidr).any(|c| c.overlaps(block)) {
            return Err(Error::new(
                Ec2::InvalidSubnetConflict,
                format!("The CIDR '{cidr}' conflicts with another subnet"),
            ));
        }
        Ok(block)
    }

    /// A /44–/64 inside the VPC's IPv6 block that no other subnet of the VPC uses.
    fn check_subnet_ipv6(
        &self,
        vpc_id: &str,
        cidr: &str,
        except_subnet: Option<&str>,
    ) -> Result<Ipv6Cidr> {
        let block = Ipv6Cidr::parse(cidr, false)
            .ok_or_else(|| Error::invalid_parameter_value(format!("Value ({cidr}) for parameter ipv6CidrBlock is invalid. This is not a valid IPv6 CIDR block.")))?;
        let vpc = self.vpcs.get(vpc_id).ok_or_else(|| kinds::VPC.not_found(vpc_id))?;
        // AWS's VPC guide, "Subnet sizing for IPv6": /44 to /64 in steps of 4 (so a subnet
        // may take a whole /56 of its VPC, as moto's AWS-verified Ipv6Native test does).
        let size_ok = (44..=64).contains(&block.prefix_len()) && block.prefix_len() % 4 == 0;
        if !size_ok || !vpc.contains_v6(block) {
            return Err(Error::new(
                Ec2::InvalidSubnetRange,
                format!("The IPv6 CIDR '{cidr}' is invalid."),
            ));
        }
        if self.subnets.rows_keyed(&crate::indexes::vpc_key(vpc_id)).any(|s| {
            Some(s.id.as_str()) != except_subnet
                && s.ipv6_cidr_blocks.iter().any(|b| b.cidr.overlaps(block))
        }) {
            return Err(Error::new(
                Ec2::InvalidSubnetConflict,
                format!("The IPv6 CIDR '{cidr}' conflicts with another subnet"),
            ));
        }
        Ok(block)
    }

    /// DeleteSubnet: refused while network interfaces remain in it.
    pub fn delete_subnet(&mut self, scope: &Scope, id: &str) -> Result<()> {
        self.subnets.find(&kinds::SUBNET, scope, id)?;
        if self.network_interfaces.count_keyed(&crate::indexes::subnet_key(id)) > 0 {
            return Err(Error::dependency_violation(format!(
                "The subnet '{id}' has dependencies and cannot be deleted."
            )));
        }
        let removed = self.subnets.remove(id);
        self.drop_flow_logs_of(id);
        let acl = removed.and_then(|s| s.network_acl_association).map(|a| a.network_acl_id);
        self.sync_acl_list(id, acl);
        let target = AssociationTarget::Subnet(id.to_owned());
        let key = crate::indexes::association_target_key("", &target);
        let tables: Vec<String> = self.route_tables.keyed(&key).cloned().collect();
        for table in tables {
            if let Some(t) = self.route_tables.get_mut(&table) {
                t.associations.retain(|x| x.target != target);
            }
        }
        Ok(())
    }

    pub fn modify_subnet_attribute(
        &mut self,
        scope: &Scope,
        id: &str,
        attribute: SubnetAttribute,
    ) -> Result<()> {
        let subnet = self.subnets.find_mut(&kinds::SUBNET, scope, id)?;
        match attribute {
            SubnetAttribute::MapPublicIpOnLaunch(v) => subnet.map_public_ip_on_launch = v,
            SubnetAttribute::AssignIpv6AddressOnCreation(v) => {
                if v && subnet.ipv6_cidr_blocks.is_empty() {
                    // AWS's words (quoted from AWS in terraform-aws-modules/terraform-aws-vpc#735).
                    return Err(Error::invalid_parameter_value(format!(
                        "Invalid value 'true' for assign-ipv6-address-on-creation. Cannot set assign-ipv6-address-on-creation to true unless the subnet ({id}) has an IPv6 CIDR block associated with it."
                    )));
                }
                subnet.assign_ipv6_address_on_creation = v
            }
            SubnetAttribute::EnableDns64(v) => subnet.enable_dns64 = v,
            SubnetAttribute::HostnameType(t) => {
                if t != "ip-name" && t != "resource-name" {
                    return Err(Error::invalid_parameter_value(format!(
                        "Value ({t}) for parameter PrivateDnsHostnameTypeOnLaunch is invalid."
                    )));
                }
                subnet.hostname_type = t
            }
            SubnetAttribute::EnableResourceNameDnsARecord(v) => {
                subnet.enable_resource_name_dns_a_record = v
            }
            SubnetAttribute::EnableResourceNameDnsAaaaRecord(v) => {
                subnet.enable_resource_name_dns_aaaa_record = v
            }
        }
        Ok(())
    }

    /// AssociateSubnetCidrBlock (IPv6 /64).
    pub fn associate_subnet_ipv6_block(
        &mut self,
        scope: &Scope,
        id: &str,
        cidr: &str,
    ) -> Result<(String, Ipv6Cidr)> {
        let subnet = self.subnets.find(&kinds::SUBNET, scope, id)?;
        if !subnet.ipv6_cidr_blocks.is_empty() {
            return Err(Error::new(
                Ec2::CidrLimitExceeded,
                format!("This network {id} has met its maximum number of allowed CIDRs: 1"),
            ));
        }
        let block = self.check_subnet_ipv6(&subnet.vpc_id.clone(), cidr, Some(id))?;
        let association_id = self.fresh_id("subnet-cidr-assoc");
        self.subnets
            .find_mut(&kinds::SUBNET, scope, id)?
            .ipv6_cidr_blocks
            .push(SubnetIpv6CidrBlock { association_id: association_id.clone(), cidr: block });
        Ok((association_id, block))
    }

    /// DisassociateSubnetCidrBlock. Returns the subnet id and the block.
    pub fn disassociate_subnet_ipv6_block(
        &mut self,
        scope: &Scope,
        association_id: &str,
    ) -> Result<(String, Ipv6Cidr)> {
        let subnet = self
            .subnets
            .in_scope(scope)
            .find(|s| s.ipv6_cidr_blocks.iter().any(|b| b.association_id == association_id))
            .ok_or_else(|| Error::new(Ec2::InvalidSubnetCidrBlockAssociationIDNotFound, format!("The subnet CIDR block with association ID '{association_id}' does not exist")))?
            .clone();
        if self
            .network_interfaces
            .values()
            .any(|e| e.subnet_id == subnet.id && !e.ipv6_addresses.is_empty())
        {
            return Err(Error::new(
                Ec2::InvalidCidrBlockInUse,
                "The IPv6 CIDR block is in use by network interfaces.",
            ));
        }
        let block = subnet
            .ipv6_cidr_blocks
            .iter()
            .find(|b| b.association_id == association_id)
            .map(|b| b.cidr)
            .ok_or_else(|| Error::internal("block vanished"))?;
        let s = self.subnets.find_mut(&kinds::SUBNET, scope, &subnet.id)?;
        s.ipv6_cidr_blocks.retain(|b| b.association_id != association_id);
        s.assign_ipv6_address_on_creation = false;
        Ok((subnet.id, block))
    }

    /// Takes a private address of the subnet: `wanted` if free, else the lowest free one.
    pub fn allocate_private_ip(
        &mut self,
        subnet_id: &str,
        wanted: Option<Ipv4Addr>,
    ) -> Result<Ipv4Addr> {
        let subnet =
            self.subnets.get_mut(subnet_id).ok_or_else(|| kinds::SUBNET.not_found(subnet_id))?;
        let cidr = subnet.cidr.ok_or_else(|| ipv6_only_has_no_ipv4(subnet_id))?;
        let offset = match wanted {
            Some(addr) => {
                let offset = cidr.offset_of(addr).ok_or_else(|| {
                    Error::invalid_parameter_value(format!(
                        "Address {addr} does not fall within the subnet's address range"
                    ))
                })?;
                if subnet.is_reserved_offset(offset) {
                    return Err(Error::invalid_parameter_value(format!(
                        "Address {addr} is in subnet's reserved address range"
                    )));
                }
                if subnet.used_offsets.contains(&(offset as u32)) {
                    return Err(Error::new(
                        Ec2::InvalidIPAddressInUse,
                        format!("Address {addr} is in use."),
                    ));
                }
                offset
            }
            None => (4..cidr.size().saturating_sub(1))
                .find(|o| {
                    !subnet.used_offsets.contains(&(*o as u32)) && !subnet.reserves_offset(*o)
                })
                .ok_or_else(|| {
                    Error::new(
                        Ec2::InsufficientFreeAddressesInSubnet,
                        format!("Insufficient Free IP Addresses in subnet {subnet_id}."),
                    )
                })?,
        };
        subnet.used_offsets.insert(offset as u32);
        cidr.nth(offset).ok_or_else(|| Error::internal("offset outside subnet"))
    }

    /// Gives a private address back to its subnet.
    pub fn release_private_ip(&mut self, subnet_id: &str, addr: Ipv4Addr) {
        if let Some(subnet) = self.subnets.get_mut(subnet_id)
            && let Some(offset) = subnet.cidr.and_then(|c| c.offset_of(addr))
        {
            subnet.used_offsets.remove(&(offset as u32));
        }
    }
}

/// What CreateSubnetCidrReservation asks for.
#[derive(Debug, Clone, Default)]
pub struct NewCidrReservation {
    pub cidr: String,
    pub reservation_type: String,
    pub description: Option<String>,
    pub tags: Vec<(String, String)>,
}

impl World {
    /// CreateSubnetCidrReservation: an IPv4 block inside the subnet's block, or an IPv6 one
    /// inside one of its IPv6 blocks, overlapping no other reservation.
    pub fn create_subnet_cidr_reservation(
        &mut self,
        scope: &Scope,
        subnet_id: &str,
        req: NewCidrReservation,
    ) -> Result<SubnetCidrReservation> {
        crate::tags::validate(&req.tags)?;
        let subnet = self.subnets.find(&kinds::SUBNET, scope, subnet_id)?;
        if !matches!(req.reservation_type.as_str(), "prefix" | "explicit") {
            return Err(Error::invalid_parameter_value(format!(
                "Value ({}) for parameter reservationType is invalid. Valid values: prefix, explicit",
                req.reservation_type
            )));
        }
        let text = &req.cidr;
        let cidr = if let Some(v4) = Ipv4Cidr::parse(text, false) {
            if !subnet.cidr.is_some_and(|b| b.contains(v4)) {
                let shown = subnet.cidr.map(|b| b.to_string()).unwrap_or_default();
                return Err(Error::invalid_parameter_value(format!(
                    "Reservation CIDR should be within subnet CIDR block ({shown})"
                )));
            }
            Cidr::V4(v4)
        } else if let Some(v6) = Ipv6Cidr::parse(text, false) {
            if !subnet.ipv6_cidr_blocks.iter().any(|b| b.cidr.contains(v6)) {
                let blocks: Vec<String> =
                    subnet.ipv6_cidr_blocks.iter().map(|b| b.cidr.to_string()).collect();
                return Err(Error::invalid_parameter_value(format!(
                    "Reservation CIDR should be within subnet CIDR block ({})",
                    blocks.join(", ")
                )));
            }
            Cidr::V6(v6)
        } else {
            return Err(Error::invalid_parameter_value(format!(
                "Value ({text}) for parameter cidr is invalid. This is not a valid CIDR block."
            )));
        };
        if subnet.cidr_reservations.iter().any(|r| overlap(r.cidr, cidr)) {
            return Err(Error::invalid_parameter_value(format!(
                "Reservation CIDR {text} has overlap with existing reserved CIDR block"
            )));
        }
        let reservation = SubnetCidrReservation {
            id: self.fresh_id("scr"),
            cidr,
            reservation_type: req.reservation_type,
            description: req.description,
            tags: req.tags.into_iter().collect(),
        };
        self.subnets
            .find_mut(&kinds::SUBNET, scope, subnet_id)?
            .cidr_reservations
            .push(reservation.clone());
        Ok(reservation)
    }

    /// DeleteSubnetCidrReservation. Returns the subnet and the reservation removed.
    pub fn delete_subnet_cidr_reservation(
        &mut self,
        scope: &Scope,
        id: &str,
    ) -> Result<(String, SubnetCidrReservation)> {
        let not_found = || {
            Error::new(
                Ec2::InvalidSubnetCidrReservationIDNotFound,
                format!("The subnet-cidr-reservation ID '{id}' does not exist"),
            )
        };
        let subnet_id = self
            .subnets
            .in_scope(scope)
            .find(|s| s.cidr_reservations.iter().any(|r| r.id == id))
            .map(|s| s.id.clone())
            .ok_or_else(not_found)?;
        let subnet = self.subnets.find_mut(&kinds::SUBNET, scope, &subnet_id)?;
        let pos = subnet.cidr_reservations.iter().position(|r| r.id == id).ok_or_else(not_found)?;
        Ok((subnet_id, subnet.cidr_reservations.remove(pos)))
    }
}

/// vpclab places no interface in an IPv6-only subnet: interfaces there would hold no IPv4
/// address, which the engine does not model yet.
fn ipv6_only_has_no_ipv4(subnet_id: &str) -> Error {
    Error::invalid_parameter_value(format!(
        "Subnet {subnet_id} is IPv6-only; vpclab does not place network interfaces in IPv6-only subnets yet."
    ))
}

fn overlap(a: Cidr, b: Cidr) -> bool {
    match (a, b) {
        (Cidr::V4(a), Cidr::V4(b)) => a.overlaps(b),
        (Cidr::V6(a), Cidr::V6(b)) => a.overlaps(b),
        _ => false,
    }
}

impl References for Subnet {
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        each(Reference::new("vpc", &self.vpc_id, "VpcId"));
        if let Some(a) = &self.network_acl_association {
            each(Reference::new("network_acl", &a.network_acl_id, "NetworkAclAssociation"));
        }
    }
}
