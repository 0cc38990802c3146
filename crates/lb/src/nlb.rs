//! The Network Load Balancer: TCP and UDP pass-through, balanced per flow.
//!
//! A TCP connection is one flow: its 5-tuple hashes to one healthy target (or its source address
//! does, with `source_ip` stickiness), and bytes are copied both ways until either side closes,
//! the idle timeout (350 s by default) passes without a byte, or the target leaves the
//! configuration. UDP flows are keyed by the client address: each gets its own socket to its
//! target, so replies find their way back, and ends after 120 s without traffic.
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
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::watch;

use crate::config::{Action, Stickiness};
use crate::plane::{Shared, TLS_HANDSHAKE, TlsCell, current_tls};
use crate::state::{GroupState, ListenerState, Member, Snapshot, fnv64, random};

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

/// Accepts TCP connections for the listener `arn` until aborted.
/// With `tls`, the TLS listener's handshake comes first and the target gets the plaintext.
pub async fn serve_tcp(
    shared: Arc<Shared>,
    arn: Arc<str>,
    listener: TcpListener,
    tls: Option<TlsCell>,
) {
    loop {
        let Ok((stream, client)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        };
        let Ok(local) = stream.local_addr() else { continue };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let arn = arn.clone();
        let acceptor = tls.as_ref().map(|cell| tokio_rustls::TlsAcceptor::from(current_tls(cell)));
        tokio::spawn(async move {
            match acceptor {
                None => tcp_flow(shared, &arn, stream, client, local).await,
                Some(acceptor) => {
                    let handshake = tokio::time::timeout(TLS_HANDSHAKE, acceptor.accept(stream));
                    if let Ok(Ok(stream)) = handshake.await {
                        tcp_flow(shared, &arn, stream, client, local).await;
                    }
                }
            }
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

struct UdpFlow {
    upstream: Arc<UdpSocket>,
    task: tokio::task::JoinHandle<()>,
    last: Arc<AtomicU64>,
}

/// Serves UDP for the listener `arn` until aborted: a flow (and a socket to its target) per
/// client address.
pub async fn serve_udp(shared: Arc<Shared>, arn: Arc<str>, socket: UdpSocket) {
    let socket = Arc::new(socket);
    let epoch = Instant::now();
    let mut flows: HashMap<SocketAddr, UdpFlow> = HashMap::new();
    let mut buf = vec![0u8; 65_536];
    let mut packets: u64 = 0;
    loop {
        let Ok((n, client)) = socket.recv_from(&mut buf).await else { continue };
        let Some(datagram) = buf.get(..n) else { continue };
        packets = packets.wrapping_add(1);
        if packets.is_multiple_of(1024) {
            flows.retain(|_, f| !f.task.is_finished());
        }
        let live = flows.get(&client).is_some_and(|f| !f.task.is_finished());
        if !live {
            let Some(flow) = open_udp_flow(&shared, &arn, &socket, client, epoch).await else {
                continue;
            };
            if let Some(old) = flows.insert(client, flow) {
                old.task.abort();
            }
        }
        if let Some(flow) = flows.get(&client) {
            flow.last.store(epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
            let _ = flow.upstream.send(datagram).await;
        }
    }
}

async fn open_udp_flow(
    shared: &Shared,
    arn: &str,
    socket: &Arc<UdpSocket>,
    client: SocketAddr,
    epoch: Instant,
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
    let last = Arc::new(AtomicU64::new(epoch.elapsed().as_millis() as u64));
    let closed = member.runtime.closed();
    let task = tokio::spawn(udp_replies(
        upstream.clone(),
        socket.clone(),
        client,
        last.clone(),
        epoch,
        closed,
    ));
    Some(UdpFlow { upstream, task, last })
}

async fn udp_replies(
    upstream: Arc<UdpSocket>,
    socket: Arc<UdpSocket>,
    client: SocketAddr,
    last: Arc<AtomicU64>,
    epoch: Instant,
    closed: watch::Receiver<bool>,
) {
    let mut buf = vec![0u8; 65_536];
    let gone = until_closed(closed);
    tokio::pin!(gone);
    loop {
        let idle_ms = UDP_IDLE_TIMEOUT.as_millis() as u64;
        let since = epoch.elapsed().as_millis() as u64
            - last.load(Ordering::Relaxed).min(epoch.elapsed().as_millis() as u64);
        if since >= idle_ms {
            return;
        }
        let wait = Duration::from_millis(idle_ms - since);
        tokio::select! {
            r = upstream.recv(&mut buf) => match r {
                Ok(n) => {
                    let Some(datagram) = buf.get(..n) else { continue };
                    last.store(epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
                    let _ = socket.send_to(datagram, client).await;
                }
                // ICMP port unreachable from the target surfaces as an error: keep the flow.
                Err(_) => tokio::time::sleep(Duration::from_millis(1)).await,
            },
            _ = tokio::time::sleep(wait) => {}
            _ = &mut gone => return,
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
