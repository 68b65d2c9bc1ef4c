//! `verzuim serve --demo`: a demo region in the database, so that every page has something to
//! show. Only with `--demo` (security.md: demo users and fixed demo passwords exist only then).
//!
//! What [`seed`] puts in (idempotently: a second start on the same database adds nothing):
//!
//! - the municipalities Enschede (`GM0153`), Hengelo (`GM0164`) and Oldenzaal (`GM0173`), and
//!   GGD-JGZ "GGD Twente" ([`GGD_ID`]);
//! - two schools on the Twente card, each with GGD Twente as its GGD-JGZ: "OBS De Esch"
//!   (`99XX00`, the files of `examples/demo`, imported with the service's import, so its signals
//!   are those of `verzuim evaluate` on the same files) and "CBS De Wegwijzer" (`88YY00`, the files
//!   of `examples/demo-2`); both raise every signal kind of rules.md §2;
//! - a user per role ([`DEMO_USERS`]): leerkracht (of one group), verzuimcoordinator and
//!   beheerder per school, a leerplichtambtenaar per municipality, jgz at GGD Twente, all with the
//!   password [`DEMO_PASSWORD`] and no second factor (the demo's organisations do not require
//!   one: security.md allows the demo's users to stay password-only, and the start says so);
//! - part of the workflow, walked through the service as those users: school tasks completed with
//!   the parents informed, meldingen to all three municipalities (one in behandeling, one closed
//!   with afspraken so the school has the feedback task), referrals to GGD Twente (one "niet
//!   verschenen zonder tegenbericht", so the school has the task to judge it; one in behandeling);
//!   leerplicht's actions on the meldingen in behandeling (a conversation with the parents, a
//!   warning letter) and GGD-JGZ's invitations, so their pages show a case being handled;
//! - in the last week, registrations that put two pupils of OBS De Esch close to a threshold
//!   (the coordinator's vroegsignalering) without reaching it.
//!
//! The demo's school year is 2026-2027 and its "today" is [`DEMO_TODAY`], the last lesson day
//! before the summer holiday (the demo files hold registrations up to then, and the service
//! refuses registrations after today). A demo server runs on [`demo_clock`], which starts at that
//! day and then runs with real time.

use std::fmt::Write as _;
use std::time::Instant;

use jiff::civil::{Date, date};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use verzuim_engine::model::{Code, Registration, SignalKind, Span};
use verzuim_exchange::Source;
use verzuim_service::tasks::requires_parents_informed;
use verzuim_service::{
    Caller, ClosingReason, Completion, MeldingAction, MeldingContent, ParentsInformed,
    ServiceError, Sources,
};
use verzuim_store::leerplicht_queries::{ConversationWith, LeerplichtActionKind};
use verzuim_store::{
    InformedHow, Letterhead, MAX_PAGE_SIZE, MeldingId, Membership, NewUser, OrgKind, Organisation,
    Page, ReferralId, ReferralStatus, Role, Scope, Store, StoreError, Task, TaskStatus, UserId,
};

use crate::auth::password;
use crate::state::{Clock, ManualClock};

/// The password of every demo user (at least 12 characters, not on the list of common ones).
pub const DEMO_PASSWORD: &str = "demo-wachtwoord-2026";

/// The demo's today: Friday 2027-07-09, the last lesson day of the school year 2026-2027.
pub const DEMO_TODAY: Date = date(2027, 7, 9);

/// The GGD-JGZ organisation of the demo region.
pub const GGD_ID: &str = "GGD-TWENTE";

/// The first demo school (examples/demo).
pub const SCHOOL_ESCH: &str = "99XX00";
/// The second demo school (examples/demo-2).
pub const SCHOOL_WEGWIJZER: &str = "88YY00";

/// A demo user: who they are and where they work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoUser {
    pub email: &'static str,
    pub name: &'static str,
    pub role: Role,
    pub organisation: &'static str,
    /// For a leerkracht: the groups they register for.
    pub groups: &'static [&'static str],
}

