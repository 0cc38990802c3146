//! Route 53 Resolver: endpoints, forwarding rules and their VPC associations.
//!
//! An endpoint ([`ResolverEndpoint`]) is INBOUND (on-premises resolvers send queries to it) or
//! OUTBOUND (the VPC resolver forwards queries through it). Its 2–6 addresses, in subnets of one
//! VPC, are requester-managed network interfaces carrying the endpoint's security groups: they
//! take addresses from their subnets as any interface does, and give them back when the endpoint
//! is deleted. Endpoints are `OPERATIONAL` at once.
//!
//! A rule ([`ResolverRule`]) names a domain: FORWARD sends the VPC resolver's queries for the
//! domain (and its subdomains) to target addresses through an OUTBOUND endpoint; SYSTEM takes a
//! subdomain back from a forwarding rule. RECURSIVE is AWS's own auto-defined rule for `.`
//! ([`INTERNET_RESOLVER_RULE_ID`]), listed but not created, changed or deleted. A rule applies to
//! a VPC once associated with it ([`RuleAssociation`]); a VPC has at most one rule per domain.
//! The DNS plane reads the associated rules ([`World::resolver_rules_of_vpc`]).
//!
//! vpclab extension: FORWARD targets may be loopback addresses, which stand for DNS servers on
//! premises (a local server answers for them).
//!
//! `CreatorRequestId` makes creation idempotent: a retry with the same id and the same request
//! returns the resource made the first time; the same id with a different request is
//! `ResourceExistsException`. Errors are Resolver's codes (all HTTP 400).

use crate::error::{Error, Result};
use crate::references::{Reference, References};
use crate::types::ec2::Tags;
use crate::types::ec2::eni::ManagedInterface;
pub use crate::types::route53_resolver::*;
use crate::world::{Scope, World};
use codes::Route53Resolver;
use std::net::{Ipv4Addr, SocketAddr};

/// Addresses an endpoint has at least.
pub const MIN_ENDPOINT_IPS: usize = 2;
/// Addresses per endpoint (AWS's quota).
pub const MAX_ENDPOINT_IPS: usize = 6;
/// Endpoints per account and region (AWS's quota).
pub const MAX_ENDPOINTS: usize = 4;
/// Rules per account and region (AWS's quota).
pub const MAX_RULES: usize = 1000;
/// Tags per resource.
pub const MAX_TAGS: usize = 200;
/// The DNS port targets default to.
pub const DEFAULT_PORT: u16 = 53;

/// A name: up to 64 letters, digits, `-`, `_` and spaces, not digits alone.
fn check_name(name: Option<&str>) -> Result<()> {
    let Some(name) = name else { return Ok(()) };
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ' ');
    if name.chars().count() > 64
        || !name.chars().all(allowed)
        || (!name.is_empty() && name.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(Error::new(
            Route53Resolver::InvalidParameterException,
            format!(
                "The name '{name}' is not valid: use up to 64 letters, digits, hyphens, underscores and spaces, not only digits."
            ),
        ));
    }
    Ok(())
}

fn check_creator_request_id(id: &str) -> Result<()> {
    if id.is_empty() || id.len() > 255 {
        return Err(Error::new(
            Route53Resolver::InvalidParameterException,
            "CreatorRequestId must be 1 to 255 characters long.",
        ));
    }
    Ok(())
}

fn check_tags(tags: &[(String, String)]) -> Result<()> {
    crate::tags::validate(tags)
        .map_err(|e| Error::new(Route53Resolver::InvalidParameterException, e.message))?;
    if tags.len() > MAX_TAGS {
        return Err(Error::new(
            Route53Resolver::LimitExceededException,
            format!("A resource can have at most {MAX_TAGS} tags."),
        ));
    }
    Ok(())
}

/// A domain name as Resolver stores it: lower case, trailing dot; `None` if it is not a name.
pub fn normalize_domain(text: &str) -> Option<String> {
    let trimmed = text.trim_end_matches('.').to_ascii_lowercase();
    if trimmed.is_empty() {
        return None;
    }
    let labels_ok = trimmed.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'*'))
    });
    (labels_ok && trimmed.len() < 255).then(|| format!("{trimmed}."))
}

