-- POST /api/chat into an existing conversation (ChatService), rules provider: the user message and
-- the history the model sees in one transaction, then the reply in another.
\set u random(1, :users)
\set c random(1, :convs)
BEGIN;
UPDATE conversation SET message_count = message_count + 1 + CASE WHEN CAST(false AS boolean) AND auto_reply THEN 1 ELSE 0 END, last_message_at = now(), updated_at = now() WHERE id = md5('parley-bench/user-' || :u::text || '/' || :c::text)::uuid AND user_id = 'user-' || :u::text RETURNING auto_reply;
insert into message (content,conversation_id,created_at,endpoint,metadata,model,parent_id,role,status,thread_id,tool_calls,updated_at,user_id,version,id) values ('Hello, can you help me plan a trip to Lisbon?',md5('parley-bench/user-' || :u::text || '/' || :c::text)::uuid,now(),NULL,'{}',NULL,NULL,'user','complete',NULL,'[]',now(),'user-' || :u::text,0,gen_random_uuid()) RETURNING id AS user_message_id
\gset
select m1_0.id,m1_0.content,m1_0.conversation_id,m1_0.created_at,m1_0.endpoint,m1_0.metadata,m1_0.model,m1_0.parent_id,m1_0.role,m1_0.status,m1_0.thread_id,m1_0.tool_calls,m1_0.updated_at,m1_0.user_id,m1_0.version from message m1_0 where m1_0.user_id='user-' || :u::text and (m1_0.conversation_id=md5('parley-bench/user-' || :u::text || '/' || :c::text)::uuid and m1_0.status='complete') order by m1_0.created_at desc,m1_0.id desc fetch first 20 rows only;
COMMIT;
BEGIN;
UPDATE conversation SET message_count = message_count + 1 + CASE WHEN CAST(false AS boolean) AND auto_reply THEN 1 ELSE 0 END, last_message_at = now(), updated_at = now() WHERE id = md5('parley-bench/user-' || :u::text || '/' || :c::text)::uuid AND user_id = 'user-' || :u::text RETURNING auto_reply;
insert into message (content,conversation_id,created_at,endpoint,metadata,model,parent_id,role,status,thread_id,tool_calls,updated_at,user_id,version,id) values ('Happy to help you plan your trip.',md5('parley-bench/user-' || :u::text || '/' || :c::text)::uuid,now() + interval '1 microsecond','rules','{}',NULL,:user_message_id,'assistant','complete',NULL,'[]',now() + interval '1 microsecond','user-' || :u::text,0,gen_random_uuid());
COMMIT;
