//! Lookups the engine makes on every hop, prepared once per version of the world.
//!
//! The model answers "which route table does this subnet use?" by scanning; a trace asks such
//! questions a dozen times, so the engine builds these maps once for a snapshot and reuses
//! them for every trace until the world changes.

use crate::header::{Span, v4_span};
use crate::prefix_lists::PrefixLists;
use model::World;
use model::transit_gateway::{TgwRoute, TgwRouteType};
use model::types::ec2::{AssociationTarget, RouteTable};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};

/// An interface's address, and the private address behind a public one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub interface_id: String,
    pub private: IpAddr,
}

#[derive(Debug, Default)]
pub struct Index {
    /// Private IPv4 or IPv6 address → (VPC, the interface holding it); VPCs may overlap.
    private: HashMap<IpAddr, Vec<(String, String)>>,
    /// Public IPv4 → (region, the interface and private address it maps to).
    public: HashMap<Ipv4Addr, Vec<(String, Holder)>>,
    route_table_of_subnet: HashMap<String, String>,
    main_route_table: HashMap<String, String>,
    /// Gateway (IGW/VGW) → the route table edge-associated with it.
    edge_route_table: HashMap<String, String>,
    acl_of_subnet: HashMap<String, String>,
    internet_gateway_of_vpc: HashMap<String, String>,
    /// The blocks of every prefix list a route or rule references.
    pub prefix_lists: PrefixLists,
    /// Route tables that receive propagated routes (from virtual private gateways), with
    /// those routes added: what the engine routes by.
    effective_route_tables: HashMap<String, RouteTable>,
    /// Transit gateway route table → its routes in force, most specific first (static before
    /// propagated on equal prefixes): the first that covers a destination is the one taken.
    transit_routes: HashMap<String, Vec<(Span, TgwRoute)>>,
}

impl Index {
    pub fn build(world: &World) -> Index {
        let mut index = Index { prefix_lists: PrefixLists::build(world), ..Index::default() };
        for eni in world.network_interfaces.values() {
            for ip in &eni.private_ips {
                index
                    .private
                    .entry(IpAddr::V4(ip.address))
                    .or_default()
                    .push((eni.vpc_id.clone(), eni.id.clone()));
                if let Some(public) = &ip.public {
                    index.public.entry(public.address).or_default().push((
                        eni.owner.region.clone(),
                        Holder { interface_id: eni.id.clone(), private: IpAddr::V4(ip.address) },
                    ));
                }
            }
            for ip in &eni.ipv6_addresses {
                index
                    .private
                    .entry(IpAddr::V6(*ip))
                    .or_default()
                    .push((eni.vpc_id.clone(), eni.id.clone()));
            }
        }
        for table in world.route_tables.values() {
            for association in &table.associations {
                let map = match &association.target {
                    AssociationTarget::Main => {
                        index.main_route_table.insert(table.vpc_id.clone(), table.id.clone());
                        continue;
                    }
                    AssociationTarget::Subnet(id) => (&mut index.route_table_of_subnet, id),
                    AssociationTarget::Gateway(id) => (&mut index.edge_route_table, id),
                };
                map.0.insert(map.1.clone(), table.id.clone());
            }
        }
        for table in world.route_tables.values().filter(|t| !t.propagating_vgws.is_empty()) {
            let propagated = world.propagated_routes(table);
            if !propagated.is_empty() {
                let mut effective = table.clone();
                effective.routes.extend(propagated);
                index.effective_route_tables.insert(table.id.clone(), effective);
            }
        }
        for acl in world.network_acls.values() {
            for association in &acl.associations {
                index.acl_of_subnet.insert(association.subnet_id.clone(), acl.id.clone());
            }
        }
        for igw in world.internet_gateways.values() {
            if let Some(vpc) = &igw.attached_vpc_id {
                index.internet_gateway_of_vpc.insert(vpc.clone(), igw.id.clone());
            }
        }
        for table in world.transit_gateway_route_tables.values().filter(|t| t.is_live()) {
            let mut routes: Vec<(Span, TgwRoute)> = world
                .transit_gateway_routes(&table.id)
                .into_iter()
                .map(|r| (v4_span(r.destination), r))
                .collect();
            routes.sort_by_key(|(_, r)| {
                (
                    std::cmp::Reverse(r.destination.prefix_len()),
                    r.route_type != TgwRouteType::Static,
                )
            });
            index.transit_routes.insert(table.id.clone(), routes);
        }
        index
    }