fn parse_targets(targets: &[TargetSpec]) -> Result<Vec<Target>> {
    targets
        .iter()
        .map(|(ip, port)| {
            let ip = ip.as_deref().ok_or_else(|| {
                Error::new(Route53Resolver::InvalidRequestException, "Each target needs an IPv4 address (Ip); vpclab does not forward to IPv6 targets.")
            })?;
            let ip: Ipv4Addr = ip.parse().map_err(|_| {
                Error::new(Route53Resolver::InvalidParameterException, format!("The target IP address '{ip}' is not a valid IPv4 address."))
            })?;
            let port = match port {
                None => DEFAULT_PORT,
                Some(p) => u16::try_from(*p).ok().filter(|p| *p != 0).ok_or_else(|| {
                    Error::new(Route53Resolver::InvalidParameterException, format!("The target port {p} is not between 1 and 65535."))
                })?,
            };
            Ok(Target { ip, port })
        })
        .collect()
}

impl World {
    /// An endpoint of the caller's.
    pub fn resolver_endpoint(&self, scope: &Scope, id: &str) -> Result<&ResolverEndpoint> {
        self.r53r_endpoints.get(id).filter(|e| &e.owner == scope).ok_or_else(|| {
            Error::new(
                Route53Resolver::ResourceNotFoundException,
                format!("Resolver endpoint with ID '{id}' does not exist."),
            )
        })
    }

    /// A rule of the caller's, or AWS's auto-defined one.
    pub fn resolver_rule(&self, scope: &Scope, id: &str) -> Result<ResolverRule> {
        if id == INTERNET_RESOLVER_RULE_ID {
            return Ok(ResolverRule::internet_resolver(scope));
        }
        self.r53r_rules.get(id).filter(|r| &r.owner == scope).cloned().ok_or_else(|| {
            Error::new(
                Route53Resolver::ResourceNotFoundException,
                format!("Resolver rule with ID '{id}' does not exist."),
            )
        })
    }

    /// A rule association of the caller's.
    pub fn resolver_rule_association(&self, scope: &Scope, id: &str) -> Result<&RuleAssociation> {
        self.r53r_rule_associations.get(id).filter(|a| &a.owner == scope).ok_or_else(|| {
            Error::new(
                Route53Resolver::ResourceNotFoundException,
                format!("Resolver rule association with ID '{id}' does not exist."),
            )
        })
    }

    /// CreateResolverEndpoint.
    pub fn create_resolver_endpoint(
        &mut self,
        scope: &Scope,
        req: NewEndpoint,
        now: i64,
    ) -> Result<String> {
        check_creator_request_id(&req.creator_request_id)?;
        check_name(req.name.as_deref())?;
        check_tags(&req.tags)?;
        let direction = match req.direction.as_str() {
            "INBOUND" => Direction::Inbound,
            "OUTBOUND" => Direction::Outbound,
            other => {
                return Err(Error::new(
                    Route53Resolver::InvalidParameterException,
                    format!("vpclab serves INBOUND and OUTBOUND endpoints, not {other}."),
                ));
            }
        };
        if let Some(existing) = self
            .r53r_endpoints
            .values()
            .find(|e| &e.owner == scope && e.creator_request_id == req.creator_request_id)
        {
            let same = existing.direction == direction
                && existing.name == req.name
                && existing.ips.len() == req.ips.len();
            return if same {
                Ok(existing.id.clone())
            } else {
                Err(Error::new(
                    Route53Resolver::ResourceExistsException,
                    format!(
                        "A Resolver endpoint with creator request ID '{}' already exists with other settings.",
                        req.creator_request_id
                    ),
                ))
            };
        }
        if req.ips.len() < MIN_ENDPOINT_IPS {
            return Err(Error::new(
                Route53Resolver::InvalidRequestException,
                format!("An endpoint needs at least {MIN_ENDPOINT_IPS} IP addresses."),
            ));
        }
        if req.ips.len() > MAX_ENDPOINT_IPS {
            return Err(Error::new(
                Route53Resolver::LimitExceededException,
                format!("An endpoint can have at most {MAX_ENDPOINT_IPS} IP addresses."),
            ));
        }
        if req.security_group_ids.is_empty() {
            return Err(Error::new(
                Route53Resolver::InvalidRequestException,
                "An endpoint needs at least one security group.",
            ));
        }
        let endpoints = self.r53r_endpoints.values().filter(|e| &e.owner == scope).count();
        if endpoints >= MAX_ENDPOINTS {
            return Err(Error::new(
                Route53Resolver::LimitExceededException,
                format!(
                    "The account has reached its limit of {MAX_ENDPOINTS} endpoints in {}.",
                    scope.region
                ),
            ));
        }
        let (vpc_id, groups) = self.endpoint_placement(scope, &req)?;
        let id = self.fresh_id(direction.id_prefix());
        let ips = self.endpoint_interfaces(scope, &id, &req.ips, &groups, now)?;
        self.r53r_endpoints.insert(
            id.clone(),
            ResolverEndpoint {
                id: id.clone(),
                owner: scope.clone(),
                creator_request_id: req.creator_request_id,
                name: req.name,
                direction,
                vpc_id,
                security_group_ids: groups,
                ips,
                created_at: now,
                modified_at: now,
                tags: req.tags.into_iter().collect(),
            },
        );
        Ok(id)
    }

