#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]
//! The AWS services vpclab answers, over one shared [`model::World`].
//!
//! [`Api`] owns the world (behind a read/write lock) and the [`store::Store`]. A request arrives
//! as a [`Request`]: the service, the caller's [`Scope`] and the decoded parameters. The service
//! module (one per AWS service: [`ec2`], [`sts`], [`direct_connect`], [`elbv2`], [`route53`],
//! [`route53_resolver`]) finds the operation's handler, which reads its
//! generated request shape, calls the model and returns the generated response shape.
//!
//! [`registry`] is the one request path the services are moving onto: a registry per service
//! maps operation names to typed handlers; it decodes outside the lock, runs the handler under
//! [`Api::read`] or [`Api::mutate`], and renders once the lock is released. EC2 and Direct
//! Connect use it; ELBv2, Route 53 and Route 53 Resolver still dispatch by `match`.
//!
//! [`flow_delivery`] writes VPC flow log records (made by the semantics engine) to files laid out
//! as AWS lays out its S3 objects and CloudWatch log streams.
//!
//! Before any handler runs, [`Api::handle`] admits the caller's account: one the server holds,
//! or a new one while fewer than `--max-accounts` are held (else the service's error for an
//! unknown access key); an account's first call in a region sets that region up with its
//! default VPC. Handlers see only the caller's resources (the model's lookups are by scope)
//! but for AWS's cross-account mechanisms.
//!
//! Handlers that change state run under the write lock; the rows they changed are queued to the
//! store before the lock is released and the reply waits until the store says they are on disk.
//! A handler that fails — or panics — has its changes rolled back, so the world is never left
//! half-changed; a change the store cannot make durable is rolled back too, with every change
//! made after it, and readers never see a change before it is durable (module `commit`).

mod commit;
pub mod direct_connect;
pub mod ec2;
pub mod elbv2;
pub mod flow_delivery;
pub mod inbound;
pub mod reach;
pub mod registry;
mod rooms;
pub mod route53;
pub mod route53_resolver;
pub mod sts;
pub mod trace;
pub mod traffic;

use codes::{Code, Ec2, Protocol};
use model::{Scope, World};
use parking_lot::RwLock;
use std::sync::Arc;
use store::Store;
use wire::{ApiError, ErrorFormat, QueryMap};

/// The account used when the access key does not name one.
pub const DEFAULT_ACCOUNT: &str = "123456789012";
/// The region used when a request carries no credential scope.
pub const DEFAULT_REGION: &str = "us-east-1";
/// The most accounts a server holds unless `--max-accounts` says otherwise: each costs a
/// default VPC in every region it calls, kept until reset.
pub const DEFAULT_MAX_ACCOUNTS: usize = 100;

/// The services vpclab routes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Ec2,
    Sts,
    /// AWS Direct Connect (awsJson 1.1, routed by `X-Amz-Target`).
    DirectConnect,
    /// Elastic Load Balancing v2 (awsQuery, signing name `elasticloadbalancing`).
    Elbv2,
    /// Route 53 (restXml, signing name `route53`): global, routed by method and path.
    Route53,
    /// Route 53 Resolver (awsJson 1.1, routed by `X-Amz-Target`; regional).
    Route53Resolver,
}

impl Service {
    /// The service named by a SigV4 credential scope.
    pub fn from_signing_name(name: &str) -> Option<Self> {
        match name {
            "ec2" => Some(Service::Ec2),
            "sts" => Some(Service::Sts),
            "directconnect" => Some(Service::DirectConnect),
            "elasticloadbalancing" => Some(Service::Elbv2),
            "route53" => Some(Service::Route53),
            "route53resolver" => Some(Service::Route53Resolver),
            _ => None,
        }
    }

    /// What the service answers a request whose access key it does not know (as SigV4
    /// verification does: EC2's `AuthFailure` 401, awsQuery/restXml `InvalidClientTokenId` 403,
    /// awsJson `UnrecognizedClientException`), with `detail` after AWS's message.
    pub fn unknown_access_key(self, detail: &str) -> ApiError {
        let mut error = wire::sigv4::AuthFailure::UnknownKey.to_api_error(self.error_format());
        error.message = format!("{}: {detail}", error.message.trim_end_matches('.'));
        error
    }

