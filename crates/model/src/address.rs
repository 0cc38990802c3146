//! Elastic IP addresses: allocation from vpclab's public pool, association with a private
//! address of a network interface (directly or through an instance's primary interface).
//!
//! The association is stored twice, on purpose: on the [`Address`] (what DescribeAddresses
//! shows) and on the interface's [`PrivateIp::public`] (what the engine translates). Every
//! change here updates both.

use crate::error::{Error, Result};
use crate::kinds;
use crate::references::{Reference, References};
use crate::types::ec2::*;
use crate::world::{Scope, World};
use codes::Ec2;
use std::net::Ipv4Addr;

/// Where AssociateAddress maps an address.
#[derive(Debug, Clone, Default)]
pub struct AssociateTarget {
    pub instance_id: Option<String>,
    pub network_interface_id: Option<String>,
    pub private_ip: Option<Ipv4Addr>,
}

impl World {
    /// AllocateAddress (domain `vpc`).
    pub fn allocate_address(&mut self, scope: &Scope, tags: &[(String, String)]) -> Result<String> {
        crate::tags::validate(tags)?;
        if self.addresses.reaches(scope, self.quotas.elastic_ips_per_region) {
            return Err(Error::quota(
                "elastic_ips_per_region",
                Ec2::AddressLimitExceeded,
                "The maximum number of addresses has been reached.",
            ));
        }
        let public_ip = self.allocate_public_ipv4();
        let id = self.fresh_id("eipalloc");
        self.addresses.insert(
            id.clone(),
            Address {
                allocation_id: id.clone(),
                owner: scope.clone(),
                public_ip,
                network_border_group: scope.region.clone(),
                association: None,
                tags: tags.iter().cloned().collect(),
            },
        );
        Ok(id)
    }

    /// An address by allocation id, to release or associate: another account's is
    /// `AuthFailure` ("does not belong to you"), as AWS answers those two. Reads and other
    /// uses find it with `addresses.find`, as missing.
    pub fn find_address(&self, scope: &Scope, allocation_id: &str) -> Result<&Address> {
        match self.addresses.get(allocation_id) {
            Some(a) if &a.owner == scope => Ok(a),
            Some(a) if a.owner.region == scope.region => Err(Error::new(
                Ec2::AuthFailure,
                format!("The address with allocation id [{allocation_id}] does not belong to you."),
            )),
            _ => Err(kinds::ADDRESS.not_found(allocation_id)),
        }
    }

    /// The allocation id of a public address of the scope.
    pub fn allocation_by_public_ip(&self, scope: &Scope, ip: &str) -> Result<String> {
        self.addresses
            .in_scope(scope)
            .find(|a| a.public_ip.to_string() == ip)
            .map(|a| a.allocation_id.clone())
            .ok_or_else(|| {
                Error::new(Ec2::InvalidAddressNotFound, format!("Address '{ip}' not found."))
            })
    }

    /// ReleaseAddress: refused while associated.
    pub fn release_address(&mut self, scope: &Scope, allocation_id: &str) -> Result<()> {
        let a = self.find_address(scope, allocation_id)?;
        if let Some(assoc) = &a.association {
            // "[Default VPC] Releasing an Elastic IP address automatically disassociates it";
            // elsewhere, and from interfaces AWS manages (a NAT gateway's), it is refused.
            let in_default_vpc = self
                .network_interfaces
                .get(&assoc.network_interface_id)
                .filter(|e| !e.requester_managed)
                .and_then(|e| self.vpcs.get(&e.vpc_id))
                .is_some_and(|v| v.is_default);
            if !in_default_vpc {
                return Err(Error::new(
                    Ec2::InvalidIPAddressInUse,
                    format!("Address {} is in use.", a.public_ip),
                ));
            }
            self.unmap_address(allocation_id);
        }
        self.addresses.remove(allocation_id);
        Ok(())
    }

