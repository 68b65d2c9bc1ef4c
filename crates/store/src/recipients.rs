//! Who outside a school received or read one of its pupil's data (AVG art. 15: the
//! recipients), for the school's inzage export: the municipalities its meldingen went to, the
//! GGD-JGZ organisations its referrals went to, and every audit row another organisation wrote
//! about the pupil (its reads and what it did). Organisation and time, never the person.

use jiff::Timestamp;
use serde::Serialize;

use crate::db::args;
use crate::{Result, Tx, pupil_ref};

/// One moment another organisation received or processed the pupil's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientEvent {
    pub organisation_id: String,
    /// The organisation's name and kind, when it is known.
    pub organisation_name: Option<String>,
    pub organisation_kind: Option<String>,
    pub at: Timestamp,
    /// `melding_ontvangen`, `verwijzing_ontvangen`, or the audit action (`pupil_read`,
    /// `pupil_write`, `letter`, …).
    pub what: String,
}

impl Tx {
    /// The recipients of a school's pupil, oldest first (what was received before what was
    /// read at the same moment; see the module).
    pub async fn pupil_recipients(
        &mut self,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Vec<RecipientEvent>> {
        let pupil = pupil_ref(school_id, pupil_id);
        self.c()
            .fetch_map(
                "SELECT x.organisation_id, x.at, x.what, o.name, o.kind FROM ( \
                   SELECT m.municipality AS organisation_id, m.created_at AS at, \
                          'melding_ontvangen' AS what, 0 AS rank \
                   FROM meldingen m JOIN pupils p ON p.id = m.pupil \
                   WHERE p.school_id = ? AND p.pupil_id = ? \
                   UNION ALL \
                   SELECT r.ggd_id, r.created_at, 'verwijzing_ontvangen', 0 \
                   FROM referrals r JOIN pupils p ON p.id = r.pupil \
                   WHERE p.school_id = ? AND p.pupil_id = ? \
                   UNION ALL \
                   SELECT a.organisation_id, a.at, a.action, 1 FROM audit_log a \
                   WHERE a.pupil = ? AND a.organisation_id IS NOT NULL \
                     AND a.organisation_id <> ? AND a.outcome = 'ok' \
                 ) x LEFT JOIN organisations o ON o.id = x.organisation_id \
                 ORDER BY x.at, x.rank, x.organisation_id, x.what",
                args![school_id, pupil_id, school_id, pupil_id, pupil, school_id],
                |r| {
                    Ok(RecipientEvent {
                        organisation_id: r.text("organisation_id")?,
                        organisation_name: r.opt_text("name")?,
                        organisation_kind: r.opt_text("kind")?,
                        at: r.ts("at")?,
                        what: r.text("what")?,
                    })
                },
            )
            .await
    }
}
