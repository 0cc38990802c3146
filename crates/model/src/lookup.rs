//! Finding a resource by id within a scope, with AWS's Malformed and NotFound errors.

use crate::error::{Error, Result};
use crate::resources::*;
use crate::table::Table;
use crate::world::Scope;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// How ids of one kind look and how AWS reports them missing or malformed.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    pub prefix: &'static str,
    pub noun: &'static str,
    pub not_found: &'static str,
    pub malformed: &'static str,
}

macro_rules! kinds {
    ($($name:ident = $prefix:literal, $noun:literal, $nf:literal, $mal:literal;)*) => {
        $(pub const $name: Kind = Kind { prefix: $prefix, noun: $noun, not_found: $nf, malformed: $mal };)*
    };
}

kinds! {
    VPC = "vpc", "vpc", "InvalidVpcID.NotFound", "InvalidVpcID.Malformed";
    SUBNET = "subnet", "subnet", "InvalidSubnetID.NotFound", "InvalidSubnetID.Malformed";
    ROUTE_TABLE = "rtb", "route table", "InvalidRouteTableID.NotFound", "InvalidRouteTableId.Malformed";
    INTERNET_GATEWAY = "igw", "internet gateway", "InvalidInternetGatewayID.NotFound", "InvalidInternetGatewayId.Malformed";
    EGRESS_ONLY_INTERNET_GATEWAY = "eigw", "egress-only internet gateway", "InvalidGatewayID.NotFound", "InvalidEgressOnlyInternetGatewayId.Malformed";
    ADDRESS = "eipalloc", "allocation", "InvalidAllocationID.NotFound", "InvalidAllocationID.Malformed";
    NETWORK_INTERFACE = "eni", "network interface", "InvalidNetworkInterfaceID.NotFound", "InvalidNetworkInterfaceId.Malformed";
    INSTANCE = "i", "instance", "InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed";
    VOLUME = "vol", "volume", "InvalidVolume.NotFound", "InvalidVolumeID.Malformed";
    SECURITY_GROUP = "sg", "security group", "InvalidGroup.NotFound", "InvalidGroupId.Malformed";
    NETWORK_ACL = "acl", "network ACL", "InvalidNetworkAclID.NotFound", "InvalidNetworkAclId.Malformed";
    DHCP_OPTIONS = "dopt", "DHCP options", "InvalidDhcpOptionID.NotFound", "InvalidDhcpOptionsId.Malformed";
    FLOW_LOG = "fl", "flow log", "InvalidFlowLogId.NotFound", "InvalidFlowLogId.Malformed";
    NETWORK_INSIGHTS_PATH = "nip", "NetworkInsightsPath", "InvalidNetworkInsightsPathId.NotFound", "InvalidNetworkInsightsPathId.Malformed";
    NETWORK_INSIGHTS_ANALYSIS = "nia", "NetworkInsightsAnalysis", "InvalidNetworkInsightsAnalysisId.NotFound", "InvalidNetworkInsightsAnalysisId.Malformed";
    PREFIX_LIST = "pl", "prefix list", "InvalidPrefixListID.NotFound", "InvalidPrefixListId.Malformed";
    CUSTOMER_GATEWAY = "cgw", "customerGateway", "InvalidCustomerGatewayID.NotFound", "InvalidCustomerGatewayId.Malformed";
    VPN_CONNECTION = "vpn", "vpnConnection", "InvalidVpnConnectionID.NotFound", "InvalidVpnConnectionID.NotFound";
    // AWS calls a malformed NAT gateway, carrier gateway, VPN gateway or VPN connection id not
    // found rather than malformed, so those kinds give the NotFound code for both.
    NAT_GATEWAY = "nat", "natGateway", "InvalidNatGatewayID.NotFound", "InvalidNatGatewayID.NotFound";
    VPC_PEERING_CONNECTION = "pcx", "vpcPeeringConnection", "InvalidVpcPeeringConnectionID.NotFound", "InvalidVpcPeeringConnectionId.Malformed";
    TRANSIT_GATEWAY = "tgw", "transitGateway", "InvalidTransitGatewayID.NotFound", "InvalidTransitGatewayID.Malformed";
    LOCAL_GATEWAY = "lgw", "localGateway", "InvalidLocalGatewayID.NotFound", "InvalidLocalGatewayID.Malformed";
    CARRIER_GATEWAY = "cagw", "carrierGateway", "InvalidCarrierGatewayID.NotFound", "InvalidCarrierGatewayID.NotFound";
    VPC_ENDPOINT = "vpce", "vpcEndpoint", "InvalidVpcEndpointId.NotFound", "InvalidVpcEndpointId.Malformed";
    VPN_GATEWAY = "vgw", "vpnGateway", "InvalidVpnGatewayID.NotFound", "InvalidVpnGatewayID.NotFound";
    TRANSIT_GATEWAY_ATTACHMENT = "tgw-attach", "transitGatewayAttachment", "InvalidTransitGatewayAttachmentID.NotFound", "InvalidTransitGatewayAttachmentID.Malformed";
    VPC_ENDPOINT_SERVICE = "vpce-svc", "VpcEndpointService", "InvalidVpcEndpointServiceId.NotFound", "InvalidVpcEndpointServiceId.Malformed";
    TRANSIT_GATEWAY_ROUTE_TABLE = "tgw-rtb", "transitGatewayRouteTable", "InvalidRouteTableID.NotFound", "InvalidRouteTableId.Malformed";
}

