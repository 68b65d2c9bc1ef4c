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
