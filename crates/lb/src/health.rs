//! Health checks that really probe: one task per target of a group some listener uses.
//!
//! HTTP(S) checks `GET` the path on a fresh connection (closed afterwards, as ALB does) and
//! compare the status with the matcher; TCP checks connect. A new target needs one success to
//! turn healthy and `unhealthy_threshold` consecutive failures to turn unhealthy; afterwards
//! `healthy_threshold` consecutive successes make an unhealthy target healthy again, and
//! `unhealthy_threshold` consecutive failures make a healthy one unhealthy.
//!
//! A target the egress policy refuses (`--egress-allow`) is never probed: it is `unhealthy`
//! at once with `Target.FailedHealthChecks` (AWS's code for an error establishing the
//! connection) and a description naming the address and the flag.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use guard::egress::EgressPolicy;
use http_body_util::Empty;
use hyper::Request;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;

use crate::config::{HealthCheck, Protocol};
use crate::matching::CodeMatcher;
use crate::state::{HealthState, Observed, TargetRuntime};

/// One probe's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// Passed.
    Pass,
    /// Answered with a code the matcher refuses.
    Mismatch(u16),
    /// No answer within the timeout.
    Timeout,
    /// Refused, reset, or not HTTP.
    Failed,
}

/// Consecutive results and the verdict they give.
#[derive(Debug, Default, Clone)]
pub struct Counter {
    successes: u32,
    failures: u32,
    verdict: Option<bool>,
}

impl Counter {
    /// Counts one probe; returns the new verdict when it changes (`true` = healthy).
    pub fn record(&mut self, passed: bool, check: &HealthCheck) -> Option<bool> {
        if passed {
            self.successes = self.successes.saturating_add(1);
            self.failures = 0;
        } else {
            self.failures = self.failures.saturating_add(1);
            self.successes = 0;
        }
        let next = match self.verdict {
            None if passed => Some(true),
            None if self.failures >= check.unhealthy_threshold.max(1) => Some(false),
            Some(false) if self.successes >= check.healthy_threshold.max(1) => Some(true),
            Some(true) if self.failures >= check.unhealthy_threshold.max(1) => Some(false),
            _ => None,
        };
        if let Some(v) = next {
            self.verdict = Some(v);
        }
        next
    }
}

/// Probes one target once (the egress policy allowed `address`).
async fn probe(
    check: &HealthCheck,
    address: SocketAddr,
    matcher: &CodeMatcher,
    egress: &EgressPolicy,
) -> Probe {
    match tokio::time::timeout(check.timeout, probe_inner(check, address, matcher, egress)).await {
        Ok(p) => p,
        Err(_) => Probe::Timeout,
    }
}

async fn probe_inner(
    check: &HealthCheck,
    address: SocketAddr,
    matcher: &CodeMatcher,
    egress: &EgressPolicy,
) -> Probe {
    let Ok(stream) = egress.connect_tcp(address).await else { return Probe::Failed };
    // HTTPS checks only connect: the plane has no TLS client.
    if !matches!(check.protocol, Protocol::Http) {
        return Probe::Pass;
    }
    let Ok((mut sender, connection)) =
        hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(TokioIo::new(stream)).await
    else {
        return Probe::Failed;
    };
    let task = tokio::spawn(connection);
    let path =
        if check.path.starts_with('/') { check.path.clone() } else { format!("/{}", check.path) };
    let request = Request::get(path)
        .header("host", address.to_string())
        .header("user-agent", "ELB-HealthChecker/2.0")
        .header("connection", "close")
        .body(Empty::new());
    let Ok(request) = request else { return Probe::Failed };
    let result = match sender.send_request(request).await {
        Ok(response) => {
            let code = response.status().as_u16();
            if matcher.matches(code) { Probe::Pass } else { Probe::Mismatch(code) }
        }
        Err(_) => Probe::Failed,
    };
    task.abort();
    result
}

fn observed(healthy: bool, last: &Probe) -> Observed {
    if healthy {
        return Observed { state: HealthState::Healthy, reason: None, description: None };
    }
    let (reason, description) = match last {
        Probe::Mismatch(code) => (
            "Target.ResponseCodeMismatch",
            format!("Health checks failed with these codes: [{code}]"),
        ),
        Probe::Timeout => ("Target.Timeout", "Request timed out".to_owned()),
        Probe::Failed | Probe::Pass => {
            ("Target.FailedHealthChecks", "Health checks failed".to_owned())
        }
    };
    Observed {
        state: HealthState::Unhealthy,
        reason: Some(reason.to_owned()),
        description: Some(description),
    }
}

/// What DescribeTargetHealth shows for a target the egress policy refuses: never contacted.
fn refused(refusal: &guard::egress::Refused) -> Observed {
    Observed {
        state: HealthState::Unhealthy,
        reason: Some("Target.FailedHealthChecks".into()),
        description: Some(refusal.to_string()),
    }
}

