#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]
//! Durable state: one SQLite file in WAL mode, written by one thread with group commit.
//!
//! The store knows rows, not resources: a row is a kind (`vpc`, `subnet`, …), an id and a
//! serialized body. [`Store::submit`] queues the rows one operation changed and numbers the job;
//! the writer thread takes everything queued, writes it in one transaction, syncs it to disk
//! (`synchronous=FULL`) and only then calls each job's acknowledgement with a [`Receipt`]. The
//! caller answers its client from that acknowledgement, so nothing acknowledged is lost to a
//! crash, and concurrent clients share one disk sync.
//!
//! Order is preserved: the writer commits in submission order, so a later job is never durable
//! before an earlier one it may depend on. For the same reason a failure stops the queue: when a
//! batch cannot be written, every job queued after it fails too (a later operation may build on
//! a failed one), until the owner — having undone those operations in memory — calls
//! [`Store::resume`] with the failure's first job. Jobs queued after that call are written again.
//!
//! A [`Failure`] says whether the failed rows may still be on disk: a transaction that failed
//! before its commit, or whose commit found the disk full, is known to be absent; an I/O error
//! while committing (a failed sync) leaves it unknown — the rows may reappear on restart.

use rusqlite::{Connection, params};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::thread;

#[cfg(any(test, feature = "faults"))]
mod faults;
#[cfg(any(test, feature = "faults"))]
pub use faults::Faults;

/// One row to write: its new body, or `None` to delete it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    pub kind: &'static str,
    pub id: String,
    pub body: Option<String>,
}

/// One row read back at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRow {
    pub kind: String,
    pub id: String,
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened, read or written.
    #[error("state database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The state directory could not be created.
    #[error("state directory {path}: {source}")]
    Directory { path: PathBuf, source: std::io::Error },
}

/// Why a job was not made durable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The number of the first job that failed. It and every job queued after it, up to a
    /// [`Store::resume`] naming this number, fail with this same failure.
    pub from: u64,
    /// Whether the failed rows may be on disk all the same (the outcome of the commit is
    /// unknown), rather than known to be absent.
    pub maybe_written: bool,
    /// What went wrong, for people.
    pub message: String,
}

/// What the store says about one job: its number and whether it is durable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub seq: u64,
    pub result: Result<(), Failure>,
}

/// Called once a submitted job is durable (or has failed): on the writer thread for a durable
/// store, never inside [`Store::submit`]; at once for an in-memory store.
pub type Ack = Box<dyn FnOnce(Receipt) + Send>;

enum Job {
    Write {
        seq: u64,
        writes: Vec<Write>,
        ack: Ack,
    },
    Clear {
        seq: u64,
        ack: Ack,
    },
    /// The owner has undone everything the failure starting at `from` failed.
    Resume {
        from: u64,
    },
}

/// The queue to the writer thread and the number of the next job, kept together so that
/// numbers follow queue order.
struct Queue {
    next: u64,
    jobs: mpsc::Sender<Job>,
}

/// The durable store, or none at all for `--in-memory` state.
#[derive(Clone)]
pub struct Store {
    queue: Option<Arc<Mutex<Queue>>>,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish_non_exhaustive()
    }
}

/// The file name of the database inside the state directory.
pub const DB_FILE: &str = "vpclab.sqlite3";

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS rows (
        kind TEXT NOT NULL,
        id   TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (kind, id)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', '1');
";

fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}

/// What the writer thread is given besides its queue.
struct Writer {
    conn: Connection,
    #[cfg(any(test, feature = "faults"))]
    faults: Arc<Faults>,
}

impl Store {
    /// State that lives only as long as the process.
    pub fn in_memory() -> Self {
        Store { queue: None, path: None }
    }

    /// Opens (creating if needed) the database in `dir`, returns every stored row and starts
    /// the writer thread.
    pub fn open(dir: &Path) -> Result<(Store, Vec<StoredRow>), StoreError> {
        Self::open_writer(dir, |conn| Writer {
            conn,
            #[cfg(any(test, feature = "faults"))]
            faults: Arc::default(),
        })
    }

