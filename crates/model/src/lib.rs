#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]
//! The network model: every resource of every account and region, and the rules AWS enforces
//! when they change.
//!
//! A [`World`] holds one [`Table`] per resource kind (VPCs, subnets, route tables, …). Each
//! resource records its owner [`Scope`] (account and region). Operations are methods on `World`
//! grouped by resource in the modules below; they validate as AWS validates and fail with an
//! [`Error`] carrying AWS's exact error code (a [`codes::Code`]: no code is a string). Tables remember what an operation changed, so the
//! caller either commits the changed rows to the store ([`World::take_changes`]) or undoes them
//! ([`World::rollback`]): an operation is all or nothing. An ended operation can still be
//! undone from its [`Undo`] record ([`World::undo`]) until the store says it is durable.
//! [`references`] says which rows name which; [`World::dangling_references`] finds the ones
//! that lead nowhere (checked when stored state is loaded).
//!
//! The modules are in layers, each importing only those below it: the ground ([`error`],
//! [`cidr`], [`ids`], [`table`], [`kinds`] — the one registry of resources —, [`scope`],
//! [`quotas`]); the stored types per service ([`types`]: plain data, no `World`); the world
//! ([`references`], [`world`], [`lookup`], [`tags`]); and the operations per resource on top,
//! each re-exporting its service's types.
//!
//! Nothing here does I/O or knows about HTTP: the API layer turns requests into these calls,
//! the semantics engine reads the same structures to decide what packets do.

pub mod access_analysis;
pub mod access_scope;
pub mod address;
pub mod cidr;
pub mod client_vpn;
pub mod dhcp;
pub mod direct_connect;
pub mod elb_catalog;
pub mod endpoint_service;
pub mod eni;
pub mod error;
pub mod flow_log;
pub mod gateway;
pub mod ids;
pub mod indexes;
pub mod instance;
pub mod instance_types;
pub mod kinds;
pub mod listener;
pub mod load_balancer;
pub mod lookup;
pub mod nat_gateway;
pub mod network_acl;
pub mod network_insights;
pub mod peering;
pub mod prefix_list;
pub mod quotas;
pub mod references;
pub mod regions;
pub mod route53;
pub mod route53_resolver;
pub mod route_table;
pub mod scope;
pub mod security_group;
pub mod subnet;
pub mod table;
pub mod tags;
pub mod target_group;
#[cfg(test)]
mod testkit;
pub mod tgw_peering;
pub mod traffic_mirror;
pub mod transit_gateway;
pub mod types;
pub mod vpc;
pub mod vpc_endpoint;
pub mod vpn;
pub mod world;

pub use error::{Error, Result};
pub use quotas::{DEFAULT_LISTENER_PORTS, Quotas};
pub use references::DanglingReference;
pub use scope::Scope;
pub use table::{RowChange, Table};
pub use world::{Changes, Undo, World};
