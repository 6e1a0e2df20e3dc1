package dev.parley.conversation;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.addMessage;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
public class ConversationResourceTest {

    static final String DEFAULT_TITLE = "Trip to Lisbon";
    static final String UPDATED_TITLE = "Trip to Porto";
    static final String DEFAULT_DESCRIPTION = "Planning the itinerary";

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    @Test
    void should_create_a_conversation_with_its_fields_and_location() {
        String alice = newUser("alice");
        String location = as(alice)
                .body(Map.of("title", DEFAULT_TITLE, "description", DEFAULT_DESCRIPTION,
                        "metadata", Map.of("client", "web")))
                .post("/api/conversations")
                .then().statusCode(201)
                .contentType("application/json")
                .body("id", matchesPattern("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"))
                .body("title", equalTo(DEFAULT_TITLE))
                .body("description", equalTo(DEFAULT_DESCRIPTION))
                .body("metadata.client", equalTo("web"))
                .body("archived", is(false))
                .body("pinned", is(false))
                .body("auto_reply", is(true))
                .body("message_count", is(0))
                .body("last_message_at", nullValue())
                .body("created_at", matchesPattern("\\d{4}-\\d\\d-\\d\\dT.*Z"))
                .body("user_id", equalTo(alice))
                .extract().header("Location");
        String id = location.substring(location.lastIndexOf('/') + 1);
        as(alice).get(location).then().statusCode(200).body("id", equalTo(id)).body("title", equalTo(DEFAULT_TITLE));
    }

    @Test
    void should_create_with_no_body_and_use_the_default_title() {
        String alice = newUser("alice");
        as(alice).post("/api/conversations").then().statusCode(201)
                .body("title", equalTo("New Conversation"))
                .body("description", nullValue());
        as(alice).body("{}").post("/api/conversations").then().statusCode(201)
                .body("title", equalTo("New Conversation"));
    }

    @Test
    void should_ignore_an_owner_or_id_sent_in_the_body() {
        String alice = newUser("alice");
        String bob = newUser("bob");
        String sent = "0190c2a2-0000-7000-8000-000000000000";
        String id = as(alice).body(Map.of("title", "mine", "user_id", bob, "id", sent))
                .post("/api/conversations").then().statusCode(201).body("user_id", equalTo(alice))
                .extract().path("id");
        assertNotEquals(sent, id, "the id is the server's, not the body's");
        as(alice).get("/api/conversations/{id}", sent).then().statusCode(404);
        as(bob).get("/api/conversations/{id}", id).then().statusCode(404);
        as(alice).get("/api/conversations/{id}", id).then().statusCode(200);
        as(bob).get("/api/conversations").then().body("results", empty());
    }

    @Test
    void should_hide_a_conversation_from_another_user() {
        String alice = newUser("alice");
        String bob = newUser("bob");
        String id = createConversation(alice, DEFAULT_TITLE);

        as(bob).get("/api/conversations/{id}", id).then().statusCode(404)
                .contentType("application/problem+json").body("status", is(404));
        as(bob).body(Map.of("title", "hijacked")).patch("/api/conversations/{id}", id).then().statusCode(404);
        as(bob).body(Map.of("title", "hijacked")).put("/api/conversations/{id}", id).then().statusCode(404);
        as(bob).delete("/api/conversations/{id}", id).then().statusCode(404);
        as(bob).get("/api/conversations").then().statusCode(200).body("results", empty()).body("count", is(0));

        as(alice).get("/api/conversations/{id}", id).then().statusCode(200).body("title", equalTo(DEFAULT_TITLE));
    }

    @Test
    void should_answer_404_for_an_unknown_conversation() {
        as(newUser("alice")).get("/api/conversations/{id}", "0190c2a2-0000-7000-8000-000000000000")
                .then().statusCode(404).contentType("application/problem+json")
                .body("title", equalTo("Not Found"))
                .body("instance", equalTo("/api/conversations/0190c2a2-0000-7000-8000-000000000000"));
    }

    @Test
    void should_patch_only_the_fields_given() {
        String alice = newUser("alice");
        String id = createConversation(alice,
                Map.of("title", DEFAULT_TITLE, "description", DEFAULT_DESCRIPTION, "metadata", Map.of("a", "1")));
        String before = as(alice).get("/api/conversations/{id}", id).then().extract().path("updated_at");

        as(alice).body(Map.of("title", UPDATED_TITLE, "pinned", true, "auto_reply", false))
                .patch("/api/conversations/{id}", id)
                .then().statusCode(200)
                .body("title", equalTo(UPDATED_TITLE))
                .body("pinned", is(true))
                .body("auto_reply", is(false))
                .body("description", equalTo(DEFAULT_DESCRIPTION))
                .body("metadata.a", equalTo("1"));

        String after = as(alice).get("/api/conversations/{id}", id).then()
                .body("title", equalTo(UPDATED_TITLE)).extract().path("updated_at");
        org.junit.jupiter.api.Assertions.assertTrue(after.compareTo(before) > 0, "updated_at moves on change");
    }

