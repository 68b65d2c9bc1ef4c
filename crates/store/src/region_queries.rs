//! Reads for leerplicht's regional pages (issue 11) and the school's record of its melding in
//! DUO's verzuimregister (migration `0110_duo_register`):
//!
//! - the pupils living in a municipality, at every school (the prikactie around a holiday);
//! - a school's signals of one kind on given days;
//! - a municipality's meldingen with the day each reached a final status, and leerplicht's
//!   actions in a period (the year in figures);
//! - the school's contact person for the register, and per melding what the register asks
//!   beyond the melding's legal core, with DUO's meldingsnummer once submitted.
//!
//! These reads return counts' raw material; who may see what is the service's business
//! (`verzuim_service::region`, `verzuim_service::duo`), which also decides that only counts
//! leave a municipality's regional reads.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use verzuim_engine::model::{Code, Span};

use crate::db::{Row, args};
use crate::types::names;
use crate::{Actor, MeldingId, MeldingStatus, Result, StoreError, Tx};

/// A pupil living in a municipality, at any school.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentPupil {
    pub school_id: String,
    pub pupil_id: String,
    pub name: Option<String>,
    pub group: String,
    pub enrolled_from: Date,
    pub enrolled_until: Option<Date>,
}

/// A melding to a municipality as the year figures count it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearMelding {
    pub id: MeldingId,
    pub school_id: String,
    /// The pupil's row id (distinct pupils are counted, never named).
    pub pupil: i64,
    pub verzuim_kind: String,
    pub status: MeldingStatus,
    pub status_reason: Option<String>,
    pub created_at: Timestamp,
    /// When the melding reached its final status (`afgesloten`, `ingetrokken`,
    /// `ter_kennisgeving_aangenomen`), if it did.
    pub final_at: Option<Timestamp>,
}

/// One action of leerplicht, with the school of its melding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearAction {
    pub school_id: String,
    /// The action's kind as stored (`waarschuwingsbrief`, `halt`, `proces_verbaal`, …).
    pub kind: String,
    pub date: Date,
}

/// The school's contact person for leerplicht in DUO's verzuimregister.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolContact {
    pub name: String,
    pub function: String,
    pub phone: String,
    pub email: String,
}

names! {
    /// Whose phone number the register gets.
    PhoneOf { Ouder = "ouder", Leerling = "leerling" }
}

names! {
    /// DUO's closing reasons of a melding (verzuimregister), beside the product's own.
    DuoClosingReason {
        TerugNaarSchool = "terug_naar_school",
        AndereOpleiding = "inschrijving_beeindigd_andere_opleiding",
        Werk = "inschrijving_beeindigd_werk",
        OverigeRedenen = "inschrijving_beeindigd_overige_redenen",
        Overleden = "inschrijving_beeindigd_overleden",
        LangdurigZiek = "geen_verzuim_langdurig_ziek",
        LegitiemAfwezig = "geen_verzuim_legitiem_afwezig",
    }
}

names! {
    /// DUO's statuses of a melding in the verzuimregister (since 12 August 2020), as the school
    /// reads them there (migration `0150_duo_status`).
    DuoStatus {
        Geregistreerd = "geregistreerd",
        InBehandeling = "in_behandeling",
        Afgesloten = "afgesloten",
        TerKennisgevingAangenomen = "ter_kennisgeving_aangenomen",
        Ingetrokken = "ingetrokken",
    }
}

/// One DUO status the school recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuoStatusEntry {
    pub status: DuoStatus,
    /// The day DUO gave the status.
    pub on: Date,
    /// With `afgesloten`: DUO's closing reason.
    pub duo_closing_reason: Option<DuoClosingReason>,
    pub recorded_at: Timestamp,
    pub recorded_by: String,
}

/// What the school adds to a melding for the register.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuoDetails {
    /// A stay address, only where it differs from the BRP address.
    pub stay_street: Option<String>,
    pub stay_postcode: Option<String>,
    pub stay_city: Option<String>,
    pub phone: Option<String>,
    pub phone_of: Option<PhoneOf>,
    pub all_lessons_missed: bool,
    pub action_wanted: bool,
    /// Required when `action_wanted` is false.
    pub no_action_reason: Option<String>,
    pub location: Option<String>,
    /// Langdurig relatief verzuim: the day the absence ended (back at school, deregistered).
    pub end_date: Option<Date>,
    pub duo_closing_reason: Option<DuoClosingReason>,
}

