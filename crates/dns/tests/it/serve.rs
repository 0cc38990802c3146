//! Answers over real UDP and TCP: flags, sections, TTLs, negative answers, truncation,
//! routing and listeners following the configuration.

use std::net::{IpAddr, Ipv4Addr};

use dns::wire::{RData, rcode, rtype};
use dns::{ClientLocation, Config, GeoLocation, LocationRule, Policy, View};

use crate::support::*;

fn example() -> Config {
    let big: Vec<RData> = (0..30)
        .map(|i| RData::Txt(vec![format!("{i:03}-{}", "x".repeat(90)).into_bytes()]))
        .collect();
    config(vec![zone(
        "Z1",
        "example.com.",
        vec![
            a("www.example.com.", [192, 0, 2, 10]),
            set(
                "alias.example.com.",
                rtype::CNAME,
                60,
                vec![RData::Cname("www.example.com.".into())],
            ),
            set(
                "example.com.",
                rtype::MX,
                3600,
                vec![RData::Mx { preference: 10, exchange: "mail.example.com.".into() }],
            ),
            set("big.example.com.", rtype::TXT, 30, big),
        ],
    )])
}

#[tokio::test]
async fn udp_answers_are_authoritative_and_echo_the_question_case() {
    let (_plane, at) = serve(example()).await;
    let r = ask(at, "WwW.Example.COM.", rtype::A).await;
    assert_eq!((r.id, r.rcode(), r.aa(), r.tc()), (0x4242, rcode::NOERROR, true, false));
    assert_eq!(r.answers.len(), 1);
    assert_eq!(r.answers[0].name, "WwW.Example.COM.");
    assert_eq!((r.answers[0].ttl, r.first_a()), (300, Some(Ipv4Addr::new(192, 0, 2, 10))));
    // The OPT record comes back advertising 1232.
    let opt = r.additional.iter().find(|rr| rr.rtype == 41).unwrap();
    assert_eq!(opt.name, ".");
    let r = ask(at, "alias.example.com.", rtype::A).await;
    let kinds: Vec<u16> = r.answers.iter().map(|rr| rr.rtype).collect();
    assert_eq!(kinds, vec![rtype::CNAME, rtype::A]);
    assert_eq!(r.answers[0].ttl, 60);
}

#[tokio::test]
async fn negative_answers_carry_the_soa_with_the_negative_ttl() {
    let (_plane, at) = serve(example()).await;
    let nx = ask(at, "nothing.example.com.", rtype::A).await;
    assert_eq!((nx.rcode(), nx.aa(), nx.answers.len()), (rcode::NXDOMAIN, true, 0));
    assert_eq!(nx.authority.len(), 1);
    assert_eq!((nx.authority[0].rtype, nx.authority[0].ttl), (rtype::SOA, 900));
    assert_eq!(nx.authority[0].name, "example.com.");
    let nodata = ask(at, "www.example.com.", rtype::AAAA).await;
    assert_eq!((nodata.rcode(), nodata.answers.len()), (rcode::NOERROR, 0));
    assert_eq!(nodata.authority[0].rtype, rtype::SOA);
    let refused = ask(at, "example.net.", rtype::A).await;
    assert_eq!((refused.rcode(), refused.aa()), (rcode::REFUSED, false));
}

#[tokio::test]
async fn big_answers_truncate_on_udp_and_come_whole_over_tcp() {
    let (_plane, at) = serve(example()).await;
    let plain = udp(at, &query(1, "big.example.com.", rtype::TXT, None)).await.unwrap();
    assert!(plain.tc());
    assert!(plain.raw.len() <= 512);
    let edns = ask(at, "big.example.com.", rtype::TXT).await;
    assert!(edns.tc() && edns.raw.len() <= 1232);
    let mut tcp = Tcp::connect(at).await;
    let whole = tcp.ask(&query(2, "big.example.com.", rtype::TXT, None)).await;
    assert!(!whole.tc());
    assert_eq!(whole.answers.len(), 30);
    // Several queries on one connection.
    for id in 3..6 {
        let r = tcp.ask(&query(id, "www.example.com.", rtype::A, None)).await;
        assert_eq!((r.id, r.answers.len()), (id, 1));
    }
}

#[tokio::test]
async fn garbage_gets_formerr_or_nothing_and_the_server_carries_on() {
    let (_plane, at) = serve(example()).await;
    assert!(udp(at, &[1, 2, 3]).await.is_none(), "no header: dropped");
    let mut two = query(7, "www.example.com.", rtype::A, None);
    two[5] = 2;
    let r = udp(at, &two).await.unwrap();
    assert_eq!((r.id, r.rcode()), (7, rcode::FORMERR));
    let mut badvers = query(8, "www.example.com.", rtype::A, Some((1232, None)));
    let at_version = badvers.len() - 5;
    badvers[at_version] = 1;
    let r = udp(at, &badvers).await.unwrap();
    let opt = r.additional.iter().find(|rr| rr.rtype == 41).unwrap();
    assert_eq!((r.rcode(), opt.ttl >> 24), (0, 1), "BADVERS = 16: upper bits in OPT");
    assert_eq!(ask(at, "www.example.com.", rtype::A).await.answers.len(), 1);
}

