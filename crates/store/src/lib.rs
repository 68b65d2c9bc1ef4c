//! `verzuim-store`: persistence for verzuim. One [`Store`] with SQLite and PostgreSQL behind it,
//! migrations per backend, and every operation the service needs, so the server writes no SQL.
//!
//! - Every operation is a method of [`Tx`] (a transaction). [`Store`] has the same methods: a
//!   read runs on a pooled connection, a write in its own transaction. Several writes that must
//!   land together (registrations and the re-evaluated signals) use [`Store::transaction`] or
//!   [`Store::begin`].
//! - Organisation scope is a parameter of every query (a school id, or a [`Scope`]), part of the
//!   SQL `WHERE`, never a filter afterwards.
//! - Lists take a [`Page`] (at most [`MAX_PAGE_SIZE`] rows).
//! - Registrations and events are versioned: a correction or deletion adds a version.
//! - The audit log is append-only (database triggers refuse UPDATE and DELETE).
//!
//! Dates are stored as `YYYY-MM-DD` text and timestamps as fixed-width UTC text on both backends.

mod audit;
pub mod auth_queries;
mod bulk;
pub mod card_history;
pub mod case_life;
pub mod clock;
mod db;
mod error;
pub mod import_review;
mod jobs;
pub mod leerplicht_queries;
pub mod letters;
mod login_attempts;
pub mod melding_changes;
mod org;
pub mod outbox;
pub mod overview;
pub mod parents;
pub mod placing;
pub mod pupil_state;
mod pupils;
mod queries;
pub mod recipients;
pub mod referral_forms;
pub mod region_queries;
pub mod school_cache;
pub mod school_reports;
pub mod second_factor;
mod task_batch;
pub mod test_support;
mod types;
mod workflow;
mod writer;

use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::Date;
use sha2::{Digest, Sha256};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool};
use verzuim_engine::model::{Registration, Signal, SignalKind};

pub use crate::bulk::{BulkCounts, NewPupilRecord};
pub use crate::clock::{Clock, ManualClock};
pub use crate::db::statements_run;
use crate::db::{Arg, Conn};
pub use crate::error::{Result, StoreError};
pub use crate::queries::{
    CasesOf, InboxTask, MeldingLink, NewTimelineEntry, NumberKind, ReferralLink,
    ServiceRetentionCounts, TaskLink, TaskLinkKind, TimelineEntry,
};
pub use crate::second_factor::{LoginState, MemberSecondFactor, SecondFactor};
pub use crate::types::*;

