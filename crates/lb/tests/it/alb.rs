//! The ALB as a client sees it.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::Empty;
use hyper::Request;
use hyper_util::rt::TokioIo;
use lb::{Action, Condition, Kind, Options, Plane, Protocol, Rule, Stickiness};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::*;

const L: &str = "arn:listener/web/80";

fn path_rule(priority: u32, pattern: &str, action: Action) -> Rule {
    Rule {
        arn: format!("arn:rule/{priority}"),
        priority,
        conditions: vec![Condition::PathPattern(vec![pattern.into()])],
        actions: vec![action],
    }
}

#[tokio::test]
async fn rules_send_paths_to_their_groups_and_round_robin_within() {
    let (a1, a2, b) =
        (Backend::start("a1").await, Backend::start("a2").await, Backend::start("b").await);
    let mut l = listener(L, 80, Protocol::Http, forward("tg-a"));
    l.rules = vec![path_rule(10, "/b/*", forward("tg-b"))];
    let plane = Plane::new(Options::default());
    plane
        .apply(config(
            vec![balancer(Kind::Application, vec![l])],
            vec![group("tg-a", vec![a1.target(), a2.target()]), group("tg-b", vec![b.target()])],
        ))
        .await;
    let at = local(&plane, L);
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(get(at, "/x", &[]).await.backend().to_owned());
    }
    seen.sort();
    assert_eq!(seen, ["a1", "a1", "a2", "a2"]);
    assert_eq!(get(at, "/b/anything", &[]).await.backend(), "b");
    assert_eq!(get(at, "/B/anything", &[]).await.backend().chars().next(), Some('a'));
}

#[tokio::test]
async fn targets_see_forwarded_headers_and_the_clients_host() {
    let a = Backend::start("a").await;
    let plane = Plane::new(Options::default());
    plane
        .apply(config(
            vec![balancer(Kind::Application, vec![listener(L, 80, Protocol::Http, forward("tg"))])],
            vec![group("tg", vec![a.target()])],
        ))
        .await;
    let got = get(local(&plane, L), "/p?q=1", &[("x-forwarded-for", "203.0.113.9")]).await;
    assert_eq!(got.status, 200);
    assert!(got.body.contains("xff=203.0.113.9, 127.0.0.1 "), "{}", got.body);
    assert!(got.body.contains("proto=http port=80 host=app.example.com"), "{}", got.body);
    assert!(got.body.contains("trace=Root=1-"), "{}", got.body);
    assert!(got.body.contains("/p "), "{}", got.body);
}

#[tokio::test]
async fn no_registered_targets_is_503_refused_is_502_slow_is_504() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let slow = Backend::start("slow").await;
    let mut refused = slow.target();
    refused.address = closed;
    refused.id = "i-gone".into();
    let mut l = listener(L, 80, Protocol::Http, forward("tg-empty"));
    l.rules = vec![
        path_rule(1, "/refused", forward("tg-refused")),
        path_rule(2, "/slow", forward("tg-slow")),
    ];
    let mut b = balancer(Kind::Application, vec![l]);
    b.idle_timeout = Duration::from_millis(300);
    let plane = Plane::new(Options::default());
    plane
        .apply(config(
            vec![b],
            vec![
                group("tg-empty", vec![]),
                group("tg-refused", vec![refused]),
                group("tg-slow", vec![slow.target()]),
            ],
        ))
        .await;
    let at = local(&plane, L);
    let got = get(at, "/", &[]).await;
    assert_eq!(got.status, 503);
    assert_eq!(got.headers["server"], "awselb/2.0");
    assert!(
        got.body.contains("<center><h1>503 Service Temporarily Unavailable</h1></center>")
            || got.body.contains("<h1>503 Service Unavailable</h1>"),
        "{}",
        got.body
    );
    assert_eq!(get(at, "/refused", &[]).await.status, 502);
    let got = get(at, "/slow", &[]).await;
    assert_eq!(got.status, 504);
    assert!(got.body.contains("504 Gateway Time"), "{}", got.body);
}

#[tokio::test]
async fn fixed_responses_and_redirects() {
    let mut l = listener(
        L,
        80,
        Protocol::Http,
        Action::FixedResponse {
            status_code: "404".into(),
            content_type: Some("application/json".into()),
            body: Some("{\"error\":\"nope\"}".into()),
        },
    );
    l.rules = vec![path_rule(
        5,
        "/old/*",
        Action::Redirect {
            protocol: Some("HTTPS".into()),
            host: None,
            port: Some("443".into()),
            path: Some("/new/#{path}".into()),
            query: None,
            status_code: "HTTP_301".into(),
        },
    )];
    let plane = Plane::new(Options::default());
    plane.apply(config(vec![balancer(Kind::Application, vec![l])], vec![])).await;
    let at = local(&plane, L);
    let got = get(at, "/anything", &[]).await;
    assert_eq!(got.status, 404);
    assert_eq!(got.headers["content-type"], "application/json");
    assert_eq!(got.body, "{\"error\":\"nope\"}");
    let got = get(at, "/old/page?x=1", &[]).await;
    assert_eq!(got.status, 301);
    assert_eq!(got.headers["location"], "https://app.example.com:443/new/old/page?x=1");
}

