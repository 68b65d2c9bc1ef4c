//! Queries for the workflow service (`verzuim-service`): the school's GGD-JGZ organisation,
//! municipalities by name or CBS code, refreshing and inspecting signals, status changes that
//! only apply from an expected status (so two concurrent completions cannot both win), the links
//! between tasks, meldingen, referrals and the signals they come from, the case timeline,
//! case-level visibility, and retention of these tables.
//!
//! Tables: `migrations/*/0002_service.sql`. Visibility is part of every query's SQL: a case is
//! visible to a school for its own pupils, to a municipality when a melding of that case went to
//! it, to a GGD-JGZ organisation when a referral of that case went to it.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use verzuim_engine::model::{Signal, SignalKind};

use crate::db::{Arg, Row, args, json_text};
// The row mappings shared with the store's own workflow and pupil queries.
use crate::pupils::{REG_COLUMNS, registration_of};
use crate::workflow::{
    CASE_SELECT, MELDING_SELECT, REFERRAL_SELECT, SIGNAL_SELECT, TASK_SELECT, case_of, melding_of,
    referral_of, signal_of, task_of,
};
use crate::{
    Actor, Case, CaseId, InformedHow, Melding, MeldingId, MeldingStatus, OrgKind, Organisation,
    Page, ParentInformation, Referral, ReferralId, ReferralStatus, RegistrationId, Result, Scope,
    SignalId, Store, StoreError, StoredEvidence, StoredRegistration, StoredSignal, Task, TaskId,
    TaskStatus, Tx,
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

/// Which persoonsgebonden nummer a melding carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberKind {
    Bsn,
    Onderwijsnummer,
}

impl NumberKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NumberKind::Bsn => "bsn",
            NumberKind::Onderwijsnummer => "onderwijsnummer",
        }
    }

    pub fn parse(s: &str) -> Option<NumberKind> {
        match s {
            "bsn" => Some(NumberKind::Bsn),
            "onderwijsnummer" => Some(NumberKind::Onderwijsnummer),
            _ => None,
        }
    }
}

/// A melding's origin and the persoonsgebonden nummer it was made with (a snapshot: the legal
/// content does not change when the pupil's data do), and leerplicht's afspraken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeldingLink {
    pub melding_id: MeldingId,
    pub signal_id: Option<SignalId>,
    pub task_id: Option<TaskId>,
    pub number_kind: NumberKind,
    pub number: String,
    pub afspraken: Option<String>,
}

/// A referral's origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralLink {
    pub referral_id: ReferralId,
    pub signal_id: Option<SignalId>,
    pub task_id: Option<TaskId>,
}

/// One line on a case's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTimelineEntry {
    pub case_id: CaseId,
    /// A stable name: `geopend`, `signaal`, `uitgebreid`, `signaal_bijgewerkt`,
    /// `signaal_ingetrokken`, `melding`, `verwijzing`, … (docs/workflow.md lists them).
    pub entry: String,
    pub signal_id: Option<SignalId>,
    /// Dutch text for people; never health data.
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub id: i64,
    pub case_id: CaseId,
    pub at: Timestamp,
    pub actor: String,
    pub entry: String,
    pub signal_id: Option<SignalId>,
    pub detail: Option<String>,
}

/// What retention removed from the service's tables.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRetentionCounts {
    pub task_links: u64,
    pub melding_links: u64,
    pub referral_links: u64,
    pub case_timeline: u64,
    /// Letters made for the pupil's cases (`case_letters`).
    #[serde(default)]
    pub case_letters: u64,
    /// What meldingen reported and what changed after them, and correction reasons
    /// (`melding_evidence`, `melding_changes`, `correction_reasons`).
    #[serde(default)]
    pub melding_records: u64,
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

fn melding_link_of(r: &Row) -> Result<MeldingLink> {
    Ok(MeldingLink {
        melding_id: r.i64("melding_id")?,
        signal_id: r.opt_i64("signal_id")?,
        task_id: r.opt_i64("task_id")?,
        number_kind: r.parsed("number_kind", NumberKind::parse)?,
        number: r.text("number")?,
        afspraken: r.opt_text("afspraken")?,
    })
}

fn timeline_of(r: &Row) -> Result<TimelineEntry> {
    Ok(TimelineEntry {
        id: r.i64("id")?,
        case_id: r.i64("case_id")?,
        at: r.ts("at")?,
        actor: r.text("actor")?,
        entry: r.text("entry")?,
        signal_id: r.opt_i64("signal_id")?,
        detail: r.opt_text("detail")?,
    })
}

