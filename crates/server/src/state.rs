//! What every handler gets: the store, the configuration and the clock.

use std::sync::Arc;

use jiff::Timestamp;
use verzuim_store::Store;
pub use verzuim_store::{Clock, ManualClock};

/// The shared state of the service. Cheap to clone (everything behind `Arc`s or pools).
///
/// Route authors take it with `State(state): State<AppState>` and pass `&state.store` to the
/// service for every read and write (the service is the only door to the data: nothing outside
/// this file and the demo's builder calls the store itself), `state.now()` for the time (never
/// `Timestamp::now()`: tests move the clock).
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    /// The letter renderer with the organisations' own templates (`--letter-templates`).
    pub letters: Arc<crate::web::letters::LetterTemplates>,
    /// The time on the users' devices, which second-factor codes are made with: the real time,
    /// also when [`AppState::with_clock`] set the service's clock to another day (the demo).
    pub device_clock: Clock,
}

impl AppState {
    pub fn new(store: Store, config: Config) -> AppState {
        AppState {
            store,
            config: Arc::new(config),
            letters: Arc::new(crate::web::letters::LetterTemplates::new(None)),
            device_clock: Clock::system(),
        }
    }

    /// The same state with the organisations' letter templates under `dir`
    /// (`dir/<organisation id>/<kind>.typ`, see docs/letters.md).
    pub fn with_letter_templates(mut self, dir: Option<std::path::PathBuf>) -> AppState {
        self.letters = Arc::new(crate::web::letters::LetterTemplates::new(dir));
        self
    }

    /// The same state with another clock (tests, the demo): the store's, which stamps its writes
    /// and is the state's `now`.
    pub fn with_clock(mut self, clock: Clock) -> AppState {
        self.store = self.store.with_clock(clock);
        self
    }

    /// The time now, by the store's clock (the one clock of the service).
    pub fn now(&self) -> Timestamp {
        self.store.now()
    }

    /// The service's "today": the date in the Netherlands (Europe/Amsterdam) by the state's
    /// clock. The one "today" of the server.
    pub fn today(&self) -> jiff::civil::Date {
        verzuim_service::text::local_date(self.now())
    }

    /// The time on the users' devices (see [`AppState::device_clock`]): what a TOTP code is
    /// checked against.
    pub fn device_now(&self) -> Timestamp {
        self.device_clock.now()
    }

    /// The same state with another device clock (tests of codes at a fixed time).
    pub fn with_device_clock(mut self, clock: Clock) -> AppState {
        self.device_clock = clock;
        self
    }
}

/// How the service is reached and what it trusts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// The address users type, e.g. `https://verzuim.example.nl` (no path). When set, it is the
    /// only origin that state-changing browser requests may come from; when not, the request's
    /// own `Host` is the service's origin.
    pub public_url: Option<String>,
    /// Always mark the session cookie `Secure` (also implied by an `https` public URL and by a
    /// request that reached a trusted proxy over HTTPS).
    pub secure_cookies: bool,
    /// Believe `X-Forwarded-For` and `X-Forwarded-Proto` (only behind a reverse proxy that
    /// sets them; otherwise any client could claim any address).
    pub trust_proxy: bool,
    /// `serve --demo`: the demo mailbox `/demo/mail` exists (docs/email.md).
    pub demo_mailbox: bool,
    /// The service's address in the links of e-mails (`--public-url`, else the listening
    /// address); none: the request's own host.
    pub mail_base_url: Option<String>,
}

impl Config {
    /// The public origin (`scheme://host[:port]`), without a trailing slash or path.
    pub fn public_origin(&self) -> Option<String> {
        let url = self.public_url.as_deref()?.trim();
        let (scheme, rest) = url.split_once("://")?;
        let host = rest.split('/').next().unwrap_or_default();
        if host.is_empty() {
            return None;
        }
        Some(format!(
            "{}://{}",
            scheme.to_ascii_lowercase(),
            host.to_ascii_lowercase()
        ))
    }

    /// Whether the public URL is `https`.
    pub fn public_url_is_https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.trim().to_ascii_lowercase().starts_with("https://"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_origin_drops_path_and_case() {
        let c = Config {
            public_url: Some("HTTPS://Verzuim.Example.nl/app/".into()),
            ..Config::default()
        };
        assert_eq!(
            c.public_origin().as_deref(),
            Some("https://verzuim.example.nl")
        );
        assert!(c.public_url_is_https());
        assert_eq!(Config::default().public_origin(), None);
    }
}
