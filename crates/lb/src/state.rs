//! What the plane serves right now: one immutable [`Snapshot`] per [`crate::Plane::apply`],
//! plus the per-target runtime state ([`TargetRuntime`]: health, requests in flight) that lives
//! on from one snapshot to the next, and [`Shared`], what every listener's serving tasks hold:
//! the snapshot being served, the serving threads, the egress policy and the limits.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use guard::egress::EgressPolicy;
use guard::limits::Limits;
use tokio::sync::watch;

use crate::config::{
    Action, Algorithm, Balancer, Config, Kind, Listener, Protocol, Target, TargetGroup,
};

/// A target's health as the checks have seen it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HealthState {
    /// Passing its health checks; receives traffic.
    Healthy,
    /// Failing them; receives no new traffic unless no target of its group is healthy.
    Unhealthy,
    /// Health checks are disabled for its group (`Target.HealthCheckDisabled`); routable.
    Unavailable,
}

impl HealthState {
    /// The state as `DescribeTargetHealth` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            HealthState::Healthy => "healthy",
            HealthState::Unhealthy => "unhealthy",
            HealthState::Unavailable => "unavailable",
        }
    }
}

/// What the health checks have concluded about one target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observed {
    /// Healthy, unhealthy or unavailable.
    pub state: HealthState,
    /// AWS's reason code (`Target.ResponseCodeMismatch`, `Target.Timeout`,
    /// `Target.FailedHealthChecks`, `Target.HealthCheckDisabled`); `None` when healthy.
    pub reason: Option<String>,
    /// AWS-style description (`Health checks failed with these codes: [404]`).
    pub description: Option<String>,
}

const INITIAL: u8 = 0;
const HEALTHY: u8 = 1;
const UNHEALTHY: u8 = 2;
const UNAVAILABLE: u8 = 3;

/// Identifies a target's runtime state across applies: group, id, port and where it lives.
pub type TargetKey = (String, String, u16, SocketAddr);

/// Per-target state that outlives snapshots.
#[derive(Debug)]
pub struct TargetRuntime {
    state: AtomicU8,
    observed: Mutex<Option<Observed>>,
    /// When it last became healthy (slow start).
    healthy_since: Mutex<Option<Instant>>,
    /// Requests (ALB) or connections (NLB) in flight.
    pub inflight: AtomicUsize,
    /// Flips to `true` when the target leaves the configuration: its connections close.
    closed: watch::Sender<bool>,
}

impl TargetRuntime {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(TargetRuntime {
            state: AtomicU8::new(INITIAL),
            observed: Mutex::new(None),
            healthy_since: Mutex::new(None),
            inflight: AtomicUsize::new(0),
            closed: watch::channel(false).0,
        })
    }

    /// Records a verdict of the health checks.
    pub fn set_observed(&self, observed: Observed) {
        let code = match observed.state {
            HealthState::Healthy => HEALTHY,
            HealthState::Unhealthy => UNHEALTHY,
            HealthState::Unavailable => UNAVAILABLE,
        };
        let before = self.state.swap(code, Ordering::AcqRel);
        if code == HEALTHY
            && before != HEALTHY
            && let Ok(mut since) = self.healthy_since.lock()
        {
            // Slow start counts from here; a target alone in its group still gets all
            // the traffic (`GroupState::pick` falls back to it).
            *since = Some(Instant::now());
        }
        if let Ok(mut slot) = self.observed.lock() {
            *slot = Some(observed);
        }
    }

    /// The last verdict, `None` before the first.
    pub fn observed(&self) -> Option<Observed> {
        self.observed.lock().ok().and_then(|o| o.clone())
    }

    /// Healthy, or not checked: may receive traffic.
    pub fn routable(&self) -> bool {
        matches!(self.state.load(Ordering::Acquire), HEALTHY | UNAVAILABLE)
    }

    /// The share of traffic a target in slow start gets, 0.0–1.0.
    fn slow_start_share(&self, slow_start: Duration) -> f64 {
        if slow_start.is_zero() {
            return 1.0;
        }
        let since = self.healthy_since.lock().ok().and_then(|s| *s);
        match since {
            Some(t) => (t.elapsed().as_secs_f64() / slow_start.as_secs_f64()).min(1.0),
            None => 1.0,
        }
    }

    /// A receiver that sees `true` once the target is gone from the configuration.
    pub fn closed(&self) -> watch::Receiver<bool> {
        self.closed.subscribe()
    }

    pub(crate) fn close(&self) {
        self.closed.send_replace(true);
    }
}

/// One target of a group in a snapshot.
#[derive(Debug)]
pub struct Member {
    /// As configured.
    pub target: Target,
    /// Its lasting state.
    pub runtime: Arc<TargetRuntime>,
    /// The opaque value of the stickiness cookies that name it.
    pub token: String,
}

