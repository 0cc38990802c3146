//! `vpclab bench trace`: how fast the semantics engine answers, on generated networks.
//!
//! For each size it builds a network in memory through the model's own operations — VPCs of
//! 1,000 interfaces, subnets of 25 with a route table each (local, a default route to the
//! internet gateway for public subnets), a network ACL per four subnets with a dozen entries,
//! security groups of about 20 rules (CIDRs, port ranges, references to other groups), an
//! instance per interface and an Elastic IP on every tenth — then times traces between random
//! pairs on one thread: instance to instance in the same VPC, and internet to instance.

use anyhow::{Result, anyhow};
use model::address::AssociateTarget;
use model::instance::Launch;
use model::network_acl::EntryRequest;
use model::route_table::{DestinationSpec, TargetSpec};
use model::security_group::{Direction, PeerRequest, RuleRequest};
use model::vpc::NewVpc;
use model::{Quotas, Scope, World};
use netsem::endpoint::Endpoint;
use netsem::index::Index;
use netsem::packet::TCP;
use netsem::trace::{Network, Question, trace};
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub struct TraceBenchArgs {
    /// Network sizes, in interfaces.
    #[arg(long, value_delimiter = ',', default_value = "100,1000,10000")]
    enis: Vec<usize>,
    /// Traces timed per size.
    #[arg(long, default_value_t = 20000)]
    traces: usize,
}

const PER_SUBNET: usize = 25;
const PER_VPC: usize = 1000;
const SUBNETS_PER_ACL: usize = 4;
const INTERFACES_PER_GROUP: usize = 10;

pub(crate) struct Generated {
    pub(crate) world: World,
    /// (VPC number, instance id), in VPC order: VPC `v` holds `v * PER_VPC ..`.
    pub(crate) instances: Vec<(usize, String)>,
    pub(crate) gateways: Vec<String>,
}

fn m<T>(r: model::Result<T>) -> Result<T> {
    r.map_err(|e| anyhow!("{}: {}", e.code, e.message))
}

fn rule(protocol: &str, ports: Option<(i32, i32)>, peer: PeerRequest) -> RuleRequest {
    RuleRequest {
        protocol: protocol.into(),
        from_port: ports.map(|p| p.0),
        to_port: ports.map(|p| p.1),
        peer,
        description: None,
    }
}

/// A network of `enis` interfaces (see the module documentation for its shape).
pub(crate) fn generate(enis: usize) -> Result<Generated> {
    let mut w = World { quotas: Quotas::unlimited(), ..World::default() };
    let scope = Scope::new("123456789012", "us-east-1");
    m(w.ensure_scope(&scope))?;
    let mut instances = Vec::new();
    let mut gateways = Vec::new();
    let vpcs = enis.div_ceil(PER_VPC);
    for v in 0..vpcs {
        let in_vpc = (enis - v * PER_VPC).min(PER_VPC);
        let cidr = format!("10.{v}.0.0/16");
        let vpc = m(w.create_vpc(&scope, NewVpc { cidr: Some(cidr), ..Default::default() }))?;
        let igw = m(w.create_internet_gateway(&scope, &[]))?;
        m(w.attach_internet_gateway(&scope, &igw, &vpc))?;
        gateways.push(igw.clone());
        // Security groups of ~20 rules: web ports from anywhere, app ports from the previous
        // group, admin ranges from office blocks.
        let groups = in_vpc.div_ceil(INTERFACES_PER_GROUP);
        let mut group_ids: Vec<String> = Vec::new();
        for g in 0..groups {
            let id =
                m(w.create_security_group(&scope, &format!("g{g}"), "bench", Some(&vpc), &[]))?;
            let mut rules = vec![
                rule("tcp", Some((443, 443)), PeerRequest::CidrV4("0.0.0.0/0".into())),
                rule("tcp", Some((80, 80)), PeerRequest::CidrV4("0.0.0.0/0".into())),
            ];
            for k in 0..14 {
                let block = format!("192.168.{k}.0/24");
                rules.push(rule("tcp", Some((8000 + k, 8000 + k)), PeerRequest::CidrV4(block)));
            }
            rules.push(rule("udp", Some((1000, 2000)), PeerRequest::CidrV4("10.0.0.0/8".into())));
            rules.push(rule("icmp", Some((-1, -1)), PeerRequest::CidrV4("10.0.0.0/8".into())));
            if let Some(previous) = group_ids.last() {
                let peer = PeerRequest::Group {
                    group_id: Some(previous.clone()),
                    group_name: None,
                    user_id: None,
                };
                rules.push(rule("tcp", Some((3306, 3306)), peer));
            }
            rules.push(rule("tcp", Some((22, 22)), PeerRequest::CidrV4("203.0.113.0/24".into())));
            m(w.authorize_security_group_rules(&scope, &id, Direction::Ingress, &rules, &[]))?;
            group_ids.push(id);
        }
        let subnets = in_vpc.div_ceil(PER_SUBNET);
        let mut acl = String::new();
        for s in 0..subnets {
            let subnet = m(w.create_subnet(
                &scope,
                &vpc,
                &format!("10.{v}.{s}.0/24"),
                Some(if s.is_multiple_of(2) { "us-east-1a" } else { "us-east-1b" }),
                None,
                &[],
            ))?;
            let table = m(w.create_route_table(&scope, &vpc, &[]))?;
            m(w.associate_route_table(&scope, &table, Some(&subnet), None))?;
            let public = s.is_multiple_of(2);
            if public {
                let dest = DestinationSpec { cidr: Some("0.0.0.0/0".into()), ..Default::default() };
                let target = TargetSpec { gateway_id: Some(igw.clone()), ..Default::default() };
                m(w.create_route(&scope, &table, &dest, &target))?;
            }
            if s.is_multiple_of(SUBNETS_PER_ACL) {
                acl = m(w.create_network_acl(&scope, &vpc, &[]))?;
                let entries = [
                    (90, false, "6", "deny", "198.51.100.0/24", Some((0, 65535))),
                    (100, false, "6", "allow", "0.0.0.0/0", Some((443, 443))),
                    (110, false, "6", "allow", "0.0.0.0/0", Some((80, 80))),
                    (120, false, "6", "allow", "10.0.0.0/8", Some((3306, 3306))),
                    (130, false, "6", "allow", "203.0.113.0/24", Some((22, 22))),
                    (140, false, "17", "allow", "10.0.0.0/8", Some((1000, 2000))),
                    (150, false, "6", "allow", "0.0.0.0/0", Some((1024, 65535))),
                    (100, true, "6", "allow", "0.0.0.0/0", Some((1024, 65535))),
                    (110, true, "6", "allow", "10.0.0.0/8", Some((0, 65535))),
                    (120, true, "6", "allow", "0.0.0.0/0", Some((443, 443))),
                    (130, true, "17", "allow", "0.0.0.0/0", Some((0, 65535))),
                ];
                for (n, egress, protocol, action, cidr, ports) in entries {
                    let req = EntryRequest {
                        rule_number: n,
                        egress,
                        protocol: protocol.into(),
                        rule_action: action.into(),
                        cidr_block: Some(cidr.into()),
                        port_range: ports.map(|(a, b)| (Some(a), Some(b))),
                        ..Default::default()
                    };
                    m(w.create_network_acl_entry(&scope, &acl, &req))?;
                }
            }
            let association = w
                .subnets
                .get(&subnet)
                .and_then(|s| s.network_acl_association.as_ref())
                .map(|a| a.id.clone())
                .ok_or_else(|| anyhow!("subnet {subnet} has no ACL"))?;
            m(w.replace_network_acl_association(&scope, &association, &acl))?;
            let here = (in_vpc - s * PER_SUBNET).min(PER_SUBNET);
            for k in 0..here {
                let n = s * PER_SUBNET + k;
                let group = group_ids.get(n / INTERFACES_PER_GROUP).cloned().unwrap_or_default();
                let launch = Launch {
                    image_id: "ami-12345678".into(),
                    instance_type: "t3.micro".into(),
                    min_count: 1,
                    max_count: 1,
                    subnet_id: Some(subnet.clone()),
                    group_ids: vec![group],
                    ..Default::default()
                };
                let (_, ids) = m(w.run_instances(&scope, launch, 0))?;
                let id = ids.into_iter().next().ok_or_else(|| anyhow!("no instance"))?;
                if let Some(i) = w.instances.get_mut(&id) {
                    i.state = model::types::ec2::InstanceState::Running;
                }
                if public && n.is_multiple_of(10) {
                    let eip = m(w.allocate_address(&scope, &[]))?;
                    let target =
                        AssociateTarget { instance_id: Some(id.clone()), ..Default::default() };
                    m(w.associate_address(&scope, &eip, target, false))?;
                }
                instances.push((v, id));
            }
        }
    }
    let _ = w.take_changes();
    Ok(Generated { world: w, instances, gateways })
}

