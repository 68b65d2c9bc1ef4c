//! Many pupils of one school with their registrations and events at once (`verzuim load`, issue
//! 13.3): the same rows [`Tx::insert_pupil`], [`Tx::add_registration`] and [`Tx::add_event`]
//! write one by one, in the same order (so ids grow in the order of the files, as they do for
//! an import), but on PostgreSQL with `COPY … FROM STDIN` in five statements for the whole
//! school instead of one or two round trips per row. On SQLite (in-process, no round trips)
//! the rows go in one by one.

use std::fmt::Write as _;

use verzuim_engine::model::{Event, Registration};

use crate::db::{Conn, args, date_text, ts_text};
use crate::{Actor, Backend, OrgKind, PupilData, Result, StoreError, Tx};

/// One pupil to store: its data and its registrations and events, in the order they get ids.
#[derive(Debug, Clone)]
pub struct NewPupilRecord {
    pub data: PupilData,
    pub registrations: Vec<Registration>,
    pub events: Vec<Event>,
}

/// What [`Tx::insert_pupils_bulk`] stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BulkCounts {
    pub pupils: u64,
    pub registrations: u64,
    pub events: u64,
}

/// A value in COPY's text format: `\N` for NULL, backslash, tab, newline and carriage return
/// escaped.
fn field(out: &mut String, value: Option<&str>) {
    match value {
        None => out.push_str("\\N"),
        Some(v) => {
            for c in v.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
        }
    }
}

/// Appends one COPY row (tab-separated, newline-terminated).
fn row(out: &mut String, values: &[Option<&str>]) {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        field(out, *v);
    }
    out.push('\n');
}

impl Tx {
    /// Stores new pupils of the school `school_id` with their registrations (version 1, no
    /// note) and events (version 1), as the one-by-one methods do. A pupil id already in the
    /// school fails the whole call (the unique key); a note on `ziek` or the other checks of
    /// [`Tx::add_registration`] and [`Tx::add_event`] give [`StoreError::Invalid`].
    pub async fn insert_pupils_bulk(
        &mut self,
        school_id: &str,
        pupils: &[NewPupilRecord],
        by: Actor,
    ) -> Result<BulkCounts> {
        for p in pupils {
            for reg in &p.registrations {
                crate::pupils::check_registration(reg, None)?;
            }
            for event in &p.events {
                crate::pupils::check_event(event)?;
            }
        }
        let counts = BulkCounts {
            pupils: pupils.len() as u64,
            registrations: pupils.iter().map(|p| p.registrations.len() as u64).sum(),
            events: pupils.iter().map(|p| p.events.len() as u64).sum(),
        };
        if self.backend() == Backend::Sqlite {
            for p in pupils {
                self.insert_pupil(school_id, &p.data).await?;
                for reg in &p.registrations {
                    self.add_registration(school_id, &p.data.pupil.id, reg, None, by)
                        .await?;
                }
                for event in &p.events {
                    self.add_event(school_id, &p.data.pupil.id, event, by)
                        .await?;
                }
            }
            return Ok(counts);
        }
        if self.organisation_kind(school_id).await? != Some(OrgKind::School) {
            return Err(StoreError::NotFound);
        }
        if pupils.is_empty() {
            return Ok(counts);
        }
        let t = ts_text(self.now());
        let by = by.to_string();
        let pupil_keys = self.reserve_ids("pupils", counts.pupils).await?;
        let reg_ids = self
            .reserve_ids("registrations", counts.registrations)
            .await?;
        let event_ids = self.reserve_ids("events", counts.events).await?;

        let mut text = String::new();
        for (p, key) in pupils.iter().zip(&pupil_keys) {
            let d = &p.data;
            let q = &d.pupil;
            let key = key.to_string();
            let birth = date_text(q.birth_date);
            let from = date_text(q.enrolled_from);
            let until = q.enrolled_until.map(date_text);
            row(
                &mut text,
                &[
                    Some(&key),
                    Some(school_id),
                    Some(&q.id),
                    Some(&birth),
                    Some(&q.group),
                    Some(&q.municipality),
                    Some(&from),
                    until.as_deref(),
                    q.next_school.as_deref(),
                    d.name.as_deref(),
                    d.bsn.as_deref(),
                    d.onderwijsnummer.as_deref(),
                    d.parent_name.as_deref(),
                    d.parent_email.as_deref(),
                    d.parent_phone.as_deref(),
                    d.street.as_deref(),
                    d.postcode.as_deref(),
                    d.city.as_deref(),
                    Some(&t),
                    Some(&t),
                ],
            );
        }
        self.copy_in(
            "COPY pupils (id, school_id, pupil_id, birth_date, group_name, municipality, \
             enrolled_from, enrolled_until, next_school, name, bsn, onderwijsnummer, parent_name, \
             parent_email, parent_phone, street, postcode, city, created_at, updated_at) \
             FROM STDIN",
            &text,
        )
        .await?;

        let (mut heads, mut versions) = (String::new(), String::new());
        let mut ids = reg_ids.iter();
        for (p, key) in pupils.iter().zip(&pupil_keys) {
            let key = key.to_string();
            for reg in &p.registrations {
                let id = ids.next().expect("one id per registration").to_string();
                row(&mut heads, &[Some(&id), Some(&key), Some("1"), Some(&t)]);
                let (kind, from, until, tfrom, tuntil) = crate::pupils::span_columns(&reg.span);
                let (from, until) = (date_text(from), date_text(until));
                let tfrom = tfrom.map(|v| v.to_string());
                let tuntil = tuntil.map(|v| v.to_string());
                let late = reg.minutes_late.map(|v| v.to_string());
                row(
                    &mut versions,
                    &[
                        Some(&id),
                        Some("1"),
                        Some(reg.code.as_str()),
                        Some(kind),
                        Some(&from),
                        Some(&until),
                        tfrom.as_deref(),
                        tuntil.as_deref(),
                        late.as_deref(),
                        None,
                        Some("f"),
                        Some(&t),
                        Some(&by),
                    ],
                );
            }
        }
        if counts.registrations > 0 {
            self.copy_in(
                "COPY registrations (id, pupil, current_version, created_at) FROM STDIN",
                &heads,
            )
            .await?;
            self.copy_in(
                "COPY registration_versions (registration_id, version, code, span_kind, \
                 date_from, date_until, time_from, time_until, minutes_late, note, deleted, \
                 created_at, created_by) FROM STDIN",
                &versions,
            )
            .await?;
        }

        let (mut heads, mut versions) = (String::new(), String::new());
        let mut ids = event_ids.iter();
        for (p, key) in pupils.iter().zip(&pupil_keys) {
            let key = key.to_string();
            for event in &p.events {
                let id = ids.next().expect("one id per event").to_string();
                row(&mut heads, &[Some(&id), Some(&key), Some("1"), Some(&t)]);
                let date = date_text(event.date);
                row(
                    &mut versions,
                    &[
                        Some(&id),
                        Some("1"),
                        Some(event.kind.as_str()),
                        Some(&date),
                        event.note.as_deref(),
                        Some("f"),
                        Some(&t),
                        Some(&by),
                    ],
                );
            }
        }
        if counts.events > 0 {
            self.copy_in(
                "COPY events (id, pupil, current_version, created_at) FROM STDIN",
                &heads,
            )
            .await?;
            self.copy_in(
                "COPY event_versions (event_id, version, kind, date, note, deleted, created_at, \
                 created_by) FROM STDIN",
                &versions,
            )
            .await?;
        }
        Ok(counts)
    }

