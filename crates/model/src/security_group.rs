//! Security groups: allow-only, stateful rules that may reference other groups.

use crate::cidr::Ipv4Cidr;
use crate::resources::*;
use std::net::Ipv4Addr;

impl SecurityGroupRule {
    /// The egress rule every new group starts with: all traffic to 0.0.0.0/0.
    pub fn allow_all_egress(id: String) -> Self {
        SecurityGroupRule {
            id,
            protocol: "-1".into(),
            from_port: None,
            to_port: None,
            peer: RulePeer::V4(
                Ipv4Cidr::new(Ipv4Addr::UNSPECIFIED, 0)
                    .unwrap_or(Ipv4Cidr::host(Ipv4Addr::UNSPECIFIED)),
            ),
            description: None,
            tags: Default::default(),
        }
    }
}
