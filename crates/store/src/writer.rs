//! SQLite's writer: one connection for every write transaction, writers queued in-process in
//! FIFO order, and group commit.
//!
//! SQLite has one writer at a time. Letting pooled connections fight for its lock makes them
//! sleep in SQLite's busy handler (1, 2, 5, … 100 ms), and every commit is an fsync. Instead:
//!
//! - [`Writer::begin`] waits for the writer connection on a fair async mutex (FIFO, with a
//!   timeout like SQLite's `busy_timeout`), starts the shared transaction (`BEGIN IMMEDIATE`) if
//!   none is open, and opens a savepoint for this caller: the caller's [`crate::Tx`].
//! - Committing that `Tx` releases its savepoint: its writes join the open transaction, the
//!   *batch*. Rolling it back (or dropping it) rolls back to the savepoint: only its own writes
//!   go. Then the connection passes to the next writer in the queue, which continues the batch.
//! - The batch commits (one `COMMIT`, one fsync with `synchronous=FULL`) when nobody is waiting
//!   for the writer, when it reaches [`MAX_BATCH`] members, or when the committer task (which
//!   queues for the writer like everybody else) gets its turn.
//! - A `Tx::commit` returns only after its batch committed: a write is acknowledged only when it
//!   is durable. If the batch's `COMMIT` fails, every member's `commit` fails.
//!
//! So under load one fsync covers many registrations, and no writer ever sleeps on a lock held
//! by another connection of this process.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor, SqliteConnection};
use tokio::sync::{Mutex, Notify, OwnedMutexGuard, watch};

use crate::error::{Result, StoreError};

/// At most this many transactions commit together (bounds a batch's latency).
pub(crate) const MAX_BATCH: usize = 64;
/// How long a writer waits for its turn before giving up (like SQLite's `busy_timeout`).
const WAIT: Duration = Duration::from_secs(10);

/// The outcome of a batch's `COMMIT`, `None` while it is open.
type Outcome = Option<std::result::Result<(), String>>;

pub(crate) struct Writer {
    state: Arc<Mutex<State>>,
    /// Writers waiting for the connection (so a commit knows whether to wait for company).
    waiting: Arc<AtomicUsize>,
    /// Wakes the committer task.
    nudge: Arc<Notify>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

pub(crate) struct State {
    /// `None` after [`Writer::close`].
    conn: Option<SqliteConnection>,
    /// The open transaction, if any.
    batch: Option<Batch>,
    /// A member's savepoint is open (its `Tx` is live, or was dropped without commit/rollback).
    member_open: bool,
}

struct Batch {
    /// Members whose savepoint was released into the batch.
    members: usize,
    done: watch::Sender<Outcome>,
}

/// The writer connection, held by one transaction.
pub(crate) struct Held {
    guard: OwnedMutexGuard<State>,
    nudge: Arc<Notify>,
    waiting: Arc<AtomicUsize>,
}

impl Drop for Held {
    fn drop(&mut self) {
        // Whoever gets the connection next (a writer or the committer) finishes the batch or
        // rolls back a savepoint left open by a dropped `Tx`.
        if self.guard.batch.is_some() {
            self.nudge.notify_one();
        }
    }
}

const SAVEPOINT: &str = "SAVEPOINT verzuim_tx";
const RELEASE: &str = "RELEASE verzuim_tx";
const ROLLBACK_TO: &str = "ROLLBACK TO verzuim_tx";

impl Writer {
    /// Opens the writer connection and starts its committer task.
    pub(crate) async fn open(options: &SqliteConnectOptions) -> Result<Writer> {
        let conn = options.connect().await?;
        let state = Arc::new(Mutex::new(State {
            conn: Some(conn),
            batch: None,
            member_open: false,
        }));
        let nudge = Arc::new(Notify::new());
        tokio::spawn(committer(Arc::downgrade(&state), nudge.clone()));
        Ok(Writer {
            state,
            waiting: Arc::new(AtomicUsize::new(0)),
            nudge,
        })
    }

    /// Waits for the writer connection (FIFO) and opens a savepoint in the batch.
    pub(crate) async fn begin(&self) -> Result<Held> {
        let guard = {
            let _waiting = Waiting::new(&self.waiting);
            tokio::time::timeout(WAIT, self.state.clone().lock_owned())
                .await
                .map_err(|_| StoreError::Database(sqlx::Error::PoolTimedOut))?
        };
        let mut held = Held {
            guard,
            nudge: self.nudge.clone(),
            waiting: self.waiting.clone(),
        };
        let state = &mut *held.guard;
        state.clean_up().await;
        let Some(conn) = state.conn.as_mut() else {
            return Err(sqlx::Error::PoolClosed.into());
        };
        if state.batch.is_none() {
            conn.execute("BEGIN IMMEDIATE").await?;
            state.batch = Some(Batch {
                members: 0,
                done: watch::Sender::new(None),
            });
        }
        state.member_open = true;
        if let Err(e) = conn.execute(SAVEPOINT).await {
            state.abort(&e.to_string()).await;
            return Err(e.into());
        }
        Ok(held)
    }

