//! `vpclab bench api`: a load generator for the EC2 API of a running server.
//!
//! It measures what the README reports: the latency (median and p99) of CreateVpc,
//! CreateSubnet and DescribeSubnets with 1,000 subnets present, of a Reachability Analyzer
//! analysis (start, then describe), the calls per second of 16 concurrent clients, and the
//! latency of reads while half of them write (reads never see a change before it is durable, so
//! they wait for the writes in flight). Run it against a server with raised quotas:
//! `vpclab serve --in-memory --raised-quotas` (or a state dir, to include the disk sync).

use anyhow::{Context, Result, anyhow};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(crate) type HttpClient = Client<HttpConnector, Full<Bytes>>;

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// The running server (started with --raised-quotas).
    #[arg(long, default_value = "http://127.0.0.1:4566")]
    endpoint: String,
    /// Subnets to create before timing DescribeSubnets.
    #[arg(long, default_value_t = 1000)]
    subnets: usize,
    /// Concurrent clients for the throughput runs.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Seconds each throughput run lasts.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
}

pub(crate) async fn ec2(client: &HttpClient, endpoint: &str, body: String) -> Result<String> {
    let req = hyper::Request::post(endpoint)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(format!("Version=2016-11-15&{body}"))))?;
    let resp = client.request(req).await.context("sending the request")?;
    let status = resp.status();
    let text = String::from_utf8_lossy(&resp.into_body().collect().await?.to_bytes()).into_owned();
    if !status.is_success() {
        return Err(anyhow!("HTTP {status}: {text}"));
    }
    Ok(text)
}

pub(crate) fn element<'a>(doc: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let start = doc.find(&open)? + open.len();
    let len = doc.get(start..)?.find('<')?;
    doc.get(start..start + len)
}

pub(crate) struct Latencies(pub(crate) Vec<Duration>);

impl Latencies {
    pub(crate) fn report(mut self, what: &str) {
        self.0.sort();
        let pick = |q: f64| {
            let i = ((self.0.len() as f64 - 1.0) * q).round() as usize;
            self.0.get(i).copied().unwrap_or_default()
        };
        println!(
            "{what:<44} n={:<5} median {:>8.3} ms   p99 {:>8.3} ms",
            self.0.len(),
            pick(0.5).as_secs_f64() * 1e3,
            pick(0.99).as_secs_f64() * 1e3
        );
    }
}

async fn timed(
    client: &HttpClient,
    endpoint: &str,
    bodies: impl IntoIterator<Item = String>,
) -> Result<(Latencies, Vec<String>)> {
    let mut times = Vec::new();
    let mut answers = Vec::new();
    for body in bodies {
        let t = Instant::now();
        let answer = ec2(client, endpoint, body).await?;
        times.push(t.elapsed());
        answers.push(answer);
    }
    Ok((Latencies(times), answers))
}

async fn throughput(
    client: &HttpClient,
    endpoint: &str,
    args: &BenchArgs,
    what: &str,
    make: impl Fn(usize, usize) -> String + Send + Sync + 'static,
) -> Result<()> {
    let make = Arc::new(make);
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..args.concurrency {
        let (client, endpoint, make) = (client.clone(), endpoint.to_owned(), make.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0usize;
            while Instant::now() < deadline {
                ec2(&client, &endpoint, make(worker, n)).await?;
                n += 1;
            }
            Ok::<usize, anyhow::Error>(n)
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await??;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{what:<44} {} clients: {:>8.0} calls/s ({total} calls in {secs:.1} s)",
        args.concurrency,
        total as f64 / secs
    );
    Ok(())
}

/// Half the clients create VPCs while the other half read: both rates, and the readers'
/// latency (which includes waiting for the writes in flight to reach the disk).
async fn mixed(client: &HttpClient, endpoint: &str, args: &BenchArgs) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let writers = (args.concurrency / 2).max(1);
    let mut tasks = Vec::new();
    for worker in 0..args.concurrency {
        let (client, endpoint) = (client.clone(), endpoint.to_owned());
        let writes = worker < writers;
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            while Instant::now() < deadline {
                let n = times.len();
                let body = if writes {
                    format!(
                        "Action=CreateVpc&CidrBlock=10.{}.{}.0/24",
                        128 + worker * 8 + n / 256 % 8,
                        n % 256
                    )
                } else {
                    "Action=DescribeSubnets&MaxResults=50".to_owned()
                };
                let t = Instant::now();
                ec2(&client, &endpoint, body).await?;
                times.push(t.elapsed());
            }
            Ok::<_, anyhow::Error>((writes, times))
        }));
    }
    let (mut reads, mut write_count) = (Vec::new(), 0);
    for t in tasks {
        let (writes, times) = t.await??;
        if writes {
            write_count += times.len();
        } else {
            reads.extend(times);
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{:<44} {writers} writers: {:>8.0} CreateVpc/s, {} readers: {:>8.0} DescribeSubnets/s",
        "mixed: CreateVpc and DescribeSubnets MaxResults=50",
        write_count as f64 / secs,
        args.concurrency - writers,
        reads.len() as f64 / secs
    );
    Latencies(reads).report("  DescribeSubnets latency while writing");
    Ok(())
}

