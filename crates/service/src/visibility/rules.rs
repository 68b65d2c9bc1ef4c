//! The visibility rules: for each kind of object, whether a party sees it and which of its
//! fields (security.md, Authorization; AVG art. 5(1)(c), data minimisation). The API, the pages
//! and the inzage export all read through these functions (via [`super`] and
//! [`crate::privacy::inzage`]); none of them filters on its own.
//!
//! The store's SQL already limits each read to the cases the party may see (a school its own
//! pupils', leerplicht those with a melding to its municipality, GGD-JGZ those with a referral to
//! it). These rules decide what of such a case reaches the party:
//!
//! | object | school | leerplicht | GGD-JGZ | parents |
//! |---|---|---|---|---|
//! | case | all | its kinds: those of the signals it sees | all | no kinds |
//! | signal | all | within the period of one of its meldingen | all of the case | none |
//! | task | all; another party's `status_reason` only when it is a fixed workflow text | its own, and the school's and GGD-JGZ's whose signal it sees (or without a signal); same reason rule | all; same reason rule | the school's tasks to talk with the parents (the card's "gesprek met ouders"), without `status_reason` |
//! | timeline entry | all | those of signals it sees (or of none) | all | none |
//! | melding | its own | those to its municipality | none | its status, of their own child |
//! | referral (status) | its own | those of the cases of its meldingen | those to it | its status, of their own child |
//! | GGD-JGZ note | never | never | its own | never |
//! | referral form (the school's digitaal aanmeldingsformulier) | its own | never | those to it | never |
//! | referral afspraken (GGD-JGZ's feedback to the school) | its own referrals' | never | its own | never |
//! | referral contact (parents' name, phone, e-mail, address; pupil's age) | its own | never | those to it | never |
//! | school report (to the inspectie, consultation with the samenwerkingsverband) | its own | never | never | never |
//! | feedback (a task link's `detail`: leerplicht's afspraken) | its pupils' | its own meldingen's | on its own tasks | never |
//! | registration | all | within the period of one of its meldingen | none | all of their own child |
//! | event | all | within the period of one of its meldingen | none | none |
//! | pupil on the prikactie page (absent around a holiday) | — | only with a melding to it; others as counts (≥ 5 or "minder dan 5") | — | — |
//! | "ouders geïnformeerd" (parent information) | all | of the cases it sees | of the cases it sees | date and how, never the note |
//!
//! Parents (docs/parents.md) are a party of their own: the store hands them only their own
//! children (`parent_links`), and the card says "Ouders dienen van alle acties op de hoogte te
//! zijn": they see what was recorded as told to them, the letters, the child's registrations and
//! the status of a melding or referral, never a party's notes (leerplicht's internal notes and
//! GGD-JGZ's notes are not even read for them).
//!
//! Free text a party types (the reason it marks its task "niet nodig", GGD-JGZ's notes) is that
//! party's alone: others see the status (security.md: "its own notes are GGD-JGZ's alone; the
//! school sees the referral's status, not the notes"), and only what a party explicitly feeds
//! back (leerplicht's afspraken, kaart Twente PO "koppelt afspraken terug aan melder") reaches
//! another. Leerplicht sees "only what the melding and its case hold" (security.md): a school's
//! ziekmelding signal or sick-report task outside the period of its meldingen is not part of any
//! melding.

use jiff::civil::Date;
use verzuim_engine::model::{Event, Party, Period};
use verzuim_store::{
    Case, JgzNote, Melding, MeldingId, ParentInformation, Referral, Scope, StoredRegistration,
    StoredSignal, Task,
};
use verzuim_store::{TaskLink, TimelineEntry};

use crate::text::FIXED_TASK_REASONS;

/// The party looking, from the kind of its organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Viewer {
    School,
    Leerplicht,
    Ggd,
    /// A parent, looking at their own child ([`Sight::parent`]).
    Ouders,
}