/// Every demo user: a user per role and organisation of the demo region.
pub const DEMO_USERS: &[DemoUser] = &[
    DemoUser {
        email: "leerkracht@obs-de-esch.example",
        name: "Marieke Leferink",
        role: Role::Leerkracht,
        organisation: SCHOOL_ESCH,
        groups: &["7-8"],
    },
    DemoUser {
        email: "coordinator@obs-de-esch.example",
        name: "Hans Oude Vrielink",
        role: Role::Verzuimcoordinator,
        organisation: SCHOOL_ESCH,
        groups: &[],
    },
    DemoUser {
        email: "beheer@obs-de-esch.example",
        name: "Ingrid Nijland",
        role: Role::Beheerder,
        organisation: SCHOOL_ESCH,
        groups: &[],
    },
    DemoUser {
        email: "leerkracht@cbs-de-wegwijzer.example",
        name: "Bart Kamphuis",
        role: Role::Leerkracht,
        organisation: SCHOOL_WEGWIJZER,
        groups: &["6"],
    },
    DemoUser {
        email: "coordinator@cbs-de-wegwijzer.example",
        name: "Saskia ten Dam",
        role: Role::Verzuimcoordinator,
        organisation: SCHOOL_WEGWIJZER,
        groups: &[],
    },
    DemoUser {
        email: "beheer@cbs-de-wegwijzer.example",
        name: "Gerard Brummelhuis",
        role: Role::Beheerder,
        organisation: SCHOOL_WEGWIJZER,
        groups: &[],
    },
    DemoUser {
        email: "leerplicht@enschede.example",
        name: "Yvonne Schuttenbeld",
        role: Role::Leerplichtambtenaar,
        organisation: "GM0153",
        groups: &[],
    },
    DemoUser {
        email: "leerplicht@hengelo.example",
        name: "Erik Wensink",
        role: Role::Leerplichtambtenaar,
        organisation: "GM0164",
        groups: &[],
    },
    DemoUser {
        email: "leerplicht@oldenzaal.example",
        name: "Monique Bekhuis",
        role: Role::Leerplichtambtenaar,
        organisation: "GM0173",
        groups: &[],
    },
    DemoUser {
        email: "directeur@obs-de-esch.example",
        name: "Wilma Hofste",
        role: Role::Directeur,
        organisation: SCHOOL_ESCH,
        groups: &[],
    },
    DemoUser {
        email: "directeur@cbs-de-wegwijzer.example",
        name: "Jan Olde Bolhaar",
        role: Role::Directeur,
        organisation: SCHOOL_WEGWIJZER,
        groups: &[],
    },
    DemoUser {
        email: "jgz@ggd-twente.example",
        name: "Dr. Anouk Haverkate (jeugdarts)",
        role: Role::Jgz,
        organisation: GGD_ID,
        groups: &[],
    },
];

/// The demo parent (the parents' portal, docs/parents.md): no role in an organisation, a child
/// at each demo school.
pub const DEMO_PARENT: &str = "ouder@demo-ouders.example";
/// The demo parent's name.
pub const DEMO_PARENT_NAME: &str = "Petra Nijhuis";

/// The organisations of the demo region.
pub fn organisations() -> Vec<Organisation> {
    let org = |id: &str, kind, name: &str, street: &str, postcode: &str, city: &str| Organisation {
        id: id.to_owned(),
        kind,
        name: name.to_owned(),
        letterhead: Letterhead {
            street: Some(street.to_owned()),
            postcode: Some(postcode.to_owned()),
            city: Some(city.to_owned()),
            // Fictitious contact data for the letters' letterhead.
            phone: Some("(000) 123 45 67".to_owned()),
            email: Some(format!(
                "info@{}.example",
                name.to_lowercase()
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
                    .join("-")
            )),
        },
    };
    vec![
        org(
            "GM0153",
            OrgKind::Gemeente,
            "Enschede",
            "Langestraat 24",
            "7511 HC",
            "Enschede",
        ),
        org(
            "GM0164",
            OrgKind::Gemeente,
            "Hengelo",
            "Hazemeijerplein 1",
            "7555 RJ",
            "Hengelo",
        ),
        org(
            "GM0173",
            OrgKind::Gemeente,
            "Oldenzaal",
            "Ganzenmarkt 1",
            "7571 CD",
            "Oldenzaal",
        ),
        org(
            GGD_ID,
            OrgKind::GgdJgz,
            "GGD Twente",
            "Nijverheidstraat 30",
            "7511 JM",
            "Enschede",
        ),
        org(
            SCHOOL_ESCH,
            OrgKind::School,
            "OBS De Esch",
            "Esmarkelaan 1",
            "7522 MT",
            "Enschede",
        ),
        org(
            SCHOOL_WEGWIJZER,
            OrgKind::School,
            "CBS De Wegwijzer",
            "Wegwijzerstraat 2",
            "7555 AB",
            "Hengelo",
        ),
    ]
}

/// The files of a demo school, embedded (the same as under `examples/`).
struct SchoolFiles {
    id: &'static str,
    school: &'static str,
    pupils: &'static str,
    registrations: &'static str,
    events: &'static str,
}

const ESCH_FILES: SchoolFiles = SchoolFiles {
    id: SCHOOL_ESCH,
    school: include_str!("../../../examples/demo/school.toml"),
    pupils: include_str!("../../../examples/demo/pupils.csv"),
    registrations: include_str!("../../../examples/demo/registrations.csv"),
    events: include_str!("../../../examples/demo/events.csv"),
};

const WEGWIJZER_FILES: SchoolFiles = SchoolFiles {
    id: SCHOOL_WEGWIJZER,
    school: include_str!("../../../examples/demo-2/school.toml"),
    pupils: include_str!("../../../examples/demo-2/pupils.csv"),
    registrations: include_str!("../../../examples/demo-2/registrations.csv"),
    events: include_str!("../../../examples/demo-2/events.csv"),
};

