//! One request path for every service: a registry per service maps operation names to small
//! typed handlers.
//!
//! A handler is an ordinary function from the generated request shape to the generated
//! response shape, `fn(&Ctx, &World, Req) -> Outcome<Res>` when it only reads and
//! `fn(&Ctx, &mut World, Req) -> Outcome<Res>` when it changes the world. [`read`] and [`write`]
//! turn it into an [`Operation`]; a service module lists its operations as
//! `handlers() -> Vec<(&'static str, Operation<P>)>` and builds one [`Registry`] from the lists.
//!
//! [`Registry::serve`] is the whole request path after routing:
//!
//! 1. the action is looked up (unknown: the service's own error, [`Registry::unknown`]);
//! 2. [`Operation::prepare`] decodes the request shape from the protocol's input ([`Decode`]),
//!    outside any lock; the service's [`Registry::check`] runs next (EC2: `DryRun`);
//! 3. the prepared [`Call`] runs under [`Api::read`] or [`Api::mutate`] and answers the
//!    response shape, type-erased as the protocol's [`Protocol::Answer`] ([`Encode`]); an
//!    operation that asks something outside the world (Route 53's TestDNSAnswer asks the DNS
//!    engine, GetHealthCheckStatus the probes) finishes after the read lock is released
//!    ([`read_then`]), one that needs no world at all takes no lock ([`unlocked`]);
//! 4. the locks released, the service's [`Registry::render`] writes the reply.
//!
//! A [`Protocol`] says what a service's requests are decoded from and what its answers are
//! written as: [`Query`] (EC2's ec2Query and awsQuery: a [`QueryMap`] in, XML out), [`Json`]
//! (awsJson: the parsed body in, JSON out) and [`RestXml`] (Route 53: a [`RestRequest`] — the
//! route's URI labels, the query string, the headers and the parsed body, owned — in; an output
//! shape out, whose header members and the route's status the service's render adds).
//!
//! This module sits below the services and names none of them. Moving a service onto the
//! registry (as Direct Connect, Route 53 Resolver and Route 53 were moved):
//!
//! - each `match` arm becomes a handler function taking the generated request shape (or
//!   [`NoInput`] where the arm read none), listed in its module's `handlers()`; a check the arm
//!   made on the request before touching the world becomes a small input type with its own
//!   [`Decode`] (Direct Connect's `NewPeer`, Route 53's `ChangeBatch`), so it still runs outside
//!   the lock; an arm that asked the data planes after reading the world becomes a
//!   [`read_then`], one that read no world an [`unlocked`];
//! - `Registry::new(lists, unknown, render)` in a `OnceLock` (awsJson: [`Registry::json`]),
//!   with the service's error for an unknown operation and its success document; the service's
//!   `handle` routes as before, builds a [`Ctx`] and calls [`Registry::serve`] (awsJson:
//!   [`Registry::serve_json`]), mapping errors as it did (Direct Connect's
//!   `ValidationException` → `DirectConnectClientException`, Resolver's →
//!   `InvalidParameterException`);
//! - `Request::only_reads` asks the registry, and the service joins the test that holds every
//!   registry to its generated operation list.

use crate::{Api, Fail, Outcome, Reply};
use model::{Scope, World};
use std::collections::HashMap;
use std::sync::Arc;
use wire::json::{FromJson, ToJson, Value};
use wire::rest::{Element, FromRest, RestInput, RestOutput};
use wire::{ApiError, FromQuery, QueryMap, ToXml};

/// What a handler knows of its caller, shared by every service.
#[derive(Debug, Clone)]
pub struct Ctx<'a> {
    /// The services and their state (the data planes' observers).
    pub api: &'a Api,
    pub scope: Scope,
    pub request_id: String,
    /// Milliseconds since the epoch, read once when the request arrived.
    pub now: i64,
    /// The semantics engine's lookups, cached per version of the world.
    pub network_index: Arc<netsem::index::Cache>,
}

impl<'a> Ctx<'a> {
    /// The context of one request by `scope`.
    pub fn new(api: &'a Api, scope: &Scope, request_id: &str) -> Self {
        Ctx {
            api,
            scope: scope.clone(),
            request_id: request_id.to_owned(),
            now: wire::Timestamp::now().0,
            network_index: api.network_index().clone(),
        }
    }
}

