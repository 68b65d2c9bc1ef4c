//! What a change to one pupil reads before it writes, in two statements (issue 13.1: every
//! statement is a round trip to PostgreSQL):
//!
//! 1. [`Tx::lock_pupil_for_change`]: the pupil's row, locked until the transaction ends
//!    (PostgreSQL `FOR UPDATE`, as [`Tx::lock_pupil`]), and the version of the school's settings
//!    (`school_cache.rs`), so the kept settings can be used without reading them;
//! 2. [`Tx::pupil_state`]: the pupil's current registrations and events (the record the engine
//!    evaluates), the active signals (what the evaluation is compared with), and the meldingen
//!    not withdrawn with their periods (what a change after a melding marks), in one `UNION ALL`.
//!
//! The second statement runs after the lock is held, never in the same statement: under
//! PostgreSQL's READ COMMITTED a statement reads the snapshot of its start, so a statement that
//! waited for the lock would not see what the transaction that held it wrote.

use jiff::civil::Date;
use verzuim_engine::model::PupilRecord;

use crate::db::args;
use crate::pupils::{event_of, pupil_of, registration_of};
use crate::workflow::signal_of;
use crate::{
    Backend, CurrentRecord, MeldingId, RegistrationId, Result, StoredPupil, StoredSignal, Tx,
    VersionRef,
};

/// A pupil locked for a change (see the module documentation).
#[derive(Debug, Clone)]
pub struct LockedPupil {
    /// The pupil's internal key (`pupils.id`).
    pub key: i64,
    pub pupil: StoredPupil,
    /// The version of the school's settings (`None`: the school has none).
    pub settings_version: Option<i64>,
}

/// What the change reads of the locked pupil.
#[derive(Debug, Clone)]
pub struct PupilState {
    /// The record as [`Tx::current_record`] gives it.
    pub current: CurrentRecord,
    /// The active signals as [`Tx::active_signals`] gives them (by date, kind, id).
    pub active_signals: Vec<StoredSignal>,
    /// The pupil's meldingen of this school that were not withdrawn: `(id, period_from,
    /// period_to)`, oldest first.
    pub meldingen: Vec<(MeldingId, Date, Date)>,
    /// PostgreSQL, when asked for: the id reserved for the registration about to be added.
    pub next_registration_id: Option<RegistrationId>,
}

impl PupilState {
    /// The meldingen whose reported period overlaps `first` t/m `last`, oldest first: what
    /// [`Tx::meldingen_covering`] answers, from what was read.
    pub fn meldingen_covering(&self, first: Date, last: Date) -> Vec<MeldingId> {
        self.meldingen
            .iter()
            .filter(|(_, from, to)| *from <= last && *to >= first)
            .map(|(id, _, _)| *id)
            .collect()
    }
}

/// The second statement: four kinds of rows (`row_kind`: r registration, e event, s signal,
/// m melding) in one result, each kind with its own columns and the others NULL. The first
/// branch types every column (PostgreSQL resolves a `UNION` pairwise, and two untyped NULLs would
/// become text); the columns are named for [`registration_of`], [`event_of`] and [`signal_of`].
const STATE_SQL: &str = "\
SELECT 'r' AS row_kind, r.id AS sort_id, CAST(NULL AS TEXT) AS sort_date, \
  CAST(NULL AS TEXT) AS sort_kind, \
  v.registration_id, v.version, v.code, v.span_kind, v.date_from, v.date_until, v.time_from, \
  v.time_until, v.minutes_late, v.note, v.deleted, v.created_at, v.created_by, \
  CAST(NULL AS BIGINT) AS event_id, CAST(NULL AS TEXT) AS kind, CAST(NULL AS TEXT) AS date, \
  CAST(NULL AS BIGINT) AS id, CAST(NULL AS TEXT) AS school_id, CAST(NULL AS TEXT) AS pupil_id, \
  CAST(NULL AS BIGINT) AS case_id, CAST(NULL AS BIGINT) AS count, CAST(NULL AS TEXT) AS stage, \
  CAST(NULL AS BIGINT) AS minutes, CAST(NULL AS TEXT) AS period_from, \
  CAST(NULL AS TEXT) AS period_to, CAST(NULL AS TEXT) AS evidence_json, \
  CAST(NULL AS TEXT) AS actions_json, CAST(NULL AS BOOLEAN) AS pupil_participates, \
  CAST(NULL AS TEXT) AS status, CAST(NULL AS TEXT) AS withdrawn_at, \
  CAST(NULL AS TEXT) AS withdrawn_reason \
FROM registrations r \
JOIN registration_versions v ON v.registration_id = r.id AND v.version = r.current_version \
WHERE r.pupil = ? AND v.deleted = FALSE \
UNION ALL \
SELECT 'e', e.id, NULL, NULL, \
  NULL, v.version, NULL, NULL, NULL, NULL, NULL, \
  NULL, NULL, v.note, v.deleted, v.created_at, v.created_by, \
  v.event_id, v.kind, v.date, \
  NULL, NULL, NULL, \
  NULL, NULL, NULL, \
  NULL, NULL, \
  NULL, NULL, \
  NULL, NULL, \
  NULL, NULL, \
  NULL \
FROM events e \
JOIN event_versions v ON v.event_id = e.id AND v.version = e.current_version \
WHERE e.pupil = ? AND v.deleted = FALSE \
UNION ALL \
SELECT 's', s.id, s.date, s.kind, \
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
  NULL, NULL, NULL, NULL, s.created_at, NULL, \
  NULL, s.kind, s.date, \
  s.id, CAST(? AS TEXT), CAST(? AS TEXT), \
  s.case_id, s.count, s.stage, \
  s.minutes, s.period_from, \
  s.period_to, s.evidence_json, \
  s.actions_json, s.pupil_participates, \
  s.status, s.withdrawn_at, \
  s.withdrawn_reason \
