-- Temporary conversations: a conversation with an expiry is deleted (with its messages) by the
-- purge once that time has passed. Most conversations have none, so the index holds only the
-- temporary ones and the purge finds the due ones without a scan.
ALTER TABLE conversation ADD COLUMN expires_at timestamptz;
CREATE INDEX conversation_expires_idx ON conversation (expires_at) WHERE expires_at IS NOT NULL;

-- Retention (parley.retention.max-age, off by default) has no index of its own: an index on
-- updated_at alone was taken by the planner for users' conversation lists (walk every user's rows
-- in activity order, filter by user_id), and it would cost an entry per message. Its purge reads the
-- table until it has a batch instead (QueryPlanTest keeps the lists on their own indexes).

-- An imported conversation keeps where it came from in its metadata (imported_from, imported_id);
-- a second import of the same file finds it here instead of creating a copy.
CREATE INDEX conversation_import_source_idx
    ON conversation (user_id, (metadata ->> 'imported_from'), (metadata ->> 'imported_id'))
    WHERE metadata ? 'imported_id';
