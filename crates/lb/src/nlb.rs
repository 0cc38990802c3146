//! The Network Load Balancer: TCP and UDP pass-through, balanced per flow.
//!
//! A TCP connection is one flow: its 5-tuple hashes to one healthy target (or its source address
//! does, with `source_ip` stickiness), and bytes are copied both ways until either side closes,
//! the idle timeout (350 s by default) passes without a byte, or the target leaves the
//! configuration. UDP flows are keyed by the client address: each gets its own socket to its
//! target, so replies find their way back, and ends (its socket closed) after 120 s without
//! traffic, AWS's UDP idle timeout for NLB. A listener holds at most `--max-connections` flows,
//! as many as TCP connections: a new flow beyond them takes the place of the flow quiet the
//! longest.
//!
//! Locally the target sees the plane's address, not the client's: AWS preserves the client IP
//! for instance targets, but this machine cannot without privileges. Enable
//! `proxy_protocol_v2` on the group to hand the client address to the target in a PROXY v2
//! header.
//!
//! Targets are dialled through the egress policy: a TCP connection picked for a target it
//! refuses is closed, a UDP datagram for one is dropped; the target gets no packet.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use guard::limits::Gate;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::watch;
use tokio::task::AbortHandle;

use crate::config::{Action, Stickiness};
use crate::state::{GroupState, ListenerState, Member, Shared, Snapshot, fnv64, random};
use crate::tls::{self, MaybeTls, TlsCell};

/// UDP flows end after this long without a datagram either way.
pub const UDP_IDLE_TIMEOUT: Duration = Duration::from_secs(120);

/// The group a listener's default action forwards to (weighted when there are several).
fn group<'s>(snapshot: &'s Snapshot, listener: &ListenerState) -> Option<&'s GroupState> {
    let groups = listener.listener.default_actions.iter().find_map(|a| match a {
        Action::Forward { groups, .. } => Some(groups),
        _ => None,
    })?;
    let live: Vec<(&GroupState, u64)> = groups
        .iter()
        .filter_map(|(arn, w)| snapshot.groups.get(arn).map(|g| (g.as_ref(), u64::from(*w))))
        .collect();
    let total: u64 = live.iter().map(|(_, w)| w).sum();
    if total == 0 {
        return live.first().map(|(g, _)| *g);
    }
    let mut point = random() % total;
    for (g, w) in live {
        if point < w {
            return Some(g);
        }
        point -= w;
    }
    None
}

fn flow_hash(group: &GroupState, client: SocketAddr, local: SocketAddr, proto: &str) -> u64 {
    let client_ip = client.ip().to_canonical().to_string();
    if group.config.stickiness == Some(Stickiness::SourceIp) {
        return fnv64(&[&client_ip]);
    }
    fnv64(&[proto, &client_ip, &client.port().to_string(), &local.to_string()])
}

/// Accepts TCP connections for the listener `arn` until aborted, as many at once as its gate
/// allows (at the cap the connection quiet the longest makes room).
/// With `tls`, the TLS listener's handshake comes first and the target gets the plaintext.
pub async fn serve_tcp(
    shared: Arc<Shared>,
    arn: Arc<str>,
    listener: TcpListener,
    tls: Option<TlsCell>,
    gate: Gate,
) {
    loop {
        let (stream, client, connection) = gate.accept(&listener).await;
        let Ok(local) = stream.local_addr() else { continue };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let arn = arn.clone();
        let acceptor = tls.as_ref().map(tls::acceptor);
        tokio::spawn(async move {
            let stream = match acceptor {
                None => connection.track(MaybeTls::Plain(stream)),
                Some(acceptor) => {
                    let Some(stream) = tls::handshake(&connection, acceptor, stream).await else {
                        return;
                    };
                    connection.track(MaybeTls::Tls(Box::new(stream)))
                }
            };
            connection.guard(tcp_flow(shared, &arn, stream, client, local)).await;
        });
    }
}

