//! Two rooms: one for readers, one for writers whose changes are not durable yet. Any number
//! may be in one room at once, but never anyone in both — so no reader ever sees a change the
//! disk may still lose, while concurrent writers still share one disk sync.
//!
//! Entry alternates fairly: once someone waits for the other room, newcomers to the occupied
//! room wait too, and when the last one leaves, everyone waiting for the other room goes in
//! together. A stream of writes therefore keeps a reader waiting no longer than the writes
//! already in flight take to become durable (one or two syncs), and a stream of reads keeps a
//! writer waiting no longer than the reads already running.
//!
//! Waiting is asynchronous (no runtime thread is blocked), and a waiter that is dropped — its
//! request cancelled — gives its place back, whether or not it had been let in already.

use parking_lot::Mutex;
use std::pin::pin;
use std::sync::Arc;
use tokio::sync::Notify;

/// Which room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Read,
    Write,
}

impl Side {
    fn other(self) -> Side {
        match self {
            Side::Read => Side::Write,
            Side::Write => Side::Read,
        }
    }
}

/// One of something for each side.
#[derive(Debug, Default)]
struct Sides<T> {
    read: T,
    write: T,
}

impl<T> Sides<T> {
    fn of(&self, side: Side) -> &T {
        match side {
            Side::Read => &self.read,
            Side::Write => &self.write,
        }
    }

    fn of_mut(&mut self, side: Side) -> &mut T {
        match side {
            Side::Read => &mut self.read,
            Side::Write => &mut self.write,
        }
    }
}

#[derive(Debug)]
pub(crate) struct Rooms {
    state: Mutex<State>,
    /// Woken when the waiters of a side are let in.
    admitted: Sides<Notify>,
}

/// Those waiting to enter one room.
#[derive(Debug, Default)]
struct Queue {
    waiting: usize,
    /// Counts the times the waiters were let in, so a waiter can tell it was.
    admissions: u64,
}

#[derive(Debug)]
struct State {
    /// The side inside (meaningful while `inside > 0`).
    side: Side,
    inside: usize,
    queues: Sides<Queue>,
}

impl State {
    /// Whether a newcomer of `side` may go straight in: its room is free or already its own,
    /// and nobody waits for the other room.
    fn may_enter(&self, side: Side) -> bool {
        (self.inside == 0 || self.side == side) && self.queues.of(side.other()).waiting == 0
    }

    /// Lets every waiter of `side` in; says whether there were any.
    fn admit(&mut self, side: Side) -> bool {
        let queue = self.queues.of_mut(side);
        let waiting = std::mem::take(&mut queue.waiting);
        if waiting == 0 {
            return false;
        }
        queue.admissions += 1;
        self.side = side;
        self.inside += waiting;
        true
    }

    /// One of `side` leaves; the last out lets the other side in. Returns the side let in.
    fn leave(&mut self, side: Side) -> Option<Side> {
        self.inside -= 1;
        if self.inside > 0 {
            return None;
        }
        [side.other(), side].into_iter().find(|s| self.admit(*s))
    }

    /// A waiter of `side` stops waiting before being let in. If it was the last one waiting
    /// for its room, the occupied room (closed to newcomers for its sake) opens again.
    fn give_up(&mut self, side: Side) -> Option<Side> {
        let queue = self.queues.of_mut(side);
        queue.waiting -= 1;
        let other = side.other();
        let reopen = queue.waiting == 0 && self.inside > 0 && self.side == other;
        (reopen && self.admit(other)).then_some(other)
    }
}

/// A place in a room, given back when dropped.
#[derive(Debug)]
pub(crate) struct Pass {
    rooms: Arc<Rooms>,
    side: Side,
}

impl Drop for Pass {
    fn drop(&mut self) {
        let woken = self.rooms.state.lock().leave(self.side);
        self.rooms.wake(woken);
    }
}

/// A waiter's place in the queue, given back if the waiter is dropped.
struct Waiting<'a> {
    rooms: &'a Arc<Rooms>,
    side: Side,
    /// The side's admission count when the wait began.
    ticket: u64,
    /// Set once the waiter has taken its place inside.
    inside: bool,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if self.inside {
            return;
        }
        let woken = {
            let mut state = self.rooms.state.lock();
            if state.queues.of(self.side).admissions != self.ticket {
                // Let in just as it was cancelled: leave again.
                state.leave(self.side)
            } else {
                state.give_up(self.side)
            }
        };
        self.rooms.wake(woken);
    }
}

