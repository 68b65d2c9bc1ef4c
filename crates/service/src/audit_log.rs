//! An organisation's audit log as its beheerder reads it (security.md, Audit log): filtered,
//! page by page (the export reads it with a keyset filter, `after_id`).

use verzuim_store::auth_queries::AuditFilter;
use verzuim_store::{AuditRecord, Page, Store};

use crate::caller::Caller;
use crate::error::Result;
use crate::users::require_admin;

/// A page of the organisation's audit log rows that match `filter`.
pub async fn search(
    store: &Store,
    caller: &Caller,
    organisation: &str,
    filter: &AuditFilter,
    page: Page,
) -> Result<Vec<AuditRecord>> {
    require_admin(caller, organisation, "het auditlog lezen")?;
    Ok(store.search_audit_log(organisation, filter, page).await?)
}
