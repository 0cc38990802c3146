//! The request and response shapes of the AWS operations vpclab serves.
//!
//! Every file here except this one is written by `cargo run -p codegen` from botocore's service
//! models, for the operations listed in `crates/codegen/operations/<service>.txt`; CI re-runs the
//! generator with `--check` and fails on a difference. Request shapes implement
//! [`wire::FromQuery`] (with AWS's `MissingParameter` for absent required members and
//! `InvalidParameterValue` for values outside an enum); response shapes implement [`wire::ToXml`]. Route 53's (restXml) request shapes implement
//! [`wire::rest::FromRest`] and its response shapes [`wire::rest::RestOutput`] as well.

pub mod direct_connect;
pub mod ec2;
pub mod elbv2;
pub mod route53;
pub mod route53_resolver;
pub mod sts;
