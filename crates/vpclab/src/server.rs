//! The HTTP front door: one port, every service.
//!
//! A request first passes the admission policy of [`crate::front_door`] (Host, Origin, browser
//! requests; then its SigV4 signature, verified with `--credentials`). It is routed by its
//! credential scope (service, region; the account comes from the key), then by `Action`
//! (query protocols), `X-Amz-Target` (JSON protocols: Direct Connect, Route 53 Resolver) or
//! method and path (restXml: Route 53). vpclab's own endpoints live under `/_vpclab/`;
//! `/moto-api/reset` is accepted so suites written for moto's server mode run unchanged.

use crate::ServeArgs;
use crate::front_door::{self, FrontDoor};
use crate::log_text;
use anyhow::{Context, Result, anyhow, bail};
use api::inbound::Inbound;
use api::{Api, Reply, Request};
use bytes::Bytes;
use codes::{Code, Protocol};
use guard::limits::{Gate, Kind, Limits};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{CONNECTION, CONTENT_TYPE, HeaderValue};
use hyper::{Method, StatusCode};
use hyper_util::rt::TokioExecutor;
use model::{Quotas, World};
use std::sync::Arc;
use std::time::Instant;
use wire::{ApiError, ErrorFormat};

/// Bodies larger than this are refused with 413.
pub const MAX_BODY: usize = 10 * 1024 * 1024;

pub(crate) type Response = hyper::Response<Full<Bytes>>;

pub fn serve(args: ServeArgs) -> Result<()> {
    let started = Instant::now();
    let front_door = FrontDoor::from_args(&args)?;
    let descriptors = descriptor_budget();
    let limits = Limits {
        max_connections: args
            .max_connections
            .map_or_else(|| guard::limits::default_max_connections(descriptors), |n| n as usize),
        header_read_timeout: args.header_read_timeout,
        idle_timeout: args.idle_timeout,
    };
    let mut quotas = if args.raised_quotas { Quotas::unlimited() } else { Quotas::default() };
    for q in &args.quotas {
        let (name, value) =
            q.split_once('=').ok_or_else(|| anyhow!("--quota wants NAME=VALUE, not {q}"))?;
        let value: usize =
            value.parse().with_context(|| format!("quota {name} must be a number"))?;
        quotas.set(name, value).map_err(|e| anyhow!("{e}"))?;
    }
    quotas.listener_ports = args
        .max_listeners
        .map_or_else(|| guard::limits::default_max_listeners(descriptors), |n| n as usize);
    let (store, world) = crate::state::open(&args)?;
    let world = World { quotas, ..world };
    let api = Arc::new(Api::new(world, store).with_max_accounts(args.max_accounts));
    let egress = Arc::new(guard::egress::EgressPolicy::allowing(args.egress_allow.iter().copied()));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("listening on {}", args.listen))?;
        let state = if args.in_memory {
            "in memory".to_owned()
        } else {
            args.state_dir.display().to_string()
        };
        // Flow logs land under the state dir; in-memory servers use a directory of their own,
        // removed when the server ends.
        let flow_logs = crate::state::FlowLogRoot::for_server(&args)?;
        let flow_log_root = flow_logs.path().to_owned();
        let address = listener.local_addr()?;
        eprintln!(
            "vpclab {} listening on http://{address} (state: {state}; flow logs under {}; connects to: \
             {egress}; up to {} connections a listener, {descriptors} open files; ready in {} ms)",
            env!("CARGO_PKG_VERSION"),
            flow_log_root.display(),
            limits.max_connections,
            started.elapsed().as_millis()
        );
        let certificate = match (&args.lb_certificate, &args.lb_certificate_key) {
            (Some(chain), Some(key)) => Some(lb::CertificatePem {
                chain: std::fs::read_to_string(chain)
                    .with_context(|| format!("reading {}", chain.display()))?,
                key: std::fs::read_to_string(key)
                    .with_context(|| format!("reading {}", key.display()))?,
            }),
            _ => None,
        };
        let plane = crate::balancers::start(api.clone(), args.lb_bind, certificate, egress.clone(), limits)
            .context("starting the load balancer data plane")?;
        let dns_site = dns::from_model::Site {
            listen: args.dns_listen,
            locations: args
                .dns_client_locations
                .iter()
                .map(|rule| client_location_rule(rule))
                .collect::<Result<_>>()?,
            default_location: client_location(&args.dns_default_client_location)?,
            balancer_address: args.lb_bind,
        };
        let name_servers = crate::name_servers::start(
            api.clone(),
            dns_site,
            plane.clone(),
            egress.clone(),
            limits,
        )
        .context("starting the DNS server")?;
        if let Some(keys) = front_door.key_count() {
            eprintln!("verifying SigV4 signatures against {keys} key(s) of --credentials");
        }
        let site = Arc::new(Site {
            listen: args.listen,
            flow_log_root,
            plane,
            name_servers,
            egress,
            front_door,
        });
        let gate = Gate::new(format!("API http://{address}"), Kind::Requests, limits);
        let builder = Arc::new(guard::limits::http_builder(&limits));
        let mut shutdown = std::pin::pin!(shutdown_signal());
        loop {
            let (stream, client, connection) = tokio::select! {
                accepted = gate.accept(&listener) => accepted,
                signal = &mut shutdown => {
                    eprintln!("vpclab: {signal}, shutting down");
                    drop(flow_logs);
                    return Ok(());
                }
            };
            let _ = stream.set_nodelay(true);
            let api = api.clone();
            let site = site.clone();
            let builder = builder.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let api = api.clone();
                    let site = site.clone();
                    async move {
                        // An ALB named by its DNS name in `Host` answers on the main port.
                        let host = req.headers().get(hyper::header::HOST).and_then(|h| h.to_str().ok());
                        let answer = if host.is_some_and(|h| site.plane.serves_host(h)) {
                            match site.plane.serve_by_host(req, client).await {
                                Some(answer) => return Ok(answer),
                                // Deleted in between: as if it never had the name.
                                None => json(
                                    StatusCode::NOT_FOUND,
                                    serde_json::json!({ "error": "no load balancer has this name" }),
                                ),
                            }
                        } else {
                            route(&api, req, &site).await
                        };
                        Ok::<_, std::convert::Infallible>(
                            answer.map(|b| b.map_err(|never| match never {}).boxed()),
                        )
                    }
                });
                guard::limits::serve_http(connection, &builder, stream, service).await;
            });
        }
    })
}