    pub fn error_format(self) -> ErrorFormat {
        match self {
            Service::Ec2 => ErrorFormat::Ec2,
            Service::Sts => ErrorFormat::Query { xmlns: sts::XMLNS },
            Service::DirectConnect => ErrorFormat::Json,
            Service::Elbv2 => ErrorFormat::Query { xmlns: elbv2::XMLNS },
            Service::Route53 => ErrorFormat::RestXml { xmlns: route53::XMLNS },
            Service::Route53Resolver => ErrorFormat::Json,
        }
    }
}

/// One decoded request.
#[derive(Debug)]
pub struct Request {
    pub service: Service,
    pub scope: Scope,
    pub request_id: String,
    /// The form parameters (query protocols); empty for JSON protocols.
    pub params: QueryMap,
    /// `X-Amz-Target` (JSON protocols: `OvertureService.CreateConnection`).
    pub target: Option<String>,
    /// The raw body of a JSON or restXml request; empty for query protocols.
    pub body: Vec<u8>,
    /// The HTTP method, path and headers, which restXml reads; the others ignore them.
    pub http: Http,
}

impl Request {
    /// Whether the operation only reads: for the services on a [`registry`] (EC2, Direct
    /// Connect, ELBv2, Route 53 Resolver, Route 53 — a path no Route 53 operation is addressed
    /// by reads when it is a `GET`), whether its handler is a reader; STS.
    pub fn only_reads(&self) -> bool {
        let operation = || self.target.as_deref().and_then(|t| t.split('.').next_back());
        match self.service {
            Service::Ec2 => self.params.action().is_some_and(ec2::is_read),
            Service::DirectConnect => operation().is_some_and(direct_connect::is_read),
            Service::Elbv2 => self.params.action().is_some_and(elbv2::is_read),
            Service::Route53 => route53::is_read(&self.http.method, &self.http.path),
            Service::Route53Resolver => operation().is_some_and(route53_resolver::is_read),
            Service::Sts => true,
        }
    }
}

/// The parts of the HTTP request that restXml routes and reads by.
#[derive(Debug, Clone, Default)]
pub struct Http {
    /// `GET`, `POST`, `DELETE`…
    pub method: String,
    /// The path, still percent-encoded, without the query string.
    pub path: String,
    pub headers: Vec<(String, String)>,
}

/// What goes back on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    /// Headers beyond the content type (restXml's `Location` on creates).
    pub headers: Vec<(&'static str, String)>,
    /// The error code of a refusal (what the server's log looks at), `None` for an answer.
    pub error_code: Option<Code>,
}

impl Reply {
    /// A 200 answer with no extra headers.
    pub fn ok(content_type: &'static str, body: String) -> Self {
        Reply { status: 200, content_type, body, headers: Vec::new(), error_code: None }
    }

    pub fn error(err: &ApiError, format: ErrorFormat, request_id: &str) -> Self {
        Reply {
            status: err.status,
            content_type: format.content_type(),
            body: err.render(format, request_id),
            headers: Vec::new(),
            error_code: Some(err.code),
        }
    }
}

/// The content type of awsJson 1.1 bodies.
pub const JSON_CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// An awsJson 1.1 request (Direct Connect, Route 53 Resolver): the operation its
/// `X-Amz-Target` (`<prefix>.<Operation>`) names among the generated `operations`, and its
/// parsed body. An unknown target is `UnknownOperationException`, naming `service`.
pub(crate) fn json_operation<'a>(
    request: &'a Request,
    prefix: &str,
    operations: &[(&str, &str, &str)],
    service: &str,
) -> Result<(&'a str, wire::json::Value), ApiError> {
    let target = request.target.as_deref().unwrap_or_default();
    let op = target
        .strip_prefix(prefix)
        .and_then(|t| t.strip_prefix('.'))
        .filter(|op| operations.iter().any(|(name, ..)| name == op))
        .ok_or_else(|| {
            ApiError::client(
                Protocol::UnknownOperationException,
                format!("The operation '{target}' is not an operation of {service}."),
            )
        })?;
    Ok((op, wire::json::parse_body(&request.body)?))
}

