//! Elastic Load Balancing (v2): listener → target groups → targets.
//!
//! Packets reach a load balancer at one of its interfaces (one per enabled zone): its security
//! groups and its subnet's network ACL judge them as any interface's do. The load balancer then
//! takes them only on a listener's port and protocol (`ELBV2_LISTENERS_MISMATCH`), and opens a
//! new connection of its own to a target of a group the listener forwards to — from its own
//! address (Application Load Balancers; Network Load Balancers whose target group does not
//! preserve client addresses) or from the client's (`preserve_client_ip.enabled`). That second
//! leg crosses the load balancer's security groups, its subnet's network ACL and route table,
//! and the target's subnet and groups like any other packets, so a target group whose instances
//! admit only the load balancer's group works as on AWS.
//!
//! A load balancer sends to targets only in its enabled zones (`ELB_INSTALLED_AZ_RESTRICTION`;
//! addresses registered with zone `all` are outside the VPC and reachable from every zone); a
//! packet enters it in the target's zone, so cross-zone load balancing never decides a path.
//!
//! Two kinds of questions meet load balancers: one whose destination is the load balancer
//! itself (its ARN) ends at its listener; one whose destination is a target that the source
//! cannot reach directly goes through each load balancer in front of that target, and the
//! first path that gets through is the answer (Reachability Analyzer considers load balancers
//! as intermediate components in the same way).

use super::{
    Decision, EPHEMERAL_PORTS, End, Explanation, Hop, Owner, Question, Trace, TraceError, Walk,
    codes, walk_both_ways,
};
use crate::endpoint::Endpoint;
use crate::header::{Family, Header, Span, address_value};
use model::listener::{ActionKind, Listener};
use model::load_balancer::{LbType, LbZone, LoadBalancer};
use model::target_group::{Protocol, Target, TargetGroup, TargetType};
use std::net::IpAddr;

/// ELBv2 ARNs are path ends: `arn:aws:elasticloadbalancing:…:loadbalancer/…`.
pub(super) fn is_load_balancer_arn(id: &str) -> bool {
    id.starts_with("arn:") && id.contains(":elasticloadbalancing:") && id.contains(":loadbalancer/")
}

/// The listener a load balancer takes packets on, and the target they go to.
#[derive(Debug, Clone, Copy)]
struct Leg<'w> {
    balancer: &'w LoadBalancer,
    listener: &'w Listener,
    port: u16,
    /// The group and target, when the path goes on past the load balancer.
    target: Option<(&'w TargetGroup, &'w Target)>,
}

/// The IP protocols a listener protocol takes.
fn carries(protocol: Option<Protocol>, ip_protocol: u8) -> bool {
    match protocol {
        Some(Protocol::Http | Protocol::Https | Protocol::Tcp | Protocol::Tls) => ip_protocol == 6,
        Some(Protocol::Udp) => ip_protocol == 17,
        Some(Protocol::TcpUdp) => ip_protocol == 6 || ip_protocol == 17,
        // Gateway Load Balancers take everything, but they are bumps in a route, not path ends.
        Some(Protocol::Geneve) | None => false,
    }
}

/// The target groups a listener forwards to (its rules' and its default actions').
fn target_groups_of<'w>(world: &'w model::World, listener: &'w Listener) -> Vec<&'w TargetGroup> {
    let rules = world.rules_of(&listener.arn);
    let actions = rules.iter().flat_map(|r| r.actions.iter()).chain(&listener.default_actions);
    let mut arns: Vec<&str> = Vec::new();
    for action in actions {
        if let ActionKind::Forward(f) = &action.kind {
            for g in &f.target_groups {
                if !arns.contains(&g.target_group_arn.as_str()) {
                    arns.push(&g.target_group_arn);
                }
            }
        }
    }
    arns.into_iter().filter_map(|a| world.target_groups.get(a)).collect()
}

/// The listeners of `balancer` that take `protocol` on one of `ports`, by port.
fn listeners_taking<'w>(
    world: &'w model::World,
    balancer: &LoadBalancer,
    protocol: u8,
    ports: Span,
) -> impl Iterator<Item = (&'w Listener, u16)> {
    world.listeners_of(&balancer.arn).into_iter().filter_map(move |l| {
        let port = l.port?;
        (carries(l.protocol, protocol) && ports.contains(Span::one(u128::from(port))))
            .then_some((l, port))
    })
}

