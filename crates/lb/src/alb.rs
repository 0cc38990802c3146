//! The Application Load Balancer: one request at a time, rules → action → response.
//!
//! Forwarding picks a target group (weighted, `AWSALBTG` group stickiness), then a target
//! (`AWSALB`/`AWSALBAPP-0` stickiness, else the group's algorithm among healthy targets), and
//! proxies over pooled HTTP/1.1 (or HTTP/2) connections, adding `X-Forwarded-*` and
//! `X-Amzn-Trace-Id`. WebSocket upgrades are relayed byte for byte. Errors are ALB's: its status
//! codes, its small HTML bodies, `Server: awselb/2.0`. Every connection to a target is dialled
//! through the egress policy ([`EgressConnector`]); a target it refuses gets no packet.

use std::cell::RefCell;
use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use guard::egress::{DialError, EgressPolicy};
use guard::limits::{Connection, Gate};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode, Uri, Version};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::{TcpListener, TcpStream};

use crate::config::{Action, Protocol, Stickiness};
use crate::matching::{RequestFacts, host_without_port, select_actions};
use crate::state::{GroupState, ListenerState, Member, Shared, Snapshot, random};
use crate::tls::{self, TlsCell};

/// The body of every response the plane gives.
pub type Body = BoxBody<Bytes, hyper::Error>;

/// How long a connection to a target may take (ALB's connection timeout).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

thread_local! {
    /// Each serving thread's upstream clients, one set per egress policy (one in a server).
    static THREAD_UPSTREAMS: RefCell<Vec<Upstream>> = const { RefCell::new(Vec::new()) };
}

/// Upstream HTTP clients with their connection pools (one per serving thread).
#[derive(Debug, Clone)]
struct Upstream {
    egress: Arc<EgressPolicy>,
    http1: Client<EgressConnector, Incoming>,
    http2: Client<EgressConnector, Incoming>,
}

impl Upstream {
    /// Clients with their own pools (HTTP/1.1 and HTTP/2 to targets), dialling through `egress`.
    fn new(egress: Arc<EgressPolicy>) -> Upstream {
        let connector = EgressConnector { egress: egress.clone() };
        let http1 = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(1024)
            .build(connector.clone());
        let http2 = Client::builder(TokioExecutor::new()).http2_only(true).build(connector);
        Upstream { egress, http1, http2 }
    }

    /// This thread's clients for `egress`.
    fn for_thread(egress: &Arc<EgressPolicy>) -> Upstream {
        THREAD_UPSTREAMS.with(|all| {
            let mut all = all.borrow_mut();
            if let Some(u) = all.iter().find(|u| u.egress == *egress) {
                return u.clone();
            }
            let made = Upstream::new(egress.clone());
            all.push(made.clone());
            made
        })
    }
}

/// The upstream clients' connector: dials the target a request's URI names (always an IP
/// address: the proxy writes it) through the egress policy, so a refused address gets no packet.
#[derive(Debug, Clone)]
pub struct EgressConnector {
    egress: Arc<EgressPolicy>,
}

type Dialling = Pin<Box<dyn Future<Output = Result<TokioIo<TcpStream>, DialError>> + Send>>;

impl tower_service::Service<Uri> for EgressConnector {
    type Response = TokioIo<TcpStream>;
    type Error = DialError;
    type Future = Dialling;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), DialError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Dialling {
        let egress = self.egress.clone();
        Box::pin(async move {
            let stream = dial(&egress, target_of(&uri)?).await?;
            Ok(TokioIo::new(stream))
        })
    }
}

/// The address a target URI names (`http://127.0.0.1:8080/…`, `http://[::1]:80/…`); names are
/// never resolved here.
fn target_of(uri: &Uri) -> Result<SocketAddr, std::io::Error> {
    let host = uri.host().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
    let ip: IpAddr = host.parse().map_err(|_| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "a target is an IP address")
    })?;
    Ok(SocketAddr::new(ip, uri.port_u16().unwrap_or(80)))
}

