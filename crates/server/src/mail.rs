//! Delivering the outbox (issue 12, docs/email.md): the worker of `verzuim serve` that sends the
//! mails the service wrote to the outbox ([`verzuim_service::mail`]), and the daily mail job.
//!
//! - [`SmtpUrl`]: `--smtp` / `VERZUIM_SMTP`: `smtp://host[:587]` (STARTTLS, required),
//!   `smtps://host[:465]` (TLS from the start), `smtp+plain://host[:25]` (no encryption: for a
//!   relay on the same machine and for tests). The user name and password come from
//!   `VERZUIM_SMTP_USER` and `VERZUIM_SMTP_PASSWORD`, never from the URL or the command line.
//! - [`Mailer`]: SMTP through `lettre`, or the demo mailbox (`serve --demo` without `--smtp`):
//!   a mail counts as delivered and is read on `/demo/mail`.
//! - [`deliver_due`]: claims one due mail at a time (a lease, see [`verzuim_service::outbox`]),
//!   sends it with its own Message-ID (`<verzuim.…@domain of the sender>`, the same on every
//!   attempt, so that a receiver recognises a second copy after a crash between the server's
//!   "250 OK" and our "sent"), marks it sent only after the server accepted it; a refusal (5xx)
//!   marks it failed; anything else (4xx, timeout, a dropped connection, no connection) retries
//!   with exponential backoff until [`DeliverySettings::max_attempts`].
//! - [`spawn_worker`] and [`spawn_daily`] run both in `serve`.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MessageBuilder};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::task::JoinHandle;
use verzuim_service::Store;
use verzuim_service::mail as service_mail;
use verzuim_service::model::OutboxMail;
use verzuim_service::outbox;

use crate::retention::{RetentionSchedule, next_run};
use crate::state::AppState;

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// `smtp://`: STARTTLS, required (the mail is not sent when the server does not offer it).
    StartTls,
    /// `smtps://`: TLS from the first byte.
    Tls,
    /// `smtp+plain://`: no encryption (a relay on the same machine, tests).
    Plain,
}

/// The SMTP server of `--smtp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpUrl {
    pub security: SmtpSecurity,
    pub host: String,
    pub port: u16,
}

impl SmtpUrl {
    /// Parses `smtp://host[:port]`, `smtps://host[:port]` or `smtp+plain://host[:port]`. A user
    /// or password in the URL is refused (they belong in the environment). Dutch errors.
    pub fn parse(url: &str) -> Result<SmtpUrl, String> {
        let url = url.trim();
        let (scheme, rest) = url.split_once("://").ok_or_else(|| {
            format!(
                "--smtp: \"{url}\" is geen adres als smtp://host:587, smtps://host:465 of \
                 smtp+plain://127.0.0.1:25"
            )
        })?;
        let (security, default_port) = match scheme.to_ascii_lowercase().as_str() {
            "smtp" => (SmtpSecurity::StartTls, 587),
            "smtps" => (SmtpSecurity::Tls, 465),
            "smtp+plain" => (SmtpSecurity::Plain, 25),
            other => {
                return Err(format!(
                    "--smtp: het schema \"{other}\" is onbekend; gebruik smtp:// (STARTTLS), \
                     smtps:// (TLS) of smtp+plain:// (zonder versleuteling)"
                ));
            }
        };
        let authority = rest.split(['/', '?']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err(
                "--smtp: zet geen gebruikersnaam of wachtwoord in het adres; gebruik \
                        VERZUIM_SMTP_USER en VERZUIM_SMTP_PASSWORD"
                    .to_owned(),
            );
        }
        // `host`, `host:port`, `[v6]` or `[v6]:port`.
        let (host, port_text) = match authority.strip_prefix('[') {
            Some(rest) => {
                let (h, after) = rest
                    .split_once(']')
                    .ok_or_else(|| format!("--smtp: in \"{url}\" ontbreekt de ]"))?;
                (h, after.strip_prefix(':'))
            }
            None => match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            },
        };
        let port = match port_text {
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("--smtp: de poort \"{p}\" is ongeldig"))?,
            None => default_port,
        };
        if host.is_empty() {
            return Err(format!("--smtp: in \"{url}\" ontbreekt de server"));
        }
        Ok(SmtpUrl {
            security,
            host: host.to_owned(),
            port,
        })
    }
}

/// The user name and password for the SMTP server.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpCredentials {
    pub user: String,
    pub password: String,
}