impl Viewer {
    pub const ALL: [Viewer; 4] = [
        Viewer::School,
        Viewer::Leerplicht,
        Viewer::Ggd,
        Viewer::Ouders,
    ];

    pub fn of(scope: Scope<'_>) -> Viewer {
        match scope {
            Scope::School(_) => Viewer::School,
            Scope::Municipality(_) => Viewer::Leerplicht,
            Scope::Ggd(_) => Viewer::Ggd,
        }
    }

    /// The card's party of this viewer (parents are no party of the card: `None`).
    pub fn party(self) -> Option<Party> {
        match self {
            Viewer::School => Some(Party::School),
            Viewer::Leerplicht => Some(Party::Leerplicht),
            Viewer::Ggd => Some(Party::GgdJgz),
            Viewer::Ouders => None,
        }
    }
}

/// Who looks, and what its organisation holds of the pupil: for leerplicht, its meldingen with
/// their periods (of the case, or of the pupil for pupil-level records).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sight {
    pub viewer: Viewer,
    /// The viewer's organisation (school BRIN, municipality CBS code, GGD-JGZ id).
    pub organisation: String,
    /// Leerplicht: its meldingen (id, period). Unused for the others.
    pub meldingen: Vec<(MeldingId, Period)>,
}

impl Sight {
    /// The sight of `scope`; `meldingen` are the viewer's own (the store hands leerplicht only
    /// the meldingen to its municipality), of which only those to a municipality count.
    pub fn new(scope: Scope<'_>, meldingen: &[Melding]) -> Sight {
        let organisation = match scope {
            Scope::School(o) | Scope::Municipality(o) | Scope::Ggd(o) => o.to_owned(),
        };
        let viewer = Viewer::of(scope);
        let meldingen = match viewer {
            Viewer::Leerplicht => meldingen
                .iter()
                .filter(|m| m.municipality == organisation)
                .map(|m| (m.id, m.period))
                .collect(),
            _ => Vec::new(),
        };
        Sight {
            viewer,
            organisation,
            meldingen,
        }
    }

    /// A parent's sight on their own child at `school_id` (the store checked the link).
    pub fn parent(school_id: &str) -> Sight {
        Sight {
            viewer: Viewer::Ouders,
            organisation: school_id.to_owned(),
            meldingen: Vec::new(),
        }
    }

    /// `from..=to` lies (partly) within the period of one of the viewer's meldingen.
    fn within_meldingen(&self, from: Date, to: Date) -> bool {
        self.meldingen
            .iter()
            .any(|(_, p)| from <= p.to && to >= p.from)
    }
}

/// The dates a signal covers: its period, or its date.
fn signal_dates(s: &StoredSignal) -> (Date, Date) {
    match &s.period {
        Some(p) => (p.from.min(s.date), p.to.max(s.date)),
        None => (s.date, s.date),
    }
}

/// A signal: the school and GGD-JGZ see every signal of a case they see; leerplicht only those
/// within the period of one of its meldingen (security.md: "only what the melding and its case
/// hold"). Signals hold no party's free text: all fields go with it.
pub fn signal(sight: &Sight, signal: &StoredSignal) -> bool {
    match sight.viewer {
        Viewer::School | Viewer::Ggd => true,
        Viewer::Leerplicht => {
            let (from, to) = signal_dates(signal);
            sight.within_meldingen(from, to)
        }
        Viewer::Ouders => false,
    }
}

/// A case (dossier), as the viewer sees it: the store hands over only cases the viewer may see;
/// its `kinds` (the signal kinds in it) are those of the signals the viewer sees (`signals`:
/// every signal of the case), so that leerplicht does not learn of a ziekmelding outside its
/// meldingen from the dossier's title.
pub fn case(sight: &Sight, signals: &[StoredSignal], mut case: Case) -> Case {
    if matches!(sight.viewer, Viewer::Leerplicht | Viewer::Ouders) {
        case.kinds
            .retain(|k| signals.iter().any(|s| s.kind == *k && signal(sight, s)));
    }
    case
}

