-- « Double validation » (maker-checker): an entity may require that every administration
-- operation signed by one administrator waits for a second administrator's approval.
--
-- An operation so signed is `awaiting_approval` (since `signed_at`); a second administrator
-- approves it (`applied`) or rejects it with a reason (`rejected`); it becomes `voided` when it
-- lapses (`lapse` says why: too old, user changed, author no longer administrator) or when its
-- author withdraws it. `decided_by` and `decided_at` name who decided and when.
--
-- SQLite cannot change a CHECK constraint: the table is rebuilt (foreign keys are off while
-- migrations run, and checked after).

ALTER TABLE entities ADD COLUMN dual_control INTEGER NOT NULL DEFAULT 0
    CONSTRAINT entities_dual_control_check CHECK (dual_control IN (0, 1));

CREATE TABLE operations_new (
    id TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    author_user_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    target_user_id INTEGER,
    target_version INTEGER,
    payload TEXT NOT NULL,
    digest TEXT NOT NULL,
    status TEXT NOT NULL,
    session_id INTEGER,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    applied_at INTEGER,
    result_user_id INTEGER,
    draft_id TEXT,
    signed_at INTEGER,
    decided_by INTEGER,
    decided_at INTEGER,
    rejection_reason TEXT,
    lapse TEXT,
    CONSTRAINT operations_pkey PRIMARY KEY (id),
    CONSTRAINT operations_status_check
        CHECK (status IN ('prepared', 'awaiting_approval', 'applied', 'rejected', 'voided',
                          'expired')),
    CONSTRAINT operations_entity_id_fkey FOREIGN KEY (entity_id) REFERENCES entities (id),
    CONSTRAINT operations_author_user_id_entity_id_fkey
        FOREIGN KEY (author_user_id, entity_id) REFERENCES users (id, entity_id),
    CONSTRAINT operations_decided_by_entity_id_fkey
        FOREIGN KEY (decided_by, entity_id) REFERENCES users (id, entity_id)
);
INSERT INTO operations_new (id, entity_id, author_user_id, kind, target_user_id, target_version,
                            payload, digest, status, session_id, created_at, expires_at,
                            applied_at, result_user_id, draft_id)
SELECT id, entity_id, author_user_id, kind, target_user_id, target_version, payload, digest,
       status, session_id, created_at, expires_at, applied_at, result_user_id, draft_id
FROM operations;
DROP TABLE operations;
ALTER TABLE operations_new RENAME TO operations;
CREATE INDEX operations_by_author ON operations (author_user_id, status);
CREATE INDEX operations_by_entity_status ON operations (entity_id, status);
