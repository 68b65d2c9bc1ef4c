//! The time by which the store stamps what it writes (`recorded_at`, `created_at`, audit rows)
//! and the service decides what is "now": the system clock, or a manual one that tests and the
//! demo move. One clock for a running service, so a demo region dated 2027 is recorded in 2027.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use jiff::{SignedDuration, Timestamp};

/// The system clock, or a [`ManualClock`]. Cheap to clone.
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

impl Default for Clock {
    fn default() -> Clock {
        Clock::system()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            ClockInner::System => f.write_str("Clock::system"),
            ClockInner::Manual(m) => write!(f, "Clock::manual({})", m.now()),
        }
    }
}

/// A clock that stands still until told to move (tests of timeouts and throttling, the demo).
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

    /// Moves the clock to `to` (also backwards).
    pub fn set(&self, to: Timestamp) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = to;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let m = ManualClock::new(Timestamp::UNIX_EPOCH);
        let c = m.clock();
        assert_eq!(c.now(), Timestamp::UNIX_EPOCH);
        m.advance(SignedDuration::from_secs(90));
        assert_eq!(c.now().as_second(), 90);
        m.set(Timestamp::UNIX_EPOCH);
        assert_eq!(c.now(), Timestamp::UNIX_EPOCH);
    }
}
