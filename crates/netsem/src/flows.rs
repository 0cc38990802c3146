//! Traffic replayed through the engine, and the flow log records it leaves at each interface.
//!
//! A traffic file lists flows, one per line (`#` starts a comment):
//!
//! ```text
//! # from      to          protocol  port  options
//! i-0web      i-0db       tcp       3306  packets=20 bytes=4000
//! internet    i-0web      tcp       443   src=198.51.100.7 sport=51515
//! i-0web      8.8.8.8     udp       53
//! ```
//!
//! `from` and `to` are what `vpclab trace` takes (instance, interface or internet gateway id, an
//! address, `internet`); the port is omitted for ICMP. Options: `packets` (default 10) and
//! `bytes` (default 84 per packet) for each direction, `sport` (source port; default one of
//! the ephemeral range), `src` / `dst` (addresses, e.g. an internet client's), `start` (Unix
//! seconds; default the replay time) and `duration` (seconds, default 60).
//!
//! Each flow is traced as one packet and its reply. Every interface the request crosses writes
//! a record — `ACCEPT` if its security groups and its subnet's network ACL let the packets
//! through, `REJECT` where one of them stops them (a packet stopped goes no further). When the
//! request arrives, the reply is traced back the same way: security groups are stateful and
//! let it by, network ACLs judge it again, so a reply refused by an ACL is a `REJECT` record
//! at the interface whose subnet refused it — as AWS records it.

use crate::endpoint::Endpoint;
use crate::header::{Family, Span};
use crate::packet::protocol_number;
use crate::trace::{Hop, Network, Question, Trace, TraceError, trace};
use model::flow_log::{Action, FlowDirection, FlowRecord};
use model::kinds;
use std::net::IpAddr;

/// One flow of a traffic file.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    pub from: Endpoint,
    pub to: Endpoint,
    pub protocol: u8,
    pub port: Option<u16>,
    pub source_port: Option<u16>,
    pub source_address: Option<IpAddr>,
    pub destination_address: Option<IpAddr>,
    pub packets: u64,
    pub bytes: Option<u64>,
    pub start: Option<i64>,
    pub duration: i64,
    /// Line number in the file (from 1).
    pub line: usize,
}

/// A line of a traffic file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Reads a traffic file.
pub fn parse(text: &str) -> Result<Vec<Flow>, ParseError> {
    let mut flows = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        let content = raw.split('#').next().unwrap_or_default().trim();
        if content.is_empty() {
            continue;
        }
        let fail = |message: String| ParseError { line, message };
        let mut words = content.split_whitespace();
        let mut endpoint = |what: &str| {
            let word = words.next().ok_or_else(|| fail(format!("{what} is missing")))?;
            Endpoint::parse(word).ok_or_else(|| {
                fail(format!(
                    "{what} {word:?} is not an id (i-…, eni-…, igw-…), an address or internet"
                ))
            })
        };
        let from = endpoint("the source")?;
        let to = endpoint("the destination")?;
        let protocol_word = words.next().ok_or_else(|| fail("the protocol is missing".into()))?;
        let protocol = match protocol_number(protocol_word) {
            Some(Some(p)) => p,
            _ => return Err(fail(format!("{protocol_word:?} is not tcp, udp, icmp or a number"))),
        };
        let mut flow = Flow {
            from,
            to,
            protocol,
            port: None,
            source_port: None,
            source_address: None,
            destination_address: None,
            packets: 10,
            bytes: None,
            start: None,
            duration: 60,
            line,
        };
        for word in words {
            let Some((key, value)) = word.split_once('=') else {
                if flow.port.is_some() {
                    return Err(fail(format!("{word:?} is not an option (key=value)")));
                }
                flow.port = Some(value_of::<u16>(word, "the port", line)?);
                continue;
            };
            match key {
                "packets" => flow.packets = value_of(value, "packets", line)?,
                "bytes" => flow.bytes = Some(value_of(value, "bytes", line)?),
                "sport" => flow.source_port = Some(value_of(value, "sport", line)?),
                "src" => flow.source_address = Some(value_of(value, "src", line)?),
                "dst" => flow.destination_address = Some(value_of(value, "dst", line)?),
                "start" => flow.start = Some(value_of(value, "start", line)?),
                "duration" => flow.duration = value_of(value, "duration", line)?,
                other => {
                    return Err(fail(format!(
                        "unknown option {other:?} (packets, bytes, sport, src, dst, start, duration)"
                    )));
                }
            }
        }
        if flow.duration < 0 {
            return Err(fail("duration must not be negative".into()));
        }
        flows.push(flow);
    }
    Ok(flows)
}

