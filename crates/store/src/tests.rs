use super::*;
use std::sync::mpsc::{Receiver, channel};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vpclab-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn row(id: &str) -> Write {
    Write { kind: "vpc", id: id.into(), body: Some(format!("{{\"id\":\"{id}\"}}")) }
}

/// Submits `writes`; the receipt arrives on the returned channel.
fn submit(store: &Store, writes: Vec<Write>) -> Receiver<Receipt> {
    let (tx, rx) = channel();
    store.submit(writes, Box::new(move |r| tx.send(r).unwrap()));
    rx
}

fn wait(store: &Store, writes: Vec<Write>) -> Result<(), Failure> {
    submit(store, writes).recv().unwrap().result
}

fn stored_ids(dir: &Path) -> Vec<String> {
    let (_, rows) = Store::open(dir).unwrap();
    rows.into_iter().map(|r| r.id).collect()
}

#[test]
fn rows_survive_reopening() {
    let dir = temp_dir("reopen");
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
    rx.recv().unwrap().result.unwrap();
    drop(store);
    assert!(stored_ids(&dir).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn in_memory_acknowledges_at_once() {
    assert!(wait(&Store::in_memory(), vec![row("i")]).is_ok());
}

#[test]
fn jobs_are_numbered_in_queue_order() {
    let dir = temp_dir("numbers");
    let (store, _) = Store::open(&dir).unwrap();
    let first = submit(&store, vec![row("vpc-1")]).recv().unwrap();
    let second = submit(&store, vec![]).recv().unwrap();
    assert_eq!((first.seq + 1, second.seq), (second.seq, second.seq));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failure_fails_every_later_job_until_resumed() {
    let dir = temp_dir("failure");
    let faults = Arc::new(Faults::default());
    let (store, _) = Store::open_with_faults(&dir, faults.clone()).unwrap();
    wait(&store, vec![row("vpc-kept")]).unwrap();

    faults.fail_next(false);
    faults.hold();
    let failing = submit(&store, vec![row("vpc-failed")]);
    faults.wait_until_held();
    // Queued behind the failing batch, in a batch of its own.
    let later = submit(&store, vec![row("vpc-later")]);
    faults.release();

    let failed = failing.recv().unwrap();
    let failure = failed.result.clone().unwrap_err();
    assert_eq!(failure.from, failed.seq);
    assert!(!failure.maybe_written);
    assert_eq!(failure.message, Faults::MESSAGE);
    let later = later.recv().unwrap();
    assert_eq!(later.result, Err(failure.clone()), "a job queued after a failure fails with it");

    // Still stopped: nothing is written before the owner resumes.
    let before_resume = submit(&store, vec![row("vpc-before-resume")]);
    assert_eq!(before_resume.recv().unwrap().result, Err(failure.clone()));
    // A resume naming another failure does nothing.
    store.resume(failure.from + 1000);
    assert!(wait(&store, vec![row("vpc-wrong-resume")]).is_err());

    store.resume(failure.from);
    wait(&store, vec![row("vpc-after")]).unwrap();
    drop(store);
    assert_eq!(stored_ids(&dir), ["vpc-after", "vpc-kept"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failure_inside_a_batch_fails_the_whole_batch() {
    let dir = temp_dir("batch");
    let faults = Arc::new(Faults::default());
    let (store, _) = Store::open_with_faults(&dir, faults.clone()).unwrap();
    faults.hold();
    let first = submit(&store, vec![row("vpc-0")]);
    faults.wait_until_held();
    // These three queue up while the first batch is held: the next batch takes them all.
    let rest: Vec<_> = (1..4).map(|n| submit(&store, vec![row(&format!("vpc-{n}"))])).collect();
    faults.fail_next(true);
    faults.release();
    first.recv().unwrap().result.unwrap();
    let receipts: Vec<Receipt> = rest.iter().map(|rx| rx.recv().unwrap()).collect();
    let failure = receipts[0].result.clone().unwrap_err();
    assert!(failure.maybe_written);
    assert_eq!(failure.from, receipts[0].seq, "the failure starts at the batch's first job");
    assert!(receipts.iter().all(|r| r.result == Err(failure.clone())));
    store.resume(failure.from);
    wait(&store, vec![]).unwrap();
    drop(store);
    assert_eq!(stored_ids(&dir), ["vpc-0"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_full_disk_is_known_not_written_other_commit_errors_are_not() {
    let error = |code| rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None);
    let full = BatchError { error: error(rusqlite::ffi::SQLITE_FULL), at_commit: true };
    assert!(!full.maybe_written());
    let io = BatchError { error: error(rusqlite::ffi::SQLITE_IOERR_FSYNC), at_commit: true };
    assert!(io.maybe_written());
    assert!(!BatchError::before_commit(error(rusqlite::ffi::SQLITE_IOERR)).maybe_written());
}
