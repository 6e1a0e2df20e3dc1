package dev.parley.message;

import static dev.parley.support.Api.addMessage;
import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
public class MessageResourceTest {

    static final String DEFAULT_CONTENT = "Plan three days in Lisbon";
    static final String UPDATED_CONTENT = "Plan four days in Lisbon";

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    /** Conversations without auto reply, so these tests see only the messages they write. */
    static String quietConversation(String user) {
        return createConversation(user, Map.of("title", "quiet", "auto_reply", false));
    }

    @Test
    void should_create_a_message_with_all_fields() {
        String alice = newUser("alice");
        String cid = quietConversation(alice);
        String parent = addMessage(alice, cid, "system", "Be brief.");
        String location = as(alice)
                .body(Map.of("role", "user", "content", DEFAULT_CONTENT, "parent_id", parent,
                        "thread_id", "T-9", "endpoint", "openai", "model", "gpt-4o-mini",
                        "metadata", Map.of("client", "ios", "n", 3)))
                .post("/api/conversations/{id}/messages", cid)
                .then().statusCode(201)
                .body("id", notNullValue())
                .body("conversation_id", equalTo(cid))
                .body("role", equalTo("user"))
                .body("content", equalTo(DEFAULT_CONTENT))
                .body("status", equalTo("complete"))
                .body("parent_id", equalTo(parent))
                .body("thread_id", equalTo("T-9"))
                .body("endpoint", equalTo("openai"))
                .body("model", equalTo("gpt-4o-mini"))
                .body("tool_calls", empty())
                .body("metadata.client", equalTo("ios"))
                .body("metadata.n", is(3))
                .body("assistant_message_id", nullValue())
                .extract().header("Location");
        as(alice).get(location).then().statusCode(200).body("content", equalTo(DEFAULT_CONTENT))
                .body("assistant_message_id", nullValue());
        as(alice).get("/api/conversations/{id}", cid).then()
                .body("message_count", is(2))
                .body("last_message_at", notNullValue());
    }

    @Test
    void should_accept_text_as_an_alias_of_content() {
        String alice = newUser("alice");
        String cid = quietConversation(alice);
        as(alice).body(Map.of("role", "user", "text", "via alias")).post("/api/conversations/{id}/messages", cid)
                .then().statusCode(201).body("content", equalTo("via alias"));
    }

    /**
     * The list reads the conversation only when its page cannot prove ownership (MessageService):
     * every way of listing another user's conversation must still answer 404, and an empty
     * conversation of one's own must answer 200 with nothing in it.
     */
    @Test
    void listing_another_users_messages_is_404_in_every_mode() {
        String alice = newUser("alice");
        String bob = newUser("bob");
        String cid = quietConversation(alice);
        for (int i = 0; i < 3; i++) {
            addMessage(alice, cid, "user", "hello " + i);
        }
        String cursor = as(alice).queryParam("page_size", 1).get("/api/conversations/{id}/messages", cid)
                .then().statusCode(200).body("count", is(3)).extract().path("next_cursor");
        List<Map<String, Object>> modes = List.of(
                Map.of(),
                Map.of("page_size", 1),
                Map.of("page", 9),
                Map.of("role", "user"),
                Map.of("q", "hello"),
                Map.of("order", "desc"),
                Map.of("cursor", cursor),
                Map.of("cursor", cursor, "count", true));
        for (Map<String, Object> mode : modes) {
            as(bob).queryParams(mode).get("/api/conversations/{id}/messages", cid).then()
                    .statusCode(404).contentType("application/problem+json").body("status", is(404));
            as(alice).queryParams(mode).get("/api/conversations/{id}/messages", cid).then().statusCode(200);
        }
        String empty = quietConversation(alice);
        as(alice).get("/api/conversations/{id}/messages", empty).then().statusCode(200)
                .body("count", is(0)).body("results", empty()).body("next", nullValue());
        as(bob).get("/api/conversations/{id}/messages", empty).then().statusCode(404);
    }

