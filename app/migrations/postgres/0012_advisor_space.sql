-- « Espace conseiller »: the bank's advisors sign in with their own accounts (a login id, a
-- password hashed like the users', an authenticator application's secret sealed like theirs,
-- the same counters of failed attempts) and see only the entities of their portfolio
-- (`entities.advisor_id`). Their sessions are kept apart from the users'.

ALTER TABLE advisors ADD COLUMN login_id TEXT;
CREATE UNIQUE INDEX advisors_by_login_id ON advisors (login_id);
ALTER TABLE advisors ADD COLUMN password_hash TEXT;
ALTER TABLE advisors ADD COLUMN totp_secret TEXT;
ALTER TABLE advisors ADD COLUMN totp_last_step BIGINT;
ALTER TABLE advisors ADD COLUMN failed_password_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE advisors ADD COLUMN password_locked_until BIGINT;
ALTER TABLE advisors ADD COLUMN failed_sca_count BIGINT NOT NULL DEFAULT 0;

CREATE TABLE advisor_sessions (
    token_hash TEXT NOT NULL,
    advisor_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    CONSTRAINT advisor_sessions_pkey PRIMARY KEY (token_hash),
    CONSTRAINT advisor_sessions_advisor_id_fkey FOREIGN KEY (advisor_id) REFERENCES advisors (id)
);
CREATE INDEX advisor_sessions_by_advisor ON advisor_sessions (advisor_id);
