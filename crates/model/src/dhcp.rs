//! DHCP options sets: what a VPC's DHCP server hands instances (domain name, DNS and NTP
//! servers, NetBIOS settings, IPv6 lease time).
//!
//! A VPC uses one set, or none (`default` in the API). Sets are immutable once created.

use crate::error::{Error, Result};
use crate::kinds;
use crate::types::ec2::*;
use crate::world::{Scope, World};
use std::net::IpAddr;

/// The keys CreateDhcpOptions accepts.
pub const KEYS: &[&str] = &[
    "domain-name",
    "domain-name-servers",
    "ntp-servers",
    "netbios-name-servers",
    "netbios-node-type",
    "ipv6-address-preferred-lease-time",
];

/// What AssociateDhcpOptions takes to mean "no options".
pub const NONE: &str = "default";

fn bad_value(key: &str, value: &str) -> Error {
    Error::invalid_parameter_value(format!("Value ({value}) for parameter {key} is invalid."))
}

/// Checks one key and its values as AWS does.
fn validate(key: &str, values: &[String]) -> Result<()> {
    if !KEYS.contains(&key) {
        return Err(Error::invalid_parameter_value(format!(
            "Value ({key}) for parameter key is invalid. Unknown DHCP option"
        )));
    }
    if values.is_empty() {
        return Err(Error::missing_parameter(&format!("{key} value")));
    }
    let at_most = |n: usize| -> Result<()> {
        if values.len() > n {
            return Err(Error::invalid_parameter_value(format!(
                "Too many values for parameter {key}: at most {n} allowed."
            )));
        }
        Ok(())
    };
    match key {
        "domain-name" => {
            for v in values {
                let ok = !v.is_empty()
                    && v.len() <= 255
                    && v.split(' ').all(|name| {
                        !name.is_empty()
                            && name.split('.').all(|label| {
                                !label.is_empty()
                                    && label.len() <= 63
                                    && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                            })
                    });
                if !ok {
                    return Err(bad_value(key, v));
                }
            }
        }
        "domain-name-servers" => {
            at_most(4)?;
            for v in values {
                if v != "AmazonProvidedDNS" && v.parse::<IpAddr>().is_err() {
                    return Err(bad_value(key, v));
                }
            }
        }
        "ntp-servers" | "netbios-name-servers" => {
            at_most(4)?;
            for v in values {
                if v.parse::<IpAddr>().is_err() {
                    return Err(bad_value(key, v));
                }
            }
        }
        "netbios-node-type" => {
            at_most(1)?;
            for v in values {
                if !matches!(v.as_str(), "1" | "2" | "4" | "8") {
                    return Err(bad_value(key, v));
                }
            }
        }
        "ipv6-address-preferred-lease-time" => {
            at_most(1)?;
            for v in values {
                let ok = v.parse::<u64>().is_ok_and(|s| (140..=2_147_483_647).contains(&s));
                if !ok {
                    return Err(bad_value(key, v));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

impl World {
    pub(crate) fn create_dhcp_options_internal(
        &mut self,
        scope: &Scope,
        configurations: Vec<(String, Vec<String>)>,
    ) -> String {
        let id = self.fresh_id("dopt");
        self.dhcp_options.insert(
            id.clone(),
            DhcpOptions {
                id: id.clone(),
                owner: scope.clone(),
                configurations,
                tags: Default::default(),
            },
        );
        id
    }

    /// CreateDhcpOptions: known keys, each once, with valid values.
    pub fn create_dhcp_options(
        &mut self,
        scope: &Scope,
        configurations: Vec<(String, Vec<String>)>,
        tags: &[(String, String)],
    ) -> Result<String> {
        crate::tags::validate(tags)?;
        if configurations.is_empty() {
            return Err(Error::missing_parameter("dhcpConfiguration"));
        }
        for (i, (key, values)) in configurations.iter().enumerate() {
            validate(key, values)?;
            if configurations.iter().take(i).any(|(k, _)| k == key) {
                return Err(Error::invalid_parameter_value(format!(
                    "Duplicate DHCP option key: {key}"
                )));
            }
        }
        let id = self.create_dhcp_options_internal(scope, configurations);
        if let Some(d) = self.dhcp_options.get_mut(&id) {
            d.tags = tags.iter().cloned().collect();
        }
        Ok(id)
    }

    /// DeleteDhcpOptions: refused while a VPC uses the set.
    pub fn delete_dhcp_options(&mut self, scope: &Scope, id: &str) -> Result<()> {
        self.dhcp_options.find(&kinds::DHCP_OPTIONS, scope, id)?;
        if self.vpcs.values().any(|v| v.dhcp_options_id == id) {
            return Err(Error::dependency_violation(format!(
                "The dhcpOptions '{id}' has dependencies and cannot be deleted."
            )));
        }
        self.dhcp_options.remove(id);
        Ok(())
    }

    /// AssociateDhcpOptions: a set of the scope, or `default` for none.
    pub fn associate_dhcp_options(&mut self, scope: &Scope, id: &str, vpc_id: &str) -> Result<()> {
        if id != NONE {
            self.dhcp_options.find(&kinds::DHCP_OPTIONS, scope, id)?;
        }
        self.vpcs.find_mut(&kinds::VPC, scope, vpc_id)?.dhcp_options_id = id.to_owned();
        Ok(())
    }

    /// The DHCP options set new VPCs of the scope start with, while it exists.
    pub fn default_dhcp_options(&self, scope: &Scope) -> Option<&DhcpOptions> {
        self.scopes
            .get(&scope.key())
            .and_then(|s| s.default_dhcp_options_id.as_deref())
            .and_then(|id| self.dhcp_options.get(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vpc::NewVpc;

    fn conf(k: &str, v: &[&str]) -> (String, Vec<String>) {
        (k.into(), v.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn validation_and_lifecycle() {
        let mut w = World::default();
        let scope = Scope::new("123456789012", "us-east-1");
        w.ensure_scope(&scope).unwrap();
        for bad in [
            conf("no-such-key", &["x"]),
            conf("domain-name-servers", &["not-an-ip"]),
            conf("ntp-servers", &["1.1.1.1", "1.1.1.2", "1.1.1.3", "1.1.1.4", "1.1.1.5"]),
            conf("netbios-node-type", &["3"]),
            conf("ipv6-address-preferred-lease-time", &["10"]),
            conf("domain-name", &["bad_name!"]),
        ] {
            assert!(w.create_dhcp_options(&scope, vec![bad.clone()], &[]).is_err(), "{bad:?}");
        }
        let id = w
            .create_dhcp_options(
                &scope,
                vec![
                    conf("domain-name", &["corp.example.com"]),
                    conf("domain-name-servers", &["10.0.0.2", "AmazonProvidedDNS"]),
                ],
                &[],
            )
            .unwrap();
        let vpc = w
            .create_vpc(&scope, NewVpc { cidr: Some("10.0.0.0/16".into()), ..Default::default() })
            .unwrap();
        w.associate_dhcp_options(&scope, &id, &vpc).unwrap();
        assert_eq!(w.delete_dhcp_options(&scope, &id).unwrap_err().code, "DependencyViolation");
        w.associate_dhcp_options(&scope, NONE, &vpc).unwrap();
        assert_eq!(w.vpcs.get(&vpc).unwrap().dhcp_options_id, "default");
        w.delete_dhcp_options(&scope, &id).unwrap();
        assert_eq!(
            w.associate_dhcp_options(&scope, &id, &vpc).unwrap_err().code,
            "InvalidDhcpOptionID.NotFound"
        );
    }
}
