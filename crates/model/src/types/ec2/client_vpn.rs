//! The stored types of Client VPN endpoints (operations: [`crate::client_vpn`]).

use crate::cidr::Ipv4Cidr;
use crate::scope::Scope;
use crate::types::ec2::*;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// How clients prove who they are (one entry of `Authentication.N`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Authentication {
    /// `certificate-authentication`, `directory-service-authentication` or
    /// `federated-authentication`.
    pub kind: String,
    pub client_root_certificate_chain_arn: Option<String>,
    pub directory_id: Option<String>,
    pub saml_provider_arn: Option<String>,
    pub self_service_saml_provider_arn: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConnectionLog {
    pub enabled: bool,
    pub log_group: Option<String>,
    pub log_stream: Option<String>,
}

/// A subnet the endpoint sends clients' traffic into.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetNetwork {
    /// `cvpn-assoc-…`.
    pub id: String,
    pub subnet_id: String,
    pub vpc_id: String,
    pub availability_zone: String,
    pub network_interface_id: String,
}

/// Which clients may reach a network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorizationRule {
    pub destination: Ipv4Cidr,
    /// The access group (an Active Directory group or IdP group id); `None` for all groups.
    pub group_id: Option<String>,
    pub description: Option<String>,
}

impl AuthorizationRule {
    pub fn access_all(&self) -> bool {
        self.group_id.is_none()
    }
}

/// `associate` (the VPC's route, added by an association) or `add-route`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RouteOrigin {
    Associate,
    AddRoute,
}

impl RouteOrigin {
    pub fn name(self) -> &'static str {
        match self {
            RouteOrigin::Associate => "associate",
            RouteOrigin::AddRoute => "add-route",
        }
    }
}

/// A route of the endpoint's route table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientVpnRoute {
    pub destination: Ipv4Cidr,
    /// An associated subnet, or `local` (client to client).
    pub target_subnet: String,
    pub origin: RouteOrigin,
    pub description: Option<String>,
}

impl ClientVpnRoute {
    /// `Nat` for routes into a subnet (the traffic leaves source-NATed), `local` for the
    /// client-to-client route.
    pub fn kind(&self) -> &'static str {
        if self.target_subnet == "local" { "local" } else { "Nat" }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EndpointState {
    PendingAssociate,
    Available,
}

impl EndpointState {
    pub fn name(self) -> &'static str {
        match self {
            EndpointState::PendingAssociate => "pending-associate",
            EndpointState::Available => "available",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientVpnEndpoint {
    /// `cvpn-endpoint-…`.
    pub id: String,
    pub owner: Scope,
    pub description: Option<String>,
    pub client_cidr: Ipv4Cidr,
    pub server_certificate_arn: String,
    pub authentication: Vec<Authentication>,
    pub connection_log: ConnectionLog,
    pub split_tunnel: bool,
    /// `udp` or `tcp`.
    pub transport_protocol: String,
    pub vpn_port: i32,
    pub dns_servers: Vec<String>,
    pub vpc_id: Option<String>,
    pub security_group_ids: Vec<String>,
    pub session_timeout_hours: i32,
    pub self_service_portal: bool,
    pub state: EndpointState,
    pub associations: Vec<TargetNetwork>,
    pub authorization_rules: Vec<AuthorizationRule>,
    pub routes: Vec<ClientVpnRoute>,
    /// Milliseconds since the epoch.
    pub create_time: i64,
    pub client_token: Option<String>,
    pub tags: Tags,
}

impl ClientVpnEndpoint {
    /// The DNS name clients connect to (`*.cvpn-endpoint-….prod.clientvpn.<region>.amazonaws.com`).
    pub fn dns_name(&self) -> String {
        format!("*.{}.prod.clientvpn.{}.amazonaws.com", self.id, self.owner.region)
    }

    /// The address the first client gets: the first usable one of the client CIDR.
    pub fn first_client_address(&self) -> Option<Ipv4Addr> {
        self.client_cidr.nth(1)
    }

    /// The route the packets to `address` take: the longest prefix; among equals, the first.
    pub fn route_to(&self, address: Ipv4Addr) -> Option<&ClientVpnRoute> {
        let mut best: Option<&ClientVpnRoute> = None;
        for r in self.routes.iter().filter(|r| r.destination.contains_addr(address)) {
            if best.is_none_or(|b| r.destination.prefix_len() > b.destination.prefix_len()) {
                best = Some(r);
            }
        }
        best
    }

    /// The most specific authorization rule covering `address`.
    pub fn authorization_for(&self, address: Ipv4Addr) -> Option<&AuthorizationRule> {
        let mut best: Option<&AuthorizationRule> = None;
        for r in self.authorization_rules.iter().filter(|r| r.destination.contains_addr(address)) {
            if best.is_none_or(|b| r.destination.prefix_len() > b.destination.prefix_len()) {
                best = Some(r);
            }
        }
        best
    }

    /// The association in `subnet`.
    pub fn association_in(&self, subnet: &str) -> Option<&TargetNetwork> {
        self.associations.iter().find(|a| a.subnet_id == subnet)
    }

    /// The OpenVPN client configuration ExportClientVpnClientConfiguration answers.
    pub fn client_configuration(&self) -> String {
        let host = self.dns_name().trim_start_matches("*.").to_owned();
        format!(
            "client\ndev tun\nproto {}\nremote {host} {}\nremote-random-hostname\nresolv-retry infinite\nnobind\nremote-cert-tls server\ncipher AES-256-GCM\nverb 3\n<ca>\n# the certificate chain of {}\n</ca>\n\nreneg-sec 0\n",
            self.transport_protocol, self.vpn_port, self.server_certificate_arn
        )
    }
}

/// What CreateClientVpnEndpoint asks for.
#[derive(Debug, Clone, Default)]
pub struct NewClientVpnEndpoint {
    pub client_cidr_block: Option<String>,
    pub server_certificate_arn: String,
    pub authentication: Vec<Authentication>,
    pub connection_log: ConnectionLog,
    pub description: Option<String>,
    pub dns_servers: Vec<String>,
    pub split_tunnel: Option<bool>,
    pub transport_protocol: Option<String>,
    pub vpn_port: Option<i32>,
    pub vpc_id: Option<String>,
    pub security_group_ids: Vec<String>,
    pub session_timeout_hours: Option<i32>,
    pub self_service_portal: Option<String>,
    pub client_token: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// What ModifyClientVpnEndpoint asks for (`None`: unchanged).
#[derive(Debug, Clone, Default)]
pub struct ClientVpnChange {
    pub server_certificate_arn: Option<String>,
    pub connection_log: Option<ConnectionLog>,
    /// `Some(list)` replaces the DNS servers (an empty list clears them).
    pub dns_servers: Option<Vec<String>>,
    pub vpn_port: Option<i32>,
    pub description: Option<String>,
    pub split_tunnel: Option<bool>,
    pub vpc_id: Option<String>,
    pub security_group_ids: Vec<String>,
    pub session_timeout_hours: Option<i32>,
    pub self_service_portal: Option<String>,
}
