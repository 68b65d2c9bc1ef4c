//! One case of the dossier page: its signals (evidence, the card's actions per party), the open
//! tasks with their forms, the timeline, meldingen, referrals, letters and the school's reports.
//! Pure: built from the read model and [`Viewer`].

use std::fmt::Write as _;

use verzuim_engine::model::{Party, SignalKind};
use verzuim_letters::LetterKind;
use verzuim_service::dossier_view::{Dossier, DossierCase};
use verzuim_service::model::{MeldingStatus, Role, TaskStatus};
use verzuim_service::tasks::{self, SchoolReportContent};

use super::form::{Failure, TaskValues};
use super::labels::{
    how_label, masked_number, referral_status_nl, suggested_reason, timeline_label,
};
use super::view::{
    CaseBlock, LetterLink, MadeLetter, MeldingPreview, MeldingRow, ReferralRow, TaskForm,
    TimelineRow, Viewer, actor_name, org_name,
};
use crate::nl::{self, date_nl};
use crate::web::kind_label;
use crate::web::letters::{allowed_kinds, melding_status_nl, parse_kind};

/// One case: its signals, open tasks with their forms, timeline, meldingen, referrals, letters
/// and reports, and the forms of the case itself.
pub(super) fn case_block(
    d: &Dossier,
    dc: &DossierCase,
    viewer: &Viewer<'_>,
    failure: &Failure,
) -> CaseBlock {
    let view = &dc.view;
    let c = &view.case;
    let mine_school = viewer.school_coordinator();
    let signals = super::signals::signal_blocks(d, view, mine_school);
    let forms = task_forms(d, dc, viewer, failure);
    let rows = timeline(d, dc, viewer);
    // Meldingen and referrals.
    let mut meldingen = Vec::new();
    for m in &view.meldingen {
        let (error, reason) = match failure {
            Failure::Melding(id, msg, r) if *id == m.id => (Some(msg.clone()), r.clone()),
            _ => (None, String::new()),
        };
        meldingen.push(MeldingRow {
            id: m.id,
            kind: kind_label(m.verzuim_kind),
            period: format!("{} t/m {}", date_nl(m.period.from), date_nl(m.period.to)),
            hours: nl::hours_nl(m.minutes),
            status: melding_status_nl(m.status),
            running: mine_school
                && m.school_id == viewer.org_id
                && matches!(
                    m.status,
                    MeldingStatus::Geregistreerd | MeldingStatus::InBehandeling
                ),
            municipality: org_name(d, &m.municipality),
            error,
            reason,
        });
    }
    let mut referrals = Vec::new();
    for r in &view.referrals {
        referrals.push(ReferralRow {
            id: r.id,
            ggd: org_name(d, &r.ggd_id),
            status: referral_status_nl(r.status),
            date: date_nl(nl::local_date(r.created_at)),
        });
    }

    // Letters this role may make for this case, and those its organisation made.
    let label_of = |kind: &LetterKind| nl::capitalise(kind.label());
    let link = |kind: &LetterKind, melding, verwijzing, label| LetterLink {
        kind: kind.as_str(),
        melding,
        verwijzing,
        label,
        appointment: matches!(
            kind,
            LetterKind::UitnodigingGesprek
                | LetterKind::UitnodigingGgdJgz
                | LetterKind::OproepLeerplicht
        ),
        place: viewer.place.clone(),
        purpose: *kind == LetterKind::OproepLeerplicht,
    };
    let mut letters = Vec::new();
    for kind in allowed_kinds(viewer.role) {
        match kind {
            LetterKind::UitnodigingGesprek => letters.push(link(kind, None, None, label_of(kind))),
            LetterKind::BesluitVerlof => {}
            LetterKind::Waarschuwingsbrief
            | LetterKind::OverzichtMelding
            | LetterKind::OproepLeerplicht => {
                for m in &view.meldingen {
                    letters.push(link(
                        kind,
                        Some(m.id),
                        None,
                        format!(
                            "{} (melding {}, {})",
                            label_of(kind),
                            m.id,
                            kind_label(m.verzuim_kind).to_lowercase()
                        ),
                    ));
                }
            }
            LetterKind::VerwijzingGgdJgz | LetterKind::UitnodigingGgdJgz => {
                for r in &view.referrals {
                    letters.push(link(
                        kind,
                        None,
                        Some(r.id),
                        format!("{} (verwijzing {})", label_of(kind), r.id),
                    ));
                }
            }
        }
    }
    let mut made_letters = Vec::new();
    if !allowed_kinds(viewer.role).is_empty() {
        for l in &dc.letters {
            let label = parse_kind(&l.kind).map_or_else(|| l.kind.clone(), |k| label_of(&k));
            made_letters.push(MadeLetter {
                href: format!("/zaken/{}/brieven/{}", c.id, l.id),
                label: format!("{label} ({})", l.reference),
                date: nl::date_time_nl(l.created_at),
            });
        }
    }

    let (parents_values, parents_error) = match failure {
        Failure::Parents(id, m, v) if *id == c.id => (v.clone(), Some(m.clone())),
        _ => (TaskValues::default(), None),
    };
    let (case_error, case_reason) = match failure {
        Failure::Case(id, m, r) if *id == c.id => (Some(m.clone()), r.clone()),
        _ => (None, String::new()),
    };
    let own_case = mine_school && c.school_id == viewer.org_id;
    let mut kinds: Vec<&str> = c.kinds.iter().map(|k| kind_label(*k)).collect();
    kinds.dedup();
    let reports = dc
        .reports
        .iter()
        .map(|r| match &r.content {
            SchoolReportContent::Inspectie {
                decision_date,
                accepting_school,
                reason,
                report_date,
            } => format!(
                "Gemeld bij de Onderwijsinspectie op {}: besluit tot verwijderen van {}, \
                 toelatende school {accepting_school}, reden: {reason}",
                date_nl(*report_date),
                date_nl(*decision_date)
            ),
            SchoolReportContent::SwvOverleg {
                with_whom,
                date,
                outcome,
            } => format!(
                "Overleg met het samenwerkingsverband op {} met {with_whom}: {outcome}",
                date_nl(*date)
            ),
        })
        .collect();
    CaseBlock {
        reports,
        can_close: own_case && c.closed_at.is_none(),
        can_reopen: own_case && c.closed_at.is_some(),
        case_error,
        case_reason,
        id: c.id,
        opened: date_nl(c.opened_on),
        closed: c.closed_at.map(|at| {
            let mut s = date_nl(nl::local_date(at));
            if let Some(r) = &c.closed_reason {
                let _ = write!(s, " ({r})");
            }
            s
        }),
        kinds: kinds.join(", "),
        signals,
        tasks: forms,
        timeline: rows,
        meldingen,
        referrals,
        letters,
        made_letters,
        parents_form: mine_school && c.school_id == viewer.org_id && c.closed_at.is_none(),
        parents_values,
        parents_error,
    }
}

