//! Security groups: allow-only, stateful rules that may reference other groups.
//!
//! A group holds one stored [`SecurityGroupRule`] per peer (CIDR, prefix list or group), each
//! with its own `sgr-` id, as DescribeSecurityGroupRules shows them; the API layer regroups them
//! into AWS's `IpPermission`s by (protocol, ports). Requests arrive as [`RuleRequest`]s, are
//! validated and normalised by [`World::resolve_rule`] and compared by [`RuleKey`].

use crate::cidr::{Ipv4Cidr, Ipv6Cidr};
use crate::error::{Error, Result};
use crate::kinds;
use crate::references::{Reference, References};
use crate::types::ec2::*;
use crate::world::{Scope, World};
use codes::Ec2;
use std::net::Ipv4Addr;

impl SecurityGroupRule {
    /// The egress rule every new group starts with: all traffic to 0.0.0.0/0.
    pub fn allow_all_egress(id: String) -> Self {
        SecurityGroupRule {
            id,
            protocol: "-1".into(),
            from_port: None,
            to_port: None,
            peer: RulePeer::V4(
                Ipv4Cidr::new(Ipv4Addr::UNSPECIFIED, 0)
                    .unwrap_or(Ipv4Cidr::host(Ipv4Addr::UNSPECIFIED)),
            ),
            description: None,
            tags: Default::default(),
        }
    }

    /// The IPv6 egress rule a group starts with in a VPC that has an IPv6 block: all traffic
    /// to `::/0` (AWS adds it to new groups there, and to the default group).
    pub fn allow_all_egress_v6(id: String) -> Self {
        let everywhere = Ipv6Cidr::new(std::net::Ipv6Addr::UNSPECIFIED, 0);
        SecurityGroupRule {
            peer: everywhere
                .map_or(RulePeer::V4(Ipv4Cidr::host(Ipv4Addr::UNSPECIFIED)), RulePeer::V6),
            ..SecurityGroupRule::allow_all_egress(id)
        }
    }

    /// What makes two rules the same rule (the description and id do not).
    pub fn key(&self) -> RuleKey {
        RuleKey {
            protocol: self.protocol.clone(),
            from_port: self.from_port,
            to_port: self.to_port,
            peer: match &self.peer {
                RulePeer::Group { group_id, .. } => {
                    RulePeer::Group { group_id: group_id.clone(), user_id: String::new() }
                }
                p => p.clone(),
            },
        }
    }

    /// How AWS names the rule in InvalidPermission.Duplicate messages:
    /// `peer: 0.0.0.0/0, TCP, from port: 80, to port: 80, ALLOW`.
    pub fn describe(&self) -> String {
        let peer = match &self.peer {
            RulePeer::V4(c) => c.to_string(),
            RulePeer::V6(c) => c.to_string(),
            RulePeer::PrefixList(p) => p.clone(),
            RulePeer::Group { group_id, .. } => group_id.clone(),
        };
        let proto = match self.protocol.as_str() {
            "-1" => "ALL".to_owned(),
            p => p.to_ascii_uppercase(),
        };
        match (self.from_port, self.to_port) {
            (Some(f), Some(t)) if self.protocol == "icmp" || self.protocol == "icmpv6" => {
                format!("peer: {peer}, {proto}, type: {f}, code: {t}, ALLOW")
            }
            (Some(f), Some(t)) => {
                format!("peer: {peer}, {proto}, from port: {f}, to port: {t}, ALLOW")
            }
            _ => format!("peer: {peer}, {proto}, ALLOW"),
        }
    }
}

/// The identity of a rule within a direction of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleKey {
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    pub peer: RulePeer,
}

/// Which list of a group a rule belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    pub fn is_egress(self) -> bool {
        self == Direction::Egress
    }
}

impl SecurityGroup {
    pub fn rules(&self, dir: Direction) -> &Vec<SecurityGroupRule> {
        match dir {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }

    pub fn rules_mut(&mut self, dir: Direction) -> &mut Vec<SecurityGroupRule> {
        match dir {
            Direction::Ingress => &mut self.ingress,
            Direction::Egress => &mut self.egress,
        }
    }

    pub fn arn(&self) -> String {
        self.owner.arn("ec2", &format!("security-group/{}", self.id))
    }

    /// Whether a rule of this group names `other` as its peer.
    pub fn references(&self, other: &str) -> bool {
        self.ingress
            .iter()
            .chain(self.egress.iter())
            .any(|r| matches!(&r.peer, RulePeer::Group { group_id, .. } if group_id == other))
    }
}

/// The peer of a requested rule, as the request names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerRequest {
    CidrV4(String),
    CidrV6(String),
    PrefixList(String),
    Group { group_id: Option<String>, group_name: Option<String>, user_id: Option<String> },
}

