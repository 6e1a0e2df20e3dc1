package dev.parley.search;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.common.Ids;
import dev.parley.message.MessageStatus;
import dev.parley.message.MessageTree;
import dev.parley.message.MessageView;
import dev.parley.message.Role;
import dev.parley.message.SiblingPosition;
import dev.parley.pagination.PageRequest;
import dev.parley.pagination.Pager;
import dev.parley.pagination.Position;
import dev.parley.pagination.Slice;
import dev.parley.pagination.Window;
import dev.parley.security.OwnerSql;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Full-text search over the caller's messages, inside PostgreSQL: websearch syntax (quotes, OR,
 * -word; never a syntax error), the newest matches ranked by ts_rank (more matches first, newer
 * first on ties), served by the GIN index on (user_id, search_vector), snippets from ts_headline
 * over HTML-escaped text.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class SearchService {

    private static final TypeReference<List<Map<String, Object>>> LIST = new TypeReference<>() { };
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() { };

    /**
     * The page of matches; the keyset condition is filled in per request. A GIN index finds matches
     * but cannot order them, so ranking every match would cost as much as the most common word makes
     * it: only the newest :candidates matches are ranked (ts_rank reads each one's whole vector, and
     * the top-N sort keeps no more than that many rows), and ts_headline runs on the page's rows only,
     * after the LIMIT, with at most two fragments of 10 to 30 words.
     */
    static final String SEARCH_SQL = """
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
                 LIMIT :limit OFFSET :offset)
            SELECT m.id, m.conversation_id, m.role, m.content, m.status, m.parent_id, m.thread_id, m.endpoint,
                   m.model, CAST(m.tool_calls AS text), CAST(m.metadata AS text), m.created_at, m.updated_at,
                   c.title, hits.rank,
                   ts_headline('english',
                               replace(replace(replace(m.content, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
                               query.q,
                               'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=10, MaxFragments=2, '
                               || 'FragmentDelimiter=" … "'),
                   m.user_id
              FROM hits
              JOIN message m ON m.id = hits.id
              JOIN conversation c ON c.id = m.conversation_id AND c.user_id = :owner,
                   query
             ORDER BY hits.rank %s, hits.created_at %s, hits.id %s""";

    /**
     * Every match, counted from the GIN index; the answer's count is this capped at the candidates,
     * the set the pages walk. (Counting a LIMITed subquery instead invites the planner to scan the
     * table in the hope of stopping early.)
     */
    static final String COUNT_SQL = """
            SELECT count(*) FROM message m
             WHERE m.user_id = :owner AND m.search_vector @@ websearch_to_tsquery('english', :q)""";

    /** How many of the newest matches a search ranks (PARLEY_SEARCH_MAX_CANDIDATES). */
    @ConfigProperty(name = "parley.search.max-candidates")
    int maxCandidates;

    @Inject
    OwnerSql owned;

    @Inject
    Pager pager;

    @Inject
    ObjectMapper json;

    @Inject
    MessageTree tree;

    public Slice<SearchHit> search(String q, PageRequest request) {
        return pager.page(new Pager.Query<>(request, SearchOrder.BY_RANK, window -> hits(q, window),
                hit -> new Position(hit.rank(), hit.message().createdAt(), hit.message().id()), () -> count(q)));
    }

    private List<SearchHit> hits(String q, Window<SearchOrder> window) {
        String direction = window.direction().toUpperCase(Locale.ROOT);
        String keyset = window.after() == null ? ""
                : "AND (ts_rank(m.search_vector, query.q), m.created_at, m.id) " + window.beyond()
                        + " (CAST(:rank AS real), :key, :id)";
        String sql = SEARCH_SQL.formatted(keyset, direction, direction, direction, direction, direction, direction);
        Map<String, Object> params = new HashMap<>();
        params.put("q", q);
        params.put("candidates", maxCandidates);
        params.put("limit", window.limit());
        params.put("offset", window.offset());
        if (window.after() != null) {
            params.put("rank", window.after().score());
            params.put("key", window.after().key());
            params.put("id", window.after().id());
        }
        List<Object[]> rows = new ArrayList<>();
        for (Object row : owned.query(sql, params).getResultList()) {
            rows.add((Object[]) row);
        }
        return hits(rows);
    }

    private long count(String q) {
        long matches = ((Number) owned.query(COUNT_SQL, Map.of("q", q)).getSingleResult()).longValue();
        return Math.min(matches, maxCandidates);
    }

    /** The page's rows as results, with each message's place in its conversation's tree. */
    private List<SearchHit> hits(List<Object[]> rows) {
        List<MessageTree.Node> nodes = rows.stream()
                .map(row -> new MessageTree.Node((UUID) row[0], (UUID) row[1], (UUID) row[5])).toList();
        Map<UUID, SiblingPosition> positions = tree.positions(nodes);
        Set<UUID> onActivePath = tree.onActivePaths(nodes.stream().map(MessageTree.Node::conversationId).distinct()
                .toList(), nodes.stream().map(MessageTree.Node::id).toList());
        List<SearchHit> hits = new ArrayList<>(rows.size());
        for (Object[] row : rows) {
            SiblingPosition position = positions.getOrDefault((UUID) row[0], SiblingPosition.ONLY);
            MessageView message = new MessageView((UUID) row[0], (UUID) row[1], (String) row[16],
                    Role.fromWire((String) row[2]), (String) row[3],
                    MessageStatus.valueOf(((String) row[4]).toUpperCase()), (UUID) row[5], (String) row[6],
                    (String) row[7], (String) row[8], read((String) row[9], LIST), read((String) row[10], OBJECT),
                    Ids.instant(row[11]), Ids.instant(row[12]), position.index(), position.count());
            hits.add(new SearchHit(message, message.conversationId(), (String) row[13], (String) row[15],
                    ((Number) row[14]).floatValue(), onActivePath.contains(message.id())));
        }
        return hits;
    }

    private <T> T read(String text, TypeReference<T> type) {
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored JSON cannot be read", e);
        }
    }
}
