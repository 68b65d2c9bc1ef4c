//! The store's story suite: every story runs against SQLite (a temporary file) always, and
//! against PostgreSQL on the server `DATABASE_URL` names (each test creates its own database on
//! it through the given maintenance database and drops it afterwards). Without `DATABASE_URL`
//! the PostgreSQL tests fail unless `VERZUIM_TEST_SKIP_POSTGRES=1` (`verzuim_store::test_support`).
//!
//! `DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo test -p verzuim-store`

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;
use verzuim_store::Store;

mod fixtures;

mod audit;
mod auth_queries;
mod durability;
mod jobs;
mod outbox;
mod people;
mod placing;
mod queries;
mod registrations;
mod retention;
mod school_cache;
mod scope;
mod workflow;

/// What a story gets: a migrated store and the URL to open it again.
pub struct Ctx {
    pub store: Store,
    pub url: String,
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
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("verzuim.db").display());
    let store = Store::connect(&url).await.expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    let outcome = tokio::spawn(story(Ctx { store, url })).await;
    drop(dir);
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub async fn run_postgres<F, Fut>(story: F)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(admin_url) = verzuim_store::test_support::postgres_url() else {
        return;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!(
        "verzuim_test_{}_{}_{}",
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
    let outcome = async {
        let store = Store::connect(&url).await.expect("open postgres");
        store.migrate().await.expect("migrate postgres");
        let handle_store = store.clone();
        let outcome = tokio::spawn(story(Ctx {
            store,
            url: url.clone(),
        }))
        .await;
        handle_store.close().await;
        outcome
    }
    .await;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .expect("drop test database");
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
