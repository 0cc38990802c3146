//! Health checks that really probe, seen through failover answers and the HealthView.

use std::net::Ipv4Addr;
use std::time::Duration;

use dns::wire::rtype;
use dns::{CheckKind, Failover, HealthCheck, Policy};

use crate::support::*;

fn check(id: &str, port: u16) -> HealthCheck {
    HealthCheck {
        id: id.into(),
        kind: CheckKind::Http,
        ip: Some("127.0.0.1".parse().unwrap()),
        port: Some(port),
        resource_path: Some("/health".into()),
        // A test-only interval: AWS allows 10 or 30 s.
        interval: Duration::from_millis(100),
        failure_threshold: 2,
        ..HealthCheck::default()
    }
}

#[tokio::test]
async fn failover_flips_when_the_primary_stops_and_back_when_it_returns() {
    let (web, server) = http_server().await;
    let mut cfg = config(vec![zone(
        "Z1",
        "example.com.",
        vec![
            routed(
                "app.example.com.",
                "p",
                [10, 0, 0, 1],
                Policy::Failover(Failover::Primary),
                Some("hc-1"),
            ),
            routed(
                "app.example.com.",
                "s",
                [10, 0, 0, 2],
                Policy::Failover(Failover::Secondary),
                None,
            ),
        ],
    )]);
    cfg.health_checks = vec![check("hc-1", web.port())];
    let (plane, at) = serve(cfg).await;
    let health = plane.health();
    assert!(
        eventually(Duration::from_secs(3), || async {
            health.status("hc-1").is_some_and(|s| !s.reports.is_empty())
        })
        .await
    );
    let status = health.status("hc-1").unwrap();
    assert!(status.healthy);
    assert_eq!(status.reports[0].status, "Success: HTTP Status Code 200, OK");
    assert_eq!(
        ask(at, "app.example.com.", rtype::A).await.first_a(),
        Some(Ipv4Addr::new(10, 0, 0, 1))
    );

    server.abort();
    let secondary = Some(Ipv4Addr::new(10, 0, 0, 2));
    assert!(
        eventually(Duration::from_secs(5), || async {
            ask(at, "app.example.com.", rtype::A).await.first_a() == secondary
        })
        .await
    );
    let status = health.status("hc-1").unwrap();
    assert!(!status.healthy);
    let failure = status.last_failure.unwrap().status;
    assert!(failure.starts_with("Failure: Connection refused."), "{failure}");

    // The primary comes back on the same port: two passing probes make it healthy again.
    let (_web, _server) = http_server_on(web.port()).await;
    let primary = Some(Ipv4Addr::new(10, 0, 0, 1));
    assert!(
        eventually(Duration::from_secs(5), || async {
            ask(at, "app.example.com.", rtype::A).await.first_a() == primary
        })
        .await
    );
}

#[tokio::test]
async fn string_matching_inversion_and_calculated_checks() {
    let (web, _server) = http_server().await;
    let mut cfg = config(vec![zone("Z1", "example.com.", vec![])]);
    cfg.health_checks = vec![
        HealthCheck {
            kind: CheckKind::HttpStrMatch,
            search_string: Some("is well".into()),
            ..check("match", web.port())
        },
        HealthCheck {
            kind: CheckKind::HttpStrMatch,
            search_string: Some("on fire".into()),
            failure_threshold: 1,
            ..check("nomatch", web.port())
        },
        HealthCheck { inverted: true, failure_threshold: 1, ..check("inverted", web.port()) },
        HealthCheck { kind: CheckKind::Tcp, ..check("tcp", web.port()) },
        HealthCheck {
            kind: CheckKind::Calculated,
            children: vec!["match".into(), "nomatch".into(), "tcp".into()],
            health_threshold: 3,
            ..check("calc", 0)
        },
        HealthCheck { disabled: true, ..check("off", 1) },
    ];
    let (plane, _at) = serve(cfg).await;
    let health = plane.health();
    let healthy = |id: &str| health.status(id).map(|s| s.healthy);
    assert!(
        eventually(Duration::from_secs(5), || async {
            healthy("nomatch") == Some(false)
                && healthy("inverted") == Some(false)
                && healthy("calc") == Some(false)
        })
        .await
    );
    assert_eq!(healthy("match"), Some(true));
    assert_eq!(healthy("tcp"), Some(true));
    assert_eq!(healthy("off"), Some(true));
    let nomatch = health.status("nomatch").unwrap().reports[0].status.clone();
    assert!(nomatch.contains("Failed to find the specified string"), "{nomatch}");
    assert_eq!(
        health.status("tcp").unwrap().reports[0].status,
        "Success: TCP connection established"
    );
    assert_eq!(health.status("unknown"), None);
}

#[tokio::test]
async fn a_name_is_resolved_by_the_hosted_zones_and_a_refused_address_is_not_probed() {
    let (web, _server) = http_server().await;
    let by_name = |id: &str, fqdn: &str| HealthCheck {
        ip: None,
        fqdn: Some(fqdn.into()),
        ..check(id, web.port())
    };
    let mut cfg = config(vec![zone(
        "Z1",
        "example.com.",
        vec![a("local.example.com.", [127, 0, 0, 1]), a("far.example.com.", [192, 0, 2, 44])],
    )]);
    cfg.health_checks = vec![
        by_name("hc-local", "local.example.com"),
        by_name("hc-far", "far.example.com."),
        by_name("hc-elsewhere", "www.example.org"),
    ];
    let (plane, _) = serve(cfg).await;
    let health = plane.health();
    let reported = |id: &str| health.status(id).is_some_and(|s| !s.reports.is_empty());
    assert!(
        eventually(Duration::from_secs(3), || async {
            reported("hc-local") && reported("hc-far") && reported("hc-elsewhere")
        })
        .await
    );
    let first = |id: &str| health.status(id).unwrap().reports[0].status.clone();
    assert_eq!(first("hc-local"), "Success: HTTP Status Code 200, OK");
    assert_eq!(
        first("hc-far"),
        format!(
            "Failure: vpclab does not connect to 192.0.2.44:{}: the address is outside \
             --egress-allow (loopback only by default)",
            web.port()
        )
    );
    // In no hosted zone and loopback only: the system resolver is not asked either.
    let elsewhere = first("hc-elsewhere");
    assert!(elsewhere.starts_with("Failure: Could not resolve www.example.org: "), "{elsewhere}");
    assert!(elsewhere.contains("--egress-allow"), "{elsewhere}");
}
