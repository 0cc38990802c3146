//! Security group operations.
//!
//! The model keeps one rule per peer; requests and DescribeSecurityGroups speak AWS's grouped
//! `IpPermission`s (one protocol and port range, many peers), so this module splits them on the
//! way in and regroups them on the way out.

use super::common::{require_all, tag_set, tags_for};
use super::describe::{Ask, describe, in_scope};
use super::filter::{Filters, Row, Table, one, table};
use super::page::paginate;
use super::{Ctx, Handler, read, write};
use crate::Outcome;
use codes::Ec2;
use model::security_group::{Direction, PeerRequest, RuleRequest};
use model::types::ec2::{self as m, RulePeer};
use model::{Scope, World};
use shapes::ec2::*;
use wire::ApiError;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("CreateSecurityGroup", write(create_security_group)),
        ("DeleteSecurityGroup", write(delete_security_group)),
        ("DescribeSecurityGroups", read(describe_security_groups)),
        ("AuthorizeSecurityGroupIngress", write(authorize_ingress)),
        ("AuthorizeSecurityGroupEgress", write(authorize_egress)),
        ("RevokeSecurityGroupIngress", write(revoke_ingress)),
        ("RevokeSecurityGroupEgress", write(revoke_egress)),
        ("DescribeSecurityGroupRules", read(describe_security_group_rules)),
        ("ModifySecurityGroupRules", write(modify_security_group_rules)),
        ("UpdateSecurityGroupRuleDescriptionsIngress", write(update_descriptions_ingress)),
        ("UpdateSecurityGroupRuleDescriptionsEgress", write(update_descriptions_egress)),
    ]
}

// ---- requests -> model ----

/// One requested rule per peer of each permission, with the single-peer permission it came
/// from (to report it back in `UnknownIpPermissions`).
fn split_permissions(perms: &[IpPermission]) -> Result<Vec<(RuleRequest, IpPermission)>, ApiError> {
    let mut out = Vec::new();
    for p in perms {
        let protocol =
            p.ip_protocol.clone().ok_or_else(|| ApiError::missing_parameter("IpProtocol"))?;
        let base = IpPermission {
            ip_protocol: Some(protocol.clone()),
            from_port: p.from_port,
            to_port: p.to_port,
            ..Default::default()
        };
        let req = |peer, description: &Option<String>| RuleRequest {
            protocol: protocol.clone(),
            from_port: p.from_port,
            to_port: p.to_port,
            peer,
            description: description.clone(),
        };
        for r in &p.ip_ranges {
            let cidr = r.cidr_ip.clone().ok_or_else(|| ApiError::missing_parameter("CidrIp"))?;
            let shown = IpPermission { ip_ranges: vec![r.clone()], ..base.clone() };
            out.push((req(PeerRequest::CidrV4(cidr), &r.description), shown));
        }
        for r in &p.ipv6_ranges {
            let cidr =
                r.cidr_ipv6.clone().ok_or_else(|| ApiError::missing_parameter("CidrIpv6"))?;
            let shown = IpPermission { ipv6_ranges: vec![r.clone()], ..base.clone() };
            out.push((req(PeerRequest::CidrV6(cidr), &r.description), shown));
        }
        for r in &p.prefix_list_ids {
            let id = r
                .prefix_list_id
                .clone()
                .ok_or_else(|| ApiError::missing_parameter("PrefixListId"))?;
            let shown = IpPermission { prefix_list_ids: vec![r.clone()], ..base.clone() };
            out.push((req(PeerRequest::PrefixList(id), &r.description), shown));
        }
        for r in &p.user_id_group_pairs {
            let peer = PeerRequest::Group {
                group_id: r.group_id.clone(),
                group_name: r.group_name.clone(),
                user_id: r.user_id.clone(),
            };
            let shown = IpPermission { user_id_group_pairs: vec![r.clone()], ..base.clone() };
            out.push((req(peer, &r.description), shown));
        }
    }
    Ok(out)
}