/// Why the demo could not be seeded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("de demo kon niet worden opgeslagen: {0}")]
    Store(#[from] StoreError),
    #[error("de demo kon niet worden opgebouwd: {0}")]
    Service(#[from] ServiceError),
    #[error("de demobestanden van {school} zijn ongeldig: {first}")]
    Files { school: String, first: String },
    #[error("{0}")]
    Hash(#[from] password::HashError),
    #[error("de demo is onvolledig: {0}")]
    Missing(String),
}

type Result<T, E = DemoError> = std::result::Result<T, E>;

/// A demo login, as printed at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub email: String,
    pub role: Role,
    pub groups: Vec<String>,
    pub organisation_id: String,
    pub organisation_name: String,
    pub password: &'static str,
}

/// What [`seed`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoReport {
    /// Users created by this run (0 when the demo was already there).
    pub users_created: usize,
    /// Schools whose files were imported by this run.
    pub schools_imported: Vec<String>,
    /// Schools whose workflow was walked by this run.
    pub workflows_walked: Vec<String>,
    /// Every demo login.
    pub logins: Vec<DemoLogin>,
    /// The demo parent's children: (school name, pupil name).
    pub parent_children: Vec<(String, String)>,
}

impl DemoReport {
    /// Whether this run found everything already in place.
    pub fn was_present(&self) -> bool {
        self.users_created == 0
            && self.schools_imported.is_empty()
            && self.workflows_walked.is_empty()
    }
}

/// Seeds the demo region (see the module's documentation). Idempotent: organisations are
/// upserted, users made only when their e-mail address is unused, a school's files imported only
/// when it has no pupils, and its workflow walked only when it has no meldingen or referrals yet.
pub async fn seed(store: &Store) -> Result<DemoReport> {
    // The region is recorded on the demo day, before the demo server's clock starts: a minute per
    // step of the workflow, so that its timelines read in order and nothing is dated after the
    // demo's today.
    let clock = ManualClock::new(seed_start());
    let store = &store.with_clock(clock.clock());
    let mut report = DemoReport::default();
    for org in organisations() {
        let new = store.organisation(&org.id).await?.is_none();
        store.put_organisation(&org).await?;
        if new {
            // The demo's accounts sign in with a password only (their passwords are public
            // anyway); a demo beheerder can require a second factor on its page.
            store.set_second_factor_required(&org.id, false).await?;
        }
    }
    let mut ids = Vec::with_capacity(DEMO_USERS.len());
    for u in DEMO_USERS {
        let id = match store.user_by_email(u.email).await? {
            Some(existing) => existing.id,
            None => {
                let hash = password::hash_blocking(DEMO_PASSWORD.to_owned()).await?;
                report.users_created += 1;
                store
                    .create_user(&NewUser {
                        email: u.email.to_owned(),
                        display_name: u.name.to_owned(),
                        password_hash: hash,
                    })
                    .await?
            }
        };
        store
            .add_membership(&Membership {
                user_id: id,
                organisation_id: u.organisation.to_owned(),
                role: u.role,
                groups: u.groups.iter().map(|g| (*g).to_owned()).collect(),
            })
            .await?;
        ids.push(id);
    }
    let people = People { ids };

    for files in [&ESCH_FILES, &WEGWIJZER_FILES] {
        let beheer = people.caller(files.id, Role::Beheerder)?;
        if store
            .list_pupils(Scope::School(files.id), Page::first(1))
            .await?
            .is_empty()
        {
            import(store, &beheer, files).await?;
            report.schools_imported.push(files.id.to_owned());
        }
        verzuim_service::school::set_school_ggd(store, &beheer, files.id, GGD_ID).await?;
    }

    for school in [SCHOOL_ESCH, SCHOOL_WEGWIJZER] {
        let scope = Scope::School(school);
        let untouched = store
            .list_meldingen(scope, Page::first(1))
            .await?
            .is_empty()
            && store
                .list_referrals(scope, Page::first(1))
                .await?
                .is_empty();
        if untouched {
            let walk = Walk {
                store,
                clock: &clock,
                people: &people,
                school,
            };
            if school == SCHOOL_ESCH {
                walk.esch().await?;
            } else {
                walk.wegwijzer().await?;
            }
            report.workflows_walked.push(school.to_owned());
        }
    }

    if store.user_by_email(DEMO_PARENT).await?.is_none() {
        demo_parent(store, &people).await?;
        report.users_created += 1;
    }
    report.logins = logins();
    if let Some(parent) = store.user_by_email(DEMO_PARENT).await? {
        let children = verzuim_service::parents::children(store, parent.id).await?;
        report.parent_children = children
            .into_iter()
            .map(|c| (c.school_name, c.name))
            .collect();
    }
    Ok(report)
}