    /// `n` new ids of `table`'s identity column (PostgreSQL), ascending.
    async fn reserve_ids(&mut self, table: &str, n: u64) -> Result<Vec<i64>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let mut sql = String::new();
        let _ = write!(
            sql,
            "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) AS id \
             FROM generate_series(1, ?)"
        );
        let mut ids: Vec<i64> = self
            .c()
            .fetch_map(&sql, args![n as i64], |r| r.i64("id"))
            .await?;
        ids.sort_unstable();
        Ok(ids)
    }

    /// Runs one `COPY … FROM STDIN` with `data` in the text format (PostgreSQL only).
    async fn copy_in(&mut self, statement: &str, data: &str) -> Result<u64> {
        crate::db::count_statement();
        let Conn::Pg(conn) = self.c() else {
            return Err(StoreError::Invalid(
                "COPY is alleen mogelijk op PostgreSQL".into(),
            ));
        };
        let mut copy = conn.copy_in_raw(statement).await?;
        // Sent in pieces of at most 1 MiB (the protocol's messages stay small).
        let bytes = data.as_bytes();
        for chunk in bytes.chunks(1 << 20) {
            copy.send(chunk).await?;
        }
        Ok(copy.finish().await?)
    }
}

impl crate::Store {
    /// The schools' settings this process keeps parsed ([`crate::school_cache`]).
    pub fn school_cache(&self) -> &crate::school_cache::SchoolCache {
        &self.cache
    }

    /// Refreshes the planner's statistics of every table (`ANALYZE`). After a bulk load the
    /// tables are many times larger than when they were last analysed (or were never analysed:
    /// autovacuum may be off, or not yet have come round): PostgreSQL then estimates far too
    /// many rows per index lookup, and a query of 0.1 ms can cost 200+ ms of JIT compilation.
    pub async fn analyze(&self) -> Result<()> {
        let mut tx = self.reader().await?;
        tx.c().execute("ANALYZE", Vec::new()).await?;
        Ok(())
    }

    /// [`Store::analyze`] of the named tables only (names from the code, never from input).
    pub async fn analyze_tables(&self, tables: &[&str]) -> Result<()> {
        debug_assert!(
            tables
                .iter()
                .all(|t| t.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        );
        let mut tx = self.reader().await?;
        // One table per statement: SQLite's ANALYZE takes one name.
        for table in tables {
            tx.c()
                .execute(&format!("ANALYZE {table}"), Vec::new())
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_and_nulls() {
        let mut out = String::new();
        row(&mut out, &[Some("a\tb"), None, Some("c\\d\ne"), Some("")]);
        assert_eq!(out, "a\\tb\t\\N\tc\\\\d\\ne\t\n");
    }
}