/// How a service's requests arrive and its answers leave.
pub trait Protocol: 'static {
    /// The decoded request the operation's shape is read from.
    type Input: ?Sized + Sync;
    /// A response shape, type-erased until it is rendered.
    type Answer: ?Sized + Send;
}

/// ec2Query and awsQuery: form parameters in, XML out.
#[derive(Debug)]
pub struct Query;

impl Protocol for Query {
    type Input = QueryMap;
    type Answer = dyn ToXml + Send;
}

/// awsJson 1.1: the parsed JSON body in, a JSON object out.
#[derive(Debug)]
pub struct Json;

impl Protocol for Json {
    type Input = Value;
    type Answer = dyn ToJson + Send;
}

/// restXml: the request's labels, query string, headers and body in, an output shape out (its
/// body members through `ToXml`, its header members through `RestOutput::headers`).
#[derive(Debug)]
pub struct RestXml;

impl Protocol for RestXml {
    type Input = RestRequest;
    type Answer = dyn RestOutput + Send;
}

/// A restXml request once its route is known, owned (a [`RestInput`] borrows from it).
#[derive(Debug, Default)]
pub struct RestRequest {
    /// The route's URI labels by name (`Id`), percent-decoded.
    pub labels: Vec<(String, String)>,
    pub query: QueryMap,
    pub headers: Vec<(String, String)>,
    /// The parsed body, if there was one.
    pub body: Option<Element>,
}

impl RestRequest {
    /// The request as the generated shapes read it.
    pub fn input(&self) -> RestInput<'_> {
        RestInput {
            labels: &self.labels,
            query: Some(&self.query),
            headers: &self.headers,
            body: self.body.as_ref(),
        }
    }
}

/// A request shape read from a protocol's input.
pub trait Decode<In: ?Sized>: Sized {
    fn decode(input: &In) -> Result<Self, ApiError>;
}

/// Generated query shapes: every parameter must be one the shape knows (`UnknownParameter`).
impl<T: FromQuery> Decode<QueryMap> for T {
    fn decode(q: &QueryMap) -> Result<Self, ApiError> {
        let req = T::from_query(q, "")?;
        q.reject_unused()?;
        Ok(req)
    }
}

/// Generated JSON shapes (awsJson's `ValidationException` / `SerializationException`).
impl<T: FromJson> Decode<Value> for T {
    fn decode(body: &Value) -> Result<Self, ApiError> {
        T::from_body(body)
    }
}

/// Generated restXml shapes (Route 53's `InvalidInput` / `MalformedInput`).
impl<T: FromRest> Decode<RestRequest> for T {
    fn decode(request: &RestRequest) -> Result<Self, ApiError> {
        T::from_rest(&request.input())
    }
}

/// The input of an operation whose model names no input shape: whatever came is ignored.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoInput;

impl<In: ?Sized> Decode<In> for NoInput {
    fn decode(_: &In) -> Result<Self, ApiError> {
        Ok(NoInput)
    }
}

/// A response shape, boxed as a protocol's answer.
pub trait Encode<Answer: ?Sized> {
    fn boxed(self) -> Box<Answer>;
}

impl<T: ToXml + Send + 'static> Encode<dyn ToXml + Send> for T {
    fn boxed(self) -> Box<dyn ToXml + Send> {
        Box::new(self)
    }
}

impl<T: ToJson + Send + 'static> Encode<dyn ToJson + Send> for T {
    fn boxed(self) -> Box<dyn ToJson + Send> {
        Box::new(self)
    }
}

impl<T: RestOutput + Send + 'static> Encode<dyn RestOutput + Send> for T {
    fn boxed(self) -> Box<dyn RestOutput + Send> {
        Box::new(self)
    }
}

