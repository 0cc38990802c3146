//! The model's ELBv2 resources as a [`Config`]: what the binary applies after every change.
//!
//! Everything the plane needs is read from one [`World`] snapshot at one instant `now`:
//! draining targets are in the configuration (marked) until their deregistration delay has
//! passed, and [`Translation::next_change`] says when that happens so the binary can apply
//! again then. Where a target is reached locally:
//!
//! - `ip` targets at their address (loopback addresses are vpclab's extension for local
//!   services);
//! - `instance` targets at the address of the instance's [`LOCAL_ADDRESS_TAG`] tag, else at its
//!   private address.
//!
//! Either way the address is only where the plane *would* connect: the plane dials it only if
//! the egress policy (`--egress-allow`, loopback only by default) allows it, else the target is
//! `unhealthy` and never contacted.

use crate::config::{
    Action, Algorithm, Balancer, Condition, Config, HealthCheck, Kind, Listener, Rule, Stickiness,
    Target, TargetGroup,
};
use model::World;
use model::listener::{self as ml, ActionKind, RuleCondition};
use model::load_balancer::{LbType, LoadBalancer};
use model::tags::LOCAL_ADDRESS_TAG;
use model::target_group::{self as mt, Matcher, TargetType};
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// A configuration and when it will change by itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Translation {
    pub config: Config,
    /// The earliest end of a draining target's deregistration delay (ms since the epoch).
    pub next_change: Option<i64>,
}

/// The kinds of rows [`translate`] reads: while none of them changes (`model::World::stamp`),
/// neither does the translation, until [`Translation::next_change`].
pub const KINDS: &[&str] = &[
    "load_balancer",
    "listener",
    "listener_rule",
    "target_group",
    "instance",
    "network_interface",
];

/// The load balancers, listeners, rules and target groups of every account and region.
pub fn translate(world: &World, now: i64) -> Translation {
    let balancers = world
        .load_balancers
        .values()
        .filter(|b| b.lb_type != LbType::Gateway)
        .map(|b| balancer(world, b))
        .collect();
    let mut next_change: Option<i64> = None;
    let mut target_groups = BTreeMap::new();
    for group in world.target_groups.values() {
        let Some(tg) = target_group(world, group, now, &mut next_change) else { continue };
        target_groups.insert(group.arn.clone(), tg);
    }
    Translation { config: Config { balancers, target_groups }, next_change }
}

fn attribute<'a>(attributes: &'a BTreeMap<String, String>, key: &str) -> Option<&'a str> {
    attributes.get(key).map(String::as_str)
}

fn seconds(attributes: &BTreeMap<String, String>, key: &str, default: u64) -> Duration {
    Duration::from_secs(attribute(attributes, key).and_then(|v| v.parse().ok()).unwrap_or(default))
}

fn balancer(world: &World, b: &LoadBalancer) -> Balancer {
    let (kind, idle_default) = match b.lb_type {
        LbType::Application => (Kind::Application, 60),
        LbType::Network => (Kind::Network, 350),
        LbType::Gateway => (Kind::Gateway, 350),
    };
    let cross_zone = b.lb_type == LbType::Application
        || attribute(&b.attributes, "load_balancing.cross_zone.enabled") == Some("true");
    let listeners = world
        .listeners_of(&b.arn)
        .into_iter()
        .filter_map(|l| {
            Some(Listener {
                arn: l.arn.clone(),
                port: l.port?,
                protocol: l.protocol?,
                default_actions: actions(&l.default_actions),
                rules: world
                    .rules_of(&l.arn)
                    .into_iter()
                    .map(|r| Rule {
                        arn: r.arn.clone(),
                        priority: r.priority,
                        conditions: r.conditions.iter().map(condition).collect(),
                        actions: actions(&r.actions),
                    })
                    .collect(),
                // ACM is not served: HTTPS and TLS listeners present a certificate generated
                // for the load balancer's DNS name.
                certificate: None,
            })
        })
        .collect();
    Balancer {
        arn: b.arn.clone(),
        name: b.name.clone(),
        dns_name: b.dns_name.clone(),
        kind,
        zones: b.zones.iter().map(|z| z.zone.clone()).collect(),
        cross_zone,
        idle_timeout: seconds(&b.attributes, "idle_timeout.timeout_seconds", idle_default),
        listeners,
    }
}

