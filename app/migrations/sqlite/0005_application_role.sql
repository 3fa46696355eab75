-- PostgreSQL creates the application's role here (it owns no table, so it cannot switch the
-- audit trail's guard off). SQLite has no roles: the file keeps both dialects' versions in step.
SELECT 1;
