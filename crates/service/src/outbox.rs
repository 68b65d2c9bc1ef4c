//! The outbox as its delivery worker and the demo mailbox use it (docs/email.md): claiming a due
//! mail under a lease, marking it sent, failed or due again. The mails themselves are written
//! by the workflow ([`crate::mail`]) in the transaction of the change they tell about.

use jiff::Timestamp;
use verzuim_store::outbox::OutboxMail;
use verzuim_store::{Page, Store};

use crate::error::Result;

/// Claims the oldest due mail for `process` until `lease_until` (an attempt is counted), if any.
pub async fn claim_next(
    store: &Store,
    process: &str,
    lease_until: Timestamp,
) -> Result<Option<OutboxMail>> {
    Ok(store
        .claim_mail(process, lease_until, 1)
        .await?
        .into_iter()
        .next())
}

/// The mail was accepted by the SMTP server.
pub async fn sent(store: &Store, id: i64) -> Result<bool> {
    Ok(store.mail_sent(id).await?)
}

/// The mail is given up (refused, or every attempt used).
pub async fn failed(store: &Store, id: i64, process: &str, error: &str) -> Result<bool> {
    Ok(store.mail_failed(id, process, error).await?)
}

/// The mail is tried again at `next_attempt_at`.
pub async fn retry(
    store: &Store,
    id: i64,
    process: &str,
    error: &str,
    next_attempt_at: Timestamp,
) -> Result<bool> {
    Ok(store
        .mail_retry(id, process, error, next_attempt_at)
        .await?)
}

/// The outbox, newest first: every mail, or those to one address. Only for the demo's mailbox
/// (`serve --demo`, invented data): it is not scoped to a caller.
pub async fn demo_mailbox(
    store: &Store,
    recipient: Option<&str>,
    page: Page,
) -> Result<Vec<OutboxMail>> {
    Ok(store.outbox(recipient, page).await?)
}
