//! The ALB's request handling: raw bytes on a connection to the base network's listener
//! (rules on paths, hosts, headers, query strings, methods and source addresses; fixed
//! responses, redirects built from the request's parts, and forwarding to a loopback target
//! that refuses), served by the same HTTP/1.1 and HTTP/2 builder as the listeners.
//!
//! Beyond not crashing: the connection ends once the client has sent everything (no input
//! hangs it), and whatever comes back is HTTP.

use guard::egress::EgressPolicy;
use guard::limits::{Limits, http_builder};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use lb::state::{ListenerState, Snapshot};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long one input may keep the connection open: far beyond anything it needs.
const HANG: Duration = Duration::from_secs(20);

struct Served {
    egress: Arc<EgressPolicy>,
    snapshot: Snapshot,
    listener: Arc<ListenerState>,
}

fn served() -> &'static Served {
    static SERVED: OnceLock<Served> = OnceLock::new();
    SERVED.get_or_init(|| {
        let translation = lb::from_model::translate(&crate::base::base().world, 0);
        let snapshot = Snapshot::build(&translation.config, &Snapshot::default());
        let listener = snapshot.listeners.values().next().cloned();
        let Some(listener) = listener else { panic!("the base network has no listener") };
        Served { egress: Arc::new(EgressPolicy::loopback_only()), snapshot, listener }
    })
}

pub fn run(data: &[u8]) {
    let served = served();
    let client: SocketAddr = ([127, 0, 0, 1], 50000).into();
    let (mut near, far) = tokio::io::duplex(64 * 1024);
    let service = service_fn(move |req: hyper::Request<Incoming>| async move {
        let answer =
            lb::alb::handle(&served.egress, &served.snapshot, &served.listener, req, client);
        Ok::<_, Infallible>(answer.await)
    });
    let exchange = async {
        let builder = http_builder(&Limits::for_descriptors(1024));
        let server = async {
            let _ = builder.serve_connection_with_upgrades(TokioIo::new(far), service).await;
        };
        let talk = async {
            let (mut reader, mut writer) = tokio::io::split(&mut near);
            let send = async {
                let _ = writer.write_all(data).await;
                let _ = writer.shutdown().await;
            };
            let mut answer = Vec::new();
            let receive = reader.read_to_end(&mut answer);
            let ((), received) = tokio::join!(send, receive);
            received.map(|_| answer)
        };
        tokio::join!(server, talk).1
    };
    let answer = match crate::block_on(async { tokio::time::timeout(HANG, exchange).await }) {
        Ok(answer) => answer.unwrap_or_default(),
        Err(_) => panic!("the connection was still open {HANG:?} after the client finished"),
    };
    let http2 = data.starts_with(b"PRI * HTTP/2.0");
    if !answer.is_empty() && !http2 {
        assert!(answer.starts_with(b"HTTP/1."), "not an HTTP answer: {answer:?}");
    }
}