/// One rule as a request gives it: a protocol, ports and one peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRequest {
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    pub peer: PeerRequest,
    pub description: Option<String>,
}

/// A protocol as AWS stores it for security groups: `tcp`, `udp`, `icmp`, `icmpv6`, `-1`, or
/// another protocol number. Numbers of the named protocols become their names.
pub fn normalise_sg_protocol(p: &str) -> Result<String> {
    let lower = p.trim().to_ascii_lowercase();
    let named = match lower.as_str() {
        "tcp" | "6" => "tcp",
        "udp" | "17" => "udp",
        "icmp" | "1" => "icmp",
        "icmpv6" | "58" => "icmpv6",
        "-1" | "all" => "-1",
        other => {
            return match other.parse::<i32>() {
                Ok(n) if (0..=255).contains(&n) => Ok(n.to_string()),
                _ => Err(Error::invalid_parameter_value(format!(
                    "Invalid value '{p}' for IP protocol. Unknown protocol."
                ))),
            };
        }
    };
    Ok(named.to_owned())
}

/// The characters AWS allows in VPC security group names, descriptions and rule descriptions.
fn allowed_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || " ._-:/()#,@[]+=&;{}!$*".contains(c)
}

/// A rule description: at most 255 characters from AWS's set.
pub fn check_rule_description(d: &str) -> Result<()> {
    if d.chars().count() > 255 || !d.chars().all(allowed_char) {
        return Err(Error::invalid_parameter_value(
            "Invalid rule description. Valid descriptions are strings less than 256 characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*",
        ));
    }
    Ok(())
}

fn check_group_text(value: &str, param: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::missing_parameter(param));
    }
    if !value.is_ascii() {
        return Err(Error::invalid_parameter_value(format!(
            "Invalid value '{value}' for {param}. Character sets beyond ASCII are not supported."
        )));
    }
    if value.len() > 255 || !value.chars().all(allowed_char) {
        return Err(Error::invalid_parameter_value(format!(
            "Invalid value '{value}' for {param}. Valid values are up to 255 characters from a-zA-Z0-9 spaces and ._-:/()#,@[]+=&;{{}}!$*"
        )));
    }
    Ok(())
}

fn group_not_found(id: &str) -> Error {
    Error::new(Ec2::InvalidGroupNotFound, format!("The security group '{id}' does not exist"))
}

fn permission_not_found() -> Error {
    Error::new(
        Ec2::InvalidPermissionNotFound,
        "The specified rule does not exist in this security group.",
    )
}

fn ports(protocol: &str, from: Option<i32>, to: Option<i32>) -> Result<(Option<i32>, Option<i32>)> {
    match protocol {
        "tcp" | "udp" => {
            let (Some(f), Some(t)) = (from, to) else {
                return Err(Error::invalid_parameter_value(format!(
                    "Invalid value 'null' for portRange. Must specify both from and to ports with TCP/UDP ({protocol})."
                )));
            };
            for p in [f, t] {
                if !(0..=65535).contains(&p) {
                    return Err(Error::invalid_parameter_value(format!(
                        "Invalid value '{p}' for portRange. Must be in the range 0-65535."
                    )));
                }
            }
            if f > t {
                return Err(Error::invalid_parameter_value(format!(
                    "Invalid TCP/UDP port range: the from port ({f}) is greater than the to port ({t})."
                )));
            }
            Ok((Some(f), Some(t)))
        }
        "icmp" | "icmpv6" => {
            let (ty, code) = (from.unwrap_or(-1), to.unwrap_or(-1));
            for v in [ty, code] {
                if !(-1..=255).contains(&v) {
                    return Err(Error::invalid_parameter_value(format!(
                        "Invalid value '{v}' for ICMP type or code. Must be in the range -1-255."
                    )));
                }
            }
            if ty == -1 && code != -1 {
                return Err(Error::invalid_parameter_value(format!(
                    "Invalid ICMP code {code}: the ICMP code must be -1 when the type is -1 (all types)."
                )));
            }
            Ok((Some(ty), Some(code)))
        }
        // All protocols, or a protocol without ports: the ports are ignored.
        _ => Ok((None, None)),
    }
}

fn sg_cidr_v4(c: &str) -> Result<Ipv4Cidr> {
    Ipv4Cidr::parse(c.trim(), false)
        .ok_or_else(|| Error::invalid_parameter_value(format!("CIDR block {c} is malformed")))
}

