//! security.md, Privacy by design: "a scheduled job removes a pupil's absence data 5 years after
//! deregistration; what it removed is counted in the audit log". The job `verzuim serve` starts
//! (`verzuim_server::retention::spawn`) removes such a pupil by itself, and logs the counts.

use std::time::Duration;

use jiff::civil::Time;
use verzuim_server::retention::{self, RetentionSchedule};
use verzuim_server::{AppState, Config};
use verzuim_store::Page;

use crate::harness::Env;
use crate::privacy_api::{expired_and_current_pupil, only_the_current_pupil_is_left};
use crate::region::*;

crate::http_tests!(the_scheduled_job_removes_expired_pupils_by_itself);

async fn the_scheduled_job_removes_expired_pupils_by_itself(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    expired_and_current_pupil(&s, &ib).await;

    // The server's state, as `verzuim serve` hands it to the job; first run at once.
    let state = AppState::new(s.store.clone(), Config::default()).with_clock(s.clock.clock());
    let job = retention::spawn(
        state,
        RetentionSchedule {
            first_after: Duration::ZERO,
            daily_at: Time::constant(3, 0, 0, 0),
        },
    );
    let mut removed = false;
    for _ in 0..100 {
        let rows = s.store.audit_log("99XX00", Page::default()).await.unwrap();
        if rows.iter().any(|r| r.action == "retention") {
            removed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(removed, "the job did not run within 10 s");
    // The job keeps running (waiting for 03:00), it did not stop after the first run.
    assert!(!job.is_finished());
    job.abort();

    let rows = s.store.audit_log("99XX00", Page::default()).await.unwrap();
    let run: Vec<_> = rows.iter().filter(|r| r.action == "retention").collect();
    assert_eq!(run.len(), 1, "{run:?}");
    assert_eq!(run[0].actor, "system");
    let counts: serde_json::Value = serde_json::from_str(&run[0].object).unwrap();
    assert_eq!(counts["pupils"], 1, "{counts}");
    // Counts only: the audit row names no pupil.
    assert_eq!(run[0].pupil, None);
    only_the_current_pupil_is_left(&s, &ib).await;
}

crate::http_tests!(two_processes_run_the_days_retention_once);

/// Issue 13: "a scheduled job runs once per period". Two processes on one database (each with
/// its own connections, as two `verzuim serve`) run the day's retention at the same moment: one
/// of them runs it, the other finds it done; the next day it runs again.
async fn two_processes_run_the_days_retention_once(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    expired_and_current_pupil(&s, &ib).await;

    let process = |store| AppState::new(store, Config::default()).with_clock(s.clock.clock());
    let other = verzuim_store::Store::connect(&s.url).await.unwrap();
    let (a, b) = (process(s.store.clone()), process(other));
    let (ra, rb) = tokio::join!(retention::run_once(&a), retention::run_once(&b));
    assert_eq!(
        [ra.is_some(), rb.is_some()].iter().filter(|r| **r).count(),
        1,
        "{ra:?} {rb:?}"
    );
    let outcome = ra.or(rb).unwrap();
    assert_eq!(outcome.store.total.pupils, 1);
    // Later the same day, by either process: done already.
    assert!(retention::run_once(&a).await.is_none());
    assert!(retention::run_once(&b).await.is_none());
    let rows = s.store.audit_log("99XX00", Page::default()).await.unwrap();
    assert_eq!(rows.iter().filter(|r| r.action == "retention").count(), 1);
    only_the_current_pupil_is_left(&s, &ib).await;
    // The next day the job runs again (and finds nothing left to remove).
    s.advance(jiff::SignedDuration::from_hours(24));
    let next = retention::run_once(&b).await.expect("the next day's run");
    assert_eq!(next.store.total.pupils, 0);
}
