//! Health checks, fail-open and draining, observed through traffic and `target_health`.

use std::sync::atomic::Ordering;
use std::time::Duration;

use lb::{HealthState, Kind, Options, Plane, Protocol};

use crate::support::*;

const L: &str = "arn:listener/web/80";

#[tokio::test]
async fn a_killed_backend_turns_unhealthy_and_stops_getting_traffic() {
    let (a, b) = (Backend::start("a").await, Backend::start("b").await);
    let plane = Plane::new(Options::default());
    plane
        .apply(config(
            vec![balancer(Kind::Application, vec![listener(L, 80, Protocol::Http, forward("tg"))])],
            vec![group("tg", vec![a.target(), b.target()])],
        ))
        .await;
    let healthy = |id: &str, port: u16| {
        plane.target_health("tg", id, port).map(|o| o.state) == Some(HealthState::Healthy)
    };
    assert!(
        eventually(Duration::from_secs(3), || healthy("i-a", a.address.port())
            && healthy("i-b", b.address.port()))
        .await
    );
    b.kill();
    // unhealthy_threshold (2) × interval (50 ms), with slack.
    assert!(eventually(Duration::from_secs(3), || !healthy("i-b", b.address.port())).await);
    let observed = plane.target_health("tg", "i-b", b.address.port()).unwrap();
    assert_eq!(observed.state, HealthState::Unhealthy);
    assert_eq!(observed.reason.as_deref(), Some("Target.FailedHealthChecks"));
    let at = local(&plane, L);
    for _ in 0..6 {
        let got = get(at, "/", &[]).await;
        assert_eq!((got.status, got.backend()), (200, "a"));
    }
}

#[tokio::test]
async fn wrong_codes_are_a_mismatch_and_recovery_takes_the_healthy_threshold() {
    let a = Backend::start("a").await;
    let plane = Plane::new(Options::default());
    plane
        .apply(config(
            vec![balancer(Kind::Application, vec![listener(L, 80, Protocol::Http, forward("tg"))])],
            vec![group("tg", vec![a.target()])],
        ))
        .await;
    let port = a.address.port();
    let state = || plane.target_health("tg", "i-a", port).map(|o| o.state);
    assert!(eventually(Duration::from_secs(3), || state() == Some(HealthState::Healthy)).await);
    a.health.store(404, Ordering::Relaxed);
    assert!(eventually(Duration::from_secs(3), || state() == Some(HealthState::Unhealthy)).await);
    let observed = plane.target_health("tg", "i-a", port).unwrap();
    assert_eq!(observed.reason.as_deref(), Some("Target.ResponseCodeMismatch"));
    assert_eq!(
        observed.description.as_deref(),
        Some("Health checks failed with these codes: [404]")
    );
    // Fail-open: the only target is unhealthy, so it still gets the traffic.
    assert_eq!(get(local(&plane, L), "/", &[]).await.backend(), "a");
    a.health.store(200, Ordering::Relaxed);
    assert!(eventually(Duration::from_secs(3), || state() == Some(HealthState::Healthy)).await);
}

#[tokio::test]
async fn slow_health_answers_are_timeouts() {
    let a = Backend::start("a").await;
    let mut g = group("tg", vec![a.target()]);
    g.health_check.path = "/slow".into();
    let plane = Plane::new(Options::default());
    plane
        .apply(config(
            vec![balancer(Kind::Application, vec![listener(L, 80, Protocol::Http, forward("tg"))])],
            vec![g],
        ))
        .await;
    let port = a.address.port();
    assert!(
        eventually(Duration::from_secs(3), || plane.target_health("tg", "i-a", port).is_some())
            .await
    );
    let observed = plane.target_health("tg", "i-a", port).unwrap();
    assert_eq!(observed.state, HealthState::Unhealthy);
    assert_eq!(observed.reason.as_deref(), Some("Target.Timeout"));
}

#[tokio::test]
async fn draining_targets_get_no_new_requests() {
    let (a, b) = (Backend::start("a").await, Backend::start("b").await);
    let plane = Plane::new(Options::default());
    let mut drained = b.target();
    drained.draining = true;
    plane
        .apply(config(
            vec![balancer(Kind::Application, vec![listener(L, 80, Protocol::Http, forward("tg"))])],
            vec![group("tg", vec![a.target(), drained])],
        ))
        .await;
    let at = local(&plane, L);
    for _ in 0..6 {
        assert_eq!(get(at, "/", &[]).await.backend(), "a");
    }
    // Only draining targets left: nothing to route to.
    let mut only = a.target();
    only.draining = true;
    plane
        .apply(config(
            vec![balancer(Kind::Application, vec![listener(L, 80, Protocol::Http, forward("tg"))])],
            vec![group("tg", vec![only])],
        ))
        .await;
    assert_eq!(get(at, "/", &[]).await.status, 503);
}

#[tokio::test]
async fn unused_groups_and_disabled_checks() {
    let a = Backend::start("a").await;
    let mut g = group("tg", vec![a.target()]);
    g.health_check.enabled = false;
    let plane = Plane::new(Options::default());
    plane
        .apply(config(
            vec![balancer(Kind::Application, vec![listener(L, 80, Protocol::Http, forward("tg"))])],
            vec![g, group("tg-unused", vec![a.target()])],
        ))
        .await;
    let port = a.address.port();
    assert!(
        eventually(Duration::from_secs(2), || plane.target_health("tg", "i-a", port).is_some())
            .await
    );
    assert_eq!(plane.target_health("tg", "i-a", port).unwrap().state, HealthState::Unavailable);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(plane.target_health("tg-unused", "i-a", port), None, "no listener uses it");
}
