-- Groups of entities: one person, user of several entities (a group's accountant, a holding's
-- director), signs in with one login id, one password and one factor. Each entity keeps its own
-- user row (rights, administration, state, journal are per entity); the row created first
-- holds the login (password, factors) and the others point at it (`login_user_id`) and carry
-- the same login id. `login_entity_id` is the entity of that first row.
--
-- A login id is now unique among the rows that hold a login, and once per entity.
ALTER TABLE users ADD COLUMN login_user_id BIGINT;
ALTER TABLE users ADD COLUMN login_entity_id BIGINT;
ALTER TABLE users ADD CONSTRAINT users_login_user_id_fkey
    FOREIGN KEY (login_user_id, login_entity_id) REFERENCES users (id, entity_id);
ALTER TABLE users ADD CONSTRAINT users_login_other_entity_check
    CHECK (login_user_id IS NULL OR login_entity_id <> entity_id);
ALTER TABLE users DROP CONSTRAINT users_login_id_key;
ALTER TABLE users ADD CONSTRAINT users_login_id_entity_id_key UNIQUE (login_id, entity_id);
CREATE UNIQUE INDEX users_login_id_of_logins ON users (login_id) WHERE login_user_id IS NULL;
CREATE INDEX users_by_login ON users (login_user_id) WHERE login_user_id IS NOT NULL;

-- The login a session signed in with: ending a login's sessions (blocked, reset) ends them in
-- every entity it reaches. Sessions opened before this migration name none (their user's).
ALTER TABLE sessions ADD COLUMN login_user_id BIGINT;
CREATE INDEX sessions_by_login ON sessions (login_user_id);
