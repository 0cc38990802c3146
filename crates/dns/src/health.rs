//! Route 53 health checks that really probe, and what they saw.
//!
//! One task per enabled check ([`run`]): every `interval` it probes — HTTP(S) `GET` of the
//! resource path (healthy on 2xx/3xx, with a TCP connection within 4 s and the status within
//! 2 s after it, as AWS documents; the `_STR_MATCH` kinds also want the search string in the
//! first 5120 bytes of the body), or a TCP connect within 10 s. The status starts healthy
//! (as a new Route 53 check does) and flips after `failure_threshold` consecutive results the
//! other way; `inverted` flips the verdict; a disabled check is always healthy. A
//! `CALCULATED` check counts its children's current verdicts against its health threshold,
//! re-evaluated every second (or its interval, if shorter).
//!
//! HTTPS probes do not validate the certificate (Route 53 does not either); SNI carries the
//! FQDN when `enable_sni` is set.
//!
//! Each check's [`CheckState`] holds its verdict (an atomic the answering engine reads per
//! query) and its recent [`Report`]s, worded as `GetHealthCheckStatus` words them; the
//! [`HealthView`] is how the API reads them.
//!
//! Probes reach endpoints through a [`Dialer`]: the egress policy (`--egress-allow`) judges the
//! address actually dialled before any packet is sent, and a refusal is the probe's failure
//! (`Failure: vpclab does not connect to 192.0.2.44:80: the address is outside
//! --egress-allow …`). A check with only `FullyQualifiedDomainName` has the name resolved
//! first by vpclab's own public hosted zones ([`HostedNames`]); the system resolver is asked
//! only when the policy reaches beyond loopback, as its query would leave the machine. Of the
//! addresses a name gives, the first the policy allows is probed.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use guard::egress::{DialError, EgressPolicy};
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::config::{CheckKind, HealthCheck};

/// How long a connection may take (HTTP and HTTPS checks).
const HTTP_CONNECT: Duration = Duration::from_secs(4);
/// How long the status line may take once connected.
const FIRST_BYTE: Duration = Duration::from_secs(2);
/// How long a TCP check's connection may take.
const TCP_CONNECT: Duration = Duration::from_secs(10);
/// How much of the body a string-matching check reads.
const SEARCH_WINDOW: usize = 5120;
/// How many reports a check keeps.
const KEEP_REPORTS: usize = 16;

/// One observation, as `GetHealthCheckStatus` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// `Success: HTTP Status Code 200, OK`, `Failure: Connection refused. …`.
    pub status: String,
    /// When the probe finished.
    pub checked: SystemTime,
}

/// A check's verdict and history; lives across applies while the check exists.
#[derive(Debug)]
pub struct CheckState {
    healthy: AtomicBool,
    history: Mutex<History>,
}

#[derive(Debug, Default)]
struct History {
    reports: VecDeque<Report>,
    last_failure: Option<Report>,
}

impl CheckState {
    /// A new check: healthy until probes say otherwise.
    pub fn new() -> Arc<CheckState> {
        Arc::new(CheckState { healthy: AtomicBool::new(true), history: Mutex::default() })
    }

    /// The current verdict.
    pub fn healthy(&self) -> bool {
        self.healthy.load(Ordering::Relaxed)
    }

    /// Sets the verdict (probes and tests).
    pub fn set_healthy(&self, healthy: bool) {
        self.healthy.store(healthy, Ordering::Relaxed);
    }

    fn report(&self, status: String, failure: bool) {
        let report = Report { status, checked: SystemTime::now() };
        let mut h = match self.history.lock() {
            Ok(h) => h,
            Err(poisoned) => poisoned.into_inner(),
        };
        if failure {
            h.last_failure = Some(report.clone());
        }
        if h.reports.len() >= KEEP_REPORTS {
            h.reports.pop_front();
        }
        h.reports.push_back(report);
    }

    fn status(&self) -> CheckStatus {
        let h = match self.history.lock() {
            Ok(h) => h,
            Err(poisoned) => poisoned.into_inner(),
        };
        CheckStatus {
            healthy: self.healthy(),
            reports: h.reports.iter().rev().cloned().collect(),
            last_failure: h.last_failure.clone(),
        }
    }
}

