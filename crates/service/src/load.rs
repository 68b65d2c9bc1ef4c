//! Loading a whole school into an empty school in bulk (`verzuim load`, issue 13.3): the same
//! checks and the same stored state as [`crate::import`] with the school's settings (every
//! signal in the normal flow), but the pupils, registrations and events go in with
//! [`verzuim_store::Tx::insert_pupils_bulk`] (PostgreSQL `COPY`) instead of one statement each,
//! and the municipalities are looked up once for the school instead of once per pupil. The
//! evaluation is the import's: every pupil of the school re-evaluated in the same transaction
//! (`resync_school`), so signals, cases and tasks are made by the same code.

use std::collections::HashMap;

use jiff::civil::Date;
use verzuim_engine::SchoolCalendar;
use verzuim_store::{NewPupilRecord, OrgKind, Page, SchoolSettings, Scope, Store};

use crate::caller::{Caller, PUPIL_ROLES};
use crate::error::{Result, ServiceError};
use crate::import::{
    DEFAULT_CARD, ImportReport, Sources, lateness_errors, pupil_data, read_files, sorted,
};
use crate::records::normalise_fields;
use crate::school::resync_school;

/// The municipalities by code and by name, as [`verzuim_store::Tx::find_municipality`] finds
/// them (the code first, case-insensitively, then the name; of equal names the lowest code).
#[derive(Debug, Clone, Default)]
pub struct Municipalities {
    by_code: HashMap<String, String>,
    by_name: HashMap<String, String>,
}

impl Municipalities {
    /// Every municipality in the store.
    pub async fn read(store: &Store) -> Result<Municipalities> {
        let mut all = Municipalities::default();
        let mut page = Page::first(verzuim_store::MAX_PAGE_SIZE);
        loop {
            let batch = store
                .list_organisations(Some(OrgKind::Gemeente), page)
                .await?;
            let done = batch.len() < page.limit() as usize;
            for org in batch {
                let name = org.name.to_lowercase();
                match all.by_name.get(&name) {
                    Some(id) if *id <= org.id => {}
                    _ => {
                        all.by_name.insert(name, org.id.clone());
                    }
                }
                all.by_code.insert(org.id.to_uppercase(), org.id);
            }
            if done {
                break;
            }
            page = page.next();
        }
        Ok(all)
    }

    /// The code of the municipality `name_or_code` names, if it is one of them.
    pub fn find(&self, name_or_code: &str) -> Option<&str> {
        let key = name_or_code.trim();
        if key.is_empty() {
            return None;
        }
        self.by_code
            .get(&key.to_uppercase())
            .or_else(|| self.by_name.get(&key.to_lowercase()))
            .map(String::as_str)
    }
}

/// Loads formats.md files, school.toml included, into the school `school_id`, which has no
/// pupils yet; all or nothing, like [`crate::import`] (whose errors it gives for invalid files).
/// `municipalities`: [`Municipalities::read`], read once for many schools.
pub async fn load_school(
    store: &Store,
    caller: &Caller,
    today: Date,
    school_id: &str,
    files: Sources<'_>,
    municipalities: &Municipalities,
) -> Result<ImportReport> {
    caller.require_school(school_id, PUPIL_ROLES, "bestanden laden")?;
    if files.school.is_none() {
        return Err(ServiceError::invalid(
            "laden gaat met school.toml: lever het bestand mee",
        ));
    }
    if !store
        .list_pupils(Scope::School(school_id), Page::first(1))
        .await?
        .is_empty()
    {
        return Err(ServiceError::invalid(format!(
            "school {school_id} heeft al leerlingen: laden kan alleen in een school zonder leerlingen; gebruik de import"
        )));
    }
    let (stored, input) = read_files(store, today, school_id, files).await?;
    let reg_file = files.registrations.name;
    let mut errors = Vec::new();
    let calendar = SchoolCalendar::new(&input.school, input.first_date, input.last_date);
    let mut rows = Vec::with_capacity(input.pupils.len());
    for p in &input.pupils {
        let mut data = match normalise_fields(&pupil_data(p)) {
            Ok(data) => data,
            Err(ServiceError::Invalid(message)) => {
                errors.push(crate::import::pupil_refused(
                    files.pupils.name,
                    &p.record.pupil.id,
                    &message,
                ));
                continue;
            }
            Err(e) => return Err(e),
        };
        if let Some(code) = municipalities.find(&data.pupil.municipality) {
            data.pupil.municipality = code.to_owned();
        }
        let mut record = p.record.clone();
        record.pupil = data.pupil.clone();
        lateness_errors(
            &calendar,
            &record,
            0,
            &p.registration_lines,
            reg_file,
            &mut errors,
        );
        rows.push(NewPupilRecord {
            data,
            registrations: record.registrations,
            events: record.events,
        });
    }
    if !errors.is_empty() {
        return Err(ServiceError::Input(sorted(errors)));
    }

    let by = caller.actor();
    let mut tx = store.begin().await?;
    let card_id = stored.map_or(DEFAULT_CARD.to_owned(), |s| s.card_id);
    tx.put_school_settings(
        school_id,
        &SchoolSettings {
            card_id,
            school: input.school.clone(),
        },
    )
    .await?;
    let counts = tx.insert_pupils_bulk(school_id, &rows, by).await?;
    drop(rows);
    let mut report = ImportReport {
        pupils_created: counts.pupils as usize,
        registrations: counts.registrations as usize,
        events: counts.events as usize,
        settings_replaced: true,
        ..ImportReport::default()
    };
    report.sync = resync_school(&mut tx, by, school_id).await?;
    if let Some(row) = &caller.audit {
        let mut row = row.clone();
        row.object = format!(
            "{}:{} leerlingen, {} registraties, {} gebeurtenissen",
            row.object, report.pupils_created, report.registrations, report.events
        );
        tx.audit(&row).await?;
    }
    tx.commit().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn municipalities_by_code_then_name() {
        let mut m = Municipalities::default();
        m.by_code.insert("GM0153".into(), "GM0153".into());
        m.by_name.insert("enschede".into(), "GM0153".into());
        assert_eq!(m.find(" gm0153 "), Some("GM0153"));
        assert_eq!(m.find("Enschede"), Some("GM0153"));
        assert_eq!(m.find("Hengelo"), None);
        assert_eq!(m.find(""), None);
    }
}
