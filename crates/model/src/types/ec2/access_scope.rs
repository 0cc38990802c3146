//! The stored types of Network Access Analyzer's access scopes (operations:
//! [`crate::access_scope`]).
//!
//! A scope is kept as it was sent, each statement validated: the API echoes the content back
//! unchanged (CreateNetworkInsightsAccessScope, GetNetworkInsightsAccessScopeContent).

use super::Tags;
use crate::cidr::Ipv4Cidr;
use crate::scope::Scope;
use serde::{Deserialize, Serialize};

/// A Network Access Scope: the paths to find (match) and to leave out (exclude).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessScope {
    pub id: String,
    pub owner: Scope,
    /// Milliseconds since the epoch; a scope cannot be changed, so it is also its update date.
    pub created: i64,
    pub content: ScopeContent,
    /// The idempotency token of the request that created it.
    pub client_token: String,
    pub tags: Tags,
}

/// What a scope asks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeContent {
    pub match_paths: Vec<AccessPath>,
    pub exclude_paths: Vec<AccessPath>,
}

/// One path condition: where it starts, where it ends, what it passes through. An omitted
/// statement matches anything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessPath {
    pub source: Option<PathStatement>,
    pub destination: Option<PathStatement>,
    pub through: Vec<ResourceStatement>,
}

/// One end of a path: the packets and the resources, both of which must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathStatement {
    pub packet_header: Option<PacketHeaderStatement>,
    pub resource: Option<ResourceStatement>,
}

/// The packets a path end admits; an empty list admits any value of its field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PacketHeaderStatement {
    pub source_addresses: Vec<Ipv4Cidr>,
    pub destination_addresses: Vec<Ipv4Cidr>,
    pub source_ports: Vec<PortRange>,
    pub destination_ports: Vec<PortRange>,
    pub source_prefix_lists: Vec<String>,
    pub destination_prefix_lists: Vec<String>,
    pub protocols: Vec<ScopeProtocol>,
}

/// The protocols Network Access Analyzer analyses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ScopeProtocol {
    Tcp,
    Udp,
}

impl ScopeProtocol {
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeProtocol::Tcp => "tcp",
            ScopeProtocol::Udp => "udp",
        }
    }

    pub fn parse(text: &str) -> Option<ScopeProtocol> {
        match text {
            "tcp" => Some(ScopeProtocol::Tcp),
            "udp" => Some(ScopeProtocol::Udp),
            _ => None,
        }
    }
}

/// A port or a range of ports, as a statement writes it (`22`, `1024-65535`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortRange {
    pub from: u16,
    pub to: u16,
}

impl PortRange {
    /// `N` or `N-M`, each 0–65535, `N` ≤ `M`.
    pub fn parse(text: &str) -> Option<PortRange> {
        let number = |t: &str| t.trim().parse::<u16>().ok();
        let (from, to) = match text.split_once('-') {
            Some((a, b)) => (number(a)?, number(b)?),
            None => {
                let n = number(text)?;
                (n, n)
            }
        };
        (from <= to).then_some(PortRange { from, to })
    }

    /// As written in a statement.
    pub fn text(self) -> String {
        if self.from == self.to {
            self.from.to_string()
        } else {
            format!("{}-{}", self.from, self.to)
        }
    }
}

/// Resources by id (or ARN, as given) or by type, never both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceStatement {
    pub resources: Vec<String>,
    pub resource_types: Vec<String>,
}

/// CreateNetworkInsightsAccessScope's parameters, as the request gives them (statements as text;
/// the operation validates them).
#[derive(Debug, Clone, Default)]
pub struct NewAccessScope {
    pub match_paths: Vec<AccessPathRequest>,
    pub exclude_paths: Vec<AccessPathRequest>,
    pub client_token: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// A path condition as the request gives it.
#[derive(Debug, Clone, Default)]
pub struct AccessPathRequest {
    pub source: Option<PathStatementRequest>,
    pub destination: Option<PathStatementRequest>,
    pub through: Vec<Option<ResourceStatement>>,
}

/// A path end as the request gives it.
#[derive(Debug, Clone, Default)]
pub struct PathStatementRequest {
    pub packet_header: Option<PacketHeaderRequest>,
    pub resource: Option<ResourceStatement>,
}

/// A packet header statement as the request gives it.
#[derive(Debug, Clone, Default)]
pub struct PacketHeaderRequest {
    pub source_addresses: Vec<String>,
    pub destination_addresses: Vec<String>,
    pub source_ports: Vec<String>,
    pub destination_ports: Vec<String>,
    pub source_prefix_lists: Vec<String>,
    pub destination_prefix_lists: Vec<String>,
    pub protocols: Vec<String>,
}

/// One analysis of a scope, with the findings found when it ran: the network may change later,
/// the findings stay what they were.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessScopeAnalysis {
    pub id: String,
    pub owner: Scope,
    pub scope_id: String,
    /// Milliseconds since the epoch.
    pub started: i64,
    pub ended: Option<i64>,
    pub client_token: String,
    pub result: AccessAnalysisResult,
    pub tags: Tags,
}

/// What an analysis found, field for field what the API reports of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccessAnalysisResult {
    pub status: crate::types::ec2::network_insights::AnalysisStatus,
    pub status_message: Option<String>,
    /// Set when there were more findings than an analysis keeps (they are all counted).
    pub warning_message: Option<String>,
    /// The interfaces of the account and region when the analysis ran.
    pub analyzed_eni_count: i32,
    /// In the order the engine gives them (the same on every run over the same network).
    pub findings: Vec<AccessFinding>,
}

/// One finding: a path that matches the scope, as Reachability Analyzer's path components.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccessFinding {
    pub finding_id: String,
    pub components: Vec<crate::types::ec2::network_insights::PathComponentRecord>,
}

/// StartNetworkInsightsAccessScopeAnalysis's parameters.
#[derive(Debug, Clone, Default)]
pub struct NewAccessScopeAnalysis {
    pub scope_id: String,
    pub client_token: Option<String>,
    pub tags: Vec<(String, String)>,
}
