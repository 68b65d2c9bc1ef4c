-- Issue 13.3, PostgreSQL dialect. Keep in step with ../sqlite/ (same number).
--
-- A class register reads one group of a school (its pupils, the day's registrations, the active
-- signals: `Tx::group_pupils`, `Tx::registrations_on`, `Tx::active_signals_of_group`): by
-- this index, not by reading every pupil of a school of 900 and dropping the other groups.
CREATE INDEX pupils_school_group ON pupils (school_id, group_name);