impl std::fmt::Debug for SmtpCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SmtpCredentials({}, …)", self.user)
    }
}

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    /// An SMTP server.
    Smtp {
        transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
        from: Mailbox,
        /// The right part of each Message-ID: the sender's domain.
        domain: String,
    },
    /// The demo mailbox: every mail counts as delivered (read on `/demo/mail`).
    Demo,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Smtp { from, .. } => write!(f, "Mailer::Smtp(from {from})"),
            Mailer::Demo => f.write_str("Mailer::Demo"),
        }
    }
}

/// Certificates (PEM) the SMTP server's certificate may chain to besides the Mozilla roots: an
/// organisation's own CA, or a test's (`VERZUIM_SMTP_CA`, docs/email.md).
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpCa {
    /// Where they came from (for messages).
    pub source: String,
    pub pem: Vec<u8>,
}

impl std::fmt::Debug for SmtpCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SmtpCa({})", self.source)
    }
}

impl SmtpCa {
    /// Reads a PEM file of one or more certificates. Dutch errors.
    pub fn read(path: &std::path::Path) -> Result<SmtpCa, String> {
        let pem = std::fs::read(path).map_err(|e| {
            format!(
                "VERZUIM_SMTP_CA: het bestand {} is niet te lezen: {e}",
                path.display()
            )
        })?;
        let ca = SmtpCa {
            source: path.display().to_string(),
            pem,
        };
        ca.certificate()?;
        Ok(ca)
    }

    fn certificate(&self) -> Result<Certificate, String> {
        let not_pem = || {
            format!(
                "VERZUIM_SMTP_CA: {} bevat geen certificaat in PEM-vorm (-----BEGIN CERTIFICATE-----)",
                self.source
            )
        };
        if !self
            .pem
            .windows(b"-----BEGIN CERTIFICATE-----".len())
            .any(|w| w == b"-----BEGIN CERTIFICATE-----")
        {
            return Err(not_pem());
        }
        Certificate::from_pem(&self.pem).map_err(|_| not_pem())
    }
}

impl Mailer {
    /// An SMTP mailer sending as `from` (`Naam <adres>` or `adres`), with `timeout` for each
    /// step of the conversation. With STARTTLS and TLS the server's certificate must chain to
    /// the Mozilla roots (webpki-roots) or to a certificate of `ca`, and name the server's host.
    pub fn smtp(
        url: &SmtpUrl,
        from: &str,
        credentials: Option<SmtpCredentials>,
        timeout: Duration,
        ca: Option<&SmtpCa>,
    ) -> Result<Mailer, String> {
        let from: Mailbox = from.trim().parse().map_err(|_| {
            format!(
                "--mail-from: \"{from}\" is geen e-mailadres (zoals verzuim@gemeente.nl of \
                 \"Verzuim <verzuim@gemeente.nl>\")"
            )
        })?;
        if credentials.is_some() && url.security == SmtpSecurity::Plain {
            return Err(
                "--smtp: smtp+plain:// stuurt het wachtwoord onversleuteld; gebruik \
                        smtp:// (STARTTLS) of smtps:// met VERZUIM_SMTP_USER en \
                        VERZUIM_SMTP_PASSWORD"
                    .to_owned(),
            );
        }
        let tls = || -> Result<TlsParameters, String> {
            let mut params = TlsParameters::builder(url.host.clone());
            if let Some(ca) = ca {
                params = params.add_root_certificate(ca.certificate()?);
            }
            params
                .build_rustls()
                .map_err(|e| format!("--smtp: TLS voor {} is niet in te stellen: {e}", url.host))
        };
        let builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&url.host);
        let builder = match url.security {
            // STARTTLS is required: without it the mail is not sent.
            SmtpSecurity::StartTls => builder.tls(Tls::Required(tls()?)),
            SmtpSecurity::Tls => builder.tls(Tls::Wrapper(tls()?)),
            SmtpSecurity::Plain => {
                if ca.is_some() {
                    return Err(
                        "VERZUIM_SMTP_CA: smtp+plain:// gebruikt geen TLS; gebruik smtp:// of \
                         smtps://"
                            .to_owned(),
                    );
                }
                builder
            }
        };
        let mut builder = builder.port(url.port).timeout(Some(timeout));
        if let Some(c) = credentials {
            builder = builder.credentials(Credentials::new(c.user, c.password));
        }
        let domain = from.email.domain().to_owned();
        Ok(Mailer::Smtp {
            transport: Box::new(builder.build()),
            from,
            domain,
        })
    }

    /// Sends one mail. `Err((permanent, message))` when it was not accepted.
    async fn send(&self, mail: &OutboxMail, base_url: &str) -> Result<(), (bool, String)> {
        let (transport, from, domain) = match self {
            Mailer::Demo => return Ok(()),
            Mailer::Smtp {
                transport,
                from,
                domain,
            } => (transport, from, domain),
        };
        let message = message(mail, from, domain, base_url).map_err(|e| (true, e))?;
        match transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) => Err((e.is_permanent(), e.to_string())),
        }
    }
}

