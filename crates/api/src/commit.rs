//! How changes reach the disk and readers: the world, the undo records of changes not yet
//! durable, and the rooms that keep readers away from them.
//!
//! A change is applied to the world under its write lock and its rows are queued to the store
//! under the same lock, so memory order, queue order and commit order are one. Its undo record
//! stays in the journal until the store acknowledges it; meanwhile its writer holds a place in
//! the write room ([`crate::rooms`]), so no reader looks at the world. When the store reports a
//! failure, every change from the failed one on — later ones may build on it — is undone,
//! newest first, before the store is told to resume and before any of their writers leaves the
//! room: readers only ever see what is durable.
//!
//! Acknowledgements run on the store's writer thread ([`Core::settle`]); they do not depend on
//! the requests that made the changes, which may be cancelled at any time.

use crate::from_model;
use crate::rooms::{Rooms, Side};
use codes::Ec2;
use model::{Undo, World};
use parking_lot::{Mutex, RwLock};
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use store::{Receipt, Store};
use wire::ApiError;

/// What undoes one change that is not durable yet.
#[derive(Debug)]
enum Undoing {
    /// An operation's rows as they were.
    Operation(Box<Undo>),
    /// The world before a reset.
    Reset(Box<World>),
}

#[derive(Debug)]
struct State {
    world: World,
    /// Undo records by store job number, of the changes not acknowledged yet.
    journal: BTreeMap<u64, Undoing>,
}

#[derive(Debug)]
pub(crate) struct Core {
    state: RwLock<State>,
    /// Readers and writers in flight; `None` for in-memory state, where a change is as
    /// durable as it will ever be once made.
    rooms: Option<Arc<Rooms>>,
    store: Store,
    /// Why changes are refused, once the disk may disagree with memory.
    degraded: Mutex<Option<String>>,
    /// Bumped after every durable change and reset, for the data planes to reconcile.
    changes: tokio::sync::watch::Sender<u64>,
}

/// Brings loaded rows up to date and stores the rows that changed, waiting until they are
/// durable.
fn migrate(world: &mut World, store: &Store) -> Result<(), String> {
    world.finish_load();
    let changes =
        world.take_changes().map_err(|e| format!("updating stored rows: {}", e.message))?;
    if changes.rows.is_empty() {
        return Ok(());
    }
    let writes = changes
        .rows
        .into_iter()
        .map(|c| store::Write { kind: c.kind, id: c.id, body: c.body })
        .collect();
    let (done, durable) = std::sync::mpsc::channel();
    store.submit(
        writes,
        Box::new(move |receipt: Receipt| {
            let _ = done.send(receipt.result);
        }),
    );
    match durable.recv() {
        Ok(Ok(())) => Ok(()),
        Ok(Err(failure)) => {
            Err(format!("stored rows brought up to date could not be written: {}", failure.message))
        }
        Err(_) => Err("the state writer stopped before stored rows were brought up to date".into()),
    }
}

/// The answer to a change refused while degraded.
fn refused() -> ApiError {
    ApiError::new(
        Ec2::ServiceUnavailable,
        503,
        "vpclab could not tell whether an earlier change reached its disk and accepts no changes \
         until it is reset or restarted; see its log.",
    )
}

fn not_durable(what: &str, failure: &store::Failure) -> ApiError {
    ApiError::internal(format!("{what} could not be made durable: {}", failure.message))
}

fn writer_gone() -> ApiError {
    ApiError::internal("The state writer stopped before the change was durable.")
}

