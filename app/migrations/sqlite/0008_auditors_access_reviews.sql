-- « Auditeur »: a user an administrator marks as auditor sees the journal, the entitlement
-- report and the access reviews, read only, and nothing else of the administration.
--
-- « Revue des accès »: an administrator starts a review; every user of the entity at that time
-- is an item to confirm (or to change through the usual signed operation); the review closes
-- with an evidence file signed by the server. One open review per entity at a time (partial
-- unique index). The entity's period (default 90 days) says when a new review is due.

ALTER TABLE users ADD COLUMN is_auditor INTEGER NOT NULL DEFAULT 0
    CONSTRAINT users_is_auditor_check CHECK (is_auditor IN (0, 1));
ALTER TABLE entities ADD COLUMN access_review_period_days INTEGER NOT NULL DEFAULT 90;

CREATE TABLE access_reviews (
    id INTEGER,
    entity_id INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    started_by INTEGER NOT NULL,
    closed_at INTEGER,
    closed_by INTEGER,
    evidence TEXT,
    evidence_signature TEXT,
    CONSTRAINT access_reviews_pkey PRIMARY KEY (id),
    CONSTRAINT access_reviews_id_entity_id_key UNIQUE (id, entity_id),
    CONSTRAINT access_reviews_started_by_entity_id_fkey
        FOREIGN KEY (started_by, entity_id) REFERENCES users (id, entity_id)
);
CREATE UNIQUE INDEX access_reviews_one_open ON access_reviews (entity_id) WHERE closed_at IS NULL;
CREATE INDEX access_reviews_by_entity ON access_reviews (entity_id, started_at);

CREATE TABLE access_review_items (
    review_id INTEGER NOT NULL,
    entity_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    decision TEXT NOT NULL DEFAULT 'pending',
    rights_text TEXT,
    decided_at INTEGER,
    decided_by INTEGER,
    operation_id TEXT,
    CONSTRAINT access_review_items_pkey PRIMARY KEY (review_id, user_id),
    CONSTRAINT access_review_items_decision_check
        CHECK (decision IN ('pending', 'confirmed', 'changed')),
    CONSTRAINT access_review_items_review_id_entity_id_fkey
        FOREIGN KEY (review_id, entity_id) REFERENCES access_reviews (id, entity_id),
    CONSTRAINT access_review_items_user_id_entity_id_fkey
        FOREIGN KEY (user_id, entity_id) REFERENCES users (id, entity_id)
);
CREATE INDEX access_review_items_by_user ON access_review_items (user_id, decision);
