//! The plane: DNS listeners (UDP and TCP on one port per view) and health checkers,
//! reconciled to each new [`Config`].
//!
//! [`Plane::apply`] compiles the configuration into a [`Snapshot`] and publishes it behind a
//! generation counter: serving tasks keep their own `Arc` of the snapshot and only take the
//! lock when the counter moves, so answering a query touches no shared lock. Each UDP socket
//! is read by two tasks (the runtime spreads them over its threads); each TCP connection
//! gets its own task, answers any number of queries in order, and closes after
//! [`TCP_IDLE`] without one. Each TCP port accepts through a [`Gate`]: at most
//! `--max-connections` connections, the longest-idle closed for a new one, and a query must
//! arrive whole within the header-read timeout of its first byte.
//!
//! Everything the plane sends away — health check probes and forwarded queries — goes through
//! the egress policy the plane was made with ([`Plane::with`]; loopback only by default).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use guard::limits::{Gate, Kind, Limits, Requests};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::task::AbortHandle;

use guard::egress::EgressPolicy;

use crate::answer::{Problem, Snapshot};
use crate::config::{Config, HealthCheck};
use crate::forward;
use crate::health::{self, CheckState, Dialer, HealthView, HostedNames};
use crate::wire::{self, MAX_UDP_PAYLOAD, Reject};

/// How long a TCP connection may stay without a query (RFC 7766 suggests seconds).
pub const TCP_IDLE: Duration = Duration::from_secs(10);
/// Tasks reading each UDP socket.
const UDP_READERS: usize = 2;

/// Where a view is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewEndpoint {
    /// The view's name.
    pub view: String,
    /// The address it listens on, UDP and TCP.
    pub address: SocketAddr,
}

#[derive(Debug)]
struct Running {
    requested: SocketAddr,
    local: SocketAddr,
    tasks: Vec<AbortHandle>,
}

impl Drop for Running {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

#[derive(Debug)]
struct Checker {
    check: HealthCheck,
    task: AbortHandle,
}

impl Drop for Checker {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Debug)]
struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    generation: AtomicU64,
    /// Where forwarded queries may go.
    egress: Arc<EgressPolicy>,
}