/// The migrations, embedded: `(version, description, SQLite SQL, PostgreSQL SQL)`, one entry per
/// `migrations/{sqlite,postgres}/NNNN_description.sql` pair (a unit test checks the list against
/// the directories). Embedded by hand rather than with `sqlx::migrate!`, so that sqlx's `macros`
/// feature, which builds sqlx and the bundled SQLite a second time for the proc macro, is not
/// needed. Versions, descriptions and checksums are those `migrate!` would give.
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "schema",
        include_str!("../migrations/sqlite/0001_schema.sql"),
        include_str!("../migrations/postgres/0001_schema.sql"),
    ),
    (
        2,
        "service",
        include_str!("../migrations/sqlite/0002_service.sql"),
        include_str!("../migrations/postgres/0002_service.sql"),
    ),
    (
        5,
        "leerplicht",
        include_str!("../migrations/sqlite/0005_leerplicht.sql"),
        include_str!("../migrations/postgres/0005_leerplicht.sql"),
    ),
    (
        20,
        "second factor",
        include_str!("../migrations/sqlite/0020_second_factor.sql"),
        include_str!("../migrations/postgres/0020_second_factor.sql"),
    ),
    (
        21,
        "case letters",
        include_str!("../migrations/sqlite/0021_case_letters.sql"),
        include_str!("../migrations/postgres/0021_case_letters.sql"),
    ),
    (
        50,
        "job runs",
        include_str!("../migrations/sqlite/0050_job_runs.sql"),
        include_str!("../migrations/postgres/0050_job_runs.sql"),
    ),
    (
        60,
        "melding changes",
        include_str!("../migrations/sqlite/0060_melding_changes.sql"),
        include_str!("../migrations/postgres/0060_melding_changes.sql"),
    ),
    (
        65,
        "case chains",
        include_str!("../migrations/sqlite/0065_case_chains.sql"),
        include_str!("../migrations/postgres/0065_case_chains.sql"),
    ),
    (
        80,
        "mail outbox",
        include_str!("../migrations/sqlite/0080_mail_outbox.sql"),
        include_str!("../migrations/postgres/0080_mail_outbox.sql"),
    ),
    (
        90,
        "parents",
        include_str!("../migrations/sqlite/0090_parents.sql"),
        include_str!("../migrations/postgres/0090_parents.sql"),
    ),
    (
        100,
        "referral form",
        include_str!("../migrations/sqlite/0100_referral_form.sql"),
        include_str!("../migrations/postgres/0100_referral_form.sql"),
    ),
    (
        101,
        "leerplicht care",
        include_str!("../migrations/sqlite/0101_leerplicht_care.sql"),
        include_str!("../migrations/postgres/0101_leerplicht_care.sql"),
    ),
    (
        102,
        "school reports",
        include_str!("../migrations/sqlite/0102_school_reports.sql"),
        include_str!("../migrations/postgres/0102_school_reports.sql"),
    ),
    (
        110,
        "duo register",
        include_str!("../migrations/sqlite/0110_duo_register.sql"),
        include_str!("../migrations/postgres/0110_duo_register.sql"),
    ),
    (
        120,
        "lesson time history",
        include_str!("../migrations/sqlite/0120_lesson_time_history.sql"),
        include_str!("../migrations/postgres/0120_lesson_time_history.sql"),
    ),
    (
        130,
        "event corrections",
        include_str!("../migrations/sqlite/0130_event_corrections.sql"),
        include_str!("../migrations/postgres/0130_event_corrections.sql"),
    ),
    (
        131,
        "card history",
        include_str!("../migrations/sqlite/0131_card_history.sql"),
        include_str!("../migrations/postgres/0131_card_history.sql"),
    ),
    (
        140,
        "leave documents",
        include_str!("../migrations/sqlite/0140_leave_documents.sql"),
        include_str!("../migrations/postgres/0140_leave_documents.sql"),
    ),
    (
        150,
        "duo status",
        include_str!("../migrations/sqlite/0150_duo_status.sql"),
        include_str!("../migrations/postgres/0150_duo_status.sql"),
    ),
    (
        160,
        "import review",
        include_str!("../migrations/sqlite/0160_import_review.sql"),
        include_str!("../migrations/postgres/0160_import_review.sql"),
    ),
    (
        170,
        "school settings version",
        include_str!("../migrations/sqlite/0170_school_settings_version.sql"),
        include_str!("../migrations/postgres/0170_school_settings_version.sql"),
    ),
    (
        180,
        "pupils school group",
        include_str!("../migrations/sqlite/0180_pupils_school_group.sql"),
        include_str!("../migrations/postgres/0180_pupils_school_group.sql"),
    ),
    (
        190,
        "tasks pupil signal",
        include_str!("../migrations/sqlite/0190_tasks_pupil_signal.sql"),
        include_str!("../migrations/postgres/0190_tasks_pupil_signal.sql"),
    ),
];

fn migrator(backend: Backend) -> sqlx::migrate::Migrator {
    use sqlx::migrate::{Migration, MigrationType, Migrator};
    let migrations = MIGRATIONS
        .iter()
        .map(|&(version, description, sqlite, postgres)| {
            let sql = match backend {
                Backend::Sqlite => sqlite,
                Backend::Postgres => postgres,
            };
            Migration::new(
                version,
                description.into(),
                MigrationType::Simple,
                sql.into(),
                false,
            )
        })
        .collect::<Vec<_>>();
    Migrator {
        migrations: migrations.into(),
        ..Migrator::DEFAULT
    }
}

