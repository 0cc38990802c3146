#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]
//! placeholder
pub mod answer;
pub mod config;
pub mod geo;
pub mod health;
pub mod wire;
pub use config::*;
