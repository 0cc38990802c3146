#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]
//! The load balancer data plane: listeners that really balance.
//!
//! The binary turns ELBv2 resources into a plain [`config::Config`]; this crate knows nothing of
//! the model or the API.
//!
//! - [`config`]: balancers, listeners, rules, actions, target groups, targets, health checks.
//! - [`matching`]: listener rule conditions (host, path, header, method, query, source IP) as
//!   pure functions.

pub mod config;
pub mod matching;
