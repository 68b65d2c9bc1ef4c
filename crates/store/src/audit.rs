//! The append-only audit log and retention.
//!
//! The store only inserts audit rows and reads them per organisation; the schema's triggers
//! refuse UPDATE and DELETE on both backends.

use jiff::civil::Date;

use crate::db::{Row, args, json_text};
use crate::{
    Actor, AuditEntry, AuditRecord, Page, Result, RetentionCounts, RetentionReport, StoreError, Tx,
};

fn audit_of(r: &Row) -> Result<AuditRecord> {
    Ok(AuditRecord {
        id: r.i64("id")?,
        at: r.ts("at")?,
        user_id: r.opt_i64("user_id")?,
        actor: r.text("actor")?,
        organisation_id: r.opt_text("organisation_id")?,
        action: r.text("action")?,
        object: r.text("object")?,
        pupil: r.opt_text("pupil")?,
        address: r.opt_text("address")?,
        outcome: r.text("outcome")?,
    })
}

/// The internal ids of the school's pupils whose enrolment ended before the cutoff.
const EXPIRED: &str = "SELECT id FROM pupils WHERE school_id = ? \
     AND enrolled_until IS NOT NULL AND enrolled_until < ?";

/// The values of an audit row, in the column order `at, user_id, actor, organisation_id, action,
/// object, pupil, address, outcome`.
pub(crate) fn audit_args(e: &AuditEntry, at: jiff::Timestamp) -> Vec<crate::db::Arg> {
    args![
        at,
        e.actor.user_id(),
        e.actor.to_string(),
        &e.organisation_id,
        &e.action,
        &e.object,
        &e.pupil,
        &e.address,
        &e.outcome
    ]
}

impl Tx {
    /// Appends an audit row; returns its id.
    pub async fn audit(&mut self, e: &AuditEntry) -> Result<i64> {
        let now = self.now();
        self.c()
            .fetch_one(
                "INSERT INTO audit_log (at, user_id, actor, organisation_id, action, object, \
                 pupil, address, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                audit_args(e, now),
            )
            .await?
            .i64("id")
    }

    /// An organisation's part of the audit log, oldest first (page through it to export).
    pub async fn audit_log(
        &mut self,
        organisation_id: &str,
        page: Page,
    ) -> Result<Vec<AuditRecord>> {
        self.c()
            .fetch_map(
                "SELECT * FROM audit_log WHERE organisation_id = ? ORDER BY id LIMIT ? OFFSET ?",
                args![organisation_id, page.limit(), page.offset()],
                audit_of,
            )
            .await
    }

    /// An organisation's audit rows about one pupil (`school_id/pupil_id`, see
    /// [`crate::pupil_ref`]).
    pub async fn audit_log_of_pupil(
        &mut self,
        organisation_id: &str,
        pupil: &str,
        page: Page,
    ) -> Result<Vec<AuditRecord>> {
        self.c()
            .fetch_map(
                "SELECT * FROM audit_log WHERE organisation_id = ? AND pupil = ? \
                 ORDER BY id LIMIT ? OFFSET ?",
                args![organisation_id, pupil, page.limit(), page.offset()],
                audit_of,
            )
            .await
    }

    /// Removes all data of pupils whose enrolment ended more than `years` years before
    /// `today` (security.md: 5), school by school, and writes one audit row per school with
    /// what was removed (counts only).
    pub async fn apply_retention(&mut self, today: Date, years: i16) -> Result<RetentionReport> {
        let cutoff = today
            .checked_sub(jiff::Span::new().years(years))
            .map_err(|e| StoreError::Invalid(format!("bewaartermijn: {e}")))?;
        let schools: Vec<String> = self
            .c()
            .fetch_map(
                "SELECT DISTINCT school_id FROM pupils \
                 WHERE enrolled_until IS NOT NULL AND enrolled_until < ? ORDER BY school_id",
                args![cutoff],
                |r| r.text("school_id"),
            )
            .await?;
        let mut report = RetentionReport {
            cutoff,
            ..RetentionReport::default()
        };
        for school in schools {
            let counts = self.retention_for_school(&school, cutoff).await?;
            self.audit(&AuditEntry {
                actor: Actor::System,
                organisation_id: Some(school.clone()),
                action: "retention".into(),
                object: json_text(&counts)?,
                pupil: None,
                address: None,
                outcome: "ok".into(),
            })
            .await?;
            report.total.add(&counts);
            report.schools.push((school, counts));
        }
        Ok(report)
    }

    // One statement per table, children before parents: the order of these lines matters.
    #[allow(clippy::field_reassign_with_default)]
    async fn retention_for_school(
        &mut self,
        school: &str,
        cutoff: Date,
    ) -> Result<RetentionCounts> {
        let mut del = async |sql: String| -> Result<u64> {
            self.c().execute(&sql, args![school, cutoff]).await
        };
        let mut c = RetentionCounts::default();
        c.jgz_notes = del(format!(
            "DELETE FROM jgz_notes WHERE referral_id IN \
             (SELECT id FROM referrals WHERE pupil IN ({EXPIRED}))"
        ))
        .await?;
        c.referral_history = del(format!(
            "DELETE FROM referral_history WHERE referral_id IN \
             (SELECT id FROM referrals WHERE pupil IN ({EXPIRED}))"
        ))
        .await?;
        c.referrals = del(format!("DELETE FROM referrals WHERE pupil IN ({EXPIRED})")).await?;
        c.melding_history = del(format!(
            "DELETE FROM melding_history WHERE melding_id IN \
             (SELECT id FROM meldingen WHERE pupil IN ({EXPIRED}))"
        ))
        .await?;
        c.meldingen = del(format!("DELETE FROM meldingen WHERE pupil IN ({EXPIRED})")).await?;
        c.parent_information = del(format!(
            "DELETE FROM parent_information WHERE pupil IN ({EXPIRED})"
        ))
        .await?;
        c.task_history = del(format!(
            "DELETE FROM task_history WHERE task_id IN (SELECT t.id FROM tasks t \
             JOIN cases k ON k.id = t.case_id WHERE k.pupil IN ({EXPIRED}))"
        ))
        .await?;
        c.tasks = del(format!(
            "DELETE FROM tasks WHERE case_id IN (SELECT id FROM cases WHERE pupil IN ({EXPIRED}))"
        ))
        .await?;
        c.signals = del(format!("DELETE FROM signals WHERE pupil IN ({EXPIRED})")).await?;
        c.cases = del(format!("DELETE FROM cases WHERE pupil IN ({EXPIRED})")).await?;
        c.registration_versions = del(format!(
            "DELETE FROM registration_versions WHERE registration_id IN \
             (SELECT id FROM registrations WHERE pupil IN ({EXPIRED}))"
        ))
        .await?;
        c.registrations = del(format!(
            "DELETE FROM registrations WHERE pupil IN ({EXPIRED})"
        ))
        .await?;
        c.event_versions = del(format!(
            "DELETE FROM event_versions WHERE event_id IN \
             (SELECT id FROM events WHERE pupil IN ({EXPIRED}))"
        ))
        .await?;
        c.events = del(format!("DELETE FROM events WHERE pupil IN ({EXPIRED})")).await?;
        c.pupils = del(format!("DELETE FROM pupils WHERE id IN ({EXPIRED})")).await?;
        Ok(c)
    }
}