pub(crate) fn median(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |q: f64| {
        let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples.get(i).copied().unwrap_or_default()
    };
    (at(0.5), at(0.99))
}

pub fn run(args: TraceBenchArgs) -> Result<()> {
    println!("semantics engine, one thread (median / p99 per trace; traces per second)");
    for &size in &args.enis {
        let started = Instant::now();
        let g = generate(size)?;
        let built = started.elapsed();
        let started = Instant::now();
        let index = Index::build(&g.world);
        let indexed = started.elapsed();
        let net = Network { world: &g.world, index: &index };
        let mut rng = fastrand::Rng::with_seed(7);
        let count = g.instances.len();
        let questions: Vec<Question> = (0..args.traces)
            .filter_map(|k| {
                let (v, to) = g.instances.get(rng.usize(..count))?;
                let from = if k % 2 == 0 {
                    // Another instance of the same VPC.
                    let first = v * PER_VPC;
                    let last = (first + PER_VPC).min(count);
                    Endpoint::Resource(g.instances.get(rng.usize(first..last))?.1.clone())
                } else {
                    Endpoint::Resource(g.gateways.get(*v)?.clone())
                };
                let port = [443, 3306, 22, 80].get(rng.usize(..4)).copied().unwrap_or(443);
                Some(Question::new(from, Endpoint::Resource(to.clone()), TCP, Some(port)))
            })
            .collect();
        let mut samples = Vec::with_capacity(questions.len());
        let mut reachable = 0usize;
        let all = Instant::now();
        for q in &questions {
            let t0 = Instant::now();
            let t = trace(&net, q).map_err(|e| anyhow!("{e}"))?;
            samples.push(t0.elapsed());
            reachable += usize::from(t.reachable());
        }
        let total = all.elapsed();
        let per_second = questions.len() as f64 / total.as_secs_f64();
        let (p50, p99) = median(samples);
        println!(
            "{size:>6} ENIs: {:>7.1} µs / {:>7.1} µs; {per_second:>9.0} traces/s \
             ({reachable} of {} reachable; network built in {:.1} s, indexed in {:.1} ms)",
            p50.as_secs_f64() * 1e6,
            p99.as_secs_f64() * 1e6,
            questions.len(),
            built.as_secs_f64(),
            indexed.as_secs_f64() * 1e3,
        );
    }
    Ok(())
}
