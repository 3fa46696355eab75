-- Row-level security, a second line behind the queries' own `WHERE entity_id = …`: while the
-- server answers a signed-in person, every connection it uses carries their entity
-- (`habilis.entity_id`, set by the pool for the request; see `store::scoped`), and the rows of
-- any other entity are invisible and cannot be written. Outside such a request (sign-in, the
-- outbox dispatcher, housekeeping) the setting is empty and the policies let everything
-- through. The tables' owner bypasses the policies; the server's role (`habilis_app`) does not.
CREATE FUNCTION habilis_current_entity() RETURNS bigint
    LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('habilis.entity_id', true), '')::bigint $$;

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_of_the_current_entity ON users
    USING (habilis_current_entity() IS NULL OR entity_id = habilis_current_entity());

ALTER TABLE persons ENABLE ROW LEVEL SECURITY;
CREATE POLICY persons_of_the_current_entity ON persons
    USING (habilis_current_entity() IS NULL OR entity_id = habilis_current_entity());

ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY accounts_of_the_current_entity ON accounts
    USING (habilis_current_entity() IS NULL OR entity_id = habilis_current_entity());

ALTER TABLE contracts ENABLE ROW LEVEL SECURITY;
CREATE POLICY contracts_of_the_current_entity ON contracts
    USING (habilis_current_entity() IS NULL OR entity_id = habilis_current_entity());

ALTER TABLE user_rights ENABLE ROW LEVEL SECURITY;
CREATE POLICY user_rights_of_the_current_entity ON user_rights
    USING (habilis_current_entity() IS NULL OR entity_id = habilis_current_entity());

ALTER TABLE passkeys ENABLE ROW LEVEL SECURITY;
CREATE POLICY passkeys_of_the_current_entity ON passkeys
    USING (habilis_current_entity() IS NULL OR entity_id = habilis_current_entity());

ALTER TABLE operations ENABLE ROW LEVEL SECURITY;
CREATE POLICY operations_of_the_current_entity ON operations
    USING (habilis_current_entity() IS NULL OR entity_id = habilis_current_entity());

ALTER TABLE drafts ENABLE ROW LEVEL SECURITY;
CREATE POLICY drafts_of_the_current_entity ON drafts
    USING (habilis_current_entity() IS NULL OR entity_id = habilis_current_entity());

ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY outbox_of_the_current_entity ON outbox
    USING (habilis_current_entity() IS NULL OR entity_id = habilis_current_entity());
