//! Elastic Load Balancing v2 load balancers: application, network and gateway.
//!
//! This is the first brick of ELBv2 (issue 5 adds listeners, target groups and the data plane):
//! a load balancer lives in one VPC, with one subnet per Availability Zone and, in each, a
//! requester-managed network interface that AWS creates for it (`ELB net/<name>/<id>`; type
//! `network_load_balancer`, `gateway_load_balancer`, or `interface` for an ALB). Its ARN
//! (`arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/<app|net|gwy>/<name>/<16 hex>`)
//! is its id; the table is keyed by it. Creating a load balancer and SetSubnets enable zones
//! the same way ([`World::set_load_balancer_subnets`] says what each type may change); a
//! disabled zone loses its interface.
//!
//! AWS creates a load balancer in state `provisioning` and moves it to `active` minutes later;
//! vpclab makes it `active` at once (Terraform's waiter then returns at its first poll).
//!
//! Errors carry ELBv2's codes (`DuplicateLoadBalancerName`, `LoadBalancerNotFound`,
//! `SubnetNotFound`, `InvalidSubnet`, `InvalidConfigurationRequest`, `InvalidSecurityGroup`,
//! `ValidationError`, …), which are not EC2's.

use crate::error::{Error, Result};
use crate::kinds;
use crate::references::{Reference, References};
use crate::types::ec2::eni::ManagedInterface;
use crate::types::ec2::vpc_endpoint::EndpointState;
use crate::types::ec2::*;
pub use crate::types::elbv2::load_balancer::*;
use crate::types::elbv2::target_group::Protocol;
use crate::world::{Scope, World};
use codes::Elbv2;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// ELBv2's default quota of load balancers per region.
pub const LOAD_BALANCERS_PER_REGION: usize = 50;

/// ELBv2's limit of tags per resource.
pub const MAX_TAGS: usize = 50;

/// The attributes a new load balancer of this type has, with AWS's defaults.
pub fn default_attributes(t: LbType) -> BTreeMap<String, String> {
    let common: &[(&str, &str)] =
        &[("deletion_protection.enabled", "false"), ("load_balancing.cross_zone.enabled", "false")];
    let logs: &[(&str, &str)] = &[
        ("access_logs.s3.enabled", "false"),
        ("access_logs.s3.bucket", ""),
        ("access_logs.s3.prefix", ""),
    ];
    let specific: &[(&str, &str)] = match t {
        LbType::Application => &[
            ("load_balancing.cross_zone.enabled", "true"),
            ("idle_timeout.timeout_seconds", "60"),
            ("client_keep_alive.seconds", "3600"),
            ("connection_logs.s3.enabled", "false"),
            ("connection_logs.s3.bucket", ""),
            ("connection_logs.s3.prefix", ""),
            ("routing.http.desync_mitigation_mode", "defensive"),
            ("routing.http.drop_invalid_header_fields.enabled", "false"),
            ("routing.http.preserve_host_header.enabled", "false"),
            ("routing.http.x_amzn_tls_version_and_cipher_suite.enabled", "false"),
            ("routing.http.xff_client_port.enabled", "false"),
            ("routing.http.xff_header_processing.mode", "append"),
            ("routing.http2.enabled", "true"),
            ("waf.fail_open.enabled", "false"),
            ("zonal_shift.config.enabled", "false"),
        ],
        LbType::Network => &[
            ("dns_record.client_routing_policy", "any_availability_zone"),
            ("zonal_shift.config.enabled", "false"),
        ],
        LbType::Gateway => &[],
    };
    let mut out = BTreeMap::new();
    let with_logs = if t == LbType::Gateway { &[][..] } else { logs };
    for (k, v) in common.iter().chain(with_logs).chain(specific) {
        out.insert((*k).to_owned(), (*v).to_owned());
    }
    out
}

/// Attribute keys AWS accepts for a type besides the defaults it reports.
fn extra_attribute_keys(t: LbType) -> &'static [&'static str] {
    match t {
        LbType::Application => &[
            "ipv6.deny_all_igw_traffic",
            "health_check_logs.s3.enabled",
            "health_check_logs.s3.bucket",
            "health_check_logs.s3.prefix",
            "routing.http.xff_header_processing.mode",
        ],
        LbType::Network => &["ipv6.deny_all_igw_traffic", "secondary_ips.auto_assigned.per_subnet"],
        LbType::Gateway => &[],
    }
}

/// ELBv2's `ValidationError`.
pub fn validation(message: impl Into<String>) -> Error {
    Error::new(Elbv2::ValidationError, message)
}

/// ELBv2's `InvalidConfigurationRequest`.
pub fn invalid_configuration(message: impl Into<String>) -> Error {
    Error::new(Elbv2::InvalidConfigurationRequest, message)
}

/// ELBv2's answer for load balancers (by ARN or name) that do not exist.
pub fn not_found(what: &[String]) -> Error {
    Error::new(
        Elbv2::LoadBalancerNotFound,
        format!("Load balancers '[{}]' not found", what.join(", ")),
    )
}

/// Checks an ARN's shape: `ValidationError` when it cannot name a load balancer.
pub fn check_arn(arn: &str) -> Result<()> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = matches!(parts.as_slice(),
        ["arn", "aws", "elasticloadbalancing", region, account, rest]
            if !region.is_empty() && account.len() == 12
                && rest.strip_prefix("loadbalancer/").is_some_and(|r| r.split('/').count() == 3));
    if ok { Ok(()) } else { Err(validation(format!("'{arn}' is not a valid load balancer ARN"))) }
}

