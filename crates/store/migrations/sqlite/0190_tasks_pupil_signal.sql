-- Issue 13.3: a task carries its pupil and its signal's kind and date, SQLite dialect (keep in
-- step with ../postgres/). The coordinator's inbox lists every open task of the school with its
-- pupil and signal; with these columns it reads the tasks by `tasks_org_status` and the school's
-- pupils once, instead of looking up a case, a pupil and a signal per task.
--
-- The three never change after a task is made: a case stays with its pupil, and a signal's kind
-- and date are part of what names it. Triggers fill them from `cases` and `signals`, so no writer
-- can forget or contradict them.
ALTER TABLE tasks ADD COLUMN pupil INTEGER REFERENCES pupils (id);
ALTER TABLE tasks ADD COLUMN signal_kind TEXT;
ALTER TABLE tasks ADD COLUMN signal_date TEXT;

UPDATE tasks SET
    pupil = (SELECT c.pupil FROM cases c WHERE c.id = tasks.case_id),
    signal_kind = (SELECT s.kind FROM signals s WHERE s.id = tasks.signal_id),
    signal_date = (SELECT s.date FROM signals s WHERE s.id = tasks.signal_id);

CREATE TRIGGER tasks_pupil_signal_insert AFTER INSERT ON tasks
BEGIN
    UPDATE tasks SET
        pupil = (SELECT c.pupil FROM cases c WHERE c.id = NEW.case_id),
        signal_kind = (SELECT s.kind FROM signals s WHERE s.id = NEW.signal_id),
        signal_date = (SELECT s.date FROM signals s WHERE s.id = NEW.signal_id)
    WHERE id = NEW.id;
END;

CREATE TRIGGER tasks_pupil_signal_update AFTER UPDATE OF case_id, signal_id, pupil, signal_kind,
    signal_date ON tasks
    WHEN NEW.pupil IS NOT (SELECT c.pupil FROM cases c WHERE c.id = NEW.case_id)
        OR NEW.signal_kind IS NOT (SELECT s.kind FROM signals s WHERE s.id = NEW.signal_id)
        OR NEW.signal_date IS NOT (SELECT s.date FROM signals s WHERE s.id = NEW.signal_id)
BEGIN
    UPDATE tasks SET
        pupil = (SELECT c.pupil FROM cases c WHERE c.id = NEW.case_id),
        signal_kind = (SELECT s.kind FROM signals s WHERE s.id = NEW.signal_id),
        signal_date = (SELECT s.date FROM signals s WHERE s.id = NEW.signal_id)
    WHERE id = NEW.id;
END;
