//! The registry of EC2 resource kinds: per id prefix, the NotFound and Malformed codes, the
//! ARN and tag resource type and what a person calls it; and the one list every table of the
//! world and every kind is expanded from (`with_every_resource`).

use crate::error::{Error, Result};
use codes::Ec2;

/// THE registry of resources, one line each: a table of the world (field, stored type, the kind
/// name its rows are stored under, `[not_network]` when its rows do not change what a packet
/// meets) and, for EC2 resources with ids, its kind: id prefix, the noun of AWS's NotFound text,
/// the NotFound and Malformed codes, the ARN and tag resource type, what a person calls it and
/// (`missing "…"`) AWS's own NotFound text where it is not the usual one. `owned` rows belong to
/// an account and region (their `owner`); `global` ones do not; `untabled` kinds have ids but no
/// table of their own (rules live in their group or filter). AWS calls a malformed NAT gateway,
/// carrier gateway, VPN gateway, VPN connection, Client VPN endpoint or traffic mirror id not
/// found rather than malformed, so those kinds give the NotFound code for both.
///
/// The world's tables ([`crate::World`]), the kinds below, tags by id ([`crate::tags`]) and
/// lookups by scope ([`crate::lookup`]) are all expanded from this one list: `consumer` is a
/// macro of the calling module that receives it split by [`split_resources`].
macro_rules! with_every_resource {
    ($consumer:ident) => {
        $crate::kinds::split_resources! { $consumer;
            owned {
                vpcs: crate::types::ec2::Vpc => "vpc" { VPC = "vpc", "vpc", InvalidVpcIDNotFound, InvalidVpcIDMalformed, Some("vpc"), "VPC" };
                subnets: crate::types::ec2::Subnet => "subnet" { SUBNET = "subnet", "subnet", InvalidSubnetIDNotFound, InvalidSubnetIDMalformed, Some("subnet"), "subnet" };
                route_tables: crate::types::ec2::RouteTable => "route_table" { ROUTE_TABLE = "rtb", "route table", InvalidRouteTableIDNotFound, InvalidRouteTableIdMalformed, Some("route-table"), "route table" };
                internet_gateways: crate::types::ec2::InternetGateway => "internet_gateway" { INTERNET_GATEWAY = "igw", "internet gateway", InvalidInternetGatewayIDNotFound, InvalidInternetGatewayIdMalformed, Some("internet-gateway"), "internet gateway" };
                egress_only_internet_gateways: crate::types::ec2::EgressOnlyInternetGateway => "egress_only_internet_gateway" { EGRESS_ONLY_INTERNET_GATEWAY = "eigw", "egress-only internet gateway", InvalidGatewayIDNotFound, InvalidEgressOnlyInternetGatewayIdMalformed, Some("egress-only-internet-gateway"), "egress-only internet gateway" };
                addresses: crate::types::ec2::Address => "address" { ADDRESS = "eipalloc", "allocation", InvalidAllocationIDNotFound, InvalidAllocationIDMalformed, Some("elastic-ip"), "Elastic IP address" };
                network_interfaces: crate::types::ec2::NetworkInterface => "network_interface" { NETWORK_INTERFACE = "eni", "network interface", InvalidNetworkInterfaceIDNotFound, InvalidNetworkInterfaceIdMalformed, Some("network-interface"), "network interface" };
                instances: crate::types::ec2::Instance => "instance" { INSTANCE = "i", "instance", InvalidInstanceIDNotFound, InvalidInstanceIDMalformed, Some("instance"), "instance" };
                volumes: crate::types::ec2::Volume => "volume" { VOLUME = "vol", "volume", InvalidVolumeNotFound, InvalidVolumeIDMalformed, Some("volume"), "volume" };
                security_groups: crate::types::ec2::SecurityGroup => "security_group" { SECURITY_GROUP = "sg", "security group", InvalidGroupNotFound, InvalidGroupIdMalformed, Some("security-group"), "security group" };
                network_acls: crate::types::ec2::NetworkAcl => "network_acl" { NETWORK_ACL = "acl", "network ACL", InvalidNetworkAclIDNotFound, InvalidNetworkAclIdMalformed, Some("network-acl"), "network ACL" };
                dhcp_options: crate::types::ec2::DhcpOptions => "dhcp_options" { DHCP_OPTIONS = "dopt", "DHCP options", InvalidDhcpOptionIDNotFound, InvalidDhcpOptionsIdMalformed, Some("dhcp-options"), "DHCP options" };
                flow_logs: crate::types::ec2::flow_log::FlowLog => "flow_log" [not_network] { FLOW_LOG = "fl", "flow log", InvalidFlowLogIdNotFound, InvalidFlowLogIdMalformed, Some("vpc-flow-log"), "flow log" };
                network_insights_paths: crate::types::ec2::NetworkInsightsPath => "network_insights_path" [not_network] { NETWORK_INSIGHTS_PATH = "nip", "NetworkInsightsPath", InvalidNetworkInsightsPathIdNotFound, InvalidNetworkInsightsPathIdMalformed, Some("network-insights-path"), "network insights path" };
                network_insights_analyses: crate::types::ec2::NetworkInsightsAnalysis => "network_insights_analysis" [not_network] { NETWORK_INSIGHTS_ANALYSIS = "nia", "NetworkInsightsAnalysis", InvalidNetworkInsightsAnalysisIdNotFound, InvalidNetworkInsightsAnalysisIdMalformed, Some("network-insights-analysis"), "network insights analysis" };
                network_insights_access_scopes: crate::types::ec2::access_scope::AccessScope => "network_insights_access_scope" [not_network] { NETWORK_INSIGHTS_ACCESS_SCOPE = "nis", "NetworkInsightsAccessScope", InvalidNetworkInsightsAccessScopeIdNotFound, InvalidNetworkInsightsAccessScopeIdMalformed, Some("network-insights-access-scope"), "Network Access Scope" };
                network_insights_access_scope_analyses: crate::types::ec2::access_scope::AccessScopeAnalysis => "network_insights_access_scope_analysis" [not_network] { NETWORK_INSIGHTS_ACCESS_SCOPE_ANALYSIS = "nisa", "NetworkInsightsAccessScopeAnalysis", InvalidNetworkInsightsAccessScopeAnalysisIdNotFound, InvalidNetworkInsightsAccessScopeAnalysisIdMalformed, Some("network-insights-access-scope-analysis"), "Network Access Scope analysis" };
                nat_gateways: crate::types::ec2::NatGateway => "nat_gateway" { NAT_GATEWAY = "nat", "natGateway", InvalidNatGatewayIDNotFound, InvalidNatGatewayIDNotFound, Some("natgateway"), "NAT gateway" };
                vpc_peering_connections: crate::types::ec2::peering::VpcPeeringConnection => "vpc_peering_connection" { VPC_PEERING_CONNECTION = "pcx", "vpcPeeringConnection", InvalidVpcPeeringConnectionIDNotFound, InvalidVpcPeeringConnectionIdMalformed, Some("vpc-peering-connection"), "peering connection" };
                prefix_lists: crate::types::ec2::prefix_list::CustomerPrefixList => "prefix_list" { PREFIX_LIST = "pl", "prefix list", InvalidPrefixListIDNotFound, InvalidPrefixListIdMalformed, Some("prefix-list"), "prefix list" };
                vpc_endpoints: crate::types::ec2::vpc_endpoint::VpcEndpoint => "vpc_endpoint" { VPC_ENDPOINT = "vpce", "vpcEndpoint", InvalidVpcEndpointIdNotFound, InvalidVpcEndpointIdMalformed, Some("vpc-endpoint"), "VPC endpoint" };
                vpn_gateways: crate::types::ec2::vpn::VpnGateway => "vpn_gateway" { VPN_GATEWAY = "vgw", "vpnGateway", InvalidVpnGatewayIDNotFound, InvalidVpnGatewayIDNotFound, Some("vpn-gateway"), "virtual private gateway" };
                customer_gateways: crate::types::ec2::vpn::CustomerGateway => "customer_gateway" { CUSTOMER_GATEWAY = "cgw", "customerGateway", InvalidCustomerGatewayIDNotFound, InvalidCustomerGatewayIdMalformed, Some("customer-gateway"), "customer gateway" };
                vpn_connections: crate::types::ec2::vpn::VpnConnection => "vpn_connection" { VPN_CONNECTION = "vpn", "vpnConnection", InvalidVpnConnectionIDNotFound, InvalidVpnConnectionIDNotFound, Some("vpn-connection"), "VPN connection" };
                dx_connections: crate::types::direct_connect::DxConnection => "dx_connection";
                dx_lags: crate::types::direct_connect::DxLag => "dx_lag";
                dx_virtual_interfaces: crate::types::direct_connect::VirtualInterface => "dx_virtual_interface";
                dx_gateways: crate::types::direct_connect::DxGateway => "dx_gateway";
                transit_gateways: crate::types::ec2::transit_gateway::TransitGateway => "transit_gateway" { TRANSIT_GATEWAY = "tgw", "transitGateway", InvalidTransitGatewayIDNotFound, InvalidTransitGatewayIDMalformed, Some("transit-gateway"), "transit gateway" };
                transit_gateway_attachments: crate::types::ec2::transit_gateway::TgwAttachment => "transit_gateway_attachment" { TRANSIT_GATEWAY_ATTACHMENT = "tgw-attach", "transitGatewayAttachment", InvalidTransitGatewayAttachmentIDNotFound, InvalidTransitGatewayAttachmentIDMalformed, Some("transit-gateway-attachment"), "transit gateway attachment" };
                transit_gateway_route_tables: crate::types::ec2::transit_gateway::TgwRouteTable => "transit_gateway_route_table" { TRANSIT_GATEWAY_ROUTE_TABLE = "tgw-rtb", "transitGatewayRouteTable", InvalidRouteTableIDNotFound, InvalidRouteTableIdMalformed, Some("transit-gateway-route-table"), "transit gateway route table" };
                client_vpn_endpoints: crate::types::ec2::client_vpn::ClientVpnEndpoint => "client_vpn_endpoint" { CLIENT_VPN_ENDPOINT = "cvpn-endpoint", "Client VPN endpoint", InvalidClientVpnEndpointIdNotFound, InvalidClientVpnEndpointIdNotFound, Some("client-vpn-endpoint"), "Client VPN endpoint" };
                traffic_mirror_targets: crate::types::ec2::traffic_mirror::TrafficMirrorTarget => "traffic_mirror_target" { TRAFFIC_MIRROR_TARGET = "tmt", "traffic mirror target", InvalidTrafficMirrorTargetIdNotFound, InvalidTrafficMirrorTargetIdNotFound, Some("traffic-mirror-target"), "traffic mirror target", missing "The traffic mirror target ID '{id}' does not exist." };
                traffic_mirror_filters: crate::types::ec2::traffic_mirror::TrafficMirrorFilter => "traffic_mirror_filter" { TRAFFIC_MIRROR_FILTER = "tmf", "traffic mirror filter", InvalidTrafficMirrorFilterIdNotFound, InvalidTrafficMirrorFilterIdNotFound, Some("traffic-mirror-filter"), "traffic mirror filter", missing "The traffic mirror filter ID '{id}' does not exist." };
                traffic_mirror_sessions: crate::types::ec2::traffic_mirror::TrafficMirrorSession => "traffic_mirror_session" { TRAFFIC_MIRROR_SESSION = "tms", "traffic mirror session", InvalidTrafficMirrorSessionIdNotFound, InvalidTrafficMirrorSessionIdNotFound, Some("traffic-mirror-session"), "traffic mirror session", missing "The traffic mirror session ID '{id}' does not exist." };
                load_balancers: crate::types::elbv2::load_balancer::LoadBalancer => "load_balancer";
                target_groups: crate::types::elbv2::target_group::TargetGroup => "target_group";
                listeners: crate::types::elbv2::listener::Listener => "listener";
                listener_rules: crate::types::elbv2::listener::Rule => "listener_rule";
                vpc_endpoint_services: crate::types::ec2::endpoint_service::EndpointService => "vpc_endpoint_service" { VPC_ENDPOINT_SERVICE = "vpce-svc", "VpcEndpointService", InvalidVpcEndpointServiceIdNotFound, InvalidVpcEndpointServiceIdMalformed, Some("vpc-endpoint-service"), "VPC endpoint service" };
                r53r_endpoints: crate::types::route53_resolver::ResolverEndpoint => "r53r_endpoint" [not_network];
                r53r_rules: crate::types::route53_resolver::ResolverRule => "r53r_rule" [not_network];
                r53r_rule_associations: crate::types::route53_resolver::RuleAssociation => "r53r_rule_association" [not_network];
            }
            global {
                dx_gateway_associations: crate::types::direct_connect::DxGatewayAssociation => "dx_gateway_association";
                scopes: crate::scope::ScopeState => "scope";
                counters: u64 => "counter" [not_network];
                r53_hosted_zones: crate::types::route53::zone::HostedZone => "r53_hosted_zone" [not_network];
                r53_record_sets: crate::types::route53::record::RecordSet => "r53_record_set" [not_network];
                r53_changes: crate::types::route53::Change => "r53_change" [not_network];
                r53_health_checks: crate::types::route53::health_check::HealthCheck => "r53_health_check" [not_network];
                r53_delegation_sets: crate::types::route53::delegation_set::DelegationSet => "r53_delegation_set" [not_network];
                r53_query_logging_configs: crate::types::route53::query_logging::QueryLoggingConfig => "r53_query_logging_config" [not_network];
                r53_cidr_collections: crate::types::route53::cidr_collection::CidrCollection => "r53_cidr_collection" [not_network];
            }
            untabled {
                { SECURITY_GROUP_RULE = "sgr", "security group rule", InvalidSecurityGroupRuleIdNotFound, InvalidSecurityGroupRuleIdMalformed, Some("security-group-rule"), "security group rule" };
                { LOCAL_GATEWAY = "lgw", "localGateway", InvalidLocalGatewayIDNotFound, InvalidLocalGatewayIDMalformed, Some("local-gateway"), "local gateway" };
                { CARRIER_GATEWAY = "cagw", "carrierGateway", InvalidCarrierGatewayIDNotFound, InvalidCarrierGatewayIDNotFound, Some("carrier-gateway"), "carrier gateway" };
                { TRAFFIC_MIRROR_FILTER_RULE = "tmfr", "traffic mirror filter rule", InvalidTrafficMirrorFilterRuleIdNotFound, InvalidTrafficMirrorFilterRuleIdNotFound, Some("traffic-mirror-filter-rule"), "traffic mirror filter rule", missing "The traffic mirror filter rule ID '{id}' does not exist." };
            }
        }
    };
}
pub(crate) use with_every_resource;