    /// The VPC of an endpoint's subnets (all in one) and its security groups (in that VPC),
    /// each checked to exist.
    fn endpoint_placement(
        &self,
        scope: &Scope,
        req: &NewEndpoint,
    ) -> Result<(String, Vec<String>)> {
        // Every subnet must exist and be in one VPC.
        let mut vpc_id: Option<String> = None;
        for (subnet_id, _) in &req.ips {
            let subnet =
                self.subnets.get(subnet_id).filter(|s| &s.owner == scope).ok_or_else(|| {
                    Error::new(
                        Route53Resolver::ResourceNotFoundException,
                        format!("The subnet '{subnet_id}' does not exist."),
                    )
                })?;
            match &vpc_id {
                None => vpc_id = Some(subnet.vpc_id.clone()),
                Some(v) if *v != subnet.vpc_id => {
                    return Err(Error::new(
                        Route53Resolver::InvalidRequestException,
                        "All the IP addresses of an endpoint must be in subnets of the same VPC.",
                    ));
                }
                Some(_) => {}
            }
        }
        let vpc_id = vpc_id.unwrap_or_default();
        let mut groups: Vec<String> = Vec::new();
        for g in &req.security_group_ids {
            let group =
                self.security_groups.get(g).filter(|x| &x.owner == scope).ok_or_else(|| {
                    Error::new(
                        Route53Resolver::ResourceNotFoundException,
                        format!("The security group '{g}' does not exist."),
                    )
                })?;
            if group.vpc_id != vpc_id {
                return Err(Error::new(
                    Route53Resolver::InvalidRequestException,
                    format!(
                        "The security group '{g}' is not in the VPC '{vpc_id}' of the endpoint's subnets."
                    ),
                ));
            }
            if !groups.contains(g) {
                groups.push(g.clone());
            }
        }
        Ok((vpc_id, groups))
    }

    /// One interface per requested address, in its subnet, with the endpoint's groups.
    fn endpoint_interfaces(
        &mut self,
        scope: &Scope,
        id: &str,
        requested: &[(String, Option<String>)],
        groups: &[String],
        now: i64,
    ) -> Result<Vec<EndpointIp>> {
        let mut ips = Vec::new();
        for (subnet_id, wanted) in requested {
            let wanted = match wanted {
                None => None,
                Some(text) => Some(text.parse::<Ipv4Addr>().map_err(|_| {
                    Error::new(
                        Route53Resolver::InvalidParameterException,
                        format!("'{text}' is not a valid IPv4 address."),
                    )
                })?),
            };
            let ip = self
                .allocate_private_ip(subnet_id, wanted)
                .map_err(|e| Error::new(Route53Resolver::InvalidRequestException, e.message))?;
            let ip_id = self.fresh_id("rni");
            let description = format!("Route 53 Resolver: {id}:{ip_id}");
            let spec = ManagedInterface {
                security_groups: groups.to_vec(),
                requester_id: Some("route53resolver"),
                ..ManagedInterface::new(description, "interface", ip)
            };
            let eni = self.insert_managed_interface(scope, subnet_id, spec)?;
            ips.push(EndpointIp {
                id: ip_id,
                subnet_id: subnet_id.clone(),
                ip,
                network_interface_id: eni,
                created_at: now,
            });
        }
        Ok(ips)
    }

    /// UpdateResolverEndpoint: the name.
    pub fn update_resolver_endpoint(
        &mut self,
        scope: &Scope,
        id: &str,
        name: Option<String>,
        now: i64,
    ) -> Result<()> {
        check_name(name.as_deref())?;
        self.resolver_endpoint(scope, id)?;
        if let Some(e) = self.r53r_endpoints.get_mut(id) {
            if name.is_some() {
                e.name = name;
            }
            e.modified_at = now;
        }
        Ok(())
    }

