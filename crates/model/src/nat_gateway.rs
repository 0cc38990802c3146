//! NAT gateways: public (each address mapped to an Elastic IP) and private, each one
//! requester-managed interface in one subnet holding the gateway's private addresses.
//!
//! vpclab makes a gateway `available` at once (AWS takes minutes; clients wait for
//! `available` and find it). DeleteNatGateway removes the interface and frees the Elastic IPs
//! at once; the gateway stays listed as `deleted` for [`DELETED_RETENTION_MS`], as on AWS.

use crate::error::{Error, Result};
use crate::kinds;
use crate::references::{Reference, References};
use crate::types::ec2::eni::ManagedInterface;
pub use crate::types::ec2::nat_gateway::*;
use crate::types::ec2::*;
use crate::world::{Scope, World};
use codes::Ec2;
use std::net::Ipv4Addr;

/// How long a deleted gateway is still listed (AWS: about an hour).
pub const DELETED_RETENTION_MS: i64 = 60 * 60 * 1000;

/// Elastic IPs one public gateway may hold, the primary included (AWS's default quota).
pub const MAX_ELASTIC_IPS: usize = 2;

/// Private addresses one gateway may hold, the primary included.
pub const MAX_PRIVATE_IPS: usize = 32;

/// The interface description AWS gives a gateway's interface.
pub fn interface_description(id: &str) -> String {
    format!("Interface for NAT Gateway {id}")
}

/// The Elastic IPs of a new gateway: a public one needs one (plus secondaries), a private one
/// takes none.
fn nat_allocations(req: &NewNatGateway, public: bool) -> Result<Vec<String>> {
    let mut allocations: Vec<String> = Vec::new();
    if public {
        let primary =
            req.allocation_id.clone().ok_or_else(|| Error::missing_parameter("AllocationId"))?;
        allocations.push(primary);
        allocations.extend(req.secondary_allocation_ids.iter().cloned());
        if req.secondary_private_ip_count.is_some() {
            return Err(Error::invalid_combination(
                "SecondaryPrivateIpAddressCount is supported only for private NAT gateways.",
            ));
        }
        if !req.secondary_private_ips.is_empty()
            && req.secondary_private_ips.len() != req.secondary_allocation_ids.len()
        {
            return Err(Error::invalid_parameter_value(
                "The number of SecondaryPrivateIpAddresses must match the number of SecondaryAllocationIds.",
            ));
        }
    } else {
        if req.allocation_id.is_some() || !req.secondary_allocation_ids.is_empty() {
            return Err(Error::invalid_combination(
                "You cannot specify an Elastic IP address with a private NAT gateway.",
            ));
        }
        if req.secondary_private_ip_count.is_some() && !req.secondary_private_ips.is_empty() {
            return Err(Error::invalid_combination(
                "The parameter SecondaryPrivateIpAddressCount cannot be used with the parameter SecondaryPrivateIpAddresses",
            ));
        }
    }
    if allocations.len() > MAX_ELASTIC_IPS {
        return Err(Error::new(
            Ec2::NatGatewayLimitExceeded,
            format!(
                "The maximum number of Elastic IP addresses per NAT gateway ({MAX_ELASTIC_IPS}) has been reached."
            ),
        ));
    }
    Ok(allocations)
}

/// How many secondary private addresses a new gateway takes: one per secondary Elastic IP
/// (public), or those named plus those counted (private); at most MAX_PRIVATE_IPS in all.
fn nat_secondary_addresses(req: &NewNatGateway, public: bool, allocations: usize) -> Result<usize> {
    let count = match req.secondary_private_ip_count {
        Some(n) if !(1..=31).contains(&n) => {
            return Err(Error::invalid_parameter_value(format!(
                "Value ({n}) for parameter secondaryPrivateIpAddressCount is invalid. Valid values: 1-31"
            )));
        }
        Some(n) => n as usize,
        None => 0,
    };
    let secondaries =
        if public { allocations - 1 } else { req.secondary_private_ips.len() + count };
    if 1 + secondaries > MAX_PRIVATE_IPS {
        return Err(Error::invalid_parameter_value(format!(
            "A NAT gateway can have at most {MAX_PRIVATE_IPS} private IPv4 addresses."
        )));
    }
    Ok(secondaries)
}

