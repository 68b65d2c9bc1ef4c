//! A case's life after it opened (issue 10.6): the open cases of a pupil (one per chain of the
//! card), whether a case is still busy (an open task of any party, a running melding or
//! referral), the date of its last signal, and reopening a closed case.

use jiff::civil::Date;

use crate::db::args;
use crate::workflow::{CASE_SELECT, case_of};
use crate::{Case, CaseId, Result, StoreError, Tx};

/// What keeps a case from closing: the first reason found, in Dutch for the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseBusy {
    /// A melding that still runs (`geregistreerd` or `in_behandeling`): its id and status.
    Melding(i64, String),
    /// A referral to GGD-JGZ that still runs: its id and status.
    Referral(i64, String),
    /// An open task: its party (`school`, `leerplicht`, `ggd_jgz`) and text.
    Task(String, String),
}

/// What keeps a case open (on a table with the case's `case_id` and `status`, unqualified): a
/// running melding, a running referral, an open task ([`Tx::case_busy`] reads the first of each;
/// [`Tx::open_cases_for_signal`] whether there is one).
pub(crate) const MELDING_RUNS: &str = "status IN ('geregistreerd', 'in_behandeling')";
pub(crate) const REFERRAL_RUNS: &str = "status NOT IN ('afgerond', 'ingetrokken')";
pub(crate) const TASK_OPEN: &str = "status = 'open'";

/// The date a case saw its last signal: its last active signal's, never before it opened.
pub(crate) fn last_signal_or_opened(case: &Case, last: Option<Date>) -> Date {
    last.map_or(case.opened_on, |d| d.max(case.opened_on))
}

impl Tx {
    /// The pupil's open cases, oldest first.
    pub async fn open_cases_of_pupil(
        &mut self,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Vec<Case>> {
        self.c()
            .fetch_map(
                &format!(
                    "{CASE_SELECT} WHERE p.school_id = ? AND p.pupil_id = ? \
                     AND c.closed_at IS NULL ORDER BY c.id"
                ),
                args![school_id, pupil_id],
                case_of,
            )
            .await
    }

    /// The first thing that keeps the case open: a running melding, a running referral, or an
    /// open task (of any party); `None` when nothing does.
    pub async fn case_busy(&mut self, case_id: CaseId) -> Result<Option<CaseBusy>> {
        if let Some(r) = self
            .c()
            .fetch_optional(
                &format!(
                    "SELECT id, status FROM meldingen WHERE case_id = ? AND {MELDING_RUNS} \
                     ORDER BY id LIMIT 1"
                ),
                args![case_id],
            )
            .await?
        {
            return Ok(Some(CaseBusy::Melding(r.i64("id")?, r.text("status")?)));
        }
        if let Some(r) = self
            .c()
            .fetch_optional(
                &format!(
                    "SELECT id, status FROM referrals WHERE case_id = ? AND {REFERRAL_RUNS} \
                     ORDER BY id LIMIT 1"
                ),
                args![case_id],
            )
            .await?
        {
            return Ok(Some(CaseBusy::Referral(r.i64("id")?, r.text("status")?)));
        }
        if let Some(r) = self
            .c()
            .fetch_optional(
                &format!(
                    "SELECT party, text FROM tasks WHERE case_id = ? AND {TASK_OPEN} \
                     ORDER BY id LIMIT 1"
                ),
                args![case_id],
            )
            .await?
        {
            return Ok(Some(CaseBusy::Task(r.text("party")?, r.text("text")?)));
        }
        Ok(None)
    }

    /// The date of the case's last active signal (the opening date when it has none).
    pub async fn case_last_signal(&mut self, case: &Case) -> Result<Date> {
        let row = self
            .c()
            .fetch_optional(
                "SELECT MAX(date) AS last FROM signals WHERE case_id = ? AND status = 'active'",
                args![case.id],
            )
            .await?;
        let last = match row {
            Some(r) => r.opt_date("last")?,
            None => None,
        };
        Ok(last_signal_or_opened(case, last))
    }

    /// Reopens a closed case of the school's pupil: its closing is undone (the timeline keeps
    /// it). A conflict when another case of the same chain is open.
    pub async fn reopen_case(&mut self, school_id: &str, case_id: CaseId) -> Result<()> {
        let case = self
            .case(crate::Scope::School(school_id), case_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if case.closed_at.is_none() {
            return Err(StoreError::Conflict("het dossier is al open".into()));
        }
        for open in self.open_cases_of_pupil(school_id, &case.pupil_id).await? {
            if let Some(k) = case
                .kinds
                .iter()
                .find(|k| verzuim_engine::chain::Chain::of(**k).holds(&open.kinds))
            {
                return Err(StoreError::Conflict(format!(
                    "dossier {} voor {} is al open; er kan per soort één dossier open zijn",
                    open.id,
                    verzuim_engine::chain::Chain::of(*k).label()
                )));
            }
        }
        self.c()
            .execute(
                "UPDATE cases SET closed_at = NULL, closed_reason = NULL WHERE id = ?",
                args![case_id],
            )
            .await?;
        Ok(())
    }
}

impl Tx {
    /// Every open case of every school, by school and id (the daily closing of quiet cases).
    pub async fn all_open_cases(&mut self) -> Result<Vec<Case>> {
        self.c()
            .fetch_map(
                &format!("{CASE_SELECT} WHERE c.closed_at IS NULL ORDER BY p.school_id, c.id"),
                vec![],
                case_of,
            )
            .await
    }
}