/// Checks a load balancer's name as AWS does: 1–32 characters, letters, digits and hyphens, no
/// hyphen at either end, not starting with `internal-`.
pub fn check_name(name: &str) -> Result<()> {
    if name.is_empty() || name.len() > 32 {
        return Err(validation(format!(
            "The load balancer name '{name}' must be between 1 and 32 characters long"
        )));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(validation(format!(
            "The load balancer name '{name}' can contain only alphanumeric characters and hyphens"
        )));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err(validation(format!(
            "The load balancer name '{name}' cannot begin or end with a hyphen"
        )));
    }
    if name.starts_with("internal-") {
        return Err(validation(format!(
            "The load balancer name '{name}' cannot begin with 'internal-'"
        )));
    }
    Ok(())
}

/// Checks tags for a create or AddTags: at most 50, no key twice.
pub fn check_tags(existing: &Tags, tags: &[(String, Option<String>)]) -> Result<()> {
    let mut keys: Vec<&str> = Vec::new();
    for (k, v) in tags {
        if keys.contains(&k.as_str()) {
            return Err(Error::new(
                Elbv2::DuplicateTagKeys,
                format!("Tag key '{k}' is duplicated"),
            ));
        }
        keys.push(k);
        if k.is_empty() || k.len() > 128 || v.as_ref().is_some_and(|v| v.len() > 256) {
            return Err(validation(format!("The tag '{k}' is not valid")));
        }
        if k.starts_with("aws:") {
            return Err(validation("Tag keys starting with 'aws:' are reserved for internal use"));
        }
    }
    let total = existing.len() + keys.iter().filter(|k| !existing.contains_key(**k)).count();
    if total > MAX_TAGS {
        return Err(Error::new(
            Elbv2::TooManyTags,
            format!("A resource can have at most {MAX_TAGS} tags"),
        ));
    }
    Ok(())
}

/// The random 16 hex digits that end ELBv2 ARNs.
pub fn hex16() -> String {
    format!("{:016x}", fastrand::u64(..))
}

impl World {
    /// A load balancer of the scope by ARN.
    pub fn find_load_balancer(&self, scope: &Scope, arn: &str) -> Result<&LoadBalancer> {
        check_arn(arn)?;
        self.load_balancers
            .get(arn)
            .filter(|lb| &lb.owner == scope)
            .ok_or_else(|| not_found(&[arn.to_owned()]))
    }

    /// The load balancer whose requester-managed interface this is.
    pub fn load_balancer_of_interface(&self, eni_id: &str) -> Option<&LoadBalancer> {
        self.load_balancers
            .values()
            .find(|lb| lb.zones.iter().any(|z| z.network_interface_id == eni_id))
    }

