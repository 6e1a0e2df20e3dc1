package dev.parley.message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.common.Ids;
import dev.parley.pagination.Window;
import dev.parley.security.OwnerSql;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Full-text search over the caller's messages, inside PostgreSQL: websearch syntax (quotes, OR,
 * -word; never a syntax error), the newest matches ranked by ts_rank (more matches first, newer
 * first on ties), served by the GIN index on (user_id, search_vector), snippets from ts_headline
 * over HTML-escaped text.
 */
@ApplicationScoped
public class MessageSearch {

    private static final TypeReference<List<Map<String, Object>>> LIST = new TypeReference<>() { };
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() { };

    /**
     * A matching message (read-only, never persisted), its rank, its HTML-escaped snippet and its
     * place among its siblings.
     */
    public record Match(Message message, float rank, String snippet, SiblingPosition position) {
    }

    /**
     * The page of matches; the keyset condition is filled in per request. A GIN index finds matches
     * but cannot order them, so ranking every match would cost as much as the most common word makes
     * it: only the newest :candidates matches are ranked (ts_rank reads each one's whole vector, and
     * the top-N sort keeps no more than that many rows), and ts_headline runs on the page's rows only,
     * after the LIMIT, with at most two fragments of 10 to 30 words. Each row's place among its
     * siblings ({@link MessageTree#SIBLINGS}, as {@link MessageTree#positions} reads it) comes with
     * it rather than from another statement: one round trip and one plan fewer per page.
     */
    static final String PAGE_SQL = """
            WITH query AS (SELECT websearch_to_tsquery('english', :q) AS q),
            candidates AS (
                SELECT m.id, m.search_vector, m.created_at
                  FROM message m, query
                 WHERE m.user_id = :owner AND m.search_vector @@ query.q
                 ORDER BY m.created_at DESC, m.id DESC
                 LIMIT :candidates),
            hits AS (
                SELECT m.id, ts_rank(m.search_vector, query.q) AS rank, m.created_at
                  FROM candidates m, query
                 WHERE true %s
                 ORDER BY rank %s, m.created_at %s, m.id %s
                 LIMIT :limit OFFSET :offset),
            families AS (
                SELECT DISTINCT m.conversation_id, m.parent_id
                  FROM hits JOIN message m ON m.id = hits.id AND m.user_id = :owner),
            """ + MessageTree.SIBLINGS + """
            SELECT m.id, m.conversation_id, m.role, m.content, m.status, m.parent_id, m.thread_id, m.endpoint,
                   m.model, CAST(m.tool_calls AS text), CAST(m.metadata AS text), m.created_at, m.updated_at,
                   m.user_id, hits.rank,
                   ts_headline('english',
                               replace(replace(replace(m.content, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
                               query.q,
                               'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=10, MaxFragments=2, '
                               || 'FragmentDelimiter=" … "'),
                   siblings.before, siblings.count
              FROM hits
              JOIN message m ON m.id = hits.id AND m.user_id = :owner
              JOIN siblings ON siblings.id = m.id,
                   query
             ORDER BY hits.rank %s, hits.created_at %s, hits.id %s""";

    /**
     * Every match, counted from the GIN index; a search's count is this capped at the candidates,
     * the set the pages walk. (Counting a LIMITed subquery instead invites the planner to scan the
     * table in the hope of stopping early.)
     */
    static final String COUNT_SQL = """
            SELECT count(*) FROM message m
             WHERE m.user_id = :owner AND m.search_vector @@ websearch_to_tsquery('english', :q)""";

    @Inject
    OwnerSql owned;

    @Inject
    ObjectMapper json;

    /**
     * One window of the newest {@code candidates} matches of {@code q}, by rank, then newest first;
     * a keyset window starts beyond its position's (rank, created_at, id).
     */
    public List<Match> page(String q, int candidates, Window<?> window) {
        String direction = window.direction().toUpperCase(Locale.ROOT);
        String keyset = window.after() == null ? ""
                : "AND (ts_rank(m.search_vector, query.q), m.created_at, m.id) " + window.beyond()
                        + " (CAST(:rank AS real), :key, :id)";
        String sql = PAGE_SQL.formatted(keyset, direction, direction, direction, direction, direction, direction);
        Map<String, Object> params = new HashMap<>();
        params.put("q", q);
        params.put("candidates", candidates);
        params.put("limit", window.limit());
        params.put("offset", window.offset());
        if (window.after() != null) {
            params.put("rank", window.after().score());
            params.put("key", window.after().key());
            params.put("id", window.after().id());
        }
        List<Match> matches = new ArrayList<>();
        for (Object r : owned.query(sql, params).getResultList()) {
            Object[] row = (Object[]) r;
            Message message = new Message();
            message.id = (UUID) row[0];
            message.conversationId = (UUID) row[1];
            message.role = Role.fromWire((String) row[2]);
            message.content = (String) row[3];
            message.status = MessageStatus.valueOf(((String) row[4]).toUpperCase(Locale.ROOT));
            message.parentId = (UUID) row[5];
            message.threadId = (String) row[6];
            message.endpoint = (String) row[7];
            message.model = (String) row[8];
            message.toolCalls = read((String) row[9], LIST);
            message.metadata = read((String) row[10], OBJECT);
            message.createdAt = Ids.instant(row[11]);
            message.updatedAt = Ids.instant(row[12]);
            message.userId = (String) row[13];
            matches.add(new Match(message, ((Number) row[14]).floatValue(), (String) row[15],
                    new SiblingPosition(((Number) row[16]).intValue(), ((Number) row[17]).intValue())));
        }
        return matches;
    }

    /** How many of the caller's messages match {@code q}. */
    public long count(String q) {
        return ((Number) owned.query(COUNT_SQL, Map.of("q", q)).getSingleResult()).longValue();
    }

    private <T> T read(String text, TypeReference<T> type) {
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored JSON cannot be read", e);
        }
    }
}
