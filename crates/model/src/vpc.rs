//! VPCs, their CIDR blocks, and the default VPC of each account and region.

use crate::cidr::{Ipv4Cidr, Ipv6Cidr};
use crate::error::{Error, Result};
use crate::kinds;
use crate::references::{Reference, References};
use crate::types::ec2::*;
use crate::world::{Scope, ScopeState, World};
use codes::Ec2;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The block every default VPC uses.
pub const DEFAULT_VPC_CIDR: &str = "172.31.0.0/16";

/// Where Amazon-provided IPv6 /56 blocks come from.
const IPV6_POOL: &str = "2600:1f00::/24";

/// What CreateVpc asks for.
#[derive(Debug, Clone, Default)]
pub struct NewVpc {
    pub cidr: Option<String>,
    pub amazon_provided_ipv6: bool,
    pub instance_tenancy: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// VPC attributes settable with ModifyVpcAttribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VpcAttribute {
    EnableDnsSupport,
    EnableDnsHostnames,
    EnableNetworkAddressUsageMetrics,
}

/// Parses a VPC block the way CreateVpc and AssociateVpcCidrBlock accept it: /16 to /28, host
/// bits cleared.
pub fn parse_vpc_cidr(cidr: &str) -> Result<Ipv4Cidr> {
    let block = Ipv4Cidr::parse(cidr, false).ok_or_else(|| {
        Error::invalid_parameter_value(format!(
            "Value ({cidr}) for parameter cidrBlock is invalid. This is not a valid CIDR block."
        ))
    })?;
    if !(16..=28).contains(&block.prefix_len()) {
        return Err(Error::new(Ec2::InvalidVpcRange, format!("The CIDR '{cidr}' is invalid.")));
    }
    Ok(block)
}

/// The RFC 1918 range a block falls in, if any.
fn rfc1918_range(c: Ipv4Cidr) -> Option<u8> {
    const RANGES: [&str; 3] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
    RANGES.iter().enumerate().find_map(|(i, r)| {
        Ipv4Cidr::parse(r, true).filter(|range| range.contains(c)).map(|_| i as u8)
    })
}

impl World {
    /// Makes sure the scope has its bookkeeping, its default DHCP options and its default VPC,
    /// creating them on first use as AWS has them for every account.
    pub fn ensure_scope(&mut self, scope: &Scope) -> Result<()> {
        if self.scopes.contains(&scope.key()) {
            return Ok(());
        }
        let region = scope.region()?;
        let dopt = self.create_dhcp_options_internal(
            scope,
            vec![
                ("domain-name".into(), vec![region.internal_domain()]),
                ("domain-name-servers".into(), vec!["AmazonProvidedDNS".into()]),
            ],
        );
        self.scopes.insert(
            scope.key(),
            ScopeState {
                scope: Some(scope.clone()),
                default_vpc_id: None,
                default_dhcp_options_id: Some(dopt),
            },
        );
        self.create_default_vpc(scope)?;
        Ok(())
    }

    pub fn is_scope_initialised(&self, scope: &Scope) -> bool {
        self.scopes.contains(&scope.key())
    }

    /// Whether the account has its bookkeeping in some region (it has called the API).
    pub fn has_account(&self, account: &str) -> bool {
        self.scopes.with_prefix(&format!("{account}/")).next().is_some()
    }

    /// How many accounts have their bookkeeping. Scope keys (`account/region`) sort an
    /// account's rows together, so counting runs of one account counts accounts.
    pub fn account_count(&self) -> usize {
        let mut accounts: Vec<&str> =
            self.scopes.ids().filter_map(|key| key.split_once('/').map(|(a, _)| a)).collect();
        accounts.dedup();
        accounts.len()
    }

    fn scope_state_mut(&mut self, scope: &Scope) -> Result<&mut ScopeState> {
        self.scopes
            .get_mut(&scope.key())
            .ok_or_else(|| Error::internal(format!("scope {scope} is not initialised")))
    }

