//! `verzuim-service`: the workflow of the verzuimkaart on top of the store and the engine, with
//! no HTTP in it. The server's handlers and the demo seeder call these functions; each takes the
//! [`Store`](verzuim_store::Store) and the acting [`Caller`], checks what the caller may do, and
//! runs in one transaction.
//!
//! - [`records`]: enrol, update and deregister pupils; add, correct and delete registrations and
//!   events. After each change, in the same transaction, the pupil is re-evaluated and the stored
//!   signals synchronised ([`sync`]): new signals open or extend the pupil's case and create the
//!   school's tasks; signals the evaluation no longer produces are withdrawn and their open tasks
//!   marked `not_needed`.
//! - [`cases`]: one open case per chain of the card; reopening; closing quiet cases.
//! - [`tasks`]: completing tasks (with when and how the parents were informed); completing the
//!   school's melding task makes the melding and creates leerplicht's tasks; completing the
//!   referral task makes the referral and creates GGD-JGZ's tasks; the follow-ups of the card.
//! - [`meldingen`]: DUO's statuses with their transitions, leerplicht's afspraken, and the DUO
//!   export ([`meldingen::duo_export`]).
//! - [`referrals`]: GGD-JGZ's referral statuses and its own notes.
//! - [`leerplicht`]: the leerplichtambtenaar's actions on a melding (gesprek, waarschuwingsbrief,
//!   officiële waarschuwing, HALT, proces-verbaal) and the meldingen in order of urgency.
//! - [`ggd`]: GGD-JGZ's invitations of a referred pupil.
//! - [`dossier_view`]: the pupil dossier as one read model, read in one transaction.
//! - [`visibility`]: every read, scoped in SQL to what the caller's organisation may see.
//! - [`mod@import`]: formats.md files into one school, all or nothing.
//! - [`privacy`]: retention and the AVG inzage export.
//! - [`text`]: the fixed Dutch texts of the workflow (withdrawal reason, follow-up tasks).
//! - [`school`]: school settings (re-evaluating every pupil), the school's GGD-JGZ, and
//!   municipalities by name or CBS code.
//! - [`auth`]: the data of logging in (sessions, API tokens, the throttle's counters, a user's
//!   own second factor and password); [`audit`]: audit rows of reads and login steps;
//!   [`outbox`]: the mail delivery worker's claims; [`register`]: the teacher's daily register.
//! - [`model`]: the types the service takes and gives. Callers name these and [`Store`], never
//!   the store crate: the service is the only door to the data.
//!
//! The state machines and what triggers what are in `docs/workflow.md`.

pub mod audit;
pub mod audit_log;
pub mod auth;
pub mod caller;
pub mod cards;
pub mod cases;
pub mod dossier;
pub mod dossier_view;
pub mod duo;
pub mod early;
pub mod error;
pub mod ggd;
pub mod history;
pub mod import;
pub mod import_review;
pub mod leerplicht;
pub mod load;
pub mod mail;
pub mod meldingen;
pub mod model;
pub mod names;
pub mod organisations;
pub mod outbox;
pub mod overview;
pub mod parents;
pub mod principles;
pub mod privacy;
pub mod records;
pub mod referrals;
pub mod region;
pub mod register;
pub mod school;
pub mod school_state;
pub mod second_factor;
pub mod sync;
pub mod tasks;
pub mod text;
pub mod tokens;
pub mod users;
pub mod visibility;

/// The former name of [`model`].
pub use model as vocabulary;

/// The database handle every service call takes. The application's builder opens it
/// (`Store::open`, migrations); callers hold it and pass it on, and read or write nothing
/// through it themselves.
pub use verzuim_store::Store;

pub use caller::Caller;
pub use error::{Result, ServiceError};
pub use import::{ImportOptions, ImportReport, Sources, import, import_with};
pub use meldingen::{ClosingReason, MeldingAction, MeldingView, duo_export};
pub use records::Change;
pub use sync::SyncReport;
pub use tasks::{
    Completion, CompletionOutcome, Judgement, MeldingContent, ParentsInformed, ReferralFormInput,
};

/// Every public future of the service is `Send` (axum handlers and `tokio::spawn` need it).
/// Type-checked only, never run.
#[cfg(test)]
#[allow(dead_code, unused_must_use, clippy::all)]
mod send_check {
    use jiff::civil::Date;
    use verzuim_engine::model::{Event, Registration};
    use verzuim_store::{Page, PupilData, ReferralStatus, SchoolSettings, Store};

