//! Integration tests of the DNS data plane: real UDP and TCP sockets on 127.0.0.1, a tiny
//! client, real HTTP servers for health checks, and assertions on what a resolver sees.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod forward;
mod health;
mod serve;
mod support;
