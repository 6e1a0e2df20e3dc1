-- GET /api/conversations?page_size=20: the page, one row more than asked. Every benchmark user has
-- 20 conversations, so page 1 is also the last and its count comes from its rows (Pager): no
-- COUNT statement. No transaction (ConversationService.list is TxType.SUPPORTS).
\set u random(1, :users)
select c1_0.id,c1_0.archived,c1_0.auto_reply,c1_0.created_at,c1_0.description,c1_0.last_message_at,c1_0.message_count,c1_0.metadata,c1_0.pinned,c1_0.title,c1_0.updated_at,c1_0.user_id,c1_0.version from conversation c1_0 where c1_0.user_id='user-' || :u::text and (c1_0.archived=false) order by c1_0.updated_at desc,c1_0.id desc offset 0 rows fetch first 21 rows only;
