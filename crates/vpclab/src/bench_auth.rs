//! `vpclab bench auth`: what verifying signatures costs.
//!
//! Two measurements in one run:
//!
//! - the verification itself, in process: a DescribeVpcs request signed as botocore signs it,
//!   checked by the front door (`FrontDoor::authenticate`: the request's headers gathered,
//!   canonical request, signing key, HMAC, constant-time comparison) `--verifications` times;
//! - CreateVpc and DescribeVpcs latency over HTTP against two servers this command starts
//!   (`vpclab serve --in-memory --raised-quotas`, one of them with `--credentials`), their calls
//!   interleaved so both see the same machine.

use crate::bench::{Ec2Client, Latencies, SigningKey, signed_form_headers};
use crate::front_door::FrontDoor;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use wire::sigv4::keys::KeyStore;

#[derive(clap::Args, Debug)]
pub struct AuthBenchArgs {
    /// Calls of each operation against each server.
    #[arg(long, default_value_t = 1000)]
    requests: usize,
    /// Verifications timed in process.
    #[arg(long, default_value_t = 100_000)]
    verifications: usize,
}

const ACCESS_KEY_ID: &str = "AKIDBENCHMARK";
const SECRET: &str = "bench/Secret+Key";

fn key() -> SigningKey {
    SigningKey {
        access_key_id: ACCESS_KEY_ID.into(),
        secret_access_key: SECRET.into(),
        region: "us-east-1".into(),
    }
}

pub fn run(args: AuthBenchArgs) -> Result<()> {
    verification_cost(args.verifications)?;
    let credentials = std::env::temp_dir().join(format!("vpclab-bench-{}.ini", std::process::id()));
    std::fs::write(
        &credentials,
        format!("[bench]\naws_access_key_id = {ACCESS_KEY_ID}\naws_secret_access_key = {SECRET}\n"),
    )?;
    let result = over_http(&credentials, args.requests);
    let _ = std::fs::remove_file(&credentials);
    result
}

/// The front door's check of one signed request, timed.
fn verification_cost(n: usize) -> Result<()> {
    let keys = KeyStore::parse(&format!(
        "[bench]\naws_access_key_id={ACCESS_KEY_ID}\naws_secret_access_key={SECRET}\n"
    ))?;
    let door = FrontDoor::verifying(keys);
    let body =
        b"Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=is-default&Filter.1.Value.1=false";
    let mut req = hyper::Request::post("/").body(())?;
    for (name, value) in signed_form_headers("127.0.0.1:4566", &key(), body) {
        req.headers_mut().insert(name, value.parse()?);
    }
    req.headers_mut().insert("user-agent", "Botocore/1.43.11 ua/2.1 lang/python#3.11.7".parse()?);
    req.headers_mut().insert("content-length", body.len().into());
    let (parts, ()) = req.into_parts();
    let now = wire::time::Timestamp::now().secs();
    door.authenticate(&parts, body, now).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let mut times = Vec::with_capacity(n);
    let started = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        let caller = door.authenticate(&parts, body, now);
        times.push(t.elapsed());
        std::hint::black_box(caller.is_ok());
    }
    let mean = started.elapsed().as_secs_f64() / n.max(1) as f64;
    Latencies(times).report_micros("SigV4 verification of one request (in process)");
    println!("{:<44} mean {:>8.2} µs", "", mean * 1e6);
    Ok(())
}

/// CreateVpc and DescribeVpcs against a server without and one with `--credentials`.
fn over_http(credentials: &Path, n: usize) -> Result<()> {
    let mut plain = Server::start(None)?;
    let mut verifying = Server::start(Some(credentials))?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let outcome = runtime.block_on(async {
        let a = Ec2Client::new(&plain.endpoint, key())?;
        let b = Ec2Client::new(&verifying.endpoint, key())?;
        for client in [&a, &b] {
            client.wait_ready().await?;
            client.reset().await?;
        }
        let create =
            |i: usize| format!("Action=CreateVpc&CidrBlock=10.{}.{}.0/24", i / 250, i % 250);
        compare(&a, &b, "CreateVpc", (0..n).map(create)).await?;
        let describe = |_| "Action=DescribeVpcs&MaxResults=5".to_owned();
        compare(&a, &b, "DescribeVpcs (MaxResults=5)", (0..n).map(describe)).await
    });
    plain.stop();
    verifying.stop();
    outcome
}

/// The same calls to both servers, alternately; the latencies of each.
async fn compare(
    plain: &Ec2Client,
    verifying: &Ec2Client,
    what: &str,
    bodies: impl Iterator<Item = String>,
) -> Result<()> {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for body in bodies {
        for (client, times) in [(plain, &mut a), (verifying, &mut b)] {
            let t = Instant::now();
            client.call(body.clone()).await?;
            times.push(t.elapsed());
        }
    }
    let (pa, pb) = (median(&mut a), median(&mut b));
    Latencies(a).report(&format!("{what}, signatures not verified"));
    Latencies(b).report(&format!("{what}, --credentials"));
    println!("{:<44} verified/unverified median: {:.3}", "", pb.as_secs_f64() / pa.as_secs_f64());
    Ok(())
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort_unstable();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// A `vpclab serve` child process of this benchmark.
struct Server {
    child: Child,
    endpoint: String,
}

impl Server {
    fn start(credentials: Option<&Path>) -> Result<Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let exe: PathBuf = std::env::current_exe().context("finding the vpclab binary")?;
        let mut cmd = Command::new(exe);
        cmd.args(["serve", "--in-memory", "--raised-quotas", "--dns-listen", "127.0.0.1:0"])
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(file) = credentials {
            cmd.arg("--credentials").arg(file);
        }
        let child = cmd.spawn().context("starting vpclab serve")?;
        Ok(Server { child, endpoint: format!("http://127.0.0.1:{port}") })
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
