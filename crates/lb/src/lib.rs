#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]
//! The load balancer data plane: listeners that really balance.
//!
//! [`from_model::translate`] turns the model's ELBv2 resources into a plain [`Config`], which
//! the binary hands to [`Plane::apply`] after every change; the plane itself works on that
//! configuration alone and never changes the model. Each listener gets a
//! local port on [`Options::bind_ip`] ([`Plane::endpoints`] says which); applying a new
//! configuration swaps rules and targets under live connections.
//!
//! The modules, from the bottom up (each uses only modules above it in this list, so there is
//! no cycle):
//!
//! - [`config`]: balancers, listeners, rules, actions, target groups, targets, health checks.
//!   Plain data; uses no other module. [`from_model`] builds it from the model, and nothing
//!   else uses `from_model`.
//! - [`matching`]: listener rule conditions (host, path, header, method, query, source IP) as
//!   pure functions.
//! - [`state`]: the snapshot one apply publishes, and per-target runtime state (health,
//!   requests in flight) that outlives snapshots; target selection (round robin, least
//!   outstanding requests, weighted random, flow hash; fail-open when none is healthy); and
//!   [`state::Shared`], what every listener's serving tasks hold (the snapshot being served,
//!   the serving threads, the egress policy, the limits).
//! - [`tls`]: TLS termination for HTTPS and TLS listeners (PEM pair, or self-signed for the
//!   balancer's DNS name): the rustls configuration, swapped under a running listener when its
//!   certificate changes, and the handshake each accepted connection gets.
//! - [`health`] (config, matching, state): the probes and the threshold counting that turns
//!   them into verdicts.
//! - [`alb`] (config, matching, state, tls): the HTTP listener's accept loop and the reverse
//!   proxy — rules, forward/redirect/fixed-response, stickiness cookies, `X-Forwarded-*`,
//!   WebSockets, ALB's error pages; also requests reaching a balancer by `Host` on vpclab's
//!   main port.
//! - [`nlb`] (config, state, tls): TCP and UDP pass-through, PROXY protocol v2.
//! - [`plane`] (all of the above but `matching` and `from_model`): [`Plane`] itself — it only
//!   reconciles: publishes each new snapshot, opens and closes listeners (handing each to
//!   `alb` or `nlb`), swaps certificates, starts and stops health checkers.
//!
//! Every connection to a target — health checks, proxied requests, TCP and UDP flows — is
//! dialled through [`Options::egress`] (`guard::egress`), which refuses before any packet is
//! sent: a refused target is `unhealthy` (`Target.FailedHealthChecks`, naming the address and
//! `--egress-allow`), an ALB answers 502 for it at once, an NLB closes the connection.
//!
//! Not done (yet): cross-zone off (one local node stands for every zone, so targets of all
//! zones get traffic); HTTPS *target groups* and HTTPS health checks (the plane speaks plain
//! HTTP to targets; an HTTPS check only connects); TLS listeners re-encrypting to TLS target
//! groups; the balancer's idle and keep-alive attributes for client connections (every
//! listener applies the server's limits instead, [`Options::limits`]: a connection cap,
//! header-read and idle timeouts, through a `guard::limits::Gate`); authentication actions; 460
//! (clients that go away are simply dropped); gateway load balancers (no listener is opened).
//! Locally a target sees the plane's address, not the client's (see [`nlb`]).

pub mod alb;
pub mod config;
pub mod from_model;
pub mod health;
pub mod matching;
pub mod nlb;
pub mod plane;
pub mod state;
pub mod tls;

pub use alb::Body;
pub use config::*;
pub use plane::{ListenerEndpoint, Options, Plane};
pub use state::{HealthState, Observed};
