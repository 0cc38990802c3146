//! `vpclab bench access`: how fast Network Access Analyzer's exhaustive answer comes, on the
//! networks `vpclab bench trace` generates (VPCs of 1,000 interfaces behind an internet
//! gateway each, groups of ~20 rules, ACLs of a dozen entries).
//!
//! Three questions per size, each timed on one thread: everything the internet reaches (every
//! interface, all TCP and UDP ports); every path between the interfaces of the first VPC (all
//! pairs of 1,000); and the internet question again after one security group rule is added
//! (the index rebuilt and the scope answered afresh). Each keeps the first 10,000 findings, as
//! an analysis does, and counts them all.

use crate::bench_trace::generate;
use anyhow::{Result, anyhow};
use model::Scope;
use model::security_group::{Direction, PeerRequest, RuleRequest};
use model::types::ec2::access_scope::{AccessPath, PathStatement, ResourceStatement, ScopeContent};
use netsem::access::find;
use netsem::index::Index;
use netsem::trace::Network;
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub struct AccessBenchArgs {
    /// Network sizes, in interfaces.
    #[arg(long, value_delimiter = ',', default_value = "1000,10000")]
    enis: Vec<usize>,
}

fn statement(resources: Vec<String>, types: Vec<String>) -> Option<PathStatement> {
    Some(PathStatement {
        packet_header: None,
        resource: Some(ResourceStatement { resources, resource_types: types }),
    })
}

fn scope(source: Option<PathStatement>, destination: Option<PathStatement>) -> ScopeContent {
    ScopeContent {
        match_paths: vec![AccessPath { source, destination, through: vec![] }],
        exclude_paths: vec![],
    }
}

/// The findings an analysis keeps, as AWS's does (all are counted).
const KEPT: usize = 10_000;

/// Answers `content` on `world` as an analysis does, building the index first: (findings in
/// all, time).
fn answer(world: &model::World, owner: &Scope, content: &ScopeContent) -> (usize, Duration) {
    let started = Instant::now();
    let index = Index::build(world);
    let net = Network { world, index: &index };
    let found = find(&net, owner, content, KEPT);
    (found.total, started.elapsed())
}

pub fn run(args: AccessBenchArgs) -> Result<()> {
    println!("Network Access Analyzer, exhaustive, one thread (index build included)");
    let owner = Scope::new("123456789012", "us-east-1");
    let internet = scope(statement(vec![], vec!["AWS::EC2::InternetGateway".into()]), None);
    for &size in &args.enis {
        let mut g = generate(size)?;
        let (n, took) = answer(&g.world, &owner, &internet);
        println!(
            "{size:>6} ENIs: internet → every interface: {n} findings in {:.3} s",
            took.as_secs_f64()
        );
        let first_vpc = g
            .world
            .network_interfaces
            .values()
            .find(|e| e.owner == owner && e.vpc_id != default_vpc(&g.world, &owner))
            .map(|e| e.vpc_id.clone())
            .ok_or_else(|| anyhow!("no interfaces"))?;
        let within =
            scope(statement(vec![first_vpc.clone()], vec![]), statement(vec![first_vpc], vec![]));
        let (n, took) = answer(&g.world, &owner, &within);
        println!(
            "{size:>6} ENIs: all pairs within one VPC: {n} findings in {:.3} s",
            took.as_secs_f64()
        );
        // One more rule in one group: SSH from a new block.
        let group = g
            .world
            .security_groups
            .values()
            .find(|s| s.name == "g0")
            .map(|s| s.id.clone())
            .ok_or_else(|| anyhow!("no group"))?;
        let rule = RuleRequest {
            protocol: "tcp".into(),
            from_port: Some(2222),
            to_port: Some(2222),
            peer: PeerRequest::CidrV4("198.18.0.0/15".into()),
            description: None,
        };
        g.world
            .authorize_security_group_rules(&owner, &group, Direction::Ingress, &[rule], &[])
            .map_err(|e| anyhow!("{}: {}", e.code, e.message))?;
        let (n, took) = answer(&g.world, &owner, &internet);
        println!(
            "{size:>6} ENIs: after one rule change, internet → every interface again: {n} findings in {:.3} s",
            took.as_secs_f64()
        );
    }
    Ok(())
}

fn default_vpc(world: &model::World, owner: &Scope) -> String {
    world
        .vpcs
        .values()
        .find(|v| v.owner == *owner && v.is_default)
        .map(|v| v.id.clone())
        .unwrap_or_default()
}