#[tokio::test]
async fn rules_match_hosts_headers_methods_and_queries() {
    let (a, b) = (Backend::start("a").await, Backend::start("b").await);
    let mut l = listener(L, 80, Protocol::Http, forward("tg-a"));
    l.rules = vec![Rule {
        arn: "r".into(),
        priority: 1,
        conditions: vec![
            Condition::HostHeader(vec!["*.EXAMPLE.com".into()]),
            Condition::HttpHeader { name: "X-Canary".into(), values: vec!["y*".into()] },
            Condition::QueryString(vec![(Some("v".into()), "2".into())]),
        ],
        actions: vec![forward("tg-b")],
    }];
    let plane = Plane::new(Options::default());
    plane
        .apply(config(
            vec![balancer(Kind::Application, vec![l])],
            vec![group("tg-a", vec![a.target()]), group("tg-b", vec![b.target()])],
        ))
        .await;
    let at = local(&plane, L);
    assert_eq!(get(at, "/?v=2", &[("x-canary", "YES")]).await.backend(), "b");
    assert_eq!(get(at, "/?v=3", &[("x-canary", "YES")]).await.backend(), "a");
    assert_eq!(get(at, "/?v=2", &[]).await.backend(), "a");
}

#[tokio::test]
async fn websockets_are_relayed_both_ways() {
    let a = Backend::start("a").await;
    let plane = Plane::new(Options::default());
    plane
        .apply(config(
            vec![balancer(Kind::Application, vec![listener(L, 80, Protocol::Http, forward("tg"))])],
            vec![group("tg", vec![a.target()])],
        ))
        .await;
    let stream = tokio::net::TcpStream::connect(local(&plane, L)).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn.with_upgrades());
    let req = Request::get("/ws")
        .header("host", "app.example.com")
        .header("connection", "Upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .body(Empty::new())
        .unwrap();
    let response = sender.send_request(req).await.unwrap();
    assert_eq!(response.status(), 101);
    let mut io = TokioIo::new(hyper::upgrade::on(response).await.unwrap());
    io.write_all(b"hello through the balancer").await.unwrap();
    let mut buf = [0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(5), io.read(&mut buf)).await.unwrap().unwrap();
    assert_eq!(&buf[..n], b"hello through the balancer");
}

#[tokio::test]
async fn lb_cookie_stickiness_keeps_a_client_on_its_target() {
    let (a1, a2) = (Backend::start("a1").await, Backend::start("a2").await);
    let mut g = group("tg", vec![a1.target(), a2.target()]);
    g.stickiness = Some(Stickiness::LbCookie { duration: Duration::from_secs(3600) });
    let plane = Plane::new(Options::default());
    plane
        .apply(config(
            vec![balancer(Kind::Application, vec![listener(L, 80, Protocol::Http, forward("tg"))])],
            vec![g],
        ))
        .await;
    let at = local(&plane, L);
    let first = get(at, "/", &[]).await;
    let cookie = first.cookie("AWSALB").expect("AWSALB cookie");
    assert!(first.cookie("AWSALBCORS").is_some());
    let cors = first.headers.get_all("set-cookie").iter().any(|v| {
        let v = v.to_str().unwrap();
        v.starts_with("AWSALBCORS=")
            && v.contains("SameSite=None; Secure")
            && v.contains("Expires=")
    });
    assert!(cors);
    for _ in 0..6 {
        assert_eq!(get(at, "/", &[("cookie", &cookie)]).await.backend(), first.backend());
    }
}

#[tokio::test]
async fn app_cookie_stickiness_follows_the_applications_cookie() {
    let (a1, a2) = (Backend::start("a1").await, Backend::start("a2").await);
    let mut g = group("tg", vec![a1.target(), a2.target()]);
    g.stickiness =
        Some(Stickiness::AppCookie { name: "SESSION".into(), duration: Duration::from_secs(60) });
    let plane = Plane::new(Options::default());
    plane
        .apply(config(
            vec![balancer(Kind::Application, vec![listener(L, 80, Protocol::Http, forward("tg"))])],
            vec![g],
        ))
        .await;
    let at = local(&plane, L);
    assert_eq!(
        get(at, "/", &[]).await.cookie("AWSALBAPP-0"),
        None,
        "only when the app sets its cookie"
    );
    let first = get(at, "/app-cookie", &[]).await;
    let cookie = first.cookie("AWSALBAPP-0").expect("AWSALBAPP-0");
    for _ in 0..6 {
        assert_eq!(get(at, "/app-cookie", &[("cookie", &cookie)]).await.body, first.body);
    }
}

