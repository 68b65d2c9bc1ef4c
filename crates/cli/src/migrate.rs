//! `verzuim migrate`: bring a database up to the current schema. Also the database helpers of
//! `serve` and `users`.

use std::process::ExitCode;

use anyhow::Context;
use verzuim_store::Store;

/// The database when neither `--database` nor `VERZUIM_DATABASE` names one.
pub const DEFAULT_DATABASE: &str = "sqlite://verzuim.db";

#[derive(clap::Args)]
pub struct Args {
    /// De database: `sqlite://pad` (standaard sqlite://verzuim.db) of `postgres://…`. Ook via
    /// de omgevingsvariabele VERZUIM_DATABASE.
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let url = database_url(args.database);
    runtime()?.block_on(async {
        let store = open(&url).await?;
        store.close().await;
        println!("Database {} is bijgewerkt.", redact(&url));
        Ok(ExitCode::SUCCESS)
    })
}

/// `--database`, else `VERZUIM_DATABASE`, else [`DEFAULT_DATABASE`].
pub fn database_url(arg: Option<String>) -> String {
    arg.filter(|s| !s.trim().is_empty())
        .or_else(|| {
            std::env::var("VERZUIM_DATABASE")
                .ok()
                .filter(|s| !s.trim().is_empty())
        })
        .unwrap_or_else(|| DEFAULT_DATABASE.to_owned())
}

/// Opens the database and runs its migrations.
pub async fn open(url: &str) -> anyhow::Result<Store> {
    let store = Store::connect(url)
        .await
        .with_context(|| format!("kan database {} niet openen", redact(url)))?;
    store
        .migrate()
        .await
        .with_context(|| format!("kan database {} niet bijwerken", redact(url)))?;
    Ok(store)
}

/// A multi-threaded tokio runtime for the commands that use the database.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("kan de runtime niet starten")
}

/// The URL without its password (`postgres://u:geheim@h/db` -> `postgres://…@h/db`).
pub fn redact(url: &str) -> String {
    match (url.split_once("://"), url.rsplit_once('@')) {
        (Some((scheme, _)), Some((_, host))) => format!("{scheme}://…@{host}"),
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact("postgres://verzuim:geheim@db.example:5432/verzuim"),
            "postgres://…@db.example:5432/verzuim"
        );
        assert_eq!(redact("sqlite://verzuim.db"), "sqlite://verzuim.db");
    }

    #[test]
    fn the_flag_wins_then_the_default() {
        assert_eq!(database_url(Some("sqlite://a.db".into())), "sqlite://a.db");
    }

    #[test]
    fn migrate_twice_is_harmless() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("v.db").display());
        let rt = runtime().unwrap();
        rt.block_on(async {
            open(&url).await.unwrap().close().await;
            let store = open(&url).await.unwrap();
            assert_eq!(store.count_users().await.unwrap(), 0);
        });
    }
}