    /// CreateDefaultVpc: 172.31.0.0/16, a /20 default subnet per zone that maps public
    /// addresses, an attached internet gateway and a default route to it.
    pub fn create_default_vpc(&mut self, scope: &Scope) -> Result<String> {
        if let Some(existing) = self.scopes.get(&scope.key()).and_then(|s| s.default_vpc_id.clone())
            && self.vpcs.contains(&existing)
        {
            return Err(Error::new(
                Ec2::DefaultVpcAlreadyExists,
                "A Default VPC already exists for this account in this region.",
            ));
        }
        let cidr = parse_vpc_cidr(DEFAULT_VPC_CIDR)?;
        let vpc_id = self.create_vpc_with_defaults(scope, cidr, true, "default", &[])?;
        self.scope_state_mut(scope)?.default_vpc_id = Some(vpc_id.clone());
        let vpc = self.vpcs.find_mut(&kinds::VPC, scope, &vpc_id)?;
        vpc.enable_dns_hostnames = true;

        let igw = self.create_internet_gateway_internal(scope, &[]);
        self.attach_internet_gateway(scope, &igw, &vpc_id)?;
        let main_rtb = self.vpcs.find(&kinds::VPC, scope, &vpc_id)?.main_route_table_id.clone();
        if let Some(rtb) = self.route_tables.get_mut(&main_rtb) {
            rtb.routes.push(Route {
                destination: RouteDestination::V4(
                    Ipv4Cidr::parse("0.0.0.0/0", true)
                        .ok_or_else(|| Error::internal("bad literal"))?,
                ),
                target: RouteTarget::Gateway(igw),
                origin: RouteOrigin::CreateRoute,
            });
        }
        for zone in scope.region()?.zones() {
            self.create_default_subnet_in(scope, &vpc_id, &zone.name)?;
        }
        Ok(vpc_id)
    }

    /// CreateDefaultSubnet: the next free /20 of the default VPC in `zone`.
    pub fn create_default_subnet(&mut self, scope: &Scope, zone: &str) -> Result<String> {
        let region = scope.region()?;
        let zone = region.zone(zone).ok_or_else(|| {
            Error::invalid_parameter_value(format!("Value ({zone}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: {}.",
                region.zones().iter().map(|z| z.name.clone()).collect::<Vec<_>>().join(", ")))
        })?;
        let vpc_id = self
            .scopes
            .get(&scope.key())
            .and_then(|s| s.default_vpc_id.clone())
            .filter(|id| self.vpcs.contains(id))
            .ok_or_else(|| {
                Error::new(Ec2::DefaultVpcDoesNotExist, "No default VPC for this user.")
            })?;
        if let Some(existing) = self
            .subnets
            .in_scope(scope)
            .find(|s| s.vpc_id == vpc_id && s.default_for_az && s.availability_zone == zone.name)
        {
            return Err(Error::new(
                Ec2::DefaultSubnetAlreadyExistsInAvailabilityZone,
                format!("'{}' is already the default subnet in {}.", existing.id, zone.name),
            ));
        }
        self.create_default_subnet_in(scope, &vpc_id, &zone.name)
    }

    fn create_default_subnet_in(
        &mut self,
        scope: &Scope,
        vpc_id: &str,
        zone: &str,
    ) -> Result<String> {
        let vpc_cidr = self
            .vpcs
            .find(&kinds::VPC, scope, vpc_id)?
            .primary_cidr()
            .ok_or_else(|| Error::internal("VPC without a block"))?;
        let taken: Vec<Ipv4Cidr> = self
            .subnets
            .in_scope(scope)
            .filter(|s| s.vpc_id == vpc_id)
            .filter_map(|s| s.cidr)
            .collect();
        let block = (0..16u64)
            .filter_map(|i| vpc_cidr.nth(i * 4096).and_then(|a| Ipv4Cidr::new(a, 20)))
            .find(|c| !taken.iter().any(|t| t.overlaps(*c)))
            .ok_or_else(|| {
                Error::new(
                    Ec2::InsufficientFreeAddressesInSubnet,
                    "The default VPC has no free /20 block left.",
                )
            })?;
        let id = self.create_subnet(scope, vpc_id, &block.to_string(), Some(zone), None, &[])?;
        if let Some(s) = self.subnets.get_mut(&id) {
            s.default_for_az = true;
            s.map_public_ip_on_launch = true;
        }
        Ok(id)
    }