/// The soft limit on open files after raising it to the hard limit: the budget the default
/// connection and listener caps are cut from.
fn descriptor_budget() -> u64 {
    match guard::limits::raise_descriptor_limit() {
        Ok(limit) => limit.soft,
        Err(e) => {
            eprintln!("vpclab: cannot read or raise the open-file limit ({e}); assuming 1024");
            1024
        }
    }
}

/// Resolves on SIGINT or SIGTERM (Ctrl-C elsewhere), naming it.
async fn shutdown_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) {
            (Ok(mut int), Ok(mut term)) => tokio::select! {
                _ = int.recv() => "SIGINT",
                _ = term.recv() => "SIGTERM",
            },
            _ => std::future::pending().await,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}

pub(crate) fn json(status: StatusCode, value: impl serde::Serialize) -> Response {
    // The answers are plain data: serializing them cannot fail, but say so if it ever did.
    let body = serde_json::to_string(&value).unwrap_or_else(|e| {
        serde_json::json!({ "error": { "message": e.to_string() } }).to_string()
    });
    let mut r = hyper::Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

pub(crate) fn reply(r: Reply, request_id: &str) -> Response {
    let mut resp = hyper::Response::new(Full::new(Bytes::from(r.body)));
    *resp.status_mut() =
        StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(r.content_type));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        resp.headers_mut().insert("x-amzn-requestid", v);
    }
    for (name, value) in r.headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            resp.headers_mut().insert(name, v);
        }
    }
    resp
}

/// Where this server lives: its address, where it writes flow logs, its load balancers.
struct Site {
    listen: std::net::SocketAddr,
    flow_log_root: std::path::PathBuf,
    plane: Arc<lb::Plane>,
    name_servers: Arc<dns::Plane>,
    /// Where the data planes may connect (`--egress-allow`).
    egress: Arc<guard::egress::EgressPolicy>,
    /// Who may call: Host, Origin, signatures (`--credentials`).
    front_door: FrontDoor,
}