/// What [`HealthView::status`] tells about one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckStatus {
    /// The verdict routing uses (after `inverted`; `true` when disabled).
    pub healthy: bool,
    /// Recent observations, newest first (empty before the first probe, and for disabled
    /// checks).
    pub reports: Vec<Report>,
    /// The latest failing observation (`GetHealthCheckLastFailureReason`).
    pub last_failure: Option<Report>,
}

/// Read access to every check's state; cheap to clone, hand it to the API.
#[derive(Debug, Clone, Default)]
pub struct HealthView {
    pub(crate) states: Arc<RwLock<HashMap<String, Arc<CheckState>>>>,
}

impl HealthView {
    /// The status of the check `id`; `None` when the plane runs no such check.
    pub fn status(&self, id: &str) -> Option<CheckStatus> {
        self.state(id).map(|s| s.status())
    }

    /// The state of the check `id`.
    pub fn state(&self, id: &str) -> Option<Arc<CheckState>> {
        let states = match self.states.read() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        states.get(id).cloned()
    }
}

/// One probe's result: healthy or not, and the words for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Passed.
    pub passed: bool,
    /// As `GetHealthCheckStatus` shows it.
    pub status: String,
}

fn failure(text: &str) -> Outcome {
    Outcome { passed: false, status: format!("Failure: {text}") }
}

const FIREWALL: &str = "The endpoint or the internet connection is down, or requests are \
     being blocked by your firewall. See \
     https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-router-firewall-rules.html";

/// Names vpclab's own public hosted zones answer, as Route 53's checkers would find them.
pub trait HostedNames: Send + Sync + fmt::Debug {
    /// The A and AAAA addresses the public hosted zones give `name` (empty: the zone holding it
    /// has none); `None` when no zone holds it.
    fn addresses(&self, name: &str) -> Option<Vec<IpAddr>>;
}

/// No hosted zones (probes tested alone).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoZones;

impl HostedNames for NoZones {
    fn addresses(&self, _name: &str) -> Option<Vec<IpAddr>> {
        None
    }
}

/// How probes reach endpoints: where they may connect, and the names vpclab serves itself.
#[derive(Debug, Clone)]
pub struct Dialer {
    egress: Arc<EgressPolicy>,
    zones: Arc<dyn HostedNames>,
}

impl Default for Dialer {
    /// Loopback only, no hosted zones.
    fn default() -> Self {
        Dialer::new(Arc::new(EgressPolicy::loopback_only()), Arc::new(NoZones))
    }
}

impl Dialer {
    /// Probes connect where `egress` allows; names are looked up in `zones` first.
    pub fn new(egress: Arc<EgressPolicy>, zones: Arc<dyn HostedNames>) -> Dialer {
        Dialer { egress, zones }
    }

    /// The addresses `host` stands for: an address literal is itself; `localhost` is loopback
    /// (RFC 6761: never asked); else vpclab's public hosted zones answer; else the system
    /// resolver, only when the policy reaches beyond loopback. `Err` is the failure's words.
    async fn resolve(&self, host: &str, port: u16) -> Result<Vec<IpAddr>, String> {
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(vec![ip]);
        }
        let lower = host.to_ascii_lowercase();
        if lower == "localhost" || lower.ends_with(".localhost") {
            return Ok(vec![Ipv4Addr::LOCALHOST.into(), Ipv6Addr::LOCALHOST.into()]);
        }
        let found = match self.zones.addresses(&lower) {
            Some(found) => found,
            None if self.egress.reaches_beyond_loopback() => {
                let system = tokio::net::lookup_host((host, port)).await;
                system.map(|all| all.map(|a| a.ip()).collect()).unwrap_or_default()
            }
            None => {
                return Err(format!(
                    "Could not resolve {host}: it is in no hosted zone vpclab serves, and the \
                     system resolver is asked only when --egress-allow allows more than \
                     loopback (the query would leave the machine)"
                ));
            }
        };
        if found.is_empty() { Err(format!("Could not resolve {host}")) } else { Ok(found) }
    }

    /// The first of `candidates` the policy allows, on `port`; else the first refusal's words.
    fn first_allowed(&self, candidates: &[IpAddr], port: u16) -> Result<SocketAddr, String> {
        let mut refusal = None;
        for ip in candidates {
            let address = SocketAddr::new(*ip, port);
            match self.egress.check(address) {
                Ok(()) => return Ok(address),
                Err(refused) => {
                    refusal.get_or_insert(refused);
                }
            }
        }
        Err(refusal.map_or_else(|| "No address to check".into(), |r| r.to_string()))
    }
}

