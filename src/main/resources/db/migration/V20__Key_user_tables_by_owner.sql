-- Ready to be distributed by user (README "Scaling out"): a distributed PostgreSQL (Citus) places
-- every row by its distribution column, and can only enforce a primary key, unique constraint or
-- foreign key that includes it. So every key of a user table carries user_id, and a row refers to
-- its conversation and parent within its owner's rows. user_id comes second in the primary keys:
-- lookups by id alone (Hibernate's update by id and version, the reply worker) still use them.
SET LOCAL statement_timeout = 0;

ALTER TABLE message DROP CONSTRAINT message_conversation_fk;
ALTER TABLE message DROP CONSTRAINT message_parent_fk;
ALTER TABLE idempotency_key DROP CONSTRAINT idempotency_key_conversation_id_fkey;

ALTER TABLE conversation DROP CONSTRAINT conversation_pk;
ALTER TABLE conversation ADD CONSTRAINT conversation_pk PRIMARY KEY (id, user_id);

ALTER TABLE message DROP CONSTRAINT message_pk;
ALTER TABLE message ADD CONSTRAINT message_pk PRIMARY KEY (id, user_id);

ALTER TABLE message ADD CONSTRAINT message_conversation_fk FOREIGN KEY (conversation_id, user_id)
    REFERENCES conversation (id, user_id) ON DELETE CASCADE;
-- Deleting a parent clears only parent_id (PostgreSQL 15+): the owner column is part of the key.
ALTER TABLE message ADD CONSTRAINT message_parent_fk FOREIGN KEY (parent_id, user_id)
    REFERENCES message (id, user_id) ON DELETE SET NULL (parent_id);
ALTER TABLE idempotency_key ADD CONSTRAINT idempotency_key_conversation_fk FOREIGN KEY (conversation_id, user_id)
    REFERENCES conversation (id, user_id) ON DELETE CASCADE;

-- Rate-limit buckets are Bucket4j's rows, keyed '<budget>:<user id>'; the owner is derived from the
-- key so that row-level security (V21) and erasure treat them like every other user table. Bucket4j
-- upserts ON CONFLICT (id), so the key stays id alone: the table is distributed by id, not user_id.
ALTER TABLE rate_limit_bucket
    ADD COLUMN user_id varchar(320) GENERATED ALWAYS AS (substr(id, strpos(id, ':') + 1)) STORED;
