-- NOTIFY serialises commits on one cluster-wide lock: with a notification for every writing
-- transaction, writes ran at a third to a half of their speed without it (README "Decisions",
-- "Streams"). Events are still recorded for everyone (V27); only users somebody watches are notified.
--
-- One row per user and instance with at least one stream of that user open there (ChangeFeed),
-- written as that user, refreshed every heartbeat and deleted with the user's last stream. A row
-- past expires_at belongs to an instance that stopped without saying so: it counts for nothing and
-- the trimming job deletes it. UNLOGGED: the rows describe live connections, which a crash of the
-- database ends anyway; an instance finds its row gone at the next heartbeat and writes it again.
CREATE UNLOGGED TABLE feed_watch (
    user_id     varchar(255) NOT NULL,
    instance_id uuid         NOT NULL,
    expires_at  timestamptz  NOT NULL,
    CONSTRAINT feed_watch_pk PRIMARY KEY (user_id, instance_id)
);

SELECT parley_wall('feed_watch');

-- The jobs' writes (a reply handed back, a purge) append events of any user (V33); their
-- notifications need to know who is watched, and nothing more.
CREATE POLICY feed_watch_jobs_read ON feed_watch FOR SELECT
    USING (current_setting('parley.system', true) IN ('replies', 'purge'));
-- Rows of instances that stopped without deleting them, purged across users.
CREATE POLICY feed_watch_purge ON feed_watch FOR DELETE
    USING (current_setting('parley.system', true) = 'purge' AND expires_at < now());

-- Runs as the writer: row-level security shows a user's transaction that user's watch rows and a
-- job's transaction all of them, so the check is exactly "does an instance listen for this user".
-- A writer that checks just before a subscriber's watch row commits sends nothing; the subscriber
-- closes that gap itself (ChangeFeed reads again once every transaction older than its row ended).
CREATE OR REPLACE FUNCTION notify_change_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('parley_events', u.user_id)
       FROM (SELECT DISTINCT user_id FROM new_rows) u
      WHERE EXISTS (SELECT 1 FROM feed_watch w WHERE w.user_id = u.user_id AND w.expires_at > now());
    RETURN NULL;
END $$;