/// A task, as the viewer sees it, or `None`. Leerplicht sees its own tasks, and another party's
/// only when the task has no signal or its signal is one leerplicht sees (`signals`: every
/// signal of the task's case). Fields: everything, except `status_reason`, which only the task's
/// own organisation reads unless it is one of the workflow's fixed texts
/// ([`FIXED_TASK_REASONS`]); a reason a person typed is that party's (security.md).
///
/// Parents see only the school's tasks to talk with them (the card's "gesprek met ouders",
/// [`crate::tasks::requires_parents_informed`]), so the portal can say the school will contact
/// them; never a reason.
pub fn task(sight: &Sight, signals: &[StoredSignal], mut task: Task) -> Option<Task> {
    if sight.viewer == Viewer::Ouders {
        if task.party != Party::School || !crate::tasks::requires_parents_informed(&task.text) {
            return None;
        }
        task.status_reason = None;
        return Some(task);
    }
    if sight.viewer == Viewer::Leerplicht
        && task.party != Party::Leerplicht
        && let Some(id) = task.signal_id
    {
        let seen = signals
            .iter()
            .find(|s| s.id == id)
            .is_some_and(|s| signal(sight, s));
        if !seen {
            return None;
        }
    }
    if !task_reason_visible(sight, &task) {
        task.status_reason = None;
    }
    Some(task)
}

/// Whether the viewer reads a task's `status_reason` (see [`task`]).
pub fn task_reason_visible(sight: &Sight, task: &Task) -> bool {
    if sight.viewer == Viewer::Ouders {
        return false;
    }
    task.organisation_id == sight.organisation
        || task
            .status_reason
            .as_deref()
            .is_none_or(|r| FIXED_TASK_REASONS.contains(&r))
}

/// Feedback: a task link's `detail` (leerplicht's afspraken, kaart Twente PO "koppelt afspraken
/// terug aan melder") goes to those it is fed back to — the school of the pupil, GGD-JGZ on its
/// own feedback task, leerplicht on the links of its own meldingen. The rest of the link goes
/// with its task.
pub fn feedback(sight: &Sight, task: &Task, mut link: TaskLink) -> TaskLink {
    let fed_back = match sight.viewer {
        Viewer::School => task.school_id == sight.organisation,
        Viewer::Ggd => task.organisation_id == sight.organisation,
        Viewer::Leerplicht => link
            .melding_id
            .is_some_and(|m| sight.meldingen.iter().any(|(id, _)| *id == m)),
        Viewer::Ouders => false,
    };
    if !fed_back {
        link.detail = None;
    }
    link
}

/// A timeline entry: leerplicht sees the entries of signals it sees and those of no signal; the
/// school and GGD-JGZ every entry of a case they see. Timeline texts are the workflow's fixed
/// texts (never a party's free text), so all fields go with it.
pub fn timeline_entry(sight: &Sight, signals: &[StoredSignal], entry: &TimelineEntry) -> bool {
    match (sight.viewer, entry.signal_id) {
        (Viewer::Leerplicht, Some(id)) => signals
            .iter()
            .find(|s| s.id == id)
            .is_some_and(|s| signal(sight, s)),
        (Viewer::Ouders, _) => false,
        _ => true,
    }
}

/// A melding: the school that made it and the municipality it went to see all of it (the
/// legal content, rules.md §7); GGD-JGZ none.
pub fn melding(sight: &Sight, melding: &Melding) -> bool {
    match sight.viewer {
        Viewer::School => melding.school_id == sight.organisation,
        Viewer::Leerplicht => melding.municipality == sight.organisation,
        Viewer::Ggd => false,
        Viewer::Ouders => melding.school_id == sight.organisation,
    }
}

