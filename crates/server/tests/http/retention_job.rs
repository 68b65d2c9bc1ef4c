//! security.md, Privacy by design: "a scheduled job removes a pupil's absence data 5 years after
//! deregistration; what it removed is counted in the audit log". The job `verzuim serve` starts
//! (`verzuim_server::retention::spawn`) removes such a pupil by itself, and logs the counts.

use std::time::Duration;

use jiff::civil::Time;
use reqwest::Method;
use serde_json::json;
use verzuim_server::retention::{self, RetentionSchedule};
use verzuim_server::{AppState, Config};
use verzuim_store::Page;

use crate::harness::Env;
use crate::region::*;

crate::http_tests!(the_scheduled_job_removes_expired_pupils_by_itself);

async fn the_scheduled_job_removes_expired_pupils_by_itself(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let mut gone = pupil("0999", "Enschede");
    gone["enrolled_from"] = json!("2018-08-20");
    gone["birth_date"] = json!("2012-03-01");
    enrol(&s, &ib, gone).await;
    ok(
        &s,
        &ib,
        Method::POST,
        "/api/schools/99XX00/pupils/0999/deregister",
        Some(json!({"enrolled_until": "2020-07-10"})),
        200,
    )
    .await;
    enrol(&s, &ib, pupil("1001", "Enschede")).await;

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
    ok(
        &s,
        &ib,
        Method::GET,
        "/api/schools/99XX00/pupils/0999",
        None,
        404,
    )
    .await;
    ok(
        &s,
        &ib,
        Method::GET,
        "/api/schools/99XX00/pupils/1001",
        None,
        200,
    )
    .await;
}
