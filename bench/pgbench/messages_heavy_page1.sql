-- Page 1 (no cursor) of the 1,000,000-message conversation: the page (one row more than asked),
-- then, since it is not the last page, the conversation, whose message_count is the page's count
-- (no COUNT over a million rows).
select m1_0.id,m1_0.content,m1_0.conversation_id,m1_0.created_at,m1_0.endpoint,m1_0.metadata,m1_0.model,m1_0.parent_id,m1_0.role,m1_0.status,m1_0.thread_id,m1_0.tool_calls,m1_0.updated_at,m1_0.user_id,m1_0.version from message m1_0 where m1_0.user_id='bench-heavy' and (m1_0.conversation_id=md5('parley-bench/bench-heavy/1')::uuid) order by m1_0.created_at,m1_0.id offset 0 rows fetch first 21 rows only;
select c1_0.id,c1_0.archived,c1_0.auto_reply,c1_0.created_at,c1_0.description,c1_0.last_message_at,c1_0.message_count,c1_0.metadata,c1_0.pinned,c1_0.title,c1_0.updated_at,c1_0.user_id,c1_0.version from conversation c1_0 where c1_0.user_id='bench-heavy' and (c1_0.id=md5('parley-bench/bench-heavy/1')::uuid);
