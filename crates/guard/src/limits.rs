//! Connection limits and timeouts for the listeners clients connect to: the API port, every load
//! balancer listener, the DNS server's TCP ports.
//!
//! A [`Gate`] stands in front of one listener. [`Gate::accept`] hands out each new connection
//! with a [`Connection`], which the task serving it keeps until it is done:
//!
//! - **A cap** ([`Limits::max_connections`]) on the connections open at once, so that no
//!   listener can take the process's descriptors (see [`raise_descriptor_limit`]).
//! - **Timeouts** on request/response listeners ([`Kind::Requests`]: HTTP, DNS over TCP): a
//!   connection with no request in progress is closed [`Limits::idle_timeout`] after its last
//!   request ended (or it opened); one that has begun sending a request is closed if the request
//!   head is not complete [`Limits::header_read_timeout`] after its first byte (slowloris).
//!   [`Connection::track`] wraps the connection's I/O to see those bytes; [`Requests::begin`]
//!   marks a request in progress until the guard it returns is dropped.
//! - **At the cap, a slow or idle client never delays others.** When a connection arrives and
//!   the listener is full, the connection that has been idle (or reading a request head) the
//!   longest is closed to make room. Only when every connection is busy serving a request does
//!   the gate stop accepting, until one finishes. Pass-through listeners ([`Kind::Streams`]:
//!   NLB TCP) make room by closing the connection that has been quiet the longest.
//! - **Accept errors** (out of descriptors, a connection aborted before it was accepted…) back
//!   off, 10 ms growing to 1 s, instead of spinning; they are logged once per burst and once
//!   more when accepting recovers, and a burst within a minute of the last line is only
//!   counted. Out of descriptors, the gate also closes its longest-idle connection, so that
//!   accepting recovers at once.
//!
//! [`serve_http`] serves one HTTP/1.1 or HTTP/2 connection under its gate (the API port, ALB
//! listeners): requests are counted from the moment hyper hands them over until their response
//! body is written, so a long download is busy, not idle.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::service::Service;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// How long a request head may take to arrive, from its first byte (`--header-read-timeout`).
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a connection may stay without a request (`--idle-timeout`): ALB's default idle
/// timeout.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Descriptors left out of the listeners' share: the state file, runtimes, listening sockets,
/// health checks, connections to targets.
const RESERVED_DESCRIPTORS: u64 = 256;
/// The default cap per listener never goes below or above these.
const DEFAULT_CONNECTIONS: (usize, usize) = (16, 10_000);
/// The default cap on listener ports never goes below or above these.
const DEFAULT_LISTENERS: (usize, usize) = (16, 1_000);
/// The soft limit raised to: Linux refuses more than `fs.nr_open` (1,048,576 by default).
const DESCRIPTOR_CEILING: u64 = 1 << 20;
/// Accept errors back off from this delay, doubling up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(10);
const MAX_BACKOFF: Duration = Duration::from_secs(1);
/// Out of descriptors after closing an idle connection: the pause before trying again.
const FREED_PAUSE: Duration = Duration::from_millis(1);
/// A new burst of accept errors is logged only this long after the last line about them.
const QUIET_LOG: Duration = Duration::from_secs(60);
/// `EMFILE` and `ENFILE` (the same numbers on Linux and the BSDs): out of descriptors.
const OUT_OF_DESCRIPTORS: [i32; 2] = [24, 23];

/// The limits every listener applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections open at once per listener (`--max-connections`); NLB UDP flows count too.
    pub max_connections: usize,
    /// A request head must be complete this long after its first byte (`--header-read-timeout`).
    pub header_read_timeout: Duration,
    /// A connection without a request in progress is closed after this (`--idle-timeout`).
    pub idle_timeout: Duration,
}

impl Limits {
    /// The defaults for a process that may hold `descriptors` open files.
    pub fn for_descriptors(descriptors: u64) -> Limits {
        Limits {
            max_connections: default_max_connections(descriptors),
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
        }
    }
}

impl Default for Limits {
    /// The defaults for the common soft limit of 1,024 descriptors.
    fn default() -> Self {
        Limits::for_descriptors(1024)
    }
}

/// The default cap per listener: a quarter of the descriptors left after a reserve (an ALB
/// connection holds two: the client's and one to a target), within 16–10,000.
pub fn default_max_connections(descriptors: u64) -> usize {
    let share = descriptors.saturating_sub(RESERVED_DESCRIPTORS) / 4;
    let (low, high) = DEFAULT_CONNECTIONS;
    usize::try_from(share).unwrap_or(high).clamp(low, high)
}

