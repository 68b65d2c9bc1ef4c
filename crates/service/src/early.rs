//! Vroegsignalering: the school's pupils who are close to a threshold of the card, before the
//! signal arises ("Vroegtijdig signaleren voorkomt erger!", the card's motto). The same progress
//! as `verzuim evaluate --approaching` (formats.md): per pupil and kind, how far the pupil is on
//! `as_of` towards the threshold (relatief verzuim's minutes in the window, latenesses this
//! school year, sick reports in the window, days of a running absence or sick report).
//!
//! Read with three queries (the pupils, their registrations of the last 13 months, the school's
//! settings) and evaluated in memory, so a school of 500 pupils answers in milliseconds.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::ToSpan;
use jiff::civil::Date;
use verzuim_engine::model::{PupilRecord, Registration};
use verzuim_engine::progress::Progress;
use verzuim_engine::{Card, Evaluator};
use verzuim_store::{MAX_PAGE_SIZE, Page, Scope, Store};

use crate::caller::{Caller, SCHOOL_WORKFLOW_ROLES};
use crate::cards;
use crate::error::Result;

/// The fraction of a threshold from which a pupil is shown (the CLI's `--approaching` default).
pub const DEFAULT_FRACTION: f64 = 0.75;

/// How far back registrations are read: a school year (lateness counts per school year) and the
/// 3 months of the sick-report window before it.
const LOOKBACK_DAYS: i64 = 460;

/// A pupil close to a threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct EarlyWarning {
    pub pupil_id: String,
    pub name: Option<String>,
    pub group: String,
    pub progress: Progress,
}

/// The early warnings of a school, with the card they were measured against (whose rows name
/// the thresholds).
#[derive(Debug, Clone)]
pub struct EarlyWarnings {
    /// `None` before the school has settings (then there are no warnings).
    pub card: Option<Arc<Card>>,
    pub warnings: Vec<EarlyWarning>,
}

/// The pupils of school `school_id` enrolled on `as_of` that are at `fraction` or more of a
/// threshold, nearest to it first (its verzuimcoordinator only).
pub async fn early_warnings(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    as_of: Date,
    fraction: f64,
) -> Result<EarlyWarnings> {
    caller.require_school(
        school_id,
        SCHOOL_WORKFLOW_ROLES,
        "de vroegsignalering bekijken",
    )?;
    let mut tx = store.connection().await?;
    let Some(settings) = tx.school_settings(school_id).await? else {
        return Ok(EarlyWarnings {
            card: None,
            warnings: Vec::new(),
        });
    };
    let card = cards::card(&settings.card_id)?;
    let mut pupils = Vec::new();
    let mut page = Page::first(MAX_PAGE_SIZE);
    loop {
        let batch = tx.list_pupils(Scope::School(school_id), page).await?;
        let done = batch.len() < page.limit() as usize;
        pupils.extend(batch.into_iter().filter(|p| {
            let p = &p.data.pupil;
            p.enrolled_from <= as_of && p.enrolled_until.is_none_or(|u| u >= as_of)
        }));
        if done {
            break;
        }
        page = page.next();
    }
    let from = as_of.checked_sub(LOOKBACK_DAYS.days()).unwrap_or(as_of);
    let mut registrations: HashMap<String, Vec<Registration>> = HashMap::new();
    for r in tx.overview_registrations(school_id, from, as_of).await? {
        registrations
            .entry(r.pupil_id)
            .or_default()
            .push(r.registration);
    }
    drop(tx);

    let earliest = pupils
        .iter()
        .map(|p| p.data.pupil.enrolled_from)
        .chain(
            registrations
                .values()
                .flatten()
                .map(|r| r.span.first_date()),
        )
        .min()
        .unwrap_or(as_of)
        .min(as_of);
    let evaluator = Evaluator::new(&card, &settings.school, earliest, as_of);
    let mut out = Vec::new();
    for p in pupils {
        let mut regs = registrations.remove(&p.data.pupil.id).unwrap_or_default();
        regs.sort_by_key(|r| r.span.first_date());
        let record = PupilRecord {
            pupil: p.data.pupil.clone(),
            registrations: regs,
            events: Vec::new(),
        };
        for progress in evaluator.progress(&record, as_of) {
            if progress.fraction >= fraction {
                out.push(EarlyWarning {
                    pupil_id: p.data.pupil.id.clone(),
                    name: p.data.name.clone(),
                    group: p.data.pupil.group.clone(),
                    progress,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        b.progress
            .fraction
            .total_cmp(&a.progress.fraction)
            .then_with(|| a.group.cmp(&b.group))
            .then_with(|| a.pupil_id.cmp(&b.pupil_id))
    });
    Ok(EarlyWarnings {
        card: Some(card),
        warnings: out,
    })
}