fn value_of<T: std::str::FromStr>(text: &str, what: &str, line: usize) -> Result<T, ParseError> {
    text.parse()
        .map_err(|_| ParseError { line, message: format!("{what} {text:?} is not a valid value") })
}

/// What one flow did: its trace and the records it left.
#[derive(Debug, Clone)]
pub struct Replayed {
    pub trace: Trace,
    /// (interface id, record), in the order the packets met the interfaces.
    pub records: Vec<(String, FlowRecord)>,
}

/// TCP flags AWS aggregates per direction: the opener sends SYN, the answer SYN-ACK.
const SYN: u16 = 2;
const SYN_ACK: u16 = 18;

/// Traces `flow` (as one packet and its reply) at time `now` and builds its records.
pub fn replay(net: &Network<'_>, flow: &Flow, now: i64) -> Result<Replayed, TraceError> {
    let source_port = flow.source_port.unwrap_or_else(|| ephemeral_port(flow));
    let mut q = Question::new(flow.from.clone(), flow.to.clone(), flow.protocol, flow.port);
    q.source_ports = Span::one(u128::from(source_port));
    if flow.port.is_none() {
        q.destination_ports = Span::one(0);
    }
    q.source_address = flow.source_address;
    q.destination_address = flow.destination_address;
    let t = trace(net, &q)?;
    let start = flow.start.unwrap_or(now);
    let stamp = Stamp {
        start,
        end: start.saturating_add(flow.duration),
        packets: flow.packets,
        bytes: flow.bytes.unwrap_or(flow.packets.saturating_mul(84)),
        tcp: flow.protocol == crate::packet::TCP,
    };
    let mut records = Vec::new();
    let delivered = records_of(net, &t.forward, &stamp, false, &mut records);
    if delivered && t.arrived {
        records_of(net, &t.back, &stamp, true, &mut records);
    }
    Ok(Replayed { trace: t, records })
}

/// A source port from the ephemeral range, the same for the same flow line.
fn ephemeral_port(flow: &Flow) -> u16 {
    let spread = u16::try_from(flow.line % 16384).unwrap_or(0);
    49152 + spread
}

struct Stamp {
    start: i64,
    end: i64,
    packets: u64,
    bytes: u64,
    tcp: bool,
}

/// Whether a hop is where a packet leaves one interface's reach: a router or gateway.
fn is_forwarding(hop: &Hop) -> bool {
    matches!(
        kinds::of(&hop.component),
        Some(&kinds::ROUTE_TABLE | &kinds::INTERNET_GATEWAY | &kinds::EGRESS_ONLY_INTERNET_GATEWAY)
    )
}

