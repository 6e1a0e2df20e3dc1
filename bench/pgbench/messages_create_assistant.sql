-- POST /api/conversations/{id}/messages, role assistant (MessageService.create, no reply):
-- the conditional UPDATE ... RETURNING that proves ownership and counts the message, then the INSERT.
\set u random(1, :users)
\set c random(1, :convs)
BEGIN;
UPDATE conversation SET message_count = message_count + 1 + CASE WHEN CAST(false AS boolean) AND auto_reply THEN 1 ELSE 0 END, last_message_at = now(), updated_at = now() WHERE id = md5('parley-bench/user-' || :u::text || '/' || :c::text)::uuid AND user_id = 'user-' || :u::text RETURNING auto_reply;
insert into message (content,conversation_id,created_at,endpoint,metadata,model,parent_id,role,status,thread_id,tool_calls,updated_at,user_id,version,id) values ('Here is a short assistant answer stored by the benchmark.',md5('parley-bench/user-' || :u::text || '/' || :c::text)::uuid,now(),NULL,'{}',NULL,NULL,'assistant','complete',NULL,'[]',now(),'user-' || :u::text,0,gen_random_uuid());
COMMIT;
