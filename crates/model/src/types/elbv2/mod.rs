//! ELBv2's stored types: load balancers, target groups, listeners and their rules.

pub mod listener;
pub mod load_balancer;
pub mod target_group;
