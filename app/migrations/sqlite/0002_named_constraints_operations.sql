-- Rebuilds every table with named constraints, so that the SQLite and PostgreSQL schemas can be
-- compared name for name (server/tests/api/schema.rs), and brings in:
-- - sessions with a stable id, and ceremonies (passkey challenges, TOTP secrets being enrolled)
--   in their own table, taken with one atomic statement;
-- - rights stored one level per row, each with its origin and the operation that granted it;
-- - `operations`, the store of every administration operation (was `pending_operations`);
-- - an outbox status, so a message that cannot be sent is recorded as failed, never sent empty.
-- Runs with foreign keys off (see `Db::migrate`): tables are rebuilt by copy and rename, and
-- `PRAGMA foreign_key_check` runs afterwards.

CREATE TABLE advisors_new (
    id INTEGER,
    civility TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    agency TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    CONSTRAINT advisors_pkey PRIMARY KEY (id)
);
INSERT INTO advisors_new SELECT id, civility, first_name, last_name, agency, phone, email FROM advisors;
DROP TABLE advisors;
ALTER TABLE advisors_new RENAME TO advisors;

CREATE TABLE entities_new (
    id INTEGER,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    siren TEXT NOT NULL,
    advisor_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    CONSTRAINT entities_pkey PRIMARY KEY (id),
    CONSTRAINT entities_kind_check CHECK (kind IN ('entreprise', 'association', 'institution')),
    CONSTRAINT entities_siren_check CHECK (length(siren) = 9),
    CONSTRAINT entities_siren_key UNIQUE (siren),
    CONSTRAINT entities_advisor_id_fkey FOREIGN KEY (advisor_id) REFERENCES advisors (id)
);
INSERT INTO entities_new SELECT id, name, kind, siren, advisor_id, created_at FROM entities;
DROP TABLE entities;
ALTER TABLE entities_new RENAME TO entities;

CREATE TABLE accounts_new (
    id INTEGER,
    entity_id INTEGER NOT NULL,
    iban TEXT NOT NULL,
    label TEXT NOT NULL,
    currency TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT accounts_pkey PRIMARY KEY (id),
    CONSTRAINT accounts_currency_check CHECK (length(currency) = 3),
    CONSTRAINT accounts_iban_key UNIQUE (iban),
    CONSTRAINT accounts_id_entity_id_key UNIQUE (id, entity_id),
    CONSTRAINT accounts_entity_id_fkey FOREIGN KEY (entity_id) REFERENCES entities (id)
);
INSERT INTO accounts_new SELECT id, entity_id, iban, label, currency, position FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_new RENAME TO accounts;

CREATE TABLE contracts_new (
    id INTEGER,
    entity_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    reference TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT contracts_pkey PRIMARY KEY (id),
    CONSTRAINT contracts_reference_key UNIQUE (reference),
    CONSTRAINT contracts_id_entity_id_key UNIQUE (id, entity_id),
    CONSTRAINT contracts_entity_id_fkey FOREIGN KEY (entity_id) REFERENCES entities (id)
);
INSERT INTO contracts_new SELECT id, entity_id, kind, label, reference, position FROM contracts;
DROP TABLE contracts;
ALTER TABLE contracts_new RENAME TO contracts;

CREATE TABLE persons_new (
    id INTEGER,
    entity_id INTEGER NOT NULL,
    last_name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT,
    registered_at INTEGER NOT NULL,
    registered_by INTEGER NOT NULL,
    CONSTRAINT persons_pkey PRIMARY KEY (id),
    CONSTRAINT persons_id_entity_id_key UNIQUE (id, entity_id),
    CONSTRAINT persons_entity_id_fkey FOREIGN KEY (entity_id) REFERENCES entities (id),
    CONSTRAINT persons_registered_by_fkey FOREIGN KEY (registered_by) REFERENCES advisors (id)
);
INSERT INTO persons_new
SELECT id, entity_id, last_name, first_name, birth_date, phone, email, registered_at, registered_by
FROM persons;
DROP TABLE persons;
ALTER TABLE persons_new RENAME TO persons;

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
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_state_check
        CHECK (state IN ('awaiting_first_login', 'active', 'suspended', 'blocked')),
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
       created_at, created_by
FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