/// The school's record of its submission to the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuoSubmission {
    pub meldingsnummer: String,
    pub submitted_on: Date,
    /// The day the school submitted the later update (the einddatum), if it did.
    pub update_submitted_on: Option<Date>,
}

/// A melding's stored register record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuoRecord {
    pub melding_id: MeldingId,
    pub details: DuoDetails,
    pub submission: Option<DuoSubmission>,
    pub updated_at: Timestamp,
    pub updated_by: String,
}

/// A registration a melding reported, as it was reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceSpan {
    pub code: Code,
    pub span: Span,
    pub minutes: u32,
}

fn record_of(r: &Row) -> Result<DuoRecord> {
    let submission = match (r.opt_text("meldingsnummer")?, r.opt_date("submitted_on")?) {
        (Some(meldingsnummer), Some(submitted_on)) => Some(DuoSubmission {
            meldingsnummer,
            submitted_on,
            update_submitted_on: r.opt_date("update_submitted_on")?,
        }),
        _ => None,
    };
    Ok(DuoRecord {
        melding_id: r.i64("melding_id")?,
        details: DuoDetails {
            stay_street: r.opt_text("stay_street")?,
            stay_postcode: r.opt_text("stay_postcode")?,
            stay_city: r.opt_text("stay_city")?,
            phone: r.opt_text("phone")?,
            phone_of: r.opt_parsed("phone_of", PhoneOf::parse)?,
            all_lessons_missed: r.bool("all_lessons_missed")?,
            action_wanted: r.bool("action_wanted")?,
            no_action_reason: r.opt_text("no_action_reason")?,
            location: r.opt_text("location")?,
            end_date: r.opt_date("end_date")?,
            duo_closing_reason: r.opt_parsed("duo_closing_reason", DuoClosingReason::parse)?,
        },
        submission,
        updated_at: r.ts("updated_at")?,
        updated_by: r.text("updated_by")?,
    })
}

impl Tx {
    /// Every pupil whose municipality is `code` or `name` (both as the school entered it:
    /// the CBS code or the name, case-insensitive), at any school, by school and pupil id.
    pub async fn resident_pupils(&mut self, code: &str, name: &str) -> Result<Vec<ResidentPupil>> {
        self.c()
            .fetch_map(
                "SELECT school_id, pupil_id, name, group_name, enrolled_from, enrolled_until \
                 FROM pupils WHERE UPPER(municipality) = UPPER(?) \
                 OR LOWER(municipality) = LOWER(?) ORDER BY school_id, pupil_id",
                args![code, name],
                |r| {
                    Ok(ResidentPupil {
                        school_id: r.text("school_id")?,
                        pupil_id: r.text("pupil_id")?,
                        name: r.opt_text("name")?,
                        group: r.text("group_name")?,
                        enrolled_from: r.date("enrolled_from")?,
                        enrolled_until: r.opt_date("enrolled_until")?,
                    })
                },
            )
            .await
    }

    /// A school's active signals of `kind` dated in `from..=until`: `(pupil id, date)`.
    pub async fn signal_dates(
        &mut self,
        school_id: &str,
        kind: &str,
        from: Date,
        until: Date,
    ) -> Result<Vec<(String, Date)>> {
        self.c()
            .fetch_map(
                "SELECT p.pupil_id, s.date FROM signals s JOIN pupils p ON p.id = s.pupil \
                 WHERE p.school_id = ? AND s.kind = ? AND s.status = 'active' \
                 AND s.date >= ? AND s.date <= ? ORDER BY p.pupil_id, s.date",
                args![school_id, kind, from, until],
                |r| Ok((r.text("pupil_id")?, r.date("date")?)),
            )
            .await
    }

    /// The pupils with at least one melding to `municipality`: `(school id, pupil id)`.
    pub async fn pupils_with_melding(
        &mut self,
        municipality: &str,
    ) -> Result<Vec<(String, String)>> {
        self.c()
            .fetch_map(
                "SELECT DISTINCT m.school_id, p.pupil_id FROM meldingen m \
                 JOIN pupils p ON p.id = m.pupil WHERE m.municipality = ? \
                 ORDER BY m.school_id, p.pupil_id",
                args![municipality],
                |r| Ok((r.text("school_id")?, r.text("pupil_id")?)),
            )
            .await
    }

