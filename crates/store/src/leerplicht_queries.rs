//! Queries for leerplicht's and GGD-JGZ's own work (migration `0005_leerplicht`): the actions of
//! a leerplichtambtenaar on a melding (conversation, warning letter, formal warning, HALT
//! referral, proces-verbaal), GGD-JGZ's invitations of a referred pupil, and the meldingen list
//! in order of urgency.
//!
//! Scope is part of every query's SQL: an action is read through its melding's scope (the school
//! that made the melding, the municipality it went to); an invitation only by the GGD-JGZ
//! organisation the referral went to.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::db::{Arg, Row, args};
use crate::types::names;
use crate::workflow::{CHANGES_AFTER, melding_of};
use crate::{
    Actor, InformedHow, Melding, MeldingId, MeldingStatus, Page, ReferralId, Result, Scope,
    StoreError, Tx,
};

names! {
    /// What a leerplichtambtenaar did on a melding.
    LeerplichtActionKind {
        Gesprek = "gesprek",
        Waarschuwingsbrief = "waarschuwingsbrief",
        OfficieleWaarschuwing = "officiele_waarschuwing",
        Halt = "halt",
        ProcesVerbaal = "proces_verbaal",
        VerwijzingZorg = "verwijzing_zorg",
    }
}

names! {
    /// With whom a conversation was held.
    ConversationWith {
        Ouders = "ouders",
        Leerling = "leerling",
        OudersEnLeerling = "ouders_en_leerling",
        School = "school",
        Anders = "anders",
    }
}

/// An action to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLeerplichtAction {
    pub melding_id: MeldingId,
    pub kind: LeerplichtActionKind,
    pub date: Date,
    /// Conversations only (required there).
    pub with_whom: Option<ConversationWith>,
    pub summary: Option<String>,
    /// How the parents were informed of it (on `date`), when they were.
    pub parents_how: Option<InformedHow>,
    /// A verwijzing zorg: the organisation referred to (required there).
    pub referred_to: Option<String>,
}

/// A recorded action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeerplichtAction {
    pub id: i64,
    pub melding_id: MeldingId,
    pub municipality: String,
    pub kind: LeerplichtActionKind,
    pub date: Date,
    pub with_whom: Option<ConversationWith>,
    pub summary: Option<String>,
    pub parents_how: Option<InformedHow>,
    /// A verwijzing zorg: the organisation referred to.
    pub referred_to: Option<String>,
    pub created_at: Timestamp,
    pub created_by: String,
}

/// An invitation GGD-JGZ sent for an appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub id: i64,
    pub referral_id: ReferralId,
    pub date: Date,
    /// Minutes after midnight.
    pub time: u16,
    pub created_at: Timestamp,
    pub created_by: String,
}

fn action_of(r: &Row) -> Result<LeerplichtAction> {
    Ok(LeerplichtAction {
        id: r.i64("id")?,
        melding_id: r.i64("melding_id")?,
        municipality: r.text("municipality")?,
        kind: r.parsed("kind", LeerplichtActionKind::parse)?,
        date: r.date("action_date")?,
        with_whom: r.opt_parsed("with_whom", ConversationWith::parse)?,
        summary: r.opt_text("summary")?,
        parents_how: r.opt_parsed("parents_how", InformedHow::parse)?,
        referred_to: r.opt_text("referred_to")?,
        created_at: r.ts("created_at")?,
        created_by: r.text("created_by")?,
    })
}

/// Who sees a melding (aliased `m`): the school that made it, the municipality it went to;
/// `None` for GGD-JGZ (no meldingen).
fn melding_clause(scope: Scope<'_>) -> Option<(&'static str, Arg)> {
    match scope {
        Scope::School(s) => Some(("m.school_id = ?", s.into())),
        Scope::Municipality(mu) => Some(("m.municipality = ?", mu.into())),
        Scope::Ggd(_) => None,
    }
}

/// The urgency class of a melding (aliased `m`) on the day bound to the `?`: 0 registered and
/// not yet taken up; 1 in behandeling with an overdue open task of the municipality for it; 2 in
/// behandeling; 3 final (afgesloten, ingetrokken, ter kennisgeving aangenomen).
const URGENCY: &str = "CASE \
     WHEN m.status = 'geregistreerd' THEN 0 \
     WHEN m.status = 'in_behandeling' AND EXISTS (SELECT 1 FROM tasks ut \
         JOIN task_links ul ON ul.task_id = ut.id \
         WHERE ul.melding_id = m.id AND ut.organisation_id = m.municipality \
         AND ut.status = 'open' AND ut.due IS NOT NULL AND ut.due < ?) THEN 1 \
     WHEN m.status = 'in_behandeling' THEN 2 \
     ELSE 3 END";

