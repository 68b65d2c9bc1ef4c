//! The scheduled retention job (security.md: "a scheduled job removes a pupil's absence data 5
//! years after deregistration"): `verzuim serve` runs [`privacy::apply_retention`] once shortly
//! after it starts and then every day at a fixed time (Amsterdam), logging what it removed.
//! The run writes its counts (never the data) to the audit log itself; the same daily run closes
//! the cases that close by themselves (docs/workflow.md, "Cases and their chains"). With several
//! processes on one database, each schedules the job and one of them runs it per day
//! ([`privacy::scheduled_retention`] claims the day in the run's transaction).
//!
//! `verzuim serve --retention 03:00` (the default; also `VERZUIM_RETENTION`) sets the time,
//! `--retention uit` turns the schedule off (the `POST /api/admin/retention` route stays).

use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::Time;
use jiff::tz::TimeZone;
use tokio::task::JoinHandle;
use verzuim_service::privacy::{self, RetentionOutcome};

use crate::state::AppState;

/// When the job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionSchedule {
    /// The first run, this long after the start.
    pub first_after: Duration,
    /// Then every day at this time, Amsterdam time.
    pub daily_at: Time,
}

/// The first run comes a minute after the start (the service is up and listening by then).
pub const FIRST_RUN_AFTER: Duration = Duration::from_secs(60);
/// The daily time when none is given: at night, when nobody registers.
pub const DEFAULT_TIME: Time = Time::constant(3, 0, 0, 0);

impl Default for RetentionSchedule {
    fn default() -> Self {
        RetentionSchedule {
            first_after: FIRST_RUN_AFTER,
            daily_at: DEFAULT_TIME,
        }
    }
}

impl RetentionSchedule {
    /// `HH:MM` (daily at that time), or `uit`/`off` (no schedule: `None`). Dutch error message.
    pub fn parse(text: &str) -> Result<Option<RetentionSchedule>, String> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("uit") || t.eq_ignore_ascii_case("off") {
            return Ok(None);
        }
        let daily_at = t
            .split_once(':')
            .and_then(|(h, m)| {
                let h: i8 = h.parse().ok()?;
                let m: i8 = m.parse().ok()?;
                Time::new(h, m, 0, 0).ok()
            })
            .ok_or_else(|| {
                format!(
                    "ongeldige tijd voor de bewaartermijn-taak: {t:?}; geef een tijd als 03:00, \
                     of 'uit'"
                )
            })?;
        Ok(Some(RetentionSchedule {
            daily_at,
            ..RetentionSchedule::default()
        }))
    }
}

/// The first moment after `now` at which the clock in Amsterdam shows `at` (a day with a
/// daylight-saving change included).
pub fn next_run(now: Timestamp, at: Time) -> Timestamp {
    let tz = TimeZone::get("Europe/Amsterdam").unwrap_or(TimeZone::UTC);
    let local = now.to_zoned(tz.clone());
    let mut day = local.date();
    for _ in 0..3 {
        if let Ok(z) = day.to_datetime(at).to_zoned(tz.clone())
            && z.timestamp() > now
        {
            return z.timestamp();
        }
        day = day.tomorrow().unwrap_or(day);
    }
    now + jiff::SignedDuration::from_hours(24)
}

