//! `vpclab trace`: asks a running server what happens to packets and prints the path as a
//! table a person reads at a glance (or the server's JSON with `--json`).

use crate::server::http_call;
use anyhow::{Context, Result, anyhow};
use api::trace::{HopView, ProtocolSpec, TraceAnswer, TraceRequest, Verdict};
use bytes::Bytes;
use hyper::Method;
use serde_json::Value;
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
    let request = TraceRequest {
        from: args.from,
        to: args.to,
        protocol: Some(ProtocolSpec::parse(&args.protocol)),
        port: args.port,
        source_port: args.source_port,
        source_ip: args.source_ip,
        destination_ip: args.destination_ip,
    };
    let url = format!("{}/_vpclab/trace", args.endpoint.trim_end_matches('/'));
    let text = post_json(&url, Bytes::from(serde_json::to_vec(&request)?))?;
    let answer: TraceAnswer =
        serde_json::from_str(&text).context("the server's answer is not a trace")?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
    } else {
        let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        print!("{}", render(&answer, &Style { colour }));
    }
    Ok(answer.reachable)
}

/// POSTs `body` to one of the server's own endpoints; the answer's text, or the server's error
/// message when it refused.
pub(crate) fn post_json(url: &str, body: Bytes) -> Result<String> {
    let (status, text) =
        http_call(Method::POST, url, body).with_context(|| format!("asking {url}"))?;
    if !status.is_success() {
        let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let message = answer.pointer("/error/message").and_then(Value::as_str).unwrap_or(&text);
        return Err(anyhow!("{message}"));
    }
    Ok(text)
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

fn hops_table(hops: &[HopView], style: &Style, out: &mut String) {
    let width = hops.iter().map(|h| h.component.len()).max().unwrap_or(0).max(9);
    let kind_width = hops.iter().map(|h| h.kind.len()).max().unwrap_or(0).max(4);
    out.push_str(&style.dim(&format!(
        "  {:>2}  {:<width$}  {:<kind_width$}  {}\n",
        "#", "component", "kind", "decided by"
    )));
    // Packets are printed where they first appear or change (a gateway translating them).
    let mut last_packets = "";
    for (n, hop) in hops.iter().enumerate() {
        let mark =
            if hop.verdict == Verdict::Blocked { style.red("✗") } else { style.green("✓") };
        out.push_str(&format!(
            "{mark} {:>2}  {:<width$}  {:<kind_width$}  {}\n",
            n + 1,
            hop.component,
            hop.kind,
            hop.decided_by.as_deref().unwrap_or(""),
        ));
        for (label, packets) in [("in ", &hop.inbound), ("out", &hop.outbound)] {
            if let Some(p) = packets {
                if p.text == last_packets {
                    continue;
                }
                last_packets = &p.text;
                let line = format!("{:>w$}{label} {}", "", p.text, w = width + 8);
                out.push_str(&style.dim(&line));
                out.push('\n');
            }
        }
    }
}

/// The answer as a person reads it.
fn render(answer: &TraceAnswer, style: &Style) -> String {
    let q = &answer.question;
    let port = q.port.as_ref().map_or_else(|| "any port".to_owned(), |p| format!("port {p}"));
    let mut out =
        format!("{} → {}  {} {port}\n\n", style.bold(&q.from), style.bold(&q.to), q.protocol);
    for (title, hops) in [("Forward path", &answer.forward), ("Return path", &answer.back)] {
        if hops.is_empty() {
            continue;
        }
        out.push_str(&style.bold(title));
        out.push('\n');
        hops_table(hops, style, &mut out);
        out.push('\n');
    }
    if answer.reachable {
        out.push_str(&style.green("REACHABLE"));
        out.push('\n');
    } else {
        out.push_str(&style.red("NOT REACHABLE"));
        out.push('\n');
        for e in &answer.explanations {
            let direction = e.direction.as_ref().map_or_else(String::new, |d| format!(" ({d})"));
            out.push_str(&format!("  {} {}{direction}: {}\n", style.red("✗"), e.code, e.message,));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use api::trace::{ExplanationView, PacketsView, PortRange, PortView, QuestionView};

    #[test]
    fn a_blocked_path_prints_every_hop_and_reason() {
        let hop = |component: &str, kind: &str, verdict, packets: Option<&str>| HopView {
            component: component.into(),
            kind: kind.into(),
            vpc: None,
            subnet: None,
            attached_to: None,
            verdict,
            decided_by: None,
            inbound: None,
            outbound: packets.map(|text| PacketsView {
                protocol: "tcp".into(),
                source: vec!["10.0.1.5/32".into()],
                destination: vec!["10.0.2.7/32".into()],
                source_ports: PortRange { from: 0, to: 65535 },
                destination_ports: PortRange { from: 3306, to: 3306 },
                text: text.into(),
            }),
        };
        let answer = TraceAnswer {
            question: QuestionView {
                from: "i-1".into(),
                to: "i-2".into(),
                protocol: "tcp".into(),
                port: Some(PortView::One(3306)),
            },
            reachable: false,
            forward: vec![
                hop("i-1", "instance", Verdict::Pass, Some("10.0.1.5:* → 10.0.2.7:3306 (tcp)")),
                hop("sg-9", "security group", Verdict::Blocked, None),
            ],
            back: vec![],
            explanations: vec![ExplanationView {
                code: "ENI_SG_RULES_MISMATCH".into(),
                direction: Some("egress".into()),
                on_return_path: false,
                component: Some("sg-9".into()),
                message: "no outbound rule allows these packets".into(),
            }],
        };
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