async fn tcp_flow<C>(
    shared: Arc<Shared>,
    arn: &str,
    client_stream: C,
    client: SocketAddr,
    local: SocketAddr,
) where
    C: AsyncRead + AsyncWrite + Unpin,
{
    let snapshot = shared.snapshot();
    let Some(listener) = snapshot.listeners.get(arn) else { return };
    let Some(group) = group(&snapshot, listener) else { return };
    // No target: the connection is closed (AWS resets it).
    let Ok(member) = group.pick_by_hash(flow_hash(group, client, local, "tcp")) else { return };
    // A target the egress policy refuses: the client's connection is closed.
    let connect = shared.egress.connect_tcp(member.target.address);
    let Ok(Ok(mut target)) = tokio::time::timeout(Duration::from_secs(10), connect).await else {
        return;
    };
    let _ = target.set_nodelay(true);
    if group.config.proxy_protocol_v2 {
        let destination = SocketAddr::new(local.ip(), listener.listener.port);
        if target.write_all(&proxy_v2_header(client, destination, false)).await.is_err() {
            return;
        }
    }
    let runtime = member.runtime.clone();
    let idle = listener.idle_timeout;
    drop(snapshot);
    runtime.inflight.fetch_add(1, Ordering::Relaxed);
    relay(client_stream, target, idle, runtime.closed()).await;
    runtime.inflight.fetch_sub(1, Ordering::Relaxed);
}

/// Copies bytes both ways until both sides have closed, one resets, nothing moves for `idle`,
/// or `closed` turns true. Half-closes are passed on.
pub async fn relay<A, B>(a: A, b: B, idle: Duration, closed: watch::Receiver<bool>)
where
    A: AsyncRead + AsyncWrite + Unpin,
    B: AsyncRead + AsyncWrite + Unpin,
{
    let (mut ar, mut aw) = tokio::io::split(a);
    let (mut br, mut bw) = tokio::io::split(b);
    let mut abuf = vec![0u8; 16 * 1024];
    let mut bbuf = vec![0u8; 16 * 1024];
    let (mut a_open, mut b_open) = (true, true);
    let deadline = tokio::time::sleep(idle);
    tokio::pin!(deadline);
    let gone = until_closed(closed);
    tokio::pin!(gone);
    while a_open || b_open {
        tokio::select! {
            r = ar.read(&mut abuf), if a_open => match r {
                Ok(0) => { a_open = false; let _ = bw.shutdown().await; }
                Ok(n) => {
                    let Some(chunk) = abuf.get(..n) else { break };
                    if bw.write_all(chunk).await.is_err() { break }
                    deadline.as_mut().reset(tokio::time::Instant::now() + idle);
                }
                Err(_) => break,
            },
            r = br.read(&mut bbuf), if b_open => match r {
                Ok(0) => { b_open = false; let _ = aw.shutdown().await; }
                Ok(n) => {
                    let Some(chunk) = bbuf.get(..n) else { break };
                    if aw.write_all(chunk).await.is_err() { break }
                    deadline.as_mut().reset(tokio::time::Instant::now() + idle);
                }
                Err(_) => break,
            },
            _ = &mut deadline => break,
            _ = &mut gone => break,
        }
    }
}

