-- « Droits temporaires »: a right given until a day is removed at the end of that day
-- (`ends_at`, Unix seconds) by the server's sweep; `reminded_at` records that the reminder
-- three days before was queued, so that it is queued once. A revoked right keeps the end it had.

ALTER TABLE user_rights ADD COLUMN ends_at BIGINT;
ALTER TABLE user_rights ADD COLUMN reminded_at BIGINT;
ALTER TABLE revoked_rights ADD COLUMN ends_at BIGINT;
CREATE INDEX user_rights_by_end ON user_rights (ends_at) WHERE ends_at IS NOT NULL;
