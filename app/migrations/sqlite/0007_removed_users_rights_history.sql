-- A user can be removed from the entity: their row stays (the audit trail and the rights
-- history name them, and their login id is never given to anyone else) in a `removed` state
-- nobody signs in with. SQLite cannot change a CHECK constraint in place: the table is rebuilt
-- by copy and rename (foreign keys are off while migrating, see `Db::migrate`).
--
-- Levels a user no longer holds move to `revoked_rights`, with when, by whom and by which
-- operation they went: who had which rights when stays answerable.

CREATE TABLE users_new (
    id INTEGER,
    entity_id INTEGER NOT NULL,
    person_id INTEGER NOT NULL,
    login_id TEXT NOT NULL,
    email TEXT NOT NULL,
    state TEXT NOT NULL,
    is_administrator INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT,
    temp_password_hash TEXT,
    temp_password_expires_at INTEGER,
    temp_password_used_at INTEGER,
    failed_password_count INTEGER NOT NULL DEFAULT 0,
    password_locked_until INTEGER,
    failed_sca_count INTEGER NOT NULL DEFAULT 0,
    totp_secret TEXT,
    totp_last_step INTEGER,
    is_demo INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    created_by INTEGER,
    search_text TEXT NOT NULL DEFAULT '',
    enrolment_code_hash TEXT,
    enrolment_code_failures INTEGER NOT NULL DEFAULT 0,
    language TEXT NOT NULL DEFAULT 'fr',
    removed_at INTEGER,
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_state_check
        CHECK (state IN ('awaiting_first_login', 'active', 'suspended', 'blocked', 'removed')),
    CONSTRAINT users_is_administrator_check CHECK (is_administrator IN (0, 1)),
    CONSTRAINT users_is_demo_check CHECK (is_demo IN (0, 1)),
    CONSTRAINT users_login_id_key UNIQUE (login_id),
    CONSTRAINT users_person_id_key UNIQUE (person_id),
    CONSTRAINT users_id_entity_id_key UNIQUE (id, entity_id),
    CONSTRAINT users_entity_id_fkey FOREIGN KEY (entity_id) REFERENCES entities (id),
    CONSTRAINT users_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id),
    CONSTRAINT users_person_id_entity_id_fkey
        FOREIGN KEY (person_id, entity_id) REFERENCES persons (id, entity_id)
);
INSERT INTO users_new
SELECT id, entity_id, person_id, login_id, email, state, is_administrator, password_hash,
       temp_password_hash, temp_password_expires_at, temp_password_used_at, failed_password_count,
       password_locked_until, failed_sca_count, totp_secret, totp_last_step, is_demo, version,
       created_at, created_by, search_text, enrolment_code_hash, enrolment_code_failures,
       language, NULL
FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE INDEX users_by_entity_state ON users (entity_id, state);

CREATE TABLE revoked_rights (
    id INTEGER,
    entity_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    account_id INTEGER,
    contract_id INTEGER,
    level TEXT NOT NULL,
    origin TEXT NOT NULL,
    operation_id TEXT,
    granted_at INTEGER NOT NULL,
    granted_by INTEGER,
    revoked_at INTEGER NOT NULL,
    revoked_by INTEGER,
    revoking_operation_id TEXT,
    CONSTRAINT revoked_rights_pkey PRIMARY KEY (id),
    CONSTRAINT revoked_rights_user_id_entity_id_fkey
        FOREIGN KEY (user_id, entity_id) REFERENCES users (id, entity_id)
);
CREATE INDEX revoked_rights_by_user ON revoked_rights (user_id);
