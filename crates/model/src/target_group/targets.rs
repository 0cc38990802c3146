//! Targets of a target group: what may be registered (instances, addresses, a Lambda, an ALB),
//! registration, deregistration and draining, and health as DescribeTargetHealth reports it.

use super::*;
use codes::Elbv2;

impl World {
    /// Checks one target of a RegisterTargets against the group: what it is, where it is.
    pub(super) fn check_elb_target(
        &self,
        scope: &Scope,
        tg: &TargetGroup,
        t: &TargetSpec,
    ) -> Result<(u16, Option<String>)> {
        let port = match (t.port, tg.port) {
            (_, None) => 0,
            (Some(p), _) => in_range("Port", p, 1, 65535)? as u16,
            (None, Some(p)) => p,
        };
        let zone = t.availability_zone.clone();
        match tg.target_type {
            TargetType::Instance => {
                let instance = self.instances.get(&t.id).filter(|i| &i.owner == scope);
                match instance {
                    Some(i) if Some(&i.vpc_id) != tg.vpc_id.as_ref() => {
                        Err(invalid_target(format!(
                            "The following targets are not in the target group VPC '{}': '{}'",
                            tg.vpc_id.as_deref().unwrap_or_default(),
                            t.id
                        )))
                    }
                    Some(i)
                        if i.state != InstanceState::Running
                            && i.state != InstanceState::Pending =>
                    {
                        Err(invalid_target(format!(
                            "The following targets are not in a running state and cannot be registered: '{}'",
                            t.id
                        )))
                    }
                    Some(_) => Ok((port, zone)),
                    None => Err(invalid_target(format!(
                        "The following targets are not valid instances: '{}'",
                        t.id
                    ))),
                }
            }
            TargetType::Ip => {
                let ip: Ipv4Addr = t.id.parse().map_err(|_| {
                    invalid_target(format!("The IP address '{}' is not a valid IPv4 address", t.id))
                })?;
                let in_vpc = tg
                    .vpc_id
                    .as_ref()
                    .and_then(|v| self.vpcs.get(v))
                    .is_some_and(|v| v.cidr_blocks.iter().any(|b| b.cidr.contains_addr(ip)));
                let all = zone.as_deref() == Some("all");
                if in_vpc {
                    return Ok((port, zone));
                }
                // vpclab extension: a loopback address stands for a process on this machine.
                let allowed = PRIVATE_RANGES.iter().any(|r| in_block(ip, *r)) || ip.is_loopback();
                if !allowed {
                    return Err(invalid_target(format!(
                        "The IP address '{ip}' is not in the VPC's CIDRs or a private range (RFC 1918, RFC 6598)"
                    )));
                }
                if !all {
                    return Err(validation(format!(
                        "The IP address '{ip}' is outside the VPC: its Availability Zone must be 'all'"
                    )));
                }
                Ok((port, zone))
            }
            TargetType::Lambda => {
                if !t.id.starts_with("arn:aws:lambda:") {
                    return Err(invalid_target(format!("'{}' is not a Lambda function ARN", t.id)));
                }
                Ok((0, None))
            }
            TargetType::Alb => {
                let lb = self.load_balancers.get(&t.id).filter(|l| &l.owner == scope);
                match lb {
                    Some(l)
                        if l.lb_type == crate::types::elbv2::load_balancer::LbType::Application
                            && Some(&l.vpc_id) == tg.vpc_id.as_ref() =>
                    {
                        Ok((port, None))
                    }
                    _ => Err(invalid_target(format!(
                        "'{}' is not an Application Load Balancer in the target group's VPC",
                        t.id
                    ))),
                }
            }
        }
    }

    /// RegisterTargets. Registering a registered target again changes nothing; a draining one
    /// comes back.
    pub fn register_targets(
        &mut self,
        scope: &Scope,
        arn: &str,
        targets: &[TargetSpec],
        now: i64,
    ) -> Result<()> {
        let tg = self.find_target_group(scope, arn)?.clone();
        if targets.is_empty() {
            return Err(validation("At least one target must be specified"));
        }
        let mut checked = Vec::new();
        for t in targets {
            let (port, zone) = self.check_elb_target(scope, &tg, t)?;
            checked.push((t.id.clone(), port, zone));
        }
        let Some(group) = self.target_groups.get_mut(arn) else { return Err(not_found()) };
        group.targets.retain(|t| t.deregistered_at.is_none() || tg.is_draining(t, now));
        for (id, port, zone) in checked {
            match group.targets.iter_mut().find(|t| t.is(&id, port)) {
                Some(existing) => {
                    existing.deregistered_at = None;
                    existing.availability_zone = zone;
                }
                None => group.targets.push(Target {
                    id,
                    port,
                    availability_zone: zone,
                    registered_at: now,
                    deregistered_at: None,
                }),
            }
        }
        let single = matches!(group.target_type, TargetType::Lambda | TargetType::Alb);
        let limit = if single { 1 } else { TARGETS_PER_TARGET_GROUP };
        if group.registered_targets().count() > limit {
            return Err(Error::new(
                Elbv2::TooManyTargets,
                format!(
                    "A target group of type '{}' can have at most {limit} targets",
                    group.target_type.name()
                ),
            ));
        }
        Ok(())
    }

