-- GET /api/search?q=<word>&page_size=20 (SearchService): the ranked page with snippets, one hit
-- more than asked, for a random user and one of the words wrk/search.lua asks for. A word matches
-- about 12 of a benchmark user's 100 messages, so page 1 is the last and its count comes from its
-- hits: the service issues the COUNT only when there is a next page. The page's conversation titles
-- are a statement of their own (select id, title from conversation where user_id = ? and id in (…)),
-- not repeated here: it needs the page's ids.
\set u random(1, :users)
\set w random(1, 16)
WITH query AS (SELECT websearch_to_tsquery('english', (ARRAY['lisbon','invoice','python','weather','garden','budget','recipe','travel','postgres','guitar','marathon','mortgage','kotlin','vaccine','telescope','violin'])[:w]) AS q), hits AS ( SELECT m.id, ts_rank(m.search_vector, query.q) AS rank, m.created_at FROM message m, query WHERE m.user_id = 'user-' || :u::text AND m.search_vector @@ query.q ORDER BY rank DESC, m.created_at DESC, m.id DESC LIMIT 21 OFFSET 0) SELECT m.id, m.conversation_id, m.role, m.content, m.status, m.parent_id, m.thread_id, m.endpoint, m.model, CAST(m.tool_calls AS text), CAST(m.metadata AS text), m.created_at, m.updated_at, m.user_id, hits.rank, ts_headline('english', replace(replace(replace(m.content, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), query.q, 'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=10, MaxFragments=2, ' || 'FragmentDelimiter=" … "') FROM hits JOIN message m ON m.id = hits.id AND m.user_id = 'user-' || :u::text, query ORDER BY hits.rank DESC, hits.created_at DESC, hits.id DESC;