/// Which database a [`Store`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database: a pool of SQLite or PostgreSQL connections. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    /// SQLite: the one connection every write transaction runs on (group commit).
    writer: Option<std::sync::Arc<writer::Writer>>,
    /// What stamps every write (`recorded_at`, `created_at`, the audit log).
    clock: Clock,
    /// Schools' settings as parsed, by version (`school_cache.rs`), shared by the clones.
    cache: std::sync::Arc<school_cache::SchoolCache>,
}

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

/// The PostgreSQL connections one process keeps: 4 per core, at least 8 and at most 32. Every
/// connection is a PostgreSQL backend sharing the same cores as the service; on 2 cores 8
/// carried `bench api` as many registrations as 16 or more, with a p99 of 30-32 ms instead of
/// 37-44 (docs/benchmarks.md, 4 December 2026). Several `serve` processes on one server each
/// keep their own (the server's default `max_connections` is 100).
fn pg_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    (4 * cores).clamp(8, 32) as u32
}

impl Store {
    /// Opens `sqlite://path` (created if missing; WAL, foreign keys, `synchronous=FULL` so an
    /// acknowledged write survives a kill), a bare file path (taken as SQLite), or
    /// `postgres://…` / `postgresql://…`. Does not migrate: call [`Store::migrate`].
    pub async fn connect(url: &str) -> Result<Store> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // The planner's settings of every connection (issue 13.3, docs/benchmarks.md): no JIT
            // compilation (our queries are short; a query of 0.1 ms estimated too high, e.g.
            // on a table that grew since its last ANALYZE, spent 200+ ms compiling), and random
            // reads priced as on an SSD or a cached database (the default 4 is for spinning disks;
            // with it a school's inbox hashed all 50,000 cases of a region instead of looking up
            // its 750, 49 ms instead of 2 ms), and no parallel workers for one query (every
            // query reads one school's, pupil's or municipality's rows; with many users at once a
            // worker only takes a core from another request: a school's inbox of 1,089 tasks took
            // 8.4 ms with a worker and 5.9 ms without). Results are the same; only plans change.
            let options = PgConnectOptions::from_str(url)
                .map_err(|_| StoreError::UnsupportedUrl(redact(url)))?
                .options([
                    ("jit", "off"),
                    ("random_page_cost", "1.1"),
                    ("max_parallel_workers_per_gather", "0"),
                ]);
            // No ping when a connection is taken from the pool (issue 13.1: a round trip per
            // acquire, three per registration): sqlx already pings every connection when it
            // goes back to the pool and drops it when that fails, so an idle connection was
            // alive when it was put back. One that died since (the server restarted) fails its
            // next statement, and is dropped when it goes back.
            let pool = PgPoolOptions::new()
                .max_connections(pg_pool_size())
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            return Ok(Store {
                pool: Pool::Pg(pool),
                writer: None,
                clock: Clock::system(),
                cache: Default::default(),
            });
        }
        let options = if url.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url)
                .map_err(|_| StoreError::UnsupportedUrl(redact(url)))?
        } else if url.contains("://") {
            return Err(StoreError::UnsupportedUrl(redact(url)));
        } else {
            SqliteConnectOptions::new().filename(url)
        };
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options.clone())
            .await?;
        let writer = writer::Writer::open(&options).await?;
        Ok(Store {
            pool: Pool::Sqlite(pool),
            writer: Some(std::sync::Arc::new(writer)),
            clock: Clock::system(),
            cache: Default::default(),
        })
    }

    /// Runs the embedded migrations of this backend; a second run does nothing.
    ///
    /// On PostgreSQL, when every migration is already applied nothing is run at all, so that
    /// `verzuim serve` can run as a role that may not create tables (see
    /// `sql/postgres_service_role.sql`); the owner runs `verzuim migrate` for upgrades.
    pub async fn migrate(&self) -> Result<()> {
        let migrator = migrator(self.backend());
        match &self.pool {
            Pool::Sqlite(p) => migrator.run(p).await?,
            Pool::Pg(p) => {
                let applied: std::result::Result<Vec<(i64, Vec<u8>)>, _> = sqlx::query_as(
                    "SELECT version, checksum FROM _sqlx_migrations WHERE success ORDER BY version",
                )
                .fetch_all(p)
                .await;
                let up_to_date = applied.is_ok_and(|applied| {
                    applied.len() == migrator.iter().count()
                        && migrator.iter().zip(&applied).all(|(m, (v, sum))| {
                            m.version == *v && m.checksum.as_ref() == sum.as_slice()
                        })
                });
                if !up_to_date {
                    migrator.run(p).await?;
                }
            }
        }
        Ok(())
    }

    /// The same store (same pool) stamping its writes by `clock` (the demo, tests).
    pub fn with_clock(&self, clock: Clock) -> Store {
        Store {
            clock,
            ..self.clone()
        }
    }

    /// The time by the store's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The store's clock.
    pub fn clock(&self) -> Clock {
        self.clock.clone()
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Pg(_) => Backend::Postgres,
        }
    }

    /// Closes every connection (waits for those in use).
    pub async fn close(&self) {
        if let Some(w) = &self.writer {
            w.close().await;
        }
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Pg(p) => p.close().await,
        }
    }

    /// Starts a transaction. Dropped without [`Tx::commit`], it rolls back.
    ///
    /// On SQLite every write transaction runs on one writer connection: writers queue for it
    /// in-process (FIFO) and commit in groups (see `writer.rs`): the transaction is a savepoint
    /// in the writer's open transaction, and [`Tx::commit`] returns once that has committed.
    /// Do not begin a second transaction while holding one (it would wait for the first).
    pub async fn begin(&self) -> Result<Tx> {
        db::count_statement();
        let inner = match (&self.pool, &self.writer) {
            (Pool::Sqlite(_), Some(w)) => TxInner::SqliteWriter(w.begin().await?),
            (Pool::Sqlite(p), None) => TxInner::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            (Pool::Pg(p), _) => TxInner::Pg(p.begin().await?),
        };
        Ok(Tx {
            inner,
            clock: self.clock.clone(),
            cache: self.cache.clone(),
        })
    }

    /// A read-only transaction: every read in it sees the same committed state (PostgreSQL:
    /// `REPEATABLE READ READ ONLY`; SQLite: a deferred transaction on a reading connection,
    /// which never takes the write lock). For a page that reads much at once (the dossier).
    /// Nothing needs committing; dropping it ends it.
    pub async fn snapshot(&self) -> Result<Tx> {
        let inner = match &self.pool {
            Pool::Sqlite(p) => TxInner::Sqlite(p.begin_with("BEGIN DEFERRED").await?),
            Pool::Pg(p) => TxInner::Pg(
                p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?,
            ),
        };
        Ok(Tx {
            inner,
            clock: self.clock.clone(),
            cache: self.cache.clone(),
        })
    }

    /// Runs `f` in one transaction: commits when it returns `Ok`, rolls back otherwise.
    ///
    /// ```ignore
    /// store.transaction(|tx| Box::pin(async move {
    ///     let v = tx.add_registration("99XX00", "1001", &reg, None, actor).await?;
    ///     tx.insert_signal("99XX00", "1001", &signal, &evidence, None).await?;
    ///     Ok(v)
    /// })).await?;
    /// ```
    pub async fn transaction<T, E, F>(&self, f: F) -> Result<T, E>
    where
        E: From<StoreError>,
        F: for<'t> FnOnce(&'t mut Tx) -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 't>>,
    {
        let mut tx = self.begin().await?;
        match f(&mut tx).await {
            Ok(v) => {
                tx.commit().await?;
                Ok(v)
            }
            Err(e) => {
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    }

    /// A connection for reads, without a transaction.
    async fn reader(&self) -> Result<Tx> {
        let inner = match &self.pool {
            Pool::Sqlite(p) => TxInner::SqliteConn(p.acquire().await?),
            Pool::Pg(p) => TxInner::PgConn(p.acquire().await?),
        };
        Ok(Tx {
            inner,
            clock: self.clock.clone(),
            cache: self.cache.clone(),
        })
    }
}

/// A transaction (or, inside the store, a plain connection for reads). Has every operation of
/// the store as a method.
pub struct Tx {
    inner: TxInner,
    clock: Clock,
    cache: std::sync::Arc<school_cache::SchoolCache>,
}

enum TxInner {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Pg(sqlx::Transaction<'static, Postgres>),
    SqliteConn(PoolConnection<Sqlite>),
    PgConn(PoolConnection<Postgres>),
    SqliteWriter(writer::Held),
}

impl Tx {
    /// The time by the store's clock: what this transaction stamps its writes with.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Makes every write of this transaction durable.
    pub async fn commit(self) -> Result<()> {
        db::count_statement();
        match self.inner {
            TxInner::Sqlite(t) => t.commit().await?,
            TxInner::Pg(t) => t.commit().await?,
            TxInner::SqliteWriter(h) => h.commit().await?,
            TxInner::SqliteConn(_) | TxInner::PgConn(_) => {}
        }
        Ok(())
    }

    /// Undoes every write of this transaction.
    pub async fn rollback(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite(t) => t.rollback().await?,
            TxInner::Pg(t) => t.rollback().await?,
            TxInner::SqliteWriter(h) => h.rollback().await?,
            TxInner::SqliteConn(_) | TxInner::PgConn(_) => {}
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self.inner {
            TxInner::Sqlite(_) | TxInner::SqliteConn(_) | TxInner::SqliteWriter(_) => {
                Backend::Sqlite
            }
            TxInner::Pg(_) | TxInner::PgConn(_) => Backend::Postgres,
        }
    }

    pub(crate) fn c(&mut self) -> Conn<'_> {
        match &mut self.inner {
            TxInner::Sqlite(t) => Conn::Sqlite(&mut *t),
            TxInner::Pg(t) => Conn::Pg(&mut *t),
            TxInner::SqliteConn(c) => Conn::Sqlite(&mut *c),
            TxInner::PgConn(c) => Conn::Pg(&mut *c),
            TxInner::SqliteWriter(h) => Conn::Sqlite(h.conn()),
        }
    }

    /// Runs raw SQL in this transaction. For tests and administration only (the suite uses it
    /// to prove that the audit log refuses UPDATE and DELETE); the service never calls it.
    #[doc(hidden)]
    pub async fn execute_raw(&mut self, sql: &str) -> Result<u64> {
        self.c().execute(sql, Vec::new()).await
    }
}

impl Scope<'_> {
    /// The scope's condition on the pupil aliased `p`, and its argument.
    pub(crate) fn pupil_clause(&self) -> (&'static str, Arg) {
        match *self {
            Scope::School(s) => ("p.school_id = ?", s.into()),
            Scope::Municipality(m) => (
                "EXISTS (SELECT 1 FROM meldingen sm WHERE sm.pupil = p.id AND sm.municipality = ?)",
                m.into(),
            ),
            Scope::Ggd(g) => (
                "EXISTS (SELECT 1 FROM referrals sr WHERE sr.pupil = p.id AND sr.ggd_id = ?)",
                g.into(),
            ),
        }
    }
}

