-- GET /api/conversations (page 1 of 20): COUNT for the page envelope, then the page. No
-- transaction (ConversationService.list is TxType.SUPPORTS, so each statement autocommits).
\set u random(1, :users)
select count(*) from conversation c1_0 where c1_0.user_id='user-' || :u::text and (c1_0.archived=false);
select c1_0.id,c1_0.archived,c1_0.auto_reply,c1_0.created_at,c1_0.description,c1_0.last_message_at,c1_0.message_count,c1_0.metadata,c1_0.pinned,c1_0.title,c1_0.updated_at,c1_0.user_id,c1_0.version from conversation c1_0 where c1_0.user_id='user-' || :u::text and (c1_0.archived=false) order by c1_0.updated_at desc,c1_0.id desc offset 0 rows fetch first 20 rows only;
