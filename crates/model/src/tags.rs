//! Tags of any resource, found by id (CreateTags, DeleteTags, DescribeTags).

use crate::error::{Error, Result};
use crate::resources::Tags;
use crate::world::{Scope, World};

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

/// AWS's limits: 50 tags a resource, keys up to 128 characters, values up to 256.
pub const MAX_TAGS: usize = 50;
pub const MAX_KEY_LEN: usize = 128;
pub const MAX_VALUE_LEN: usize = 256;

macro_rules! tagged {
    ($($prefix:literal => $table:ident, $kind:literal, $owner:ident);* $(;)?) => {
        impl World {
            /// The resource type (as DescribeTags names it), scope and tags of any taggable id.
            pub fn tags_of(&self, id: &str) -> Option<(&'static str, &Scope, &Tags)> {
                match crate::ids::prefix_of(id) {
                    $($prefix => self.$table.get(id).map(|r| ($kind, &r.$owner, &r.tags)),)*
                    "sgr" => self.security_groups.values().find_map(|g| {
                        g.ingress.iter().chain(g.egress.iter()).find(|r| r.id == id)
                            .map(|r| ("security-group-rule", &g.owner, &r.tags))
                    }),
                    _ => None,
                }
            }

            /// The tags of any taggable id, for writing.
            pub fn tags_mut(&mut self, id: &str) -> Option<&mut Tags> {
                match crate::ids::prefix_of(id) {
                    $($prefix => self.$table.get_mut(id).map(|r| &mut r.tags),)*
                    "sgr" => {
                        let group = self.security_groups.ids_where(|g| {
                            g.ingress.iter().chain(g.egress.iter()).any(|r| r.id == id)
                        });
                        let g = self.security_groups.get_mut(group.first()?)?;
                        g.ingress.iter_mut().chain(g.egress.iter_mut())
                            .find(|r| r.id == id)
                            .map(|r| &mut r.tags)
                    }
                    _ => None,
                }
            }

            /// Every (resource id, resource type, tags) in a scope.
            pub fn tagged_resources(&self, scope: &Scope) -> Vec<(String, &'static str, &Tags)> {
                let mut out = Vec::new();
                $(for r in self.$table.values().filter(|r| &r.$owner == scope) {
                    out.push((tagged!(@id r, $table), $kind, &r.tags));
                })*
                for p in self.vpc_peering_connections.values() {
                    if &p.accepter == scope && &p.owner != scope {
                        out.push((p.id.clone(), "vpc-peering-connection", &p.accepter_tags));
                    }
                }
                for a in self.transit_gateway_attachments.values() {
                    if let crate::transit_gateway::AttachmentResource::Peering {
                        peer_owner, accepter_tags, ..
                    } = &a.resource
                        && peer_owner == scope
                        && &a.owner != scope
                    {
                        out.push((a.id.clone(), "transit-gateway-attachment", accepter_tags));
                    }
                }
                for g in self.security_groups.values().filter(|g| &g.owner == scope) {
                    for r in g.ingress.iter().chain(g.egress.iter()) {
                        out.push((r.id.clone(), "security-group-rule", &r.tags));
                    }
                }
                out
            }
        }
    };
    (@id $r:ident, addresses) => { $r.allocation_id.clone() };
    (@id $r:ident, $table:ident) => { $r.id.clone() };
}

