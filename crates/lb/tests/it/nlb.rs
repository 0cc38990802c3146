//! The NLB: TCP and UDP pass-through with echo servers.

use std::net::SocketAddr;
use std::time::Duration;

use lb::{Kind, Options, Plane, Protocol, Stickiness, Target};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};

use crate::support::*;

const L: &str = "arn:listener/net/7000";

/// A TCP echo server that prefixes its name to each echo.
async fn tcp_echo(name: &'static str) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut s, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                loop {
                    let n = s.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    let mut out = format!("{name}:").into_bytes();
                    out.extend_from_slice(&buf[..n]);
                    if s.write_all(&out).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    address
}

async fn udp_echo(name: &'static str, address: Option<SocketAddr>) -> SocketAddr {
    let socket = UdpSocket::bind(address.unwrap_or("127.0.0.1:0".parse().unwrap())).await.unwrap();
    let address = socket.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = [0u8; 2048];
        loop {
            let (n, from) = socket.recv_from(&mut buf).await.unwrap();
            let mut out = format!("{name}:").into_bytes();
            out.extend_from_slice(&buf[..n]);
            let _ = socket.send_to(&out, from).await;
        }
    });
    address
}

fn target(name: &str, address: SocketAddr) -> Target {
    Target { id: format!("i-{name}"), port: address.port(), address, zone: None, draining: false }
}

fn tcp_group(arn: &str, targets: Vec<Target>) -> lb::TargetGroup {
    let mut g = group(arn, targets);
    g.protocol = Protocol::Tcp;
    g.health_check.protocol = Protocol::Tcp;
    g
}

async fn say(at: SocketAddr, words: &str) -> String {
    let mut s = TcpStream::connect(at).await.unwrap();
    s.write_all(words.as_bytes()).await.unwrap();
    let mut buf = [0u8; 256];
    let n = tokio::time::timeout(Duration::from_secs(3), s.read(&mut buf)).await.unwrap().unwrap();
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[tokio::test]
async fn tcp_connections_are_spread_over_targets_and_echoed() {
    let (x, y) = (tcp_echo("x").await, tcp_echo("y").await);
    let plane = Plane::new(Options::default());
    plane
        .apply(config(
            vec![balancer(Kind::Network, vec![listener(L, 7000, Protocol::Tcp, forward("tg"))])],
            vec![tcp_group("tg", vec![target("x", x), target("y", y)])],
        ))
        .await;
    let at = local(&plane, L);
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..30 {
        let answer = say(at, "ping").await;
        assert!(answer.ends_with(":ping"), "{answer}");
        seen.insert(answer);
    }
    assert_eq!(seen.len(), 2, "flow hashing spreads connections: {seen:?}");
}

#[tokio::test]
async fn source_ip_stickiness_keeps_a_client_on_one_target() {
    let (x, y) = (tcp_echo("x").await, tcp_echo("y").await);
    let mut g = tcp_group("tg", vec![target("x", x), target("y", y)]);
    g.stickiness = Some(Stickiness::SourceIp);
    let plane = Plane::new(Options::default());
    plane
        .apply(config(
            vec![balancer(Kind::Network, vec![listener(L, 7000, Protocol::Tcp, forward("tg"))])],
            vec![g],
        ))
        .await;
    let at = local(&plane, L);
    let first = say(at, "hi").await;
    for _ in 0..10 {
        assert_eq!(say(at, "hi").await, first);
    }
}

#[tokio::test]
async fn proxy_protocol_v2_tells_the_target_the_client_address() {
    let listener_socket = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener_socket.local_addr().unwrap();
    let mut g = tcp_group("tg", vec![target("p", address)]);
    g.proxy_protocol_v2 = true;
    g.health_check.enabled = false;
    let plane = Plane::new(Options::default());
    plane
        .apply(config(
            vec![balancer(Kind::Network, vec![listener(L, 7000, Protocol::Tcp, forward("tg"))])],
            vec![g],
        ))
        .await;
    let mut client = TcpStream::connect(local(&plane, L)).await.unwrap();
    let client_port = client.local_addr().unwrap().port();
    client.write_all(b"data").await.unwrap();
    let (mut s, _) = listener_socket.accept().await.unwrap();
    let mut buf = [0u8; 32];
    s.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf[..12], b"\r\n\r\n\0\r\nQUIT\n");
    assert_eq!(&buf[16..20], &[127, 0, 0, 1]);
    assert_eq!(u16::from_be_bytes([buf[24], buf[25]]), client_port);
    assert_eq!(u16::from_be_bytes([buf[26], buf[27]]), 7000);
    assert_eq!(&buf[28..32], b"data");
}

