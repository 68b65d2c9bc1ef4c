//! A small region: one school on the Twente card with the demo school's calendar (2026-2027),
//! two municipalities, one GGD-JGZ, and callers for each role.

use jiff::civil::Date;
use verzuim_engine::model::{Code, Pupil, Registration, Span};
use verzuim_service::Caller;
use verzuim_store::{
    Letterhead, OrgKind, Organisation, PupilData, Role, SchoolSettings, Store, Task, TaskStatus,
};

pub const SCHOOL: &str = "99XX00";
pub const OTHER_SCHOOL: &str = "88YY00";
pub const ENSCHEDE: &str = "GM0153";
pub const OLDENZAAL: &str = "GM0173";
pub const GGD: &str = "GGDTW";
pub const OTHER_GGD: &str = "GGDIJ";

/// The service's "today" in the stories: after every registration they make.
pub fn today() -> Date {
    d("2027-06-30")
}

pub fn d(s: &str) -> Date {
    s.parse().expect("date")
}

pub fn school_caller() -> Caller {
    Caller::user(1, SCHOOL, Role::Verzuimcoordinator)
}

pub fn teacher() -> Caller {
    Caller::user(2, SCHOOL, Role::Leerkracht)
}

pub fn school_admin() -> Caller {
    Caller::user(3, SCHOOL, Role::Beheerder)
}

pub fn other_school() -> Caller {
    Caller::user(4, OTHER_SCHOOL, Role::Verzuimcoordinator)
}

pub fn leerplicht(municipality: &str) -> Caller {
    Caller::user(10, municipality, Role::Leerplichtambtenaar)
}

pub fn jgz() -> Caller {
    Caller::user(20, GGD, Role::Jgz)
}

/// GGD-JGZ of another region: no referral goes to it.
pub fn other_jgz() -> Caller {
    Caller::user(22, OTHER_GGD, Role::Jgz)
}

pub fn ggd_admin() -> Caller {
    Caller::user(21, GGD, Role::Beheerder)
}

pub fn demo_school() -> verzuim_engine::model::School {
    let text = include_str!("../../../../examples/demo/school.toml");
    verzuim_exchange::school::parse_school("school.toml", text.as_bytes()).expect("demo school")
}

async fn org(store: &Store, id: &str, kind: OrgKind, name: &str) {
    store
        .put_organisation(&Organisation {
            id: id.into(),
            kind,
            name: name.into(),
            letterhead: Letterhead::default(),
        })
        .await
        .expect("put organisation");
}

/// The region: schools, municipalities, GGD-JGZ, the schools' settings and GGD-JGZ link.
pub async fn region(store: &Store) {
    org(store, SCHOOL, OrgKind::School, "OBS De Esch").await;
    org(store, OTHER_SCHOOL, OrgKind::School, "CBS De Wilg").await;
    org(store, ENSCHEDE, OrgKind::Gemeente, "Enschede").await;
    org(store, OLDENZAAL, OrgKind::Gemeente, "Oldenzaal").await;
    org(store, GGD, OrgKind::GgdJgz, "GGD Twente").await;
    org(store, OTHER_GGD, OrgKind::GgdJgz, "GGD IJsselland").await;
    for (school, caller) in [
        (SCHOOL, school_admin()),
        (OTHER_SCHOOL, Caller::user(5, OTHER_SCHOOL, Role::Beheerder)),
    ] {
        let mut s = demo_school();
        s.id = school.into();
        verzuim_service::school::put_school_settings(
            store,
            &caller,
            school,
            &SchoolSettings {
                card_id: "twente-po".into(),
                school: s,
            },
            None,
        )
        .await
        .expect("school settings");
        verzuim_service::school::set_school_ggd(store, &caller, school, GGD)
            .await
            .expect("school ggd");
    }
}

/// A pupil of 10 (born 2016) in group 5, enrolled since 2022, with a valid BSN.
pub fn pupil(id: &str, municipality: &str) -> PupilData {
    let mut data = PupilData::new(Pupil {
        id: id.into(),
        birth_date: d("2016-03-01"),
        group: "5".into(),
        municipality: municipality.into(),
        enrolled_from: d("2022-08-22"),
        enrolled_until: None,
        next_school: None,
    });
    data.name = Some(format!("Leerling {id}"));
    data.bsn = Some("400276872".into());
    data
}

pub async fn enrol(store: &Store, school: &str, data: &PupilData) {
    let caller = Caller::user(3, school, Role::Beheerder);
    verzuim_service::records::enrol_pupil(store, &caller, school, data)
        .await
        .expect("enrol");
}

pub fn days(code: Code, from: &str, until: &str) -> Registration {
    Registration {
        code,
        span: Span::Days {
            from: d(from),
            until: d(until),
        },
        minutes_late: None,
    }
}

/// Registers as the school's verzuimcoordinator; panics on refusal.
pub async fn register(store: &Store, pupil: &str, reg: &Registration) -> verzuim_service::Change {
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
    .expect("register")
}

/// The open tasks of an organisation for one pupil, oldest first.
pub async fn open_tasks(store: &Store, caller: &Caller, pupil: &str) -> Vec<Task> {
    let mut tasks: Vec<Task> = verzuim_service::visibility::my_tasks(
        store,
        caller,
        Some(TaskStatus::Open),
        verzuim_store::Page::first(200),
    )
    .await
    .expect("tasks")
    .into_iter()
    .filter(|t| t.pupil_id == pupil)
    .collect();
    tasks.sort_by_key(|t| t.id);
    tasks
}

/// The one open task whose text starts with `prefix`.
pub fn task_starting<'a>(tasks: &'a [Task], prefix: &str) -> &'a Task {
    let found: Vec<&Task> = tasks
        .iter()
        .filter(|t| t.text.starts_with(prefix))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one task starting with {prefix:?} in {:#?}",
        tasks.iter().map(|t| &t.text).collect::<Vec<_>>()
    );
    found[0]
}

/// The school's digitaal aanmeldingsformulier for a referral (issue 11).
pub fn referral_form() -> Option<verzuim_service::ReferralFormInput> {
    Some(verzuim_service::ReferralFormInput {
        question: "Hoe kan de leerling weer naar school?".into(),
        school_actions: "Gesprek met moeder op 22 september".into(),
        parents_consent: true,
    })
}