    /// As [`Store::open`], with `faults` deciding when the writer holds back or fails (tests).
    #[cfg(any(test, feature = "faults"))]
    pub fn open_with_faults(
        dir: &Path,
        faults: Arc<Faults>,
    ) -> Result<(Store, Vec<StoredRow>), StoreError> {
        Self::open_writer(dir, |conn| Writer { conn, faults })
    }

    fn open_writer(
        dir: &Path,
        writer: impl FnOnce(Connection) -> Writer,
    ) -> Result<(Store, Vec<StoredRow>), StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|source| StoreError::Directory { path: dir.to_owned(), source })?;
        let path = dir.join(DB_FILE);
        let conn = open_connection(&path)?;
        let rows = {
            let mut stmt = conn.prepare("SELECT kind, id, body FROM rows ORDER BY kind, id")?;
            stmt.query_map([], |r| {
                Ok(StoredRow { kind: r.get(0)?, id: r.get(1)?, body: r.get(2)? })
            })?
            .collect::<Result<Vec<_>, _>>()?
        };
        let (tx, rx) = mpsc::channel();
        let writer = writer(conn);
        thread::Builder::new()
            .name("state-writer".into())
            .spawn(move || writer.run(rx))
            .map_err(|source| StoreError::Directory { path: dir.to_owned(), source })?;
        let queue = Queue { next: 0, jobs: tx };
        Ok((Store { queue: Some(Arc::new(Mutex::new(queue))), path: Some(path) }, rows))
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn is_durable(&self) -> bool {
        self.queue.is_some()
    }

    /// Queues the rows of one operation; `ack` runs once they are on disk. An empty batch
    /// still waits behind earlier ones, so its acknowledgement keeps their order. Returns the
    /// job's number, which its [`Receipt`] carries.
    pub fn submit(&self, writes: Vec<Write>, ack: Ack) -> u64 {
        self.send(|seq| Job::Write { seq, writes, ack })
    }

    /// Queues the deletion of every row; `ack` runs once it is on disk.
    pub fn clear(&self, ack: Ack) -> u64 {
        self.send(|seq| Job::Clear { seq, ack })
    }

    /// Lets jobs queued from now on be written again after the failure that started at job
    /// `from` — call it once the operations that failure failed are undone. A call naming
    /// another failure than the current one does nothing.
    pub fn resume(&self, from: u64) {
        if let Some(queue) = &self.queue {
            let queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
            // The writer only stops when every sender is gone, so this cannot fail.
            let _ = queue.jobs.send(Job::Resume { from });
        }
    }

    fn send(&self, job: impl FnOnce(u64) -> Job) -> u64 {
        let Some(queue) = &self.queue else {
            let job = job(0);
            job.acknowledge(Ok(()));
            return 0;
        };
        let mut queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
        let seq = queue.next;
        queue.next += 1;
        if let Err(mpsc::SendError(job)) = queue.jobs.send(job(seq)) {
            // The writer is gone (it cannot be while a sender lives; this is a last resort).
            // The acknowledgement must not run inside `submit`, whose caller may hold locks.
            let failure = Failure {
                from: seq,
                maybe_written: true,
                message: "the state writer has stopped".into(),
            };
            thread::spawn(move || job.acknowledge(Err(failure)));
        }
        seq
    }
}

impl Job {
    fn seq(&self) -> u64 {
        match self {
            Job::Write { seq, .. } | Job::Clear { seq, .. } => *seq,
            Job::Resume { from } => *from,
        }
    }

    /// Calls the job's acknowledgement (a panic in it does not stop the writer).
    fn acknowledge(self, result: Result<(), Failure>) {
        let seq = self.seq();
        if let Job::Write { ack, .. } | Job::Clear { ack, .. } = self {
            let _ = catch_unwind(AssertUnwindSafe(|| ack(Receipt { seq, result })));
        }
    }
}