impl World {
    /// A NAT gateway of the scope that has not been deleted.
    pub fn find_nat_gateway(&self, scope: &Scope, id: &str) -> Result<&NatGateway> {
        self.nat_gateways
            .get(id)
            .filter(|n| &n.owner == scope)
            .ok_or_else(|| kinds::nat_gateway_not_found(id))
    }

    /// The gateway a requester-managed interface belongs to.
    pub fn nat_gateway_of_interface(&self, eni_id: &str) -> Option<&NatGateway> {
        self.nat_gateways.values().find(|n| n.network_interface_id == eni_id && n.state.is_live())
    }

    /// Gateways listed still: live ones, and deleted ones for an hour.
    pub fn listed_nat_gateways<'a>(
        &'a self,
        scope: &'a Scope,
        now: i64,
    ) -> impl Iterator<Item = &'a NatGateway> + 'a {
        self.nat_gateways.in_scope(scope).filter(move |n| {
            n.delete_time.is_none_or(|t| now.saturating_sub(t) < DELETED_RETENTION_MS)
        })
    }

    /// CreateNatGateway. Returns the gateway id (an existing one for a repeated client token).
    pub fn create_nat_gateway(
        &mut self,
        scope: &Scope,
        req: NewNatGateway,
        now: i64,
    ) -> Result<String> {
        crate::tags::validate(&req.tags)?;
        if let Some(token) = &req.client_token
            && let Some(existing) =
                self.nat_gateways.in_scope(scope).find(|n| n.client_token.as_ref() == Some(token))
        {
            if existing.subnet_id != req.subnet_id {
                return Err(Error::new(
                    Ec2::IdempotentParameterMismatch,
                    "The client token you have provided is associated with a resource that is already deleted or was created with different parameters.",
                ));
            }
            return Ok(existing.id.clone());
        }
        let subnet = self.subnets.find(&kinds::SUBNET, scope, &req.subnet_id)?.clone();
        let connectivity = req.connectivity_type.clone().unwrap_or_else(|| "public".into());
        let public = match connectivity.as_str() {
            "public" => true,
            "private" => false,
            other => {
                return Err(Error::invalid_parameter_value(format!(
                    "Value ({other}) for parameter connectivityType is invalid. Valid values: public, private"
                )));
            }
        };
        let allocations = nat_allocations(&req, public)?;
        let secondaries = nat_secondary_addresses(&req, public, allocations.len())?;
        for (i, id) in allocations.iter().enumerate() {
            let a = self.addresses.find(&kinds::ADDRESS, scope, id)?;
            if a.association.is_some() || allocations.iter().take(i).any(|x| x == id) {
                return Err(Error::new(
                    Ec2::ResourceAlreadyAssociated,
                    format!("Elastic IP address [{id}] is already associated"),
                ));
            }
        }
        if public
            && self.internet_gateways.count_keyed(&crate::indexes::vpc_key(&subnet.vpc_id)) == 0
        {
            // AWS accepts the call (`pending`) and the gateway then fails, holding no interface
            // and no address; it is listed as `failed` for about an hour, like a deleted one.
            let failure = format!("Network {} has no Internet gateway attached", subnet.vpc_id);
            return Ok(self.insert_failed_nat_gateway(
                scope,
                &subnet,
                connectivity,
                req,
                failure,
                now,
            ));
        }
        self.check_nat_gateway_quotas(scope, &subnet)?;
        self.purge_deleted_nat_gateways(now);
        // Addresses: explicit ones first, so an automatic pick cannot take one of them.
        let mut taken: Vec<Ipv4Addr> = Vec::new();
        let result = self.take_nat_addresses(&subnet.id, &req, secondaries, &mut taken);
        let private_ips = match result {
            Ok(ips) => ips,
            Err(e) => {
                for ip in taken {
                    self.release_private_ip(&subnet.id, ip);
                }
                return Err(e);
            }
        };
        let id = self.fresh_id("nat");
        let eni_id = self.fresh_id("eni");
        let (addresses, eni_ips) =
            self.associate_nat_addresses(&eni_id, &private_ips, &allocations);
        let spec = ManagedInterface {
            source_dest_check: false,
            ..ManagedInterface::with_addresses(interface_description(&id), "nat_gateway", eni_ips)
        };
        self.insert_managed_interface_as(scope, &subnet.id, &eni_id, spec)?;
        let nat = NatGateway {
            network_interface_id: eni_id,
            addresses,
            ..NatGateway::new(id.clone(), scope, &subnet, connectivity, req, now)
        };
        self.nat_gateways.insert(id.clone(), nat);
        Ok(id)
    }

    /// The NAT gateway quotas: per availability zone, and the interface it needs.
    fn check_nat_gateway_quotas(&self, scope: &Scope, subnet: &Subnet) -> Result<()> {
        let in_zone = self
            .nat_gateways
            .in_scope(scope)
            .filter(|n| n.state.is_live())
            .filter(|n| {
                self.subnets
                    .get(&n.subnet_id)
                    .is_some_and(|s| s.availability_zone == subnet.availability_zone)
            })
            .count();
        if in_zone >= self.quotas.nat_gateways_per_zone {
            return Err(Error::quota(
                "nat_gateways_per_zone",
                Ec2::NatGatewayLimitExceeded,
                "The maximum number of NAT gateways has been reached.",
            ));
        }
        if self.network_interfaces.reaches(scope, self.quotas.network_interfaces_per_region) {
            return Err(Error::quota(
                "network_interfaces_per_region",
                Ec2::NetworkInterfaceLimitExceeded,
                "The maximum number of network interfaces has been reached.",
            ));
        }
        Ok(())
    }

    /// Pairs the gateway's private addresses with its Elastic IPs (the first with the
    /// primary), associating each address with the interface `eni_id`.
    fn associate_nat_addresses(
        &mut self,
        eni_id: &str,
        private_ips: &[Ipv4Addr],
        allocations: &[String],
    ) -> (Vec<NatGatewayAddress>, Vec<PrivateIp>) {
        let mut addresses: Vec<NatGatewayAddress> = Vec::new();
        let mut eni_ips: Vec<PrivateIp> = Vec::new();
        for (i, ip) in private_ips.iter().enumerate() {
            let allocation = allocations.get(i).cloned();
            let public_ip =
                allocation.as_ref().and_then(|a| self.addresses.get(a)).map(|a| a.public_ip);
            let association_id = allocation.as_ref().map(|_| self.fresh_id("eipassoc"));
            if let (Some(a), Some(assoc)) = (&allocation, &association_id)
                && let Some(address) = self.addresses.get_mut(a)
            {
                address.association = Some(AddressAssociation {
                    association_id: assoc.clone(),
                    network_interface_id: eni_id.to_owned(),
                    private_ip: *ip,
                });
            }
            eni_ips.push(PrivateIp {
                address: *ip,
                public: public_ip
                    .map(|address| PublicIp { address, allocation_id: allocation.clone() }),
            });
            addresses.push(NatGatewayAddress {
                private_ip: *ip,
                allocation_id: allocation,
                association_id,
                public_ip,
                is_primary: i == 0,
            });
        }
        (addresses, eni_ips)
    }

    fn insert_failed_nat_gateway(
        &mut self,
        scope: &Scope,
        subnet: &Subnet,
        connectivity_type: String,
        req: NewNatGateway,
        failure_message: String,
        now: i64,
    ) -> String {
        self.purge_deleted_nat_gateways(now);
        let id = self.fresh_id("nat");
        let nat = NatGateway {
            state: NatGatewayState::Failed,
            delete_time: Some(now),
            failure: Some(NatGatewayFailure {
                code: Ec2::GatewayNotAttached.as_str().into(),
                message: failure_message,
            }),
            ..NatGateway::new(id.clone(), scope, subnet, connectivity_type, req, now)
        };
        self.nat_gateways.insert(id.clone(), nat);
        id
    }

    /// The gateway's private addresses, primary first; `taken` collects what was allocated so
    /// far, for giving back on failure.
    fn take_nat_addresses(
        &mut self,
        subnet_id: &str,
        req: &NewNatGateway,
        secondaries: usize,
        taken: &mut Vec<Ipv4Addr>,
    ) -> Result<Vec<Ipv4Addr>> {
        let primary = match req.private_ip {
            Some(ip) => Some(self.allocate_private_ip(subnet_id, Some(ip))?),
            None => None,
        };
        taken.extend(primary);
        let mut explicit = Vec::new();
        for ip in &req.secondary_private_ips {
            let ip = self.allocate_private_ip(subnet_id, Some(*ip))?;
            taken.push(ip);
            explicit.push(ip);
        }
        let primary = match primary {
            Some(ip) => ip,
            None => {
                let ip = self.allocate_private_ip(subnet_id, None)?;
                taken.push(ip);
                ip
            }
        };
        let mut out = vec![primary];
        out.extend(explicit);
        while out.len() < 1 + secondaries {
            let ip = self.allocate_private_ip(subnet_id, None)?;
            taken.push(ip);
            out.push(ip);
        }
        Ok(out)
    }

    /// DeleteNatGateway: the gateway's interface goes, its Elastic IPs are freed, and it is
    /// listed as `deleted` for a while. Routes to it stay and become blackholes.
    pub fn delete_nat_gateway(&mut self, scope: &Scope, id: &str, now: i64) -> Result<()> {
        let nat = self.find_nat_gateway(scope, id)?;
        if !nat.state.is_live() {
            // Deleting a deleted gateway is accepted again, as on AWS.
            return Ok(());
        }
        let eni = nat.network_interface_id.clone();
        self.remove_interface(&eni);
        if let Some(nat) = self.nat_gateways.get_mut(id) {
            nat.state = NatGatewayState::Deleted;
            nat.delete_time = Some(now);
            for a in &mut nat.addresses {
                a.association_id = None;
            }
        }
        Ok(())
    }

    /// Forgets gateways deleted longer ago than AWS lists them.
    fn purge_deleted_nat_gateways(&mut self, now: i64) {
        let old: Vec<String> = self
            .nat_gateways
            .values()
            .filter(|n| {
                n.delete_time.is_some_and(|t| now.saturating_sub(t) >= DELETED_RETENTION_MS)
            })
            .map(|n| n.id.clone())
            .collect();
        for id in old {
            self.nat_gateways.remove(&id);
        }
    }
}

