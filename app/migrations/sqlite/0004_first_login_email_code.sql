-- The first login binds a factor with two independent elements: the temporary password (SMS) and
-- a one-time code sent with the login id (e-mail). The code is kept as a keyed hash, single use,
-- and dies after five wrong entries.
ALTER TABLE users ADD COLUMN enrolment_code_hash TEXT;
ALTER TABLE users ADD COLUMN enrolment_code_failures INTEGER NOT NULL DEFAULT 0;

-- When the session last passed a strong authentication: adding a factor needs a recent one.
ALTER TABLE sessions ADD COLUMN sca_at INTEGER;

-- The language a user reads (fr, en): their e-mails and SMS are written in it. A new user gets
-- the language of the administrator who adds them; signing in keeps the one they use.
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'fr';
