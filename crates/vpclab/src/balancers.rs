//! Wiring of the load balancer data plane: after every committed change (and when a draining
//! target's delay ends) the model's ELBv2 resources are translated and applied to the plane;
//! DescribeTargetHealth reads what the plane's health checks saw.

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
pub fn start(api: Arc<Api>, options: lb::Options) -> Arc<lb::Plane> {
    let plane = lb::Plane::new(options);
    api.set_target_health_source(Arc::new(PlaneHealth(plane.clone())));
    tokio::spawn(reconcile(api, plane.clone()));
    plane
}

async fn reconcile(api: Arc<Api>, plane: Arc<lb::Plane>) {
    let mut changes = api.subscribe();
    let mut applied: Option<lb::Config> = None;
    loop {
        let now = wire::time::Timestamp::now().0;
        let translation = api.read(|w| lb::from_model::translate(w, now));
        if applied.as_ref() != Some(&translation.config) {
            plane.apply(translation.config.clone()).await;
            applied = Some(translation.config);
        }
        // Wait for the next change, or for the next draining target to be done.
        let drained = translation.next_change.map(|at| {
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
                "protocol": e.protocol.as_str(),
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