/// Connects to a target through `egress`, within the connection timeout.
async fn dial(egress: &EgressPolicy, address: SocketAddr) -> Result<TcpStream, DialError> {
    let stream = tokio::time::timeout(CONNECT_TIMEOUT, egress.connect_tcp(address))
        .await
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))??;
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

fn full(body: impl Into<Bytes>) -> Body {
    Full::new(body.into()).map_err(|never: Infallible| match never {}).boxed()
}

/// An error page as ALB renders it.
pub fn error_page(status: StatusCode) -> Response<Body> {
    // ALB's pages use these reason phrases (nginx's), not RFC 9110's.
    let reason = match status.as_u16() {
        302 => "Moved Temporarily",
        503 => "Service Temporarily Unavailable",
        504 => "Gateway Time-out",
        _ => status.canonical_reason().unwrap_or(""),
    };
    let title = format!("{} {reason}", status.as_u16());
    let title = title.trim_end();
    let html = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n"
    );
    let mut response = Response::new(full(html));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::SERVER, HeaderValue::from_static("awselb/2.0"));
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Accepts HTTP/1.1 and HTTP/2 (prior knowledge, or ALPN `h2` over TLS) connections for the
/// listener `arn`, as many at once as its gate allows, until aborted. Plain connections take
/// turns among the serving threads ([`Shared::next_worker`]); TLS ones are served where they
/// are accepted.
pub(crate) async fn serve(
    shared: Arc<Shared>,
    arn: Arc<str>,
    listener: TcpListener,
    tls: Option<TlsCell>,
    gate: Gate,
) {
    loop {
        let (stream, client, connection) = gate.accept(&listener).await;
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let arn = arn.clone();
        match &tls {
            None => match shared.next_worker() {
                // Moved to the worker's own reactor, so its readiness wakes that thread.
                Some(worker) => match stream.into_std() {
                    Ok(stream) => {
                        worker.spawn(async move {
                            if let Ok(stream) = TcpStream::from_std(stream) {
                                serve_connection(shared, arn, stream, client, connection).await;
                            }
                        });
                    }
                    Err(_) => continue,
                },
                None => {
                    tokio::spawn(serve_connection(shared, arn, stream, client, connection));
                }
            },
            Some(cell) => {
                let acceptor = tls::acceptor(cell);
                tokio::spawn(async move {
                    if let Some(stream) = tls::handshake(&connection, acceptor, stream).await {
                        serve_connection(shared, arn, stream, client, connection).await;
                    }
                });
            }
        }
    }
}

/// Serves one client connection's requests to the listener `arn`, within the limits.
async fn serve_connection<I>(
    shared: Arc<Shared>,
    arn: Arc<str>,
    io: I,
    client: SocketAddr,
    connection: Connection,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let mut builder = guard::limits::http_builder(&shared.limits);
    builder.http1().max_buf_size(64 * 1024);
    let service = service_fn(move |req: Request<Incoming>| {
        let shared = shared.clone();
        let arn = arn.clone();
        async move { Ok::<_, Infallible>(handle_listener(&shared, &arn, req, client).await) }
    });
    guard::limits::serve_http(connection, &builder, io, service).await;
}

/// One request to the listener `arn` as the snapshot has it now; 503 once it is gone.
async fn handle_listener(
    shared: &Shared,
    arn: &str,
    req: Request<Incoming>,
    client: SocketAddr,
) -> Response<Body> {
    let snapshot = shared.snapshot();
    let Some(listener) = snapshot.listeners.get(arn).cloned() else {
        return error_page(StatusCode::SERVICE_UNAVAILABLE);
    };
    handle(&shared.egress, &snapshot, &listener, req, client).await
}