/// Runs today's retention as the system, unless another process on the database has already
/// run it today, and logs what it removed (`None`: not run, by this process, today); the process
/// that ran it then closes the cases that close by themselves
/// (`verzuim_service::cases::close_quiet_cases`) and writes today's registrations of the
/// parents' open sick reports and granted leave (`verzuim_service::parents::keep_up_to_date`).
pub async fn run_once(state: &AppState) -> Option<RetentionOutcome> {
    let today = state.today();
    match privacy::scheduled_retention(&state.store, today, &process_name()).await {
        Ok(None) => {
            tracing::info!(%today, "bewaartermijn: vandaag al uitgevoerd door een ander proces");
            None
        }
        Ok(Some(outcome)) => {
            match verzuim_service::cases::close_quiet_cases(&state.store, today).await {
                Ok(closed) => tracing::info!(
                    cases = closed.len(),
                    "dossiers zonder open taken en zonder nieuw signaal gesloten"
                ),
                Err(e) => tracing::error!(error = %e, "dossiers sluiten is mislukt"),
            }
            // Parents' sick reports "until further notice" and granted leave: today's
            // registrations (docs/parents.md).
            match verzuim_service::parents::keep_up_to_date(&state.store, today, None).await {
                Ok(n) => tracing::info!(n, "ziekmeldingen en verlof van ouders bijgewerkt"),
                Err(e) => {
                    tracing::error!(error = %e, "ziekmeldingen van ouders bijwerken is mislukt")
                }
            }
            let total = &outcome.store.total;
            tracing::info!(
                cutoff = %outcome.store.cutoff,
                pupils = total.pupils,
                registrations = total.registrations,
                events = total.events,
                signals = total.signals,
                cases = total.cases,
                meldingen = total.meldingen,
                referrals = total.referrals,
                "bewaartermijn: gegevens van {} leerling(en) verwijderd",
                total.pupils
            );
            Some(outcome)
        }
        Err(e) => {
            tracing::error!(error = %e, "bewaartermijn: de taak is mislukt; volgende poging bij de volgende run");
            None
        }
    }
}

/// How this process names itself in the job runs: host and process id.
pub fn process_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_default();
    format!("{host}:{}", std::process::id())
}

/// Starts the job: a first run after `schedule.first_after`, then daily at
/// `schedule.daily_at` by the service's clock. Abort the handle to stop it.
pub fn spawn(state: AppState, schedule: RetentionSchedule) -> JoinHandle<()> {
    tracing::info!(
        first_run_after_s = schedule.first_after.as_secs(),
        daily_at = %schedule.daily_at,
        "bewaartermijn: taak ingepland"
    );
    tokio::spawn(async move {
        tokio::time::sleep(schedule.first_after).await;
        loop {
            run_once(&state).await;
            let now = state.now();
            let next = next_run(now, schedule.daily_at);
            let wait = now
                .duration_until(next)
                .try_into()
                .unwrap_or(Duration::from_secs(24 * 3600));
            tracing::debug!(next = %next, "bewaartermijn: volgende run");
            tokio::time::sleep(wait).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn next_run_is_the_next_local_time() {
        let three = Time::constant(3, 0, 0, 0);
        // Winter (UTC+1): 03:00 in Amsterdam is 02:00 UTC.
        assert_eq!(
            next_run(ts("2027-01-10T12:00:00Z"), three),
            ts("2027-01-11T02:00:00Z")
        );
        assert_eq!(
            next_run(ts("2027-01-10T01:59:00Z"), three),
            ts("2027-01-10T02:00:00Z")
        );
        // Exactly at the time: the next day, not now again.
        assert_eq!(
            next_run(ts("2027-01-10T02:00:00Z"), three),
            ts("2027-01-11T02:00:00Z")
        );
        // Summer (UTC+2).
        assert_eq!(
            next_run(ts("2027-07-09T10:00:00Z"), three),
            ts("2027-07-10T01:00:00Z")
        );
        // The night clocks go forward (28 March 2027, 02:00 -> 03:00): 02:30 does not exist
        // that night, the run still comes once (jiff moves it forward).
        let half_past_two = Time::constant(2, 30, 0, 0);
        let next = next_run(ts("2027-03-27T12:00:00Z"), half_past_two);
        assert!(next > ts("2027-03-27T12:00:00Z") && next <= ts("2027-03-28T02:00:00Z"));
    }

    #[test]
    fn schedule_parses_a_time_or_off() {
        assert_eq!(RetentionSchedule::parse("uit"), Ok(None));
        assert_eq!(RetentionSchedule::parse("OFF"), Ok(None));
        let s = RetentionSchedule::parse("04:30").unwrap().unwrap();
        assert_eq!(s.daily_at, Time::constant(4, 30, 0, 0));
        assert_eq!(s.first_after, FIRST_RUN_AFTER);
        assert!(RetentionSchedule::parse("25:00").is_err());
        assert!(RetentionSchedule::parse("morgen").is_err());
    }
}
