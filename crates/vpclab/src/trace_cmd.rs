//! `vpclab trace`: asks a running server what happens to packets and prints the path as a
//! table a person reads at a glance (or the server's JSON with `--json`).

use crate::server::http_call;
use anyhow::{Context, Result, anyhow};
use bytes::Bytes;
use hyper::Method;
use serde_json::{Value, json};
use std::io::IsTerminal;

#[derive(clap::Args, Debug)]
pub struct TraceArgs {
    /// Where the packets start: an instance or interface id, an internet gateway id, an IP
    /// address, or `internet`.
    #[arg(long)]
    from: String,
    /// Where they go: an instance or interface id, an internet gateway id, an IP address, or
    /// `internet`.
    #[arg(long)]
    to: String,
    /// tcp, udp, icmp or a protocol number.
    #[arg(long, default_value = "tcp")]
    protocol: String,
    /// Destination port (any when omitted).
    #[arg(long)]
    port: Option<u16>,
    /// Source port (any when omitted).
    #[arg(long)]
    source_port: Option<u16>,
    /// The source address, when the source has several or is the internet.
    #[arg(long)]
    source_ip: Option<String>,
    /// The destination address, when the destination has several or is the internet.
    #[arg(long)]
    destination_ip: Option<String>,
    /// Print the server's JSON answer instead of the table.
    #[arg(long)]
    json: bool,
    /// The running server.
    #[arg(long, default_value = "http://127.0.0.1:4566")]
    endpoint: String,
}

/// Runs the command; the exit status says whether the path is reachable (0) or not (1).
pub fn run(args: TraceArgs) -> Result<bool> {
    let protocol = match args.protocol.parse::<u64>() {
        Ok(n) => json!(n),
        Err(_) => json!(args.protocol),
    };
    let body = json!({
        "from": args.from,
        "to": args.to,
        "protocol": protocol,
        "port": args.port,
        "source_port": args.source_port,
        "source_ip": args.source_ip,
        "destination_ip": args.destination_ip,
    });
    let url = format!("{}/_vpclab/trace", args.endpoint.trim_end_matches('/'));
    let (status, text) = http_call(Method::POST, &url, Bytes::from(body.to_string()))
        .with_context(|| format!("asking {url}"))?;
    let answer: Value = serde_json::from_str(&text).context("the server's answer is not JSON")?;
    if !status.is_success() {
        let message = answer.pointer("/error/message").and_then(Value::as_str).unwrap_or(&text);
        return Err(anyhow!("{message}"));
    }
    let reachable = answer.get("reachable").and_then(Value::as_bool).unwrap_or(false);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
    } else {
        let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        print!("{}", render(&answer, &Style { colour }));
    }
    Ok(reachable)
}

struct Style {
    colour: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.colour { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
    }
    fn green(&self, t: &str) -> String {
        self.paint("32", t)
    }
    fn red(&self, t: &str) -> String {
        self.paint("31", t)
    }
    fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }
    fn dim(&self, t: &str) -> String {
        self.paint("2", t)
    }
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn hops_table(hops: &[Value], style: &Style, out: &mut String) {
    let width = hops.iter().map(|h| text(h, "component").len()).max().unwrap_or(0).max(9);
    let kind_width = hops.iter().map(|h| text(h, "kind").len()).max().unwrap_or(0).max(4);
    out.push_str(&style.dim(&format!(
        "  {:>2}  {:<width$}  {:<kind_width$}  {}\n",
        "#", "component", "kind", "decided by"
    )));
    // Packets are printed where they first appear or change (a gateway translating them).
    let mut last_packets = String::new();
    for (n, hop) in hops.iter().enumerate() {
        let blocked = text(hop, "verdict") == "blocked";
        let mark = if blocked { style.red("✗") } else { style.green("✓") };
        out.push_str(&format!(
            "{mark} {:>2}  {:<width$}  {:<kind_width$}  {}\n",
            n + 1,
            text(hop, "component"),
            text(hop, "kind"),
            text(hop, "decided_by"),
        ));
        for (label, key) in [("in ", "inbound"), ("out", "outbound")] {
            if let Some(h) = hop.get(key).filter(|h| !h.is_null()) {
                if text(h, "text") == last_packets {
                    continue;
                }
                last_packets = text(h, "text").to_owned();
                let line = format!("{:>w$}{label} {}", "", text(h, "text"), w = width + 8);
                out.push_str(&style.dim(&line));
                out.push('\n');
            }
        }
    }
}

/// The answer as a person reads it.
fn render(answer: &Value, style: &Style) -> String {
    let q = answer.get("question").cloned().unwrap_or(Value::Null);
    let port = match q.get("port") {
        Some(Value::Null) | None => "any port".to_owned(),
        Some(p) => format!(
            "port {}",
            p.as_u64().map_or_else(|| text(&q, "port").into(), |n| n.to_string())
        ),
    };
    let mut out = format!(
        "{} → {}  {} {port}\n\n",
        style.bold(text(&q, "from")),
        style.bold(text(&q, "to")),
        text(&q, "protocol"),
    );
    let empty = Vec::new();
    for (title, key) in [("Forward path", "forward"), ("Return path", "return")] {
        let hops = answer.get(key).and_then(Value::as_array).unwrap_or(&empty);
        if hops.is_empty() {
            continue;
        }
        out.push_str(&style.bold(title));
        out.push('\n');
        hops_table(hops, style, &mut out);
        out.push('\n');
    }
    if answer.get("reachable").and_then(Value::as_bool).unwrap_or(false) {
        out.push_str(&style.green("REACHABLE"));
        out.push('\n');
    } else {
        out.push_str(&style.red("NOT REACHABLE"));
        out.push('\n');
        let explanations = answer.get("explanations").and_then(Value::as_array).unwrap_or(&empty);
        for e in explanations {
            let direction = match text(e, "direction") {
                "" => String::new(),
                d => format!(" ({d})"),
            };
            out.push_str(&format!(
                "  {} {}{direction}: {}\n",
                style.red("✗"),
                text(e, "code"),
                text(e, "message"),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blocked_path_prints_every_hop_and_reason() {
        let answer = json!({
            "question": {"from": "i-1", "to": "i-2", "protocol": "tcp", "port": 3306},
            "reachable": false,
            "forward": [
                {"component": "i-1", "kind": "instance", "verdict": "pass", "decided_by": null,
                 "outbound": {"text": "10.0.1.5:* → 10.0.2.7:3306 (tcp)"}},
                {"component": "sg-9", "kind": "security group", "verdict": "blocked", "decided_by": null}
            ],
            "return": [],
            "explanations": [{"code": "ENI_SG_RULES_MISMATCH", "direction": "egress",
                              "message": "no outbound rule allows these packets"}]
        });
        let out = render(&answer, &Style { colour: false });
        assert!(out.starts_with("i-1 → i-2  tcp port 3306"), "{out}");
        assert!(out.contains("✓  1  i-1"), "{out}");
        assert!(out.contains("✗  2  sg-9"), "{out}");
        assert!(out.contains("10.0.1.5:* → 10.0.2.7:3306 (tcp)"));
        assert!(out.contains("NOT REACHABLE"));
        assert!(out.contains("ENI_SG_RULES_MISMATCH (egress): no outbound rule"));
        assert!(!out.contains("Return path"));
    }
}
