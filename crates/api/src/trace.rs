//! vpclab's own question endpoint, `POST /_vpclab/trace`: a trace as JSON for people and
//! scripts (`vpclab trace` prints it as a table).
//!
//! Request: `{"from": "i-…"|"eni-…"|"igw-…"|"10.0.1.5"|"internet", "to": …, "protocol":
//! "tcp"|"udp"|"icmp"|number, "port": 3306, "source_port": 40000, "source_ip": …,
//! "destination_ip": …}` — only `from` and `to` are required (protocol defaults to tcp, ports to
//! any). The answer is described in the README ("vpclab trace").

use crate::Api;
use codes::Ec2;
use netsem::endpoint::Endpoint;
use netsem::explain::{decision_text, kind_of};
use netsem::header::{Header, Span, span_cidrs};
use netsem::packet::protocol_number;
use netsem::trace::{Hop, Question, Trace, TraceError, trace};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::net::IpAddr;
use wire::ApiError;

/// A refusal of one of vpclab's own endpoints (`/_vpclab/trace`, `/reach`, `/traffic`).
pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(Ec2::InvalidParameterValue, 400, message)
}

/// The body of a request to one of vpclab's own endpoints: a JSON object.
pub(crate) fn json_object(body: &[u8]) -> Result<Value, ApiError> {
    let body: Value = serde_json::from_slice(body)
        .map_err(|e| bad_request(format!("the request body is not JSON: {e}")))?;
    if !body.is_object() {
        return Err(bad_request("the request body must be a JSON object"));
    }
    Ok(body)
}

/// The body of `POST /_vpclab/trace`, as `vpclab trace` sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TraceRequest {
    pub from: String,
    pub to: String,
    /// A name (`tcp`, `udp`, `icmp`) or a number; tcp when absent.
    pub protocol: Option<ProtocolSpec>,
    pub port: Option<u16>,
    pub source_port: Option<u16>,
    pub source_ip: Option<String>,
    pub destination_ip: Option<String>,
}

/// A protocol by name or number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ProtocolSpec {
    Number(u64),
    Name(String),
}

impl ProtocolSpec {
    /// What a command line's `--protocol` says: a number when it reads as one.
    pub fn parse(text: &str) -> Self {
        text.parse().map_or_else(|_| ProtocolSpec::Name(text.to_owned()), ProtocolSpec::Number)
    }
}

fn field<'a>(body: &'a Value, name: &str) -> Option<&'a Value> {
    body.get(name).filter(|v| !v.is_null())
}

/// A required text field of an own endpoint's body.
pub(crate) fn string(body: &Value, name: &str) -> Result<String, ApiError> {
    optional_text(body, name, "a string")?.ok_or_else(|| ApiError::missing_parameter(name))
}

/// An optional text field; any other value is refused as not being `expected`.
pub(crate) fn optional_text(
    body: &Value,
    name: &str,
    expected: &str,
) -> Result<Option<String>, ApiError> {
    match field(body, name) {
        None => Ok(None),
        Some(v) => v
            .as_str()
            .map(|s| Some(s.to_owned()))
            .ok_or_else(|| bad_request(format!("{name} must be {expected}"))),
    }
}

fn endpoint(text: &str, name: &str) -> Result<Endpoint, ApiError> {
    Endpoint::parse(text).ok_or_else(|| {
        bad_request(format!(
            "{name} must be a resource id (i-…, eni-…, igw-…), an IP address or \"internet\", not {text:?}"
        ))
    })
}

fn port(body: &Value, name: &str) -> Result<Option<u16>, ApiError> {
    match field(body, name) {
        None => Ok(None),
        Some(v) => v
            .as_u64()
            .and_then(|n| u16::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| bad_request(format!("{name} must be a number from 0 to 65535"))),
    }
}

fn address(text: Option<&str>, name: &str) -> Result<Option<IpAddr>, ApiError> {
    text.map(|s| s.parse().map_err(|_| bad_request(format!("{name} must be an IP address"))))
        .transpose()
}

const BAD_PROTOCOL: &str = "protocol must be tcp, udp, icmp or a number 0-255";

impl TraceRequest {
    /// Reads a request body, each field refused with its own message (serde's would name
    /// Rust types).
    pub fn read(body: &[u8]) -> Result<Self, ApiError> {
        let body = json_object(body)?;
        let text = |name: &str| optional_text(&body, name, "an IP address");
        let protocol = match field(&body, "protocol") {
            None => None,
            Some(Value::Number(n)) => {
                Some(ProtocolSpec::Number(n.as_u64().ok_or_else(|| bad_request(BAD_PROTOCOL))?))
            }
            Some(Value::String(s)) => Some(ProtocolSpec::Name(s.clone())),
            Some(_) => return Err(bad_request(BAD_PROTOCOL)),
        };
        Ok(TraceRequest {
            from: string(&body, "from")?,
            to: string(&body, "to")?,
            protocol,
            port: port(&body, "port")?,
            source_port: port(&body, "source_port")?,
            source_ip: text("source_ip")?,
            destination_ip: text("destination_ip")?,
        })
    }