#[tokio::test]
async fn weighted_forward_with_group_stickiness() {
    let (a, b) = (Backend::start("a").await, Backend::start("b").await);
    let action = Action::Forward {
        groups: vec![("tg-a".into(), 0), ("tg-b".into(), 10)],
        group_stickiness: None,
    };
    let plane = Plane::new(Options::default());
    let groups = vec![group("tg-a", vec![a.target()]), group("tg-b", vec![b.target()])];
    plane
        .apply(config(
            vec![balancer(Kind::Application, vec![listener(L, 80, Protocol::Http, action)])],
            groups.clone(),
        ))
        .await;
    let at = local(&plane, L);
    for _ in 0..5 {
        assert_eq!(get(at, "/", &[]).await.backend(), "b", "weight 0 gets nothing");
    }
    let sticky = Action::Forward {
        groups: vec![("tg-a".into(), 1), ("tg-b".into(), 1)],
        group_stickiness: Some(Duration::from_secs(60)),
    };
    plane
        .apply(config(
            vec![balancer(Kind::Application, vec![listener(L, 80, Protocol::Http, sticky)])],
            groups,
        ))
        .await;
    assert_eq!(local(&plane, L), at, "the port stays while the listener does");
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..40 {
        seen.insert(get(at, "/", &[]).await.backend().to_owned());
    }
    assert_eq!(seen.len(), 2, "both groups get traffic");
    let first = get(at, "/", &[]).await;
    let cookie = first.cookie("AWSALBTG").expect("AWSALBTG");
    for _ in 0..6 {
        assert_eq!(get(at, "/", &[("cookie", &cookie)]).await.backend(), first.backend());
    }
}

#[tokio::test]
async fn malformed_requests_get_400_and_the_listener_carries_on() {
    let a = Backend::start("a").await;
    let plane = Plane::new(Options::default());
    plane
        .apply(config(
            vec![balancer(Kind::Application, vec![listener(L, 80, Protocol::Http, forward("tg"))])],
            vec![group("tg", vec![a.target()])],
        ))
        .await;
    let at = local(&plane, L);
    let mut raw = tokio::net::TcpStream::connect(at).await.unwrap();
    raw.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n").await.unwrap();
    let mut answer = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(2), raw.read_to_string(&mut answer)).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    let mut huge = tokio::net::TcpStream::connect(at).await.unwrap();
    let big = format!("GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n", "a".repeat(200_000));
    let _ = huge.write_all(big.as_bytes()).await;
    let mut answer = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(2), huge.read_to_string(&mut answer)).await;
    assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
    assert_eq!(get(at, "/", &[]).await.backend(), "a");
}

#[tokio::test]
async fn x_forwarded_for_with_more_than_30_addresses_is_463() {
    let a = Backend::start("a").await;
    let plane = Plane::new(Options::default());
    plane
        .apply(config(
            vec![balancer(Kind::Application, vec![listener(L, 80, Protocol::Http, forward("tg"))])],
            vec![group("tg", vec![a.target()])],
        ))
        .await;
    let many = vec!["10.0.0.1"; 31].join(", ");
    assert_eq!(get(local(&plane, L), "/", &[("x-forwarded-for", &many)]).await.status, 463);
}

#[tokio::test]
async fn listeners_close_when_they_leave_the_config() {
    let plane = Plane::new(Options::default());
    let fixed = Action::FixedResponse { status_code: "200".into(), content_type: None, body: None };
    plane
        .apply(config(
            vec![balancer(Kind::Application, vec![listener(L, 80, Protocol::Http, fixed)])],
            vec![],
        ))
        .await;
    let at = local(&plane, L);
    assert_eq!(get(at, "/", &[]).await.status, 200);
    plane.apply(config(vec![], vec![])).await;
    assert!(plane.endpoints().is_empty());
    assert!(eventually(Duration::from_secs(2), || std::net::TcpStream::connect(at).is_err()).await);
}

#[tokio::test]
async fn serve_by_host_reaches_the_balancer_named_by_host() {
    let a = Backend::start("a").await;
    let plane = Plane::new(Options::default());
    plane
        .apply(config(
            vec![balancer(
                Kind::Application,
                vec![
                    listener("arn:l/8080", 8080, Protocol::Http, forward("tg")),
                    listener(L, 80, Protocol::Http, forward("tg")),
                ],
            )],
            vec![group("tg", vec![a.target()])],
        ))
        .await;
    assert!(plane.serves_host("WEB-1.us-east-1.elb.amazonaws.com:4566"));
    assert!(!plane.serves_host("other.example.com"));
    // A stand-in for vpclab's main port.
    let front = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let front_at = front.local_addr().unwrap();
    let p = plane.clone();
    tokio::spawn(async move {
        let (stream, client) = front.accept().await.unwrap();
        let service = hyper::service::service_fn(move |req| {
            let p = p.clone();
            async move { Ok::<_, std::convert::Infallible>(p.serve_by_host(req, client).await.unwrap()) }
        });
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(stream), service)
            .await;
    });
    let got = get(front_at, "/", &[("host", "web-1.us-east-1.elb.amazonaws.com:4566")]).await;
    assert_eq!(got.backend(), "a");
    assert!(got.body.contains("port=80 "), "the port-80 listener: {}", got.body);
}
