-- The application's role: it reads and writes the data but owns no table, so it can neither
-- switch the audit trail's guard off nor rewrite or remove an event. The migrations run as the
-- owner; the server then connects as a login role that is a member of `habilis_app` (README,
-- « PostgreSQL »). Roles belong to the cluster: created once, whichever database runs this first.
DO $$
BEGIN
    CREATE ROLE habilis_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

GRANT USAGE ON SCHEMA public TO habilis_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO habilis_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO habilis_app;
-- Events are appended and read, never changed; the head only moves forward (UPDATE).
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM habilis_app;
REVOKE INSERT, DELETE, TRUNCATE ON audit_head FROM habilis_app;
-- The migrations' own bookkeeping is read (to see nothing is pending), never written.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON _sqlx_migrations FROM habilis_app;
-- Tables and sequences of later migrations get the same rights.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO habilis_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO habilis_app;