/// The pre-`IpPermissions` parameters: `CidrIp` or `SourceSecurityGroupName` with
/// `IpProtocol`, `FromPort`, `ToPort`.
struct Flat<'a> {
    cidr_ip: &'a Option<String>,
    protocol: &'a Option<String>,
    from_port: Option<i32>,
    to_port: Option<i32>,
    source_group_name: &'a Option<String>,
    source_owner: &'a Option<String>,
}

impl Flat<'_> {
    fn permission(&self) -> Option<IpPermission> {
        if self.cidr_ip.is_none() && self.source_group_name.is_none() && self.protocol.is_none() {
            return None;
        }
        let mut p = IpPermission {
            ip_protocol: Some(self.protocol.clone().unwrap_or_else(|| "-1".into())),
            from_port: self.from_port,
            to_port: self.to_port,
            ..Default::default()
        };
        if let Some(c) = self.cidr_ip {
            p.ip_ranges.push(IpRange { cidr_ip: Some(c.clone()), description: None });
        }
        if let Some(n) = self.source_group_name {
            p.user_id_group_pairs.push(UserIdGroupPair {
                group_name: Some(n.clone()),
                user_id: self.source_owner.clone(),
                ..Default::default()
            });
        }
        Some(p)
    }
}

fn all_permissions(perms: &[IpPermission], flat: Flat<'_>) -> Vec<IpPermission> {
    let mut all = perms.to_vec();
    all.extend(flat.permission());
    all
}

// ---- model -> responses ----

fn shown_ports(r: &m::SecurityGroupRule) -> (i32, i32) {
    (r.from_port.unwrap_or(-1), r.to_port.unwrap_or(-1))
}

/// A stored rule as DescribeSecurityGroupRules shows it.
fn render_rule(
    g: &m::SecurityGroup,
    dir: Direction,
    r: &m::SecurityGroupRule,
) -> SecurityGroupRule {
    let (from, to) = shown_ports(r);
    let mut out = SecurityGroupRule {
        security_group_rule_id: Some(r.id.clone()),
        security_group_rule_arn: Some(g.owner.arn("ec2", &format!("security-group-rule/{}", r.id))),
        group_id: Some(g.id.clone()),
        group_owner_id: Some(g.owner.account.clone()),
        is_egress: Some(dir.is_egress()),
        ip_protocol: Some(r.protocol.clone()),
        from_port: Some(from),
        to_port: Some(to),
        description: r.description.clone(),
        tags: tag_set(&r.tags),
        ..Default::default()
    };
    match &r.peer {
        RulePeer::V4(c) => out.cidr_ipv4 = Some(c.to_string()),
        RulePeer::V6(c) => out.cidr_ipv6 = Some(c.to_string()),
        RulePeer::PrefixList(p) => out.prefix_list_id = Some(p.clone()),
        RulePeer::Group { group_id, user_id } => {
            out.referenced_group_info = Some(ReferencedSecurityGroup {
                group_id: Some(group_id.clone()),
                user_id: Some(user_id.clone()),
                ..Default::default()
            })
        }
    }
    out
}

fn revoked_rule(
    g: &m::SecurityGroup,
    dir: Direction,
    r: &m::SecurityGroupRule,
) -> RevokedSecurityGroupRule {
    let shown = render_rule(g, dir, r);
    RevokedSecurityGroupRule {
        security_group_rule_id: shown.security_group_rule_id,
        group_id: shown.group_id,
        is_egress: shown.is_egress,
        ip_protocol: shown.ip_protocol,
        from_port: shown.from_port,
        to_port: shown.to_port,
        cidr_ipv4: shown.cidr_ipv4,
        cidr_ipv6: shown.cidr_ipv6,
        prefix_list_id: shown.prefix_list_id,
        referenced_group_id: shown.referenced_group_info.and_then(|i| i.group_id),
        description: shown.description,
    }
}

