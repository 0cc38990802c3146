//! `vpclab bench api`: a load generator for the EC2 API of a running server.
//!
//! It measures what the README reports: the latency (median and p99) of CreateVpc,
//! CreateSubnet and DescribeSubnets with 1,000 subnets present, of a Reachability Analyzer
//! analysis (start, then describe), the calls per second of 16 concurrent clients, and the
//! latency of reads while half of them write (reads never see a change before it is durable, so
//! they wait for the writes in flight). Run it against a server with raised quotas:
//! `vpclab serve --in-memory --raised-quotas` (or a state dir, to include the disk sync).
//! Requests are signed (SigV4) as an SDK signs them, with `--access-key-id` and
//! `--secret-access-key` (a key of the server's `--credentials`, if it was given any).

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
    #[command(flatten)]
    key: SigningKey,
}

/// The key the benchmarks sign their API requests with.
#[derive(clap::Args, Debug, Clone)]
pub struct SigningKey {
    /// Access key id the requests are signed with (one of the server's `--credentials` keys,
    /// if it has them; a twelve-digit id selects an account otherwise).
    #[arg(long, default_value = "test")]
    pub(crate) access_key_id: String,
    /// Secret access key of `--access-key-id`.
    #[arg(long, default_value = "test")]
    pub(crate) secret_access_key: String,
    /// Region the requests are signed for.
    #[arg(long, default_value = "us-east-1")]
    pub(crate) region: String,
}

/// A client of a running server's EC2 API, signing each request as an SDK does.
#[derive(Debug, Clone)]
pub(crate) struct Ec2Client {
    pub(crate) http: HttpClient,
    /// The endpoint with a trailing `/`.
    pub(crate) endpoint: String,
    /// `host[:port]` of the endpoint, as signed.
    host: String,
    key: SigningKey,
}

impl Ec2Client {
    pub(crate) fn new(endpoint: &str, key: SigningKey) -> Result<Self> {
        let endpoint = format!("{}/", endpoint.trim_end_matches('/'));
        let uri: hyper::Uri = endpoint.parse().context("the endpoint is not a URL")?;
        let host = uri.authority().context("the endpoint has no host")?.to_string();
        Ok(Ec2Client {
            http: Client::builder(TokioExecutor::new()).build_http(),
            endpoint,
            host,
            key,
        })
    }

    /// `POST /_vpclab/reset`.
    pub(crate) async fn reset(&self) -> Result<()> {
        let reset = hyper::Request::post(format!("{}_vpclab/reset", self.endpoint))
            .body(Full::new(Bytes::new()))?;
        let resp =
            self.http.request(reset).await.context("resetting the server (is it running?)")?;
        if !resp.status().is_success() {
            return Err(anyhow!("resetting the server: HTTP {}", resp.status()));
        }
        Ok(())
    }

    /// Waits (up to 10 s) until the server answers its health check.
    pub(crate) async fn wait_ready(&self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let url: hyper::Uri = format!("{}_vpclab/health", self.endpoint).parse()?;
        while Instant::now() < deadline {
            if let Ok(resp) = self.http.get(url.clone()).await
                && resp.status().is_success()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Err(anyhow!("{} did not become ready", self.endpoint))
    }

    /// One EC2 call (`Action=…&…`, the API version added), signed; the answer's body.
    pub(crate) async fn call(&self, body: String) -> Result<String> {
        let body = Bytes::from(format!("Version=2016-11-15&{body}"));
        let mut req = hyper::Request::post(&self.endpoint).body(Full::new(body.clone()))?;
        for (name, value) in signed_form_headers(&self.host, &self.key, &body) {
            req.headers_mut().insert(name, hyper::header::HeaderValue::from_str(&value)?);
        }
        let resp = self.http.request(req).await.context("sending the request")?;
        let status = resp.status();
        let text =
            String::from_utf8_lossy(&resp.into_body().collect().await?.to_bytes()).into_owned();
        if !status.is_success() {
            return Err(anyhow!("HTTP {status}: {text}"));
        }
        Ok(text)
    }
}

/// The headers of a form POST to `/` signed for EC2 now: `host`, `content-type`,
/// `x-amz-date` and the `authorization` over them.
pub(crate) fn signed_form_headers(
    host: &str,
    key: &SigningKey,
    body: &[u8],
) -> Vec<(&'static str, String)> {
    let amz_date = wire::time::Timestamp::now().to_basic();
    let mut headers = vec![
        ("host", host.to_owned()),
        ("content-type", "application/x-www-form-urlencoded; charset=utf-8".to_owned()),
        ("x-amz-date", amz_date.clone()),
    ];
    let view: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let req =
        wire::sigv4::HttpRequest { method: "POST", path: "/", query: "", headers: &view, body };
    let signer = wire::sigv4::Signer {
        access_key_id: &key.access_key_id,
        secret: &key.secret_access_key,
        region: &key.region,
        service: "ec2",
    };
    let authorization = signer.authorization(&req, &amz_date);
    headers.push(("authorization", authorization));
    headers
}

pub(crate) fn element<'a>(doc: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let start = doc.find(&open)? + open.len();
    let len = doc.get(start..)?.find('<')?;
    doc.get(start..start + len)
}

pub(crate) struct Latencies(pub(crate) Vec<Duration>);

