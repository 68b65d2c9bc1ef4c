//! Referrals to GGD-JGZ: their link to the signal and task they come from, status changes that
//! apply only from an expected status, and the referrals of cases as a party sees them.

use serde::{Deserialize, Serialize};

use super::{CasesOf, statuses};
use crate::db::{Arg, args};
use crate::workflow::{REFERRAL_SELECT, referral_of};
use crate::{
    Actor, CaseId, Referral, ReferralId, ReferralStatus, Result, Scope, SignalId, TaskId, Tx,
};

/// A referral's origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralLink {
    pub referral_id: ReferralId,
    pub signal_id: Option<SignalId>,
    pub task_id: Option<TaskId>,
}

impl Tx {
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
    /// The referrals (status only) of a case, or of every case of a pupil, visible in `scope`:
    /// the school's own, those to the GGD-JGZ, and for a municipality those of a case with a
    /// melding to it. Oldest first.
    pub async fn case_referrals(
        &mut self,
        scope: Scope<'_>,
        of: CasesOf<'_>,
    ) -> Result<Vec<Referral>> {
        let (clause, arg) = case_referral_clause(scope);
        let (cases, mut a) = of.clause("r.case_id");
        a.push(arg);
        self.c()
            .fetch_map(
                &format!("{REFERRAL_SELECT} WHERE {cases} AND {clause} ORDER BY r.id"),
                a,
                referral_of,
            )
            .await
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
