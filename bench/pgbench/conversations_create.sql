-- POST /api/conversations: one INSERT in a transaction (ConversationService.create).
\set u random(1, :users)
BEGIN;
insert into conversation (archived,auto_reply,created_at,description,metadata,pinned,title,updated_at,user_id,version,id) values (false,true,now(),NULL,'{}',false,'Benchmark conversation',now(),'user-' || :u::text,0,gen_random_uuid());
COMMIT;