type Answered<P> = Result<Box<<P as Protocol>::Answer>, ApiError>;
type ReadCall<P> = Box<dyn FnOnce(&Ctx<'_>, &World) -> Answered<P> + Send>;
type WriteCall<P> = Box<dyn FnOnce(&Ctx<'_>, &mut World) -> Answered<P> + Send>;
type LaterCall<P> = Box<dyn FnOnce(&Ctx<'_>) -> Answered<P> + Send>;
type ReadThenCall<P> = Box<dyn FnOnce(&Ctx<'_>, &World) -> Result<LaterCall<P>, ApiError> + Send>;
type Prepare<P> = Box<dyn Fn(&<P as Protocol>::Input) -> Result<Call<P>, ApiError> + Send + Sync>;

/// A decoded request, ready to run against the world.
pub enum Call<P: Protocol> {
    /// Runs under the read lock ([`Api::read`]).
    Read(ReadCall<P>),
    /// Runs under the write lock, all or nothing and durably ([`Api::mutate`]).
    Write(WriteCall<P>),
    /// Reads under the read lock, then finishes once the lock is released ([`read_then`]).
    ReadThen(ReadThenCall<P>),
    /// Runs without the world, under no lock ([`unlocked`]).
    Unlocked(LaterCall<P>),
}

impl<P: Protocol> std::fmt::Debug for Call<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Call::Read(_) => "Call::Read",
            Call::Write(_) => "Call::Write",
            Call::ReadThen(_) => "Call::ReadThen",
            Call::Unlocked(_) => "Call::Unlocked",
        })
    }
}

/// One operation of a service: whether it only reads, and how its request is decoded.
pub struct Operation<P: Protocol> {
    reads: bool,
    prepare: Prepare<P>,
}

impl<P: Protocol> std::fmt::Debug for Operation<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.reads { "Operation::read" } else { "Operation::write" })
    }
}

impl<P: Protocol> Operation<P> {
    /// Whether the operation only reads the world.
    pub fn reads(&self) -> bool {
        self.reads
    }

    /// Decodes the request (outside any lock) into the call to run.
    pub fn prepare(&self, input: &P::Input) -> Result<Call<P>, ApiError> {
        (self.prepare)(input)
    }
}