/// The default cap on load balancer listener ports across all accounts (`--max-listeners`):
/// an eighth of the descriptors, within 16–1,000.
pub fn default_max_listeners(descriptors: u64) -> usize {
    let (low, high) = DEFAULT_LISTENERS;
    usize::try_from(descriptors / 8).unwrap_or(high).clamp(low, high)
}

/// The process's limit on open files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DescriptorLimit {
    /// In force.
    pub soft: u64,
    /// What the soft limit may be raised to.
    pub hard: u64,
}

/// Raises the soft limit on open files to the hard one (often 1,024 → 524,288 or more: the
/// soft default is far below what thousands of connections need) and returns the limits now
/// in force.
pub fn raise_descriptor_limit() -> io::Result<DescriptorLimit> {
    let (_, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE)?;
    let soft = rlimit::increase_nofile_limit(hard.min(DESCRIPTOR_CEILING))?;
    Ok(DescriptorLimit { soft, hard })
}

/// How a listener's connections are used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Requests and responses (HTTP, DNS over TCP): idle and header-read timeouts apply, and a
    /// connection is busy while a request is in progress.
    Requests,
    /// Bytes passed through (NLB TCP): the listener's own idle timeout applies; at the cap the
    /// connection quiet the longest makes room.
    Streams,
}

/// The gate in front of one listener. Cheap to clone; clones share the connections.
#[derive(Debug, Clone)]
pub struct Gate {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// Names the listener in log lines.
    name: String,
    kind: Kind,
    limits: Limits,
    epoch: Instant,
    table: Mutex<Table>,
    /// A connection closed or stopped being busy: a full listener may accept again.
    room: Notify,
    /// The listener's accept errors (one accept loop per gate).
    errors: tokio::sync::Mutex<AcceptErrors>,
}

#[derive(Debug, Default)]
struct Table {
    next_id: u64,
    open: HashMap<u64, Arc<State>>,
    /// The cap was reached and said so in the log; cleared when half the room is free again.
    full_logged: bool,
}

/// One connection's state, shared by the gate (for eviction) and its serving task.
#[derive(Debug)]
struct State {
    /// Requests in progress (HTTP/2 serves several at once).
    requests: AtomicU32,
    /// Milliseconds since the gate's epoch: when the connection became idle (opened, or its last
    /// request ended), or began a request head; for streams, its last byte.
    since: AtomicU64,
    /// A request head has begun and is not complete yet.
    reading_head: AtomicBool,
    /// HTTP/2: frames arrive between requests (pings, settings), so no head is tracked.
    multiplexed: AtomicBool,
    /// Closed by the gate to make room.
    evicted: AtomicBool,
    /// Wakes the connection's watchdog when its state changes.
    changed: Notify,
}

impl State {
    fn evictable(&self, kind: Kind) -> bool {
        kind == Kind::Streams || self.requests.load(Ordering::Acquire) == 0
    }
}

impl Gate {
    /// A gate named `name` in log lines.
    pub fn new(name: impl Into<String>, kind: Kind, limits: Limits) -> Gate {
        Gate {
            inner: Arc::new(Inner {
                name: name.into(),
                kind,
                limits,
                epoch: Instant::now(),
                table: Mutex::new(Table::default()),
                room: Notify::new(),
                errors: tokio::sync::Mutex::new(AcceptErrors::default()),
            }),
        }
    }

    /// The limits this gate applies.
    pub fn limits(&self) -> Limits {
        self.inner.limits
    }

    /// Connections open now.
    pub fn open_connections(&self) -> usize {
        self.inner.table().open.len()
    }

    /// The next connection, once there is room for it: at the cap the longest-idle connection
    /// is closed for it, and when every connection is busy the gate waits for one to finish.
    /// Accept errors are retried with a growing pause (logged once per episode).
    pub async fn accept(&self, listener: &TcpListener) -> (TcpStream, SocketAddr, Connection) {
        let mut errors = self.inner.errors.lock().await;
        loop {
            self.room_for_one().await;
            match listener.accept().await {
                Ok((stream, peer)) => {
                    if let Some(line) = errors.recovered(&self.inner.name) {
                        eprintln!("{line}");
                    }
                    let connection = self.register();
                    self.inner.make_room(connection.id);
                    return (stream, peer, connection);
                }
                Err(e) => {
                    let out_of_descriptors =
                        e.raw_os_error().is_some_and(|code| OUT_OF_DESCRIPTORS.contains(&code));
                    // Closing an idle connection frees a descriptor: try again as soon as its
                    // task has closed it.
                    let freed = out_of_descriptors && self.inner.evict_longest_idle(None);
                    let (line, pause) = errors.failed(&self.inner.name, &e);
                    if let Some(line) = line {
                        eprintln!("{line}");
                    }
                    tokio::time::sleep(if freed { FREED_PAUSE } else { pause }).await;
                }
            }
        }
    }

