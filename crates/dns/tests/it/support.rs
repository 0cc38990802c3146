//! A tiny DNS client, configurations and an HTTP server the tests share.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use dns::wire::{RData, rtype, text_to_wire};
use dns::{Config, Plane, Policy, RecordSet, Values, View, Zone};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};

/// A query; with EDNS when `edns` is given (payload size, client subnet).
pub fn query(
    id: u16,
    name: &str,
    qtype: u16,
    edns: Option<(u16, Option<(IpAddr, u8)>)>,
) -> Vec<u8> {
    let mut m = id.to_be_bytes().to_vec();
    m.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, u8::from(edns.is_some())]);
    m.extend_from_slice(&text_to_wire(name).unwrap());
    m.extend_from_slice(&qtype.to_be_bytes());
    m.extend_from_slice(&1u16.to_be_bytes());
    if let Some((payload, subnet)) = edns {
        m.push(0);
        m.extend_from_slice(&41u16.to_be_bytes());
        m.extend_from_slice(&payload.to_be_bytes());
        m.extend_from_slice(&[0, 0, 0, 0]);
        let mut rdata = Vec::new();
        if let Some((ip, prefix)) = subnet {
            let (family, octets) = match ip {
                IpAddr::V4(a) => (1u16, a.octets().to_vec()),
                IpAddr::V6(a) => (2u16, a.octets().to_vec()),
            };
            let n = usize::from(prefix).div_ceil(8);
            rdata.extend_from_slice(&8u16.to_be_bytes());
            rdata.extend_from_slice(&((4 + n) as u16).to_be_bytes());
            rdata.extend_from_slice(&family.to_be_bytes());
            rdata.push(prefix);
            rdata.push(0);
            rdata.extend_from_slice(&octets[..n]);
        }
        m.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        m.extend_from_slice(&rdata);
    }
    m
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rr {
    pub name: String,
    pub rtype: u16,
    pub ttl: u32,
    pub rdata: Vec<u8>,
}

#[derive(Debug)]
pub struct Reply {
    pub id: u16,
    pub flags: u16,
    pub raw: Vec<u8>,
    pub answers: Vec<Rr>,
    pub authority: Vec<Rr>,
    pub additional: Vec<Rr>,
}

impl Reply {
    pub fn rcode(&self) -> u16 {
        self.flags & 0xF
    }
    pub fn aa(&self) -> bool {
        self.flags & 0x0400 != 0
    }
    pub fn tc(&self) -> bool {
        self.flags & 0x0200 != 0
    }
    pub fn first_a(&self) -> Option<Ipv4Addr> {
        self.answers
            .iter()
            .find(|r| r.rtype == rtype::A)
            .map(|r| Ipv4Addr::new(r.rdata[0], r.rdata[1], r.rdata[2], r.rdata[3]))
    }
}

/// Reads a name (following pointers) at `p`; returns it and the position after it.
fn name_at(m: &[u8], mut p: usize) -> (String, usize) {
    let mut out = String::new();
    let mut end = None;
    loop {
        let l = m[p] as usize;
        if l == 0 {
            return (if out.is_empty() { ".".into() } else { out }, end.unwrap_or(p + 1));
        }
        if l & 0xC0 == 0xC0 {
            end.get_or_insert(p + 2);
            p = (u16::from_be_bytes([m[p], m[p + 1]]) & 0x3FFF) as usize;
            continue;
        }
        out.push_str(std::str::from_utf8(&m[p + 1..p + 1 + l]).unwrap());
        out.push('.');
        p += 1 + l;
    }
}

pub fn decode(m: &[u8]) -> Reply {
    let u16_at = |i: usize| u16::from_be_bytes([m[i], m[i + 1]]);
    let (mut p, qd) = (12, u16_at(4));
    for _ in 0..qd {
        p = name_at(m, p).1 + 4;
    }
    let mut read = |n: u16| {
        let mut out = Vec::new();
        for _ in 0..n {
            let (name, q) = name_at(m, p);
            let len = u16::from_be_bytes([m[q + 8], m[q + 9]]) as usize;
            out.push(Rr {
                name,
                rtype: u16::from_be_bytes([m[q], m[q + 1]]),
                ttl: u32::from_be_bytes([m[q + 4], m[q + 5], m[q + 6], m[q + 7]]),
                rdata: m[q + 10..q + 10 + len].to_vec(),
            });
            p = q + 10 + len;
        }
        out
    };
    let (an, ns, ar) = (u16_at(6), u16_at(8), u16_at(10));
    let answers = read(an);
    let authority = read(ns);
    let additional = read(ar);
    Reply { id: u16_at(0), flags: u16_at(2), raw: m.to_vec(), answers, authority, additional }
}