/// The message of an outbox row: plain text, UTF-8, with the row's Message-ID and its time.
pub fn message(
    mail: &OutboxMail,
    from: &Mailbox,
    domain: &str,
    base_url: &str,
) -> Result<Message, String> {
    let to: Mailbox = mail
        .recipient
        .parse()
        .map_err(|_| format!("ongeldig adres: {}", mail.recipient))?;
    let date = std::time::SystemTime::UNIX_EPOCH
        + Duration::from_secs(u64::try_from(mail.created_at.as_second()).unwrap_or(0));
    let builder: MessageBuilder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(message_id(mail, domain)))
        .date(date)
        .header(ContentType::TEXT_PLAIN);
    builder
        .body(service_mail::render(mail, base_url))
        .map_err(|e| e.to_string())
}

/// `<left part of the row@domain>`: the same on every attempt.
pub fn message_id(mail: &OutboxMail, domain: &str) -> String {
    format!("<{}@{}>", mail.message_id, domain)
}

/// How the worker paces itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliverySettings {
    /// How long it sleeps when nothing is due.
    pub poll: Duration,
    /// How long a claimed mail is this process's (longer than one SMTP conversation can take).
    pub lease: Duration,
    /// The wait after the first failed attempt; it doubles after each next one (at most 4 hours).
    pub retry_base: Duration,
    /// After this many attempts a mail that still fails is given up (`failed`).
    pub max_attempts: u32,
    /// The limit on each step of the SMTP conversation.
    pub timeout: Duration,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            poll: Duration::from_secs(5),
            lease: Duration::from_secs(300),
            retry_base: Duration::from_secs(60),
            max_attempts: 10,
            timeout: Duration::from_secs(30),
        }
    }
}

/// Everything the worker needs.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub mailer: Mailer,
    pub settings: DeliverySettings,
    /// The service's address, put before each mail's link (`https://verzuim.gemeente.nl`).
    pub base_url: String,
    /// This process's name in the claims (host and process id).
    pub process: String,
}

/// What one [`deliver_due`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: u32,
    pub retried: u32,
    pub failed: u32,
}

impl DeliveryReport {
    pub fn claimed(&self) -> u32 {
        self.sent + self.retried + self.failed
    }
}

/// Sends every mail due now, one claim at a time, until none is due (or `max` were claimed).
pub async fn deliver_due(
    store: &Store,
    delivery: &Delivery,
    max: u32,
) -> verzuim_service::Result<DeliveryReport> {
    let mut report = DeliveryReport::default();
    let s = &delivery.settings;
    while report.claimed() < max {
        let lease_until = store.now()
            + jiff::SignedDuration::try_from(s.lease)
                .unwrap_or(jiff::SignedDuration::from_secs(300));
        let Some(mail) = outbox::claim_next(store, &delivery.process, lease_until).await? else {
            break;
        };
        let outcome = tokio::time::timeout(
            s.timeout * 4,
            delivery.mailer.send(&mail, &delivery.base_url),
        )
        .await
        .unwrap_or_else(|_| Err((false, "tijdslimiet van de verzending verstreken".to_owned())));
        match outcome {
            Ok(()) => {
                outbox::sent(store, mail.id).await?;
                tracing::info!(id = mail.id, kind = %mail.kind, "e-mail verstuurd");
                report.sent += 1;
            }
            Err((permanent, error)) if permanent || mail.attempts >= s.max_attempts => {
                outbox::failed(store, mail.id, &delivery.process, &error).await?;
                tracing::error!(
                    id = mail.id,
                    attempts = mail.attempts,
                    %error,
                    "e-mail niet verstuurd: {}",
                    if permanent {
                        "de server weigert hem"
                    } else {
                        "alle pogingen zijn op"
                    }
                );
                report.failed += 1;
            }
            Err((_, error)) => {
                let next = service_mail::next_attempt(store.now(), mail.attempts, s.retry_base);
                outbox::retry(store, mail.id, &delivery.process, &error, next).await?;
                tracing::warn!(id = mail.id, attempts = mail.attempts, %error, %next, "e-mail: nieuwe poging later");
                report.retried += 1;
            }
        }
    }
    Ok(report)
}