/// An awsJson 1.1 answer.
pub(crate) fn json_reply(value: &impl std::fmt::Display) -> Reply {
    Reply::ok(JSON_CONTENT_TYPE, value.to_string())
}

/// Converts model errors for the wire, keeping AWS's code.
pub fn from_model(e: model::Error) -> ApiError {
    if let Some(quota) = e.quota {
        eprintln!(
            "{}: a default AWS quota ({quota}) refused the call; raise it with \
             `vpclab serve --quota {quota}=N`, or all quotas with `--raised-quotas`",
            e.code
        );
    }
    ApiError::new(e.code, status_of(e.code), e.message)
}

/// The HTTP status AWS answers an error code with: the one the service's model declares
/// (Route 53's 404s and 409s, ELBv2's 500s), EC2's own for the few EC2 codes that are not a
/// 400 (EC2's model declares none), else 400. The code's service picks the table, so a code two
/// models declare with different statuses (`PriorRequestNotComplete`) cannot be confused.
pub fn status_of(code: Code) -> u16 {
    let declared = |errors: &[(&str, u16)], code: &str| {
        errors.iter().find(|(declared, _)| *declared == code).map_or(400, |(_, status)| *status)
    };
    match code {
        Code::Ec2(Ec2::AuthFailure) | Code::Protocol(Protocol::AuthFailure) => 403,
        Code::Protocol(Protocol::DryRunOperation) => 412,
        Code::Ec2(Ec2::InternalError) | Code::Protocol(Protocol::InternalError) => 500,
        Code::Ec2(_) | Code::Protocol(_) => 400,
        Code::Elbv2(c) => declared(shapes::elbv2::ERRORS, c.as_str()),
        Code::DirectConnect(c) => declared(shapes::direct_connect::ERRORS, c.as_str()),
        Code::Route53(c) => declared(shapes::route53::ERRORS, c.as_str()),
        Code::Route53Resolver(c) => declared(shapes::route53_resolver::ERRORS, c.as_str()),
    }
}

/// A handler's failure: either already a wire error or a model error to convert.
#[derive(Debug)]
pub struct Fail(pub ApiError);

impl From<model::Error> for Fail {
    fn from(e: model::Error) -> Self {
        Fail(from_model(e))
    }
}

impl From<ApiError> for Fail {
    fn from(e: ApiError) -> Self {
        Fail(e)
    }
}

pub type Outcome<T> = Result<T, Fail>;

/// The services and the state they share.
#[derive(Debug)]
pub struct Api {
    /// The world, its changes in flight and the store.
    core: Arc<commit::Core>,
    /// The semantics engine's lookups for the current world.
    network_index: Arc<netsem::index::Cache>,
    /// What the live load balancers observe about targets (wired by the binary).
    target_health: RwLock<Option<Arc<dyn TargetHealthSource>>>,
    /// What the live Route 53 health check probes observe (wired by the binary).
    health_checks: RwLock<Option<Arc<dyn route53::HealthCheckObserver>>>,
    /// The DNS engine's answers to TestDNSAnswer (wired by the binary).
    dns_answerer: RwLock<Option<Arc<dyn route53::DnsAnswerer>>>,
    /// The most accounts held (`--max-accounts`); a new one beyond is refused.
    max_accounts: usize,
}

/// What the live data plane has observed about one registered target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedHealth {
    /// `healthy` or `unhealthy`.
    pub state: String,
    /// AWS's reason code (`Target.Timeout`, `Target.ResponseCodeMismatch`,
    /// `Target.FailedHealthChecks`, `Elb.InitialHealthChecking`…).
    pub reason: Option<String>,
    pub description: Option<String>,
}

/// The live data plane's health checks, as DescribeTargetHealth reports them. The api crate
/// probes nothing itself: without a source, a target in use stays `initial`.
pub trait TargetHealthSource: Send + Sync {
    /// The latest observation of `target_id` on `port` in the target group, if any.
    fn observe(&self, target_group_arn: &str, target_id: &str, port: u16)
    -> Option<ObservedHealth>;
}

