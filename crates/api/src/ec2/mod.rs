//! EC2 (ec2Query protocol): the VPC networking operations.
//!
//! Each resource module exports `HANDLERS`, a list of (operation name, [`Handler`]). A handler
//! is an ordinary function from the generated request shape to the generated response shape;
//! [`read`] and [`write`] adapt it: they decode the parameters (refusing unknown ones with
//! `UnknownParameter`), answer `DryRun` requests with `DryRunOperation`, and render the reply.
//! Read handlers share the world; write handlers go through [`crate::Api::mutate`].

pub mod common;
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

use crate::{Api, Fail, Outcome, Reply, Request};
use model::{Scope, World};
use std::collections::HashMap;
use std::sync::OnceLock;
use wire::{ApiError, FromQuery, QueryMap, ToXml, XmlWriter};

/// The namespace of EC2 response documents.
pub const XMLNS: &str = "http://ec2.amazonaws.com/doc/2016-11-15/";

/// What a handler knows of its caller.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub scope: Scope,
    pub request_id: String,
    /// The semantics engine's lookups, cached per version of the world.
    pub network_index: std::sync::Arc<netsem::index::Cache>,
}

type ReadFn = Box<dyn Fn(&Ctx, &World, &QueryMap) -> Result<String, ApiError> + Send + Sync>;
type WriteFn = Box<dyn Fn(&Ctx, &mut World, &QueryMap) -> Result<String, ApiError> + Send + Sync>;

/// An operation, as it touches the world.
pub enum Handler {
    Read(ReadFn),
    Write(WriteFn),
}

impl std::fmt::Debug for Handler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Handler::Read(_) => "Handler::Read",
            Handler::Write(_) => "Handler::Write",
        })
    }
}

fn decode<Req: FromQuery>(q: &QueryMap) -> Result<Req, ApiError> {
    let req = Req::from_query(q, "")?;
    q.reject_unused()?;
    if q.peek("DryRun").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return Err(ApiError::dry_run());
    }
    Ok(req)
}

fn body<Res: ToXml>(res: &Res) -> String {
    let mut w = XmlWriter::new();
    res.write_xml(&mut w);
    w.finish()
}

/// Adapts a handler that only reads.
pub fn read<Req: FromQuery + 'static, Res: ToXml + 'static>(
    f: fn(&Ctx, &World, Req) -> Outcome<Res>,
) -> Handler {
    Handler::Read(Box::new(move |ctx, world, q| {
        let req = decode::<Req>(q)?;
        f(ctx, world, req).map(|r| body(&r)).map_err(|Fail(e)| e)
    }))
}

/// Adapts a handler that changes the world.
pub fn write<Req: FromQuery + 'static, Res: ToXml + 'static>(
    f: fn(&Ctx, &mut World, Req) -> Outcome<Res>,
) -> Handler {
    Handler::Write(Box::new(move |ctx, world, q| {
        let req = decode::<Req>(q)?;
        f(ctx, world, req).map(|r| body(&r)).map_err(|Fail(e)| e)
    }))
}

fn registry() -> &'static HashMap<&'static str, Handler> {
    static REGISTRY: OnceLock<HashMap<&'static str, Handler>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut map = HashMap::new();
        for handlers in [
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
        ] {
            for (name, handler) in handlers {
                map.insert(name, handler);
            }
        }
        map
    })
}

/// The operations served, sorted.
pub fn operations() -> Vec<&'static str> {
    let mut ops: Vec<&str> = registry().keys().copied().collect();
    ops.sort_unstable();
    ops
}

/// Whether an EC2 operation only reads (its handler is a reader).
pub(crate) fn is_read(action: &str) -> bool {
    matches!(registry().get(action), Some(Handler::Read(_)))
}

pub(crate) async fn handle(api: &Api, request: &Request) -> Result<Reply, ApiError> {
    let q = &request.params;
    let action = match q.action() {
        Some(a) if !a.is_empty() => a.to_owned(),
        _ => return Err(ApiError::missing_parameter("Action")),
    };
    let handler =
        registry().get(action.as_str()).ok_or_else(|| ApiError::invalid_action(&action))?;
    let ctx = Ctx {
        scope: request.scope.clone(),
        request_id: request.request_id.clone(),
        network_index: api.network_index().clone(),
    };
    let body = match handler {
        Handler::Read(f) => api.read(|w| f(&ctx, w, q)).await?,
        Handler::Write(f) => api.mutate(|w| f(&ctx, w, q)).await?,
    };
    let mut w = XmlWriter::document();
    w.open_with_xmlns(&format!("{action}Response"), XMLNS);
    w.leaf("requestId", &request.request_id);
    let mut out = w.finish();
    out.push_str(&body);
    out.push_str(&format!("</{action}Response>"));
    Ok(Reply::ok("text/xml", out))
}
