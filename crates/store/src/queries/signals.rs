//! Signals as stored: by id, per pupil, per case as a party sees them, and their refresh when a
//! correction changes what they rest on.

use verzuim_engine::model::{Signal, SignalKind};

use super::{CasesOf, case_clause};
use crate::db::args;
use crate::workflow::{SIGNAL_SELECT, signal_content_args, signal_of};
use crate::{CaseId, Result, Scope, SignalId, StoreError, StoredEvidence, StoredSignal, Tx};

/// The condition of [`Tx::kind_is_live`] on a signal `s` of a case, with two parameters: the
/// kind and the stage (`''` for none). Also read for each open case in one statement when a new
/// signal is placed ([`Tx::open_cases_for_signal`]).
pub(crate) const LIVE_SIGNAL: &str = "s.kind = ? AND COALESCE(s.stage, '') = ? AND ( \
    EXISTS (SELECT 1 FROM tasks t WHERE t.signal_id = s.id AND t.status = 'open') \
    OR EXISTS (SELECT 1 FROM melding_links l JOIN meldingen m ON m.id = l.melding_id \
      WHERE l.signal_id = s.id AND m.status IN ('geregistreerd', 'in_behandeling')) \
    OR EXISTS (SELECT 1 FROM referral_links l JOIN referrals r ON r.id = l.referral_id \
      WHERE l.signal_id = s.id AND r.status IN ('aangemeld', 'in_behandeling', \
      'niet_verschenen_zonder_tegenbericht')))";

impl Tx {
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
        let mut a = signal_content_args(signal, evidence)?;
        a.extend(args![id, school_id]);
        let n = self
            .c()
            .execute(
                "UPDATE signals SET minutes = ?, period_from = ?, period_to = ?, \
                 evidence_json = ?, actions_json = ?, pupil_participates = ? \
                 WHERE id = ? AND status = 'active' \
                 AND pupil IN (SELECT id FROM pupils WHERE school_id = ?)",
                a,
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
                &format!(
                    "SELECT s.id FROM signals s WHERE s.case_id = ? AND {LIVE_SIGNAL} LIMIT 1"
                ),
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

    /// The signals (every status) of a case, or of every case of a pupil, visible in `scope`
    /// (case-level), by date.
    pub async fn case_signals(
        &mut self,
        scope: Scope<'_>,
        of: CasesOf<'_>,
    ) -> Result<Vec<StoredSignal>> {
        let (clause, arg) = case_clause(scope);
        let (cases, mut a) = of.clause("s.case_id");
        a.push(arg);
        self.c()
            .fetch_map(
                &format!(
                    "SELECT s.*, p.school_id, p.pupil_id FROM signals s \
                     JOIN cases c ON c.id = s.case_id JOIN pupils p ON p.id = c.pupil \
                     WHERE {cases} AND {clause} ORDER BY s.date, s.kind, s.id"
                ),
                a,
                signal_of,
            )
            .await
    }
}
