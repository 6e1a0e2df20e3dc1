-- A message's children and a conversation's roots are looked up with the owner named as well
-- (every statement filters by user_id; row-level security adds the same condition). With the owner
-- outside these indexes, a generic plan, which cannot tell a user of 200 000 messages from one of
-- 100, ANDed each lookup with the owner's entries in message_search_idx: every message of the user
-- read once per family of siblings (QueryPlanTest, sibling positions). With user_id leading, one
-- index answers the whole condition. The cascade of message_parent_fk (parent_id, user_id) uses
-- it too.
DROP INDEX message_parent_idx;
CREATE INDEX message_parent_idx ON message (user_id, parent_id) WHERE parent_id IS NOT NULL;
DROP INDEX message_root_idx;
CREATE INDEX message_root_idx ON message (user_id, conversation_id) WHERE parent_id IS NULL;