    /// CreateLoadBalancer. A repeat with the same name and settings returns the existing ARN.
    pub fn create_load_balancer(
        &mut self,
        scope: &Scope,
        req: NewLoadBalancer,
        now: i64,
    ) -> Result<String> {
        check_name(&req.name)?;
        let lb_type = match req.lb_type.as_deref() {
            None => LbType::Application,
            Some(t) => LbType::parse(t)
                .ok_or_else(|| validation(format!("Load balancer type '{t}' is not valid")))?,
        };
        let scheme = match (lb_type, req.scheme.as_deref()) {
            (LbType::Gateway, Some(_)) => {
                return Err(invalid_configuration(
                    "A scheme cannot be specified for Gateway Load Balancers",
                ));
            }
            (LbType::Gateway, None) => "internal",
            (_, None | Some("internet-facing")) => "internet-facing",
            (_, Some("internal")) => "internal",
            (_, Some(s)) => {
                return Err(Error::new(Elbv2::InvalidScheme, format!("Scheme '{s}' is not valid")));
            }
        };
        let ip_address_type = req.ip_address_type.clone().unwrap_or_else(|| "ipv4".into());
        check_ip_address_type(&ip_address_type)?;
        let mappings = requested_mappings(&req.subnets, &req.subnet_mappings)?;
        let subnets = self.load_balancer_subnets(scope, &mappings, &ip_address_type)?;
        let Some(vpc_id) = subnets.first().map(|s| s.vpc_id.clone()) else {
            return Err(validation("At least one subnet or subnet mapping must be specified"));
        };
        check_zone_count(lb_type, subnets.len())?;
        let has_igw = self.internet_gateways.count_keyed(&crate::indexes::vpc_key(&vpc_id)) > 0;
        if scheme == "internet-facing" && !has_igw {
            return Err(Error::new(
                Elbv2::InvalidSubnet,
                format!("VPC {vpc_id} has no internet gateway"),
            ));
        }
        self.check_mapping_addresses(scope, lb_type, scheme, &mappings)?;
        // Security groups: ALB (the VPC's default group when none), NLB (optional), not GWLB.
        let mut groups: Vec<String> = Vec::new();
        if lb_type == LbType::Gateway && !req.security_groups.is_empty() {
            return Err(invalid_configuration(
                "Security groups are not supported for load balancers with type 'gateway'",
            ));
        }
        for g in &req.security_groups {
            self.check_load_balancer_group(scope, g, &vpc_id)?;
            if !groups.contains(g) {
                groups.push(g.clone());
            }
        }
        if groups.len() > 5 {
            return Err(validation("A load balancer can have at most 5 security groups"));
        }
        if lb_type == LbType::Application && groups.is_empty() {
            let default =
                self.vpcs.find(&kinds::VPC, scope, &vpc_id)?.default_security_group_id.clone();
            groups.push(default);
        }
        // The same name: the same load balancer again, or a conflict.
        if let Some(existing) = self.load_balancers.in_scope(scope).find(|lb| lb.name == req.name) {
            let same_subnets = existing.zones.len() == subnets.len()
                && subnets.iter().all(|s| existing.zones.iter().any(|z| z.subnet_id == s.id));
            if existing.lb_type == lb_type && existing.scheme == scheme && same_subnets {
                return Ok(existing.arn.clone());
            }
            return Err(Error::new(
                Elbv2::DuplicateLoadBalancerName,
                format!(
                    "A load balancer with the same name '{}' exists, but with different settings",
                    req.name
                ),
            ));
        }
        let count = self.load_balancers.in_scope(scope).count();
        if count >= LOAD_BALANCERS_PER_REGION {
            return Err(Error::new(
                Elbv2::TooManyLoadBalancers,
                format!(
                    "The maximum number of load balancers ({}) has been reached",
                    LOAD_BALANCERS_PER_REGION
                ),
            ));
        }
        let tags: Vec<(String, Option<String>)> = req.tags.clone();
        check_tags(&Tags::new(), &tags)?;

        let hex = hex16();
        let arn = format!(
            "arn:aws:elasticloadbalancing:{}:{}:loadbalancer/{}/{}/{hex}",
            scope.region,
            scope.account,
            lb_type.short(),
            req.name
        );
        let region = &scope.region;
        let dns_name = match lb_type {
            LbType::Application => {
                let n = fastrand::u64(1_000_000_000..10_000_000_000);
                let internal = if scheme == "internal" { "internal-" } else { "" };
                format!("{internal}{}-{n}.{region}.elb.amazonaws.com", req.name)
            }
            LbType::Network | LbType::Gateway => {
                format!("{}-{hex}.elb.{region}.amazonaws.com", req.name)
            }
        };
        let owner = ZoneOwner {
            lb_type,
            internet_facing: scheme == "internet-facing",
            description: format!("ELB {}/{}/{hex}", lb_type.short(), req.name),
            security_groups: &groups,
        };
        let mut zones = Vec::new();
        for (m, subnet) in mappings.iter().zip(&subnets) {
            zones.push(self.add_load_balancer_zone(scope, &owner, m, subnet)?);
        }
        self.load_balancers.insert(
            arn.clone(),
            LoadBalancer {
                arn: arn.clone(),
                owner: scope.clone(),
                name: req.name.clone(),
                lb_type,
                scheme: scheme.into(),
                vpc_id,
                ip_address_type,
                zones,
                security_group_ids: groups,
                dns_name,
                create_time: now,
                attributes: default_attributes(lb_type),
                tags: tags.into_iter().map(|(k, v)| (k, v.unwrap_or_default())).collect(),
            },
        );
        Ok(arn)
    }

    /// DeleteLoadBalancer: its interfaces go. An ARN that names nothing is accepted (AWS
    /// answers success for a load balancer already gone).
    pub fn delete_load_balancer(&mut self, scope: &Scope, arn: &str) -> Result<()> {
        check_arn(arn)?;
        let Some(lb) = self.load_balancers.get(arn).filter(|lb| &lb.owner == scope).cloned() else {
            return Ok(());
        };
        if lb.attributes.get("deletion_protection.enabled").is_some_and(|v| v == "true") {
            return Err(Error::new(
                Elbv2::OperationNotPermitted,
                format!(
                    "Load balancer '{arn}' cannot be deleted because deletion protection is enabled"
                ),
            ));
        }
        if let Some(service) = self.endpoint_service_using(arn) {
            return Err(Error::new(
                Elbv2::ResourceInUse,
                format!(
                    "Load balancer '{arn}' cannot be deleted because it is currently associated with another service ({service})"
                ),
            ));
        }
        for z in &lb.zones {
            self.remove_interface(&z.network_interface_id);
        }
        self.delete_listeners_of(arn);
        self.load_balancers.remove(arn);
        Ok(())
    }

    /// ModifyLoadBalancerAttributes: known keys only, values checked where AWS checks them.
    pub fn modify_load_balancer_attributes(
        &mut self,
        scope: &Scope,
        arn: &str,
        changes: &[(String, String)],
    ) -> Result<()> {
        let lb = self.find_load_balancer(scope, arn)?.clone();
        let defaults = default_attributes(lb.lb_type);
        for (k, v) in changes {
            if !defaults.contains_key(k) && !extra_attribute_keys(lb.lb_type).contains(&k.as_str())
            {
                return Err(invalid_configuration(format!("Key {k} not valid")));
            }
            let boolean = k.ends_with(".enabled") || k == "ipv6.deny_all_igw_traffic";
            if boolean && v != "true" && v != "false" {
                return Err(invalid_configuration(format!(
                    "Attribute '{k}' must be 'true' or 'false'"
                )));
            }
            if k == "load_balancing.cross_zone.enabled"
                && lb.lb_type == LbType::Application
                && v != "true"
            {
                return Err(invalid_configuration(
                    "Cross-zone load balancing cannot be disabled for Application Load Balancers",
                ));
            }
            if k == "idle_timeout.timeout_seconds"
                && !v.parse::<u32>().is_ok_and(|n| (1..=4000).contains(&n))
            {
                return Err(validation(format!(
                    "Attribute '{k}' must be an integer from 1 to 4000"
                )));
            }
        }
        if let Some(lb) = self.load_balancers.get_mut(arn) {
            for (k, v) in changes {
                lb.attributes.insert(k.clone(), v.clone());
            }
        }
        Ok(())
    }

