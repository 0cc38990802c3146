//! `vpclab bench hub`: a generated hub-and-spoke, built through the EC2 API of a running server.
//!
//! One transit gateway without default tables, `--route-tables` route tables of its own, and
//! `--vpcs` spoke VPCs. Each spoke has a subnet, a security group admitting HTTPS from 10/8, an
//! instance, a route 10/8 → the transit gateway in its main route table, and an attachment that
//! is associated with route table `n % route-tables` and propagates into every route table. It
//! reports the time to create the whole topology (and per call), then the latency of tracing one
//! packet end to end — the first spoke's instance to the last's, through the gateway and back —
//! over `POST /_vpclab/trace`. Start the server with `--raised-quotas`.

use crate::bench::{Ec2Client, HttpClient, Latencies, SigningKey, element};
use anyhow::{Context, Result, anyhow, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub struct HubBenchArgs {
    /// The running server (started with --raised-quotas).
    #[arg(long, default_value = "http://127.0.0.1:4566")]
    endpoint: String,
    /// Spoke VPCs.
    #[arg(long, default_value_t = 1000)]
    vpcs: usize,
    /// Transit gateway route tables.
    #[arg(long, default_value_t = 10)]
    route_tables: usize,
    /// Traces timed after the build.
    #[arg(long, default_value_t = 200)]
    traces: usize,
    #[command(flatten)]
    key: SigningKey,
}

/// Calls the API and keeps the time each call took.
struct Caller<'a> {
    client: &'a Ec2Client,
    times: Vec<Duration>,
}

impl Caller<'_> {
    /// The value of `tag` in the answer to `body`.
    async fn id(&mut self, body: String, tag: &str) -> Result<String> {
        let answer = self.call(body.clone()).await?;
        element(&answer, tag)
            .map(str::to_owned)
            .ok_or_else(|| anyhow!("no <{tag}> in the answer to {body}: {answer}"))
    }

    async fn call(&mut self, body: String) -> Result<String> {
        let t = Instant::now();
        let answer = self.client.call(body).await?;
        self.times.push(t.elapsed());
        Ok(answer)
    }
}

/// The address block of spoke `n`: 10.x.y.0/24.
fn spoke_cidr(n: usize) -> String {
    format!("10.{}.{}.0/24", n / 256, n % 256)
}