/// The demo parent with a child at each demo school (the first pupil without absence on the
/// demo's today), a leave request granted by De Esch's director (gewichtige omstandigheden, a
/// wedding, on the demo's today: a `verlof` registration) and a vakantieverlof refused by De
/// Wegwijzer's director (no employer's statement: Leerplichtwet 1969 art. 13a lid 1), each with
/// its decision letter.
async fn demo_parent(store: &Store, people: &People) -> Result<()> {
    let hash = password::hash_blocking(DEMO_PASSWORD.to_owned()).await?;
    let parent = store
        .create_user(&NewUser {
            email: DEMO_PARENT.to_owned(),
            display_name: DEMO_PARENT_NAME.to_owned(),
            password_hash: hash,
        })
        .await?;
    let letters = std::sync::Arc::new(
        verzuim_letters::Letters::new(None)
            .map_err(|e| DemoError::Missing(format!("brieven: {e}")))?,
    );
    for (school, granted) in [(SCHOOL_ESCH, true), (SCHOOL_WEGWIJZER, false)] {
        let mut child = None;
        for p in store
            .list_pupils(Scope::School(school), Page::first(MAX_PAGE_SIZE))
            .await?
        {
            let record = store.current_record(school, &p.data.pupil.id).await?;
            let free = record.is_some_and(|r| {
                r.record.pupil.enrolled_until.is_none()
                    && r.record.registrations.iter().all(|g| {
                        g.span.first_date() > DEMO_TODAY || g.span.last_date() < DEMO_TODAY
                    })
            });
            if free {
                child = Some(p);
                break;
            }
        }
        let child = need(child, "een leerling zonder afwezigheid op de demodag")?;
        let pupil_id = child.data.pupil.id.clone();
        store
            .link_parent(parent, school, &pupil_id, verzuim_store::Actor::System)
            .await?;
        let input = if granted {
            verzuim_service::parents::LeaveInput {
                kind: verzuim_store::parents::LeaveKind::GewichtigeOmstandigheden,
                from: DEMO_TODAY,
                until: DEMO_TODAY,
                circumstance: "huwelijk".into(),
                explanation: Some("Huwelijk van een oom in Groningen.".into()),
                employer_statement: None,
                employer_document: None,
            }
        } else {
            verzuim_service::parents::LeaveInput {
                kind: verzuim_store::parents::LeaveKind::Vakantieverlof,
                from: DEMO_TODAY,
                until: DEMO_TODAY,
                circumstance: String::new(),
                explanation: Some("Goedkopere vlucht voor de zomervakantie.".into()),
                employer_statement: None,
                employer_document: None,
            }
        };
        // The parent's request, audited as a request through the portal would be.
        let row = |id: i64| verzuim_store::AuditEntry {
            actor: verzuim_store::Actor::User(parent),
            organisation_id: Some(school.to_owned()),
            action: crate::audit::action::PUPIL_WRITE.to_owned(),
            object: crate::audit::AuditObject::Leave(id).to_string(),
            pupil: Some(verzuim_store::pupil_ref(school, &pupil_id)),
            address: None,
            outcome: "ok".to_owned(),
        };
        let view = verzuim_service::parents::request_leave(
            store, parent, DEMO_TODAY, school, &pupil_id, &input, &row,
        )
        .await?;
        let director = people.caller(school, Role::Directeur)?;
        let name = DEMO_USERS
            .iter()
            .find(|u| u.organisation == school && u.role == Role::Directeur)
            .map_or("De directeur", |u| u.name);
        let prepared = verzuim_service::parents::prepare_decision(
            store,
            &director,
            view.request.id,
            &verzuim_service::parents::DecisionInput {
                granted,
                motivation: if granted {
                    None
                } else {
                    Some("Een goedkopere vlucht is geen grond voor verlof.".into())
                },
                decider_name: name.to_owned(),
            },
        )
        .await?;
        let org = need(store.organisation(school).await?, "de school")?;
        let data =
            crate::web::verlof::letter_data(&org, org.name.clone(), &child, &prepared, DEMO_TODAY);
        let l = letters.clone();
        let letter = tokio::task::spawn_blocking(move || l.render_letter(&data))
            .await
            .map_err(|e| DemoError::Missing(format!("brief: {e}")))?
            .map_err(|e| DemoError::Missing(format!("brief: {e}")))?;
        verzuim_service::parents::decide_leave(
            store,
            &director,
            DEMO_TODAY,
            &prepared,
            letter.pdf,
            letter.text,
        )
        .await?;
    }
    Ok(())
}

/// The logins of [`DEMO_USERS`], with their organisations' names.
pub fn logins() -> Vec<DemoLogin> {
    let orgs = organisations();
    DEMO_USERS
        .iter()
        .map(|u| DemoLogin {
            email: u.email.to_owned(),
            role: u.role,
            groups: u.groups.iter().map(|g| (*g).to_owned()).collect(),
            organisation_id: u.organisation.to_owned(),
            organisation_name: orgs
                .iter()
                .find(|o| o.id == u.organisation)
                .map_or_else(|| u.organisation.to_owned(), |o| o.name.clone()),
            password: DEMO_PASSWORD,
        })
        .collect()
}

/// How many of [`DEMO_USERS`] and [`DEMO_PARENT`] the database holds. A start without `--demo` refuses a database
/// with any (their passwords are public).
pub async fn count_demo_users(store: &Store) -> Result<u64, StoreError> {
    let mut n = 0;
    for email in DEMO_USERS.iter().map(|u| u.email).chain([DEMO_PARENT]) {
        if store.user_by_email(email).await?.is_some() {
            n += 1;
        }
    }
    Ok(n)
}