/// The case's open tasks with their forms: the ones the viewer may act on first, then overdue,
/// then by due date.
fn task_forms(
    d: &Dossier,
    dc: &DossierCase,
    viewer: &Viewer<'_>,
    failure: &Failure,
) -> Vec<TaskForm> {
    let view = &dc.view;
    let c = &view.case;
    let pupil = &d.pupil;
    let today = viewer.today;
    let number = masked_number(pupil);
    let municipality = org_name(d, &pupil.data.pupil.municipality);
    let municipality_known = d.municipality.is_some();
    let has_number = [
        pupil.data.bsn.as_deref(),
        pupil.data.onderwijsnummer.as_deref(),
    ]
    .iter()
    .any(|n| n.is_some_and(|s| !s.trim().is_empty()));
    let missing = match (has_number, municipality_known) {
        (true, true) => None,
        (false, true) => {
            Some("Melden kan nog niet: de leerling heeft geen BSN of onderwijsnummer.".to_owned())
        }
        (true, false) => Some(format!(
            "Melden kan nog niet: de woongemeente \"{}\" is onbekend.",
            pupil.data.pupil.municipality
        )),
        (false, false) => Some(format!(
            "Melden kan nog niet: de leerling heeft geen BSN of onderwijsnummer en de woongemeente \"{}\" is onbekend.",
            pupil.data.pupil.municipality
        )),
    };
    let fix_href = crate::web::gegevens::href(&pupil.school_id, &pupil.data.pupil.id);
    let done_school: Vec<String> = {
        let mut v: Vec<String> = view
            .tasks
            .iter()
            .map(|t| &t.task)
            .filter(|t| {
                t.party == Party::School
                    && t.status == TaskStatus::Done
                    && !t.melding
                    && !t.referral
            })
            .map(|t| format!("{}: {}", date_nl(nl::local_date(t.updated_at)), t.text))
            .collect();
        for pi in d
            .parent_information
            .iter()
            .filter(|p| p.case_id == Some(c.id))
        {
            v.push(format!(
                "{}: ouders geïnformeerd ({})",
                date_nl(pi.informed_on),
                how_label(pi.how)
            ));
        }
        v
    };
    let mut forms = Vec::new();
    for tv in view
        .tasks
        .iter()
        .filter(|t| t.task.status == TaskStatus::Open)
    {
        let t = &tv.task;
        let can_act = t.organisation_id == viewer.org_id
            && match t.party {
                Party::School => viewer.role == Role::Verzuimcoordinator,
                Party::Leerplicht => viewer.role == Role::Leerplichtambtenaar,
                Party::GgdJgz => viewer.role == Role::Jgz,
            };
        let is_judge = tv
            .link
            .as_ref()
            .is_some_and(|l| l.kind == verzuim_service::model::TaskLinkKind::JudgeNoShow);
        let signal = t
            .signal_id
            .and_then(|id| view.signals.iter().find(|s| s.id == id));
        // What the melding will report if made today (issue 10.1: the absence as known then).
        let preview = signal
            .filter(|_| t.melding)
            .zip(dc.previews.get(&t.id))
            .map(|(s, &(period, minutes))| MeldingPreview {
                kind: kind_label(s.kind),
                period: format!("{} t/m {}", date_nl(period.from), date_nl(period.to)),
                hours: nl::hours_nl(minutes),
                number: number.clone(),
                municipality: municipality.clone(),
                missing: missing.clone(),
            });
        let (values, error) = match failure {
            Failure::Task(id, m, v) if *id == t.id => (v.clone(), Some(m.clone())),
            _ => {
                let mut v = TaskValues::default();
                if t.melding {
                    v.reden = signal.map_or_else(
                        || suggested_reason(SignalKind::RelatiefVerzuim),
                        |s| suggested_reason(s.kind),
                    );
                    v.acties = if done_school.is_empty() {
                        String::new()
                    } else {
                        done_school.join("\n")
                    };
                }
                (v, None)
            }
        };
        forms.push(TaskForm {
            id: t.id,
            text: t.text.clone(),
            detail: tv.link.as_ref().and_then(|l| l.detail.clone()),
            detail_label: {
                use verzuim_service::model::TaskLinkKind as K;
                match tv.link.as_ref().map(|l| l.kind) {
                    Some(K::GgdAfspraken) => "Afspraken van de GGD-JGZ:",
                    Some(K::MeldingChanged | K::TellDuo) => "Wat is gewijzigd:",
                    _ => "Afspraken van leerplicht:",
                }
            },
            party: t.party.label(),
            due: t.due.map(date_nl).unwrap_or_default(),
            overdue: verzuim_service::principles::is_overdue(&t.text, t.due, today),
            can_act,
            needs_parents: tasks::requires_parents_informed(&t.text),
            is_melding: t.melding,
            is_referral: t.referral,
            is_judge,
            report: match tasks::report_kind(&t.text).filter(|_| t.party == Party::School) {
                Some(tasks::ReportKind::Inspectie) => "inspectie",
                Some(tasks::ReportKind::SwvOverleg) => "swv",
                None => "",
            },
            fix_href: (t.melding && can_act && (missing.is_some() || error.is_some()))
                .then(|| fix_href.clone()),
            preview,
            values,
            error,
        });
    }
    forms.sort_by_key(|f| (!f.can_act, !f.overdue, f.due.is_empty(), f.id));
    forms
}