/// Rules regrouped as AWS's `IpPermission`s: one per (protocol, ports), in first-seen order.
/// Protocols without ports (`-1`, other numbers) carry no FromPort/ToPort.
fn permissions(rules: &[m::SecurityGroupRule]) -> Vec<IpPermission> {
    let mut out: Vec<IpPermission> = Vec::new();
    for r in rules {
        let pos = out.iter().position(|p| {
            p.ip_protocol.as_deref() == Some(r.protocol.as_str())
                && p.from_port == r.from_port
                && p.to_port == r.to_port
        });
        let perm = match pos.and_then(|i| out.get_mut(i)) {
            Some(p) => p,
            None => {
                out.push(IpPermission {
                    ip_protocol: Some(r.protocol.clone()),
                    from_port: r.from_port,
                    to_port: r.to_port,
                    ..Default::default()
                });
                match out.last_mut() {
                    Some(p) => p,
                    None => continue,
                }
            }
        };
        let description = r.description.clone();
        match &r.peer {
            RulePeer::V4(c) => {
                perm.ip_ranges.push(IpRange { cidr_ip: Some(c.to_string()), description })
            }
            RulePeer::V6(c) => {
                perm.ipv6_ranges.push(Ipv6Range { cidr_ipv6: Some(c.to_string()), description })
            }
            RulePeer::PrefixList(p) => perm
                .prefix_list_ids
                .push(PrefixListId { prefix_list_id: Some(p.clone()), description }),
            RulePeer::Group { group_id, user_id } => {
                perm.user_id_group_pairs.push(UserIdGroupPair {
                    group_id: Some(group_id.clone()),
                    user_id: Some(user_id.clone()),
                    description,
                    ..Default::default()
                })
            }
        }
    }
    out
}

fn render(g: &m::SecurityGroup) -> SecurityGroup {
    SecurityGroup {
        group_id: Some(g.id.clone()),
        group_name: Some(g.name.clone()),
        description: Some(g.description.clone()),
        owner_id: Some(g.owner.account.clone()),
        vpc_id: Some(g.vpc_id.clone()),
        security_group_arn: Some(g.arn()),
        ip_permissions: permissions(&g.ingress),
        ip_permissions_egress: permissions(&g.egress),
        tags: tag_set(&g.tags),
    }
}

// ---- handlers ----

fn create_security_group(
    ctx: &Ctx,
    w: &mut World,
    req: CreateSecurityGroupRequest,
) -> Outcome<CreateSecurityGroupResult> {
    let tags = tags_for(&req.tag_specifications, "security-group")?;
    let id = w.create_security_group(
        &ctx.scope,
        &req.group_name,
        &req.description,
        req.vpc_id.as_deref(),
        &tags,
    )?;
    let g = w.find_security_group(&ctx.scope, &id)?;
    Ok(CreateSecurityGroupResult {
        group_id: Some(id.clone()),
        security_group_arn: Some(g.arn()),
        tags: tag_set(&g.tags),
    })
}

fn delete_security_group(
    ctx: &Ctx,
    w: &mut World,
    req: DeleteSecurityGroupRequest,
) -> Outcome<DeleteSecurityGroupResult> {
    let id =
        w.delete_security_group(&ctx.scope, req.group_id.as_deref(), req.group_name.as_deref())?;
    Ok(DeleteSecurityGroupResult { group_id: Some(id), return_: Some(true) })
}

type Rules = [m::SecurityGroupRule];

/// The rules' peers, as far as `f` reads a value from them.
fn peers(rules: &Rules, f: impl Fn(&RulePeer) -> Option<String>) -> Vec<String> {
    rules.iter().filter_map(|r| f(&r.peer)).collect()
}

fn cidr(rules: &Rules) -> Vec<String> {
    peers(rules, |p| match p {
        RulePeer::V4(c) => Some(c.to_string()),
        _ => None,
    })
}

fn ipv6_cidr(rules: &Rules) -> Vec<String> {
    peers(rules, |p| match p {
        RulePeer::V6(c) => Some(c.to_string()),
        _ => None,
    })
}

