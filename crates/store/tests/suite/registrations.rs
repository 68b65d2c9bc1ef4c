//! Pupils, and registrations and events with their history.

use verzuim_engine::model::{Code, Event, EventKind, Evidence};
use verzuim_store::{Actor, OrgKind, Page, Scope, StoreError, StoredEvidence, VersionRef};

use crate::Ctx;
use crate::fixtures::{d, days, late, org, pupil, pupil_data};

crate::stories!(
    pupils_round_trip_and_deregister,
    registration_corrected_twice_keeps_three_versions,
    deletion_keeps_history,
    illness_is_never_described,
    events_are_versioned,
    current_record_maps_evidence_to_versions,
);

const SCHOOL: Scope<'static> = Scope::School("99XX00");

async fn setup(ctx: &Ctx) {
    org(&ctx.store, "99XX00", OrgKind::School).await;
    pupil(&ctx.store, "99XX00", "1001").await;
}

async fn pupils_round_trip_and_deregister(ctx: Ctx) {
    let s = &ctx.store;
    org(s, "99XX00", OrgKind::School).await;
    let mut data = pupil_data("1001", "GM0153");
    data.name = Some("Sanne de Vries".into());
    data.bsn = Some("111222333".into());
    data.parent_name = Some("M. de Vries".into());
    data.parent_email = Some("ouder@example.nl".into());
    data.parent_phone = Some("06-00000000".into());
    data.street = Some("Dorpsstraat 1".into());
    data.postcode = Some("7511 AA".into());
    data.city = Some("Enschede".into());
    s.insert_pupil("99XX00", &data).await.unwrap();
    let stored = s.pupil(SCHOOL, "99XX00", "1001").await.unwrap().unwrap();
    assert_eq!(stored.school_id, "99XX00");
    assert_eq!(stored.data, data);
    // Unique within the school; unknown school refused.
    assert!(matches!(
        s.insert_pupil("99XX00", &data).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        s.insert_pupil("00ZZ00", &data).await,
        Err(StoreError::NotFound)
    ));
    let mut moved = data.clone();
    moved.pupil.group = "6".into();
    moved.onderwijsnummer = Some("100000009".into());
    s.update_pupil("99XX00", &moved).await.unwrap();
    assert_eq!(
        s.pupil(SCHOOL, "99XX00", "1001")
            .await
            .unwrap()
            .unwrap()
            .data,
        moved
    );

    s.deregister_pupil("99XX00", "1001", d("2027-01-31"), Some("88YY00"))
        .await
        .unwrap();
    let p = s.pupil(SCHOOL, "99XX00", "1001").await.unwrap().unwrap();
    assert_eq!(p.data.pupil.enrolled_until, Some(d("2027-01-31")));
    assert_eq!(p.data.pupil.next_school.as_deref(), Some("88YY00"));
    s.deregister_pupil("99XX00", "1001", d("2027-02-28"), None)
        .await
        .unwrap();
    let p = s.pupil(SCHOOL, "99XX00", "1001").await.unwrap().unwrap();
    assert_eq!(p.data.pupil.next_school, None);
    // Deregistration before enrolment is refused.
    assert!(
        s.deregister_pupil("99XX00", "1001", d("2020-01-01"), None)
            .await
            .is_err()
    );
}