/// The case's timeline, newest first: the case's entries, the tasks, the parents' information.
fn timeline(d: &Dossier, dc: &DossierCase, viewer: &Viewer<'_>) -> Vec<TimelineRow> {
    let view = &dc.view;
    let c = &view.case;
    let mut rows: Vec<(jiff::Timestamp, TimelineRow)> = Vec::new();
    for e in &view.timeline {
        rows.push((
            e.at,
            TimelineRow {
                at: nl::date_time_nl(e.at),
                what: timeline_label(&e.entry),
                detail: e.detail.clone().unwrap_or_default(),
                who: actor_name(d, &e.actor),
            },
        ));
    }
    for tv in &view.tasks {
        let t = &tv.task;
        let org = org_name(d, &t.organisation_id);
        rows.push((
            t.created_at,
            TimelineRow {
                at: nl::date_time_nl(t.created_at),
                what: format!("Taak {}", t.party.label()),
                detail: t.text.clone(),
                who: org.clone(),
            },
        ));
        if t.status != TaskStatus::Open {
            let status = if t.status == TaskStatus::Done {
                "Taak afgerond"
            } else {
                "Taak niet nodig"
            };
            let who = match dc.closed_by.get(&t.id) {
                Some(actor) if t.organisation_id == viewer.org_id => actor_name(d, actor),
                _ => org.clone(),
            };
            rows.push((
                t.updated_at,
                TimelineRow {
                    at: nl::date_time_nl(t.updated_at),
                    what: status.to_owned(),
                    detail: match &t.status_reason {
                        Some(r) => format!("{} — {r}", t.text),
                        None => t.text.clone(),
                    },
                    who,
                },
            ));
        }
    }
    for pi in d
        .parent_information
        .iter()
        .filter(|p| p.case_id == Some(c.id))
    {
        let mut detail = format!(
            "Ouders geïnformeerd op {} ({})",
            date_nl(pi.informed_on),
            how_label(pi.how)
        );
        if let Some(n) = pi.note.as_deref().filter(|n| !n.trim().is_empty()) {
            let _ = write!(detail, ": {n}");
        }
        rows.push((
            pi.created_at,
            TimelineRow {
                at: nl::date_time_nl(pi.created_at),
                what: "Contact met ouders".into(),
                detail,
                who: actor_name(d, &pi.created_by),
            },
        ));
    }
    rows.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    rows.into_iter().map(|(_, r)| r).collect()
}
