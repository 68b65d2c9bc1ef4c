//! Names as pages show them: a user's display name (who did something in a history; an
//! organisation's name: [`crate::organisations::organisation`]).

use verzuim_store::{Store, User, UserId};

use crate::error::Result;

/// A user's display name.
pub async fn user_name(store: &Store, id: UserId) -> Result<Option<String>> {
    let mut tx = store.connection().await?;
    Ok(tx.user(id).await?.map(|u| u.display_name))
}

/// A user (the parents' portal logs in a parent who just accepted an invitation).
pub async fn user(store: &Store, id: UserId) -> Result<Option<User>> {
    let mut tx = store.connection().await?;
    Ok(tx.user(id).await?)
}
