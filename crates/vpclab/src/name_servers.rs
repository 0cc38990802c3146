//! Wiring of the DNS data plane: after every committed change (and every few seconds, for the
//! health of load balancers that alias records evaluate) the model's Route 53 resources are
//! translated and applied to the plane; GetHealthCheckStatus reads what its probes saw, and
//! TestDNSAnswer asks the plane's engine.

use api::Api;
use api::route53::{DnsAnswer, DnsAnswerer, DnsQuestion, HealthCheckObserver, Observation};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

/// How often load balancer health is looked at again for alias records, between changes.
const BALANCER_HEALTH_POLL: Duration = Duration::from_secs(2);

/// Starts the DNS plane for `site` on a runtime thread of its own and keeps it in step with
/// `api`'s state; `balancers` answers whether a load balancer has a healthy target.
pub fn start(
    api: Arc<Api>,
    site: dns::from_model::Site,
    balancers: Arc<lb::Plane>,
) -> anyhow::Result<Arc<dns::Plane>> {
    let plane = dns::Plane::new();
    api.set_health_check_observer(Arc::new(Probes(plane.health())));
    api.set_dns_answerer(Arc::new(Engine(plane.clone())));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("vpclab-dns")
        .enable_all()
        .build()?;
    let running = plane.clone();
    std::thread::Builder::new()
        .name("vpclab-dns-reconcile".into())
        .spawn(move || runtime.block_on(reconcile(api, site, running, balancers)))?;
    Ok(plane)
}

async fn reconcile(
    api: Arc<Api>,
    site: dns::from_model::Site,
    plane: Arc<dns::Plane>,
    balancers: Arc<lb::Plane>,
) {
    let mut changes = api.subscribe();
    let mut applied: Option<dns::Config> = None;
    // Between commits only load balancer health can change the answers: the model is translated
    // again only after a commit or when that health changed, not on every poll.
    let mut committed = true;
    let mut last_healthy: Option<HashSet<String>> = None;
    loop {
        let now = wire::time::Timestamp::now().0;
        let healthy = api.read(|w| healthy_balancers(w, &balancers, now)).await;
        if committed || last_healthy.as_ref() != Some(&healthy) {
            let config = api
                .read(|w| dns::from_model::translate(w, &site, &|b| healthy.contains(&b.arn)))
                .await;
            if applied.as_ref() != Some(&config) {
                for problem in plane.apply(config.clone()).await {
                    eprintln!("dns: {problem}");
                }
                applied = Some(config);
            }
            last_healthy = Some(healthy);
        }
        tokio::select! {
            changed = changes.changed() => {
                if changed.is_err() { return }
                committed = true;
            }
            () = tokio::time::sleep(BALANCER_HEALTH_POLL) => committed = false,
        }
    }
}

/// The load balancers with at least one target their health checks find healthy.
fn healthy_balancers(world: &model::World, plane: &lb::Plane, now: i64) -> HashSet<String> {
    let mut out = HashSet::new();
    for group in world.target_groups.values() {
        let healthy = group.live_targets(now).any(|t| {
            plane
                .target_health(&group.arn, &t.id, t.port)
                .is_some_and(|seen| seen.state == lb::HealthState::Healthy)
        });
        if healthy {
            out.extend(world.load_balancers_of_target_group(&group.arn));
        }
    }
    out
}

/// GetHealthCheckStatus's view of the plane's probes. One local checker stands for Route 53's
/// checkers in every region: it reports as `us-east-1`, from this machine's loopback address.
struct Probes(dns::HealthView);

impl Probes {
    fn observation(report: &dns::Report) -> Observation {
        let since_epoch = report.checked.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        Observation {
            ip_address: Some("127.0.0.1".into()),
            region: Some("us-east-1".into()),
            status: report.status.clone(),
            checked_at: i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX),
        }
    }
}

impl HealthCheckObserver for Probes {
    fn status(&self, health_check_id: &str) -> Vec<Observation> {
        let status = self.0.status(health_check_id);
        status.and_then(|s| s.reports.first().map(Self::observation)).into_iter().collect()
    }

    fn last_failures(&self, health_check_id: &str) -> Vec<Observation> {
        let status = self.0.status(health_check_id);
        status.and_then(|s| s.last_failure.as_ref().map(Self::observation)).into_iter().collect()
    }
}

/// TestDNSAnswer's name server: the plane's public view, asked as over UDP.
struct Engine(Arc<dns::Plane>);

impl DnsAnswerer for Engine {
    fn answer(&self, q: &DnsQuestion) -> DnsAnswer {
        let qtype = dns::wire::rtype::parse(&q.rtype);
        let seen = qtype.and_then(|t| {
            self.0.test_answer(&q.zone_origin, &q.name, t, q.resolver, q.client_subnet)
        });
        match seen {
            Some(a) => DnsAnswer {
                response_code: dns::wire::rcode::name(a.rcode)
                    .map_or_else(|| a.rcode.to_string(), str::to_owned),
                record_data: a.records.iter().map(ToString::to_string).collect(),
                protocol: if a.tcp { "TCP" } else { "UDP" }.into(),
            },
            // A name or type the query could not carry (the API checked both first).
            None => DnsAnswer {
                response_code: "FORMERR".into(),
                record_data: vec![],
                protocol: "UDP".into(),
            },
        }
    }
}

/// The DNS listeners as `GET /_vpclab/endpoints` lists them.
pub fn endpoints_json(plane: &dns::Plane) -> Vec<serde_json::Value> {
    plane
        .listeners()
        .into_iter()
        .map(|e| {
            let mut entry = serde_json::json!({
                "kind": "dns",
                "view": if e.view == "public" { "public" } else { "vpc" },
                "address": e.address.ip().to_string(),
                "port": e.address.port(),
                "protocols": ["udp", "tcp"],
            });
            if let (true, Some(map)) = (e.view != "public", entry.as_object_mut()) {
                map.insert("vpc_id".into(), e.view.clone().into());
            }
            entry
        })
        .collect()
}
