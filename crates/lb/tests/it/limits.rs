//! Listeners under their limits: idle and slow clients at the cap, NLB UDP flows capped and
//! expiring.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use guard::limits::Limits;
use lb::{Kind, Options, Plane, Protocol, Target};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

use crate::support::*;

fn options(max_connections: usize) -> Options {
    with_timeouts(max_connections, Duration::from_millis(400), Duration::from_millis(800))
}

fn with_timeouts(max_connections: usize, header_read: Duration, idle: Duration) -> Options {
    Options {
        limits: Limits { max_connections, header_read_timeout: header_read, idle_timeout: idle },
        ..Options::default()
    }
}

/// Whether the server closed `stream` within `within` (reads end, or the connection resets).
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 64];
    matches!(tokio::time::timeout(within, stream.read(&mut buf)).await, Ok(Ok(0) | Err(_)))
}

/// An ALB plane under `options` with one HTTP listener forwarding to `backend`, and the
/// listener's address.
async fn alb(options: Options, backend: &Backend) -> (std::sync::Arc<Plane>, SocketAddr) {
    let plane = Plane::new(options);
    let l = "arn:listener/app/80";
    plane
        .apply(config(
            vec![balancer(Kind::Application, vec![listener(l, 80, Protocol::Http, forward("tg"))])],
            vec![group("tg", vec![backend.target()])],
        ))
        .await;
    let at = local(&plane, l);
    (plane, at)
}

#[tokio::test]
async fn an_alb_at_its_cap_closes_idle_and_slow_clients_for_new_ones() {
    let backend = Backend::start("a").await;
    // Timeouts long enough that "at once" cannot be one of them, even on a busy machine.
    let (_plane, at) =
        alb(with_timeouts(4, Duration::from_secs(2), Duration::from_secs(4)), &backend).await;
    // Two idle clients and two slowloris clients fill the listener.
    let mut idle = [TcpStream::connect(at).await.unwrap(), TcpStream::connect(at).await.unwrap()];
    let mut slow = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(at).await.unwrap();
        s.write_all(b"GET / HTTP/1.1\r\nHost: a").await.unwrap();
        slow.push(s);
    }
    tokio::time::sleep(Duration::from_millis(50)).await;

    let started = Instant::now();
    let got = get(at, "/", &[]).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert!(started.elapsed() < Duration::from_secs(1), "answered at once at the cap");
    assert!(closed_within(&mut idle[0], Duration::from_secs(1)).await, "the longest idle goes");

    // The slow heads go after the header-read timeout, the idle one after the idle timeout.
    let waiting = Instant::now();
    for s in &mut slow {
        assert!(closed_within(s, Duration::from_secs(3)).await, "slowloris closed");
    }
    assert!(waiting.elapsed() < Duration::from_secs(3), "slow heads go first");
    assert!(closed_within(&mut idle[1], Duration::from_secs(4)).await, "idle closed");
}

#[tokio::test]
async fn a_keep_alive_connection_serves_requests_until_it_idles_out() {
    let backend = Backend::start("a").await;
    let (_plane, at) = alb(options(8), &backend).await;
    let mut s = TcpStream::connect(at).await.unwrap();
    for _ in 0..3 {
        // Each pause is longer than the header-read timeout but shorter than the idle one.
        tokio::time::sleep(Duration::from_millis(500)).await;
        s.write_all(b"GET / HTTP/1.1\r\nHost: app.example.com\r\n\r\n").await.unwrap();
        let mut buf = [0u8; 1024];
        let n =
            tokio::time::timeout(Duration::from_secs(2), s.read(&mut buf)).await.unwrap().unwrap();
        assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&buf[..n]));
    }
    assert!(closed_within(&mut s, Duration::from_millis(1500)).await);
}

/// A UDP server that answers each datagram with the source port it came from.
async fn port_echo() -> SocketAddr {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let address = socket.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = [0u8; 512];
        loop {
            let (_, from) = socket.recv_from(&mut buf).await.unwrap();
            let _ = socket.send_to(from.port().to_string().as_bytes(), from).await;
        }
    });
    address
}

/// The port the target saw `client`'s datagram come from (the flow's socket).
async fn flow_port(client: &UdpSocket, listener: SocketAddr) -> u16 {
    client.send_to(b"?", listener).await.unwrap();
    let mut buf = [0u8; 16];
    let (n, _) = tokio::time::timeout(Duration::from_secs(2), client.recv_from(&mut buf))
        .await
        .unwrap()
        .unwrap();
    std::str::from_utf8(&buf[..n]).unwrap().parse().unwrap()
}