impl Shared {
    fn load(&self) -> Arc<Snapshot> {
        match self.snapshot.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

/// A snapshot cached by one serving task, refreshed when the generation moves.
struct Cached {
    shared: Arc<Shared>,
    generation: u64,
    snapshot: Arc<Snapshot>,
}

impl Cached {
    fn new(shared: Arc<Shared>) -> Self {
        let generation = shared.generation.load(Ordering::Acquire);
        let snapshot = shared.load();
        Cached { shared, generation, snapshot }
    }

    fn get(&mut self) -> &Snapshot {
        let now = self.shared.generation.load(Ordering::Acquire);
        if now != self.generation {
            self.snapshot = self.shared.load();
            self.generation = now;
        }
        &self.snapshot
    }
}

/// The DNS data plane. Share it as `Arc<Plane>`; dropping it closes every listener and
/// stops every checker.
#[derive(Debug)]
pub struct Plane {
    shared: Arc<Shared>,
    listeners: Mutex<HashMap<String, Running>>,
    checkers: Mutex<HashMap<String, Checker>>,
    health: HealthView,
    /// How health checks reach endpoints: the egress policy and the public zones.
    dialer: Dialer,
    applying: tokio::sync::Mutex<()>,
    /// What each TCP port's gate applies.
    limits: Limits,
}

impl Plane {
    /// A plane serving nothing yet, connecting to loopback only, with the default connection
    /// limits.
    pub fn new() -> Arc<Plane> {
        Plane::with(Arc::new(EgressPolicy::loopback_only()), Limits::default())
    }

    /// A plane serving nothing yet whose health checks and forwarded queries go only where
    /// `egress` allows, and whose TCP ports apply `limits`.
    pub fn with(egress: Arc<EgressPolicy>, limits: Limits) -> Arc<Plane> {
        let shared = Arc::new(Shared {
            snapshot: RwLock::new(Arc::new(Snapshot::default())),
            generation: AtomicU64::new(0),
            egress: egress.clone(),
        });
        let dialer = Dialer::new(egress, Arc::new(PublicZones(shared.clone())));
        Arc::new(Plane {
            shared,
            listeners: Mutex::new(HashMap::new()),
            checkers: Mutex::new(HashMap::new()),
            health: HealthView::default(),
            dialer,
            applying: tokio::sync::Mutex::new(()),
            limits,
        })
    }

    /// Reconciles to `config`: starts, restarts (when changed) and stops health checkers,
    /// swaps the answering snapshot, opens listeners for new views (or views whose address
    /// changed) and closes the ones gone. Returns what could not be compiled (those record
    /// sets are not served). Must run inside a Tokio runtime.
    pub async fn apply(&self, config: Config) -> Vec<Problem> {
        let _one_at_a_time = self.applying.lock().await;
        self.reconcile_checkers(&config);
        let lookup = |id: &str| self.health.state(id);
        let (snapshot, problems) = Snapshot::build(&config, &lookup);
        match self.shared.snapshot.write() {
            Ok(mut s) => *s = Arc::new(snapshot),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(snapshot),
        }
        self.shared.generation.fetch_add(1, Ordering::AcqRel);
        let mut problems = problems;
        problems.extend(self.reconcile_listeners(&config));
        problems.extend(self.refused_forwarding(&config));
        problems
    }

    /// Resolver forwarding targets the egress policy refuses: said once per apply, as nothing
    /// else tells the user why those names get SERVFAIL.
    fn refused_forwarding(&self, config: &Config) -> Vec<Problem> {
        let mut problems = Vec::new();
        for view in &config.views {
            for rule in &view.forward {
                for refused in
                    rule.targets.iter().filter_map(|t| self.shared.egress.check(*t).err())
                {
                    problems.push(Problem(format!(
                        "view {}: names under {} are not forwarded to {}: {refused}",
                        view.name, rule.domain, refused.address
                    )));
                }
            }
        }
        problems
    }

    fn reconcile_checkers(&self, config: &Config) {
        let Ok(mut checkers) = self.checkers.lock() else { return };
        let mut states = match self.health.states.write() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        checkers.retain(|id, _| config.health_checks.iter().any(|c| c.id == *id));
        states.retain(|id, _| config.health_checks.iter().any(|c| c.id == *id));
        for check in &config.health_checks {
            if checkers.get(&check.id).is_some_and(|c| c.check == *check) {
                continue;
            }
            let state = states.entry(check.id.clone()).or_insert_with(CheckState::new).clone();
            let (view, dialer) = (self.health.clone(), self.dialer.clone());
            let task = tokio::spawn(health::run(check.clone(), state, view, dialer));
            checkers.insert(
                check.id.clone(),
                Checker { check: check.clone(), task: task.abort_handle() },
            );
        }
    }

    fn reconcile_listeners(&self, config: &Config) -> Vec<Problem> {
        let mut problems = Vec::new();
        let Ok(mut running) = self.listeners.lock() else { return problems };
        running.retain(|name, r| {
            config.views.iter().any(|v| v.name == *name && v.listen == r.requested)
        });
        for view in &config.views {
            if running.contains_key(&view.name) {
                continue;
            }
            match self.open(&view.name, view.listen) {
                Some(r) => {
                    running.insert(view.name.clone(), r);
                }
                None => problems
                    .push(Problem(format!("view {}: cannot listen on {}", view.name, view.listen))),
            }
        }
        problems
    }

    fn open(&self, name: &str, requested: SocketAddr) -> Option<Running> {
        // UDP and TCP on one port: with port 0, take a TCP port and then the same UDP port.
        let attempts = if requested.port() == 0 { 32 } else { 1 };
        for _ in 0..attempts {
            let Some(tcp) = bind_tcp(requested) else { continue };
            let local = tcp.local_addr().ok()?;
            let Some(udp) = bind_udp(local) else { continue };
            let udp = Arc::new(udp);
            let view: Arc<str> = Arc::from(name);
            let mut tasks = Vec::new();
            for _ in 0..UDP_READERS {
                let t = tokio::spawn(serve_udp(self.shared.clone(), view.clone(), udp.clone()));
                tasks.push(t.abort_handle());
            }
            let gate = Gate::new(format!("DNS {local}/tcp ({name})"), Kind::Requests, self.limits);
            let t = tokio::spawn(serve_tcp(self.shared.clone(), view, tcp, gate));
            tasks.push(t.abort_handle());
            return Some(Running { requested, local, tasks });
        }
        None
    }

    /// Every view's listener, by view name.
    pub fn listeners(&self) -> Vec<ViewEndpoint> {
        let Ok(running) = self.listeners.lock() else { return Vec::new() };
        let mut out: Vec<ViewEndpoint> = running
            .iter()
            .map(|(view, r)| ViewEndpoint { view: view.clone(), address: r.local })
            .collect();
        out.sort_by(|a, b| a.view.cmp(&b.view));
        out
    }

    /// What the health checks have seen.
    pub fn health(&self) -> HealthView {
        self.health.clone()
    }

    /// Answers one question about the zone `origin` from the public view exactly as a UDP
    /// query from `resolver` would be answered (Route 53's TestDNSAnswer): the query is
    /// written with EDNS (and the client subnet, when given), run through the same
    /// [`respond`] path as the listeners', and its answer section read back. A truncated
    /// answer is asked again over TCP, as a resolver would. A name outside `origin` is
    /// REFUSED: the question is put to the zone's name servers, which serve only it here.
    /// `None` when `name` or `origin` is not a domain name.
    pub fn test_answer(
        &self,
        origin: &str,
        name: &str,
        qtype: u16,
        resolver: IpAddr,
        client_subnet: Option<(IpAddr, u8)>,
    ) -> Option<TestAnswer> {
        let (origin_key, name_key) = (wire::text_key(origin).ok()?, wire::text_key(name).ok()?);
        let inside = origin_key == "."
            || name_key
                .strip_suffix(origin_key.as_str())
                .is_some_and(|head| head.is_empty() || head.ends_with('.'));
        if !inside {
            return Some(TestAnswer::refused());
        }
        let subnet = client_subnet.map(|(address, prefix)| wire::ClientSubnet {
            family: if address.is_ipv4() { 1 } else { 2 },
            source_prefix: prefix,
            scope_prefix: 0,
            address: masked(address, prefix),
        });
        let mut query = Vec::new();
        let edns = Some((wire::ADVERTISED_PAYLOAD, subnet));
        wire::write_query(&mut query, 0x7e57, 0, &wire::text_to_wire(name).ok()?, qtype, edns);
        let Some((response, tcp)) = ask_public(&self.shared.load(), &query, resolver) else {
            return Some(TestAnswer { rcode: wire::rcode::SERVFAIL, ..TestAnswer::refused() });
        };
        Some(TestAnswer {
            rcode: response.rcode,
            records: response.answers.into_iter().filter_map(|a| a.data).collect(),
            tcp,
        })
    }
}

/// Asks the public view `query` as a UDP client at `client` would, again over TCP when the
/// answer is truncated: the response, and whether TCP was used. `None` when no server answers
/// (no public view yet: nothing configured) or the answer does not parse. The public view has
/// no Resolver rules, so nothing is forwarded.
fn ask_public(snapshot: &Snapshot, query: &[u8], client: IpAddr) -> Option<(wire::Response, bool)> {
    let (mut key, mut out) = (String::new(), Vec::new());
    let mut tcp = false;
    loop {
        let outcome = respond(snapshot, "public", query, client, tcp, &mut key, &mut out);
        if !matches!(outcome, Outcome::Reply) {
            return None;
        }
        match wire::parse_response(&out)? {
            r if r.truncated && !tcp => tcp = true,
            r => return Some((r, tcp)),
        }
    }
}

/// The public zones as Route 53's health checkers find names on the public DNS: asked of this
/// plane's own engine, from the checker's address (CNAMEs are followed within the zones).
#[derive(Debug)]
struct PublicZones(Arc<Shared>);

impl HostedNames for PublicZones {
    fn addresses(&self, name: &str) -> Option<Vec<IpAddr>> {
        let snapshot = self.0.load();
        let qname = wire::text_to_wire(name).ok()?;
        let mut found = Vec::new();
        for qtype in [wire::rtype::A, wire::rtype::AAAA] {
            let mut query = Vec::new();
            wire::write_query(&mut query, 0x4843, 0, &qname, qtype, None);
            let (response, _) = ask_public(&snapshot, &query, IpAddr::from([127, 0, 0, 1]))?;
            if response.rcode == wire::rcode::REFUSED {
                return None;
            }
            found.extend(response.answers.into_iter().filter_map(|a| match a.data {
                Some(wire::RData::A(v4)) => Some(IpAddr::V4(v4)),
                Some(wire::RData::Aaaa(v6)) => Some(IpAddr::V6(v6)),
                _ => None,
            }));
        }
        Some(found)
    }
}

/// What one question got ([`Plane::test_answer`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestAnswer {
    /// The response code ([`wire::rcode`]).
    pub rcode: u16,
    /// The answer section's data, in order (Display gives Route 53's presentation form).
    pub records: Vec<wire::RData>,
    /// Whether the answer came over TCP (the UDP one was truncated).
    pub tcp: bool,
}

impl TestAnswer {
    fn refused() -> Self {
        TestAnswer { rcode: wire::rcode::REFUSED, records: Vec::new(), tcp: false }
    }
}

/// `address` with the bits past `prefix` cleared (RFC 7871 6: the client subnet carries no
/// more than its source prefix).
fn masked(address: IpAddr, prefix: u8) -> IpAddr {
    match address {
        IpAddr::V4(a) => {
            let bits = u32::from(a);
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix.min(32))).unwrap_or(0);
            IpAddr::V4((bits & mask).into())
        }
        IpAddr::V6(a) => {
            let bits = u128::from(a);
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix.min(128))).unwrap_or(0);
            IpAddr::V6((bits & mask).into())
        }
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

