//! A school as a change to one of its pupils needs it: its settings (lesson times with their
//! history, closed periods, card) and its cards by date ([`CardHistory`]), parsed once per
//! version of the settings and kept by the store between requests
//! (`verzuim_store::school_cache`: every write of the settings, by any process, gives them a new
//! version in the database, and a transaction compares the version it reads with the kept one).
//!
//! Issue 13.1: a registration used to read and parse the school's settings and card history in
//! two statements of its own; now it reads only the version, in the statement that locks the
//! pupil ([`verzuim_store::Tx::lock_pupil_for_change`]).

use std::sync::{Arc, Mutex};

use jiff::civil::Date;
use verzuim_engine::calendar::{school_year_end, school_year_start};
use verzuim_engine::model::{PupilRecord, Signal};
use verzuim_engine::{Evaluator, SchoolCalendar};
use verzuim_store::{SchoolSettings, Tx};

use crate::cards::{self, CardHistory};
use crate::error::{Result, ServiceError};

/// The school years' spans for which evaluators are kept per school (a record reaches from its
/// enrolment to its last registration: a few spans at most).
const MAX_SPANS: usize = 8;

/// A school's settings and cards by date, as of one version of its settings, and the evaluators
/// made for them.
pub struct SchoolState {
    pub settings: SchoolSettings,
    pub cards: CardHistory,
    /// The cards of `cards` with the days each applied, oldest first, as built-in cards.
    periods: Vec<(&'static verzuim_engine::Card, Option<Date>, Option<Date>)>,
    /// By span of school years (first 1 August, last 31 July).
    evaluators: Mutex<Vec<EvaluatorsFor>>,
}

/// The evaluators built for a span of school years `(first 1 August, last 31 July)`.
type EvaluatorsFor = ((Date, Date), Arc<Evaluators>);

impl std::fmt::Debug for SchoolState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchoolState")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// The evaluators of a school over a span of school years: one per card of its history, each
/// with the days it applied (`from` inclusive, `until` exclusive), oldest first. What
/// [`crate::sync::evaluate_by_date`] makes per call, made once: each card's action texts
/// rendered and the school's calendar over the span.
pub struct Evaluators {
    periods: Vec<(Evaluator<'static>, Option<Date>, Option<Date>)>,
}

impl Evaluators {
    /// The signals of `record` ([`crate::sync::evaluate_by_date`]): each card evaluates the
    /// whole record, and a signal is kept from the card that applied on its date.
    pub fn evaluate(&self, record: &PupilRecord) -> Vec<Signal> {
        if let [(only, None, None)] = &self.periods[..] {
            return only.evaluate(record);
        }
        let mut signals = Vec::new();
        for (evaluator, from, until) in &self.periods {
            signals.extend(
                evaluator.evaluate(record).into_iter().filter(|s| {
                    from.is_none_or(|f| s.date >= f) && until.is_none_or(|u| s.date < u)
                }),
            );
        }
        signals
    }

    /// The school's calendar over the span (the same for every card).
    pub fn calendar(&self) -> &SchoolCalendar {
        self.periods[0].0.calendar()
    }
}

impl SchoolState {
    /// The evaluators for a record whose dates lie within `from..=until` (its
    /// [`crate::sync::evaluation_range`]): kept per span of school years, since the calendar
    /// covers whole school years whatever the dates within them.
    pub fn evaluators(&self, from: Date, until: Date) -> Arc<Evaluators> {
        let (from, until) = if from <= until {
            (from, until)
        } else {
            (until, from)
        };
        let span = (school_year_start(from), school_year_end(until));
        let mut kept = self.evaluators.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, e)) = kept.iter().find(|(s, _)| *s == span) {
            return Arc::clone(e);
        }
        let periods = self
            .periods
            .iter()
            .map(|&(card, from, until)| {
                (
                    Evaluator::new(card, &self.settings.school, span.0, span.1),
                    from,
                    until,
                )
            })
            .collect();
        let made = Arc::new(Evaluators { periods });
        if kept.len() >= MAX_SPANS {
            kept.remove(0);
        }
        kept.push((span, Arc::clone(&made)));
        made
    }
}

/// The school's state at settings `version` (read in this transaction; `None`: the school has
/// no settings): the kept one when its version is the same, otherwise read (settings, version
/// and card history in one statement) and kept. A Dutch error when the school has no settings.
pub(crate) async fn at_version(
    tx: &mut Tx,
    school_id: &str,
    version: Option<i64>,
) -> Result<Arc<SchoolState>> {
    if let Some(v) = version
        && let Some(kept) = tx.school_cache().get::<SchoolState>(school_id, v)
    {
        return Ok(kept);
    }
    let Some(read) = tx.versioned_school_settings(school_id).await? else {
        return Err(no_settings(school_id));
    };
    let mut earlier = Vec::with_capacity(read.earlier_cards.len());
    let mut periods = Vec::with_capacity(read.earlier_cards.len() + 1);
    let mut from = None;
    for e in &read.earlier_cards {
        earlier.push((e.until, cards::card(&e.card_id)?));
        periods.push((cards::forever(&e.card_id)?, from, Some(e.until)));
        from = Some(e.until);
    }
    periods.push((cards::forever(&read.settings.card_id)?, from, None));
    let state = Arc::new(SchoolState {
        cards: CardHistory {
            current: cards::card(&read.settings.card_id)?,
            earlier,
        },
        periods,
        settings: read.settings,
        evaluators: Mutex::new(Vec::new()),
    });
    tx.school_cache()
        .put(school_id, read.version, Arc::clone(&state));
    Ok(state)
}

/// The school's state now: its settings' version read in one small statement, the rest kept
/// ([`at_version`]).
pub(crate) async fn current(tx: &mut Tx, school_id: &str) -> Result<Arc<SchoolState>> {
    let version = tx.school_settings_version(school_id).await?;
    if version.is_none() {
        return Err(no_settings(school_id));
    }
    at_version(tx, school_id, version).await
}

/// A school without settings, in Dutch (as [`crate::sync`] says it).
fn no_settings(school_id: &str) -> ServiceError {
    ServiceError::invalid(format!(
        "school {school_id} heeft nog geen instellingen (lestijden en verzuimkaart)"
    ))
}