/// Probes once, through `dialer`.
pub async fn probe(check: &HealthCheck, dialer: &Dialer) -> Outcome {
    let tls = matches!(check.kind, CheckKind::Https | CheckKind::HttpsStrMatch);
    let port = check.port.unwrap_or(if tls { 443 } else { 80 });
    let candidates = match (check.ip, &check.fqdn) {
        (Some(ip), _) => vec![ip],
        (None, Some(fqdn)) => match dialer.resolve(fqdn.trim_end_matches('.'), port).await {
            Ok(found) => found,
            Err(words) => return failure(&words),
        },
        (None, None) => return failure("No address to check"),
    };
    let address = match dialer.first_allowed(&candidates, port) {
        Ok(address) => address,
        Err(words) => return failure(&words),
    };
    let limit = if check.kind == CheckKind::Tcp { TCP_CONNECT } else { HTTP_CONNECT };
    let stream = match tokio::time::timeout(limit, dialer.egress.connect_tcp(address)).await {
        Err(_) => return failure(&format!("Connection timed out. {FIREWALL}")),
        Ok(Err(DialError::Refused(refused))) => return failure(&refused.to_string()),
        Ok(Err(DialError::Io(e))) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            return failure(&format!("Connection refused. {FIREWALL}"));
        }
        Ok(Err(DialError::Io(e))) => {
            return failure(&format!("Connection failed: {e}. {FIREWALL}"));
        }
        Ok(Ok(s)) => s,
    };
    if check.kind == CheckKind::Tcp {
        return Outcome { passed: true, status: "Success: TCP connection established".into() };
    }
    let default_port = if tls { 443 } else { 80 };
    let host_name = check.fqdn.as_deref().map(|f| f.trim_end_matches('.').to_owned());
    let host = match &host_name {
        Some(h) => h.clone(),
        None => address.ip().to_string(),
    };
    let host_header = if port == default_port { host.clone() } else { format!("{host}:{port}") };
    let path = check.resource_path.as_deref().unwrap_or("/");
    let path = if path.starts_with('/') { path.to_owned() } else { format!("/{path}") };
    let search = match check.kind {
        CheckKind::HttpStrMatch | CheckKind::HttpsStrMatch => check.search_string.as_deref(),
        _ => None,
    };
    if !tls {
        return http_get(stream, &host_header, &path, search).await;
    }
    let server_name = match (&host_name, check.enable_sni) {
        (Some(h), true) => ServerName::try_from(h.clone()).ok(),
        _ => None,
    }
    .unwrap_or_else(|| ServerName::IpAddress(address.ip().into()));
    let Some(client) = tls_client() else { return failure("TLS is unavailable") };
    let connector = tokio_rustls::TlsConnector::from(client);
    match tokio::time::timeout(HTTP_CONNECT, connector.connect(server_name, stream)).await {
        Ok(Ok(stream)) => http_get(stream, &host_header, &path, search).await,
        Ok(Err(e)) => failure(&format!("TLS handshake failed: {e}")),
        Err(_) => failure("TLS handshake timed out"),
    }
}