impl Latencies {
    /// The median and 99th percentile.
    fn quantiles(&mut self) -> (Duration, Duration) {
        self.0.sort();
        let pick = |q: f64| {
            let i = ((self.0.len() as f64 - 1.0) * q).round() as usize;
            self.0.get(i).copied().unwrap_or_default()
        };
        (pick(0.5), pick(0.99))
    }

    /// As [`Latencies::report`], in microseconds.
    pub(crate) fn report_micros(mut self, what: &str) {
        let (p50, p99) = self.quantiles();
        println!(
            "{what:<44} n={:<5} median {:>8.2} µs   p99 {:>8.2} µs",
            self.0.len(),
            p50.as_secs_f64() * 1e6,
            p99.as_secs_f64() * 1e6
        );
    }

    pub(crate) fn report(mut self, what: &str) {
        let (p50, p99) = self.quantiles();
        println!(
            "{what:<44} n={:<5} median {:>8.3} ms   p99 {:>8.3} ms",
            self.0.len(),
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
    }
}

async fn timed(
    client: &Ec2Client,
    bodies: impl IntoIterator<Item = String>,
) -> Result<(Latencies, Vec<String>)> {
    let mut times = Vec::new();
    let mut answers = Vec::new();
    for body in bodies {
        let t = Instant::now();
        let answer = client.call(body).await?;
        times.push(t.elapsed());
        answers.push(answer);
    }
    Ok((Latencies(times), answers))
}

async fn throughput(
    client: &Ec2Client,
    args: &BenchArgs,
    what: &str,
    make: impl Fn(usize, usize) -> String + Send + Sync + 'static,
) -> Result<()> {
    let make = Arc::new(make);
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..args.concurrency {
        let (client, make) = (client.clone(), make.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0usize;
            while Instant::now() < deadline {
                client.call(make(worker, n)).await?;
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
async fn mixed(client: &Ec2Client, args: &BenchArgs) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let writers = (args.concurrency / 2).max(1);
    let mut tasks = Vec::new();
    for worker in 0..args.concurrency {
        let client = client.clone();
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
                client.call(body).await?;
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
        let client = Ec2Client::new(&args.endpoint, args.key.clone())?;
        client.reset().await?;

        let (lat, _) = timed(&client, (0..200).map(|i| format!("Action=CreateVpc&CidrBlock=10.{}.{}.0/24", i / 250, i % 250))).await?;
        lat.report("CreateVpc");

        let vpc = client.call("Action=CreateVpc&CidrBlock=172.16.0.0/16".into()).await?;
        let vpc_id = element(&vpc, "vpcId").context("CreateVpc answered no vpcId")?.to_owned();
        let n = args.subnets.min(4096);
        let (lat, _) = timed(
            &client,
            (0..n).map(|i| format!("Action=CreateSubnet&VpcId={vpc_id}&CidrBlock=172.16.{}.{}%2F28", i / 16, (i % 16) * 16)),
        )
        .await?;
        lat.report(&format!("CreateSubnet (up to {n} in one VPC)"));

        let (lat, answers) = timed(&client, (0..100).map(|_| "Action=DescribeSubnets".to_owned())).await?;
        let count = answers.first().map_or(0, |a| a.matches("<subnetId>").count());
        lat.report(&format!("DescribeSubnets ({count} subnets, one page)"));
        let (lat, _) = timed(&client, (0..200).map(|_| format!("Action=DescribeSubnets&MaxResults=50&Filter.1.Name=vpc-id&Filter.1.Value.1={vpc_id}"))).await?;
        lat.report("DescribeSubnets (filtered, MaxResults=50)");

        // Reachability Analyzer: the internet (the default VPC's gateway) to an instance.
        let igws = client.call("Action=DescribeInternetGateways".into()).await?;
        let igw = element(&igws, "internetGatewayId").context("no default internet gateway")?.to_owned();
        let run = client.call("Action=RunInstances&ImageId=ami-12345678&MinCount=1&MaxCount=1&InstanceType=t3.micro".into()).await?;
        let instance = element(&run, "instanceId").context("RunInstances answered no instanceId")?.to_owned();
        let path = client.call(format!("Action=CreateNetworkInsightsPath&Source={igw}&Destination={instance}&Protocol=tcp&DestinationPort=22&ClientToken=bench-path")).await?;
        let path = element(&path, "networkInsightsPathId").context("no path id")?.to_owned();
        let (lat, answers) = timed(&client, (0..200).map(|i| format!("Action=StartNetworkInsightsAnalysis&NetworkInsightsPathId={path}&ClientToken=bench-{i}"))).await?;
        lat.report("StartNetworkInsightsAnalysis (answered, stored)");
        let ids: Vec<String> = answers.iter().filter_map(|a| element(a, "networkInsightsAnalysisId").map(str::to_owned)).collect();
        let (lat, _) = timed(&client, ids.iter().map(|id| format!("Action=DescribeNetworkInsightsAnalyses&NetworkInsightsAnalysisId.1={id}"))).await?;
        lat.report("DescribeNetworkInsightsAnalyses (one, succeeded)");

        throughput(&client, &args, "DescribeSubnets MaxResults=50", move |_, _| "Action=DescribeSubnets&MaxResults=50".to_owned()).await?;
        throughput(&client, &args, "CreateVpc (4 resources each)", |w, n| format!("Action=CreateVpc&CidrBlock=10.{}.{}.0/24", w * 8 + n / 256 % 8, n % 256)).await?;
        mixed(&client, &args).await?;
        Ok(())
    })
}
