-- A message's conversation decides its owner, but PostgreSQL assumes the two columns independent
-- and multiplies their selectivities. For a large conversation that underestimates its rows by
-- the owner's share (24 564 estimated, 100 000 read in QueryPlanTest), which made a bitmap scan
-- and a sort of the whole conversation look cheaper than reading a page from the ordered index.
-- With the dependency known, conversation_id = ? AND user_id = ? is costed as conversation_id = ?.
CREATE STATISTICS message_conversation_owner (dependencies) ON conversation_id, user_id FROM message;
ANALYZE message;