async fn http_get<I>(io: I, host: &str, path: &str, search: Option<&str>) -> Outcome
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let Ok((mut sender, connection)) =
        hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(TokioIo::new(io)).await
    else {
        return failure("The connection could not be used for HTTP");
    };
    let task = tokio::spawn(connection);
    let request = Request::get(path)
        .header("host", host)
        .header("user-agent", "Amazon-Route53-Health-Check-Service (vpclab)")
        .header("connection", "close")
        .body(Empty::new());
    let Ok(request) = request else {
        task.abort();
        return failure("The resource path is not a valid request target");
    };
    let outcome = match tokio::time::timeout(FIRST_BYTE, sender.send_request(request)).await {
        Err(_) => failure(&format!(
            "The endpoint did not respond within {} seconds",
            FIRST_BYTE.as_secs()
        )),
        Ok(Err(e)) => failure(&format!("Received an invalid HTTP response: {e}")),
        Ok(Ok(response)) => {
            let status = response.status();
            let words = format!(
                "HTTP Status Code {}, {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            );
            if !(status.is_success() || status.is_redirection()) {
                failure(&words)
            } else if let Some(needle) = search {
                let body = read_prefix(response.into_body(), SEARCH_WINDOW).await;
                if contains(&body, needle.as_bytes()) {
                    Outcome { passed: true, status: format!("Success: {words}") }
                } else {
                    failure(&format!(
                        "{words}. Failed to find the specified string in the response body"
                    ))
                }
            } else {
                Outcome { passed: true, status: format!("Success: {words}") }
            }
        }
    };
    task.abort();
    outcome
}

/// The first `limit` bytes of a body (fewer when it ends or stalls for 2 s).
async fn read_prefix(mut body: hyper::body::Incoming, limit: usize) -> Vec<u8> {
    let mut out = Vec::new();
    while out.len() < limit {
        match tokio::time::timeout(FIRST_BYTE, body.frame()).await {
            Ok(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    let take = data.len().min(limit - out.len());
                    out.extend_from_slice(data.get(..take).unwrap_or_default());
                }
            }
            _ => break,
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// A TLS client that accepts any certificate: Route 53 does not validate them. `None` only
/// if rustls refused its own defaults.
fn tls_client() -> Option<Arc<rustls::ClientConfig>> {
    static CONFIG: std::sync::OnceLock<Option<Arc<rustls::ClientConfig>>> =
        std::sync::OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let verifier = Arc::new(AnyCertificate(provider.clone()));
            let builder = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions();
            builder.ok().map(|b| {
                Arc::new(
                    b.dangerous().with_custom_certificate_verifier(verifier).with_no_client_auth(),
                )
            })
        })
        .clone()
}

#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Consecutive results and the status they give.
#[derive(Debug, Clone)]
pub struct Counter {
    healthy: bool,
    against: u32,
}

impl Default for Counter {
    fn default() -> Self {
        Counter { healthy: true, against: 0 }
    }
}

impl Counter {
    /// Counts one probe; returns the (uninverted) status.
    pub fn record(&mut self, passed: bool, threshold: u32) -> bool {
        if passed == self.healthy {
            self.against = 0;
        } else {
            self.against = self.against.saturating_add(1);
            if self.against >= threshold.max(1) {
                self.healthy = passed;
                self.against = 0;
            }
        }
        self.healthy
    }
}

