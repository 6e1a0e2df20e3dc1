-- GIN indexes take new entries into a pending list that every search reads in full until it is
-- merged (by the insert that overflows it, or by vacuum). With the default 4 MB limit, a table
-- that keeps receiving messages carries hundreds of pending pages, and each search scans them:
-- on the benchmark's data (PostgreSQL 15), search fell from ~640 to ~210 queries/s after
-- 10 s of message inserts. With fastupdate off searches stayed at ~650/s but inserts halved
-- (1 500 -> 740/s). A 256 kB limit kept both: ~600 searches/s after the same writes, and
-- inserts within the noise of the default (1 270-1 460/s).
-- The conversation trigram indexes are here too: every message updates its conversation's
-- counters and updated_at, a non-HOT update that adds entries to them.
ALTER INDEX message_search_idx SET (gin_pending_list_limit = 256);
ALTER INDEX message_content_trgm_idx SET (gin_pending_list_limit = 256);
ALTER INDEX conversation_title_trgm_idx SET (gin_pending_list_limit = 256);
ALTER INDEX conversation_description_trgm_idx SET (gin_pending_list_limit = 256);