/// The listener that answers requests with `Host: <a balancer's DNS name>` on vpclab's main
/// port (any port in `host` is ignored).
pub(crate) fn listener_by_host<'s>(snapshot: &'s Snapshot, host: &str) -> Option<&'s str> {
    let name = host_without_port(host).to_ascii_lowercase();
    snapshot.by_host.get(&name).map(String::as_str)
}

/// A request that reached vpclab's main port with `Host: <a balancer's DNS name>`, served by
/// that balancer's [`listener_by_host`]; `None` when no balancer has the name.
pub(crate) async fn serve_by_host(
    shared: &Shared,
    req: Request<Incoming>,
    client: SocketAddr,
) -> Option<Response<Body>> {
    let snapshot = shared.snapshot();
    let arn = listener_by_host(&snapshot, request_host(&req)?)?;
    let listener = snapshot.listeners.get(arn)?.clone();
    Some(handle(&shared.egress, &snapshot, &listener, req, client).await)
}

/// Handles one request that reached `listener` from `client`; targets are reached through
/// `egress`.
pub async fn handle(
    egress: &Arc<EgressPolicy>,
    snapshot: &Snapshot,
    listener: &ListenerState,
    req: Request<Incoming>,
    client: SocketAddr,
) -> Response<Body> {
    // ALB answers 463 when X-Forwarded-For carries more than 30 addresses.
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .count();
    if forwarded > 30 {
        return error_page(status(463));
    }
    let host = request_host(&req).map(str::to_owned);
    let actions = {
        let facts = RequestFacts {
            method: req.method().as_str(),
            host: host.as_deref(),
            path: req.uri().path(),
            query: req.uri().query(),
            headers: req.headers(),
            source: client.ip(),
        };
        select_actions(&listener.listener.rules, &listener.listener.default_actions, &facts)
    };
    let terminal = actions.iter().find(|a| {
        matches!(a, Action::Forward { .. } | Action::Redirect { .. } | Action::FixedResponse { .. })
    });
    match terminal {
        Some(Action::FixedResponse { status_code, content_type, body }) => {
            fixed_response(status_code, content_type.as_deref(), body.as_deref())
        }
        Some(Action::Redirect { protocol, host: to_host, port, path, query, status_code }) => {
            let parts = RedirectParts {
                protocol: protocol.as_deref(),
                host: to_host.as_deref(),
                port: port.as_deref(),
                path: path.as_deref(),
                query: query.as_deref(),
            };
            redirect(&req, host.as_deref(), listener, &parts, status_code)
        }
        Some(Action::Forward { groups, group_stickiness }) => {
            let to = Forwarding { groups, group_stickiness: *group_stickiness };
            forward(egress, snapshot, listener, req, client, to).await
        }
        _ => error_page(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// The host the client asked for: `Host` (HTTP/1), else the URI's authority (HTTP/2).
fn request_host(req: &Request<Incoming>) -> Option<&str> {
    req.headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()))
}

fn fixed_response(code: &str, content_type: Option<&str>, body: Option<&str>) -> Response<Body> {
    let mut response = Response::new(full(body.unwrap_or("").to_owned()));
    *response.status_mut() = code.parse().map_or(StatusCode::INTERNAL_SERVER_ERROR, status);
    let headers = response.headers_mut();
    headers.insert(header::SERVER, HeaderValue::from_static("awselb/2.0"));
    let content_type = content_type.unwrap_or("text/plain; charset=utf-8");
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    response
}

/// A redirect action's parts; `None` keeps the request's.
#[derive(Debug, Clone, Copy)]
pub struct RedirectParts<'a> {
    /// `HTTP`, `HTTPS`, `#{protocol}`.
    pub protocol: Option<&'a str>,
    /// Host.
    pub host: Option<&'a str>,
    /// Port.
    pub port: Option<&'a str>,
    /// Path.
    pub path: Option<&'a str>,
    /// Query without `?`.
    pub query: Option<&'a str>,
}