impl Rooms {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Rooms {
            state: Mutex::new(State { side: Side::Read, inside: 0, queues: Sides::default() }),
            admitted: Sides::default(),
        })
    }

    fn wake(&self, side: Option<Side>) {
        if let Some(side) = side {
            self.admitted.of(side).notify_waiters();
        }
    }

    /// Enters the room of `side`, waiting while the other is occupied or has waiters.
    pub(crate) async fn enter(self: &Arc<Self>, side: Side) -> Pass {
        let ticket = {
            let mut state = self.state.lock();
            if state.may_enter(side) {
                state.side = side;
                state.inside += 1;
                return Pass { rooms: self.clone(), side };
            }
            let queue = state.queues.of_mut(side);
            queue.waiting += 1;
            queue.admissions
        };
        let mut waiting = Waiting { rooms: self, side, ticket, inside: false };
        loop {
            // Registered before looking, so an admission in between still wakes it.
            let mut admitted = pin!(self.admitted.of(side).notified());
            admitted.as_mut().enable();
            if self.state.lock().queues.of(side).admissions != ticket {
                waiting.inside = true;
                return Pass { rooms: self.clone(), side };
            }
            admitted.await;
        }
    }

    /// How many are inside and which side (for tests).
    #[cfg(test)]
    fn occupancy(&self) -> (Side, usize) {
        let state = self.state.lock();
        (state.side, state.inside)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::task::{Context, Poll, Waker};

    /// Polls `f` once: its output if it is ready.
    fn poll_once<F: Future>(f: &mut std::pin::Pin<&mut F>) -> Option<F::Output> {
        match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(v) => Some(v),
            Poll::Pending => None,
        }
    }

    fn enter_now(rooms: &Arc<Rooms>, side: Side) -> Pass {
        let mut f = pin!(rooms.enter(side));
        poll_once(&mut f).expect("the room is open")
    }

    #[test]
    fn many_share_a_room_but_never_both_rooms() {
        let rooms = Rooms::new();
        let w1 = enter_now(&rooms, Side::Write);
        let w2 = enter_now(&rooms, Side::Write);
        assert_eq!(rooms.occupancy(), (Side::Write, 2));
        let mut reader = pin!(rooms.enter(Side::Read));
        assert!(poll_once(&mut reader).is_none(), "writers in flight keep readers out");
        drop(w1);
        assert!(poll_once(&mut reader).is_none());
        drop(w2);
        let r = poll_once(&mut reader).expect("the last writer out lets the reader in");
        assert_eq!(rooms.occupancy(), (Side::Read, 1));
        let r2 = enter_now(&rooms, Side::Read);
        drop((r, r2));
        assert_eq!(rooms.occupancy().1, 0);
    }

    #[test]
    fn a_waiting_reader_stops_new_writers_and_goes_first() {
        let rooms = Rooms::new();
        let w1 = enter_now(&rooms, Side::Write);
        let mut reader = pin!(rooms.enter(Side::Read));
        assert!(poll_once(&mut reader).is_none());
        let mut late_writer = pin!(rooms.enter(Side::Write));
        assert!(poll_once(&mut late_writer).is_none(), "no writer overtakes a waiting reader");
        drop(w1);
        let r = poll_once(&mut reader).expect("reader in");
        assert!(poll_once(&mut late_writer).is_none(), "the reader reads before the next write");
        let mut late_reader = pin!(rooms.enter(Side::Read));
        assert!(poll_once(&mut late_reader).is_none(), "no reader overtakes a waiting writer");
        drop(r);
        let w = poll_once(&mut late_writer).expect("writer in after the reader");
        drop(w);
        assert!(poll_once(&mut late_reader).is_some());
    }

    #[test]
    fn a_cancelled_waiter_gives_its_place_back() {
        let rooms = Rooms::new();
        let w1 = enter_now(&rooms, Side::Write);
        {
            let mut reader = pin!(rooms.enter(Side::Read));
            assert!(poll_once(&mut reader).is_none());
            // Dropped while waiting: writers may come in again.
        }
        let w2 = enter_now(&rooms, Side::Write);
        drop((w1, w2));

        // Let in, then dropped before it noticed: it leaves, and the room is free.
        let w3 = enter_now(&rooms, Side::Write);
        {
            let mut reader = pin!(rooms.enter(Side::Read));
            assert!(poll_once(&mut reader).is_none());
            drop(w3);
        }
        assert_eq!(rooms.occupancy().1, 0);
        drop(enter_now(&rooms, Side::Write));
    }
}
