//! The service quotas in force.

use crate::error::{Error, Result};

/// AWS's default service quotas, per account and region unless said otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quotas {
    pub vpcs_per_region: usize,
    pub subnets_per_vpc: usize,
    pub ipv4_blocks_per_vpc: usize,
    pub ipv6_blocks_per_vpc: usize,
    pub internet_gateways_per_region: usize,
    pub egress_only_internet_gateways_per_region: usize,
    pub elastic_ips_per_region: usize,
    pub route_tables_per_vpc: usize,
    pub routes_per_route_table: usize,
    pub security_groups_per_vpc: usize,
    pub rules_per_security_group: usize,
    pub security_groups_per_interface: usize,
    pub network_acls_per_vpc: usize,
    pub rules_per_network_acl: usize,
    pub network_interfaces_per_region: usize,
    pub network_insights_paths_per_region: usize,
    pub network_insights_analyses_per_region: usize,
    pub network_insights_access_scopes_per_region: usize,
    pub network_insights_access_scope_analyses_per_region: usize,
    /// Findings one access scope analysis keeps (AWS: 10,000, not adjustable; lowered in tests).
    pub network_insights_access_scope_analysis_findings: usize,
    pub nat_gateways_per_zone: usize,
    pub prefix_lists_per_region: usize,
    /// vpclab's own limit, not AWS's: load balancer listeners with a port (each holds a local
    /// port and its connections) across all accounts and regions, `vpclab serve
    /// --max-listeners`. `--quota` and `--raised-quotas` leave it alone.
    pub listener_ports: usize,
}

/// [`Quotas::listener_ports`] unless the server is told otherwise.
pub const DEFAULT_LISTENER_PORTS: usize = 1000;

impl Default for Quotas {
    fn default() -> Self {
        Quotas {
            vpcs_per_region: 5,
            subnets_per_vpc: 200,
            ipv4_blocks_per_vpc: 5,
            ipv6_blocks_per_vpc: 5,
            internet_gateways_per_region: 5,
            egress_only_internet_gateways_per_region: 5,
            elastic_ips_per_region: 5,
            route_tables_per_vpc: 200,
            routes_per_route_table: 50,
            security_groups_per_vpc: 2500,
            rules_per_security_group: 60,
            security_groups_per_interface: 5,
            network_acls_per_vpc: 200,
            rules_per_network_acl: 20,
            network_interfaces_per_region: 5000,
            network_insights_paths_per_region: 1000,
            network_insights_analyses_per_region: 10000,
            network_insights_access_scopes_per_region: 1000,
            network_insights_access_scope_analyses_per_region: 10000,
            network_insights_access_scope_analysis_findings: 10000,
            nat_gateways_per_zone: 5,
            prefix_lists_per_region: 100,
            listener_ports: DEFAULT_LISTENER_PORTS,
        }
    }
}

impl Quotas {
    /// Sets one quota by its name as written here (`vpcs_per_region=100`).
    pub fn set(&mut self, name: &str, value: usize) -> Result<()> {
        let slot = match name.replace('-', "_").as_str() {
            "vpcs_per_region" => &mut self.vpcs_per_region,
            "subnets_per_vpc" => &mut self.subnets_per_vpc,
            "ipv4_blocks_per_vpc" => &mut self.ipv4_blocks_per_vpc,
            "ipv6_blocks_per_vpc" => &mut self.ipv6_blocks_per_vpc,
            "internet_gateways_per_region" => &mut self.internet_gateways_per_region,
            "egress_only_internet_gateways_per_region" => {
                &mut self.egress_only_internet_gateways_per_region
            }
            "elastic_ips_per_region" => &mut self.elastic_ips_per_region,
            "route_tables_per_vpc" => &mut self.route_tables_per_vpc,
            "routes_per_route_table" => &mut self.routes_per_route_table,
            "security_groups_per_vpc" => &mut self.security_groups_per_vpc,
            "rules_per_security_group" => &mut self.rules_per_security_group,
            "security_groups_per_interface" => &mut self.security_groups_per_interface,
            "network_acls_per_vpc" => &mut self.network_acls_per_vpc,
            "rules_per_network_acl" => &mut self.rules_per_network_acl,
            "network_interfaces_per_region" => &mut self.network_interfaces_per_region,
            "network_insights_paths_per_region" => &mut self.network_insights_paths_per_region,
            "network_insights_analyses_per_region" => {
                &mut self.network_insights_analyses_per_region
            }
            "network_insights_access_scopes_per_region" => {
                &mut self.network_insights_access_scopes_per_region
            }
            "network_insights_access_scope_analyses_per_region" => {
                &mut self.network_insights_access_scope_analyses_per_region
            }
            "network_insights_access_scope_analysis_findings" => {
                &mut self.network_insights_access_scope_analysis_findings
            }
            "nat_gateways_per_zone" => &mut self.nat_gateways_per_zone,
            "prefix_lists_per_region" => &mut self.prefix_lists_per_region,
            other => return Err(Error::invalid_parameter(format!("unknown quota {other}"))),
        };
        *slot = value;
        Ok(())
    }

    /// Every quota raised as far as AWS lets it be raised (for benchmarks and large networks).
    /// The value of a quota that is never reached.
    pub const UNLIMITED: usize = usize::MAX / 2;

    pub fn unlimited() -> Self {
        let n = Self::UNLIMITED;
        Quotas {
            vpcs_per_region: n,
            subnets_per_vpc: n,
            ipv4_blocks_per_vpc: 50,
            // AWS's quota of IPv6 blocks per VPC cannot be raised.
            ipv6_blocks_per_vpc: 5,
            internet_gateways_per_region: n,
            egress_only_internet_gateways_per_region: n,
            elastic_ips_per_region: n,
            route_tables_per_vpc: n,
            routes_per_route_table: 1000,
            security_groups_per_vpc: n,
            rules_per_security_group: 1000,
            security_groups_per_interface: 16,
            network_acls_per_vpc: n,
            rules_per_network_acl: 40,
            network_interfaces_per_region: n,
            network_insights_paths_per_region: n,
            network_insights_analyses_per_region: n,
            network_insights_access_scopes_per_region: n,
            network_insights_access_scope_analyses_per_region: n,
            // AWS's findings per analysis cannot be raised.
            network_insights_access_scope_analysis_findings: 10000,
            nat_gateways_per_zone: n,
            prefix_lists_per_region: n,
            listener_ports: DEFAULT_LISTENER_PORTS,
        }
    }
}
