//! `vpclab reach`: asks a running server for every path from one set of places to another and
//! prints each with the packets that take it and the rules that let them by (or the server's
//! JSON with `--json`).

use crate::trace_cmd::post_json;
use anyhow::{Context, Result};
use api::reach::{ReachAnswer, ReachFinding, ReachRequest};
use api::trace::PortRange;
use bytes::Bytes;

#[derive(clap::Args, Debug)]
pub struct ReachArgs {
    /// Where paths start: `any`, `internet`, a resource id (interface, instance, subnet, VPC,
    /// security group, internet or virtual private gateway), `tag:KEY=VALUE`, or an IPv4
    /// address or CIDR block.
    #[arg(long)]
    from: String,
    /// Where paths end, as `--from`.
    #[arg(long)]
    to: String,
    /// tcp or udp (both when omitted).
    #[arg(long)]
    protocol: Option<String>,
    /// A destination port or range `lo-hi` (every port when omitted).
    #[arg(long)]
    port: Option<String>,
    /// The account whose network is asked about.
    #[arg(long)]
    account: Option<String>,
    /// The region whose network is asked about (us-east-1 when omitted).
    #[arg(long)]
    region: Option<String>,
    /// Print the server's JSON answer instead of the list.
    #[arg(long)]
    json: bool,
    /// The running server.
    #[arg(long, default_value = "http://127.0.0.1:4566")]
    endpoint: String,
}

/// Runs the command; the exit status says whether any path exists (0) or none (1).
pub fn run(args: ReachArgs) -> Result<bool> {
    let request = ReachRequest {
        from: args.from,
        to: args.to,
        protocol: args.protocol,
        port: args.port,
        account: args.account,
        region: args.region,
    };
    let url = format!("{}/_vpclab/reach", args.endpoint.trim_end_matches('/'));
    let text = post_json(&url, Bytes::from(serde_json::to_vec(&request)?))?;
    let answer: ReachAnswer =
        serde_json::from_str(&text).context("the server's answer is not a reach answer")?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
    } else {
        print!("{}", render(&answer));
    }
    Ok(!answer.findings.is_empty())
}

fn ports(ranges: &[PortRange]) -> String {
    let one = |r: &PortRange| {
        if r.from == 0 && r.to == 65535 {
            "*".to_owned()
        } else if r.from == r.to {
            r.from.to_string()
        } else {
            format!("{}-{}", r.from, r.to)
        }
    };
    ranges.iter().map(one).collect::<Vec<_>>().join(",")
}

/// A list of address blocks, shortened past a few.
fn blocks(list: &[String]) -> String {
    const SHOWN: usize = 4;
    if list.len() <= SHOWN {
        return list.join(",");
    }
    let head = list.get(..SHOWN).unwrap_or_default().join(",");
    format!("{head},… ({} blocks)", list.len())
}

fn finding_text(f: &ReachFinding, out: &mut String) {
    out.push_str(&format!(
        "{} → {}  {} port {}  from {}  to {}\n",
        f.source,
        f.destination,
        f.protocol,
        ports(&f.destination_ports),
        blocks(&f.source_addresses),
        blocks(&f.destination_addresses),
    ));
    for hop in &f.path {
        let decided = hop.decided_by.as_deref().unwrap_or("");
        out.push_str(&format!("    {:<24} {:<22} {decided}\n", hop.component, hop.kind));
    }
}

/// The answer as a person reads it.
fn render(answer: &ReachAnswer) -> String {
    let mut out = String::new();
    for f in &answer.findings {
        finding_text(f, &mut out);
    }
    out.push_str(&format!(
        "{} path{} ({} interfaces analysed)\n",
        answer.findings.len(),
        if answer.findings.len() == 1 { "" } else { "s" },
        answer.analysed_interfaces
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use api::trace::{HopView, Verdict};

    #[test]
    fn each_path_is_a_line_with_its_deciding_rules_under_it() {
        let hop = |component: &str, kind: &str, decided: Option<&str>| HopView {
            component: component.into(),
            kind: kind.into(),
            vpc: None,
            subnet: None,
            attached_to: None,
            verdict: Verdict::Pass,
            decided_by: decided.map(str::to_owned),
            inbound: None,
            outbound: None,
        };
        let answer = ReachAnswer {
            findings: vec![ReachFinding {
                source: "igw-1".into(),
                destination: "eni-2".into(),
                protocol: "tcp".into(),
                source_addresses: (0..6).map(|i| format!("{i}.0.0.0/8")).collect(),
                destination_addresses: vec!["10.0.1.4/32".into()],
                source_ports: vec![PortRange { from: 0, to: 65535 }],
                destination_ports: vec![PortRange { from: 443, to: 443 }],
                path: vec![
                    hop("igw-1", "internet gateway", None),
                    hop("sg-3", "security group", Some("ingress tcp 443 from 0.0.0.0/0")),
                ],
            }],
            analysed_interfaces: 7,
        };
        let text = render(&answer);
        assert!(
            text.starts_with(
                "igw-1 → eni-2  tcp port 443  \
                 from 0.0.0.0/8,1.0.0.0/8,2.0.0.0/8,3.0.0.0/8,… (6 blocks)  to 10.0.1.4/32\n"
            ),
            "{text}"
        );
        assert!(text.contains("sg-3") && text.contains("ingress tcp 443 from 0.0.0.0/0"));
        assert!(text.ends_with("1 path (7 interfaces analysed)\n"));
    }
}