/// What to do with one message.
#[derive(Debug)]
pub enum Outcome {
    /// The answer is in `out`.
    Reply,
    /// Nothing is to be sent.
    Nothing,
    /// A Resolver rule sends it to these targets; the client takes UDP answers of this size.
    Forward(Arc<[SocketAddr]>, usize),
}

/// Answers one message from a client at `client` into `out`, or says where to forward it:
/// what every listener does with what it reads (public for the fuzz targets). `key` is
/// scratch space for the name's key.
pub fn respond(
    snapshot: &Snapshot,
    view: &str,
    msg: &[u8],
    client: IpAddr,
    tcp: bool,
    key: &mut String,
    out: &mut Vec<u8>,
) -> Outcome {
    let Some(view) = snapshot.view(view) else { return Outcome::Nothing };
    match wire::parse_query(msg) {
        Ok(q) => {
            if wire::name_key(q.qname, key).is_none() {
                wire::write_error(out, q.id, q.flags, wire::rcode::FORMERR);
                return Outcome::Reply;
            }
            let limit = if tcp {
                usize::from(u16::MAX)
            } else {
                q.edns.map_or(512, |e| usize::from(e.payload).clamp(512, MAX_UDP_PAYLOAD))
            };
            if let Some(targets) = snapshot.forward_targets(view, key) {
                return Outcome::Forward(targets.clone(), limit);
            }
            snapshot.answer(view, &q, key, client, limit, out);
            Outcome::Reply
        }
        Err(Reject::Drop) => Outcome::Nothing,
        Err(Reject::Error { id, flags, rcode }) => {
            wire::write_error(out, id, flags, rcode);
            Outcome::Reply
        }
    }
}

