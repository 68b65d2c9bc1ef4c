//! The workflow service's queries (`verzuim-service`), one module per entity: cases, signals,
//! tasks, meldingen, referrals, a case's timeline, the pupil's records as a party may see them,
//! organisations, and retention of these tables.
//!
//! Tables: `migrations/*/0002_service.sql` and later. Visibility is part of every query's SQL: a
//! case is visible to a school for its own pupils, to a municipality when a melding of that case
//! went to it, to a GGD-JGZ organisation when a referral of that case went to it.
//!
//! What belongs to a case (its signals, tasks, task links, timeline, meldingen and referrals) is
//! read by one query per entity for either one case or every case of a pupil ([`CasesOf`]): the
//! dossier reads a pupil's cases at once, the API and the inzage export one case.

mod cases;
mod meldingen;
mod organisations;
mod records;
mod referrals;
mod retention;
pub(crate) mod signals;
mod tasks;
pub(crate) mod timeline;

pub use meldingen::{MeldingLink, NumberKind};
pub use referrals::ReferralLink;
pub use retention::ServiceRetentionCounts;
pub use tasks::{InboxTask, TaskLink, TaskLinkKind};
pub use timeline::{NewTimelineEntry, TimelineEntry};

use crate::db::Arg;
use crate::{CaseId, Page, Result, Scope, Store, Tx};

/// Whose cases a query reads: one case, or every case of one pupil (in one query, for the
/// dossier).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CasesOf<'a> {
    /// One case, by id.
    One(CaseId),
    /// Every case of a school's pupil.
    Pupil {
        school_id: &'a str,
        pupil_id: &'a str,
    },
}

impl CasesOf<'_> {
    /// The condition, for a query whose rows carry their case in `case_column` and whose pupil
    /// is aliased `p`, and its values.
    fn clause(self, case_column: &str) -> (String, Vec<Arg>) {
        match self {
            CasesOf::One(id) => (format!("{case_column} = ?"), vec![id.into()]),
            CasesOf::Pupil {
                school_id,
                pupil_id,
            } => (
                "p.school_id = ? AND p.pupil_id = ?".to_string(),
                vec![school_id.into(), pupil_id.into()],
            ),
        }
    }
}

/// ` LIMIT ? OFFSET ?` with its values for a page, nothing for every row.
fn paged(page: Option<Page>, args: &mut Vec<Arg>) -> &'static str {
    match page {
        Some(page) => {
            args.push(page.limit().into());
            args.push(page.offset().into());
            " LIMIT ? OFFSET ?"
        }
        None => "",
    }
}

/// The scope's condition on a case aliased `c` whose pupil is aliased `p`: a school sees its own
/// pupils' cases; a municipality the cases with a melding to it; GGD-JGZ the cases with a
/// referral to it.
fn case_clause(scope: Scope<'_>) -> (&'static str, Arg) {
    match scope {
        Scope::School(s) => ("p.school_id = ?", s.into()),
        Scope::Municipality(m) => (
            "EXISTS (SELECT 1 FROM meldingen vm WHERE vm.case_id = c.id AND vm.municipality = ?)",
            m.into(),
        ),
        Scope::Ggd(g) => (
            "EXISTS (SELECT 1 FROM referrals vr WHERE vr.case_id = c.id AND vr.ggd_id = ?)",
            g.into(),
        ),
    }
}

/// `?, ?, …` and the values for a list of statuses (a NULL for an empty list: it matches
/// nothing).
fn statuses<T: Copy>(list: &[T], name: impl Fn(T) -> &'static str) -> (String, Vec<Arg>) {
    let mut a: Vec<Arg> = list.iter().map(|s| Arg::from(name(*s))).collect();
    if a.is_empty() {
        a.push(Arg::Text(None));
    }
    (marks(list.len()), a)
}

/// `?, ?, …` for `n` values (at least one, so that `IN (…)` stays valid SQL).
pub(crate) fn marks(n: usize) -> String {
    vec!["?"; n.max(1)].join(", ")
}

/// The values of an `IN (…)` list (a NULL for an empty list: it matches nothing).
pub(crate) fn id_args(ids: &[i64]) -> Vec<Arg> {
    if ids.is_empty() {
        return vec![Arg::from(None::<i64>)];
    }
    ids.iter().map(|i| Arg::from(*i)).collect()
}

impl Store {
    /// A pooled connection without a transaction, for a series of reads (the service's reads do
    /// not take SQLite's write lock). Every [`Tx`] method works on it; nothing needs committing.
    pub async fn connection(&self) -> Result<Tx> {
        self.reader().await
    }
}
