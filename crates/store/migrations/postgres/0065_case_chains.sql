-- Cases per chain of the card, PostgreSQL dialect. Keep in step with ../sqlite/ (same
-- number).
--
-- A pupil may have one open case per chain of the card (docs/workflow.md, "Cases and their
-- chains"; issue 10.6): a ziekmelding's case no longer takes in a relatief verzuim. The unique
-- "one open case per pupil" index goes; the service keeps one open case per chain.
DROP INDEX cases_one_open;
CREATE INDEX cases_open ON cases (pupil) WHERE closed_at IS NULL;