    /// The route transit gateway route table `table` sends `destinations` by: the most specific
    /// route covering all of them.
    pub fn transit_route(&self, table: &str, destinations: Span) -> Option<&TgwRoute> {
        let routes = self.transit_routes.get(table)?;
        routes.iter().find(|(span, _)| span.contains(destinations)).map(|(_, r)| r)
    }

    /// The most specific route of `table` to attachment `attachment` that meets
    /// `destinations`, and the destinations it carries.
    pub fn transit_route_to(
        &self,
        table: &str,
        attachment: &str,
        destinations: Span,
    ) -> Option<(&TgwRoute, Span)> {
        self.transit_routes.get(table)?.iter().find_map(|(span, r)| {
            if !r.attachment_ids.iter().any(|a| a == attachment) {
                return None;
            }
            Some((r, span.intersect(destinations)?))
        })
    }

    /// The interface of `vpc` that holds the private address `address`.
    pub fn interface_at(&self, vpc: &str, address: IpAddr) -> Option<&str> {
        self.interfaces_at(address).find(|(v, _)| *v == vpc).map(|(_, eni)| eni)
    }

    /// Every (VPC, interface) holding the private address `address`.
    pub fn interfaces_at(&self, address: IpAddr) -> impl Iterator<Item = (&str, &str)> {
        self.private.get(&address).into_iter().flatten().map(|(v, e)| (v.as_str(), e.as_str()))
    }

    /// The interface and private address behind a public IPv4 address of `region`.
    pub fn public_holder(&self, region: &str, address: Ipv4Addr) -> Option<&Holder> {
        self.public.get(&address)?.iter().find(|(r, _)| r == region).map(|(_, h)| h)
    }

    /// The route table of a subnet: its explicit association, else its VPC's main table.
    pub fn route_table_of_subnet(&self, subnet: &str, vpc: &str) -> Option<&str> {
        self.route_table_of_subnet
            .get(subnet)
            .or_else(|| self.main_route_table.get(vpc))
            .map(String::as_str)
    }

    /// A route table as the engine routes by it: with the routes propagated into it.
    pub fn route_table<'a>(&'a self, world: &'a World, id: &str) -> Option<&'a RouteTable> {
        self.effective_route_tables.get(id).or_else(|| world.route_tables.get(id))
    }

    pub fn edge_route_table(&self, gateway: &str) -> Option<&str> {
        self.edge_route_table.get(gateway).map(String::as_str)
    }

    pub fn acl_of_subnet(&self, subnet: &str) -> Option<&str> {
        self.acl_of_subnet.get(subnet).map(String::as_str)
    }

    pub fn internet_gateway_of_vpc(&self, vpc: &str) -> Option<&str> {
        self.internet_gateway_of_vpc.get(vpc).map(String::as_str)
    }
}

/// The index of the latest version of a world, rebuilt only when the world has changed.
#[derive(Debug, Default)]
pub struct Cache {
    latest: Mutex<Option<(u64, Arc<Index>)>>,
}

impl Cache {
    /// The index of `world` as it is now.
    pub fn get(&self, world: &World) -> Arc<Index> {
        let mut latest = self.latest.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match &*latest {
            Some((version, index)) if *version == world.version => index.clone(),
            _ => {
                let index = Arc::new(Index::build(world));
                *latest = Some((world.version, index.clone()));
                index
            }
        }
    }
}