/// How many queued operations one transaction takes at most.
const MAX_BATCH: usize = 512;

impl Writer {
    fn run(mut self, jobs: mpsc::Receiver<Job>) {
        // Set while a failure stops the queue.
        let mut failed: Option<Failure> = None;
        while let Ok(first) = jobs.recv() {
            let mut taken = vec![first];
            while taken.len() < MAX_BATCH {
                match jobs.try_recv() {
                    Ok(job) => taken.push(job),
                    Err(_) => break,
                }
            }
            let mut batch = Vec::with_capacity(taken.len());
            for job in taken {
                match (job, &failed) {
                    (Job::Resume { from }, Some(f)) if f.from == from => failed = None,
                    (Job::Resume { .. }, _) => {}
                    (job, Some(f)) => job.acknowledge(Err(f.clone())),
                    (job, None) => batch.push(job),
                }
            }
            if batch.is_empty() {
                continue;
            }
            let result = self.write(&batch);
            if let Err(f) = &result {
                // Set before acknowledging: the owner may resume from inside an acknowledgement.
                failed = Some(f.clone());
            }
            for job in batch {
                job.acknowledge(result.clone());
            }
        }
    }

    /// Writes and syncs one batch; a panic inside counts as a failure of unknown outcome.
    fn write(&mut self, batch: &[Job]) -> Result<(), Failure> {
        let from = batch.first().map_or(0, Job::seq);
        #[cfg(any(test, feature = "faults"))]
        if let Some(maybe_written) = self.faults.before_write() {
            return Err(Failure { from, maybe_written, message: Faults::MESSAGE.into() });
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| write_batch(&mut self.conn, batch)));
        match outcome {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(Failure {
                from,
                maybe_written: e.maybe_written(),
                message: e.error.to_string(),
            }),
            Err(_) => Err(Failure {
                from,
                maybe_written: true,
                message: "the state writer failed unexpectedly".into(),
            }),
        }
    }
}

/// A failed batch: the error, and whether it struck while committing.
struct BatchError {
    error: rusqlite::Error,
    at_commit: bool,
}

impl BatchError {
    fn before_commit(error: rusqlite::Error) -> Self {
        BatchError { error, at_commit: false }
    }

    /// Whether the transaction may be on disk. SQLite rolls a transaction back when a write
    /// before or during its commit finds the disk full; an I/O error while committing (a
    /// failed sync, say) leaves the commit record perhaps written.
    fn maybe_written(&self) -> bool {
        self.at_commit && self.error.sqlite_error_code() != Some(rusqlite::ErrorCode::DiskFull)
    }
}

fn write_batch(conn: &mut Connection, batch: &[Job]) -> Result<(), BatchError> {
    if batch.iter().all(|j| matches!(j, Job::Write { writes, .. } if writes.is_empty())) {
        return Ok(());
    }
    let tx = conn.transaction().map_err(BatchError::before_commit)?;
    write_rows(&tx, batch).map_err(BatchError::before_commit)?;
    tx.commit().map_err(|error| BatchError { error, at_commit: true })
}

fn write_rows(tx: &rusqlite::Transaction<'_>, batch: &[Job]) -> Result<(), rusqlite::Error> {
    let mut upsert =
        tx.prepare_cached("INSERT OR REPLACE INTO rows (kind, id, body) VALUES (?1, ?2, ?3)")?;
    let mut delete = tx.prepare_cached("DELETE FROM rows WHERE kind = ?1 AND id = ?2")?;
    for job in batch {
        match job {
            Job::Clear { .. } => {
                tx.execute("DELETE FROM rows", [])?;
            }
            Job::Write { writes, .. } => {
                for w in writes {
                    match &w.body {
                        Some(body) => upsert.execute(params![w.kind, w.id, body])?,
                        None => delete.execute(params![w.kind, w.id])?,
                    };
                }
            }
            Job::Resume { .. } => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
