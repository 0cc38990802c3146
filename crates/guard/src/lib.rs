#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]
//! vpclab's limits towards the outside world, shared by every listener and every data plane.
//!
//! vpclab runs next to a developer's browser and company network, so what it connects to and
//! what it accepts are bounded in one place:
//!
//! - [`egress`]: the egress policy (`--egress-allow`). Every connection the server itself
//!   opens — load balancer targets and their health checks, Route 53 health checks, Resolver
//!   forwarding — asks it first, on the address actually dialled.
//! - [`limits`]: connection limits and timeouts for the listeners clients connect to (the API
//!   port, load balancer listeners, the DNS server's TCP port).

pub mod egress;
pub mod limits;