    /// DeleteResolverEndpoint: refused while a rule uses it; its interfaces go.
    pub fn delete_resolver_endpoint(
        &mut self,
        scope: &Scope,
        id: &str,
    ) -> Result<ResolverEndpoint> {
        self.resolver_endpoint(scope, id)?;
        if let Some(rule) = self.r53r_rules.values().find(|r| r.endpoint_id.as_deref() == Some(id))
        {
            return Err(Error::new(
                Route53Resolver::InvalidRequestException,
                format!(
                    "The endpoint '{id}' is used by the rule '{}'; delete or change the rule first.",
                    rule.id
                ),
            ));
        }
        let gone = self
            .r53r_endpoints
            .remove(id)
            .ok_or_else(|| Error::new(Route53Resolver::ResourceNotFoundException, id.to_owned()))?;
        for ip in &gone.ips {
            self.remove_interface(&ip.network_interface_id);
        }
        Ok(gone)
    }

    /// CreateResolverRule.
    pub fn create_resolver_rule(
        &mut self,
        scope: &Scope,
        req: NewRule,
        now: i64,
    ) -> Result<String> {
        check_creator_request_id(&req.creator_request_id)?;
        check_name(req.name.as_deref())?;
        check_tags(&req.tags)?;
        let rule_type = match req.rule_type.as_str() {
            "FORWARD" => RuleType::Forward,
            "SYSTEM" => RuleType::System,
            "RECURSIVE" => {
                return Err(Error::new(
                    Route53Resolver::InvalidRequestException,
                    "RECURSIVE rules are defined by Resolver itself and cannot be created.",
                ));
            }
            other => {
                return Err(Error::new(
                    Route53Resolver::InvalidParameterException,
                    format!("vpclab serves FORWARD and SYSTEM rules, not {other}."),
                ));
            }
        };
        let text = req.domain_name.as_deref().ok_or_else(|| {
            Error::new(
                Route53Resolver::InvalidRequestException,
                "A FORWARD or SYSTEM rule needs a DomainName.",
            )
        })?;
        let domain_name = normalize_domain(text).ok_or_else(|| {
            Error::new(
                Route53Resolver::InvalidParameterException,
                format!("'{text}' is not a valid domain name."),
            )
        })?;
        let targets = parse_targets(&req.targets)?;
        self.check_rule_targets(scope, rule_type, &targets, req.endpoint_id.as_deref())?;
        if let Some(existing) = self
            .r53r_rules
            .values()
            .find(|r| &r.owner == scope && r.creator_request_id == req.creator_request_id)
        {
            let same = existing.rule_type == rule_type
                && existing.domain_name == domain_name
                && existing.targets == targets
                && existing.endpoint_id == req.endpoint_id;
            return if same {
                Ok(existing.id.clone())
            } else {
                Err(Error::new(
                    Route53Resolver::ResourceExistsException,
                    format!(
                        "A Resolver rule with creator request ID '{}' already exists with other settings.",
                        req.creator_request_id
                    ),
                ))
            };
        }
        if self.r53r_rules.values().filter(|r| &r.owner == scope).count() >= MAX_RULES {
            return Err(Error::new(
                Route53Resolver::LimitExceededException,
                format!(
                    "The account has reached its limit of {MAX_RULES} rules in {}.",
                    scope.region
                ),
            ));
        }
        let id = self.fresh_id("rslvr-rr");
        self.r53r_rules.insert(
            id.clone(),
            ResolverRule {
                id: id.clone(),
                owner: scope.clone(),
                creator_request_id: req.creator_request_id,
                name: req.name,
                rule_type,
                domain_name,
                targets,
                endpoint_id: req.endpoint_id,
                created_at: now,
                modified_at: now,
                tags: req.tags.into_iter().collect(),
            },
        );
        Ok(id)
    }

    /// FORWARD rules need targets and an OUTBOUND endpoint of the caller's; SYSTEM rules take
    /// neither.
    fn check_rule_targets(
        &self,
        scope: &Scope,
        rule_type: RuleType,
        targets: &[Target],
        endpoint_id: Option<&str>,
    ) -> Result<()> {
        match rule_type {
            RuleType::Forward => {
                if targets.is_empty() {
                    return Err(Error::new(
                        Route53Resolver::InvalidRequestException,
                        "A FORWARD rule needs TargetIps.",
                    ));
                }
                let id = endpoint_id.ok_or_else(|| {
                    Error::new(
                        Route53Resolver::InvalidRequestException,
                        "A FORWARD rule needs a ResolverEndpointId.",
                    )
                })?;
                let endpoint = self.resolver_endpoint(scope, id)?;
                if endpoint.direction != Direction::Outbound {
                    return Err(Error::new(
                        Route53Resolver::InvalidRequestException,
                        format!("The endpoint '{id}' is not an OUTBOUND endpoint."),
                    ));
                }
                Ok(())
            }
            _ if !targets.is_empty() || endpoint_id.is_some() => Err(Error::new(
                Route53Resolver::InvalidRequestException,
                format!(
                    "A {} rule takes no TargetIps and no ResolverEndpointId.",
                    rule_type.name()
                ),
            )),
            _ => Ok(()),
        }
    }

