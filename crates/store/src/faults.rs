//! A test hook (feature `faults`): a writer that holds batches back or fails them on demand,
//! so tests can put several operations in flight and then make their batch fail.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// What the writer of a store opened with [`crate::Store::open_with_faults`] does next.
#[derive(Debug, Default)]
pub struct Faults {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct State {
    holding: bool,
    /// Batches taken from the queue and waiting to be written.
    held: usize,
    /// The failures to inject, one per batch: whether each leaves the rows maybe written.
    failures: VecDeque<bool>,
}

impl Faults {
    /// The message of an injected failure.
    pub const MESSAGE: &'static str = "injected failure (store test hook)";

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// From now on the writer waits before writing each batch, until [`Faults::release`].
    pub fn hold(&self) {
        self.state().holding = true;
    }

    /// Lets the writer go on.
    pub fn release(&self) {
        self.state().holding = false;
        self.changed.notify_all();
    }

    /// Blocks until the writer holds a batch it took from the queue: jobs queued after this
    /// returns go into a later batch.
    pub fn wait_until_held(&self) {
        let mut state = self.state();
        while state.held == 0 {
            state = self.changed.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// The next batch the writer takes from the queue fails; `maybe_written` makes its
    /// outcome unknown (as a failed sync would) rather than known to be absent (as a full disk).
    pub fn fail_next(&self, maybe_written: bool) {
        self.state().failures.push_back(maybe_written);
    }

    /// Called by the writer before each batch: says whether to fail it, after waiting while
    /// held.
    pub(crate) fn before_write(&self) -> Option<bool> {
        let mut state = self.state();
        let failure = state.failures.pop_front();
        state.held += 1;
        self.changed.notify_all();
        while state.holding {
            state = self.changed.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
        state.held -= 1;
        failure
    }
}