fn prefix_list_id(rules: &Rules) -> Vec<String> {
    peers(rules, |p| match p {
        RulePeer::PrefixList(c) => Some(c.clone()),
        _ => None,
    })
}

// Filters read the pairs as AWS lists them, and a VPC group's pair carries its id and owner
// only: `group-name` matches no pair (AWS finds nothing, moto's test notes).
fn group_id(rules: &Rules) -> Vec<String> {
    peers(rules, |p| match p {
        RulePeer::Group { group_id, .. } => Some(group_id.clone()),
        _ => None,
    })
}

fn user_id(rules: &Rules) -> Vec<String> {
    peers(rules, |p| match p {
        RulePeer::Group { user_id, .. } => Some(user_id.clone()),
        _ => None,
    })
}

fn group_name(_: &Rules) -> Vec<String> {
    vec![]
}

fn protocol(rules: &Rules) -> Vec<String> {
    rules.iter().map(|r| r.protocol.clone()).collect()
}

fn from_port(rules: &Rules) -> Vec<String> {
    rules.iter().map(|r| shown_ports(r).0.to_string()).collect()
}

fn to_port(rules: &Rules) -> Vec<String> {
    rules.iter().map(|r| shown_ports(r).1.to_string()).collect()
}

/// `ip-permission.X` reads the ingress rules, `egress.ip-permission.X` the egress ones.
pub(super) const GROUP_FILTERS: Table<m::SecurityGroup> = table![
    "description" => |g| one(&g.description),
    "egress.ip-permission.cidr" => |g| cidr(&g.egress),
    "egress.ip-permission.from-port" => |g| from_port(&g.egress),
    "egress.ip-permission.group-id" => |g| group_id(&g.egress),
    "egress.ip-permission.group-name" => |g| group_name(&g.egress),
    "egress.ip-permission.ipv6-cidr" => |g| ipv6_cidr(&g.egress),
    "egress.ip-permission.prefix-list-id" => |g| prefix_list_id(&g.egress),
    "egress.ip-permission.protocol" => |g| protocol(&g.egress),
    "egress.ip-permission.to-port" => |g| to_port(&g.egress),
    "egress.ip-permission.user-id" => |g| user_id(&g.egress),
    "group-id" => |g| one(&g.id),
    "group-name" => |g| one(&g.name),
    "ip-permission.cidr" => |g| cidr(&g.ingress),
    "ip-permission.from-port" => |g| from_port(&g.ingress),
    "ip-permission.group-id" => |g| group_id(&g.ingress),
    "ip-permission.group-name" => |g| group_name(&g.ingress),
    "ip-permission.ipv6-cidr" => |g| ipv6_cidr(&g.ingress),
    "ip-permission.prefix-list-id" => |g| prefix_list_id(&g.ingress),
    "ip-permission.protocol" => |g| protocol(&g.ingress),
    "ip-permission.to-port" => |g| to_port(&g.ingress),
    "ip-permission.user-id" => |g| user_id(&g.ingress),
    "owner-id" => |g| one(&g.owner.account),
    "vpc-id" => |g| one(&g.vpc_id),
];

fn describe_security_groups(
    ctx: &Ctx,
    w: &World,
    req: DescribeSecurityGroupsRequest,
) -> Outcome<DescribeSecurityGroupsResult> {
    let ask = Ask::new(&req.filters, &req.group_ids, req.max_results, &req.next_token, (5, 1000));
    let (security_groups, next_token) = describe(
        ask,
        GROUP_FILTERS,
        |ids| {
            require_all(
                ids,
                |id| w.find_security_group(&ctx.scope, id).ok(),
                |id| match w.find_security_group(&ctx.scope, id) {
                    Err(e) => e,
                    Ok(_) => model::Error::internal("found"),
                },
            )?;
            let mut by_name = Vec::new();
            for name in &req.group_names {
                by_name.push(w.security_group_in_default_vpc(&ctx.scope, name)?.id.as_str());
            }
            Ok(in_scope(&w.security_groups, w, &ctx.scope)
                .filter(move |l| by_name.is_empty() || by_name.contains(&l.id.as_ref())))
        },
        |r| render(r.item),
    )?;
    Ok(DescribeSecurityGroupsResult { security_groups, next_token })
}