impl Kind {
    pub fn not_found(&self, id: &str) -> Error {
        Error::not_found(self.not_found, self.noun, id)
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
            Err(Error::new(
                self.malformed,
                format!("Invalid id: \"{id}\" (expecting \"{}-...\")", self.prefix),
            ))
        }
    }
}

/// A resource that belongs to one account and region.
pub trait Owned {
    fn owner(&self) -> &Scope;
}

macro_rules! owned {
    ($($t:ty),*) => {$(
        impl Owned for $t {
            fn owner(&self) -> &Scope {
                &self.owner
            }
        }
    )*};
}
owned!(
    Vpc,
    Subnet,
    RouteTable,
    InternetGateway,
    EgressOnlyInternetGateway,
    Address,
    NetworkInterface,
    Instance,
    Volume,
    SecurityGroup,
    NetworkAcl,
    DhcpOptions,
    crate::flow_log::FlowLog,
    NetworkInsightsPath,
    NetworkInsightsAnalysis,
    NatGateway,
    crate::peering::VpcPeeringConnection,
    crate::prefix_list::CustomerPrefixList,
    crate::vpc_endpoint::VpcEndpoint,
    crate::vpn::VpnGateway,
    crate::vpn::CustomerGateway,
    crate::vpn::VpnConnection,
    crate::transit_gateway::TransitGateway,
    crate::transit_gateway::TgwAttachment,
    crate::transit_gateway::TgwRouteTable,
    crate::client_vpn::ClientVpnEndpoint,
    crate::traffic_mirror::TrafficMirrorTarget,
    crate::traffic_mirror::TrafficMirrorFilter,
    crate::traffic_mirror::TrafficMirrorSession,
    crate::load_balancer::LoadBalancer,
    crate::target_group::TargetGroup,
    crate::listener::Listener,
    crate::listener::Rule,
    crate::endpoint_service::EndpointService
);

impl<T: Owned + Clone + Serialize + DeserializeOwned> Table<T> {
    /// The resource `id` of `scope`, or AWS's Malformed / NotFound error.
    pub fn find(&self, kind: &Kind, scope: &Scope, id: &str) -> Result<&T> {
        kind.check_format(id)?;
        self.get(id).filter(|r| r.owner() == scope).ok_or_else(|| kind.not_found(id))
    }

    /// As [`Table::find`], for writing.
    pub fn find_mut(&mut self, kind: &Kind, scope: &Scope, id: &str) -> Result<&mut T> {
        kind.check_format(id)?;
        if self.get(id).is_none_or(|r| r.owner() != scope) {
            return Err(kind.not_found(id));
        }
        self.get_mut(id).ok_or_else(|| kind.not_found(id))
    }

    /// Every resource of `scope`, in id order.
    pub fn in_scope<'a>(&'a self, scope: &'a Scope) -> impl Iterator<Item = &'a T> + 'a {
        self.values().filter(move |r| r.owner() == scope)
    }

    /// Whether `scope` holds `quota` resources or more: a quota check that stops counting at the
    /// quota, and does not count at all when quotas are raised (so bulk creation stays linear).
    pub fn reaches(&self, scope: &Scope, quota: usize) -> bool {
        quota < crate::world::Quotas::UNLIMITED && self.in_scope(scope).take(quota).count() >= quota
    }
}
