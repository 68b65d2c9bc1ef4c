//! Organisations as the API shows them: the directory of municipalities and GGD-JGZ
//! organisations, one organisation, and a school's settings as its beheerder and coordinator
//! read them.

use verzuim_store::{OrgKind, Organisation, Page, SchoolSettings, Store};

use crate::caller::{Caller, SETTINGS_READ_ROLES};
use crate::error::{Result, ServiceError};

/// The organisations of a kind, by name (open to anyone logged in: names and ids only).
pub async fn directory(store: &Store, kind: OrgKind, page: Page) -> Result<Vec<Organisation>> {
    let mut tx = store.connection().await?;
    Ok(tx.list_organisations(Some(kind), page).await?)
}

/// One organisation by id.
pub async fn organisation(store: &Store, id: &str) -> Result<Option<Organisation>> {
    let mut tx = store.connection().await?;
    Ok(tx.organisation(id).await?)
}

/// The names of the organisations `ids`, by id (those that exist).
pub async fn names(
    store: &Store,
    ids: &[String],
) -> Result<std::collections::HashMap<String, String>> {
    let mut tx = store.connection().await?;
    let mut names = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let chunk: Vec<&str> = chunk.iter().map(String::as_str).collect();
        names.extend(tx.organisation_names(&chunk).await?);
    }
    Ok(names)
}

/// A school's settings with its name and GGD-JGZ organisation.
#[derive(Debug, Clone)]
pub struct SettingsView {
    pub name: String,
    pub settings: SchoolSettings,
    pub ggd: Option<String>,
}

/// The settings of the caller's own school ([`ServiceError::NotFound`] before it has any).
pub async fn school_settings(
    store: &Store,
    caller: &Caller,
    school_id: &str,
) -> Result<SettingsView> {
    caller.require_school(
        school_id,
        SETTINGS_READ_ROLES,
        "de schoolinstellingen lezen",
    )?;
    let mut tx = store.connection().await?;
    let settings = tx
        .school_settings(school_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let name = tx
        .organisation(school_id)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    let ggd = tx.school_ggd(school_id).await?;
    Ok(SettingsView {
        name,
        settings,
        ggd,
    })
}