/// A referral (its status): the school that made it, the GGD-JGZ it went to, and leerplicht
/// in a case of its meldingen (a no-show at GGD-JGZ can be what the melding is about; the store
/// hands leerplicht only those cases). A referral holds no free text.
pub fn referral(sight: &Sight, referral: &Referral) -> bool {
    match sight.viewer {
        Viewer::School => referral.school_id == sight.organisation,
        Viewer::Ggd => referral.ggd_id == sight.organisation,
        Viewer::Leerplicht => !sight.meldingen.is_empty(),
        Viewer::Ouders => referral.school_id == sight.organisation,
    }
}

/// A GGD-JGZ note: GGD-JGZ's alone (security.md), for the GGD-JGZ the referral went to.
pub fn note(sight: &Sight, referral: &Referral, _note: &JgzNote) -> bool {
    sight.viewer == Viewer::Ggd && referral.ggd_id == sight.organisation
}

/// The school's digitaal aanmeldingsformulier of a referral (its question, what it did, the
/// parents' consent; kaart Twente PO, "** ZIEKTE"): written by the school for GGD-JGZ, so the
/// school that referred and the GGD-JGZ it went to; never leerplicht (the school's free text to
/// GGD-JGZ is not part of a melding, security.md).
pub fn referral_form(sight: &Sight, referral: &Referral) -> bool {
    match sight.viewer {
        Viewer::School => referral.school_id == sight.organisation,
        Viewer::Ggd => referral.ggd_id == sight.organisation,
        // Parents: the school's text to GGD-JGZ is not theirs to read (they gave consent and
        // were informed; the card's "Ouders dienen van alle acties op de hoogte te zijn" is
        // met by the actions shown to them).
        Viewer::Leerplicht | Viewer::Ouders => false,
    }
}

/// GGD-JGZ's afspraken fed back to the school (kaart Twente PO, "** ZIEKTE": "koppelt afspraken
/// terug aan school"): exactly what GGD-JGZ typed for the school, so the school that referred
/// and the GGD-JGZ that wrote them; never leerplicht (the card feeds them back to the school).
/// GGD-JGZ's own notes stay GGD-JGZ's ([`note`]).
pub fn referral_afspraken(sight: &Sight, referral: &Referral) -> bool {
    referral_form(sight, referral)
}

/// The parents' contact data and the pupil's age on a referral (kaart Twente PO, "** ZIEKTE":
/// "GGD-JGZ neemt contact op met ouders/leerling"): the GGD-JGZ the referral went to and the
/// school that keeps them; leerplicht reads the pupil's data through its melding, not here.
pub fn referral_contact(sight: &Sight, referral: &Referral) -> bool {
    referral_form(sight, referral)
}

/// The school's report of a removal to the Onderwijsinspectie and its consultation with the
/// samenwerkingsverband (kaart Twente PO, "Verwijdering", "Langdurig relatief verzuim"): the
/// school's own record of what it reported to others; the timeline says that it happened.
pub fn school_report(sight: &Sight, school_id: &str) -> bool {
    sight.viewer == Viewer::School && sight.organisation == school_id
}

/// A registration: the school all of its pupil's; leerplicht those (partly) within the period
/// of one of its meldingen (security.md); GGD-JGZ none.
pub fn registration(sight: &Sight, registration: &StoredRegistration) -> bool {
    match sight.viewer {
        Viewer::School => true,
        Viewer::Leerplicht => {
            let span = &registration.registration.span;
            sight.within_meldingen(span.first_date(), span.last_date())
        }
        Viewer::Ggd => false,
        Viewer::Ouders => true,
    }
}

/// An event the school recorded (verwijdering, zorg_ziekte, overig_verzuim): like a
/// registration.
pub fn event(sight: &Sight, event: &Event) -> bool {
    match sight.viewer {
        Viewer::School => true,
        Viewer::Leerplicht => sight.within_meldingen(event.date, event.date),
        Viewer::Ggd | Viewer::Ouders => false,
    }
}