/// The `Location` of a redirect: each part with `#{…}` replaced by the request's values.
pub fn redirect_location(
    parts: &RedirectParts<'_>,
    protocol: &str,
    host: &str,
    port: u16,
    path: &str,
    query: &str,
) -> String {
    let port = port.to_string();
    let fill = |template: &str| {
        template
            .replace("#{protocol}", protocol)
            .replace("#{host}", host)
            .replace("#{port}", &port)
            .replace("#{path}", path)
            .replace("#{query}", query)
    };
    let to_protocol = fill(parts.protocol.unwrap_or("#{protocol}")).to_ascii_lowercase();
    let to_host = fill(parts.host.unwrap_or("#{host}"));
    let to_port = fill(parts.port.unwrap_or("#{port}"));
    let mut to_path = fill(parts.path.unwrap_or("/#{path}"));
    // `/#{path}` with a path that starts with `/` must not double the slash.
    while to_path.starts_with("//") {
        to_path.remove(0);
    }
    if !to_path.starts_with('/') {
        to_path.insert(0, '/');
    }
    let to_query = fill(parts.query.unwrap_or("#{query}"));
    let mut location = format!("{to_protocol}://{to_host}:{to_port}{to_path}");
    if !to_query.is_empty() {
        location.push('?');
        location.push_str(&to_query);
    }
    location
}

fn redirect(
    req: &Request<Incoming>,
    host: Option<&str>,
    listener: &ListenerState,
    parts: &RedirectParts<'_>,
    status_code: &str,
) -> Response<Body> {
    let protocol = scheme(listener);
    let host = host.map(host_without_port).unwrap_or(&listener.dns_name);
    // `#{path}` is the path without its leading slash in ALB's templates (`/#{path}`).
    let path = req.uri().path().trim_start_matches('/');
    let location = redirect_location(
        parts,
        protocol,
        host,
        listener.listener.port,
        path,
        req.uri().query().unwrap_or(""),
    );
    let code =
        if status_code == "HTTP_301" { StatusCode::MOVED_PERMANENTLY } else { StatusCode::FOUND };
    let mut response = error_page(code);
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn scheme(listener: &ListenerState) -> &'static str {
    if listener.listener.protocol == Protocol::Https { "https" } else { "http" }
}

/// The cookies of a request, name → value (the first of each name).
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

fn pick_group<'s>(
    snapshot: &'s Snapshot,
    req: &Request<Incoming>,
    groups: &[(String, u32)],
    group_stickiness: Option<Duration>,
) -> Option<&'s GroupState> {
    let live = || {
        groups.iter().filter(|(_, w)| *w > 0 || groups.len() == 1).filter_map(|(arn, w)| {
            snapshot.groups.get(arn).map(|g| (g.as_ref(), u64::from((*w).max(1))))
        })
    };
    if group_stickiness.is_some()
        && let Some(token) = cookie(req.headers(), "AWSALBTG")
        && let Some((g, _)) = live().find(|(g, _)| g.token == token)
    {
        return Some(g);
    }
    let total: u64 = live().map(|(_, w)| w).sum();
    if total == 0 {
        return None;
    }
    let mut point = random() % total;
    for (g, w) in live() {
        if point < w {
            return Some(g);
        }
        point -= w;
    }
    None
}

/// The sticky target a request names, if it still may receive traffic.
fn sticky_member<'g>(group: &'g GroupState, headers: &HeaderMap) -> Option<&'g Member> {
    let name = match group.config.stickiness.as_ref()? {
        Stickiness::LbCookie { .. } => "AWSALB",
        Stickiness::AppCookie { .. } => "AWSALBAPP-0",
        Stickiness::SourceIp => return None,
    };
    group.sticky(cookie(headers, name)?)
}

const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "http2-settings",
];

fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|n| HeaderName::from_bytes(n.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
}

fn is_upgrade(req: &Request<Incoming>) -> bool {
    req.headers().contains_key(header::UPGRADE)
        && req
            .headers()
            .get_all(header::CONNECTION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case("upgrade")))
}

