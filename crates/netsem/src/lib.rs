#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]
//! The semantics engine: given the network of a [`model::World`], what happens to a packet.
//!
//! This is the one place where vpclab decides whether traffic gets through, so traces,
//! analyses, flow logs and the live data planes can never disagree. It does no I/O and knows
//! nothing of HTTP.
//!
//! How it fits together:
//!
//! - [`header`]: packet *sets* — a protocol and a span per field (addresses, ports). A single
//!   packet ([`packet::Packet`]) is the set with one value per field. Rules narrow sets.
//! - [`routes`]: longest-prefix match in a route table ([`routes::lookup`]), with AWS's order
//!   among equally specific routes.
//! - [`network_acls`]: numbered entries, first match wins, stateless, set-wise (a deny numbered
//!   first carves its packets out of a later allow).
//! - [`security_groups`]: allow-only rules of all the groups of an interface, with group
//!   references and prefix lists; stateful — only the opening direction is judged.
//! - [`prefix_lists`]: the blocks of the prefix lists (AWS- and customer-managed) that routes
//!   and rules reference, resolved once per version of the world.
//! - [`trace`]: the walk from a source ([`endpoint::Endpoint`]) to a destination and back,
//!   hop by hop, each hop naming the rule or route that decided, and every blocking component
//!   explained with Reachability Analyzer's codes. `trace/mod.rs` holds the questions, answers
//!   and the walk's framework (the driving loop, hop records, the state the reply inherits);
//!   each construct the packets cross is a file of its own under `trace/` (interfaces,
//!   security groups, network ACLs, route tables, internet and NAT gateways, peering, VPN and
//!   Direct Connect, gateway endpoints, Client VPN, transit gateways, PrivateLink, load
//!   balancers). A path's ends are typed: an interface (and what it stands for), or addresses
//!   outside the VPCs beyond a named kind of component. [`index::Index`] holds the lookups a
//!   walk makes, built once per version of the world.
//! - [`flows`]: traffic files replayed through [`trace`], giving the flow log records each
//!   interface writes.
//! - [`analysis`]: a trace written down as a Reachability Analyzer analysis stores it.
//! - [`explain`]: components, rules and explanations in words.
//!
//! Modules use only those below them: `prefix_lists` under `index`, `index` under `trace`,
//! `trace` under `analysis` and `flows`. The tests of the engine's walk sit above all of them
//! in `*_tests.rs` modules (`trace_tests`, `nat_tests`, …), next to `lab`, the small network
//! they are built on, which itself uses `trace` and `analysis`.

pub mod access;
#[cfg(test)]
mod access_tests;
pub mod analysis;
#[cfg(test)]
mod client_vpn_tests;
#[cfg(test)]
mod direct_connect_tests;
pub mod endpoint;
#[cfg(test)]
mod endpoint_tests;
pub mod explain;
pub mod flows;
pub mod header;
pub mod index;
#[cfg(test)]
mod lab;
#[cfg(test)]
mod load_balancer_tests;
#[cfg(test)]
mod nat_tests;
pub mod network_acls;
pub mod packet;
#[cfg(test)]
mod peering_tests;
pub mod prefix_lists;
#[cfg(test)]
mod privatelink_tests;
pub mod routes;
pub mod security_groups;
pub mod trace;
#[cfg(test)]
mod trace_tests;
#[cfg(test)]
mod transit_tests;
#[cfg(test)]
mod vpn_tests;