    /// UpdateResolverRule: name, targets and endpoint, each kept when not given.
    pub fn update_resolver_rule(
        &mut self,
        scope: &Scope,
        id: &str,
        name: Option<String>,
        targets: Option<&[TargetSpec]>,
        endpoint_id: Option<String>,
        now: i64,
    ) -> Result<()> {
        check_name(name.as_deref())?;
        let rule = self.resolver_rule(scope, id)?;
        if rule.rule_type == RuleType::Recursive {
            return Err(Error::new(
                Route53Resolver::InvalidRequestException,
                "The auto-defined rule cannot be changed.",
            ));
        }
        let targets = match targets {
            Some(t) => parse_targets(t)?,
            None => rule.targets.clone(),
        };
        let endpoint_id = endpoint_id.or(rule.endpoint_id.clone());
        self.check_rule_targets(scope, rule.rule_type, &targets, endpoint_id.as_deref())?;
        if let Some(r) = self.r53r_rules.get_mut(id) {
            if name.is_some() {
                r.name = name;
            }
            r.targets = targets;
            r.endpoint_id = endpoint_id;
            r.modified_at = now;
        }
        Ok(())
    }

    /// DeleteResolverRule: refused while associated with a VPC.
    pub fn delete_resolver_rule(&mut self, scope: &Scope, id: &str) -> Result<ResolverRule> {
        let rule = self.resolver_rule(scope, id)?;
        if rule.rule_type == RuleType::Recursive {
            return Err(Error::new(
                Route53Resolver::InvalidRequestException,
                "The auto-defined rule cannot be deleted.",
            ));
        }
        if let Some(a) = self.r53r_rule_associations.values().find(|a| a.rule_id == id) {
            return Err(Error::new(
                Route53Resolver::ResourceInUseException,
                format!(
                    "The rule '{id}' is associated with the VPC '{}'; disassociate it first.",
                    a.vpc_id
                ),
            ));
        }
        self.r53r_rules.remove(id);
        Ok(rule)
    }

    /// AssociateResolverRule: one rule per domain per VPC.
    pub fn associate_resolver_rule(
        &mut self,
        scope: &Scope,
        rule_id: &str,
        vpc_id: &str,
        name: Option<String>,
    ) -> Result<String> {
        check_name(name.as_deref())?;
        let rule = self.resolver_rule(scope, rule_id)?;
        if rule.rule_type == RuleType::Recursive {
            return Err(Error::new(
                Route53Resolver::InvalidRequestException,
                "The auto-defined rule applies to every VPC already and cannot be associated.",
            ));
        }
        if self.vpcs.get(vpc_id).is_none_or(|v| &v.owner != scope) {
            return Err(Error::new(
                Route53Resolver::ResourceNotFoundException,
                format!("The VPC '{vpc_id}' does not exist."),
            ));
        }
        for a in self.r53r_rule_associations.values().filter(|a| a.vpc_id == vpc_id) {
            if a.rule_id == rule_id {
                return Err(Error::new(
                    Route53Resolver::ResourceExistsException,
                    format!("The rule '{rule_id}' is already associated with the VPC '{vpc_id}'."),
                ));
            }
            if self.r53r_rules.get(&a.rule_id).is_some_and(|r| r.domain_name == rule.domain_name) {
                return Err(Error::new(
                    Route53Resolver::ResourceExistsException,
                    format!(
                        "The VPC '{vpc_id}' already has a rule for the domain {} ('{}').",
                        rule.domain_name, a.rule_id
                    ),
                ));
            }
        }
        let id = self.fresh_id("rslvr-rrassoc");
        self.r53r_rule_associations.insert(
            id.clone(),
            RuleAssociation {
                id: id.clone(),
                owner: scope.clone(),
                rule_id: rule_id.to_owned(),
                vpc_id: vpc_id.to_owned(),
                name,
            },
        );
        Ok(id)
    }

    /// DisassociateResolverRule.
    pub fn disassociate_resolver_rule(
        &mut self,
        scope: &Scope,
        rule_id: &str,
        vpc_id: &str,
    ) -> Result<RuleAssociation> {
        self.resolver_rule(scope, rule_id)?;
        let id = self
            .r53r_rule_associations
            .values()
            .find(|a| &a.owner == scope && a.rule_id == rule_id && a.vpc_id == vpc_id)
            .map(|a| a.id.clone())
            .ok_or_else(|| {
                Error::new(
                    Route53Resolver::ResourceNotFoundException,
                    format!("The rule '{rule_id}' is not associated with the VPC '{vpc_id}'."),
                )
            })?;
        self.r53r_rule_associations
            .remove(&id)
            .ok_or_else(|| Error::new(Route53Resolver::ResourceNotFoundException, id))
    }