    /// Commits what is pending and closes the connection; later writes fail.
    pub(crate) async fn close(&self) {
        let mut state = self.state.lock().await;
        state.clean_up().await;
        state.finish().await;
        if let Some(conn) = state.conn.take() {
            let _ = conn.close().await;
        }
    }
}

impl Held {
    pub(crate) fn conn(&mut self) -> &mut SqliteConnection {
        self.guard
            .conn
            .as_mut()
            .expect("the writer connection is open while a transaction holds it")
    }

    /// Releases the savepoint into the batch, then waits until the batch committed.
    pub(crate) async fn commit(mut self) -> Result<()> {
        let waiting = self.waiting.clone();
        let state = &mut *self.guard;
        let conn = state.conn.as_mut().expect("open");
        if let Err(e) = conn.execute(RELEASE).await {
            state.abort(&e.to_string()).await;
            return Err(e.into());
        }
        state.member_open = false;
        let batch = state.batch.as_mut().expect("a member is in a batch");
        batch.members += 1;
        let mut done = batch.done.subscribe();
        if waiting.load(Ordering::Acquire) == 0 || batch.members >= MAX_BATCH {
            state.finish().await;
        }
        drop(self);
        let outcome = done
            .wait_for(Option::is_some)
            .await
            .map_err(|_| closed())?
            .clone();
        outcome.expect("waited for Some").map_err(|e| {
            StoreError::Database(sqlx::Error::Protocol(format!("group commit failed: {e}")))
        })
    }

    /// Rolls back to the savepoint: this transaction's writes go, the batch's stay.
    pub(crate) async fn rollback(mut self) -> Result<()> {
        self.guard.clean_up().await;
        if self.guard.batch.as_ref().is_some_and(|b| b.members == 0) {
            // Nobody else's writes in it: end the transaction now.
            self.guard.finish().await;
        }
        Ok(())
    }
}

impl State {
    /// Rolls back a savepoint a dropped `Tx` left open.
    async fn clean_up(&mut self) {
        if !self.member_open {
            return;
        }
        self.member_open = false;
        let Some(conn) = self.conn.as_mut() else {
            return;
        };
        let undone = match conn.execute(ROLLBACK_TO).await {
            Ok(_) => conn.execute(RELEASE).await.map(|_| ()),
            Err(e) => Err(e),
        };
        if let Err(e) = undone {
            self.abort(&e.to_string()).await;
        }
    }

    /// Ends the batch: commits it if it has members, rolls it back otherwise, and tells the
    /// members.
    async fn finish(&mut self) {
        let Some(batch) = self.batch.take() else {
            return;
        };
        let Some(conn) = self.conn.as_mut() else {
            let _ = batch
                .done
                .send(Some(Err("schrijfverbinding gesloten".into())));
            return;
        };
        let sql = if batch.members > 0 {
            "COMMIT"
        } else {
            "ROLLBACK"
        };
        let outcome = match conn.execute(sql).await {
            Ok(_) => Ok(()),
            Err(e) => {
                let _ = conn.execute("ROLLBACK").await;
                Err(e.to_string())
            }
        };
        let _ = batch.done.send(Some(outcome));
    }

    /// Something failed that leaves the batch in doubt: roll it all back and fail its members.
    async fn abort(&mut self, why: &str) {
        self.member_open = false;
        if let Some(conn) = self.conn.as_mut() {
            let _ = conn.execute("ROLLBACK").await;
        }
        if let Some(batch) = self.batch.take() {
            let _ = batch.done.send(Some(Err(why.to_owned())));
        }
    }
}

fn closed() -> StoreError {
    StoreError::Database(sqlx::Error::PoolClosed)
}

/// Counts a writer as waiting while it exists (also when its wait is cancelled).
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn new(n: &'a AtomicUsize) -> Self {
        n.fetch_add(1, Ordering::AcqRel);
        Waiting(n)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Commits a batch left open when its last member handed the connection to a writer that never
/// took it (cancelled), and rolls back savepoints of dropped transactions. Queues for the
/// connection like every writer, so the writers ahead of it join the batch first.
async fn committer(state: Weak<Mutex<State>>, nudge: Arc<Notify>) {
    loop {
        nudge.notified().await;
        let Some(state) = state.upgrade() else {
            return;
        };
        let mut state = state.lock().await;
        state.clean_up().await;
        state.finish().await;
    }
}
