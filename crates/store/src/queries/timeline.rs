//! A case's timeline: what happened to it, one line per step (docs/workflow.md lists the
//! entries).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{CasesOf, case_clause, paged};
use crate::db::{Row, args};
use crate::{Actor, CaseId, Page, Result, Scope, SignalId, Tx};

/// One line on a case's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTimelineEntry {
    pub case_id: CaseId,
    /// A stable name: `geopend`, `signaal`, `uitgebreid`, `signaal_bijgewerkt`,
    /// `signaal_ingetrokken`, `melding`, `verwijzing`, … (docs/workflow.md lists them).
    pub entry: String,
    pub signal_id: Option<SignalId>,
    /// Dutch text for people; never health data.
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub id: i64,
    pub case_id: CaseId,
    pub at: Timestamp,
    pub actor: String,
    pub entry: String,
    pub signal_id: Option<SignalId>,
    pub detail: Option<String>,
}

fn timeline_of(r: &Row) -> Result<TimelineEntry> {
    Ok(TimelineEntry {
        id: r.i64("id")?,
        case_id: r.i64("case_id")?,
        at: r.ts("at")?,
        actor: r.text("actor")?,
        entry: r.text("entry")?,
        signal_id: r.opt_i64("signal_id")?,
        detail: r.opt_text("detail")?,
    })
}

impl Tx {
    /// Appends a line to a case's timeline.
    pub async fn add_timeline(&mut self, entry: &NewTimelineEntry, by: Actor) -> Result<i64> {
        let now = self.now();
        self.c()
            .fetch_one(
                "INSERT INTO case_timeline (case_id, at, actor, entry, signal_id, detail) \
                 VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                args![
                    entry.case_id,
                    now,
                    by.to_string(),
                    &entry.entry,
                    entry.signal_id,
                    &entry.detail
                ],
            )
            .await?
            .i64("id")
    }

    /// The timeline of a case, or of every case of a pupil, visible in `scope`, oldest first;
    /// one page of it, or all of it.
    pub async fn case_timeline(
        &mut self,
        scope: Scope<'_>,
        of: CasesOf<'_>,
        page: Option<Page>,
    ) -> Result<Vec<TimelineEntry>> {
        let (clause, arg) = case_clause(scope);
        let (cases, mut a) = of.clause("e.case_id");
        a.push(arg);
        let limit = paged(page, &mut a);
        self.c()
            .fetch_map(
                &format!(
                    "SELECT e.* FROM case_timeline e JOIN cases c ON c.id = e.case_id \
                     JOIN pupils p ON p.id = c.pupil WHERE {cases} AND {clause} \
                     ORDER BY e.id{limit}"
                ),
                a,
                timeline_of,
            )
            .await
    }
}