async fn registration_corrected_twice_keeps_three_versions(ctx: Ctx) {
    setup(&ctx).await;
    let s = &ctx.store;
    let v1 = s
        .add_registration(
            "99XX00",
            "1001",
            &days(Code::Ongeoorloofd, "2026-09-21", "2026-09-21"),
            Some("niet gekomen"),
            Actor::User(7),
        )
        .await
        .unwrap();
    assert_eq!(v1.version, 1);
    let v2 = s
        .correct_registration(
            "99XX00",
            v1.id,
            &days(Code::Ongeoorloofd, "2026-09-21", "2026-09-22"),
            None,
            Actor::User(7),
        )
        .await
        .unwrap();
    let v3 = s
        .correct_registration(
            "99XX00",
            v1.id,
            &days(Code::Geoorloofd, "2026-09-21", "2026-09-22"),
            Some("afspraak tandarts"),
            Actor::Token(3),
        )
        .await
        .unwrap();
    assert_eq!(
        (v2, v3),
        (
            VersionRef {
                id: v1.id,
                version: 2
            },
            VersionRef {
                id: v1.id,
                version: 3
            }
        )
    );

    let current = s
        .list_registrations(SCHOOL, "99XX00", "1001", Page::default())
        .await
        .unwrap();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].version, 3);
    assert_eq!(current[0].registration.code, Code::Geoorloofd);
    assert_eq!(current[0].note.as_deref(), Some("afspraak tandarts"));
    assert_eq!(current[0].created_by, "token:3");

    let history = s.registration_history(SCHOOL, v1.id).await.unwrap();
    assert_eq!(
        history.iter().map(|h| h.version).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(
        history[0].registration,
        days(Code::Ongeoorloofd, "2026-09-21", "2026-09-21")
    );
    assert_eq!(history[0].note.as_deref(), Some("niet gekomen"));
    assert_eq!(
        history[1].registration,
        days(Code::Ongeoorloofd, "2026-09-21", "2026-09-22")
    );
    assert!(history.iter().all(|h| !h.deleted));
    assert!(history[0].created_at <= history[2].created_at);

    // A lateness with times round-trips too.
    let l = s
        .add_registration(
            "99XX00",
            "1001",
            &late("2026-09-23", 12),
            None,
            Actor::User(7),
        )
        .await
        .unwrap();
    let current = s
        .list_registrations(SCHOOL, "99XX00", "1001", Page::default())
        .await
        .unwrap();
    assert_eq!(current.len(), 2);
    assert_eq!(current[1].id, l.id);
    assert_eq!(current[1].registration, late("2026-09-23", 12));
}