    @Test
    void should_reject_a_null_flag_in_a_patch() {
        String alice = newUser("alice");
        String id = createConversation(alice, DEFAULT_TITLE);
        as(alice).body("{\"archived\": null}").patch("/api/conversations/{id}", id)
                .then().statusCode(400).body("errors.archived[0]", equalTo("must not be null"));
    }

    @Test
    void should_reset_omitted_fields_on_put() {
        String alice = newUser("alice");
        String id = createConversation(alice,
                Map.of("title", DEFAULT_TITLE, "description", DEFAULT_DESCRIPTION, "metadata", Map.of("a", "1")));
        as(alice).body(Map.of("pinned", true, "auto_reply", false)).patch("/api/conversations/{id}", id)
                .then().statusCode(200);

        as(alice).body(Map.of("description", "only this")).put("/api/conversations/{id}", id)
                .then().statusCode(200)
                .body("title", equalTo("New Conversation"))
                .body("description", equalTo("only this"))
                .body("pinned", is(false))
                .body("archived", is(false))
                .body("auto_reply", is(true))
                .body("metadata", equalTo(Map.of()));
    }

    @Test
    void should_delete_a_conversation_and_then_not_find_it() {
        String alice = newUser("alice");
        String id = createConversation(alice, DEFAULT_TITLE);
        addMessage(alice, id, "system", "You are terse.");
        as(alice).delete("/api/conversations/{id}", id).then().statusCode(204);
        as(alice).get("/api/conversations/{id}", id).then().statusCode(404);
        as(alice).get("/api/conversations/{id}/messages", id).then().statusCode(404);
        as(alice).delete("/api/conversations/{id}", id).then().statusCode(404);
    }

    @Test
    void should_list_most_recent_activity_first_and_filter() {
        String alice = newUser("alice");
        String first = createConversation(alice, Map.of("title", "Groceries"));
        String second = createConversation(alice, Map.of("title", "Work", "description", "quarterly PLANNING"));
        String third = createConversation(alice, Map.of("title", "Holiday planning"));
        // A new message makes the oldest conversation the most recently active one.
        addMessage(alice, first, "system", "remember the milk");
        as(alice).body(Map.of("archived", true)).patch("/api/conversations/{id}", third).then().statusCode(200);
        as(alice).body(Map.of("pinned", true)).patch("/api/conversations/{id}", second).then().statusCode(200);

        as(alice).get("/api/conversations").then().statusCode(200)
                .body("count", is(2))
                .body("results.id", equalTo(List.of(second, first)))
                .body("results[1].message_count", is(1))
                .body("results[1].last_message_at", notNullValue())
                .body("next", nullValue())
                .body("previous", nullValue())
                .body("next_cursor", nullValue());
        as(alice).queryParam("archived", true).get("/api/conversations").then()
                .body("results.id", equalTo(List.of(third)));
        as(alice).queryParam("q", "planning").get("/api/conversations").then()
                .body("results.id", equalTo(List.of(second)));
        as(alice).queryParam("q", "PLANNING").queryParam("archived", "true").get("/api/conversations").then()
                .body("results.id", equalTo(List.of(third)));
        as(alice).queryParam("pinned", true).get("/api/conversations").then()
                .body("results.id", equalTo(List.of(second)));
        as(alice).queryParam("pinned", false).get("/api/conversations").then()
                .body("results.id", equalTo(List.of(first)));
    }

    @Test
    void should_match_percent_and_underscore_literally_in_q() {
        String alice = newUser("alice");
        String percent = createConversation(alice, "100% done");
        createConversation(alice, "1000 done");
        String underscore = createConversation(alice, "snake_case");
        createConversation(alice, "snakeXcase");
        as(alice).queryParam("q", "0%").get("/api/conversations").then().body("results.id", equalTo(List.of(percent)));
        as(alice).queryParam("q", "e_c").get("/api/conversations").then()
                .body("results.id", equalTo(List.of(underscore)));
    }

