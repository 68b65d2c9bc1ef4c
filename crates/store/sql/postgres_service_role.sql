-- PostgreSQL: the role `verzuim serve` runs as, which cannot change or remove the audit log
-- (security.md, Audit: "on PostgreSQL the service's role cannot either").
--
-- Run as the database's owner (the role that ran `verzuim migrate`), after every upgrade that
-- adds tables: psql -d verzuim -f postgres_service_role.sql
-- Then serve with that role: VERZUIM_DATABASE=postgres://verzuim_service:…@host/verzuim
--
-- Two locks on the audit log, independent of each other:
-- 1. the schema's triggers (0001) refuse UPDATE, DELETE and TRUNCATE on audit_log for every role,
--    and only the table's owner can drop or disable them: this role is not the owner;
-- 2. this role has no UPDATE, DELETE or TRUNCATE privilege on audit_log at all.
-- Retention removes pupil data from the other tables, never audit rows, so it runs as this role.
-- (The store's test suite runs this file and checks both locks.)

CREATE ROLE verzuim_service LOGIN;
GRANT USAGE ON SCHEMA public TO verzuim_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO verzuim_service;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO verzuim_service;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM verzuim_service;
REVOKE UPDATE, DELETE, TRUNCATE ON _sqlx_migrations FROM verzuim_service;
