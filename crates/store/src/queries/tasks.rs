//! Tasks and their links (why a task exists beyond the card's own action, and what it refers
//! to): status changes that apply only from an expected status, and the tasks of cases as a party
//! sees them.

use serde::{Deserialize, Serialize};

use super::{CasesOf, case_clause, paged};
use crate::db::{Arg, Row, args};
use crate::workflow::{TASK_SELECT, task_of};
use crate::{
    Actor, MeldingId, Page, ReferralId, Result, Scope, SignalId, Task, TaskId, TaskStatus, Tx,
};

/// Why a task exists beyond the card's own action, and what it refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskLinkKind {
    /// A card action of a signal (leerplicht's after a melding, GGD-JGZ's after a referral).
    Card,
    /// The school judges whether a pupil stayed away from GGD-JGZ without good reason.
    JudgeNoShow,
    /// The school takes note of leerplicht's afspraken.
    Feedback,
    /// GGD-JGZ takes note of leerplicht's afspraken (ziekte rows).
    GgdFeedback,
    /// The school reviews a melding whose signal was withdrawn.
    ReviewMelding,
    /// Leerplicht takes note of a change after a melding (its detail: what changed).
    MeldingChanged,
    /// The school passes a change after a melding on to DUO (its detail: what changed).
    TellDuo,
    /// The school takes note of GGD-JGZ's afspraken (its detail: the afspraken, as typed).
    GgdAfspraken,
}

impl TaskLinkKind {
    pub const ALL: &'static [TaskLinkKind] = &[
        TaskLinkKind::Card,
        TaskLinkKind::JudgeNoShow,
        TaskLinkKind::Feedback,
        TaskLinkKind::GgdFeedback,
        TaskLinkKind::ReviewMelding,
        TaskLinkKind::MeldingChanged,
        TaskLinkKind::TellDuo,
        TaskLinkKind::GgdAfspraken,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskLinkKind::Card => "card",
            TaskLinkKind::JudgeNoShow => "judge_no_show",
            TaskLinkKind::Feedback => "feedback",
            TaskLinkKind::GgdFeedback => "ggd_feedback",
            TaskLinkKind::ReviewMelding => "review_melding",
            TaskLinkKind::MeldingChanged => "melding_changed",
            TaskLinkKind::TellDuo => "tell_duo",
            TaskLinkKind::GgdAfspraken => "ggd_afspraken",
        }
    }

    pub fn parse(s: &str) -> Option<TaskLinkKind> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

/// What a task refers to besides its case and signal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskLink {
    pub task_id: TaskId,
    pub kind: TaskLinkKind,
    pub signal_id: Option<SignalId>,
    pub melding_id: Option<MeldingId>,
    pub referral_id: Option<ReferralId>,
    /// Text that goes with the task (leerplicht's afspraken for a feedback task).
    pub detail: Option<String>,
}

fn task_link_of(r: &Row) -> Result<TaskLink> {
    Ok(TaskLink {
        task_id: r.i64("task_id")?,
        kind: r.parsed("kind", TaskLinkKind::parse)?,
        signal_id: r.opt_i64("signal_id")?,
        melding_id: r.opt_i64("melding_id")?,
        referral_id: r.opt_i64("referral_id")?,
        detail: r.opt_text("detail")?,
    })
}

const LINK_COLUMNS: &str = "l.task_id, l.kind, l.signal_id, l.melding_id, l.referral_id";

/// Who may read a task link's `detail` (tasks aliased `t`, links `l`, pupils `p`).
fn detail_clause(scope: Scope<'_>) -> (&'static str, Arg) {
    match scope {
        Scope::School(s) => ("p.school_id = ?", s.into()),
        Scope::Municipality(m) => (
            "EXISTS (SELECT 1 FROM meldingen dm WHERE dm.id = l.melding_id \
             AND dm.municipality = ?)",
            m.into(),
        ),
        Scope::Ggd(g) => ("t.organisation_id = ?", g.into()),
    }
}