    /// Waits while the listener is full of busy connections.
    async fn room_for_one(&self) {
        loop {
            let room = self.inner.room.notified();
            {
                let table = self.inner.table();
                let full = table.open.len() >= self.inner.limits.max_connections;
                if !full || table.open.values().any(|s| s.evictable(self.inner.kind)) {
                    return;
                }
            }
            room.await;
        }
    }

    fn register(&self) -> Connection {
        let state = Arc::new(State {
            requests: AtomicU32::new(0),
            since: AtomicU64::new(self.inner.now()),
            reading_head: AtomicBool::new(false),
            multiplexed: AtomicBool::new(false),
            evicted: AtomicBool::new(false),
            changed: Notify::new(),
        });
        let mut table = self.inner.table();
        let id = table.next_id;
        table.next_id += 1;
        table.open.insert(id, state.clone());
        Connection { id, state, gate: self.inner.clone() }
    }
}

impl Inner {
    fn table(&self) -> MutexGuard<'_, Table> {
        match self.table.lock() {
            Ok(t) => t,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Over the cap after accepting `newcomer`: closes the longest-idle connection.
    fn make_room(&self, newcomer: u64) {
        let mut table = self.table();
        let cap = self.limits.max_connections;
        if table.open.len() <= cap {
            if table.open.len() <= cap / 2 {
                table.full_logged = false;
            }
            return;
        }
        if !table.full_logged {
            table.full_logged = true;
            eprintln!(
                "{}: {cap} connections open, the cap (--max-connections): closing the longest-idle \
                 ones to make room for new ones",
                self.name
            );
        }
        drop(table);
        self.evict_longest_idle(Some(newcomer));
    }

    /// Closes the connection idle (or quiet) the longest, other than `spare`; whether there was
    /// one.
    fn evict_longest_idle(&self, spare: Option<u64>) -> bool {
        let mut table = self.table();
        let oldest = table
            .open
            .iter()
            .filter(|(id, s)| Some(**id) != spare && s.evictable(self.kind))
            // The same millisecond: the one accepted first.
            .min_by_key(|(id, s)| (s.since.load(Ordering::Acquire), **id))
            .map(|(id, _)| *id);
        let Some(state) = oldest.and_then(|id| table.open.remove(&id)) else { return false };
        state.evicted.store(true, Ordering::Release);
        state.changed.notify_one();
        true
    }
}

/// Logs the first accept error of an episode and the recovery; backs off in between. An
/// episode that begins less than [`QUIET_LOG`] after the last line logged is counted, not
/// logged, so errors that come and go cannot flood the log either.
#[derive(Debug, Default)]
struct AcceptErrors {
    /// Failures in a row.
    failures: u64,
    pause: Duration,
    /// Episodes (and their failures) not logged since the last line.
    unlogged: (u64, u64),
    last_line: Option<Instant>,
    /// This episode's first failure was logged: its end is logged too.
    logged: bool,
}

impl AcceptErrors {
    /// A failure: the line to log, if any, and how long to pause before trying again.
    fn failed(&mut self, listener: &str, error: &io::Error) -> (Option<String>, Duration) {
        let mut line = None;
        if self.failures == 0 {
            self.pause = FIRST_BACKOFF;
            self.logged = self.last_line.is_none_or(|at| at.elapsed() >= QUIET_LOG);
            if self.logged {
                let (episodes, failures) = std::mem::take(&mut self.unlogged);
                let earlier = if episodes > 0 {
                    format!(" (earlier bursts not logged: {episodes}, {failures} failed attempts)")
                } else {
                    String::new()
                };
                line = Some(format!(
                    "{listener}: accepting a connection failed: {error}; retrying with a growing \
                     pause (up to {} ms), not logged again until accepting works{earlier}",
                    MAX_BACKOFF.as_millis()
                ));
                self.last_line = Some(Instant::now());
            } else {
                self.unlogged.0 += 1;
            }
        }
        self.failures += 1;
        if !self.logged {
            self.unlogged.1 += 1;
        }
        let pause = self.pause;
        self.pause = (self.pause * 2).min(MAX_BACKOFF);
        (line, pause)
    }

