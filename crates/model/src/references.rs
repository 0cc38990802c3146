//! References between rows, checked when the world is loaded from the store.
//!
//! A resource that names another by id (a subnet its VPC, an interface its subnet, a listener
//! its load balancer…) says so by implementing [`References`]; [`World::dangling_references`]
//! walks every table and reports each reference that leads to no row. The model keeps these
//! references whole as it changes (a VPC with subnets cannot be deleted, deleting a subnet
//! drops its associations…), so a dangling one means the stored rows were damaged or edited —
//! and serving them would show orphans AWS never shows.
//!
//! Only references the model keeps whole are listed: a route whose target is gone is a
//! blackhole, a security group rule may name a group of another account, a Reachability
//! Analyzer path outlives what it names, a terminated instance or a deleted NAT gateway stays
//! listed after its interface is gone — none of those is damage.
//!
//! [`World::dangling_references`]: crate::World::dangling_references

use std::fmt;

/// One reference from a row to another: the other row's kind (a table of [`crate::World`])
/// and id, and the field that holds it, as AWS names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference<'a> {
    pub kind: &'static str,
    pub id: &'a str,
    pub field: &'static str,
}

impl<'a> Reference<'a> {
    pub fn new(kind: &'static str, id: &'a str, field: &'static str) -> Self {
        Reference { kind, id, field }
    }
}

/// A resource's references to other rows, which must exist for the world to be whole.
pub trait References {
    /// Calls `each` with every row this one refers to.
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>));
}

/// A reference that leads to no row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DanglingReference {
    /// The row that refers.
    pub kind: &'static str,
    pub id: String,
    /// Its field that holds the reference.
    pub field: &'static str,
    /// The row it refers to, which does not exist.
    pub to_kind: &'static str,
    pub to_id: String,
}

impl fmt::Display for DanglingReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} row {} refers to {} {} ({}), which is not stored",
            self.kind, self.id, self.to_kind, self.to_id, self.field
        )
    }
}

/// Kinds that refer to no other row the model keeps whole (see the module's text for why
/// some references are not checked).
macro_rules! no_references {
    ($($ty:ty),* $(,)?) => {
        $(impl References for $ty {
            fn references<'a>(&'a self, _: &mut dyn FnMut(Reference<'a>)) {}
        })*
    };
}

no_references!(
    u64,
    // Its default VPC and DHCP options may be deleted by the user.
    crate::scope::ScopeState,
    crate::types::ec2::DhcpOptions,
    crate::types::ec2::NetworkInsightsPath,
    crate::types::ec2::NetworkInsightsAnalysis,
    // Peerings and VPN connections stay listed (`deleted`) after what they joined is gone.
    crate::types::ec2::peering::VpcPeeringConnection,
    crate::types::ec2::prefix_list::CustomerPrefixList,
    crate::types::ec2::vpn::VpnGateway,
    crate::types::ec2::vpn::CustomerGateway,
    crate::types::ec2::vpn::VpnConnection,
    crate::types::direct_connect::DxConnection,
    crate::types::direct_connect::DxLag,
    crate::types::direct_connect::DxGateway,
    // Deleted transit gateways stay listed for a while, then go with their attachments.
    crate::types::ec2::transit_gateway::TransitGateway,
    crate::types::ec2::transit_gateway::TgwAttachment,
    crate::types::ec2::transit_gateway::TgwRouteTable,
    // The VPC a Client VPN endpoint or a target group names may be deleted before it.
    crate::types::ec2::client_vpn::ClientVpnEndpoint,
    crate::types::elbv2::target_group::TargetGroup,
    // A virtual interface rides on a connection or a LAG, kept by Direct Connect's own rules.
    crate::types::direct_connect::VirtualInterface,
    crate::types::ec2::traffic_mirror::TrafficMirrorTarget,
    crate::types::ec2::traffic_mirror::TrafficMirrorFilter,
    crate::types::route53::Change,
    crate::types::route53::health_check::HealthCheck,
    crate::types::route53::delegation_set::DelegationSet,
    crate::types::route53::cidr_collection::CidrCollection,
);

impl References for crate::types::route53::record::RecordSet {
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        each(Reference::new("r53_hosted_zone", &self.zone_id, "HostedZoneId"));
        if let Some(check) = &self.health_check_id {
            each(Reference::new("r53_health_check", check, "HealthCheckId"));
        }
    }
}