/// `CIDR=REGION:CONTINENT:COUNTRY[:SUBDIVISION]` (`--dns-client-location`).
fn client_location_rule(text: &str) -> Result<dns::LocationRule> {
    let (cidr, location) = text
        .split_once('=')
        .ok_or_else(|| anyhow!("--dns-client-location wants CIDR=LOCATION, not {text}"))?;
    let cidr = dns::from_model::cidr(cidr)
        .ok_or_else(|| anyhow!("--dns-client-location: {cidr} is not a CIDR block"))?;
    Ok(dns::LocationRule { cidr, location: client_location(location)? })
}

/// `REGION:CONTINENT:COUNTRY[:SUBDIVISION]`, e.g. `eu-west-1:EU:IE`.
fn client_location(text: &str) -> Result<dns::ClientLocation> {
    let parts: Vec<&str> = text.split(':').collect();
    let (region, continent, country, subdivision) = match parts.as_slice() {
        [r, c, k] => (r, c, k, None),
        [r, c, k, s] => (r, c, k, Some(s.to_string())),
        _ => bail!("a client location is REGION:CONTINENT:COUNTRY[:SUBDIVISION], not {text}"),
    };
    if model::regions::find(region).is_none() {
        bail!("client location {text}: {region} is not an AWS region");
    }
    Ok(dns::ClientLocation {
        region: region.to_string(),
        continent: continent.to_ascii_uppercase(),
        country: country.to_ascii_uppercase(),
        subdivision: subdivision.map(|s| s.to_ascii_uppercase()),
        coordinates: None,
    })
}

async fn route(api: &Api, req: hyper::Request<Incoming>, site: &Site) -> Response {
    let admission = match site.front_door.admit(&req, |host| site.plane.serves_host(host)) {
        Ok(admission) => admission,
        Err(answer) => return *answer,
    };
    let mut response = answer(api, req, site).await;
    site.front_door.finish(&mut response, &admission);
    // The body of a refused oversized request is left unread: the connection cannot carry on.
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        response.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

async fn answer(api: &Api, req: hyper::Request<Incoming>, site: &Site) -> Response {
    let listen = site.listen;
    let path = req.uri().path().to_owned();
    match (req.method(), path.as_str()) {
        (&Method::GET, "/_vpclab/health") => {
            let degraded = api.degraded_reason();
            let status =
                if degraded.is_none() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
            let mut health = serde_json::json!({
                "status": if degraded.is_none() { "ready" } else { "degraded" },
                "version": env!("CARGO_PKG_VERSION"),
                "state": if api.store().is_durable() { "durable" } else { "in-memory" },
                "services": {
                    "ec2": api::ec2::operations().len(),
                    "sts": 1,
                    "directconnect": api::direct_connect::operations().len(),
                    "elasticloadbalancing": api::elbv2::operations().len(),
                    "route53": api::route53::operations().len(),
                    "route53resolver": api::route53_resolver::operations().len(),
                },
                "egress_allow":
                    site.egress.ranges().iter().map(ToString::to_string).collect::<Vec<_>>(),
            });
            if let (Some(reason), Some(map)) = (degraded, health.as_object_mut()) {
                map.insert("reason".into(), reason.into());
            }
            json(status, health)
        }
        (&Method::POST, "/_vpclab/reset") | (&Method::POST, "/moto-api/reset") => {
            match api.reset().await {
                Ok(()) => json(StatusCode::OK, serde_json::json!({ "reset": true })),
                Err(e) => json(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    serde_json::json!({ "error": e.message }),
                ),
            }
        }
        (&Method::GET, "/_vpclab/endpoints") => {
            let mut endpoints = vec![
                serde_json::json!({ "kind": "aws-api", "services": ["ec2", "sts", "directconnect", "elasticloadbalancing", "route53", "route53resolver"], "url": format!("http://{listen}") }),
                serde_json::json!({ "kind": "flow-logs", "path": site.flow_log_root.display().to_string() }),
            ];
            endpoints.extend(crate::balancers::endpoints_json(&site.plane));
            endpoints.extend(crate::name_servers::endpoints_json(&site.name_servers, api).await);
            json(StatusCode::OK, serde_json::json!({ "endpoints": endpoints }))
        }
        (&Method::POST, "/_vpclab/trace") => match read_body(req.into_body()).await {
            Ok(body) => match api::trace::question(&body) {
                Ok(q) => match api.trace(&q).await {
                    Ok(t) => json(StatusCode::OK, api::trace::TraceAnswer::new(&q, &t)),
                    Err(e) => error_json(&e),
                },
                Err(e) => error_json(&e),
            },
            Err(e) => error_json(&e),
        },
        (&Method::POST, "/_vpclab/reach") => match read_body(req.into_body()).await {
            Ok(body) => match api.reach(&body).await {
                Ok(answer) => json(StatusCode::OK, answer),
                Err(e) => error_json(&e),
            },
            Err(e) => error_json(&e),
        },
        (&Method::POST, "/_vpclab/traffic") => match read_body(req.into_body()).await {
            Ok(body) => {
                let now = wire::time::Timestamp::now().0 / 1000;
                match api.replay_traffic(&body, &site.flow_log_root, now).await {
                    Ok(answer) => json(StatusCode::OK, answer),
                    Err(e) => error_json(&e),
                }
            }
            Err(e) => error_json(&e),
        },
        _ => aws(api, req, &site.front_door).await,
    }
}

/// An error of vpclab's own endpoints, as JSON.
pub(crate) fn error_json(e: &ApiError) -> Response {
    json(
        StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
        serde_json::json!({ "error": { "code": e.code.as_str(), "message": e.message } }),
    )
}

fn too_large() -> ApiError {
    ApiError::new(
        Protocol::RequestEntityTooLarge,
        413,
        format!("The request body exceeds {MAX_BODY} bytes."),
    )
}

/// A request body, refused past [`MAX_BODY`].
async fn read_body(body: Incoming) -> Result<Bytes, ApiError> {
    match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => Ok(b.to_bytes()),
        Err(_) => Err(too_large()),
    }
}