/// Adds the rules of an Authorize call; returns them as the response lists them.
fn authorize(
    scope: &Scope,
    w: &mut World,
    group_id: &str,
    dir: Direction,
    perms: &[IpPermission],
    specs: &[TagSpecification],
) -> Outcome<Vec<SecurityGroupRule>> {
    let tags = tags_for(specs, "security-group-rule")?;
    let reqs: Vec<RuleRequest> = split_permissions(perms)?.into_iter().map(|(r, _)| r).collect();
    let ids = w.authorize_security_group_rules(scope, group_id, dir, &reqs, &tags)?;
    let g = w.find_security_group(scope, group_id)?;
    Ok(g.rules(dir)
        .iter()
        .filter(|r| ids.contains(&r.id))
        .map(|r| render_rule(g, dir, r))
        .collect())
}

/// The permissions of an Authorize or Revoke request: its `IpPermissions`, or the legacy flat
/// parameters (`CidrIp`, `IpProtocol`, …) the four request shapes share.
macro_rules! request_permissions {
    ($req:ident) => {
        all_permissions(
            &$req.ip_permissions,
            Flat {
                cidr_ip: &$req.cidr_ip,
                protocol: &$req.ip_protocol,
                from_port: $req.from_port,
                to_port: $req.to_port,
                source_group_name: &$req.source_security_group_name,
                source_owner: &$req.source_security_group_owner_id,
            },
        )
    };
}

fn authorize_ingress(
    ctx: &Ctx,
    w: &mut World,
    req: AuthorizeSecurityGroupIngressRequest,
) -> Outcome<AuthorizeSecurityGroupIngressResult> {
    let group_id =
        w.resolve_group_id(&ctx.scope, req.group_id.as_deref(), req.group_name.as_deref())?;
    let perms = request_permissions!(req);
    let rules =
        authorize(&ctx.scope, w, &group_id, Direction::Ingress, &perms, &req.tag_specifications)?;
    Ok(AuthorizeSecurityGroupIngressResult { return_: Some(true), security_group_rules: rules })
}

fn authorize_egress(
    ctx: &Ctx,
    w: &mut World,
    req: AuthorizeSecurityGroupEgressRequest,
) -> Outcome<AuthorizeSecurityGroupEgressResult> {
    let group_id = w.find_security_group(&ctx.scope, &req.group_id)?.id.clone();
    let perms = request_permissions!(req);
    let rules =
        authorize(&ctx.scope, w, &group_id, Direction::Egress, &perms, &req.tag_specifications)?;
    Ok(AuthorizeSecurityGroupEgressResult { return_: Some(true), security_group_rules: rules })
}

/// Revokes by rule ids or by permissions; returns the revoked rules and the permissions that
/// matched nothing.
fn revoke(
    scope: &Scope,
    w: &mut World,
    group_id: &str,
    dir: Direction,
    perms: &[IpPermission],
    rule_ids: &[String],
) -> Outcome<(Vec<RevokedSecurityGroupRule>, Vec<IpPermission>)> {
    let group = w.find_security_group(scope, group_id)?.clone();
    match (perms.is_empty(), rule_ids.is_empty()) {
        (true, false) => {
            let revoked = w.revoke_security_group_rules_by_id(scope, group_id, dir, rule_ids)?;
            Ok((revoked.iter().map(|r| revoked_rule(&group, dir, r)).collect(), vec![]))
        }
        (false, true) => {
            let split = split_permissions(perms)?;
            let reqs: Vec<RuleRequest> = split.iter().map(|(r, _)| r.clone()).collect();
            let (revoked, unknown) = w.revoke_security_group_rules(scope, group_id, dir, &reqs)?;
            let unknown =
                unknown.iter().filter_map(|i| split.get(*i).map(|(_, p)| p.clone())).collect();
            Ok((revoked.iter().map(|r| revoked_rule(&group, dir, r)).collect(), unknown))
        }
        (true, true) => Err(ApiError::missing_parameter("IpPermissions").into()),
        (false, false) => Err(ApiError::client(
            Ec2::InvalidParameterCombination,
            "The parameter SecurityGroupRuleIds cannot be used with the parameter IpPermissions",
        )
        .into()),
    }
}