async fn build(caller: &mut Caller<'_>, args: &HubBenchArgs) -> Result<(String, String)> {
    let tgw = caller
        .id(
            "Action=CreateTransitGateway&Options.DefaultRouteTableAssociation=disable\
             &Options.DefaultRouteTablePropagation=disable"
                .into(),
            "transitGatewayId",
        )
        .await?;
    let mut tables = Vec::new();
    for _ in 0..args.route_tables {
        let body = format!("Action=CreateTransitGatewayRouteTable&TransitGatewayId={tgw}");
        tables.push(caller.id(body, "transitGatewayRouteTableId").await?);
    }
    let mut instances = Vec::new();
    for n in 0..args.vpcs {
        let cidr = spoke_cidr(n);
        let vpc = caller.id(format!("Action=CreateVpc&CidrBlock={cidr}"), "vpcId").await?;
        let subnet = caller
            .id(
                format!(
                    "Action=CreateSubnet&VpcId={vpc}&CidrBlock={cidr}&AvailabilityZone=us-east-1a"
                ),
                "subnetId",
            )
            .await?;
        let group = caller
            .id(
                format!(
                    "Action=CreateSecurityGroup&VpcId={vpc}&GroupName=web&GroupDescription=web"
                ),
                "groupId",
            )
            .await?;
        caller
            .call(format!(
                "Action=AuthorizeSecurityGroupIngress&GroupId={group}&IpPermissions.1.IpProtocol=tcp\
                 &IpPermissions.1.FromPort=443&IpPermissions.1.ToPort=443\
                 &IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8"
            ))
            .await?;
        let instance = caller
            .id(
                format!(
                    "Action=RunInstances&ImageId=ami-12345678&MinCount=1&MaxCount=1\
                     &InstanceType=t3.micro&SubnetId={subnet}&SecurityGroupId.1={group}"
                ),
                "instanceId",
            )
            .await?;
        instances.push(instance);
        let table = caller
            .id(
                format!(
                    "Action=DescribeRouteTables&Filter.1.Name=vpc-id&Filter.1.Value.1={vpc}\
                     &Filter.2.Name=association.main&Filter.2.Value.1=true"
                ),
                "routeTableId",
            )
            .await?;
        let attachment = caller
            .id(
                format!(
                    "Action=CreateTransitGatewayVpcAttachment&TransitGatewayId={tgw}\
                     &VpcId={vpc}&SubnetIds.1={subnet}"
                ),
                "transitGatewayAttachmentId",
            )
            .await?;
        caller
            .call(format!(
                "Action=CreateRoute&RouteTableId={table}&DestinationCidrBlock=10.0.0.0/8\
                 &TransitGatewayId={tgw}"
            ))
            .await?;
        let own = tables.get(n % tables.len().max(1)).context("no route tables")?;
        caller
            .call(format!(
                "Action=AssociateTransitGatewayRouteTable&TransitGatewayRouteTableId={own}\
                 &TransitGatewayAttachmentId={attachment}"
            ))
            .await?;
        for table in &tables {
            caller
                .call(format!(
                    "Action=EnableTransitGatewayRouteTablePropagation\
                     &TransitGatewayRouteTableId={table}&TransitGatewayAttachmentId={attachment}"
                ))
                .await?;
        }
    }
    let first = instances.first().context("no spokes")?.clone();
    let last = instances.last().context("no spokes")?.clone();
    Ok((first, last))
}

/// One trace over HTTP; whether the packet got there and back.
async fn trace(client: &HttpClient, endpoint: &str, from: &str, to: &str) -> Result<bool> {
    let body = format!(r#"{{"from":"{from}","to":"{to}","protocol":"tcp","port":443}}"#);
    let req = hyper::Request::post(format!("{endpoint}_vpclab/trace"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))?;
    let resp = client.request(req).await.context("sending the trace")?;
    let status = resp.status();
    let text = resp.into_body().collect().await?.to_bytes();
    if !status.is_success() {
        bail!("trace: HTTP {status}: {}", String::from_utf8_lossy(&text));
    }
    let answer: serde_json::Value = serde_json::from_slice(&text)?;
    Ok(answer.get("reachable").and_then(|r| r.as_bool()) == Some(true))
}

pub fn run(args: HubBenchArgs) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let api = Ec2Client::new(&args.endpoint, args.key.clone())?;
        api.reset().await?;
        let (client, endpoint) = (&api.http, &api.endpoint);

        let mut caller = Caller { client: &api, times: Vec::new() };
        let started = Instant::now();
        let (first, last) = build(&mut caller, &args).await?;
        let built = started.elapsed();
        let calls = caller.times.len();
        println!(
            "hub-and-spoke: {} VPCs, {} TGW route tables: {calls} API calls in {:.1} s",
            args.vpcs,
            args.route_tables,
            built.as_secs_f64()
        );
        Latencies(caller.times).report("  one call of the build");

        // The first trace after the build pays for the network index.
        let t = Instant::now();
        let reachable = trace(client, endpoint, &first, &last).await?;
        let first_trace = t.elapsed();
        if !reachable {
            bail!("{first} does not reach {last} through the transit gateway");
        }
        println!(
            "first trace after the build (index built)  {:>8.3} ms",
            first_trace.as_secs_f64() * 1e3
        );
        let mut times = Vec::new();
        for _ in 0..args.traces {
            let t = Instant::now();
            trace(client, endpoint, &first, &last).await?;
            times.push(t.elapsed());
        }
        Latencies(times).report("trace spoke to spoke via the TGW (HTTP)");
        Ok(())
    })
}