/// Checks one target until aborted: probes every `interval` and records verdicts. A target
/// `egress` refuses is never probed (see the module documentation).
pub async fn run(
    check: HealthCheck,
    address: SocketAddr,
    runtime: Arc<TargetRuntime>,
    egress: Arc<EgressPolicy>,
) {
    let address = match check.port {
        Some(port) => SocketAddr::new(address.ip(), port),
        None => address,
    };
    // Before anything else: a refused target is never contacted, checked or not.
    if let Err(refusal) = egress.check(address) {
        runtime.set_observed(refused(&refusal));
        return;
    }
    if !check.enabled {
        runtime.set_observed(Observed {
            state: HealthState::Unavailable,
            reason: Some("Target.HealthCheckDisabled".into()),
            description: Some("Health checks are disabled".into()),
        });
        return;
    }
    let matcher = CodeMatcher::parse(&check.matcher);
    let mut counter = Counter::default();
    let interval = check.interval.max(Duration::from_millis(10));
    loop {
        let result = probe(&check, address, &matcher, &egress).await;
        if let Some(healthy) = counter.record(result == Probe::Pass, &check) {
            runtime.set_observed(observed(healthy, &result));
        } else if counter.verdict == Some(false) && result != Probe::Pass {
            // Keep the reason current while unhealthy.
            runtime.set_observed(observed(false, &result));
        }
        tokio::time::sleep(interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(healthy: u32, unhealthy: u32) -> HealthCheck {
        HealthCheck {
            healthy_threshold: healthy,
            unhealthy_threshold: unhealthy,
            ..HealthCheck::default()
        }
    }

    #[test]
    fn a_new_target_is_healthy_after_one_success() {
        let mut c = Counter::default();
        assert_eq!(c.record(true, &check(5, 2)), Some(true));
    }

    #[test]
    fn a_new_target_is_unhealthy_after_the_unhealthy_threshold() {
        let mut c = Counter::default();
        let hc = check(5, 3);
        assert_eq!(c.record(false, &hc), None);
        assert_eq!(c.record(false, &hc), None);
        assert_eq!(c.record(false, &hc), Some(false));
    }

    #[test]
    fn recovery_takes_the_healthy_threshold_in_a_row() {
        let mut c = Counter::default();
        let hc = check(3, 2);
        c.record(true, &hc);
        assert_eq!(c.record(false, &hc), None);
        assert_eq!(c.record(false, &hc), Some(false));
        assert_eq!(c.record(true, &hc), None);
        assert_eq!(c.record(true, &hc), None);
        assert_eq!(c.record(false, &hc), None, "a failure resets the run");
        assert_eq!(c.record(true, &hc), None);
        assert_eq!(c.record(true, &hc), None);
        assert_eq!(c.record(true, &hc), Some(true));
    }

    #[test]
    fn reasons_are_aws_codes() {
        assert_eq!(
            observed(false, &Probe::Mismatch(404)).reason.as_deref(),
            Some("Target.ResponseCodeMismatch")
        );
        assert_eq!(
            observed(false, &Probe::Mismatch(404)).description.as_deref(),
            Some("Health checks failed with these codes: [404]")
        );
        assert_eq!(observed(false, &Probe::Timeout).reason.as_deref(), Some("Target.Timeout"));
        assert_eq!(
            observed(false, &Probe::Failed).reason.as_deref(),
            Some("Target.FailedHealthChecks")
        );
        assert_eq!(observed(true, &Probe::Pass).reason, None);
    }

    #[tokio::test]
    async fn a_refused_target_is_unhealthy_at_once_and_says_why() {
        let runtime = crate::state::TargetRuntime::new();
        let address: SocketAddr = "10.0.1.5:8080".parse().unwrap();
        let egress = Arc::new(EgressPolicy::loopback_only());
        let disabled = HealthCheck { enabled: false, ..HealthCheck::default() };
        run(disabled, address, runtime.clone(), egress).await;
        let seen = runtime.observed().unwrap();
        assert_eq!(seen.state, HealthState::Unhealthy);
        assert_eq!(seen.reason.as_deref(), Some("Target.FailedHealthChecks"));
        assert_eq!(
            seen.description.as_deref(),
            Some(
                "vpclab does not connect to 10.0.1.5:8080: the address is outside \
                 --egress-allow (loopback only by default)"
            )
        );
        assert!(!runtime.routable());

        // A check on another port names the address it would have dialled.
        let runtime = crate::state::TargetRuntime::new();
        let other_port = HealthCheck { port: Some(9000), ..HealthCheck::default() };
        run(other_port, address, runtime.clone(), Arc::new(EgressPolicy::loopback_only())).await;
        let description = runtime.observed().unwrap().description.unwrap();
        assert!(
            description.starts_with("vpclab does not connect to 10.0.1.5:9000: "),
            "{description}"
        );
    }
}
