//! Integration tests of the load balancer data plane: real sockets on 127.0.0.1, real hyper
//! backends, and assertions on what a client sees.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod alb;
mod egress;
mod health;
mod limits;
mod nlb;
mod support;
mod tls;