    /// The tags of any ELBv2 resource of the scope by ARN: load balancer, target group,
    /// listener or rule (a default rule's tags live on its listener).
    pub fn elb_tags(&self, scope: &Scope, arn: &str) -> Result<&Tags> {
        let kind = arn.splitn(6, ':').nth(5).and_then(|r| r.split('/').next()).unwrap_or_default();
        match kind {
            "targetgroup" => Ok(&self.find_target_group(scope, arn)?.tags),
            "listener" => Ok(&self.find_listener(scope, arn)?.tags),
            "listener-rule" => match self.listener_of_default_rule(scope, arn) {
                Some(l) => Ok(&l.default_rule_tags),
                None => Ok(&self.find_rule(scope, arn)?.tags),
            },
            _ => Ok(&self.find_load_balancer(scope, arn)?.tags),
        }
    }

    fn elb_tags_mut(&mut self, scope: &Scope, arn: &str) -> Result<&mut Tags> {
        self.elb_tags(scope, arn)?;
        let owner = self.listener_of_default_rule(scope, arn).map(|l| l.arn.clone());
        let tags = match owner {
            Some(l) => self.listeners.get_mut(&l).map(|l| &mut l.default_rule_tags),
            None => self
                .load_balancers
                .get_mut(arn)
                .map(|x| &mut x.tags)
                .or(self.target_groups.get_mut(arn).map(|x| &mut x.tags))
                .or(self.listeners.get_mut(arn).map(|x| &mut x.tags))
                .or(self.listener_rules.get_mut(arn).map(|x| &mut x.tags)),
        };
        tags.ok_or_else(|| not_found(&[arn.to_owned()]))
    }

    /// AddTags on any ELBv2 resource.
    pub fn add_elb_tags(
        &mut self,
        scope: &Scope,
        arn: &str,
        tags: &[(String, Option<String>)],
    ) -> Result<()> {
        check_tags(self.elb_tags(scope, arn)?, tags)?;
        let existing = self.elb_tags_mut(scope, arn)?;
        for (k, v) in tags {
            existing.insert(k.clone(), v.clone().unwrap_or_default());
        }
        Ok(())
    }

    /// RemoveTags on any ELBv2 resource.
    pub fn remove_elb_tags(&mut self, scope: &Scope, arn: &str, keys: &[String]) -> Result<()> {
        self.elb_tags_mut(scope, arn)?.retain(|k, _| !keys.contains(k));
        Ok(())
    }

    /// A security group given to a load balancer in `vpc_id`: one the caller does not have is
    /// `InvalidSecurityGroup`; one of another VPC is AWS's `InvalidConfigurationRequest`
    /// ("Security group '…' does not belong to VPC '…'", as AWS answers CreateLoadBalancer).
    fn check_load_balancer_group(&self, scope: &Scope, group: &str, vpc_id: &str) -> Result<()> {
        match self.security_groups.get(group).filter(|sg| &sg.owner == scope) {
            None => Err(Error::new(
                Elbv2::InvalidSecurityGroup,
                format!("Security group '{group}' does not exist in VPC '{vpc_id}'"),
            )),
            Some(sg) if sg.vpc_id != vpc_id => Err(invalid_configuration(format!(
                "Security group '{group}' does not belong to VPC '{vpc_id}'"
            ))),
            Some(_) => Ok(()),
        }
    }

    /// SetSecurityGroups on an Application or Network Load Balancer.
    pub fn set_load_balancer_security_groups(
        &mut self,
        scope: &Scope,
        arn: &str,
        groups: &[String],
    ) -> Result<()> {
        let lb = self.find_load_balancer(scope, arn)?.clone();
        if lb.lb_type == LbType::Gateway {
            return Err(invalid_configuration(
                "Security groups are not supported for load balancers with type 'gateway'",
            ));
        }
        if lb.lb_type == LbType::Network && lb.security_group_ids.is_empty() && !groups.is_empty() {
            return Err(invalid_configuration(
                "A Network Load Balancer created without security groups cannot get any",
            ));
        }
        let mut unique: Vec<String> = Vec::new();
        for g in groups {
            self.check_load_balancer_group(scope, g, &lb.vpc_id)?;
            if !unique.contains(g) {
                unique.push(g.clone());
            }
        }
        if unique.len() > 5 {
            return Err(validation("A load balancer can have at most 5 security groups"));
        }
        if lb.lb_type == LbType::Application && unique.is_empty() {
            return Err(validation(
                "An Application Load Balancer needs at least one security group",
            ));
        }
        for z in &lb.zones {
            if let Some(eni) = self.network_interfaces.get_mut(&z.network_interface_id) {
                eni.security_groups = unique.clone();
            }
        }
        if let Some(l) = self.load_balancers.get_mut(arn) {
            l.security_group_ids = unique;
        }
        Ok(())
    }

    /// SetIpAddressType: `ipv4` or `dualstack` (every subnet needs an IPv6 block).
    pub fn set_load_balancer_ip_address_type(
        &mut self,
        scope: &Scope,
        arn: &str,
        ip_address_type: &str,
    ) -> Result<()> {
        let lb = self.find_load_balancer(scope, arn)?.clone();
        check_ip_address_type(ip_address_type)?;
        self.check_dualstack_listeners(&lb, ip_address_type)?;
        if ip_address_type == "dualstack" {
            for z in &lb.zones {
                if self.subnets.get(&z.subnet_id).is_some_and(|s| s.ipv6_cidr_blocks.is_empty()) {
                    return Err(no_ipv6_block(&z.subnet_id));
                }
            }
        }
        if let Some(l) = self.load_balancers.get_mut(arn) {
            l.ip_address_type = ip_address_type.to_owned();
        }
        Ok(())
    }

