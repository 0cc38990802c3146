//! Network ACLs: numbered entries, first match wins, stateless.

use crate::cidr::{Ipv4Cidr, Ipv6Cidr};
use crate::error::{Error, Result};
use crate::kinds;
use crate::references::{Reference, References};
use crate::types::ec2::*;
use crate::world::{Scope, World};
use codes::Ec2;

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

impl NetworkAclEntry {
    /// Whether the entry is about IPv6 traffic.
    pub fn is_ipv6(&self) -> bool {
        matches!(self.cidr, AclCidr::V6(_))
    }

    pub fn action(&self) -> &'static str {
        if self.allow { "allow" } else { "deny" }
    }
}

/// An entry as CreateNetworkAclEntry / ReplaceNetworkAclEntry give it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryRequest {
    pub rule_number: i32,
    pub egress: bool,
    pub protocol: String,
    pub rule_action: String,
    pub cidr_block: Option<String>,
    pub ipv6_cidr_block: Option<String>,
    /// `PortRange.From` / `PortRange.To`, when given.
    pub port_range: Option<(Option<i32>, Option<i32>)>,
    /// `IcmpTypeCode.Type` / `IcmpTypeCode.Code`, when given.
    pub icmp_type_code: Option<(Option<i32>, Option<i32>)>,
}

/// A protocol as network ACL entries store it: `-1` or a protocol number.
pub fn normalise_acl_protocol(p: &str) -> Result<String> {
    let lower = p.trim().to_ascii_lowercase();
    let n = match lower.as_str() {
        "-1" | "all" => return Ok("-1".into()),
        "tcp" => 6,
        "udp" => 17,
        "icmp" => 1,
        "icmpv6" => 58,
        other => match other.parse::<i32>() {
            Ok(n) if (0..=255).contains(&n) => n,
            Ok(-1) => return Ok("-1".into()),
            _ => {
                return Err(Error::invalid_parameter_value(format!(
                    "Invalid value '{p}' for protocol. Must be a protocol number between -1 and 255 or one of tcp, udp, icmp, icmpv6, all."
                )));
            }
        },
    };
    Ok(n.to_string())
}

fn check_rule_number(n: i32) -> Result<()> {
    if !(1..=32766).contains(&n) {
        return Err(Error::invalid_parameter_value(format!(
            "Invalid value '{n}' for ruleNumber. Must be between 1 and 32766."
        )));
    }
    Ok(())
}

fn entry_not_found(acl: &str, n: i32, egress: bool) -> Error {
    Error::new(
        Ec2::InvalidNetworkAclEntryNotFound,
        format!(
            "The network acl entry identified by {n} ({}) does not exist in network ACL '{acl}'",
            if egress { "egress" } else { "ingress" }
        ),
    )
}