fn sg_cidr_v6(c: &str) -> Result<Ipv6Cidr> {
    Ipv6Cidr::parse(c.trim(), false)
        .ok_or_else(|| Error::invalid_parameter_value(format!("CIDR block {c} is malformed")))
}

impl World {
    /// The group `id` of `scope`, with AWS's messages.
    pub fn find_security_group(&self, scope: &Scope, id: &str) -> Result<&SecurityGroup> {
        kinds::SECURITY_GROUP.check_format(id)?;
        self.security_groups
            .get(id)
            .filter(|g| &g.owner == scope)
            .ok_or_else(|| group_not_found(id))
    }

    fn default_vpc_id(&self, scope: &Scope) -> Option<String> {
        self.scopes
            .get(&scope.key())
            .and_then(|s| s.default_vpc_id.clone())
            .filter(|id| self.vpcs.contains(id))
    }

    /// A group named `name` in the default VPC (how EC2-Classic-era parameters name groups).
    pub fn security_group_in_default_vpc(
        &self,
        scope: &Scope,
        name: &str,
    ) -> Result<&SecurityGroup> {
        let vpc = self.default_vpc_id(scope).ok_or_else(|| {
            Error::new(
                Ec2::VPCIdNotSpecified,
                "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.",
            )
        })?;
        self.security_groups
            .rows_keyed(&crate::indexes::group_name_key(&vpc, name))
            .find(|g| &g.owner == scope && g.name == name)
            .ok_or_else(|| {
                Error::new(
                    Ec2::InvalidGroupNotFound,
                    format!("The security group '{name}' does not exist in default VPC '{vpc}'"),
                )
            })
    }

    /// A group of another account (`account`, else any) whose VPC is actively peered with the
    /// VPC of `group`, in the same region: rules may name it.
    fn peered_group(
        &self,
        group: &SecurityGroup,
        id: &str,
        account: Option<&str>,
    ) -> Option<&SecurityGroup> {
        self.security_groups.get(id).filter(|peer| {
            account.is_none_or(|a| peer.owner.account == a)
                && peer.owner.region == group.owner.region
                && self.active_peering_between(&group.vpc_id, &peer.vpc_id).is_some()
        })
    }

    /// The id of a group named by id, or else by name in the default VPC.
    pub fn resolve_group_id(
        &self,
        scope: &Scope,
        id: Option<&str>,
        name: Option<&str>,
    ) -> Result<String> {
        match (id, name) {
            (Some(id), _) => Ok(self.find_security_group(scope, id)?.id.clone()),
            (None, Some(name)) => Ok(self.security_group_in_default_vpc(scope, name)?.id.clone()),
            (None, None) => Err(Error::missing_parameter("GroupId")),
        }
    }

    /// The rule `id` of the scope, with its group and direction.
    pub fn find_security_group_rule(
        &self,
        scope: &Scope,
        id: &str,
    ) -> Result<(&SecurityGroup, Direction, &SecurityGroupRule)> {
        if !crate::ids::is_well_formed("sgr", id) {
            return Err(Error::new(
                Ec2::InvalidSecurityGroupRuleIdMalformed,
                format!("Invalid id: \"{id}\" (expecting \"sgr-...\")"),
            ));
        }
        self.security_groups
            .rows_keyed(&crate::indexes::member_key(id))
            .filter(|g| &g.owner == scope)
            .find_map(|g| {
                [Direction::Ingress, Direction::Egress]
                    .into_iter()
                    .find_map(|d| g.rules(d).iter().find(|r| r.id == id).map(|r| (g, d, r)))
            })
            .ok_or_else(|| kinds::SECURITY_GROUP_RULE.not_found(id))
    }