impl Core {
    /// Serves `world`, as loaded from `store`'s rows: first its rows are brought up to date
    /// ([`World::finish_load`]) and what that changed is written back before anything is
    /// served; if that cannot be made durable, changes are refused (see [`Core::degraded`]).
    pub(crate) fn new(mut world: World, store: Store) -> Arc<Self> {
        let rooms = store.is_durable().then(Rooms::new);
        let degraded = migrate(&mut world, &store).err();
        if let Some(why) = &degraded {
            eprintln!("vpclab: {why}");
        }
        Arc::new(Core {
            state: RwLock::new(State { world, journal: BTreeMap::new() }),
            rooms,
            store,
            degraded: Mutex::new(degraded),
            changes: tokio::sync::watch::channel(0).0,
        })
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    pub(crate) fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    fn notify_change(&self) {
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Why changes are refused, if they are.
    pub(crate) fn degraded(&self) -> Option<String> {
        self.degraded.lock().clone()
    }

    /// How many changes are applied in memory but not acknowledged by the store yet.
    pub(crate) fn in_flight(&self) -> usize {
        self.state.read().journal.len()
    }

    /// Runs `f` on the durable world, once no change is in flight.
    pub(crate) async fn read<T>(&self, f: impl FnOnce(&World) -> T) -> T {
        let _pass = match &self.rooms {
            Some(rooms) => Some(rooms.enter(Side::Read).await),
            None => None,
        };
        f(&self.state.read().world)
    }

    /// Runs `f` on the world as it is, changes in flight included: only for questions whose
    /// answer a change in flight cannot make wrong (whether an account is set up yet).
    pub(crate) fn peek<T>(&self, f: impl FnOnce(&World) -> T) -> T {
        f(&self.state.read().world)
    }

    /// Applies a change to the world: all of it, durably, or none of it.
    pub(crate) async fn mutate<T>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut World) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        if self.degraded.lock().is_some() {
            return Err(refused());
        }
        let Some(rooms) = &self.rooms else {
            let value = apply(&mut self.state.write().world, f, |w| Ok(w.take_undo()))?.0;
            self.notify_change();
            return Ok(value);
        };
        let pass = rooms.enter(Side::Write).await;
        let (done, durable) = tokio::sync::oneshot::channel();
        let value = {
            let mut state = self.state.write();
            let (value, changes) = apply(&mut state.world, f, World::take_changes)?;
            let writes = changes
                .rows
                .into_iter()
                .map(|c| store::Write { kind: c.kind, id: c.id, body: c.body })
                .collect();
            let core = self.clone();
            let seq = self.store.submit(
                writes,
                Box::new(move |receipt| {
                    core.settle(&receipt);
                    drop(pass);
                    let _ = done.send(receipt.result);
                }),
            );
            state.journal.insert(seq, Undoing::Operation(Box::new(changes.undo)));
            value
        };
        match durable.await {
            Ok(Ok(())) => Ok(value),
            Ok(Err(failure)) => Err(not_durable("The change", &failure)),
            Err(_) => Err(writer_gone()),
        }
    }

    /// Drops all state, durably; on failure the world is as it was.
    pub(crate) async fn reset(self: &Arc<Self>) -> Result<(), ApiError> {
        let Some(rooms) = &self.rooms else {
            self.state.write().world.clear();
            self.notify_change();
            return Ok(());
        };
        let pass = rooms.enter(Side::Write).await;
        let (done, durable) = tokio::sync::oneshot::channel();
        {
            let mut state = self.state.write();
            let before = state.world.take_all();
            let core = self.clone();
            let seq = self.store.clear(Box::new(move |receipt| {
                core.settle(&receipt);
                drop(pass);
                let _ = done.send(receipt.result);
            }));
            state.journal.insert(seq, Undoing::Reset(Box::new(before)));
        }
        match durable.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(failure)) => Err(not_durable("The reset", &failure)),
            Err(_) => Err(writer_gone()),
        }
    }

    /// What the store said about job `receipt.seq` (on the store's writer thread): a durable
    /// change is forgotten by the journal; a failure undoes every change from the failed one
    /// on, newest first, then lets the store go on.
    fn settle(&self, receipt: &Receipt) {
        let mut state = self.state.write();
        match &receipt.result {
            Ok(()) => {
                if let Some(Undoing::Reset(_)) = state.journal.remove(&receipt.seq) {
                    // Disk and memory are both empty: they agree again, whatever came before.
                    *self.degraded.lock() = None;
                }
                drop(state);
                self.notify_change();
            }
            Err(failure) => {
                let State { world, journal } = &mut *state;
                let undone = journal.split_off(&failure.from);
                if !undone.is_empty() {
                    eprintln!(
                        "vpclab: a change could not be made durable ({}); it and the {} queued \
                         after it were undone",
                        failure.message,
                        undone.len() - 1
                    );
                }
                for (_, undoing) in undone.into_iter().rev() {
                    match undoing {
                        Undoing::Operation(undo) => world.undo(*undo),
                        Undoing::Reset(before) => world.restore(*before),
                    }
                }
                // Under the lock: every change queued from now on was made on the undone world.
                self.store.resume(failure.from);
                if failure.maybe_written {
                    let mut degraded = self.degraded.lock();
                    if degraded.is_none() {
                        eprintln!(
                            "vpclab: a change may or may not be on disk ({}); refusing changes \
                             until a reset or a restart",
                            failure.message
                        );
                    }
                    *degraded = Some(failure.message.clone());
                }
            }
        }
    }
}

/// Runs `f` on `world`, then `finish` to end the operation; undoes it all if either fails or
/// `f` panics.
fn apply<T, C>(
    world: &mut World,
    f: impl FnOnce(&mut World) -> Result<T, ApiError>,
    finish: impl FnOnce(&mut World) -> model::Result<C>,
) -> Result<(T, C), ApiError> {
    let result = catch_unwind(AssertUnwindSafe(|| f(world))).unwrap_or_else(|_| {
        Err(ApiError::internal("The operation failed unexpectedly; nothing was changed."))
    });
    match result.and_then(|v| finish(world).map(|c| (v, c)).map_err(from_model)) {
        Ok(done) => Ok(done),
        Err(e) => {
            world.rollback();
            Err(e)
        }
    }
}