    /// The tags of an endpoint or rule of the caller's, by ARN.
    pub fn resolver_tags(&self, scope: &Scope, arn: &str) -> Result<&Tags> {
        let id = arn.rsplit_once('/').map(|(_, id)| id).unwrap_or_default();
        let endpoint = self.r53r_endpoints.get(id).filter(|e| &e.owner == scope && e.arn() == arn);
        let rule = self.r53r_rules.get(id).filter(|r| &r.owner == scope && r.arn() == arn);
        endpoint.map(|e| &e.tags).or(rule.map(|r| &r.tags)).ok_or_else(|| {
            Error::new(
                Route53Resolver::ResourceNotFoundException,
                format!("The resource '{arn}' does not exist."),
            )
        })
    }

    /// As [`World::resolver_tags`], for writing.
    pub fn resolver_tags_mut(&mut self, scope: &Scope, arn: &str) -> Result<&mut Tags> {
        self.resolver_tags(scope, arn)?;
        let id = arn.rsplit_once('/').map(|(_, id)| id).unwrap_or_default();
        if self.r53r_endpoints.contains(id) {
            self.r53r_endpoints.get_mut(id).map(|e| &mut e.tags)
        } else {
            self.r53r_rules.get_mut(id).map(|r| &mut r.tags)
        }
        .ok_or_else(|| {
            Error::new(
                Route53Resolver::ResourceNotFoundException,
                format!("The resource '{arn}' does not exist."),
            )
        })
    }

    /// TagResource.
    pub fn tag_resolver_resource(
        &mut self,
        scope: &Scope,
        arn: &str,
        tags: &[(String, String)],
    ) -> Result<()> {
        check_tags(tags)?;
        let target = self.resolver_tags_mut(scope, arn)?;
        for (k, v) in tags {
            target.insert(k.clone(), v.clone());
        }
        if target.len() > MAX_TAGS {
            return Err(Error::new(
                Route53Resolver::LimitExceededException,
                format!("A resource can have at most {MAX_TAGS} tags."),
            ));
        }
        Ok(())
    }

    /// The FORWARD and SYSTEM rules associated with a VPC: (domain, targets), targets empty
    /// for SYSTEM rules.
    pub fn resolver_rules_of_vpc(&self, vpc_id: &str) -> Vec<(&str, Vec<SocketAddr>)> {
        self.r53r_rule_associations
            .values()
            .filter(|a| a.vpc_id == vpc_id)
            .filter_map(|a| self.r53r_rules.get(&a.rule_id))
            .map(|r| (r.domain_name.as_str(), r.targets.iter().map(Target::socket_addr).collect()))
            .collect()
    }
}

impl References for ResolverEndpoint {
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        each(Reference::new("vpc", &self.vpc_id, "HostVPCId"));
        for ip in &self.ips {
            each(Reference::new("network_interface", &ip.network_interface_id, "IpAddresses"));
        }
    }
}

impl References for ResolverRule {
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        if let Some(endpoint_id) = &self.endpoint_id {
            each(Reference::new("r53r_endpoint", endpoint_id, "ResolverEndpointId"));
        }
    }
}