    /// AssociateAddress. Returns the new association id.
    pub fn associate_address(
        &mut self,
        scope: &Scope,
        allocation_id: &str,
        target: AssociateTarget,
        allow_reassociation: bool,
    ) -> Result<String> {
        let address = self.find_address(scope, allocation_id)?.clone();
        let eni_id = match (&target.instance_id, &target.network_interface_id) {
            (_, Some(eni)) => {
                let e = self.network_interfaces.find(&kinds::NETWORK_INTERFACE, scope, eni)?;
                if let Some(i) = &target.instance_id
                    && e.attachment.as_ref().is_none_or(|a| &a.instance_id != i)
                {
                    return Err(Error::invalid_parameter_value(format!(
                        "The network interface '{eni}' is not attached to instance '{i}'."
                    )));
                }
                eni.clone()
            }
            (Some(i), None) => {
                let inst = self.instances.find(&kinds::INSTANCE, scope, i)?;
                if !matches!(inst.state, InstanceState::Running | InstanceState::Stopped) {
                    return Err(Error::new(
                        Ec2::IncorrectInstanceState,
                        format!("The instance '{i}' is not in a valid state for this operation."),
                    ));
                }
                let nics = self.interfaces_of(i);
                if nics.len() > 1 {
                    return Err(Error::new(
                        Ec2::InvalidInstanceID,
                        format!(
                            "There are multiple interfaces attached to instance '{i}'. Please specify an interface ID for the operation instead."
                        ),
                    ));
                }
                nics.first().map(|e| e.id.clone()).ok_or_else(|| {
                    Error::new(
                        Ec2::InvalidInstanceID,
                        format!("The instance '{i}' has no network interface."),
                    )
                })?
            }
            (None, None) => {
                return Err(Error::missing_parameter("instanceId or networkInterfaceId"));
            }
        };
        let eni = self
            .network_interfaces
            .get(&eni_id)
            .ok_or_else(|| kinds::NETWORK_INTERFACE.not_found(&eni_id))?
            .clone();
        let private_ip = match target.private_ip {
            Some(ip) if eni.holds(ip) => ip,
            Some(ip) => {
                return Err(Error::invalid_parameter_value(format!(
                    "The private IP address {ip} is not associated with the network interface {eni_id}."
                )));
            }
            None => eni.primary_ip().ok_or_else(|| Error::internal("interface without address"))?,
        };
        if self.internet_gateways.count_keyed(&crate::indexes::vpc_key(&eni.vpc_id)) == 0 {
            return Err(Error::new(
                Ec2::GatewayNotAttached,
                format!("Network {} is not attached to any internet gateway", eni.vpc_id),
            ));
        }
        if let Some(current) = &address.association {
            let same = current.network_interface_id == eni_id && current.private_ip == private_ip;
            if !allow_reassociation && !same {
                return Err(Error::new(
                    Ec2::ResourceAlreadyAssociated,
                    format!(
                        "resource {allocation_id} is already associated with associate-id {}",
                        current.association_id
                    ),
                ));
            }
        }
        // The target address may hold another Elastic IP.
        let occupant = eni
            .private_ips
            .iter()
            .find(|p| p.address == private_ip)
            .and_then(|p| p.public.as_ref())
            .and_then(|p| p.allocation_id.clone())
            .filter(|other| other != allocation_id);
        if let Some(other) = occupant {
            if !allow_reassociation {
                return Err(Error::new(
                    Ec2::ResourceAlreadyAssociated,
                    format!(
                        "The private IP address {private_ip} of {eni_id} already has an Elastic IP address associated ({other})."
                    ),
                ));
            }
            if let Some(o) = self.addresses.get_mut(&other) {
                o.association = None;
            }
        }
        self.unmap_address(allocation_id);
        let association_id = self.fresh_id("eipassoc");
        if let Some(a) = self.addresses.get_mut(allocation_id) {
            a.association = Some(AddressAssociation {
                association_id: association_id.clone(),
                network_interface_id: eni_id.clone(),
                private_ip,
            });
        }
        if let Some(e) = self.network_interfaces.get_mut(&eni_id)
            && let Some(p) = e.private_ips.iter_mut().find(|p| p.address == private_ip)
        {
            p.public = Some(PublicIp {
                address: address.public_ip,
                allocation_id: Some(allocation_id.to_owned()),
            });
        }
        Ok(association_id)
    }