    /// CreateSecurityGroup. Without a VPC the group goes to the scope's default VPC.
    pub fn create_security_group(
        &mut self,
        scope: &Scope,
        name: &str,
        description: &str,
        vpc_id: Option<&str>,
        tags: &[(String, String)],
    ) -> Result<String> {
        check_group_text(name, "GroupName")?;
        check_group_text(description, "GroupDescription")?;
        crate::tags::validate(tags)?;
        if name.to_ascii_lowercase().starts_with("sg-") {
            return Err(Error::invalid_parameter_value(
                "Group names may not be in the format sg-*.",
            ));
        }
        let vpc_id = match vpc_id {
            Some(v) => self.vpcs.find(&kinds::VPC, scope, v)?.id.clone(),
            None => self.default_vpc_id(scope).ok_or_else(|| {
                Error::new(
                    Ec2::VPCIdNotSpecified,
                    "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.",
                )
            })?,
        };
        // "Names are case-insensitive and must be unique within the VPC" (CreateSecurityGroup's
        // GroupName in botocore's model): `WEB` collides with `web`, `Default` is reserved.
        if name.eq_ignore_ascii_case("default") {
            return Err(Error::new(
                Ec2::InvalidGroupReserved,
                "The security group 'default' is reserved and cannot be used to create a new security group.",
            ));
        }
        let named = crate::indexes::group_name_key(&vpc_id, name);
        if self.security_groups.count_keyed(&named) > 0 {
            return Err(Error::new(
                Ec2::InvalidGroupDuplicate,
                format!("The security group '{name}' already exists for VPC '{vpc_id}'"),
            ));
        }
        if self.security_groups.count_keyed(&crate::indexes::vpc_key(&vpc_id))
            >= self.quotas.security_groups_per_vpc
        {
            return Err(Error::quota(
                "security_groups_per_vpc",
                Ec2::SecurityGroupLimitExceeded,
                format!(
                    "The maximum number of security groups for VPC '{vpc_id}' has been reached."
                ),
            ));
        }
        let id = self.fresh_id("sg");
        let mut egress = vec![SecurityGroupRule::allow_all_egress(self.fresh_id("sgr"))];
        if self.vpcs.get(&vpc_id).is_some_and(|v| !v.ipv6_cidr_blocks.is_empty()) {
            egress.push(SecurityGroupRule::allow_all_egress_v6(self.fresh_id("sgr")));
        }
        self.security_groups.insert(
            id.clone(),
            SecurityGroup {
                id: id.clone(),
                owner: scope.clone(),
                name: name.to_owned(),
                description: description.to_owned(),
                vpc_id,
                ingress: vec![],
                egress,
                tags: tags.iter().cloned().collect(),
            },
        );
        Ok(id)
    }

    /// DeleteSecurityGroup: not the VPC's default group, not while another group's rule or a
    /// network interface uses it. Returns the deleted group's id.
    pub fn delete_security_group(
        &mut self,
        scope: &Scope,
        id: Option<&str>,
        name: Option<&str>,
    ) -> Result<String> {
        let id = self.resolve_group_id(scope, id, name)?;
        let group = self.find_security_group(scope, &id)?;
        let is_default =
            self.vpcs.get(&group.vpc_id).is_some_and(|v| v.default_security_group_id == id);
        if is_default {
            return Err(Error::new(
                Ec2::CannotDelete,
                format!(
                    "the specified group: \"{id}\" name: \"default\" cannot be deleted by a user"
                ),
            ));
        }
        let referenced = self.security_groups.values().any(|g| g.id != id && g.references(&id));
        let used = self.network_interfaces.count_keyed(&crate::indexes::member_key(&id)) > 0;
        if referenced || used {
            return Err(Error::dependency_violation(format!(
                "resource {id} has a dependent object"
            )));
        }
        self.security_groups.remove(&id);
        Ok(id)
    }

    /// Validates and normalises one requested rule for the group `group_id`: protocol, ports,
    /// the peer (which must exist and, for a group, be in the same VPC) and the description.
    pub fn resolve_rule(
        &self,
        scope: &Scope,
        group_id: &str,
        req: &RuleRequest,
    ) -> Result<SecurityGroupRule> {
        let group = self.find_security_group(scope, group_id)?;
        let protocol = normalise_sg_protocol(&req.protocol)?;
        let (from_port, to_port) = ports(&protocol, req.from_port, req.to_port)?;
        let peer = match &req.peer {
            PeerRequest::CidrV4(c) => RulePeer::V4(sg_cidr_v4(c)?),
            PeerRequest::CidrV6(c) => RulePeer::V6(sg_cidr_v6(c)?),
            PeerRequest::PrefixList(p) => {
                if !crate::ids::is_well_formed("pl", p) {
                    return Err(Error::new(
                        Ec2::InvalidPrefixListIdMalformed,
                        format!("Invalid id: \"{p}\" (expecting \"pl-...\")"),
                    ));
                }
                if !self.prefix_list_exists(scope, p) {
                    return Err(Error::not_found(
                        Ec2::InvalidPrefixListIDNotFound,
                        "prefix list",
                        p,
                    ));
                }
                RulePeer::PrefixList(p.clone())
            }
            PeerRequest::Group { group_id: peer_id, group_name, user_id } => {
                let peer = match (peer_id, group_name) {
                    (Some(pid), _) => match self.find_security_group(scope, pid) {
                        Ok(g) => g,
                        Err(e) => self.peered_group(group, pid, user_id.as_deref()).ok_or(e)?,
                    },
                    (None, Some(n)) => self
                        .security_groups
                        .in_scope(scope)
                        .find(|g| g.vpc_id == group.vpc_id && &g.name == n)
                        .ok_or_else(|| {
                            Error::new(
                                Ec2::InvalidGroupNotFound,
                                format!(
                                    "The security group '{n}' does not exist in VPC '{}'",
                                    group.vpc_id
                                ),
                            )
                        })?,
                    (None, None) => {
                        return Err(Error::missing_parameter("GroupId"));
                    }
                };
                if let Some(u) = user_id
                    && u != &peer.owner.account
                {
                    return Err(group_not_found(&peer.id));
                }
                // A group of the same VPC, or of a VPC peered with it in the same region.
                if peer.vpc_id != group.vpc_id
                    && (peer.owner.region != group.owner.region
                        || self.active_peering_between(&group.vpc_id, &peer.vpc_id).is_none())
                {
                    return Err(Error::new(
                        Ec2::InvalidGroupNotFound,
                        "You have specified two resources that belong to different networks.",
                    ));
                }
                RulePeer::Group { group_id: peer.id.clone(), user_id: peer.owner.account.clone() }
            }
        };
        if let Some(d) = &req.description {
            check_rule_description(d)?;
        }
        Ok(SecurityGroupRule {
            id: String::new(),
            protocol,
            from_port,
            to_port,
            peer,
            description: req.description.clone().filter(|d| !d.is_empty()),
            tags: Default::default(),
        })
    }

