//! The referral's "digitaal aanmeldingsformulier" (what the school filled in when it referred)
//! and GGD-JGZ's afspraken fed back to the school (issue 11; kaart Twente PO, "** ZIEKTE").
//!
//! Tables: `migrations/*/0100_referral_form.sql`. Every read names the referral's school or its
//! GGD-JGZ organisation ([`Scope::School`], [`Scope::Ggd`]); a municipality reads nothing here.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::db::{Arg, args};
use crate::{Actor, InformedHow, ReferralId, Result, Scope, StoreError, Tx};

/// What the school filled in on the digitaal aanmeldingsformulier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralForm {
    pub referral_id: ReferralId,
    /// The school's question to GGD-JGZ.
    pub question: String,
    /// What the school already did.
    pub school_actions: String,
    /// Whether the parents consented to the referral.
    pub parents_consent: bool,
    /// When the parents were informed of the referral.
    pub parents_informed_on: Date,
    /// How they were informed.
    pub parents_informed_how: InformedHow,
}

/// Agreements GGD-JGZ fed back to the school, exactly as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralAfspraak {
    pub id: i64,
    pub referral_id: ReferralId,
    pub text: String,
    pub created_at: Timestamp,
    pub created_by: String,
}

/// The referral's parties as SQL over `r` (referrals); a municipality has none.
fn parties(scope: Scope<'_>) -> Option<(&'static str, Arg)> {
    match scope {
        Scope::School(s) => Some(("r.school_id = ?", Arg::from(s))),
        Scope::Ggd(g) => Some(("r.ggd_id = ?", Arg::from(g))),
        Scope::Municipality(_) => None,
    }
}

impl Tx {
    /// Stores the form of a referral the school `school_id` made (once per referral).
    pub async fn put_referral_form(&mut self, school_id: &str, form: &ReferralForm) -> Result<()> {
        let n = self
            .c()
            .execute(
                "INSERT INTO referral_forms (referral_id, question, school_actions, \
                 parents_consent, parents_informed_on, parents_informed_how) \
                 SELECT r.id, ?, ?, ?, ?, ? FROM referrals r WHERE r.id = ? AND r.school_id = ?",
                args![
                    &form.question,
                    &form.school_actions,
                    form.parents_consent,
                    form.parents_informed_on,
                    form.parents_informed_how.as_str(),
                    form.referral_id,
                    school_id
                ],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The form of a referral, for the school that made it or the GGD-JGZ it went to.
    pub async fn referral_form(
        &mut self,
        scope: Scope<'_>,
        referral_id: ReferralId,
    ) -> Result<Option<ReferralForm>> {
        let Some((clause, arg)) = parties(scope) else {
            return Ok(None);
        };
        let row = self
            .c()
            .fetch_optional(
                &format!(
                    "SELECT f.* FROM referral_forms f JOIN referrals r ON r.id = f.referral_id \
                     WHERE f.referral_id = ? AND {clause}"
                ),
                vec![referral_id.into(), arg],
            )
            .await?;
        let Some(r) = row else { return Ok(None) };
        let how = r.text("parents_informed_how")?;
        Ok(Some(ReferralForm {
            referral_id: r.i64("referral_id")?,
            question: r.text("question")?,
            school_actions: r.text("school_actions")?,
            parents_consent: r.bool("parents_consent")?,
            parents_informed_on: r.date("parents_informed_on")?,
            parents_informed_how: InformedHow::parse(&how)
                .ok_or_else(|| StoreError::Corrupt(format!("parents_informed_how {how}")))?,
        }))
    }

    /// GGD-JGZ `ggd_id` records afspraken for the school on a referral to it.
    pub async fn add_referral_afspraak(
        &mut self,
        ggd_id: &str,
        referral_id: ReferralId,
        text: &str,
        by: Actor,
    ) -> Result<i64> {
        let now = self.now();
        self.c()
            .fetch_optional(
                "INSERT INTO referral_afspraken (referral_id, ggd_id, text, created_at, \
                 created_by) SELECT r.id, r.ggd_id, ?, ?, ? FROM referrals r \
                 WHERE r.id = ? AND r.ggd_id = ? RETURNING id",
                args![text, now, by.to_string(), referral_id, ggd_id],
            )
            .await?
            .ok_or(StoreError::NotFound)?
            .i64("id")
    }

    /// The afspraken of a referral, oldest first, for the school that made it or the GGD-JGZ it
    /// went to.
    pub async fn referral_afspraken(
        &mut self,
        scope: Scope<'_>,
        referral_id: ReferralId,
    ) -> Result<Vec<ReferralAfspraak>> {
        let Some((clause, arg)) = parties(scope) else {
            return Ok(Vec::new());
        };
        self.c()
            .fetch_map(
                &format!(
                    "SELECT a.* FROM referral_afspraken a JOIN referrals r ON r.id = a.referral_id \
                     WHERE a.referral_id = ? AND {clause} ORDER BY a.id"
                ),
                vec![referral_id.into(), arg],
                |r| {
                    Ok(ReferralAfspraak {
                        id: r.i64("id")?,
                        referral_id: r.i64("referral_id")?,
                        text: r.text("text")?,
                        created_at: r.ts("created_at")?,
                        created_by: r.text("created_by")?,
                    })
                },
            )
            .await
    }
}