/// A question to a load balancer (its ARN): the path ends at the listener.
pub(super) fn to_balancer(
    net: &super::Network<'_>,
    question: &Question,
    source: &End,
) -> Result<Option<Trace>, TraceError> {
    let Endpoint::Resource(arn) = &question.destination else { return Ok(None) };
    if !is_load_balancer_arn(arn) {
        return Ok(None);
    }
    let world = net.world;
    let balancer =
        world.load_balancers.get(arn).ok_or_else(|| TraceError::UnknownResource(arn.clone()))?;
    let zone = balancer.zones.first().ok_or_else(|| TraceError::NoAddress(arn.clone()))?;
    let Some((listener, port)) =
        listeners_taking(world, balancer, question.protocol, question.destination_ports).next()
    else {
        // No listener: the packets reach the interface and stop at the load balancer.
        let header = entry_header(question, source, zone, question.destination_ports);
        let mut trace = walk_both_ways(net, source, &interface_end(zone), header);
        if !trace.reachable() {
            return Ok(Some(trace));
        }
        let arrived = trace.forward.last().and_then(|h| h.inbound).unwrap_or(header);
        let mut hop = balancer_hop(balancer, zone, arrived);
        hop.blocked = true;
        trace.forward.push(hop);
        trace.back.clear();
        trace.arrived = false;
        trace.explanations.push(Explanation {
            code: codes::ELBV2_LISTENERS_MISMATCH,
            component: Some(balancer.arn.clone()),
            load_balancer: Some(balancer.arn.clone()),
            vpc: Some(balancer.vpc_id.clone()),
            header: Some(arrived),
            ..Explanation::default()
        });
        return Ok(Some(trace));
    };
    let leg = Leg { balancer, listener, port, target: None };
    Ok(Some(through(net, question, source, None, leg, zone)))
}

/// Paths from `source` to `destination` through the load balancers it is a target of, the
/// first that gets through (else the first tried); `None` when no load balancer fronts it.
pub(super) fn through_balancers(
    net: &super::Network<'_>,
    question: &Question,
    source: &End,
    destination: &End,
) -> Option<Trace> {
    let End::Interface { owner, address, .. } = destination else { return None };
    if Family::of(*address) != Family::V4 {
        return None;
    }
    let world = net.world;
    let mut first = None;
    for balancer in world.load_balancers.values().filter(|b| b.lb_type != LbType::Gateway) {
        let listeners =
            listeners_taking(world, balancer, question.protocol, question.destination_ports);
        for (listener, port) in listeners {
            for group in target_groups_of(world, listener) {
                let Some(target) = group.registered_targets().find(|t| match group.target_type {
                    TargetType::Instance => owner.as_ref().map(Owner::id) == Some(t.id.as_str()),
                    TargetType::Ip => t.id.parse::<IpAddr>().ok() == Some(*address),
                    TargetType::Lambda | TargetType::Alb => false,
                }) else {
                    continue;
                };
                let leg = Leg { balancer, listener, port, target: Some((group, target)) };
                let trace = match entry_zone(net, balancer, target, destination) {
                    Ok(zone) => through(net, question, source, Some(destination), leg, zone),
                    Err(blocked) => blocked,
                };
                if trace.reachable() {
                    return Some(trace);
                }
                first.get_or_insert(trace);
            }
        }
    }
    first
}

/// The zone the packets enter the load balancer in: the target's, when the load balancer has
/// it (any zone for targets outside the VPC); otherwise the path stops at the load balancer.
fn entry_zone<'w>(
    net: &super::Network<'w>,
    balancer: &'w LoadBalancer,
    target: &Target,
    destination: &End,
) -> Result<&'w LbZone, Trace> {
    let world = net.world;
    let zone = match target.availability_zone.as_deref() {
        Some("all") => None,
        Some(z) => Some(z.to_owned()),
        None => match destination {
            End::Interface { eni, .. } => world
                .network_interfaces
                .get(eni)
                .and_then(|e| world.subnets.get(&e.subnet_id))
                .map(|s| s.availability_zone.clone()),
            End::Outside { .. } => None,
        },
    };
    let found = match &zone {
        None => balancer.zones.first(),
        Some(z) => balancer.zones.iter().find(|lz| lz.zone == *z),
    };
    found.ok_or_else(|| {
        let mut hop = Hop::located(&balancer.arn, Some(&balancer.vpc_id), None);
        hop.blocked = true;
        Trace {
            forward: vec![hop],
            back: Vec::new(),
            explanations: vec![Explanation {
                code: codes::ELB_INSTALLED_AZ_RESTRICTION,
                component: Some(balancer.arn.clone()),
                load_balancer: Some(balancer.arn.clone()),
                vpc: Some(balancer.vpc_id.clone()),
                state: zone,
                ..Explanation::default()
            }],
            arrived: false,
        }
    })
}

