//! Signals an import raised that wait for the school's judgement (issue 10.9, starting mid-year;
//! migration `0160_import_review`, docs/workflow.md "Starting mid-year").
//!
//! A signal the import's re-evaluation raises with a date before the import's cut-off is stored as
//! an active signal **without a case** and held here (`te_beoordelen`). The coordinator then
//! decides: `buiten_verzuim_afgehandeld` (already handled outside verzuim, on `handled_on`, with an
//! optional note) or `actie_nodig` (the service then places the signal in a case with its tasks,
//! [`Tx::attach_signal_to_case`]). Every read and write names the school.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use verzuim_engine::model::SignalKind;

use crate::db::{Row, args};
use crate::{Actor, CaseId, Result, SignalId, StoreError, Tx};

/// Where a held signal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    /// Waiting for the coordinator ("te beoordelen na import").
    TeBeoordelen,
    /// Already handled outside verzuim: history, never a task.
    BuitenVerzuimAfgehandeld,
    /// Still needs action: placed in a case with its tasks on the decision day.
    ActieNodig,
}

impl ReviewStatus {
    pub const ALL: [ReviewStatus; 3] = [
        ReviewStatus::TeBeoordelen,
        ReviewStatus::BuitenVerzuimAfgehandeld,
        ReviewStatus::ActieNodig,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::TeBeoordelen => "te_beoordelen",
            ReviewStatus::BuitenVerzuimAfgehandeld => "buiten_verzuim_afgehandeld",
            ReviewStatus::ActieNodig => "actie_nodig",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewStatus> {
        ReviewStatus::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Dutch, for the pages.
    pub fn label(self) -> &'static str {
        match self {
            ReviewStatus::TeBeoordelen => "te beoordelen na import",
            ReviewStatus::BuitenVerzuimAfgehandeld => "buiten verzuim afgehandeld",
            ReviewStatus::ActieNodig => "actie nodig",
        }
    }
}

/// A held signal with its pupil and the decision, if made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReview {
    pub signal_id: SignalId,
    pub school_id: String,
    pub pupil_id: String,
    pub pupil_name: Option<String>,
    pub group: String,
    pub kind: SignalKind,
    pub date: Date,
    pub minutes: Option<u32>,
    /// The signal is still active (a later correction may have withdrawn it).
    pub signal_active: bool,
    /// The case it was placed in (`actie_nodig`).
    pub case_id: Option<CaseId>,
    pub held_at: Timestamp,
    pub review_before: Date,
    pub status: ReviewStatus,
    pub decided_at: Option<Timestamp>,
    pub decided_by: Option<String>,
    /// The day of the decision (Amsterdam): due dates of `actie_nodig` count from it.
    pub decided_on: Option<Date>,
    /// `buiten_verzuim_afgehandeld`: the day the school handled it outside verzuim.
    pub handled_on: Option<Date>,
    pub note: Option<String>,
}

/// A decision to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewDecision<'a> {
    pub status: ReviewStatus,
    pub decided_on: Date,
    pub handled_on: Option<Date>,
    pub note: Option<&'a str>,
}

const SELECT: &str = "SELECT r.*, s.kind, s.date, s.minutes, s.status AS signal_status, s.case_id, \
     p.pupil_id, p.name, p.group_name \
     FROM import_reviews r JOIN signals s ON s.id = r.signal_id JOIN pupils p ON p.id = s.pupil";

fn review_of(r: &Row) -> Result<ImportReview> {
    Ok(ImportReview {
        signal_id: r.i64("signal_id")?,
        school_id: r.text("school_id")?,
        pupil_id: r.text("pupil_id")?,
        pupil_name: r.opt_text("name")?,
        group: r.text("group_name")?,
        kind: r.parsed("kind", SignalKind::parse)?,
        date: r.date("date")?,
        minutes: r.opt_u32("minutes")?,
        signal_active: r.text("signal_status")? == "active",
        case_id: r.opt_i64("case_id")?,
        held_at: r.ts("held_at")?,
        review_before: r.date("review_before")?,
        status: r.parsed("status", ReviewStatus::parse)?,
        decided_at: r.opt_ts("decided_at")?,
        decided_by: r.opt_text("decided_by")?,
        decided_on: r.opt_date("decided_on")?,
        handled_on: r.opt_date("handled_on")?,
        note: r.opt_text("note")?,
    })
}