    @Test
    void should_hide_messages_from_another_user() {
        String alice = newUser("alice");
        String bob = newUser("bob");
        String cid = quietConversation(alice);
        String mid = addMessage(alice, cid, "user", DEFAULT_CONTENT);

        as(bob).get("/api/conversations/{id}/messages", cid).then().statusCode(404);
        as(bob).body(Map.of("role", "user", "content", "intrusion")).post("/api/conversations/{id}/messages", cid)
                .then().statusCode(404).contentType("application/problem+json");
        as(bob).get("/api/conversations/{id}/messages/{mid}", cid, mid).then().statusCode(404);
        as(bob).body(Map.of("content", "changed")).patch("/api/conversations/{id}/messages/{mid}", cid, mid)
                .then().statusCode(404);
        as(bob).body(Map.of("role", "user", "content", "changed"))
                .put("/api/conversations/{id}/messages/{mid}", cid, mid).then().statusCode(404);
        as(bob).delete("/api/conversations/{id}/messages/{mid}", cid, mid).then().statusCode(404);
        // Bob's own conversation cannot be used to reach Alice's message either.
        String bobs = quietConversation(bob);
        as(bob).get("/api/conversations/{id}/messages/{mid}", bobs, mid).then().statusCode(404);
        as(bob).body(Map.of("role", "user", "content", "x", "parent_id", mid))
                .post("/api/conversations/{id}/messages", bobs).then().statusCode(400)
                .body("errors.parent_id", hasSize(1));

        as(alice).get("/api/conversations/{id}/messages/{mid}", cid, mid).then().statusCode(200)
                .body("content", equalTo(DEFAULT_CONTENT));
        as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(1));
    }

    @Test
    void should_list_oldest_first_and_filter_by_role_and_text() {
        String alice = newUser("alice");
        String cid = quietConversation(alice);
        String m1 = addMessage(alice, cid, "system", "You are a travel agent");
        String m2 = addMessage(alice, cid, "user", "Find a HOTEL near the river");
        String m3 = addMessage(alice, cid, "assistant", "Here are three hotels");
        String m4 = addMessage(alice, cid, "user", "100% sure?");

        as(alice).get("/api/conversations/{id}/messages", cid).then().statusCode(200)
                .body("count", is(4))
                .body("results.id", equalTo(List.of(m1, m2, m3, m4)));
        as(alice).queryParam("order", "desc").get("/api/conversations/{id}/messages", cid).then()
                .body("results.id", equalTo(List.of(m4, m3, m2, m1)));
        as(alice).queryParam("role", "user").get("/api/conversations/{id}/messages", cid).then()
                .body("results.id", equalTo(List.of(m2, m4)));
        as(alice).queryParam("q", "hotel").get("/api/conversations/{id}/messages", cid).then()
                .body("results.id", equalTo(List.of(m2, m3)));
        as(alice).queryParam("q", "0%").get("/api/conversations/{id}/messages", cid).then()
                .body("results.id", equalTo(List.of(m4)));
        as(alice).queryParam("q", "hotel").queryParam("role", "assistant")
                .get("/api/conversations/{id}/messages", cid).then()
                .body("results.id", equalTo(List.of(m3)));
    }

    @Test
    void should_patch_a_message_and_keep_its_role() {
        String alice = newUser("alice");
        String cid = quietConversation(alice);
        String mid = addMessage(alice, cid, Map.of("role", "user", "content", DEFAULT_CONTENT, "model", "m1"));

        as(alice).body(Map.of("content", UPDATED_CONTENT, "role", "user"))
                .patch("/api/conversations/{id}/messages/{mid}", cid, mid)
                .then().statusCode(200)
                .body("content", equalTo(UPDATED_CONTENT))
                .body("model", equalTo("m1"))
                .body("role", equalTo("user"));
        as(alice).body(Map.of("role", "assistant")).patch("/api/conversations/{id}/messages/{mid}", cid, mid)
                .then().statusCode(400).body("errors.role[0]", equalTo("cannot be changed"));
        as(alice).body(Map.of("content", "  ")).patch("/api/conversations/{id}/messages/{mid}", cid, mid)
                .then().statusCode(400).body("errors.content[0]", equalTo("must not be blank"));
        as(alice).get("/api/conversations/{id}/messages/{mid}", cid, mid).then()
                .body("content", equalTo(UPDATED_CONTENT)).body("role", equalTo("user"));
    }

    @Test
    void should_reset_omitted_fields_on_put() {
        String alice = newUser("alice");
        String cid = quietConversation(alice);
        String mid = addMessage(alice, cid, Map.of("role", "user", "content", DEFAULT_CONTENT, "model", "m1",
                "thread_id", "T", "metadata", Map.of("k", "v")));
        as(alice).body(Map.of("role", "user", "content", UPDATED_CONTENT))
                .put("/api/conversations/{id}/messages/{mid}", cid, mid)
                .then().statusCode(200)
                .body("content", equalTo(UPDATED_CONTENT))
                .body("model", nullValue())
                .body("thread_id", nullValue())
                .body("metadata", equalTo(Map.of()));
        as(alice).body(Map.of("role", "system", "content", "x"))
                .put("/api/conversations/{id}/messages/{mid}", cid, mid)
                .then().statusCode(400).body("errors.role[0]", equalTo("cannot be changed"));
    }

    @Test
    void should_delete_a_message_and_update_the_counters() {
        String alice = newUser("alice");
        String cid = quietConversation(alice);
        String m1 = addMessage(alice, cid, "user", "one");
        String m2 = addMessage(alice, cid, "user", "two");
        String lastBefore = as(alice).get("/api/conversations/{id}/messages/{mid}", cid, m1).then()
                .extract().path("created_at");

        as(alice).delete("/api/conversations/{id}/messages/{mid}", cid, m2).then().statusCode(204);
        as(alice).get("/api/conversations/{id}/messages/{mid}", cid, m2).then().statusCode(404);
        as(alice).get("/api/conversations/{id}", cid).then()
                .body("message_count", is(1))
                .body("last_message_at", equalTo(lastBefore));
        as(alice).get("/api/conversations/{id}/messages", cid).then().body("results.id", equalTo(List.of(m1)));
    }

    @Test
    void should_reject_invalid_message_input_and_store_nothing() {
        String alice = newUser("alice");
        String cid = quietConversation(alice);
        as(alice).body(Map.of("content", "no role")).post("/api/conversations/{id}/messages", cid)
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors.role[0]", equalTo("must not be null"));
        as(alice).body(Map.of("role", "wizard", "content", "x")).post("/api/conversations/{id}/messages", cid)
                .then().statusCode(400)
                .body("errors.role[0]", equalTo("must be one of [user, assistant, system, tool]"));
        as(alice).body(Map.of("role", "user", "content", "   ")).post("/api/conversations/{id}/messages", cid)
                .then().statusCode(400).body("errors.content[0]", equalTo("must not be blank"));
        as(alice).body(Map.of("role", "user")).post("/api/conversations/{id}/messages", cid)
                .then().statusCode(400).body("errors.content[0]", equalTo("must not be blank"));
        as(alice).body(Map.of("role", "user", "content", "x".repeat(32_001)))
                .post("/api/conversations/{id}/messages", cid)
                .then().statusCode(400).body("errors.content[0]", equalTo("must be at most 32000 characters"));
        as(alice).body(Map.of("role", "user", "content", "x", "parent_id", "nope"))
                .post("/api/conversations/{id}/messages", cid)
                .then().statusCode(400).body("errors.parent_id[0]", equalTo("must be a UUID"));
        as(alice).body(Map.of("role", "user", "content", "x", "thread_id", "t".repeat(256)))
                .post("/api/conversations/{id}/messages", cid)
                .then().statusCode(400).body("errors.thread_id", hasSize(1));
        as(alice).body("{\"role\": \"user\", \"content\": [\"x\"]}").post("/api/conversations/{id}/messages", cid)
                .then().statusCode(400).body("errors.content[0]", equalTo("must be a string"));
        as(alice).body("{\"role\": \"user\", \"content\": \"x\", \"metadata\": {\"k\": {\"deep\": 1}}}")
                .post("/api/conversations/{id}/messages", cid)
                .then().statusCode(400).body("errors.metadata", hasSize(1));
        as(alice).body("{\"role\": \"user\", \"content\": \"x\",").post("/api/conversations/{id}/messages", cid)
                .then().statusCode(400);
        as(alice).body(Map.of("role", "user", "content", "x")).post("/api/conversations/{id}/messages", "nope")
                .then().statusCode(400).body("errors.conversation_id[0]", equalTo("must be a UUID"));
        as(alice).get("/api/conversations/{id}/messages/{mid}", cid, "nope")
                .then().statusCode(400).body("errors.message_id[0]", equalTo("must be a UUID"));

        as(alice).get("/api/conversations/{id}/messages", cid).then().body("results", empty());
        as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(0));
    }

    @Test
    void should_accept_content_at_the_limit() {
        String alice = newUser("alice");
        String cid = quietConversation(alice);
        as(alice).body(Map.of("role", "user", "content", "x".repeat(32_000)))
                .post("/api/conversations/{id}/messages", cid).then().statusCode(201);
    }

    @Test
    void should_reject_bad_list_parameters() {
        String alice = newUser("alice");
        String cid = quietConversation(alice);
        as(alice).queryParam("role", "wizard").get("/api/conversations/{id}/messages", cid).then()
                .statusCode(400).body("errors.role", hasSize(1));
        as(alice).queryParam("order", "sideways").get("/api/conversations/{id}/messages", cid).then()
                .statusCode(400).body("errors.order", hasSize(1));
    }
}
