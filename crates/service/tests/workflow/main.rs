//! The service's workflow, end to end without HTTP: every story runs against SQLite (a temporary
//! file) always, and against PostgreSQL on the server `DATABASE_URL` names (each test creates its
//! own database through the given maintenance database and drops it afterwards). Without
//! `DATABASE_URL` the PostgreSQL tests fail unless `VERZUIM_TEST_SKIP_POSTGRES=1`
//! (`verzuim_store::test_support`).
//!
//! `DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo test -p verzuim-service`

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;
use verzuim_store::Store;

mod fixtures;

mod after_melding;
mod card_actions;
mod cases;
mod corrections;
mod ggd;
mod import;
mod import_review;
mod mail;
mod meldingen;
mod privacy;
mod property;
mod region;
mod relatief;
mod settings_cache;
mod visibility;

/// What a story gets: a migrated store.
pub struct Ctx {
    pub store: Store,
}

/// Declares stories: for each, a module with a `sqlite` and a `postgres` test.
#[macro_export]
macro_rules! stories {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    $crate::run_sqlite(super::$name).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    $crate::run_postgres(super::$name).await
                }
            }
        )*
    };
}

pub async fn run_sqlite<F, Fut>(story: F)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (store, dir) = sqlite_store().await;
    let outcome = tokio::spawn(story(Ctx { store })).await;
    drop(dir);
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// A migrated SQLite store in a temporary directory (kept while the directory lives).
pub async fn sqlite_store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("verzuim.db").display());
    let store = Store::connect(&url).await.expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    (store, dir)
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh PostgreSQL database on the server `DATABASE_URL` names; `None` when the run opted out
/// (`VERZUIM_TEST_SKIP_POSTGRES=1`; without either the test fails).
pub struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    pub async fn create() -> Option<PgDatabase> {
        let admin_url = verzuim_store::test_support::postgres_url()?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "verzuim_service_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            nanos
        );
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .expect("connect to the maintenance database");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create test database");
        let url = with_database(&admin_url, &name);
        Some(PgDatabase {
            admin_url,
            name,
            url,
        })
    }

    pub async fn drop_database(self) {
        let mut admin = sqlx::PgConnection::connect(&self.admin_url)
            .await
            .expect("connect to the maintenance database");
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut admin)
        .await
        .expect("drop test database");
    }
}

pub async fn run_postgres<F, Fut>(story: F)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(db) = PgDatabase::create().await else {
        return;
    };
    let outcome = async {
        let store = Store::connect(&db.url).await.expect("open postgres");
        store.migrate().await.expect("migrate postgres");
        let handle = store.clone();
        let outcome = tokio::spawn(story(Ctx { store })).await;
        handle.close().await;
        outcome
    }
    .await;
    db.drop_database().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// `postgres://u@h:p/postgres?x` -> `postgres://u@h:p/<name>?x`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let root = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}
