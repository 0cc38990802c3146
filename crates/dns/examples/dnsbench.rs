//! A load generator and a benchmark server, to compare the plane with another DNS server.
//!
//! `dnsbench serve PORT RECORDS` serves the zone `bench.example.` (`h0` … `hN-1`, one A
//! record each) on 127.0.0.1:PORT; `dnsbench zonefile RECORDS` prints the same zone as a
//! zone file (for NSD); `dnsbench load ADDR SECONDS CLIENTS RECORDS` sends A queries for
//! random names from CLIENTS closed-loop UDP clients and prints queries/s and latency
//! percentiles.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use dns::wire::{RData, rtype, text_to_wire};
use dns::{Config, Policy, RecordSet, Values, View, Zone};

const SOA: &str = "ns-1.awsdns-01.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400";

fn record(name: String, rtype: u16, ttl: u32, value: RData) -> RecordSet {
    RecordSet {
        name,
        rtype,
        ttl,
        values: Values::Records(vec![value]),
        set_identifier: None,
        policy: Policy::Simple,
        health_check_id: None,
    }
}

fn address(i: usize) -> Ipv4Addr {
    Ipv4Addr::from(0x0A00_0000u32 + i as u32)
}

fn zone(records: usize) -> Zone {
    let mut sets: Vec<RecordSet> = (0..records)
        .map(|i| record(format!("h{i}.bench.example."), rtype::A, 300, RData::A(address(i))))
        .collect();
    sets.push(record(
        "bench.example.".into(),
        rtype::SOA,
        900,
        RData::Soa {
            mname: "ns-1.awsdns-01.com.".into(),
            rname: "awsdns-hostmaster.amazon.com.".into(),
            serial: 1,
            refresh: 7200,
            retry: 900,
            expire: 1_209_600,
            minimum: 86400,
        },
    ));
    sets.push(record(
        "bench.example.".into(),
        rtype::NS,
        172800,
        RData::Ns("ns-1.awsdns-01.com.".into()),
    ));
    Zone { id: "ZBENCH".into(), origin: "bench.example.".into(), private: false, record_sets: sets }
}

fn query(id: u16, name: &str) -> Vec<u8> {
    let mut m = id.to_be_bytes().to_vec();
    m.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    m.extend_from_slice(&text_to_wire(name).unwrap());
    m.extend_from_slice(&[0, 1, 0, 1]);
    m
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    match arg(1).as_str() {
        "serve" => {
            let port: u16 = arg(2).parse().unwrap();
            let records: usize = arg(3).parse().unwrap();
            let plane = dns::Plane::new();
            let view = View {
                name: "public".into(),
                listen: SocketAddr::from(([127, 0, 0, 1], port)),
                private_zones: vec![],
                public_zones: true,
                resolver: false,
                forward: Vec::new(),
            };
            let problems = plane
                .apply(Config {
                    zones: vec![zone(records)],
                    views: vec![view],
                    ..Config::default()
                })
                .await;
            assert!(problems.is_empty(), "{problems:?}");
            println!("serving on {:?}", plane.listeners());
            std::future::pending::<()>().await;
        }
        "zonefile" => {
            let records: usize = arg(2).parse().unwrap();
            println!(
                "$ORIGIN bench.example.\n$TTL 300\n@ 900 IN SOA {SOA}\n@ 172800 IN NS ns-1.awsdns-01.com."
            );
            for i in 0..records {
                println!("h{i} IN A {}", address(i));
            }
        }
        "load" => {
            let server: SocketAddr = arg(2).parse().unwrap();
            let seconds: u64 = arg(3).parse().unwrap();
            let clients: usize = arg(4).parse().unwrap();
            let records: usize = arg(5).parse().unwrap();
            let deadline = Instant::now() + Duration::from_secs(seconds);
            let mut tasks = Vec::new();
            for c in 0..clients {
                tasks.push(tokio::spawn(async move {
                    let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
                    sock.connect(server).await.unwrap();
                    let mut latencies = Vec::new();
                    let mut lost = 0u64;
                    let mut buf = [0u8; 1500];
                    let mut n = c * 7919;
                    while Instant::now() < deadline {
                        n = (n * 1_103_515_245 + 12345) % (1 << 31);
                        let name = format!("h{}.bench.example.", n % records);
                        let id = (n & 0xFFFF) as u16;
                        let start = Instant::now();
                        sock.send(&query(id, &name)).await.unwrap();
                        match tokio::time::timeout(Duration::from_millis(500), sock.recv(&mut buf))
                            .await
                        {
                            Ok(Ok(len)) if len > 12 && buf[..2] == id.to_be_bytes() => {
                                latencies.push(start.elapsed());
                            }
                            _ => lost += 1,
                        }
                    }
                    (latencies, lost)
                }));
            }
            let mut all = Vec::new();
            let mut lost = 0;
            for t in tasks {
                let (l, x) = t.await.unwrap();
                all.extend(l);
                lost += x;
            }
            all.sort();
            let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
            println!(
                "{} answered, {} lost, {:.0} queries/s, p50 {:?}, p99 {:?}, p99.9 {:?}",
                all.len(),
                lost,
                all.len() as f64 / seconds as f64,
                pct(0.50),
                pct(0.99),
                pct(0.999)
            );
        }
        _ => eprintln!(
            "usage: dnsbench serve PORT RECORDS | zonefile RECORDS | load ADDR SECONDS CLIENTS RECORDS"
        ),
    }
}