/// SHA-256 of a session or API token, in lower-case hex: what the store keeps instead of it.
pub fn hash_token(raw: &str) -> String {
    format!("{:x}", Sha256::digest(raw.as_bytes()))
}

/// How the audit log names a pupil: `school_id/pupil_id`.
pub fn pupil_ref(school_id: &str, pupil_id: &str) -> String {
    format!("{school_id}/{pupil_id}")
}

fn redact(url: &str) -> String {
    match url.split_once('@') {
        Some((_, host)) => format!("…@{host}"),
        None => url.to_owned(),
    }
}

macro_rules! delegate {
    ($( $kind:ident fn $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $ret:ty ; )*) => {
        impl Store {
            $( delegate!(@one $kind $name ($($arg : $ty),*) -> $ret); )*
        }
    };
    (@one read $name:ident ($($arg:ident : $ty:ty),*) -> $ret:ty) => {
        #[doc = concat!("[`Tx::", stringify!($name), "`] on a pooled connection.")]
        pub async fn $name(&self, $($arg: $ty),*) -> Result<$ret> {
            let mut tx = self.reader().await?;
            tx.$name($($arg),*).await
        }
    };
    (@one write $name:ident ($($arg:ident : $ty:ty),*) -> $ret:ty) => {
        #[doc = concat!("[`Tx::", stringify!($name), "`] in its own transaction.")]
        pub async fn $name(&self, $($arg: $ty),*) -> Result<$ret> {
            let mut tx = self.begin().await?;
            let out = tx.$name($($arg),*).await?;
            tx.commit().await?;
            Ok(out)
        }
    };
}