/// `Root=1-<8 hex seconds>-<24 hex>`.
pub fn trace_id() -> String {
    let seconds =
        SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    format!("Root=1-{:08x}-{:016x}{:08x}", seconds as u32, random(), random() as u32)
}

/// A forward action: its weighted groups and group stickiness.
struct Forwarding<'a> {
    groups: &'a [(String, u32)],
    group_stickiness: Option<Duration>,
}

async fn forward(
    egress: &Arc<EgressPolicy>,
    snapshot: &Snapshot,
    listener: &ListenerState,
    mut req: Request<Incoming>,
    client: SocketAddr,
    to: Forwarding<'_>,
) -> Response<Body> {
    let Forwarding { groups, group_stickiness } = to;
    let Some(group) = pick_group(snapshot, &req, groups, group_stickiness) else {
        return error_page(StatusCode::SERVICE_UNAVAILABLE);
    };
    let sticky = sticky_member(group, req.headers());
    let member = match sticky {
        Some(m) => m,
        None => match group.pick() {
            Ok(m) => m,
            Err(_) => return error_page(StatusCode::SERVICE_UNAVAILABLE),
        },
    };
    let upgrade = is_upgrade(&req);
    let address = member.target.address;
    // A target outside --egress-allow is answered at once as AWS answers a target whose
    // connection fails at once (a TCP RST or an ICMP unreachable: 502 Bad Gateway), not with
    // 504, which ALB gives only after its 10 s connection timeout: vpclab knows without trying.
    if egress.check(address).is_err() {
        return error_page(StatusCode::BAD_GATEWAY);
    }

    // The request as the target sees it.
    let path_and_query = req.uri().path_and_query().map_or("/", |p| p.as_str()).to_owned();
    let host_header = request_host(&req).map(str::to_owned);
    let Ok(uri) = Uri::builder()
        .scheme("http")
        .authority(address.to_string())
        .path_and_query(path_and_query)
        .build()
    else {
        return error_page(StatusCode::BAD_REQUEST);
    };
    *req.uri_mut() = uri;
    let http2 = matches!(
        group.config.protocol_version.as_deref().map(str::to_ascii_uppercase).as_deref(),
        Some("HTTP2" | "GRPC")
    );
    *req.version_mut() = if http2 { Version::HTTP_2 } else { Version::HTTP_11 };
    let headers = req.headers_mut();
    let upgrade_headers = upgrade
        .then(|| (headers.get(header::UPGRADE).cloned(), headers.get(header::CONNECTION).cloned()));
    strip_hop_by_hop(headers);
    if let Some((up, conn)) = upgrade_headers
        && let (Some(up), Some(conn)) = (up, conn)
    {
        headers.insert(header::UPGRADE, up);
        headers.insert(header::CONNECTION, conn);
    }
    if !headers.contains_key(header::HOST)
        && !http2
        && let Some(value) = host_header.and_then(|h| HeaderValue::from_str(&h).ok())
    {
        headers.insert(header::HOST, value);
    }
    add_forwarded(headers, listener, client);

    member.runtime.inflight.fetch_add(1, Ordering::Relaxed);
    let guard = InflightGuard(member.runtime.clone());
    let timeout = listener.idle_timeout;
    let result = if upgrade {
        relay_upgrade(egress, req, address, timeout).await
    } else {
        // Each serving thread keeps its own pool, so a pooled upstream connection is driven
        // by the thread that uses it.
        let upstream = Upstream::for_thread(egress);
        let client = if http2 { upstream.http2 } else { upstream.http1 };
        match tokio::time::timeout(timeout, client.request(req)).await {
            Err(_) => Err(StatusCode::GATEWAY_TIMEOUT),
            Ok(Err(_)) => Err(StatusCode::BAD_GATEWAY),
            Ok(Ok(response)) => Ok(response),
        }
    };
    let response = match result {
        Ok(r) => r,
        Err(code) => return error_page(code),
    };
    let (mut parts, body) = response.into_parts();
    strip_response_hop_by_hop(&mut parts.headers, parts.status);
    stick(&mut parts.headers, group, member, group_stickiness, groups.len() > 1);
    // The target's in-flight count drops when the body is done (or dropped).
    let body = body.map_frame(move |f| {
        let _ = &guard;
        f
    });
    Response::from_parts(parts, body.boxed())
}

