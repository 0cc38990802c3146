//! The plane: listeners on local ports and health checkers, reconciled to each new [`Config`].
//!
//! [`Plane::apply`] publishes the new [`Snapshot`] to the serving tasks ([`Shared`]), then
//! opens the listeners that appeared (the ALB's accept loop in [`alb`], the NLB's
//! [`nlb::serve_tcp`] and [`nlb::serve_udp`]), closes the ones gone, swaps certificates under
//! running ones ([`tls`](crate::tls)), and starts and stops a [`health::run`] per target in use. Serving itself
//! lives in those modules; this one only decides what runs.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use guard::egress::EgressPolicy;
use guard::limits::{Gate, Kind as Traffic, Limits};
use hyper::body::Incoming;
use hyper::{Request, Response};
use tokio::net::{TcpListener, UdpSocket};
use tokio::task::AbortHandle;

use crate::alb::{self, Body};
use crate::config::{Config, HealthCheck, Kind, Protocol};
use crate::state::{Observed, Shared, Snapshot, TargetKey, TargetRuntime};
use crate::tls::{ListenerTls, TlsSource};
use crate::{health, nlb};

/// How the plane listens.
#[derive(Debug, Clone)]
pub struct Options {
    /// The address every listener binds (each on its own ephemeral port).
    pub bind_ip: IpAddr,
    /// Single-threaded runtimes that serve HTTP connections, taking turns as nginx workers
    /// do: a connection and its upstream exchanges stay on one thread. Empty: connections
    /// are served on the runtime that applies the configuration.
    pub workers: Vec<tokio::runtime::Handle>,
    /// Where targets may be: health checks, proxied requests and passed-through flows dial
    /// only what it allows (`--egress-allow`; loopback only by default).
    pub egress: Arc<EgressPolicy>,
    /// Connections per listener (NLB UDP flows count), header-read and idle timeouts.
    pub limits: Limits,
    /// A UDP flow ends (its socket to the target closed) after this long without a datagram
    /// either way: [`nlb::UDP_IDLE_TIMEOUT`], AWS's, unless a test wants it shorter.
    pub udp_idle_timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            bind_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            workers: Vec::new(),
            egress: Arc::new(EgressPolicy::loopback_only()),
            limits: Limits::default(),
            udp_idle_timeout: nlb::UDP_IDLE_TIMEOUT,
        }
    }
}

/// Where a listener can be reached on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenerEndpoint {
    /// The balancer's ARN.
    pub load_balancer_arn: String,
    /// The balancer's name.
    pub load_balancer_name: String,
    /// The balancer's DNS name.
    pub dns_name: String,
    /// The listener's ARN.
    pub listener_arn: String,
    /// The listener's protocol.
    pub protocol: Protocol,
    /// The listener's port as configured (80, 443…).
    pub port: u16,
    /// The local address it really listens on.
    pub local: SocketAddr,
}

/// What serves a listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Serve {
    Http,
    Https,
    Tcp,
    Tls,
    Udp,
    TcpUdp,
}

fn serve_kind(kind: Kind, protocol: Protocol) -> Option<Serve> {
    match (kind, protocol) {
        (Kind::Gateway, _) | (_, Protocol::Geneve) => None,
        (_, Protocol::Http) => Some(Serve::Http),
        (_, Protocol::Https) => Some(Serve::Https),
        (_, Protocol::Tcp) => Some(Serve::Tcp),
        (_, Protocol::Tls) => Some(Serve::Tls),
        (_, Protocol::Udp) => Some(Serve::Udp),
        (_, Protocol::TcpUdp) => Some(Serve::TcpUdp),
    }
}

#[derive(Debug)]
struct Running {
    serve: Serve,
    local: SocketAddr,
    tasks: Vec<AbortHandle>,
    /// HTTPS/TLS: the certificate, swapped for a new one under the running listener.
    tls: Option<ListenerTls>,
}