/// The load balancer's interface in `zone`, as a path end.
fn interface_end(zone: &LbZone) -> End {
    End::Interface {
        eni: zone.network_interface_id.clone(),
        owner: None,
        address: IpAddr::V4(zone.private_ip),
    }
}

/// The packets the source sends to the load balancer's interface in `zone` on `ports`.
fn entry_header(question: &Question, source: &End, zone: &LbZone, ports: Span) -> Header {
    Header {
        protocol: question.protocol,
        family: Family::V4,
        source: source.addresses(),
        destination: Span::one(address_value(IpAddr::V4(zone.private_ip))),
        source_ports: question.source_ports,
        destination_ports: ports,
    }
}

fn balancer_hop(balancer: &LoadBalancer, zone: &LbZone, inbound: Header) -> Hop {
    let mut hop = Hop::located(&balancer.arn, Some(&balancer.vpc_id), Some(&zone.subnet_id));
    hop.inbound = Some(inbound);
    hop
}

/// Source to the load balancer (in `zone`), through its listener, and on to the target.
fn through(
    net: &super::Network<'_>,
    question: &Question,
    source: &End,
    destination: Option<&End>,
    leg: Leg<'_>,
    zone: &LbZone,
) -> Trace {
    let lb_end = interface_end(zone);
    let entry = entry_header(question, source, zone, Span::one(u128::from(leg.port)));
    let mut trace = walk_both_ways(net, source, &lb_end, entry);
    if !trace.reachable() {
        return trace;
    }
    let mut hop = balancer_hop(leg.balancer, zone, entry);
    let target_port = leg.target.map(|(_, t)| t.port);
    hop.decision = Some(Decision::Listener {
        listener: leg.listener.arn.clone(),
        port: leg.port,
        target_group: leg.target.map(|(g, _)| g.arn.clone()),
        target_port,
    });
    let (Some((group, target)), Some(destination)) = (leg.target, destination) else {
        // The load balancer is the destination.
        let back = std::mem::take(&mut trace.back);
        trace.forward.push(hop);
        trace.back = back;
        return trace;
    };
    // The load balancer's own connection to the target.
    let preserves_client = leg.balancer.lb_type == LbType::Network
        && group.attributes.get("preserve_client_ip.enabled").is_some_and(|v| v == "true");
    let to_target = Header {
        protocol: question.protocol,
        family: Family::V4,
        source: if preserves_client {
            entry.source
        } else {
            Span::one(address_value(IpAddr::V4(zone.private_ip)))
        },
        destination: destination.addresses(),
        source_ports: if preserves_client { entry.source_ports } else { EPHEMERAL_PORTS },
        destination_ports: Span::one(u128::from(target.port)),
    };
    hop.outbound = Some(to_target);
    trace.forward.push(hop);
    let mut forward = Walk::new(net);
    let arrival = forward.run(&lb_end, destination, to_target);
    trace.forward.extend(forward.hops);
    trace.explanations.extend(forward.explanations);
    trace.arrived = arrival.is_some();
    let Some(arrived) = arrival else {
        trace.back.clear();
        return trace;
    };
    // Replies go back to the load balancer, which answers the client on its connection (a
    // Network Load Balancer preserving addresses takes the replies back all the same).
    let mut reply = arrived.reply();
    reply.destination = Span::one(address_value(IpAddr::V4(zone.private_ip)));
    let mut back = Walk::replying(net, super::Flow::default());
    back.run(destination, &lb_end, reply);
    let client_back = std::mem::take(&mut trace.back);
    trace.back = back.hops;
    trace.explanations.extend(back.explanations.into_iter().map(|mut e| {
        e.on_return = true;
        e
    }));
    trace.back.push(balancer_hop(leg.balancer, zone, reply));
    trace.back.extend(client_back);
    trace
}