/// Validates and normalises a requested entry.
pub fn resolve_entry(req: &EntryRequest) -> Result<NetworkAclEntry> {
    check_rule_number(req.rule_number)?;
    let allow = match req.rule_action.to_ascii_lowercase().as_str() {
        "allow" => true,
        "deny" => false,
        other => {
            return Err(Error::invalid_parameter_value(format!(
                "Invalid value '{other}' for ruleAction. Must be allow or deny."
            )));
        }
    };
    let protocol = normalise_acl_protocol(&req.protocol)?;
    let cidr = match (&req.cidr_block, &req.ipv6_cidr_block) {
        (Some(c), None) => AclCidr::V4(Ipv4Cidr::parse(c.trim(), false).ok_or_else(|| {
            Error::invalid_parameter_value(format!(
                "Value ({c}) for parameter cidrBlock is invalid. This is not a valid CIDR block."
            ))
        })?),
        (None, Some(c)) => AclCidr::V6(Ipv6Cidr::parse(c.trim(), false).ok_or_else(|| {
            Error::invalid_parameter_value(format!(
                "Value ({c}) for parameter ipv6CidrBlock is invalid. This is not a valid IPv6 CIDR block."
            ))
        })?),
        (Some(_), Some(_)) => {
            return Err(Error::invalid_combination(
                "Only one of cidrBlock or ipv6CidrBlock may be specified.",
            ));
        }
        (None, None) => return Err(Error::missing_parameter("cidrBlock or ipv6CidrBlock")),
    };
    let (mut port_from, mut port_to, mut icmp_type, mut icmp_code) = (None, None, None, None);
    match protocol.as_str() {
        "6" | "17" => {
            let Some((Some(f), Some(t))) = req.port_range else {
                return Err(Error::missing_parameter("portRange"));
            };
            for p in [f, t] {
                if !(0..=65535).contains(&p) {
                    return Err(Error::invalid_parameter_value(format!(
                        "Invalid value '{p}' for portRange. Must be in the range 0-65535."
                    )));
                }
            }
            if f > t {
                return Err(Error::invalid_parameter_value(format!(
                    "Invalid port range: the from port ({f}) is greater than the to port ({t})."
                )));
            }
            (port_from, port_to) = (Some(f), Some(t));
        }
        "1" | "58" => {
            let Some((Some(ty), Some(code))) = req.icmp_type_code else {
                return Err(Error::missing_parameter("icmpTypeCode"));
            };
            for v in [ty, code] {
                if !(-1..=255).contains(&v) {
                    return Err(Error::invalid_parameter_value(format!(
                        "Invalid value '{v}' for icmpTypeCode. Must be in the range -1-255."
                    )));
                }
            }
            (icmp_type, icmp_code) = (Some(ty), Some(code));
        }
        // All protocols or a protocol without ports: PortRange and IcmpTypeCode are ignored.
        _ => {}
    }
    Ok(NetworkAclEntry {
        rule_number: req.rule_number,
        egress: req.egress,
        protocol,
        allow,
        cidr,
        icmp_type,
        icmp_code,
        port_from,
        port_to,
    })
}

impl World {
    /// CreateNetworkAcl: only the `*` deny entries (IPv6 ones too when the VPC has IPv6).
    pub fn create_network_acl(
        &mut self,
        scope: &Scope,
        vpc_id: &str,
        tags: &[(String, String)],
    ) -> Result<String> {
        crate::tags::validate(tags)?;
        let vpc = self.vpcs.find(&kinds::VPC, scope, vpc_id)?;
        let has_ipv6 = !vpc.ipv6_cidr_blocks.is_empty();
        let count = self.network_acls.count_keyed(&crate::indexes::vpc_key(vpc_id));
        if count >= self.quotas.network_acls_per_vpc {
            return Err(Error::quota(
                "network_acls_per_vpc",
                Ec2::NetworkAclLimitExceeded,
                format!("The maximum number of network ACLs for VPC '{vpc_id}' has been reached."),
            ));
        }
        let id = self.fresh_id("acl");
        let mut acl =
            NetworkAcl::new_custom(id.clone(), scope.clone(), vpc_id.to_owned(), has_ipv6);
        acl.tags = tags.iter().cloned().collect();
        self.network_acls.insert(id.clone(), acl);
        Ok(id)
    }

    /// DeleteNetworkAcl: not the default ACL, not while subnets are associated with it.
    pub fn delete_network_acl(&mut self, scope: &Scope, id: &str) -> Result<()> {
        let acl = self.network_acls.find(&kinds::NETWORK_ACL, scope, id)?;
        if acl.is_default {
            return Err(Error::invalid_parameter_value(format!(
                "cannot delete default network ACL {id}"
            )));
        }
        if !acl.associations.is_empty() {
            return Err(Error::dependency_violation(format!(
                "The network ACL '{id}' has dependencies and cannot be deleted."
            )));
        }
        self.network_acls.remove(id);
        Ok(())
    }

    /// CreateNetworkAclEntry.
    pub fn create_network_acl_entry(
        &mut self,
        scope: &Scope,
        acl_id: &str,
        req: &EntryRequest,
    ) -> Result<()> {
        self.network_acls.find(&kinds::NETWORK_ACL, scope, acl_id)?;
        let entry = resolve_entry(req)?;
        let quota = self.quotas.rules_per_network_acl;
        let acl = self.network_acls.find_mut(&kinds::NETWORK_ACL, scope, acl_id)?;
        if acl
            .entries
            .iter()
            .any(|e| e.egress == entry.egress && e.rule_number == entry.rule_number)
        {
            return Err(Error::new(
                Ec2::NetworkAclEntryAlreadyExists,
                format!(
                    "The network acl entry identified by {} already exists.",
                    entry.rule_number
                ),
            ));
        }
        // Per direction, separately for IPv4 and IPv6, the `*` entry included.
        let same = acl
            .entries
            .iter()
            .filter(|e| e.egress == entry.egress && e.is_ipv6() == entry.is_ipv6())
            .count();
        if same.max(1) >= quota {
            return Err(Error::new(
                Ec2::NetworkAclEntryLimitExceeded,
                format!(
                    "The maximum number of entries for network ACL '{acl_id}' has been reached."
                ),
            ));
        }
        acl.entries.push(entry);
        Ok(())
    }

