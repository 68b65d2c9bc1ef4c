//! Aggregate reads for the overview pages (`/overzicht`): a school's pupils with their group
//! and enrolment, its current registrations over a period, its signals per kind; and a
//! municipality's meldingen. One query each, so a school of 500 pupils is read in a few
//! milliseconds. Visibility is the service's business (`verzuim_service::overview`).

use jiff::Timestamp;
use jiff::civil::Date;
use verzuim_engine::model::{Code, Registration, Span};

use crate::db::{Row, args};
use crate::{MeldingStatus, Result, Store, StoreError, Tx};

/// A pupil's group and enrolment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverviewPupil {
    pub pupil_id: String,
    pub group: String,
    pub enrolled_from: Date,
    pub enrolled_until: Option<Date>,
}

/// A current (not deleted) registration of a pupil.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverviewRegistration {
    pub pupil_id: String,
    pub group: String,
    pub registration: Registration,
}

/// One melding as the municipality's overview counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverviewMelding {
    pub school_id: String,
    pub status: MeldingStatus,
    pub created_at: Timestamp,
}

pub(crate) fn span_of(r: &Row) -> Result<Span> {
    Ok(match r.text("span_kind")?.as_str() {
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
    })
}

impl Tx {
    /// Every pupil of a school whose enrolment overlaps `from..=until`.
    pub async fn overview_pupils(
        &mut self,
        school_id: &str,
        from: Date,
        until: Date,
    ) -> Result<Vec<OverviewPupil>> {
        self.c()
            .fetch_map(
                "SELECT pupil_id, group_name, enrolled_from, enrolled_until FROM pupils \
                 WHERE school_id = ? AND enrolled_from <= ? \
                 AND (enrolled_until IS NULL OR enrolled_until >= ?) ORDER BY pupil_id",
                args![school_id, until, from],
                |r| {
                    Ok(OverviewPupil {
                        pupil_id: r.text("pupil_id")?,
                        group: r.text("group_name")?,
                        enrolled_from: r.date("enrolled_from")?,
                        enrolled_until: r.opt_date("enrolled_until")?,
                    })
                },
            )
            .await
    }

    /// The current version of every registration of a school's pupils that touches
    /// `from..=until`.
    pub async fn overview_registrations(
        &mut self,
        school_id: &str,
        from: Date,
        until: Date,
    ) -> Result<Vec<OverviewRegistration>> {
        self.c()
            .fetch_map(
                "SELECT p.pupil_id, p.group_name, v.code, v.span_kind, v.date_from, \
                 v.date_until, v.time_from, v.time_until, v.minutes_late \
                 FROM registrations r JOIN pupils p ON p.id = r.pupil \
                 JOIN registration_versions v \
                   ON v.registration_id = r.id AND v.version = r.current_version \
                 WHERE p.school_id = ? AND v.deleted = FALSE \
                 AND v.date_from <= ? AND v.date_until >= ?",
                args![school_id, until, from],
                |r| {
                    Ok(OverviewRegistration {
                        pupil_id: r.text("pupil_id")?,
                        group: r.text("group_name")?,
                        registration: Registration {
                            code: r.parsed("code", Code::parse)?,
                            span: span_of(r)?,
                            minutes_late: r.opt_u32("minutes_late")?,
                        },
                    })
                },
            )
            .await
    }

    /// The number of active signals of a school per kind and group, dated in `from..=until`:
    /// `(kind, group, count)`.
    pub async fn overview_signal_counts(
        &mut self,
        school_id: &str,
        from: Date,
        until: Date,
    ) -> Result<Vec<(String, String, u64)>> {
        self.c()
            .fetch_map(
                "SELECT s.kind, p.group_name, COUNT(*) AS n FROM signals s \
                 JOIN pupils p ON p.id = s.pupil \
                 WHERE p.school_id = ? AND s.status = 'active' AND s.date >= ? AND s.date <= ? \
                 GROUP BY s.kind, p.group_name ORDER BY s.kind, p.group_name",
                args![school_id, from, until],
                |r| Ok((r.text("kind")?, r.text("group_name")?, r.u64("n")?)),
            )
            .await
    }

    /// Every melding to a municipality.
    pub async fn overview_meldingen(&mut self, municipality: &str) -> Result<Vec<OverviewMelding>> {
        self.c()
            .fetch_map(
                "SELECT school_id, status, created_at FROM meldingen WHERE municipality = ? \
                 ORDER BY created_at",
                args![municipality],
                |r| {
                    Ok(OverviewMelding {
                        school_id: r.text("school_id")?,
                        status: r.parsed("status", MeldingStatus::parse)?,
                        created_at: r.ts("created_at")?,
                    })
                },
            )
            .await
    }
}

impl Store {
    /// [`Tx::overview_pupils`] on a pooled connection.
    pub async fn overview_pupils(
        &self,
        school_id: &str,
        from: Date,
        until: Date,
    ) -> Result<Vec<OverviewPupil>> {
        self.reader()
            .await?
            .overview_pupils(school_id, from, until)
            .await
    }
}
