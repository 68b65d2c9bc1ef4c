//! Issue 13.1: a process keeps a school's parsed settings between registrations
//! (`verzuim_store::school_cache`, `verzuim_service::school_state`). Two stores on one database
//! stand for two `serve` processes, each with its own cache: after the beheerder changes the
//! settings through one, the next registration through the other uses the new settings, never
//! the kept ones.

use verzuim_engine::model::{Code, Registration, Span};
use verzuim_service::ServiceError;
use verzuim_store::{SchoolSettings, Store};

use crate::fixtures::*;

/// Two stores (two processes' worth of pools and caches) on one fresh, migrated database.
async fn two_stores(postgres: bool) -> Option<(Store, Store, Box<dyn std::any::Any + Send>)> {
    if postgres {
        let db = crate::PgDatabase::create().await?;
        let a = Store::connect(&db.url).await.expect("open postgres");
        a.migrate().await.expect("migrate postgres");
        let b = Store::connect(&db.url).await.expect("open postgres again");
        Some((a, b, Box::new(db)))
    } else {
        let (a, dir) = crate::sqlite_store().await;
        let url = format!("sqlite://{}", dir.path().join("verzuim.db").display());
        let b = Store::connect(&url).await.expect("open sqlite again");
        Some((a, b, Box::new(dir)))
    }
}

fn times(
    code: Code,
    date: &str,
    from: &str,
    until: Option<&str>,
    late: Option<u32>,
) -> Registration {
    let minutes = |t: &str| {
        let (h, m) = t.split_once(':').expect("hh:mm");
        h.parse::<u16>().expect("hh") * 60 + m.parse::<u16>().expect("mm")
    };
    Registration {
        code,
        span: Span::Times {
            date: d(date),
            from: minutes(from),
            until: until.map(minutes),
        },
        minutes_late: late,
    }
}

async fn register_at(store: &Store, pupil: &str, reg: &Registration) -> Result<(), ServiceError> {
    verzuim_service::records::add_registration(
        store,
        &school_caller(),
        today(),
        SCHOOL,
        pupil,
        reg,
        None,
        None,
    )
    .await
    .map(|_| ())
}

async fn settings_changed_by_another_process_apply_at_once(postgres: bool) {
    let Some((a, b, keep)) = two_stores(postgres).await else {
        return;
    };
    region(&a).await;
    enrol(&a, SCHOOL, &pupil("5001", ENSCHEDE)).await;
    // Wednesday 3 March 2027: lessons 08:30-12:15 only; absent all of it.
    let wednesday = "2027-03-03";
    register_at(
        &b,
        "5001",
        &times(Code::Ongeoorloofd, wednesday, "08:30", Some("12:15"), None),
    )
    .await
    .expect("absence");
    // A lateness on a day absent all day is refused: `b` now keeps the school's settings.
    let late = times(Code::TeLaat, wednesday, "08:40", None, Some(10));
    let refused = register_at(&b, "5001", &late).await;
    assert!(
        matches!(refused, Err(ServiceError::Invalid(_))),
        "refused with the old lesson times: {refused:?}"
    );
    // The beheerder, through the other process: Wednesday afternoon has lessons now.
    let mut school = demo_school();
    school.id = SCHOOL.into();
    // `WeekTimes` runs from Monday (0): Wednesday (2) gets Tuesday's (1) times.
    assert_eq!(
        school.lesson_times.0[2].len(),
        1,
        "{:?}",
        school.lesson_times
    );
    school.lesson_times.0[2] = school.lesson_times.0[1].clone();
    verzuim_service::school::put_school_settings(
        &a,
        &school_admin(),
        SCHOOL,
        &SchoolSettings {
            card_id: "twente-po".into(),
            school,
        },
        None,
    )
    .await
    .expect("new lesson times");
    // The same lateness through `b`: the absence no longer covers the whole day.
    register_at(&b, "5001", &late)
        .await
        .expect("accepted with the new lesson times, not the kept ones");
    a.close().await;
    b.close().await;
    if let Ok(db) = keep.downcast::<crate::PgDatabase>() {
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_settings_changed_by_another_process_apply_at_once() {
    settings_changed_by_another_process_apply_at_once(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_settings_changed_by_another_process_apply_at_once() {
    settings_changed_by_another_process_apply_at_once(true).await;
}
