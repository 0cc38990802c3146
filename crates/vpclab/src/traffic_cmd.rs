//! `vpclab traffic FILE`: replays a traffic file through a running server's engine; the flow
//! log records land where the network's flow logs send them.

use crate::trace_cmd::post_json;
use anyhow::{Context, Result};
use api::traffic::TrafficAnswer;
use bytes::Bytes;
use std::io::Read;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct TrafficArgs {
    /// The traffic file (format in the README), or `-` for standard input.
    file: PathBuf,
    /// Print the server's JSON answer.
    #[arg(long)]
    json: bool,
    /// The running server.
    #[arg(long, default_value = "http://127.0.0.1:4566")]
    endpoint: String,
}

pub fn run(args: TrafficArgs) -> Result<()> {
    let mut text = Vec::new();
    if args.file.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut text).context("reading standard input")?;
    } else {
        text = std::fs::read(&args.file)
            .with_context(|| format!("reading {}", args.file.display()))?;
    }
    let url = format!("{}/_vpclab/traffic", args.endpoint.trim_end_matches('/'));
    let text = post_json(&url, Bytes::from(text))?;
    let answer: TrafficAnswer =
        serde_json::from_str(&text).context("the server's answer is not a traffic replay")?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
        return Ok(());
    }
    for flow in &answer.flows {
        let verdict = if flow.reachable { "reachable" } else { "not reachable" };
        println!("line {}: {} → {} ({verdict})", flow.line, flow.from, flow.to);
        for record in &flow.records {
            println!("    {record}");
        }
    }
    println!("{} records; {} flow log files written", answer.records, answer.files.len());
    for file in &answer.files {
        println!("    {file}");
    }
    Ok(())
}
