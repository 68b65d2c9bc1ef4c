//! A melding as sent and what changed after it (migration `0060_melding_changes`).
//!
//! - The **evidence** of a melding: the registrations (id, version, minutes) and events it
//!   reported, stored when the school made it.
//! - **Changes after the melding**: a correction or deletion of a registration or event in a
//!   melding's evidence adds a row (what changed, by whom, why). The melding itself is never
//!   rewritten: these rows mark it "gewijzigd na melding".
//! - **Correction reasons**: why a coordinator corrected a registration or event older than the
//!   previous lesweek, per version (`correction_reasons`, `event_correction_reasons`, migration
//!   `0130_event_corrections`).
//! - **Meldingen covering a period**: a registration or event added after a melding, inside the
//!   period the melding reported, marks it "gewijzigd na melding" too.
//!
//! Reads are scoped like the melding itself: the school that made it, the municipality it went
//! to.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::db::{Arg, Row, args};
use crate::{Actor, EventId, MeldingId, RegistrationId, Result, Scope, Tx};

/// One registration or event a melding reported, as it was then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MeldingEvidence {
    Registration {
        id: RegistrationId,
        version: i64,
        minutes: u32,
    },
    Event {
        id: EventId,
        version: i64,
    },
}

/// A change after a melding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeldingChange {
    pub id: i64,
    pub melding_id: MeldingId,
    pub at: Timestamp,
    pub actor: String,
    /// What changed, in Dutch ("Registratie ongeoorloofd 02-10-2026 … gecorrigeerd naar …").
    pub what: String,
    pub reason: Option<String>,
}

fn change_of(r: &Row) -> Result<MeldingChange> {
    Ok(MeldingChange {
        id: r.i64("id")?,
        melding_id: r.i64("melding_id")?,
        at: r.ts("at")?,
        actor: r.text("actor")?,
        what: r.text("what")?,
        reason: r.opt_text("reason")?,
    })
}

/// The condition on `meldingen m` for a scope: the school that made it, the municipality it went
/// to; nothing for GGD-JGZ.
fn parties(scope: Scope<'_>) -> Option<(&'static str, Arg)> {
    match scope {
        Scope::School(s) => Some(("m.school_id = ?", Arg::from(s))),
        Scope::Municipality(mu) => Some(("m.municipality = ?", Arg::from(mu))),
        Scope::Ggd(_) => None,
    }
}

impl Tx {
    /// Stores what a melding reported (call once, when the melding is made).
    pub async fn put_melding_evidence(
        &mut self,
        melding_id: MeldingId,
        evidence: &[MeldingEvidence],
    ) -> Result<()> {
        for e in evidence {
            let (reg, event, version, minutes) = match *e {
                MeldingEvidence::Registration {
                    id,
                    version,
                    minutes,
                } => (Some(id), None, version, Some(minutes)),
                MeldingEvidence::Event { id, version } => (None, Some(id), version, None),
            };
            self.c()
                .execute(
                    "INSERT INTO melding_evidence (melding_id, registration_id, event_id, \
                     version, minutes) VALUES (?, ?, ?, ?, ?)",
                    args![melding_id, reg, event, version, minutes],
                )
                .await?;
        }
        Ok(())
    }

    /// What a melding reported, in the melding's scope.
    pub async fn melding_evidence(
        &mut self,
        scope: Scope<'_>,
        melding_id: MeldingId,
    ) -> Result<Vec<MeldingEvidence>> {
        let Some((clause, arg)) = parties(scope) else {
            return Ok(Vec::new());
        };
        self.c()
            .fetch_map(
                &format!(
                    "SELECT e.* FROM melding_evidence e JOIN meldingen m ON m.id = e.melding_id \
                     WHERE e.melding_id = ? AND {clause} \
                     ORDER BY e.registration_id, e.event_id"
                ),
                vec![melding_id.into(), arg],
                |r| {
                    Ok(match r.opt_i64("registration_id")? {
                        Some(id) => MeldingEvidence::Registration {
                            id,
                            version: r.i64("version")?,
                            minutes: r.opt_u32("minutes")?.unwrap_or(0),
                        },
                        None => MeldingEvidence::Event {
                            id: r.i64("event_id")?,
                            version: r.i64("version")?,
                        },
                    })
                },
            )
            .await
    }