impl Tx {
    /// The meldingen `scope` may see, optionally of one status, most urgent first: not yet taken
    /// up (`geregistreerd`), then in behandeling with an overdue open task of the municipality
    /// (due before `today`), then the other ones in behandeling, then the final ones; within
    /// each class newest first.
    ///
    /// The page is chosen first, by id and urgency alone; only its meldingen are then read
    /// whole with their pupil and their number of changes (issue 13.3: with all 850 meldingen of
    /// a municipality read whole before the sort, 6-10 ms; chosen first, 1.2 ms).
    pub async fn meldingen_by_urgency(
        &mut self,
        scope: Scope<'_>,
        today: Date,
        status: Option<MeldingStatus>,
        page: Page,
    ) -> Result<Vec<Melding>> {
        let Some((clause, arg)) = melding_clause(scope) else {
            return Ok(Vec::new());
        };
        let status = status.map(|s| s.as_str());
        self.c()
            .fetch_map(
                &format!(
                    "SELECT m.*, p.pupil_id, {CHANGES_AFTER}, o.urgency FROM \
                     (SELECT m.id, m.created_at, {URGENCY} AS urgency FROM meldingen m \
                      WHERE {clause} AND (? IS NULL OR m.status = ?) \
                      ORDER BY urgency, m.created_at DESC, m.id DESC LIMIT ? OFFSET ?) o \
                     JOIN meldingen m ON m.id = o.id JOIN pupils p ON p.id = m.pupil \
                     ORDER BY o.urgency, o.created_at DESC, o.id DESC"
                ),
                vec![
                    today.into(),
                    arg,
                    status.into(),
                    status.into(),
                    page.limit().into(),
                    page.offset().into(),
                ],
                melding_of,
            )
            .await
    }

    /// How many meldingen `scope` may see, optionally of one status: the length of the list
    /// [`Tx::meldingen_by_urgency`] pages through.
    pub async fn meldingen_count(
        &mut self,
        scope: Scope<'_>,
        status: Option<MeldingStatus>,
    ) -> Result<u64> {
        let Some((clause, arg)) = melding_clause(scope) else {
            return Ok(0);
        };
        let status = status.map(|s| s.as_str());
        let row = self
            .c()
            .fetch_one(
                &format!(
                    "SELECT COUNT(*) AS n FROM meldingen m WHERE {clause} \
                     AND (? IS NULL OR m.status = ?)"
                ),
                vec![arg, status.into(), status.into()],
            )
            .await?;
        Ok(u64::try_from(row.i64("n")?).unwrap_or(0))
    }

    /// Records an action of the municipality on a melding to it (not found otherwise).
    pub async fn add_leerplicht_action(
        &mut self,
        municipality: &str,
        action: &NewLeerplichtAction,
        by: Actor,
    ) -> Result<i64> {
        let now = self.now();
        self.c()
            .fetch_optional(
                "INSERT INTO leerplicht_actions (melding_id, municipality, kind, action_date, \
                 with_whom, summary, parents_how, referred_to, created_at, created_by) \
                 SELECT m.id, m.municipality, ?, ?, ?, ?, ?, ?, ?, ? FROM meldingen m \
                 WHERE m.id = ? AND m.municipality = ? RETURNING id",
                args![
                    action.kind.as_str(),
                    action.date,
                    action.with_whom.map(|w| w.as_str()),
                    &action.summary,
                    action.parents_how.map(|h| h.as_str()),
                    &action.referred_to,
                    now,
                    by.to_string(),
                    action.melding_id,
                    municipality
                ],
            )
            .await?
            .ok_or(StoreError::NotFound)?
            .i64("id")
    }

    /// The actions on a melding `scope` may see (the school that made it, the municipality it
    /// went to), in the order they happened.
    pub async fn leerplicht_actions(
        &mut self,
        scope: Scope<'_>,
        melding_id: MeldingId,
    ) -> Result<Vec<LeerplichtAction>> {
        let Some((clause, arg)) = melding_clause(scope) else {
            return Ok(Vec::new());
        };
        self.c()
            .fetch_map(
                &format!(
                    "SELECT a.* FROM leerplicht_actions a JOIN meldingen m ON m.id = a.melding_id \
                     WHERE a.melding_id = ? AND {clause} ORDER BY a.action_date, a.id"
                ),
                vec![melding_id.into(), arg],
                action_of,
            )
            .await
    }

    /// Records an invitation of GGD-JGZ `ggd_id` for a referral to it (not found otherwise).
    pub async fn add_invitation(
        &mut self,
        ggd_id: &str,
        referral_id: ReferralId,
        date: Date,
        time: u16,
        by: Actor,
    ) -> Result<i64> {
        let now = self.now();
        self.c()
            .fetch_optional(
                "INSERT INTO referral_invitations (referral_id, ggd_id, appointment_date, \
                 appointment_time, created_at, created_by) \
                 SELECT r.id, r.ggd_id, ?, ?, ?, ? FROM referrals r \
                 WHERE r.id = ? AND r.ggd_id = ? RETURNING id",
                args![date, time, now, by.to_string(), referral_id, ggd_id],
            )
            .await?
            .ok_or(StoreError::NotFound)?
            .i64("id")
    }

    /// The invitations of a referral, for the GGD-JGZ organisation it went to only; oldest first.
    pub async fn invitations(
        &mut self,
        ggd_id: &str,
        referral_id: ReferralId,
    ) -> Result<Vec<Invitation>> {
        self.c()
            .fetch_map(
                "SELECT * FROM referral_invitations WHERE ggd_id = ? AND referral_id = ? \
                 ORDER BY id",
                args![ggd_id, referral_id],
                |r| {
                    Ok(Invitation {
                        id: r.i64("id")?,
                        referral_id: r.i64("referral_id")?,
                        date: r.date("appointment_date")?,
                        time: r
                            .opt_u16("appointment_time")?
                            .ok_or_else(|| StoreError::Corrupt("appointment_time".into()))?,
                        created_at: r.ts("created_at")?,
                        created_by: r.text("created_by")?,
                    })
                },
            )
            .await
    }
}
