//! The e-mail outbox (issue 12, docs/email.md) and each user's choice per kind of mail.
//!
//! A mail is written with [`Tx::enqueue_mail`] in the transaction of the action that causes it:
//! it exists exactly when the action does. The delivery worker of `verzuim serve` takes due rows
//! with [`Tx::claim_mail`] (a lease: while `claimed_until` lies ahead no other process takes the
//! row; on PostgreSQL `FOR UPDATE SKIP LOCKED` lets concurrent claimers pass each other, SQLite
//! has one writer), sends each with its own Message-ID, and only then marks it sent
//! ([`Tx::mail_sent`]); a failed attempt is rescheduled ([`Tx::mail_retry`]) or given up
//! ([`Tx::mail_failed`]).

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::db::{Arg, Row, args};
use crate::types::names;
use crate::workflow::{TASK_SELECT, task_of};
use crate::{Backend, Page, Result, Role, Task, Tx, UserId};

names! {
    /// What a mail is about. The texts are in the service (`verzuim_service::mail`).
    MailKind {
        Melding = "melding",
        Verwijzing = "verwijzing",
        Terugkoppeling = "terugkoppeling",
        Termijn = "termijn",
        Ouders = "ouders",
        Brief = "brief",
        Verlof = "verlof",
        Uitnodiging = "uitnodiging",
        Samenvatting = "samenvatting",
    }
}

names! {
    /// A user's choice for one kind of mail.
    MailMode { Direct = "direct", Dagelijks = "dagelijks", Uit = "uit" }
}

names! {
    /// Where a mail is: `pending` (to send), `held` (for the daily summary), `summarised` (taken
    /// into a summary), `sent` (the SMTP server accepted it), `failed` (refused, or out of
    /// attempts).
    MailStatus {
        Pending = "pending",
        Held = "held",
        Summarised = "summarised",
        Sent = "sent",
        Failed = "failed",
    }
}

/// A mail to write to the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    pub kind: MailKind,
    /// The address it goes to.
    pub recipient: String,
    /// The user it goes to (none for a parent).
    pub user_id: Option<UserId>,
    pub subject: String,
    /// The text, without the link (the worker adds the service's address before the path).
    pub body: String,
    /// The path of the page the mail points to (`/meldingen/12`, `/ouders`).
    pub link: Option<String>,
    /// At most one mail per key (`termijn:task:12:soon`): a second enqueue is ignored.
    pub dedup_key: Option<String>,
    /// For the recipient's daily summary, not to send on its own.
    pub held: bool,
}

/// A row of the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxMail {
    pub id: i64,
    pub kind: MailKind,
    pub recipient: String,
    pub user_id: Option<UserId>,
    pub subject: String,
    pub body: String,
    pub link: Option<String>,
    /// The left part of the Message-ID (random, fixed when the row was written).
    pub message_id: String,
    pub status: MailStatus,
    /// Attempts started (a claim counts one).
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
    pub claimed_by: Option<String>,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

fn mail_of(r: &Row) -> Result<OutboxMail> {
    Ok(OutboxMail {
        id: r.i64("id")?,
        kind: r.parsed("kind", MailKind::parse)?,
        recipient: r.text("recipient")?,
        user_id: r.opt_i64("user_id")?,
        subject: r.text("subject")?,
        body: r.text("body")?,
        link: r.opt_text("link")?,
        message_id: r.text("message_id")?,
        status: r.parsed("status", MailStatus::parse)?,
        attempts: r.u32("attempts")?,
        next_attempt_at: r.ts("next_attempt_at")?,
        claimed_by: r.opt_text("claimed_by")?,
        last_error: r.opt_text("last_error")?,
        created_at: r.ts("created_at")?,
        sent_at: r.opt_ts("sent_at")?,
    })
}

const MAIL_COLUMNS: &str = "id, kind, recipient, user_id, subject, body, link, message_id, \
     status, attempts, next_attempt_at, claimed_by, last_error, created_at, sent_at";