    /// An accept worked: the line to log when it ends a logged episode.
    fn recovered(&mut self, listener: &str) -> Option<String> {
        let line = (self.failures > 0 && self.logged).then(|| {
            self.last_line = Some(Instant::now());
            format!("{listener}: accepting again after {} failed attempts", self.failures)
        });
        self.failures = 0;
        line
    }
}

/// One accepted connection's place at its gate. Keep it while serving the connection; dropping
/// it frees the place.
#[derive(Debug)]
pub struct Connection {
    id: u64,
    state: Arc<State>,
    gate: Arc<Inner>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.gate.table().open.remove(&self.id);
        self.gate.room.notify_one();
    }
}

impl Connection {
    /// The connection's I/O, watched: the first byte of a request head starts the header-read
    /// timeout; on pass-through listeners every byte is activity.
    pub fn track<I>(&self, io: I) -> Tracked<I> {
        Tracked { io, state: self.state.clone(), gate: self.gate.clone(), first_read: true }
    }

    /// A handle that marks requests in progress (for a service that outlives a borrow).
    pub fn requests(&self) -> Requests {
        Requests { state: self.state.clone(), gate: self.gate.clone() }
    }

    /// Resolves when the connection must close: the gate evicted it, or (request/response
    /// listeners) it stayed idle or took too long over a request head.
    pub async fn closed(&self) {
        loop {
            let changed = self.state.changed.notified();
            if self.state.evicted.load(Ordering::Acquire) {
                return;
            }
            match self.deadline() {
                None => changed.await,
                Some(at) => {
                    let now = self.gate.now();
                    if now >= at {
                        return;
                    }
                    let wait = Duration::from_millis(at - now);
                    tokio::select! {
                        () = tokio::time::sleep(wait) => {}
                        () = changed => {}
                    }
                }
            }
        }
    }

    /// When the connection times out as things stand (ms since the gate's epoch); `None` while
    /// a request is in progress, or for pass-through connections.
    fn deadline(&self) -> Option<u64> {
        let state = &self.state;
        if self.gate.kind == Kind::Streams || state.requests.load(Ordering::Acquire) > 0 {
            return None;
        }
        let limits = &self.gate.limits;
        let timeout = if state.reading_head.load(Ordering::Acquire) {
            limits.header_read_timeout
        } else {
            limits.idle_timeout
        };
        let since = state.since.load(Ordering::Acquire);
        Some(since.saturating_add(u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX)))
    }

    /// Runs `work` (serving the connection) until it ends or the connection must close; `None`
    /// when it was cut short.
    pub async fn guard<F: Future>(&self, work: F) -> Option<F::Output> {
        tokio::select! {
            out = work => Some(out),
            () = self.closed() => None,
        }
    }
}

/// Marks requests of one connection in progress.
#[derive(Debug, Clone)]
pub struct Requests {
    state: Arc<State>,
    gate: Arc<Inner>,
}

impl Requests {
    /// A request has arrived (its head is complete): the connection is busy until the guard
    /// is dropped.
    pub fn begin(&self) -> InFlight {
        self.state.requests.fetch_add(1, Ordering::AcqRel);
        self.state.reading_head.store(false, Ordering::Release);
        InFlight { state: self.state.clone(), gate: self.gate.clone() }
    }
}

/// One request in progress; dropping it ends the request.
#[derive(Debug)]
pub struct InFlight {
    state: Arc<State>,
    gate: Arc<Inner>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.state.requests.fetch_sub(1, Ordering::AcqRel) == 1 {
            // Idle from now on: the idle timeout starts, and a full gate may evict it.
            self.state.since.store(self.gate.now(), Ordering::Release);
            self.state.changed.notify_one();
            self.gate.room.notify_one();
        }
    }
}

/// A connection's I/O as its gate watches it ([`Connection::track`]).
#[derive(Debug)]
pub struct Tracked<I> {
    io: I,
    state: Arc<State>,
    gate: Arc<Inner>,
    first_read: bool,
}