    /// SetSubnets: the subnets (`Subnets` or `SubnetMappings`) replace the enabled ones, as
    /// the API reference and the user guides say per type:
    ///
    /// - Application: any set of subnets of its VPC in at least two zones; a zone's subnet may
    ///   change (its interface is replaced).
    /// - Network: zones can be enabled and disabled, but not while an endpoint service with
    ///   connected endpoints fronts it; a kept subnet keeps its Elastic IP or private address,
    ///   and changing the subnet of an enabled zone takes two calls (remove, then add).
    /// - Gateway: every subnet enabled before must stay; zones can only be added.
    ///
    /// New zones get their requester-managed interface; removed zones lose theirs (its
    /// addresses go back to the subnet, its Elastic IP is disassociated). `ip_address_type`,
    /// when given, changes the load balancer's as SetIpAddressType would.
    pub fn set_load_balancer_subnets(
        &mut self,
        scope: &Scope,
        arn: &str,
        subnets: &[String],
        subnet_mappings: &[SubnetMappingSpec],
        ip_address_type: Option<&str>,
    ) -> Result<()> {
        let lb = self.find_load_balancer(scope, arn)?.clone();
        let ip_address_type = ip_address_type.unwrap_or(&lb.ip_address_type).to_owned();
        check_ip_address_type(&ip_address_type)?;
        self.check_dualstack_listeners(&lb, &ip_address_type)?;
        let mappings = requested_mappings(subnets, subnet_mappings)?;
        let asked = self.load_balancer_subnets(scope, &mappings, &ip_address_type)?;
        if let Some(s) = asked.iter().find(|s| s.vpc_id != lb.vpc_id) {
            return Err(Error::new(
                Elbv2::InvalidSubnet,
                format!("Subnet '{}' is not in the VPC of the load balancer ({})", s.id, lb.vpc_id),
            ));
        }
        check_zone_count(lb.lb_type, asked.len())?;

        // Which zones stay, which come, which go.
        let mut added: Vec<(SubnetMappingSpec, Subnet)> = Vec::new();
        for (m, subnet) in mappings.iter().zip(&asked) {
            match lb.zones.iter().find(|z| z.subnet_id == subnet.id) {
                Some(kept) => check_kept_mapping(m, kept)?,
                None => {
                    let zone_taken = lb.zones.iter().any(|z| z.zone == subnet.availability_zone);
                    if zone_taken && lb.lb_type != LbType::Application {
                        return Err(invalid_configuration(format!(
                            "The subnet of Availability Zone '{}' cannot be changed in one request: remove the zone's subnet first, then add '{}'",
                            subnet.availability_zone, subnet.id
                        )));
                    }
                    added.push((m.clone(), subnet.clone()));
                }
            }
        }
        let removed: Vec<&LbZone> =
            lb.zones.iter().filter(|z| !asked.iter().any(|s| s.id == z.subnet_id)).collect();
        if !removed.is_empty() {
            match lb.lb_type {
                LbType::Application => {}
                LbType::Gateway => {
                    return Err(invalid_configuration(
                        "The subnets of a Gateway Load Balancer must include all the subnets enabled before, plus any additional subnets",
                    ));
                }
                LbType::Network => {
                    if let Some(service) = self.endpoint_service_with_connections(arn) {
                        return Err(invalid_configuration(format!(
                            "Subnets cannot be removed from load balancer '{arn}' while it has active VPC endpoint associations ({service})"
                        )));
                    }
                }
            }
        }
        let new_mappings: Vec<SubnetMappingSpec> = added.iter().map(|(m, _)| m.clone()).collect();
        self.check_mapping_addresses(scope, lb.lb_type, &lb.scheme, &new_mappings)?;

        for z in &removed {
            self.remove_interface(&z.network_interface_id);
        }
        let owner = ZoneOwner {
            lb_type: lb.lb_type,
            internet_facing: lb.is_internet_facing(),
            description: format!("ELB {}", lb.resource_id()),
            security_groups: &lb.security_group_ids,
        };
        let mut zones = Vec::new();
        for subnet in &asked {
            let zone = match lb.zones.iter().find(|z| z.subnet_id == subnet.id) {
                Some(kept) => kept.clone(),
                None => {
                    let Some((m, _)) = added.iter().find(|(_, s)| s.id == subnet.id) else {
                        continue;
                    };
                    self.add_load_balancer_zone(scope, &owner, m, subnet)?
                }
            };
            zones.push(zone);
        }
        if let Some(l) = self.load_balancers.get_mut(arn) {
            l.zones = zones;
            l.ip_address_type = ip_address_type;
        }
        Ok(())
    }

    /// The endpoint service fronting a load balancer, when endpoints are connected to it
    /// (`pendingAcceptance` or `available`).
    fn endpoint_service_with_connections(&self, lb_arn: &str) -> Option<String> {
        self.vpc_endpoint_services
            .values()
            .filter(|s| s.load_balancer_arns().any(|a| a == lb_arn))
            .find(|s| {
                self.endpoint_connections(s).any(|e| {
                    matches!(e.state, EndpointState::Available | EndpointState::PendingAcceptance)
                })
            })
            .map(|s| s.id.clone())
    }

