//! `vpclab traffic FILE`: replays a traffic file through a running server's engine; the flow
//! log records land where the network's flow logs send them.

use crate::server::http_call;
use anyhow::{Context, Result, anyhow};
use bytes::Bytes;
use hyper::Method;
use serde_json::Value;
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
    let (status, body) = http_call(Method::POST, &url, Bytes::from(text))
        .with_context(|| format!("asking {url}"))?;
    let answer: Value = serde_json::from_str(&body).context("the server's answer is not JSON")?;
    if !status.is_success() {
        let message = answer.pointer("/error/message").and_then(Value::as_str).unwrap_or(&body);
        return Err(anyhow!("{message}"));
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
        return Ok(());
    }
    let empty = Vec::new();
    for flow in answer.get("flows").and_then(Value::as_array).unwrap_or(&empty) {
        let text = |k: &str| flow.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
        let verdict = if flow.get("reachable").and_then(Value::as_bool).unwrap_or(false) {
            "reachable"
        } else {
            "not reachable"
        };
        let line = flow.get("line").and_then(Value::as_u64).unwrap_or(0);
        println!("line {line}: {} → {} ({verdict})", text("from"), text("to"));
        for record in flow.get("records").and_then(Value::as_array).unwrap_or(&empty) {
            println!("    {}", record.as_str().unwrap_or_default());
        }
    }
    let files = answer.get("files").and_then(Value::as_array).unwrap_or(&empty);
    let records = answer.get("records").and_then(Value::as_u64).unwrap_or(0);
    println!("{records} records; {} flow log files written", files.len());
    for file in files {
        println!("    {}", file.as_str().unwrap_or_default());
    }
    Ok(())
}
