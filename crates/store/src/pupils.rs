//! Pupils, and their registrations and events with full version history.

use jiff::civil::Date;
use verzuim_engine::model::{Code, Event, EventKind, Pupil, PupilRecord, Registration, Span};

use crate::db::{Row, args};
use crate::{
    Actor, CurrentRecord, EventId, Page, PupilData, RegistrationId, Result, Scope, StoreError,
    StoredEvent, StoredPupil, StoredRegistration, Tx, VersionRef,
};

pub(crate) fn pupil_of(r: &Row) -> Result<StoredPupil> {
    Ok(StoredPupil {
        school_id: r.text("school_id")?,
        data: PupilData {
            pupil: Pupil {
                id: r.text("pupil_id")?,
                birth_date: r.date("birth_date")?,
                group: r.text("group_name")?,
                municipality: r.text("municipality")?,
                enrolled_from: r.date("enrolled_from")?,
                enrolled_until: r.opt_date("enrolled_until")?,
                next_school: r.opt_text("next_school")?,
            },
            name: r.opt_text("name")?,
            bsn: r.opt_text("bsn")?,
            onderwijsnummer: r.opt_text("onderwijsnummer")?,
            parent_name: r.opt_text("parent_name")?,
            parent_email: r.opt_text("parent_email")?,
            parent_phone: r.opt_text("parent_phone")?,
            street: r.opt_text("street")?,
            postcode: r.opt_text("postcode")?,
            city: r.opt_text("city")?,
        },
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

pub(crate) const REG_COLUMNS: &str = "v.registration_id, v.version, v.code, v.span_kind, v.date_from, \
     v.date_until, v.time_from, v.time_until, v.minutes_late, v.note, v.deleted, v.created_at, \
     v.created_by";

pub(crate) fn registration_of(r: &Row) -> Result<StoredRegistration> {
    let span = match r.text("span_kind")?.as_str() {
        "days" => Span::Days {
            from: r.date("date_from")?,
            until: r.date("date_until")?,
        },
        "times" => Span::Times {
            date: r.date("date_from")?,
            from: r
                .opt_u16("time_from")?
                .ok_or_else(|| StoreError::Corrupt("time_from missing".into()))?,
            until: r.opt_u16("time_until")?,
        },
        other => return Err(StoreError::Corrupt(format!("span_kind {other:?}"))),
    };
    Ok(StoredRegistration {
        id: r.i64("registration_id")?,
        version: r.i64("version")?,
        registration: Registration {
            code: r.parsed("code", Code::parse)?,
            span,
            minutes_late: r.opt_u32("minutes_late")?,
        },
        note: r.opt_text("note")?,
        deleted: r.bool("deleted")?,
        created_at: r.ts("created_at")?,
        created_by: r.text("created_by")?,
    })
}

const EVENT_COLUMNS: &str =
    "v.event_id, v.version, v.kind, v.date, v.note, v.deleted, v.created_at, v.created_by";

pub(crate) fn event_of(r: &Row) -> Result<StoredEvent> {
    Ok(StoredEvent {
        id: r.i64("event_id")?,
        version: r.i64("version")?,
        event: Event {
            kind: r.parsed("kind", EventKind::parse)?,
            date: r.date("date")?,
            note: r.opt_text("note")?,
        },
        deleted: r.bool("deleted")?,
        created_at: r.ts("created_at")?,
        created_by: r.text("created_by")?,
    })
}

/// docs/spec/rules.md §8: the nature of an illness is never stored.
pub(crate) fn check_registration(reg: &Registration, note: Option<&str>) -> Result<()> {
    if reg.code == Code::Ziek && note.is_some() {
        return Err(StoreError::Invalid(
            "een ziekmelding krijgt geen toelichting".into(),
        ));
    }
    if reg.minutes_late.is_some() && reg.code != Code::TeLaat {
        return Err(StoreError::Invalid(
            "minuten te laat alleen bij te_laat".into(),
        ));
    }
    Ok(())
}

pub(crate) fn check_event(event: &Event) -> Result<()> {
    if event.kind == EventKind::ZorgZiekte && event.note.is_some() {
        return Err(StoreError::Invalid(
            "zorg_ziekte krijgt geen toelichting".into(),
        ));
    }
    if event.kind == EventKind::Verwijdering && event.note.is_none() {
        return Err(StoreError::Invalid(
            "verwijdering noemt de school die de leerling toelaat".into(),
        ));
    }
    Ok(())
}

pub(crate) fn span_columns(span: &Span) -> (&'static str, Date, Date, Option<u16>, Option<u16>) {
    match *span {
        Span::Days { from, until } => ("days", from, until, None, None),
        Span::Times { date, from, until } => ("times", date, date, Some(from), until),
    }
}

/// The registration of [`Tx::add_registration_for`], with its reserved id.
const INSERT_REGISTRATION: &str =
    "INSERT INTO registrations (id, pupil, current_version, created_at) VALUES (?, ?, 1, ?)";

/// Its first version, from the CTE `r`.
const INSERT_VERSION_FROM_R: &str = "INSERT INTO registration_versions (registration_id, \
     version, code, span_kind, date_from, date_until, time_from, time_until, minutes_late, note, \
     deleted, created_at, created_by) \
     SELECT r.id, 1, ?, ?, ?, ?, ?, ?, ?, ?, FALSE, ?, ? FROM r";

/// Its audit row, from the CTE `r` (the columns of [`crate::audit::audit_args`]).
const INSERT_AUDIT_FROM_R: &str = "INSERT INTO audit_log (at, user_id, actor, organisation_id, \
     action, object, pupil, address, outcome) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? FROM r";

impl Tx {
    /// The internal id of a pupil of `school_id`.
    pub(crate) async fn pupil_key(&mut self, school_id: &str, pupil_id: &str) -> Result<i64> {
        self.c()
            .fetch_one(
                "SELECT id FROM pupils WHERE school_id = ? AND pupil_id = ?",
                args![school_id, pupil_id],
            )
            .await?
            .i64("id")
    }

    /// Enrols a pupil; the pupil id must be new within the school.
    pub async fn insert_pupil(&mut self, school_id: &str, d: &PupilData) -> Result<()> {
        let p = &d.pupil;
        let t = self.now();
        self.c()
            .execute(
                "INSERT INTO pupils (school_id, pupil_id, birth_date, group_name, municipality, \
                 enrolled_from, enrolled_until, next_school, name, bsn, onderwijsnummer, \
                 parent_name, parent_email, parent_phone, street, postcode, city, created_at, \
                 updated_at) \
                 SELECT o.id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? \
                 FROM organisations o WHERE o.id = ? AND o.kind = 'school'",
                args![
                    &p.id,
                    p.birth_date,
                    &p.group,
                    &p.municipality,
                    p.enrolled_from,
                    p.enrolled_until,
                    &p.next_school,
                    &d.name,
                    &d.bsn,
                    &d.onderwijsnummer,
                    &d.parent_name,
                    &d.parent_email,
                    &d.parent_phone,
                    &d.street,
                    &d.postcode,
                    &d.city,
                    t,
                    t,
                    school_id
                ],
            )
            .await
            .and_then(|n| {
                if n == 0 {
                    Err(StoreError::NotFound)
                } else {
                    Ok(())
                }
            })
    }

    /// Replaces a pupil's data (by school and pupil id).
    pub async fn update_pupil(&mut self, school_id: &str, d: &PupilData) -> Result<()> {
        let now = self.now();
        let p = &d.pupil;
        let n = self
            .c()
            .execute(
                "UPDATE pupils SET birth_date = ?, group_name = ?, municipality = ?, \
                 enrolled_from = ?, enrolled_until = ?, next_school = ?, name = ?, bsn = ?, \
                 onderwijsnummer = ?, parent_name = ?, parent_email = ?, parent_phone = ?, \
                 street = ?, postcode = ?, city = ?, updated_at = ? \
                 WHERE school_id = ? AND pupil_id = ?",
                args![
                    p.birth_date,
                    &p.group,
                    &p.municipality,
                    p.enrolled_from,
                    p.enrolled_until,
                    &p.next_school,
                    &d.name,
                    &d.bsn,
                    &d.onderwijsnummer,
                    &d.parent_name,
                    &d.parent_email,
                    &d.parent_phone,
                    &d.street,
                    &d.postcode,
                    &d.city,
                    now,
                    school_id,
                    &p.id
                ],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Ends a pupil's enrolment, with the next school if one is known.
    pub async fn deregister_pupil(
        &mut self,
        school_id: &str,
        pupil_id: &str,
        enrolled_until: Date,
        next_school: Option<&str>,
    ) -> Result<()> {
        let now = self.now();
        let n = self
            .c()
            .execute(
                "UPDATE pupils SET enrolled_until = ?, next_school = ?, updated_at = ? \
                 WHERE school_id = ? AND pupil_id = ? AND enrolled_from <= ?",
                args![
                    enrolled_until,
                    next_school,
                    now,
                    school_id,
                    pupil_id,
                    enrolled_until
                ],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn pupil(
        &mut self,
        scope: Scope<'_>,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Option<StoredPupil>> {
        let (clause, arg) = scope.pupil_clause();
        self.c()
            .fetch_optional(
                &format!(
                    "SELECT p.* FROM pupils p WHERE p.school_id = ? AND p.pupil_id = ? AND {clause}"
                ),
                vec![school_id.into(), pupil_id.into(), arg],
            )
            .await?
            .as_ref()
            .map(pupil_of)
            .transpose()
    }

    /// The pupils visible in `scope`, by school and pupil id.
    pub async fn list_pupils(&mut self, scope: Scope<'_>, page: Page) -> Result<Vec<StoredPupil>> {
        let (clause, arg) = scope.pupil_clause();
        self.c()
            .fetch_map(
                &format!(
                    "SELECT p.* FROM pupils p WHERE {clause} \
                     ORDER BY p.school_id, p.pupil_id LIMIT ? OFFSET ?"
                ),
                vec![arg, page.limit().into(), page.offset().into()],
                pupil_of,
            )
            .await
    }

    /// The groups of a school's pupils, sorted by their bytes (not by the database's
    /// collation: the same order on SQLite and PostgreSQL): what the register offers a
    /// coordinator.
    pub async fn school_groups(&mut self, school_id: &str) -> Result<Vec<String>> {
        let mut groups = self
            .c()
            .fetch_map(
                "SELECT DISTINCT group_name FROM pupils WHERE school_id = ?",
                args![school_id],
                |r| r.text("group_name"),
            )
            .await?;
        groups.sort_unstable();
        Ok(groups)
    }

    /// The pupils of one group of a school, by pupil id: a class register reads its class only
    /// (issue 13.3: not the 900 pupils of a large school).
    pub async fn group_pupils(&mut self, school_id: &str, group: &str) -> Result<Vec<StoredPupil>> {
        self.c()
            .fetch_map(
                "SELECT p.* FROM pupils p WHERE p.school_id = ? AND p.group_name = ? \
                 ORDER BY p.pupil_id",
                args![school_id, group],
                pupil_of,
            )
            .await
    }

    /// Adds a registration (version 1). A note on `ziek` is refused.
    pub async fn add_registration(
        &mut self,
        school_id: &str,
        pupil_id: &str,
        reg: &Registration,
        note: Option<&str>,
        by: Actor,
    ) -> Result<VersionRef> {
        check_registration(reg, note)?;
        let t = self.now();
        // One statement: the pupil's key is looked up in the INSERT (none: NotFound).
        let id = self
            .c()
            .fetch_one(
                "INSERT INTO registrations (pupil, current_version, created_at) \
                 SELECT id, 1, ? FROM pupils WHERE school_id = ? AND pupil_id = ? RETURNING id",
                args![t, school_id, pupil_id],
            )
            .await?
            .i64("id")?;
        self.insert_registration_version(id, 1, reg, note, false, by)
            .await?;
        Ok(VersionRef { id, version: 1 })
    }

    /// Adds a registration (version 1) to a pupil locked with [`Tx::lock_pupil_for_change`],
    /// and the audit row `audit` makes of it; a note on `ziek` is refused. With `id` (reserved
    /// by [`Tx::pupil_state`], PostgreSQL) the registration, its version and its audit row are
    /// one statement; otherwise two or three.
    pub async fn add_registration_for(
        &mut self,
        locked: &crate::pupil_state::LockedPupil,
        id: Option<RegistrationId>,
        reg: &Registration,
        note: Option<&str>,
        by: Actor,
        audit: Option<&(dyn Fn(&VersionRef) -> crate::AuditEntry + Send + Sync)>,
    ) -> Result<VersionRef> {
        check_registration(reg, note)?;
        let t = self.now();
        if let Some(id) = id.filter(|_| self.backend() == crate::Backend::Postgres) {
            let version = VersionRef { id, version: 1 };
            let (kind, from, until, tfrom, tuntil) = span_columns(&reg.span);
            let mut a = args![
                id,
                locked.key,
                t,
                reg.code.as_str(),
                kind,
                from,
                until,
                tfrom,
                tuntil,
                reg.minutes_late,
                note,
                t,
                by.to_string()
            ];
            let sql = match audit.map(|f| f(&version)) {
                Some(e) => {
                    a.extend(crate::audit::audit_args(&e, t));
                    format!(
                        "WITH r AS ({INSERT_REGISTRATION} RETURNING id), \
                         v AS ({INSERT_VERSION_FROM_R} RETURNING registration_id) \
                         {INSERT_AUDIT_FROM_R}"
                    )
                }
                None => format!(
                    "WITH r AS ({INSERT_REGISTRATION} RETURNING id) {INSERT_VERSION_FROM_R}"
                ),
            };
            self.c().execute(&sql, a).await?;
            return Ok(version);
        }
        let id = self
            .c()
            .fetch_one(
                "INSERT INTO registrations (pupil, current_version, created_at) \
                 VALUES (?, 1, ?) RETURNING id",
                args![locked.key, t],
            )
            .await?
            .i64("id")?;
        self.insert_registration_version(id, 1, reg, note, false, by)
            .await?;
        let version = VersionRef { id, version: 1 };
        if let Some(audit) = audit {
            self.audit(&audit(&version)).await?;
        }
        Ok(version)
    }

    async fn insert_registration_version(
        &mut self,
        id: RegistrationId,
        version: i64,
        reg: &Registration,
        note: Option<&str>,
        deleted: bool,
        by: Actor,
    ) -> Result<()> {
        let now = self.now();
        let (kind, from, until, tfrom, tuntil) = span_columns(&reg.span);
        self.c()
            .execute(
                "INSERT INTO registration_versions (registration_id, version, code, span_kind, \
                 date_from, date_until, time_from, time_until, minutes_late, note, deleted, \
                 created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                args![
                    id,
                    version,
                    reg.code.as_str(),
                    kind,
                    from,
                    until,
                    tfrom,
                    tuntil,
                    reg.minutes_late,
                    note,
                    deleted,
                    now,
                    by.to_string()
                ],
            )
            .await?;
        Ok(())
    }

    /// The current version of a registration of the school, unless it was deleted.
    async fn current_registration(
        &mut self,
        school_id: &str,
        id: RegistrationId,
    ) -> Result<StoredRegistration> {
        let reg = self
            .c()
            .fetch_one(
                &format!(
                    "SELECT {REG_COLUMNS} FROM registrations r \
                     JOIN pupils p ON p.id = r.pupil \
                     JOIN registration_versions v \
                       ON v.registration_id = r.id AND v.version = r.current_version \
                     WHERE r.id = ? AND p.school_id = ?"
                ),
                args![id, school_id],
            )
            .await
            .and_then(|r| registration_of(&r))?;
        if reg.deleted {
            return Err(StoreError::NotFound);
        }
        Ok(reg)
    }

    /// Moves a registration to its next version (fails with a conflict if another writer did).
    async fn bump_registration(&mut self, id: RegistrationId, from: i64) -> Result<i64> {
        let n = self
            .c()
            .execute(
                "UPDATE registrations SET current_version = ? \
                 WHERE id = ? AND current_version = ?",
                args![from + 1, id, from],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::Conflict(
                "de registratie is tegelijk gewijzigd".into(),
            ));
        }
        Ok(from + 1)
    }

    /// Corrects a registration: a new version; the old ones stay in the history.
    pub async fn correct_registration(
        &mut self,
        school_id: &str,
        id: RegistrationId,
        reg: &Registration,
        note: Option<&str>,
        by: Actor,
    ) -> Result<VersionRef> {
        check_registration(reg, note)?;
        let current = self.current_registration(school_id, id).await?;
        let version = self.bump_registration(id, current.version).await?;
        self.insert_registration_version(id, version, reg, note, false, by)
            .await?;
        Ok(VersionRef { id, version })
    }

    /// Deletes a registration: a new version marked deleted (with the last content).
    pub async fn delete_registration(
        &mut self,
        school_id: &str,
        id: RegistrationId,
        by: Actor,
    ) -> Result<VersionRef> {
        let current = self.current_registration(school_id, id).await?;
        let version = self.bump_registration(id, current.version).await?;
        self.insert_registration_version(
            id,
            version,
            &current.registration,
            current.note.as_deref(),
            true,
            by,
        )
        .await?;
        Ok(VersionRef { id, version })
    }

    /// A pupil's current (not deleted) registrations, in order of their id.
    pub async fn list_registrations(
        &mut self,
        scope: Scope<'_>,
        school_id: &str,
        pupil_id: &str,
        page: Page,
    ) -> Result<Vec<StoredRegistration>> {
        let (clause, arg) = scope.pupil_clause();
        self.c()
            .fetch_map(
                &format!(
                    "SELECT {REG_COLUMNS} FROM registrations r \
                     JOIN pupils p ON p.id = r.pupil \
                     JOIN registration_versions v \
                       ON v.registration_id = r.id AND v.version = r.current_version \
                     WHERE p.school_id = ? AND p.pupil_id = ? AND {clause} AND v.deleted = FALSE \
                     ORDER BY r.id LIMIT ? OFFSET ?"
                ),
                vec![
                    school_id.into(),
                    pupil_id.into(),
                    arg,
                    page.limit().into(),
                    page.offset().into(),
                ],
                registration_of,
            )
            .await
    }

    /// The current (not deleted) registrations of the pupils of one group of a school whose
    /// days include `date`, with each one's pupil id, in order of their id: a class register in
    /// one query.
    pub async fn registrations_on(
        &mut self,
        scope: Scope<'_>,
        school_id: &str,
        group: &str,
        date: Date,
    ) -> Result<Vec<(String, StoredRegistration)>> {
        let (clause, arg) = scope.pupil_clause();
        let day = date.to_string();
        self.c()
            .fetch_map(
                &format!(
                    "SELECT p.pupil_id, {REG_COLUMNS} FROM registrations r \
                     JOIN pupils p ON p.id = r.pupil \
                     JOIN registration_versions v \
                       ON v.registration_id = r.id AND v.version = r.current_version \
                     WHERE p.school_id = ? AND p.group_name = ? AND {clause} \
                       AND v.deleted = FALSE AND v.date_from <= ? AND v.date_until >= ? \
                     ORDER BY r.id"
                ),
                vec![
                    school_id.into(),
                    group.into(),
                    arg,
                    day.clone().into(),
                    day.into(),
                ],
                |r| Ok((r.text("pupil_id")?, registration_of(r)?)),
            )
            .await
    }

    /// Every version of one registration, oldest first (bounded by its edits).
    pub async fn registration_history(
        &mut self,
        scope: Scope<'_>,
        id: RegistrationId,
    ) -> Result<Vec<StoredRegistration>> {
        let (clause, arg) = scope.pupil_clause();
        self.c()
            .fetch_map(
                &format!(
                    "SELECT {REG_COLUMNS} FROM registrations r \
                     JOIN pupils p ON p.id = r.pupil \
                     JOIN registration_versions v ON v.registration_id = r.id \
                     WHERE r.id = ? AND {clause} ORDER BY v.version"
                ),
                vec![id.into(), arg],
                registration_of,
            )
            .await
    }

    /// Adds a manual event (version 1). A note on `zorg_ziekte` is refused.
    pub async fn add_event(
        &mut self,
        school_id: &str,
        pupil_id: &str,
        event: &Event,
        by: Actor,
    ) -> Result<VersionRef> {
        let now = self.now();
        check_event(event)?;
        let id = self
            .c()
            .fetch_one(
                "INSERT INTO events (pupil, current_version, created_at) \
                 SELECT id, 1, ? FROM pupils WHERE school_id = ? AND pupil_id = ? RETURNING id",
                args![now, school_id, pupil_id],
            )
            .await?
            .i64("id")?;
        self.insert_event_version(id, 1, event, false, by).await?;
        Ok(VersionRef { id, version: 1 })
    }

    async fn insert_event_version(
        &mut self,
        id: EventId,
        version: i64,
        event: &Event,
        deleted: bool,
        by: Actor,
    ) -> Result<()> {
        let now = self.now();
        self.c()
            .execute(
                "INSERT INTO event_versions (event_id, version, kind, date, note, deleted, \
                 created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                args![
                    id,
                    version,
                    event.kind.as_str(),
                    event.date,
                    &event.note,
                    deleted,
                    now,
                    by.to_string()
                ],
            )
            .await?;
        Ok(())
    }

    async fn current_event(&mut self, school_id: &str, id: EventId) -> Result<StoredEvent> {
        let ev = self
            .c()
            .fetch_one(
                &format!(
                    "SELECT {EVENT_COLUMNS} FROM events e JOIN pupils p ON p.id = e.pupil \
                     JOIN event_versions v ON v.event_id = e.id AND v.version = e.current_version \
                     WHERE e.id = ? AND p.school_id = ?"
                ),
                args![id, school_id],
            )
            .await
            .and_then(|r| event_of(&r))?;
        if ev.deleted {
            return Err(StoreError::NotFound);
        }
        Ok(ev)
    }

    async fn bump_event(&mut self, id: EventId, from: i64) -> Result<i64> {
        let n = self
            .c()
            .execute(
                "UPDATE events SET current_version = ? WHERE id = ? AND current_version = ?",
                args![from + 1, id, from],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::Conflict(
                "de gebeurtenis is tegelijk gewijzigd".into(),
            ));
        }
        Ok(from + 1)
    }

    pub async fn correct_event(
        &mut self,
        school_id: &str,
        id: EventId,
        event: &Event,
        by: Actor,
    ) -> Result<VersionRef> {
        check_event(event)?;
        let current = self.current_event(school_id, id).await?;
        let version = self.bump_event(id, current.version).await?;
        self.insert_event_version(id, version, event, false, by)
            .await?;
        Ok(VersionRef { id, version })
    }

    pub async fn delete_event(
        &mut self,
        school_id: &str,
        id: EventId,
        by: Actor,
    ) -> Result<VersionRef> {
        let current = self.current_event(school_id, id).await?;
        let version = self.bump_event(id, current.version).await?;
        self.insert_event_version(id, version, &current.event, true, by)
            .await?;
        Ok(VersionRef { id, version })
    }

    pub async fn list_events(
        &mut self,
        scope: Scope<'_>,
        school_id: &str,
        pupil_id: &str,
        page: Page,
    ) -> Result<Vec<StoredEvent>> {
        let (clause, arg) = scope.pupil_clause();
        self.c()
            .fetch_map(
                &format!(
                    "SELECT {EVENT_COLUMNS} FROM events e JOIN pupils p ON p.id = e.pupil \
                     JOIN event_versions v ON v.event_id = e.id AND v.version = e.current_version \
                     WHERE p.school_id = ? AND p.pupil_id = ? AND {clause} AND v.deleted = FALSE \
                     ORDER BY e.id LIMIT ? OFFSET ?"
                ),
                vec![
                    school_id.into(),
                    pupil_id.into(),
                    arg,
                    page.limit().into(),
                    page.offset().into(),
                ],
                event_of,
            )
            .await
    }

    pub async fn event_history(
        &mut self,
        scope: Scope<'_>,
        id: EventId,
    ) -> Result<Vec<StoredEvent>> {
        let (clause, arg) = scope.pupil_clause();
        self.c()
            .fetch_map(
                &format!(
                    "SELECT {EVENT_COLUMNS} FROM events e JOIN pupils p ON p.id = e.pupil \
                     JOIN event_versions v ON v.event_id = e.id \
                     WHERE e.id = ? AND {clause} ORDER BY v.version"
                ),
                vec![id.into(), arg],
                event_of,
            )
            .await
    }

    /// Everything the engine evaluates for one pupil of the school, whole (not paged: the
    /// evaluation needs all of it), with the version behind each registration and event.
    pub async fn current_record(
        &mut self,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Option<CurrentRecord>> {
        let Some(pupil) = self
            .pupil(Scope::School(school_id), school_id, pupil_id)
            .await?
        else {
            return Ok(None);
        };
        let regs = self
            .c()
            .fetch_map(
                &format!(
                    "SELECT {REG_COLUMNS} FROM registrations r \
                     JOIN pupils p ON p.id = r.pupil \
                     JOIN registration_versions v \
                       ON v.registration_id = r.id AND v.version = r.current_version \
                     WHERE p.school_id = ? AND p.pupil_id = ? AND v.deleted = FALSE ORDER BY r.id"
                ),
                args![school_id, pupil_id],
                registration_of,
            )
            .await?;
        let events = self
            .c()
            .fetch_map(
                &format!(
                    "SELECT {EVENT_COLUMNS} FROM events e JOIN pupils p ON p.id = e.pupil \
                     JOIN event_versions v ON v.event_id = e.id AND v.version = e.current_version \
                     WHERE p.school_id = ? AND p.pupil_id = ? AND v.deleted = FALSE ORDER BY e.id"
                ),
                args![school_id, pupil_id],
                event_of,
            )
            .await?;
        Ok(Some(CurrentRecord {
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
                pupil: pupil.data.pupil,
                registrations: regs.into_iter().map(|r| r.registration).collect(),
                events: events.into_iter().map(|e| e.event).collect(),
            },
        }))
    }
}
