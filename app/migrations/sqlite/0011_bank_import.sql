-- The bank's side: its core systems send advisors, entities with their accounts and contracts,
-- and persons (`server import`, `POST /banque/v1/import`). Each is known by the bank's own
-- identifier, so that sending the same file again changes nothing: an advisor and a person by
-- `bank_ref`, an entity by its SIREN, an account by its IBAN, a contract by its reference.
-- A closed account or contract stays (the rights history names it) with `closed_at` set; it
-- leaves every user's rights and every screen.
--
-- Client systems authenticate with a service token: only its SHA-256 is stored, with the
-- scopes it may import and when it was revoked.

ALTER TABLE advisors ADD COLUMN bank_ref TEXT;
CREATE UNIQUE INDEX advisors_by_bank_ref ON advisors (bank_ref);
ALTER TABLE persons ADD COLUMN bank_ref TEXT;
CREATE UNIQUE INDEX persons_by_bank_ref ON persons (bank_ref);
ALTER TABLE accounts ADD COLUMN closed_at INTEGER;
ALTER TABLE contracts ADD COLUMN closed_at INTEGER;

CREATE TABLE service_tokens (
    id INTEGER,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER,
    CONSTRAINT service_tokens_pkey PRIMARY KEY (id),
    CONSTRAINT service_tokens_name_key UNIQUE (name),
    CONSTRAINT service_tokens_token_hash_key UNIQUE (token_hash)
);
