-- The change feed's tables behind the same wall as every user table (V21): a user reads and
-- writes only their own events and reply text.
SELECT parley_wall('change_event');
SELECT parley_wall('reply_chunk');

-- The events are written by triggers (V27) in whatever transaction changes a conversation or a
-- message. The background jobs change rows of every user: the replies job hands claims back (a
-- new version of the message), the purge deletes conversations. Their triggers append the owners'
-- events; the jobs may add events for anyone but read none.
CREATE POLICY change_event_jobs_append ON change_event FOR INSERT
    WITH CHECK (current_setting('parley.system', true) IN ('replies', 'purge'));

-- Events past the retention window are trimmed by the purge identity, across users.
CREATE POLICY change_event_purge_read ON change_event FOR SELECT
    USING (current_setting('parley.system', true) = 'purge');
CREATE POLICY change_event_purge ON change_event FOR DELETE
    USING (current_setting('parley.system', true) = 'purge');
