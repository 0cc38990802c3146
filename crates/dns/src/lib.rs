#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]
//! The DNS data plane: an authoritative server for Route 53's hosted zones, and the VPC
//! resolver's view of them.
//!
//! The binary turns hosted zones, health checks and CIDR collections into a plain [`Config`]
//! and hands it to [`Plane::apply`] after every change; the plane works on that configuration
//! alone and never changes the model. Each [`View`] — the public one (all public zones), one
//! per VPC with names of its own (its private zones first, then the public ones, and its
//! Resolver rules), and one shared by every other VPC's resolver — is served over UDP and TCP
//! on its own address ([`Plane::listeners`] says where).
//!
//! - [`wire`]: the DNS message format (RFC 1035, EDNS RFC 6891, client subnet RFC 7871),
//!   parsing queries defensively and writing responses with compression and truncation.
//! - [`config`]: zones, record sets and their routing policies, health checks, views, client
//!   locations.
//! - [`from_model`]: the model's Route 53 resources (and the VPCs' resolvers) as a [`Config`],
//!   in two parts the binary re-translates separately: the zones and the views.
//! - [`forward`]: Route 53 Resolver's FORWARD rules — a VPC view sends the names under a
//!   rule's domain to its targets (UDP, TCP when asked or truncated; the next target on
//!   timeout) and relays the answers.
//! - [`answer`]: the engine — a [`answer::Snapshot`] compiled from a config, answering by
//!   hash lookups: zones, wildcards, CNAME chains, delegations, negative answers, routing.
//! - [`geo`]: region coordinates and distances (latency and geoproximity routing).
//! - [`health`]: real HTTP/HTTPS/TCP probes, string matching, calculated checks, and the
//!   [`HealthView`] the API reads (`GetHealthCheckStatus`).
//! - [`plane`]: [`Plane`] itself — listeners and checkers reconciled to a config, and
//!   [`Plane::test_answer`], one question answered as a listener would (TestDNSAnswer).
//!
//! Modules use only those below them: `wire`, `rng` (the per-thread random numbers record
//! choices and forwarded queries draw on) and `geo` at the bottom; `config` on `wire`;
//! `health` on `config`; `answer` on those; `forward` on `rng`; `from_model` builds
//! a `config`; `plane` uses them all.
//!
//! Whatever the plane sends away — health check probes, forwarded queries — goes only where
//! its egress policy allows ([`Plane::with`], `guard::egress`; loopback only by
//! default), judged on the address actually dialled: a refused health check fails naming the
//! address and `--egress-allow`, a refused forwarding target is skipped (SERVFAIL at once when
//! none is left). A check's name is resolved by the public hosted zones first, and by the
//! system resolver only when the policy reaches beyond loopback.
//!
//! Not done (yet): recursion (a name in no zone of a view and under no forwarding rule is
//! REFUSED, on VPC views too);
//! DNSSEC signing (DS records are served, nothing is signed; the DO bit is only echoed);
//! zone transfers (REFUSED); CloudWatch-alarm health checks; per-region health checkers
//! (one local checker stands for all of them); query logging.

pub mod answer;
pub mod config;
pub mod forward;
pub mod from_model;
pub mod geo;
pub mod health;
pub mod plane;
mod rng;
pub mod wire;

pub use config::*;
pub use health::{CheckStatus, HealthView, Report};
pub use plane::{Plane, TCP_IDLE, TestAnswer, ViewEndpoint};
