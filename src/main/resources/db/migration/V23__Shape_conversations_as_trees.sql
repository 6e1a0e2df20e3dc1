-- Conversations as trees. Every message but a conversation's first names its parent, in the same
-- conversation and created no later than itself, so a parent chain always ends at a root and never
-- loops. The conversation remembers its current leaf; the chain from the root to it (the active
-- path) is what the model sees. Data migration and constraint checks read whole tables.
SET LOCAL statement_timeout = 0;

-- The data migration below reads and writes every user's rows, which the wall (V21) hides from
-- this owner role too. The owner is exempt only while FORCE is off, and that lasts as long as
-- this migration's transaction: FORCE is back on at its end.
ALTER TABLE conversation NO FORCE ROW LEVEL SECURITY;
ALTER TABLE message NO FORCE ROW LEVEL SECURITY;

ALTER TABLE conversation ADD COLUMN current_leaf_id uuid;

-- Messages stored before trees were linked only reply -> user message. Each other parentless
-- message that is not its conversation's first now answers the message before it, which is what
-- the linear history meant.
UPDATE message m
   SET parent_id = previous.previous_id
  FROM (SELECT id, lag(id) OVER (PARTITION BY conversation_id ORDER BY created_at, id) AS previous_id
          FROM message) previous
 WHERE m.id = previous.id AND m.parent_id IS NULL AND previous.previous_id IS NOT NULL;

-- The newest message of a conversation is always a leaf (children are never older than their
-- parent), so it is the current leaf that keeps showing what the conversation showed before.
UPDATE conversation c
   SET current_leaf_id = (SELECT m.id FROM message m
                           WHERE m.conversation_id = c.id AND m.user_id = c.user_id
                           ORDER BY m.created_at DESC, m.id DESC LIMIT 1);

-- Deleting a message deletes the replies and edits below it: a branch without its root means nothing.
ALTER TABLE message DROP CONSTRAINT message_parent_fk;
-- The key keeps the owner column (V20, README "Scaling out"); a cascade never crosses users.
ALTER TABLE message ADD CONSTRAINT message_parent_fk FOREIGN KEY (parent_id, user_id)
    REFERENCES message (id, user_id) ON DELETE CASCADE;

-- Siblings of a root (an edited first message) are the conversation's other roots; without this
-- index finding them would read the whole conversation. Children of a message use message_parent_idx.
CREATE INDEX message_root_idx ON message (conversation_id) WHERE parent_id IS NULL;

-- Tags: a few short labels per conversation, filtered with "has all of these" (@>). user_id leads
-- (btree_gin) so that one user's tag postings are found without touching other users'. The pending
-- list stays short like the other GIN indexes (V7): every new message updates its conversation.
ALTER TABLE conversation ADD COLUMN tags varchar[] NOT NULL DEFAULT '{}';
CREATE INDEX conversation_tags_idx ON conversation USING gin (user_id, tags)
    WITH (gin_pending_list_limit = 256);

ALTER TABLE conversation FORCE ROW LEVEL SECURITY;
ALTER TABLE message FORCE ROW LEVEL SECURITY;
