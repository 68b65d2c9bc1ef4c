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

mod workflow;
use workflow::*;

mod parent;
use parent::*;

mod people;
pub use people::*;

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