impl std::fmt::Debug for dyn TargetHealthSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TargetHealthSource")
    }
}

impl Api {
    pub fn new(world: World, store: Store) -> Self {
        Api {
            core: commit::Core::new(world, store),
            network_index: Arc::default(),
            target_health: RwLock::new(None),
            health_checks: RwLock::new(None),
            dns_answerer: RwLock::new(None),
            max_accounts: DEFAULT_MAX_ACCOUNTS,
        }
    }

    /// Holds at most `max` accounts (`--max-accounts`). Accounts already stored keep working
    /// even when they are more.
    pub fn with_max_accounts(self, max: usize) -> Self {
        Api { max_accounts: max, ..self }
    }

    /// Wires the data plane's health observations into DescribeTargetHealth.
    pub fn set_target_health_source(&self, source: Arc<dyn TargetHealthSource>) {
        *self.target_health.write() = Some(source);
    }

    /// The data plane's observation of one target, if a source is wired and has one.
    pub fn observed_health(
        &self,
        target_group_arn: &str,
        target_id: &str,
        port: u16,
    ) -> Option<ObservedHealth> {
        let source = self.target_health.read().clone();
        source.and_then(|s| s.observe(target_group_arn, target_id, port))
    }

    /// Wires the health check probes into GetHealthCheckStatus and
    /// GetHealthCheckLastFailureReason.
    pub fn set_health_check_observer(&self, observer: Arc<dyn route53::HealthCheckObserver>) {
        *self.health_checks.write() = Some(observer);
    }

    /// The health check probes, if wired.
    pub fn health_check_observer(&self) -> Option<Arc<dyn route53::HealthCheckObserver>> {
        self.health_checks.read().clone()
    }

    /// Wires the DNS engine into TestDNSAnswer.
    pub fn set_dns_answerer(&self, answerer: Arc<dyn route53::DnsAnswerer>) {
        *self.dns_answerer.write() = Some(answerer);
    }

    /// The DNS engine, if wired.
    pub fn dns_answerer(&self) -> Option<Arc<dyn route53::DnsAnswerer>> {
        self.dns_answerer.read().clone()
    }