struct InflightGuard(std::sync::Arc<crate::state::TargetRuntime>);

impl Drop for InflightGuard {
    fn drop(&mut self) {
        self.0.inflight.fetch_sub(1, Ordering::Relaxed);
    }
}

fn strip_response_hop_by_hop(headers: &mut HeaderMap, status: StatusCode) {
    if status == StatusCode::SWITCHING_PROTOCOLS {
        return;
    }
    strip_hop_by_hop(headers);
}

fn add_forwarded(headers: &mut HeaderMap, listener: &ListenerState, client: SocketAddr) {
    let ip = client.ip().to_canonical().to_string();
    let xff = match headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
        Some(existing) => format!("{existing}, {ip}"),
        None => ip,
    };
    if let Ok(value) = HeaderValue::from_str(&xff) {
        headers.insert("x-forwarded-for", value);
    }
    headers.insert("x-forwarded-proto", HeaderValue::from_static(scheme(listener)));
    headers.insert("x-forwarded-port", HeaderValue::from(listener.listener.port));
    let has_root = headers
        .get("x-amzn-trace-id")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("Root="));
    if !has_root && let Ok(value) = HeaderValue::from_str(&trace_id()) {
        headers.insert("x-amzn-trace-id", value);
    }
}

/// Sets the stickiness cookies on a response from `member`.
fn stick(
    headers: &mut HeaderMap,
    group: &GroupState,
    member: &Member,
    group_stickiness: Option<Duration>,
    several_groups: bool,
) {
    let mut set = |name: &str, value: &str, duration: Duration| {
        let expires = http_date(SystemTime::now() + duration);
        for (cookie, extra) in
            [(name.to_owned(), ""), (format!("{name}CORS"), "; SameSite=None; Secure")]
        {
            let line = format!("{cookie}={value}; Expires={expires}; Path=/{extra}");
            if let Ok(v) = HeaderValue::from_str(&line) {
                headers.append(header::SET_COOKIE, v);
            }
        }
    };
    if let (Some(duration), true) = (group_stickiness, several_groups) {
        set("AWSALBTG", &group.token, duration);
    }
    match &group.config.stickiness {
        Some(Stickiness::LbCookie { duration }) => set("AWSALB", &member.token, *duration),
        Some(Stickiness::AppCookie { name, duration }) => {
            let prefix = format!("{name}=");
            let app_set_it = headers
                .get_all(header::SET_COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .any(|v| v.trim_start().starts_with(&prefix));
            if app_set_it {
                let expires = http_date(SystemTime::now() + *duration);
                let line = format!("AWSALBAPP-0={}; Expires={expires}; Path=/", member.token);
                if let Ok(v) = HeaderValue::from_str(&line) {
                    headers.append(header::SET_COOKIE, v);
                }
            }
        }
        Some(Stickiness::SourceIp) | None => {}
    }
}

/// Relays a WebSocket (or other `Upgrade`) request over a fresh connection to the target; on
/// `101 Switching Protocols` both upgraded connections are joined.
async fn relay_upgrade(
    egress: &EgressPolicy,
    mut req: Request<Incoming>,
    address: SocketAddr,
    timeout: Duration,
) -> Result<Response<Incoming>, StatusCode> {
    let from_client = hyper::upgrade::on(&mut req);
    let stream = match tokio::time::timeout(timeout, dial(egress, address)).await {
        Ok(Ok(s)) => s,
        Ok(Err(DialError::Io(e))) if e.kind() == std::io::ErrorKind::TimedOut => {
            return Err(StatusCode::GATEWAY_TIMEOUT);
        }
        Ok(Err(_)) => return Err(StatusCode::BAD_GATEWAY),
        Err(_) => return Err(StatusCode::GATEWAY_TIMEOUT),
    };
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|_| StatusCode::BAD_GATEWAY)?;
    tokio::spawn(connection.with_upgrades());
    // HTTP/1 to the target wants origin-form.
    let origin = req.uri().path_and_query().map_or("/", |p| p.as_str()).to_owned();
    *req.uri_mut() = origin.parse().map_err(|_| StatusCode::BAD_REQUEST)?;
    let mut response = match tokio::time::timeout(timeout, sender.send_request(req)).await {
        Ok(Ok(r)) => r,
        Ok(Err(_)) => return Err(StatusCode::BAD_GATEWAY),
        Err(_) => return Err(StatusCode::GATEWAY_TIMEOUT),
    };
    if response.status() == StatusCode::SWITCHING_PROTOCOLS {
        let from_target = hyper::upgrade::on(&mut response);
        tokio::spawn(async move {
            if let (Ok(a), Ok(b)) = tokio::join!(from_client, from_target) {
                let (mut a, mut b) = (TokioIo::new(a), TokioIo::new(b));
                let _ = tokio::io::copy_bidirectional(&mut a, &mut b).await;
            }
        });
    }
    Ok(response)
}

