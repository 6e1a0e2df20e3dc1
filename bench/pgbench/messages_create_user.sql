-- POST /api/conversations/{id}/messages, role user, auto_reply on (MessageService.create), then the
-- rules reply that the worker completes after the commit (ReplyStore), statement for statement:
--   1. UPDATE ... RETURNING, the user message and its pending reply (one transaction);
--   2. the claim (UPDATE ... RETURNING);
--   3. the history the provider is given;
--   4. the completed reply and the conversation's updated_at (one transaction).
\set u random(1, :users)
\set c random(1, :convs)
BEGIN;
UPDATE conversation SET message_count = message_count + 1 + CASE WHEN CAST(true AS boolean) AND auto_reply THEN 1 ELSE 0 END, last_message_at = now(), updated_at = now() WHERE id = md5('parley-bench/user-' || :u::text || '/' || :c::text)::uuid AND user_id = 'user-' || :u::text RETURNING auto_reply;
insert into message (content,conversation_id,created_at,endpoint,metadata,model,parent_id,role,status,thread_id,tool_calls,updated_at,user_id,version,id) values ('Hello, can you help me plan a trip to Lisbon?',md5('parley-bench/user-' || :u::text || '/' || :c::text)::uuid,now(),NULL,'{}',NULL,NULL,'user','complete',NULL,'[]',now(),'user-' || :u::text,0,gen_random_uuid());
insert into message (content,conversation_id,created_at,endpoint,metadata,model,parent_id,role,status,thread_id,tool_calls,updated_at,user_id,version,id) values ('',md5('parley-bench/user-' || :u::text || '/' || :c::text)::uuid,now() + interval '1 microsecond',NULL,'{}',NULL,NULL,'assistant','pending',NULL,'[]',now() + interval '1 microsecond','user-' || :u::text,0,gen_random_uuid()) RETURNING id AS reply_id
\gset
COMMIT;
UPDATE message SET claimed_until = now() + make_interval(secs => 60.0), claim_token = gen_random_uuid(), reply_attempts = reply_attempts + 1 WHERE id = :reply_id AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < now()) RETURNING conversation_id, user_id, created_at AS reply_created, reply_attempts, claim_token
\gset
SELECT role, content FROM message WHERE conversation_id = :conversation_id AND user_id = :user_id AND status = 'complete' AND created_at < :reply_created ORDER BY created_at DESC, id DESC LIMIT 20;
BEGIN;
UPDATE message SET content = 'Happy to help you plan your trip.', status = 'complete', tool_calls = CAST('[]' AS jsonb), endpoint = COALESCE(endpoint, 'rules'), model = COALESCE(model, NULL), claimed_until = NULL, claim_token = NULL, updated_at = now(), version = version + 1 WHERE id = :reply_id AND claim_token = :claim_token AND status = 'pending';
UPDATE conversation SET updated_at = now() WHERE id = :conversation_id AND updated_at < now();
COMMIT;