    /// Dualstack is refused for a Network Load Balancer with a UDP or TCP_UDP listener.
    fn check_dualstack_listeners(&self, lb: &LoadBalancer, ip_address_type: &str) -> Result<()> {
        let udp = self.listeners.values().any(|l| {
            l.load_balancer_arn == lb.arn
                && matches!(l.protocol, Some(Protocol::Udp | Protocol::TcpUdp))
        });
        if ip_address_type == "dualstack" && udp {
            return Err(invalid_configuration(
                "The IP address type 'dualstack' cannot be used by a load balancer with a UDP or TCP_UDP listener",
            ));
        }
        Ok(())
    }

    /// The subnets of a load balancer's mappings, in their order: each exists in the scope,
    /// all share one VPC, one per Availability Zone, each with an IPv6 block for `dualstack`.
    fn load_balancer_subnets(
        &self,
        scope: &Scope,
        mappings: &[SubnetMappingSpec],
        ip_address_type: &str,
    ) -> Result<Vec<Subnet>> {
        let mut subnets: Vec<Subnet> = Vec::new();
        for m in mappings {
            let subnet =
                self.subnets.get(&m.subnet_id).filter(|s| &s.owner == scope).cloned().ok_or_else(
                    || {
                        Error::new(
                            Elbv2::SubnetNotFound,
                            format!("The subnet ID '{}' is not valid", m.subnet_id),
                        )
                    },
                )?;
            if let Some(first) = subnets.first()
                && first.vpc_id != subnet.vpc_id
            {
                return Err(Error::new(
                    Elbv2::InvalidSubnet,
                    "The subnets of a load balancer must all belong to the same VPC",
                ));
            }
            if subnets.iter().any(|s| s.availability_zone == subnet.availability_zone) {
                return Err(invalid_configuration(
                    "A load balancer cannot be attached to multiple subnets in the same Availability Zone",
                ));
            }
            if ip_address_type == "dualstack" && subnet.ipv6_cidr_blocks.is_empty() {
                return Err(no_ipv6_block(&subnet.id));
            }
            subnets.push(subnet);
        }
        Ok(subnets)
    }

    /// Checks the Elastic IPs and private addresses of subnet mappings: only a Network Load
    /// Balancer takes them (Elastic IPs when internet-facing, private addresses when
    /// internal), and each Elastic IP exists in the scope, free.
    fn check_mapping_addresses(
        &self,
        scope: &Scope,
        lb_type: LbType,
        scheme: &str,
        mappings: &[SubnetMappingSpec],
    ) -> Result<()> {
        for m in mappings {
            if m.allocation_id.is_some() || m.private_ipv4_address.is_some() {
                if lb_type != LbType::Network {
                    return Err(invalid_configuration(
                        "Elastic IP addresses and private IPv4 addresses can be specified only for Network Load Balancers",
                    ));
                }
                if m.allocation_id.is_some() && scheme == "internal" {
                    return Err(invalid_configuration(
                        "Elastic IP addresses cannot be specified for an internal load balancer",
                    ));
                }
                if m.private_ipv4_address.is_some() && scheme == "internet-facing" {
                    return Err(invalid_configuration(
                        "Private IPv4 addresses can be specified only for an internal load balancer",
                    ));
                }
            }
            if let Some(a) = &m.allocation_id {
                match self.addresses.get(a).filter(|x| &x.owner == scope) {
                    None => return Err(allocation_not_found(a)),
                    Some(x) if x.association.is_some() => {
                        return Err(invalid_configuration(format!(
                            "The Elastic IP address '{a}' is already associated"
                        )));
                    }
                    Some(_) => {}
                }
            }
        }
        Ok(())
    }

    /// Enables one Availability Zone: the requester-managed interface in the subnet with its
    /// private address (the mapping's, or the lowest free one) and, for an internet-facing
    /// load balancer, its public address (the mapping's Elastic IP, or one of the pool).
    fn add_load_balancer_zone(
        &mut self,
        scope: &Scope,
        owner: &ZoneOwner<'_>,
        m: &SubnetMappingSpec,
        subnet: &Subnet,
    ) -> Result<LbZone> {
        let wanted = match &m.private_ipv4_address {
            Some(ip) => Some(ip.parse::<Ipv4Addr>().map_err(|_| {
                validation(format!("The private IPv4 address '{ip}' is not valid"))
            })?),
            None => None,
        };
        let ip = self.allocate_private_ip(&subnet.id, wanted).map_err(|e| match wanted {
            Some(_) => invalid_configuration(e.message),
            None => Error::new(
                Elbv2::InvalidSubnet,
                format!("The subnet '{}' is out of available addresses", subnet.id),
            ),
        })?;
        let eni_id = self.fresh_id("eni");
        let public = if owner.internet_facing {
            let (address, allocation_id) = match &m.allocation_id {
                Some(a) => {
                    let association_id = self.fresh_id("eipassoc");
                    let x = self.addresses.get_mut(a).ok_or_else(|| allocation_not_found(a))?;
                    x.association = Some(AddressAssociation {
                        association_id,
                        network_interface_id: eni_id.clone(),
                        private_ip: ip,
                    });
                    (x.public_ip, Some(a.clone()))
                }
                None => (self.allocate_public_ipv4(), None),
            };
            Some(PublicIp { address, allocation_id })
        } else {
            None
        };
        let spec = ManagedInterface {
            security_groups: owner.security_groups.to_vec(),
            requester_id: Some("amazon-elb"),
            ..ManagedInterface::with_addresses(
                owner.description.clone(),
                owner.lb_type.interface_type(),
                vec![PrivateIp { address: ip, public }],
            )
        };
        self.insert_managed_interface_as(scope, &subnet.id, &eni_id, spec)?;
        Ok(LbZone {
            zone: subnet.availability_zone.clone(),
            subnet_id: subnet.id.clone(),
            network_interface_id: eni_id,
            private_ip: ip,
            allocation_id: m.allocation_id.clone(),
            private_ip_requested: wanted.is_some(),
        })
    }
}