FROM signals s WHERE s.pupil = ? AND s.status = 'active' \
UNION ALL \
SELECT 'm', m.id, NULL, NULL, \
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
  NULL, NULL, NULL, NULL, NULL, NULL, \
  NULL, NULL, NULL, \
  m.id, NULL, NULL, \
  NULL, NULL, NULL, \
  NULL, m.period_from, \
  m.period_to, NULL, \
  NULL, NULL, \
  NULL, NULL, \
  NULL \
FROM meldingen m WHERE m.pupil = ? AND m.school_id = ? AND m.status <> 'ingetrokken'";

/// PostgreSQL: one more row (`n`) with the id the next registration gets, taken from the
/// registrations' sequence after the lock is held (so a pupil's registrations still get their
/// ids in the order they are made): the registration and its audit row, which names that id,
/// can then be written in one statement ([`Tx::add_registration_for`]).
const NEXT_REGISTRATION_ID: &str = " UNION ALL \
SELECT 'n', nextval(pg_get_serial_sequence('registrations', 'id')), NULL, NULL, \
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
  NULL, NULL, NULL, NULL";

impl Tx {
    /// Locks a pupil of the school for a change and reads its row and the version of the
    /// school's settings, in one statement (`None`: no such pupil). PostgreSQL: `SELECT … FOR
    /// UPDATE OF p`, which waits for a transaction holding the pupil and then returns its row as
    /// that transaction left it. SQLite: a write transaction already excludes every other writer
    /// (see [`Tx::lock_pupil`]).
    pub async fn lock_pupil_for_change(
        &mut self,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Option<LockedPupil>> {
        let lock = match self.backend() {
            Backend::Postgres => " FOR UPDATE OF p",
            Backend::Sqlite => "",
        };
        let Some(r) = self
            .c()
            .fetch_optional(
                &format!(
                    "SELECT p.*, s.version AS settings_version FROM pupils p \
                     LEFT JOIN school_settings s ON s.organisation_id = p.school_id \
                     WHERE p.school_id = ? AND p.pupil_id = ?{lock}"
                ),
                args![school_id, pupil_id],
            )
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(LockedPupil {
            key: r.i64("id")?,
            pupil: pupil_of(&r)?,
            settings_version: r.opt_i64("settings_version")?,
        }))
    }

    /// The locked pupil's record, active signals and meldingen, in one statement (see the module
    /// documentation): the same as [`Tx::current_record`], [`Tx::active_signals`] and
    /// [`Tx::meldingen_covering`] would read, in this transaction.
    ///
    /// With `reserve_registration_id`, on PostgreSQL, it also reserves the id of a registration
    /// about to be added ([`PupilState::next_registration_id`]).
    pub async fn pupil_state(
        &mut self,
        locked: &LockedPupil,
        reserve_registration_id: bool,
    ) -> Result<PupilState> {
        let school_id = locked.pupil.school_id.as_str();
        let sql = if reserve_registration_id && self.backend() == Backend::Postgres {
            format!("{STATE_SQL}{NEXT_REGISTRATION_ID}")
        } else {
            STATE_SQL.to_owned()
        };
        let rows = self
            .c()
            .fetch_all(
                &sql,
                args![
                    locked.key,
                    locked.key,
                    school_id,
                    locked.pupil.data.pupil.id.as_str(),
                    locked.key,
                    locked.key,
                    school_id
                ],
            )
            .await?;
        let mut regs = Vec::new();
        let mut events = Vec::new();
        let mut active_signals = Vec::new();
        let mut meldingen = Vec::new();
        let mut next_registration_id = None;
        for r in &rows {
            match r.text("row_kind")?.as_str() {
                "r" => regs.push(registration_of(r)?),
                "e" => events.push(event_of(r)?),
                "s" => active_signals.push(signal_of(r)?),
                "m" => meldingen.push((r.i64("id")?, r.date("period_from")?, r.date("period_to")?)),
                "n" => next_registration_id = Some(r.i64("sort_id")?),
                other => {
                    return Err(crate::StoreError::Corrupt(format!("row_kind {other:?}")));
                }
            }
        }
        // In the order of [`Tx::current_record`] (by id), [`Tx::active_signals`] (by date, kind
        // and id) and [`Tx::meldingen_covering`] (by id): sorted here, not by the statement, so
        // PostgreSQL sets up no sort for the few rows of one pupil (issue 13.1).
        regs.sort_by_key(|r| r.id);
        events.sort_by_key(|e| e.id);
        active_signals
            .sort_by(|a, b| (a.date, a.kind.as_str(), a.id).cmp(&(b.date, b.kind.as_str(), b.id)));
        meldingen.sort_by_key(|(id, _, _)| *id);
        let current = CurrentRecord {
            school_id: school_id.to_owned(),
            registrations: regs
                .iter()
                .map(|r| VersionRef {
                    id: r.id,
                    version: r.version,
                })
                .collect(),
            events: events
                .iter()
                .map(|e| VersionRef {
                    id: e.id,
                    version: e.version,
                })
                .collect(),
            record: PupilRecord {
                pupil: locked.pupil.data.pupil.clone(),
                registrations: regs.into_iter().map(|r| r.registration).collect(),
                events: events.into_iter().map(|e| e.event).collect(),
            },
        };
        Ok(PupilState {
            current,
            active_signals,
            meldingen,
            next_registration_id,
        })
    }
}
