package dev.parley.contract;

import static dev.parley.support.Api.addMessage;
import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** README's Decisions, each rule as a request and the exact answer it promises. */
@QuarkusTest
public class DecisionsTest {

    private static final String DEFAULT_TITLE = "New Conversation";

    @Test
    void a_missing_null_or_blank_title_is_the_default_title() {
        String alice = newUser("alice");
        Map<String, Object> nullTitle = new HashMap<>();
        nullTitle.put("title", null);
        for (Map<String, Object> body : List.<Map<String, Object>>of(Map.of(), nullTitle, Map.of("title", ""),
                Map.of("title", "   "), Map.of("title", "\t\n"))) {
            as(alice).body(body).post("/api/conversations").then().statusCode(201).body("title", equalTo(DEFAULT_TITLE));
        }
        String id = createConversation(alice, "named");
        as(alice).body(Map.of("title", " ")).put("/api/conversations/{id}", id).then().statusCode(200)
                .body("title", equalTo(DEFAULT_TITLE));
        as(alice).body(Map.of("title", "named again")).patch("/api/conversations/{id}", id).then().statusCode(200);
        as(alice).body(Map.of("title", "")).patch("/api/conversations/{id}", id).then().statusCode(200)
                .body("title", equalTo(DEFAULT_TITLE));
    }

    @Test
    void patch_null_resets_the_title_and_clears_description_and_metadata_but_not_flags() {
        String alice = newUser("alice");
        String id = createConversation(alice, Map.of("title", "titled", "description", "described",
                "metadata", Map.of("k", "v"), "pinned", true));
        as(alice).body("{\"title\": null, \"description\": null, \"metadata\": null}")
                .patch("/api/conversations/{id}", id).then().statusCode(200)
                .body("title", equalTo(DEFAULT_TITLE))
                .body("description", nullValue())
                .body("metadata", equalTo(Map.of()))
                .body("pinned", is(true));
        for (String flag : List.of("archived", "pinned", "auto_reply")) {
            as(alice).body("{\"" + flag + "\": null}").patch("/api/conversations/{id}", id).then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("errors." + flag, equalTo(List.of("must not be null")));
        }
        as(alice).get("/api/conversations/{id}", id).then().body("pinned", is(true)).body("title", equalTo(DEFAULT_TITLE));
    }

    @Test
    void a_bulk_delete_with_both_selectors_is_400_and_deletes_nothing() {
        String alice = newUser("alice");
        String id = createConversation(alice, Map.of("title", "selected twice", "auto_reply", false));
        addMessage(alice, id, Map.of("role", "user", "content", "hi", "thread_id", "t-1", "endpoint", "e-1"));
        as(alice).queryParam("thread_id", "t-1").queryParam("endpoint", "e-1").delete("/api/conversations").then()
                .statusCode(400).contentType("application/problem+json")
                .body("status", is(400))
                .body("detail", notNullValue());
        as(alice).get("/api/conversations/{id}", id).then().statusCode(200).body("message_count", is(1));
        // One selector at a time works.
        as(alice).queryParam("thread_id", "t-1").delete("/api/conversations").then().statusCode(200)
                .body("deleted_count", is(1));
    }

    @Test
    void metadata_keys_are_1_to_64_characters() {
        String alice = newUser("alice");
        as(alice).body(Map.of("metadata", Map.of("k".repeat(64), "v"))).post("/api/conversations").then()
                .statusCode(201);
        for (String key : List.of("k".repeat(65), "", " ")) {
            as(alice).body(Map.of("metadata", Map.of(key, "v"))).post("/api/conversations").then()
                    .statusCode(400).contentType("application/problem+json")
                    .body("errors.metadata", equalTo(List.of("keys must be 1 to 64 characters")));
        }
        String id = createConversation(alice, Map.of("title", "messages", "auto_reply", false));
        as(alice).body(Map.of("role", "user", "content", "c", "metadata", Map.of("m".repeat(65), 1)))
                .post("/api/conversations/{id}/messages", id).then().statusCode(400)
                .body("errors.metadata", equalTo(List.of("keys must be 1 to 64 characters")));
    }

    @Test
    void the_default_page_size_is_20() {
        String alice = newUser("alice");
        for (int i = 0; i < 21; i++) {
            createConversation(alice, "c" + i);
        }
        as(alice).get("/api/conversations").then().statusCode(200)
                .body("results", hasSize(20)).body("count", is(21)).body("next", notNullValue());
        as(alice).queryParam("page", 2).get("/api/conversations").then().statusCode(200)
                .body("results", hasSize(1)).body("next", nullValue());
    }
}
