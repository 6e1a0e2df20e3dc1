package dev.parley.openai;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.aMapWithSize;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * /v1/conversations and their items, in the shapes of OpenAI's API reference (Conversations API:
 * the conversation object, the item list, message and function-call items), with a second user who
 * finds nothing.
 */
@QuarkusTest
public class OpenAiConversationsTest {

    static final String CONV_ID = "conv_[0-9a-f]{32}";
    static final String MSG_ID = "msg_[0-9a-f]{32}";

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    static String createConversation(String user, Map<String, ?> body) {
        return as(user).body(body).post("/v1/conversations").then().statusCode(200).extract().path("id");
    }

    static Map<String, Object> message(String role, String text) {
        return Map.of("type", "message", "role", role, "content", List.of(Map.of("type", "input_text", "text", text)));
    }

    /** The Parley UUID a conv_ id encodes. */
    static String uuidOf(String openAiId) {
        String hex = openAiId.substring(openAiId.indexOf('_') + 1);
        return hex.replaceFirst("(.{8})(.{4})(.{4})(.{4})(.{12})", "$1-$2-$3-$4-$5");
    }

    @Test
    void should_create_a_conversation_as_openai_shows_it() {
        String alice = newUser("alice");
        long before = Instant.now().getEpochSecond();
        JsonPath created = as(alice).body(Map.of("metadata", Map.of("topic", "demo"), "unknown_field", 1))
                .post("/v1/conversations").then().statusCode(200).contentType("application/json")
                .body("$", aMapWithSize(4))
                .body("id", matchesPattern(CONV_ID))
                .body("object", equalTo("conversation"))
                .body("metadata", equalTo(Map.of("topic", "demo")))
                .extract().jsonPath();
        long createdAt = created.getLong("created_at");
        assertTrue(createdAt >= before - 1 && createdAt <= Instant.now().getEpochSecond() + 1, "unix seconds");

        String id = created.getString("id");
        as(alice).get("/v1/conversations/{id}", id).then().statusCode(200)
                .body("id", equalTo(id)).body("object", equalTo("conversation"))
                .body("created_at", equalTo((int) createdAt)).body("metadata.topic", equalTo("demo"));
        // The same conversation, seen through /api.
        as(alice).get("/api/conversations/{id}", uuidOf(id)).then().statusCode(200)
                .body("metadata.topic", equalTo("demo")).body("message_count", is(0));
    }

    @Test
    void should_create_a_conversation_with_its_first_items_in_order() {
        String alice = newUser("alice");
        String id = createConversation(alice, Map.of("items", List.of(
                message("system", "Be brief."),
                Map.of("role", "user", "content", "Hi there"),
                Map.of("type", "message", "role", "assistant",
                        "content", List.of(Map.of("type", "output_text", "text", "Hello!"))))));
        as(alice).get("/v1/conversations/{id}/items?order=asc", id).then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data.role", equalTo(List.of("system", "user", "assistant")))
                .body("data.type", equalTo(List.of("message", "message", "message")))
                .body("data.status", equalTo(List.of("completed", "completed", "completed")))
                .body("data[0].content", equalTo(List.of(Map.of("type", "input_text", "text", "Be brief."))))
                .body("data[1].content", equalTo(List.of(Map.of("type", "input_text", "text", "Hi there"))))
                .body("data[2].content", equalTo(List.of(Map.of("type", "output_text", "text", "Hello!",
                        "annotations", List.of(), "logprobs", List.of()))))
                .body("has_more", is(false));
        // No reply is made for items.
        as(alice).get("/api/conversations/{id}", uuidOf(id)).then().body("message_count", is(3));
    }

    @Test
    void should_add_items_and_answer_them_in_the_list_envelope() {
        String alice = newUser("alice");
        String id = createConversation(alice, Map.of());
        JsonPath added = as(alice).body(Map.of("items", List.of(message("user", "first"), message("user", "second"))))
                .post("/v1/conversations/{id}/items", id).then().statusCode(200)
                .body("$", aMapWithSize(5))
                .body("object", equalTo("list"))
                .body("data", hasSize(2))
                .body("data[0]", aMapWithSize(5))
                .body("data[0].type", equalTo("message"))
                .body("data[0].id", matchesPattern(MSG_ID))
                .body("data[0].status", equalTo("completed"))
                .body("data[0].role", equalTo("user"))
                .body("data[0].content", equalTo(List.of(Map.of("type", "input_text", "text", "first"))))
                .body("has_more", is(false))
                .extract().jsonPath();
        assertEquals(added.getString("data[0].id"), added.getString("first_id"));
        assertEquals(added.getString("data[1].id"), added.getString("last_id"));

        String itemId = added.getString("data[1].id");
        as(alice).get("/v1/conversations/{id}/items/{item}", id, itemId).then().statusCode(200)
                .body("id", equalTo(itemId)).body("content[0].text", equalTo("second"));
        as(alice).get("/api/conversations/{cid}/messages/{mid}", uuidOf(id), uuidOf(itemId)).then().statusCode(200)
                .body("content", equalTo("second"));
    }

