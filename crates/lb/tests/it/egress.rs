//! The egress policy in the plane: a target outside `--egress-allow` is never contacted — its
//! health says why, an ALB answers 502 at once, an NLB closes the connection. The refused
//! addresses are TEST-NET-1 and link-local: nothing is sent to them (that is the point).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use guard::egress::EgressPolicy;
use lb::{HealthState, Kind, Options, Plane, Protocol, Target};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpStream, UdpSocket};

use crate::support::*;

const L: &str = "arn:listener/web/80";

fn target_at(id: &str, address: &str) -> Target {
    let address: SocketAddr = address.parse().unwrap();
    Target { id: id.into(), port: address.port(), address, zone: None, draining: false }
}

fn outside() -> Target {
    target_at("i-outside", "192.0.2.10:8080")
}

async fn alb_over(plane: &Plane, targets: Vec<Target>) {
    plane
        .apply(config(
            vec![balancer(Kind::Application, vec![listener(L, 80, Protocol::Http, forward("tg"))])],
            vec![group("tg", targets)],
        ))
        .await;
}

async fn observed(plane: &Plane, id: &str, port: u16) -> lb::Observed {
    let seen = || plane.target_health("tg", id, port);
    assert!(eventually(Duration::from_secs(3), || seen().is_some()).await, "no verdict for {id}");
    seen().unwrap()
}

#[tokio::test]
async fn a_target_outside_the_policy_is_unhealthy_and_says_why() {
    let plane = Plane::new(Options::default());
    alb_over(&plane, vec![outside()]).await;
    let seen = observed(&plane, "i-outside", 8080).await;
    assert_eq!(seen.state, HealthState::Unhealthy);
    assert_eq!(seen.reason.as_deref(), Some("Target.FailedHealthChecks"));
    assert_eq!(
        seen.description.as_deref(),
        Some(
            "vpclab does not connect to 192.0.2.10:8080: the address is outside --egress-allow \
             (loopback only by default)"
        )
    );
}

#[tokio::test]
async fn the_metadata_address_is_refused_even_when_everything_is_allowed() {
    let egress = Arc::new(EgressPolicy::allowing(["0.0.0.0/0".parse().unwrap()]));
    let plane = Plane::new(Options { egress, ..Options::default() });
    alb_over(&plane, vec![target_at("i-metadata", "169.254.169.254:80")]).await;
    let seen = observed(&plane, "i-metadata", 80).await;
    assert_eq!(seen.state, HealthState::Unhealthy);
    let description = seen.description.unwrap_or_default();
    assert!(description.contains("169.254.169.254:80"), "{description}");
    assert!(description.contains("never dialled, whatever --egress-allow says"), "{description}");
}

#[tokio::test]
async fn an_alb_answers_502_at_once_for_a_refused_target() {
    let plane = Plane::new(Options::default());
    alb_over(&plane, vec![outside()]).await;
    observed(&plane, "i-outside", 8080).await;
    // Its only target is unhealthy, so ALB fails open and routes to it: 502 without waiting.
    let started = Instant::now();
    let got = get(local(&plane, L), "/", &[]).await;
    assert_eq!(got.status, 502);
    assert_eq!(got.headers["server"], "awselb/2.0");
    assert!(started.elapsed() < Duration::from_secs(1), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn traffic_goes_to_the_allowed_targets_only() {
    let a = Backend::start("a").await;
    let plane = Plane::new(Options::default());
    alb_over(&plane, vec![a.target(), outside()]).await;
    let healthy = || {
        plane.target_health("tg", "i-a", a.address.port()).map(|o| o.state)
            == Some(HealthState::Healthy)
    };
    assert!(eventually(Duration::from_secs(3), healthy).await);
    assert_eq!(observed(&plane, "i-outside", 8080).await.state, HealthState::Unhealthy);
    for _ in 0..8 {
        let got = get(local(&plane, L), "/", &[]).await;
        assert_eq!((got.status, got.backend()), (200, "a"));
    }
}

#[tokio::test]
async fn an_nlb_closes_connections_and_drops_datagrams_for_a_refused_target() {
    let mut tcp = group("tg-tcp", vec![outside()]);
    tcp.protocol = Protocol::Tcp;
    tcp.health_check.protocol = Protocol::Tcp;
    let mut udp = group("tg-udp", vec![outside()]);
    udp.protocol = Protocol::Udp;
    udp.health_check.enabled = false;
    let plane = Plane::new(Options::default());
    plane
        .apply(config(
            vec![balancer(
                Kind::Network,
                vec![
                    listener("arn:l/tcp", 7000, Protocol::Tcp, forward("tg-tcp")),
                    listener("arn:l/udp", 53, Protocol::Udp, forward("tg-udp")),
                ],
            )],
            vec![tcp, udp],
        ))
        .await;
    let mut stream = TcpStream::connect(local(&plane, "arn:l/tcp")).await.unwrap();
    let mut buf = [0u8; 16];
    let read = tokio::time::timeout(Duration::from_secs(1), stream.read(&mut buf)).await;
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "the connection is closed at once: {read:?}");

    let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    client.send_to(b"hello", local(&plane, "arn:l/udp")).await.unwrap();
    let reply = tokio::time::timeout(Duration::from_millis(300), client.recv_from(&mut buf)).await;
    assert!(reply.is_err(), "no flow, no reply: {reply:?}");
}