async fn deletion_keeps_history(ctx: Ctx) {
    setup(&ctx).await;
    let s = &ctx.store;
    let keep = s
        .add_registration(
            "99XX00",
            "1001",
            &days(Code::Luxe, "2026-10-16", "2026-10-16"),
            None,
            Actor::User(1),
        )
        .await
        .unwrap();
    let gone = s
        .add_registration(
            "99XX00",
            "1001",
            &days(Code::Ziek, "2026-11-02", "2026-11-03"),
            None,
            Actor::User(1),
        )
        .await
        .unwrap();
    let del = s
        .delete_registration("99XX00", gone.id, Actor::User(2))
        .await
        .unwrap();
    assert_eq!(del.version, 2);
    let current = s
        .list_registrations(SCHOOL, "99XX00", "1001", Page::default())
        .await
        .unwrap();
    assert_eq!(
        current.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![keep.id]
    );
    let history = s.registration_history(SCHOOL, gone.id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert!(!history[0].deleted);
    assert!(history[1].deleted);
    assert_eq!(
        history[1].registration,
        days(Code::Ziek, "2026-11-02", "2026-11-03")
    );
    assert_eq!(history[1].created_by, "user:2");
    // A deleted registration can be neither corrected nor deleted again.
    assert!(matches!(
        s.delete_registration("99XX00", gone.id, Actor::User(2))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.correct_registration(
            "99XX00",
            gone.id,
            &days(Code::Ziek, "2026-11-02", "2026-11-02"),
            None,
            Actor::User(2)
        )
        .await,
        Err(StoreError::NotFound)
    ));
    let record = s.current_record("99XX00", "1001").await.unwrap().unwrap();
    assert_eq!(record.record.registrations.len(), 1);
}

async fn illness_is_never_described(ctx: Ctx) {
    setup(&ctx).await;
    let s = &ctx.store;
    let sick = days(Code::Ziek, "2026-11-02", "2026-11-03");
    assert!(matches!(
        s.add_registration("99XX00", "1001", &sick, Some("griep"), Actor::User(1))
            .await,
        Err(StoreError::Invalid(_))
    ));
    let v = s
        .add_registration("99XX00", "1001", &sick, None, Actor::User(1))
        .await
        .unwrap();
    assert!(matches!(
        s.correct_registration("99XX00", v.id, &sick, Some("griep"), Actor::User(1))
            .await,
        Err(StoreError::Invalid(_))
    ));
    let zorg = Event {
        kind: EventKind::ZorgZiekte,
        date: d("2026-11-04"),
        note: Some("diagnose".into()),
    };
    assert!(matches!(
        s.add_event("99XX00", "1001", &zorg, Actor::User(1)).await,
        Err(StoreError::Invalid(_))
    ));
    // Nothing was stored by the refused calls.
    assert_eq!(s.registration_history(SCHOOL, v.id).await.unwrap().len(), 1);
    assert!(
        s.list_events(SCHOOL, "99XX00", "1001", Page::default())
            .await
            .unwrap()
            .is_empty()
    );
    // The database refuses it as well, whatever code path tries.
    let mut tx = s.begin().await.unwrap();
    let raw = tx
        .execute_raw(&format!(
            "UPDATE registration_versions SET note = 'griep' WHERE registration_id = {}",
            v.id
        ))
        .await;
    assert!(raw.is_err(), "a note on ziek must be refused by the schema");
}

async fn events_are_versioned(ctx: Ctx) {
    setup(&ctx).await;
    let s = &ctx.store;
    let e1 = Event {
        kind: EventKind::OverigVerzuim,
        date: d("2026-10-01"),
        note: Some("zorgen thuis".into()),
    };
    let v = s
        .add_event("99XX00", "1001", &e1, Actor::User(1))
        .await
        .unwrap();
    let e2 = Event {
        date: d("2026-10-02"),
        ..e1.clone()
    };
    s.correct_event("99XX00", v.id, &e2, Actor::User(1))
        .await
        .unwrap();
    assert_eq!(
        s.list_events(SCHOOL, "99XX00", "1001", Page::default())
            .await
            .unwrap()
            .iter()
            .map(|e| e.event.clone())
            .collect::<Vec<_>>(),
        vec![e2.clone()]
    );
    s.delete_event("99XX00", v.id, Actor::User(1))
        .await
        .unwrap();
    assert!(
        s.list_events(SCHOOL, "99XX00", "1001", Page::default())
            .await
            .unwrap()
            .is_empty()
    );
    let history = s.event_history(SCHOOL, v.id).await.unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(history[0].event, e1);
    assert!(history[2].deleted);
    // A verwijdering names the admitting school.
    assert!(matches!(
        s.add_event(
            "99XX00",
            "1001",
            &Event {
                kind: EventKind::Verwijdering,
                date: d("2026-10-05"),
                note: None
            },
            Actor::User(1)
        )
        .await,
        Err(StoreError::Invalid(_))
    ));
}

async fn current_record_maps_evidence_to_versions(ctx: Ctx) {
    setup(&ctx).await;
    let s = &ctx.store;
    let a = s
        .add_registration(
            "99XX00",
            "1001",
            &days(Code::Ongeoorloofd, "2026-09-21", "2026-09-21"),
            None,
            Actor::User(1),
        )
        .await
        .unwrap();
    let b = s
        .add_registration(
            "99XX00",
            "1001",
            &days(Code::Ongeoorloofd, "2026-09-28", "2026-09-29"),
            None,
            Actor::User(1),
        )
        .await
        .unwrap();
    let b2 = s
        .correct_registration(
            "99XX00",
            b.id,
            &days(Code::Ongeoorloofd, "2026-09-28", "2026-09-30"),
            None,
            Actor::User(1),
        )
        .await
        .unwrap();
    let e = s
        .add_event(
            "99XX00",
            "1001",
            &Event {
                kind: EventKind::OverigVerzuim,
                date: d("2026-10-01"),
                note: None,
            },
            Actor::User(1),
        )
        .await
        .unwrap();
    let rec = s.current_record("99XX00", "1001").await.unwrap().unwrap();
    assert_eq!(rec.record.pupil.id, "1001");
    assert_eq!(rec.registrations, vec![a, b2]);
    assert_eq!(rec.events, vec![e]);
    assert_eq!(
        rec.record.registrations[1],
        days(Code::Ongeoorloofd, "2026-09-28", "2026-09-30")
    );
    let evidence = rec.stored_evidence(&[
        Evidence::Registration {
            index: 1,
            minutes: 600,
        },
        Evidence::Event { index: 0 },
        Evidence::Deregistration {
            enrolled_until: d("2027-01-31"),
        },
    ]);
    assert_eq!(
        evidence,
        vec![
            StoredEvidence::Registration {
                id: b.id,
                version: 2,
                minutes: 600
            },
            StoredEvidence::Event {
                id: e.id,
                version: 1
            },
            StoredEvidence::Deregistration {
                enrolled_until: d("2027-01-31")
            },
        ]
    );
    assert!(s.current_record("99XX00", "9999").await.unwrap().is_none());
}