impl Tx {
    /// Sets a task's status as its assignee organisation, only when its status is `expected`.
    /// Returns false (and changes nothing) when it is not: someone else was first.
    pub async fn set_task_status_if(
        &mut self,
        organisation_id: &str,
        id: TaskId,
        expected: TaskStatus,
        status: TaskStatus,
        reason: Option<&str>,
        by: Actor,
    ) -> Result<bool> {
        let t = self.now();
        let n = self
            .c()
            .execute(
                "UPDATE tasks SET status = ?, status_reason = ?, updated_at = ? \
                 WHERE id = ? AND organisation_id = ? AND status = ?",
                args![
                    status.as_str(),
                    reason,
                    t,
                    id,
                    organisation_id,
                    expected.as_str()
                ],
            )
            .await?;
        if n == 0 {
            return Ok(false);
        }
        self.c()
            .execute(
                "INSERT INTO task_history (task_id, at, actor, status, reason) \
                 VALUES (?, ?, ?, ?, ?)",
                args![id, t, by.to_string(), status.as_str(), reason],
            )
            .await?;
        Ok(true)
    }

    pub async fn put_task_link(&mut self, link: &TaskLink) -> Result<()> {
        self.c()
            .execute(
                "INSERT INTO task_links (task_id, kind, signal_id, melding_id, referral_id, detail) \
                 VALUES (?, ?, ?, ?, ?, ?)",
                args![
                    link.task_id,
                    link.kind.as_str(),
                    link.signal_id,
                    link.melding_id,
                    link.referral_id,
                    &link.detail
                ],
            )
            .await?;
        Ok(())
    }

    /// A task's link, if the task is visible in `scope` (its case is). Its `detail` (leerplicht's
    /// afspraken) only for the school of the case, the municipality of the melding it belongs
    /// to, and the task's assignee.
    pub async fn task_link(
        &mut self,
        scope: Scope<'_>,
        task_id: TaskId,
    ) -> Result<Option<TaskLink>> {
        let (clause, arg) = case_clause(scope);
        let (detail, detail_arg) = detail_clause(scope);
        self.c()
            .fetch_optional(
                &format!(
                    "SELECT {LINK_COLUMNS}, CASE WHEN {detail} THEN l.detail END AS detail \
                     FROM task_links l JOIN tasks t ON t.id = l.task_id \
                     JOIN cases c ON c.id = t.case_id JOIN pupils p ON p.id = c.pupil \
                     WHERE l.task_id = ? AND {clause}"
                ),
                vec![detail_arg, task_id.into(), arg],
            )
            .await?
            .as_ref()
            .map(task_link_of)
            .transpose()
    }

    /// The open tasks linked to a melding (every party's), oldest first.
    pub async fn open_tasks_of_melding(&mut self, melding_id: MeldingId) -> Result<Vec<Task>> {
        self.c()
            .fetch_map(
                &format!(
                    "{TASK_SELECT} JOIN task_links l ON l.task_id = t.id \
                     WHERE l.melding_id = ? AND t.status = 'open' ORDER BY t.id"
                ),
                args![melding_id],
                task_of,
            )
            .await
    }

    /// The open tasks linked to a referral (every party's), oldest first.
    pub async fn open_tasks_of_referral(&mut self, referral_id: ReferralId) -> Result<Vec<Task>> {
        self.c()
            .fetch_map(
                &format!(
                    "{TASK_SELECT} JOIN task_links l ON l.task_id = t.id \
                     WHERE l.referral_id = ? AND t.status = 'open' ORDER BY t.id"
                ),
                args![referral_id],
                task_of,
            )
            .await
    }

    /// Tasks of every case visible in `scope` (optionally of one status), earliest due first.
    pub async fn visible_tasks(
        &mut self,
        scope: Scope<'_>,
        status: Option<TaskStatus>,
        page: Page,
    ) -> Result<Vec<Task>> {
        let (clause, arg) = case_clause(scope);
        let status = status.map(|s| s.as_str());
        self.c()
            .fetch_map(
                &format!(
                    "{TASK_SELECT} WHERE {clause} AND (? IS NULL OR t.status = ?) \
                     ORDER BY t.due IS NULL, t.due, t.id LIMIT ? OFFSET ?"
                ),
                vec![
                    arg,
                    status.into(),
                    status.into(),
                    page.limit().into(),
                    page.offset().into(),
                ],
                task_of,
            )
            .await
    }

