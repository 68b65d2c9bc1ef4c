//! Scheduled jobs with several `verzuim serve` processes on one database: each process schedules
//! every job, and the `job_runs` table lets one of them run it per period (issue 13: "a scheduled
//! job runs once per period").

use crate::db::args;
use crate::{Result, Tx};

impl Tx {
    /// Claims the run of `job` for `period` (for example a date) for `process`, in this
    /// transaction: `true` when this transaction has it, `false` when another process has
    /// already run it (or runs it now: on PostgreSQL the insert waits for that transaction and
    /// then finds its row; SQLite has one writer).
    ///
    /// Do the job's work in the same transaction: when it fails and rolls back, the claim goes
    /// with it and the period may be run again.
    pub async fn claim_job_run(&mut self, job: &str, period: &str, process: &str) -> Result<bool> {
        let now = self.now();
        let inserted = self
            .c()
            .execute(
                "INSERT INTO job_runs (job, period, process, started_at) VALUES (?, ?, ?, ?) \
                 ON CONFLICT (job, period) DO NOTHING",
                args![job, period, process, now],
            )
            .await?;
        Ok(inserted == 1)
    }

    /// Who ran `job` for `period`, if anyone did.
    pub async fn job_run(&mut self, job: &str, period: &str) -> Result<Option<String>> {
        let row = self
            .c()
            .fetch_optional(
                "SELECT process FROM job_runs WHERE job = ? AND period = ?",
                args![job, period],
            )
            .await?;
        row.map(|r| r.text("process")).transpose()
    }
}
