-- GET /api/conversations?page_size=20 with an API key: the list's statement, plus the key lookup
-- that a replica makes when the key is not in its cache (at most once per key and
-- parley.api-keys.cache-ttl; on every request with a ttl of 0). The ceiling is therefore the
-- uncached case.
\set u random(1, :users)
select user_id, id, scopes, secret_hash, expires_at from api_key_authenticate(sha256(convert_to('pk_live_' || left(translate(encode(sha512(convert_to('parley-bench/key/' || :u, 'UTF8')), 'base64'), '+/=' || chr(10), 'xyz'), 43), 'UTF8')));
select c1_0.id,c1_0.archived,c1_0.auto_reply,c1_0.created_at,c1_0.description,c1_0.last_message_at,c1_0.message_count,c1_0.metadata,c1_0.pinned,c1_0.title,c1_0.updated_at,c1_0.user_id,c1_0.version from conversation c1_0 where c1_0.user_id='user-' || :u::text and (c1_0.archived=false) order by c1_0.updated_at desc,c1_0.id desc offset 0 rows fetch first 21 rows only;
