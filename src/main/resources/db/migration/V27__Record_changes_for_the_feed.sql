-- Every change to a conversation or message, and every piece of a reply, becomes a change_event
-- row in the transaction that makes it, whichever code path writes (API, chat, workers, import,
-- bulk and retention deletes): the feed cannot miss a writer. Statement-level triggers with
-- transition tables keep bulk statements to one INSERT. A change that does not move the row's
-- version (a reply's lease being renewed) is not a change a client can see.

CREATE FUNCTION record_conversation_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO change_event (user_id, type, data)
        SELECT n.user_id, 'conversation.created', jsonb_build_object('conversation_id', n.id)
          FROM new_rows n ORDER BY n.created_at, n.id;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO change_event (user_id, type, data)
        SELECT n.user_id, 'conversation.updated', jsonb_build_object('conversation_id', n.id)
          FROM new_rows n JOIN old_rows o ON o.id = n.id
         WHERE n.version <> o.version
         ORDER BY n.updated_at, n.id;
    ELSE
        INSERT INTO change_event (user_id, type, data)
        SELECT o.user_id, 'conversation.deleted', jsonb_build_object('conversation_id', o.id)
          FROM old_rows o ORDER BY o.id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER conversation_created AFTER INSERT ON conversation
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION record_conversation_changes();
CREATE TRIGGER conversation_updated AFTER UPDATE ON conversation
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_conversation_changes();
CREATE TRIGGER conversation_deleted AFTER DELETE ON conversation
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION record_conversation_changes();

CREATE FUNCTION record_message_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO change_event (user_id, type, data)
        SELECT n.user_id, 'message.created', jsonb_build_object('conversation_id', n.conversation_id,
                   'message_id', n.id, 'role', n.role, 'status', n.status)
          FROM new_rows n ORDER BY n.created_at, n.id;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO change_event (user_id, type, data)
        SELECT e.user_id, e.type, e.data FROM (
            SELECT n.user_id, n.updated_at, n.id, 1 AS step, 'message.updated' AS type,
                   jsonb_build_object('conversation_id', n.conversation_id, 'message_id', n.id,
                       'role', n.role, 'status', n.status) AS data
              FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE n.version <> o.version
            UNION ALL
            SELECT n.user_id, n.updated_at, n.id, 2,
                   CASE n.status WHEN 'complete' THEN 'reply.complete' ELSE 'reply.failed' END,
                   jsonb_strip_nulls(jsonb_build_object('conversation_id', n.conversation_id, 'message_id', n.id,
                       'error', n.metadata ->> 'error'))
              FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE o.status = 'pending' AND n.status <> 'pending'
        ) e ORDER BY e.updated_at, e.id, e.step;
    ELSE
        -- Messages deleted with their conversation are covered by conversation.deleted.
        INSERT INTO change_event (user_id, type, data)
        SELECT o.user_id, 'message.deleted', jsonb_build_object('conversation_id', o.conversation_id,
                   'message_id', o.id)
          FROM old_rows o
         WHERE EXISTS (SELECT 1 FROM conversation c WHERE c.id = o.conversation_id)
         ORDER BY o.id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER message_created AFTER INSERT ON message
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION record_message_changes();
CREATE TRIGGER message_updated AFTER UPDATE ON message
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_message_changes();
CREATE TRIGGER message_deleted AFTER DELETE ON message
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION record_message_changes();

CREATE FUNCTION record_reply_chunks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO change_event (user_id, type, data)
    SELECT n.user_id, 'reply.delta', jsonb_build_object('conversation_id', n.conversation_id,
               'message_id', n.reply_id, 'end_offset', n.end_offset, 'content', n.content)
      FROM new_rows n ORDER BY n.reply_id, n.end_offset;
    RETURN NULL;
END $$;

CREATE TRIGGER reply_chunk_added AFTER INSERT ON reply_chunk
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION record_reply_chunks();

-- One notification per user and transaction (PostgreSQL folds identical payloads of a
-- transaction), delivered at commit to the one listening connection of every instance.
CREATE FUNCTION notify_change_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('parley_events', u.user_id) FROM (SELECT DISTINCT user_id FROM new_rows) u;
    RETURN NULL;
END $$;

CREATE TRIGGER change_event_added AFTER INSERT ON change_event
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_change_events();