    @Test
    void should_bulk_delete_by_thread_id_and_endpoint_with_exact_counts() {
        String alice = newUser("alice");
        String bob = newUser("bob");
        String t1 = createConversation(alice, "thread one");
        String t1b = createConversation(alice, "thread one again");
        String other = createConversation(alice, "other");
        String archived = createConversation(alice, Map.of("title", "archived", "archived", true));
        String bobs = createConversation(bob, "bob's");
        addMessage(alice, t1, Map.of("role", "user", "content", "hi", "thread_id", "T-1"));
        addMessage(alice, t1b, Map.of("role", "system", "content", "x", "thread_id", "T-1"));
        addMessage(alice, t1b, Map.of("role", "system", "content", "y", "thread_id", "T-1"));
        addMessage(alice, other, Map.of("role", "system", "content", "x", "thread_id", "T-10", "endpoint", "openai"));
        addMessage(alice, archived, Map.of("role", "system", "content", "x", "endpoint", "openai"));
        addMessage(bob, bobs, Map.of("role", "system", "content", "x", "thread_id", "T-1", "endpoint", "openai"));

        as(alice).queryParam("thread_id", "T-1").delete("/api/conversations").then().statusCode(200)
                .body("deleted_count", is(2))
                .body("message", equalTo("Successfully deleted 2 conversation(s)"));
        as(alice).queryParam("thread_id", "T-1").delete("/api/conversations").then().statusCode(200)
                .body("deleted_count", is(0));
        as(alice).queryParam("endpoint", "openai").delete("/api/conversations").then().statusCode(200)
                .body("deleted_count", is(2));
        as(alice).get("/api/conversations/{id}", t1).then().statusCode(404);
        as(alice).get("/api/conversations/{id}", archived).then().statusCode(404);

        as(bob).get("/api/conversations/{id}", bobs).then().statusCode(200).body("message_count", is(1));
    }

    @Test
    void should_delete_all_of_the_callers_conversations_only() {
        String alice = newUser("alice");
        String bob = newUser("bob");
        createConversation(alice, "a");
        createConversation(alice, Map.of("title", "b", "archived", true));
        String bobs = createConversation(bob, "bob's");

        as(alice).delete("/api/conversations/all").then().statusCode(200)
                .body("deleted_count", is(2))
                .body("message", equalTo("Successfully deleted 2 conversation(s)"));
        as(alice).get("/api/conversations").then().body("results", empty());
        as(bob).get("/api/conversations/{id}", bobs).then().statusCode(200);
    }

    @Test
    void should_refuse_a_bulk_delete_without_selector() {
        String alice = newUser("alice");
        String id = createConversation(alice, "keep me");
        as(alice).delete("/api/conversations").then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", endsWith("to delete all)"));
        as(alice).queryParam("thread_id", "").delete("/api/conversations").then().statusCode(400)
                .body("errors.thread_id", hasSize(1));
        as(alice).get("/api/conversations/{id}", id).then().statusCode(200);
    }

    @Test
    void should_reject_invalid_conversation_input() {
        String alice = newUser("alice");
        as(alice).body(Map.of("title", "x".repeat(256))).post("/api/conversations").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors.title[0]", equalTo("size must be between 0 and 255"));
        as(alice).body(Map.of("description", "x".repeat(501))).post("/api/conversations").then().statusCode(400)
                .body("errors.description", hasSize(1));
        as(alice).body("{\"title\": 42}").post("/api/conversations").then().statusCode(400)
                .body("errors.title[0]", equalTo("must be a string"));
        as(alice).body("{\"pinned\": \"yes\"}").post("/api/conversations").then().statusCode(400)
                .body("errors.pinned[0]", equalTo("must be a boolean"));
        as(alice).body("{\"title\": \"a").post("/api/conversations").then().statusCode(400)
                .body("detail", equalTo("The request body is not valid JSON"));
        as(alice).body("[1,2]").post("/api/conversations").then().statusCode(400);
        as(alice).body("{\"title\": \"nul\\u0000byte\"}").post("/api/conversations").then().statusCode(400)
                .body("errors.title[0]", equalTo("must not contain NUL characters"));
        as(alice).body(Map.of("metadata", Map.of("k", "v".repeat(513)))).post("/api/conversations").then()
                .statusCode(400).body("errors.metadata", hasSize(1));
        as(alice).body("{\"metadata\": {\"k\": 1}}").post("/api/conversations").then().statusCode(400)
                .body("errors['metadata.k'][0]", equalTo("must be a string"));
        as(alice).get("/api/conversations").then().body("results", empty());
    }

    @Test
    void should_accept_metadata_at_the_limits() {
        String alice = newUser("alice");
        Map<String, String> sixteen = new java.util.HashMap<>();
        for (int i = 0; i < 16; i++) {
            sixteen.put(("k" + i + "x".repeat(64)).substring(0, 64), "v".repeat(512));
        }
        as(alice).body(Map.of("metadata", sixteen)).post("/api/conversations").then().statusCode(201)
                .body("metadata.size()", is(16));
        sixteen.put("one-more", "v");
        as(alice).body(Map.of("metadata", sixteen)).post("/api/conversations").then().statusCode(400)
                .body("errors.metadata", containsInAnyOrder("must have at most 16 keys"));
    }

    @Test
    void should_reject_a_malformed_id() {
        as(newUser("alice")).get("/api/conversations/{id}", "not-a-uuid").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors.id[0]", equalTo("must be a UUID"));
    }
}
