#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]
//! Durable state: one SQLite file in WAL mode, written by one thread with group commit.
//!
//! The store knows rows, not resources: a row is a kind (`vpc`, `subnet`, …), an id and a
//! serialized body. [`Store::submit`] queues the rows one operation changed; the writer thread
//! takes everything queued, writes it in one transaction, syncs it to disk
//! (`synchronous=FULL`) and only then calls each operation's acknowledgement. The caller answers
//! its client from that acknowledgement, so nothing acknowledged is lost to a crash, and
//! concurrent clients share one disk sync.
//!
//! Order is preserved: operations are applied to memory and submitted under the same lock, and
//! the writer commits in submission order, so a later operation is never durable before an
//! earlier one it may depend on.

use rusqlite::{Connection, params};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;

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
    /// The writer thread has stopped, so nothing more can be made durable.
    #[error("the state writer has stopped")]
    WriterGone,
}

/// Called once a submitted batch is durable (or has failed).
pub type Ack = Box<dyn FnOnce(Result<(), String>) + Send>;

enum Job {
    Write(Vec<Write>, Ack),
    Clear(Ack),
}

/// The durable store, or none at all for `--in-memory` state.
#[derive(Debug, Clone)]
pub struct Store {
    jobs: Option<mpsc::Sender<Job>>,
    path: Option<PathBuf>,
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

impl Store {
    /// State that lives only as long as the process.
    pub fn in_memory() -> Self {
        Store { jobs: None, path: None }
    }

    /// Opens (creating if needed) the database in `dir`, returns every stored row and starts
    /// the writer thread.
    pub fn open(dir: &Path) -> Result<(Store, Vec<StoredRow>), StoreError> {
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
        thread::Builder::new()
            .name("state-writer".into())
            .spawn(move || writer(conn, rx))
            .map_err(|source| StoreError::Directory { path: dir.to_owned(), source })?;
        Ok((Store { jobs: Some(tx), path: Some(path) }, rows))
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn is_durable(&self) -> bool {
        self.jobs.is_some()
    }

    /// Queues the rows of one operation; `ack` runs once they are on disk. An empty batch
    /// still waits behind earlier ones, so its acknowledgement keeps their order.
    pub fn submit(&self, writes: Vec<Write>, ack: Ack) {
        self.send(Job::Write(writes, ack));
    }

    /// Queues the deletion of every row; `ack` runs once it is on disk.
    pub fn clear(&self, ack: Ack) {
        self.send(Job::Clear(ack));
    }

    fn send(&self, job: Job) {
        let Some(jobs) = &self.jobs else {
            (job.into_ack())(Ok(()));
            return;
        };
        if let Err(mpsc::SendError(job)) = jobs.send(job) {
            (job.into_ack())(Err(StoreError::WriterGone.to_string()));
        }
    }
}

impl Job {
    fn into_ack(self) -> Ack {
        match self {
            Job::Write(_, ack) | Job::Clear(ack) => ack,
        }
    }
}

/// How many queued operations one transaction takes at most.
const MAX_BATCH: usize = 512;

fn writer(mut conn: Connection, jobs: mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let result = write_batch(&mut conn, &batch).map_err(|e| e.to_string());
        for job in batch {
            (job.into_ack())(result.clone());
        }
    }
}

fn write_batch(conn: &mut Connection, batch: &[Job]) -> Result<(), rusqlite::Error> {
    if batch.iter().all(|j| matches!(j, Job::Write(w, _) if w.is_empty())) {
        return Ok(());
    }
    let tx = conn.transaction()?;
    {
        let mut upsert =
            tx.prepare_cached("INSERT OR REPLACE INTO rows (kind, id, body) VALUES (?1, ?2, ?3)")?;
        let mut delete = tx.prepare_cached("DELETE FROM rows WHERE kind = ?1 AND id = ?2")?;
        for job in batch {
            match job {
                Job::Clear(_) => {
                    tx.execute("DELETE FROM rows", [])?;
                }
                Job::Write(writes, _) => {
                    for w in writes {
                        match &w.body {
                            Some(body) => upsert.execute(params![w.kind, w.id, body])?,
                            None => delete.execute(params![w.kind, w.id])?,
                        };
                    }
                }
            }
        }
    }
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;

    fn wait(store: &Store, writes: Vec<Write>) -> Result<(), String> {
        let (tx, rx) = channel();
        store.submit(writes, Box::new(move |r| tx.send(r).unwrap()));
        rx.recv().unwrap()
    }

    #[test]
    fn rows_survive_reopening() {
        let dir = std::env::temp_dir().join(format!("vpclab-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        {
            let (store, rows) = Store::open(&dir).unwrap();
            assert!(rows.is_empty());
            wait(&store, vec![Write { kind: "vpc", id: "vpc-1".into(), body: Some("{}".into()) }])
                .unwrap();
            wait(
                &store,
                vec![
                    Write { kind: "vpc", id: "vpc-2".into(), body: Some("{\"a\":1}".into()) },
                    Write { kind: "vpc", id: "vpc-1".into(), body: None },
                ],
            )
            .unwrap();
            wait(&store, vec![]).unwrap();
        }
        let (store, rows) = Store::open(&dir).unwrap();
        assert_eq!(
            rows,
            vec![StoredRow { kind: "vpc".into(), id: "vpc-2".into(), body: "{\"a\":1}".into() }]
        );
        let (tx, rx) = channel();
        store.clear(Box::new(move |r| tx.send(r).unwrap()));
        rx.recv().unwrap().unwrap();
        drop(store);
        let (_, rows) = Store::open(&dir).unwrap();
        assert!(rows.is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn in_memory_acknowledges_at_once() {
        assert!(
            wait(&Store::in_memory(), vec![Write { kind: "k", id: "i".into(), body: None }])
                .is_ok()
        );
    }
}