/// Adapts a handler that only reads.
pub fn read<P, Req, Res>(f: fn(&Ctx<'_>, &World, Req) -> Outcome<Res>) -> Operation<P>
where
    P: Protocol,
    Req: Decode<P::Input> + Send + 'static,
    Res: Encode<P::Answer> + 'static,
{
    operation(true, move |req: Req| {
        Call::Read(Box::new(move |ctx: &Ctx<'_>, world: &World| {
            answer::<P, Res>(f(ctx, world, req))
        }))
    })
}

/// Adapts a handler that changes the world.
pub fn write<P, Req, Res>(f: fn(&Ctx<'_>, &mut World, Req) -> Outcome<Res>) -> Operation<P>
where
    P: Protocol,
    Req: Decode<P::Input> + Send + 'static,
    Res: Encode<P::Answer> + 'static,
{
    operation(false, move |req: Req| {
        Call::Write(Box::new(move |ctx: &Ctx<'_>, world: &mut World| {
            answer::<P, Res>(f(ctx, world, req))
        }))
    })
}

/// Adapts a handler in two steps: `look` reads the world under the read lock; `then`, given
/// what it saw, finishes after the lock is released — for answers that ask something outside
/// the world (the DNS engine, the health check probes), which no lock should wait for.
pub fn read_then<P, Req, Seen, Res>(
    look: fn(&Ctx<'_>, &World, &Req) -> Outcome<Seen>,
    then: fn(&Ctx<'_>, Req, Seen) -> Outcome<Res>,
) -> Operation<P>
where
    P: Protocol,
    Req: Decode<P::Input> + Send + 'static,
    Seen: Send + 'static,
    Res: Encode<P::Answer> + 'static,
{
    operation(true, move |req: Req| {
        Call::ReadThen(Box::new(move |ctx: &Ctx<'_>, world: &World| {
            let seen = look(ctx, world, &req).map_err(|Fail(e)| e)?;
            let later: LaterCall<P> =
                Box::new(move |ctx: &Ctx<'_>| answer::<P, Res>(then(ctx, req, seen)));
            Ok(later)
        }))
    })
}

/// Adapts a handler that needs no world (fixed tables: Route 53's geolocations, its checkers'
/// addresses): it runs under no lock, so it never waits for changes in flight.
pub fn unlocked<P, Req, Res>(f: fn(&Ctx<'_>, Req) -> Outcome<Res>) -> Operation<P>
where
    P: Protocol,
    Req: Decode<P::Input> + Send + 'static,
    Res: Encode<P::Answer> + 'static,
{
    operation(true, move |req: Req| {
        Call::Unlocked(Box::new(move |ctx: &Ctx<'_>| answer::<P, Res>(f(ctx, req))))
    })
}

/// An operation that decodes `Req` and makes it a call.
fn operation<P: Protocol, Req: Decode<P::Input>>(
    reads: bool,
    call: impl Fn(Req) -> Call<P> + Send + Sync + 'static,
) -> Operation<P> {
    Operation { reads, prepare: Box::new(move |input| Req::decode(input).map(&call)) }
}

/// A handler's outcome as the registry carries it.
fn answer<P: Protocol, Res: Encode<P::Answer>>(outcome: Outcome<Res>) -> Answered<P> {
    outcome.map(Res::boxed).map_err(|Fail(e)| e)
}

impl Registry<Json> {
    /// An awsJson service's registry: its answers are the JSON body of a 200.
    pub fn json(
        lists: impl IntoIterator<Item = Vec<(&'static str, Operation<Json>)>>,
        unknown: fn(&str) -> ApiError,
    ) -> Self {
        Registry::new(lists, unknown, |_, _, answer| crate::json_reply(&answer.to_json()))
    }

    /// Serves an awsJson request: the operation its `X-Amz-Target` (`<prefix>.<Operation>`)
    /// names among the `generated` ones of `service` ([`crate::json_operation`]), its body.
    pub async fn serve_json(
        &self,
        api: &Api,
        request: &crate::Request,
        (prefix, generated, service): (&str, &[(&str, &str, &str)], &str),
    ) -> Result<Reply, ApiError> {
        let (op, body) = crate::json_operation(request, prefix, generated, service)?;
        let ctx = Ctx::new(api, &request.scope, &request.request_id);
        self.serve(&ctx, op, &body).await
    }
}

/// A service's operations by name, and what the service does around every one of them.
pub struct Registry<P: Protocol> {
    operations: HashMap<&'static str, Operation<P>>,
    /// The error for an action the registry does not hold.
    pub unknown: fn(&str) -> ApiError,
    /// Checked once the request shape is decoded, before the world is touched (EC2's `DryRun`).
    pub check: fn(&P::Input) -> Result<(), ApiError>,
    /// The reply around an answer, written after the locks are released.
    pub render: fn(&Ctx<'_>, &str, &P::Answer) -> Reply,
}

impl<P: Protocol> std::fmt::Debug for Registry<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry").field("operations", &self.operations.len()).finish()
    }
}

/// No check beyond decoding.
pub fn no_check<In: ?Sized>(_: &In) -> Result<(), ApiError> {
    Ok(())
}

impl<P: Protocol> Registry<P> {
    /// A registry of the operations in `lists` (a later name replaces an earlier one).
    pub fn new(
        lists: impl IntoIterator<Item = Vec<(&'static str, Operation<P>)>>,
        unknown: fn(&str) -> ApiError,
        render: fn(&Ctx<'_>, &str, &P::Answer) -> Reply,
    ) -> Self {
        let operations = lists.into_iter().flatten().collect();
        Registry { operations, unknown, check: no_check, render }
    }

    /// The same registry, with `check` run on every decoded request.
    pub fn with_check(self, check: fn(&P::Input) -> Result<(), ApiError>) -> Self {
        Registry { check, ..self }
    }

    /// The operations served, sorted.
    pub fn operations(&self) -> Vec<&'static str> {
        let mut ops: Vec<&str> = self.operations.keys().copied().collect();
        ops.sort_unstable();
        ops
    }

    /// Whether `action` is served and only reads.
    pub fn is_read(&self, action: &str) -> bool {
        self.operations.get(action).is_some_and(Operation::reads)
    }

    /// Serves `action`: decode, check, run under the right lock, render.
    pub async fn serve(
        &self,
        ctx: &Ctx<'_>,
        action: &str,
        input: &P::Input,
    ) -> Result<Reply, ApiError> {
        let operation = self.operations.get(action).ok_or_else(|| (self.unknown)(action))?;
        let call = operation.prepare(input)?;
        (self.check)(input)?;
        let answer = match call {
            Call::Read(f) => ctx.api.read(|w| f(ctx, w)).await?,
            Call::Write(f) => ctx.api.mutate(|w| f(ctx, w)).await?,
            Call::ReadThen(f) => {
                let later = ctx.api.read(|w| f(ctx, w)).await?;
                later(ctx)?
            }
            Call::Unlocked(f) => f(ctx)?,
        };
        Ok((self.render)(ctx, action, &*answer))
    }
}