    /// A receiver whose value changes after every durable change and after a reset.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.core.subscribe()
    }

    /// Whether the service can accept changes.
    pub fn is_healthy(&self) -> bool {
        self.core.degraded().is_none()
    }

    /// Why changes are refused, when they are: the store could not tell whether a change
    /// reached the disk, so memory and disk may disagree until a reset or a restart.
    pub fn degraded_reason(&self) -> Option<String> {
        self.core.degraded()
    }

    pub fn store(&self) -> &Store {
        self.core.store()
    }

    /// How many changes are made in memory but not durable yet (readers wait for them).
    pub fn changes_in_flight(&self) -> usize {
        self.core.in_flight()
    }

    /// Runs `f` with read access to the world as it is durably: it waits (without blocking a
    /// thread) while changes are on their way to the disk.
    pub async fn read<T>(&self, f: impl FnOnce(&World) -> T) -> T {
        self.core.read(f).await
    }

    /// Runs `f` on the network as it is durably (the world and the engine's index of it).
    pub async fn with_network<T>(&self, f: impl FnOnce(netsem::trace::Network<'_>) -> T) -> T {
        self.core
            .read(|world| {
                let index = self.network_index.get(world);
                f(netsem::trace::Network { world, index: &index })
            })
            .await
    }

    /// The engine's index cache, for handlers that analyse the network.
    pub fn network_index(&self) -> &Arc<netsem::index::Cache> {
        &self.network_index
    }

    /// Serves one request.
    pub async fn handle(&self, mut request: Request) -> Reply {
        let format = request.service.error_format();
        if let Err(e) = self.admit(&request).await {
            return Reply::error(&e, format, &request.request_id);
        }
        let result = match request.service {
            Service::Ec2 => ec2::handle(self, &request).await,
            Service::Sts => sts::handle(&request),
            Service::DirectConnect => direct_connect::handle(self, &request).await,
            Service::Elbv2 => elbv2::handle(self, &request).await,
            Service::Route53 => route53::handle(self, &mut request).await,
            Service::Route53Resolver => route53_resolver::handle(self, &request).await,
        };
        match result {
            Ok(reply) => reply,
            Err(e) => Reply::error(&e, format, &request.request_id),
        }
    }

    /// Applies a change to the world: all of it, durably, or none of it. The answer comes
    /// once the change is on disk; a change that cannot be made durable is undone with every
    /// change made after it, and answered with `InternalError`.
    pub async fn mutate<T>(
        &self,
        f: impl FnOnce(&mut World) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        self.core.mutate(f).await
    }

    /// Drops all state, durably (`/_vpclab/reset`). When the store cannot clear its rows, the
    /// world stays as it was; when it can, a degraded server is healthy again.
    pub async fn reset(&self) -> Result<(), ApiError> {
        self.core.reset().await
    }

    /// Lets the caller in: an account the server holds, or a new one while it holds fewer
    /// than `--max-accounts`. An account's first call in a region sets the region up as AWS
    /// has it from the account's creation (its default VPC), durably — except STS's, which
    /// stores nothing. A new account beyond the cap is refused as an unknown access key and
    /// nothing is stored for it. When the set-up cannot be made durable (the store failing),
    /// a read still answers from what is stored: reads keep working whatever happens to
    /// writes.
    async fn admit(&self, request: &Request) -> Result<(), ApiError> {
        let (service, scope) = (request.service, &request.scope);
        if service == Service::Sts {
            return self.read(|w| self.check_account_cap(w, service, &scope.account)).await;
        }
        // A scope set up by a change still in flight counts: if that change fails, the one
        // that follows fails with it.
        if self.core.peek(|w| w.is_scope_initialised(scope)) {
            return Ok(());
        }
        // Against the world changes in flight included, as the set-up below will be made on it.
        self.core.peek(|w| self.check_account_cap(w, service, &scope.account))?;
        // Checked again under the write lock: another new account may have come in between.
        let set_up = self
            .mutate(|w| {
                self.check_account_cap(w, service, &scope.account)?;
                w.ensure_scope(scope).map_err(from_model)
            })
            .await;
        match set_up {
            Err(e) if !request.only_reads() => Err(e),
            Err(_) => self.read(|w| self.check_account_cap(w, service, &scope.account)).await,
            Ok(()) => Ok(()),
        }
    }

    fn check_account_cap(
        &self,
        world: &World,
        service: Service,
        account: &str,
    ) -> Result<(), ApiError> {
        let held = world.account_count();
        if world.has_account(account) || held < self.max_accounts {
            return Ok(());
        }
        Err(service.unknown_access_key(&format!(
            "the access key names account {account}, and this server already holds {held} accounts, the most --max-accounts allows."
        )))
    }
}

#[cfg(test)]
mod status_tests {
    use super::status_of;
    use codes::{Code, Ec2, Elbv2, Protocol, Route53};

    #[test]
    fn statuses_come_from_the_service_models() {
        assert_eq!(status_of(Route53::NoSuchHostedZone.into()), 404);
        assert_eq!(status_of(Route53::HostedZoneAlreadyExists.into()), 409);
        assert_eq!(status_of(Code::Protocol(Protocol::DryRunOperation)), 412);
        assert_eq!(status_of(Ec2::InvalidVpcIDNotFound.into()), 400);
        assert_eq!(status_of(Elbv2::LoadBalancerNotFound.into()), 400);
    }

    /// Every code of a service's registry that its model declares keeps the model's status.
    #[test]
    fn registries_agree_with_the_service_models() {
        for (errors, codes) in [
            (shapes::elbv2::ERRORS, Elbv2::ALL.iter().map(|c| Code::from(*c)).collect::<Vec<_>>()),
            (shapes::route53::ERRORS, Route53::ALL.iter().map(|c| Code::from(*c)).collect()),
        ] {
            for code in codes {
                if let Some((_, status)) = errors.iter().find(|(c, _)| code == *c) {
                    assert_eq!(status_of(code), *status, "{code}");
                }
            }
        }
    }
}