/// Resolves once the target is closed (never if the plane drops it first).
async fn until_closed(mut closed: watch::Receiver<bool>) {
    loop {
        if *closed.borrow_and_update() {
            return;
        }
        if closed.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// A PROXY protocol v2 header (`PROXY` command, TCP or UDP over IPv4/IPv6) carrying the
/// client's address and the listener's.
pub fn proxy_v2_header(source: SocketAddr, destination: SocketAddr, udp: bool) -> Vec<u8> {
    let mut header = b"\r\n\r\n\0\r\nQUIT\n".to_vec();
    header.push(0x21);
    let transport = if udp { 0x02 } else { 0x01 };
    let (s, d) = (source.ip().to_canonical(), destination.ip().to_canonical());
    match (s, d) {
        (IpAddr::V4(s4), IpAddr::V4(d4)) => {
            header.push(0x10 | transport);
            header.extend_from_slice(&12u16.to_be_bytes());
            header.extend_from_slice(&s4.octets());
            header.extend_from_slice(&d4.octets());
        }
        _ => {
            let v6 = |ip: IpAddr| match ip {
                IpAddr::V4(v4) => v4.to_ipv6_mapped(),
                IpAddr::V6(v6) => v6,
            };
            header.push(0x20 | transport);
            header.extend_from_slice(&36u16.to_be_bytes());
            header.extend_from_slice(&v6(s).octets());
            header.extend_from_slice(&v6(d).octets());
        }
    }
    header.extend_from_slice(&source.port().to_be_bytes());
    header.extend_from_slice(&destination.port().to_be_bytes());
    header
}

/// The flows of one UDP listener, by client address: at most the listener's connection cap
/// (a new flow beyond it takes the place of the flow quiet the longest), each ended — its socket
/// to the target closed — after the UDP idle timeout without a datagram either way. Dropping
/// the table (the listener closed) ends every flow.
#[derive(Default)]
struct UdpFlows {
    flows: Mutex<HashMap<SocketAddr, UdpFlow>>,
    next_id: AtomicU64,
}

struct UdpFlow {
    id: u64,
    upstream: Arc<UdpSocket>,
    /// Milliseconds since the listener's epoch of the last datagram either way.
    last: Arc<AtomicU64>,
    replies: AbortHandle,
}

impl Drop for UdpFlow {
    fn drop(&mut self) {
        // The reply task holds the other reference to the socket.
        self.replies.abort();
    }
}

impl UdpFlows {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SocketAddr, UdpFlow>> {
        match self.flows.lock() {
            Ok(f) => f,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The socket of `client`'s live flow, marked active at `now`.
    fn active(&self, client: SocketAddr, now: u64) -> Option<Arc<UdpSocket>> {
        let flows = self.lock();
        let flow = flows.get(&client)?;
        flow.last.store(now, Ordering::Relaxed);
        Some(flow.upstream.clone())
    }

    /// Adds a flow; at `cap`, the flow quiet the longest ends to make room.
    fn insert(&self, client: SocketAddr, flow: UdpFlow, cap: usize) {
        let mut flows = self.lock();
        if flows.len() >= cap {
            let quietest = flows
                .iter()
                .min_by_key(|(_, f)| (f.last.load(Ordering::Relaxed), f.id))
                .map(|(address, _)| *address);
            if let Some(address) = quietest {
                flows.remove(&address);
            }
        }
        flows.insert(client, flow);
    }

    /// Ends `client`'s flow if it is still the flow `id`.
    fn end(&self, client: SocketAddr, id: u64) {
        let mut flows = self.lock();
        if flows.get(&client).is_some_and(|f| f.id == id) {
            flows.remove(&client);
        }
    }
}

/// Serves UDP for the listener `arn` until aborted: a flow (and a socket to its target) per
/// client address.
pub async fn serve_udp(shared: Arc<Shared>, arn: Arc<str>, socket: UdpSocket) {
    let socket = Arc::new(socket);
    let epoch = Instant::now();
    let table = Arc::new(UdpFlows::default());
    let mut buf = vec![0u8; 65_536];
    loop {
        let Ok((n, client)) = socket.recv_from(&mut buf).await else { continue };
        let Some(datagram) = buf.get(..n) else { continue };
        let now = millis_since(epoch);
        let upstream = match table.active(client, now) {
            Some(upstream) => upstream,
            None => {
                let Some(flow) = open_udp_flow(&shared, &arn, &socket, client, epoch, &table).await
                else {
                    continue;
                };
                let upstream = flow.upstream.clone();
                table.insert(client, flow, shared.limits.max_connections);
                upstream
            }
        };
        let _ = upstream.send(datagram).await;
    }
}

fn millis_since(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
}

async fn open_udp_flow(
    shared: &Shared,
    arn: &str,
    socket: &Arc<UdpSocket>,
    client: SocketAddr,
    epoch: Instant,
    table: &Arc<UdpFlows>,
) -> Option<UdpFlow> {
    let snapshot = shared.snapshot();
    let listener = snapshot.listeners.get(arn)?;
    let local = socket.local_addr().ok()?;
    let group = group(&snapshot, listener)?;
    let member: &Member = group.pick_by_hash(flow_hash(group, client, local, "udp")).ok()?;
    // A target the egress policy refuses gets no flow: the datagram is dropped.
    let upstream = Arc::new(shared.egress.udp_connected(member.target.address).await.ok()?);
    if group.config.proxy_protocol_v2 {
        let destination = SocketAddr::new(local.ip(), listener.listener.port);
        let _ = upstream.send(&proxy_v2_header(client, destination, true)).await;
    }
    let last = Arc::new(AtomicU64::new(millis_since(epoch)));
    let id = table.next_id.fetch_add(1, Ordering::Relaxed);
    let flow = ReplyFlow {
        upstream: upstream.clone(),
        socket: socket.clone(),
        client,
        last: last.clone(),
        epoch,
        idle: shared.udp_idle_timeout,
    };
    let closed = member.runtime.closed();
    let table = Arc::downgrade(table);
    let replies = tokio::spawn(async move {
        flow.relay_replies(closed).await;
        // Expired, or the target left: the flow ends and its socket closes.
        if let Some(table) = table.upgrade() {
            table.end(client, id);
        }
    });
    Some(UdpFlow { id, upstream, last, replies: replies.abort_handle() })
}

/// The reply side of one UDP flow.
struct ReplyFlow {
    upstream: Arc<UdpSocket>,
    socket: Arc<UdpSocket>,
    client: SocketAddr,
    last: Arc<AtomicU64>,
    epoch: Instant,
    idle: Duration,
}

impl ReplyFlow {
    /// Relays the target's datagrams to the client until the flow has been idle for its
    /// timeout or the target is closed.
    async fn relay_replies(&self, closed: watch::Receiver<bool>) {
        let mut buf = vec![0u8; 65_536];
        let gone = until_closed(closed);
        tokio::pin!(gone);
        let idle_ms = u64::try_from(self.idle.as_millis()).unwrap_or(u64::MAX);
        loop {
            let since = millis_since(self.epoch).saturating_sub(self.last.load(Ordering::Relaxed));
            if since >= idle_ms {
                return;
            }
            let wait = Duration::from_millis(idle_ms - since);
            tokio::select! {
                r = self.upstream.recv(&mut buf) => match r {
                    Ok(n) => {
                        let Some(datagram) = buf.get(..n) else { continue };
                        self.last.store(millis_since(self.epoch), Ordering::Relaxed);
                        let _ = self.socket.send_to(datagram, self.client).await;
                    }
                    // ICMP port unreachable from the target surfaces as an error: keep the flow.
                    Err(_) => tokio::time::sleep(Duration::from_millis(1)).await,
                },
                _ = tokio::time::sleep(wait) => {}
                _ = &mut gone => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_v2_headers_carry_both_addresses() {
        let h = proxy_v2_header(
            "10.0.0.1:4000".parse().unwrap(),
            "10.0.0.2:80".parse().unwrap(),
            false,
        );
        assert_eq!(&h[..12], b"\r\n\r\n\0\r\nQUIT\n");
        assert_eq!(h[12], 0x21);
        assert_eq!(h[13], 0x11);
        assert_eq!(&h[14..16], &[0, 12]);
        assert_eq!(&h[16..20], &[10, 0, 0, 1]);
        assert_eq!(&h[20..24], &[10, 0, 0, 2]);
        assert_eq!(&h[24..26], &4000u16.to_be_bytes());
        assert_eq!(&h[26..28], &80u16.to_be_bytes());
        let u = proxy_v2_header("[::1]:1".parse().unwrap(), "10.0.0.2:53".parse().unwrap(), true);
        assert_eq!(u[13], 0x22);
        assert_eq!(u.len(), 16 + 36);
    }
}
