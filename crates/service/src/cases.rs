//! A case's life (issue 10.6, docs/workflow.md "Cases and their chains"):
//!
//! - **one open case per chain** of the card ([`Chain`]): a signal joins the open case of its
//!   chain, or opens a new case when no case of its chain is open (a ziekmelding's case never
//!   takes in a relatief verzuim);
//! - **closing by hand**: the coordinator closes a case with a reason ([`crate::tasks::close_case`]),
//!   refused while a melding or referral runs or another party has an open task, with that reason;
//! - **reopening** ([`reopen_case`]): the coordinator reopens a closed case with a reason, unless
//!   another case of its chain is open;
//! - **closing by itself**: a case with nothing open (no open task of any party, no running
//!   melding or referral) whose last signal lies [`QUIET_LESWEKEN`] lesweken back closes by
//!   itself: when the next signal of its chain arrives (that signal opens a new case), and daily
//!   ([`close_quiet_cases`], run by `verzuim serve` with the retention job).
//!
//! The card's blocks are its chains (docs/spec/card-twente-po.txt: "WETTELIJK VERZUIM",
//! "OVERIG VERZUIM", "VERWIJDERING", "* TE LAAT KOMEN", "** ZIEKTE"); the 4 lesweken are the
//! card's window of relatief verzuim ("gedurende een aaneengesloten periode van 4 weken",
//! Lpw art. 21): a case that saw no signal for that long has no running count left to act on.

use jiff::civil::Date;
use verzuim_engine::SchoolCalendar;
use verzuim_engine::calendar::day_number;
use verzuim_engine::chain::Chain;
use verzuim_engine::model::SignalKind;
use verzuim_store::NewTimelineEntry;
use verzuim_store::case_life::CaseBusy;
use verzuim_store::placing::Note;
use verzuim_store::{Actor, Case, CaseId, SchoolSettings, Scope, Store, Tx};

use crate::caller::{Caller, SCHOOL_WORKFLOW_ROLES};
use crate::error::{Result, ServiceError};
use crate::text::{date_nl, kind_label, required};

/// The lesweken without a new signal after which a case with nothing open closes by itself.
pub const QUIET_LESWEKEN: u32 = 4;

/// The reason a case closed by itself.
pub fn quiet_reason() -> String {
    format!(
        "Automatisch gesloten: alle taken zijn afgerond en er kwam {QUIET_LESWEKEN} lesweken geen nieuw signaal"
    )
}

/// Why a busy case cannot close, in Dutch.
pub fn busy_reason(busy: &CaseBusy) -> String {
    match busy {
        CaseBusy::Melding(id, status) => format!(
            "het dossier kan niet dicht: melding {id} aan leerplicht loopt nog (status {}); \
             wacht tot leerplicht die afsluit, of trek de melding in",
            status.replace('_', " ")
        ),
        CaseBusy::Referral(id, status) => format!(
            "het dossier kan niet dicht: verwijzing {id} naar de GGD-JGZ loopt nog (status {})",
            status.replace('_', " ")
        ),
        CaseBusy::Task(party, text) => {
            let who = match party.as_str() {
                "leerplicht" => "leerplicht heeft",
                "ggd_jgz" => "de GGD-JGZ heeft",
                _ => "de school heeft",
            };
            format!("het dossier kan niet dicht: {who} nog een open taak (\"{text}\")")
        }
    }
}

/// Whether the case saw no signal for [`QUIET_LESWEKEN`] lesweken by `on` (in the pupil's
/// group's lesson calendar): the 4 lesweken after the last signal's week have passed.
fn quiet_by(settings: &SchoolSettings, group: &str, last: Date, on: Date) -> bool {
    if on <= last {
        return false;
    }
    let cal = SchoolCalendar::new(&settings.school, last, on);
    let g = cal.group(group);
    g.lesweek(day_number(on)) > g.lesweek(day_number(last)) + QUIET_LESWEKEN
}

/// Closes `case` by itself when it was quiet until `on` (the 4 lesweken after `last`, the date
/// of its last signal, have passed); whether it closed. The caller has checked that nothing is
/// open in it.
async fn close_if_quiet(
    tx: &mut Tx,
    by: Actor,
    settings: &SchoolSettings,
    group: &str,
    case: &Case,
    last: Date,
    on: Date,
) -> Result<bool> {
    if !quiet_by(settings, group, last, on) {
        return Ok(false);
    }
    let why = quiet_reason();
    tx.add_timeline(
        &NewTimelineEntry {
            case_id: case.id,
            entry: "gesloten".into(),
            signal_id: None,
            detail: Some(format!("{why} (laatste signaal {})", date_nl(last))),
        },
        by,
    )
    .await?;
    tx.close_case(&case.school_id, case.id, &why).await?;
    Ok(true)
}

