//! `verzuim serve`: the web service for schools, leerplicht and GGD-JGZ.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::bail;
use verzuim_server::demo::{self, DemoReport};
use verzuim_server::mail::{self, Delivery, DeliverySettings, Mailer, SmtpCredentials, SmtpUrl};
use verzuim_server::retention::{self, RetentionSchedule};
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
    /// Start met een demoregio: twee scholen (OBS De Esch en CBS De Wegwijzer), drie gemeenten,
    /// GGD Twente, een gebruiker per rol met een vast, openbaar wachtwoord, en het schooljaar
    /// 2026-2027 met signalen, meldingen en verwijzingen. Zonder --database in
    /// sqlite://verzuim-demo.db. Een tweede start voegt niets dubbel toe. Niet voor echte
    /// leerlingen.
    #[arg(long)]
    pub demo: bool,
    /// Map met eigen briefsjablonen (typst): MAP/<organisatie-id>/<soort>.typ voor één
    /// organisatie, MAP/<soort>.typ voor alle; de rest blijft ingebouwd (docs/letters.md). Ook
    /// via de omgevingsvariabele VERZUIM_LETTER_TEMPLATES.
    #[arg(long, value_name = "MAP")]
    pub letter_templates: Option<std::path::PathBuf>,
    /// Wanneer de bewaartermijn-taak draait: dagelijks om deze tijd (Nederlandse tijd, UU:MM;
    /// standaard 03:00), en één keer een minuut na het starten. `uit` zet de taak uit. Ook via
    /// VERZUIM_RETENTION.
    #[arg(long, value_name = "UU:MM|uit")]
    pub retention: Option<String>,
    /// De mailserver voor uitgaande e-mail (docs/email.md): smtp://host[:587] (STARTTLS,
    /// verplicht), smtps://host[:465] (TLS) of smtp+plain://host[:25] (onversleuteld: alleen voor
    /// een relay op dezelfde machine en tests). Gebruikersnaam en wachtwoord uit
    /// VERZUIM_SMTP_USER en VERZUIM_SMTP_PASSWORD; een eigen CA voor het certificaat van de
    /// mailserver (naast de Mozilla-roots) in VERZUIM_SMTP_CA (een PEM-bestand). Ook via
    /// VERZUIM_SMTP. Zonder: de e-mail blijft in de wachtrij (met --demo: naar de demo-mailbox
    /// /demo/mail).
    #[arg(long, value_name = "URL")]
    pub smtp: Option<String>,
    /// Het afzenderadres van de e-mail, zoals "Verzuim <verzuim@gemeente.nl>". Nodig met
    /// --smtp. Ook via VERZUIM_MAIL_FROM.
    #[arg(long, value_name = "ADRES")]
    pub mail_from: Option<String>,
}

/// The database of `serve --demo` when neither `--database` nor `VERZUIM_DATABASE` names one
/// (never the production default).
pub const DEMO_DATABASE: &str = "sqlite://verzuim-demo.db";

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    init_logging();
    if let Some(url) = &args.public_url {
        check_public_url(url)?;
    }
    let retention = args
        .retention
        .clone()
        .or_else(|| std::env::var("VERZUIM_RETENTION").ok())
        .filter(|v| !v.trim().is_empty())
        .map_or(Ok(Some(RetentionSchedule::default())), |v| {
            RetentionSchedule::parse(&v)
        })
        .map_err(anyhow::Error::msg)?;
    let named = args.database.is_some()
        || std::env::var("VERZUIM_DATABASE").is_ok_and(|v| !v.trim().is_empty());
    let url = if args.demo && !named {
        DEMO_DATABASE.to_owned()
    } else {
        migrate::database_url(args.database)
    };
    let delivery_settings = delivery_settings()?;
    let mail_first_run =
        env_seconds("VERZUIM_MAIL_FIRST_RUN")?.unwrap_or(retention::FIRST_RUN_AFTER);
    let mailer = smtp_mailer(
        args.smtp.clone(),
        args.mail_from.clone(),
        delivery_settings.timeout,
    )?;
    migrate::runtime()?.block_on(async {
        let store = migrate::open(&url).await?;
        let demo_report = match prepare(&store, args.demo).await {
            Ok(report) => report,
            Err(e) => {
                store.close().await;
                return Err(e);
            }
        };
        let base_url = args
            .public_url
            .as_deref()
            .map(|u| u.trim().trim_end_matches('/').to_owned())
            .unwrap_or_else(|| format!("http://{}", args.listen));
        let config = Config {
            public_url: args.public_url,
            secure_cookies: args.secure_cookies,
            trust_proxy: args.trust_proxy,
            demo_mailbox: args.demo,
            mail_base_url: Some(base_url.clone()),
        };
        tracing::info!(database = %migrate::redact(&url), "database geopend en bijgewerkt");
        let letter_dir = letter_templates(args.letter_templates)?;
        let mut state = AppState::new(store.clone(), config).with_letter_templates(letter_dir);
        if let Some(report) = demo_report {
            print_demo(&report, &url)?;
            state = state.with_clock(demo::demo_clock());
        }
        let mailer = match mailer {
            Some(m) => Some(m),
            None if args.demo => Some(Mailer::Demo),
            None => {
                tracing::warn!(
                    "e-mail: geen --smtp; e-mail blijft in de wachtrij tot een start met --smtp"
                );
                None
            }
        };
        let worker = mailer.map(|mailer| {
            mail::spawn_worker(
                state.clone(),
                std::sync::Arc::new(Delivery {
                    mailer,
                    settings: delivery_settings,
                    base_url: base_url.clone(),
                    process: retention::process_name(),
                }),
            )
        });
        let daily = mail::spawn_daily(
            state.clone(),
            RetentionSchedule {
                first_after: mail_first_run,
                daily_at: mail::DAILY_AT,
            },
        );
        let retention = match retention {
            Some(schedule) => Some(retention::spawn(state.clone(), schedule)),
            None => {
                tracing::warn!("bewaartermijn: de dagelijkse taak staat uit (--retention uit)");
                None
            }
        };
        let result = verzuim_server::serve(state, args.listen).await;
        if let Some(job) = retention {
            job.abort();
        }
        if let Some(job) = worker {
            job.abort();
        }
        daily.abort();
        store.close().await;
        result?;
        Ok(ExitCode::SUCCESS)
    })
}