impl Drop for Running {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

#[derive(Debug)]
struct Checker {
    check: HealthCheck,
    runtime: Arc<TargetRuntime>,
    task: AbortHandle,
}

impl Drop for Checker {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The load balancer data plane. Share it as `Arc<Plane>`; dropping it closes every listener.
#[derive(Debug)]
pub struct Plane {
    options: Options,
    shared: Arc<Shared>,
    listeners: Mutex<HashMap<String, Running>>,
    checkers: Mutex<HashMap<TargetKey, Checker>>,
    applying: tokio::sync::Mutex<()>,
}

impl Plane {
    /// A plane serving nothing yet.
    pub fn new(options: Options) -> Arc<Plane> {
        Arc::new(Plane {
            shared: Arc::new(Shared::new(
                options.egress.clone(),
                options.workers.clone(),
                options.limits,
                options.udp_idle_timeout,
            )),
            options,
            listeners: Mutex::new(HashMap::new()),
            checkers: Mutex::new(HashMap::new()),
            applying: tokio::sync::Mutex::new(()),
        })
    }

    /// Reconciles to `config`: opens listeners that appeared (each on `bind_ip` and an
    /// ephemeral port, kept while the listener exists), closes the ones gone, swaps rules and
    /// targets in place without dropping live connections, starts and stops health checkers,
    /// and closes the connections of targets that left. Must run inside a Tokio runtime.
    pub async fn apply(&self, config: Config) {
        let _one_at_a_time = self.applying.lock().await;
        let previous = self.shared.snapshot();
        let snapshot = Arc::new(Snapshot::build(&config, &previous));
        self.shared.publish(snapshot.clone());

        // Targets gone: their connections close.
        for (key, runtime) in &previous.runtimes {
            if !snapshot.runtimes.contains_key(key) {
                runtime.close();
            }
        }
        self.reconcile_listeners(&snapshot);
        self.reconcile_checkers(&snapshot);
    }

    fn reconcile_listeners(&self, snapshot: &Snapshot) {
        let Ok(mut running) = self.listeners.lock() else { return };
        let wanted: HashMap<&str, (Serve, TlsSource)> = snapshot
            .listeners
            .iter()
            .filter_map(|(arn, l)| {
                let serve = serve_kind(l.kind, l.listener.protocol)?;
                Some((arn.as_str(), (serve, (l.listener.certificate.clone(), l.dns_name.clone()))))
            })
            .collect();
        running.retain(|arn, r| wanted.get(arn.as_str()).is_some_and(|(s, _)| *s == r.serve));
        for (arn, (serve, source)) in wanted {
            if let Some(r) = running.get_mut(arn) {
                // A new certificate for a running listener: new handshakes use it.
                if let Some(tls) = &mut r.tls {
                    tls.update(source);
                }
                continue;
            }
            if let Some(r) = self.open(arn, serve, source) {
                running.insert(arn.to_owned(), r);
            }
        }
    }

    fn open(&self, arn: &str, serve: Serve, source: TlsSource) -> Option<Running> {
        let arn: Arc<str> = Arc::from(arn);
        let shared = self.shared.clone();
        let ip = self.options.bind_ip;
        let tls = match serve {
            Serve::Https | Serve::Tls => {
                Some(ListenerTls::new(source, serve == Serve::Https).ok()?)
            }
            _ => None,
        };
        let cell = tls.as_ref().map(ListenerTls::cell);
        let limits = self.options.limits;
        let gate = |kind, local: SocketAddr| {
            Gate::new(format!("load balancer listener {local} ({arn})"), kind, limits)
        };
        match serve {
            Serve::Http | Serve::Https | Serve::Tcp | Serve::Tls => {
                let tcp = bind_tcp(SocketAddr::new(ip, 0))?;
                let local = tcp.local_addr().ok()?;
                let task = if matches!(serve, Serve::Http | Serve::Https) {
                    let gate = gate(Traffic::Requests, local);
                    tokio::spawn(alb::serve(shared, arn, tcp, cell, gate))
                } else {
                    let gate = gate(Traffic::Streams, local);
                    tokio::spawn(nlb::serve_tcp(shared, arn, tcp, cell, gate))
                };
                Some(Running { serve, local, tasks: vec![task.abort_handle()], tls })
            }
            Serve::Udp => {
                let udp = bind_udp(SocketAddr::new(ip, 0))?;
                let local = udp.local_addr().ok()?;
                let task = tokio::spawn(nlb::serve_udp(shared, arn, udp));
                Some(Running { serve, local, tasks: vec![task.abort_handle()], tls })
            }
            Serve::TcpUdp => {
                // One port for both: take a TCP port, then the same UDP port (retry if taken).
                for _ in 0..32 {
                    let tcp = bind_tcp(SocketAddr::new(ip, 0))?;
                    let local = tcp.local_addr().ok()?;
                    let Some(udp) = bind_udp(local) else { continue };
                    let gate = gate(Traffic::Streams, local);
                    let t =
                        tokio::spawn(nlb::serve_tcp(shared.clone(), arn.clone(), tcp, None, gate));
                    let u = tokio::spawn(nlb::serve_udp(shared, arn, udp));
                    return Some(Running {
                        serve,
                        local,
                        tasks: vec![t.abort_handle(), u.abort_handle()],
                        tls,
                    });
                }
                None
            }
        }
    }