/// Where a new signal goes (docs/workflow.md "Cases and their chains").
#[derive(Debug)]
pub(crate) enum CaseForSignal {
    /// The open case of its chain still acts on its kind (and stage): the signal extends it.
    Extends(Case),
    /// The open case of its chain does not act on its kind yet: the signal joins it with its own
    /// tasks.
    Joins(Case),
    /// No case of its chain is open (or the open one was quiet and closed just now): the signal
    /// opens a new case. `open`: the pupil's other open cases, for the store's check.
    Opens { open: Vec<Case> },
}

/// Opens the case a new signal of `kind` dated `signal_date` starts ([`CaseForSignal::Opens`]
/// and its `open` cases), dated `opened_on`, with its `geopend` line on the timeline: "Dossier
/// geopend door het signaal … van …", and ` (why)` after it when given.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn open_for_signal(
    tx: &mut Tx,
    by: Actor,
    school_id: &str,
    pupil_id: &str,
    open: &[Case],
    kind: SignalKind,
    signal_date: Date,
    opened_on: Date,
    why: Option<&str>,
) -> Result<CaseId> {
    let why = why.map(|w| format!(" ({w})")).unwrap_or_default();
    let detail = format!(
        "Dossier geopend door het signaal {} van {}{why}",
        kind_label(kind),
        date_nl(signal_date)
    );
    let note = Note {
        entry: "geopend",
        detail: &detail,
    };
    Ok(tx
        .open_case_noted(school_id, pupil_id, open, &[kind], opened_on, note, by)
        .await?)
}

/// Where a new signal of `kind` and `stage`, dated `on`, goes: the open case of its chain,
/// unless that case is quiet (then it closes by itself and a new case opens). One statement
/// reads the pupil's open cases with what this needs ([`Tx::open_cases_for_signal`]).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn case_for_signal(
    tx: &mut Tx,
    by: Actor,
    settings: &SchoolSettings,
    school_id: &str,
    pupil_id: &str,
    group: &str,
    kind: SignalKind,
    stage: Option<&str>,
    on: Date,
) -> Result<CaseForSignal> {
    let chain = Chain::of(kind);
    let mut open = tx
        .open_cases_for_signal(school_id, pupil_id, kind, stage)
        .await?;
    let Some(at) = open.iter().position(|c| chain.holds(&c.case.kinds)) else {
        return Ok(CaseForSignal::Opens {
            open: open.into_iter().map(|c| c.case).collect(),
        });
    };
    let found = open.remove(at);
    if !found.busy
        && close_if_quiet(tx, by, settings, group, &found.case, found.last_signal, on).await?
    {
        return Ok(CaseForSignal::Opens {
            open: open.into_iter().map(|c| c.case).collect(),
        });
    }
    Ok(if found.kind_live {
        CaseForSignal::Extends(found.case)
    } else {
        CaseForSignal::Joins(found.case)
    })
}

/// Reopens a closed case of the school with a reason (timeline `heropend`). Refused when
/// another case of the same chain is open (one open case per chain).
pub async fn reopen_case(
    store: &Store,
    caller: &Caller,
    case_id: CaseId,
    reason: &str,
) -> Result<()> {
    caller.require_role(SCHOOL_WORKFLOW_ROLES, "een dossier heropenen")?;
    let reason = required(reason, "De reden")?;
    let mut tx = store.begin().await?;
    let case = tx
        .case(Scope::School(&caller.organisation), case_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    tx.lock_pupil(&case.school_id, &case.pupil_id).await?;
    tx.reopen_case(&case.school_id, case_id).await?;
    tx.add_timeline(
        &NewTimelineEntry {
            case_id,
            entry: "heropend".into(),
            signal_id: None,
            detail: Some(format!("Dossier heropend: {reason}")),
        },
        caller.actor(),
    )
    .await?;
    caller.write_audit(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Closes every open case that closes by itself by `today` (the daily job of `verzuim serve`);
/// the ids of the cases closed.
pub async fn close_quiet_cases(store: &Store, today: Date) -> Result<Vec<CaseId>> {
    let mut tx = store.begin().await?;
    let open = tx.all_open_cases().await?;
    let mut closed = Vec::new();
    let mut settings: Option<(String, SchoolSettings)> = None;
    for case in open {
        if settings.as_ref().is_none_or(|(s, _)| *s != case.school_id) {
            let Some(s) = tx.school_settings(&case.school_id).await? else {
                continue;
            };
            settings = Some((case.school_id.clone(), s));
        }
        let Some(pupil) = tx
            .pupil(
                Scope::School(&case.school_id),
                &case.school_id,
                &case.pupil_id,
            )
            .await?
        else {
            continue;
        };
        let Some((_, s)) = settings.as_ref() else {
            continue;
        };
        if tx.case_busy(case.id).await?.is_some() {
            continue;
        }
        let last = tx.case_last_signal(&case).await?;
        if close_if_quiet(
            &mut tx,
            Actor::System,
            s,
            &pupil.data.pupil.group,
            &case,
            last,
            today,
        )
        .await?
        {
            closed.push(case.id);
        }
    }
    tx.commit().await?;
    Ok(closed)
}
