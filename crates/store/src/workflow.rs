//! Signals, cases (dossiers), tasks, meldingen, referrals to GGD-JGZ, GGD-JGZ's own notes and
//! the records of informing the parents. Every status change writes a history row.

use jiff::civil::Date;
use verzuim_engine::model::{Party, Period, Signal, SignalKind, Trigger};

use crate::db::{Arg, Row, args, json_text};
use crate::{
    Actor, Case, CaseId, HistoryEntry, InformedHow, JgzNote, Melding, MeldingId, MeldingStatus,
    NewMelding, NewParentInformation, NewTask, Page, ParentInformation, Referral, ReferralId,
    ReferralStatus, Result, Scope, SignalId, SignalStatus, StoreError, StoredEvidence,
    StoredSignal, Task, TaskId, TaskStatus, Tx,
};

pub(crate) fn opt_period(r: &Row, from: &str, to: &str) -> Result<Option<Period>> {
    Ok(match (r.opt_date(from)?, r.opt_date(to)?) {
        (Some(from), Some(to)) => Some(Period { from, to }),
        _ => None,
    })
}

pub(crate) const SIGNAL_SELECT: &str =
    "SELECT s.*, p.school_id, p.pupil_id FROM signals s JOIN pupils p ON p.id = s.pupil";

/// A new active signal, in one statement (issue 13.1): the pupil's key looked up, and the case
/// checked to be the pupil's, in the `INSERT` (neither: no row). Its parameters:
/// [`insert_signal_args`]; `RETURNING` is the caller's.
pub(crate) const INSERT_SIGNAL: &str = "INSERT INTO signals (pupil, case_id, kind, date, count, \
     stage, minutes, period_from, period_to, evidence_json, actions_json, pupil_participates, \
     status, created_at) \
     SELECT p.id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ? FROM pupils p \
     WHERE p.school_id = ? AND p.pupil_id = ? \
     AND (? IS NULL OR p.id = (SELECT c.pupil FROM cases c WHERE c.id = ?))";

/// The parameters of [`INSERT_SIGNAL`].
pub(crate) fn insert_signal_args(
    now: jiff::Timestamp,
    school_id: &str,
    pupil_id: &str,
    signal: &Signal,
    evidence: &[StoredEvidence],
    case_id: Option<CaseId>,
) -> Result<Vec<Arg>> {
    let mut a = args![
        case_id,
        signal.kind.as_str(),
        signal.date,
        signal.count,
        &signal.stage
    ];
    a.extend(signal_content_args(signal, evidence)?);
    a.extend(args![now, school_id, pupil_id, case_id, case_id]);
    Ok(a)
}

/// What a correction can change of a signal, as the columns `minutes, period_from, period_to,
/// evidence_json, actions_json, pupil_participates` take it (a new signal, a refreshed one).
pub(crate) fn signal_content_args(
    signal: &Signal,
    evidence: &[StoredEvidence],
) -> Result<Vec<Arg>> {
    Ok(args![
        signal.minutes,
        signal.period.map(|p| p.from),
        signal.period.map(|p| p.to),
        json_text(evidence)?,
        json_text(&signal.actions)?,
        signal.pupil_participates
    ])
}

pub(crate) fn signal_of(r: &Row) -> Result<StoredSignal> {
    Ok(StoredSignal {
        id: r.i64("id")?,
        school_id: r.text("school_id")?,
        pupil_id: r.text("pupil_id")?,
        case_id: r.opt_i64("case_id")?,
        kind: r.parsed("kind", SignalKind::parse)?,
        date: r.date("date")?,
        count: r.opt_u32("count")?,
        stage: r.opt_text("stage")?,
        minutes: r.opt_u32("minutes")?,
        period: opt_period(r, "period_from", "period_to")?,
        evidence: r.json("evidence_json")?,
        pupil_participates: r.bool("pupil_participates")?,
        actions: r.json("actions_json")?,
        status: r.parsed("status", SignalStatus::parse)?,
        created_at: r.ts("created_at")?,
        withdrawn_at: r.opt_ts("withdrawn_at")?,
        withdrawn_reason: r.opt_text("withdrawn_reason")?,
    })
}

pub(crate) const CASE_SELECT: &str =
    "SELECT c.*, p.school_id, p.pupil_id FROM cases c JOIN pupils p ON p.id = c.pupil";