/// A pupil's line on the prikactie page (kaart Twente PO, "Luxe verzuim", Leerplicht:
/// "prikacties rondom schoolvakanties"): leerplicht sees a pupil living in its municipality who
/// was absent around a holiday by name only when it has a melding for that pupil
/// (`has_melding`); every other pupil reaches it only as a count, never below
/// [`crate::region::SMALL_NUMBER`] (AVG art. 5(1)(c)). The school and GGD-JGZ have no such page.
pub fn prikactie_pupil(sight: &Sight, has_melding: bool) -> bool {
    sight.viewer == Viewer::Leerplicht && has_melding
}

/// "Ouders geïnformeerd": every party that sees the record sees when and how; the note is the
/// recording party's own text, which parents do not read (they were there).
pub fn parent_information(sight: &Sight, mut info: ParentInformation) -> ParentInformation {
    if sight.viewer == Viewer::Ouders {
        info.note = None;
    }
    info
}

#[cfg(test)]
mod tests {
    //! The matrix: party × object kind × field. Each row names an object, one of its fields, and
    //! whether the school, leerplicht, GGD-JGZ and the parents see it; the test computes every cell through
    //! the rules and compares the whole table.

    use jiff::Timestamp;
    use verzuim_engine::model::{Code, EventKind, Registration, SignalKind, Span};
    use verzuim_store::TaskLinkKind;
    use verzuim_store::{MeldingStatus, ReferralStatus, SignalStatus, TaskStatus};

    use super::*;
    use crate::text::{WITHDRAWN_REASON, reasons};

    const SCHOOL: &str = "99XX00";
    const GEMEENTE: &str = "GM0153";
    const GGD: &str = "GGDTW";
    const TYPED_GGD: &str = "Vader belde over een diagnose";
    const TYPED_SCHOOL: &str = "Moeder belde: operatie";
    const AFSPRAKEN: &str = "Ouders brengen de leerling elke ochtend";

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn period(from: &str, to: &str) -> Period {
        Period {
            from: d(from),
            to: d(to),
        }
    }

    /// The melding to Enschede covers 21–24 September 2026.
    fn melding() -> Melding {
        Melding {
            id: 7,
            case_id: 1,
            school_id: SCHOOL.into(),
            pupil_id: "1001".into(),
            municipality: GEMEENTE.into(),
            verzuim_kind: SignalKind::RelatiefVerzuim,
            period: period("2026-09-21", "2026-09-24"),
            minutes: 960,
            suspected_reason: "Spijbelen".into(),
            school_actions: "Gesprek".into(),
            status: MeldingStatus::InBehandeling,
            status_reason: None,
            created_at: Timestamp::UNIX_EPOCH,
            created_by: "user:1".into(),
            updated_at: Timestamp::UNIX_EPOCH,
            changes_after: 0,
        }
    }

    fn referral() -> Referral {
        Referral {
            id: 3,
            case_id: 1,
            school_id: SCHOOL.into(),
            pupil_id: "1001".into(),
            ggd_id: GGD.into(),
            status: ReferralStatus::InBehandeling,
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        }
    }

    fn signal(id: i64, kind: SignalKind, date: &str, p: Option<Period>) -> StoredSignal {
        StoredSignal {
            id,
            school_id: SCHOOL.into(),
            pupil_id: "1001".into(),
            case_id: Some(1),
            kind,
            date: d(date),
            count: None,
            stage: None,
            minutes: None,
            period: p,
            evidence: Vec::new(),
            pupil_participates: true,
            actions: Vec::new(),
            status: SignalStatus::Active,
            created_at: Timestamp::UNIX_EPOCH,
            withdrawn_at: None,
            withdrawn_reason: None,
        }
    }

    /// Signal 1: relatief verzuim within the melding; signal 2: a ziekmelding in November,
    /// outside it.
    fn signals() -> Vec<StoredSignal> {
        vec![
            signal(
                1,
                SignalKind::RelatiefVerzuim,
                "2026-09-24",
                Some(period("2026-09-21", "2026-09-24")),
            ),
            signal(2, SignalKind::Ziekmelding, "2026-11-05", None),
        ]
    }

