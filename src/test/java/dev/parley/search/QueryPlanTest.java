package dev.parley.search;

import static dev.parley.support.Api.as;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
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
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import dev.parley.support.CapturedStatements;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Plans, not timings: with enough rows that the planner prefers indexes, the statements the app
 * sends for search, the list filters and deep pages (captured from real requests, so they cannot
 * drift from the code) never scan the message table and stop after what the page needs.
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
            // Most conversations are short, as in real use: 20 000 of 5 messages. They shape the
            // statistics a generic plan is costed with (few rows per conversation).
            s.execute("""
                    INSERT INTO conversation (id, user_id, title, created_at, updated_at)
                    SELECT CAST(md5('%1$s' || i) AS uuid), '%1$s' || (i %% 1000), 'Short ' || i, now(), now()
                      FROM generate_series(1, 20000) i""".formatted(prefix + "short-"));
            s.execute("""
                    INSERT INTO message (id, conversation_id, user_id, role, content, created_at, updated_at)
                    SELECT gen_random_uuid(), CAST(md5('%1$s' || i) AS uuid), '%1$s' || (i %% 1000), 'user',
                           'short message ' || j, now() - interval '1 hour', now() - interval '1 hour'
                      FROM generate_series(1, 20000) i, generate_series(1, 5) j""".formatted(prefix + "short-"));
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
            s.execute("RESET statement_timeout");
        }
    }

    /**
     * The search the app runs, for a word in a third of the heavy user's 100 000 messages: found
     * through the GIN index, ranked only among the newest candidates (ts_rank is computed for no
     * more rows than that) and snippets made for the page's rows only; the hits' siblings read
     * through an index once per family, not once per hit (the heavy conversation's messages are
     * all roots, so the page's 21 hits are one family of 100 000). Also in the generic plan that a
     * statement prepared on the server may settle on.
     */
    @Test
    void search_uses_the_full_text_index_and_ranks_a_bounded_set() throws SQLException {
        int candidates = 1000;
        List<String> sql = CapturedStatements.during(() -> as(heavyUser).queryParam("q", "sintra")
                .queryParam("page_size", 20).get("/api/search").then().statusCode(200)
                // 33 334 messages match; the pages walk the newest 1 000 of them.
                .body("count", is(candidates)).body("results", hasSize(20)));
        String search = only(sql, "ts_headline");
        for (boolean generic : List.of(false, true)) {
            JsonNode plan = explain(heavyUser, search, List.of("sintra", heavyUser, String.valueOf(candidates), "21", "0",
                    heavyUser, heavyUser, heavyUser), generic);
            assertNoSeqScanOnMessage(plan);
            assertUsesIndex(plan, "message_search_idx");
            assertAtMostRowsCompute(plan, "ts_rank(", candidates);
            assertAtMostRowsCompute(plan, "ts_headline(", 21);
            assertUsesIndex(plan, "message_root_idx");
            List<JsonNode> siblingScans = new ArrayList<>();
            collectScansOf(plan, "message", siblingScans);
            siblingScans.removeIf(scan -> !"s".equals(scan.path("Alias").asText()));
            assertEquals(1, siblingScans.size(), plan.toPrettyString());
            assertEquals(1, siblingScans.get(0).path("Actual Loops").asLong(), "one family, read once:\n"
                    + plan.toPrettyString());
        }

        String count = only(sql, "select count(", "websearch_to_tsquery");
        assertNoSeqScanOnMessage(explain(heavyUser, count, List.of(heavyUser, "sintra"), false));

        // Every hit is one of the newest candidates, and the last page ends with them.
        Timestamp oldestCandidate;
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                SELECT created_at FROM message
                 WHERE user_id = ? AND search_vector @@ websearch_to_tsquery('english', 'sintra')
                 ORDER BY created_at DESC, id DESC OFFSET ? LIMIT 1""")) {
            s.setString(1, heavyUser);
            s.setInt(2, candidates - 1);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                oldestCandidate = rs.getTimestamp(1);
            }
        }
        List<String> times = as(heavyUser).queryParam("q", "sintra").queryParam("page", 3).get("/api/search")
                .then().statusCode(200).extract().path("results.message.created_at");
        assertEquals(20, times.size());
        for (String time : times) {
            assertTrue(!Instant.parse(time).isBefore(oldestCandidate.toInstant()), time + " is older than the candidates");
        }
        as(heavyUser).queryParam("q", "sintra").queryParam("page", candidates / 20).get("/api/search").then()
                .statusCode(200).body("results", hasSize(20)).body("next", nullValue());
        as(heavyUser).queryParam("q", "sintra").queryParam("page", candidates / 20 + 1).get("/api/search").then()
                .statusCode(200).body("results", hasSize(0)).body("count", is(candidates));
    }

    @Test
    void the_message_list_text_filter_uses_the_trigram_index() throws SQLException {
        String sql = only(CapturedStatements.during(() -> as(heavyUser).queryParam("q", "message 4242 mention")
                .get("/api/conversations/{id}/messages", heavyConversation).then().statusCode(200)
                .body("results", hasSize(1))), "from message m1_0", "ilike");
        JsonNode plan = explain(heavyUser, sql, List.of(heavyConversation.toString(), "%message 4242 mention%", "0", "21"),
                false);
        assertNoSeqScanOnMessage(plan);
        assertUsesIndex(plan, "message_content_trgm_idx");
    }

    @Test
    void the_conversation_list_text_filter_uses_the_trigram_indexes() throws SQLException {
        String sql = only(CapturedStatements.during(() -> as(busyUser).queryParam("q", "ber 1234")
                .get("/api/conversations").then().statusCode(200).body("count", is(11))), "from conversation c1_0", "ilike");
        JsonNode plan = explain(busyUser, sql, List.of("false", "%ber 1234%", "%ber 1234%", "0", "21"), false);
        assertEquals(List.of(), nodes(plan, "Seq Scan"), plan.toPrettyString());
        // With a limit of 21 the planner may walk the activity index in list order and filter, or use the
        // trigram indexes; either is an index, neither reads the whole table.
        assertTrue(plan.toString().contains("conversation_title_trgm_idx")
                || plan.toString().contains("conversation_user_activity_idx"), plan.toPrettyString());
    }

    /**
     * A page far into the 100 000-message conversation, in both directions, with a cursor and with
     * a page number: each reads the ordered index from its position and stops after the page. Also
     * in a generic plan: pgjdbc prepares statements on the server after five executions, and
     * PostgreSQL may then plan without seeing which conversation is asked for. That plan must still
     * read the page from the ordered index, not gather the whole conversation and sort it (what the
     * btree_gin indexes invited before V6).
     */
    @Test
    void message_pages_read_the_ordered_index_from_their_position() throws SQLException {
        String path = "/api/conversations/" + heavyConversation + "/messages";
        String owner = heavyUser;
        String conversation = heavyConversation.toString();
        // Page 500: OFFSET 9 980, the deepest page mode allows with 20 rows a page.
        io.restassured.path.json.JsonPath deep = as(owner).queryParam("page", 500).get(path).then().statusCode(200)
                .extract().jsonPath();
        String offsetPage = only(CapturedStatements.during(() -> as(owner).queryParam("page", 500).get(path)
                .then().statusCode(200)), "from message m1_0", "offset ?");
        String cursor = deep.getString("next_cursor");
        String afterTime = deep.getString("results[19].created_at");
        String afterId = deep.getString("results[19].id");
        String keyset = only(CapturedStatements.during(() -> as(owner).queryParam("cursor", cursor).get(path)
                .then().statusCode(200).body("results", hasSize(20))), "from message m1_0", ">(?,?)");
        io.restassured.path.json.JsonPath newest = as(owner).queryParam("order", "desc").get(path).then()
                .statusCode(200).extract().jsonPath();
        String backCursor = newest.getString("next_cursor");
        String keysetDesc = only(CapturedStatements.during(() -> as(owner).queryParam("cursor", backCursor).get(path)
                .then().statusCode(200).body("results", hasSize(20))), "from message m1_0", "<(?,?)");
        assertTrue(keysetDesc.contains("desc"), keysetDesc);

        record Case(String sql, List<String> arguments, long rowsRead) {
        }
        List<Case> cases = List.of(
                new Case(offsetPage, List.of(conversation, "9980", "21"), 9980 + 21),
                new Case(keyset, List.of(conversation, afterTime, afterId, "21"), 21),
                new Case(keysetDesc, List.of(conversation, newest.getString("results[19].created_at"),
                        newest.getString("results[19].id"), "21"), 21));
        for (Case page : cases) {
            for (boolean generic : List.of(false, true)) {
                JsonNode plan = explain(owner, page.sql(), page.arguments(), generic);
                assertNoSeqScanOnMessage(plan);
                assertUsesIndex(plan, "message_conversation_owner_created_idx");
                assertEquals(List.of(), nodes(plan, "Sort"), "rows come in index order:\n" + plan.toPrettyString());
                assertEquals(List.of(), nodes(plan, "Bitmap Heap Scan"), plan.toPrettyString());
                // Stopped after the page. There must be such a scan, whatever its kind, or this checks nothing.
                List<JsonNode> scans = new ArrayList<>();
                collectScansOf(plan, "message", scans);
                assertTrue(!scans.isEmpty(), plan.toPrettyString());
                for (JsonNode scan : scans) {
                    assertTrue(rows(scan) <= page.rowsRead(), rows(scan) + " rows read:\n" + plan.toPrettyString());
                }
            }
        }
    }

    /**
     * The sibling positions of a page that does not hold its whole conversation (page 2 of the
     * 100 000-message tree, whose user has nothing else): each family of the page is read through
     * message_parent_idx or message_root_idx, a few rows each, also in a generic plan. One window
     * over all the page's families read, in a generic plan, every message of the user through
     * message_search_idx (23 ms a page on bench/run's data).
     */
    @Test
    void sibling_positions_read_each_family_through_its_index() throws SQLException {
        String path = "/api/conversations/" + treeConversation + "/messages";
        List<String> ids = new ArrayList<>();
        String positions = only(CapturedStatements.during(() -> ids.addAll(as(treeUser).queryParam("page", 2)
                .get(path).then().statusCode(200).body("results", hasSize(20)).extract().jsonPath()
                .getList("results.id", String.class))), "row_number()");
        String array = "{" + String.join(",", ids) + "}";
        for (boolean generic : List.of(false, true)) {
            JsonNode plan = explain(treeUser, positions, List.of(array, treeUser, treeUser, array), generic);
            assertNoSeqScanOnMessage(plan);
            assertTrue(!plan.toString().contains("message_search_idx"), plan.toPrettyString());
            assertUsesIndex(plan, "message_parent_idx");
            // The page's 20 rows, and for each its parent's children: two on the spine, one in a branch.
            assertEachMessageScanReadsAtMost(plan, 60);
        }
    }

    /**
     * Every search reads a GIN index's whole pending list; with the default 4 MB limit a table
     * that keeps receiving messages made searches three times slower (V7). Each GIN index must
     * keep its list short.
     */
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

    /**
     * The rows of an active-path page are read by primary key, also in a generic plan. Asked for
     * with the conversation as well ({@code conversation_id = ? and id in (...)}), the generic plan
     * PostgreSQL settles on after five executions took the conversation's index instead, reading
     * all 100 000 rows of the tree for each page: 0.6 s a request and 2.5 requests a second in
     * {@code bench/run}.
     */
    @Test
    void the_rows_of_an_active_path_page_are_read_by_primary_key() throws SQLException {
        String path = "/api/conversations/" + treeConversation + "/messages";
        List<String> ids = new ArrayList<>();
        String rows = only(CapturedStatements.during(() -> ids.addAll(as(treeUser).queryParam("path", "active")
                .get(path).then().statusCode(200).body("results", hasSize(20)).extract().jsonPath()
                .getList("results.id", String.class))), "from message m1_0", " in (");
        List<String> arguments = new ArrayList<>();
        if (rows.contains("conversation_id=?")) {
            arguments.add(treeConversation.toString());
        }
        arguments.addAll(ids);
        // Hibernate pads an IN list to a power of two with repeats of its last value.
        long placeholders = rows.chars().filter(ch -> ch == '?').count();
        while (arguments.size() < placeholders) {
            arguments.add(ids.get(ids.size() - 1));
        }
        for (boolean generic : List.of(false, true)) {
            JsonNode plan = explain(treeUser, rows, arguments, generic);
            assertUsesIndex(plan, "message_pk");
            assertEachMessageScanReadsAtMost(plan, ids.size());
        }
    }

    @Test
    void the_tag_filter_uses_the_tag_index() throws SQLException {
        String sql = only(CapturedStatements.during(() -> as(busyUser).queryParam("tag", "rare")
                .get("/api/conversations").then().statusCode(200).body("count", is(10))), "from conversation c1_0", "@>");
        JsonNode plan = explain(busyUser, sql, List.of("false", "{rare}", "0", "21"), false);
        assertEquals(List.of(), nodes(plan, "Seq Scan"), plan.toPrettyString());
        assertUsesIndex(plan, "conversation_tags_idx");
    }

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

    /**
     * The one captured statement that contains every marker (lower case). Background work (the reply
     * workers' sweeps) runs meanwhile, so the markers must single out the request's own statement.
     */
    private static String only(List<String> statements, String... markers) {
        List<String> found = statements.stream()
                .filter(sql -> java.util.Arrays.stream(markers).allMatch(sql.toLowerCase(Locale.ROOT)::contains))
                .toList();
        assertEquals(1, found.size(), "one statement with " + List.of(markers) + " in " + statements);
        return found.get(0);
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
    /**
     * EXPLAIN ANALYZE of a statement the app sent, bound to {@code arguments} (one per placeholder,
     * in order; PostgreSQL infers their types as it does for the app), with a custom plan (values
     * known, as for pgjdbc's first executions) or a generic one (what a server-prepared statement
     * may get). The statement runs with the connection set to {@code identity}, as the app's are:
     * Hibernate's owner condition reads it (native statements bind the owner as an argument).
     */
    private JsonNode explain(String identity, String sql, List<String> arguments, boolean generic) throws SQLException {
        StringBuilder numbered = new StringBuilder();
        int placeholders = 0;
        boolean quoted = false;
        for (char ch : sql.toCharArray()) {
            if (ch == '\'') {
                quoted = !quoted;
            }
            if (ch == '?' && !quoted) {
                numbered.append('$').append(++placeholders);
            } else {
                numbered.append(ch);
            }
        }
        assertEquals(arguments.size(), placeholders, "arguments for " + sql);
        String values = String.join(", ", arguments.stream().map(a -> "'" + a.replace("'", "''") + "'").toList());
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            try {
                s.execute("SET LOCAL plan_cache_mode = " + (generic ? "force_generic_plan" : "force_custom_plan"));
                s.execute("SELECT set_config('parley.user_id', '" + identity.replace("'", "''") + "', true)");
                s.execute("PREPARE app_statement AS " + numbered);
                try (ResultSet rs = s.executeQuery(
                        "EXPLAIN (ANALYZE, VERBOSE, FORMAT JSON) EXECUTE app_statement(" + values + ")")) {
                    rs.next();
                    JsonNode plan = new ObjectMapper().readTree(rs.getString(1));
                    if (generic) {
                        assertTrue(plan.toString().contains("$1"), "a generic plan shows its parameters:\n" + plan);
                    }
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
                            IF EXISTS (SELECT 1 FROM pg_prepared_statements WHERE name = 'app_statement') THEN
                                DEALLOCATE app_statement;
                            END IF;
                        END $$""");
            }
        }
    }

    /**
     * The plan scans message, and no scan of it reads more than {@code limit} rows over all its
     * loops, counted with the rows a filter removed: what was read, not what was kept.
     */
    private static void assertEachMessageScanReadsAtMost(JsonNode plan, long limit) {
        List<JsonNode> scans = new ArrayList<>();
        collectScansOf(plan, "message", scans);
        assertTrue(!scans.isEmpty(), plan.toPrettyString());
        for (JsonNode scan : scans) {
            long read = rows(scan) + scan.path("Rows Removed by Filter").asLong()
                    + scan.path("Rows Removed by Index Recheck").asLong();
            assertTrue(read <= limit, read + " rows read, at most " + limit + " expected:\n" + plan.toPrettyString());
        }
    }

    /** Rows a plan node produced over all its loops. */
    private static long rows(JsonNode node) {
        return node.path("Actual Rows").asLong() * Math.max(1, node.path("Actual Loops").asLong());
    }

    /** Every node that computes {@code function} does so for at most {@code limit} rows, and there is one. */
    private static void assertAtMostRowsCompute(JsonNode plan, String function, long limit) {
        List<JsonNode> computing = new ArrayList<>();
        collectComputing(plan, function, computing);
        assertTrue(!computing.isEmpty(), "no node computes " + function + ":\n" + plan.toPrettyString());
        for (JsonNode node : computing) {
            assertTrue(rows(node) <= limit, function + " computed for " + rows(node) + " rows:\n" + plan.toPrettyString());
        }
    }

    private static void collectComputing(JsonNode node, String function, List<JsonNode> into) {
        if (node.isObject() && node.has("Node Type") && node.path("Output").toString().contains(function)) {
            into.add(node);
        }
        node.forEach(child -> collectComputing(child, function, into));
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
