-- Parley benchmark data, loaded set-based (INSERT ... SELECT generate_series) into a schema that
-- Flyway has just created. Parameters (psql -v): users, convs, msgs, heavy.
--
--   users × convs conversations of msgs messages each, owned by 'user-1' .. 'user-<users>';
--   one conversation of <heavy> messages owned by 'bench-heavy';
--   one tree of 100 000 messages in 1 000 branches owned by 'bench-heavy' (its second conversation):
--   a spine of 1 000 messages, each starting a branch of 99 more; the current leaf ends the last
--   branch, so its active path holds 1 099 messages.
--
-- Conversation ids are md5('parley-bench/<user>/<n>')::uuid, so that the pgbench ceiling
-- scripts can name a random user's conversation without a lookup query. Message ids are
-- version 7 UUIDs built from created_at, like the ones Parley itself generates (Ids.newId).
-- Within a conversation created_at strictly increases (1 s apart; 1 ms in the heavy one),
-- message_count and last_message_at match the messages, updated_at = last_message_at. Every
-- message but a conversation's first answers the one before it (parent_id), and the newest message
-- is the conversation's current leaf, as Parley itself keeps them.
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

-- The tree (ids from md5, so that a parent can be named in the same statement).
INSERT INTO conversation (id, user_id, title, description, archived, pinned, auto_reply, metadata,
                          message_count, last_message_at, version, created_at, updated_at, current_leaf_id)
SELECT md5('parley-bench/bench-heavy/2')::uuid, 'bench-heavy', 'The tree', NULL, false, false, true, '{}'::jsonb,
       100000, timestamptz '2023-01-01 00:00:00+00' + 100000 * interval '1 millisecond', 0,
       timestamptz '2023-01-01 00:00:00+00', timestamptz '2023-01-01 00:00:00+00' + 100000 * interval '1 millisecond',
       md5('parley-bench/tree/branch/1000/99')::uuid;

INSERT INTO message (id, conversation_id, user_id, role, content, status, parent_id, thread_id,
                     endpoint, model, tool_calls, metadata, version, created_at, updated_at)
SELECT md5('parley-bench/tree/spine/' || i)::uuid, md5('parley-bench/bench-heavy/2')::uuid, 'bench-heavy',
       CASE WHEN i % 2 = 1 THEN 'user' ELSE 'assistant' END,
       'Spine message ' || i || ' about ' || w[1 + i % 16] || ': a few words of ordinary chat text.',
       'complete', CASE WHEN i > 1 THEN md5('parley-bench/tree/spine/' || (i - 1))::uuid END, NULL, NULL, NULL,
       '[]'::jsonb, '{}'::jsonb, 0, m.at, m.at
  FROM generate_series(1, 1000) AS i
       CROSS JOIN bench_words
       CROSS JOIN LATERAL (SELECT timestamptz '2023-01-01 00:00:00+00' + i * 100 * interval '1 millisecond' AS at) AS m;

INSERT INTO message (id, conversation_id, user_id, role, content, status, parent_id, thread_id,
                     endpoint, model, tool_calls, metadata, version, created_at, updated_at)
SELECT md5('parley-bench/tree/branch/' || i || '/' || j)::uuid, md5('parley-bench/bench-heavy/2')::uuid, 'bench-heavy',
       CASE WHEN j % 2 = 1 THEN 'user' ELSE 'assistant' END,
       'Branch ' || i || ' message ' || j || ' about ' || w[1 + j % 16] || ': a few words of ordinary chat text.',
       'complete',
       CASE WHEN j = 1 THEN md5('parley-bench/tree/spine/' || i)::uuid
            ELSE md5('parley-bench/tree/branch/' || i || '/' || (j - 1))::uuid END, NULL, NULL, NULL,
       '[]'::jsonb, '{}'::jsonb, 0, m.at, m.at
  FROM generate_series(1, 1000) AS i
       CROSS JOIN generate_series(1, 99) AS j
       CROSS JOIN bench_words
       CROSS JOIN LATERAL (SELECT timestamptz '2023-01-01 00:00:00+00' + (i * 100 + j) * interval '1 millisecond' AS at) AS m;

-- The linear conversations: each message answers the one before it, the newest is the current leaf.
UPDATE message m SET parent_id = previous.previous_id
  FROM (SELECT id, lag(id) OVER (PARTITION BY conversation_id ORDER BY created_at, id) AS previous_id
          FROM message WHERE conversation_id <> md5('parley-bench/bench-heavy/2')::uuid) previous
 WHERE m.id = previous.id AND previous.previous_id IS NOT NULL;
UPDATE conversation c
   SET current_leaf_id = (SELECT m.id FROM message m WHERE m.conversation_id = c.id AND m.user_id = c.user_id
                           ORDER BY m.created_at DESC, m.id DESC LIMIT 1)
 WHERE c.id <> md5('parley-bench/bench-heavy/2')::uuid;

COMMIT;

-- Statistics for the planner, and the visibility map and hint bits set now rather than by
-- autovacuum or by the first readers in the middle of a measurement.
VACUUM (ANALYZE) conversation;
VACUUM (ANALYZE) message;