/// Splits [`with_every_resource`]'s list for a consumer: every table, the owned rows' types, the
/// kinds that have a table (tagged by id), and every kind.
macro_rules! split_resources {
    ($consumer:ident;
        owned { $($of:ident: $oty:ty => $ostore:literal $([$onn:ident])? $({ $kname:ident = $($kdef:tt)* })?;)* }
        global { $($gf:ident: $gty:ty => $gstore:literal $([$gnn:ident])?;)* }
        untabled { $({ $uname:ident = $($udef:tt)* };)* }
    ) => {
        $consumer! {
            tables { $($of: $oty => $ostore $([$onn])?;)* $($gf: $gty => $gstore $([$gnn])?;)* }
            owned { $($oty;)* }
            tagged { $($($kname => $of: $oty;)?)* }
            kinds { $($({ $kname = $($kdef)* })?)* $({ $uname = $($udef)* })* }
        }
    };
}
pub(crate) use split_resources;

/// One kind of EC2 resource id: how its ids look, how AWS reports one missing or malformed,
/// the resource type its ARN and tag specifications name, and what a person calls it. The
/// registry of kinds is [`KINDS`]; [`by_prefix`] finds one from an id's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    pub prefix: &'static str,
    pub not_found: Ec2,
    pub malformed: Ec2,
    /// AWS's NotFound message, `{id}` standing for the id.
    pub missing: &'static str,
    /// The resource type in its ARN (`arn:aws:ec2:…:<type>/<id>`), tag specifications and
    /// DescribeTags; `None` for kinds AWS gives no ARN.
    pub resource_type: Option<&'static str>,
    /// What a person calls it (explanations, `vpclab trace`).
    pub label: &'static str,
}