    /// The school's meldingen (any status but `ingetrokken`) whose evidence holds the
    /// registration (`event = false`) or event (`event = true`) `id`, oldest first.
    pub async fn meldingen_with_evidence(
        &mut self,
        school_id: &str,
        id: i64,
        event: bool,
    ) -> Result<Vec<MeldingId>> {
        let column = if event {
            "e.event_id"
        } else {
            "e.registration_id"
        };
        self.c()
            .fetch_map(
                &format!(
                    "SELECT DISTINCT m.id FROM meldingen m \
                     JOIN melding_evidence e ON e.melding_id = m.id \
                     WHERE m.school_id = ? AND {column} = ? AND m.status <> 'ingetrokken' \
                     ORDER BY m.id"
                ),
                args![school_id, id],
                |r| r.i64("id"),
            )
            .await
    }

    /// The pupil's meldingen (any status but `ingetrokken`) whose reported period overlaps
    /// `first` t/m `last`, oldest first: what a registration or event added on those days changes
    /// after the melding.
    pub async fn meldingen_covering(
        &mut self,
        school_id: &str,
        pupil_id: &str,
        first: Date,
        last: Date,
    ) -> Result<Vec<MeldingId>> {
        self.c()
            .fetch_map(
                "SELECT m.id FROM meldingen m JOIN pupils p ON p.id = m.pupil \
                 WHERE p.school_id = ? AND p.pupil_id = ? AND m.school_id = ? \
                 AND m.status <> 'ingetrokken' AND m.period_from <= ? AND m.period_to >= ? \
                 ORDER BY m.id",
                args![school_id, pupil_id, school_id, last, first],
                |r| r.i64("id"),
            )
            .await
    }

    /// Marks a melding "gewijzigd na melding": what changed and why; returns the row's id.
    pub async fn add_melding_change(
        &mut self,
        melding_id: MeldingId,
        what: &str,
        reason: Option<&str>,
        by: Actor,
    ) -> Result<i64> {
        let now = self.now();
        self.c()
            .fetch_one(
                "INSERT INTO melding_changes (melding_id, at, actor, what, reason) \
                 VALUES (?, ?, ?, ?, ?) RETURNING id",
                args![melding_id, now, by.to_string(), what, reason],
            )
            .await?
            .i64("id")
    }

    /// The changes after a melding, oldest first, in the melding's scope.
    pub async fn melding_changes(
        &mut self,
        scope: Scope<'_>,
        melding_id: MeldingId,
    ) -> Result<Vec<MeldingChange>> {
        let Some((clause, arg)) = parties(scope) else {
            return Ok(Vec::new());
        };
        self.c()
            .fetch_map(
                &format!(
                    "SELECT c.* FROM melding_changes c JOIN meldingen m ON m.id = c.melding_id \
                     WHERE c.melding_id = ? AND {clause} ORDER BY c.id"
                ),
                vec![melding_id.into(), arg],
                change_of,
            )
            .await
    }

    /// Records why a registration's version was made (a coordinator's correction of an older
    /// registration).
    pub async fn put_correction_reason(
        &mut self,
        registration_id: RegistrationId,
        version: i64,
        reason: &str,
    ) -> Result<()> {
        self.c()
            .execute(
                "INSERT INTO correction_reasons (registration_id, version, reason) \
                 VALUES (?, ?, ?)",
                args![registration_id, version, reason],
            )
            .await?;
        Ok(())
    }

    /// The reasons given for a registration's versions: (version, reason), oldest first. The
    /// caller checks that the registration is visible.
    pub async fn correction_reasons(
        &mut self,
        registration_id: RegistrationId,
    ) -> Result<Vec<(i64, String)>> {
        self.c()
            .fetch_map(
                "SELECT version, reason FROM correction_reasons WHERE registration_id = ? \
                 ORDER BY version",
                args![registration_id],
                |r| Ok((r.i64("version")?, r.text("reason")?)),
            )
            .await
    }

    /// Records why an event's version was made (a coordinator's correction or deletion of an
    /// event older than the previous lesweek).
    pub async fn put_event_correction_reason(
        &mut self,
        event_id: EventId,
        version: i64,
        reason: &str,
    ) -> Result<()> {
        self.c()
            .execute(
                "INSERT INTO event_correction_reasons (event_id, version, reason) \
                 VALUES (?, ?, ?)",
                args![event_id, version, reason],
            )
            .await?;
        Ok(())
    }

    /// The reasons given for an event's versions: (version, reason), oldest first. The caller
    /// checks that the event is visible.
    pub async fn event_correction_reasons(
        &mut self,
        event_id: EventId,
    ) -> Result<Vec<(i64, String)>> {
        self.c()
            .fetch_map(
                "SELECT version, reason FROM event_correction_reasons WHERE event_id = ? \
                 ORDER BY version",
                args![event_id],
                |r| Ok((r.i64("version")?, r.text("reason")?)),
            )
            .await
    }
}
