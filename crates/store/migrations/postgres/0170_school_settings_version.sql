-- Issue 13.1: a school's settings carry a version, PostgreSQL dialect (keep in step with
-- ../sqlite/). A process keeps a school's parsed settings, card history and calendar between
-- registrations and reads only `version` per registration (in the statement that locks the
-- pupil); it parses the settings again when the version differs.
--
-- Every write of the row gets a new version from a sequence (a trigger, so no writer can forget
-- it, whichever process or tool writes): a version is never given twice, not even after a
-- rollback, so a version names one content. A new name of the school (it is part of the settings
-- the service reads) gives its settings a new version too.
CREATE SEQUENCE school_settings_versions;

ALTER TABLE school_settings
    ADD COLUMN version BIGINT NOT NULL DEFAULT nextval('school_settings_versions');

CREATE FUNCTION school_settings_new_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := nextval('school_settings_versions');
    RETURN NEW;
END;
$$;

CREATE TRIGGER school_settings_version BEFORE INSERT OR UPDATE ON school_settings
    FOR EACH ROW EXECUTE FUNCTION school_settings_new_version();

CREATE FUNCTION school_name_new_settings_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE school_settings SET version = 0 WHERE organisation_id = NEW.id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER school_name_settings_version AFTER UPDATE OF name ON organisations
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION school_name_new_settings_version();