macro_rules! kinds {
    (tables { $($t:tt)* } owned { $($o:tt)* } tagged { $($g:tt)* }
     kinds { $({ $name:ident = $prefix:literal, $noun:literal, $nf:ident, $mal:ident, $rt:expr, $label:literal $(, missing $missing:literal)? })* }) => {
        $(pub const $name: Kind = Kind {
            prefix: $prefix,
            not_found: Ec2::$nf,
            malformed: Ec2::$mal,
            missing: kinds!(@missing $noun $(, $missing)?),
            resource_type: $rt,
            label: $label,
        };)*

        /// Every kind of EC2 resource id vpclab knows.
        pub const KINDS: &[&Kind] = &[$(&$name),*];

        /// The kind of ids with this prefix (`vpc` of `vpc-0abc…`).
        pub fn by_prefix(prefix: &str) -> Option<&'static Kind> {
            match prefix {
                $($prefix => Some(&$name),)*
                _ => None,
            }
        }
    };
    (@missing $noun:literal) => { concat!("The ", $noun, " ID '{id}' does not exist") };
    (@missing $noun:literal, $missing:literal) => { $missing };
}

with_every_resource!(kinds);

impl Kind {
    /// Whether `id` is an id of this kind (`vpc-0abc…` of [`VPC`]).
    pub fn names(&self, id: &str) -> bool {
        crate::ids::prefix_of(id) == self.prefix
    }