    /// How many rules of one direction `rules` count as against the quota, which is enforced
    /// separately for IPv4 and IPv6 rules: a CIDR rule counts in its family, a group
    /// reference in both, a prefix list reference as its weight (`MaxEntries`) in both.
    pub fn rules_weight<'r>(
        &self,
        scope: &Scope,
        rules: impl Iterator<Item = &'r SecurityGroupRule>,
        v6: bool,
    ) -> usize {
        rules
            .map(|r| match &r.peer {
                RulePeer::V4(_) => usize::from(!v6),
                RulePeer::V6(_) => usize::from(v6),
                RulePeer::PrefixList(p) => self.prefix_list_weight(scope, p),
                RulePeer::Group { .. } => 1,
            })
            .sum()
    }

    fn check_rule_quota(&self, scope: &Scope, rules: &[&SecurityGroupRule]) -> Result<()> {
        let over = |v6| {
            self.rules_weight(scope, rules.iter().copied(), v6)
                > self.quotas.rules_per_security_group
        };
        if over(false) || over(true) {
            return Err(Error::quota(
                "rules_per_security_group",
                Ec2::RulesPerSecurityGroupLimitExceeded,
                "The maximum number of rules per security group has been reached.",
            ));
        }
        Ok(())
    }

    /// AuthorizeSecurityGroupIngress/Egress: adds every rule or none. Returns the new rules'
    /// ids in request order.
    pub fn authorize_security_group_rules(
        &mut self,
        scope: &Scope,
        group_id: &str,
        dir: Direction,
        reqs: &[RuleRequest],
        tags: &[(String, String)],
    ) -> Result<Vec<String>> {
        if reqs.is_empty() {
            return Err(Error::missing_parameter("IpPermissions"));
        }
        crate::tags::validate(tags)?;
        let mut new = Vec::with_capacity(reqs.len());
        for req in reqs {
            new.push(self.resolve_rule(scope, group_id, req)?);
        }
        let group = self.find_security_group(scope, group_id)?;
        let existing = group.rules(dir);
        for (i, rule) in new.iter().enumerate() {
            let key = rule.key();
            // Twice in one request is a bad request, not a duplicate of the group's rules
            // (AWS's answer, quoted in terraform-provider-aws#2587 and #29492).
            if new.iter().take(i).any(|r| r.key() == key) {
                return Err(Error::invalid_parameter_value(
                    "The same permission must not appear multiple times",
                ));
            }
            if existing.iter().any(|r| r.key() == key) {
                return Err(Error::new(
                    Ec2::InvalidPermissionDuplicate,
                    format!("the specified rule \"{}\" already exists", rule.describe()),
                ));
            }
        }
        let all: Vec<&SecurityGroupRule> = existing.iter().chain(&new).collect();
        self.check_rule_quota(scope, &all)?;
        let mut ids = Vec::with_capacity(new.len());
        for mut rule in new {
            rule.id = self.fresh_id("sgr");
            rule.tags = tags.iter().cloned().collect();
            ids.push(rule.id.clone());
            self.security_groups
                .get_mut(group_id)
                .ok_or_else(|| group_not_found(group_id))?
                .rules_mut(dir)
                .push(rule);
        }
        Ok(ids)
    }

    /// RevokeSecurityGroupIngress/Egress by content. Returns the revoked rules and the indices
    /// of the requests that matched nothing; if nothing matched at all, InvalidPermission.NotFound.
    pub fn revoke_security_group_rules(
        &mut self,
        scope: &Scope,
        group_id: &str,
        dir: Direction,
        reqs: &[RuleRequest],
    ) -> Result<(Vec<SecurityGroupRule>, Vec<usize>)> {
        if reqs.is_empty() {
            return Err(Error::missing_parameter("IpPermissions"));
        }
        let mut keys = Vec::with_capacity(reqs.len());
        for req in reqs {
            keys.push(self.resolve_rule(scope, group_id, req)?.key());
        }
        let group = self.find_security_group(scope, group_id)?;
        let unknown: Vec<usize> = keys
            .iter()
            .enumerate()
            .filter(|(_, k)| !group.rules(dir).iter().any(|r| &r.key() == *k))
            .map(|(i, _)| i)
            .collect();
        if unknown.len() == keys.len() {
            return Err(permission_not_found());
        }
        let g = self.security_groups.get_mut(group_id).ok_or_else(|| group_not_found(group_id))?;
        let (revoked, kept): (Vec<_>, Vec<_>) =
            g.rules(dir).iter().cloned().partition(|r| keys.contains(&r.key()));
        *g.rules_mut(dir) = kept;
        Ok((revoked, unknown))
    }

    /// RevokeSecurityGroupIngress/Egress by rule ids: every id must be a rule of the group in
    /// that direction.
    pub fn revoke_security_group_rules_by_id(
        &mut self,
        scope: &Scope,
        group_id: &str,
        dir: Direction,
        ids: &[String],
    ) -> Result<Vec<SecurityGroupRule>> {
        let group = self.find_security_group(scope, group_id)?;
        for id in ids {
            if !crate::ids::is_well_formed("sgr", id) {
                return Err(Error::new(
                    Ec2::InvalidSecurityGroupRuleIdMalformed,
                    format!("Invalid id: \"{id}\" (expecting \"sgr-...\")"),
                ));
            }
            if !group.rules(dir).iter().any(|r| &r.id == id) {
                return Err(kinds::SECURITY_GROUP_RULE.not_found(id));
            }
        }
        let g = self.security_groups.get_mut(group_id).ok_or_else(|| group_not_found(group_id))?;
        let (revoked, kept): (Vec<_>, Vec<_>) =
            g.rules(dir).iter().cloned().partition(|r| ids.contains(&r.id));
        *g.rules_mut(dir) = kept;
        Ok(revoked)
    }

    /// ModifySecurityGroupRules: replaces the content of a rule of the group, keeping its id,
    /// direction and tags.
    pub fn modify_security_group_rule(
        &mut self,
        scope: &Scope,
        group_id: &str,
        rule_id: &str,
        req: &RuleRequest,
    ) -> Result<()> {
        let (group, dir, _) = self.find_security_group_rule(scope, rule_id)?;
        if group.id != group_id {
            self.find_security_group(scope, group_id)?;
            return Err(kinds::SECURITY_GROUP_RULE.not_found(rule_id));
        }
        let mut rule = self.resolve_rule(scope, group_id, req)?;
        let key = rule.key();
        if group.rules(dir).iter().any(|r| r.id != rule_id && r.key() == key) {
            return Err(Error::new(
                Ec2::InvalidPermissionDuplicate,
                format!("the specified rule \"{}\" already exists", rule.describe()),
            ));
        }
        let after: Vec<&SecurityGroupRule> =
            group.rules(dir).iter().filter(|r| r.id != rule_id).chain([&rule]).collect();
        self.check_rule_quota(scope, &after)?;
        let g = self.security_groups.get_mut(group_id).ok_or_else(|| group_not_found(group_id))?;
        if let Some(slot) = g.rules_mut(dir).iter_mut().find(|r| r.id == rule_id) {
            rule.id = slot.id.clone();
            rule.tags = std::mem::take(&mut slot.tags);
            *slot = rule;
        }
        Ok(())
    }

    /// UpdateSecurityGroupRuleDescriptionsIngress/Egress by content: each request must match
    /// an existing rule, whose description becomes the request's.
    pub fn update_security_group_rule_descriptions(
        &mut self,
        scope: &Scope,
        group_id: &str,
        dir: Direction,
        reqs: &[RuleRequest],
    ) -> Result<()> {
        let mut resolved = Vec::with_capacity(reqs.len());
        for req in reqs {
            resolved.push(self.resolve_rule(scope, group_id, req)?);
        }
        let group = self.find_security_group(scope, group_id)?;
        if resolved.iter().any(|n| !group.rules(dir).iter().any(|r| r.key() == n.key())) {
            return Err(permission_not_found());
        }
        let g = self.security_groups.get_mut(group_id).ok_or_else(|| group_not_found(group_id))?;
        for n in resolved {
            let key = n.key();
            if let Some(r) = g.rules_mut(dir).iter_mut().find(|r| r.key() == key) {
                r.description = n.description;
            }
        }
        Ok(())
    }

    /// UpdateSecurityGroupRuleDescriptions* by rule ids.
    pub fn update_security_group_rule_descriptions_by_id(
        &mut self,
        scope: &Scope,
        group_id: &str,
        dir: Direction,
        updates: &[(String, Option<String>)],
    ) -> Result<()> {
        let group = self.find_security_group(scope, group_id)?;
        for (id, d) in updates {
            if !group.rules(dir).iter().any(|r| &r.id == id) {
                return Err(kinds::SECURITY_GROUP_RULE.not_found(id));
            }
            if let Some(d) = d {
                check_rule_description(d)?;
            }
        }
        let g = self.security_groups.get_mut(group_id).ok_or_else(|| group_not_found(group_id))?;
        for (id, d) in updates {
            if let Some(r) = g.rules_mut(dir).iter_mut().find(|r| &r.id == id) {
                r.description = d.clone().filter(|d| !d.is_empty());
            }
        }
        Ok(())
    }
}

