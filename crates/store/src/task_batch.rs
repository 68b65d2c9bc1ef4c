//! The tasks of one signal, made together (issue 13.1): [`Tx::create_task`] runs three statements
//! per task (the signal's check, the task, its first history row), and a new signal makes the
//! school's two to five tasks at once. Here all of them are one statement on PostgreSQL (the
//! tasks and their history rows in one `WITH`), two on SQLite.

use crate::db::{Arg, args};
use crate::{Actor, NewTask, Result, StoreError, TaskId, Tx};

impl Tx {
    /// Creates `tasks`, all of case `case_id` and signal `signal_id` (which must be the case's
    /// pupil's), each open with its first history row, as [`Tx::create_task`] would one by one;
    /// their ids in the order given.
    pub async fn create_signal_tasks(
        &mut self,
        case_id: crate::CaseId,
        signal_id: crate::SignalId,
        tasks: &[NewTask],
        by: Actor,
    ) -> Result<Vec<TaskId>> {
        if tasks.is_empty() {
            return Ok(Vec::new());
        }
        if tasks
            .iter()
            .any(|t| t.case_id != case_id || t.signal_id != Some(signal_id))
        {
            return Err(StoreError::Invalid(
                "taken van één signaal horen bij dat signaal en zijn dossier".into(),
            ));
        }
        let t = self.now();
        // The rows as a `UNION ALL` of one-row SELECTs (SQLite's VALUES cannot name columns).
        let first = "SELECT ? AS party, ? AS organisation_id, ? AS text, ? AS melding, \
                     ? AS referral, ? AS trigger_kind, ? AS due";
        let rows = std::iter::once(first)
            .chain(std::iter::repeat_n(
                " UNION ALL SELECT ?, ?, ?, ?, ?, ?, ?",
                tasks.len() - 1,
            ))
            .collect::<String>();
        // In the order of the placeholders: the SELECT list, the rows, the check.
        let mut a: Vec<Arg> = Vec::with_capacity(tasks.len() * 7 + 8);
        a.extend(args![case_id, signal_id, t, t]);
        for task in tasks {
            a.extend(args![
                task.party.as_str(),
                &task.organisation_id,
                &task.text,
                task.melding,
                task.referral,
                task.trigger.map(|t| t.as_str()),
                task.due
            ]);
        }
        a.extend(args![signal_id, case_id]);
        // The tasks, only if the signal is the case's pupil's (what create_task checks).
        let insert = format!(
            "INSERT INTO tasks (party, organisation_id, text, melding, referral, trigger_kind, \
             due, case_id, signal_id, status, created_at, updated_at) \
             SELECT v.party, v.organisation_id, v.text, v.melding, v.referral, v.trigger_kind, \
             v.due, ?, ?, 'open', ?, ? \
             FROM ({rows}) AS v \
             WHERE EXISTS (SELECT 1 FROM signals WHERE id = ? \
             AND pupil = (SELECT pupil FROM cases WHERE id = ?))"
        );
        let mut ids: Vec<TaskId> = match self.backend() {
            crate::Backend::Postgres => {
                a.extend(args![t, by.to_string()]);
                self.c()
                    .fetch_map(
                        &format!(
                            "WITH t AS ({insert} RETURNING id), \
                             h AS (INSERT INTO task_history (task_id, at, actor, status, reason) \
                             SELECT id, ?, ?, 'open', NULL FROM t) \
                             SELECT id FROM t ORDER BY id"
                        ),
                        a,
                        |r| r.i64("id"),
                    )
                    .await?
            }
            crate::Backend::Sqlite => {
                let ids = self
                    .c()
                    .fetch_map(&format!("{insert} RETURNING id"), a, |r| r.i64("id"))
                    .await?;
                if !ids.is_empty() {
                    let marks = vec!["?"; ids.len()].join(", ");
                    let mut h = args![t, by.to_string()];
                    h.extend(ids.iter().map(|id| Arg::from(*id)));
                    self.c()
                        .execute(
                            &format!(
                                "INSERT INTO task_history (task_id, at, actor, status, reason) \
                                 SELECT id, ?, ?, 'open', NULL FROM tasks WHERE id IN ({marks})"
                            ),
                            h,
                        )
                        .await?;
                }
                ids
            }
        };
        // Ids are given in the order of the rows (one statement, one sequence).
        ids.sort_unstable();
        if ids.len() != tasks.len() {
            return Err(StoreError::Invalid(
                "signaal hoort niet bij dit dossier".into(),
            ));
        }
        Ok(ids)
    }
}