    pub fn not_found(&self, id: &str) -> Error {
        Error::new(self.not_found, self.missing.replace("{id}", id))
    }

    /// Malformed when the id cannot be of this kind at all. Endpoint ids get the text AWS
    /// answers for them (quoted in terraform-aws-modules/terraform-aws-vpc#312).
    pub fn check_format(&self, id: &str) -> Result<()> {
        if crate::ids::is_well_formed(self.prefix, id) {
            Ok(())
        } else if self.prefix == "vpce" {
            Err(Error::new(
                self.malformed,
                format!(
                    "Invalid Id: '{id}' (expecting '{}-...; the Id may only contain lowercase \
                     alphanumeric characters and a single dash')",
                    self.prefix
                ),
            ))
        } else {
            Err(Error::malformed(self.malformed, self.prefix, id))
        }
    }
}

/// The kind of an id (`VPC` of `vpc-0abc…`): what code reading an id dispatches on, so a
/// kind's prefix is written once, in the registry. Match it against the kinds
/// (`Some(&kinds::VPC)`).
pub fn of(id: &str) -> Option<&'static Kind> {
    by_prefix(crate::ids::prefix_of(id))
}

/// The resource type an EC2 ARN names for ids of this prefix (`arn:…:<type>/<id>`), from the
/// registry of kinds.
pub fn arn_resource_type(prefix: &str) -> Option<&'static str> {
    by_prefix(prefix).and_then(|k| k.resource_type)
}