    /// Removes an Elastic IP from the private address it is mapped to, handing that address
    /// back its AWS-assigned public address if its interface should have one.
    fn unmap_address(&mut self, allocation_id: &str) {
        let Some(assoc) = self.addresses.get(allocation_id).and_then(|a| a.association.clone())
        else {
            return;
        };
        if let Some(a) = self.addresses.get_mut(allocation_id) {
            a.association = None;
        }
        let wants_auto =
            self.network_interfaces.get(&assoc.network_interface_id).is_some_and(|e| {
                e.auto_public_ip
                    && e.primary_ip() == Some(assoc.private_ip)
                    && e.attachment.as_ref().is_some_and(|a| {
                        self.instances
                            .get(&a.instance_id)
                            .is_some_and(|i| i.state == InstanceState::Running)
                    })
            });
        let fresh = wants_auto.then(|| self.allocate_public_ipv4());
        if let Some(e) = self.network_interfaces.get_mut(&assoc.network_interface_id)
            && let Some(p) = e.private_ips.iter_mut().find(|p| p.address == assoc.private_ip)
            && p.public.as_ref().and_then(|x| x.allocation_id.as_deref()) == Some(allocation_id)
        {
            p.public = fresh.map(|address| PublicIp { address, allocation_id: None });
        }
    }

    /// DisassociateAddress.
    pub fn disassociate_address(&mut self, scope: &Scope, association_id: &str) -> Result<()> {
        let allocation = self
            .addresses
            .in_scope(scope)
            .find(|a| a.association.as_ref().is_some_and(|x| x.association_id == association_id))
            .map(|a| a.allocation_id.clone())
            .ok_or_else(|| {
                Error::new(
                    Ec2::InvalidAssociationIDNotFound,
                    format!("The association ID '{association_id}' does not exist"),
                )
            })?;
        self.unmap_address(&allocation);
        Ok(())
    }

    /// The instance an address is mapped to, through its interface's attachment.
    pub fn address_instance(&self, a: &Address) -> Option<String> {
        let assoc = a.association.as_ref()?;
        let eni = self.network_interfaces.get(&assoc.network_interface_id)?;
        eni.attachment.as_ref().map(|x| x.instance_id.clone())
    }
}

impl References for Address {
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        if let Some(a) = &self.association {
            each(Reference::new(
                "network_interface",
                &a.network_interface_id,
                "NetworkInterfaceId",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ec2::eni::NewInterface;

    #[test]
    fn associate_needs_a_gateway_and_respects_reassociation() {
        let (mut w, scope, vpc, subnet) = crate::testkit::world_with_subnet("10.0.1.0/24");
        let new = || NewInterface { subnet_id: subnet.clone(), ..Default::default() };
        let e1 = w.create_network_interface(&scope, new()).unwrap();
        let e2 = w.create_network_interface(&scope, new()).unwrap();
        let a = w.allocate_address(&scope, &[]).unwrap();
        let to = |e: &str| AssociateTarget {
            network_interface_id: Some(e.into()),
            ..Default::default()
        };
        assert_eq!(
            w.associate_address(&scope, &a, to(&e1), false).unwrap_err().code,
            "Gateway.NotAttached"
        );
        let igw = w.create_internet_gateway_internal(&scope, &[]);
        w.attach_internet_gateway(&scope, &igw, &vpc).unwrap();
        let first = w.associate_address(&scope, &a, to(&e1), false).unwrap();
        assert_eq!(w.release_address(&scope, &a).unwrap_err().code, "InvalidIPAddress.InUse");
        assert_eq!(
            w.associate_address(&scope, &a, to(&e2), false).unwrap_err().code,
            "Resource.AlreadyAssociated"
        );
        let second = w.associate_address(&scope, &a, to(&e2), true).unwrap();
        assert_ne!(first, second);
        assert!(w.network_interfaces.get(&e1).unwrap().public_ip().is_none());
        let ip = w.addresses.get(&a).unwrap().public_ip;
        assert_eq!(w.network_interfaces.get(&e2).unwrap().public_ip(), Some(ip));
        assert_eq!(
            w.disassociate_address(&scope, &first).unwrap_err().code,
            "InvalidAssociationID.NotFound"
        );
        // deleting the interface disassociates the address
        w.delete_network_interface(&scope, &e2).unwrap();
        assert!(w.addresses.get(&a).unwrap().association.is_none());
        w.release_address(&scope, &a).unwrap();
        assert_eq!(w.release_address(&scope, &a).unwrap_err().code, "InvalidAllocationID.NotFound");
    }

    #[test]
    fn address_quota() {
        let mut w = World::default();
        let scope = Scope::new("123456789012", "us-east-1");
        for _ in 0..5 {
            w.allocate_address(&scope, &[]).unwrap();
        }
        assert_eq!(w.allocate_address(&scope, &[]).unwrap_err().code, "AddressLimitExceeded");
    }
}