    /// ReplaceNetworkAclEntry: the entry (egress, rule number) must exist.
    pub fn replace_network_acl_entry(
        &mut self,
        scope: &Scope,
        acl_id: &str,
        req: &EntryRequest,
    ) -> Result<()> {
        self.network_acls.find(&kinds::NETWORK_ACL, scope, acl_id)?;
        let entry = resolve_entry(req)?;
        let acl = self.network_acls.find_mut(&kinds::NETWORK_ACL, scope, acl_id)?;
        let slot = acl
            .entries
            .iter_mut()
            .find(|e| e.egress == entry.egress && e.rule_number == entry.rule_number)
            .ok_or_else(|| entry_not_found(acl_id, entry.rule_number, entry.egress))?;
        *slot = entry;
        Ok(())
    }

    /// DeleteNetworkAclEntry.
    pub fn delete_network_acl_entry(
        &mut self,
        scope: &Scope,
        acl_id: &str,
        rule_number: i32,
        egress: bool,
    ) -> Result<()> {
        self.network_acls.find(&kinds::NETWORK_ACL, scope, acl_id)?;
        check_rule_number(rule_number)?;
        let acl = self.network_acls.find_mut(&kinds::NETWORK_ACL, scope, acl_id)?;
        let before = acl.entries.len();
        acl.entries.retain(|e| !(e.egress == egress && e.rule_number == rule_number));
        if acl.entries.len() == before {
            return Err(entry_not_found(acl_id, rule_number, egress));
        }
        Ok(())
    }

    /// ReplaceNetworkAclAssociation: moves the subnet of `association_id` to `acl_id` (which
    /// must be in the subnet's VPC) under a new association id, returned.
    pub fn replace_network_acl_association(
        &mut self,
        scope: &Scope,
        association_id: &str,
        acl_id: &str,
    ) -> Result<String> {
        let not_found = || {
            Error::new(
                Ec2::InvalidAssociationIDNotFound,
                format!("The association ID '{association_id}' does not exist"),
            )
        };
        let subnet = self
            .subnets
            .rows_keyed(&crate::indexes::member_key(association_id))
            .find(|s| &s.owner == scope)
            .ok_or_else(not_found)?;
        let subnet_id = subnet.id.clone();
        let subnet_vpc = subnet.vpc_id.clone();
        let target = self.network_acls.find(&kinds::NETWORK_ACL, scope, acl_id)?;
        if subnet_vpc != target.vpc_id {
            return Err(Error::invalid_parameter_value(format!(
                "Network ACL {acl_id} and subnet {subnet_id} belong to different networks."
            )));
        }
        let new_id = self.fresh_id("aclassoc");
        let association =
            SubnetAclAssociation { id: new_id.clone(), network_acl_id: acl_id.to_owned() };
        self.set_subnet_acl(&subnet_id, Some(association));
        Ok(new_id)
    }

    /// The network ACL that governs a subnet (every subnet has exactly one).
    pub fn network_acl_for_subnet(&self, subnet_id: &str) -> Option<&NetworkAcl> {
        let association = self.subnets.get(subnet_id)?.network_acl_association.as_ref()?;
        self.network_acls.get(&association.network_acl_id)
    }

    /// Sets (or with None drops) a subnet's network ACL association, keeping the ACLs' derived
    /// lists in step.
    pub(crate) fn set_subnet_acl(
        &mut self,
        subnet_id: &str,
        association: Option<SubnetAclAssociation>,
    ) {
        let Some(subnet) = self.subnets.get_mut(subnet_id) else { return };
        let before = std::mem::replace(&mut subnet.network_acl_association, association);
        self.sync_acl_list(subnet_id, before.map(|b| b.network_acl_id));
    }