/// An AWS API request: decode, route, answer.
async fn aws(api: &Api, req: hyper::Request<Incoming>, door: &FrontDoor) -> Response {
    let request_id = wire::request_id();
    match decode(req, &request_id, door).await {
        Ok(request) => {
            let service = request.service;
            let action = api::inbound::operation_name(&request);
            let r = api.handle(request).await;
            // Failures of the server, and operations it does not know (a client newer than it).
            if r.status >= 500
                || matches!(
                    r.error_code,
                    Some(Code::Protocol(
                        Protocol::InvalidAction | Protocol::UnknownOperationException
                    ))
                )
            {
                eprintln!("{service:?} {}: HTTP {}", log_text::escape(&action), r.status);
            }
            reply(r, &request_id)
        }
        Err((e, format)) => reply(Reply::error(&e, format, &request_id), &request_id),
    }
}

async fn decode(
    req: hyper::Request<Incoming>,
    request_id: &str,
    door: &FrontDoor,
) -> Result<Request, (ApiError, ErrorFormat)> {
    let (parts, body) = req.into_parts();
    let declared = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err((too_large(), ErrorFormat::Ec2));
    }
    let mut inbound = Inbound::new(
        parts.method.as_str(),
        parts.uri.path(),
        parts.uri.query(),
        front_door::header_pairs(&parts.headers),
    )?;
    let raw = read_body(body).await.map_err(|e| (e, inbound.body_error_format()))?;
    inbound.read_body(&raw)?;
    // Until the signature is checked, its scope only chooses how errors are written.
    let claimed = inbound.claimed_service().error_format();
    let now = wire::time::Timestamp::now().secs();
    let caller =
        door.authenticate(&parts, &raw, now).map_err(|f| (f.to_api_error(claimed), claimed))?;
    let credential = &caller.credential;
    inbound.into_request(&credential.service, &caller.account, &credential.region, request_id)
}

/// A minimal HTTP GET for the CLI's own calls to a running server.
pub fn http_get(url: &str) -> Result<String> {
    let (status, text) = http_call(Method::GET, url, Bytes::new())?;
    if !status.is_success() {
        return Err(anyhow!("HTTP {status}: {text}"));
    }
    Ok(text)
}

/// One HTTP request to a running server: the status and the body as text.
pub fn http_call(method: Method, url: &str, body: Bytes) -> Result<(StatusCode, String)> {
    let uri: hyper::Uri = url.parse().context("not a URL")?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let client = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .build_http::<Full<Bytes>>();
        let request = hyper::Request::builder()
            .method(method)
            .uri(uri)
            .header(CONTENT_TYPE, "application/json")
            .body(Full::new(body))
            .context("building the request")?;
        let resp = client.request(request).await.context("connecting")?;
        let status = resp.status();
        let body = resp.into_body().collect().await.context("reading the answer")?.to_bytes();
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    })
}
