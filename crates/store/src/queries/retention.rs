//! Retention of the service's tables: what goes when a pupil's enrolment ended long enough ago.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::db::args;
use crate::{Result, Tx};

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

impl Tx {
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
}