    /// Puts a subnet into the derived association list of the ACL its row names (if it still
    /// exists), out of `others`'.
    pub(crate) fn sync_acl_list(
        &mut self,
        subnet_id: &str,
        others: impl IntoIterator<Item = String>,
    ) {
        for acl in others {
            if let Some(a) = self.network_acls.derived_mut(&acl) {
                drop_association(&mut a.associations, subnet_id);
            }
        }
        let now = self.subnets.get(subnet_id).and_then(|s| s.network_acl_association.clone());
        if let Some(now) = now
            && let Some(a) = self.network_acls.derived_mut(&now.network_acl_id)
        {
            drop_association(&mut a.associations, subnet_id);
            let at = a.associations.partition_point(|x| x.subnet_id.as_str() < subnet_id);
            a.associations
                .insert(at, NetworkAclAssociation { id: now.id, subnet_id: subnet_id.to_owned() });
        }
    }

    /// The subnets changed so far in the current operation, with the ACL each names now: what
    /// [`World::resync_acl_lists`] needs after an undo.
    pub(crate) fn acl_lists_before_undo<'a>(
        &self,
        subnets: impl Iterator<Item = &'a String>,
        acls: impl Iterator<Item = &'a String>,
    ) -> AclResync {
        let subnets = subnets
            .map(|id| {
                let acl = self
                    .subnets
                    .get(id)
                    .and_then(|s| s.network_acl_association.as_ref())
                    .map(|a| a.network_acl_id.clone());
                (id.clone(), acl)
            })
            .collect();
        AclResync { subnets, acls: acls.cloned().collect() }
    }

    /// After an undo: the rows of the subnets it changed are back, and so are the ACL rows it
    /// changed (with the derived lists they had when first changed); brings those lists in step
    /// with the subnets again.
    pub(crate) fn resync_acl_lists(&mut self, resync: AclResync) {
        for (subnet, acl) in resync.subnets {
            let others = acl.into_iter().chain(resync.acls.iter().cloned());
            self.sync_acl_list(&subnet, others);
        }
    }

    /// After the stored rows are loaded: moves network ACL associations stored the old way (in
    /// the ACL's row, before subnets held their own) to their subnets, as changes of the
    /// current operation that the caller must store ([`World::take_changes`]) so that they are
    /// not lost when the ACL's row is next written; then derives what is not stored: every
    /// ACL's association list from the subnets, every subnet's addresses in use from its
    /// interfaces. Idempotent.
    pub fn finish_load(&mut self) {
        let legacy: Vec<(String, Vec<NetworkAclAssociation>)> = self
            .network_acls
            .values()
            .filter(|a| !a.associations.is_empty())
            .map(|a| (a.id.clone(), a.associations.clone()))
            .collect();
        for (acl, associations) in legacy {
            for x in associations {
                if let Some(subnet) = self.subnets.get_mut(&x.subnet_id)
                    && subnet.network_acl_association.is_none()
                {
                    subnet.network_acl_association =
                        Some(SubnetAclAssociation { id: x.id, network_acl_id: acl.clone() });
                }
            }
            // Written again, without the list.
            self.network_acls.get_mut(&acl);
        }
        let ids: Vec<String> = self.network_acls.ids().cloned().collect();
        for id in &ids {
            if let Some(a) = self.network_acls.derived_mut(id) {
                a.associations.clear();
            }
        }
        let mut lists: std::collections::BTreeMap<String, Vec<NetworkAclAssociation>> =
            Default::default();
        for s in self.subnets.values() {
            if let Some(a) = &s.network_acl_association {
                lists
                    .entry(a.network_acl_id.clone())
                    .or_default()
                    .push(NetworkAclAssociation { id: a.id.clone(), subnet_id: s.id.clone() });
            }
        }
        for (acl, list) in lists {
            if let Some(a) = self.network_acls.derived_mut(&acl) {
                a.associations = list;
            }
        }
        self.derive_used_offsets();
    }
}

/// Subnets (with the ACL each named before an undo) and ACLs an undo changed.
#[derive(Debug, Default)]
pub(crate) struct AclResync {
    subnets: Vec<(String, Option<String>)>,
    acls: Vec<String>,
}

