-- Groups of entities: one person, user of several entities (a group's accountant, a holding's
-- director), signs in with one login id, one password and one factor. Each entity keeps its own
-- user row (rights, administration, state, journal are per entity); the row created first
-- holds the login (password, factors) and the others point at it (`login_user_id`) and carry
-- the same login id. `login_entity_id` is the entity of that first row.
--
-- A login id is now unique among the rows that hold a login, and once per entity. SQLite
-- cannot drop a UNIQUE constraint in place: the table is rebuilt by copy and rename (foreign
-- keys are off while migrating, see `Db::migrate`), as in 0007.

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
    is_auditor INTEGER NOT NULL DEFAULT 0,
    login_user_id INTEGER,
    login_entity_id INTEGER,
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_state_check
        CHECK (state IN ('awaiting_first_login', 'active', 'suspended', 'blocked', 'removed')),
    CONSTRAINT users_is_administrator_check CHECK (is_administrator IN (0, 1)),
    CONSTRAINT users_is_demo_check CHECK (is_demo IN (0, 1)),
    CONSTRAINT users_is_auditor_check CHECK (is_auditor IN (0, 1)),
    CONSTRAINT users_login_id_entity_id_key UNIQUE (login_id, entity_id),
    CONSTRAINT users_person_id_key UNIQUE (person_id),
    CONSTRAINT users_id_entity_id_key UNIQUE (id, entity_id),
    CONSTRAINT users_entity_id_fkey FOREIGN KEY (entity_id) REFERENCES entities (id),
    CONSTRAINT users_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id),
    CONSTRAINT users_person_id_entity_id_fkey
        FOREIGN KEY (person_id, entity_id) REFERENCES persons (id, entity_id),
    CONSTRAINT users_login_user_id_fkey
        FOREIGN KEY (login_user_id, login_entity_id) REFERENCES users (id, entity_id),
    CONSTRAINT users_login_other_entity_check
        CHECK (login_user_id IS NULL OR login_entity_id <> entity_id)
);
INSERT INTO users_new
SELECT id, entity_id, person_id, login_id, email, state, is_administrator, password_hash,
       temp_password_hash, temp_password_expires_at, temp_password_used_at, failed_password_count,
       password_locked_until, failed_sca_count, totp_secret, totp_last_step, is_demo, version,
       created_at, created_by, search_text, enrolment_code_hash, enrolment_code_failures,
       language, removed_at, is_auditor, NULL, NULL
FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE INDEX users_by_entity_state ON users (entity_id, state);
CREATE UNIQUE INDEX users_login_id_of_logins ON users (login_id) WHERE login_user_id IS NULL;
CREATE INDEX users_by_login ON users (login_user_id) WHERE login_user_id IS NOT NULL;

-- The login a session signed in with: ending a login's sessions (blocked, reset) ends them in
-- every entity it reaches. Sessions opened before this migration name none (their user's).
ALTER TABLE sessions ADD COLUMN login_user_id INTEGER;
CREATE INDEX sessions_by_login ON sessions (login_user_id);
