//! HTTP tests: the real server on 127.0.0.1:0, spoken to with reqwest. Every test runs on
//! SQLite (a temporary file) always, and on PostgreSQL on the server `DATABASE_URL` names (each
//! test creates its own database there and drops it afterwards; without `DATABASE_URL` the
//! PostgreSQL tests fail unless `VERZUIM_TEST_SKIP_POSTGRES=1`).
//!
//! `DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo test -p verzuim-server`
//!
//! One module per part of docs/spec/security.md; each test's name says the behaviour.

mod harness;
mod region;

mod accounts_api;
mod audit;
mod demo;
mod dossier;
mod health;
mod openapi;
mod passwords;
mod read_only;
mod requests;
mod second_factor;
mod sessions;
mod throttle;
mod tokens;
mod visibility_api;
mod web_pages;

// Issue 4: the beheerder's pages and the overviews.
mod beheer_pages;
mod inbox_pages;
mod overzicht_pages;
mod parents_portal;
mod pupil_pages;

// The workflow routes (issue 3, items 3-7).
mod card_actions;
mod ggd_api;
mod import_api;
mod import_review;
mod page_role_matrix;
mod privacy_api;
mod retention_job;
mod role_matrix;
mod workflow_api;

// Issue 10: records that stay true when facts change later.
mod records_history;

// The leerplicht and GGD-JGZ pages (issue 4).
mod ggd_pages;
mod leerplicht_pages;

// Issue 11: leerplicht's regional pages, the melding for DUO's verzuimregister.
mod region_pages;
// Issue 11: the melding to DUO through the API, DUO's status.
mod duo_api;
// Issue 12: e-mail.
mod mail;

/// Declares tests: for each story `async fn name(env: harness::Env)`, a module with a
/// `sqlite` and a `postgres` test.
#[macro_export]
macro_rules! http_tests {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    $crate::harness::run_sqlite(super::$name).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    $crate::harness::run_postgres(super::$name).await
                }
            }
        )*
    };
}