tagged! {
    "vpc" => vpcs, "vpc", owner;
    "subnet" => subnets, "subnet", owner;
    "rtb" => route_tables, "route-table", owner;
    "igw" => internet_gateways, "internet-gateway", owner;
    "eigw" => egress_only_internet_gateways, "egress-only-internet-gateway", owner;
    "eipalloc" => addresses, "elastic-ip", owner;
    "eni" => network_interfaces, "network-interface", owner;
    "i" => instances, "instance", owner;
    "vol" => volumes, "volume", owner;
    "sg" => security_groups, "security-group", owner;
    "acl" => network_acls, "network-acl", owner;
    "dopt" => dhcp_options, "dhcp-options", owner;
    "fl" => flow_logs, "vpc-flow-log", owner;
    "nip" => network_insights_paths, "network-insights-path", owner;
    "nia" => network_insights_analyses, "network-insights-analysis", owner;
    "nat" => nat_gateways, "natgateway", owner;
    "pcx" => vpc_peering_connections, "vpc-peering-connection", owner;
    "pl" => prefix_lists, "prefix-list", owner;
    "vpce" => vpc_endpoints, "vpc-endpoint", owner;
    "vgw" => vpn_gateways, "vpn-gateway", owner;
    "cgw" => customer_gateways, "customer-gateway", owner;
    "vpn" => vpn_connections, "vpn-connection", owner;
    "tgw" => transit_gateways, "transit-gateway", owner;
    "tgw-attach" => transit_gateway_attachments, "transit-gateway-attachment", owner;
    "tgw-rtb" => transit_gateway_route_tables, "transit-gateway-route-table", owner;
    "cvpn-endpoint" => client_vpn_endpoints, "client-vpn-endpoint", owner;
    "tmt" => traffic_mirror_targets, "traffic-mirror-target", owner;
    "tmf" => traffic_mirror_filters, "traffic-mirror-filter", owner;
    "tms" => traffic_mirror_sessions, "traffic-mirror-session", owner;
    "vpce-svc" => vpc_endpoint_services, "vpc-endpoint-service", owner;
}

/// Checks a set of tags against AWS's rules before it is applied.
pub fn validate(tags: &[(String, String)]) -> Result<()> {
    for (key, value) in tags {
        if key.is_empty() {
            return Err(Error::new("InvalidParameterValue", "Tag keys must not be empty."));
        }
        if key.chars().count() > MAX_KEY_LEN {
            return Err(Error::new(
                "InvalidParameterValue",
                format!("Tag key exceeds the maximum length of {MAX_KEY_LEN} characters"),
            ));
        }
        if value.chars().count() > MAX_VALUE_LEN {
            return Err(Error::new(
                "InvalidParameterValue",
                format!("Tag value exceeds the maximum length of {MAX_VALUE_LEN} characters"),
            ));
        }
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(Error::new(
                "InvalidParameterValue",
                "Tag keys starting with 'aws:' are reserved for internal use",
            ));
        }
    }
    Ok(())
}

/// Adds tags, enforcing the per-resource limit.
pub fn apply(target: &mut Tags, tags: &[(String, String)]) -> Result<()> {
    validate(tags)?;
    for (k, v) in tags {
        target.insert(k.clone(), v.clone());
    }
    if target.len() > MAX_TAGS {
        return Err(Error::new(
            "TagLimitExceeded",
            format!("The maximum number of tags per resource is {MAX_TAGS}."),
        ));
    }
    Ok(())
}

impl World {
    /// CreateTags: all resources must exist, or nothing is tagged.
    pub fn create_tags(
        &mut self,
        scope: &Scope,
        ids: &[String],
        tags: &[(String, String)],
    ) -> Result<()> {
        validate(tags)?;
        for id in ids {
            self.check_taggable(scope, id)?;
            if let Some(t) = self.tags_mut_for(scope, id) {
                apply(t, tags)?;
            }
        }
        Ok(())
    }

    /// DeleteTags: a tag given with a value is deleted only when the value matches.
    pub fn delete_tags(
        &mut self,
        scope: &Scope,
        ids: &[String],
        tags: &[(String, Option<String>)],
    ) -> Result<()> {
        for id in ids {
            self.check_taggable(scope, id)?;
            let Some(t) = self.tags_mut_for(scope, id) else { continue };
            if tags.is_empty() {
                t.clear();
            }
            for (k, v) in tags {
                if v.as_ref().is_none_or(|v| t.get(k) == Some(v)) {
                    t.remove(k);
                }
            }
        }
        Ok(())
    }

    /// The tags `scope` writes on `id`: a peering connection's accepter has its own.
    fn tags_mut_for(&mut self, scope: &Scope, id: &str) -> Option<&mut Tags> {
        if crate::ids::prefix_of(id) == "pcx" {
            return self.vpc_peering_connections.get_mut(id).map(|p| p.tags_of_side(scope));
        }
        if let Some(a) = self.transit_gateway_attachments.get(id)
            && a.peer_gateway().is_some()
            && &a.owner != scope
        {
            // The accepter side of a transit gateway peering tags it for itself.
            return match &mut self.transit_gateway_attachments.get_mut(id)?.resource {
                crate::transit_gateway::AttachmentResource::Peering { accepter_tags, .. } => {
                    Some(accepter_tags)
                }
                _ => None,
            };
        }
        self.tags_mut(id)
    }