    /// CreateVpc.
    pub fn create_vpc(&mut self, scope: &Scope, req: NewVpc) -> Result<String> {
        let cidr = req.cidr.as_deref().ok_or_else(|| Error::missing_parameter("CidrBlock"))?;
        let block = parse_vpc_cidr(cidr)?;
        let tenancy = req.instance_tenancy.unwrap_or_else(|| "default".into());
        if tenancy == "host" {
            return Err(Error::invalid_parameter_value("The tenancy value host is not supported."));
        }
        let id = self.create_vpc_with_defaults(scope, block, false, &tenancy, &req.tags)?;
        if req.amazon_provided_ipv6 {
            self.associate_vpc_ipv6_block(scope, &id)?;
        }
        Ok(id)
    }

    /// A VPC with what AWS gives every VPC: a main route table with the local route, a default
    /// network ACL and a default security group.
    fn create_vpc_with_defaults(
        &mut self,
        scope: &Scope,
        cidr: Ipv4Cidr,
        is_default: bool,
        tenancy: &str,
        tags: &[(String, String)],
    ) -> Result<String> {
        crate::tags::validate(tags)?;
        if self.vpcs.reaches(scope, self.quotas.vpcs_per_region) {
            return Err(Error::quota(
                "vpcs_per_region",
                Ec2::VpcLimitExceeded,
                "The maximum number of VPCs has been reached.",
            ));
        }
        // The region's default set, unless it was deleted: then no options.
        let dhcp = self
            .default_dhcp_options(scope)
            .map(|d| d.id.clone())
            .unwrap_or_else(|| crate::dhcp::NONE.into());
        let id = self.fresh_id("vpc");
        let sg_id = self.fresh_id("sg");
        let acl_id = self.fresh_id("acl");
        let rtb_id = self.fresh_id("rtb");
        self.vpcs.insert(
            id.clone(),
            Vpc {
                id: id.clone(),
                owner: scope.clone(),
                cidr_blocks: vec![VpcCidrBlock {
                    association_id: self.fresh_id("vpc-cidr-assoc"),
                    cidr,
                }],
                ipv6_cidr_blocks: vec![],
                dhcp_options_id: dhcp,
                instance_tenancy: tenancy.to_owned(),
                is_default,
                enable_dns_support: true,
                enable_dns_hostnames: false,
                enable_network_address_usage_metrics: false,
                main_route_table_id: rtb_id.clone(),
                default_network_acl_id: acl_id.clone(),
                default_security_group_id: sg_id.clone(),
                tags: tags.iter().cloned().collect(),
            },
        );
        let main_association = self.fresh_id("rtbassoc");
        self.route_tables.insert(
            rtb_id.clone(),
            RouteTable {
                id: rtb_id,
                owner: scope.clone(),
                vpc_id: id.clone(),
                routes: vec![Route {
                    destination: RouteDestination::V4(cidr),
                    target: RouteTarget::Local,
                    origin: RouteOrigin::CreateRouteTable,
                }],
                associations: vec![RouteTableAssociation {
                    id: main_association,
                    target: AssociationTarget::Main,
                }],
                propagating_vgws: vec![],
                tags: Default::default(),
            },
        );
        self.network_acls
            .insert(acl_id.clone(), NetworkAcl::new_default(acl_id, scope.clone(), id.clone()));
        let self_rule = self.fresh_id("sgr");
        let egress_rule = self.fresh_id("sgr");
        self.security_groups.insert(
            sg_id.clone(),
            SecurityGroup {
                id: sg_id.clone(),
                owner: scope.clone(),
                name: "default".into(),
                description: "default VPC security group".into(),
                vpc_id: id.clone(),
                ingress: vec![SecurityGroupRule {
                    id: self_rule,
                    protocol: "-1".into(),
                    from_port: None,
                    to_port: None,
                    peer: RulePeer::Group { group_id: sg_id, user_id: scope.account.clone() },
                    description: None,
                    tags: Default::default(),
                }],
                egress: vec![SecurityGroupRule::allow_all_egress(egress_rule)],
                tags: Default::default(),
            },
        );
        Ok(id)
    }

