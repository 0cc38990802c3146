//! vpclab's own question endpoint, `POST /_vpclab/trace`: a trace as JSON for people and
//! scripts (`vpclab trace` prints it as a table).
//!
//! Request: `{"from": "i-…"|"eni-…"|"igw-…"|"10.0.1.5"|"internet", "to": …, "protocol":
//! "tcp"|"udp"|"icmp"|number, "port": 3306, "source_port": 40000, "source_ip": …,
//! "destination_ip": …}` — only `from` and `to` are required (protocol defaults to tcp, ports to
//! any). The answer is described in the README ("vpclab trace").

use crate::Api;
use netsem::endpoint::Endpoint;
use netsem::explain::{decision_text, kind_of};
use netsem::header::{Header, Span, span_cidrs};
use netsem::packet::protocol_number;
use netsem::trace::{Hop, Question, Trace, TraceError, trace};
use serde_json::{Value, json};
use std::net::IpAddr;
use wire::ApiError;

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new("InvalidParameterValue", 400, message)
}

fn field<'a>(body: &'a Value, name: &str) -> Option<&'a Value> {
    body.get(name).filter(|v| !v.is_null())
}

fn endpoint(body: &Value, name: &str) -> Result<Endpoint, ApiError> {
    let text = field(body, name)
        .ok_or_else(|| ApiError::missing_parameter(name))?
        .as_str()
        .ok_or_else(|| bad_request(format!("{name} must be a string")))?;
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

fn address(body: &Value, name: &str) -> Result<Option<IpAddr>, ApiError> {
    match field(body, name) {
        None => Ok(None),
        Some(v) => v
            .as_str()
            .and_then(|s| s.parse().ok())
            .map(Some)
            .ok_or_else(|| bad_request(format!("{name} must be an IP address"))),
    }
}

/// Reads a trace request body.
pub fn question(body: &[u8]) -> Result<Question, ApiError> {
    let body: Value = serde_json::from_slice(body)
        .map_err(|e| bad_request(format!("the request body is not JSON: {e}")))?;
    if !body.is_object() {
        return Err(bad_request("the request body must be a JSON object"));
    }
    let protocol = match field(&body, "protocol") {
        None => netsem::packet::TCP,
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|n| u8::try_from(n).ok())
            .ok_or_else(|| bad_request("protocol must be tcp, udp, icmp or a number 0-255"))?,
        Some(Value::String(s)) => match protocol_number(s) {
            Some(Some(p)) => p,
            _ => return Err(bad_request("protocol must be tcp, udp, icmp or a number 0-255")),
        },
        Some(_) => return Err(bad_request("protocol must be tcp, udp, icmp or a number 0-255")),
    };
    let mut q = Question::new(
        endpoint(&body, "from")?,
        endpoint(&body, "to")?,
        protocol,
        port(&body, "port")?,
    );
    if let Some(p) = port(&body, "source_port")? {
        q.source_ports = Span::one(u128::from(p));
    }
    q.source_address = address(&body, "source_ip")?;
    q.destination_address = address(&body, "destination_ip")?;
    Ok(q)
}

/// Packets as one line: `10.0.1.5:* → 10.0.2.7:3306 (tcp)`.
pub fn header_text(h: &Header) -> String {
    h.to_string()
}

fn header_json(h: &Header) -> Value {
    let ports = |s: Span| json!({ "from": s.lo, "to": s.hi });
    json!({
        "protocol": netsem::packet::protocol_name(h.protocol),
        "source": span_cidrs(h.family, h.source),
        "destination": span_cidrs(h.family, h.destination),
        "source_ports": ports(h.source_ports),
        "destination_ports": ports(h.destination_ports),
        "text": header_text(h),
    })
}

fn hop_json(hop: &Hop) -> Value {
    json!({
        "component": hop.component,
        "kind": kind_of(&hop.component),
        "vpc": hop.vpc,
        "subnet": hop.subnet,
        "attached_to": hop.attached_to,
        "verdict": if hop.blocked { "blocked" } else { "pass" },
        "decided_by": hop.decision.as_ref().map(decision_text),
        "inbound": hop.inbound.as_ref().map(header_json),
        "outbound": hop.outbound.as_ref().map(header_json),
    })
}

/// A trace as the JSON `POST /_vpclab/trace` answers and `vpclab trace --json` prints.
pub fn trace_json(q: &Question, t: &Trace) -> Value {
    let ports = |s: Span| {
        if s == netsem::header::ALL_PORTS {
            Value::Null
        } else if s.is_single() {
            json!(s.lo)
        } else {
            json!(format!("{}-{}", s.lo, s.hi))
        }
    };
    json!({
        "question": {
            "from": q.source.to_string(),
            "to": q.destination.to_string(),
            "protocol": netsem::packet::protocol_name(q.protocol),
            "port": ports(q.destination_ports),
        },
        "reachable": t.reachable(),
        "forward": t.forward.iter().map(hop_json).collect::<Vec<_>>(),
        "return": t.back.iter().map(hop_json).collect::<Vec<_>>(),
        "explanations": t.explanations.iter().map(|e| json!({
            "code": e.code,
            "direction": e.direction,
            "on_return_path": e.on_return,
            "component": e.component,
            "message": e.message(),
        })).collect::<Vec<_>>(),
    })
}

fn trace_error(e: &TraceError) -> ApiError {
    let code = match e {
        TraceError::UnknownResource(_) => "InvalidParameterValue",
        _ => "InvalidParameterCombination",
    };
    ApiError::new(code, 400, e.to_string())
}

impl Api {
    /// Answers a trace question against the current network.
    pub async fn trace(&self, q: &Question) -> Result<Trace, ApiError> {
        self.with_network(|net| trace(&net, q)).await.map_err(|e| trace_error(&e))
    }
}
