-- The runs of scheduled jobs (the retention), one row per job and period. Same in both
-- dialects (keep in step with ../sqlite/, same number).
--
-- Several `verzuim serve` processes on one database each schedule the same jobs (issue 13:
-- "a scheduled job runs once per period"). Before a run, a process inserts the row of its
-- period in the job's own transaction; the primary key lets only one of them have it (the
-- others' inserts wait for it and then find the row, or skip it), and a run that fails rolls
-- its row back so that another process, or the next attempt, may take it.

CREATE TABLE job_runs (
    job         TEXT NOT NULL,
    period      TEXT NOT NULL,
    process     TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    PRIMARY KEY (job, period)
);