/// Appends the records of one direction's hops; whether the packets got all the way.
fn records_of(
    net: &Network<'_>,
    hops: &[Hop],
    stamp: &Stamp,
    reply: bool,
    out: &mut Vec<(String, FlowRecord)>,
) -> bool {
    for (i, hop) in hops.iter().enumerate() {
        if !kinds::NETWORK_INTERFACE.names(&hop.component) {
            // A router or gateway stopping the packets (a missing route, a blackhole) ends
            // them; groups and ACLs that stop them are recorded by their interface.
            if hop.blocked && is_forwarding(hop) {
                return false;
            }
            continue;
        }
        // The hops that judged the packets for this interface: arriving, those since the last
        // router; leaving, those up to the next router.
        let arriving = hop.inbound.is_some();
        let before = hops.get(..i).unwrap_or_default();
        let ingress: &[Hop] = if arriving {
            let from = before
                .iter()
                .rposition(|h| is_forwarding(h) || kinds::NETWORK_INTERFACE.names(&h.component));
            before.get(from.map_or(0, |f| f + 1)..).unwrap_or_default()
        } else {
            &[]
        };
        let after = hops.get(i + 1..).unwrap_or_default();
        let until = after
            .iter()
            .position(|h| is_forwarding(h) || kinds::NETWORK_INTERFACE.names(&h.component));
        let egress_hops = after.get(..until.unwrap_or(after.len())).unwrap_or_default();
        let leaves = until.is_some();
        if arriving {
            let rejected = ingress.iter().any(|h| h.blocked);
            let Some(header) = hop.inbound else { continue };
            out.push((
                hop.component.clone(),
                record(net, hop, &header, FlowDirection::Ingress, rejected, stamp, reply),
            ));
            if rejected {
                return false;
            }
        }
        if leaves {
            let rejected = hop.blocked || egress_hops.iter().any(|h| h.blocked);
            let Some(header) = hop.outbound.or(hop.inbound) else { continue };
            out.push((
                hop.component.clone(),
                record(net, hop, &header, FlowDirection::Egress, rejected, stamp, reply),
            ));
            if rejected {
                return false;
            }
        }
    }
    true
}