/// The SMTP mailer of `--smtp` / `VERZUIM_SMTP`, with `--mail-from` / `VERZUIM_MAIL_FROM` and the
/// credentials of `VERZUIM_SMTP_USER` / `VERZUIM_SMTP_PASSWORD` (both or neither) and the extra
/// CA certificates of `VERZUIM_SMTP_CA` (a PEM file). `None` without an SMTP server.
fn smtp_mailer(
    smtp: Option<String>,
    from: Option<String>,
    timeout: std::time::Duration,
) -> anyhow::Result<Option<Mailer>> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let Some(url) = smtp.or_else(|| env("VERZUIM_SMTP")) else {
        return Ok(None);
    };
    let url = SmtpUrl::parse(&url).map_err(anyhow::Error::msg)?;
    let Some(from) = from.or_else(|| env("VERZUIM_MAIL_FROM")) else {
        bail!(
            "--smtp vraagt ook een afzender: --mail-from \"Verzuim <verzuim@gemeente.nl>\" (of \
             VERZUIM_MAIL_FROM)"
        );
    };
    let credentials = match (
        env("VERZUIM_SMTP_USER"),
        std::env::var("VERZUIM_SMTP_PASSWORD").ok(),
    ) {
        (Some(user), Some(password)) => Some(SmtpCredentials { user, password }),
        (None, None) => None,
        _ => bail!("geef VERZUIM_SMTP_USER en VERZUIM_SMTP_PASSWORD allebei, of geen van beide"),
    };
    // An own CA for the mail server's certificate (besides the Mozilla roots), docs/email.md.
    let ca = match std::env::var_os("VERZUIM_SMTP_CA").filter(|v| !v.is_empty()) {
        Some(path) => {
            Some(mail::SmtpCa::read(std::path::Path::new(&path)).map_err(anyhow::Error::msg)?)
        }
        None => None,
    };
    let mailer =
        Mailer::smtp(&url, &from, credentials, timeout, ca.as_ref()).map_err(anyhow::Error::msg)?;
    if url.security == mail::SmtpSecurity::Plain {
        tracing::warn!(server = %url.host, "e-mail gaat onversleuteld naar de mailserver (smtp+plain://)");
    }
    Ok(Some(mailer))
}

/// A number of seconds from the environment (decimals allowed), with a Dutch error.
fn env_seconds(name: &str) -> anyhow::Result<Option<std::time::Duration>> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(|s| std::time::Duration::try_from_secs_f64(s).ok())
            .map(Some)
            .ok_or_else(|| anyhow::anyhow!("{name}: \"{v}\" is geen aantal seconden")),
        _ => Ok(None),
    }
}

/// The worker's pace: the defaults of [`DeliverySettings`], each replaceable from the environment
/// (`VERZUIM_MAIL_POLL`, `VERZUIM_MAIL_LEASE`, `VERZUIM_MAIL_RETRY`, `VERZUIM_MAIL_TIMEOUT` in
/// seconds, `VERZUIM_MAIL_ATTEMPTS`; docs/email.md).
fn delivery_settings() -> anyhow::Result<DeliverySettings> {
    let d = DeliverySettings::default();
    let attempts = match std::env::var("VERZUIM_MAIL_ATTEMPTS") {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                anyhow::anyhow!("VERZUIM_MAIL_ATTEMPTS: \"{v}\" is geen positief aantal")
            })?,
        _ => d.max_attempts,
    };
    Ok(DeliverySettings {
        poll: env_seconds("VERZUIM_MAIL_POLL")?.unwrap_or(d.poll),
        lease: env_seconds("VERZUIM_MAIL_LEASE")?.unwrap_or(d.lease),
        retry_base: env_seconds("VERZUIM_MAIL_RETRY")?.unwrap_or(d.retry_base),
        timeout: env_seconds("VERZUIM_MAIL_TIMEOUT")?.unwrap_or(d.timeout),
        max_attempts: attempts,
    })
}