pub(crate) fn case_of(r: &Row) -> Result<Case> {
    Ok(Case {
        id: r.i64("id")?,
        school_id: r.text("school_id")?,
        pupil_id: r.text("pupil_id")?,
        kinds: r.json("kinds_json")?,
        opened_on: r.date("opened_on")?,
        opened_at: r.ts("opened_at")?,
        closed_at: r.opt_ts("closed_at")?,
        closed_reason: r.opt_text("closed_reason")?,
    })
}

pub(crate) const TASK_SELECT: &str = "SELECT t.*, p.school_id, p.pupil_id FROM tasks t \
     JOIN cases c ON c.id = t.case_id JOIN pupils p ON p.id = c.pupil";

pub(crate) fn task_of(r: &Row) -> Result<Task> {
    Ok(Task {
        id: r.i64("id")?,
        case_id: r.i64("case_id")?,
        signal_id: r.opt_i64("signal_id")?,
        school_id: r.text("school_id")?,
        pupil_id: r.text("pupil_id")?,
        party: r.parsed("party", Party::parse)?,
        organisation_id: r.text("organisation_id")?,
        text: r.text("text")?,
        melding: r.bool("melding")?,
        referral: r.bool("referral")?,
        trigger: r.opt_parsed("trigger_kind", Trigger::parse)?,
        due: r.opt_date("due")?,
        status: r.parsed("status", TaskStatus::parse)?,
        status_reason: r.opt_text("status_reason")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

fn history_of(r: &Row) -> Result<HistoryEntry> {
    Ok(HistoryEntry {
        at: r.ts("at")?,
        actor: r.text("actor")?,
        status: r.text("status")?,
        reason: r.opt_text("reason")?,
    })
}

/// The number of changes after a melding `m` (`Melding::changes_after`), as a select column.
macro_rules! changes_after {
    () => {
        "(SELECT COUNT(*) FROM melding_changes c WHERE c.melding_id = m.id) AS changes_after"
    };
}
pub(crate) const CHANGES_AFTER: &str = changes_after!();

pub(crate) const MELDING_SELECT: &str = concat!(
    "SELECT m.*, p.pupil_id, ",
    changes_after!(),
    " FROM meldingen m JOIN pupils p ON p.id = m.pupil"
);

pub(crate) fn melding_of(r: &Row) -> Result<Melding> {
    Ok(Melding {
        id: r.i64("id")?,
        case_id: r.i64("case_id")?,
        school_id: r.text("school_id")?,
        pupil_id: r.text("pupil_id")?,
        municipality: r.text("municipality")?,
        verzuim_kind: r.parsed("verzuim_kind", SignalKind::parse)?,
        period: Period {
            from: r.date("period_from")?,
            to: r.date("period_to")?,
        },
        minutes: r.u32("minutes")?,
        suspected_reason: r.text("suspected_reason")?,
        school_actions: r.text("school_actions")?,
        status: r.parsed("status", MeldingStatus::parse)?,
        status_reason: r.opt_text("status_reason")?,
        created_at: r.ts("created_at")?,
        created_by: r.text("created_by")?,
        updated_at: r.ts("updated_at")?,
        changes_after: u32::try_from(r.i64("changes_after")?).unwrap_or(u32::MAX),
    })
}

/// Who sees a melding: the school that made it, the municipality it went to.
fn melding_clause(scope: Scope<'_>, prefix: &str) -> (String, Vec<Arg>) {
    match scope {
        Scope::School(s) => (format!("{prefix}school_id = ?"), args![s]),
        Scope::Municipality(m) => (format!("{prefix}municipality = ?"), args![m]),
        Scope::Ggd(_) => ("1 = 0".to_owned(), args![]),
    }
}

pub(crate) const REFERRAL_SELECT: &str =
    "SELECT r.*, p.pupil_id FROM referrals r JOIN pupils p ON p.id = r.pupil";

pub(crate) fn referral_of(r: &Row) -> Result<Referral> {
    Ok(Referral {
        id: r.i64("id")?,
        case_id: r.i64("case_id")?,
        school_id: r.text("school_id")?,
        pupil_id: r.text("pupil_id")?,
        ggd_id: r.text("ggd_id")?,
        status: r.parsed("status", ReferralStatus::parse)?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

/// Who sees a referral: the school that made it, the GGD-JGZ it went to.
fn referral_clause(scope: Scope<'_>, prefix: &str) -> (String, Vec<Arg>) {
    match scope {
        Scope::School(s) => (format!("{prefix}school_id = ?"), args![s]),
        Scope::Ggd(g) => (format!("{prefix}ggd_id = ?"), args![g]),
        Scope::Municipality(_) => ("1 = 0".to_owned(), args![]),
    }
}

fn parent_info_of(r: &Row) -> Result<ParentInformation> {
    Ok(ParentInformation {
        id: r.i64("id")?,
        school_id: r.text("school_id")?,
        pupil_id: r.text("pupil_id")?,
        case_id: r.opt_i64("case_id")?,
        task_id: r.opt_i64("task_id")?,
        informed_on: r.date("informed_on")?,
        how: r.parsed("how", InformedHow::parse)?,
        note: r.opt_text("note")?,
        created_at: r.ts("created_at")?,
        created_by: r.text("created_by")?,
    })
}

fn page_args(mut a: Vec<Arg>, page: Page) -> Vec<Arg> {
    a.push(page.limit().into());
    a.push(page.offset().into());
    a
}

impl Tx {
    /// Stores a signal as evaluated, active, optionally in a case of the same pupil. A second
    /// active signal with the same kind, date and stage is a conflict.
    pub async fn insert_signal(
        &mut self,
        school_id: &str,
        pupil_id: &str,
        signal: &Signal,
        evidence: &[StoredEvidence],
        case_id: Option<CaseId>,
    ) -> Result<SignalId> {
        let a = insert_signal_args(self.now(), school_id, pupil_id, signal, evidence, case_id)?;
        self.c()
            .fetch_one(&format!("{INSERT_SIGNAL} RETURNING id"), a)
            .await?
            .i64("id")
    }

    /// A pupil's active signals (bounded: what evaluation compares against), by date.
    pub async fn active_signals(
        &mut self,
        scope: Scope<'_>,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Vec<StoredSignal>> {
        let (clause, arg) = scope.pupil_clause();
        self.c()
            .fetch_map(
                &format!(
                    "{SIGNAL_SELECT} WHERE p.school_id = ? AND p.pupil_id = ? AND {clause} \
                     AND s.status = 'active' ORDER BY s.date, s.kind, s.id"
                ),
                vec![school_id.into(), pupil_id.into(), arg],
                signal_of,
            )
            .await
    }

    /// The active signals of the pupils of one group of a school (in `scope`), in the order of
    /// [`Tx::active_signals`] per pupil: a class register in one query.
    pub async fn active_signals_of_group(
        &mut self,
        scope: Scope<'_>,
        school_id: &str,
        group: &str,
    ) -> Result<Vec<StoredSignal>> {
        let (clause, arg) = scope.pupil_clause();
        self.c()
            .fetch_map(
                &format!(
                    "{SIGNAL_SELECT} WHERE p.school_id = ? AND p.group_name = ? AND {clause} \
                     AND s.status = 'active' ORDER BY s.date, s.kind, s.id"
                ),
                vec![school_id.into(), group.into(), arg],
                signal_of,
            )
            .await
    }

    /// Signals visible in `scope`, newest first.
    pub async fn list_signals(
        &mut self,
        scope: Scope<'_>,
        status: Option<SignalStatus>,
        page: Page,
    ) -> Result<Vec<StoredSignal>> {
        let (clause, arg) = scope.pupil_clause();
        let status = status.map(|s| s.as_str());
        self.c()
            .fetch_map(
                &format!(
                    "{SIGNAL_SELECT} WHERE {clause} AND (? IS NULL OR s.status = ?) \
                     ORDER BY s.date DESC, s.id DESC LIMIT ? OFFSET ?"
                ),
                page_args(vec![arg, status.into(), status.into()], page),
                signal_of,
            )
            .await
    }

    /// Withdraws an active signal whose ground is gone, and marks its open tasks `not_needed`
    /// with the same reason (each with a history row). Returns those tasks.
    pub async fn withdraw_signal(
        &mut self,
        school_id: &str,
        id: SignalId,
        reason: &str,
        by: Actor,
    ) -> Result<Vec<TaskId>> {
        let t = self.now();
        let n = self
            .c()
            .execute(
                "UPDATE signals SET status = 'withdrawn', withdrawn_at = ?, withdrawn_reason = ? \
                 WHERE id = ? AND status = 'active' \
                 AND pupil IN (SELECT id FROM pupils WHERE school_id = ?)",
                args![t, reason, id, school_id],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        let tasks: Vec<TaskId> = self
            .c()
            .fetch_map(
                "SELECT id FROM tasks WHERE signal_id = ? AND status = 'open' ORDER BY id",
                args![id],
                |r| r.i64("id"),
            )
            .await?;
        for task in &tasks {
            self.task_status_unscoped(*task, TaskStatus::NotNeeded, Some(reason), by)
                .await?;
        }
        Ok(tasks)
    }

    /// Opens a case (dossier) for a pupil. A pupil has at most one open case per chain of the
    /// card ([`verzuim_engine::chain::Chain`]): a second one of the same chain is a conflict
    /// (extend the open one with [`Tx::add_case_kind`]).
    pub async fn open_case(
        &mut self,
        school_id: &str,
        pupil_id: &str,
        kinds: &[SignalKind],
        opened_on: Date,
    ) -> Result<CaseId> {
        let open = self.open_cases_of_pupil(school_id, pupil_id).await?;
        crate::placing::check_no_open_case_of_chain(&open, kinds)?;
        self.insert_case(school_id, pupil_id, kinds, opened_on)
            .await
    }

    /// [`Tx::open_case`] without its check (the caller made it).
    pub(crate) async fn insert_case(
        &mut self,
        school_id: &str,
        pupil_id: &str,
        kinds: &[SignalKind],
        opened_on: Date,
    ) -> Result<CaseId> {
        let now = self.now();
        let pupil = self.pupil_key(school_id, pupil_id).await?;
        self.c()
            .fetch_one(
                "INSERT INTO cases (pupil, kinds_json, opened_on, opened_at) \
                 VALUES (?, ?, ?, ?) RETURNING id",
                args![pupil, json_text(kinds)?, opened_on, now],
            )
            .await?
            .i64("id")
    }

    pub async fn open_case_of_pupil(
        &mut self,
        scope: Scope<'_>,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Option<Case>> {
        let (clause, arg) = scope.pupil_clause();
        self.c()
            .fetch_optional(
                &format!(
                    "{CASE_SELECT} WHERE p.school_id = ? AND p.pupil_id = ? AND {clause} \
                     AND c.closed_at IS NULL"
                ),
                vec![school_id.into(), pupil_id.into(), arg],
            )
            .await?
            .as_ref()
            .map(case_of)
            .transpose()
    }

    /// Adds a signal kind to an open case, `case` as this transaction read it under the pupil's
    /// lock ([`Tx::lock_pupil_for_change`]; every writer of a case's kinds holds that lock, so
    /// the kinds read are the kinds stored). No statement when the case has the kind already;
    /// `Invalid` when the case is closed, also when it was closed since it was read.
    pub async fn add_case_kind(
        &mut self,
        school_id: &str,
        case: &Case,
        kind: SignalKind,
    ) -> Result<()> {
        if case.closed_at.is_some() {
            return Err(StoreError::Invalid("het dossier is gesloten".into()));
        }
        if case.kinds.contains(&kind) {
            return Ok(());
        }
        let mut kinds = case.kinds.clone();
        kinds.push(kind);
        let n = self
            .c()
            .execute(
                "UPDATE cases SET kinds_json = ? WHERE id = ? AND closed_at IS NULL \
                 AND pupil IN (SELECT id FROM pupils WHERE school_id = ?)",
                args![json_text(&kinds)?, case.id, school_id],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::Invalid(
                "het dossier is gesloten of hoort niet bij deze school".into(),
            ));
        }
        Ok(())
    }

    pub async fn close_case(
        &mut self,
        school_id: &str,
        case_id: CaseId,
        reason: &str,
    ) -> Result<()> {
        let now = self.now();
        let n = self
            .c()
            .execute(
                "UPDATE cases SET closed_at = ?, closed_reason = ? \
                 WHERE id = ? AND closed_at IS NULL \
                 AND pupil IN (SELECT id FROM pupils WHERE school_id = ?)",
                args![now, reason, case_id, school_id],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn case(&mut self, scope: Scope<'_>, case_id: CaseId) -> Result<Option<Case>> {
        let (clause, arg) = scope.pupil_clause();
        self.c()
            .fetch_optional(
                &format!("{CASE_SELECT} WHERE c.id = ? AND {clause}"),
                vec![case_id.into(), arg],
            )
            .await?
            .as_ref()
            .map(case_of)
            .transpose()
    }

    pub async fn list_cases(
        &mut self,
        scope: Scope<'_>,
        open_only: bool,
        page: Page,
    ) -> Result<Vec<Case>> {
        let (clause, arg) = scope.pupil_clause();
        self.c()
            .fetch_map(
                &format!(
                    "{CASE_SELECT} WHERE {clause} AND (? = FALSE OR c.closed_at IS NULL) \
                     ORDER BY c.id DESC LIMIT ? OFFSET ?"
                ),
                page_args(vec![arg, open_only.into()], page),
                case_of,
            )
            .await
    }

    /// Creates an open task (with its first history row).
    pub async fn create_task(&mut self, task: &NewTask, by: Actor) -> Result<TaskId> {
        let t = self.now();
        if let Some(signal) = task.signal_id {
            self.c()
                .fetch_one(
                    "SELECT id FROM signals WHERE id = ? \
                     AND pupil = (SELECT pupil FROM cases WHERE id = ?)",
                    args![signal, task.case_id],
                )
                .await
                .map_err(|_| StoreError::Invalid("signaal hoort niet bij dit dossier".into()))?;
        }
        let id = self
            .c()
            .fetch_one(
                "INSERT INTO tasks (case_id, signal_id, party, organisation_id, text, melding, \
                 referral, trigger_kind, due, status, created_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id",
                args![
                    task.case_id,
                    task.signal_id,
                    task.party.as_str(),
                    &task.organisation_id,
                    &task.text,
                    task.melding,
                    task.referral,
                    task.trigger.map(|t| t.as_str()),
                    task.due,
                    t,
                    t
                ],
            )
            .await?
            .i64("id")?;
        self.c()
            .execute(
                "INSERT INTO task_history (task_id, at, actor, status, reason) \
                 VALUES (?, ?, ?, 'open', NULL)",
                args![id, t, by.to_string()],
            )
            .await?;
        Ok(id)
    }

    async fn task_status_unscoped(
        &mut self,
        id: TaskId,
        status: TaskStatus,
        reason: Option<&str>,
        by: Actor,
    ) -> Result<()> {
        let t = self.now();
        self.c()
            .execute(
                "UPDATE tasks SET status = ?, status_reason = ?, updated_at = ? WHERE id = ?",
                args![status.as_str(), reason, t, id],
            )
            .await?;
        self.c()
            .execute(
                "INSERT INTO task_history (task_id, at, actor, status, reason) \
                 VALUES (?, ?, ?, ?, ?)",
                args![id, t, by.to_string(), status.as_str(), reason],
            )
            .await?;
        Ok(())
    }

    /// Sets a task's status as its assignee organisation. `not_needed` needs a reason.
    pub async fn set_task_status(
        &mut self,
        organisation_id: &str,
        id: TaskId,
        status: TaskStatus,
        reason: Option<&str>,
        by: Actor,
    ) -> Result<()> {
        if status == TaskStatus::NotNeeded && reason.is_none_or(|r| r.trim().is_empty()) {
            return Err(StoreError::Invalid(
                "'niet nodig' vraagt om een reden".into(),
            ));
        }
        self.c()
            .fetch_one(
                "SELECT id FROM tasks WHERE id = ? AND organisation_id = ?",
                args![id, organisation_id],
            )
            .await?;
        self.task_status_unscoped(id, status, reason, by).await
    }

    pub async fn task(&mut self, organisation_id: &str, id: TaskId) -> Result<Option<Task>> {
        self.c()
            .fetch_optional(
                &format!("{TASK_SELECT} WHERE t.id = ? AND t.organisation_id = ?"),
                args![id, organisation_id],
            )
            .await?
            .as_ref()
            .map(task_of)
            .transpose()
    }

    /// An organisation's tasks (optionally of one status), earliest due date first.
    pub async fn list_tasks(
        &mut self,
        organisation_id: &str,
        status: Option<TaskStatus>,
        page: Page,
    ) -> Result<Vec<Task>> {
        let status = status.map(|s| s.as_str());
        self.c()
            .fetch_map(
                &format!(
                    "{TASK_SELECT} WHERE t.organisation_id = ? AND (? IS NULL OR t.status = ?) \
                     ORDER BY t.due IS NULL, t.due, t.id LIMIT ? OFFSET ?"
                ),
                page_args(args![organisation_id, status, status], page),
                task_of,
            )
            .await
    }

    pub async fn task_history(
        &mut self,
        organisation_id: &str,
        id: TaskId,
    ) -> Result<Vec<HistoryEntry>> {
        self.c()
            .fetch_map(
                "SELECT h.* FROM task_history h JOIN tasks t ON t.id = h.task_id \
                 WHERE h.task_id = ? AND t.organisation_id = ? ORDER BY h.id",
                args![id, organisation_id],
                history_of,
            )
            .await
    }

    /// The histories of an organisation's own tasks among `tasks`, as (task, entry), oldest
    /// first: [`Tx::task_history`] for several tasks in one query.
    pub async fn tasks_history(
        &mut self,
        organisation_id: &str,
        tasks: &[TaskId],
    ) -> Result<Vec<(TaskId, HistoryEntry)>> {
        let mut a = args![organisation_id];
        a.extend(crate::queries::id_args(tasks));
        self.c()
            .fetch_map(
                &format!(
                    "SELECT h.* FROM task_history h JOIN tasks t ON t.id = h.task_id \
                     WHERE t.organisation_id = ? AND h.task_id IN ({}) ORDER BY h.id",
                    crate::queries::marks(tasks.len())
                ),
                a,
                |r| Ok((r.i64("task_id")?, history_of(r)?)),
            )
            .await
    }

    /// Makes a melding to the pupil's home municipality, status `geregistreerd`.
    pub async fn create_melding(
        &mut self,
        school_id: &str,
        m: &NewMelding,
        by: Actor,
    ) -> Result<MeldingId> {
        let t = self.now();
        let id = self
            .c()
            .fetch_optional(
                "INSERT INTO meldingen (case_id, pupil, school_id, municipality, verzuim_kind, \
                 period_from, period_to, minutes, suspected_reason, school_actions, status, \
                 created_at, created_by, updated_at) \
                 SELECT c.id, c.pupil, p.school_id, ?, ?, ?, ?, ?, ?, ?, 'geregistreerd', ?, ?, ? \
                 FROM cases c JOIN pupils p ON p.id = c.pupil WHERE c.id = ? AND p.school_id = ? \
                 RETURNING id",
                args![
                    &m.municipality,
                    m.verzuim_kind.as_str(),
                    m.period.from,
                    m.period.to,
                    m.minutes,
                    &m.suspected_reason,
                    &m.school_actions,
                    t,
                    by.to_string(),
                    t,
                    m.case_id,
                    school_id
                ],
            )
            .await?
            .ok_or(StoreError::NotFound)?
            .i64("id")?;
        self.c()
            .execute(
                "INSERT INTO melding_history (melding_id, at, actor, status, reason) \
                 VALUES (?, ?, ?, 'geregistreerd', NULL)",
                args![id, t, by.to_string()],
            )
            .await?;
        Ok(id)
    }

    /// A DUO status change; `afgesloten` needs a reason.
    pub async fn set_melding_status(
        &mut self,
        scope: Scope<'_>,
        id: MeldingId,
        status: MeldingStatus,
        reason: Option<&str>,
        by: Actor,
    ) -> Result<()> {
        if status == MeldingStatus::Afgesloten && reason.is_none_or(|r| r.trim().is_empty()) {
            return Err(StoreError::Invalid("afsluiten vraagt om een reden".into()));
        }
        let t = self.now();
        let (clause, scope_args) = melding_clause(scope, "");
        let mut a = args![status.as_str(), reason, t, id];
        a.extend(scope_args);
        let n = self
            .c()
            .execute(
                &format!(
                    "UPDATE meldingen SET status = ?, status_reason = ?, updated_at = ? \
                     WHERE id = ? AND {clause}"
                ),
                a,
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.c()
            .execute(
                "INSERT INTO melding_history (melding_id, at, actor, status, reason) \
                 VALUES (?, ?, ?, ?, ?)",
                args![id, t, by.to_string(), status.as_str(), reason],
            )
            .await?;
        Ok(())
    }

    pub async fn melding(&mut self, scope: Scope<'_>, id: MeldingId) -> Result<Option<Melding>> {
        let (clause, scope_args) = melding_clause(scope, "m.");
        let mut a = args![id];
        a.extend(scope_args);
        self.c()
            .fetch_optional(&format!("{MELDING_SELECT} WHERE m.id = ? AND {clause}"), a)
            .await?
            .as_ref()
            .map(melding_of)
            .transpose()
    }

    pub async fn list_meldingen(&mut self, scope: Scope<'_>, page: Page) -> Result<Vec<Melding>> {
        let (clause, scope_args) = melding_clause(scope, "m.");
        self.c()
            .fetch_map(
                &format!("{MELDING_SELECT} WHERE {clause} ORDER BY m.id DESC LIMIT ? OFFSET ?"),
                page_args(scope_args, page),
                melding_of,
            )
            .await
    }

    pub async fn melding_history(
        &mut self,
        scope: Scope<'_>,
        id: MeldingId,
    ) -> Result<Vec<HistoryEntry>> {
        let (clause, scope_args) = melding_clause(scope, "m.");
        let mut a = args![id];
        a.extend(scope_args);
        self.c()
            .fetch_map(
                &format!(
                    "SELECT h.* FROM melding_history h JOIN meldingen m ON m.id = h.melding_id \
                     WHERE h.melding_id = ? AND {clause} ORDER BY h.id"
                ),
                a,
                history_of,
            )
            .await
    }

    /// Refers a case's pupil to a GGD-JGZ organisation, status `aangemeld`.
    pub async fn create_referral(
        &mut self,
        school_id: &str,
        case_id: CaseId,
        ggd_id: &str,
        by: Actor,
    ) -> Result<ReferralId> {
        let t = self.now();
        let id = self
            .c()
            .fetch_optional(
                "INSERT INTO referrals (case_id, pupil, school_id, ggd_id, status, created_at, \
                 created_by, updated_at) \
                 SELECT c.id, c.pupil, p.school_id, g.id, 'aangemeld', ?, ?, ? \
                 FROM cases c JOIN pupils p ON p.id = c.pupil \
                 JOIN organisations g ON g.id = ? AND g.kind = 'ggd_jgz' \
                 WHERE c.id = ? AND p.school_id = ? RETURNING id",
                args![t, by.to_string(), t, ggd_id, case_id, school_id],
            )
            .await?
            .ok_or(StoreError::NotFound)?
            .i64("id")?;
        self.c()
            .execute(
                "INSERT INTO referral_history (referral_id, at, actor, status) \
                 VALUES (?, ?, ?, 'aangemeld')",
                args![id, t, by.to_string()],
            )
            .await?;
        Ok(id)
    }

    pub async fn set_referral_status(
        &mut self,
        scope: Scope<'_>,
        id: ReferralId,
        status: ReferralStatus,
        by: Actor,
    ) -> Result<()> {
        let t = self.now();
        let (clause, scope_args) = referral_clause(scope, "");
        let mut a = args![status.as_str(), t, id];
        a.extend(scope_args);
        let n = self
            .c()
            .execute(
                &format!(
                    "UPDATE referrals SET status = ?, updated_at = ? WHERE id = ? AND {clause}"
                ),
                a,
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.c()
            .execute(
                "INSERT INTO referral_history (referral_id, at, actor, status) VALUES (?, ?, ?, ?)",
                args![id, t, by.to_string(), status.as_str()],
            )
            .await?;
        Ok(())
    }

    pub async fn referral(&mut self, scope: Scope<'_>, id: ReferralId) -> Result<Option<Referral>> {
        let (clause, scope_args) = referral_clause(scope, "r.");
        let mut a = args![id];
        a.extend(scope_args);
        self.c()
            .fetch_optional(&format!("{REFERRAL_SELECT} WHERE r.id = ? AND {clause}"), a)
            .await?
            .as_ref()
            .map(referral_of)
            .transpose()
    }

    pub async fn list_referrals(&mut self, scope: Scope<'_>, page: Page) -> Result<Vec<Referral>> {
        let (clause, scope_args) = referral_clause(scope, "r.");
        self.c()
            .fetch_map(
                &format!("{REFERRAL_SELECT} WHERE {clause} ORDER BY r.id DESC LIMIT ? OFFSET ?"),
                page_args(scope_args, page),
                referral_of,
            )
            .await
    }

    pub async fn referral_history(
        &mut self,
        scope: Scope<'_>,
        id: ReferralId,
    ) -> Result<Vec<HistoryEntry>> {
        let (clause, scope_args) = referral_clause(scope, "r.");
        let mut a = args![id];
        a.extend(scope_args);
        self.c()
            .fetch_map(
                &format!(
                    "SELECT h.*, NULL AS reason FROM referral_history h \
                     JOIN referrals r ON r.id = h.referral_id \
                     WHERE h.referral_id = ? AND {clause} ORDER BY h.id"
                ),
                a,
                history_of,
            )
            .await
    }

    /// A note of GGD-JGZ on a referral to it. Only `ggd_id` can ever read it back.
    pub async fn add_jgz_note(
        &mut self,
        ggd_id: &str,
        referral_id: ReferralId,
        text: &str,
        by: Actor,
    ) -> Result<i64> {
        let now = self.now();
        self.c()
            .fetch_optional(
                "INSERT INTO jgz_notes (referral_id, ggd_id, text, created_at, created_by) \
                 SELECT r.id, r.ggd_id, ?, ?, ? FROM referrals r WHERE r.id = ? AND r.ggd_id = ? \
                 RETURNING id",
                args![text, now, by.to_string(), referral_id, ggd_id],
            )
            .await?
            .ok_or(StoreError::NotFound)?
            .i64("id")
    }

    pub async fn jgz_notes(
        &mut self,
        ggd_id: &str,
        referral_id: ReferralId,
        page: Page,
    ) -> Result<Vec<JgzNote>> {
        self.c()
            .fetch_map(
                "SELECT * FROM jgz_notes WHERE ggd_id = ? AND referral_id = ? \
                 ORDER BY id LIMIT ? OFFSET ?",
                args![ggd_id, referral_id, page.limit(), page.offset()],
                |r| {
                    Ok(JgzNote {
                        id: r.i64("id")?,
                        referral_id: r.i64("referral_id")?,
                        text: r.text("text")?,
                        created_at: r.ts("created_at")?,
                        created_by: r.text("created_by")?,
                    })
                },
            )
            .await
    }

    /// Records when and how the parents were informed of an action.
    pub async fn record_parent_information(
        &mut self,
        school_id: &str,
        pupil_id: &str,
        info: &NewParentInformation,
        by: Actor,
    ) -> Result<i64> {
        let now = self.now();
        let pupil = self.pupil_key(school_id, pupil_id).await?;
        if let Some(case_id) = info.case_id {
            self.c()
                .fetch_one(
                    "SELECT id FROM cases WHERE id = ? AND pupil = ?",
                    args![case_id, pupil],
                )
                .await?;
        }
        if let Some(task_id) = info.task_id {
            self.c()
                .fetch_one(
                    "SELECT t.id FROM tasks t JOIN cases c ON c.id = t.case_id \
                     WHERE t.id = ? AND c.pupil = ?",
                    args![task_id, pupil],
                )
                .await?;
        }
        self.c()
            .fetch_one(
                "INSERT INTO parent_information (pupil, case_id, task_id, informed_on, how, \
                 note, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                args![
                    pupil,
                    info.case_id,
                    info.task_id,
                    info.informed_on,
                    info.how.as_str(),
                    &info.note,
                    now,
                    by.to_string()
                ],
            )
            .await?
            .i64("id")
    }

    pub async fn parent_information(
        &mut self,
        scope: Scope<'_>,
        school_id: &str,
        pupil_id: &str,
        page: Page,
    ) -> Result<Vec<ParentInformation>> {
        let (clause, arg) = scope.pupil_clause();
        self.c()
            .fetch_map(
                &format!(
                    "SELECT i.*, p.school_id, p.pupil_id FROM parent_information i \
                     JOIN pupils p ON p.id = i.pupil \
                     WHERE p.school_id = ? AND p.pupil_id = ? AND {clause} \
                     ORDER BY i.informed_on, i.id LIMIT ? OFFSET ?"
                ),
                page_args(vec![school_id.into(), pupil_id.into(), arg], page),
                parent_info_of,
            )
            .await
    }
}