/// A target group in a snapshot.
#[derive(Debug)]
pub struct GroupState {
    /// As configured (the targets are in `members`).
    pub config: TargetGroup,
    /// Its targets.
    pub members: Vec<Member>,
    /// The opaque value of the group stickiness cookie that names it.
    pub token: String,
    next: AtomicUsize,
}

/// A listener in a snapshot, with what it needs of its balancer.
#[derive(Debug)]
pub struct ListenerState {
    /// The balancer's ARN.
    pub balancer_arn: String,
    /// The balancer's name.
    pub balancer_name: String,
    /// The balancer's DNS name.
    pub dns_name: String,
    /// Application, network…
    pub kind: Kind,
    /// The balancer's idle timeout.
    pub idle_timeout: Duration,
    /// The listener, rules sorted by priority.
    pub listener: Listener,
}

/// Everything one apply published.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Listeners by ARN.
    pub listeners: HashMap<String, Arc<ListenerState>>,
    /// Target groups by ARN.
    pub groups: HashMap<String, Arc<GroupState>>,
    /// Lower-cased DNS name → the listener that `serve_by_host` uses.
    pub by_host: HashMap<String, String>,
    /// Every target's runtime, by key.
    pub runtimes: HashMap<TargetKey, Arc<TargetRuntime>>,
}

impl Snapshot {
    /// Builds the snapshot of `config`, keeping the runtime state of targets `previous` had.
    pub fn build(config: &Config, previous: &Snapshot) -> Snapshot {
        let mut snapshot = Snapshot::default();
        for (arn, group) in &config.target_groups {
            let members = group
                .targets
                .iter()
                .map(|t| {
                    let key = (arn.clone(), t.id.clone(), t.port, t.address);
                    let runtime =
                        previous.runtimes.get(&key).cloned().unwrap_or_else(TargetRuntime::new);
                    snapshot.runtimes.insert(key, runtime.clone());
                    let token = format!("{:016x}", fnv64(&[arn, &t.id, &t.port.to_string()]));
                    Member { target: t.clone(), runtime, token }
                })
                .collect();
            let config = TargetGroup { targets: Vec::new(), ..group.clone() };
            let state = GroupState {
                config,
                members,
                token: format!("{:016x}", fnv64(&[arn])),
                next: AtomicUsize::new(0),
            };
            snapshot.groups.insert(arn.clone(), Arc::new(state));
        }
        for balancer in &config.balancers {
            for listener in &balancer.listeners {
                let mut listener = listener.clone();
                listener.rules.sort_by_key(|r| r.priority);
                snapshot
                    .listeners
                    .insert(listener.arn.clone(), Arc::new(listener_state(balancer, listener)));
            }
            if let Some(arn) = host_listener(balancer) {
                snapshot.by_host.insert(balancer.dns_name.to_ascii_lowercase(), arn);
            }
        }
        snapshot
    }

    /// Target groups some listener forwards to (their targets are health checked).
    pub fn groups_in_use(&self) -> Vec<String> {
        let mut used: Vec<String> = Vec::new();
        for l in self.listeners.values() {
            if l.kind == Kind::Gateway {
                continue;
            }
            let actions = l.listener.rules.iter().flat_map(|r| &r.actions);
            for action in l.listener.default_actions.iter().chain(actions) {
                if let Action::Forward { groups, .. } = action {
                    used.extend(groups.iter().map(|(arn, _)| arn.clone()));
                }
            }
        }
        used.sort();
        used.dedup();
        used
    }
}

/// What the serving tasks share: the current snapshot, the serving threads and the egress
/// policy every connection to a target asks.
#[derive(Debug)]
pub struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    pub(crate) egress: Arc<EgressPolicy>,
    /// See [`crate::Options::workers`]; `next_worker` takes turns among them.
    workers: Vec<tokio::runtime::Handle>,
    next_worker: AtomicUsize,
    /// See [`crate::Options::limits`].
    pub(crate) limits: Limits,
    /// See [`crate::Options::udp_idle_timeout`].
    pub(crate) udp_idle_timeout: Duration,
}

impl Shared {
    /// Serving an empty snapshot.
    pub(crate) fn new(
        egress: Arc<EgressPolicy>,
        workers: Vec<tokio::runtime::Handle>,
        limits: Limits,
        udp_idle_timeout: Duration,
    ) -> Shared {
        Shared {
            snapshot: RwLock::new(Arc::new(Snapshot::default())),
            egress,
            workers,
            next_worker: AtomicUsize::new(0),
            limits,
            udp_idle_timeout,
        }
    }