fn revoke_ingress(
    ctx: &Ctx,
    w: &mut World,
    req: RevokeSecurityGroupIngressRequest,
) -> Outcome<RevokeSecurityGroupIngressResult> {
    let group_id =
        w.resolve_group_id(&ctx.scope, req.group_id.as_deref(), req.group_name.as_deref())?;
    let perms = request_permissions!(req);
    let (revoked, unknown) =
        revoke(&ctx.scope, w, &group_id, Direction::Ingress, &perms, &req.security_group_rule_ids)?;
    Ok(RevokeSecurityGroupIngressResult {
        return_: Some(true),
        revoked_security_group_rules: revoked,
        unknown_ip_permissions: unknown,
    })
}

fn revoke_egress(
    ctx: &Ctx,
    w: &mut World,
    req: RevokeSecurityGroupEgressRequest,
) -> Outcome<RevokeSecurityGroupEgressResult> {
    let perms = request_permissions!(req);
    let (revoked, unknown) = revoke(
        &ctx.scope,
        w,
        &req.group_id,
        Direction::Egress,
        &perms,
        &req.security_group_rule_ids,
    )?;
    Ok(RevokeSecurityGroupEgressResult {
        return_: Some(true),
        revoked_security_group_rules: revoked,
        unknown_ip_permissions: unknown,
    })
}

/// A rule, with the group that holds it.
pub(super) const RULE_FILTERS: Table<m::SecurityGroupRule, m::SecurityGroup> = table![
    "group-id" => |r| one(&r.extra.id),
    "security-group-rule-id" => |r| one(&r.id),
];

// Not on `describe::describe`: AWS reads `group-id`'s values as ids and refuses a malformed
// one, which needs the parsed filters before the rows are listed.
fn describe_security_group_rules(
    ctx: &Ctx,
    w: &World,
    req: DescribeSecurityGroupRulesRequest,
) -> Outcome<DescribeSecurityGroupRulesResult> {
    let filters = Filters::new(&req.filters, RULE_FILTERS)?;
    // AWS reads this filter's values as group ids: `group-id=foobar` is InvalidGroupId.Malformed,
    // not an empty answer, in its own words (moto's AWS-verified test). Wildcards are left to match.
    for value in filters.values("group-id").filter(|v| !v.contains(['*', '?'])) {
        if !model::ids::is_well_formed("sg", value) {
            return Err(ApiError::client(
                Ec2::InvalidGroupIdMalformed,
                format!("The security group ID '{value}' is malformed"),
            )
            .into());
        }
    }
    for id in &req.security_group_rule_ids {
        w.find_security_group_rule(&ctx.scope, id)?;
    }
    let mut items = Vec::new();
    for g in w.security_groups.in_scope(&ctx.scope) {
        for dir in [Direction::Ingress, Direction::Egress] {
            for r in g.rules(dir) {
                if !req.security_group_rule_ids.is_empty()
                    && !req.security_group_rule_ids.contains(&r.id)
                {
                    continue;
                }
                if filters.matches(&Row::with(w, &ctx.scope, r, g), &r.tags) {
                    items.push((r.id.clone(), render_rule(g, dir, r)));
                }
            }
        }
    }
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let (security_group_rules, next_token) =
        paginate(items, req.max_results, req.next_token.as_deref(), (5, 1000))?;
    Ok(DescribeSecurityGroupRulesResult { security_group_rules, next_token })
}