/// The scope's condition on a case aliased `c` whose pupil is aliased `p`: a school sees its own
/// pupils' cases; a municipality the cases with a melding to it; GGD-JGZ the cases with a
/// referral to it.
fn case_clause(scope: Scope<'_>) -> (&'static str, Arg) {
    match scope {
        Scope::School(s) => ("p.school_id = ?", s.into()),
        Scope::Municipality(m) => (
            "EXISTS (SELECT 1 FROM meldingen vm WHERE vm.case_id = c.id AND vm.municipality = ?)",
            m.into(),
        ),
        Scope::Ggd(g) => (
            "EXISTS (SELECT 1 FROM referrals vr WHERE vr.case_id = c.id AND vr.ggd_id = ?)",
            g.into(),
        ),
    }
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

fn statuses<T: Copy>(list: &[T], name: impl Fn(T) -> &'static str) -> (String, Vec<Arg>) {
    let marks = vec!["?"; list.len().max(1)].join(", ");
    let mut a: Vec<Arg> = list.iter().map(|s| Arg::from(name(*s))).collect();
    if a.is_empty() {
        a.push(Arg::Text(None));
    }
    (marks, a)
}

impl Store {
    /// A pooled connection without a transaction, for a series of reads (the service's reads do
    /// not take SQLite's write lock). Every [`Tx`] method works on it; nothing needs committing.
    pub async fn connection(&self) -> Result<Tx> {
        self.reader().await
    }
}

impl Tx {
    /// Names the GGD-JGZ organisation a school refers pupils to.
    pub async fn set_school_ggd(&mut self, school_id: &str, ggd_id: &str) -> Result<()> {
        let now = self.now();
        let n = self
            .c()
            .execute(
                "INSERT INTO school_ggd (school_id, ggd_id, updated_at) \
                 SELECT s.id, g.id, ? FROM organisations s, organisations g \
                 WHERE s.id = ? AND s.kind = 'school' AND g.id = ? AND g.kind = 'ggd_jgz' \
                 ON CONFLICT (school_id) DO UPDATE SET ggd_id = excluded.ggd_id, \
                 updated_at = excluded.updated_at",
                args![now, school_id, ggd_id],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The GGD-JGZ organisation a school refers pupils to, if it named one.
    pub async fn school_ggd(&mut self, school_id: &str) -> Result<Option<String>> {
        self.c()
            .fetch_optional(
                "SELECT ggd_id FROM school_ggd WHERE school_id = ?",
                args![school_id],
            )
            .await?
            .map(|r| r.text("ggd_id"))
            .transpose()
    }

    /// A municipality (`gemeente`) by its CBS code (`GM0153`, any case) or its name
    /// ("Enschede", any case, surrounding white space ignored).
    pub async fn find_municipality(&mut self, name_or_code: &str) -> Result<Option<Organisation>> {
        let key = name_or_code.trim();
        if key.is_empty() {
            return Ok(None);
        }
        let id: Option<String> = self
            .c()
            .fetch_optional(
                "SELECT id FROM organisations WHERE kind = 'gemeente' \
                 AND (UPPER(id) = UPPER(?) OR LOWER(name) = LOWER(?)) \
                 ORDER BY CASE WHEN UPPER(id) = UPPER(?) THEN 0 ELSE 1 END, id LIMIT 1",
                args![key, key, key],
            )
            .await?
            .map(|r| r.text("id"))
            .transpose()?;
        match id {
            Some(id) => self.organisation(&id).await,
            None => Ok(None),
        }
    }

    /// The school's pupil (by pupil id) a registration belongs to.
    pub async fn pupil_of_registration(
        &mut self,
        school_id: &str,
        id: RegistrationId,
    ) -> Result<Option<String>> {
        self.c()
            .fetch_optional(
                "SELECT p.pupil_id FROM registrations r JOIN pupils p ON p.id = r.pupil \
                 WHERE r.id = ? AND p.school_id = ?",
                args![id, school_id],
            )
            .await?
            .map(|r| r.text("pupil_id"))
            .transpose()
    }

    /// The school's pupil (by pupil id) an event belongs to.
    pub async fn pupil_of_event(&mut self, school_id: &str, id: i64) -> Result<Option<String>> {
        self.c()
            .fetch_optional(
                "SELECT p.pupil_id FROM events e JOIN pupils p ON p.id = e.pupil \
                 WHERE e.id = ? AND p.school_id = ?",
                args![id, school_id],
            )
            .await?
            .map(|r| r.text("pupil_id"))
            .transpose()
    }

    /// Locks a pupil's row until the transaction ends, so that changes to one pupil (and the
    /// re-evaluation that follows them) run one after another: `SELECT … FOR UPDATE` on
    /// PostgreSQL ([`StoreError::NotFound`] when the school has no such pupil). On SQLite it runs
    /// nothing: a write transaction already excludes every other writer (the one writer
    /// connection, or `BEGIN IMMEDIATE`), and a statement less matters there, where every
    /// statement is a round trip to the connection's thread. Callers find a missing pupil when
    /// they read its record.
    pub async fn lock_pupil(&mut self, school_id: &str, pupil_id: &str) -> Result<()> {
        if self.backend() == crate::Backend::Postgres {
            self.c()
                .fetch_one(
                    "SELECT id FROM pupils WHERE school_id = ? AND pupil_id = ? FOR UPDATE",
                    args![school_id, pupil_id],
                )
                .await?;
        }
        Ok(())
    }

    /// A signal of the school by id, whatever its status.
    pub async fn signal_by_id(
        &mut self,
        school_id: &str,
        id: SignalId,
    ) -> Result<Option<StoredSignal>> {
        self.c()
            .fetch_optional(
                &format!("{SIGNAL_SELECT} WHERE s.id = ? AND p.school_id = ?"),
                args![id, school_id],
            )
            .await?
            .as_ref()
            .map(signal_of)
            .transpose()
    }

    /// Every signal of a pupil (active and withdrawn), oldest first. Not paged: bounded by the
    /// pupil's record.
    pub async fn pupil_signals(
        &mut self,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Vec<StoredSignal>> {
        self.c()
            .fetch_map(
                &format!(
                    "{SIGNAL_SELECT} WHERE p.school_id = ? AND p.pupil_id = ? \
                     ORDER BY s.date, s.kind, s.id"
                ),
                args![school_id, pupil_id],
                signal_of,
            )
            .await
    }

    /// Updates an active signal whose identity (kind, date, count, stage) still stands but
    /// whose minutes, period, evidence or actions changed with a correction.
    pub async fn refresh_signal(
        &mut self,
        school_id: &str,
        id: SignalId,
        signal: &Signal,
        evidence: &[StoredEvidence],
    ) -> Result<()> {
        let n = self
            .c()
            .execute(
                "UPDATE signals SET minutes = ?, period_from = ?, period_to = ?, \
                 evidence_json = ?, actions_json = ?, pupil_participates = ? \
                 WHERE id = ? AND status = 'active' \
                 AND pupil IN (SELECT id FROM pupils WHERE school_id = ?)",
                args![
                    signal.minutes,
                    signal.period.map(|p| p.from),
                    signal.period.map(|p| p.to),
                    json_text(evidence)?,
                    json_text(&signal.actions)?,
                    signal.pupil_participates,
                    id,
                    school_id
                ],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Whether a case is still acting on signals of `kind` (and `stage`): one of its signals of
    /// that kind has an open task, a melding that is `geregistreerd` or `in_behandeling`, or a
    /// referral that GGD-JGZ has not finished.
    pub async fn kind_is_live(
        &mut self,
        case_id: CaseId,
        kind: SignalKind,
        stage: Option<&str>,
    ) -> Result<bool> {
        Ok(self
            .c()
            .fetch_optional(
                "SELECT s.id FROM signals s WHERE s.case_id = ? AND s.kind = ? \
                 AND COALESCE(s.stage, '') = ? AND ( \
                   EXISTS (SELECT 1 FROM tasks t WHERE t.signal_id = s.id AND t.status = 'open') \
                   OR EXISTS (SELECT 1 FROM melding_links l JOIN meldingen m ON m.id = l.melding_id \
                     WHERE l.signal_id = s.id AND m.status IN ('geregistreerd', 'in_behandeling')) \
                   OR EXISTS (SELECT 1 FROM referral_links l JOIN referrals r ON r.id = l.referral_id \
                     WHERE l.signal_id = s.id AND r.status IN ('aangemeld', 'in_behandeling', \
                     'niet_verschenen_zonder_tegenbericht'))) \
                 LIMIT 1",
                args![case_id, kind.as_str(), stage.unwrap_or("")],
            )
            .await?
            .is_some())
    }

    /// Active signals of a case that have no task of their own (they extended the case), oldest
    /// first.
    pub async fn extension_signals(&mut self, case_id: CaseId) -> Result<Vec<StoredSignal>> {
        self.c()
            .fetch_map(
                &format!(
                    "{SIGNAL_SELECT} WHERE s.case_id = ? AND s.status = 'active' \
                     AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.signal_id = s.id) \
                     ORDER BY s.date, s.kind, s.id"
                ),
                args![case_id],
                signal_of,
            )
            .await
    }

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

    /// A melding's DUO status change, only from one of the `expected` statuses and within the
    /// scope (the school that made it, the municipality it went to). False when the melding is
    /// not in an expected status (or not in scope).
    pub async fn set_melding_status_if(
        &mut self,
        scope: Scope<'_>,
        id: MeldingId,
        expected: &[MeldingStatus],
        status: MeldingStatus,
        reason: Option<&str>,
        by: Actor,
    ) -> Result<bool> {
        let t = self.now();
        let (scope_sql, scope_arg) = match scope {
            Scope::School(s) => ("school_id = ?", Arg::from(s)),
            Scope::Municipality(m) => ("municipality = ?", Arg::from(m)),
            Scope::Ggd(_) => return Ok(false),
        };
        let (marks, mut expected_args) = statuses(expected, MeldingStatus::as_str);
        let mut a = args![status.as_str(), reason, t, id, scope_arg];
        a.append(&mut expected_args);
        let n = self
            .c()
            .execute(
                &format!(
                    "UPDATE meldingen SET status = ?, status_reason = ?, updated_at = ? \
                     WHERE id = ? AND {scope_sql} AND status IN ({marks})"
                ),
                a,
            )
            .await?;
        if n == 0 {
            return Ok(false);
        }
        self.c()
            .execute(
                "INSERT INTO melding_history (melding_id, at, actor, status, reason) \
                 VALUES (?, ?, ?, ?, ?)",
                args![id, t, by.to_string(), status.as_str(), reason],
            )
            .await?;
        Ok(true)
    }

    /// A referral's status change, only from one of the `expected` statuses and within the
    /// scope (the school that made it, the GGD-JGZ it went to).
    pub async fn set_referral_status_if(
        &mut self,
        scope: Scope<'_>,
        id: ReferralId,
        expected: &[ReferralStatus],
        status: ReferralStatus,
        by: Actor,
    ) -> Result<bool> {
        let t = self.now();
        let (scope_sql, scope_arg) = match scope {
            Scope::School(s) => ("school_id = ?", Arg::from(s)),
            Scope::Ggd(g) => ("ggd_id = ?", Arg::from(g)),
            Scope::Municipality(_) => return Ok(false),
        };
        let (marks, mut expected_args) = statuses(expected, ReferralStatus::as_str);
        let mut a = args![status.as_str(), t, id, scope_arg];
        a.append(&mut expected_args);
        let n = self
            .c()
            .execute(
                &format!(
                    "UPDATE referrals SET status = ?, updated_at = ? \
                     WHERE id = ? AND {scope_sql} AND status IN ({marks})"
                ),
                a,
            )
            .await?;
        if n == 0 {
            return Ok(false);
        }
        self.c()
            .execute(
                "INSERT INTO referral_history (referral_id, at, actor, status) VALUES (?, ?, ?, ?)",
                args![id, t, by.to_string(), status.as_str()],
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

    /// The links of a case's tasks, visible in `scope` (`detail` as in [`Tx::task_link`]).
    pub async fn case_task_links(
        &mut self,
        scope: Scope<'_>,
        case_id: CaseId,
    ) -> Result<Vec<TaskLink>> {
        let (clause, arg) = case_clause(scope);
        let (detail, detail_arg) = detail_clause(scope);
        self.c()
            .fetch_map(
                &format!(
                    "SELECT {LINK_COLUMNS}, CASE WHEN {detail} THEN l.detail END AS detail \
                     FROM task_links l JOIN tasks t ON t.id = l.task_id \
                     JOIN cases c ON c.id = t.case_id JOIN pupils p ON p.id = c.pupil \
                     WHERE t.case_id = ? AND {clause} ORDER BY l.task_id"
                ),
                vec![detail_arg, case_id.into(), arg],
                task_link_of,
            )
            .await
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

    pub async fn put_melding_link(&mut self, link: &MeldingLink) -> Result<()> {
        self.c()
            .execute(
                "INSERT INTO melding_links (melding_id, signal_id, task_id, number_kind, number, \
                 afspraken) VALUES (?, ?, ?, ?, ?, ?)",
                args![
                    link.melding_id,
                    link.signal_id,
                    link.task_id,
                    link.number_kind.as_str(),
                    &link.number,
                    &link.afspraken
                ],
            )
            .await?;
        Ok(())
    }

    /// A melding's link, within the melding's scope (the school that made it, the municipality
    /// it went to).
    pub async fn melding_link(
        &mut self,
        scope: Scope<'_>,
        melding_id: MeldingId,
    ) -> Result<Option<MeldingLink>> {
        let (scope_sql, scope_arg) = match scope {
            Scope::School(s) => ("m.school_id = ?", Arg::from(s)),
            Scope::Municipality(m) => ("m.municipality = ?", Arg::from(m)),
            Scope::Ggd(_) => return Ok(None),
        };
        self.c()
            .fetch_optional(
                &format!(
                    "SELECT l.* FROM melding_links l JOIN meldingen m ON m.id = l.melding_id \
                     WHERE l.melding_id = ? AND {scope_sql}"
                ),
                vec![melding_id.into(), scope_arg],
            )
            .await?
            .as_ref()
            .map(melding_link_of)
            .transpose()
    }

    /// Records leerplicht's afspraken on a melding (replacing earlier ones; the tasks that
    /// carried earlier ones keep their text).
    pub async fn set_melding_afspraken(
        &mut self,
        municipality: &str,
        melding_id: MeldingId,
        afspraken: &str,
    ) -> Result<()> {
        let n = self
            .c()
            .execute(
                "UPDATE melding_links SET afspraken = ? WHERE melding_id = ? \
                 AND melding_id IN (SELECT id FROM meldingen WHERE municipality = ?)",
                args![afspraken, melding_id, municipality],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The meldingen made from a signal that are still `geregistreerd` or `in_behandeling`.
    pub async fn open_meldingen_of_signal(
        &mut self,
        signal_id: SignalId,
    ) -> Result<Vec<MeldingId>> {
        self.c()
            .fetch_map(
                "SELECT m.id FROM meldingen m JOIN melding_links l ON l.melding_id = m.id \
                 WHERE l.signal_id = ? AND m.status IN ('geregistreerd', 'in_behandeling') \
                 ORDER BY m.id",
                args![signal_id],
                |r| r.i64("id"),
            )
            .await
    }

    pub async fn put_referral_link(&mut self, link: &ReferralLink) -> Result<()> {
        self.c()
            .execute(
                "INSERT INTO referral_links (referral_id, signal_id, task_id) VALUES (?, ?, ?)",
                args![link.referral_id, link.signal_id, link.task_id],
            )
            .await?;
        Ok(())
    }

    /// A referral's link, within the referral's scope (the school that made it, the GGD-JGZ it
    /// went to).
    pub async fn referral_link(
        &mut self,
        scope: Scope<'_>,
        referral_id: ReferralId,
    ) -> Result<Option<ReferralLink>> {
        let Some((scope_sql, scope_arg)) = referral_parties(scope) else {
            return Ok(None);
        };
        self.c()
            .fetch_optional(
                &format!(
                    "SELECT l.* FROM referral_links l JOIN referrals r ON r.id = l.referral_id \
                     WHERE l.referral_id = ? AND {scope_sql}"
                ),
                vec![referral_id.into(), scope_arg],
            )
            .await?
            .map(|r| {
                Ok(ReferralLink {
                    referral_id: r.i64("referral_id")?,
                    signal_id: r.opt_i64("signal_id")?,
                    task_id: r.opt_i64("task_id")?,
                })
            })
            .transpose()
    }

    /// The GGD-JGZ organisations a case was referred to, the most recently referred to first.
    pub async fn case_ggd_ids(&mut self, case_id: CaseId) -> Result<Vec<String>> {
        self.c()
            .fetch_map(
                "SELECT ggd_id, MAX(id) AS last FROM referrals WHERE case_id = ? \
                 GROUP BY ggd_id ORDER BY last DESC",
                args![case_id],
                |r| r.text("ggd_id"),
            )
            .await
    }

    /// Appends a line to a case's timeline.
    pub async fn add_timeline(&mut self, entry: &NewTimelineEntry, by: Actor) -> Result<i64> {
        let now = self.now();
        self.c()
            .fetch_one(
                "INSERT INTO case_timeline (case_id, at, actor, entry, signal_id, detail) \
                 VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                args![
                    entry.case_id,
                    now,
                    by.to_string(),
                    &entry.entry,
                    entry.signal_id,
                    &entry.detail
                ],
            )
            .await?
            .i64("id")
    }

    /// A case's timeline, oldest first, if the case is visible in `scope`.
    pub async fn case_timeline(
        &mut self,
        scope: Scope<'_>,
        case_id: CaseId,
        page: Page,
    ) -> Result<Vec<TimelineEntry>> {
        let (clause, arg) = case_clause(scope);
        self.c()
            .fetch_map(
                &format!(
                    "SELECT e.* FROM case_timeline e JOIN cases c ON c.id = e.case_id \
                     JOIN pupils p ON p.id = c.pupil WHERE e.case_id = ? AND {clause} \
                     ORDER BY e.id LIMIT ? OFFSET ?"
                ),
                vec![
                    case_id.into(),
                    arg,
                    page.limit().into(),
                    page.offset().into(),
                ],
                timeline_of,
            )
            .await
    }

    /// Cases visible in `scope` (case-level: a municipality sees only cases with a melding to
    /// it, GGD-JGZ only cases with a referral to it), newest first; optionally of one pupil.
    pub async fn visible_cases(
        &mut self,
        scope: Scope<'_>,
        pupil: Option<(&str, &str)>,
        open_only: bool,
        page: Page,
    ) -> Result<Vec<Case>> {
        let (clause, arg) = case_clause(scope);
        let (school, pupil) = pupil.unzip();
        self.c()
            .fetch_map(
                &format!(
                    "{CASE_SELECT} WHERE {clause} AND (? = FALSE OR c.closed_at IS NULL) \
                     AND (? IS NULL OR (p.school_id = ? AND p.pupil_id = ?)) \
                     ORDER BY c.id DESC LIMIT ? OFFSET ?"
                ),
                vec![
                    arg,
                    open_only.into(),
                    school.into(),
                    school.into(),
                    pupil.into(),
                    page.limit().into(),
                    page.offset().into(),
                ],
                case_of,
            )
            .await
    }

    /// One case, if visible in `scope` (case-level).
    pub async fn visible_case(
        &mut self,
        scope: Scope<'_>,
        case_id: CaseId,
    ) -> Result<Option<Case>> {
        let (clause, arg) = case_clause(scope);
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

    /// The tasks of a case visible in `scope` (case-level), every party's, oldest first.
    pub async fn visible_case_tasks(
        &mut self,
        scope: Scope<'_>,
        case_id: CaseId,
        page: Page,
    ) -> Result<Vec<Task>> {
        let (clause, arg) = case_clause(scope);
        self.c()
            .fetch_map(
                &format!(
                    "{TASK_SELECT} WHERE t.case_id = ? AND {clause} ORDER BY t.id LIMIT ? OFFSET ?"
                ),
                vec![
                    case_id.into(),
                    arg,
                    page.limit().into(),
                    page.offset().into(),
                ],
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

    /// The signals (every status) of a case visible in `scope` (case-level), by date.
    pub async fn visible_case_signals(
        &mut self,
        scope: Scope<'_>,
        case_id: CaseId,
    ) -> Result<Vec<StoredSignal>> {
        let (clause, arg) = case_clause(scope);
        self.c()
            .fetch_map(
                &format!(
                    "SELECT s.*, p.school_id, p.pupil_id FROM signals s \
                     JOIN cases c ON c.id = s.case_id JOIN pupils p ON p.id = c.pupil \
                     WHERE s.case_id = ? AND {clause} ORDER BY s.date, s.kind, s.id"
                ),
                vec![case_id.into(), arg],
                signal_of,
            )
            .await
    }

    /// A pupil's current registrations as `scope` may see them: a school all of its own pupils'; a
    /// municipality those that lie (partly) within the period of a melding to it; GGD-JGZ none.
    pub async fn visible_registrations(
        &mut self,
        scope: Scope<'_>,
        school_id: &str,
        pupil_id: &str,
        page: Page,
    ) -> Result<Vec<StoredRegistration>> {
        let (clause, arg) = match scope {
            Scope::School(s) => ("p.school_id = ?", Arg::from(s)),
            Scope::Municipality(m) => (
                "EXISTS (SELECT 1 FROM meldingen vm WHERE vm.pupil = p.id \
                 AND vm.municipality = ? AND v.date_until >= vm.period_from \
                 AND v.date_from <= vm.period_to)",
                Arg::from(m),
            ),
            Scope::Ggd(_) => ("1 = 0", Arg::Text(None)),
        };
        let a = match scope {
            Scope::Ggd(_) => vec![
                school_id.into(),
                pupil_id.into(),
                page.limit().into(),
                page.offset().into(),
            ],
            _ => vec![
                school_id.into(),
                pupil_id.into(),
                arg,
                page.limit().into(),
                page.offset().into(),
            ],
        };
        self.c()
            .fetch_map(
                &format!(
                    "SELECT {REG_COLUMNS} FROM registrations r \
                     JOIN pupils p ON p.id = r.pupil \
                     JOIN registration_versions v \
                       ON v.registration_id = r.id AND v.version = r.current_version \
                     WHERE p.school_id = ? AND p.pupil_id = ? AND {clause} AND v.deleted = FALSE \
                     ORDER BY v.date_from, r.id LIMIT ? OFFSET ?"
                ),
                a,
                registration_of,
            )
            .await
    }

    /// Removes the service's rows of pupils whose enrolment ended before `cutoff` (call before
    /// [`Tx::apply_retention`] with the same cutoff, in the same transaction).
    pub async fn service_retention(&mut self, cutoff: Date) -> Result<ServiceRetentionCounts> {
        const EXPIRED: &str = "SELECT id FROM pupils \
             WHERE enrolled_until IS NOT NULL AND enrolled_until < ?";
        let mut del =
            async |sql: String| -> Result<u64> { self.c().execute(&sql, args![cutoff]).await };
        let task_links = del(format!(
            "DELETE FROM task_links WHERE task_id IN (SELECT t.id FROM tasks t \
             JOIN cases k ON k.id = t.case_id WHERE k.pupil IN ({EXPIRED}))"
        ))
        .await?;
        let melding_links = del(format!(
            "DELETE FROM melding_links WHERE melding_id IN \
             (SELECT id FROM meldingen WHERE pupil IN ({EXPIRED}))"
        ))
        .await?;
        let referral_links = del(format!(
            "DELETE FROM referral_links WHERE referral_id IN \
             (SELECT id FROM referrals WHERE pupil IN ({EXPIRED}))"
        ))
        .await?;
        let case_timeline = del(format!(
            "DELETE FROM case_timeline WHERE case_id IN \
             (SELECT id FROM cases WHERE pupil IN ({EXPIRED}))"
        ))
        .await?;
        let case_letters = del(format!(
            "DELETE FROM case_letters WHERE case_id IN \
             (SELECT id FROM cases WHERE pupil IN ({EXPIRED}))"
        ))
        .await?;
        let mut melding_records = 0;
        for table in ["melding_evidence", "melding_changes"] {
            melding_records += del(format!(
                "DELETE FROM {table} WHERE melding_id IN \
                 (SELECT id FROM meldingen WHERE pupil IN ({EXPIRED}))"
            ))
            .await?;
        }
        melding_records += del(format!(
            "DELETE FROM correction_reasons WHERE registration_id IN \
             (SELECT id FROM registrations WHERE pupil IN ({EXPIRED}))"
        ))
        .await?;
        Ok(ServiceRetentionCounts {
            task_links,
            melding_links,
            referral_links,
            case_timeline,
            case_letters,
            melding_records,
        })
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

    /// The meldingen of a case that `scope` may see: the school's own, or those to the
    /// municipality; none for GGD-JGZ. Oldest first.
    pub async fn case_meldingen(
        &mut self,
        scope: Scope<'_>,
        case_id: CaseId,
    ) -> Result<Vec<Melding>> {
        let Some((clause, arg)) = melding_parties(scope) else {
            return Ok(Vec::new());
        };
        self.c()
            .fetch_map(
                &format!("{MELDING_SELECT} WHERE m.case_id = ? AND {clause} ORDER BY m.id"),
                vec![case_id.into(), arg],
                melding_of,
            )
            .await
    }

    /// A pupil's meldingen that `scope` may see (see [`Tx::case_meldingen`]), oldest first.
    pub async fn pupil_meldingen(
        &mut self,
        scope: Scope<'_>,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Vec<Melding>> {
        let Some((clause, arg)) = melding_parties(scope) else {
            return Ok(Vec::new());
        };
        self.c()
            .fetch_map(
                &format!(
                    "{MELDING_SELECT} WHERE p.school_id = ? AND p.pupil_id = ? AND {clause} \
                     ORDER BY m.id"
                ),
                vec![school_id.into(), pupil_id.into(), arg],
                melding_of,
            )
            .await
    }

    /// The referrals (status only) of a case visible in `scope`: the school's own, those to the
    /// GGD-JGZ, and for a municipality those of a case with a melding to it. Oldest first.
    pub async fn case_referrals(
        &mut self,
        scope: Scope<'_>,
        case_id: CaseId,
    ) -> Result<Vec<Referral>> {
        let (clause, arg) = case_referral_clause(scope);
        self.c()
            .fetch_map(
                &format!("{REFERRAL_SELECT} WHERE r.case_id = ? AND {clause} ORDER BY r.id"),
                vec![case_id.into(), arg],
                referral_of,
            )
            .await
    }

    /// A pupil's referrals (status only) that `scope` may see: the school's own, or those to the
    /// GGD-JGZ; none for a municipality. Oldest first.
    pub async fn pupil_referrals(
        &mut self,
        scope: Scope<'_>,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Vec<Referral>> {
        let Some((clause, arg)) = referral_parties(scope) else {
            return Ok(Vec::new());
        };
        self.c()
            .fetch_map(
                &format!(
                    "{REFERRAL_SELECT} WHERE p.school_id = ? AND p.pupil_id = ? AND {clause} \
                     ORDER BY r.id"
                ),
                vec![school_id.into(), pupil_id.into(), arg],
                referral_of,
            )
            .await
    }

    /// The signals (every status) of every case of a pupil visible in `scope` (case-level), by
    /// date: [`Tx::visible_case_signals`] for all of the pupil's cases in one query.
    pub async fn pupil_case_signals(
        &mut self,
        scope: Scope<'_>,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Vec<StoredSignal>> {
        let (clause, arg) = case_clause(scope);
        self.c()
            .fetch_map(
                &format!(
                    "SELECT s.*, p.school_id, p.pupil_id FROM signals s \
                     JOIN cases c ON c.id = s.case_id JOIN pupils p ON p.id = c.pupil \
                     WHERE p.school_id = ? AND p.pupil_id = ? AND {clause} \
                     ORDER BY s.date, s.kind, s.id"
                ),
                vec![school_id.into(), pupil_id.into(), arg],
                signal_of,
            )
            .await
    }

    /// The tasks (every party's) of every case of a pupil visible in `scope`, oldest first:
    /// [`Tx::visible_case_tasks`] for all of the pupil's cases in one query.
    pub async fn pupil_case_tasks(
        &mut self,
        scope: Scope<'_>,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Vec<Task>> {
        let (clause, arg) = case_clause(scope);
        self.c()
            .fetch_map(
                &format!(
                    "{TASK_SELECT} WHERE p.school_id = ? AND p.pupil_id = ? AND {clause} \
                     ORDER BY t.id"
                ),
                vec![school_id.into(), pupil_id.into(), arg],
                task_of,
            )
            .await
    }

    /// The links of the tasks of every case of a pupil visible in `scope` (`detail` as in
    /// [`Tx::task_link`]): [`Tx::case_task_links`] for all of the pupil's cases in one query.
    pub async fn pupil_task_links(
        &mut self,
        scope: Scope<'_>,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Vec<TaskLink>> {
        let (clause, arg) = case_clause(scope);
        let (detail, detail_arg) = detail_clause(scope);
        self.c()
            .fetch_map(
                &format!(
                    "SELECT {LINK_COLUMNS}, CASE WHEN {detail} THEN l.detail END AS detail \
                     FROM task_links l JOIN tasks t ON t.id = l.task_id \
                     JOIN cases c ON c.id = t.case_id JOIN pupils p ON p.id = c.pupil \
                     WHERE p.school_id = ? AND p.pupil_id = ? AND {clause} ORDER BY l.task_id"
                ),
                vec![detail_arg, school_id.into(), pupil_id.into(), arg],
                task_link_of,
            )
            .await
    }

    /// The timelines of every case of a pupil visible in `scope`, oldest first:
    /// [`Tx::case_timeline`] for all of the pupil's cases in one query.
    pub async fn pupil_timeline(
        &mut self,
        scope: Scope<'_>,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Vec<TimelineEntry>> {
        let (clause, arg) = case_clause(scope);
        self.c()
            .fetch_map(
                &format!(
                    "SELECT e.* FROM case_timeline e JOIN cases c ON c.id = e.case_id \
                     JOIN pupils p ON p.id = c.pupil \
                     WHERE p.school_id = ? AND p.pupil_id = ? AND {clause} ORDER BY e.id"
                ),
                vec![school_id.into(), pupil_id.into(), arg],
                timeline_of,
            )
            .await
    }

    /// The referrals (status only) of every case of a pupil as [`Tx::case_referrals`] lets
    /// `scope` see them, in one query. Oldest first.
    pub async fn pupil_case_referrals(
        &mut self,
        scope: Scope<'_>,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Vec<Referral>> {
        let (clause, arg) = case_referral_clause(scope);
        self.c()
            .fetch_map(
                &format!(
                    "{REFERRAL_SELECT} WHERE p.school_id = ? AND p.pupil_id = ? AND {clause} \
                     ORDER BY r.id"
                ),
                vec![school_id.into(), pupil_id.into(), arg],
                referral_of,
            )
            .await
    }

    /// When and how a pupil's parents were informed, as `scope` may see it: a school all of it;
    /// a municipality or GGD-JGZ what belongs to the cases it sees. Oldest first.
    pub async fn visible_parent_information(
        &mut self,
        scope: Scope<'_>,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Vec<ParentInformation>> {
        let (clause, arg) = match scope {
            Scope::School(s) => ("p.school_id = ?", Arg::from(s)),
            Scope::Municipality(mu) => (
                "i.case_id IN (SELECT vm.case_id FROM meldingen vm WHERE vm.municipality = ?)",
                Arg::from(mu),
            ),
            Scope::Ggd(g) => (
                "i.case_id IN (SELECT vr.case_id FROM referrals vr WHERE vr.ggd_id = ?)",
                Arg::from(g),
            ),
        };
        self.c()
            .fetch_map(
                &format!(
                    "SELECT i.*, p.school_id, p.pupil_id FROM parent_information i \
                     JOIN pupils p ON p.id = i.pupil \
                     WHERE p.school_id = ? AND p.pupil_id = ? AND {clause} \
                     ORDER BY i.informed_on, i.id"
                ),
                vec![school_id.into(), pupil_id.into(), arg],
                |r| {
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
                },
            )
            .await
    }

    /// The ids of a pupil's deleted registrations (their history stays; for the inzage export).
    pub async fn deleted_registrations(
        &mut self,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Vec<RegistrationId>> {
        self.c()
            .fetch_map(
                "SELECT r.id FROM registrations r JOIN pupils p ON p.id = r.pupil \
                 JOIN registration_versions v \
                   ON v.registration_id = r.id AND v.version = r.current_version \
                 WHERE p.school_id = ? AND p.pupil_id = ? AND v.deleted = TRUE ORDER BY r.id",
                args![school_id, pupil_id],
                |r| r.i64("id"),
            )
            .await
    }

    /// The ids of a pupil's deleted events (their history stays; for the inzage export).
    pub async fn deleted_events(&mut self, school_id: &str, pupil_id: &str) -> Result<Vec<i64>> {
        self.c()
            .fetch_map(
                "SELECT e.id FROM events e JOIN pupils p ON p.id = e.pupil \
                 JOIN event_versions v ON v.event_id = e.id AND v.version = e.current_version \
                 WHERE p.school_id = ? AND p.pupil_id = ? AND v.deleted = TRUE ORDER BY e.id",
                args![school_id, pupil_id],
                |r| r.i64("id"),
            )
            .await
    }

    /// The kind of an organisation, if it exists.
    pub async fn organisation_kind(&mut self, id: &str) -> Result<Option<OrgKind>> {
        self.c()
            .fetch_optional("SELECT kind FROM organisations WHERE id = ?", args![id])
            .await?
            .map(|r| r.parsed("kind", OrgKind::parse))
            .transpose()
    }
}

/// The condition (on `meldingen m`) for the meldingen a scope is party to: the school that made
/// them, the municipality they went to; none for GGD-JGZ.
fn melding_parties(scope: Scope<'_>) -> Option<(&'static str, Arg)> {
    match scope {
        Scope::School(s) => Some(("m.school_id = ?", Arg::from(s))),
        Scope::Municipality(mu) => Some(("m.municipality = ?", Arg::from(mu))),
        Scope::Ggd(_) => None,
    }
}

/// The condition (on `referrals r`) for the referrals a scope is party to: the school that made
/// them, the GGD-JGZ they went to; none for a municipality.
fn referral_parties(scope: Scope<'_>) -> Option<(&'static str, Arg)> {
    match scope {
        Scope::School(s) => Some(("r.school_id = ?", Arg::from(s))),
        Scope::Ggd(g) => Some(("r.ggd_id = ?", Arg::from(g))),
        Scope::Municipality(_) => None,
    }
}

/// The condition (on `referrals r`) for the referrals of a case a scope sees: the school's own,
/// those to the GGD-JGZ, and for a municipality those of a case with a melding to it.
fn case_referral_clause(scope: Scope<'_>) -> (&'static str, Arg) {
    match scope {
        Scope::School(s) => ("r.school_id = ?", Arg::from(s)),
        Scope::Ggd(g) => ("r.ggd_id = ?", Arg::from(g)),
        Scope::Municipality(mu) => (
            "EXISTS (SELECT 1 FROM meldingen vm WHERE vm.case_id = r.case_id \
             AND vm.municipality = ?)",
            Arg::from(mu),
        ),
    }
}

/// `?, ?, …` for `n` values (at least one, so that `IN (…)` stays valid SQL).
pub(crate) fn marks(n: usize) -> String {
    vec!["?"; n.max(1)].join(", ")
}

/// The values of an `IN (…)` list (a NULL for an empty list: it matches nothing).
pub(crate) fn id_args(ids: &[i64]) -> Vec<Arg> {
    if ids.is_empty() {
        return vec![Arg::from(None::<i64>)];
    }
    ids.iter().map(|i| Arg::from(*i)).collect()
}
