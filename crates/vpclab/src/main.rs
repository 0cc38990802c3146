#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]
//! The `vpclab` binary: the command line and the HTTP server that real AWS clients talk to.

mod balancers;
mod bench;
mod bench_access;
mod bench_auth;
mod bench_hub;
mod bench_trace;
mod front_door;
mod log_text;
mod name_servers;
mod reach_cmd;
mod server;
mod state;
mod trace_cmd;
mod traffic_cmd;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "vpclab",
    version,
    about = "AWS VPC networking on one machine: the AWS APIs, and what packets do"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the AWS APIs on one port.
    Serve(Box<ServeArgs>),
    /// Benchmarks against a running server.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Ask a running server what happens to packets from one place to another, hop by hop.
    /// Exits 0 when the path is reachable, 1 when it is not.
    Trace(trace_cmd::TraceArgs),
    /// Ask a running server for every path from one set of places to another (Network Access
    /// Analyzer's exhaustive answer), each with the packets that take it and the rules that
    /// let them by. Exits 0 when some path exists, 1 when none does.
    Reach(reach_cmd::ReachArgs),
    /// Replay a traffic file through a running server: each flow is traced and leaves the flow
    /// log records AWS would write at the interfaces it crosses.
    Traffic(traffic_cmd::TrafficArgs),
    /// List the live endpoints of a running server.
    Endpoints {
        /// The running server.
        #[arg(long, default_value = "http://127.0.0.1:4566")]
        endpoint: String,
    },
}

#[derive(Subcommand, Debug)]
enum BenchCommand {
    /// Latency and throughput of the EC2 API (start the server with --raised-quotas).
    Api(bench::BenchArgs),
    /// Traces per second of the semantics engine on generated networks (in process).
    Trace(bench_trace::TraceBenchArgs),
    /// Network Access Analyzer's exhaustive answers on generated networks (in process).
    Access(bench_access::AccessBenchArgs),
    /// A 1,000-VPC hub-and-spoke on a transit gateway: build time through the API, and trace
    /// latency (start the server with --raised-quotas).
    Hub(bench_hub::HubBenchArgs),
    /// What SigV4 verification costs: the check of one request in process, and CreateVpc /
    /// DescribeVpcs latency against two servers it starts, without and with --credentials.
    Auth(bench_auth::AuthBenchArgs),
}

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:4566")]
    listen: SocketAddr,
    /// Directory of the durable state (an SQLite file).
    #[arg(long, default_value = "./.vpclab")]
    state_dir: PathBuf,
    /// Keep state in memory only; it is gone when the process ends.
    #[arg(long)]
    in_memory: bool,
    /// Override an AWS default quota, e.g. `--quota vpcs_per_region=100` (repeatable).
    #[arg(long = "quota", value_name = "NAME=VALUE")]
    quotas: Vec<String>,
    /// Raise every quota as far as AWS lets it be raised (for large generated networks).
    #[arg(long)]
    raised_quotas: bool,
    /// The most accounts (twelve-digit access keys) the server holds; a new one beyond is
    /// refused as an unknown access key. Accounts already stored keep working.
    #[arg(long, default_value_t = api::DEFAULT_MAX_ACCOUNTS)]
    max_accounts: usize,
    /// Address load balancer listeners listen on, each on a port of its own (see
    /// `vpclab endpoints`).
    #[arg(long, default_value = "127.0.0.1")]
    lb_bind: std::net::IpAddr,
    /// PEM certificate chain HTTPS and TLS listeners present (ACM is not served); without it
    /// each load balancer gets a self-signed certificate for its DNS name.
    #[arg(long, requires = "lb_certificate_key")]
    lb_certificate: Option<PathBuf>,
    /// PEM private key of `--lb-certificate`.
    #[arg(long, requires = "lb_certificate")]
    lb_certificate_key: Option<PathBuf>,
    /// Address the DNS server answers the public hosted zones on (UDP and TCP; port 0 picks
    /// one). VPC resolvers listen on the same IP: a port of its own for each VPC with private
    /// zones or Resolver rules, one shared port for all others (see `vpclab endpoints`).
    #[arg(long, default_value = "127.0.0.1:8053")]
    dns_listen: SocketAddr,
    /// Where DNS clients are, for latency and geolocation routing:
    /// `CIDR=REGION:CONTINENT:COUNTRY[:SUBDIVISION]` (repeatable), matched against the EDNS
    /// client subnet of a query, else its source address; the most specific CIDR wins.
    #[arg(long = "dns-client-location", value_name = "CIDR=LOCATION")]
    dns_client_locations: Vec<String>,
    /// Where a client no `--dns-client-location` matches is: `REGION:CONTINENT:COUNTRY[:SUBDIVISION]`.
    #[arg(long, default_value = "us-east-1:NA:US:VA")]
    dns_default_client_location: String,
    /// Lets the server connect to this CIDR block too (repeatable), e.g. `10.0.0.0/8` on a lab
    /// network: load balancer targets and their health checks, Route 53 health checks and
    /// Resolver forwarding go only to loopback (always allowed) and these blocks. Link-local
    /// (cloud metadata), multicast, broadcast and unspecified addresses are never dialled.
    #[arg(long = "egress-allow", value_name = "CIDR")]
    egress_allow: Vec<guard::egress::Cidr>,
    /// An AWS shared-credentials file (`[profile]` sections with `aws_access_key_id`,
    /// `aws_secret_access_key` and optionally `aws_account_id`): every AWS API request must
    /// then be signed (SigV4) by one of its keys, and acts in the key's account (default
    /// 123456789012). Without it signatures are read but not verified.
    #[arg(long, value_name = "FILE")]
    credentials: Option<PathBuf>,
    /// A web origin allowed to call the API from a browser, e.g. `http://localhost:3000`
    /// (repeatable). Requests with any other `Origin` are refused.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    allow_origins: Vec<String>,
    /// A host name accepted in `Host` besides IP addresses, `localhost` and load balancer
    /// names, e.g. a container's name (repeatable). Requests for any other name are refused.
    #[arg(long = "allow-host", value_name = "NAME")]
    allow_hosts: Vec<String>,
    /// Connections open at once on each listener: the API port, each load balancer listener
    /// (NLB UDP flows count as connections), each DNS TCP port. At the cap the connection idle
    /// the longest is closed for a new one. Default: a quarter of the open-file limit (raised
    /// to its hard limit at start-up) after 256 reserved, within 16–10,000.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: Option<u32>,
    /// Seconds a request head may take from its first byte before the connection is closed.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = seconds)]
    header_read_timeout: std::time::Duration,
    /// Seconds a connection may stay without a request before it is closed.
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = seconds)]
    idle_timeout: std::time::Duration,
    /// Load balancer listener ports across all accounts; CreateListener beyond them is refused
    /// with `TooManyListeners`. Default: an eighth of the open-file limit, within 16–1,000.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    max_listeners: Option<u32>,
}

