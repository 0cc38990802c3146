//! The secondary indexes the operations look rows up by (see [`crate::table::Table::index_by`]):
//! derived from the rows, never stored, so that building a network costs O(log n) a call
//! however large it grows — no quota count, overlap check, address or association lookup scans a
//! whole table.

use crate::scope::Scope;
use crate::types::ec2::*;
use crate::world::World;

/// The key of the rows of one account and region.
pub fn scope_key(scope: &Scope) -> String {
    format!("o:{}/{}", scope.account, scope.region)
}

/// The key of the rows of a VPC.
pub fn vpc_key(vpc_id: &str) -> String {
    format!("v:{vpc_id}")
}

/// The key of a VPC's subnet whose IPv4 block starts at `first` (hex, so keys sort as
/// addresses do).
pub fn subnet_block_key(vpc_id: &str, first: u32) -> String {
    format!("c:{vpc_id}:{first:08x}")
}

/// The key of the interfaces of a subnet.
pub fn subnet_key(subnet_id: &str) -> String {
    format!("s:{subnet_id}")
}

/// The key of the interfaces and volumes attached to an instance.
pub fn instance_key(instance_id: &str) -> String {
    format!("i:{instance_id}")
}

/// The key of the rows holding an association (route table or network ACL) or a security group
/// rule, by its id; of the interfaces in a security group, by the group's id.
pub fn member_key(id: &str) -> String {
    format!("m:{id}")
}

/// The key of the route table associated with a target (a VPC's main association, a subnet,
/// a gateway).
pub fn association_target_key(vpc_id: &str, target: &AssociationTarget) -> String {
    match target {
        AssociationTarget::Main => format!("t:main:{vpc_id}"),
        AssociationTarget::Subnet(s) => format!("t:{s}"),
        AssociationTarget::Gateway(g) => format!("t:{g}"),
    }
}

/// The key of a VPC's security group by name (names are unique in a VPC whatever their case).
pub fn group_name_key(vpc_id: &str, name: &str) -> String {
    format!("n:{vpc_id}:{}", name.to_ascii_lowercase())
}

/// The key of the Elastic IPs associated with an interface.
pub fn interface_key(eni_id: &str) -> String {
    format!("e:{eni_id}")
}

fn subnet_keys(s: &Subnet, out: &mut Vec<String>) {
    out.push(scope_key(&s.owner));
    out.push(vpc_key(&s.vpc_id));
    if let Some(block) = s.cidr {
        out.push(subnet_block_key(&s.vpc_id, block.first()));
    }
    if let Some(a) = &s.network_acl_association {
        out.push(member_key(&a.id));
    }
}

fn interface_keys(e: &NetworkInterface, out: &mut Vec<String>) {
    out.push(scope_key(&e.owner));
    out.push(vpc_key(&e.vpc_id));
    out.push(subnet_key(&e.subnet_id));
    for g in &e.security_groups {
        out.push(member_key(g));
    }
    if let Some(a) = &e.attachment {
        out.push(instance_key(&a.instance_id));
    }
}

fn route_table_keys(t: &RouteTable, out: &mut Vec<String>) {
    out.push(scope_key(&t.owner));
    out.push(vpc_key(&t.vpc_id));
    for a in &t.associations {
        out.push(member_key(&a.id));
        out.push(association_target_key(&t.vpc_id, &a.target));
    }
}

fn network_acl_keys(a: &NetworkAcl, out: &mut Vec<String>) {
    out.push(scope_key(&a.owner));
    out.push(vpc_key(&a.vpc_id));
}

fn security_group_keys(g: &SecurityGroup, out: &mut Vec<String>) {
    out.push(scope_key(&g.owner));
    out.push(vpc_key(&g.vpc_id));
    out.push(group_name_key(&g.vpc_id, &g.name));
    for r in g.ingress.iter().chain(&g.egress) {
        out.push(member_key(&r.id));
    }
}

fn address_keys(a: &Address, out: &mut Vec<String>) {
    out.push(scope_key(&a.owner));
    if let Some(x) = &a.association {
        out.push(interface_key(&x.network_interface_id));
    }
}

fn internet_gateway_keys(g: &InternetGateway, out: &mut Vec<String>) {
    out.push(scope_key(&g.owner));
    if let Some(vpc) = &g.attached_vpc_id {
        out.push(vpc_key(vpc));
    }
}