/// A random Message-ID left part: 128 bits in hex, with the service's name.
fn message_token() -> String {
    format!("verzuim.{:032x}", rand::random::<u128>())
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

impl Tx {
    /// Writes a mail to the outbox in this transaction (pending, or held for the daily
    /// summary). Returns its id, or `None` when a mail with the same `dedup_key` exists.
    pub async fn enqueue_mail(&mut self, mail: &NewMail) -> Result<Option<i64>> {
        let now = self.now();
        let status = if mail.held {
            MailStatus::Held
        } else {
            MailStatus::Pending
        };
        let row = self
            .c()
            .fetch_optional(
                "INSERT INTO mail_outbox (kind, recipient, user_id, subject, body, link, \
                   message_id, dedup_key, status, attempts, next_attempt_at, created_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) \
                 ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
                args![
                    mail.kind.as_str(),
                    mail.recipient.trim().to_lowercase(),
                    mail.user_id,
                    &mail.subject,
                    &mail.body,
                    &mail.link,
                    message_token(),
                    &mail.dedup_key,
                    status.as_str(),
                    now,
                    now
                ],
            )
            .await?;
        row.map(|r| r.i64("id")).transpose()
    }

    /// Claims up to `limit` due pending mails for `process` until `lease_until` (counting an
    /// attempt for each), oldest due first. A row another process holds (lease ahead) is not
    /// taken; on PostgreSQL rows another transaction is claiming are skipped, not waited for.
    pub async fn claim_mail(
        &mut self,
        process: &str,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<OutboxMail>> {
        let now = self.now();
        let lock = match self.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let mut claimed = self
            .c()
            .fetch_map(
                &format!(
                    "UPDATE mail_outbox SET claimed_by = ?, claimed_until = ?, \
                       attempts = attempts + 1 \
                     WHERE id IN (SELECT id FROM mail_outbox WHERE status = 'pending' \
                       AND next_attempt_at <= ? \
                       AND (claimed_until IS NULL OR claimed_until <= ?) \
                       ORDER BY next_attempt_at, id LIMIT ?{lock}) \
                     RETURNING {MAIL_COLUMNS}"
                ),
                args![process, lease_until, now, now, limit],
                mail_of,
            )
            .await?;
        claimed.sort_by_key(|m| (m.next_attempt_at, m.id));
        Ok(claimed)
    }

    /// The SMTP server accepted the mail: it is sent (whoever holds the claim now). `false`
    /// when it was no longer pending. An invitation's one-time link (kind `uitnodiging`) is
    /// removed from the row with it: the outbox keeps no usable link once it was handed over.
    pub async fn mail_sent(&mut self, id: i64) -> Result<bool> {
        let now = self.now();
        let n = self
            .c()
            .execute(
                "UPDATE mail_outbox SET status = 'sent', sent_at = ?, claimed_by = NULL, \
                   claimed_until = NULL, last_error = NULL, \
                   link = CASE WHEN kind = 'uitnodiging' THEN NULL ELSE link END \
                 WHERE id = ? AND status = 'pending'",
                args![now, id],
            )
            .await?;
        Ok(n == 1)
    }

    /// An attempt of `process` failed for a reason that may pass: the mail is tried again from
    /// `next_attempt_at`. Does nothing when another process has claimed it since.
    pub async fn mail_retry(
        &mut self,
        id: i64,
        process: &str,
        error: &str,
        next_attempt_at: Timestamp,
    ) -> Result<bool> {
        let n = self
            .c()
            .execute(
                "UPDATE mail_outbox SET next_attempt_at = ?, last_error = ?, claimed_by = NULL, \
                   claimed_until = NULL \
                 WHERE id = ? AND status = 'pending' AND claimed_by = ?",
                args![next_attempt_at, error, id, process],
            )
            .await?;
        Ok(n == 1)
    }

    /// The server refused the mail for good, or its attempts are used up: it is `failed` and
    /// stays in the outbox with the error (an invitation without its one-time link).
    pub async fn mail_failed(&mut self, id: i64, process: &str, error: &str) -> Result<bool> {
        let n = self
            .c()
            .execute(
                "UPDATE mail_outbox SET status = 'failed', last_error = ?, claimed_by = NULL, \
                   claimed_until = NULL, \
                   link = CASE WHEN kind = 'uitnodiging' THEN NULL ELSE link END \
                 WHERE id = ? AND status = 'pending' AND claimed_by = ?",
                args![error, id, process],
            )
            .await?;
        Ok(n == 1)
    }

    /// One row of the outbox.
    pub async fn outbox_mail(&mut self, id: i64) -> Result<Option<OutboxMail>> {
        self.c()
            .fetch_optional(
                &format!("SELECT {MAIL_COLUMNS} FROM mail_outbox WHERE id = ?"),
                args![id],
            )
            .await?
            .as_ref()
            .map(mail_of)
            .transpose()
    }

    /// The outbox, newest first: every row, or those to one address.
    pub async fn outbox(&mut self, recipient: Option<&str>, page: Page) -> Result<Vec<OutboxMail>> {
        let (clause, mut a) = match recipient {
            Some(r) => ("WHERE recipient = ?", args![r.trim().to_lowercase()]),
            None => ("", Vec::new()),
        };
        a.extend(args![page.limit(), page.offset()]);
        self.c()
            .fetch_map(
                &format!(
                    "SELECT {MAIL_COLUMNS} FROM mail_outbox {clause} ORDER BY id DESC \
                     LIMIT ? OFFSET ?"
                ),
                a,
                mail_of,
            )
            .await
    }

    /// The mails held for daily summaries, per recipient in order.
    pub async fn held_mail(&mut self) -> Result<Vec<OutboxMail>> {
        self.c()
            .fetch_map(
                &format!(
                    "SELECT {MAIL_COLUMNS} FROM mail_outbox WHERE status = 'held' \
                     ORDER BY recipient, id"
                ),
                Vec::new(),
                mail_of,
            )
            .await
    }

    /// Marks held mails as taken into a summary.
    pub async fn mail_summarised(&mut self, ids: &[i64]) -> Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let a: Vec<Arg> = ids.iter().map(|&id| Arg::from(id)).collect();
        self.c()
            .execute(
                &format!(
                    "UPDATE mail_outbox SET status = 'summarised' \
                     WHERE status = 'held' AND id IN ({})",
                    placeholders(ids.len())
                ),
                a,
            )
            .await
    }

    /// Removes sent, summarised and failed mails written before `before` (the daily job keeps
    /// the outbox small; a mail holds no pupil data).
    pub async fn purge_mail(&mut self, before: Timestamp) -> Result<u64> {
        self.c()
            .execute(
                "DELETE FROM mail_outbox WHERE status IN ('sent', 'summarised', 'failed') \
                 AND created_at < ?",
                args![before],
            )
            .await
    }

    /// Invitations (kind `uitnodiging`) written before `before` (their link has expired): the
    /// one-time link is removed from the row, and one still waiting to be sent is `failed` (a
    /// mail with a dead link is not sent). Returns how many rows lost their link.
    pub async fn expire_invitation_links(&mut self, before: Timestamp) -> Result<u64> {
        self.c()
            .execute(
                "UPDATE mail_outbox SET link = NULL, \
                   last_error = CASE WHEN status IN ('pending', 'held') \
                     THEN 'de uitnodiging is verlopen voordat de e-mail bezorgd kon worden' \
                     ELSE last_error END, \
                   status = CASE WHEN status IN ('pending', 'held') THEN 'failed' \
                     ELSE status END, \
                   claimed_by = NULL, claimed_until = NULL \
                 WHERE kind = 'uitnodiging' AND link IS NOT NULL AND created_at < ?",
                args![before],
            )
            .await
    }

    /// A user's choices (kinds without a row are `direct`).
    pub async fn mail_preferences(&mut self, user_id: UserId) -> Result<Vec<(MailKind, MailMode)>> {
        self.c()
            .fetch_map(
                "SELECT kind, mode FROM mail_preferences WHERE user_id = ? ORDER BY kind",
                args![user_id],
                |r| {
                    Ok((
                        r.parsed("kind", MailKind::parse)?,
                        r.parsed("mode", MailMode::parse)?,
                    ))
                },
            )
            .await
    }

    /// A user's choice for one kind (`direct` when none is stored).
    pub async fn mail_mode(&mut self, user_id: UserId, kind: MailKind) -> Result<MailMode> {
        let row = self
            .c()
            .fetch_optional(
                "SELECT mode FROM mail_preferences WHERE user_id = ? AND kind = ?",
                args![user_id, kind.as_str()],
            )
            .await?;
        Ok(match row {
            Some(r) => r.parsed("mode", MailMode::parse)?,
            None => MailMode::Direct,
        })
    }

    /// Stores a user's choice for one kind.
    pub async fn set_mail_preference(
        &mut self,
        user_id: UserId,
        kind: MailKind,
        mode: MailMode,
    ) -> Result<()> {
        self.c()
            .execute(
                "INSERT INTO mail_preferences (user_id, kind, mode) VALUES (?, ?, ?) \
                 ON CONFLICT (user_id, kind) DO UPDATE SET mode = excluded.mode",
                args![user_id, kind.as_str(), mode.as_str()],
            )
            .await?;
        Ok(())
    }

    /// The users of an organisation in one of `roles`: id and e-mail address, each once.
    pub async fn members_with_roles(
        &mut self,
        organisation_id: &str,
        roles: &[Role],
    ) -> Result<Vec<(UserId, String)>> {
        if roles.is_empty() {
            return Ok(Vec::new());
        }
        let mut a = args![organisation_id];
        a.extend(roles.iter().map(|r| Arg::from(r.as_str())));
        self.c()
            .fetch_map(
                &format!(
                    "SELECT DISTINCT u.id, u.email FROM memberships m \
                     JOIN users u ON u.id = m.user_id \
                     WHERE m.organisation_id = ? AND m.role IN ({}) ORDER BY u.id",
                    placeholders(roles.len())
                ),
                a,
                |r| Ok((r.i64("id")?, r.text("email")?)),
            )
            .await
    }

    /// Every open task with a deadline on or before `by`, in id order (the deadline mail).
    pub async fn open_tasks_due_by(&mut self, by: Date) -> Result<Vec<Task>> {
        self.c()
            .fetch_map(
                &format!(
                    "{TASK_SELECT} WHERE t.status = 'open' AND t.due IS NOT NULL AND t.due <= ? \
                     ORDER BY t.id"
                ),
                args![by],
                task_of,
            )
            .await
    }
}