    /// DeleteVpc: refused while anything but the VPC's own defaults remains in it.
    pub fn delete_vpc(&mut self, scope: &Scope, id: &str) -> Result<()> {
        let vpc = self.vpcs.find(&kinds::VPC, scope, id)?.clone();
        // AWS's text does not say which dependency remains.
        let depends = || {
            Err(Error::dependency_violation(format!(
                "The vpc '{id}' has dependencies and cannot be deleted."
            )))
        };
        let in_vpc = crate::indexes::vpc_key(id);
        if self.subnets.count_keyed(&in_vpc) > 0 {
            return depends();
        }
        if self.internet_gateways.count_keyed(&in_vpc) > 0 {
            return depends();
        }
        if self.vpn_gateways.values().any(|g| g.attached_vpc() == Some(id)) {
            return depends();
        }
        if self.egress_only_internet_gateways.values().any(|g| g.vpc_id == id) {
            return depends();
        }
        if self.vpc_has_endpoints(id) {
            return depends();
        }
        if self.network_interfaces.count_keyed(&in_vpc) > 0 {
            return depends();
        }
        // Beyond the default group, main route table and default network ACL.
        if self.security_groups.keyed(&in_vpc).any(|g| g != &vpc.default_security_group_id)
            || self.route_tables.keyed(&in_vpc).any(|t| t != &vpc.main_route_table_id)
            || self.network_acls.keyed(&in_vpc).any(|a| a != &vpc.default_network_acl_id)
        {
            return depends();
        }
        self.route_tables.remove(&vpc.main_route_table_id);
        self.network_acls.remove(&vpc.default_network_acl_id);
        self.security_groups.remove(&vpc.default_security_group_id);
        self.vpcs.remove(id);
        self.drop_flow_logs_of(id);
        self.close_peerings_of_vpc(id, scope);
        if vpc.is_default
            && let Some(state) = self.scopes.get_mut(&scope.key())
            && state.default_vpc_id.as_deref() == Some(id)
        {
            state.default_vpc_id = None;
        }
        Ok(())
    }

    pub fn modify_vpc_attribute(
        &mut self,
        scope: &Scope,
        id: &str,
        attribute: VpcAttribute,
        value: bool,
    ) -> Result<()> {
        let vpc = self.vpcs.find_mut(&kinds::VPC, scope, id)?;
        match attribute {
            VpcAttribute::EnableDnsSupport => vpc.enable_dns_support = value,
            VpcAttribute::EnableDnsHostnames => {
                if value && !vpc.enable_dns_support {
                    return Err(Error::invalid_parameter_value(
                        "enableDnsHostnames cannot be enabled while enableDnsSupport is disabled",
                    ));
                }
                vpc.enable_dns_hostnames = value
            }
            VpcAttribute::EnableNetworkAddressUsageMetrics => {
                vpc.enable_network_address_usage_metrics = value
            }
        }
        Ok(())
    }

    /// AssociateVpcCidrBlock with an IPv4 block: same RFC 1918 range as the primary, no
    /// overlap with the VPC's blocks or its route tables' more specific routes.
    pub fn associate_vpc_ipv4_block(
        &mut self,
        scope: &Scope,
        id: &str,
        cidr: &str,
    ) -> Result<String> {
        let block = parse_vpc_cidr(cidr).map_err(|e| {
            if e.code == Ec2::InvalidVpcRange {
                Error::new(Ec2::InvalidVpcRange, format!("The CIDR '{cidr}' is invalid."))
            } else {
                e
            }
        })?;
        let vpc = self.vpcs.find(&kinds::VPC, scope, id)?;
        if vpc.cidr_blocks.len() >= self.quotas.ipv4_blocks_per_vpc {
            return Err(Error::quota(
                "ipv4_blocks_per_vpc",
                Ec2::CidrLimitExceeded,
                format!(
                    "This network {id} has met its maximum number of allowed CIDRs: {}",
                    self.quotas.ipv4_blocks_per_vpc
                ),
            ));
        }
        if let Some(existing) = vpc.cidr_blocks.iter().find(|b| b.cidr.overlaps(block)) {
            return Err(Error::new(
                Ec2::InvalidVpcRange,
                format!(
                    "The CIDR '{block}' conflicts with another subnet ({}) of this VPC.",
                    existing.cidr
                ),
            ));
        }
        if let Some(primary) = vpc.primary_cidr()
            && let (Some(p), Some(n)) = (rfc1918_range(primary), rfc1918_range(block))
            && p != n
        {
            return Err(Error::new(
                Ec2::InvalidVpcRange,
                format!(
                    "The CIDR '{block}' is restricted. Use a CIDR from the same private address range as the current VPC CIDR, or use a publicly-routable CIDR."
                ),
            ));
        }
        let association_id = self.fresh_id("vpc-cidr-assoc");
        self.vpcs
            .find_mut(&kinds::VPC, scope, id)?
            .cidr_blocks
            .push(VpcCidrBlock { association_id: association_id.clone(), cidr: block });
        // Every route table of the VPC gets a local route for the new block.
        self.route_tables.update_where(
            |t| t.vpc_id == id,
            |t| {
                t.routes.push(Route {
                    destination: RouteDestination::V4(block),
                    target: RouteTarget::Local,
                    origin: RouteOrigin::CreateRouteTable,
                })
            },
        );
        Ok(association_id)
    }

