//! The stored types of ELBv2's load balancers (operations: [`crate::load_balancer`]).

use crate::scope::Scope;
use crate::types::ec2::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// `application`, `network` or `gateway`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LbType {
    Application,
    Network,
    Gateway,
}

impl LbType {
    pub fn name(self) -> &'static str {
        match self {
            LbType::Application => "application",
            LbType::Network => "network",
            LbType::Gateway => "gateway",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "application" => Some(LbType::Application),
            "network" => Some(LbType::Network),
            "gateway" => Some(LbType::Gateway),
            _ => None,
        }
    }

    /// The ARN's and interface description's short kind: `app`, `net`, `gwy`.
    pub fn short(self) -> &'static str {
        match self {
            LbType::Application => "app",
            LbType::Network => "net",
            LbType::Gateway => "gwy",
        }
    }

    /// The `InterfaceType` of the load balancer's network interfaces.
    pub fn interface_type(self) -> &'static str {
        match self {
            LbType::Application => "interface",
            LbType::Network => "network_load_balancer",
            LbType::Gateway => "gateway_load_balancer",
        }
    }
}

/// The load balancer's presence in one Availability Zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LbZone {
    pub zone: String,
    pub subnet_id: String,
    pub network_interface_id: String,
    pub private_ip: Ipv4Addr,
    /// The Elastic IP of an internet-facing NLB's subnet mapping.
    pub allocation_id: Option<String>,
    /// Whether the private address was asked for (an internal NLB's subnet mapping).
    pub private_ip_requested: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadBalancer {
    pub arn: String,
    pub owner: Scope,
    pub name: String,
    pub lb_type: LbType,
    /// `internet-facing` or `internal`.
    pub scheme: String,
    pub vpc_id: String,
    /// `ipv4` or `dualstack`.
    pub ip_address_type: String,
    pub zones: Vec<LbZone>,
    pub security_group_ids: Vec<String>,
    pub dns_name: String,
    /// Milliseconds since the epoch.
    pub create_time: i64,
    pub attributes: BTreeMap<String, String>,
    pub tags: Tags,
}

impl LoadBalancer {
    /// `net/<name>/<hex>`: the ARN's tail, as interface descriptions and endpoint services
    /// name the load balancer.
    pub fn resource_id(&self) -> &str {
        self.arn.split_once(":loadbalancer/").map_or("", |x| x.1)
    }

    pub fn is_internet_facing(&self) -> bool {
        self.scheme == "internet-facing"
    }

    /// The Route 53 zone of its DNS name.
    pub fn canonical_hosted_zone_id(&self) -> &'static str {
        canonical_hosted_zone(&self.owner.region, self.lb_type)
    }
}

/// What CreateLoadBalancer asks for.
#[derive(Debug, Clone, Default)]
pub struct NewLoadBalancer {
    pub name: String,
    pub lb_type: Option<String>,
    pub scheme: Option<String>,
    pub subnets: Vec<String>,
    pub subnet_mappings: Vec<SubnetMappingSpec>,
    pub security_groups: Vec<String>,
    pub ip_address_type: Option<String>,
    pub tags: Vec<(String, Option<String>)>,
}

#[derive(Debug, Clone, Default)]
pub struct SubnetMappingSpec {
    pub subnet_id: String,
    pub allocation_id: Option<String>,
    pub private_ipv4_address: Option<String>,
}

/// Route 53 hosted zones of ELB DNS names per region: (region, ALB zone, NLB zone). Regions
/// not listed use us-east-1's.
pub const HOSTED_ZONES: &[(&str, &str, &str)] = &[
    ("us-east-1", "Z35SXDOTRQ7X7K", "Z26RNL4JYFTOTI"),
    ("us-east-2", "Z3AADJGX6KTTL2", "ZLMOA37VPKANP"),
    ("us-west-1", "Z368ELLRRE2KJ0", "Z24FKFUX50B4VW"),
    ("us-west-2", "Z1H1FL5HABSF5", "Z18D5FSROUN65G"),
    ("eu-west-1", "Z32O12XQLNTSW2", "Z2IFOLAFXWLO4F"),
    ("eu-central-1", "Z215JYRZR1TBD5", "Z3F0SRJ5LGBH90"),
    ("ap-southeast-1", "Z1LMS91P8CMLE5", "ZKVM4W9LS7TM"),
    ("ap-northeast-1", "Z14GRHDCWA56QT", "Z31USIVHYNEOWT"),
];

/// The hosted zone of a load balancer's DNS name (GWLB names share the NLB zone).
pub fn canonical_hosted_zone(region: &str, t: LbType) -> &'static str {
    let row = HOSTED_ZONES.iter().find(|(r, ..)| *r == region).or(HOSTED_ZONES.first());
    match (row, t) {
        (Some((_, alb, _)), LbType::Application) => alb,
        (Some((_, _, nlb)), _) => nlb,
        (None, _) => "",
    }
}
