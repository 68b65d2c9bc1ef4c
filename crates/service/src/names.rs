//! Names as pages show them: an organisation (a school, municipality or GGD-JGZ: public facts,
//! readable by every caller) and a user's display name (who did something in a history).

use verzuim_store::{Organisation, Store, UserId};

use crate::error::Result;

/// An organisation by its id (BRIN, CBS code, GGD-JGZ id).
pub async fn organisation(store: &Store, id: &str) -> Result<Option<Organisation>> {
    let mut tx = store.connection().await?;
    Ok(tx.organisation(id).await?)
}

/// A user's display name.
pub async fn user_name(store: &Store, id: UserId) -> Result<Option<String>> {
    let mut tx = store.connection().await?;
    Ok(tx.user(id).await?.map(|u| u.display_name))
}