    @Test
    void should_page_items_with_after_limit_and_order() {
        String alice = newUser("alice");
        String id = createConversation(alice, Map.of());
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            items.add(message("user", "m" + i));
        }
        as(alice).body(Map.of("items", items)).post("/v1/conversations/{id}/items", id).then().statusCode(200);

        // Default: newest first, 20 per page.
        as(alice).get("/v1/conversations/{id}/items", id).then()
                .body("data.content.text.flatten()", equalTo(List.of("m4", "m3", "m2", "m1", "m0")))
                .body("has_more", is(false));

        List<String> seen = new ArrayList<>();
        String after = null;
        boolean more = true;
        while (more) {
            var request = as(alice).queryParam("limit", 2).queryParam("order", "asc");
            if (after != null) {
                request.queryParam("after", after);
            }
            JsonPath page = request.get("/v1/conversations/{id}/items", id).then().statusCode(200).extract().jsonPath();
            seen.addAll(page.getList("data.content.text.flatten()"));
            more = page.getBoolean("has_more");
            after = page.getString("last_id");
        }
        assertEquals(List.of("m0", "m1", "m2", "m3", "m4"), seen);

        as(alice).queryParam("limit", 0).get("/v1/conversations/{id}/items", id).then().statusCode(400)
                .body("error.param", equalTo("limit"));
        as(alice).queryParam("order", "sideways").get("/v1/conversations/{id}/items", id).then().statusCode(400)
                .body("error.param", equalTo("order"));
        as(alice).queryParam("after", "msg_" + "0".repeat(32)).get("/v1/conversations/{id}/items", id).then()
                .statusCode(400).body("error.param", equalTo("after"));
    }

    @Test
    void should_keep_function_calls_and_their_outputs_as_items() {
        String alice = newUser("alice");
        String id = createConversation(alice, Map.of());
        JsonPath added = as(alice).body(Map.of("items", List.of(
                Map.of("type", "function_call", "call_id", "call_42", "name", "get_weather",
                        "arguments", "{\"city\":\"Lisbon\"}"),
                Map.of("type", "function_call_output", "call_id", "call_42", "output", "{\"temp\":21}"))))
                .post("/v1/conversations/{id}/items", id).then().statusCode(200)
                .body("data[0]", aMapWithSize(6))
                .body("data[0].type", equalTo("function_call"))
                .body("data[0].id", matchesPattern("fc_[0-9a-f]{32}"))
                .body("data[0].status", equalTo("completed"))
                .body("data[0].call_id", equalTo("call_42"))
                .body("data[0].name", equalTo("get_weather"))
                .body("data[0].arguments", equalTo("{\"city\":\"Lisbon\"}"))
                .body("data[1]", aMapWithSize(5))
                .body("data[1].type", equalTo("function_call_output"))
                .body("data[1].id", matchesPattern("fco_[0-9a-f]{32}"))
                .body("data[1].call_id", equalTo("call_42"))
                .body("data[1].output", equalTo("{\"temp\":21}"))
                .extract().jsonPath();
        // In Parley: an assistant message with the tool call, and a tool message.
        as(alice).get("/api/conversations/{id}/messages", uuidOf(id)).then()
                .body("results.role", equalTo(List.of("assistant", "tool")))
                .body("results[0].tool_calls[0].id", equalTo("call_42"))
                .body("results[0].tool_calls[0].function.name", equalTo("get_weather"))
                .body("results[1].content", equalTo("{\"temp\":21}"));
        as(alice).get("/v1/conversations/{id}/items/{item}", id, added.getString("data[0].id")).then()
                .body("name", equalTo("get_weather"));
    }

    @Test
    void should_update_metadata_delete_items_and_delete_the_conversation() {
        String alice = newUser("alice");
        String id = createConversation(alice, Map.of("metadata", Map.of("a", "1"), "items", List.of(
                message("user", "keep"), message("user", "drop"))));
        as(alice).body(Map.of("metadata", Map.of("b", "2"))).post("/v1/conversations/{id}", id).then()
                .statusCode(200).body("id", equalTo(id)).body("object", equalTo("conversation"))
                .body("metadata", equalTo(Map.of("b", "2")));

        String drop = as(alice).queryParam("order", "desc").get("/v1/conversations/{id}/items", id).then()
                .extract().path("data[0].id");
        as(alice).delete("/v1/conversations/{id}/items/{item}", id, drop).then().statusCode(200)
                .body("$", aMapWithSize(4)).body("id", equalTo(id)).body("object", equalTo("conversation"));
        as(alice).get("/v1/conversations/{id}/items", id).then().body("data.content.text.flatten()",
                equalTo(List.of("keep")));
        as(alice).get("/v1/conversations/{id}/items/{item}", id, drop).then().statusCode(404)
                .body("error.type", equalTo("not_found_error"));

        as(alice).delete("/v1/conversations/{id}", id).then().statusCode(200)
                .body("$", aMapWithSize(3))
                .body("id", equalTo(id)).body("object", equalTo("conversation.deleted")).body("deleted", is(true));
        as(alice).get("/v1/conversations/{id}", id).then().statusCode(404)
                .body("error.message", equalTo("No conversation " + id));
        as(alice).get("/api/conversations/{id}", uuidOf(id)).then().statusCode(404);
    }

    @Test
    void should_list_the_callers_conversations_beyond_openai() {
        String alice = newUser("alice");
        String first = createConversation(alice, Map.of());
        String second = createConversation(alice, Map.of());
        String third = createConversation(alice, Map.of());
        as(alice).get("/v1/conversations").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data.id", equalTo(List.of(third, second, first)))
                .body("first_id", equalTo(third)).body("last_id", equalTo(first)).body("has_more", is(false));
        as(alice).queryParam("limit", 1).queryParam("after", third).get("/v1/conversations").then()
                .body("data.id", equalTo(List.of(second))).body("has_more", is(true));
        as(newUser("nobody")).get("/v1/conversations").then().statusCode(200)
                .body("data", empty()).body("first_id", nullValue()).body("last_id", nullValue())
                .body("has_more", is(false));
    }

    @Test
    void should_refuse_unsupported_items_naming_the_field() {
        String alice = newUser("alice");
        String id = createConversation(alice, Map.of());
        as(alice).body(Map.of("items", List.of(Map.of("type", "web_search_call", "id", "ws_1"))))
                .post("/v1/conversations/{id}/items", id).then().statusCode(400)
                .body("error.param", equalTo("items[0].type"))
                .body("error.type", equalTo("invalid_request_error"));
        as(alice).body(Map.of("items", List.of(Map.of("role", "user", "content",
                List.of(Map.of("type", "input_image", "image_url", "http://127.0.0.1/x.png"))))))
                .post("/v1/conversations/{id}/items", id).then().statusCode(400)
                .body("error.param", equalTo("items[0].content[0].type"));
        List<Map<String, Object>> many = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            many.add(message("user", "x"));
        }
        as(alice).body(Map.of("items", many)).post("/v1/conversations/{id}/items", id).then().statusCode(400)
                .body("error.param", equalTo("items"));
        as(alice).body(Map.of("items", List.of(Map.of("role", "user", "content", " "))))
                .post("/v1/conversations/{id}/items", id).then().statusCode(400)
                .body("error.param", equalTo("items[0].content"));
        // Nothing of the refused requests was stored.
        as(alice).get("/v1/conversations/{id}/items", id).then().body("data", empty());
    }

    @Test
    void should_show_another_users_conversation_and_items_as_missing() {
        String alice = newUser("alice");
        String bob = newUser("bob");
        String id = createConversation(alice, Map.of("metadata", Map.of("k", "v"), "items", List.of(message("user", "secret"))));
        String item = as(alice).get("/v1/conversations/{id}/items", id).then().extract().path("data[0].id");

        as(bob).get("/v1/conversations/{id}", id).then().statusCode(404).body("error.code", equalTo("not_found"));
        as(bob).body(Map.of("metadata", Map.of("k", "stolen"))).post("/v1/conversations/{id}", id).then().statusCode(404);
        as(bob).body(Map.of("items", List.of(message("user", "intruder")))).post("/v1/conversations/{id}/items", id)
                .then().statusCode(404);
        as(bob).get("/v1/conversations/{id}/items", id).then().statusCode(404);
        as(bob).get("/v1/conversations/{id}/items/{item}", id, item).then().statusCode(404);
        as(bob).delete("/v1/conversations/{id}/items/{item}", id, item).then().statusCode(404);
        as(bob).delete("/v1/conversations/{id}", id).then().statusCode(404);
        as(bob).get("/v1/conversations").then().body("data", empty());

        as(alice).get("/v1/conversations/{id}", id).then().statusCode(200).body("metadata.k", equalTo("v"));
        as(alice).get("/v1/conversations/{id}/items", id).then().body("data.content.text.flatten()",
                equalTo(List.of("secret")));
    }

    @Test
    void should_answer_404_for_ids_parley_never_issued() {
        String alice = newUser("alice");
        for (String id : List.of("conv_nothex", "conv_" + UUID.randomUUID().toString().replace("-", ""), "42")) {
            as(alice).get("/v1/conversations/{id}", id).then().statusCode(404)
                    .body("error.type", equalTo("not_found_error"));
        }
        as(alice).get("/v1/conversations/{id}", "conv_x").then().body("error", aMapWithSize(4))
                .body("error.param", nullValue());
        as(alice).get("/v1/conversations").then().body("data", empty());
    }

    @Test
    void metadata_of_an_empty_conversation_is_an_empty_object() {
        as(newUser("alice")).post("/v1/conversations").then().statusCode(200).body("metadata", anEmptyMap());
    }
}
