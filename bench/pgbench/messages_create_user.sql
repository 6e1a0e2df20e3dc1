-- POST /api/conversations/{id}/messages, role user, auto_reply on (MessageService.create):
-- UPDATE ... RETURNING, then the user message and its pending reply (one JDBC batch of two INSERTs).
-- Once the rules provider completes replies asynchronously, add the statements that it issues
-- (see the SQL trace in the results file) so that the ceiling includes them.
\set u random(1, :users)
\set c random(1, :convs)
BEGIN;
UPDATE conversation SET message_count = message_count + 1 + CASE WHEN CAST(true AS boolean) AND auto_reply THEN 1 ELSE 0 END, last_message_at = now(), updated_at = now() WHERE id = md5('parley-bench/user-' || :u::text || '/' || :c::text)::uuid AND user_id = 'user-' || :u::text RETURNING auto_reply;
insert into message (content,conversation_id,created_at,endpoint,metadata,model,parent_id,role,status,thread_id,tool_calls,updated_at,user_id,version,id) values ('Hello, can you help me plan a trip to Lisbon?',md5('parley-bench/user-' || :u::text || '/' || :c::text)::uuid,now(),NULL,'{}',NULL,NULL,'user','complete',NULL,'[]',now(),'user-' || :u::text,0,gen_random_uuid());
insert into message (content,conversation_id,created_at,endpoint,metadata,model,parent_id,role,status,thread_id,tool_calls,updated_at,user_id,version,id) values ('',md5('parley-bench/user-' || :u::text || '/' || :c::text)::uuid,now() + interval '1 microsecond',NULL,'{}',NULL,NULL,'assistant','pending',NULL,'[]',now() + interval '1 microsecond','user-' || :u::text,0,gen_random_uuid());
COMMIT;
