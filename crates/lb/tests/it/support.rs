//! Backends, clients and configurations the tests share.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use lb::{
    Action, Algorithm, Balancer, Config, HealthCheck, Kind, Listener, Protocol, Target, TargetGroup,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// A hyper backend that says who it is. `/slow` answers after 2 s, `/ws` upgrades and echoes,
/// `/health` answers with `health` (200 unless changed).
pub struct Backend {
    pub name: &'static str,
    pub address: SocketAddr,
    pub health: Arc<AtomicU16>,
    task: tokio::task::JoinHandle<()>,
}

impl Backend {
    pub async fn start(name: &'static str) -> Backend {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let health = Arc::new(AtomicU16::new(200));
        let h = health.clone();
        let task = tokio::spawn(async move {
            // Connections live in the set: killing the backend kills them too.
            let mut connections = JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let h = h.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| answer(name, h.clone(), req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .with_upgrades()
                        .await;
                });
            }
        });
        Backend { name, address, health, task }
    }

    /// Stops it: the port refuses and open connections close.
    pub fn kill(&self) {
        self.task.abort();
    }

    pub fn target(&self) -> Target {
        Target {
            id: format!("i-{}", self.name),
            port: self.address.port(),
            address: self.address,
            zone: None,
            draining: false,
        }
    }
}

async fn answer(
    name: &'static str,
    health: Arc<AtomicU16>,
    mut req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_owned();
    let header =
        |n: &str| req.headers().get(n).and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
    match path.as_str() {
        "/health" => {
            let code = StatusCode::from_u16(health.load(Ordering::Relaxed)).unwrap();
            return Ok(Response::builder().status(code).body(Full::new(Bytes::new())).unwrap());
        }
        "/slow" => tokio::time::sleep(Duration::from_secs(2)).await,
        "/ws" => {
            let upgrade = hyper::upgrade::on(&mut req);
            tokio::spawn(async move {
                let mut io = TokioIo::new(upgrade.await.unwrap());
                let mut buf = [0u8; 1024];
                loop {
                    let n = io.read(&mut buf).await.unwrap_or(0);
                    if n == 0 || io.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            });
            return Ok(Response::builder()
                .status(StatusCode::SWITCHING_PROTOCOLS)
                .header("connection", "upgrade")
                .header("upgrade", "websocket")
                .body(Full::new(Bytes::new()))
                .unwrap());
        }
        "/app-cookie" => {
            return Ok(Response::builder()
                .header("set-cookie", "SESSION=abc; Path=/")
                .body(Full::new(Bytes::from(name)))
                .unwrap());
        }
        _ => {}
    }
    let body = format!(
        "{name} {path} xff={} proto={} port={} host={} trace={}",
        header("x-forwarded-for"),
        header("x-forwarded-proto"),
        header("x-forwarded-port"),
        header("host"),
        header("x-amzn-trace-id"),
    );
    Ok(Response::new(Full::new(Bytes::from(body))))
}

/// What a client got.
#[derive(Debug)]
pub struct Got {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: String,
}

impl Got {
    /// The backend that answered (first word of the body).
    pub fn backend(&self) -> &str {
        self.body.split(' ').next().unwrap_or("")
    }

    /// `name=value` of a `Set-Cookie` named `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }
}

/// One request on a fresh connection.
pub async fn get(address: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Got {
    let stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    let mut builder = Request::get(path);
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        builder = builder.header("host", "app.example.com");
    }
    for (n, v) in headers {
        builder = builder.header(*n, *v);
    }
    let response = sender.send_request(builder.body(Empty::new()).unwrap()).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Got { status, headers, body: String::from_utf8_lossy(&body).into_owned() }
}

pub fn fast_health_check() -> HealthCheck {
    HealthCheck {
        path: "/health".into(),
        interval: Duration::from_millis(50),
        timeout: Duration::from_millis(200),
        healthy_threshold: 2,
        unhealthy_threshold: 2,
        ..HealthCheck::default()
    }
}

pub fn group(arn: &str, targets: Vec<Target>) -> TargetGroup {
    TargetGroup {
        arn: arn.into(),
        protocol: Protocol::Http,
        protocol_version: None,
        port: 80,
        targets,
        health_check: fast_health_check(),
        stickiness: None,
        deregistration_delay: Duration::from_secs(300),
        slow_start: Duration::ZERO,
        algorithm: Algorithm::RoundRobin,
        proxy_protocol_v2: false,
    }
}

pub fn forward(arn: &str) -> Action {
    Action::Forward { groups: vec![(arn.into(), 1)], group_stickiness: None }
}

pub fn balancer(kind: Kind, listeners: Vec<Listener>) -> Balancer {
    Balancer {
        arn: "arn:lb/app/web/1".into(),
        name: "web".into(),
        dns_name: "web-1.us-east-1.elb.amazonaws.com".into(),
        kind,
        zones: vec!["us-east-1a".into()],
        cross_zone: true,
        idle_timeout: Duration::from_secs(60),
        listeners,
    }
}

pub fn listener(arn: &str, port: u16, protocol: Protocol, default: Action) -> Listener {
    Listener {
        arn: arn.into(),
        port,
        protocol,
        default_actions: vec![default],
        rules: Vec::new(),
        certificate: None,
    }
}

pub fn config(balancers: Vec<Balancer>, groups: Vec<TargetGroup>) -> Config {
    Config {
        balancers,
        target_groups: groups.into_iter().map(|g| (g.arn.clone(), g)).collect::<BTreeMap<_, _>>(),
    }
}

/// The local address of the listener `arn`.
pub fn local(plane: &lb::Plane, arn: &str) -> SocketAddr {
    plane.endpoints().into_iter().find(|e| e.listener_arn == arn).unwrap().local
}

/// Polls `check` every 20 ms for up to `within`.
pub async fn eventually(within: Duration, mut check: impl FnMut() -> bool) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < within {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    check()
}