/// What a new zone's interface takes from its load balancer.
struct ZoneOwner<'a> {
    lb_type: LbType,
    internet_facing: bool,
    /// `ELB <app|net|gwy>/<name>/<hex>`.
    description: String,
    security_groups: &'a [String],
}

/// The mappings of a request that names either `Subnets` or `SubnetMappings`.
fn requested_mappings(
    subnets: &[String],
    mappings: &[SubnetMappingSpec],
) -> Result<Vec<SubnetMappingSpec>> {
    match (subnets.is_empty(), mappings.is_empty()) {
        (false, false) => Err(validation("You can specify subnets or subnet mappings, not both")),
        (true, true) => Err(validation("At least one subnet or subnet mapping must be specified")),
        (false, true) => Ok(subnets
            .iter()
            .map(|s| SubnetMappingSpec { subnet_id: s.clone(), ..Default::default() })
            .collect()),
        (true, false) => Ok(mappings.to_vec()),
    }
}

/// An Application Load Balancer needs subnets in at least two Availability Zones.
fn check_zone_count(lb_type: LbType, zones: usize) -> Result<()> {
    if lb_type == LbType::Application && zones < 2 {
        return Err(invalid_configuration(
            "At least two subnets in two different Availability Zones must be specified",
        ));
    }
    Ok(())
}

/// The IP address types vpclab serves.
fn check_ip_address_type(ip_address_type: &str) -> Result<()> {
    if matches!(ip_address_type, "ipv4" | "dualstack") {
        Ok(())
    } else {
        Err(validation(format!(
            "IP address type '{ip_address_type}' is not supported by vpclab (ipv4, dualstack)"
        )))
    }
}

/// A kept subnet keeps its configuration: a mapping may repeat its Elastic IP or private
/// address, not name another.
fn check_kept_mapping(m: &SubnetMappingSpec, kept: &LbZone) -> Result<()> {
    let other_eip =
        m.allocation_id.as_ref().is_some_and(|a| kept.allocation_id.as_ref() != Some(a));
    let other_ip = m.private_ipv4_address.as_ref().is_some_and(|ip| {
        !kept.private_ip_requested || ip.parse::<Ipv4Addr>().ok() != Some(kept.private_ip)
    });
    if other_eip || other_ip {
        return Err(invalid_configuration(format!(
            "Subnet '{}' is already enabled with another configuration; include it with its existing configuration",
            kept.subnet_id
        )));
    }
    Ok(())
}

fn no_ipv6_block(subnet_id: &str) -> Error {
    Error::new(
        Elbv2::InvalidSubnet,
        format!("Subnet '{subnet_id}' does not have an IPv6 CIDR block"),
    )
}

fn allocation_not_found(allocation_id: &str) -> Error {
    Error::new(
        Elbv2::AllocationIdNotFound,
        format!("The allocation ID '{allocation_id}' does not exist"),
    )
}

