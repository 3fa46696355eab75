-- The PostgreSQL twin of sqlite/0003: server-side drafts of journeys.

CREATE TABLE drafts (
    id TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    author_user_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT drafts_pkey PRIMARY KEY (id),
    CONSTRAINT drafts_kind_check CHECK (kind IN ('add_user', 'modify_rights')),
    CONSTRAINT drafts_author_user_id_entity_id_fkey
        FOREIGN KEY (author_user_id, entity_id) REFERENCES users (id, entity_id) ON DELETE CASCADE
);
CREATE INDEX drafts_by_author ON drafts (author_user_id, updated_at);

ALTER TABLE operations ADD COLUMN draft_id TEXT;

-- « Gestion des utilisateurs » searches names, login ids and e-mails without case or accents:
-- the folded text is kept with the user (written by the application, see store::users).
ALTER TABLE users ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
CREATE INDEX users_by_entity_state ON users (entity_id, state);
