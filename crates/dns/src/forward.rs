//! Forwarding, as Route 53 Resolver's FORWARD rules do: a VPC view sends a query whose name
//! falls under a rule to the rule's targets and relays the answer.
//!
//! Which rule applies is decided by [`Snapshot::forward_targets`](crate::answer::Snapshot::forward_targets)
//! when the view is compiled from [`View::forward`](crate::View::forward): the most specific
//! domain wins, a SYSTEM rule keeps its names here, and a private zone of the VPC more specific
//! than the rule keeps its names too. [`forward`] then tries the targets one after the other,
//! starting at a random one (Resolver picks at random and retries another on timeout): over UDP
//! for a client that asked over UDP, again over TCP when that answer came back truncated (the
//! TCP answer is relayed if it fits the client's UDP limit, else the truncated one is, and the
//! client retries over TCP), over TCP for a client that asked over TCP. Each attempt has its own
//! socket and a fresh query id. The relayed answer says what a recursive resolver's does: RA
//! set, AA clear. When no target answers, the client gets SERVFAIL.
//!
//! Targets are sent to through the egress policy (`--egress-allow`): a target it refuses is
//! skipped without a packet, and when it refuses them all the client gets SERVFAIL at once.

use std::net::SocketAddr;
use std::time::Duration;

use guard::egress::EgressPolicy;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long one target has to answer before the next is tried.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(1);

const QR: u8 = 0x80;
const AA: u8 = 0x04;
const TC: u8 = 0x02;
const RA: u8 = 0x80;

/// Forwards `query` (a client's whole message) to those of `targets` that `egress` allows;
/// `tcp` says how the client asked and `limit` how large a UDP answer it takes. `None` when no
/// target answered (or none is allowed).
pub async fn forward(
    query: &[u8],
    targets: &[SocketAddr],
    tcp: bool,
    limit: usize,
    egress: &EgressPolicy,
) -> Option<Vec<u8>> {
    let (&[id_hi, id_lo], rest) = query.split_first_chunk::<2>()?;
    let targets: Vec<SocketAddr> =
        targets.iter().copied().filter(|t| egress.check(*t).is_ok()).collect();
    if targets.is_empty() || rest.len() < 10 {
        return None;
    }
    let first = usize::try_from(crate::rng::random() % targets.len() as u64).unwrap_or(0);
    for target in targets.iter().cycle().skip(first).take(targets.len()) {
        let id = (crate::rng::random() as u16).to_be_bytes();
        let mut out = Vec::with_capacity(query.len());
        out.extend_from_slice(&id);
        out.extend_from_slice(rest);
        let answer = if tcp {
            over_tcp(&out, *target, id, egress).await
        } else {
            match over_udp(&out, *target, id, egress).await {
                Some(a) if a.get(2).is_some_and(|f| f & TC != 0) => {
                    match over_tcp(&out, *target, id, egress).await {
                        Some(full) if full.len() <= limit => Some(full),
                        _ => Some(a),
                    }
                }
                other => other,
            }
        };
        if let Some(mut answer) = answer
            && let Some([a, b, flags, more]) = answer.first_chunk_mut::<4>()
        {
            (*a, *b) = (id_hi, id_lo);
            *flags &= !AA;
            *more |= RA;
            return Some(answer);
        }
    }
    None
}

/// Whether `msg` is a response to the query with `id`.
fn answers(msg: &[u8], id: [u8; 2]) -> bool {
    msg.len() >= 12 && msg.get(..2) == Some(&id[..]) && msg.get(2).is_some_and(|f| f & QR != 0)
}

async fn over_udp(
    query: &[u8],
    target: SocketAddr,
    id: [u8; 2],
    egress: &EgressPolicy,
) -> Option<Vec<u8>> {
    let socket = egress.udp_connected(target).await.ok()?;
    socket.send(query).await.ok()?;
    let mut buf = vec![0u8; usize::from(u16::MAX)];
    tokio::time::timeout(ATTEMPT_TIMEOUT, async {
        loop {
            let n = socket.recv(&mut buf).await.ok()?;
            if let Some(msg) = buf.get(..n).filter(|m| answers(m, id)) {
                return Some(msg.to_vec());
            }
        }
    })
    .await
    .ok()
    .flatten()
}

async fn over_tcp(
    query: &[u8],
    target: SocketAddr,
    id: [u8; 2],
    egress: &EgressPolicy,
) -> Option<Vec<u8>> {
    let len = u16::try_from(query.len()).ok()?;
    tokio::time::timeout(ATTEMPT_TIMEOUT, async {
        let mut stream = egress.connect_tcp(target).await.ok()?;
        let mut framed = Vec::with_capacity(query.len() + 2);
        framed.extend_from_slice(&len.to_be_bytes());
        framed.extend_from_slice(query);
        stream.write_all(&framed).await.ok()?;
        let mut n = [0u8; 2];
        stream.read_exact(&mut n).await.ok()?;
        let mut msg = vec![0u8; usize::from(u16::from_be_bytes(n))];
        stream.read_exact(&mut msg).await.ok()?;
        answers(&msg, id).then_some(msg)
    })
    .await
    .ok()
    .flatten()
}