/// Forwards `msg` to the targets `egress` allows and returns the relayed answer, or SERVFAIL
/// when no target answered (at once when none is allowed).
async fn forwarded(
    msg: &[u8],
    targets: &[SocketAddr],
    tcp: bool,
    limit: usize,
    egress: &EgressPolicy,
) -> Vec<u8> {
    match forward::forward(msg, targets, tcp, limit, egress).await {
        Some(answer) => answer,
        None => {
            let mut out = Vec::new();
            let id = msg.first_chunk::<2>().map_or(0, |b| u16::from_be_bytes(*b));
            let flags = msg
                .get(2..4)
                .and_then(|b| b.first_chunk::<2>())
                .map_or(0, |b| u16::from_be_bytes(*b));
            wire::write_error(&mut out, id, flags, wire::rcode::SERVFAIL);
            out
        }
    }
}

async fn serve_udp(shared: Arc<Shared>, view: Arc<str>, socket: Arc<UdpSocket>) {
    let mut cached = Cached::new(shared);
    let mut buf = vec![0u8; MAX_UDP_PAYLOAD];
    let mut out = Vec::with_capacity(MAX_UDP_PAYLOAD);
    let mut key = String::with_capacity(256);
    loop {
        let Ok((n, from)) = socket.recv_from(&mut buf).await else { continue };
        let msg = buf.get(..n).unwrap_or_default();
        match respond(cached.get(), &view, msg, from.ip(), false, &mut key, &mut out) {
            Outcome::Reply => {
                let _ = socket.send_to(&out, from).await;
            }
            Outcome::Nothing => {}
            // Forwarding waits on another server: off this reader, so other queries go on.
            Outcome::Forward(targets, limit) => {
                let (socket, msg) = (socket.clone(), msg.to_vec());
                let egress = cached.shared.egress.clone();
                tokio::spawn(async move {
                    let answer = forwarded(&msg, &targets, false, limit, &egress).await;
                    let _ = socket.send_to(&answer, from).await;
                });
            }
        }
    }
}