-- Every administration operation, from « Confirmer » to its application (or not).
CREATE TABLE operations (
    id TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    author_user_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    target_user_id INTEGER,
    target_version INTEGER,
    payload TEXT NOT NULL,
    digest TEXT NOT NULL,
    status TEXT NOT NULL,
    -- The session that prepared it: its strong authentication must come from that session.
    session_id INTEGER,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    applied_at INTEGER,
    result_user_id INTEGER,
    CONSTRAINT operations_pkey PRIMARY KEY (id),
    CONSTRAINT operations_status_check
        CHECK (status IN ('prepared', 'applied', 'voided', 'expired')),
    CONSTRAINT operations_entity_id_fkey FOREIGN KEY (entity_id) REFERENCES entities (id),
    CONSTRAINT operations_author_user_id_entity_id_fkey
        FOREIGN KEY (author_user_id, entity_id) REFERENCES users (id, entity_id)
);
INSERT INTO operations (id, entity_id, author_user_id, kind, target_user_id, target_version,
                        payload, digest, status, session_id, created_at, expires_at, applied_at,
                        result_user_id)
SELECT id, entity_id, admin_user_id, kind, NULL, NULL, payload, digest,
       CASE status WHEN 'consumed' THEN 'applied' WHEN 'voided' THEN 'voided' ELSE 'expired' END,
       NULL, created_at, expires_at, consumed_at, result_user_id
FROM pending_operations;
DROP TABLE pending_operations;
CREATE INDEX operations_by_author ON operations (author_user_id, status);

-- One row per level held: consultation, gestion, validation. Gestion and validation come with
-- consultation (the model keeps that invariant; apply re-checks it).
CREATE TABLE user_rights_new (
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
    CONSTRAINT user_rights_pkey PRIMARY KEY (id),
    CONSTRAINT user_rights_check CHECK ((account_id IS NULL) <> (contract_id IS NULL)),
    CONSTRAINT user_rights_level_check CHECK (level IN ('consultation', 'gestion', 'validation')),
    CONSTRAINT user_rights_user_id_account_id_level_key UNIQUE (user_id, account_id, level),
    CONSTRAINT user_rights_user_id_contract_id_level_key UNIQUE (user_id, contract_id, level),
    CONSTRAINT user_rights_user_id_entity_id_fkey
        FOREIGN KEY (user_id, entity_id) REFERENCES users (id, entity_id) ON DELETE CASCADE,
    CONSTRAINT user_rights_account_id_entity_id_fkey
        FOREIGN KEY (account_id, entity_id) REFERENCES accounts (id, entity_id),
    CONSTRAINT user_rights_contract_id_entity_id_fkey
        FOREIGN KEY (contract_id, entity_id) REFERENCES contracts (id, entity_id),
    CONSTRAINT user_rights_operation_id_fkey FOREIGN KEY (operation_id) REFERENCES operations (id)
);
INSERT INTO user_rights_new (entity_id, user_id, account_id, contract_id, level, origin,
                             operation_id, granted_at, granted_by)
SELECT r.entity_id, r.user_id, r.account_id, r.contract_id, 'consultation', r.consultation_origin,
       NULL, u.created_at, u.created_by
FROM user_rights r JOIN users u ON u.id = r.user_id
UNION ALL
SELECT r.entity_id, r.user_id, r.account_id, r.contract_id, 'gestion', r.gestion_origin,
       NULL, u.created_at, u.created_by
FROM user_rights r JOIN users u ON u.id = r.user_id WHERE r.gestion_origin IS NOT NULL
UNION ALL
SELECT r.entity_id, r.user_id, r.account_id, r.contract_id, 'validation', r.validation_origin,
       NULL, u.created_at, u.created_by
FROM user_rights r JOIN users u ON u.id = r.user_id WHERE r.validation_origin IS NOT NULL;
DROP TABLE user_rights;
ALTER TABLE user_rights_new RENAME TO user_rights;
CREATE INDEX user_rights_by_user ON user_rights (user_id);
CREATE INDEX user_rights_by_entity ON user_rights (entity_id);

CREATE TABLE passkeys_new (
    id INTEGER,
    entity_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    credential_id TEXT NOT NULL,
    passkey TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    CONSTRAINT passkeys_pkey PRIMARY KEY (id),
    CONSTRAINT passkeys_credential_id_key UNIQUE (credential_id),
    CONSTRAINT passkeys_user_id_entity_id_fkey
        FOREIGN KEY (user_id, entity_id) REFERENCES users (id, entity_id) ON DELETE CASCADE
);
INSERT INTO passkeys_new
SELECT id, entity_id, user_id, credential_id, passkey, label, created_at, last_used_at FROM passkeys;
DROP TABLE passkeys;
ALTER TABLE passkeys_new RENAME TO passkeys;
CREATE INDEX passkeys_by_user ON passkeys (user_id);

