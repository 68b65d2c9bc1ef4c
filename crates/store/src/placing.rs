//! What placing a new signal in a case reads and writes, in few statements (issue 13.1: on
//! PostgreSQL every statement is a round trip; docs/workflow.md "Cases and their chains"):
//!
//! 1. [`Tx::open_cases_for_signal`]: the pupil's open cases, each with whether something keeps it
//!    open, the date of its last signal, and whether it still acts on the new signal's kind and
//!    stage, in one statement (before: the open cases, three statements for what keeps a case
//!    open, one for its last signal, one for the kind);
//! 2. [`Tx::open_case_noted`]: a new case with its `geopend` line on the timeline;
//! 3. [`Tx::insert_signal_noted`]: the signal with its line on the timeline.
//!
//! On PostgreSQL 2 and 3 are one statement each (a `WITH` of two inserts); SQLite, whose
//! statements are no round trips and which has no inserts in `WITH`, runs them one by one.

use jiff::civil::Date;
use verzuim_engine::chain::Chain;
use verzuim_engine::model::{Signal, SignalKind};

use crate::case_life::{MELDING_RUNS, REFERRAL_RUNS, TASK_OPEN, last_signal_or_opened};
use crate::db::{args, json_text};
use crate::queries::signals::LIVE_SIGNAL;
use crate::queries::timeline::NewTimelineEntry;
use crate::workflow::{INSERT_SIGNAL, case_of, insert_signal_args};
use crate::{Actor, Backend, Case, CaseId, Result, SignalId, StoreError, StoredEvidence, Tx};

/// An open case of a pupil as a new signal finds it ([`Tx::open_cases_for_signal`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCase {
    pub case: Case,
    /// Something keeps it open: a running melding or referral, or an open task of any party
    /// ([`Tx::case_busy`] says which).
    pub busy: bool,
    /// The date of its last active signal, never before it opened ([`Tx::case_last_signal`]).
    pub last_signal: Date,
    /// It still acts on the new signal's kind and stage ([`Tx::kind_is_live`]).
    pub kind_live: bool,
}

/// A line on the timeline of the case a statement writes, naming its signal when it has one.
#[derive(Debug, Clone, Copy)]
pub struct Note<'a> {
    /// The entry's stable name (`geopend`, `signaal`, `uitgebreid`, …).
    pub entry: &'a str,
    /// Dutch text for people.
    pub detail: &'a str,
}

impl Tx {
    /// The pupil's open cases, oldest first, each with what placing a new signal of `kind` and
    /// `stage` needs to know of it (see [`OpenCase`]), in one statement.
    pub async fn open_cases_for_signal(
        &mut self,
        school_id: &str,
        pupil_id: &str,
        kind: SignalKind,
        stage: Option<&str>,
    ) -> Result<Vec<OpenCase>> {
        // The pupil's key first (a sub-select PostgreSQL runs once), then its open cases by the
        // index on open cases; the last signal over the case's own signals (`signals_case`), so
        // the plan holds whatever the tables' statistics say (a join the planner could start from
        // the cases, or the active signals' index, cost milliseconds on a new database).
        let sql = format!(
            "SELECT c.*, CAST(? AS TEXT) AS school_id, CAST(? AS TEXT) AS pupil_id, \
             CAST(CASE WHEN EXISTS (SELECT 1 FROM meldingen WHERE case_id = c.id AND {MELDING_RUNS}) \
               OR EXISTS (SELECT 1 FROM referrals WHERE case_id = c.id AND {REFERRAL_RUNS}) \
               OR EXISTS (SELECT 1 FROM tasks WHERE case_id = c.id AND {TASK_OPEN}) \
               THEN 1 ELSE 0 END AS BIGINT) AS busy, \
             (SELECT MAX(CASE WHEN status = 'active' THEN date END) FROM signals \
               WHERE case_id = c.id) AS last_signal, \
             CAST(CASE WHEN EXISTS (SELECT 1 FROM signals s WHERE s.case_id = c.id AND {LIVE_SIGNAL}) \
               THEN 1 ELSE 0 END AS BIGINT) AS kind_live \
             FROM cases c \
             WHERE c.pupil = (SELECT id FROM pupils WHERE school_id = ? AND pupil_id = ?) \
             AND c.closed_at IS NULL ORDER BY c.id"
        );
        self.c()
            .fetch_map(
                &sql,
                args![
                    school_id,
                    pupil_id,
                    kind.as_str(),
                    stage.unwrap_or(""),
                    school_id,
                    pupil_id
                ],
                |r| {
                    let case = case_of(r)?;
                    let last = last_signal_or_opened(&case, r.opt_date("last_signal")?);
                    Ok(OpenCase {
                        busy: r.i64("busy")? != 0,
                        last_signal: last,
                        kind_live: r.i64("kind_live")? != 0,
                        case,
                    })
                },
            )
            .await
    }

