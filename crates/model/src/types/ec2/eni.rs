//! The stored types of managed network interfaces (operations: [`crate::eni`]).

use crate::types::ec2::*;
use std::net::{Ipv4Addr, Ipv6Addr};

/// What CreateNetworkInterface (or a launch) asks for.
#[derive(Debug, Clone, Default)]
pub struct NewInterface {
    pub subnet_id: String,
    pub description: String,
    /// The primary address, if chosen.
    pub private_ip: Option<Ipv4Addr>,
    /// Secondary addresses chosen by the caller.
    pub secondary_ips: Vec<Ipv4Addr>,
    /// How many more secondary addresses to pick.
    pub secondary_count: u32,
    /// Security group ids; empty means the VPC's default group.
    pub groups: Vec<String>,
    pub ipv6_addresses: Vec<Ipv6Addr>,
    pub ipv6_count: u32,
    pub interface_type: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// An interface a service creates for itself in a subnet (a NAT gateway's, a load balancer's, a
/// VPC endpoint's, …): requester-managed, with no IPv6 addresses, attachment or tags.
///
/// Exists so that every such service builds the interface one way, in
/// [`crate::World::insert_managed_interface`], and sets only what differs between them.
#[derive(Debug, Clone)]
pub struct ManagedInterface {
    pub description: String,
    /// `interface`, `nat_gateway`, `vpc_endpoint`, `transit_gateway`, …
    pub interface_type: &'static str,
    /// The service AWS names as the requester (`amazon-elb`), where it names one.
    pub requester_id: Option<&'static str>,
    pub security_groups: Vec<String>,
    pub source_dest_check: bool,
    /// Allocated in the subnet already; the first is the primary address.
    pub private_ips: Vec<PrivateIp>,
}

impl ManagedInterface {
    /// An interface holding `address` alone (no public address), with no security groups, the
    /// source/destination check on and no requester id.
    pub fn new(description: String, interface_type: &'static str, address: Ipv4Addr) -> Self {
        Self::with_addresses(description, interface_type, vec![PrivateIp { address, public: None }])
    }

    /// [`ManagedInterface::new`] holding `private_ips` (the first primary) instead.
    pub fn with_addresses(
        description: String,
        interface_type: &'static str,
        private_ips: Vec<PrivateIp>,
    ) -> Self {
        ManagedInterface {
            description,
            interface_type,
            requester_id: None,
            security_groups: vec![],
            source_dest_check: true,
            private_ips,
        }
    }
}

/// Changes ModifyNetworkInterfaceAttribute makes (one per call).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterfaceChange {
    Groups(Vec<String>),
    SourceDestCheck(bool),
    Description(String),
    DeleteOnTermination { attachment_id: String, value: bool },
}