fn record(
    net: &Network<'_>,
    hop: &Hop,
    header: &crate::header::Header,
    direction: FlowDirection,
    rejected: bool,
    stamp: &Stamp,
    reply: bool,
) -> FlowRecord {
    let packet = header.sample();
    let mut r = net.world.flow_record_at(&hop.component).unwrap_or_default();
    r.srcaddr = Some(packet.source);
    r.dstaddr = Some(packet.destination);
    r.pkt_srcaddr = Some(packet.source);
    r.pkt_dstaddr = Some(packet.destination);
    if packet.has_ports() {
        r.srcport = Some(packet.source_port);
        r.dstport = Some(packet.destination_port);
    } else {
        r.srcport = Some(0);
        r.dstport = Some(0);
    }
    r.protocol = Some(packet.protocol);
    r.packets = Some(stamp.packets);
    r.bytes = Some(stamp.bytes);
    r.start = stamp.start;
    r.end = stamp.end;
    r.action = Some(if rejected { Action::Reject } else { Action::Accept });
    r.flow_direction = Some(direction);
    r.traffic_type = Some(if header.family == Family::V4 { "IPv4" } else { "IPv6" }.into());
    r.tcp_flags = stamp.tcp.then_some(if reply { SYN_ACK } else { SYN });
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::Index;
    use crate::lab::Lab;
    use model::security_group::PeerRequest;

    #[test]
    fn traffic_files_read_as_documented_and_bad_lines_say_where() {
        let flows = parse(
            "# a comment\n\
             i-0abc 10.0.2.7 tcp 3306 packets=20 bytes=4000\n\
             \n\
             internet i-0abc tcp 443 src=198.51.100.7 sport=51515  # trailing comment\n\
             i-0abc 8.8.8.8 icmp\n",
        )
        .unwrap();
        assert_eq!(flows.len(), 3);
        assert_eq!((flows[0].port, flows[0].packets, flows[0].bytes), (Some(3306), 20, Some(4000)));
        assert_eq!(flows[1].source_address, Some("198.51.100.7".parse().unwrap()));
        assert_eq!((flows[1].source_port, flows[1].line), (Some(51515), 4));
        assert_eq!((flows[2].protocol, flows[2].port), (1, None));
        for (bad, line, fragment) in [
            ("i-0abc", 1, "destination is missing"),
            ("\ni-0abc i-0def smtp 25", 2, "not tcp"),
            ("i-0abc i-0def tcp 99999", 1, "port"),
            ("i-0abc i-0def tcp 22 colour=red", 1, "unknown option"),
            ("i-0abc i-0def tcp 22 23", 1, "not an option"),
            ("nonsense i-0def tcp 22", 1, "not an id"),
        ] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e.line, line, "{bad}");
            assert!(e.message.contains(fragment), "{bad}: {}", e.message);
        }
    }

    fn lab_with_web() -> (Lab, String, String, String) {
        let mut lab = Lab::new();
        let igw = lab.igw();
        let (subnet, table) = lab.subnet("10.0.1.0/24");
        lab.route_to_gateway(&table, "0.0.0.0/0", &igw);
        let sg = lab.group("web");
        lab.allow_in(&sg, "tcp", 443, PeerRequest::CidrV4("0.0.0.0/0".into()));
        let web = lab.instance(&subnet, &[&sg], true);
        (lab, igw, web, subnet)
    }

    fn replay_one(lab: &Lab, line: &str) -> Vec<(String, FlowRecord)> {
        let index = Index::build(&lab.world);
        let net = Network { world: &lab.world, index: &index };
        let flow = parse(line).unwrap().remove(0);
        replay(&net, &flow, 1_700_000_000).unwrap().records
    }

    fn summary(records: &[(String, FlowRecord)]) -> Vec<(&'static str, &'static str)> {
        records
            .iter()
            .map(|(_, r)| (r.flow_direction.unwrap().as_str(), r.action.unwrap().as_str()))
            .collect()
    }

    #[test]
    fn an_accepted_flow_is_recorded_in_and_out_at_the_interface() {
        let (lab, _, web, _) = lab_with_web();
        let records =
            replay_one(&lab, &format!("internet {web} tcp 443 src=198.51.100.7 sport=50000"));
        assert_eq!(summary(&records), [("ingress", "ACCEPT"), ("egress", "ACCEPT")]);
        let (eni, request) = &records[0];
        assert!(eni.starts_with("eni-"));
        // Recorded at the interface: the private destination, the client's address.
        assert_eq!(request.srcaddr, Some("198.51.100.7".parse().unwrap()));
        assert!(request.dstaddr.unwrap().to_string().starts_with("10.0.1."));
        assert_eq!(
            (request.srcport, request.dstport, request.protocol),
            (Some(50000), Some(443), Some(6))
        );
        let reply = &records[1].1;
        assert_eq!((reply.srcport, reply.dstport), (Some(443), Some(50000)));
        assert_eq!(reply.instance_id.as_deref(), Some(web.as_str()));
    }

    #[test]
    fn a_security_group_reject_is_one_reject_record_and_no_reply() {
        let (lab, _, web, _) = lab_with_web();
        let records = replay_one(&lab, &format!("internet {web} tcp 22"));
        assert_eq!(summary(&records), [("ingress", "REJECT")]);
    }

    #[test]
    fn an_acl_refusing_the_reply_is_an_accepted_request_and_a_rejected_reply() {
        let (mut lab, _, web, subnet) = lab_with_web();
        let acl = lab.custom_acl(&subnet);
        lab.acl_entry(&acl, 100, false, true, Some((443, 443)));
        let records = replay_one(&lab, &format!("internet {web} tcp 443"));
        assert_eq!(summary(&records), [("ingress", "ACCEPT"), ("egress", "REJECT")]);
    }

    #[test]
    fn instance_to_instance_records_at_both_interfaces_both_ways() {
        let (mut lab, _, web, _) = lab_with_web();
        let (private, _) = lab.subnet("10.0.2.0/24");
        let db_sg = lab.group("db");
        lab.allow_in(&db_sg, "tcp", 3306, PeerRequest::CidrV4("10.0.0.0/16".into()));
        let db = lab.instance(&private, &[&db_sg], false);
        let records = replay_one(&lab, &format!("{web} {db} tcp 3306"));
        assert_eq!(
            summary(&records),
            [
                ("egress", "ACCEPT"),
                ("ingress", "ACCEPT"),
                ("egress", "ACCEPT"),
                ("ingress", "ACCEPT")
            ]
        );
        assert_ne!(records[0].0, records[1].0);
        assert_eq!(records[1].0, records[2].0);
    }
}