    use super::*;

    fn send<T: Send>(_: T) {}

    fn all(
        s: &Store,
        c: &Caller,
        d: Date,
        r: &Registration,
        e: &Event,
        p: &PupilData,
        st: &SchoolSettings,
        src: Sources<'_>,
        m: &MeldingAction,
        comp: &Completion,
        la: &leerplicht::ActionInput,
    ) {
        send(records::add_registration(s, c, d, "", "", r, None, None));
        send(records::correct_registration(s, c, d, "", 1, r, None, None));
        send(records::delete_registration(s, c, "", 1, None));
        send(records::add_event(s, c, d, "", "", e, None));
        send(records::correct_event(s, c, d, "", 1, e, None));
        send(records::delete_event(s, c, "", 1, None));
        send(records::enrol_pupil(s, c, "", p));
        send(records::update_pupil(s, c, "", p));
        send(records::deregister_pupil(s, c, "", "", d, None));
        send(sync::reevaluate(s, c, "", ""));
        send(tasks::complete_task(s, c, d, 1, comp));
        send(tasks::task_not_needed(s, c, 1, ""));
        send(tasks::close_case(s, c, 1, ""));
        send(meldingen::melding_action(s, c, 1, m));
        send(meldingen::record_afspraken(s, c, 1, ""));
        send(meldingen::melding(s, c, 1));
        send(meldingen::list_meldingen(s, c, Page::default()));
        send(meldingen::export(s, c, 1));
        send(referrals::set_referral_status(
            s,
            c,
            1,
            ReferralStatus::Afgerond,
        ));
        send(referrals::referral(s, c, 1));
        send(referrals::list_referrals(s, c, Page::default()));
        send(referrals::add_jgz_note(s, c, 1, ""));
        send(referrals::jgz_notes(s, c, 1, Page::default()));
        send(referrals::record_afspraken(s, c, 1, ""));
        send(referrals::referral_contact(s, c, 1, d));
        send(leerplicht::record_action(s, c, d, 1, la));
        send(leerplicht::actions(s, c, 1));
        send(leerplicht::list_meldingen(s, c, d, None, Page::default()));
        send(ggd::record_invitation(s, c, 1, d, 600));
        send(ggd::invitations(s, c, 1));
        send(ggd::referral_kind(s, c, 1));
        send(visibility::pupils(s, c, Page::default()));
        send(visibility::pupil(s, c, "", ""));
        send(visibility::registrations(s, c, "", "", Page::default()));
        send(visibility::cases(s, c, None, false, Page::default()));
        send(visibility::case(s, c, 1));
        send(visibility::my_tasks(s, c, None, Page::default()));
        send(visibility::tasks(s, c, None, Page::default()));
        send(visibility::task(s, c, 1));
        send(visibility::task_history(s, c, 1));
        send(visibility::parent_information(s, c, "", ""));
        send(import(s, c, d, "", src));
        send(import_with(s, c, d, "", src, ImportOptions::default()));
        send(import_review::list(s, c, "", None));
        send(import_review::of_pupil(s, c, "", ""));
        send(import_review::pending_count(s, c, ""));
        send(import_review::decide(
            s,
            c,
            d,
            "",
            1,
            &import_review::Decision::NeedsAction,
        ));
        send(privacy::apply_retention(s, d));
        send(privacy::inzage(s, c, "", ""));
        send(school::put_school_settings(s, c, "", st, None));
        send(school::set_school_ggd(s, c, "", ""));
        send(school::find_municipality(s, ""));
        send(auth::accept_code(s, 1, None, None));
        send(auth::start_session(
            s,
            &verzuim_store::Session {
                id: String::new(),
                user_id: 1,
                created_at: jiff::Timestamp::UNIX_EPOCH,
                last_seen_at: jiff::Timestamp::UNIX_EPOCH,
                expires_at: jiff::Timestamp::UNIX_EPOCH,
            },
            false,
        ));
        send(register::school_groups(s, c, ""));
        send(register::class_day(s, c, "", "", d));
        send(register::pupil_day(s, c, "", "", d));
        send(outbox::claim_next(s, "", jiff::Timestamp::UNIX_EPOCH));
        send(audit::append(s, &[]));
        send(privacy::apply_retention_audited(s, c, d));
    }
}