pub async fn udp(server: SocketAddr, msg: &[u8]) -> Option<Reply> {
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    sock.send_to(msg, server).await.unwrap();
    let mut buf = vec![0u8; 65535];
    let n = tokio::time::timeout(Duration::from_secs(2), sock.recv(&mut buf)).await.ok()?.ok()?;
    Some(decode(&buf[..n]))
}

pub async fn ask(server: SocketAddr, name: &str, qtype: u16) -> Reply {
    udp(server, &query(0x4242, name, qtype, Some((1232, None)))).await.unwrap()
}

/// A TCP connection that sends queries one after another.
pub struct Tcp(pub TcpStream);

impl Tcp {
    pub async fn connect(server: SocketAddr) -> Tcp {
        Tcp(TcpStream::connect(server).await.unwrap())
    }

    pub async fn ask(&mut self, msg: &[u8]) -> Reply {
        let mut framed = (msg.len() as u16).to_be_bytes().to_vec();
        framed.extend_from_slice(msg);
        self.0.write_all(&framed).await.unwrap();
        let mut len = [0u8; 2];
        self.0.read_exact(&mut len).await.unwrap();
        let mut body = vec![0u8; u16::from_be_bytes(len) as usize];
        self.0.read_exact(&mut body).await.unwrap();
        decode(&body)
    }
}

pub fn set(name: &str, rtype: u16, ttl: u32, values: Vec<RData>) -> RecordSet {
    RecordSet {
        name: name.into(),
        rtype,
        ttl,
        values: Values::Records(values),
        set_identifier: None,
        policy: Policy::Simple,
        health_check_id: None,
    }
}

pub fn a(name: &str, ip: [u8; 4]) -> RecordSet {
    set(name, rtype::A, 300, vec![RData::A(Ipv4Addr::from(ip))])
}

pub fn routed(name: &str, id: &str, ip: [u8; 4], policy: Policy, check: Option<&str>) -> RecordSet {
    RecordSet {
        set_identifier: Some(id.into()),
        policy,
        health_check_id: check.map(Into::into),
        ..a(name, ip)
    }
}

/// A public zone with Route 53's SOA and NS.
pub fn zone(id: &str, origin: &str, mut sets: Vec<RecordSet>) -> Zone {
    let soa = RData::Soa {
        mname: "ns-2048.awsdns-64.com.".into(),
        rname: "awsdns-hostmaster.amazon.com.".into(),
        serial: 1,
        refresh: 7200,
        retry: 900,
        expire: 1_209_600,
        minimum: 86400,
    };
    sets.push(set(origin, rtype::SOA, 900, vec![soa]));
    let ns =
        ["ns-2048.awsdns-64.com.", "ns-2049.awsdns-65.net."].map(|n| RData::Ns(n.into())).to_vec();
    sets.push(set(origin, rtype::NS, 172800, ns));
    Zone { id: id.into(), origin: origin.into(), private: false, record_sets: sets }
}

pub fn public_view() -> View {
    View {
        name: "public".into(),
        listen: "127.0.0.1:0".parse().unwrap(),
        private_zones: vec![],
        public_zones: true,
        resolver: false,
        forward: Vec::new(),
    }
}

pub fn config(zones: Vec<Zone>) -> Config {
    Config { zones, views: vec![public_view()], ..Config::default() }
}

/// A plane serving `config`, and its public view's address.
pub async fn serve(config: Config) -> (Arc<Plane>, SocketAddr) {
    let (plane, at, problems) = serve_reporting(config).await;
    assert!(problems.is_empty(), "{problems:?}");
    (plane, at)
}

/// A plane serving `config`, its public view's address, and what the apply reported.
pub async fn serve_reporting(config: Config) -> (Arc<Plane>, SocketAddr, Vec<String>) {
    let plane = Plane::new();
    let problems = plane.apply(config).await.into_iter().map(|p| p.0).collect();
    let at = plane.listeners().into_iter().find(|l| l.view == "public").unwrap().address;
    (plane, at, problems)
}

/// An HTTP server answering every request with `200 ok`; abort the handle to stop it.
pub async fn http_server() -> (SocketAddr, tokio::task::JoinHandle<()>) {
    http_server_on(0).await
}

/// [`http_server`] on a given port (0: any).
pub async fn http_server_on(port: u16) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let address = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else { continue };
            tokio::spawn(async move {
                let mut buf = [0u8; 2048];
                let _ = s.read(&mut buf).await;
                let _ = s
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\nConnection: close\r\n\r\nall is well\n")
                    .await;
            });
        }
    });
    (address, task)
}

/// Polls `cond` until it holds or `limit` passes.
pub async fn eventually<F, Fut>(limit: Duration, mut cond: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if cond().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}