    fn task(id: i64, party: Party, org: &str, signal: Option<i64>, reason: Option<&str>) -> Task {
        Task {
            id,
            case_id: 1,
            signal_id: signal,
            school_id: SCHOOL.into(),
            pupil_id: "1001".into(),
            party,
            organisation_id: org.into(),
            text: "Taak".into(),
            melding: false,
            referral: false,
            trigger: None,
            due: None,
            status: if reason.is_some() {
                TaskStatus::NotNeeded
            } else {
                TaskStatus::Open
            },
            status_reason: reason.map(str::to_owned),
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        }
    }

    fn registration(from: &str, until: &str) -> StoredRegistration {
        StoredRegistration {
            id: 1,
            version: 1,
            registration: Registration {
                code: Code::Ziek,
                span: Span::Days {
                    from: d(from),
                    until: d(until),
                },
                minutes_late: None,
            },
            note: None,
            deleted: false,
            created_at: Timestamp::UNIX_EPOCH,
            created_by: "user:1".into(),
        }
    }

    fn entry(signal_id: Option<i64>) -> TimelineEntry {
        TimelineEntry {
            id: 1,
            case_id: 1,
            at: Timestamp::UNIX_EPOCH,
            actor: "user:1".into(),
            entry: "signal".into(),
            signal_id,
            detail: Some("Signaal".into()),
        }
    }

    fn sight(viewer: Viewer) -> Sight {
        let scope = match viewer {
            Viewer::School => Scope::School(SCHOOL),
            Viewer::Leerplicht => Scope::Municipality(GEMEENTE),
            Viewer::Ggd => Scope::Ggd(GGD),
            Viewer::Ouders => return Sight::parent(SCHOOL),
        };
        Sight::new(scope, &[melding()])
    }