    /// AssociateVpcCidrBlock with AmazonProvidedIpv6CidrBlock: a /56 from Amazon's pool.
    pub fn associate_vpc_ipv6_block(&mut self, scope: &Scope, id: &str) -> Result<String> {
        let vpc = self.vpcs.find(&kinds::VPC, scope, id)?;
        let quota = self.quotas.ipv6_blocks_per_vpc;
        if vpc.ipv6_cidr_blocks.len() >= quota {
            return Err(Error::quota(
                "ipv6_blocks_per_vpc",
                Ec2::CidrLimitExceeded,
                format!("This network {id} has met its maximum number of allowed CIDRs: {quota}"),
            ));
        }
        let pool =
            Ipv6Cidr::parse(IPV6_POOL, true).ok_or_else(|| Error::internal("bad IPv6 pool"))?;
        let n = self.next_counter("ipv6-56");
        let block = pool.subblock(56, u128::from(n)).ok_or_else(|| {
            Error::new(Ec2::InsufficientCidrBlocks, "The IPv6 pool is exhausted.")
        })?;
        let association_id = self.fresh_id("vpc-cidr-assoc");
        let region = scope.region.clone();
        self.vpcs.find_mut(&kinds::VPC, scope, id)?.ipv6_cidr_blocks.push(VpcIpv6CidrBlock {
            association_id: association_id.clone(),
            cidr: block,
            network_border_group: region,
            pool: "Amazon".into(),
        });
        self.route_tables.update_where(
            |t| t.vpc_id == id,
            |t| {
                t.routes.push(Route {
                    destination: RouteDestination::V6(block),
                    target: RouteTarget::Local,
                    origin: RouteOrigin::CreateRouteTable,
                })
            },
        );
        // The default network ACL gains the IPv6 allow-all entries, and the default security
        // group its `::/0` egress rule, as on AWS.
        let vpc = self.vpcs.find(&kinds::VPC, scope, id)?;
        let (acl, group) =
            (vpc.default_network_acl_id.clone(), vpc.default_security_group_id.clone());
        if let Some(acl) = self.network_acls.get_mut(&acl) {
            acl.add_ipv6_defaults();
        }
        let rule = SecurityGroupRule::allow_all_egress_v6(self.fresh_id("sgr"));
        if let Some(group) = self.security_groups.get_mut(&group)
            && !group.egress.iter().any(|r| r.key() == rule.key())
        {
            group.egress.push(rule);
        }
        Ok(association_id)
    }

