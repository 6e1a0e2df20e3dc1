package dev.parley.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.support.Db;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Plans, not timings: with enough rows that the planner prefers indexes, the queries behind search,
 * the list filters and a deep keyset page never scan the message table.
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public class QueryPlanTest {

    static final int USERS = 20;
    static final int MESSAGES_PER_USER = 5_000;
    static final int HEAVY_MESSAGES = 100_000;

    /** Every user's rows, as a DBA sees them: the application's pool sees only one identity's. */
    final DataSource dataSource = Db.superuser();

    final String heavyUser = "plan-heavy-" + UUID.randomUUID();
    final String busyUser = "plan-busy-" + UUID.randomUUID();
    final UUID heavyConversation = UUID.randomUUID();
    Timestamp deepKey;
    UUID deepId;
    final String treeUser = "plan-tree-" + UUID.randomUUID();
    final UUID treeConversation = UUID.randomUUID();
    UUID treeLeaf;

    @BeforeAll
    void load() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            // Loading 200 000 rows on a loaded machine may take longer than the app's statement timeout;
            // RESET below gives the pooled connection its configured timeout back.
            s.execute("SET statement_timeout = 0");
            String prefix = "plan-" + UUID.randomUUID() + "-";
            // Many users with a conversation each, and one conversation of HEAVY_MESSAGES messages.
            s.execute("""
                    INSERT INTO conversation (id, user_id, title, description, created_at, updated_at)
                    SELECT gen_random_uuid(), '%1$s' || u, 'Conversation ' || u, 'about topic ' || (u %% 7),
                           now() - interval '1 day', now() - (u || ' seconds')::interval
                      FROM generate_series(1, %2$d) u""".formatted(prefix, USERS));
            s.execute("""
                    INSERT INTO message (id, conversation_id, user_id, role, content, created_at, updated_at)
                    SELECT gen_random_uuid(), c.id, c.user_id, 'user',
                           'message ' || i || ' about ' || (ARRAY['lisbon','porto','faro','braga','evora'])[1 + i %% 5]
                               || ' and item' || i,
                           now() - interval '1 day' + (i || ' milliseconds')::interval,
                           now() - interval '1 day' + (i || ' milliseconds')::interval
                      FROM conversation c, generate_series(1, %2$d) i
                     WHERE c.user_id LIKE '%1$s%%'""".formatted(prefix, MESSAGES_PER_USER));
            s.execute("""
                    INSERT INTO conversation (id, user_id, title, message_count, created_at, updated_at)
                    VALUES ('%s', '%s', 'Heavy', %d, now(), now())""".formatted(heavyConversation, heavyUser,
                    HEAVY_MESSAGES));
            s.execute("""
                    INSERT INTO message (id, conversation_id, user_id, role, content, created_at, updated_at)
                    SELECT gen_random_uuid(), '%1$s', '%2$s', CASE WHEN i %% 2 = 0 THEN 'user' ELSE 'assistant' END,
                           'heavy message ' || i || ' mentions ' || (ARRAY['sintra','cascais','tomar'])[1 + i %% 3],
                           now() - interval '2 days' + (i || ' milliseconds')::interval,
                           now() - interval '2 days' + (i || ' milliseconds')::interval
                      FROM generate_series(1, %3$d) i""".formatted(heavyConversation, heavyUser, HEAVY_MESSAGES));
            // A user with so many conversations that scanning them all would cost more than the trigram indexes.
            s.execute("""
                    INSERT INTO conversation (id, user_id, title, description, created_at, updated_at)
                    SELECT gen_random_uuid(), '%1$s', 'Chat number ' || i, 'notes on subject ' || i,
                           now() - interval '1 day', now() - (i || ' seconds')::interval
                      FROM generate_series(1, 20000) i""".formatted(busyUser));
            // Ten of the busy user's conversations carry a rare tag, every one a common tag.
            s.execute("""
                    UPDATE conversation SET tags = CASE WHEN title IN (%s) THEN ARRAY['rare', 'common']
                                                        ELSE ARRAY['common'] END
                     WHERE user_id = '%s'""".formatted(String.join(", ", java.util.stream.IntStream.rangeClosed(1, 10)
                    .mapToObj(i -> "'Chat number " + (i * 1000) + "'").toList()), busyUser));
            // A deep tree: a spine of 1 000 messages, each starting a branch of 99 more (100 000 in all,
            // 1 000 branches); the current leaf ends the last branch, 1 099 messages from the root.
            s.execute("""
                    INSERT INTO conversation (id, user_id, title, message_count, created_at, updated_at)
                    VALUES ('%s', '%s', 'Tree', 100000, now(), now())""".formatted(treeConversation, treeUser));
            s.execute("""
                    INSERT INTO message (id, conversation_id, user_id, role, content, parent_id, created_at, updated_at)
                    SELECT CAST(md5('%1$s spine ' || i) AS uuid), '%1$s', '%2$s',
                           CASE WHEN i %% 2 = 1 THEN 'user' ELSE 'assistant' END, 'spine ' || i,
                           CASE WHEN i > 1 THEN CAST(md5('%1$s spine ' || (i - 1)) AS uuid) END,
                           now() - interval '3 days' + (i * 100 || ' milliseconds')::interval,
                           now() - interval '3 days' + (i * 100 || ' milliseconds')::interval
                      FROM generate_series(1, 1000) i""".formatted(treeConversation, treeUser));
            s.execute("""
                    INSERT INTO message (id, conversation_id, user_id, role, content, parent_id, created_at, updated_at)
                    SELECT CAST(md5('%1$s branch ' || i || '-' || j) AS uuid), '%1$s', '%2$s',
                           CASE WHEN j %% 2 = 1 THEN 'user' ELSE 'assistant' END, 'branch ' || i || ' message ' || j,
                           CASE WHEN j = 1 THEN CAST(md5('%1$s spine ' || i) AS uuid)
                                ELSE CAST(md5('%1$s branch ' || i || '-' || (j - 1)) AS uuid) END,
                           now() - interval '3 days' + (i * 100 + j || ' milliseconds')::interval,
                           now() - interval '3 days' + (i * 100 + j || ' milliseconds')::interval
                      FROM generate_series(1, 1000) i, generate_series(1, 99) j""".formatted(treeConversation, treeUser));
            try (ResultSet rs = s.executeQuery("SELECT CAST(md5('%s branch 1000-99') AS uuid)".formatted(treeConversation))) {
                rs.next();
                treeLeaf = (UUID) rs.getObject(1);
            }
            s.execute("UPDATE conversation SET current_leaf_id = '%s' WHERE id = '%s'".formatted(treeLeaf,
                    treeConversation));
            s.execute("ANALYZE conversation");
            s.execute("ANALYZE message");
            try (ResultSet rs = s.executeQuery("""
                    SELECT created_at, id FROM message WHERE conversation_id = '%s'
                     ORDER BY created_at DESC, id DESC OFFSET 40 LIMIT 1""".formatted(heavyConversation))) {
                rs.next();
                deepKey = rs.getTimestamp(1);
                deepId = (UUID) rs.getObject(2);
            }
            s.execute("RESET statement_timeout");
        }
    }

    @Test
    void search_uses_the_full_text_index() throws SQLException {
        String sql = SearchService.SEARCH_SQL.formatted("", "DESC", "DESC", "DESC", "DESC", "DESC", "DESC")
                .replace(":q", "?").replace(":owner", "?").replace(":limit", "20").replace(":offset", "0");
        // :owner appears twice (hits and the conversation join); :q once.
        JsonNode plan = explain(sql, "sintra", heavyUser, heavyUser);
        assertNoSeqScanOnMessage(plan);
        assertUsesIndex(plan, "message_search_idx");

        JsonNode count = explain(SearchService.COUNT_SQL.replace(":owner", "?").replace(":q", "?"), heavyUser, "sintra");
        assertNoSeqScanOnMessage(count);
    }

    @Test
    void the_message_list_text_filter_uses_the_trigram_index() throws SQLException {
        JsonNode plan = explain("""
                SELECT * FROM message e
                 WHERE e.user_id = ? AND (e.conversation_id = ? AND e.content ILIKE ? ESCAPE '\\')
                 ORDER BY e.created_at, e.id LIMIT 20""", heavyUser, heavyConversation, "%item77%");
        assertNoSeqScanOnMessage(plan);
        assertUsesIndex(plan, "message_content_trgm_idx");
    }

    @Test
    void the_conversation_list_text_filter_uses_the_trigram_indexes() throws SQLException {
        JsonNode plan = explain("""
                SELECT * FROM conversation e
                 WHERE e.user_id = ? AND (e.archived = false AND (e.title ILIKE ? ESCAPE '\\'
                       OR e.description ILIKE ? ESCAPE '\\'))
                 ORDER BY e.updated_at DESC, e.id DESC LIMIT 20""", busyUser, "%ber 1234%", "%ber 1234%");
        assertEquals(List.of(), nodes(plan, "Seq Scan"), plan.toPrettyString());
        // With LIMIT 20 the planner may walk the activity index in list order and filter, or use the
        // trigram indexes; either is an index, neither reads the whole table.
        assertTrue(plan.toString().contains("conversation_title_trgm_idx")
                || plan.toString().contains("conversation_user_activity_idx"), plan.toPrettyString());
    }

    @Test
    void a_deep_keyset_page_reads_the_index_from_its_position() throws SQLException {
        JsonNode plan = explain("""
                SELECT * FROM message e
                 WHERE e.user_id = ? AND (e.conversation_id = ?) AND (e.created_at, e.id) > (?, ?)
                 ORDER BY e.created_at, e.id LIMIT 21""", heavyUser, heavyConversation, deepKey, deepId);
        assertNoSeqScanOnMessage(plan);
        assertUsesIndex(plan, "message_conversation_owner_created_idx");
        assertEquals(List.of(), nodes(plan, "Sort"), "rows come in index order, no sort of the conversation");
    }

    /**
     * pgjdbc prepares statements on the server after five executions, and PostgreSQL may then use
     * a generic plan that cannot see which conversation is asked for. That plan must still read a
     * page of the 100 000-message conversation from the ordered index, not gather the whole
     * conversation and sort it (what the btree_gin indexes invited before V6).
     */
    @Test
    void message_pages_keep_their_index_order_in_a_generic_plan() throws SQLException {
        String columns = "m.id, m.content, m.created_at, m.status";
        JsonNode offsetPage = explainGeneric("""
                SELECT %s FROM message m WHERE m.user_id = $1 AND (m.conversation_id = $2)
                 ORDER BY m.created_at, m.id OFFSET $3 ROWS FETCH FIRST $4 ROWS ONLY""".formatted(columns),
                "text, uuid, bigint, bigint", "'%s', '%s', 0, 21".formatted(heavyUser, heavyConversation));
        JsonNode keysetEnd = explainGeneric("""
                SELECT %s FROM message m WHERE m.user_id = $1 AND (m.conversation_id = $2
                   AND (m.created_at, m.id) < ($3, $4))
                 ORDER BY m.created_at DESC, m.id DESC FETCH FIRST $5 ROWS ONLY""".formatted(columns),
                "text, uuid, timestamptz, uuid, int", "'%s', '%s', '%s', '%s', 21".formatted(heavyUser,
                        heavyConversation, deepKey.toInstant(), deepId));
        for (JsonNode plan : List.of(offsetPage, keysetEnd)) {
            assertUsesIndex(plan, "message_conversation_owner_created_idx");
            assertEquals(List.of(), nodes(plan, "Sort"), plan.toPrettyString());
            assertEquals(List.of(), nodes(plan, "Bitmap Heap Scan"), plan.toPrettyString());
            // Stopped after the page: every scan of message returned 21 rows, not the conversation. There
            // must be such a scan, whatever its kind, or this checks nothing.
            List<JsonNode> scans = new java.util.ArrayList<>();
            collectScansOf(plan, "message", scans);
            assertTrue(!scans.isEmpty(), plan.toPrettyString());
            for (JsonNode scan : scans) {
                assertTrue(scan.path("Actual Rows").asLong() <= 21, plan.toPrettyString());
            }
        }
    }

    /**
     * The active path of a 100 000-message, 1 000-branch conversation: the walk from the current
     * leaf to the root takes one primary-key step per message of the path (1 099), never a scan of
     * the conversation, whichever page is asked for.
     */
    @Test
    void the_active_path_of_a_deep_tree_is_walked_by_primary_key() throws SQLException {
        String page = dev.parley.message.BranchService.pathPageSql("", "", false);
        String keyset = dev.parley.message.BranchService.pathPageSql(" AND p.role = 'user'",
                " WHERE (f.created_at, f.id) > (now() - interval '3 days' + interval '50 seconds', '%s')"
                        .formatted(UUID.randomUUID()), false);
        for (String sql : List.of(page, keyset)) {
            JsonNode plan = explainAnalyze(sql.replace(":leaf", "'" + treeLeaf + "'")
                    .replace(":cid", "'" + treeConversation + "'").replace(":owner", "'" + treeUser + "'")
                    .replace(":limit", "21").replace(":offset", "0"));
            assertNoSeqScanOnMessage(plan);
            assertUsesIndex(plan, "message_pk");
            List<JsonNode> scans = new ArrayList<>();
            collectScansOf(plan, "message", scans);
            assertTrue(!scans.isEmpty(), plan.toPrettyString());
            long lookups = 0;
            for (JsonNode scan : scans) {
                assertTrue(scan.path("Actual Rows").asDouble() <= 1, "one row per step:\n" + plan.toPrettyString());
                lookups += scan.path("Actual Loops").asLong();
            }
            // The leaf, then one step per ancestor (the root's step finds no parent): the path and nothing else.
            assertEquals(1_100, lookups, plan.toPrettyString());
            assertEquals(1_099, nodes(plan, "Recursive Union").get(0).path("Actual Rows").asLong(), plan.toPrettyString());
        }
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(page.replace(":leaf", "'" + treeLeaf + "'")
                        .replace(":cid", "'" + treeConversation + "'").replace(":owner", "'" + treeUser + "'")
                        .replace(":limit", "21").replace(":offset", "0"))) {
            List<String> ids = new ArrayList<>();
            long count = 0;
            while (rs.next()) {
                ids.add(rs.getString(1));
                count = rs.getLong(2);
            }
            assertEquals(1_099, count);
            assertEquals(21, ids.size());
        }
    }

    @Test
    void the_tag_filter_uses_the_tag_index() throws SQLException {
        JsonNode plan = explain("""
                SELECT * FROM conversation e
                 WHERE e.user_id = ? AND (e.archived = false AND e.tags @> CAST(ARRAY['rare'] AS varchar[]))
                 ORDER BY e.updated_at DESC, e.id DESC LIMIT 21""", busyUser);
        assertEquals(List.of(), nodes(plan, "Seq Scan"), plan.toPrettyString());
        assertUsesIndex(plan, "conversation_tags_idx");
    }

    /**
     * Every search reads a GIN index's whole pending list; with the default 4 MB limit a table
     * that keeps receiving messages made searches three times slower (V7). Each GIN index must
     * keep its list short.
     */
    @Test
    void every_gin_index_keeps_a_short_pending_list() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("""
                        SELECT i.relname, coalesce(array_to_string(i.reloptions, ','), '')
                          FROM pg_class i JOIN pg_am am ON am.oid = i.relam
                         WHERE am.amname = 'gin' AND i.relnamespace = 'public'::regnamespace
                         ORDER BY 1""")) {
            List<String> indexes = new ArrayList<>();
            while (rs.next()) {
                indexes.add(rs.getString(1));
                assertTrue(rs.getString(2).contains("gin_pending_list_limit=256"),
                        rs.getString(1) + " has options [" + rs.getString(2) + "]");
            }
            assertEquals(List.of("conversation_description_trgm_idx", "conversation_tags_idx", "conversation_title_trgm_idx",
                    "message_content_trgm_idx", "message_search_idx"), indexes);
        }
    }

    /** EXPLAIN ANALYZE of a prepared statement executed with plan_cache_mode = force_generic_plan. */
    private JsonNode explainGeneric(String sql, String types, String arguments) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            try {
                s.execute("SET LOCAL plan_cache_mode = force_generic_plan");
                s.execute("PREPARE generic_page(" + types + ") AS " + sql);
                try (ResultSet rs = s.executeQuery(
                        "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE generic_page(" + arguments + ")")) {
                    rs.next();
                    JsonNode plan = new ObjectMapper().readTree(rs.getString(1));
                    assertTrue(plan.toString().contains("$1"), "a generic plan shows its parameters:\n" + plan);
                    return plan;
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            } finally {
                c.rollback();
                c.setAutoCommit(true);
                // PREPARE belongs to the session, not the transaction: leave the pooled connection clean.
                s.execute("""
                        DO $$ BEGIN
                            IF EXISTS (SELECT 1 FROM pg_prepared_statements WHERE name = 'generic_page') THEN
                                DEALLOCATE generic_page;
                            END IF;
                        END $$""");
            }
        }
    }

    private JsonNode explainAnalyze(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)) {
            rs.next();
            return new ObjectMapper().readTree(rs.getString(1));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode explain(String sql, Object... params) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("EXPLAIN (FORMAT JSON) " + sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return new ObjectMapper().readTree(rs.getString(1));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static void assertNoSeqScanOnMessage(JsonNode plan) {
        for (JsonNode node : nodes(plan, "Seq Scan")) {
            assertTrue(!"message".equals(node.path("Relation Name").asText()),
                    "sequential scan of message:\n" + plan.toPrettyString());
        }
    }

    private static void assertUsesIndex(JsonNode plan, String index) {
        assertTrue(plan.toString().contains("\"Index Name\":\"" + index + "\""),
                "expected " + index + " in:\n" + plan.toPrettyString());
    }

    private static List<JsonNode> nodes(JsonNode plan, String type) {
        List<JsonNode> found = new ArrayList<>();
        collect(plan, type, found);
        return found;
    }

    private static void collect(JsonNode node, String type, List<JsonNode> found) {
        if (node.isObject() && type.equals(node.path("Node Type").asText())) {
            found.add(node);
        }
        node.forEach(child -> collect(child, type, found));
    }

    private static void collectScansOf(JsonNode node, String relation, List<JsonNode> into) {
        if (node.isArray()) {
            node.forEach(child -> collectScansOf(child, relation, into));
            return;
        }
        if (node.isObject()) {
            if (relation.equals(node.path("Relation Name").asText()) && node.path("Node Type").asText().contains("Scan")) {
                into.add(node);
            }
            node.fields().forEachRemaining(field -> collectScansOf(field.getValue(), relation, into));
        }
    }
}
