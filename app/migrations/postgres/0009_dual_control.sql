-- « Double validation » (maker-checker): an entity may require that every administration
-- operation signed by one administrator waits for a second administrator's approval.
--
-- An operation so signed is `awaiting_approval` (since `signed_at`); a second administrator
-- approves it (`applied`) or rejects it with a reason (`rejected`); it becomes `voided` when it
-- lapses (`lapse` says why: too old, user changed, author no longer administrator) or when its
-- author withdraws it. `decided_by` and `decided_at` name who decided and when.

ALTER TABLE entities ADD COLUMN dual_control BIGINT NOT NULL DEFAULT 0
    CONSTRAINT entities_dual_control_check CHECK (dual_control IN (0, 1));

ALTER TABLE operations DROP CONSTRAINT operations_status_check;
ALTER TABLE operations ADD CONSTRAINT operations_status_check
    CHECK (status IN ('prepared', 'awaiting_approval', 'applied', 'rejected', 'voided',
                      'expired'));
ALTER TABLE operations ADD COLUMN signed_at BIGINT;
ALTER TABLE operations ADD COLUMN decided_by BIGINT;
ALTER TABLE operations ADD COLUMN decided_at BIGINT;
ALTER TABLE operations ADD COLUMN rejection_reason TEXT;
ALTER TABLE operations ADD COLUMN lapse TEXT;
ALTER TABLE operations ADD CONSTRAINT operations_decided_by_entity_id_fkey
    FOREIGN KEY (decided_by, entity_id) REFERENCES users (id, entity_id);
CREATE INDEX operations_by_entity_status ON operations (entity_id, status);
