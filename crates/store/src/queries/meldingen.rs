//! Meldingen: their link to the signal and task they come from, with the persoonsgebonden
//! nummer they were made with, leerplicht's afspraken, status changes that apply only from an
//! expected status, and the meldingen of cases as a party sees them.

use serde::{Deserialize, Serialize};

use super::{CasesOf, statuses};
use crate::db::{Arg, Row, args};
use crate::workflow::{MELDING_SELECT, melding_of};
use crate::{
    Actor, Melding, MeldingId, MeldingStatus, Result, Scope, SignalId, StoreError, TaskId, Tx,
};

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

impl Tx {
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
    /// The meldingen of a case, or of every case of a pupil, that `scope` may see: the school's
    /// own, or those to the municipality; none for GGD-JGZ. Oldest first.
    pub async fn case_meldingen(
        &mut self,
        scope: Scope<'_>,
        of: CasesOf<'_>,
    ) -> Result<Vec<Melding>> {
        let Some((clause, arg)) = melding_parties(scope) else {
            return Ok(Vec::new());
        };
        let (cases, mut a) = of.clause("m.case_id");
        a.push(arg);
        self.c()
            .fetch_map(
                &format!("{MELDING_SELECT} WHERE {cases} AND {clause} ORDER BY m.id"),
                a,
                melding_of,
            )
            .await
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
