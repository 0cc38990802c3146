//! TLS termination for HTTPS (ALB) and TLS (NLB) listeners: rustls with the ring provider.
//!
//! A listener presents the PEM certificate chain and key its configuration gives, else a
//! self-signed certificate generated for its balancer's DNS name (clients must then skip
//! verification, as with any self-signed endpoint). HTTPS listeners offer ALPN `h2` and
//! `http/1.1`; TLS listeners offer none.
//!
//! A running listener keeps its configuration in a `ListenerTls`: a new certificate swaps it
//! under the listener, and each accepted connection takes the one current then (`acceptor`)
//! and gets 10 s to finish its handshake (`handshake`). The NLB relays a `MaybeTls` stream,
//! terminated or not. The ALB's and the NLB's accept loops use these; nothing here knows
//! about either.

use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};
use std::time::Duration;

use guard::limits::Connection;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::config::CertificatePem;

/// How long a client may take over its TLS handshake.
pub(crate) const HANDSHAKE: Duration = Duration::from_secs(10);

/// Why a listener's TLS configuration could not be built.
#[derive(Debug)]
pub enum TlsError {
    /// The PEM chain has no certificate, or does not parse.
    Certificate,
    /// The PEM key does not parse.
    Key,
    /// rcgen could not make a self-signed certificate for the name.
    SelfSigned(rcgen::Error),
    /// rustls refused the pair (a key that does not match the certificate, say).
    Rustls(rustls::Error),
}

impl std::fmt::Display for TlsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TlsError::Certificate => write!(f, "no certificate in the PEM chain"),
            TlsError::Key => write!(f, "no private key in the PEM key"),
            TlsError::SelfSigned(e) => write!(f, "cannot make a self-signed certificate: {e}"),
            TlsError::Rustls(e) => write!(f, "TLS configuration refused: {e}"),
        }
    }
}

impl std::error::Error for TlsError {}

/// The certificate chain and key a listener presents.
pub fn certificate(
    pem: Option<&CertificatePem>,
    dns_name: &str,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TlsError> {
    match pem {
        Some(pem) => {
            let chain = CertificateDer::pem_slice_iter(pem.chain.as_bytes())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| TlsError::Certificate)?;
            if chain.is_empty() {
                return Err(TlsError::Certificate);
            }
            let key =
                PrivateKeyDer::from_pem_slice(pem.key.as_bytes()).map_err(|_| TlsError::Key)?;
            Ok((chain, key))
        }
        None => {
            let names = vec![dns_name.to_owned(), "localhost".to_owned(), "127.0.0.1".to_owned()];
            let certified =
                rcgen::generate_simple_self_signed(names).map_err(TlsError::SelfSigned)?;
            let key = PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der());
            Ok((vec![certified.cert.der().clone()], key.into()))
        }
    }
}

/// The rustls server configuration of a listener; `http` offers ALPN `h2` and `http/1.1`.
pub fn server_config(
    pem: Option<&CertificatePem>,
    dns_name: &str,
    http: bool,
) -> Result<Arc<ServerConfig>, TlsError> {
    let (chain, key) = certificate(pem, dns_name)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Rustls)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(TlsError::Rustls)?;
    if http {
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    }
    Ok(Arc::new(config))
}

/// A TLS configuration that can be swapped under a running listener.
pub(crate) type TlsCell = Arc<RwLock<Arc<ServerConfig>>>;

/// The configuration new handshakes on a listener use.
fn current(cell: &TlsCell) -> Arc<ServerConfig> {
    match cell.read() {
        Ok(c) => c.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

/// An acceptor with the listener's configuration as it is now (taken when a connection is
/// accepted, so a certificate swapped later applies to later connections).
pub(crate) fn acceptor(cell: &TlsCell) -> TlsAcceptor {
    TlsAcceptor::from(current(cell))
}

/// The server side of a handshake, within [`HANDSHAKE`] and the connection's limits; `None`
/// when it fails, takes too long or the connection is closed meanwhile.
pub(crate) async fn handshake(
    connection: &Connection,
    acceptor: TlsAcceptor,
    stream: TcpStream,
) -> Option<TlsStream<TcpStream>> {
    let handshake = tokio::time::timeout(HANDSHAKE, acceptor.accept(stream));
    match connection.guard(handshake).await {
        Some(Ok(Ok(stream))) => Some(stream),
        _ => None,
    }
}

/// What a listener's certificate is made from: its PEM pair (or none: self-signed) and its
/// balancer's DNS name.
pub(crate) type TlsSource = (Option<CertificatePem>, String);

/// The TLS of a running HTTPS or TLS listener: what its certificate was made from and the
/// configuration handshakes use.
#[derive(Debug)]
pub(crate) struct ListenerTls {
    source: TlsSource,
    http: bool,
    cell: TlsCell,
}

impl ListenerTls {
    /// The configuration for a new listener; `http` offers ALPN `h2` and `http/1.1`.
    pub(crate) fn new(source: TlsSource, http: bool) -> Result<ListenerTls, TlsError> {
        let config = server_config(source.0.as_ref(), &source.1, http)?;
        Ok(ListenerTls { source, http, cell: Arc::new(RwLock::new(config)) })
    }

    /// The cell the listener's accept loop reads.
    pub(crate) fn cell(&self) -> TlsCell {
        self.cell.clone()
    }

    /// A new certificate (or DNS name) for the running listener: new handshakes use it. One
    /// that does not make a configuration leaves the old in place, and is tried again next time.
    pub(crate) fn update(&mut self, source: TlsSource) {
        if self.source == source {
            return;
        }
        let Ok(config) = server_config(source.0.as_ref(), &source.1, self.http) else { return };
        match self.cell.write() {
            Ok(mut c) => *c = config,
            Err(poisoned) => *poisoned.into_inner() = config,
        }
        self.source = source;
    }
}

/// A client connection, TLS terminated or not.
pub(crate) enum MaybeTls {
    /// A TCP listener's connection.
    Plain(TcpStream),
    /// A TLS listener's, after the handshake.
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for MaybeTls {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            MaybeTls::Plain(s) => Pin::new(s).poll_read(cx, buf),
            MaybeTls::Tls(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for MaybeTls {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            MaybeTls::Plain(s) => Pin::new(s).poll_write(cx, buf),
            MaybeTls::Tls(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            MaybeTls::Plain(s) => Pin::new(s).poll_flush(cx),
            MaybeTls::Tls(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            MaybeTls::Plain(s) => Pin::new(s).poll_shutdown(cx),
            MaybeTls::Tls(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_signed_certificates_are_made_for_the_dns_name() {
        let config = server_config(None, "web-1.us-east-1.elb.amazonaws.com", true).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"h2".to_vec(), b"http/1.1".to_vec()]);
    }

    #[test]
    fn pem_pairs_are_used_and_bad_ones_refused() {
        let certified = rcgen::generate_simple_self_signed(vec!["a.example".to_owned()]).unwrap();
        let pem = CertificatePem {
            chain: certified.cert.pem(),
            key: certified.signing_key.serialize_pem(),
        };
        assert!(server_config(Some(&pem), "ignored", false).is_ok());
        let bad = CertificatePem { chain: "nope".into(), key: pem.key.clone() };
        assert!(matches!(server_config(Some(&bad), "x", false), Err(TlsError::Certificate)));
        let bad_key = CertificatePem { chain: pem.chain.clone(), key: "nope".into() };
        assert!(matches!(server_config(Some(&bad_key), "x", false), Err(TlsError::Key)));
    }
}