/// Ends a question command: exit 0 for yes (reachable), 1 for no, 2 when the question could
/// not be answered.
fn exit_with(command: &str, answer: Result<bool>) -> Result<()> {
    match answer {
        Ok(true) => Ok(()),
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("vpclab {command}: {e:#}");
            std::process::exit(2)
        }
    }
}

/// A positive number of seconds, fractions allowed (`0.5`), at most a day.
fn seconds(text: &str) -> Result<std::time::Duration, String> {
    let value: f64 = text.parse().map_err(|_| format!("{text} is not a number of seconds"))?;
    if !(value > 0.0 && value <= 86_400.0) {
        return Err(format!("{text}: give a number of seconds above 0 and at most 86400"));
    }
    Ok(std::time::Duration::from_secs_f64(value))
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => server::serve(*args),
        Command::Bench(BenchCommand::Api(args)) => bench::run(args),
        Command::Bench(BenchCommand::Trace(args)) => bench_trace::run(args),
        Command::Bench(BenchCommand::Access(args)) => bench_access::run(args),
        Command::Bench(BenchCommand::Hub(args)) => bench_hub::run(args),
        Command::Bench(BenchCommand::Auth(args)) => bench_auth::run(args),
        Command::Endpoints { endpoint } => endpoints(&endpoint),
        Command::Traffic(args) => traffic_cmd::run(args),
        // Exit 0: reachable; 1: not reachable; 2: the question could not be answered.
        Command::Trace(args) => exit_with("trace", trace_cmd::run(args)),
        Command::Reach(args) => exit_with("reach", reach_cmd::run(args)),
    }
}

/// Prints `GET /_vpclab/endpoints` of a running server.
fn endpoints(endpoint: &str) -> Result<()> {
    let url = format!("{}/_vpclab/endpoints", endpoint.trim_end_matches('/'));
    let body = server::http_get(&url).with_context(|| format!("asking {url}"))?;
    let value: serde_json::Value =
        serde_json::from_str(&body).context("the server's answer is not JSON")?;
    println!("{}", serde_json::to_string_pretty(&value)?);
    Ok(())
}