delegate! {
    // Organisations and schools.
    write fn put_organisation(org: &Organisation) -> ();
    read fn organisation(id: &str) -> Option<Organisation>;
    read fn list_organisations(kind: Option<OrgKind>, page: Page) -> Vec<Organisation>;
    write fn put_school_settings(school_id: &str, settings: &SchoolSettings) -> ();
    read fn school_settings(school_id: &str) -> Option<SchoolSettings>;
    // Users, memberships, sessions, throttling, API tokens.
    write fn create_user(user: &NewUser) -> UserId;
    read fn user(id: UserId) -> Option<User>;
    read fn user_by_email(email: &str) -> Option<User>;
    read fn count_users() -> u64;
    write fn set_password_hash(id: UserId, password_hash: &str) -> ();
    write fn add_membership(membership: &Membership) -> ();
    write fn remove_membership(user_id: UserId, organisation_id: &str, role: Role) -> bool;
    read fn memberships_of_user(user_id: UserId) -> Vec<Membership>;
    read fn members_of_organisation(organisation_id: &str, page: Page) -> Vec<(User, Membership)>;
    write fn create_session(session: &Session) -> ();
    read fn session(id: &str, now: Timestamp) -> Option<Session>;
    write fn touch_session(id: &str, now: Timestamp, expires_at: Timestamp) -> bool;
    write fn delete_session(id: &str) -> bool;
    write fn delete_sessions_of_user(user_id: UserId) -> u64;
    write fn delete_expired_sessions(now: Timestamp) -> u64;
    read fn login_throttle(key: ThrottleKey<'_>) -> Option<Throttle>;
    read fn job_run(job: &str, period: &str) -> Option<String>;
    write fn reset_login_failures(key: ThrottleKey<'_>) -> ();
    write fn create_api_token(token: &NewApiToken, by: Actor) -> TokenId;
    read fn api_token_by_hash(token_hash: &str) -> Option<ApiToken>;
    read fn api_token_with_kind_by_hash(token_hash: &str) -> Option<(ApiToken, OrgKind)>;
    write fn touch_api_token(id: TokenId, now: Timestamp) -> ();
    write fn revoke_api_token(organisation_id: &str, id: TokenId) -> bool;
    read fn list_api_tokens(organisation_id: &str, page: Page) -> Vec<ApiToken>;
    // Pupils, registrations, events.
    write fn insert_pupil(school_id: &str, pupil: &PupilData) -> ();
    write fn update_pupil(school_id: &str, pupil: &PupilData) -> ();
    write fn deregister_pupil(school_id: &str, pupil_id: &str, enrolled_until: Date, next_school: Option<&str>) -> ();
    read fn pupil(scope: Scope<'_>, school_id: &str, pupil_id: &str) -> Option<StoredPupil>;
    read fn list_pupils(scope: Scope<'_>, page: Page) -> Vec<StoredPupil>;
    write fn add_registration(school_id: &str, pupil_id: &str, registration: &Registration, note: Option<&str>, by: Actor) -> VersionRef;
    write fn correct_registration(school_id: &str, id: RegistrationId, registration: &Registration, note: Option<&str>, by: Actor) -> VersionRef;
    write fn delete_registration(school_id: &str, id: RegistrationId, by: Actor) -> VersionRef;
    read fn list_registrations(scope: Scope<'_>, school_id: &str, pupil_id: &str, page: Page) -> Vec<StoredRegistration>;
    read fn registration_history(scope: Scope<'_>, id: RegistrationId) -> Vec<StoredRegistration>;
    write fn add_event(school_id: &str, pupil_id: &str, event: &verzuim_engine::model::Event, by: Actor) -> VersionRef;
    write fn correct_event(school_id: &str, id: EventId, event: &verzuim_engine::model::Event, by: Actor) -> VersionRef;
    write fn delete_event(school_id: &str, id: EventId, by: Actor) -> VersionRef;
    read fn list_events(scope: Scope<'_>, school_id: &str, pupil_id: &str, page: Page) -> Vec<StoredEvent>;
    read fn event_history(scope: Scope<'_>, id: EventId) -> Vec<StoredEvent>;
    read fn current_record(school_id: &str, pupil_id: &str) -> Option<CurrentRecord>;
    // Signals, cases, tasks.
    write fn insert_signal(school_id: &str, pupil_id: &str, signal: &Signal, evidence: &[StoredEvidence], case_id: Option<CaseId>) -> SignalId;
    read fn active_signals(scope: Scope<'_>, school_id: &str, pupil_id: &str) -> Vec<StoredSignal>;
    read fn list_signals(scope: Scope<'_>, status: Option<SignalStatus>, page: Page) -> Vec<StoredSignal>;
    write fn withdraw_signal(school_id: &str, id: SignalId, reason: &str, by: Actor) -> Vec<TaskId>;
    write fn open_case(school_id: &str, pupil_id: &str, kinds: &[SignalKind], opened_on: Date) -> CaseId;
    read fn open_case_of_pupil(scope: Scope<'_>, school_id: &str, pupil_id: &str) -> Option<Case>;
    write fn add_case_kind(school_id: &str, case: &Case, kind: SignalKind) -> ();
    write fn close_case(school_id: &str, case_id: CaseId, reason: &str) -> ();
    read fn case(scope: Scope<'_>, case_id: CaseId) -> Option<Case>;
    read fn list_cases(scope: Scope<'_>, open_only: bool, page: Page) -> Vec<Case>;
    write fn create_task(task: &NewTask, by: Actor) -> TaskId;
    write fn set_task_status(organisation_id: &str, id: TaskId, status: TaskStatus, reason: Option<&str>, by: Actor) -> ();
    read fn task(organisation_id: &str, id: TaskId) -> Option<Task>;
    read fn list_tasks(organisation_id: &str, status: Option<TaskStatus>, page: Page) -> Vec<Task>;
    read fn case_tasks(scope: Scope<'_>, of: CasesOf<'_>, page: Option<Page>) -> Vec<Task>;
    read fn task_history(organisation_id: &str, id: TaskId) -> Vec<HistoryEntry>;
    // Meldingen, referrals, GGD-JGZ notes, parents' information.
    write fn create_melding(school_id: &str, melding: &NewMelding, by: Actor) -> MeldingId;
    write fn set_melding_status(scope: Scope<'_>, id: MeldingId, status: MeldingStatus, reason: Option<&str>, by: Actor) -> ();
    read fn melding(scope: Scope<'_>, id: MeldingId) -> Option<Melding>;
    read fn list_meldingen(scope: Scope<'_>, page: Page) -> Vec<Melding>;
    read fn melding_history(scope: Scope<'_>, id: MeldingId) -> Vec<HistoryEntry>;
    write fn create_referral(school_id: &str, case_id: CaseId, ggd_id: &str, by: Actor) -> ReferralId;
    write fn set_referral_status(scope: Scope<'_>, id: ReferralId, status: ReferralStatus, by: Actor) -> ();
    read fn referral(scope: Scope<'_>, id: ReferralId) -> Option<Referral>;
    read fn list_referrals(scope: Scope<'_>, page: Page) -> Vec<Referral>;
    read fn referral_history(scope: Scope<'_>, id: ReferralId) -> Vec<HistoryEntry>;
    write fn add_jgz_note(ggd_id: &str, referral_id: ReferralId, text: &str, by: Actor) -> i64;
    read fn jgz_notes(ggd_id: &str, referral_id: ReferralId, page: Page) -> Vec<JgzNote>;
    write fn record_parent_information(school_id: &str, pupil_id: &str, info: &NewParentInformation, by: Actor) -> i64;
    read fn parent_information(scope: Scope<'_>, school_id: &str, pupil_id: &str, page: Page) -> Vec<ParentInformation>;
    // The parents' portal.
    write fn link_parent(user: UserId, school_id: &str, pupil_id: &str, by: Actor) -> ();
    // Audit and retention.
    write fn audit(entry: &AuditEntry) -> i64;
    read fn audit_log(organisation_id: &str, page: Page) -> Vec<AuditRecord>;
    read fn audit_log_of_pupil(organisation_id: &str, pupil: &str, page: Page) -> Vec<AuditRecord>;
    write fn apply_retention(today: Date, years: i16) -> RetentionReport;
    // E-mail: the outbox and the users' choices (outbox.rs).
    write fn enqueue_mail(mail: &outbox::NewMail) -> Option<i64>;
    write fn claim_mail(process: &str, lease_until: Timestamp, limit: u32) -> Vec<outbox::OutboxMail>;
    write fn mail_sent(id: i64) -> bool;
    write fn mail_retry(id: i64, process: &str, error: &str, next_attempt_at: Timestamp) -> bool;
    write fn mail_failed(id: i64, process: &str, error: &str) -> bool;
    read fn outbox_mail(id: i64) -> Option<outbox::OutboxMail>;
    read fn outbox(recipient: Option<&str>, page: Page) -> Vec<outbox::OutboxMail>;
    read fn mail_preferences(user_id: UserId) -> Vec<(outbox::MailKind, outbox::MailMode)>;
    write fn set_mail_preference(user_id: UserId, kind: outbox::MailKind, mode: outbox::MailMode) -> ();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every migration file is in `MIGRATIONS`, under its version and description, for both
    /// backends, and nothing else is.
    #[test]
    fn embedded_migrations_match_the_directories() {
        for (dir, backend) in [("sqlite", Backend::Sqlite), ("postgres", Backend::Postgres)] {
            let path = format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR"));
            let mut files: Vec<(i64, String, String)> = std::fs::read_dir(&path)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "sql"))
                .map(|p| {
                    let stem = p.file_stem().unwrap().to_str().unwrap().to_owned();
                    let (v, d) = stem.split_once('_').expect("NNNN_description.sql");
                    let sql = std::fs::read_to_string(&p).unwrap();
                    (v.parse().unwrap(), d.replace('_', " "), sql)
                })
                .collect();
            files.sort();
            let embedded: Vec<(i64, String, String)> = migrator(backend)
                .iter()
                .map(|m| (m.version, m.description.to_string(), m.sql.to_string()))
                .collect();
            assert_eq!(embedded, files, "migrations/{dir} and MIGRATIONS differ");
        }
    }
}
