//! Wiring of the DNS data plane: after every committed change (and every few seconds, for the
//! health of load balancers that alias records evaluate) the model's Route 53 resources are
//! translated and applied to the plane; GetHealthCheckStatus reads what its probes saw, and
//! TestDNSAnswer asks the plane's engine.
//!
//! The translation follows what changed, not the size of the world: the zones are translated
//! again only when rows of the kinds they are made of changed (or load balancer health did),
//! the views only when VPCs, zones or Resolver rules did — and since only VPCs with names of
//! their own have views, a new account's default VPC costs a set lookup, not a listener.

use api::Api;
use api::route53::{DnsAnswer, DnsAnswerer, DnsQuestion, HealthCheckObserver, Observation};
use dns::from_model::{self, SHARED_RESOLVER};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

/// How often load balancer health is looked at again for alias records, between changes.
const BALANCER_HEALTH_POLL: Duration = Duration::from_secs(2);

/// Starts the DNS plane for `site` on a runtime thread of its own and keeps it in step with
/// `api`'s state; `balancers` answers whether a load balancer has a healthy target. Health
/// checks and forwarded queries go only where `egress` allows.
pub fn start(
    api: Arc<Api>,
    site: from_model::Site,
    balancers: Arc<lb::Plane>,
    egress: Arc<guard::egress::EgressPolicy>,
    limits: guard::limits::Limits,
) -> anyhow::Result<Arc<dns::Plane>> {
    let plane = dns::Plane::with(egress, limits);
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

/// What the applied configuration was translated from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamps {
    zones: u64,
    views: u64,
    healthy: HashSet<String>,
}

async fn reconcile(
    api: Arc<Api>,
    site: from_model::Site,
    plane: Arc<dns::Plane>,
    balancers: Arc<lb::Plane>,
) {
    let mut changes = api.subscribe();
    let mut applied = dns::Config::default();
    let mut seen: Option<Stamps> = None;
    loop {
        let now = wire::time::Timestamp::now().0;
        let healthy = api.read(|w| healthy_balancers(w, &balancers, now)).await;
        // Stamps and translation under one read, so the translation is of exactly that state.
        let (stamps, zones, views) = api
            .read(|w| {
                let stamps = Stamps {
                    zones: w.stamp(from_model::ZONE_KINDS),
                    views: w.stamp(from_model::VIEW_KINDS),
                    healthy,
                };
                let last = seen.as_ref();
                let zones_stale =
                    last.is_none_or(|s| s.zones != stamps.zones || s.healthy != stamps.healthy);
                let views_stale = zones_stale || last.is_none_or(|s| s.views != stamps.views);
                let zones = zones_stale.then(|| {
                    from_model::translate_zones(w, &site, &|b| stamps.healthy.contains(&b.arn))
                });
                let views = views_stale.then(|| from_model::views(w, &site, &applied.views));
                (stamps, zones, views)
            })
            .await;
        seen = Some(stamps);
        let next = match (zones, views) {
            (Some(zones), views) => Some(dns::Config { views: views.unwrap_or_default(), ..zones }),
            (None, Some(views)) if views != applied.views => {
                Some(dns::Config { views, ..applied.clone() })
            }
            (None, _) => None,
        };
        if let Some(config) = next.filter(|c| *c != applied) {
            for problem in plane.apply(config.clone()).await {
                eprintln!("dns: {}", crate::log_text::escape(&problem.to_string()));
            }
            applied = config;
        }
        tokio::select! {
            changed = changes.changed() => if changed.is_err() { return },
            () = tokio::time::sleep(BALANCER_HEALTH_POLL) => {}
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

/// The DNS listeners as `GET /_vpclab/endpoints` lists them: the public view, then each VPC
/// with DNS support and the port its resolver answers on — its own, or the shared one
/// (`"shared": true`). A VPC whose own listener is still opening is left out until it listens.
pub async fn endpoints_json(plane: &dns::Plane, api: &Api) -> Vec<serde_json::Value> {
    let listening: HashMap<String, std::net::SocketAddr> =
        plane.listeners().into_iter().map(|e| (e.view, e.address)).collect();
    let mut out = Vec::new();
    if let Some(address) = listening.get("public") {
        out.push(serde_json::json!({
            "kind": "dns",
            "view": "public",
            "address": address.ip().to_string(),
            "port": address.port(),
            "protocols": ["udp", "tcp"],
        }));
    }
    let shared = listening.get(SHARED_RESOLVER);
    api.read(|w| {
        let own_names = from_model::vpcs_with_private_names(w);
        for vpc in w.vpcs.values().filter(|v| v.enable_dns_support) {
            let (address, is_shared) = match listening.get(&vpc.id) {
                Some(own) => (own, false),
                None if own_names.contains(&vpc.id) => continue,
                None => match shared {
                    Some(shared) => (shared, true),
                    None => continue,
                },
            };
            out.push(serde_json::json!({
                "kind": "dns",
                "view": "vpc",
                "vpc_id": vpc.id,
                "address": address.ip().to_string(),
                "port": address.port(),
                "protocols": ["udp", "tcp"],
                "shared": is_shared,
            }));
        }
    })
    .await;
    out
}