impl NatGateway {
    /// An `available` gateway with no interface or address yet.
    fn new(
        id: String,
        owner: &Scope,
        subnet: &Subnet,
        connectivity_type: String,
        req: NewNatGateway,
        now: i64,
    ) -> Self {
        NatGateway {
            id,
            owner: owner.clone(),
            vpc_id: subnet.vpc_id.clone(),
            subnet_id: subnet.id.clone(),
            connectivity_type,
            state: NatGatewayState::Available,
            network_interface_id: String::new(),
            addresses: Vec::new(),
            create_time: now,
            delete_time: None,
            failure: None,
            client_token: req.client_token,
            tags: req.tags.into_iter().collect(),
        }
    }
}

impl References for NatGateway {
    /// A deleted gateway stays listed for an hour after its interface is gone.
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        if !self.state.is_live() {
            return;
        }
        each(Reference::new("vpc", &self.vpc_id, "VpcId"));
        each(Reference::new("subnet", &self.subnet_id, "SubnetId"));
        each(Reference::new("network_interface", &self.network_interface_id, "NetworkInterfaceId"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public_setup() -> (World, Scope, String, String) {
        let (mut w, scope, vpc, subnet) = crate::testkit::world_with_subnet("10.0.1.0/24");
        let igw = w.create_internet_gateway(&scope, &[]).unwrap();
        w.attach_internet_gateway(&scope, &igw, &vpc).unwrap();
        (w, scope, vpc, subnet)
    }

    fn public(subnet: &str, eip: &str) -> NewNatGateway {
        NewNatGateway {
            subnet_id: subnet.into(),
            allocation_id: Some(eip.into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_public_gateway_holds_its_elastic_ip_on_a_managed_interface() {
        let (mut w, scope, vpc, subnet) = public_setup();
        let eip = w.allocate_address(&scope, &[]).unwrap();
        let id = w.create_nat_gateway(&scope, public(&subnet, &eip), 0).unwrap();
        let nat = w.find_nat_gateway(&scope, &id).unwrap().clone();
        assert_eq!(nat.state, NatGatewayState::Available);
        assert_eq!(nat.vpc_id, vpc);
        let eni = w.network_interfaces.get(&nat.network_interface_id).unwrap().clone();
        assert_eq!(eni.interface_type, "nat_gateway");
        assert!(eni.requester_managed);
        assert_eq!(eni.description, format!("Interface for NAT Gateway {id}"));
        let address = w.addresses.get(&eip).unwrap().clone();
        let assoc = address.association.as_ref().unwrap();
        assert_eq!(assoc.network_interface_id, eni.id);
        assert_eq!(eni.public_ip(), Some(address.public_ip));
        assert_eq!(nat.addresses[0].public_ip, Some(address.public_ip));
        // The address is in use; the interface cannot be deleted by hand; the subnet and the
        // VPC cannot go while the gateway lives.
        assert_eq!(w.release_address(&scope, &eip).unwrap_err().code, "InvalidIPAddress.InUse");
        let eni_id = eni.id.clone();
        assert_eq!(
            w.delete_network_interface(&scope, &eni_id).unwrap_err().code,
            "OperationNotPermitted"
        );
        assert_eq!(w.delete_subnet(&scope, &subnet).unwrap_err().code, "DependencyViolation");
        // Deleting frees everything and leaves the gateway listed as deleted for a while.
        w.delete_nat_gateway(&scope, &id, 1000).unwrap();
        assert_eq!(w.find_nat_gateway(&scope, &id).unwrap().state, NatGatewayState::Deleted);
        assert!(w.network_interfaces.get(&eni_id).is_none());
        assert!(w.addresses.get(&eip).unwrap().association.is_none());
        assert_eq!(w.listed_nat_gateways(&scope, 2000).count(), 1);
        assert_eq!(w.listed_nat_gateways(&scope, 1000 + DELETED_RETENTION_MS).count(), 0);
        w.release_address(&scope, &eip).unwrap();
        w.delete_subnet(&scope, &subnet).unwrap();
    }

    #[test]
    fn creation_errors() {
        let (mut w, scope, _, subnet) = crate::testkit::world_with_subnet("10.0.1.0/24");
        let eip = w.allocate_address(&scope, &[]).unwrap();
        let err =
            |w: &mut World, r: NewNatGateway| w.create_nat_gateway(&scope, r, 0).unwrap_err().code;
        // Without an internet gateway the call succeeds and the gateway fails, keeping nothing.
        let failed = w.create_nat_gateway(&scope, public(&subnet, &eip), 0).unwrap();
        let nat = w.find_nat_gateway(&scope, &failed).unwrap();
        assert_eq!(nat.state, NatGatewayState::Failed);
        assert_eq!(nat.failure.as_ref().unwrap().code, "Gateway.NotAttached");
        assert!(nat.addresses.is_empty() && w.addresses.get(&eip).unwrap().association.is_none());
        assert_eq!(
            err(&mut w, public("subnet-0123456789abcdef0", &eip)),
            "InvalidSubnetID.NotFound"
        );
        assert_eq!(
            err(&mut w, public(&subnet, "eipalloc-0123456789abcdef0")),
            "InvalidAllocationID.NotFound"
        );
        let no_eip = NewNatGateway { subnet_id: subnet.clone(), ..Default::default() };
        assert_eq!(err(&mut w, no_eip), "MissingParameter");
        let private_with_eip =
            NewNatGateway { connectivity_type: Some("private".into()), ..public(&subnet, &eip) };
        assert_eq!(err(&mut w, private_with_eip), "InvalidParameterCombination");
        let odd = NewNatGateway { connectivity_type: Some("odd".into()), ..public(&subnet, &eip) };
        assert_eq!(err(&mut w, odd), "InvalidParameterValue");
        // Nothing was left half-made.
        assert!(w.network_interfaces.values().all(|e| e.interface_type != "nat_gateway"));
        assert_eq!(w.subnets.get(&subnet).unwrap().used_offsets.len(), 0);
    }

    #[test]
    fn an_elastic_ip_in_use_and_the_zone_quota() {
        let (mut w, scope, _, subnet) = public_setup();
        let eip = w.allocate_address(&scope, &[]).unwrap();
        w.create_nat_gateway(&scope, public(&subnet, &eip), 0).unwrap();
        assert_eq!(
            w.create_nat_gateway(&scope, public(&subnet, &eip), 0).unwrap_err().code,
            "Resource.AlreadyAssociated"
        );
        let private = || NewNatGateway {
            subnet_id: subnet.clone(),
            connectivity_type: Some("private".into()),
            ..Default::default()
        };
        for _ in 1..w.quotas.nat_gateways_per_zone {
            w.create_nat_gateway(&scope, private(), 0).unwrap();
        }
        assert_eq!(
            w.create_nat_gateway(&scope, private(), 0).unwrap_err().code,
            "NatGatewayLimitExceeded"
        );
    }

    #[test]
    fn private_gateways_take_secondary_addresses() {
        let (mut w, scope, _, subnet) = crate::testkit::world_with_subnet("10.0.1.0/24");
        let req = NewNatGateway {
            subnet_id: subnet.clone(),
            connectivity_type: Some("private".into()),
            private_ip: Some("10.0.1.10".parse().unwrap()),
            secondary_private_ips: vec!["10.0.1.20".parse().unwrap()],
            ..Default::default()
        };
        let id = w.create_nat_gateway(&scope, req, 0).unwrap();
        let nat = w.find_nat_gateway(&scope, &id).unwrap();
        let ips: Vec<String> = nat.addresses.iter().map(|a| a.private_ip.to_string()).collect();
        assert_eq!(ips, ["10.0.1.10", "10.0.1.20"]);
        assert!(nat.addresses.iter().all(|a| a.public_ip.is_none()));
        let counted = NewNatGateway {
            subnet_id: subnet.clone(),
            connectivity_type: Some("private".into()),
            secondary_private_ip_count: Some(3),
            ..Default::default()
        };
        let id = w.create_nat_gateway(&scope, counted, 0).unwrap();
        assert_eq!(w.find_nat_gateway(&scope, &id).unwrap().addresses.len(), 4);
    }
}

#[cfg(test)]
mod route_tests {
    use super::*;
    use crate::route_table::{DestinationSpec, TargetSpec};

    #[test]
    fn routes_to_a_nat_gateway_need_it_and_turn_blackhole_when_it_goes() {
        let (mut w, scope, vpc, subnet) = crate::testkit::world_with_subnet("10.0.1.0/24");
        let rtb = w.create_route_table(&scope, &vpc, &[]).unwrap();
        let dest = DestinationSpec { cidr: Some("0.0.0.0/0".into()), ..Default::default() };
        let to = |id: &str| TargetSpec { nat_gateway_id: Some(id.into()), ..Default::default() };
        assert_eq!(
            w.create_route(&scope, &rtb, &dest, &to("nat-0123456789abcdef0")).unwrap_err().code,
            "InvalidNatGatewayID.NotFound"
        );
        let req = NewNatGateway {
            subnet_id: subnet,
            connectivity_type: Some("private".into()),
            ..Default::default()
        };
        let nat = w.create_nat_gateway(&scope, req, 0).unwrap();
        w.create_route(&scope, &rtb, &dest, &to(&nat)).unwrap();
        let state = |w: &World| {
            let t = w.route_tables.get(&rtb).unwrap();
            let r = t.routes.iter().find(|r| matches!(r.target, RouteTarget::NatGateway(_)));
            w.route_state(t, r.unwrap())
        };
        assert_eq!(state(&w), "active");
        w.delete_nat_gateway(&scope, &nat, 0).unwrap();
        assert_eq!(state(&w), "blackhole");
        let again = DestinationSpec { cidr: Some("1.0.0.0/8".into()), ..Default::default() };
        assert_eq!(
            w.create_route(&scope, &rtb, &again, &to(&nat)).unwrap_err().code,
            "InvalidNatGatewayID.NotFound"
        );
    }
}
