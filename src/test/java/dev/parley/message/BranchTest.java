package dev.parley.message;

import static dev.parley.support.Api.addMessage;
import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.support.Db;
import dev.parley.support.Await;
import dev.parley.support.Sse;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.time.Duration;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Conversations as trees, with the rules provider: edits, regenerations, branches, forks. */
@QuarkusTest
public class BranchTest {

    static final String GREETING = "Hello! How can I assist you today?";
    static final String THANKS = "You're welcome! Is there anything else I can help with?";
    static final String QUESTION = "That's an interesting question. Let me think about that...";
    static final Duration REPLY_WAIT = Duration.ofSeconds(30);

    /** Fixtures as a DBA: the application's pool sees only one identity's rows. */
    final DataSource dataSource = Db.superuser();

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    /** Sends a user message, waits for its reply to complete, and returns [message id, reply id]. */
    static String[] turn(String user, String cid, String content) {
        ExtractableResponse<Response> created = as(user).body(Map.of("role", "user", "content", content))
                .post("/api/conversations/{id}/messages", cid).then().statusCode(201).extract();
        String replyId = created.path("assistant_message_id");
        awaitDone(user, cid, replyId);
        return new String[] {created.path("id"), replyId};
    }

    static void awaitDone(String user, String cid, String messageId) {
        Await.until(() -> as(user).get("/api/conversations/{c}/messages/{m}", cid, messageId).then()
                .extract().<String>path("status"), s -> !"pending".equals(s), REPLY_WAIT);
    }

    static String currentLeaf(String user, String cid) {
        return as(user).get("/api/conversations/{id}", cid).then().statusCode(200).extract().path("current_leaf_id");
    }

    static List<String> activePath(String user, String cid) {
        return as(user).queryParam("path", "active").queryParam("page_size", 100)
                .get("/api/conversations/{id}/messages", cid).then().statusCode(200).extract().path("results.id");
    }

    @Test
    void a_message_without_parent_follows_the_current_leaf() {
        String alice = newUser("alice");
        String cid = createConversation(alice, "linear");
        String[] first = turn(alice, cid, "hello");
        String second = as(alice).body(Map.of("role", "user", "content", "and then?", "parent_id", first[1]))
                .post("/api/conversations/{id}/messages", cid).then().statusCode(201)
                .body("parent_id", equalTo(first[1])).extract().path("assistant_message_id");
        as(alice).get("/api/conversations/{c}/messages/{m}", cid, first[0]).then()
                .body("parent_id", nullValue()).body("sibling_index", is(0)).body("sibling_count", is(1));
        awaitDone(alice, cid, second);
        // No parent_id: the message follows the current leaf, which is the last reply.
        ExtractableResponse<Response> third = as(alice).body(Map.of("role", "user", "content", "thanks"))
                .post("/api/conversations/{id}/messages", cid).then().statusCode(201)
                .body("parent_id", equalTo(second)).extract();
        assertEquals(third.path("assistant_message_id"), currentLeaf(alice, cid));
    }

