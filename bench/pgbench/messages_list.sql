-- GET /api/conversations/{id}/messages?page_size=20 of a 5-message conversation: the page (one
-- row more than asked), scoped to the owner. Rows prove the conversation is the caller's and, this
-- being the last page, give the count, so the service does not read the conversation.
\set u random(1, :users)
\set c random(1, :convs)
select m1_0.id,m1_0.content,m1_0.conversation_id,m1_0.created_at,m1_0.endpoint,m1_0.metadata,m1_0.model,m1_0.parent_id,m1_0.role,m1_0.status,m1_0.thread_id,m1_0.tool_calls,m1_0.updated_at,m1_0.user_id,m1_0.version from message m1_0 where m1_0.user_id='user-' || :u::text and (m1_0.conversation_id=md5('parley-bench/user-' || :u::text || '/' || :c::text)::uuid) order by m1_0.created_at,m1_0.id offset 0 rows fetch first 21 rows only;