    /// Whether `viewer` sees `field` of `object`.
    fn sees(viewer: Viewer, object: &str, field: &str) -> bool {
        let s = sight(viewer);
        let sig = signals();
        let task_field = |t: Task| match rules_task(&s, &sig, t) {
            None => false,
            Some(t) => match field {
                "exists" | "status" => true,
                "status_reason" => t.status_reason.is_some(),
                other => panic!("task field {other}"),
            },
        };
        match object {
            "signal within melding" => signal_ok(&s, &sig[0]),
            "case kinds: ziekmelding outside melding" => {
                let c = Case {
                    id: 1,
                    school_id: SCHOOL.into(),
                    pupil_id: "1001".into(),
                    kinds: vec![SignalKind::RelatiefVerzuim, SignalKind::Ziekmelding],
                    opened_on: d("2026-09-24"),
                    opened_at: Timestamp::UNIX_EPOCH,
                    closed_at: None,
                    closed_reason: None,
                };
                super::case(&s, &sig, c)
                    .kinds
                    .contains(&SignalKind::Ziekmelding)
            }
            "ziekmelding signal outside melding" => signal_ok(&s, &sig[1]),
            "ggd task, typed reason" => {
                task_field(task(10, Party::GgdJgz, GGD, Some(1), Some(TYPED_GGD)))
            }
            "school sick-report task outside melding, typed reason" => {
                task_field(task(11, Party::School, SCHOOL, Some(2), Some(TYPED_SCHOOL)))
            }
            "leerplicht task, typed reason" => task_field(task(
                12,
                Party::Leerplicht,
                GEMEENTE,
                Some(1),
                Some("Gesprek verzet op verzoek van moeder"),
            )),
            "school task, fixed reason" => task_field(task(
                13,
                Party::School,
                SCHOOL,
                Some(1),
                Some(reasons::MELDING_GEDAAN),
            )),
            "ggd task, withdrawn" => task_field(task(
                14,
                Party::GgdJgz,
                GGD,
                Some(1),
                Some(WITHDRAWN_REASON),
            )),
            "school feedback task" => {
                let t = task(15, Party::School, SCHOOL, None, None);
                let link = TaskLink {
                    task_id: 15,
                    kind: TaskLinkKind::Feedback,
                    signal_id: None,
                    melding_id: Some(7),
                    referral_id: None,
                    detail: Some(AFSPRAKEN.into()),
                };
                match field {
                    "exists" => rules_task(&s, &sig, t).is_some(),
                    "detail" => feedback(&s, &t, link).detail.is_some(),
                    other => panic!("link field {other}"),
                }
            }
            "timeline entry of signal within melding" => timeline_entry(&s, &sig, &entry(Some(1))),
            "timeline entry of ziekmelding outside melding" => {
                timeline_entry(&s, &sig, &entry(Some(2)))
            }
            "timeline entry without signal" => timeline_entry(&s, &sig, &entry(None)),
            "school task to talk with the parents" => task_field(Task {
                text: "Gaat in gesprek met ouders".into(),
                ..task(16, Party::School, SCHOOL, Some(1), None)
            }),
            "ouders geïnformeerd" => {
                let info = parent_information(
                    &s,
                    ParentInformation {
                        id: 1,
                        school_id: SCHOOL.into(),
                        pupil_id: "1001".into(),
                        case_id: Some(1),
                        task_id: Some(16),
                        informed_on: d("2026-09-25"),
                        how: verzuim_store::InformedHow::Gesprek,
                        note: Some(TYPED_SCHOOL.into()),
                        created_at: Timestamp::UNIX_EPOCH,
                        created_by: "user:1".into(),
                    },
                );
                match field {
                    "exists" => true,
                    "note" => info.note.is_some(),
                    other => panic!("parent information field {other}"),
                }
            }
            "melding" => melding_ok(&s, &melding()),
            "referral" => referral_ok(&s, &referral()),
            "ggd note" => note(
                &s,
                &referral(),
                &JgzNote {
                    id: 1,
                    referral_id: 3,
                    text: "Notitie".into(),
                    created_at: Timestamp::UNIX_EPOCH,
                    created_by: "user:9".into(),
                },
            ),
            "referral form" => super::referral_form(&s, &referral()),
            "school report" => super::school_report(&s, SCHOOL),
            "referral afspraken" => super::referral_afspraken(&s, &referral()),
            "referral contact" => super::referral_contact(&s, &referral()),
            "another school's referral form" => super::referral_form(
                &s,
                &Referral {
                    school_id: "88YY00".into(),
                    ggd_id: "GGDOTHER".into(),
                    ..referral()
                },
            ),
            "school task on ggd afspraken" => {
                let t = task(16, Party::School, SCHOOL, None, None);
                let link = TaskLink {
                    task_id: 16,
                    kind: TaskLinkKind::GgdAfspraken,
                    signal_id: None,
                    melding_id: None,
                    referral_id: Some(3),
                    detail: Some(AFSPRAKEN.into()),
                };
                match field {
                    "exists" => rules_task(&s, &sig, t).is_some(),
                    "detail" => feedback(&s, &t, link).detail.is_some(),
                    other => panic!("link field {other}"),
                }
            }
            "registration within melding" => {
                super::registration(&s, &registration("2026-09-22", "2026-09-22"))
            }
            "registration outside melding" => {
                super::registration(&s, &registration("2026-11-02", "2026-11-05"))
            }
            "prikactie pupil with a melding" => prikactie_pupil(&s, true),
            "prikactie pupil without a melding" => prikactie_pupil(&s, false),
            "zorg_ziekte event outside melding" => event(
                &s,
                &Event {
                    kind: EventKind::ZorgZiekte,
                    date: d("2026-11-02"),
                    note: None,
                },
            ),
            other => panic!("object {other}"),
        }
    }

    fn rules_task(s: &Sight, sig: &[StoredSignal], t: Task) -> Option<Task> {
        super::task(s, sig, t)
    }

    fn signal_ok(s: &Sight, sig: &StoredSignal) -> bool {
        super::signal(s, sig)
    }

    fn melding_ok(s: &Sight, m: &Melding) -> bool {
        super::melding(s, m)
    }

