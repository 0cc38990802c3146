//! EC2 (ec2Query protocol): the VPC networking operations.
//!
//! Each resource module lists its operations in `handlers()`: (operation name, [`Handler`]). A
//! handler is an ordinary function from the generated request shape to the generated response
//! shape; [`read`] and [`write`] (the shared [`crate::registry`] adapters) make it an
//! operation. The one EC2 [`Registry`] decodes the parameters (refusing unknown ones with
//! `UnknownParameter`) outside any lock, answers `DryRun` requests with `DryRunOperation`, runs
//! readers under [`crate::Api::read`] and writers under [`crate::Api::mutate`], and renders
//! `<ActionResponse>` once the lock is released.

pub mod common;
pub mod describe;
pub mod filter;
pub mod page;

mod address;
mod client_vpn;
mod dhcp;
mod endpoint_service;
mod eni;
mod flow_log;
mod gateway;
mod instance;
mod nat_gateway;
mod network_acl;
mod network_insights;
mod peering;
mod prefix_list;
mod regions;
mod route_table;
mod security_group;
mod subnet;
mod tags;
mod tgw_peering;
mod traffic_mirror;
mod transit_gateway;
mod vpc;
mod vpc_endpoint;
mod vpn;

use crate::registry::{self, Query, Registry};
use crate::{Api, Reply, Request};
use std::sync::OnceLock;
use wire::{ApiError, QueryMap, ToXml, XmlWriter};

pub use crate::registry::Ctx;

/// The namespace of EC2 response documents.
pub const XMLNS: &str = "http://ec2.amazonaws.com/doc/2016-11-15/";

/// An EC2 operation, as a resource module lists it.
pub type Handler = registry::Operation<Query>;

/// Adapts a handler that only reads ([`registry::read`]).
pub use crate::registry::read;
/// Adapts a handler that changes the world ([`registry::write`]).
pub use crate::registry::write;

/// `DryRun=true` (any case), checked once the request decodes: AWS answers
/// `DryRunOperation` without touching anything.
fn dry_run(q: &QueryMap) -> Result<(), ApiError> {
    if q.peek("DryRun").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return Err(ApiError::dry_run());
    }
    Ok(())
}

/// `<ActionResponse xmlns=…><requestId>…</requestId>…</ActionResponse>`.
fn render(ctx: &Ctx<'_>, action: &str, answer: &(dyn ToXml + Send)) -> Reply {
    let mut w = XmlWriter::document();
    w.open_with_xmlns(&format!("{action}Response"), XMLNS);
    w.leaf("requestId", &ctx.request_id);
    let mut out = w.finish();
    let mut body = XmlWriter::new();
    answer.write_xml(&mut body);
    out.push_str(&body.finish());
    out.push_str(&format!("</{action}Response>"));
    Reply::ok("text/xml", out)
}

fn registry() -> &'static Registry<Query> {
    static REGISTRY: OnceLock<Registry<Query>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        Registry::new(
            [
                regions::handlers(),
                vpc::handlers(),
                subnet::handlers(),
                route_table::handlers(),
                gateway::handlers(),
                dhcp::handlers(),
                prefix_list::handlers(),
                tags::handlers(),
                security_group::handlers(),
                network_acl::handlers(),
                eni::handlers(),
                address::handlers(),
                instance::handlers(),
                flow_log::handlers(),
                network_insights::handlers(),
                nat_gateway::handlers(),
                peering::handlers(),
                vpc_endpoint::handlers(),
                vpn::handlers(),
                transit_gateway::handlers(),
                client_vpn::handlers(),
                traffic_mirror::handlers(),
                endpoint_service::handlers(),
                tgw_peering::handlers(),
            ],
            ApiError::invalid_action,
            render,
        )
        .with_check(dry_run)
    })
}

/// The operations served, sorted.
pub fn operations() -> Vec<&'static str> {
    registry().operations()
}

/// Whether an EC2 operation only reads (its handler is a reader).
pub(crate) fn is_read(action: &str) -> bool {
    registry().is_read(action)
}

pub(crate) async fn handle(api: &Api, request: &Request) -> Result<Reply, ApiError> {
    let q = &request.params;
    let action = match q.action() {
        Some(a) if !a.is_empty() => a,
        _ => return Err(ApiError::missing_parameter("Action")),
    };
    let ctx = Ctx::new(api, &request.scope, &request.request_id);
    registry().serve(&ctx, action, q).await
}