/// Starts the worker: delivers what is due, then sleeps [`DeliverySettings::poll`]. Abort the
/// handle to stop it (a mail being sent then is sent again after its lease; the same
/// Message-ID).
pub fn spawn_worker(state: AppState, delivery: Arc<Delivery>) -> JoinHandle<()> {
    tracing::info!(mailer = ?delivery.mailer, "e-mail: bezorging gestart");
    tokio::spawn(async move {
        loop {
            match deliver_due(&state.store, &delivery, 100).await {
                Ok(r) if r.claimed() >= 100 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "e-mail: de wachtrij lezen is mislukt"),
            }
            tokio::time::sleep(delivery.settings.poll).await;
        }
    })
}

/// When the daily mail job runs by default: 07:00, before the school day.
pub const DAILY_AT: jiff::civil::Time = jiff::civil::Time::constant(7, 0, 0, 0);

/// Runs the daily mail job once (deadline mail, summaries, clearing old rows), unless another
/// process ran it today.
pub async fn run_daily_once(state: &AppState) -> Option<service_mail::DailyMailReport> {
    let today = state.today();
    match service_mail::daily_mail(&state.store, today, &crate::retention::process_name()).await {
        Ok(None) => {
            tracing::info!(%today, "e-mail: de dagelijkse taak is vandaag al uitgevoerd");
            None
        }
        Ok(Some(r)) => {
            tracing::info!(
                deadline_mails = r.deadline_mails,
                summaries = r.summaries,
                expired_links = r.expired_links,
                purged = r.purged,
                "e-mail: dagelijkse taak uitgevoerd"
            );
            Some(r)
        }
        Err(e) => {
            tracing::error!(error = %e, "e-mail: de dagelijkse taak is mislukt");
            None
        }
    }
}

/// Starts the daily job: once `schedule.first_after` after the start, then daily at
/// `schedule.daily_at` (Amsterdam time). With several processes one runs it per day.
pub fn spawn_daily(state: AppState, schedule: RetentionSchedule) -> JoinHandle<()> {
    tokio::spawn(async move {
        tokio::time::sleep(schedule.first_after).await;
        loop {
            run_daily_once(&state).await;
            let now = state.now();
            let wait = now
                .duration_until(next_run(now, schedule.daily_at))
                .try_into()
                .unwrap_or(Duration::from_secs(24 * 3600));
            tokio::time::sleep(wait).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_parse_with_their_security_and_port() {
        let u = SmtpUrl::parse("smtp://mail.gemeente.nl").unwrap();
        assert_eq!(
            (u.security, u.host.as_str(), u.port),
            (SmtpSecurity::StartTls, "mail.gemeente.nl", 587)
        );
        let u = SmtpUrl::parse("smtps://mail.gemeente.nl:2465").unwrap();
        assert_eq!((u.security, u.port), (SmtpSecurity::Tls, 2465));
        let u = SmtpUrl::parse("smtp+plain://127.0.0.1:2525").unwrap();
        assert_eq!(
            (u.security, u.host.as_str(), u.port),
            (SmtpSecurity::Plain, "127.0.0.1", 2525)
        );
        let u = SmtpUrl::parse("smtp+plain://[::1]:2525").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("::1", 2525));
        for bad in [
            "mail.gemeente.nl",
            "http://mail.gemeente.nl",
            "smtp://user:geheim@mail.gemeente.nl",
            "smtp://mail.gemeente.nl:0",
            "smtp://mail.gemeente.nl:poort",
            "smtp://",
        ] {
            assert!(SmtpUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_password_is_never_sent_unencrypted() {
        let url = SmtpUrl::parse("smtp+plain://127.0.0.1:2525").unwrap();
        let creds = SmtpCredentials {
            user: "u".into(),
            password: "p".into(),
        };
        let err = Mailer::smtp(
            &url,
            "verzuim@gemeente.nl",
            Some(creds),
            Duration::from_secs(5),
            None,
        )
        .unwrap_err();
        assert!(err.contains("onversleuteld"), "{err}");
        assert!(Mailer::smtp(&url, "geen adres", None, Duration::from_secs(5), None).is_err());
        assert!(
            Mailer::smtp(
                &url,
                "Verzuim <verzuim@gemeente.nl>",
                None,
                Duration::from_secs(5),
                None
            )
            .is_ok()
        );
        // A CA file that holds no certificate is refused with its name.
        let bad = SmtpCa {
            source: "/tmp/geen.pem".into(),
            pem: b"geen certificaat".to_vec(),
        };
        let tls = SmtpUrl::parse("smtps://127.0.0.1:2465").unwrap();
        let err = Mailer::smtp(
            &tls,
            "verzuim@gemeente.nl",
            None,
            Duration::from_secs(5),
            Some(&bad),
        )
        .unwrap_err();
        assert!(
            err.contains("/tmp/geen.pem") && err.contains("PEM"),
            "{err}"
        );
    }
}