#[tokio::test]
async fn a_target_leaving_the_config_closes_its_connections() {
    let x = tcp_echo("x").await;
    let plane = Plane::new(Options::default());
    let lbs =
        || vec![balancer(Kind::Network, vec![listener(L, 7000, Protocol::Tcp, forward("tg"))])];
    plane.apply(config(lbs(), vec![tcp_group("tg", vec![target("x", x)])])).await;
    let mut s = TcpStream::connect(local(&plane, L)).await.unwrap();
    s.write_all(b"1").await.unwrap();
    let mut buf = [0u8; 16];
    let n = s.read(&mut buf).await.unwrap();
    assert_eq!(&buf[..n], b"x:1");
    plane.apply(config(lbs(), vec![tcp_group("tg", vec![])])).await;
    let n =
        tokio::time::timeout(Duration::from_secs(3), s.read(&mut buf)).await.unwrap().unwrap_or(0);
    assert_eq!(n, 0, "closed");
}

#[tokio::test]
async fn tcp_idle_timeout_closes_quiet_connections() {
    let x = tcp_echo("x").await;
    let mut b = balancer(Kind::Network, vec![listener(L, 7000, Protocol::Tcp, forward("tg"))]);
    b.idle_timeout = Duration::from_millis(200);
    let plane = Plane::new(Options::default());
    plane.apply(config(vec![b], vec![tcp_group("tg", vec![target("x", x)])])).await;
    let mut s = TcpStream::connect(local(&plane, L)).await.unwrap();
    let mut buf = [0u8; 16];
    let n =
        tokio::time::timeout(Duration::from_secs(3), s.read(&mut buf)).await.unwrap().unwrap_or(0);
    assert_eq!(n, 0);
}

#[tokio::test]
async fn udp_flows_get_their_replies_and_tcp_udp_shares_a_port() {
    let u = udp_echo("u", None).await;
    // TCP_UDP: a TCP echo and a UDP echo on the same port of the target.
    let t = tcp_echo("t").await;
    let tu = udp_echo("tu", Some(t)).await;
    assert_eq!(t, tu);
    let mut udp_group = group("tg-udp", vec![target("u", u)]);
    udp_group.protocol = Protocol::Udp;
    udp_group.health_check.enabled = false;
    let mut both = group("tg-both", vec![target("t", t)]);
    both.protocol = Protocol::TcpUdp;
    both.health_check.protocol = Protocol::Tcp;
    let plane = Plane::new(Options::default());
    plane
        .apply(config(
            vec![balancer(
                Kind::Network,
                vec![
                    listener("arn:l/udp", 53, Protocol::Udp, forward("tg-udp")),
                    listener("arn:l/both", 5000, Protocol::TcpUdp, forward("tg-both")),
                ],
            )],
            vec![udp_group, both],
        ))
        .await;
    let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let mut buf = [0u8; 64];
    for word in ["one", "two"] {
        client.send_to(word.as_bytes(), local(&plane, "arn:l/udp")).await.unwrap();
        let (n, _) = tokio::time::timeout(Duration::from_secs(3), client.recv_from(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&buf[..n], format!("u:{word}").as_bytes());
    }
    let shared = local(&plane, "arn:l/both");
    client.send_to(b"dgram", shared).await.unwrap();
    let (n, _) = tokio::time::timeout(Duration::from_secs(3), client.recv_from(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&buf[..n], b"tu:dgram");
    assert_eq!(say(shared, "stream").await, "t:stream");
}