/// The demo logins as a Dutch table (printed on standard output at start).
pub fn logins_table(logins: &[DemoLogin]) -> String {
    let role = |l: &DemoLogin| {
        if l.groups.is_empty() {
            l.role.as_str().to_owned()
        } else {
            format!("{} (groep {})", l.role.as_str(), l.groups.join(", "))
        }
    };
    let org = |l: &DemoLogin| format!("{} ({})", l.organisation_name, l.organisation_id);
    let headers = ["E-mailadres", "Rol", "Organisatie", "Wachtwoord"];
    let rows: Vec<[String; 4]> = logins
        .iter()
        .map(|l| [l.email.clone(), role(l), org(l), l.password.to_owned()])
        .collect();
    let mut widths = headers.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Demo-accounts (alleen met --demo; de wachtwoorden zijn openbaar, gebruik deze database niet \
         voor echte leerlingen). Schooljaar 2026-2027, demodatum {}.",
        verzuim_exchange::values::date_nl(DEMO_TODAY)
    );
    let _ = writeln!(
        out,
        "Ze loggen in met alleen een wachtwoord: in de demo-organisaties is de tweede factor \
         (TOTP) niet verplicht. In een echte installatie is die voor nieuwe organisaties wel \
         verplicht; probeer hem onder \"Tweede factor\"."
    );
    let _ = writeln!(out);
    let line = |out: &mut String, cells: [&str; 4]| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            text.push_str(cell);
            if i + 1 < cells.len() {
                text.extend(std::iter::repeat_n(' ', w - cell.chars().count()));
            }
        }
        let _ = writeln!(out, "{text}");
    };
    line(&mut out, headers);
    let rule = widths.map(|w| "-".repeat(w));
    line(&mut out, [&rule[0], &rule[1], &rule[2], &rule[3]]);
    for row in &rows {
        line(&mut out, [&row[0], &row[1], &row[2], &row[3]]);
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Ouderportaal (/ouders): {DEMO_PARENT} ({DEMO_PARENT_NAME}), wachtwoord {DEMO_PASSWORD}; \
         een kind op OBS De Esch en een op CBS De Wegwijzer, een toegekende en een afgewezen \
         verlofaanvraag."
    );
    out
}

/// The moment the demo region is recorded from: [`DEMO_TODAY`] at 07:00 in the Netherlands.
fn seed_start() -> Timestamp {
    at_demo_today(7, 0)
}

/// The moment a demo server's clock starts: [`DEMO_TODAY`] at 08:15 in the Netherlands.
pub fn demo_start() -> Timestamp {
    at_demo_today(8, 15)
}

fn at_demo_today(hour: i8, minute: i8) -> Timestamp {
    DEMO_TODAY
        .at(hour, minute, 0, 0)
        .to_zoned(TimeZone::get("Europe/Amsterdam").unwrap_or(TimeZone::UTC))
        .map_or(Timestamp::UNIX_EPOCH, |z| z.timestamp())
}

/// A clock for a demo server: starts at [`demo_start`] and then runs with real time (sessions
/// time out and login throttling wears off as usual). Call inside a tokio runtime: a task moves
/// it forward every second.
pub fn demo_clock() -> Clock {
    let manual = ManualClock::new(demo_start());
    let ticking = manual.clone();
    tokio::spawn(async move {
        let mut last = Instant::now();
        let mut tick = tokio::time::interval(std::time::Duration::from_millis(500));
        loop {
            tick.tick().await;
            let now = Instant::now();
            if let Ok(d) = SignedDuration::try_from(now - last) {
                ticking.advance(d);
            }
            last = now;
        }
    });
    manual.clock()
}

async fn import(store: &Store, caller: &Caller, files: &SchoolFiles) -> Result<()> {
    let sources = Sources {
        school: Some(Source {
            name: "school.toml",
            bytes: files.school.as_bytes(),
        }),
        pupils: Source {
            name: "pupils.csv",
            bytes: files.pupils.as_bytes(),
        },
        registrations: Source {
            name: "registrations.csv",
            bytes: files.registrations.as_bytes(),
        },
        events: Some(Source {
            name: "events.csv",
            bytes: files.events.as_bytes(),
        }),
    };
    match verzuim_service::import(store, caller, DEMO_TODAY, files.id, sources).await {
        Ok(_) => Ok(()),
        Err(ServiceError::Input(errors)) => Err(DemoError::Files {
            school: files.id.to_owned(),
            first: errors.first().map(ToString::to_string).unwrap_or_default(),
        }),
        Err(e) => Err(e.into()),
    }
}

/// The demo users' ids, in the order of [`DEMO_USERS`].
struct People {
    ids: Vec<UserId>,
}

impl People {
    fn caller(&self, organisation: &str, role: Role) -> Result<Caller> {
        DEMO_USERS
            .iter()
            .zip(&self.ids)
            .find(|(u, _)| u.organisation == organisation && u.role == role)
            .map(|(u, id)| Caller::user(*id, u.organisation, u.role))
            .ok_or_else(|| DemoError::Missing(format!("geen {role} bij {organisation}")))
    }
}

/// What completing a signal's school tasks started.
#[derive(Debug, Default)]
struct Started {
    melding: Option<MeldingId>,
    referral: Option<ReferralId>,
}

/// Part of the workflow of one school, walked as the demo users.
struct Walk<'a> {
    store: &'a Store,
    /// The store's clock, a minute on per step.
    clock: &'a ManualClock,
    people: &'a People,
    school: &'a str,
}