impl References for LoadBalancer {
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        each(Reference::new("vpc", &self.vpc_id, "VpcId"));
        for z in &self.zones {
            each(Reference::new("subnet", &z.subnet_id, "AvailabilityZones.SubnetId"));
            each(Reference::new("network_interface", &z.network_interface_id, "network interface"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::world_with_vpc;

    fn two_subnets(w: &mut World, scope: &Scope, vpc: &str) -> (String, String) {
        let a = w.create_subnet(scope, vpc, "10.0.1.0/24", Some("us-east-1a"), None, &[]).unwrap();
        let b = w.create_subnet(scope, vpc, "10.0.2.0/24", Some("us-east-1b"), None, &[]).unwrap();
        (a, b)
    }

    fn nlb(name: &str, subnets: &[&str]) -> NewLoadBalancer {
        NewLoadBalancer {
            name: name.into(),
            lb_type: Some("network".into()),
            scheme: Some("internal".into()),
            subnets: subnets.iter().map(|s| (*s).to_owned()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_network_load_balancer_has_an_interface_per_subnet() {
        let (mut w, scope, vpc) = world_with_vpc();
        let (a, b) = two_subnets(&mut w, &scope, &vpc);
        let arn = w.create_load_balancer(&scope, nlb("svc", &[&a, &b]), 0).unwrap();
        assert!(arn.starts_with(
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/svc/"
        ));
        let lb = w.find_load_balancer(&scope, &arn).unwrap().clone();
        let hex = arn.rsplit('/').next().unwrap();
        assert_eq!(hex.len(), 16);
        assert_eq!(lb.dns_name, format!("svc-{hex}.elb.us-east-1.amazonaws.com"));
        assert_eq!(lb.zones.len(), 2);
        let eni = w.network_interfaces.get(&lb.zones[0].network_interface_id).unwrap();
        assert_eq!(eni.interface_type, "network_load_balancer");
        assert_eq!(eni.description, format!("ELB net/svc/{hex}"));
        assert!(eni.requester_managed);
        assert_eq!(lb.resource_id(), format!("net/svc/{hex}"));
        assert_eq!(lb.attributes["load_balancing.cross_zone.enabled"], "false");

        // The same request again returns the same load balancer; other settings conflict.
        assert_eq!(w.create_load_balancer(&scope, nlb("svc", &[&a, &b]), 0).unwrap(), arn);
        let err = w.create_load_balancer(&scope, nlb("svc", &[&a]), 0).unwrap_err();
        assert_eq!(err.code, "DuplicateLoadBalancerName");

        let enis: Vec<String> = lb.zones.iter().map(|z| z.network_interface_id.clone()).collect();
        w.delete_load_balancer(&scope, &arn).unwrap();
        assert!(enis.iter().all(|e| !w.network_interfaces.contains(e)));
        assert_eq!(w.find_load_balancer(&scope, &arn).unwrap_err().code, "LoadBalancerNotFound");
        w.delete_load_balancer(&scope, &arn).unwrap();
    }

    #[test]
    fn an_application_load_balancer_needs_two_zones_and_an_internet_gateway() {
        let (mut w, scope, vpc) = world_with_vpc();
        let (a, b) = two_subnets(&mut w, &scope, &vpc);
        let alb = |subnets: &[&str], scheme: &str| NewLoadBalancer {
            name: "web".into(),
            scheme: Some(scheme.into()),
            subnets: subnets.iter().map(|s| (*s).to_owned()).collect(),
            ..Default::default()
        };
        let err = w.create_load_balancer(&scope, alb(&[&a], "internal"), 0).unwrap_err();
        assert_eq!(err.code, "InvalidConfigurationRequest");
        let err = w.create_load_balancer(&scope, alb(&[&a, &b], "internet-facing"), 0).unwrap_err();
        assert_eq!(err.code, "InvalidSubnet");
        let arn = w.create_load_balancer(&scope, alb(&[&a, &b], "internal"), 0).unwrap();
        let lb = w.find_load_balancer(&scope, &arn).unwrap();
        assert!(lb.dns_name.starts_with("internal-web-"));
        assert!(lb.dns_name.ends_with(".us-east-1.elb.amazonaws.com"));
        let default_sg = w.vpcs.get(&vpc).unwrap().default_security_group_id.clone();
        assert_eq!(lb.security_group_ids, vec![default_sg]);
        let err = w
            .modify_load_balancer_attributes(
                &scope,
                &arn,
                &[("load_balancing.cross_zone.enabled".into(), "false".into())],
            )
            .unwrap_err();
        assert_eq!(err.code, "InvalidConfigurationRequest");
        w.modify_load_balancer_attributes(
            &scope,
            &arn,
            &[("deletion_protection.enabled".into(), "true".into())],
        )
        .unwrap();
        assert_eq!(w.delete_load_balancer(&scope, &arn).unwrap_err().code, "OperationNotPermitted");
    }

    #[test]
    fn bad_requests_get_elb_codes() {
        let (mut w, scope, vpc) = world_with_vpc();
        let (a, _) = two_subnets(&mut w, &scope, &vpc);
        let other =
            w.create_subnet(&scope, &vpc, "10.0.3.0/24", Some("us-east-1a"), None, &[]).unwrap();
        let code = |w: &mut World, r: NewLoadBalancer| {
            w.create_load_balancer(&scope, r, 0).unwrap_err().code
        };
        assert_eq!(code(&mut w, nlb("-bad", &[&a])), "ValidationError");
        assert_eq!(code(&mut w, nlb("internal-x", &[&a])), "ValidationError");
        assert_eq!(code(&mut w, nlb("x", &["subnet-0123456789abcdef0"])), "SubnetNotFound");
        assert_eq!(code(&mut w, nlb("x", &[&a, &other])), "InvalidConfigurationRequest");
        assert_eq!(code(&mut w, nlb("x", &[])), "ValidationError");
        let mut r = nlb("x", &[&a]);
        r.security_groups = vec!["sg-0123456789abcdef0".into()];
        assert_eq!(code(&mut w, r), "InvalidSecurityGroup");
        let mut r = nlb("x", &[&a]);
        r.lb_type = Some("gateway".into());
        assert_eq!(code(&mut w, r), "InvalidConfigurationRequest");
        let mut r = nlb("x", &[&a]);
        r.tags = vec![("k".into(), None), ("k".into(), Some("v".into()))];
        assert_eq!(code(&mut w, r), "DuplicateTagKeys");
        assert_eq!(check_arn("arn:aws:ec2:x").unwrap_err().code, "ValidationError");
    }

    #[test]
    fn a_gateway_load_balancer_is_internal_without_security_groups() {
        let (mut w, scope, vpc) = world_with_vpc();
        let (a, _) = two_subnets(&mut w, &scope, &vpc);
        let mut r = nlb("fw", &[&a]);
        r.lb_type = Some("gateway".into());
        r.scheme = None;
        let arn = w.create_load_balancer(&scope, r, 0).unwrap();
        assert!(arn.contains(":loadbalancer/gwy/fw/"));
        let lb = w.find_load_balancer(&scope, &arn).unwrap();
        assert_eq!(lb.scheme, "internal");
        assert!(lb.security_group_ids.is_empty());
        let eni = w.network_interfaces.get(&lb.zones[0].network_interface_id).unwrap();
        assert_eq!(eni.interface_type, "gateway_load_balancer");
    }
}
