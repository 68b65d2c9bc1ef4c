//! The teacher's daily register as a read model: the pupils of one group of a school, its
//! settings, the day's registrations and the active signals, read on one connection with one
//! query per kind of thing (never one per pupil; never the other groups' pupils). Which groups a
//! leerkracht may see is the server's policy (the groups of the membership); the school is the
//! caller's own.

use std::collections::HashMap;

use jiff::civil::Date;
use verzuim_engine::model::{Registration, Span};
use verzuim_store::{
    MAX_PAGE_SIZE, Page, SchoolSettings, Scope, StoredPupil, StoredRegistration, StoredSignal, Tx,
};

use crate::caller::{Caller, REGISTER_ROLES};
use crate::error::Result;

/// A group's register of one day.
#[derive(Debug, Clone)]
pub struct ClassDay {
    /// Every pupil of the group (also those not enrolled on the day).
    pub pupils: Vec<StoredPupil>,
    pub settings: Option<SchoolSettings>,
    /// The group's current registrations covering the day, by pupil id.
    pub registrations: HashMap<String, Vec<StoredRegistration>>,
    /// The group's active signals.
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

/// The groups of the caller's school's pupils, sorted (the register's choice of group for a
/// coordinator; a leerkracht's groups are those of the membership).
pub async fn school_groups(
    store: &verzuim_store::Store,
    caller: &Caller,
    school: &str,
) -> Result<Vec<String>> {
    caller.require_school(school, REGISTER_ROLES, "het register lezen")?;
    let mut tx = store.connection().await?;
    Ok(tx.school_groups(school).await?)
}

/// The register of one group of the caller's school on `date`.
pub async fn class_day(
    store: &verzuim_store::Store,
    caller: &Caller,
    school: &str,
    group: &str,
    date: Date,
) -> Result<ClassDay> {
    caller.require_school(school, REGISTER_ROLES, "het register lezen")?;
    let mut tx = store.connection().await?;
    let scope = Scope::School(school);
    let pupils = tx.group_pupils(school, group).await?;
    let settings = tx.school_settings(school).await?;
    let mut registrations: HashMap<String, Vec<StoredRegistration>> = HashMap::new();
    for (pupil, r) in tx.registrations_on(scope, school, group, date).await? {
        if covers(&r.registration, date) {
            registrations.entry(pupil).or_default().push(r);
        }
    }
    let signals = tx.active_signals_of_group(scope, school, group).await?;
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