    /// One task, if its case is visible in `scope` (case-level).
    pub async fn visible_task(
        &mut self,
        scope: Scope<'_>,
        task_id: TaskId,
    ) -> Result<Option<Task>> {
        let (clause, arg) = case_clause(scope);
        self.c()
            .fetch_optional(
                &format!("{TASK_SELECT} WHERE t.id = ? AND {clause}"),
                vec![task_id.into(), arg],
            )
            .await?
            .as_ref()
            .map(task_of)
            .transpose()
    }
    /// The tasks of a case, or of every case of a pupil, visible in `scope` (case-level), every
    /// party's, oldest first; one page of them, or all.
    pub async fn case_tasks(
        &mut self,
        scope: Scope<'_>,
        of: CasesOf<'_>,
        page: Option<Page>,
    ) -> Result<Vec<Task>> {
        let (clause, arg) = case_clause(scope);
        let (cases, mut a) = of.clause("t.case_id");
        a.push(arg);
        let limit = paged(page, &mut a);
        self.c()
            .fetch_map(
                &format!("{TASK_SELECT} WHERE {cases} AND {clause} ORDER BY t.id{limit}"),
                a,
                task_of,
            )
            .await
    }

    /// The links of the tasks of a case, or of every case of a pupil, visible in `scope`
    /// (`detail` as in [`Tx::task_link`]).
    pub async fn case_task_links(
        &mut self,
        scope: Scope<'_>,
        of: CasesOf<'_>,
    ) -> Result<Vec<TaskLink>> {
        let (clause, arg) = case_clause(scope);
        let (detail, detail_arg) = detail_clause(scope);
        let (cases, cases_args) = of.clause("t.case_id");
        let mut a = vec![detail_arg];
        a.extend(cases_args);
        a.push(arg);
        self.c()
            .fetch_map(
                &format!(
                    "SELECT {LINK_COLUMNS}, CASE WHEN {detail} THEN l.detail END AS detail \
                     FROM task_links l JOIN tasks t ON t.id = l.task_id \
                     JOIN cases c ON c.id = t.case_id JOIN pupils p ON p.id = c.pupil \
                     WHERE {cases} AND {clause} ORDER BY l.task_id"
                ),
                a,
                task_link_of,
            )
            .await
    }
}

/// An open task as an inbox shows it: its text, due date and kind, the kind and date of its
/// signal, and the pupil's name and group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxTask {
    pub id: TaskId,
    pub school_id: String,
    pub pupil_id: String,
    pub text: String,
    pub due: Option<jiff::civil::Date>,
    /// The task is the melding to leerplicht (see [`Task::melding`]).
    pub melding: bool,
    /// The task is the referral to GGD-JGZ (see [`Task::referral`]).
    pub referral: bool,
    pub signal: Option<(verzuim_engine::model::SignalKind, jiff::civil::Date)>,
    /// `None`: no name recorded.
    pub pupil_name: Option<String>,
    pub group: String,
}

impl Tx {
    /// Every open task of `organisation_id` about a pupil visible in `scope`, each with its
    /// signal's kind and date and its pupil's name and group: the coordinator's inbox in one
    /// query (issue 13.3: a school of 900 pupils has 1,000+ open tasks; read a page at a time,
    /// with the signals and the names apart, it took five queries that each sorted them all).
    /// The task's own `pupil`, `signal_kind` and `signal_date` (migration 0190) spare a case, a
    /// pupil and a signal looked up per task.
    ///
    /// Only the columns the inbox shows, and unsorted: the inbox orders the pupils itself (by
    /// the card's "zo nodig", which is not a column). Not paged: bounded by the organisation's
    /// open work.
    pub async fn inbox_tasks(
        &mut self,
        scope: Scope<'_>,
        organisation_id: &str,
    ) -> Result<Vec<InboxTask>> {
        let (clause, arg) = scope.pupil_clause();
        self.c()
            .fetch_map(
                &format!(
                    "SELECT t.id, t.text, t.due, t.melding, t.referral, p.school_id, p.pupil_id, \
                     p.name, p.group_name, t.signal_kind AS kind, t.signal_date AS date \
                     FROM tasks t JOIN pupils p ON p.id = t.pupil \
                     WHERE t.organisation_id = ? AND t.status = 'open' AND {clause}"
                ),
                vec![organisation_id.into(), arg],
                |r| {
                    let kind = r.opt_parsed("kind", verzuim_engine::model::SignalKind::parse)?;
                    let signal = match kind {
                        Some(k) => Some((k, r.date("date")?)),
                        None => None,
                    };
                    Ok(InboxTask {
                        id: r.i64("id")?,
                        school_id: r.text("school_id")?,
                        pupil_id: r.text("pupil_id")?,
                        text: r.text("text")?,
                        due: r.opt_date("due")?,
                        melding: r.bool("melding")?,
                        referral: r.bool("referral")?,
                        signal,
                        pupil_name: r.opt_text("name")?,
                        group: r.text("group_name")?,
                    })
                },
            )
            .await
    }
}
