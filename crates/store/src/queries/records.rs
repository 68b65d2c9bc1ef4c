//! A pupil's records as a party may see them (registrations, when and how the parents were
//! informed), the pupil a registration or event belongs to, the pupil's row lock, and the deleted
//! rows whose history stays (for the inzage export).

use crate::db::{Arg, args};
use crate::pupils::{REG_COLUMNS, registration_of};
use crate::{
    InformedHow, Page, ParentInformation, RegistrationId, Result, Scope, StoredRegistration, Tx,
};

impl Tx {
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
}
