//! TLS termination for HTTPS (ALB) and TLS (NLB) listeners: rustls with the ring provider.
//!
//! A listener presents the PEM certificate chain and key its configuration gives, else a
//! self-signed certificate generated for its balancer's DNS name (clients must then skip
//! verification, as with any self-signed endpoint). HTTPS listeners offer ALPN `h2` and
//! `http/1.1`; TLS listeners offer none.

use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::config::CertificatePem;

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