#[tokio::test]
async fn weighted_answers_split_over_two_thousand_queries() {
    let w = |weight| Policy::Weighted { weight };
    let (_plane, at) = serve(config(vec![zone(
        "Z1",
        "example.com.",
        vec![
            routed("w.example.com.", "a", [10, 0, 0, 1], w(1), None),
            routed("w.example.com.", "b", [10, 0, 0, 2], w(3), None),
        ],
    )]))
    .await;
    let mut b = 0;
    for _ in 0..2000 {
        if ask(at, "w.example.com.", rtype::A).await.first_a() == Some(Ipv4Addr::new(10, 0, 0, 2)) {
            b += 1;
        }
    }
    // 75 % expected; ±5 points is beyond 7 standard deviations.
    assert!((1400..1600).contains(&b), "{b} of 2000");
}

#[tokio::test]
async fn client_subnet_steers_geolocation() {
    let cfg = germany_or_default();
    let (_plane, at) = serve(cfg).await;
    let subnet = Some((IpAddr::V4(Ipv4Addr::new(203, 0, 113, 0)), 24));
    let de = udp(at, &query(1, "g.example.com.", rtype::A, Some((1232, subnet)))).await.unwrap();
    assert_eq!(de.first_a(), Some(Ipv4Addr::new(10, 0, 0, 49)));
    // The option comes back with scope 24: the answer depended on it.
    let opt = de.additional.iter().find(|rr| rr.rtype == 41).unwrap();
    assert_eq!(&opt.rdata[..8], &[0, 8, 0, 7, 0, 1, 24, 24]);
    let other = ask(at, "g.example.com.", rtype::A).await;
    assert_eq!(other.first_a(), Some(Ipv4Addr::new(10, 0, 0, 1)));
}

#[tokio::test]
async fn listeners_follow_the_views() {
    let (plane, at) = serve(example()).await;
    let mut cfg = example();
    cfg.views.push(View {
        name: "vpc-0123".into(),
        listen: "127.0.0.1:0".parse().unwrap(),
        private_zones: vec![],
        public_zones: true,
        resolver: true,
        forward: Vec::new(),
    });
    plane.apply(cfg).await;
    let listeners = plane.listeners();
    assert_eq!(listeners.len(), 2);
    assert_eq!(listeners[0].address, at, "an unchanged view keeps its port");
    let vpc = listeners[1].address;
    let r = ask(vpc, "www.example.com.", rtype::A).await;
    assert!(r.flags & 0x0080 != 0, "RA on a VPC view");
    plane.apply(example()).await;
    assert_eq!(plane.listeners().len(), 1);
    assert!(udp(vpc, &query(1, "www.example.com.", rtype::A, None)).await.is_none());
}

#[tokio::test]
async fn test_answer_sees_what_a_udp_client_sees() {
    let (plane, _at) = serve(example()).await;
    let local = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let ask = |name: &str, qtype: u16| plane.test_answer("example.com.", name, qtype, local, None);
    let www = ask("www.example.com", rtype::A).unwrap();
    assert_eq!((www.rcode, www.tcp), (rcode::NOERROR, false));
    assert_eq!(www.records, vec![RData::A(Ipv4Addr::new(192, 0, 2, 10))]);
    let mx = ask("example.com.", rtype::MX).unwrap();
    let shown: Vec<String> = mx.records.iter().map(ToString::to_string).collect();
    assert_eq!(shown, ["10 mail.example.com."]);
    let chain = ask("alias.example.com.", rtype::A).unwrap();
    assert_eq!(chain.records.len(), 2, "the CNAME and its target, as dig's answer section");
    assert_eq!(ask("nothing.example.com.", rtype::A).unwrap().rcode, rcode::NXDOMAIN);
    // Too big for UDP: asked again over TCP, whole.
    let big = ask("big.example.com.", rtype::TXT).unwrap();
    assert_eq!((big.tcp, big.records.len()), (true, 30));
    // Outside the zone: the zone's name servers refuse it.
    assert_eq!(ask("www.example.net.", rtype::A).unwrap().rcode, rcode::REFUSED);
    assert!(ask("a..b", rtype::A).is_none());
}

#[tokio::test]
async fn test_answer_sends_the_client_subnet() {
    let cfg = germany_or_default();
    let (plane, _at) = serve(cfg).await;
    let local = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let from =
        |subnet| plane.test_answer("example.com.", "g.example.com.", rtype::A, local, subnet);
    // The host bits are cleared: 203.0.113.77/24 asks as 203.0.113.0/24.
    let de = from(Some((IpAddr::V4(Ipv4Addr::new(203, 0, 113, 77)), 24))).unwrap();
    assert_eq!(de.records, vec![RData::A(Ipv4Addr::new(10, 0, 0, 49))]);
    assert_eq!(from(None).unwrap().records, vec![RData::A(Ipv4Addr::new(10, 0, 0, 1))]);
}

/// `g.example.com.`: 10.0.0.49 for clients in Germany (203.0.113.0/24 is placed there),
/// 10.0.0.1 for everyone else.
fn germany_or_default() -> Config {
    let geo = |country: &str| {
        Policy::Geolocation(GeoLocation { country: Some(country.into()), ..GeoLocation::default() })
    };
    let mut cfg = config(vec![zone(
        "Z1",
        "example.com.",
        vec![
            routed("g.example.com.", "de", [10, 0, 0, 49], geo("DE"), None),
            routed("g.example.com.", "any", [10, 0, 0, 1], geo("*"), None),
        ],
    )]);
    cfg.locations = vec![LocationRule {
        cidr: ("203.0.113.0".parse().unwrap(), 24),
        location: ClientLocation {
            region: "eu-central-1".into(),
            continent: "EU".into(),
            country: "DE".into(),
            subdivision: None,
            coordinates: None,
        },
    }];
    cfg
}