impl References for SecurityGroup {
    /// Its VPC; a rule may name a group of another account or VPC, which is not checked.
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        each(Reference::new("vpc", &self.vpc_id, "VpcId"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (World, Scope, String) {
        crate::testkit::world_with_vpc()
    }

    fn tcp(port: i32, cidr: &str) -> RuleRequest {
        RuleRequest {
            protocol: "6".into(),
            from_port: Some(port),
            to_port: Some(port),
            peer: PeerRequest::CidrV4(cidr.into()),
            description: None,
        }
    }

    #[test]
    fn new_group_allows_all_egress_and_names_are_checked() {
        let (mut w, s, vpc) = setup();
        let id = w.create_security_group(&s, "web", "web tier", Some(&vpc), &[]).unwrap();
        let g = w.find_security_group(&s, &id).unwrap();
        assert_eq!(g.egress.len(), 1);
        assert!(g.egress[0].id.starts_with("sgr-"));
        assert!(g.ingress.is_empty());
        let err = |r: Result<String>| r.unwrap_err().code.to_string();
        assert_eq!(
            err(w.create_security_group(&s, "WEB", "x", Some(&vpc), &[])),
            "InvalidGroup.Duplicate"
        );
        assert_eq!(
            err(w.create_security_group(&s, "web", "x", Some(&vpc), &[])),
            "InvalidGroup.Duplicate"
        );
        assert_eq!(
            err(w.create_security_group(&s, "default", "x", Some(&vpc), &[])),
            "InvalidGroup.Reserved"
        );
        assert_eq!(
            err(w.create_security_group(&s, "sg-1", "x", Some(&vpc), &[])),
            "InvalidParameterValue"
        );
        assert_eq!(
            err(w.create_security_group(&s, "é", "x", Some(&vpc), &[])),
            "InvalidParameterValue"
        );
        // without a VPC: the default VPC
        let d = w.create_security_group(&s, "web", "x", None, &[]).unwrap();
        assert_ne!(w.find_security_group(&s, &d).unwrap().vpc_id, vpc);
    }

    #[test]
    fn rules_are_normalised_deduplicated_and_limited() {
        let (mut w, s, vpc) = setup();
        let g = w.create_security_group(&s, "web", "d", Some(&vpc), &[]).unwrap();
        let ids = w
            .authorize_security_group_rules(
                &s,
                &g,
                Direction::Ingress,
                &[tcp(80, "10.0.0.5/8")],
                &[],
            )
            .unwrap();
        let (_, _, rule) = w.find_security_group_rule(&s, &ids[0]).unwrap();
        assert_eq!(rule.protocol, "tcp");
        assert_eq!(rule.peer, RulePeer::V4(Ipv4Cidr::parse("10.0.0.0/8", true).unwrap()));
        let dup = w
            .authorize_security_group_rules(
                &s,
                &g,
                Direction::Ingress,
                &[tcp(80, "10.0.0.0/8")],
                &[],
            )
            .unwrap_err();
        assert_eq!(dup.code, "InvalidPermission.Duplicate");
        assert!(dup.message.contains("peer: 10.0.0.0/8, TCP, from port: 80, to port: 80, ALLOW"));
        let twice = [tcp(443, "10.1.0.0/16"), tcp(443, "10.1.0.0/16")];
        let e =
            w.authorize_security_group_rules(&s, &g, Direction::Ingress, &twice, &[]).unwrap_err();
        assert_eq!(e.code, "InvalidParameterValue");
        assert_eq!(e.message, "The same permission must not appear multiple times");
        w.quotas.rules_per_security_group = 2;
        let over = [tcp(1, "1.0.0.0/8"), tcp(2, "2.0.0.0/8")];
        let e =
            w.authorize_security_group_rules(&s, &g, Direction::Ingress, &over, &[]).unwrap_err();
        assert_eq!(e.code, "RulesPerSecurityGroupLimitExceeded");
        assert_eq!(w.find_security_group(&s, &g).unwrap().ingress.len(), 1);
        // the egress direction has its own allowance
        w.authorize_security_group_rules(&s, &g, Direction::Egress, &[tcp(1, "1.0.0.0/8")], &[])
            .unwrap();
    }

    #[test]
    fn bad_ports_and_cidrs_are_refused() {
        let (mut w, s, vpc) = setup();
        let g = w.create_security_group(&s, "web", "d", Some(&vpc), &[]).unwrap();
        let mut bad = tcp(80, "10.0.0.0/8");
        bad.from_port = Some(90);
        for req in [bad, tcp(70000, "0.0.0.0/0"), tcp(80, "10.0.0.0/33")] {
            let e = w.authorize_security_group_rules(&s, &g, Direction::Ingress, &[req], &[]);
            assert_eq!(e.unwrap_err().code, "InvalidParameterValue");
        }
        let icmp = RuleRequest {
            protocol: "icmp".into(),
            from_port: Some(-1),
            to_port: Some(3),
            peer: PeerRequest::CidrV4("0.0.0.0/0".into()),
            description: None,
        };
        assert!(
            w.authorize_security_group_rules(&s, &g, Direction::Ingress, &[icmp], &[]).is_err()
        );
    }

    #[test]
    fn deletion_rules() {
        let (mut w, s, vpc) = setup();
        let web = w.create_security_group(&s, "web", "d", Some(&vpc), &[]).unwrap();
        let app = w.create_security_group(&s, "app", "d", Some(&vpc), &[]).unwrap();
        let by_web = RuleRequest {
            protocol: "-1".into(),
            from_port: None,
            to_port: None,
            peer: PeerRequest::Group {
                group_id: Some(web.clone()),
                group_name: None,
                user_id: None,
            },
            description: None,
        };
        w.authorize_security_group_rules(&s, &app, Direction::Ingress, &[by_web], &[]).unwrap();
        let e = w.delete_security_group(&s, Some(&web), None).unwrap_err();
        assert_eq!(e.code, "DependencyViolation");
        let default = w.vpcs.get(&vpc).unwrap().default_security_group_id.clone();
        assert_eq!(
            w.delete_security_group(&s, Some(&default), None).unwrap_err().code,
            "CannotDelete"
        );
        w.delete_security_group(&s, Some(&app), None).unwrap();
        w.delete_security_group(&s, Some(&web), None).unwrap();
    }

    #[test]
    fn revoke_by_content_and_by_id() {
        let (mut w, s, vpc) = setup();
        let g = w.create_security_group(&s, "web", "d", Some(&vpc), &[]).unwrap();
        let all = RuleRequest {
            protocol: "-1".into(),
            from_port: Some(0),
            to_port: Some(0),
            peer: PeerRequest::CidrV4("0.0.0.0/0".into()),
            description: None,
        };
        let (revoked, unknown) = w
            .revoke_security_group_rules(&s, &g, Direction::Egress, std::slice::from_ref(&all))
            .unwrap();
        assert_eq!((revoked.len(), unknown.len()), (1, 0));
        let e = w.revoke_security_group_rules(&s, &g, Direction::Egress, &[all]).unwrap_err();
        assert_eq!(e.code, "InvalidPermission.NotFound");
        let ids = w
            .authorize_security_group_rules(
                &s,
                &g,
                Direction::Ingress,
                &[tcp(22, "10.0.0.0/8")],
                &[],
            )
            .unwrap();
        let e = w.revoke_security_group_rules_by_id(&s, &g, Direction::Egress, &ids).unwrap_err();
        assert_eq!(e.code, "InvalidSecurityGroupRuleId.NotFound");
        w.revoke_security_group_rules_by_id(&s, &g, Direction::Ingress, &ids).unwrap();
        assert!(w.find_security_group(&s, &g).unwrap().ingress.is_empty());
    }
}
