//! The resources as stored, per service: plain data and what can be said about one row alone.
//! Nothing here knows the [`crate::World`] or calls an operation; the world's tables hold
//! these types and the operation modules above change them.

pub mod direct_connect;
pub mod ec2;
pub mod elbv2;
pub mod route53;
pub mod route53_resolver;
