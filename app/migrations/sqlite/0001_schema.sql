-- Habilis schema, SQLite dialect. The PostgreSQL twin lives in ../postgres with the same tables,
-- columns and constraints. Times are Unix seconds. Every row that belongs to an entity carries its
-- entity id, and composite foreign keys make a row of one entity unable to point at another's.

CREATE TABLE advisors (
    id INTEGER PRIMARY KEY,
    civility TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    agency TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL
);

CREATE TABLE entities (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('entreprise', 'association', 'institution')),
    siren TEXT NOT NULL UNIQUE CHECK (length(siren) = 9),
    advisor_id INTEGER NOT NULL REFERENCES advisors (id),
    created_at INTEGER NOT NULL
);

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    entity_id INTEGER NOT NULL REFERENCES entities (id),
    iban TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    position INTEGER NOT NULL DEFAULT 0,
    UNIQUE (id, entity_id)
);

CREATE TABLE contracts (
    id INTEGER PRIMARY KEY,
    entity_id INTEGER NOT NULL REFERENCES entities (id),
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL DEFAULT 0,
    UNIQUE (id, entity_id)
);

-- People the bank advisor registered for an entity; some become users.
CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    entity_id INTEGER NOT NULL REFERENCES entities (id),
    last_name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT,
    registered_at INTEGER NOT NULL,
    registered_by INTEGER NOT NULL REFERENCES advisors (id),
    UNIQUE (id, entity_id)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    entity_id INTEGER NOT NULL REFERENCES entities (id),
    person_id INTEGER NOT NULL UNIQUE,
    login_id TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('awaiting_first_login', 'active', 'suspended', 'blocked')),
    is_administrator INTEGER NOT NULL DEFAULT 0 CHECK (is_administrator IN (0, 1)),
    password_hash TEXT,
    temp_password_hash TEXT,
    temp_password_expires_at INTEGER,
    temp_password_used_at INTEGER,
    failed_password_count INTEGER NOT NULL DEFAULT 0,
    password_locked_until INTEGER,
    failed_sca_count INTEGER NOT NULL DEFAULT 0,
    totp_secret TEXT,
    totp_last_step INTEGER,
    is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES users (id),
    UNIQUE (id, entity_id),
    FOREIGN KEY (person_id, entity_id) REFERENCES persons (id, entity_id)
);

-- Levels per account or contract. Only non-empty rows are stored; each level keeps its origin
-- (« profil:valideur », « copie:12 », « personnalise »).
CREATE TABLE user_rights (
    id INTEGER PRIMARY KEY,
    entity_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    account_id INTEGER,
    contract_id INTEGER,
    consultation_origin TEXT NOT NULL,
    gestion_origin TEXT,
    validation_origin TEXT,
    CHECK ((account_id IS NULL) <> (contract_id IS NULL)),
    FOREIGN KEY (user_id, entity_id) REFERENCES users (id, entity_id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, entity_id) REFERENCES accounts (id, entity_id),
    FOREIGN KEY (contract_id, entity_id) REFERENCES contracts (id, entity_id),
    UNIQUE (user_id, account_id),
    UNIQUE (user_id, contract_id)
);

CREATE TABLE passkeys (
    id INTEGER PRIMARY KEY,
    entity_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    credential_id TEXT NOT NULL UNIQUE,
    passkey TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    FOREIGN KEY (user_id, entity_id) REFERENCES users (id, entity_id) ON DELETE CASCADE
);

-- Server-side sessions. Only a SHA-256 of the cookie's token is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    entity_id INTEGER NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('sca', 'new_password', 'enrol', 'full')),
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    ceremony_kind TEXT,
    ceremony TEXT
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE ip_throttle (
    ip TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    failures INTEGER NOT NULL
);

-- An operation awaiting its strong authentication: what was signed and its digest.
CREATE TABLE pending_operations (
    id TEXT PRIMARY KEY,
    entity_id INTEGER NOT NULL REFERENCES entities (id),
    admin_user_id INTEGER NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    digest TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('awaiting_sca', 'consumed', 'voided')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    consumed_at INTEGER,
    ceremony TEXT,
    result_user_id INTEGER
);
CREATE INDEX pending_operations_by_admin ON pending_operations (admin_user_id, status);

-- The audit trail: append-only (triggers refuse UPDATE and DELETE) and hash-chained.
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    entity_id INTEGER,
    actor_user_id INTEGER,
    kind TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TRIGGER audit_events_append_only_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_append_only_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;

-- The chain's head, one row, locked by every append so that appends form a single chain.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_id INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_id, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- The transactional outbox: messages are written with the change they belong to and sent after
-- commit. The body is encrypted and wiped once delivered.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    entity_id INTEGER NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until INTEGER,
    sent_at INTEGER,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox (sent_at, next_attempt_at);

-- Local mode only: the simulated mailbox and phone where delivered messages land.
CREATE TABLE local_deliveries (
    id INTEGER PRIMARY KEY,
    outbox_id INTEGER NOT NULL UNIQUE REFERENCES outbox (id),
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    delivered_at INTEGER NOT NULL
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