async fn serve_tcp(shared: Arc<Shared>, view: Arc<str>, listener: TcpListener, gate: Gate) {
    loop {
        let (stream, from, connection) = gate.accept(&listener).await;
        let _ = stream.set_nodelay(true);
        let (shared, view) = (shared.clone(), view.clone());
        tokio::spawn(async move {
            let (requests, stream) = (connection.requests(), connection.track(stream));
            let serving = serve_connection(shared, view, stream, from.ip(), requests);
            connection.guard(serving).await;
        });
    }
}

/// Answers the queries of one TCP connection in order; each counts as a request at the gate
/// from when it has arrived whole until its answer is written.
async fn serve_connection<S>(
    shared: Arc<Shared>,
    view: Arc<str>,
    mut stream: S,
    ip: IpAddr,
    requests: Requests,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut cached = Cached::new(shared);
    let mut msg = Vec::new();
    let mut out = Vec::new();
    let mut key = String::with_capacity(256);
    loop {
        let mut len = [0u8; 2];
        match tokio::time::timeout(TCP_IDLE, stream.read_exact(&mut len)).await {
            Ok(Ok(_)) => {}
            _ => return,
        }
        msg.resize(usize::from(u16::from_be_bytes(len)), 0);
        match tokio::time::timeout(TCP_IDLE, stream.read_exact(&mut msg)).await {
            Ok(Ok(_)) => {}
            _ => return,
        }
        let _answering = requests.begin();
        match respond(cached.get(), &view, &msg, ip, true, &mut key, &mut out) {
            Outcome::Reply => {}
            // A response, or a view gone: nothing sensible follows on this connection.
            Outcome::Nothing => return,
            Outcome::Forward(targets, limit) => {
                out = forwarded(&msg, &targets, true, limit, &cached.shared.egress).await;
            }
        }
        let Ok(n) = u16::try_from(out.len()) else { return };
        let mut framed = Vec::with_capacity(out.len() + 2);
        framed.extend_from_slice(&n.to_be_bytes());
        framed.extend_from_slice(&out);
        if stream.write_all(&framed).await.is_err() {
            return;
        }
    }
}