    /// Opens a case of the pupil for `kinds` with the line `note` on its timeline.
    ///
    /// `open`: the pupil's cases that are open, as read in this transaction with the pupil locked
    /// ([`Tx::open_cases_for_signal`], less one it closed): as [`Tx::open_case`], a conflict when
    /// one of them is of a kind's chain (one open case per chain), checked on them instead of
    /// reading them again.
    #[allow(clippy::too_many_arguments)]
    pub async fn open_case_noted(
        &mut self,
        school_id: &str,
        pupil_id: &str,
        open: &[Case],
        kinds: &[SignalKind],
        opened_on: Date,
        note: Note<'_>,
        by: Actor,
    ) -> Result<CaseId> {
        check_no_open_case_of_chain(open, kinds)?;
        if self.backend() == Backend::Sqlite {
            let case_id = self
                .insert_case(school_id, pupil_id, kinds, opened_on)
                .await?;
            self.add_timeline(&entry(case_id, None, note), by).await?;
            return Ok(case_id);
        }
        let now = self.now();
        self.c()
            .fetch_one(
                "WITH c AS (INSERT INTO cases (pupil, kinds_json, opened_on, opened_at) \
                 SELECT id, ?, ?, ? FROM pupils WHERE school_id = ? AND pupil_id = ? \
                 RETURNING id) \
                 INSERT INTO case_timeline (case_id, at, actor, entry, signal_id, detail) \
                 SELECT c.id, ?, ?, ?, NULL, ? FROM c RETURNING case_id",
                args![
                    json_text(kinds)?,
                    opened_on,
                    now,
                    school_id,
                    pupil_id,
                    now,
                    by.to_string(),
                    note.entry,
                    note.detail
                ],
            )
            .await?
            .i64("case_id")
    }

    /// Stores a new active signal of the pupil in the case `case_id` (as [`Tx::insert_signal`])
    /// with the line `note` on the case's timeline, naming the signal.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_signal_noted(
        &mut self,
        school_id: &str,
        pupil_id: &str,
        signal: &Signal,
        evidence: &[StoredEvidence],
        case_id: CaseId,
        note: Note<'_>,
        by: Actor,
    ) -> Result<SignalId> {
        if self.backend() == Backend::Sqlite {
            let id = self
                .insert_signal(school_id, pupil_id, signal, evidence, Some(case_id))
                .await?;
            self.add_timeline(&entry(case_id, Some(id), note), by)
                .await?;
            return Ok(id);
        }
        let now = self.now();
        let mut a = insert_signal_args(now, school_id, pupil_id, signal, evidence, Some(case_id))?;
        a.extend(args![case_id, now, by.to_string(), note.entry, note.detail]);
        self.c()
            .fetch_one(
                &format!(
                    "WITH s AS ({INSERT_SIGNAL} RETURNING id) \
                     INSERT INTO case_timeline (case_id, at, actor, entry, signal_id, detail) \
                     SELECT ?, ?, ?, ?, s.id, ? FROM s RETURNING signal_id"
                ),
                a,
            )
            .await?
            .i64("signal_id")
    }
}

/// A conflict when one of the `open` cases is of the chain of one of `kinds`: one open case per
/// chain of the card (docs/workflow.md "Cases and their chains").
pub(crate) fn check_no_open_case_of_chain(open: &[Case], kinds: &[SignalKind]) -> Result<()> {
    for case in open {
        if let Some(k) = kinds.iter().find(|k| Chain::of(**k).holds(&case.kinds)) {
            return Err(StoreError::Conflict(format!(
                "dossier {} voor {} is nog open",
                case.id,
                Chain::of(*k).label()
            )));
        }
    }
    Ok(())
}

fn entry(case_id: CaseId, signal_id: Option<SignalId>, note: Note<'_>) -> NewTimelineEntry {
    NewTimelineEntry {
        case_id,
        entry: note.entry.to_owned(),
        signal_id,
        detail: Some(note.detail.to_owned()),
    }
}