impl Tx {
    /// Holds a signal (stored without a case) for review; a signal already held stays as it is
    /// (returns `false`).
    pub async fn hold_for_review(
        &mut self,
        school_id: &str,
        signal_id: SignalId,
        review_before: Date,
        by: Actor,
    ) -> Result<bool> {
        let now = self.now();
        let n = self
            .c()
            .execute(
                "INSERT INTO import_reviews (signal_id, school_id, held_at, held_by, \
                 review_before, status) VALUES (?, ?, ?, ?, ?, 'te_beoordelen') \
                 ON CONFLICT (signal_id) DO NOTHING",
                args![signal_id, school_id, now, by.to_string(), review_before],
            )
            .await?;
        Ok(n == 1)
    }

    /// The school's held signals, by pupil name and date; `pupil` narrows to one pupil,
    /// `status` to one status. Withdrawn signals are included (`signal_active`), so that the
    /// dossier keeps what was decided.
    pub async fn import_reviews(
        &mut self,
        school_id: &str,
        pupil: Option<&str>,
        status: Option<ReviewStatus>,
    ) -> Result<Vec<ImportReview>> {
        let mut sql = format!("{SELECT} WHERE r.school_id = ? AND p.school_id = ?");
        let mut a = args![school_id, school_id];
        if let Some(p) = pupil {
            sql.push_str(" AND p.pupil_id = ?");
            a.push(p.into());
        }
        if let Some(s) = status {
            sql.push_str(" AND r.status = ?");
            a.push(s.as_str().into());
        }
        sql.push_str(" ORDER BY COALESCE(p.name, p.pupil_id), p.pupil_id, s.date, s.kind, s.id");
        self.c().fetch_map(&sql, a, review_of).await
    }

    /// One held signal of the school.
    pub async fn import_review(
        &mut self,
        school_id: &str,
        signal_id: SignalId,
    ) -> Result<Option<ImportReview>> {
        let rows = self
            .c()
            .fetch_map(
                &format!("{SELECT} WHERE r.school_id = ? AND r.signal_id = ?"),
                args![school_id, signal_id],
                review_of,
            )
            .await?;
        Ok(rows.into_iter().next())
    }

    /// How many of the school's held signals still wait (active signals only).
    pub async fn pending_import_reviews(&mut self, school_id: &str) -> Result<u64> {
        self.c()
            .fetch_one(
                "SELECT COUNT(*) AS n FROM import_reviews r JOIN signals s ON s.id = r.signal_id \
                 WHERE r.school_id = ? AND r.status = 'te_beoordelen' AND s.status = 'active'",
                args![school_id],
            )
            .await?
            .u64("n")
    }

    /// Records the decision on a waiting signal; `false` when it was not waiting (decided
    /// before, or not the school's).
    pub async fn decide_import_review(
        &mut self,
        school_id: &str,
        signal_id: SignalId,
        decision: &ReviewDecision<'_>,
        by: Actor,
    ) -> Result<bool> {
        if decision.status == ReviewStatus::TeBeoordelen {
            return Err(StoreError::Invalid(
                "a decision is not te_beoordelen".into(),
            ));
        }
        let now = self.now();
        let n = self
            .c()
            .execute(
                "UPDATE import_reviews SET status = ?, decided_at = ?, decided_by = ?, \
                 decided_on = ?, handled_on = ?, note = ? \
                 WHERE signal_id = ? AND school_id = ? AND status = 'te_beoordelen'",
                args![
                    decision.status.as_str(),
                    now,
                    by.to_string(),
                    decision.decided_on,
                    decision.handled_on,
                    decision.note,
                    signal_id,
                    school_id
                ],
            )
            .await?;
        Ok(n == 1)
    }

    /// Places a signal stored without a case in the case `case_id` (of the same pupil).
    pub async fn attach_signal_to_case(
        &mut self,
        school_id: &str,
        signal_id: SignalId,
        case_id: CaseId,
    ) -> Result<()> {
        let n = self
            .c()
            .execute(
                "UPDATE signals SET case_id = ? WHERE id = ? AND case_id IS NULL \
                 AND pupil IN (SELECT id FROM pupils WHERE school_id = ?) \
                 AND pupil = (SELECT pupil FROM cases WHERE id = ?)",
                args![case_id, signal_id, school_id, case_id],
            )
            .await?;
        if n == 1 {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }
}
