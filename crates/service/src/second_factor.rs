//! The second factor of an organisation's users, for its beheerder (security.md, Identity):
//! who has one, requiring one of every user, and removing a user's lost one. The users' own
//! steps (setting one up, the code at login) are the server's `auth::login`.

use verzuim_store::{MemberSecondFactor, Store, UserId};

use crate::caller::Caller;
use crate::error::{Result, ServiceError};
use crate::users::require_admin;

/// The organisation's users, each with their second factor (confirmed or not, recovery codes
/// left), by e-mail address.
pub async fn members(
    store: &Store,
    caller: &Caller,
    organisation: &str,
) -> Result<Vec<MemberSecondFactor>> {
    require_admin(
        caller,
        organisation,
        "de tweede factor van gebruikers bekijken",
    )?;
    let mut tx = store.connection().await?;
    Ok(tx.members_second_factor(organisation).await?)
}

/// Whether the organisation requires a second factor of its users.
pub async fn required(store: &Store, caller: &Caller, organisation: &str) -> Result<bool> {
    require_admin(
        caller,
        organisation,
        "de tweede factor van gebruikers bekijken",
    )?;
    let mut tx = store.connection().await?;
    tx.second_factor_required(organisation)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Requires (or no longer requires) a second factor of the organisation's users. Those without
/// one set it up at their next request.
pub async fn set_required(
    store: &Store,
    caller: &Caller,
    organisation: &str,
    required: bool,
) -> Result<()> {
    require_admin(caller, organisation, "de tweede factor verplicht stellen")?;
    let mut tx = store.begin().await?;
    tx.set_second_factor_required(organisation, required)
        .await?;
    caller.write_audit(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes the second factor (and recovery codes) of a user of the organisation who lost it,
/// and ends their sessions: they set up a new one after their next password. Not one's own (a
/// user who can log in has no lost second factor; another beheerder resets it). False when the
/// user had none.
pub async fn reset(
    store: &Store,
    caller: &Caller,
    organisation: &str,
    user_id: UserId,
) -> Result<bool> {
    require_admin(caller, organisation, "een tweede factor opnieuw instellen")?;
    if caller.user == Some(user_id) {
        return Err(ServiceError::invalid(
            "uw eigen tweede factor stelt een andere beheerder opnieuw in",
        ));
    }
    let mut tx = store.begin().await?;
    let member = tx
        .memberships_of_user(user_id)
        .await?
        .iter()
        .any(|m| m.organisation_id == organisation);
    if !member {
        return Err(ServiceError::NotFound);
    }
    let had = tx.reset_second_factor(user_id).await?;
    caller.write_audit(&mut tx).await?;
    tx.commit().await?;
    Ok(had)
}