fn modify_security_group_rules(
    ctx: &Ctx,
    w: &mut World,
    req: ModifySecurityGroupRulesRequest,
) -> Outcome<ModifySecurityGroupRulesResult> {
    w.find_security_group(&ctx.scope, &req.group_id)?;
    if req.security_group_rules.is_empty() {
        return Err(ApiError::missing_parameter("SecurityGroupRule").into());
    }
    for update in &req.security_group_rules {
        let rule = update
            .security_group_rule
            .as_ref()
            .ok_or_else(|| ApiError::missing_parameter("SecurityGroupRule.N.SecurityGroupRule"))?;
        let mut peers = Vec::new();
        if let Some(c) = &rule.cidr_ipv4 {
            peers.push(PeerRequest::CidrV4(c.clone()));
        }
        if let Some(c) = &rule.cidr_ipv6 {
            peers.push(PeerRequest::CidrV6(c.clone()));
        }
        if let Some(p) = &rule.prefix_list_id {
            peers.push(PeerRequest::PrefixList(p.clone()));
        }
        if let Some(g) = &rule.referenced_group_id {
            peers.push(PeerRequest::Group {
                group_id: Some(g.clone()),
                group_name: None,
                user_id: None,
            });
        }
        let peer = match peers.len() {
            1 => peers.remove(0),
            0 => {
                return Err(ApiError::client(
                    Ec2::MissingParameter,
                    "The request must contain exactly one of: cidrIp, cidrIpv6, prefixListId, or referencedGroupId",
                )
                .into());
            }
            _ => {
                return Err(ApiError::client(
                    Ec2::InvalidParameterCombination,
                    "Only one of cidrIp, cidrIpv6, prefixListId, or referencedGroupId can be specified",
                )
                .into());
            }
        };
        // AWS's answer to a rule without a protocol (moto's AWS-verified test).
        let protocol = rule.ip_protocol.clone().ok_or_else(|| {
            ApiError::invalid_parameter_value(
                "Invalid value 'null' for protocol. VPC security group rules must specify protocols explicitly.",
            )
        })?;
        let ported = matches!(protocol.to_ascii_lowercase().as_str(), "tcp" | "udp" | "6" | "17");
        if ported && (rule.from_port.is_none() || rule.to_port.is_none()) {
            return Err(ApiError::invalid_parameter_value(
                "Invalid value for portRange. Must specify both from and to ports with TCP/UDP.",
            )
            .into());
        }
        let request = RuleRequest {
            protocol,
            from_port: rule.from_port,
            to_port: rule.to_port,
            peer,
            description: rule.description.clone(),
        };
        w.modify_security_group_rule(
            &ctx.scope,
            &req.group_id,
            &update.security_group_rule_id,
            &request,
        )?;
    }
    Ok(ModifySecurityGroupRulesResult { return_: Some(true) })
}

