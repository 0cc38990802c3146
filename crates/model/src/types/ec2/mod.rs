//! The resource types of the EC2 network, as stored.
//!
//! Only what cannot be derived is stored: a route's state (`active` or `blackhole`), an
//! instance's network interfaces and a subnet's free-address count are computed when asked.

pub mod access_scope;
pub mod client_vpn;
pub mod endpoint_service;
pub mod eni;
pub mod flow_log;
pub mod nat_gateway;
pub mod network_insights;
pub mod peering;
pub mod prefix_list;
pub mod traffic_mirror;
pub mod transit_gateway;
pub mod vpc_endpoint;
pub mod vpn;

use crate::cidr::{Ipv4Cidr, Ipv6Cidr};
use crate::scope::Scope;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, Ipv6Addr};

/// Tags by key; AWS allows one value per key.
pub type Tags = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vpc {
    pub id: String,
    pub owner: Scope,
    /// IPv4 blocks; the first is the primary block and cannot be disassociated.
    pub cidr_blocks: Vec<VpcCidrBlock>,
    pub ipv6_cidr_blocks: Vec<VpcIpv6CidrBlock>,
    pub dhcp_options_id: String,
    pub instance_tenancy: String,
    pub is_default: bool,
    pub enable_dns_support: bool,
    pub enable_dns_hostnames: bool,
    pub enable_network_address_usage_metrics: bool,
    pub main_route_table_id: String,
    pub default_network_acl_id: String,
    pub default_security_group_id: String,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VpcCidrBlock {
    pub association_id: String,
    pub cidr: Ipv4Cidr,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VpcIpv6CidrBlock {
    pub association_id: String,
    pub cidr: Ipv6Cidr,
    pub network_border_group: String,
    pub pool: String,
}

impl Vpc {
    pub fn primary_cidr(&self) -> Option<Ipv4Cidr> {
        self.cidr_blocks.first().map(|b| b.cidr)
    }

    pub fn contains_v4(&self, cidr: Ipv4Cidr) -> bool {
        self.cidr_blocks.iter().any(|b| b.cidr.contains(cidr))
    }

    pub fn contains_v6(&self, cidr: Ipv6Cidr) -> bool {
        self.ipv6_cidr_blocks.iter().any(|b| b.cidr.contains(cidr))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subnet {
    pub id: String,
    pub owner: Scope,
    pub vpc_id: String,
    /// None for an IPv6-only subnet (`Ipv6Native`).
    pub cidr: Option<Ipv4Cidr>,
    pub availability_zone: String,
    pub availability_zone_id: String,
    pub ipv6_cidr_blocks: Vec<SubnetIpv6CidrBlock>,
    pub map_public_ip_on_launch: bool,
    pub assign_ipv6_address_on_creation: bool,
    pub default_for_az: bool,
    pub enable_dns64: bool,
    pub hostname_type: String,
    pub enable_resource_name_dns_a_record: bool,
    pub enable_resource_name_dns_aaaa_record: bool,
    /// Offsets within `cidr` of the addresses interfaces hold (the reserved five excluded).
    /// Derived from the interfaces and never stored, so that the row does not grow with them
    /// (rows stored before held it; it is read and replaced on load: [`World::finish_load`]).
    ///
    /// [`World::finish_load`]: crate::World::finish_load
    #[serde(default, skip_serializing)]
    pub used_offsets: BTreeSet<u32>,
    pub tags: Tags,
    /// Blocks kept from automatic address assignment (CreateSubnetCidrReservation).
    #[serde(default)]
    pub cidr_reservations: Vec<SubnetCidrReservation>,
    /// The subnet's association with its network ACL (every subnet has one once created). Kept
    /// here, not in the ACL's row, so that associating a subnet writes one small row; rows
    /// stored before held it in the ACL's `associations` (see [`World::finish_load`]).
    ///
    /// [`World::finish_load`]: crate::World::finish_load
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_acl_association: Option<SubnetAclAssociation>,
}

/// A subnet's association with a network ACL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubnetAclAssociation {
    pub id: String,
    pub network_acl_id: String,
}

/// A block of a subnet no address is picked from automatically: `explicit` ones are handed out
/// only when asked for by address, `prefix` ones only as delegated prefixes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubnetCidrReservation {
    pub id: String,
    pub cidr: crate::cidr::Cidr,
    /// `prefix` or `explicit`.
    pub reservation_type: String,
    pub description: Option<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubnetIpv6CidrBlock {
    pub association_id: String,
    pub cidr: Ipv6Cidr,
}

impl Subnet {
    /// Addresses AWS keeps for itself: network, router, DNS, future use, broadcast.
    pub const RESERVED: u64 = 5;

    pub fn is_reserved_offset(&self, offset: u64) -> bool {
        offset < 4 || self.cidr.is_some_and(|c| offset + 1 == c.size())
    }

    /// Whether an IPv4 reservation keeps this offset from automatic assignment.
    pub fn reserves_offset(&self, offset: u64) -> bool {
        let Some(addr) = self.cidr.and_then(|c| c.nth(offset)) else { return false };
        self.cidr_reservations.iter().any(|r| match r.cidr {
            crate::cidr::Cidr::V4(c) => c.contains_addr(addr),
            crate::cidr::Cidr::V6(_) => false,
        })
    }

    pub fn available_ip_count(&self) -> u64 {
        self.cidr
            .map_or(0, |c| c.size().saturating_sub(Self::RESERVED + self.used_offsets.len() as u64))
    }

    /// The VPC's resolver (`.2` of the VPC's primary block is AWS's; each subnet's base + 2
    /// is what instances are handed).
    pub fn router(&self) -> Option<Ipv4Addr> {
        self.cidr?.nth(1)
    }

    pub fn is_ipv6_only(&self) -> bool {
        self.cidr.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteTable {
    pub id: String,
    pub owner: Scope,
    pub vpc_id: String,
    pub routes: Vec<Route>,
    pub associations: Vec<RouteTableAssociation>,
    pub propagating_vgws: Vec<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RouteDestination {
    V4(Ipv4Cidr),
    V6(Ipv6Cidr),
    PrefixList(String),
}

/// Where a route sends traffic. The variant names the request parameter that set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RouteTarget {
    Local,
    /// `GatewayId`: an internet gateway, a virtual private gateway or a gateway endpoint.
    Gateway(String),
    EgressOnlyInternetGateway(String),
    NatGateway(String),
    /// `InstanceId`, resolved to the instance's primary interface when the route was made.
    Instance {
        instance_id: String,
        network_interface_id: String,
    },
    NetworkInterface(String),
    VpcPeeringConnection(String),
    TransitGateway(String),
    LocalGateway(String),
    CarrierGateway(String),
    VpcEndpoint(String),
    CoreNetwork(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RouteOrigin {
    CreateRouteTable,
    CreateRoute,
    EnableVgwRoutePropagation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    pub destination: RouteDestination,
    pub target: RouteTarget,
    pub origin: RouteOrigin,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssociationTarget {
    /// The main association of the VPC.
    Main,
    Subnet(String),
    /// An edge association with an internet gateway or virtual private gateway.
    Gateway(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteTableAssociation {
    pub id: String,
    pub target: AssociationTarget,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InternetGateway {
    pub id: String,
    pub owner: Scope,
    pub attached_vpc_id: Option<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EgressOnlyInternetGateway {
    pub id: String,
    pub owner: Scope,
    pub vpc_id: String,
    pub tags: Tags,
}

/// An Elastic IP address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Address {
    pub allocation_id: String,
    pub owner: Scope,
    pub public_ip: Ipv4Addr,
    pub network_border_group: String,
    pub association: Option<AddressAssociation>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddressAssociation {
    pub association_id: String,
    pub network_interface_id: String,
    pub private_ip: Ipv4Addr,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkInterface {
    pub id: String,
    pub owner: Scope,
    pub subnet_id: String,
    pub vpc_id: String,
    pub availability_zone: String,
    pub description: String,
    /// The first is the primary address.
    pub private_ips: Vec<PrivateIp>,
    pub ipv6_addresses: Vec<Ipv6Addr>,
    pub security_groups: Vec<String>,
    pub source_dest_check: bool,
    pub attachment: Option<InterfaceAttachment>,
    pub mac_address: String,
    pub interface_type: String,
    pub requester_managed: bool,
    pub requester_id: Option<String>,
    /// Whether the interface gets an AWS-assigned public IPv4 address on its primary private
    /// address while it holds no Elastic IP there (decided at launch; given back on stop).
    #[serde(default)]
    pub auto_public_ip: bool,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrivateIp {
    pub address: Ipv4Addr,
    /// The public address mapped to this private one, if any.
    pub public: Option<PublicIp>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicIp {
    pub address: Ipv4Addr,
    /// Set when the address is an Elastic IP; absent for an address AWS assigned at launch.
    pub allocation_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterfaceAttachment {
    pub id: String,
    pub instance_id: String,
    pub device_index: i32,
    pub delete_on_termination: bool,
    pub attach_time: i64,
}

impl NetworkInterface {
    pub fn primary_ip(&self) -> Option<Ipv4Addr> {
        self.private_ips.first().map(|p| p.address)
    }

    pub fn public_ip(&self) -> Option<Ipv4Addr> {
        self.private_ips.first().and_then(|p| p.public.as_ref()).map(|p| p.address)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InstanceState {
    Pending,
    Running,
    ShuttingDown,
    Terminated,
    Stopping,
    Stopped,
}

impl InstanceState {
    pub fn code(self) -> i32 {
        match self {
            InstanceState::Pending => 0,
            InstanceState::Running => 16,
            InstanceState::ShuttingDown => 32,
            InstanceState::Terminated => 48,
            InstanceState::Stopping => 64,
            InstanceState::Stopped => 80,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            InstanceState::Pending => "pending",
            InstanceState::Running => "running",
            InstanceState::ShuttingDown => "shutting-down",
            InstanceState::Terminated => "terminated",
            InstanceState::Stopping => "stopping",
            InstanceState::Stopped => "stopped",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    pub id: String,
    pub owner: Scope,
    pub reservation_id: String,
    pub image_id: String,
    pub instance_type: String,
    pub key_name: Option<String>,
    pub state: InstanceState,
    pub state_transition_reason: String,
    pub launch_time: i64,
    pub availability_zone: String,
    pub subnet_id: String,
    pub vpc_id: String,
    pub primary_network_interface_id: String,
    pub private_dns_name: String,
    pub ami_launch_index: i32,
    pub client_token: Option<String>,
    pub user_data: Option<String>,
    pub disable_api_termination: bool,
    pub disable_api_stop: bool,
    pub instance_initiated_shutdown_behavior: String,
    pub ebs_optimized: bool,
    pub monitoring: bool,
    pub tenancy: String,
    pub root_volume_id: Option<String>,
    pub root_device_name: String,
    pub metadata_http_tokens: String,
    pub metadata_http_endpoint: String,
    pub metadata_hop_limit: i32,
    pub metadata_tags: String,
    pub credit_specification: Option<String>,
    pub iam_instance_profile_arn: Option<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Volume {
    pub id: String,
    pub owner: Scope,
    pub availability_zone: String,
    pub size_gib: i32,
    pub volume_type: String,
    pub iops: Option<i32>,
    pub throughput: Option<i32>,
    pub encrypted: bool,
    pub create_time: i64,
    pub attached_instance_id: Option<String>,
    pub device: Option<String>,
    pub delete_on_termination: bool,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityGroup {
    pub id: String,
    pub owner: Scope,
    pub name: String,
    pub description: String,
    pub vpc_id: String,
    pub ingress: Vec<SecurityGroupRule>,
    pub egress: Vec<SecurityGroupRule>,
    pub tags: Tags,
}

/// Who a security group rule admits (ingress) or allows to be reached (egress).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RulePeer {
    V4(Ipv4Cidr),
    V6(Ipv6Cidr),
    PrefixList(String),
    /// Members of a security group, possibly of another account (`user_id`).
    Group {
        group_id: String,
        user_id: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityGroupRule {
    pub id: String,
    /// `-1` (all), `tcp`, `udp`, `icmp`, `icmpv6`, or a protocol number.
    pub protocol: String,
    /// For TCP/UDP the port range; for ICMP the type and code; `-1` for all.
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    pub peer: RulePeer,
    pub description: Option<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkAcl {
    pub id: String,
    pub owner: Scope,
    pub vpc_id: String,
    pub is_default: bool,
    pub entries: Vec<NetworkAclEntry>,
    /// The subnets associated with the ACL, in subnet id order: derived from the subnets' own
    /// [`Subnet::network_acl_association`] and never stored (rows stored before that field held
    /// the list here; they are still read, and moved to the subnets on load).
    #[serde(default, skip_serializing)]
    pub associations: Vec<NetworkAclAssociation>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AclCidr {
    V4(Ipv4Cidr),
    V6(Ipv6Cidr),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkAclEntry {
    /// 1–32766 for user entries; 32767 (IPv4) and 32768 (IPv6) are the `*` entries that deny
    /// what nothing else matched.
    pub rule_number: i32,
    pub egress: bool,
    /// `-1` (all) or a protocol number.
    pub protocol: String,
    pub allow: bool,
    pub cidr: AclCidr,
    pub icmp_type: Option<i32>,
    pub icmp_code: Option<i32>,
    pub port_from: Option<i32>,
    pub port_to: Option<i32>,
}

impl NetworkAclEntry {
    /// The rule numbers of the `*` entries.
    pub const CATCH_ALL_V4: i32 = 32767;
    pub const CATCH_ALL_V6: i32 = 32768;

    pub fn is_catch_all(&self) -> bool {
        self.rule_number >= Self::CATCH_ALL_V4
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkAclAssociation {
    pub id: String,
    pub subnet_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DhcpOptions {
    pub id: String,
    pub owner: Scope,
    /// Keys (`domain-name`, `domain-name-servers`, …) with their values, in request order.
    pub configurations: Vec<(String, Vec<String>)>,
    pub tags: Tags,
}

/// A Reachability Analyzer path: the question (source, destination, packets) to analyse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkInsightsPath {
    pub id: String,
    pub owner: Scope,
    /// Milliseconds since the epoch.
    pub created: i64,
    pub spec: PathSpec,
    /// The idempotency token of the request that created it.
    pub client_token: Option<String>,
    pub tags: Tags,
}

/// What a path asks, as validated: resources by id (an ARN given is reduced to its id).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathSpec {
    pub source: String,
    pub destination: Option<String>,
    pub source_ip: Option<Ipv4Addr>,
    pub destination_ip: Option<Ipv4Addr>,
    /// `tcp` or `udp`.
    pub protocol: String,
    pub destination_port: Option<u16>,
    pub filter_at_source: Option<PathFilter>,
    pub filter_at_destination: Option<PathFilter>,
}

/// The packets a path is about, as seen at its source or at its destination.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathFilter {
    pub source_address: Option<Ipv4Addr>,
    pub source_port_range: Option<PortSpan>,
    pub destination_address: Option<Ipv4Addr>,
    pub destination_port_range: Option<PortSpan>,
}

/// An inclusive port range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortSpan {
    pub from: u16,
    pub to: u16,
}

/// One analysis of a path, with the answer found when it ran: the network may change later,
/// the answer stays what it was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkInsightsAnalysis {
    pub id: String,
    pub owner: Scope,
    pub path_id: String,
    /// Milliseconds since the epoch.
    pub started: i64,
    pub filter_in_arns: Vec<String>,
    pub filter_out_arns: Vec<String>,
    pub additional_accounts: Vec<String>,
    pub client_token: Option<String>,
    pub result: crate::types::ec2::network_insights::AnalysisResult,
    pub tags: Tags,
}

/// The life of a NAT gateway. vpclab makes one `available` at once; a deleted one stays
/// listed (`deleted`) for an hour, as on AWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NatGatewayState {
    Pending,
    Available,
    Deleting,
    Deleted,
    Failed,
}

impl NatGatewayState {
    pub fn name(self) -> &'static str {
        match self {
            NatGatewayState::Pending => "pending",
            NatGatewayState::Available => "available",
            NatGatewayState::Deleting => "deleting",
            NatGatewayState::Deleted => "deleted",
            NatGatewayState::Failed => "failed",
        }
    }

    /// Whether the gateway still carries traffic.
    pub fn is_live(self) -> bool {
        matches!(self, NatGatewayState::Pending | NatGatewayState::Available)
    }
}

/// A NAT gateway: a requester-managed interface in one subnet whose addresses it translates
/// to. A public gateway maps an Elastic IP on each of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NatGateway {
    pub id: String,
    pub owner: Scope,
    pub vpc_id: String,
    pub subnet_id: String,
    /// `public` or `private`.
    pub connectivity_type: String,
    pub state: NatGatewayState,
    pub network_interface_id: String,
    /// The first is the primary address.
    pub addresses: Vec<NatGatewayAddress>,
    /// Milliseconds since the epoch.
    pub create_time: i64,
    /// When it was deleted, or failed: either way it is listed for an hour more.
    pub delete_time: Option<i64>,
    /// Why a `failed` gateway failed.
    #[serde(default)]
    pub failure: Option<NatGatewayFailure>,
    pub client_token: Option<String>,
    pub tags: Tags,
}

/// AWS's FailureCode and FailureMessage of a failed NAT gateway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NatGatewayFailure {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NatGatewayAddress {
    pub private_ip: Ipv4Addr,
    pub allocation_id: Option<String>,
    pub association_id: Option<String>,
    pub public_ip: Option<Ipv4Addr>,
    pub is_primary: bool,
}

impl NatGateway {
    pub fn is_public(&self) -> bool {
        self.connectivity_type == "public"
    }

    pub fn primary_private_ip(&self) -> Option<Ipv4Addr> {
        self.addresses.first().map(|a| a.private_ip)
    }
}

/// The tag listing the on-premises CIDRs a customer router advertises over BGP — on a customer
/// gateway (VPN) or a Direct Connect virtual interface. vpclab runs no BGP: this tag stands in
/// for what the router would announce.
pub const ADVERTISED_CIDRS_TAG: &str = "vpclab:advertised-cidrs";

/// The tag on an EC2 instance giving the local address (e.g. `127.0.0.1`) where vpclab's load
/// balancers reach it when it is registered as an `instance` target: the instance itself does
/// not run, so something on this machine stands in for it. Without the tag the data plane has
/// no address to connect to and the target fails its health checks.
pub const LOCAL_ADDRESS_TAG: &str = "vpclab:local-address";

/// The CIDRs of the [`ADVERTISED_CIDRS_TAG`] tag in `tags` (entries that are not CIDRs are
/// ignored).
pub fn advertised_cidrs(tags: &Tags) -> Vec<crate::cidr::Ipv4Cidr> {
    tags.get(ADVERTISED_CIDRS_TAG)
        .map(|v| {
            v.split(',').filter_map(|c| crate::cidr::Ipv4Cidr::parse(c.trim(), false)).collect()
        })
        .unwrap_or_default()
}
