-- A kept answer holds its conversation's content (title, message text), so it goes when the
-- conversation goes. NULL while the first request still runs, and for answers about no conversation.
SET LOCAL statement_timeout = 0;
ALTER TABLE idempotency_key
    ADD COLUMN conversation_id uuid REFERENCES conversation (id) ON DELETE CASCADE;
-- The cascade looks keys up by conversation.
CREATE INDEX idempotency_key_conversation_idx ON idempotency_key (conversation_id)
    WHERE conversation_id IS NOT NULL;