    fn reconcile_checkers(&self, snapshot: &Snapshot) {
        let Ok(mut checkers) = self.checkers.lock() else { return };
        let mut wanted: HashSet<TargetKey> = HashSet::new();
        for arn in snapshot.groups_in_use() {
            let Some(group) = snapshot.groups.get(&arn) else { continue };
            for member in &group.members {
                let t = &member.target;
                let key = (arn.clone(), t.id.clone(), t.port, t.address);
                let check = &group.config.health_check;
                let current = checkers
                    .get(&key)
                    .is_some_and(|c| c.check == *check && Arc::ptr_eq(&c.runtime, &member.runtime));
                if !current {
                    let egress = self.options.egress.clone();
                    let task = tokio::spawn(health::run(
                        check.clone(),
                        t.address,
                        member.runtime.clone(),
                        egress,
                    ));
                    let checker = Checker {
                        check: check.clone(),
                        runtime: member.runtime.clone(),
                        task: task.abort_handle(),
                    };
                    checkers.insert(key.clone(), checker);
                }
                wanted.insert(key);
            }
        }
        checkers.retain(|key, _| wanted.contains(key));
    }

    /// Every open listener and where it listens.
    pub fn endpoints(&self) -> Vec<ListenerEndpoint> {
        let snapshot = self.shared.snapshot();
        let Ok(running) = self.listeners.lock() else { return Vec::new() };
        let mut endpoints: Vec<ListenerEndpoint> = running
            .iter()
            .filter_map(|(arn, r)| {
                let l = snapshot.listeners.get(arn)?;
                Some(ListenerEndpoint {
                    load_balancer_arn: l.balancer_arn.clone(),
                    load_balancer_name: l.balancer_name.clone(),
                    dns_name: l.dns_name.clone(),
                    listener_arn: arn.clone(),
                    protocol: l.listener.protocol,
                    port: l.listener.port,
                    local: r.local,
                })
            })
            .collect();
        endpoints.sort_by(|a, b| {
            (&a.load_balancer_name, a.port, &a.listener_arn).cmp(&(
                &b.load_balancer_name,
                b.port,
                &b.listener_arn,
            ))
        });
        endpoints
    }

    /// What health checks have seen of one target; `None` before the first verdict, or when
    /// no listener uses its group (AWS: `unused`).
    pub fn target_health(
        &self,
        target_group_arn: &str,
        target_id: &str,
        port: u16,
    ) -> Option<Observed> {
        let snapshot = self.shared.snapshot();
        let group = snapshot.groups.get(target_group_arn)?;
        let member =
            group.members.iter().find(|m| m.target.id == target_id && m.target.port == port)?;
        member.runtime.observed()
    }

    /// Does a balancer have this DNS name (any port in `host` is ignored)?
    pub fn serves_host(&self, host: &str) -> bool {
        alb::listener_by_host(&self.shared.snapshot(), host).is_some()
    }

    /// An ALB reached through vpclab's main port with `Host: <its DNS name>`: its HTTP
    /// listener on port 80, else its first HTTP listener. `None` when no balancer has that name
    /// (the request is consumed: ask [`Plane::serves_host`] first to keep it).
    pub async fn serve_by_host(
        &self,
        req: Request<Incoming>,
        client: SocketAddr,
    ) -> Option<Response<Body>> {
        alb::serve_by_host(&self.shared, req, client).await
    }
}

fn bind_tcp(address: SocketAddr) -> Option<TcpListener> {
    let std = std::net::TcpListener::bind(address).ok()?;
    std.set_nonblocking(true).ok()?;
    TcpListener::from_std(std).ok()
}

fn bind_udp(address: SocketAddr) -> Option<UdpSocket> {
    let std = std::net::UdpSocket::bind(address).ok()?;
    std.set_nonblocking(true).ok()?;
    UdpSocket::from_std(std).ok()
}