impl References for RuleAssociation {
    /// Its rule; the VPC is not checked (deleting a VPC does not wait for its associations).
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        each(Reference::new("r53r_rule", &self.rule_id, "ResolverRuleId"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::world_with_subnet;

    fn two_subnets() -> (World, Scope, String, String, String, String) {
        let (mut w, scope, vpc, a) = world_with_subnet("10.0.1.0/24");
        let b =
            w.create_subnet(&scope, &vpc, "10.0.2.0/24", Some("us-east-1b"), None, &[]).unwrap();
        let sg = w.vpcs.get(&vpc).unwrap().default_security_group_id.clone();
        (w, scope, vpc, a, b, sg)
    }

    fn outbound(a: &str, b: &str, sg: &str) -> NewEndpoint {
        NewEndpoint {
            creator_request_id: "req-1".into(),
            name: Some("out".into()),
            direction: "OUTBOUND".into(),
            security_group_ids: vec![sg.into()],
            ips: vec![(a.into(), None), (b.into(), Some("10.0.2.10".into()))],
            tags: vec![],
        }
    }

    fn forward(endpoint: &str, domain: &str, req: &str) -> NewRule {
        NewRule {
            creator_request_id: req.into(),
            rule_type: "FORWARD".into(),
            domain_name: Some(domain.into()),
            targets: vec![(Some("127.0.0.1".into()), Some(5353))],
            endpoint_id: Some(endpoint.into()),
            ..NewRule::default()
        }
    }

    #[test]
    fn an_endpoint_holds_one_managed_interface_per_address_and_frees_them() {
        let (mut w, scope, vpc, a, b, sg) = two_subnets();
        let id = w.create_resolver_endpoint(&scope, outbound(&a, &b, &sg), 1).unwrap();
        assert!(id.starts_with("rslvr-out-"));
        let e = w.resolver_endpoint(&scope, &id).unwrap().clone();
        assert_eq!(e.vpc_id, vpc);
        assert_eq!(e.ips.len(), 2);
        assert_eq!(e.ips[1].ip, "10.0.2.10".parse::<Ipv4Addr>().unwrap());
        for ip in &e.ips {
            let eni = w.network_interfaces.get(&ip.network_interface_id).unwrap();
            assert!(eni.requester_managed);
            assert_eq!(eni.security_groups, vec![sg.clone()]);
            assert_eq!(eni.subnet_id, ip.subnet_id);
            assert_eq!(eni.private_ips[0].address, ip.ip);
        }
        let free_before = w.subnets.get(&b).unwrap().available_ip_count();
        w.delete_resolver_endpoint(&scope, &id).unwrap();
        assert!(e.ips.iter().all(|ip| !w.network_interfaces.contains(&ip.network_interface_id)));
        assert_eq!(w.subnets.get(&b).unwrap().available_ip_count(), free_before + 1);
        // The address can be taken again.
        w.create_resolver_endpoint(&scope, outbound(&a, &b, &sg), 2).unwrap();
    }

    #[test]
    fn creator_request_id_makes_creation_idempotent() {
        let (mut w, scope, _, a, b, sg) = two_subnets();
        let first = w.create_resolver_endpoint(&scope, outbound(&a, &b, &sg), 1).unwrap();
        let again = w.create_resolver_endpoint(&scope, outbound(&a, &b, &sg), 2).unwrap();
        assert_eq!(first, again);
        assert_eq!(w.r53r_endpoints.len(), 1);
        let other = NewEndpoint { direction: "INBOUND".into(), ..outbound(&a, &b, &sg) };
        assert_eq!(
            w.create_resolver_endpoint(&scope, other, 3).unwrap_err().code,
            Route53Resolver::ResourceExistsException
        );

        let r1 =
            w.create_resolver_rule(&scope, forward(&first, "corp.example.com", "r"), 1).unwrap();
        let r2 =
            w.create_resolver_rule(&scope, forward(&first, "CORP.example.com.", "r"), 2).unwrap();
        assert_eq!(r1, r2);
        let err = w.create_resolver_rule(&scope, forward(&first, "other.com", "r"), 3).unwrap_err();
        assert_eq!(err.code, Route53Resolver::ResourceExistsException);
    }

    #[test]
    fn endpoint_requests_are_checked_as_resolver_checks_them() {
        let (mut w, scope, _, a, b, sg) = two_subnets();
        let one = NewEndpoint { ips: vec![(a.clone(), None)], ..outbound(&a, &b, &sg) };
        assert_eq!(
            w.create_resolver_endpoint(&scope, one, 1).unwrap_err().code,
            Route53Resolver::InvalidRequestException
        );
        let seven = NewEndpoint { ips: vec![(a.clone(), None); 7], ..outbound(&a, &b, &sg) };
        assert_eq!(
            w.create_resolver_endpoint(&scope, seven, 1).unwrap_err().code,
            Route53Resolver::LimitExceededException
        );
        let ghost = NewEndpoint {
            ips: vec![(a.clone(), None), ("subnet-0000000000000000f".into(), None)],
            ..outbound(&a, &b, &sg)
        };
        assert_eq!(
            w.create_resolver_endpoint(&scope, ghost, 1).unwrap_err().code,
            Route53Resolver::ResourceNotFoundException
        );
        let outside = NewEndpoint {
            ips: vec![(a.clone(), Some("10.9.9.9".into())), (b.clone(), None)],
            ..outbound(&a, &b, &sg)
        };
        assert_eq!(
            w.create_resolver_endpoint(&scope, outside, 1).unwrap_err().code,
            Route53Resolver::InvalidRequestException
        );
        let bad_name = NewEndpoint { name: Some("12345".into()), ..outbound(&a, &b, &sg) };
        assert_eq!(
            w.create_resolver_endpoint(&scope, bad_name, 1).unwrap_err().code,
            Route53Resolver::InvalidParameterException
        );
        // Nothing was left behind by the refusals above (the API rolls back; here we check
        // that validation came before allocation).
        assert!(w.network_interfaces.values().all(|n| !n.description.starts_with("Route 53")));
    }

    #[test]
    fn rules_need_an_outbound_endpoint_and_one_rule_per_domain_per_vpc() {
        let (mut w, scope, vpc, a, b, sg) = two_subnets();
        let out = w.create_resolver_endpoint(&scope, outbound(&a, &b, &sg), 1).unwrap();
        let inbound = NewEndpoint {
            creator_request_id: "req-in".into(),
            direction: "INBOUND".into(),
            ips: vec![(a.clone(), None), (b.clone(), None)],
            ..outbound(&a, &b, &sg)
        };
        let inb = w.create_resolver_endpoint(&scope, inbound, 1).unwrap();
        let err =
            w.create_resolver_rule(&scope, forward(&inb, "corp.example.com", "x"), 1).unwrap_err();
        assert_eq!(err.code, Route53Resolver::InvalidRequestException);
        let no_targets = NewRule { targets: vec![], ..forward(&out, "corp.example.com", "y") };
        assert_eq!(
            w.create_resolver_rule(&scope, no_targets, 1).unwrap_err().code,
            Route53Resolver::InvalidRequestException
        );
        let system_with_targets =
            NewRule { rule_type: "SYSTEM".into(), ..forward(&out, "a.com", "z") };
        assert_eq!(
            w.create_resolver_rule(&scope, system_with_targets, 1).unwrap_err().code,
            Route53Resolver::InvalidRequestException
        );

        let r1 = w.create_resolver_rule(&scope, forward(&out, "corp.example.com", "1"), 1).unwrap();
        let r2 =
            w.create_resolver_rule(&scope, forward(&out, "corp.example.com.", "2"), 1).unwrap();
        w.associate_resolver_rule(&scope, &r1, &vpc, None).unwrap();
        assert_eq!(
            w.associate_resolver_rule(&scope, &r1, &vpc, None).unwrap_err().code,
            Route53Resolver::ResourceExistsException
        );
        assert_eq!(
            w.associate_resolver_rule(&scope, &r2, &vpc, None).unwrap_err().code,
            Route53Resolver::ResourceExistsException
        );
        assert_eq!(
            w.resolver_rules_of_vpc(&vpc),
            vec![("corp.example.com.", vec!["127.0.0.1:5353".parse().unwrap()])]
        );
        assert_eq!(
            w.delete_resolver_rule(&scope, &r1).unwrap_err().code,
            Route53Resolver::ResourceInUseException
        );
        assert_eq!(
            w.delete_resolver_endpoint(&scope, &out).unwrap_err().code,
            Route53Resolver::InvalidRequestException
        );
        w.disassociate_resolver_rule(&scope, &r1, &vpc).unwrap();
        assert_eq!(
            w.disassociate_resolver_rule(&scope, &r1, &vpc).unwrap_err().code,
            Route53Resolver::ResourceNotFoundException
        );
        w.delete_resolver_rule(&scope, &r1).unwrap();
        assert_eq!(
            w.resolver_rule(&scope, &r1).unwrap_err().code,
            Route53Resolver::ResourceNotFoundException
        );
        assert!(w.delete_resolver_rule(&scope, INTERNET_RESOLVER_RULE_ID).is_err());
    }

    #[test]
    fn tags_are_found_by_arn() {
        let (mut w, scope, _, a, b, sg) = two_subnets();
        let id = w.create_resolver_endpoint(&scope, outbound(&a, &b, &sg), 1).unwrap();
        let arn = w.resolver_endpoint(&scope, &id).unwrap().arn();
        assert!(
            arn.starts_with("arn:aws:route53resolver:us-east-1:123456789012:resolver-endpoint/")
        );
        w.tag_resolver_resource(&scope, &arn, &[("team".into(), "net".into())]).unwrap();
        assert_eq!(w.resolver_endpoint(&scope, &id).unwrap().tags.get("team").unwrap(), "net");
        let missing = arn.replace(&id, "rslvr-out-00000000000000000");
        assert_eq!(
            w.resolver_tags_mut(&scope, &missing).unwrap_err().code,
            Route53Resolver::ResourceNotFoundException
        );
    }
}