/// Takes a subnet out of an association list sorted by subnet id.
fn drop_association(list: &mut Vec<NetworkAclAssociation>, subnet_id: &str) {
    let at = list.partition_point(|x| x.subnet_id.as_str() < subnet_id);
    if list.get(at).is_some_and(|x| x.subnet_id == subnet_id) {
        list.remove(at);
    }
}

impl References for NetworkAcl {
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        each(Reference::new("vpc", &self.vpc_id, "VpcId"));
        for a in &self.associations {
            each(Reference::new("subnet", &a.subnet_id, "Associations.SubnetId"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (World, Scope, String, String) {
        crate::testkit::world_with_subnet("10.0.1.0/24")
    }

    fn tcp(n: i32, egress: bool) -> EntryRequest {
        EntryRequest {
            rule_number: n,
            egress,
            protocol: "tcp".into(),
            rule_action: "allow".into(),
            cidr_block: Some("10.0.0.0/16".into()),
            port_range: Some((Some(22), Some(22))),
            ..Default::default()
        }
    }

    #[test]
    fn entries_are_validated_and_unique_per_direction() {
        let (mut w, s, vpc, _) = setup();
        let acl = w.create_network_acl(&s, &vpc, &[]).unwrap();
        assert_eq!(w.network_acls.get(&acl).unwrap().entries.len(), 2);
        w.create_network_acl_entry(&s, &acl, &tcp(100, false)).unwrap();
        let e = w.create_network_acl_entry(&s, &acl, &tcp(100, false)).unwrap_err();
        assert_eq!(e.code, "NetworkAclEntryAlreadyExists");
        w.create_network_acl_entry(&s, &acl, &tcp(100, true)).unwrap();
        let stored = &w.network_acls.get(&acl).unwrap().entries;
        assert!(stored.iter().any(|e| e.protocol == "6" && e.port_from == Some(22)));
        for bad in [0, 32767, -3] {
            assert!(w.create_network_acl_entry(&s, &acl, &tcp(bad, false)).is_err());
        }
        let mut no_ports = tcp(5, false);
        no_ports.port_range = None;
        assert_eq!(
            w.create_network_acl_entry(&s, &acl, &no_ports).unwrap_err().code,
            "MissingParameter"
        );
        let e = w.replace_network_acl_entry(&s, &acl, &tcp(7, false)).unwrap_err();
        assert_eq!(e.code, "InvalidNetworkAclEntry.NotFound");
        w.delete_network_acl_entry(&s, &acl, 100, false).unwrap();
        assert!(w.delete_network_acl_entry(&s, &acl, 100, false).is_err());
        assert!(w.delete_network_acl_entry(&s, &acl, 32767, false).is_err());
    }

    #[test]
    fn entry_quota_counts_the_catch_all() {
        let (mut w, s, vpc, _) = setup();
        w.quotas.rules_per_network_acl = 3;
        let acl = w.create_network_acl(&s, &vpc, &[]).unwrap();
        w.create_network_acl_entry(&s, &acl, &tcp(1, false)).unwrap();
        w.create_network_acl_entry(&s, &acl, &tcp(2, false)).unwrap();
        let e = w.create_network_acl_entry(&s, &acl, &tcp(3, false)).unwrap_err();
        assert_eq!(e.code, "NetworkAclEntryLimitExceeded");
    }

    #[test]
    fn associations_move_between_acls_of_the_vpc() {
        let (mut w, s, vpc, subnet) = setup();
        let default = w.vpcs.get(&vpc).unwrap().default_network_acl_id.clone();
        assert_eq!(w.network_acl_for_subnet(&subnet).unwrap().id, default);
        let custom = w.create_network_acl(&s, &vpc, &[]).unwrap();
        let assoc = w.network_acl_for_subnet(&subnet).unwrap().associations[0].id.clone();
        let new = w.replace_network_acl_association(&s, &assoc, &custom).unwrap();
        assert_ne!(new, assoc);
        assert_eq!(w.network_acl_for_subnet(&subnet).unwrap().id, custom);
        assert_eq!(w.delete_network_acl(&s, &custom).unwrap_err().code, "DependencyViolation");
        assert!(w.delete_network_acl(&s, &default).is_err());
        // an ACL of another VPC is refused
        let other = w
            .create_vpc(
                &s,
                crate::vpc::NewVpc { cidr: Some("10.1.0.0/16".into()), ..Default::default() },
            )
            .unwrap();
        let foreign = w.create_network_acl(&s, &other, &[]).unwrap();
        assert!(w.replace_network_acl_association(&s, &new, &foreign).is_err());
        w.replace_network_acl_association(&s, &new, &default).unwrap();
        w.delete_network_acl(&s, &custom).unwrap();
    }

    /// A fresh world loaded from `w`'s subnet, network ACL and VPC rows as they are stored.
    fn reload(w: &World) -> World {
        let mut loaded = World::default();
        let mut load = |kind: &str, id: &String, body: String| {
            loaded.load_row(kind, id.clone(), &body).unwrap();
        };
        for (id, r) in w.subnets.iter() {
            load("subnet", id, serde_json::to_string(r).unwrap());
        }
        for (id, r) in w.network_acls.iter() {
            load("network_acl", id, serde_json::to_string(r).unwrap());
        }
        for (id, r) in w.vpcs.iter() {
            load("vpc", id, serde_json::to_string(r).unwrap());
        }
        for (id, r) in w.network_interfaces.iter() {
            load("network_interface", id, serde_json::to_string(r).unwrap());
        }
        loaded
    }

    #[test]
    fn addresses_in_use_are_not_stored_and_are_known_again_after_a_load() {
        let (mut w, s, _, subnet) = setup();
        let req = crate::eni::NewInterface { subnet_id: subnet.clone(), ..Default::default() };
        let eni = w.create_network_interface(&s, req).unwrap();
        let held = w.network_interfaces.get(&eni).unwrap().private_ips[0].address;
        let used = w.subnets.get(&subnet).unwrap().used_offsets.clone();
        assert_eq!(used.len(), 1);
        let body = serde_json::to_string(w.subnets.get(&subnet).unwrap()).unwrap();
        assert!(!body.contains("used_offsets"), "{body}");

        let mut loaded = reload(&w);
        loaded.finish_load();
        assert_eq!(loaded.subnets.get(&subnet).unwrap().used_offsets, used);
        assert_ne!(loaded.allocate_private_ip(&subnet, None).unwrap(), held);
        // A row stored with the set (as older versions wrote it) is read, and the set derived.
        let mut old = serde_json::to_value(w.subnets.get(&subnet).unwrap()).unwrap();
        old.as_object_mut().unwrap().insert("used_offsets".into(), serde_json::json!([9, 10]));
        let mut again = reload(&w);
        again.load_row("subnet", subnet.clone(), &old.to_string()).unwrap();
        again.finish_load();
        assert_eq!(again.subnets.get(&subnet).unwrap().used_offsets, used);
        assert_eq!(again.index_drift(), Vec::<&str>::new());
    }

    #[test]
    fn an_association_is_stored_with_its_subnet_and_the_acl_row_does_not_grow() {
        let (mut w, s, vpc, first) = setup();
        w.take_changes().unwrap();
        let default = w.vpcs.get(&vpc).unwrap().default_network_acl_id.clone();
        let second = w.create_subnet(&s, &vpc, "10.0.2.0/24", None, None, &[]).unwrap();
        let written = w.take_changes().unwrap().rows;
        let kinds: Vec<&str> = written.iter().map(|r| r.kind).collect();
        assert!(!kinds.contains(&"network_acl"), "the default ACL's row is not rewritten");
        let listed: Vec<&str> = w
            .network_acls
            .get(&default)
            .unwrap()
            .associations
            .iter()
            .map(|x| x.subnet_id.as_str())
            .collect();
        let mut expected = vec![first.as_str(), second.as_str()];
        expected.sort();
        assert_eq!(listed, expected, "Describe's list, in subnet id order");
        let body = serde_json::to_string(w.network_acls.get(&default).unwrap()).unwrap();
        assert!(!body.contains("associations"), "{body}");

        // After a restart: the same associations, the same ids.
        let before = w.network_acls.get(&default).unwrap().associations.clone();
        let mut loaded = reload(&w);
        loaded.finish_load();
        assert!(loaded.take_changes().unwrap().rows.is_empty(), "nothing to migrate");
        assert_eq!(loaded.network_acls.get(&default).unwrap().associations, before);
        assert_eq!(loaded.network_acl_for_subnet(&second).unwrap().id, default);
    }

    #[test]
    fn rows_stored_with_the_acl_holding_its_associations_still_load() {
        let (w, _, vpc, subnet) = setup();
        let default = w.vpcs.get(&vpc).unwrap().default_network_acl_id.clone();
        let association = w.subnets.get(&subnet).unwrap().network_acl_association.clone().unwrap();
        // Rows as versions before this one wrote them: the list in the ACL's row, none in the
        // subnet's.
        let mut old_subnet = serde_json::to_value(w.subnets.get(&subnet).unwrap()).unwrap();
        old_subnet.as_object_mut().unwrap().remove("network_acl_association");
        let mut old_acl = serde_json::to_value(w.network_acls.get(&default).unwrap()).unwrap();
        old_acl.as_object_mut().unwrap().insert(
            "associations".into(),
            serde_json::json!([{ "id": association.id, "subnet_id": subnet }]),
        );
        let mut loaded = World::default();
        loaded.load_row("subnet", subnet.clone(), &old_subnet.to_string()).unwrap();
        loaded.load_row("network_acl", default.clone(), &old_acl.to_string()).unwrap();
        loaded.finish_load();
        assert_eq!(loaded.network_acl_for_subnet(&subnet).unwrap().id, default);
        let listed = loaded.network_acls.get(&default).unwrap().associations.clone();
        assert_eq!(
            listed,
            vec![NetworkAclAssociation { id: association.id.clone(), subnet_id: subnet.clone() }]
        );
        // The migration is written back: the subnet with its association, the ACL without.
        let rows = loaded.take_changes().unwrap().rows;
        let body =
            |kind: &str| rows.iter().find(|r| r.kind == kind).and_then(|r| r.body.clone()).unwrap();
        assert!(body("subnet").contains(&association.id));
        assert!(!body("network_acl").contains("associations"));
        // Loading the written rows again gives the same world.
        let mut again = World::default();
        again.load_row("subnet", subnet.clone(), &body("subnet")).unwrap();
        again.load_row("network_acl", default.clone(), &body("network_acl")).unwrap();
        again.finish_load();
        assert_eq!(again.network_acls.get(&default).unwrap().associations, listed);
    }

    #[test]
    fn undone_associations_leave_the_lists_as_they_were() {
        let (mut w, s, vpc, subnet) = setup();
        w.take_changes().unwrap();
        let default = w.vpcs.get(&vpc).unwrap().default_network_acl_id.clone();
        let custom = w.create_network_acl(&s, &vpc, &[]).unwrap();
        w.take_changes().unwrap();
        let assoc = w.subnets.get(&subnet).unwrap().network_acl_association.clone().unwrap().id;
        let list = |w: &World, acl: &str| w.network_acls.get(acl).unwrap().associations.clone();
        let (d, c) = (list(&w, &default), list(&w, &custom));
        // Rolled back within the operation, the default ACL's row changed too.
        w.create_network_acl_entry(&s, &default, &tcp(5, false)).unwrap();
        w.replace_network_acl_association(&s, &assoc, &custom).unwrap();
        w.create_subnet(&s, &vpc, "10.0.9.0/24", None, None, &[]).unwrap();
        w.rollback();
        assert_eq!((list(&w, &default), list(&w, &custom)), (d.clone(), c.clone()));
        assert_eq!(w.index_drift(), Vec::<&str>::new());
        // Undone after it ended.
        let new = w.replace_network_acl_association(&s, &assoc, &custom).unwrap();
        let undo = w.take_changes().unwrap().undo;
        assert_eq!(list(&w, &custom)[0].id, new);
        assert!(list(&w, &default).is_empty());
        w.undo(undo);
        assert_eq!((list(&w, &default), list(&w, &custom)), (d, c));
        assert_eq!(w.index_drift(), Vec::<&str>::new());
        assert_eq!(w.network_acl_for_subnet(&subnet).unwrap().id, default);
        // Deleting the subnet takes it off the list.
        w.delete_subnet(&s, &subnet).unwrap();
        assert!(list(&w, &default).is_empty());
    }
}