    fn referral_ok(s: &Sight, r: &Referral) -> bool {
        super::referral(s, r)
    }

    #[test]
    fn party_object_field_matrix() {
        // (object, field, [school, leerplicht, GGD-JGZ, parents])
        let expected: &[(&str, &str, [bool; 4])] = &[
            ("signal within melding", "exists", [true, true, true, false]),
            (
                "case kinds: ziekmelding outside melding",
                "exists",
                [true, false, true, false],
            ),
            (
                "ziekmelding signal outside melding",
                "exists",
                [true, false, true, false],
            ),
            (
                "ggd task, typed reason",
                "exists",
                [true, true, true, false],
            ),
            (
                "ggd task, typed reason",
                "status",
                [true, true, true, false],
            ),
            (
                "ggd task, typed reason",
                "status_reason",
                [false, false, true, false],
            ),
            (
                "school sick-report task outside melding, typed reason",
                "exists",
                [true, false, true, false],
            ),
            (
                "school sick-report task outside melding, typed reason",
                "status_reason",
                [true, false, false, false],
            ),
            (
                "leerplicht task, typed reason",
                "status",
                [true, true, true, false],
            ),
            (
                "leerplicht task, typed reason",
                "status_reason",
                [false, true, false, false],
            ),
            (
                "school task, fixed reason",
                "status_reason",
                [true, true, true, false],
            ),
            (
                "ggd task, withdrawn",
                "status_reason",
                [true, true, true, false],
            ),
            ("school feedback task", "exists", [true, true, true, false]),
            ("school feedback task", "detail", [true, true, false, false]),
            (
                "timeline entry of signal within melding",
                "exists",
                [true, true, true, false],
            ),
            (
                "timeline entry of ziekmelding outside melding",
                "exists",
                [true, false, true, false],
            ),
            (
                "timeline entry without signal",
                "exists",
                [true, true, true, false],
            ),
            (
                "school task to talk with the parents",
                "exists",
                [true, true, true, true],
            ),
            (
                "school task to talk with the parents",
                "status",
                [true, true, true, true],
            ),
            ("ouders geïnformeerd", "note", [true, true, true, false]),
            ("melding", "exists", [true, true, false, true]),
            ("referral", "exists", [true, true, true, true]),
            ("ggd note", "exists", [false, false, true, false]),
            (
                "registration within melding",
                "exists",
                [true, true, false, true],
            ),
            ("referral form", "exists", [true, false, true, false]),
            ("school report", "exists", [true, false, false, false]),
            ("referral afspraken", "exists", [true, false, true, false]),
            ("referral contact", "exists", [true, false, true, false]),
            (
                "another school's referral form",
                "exists",
                [false, false, false, false],
            ),
            (
                "school task on ggd afspraken",
                "exists",
                [true, true, true, false],
            ),
            (
                "school task on ggd afspraken",
                "detail",
                [true, false, false, false],
            ),
            (
                "registration outside melding",
                "exists",
                [true, false, false, true],
            ),
            (
                "zorg_ziekte event outside melding",
                "exists",
                [true, false, false, false],
            ),
            (
                "prikactie pupil with a melding",
                "exists",
                [false, true, false, false],
            ),
            (
                "prikactie pupil without a melding",
                "exists",
                [false, false, false, false],
            ),
        ];
        let mut wrong = Vec::new();
        for (object, field, want) in expected {
            for (viewer, want) in Viewer::ALL.iter().zip(want) {
                let got = sees(*viewer, object, field);
                if got != *want {
                    wrong.push(format!(
                        "{viewer:?} × {object} × {field}: {got}, want {want}"
                    ));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn another_municipality_sees_nothing_of_a_melding_elsewhere() {
        let s = Sight::new(Scope::Municipality("GM0173"), &[melding()]);
        assert!(s.meldingen.is_empty());
        assert!(!signal_ok(&s, &signals()[0]));
        assert!(!melding_ok(&s, &melding()));
        assert!(!referral_ok(&s, &referral()));
    }
}
