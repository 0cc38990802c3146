//! Network ACLs: numbered entries, first match wins, stateless.

use crate::cidr::{Ipv4Cidr, Ipv6Cidr};
use crate::resources::*;
use crate::world::Scope;

fn entry(rule_number: i32, egress: bool, allow: bool, cidr: AclCidr) -> NetworkAclEntry {
    NetworkAclEntry {
        rule_number,
        egress,
        protocol: "-1".into(),
        allow,
        cidr,
        icmp_type: None,
        icmp_code: None,
        port_from: None,
        port_to: None,
    }
}

fn any_v4() -> AclCidr {
    AclCidr::V4(
        Ipv4Cidr::new(std::net::Ipv4Addr::UNSPECIFIED, 0)
            .unwrap_or(Ipv4Cidr::host(std::net::Ipv4Addr::UNSPECIFIED)),
    )
}

fn any_v6() -> Option<AclCidr> {
    Ipv6Cidr::new(std::net::Ipv6Addr::UNSPECIFIED, 0).map(AclCidr::V6)
}

impl NetworkAcl {
    /// A VPC's default ACL: rule 100 allows everything in and out; the `*` entries deny the rest.
    pub fn new_default(id: String, owner: Scope, vpc_id: String) -> Self {
        let mut entries = Vec::new();
        for egress in [false, true] {
            entries.push(entry(100, egress, true, any_v4()));
            entries.push(entry(NetworkAclEntry::CATCH_ALL_V4, egress, false, any_v4()));
        }
        NetworkAcl {
            id,
            owner,
            vpc_id,
            is_default: true,
            entries,
            associations: vec![],
            tags: Default::default(),
        }
    }

    /// A new custom ACL: only the `*` entries, so it denies everything until given rules.
    pub fn new_custom(id: String, owner: Scope, vpc_id: String, has_ipv6: bool) -> Self {
        let mut entries = Vec::new();
        for egress in [false, true] {
            entries.push(entry(NetworkAclEntry::CATCH_ALL_V4, egress, false, any_v4()));
            if has_ipv6 && let Some(v6) = any_v6() {
                entries.push(entry(NetworkAclEntry::CATCH_ALL_V6, egress, false, v6));
            }
        }
        NetworkAcl {
            id,
            owner,
            vpc_id,
            is_default: false,
            entries,
            associations: vec![],
            tags: Default::default(),
        }
    }

    /// When the VPC gains IPv6: the default ACL allows ::/0 (rule 101); every ACL gets the
    /// IPv6 `*` deny entries.
    pub fn add_ipv6_defaults(&mut self) {
        let Some(v6) = any_v6() else { return };
        for egress in [false, true] {
            if self.is_default
                && !self.entries.iter().any(|e| e.egress == egress && e.rule_number == 101)
            {
                self.entries.push(entry(101, egress, true, v6.clone()));
            }
            if !self
                .entries
                .iter()
                .any(|e| e.egress == egress && e.rule_number == NetworkAclEntry::CATCH_ALL_V6)
            {
                self.entries.push(entry(NetworkAclEntry::CATCH_ALL_V6, egress, false, v6.clone()));
            }
        }
    }
}