/// Actions in the order they run.
fn actions(list: &[ml::Action]) -> Vec<Action> {
    let mut sorted: Vec<&ml::Action> = list.iter().collect();
    sorted.sort_by_key(|a| a.order);
    sorted
        .into_iter()
        .map(|a| match &a.kind {
            ActionKind::Forward(f) => {
                Action::Forward {
                    groups: f
                        .target_groups
                        .iter()
                        .map(|g| (g.target_group_arn.clone(), g.weight.unwrap_or(1)))
                        .collect(),
                    group_stickiness: f.stickiness.as_ref().filter(|s| s.enabled).map(|s| {
                        Duration::from_secs(u64::from(s.duration_seconds.unwrap_or(3600)))
                    }),
                }
            }
            ActionKind::Redirect(r) => Action::Redirect {
                protocol: Some(r.protocol.clone()),
                host: Some(r.host.clone()),
                port: Some(r.port.clone()),
                path: Some(r.path.clone()),
                query: Some(r.query.clone()),
                status_code: r.status_code.clone(),
            },
            ActionKind::FixedResponse(f) => Action::FixedResponse {
                status_code: f.status_code.clone(),
                content_type: f.content_type.clone(),
                body: f.message_body.clone(),
            },
        })
        .collect()
}

fn condition(c: &RuleCondition) -> Condition {
    match c {
        RuleCondition::HostHeader { values } => Condition::HostHeader(values.clone()),
        RuleCondition::PathPattern { values } => Condition::PathPattern(values.clone()),
        RuleCondition::HttpHeader { name, values } => {
            Condition::HttpHeader { name: name.clone(), values: values.clone() }
        }
        RuleCondition::HttpRequestMethod { values } => Condition::HttpRequestMethod(values.clone()),
        RuleCondition::QueryString { values } => Condition::QueryString(
            values.iter().map(|q| (q.key.clone(), q.value.clone())).collect(),
        ),
        RuleCondition::SourceIp { values } => {
            Condition::SourceIp(values.iter().filter_map(|cidr| parse_cidr(cidr)).collect())
        }
    }
}

fn parse_cidr(text: &str) -> Option<(IpAddr, u8)> {
    let (address, length) = text.split_once('/')?;
    Some((address.parse().ok()?, length.parse().ok()?))
}

fn target_group(
    world: &World,
    g: &mt::TargetGroup,
    now: i64,
    next_change: &mut Option<i64>,
) -> Option<TargetGroup> {
    let traffic = g.protocol?;
    let port = g.port?;
    let a = &g.attributes;
    let mut targets = Vec::new();
    for t in g.live_targets(now) {
        let draining = g.is_draining(t, now);
        if let (true, Some(at)) = (draining, t.deregistered_at) {
            let ends = at + g.deregistration_delay_ms();
            *next_change = Some(next_change.map_or(ends, |n| n.min(ends)));
        }
        let Some((address, zone)) = locate(world, g.target_type, t) else { continue };
        targets.push(Target {
            id: t.id.clone(),
            port: t.port,
            address: SocketAddr::new(address, t.port),
            zone,
            draining,
        });
    }
    let hc = &g.health_check;
    let health_check = HealthCheck {
        enabled: hc.enabled,
        protocol: hc.protocol.unwrap_or(traffic),
        port: hc.port.parse().ok(),
        path: hc.path.clone().unwrap_or_else(|| "/".into()),
        interval: Duration::from_secs(u64::from(hc.interval_seconds)),
        timeout: Duration::from_secs(u64::from(hc.timeout_seconds)),
        healthy_threshold: hc.healthy_threshold,
        unhealthy_threshold: hc.unhealthy_threshold,
        matcher: match &hc.matcher {
            Some(Matcher::Http(codes)) => codes.clone(),
            // gRPC health checks are answered over HTTP/2; the plane checks HTTP 200.
            Some(Matcher::Grpc(_)) | None => "200".into(),
        },
    };
    let stickiness =
        (attribute(a, "stickiness.enabled") == Some("true")).then(|| {
            match attribute(a, "stickiness.type") {
                Some("app_cookie") => Stickiness::AppCookie {
                    name: attribute(a, "stickiness.app_cookie.cookie_name")
                        .unwrap_or("")
                        .to_owned(),
                    duration: seconds(a, "stickiness.app_cookie.duration_seconds", 86400),
                },
                Some("source_ip") => Stickiness::SourceIp,
                _ => Stickiness::LbCookie {
                    duration: seconds(a, "stickiness.lb_cookie.duration_seconds", 86400),
                },
            }
        });
    let algorithm = match attribute(a, "load_balancing.algorithm.type") {
        Some("least_outstanding_requests") => Algorithm::LeastOutstandingRequests,
        Some("weighted_random") => Algorithm::WeightedRandom,
        _ => Algorithm::RoundRobin,
    };
    Some(TargetGroup {
        arn: g.arn.clone(),
        protocol: traffic,
        protocol_version: g.protocol_version.clone(),
        port,
        targets,
        health_check,
        stickiness,
        deregistration_delay: seconds(a, "deregistration_delay.timeout_seconds", 300),
        slow_start: seconds(a, "slow_start.duration_seconds", 0),
        algorithm,
        proxy_protocol_v2: attribute(a, "proxy_protocol_v2.enabled") == Some("true"),
    })
}

