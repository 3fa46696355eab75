-- « Droits temporaires »: a right given until a day is removed at the end of that day
-- (`ends_at`, Unix seconds) by the server's sweep; `reminded_at` records that the reminder
-- three days before was queued, so that it is queued once. A revoked right keeps the end it had.
--
-- A right given from a later day waits in `scheduled_rights` until `starts_at`: the sweep then
-- moves it into `user_rights`, so that `user_rights` always holds what is held now.

ALTER TABLE user_rights ADD COLUMN ends_at INTEGER;
ALTER TABLE user_rights ADD COLUMN reminded_at INTEGER;
ALTER TABLE revoked_rights ADD COLUMN ends_at INTEGER;
CREATE INDEX user_rights_by_end ON user_rights (ends_at) WHERE ends_at IS NOT NULL;

CREATE TABLE scheduled_rights (
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
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    CONSTRAINT scheduled_rights_pkey PRIMARY KEY (id),
    CONSTRAINT scheduled_rights_check CHECK ((account_id IS NULL) <> (contract_id IS NULL)),
    CONSTRAINT scheduled_rights_level_check
        CHECK (level IN ('consultation', 'gestion', 'validation')),
    CONSTRAINT scheduled_rights_period_check CHECK (starts_at < ends_at),
    CONSTRAINT scheduled_rights_user_id_entity_id_fkey
        FOREIGN KEY (user_id, entity_id) REFERENCES users (id, entity_id),
    CONSTRAINT scheduled_rights_account_id_entity_id_fkey
        FOREIGN KEY (account_id, entity_id) REFERENCES accounts (id, entity_id),
    CONSTRAINT scheduled_rights_contract_id_entity_id_fkey
        FOREIGN KEY (contract_id, entity_id) REFERENCES contracts (id, entity_id)
);
CREATE INDEX scheduled_rights_by_start ON scheduled_rights (starts_at);
CREATE INDEX scheduled_rights_by_user ON scheduled_rights (user_id);