impl Walk<'_> {
    /// The store, a minute later than the previous step.
    fn step(&self) -> &Store {
        self.clock.advance(SignedDuration::from_mins(1));
        self.store
    }

    /// OBS De Esch: meldingen to all three municipalities, one in behandeling and one closed
    /// with afspraken; two referrals to GGD Twente, one "niet verschenen zonder tegenbericht".
    async fn esch(&self) -> Result<()> {
        // 1026 Lotte: relatief verzuim (Enschede) -> melding, which leerplicht takes up.
        let lotte = self
            .school_tasks(
                "1026",
                SignalKind::RelatiefVerzuim,
                None,
                InformedHow::Gesprek,
                Some(melding(
                    "Ongeoorloofd afwezig zonder bericht; ouders geven aan dat Lotte 's ochtends \
                     moeilijk op gang komt",
                    "Gesprek met ouders en Lotte gevoerd; aanwezigheid wekelijks besproken",
                )),
            )
            .await?;
        let enschede = self.people.caller("GM0153", Role::Leerplichtambtenaar)?;
        let id = need(lotte.melding, "melding 1026")?;
        self.melding_step(&enschede, id, MeldingAction::InBehandeling)
            .await?;
        // Leerplicht talks with Lotte's parents and sends a warning letter.
        self.leerplicht_action(
            &enschede,
            id,
            LeerplichtActionKind::Gesprek,
            7,
            Some(ConversationWith::Ouders),
            Some(
                "Gesprek met moeder en vader op het gemeentehuis. Lotte gaat voortaan om 21.00 \
                 uur naar bed; de ouders brengen haar zelf naar school.",
            ),
        )
        .await?;
        self.leerplicht_action(
            &enschede,
            id,
            LeerplichtActionKind::Waarschuwingsbrief,
            14,
            None,
            None,
        )
        .await?;

        // 1035 Roos: te laat, 5x (a talk) and 10x (melding, closed by leerplicht with afspraken:
        // the school gets the feedback task).
        self.school_tasks(
            "1035",
            SignalKind::TeLaat,
            Some("5x"),
            InformedHow::Gesprek,
            None,
        )
        .await?;
        let roos = self
            .school_tasks(
                "1035",
                SignalKind::TeLaat,
                Some("10x"),
                InformedHow::Brief,
                Some(melding(
                    "Structureel te laat; ouders vertrekken vroeg naar hun werk",
                    "Twee gesprekken met ouders (5x en 10x te laat), afspraken over het \
                     ochtendritme",
                )),
            )
            .await?;
        let id = need(roos.melding, "melding 1035")?;
        self.melding_step(&enschede, id, MeldingAction::InBehandeling)
            .await?;
        self.leerplicht_action(
            &enschede,
            id,
            LeerplichtActionKind::Gesprek,
            5,
            Some(ConversationWith::Leerling),
            Some("Roos vertelt dat zij 's ochtends op haar broertje past."),
        )
        .await?;
        self.melding_step(
            &enschede,
            id,
            MeldingAction::Afgesloten {
                reason: ClosingReason::VerzuimBeeindigd,
                afspraken: "Gesprek met ouders en Roos gevoerd. Roos fietst voortaan samen met \
                            een buurmeisje naar school; de school houdt het te laat komen bij en \
                            meldt opnieuw bij herhaling."
                    .into(),
            },
        )
        .await?;

        // 1030 Jens (Hengelo): thuiszitter, melding as langdurig relatief verzuimer.
        self.school_tasks(
            "1030",
            SignalKind::LangdurigRelatiefVerzuim,
            None,
            InformedHow::Gesprek,
            Some(melding(
                "Langdurig thuis; vermoedelijk schoolangst",
                "Overleg met ouders en het samenwerkingsverband; thuiswerk aangeboden",
            )),
        )
        .await?;

        // 1046 Ilse (Oldenzaal): luxe verzuim after the meivakantie.
        self.school_tasks(
            "1046",
            SignalKind::LuxeVerzuim,
            None,
            InformedHow::Telefoon,
            Some(melding(
                "Vakantie verlengd zonder toestemming van de directeur",
                "Ouders gebeld en op de hoogte gesteld van de melding",
            )),
        )
        .await?;

        // 1044 Floor: absoluut verzuim, melding (geregistreerd).
        self.school_tasks(
            "1044",
            SignalKind::AbsoluutVerzuim,
            None,
            InformedHow::Brief,
            Some(melding(
                "Uitgeschreven zonder bekende nieuwe school",
                "Ouders gebeld en aangeschreven; geen inschrijving elders bekend",
            )),
        )
        .await?;

        // 1038 Stijn: 5x te laat, talked with the parents.
        self.school_tasks(
            "1038",
            SignalKind::TeLaat,
            Some("5x"),
            InformedHow::Gesprek,
            None,
        )
        .await?;

        // 1040 Isa: ziek langer dan 2 weken -> referral; GGD-JGZ reports she did not come without
        // notice, so the school gets the task to judge that.
        let ggd = self.people.caller(GGD_ID, Role::Jgz)?;
        let isa = self
            .school_tasks(
                "1040",
                SignalKind::ZiekLangerDan2Weken,
                None,
                InformedHow::Telefoon,
                None,
            )
            .await?;
        let referral = need(isa.referral, "verwijzing 1040")?;
        // GGD-JGZ invited her (which took the referral up) before she did not come.
        verzuim_service::ggd::record_invitation(
            self.step(),
            &ggd,
            referral,
            DEMO_TODAY - jiff::Span::new().days(17),
            14 * 60 + 30,
        )
        .await?;
        verzuim_service::referrals::add_jgz_note(
            self.step(),
            &ggd,
            referral,
            "Uitnodiging voor het spreekuur verstuurd aan ouders.",
        )
        .await?;
        verzuim_service::referrals::set_referral_status(
            self.step(),
            &ggd,
            referral,
            ReferralStatus::NietVerschenenZonderTegenbericht,
        )
        .await?;

        // 1015 Levi: 3rd sick report in 3 months -> referral, which GGD-JGZ takes up.
        let levi = self
            .school_tasks(
                "1015",
                SignalKind::Ziek3eMeldingIn3Maanden,
                None,
                InformedHow::Gesprek,
                None,
            )
            .await?;
        let referral = need(levi.referral, "verwijzing 1015")?;
        verzuim_service::referrals::set_referral_status(
            self.step(),
            &ggd,
            referral,
            ReferralStatus::InBehandeling,
        )
        .await?;
        verzuim_service::ggd::record_invitation(
            self.step(),
            &ggd,
            referral,
            date(2027, 7, 14),
            10 * 60,
        )
        .await?;

        // The last week: two pupils the coordinator's vroegsignalering shows, close to a
        // threshold but not on it (1039 Lars: 915 of 960 minutes; 1031 Ayoub: 4 of 5 late).
        let juf = self.people.caller(self.school, Role::Leerkracht)?;
        let day = |d: i8, code: Code, late: Option<u32>| Registration {
            code,
            span: Span::Days {
                from: date(2027, 7, d),
                until: date(2027, 7, d),
            },
            minutes_late: late,
        };
        for reg in [
            ("1039", day(5, Code::Ongeoorloofd, None)),
            ("1039", day(6, Code::Ongeoorloofd, None)),
            ("1039", day(7, Code::Ongeoorloofd, None)),
            ("1031", day(7, Code::TeLaat, Some(10))),
            ("1031", day(8, Code::TeLaat, Some(15))),
        ] {
            verzuim_service::records::add_registration(
                self.step(),
                &juf,
                DEMO_TODAY,
                self.school,
                reg.0,
                &reg.1,
                None,
                None,
            )
            .await?;
        }
        Ok(())
    }

    /// CBS De Wegwijzer: a melding to Hengelo, a talk about luxe verzuim, a referral.
    async fn wegwijzer(&self) -> Result<()> {
        self.school_tasks(
            "2001",
            SignalKind::RelatiefVerzuim,
            None,
            InformedHow::Gesprek,
            Some(melding(
                "Ongeoorloofd afwezig; ouders melden Daan niet af",
                "Gesprek met ouders gevoerd en hen op de hoogte gesteld van de melding",
            )),
        )
        .await?;
        // 2002 Fenna: the talk is done; the melding is left for the coordinator to make.
        self.school_tasks_where(
            "2002",
            SignalKind::LuxeVerzuim,
            None,
            InformedHow::Gesprek,
            None,
            |t| !t.melding,
        )
        .await?;
        self.school_tasks(
            "2004",
            SignalKind::ZiekLangerDan2Weken,
            None,
            InformedHow::Telefoon,
            None,
        )
        .await?;
        Ok(())
    }

    async fn school_tasks(
        &self,
        pupil: &str,
        kind: SignalKind,
        stage: Option<&str>,
        how: InformedHow,
        content: Option<MeldingContent>,
    ) -> Result<Started> {
        self.school_tasks_where(pupil, kind, stage, how, content, |_| true)
            .await
    }

    /// Completes the open school tasks (those `which` picks) of the pupil's first active signal
    /// of `kind` (and `stage`), in the card's order, with the parents informed on the signal's
    /// date where the task asks for it.
    async fn school_tasks_where(
        &self,
        pupil: &str,
        kind: SignalKind,
        stage: Option<&str>,
        how: InformedHow,
        content: Option<MeldingContent>,
        which: impl Fn(&Task) -> bool,
    ) -> Result<Started> {
        let coordinator = self.people.caller(self.school, Role::Verzuimcoordinator)?;
        let signal = self
            .store
            .active_signals(Scope::School(self.school), self.school, pupil)
            .await?
            .into_iter()
            .filter(|s| s.kind == kind && (stage.is_none() || s.stage.as_deref() == stage))
            .min_by_key(|s| (s.date, s.id))
            .ok_or_else(|| {
                DemoError::Missing(format!(
                    "leerling {pupil} heeft geen signaal {}",
                    kind.as_str()
                ))
            })?;
        let mut tasks: Vec<Task> = self
            .open_tasks()
            .await?
            .into_iter()
            .filter(|t| t.pupil_id == pupil && t.signal_id == Some(signal.id) && which(t))
            .collect();
        tasks.sort_by_key(|t| t.id);
        if tasks.is_empty() {
            return Err(DemoError::Missing(format!(
                "leerling {pupil}: geen open taken bij het signaal {}",
                kind.as_str()
            )));
        }
        let mut started = Started::default();
        for task in tasks {
            let completion = Completion {
                parents_informed: requires_parents_informed(&task.text).then_some(
                    ParentsInformed {
                        date: signal.date.min(DEMO_TODAY),
                        how,
                    },
                ),
                melding: if task.melding { content.clone() } else { None },
                judgement: None,
                // The digitaal aanmeldingsformulier of a referral (issue 11).
                referral_form: task.referral.then(|| verzuim_service::ReferralFormInput {
                    question: "Wat is er nodig zodat de leerling weer naar school kan?".into(),
                    school_actions: "Gesprek met de ouders over de ziekmeldingen; de ouders \
                                     weten van de verwijzing."
                        .into(),
                    parents_consent: true,
                }),
                // What the school reports with "Meldt bij de Onderwijsinspectie" and "Meldt/gaat
                // in overleg met het samenwerkingsverband" (issue 11).
                school_report: match verzuim_service::tasks::report_kind(&task.text) {
                    Some(verzuim_service::tasks::ReportKind::SwvOverleg) => {
                        Some(verzuim_service::tasks::SchoolReportContent::SwvOverleg {
                            with_whom: "Consulent passend onderwijs, SWV 2301 PO".into(),
                            date: signal.date.min(DEMO_TODAY),
                            outcome: "Thuiswerk aangeboden; overleg met ouders over een \
                                      arrangement op school"
                                .into(),
                        })
                    }
                    Some(verzuim_service::tasks::ReportKind::Inspectie) => {
                        Some(verzuim_service::tasks::SchoolReportContent::Inspectie {
                            decision_date: signal.date.min(DEMO_TODAY),
                            accepting_school: "CBS De Wegwijzer".into(),
                            reason: "Besluit van het bevoegd gezag".into(),
                            report_date: signal.date.min(DEMO_TODAY),
                        })
                    }
                    None => None,
                },
            };
            let outcome = verzuim_service::tasks::complete_task(
                self.step(),
                &coordinator,
                DEMO_TODAY,
                task.id,
                &completion,
            )
            .await?;
            started.melding = started.melding.or(outcome.melding);
            started.referral = started.referral.or(outcome.referral);
        }
        Ok(started)
    }

    /// Every open task of the school.
    async fn open_tasks(&self) -> Result<Vec<Task>> {
        let mut all = Vec::new();
        let mut page = Page::first(MAX_PAGE_SIZE);
        loop {
            let batch = self
                .store
                .list_tasks(self.school, Some(TaskStatus::Open), page)
                .await?;
            let done = batch.len() < page.limit() as usize;
            all.extend(batch);
            if done {
                return Ok(all);
            }
            page = page.next();
        }
    }

    /// Records an action of leerplicht on a melding, `days_after` the end of its period (at the
    /// latest on the demo day); how the parents were informed follows from the action (a
    /// conversation with them, a letter) or is a letter.
    async fn leerplicht_action(
        &self,
        caller: &Caller,
        id: MeldingId,
        kind: LeerplichtActionKind,
        days_after: i64,
        with_whom: Option<ConversationWith>,
        summary: Option<&str>,
    ) -> Result<()> {
        let view = verzuim_service::meldingen::melding(self.store, caller, id).await?;
        let day = view
            .melding
            .period
            .to
            .checked_add(jiff::Span::new().days(days_after))
            .unwrap_or(DEMO_TODAY)
            .min(DEMO_TODAY);
        verzuim_service::leerplicht::record_action(
            self.step(),
            caller,
            DEMO_TODAY,
            id,
            &verzuim_service::leerplicht::ActionInput {
                kind,
                date: day,
                with_whom,
                summary: summary.map(str::to_owned),
                parents_informed: Some(InformedHow::Brief),
                referred_to: None,
            },
        )
        .await?;
        Ok(())
    }

    async fn melding_step(
        &self,
        caller: &Caller,
        id: MeldingId,
        action: MeldingAction,
    ) -> Result<()> {
        verzuim_service::meldingen::melding_action(self.step(), caller, id, &action).await?;
        Ok(())
    }
}

