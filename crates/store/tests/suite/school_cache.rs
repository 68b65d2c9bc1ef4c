//! Issue 13.1: the version of a school's settings (migration 0170), which a process compares
//! with the settings it keeps (`school_cache.rs`), and the two statements a change to a pupil
//! reads with (`pupil_state.rs`).

use verzuim_engine::model::{Code, Event, EventKind, School};
use verzuim_store::card_history::EarlierCard;
use verzuim_store::{Actor, Letterhead, OrgKind, Organisation, SchoolSettings, Scope, Store};

use crate::Ctx;
use crate::fixtures::{d, days, org, pupil};

crate::stories!(
    every_settings_write_gives_a_new_version,
    a_rolled_back_version_is_never_given_again,
    pupil_state_reads_what_the_single_queries_read,
);

fn settings() -> SchoolSettings {
    SchoolSettings {
        card_id: "twente-po".into(),
        school: School {
            id: "99XX00".into(),
            name: "Organisatie 99XX00".into(),
            ..School::default()
        },
    }
}

async fn version(s: &Store) -> i64 {
    let mut tx = s.begin().await.unwrap();
    let v = tx.school_settings_version("99XX00").await.unwrap();
    let read = tx.versioned_school_settings("99XX00").await.unwrap();
    tx.rollback().await.unwrap();
    let read = read.expect("settings");
    assert_eq!(v, Some(read.version));
    read.version
}

async fn every_settings_write_gives_a_new_version(ctx: Ctx) {
    let s = &ctx.store;
    org(s, "99XX00", OrgKind::School).await;
    {
        let mut tx = s.begin().await.unwrap();
        assert_eq!(tx.school_settings_version("99XX00").await.unwrap(), None);
        tx.rollback().await.unwrap();
    }
    s.put_school_settings("99XX00", &settings()).await.unwrap();
    let first = version(s).await;
    // The same content written again: a write is a new version all the same.
    s.put_school_settings("99XX00", &settings()).await.unwrap();
    let second = version(s).await;
    assert_ne!(first, second);
    // The card history.
    let mut tx = s.begin().await.unwrap();
    tx.set_earlier_cards(
        "99XX00",
        &[EarlierCard {
            until: d("2027-01-01"),
            card_id: "twente-po".into(),
        }],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let third = version(s).await;
    assert_ne!(third, second);
    let mut tx = s.begin().await.unwrap();
    let read = tx
        .versioned_school_settings("99XX00")
        .await
        .unwrap()
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(read.earlier_cards.len(), 1);
    assert_eq!(read.settings.school.name, "Organisatie 99XX00");
    // The school's name is part of the settings read: a new name, a new version; the same name
    // written again changes nothing.
    let mut school = Organisation {
        id: "99XX00".into(),
        kind: OrgKind::School,
        name: "Organisatie 99XX00".into(),
        letterhead: Letterhead::default(),
    };
    s.put_organisation(&school).await.unwrap();
    assert_eq!(version(s).await, third);
    school.name = "OBS De Esch".into();
    s.put_organisation(&school).await.unwrap();
    let fourth = version(s).await;
    assert_ne!(fourth, third);
    let mut tx = s.begin().await.unwrap();
    let read = tx
        .versioned_school_settings("99XX00")
        .await
        .unwrap()
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(read.settings.school.name, "OBS De Esch");
    // Writes elsewhere leave it alone.
    pupil(s, "99XX00", "1001").await;
    s.add_registration(
        "99XX00",
        "1001",
        &days(Code::Ziek, "2026-09-07", "2026-09-07"),
        None,
        Actor::System,
    )
    .await
    .unwrap();
    assert_eq!(version(s).await, fourth);
}

async fn a_rolled_back_version_is_never_given_again(ctx: Ctx) {
    let s = &ctx.store;
    org(s, "99XX00", OrgKind::School).await;
    s.put_school_settings("99XX00", &settings()).await.unwrap();
    let mut seen = vec![version(s).await];
    for _ in 0..3 {
        let mut tx = s.begin().await.unwrap();
        tx.put_school_settings("99XX00", &settings()).await.unwrap();
        let inside = tx.school_settings_version("99XX00").await.unwrap().unwrap();
        tx.rollback().await.unwrap();
        assert!(!seen.contains(&inside));
        seen.push(inside);
        assert_eq!(version(s).await, seen[0], "the rollback kept the version");
    }
    s.put_school_settings("99XX00", &settings()).await.unwrap();
    let after = version(s).await;
    assert!(!seen.contains(&after), "{after} was given before: {seen:?}");
}

async fn pupil_state_reads_what_the_single_queries_read(ctx: Ctx) {
    let s = &ctx.store;
    org(s, "99XX00", OrgKind::School).await;
    s.put_school_settings("99XX00", &settings()).await.unwrap();
    pupil(s, "99XX00", "1001").await;
    pupil(s, "99XX00", "1002").await;
    let by = Actor::System;
    let first = s
        .add_registration(
            "99XX00",
            "1001",
            &days(Code::Ongeoorloofd, "2026-09-07", "2026-09-08"),
            Some("bus gemist"),
            by,
        )
        .await
        .unwrap();
    s.add_registration(
        "99XX00",
        "1001",
        &days(Code::Ziek, "2026-09-14", "2026-09-15"),
        None,
        by,
    )
    .await
    .unwrap();
    s.delete_registration("99XX00", first.id, by).await.unwrap();
    s.add_registration(
        "99XX00",
        "1002",
        &days(Code::Ziek, "2026-09-14", "2026-09-14"),
        None,
        by,
    )
    .await
    .unwrap();
    s.add_event(
        "99XX00",
        "1001",
        &Event {
            kind: EventKind::OverigVerzuim,
            date: d("2026-10-01"),
            note: Some("niet op school".into()),
        },
        by,
    )
    .await
    .unwrap();
    let mut tx = s.begin().await.unwrap();
    assert!(
        tx.lock_pupil_for_change("99XX00", "9999")
            .await
            .unwrap()
            .is_none()
    );
    let locked = tx
        .lock_pupil_for_change("99XX00", "1001")
        .await
        .unwrap()
        .expect("pupil");
    assert_eq!(
        Some(locked.pupil.clone()),
        tx.pupil(Scope::School("99XX00"), "99XX00", "1001")
            .await
            .unwrap()
    );
    assert_eq!(
        locked.settings_version,
        tx.school_settings_version("99XX00").await.unwrap()
    );
    let state = tx.pupil_state(&locked, true).await.unwrap();
    let current = tx.current_record("99XX00", "1001").await.unwrap().unwrap();
    assert_eq!(state.current, current);
    assert_eq!(current.record.registrations.len(), 1);
    assert_eq!(current.record.events.len(), 1);
    assert_eq!(
        state.active_signals,
        tx.active_signals(Scope::School("99XX00"), "99XX00", "1001")
            .await
            .unwrap()
    );
    assert!(state.meldingen.is_empty());
    // PostgreSQL reserves the next registration's id; SQLite gives it at the insert.
    assert_eq!(
        state.next_registration_id.is_some(),
        s.backend() == verzuim_store::Backend::Postgres
    );
    tx.rollback().await.unwrap();
}