    @Test
    void an_edit_is_a_new_current_version_answered_on_its_own_branch() {
        String alice = newUser("alice");
        String cid = createConversation(alice, "edit");
        String[] first = turn(alice, cid, "hello");
        String[] second = turn(alice, cid, "what is this?");

        ExtractableResponse<Response> edited = as(alice).body(Map.of("content", "thanks"))
                .post("/api/conversations/{c}/messages/{m}/edit", cid, second[0]).then().statusCode(201)
                .header("Location", containsString("/api/conversations/" + cid + "/messages/"))
                .body("role", equalTo("user"))
                .body("content", equalTo("thanks"))
                .body("parent_id", equalTo(first[1]))
                .body("sibling_index", is(1))
                .body("sibling_count", is(2))
                .body("assistant_message_id", notNullValue())
                .extract();
        String editId = edited.path("id");
        String replyId = edited.path("assistant_message_id");
        awaitDone(alice, cid, replyId);
        as(alice).get("/api/conversations/{c}/messages/{m}", cid, replyId).then()
                .body("content", equalTo(THANKS)).body("parent_id", equalTo(editId));

        assertEquals(replyId, currentLeaf(alice, cid));
        assertEquals(List.of(first[0], first[1], editId, replyId), activePath(alice, cid));
        // The old version and its reply are kept, and the full list shows every branch.
        as(alice).get("/api/conversations/{id}/messages", cid).then()
                .body("count", is(6))
                .body("results.id", equalTo(List.of(first[0], first[1], second[0], second[1], editId, replyId)))
                .body("results.sibling_index", equalTo(List.of(0, 0, 0, 0, 1, 0)))
                .body("results.sibling_count", equalTo(List.of(1, 1, 2, 1, 2, 1)));
        as(alice).get("/api/conversations/{c}/messages/{m}/siblings", cid, editId).then().statusCode(200)
                .body("results.id", equalTo(List.of(second[0], editId)))
                .body("results.content", equalTo(List.of("what is this?", "thanks")));
        as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(6));
    }

    @Test
    void an_edit_of_the_first_message_is_a_second_root() {
        String alice = newUser("alice");
        String cid = createConversation(alice, "root edit");
        String[] first = turn(alice, cid, "hello");
        String editId = as(alice).body(Map.of("content", "what now?"))
                .post("/api/conversations/{c}/messages/{m}/edit", cid, first[0]).then().statusCode(201)
                .body("parent_id", nullValue()).body("sibling_index", is(1)).body("sibling_count", is(2))
                .extract().path("id");
        assertEquals(editId, activePath(alice, cid).get(0));
        assertEquals(2, activePath(alice, cid).size());
    }

    @Test
    void only_user_messages_are_edited_and_only_replies_regenerated() {
        String alice = newUser("alice");
        String cid = createConversation(alice, "wrong roles");
        String[] first = turn(alice, cid, "hello");
        as(alice).body(Map.of("content", "better")).post("/api/conversations/{c}/messages/{m}/edit", cid, first[1])
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("Only user messages can be edited"));
        as(alice).post("/api/conversations/{c}/messages/{m}/regenerate", cid, first[0])
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("Only assistant replies can be regenerated"));
        as(alice).body(Map.of("content", "  ")).post("/api/conversations/{c}/messages/{m}/edit", cid, first[0])
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors.content", notNullValue());
        as(alice).body(Map.of("content", "x")).post("/api/conversations/{c}/messages/{m}/edit", cid, "not-a-uuid")
                .then().statusCode(400).contentType("application/problem+json");
        // Nothing was stored by the refused requests.
        as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(2));
    }

    @Test
    void a_pending_reply_cannot_be_regenerated() throws Exception {
        String alice = newUser("alice");
        String cid = createConversation(alice, "pending");
        String[] first = turn(alice, cid, "hello");
        // A reply some other instance holds and is still generating.
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                UPDATE message SET status = 'pending', content = '', claim_token = gen_random_uuid(),
                       claimed_until = now() + interval '10 minutes'
                 WHERE id = ?""")) {
            s.setObject(1, java.util.UUID.fromString(first[1]));
            assertEquals(1, s.executeUpdate());
        }
        as(alice).post("/api/conversations/{c}/messages/{m}/regenerate", cid, first[1]).then().statusCode(409)
                .contentType("application/problem+json")
                .body("detail", containsString("still being generated"));
        as(alice).body(Map.of("conversation_id", cid, "regenerate", true)).post("/api/chat").then().statusCode(409);
        as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(2));
    }

    @Test
    void regenerate_adds_a_sibling_reply_and_switching_moves_between_them() {
        String alice = newUser("alice");
        String cid = createConversation(alice, "regenerate");
        String[] first = turn(alice, cid, "hello");
        String second = as(alice).post("/api/conversations/{c}/messages/{m}/regenerate", cid, first[1])
                .then().statusCode(201)
                .header("Location", containsString("/messages/"))
                .body("role", equalTo("assistant"))
                .body("parent_id", equalTo(first[0]))
                .body("sibling_index", is(1)).body("sibling_count", is(2))
                .extract().path("id");
        awaitDone(alice, cid, second);
        as(alice).get("/api/conversations/{c}/messages/{m}", cid, second).then()
                .body("status", equalTo("complete")).body("content", equalTo(GREETING));
        assertEquals(second, currentLeaf(alice, cid));
        as(alice).get("/api/conversations/{c}/messages/{m}/siblings", cid, first[1]).then()
                .body("results.id", equalTo(List.of(first[1], second)))
                .body("results.sibling_index", equalTo(List.of(0, 1)));

        as(alice).body(Map.of("leaf_id", first[1])).put("/api/conversations/{id}/current", cid).then().statusCode(200)
                .body("current_leaf_id", equalTo(first[1]));
        assertEquals(List.of(first[0], first[1]), activePath(alice, cid));
        // Naming an inner message picks the most recent leaf below it.
        as(alice).body(Map.of("leaf_id", first[0])).put("/api/conversations/{id}/current", cid).then().statusCode(200)
                .body("current_leaf_id", equalTo(second));
        assertEquals(List.of(first[0], second), activePath(alice, cid));

        as(alice).body(Map.of()).put("/api/conversations/{id}/current", cid).then().statusCode(400)
                .contentType("application/problem+json");
        String other = createConversation(alice, "other");
        String foreign = addMessage(alice, other, "system", "elsewhere");
        as(alice).body(Map.of("leaf_id", foreign)).put("/api/conversations/{id}/current", cid).then().statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void deleting_a_message_deletes_its_subtree_and_moves_the_current_leaf_up() {
        String alice = newUser("alice");
        String cid = createConversation(alice, "delete");
        String[] first = turn(alice, cid, "hello");
        String[] second = turn(alice, cid, "why?");
        ExtractableResponse<Response> edit = as(alice).body(Map.of("content", "thanks"))
                .post("/api/conversations/{c}/messages/{m}/edit", cid, second[0]).then().statusCode(201).extract();
        String editId = edit.path("id");
        String editReply = edit.path("assistant_message_id");
        awaitDone(alice, cid, editReply);
        assertEquals(editReply, currentLeaf(alice, cid));

        as(alice).delete("/api/conversations/{c}/messages/{m}", cid, editId).then().statusCode(204);
        as(alice).get("/api/conversations/{c}/messages/{m}", cid, editReply).then().statusCode(404);
        // The current leaf was deleted: it is now the most recent leaf under the edit's parent.
        assertEquals(second[1], currentLeaf(alice, cid));
        as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(4));

        // Deleting a message off the active path leaves the current leaf alone.
        String regenerated = as(alice).post("/api/conversations/{c}/messages/{m}/regenerate", cid, second[1])
                .then().statusCode(201).extract().path("id");
        awaitDone(alice, cid, regenerated);
        as(alice).body(Map.of("leaf_id", second[1])).put("/api/conversations/{id}/current", cid).then().statusCode(200);
        as(alice).delete("/api/conversations/{c}/messages/{m}", cid, regenerated).then().statusCode(204);
        assertEquals(second[1], currentLeaf(alice, cid));

        as(alice).delete("/api/conversations/{c}/messages/{m}", cid, first[0]).then().statusCode(204);
        as(alice).get("/api/conversations/{id}", cid).then()
                .body("message_count", is(0))
                .body("current_leaf_id", nullValue())
                .body("last_message_at", nullValue());
        as(alice).get("/api/conversations/{id}/messages", cid).then().body("count", is(0));
    }

    @Test
    void a_parent_can_never_make_a_loop() {
        String alice = newUser("alice");
        String cid = createConversation(alice, "loops");
        String[] first = turn(alice, cid, "hello");
        String[] second = turn(alice, cid, "more?");
        as(alice).body(Map.of("parent_id", second[1])).patch("/api/conversations/{c}/messages/{m}", cid, first[1])
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors.parent_id", notNullValue());
        as(alice).body(Map.of("parent_id", first[1])).patch("/api/conversations/{c}/messages/{m}", cid, first[1])
                .then().statusCode(400).body("errors.parent_id[0]", equalTo("cannot be the message itself"));
        Map<String, Object> noParent = new java.util.HashMap<>();
        noParent.put("parent_id", null);
        as(alice).body(noParent).patch("/api/conversations/{c}/messages/{m}", cid, second[0])
                .then().statusCode(400)
                .body("errors.parent_id[0]", equalTo("is required except for a conversation's first message"));
        // A move to an older message elsewhere in the tree is fine.
        as(alice).body(Map.of("parent_id", first[0])).patch("/api/conversations/{c}/messages/{m}", cid, second[0])
                .then().statusCode(200).body("parent_id", equalTo(first[0])).body("sibling_count", is(2));
        // PUT without parent_id keeps the message where it is.
        as(alice).body(Map.of("role", "user", "content", "more please?"))
                .put("/api/conversations/{c}/messages/{m}", cid, second[0])
                .then().statusCode(200).body("parent_id", equalTo(first[0]));
    }

    /**
     * A list that fits on one page works the sibling positions out from its own rows; a longer one
     * reads them with a statement. Both must answer alike, also for siblings created in the same
     * microsecond, which PostgreSQL orders by id (as unsigned bytes).
     */
    @Test
    void a_whole_conversation_on_one_page_and_page_by_page_agree_on_sibling_positions() throws Exception {
        String alice = newUser("alice");
        String cid = createConversation(alice, "many versions");
        String root = addMessage(alice, cid, "assistant", "root");
        String otherRoot = addMessage(alice, cid, Map.of("role", "assistant", "content", "second root"));
        as(alice).body(Map.of("parent_id", root)).patch("/api/conversations/{c}/messages/{m}", cid, otherRoot)
                .then().statusCode(200);
        for (int i = 0; i < 6; i++) {
            addMessage(alice, cid, Map.of("role", "assistant", "content", "version " + i, "parent_id", root));
        }
        try (Connection db = dataSource.getConnection();
                PreparedStatement sameTime = db.prepareStatement(
                        "UPDATE message SET created_at = (SELECT max(created_at) FROM message WHERE conversation_id = ?::uuid)"
                                + " WHERE conversation_id = ?::uuid AND parent_id IS NOT NULL")) {
            sameTime.setString(1, cid);
            sameTime.setString(2, cid);
            assertEquals(7, sameTime.executeUpdate());
        }
        List<Map<String, Object>> whole = as(alice).queryParam("page_size", 100)
                .get("/api/conversations/{id}/messages", cid).then().statusCode(200)
                .body("count", is(8)).extract().path("results");
        List<Map<String, Object>> paged = new ArrayList<>();
        for (int page = 1; page <= 4; page++) {
            paged.addAll(as(alice).queryParam("page_size", 2).queryParam("page", page)
                    .get("/api/conversations/{id}/messages", cid).then().statusCode(200)
                    .extract().<List<Map<String, Object>>>path("results"));
        }
        assertEquals(whole, paged);
        // The root first, then its seven children, one instant, in the database's uuid order.
        assertEquals(List.of(0, 0, 1, 2, 3, 4, 5, 6), whole.stream().map(m -> m.get("sibling_index")).toList());
        assertEquals(List.of(1, 7, 7, 7, 7, 7, 7, 7), whole.stream().map(m -> m.get("sibling_count")).toList());
        List<String> byDatabase = new ArrayList<>();
        try (Connection db = dataSource.getConnection();
                PreparedStatement order = db.prepareStatement(
                        "SELECT id::text FROM message WHERE conversation_id = ?::uuid ORDER BY created_at, id")) {
            order.setString(1, cid);
            try (var rows = order.executeQuery()) {
                while (rows.next()) {
                    byDatabase.add(rows.getString(1));
                }
            }
        }
        assertEquals(byDatabase, whole.stream().map(m -> m.get("id")).toList());
    }

    @Test
    void the_active_path_is_listed_a_page_at_a_time() {
        String alice = newUser("alice");
        String cid = createConversation(alice, "pages");
        List<String> expected = new ArrayList<>();
        String[] first = turn(alice, cid, "hello");
        expected.addAll(List.of(first));
        // A branch the active path must not show: the version before an edit, and its reply.
        String[] off = turn(alice, cid, "off the path?");
        ExtractableResponse<Response> edit = as(alice).body(Map.of("content", "one?"))
                .post("/api/conversations/{c}/messages/{m}/edit", cid, off[0]).then().statusCode(201).extract();
        awaitDone(alice, cid, edit.path("assistant_message_id"));
        expected.addAll(List.of(edit.path("id"), edit.path("assistant_message_id")));
        for (String text : List.of("two?", "three?")) {
            expected.addAll(List.of(turn(alice, cid, text)));
        }
        var page1 = as(alice).queryParam("path", "active").queryParam("page_size", 3)
                .get("/api/conversations/{id}/messages", cid).then().statusCode(200)
                .body("count", is(8))
                .body("results.id", equalTo(expected.subList(0, 3)))
                .body("next", containsString("page=2"))
                .body("next", containsString("path=active"))
                .body("previous", nullValue())
                .extract();
        as(alice).queryParam("path", "active").queryParam("page_size", 3).queryParam("page", 3)
                .get("/api/conversations/{id}/messages", cid).then().statusCode(200)
                .body("results.id", equalTo(expected.subList(6, 8))).body("next", nullValue());
        // Past the end, previous leads back to the last page that has messages, as in every list.
        as(alice).queryParam("path", "active").queryParam("page_size", 3).queryParam("page", 9)
                .get("/api/conversations/{id}/messages", cid).then().statusCode(200)
                .body("count", is(8)).body("results.id", equalTo(List.of()))
                .body("previous", containsString("page=3"));
        // Cursors walk the same path forward, and back.
        List<String> walked = new ArrayList<>(page1.<List<String>>path("results.id"));
        String cursor = page1.path("next_cursor");
        String lastPrevious = null;
        while (cursor != null) {
            var page = as(alice).queryParam("path", "active").queryParam("page_size", 3).queryParam("cursor", cursor)
                    .get("/api/conversations/{id}/messages", cid).then().statusCode(200).body("count", nullValue())
                    .extract();
            walked.addAll(page.path("results.id"));
            cursor = page.path("next_cursor");
            lastPrevious = page.path("previous");
        }
        assertEquals(expected, walked);
        String back = lastPrevious.substring(lastPrevious.indexOf("cursor=") + "cursor=".length());
        as(alice).queryParam("path", "active").queryParam("page_size", 3)
                .queryParam("cursor", java.net.URLDecoder.decode(back.split("&")[0], java.nio.charset.StandardCharsets.UTF_8))
                .get("/api/conversations/{id}/messages", cid).then().statusCode(200)
                .body("results.id", equalTo(expected.subList(3, 6)));
        as(alice).queryParam("path", "active").queryParam("order", "desc").queryParam("page_size", 2)
                .queryParam("role", "user")
                .get("/api/conversations/{id}/messages", cid).then().statusCode(200)
                .body("count", is(4))
                .body("results.id", equalTo(List.of(expected.get(6), expected.get(4))));
        as(alice).queryParam("path", "active").queryParam("q", "TWO")
                .get("/api/conversations/{id}/messages", cid).then().statusCode(200)
                .body("results.id", equalTo(List.of(expected.get(4))));
        as(alice).queryParam("path", "sideways").get("/api/conversations/{id}/messages", cid).then().statusCode(400)
                .contentType("application/problem+json").body("errors.path", notNullValue());
        String empty = createConversation(alice, "empty");
        as(alice).queryParam("path", "active").get("/api/conversations/{id}/messages", empty).then().statusCode(200)
                .body("count", is(0)).body("results.size()", is(0));
    }

    @Test
    void a_fork_copies_the_path_into_a_new_conversation() {
        String alice = newUser("alice");
        String cid = createConversation(alice, Map.of("title", "source", "tags", List.of("travel")));
        String[] first = turn(alice, cid, "hello");
        String[] second = turn(alice, cid, "where to?");
        turn(alice, cid, "thanks");

        ExtractableResponse<Response> fork = as(alice).body(Map.of("message_id", second[1], "title", "Plan B"))
                .post("/api/conversations/{id}/fork", cid).then().statusCode(201)
                .header("Location", containsString("/api/conversations/"))
                .body("title", equalTo("Plan B"))
                .body("message_count", is(4))
                .body("metadata.forked_from", equalTo(cid))
                .body("metadata.forked_from_message", equalTo(second[1]))
                .body("tags", equalTo(List.of("travel")))
                .body("current_leaf_id", notNullValue())
                .extract();
        String forkId = fork.path("id");
        var messages = as(alice).queryParam("path", "active").get("/api/conversations/{id}/messages", forkId).then()
                .statusCode(200)
                .body("results.content", equalTo(List.of("hello", GREETING, "where to?", QUESTION)))
                .body("results.conversation_id", equalTo(List.of(forkId, forkId, forkId, forkId)))
                .extract();
        List<String> ids = messages.path("results.id");
        assertEquals(ids.get(3), fork.path("current_leaf_id"));
        assertEquals(List.of(), ids.stream().filter(id -> List.of(first[0], first[1], second[0], second[1]).contains(id))
                .toList(), "copies have ids of their own");
        List<String> parents = messages.path("results.parent_id");
        assertEquals(java.util.Arrays.asList(null, ids.get(0), ids.get(1), ids.get(2)), parents);
        // The source is unchanged.
        as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(6));
        // The fork goes on by itself.
        String next = turn(alice, forkId, "hello again")[0];
        as(alice).get("/api/conversations/{c}/messages/{m}", forkId, next).then().body("parent_id", equalTo(ids.get(3)));

        as(alice).body(Map.of("title", "no message")).post("/api/conversations/{id}/fork", cid).then().statusCode(400)
                .contentType("application/problem+json");
        as(alice).body(Map.of("message_id", next)).post("/api/conversations/{id}/fork", cid).then().statusCode(404);
    }

    @Test
    void tags_are_set_filtered_and_counted() {
        String alice = newUser("alice");
        String both = createConversation(alice, Map.of("title", "both", "tags", List.of("work", " urgent ")));
        String work = createConversation(alice, Map.of("title", "work", "tags", List.of("work")));
        String none = createConversation(alice, "none");
        as(alice).get("/api/conversations/{id}", both).then().body("tags", equalTo(List.of("work", "urgent")));

        as(alice).queryParam("tag", "work").get("/api/conversations").then().statusCode(200)
                .body("results.id", equalTo(List.of(work, both)));
        as(alice).queryParam("tag", "work").queryParam("tag", "urgent").get("/api/conversations").then()
                .statusCode(200).body("results.id", equalTo(List.of(both)));
        as(alice).queryParam("tag", "nothing").get("/api/conversations").then().body("results.size()", is(0));

        as(alice).body(Map.of("tags", List.of("urgent"))).patch("/api/conversations/{id}", none).then()
                .statusCode(200).body("tags", equalTo(List.of("urgent")));
        as(alice).get("/api/tags").then().statusCode(200)
                .body("results.tag", equalTo(List.of("urgent", "work")))
                .body("results.conversation_count", equalTo(List.of(2, 2)));
        // PUT without tags clears them, like the other fields it omits.
        as(alice).body(Map.of("title", "work")).put("/api/conversations/{id}", work).then().statusCode(200)
                .body("tags", equalTo(List.of()));
        as(alice).get("/api/tags").then().body("results.tag", equalTo(List.of("urgent", "work")))
                .body("results.conversation_count", equalTo(List.of(2, 1)));

        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            tooMany.add("t" + i);
        }
        as(alice).body(Map.of("tags", tooMany)).post("/api/conversations").then().statusCode(400)
                .contentType("application/problem+json").body("errors.tags[0]", equalTo("must hold at most 16 tags"));
        as(alice).body(Map.of("tags", List.of("x".repeat(33)))).patch("/api/conversations/{id}", none).then()
                .statusCode(400).body("errors.tags[0]", equalTo("each tag must be at most 32 characters"));
        as(alice).body(Map.of("tags", List.of("a", "a"))).patch("/api/conversations/{id}", none).then()
                .statusCode(400).body("errors.tags[0]", equalTo("must not repeat a tag"));
        as(alice).body(Map.of("tags", List.of(" "))).post("/api/conversations").then()
                .statusCode(400).body("errors.tags[0]", equalTo("must not contain blank tags"));
        as(alice).queryParam("tag", "y".repeat(33)).get("/api/conversations").then().statusCode(400)
                .contentType("application/problem+json").body("errors.tag", notNullValue());
        as(alice).get("/api/conversations/{id}", none).then().body("tags", equalTo(List.of("urgent")));
    }

    @Test
    void search_says_whether_a_match_is_on_the_active_path() {
        String alice = newUser("alice");
        String cid = createConversation(alice, "search branches");
        String[] first = turn(alice, cid, "tell me about zanzibar");
        String edit = as(alice).body(Map.of("content", "tell me about zanzibar beaches"))
                .post("/api/conversations/{c}/messages/{m}/edit", cid, first[0]).then().statusCode(201)
                .extract().path("id");
        var hits = as(alice).queryParam("q", "zanzibar").get("/api/search").then().statusCode(200)
                .body("count", is(2)).extract();
        List<String> ids = hits.path("results.message.id");
        List<Boolean> onPath = hits.path("results.on_active_path");
        assertEquals(Boolean.TRUE, onPath.get(ids.indexOf(edit)));
        assertEquals(Boolean.FALSE, onPath.get(ids.indexOf(first[0])));
        List<Integer> counts = hits.path("results.message.sibling_count");
        assertEquals(List.of(2, 2), counts);
        List<Integer> indexes = hits.path("results.message.sibling_index");
        assertEquals(0, indexes.get(ids.indexOf(first[0])));
        assertEquals(1, indexes.get(ids.indexOf(edit)));

        // Replies (children, not roots) are numbered among their own siblings, as the siblings
        // endpoint numbers them: a regenerated reply makes two.
        as(alice).body(Map.of("conversation_id", cid, "regenerate", true)).post("/api/chat").then().statusCode(200);
        List<Map<String, Object>> replies = as(alice).queryParam("q", "understand").get("/api/search").then()
                .statusCode(200).extract().path("results.message");
        assertTrue(replies.stream().anyMatch(m -> (Integer) m.get("sibling_count") == 2), replies.toString());
        for (Map<String, Object> found : replies) {
            List<Map<String, Object>> siblings = as(alice).get("/api/conversations/{c}/messages/{m}/siblings", cid,
                    found.get("id")).then().statusCode(200).extract().path("results");
            List<Object> order = siblings.stream().map(m -> m.get("id")).toList();
            assertEquals(order.indexOf(found.get("id")), found.get("sibling_index"), found.toString());
            assertEquals(order.size(), found.get("sibling_count"), found.toString());
        }
    }

    @Test
    void chat_regenerates_the_current_reply_plain_and_streamed() throws Exception {
        String alice = newUser("alice");
        var first = as(alice).body(Map.of("message", "hello")).post("/api/chat").then().statusCode(200).extract();
        String cid = first.path("conversation_id");
        String userMessage = first.path("message_id");

        var again = as(alice).body(Map.of("conversation_id", cid, "regenerate", true)).post("/api/chat").then()
                .statusCode(200)
                .body("message_id", equalTo(userMessage))
                .body("response", equalTo(GREETING))
                .extract();
        String secondReply = again.path("response_message_id");
        assertNotEquals(first.<String>path("response_message_id"), secondReply);
        assertEquals(secondReply, currentLeaf(alice, cid));

        String body = as(alice).accept("text/event-stream").body(Map.of("conversation_id", cid, "regenerate", true))
                .post("/api/chat").then().statusCode(200).extract().asString();
        List<Sse.Event> events = Sse.parse(body);
        Sse.Event done = events.get(events.size() - 1);
        assertEquals("done", done.name());
        JsonNode answer = new ObjectMapper().readTree(done.data());
        assertEquals(userMessage, answer.path("message_id").asText());
        assertEquals(answer.path("response_message_id").asText(), currentLeaf(alice, cid));
        as(alice).get("/api/conversations/{c}/messages/{m}/siblings", cid, secondReply).then()
                .body("results.size()", is(3))
                .body("results.content", equalTo(List.of(GREETING, GREETING, GREETING)))
                .body("results.status", equalTo(List.of("complete", "complete", "complete")));
        as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(4));

        as(alice).body(Map.of("regenerate", true)).post("/api/chat").then().statusCode(400)
                .contentType("application/problem+json").body("errors.conversation_id", notNullValue());
        as(alice).body(Map.of("conversation_id", cid, "regenerate", true, "message", "hi")).post("/api/chat").then()
                .statusCode(400).body("errors.message", notNullValue());
        String empty = createConversation(alice, "nothing yet");
        as(alice).body(Map.of("conversation_id", empty, "regenerate", true)).post("/api/chat").then().statusCode(409)
                .contentType("application/problem+json");
    }

    @Test
    void the_context_shows_the_active_path_the_next_reply_sends() {
        String alice = newUser("alice");
        String cid = createConversation(alice, "context");
        String system = addMessage(alice, cid, "system", "Be brief.");
        String[] first = turn(alice, cid, "hello");
        String edit = as(alice).body(Map.of("content", "hello there")).post("/api/conversations/{c}/messages/{m}/edit",
                cid, first[0]).then().statusCode(201).extract().path("id");
        as(alice).body(Map.of("leaf_id", first[1])).put("/api/conversations/{id}/current", cid).then().statusCode(200);

        as(alice).get("/api/conversations/{id}/context", cid).then().statusCode(200)
                .body("conversation_id", equalTo(cid))
                .body("leaf_id", equalTo(first[1]))
                .body("reply_id", nullValue())
                .body("tokenizer", equalTo("o200k_base"))
                .body("budget", is(8000))
                .body("trimmed", is(false))
                .body("messages.id", equalTo(List.of(system, first[0], first[1])))
                .body("messages.role", equalTo(List.of("system", "user", "assistant")))
                // "Be brief." is 3 tokens in o200k_base, plus 3 for the message's role and separators.
                .body("messages[0].tokens", is(6));
        var context = as(alice).get("/api/conversations/{id}/context", cid).then().extract();
        List<Integer> tokens = context.path("messages.tokens");
        assertEquals(tokens.stream().mapToInt(Integer::intValue).sum(), (int) context.path("total_tokens"));
        assertEquals(false, context.path("messages.id").toString().contains(edit));
    }

    @Test
    void malformed_input_to_the_tree_endpoints_is_a_problem_not_a_500() {
        String alice = newUser("alice");
        String cid = createConversation(alice, "malformed");
        String[] first = turn(alice, cid, "hello");
        String edit = "/api/conversations/{c}/messages/{m}/edit";
        as(alice).body("{\"content\": 42}").post(edit, cid, first[0]).then().statusCode(400)
                .contentType("application/problem+json");
        as(alice).body("{\"content\": ").post(edit, cid, first[0]).then().statusCode(400)
                .contentType("application/problem+json");
        as(alice).body("{\"content\": \"" + "x".repeat(32_001) + "\"}").post(edit, cid, first[0]).then()
                .statusCode(400).contentType("application/problem+json");
        as(alice).body("{\"leaf_id\": \"nope\"}").put("/api/conversations/{id}/current", cid).then().statusCode(400)
                .contentType("application/problem+json");
        as(alice).body("{\"message_id\": 7}").post("/api/conversations/{id}/fork", cid).then().statusCode(400)
                .contentType("application/problem+json");
        as(alice).body(Map.of("message_id", first[0], "title", "t".repeat(256))).post("/api/conversations/{id}/fork", cid)
                .then().statusCode(400).contentType("application/problem+json");
        as(alice).body("{\"tags\": \"work\"}").patch("/api/conversations/{id}", cid).then().statusCode(400)
                .contentType("application/problem+json");
        as(alice).body("{\"tags\": [1, 2]}").patch("/api/conversations/{id}", cid).then().statusCode(400)
                .contentType("application/problem+json");
        as(alice).body("{\"tags\": [null]}").patch("/api/conversations/{id}", cid).then().statusCode(400)
                .contentType("application/problem+json");
        as(alice).get("/api/conversations/{c}/messages/{m}/siblings", cid, "not-a-uuid").then().statusCode(400)
                .contentType("application/problem+json");
        as(alice).get("/api/conversations/{id}/context", "not-a-uuid").then().statusCode(400)
                .contentType("application/problem+json");
        as(alice).queryParam("path", "active").queryParam("cursor", "bogus.cursor")
                .get("/api/conversations/{id}/messages", cid).then().statusCode(400)
                .contentType("application/problem+json");
        // A cursor of the full list is not a cursor of the active path, nor the other way round.
        String allCursor = as(alice).queryParam("page_size", 1).get("/api/conversations/{id}/messages", cid).then()
                .extract().path("next_cursor");
        as(alice).queryParam("path", "active").queryParam("cursor", allCursor)
                .get("/api/conversations/{id}/messages", cid).then().statusCode(400);
        as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(2)).body("tags", equalTo(List.of()));
    }

    @Test
    void another_user_finds_none_of_it() {
        String alice = newUser("alice");
        String bob = newUser("bob");
        String cid = createConversation(alice, Map.of("title", "private", "tags", List.of("secret")));
        String[] first = turn(alice, cid, "hello");

        as(bob).body(Map.of("content", "mine now")).post("/api/conversations/{c}/messages/{m}/edit", cid, first[0])
                .then().statusCode(404).contentType("application/problem+json");
        as(bob).post("/api/conversations/{c}/messages/{m}/regenerate", cid, first[1]).then().statusCode(404)
                .contentType("application/problem+json");
        as(bob).get("/api/conversations/{c}/messages/{m}/siblings", cid, first[1]).then().statusCode(404);
        as(bob).body(Map.of("leaf_id", first[1])).put("/api/conversations/{id}/current", cid).then().statusCode(404);
        as(bob).body(Map.of("message_id", first[1])).post("/api/conversations/{id}/fork", cid).then().statusCode(404);
        as(bob).get("/api/conversations/{id}/context", cid).then().statusCode(404)
                .contentType("application/problem+json");
        as(bob).queryParam("path", "active").get("/api/conversations/{id}/messages", cid).then().statusCode(404);
        as(bob).body(Map.of("conversation_id", cid, "regenerate", true)).post("/api/chat").then().statusCode(404);
        as(bob).get("/api/tags").then().statusCode(200).body("results.size()", is(0));
        as(bob).queryParam("tag", "secret").get("/api/conversations").then().body("results.size()", is(0));
        // Bob's own conversation cannot name Alice's messages either.
        String bobs = createConversation(bob, "bob's");
        as(bob).body(Map.of("leaf_id", first[1])).put("/api/conversations/{id}/current", bobs).then().statusCode(404);
        as(bob).body(Map.of("message_id", first[1])).post("/api/conversations/{id}/fork", bobs).then().statusCode(404);
        // And nothing of Alice's changed.
        as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(2))
                .body("current_leaf_id", equalTo(first[1]));
    }
}