fn melding(reason: &str, actions: &str) -> MeldingContent {
    MeldingContent {
        suspected_reason: reason.to_owned(),
        school_actions: actions.to_owned(),
    }
}

fn need<T>(value: Option<T>, what: &str) -> Result<T> {
    value.ok_or_else(|| DemoError::Missing(format!("{what} is niet gemaakt")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_password_meets_the_policy() {
        assert_eq!(password::check_policy(DEMO_PASSWORD), Ok(()));
    }

    #[test]
    fn every_role_has_a_demo_user_and_every_organisation_exists() {
        let orgs = organisations();
        for role in Role::ALL {
            assert!(DEMO_USERS.iter().any(|u| u.role == *role), "{role}");
        }
        for u in DEMO_USERS {
            assert!(orgs.iter().any(|o| o.id == u.organisation), "{}", u.email);
        }
    }

    #[test]
    fn the_table_lists_every_login_with_its_password() {
        let table = logins_table(&logins());
        assert!(table.contains("E-mailadres"));
        assert!(table.contains("Wachtwoord"));
        for u in DEMO_USERS {
            let line = table.lines().find(|l| l.starts_with(u.email)).unwrap();
            assert!(line.contains(DEMO_PASSWORD), "{line}");
        }
        assert!(table.contains("leerkracht (groep 7-8)"));
        assert!(table.contains("OBS De Esch (99XX00)"));
    }

    #[test]
    fn the_demo_clock_starts_on_the_last_lesson_day() {
        let start = demo_start().to_zoned(TimeZone::get("Europe/Amsterdam").unwrap());
        assert_eq!(start.date(), DEMO_TODAY);
    }
}