/// The letter template directory: `--letter-templates`, else `VERZUIM_LETTER_TEMPLATES`; it
/// must be a directory.
fn letter_templates(arg: Option<std::path::PathBuf>) -> anyhow::Result<Option<std::path::PathBuf>> {
    let dir = arg.or_else(|| {
        std::env::var_os("VERZUIM_LETTER_TEMPLATES")
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from)
    });
    if let Some(d) = &dir
        && !d.is_dir()
    {
        bail!(
            "--letter-templates: de map {} bestaat niet of is geen map",
            d.display()
        );
    }
    if let Some(d) = &dir {
        tracing::info!(map = %d.display(), "eigen briefsjablonen");
    }
    Ok(dir)
}

/// Before serving: with `demo`, seeds the demo region (refusing a database that has other
/// users); without, refuses a database that holds demo users (their passwords are public) or no
/// users at all.
pub async fn prepare(store: &Store, demo: bool) -> anyhow::Result<Option<DemoReport>> {
    let demo_users = demo::count_demo_users(store).await?;
    if demo {
        let others = store.count_users().await?.saturating_sub(demo_users);
        if others > 0 {
            bail!(
                "--demo weigert deze database: er staan al {others} gebruiker(s) in die niet bij \
                 de demo horen. De demo heeft een eigen database nodig (zonder --database: \
                 {DEMO_DATABASE})."
            );
        }
        return Ok(Some(demo::seed(store).await?));
    }
    if demo_users > 0 {
        bail!(
            "deze database bevat de demo-accounts van `verzuim serve --demo`, met openbare \
             wachtwoorden. Start met --demo, of gebruik een andere database voor echte gegevens."
        );
    }
    check_ready(store).await?;
    Ok(None)
}

/// Prints the demo logins on standard output.
fn print_demo(report: &DemoReport, url: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    if report.was_present() {
        writeln!(out, "Demoregio al aanwezig in {}.", migrate::redact(url))?;
    } else {
        writeln!(out, "Demoregio aangelegd in {}.", migrate::redact(url))?;
    }
    writeln!(out, "{}", demo::logins_table(&report.logins))?;
    out.flush()?;
    Ok(())
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
    fn demo_users_exist_only_with_demo() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("v.db").display());
        migrate::runtime().unwrap().block_on(async {
            let store = migrate::open(&url).await.unwrap();
            // A production start seeds nothing: no users, so it refuses to start.
            let err = prepare(&store, false).await.unwrap_err().to_string();
            assert!(err.contains("nog geen gebruikers"), "{err}");
            assert_eq!(store.count_users().await.unwrap(), 0);
            // --demo seeds the demo users.
            let report = prepare(&store, true).await.unwrap().unwrap();
            // The demo users and the demo parent (docs/parents.md).
            assert_eq!(report.users_created, demo::DEMO_USERS.len() + 1);
            let users = store.count_users().await.unwrap();
            assert_eq!(users, demo::DEMO_USERS.len() as u64 + 1);
            // Again with --demo: nothing new.
            let again = prepare(&store, true).await.unwrap().unwrap();
            assert!(again.was_present());
            assert_eq!(store.count_users().await.unwrap(), users);
            // Without --demo, a database with the demo's public passwords is refused.
            let err = prepare(&store, false).await.unwrap_err().to_string();
            assert!(err.contains("demo-accounts"), "{err}");
            // And --demo refuses a database with real users.
            store
                .create_user(&verzuim_store::NewUser {
                    email: "beheer@school.nl".into(),
                    display_name: "Beheer".into(),
                    password_hash: "$argon2id$x".into(),
                })
                .await
                .unwrap();
            let err = prepare(&store, true).await.unwrap_err().to_string();
            assert!(err.contains("weigert deze database"), "{err}");
            store.close().await;
        });
    }

    #[test]
    fn the_letter_template_directory_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        let ok = letter_templates(Some(dir.path().to_path_buf())).unwrap();
        assert_eq!(ok.as_deref(), Some(dir.path()));
        let err = letter_templates(Some(dir.path().join("bestaat-niet")))
            .unwrap_err()
            .to_string();
        assert!(err.contains("--letter-templates"), "{err}");
    }

    #[test]
    fn public_urls_are_checked() {
        assert!(check_public_url("https://verzuim.example.nl").is_ok());
        assert!(check_public_url("http://127.0.0.1:8080").is_ok());
        assert!(check_public_url("verzuim.example.nl").is_err());
        assert!(check_public_url("https://").is_err());
    }
}
