//! HTTPS and TLS listeners terminate TLS with the configured certificate.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper_util::rt::{TokioExecutor, TokioIo};
use lb::{CertificatePem, Kind, Options, Plane, Protocol};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsConnector;

use crate::support::*;

const DNS: &str = "web-1.us-east-1.elb.amazonaws.com";

fn pem() -> (CertificatePem, rustls::pki_types::CertificateDer<'static>) {
    let certified = rcgen::generate_simple_self_signed(vec![DNS.to_owned()]).unwrap();
    let der = certified.cert.der().clone();
    (
        CertificatePem { chain: certified.cert.pem(), key: certified.signing_key.serialize_pem() },
        der,
    )
}

async fn connect(
    at: SocketAddr,
    trust: rustls::pki_types::CertificateDer<'static>,
    alpn: &[&[u8]],
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(trust).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let tcp = tokio::net::TcpStream::connect(at).await.unwrap();
    TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from(DNS).unwrap(), tcp)
        .await
        .unwrap()
}

#[tokio::test]
async fn https_listeners_speak_h2_and_http1_with_the_given_certificate() {
    let a = Backend::start("a").await;
    let (pem, der) = pem();
    let mut l = listener("arn:l/443", 443, Protocol::Https, forward("tg"));
    l.certificate = Some(pem);
    let plane = Plane::new(Options::default());
    plane
        .apply(config(
            vec![balancer(Kind::Application, vec![l])],
            vec![group("tg", vec![a.target()])],
        ))
        .await;
    let at = local(&plane, "arn:l/443");

    let tls = connect(at, der.clone(), &[b"h2", b"http/1.1"]).await;
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let (mut sender, conn) = hyper::client::conn::http2::handshake::<_, _, Empty<Bytes>>(
        TokioExecutor::new(),
        TokioIo::new(tls),
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    let req = Request::get(format!("https://{DNS}/secure")).body(Empty::new()).unwrap();
    let response = sender.send_request(req).await.unwrap();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let body = String::from_utf8_lossy(&body);
    assert!(body.starts_with("a /secure xff=127.0.0.1 proto=https port=443"), "{body}");
    assert!(body.contains(&format!("host={DNS}")), "{body}");

    let tls = connect(at, der, &[b"http/1.1"]).await;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(TokioIo::new(tls)).await.unwrap();
    tokio::spawn(conn);
    let req = Request::get("/one").header("host", DNS).body(Empty::new()).unwrap();
    let response = sender.send_request(req).await.unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn tls_listeners_terminate_and_pass_the_plaintext_on() {
    let echo = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let echo_at = echo.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut s, _) = echo.accept().await.unwrap();
        let mut buf = [0u8; 64];
        let n = s.read(&mut buf).await.unwrap();
        s.write_all(&buf[..n]).await.unwrap();
    });
    let (pem, der) = pem();
    let mut l = listener("arn:l/tls", 853, Protocol::Tls, forward("tg"));
    l.certificate = Some(pem);
    let mut g = group(
        "tg",
        vec![lb::Target {
            id: "i-e".into(),
            port: echo_at.port(),
            address: echo_at,
            zone: None,
            draining: false,
        }],
    );
    g.protocol = Protocol::Tcp;
    g.health_check.enabled = false;
    let plane = Plane::new(Options::default());
    plane.apply(config(vec![balancer(Kind::Network, vec![l])], vec![g])).await;
    let mut tls = connect(local(&plane, "arn:l/tls"), der, &[]).await;
    tls.write_all(b"secret").await.unwrap();
    let mut buf = [0u8; 16];
    let n = tls.read(&mut buf).await.unwrap();
    assert_eq!(&buf[..n], b"secret");
}

#[tokio::test]
async fn without_a_certificate_the_listener_makes_one_for_its_dns_name() {
    let plane = Plane::new(Options::default());
    let fixed = lb::Action::FixedResponse {
        status_code: "200".into(),
        content_type: None,
        body: Some("ok".into()),
    };
    plane
        .apply(config(
            vec![balancer(
                Kind::Application,
                vec![listener("arn:l/443", 443, Protocol::Https, fixed)],
            )],
            vec![],
        ))
        .await;
    // The handshake fails against a root store that does not hold the generated certificate:
    // proof that a certificate is presented, and that it is not one we know.
    let (_, unrelated) = pem();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(unrelated).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(local(&plane, "arn:l/443")).await.unwrap();
    let error = TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from(DNS).unwrap(), tcp)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("certificate"), "{error}");
}