async fn udp_plane(options: Options) -> (std::sync::Arc<Plane>, SocketAddr) {
    let echo = port_echo().await;
    let mut tg = group(
        "tg-udp",
        vec![Target {
            id: "i-u".into(),
            port: echo.port(),
            address: echo,
            zone: None,
            draining: false,
        }],
    );
    tg.protocol = Protocol::Udp;
    tg.health_check.enabled = false;
    let plane = Plane::new(options);
    let l = "arn:l/udp";
    plane
        .apply(config(
            vec![balancer(Kind::Network, vec![listener(l, 53, Protocol::Udp, forward("tg-udp"))])],
            vec![tg],
        ))
        .await;
    let at = local(&plane, l);
    (plane, at)
}

#[tokio::test]
async fn a_udp_flow_ends_and_closes_its_socket_after_the_idle_timeout() {
    let options = Options { udp_idle_timeout: Duration::from_millis(300), ..options(8) };
    let (_plane, at) = udp_plane(options).await;
    let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let first = flow_port(&client, at).await;
    assert_eq!(flow_port(&client, at).await, first, "one flow while it is active");
    tokio::time::sleep(Duration::from_millis(600)).await;
    // Expired: its socket is closed, so its port is free again.
    assert!(std::net::UdpSocket::bind(("0.0.0.0", first)).is_ok(), "the flow's socket is closed");
    assert_ne!(flow_port(&client, at).await, first, "a new flow");
}

#[tokio::test]
async fn a_new_udp_flow_beyond_the_cap_replaces_the_quietest() {
    let (_plane, at) = udp_plane(options(2)).await;
    let clients = [
        UdpSocket::bind("127.0.0.1:0").await.unwrap(),
        UdpSocket::bind("127.0.0.1:0").await.unwrap(),
        UdpSocket::bind("127.0.0.1:0").await.unwrap(),
    ];
    // Apart by more than the flows' clock tick (a millisecond).
    let tick = || tokio::time::sleep(Duration::from_millis(5));
    let first = flow_port(&clients[0], at).await;
    tick().await;
    let second = flow_port(&clients[1], at).await;
    tick().await;
    assert_eq!(flow_port(&clients[0], at).await, first);
    tick().await;
    // The third flow takes the place of the second, now the quietest.
    flow_port(&clients[2], at).await;
    assert_eq!(flow_port(&clients[0], at).await, first, "the active flow stays");
    assert_ne!(flow_port(&clients[1], at).await, second, "the quietest flow was ended");
}

#[tokio::test]
async fn an_nlb_at_its_cap_closes_the_quietest_connection_for_a_new_one() {
    let x = tcp_echo().await;
    let mut tg = group(
        "tg",
        vec![Target { id: "i-x".into(), port: x.port(), address: x, zone: None, draining: false }],
    );
    tg.protocol = Protocol::Tcp;
    tg.health_check.protocol = Protocol::Tcp;
    let plane = Plane::new(options(2));
    let l = "arn:l/tcp";
    plane
        .apply(config(
            vec![balancer(Kind::Network, vec![listener(l, 7000, Protocol::Tcp, forward("tg"))])],
            vec![tg],
        ))
        .await;
    let at = local(&plane, l);
    let mut quiet = TcpStream::connect(at).await.unwrap();
    echo(&mut quiet, "one").await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut active = TcpStream::connect(at).await.unwrap();
    echo(&mut active, "two").await;
    let mut newcomer = TcpStream::connect(at).await.unwrap();
    echo(&mut newcomer, "three").await;
    assert!(closed_within(&mut quiet, Duration::from_millis(500)).await, "the quietest goes");
    echo(&mut active, "still here").await;
}

async fn tcp_echo() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut s, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                while let Ok(n @ 1..) = s.read(&mut buf).await {
                    if s.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    address
}

async fn echo(stream: &mut TcpStream, words: &str) {
    stream.write_all(words.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; words.len()];
    tokio::time::timeout(Duration::from_secs(2), stream.read_exact(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(buf, words.as_bytes());
}

#[tokio::test]
async fn an_http2_connection_idles_out_after_the_idle_timeout_not_the_header_timeout() {
    use bytes::Bytes;
    use http_body_util::{BodyExt, Empty};
    use hyper_util::rt::{TokioExecutor, TokioIo};

    let backend = Backend::start("a").await;
    let (_plane, at) = alb(options(8), &backend).await;
    let stream = TcpStream::connect(at).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http2::handshake::<_, _, Empty<Bytes>>(
        TokioExecutor::new(),
        TokioIo::new(stream),
    )
    .await
    .unwrap();
    let open = tokio::spawn(connection);
    let request = hyper::Request::get("http://app.example.com/").body(Empty::new()).unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    response.into_body().collect().await.unwrap();
    // HTTP/2 frames between requests (settings, pings) are not a request head.
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(3), open).await.unwrap().unwrap().ok();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(650), "closed by the idle timeout: {waited:?}");
}