    /// Every melding to `municipality`, with the moment it reached a final status.
    pub async fn year_meldingen(&mut self, municipality: &str) -> Result<Vec<YearMelding>> {
        self.c()
            .fetch_map(
                "SELECT m.id, m.school_id, m.pupil, m.verzuim_kind, m.status, m.status_reason, \
                 m.created_at, (SELECT MAX(h.at) FROM melding_history h \
                   WHERE h.melding_id = m.id AND h.status IN \
                   ('afgesloten', 'ingetrokken', 'ter_kennisgeving_aangenomen')) AS final_at \
                 FROM meldingen m WHERE m.municipality = ? ORDER BY m.id",
                args![municipality],
                |r| {
                    Ok(YearMelding {
                        id: r.i64("id")?,
                        school_id: r.text("school_id")?,
                        pupil: r.i64("pupil")?,
                        verzuim_kind: r.text("verzuim_kind")?,
                        status: r.parsed("status", MeldingStatus::parse)?,
                        status_reason: r.opt_text("status_reason")?,
                        created_at: r.ts("created_at")?,
                        final_at: r.opt_ts("final_at")?,
                    })
                },
            )
            .await
    }

    /// Leerplicht's actions of `municipality` dated in `from..=until`.
    pub async fn year_actions(
        &mut self,
        municipality: &str,
        from: Date,
        until: Date,
    ) -> Result<Vec<YearAction>> {
        self.c()
            .fetch_map(
                "SELECT m.school_id, a.kind, a.action_date FROM leerplicht_actions a \
                 JOIN meldingen m ON m.id = a.melding_id \
                 WHERE a.municipality = ? AND m.municipality = ? \
                 AND a.action_date >= ? AND a.action_date <= ? ORDER BY a.id",
                args![municipality, municipality, from, until],
                |r| {
                    Ok(YearAction {
                        school_id: r.text("school_id")?,
                        kind: r.text("kind")?,
                        date: r.date("action_date")?,
                    })
                },
            )
            .await
    }

    /// The school's contact person for the register, if stored.
    pub async fn school_contact(&mut self, school_id: &str) -> Result<Option<SchoolContact>> {
        self.c()
            .fetch_optional(
                "SELECT name, function, phone, email FROM school_contacts WHERE school_id = ?",
                args![school_id],
            )
            .await?
            .map(|r| {
                Ok(SchoolContact {
                    name: r.text("name")?,
                    function: r.text("function")?,
                    phone: r.text("phone")?,
                    email: r.text("email")?,
                })
            })
            .transpose()
    }

    /// Stores (replaces) the school's contact person.
    pub async fn put_school_contact(&mut self, school_id: &str, c: &SchoolContact) -> Result<()> {
        let t = self.now();
        let n = self
            .c()
            .execute(
                "UPDATE school_contacts SET name = ?, function = ?, phone = ?, email = ?, \
                 updated_at = ? WHERE school_id = ?",
                args![&c.name, &c.function, &c.phone, &c.email, t, school_id],
            )
            .await?;
        if n == 0 {
            self.c()
                .execute(
                    "INSERT INTO school_contacts (school_id, name, function, phone, email, \
                     updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    args![school_id, &c.name, &c.function, &c.phone, &c.email, t],
                )
                .await?;
        }
        Ok(())
    }

    /// The register record of a melding, if the school stored one. Scope is the caller's
    /// business: read the melding through its scope first.
    pub async fn duo_record(&mut self, melding_id: MeldingId) -> Result<Option<DuoRecord>> {
        self.c()
            .fetch_optional(
                "SELECT * FROM duo_meldingen WHERE melding_id = ?",
                args![melding_id],
            )
            .await?
            .as_ref()
            .map(record_of)
            .transpose()
    }

    /// Stores (replaces) what the school adds to a melding; its submission stays.
    pub async fn put_duo_details(
        &mut self,
        melding_id: MeldingId,
        d: &DuoDetails,
        by: Actor,
    ) -> Result<()> {
        if !d.action_wanted
            && d.no_action_reason
                .as_deref()
                .is_none_or(|r| r.trim().is_empty())
        {
            return Err(StoreError::Invalid(
                "geen actie door de gemeente gewenst vraagt om een reden".into(),
            ));
        }
        let t = self.now();
        let values = args![
            &d.stay_street,
            &d.stay_postcode,
            &d.stay_city,
            &d.phone,
            d.phone_of.map(|p| p.as_str()),
            d.all_lessons_missed,
            d.action_wanted,
            &d.no_action_reason,
            &d.location,
            d.end_date,
            d.duo_closing_reason.map(|r| r.as_str()),
            t,
            by.to_string(),
            melding_id
        ];
        let n = self
            .c()
            .execute(
                "UPDATE duo_meldingen SET stay_street = ?, stay_postcode = ?, stay_city = ?, \
                 phone = ?, phone_of = ?, all_lessons_missed = ?, action_wanted = ?, \
                 no_action_reason = ?, location = ?, end_date = ?, duo_closing_reason = ?, \
                 updated_at = ?, updated_by = ? WHERE melding_id = ?",
                values.clone(),
            )
            .await?;
        if n == 0 {
            self.c()
                .execute(
                    "INSERT INTO duo_meldingen (stay_street, stay_postcode, stay_city, phone, \
                     phone_of, all_lessons_missed, action_wanted, no_action_reason, location, \
                     end_date, duo_closing_reason, updated_at, updated_by, melding_id) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    values,
                )
                .await?;
        }
        Ok(())
    }