/// Runs one check until aborted, probing through `dialer`.
pub async fn run(check: HealthCheck, state: Arc<CheckState>, view: HealthView, dialer: Dialer) {
    if check.disabled {
        state.set_healthy(true);
        return;
    }
    if check.kind == CheckKind::Calculated {
        let tick = check.interval.min(Duration::from_secs(1)).max(Duration::from_millis(10));
        loop {
            let healthy_children = check
                .children
                .iter()
                .filter(|c| view.state(c).is_some_and(|s| s.healthy()))
                .count();
            let passed = healthy_children as u64 >= u64::from(check.health_threshold);
            let status = format!(
                "{}: {healthy_children} of {} child health checks are healthy (threshold {})",
                if passed { "Success" } else { "Failure" },
                check.children.len(),
                check.health_threshold
            );
            state.report(status, !passed);
            state.set_healthy(passed != check.inverted);
            tokio::time::sleep(tick).await;
        }
    }
    let interval = check.interval.max(Duration::from_millis(10));
    let mut counter = Counter::default();
    loop {
        let outcome = probe(&check, &dialer).await;
        let status = counter.record(outcome.passed, check.failure_threshold);
        state.report(outcome.status, !outcome.passed);
        state.set_healthy(status != check.inverted);
        tokio::time::sleep(interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_flips_after_the_failure_threshold_either_way() {
        let mut c = Counter::default();
        assert!(c.record(false, 3));
        assert!(c.record(false, 3));
        assert!(c.record(true, 3), "a success resets the run");
        assert!(c.record(false, 3));
        assert!(c.record(false, 3));
        assert!(!c.record(false, 3));
        assert!(!c.record(true, 3));
        assert!(!c.record(true, 3));
        assert!(c.record(true, 3));
    }

    #[tokio::test]
    async fn a_closed_port_is_connection_refused() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let check = HealthCheck {
            ip: Some("127.0.0.1".parse().unwrap()),
            port: Some(port),
            ..HealthCheck::default()
        };
        let out = probe(&check, &Dialer::default()).await;
        assert!(!out.passed);
        assert!(out.status.starts_with("Failure: Connection refused."), "{}", out.status);
    }

    fn http_check(ip: Option<&str>, fqdn: Option<&str>) -> HealthCheck {
        HealthCheck {
            ip: ip.map(|a| a.parse().unwrap()),
            fqdn: fqdn.map(str::to_owned),
            port: Some(80),
            ..HealthCheck::default()
        }
    }

    #[tokio::test]
    async fn an_address_outside_the_policy_is_a_failure_naming_it_and_the_flag() {
        let out = probe(&http_check(Some("192.0.2.44"), None), &Dialer::default()).await;
        assert!(!out.passed);
        assert_eq!(
            out.status,
            "Failure: vpclab does not connect to 192.0.2.44:80: the address is outside \
             --egress-allow (loopback only by default)"
        );
        let open = Arc::new(EgressPolicy::allowing(["0.0.0.0/0".parse().unwrap()]));
        let metadata = http_check(Some("::ffff:169.254.169.254"), None);
        let out = probe(&metadata, &Dialer::new(open, Arc::new(NoZones))).await;
        assert!(
            out.status.contains("never dialled, whatever --egress-allow says"),
            "{}",
            out.status
        );
    }

    /// Hosted zones that know one name.
    #[derive(Debug)]
    struct OneName(&'static str, Vec<IpAddr>);

    impl HostedNames for OneName {
        fn addresses(&self, name: &str) -> Option<Vec<IpAddr>> {
            (name == self.0).then(|| self.1.clone())
        }
    }

    #[tokio::test]
    async fn names_are_resolved_by_the_hosted_zones_and_each_address_is_judged() {
        let loopback_only = Arc::new(EgressPolicy::loopback_only());
        let zones = OneName("app.example.com", vec!["10.0.0.7".parse().unwrap()]);
        let dialer = Dialer::new(loopback_only.clone(), Arc::new(zones));
        let out = probe(&http_check(None, Some("App.Example.com.")), &dialer).await;
        assert_eq!(
            out.status,
            "Failure: vpclab does not connect to 10.0.0.7:80: the address is outside \
             --egress-allow (loopback only by default)"
        );
        // The first allowed address is probed: here a closed loopback port.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let zones = OneName(
            "app.example.com",
            vec!["10.0.0.7".parse().unwrap(), "127.0.0.1".parse().unwrap()],
        );
        let dialer = Dialer::new(loopback_only.clone(), Arc::new(zones));
        let check = HealthCheck { port: Some(port), ..http_check(None, Some("app.example.com")) };
        let out = probe(&check, &dialer).await;
        assert!(out.status.starts_with("Failure: Connection refused."), "{}", out.status);
        // In no hosted zone, loopback only: the system resolver is not asked.
        let dialer = Dialer::new(loopback_only, Arc::new(NoZones));
        let out = probe(&http_check(None, Some("www.example.org")), &dialer).await;
        assert!(
            out.status.starts_with(
                "Failure: Could not resolve www.example.org: it is in no hosted zone vpclab serves"
            ),
            "{}",
            out.status
        );
        assert!(out.status.contains("--egress-allow"), "{}", out.status);
    }

    #[test]
    fn reports_keep_the_newest_and_the_last_failure() {
        let s = CheckState::new();
        s.report("Failure: x".into(), true);
        for i in 0..20 {
            s.report(format!("Success: {i}"), false);
        }
        let st = s.status();
        assert_eq!(st.reports.len(), KEEP_REPORTS);
        assert_eq!(st.reports[0].status, "Success: 19");
        assert_eq!(st.last_failure.unwrap().status, "Failure: x");
    }
}
