//! GGD-JGZ's invitations of a referred pupil: the date and time of the appointment, readable by
//! the GGD-JGZ organisation only. Recording one takes the referral up (`aangemeld` or
//! `niet_verschenen_zonder_tegenbericht` -> `in_behandeling`, with a history row) and writes the
//! timeline line `verwijzing_uitnodiging` (without the appointment: the school sees that the
//! pupil was invited, not when).

use jiff::civil::Date;
use verzuim_store::NewTimelineEntry;
use verzuim_store::leerplicht_queries::Invitation;
use verzuim_store::{ReferralId, ReferralStatus, Scope, Store};

use crate::caller::{Caller, JGZ_ROLES};
use crate::error::{Result, ServiceError};

/// Records an invitation for an appointment on `date` at `time` (minutes after midnight).
/// Returns the invitation's id.
pub async fn record_invitation(
    store: &Store,
    caller: &Caller,
    referral_id: ReferralId,
    date: Date,
    time: u16,
) -> Result<i64> {
    caller.require_role(JGZ_ROLES, "een uitnodiging vastleggen")?;
    if time >= 24 * 60 {
        return Err(ServiceError::invalid("de tijd van de afspraak is ongeldig"));
    }
    let scope = Scope::Ggd(&caller.organisation);
    let by = caller.actor();
    let mut tx = store.begin().await?;
    let referral = tx
        .referral(scope, referral_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if matches!(
        referral.status,
        ReferralStatus::Afgerond | ReferralStatus::Ingetrokken
    ) {
        return Err(ServiceError::invalid(
            "de verwijzing loopt niet meer: een uitnodiging hoort bij een lopende verwijzing",
        ));
    }
    let id = tx
        .add_invitation(&caller.organisation, referral_id, date, time, by)
        .await?;
    let link = tx.referral_link(scope, referral_id).await?;
    let signal_id = link.and_then(|l| l.signal_id);
    let from = [
        ReferralStatus::Aangemeld,
        ReferralStatus::NietVerschenenZonderTegenbericht,
    ];
    let taken_up = from.contains(&referral.status)
        && tx
            .set_referral_status_if(scope, referral_id, &from, ReferralStatus::InBehandeling, by)
            .await?;
    tx.add_timeline(
        &NewTimelineEntry {
            case_id: referral.case_id,
            entry: "verwijzing_uitnodiging".into(),
            signal_id,
            detail: Some(if taken_up {
                "Verwijzing GGD-JGZ: leerling uitgenodigd voor een afspraak (in behandeling)".into()
            } else {
                "Verwijzing GGD-JGZ: leerling uitgenodigd voor een afspraak".into()
            }),
        },
        by,
    )
    .await?;
    caller.write_audit(&mut tx).await?;
    tx.commit().await?;
    Ok(id)
}

/// The invitations of a referral to the caller's GGD-JGZ, oldest first (nobody else reads them).
pub async fn invitations(
    store: &Store,
    caller: &Caller,
    referral_id: ReferralId,
) -> Result<Vec<Invitation>> {
    caller.require_role(JGZ_ROLES, "uitnodigingen van de GGD-JGZ lezen")?;
    let mut tx = store.connection().await?;
    Ok(tx.invitations(&caller.organisation, referral_id).await?)
}

/// The kind of verzuim a referral came from (its signal), as the school that made it or the
/// GGD-JGZ it went to sees it; `None` for a referral without a signal.
pub async fn referral_kind(
    store: &Store,
    caller: &Caller,
    referral_id: ReferralId,
) -> Result<Option<verzuim_engine::model::SignalKind>> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    let referral = tx
        .referral(scope, referral_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let Some(signal_id) = tx
        .referral_link(scope, referral_id)
        .await?
        .and_then(|l| l.signal_id)
    else {
        return Ok(None);
    };
    Ok(tx
        .signal_by_id(&referral.school_id, signal_id)
        .await?
        .map(|s| s.kind))
}