/// The id an EC2 ARN names (`arn:aws:ec2:us-east-1:123456789012:instance/i-0abc…` →
/// (region, account, `i-0abc…`)); `None` when `text` is not such an ARN.
pub fn parse_ec2_arn(text: &str) -> Option<(&str, &str, &str)> {
    let rest = text.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let (_partition, service) = (parts.next()?, parts.next()?);
    let (region, account, resource) = (parts.next()?, parts.next()?, parts.next()?);
    if service != "ec2" {
        return None;
    }
    let (kind, id) = resource.split_once('/')?;
    (arn_resource_type(crate::ids::prefix_of(id)) == Some(kind)).then_some((region, account, id))
}

/// AWS's answer for a NAT gateway id that names none (Describe, Delete).
pub fn nat_gateway_not_found(id: &str) -> Error {
    Error::new(Ec2::NatGatewayNotFound, format!("The Nat Gateway {id} was not found"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_name_ids() {
        let arn = "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0";
        assert_eq!(parse_ec2_arn(arn), Some(("us-east-1", "123456789012", "i-0123456789abcdef0")));
        assert_eq!(parse_ec2_arn("arn:aws:ec2:us-east-1:1:vpc/i-0123"), None);
        assert_eq!(parse_ec2_arn("i-0123"), None);
        assert_eq!(arn_resource_type("eni"), Some("network-interface"));
    }
}
