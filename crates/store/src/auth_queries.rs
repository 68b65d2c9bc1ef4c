//! Queries of the server's auth and audit routes: a health probe, and the audit log filtered
//! by pupil, user, action and time (within one organisation, as every audit read is).

use jiff::Timestamp;

use crate::db::{Arg, Row, args};
use crate::{AuditRecord, Page, Result, Store, Tx, UserId};

/// Which audit rows to return, besides the organisation. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// `school_id/pupil_id` (see [`crate::pupil_ref`]).
    pub pupil: Option<String>,
    pub user_id: Option<UserId>,
    pub action: Option<String>,
    /// Rows at or after this moment.
    pub from: Option<Timestamp>,
    /// Rows before this moment.
    pub until: Option<Timestamp>,
    /// Rows with a larger id (keyset paging for exports: pass the last id seen).
    pub after_id: Option<i64>,
    /// Newest first (the beheerder's page); oldest first otherwise (exports, the API).
    pub newest_first: bool,
}

fn audit_of(r: &Row) -> Result<AuditRecord> {
    Ok(AuditRecord {
        id: r.i64("id")?,
        at: r.ts("at")?,
        user_id: r.opt_i64("user_id")?,
        actor: r.text("actor")?,
        organisation_id: r.opt_text("organisation_id")?,
        action: r.text("action")?,
        object: r.text("object")?,
        pupil: r.opt_text("pupil")?,
        address: r.opt_text("address")?,
        outcome: r.text("outcome")?,
    })
}

impl Tx {
    /// A trivial query: whether the database answers.
    pub async fn ping(&mut self) -> Result<()> {
        self.c().fetch_one("SELECT 1 AS one", args![]).await?;
        Ok(())
    }

    /// An organisation's audit rows that match the filter, oldest first (newest first with
    /// [`AuditFilter::newest_first`]).
    pub async fn search_audit_log(
        &mut self,
        organisation_id: &str,
        filter: &AuditFilter,
        page: Page,
    ) -> Result<Vec<AuditRecord>> {
        let mut sql = String::from("SELECT * FROM audit_log WHERE organisation_id = ?");
        let mut args: Vec<Arg> = args![organisation_id];
        if let Some(p) = &filter.pupil {
            sql.push_str(" AND pupil = ?");
            args.push(p.into());
        }
        if let Some(u) = filter.user_id {
            sql.push_str(" AND user_id = ?");
            args.push(u.into());
        }
        if let Some(a) = &filter.action {
            sql.push_str(" AND action = ?");
            args.push(a.into());
        }
        if let Some(t) = filter.from {
            sql.push_str(" AND at >= ?");
            args.push(t.into());
        }
        if let Some(t) = filter.until {
            sql.push_str(" AND at < ?");
            args.push(t.into());
        }
        if let Some(id) = filter.after_id {
            sql.push_str(" AND id > ?");
            args.push(id.into());
        }
        sql.push_str(if filter.newest_first {
            " ORDER BY id DESC LIMIT ? OFFSET ?"
        } else {
            " ORDER BY id LIMIT ? OFFSET ?"
        });
        args.push(page.limit().into());
        args.push(page.offset().into());
        self.c().fetch_map(&sql, args, audit_of).await
    }
}

impl Store {
    /// [`Tx::ping`] on a pooled connection.
    pub async fn ping(&self) -> Result<()> {
        self.reader().await?.ping().await
    }

    /// [`Tx::search_audit_log`] on a pooled connection.
    pub async fn search_audit_log(
        &self,
        organisation_id: &str,
        filter: &AuditFilter,
        page: Page,
    ) -> Result<Vec<AuditRecord>> {
        self.reader()
            .await?
            .search_audit_log(organisation_id, filter, page)
            .await
    }
}
