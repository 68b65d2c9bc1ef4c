//! Import of formats.md files into one school: all or nothing.

use verzuim_exchange::Source;
use verzuim_service::{ServiceError, Sources, import, visibility};
use verzuim_store::{Page, Scope};

use crate::Ctx;
use crate::fixtures::*;

crate::stories!(
    a_bad_line_stores_nothing,
    import_stores_and_evaluates,
    the_demo_school_imports
);

const PUPILS: &str = "pupil_id;name;birth_date;group;municipality;enrolled_from;bsn\n\
3001;Anna;01-03-2016;5;Enschede;22-08-2022;400276872\n\
3002;Bram;02-04-2016;5;GM0173;22-08-2022;\n";

fn sources<'a>(pupils: &'a str, registrations: &'a str, events: Option<&'a str>) -> Sources<'a> {
    Sources {
        school: None,
        pupils: Source {
            name: "pupils.csv",
            bytes: pupils.as_bytes(),
        },
        registrations: Source {
            name: "registrations.csv",
            bytes: registrations.as_bytes(),
        },
        events: events.map(|e| Source {
            name: "events.csv",
            bytes: e.as_bytes(),
        }),
    }
}

async fn a_bad_line_stores_nothing(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    let admin = school_admin();
    // Line 3: an unknown code; line 4: after today.
    let regs = "pupil_id,code,start,end\n\
3001,ongeoorloofd,2026-09-21,2026-09-24\n\
3002,spijbelen,2026-09-21,\n\
3002,ongeoorloofd,2027-09-21,\n";
    let err = import(s, &admin, today(), SCHOOL, sources(PUPILS, regs, None))
        .await
        .unwrap_err();
    let ServiceError::Input(errors) = err else {
        panic!("expected input errors, got {err:?}");
    };
    assert!(
        errors
            .iter()
            .any(|e| e.file == "registrations.csv" && e.line == Some(3)),
        "{errors:?}"
    );
    assert!(
        visibility::pupils(s, &admin, Page::default())
            .await
            .unwrap()
            .is_empty()
    );

    // Valid for the exchange, but after today: the service's own check, with the line.
    let regs = "pupil_id,code,start,end\n\
3001,ongeoorloofd,2026-09-21,2026-09-24\n\
3002,ongeoorloofd,2027-09-21,\n";
    let err = import(s, &admin, today(), SCHOOL, sources(PUPILS, regs, None))
        .await
        .unwrap_err();
    let ServiceError::Input(errors) = err else {
        panic!("expected input errors, got {err:?}");
    };
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, Some(3));
    assert!(errors[0].message.contains("na vandaag"));
    assert!(
        visibility::pupils(s, &admin, Page::default())
            .await
            .unwrap()
            .is_empty()
    );

    // Overlap with a registration already stored: found inside the transaction, rolled back.
    let ok = "pupil_id,code,start,end\n3001,verlof,2026-10-05,2026-10-06\n";
    import(s, &admin, today(), SCHOOL, sources(PUPILS, ok, None))
        .await
        .unwrap();
    let more = "pupil_id,code,start,end\n\
3002,ongeoorloofd,2026-10-05,2026-10-05\n\
3001,ongeoorloofd,2026-10-06,2026-10-06\n";
    let err = import(s, &admin, today(), SCHOOL, sources(PUPILS, more, None))
        .await
        .unwrap_err();
    let ServiceError::Input(errors) = err else {
        panic!("expected input errors, got {err:?}");
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].line, Some(3));
    let mut tx = s.connection().await.unwrap();
    assert!(
        tx.list_registrations(Scope::School(SCHOOL), SCHOOL, "3002", Page::default())
            .await
            .unwrap()
            .is_empty(),
        "nothing of the failed import is stored"
    );
    // A rule of the service beyond the exchange (born after the enrolment): named by pupil.
    let odd = "pupil_id;birth_date;group;municipality;enrolled_from\n3003;01-09-2022;1;GM0153;22-08-2022\n";
    let err = import(
        s,
        &admin,
        today(),
        SCHOOL,
        sources(odd, "pupil_id,code,start\n", None),
    )
    .await
    .unwrap_err();
    let ServiceError::Input(errors) = err else {
        panic!("expected input errors, got {err:?}");
    };
    assert_eq!(errors[0].file, "pupils.csv");
    assert!(errors[0].message.contains("3003"), "{errors:?}");
    // A teacher may not import.
    assert!(matches!(
        import(s, &teacher(), today(), SCHOOL, sources(PUPILS, ok, None)).await,
        Err(ServiceError::Forbidden(_))
    ));
}

async fn import_stores_and_evaluates(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    let regs = "pupil_id,code,start,end\n\
3001,ongeoorloofd,2026-09-21,2026-09-24\n\
3002,ziek,2026-09-07,2026-09-25\n";
    let events = "pupil_id,date,event,note\n3002,2026-10-01,overig_verzuim,Zorgen thuis\n";
    let report = import(
        s,
        &school_admin(),
        today(),
        SCHOOL,
        sources(PUPILS, regs, Some(events)),
    )
    .await
    .unwrap();
    assert_eq!(report.pupils_created, 2);
    assert_eq!(report.registrations, 2);
    assert_eq!(report.events, 1);
    // relatief (3001); ziekmelding, ziek > 2 weken, overig verzuim (3002).
    assert_eq!(report.sync.inserted.len() + report.sync.extended.len(), 4);
    let p = visibility::pupil(s, &school_caller(), SCHOOL, "3001")
        .await
        .unwrap();
    assert_eq!(p.data.pupil.municipality, ENSCHEDE);
    assert_eq!(open_tasks(s, &school_caller(), "3001").await.len(), 2);
    // Importing again updates the pupils and adds nothing that overlaps.
    let report = import(
        s,
        &school_admin(),
        today(),
        SCHOOL,
        sources(PUPILS, "pupil_id,code,start\n", None),
    )
    .await
    .unwrap();
    assert_eq!(report.pupils_updated, 2);
    assert_eq!(report.registrations, 0);
}

async fn the_demo_school_imports(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    let read = |name: &str| {
        std::fs::read(format!(
            "{}/../../examples/demo/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    let (school, pupils, regs, events) = (
        read("school.toml"),
        read("pupils.csv"),
        read("registrations.csv"),
        read("events.csv"),
    );
    let files = Sources {
        school: Some(Source {
            name: "school.toml",
            bytes: &school,
        }),
        pupils: Source {
            name: "pupils.csv",
            bytes: &pupils,
        },
        registrations: Source {
            name: "registrations.csv",
            bytes: &regs,
        },
        events: Some(Source {
            name: "events.csv",
            bytes: &events,
        }),
    };
    let report = import(s, &school_admin(), verzuim_service_today(), SCHOOL, files)
        .await
        .unwrap();
    assert!(report.settings_replaced);
    assert_eq!(report.pupils_created, 50);
    assert!(report.sync.inserted.len() > 20, "{report:?}");
}

/// After the demo's last registration.
fn verzuim_service_today() -> jiff::civil::Date {
    d("2027-07-31")
}
