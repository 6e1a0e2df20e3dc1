-- Search inside PostgreSQL, indexed and always consistent with the data (no copy to drift).
-- Both extensions are trusted: a database owner may create them without superuser rights.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- GET /search: full-text match of a user's messages. The vector is derived from content by the
-- database itself, so it can never disagree with it. English stemming ("hotels" finds "hotel").
ALTER TABLE message
    ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED;
-- user_id leads so that one user's matches are found without touching other users' postings.
CREATE INDEX message_search_idx ON message USING gin (user_id, search_vector);

-- The q filters of the lists are substring matches (ILIKE), served by trigram indexes scoped by
-- their leading key, not by scans.
CREATE INDEX conversation_title_trgm_idx ON conversation USING gin (user_id, title gin_trgm_ops);
CREATE INDEX conversation_description_trgm_idx ON conversation USING gin (user_id, description gin_trgm_ops);
CREATE INDEX message_content_trgm_idx ON message USING gin (conversation_id, content gin_trgm_ops);