impl<I> Tracked<I> {
    fn saw_bytes(&mut self, bytes: &[u8]) {
        let state = &self.state;
        if self.gate.kind == Kind::Streams {
            state.since.store(self.gate.now(), Ordering::Release);
            return;
        }
        if std::mem::take(&mut self.first_read) && bytes.starts_with(b"PRI * HTTP/2.0") {
            state.multiplexed.store(true, Ordering::Release);
        }
        let between_requests = state.requests.load(Ordering::Acquire) == 0;
        if between_requests
            && !state.multiplexed.load(Ordering::Acquire)
            && !state.reading_head.swap(true, Ordering::AcqRel)
        {
            state.since.store(self.gate.now(), Ordering::Release);
            state.changed.notify_one();
        }
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for Tracked<I> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.io).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled
            && let Some(new) = buf.filled().get(before..)
            && !new.is_empty()
        {
            this.saw_bytes(new);
        }
        polled
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Tracked<I> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.io).poll_write(cx, buf);
        if this.gate.kind == Kind::Streams && matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.state.since.store(this.gate.now(), Ordering::Release);
        }
        polled
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        if this.gate.kind == Kind::Streams && matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.state.since.store(this.gate.now(), Ordering::Release);
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

/// An HTTP/1.1 and HTTP/2 connection builder with the gate's timers. hyper's own header-read
/// timer restarts whenever it waits for a head, between keep-alive requests too, so it is set
/// to the longer of the two timeouts as a backstop; the gate tells idle from reading a head.
pub fn http_builder(limits: &Limits) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout.max(limits.idle_timeout));
    builder.http2().timer(TokioTimer::new());
    builder
}

/// Serves one HTTP/1.1 or HTTP/2 connection (upgrades allowed) with `builder` until it ends or
/// its gate closes it; each request counts as in progress until its response body is written.
pub async fn serve_http<I, S, B>(
    connection: Connection,
    builder: &auto::Builder<TokioExecutor>,
    io: I,
    service: S,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: Body + Unpin + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let counted = Counted { inner: service, requests: connection.requests() };
    let serving =
        builder.serve_connection_with_upgrades(TokioIo::new(connection.track(io)), counted);
    // Cut short: dropping the connection closes the socket.
    let _ = connection.guard(serving).await;
}

/// A service whose requests count as in progress at the gate.
#[derive(Debug, Clone)]
struct Counted<S> {
    inner: S,
    requests: Requests,
}

type CountedFuture<B> =
    Pin<Box<dyn Future<Output = Result<Response<CountedBody<B>>, Infallible>> + Send>>;

impl<S, B> Service<Request<Incoming>> for Counted<S>
where
    S: Service<Request<Incoming>, Response = Response<B>, Error = Infallible>,
    S::Future: Send + 'static,
    B: Body + Unpin + Send + 'static,
{
    type Response = Response<CountedBody<B>>;
    type Error = Infallible;
    type Future = CountedFuture<B>;

    fn call(&self, req: Request<Incoming>) -> Self::Future {
        let in_flight = self.requests.begin();
        let answer = self.inner.call(req);
        Box::pin(async move {
            let response = answer.await?;
            Ok(response.map(|inner| CountedBody { inner, in_flight: Some(in_flight) }))
        })
    }
}

/// A response body that ends its request when it has been written (or dropped).
#[derive(Debug)]
pub struct CountedBody<B> {
    inner: B,
    in_flight: Option<InFlight>,
}