    fn check_taggable(&self, scope: &Scope, id: &str) -> Result<()> {
        match self.tags_of(id) {
            Some((_, owner, _)) if owner == scope => Ok(()),
            // Both sides of a peering connection tag it.
            Some(_) if self.vpc_peering_connections.get(id).is_some_and(|p| p.is_side(scope)) => {
                Ok(())
            }
            // Both sides of a transit gateway peering tag it.
            Some(_)
                if self.transit_gateway_attachments.get(id).is_some_and(|a| {
                    a.peer_gateway().is_some() && self.tgw_attachment_visible(scope, a)
                }) =>
            {
                Ok(())
            }
            _ => Err(not_found_for_id(id)),
        }
    }
}

/// The NotFound error AWS gives for an id of that kind.
pub fn not_found_for_id(id: &str) -> Error {
    let (code, noun) = match crate::ids::prefix_of(id) {
        "vpc" => ("InvalidVpcID.NotFound", "vpc"),
        "subnet" => ("InvalidSubnetID.NotFound", "subnet"),
        "rtb" => ("InvalidRouteTableID.NotFound", "route table"),
        "igw" => ("InvalidInternetGatewayID.NotFound", "internet gateway"),
        "eigw" => ("InvalidGatewayID.NotFound", "egress-only internet gateway"),
        "eipalloc" => ("InvalidAllocationID.NotFound", "allocation"),
        "eni" => ("InvalidNetworkInterfaceID.NotFound", "network interface"),
        "i" => ("InvalidInstanceID.NotFound", "instance"),
        "vol" => ("InvalidVolume.NotFound", "volume"),
        "sg" => ("InvalidGroup.NotFound", "security group"),
        "sgr" => ("InvalidSecurityGroupRuleId.NotFound", "security group rule"),
        "acl" => ("InvalidNetworkAclID.NotFound", "network ACL"),
        "dopt" => ("InvalidDhcpOptionID.NotFound", "DHCP options"),
        "fl" => ("InvalidFlowLogId.NotFound", "flow log"),
        "nip" => ("InvalidNetworkInsightsPathId.NotFound", "NetworkInsightsPath"),
        "nia" => ("InvalidNetworkInsightsAnalysisId.NotFound", "NetworkInsightsAnalysis"),
        "nat" => return crate::nat_gateway::not_found(id),
        "pcx" => ("InvalidVpcPeeringConnectionID.NotFound", "vpcPeeringConnection"),
        "pl" => ("InvalidPrefixListID.NotFound", "prefix list"),
        "vgw" => ("InvalidVpnGatewayID.NotFound", "vpnGateway"),
        "cgw" => ("InvalidCustomerGatewayID.NotFound", "customerGateway"),
        "vpn" => ("InvalidVpnConnectionID.NotFound", "vpnConnection"),
        "cvpn-endpoint" => return crate::client_vpn::not_found(id),
        "tmt" => return crate::traffic_mirror::target_not_found(id),
        "tmf" => return crate::traffic_mirror::filter_not_found(id),
        "tms" => return crate::traffic_mirror::session_not_found(id),
        "tgw" => return crate::lookup::TRANSIT_GATEWAY.not_found(id),
        "tgw-attach" => return crate::lookup::TRANSIT_GATEWAY_ATTACHMENT.not_found(id),
        "tgw-rtb" => return crate::lookup::TRANSIT_GATEWAY_ROUTE_TABLE.not_found(id),
        "vpce" => return crate::lookup::VPC_ENDPOINT.not_found(id),
        "vpce-svc" => return crate::lookup::VPC_ENDPOINT_SERVICE.not_found(id),
        _ => {
            return Error::new("InvalidID", format!("The ID '{id}' is not valid"));
        }
    };
    Error::not_found(code, noun, id)
}
