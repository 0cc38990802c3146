//! Route 53 Resolver forwarding: a VPC view sends names under a FORWARD rule to a tiny local
//! DNS server standing for on-premises, and relays its answers (RA set, AA clear).

use std::net::{Ipv4Addr, SocketAddr};

use dns::wire::rtype;
use dns::{ForwardRule, View};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::task::JoinHandle;

use crate::support::{Tcp, a, ask, config, query, serve_reporting, udp, zone};

/// The answer of the on-premises server: the query's question, AA set, one A record `ip`.
fn onprem_answer(q: &[u8], ip: [u8; 4], truncated: bool) -> Vec<u8> {
    let question_end = 12 + q[12..].iter().position(|b| *b == 0).unwrap() + 1 + 4;
    let mut m = q[..question_end].to_vec();
    m[2] = 0x84 | (q[2] & 0x01) | if truncated { 0x02 } else { 0 };
    m[3] = 0;
    m[5] = 1; // one question
    m[7] = u8::from(!truncated); // one answer, unless truncated
    m[9] = 0;
    m[11] = 0; // no EDNS in the answer
    if !truncated {
        m.extend_from_slice(&[0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
        m.extend_from_slice(&ip);
    }
    m
}

/// A DNS server on 127.0.0.1 (UDP and TCP, one port) answering every query with `ip`; over UDP
/// only with a truncated answer when `truncate_udp`.
async fn onprem(ip: [u8; 4], truncate_udp: bool) -> (SocketAddr, JoinHandle<()>) {
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let at = tcp.local_addr().unwrap();
    let sock = UdpSocket::bind(at).await.unwrap();
    let task = tokio::spawn(async move {
        let udp_side = async {
            let mut buf = vec![0u8; 4096];
            loop {
                let (n, from) = sock.recv_from(&mut buf).await.unwrap();
                let _ = sock.send_to(&onprem_answer(&buf[..n], ip, truncate_udp), from).await;
            }
        };
        let tcp_side = async {
            loop {
                let (mut s, _) = tcp.accept().await.unwrap();
                let mut len = [0u8; 2];
                s.read_exact(&mut len).await.unwrap();
                let mut q = vec![0u8; u16::from_be_bytes(len) as usize];
                s.read_exact(&mut q).await.unwrap();
                let answer = onprem_answer(&q, ip, false);
                let mut framed = (answer.len() as u16).to_be_bytes().to_vec();
                framed.extend_from_slice(&answer);
                s.write_all(&framed).await.unwrap();
            }
        };
        tokio::join!(udp_side, tcp_side);
    });
    (at, task)
}

/// The example zone, plus a VPC view with these rules and the private zone `db.corp.internal.`.
async fn vpc_with_rules(
    rules: Vec<ForwardRule>,
) -> (std::sync::Arc<dns::Plane>, SocketAddr, SocketAddr) {
    let mut cfg =
        config(vec![zone("Z1", "example.com.", vec![a("www.example.com.", [10, 0, 0, 1])])]);
    let mut private =
        zone("Z2", "db.corp.internal.", vec![a("x.db.corp.internal.", [10, 9, 9, 9])]);
    private.private = true;
    cfg.zones.push(private);
    cfg.views.push(View {
        name: "vpc-1".into(),
        listen: "127.0.0.1:0".parse().unwrap(),
        private_zones: vec!["Z2".into()],
        public_zones: true,
        resolver: true,
        forward: rules,
    });
    let (plane, public, problems) = serve_reporting(cfg).await;
    // Only refused forwarding targets are reported (see the egress tests below).
    assert!(problems.iter().all(|p| p.contains("are not forwarded to")), "{problems:?}");
    let vpc = plane.listeners().into_iter().find(|l| l.view == "vpc-1").unwrap().address;
    (plane, public, vpc)
}

#[tokio::test]
async fn names_under_a_forwarding_rule_are_answered_on_premises() {
    let (target, server) = onprem([192, 168, 7, 7], false).await;
    let rules = vec![
        ForwardRule { domain: "corp.internal.".into(), targets: vec![target] },
        ForwardRule { domain: "sys.corp.internal.".into(), targets: vec![] },
    ];
    let (_plane, public, vpc) = vpc_with_rules(rules).await;

    let r = udp(vpc, &query(0x1234, "host.CORP.internal.", rtype::A, None)).await.unwrap();
    assert_eq!(r.id, 0x1234, "the client's id comes back");
    assert_eq!(r.first_a(), Some(Ipv4Addr::new(192, 168, 7, 7)));
    assert!(r.flags & 0x0080 != 0, "RA set");
    assert!(!r.aa(), "a relayed answer is not authoritative");
    // The domain itself matches too, and TCP clients are forwarded over TCP.
    let r = Tcp::connect(vpc).await.ask(&query(7, "corp.internal.", rtype::A, None)).await;
    assert_eq!(r.first_a(), Some(Ipv4Addr::new(192, 168, 7, 7)));

    // A SYSTEM rule for a subdomain, and a more specific private zone, keep names here.
    assert_eq!(ask(vpc, "a.sys.corp.internal.", rtype::A).await.rcode(), 5, "REFUSED here");
    let r = ask(vpc, "x.db.corp.internal.", rtype::A).await;
    assert_eq!(r.first_a(), Some(Ipv4Addr::new(10, 9, 9, 9)));
    assert!(r.aa());
    // Names under no rule are answered as before; the public view forwards nothing.
    assert!(ask(vpc, "www.example.com.", rtype::A).await.aa());
    assert_eq!(ask(public, "host.corp.internal.", rtype::A).await.rcode(), 5);
    server.abort();
}

#[tokio::test]
async fn a_silent_target_gives_way_to_the_next() {
    let (target, server) = onprem([192, 168, 7, 8], false).await;
    // Bound and never read: queries to it just time out.
    let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let rules = vec![ForwardRule {
        domain: "corp.internal.".into(),
        targets: vec![silent.local_addr().unwrap(), target],
    }];
    let (_plane, _, vpc) = vpc_with_rules(rules).await;
    for id in 0..3 {
        let r = udp(vpc, &query(id, "h.corp.internal.", rtype::A, None)).await.unwrap();
        assert_eq!(r.first_a(), Some(Ipv4Addr::new(192, 168, 7, 8)));
    }
    server.abort();
}

#[tokio::test]
async fn a_truncated_answer_is_fetched_again_over_tcp() {
    let (target, server) = onprem([192, 168, 7, 9], true).await;
    let rules = vec![ForwardRule { domain: "corp.internal.".into(), targets: vec![target] }];
    let (_plane, _, vpc) = vpc_with_rules(rules).await;
    let r = ask(vpc, "big.corp.internal.", rtype::A).await;
    assert!(!r.tc(), "the TCP answer fits the client's UDP size");
    assert_eq!(r.first_a(), Some(Ipv4Addr::new(192, 168, 7, 9)));
    server.abort();
}

#[tokio::test]
async fn no_target_answering_is_servfail() {
    let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let rules = vec![ForwardRule {
        domain: "corp.internal.".into(),
        targets: vec![silent.local_addr().unwrap()],
    }];
    let (_plane, _, vpc) = vpc_with_rules(rules).await;
    let r = udp(vpc, &query(9, "h.corp.internal.", rtype::A, None)).await.unwrap();
    assert_eq!(r.rcode(), 2);
    assert_eq!(r.id, 9);
}

#[tokio::test]
async fn targets_outside_the_egress_policy_are_never_sent_to() {
    // Loopback only (the default): 10.0.0.2 is refused, so only the local server is asked.
    let (target, server) = onprem([192, 168, 7, 10], false).await;
    let refused: SocketAddr = "10.0.0.2:53".parse().unwrap();
    let rules =
        vec![ForwardRule { domain: "corp.internal.".into(), targets: vec![refused, target] }];
    let (_plane, _, vpc) = vpc_with_rules(rules).await;
    for id in 0..4 {
        // Were 10.0.0.2 tried, half of these would wait a second for it first.
        let started = std::time::Instant::now();
        let r = udp(vpc, &query(id, "h.corp.internal.", rtype::A, None)).await.unwrap();
        assert_eq!(r.first_a(), Some(Ipv4Addr::new(192, 168, 7, 10)));
        assert!(started.elapsed() < std::time::Duration::from_millis(500));
    }
    server.abort();
}

#[tokio::test]
async fn no_target_allowed_is_servfail_at_once_and_the_apply_says_why() {
    let rules = vec![ForwardRule {
        domain: "corp.internal.".into(),
        targets: vec!["10.0.0.2:53".parse().unwrap(), "[fd00::2]:53".parse().unwrap()],
    }];
    let (plane, _, vpc) = vpc_with_rules(rules.clone()).await;
    let started = std::time::Instant::now();
    let r = udp(vpc, &query(9, "h.corp.internal.", rtype::A, None)).await.unwrap();
    assert_eq!((r.rcode(), r.id), (2, 9), "SERVFAIL");
    let r = Tcp::connect(vpc).await.ask(&query(10, "h.corp.internal.", rtype::A, None)).await;
    assert_eq!(r.rcode(), 2);
    assert!(started.elapsed() < std::time::Duration::from_millis(500), "{:?}", started.elapsed());

    // Applying the configuration names each refused target (the binary logs these).
    let mut cfg = config(vec![zone("Z1", "example.com.", vec![])]);
    cfg.views.push(View {
        name: "vpc-1".into(),
        listen: "127.0.0.1:0".parse().unwrap(),
        private_zones: vec![],
        public_zones: true,
        resolver: true,
        forward: rules,
    });
    let problems: Vec<String> = plane.apply(cfg).await.into_iter().map(|p| p.0).collect();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("names under corp.internal. are not forwarded to 10.0.0.2:53")
                && p.contains("outside --egress-allow")),
        "{problems:?}"
    );
    assert!(problems.iter().any(|p| p.contains("[fd00::2]:53")), "{problems:?}");
}