impl<B: Body + Unpin> Body for CountedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None | Some(Err(_)))) {
            this.in_flight = None;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_connections: usize) -> Limits {
        Limits {
            max_connections,
            header_read_timeout: Duration::from_millis(300),
            idle_timeout: Duration::from_millis(600),
        }
    }

    /// A client, the accepted server side and its place at the gate.
    async fn pair(gate: &Gate, listener: &TcpListener) -> (TcpStream, TcpStream, Connection) {
        let address = listener.local_addr().unwrap();
        let (client, accepted) = tokio::join!(TcpStream::connect(address), gate.accept(listener));
        (client.unwrap(), accepted.0, accepted.2)
    }

    #[test]
    fn defaults_follow_the_descriptor_limit() {
        assert_eq!(default_max_connections(512), 64);
        assert_eq!(default_max_connections(1024), 192);
        assert_eq!(default_max_connections(100), 16, "never below 16");
        assert_eq!(default_max_connections(1 << 20), 10_000, "never above 10,000");
        assert_eq!(default_max_listeners(512), 64);
        assert_eq!(default_max_listeners(1 << 20), 1_000);
    }

    #[test]
    fn the_soft_limit_is_raised_to_the_hard_one() {
        let limit = raise_descriptor_limit().unwrap();
        assert_eq!(limit.soft, limit.hard.min(DESCRIPTOR_CEILING));
    }

    #[test]
    fn accept_errors_back_off_and_are_logged_once_per_burst() {
        let mut errors = AcceptErrors::default();
        let emfile = io::Error::from_raw_os_error(24);
        let (line, pause) = errors.failed("API", &emfile);
        assert!(line.unwrap().starts_with("API: accepting a connection failed"));
        assert_eq!(pause, FIRST_BACKOFF);
        let pauses: Vec<Duration> = (0..10)
            .map(|_| errors.failed("API", &emfile))
            .map(|(line, pause)| {
                assert!(line.is_none(), "one line a burst");
                pause
            })
            .collect();
        assert_eq!(pauses[0], FIRST_BACKOFF * 2);
        assert_eq!(*pauses.last().unwrap(), MAX_BACKOFF, "the pause grows to its cap");
        assert_eq!(
            errors.recovered("API").unwrap(),
            "API: accepting again after 11 failed attempts"
        );
        assert!(errors.recovered("API").is_none());

        // Another burst soon after is counted, not logged; the next line says how many there were.
        assert!(errors.failed("API", &emfile).0.is_none());
        assert!(errors.recovered("API").is_none());
        errors.last_line = Instant::now().checked_sub(QUIET_LOG);
        let line = errors.failed("API", &emfile).0.unwrap();
        assert!(line.ends_with("(earlier bursts not logged: 1, 1 failed attempts)"), "{line}");
    }

    #[tokio::test]
    async fn an_idle_connection_closes_after_the_idle_timeout() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gate = Gate::new("test", Kind::Requests, limits(8));
        let (_client, _server, connection) = pair(&gate, &listener).await;
        let started = Instant::now();
        connection.closed().await;
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(550) && waited < Duration::from_secs(2),
            "{waited:?}"
        );
    }

    #[tokio::test]
    async fn a_head_in_progress_closes_after_the_header_read_timeout() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let limits = Limits { idle_timeout: Duration::from_secs(5), ..limits(8) };
        let gate = Gate::new("test", Kind::Requests, limits);
        let (mut client, server, connection) = pair(&gate, &listener).await;
        let mut server = connection.track(server);
        client.write_all(b"GET / HT").await.unwrap();
        let mut buf = [0u8; 16];
        let n = server.read(&mut buf).await.unwrap();
        assert_eq!(n, 8);
        let started = Instant::now();
        connection.closed().await;
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(250) && waited < Duration::from_secs(3),
            "{waited:?}"
        );
    }

    #[tokio::test]
    async fn a_busy_connection_never_times_out() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gate = Gate::new("test", Kind::Requests, limits(8));
        let (_client, _server, connection) = pair(&gate, &listener).await;
        let busy = connection.requests().begin();
        let cut = tokio::time::timeout(Duration::from_millis(900), connection.closed()).await;
        assert!(cut.is_err(), "a request in progress keeps the connection");
        drop(busy);
        let started = Instant::now();
        connection.closed().await;
        assert!(started.elapsed() >= Duration::from_millis(550), "the idle timeout restarts");
    }

    #[tokio::test]
    async fn at_the_cap_the_longest_idle_connection_makes_room() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gate = Gate::new("test", Kind::Requests, limits(2));
        let (_a, _sa, first) = pair(&gate, &listener).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        let (_b, _sb, second) = pair(&gate, &listener).await;
        let busy = second.requests().begin();
        let (_c, _sc, third) = pair(&gate, &listener).await;
        assert_eq!(gate.open_connections(), 2);
        assert!(first.state.evicted.load(Ordering::Acquire), "the idle one goes");
        tokio::time::timeout(Duration::from_millis(100), first.closed()).await.unwrap();
        assert!(!second.state.evicted.load(Ordering::Acquire), "the busy one stays");
        drop((busy, third));
    }

    #[tokio::test]
    async fn when_every_connection_is_busy_the_gate_waits() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let gate = Gate::new("test", Kind::Requests, limits(1));
        let (_a, _sa, only) = pair(&gate, &listener).await;
        let busy = only.requests().begin();
        let _waiting = TcpStream::connect(address).await.unwrap();
        let accept = gate.accept(&listener);
        tokio::pin!(accept);
        let early = tokio::time::timeout(Duration::from_millis(200), accept.as_mut()).await;
        assert!(early.is_err(), "no room while the only connection is busy");
        drop(busy);
        let (_, _, next) = tokio::time::timeout(Duration::from_millis(200), accept).await.unwrap();
        assert!(only.state.evicted.load(Ordering::Acquire), "idle now: it made room");
        drop(next);
    }
}