fn volume_keys(v: &Volume, out: &mut Vec<String>) {
    out.push(scope_key(&v.owner));
    if let Some(instance) = &v.attached_instance_id {
        out.push(instance_key(instance));
    }
}

macro_rules! scope_only {
    ($($name:ident: $ty:ty;)*) => {$(
        fn $name(r: &$ty, out: &mut Vec<String>) {
            out.push(scope_key(&r.owner));
        }
    )*};
}
scope_only! {
    vpc_keys: Vpc;
    instance_keys: Instance;
}

impl World {
    /// What derived state disagrees with the rows it is derived from — a table's index, or a
    /// network ACL's association list — by kind (for tests: it must always be empty).
    pub fn index_drift(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let tables = [
            ("subnet", self.subnets.index_matches_rows()),
            ("network_interface", self.network_interfaces.index_matches_rows()),
            ("route_table", self.route_tables.index_matches_rows()),
            ("network_acl", self.network_acls.index_matches_rows()),
            ("security_group", self.security_groups.index_matches_rows()),
            ("address", self.addresses.index_matches_rows()),
            ("internet_gateway", self.internet_gateways.index_matches_rows()),
            ("vpc", self.vpcs.index_matches_rows()),
            ("instance", self.instances.index_matches_rows()),
            ("volume", self.volumes.index_matches_rows()),
        ];
        out.extend(tables.into_iter().filter(|(_, ok)| !ok).map(|(kind, _)| kind));
        let mut lists: std::collections::BTreeMap<&str, Vec<NetworkAclAssociation>> =
            Default::default();
        for s in self.subnets.values() {
            if let Some(a) = &s.network_acl_association {
                let list = lists.entry(a.network_acl_id.as_str()).or_default();
                list.push(NetworkAclAssociation { id: a.id.clone(), subnet_id: s.id.clone() });
            }
        }
        let acl_lists_match = self.network_acls.values().all(|acl| {
            acl.associations.as_slice() == lists.get(acl.id.as_str()).map_or(&[][..], |l| l)
        });
        if !acl_lists_match {
            out.push("network ACL associations");
        }
        let held = self.held_offsets();
        let empty = std::collections::BTreeSet::new();
        if self
            .subnets
            .values()
            .any(|s| s.used_offsets != *held.get(s.id.as_str()).unwrap_or(&empty))
        {
            out.push("subnet addresses in use");
        }
        out
    }

    /// Sets every subnet's addresses in use from its interfaces' (after a load: they are not
    /// stored).
    pub(crate) fn derive_used_offsets(&mut self) {
        let held: Vec<(String, std::collections::BTreeSet<u32>)> =
            self.held_offsets().into_iter().map(|(s, o)| (s.to_owned(), o)).collect();
        let ids: Vec<String> = self.subnets.ids().cloned().collect();
        for id in &ids {
            if let Some(s) = self.subnets.derived_mut(id) {
                s.used_offsets.clear();
            }
        }
        for (id, offsets) in held {
            if let Some(s) = self.subnets.derived_mut(&id) {
                s.used_offsets = offsets;
            }
        }
    }

    /// Per subnet, the offsets (within its IPv4 block) of the private addresses its interfaces
    /// hold.
    pub(crate) fn held_offsets(
        &self,
    ) -> std::collections::BTreeMap<&str, std::collections::BTreeSet<u32>> {
        let mut held: std::collections::BTreeMap<&str, std::collections::BTreeSet<u32>> =
            Default::default();
        for e in self.network_interfaces.values() {
            let Some(block) = self.subnets.get(&e.subnet_id).and_then(|s| s.cidr) else { continue };
            let offsets = held.entry(e.subnet_id.as_str()).or_default();
            for ip in &e.private_ips {
                if let Some(o) = block.offset_of(ip.address) {
                    offsets.insert(o as u32);
                }
            }
        }
        held
    }

    /// Gives the tables their indexes (an empty world's, or rebuilt over the rows present).
    pub(crate) fn index_tables(&mut self) {
        self.subnets.index_by(subnet_keys);
        self.network_interfaces.index_by(interface_keys);
        self.route_tables.index_by(route_table_keys);
        self.network_acls.index_by(network_acl_keys);
        self.security_groups.index_by(security_group_keys);
        self.addresses.index_by(address_keys);
        self.internet_gateways.index_by(internet_gateway_keys);
        self.vpcs.index_by(vpc_keys);
        self.instances.index_by(instance_keys);
        self.volumes.index_by(volume_keys);
    }
}