    /// Records DUO's meldingsnummer and the day the school submitted the melding (the record
    /// must exist: the school fills in the register's fields first).
    pub async fn record_duo_submission(
        &mut self,
        melding_id: MeldingId,
        meldingsnummer: &str,
        on: Date,
        by: Actor,
    ) -> Result<()> {
        let t = self.now();
        let n = self
            .c()
            .execute(
                "UPDATE duo_meldingen SET meldingsnummer = ?, submitted_on = ?, updated_at = ?, \
                 updated_by = ? WHERE melding_id = ?",
                args![meldingsnummer, on, t, by.to_string(), melding_id],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.add_duo_status(melding_id, DuoStatus::Geregistreerd, on, None, by)
            .await
    }

    /// DUO's statuses of a melding the school recorded, oldest first (the last is current).
    pub async fn duo_status_history(
        &mut self,
        melding_id: MeldingId,
    ) -> Result<Vec<DuoStatusEntry>> {
        self.c()
            .fetch_map(
                "SELECT status, on_date, duo_closing_reason, recorded_at, recorded_by \
                 FROM duo_status_history WHERE melding_id = ? ORDER BY id",
                args![melding_id],
                |r| {
                    Ok(DuoStatusEntry {
                        status: r.parsed("status", DuoStatus::parse)?,
                        on: r.date("on_date")?,
                        duo_closing_reason: r
                            .opt_parsed("duo_closing_reason", DuoClosingReason::parse)?,
                        recorded_at: r.ts("recorded_at")?,
                        recorded_by: r.text("recorded_by")?,
                    })
                },
            )
            .await
    }

    /// Adds a DUO status of a melding (with DUO's closing reason exactly for `afgesloten`).
    pub async fn add_duo_status(
        &mut self,
        melding_id: MeldingId,
        status: DuoStatus,
        on: Date,
        reason: Option<DuoClosingReason>,
        by: Actor,
    ) -> Result<()> {
        if (status == DuoStatus::Afgesloten) != reason.is_some() {
            return Err(StoreError::Invalid(
                "een reden van afsluiten (DUO) hoort precies bij de status afgesloten".into(),
            ));
        }
        let t = self.now();
        self.c()
            .execute(
                "INSERT INTO duo_status_history (melding_id, status, on_date, \
                 duo_closing_reason, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?)",
                args![
                    melding_id,
                    status.as_str(),
                    on,
                    reason.map(|r| r.as_str()),
                    t,
                    by.to_string()
                ],
            )
            .await?;
        Ok(())
    }

    /// Records the day the school submitted the update (the einddatum) to the register.
    pub async fn record_duo_update(
        &mut self,
        melding_id: MeldingId,
        on: Date,
        by: Actor,
    ) -> Result<()> {
        let t = self.now();
        let n = self
            .c()
            .execute(
                "UPDATE duo_meldingen SET update_submitted_on = ?, updated_at = ?, \
                 updated_by = ? WHERE melding_id = ? AND submitted_on IS NOT NULL",
                args![on, t, by.to_string(), melding_id],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The registrations a melding reported, in the versions it reported (date order).
    pub async fn melding_evidence_spans(
        &mut self,
        melding_id: MeldingId,
    ) -> Result<Vec<EvidenceSpan>> {
        self.c()
            .fetch_map(
                "SELECT v.code, v.span_kind, v.date_from, v.date_until, v.time_from, \
                 v.time_until, e.minutes FROM melding_evidence e \
                 JOIN registration_versions v \
                   ON v.registration_id = e.registration_id AND v.version = e.version \
                 WHERE e.melding_id = ? ORDER BY v.date_from, v.time_from",
                args![melding_id],
                |r| {
                    Ok(EvidenceSpan {
                        code: r.parsed("code", Code::parse)?,
                        span: crate::overview::span_of(r)?,
                        minutes: r.opt_u32("minutes")?.unwrap_or(0),
                    })
                },
            )
            .await
    }
}
