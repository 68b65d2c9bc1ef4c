-- Issue 13.1: a school's settings carry a version, SQLite dialect (keep in step with
-- ../postgres/). A process keeps a school's parsed settings, card history and calendar between
-- registrations and reads only `version` per registration (in the statement that reads the
-- pupil); it parses the settings again when the version differs.
--
-- Every write of the row gets a new version (triggers, so no writer can forget it, whichever
-- process or tool writes). SQLite has no sequence that survives a rollback, so the version is
-- random (64 bits): a version names one content. A new name of the school (it is part of the
-- settings the service reads) gives its settings a new version too.
ALTER TABLE school_settings ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
UPDATE school_settings SET version = random();

CREATE TRIGGER school_settings_version_insert AFTER INSERT ON school_settings
BEGIN
    UPDATE school_settings SET version = random() WHERE organisation_id = NEW.organisation_id;
END;

CREATE TRIGGER school_settings_version_update AFTER UPDATE ON school_settings
    WHEN NEW.version = OLD.version
BEGIN
    UPDATE school_settings SET version = random() WHERE organisation_id = NEW.organisation_id;
END;

CREATE TRIGGER school_name_settings_version AFTER UPDATE OF name ON organisations
    WHEN NEW.name IS NOT OLD.name
BEGIN
    UPDATE school_settings SET version = random() WHERE organisation_id = NEW.id;
END;