/// An HTTP date (`Thu, 01 Jan 1970 00:00:00 GMT`).
pub fn http_date(at: SystemTime) -> String {
    let secs = at.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        .get(days.rem_euclid(7) as usize)
        .copied()
        .unwrap_or("Thu");
    let month_name =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            .get((month - 1) as usize)
            .copied()
            .unwrap_or("Jan");
    format!("{weekday}, {day:02} {month_name} {year} {h:02}:{m:02}:{s:02} GMT")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_are_rfc_7231() {
        assert_eq!(http_date(SystemTime::UNIX_EPOCH), "Thu, 01 Jan 1970 00:00:00 GMT");
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(http_date(t), "Tue, 14 Nov 2023 22:13:20 GMT");
        let leap = SystemTime::UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(http_date(leap), "Tue, 29 Feb 2000 00:00:00 GMT");
    }

    #[test]
    fn redirects_substitute_the_request_parts() {
        let keep =
            RedirectParts { protocol: None, host: None, port: None, path: None, query: None };
        assert_eq!(
            redirect_location(&keep, "http", "a.example", 80, "x/y", "q=1"),
            "http://a.example:80/x/y?q=1"
        );
        let https = RedirectParts { protocol: Some("HTTPS"), port: Some("443"), ..keep };
        assert_eq!(
            redirect_location(&https, "http", "a.example", 80, "x", ""),
            "https://a.example:443/x"
        );
        let moved = RedirectParts {
            host: Some("new.#{host}"),
            path: Some("/v2/#{path}"),
            query: Some("from=#{port}&#{query}"),
            ..keep
        };
        assert_eq!(
            redirect_location(&moved, "http", "a.example", 8080, "x", "q=1"),
            "http://new.a.example:8080/v2/x?from=8080&q=1"
        );
    }

    #[test]
    fn trace_ids_look_like_x_ray_ids() {
        let id = trace_id();
        let parts: Vec<&str> = id.trim_start_matches("Root=").split('-').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], "1");
        assert_eq!(parts[1].len(), 8);
        assert_eq!(parts[2].len(), 24);
        assert!(parts[2].bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn error_pages_are_albs() {
        let r = error_page(StatusCode::BAD_GATEWAY);
        assert_eq!(r.status(), 502);
        assert_eq!(r.headers()["server"], "awselb/2.0");
        let r = error_page(status(463));
        assert_eq!(r.status().as_u16(), 463);
    }
}