/// Where a target is reached on this machine, and its zone (`None`: every zone).
fn locate(world: &World, kind: TargetType, t: &mt::Target) -> Option<(IpAddr, Option<String>)> {
    let registered_zone = t.availability_zone.clone().filter(|z| z != "all");
    match kind {
        TargetType::Ip => Some((t.id.parse().ok()?, registered_zone)),
        TargetType::Instance => {
            let instance = world.instances.get(&t.id)?;
            let local = instance.tags.get(LOCAL_ADDRESS_TAG).and_then(|a| a.trim().parse().ok());
            let address = match local {
                Some(a) => a,
                None => IpAddr::V4(
                    world
                        .network_interfaces
                        .get(&instance.primary_network_interface_id)?
                        .primary_ip()?,
                ),
            };
            Some((address, Some(instance.availability_zone.clone())))
        }
        // Lambda functions and ALBs as targets are not reached by the local plane.
        TargetType::Lambda | TargetType::Alb => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::Scope;
    use model::listener::{ActionSpec, ListenerSpec};
    use model::load_balancer::NewLoadBalancer;
    use model::target_group::{NewTargetGroup, TargetSpec};
    use model::vpc::NewVpc;

    fn world_with_alb() -> (World, Scope, String) {
        let mut w = World::default();
        let scope = Scope::new("123456789012", "us-east-1");
        w.ensure_scope(&scope).unwrap();
        let new = NewVpc { cidr: Some("10.0.0.0/16".into()), ..Default::default() };
        let vpc = w.create_vpc(&scope, new).unwrap();
        let a = w.create_subnet(&scope, &vpc, "10.0.1.0/24", Some("us-east-1a"), None, &[]);
        let b = w.create_subnet(&scope, &vpc, "10.0.2.0/24", Some("us-east-1b"), None, &[]);
        let igw = w.create_internet_gateway(&scope, &[]).unwrap();
        w.attach_internet_gateway(&scope, &igw, &vpc).unwrap();
        let lb = NewLoadBalancer {
            name: "web".into(),
            subnets: vec![a.unwrap(), b.unwrap()],
            ..Default::default()
        };
        let lb = w.create_load_balancer(&scope, lb, 0).unwrap();
        let tg = NewTargetGroup {
            name: "local".into(),
            target_type: Some("ip".into()),
            protocol: Some("HTTP".into()),
            port: Some(8081),
            vpc_id: Some(vpc),
            ..Default::default()
        };
        let tg = w.create_target_group(&scope, tg, 0).unwrap();
        let local = TargetSpec {
            id: "127.0.0.1".into(),
            port: Some(9000),
            availability_zone: Some("all".into()),
        };
        w.register_targets(&scope, &tg, &[local], 0).unwrap();
        let forward = ActionSpec {
            type_: "forward".into(),
            target_group_arn: Some(tg.clone()),
            ..Default::default()
        };
        let spec = ListenerSpec {
            protocol: Some("HTTP".into()),
            port: Some(80),
            default_actions: Some(vec![forward]),
            ..Default::default()
        };
        w.create_listener(&scope, &lb, &spec).unwrap();
        (w, scope, tg)
    }

    #[test]
    fn an_alb_with_a_local_target_becomes_a_listener_and_a_group() {
        let (w, _, tg) = world_with_alb();
        let t = translate(&w, 1_000);
        let [b] = t.config.balancers.as_slice() else { panic!("one balancer") };
        assert_eq!(b.kind, Kind::Application);
        assert!(b.cross_zone);
        assert_eq!(b.idle_timeout, Duration::from_secs(60));
        assert_eq!(b.zones, ["us-east-1a", "us-east-1b"]);
        let [l] = b.listeners.as_slice() else { panic!("one listener") };
        assert_eq!((l.port, l.protocol), (80, crate::Protocol::Http));
        assert_eq!(
            l.default_actions,
            [Action::Forward { groups: vec![(tg.clone(), 1)], group_stickiness: None }]
        );
        let group = &t.config.target_groups[&tg];
        assert_eq!(group.targets[0].address, "127.0.0.1:9000".parse().unwrap());
        assert_eq!(group.targets[0].zone, None);
        assert_eq!(group.deregistration_delay, Duration::from_secs(300));
        assert_eq!(t.next_change, None);
    }

    #[test]
    fn a_deregistered_target_drains_until_the_delay_ends() {
        let (mut w, scope, tg) = world_with_alb();
        let local = TargetSpec { id: "127.0.0.1".into(), port: Some(9000), ..Default::default() };
        w.deregister_targets(&scope, &tg, &[local], 10_000).unwrap();
        let t = translate(&w, 20_000);
        assert!(t.config.target_groups[&tg].targets[0].draining);
        assert_eq!(t.next_change, Some(310_000));
        let t = translate(&w, 310_000);
        assert!(t.config.target_groups[&tg].targets.is_empty());
        assert_eq!(t.next_change, None);
    }
}
