//! vpclab's own exhaustive question, `POST /_vpclab/reach`: every path from one set of places
//! to another, with exactly the packets that take it — Network Access Analyzer's answer
//! ([`netsem::access`]) for people and scripts (`vpclab reach` prints it).
//!
//! Request: `{"from": SELECTOR, "to": SELECTOR, "protocol": "tcp"|"udp", "port": "443"|"1024-2048",
//! "account": "123456789012", "region": "us-east-1"}` — only `from` and `to` are required
//! (both protocols, every port, the default account and us-east-1 otherwise). A selector is
//! `any`, `internet`, a resource id (an interface, instance, subnet, VPC, security group,
//! internet or virtual private gateway: the paths' ends in or with it), `tag:KEY=VALUE` (the
//! resources with that tag), or an IPv4 address or CIDR block (the packets' addresses).

use crate::trace::{HopView, PortRange, bad_request, hop_view, json_object, optional_text, string};
use crate::{Api, DEFAULT_ACCOUNT};
use model::Scope;
use model::cidr::Ipv4Cidr;
use model::types::ec2::access_scope::{
    AccessPath, PacketHeaderStatement, PathStatement, ResourceStatement, ScopeContent,
    ScopeProtocol,
};
use netsem::access::{Finding, find};
use netsem::header::{Family, Span, span_cidrs};
use netsem::trace::Network;
use serde::{Deserialize, Serialize};
use wire::ApiError;

/// The body of `POST /_vpclab/reach`, as `vpclab reach` sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReachRequest {
    pub from: String,
    pub to: String,
    /// `tcp` or `udp`; both when absent.
    pub protocol: Option<String>,
    /// A port or a range `lo-hi`; every port when absent.
    pub port: Option<String>,
    pub account: Option<String>,
    pub region: Option<String>,
}

/// What `POST /_vpclab/reach` answers and `vpclab reach` reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReachAnswer {
    pub findings: Vec<ReachFinding>,
    /// The interfaces of the account and region, every one of them considered.
    pub analysed_interfaces: usize,
}

/// One way through and the packets that take it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReachFinding {
    pub source: String,
    pub destination: String,
    pub protocol: String,
    /// The packets as they leave the source: address blocks and port ranges, every
    /// combination of which takes this path.
    pub source_addresses: Vec<String>,
    pub destination_addresses: Vec<String>,
    pub source_ports: Vec<PortRange>,
    pub destination_ports: Vec<PortRange>,
    /// The components crossed, each with the rule or route that let the packets by.
    pub path: Vec<HopView>,
}

impl ReachRequest {
    /// Reads a request body, each field refused with its own message.
    pub fn read(body: &[u8]) -> Result<Self, ApiError> {
        let body = json_object(body)?;
        let text = |name: &str| optional_text(&body, name, "a string");
        Ok(ReachRequest {
            from: string(&body, "from")?,
            to: string(&body, "to")?,
            protocol: text("protocol")?,
            port: text("port")?,
            account: text("account")?,
            region: text("region")?,
        })
    }

    /// The account and region asked about.
    fn owner(&self) -> Result<Scope, ApiError> {
        let account = self.account.as_deref().unwrap_or(DEFAULT_ACCOUNT);
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad_request(format!("account must be twelve digits, not {account:?}")));
        }
        let region = self.region.as_deref().unwrap_or("us-east-1");
        if model::regions::find(region).is_none() {
            return Err(bad_request(format!("{region:?} is not a region vpclab serves")));
        }
        Ok(Scope::new(account, region))
    }

    /// The question as a Network Access Scope's one match condition.
    fn content(&self, world: &model::World, owner: &Scope) -> Result<ScopeContent, ApiError> {
        let source = selector(&self.from, "from", world, owner, true)?;
        let mut destination = selector(&self.to, "to", world, owner, false)?;
        let protocols = match self.protocol.as_deref() {
            None | Some("any") => vec![],
            Some(p) => vec![ScopeProtocol::parse(p).ok_or_else(|| {
                bad_request(format!("protocol must be tcp, udp or any, not {p:?}"))
            })?],
        };
        let ports = match self.port.as_deref() {
            None => vec![],
            Some(p) => {
                vec![model::types::ec2::access_scope::PortRange::parse(p).ok_or_else(|| {
                    bad_request(format!("port must be a port or a range lo-hi, not {p:?}"))
                })?]
            }
        };
        if !protocols.is_empty() || !ports.is_empty() {
            let end = destination.get_or_insert_with(PathStatement::default);
            let header = end.packet_header.get_or_insert_with(PacketHeaderStatement::default);
            header.protocols = protocols;
            header.destination_ports = ports;
        }
        Ok(ScopeContent {
            match_paths: vec![AccessPath { source, destination, through: vec![] }],
            exclude_paths: vec![],
        })
    }
}