pub fn run(args: BenchArgs) -> Result<()> {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async {
        let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
        let endpoint = format!("{}/", args.endpoint.trim_end_matches('/'));
        let reset = hyper::Request::post(format!("{endpoint}_vpclab/reset")).body(Full::new(Bytes::new()))?;
        client.request(reset).await.context("resetting the server (is it running?)")?;

        let (lat, _) = timed(&client, &endpoint, (0..200).map(|i| format!("Action=CreateVpc&CidrBlock=10.{}.{}.0/24", i / 250, i % 250))).await?;
        lat.report("CreateVpc");

        let vpc = ec2(&client, &endpoint, "Action=CreateVpc&CidrBlock=172.16.0.0/16".into()).await?;
        let vpc_id = element(&vpc, "vpcId").context("CreateVpc answered no vpcId")?.to_owned();
        let n = args.subnets.min(4096);
        let (lat, _) = timed(
            &client,
            &endpoint,
            (0..n).map(|i| format!("Action=CreateSubnet&VpcId={vpc_id}&CidrBlock=172.16.{}.{}%2F28", i / 16, (i % 16) * 16)),
        )
        .await?;
        lat.report(&format!("CreateSubnet (up to {n} in one VPC)"));

        let (lat, answers) = timed(&client, &endpoint, (0..100).map(|_| "Action=DescribeSubnets".to_owned())).await?;
        let count = answers.first().map_or(0, |a| a.matches("<subnetId>").count());
        lat.report(&format!("DescribeSubnets ({count} subnets, one page)"));
        let (lat, _) = timed(&client, &endpoint, (0..200).map(|_| format!("Action=DescribeSubnets&MaxResults=50&Filter.1.Name=vpc-id&Filter.1.Value.1={vpc_id}"))).await?;
        lat.report("DescribeSubnets (filtered, MaxResults=50)");

        // Reachability Analyzer: the internet (the default VPC's gateway) to an instance.
        let igws = ec2(&client, &endpoint, "Action=DescribeInternetGateways".into()).await?;
        let igw = element(&igws, "internetGatewayId").context("no default internet gateway")?.to_owned();
        let run = ec2(&client, &endpoint, "Action=RunInstances&ImageId=ami-12345678&MinCount=1&MaxCount=1&InstanceType=t3.micro".into()).await?;
        let instance = element(&run, "instanceId").context("RunInstances answered no instanceId")?.to_owned();
        let path = ec2(&client, &endpoint, format!("Action=CreateNetworkInsightsPath&Source={igw}&Destination={instance}&Protocol=tcp&DestinationPort=22&ClientToken=bench-path")).await?;
        let path = element(&path, "networkInsightsPathId").context("no path id")?.to_owned();
        let (lat, answers) = timed(&client, &endpoint, (0..200).map(|i| format!("Action=StartNetworkInsightsAnalysis&NetworkInsightsPathId={path}&ClientToken=bench-{i}"))).await?;
        lat.report("StartNetworkInsightsAnalysis (answered, stored)");
        let ids: Vec<String> = answers.iter().filter_map(|a| element(a, "networkInsightsAnalysisId").map(str::to_owned)).collect();
        let (lat, _) = timed(&client, &endpoint, ids.iter().map(|id| format!("Action=DescribeNetworkInsightsAnalyses&NetworkInsightsAnalysisId.1={id}"))).await?;
        lat.report("DescribeNetworkInsightsAnalyses (one, succeeded)");

        throughput(&client, &endpoint, &args, "DescribeSubnets MaxResults=50", move |_, _| "Action=DescribeSubnets&MaxResults=50".to_owned()).await?;
        throughput(&client, &endpoint, &args, "CreateVpc (4 resources each)", |w, n| format!("Action=CreateVpc&CidrBlock=10.{}.{}.0/24", w * 8 + n / 256 % 8, n % 256)).await?;
        mixed(&client, &endpoint, &args).await?;
        Ok(())
    })
}
