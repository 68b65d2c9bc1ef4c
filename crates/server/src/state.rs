//! What every handler gets: the store, the configuration and the clock.

use std::sync::{Arc, Mutex, PoisonError};

use jiff::{SignedDuration, Timestamp};
use verzuim_store::Store;

/// The shared state of the service. Cheap to clone (everything behind `Arc`s or pools).
///
/// Route authors take it with `State(state): State<AppState>` and use `state.store` for every
/// read and write, `state.now()` for the time (never `Timestamp::now()`: tests move the clock).
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub clock: Clock,
    /// The letter renderer with the organisations' own templates (`--letter-templates`).
    pub letters: Arc<crate::web::letters::LetterTemplates>,
}

impl AppState {
    pub fn new(store: Store, config: Config) -> AppState {
        AppState {
            store,
            config: Arc::new(config),
            clock: Clock::system(),
            letters: Arc::new(crate::web::letters::LetterTemplates::new(None)),
        }
    }

    /// The same state with the organisations' letter templates under `dir`
    /// (`dir/<organisation id>/<kind>.typ`, see docs/letters.md).
    pub fn with_letter_templates(mut self, dir: Option<std::path::PathBuf>) -> AppState {
        self.letters = Arc::new(crate::web::letters::LetterTemplates::new(dir));
        self
    }

    /// The same state with another clock (tests).
    pub fn with_clock(mut self, clock: Clock) -> AppState {
        self.clock = clock;
        self
    }

    /// The time now, by the state's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
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

/// The service's clock: the system clock, or a manual one that tests move.
#[derive(Clone)]
pub struct Clock(ClockInner);

#[derive(Clone)]
enum ClockInner {
    System,
    Manual(ManualClock),
}

impl Clock {
    pub fn system() -> Clock {
        Clock(ClockInner::System)
    }

    pub fn now(&self) -> Timestamp {
        match &self.0 {
            ClockInner::System => Timestamp::now(),
            ClockInner::Manual(m) => m.now(),
        }
    }
}

/// A clock that stands still until told to move (for tests of timeouts and throttling).
#[derive(Clone)]
pub struct ManualClock(Arc<Mutex<Timestamp>>);

impl ManualClock {
    pub fn new(start: Timestamp) -> ManualClock {
        ManualClock(Arc::new(Mutex::new(start)))
    }

    /// A [`Clock`] that reads this one.
    pub fn clock(&self) -> Clock {
        Clock(ClockInner::Manual(self.clone()))
    }

    pub fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn advance(&self, by: SignedDuration) {
        let mut t = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *t = t.saturating_add(by).unwrap_or(*t);
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

    #[test]
    fn manual_clock_moves_only_when_told() {
        let m = ManualClock::new(Timestamp::UNIX_EPOCH);
        let c = m.clock();
        assert_eq!(c.now(), Timestamp::UNIX_EPOCH);
        m.advance(SignedDuration::from_secs(90));
        assert_eq!(c.now().as_second(), 90);
    }
}