/// What a selector says of a path's end: the resources it may be, or its packets' addresses.
fn selector(
    text: &str,
    name: &str,
    world: &model::World,
    owner: &Scope,
    is_source: bool,
) -> Result<Option<PathStatement>, ApiError> {
    let text = text.trim();
    let resources = |resources: Vec<String>, resource_types: Vec<String>| {
        Ok(Some(PathStatement {
            packet_header: None,
            resource: Some(ResourceStatement { resources, resource_types }),
        }))
    };
    if text.eq_ignore_ascii_case("any") {
        return Ok(None);
    }
    if text.eq_ignore_ascii_case("internet") {
        return resources(vec![], vec!["AWS::EC2::InternetGateway".into()]);
    }
    if let Some(tag) = text.strip_prefix("tag:") {
        let (key, value) = tag.split_once('=').ok_or_else(|| {
            bad_request(format!("{name}: a tag selector is tag:KEY=VALUE, not {text:?}"))
        })?;
        let ids: Vec<String> = world
            .tagged_resources(owner)
            .into_iter()
            .filter(|(_, _, tags)| tags.get(key).is_some_and(|v| v == value))
            .map(|(id, _, _)| id)
            .collect();
        if ids.is_empty() {
            return Err(bad_request(format!("{name}: no resource has the tag {key}={value}")));
        }
        return resources(ids, vec![]);
    }
    let block = if text.contains('/') {
        Ipv4Cidr::parse(text, false)
    } else {
        text.parse::<std::net::Ipv4Addr>().ok().and_then(|a| Ipv4Cidr::new(a, 32))
    };
    if let Some(block) = block {
        let mut header = PacketHeaderStatement::default();
        if is_source {
            header.source_addresses = vec![block];
        } else {
            header.destination_addresses = vec![block];
        }
        return Ok(Some(PathStatement { packet_header: Some(header), resource: None }));
    }
    if world.tags_of(text).is_none_or(|(_, scope, _)| scope != owner) {
        return Err(bad_request(format!(
            "{name} must be any, internet, tag:KEY=VALUE, an IPv4 address or CIDR block, or the \
             id of a resource of the account and region; {text:?} is none of these"
        )));
    }
    resources(vec![text.to_owned()], vec![])
}

fn finding_view(f: &Finding) -> ReachFinding {
    let cidrs = |spans: &[Span]| -> Vec<String> {
        spans.iter().flat_map(|s| span_cidrs(Family::V4, *s)).collect()
    };
    let ports = |spans: &[Span]| -> Vec<PortRange> {
        let number = |v: u128| u64::try_from(v).unwrap_or(u64::MAX);
        spans.iter().map(|s| PortRange { from: number(s.lo), to: number(s.hi) }).collect()
    };
    let p = &f.packets;
    ReachFinding {
        source: f.source.clone(),
        destination: f.destination.clone(),
        protocol: netsem::packet::protocol_name(p.protocol),
        source_addresses: cidrs(&p.sources),
        destination_addresses: cidrs(&p.destinations),
        source_ports: ports(&p.source_ports),
        destination_ports: ports(&p.destination_ports),
        path: f.hops.iter().map(hop_view).collect(),
    }
}

/// Answers `request` on `net`.
pub fn answer(net: &Network<'_>, request: &ReachRequest) -> Result<ReachAnswer, ApiError> {
    let owner = request.owner()?;
    let content = request.content(net.world, &owner)?;
    let found = find(net, &owner, &content, usize::MAX);
    Ok(ReachAnswer {
        findings: found.findings.iter().map(finding_view).collect(),
        analysed_interfaces: found.interfaces,
    })
}

impl Api {
    /// Answers a reach question against the current network.
    pub async fn reach(&self, body: &[u8]) -> Result<ReachAnswer, ApiError> {
        let request = ReachRequest::read(body)?;
        self.with_network(|net| answer(&net, &request)).await
    }
}
