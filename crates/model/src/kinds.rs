//! The registry of EC2 resource kinds: per id prefix, the NotFound and Malformed codes, the
//! ARN and tag resource type and what a person calls it. One line per kind.

use crate::error::{Error, Result};

/// One kind of EC2 resource id: how its ids look, how AWS reports one missing or malformed,
/// the resource type its ARN and tag specifications name, and what a person calls it. The
/// registry of kinds is [`KINDS`]; [`by_prefix`] finds one from an id's prefix.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    pub prefix: &'static str,
    pub not_found: &'static str,
    pub malformed: &'static str,
    /// AWS's NotFound message, `{id}` standing for the id.
    pub missing: &'static str,
    /// The resource type in its ARN (`arn:aws:ec2:…:<type>/<id>`), tag specifications and
    /// DescribeTags; `None` for kinds AWS gives no ARN.
    pub resource_type: Option<&'static str>,
    /// What a person calls it (explanations, `vpclab trace`).
    pub label: &'static str,
}

macro_rules! kinds {
    ($($name:ident = $prefix:literal, $noun:literal, $nf:literal, $mal:literal, $rt:expr, $label:literal $(, missing $missing:literal)?;)*) => {
        $(pub const $name: Kind = Kind {
            prefix: $prefix,
            not_found: $nf,
            malformed: $mal,
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

kinds! {
    VPC = "vpc", "vpc", "InvalidVpcID.NotFound", "InvalidVpcID.Malformed", Some("vpc"), "VPC";
    SUBNET = "subnet", "subnet", "InvalidSubnetID.NotFound", "InvalidSubnetID.Malformed", Some("subnet"), "subnet";
    ROUTE_TABLE = "rtb", "route table", "InvalidRouteTableID.NotFound", "InvalidRouteTableId.Malformed", Some("route-table"), "route table";
    INTERNET_GATEWAY = "igw", "internet gateway", "InvalidInternetGatewayID.NotFound", "InvalidInternetGatewayId.Malformed", Some("internet-gateway"), "internet gateway";
    EGRESS_ONLY_INTERNET_GATEWAY = "eigw", "egress-only internet gateway", "InvalidGatewayID.NotFound", "InvalidEgressOnlyInternetGatewayId.Malformed", Some("egress-only-internet-gateway"), "egress-only internet gateway";
    ADDRESS = "eipalloc", "allocation", "InvalidAllocationID.NotFound", "InvalidAllocationID.Malformed", Some("elastic-ip"), "Elastic IP address";
    NETWORK_INTERFACE = "eni", "network interface", "InvalidNetworkInterfaceID.NotFound", "InvalidNetworkInterfaceId.Malformed", Some("network-interface"), "network interface";
    INSTANCE = "i", "instance", "InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed", Some("instance"), "instance";
    VOLUME = "vol", "volume", "InvalidVolume.NotFound", "InvalidVolumeID.Malformed", Some("volume"), "volume";
    SECURITY_GROUP = "sg", "security group", "InvalidGroup.NotFound", "InvalidGroupId.Malformed", Some("security-group"), "security group";
    SECURITY_GROUP_RULE = "sgr", "security group rule", "InvalidSecurityGroupRuleId.NotFound", "InvalidSecurityGroupRuleId.Malformed", Some("security-group-rule"), "security group rule";
    NETWORK_ACL = "acl", "network ACL", "InvalidNetworkAclID.NotFound", "InvalidNetworkAclId.Malformed", Some("network-acl"), "network ACL";
    DHCP_OPTIONS = "dopt", "DHCP options", "InvalidDhcpOptionID.NotFound", "InvalidDhcpOptionsId.Malformed", Some("dhcp-options"), "DHCP options";
    FLOW_LOG = "fl", "flow log", "InvalidFlowLogId.NotFound", "InvalidFlowLogId.Malformed", Some("vpc-flow-log"), "flow log";
    NETWORK_INSIGHTS_PATH = "nip", "NetworkInsightsPath", "InvalidNetworkInsightsPathId.NotFound", "InvalidNetworkInsightsPathId.Malformed", Some("network-insights-path"), "network insights path";
    NETWORK_INSIGHTS_ANALYSIS = "nia", "NetworkInsightsAnalysis", "InvalidNetworkInsightsAnalysisId.NotFound", "InvalidNetworkInsightsAnalysisId.Malformed", Some("network-insights-analysis"), "network insights analysis";
    PREFIX_LIST = "pl", "prefix list", "InvalidPrefixListID.NotFound", "InvalidPrefixListId.Malformed", Some("prefix-list"), "prefix list";
    CUSTOMER_GATEWAY = "cgw", "customerGateway", "InvalidCustomerGatewayID.NotFound", "InvalidCustomerGatewayId.Malformed", Some("customer-gateway"), "customer gateway";
    // AWS calls a malformed NAT gateway, carrier gateway, VPN gateway or VPN connection id not
    // found rather than malformed, so those kinds give the NotFound code for both.
    VPN_CONNECTION = "vpn", "vpnConnection", "InvalidVpnConnectionID.NotFound", "InvalidVpnConnectionID.NotFound", Some("vpn-connection"), "VPN connection";
    NAT_GATEWAY = "nat", "natGateway", "InvalidNatGatewayID.NotFound", "InvalidNatGatewayID.NotFound", Some("natgateway"), "NAT gateway";
    VPC_PEERING_CONNECTION = "pcx", "vpcPeeringConnection", "InvalidVpcPeeringConnectionID.NotFound", "InvalidVpcPeeringConnectionId.Malformed", Some("vpc-peering-connection"), "peering connection";
    TRANSIT_GATEWAY = "tgw", "transitGateway", "InvalidTransitGatewayID.NotFound", "InvalidTransitGatewayID.Malformed", Some("transit-gateway"), "transit gateway";
    LOCAL_GATEWAY = "lgw", "localGateway", "InvalidLocalGatewayID.NotFound", "InvalidLocalGatewayID.Malformed", Some("local-gateway"), "local gateway";
    CARRIER_GATEWAY = "cagw", "carrierGateway", "InvalidCarrierGatewayID.NotFound", "InvalidCarrierGatewayID.NotFound", Some("carrier-gateway"), "carrier gateway";
    VPC_ENDPOINT = "vpce", "vpcEndpoint", "InvalidVpcEndpointId.NotFound", "InvalidVpcEndpointId.Malformed", Some("vpc-endpoint"), "VPC endpoint";
    VPN_GATEWAY = "vgw", "vpnGateway", "InvalidVpnGatewayID.NotFound", "InvalidVpnGatewayID.NotFound", Some("vpn-gateway"), "virtual private gateway";
    TRANSIT_GATEWAY_ATTACHMENT = "tgw-attach", "transitGatewayAttachment", "InvalidTransitGatewayAttachmentID.NotFound", "InvalidTransitGatewayAttachmentID.Malformed", Some("transit-gateway-attachment"), "transit gateway attachment";
    VPC_ENDPOINT_SERVICE = "vpce-svc", "VpcEndpointService", "InvalidVpcEndpointServiceId.NotFound", "InvalidVpcEndpointServiceId.Malformed", Some("vpc-endpoint-service"), "VPC endpoint service";
    TRANSIT_GATEWAY_ROUTE_TABLE = "tgw-rtb", "transitGatewayRouteTable", "InvalidRouteTableID.NotFound", "InvalidRouteTableId.Malformed", Some("transit-gateway-route-table"), "transit gateway route table";
    CLIENT_VPN_ENDPOINT = "cvpn-endpoint", "Client VPN endpoint", "InvalidClientVpnEndpointId.NotFound", "InvalidClientVpnEndpointId.NotFound", Some("client-vpn-endpoint"), "Client VPN endpoint";
    TRAFFIC_MIRROR_TARGET = "tmt", "traffic mirror target", "InvalidTrafficMirrorTargetId.NotFound", "InvalidTrafficMirrorTargetId.NotFound", Some("traffic-mirror-target"), "traffic mirror target", missing "The traffic mirror target ID '{id}' does not exist.";
    TRAFFIC_MIRROR_FILTER = "tmf", "traffic mirror filter", "InvalidTrafficMirrorFilterId.NotFound", "InvalidTrafficMirrorFilterId.NotFound", Some("traffic-mirror-filter"), "traffic mirror filter", missing "The traffic mirror filter ID '{id}' does not exist.";
    TRAFFIC_MIRROR_FILTER_RULE = "tmfr", "traffic mirror filter rule", "InvalidTrafficMirrorFilterRuleId.NotFound", "InvalidTrafficMirrorFilterRuleId.NotFound", Some("traffic-mirror-filter-rule"), "traffic mirror filter rule", missing "The traffic mirror filter rule ID '{id}' does not exist.";
    TRAFFIC_MIRROR_SESSION = "tms", "traffic mirror session", "InvalidTrafficMirrorSessionId.NotFound", "InvalidTrafficMirrorSessionId.NotFound", Some("traffic-mirror-session"), "traffic mirror session", missing "The traffic mirror session ID '{id}' does not exist.";
}

impl Kind {
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
    Error::new("NatGatewayNotFound", format!("The Nat Gateway {id} was not found"))
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
