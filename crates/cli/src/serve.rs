//! `verzuim serve`: the web service for schools, leerplicht and GGD-JGZ.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::bail;
use verzuim_server::{AppState, Config};
use verzuim_store::Store;

use crate::migrate;

#[derive(clap::Args)]
pub struct Args {
    /// De database: `sqlite://pad` (standaard sqlite://verzuim.db) of `postgres://…`. Ook via
    /// de omgevingsvariabele VERZUIM_DATABASE. Wordt bij het starten bijgewerkt.
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
    /// Adres en poort waarop de service luistert.
    #[arg(long, value_name = "ADRES:POORT", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Het adres waaronder gebruikers de service bereiken, bijvoorbeeld
    /// https://verzuim.gemeente.nl. Alleen verzoeken van die herkomst mogen iets wijzigen; met
    /// https krijgt de sessiecookie `Secure`.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// De service draait achter een reverse proxy: geloof X-Forwarded-For en
    /// X-Forwarded-Proto (anders niet: dan kan iedereen ze vervalsen).
    #[arg(long)]
    pub trust_proxy: bool,
    /// Markeer de sessiecookie altijd als `Secure`.
    #[arg(long)]
    pub secure_cookies: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    init_logging();
    if let Some(url) = &args.public_url {
        check_public_url(url)?;
    }
    let url = migrate::database_url(args.database);
    migrate::runtime()?.block_on(async {
        let store = migrate::open(&url).await?;
        if let Err(e) = check_ready(&store).await {
            store.close().await;
            return Err(e);
        }
        let config = Config {
            public_url: args.public_url,
            secure_cookies: args.secure_cookies,
            trust_proxy: args.trust_proxy,
        };
        tracing::info!(database = %migrate::redact(&url), "database geopend en bijgewerkt");
        let result = verzuim_server::serve(AppState::new(store.clone(), config), args.listen).await;
        store.close().await;
        result?;
        Ok(ExitCode::SUCCESS)
    })
}

/// A production start needs an account: there is no default one.
pub async fn check_ready(store: &Store) -> anyhow::Result<()> {
    if store.count_users().await? == 0 {
        bail!(
            "de database heeft nog geen gebruikers, en een standaardaccount bestaat niet.\n\
             Maak eerst de eerste beheerder aan, bijvoorbeeld:\n\n    \
             verzuim users add --email beheer@school.nl --name \"Naam Beheerder\" \
             --organisation 99XX00 --role beheerder --organisation-name \"Naam van de school\" \
             --organisation-kind school\n\n\
             (het wachtwoord wordt gevraagd, of gelezen uit VERZUIM_PASSWORD) en start daarna \
             opnieuw."
        );
    }
    Ok(())
}

fn check_public_url(url: &str) -> anyhow::Result<()> {
    let lower = url.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') => Ok(()),
        _ => bail!(
            "--public-url moet een volledig adres zijn, zoals https://verzuim.gemeente.nl \
             (gekregen: {url})"
        ),
    }
}

/// Logs to standard error; the level comes from VERZUIM_LOG (error, warn, info, debug, trace;
/// default info).
fn init_logging() {
    use tracing_subscriber::filter::LevelFilter;
    let level = std::env::var("VERZUIM_LOG")
        .ok()
        .and_then(|v| v.parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO);
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_user_table_refuses_to_start() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("v.db").display());
        migrate::runtime().unwrap().block_on(async {
            let store = migrate::open(&url).await.unwrap();
            let err = check_ready(&store).await.unwrap_err().to_string();
            assert!(err.contains("nog geen gebruikers"), "{err}");
            assert!(err.contains("verzuim users add"), "{err}");
            store
                .create_user(&verzuim_store::NewUser {
                    email: "beheer@school.nl".into(),
                    display_name: "Beheer".into(),
                    password_hash: "$argon2id$x".into(),
                })
                .await
                .unwrap();
            check_ready(&store).await.unwrap();
        });
    }

    #[test]
    fn public_urls_are_checked() {
        assert!(check_public_url("https://verzuim.example.nl").is_ok());
        assert!(check_public_url("http://127.0.0.1:8080").is_ok());
        assert!(check_public_url("verzuim.example.nl").is_err());
        assert!(check_public_url("https://").is_err());
    }
}
