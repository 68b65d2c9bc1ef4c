//! The teacher's daily register as a read model: a school's pupils, its settings, the day's
//! registrations and the active signals, read in one transaction with one query per kind of
//! thing (never one per pupil). Which groups a leerkracht may see is the server's policy (the
//! groups of the membership); the school is the caller's own.

use std::collections::HashMap;

use jiff::civil::Date;
use verzuim_engine::model::{Registration, Span};
use verzuim_store::{
    MAX_PAGE_SIZE, Page, SchoolSettings, Scope, StoredPupil, StoredRegistration, StoredSignal, Tx,
};

use crate::caller::{Caller, REGISTER_ROLES};
use crate::error::Result;

/// A school's register of one day.
#[derive(Debug, Clone)]
pub struct ClassDay {
    /// Every pupil of the school (every group: the page offers the groups).
    pub pupils: Vec<StoredPupil>,
    pub settings: Option<SchoolSettings>,
    /// The current registrations covering the day, by pupil id.
    pub registrations: HashMap<String, Vec<StoredRegistration>>,
    /// The school's active signals.
    pub signals: Vec<StoredSignal>,
}

/// One pupil's register of one day.
#[derive(Debug, Clone)]
pub struct PupilDay {
    pub settings: Option<SchoolSettings>,
    /// The current registrations covering the day, in order of their id.
    pub registrations: Vec<StoredRegistration>,
    /// The pupil's active signals.
    pub signals: Vec<StoredSignal>,
}

/// Whether a registration's days include `date`.
pub fn covers(r: &Registration, date: Date) -> bool {
    match r.span {
        Span::Days { from, until } => from <= date && date <= until,
        Span::Times { date: d, .. } => d == date,
    }
}

/// The register of the caller's school on `date`.
pub async fn class_day(
    store: &verzuim_store::Store,
    caller: &Caller,
    school: &str,
    date: Date,
) -> Result<ClassDay> {
    caller.require_school(school, REGISTER_ROLES, "het register lezen")?;
    let mut tx = store.connection().await?;
    let scope = Scope::School(school);
    let pupils = all_pupils(&mut tx, school).await?;
    let settings = tx.school_settings(school).await?;
    let mut registrations: HashMap<String, Vec<StoredRegistration>> = HashMap::new();
    for (pupil, r) in tx.registrations_on(scope, school, date).await? {
        if covers(&r.registration, date) {
            registrations.entry(pupil).or_default().push(r);
        }
    }
    let signals = tx.active_signals_of_school(scope, school).await?;
    Ok(ClassDay {
        pupils,
        settings,
        registrations,
        signals,
    })
}

/// The register of one pupil of the caller's school on `date`.
pub async fn pupil_day(
    store: &verzuim_store::Store,
    caller: &Caller,
    school: &str,
    pupil: &str,
    date: Date,
) -> Result<PupilDay> {
    caller.require_school(school, REGISTER_ROLES, "het register lezen")?;
    let mut tx = store.connection().await?;
    let settings = tx.school_settings(school).await?;
    let registrations = day_registrations(&mut tx, school, pupil, date).await?;
    let signals = tx
        .active_signals(Scope::School(school), school, pupil)
        .await?;
    Ok(PupilDay {
        settings,
        registrations,
        signals,
    })
}

async fn day_registrations(
    tx: &mut Tx,
    school: &str,
    pupil: &str,
    date: Date,
) -> Result<Vec<StoredRegistration>> {
    let mut out = Vec::new();
    let mut page = Page::first(MAX_PAGE_SIZE);
    loop {
        let batch = tx
            .list_registrations(Scope::School(school), school, pupil, page)
            .await?;
        let done = batch.len() < page.limit() as usize;
        out.extend(
            batch
                .into_iter()
                .filter(|r| !r.deleted && covers(&r.registration, date)),
        );
        if done {
            return Ok(out);
        }
        page = page.next();
    }
}

async fn all_pupils(tx: &mut Tx, school: &str) -> Result<Vec<StoredPupil>> {
    let mut out = Vec::new();
    let mut page = Page::first(MAX_PAGE_SIZE);
    loop {
        let batch = tx.list_pupils(Scope::School(school), page).await?;
        let done = batch.len() < page.limit() as usize;
        out.extend(batch);
        if done {
            return Ok(out);
        }
        page = page.next();
    }
}
