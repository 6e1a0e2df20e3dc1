-- Parley benchmark data, loaded set-based (INSERT ... SELECT generate_series) into a schema that
-- Flyway has just created. Parameters (psql -v): users, convs, msgs, heavy.
--
--   users × convs conversations of msgs messages each, owned by 'user-1' .. 'user-<users>';
--   one conversation of <heavy> messages owned by 'bench-heavy'.
--
-- Conversation ids are md5('parley-bench/<user>/<n>')::uuid, so that the pgbench ceiling
-- scripts can name a random user's conversation without a lookup query. Message ids are
-- version 7 UUIDs built from created_at, like the ones Parley itself generates (Ids.newId).
-- Within a conversation created_at strictly increases (1 s apart; 1 ms in the heavy one),
-- message_count and last_message_at match the messages, updated_at = last_message_at.
\set ON_ERROR_STOP on

CREATE FUNCTION pg_temp.uuid7(ts timestamptz) RETURNS uuid LANGUAGE sql VOLATILE AS $$
    SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
               PLACING substring(int8send((extract(epoch FROM ts) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
           52, 1), 53, 1), 'hex')::uuid
$$;

-- Words the message contents (and the search operation's queries) are made of.
CREATE TEMP TABLE bench_words AS
SELECT ARRAY['lisbon', 'invoice', 'python', 'weather', 'garden', 'budget', 'recipe', 'travel',
             'postgres', 'guitar', 'marathon', 'mortgage', 'kotlin', 'vaccine', 'telescope', 'violin'] AS w;

BEGIN;

INSERT INTO conversation (id, user_id, title, description, archived, pinned, auto_reply, metadata,
                          message_count, last_message_at, version, created_at, updated_at)
SELECT md5('parley-bench/user-' || u || '/' || c)::uuid,
       'user-' || u,
       'Conversation ' || c || ' of user ' || u,
       NULL, false, false, true, '{}'::jsonb,
       :msgs,
       CASE WHEN :msgs > 0 THEN t.created + :msgs * interval '1 second' END,
       0,
       t.created,
       t.created + :msgs * interval '1 second'
  FROM generate_series(1, :users) AS u,
       generate_series(1, :convs) AS c,
       LATERAL (SELECT timestamptz '2025-01-01 00:00:00+00'
                       + ((u - 1) * :convs + c) * interval '1 minute' AS created) AS t;

INSERT INTO conversation (id, user_id, title, description, archived, pinned, auto_reply, metadata,
                          message_count, last_message_at, version, created_at, updated_at)
SELECT md5('parley-bench/bench-heavy/1')::uuid, 'bench-heavy', 'The long one', NULL, false, false,
       true, '{}'::jsonb, :heavy,
       CASE WHEN :heavy > 0 THEN timestamptz '2024-01-01 00:00:00+00' + :heavy * interval '1 millisecond' END,
       0, timestamptz '2024-01-01 00:00:00+00',
       timestamptz '2024-01-01 00:00:00+00' + :heavy * interval '1 millisecond';

-- Messages alternate user / assistant, starting with the user.
INSERT INTO message (id, conversation_id, user_id, role, content, status, parent_id, thread_id,
                     endpoint, model, tool_calls, metadata, version, created_at, updated_at)
SELECT pg_temp.uuid7(m.at), c.id, c.user_id,
       CASE WHEN k % 2 = 1 THEN 'user' ELSE 'assistant' END,
       'Message ' || k || ' about ' || w[1 + k % 16] || ' and ' || w[1 + (k * 7 + c.message_count) % 16]
           || ': a few words of ordinary chat text so that rows have a realistic width.',
       'complete', NULL, NULL, NULL, NULL, '[]'::jsonb, '{}'::jsonb, 0, m.at, m.at
  FROM conversation AS c
       CROSS JOIN generate_series(1, :msgs) AS k
       CROSS JOIN bench_words
       CROSS JOIN LATERAL (SELECT c.created_at + k * interval '1 second' AS at) AS m
 WHERE c.user_id <> 'bench-heavy';

INSERT INTO message (id, conversation_id, user_id, role, content, status, parent_id, thread_id,
                     endpoint, model, tool_calls, metadata, version, created_at, updated_at)
SELECT pg_temp.uuid7(m.at), md5('parley-bench/bench-heavy/1')::uuid, 'bench-heavy',
       CASE WHEN k % 2 = 1 THEN 'user' ELSE 'assistant' END,
       'Message ' || k || ' about ' || w[1 + k % 16] || ' and ' || w[1 + (k / 16) % 16]
           || ': a few words of ordinary chat text so that rows have a realistic width.',
       'complete', NULL, NULL, NULL, NULL, '[]'::jsonb, '{}'::jsonb, 0, m.at, m.at
  FROM generate_series(1, :heavy) AS k
       CROSS JOIN bench_words
       CROSS JOIN LATERAL (SELECT timestamptz '2024-01-01 00:00:00+00' + k * interval '1 millisecond' AS at) AS m;

COMMIT;

-- Statistics for the planner, and the visibility map and hint bits set now rather than by
-- autovacuum or by the first readers in the middle of a measurement.
VACUUM (ANALYZE) conversation;
VACUUM (ANALYZE) message;
