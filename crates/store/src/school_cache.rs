//! What a process keeps of a school between requests: its settings as parsed, and whatever the
//! service derives from them (the card history, calendars), under the settings' version
//! (migration `0170_school_settings_version`).
//!
//! A registration does not change its school's settings, so re-reading and re-parsing them (the
//! lesson times with their history, closed periods, card history: JSON) for every registration
//! is work thrown away. The store keeps them per school with the version they were read with; a
//! change reads the current version in a statement it runs anyway (the one that locks and reads
//! the pupil, [`crate::Tx::lock_pupil_for_change`]) and uses the kept entry only when the versions
//! are equal. Every write of a school's settings gets a new version from the database itself (a
//! trigger; PostgreSQL: a sequence, so a version is never given twice, not even after a rollback;
//! SQLite: 64 random bits), so:
//!
//! - a change made by another `serve` process, or by hand in the database, is seen by the next
//!   transaction that reads the version: nothing here needs telling;
//! - an entry is only ever made from a row read together with its version (one statement), so a
//!   version names exactly one content, also when it was read inside a transaction that later
//!   rolled back (that version is then never read again).
//!
//! The cache belongs to a [`crate::Store`] (one per `connect`, shared by its clones), so two
//! databases in one process (the test suites) never share entries.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::card_history::EarlierCard;
use crate::db::args;
use crate::{Result, SchoolSettings, Tx};

/// At most this many schools are kept; when full, an arbitrary one makes room (a country has
/// some 6,000 primary schools; a process serving them all re-reads settings now and then).
const MAX_SCHOOLS: usize = 2_048;

/// A cached value: the service's (it knows the engine's types); the store only compares versions.
type Cached = Arc<dyn Any + Send + Sync>;

/// Entries by school id: `(version, value)`.
#[derive(Default)]
pub struct SchoolCache {
    entries: Mutex<HashMap<String, (i64, Cached)>>,
}

impl std::fmt::Debug for SchoolCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchoolCache").finish_non_exhaustive()
    }
}

impl SchoolCache {
    /// The kept value of `school_id` if it was made from settings of `version`.
    pub fn get<T: Any + Send + Sync>(&self, school_id: &str, version: i64) -> Option<Arc<T>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (v, value) = entries.get(school_id)?;
        if *v != version {
            return None;
        }
        Arc::clone(value).downcast::<T>().ok()
    }

    /// Forgets what is kept of `school_id` (`verzuim load`: a school loaded is not read again,
    /// so its calendar and evaluators need not stay in memory).
    pub fn remove(&self, school_id: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.remove(school_id);
    }

    /// Keeps `value`, made from the settings of `school_id` at `version`.
    pub fn put<T: Any + Send + Sync>(&self, school_id: &str, version: i64, value: Arc<T>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_SCHOOLS
            && !entries.contains_key(school_id)
            && let Some(other) = entries.keys().next().cloned()
        {
            entries.remove(&other);
        }
        entries.insert(school_id.to_owned(), (version, value));
    }
}

/// A school's settings with their version and card history, read in one statement.
#[derive(Debug, Clone)]
pub struct VersionedSettings {
    pub version: i64,
    pub settings: SchoolSettings,
    pub earlier_cards: Vec<EarlierCard>,
}

impl Tx {
    /// The process's cache of school settings (see the module documentation).
    pub fn school_cache(&self) -> &SchoolCache {
        &self.cache
    }

    /// The version of a school's settings (`None`: the school has none).
    pub async fn school_settings_version(&mut self, school_id: &str) -> Result<Option<i64>> {
        self.c()
            .fetch_optional(
                "SELECT version FROM school_settings WHERE organisation_id = ?",
                args![school_id],
            )
            .await?
            .map(|r| r.i64("version"))
            .transpose()
    }

    /// A school's settings, their version and its card history, in one statement (`None`: the
    /// school has no settings).
    pub async fn versioned_school_settings(
        &mut self,
        school_id: &str,
    ) -> Result<Option<VersionedSettings>> {
        let Some(r) = self
            .c()
            .fetch_optional(
                "SELECT o.id, o.name, s.card_id, s.holiday_region, s.lesson_times, \
                 s.groups_json, s.closed_json, s.earlier_times_json, s.earlier_cards_json, \
                 s.version FROM school_settings s \
                 JOIN organisations o ON o.id = s.organisation_id WHERE s.organisation_id = ?",
                args![school_id],
            )
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(VersionedSettings {
            version: r.i64("version")?,
            settings: crate::org::settings_of(&r)?,
            earlier_cards: r.json("earlier_cards_json")?,
        }))
    }
}
