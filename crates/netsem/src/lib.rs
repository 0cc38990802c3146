#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]
//! The semantics engine: given the network of a [`model::World`], what happens to a packet.
//!
//! This is the one place where vpclab decides whether traffic gets through, so traces,
//! analyses, flow logs and the live data planes can never disagree. It does no I/O and knows
//! nothing of HTTP.
//!
//! The building blocks, each answering with the rule or route that decided so that every
//! verdict can be explained:
//!
//! - [`packet`]: a [`packet::Packet`] — protocol, addresses and ports.
//! - [`routes`]: longest-prefix match in a route table ([`routes::lookup`]), with AWS's order
//!   among equally specific routes.
//! - [`network_acls`]: numbered entries evaluated in order, first match wins, stateless
//!   ([`network_acls::evaluate`]).
//! - [`security_groups`]: allow-only rules of all the groups of an interface, with group
//!   references and prefix lists ([`security_groups::evaluate`]); stateful — the caller asks
//!   only about the direction that opens a flow.
//!
//! Path tracing (hop by hop, forward and return, [`trace`]) is built from these blocks, and
//! [`analysis`] writes a trace down as a Reachability Analyzer analysis stores it.

pub mod analysis;
pub mod endpoint;
pub mod header;
pub mod index;
#[cfg(test)]
mod lab;
pub mod network_acls;
pub mod packet;
pub mod routes;
pub mod security_groups;
pub mod trace;