fn update_descriptions(
    scope: &Scope,
    w: &mut World,
    group_id: &str,
    dir: Direction,
    perms: &[IpPermission],
    by_id: &[SecurityGroupRuleDescription],
) -> Outcome<()> {
    if !by_id.is_empty() {
        let updates = by_id
            .iter()
            .map(|d| {
                let id = d
                    .security_group_rule_id
                    .clone()
                    .ok_or_else(|| ApiError::missing_parameter("SecurityGroupRuleId"))?;
                Ok((id, d.description.clone()))
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        w.update_security_group_rule_descriptions_by_id(scope, group_id, dir, &updates)?;
    }
    if !perms.is_empty() {
        let reqs: Vec<RuleRequest> =
            split_permissions(perms)?.into_iter().map(|(r, _)| r).collect();
        w.update_security_group_rule_descriptions(scope, group_id, dir, &reqs)?;
    }
    if perms.is_empty() && by_id.is_empty() {
        return Err(ApiError::missing_parameter("IpPermissions").into());
    }
    Ok(())
}

fn update_descriptions_ingress(
    ctx: &Ctx,
    w: &mut World,
    req: UpdateSecurityGroupRuleDescriptionsIngressRequest,
) -> Outcome<UpdateSecurityGroupRuleDescriptionsIngressResult> {
    let group_id =
        w.resolve_group_id(&ctx.scope, req.group_id.as_deref(), req.group_name.as_deref())?;
    update_descriptions(
        &ctx.scope,
        w,
        &group_id,
        Direction::Ingress,
        &req.ip_permissions,
        &req.security_group_rule_descriptions,
    )?;
    Ok(UpdateSecurityGroupRuleDescriptionsIngressResult { return_: Some(true) })
}

fn update_descriptions_egress(
    ctx: &Ctx,
    w: &mut World,
    req: UpdateSecurityGroupRuleDescriptionsEgressRequest,
) -> Outcome<UpdateSecurityGroupRuleDescriptionsEgressResult> {
    let group_id =
        w.resolve_group_id(&ctx.scope, req.group_id.as_deref(), req.group_name.as_deref())?;
    update_descriptions(
        &ctx.scope,
        w,
        &group_id,
        Direction::Egress,
        &req.ip_permissions,
        &req.security_group_rule_descriptions,
    )?;
    Ok(UpdateSecurityGroupRuleDescriptionsEgressResult { return_: Some(true) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(
        id: &str,
        proto: &str,
        ports: Option<(i32, i32)>,
        peer: RulePeer,
    ) -> m::SecurityGroupRule {
        m::SecurityGroupRule {
            id: id.into(),
            protocol: proto.into(),
            from_port: ports.map(|p| p.0),
            to_port: ports.map(|p| p.1),
            peer,
            description: None,
            tags: Default::default(),
        }
    }

    #[test]
    fn rules_are_regrouped_by_protocol_and_ports() {
        let v4 = |s: &str| RulePeer::V4(model::cidr::Ipv4Cidr::parse(s, true).unwrap());
        let rules = vec![
            rule("sgr-1", "tcp", Some((22, 22)), v4("10.0.0.0/8")),
            rule("sgr-2", "-1", None, v4("0.0.0.0/0")),
            rule("sgr-3", "tcp", Some((22, 22)), RulePeer::PrefixList("pl-12345678".into())),
            rule(
                "sgr-4",
                "tcp",
                Some((22, 22)),
                RulePeer::Group { group_id: "sg-12345678".into(), user_id: "1".into() },
            ),
        ];
        let perms = permissions(&rules);
        assert_eq!(perms.len(), 2);
        let ssh = &perms[0];
        assert_eq!((ssh.from_port, ssh.to_port), (Some(22), Some(22)));
        assert_eq!(
            (ssh.ip_ranges.len(), ssh.prefix_list_ids.len(), ssh.user_id_group_pairs.len()),
            (1, 1, 1)
        );
        assert_eq!((perms[1].from_port, perms[1].to_port), (None, None));
    }

    #[test]
    fn permissions_split_into_one_request_per_peer() {
        let p = IpPermission {
            ip_protocol: Some("tcp".into()),
            from_port: Some(80),
            to_port: Some(80),
            ip_ranges: vec![
                IpRange { cidr_ip: Some("10.0.0.0/8".into()), description: Some("a".into()) },
                IpRange { cidr_ip: Some("10.1.0.0/16".into()), description: None },
            ],
            ipv6_ranges: vec![Ipv6Range { cidr_ipv6: Some("::/0".into()), description: None }],
            ..Default::default()
        };
        let split = split_permissions(&[p]).unwrap();
        assert_eq!(split.len(), 3);
        assert_eq!(split[0].0.description.as_deref(), Some("a"));
        assert_eq!(split[2].1.ipv6_ranges.len(), 1);
        assert!(split[2].1.ip_ranges.is_empty());
    }
}
