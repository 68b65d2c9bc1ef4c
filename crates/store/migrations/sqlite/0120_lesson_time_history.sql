-- Issue 10.2: lesson times have a history. `earlier_times_json` holds the times that applied
-- before each change (a JSON list of {until, lesson_times, groups}, oldest first); the columns
-- lesson_times and groups_json are the times in force now.
ALTER TABLE school_settings ADD COLUMN earlier_times_json TEXT NOT NULL DEFAULT '[]';