-- Sessions get a stable id (the token changes at every step; ceremonies stay attached). Open
-- sessions end with this migration.
DROP TABLE sessions;
CREATE TABLE sessions (
    id INTEGER,
    token_hash TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    entity_id INTEGER NOT NULL,
    stage TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    CONSTRAINT sessions_pkey PRIMARY KEY (id),
    CONSTRAINT sessions_token_hash_key UNIQUE (token_hash),
    CONSTRAINT sessions_stage_check CHECK (stage IN ('sca', 'new_password', 'enrol', 'full')),
    CONSTRAINT sessions_user_id_entity_id_fkey
        FOREIGN KEY (user_id, entity_id) REFERENCES users (id, entity_id) ON DELETE CASCADE
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_last_seen ON sessions (last_seen_at);

-- A ceremony in progress in a session (passkey challenge, TOTP secret being enrolled, the
-- passkey challenge of an operation), usable once.
CREATE TABLE ceremonies (
    session_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    operation_id TEXT,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    CONSTRAINT ceremonies_pkey PRIMARY KEY (session_id, kind),
    CONSTRAINT ceremonies_session_id_fkey
        FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE
);

CREATE TABLE ip_throttle_new (
    ip TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    CONSTRAINT ip_throttle_pkey PRIMARY KEY (ip)
);
INSERT INTO ip_throttle_new SELECT ip, window_start, failures FROM ip_throttle;
DROP TABLE ip_throttle;
ALTER TABLE ip_throttle_new RENAME TO ip_throttle;

CREATE TABLE audit_events_new (
    id INTEGER,
    at INTEGER NOT NULL,
    entity_id INTEGER,
    actor_user_id INTEGER,
    kind TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    CONSTRAINT audit_events_pkey PRIMARY KEY (id)
);
INSERT INTO audit_events_new
SELECT id, at, entity_id, actor_user_id, kind, details, prev_hash, hash FROM audit_events;
DROP TABLE audit_events;
ALTER TABLE audit_events_new RENAME TO audit_events;
CREATE INDEX audit_events_by_entity ON audit_events (entity_id, id);
CREATE TRIGGER audit_events_append_only_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_append_only_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE TABLE audit_head_new (
    id INTEGER,
    last_id INTEGER NOT NULL,
    last_hash TEXT NOT NULL,
    CONSTRAINT audit_head_pkey PRIMARY KEY (id),
    CONSTRAINT audit_head_id_check CHECK (id = 1)
);
INSERT INTO audit_head_new SELECT id, last_id, last_hash FROM audit_head;
DROP TABLE audit_head;
ALTER TABLE audit_head_new RENAME TO audit_head;

CREATE TABLE outbox_new (
    id INTEGER,
    entity_id INTEGER NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until INTEGER,
    sent_at INTEGER,
    last_error TEXT,
    CONSTRAINT outbox_pkey PRIMARY KEY (id),
    CONSTRAINT outbox_channel_check CHECK (channel IN ('email', 'sms')),
    CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sent', 'failed'))
);
INSERT INTO outbox_new
SELECT id, entity_id, channel, recipient, subject, body,
       CASE WHEN sent_at IS NULL THEN 'pending' ELSE 'sent' END,
       created_at, attempts, next_attempt_at, claimed_until, sent_at, last_error
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE local_deliveries_new (
    id INTEGER,
    outbox_id INTEGER NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    delivered_at INTEGER NOT NULL,
    CONSTRAINT local_deliveries_pkey PRIMARY KEY (id),
    CONSTRAINT local_deliveries_outbox_id_key UNIQUE (outbox_id),
    CONSTRAINT local_deliveries_outbox_id_fkey FOREIGN KEY (outbox_id) REFERENCES outbox (id)
);
INSERT INTO local_deliveries_new
SELECT id, outbox_id, channel, recipient, subject, body, delivered_at FROM local_deliveries;
DROP TABLE local_deliveries;
ALTER TABLE local_deliveries_new RENAME TO local_deliveries;

CREATE TABLE settings_new (
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    CONSTRAINT settings_pkey PRIMARY KEY (key)
);
INSERT INTO settings_new SELECT key, value FROM settings;
DROP TABLE settings;
ALTER TABLE settings_new RENAME TO settings;
