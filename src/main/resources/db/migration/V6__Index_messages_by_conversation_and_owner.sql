-- Every message list is "WHERE user_id = ? AND conversation_id = ? ORDER BY created_at, id", and
-- pgjdbc runs it as a server-prepared statement, so after five executions PostgreSQL may switch
-- to a generic plan that cannot see the parameter values. With (conversation_id, created_at, id)
-- alone, that generic plan preferred a BitmapAnd of the two btree_gin indexes (which also cover
-- plain equality on user_id and conversation_id) and a sort: 1.6 s for page 1 of a 1 000 000-
-- message conversation instead of 0.1 ms (measured on the benchmark's data, PostgreSQL 15).
-- With both equalities in the ordered index, the generic and the custom plan are the same index
-- scan in list order, stopped after one page. conversation_id stays first, so the cascade from
-- conversation still finds its messages by this index.
CREATE INDEX message_conversation_owner_created_idx ON message (conversation_id, user_id, created_at, id);
DROP INDEX message_conversation_created_idx;