    /// The snapshot being served.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        match self.snapshot.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Serves `snapshot` from now on.
    pub(crate) fn publish(&self, snapshot: Arc<Snapshot>) {
        match self.snapshot.write() {
            Ok(mut s) => *s = snapshot,
            Err(poisoned) => *poisoned.into_inner() = snapshot,
        }
    }

    /// The serving thread whose turn it is; `None` when there are none (connections are
    /// served on the runtime that accepts them).
    pub(crate) fn next_worker(&self) -> Option<tokio::runtime::Handle> {
        let turn = self.next_worker.fetch_add(1, Ordering::Relaxed);
        self.workers.get(turn % self.workers.len().max(1)).cloned()
    }
}

fn listener_state(balancer: &Balancer, listener: Listener) -> ListenerState {
    ListenerState {
        balancer_arn: balancer.arn.clone(),
        balancer_name: balancer.name.clone(),
        dns_name: balancer.dns_name.clone(),
        kind: balancer.kind,
        idle_timeout: balancer.idle_timeout,
        listener,
    }
}

/// The listener a request to the balancer's DNS name through vpclab's own port reaches: its
/// HTTP listener on port 80, else its first HTTP listener.
fn host_listener(balancer: &Balancer) -> Option<String> {
    if balancer.kind != Kind::Application {
        return None;
    }
    let http = || balancer.listeners.iter().filter(|l| l.protocol == Protocol::Http);
    http().find(|l| l.port == 80).or_else(|| http().next()).map(|l| l.arn.clone())
}

/// Why a group gave no target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoTarget {
    /// No registered (non-draining) target at all.
    Empty,
}

impl GroupState {
    /// The member a sticky cookie names, if it may still receive traffic.
    pub fn sticky(&self, token: &str) -> Option<&Member> {
        let any_healthy = self.any_routable();
        self.members.iter().find(|m| {
            m.token == token && !m.target.draining && (m.runtime.routable() || !any_healthy)
        })
    }

    fn any_routable(&self) -> bool {
        self.members.iter().any(|m| !m.target.draining && m.runtime.routable())
    }

    /// Picks a target for a new request with the group's algorithm (ALB). Only healthy,
    /// non-draining targets; when none is healthy, any non-draining one (AWS fails open).
    pub fn pick(&self) -> Result<&Member, NoTarget> {
        let any_healthy = self.any_routable();
        let eligible = |m: &Member| !m.target.draining && (m.runtime.routable() || !any_healthy);
        let n = self.members.len();
        if n == 0 || !self.members.iter().any(eligible) {
            return Err(NoTarget::Empty);
        }
        let start = match self.config.algorithm {
            Algorithm::WeightedRandom => random() as usize % n,
            _ => self.next.fetch_add(1, Ordering::Relaxed) % n,
        };
        let rotated = (0..n).filter_map(|i| self.members.get((start + i) % n));
        if self.config.algorithm == Algorithm::LeastOutstandingRequests {
            return rotated
                .filter(|m| eligible(m))
                .min_by_key(|m| m.runtime.inflight.load(Ordering::Relaxed))
                .ok_or(NoTarget::Empty);
        }
        let mut first = None;
        for m in rotated.filter(|m| eligible(m)) {
            first.get_or_insert(m);
            let share = m.runtime.slow_start_share(self.config.slow_start);
            if share >= 1.0 || unit_random() < share {
                return Ok(m);
            }
        }
        first.ok_or(NoTarget::Empty)
    }

    /// Picks a target for a new flow (NLB) by its hash: one flow, one target, as long as the
    /// set of healthy targets stays the same.
    pub fn pick_by_hash(&self, hash: u64) -> Result<&Member, NoTarget> {
        let any_healthy = self.any_routable();
        let eligible = |m: &&Member| !m.target.draining && (m.runtime.routable() || !any_healthy);
        let count = self.members.iter().filter(eligible).count();
        if count == 0 {
            return Err(NoTarget::Empty);
        }
        let index = (hash % count as u64) as usize;
        self.members.iter().filter(eligible).nth(index).ok_or(NoTarget::Empty)
    }
}

/// FNV-1a over parts separated by a zero byte.
pub fn fnv64(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

static SEED: AtomicU64 = AtomicU64::new(0);

/// A fast non-cryptographic random number (splitmix64 over a shared counter).
pub fn random() -> u64 {
    let mut seed = SEED.load(Ordering::Relaxed);
    if seed == 0 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64);
        let _ = SEED.compare_exchange(0, nanos | 1, Ordering::Relaxed, Ordering::Relaxed);
        seed = SEED.load(Ordering::Relaxed);
    }
    let mut z = SEED.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed).wrapping_add(seed);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A random number in [0, 1).
pub fn unit_random() -> f64 {
    (random() >> 11) as f64 / (1u64 << 53) as f64
}