    /// DeregisterTargets: targets drain for the deregistration delay when a load balancer uses
    /// the group, and go at once otherwise.
    pub fn deregister_targets(
        &mut self,
        scope: &Scope,
        arn: &str,
        targets: &[TargetSpec],
        now: i64,
    ) -> Result<()> {
        let tg = self.find_target_group(scope, arn)?.clone();
        let in_use = !self.load_balancers_of_target_group(arn).is_empty();
        let mut keys = Vec::new();
        for t in targets {
            let port = match t.port {
                Some(p) => in_range("Port", p, 1, 65535)? as u16,
                None => tg
                    .registered_targets()
                    .find(|r| r.id == t.id)
                    .map_or(tg.port.unwrap_or(0), |r| r.port),
            };
            if !tg.registered_targets().any(|r| r.is(&t.id, port)) {
                return Err(invalid_target(format!(
                    "The target '{}' is not registered with the target group on port {port}",
                    t.id
                )));
            }
            keys.push((t.id.clone(), port));
        }
        let Some(group) = self.target_groups.get_mut(arn) else { return Err(not_found()) };
        for t in group.targets.iter_mut().filter(|t| keys.iter().any(|(id, p)| t.is(id, *p))) {
            t.deregistered_at = Some(now);
        }
        let delay = group.deregistration_delay_ms();
        group.targets.retain(|t| match t.deregistered_at {
            None => true,
            Some(at) => in_use && now < at + delay,
        });
        Ok(())
    }

    /// What DescribeTargetHealth says about one target at `now`, AWS's way: not registered,
    /// draining, not in use (group unused, or zone not enabled), stopped instance, checks
    /// off; then what the data plane `observed`, else `initial`.
    pub fn target_health(
        &self,
        tg: &TargetGroup,
        target_id: &str,
        port: u16,
        now: i64,
        observed: Option<HealthReport>,
    ) -> HealthReport {
        let Some(target) = tg.live_targets(now).find(|t| t.is(target_id, port)) else {
            return HealthReport::new(
                "unused",
                "Target.NotRegistered",
                "Target is not registered to the target group",
            );
        };
        if target.deregistered_at.is_some() {
            return HealthReport::new(
                "draining",
                "Target.DeregistrationInProgress",
                "Target deregistration is in progress",
            );
        }
        let lbs = self.load_balancers_of_target_group(&tg.arn);
        if lbs.is_empty() {
            return HealthReport::new(
                "unused",
                "Target.NotInUse",
                "Target group is not configured to receive traffic from the load balancer",
            );
        }
        if let Some(zone) = self.target_zone(tg, target).filter(|z| z != "all") {
            let enabled = lbs.iter().filter_map(|l| self.load_balancers.get(l)).any(|l| {
                l.zones.iter().any(|z| z.zone == zone)
                    || l.attributes
                        .get("load_balancing.cross_zone.enabled")
                        .is_some_and(|v| v == "true")
                        && l.lb_type == crate::types::elbv2::load_balancer::LbType::Application
            });
            if !enabled {
                return HealthReport::new(
                    "unused",
                    "Target.NotInUse",
                    "Target is in an Availability Zone that is not enabled for the load balancer",
                );
            }
        }
        if tg.target_type == TargetType::Instance
            && self.instances.get(target_id).is_some_and(|i| {
                i.state != InstanceState::Running && i.state != InstanceState::Pending
            })
        {
            return HealthReport::new(
                "unused",
                "Target.InvalidState",
                "Target is in the stopped state",
            );
        }
        if !tg.health_check.enabled {
            return HealthReport::new(
                "unavailable",
                "Target.HealthCheckDisabled",
                "Health checks disabled",
            );
        }
        observed.unwrap_or_else(|| {
            HealthReport::new(
                "initial",
                "Elb.RegistrationInProgress",
                "Target registration is in progress",
            )
        })
    }

    /// The ARNs of the load balancers whose listeners or rules forward to the group, sorted.
    pub fn load_balancers_of_target_group(&self, target_group_arn: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .listeners
            .values()
            .filter(|l| {
                l.default_actions.iter().any(|a| a.forwards_to(target_group_arn))
                    || self.listener_rules.values().any(|r| {
                        r.listener_arn == l.arn
                            && r.actions.iter().any(|a| a.forwards_to(target_group_arn))
                    })
            })
            .map(|l| l.load_balancer_arn.clone())
            .collect();
        out.sort();
        out.dedup();
        out
    }
}
