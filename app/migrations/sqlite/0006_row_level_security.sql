-- PostgreSQL adds row-level security here (a second line of tenant isolation, see its file).
-- SQLite has no row-level security: the file keeps both dialects' versions in step.
SELECT 1;
