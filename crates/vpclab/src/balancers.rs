//! Wiring of the load balancer data plane: after every committed change to the rows it reads
//! (`lb::from_model::KINDS`: load balancers, listeners, rules, target groups, instances and
//! their interfaces), and when a draining target's delay ends, the model's ELBv2 resources are
//! translated and applied to the plane; other changes (a new VPC, a new account) cost it a
//! stamp comparison. DescribeTargetHealth reads what the plane's health checks saw.

use api::{Api, ObservedHealth, TargetHealthSource};
use std::sync::Arc;
use std::time::Duration;

/// DescribeTargetHealth's view of the plane.
struct PlaneHealth(Arc<lb::Plane>);

impl TargetHealthSource for PlaneHealth {
    fn observe(
        &self,
        target_group_arn: &str,
        target_id: &str,
        port: u16,
    ) -> Option<ObservedHealth> {
        let seen = self.0.target_health(target_group_arn, target_id, port)?;
        Some(ObservedHealth {
            state: seen.state.as_str().to_owned(),
            reason: seen.reason,
            description: seen.description,
        })
    }
}

/// Starts the plane on `options` and keeps it in step with `api`'s state.
///
/// The plane runs on single-threaded runtimes of its own, as nginx's workers do: one applies
/// configurations, accepts and checks health; one per CPU serves HTTP connections, a request and
/// its upstream exchange staying on one thread (no cross-thread wake-ups: measured ~25% more
/// requests per second than sharing the API's multi-threaded runtime). API work never delays
/// proxying.
/// Targets are reached only where `egress` allows.
pub fn start(
    api: Arc<Api>,
    bind_ip: std::net::IpAddr,
    certificate: Option<lb::CertificatePem>,
    egress: Arc<guard::egress::EgressPolicy>,
    limits: guard::limits::Limits,
) -> anyhow::Result<Arc<lb::Plane>> {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    let mut workers = Vec::with_capacity(cpus);
    for n in 0..cpus {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        workers.push(runtime.handle().clone());
        std::thread::Builder::new()
            .name(format!("vpclab-lb-{n}"))
            .spawn(move || runtime.block_on(std::future::pending::<()>()))?;
    }
    let plane =
        lb::Plane::new(lb::Options { bind_ip, workers, egress, limits, ..lb::Options::default() });
    api.set_target_health_source(Arc::new(PlaneHealth(plane.clone())));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let running = plane.clone();
    std::thread::Builder::new()
        .name("vpclab-lb".into())
        .spawn(move || runtime.block_on(reconcile(api, running, certificate)))?;
    Ok(plane)
}

async fn reconcile(api: Arc<Api>, plane: Arc<lb::Plane>, certificate: Option<lb::CertificatePem>) {
    let mut changes = api.subscribe();
    let mut applied: Option<lb::Config> = None;
    let mut seen: Option<u64> = None;
    let mut next_change: Option<i64> = None;
    loop {
        let now = wire::time::Timestamp::now().0;
        let drained = next_change.is_some_and(|at| at <= now);
        // Only a change to the rows the translation reads (or a drain ending) can change it: the
        // stamp is read under the same lock as the translation, which follows only when needed.
        let translation = api
            .read(|w| {
                let stamp = w.stamp(lb::from_model::KINDS);
                let stale = drained || seen != Some(stamp);
                (stamp, stale.then(|| lb::from_model::translate(w, now)))
            })
            .await;
        seen = Some(translation.0);
        if let Some(mut translation) = translation.1 {
            // The user's certificate stands for whichever ACM certificate a listener names.
            let secured = translation.config.balancers.iter_mut().flat_map(|b| &mut b.listeners);
            for listener in
                secured.filter(|l| matches!(l.protocol, lb::Protocol::Https | lb::Protocol::Tls))
            {
                listener.certificate.clone_from(&certificate);
            }
            if applied.as_ref() != Some(&translation.config) {
                plane.apply(translation.config.clone()).await;
                applied = Some(translation.config);
            }
            next_change = translation.next_change;
        }
        // Wait for the next change, or for the next draining target to be done.
        let drained = next_change.map(|at| {
            Duration::from_millis(u64::try_from(at.saturating_sub(now)).unwrap_or(0) + 1)
        });
        tokio::select! {
            changed = changes.changed() => if changed.is_err() { return },
            () = tokio::time::sleep(drained.unwrap_or(Duration::from_secs(3600))) => {}
        }
    }
}

/// The listeners as `GET /_vpclab/endpoints` lists them.
pub fn endpoints_json(plane: &lb::Plane) -> Vec<serde_json::Value> {
    plane
        .endpoints()
        .into_iter()
        .map(|e| {
            let mut entry = serde_json::json!({
                "kind": "load-balancer-listener",
                "load_balancer_arn": e.load_balancer_arn,
                "load_balancer_name": e.load_balancer_name,
                "dns_name": e.dns_name,
                "listener_arn": e.listener_arn,
                "protocol": e.protocol.name(),
                "port": e.port,
                "address": e.local.to_string(),
            });
            let scheme = match e.protocol {
                lb::Protocol::Http => Some("http"),
                lb::Protocol::Https => Some("https"),
                _ => None,
            };
            if let (Some(scheme), Some(map)) = (scheme, entry.as_object_mut()) {
                map.insert("url".into(), format!("{scheme}://{}", e.local).into());
            }
            entry
        })
        .collect()
}
