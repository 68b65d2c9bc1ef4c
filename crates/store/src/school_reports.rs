//! What the school records when it completes the card's "Meldt bij de Onderwijsinspectie"
//! (verwijdering) and "Meldt/gaat in overleg met het samenwerkingsverband" (langdurig relatief
//! verzuim) (issue 11). Table: `migrations/*/0102_school_reports.sql`. Every read names the school.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::db::{Row, args};
use crate::{CaseId, Result, StoreError, TaskId, Tx};

/// The content of a school's report or consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SchoolReportContent {
    /// The report of a removal (verwijdering) to the Onderwijsinspectie.
    Inspectie {
        /// The date of the competent authority's decision to remove the pupil.
        decision_date: Date,
        /// The school that is willing to accept the pupil (the card: "nadat het bevoegd gezag
        /// ervoor heeft zorggedragen dat een andere school bereid is de leerling toe te laten").
        accepting_school: String,
        reason: String,
        /// The date of the report to the inspectie.
        report_date: Date,
    },
    /// A consultation with the samenwerkingsverband about a thuiszitter.
    SwvOverleg {
        with_whom: String,
        /// When the consultation took place.
        date: Date,
        outcome: String,
    },
}

/// A report as stored, with its task and case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolReport {
    pub task_id: TaskId,
    pub case_id: CaseId,
    pub content: SchoolReportContent,
}

fn report_of(r: &Row) -> Result<SchoolReport> {
    let kind = r.text("kind")?;
    let content = match kind.as_str() {
        "inspectie" => SchoolReportContent::Inspectie {
            decision_date: r
                .opt_date("decision_date")?
                .ok_or_else(|| StoreError::Corrupt("decision_date".into()))?,
            accepting_school: r
                .opt_text("accepting_school")?
                .ok_or_else(|| StoreError::Corrupt("accepting_school".into()))?,
            reason: r
                .opt_text("reason")?
                .ok_or_else(|| StoreError::Corrupt("reason".into()))?,
            report_date: r.date("report_date")?,
        },
        "swv_overleg" => SchoolReportContent::SwvOverleg {
            with_whom: r
                .opt_text("with_whom")?
                .ok_or_else(|| StoreError::Corrupt("with_whom".into()))?,
            date: r.date("report_date")?,
            outcome: r
                .opt_text("outcome")?
                .ok_or_else(|| StoreError::Corrupt("outcome".into()))?,
        },
        other => return Err(StoreError::Corrupt(format!("school report kind {other}"))),
    };
    Ok(SchoolReport {
        task_id: r.i64("task_id")?,
        case_id: r.i64("case_id")?,
        content,
    })
}

impl Tx {
    /// Stores the report made with the school's task `task_id` (of its case).
    pub async fn put_school_report(
        &mut self,
        school_id: &str,
        task_id: TaskId,
        content: &SchoolReportContent,
    ) -> Result<()> {
        let (kind, report_date, decision, accepting, reason, with_whom, outcome) = match content {
            SchoolReportContent::Inspectie {
                decision_date,
                accepting_school,
                reason,
                report_date,
            } => (
                "inspectie",
                *report_date,
                Some(*decision_date),
                Some(accepting_school.as_str()),
                Some(reason.as_str()),
                None,
                None,
            ),
            SchoolReportContent::SwvOverleg {
                with_whom,
                date,
                outcome,
            } => (
                "swv_overleg",
                *date,
                None,
                None,
                None,
                Some(with_whom.as_str()),
                Some(outcome.as_str()),
            ),
        };
        let n = self
            .c()
            .execute(
                "INSERT INTO school_reports (task_id, case_id, school_id, kind, report_date, \
                 decision_date, accepting_school, reason, with_whom, outcome) \
                 SELECT t.id, t.case_id, ?, ?, ?, ?, ?, ?, ?, ? FROM tasks t \
                 WHERE t.id = ? AND t.organisation_id = ?",
                args![
                    school_id,
                    kind,
                    report_date,
                    decision,
                    accepting,
                    reason,
                    with_whom,
                    outcome,
                    task_id,
                    school_id
                ],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The school's reports of a case, in the order they were made.
    pub async fn school_reports(
        &mut self,
        school_id: &str,
        case_id: CaseId,
    ) -> Result<Vec<SchoolReport>> {
        self.c()
            .fetch_map(
                "SELECT * FROM school_reports WHERE school_id = ? AND case_id = ? \
                 ORDER BY task_id",
                args![school_id, case_id],
                report_of,
            )
            .await
    }

    /// The school's reports of any of `cases`, by case, in the order they were made:
    /// [`Tx::school_reports`] for several cases in one query.
    pub async fn cases_school_reports(
        &mut self,
        school_id: &str,
        cases: &[CaseId],
    ) -> Result<Vec<SchoolReport>> {
        let mut a = args![school_id];
        a.extend(crate::queries::id_args(cases));
        self.c()
            .fetch_map(
                &format!(
                    "SELECT * FROM school_reports WHERE school_id = ? AND case_id IN ({}) \
                     ORDER BY case_id, task_id",
                    crate::queries::marks(cases.len())
                ),
                a,
                report_of,
            )
            .await
    }
}
