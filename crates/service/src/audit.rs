//! Audit rows that describe no write of the service: what a person read, the steps of a login,
//! a refused request (security.md, Audit log). A write's own row commits in the write's
//! transaction instead (see [`crate::Caller::audited`]).

use verzuim_store::{AuditEntry, Store};

use crate::error::Result;

/// Appends the rows, in one transaction.
pub async fn append(store: &Store, rows: &[AuditEntry]) -> Result<()> {
    let mut tx = store.begin().await?;
    for row in rows {
        tx.audit(row).await?;
    }
    tx.commit().await?;
    Ok(())
}
