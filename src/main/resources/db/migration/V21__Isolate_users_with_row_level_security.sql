-- The second wall (SPEC §8): PostgreSQL itself keeps each user's rows from every other user, so a
-- query that forgets its owner filter returns nothing instead of someone else's data.
--
-- Parley connects as a runtime role (${runtime_role}) that owns nothing and may only read and
-- write rows; this migration runs as the owner role (Flyway's own credentials, README "Database
-- roles"). FORCE applies the policies to the owner as well, so nothing but a superuser or a
-- BYPASSRLS role reads across users.
--
-- Every connection names its user in the setting parley.user_id (dev.parley.security.RowSecurity);
-- a connection with no user set sees no rows. Background jobs name a job in parley.system instead
-- and get only the rows that job needs (policies below). The setting names are a contract.

GRANT SELECT, INSERT, UPDATE, DELETE ON conversation, message, idempotency_key, rate_limit_bucket, api_key
    TO ${runtime_role};
-- Tables that later migrations create (as this owner) get the same grants.
ALTER DEFAULT PRIVILEGES IN SCHEMA ${flyway:defaultSchema}
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${runtime_role};

-- The wall for one table with a user_id column: row-level security, forced, and the owner policy
-- for every command. A table of user data added later gets it with one line in its migration:
--     SELECT parley_wall('the_table');
-- (UserTableKeysTest fails while a table with user_id lacks it.) current_setting(..., true) is NULL
-- when nothing was set and '' for nobody: neither equals a user id.
CREATE FUNCTION parley_wall(tbl regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
DECLARE
    policy text := (SELECT relname FROM pg_class WHERE oid = tbl) || '_owner';
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', tbl);
    EXECUTE format('DROP POLICY IF EXISTS %I ON %s', policy, tbl);
    EXECUTE format('CREATE POLICY %I ON %s'
                   ' USING (user_id = current_setting(''parley.user_id'', true))'
                   ' WITH CHECK (user_id = current_setting(''parley.user_id'', true))', policy, tbl);
END
$$;
REVOKE EXECUTE ON FUNCTION parley_wall(regclass) FROM PUBLIC;

SELECT parley_wall('conversation');
SELECT parley_wall('message');
SELECT parley_wall('idempotency_key');
SELECT parley_wall('rate_limit_bucket');
-- api_key had the same owner policy since V15 (recreated identically here). Its second policy,
-- api_key_migration_owner, opens every key to the role that ran V15 (this owner), and only so that
-- the SECURITY DEFINER functions api_key_authenticate and api_key_touch can find a key by the hash
-- of its secret before the user is known: the runtime role reaches those rows only through the two
-- functions, which return the one key whose SHA-256 the caller already holds the preimage of.
SELECT parley_wall('api_key');

-- The reply job (parley.system = 'replies') finds, claims, renews and hands back pending replies of
-- every user: it may read and update pending messages, and leave them pending. The work on one
-- claimed reply (its history, storing it complete or failed, its conversation) runs as the reply's
-- owner, under the owner policy.
CREATE POLICY message_replies_read ON message FOR SELECT
    USING (current_setting('parley.system', true) = 'replies' AND status = 'pending');
CREATE POLICY message_replies_claim ON message FOR UPDATE
    USING (current_setting('parley.system', true) = 'replies' AND status = 'pending')
    WITH CHECK (current_setting('parley.system', true) = 'replies' AND status = 'pending');

-- The purges (parley.system = 'purge') delete expired rows of every user. Conversations: temporary
-- ones past expires_at and, with retention on, inactive ones (the cutoff is a setting of the
-- application, so the policy cannot name it); their messages and idempotency keys go by the foreign
-- keys' cascade, which row-level security does not filter, and the job itself reads no message.
-- The batch is chosen with FOR UPDATE SKIP LOCKED, which needs an UPDATE policy; it changes nothing.
CREATE POLICY conversation_purge_read ON conversation FOR SELECT
    USING (current_setting('parley.system', true) = 'purge');
CREATE POLICY conversation_purge_lock ON conversation FOR UPDATE
    USING (current_setting('parley.system', true) = 'purge')
    WITH CHECK (false);
CREATE POLICY conversation_purge ON conversation FOR DELETE
    USING (current_setting('parley.system', true) = 'purge');
-- Idempotency keys older than any request can still be running (the in-progress timeout is 5
-- minutes) and rate-limit buckets past their expiry (epoch milliseconds).
CREATE POLICY idempotency_key_purge_read ON idempotency_key FOR SELECT
    USING (current_setting('parley.system', true) = 'purge' AND created_at < now() - interval '5 minutes');
CREATE POLICY idempotency_key_purge ON idempotency_key FOR DELETE
    USING (current_setting('parley.system', true) = 'purge' AND created_at < now() - interval '5 minutes');
CREATE POLICY rate_limit_bucket_purge_read ON rate_limit_bucket FOR SELECT
    USING (current_setting('parley.system', true) = 'purge'
           AND expires_at < (extract(epoch FROM clock_timestamp()) * 1000)::bigint);
CREATE POLICY rate_limit_bucket_purge_lock ON rate_limit_bucket FOR UPDATE
    USING (current_setting('parley.system', true) = 'purge'
           AND expires_at < (extract(epoch FROM clock_timestamp()) * 1000)::bigint)
    WITH CHECK (false);
CREATE POLICY rate_limit_bucket_purge ON rate_limit_bucket FOR DELETE
    USING (current_setting('parley.system', true) = 'purge'
           AND expires_at < (extract(epoch FROM clock_timestamp()) * 1000)::bigint);
