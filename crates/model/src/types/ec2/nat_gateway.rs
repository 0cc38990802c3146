//! The stored types of NAT gateways (operations: [`crate::nat_gateway`]).

use std::net::Ipv4Addr;

/// What CreateNatGateway asks for.
#[derive(Debug, Clone, Default)]
pub struct NewNatGateway {
    pub subnet_id: String,
    /// `public` (the default) or `private`.
    pub connectivity_type: Option<String>,
    pub allocation_id: Option<String>,
    pub private_ip: Option<Ipv4Addr>,
    pub secondary_allocation_ids: Vec<String>,
    pub secondary_private_ips: Vec<Ipv4Addr>,
    pub secondary_private_ip_count: Option<i32>,
    pub client_token: Option<String>,
    pub tags: Vec<(String, String)>,
}
