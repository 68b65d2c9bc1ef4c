//! An organisation's API tokens (security.md, API tokens): made, listed and revoked by its
//! beheerder, each change with its audit row in the same transaction.

use verzuim_store::{ApiToken, AuditEntry, NewApiToken, Page, Store, TokenId};

use crate::caller::Caller;
use crate::error::Result;
use crate::users::require_admin;

/// Stores a new token (its hash) for the organisation; `audit` gives the row of the new id, which
/// commits with it.
pub async fn create(
    store: &Store,
    caller: &Caller,
    token: &NewApiToken,
    audit: impl FnOnce(TokenId) -> AuditEntry,
) -> Result<TokenId> {
    require_admin(caller, &token.organisation_id, "API-tokens maken")?;
    let mut tx = store.begin().await?;
    let id = tx.create_api_token(token, caller.actor()).await?;
    tx.audit(&audit(id)).await?;
    tx.commit().await?;
    Ok(id)
}

/// The organisation's tokens, revoked ones included (never the secrets).
pub async fn list(
    store: &Store,
    caller: &Caller,
    organisation: &str,
    page: Page,
) -> Result<Vec<ApiToken>> {
    require_admin(caller, organisation, "API-tokens bekijken")?;
    let mut tx = store.connection().await?;
    Ok(tx.list_api_tokens(organisation, page).await?)
}

/// Revokes a live token of the organisation, with its audit row; `false` when there was none.
pub async fn revoke(
    store: &Store,
    caller: &Caller,
    organisation: &str,
    id: TokenId,
    audit: &AuditEntry,
) -> Result<bool> {
    require_admin(caller, organisation, "API-tokens intrekken")?;
    let mut tx = store.begin().await?;
    if !tx.revoke_api_token(organisation, id).await? {
        return Ok(false);
    }
    tx.audit(audit).await?;
    tx.commit().await?;
    Ok(true)
}