    /// DisassociateVpcCidrBlock: not the primary block, not while a subnet uses the block.
    /// Returns the VPC id and the removed block.
    pub fn disassociate_vpc_block(
        &mut self,
        scope: &Scope,
        association_id: &str,
    ) -> Result<(String, Result<Ipv4Cidr, Ipv6Cidr>)> {
        let vpc = self
            .vpcs
            .in_scope(scope)
            .find(|v| {
                v.cidr_blocks.iter().any(|b| b.association_id == association_id)
                    || v.ipv6_cidr_blocks.iter().any(|b| b.association_id == association_id)
            })
            .ok_or_else(|| {
                Error::new(
                    Ec2::InvalidVpcCidrBlockAssociationIDNotFound,
                    format!("The vpc CIDR block association ID '{association_id}' does not exist"),
                )
            })?
            .clone();
        if let Some(pos) = vpc.cidr_blocks.iter().position(|b| b.association_id == association_id) {
            if pos == 0 {
                return Err(Error::new(
                    Ec2::OperationNotPermitted,
                    format!(
                        "The vpc CIDR block with association ID {association_id} may not be disassociated. It is the primary IPv4 CIDR block of the VPC"
                    ),
                ));
            }
            let block = vpc
                .cidr_blocks
                .get(pos)
                .map(|b| b.cidr)
                .ok_or_else(|| Error::internal("block vanished"))?;
            if self
                .subnets
                .values()
                .any(|s| s.vpc_id == vpc.id && s.cidr.is_some_and(|c| block.contains(c)))
            {
                return Err(Error::new(
                    Ec2::InvalidCidrBlockInUse,
                    format!("The vpc CIDR block {block} is in use by subnets."),
                ));
            }
            self.vpcs.find_mut(&kinds::VPC, scope, &vpc.id)?.cidr_blocks.remove(pos);
            self.route_tables.update_where(
                |t| t.vpc_id == vpc.id,
                |t| {
                    t.routes.retain(|r| {
                        !(r.target == RouteTarget::Local
                            && r.destination == RouteDestination::V4(block))
                    })
                },
            );
            return Ok((vpc.id, Ok(block)));
        }
        let block = vpc
            .ipv6_cidr_blocks
            .iter()
            .find(|b| b.association_id == association_id)
            .map(|b| b.cidr)
            .ok_or_else(|| Error::internal("block vanished"))?;
        let in_vpc = crate::indexes::vpc_key(&vpc.id);
        if self
            .subnets
            .rows_keyed(&in_vpc)
            .any(|s| s.ipv6_cidr_blocks.iter().any(|b| block.contains(b.cidr)))
        {
            return Err(Error::new(
                Ec2::InvalidCidrBlockInUse,
                format!("The vpc CIDR block {block} is in use by subnets."),
            ));
        }
        self.vpcs
            .find_mut(&kinds::VPC, scope, &vpc.id)?
            .ipv6_cidr_blocks
            .retain(|b| b.association_id != association_id);
        self.route_tables.update_where(
            |t| t.vpc_id == vpc.id,
            |t| {
                t.routes.retain(|r| {
                    !(r.target == RouteTarget::Local
                        && r.destination == RouteDestination::V6(block))
                })
            },
        );
        Ok((vpc.id, Err(block)))
    }

    /// Allocates a fresh public IPv4 address from vpclab's public pool (3.80.0.0/12).
    pub fn allocate_public_ipv4(&mut self) -> Ipv4Addr {
        let n = self.next_counter("public-ipv4");
        let base = u32::from(Ipv4Addr::new(3, 80, 0, 0));
        Ipv4Addr::from(base + 1 + (n % ((1 << 20) - 2)) as u32)
    }

    /// An IPv6 address in one of the subnet's /64 blocks, not yet in use in the subnet.
    pub fn allocate_subnet_ipv6(&self, subnet: &Subnet) -> Option<Ipv6Addr> {
        let block = subnet.ipv6_cidr_blocks.first()?.cidr;
        let used: Vec<Ipv6Addr> = self
            .network_interfaces
            .rows_keyed(&crate::indexes::subnet_key(&subnet.id))
            .flat_map(|e| e.ipv6_addresses.clone())
            .collect();
        (4u128..).take(1 << 16).filter_map(|n| block.nth(n)).find(|a| !used.contains(a))
    }
}

impl References for Vpc {
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        if self.dhcp_options_id != "default" {
            each(Reference::new("dhcp_options", &self.dhcp_options_id, "DhcpOptionsId"));
        }
        each(Reference::new("route_table", &self.main_route_table_id, "main route table"));
        each(Reference::new("network_acl", &self.default_network_acl_id, "default network ACL"));
        each(Reference::new(
            "security_group",
            &self.default_security_group_id,
            "default security group",
        ));
    }
}