    /// The engine's question.
    pub fn question(&self) -> Result<Question, ApiError> {
        let protocol = match &self.protocol {
            None => netsem::packet::TCP,
            Some(ProtocolSpec::Number(n)) => {
                u8::try_from(*n).map_err(|_| bad_request(BAD_PROTOCOL))?
            }
            Some(ProtocolSpec::Name(s)) => match protocol_number(s) {
                Some(Some(p)) => p,
                _ => return Err(bad_request(BAD_PROTOCOL)),
            },
        };
        let mut q = Question::new(
            endpoint(&self.from, "from")?,
            endpoint(&self.to, "to")?,
            protocol,
            self.port,
        );
        if let Some(p) = self.source_port {
            q.source_ports = Span::one(u128::from(p));
        }
        q.source_address = address(self.source_ip.as_deref(), "source_ip")?;
        q.destination_address = address(self.destination_ip.as_deref(), "destination_ip")?;
        Ok(q)
    }
}

/// Reads a trace request body into the engine's question.
pub fn question(body: &[u8]) -> Result<Question, ApiError> {
    TraceRequest::read(body)?.question()
}

/// What `POST /_vpclab/trace` answers and `vpclab trace` reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceAnswer {
    pub question: QuestionView,
    pub reachable: bool,
    pub forward: Vec<HopView>,
    #[serde(rename = "return")]
    pub back: Vec<HopView>,
    pub explanations: Vec<ExplanationView>,
}

/// The question as asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionView {
    pub from: String,
    pub to: String,
    pub protocol: String,
    /// `null` for any port, a number, or a range `"lo-hi"`.
    pub port: Option<PortView>,
}

/// One destination port or a range of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PortView {
    One(u64),
    Range(String),
}

impl std::fmt::Display for PortView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PortView::One(n) => write!(f, "{n}"),
            PortView::Range(r) => f.write_str(r),
        }
    }
}

/// One component of a path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HopView {
    pub component: String,
    pub kind: String,
    pub vpc: Option<String>,
    pub subnet: Option<String>,
    pub attached_to: Option<String>,
    pub verdict: Verdict,
    pub decided_by: Option<String>,
    pub inbound: Option<PacketsView>,
    pub outbound: Option<PacketsView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Blocked,
}

/// A set of packets: CIDR lists, port ranges and the set in one line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PacketsView {
    pub protocol: String,
    pub source: Vec<String>,
    pub destination: Vec<String>,
    pub source_ports: PortRange,
    pub destination_ports: PortRange,
    /// `10.0.1.5:* → 10.0.2.7:3306 (tcp)`.
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortRange {
    pub from: u64,
    pub to: u64,
}

/// A port of a span (ports are 16-bit, so always in range).
fn port_number(value: u128) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}

/// Why a path is blocked, with Reachability Analyzer's code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplanationView {
    pub code: String,
    pub direction: Option<String>,
    pub on_return_path: bool,
    pub component: Option<String>,
    pub message: String,
}

fn packets_view(h: &Header) -> PacketsView {
    let ports = |s: Span| PortRange { from: port_number(s.lo), to: port_number(s.hi) };
    PacketsView {
        protocol: netsem::packet::protocol_name(h.protocol),
        source: span_cidrs(h.family, h.source),
        destination: span_cidrs(h.family, h.destination),
        source_ports: ports(h.source_ports),
        destination_ports: ports(h.destination_ports),
        text: h.to_string(),
    }
}

pub(crate) fn hop_view(hop: &Hop) -> HopView {
    HopView {
        component: hop.component.clone(),
        kind: kind_of(&hop.component).to_owned(),
        vpc: hop.vpc.clone(),
        subnet: hop.subnet.clone(),
        attached_to: hop.attached_to.clone(),
        verdict: if hop.blocked { Verdict::Blocked } else { Verdict::Pass },
        decided_by: hop.decision.as_ref().map(decision_text),
        inbound: hop.inbound.as_ref().map(packets_view),
        outbound: hop.outbound.as_ref().map(packets_view),
    }
}

impl TraceAnswer {
    /// The answer to `q` whose trace is `t`.
    pub fn new(q: &Question, t: &Trace) -> Self {
        let port = |s: Span| {
            if s == netsem::header::ALL_PORTS {
                None
            } else if s.is_single() {
                Some(PortView::One(port_number(s.lo)))
            } else {
                Some(PortView::Range(format!("{}-{}", s.lo, s.hi)))
            }
        };
        TraceAnswer {
            question: QuestionView {
                from: q.source.to_string(),
                to: q.destination.to_string(),
                protocol: netsem::packet::protocol_name(q.protocol),
                port: port(q.destination_ports),
            },
            reachable: t.reachable(),
            forward: t.forward.iter().map(hop_view).collect(),
            back: t.back.iter().map(hop_view).collect(),
            explanations: t
                .explanations
                .iter()
                .map(|e| ExplanationView {
                    code: e.code.to_owned(),
                    direction: e.direction.map(str::to_owned),
                    on_return_path: e.on_return,
                    component: e.component.clone(),
                    message: e.message(),
                })
                .collect(),
        }
    }
}

fn trace_error(e: &TraceError) -> ApiError {
    let code = match e {
        TraceError::UnknownResource(_) => Ec2::InvalidParameterValue,
        _ => Ec2::InvalidParameterCombination,
    };
    ApiError::new(code, 400, e.to_string())
}

impl Api {
    /// Answers a trace question against the current network.
    pub async fn trace(&self, q: &Question) -> Result<Trace, ApiError> {
        self.with_network(|net| trace(&net, q)).await.map_err(|e| trace_error(&e))
    }
}
