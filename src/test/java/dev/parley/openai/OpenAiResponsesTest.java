package dev.parley.openai;

import static dev.parley.openai.OpenAiConversationsTest.createConversation;
import static dev.parley.openai.OpenAiConversationsTest.message;
import static dev.parley.openai.OpenAiConversationsTest.uuidOf;
import static dev.parley.support.Api.as;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.aMapWithSize;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.assistant.Assistant;
import dev.parley.assistant.Reply;
import dev.parley.assistant.Turn;
import dev.parley.support.ControllableAssistant;
import dev.parley.support.Sse;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * POST and GET /v1/responses against the shapes of OpenAI's API reference (the response object, its
 * output message and the streaming events), made by the rules assistant or a controllable one.
 */
@QuarkusTest
public class OpenAiResponsesTest {

    static final String GREETING = "Hello! How can I assist you today?";
    static final String RESP_ID = "resp_[0-9a-f]{64}";
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    @Test
    void should_answer_a_response_object_field_by_field() {
        String alice = newUser("alice");
        String conv = createConversation(alice, Map.of());
        JsonPath response = as(alice).body(Map.of("model", "gpt-4o-mini", "input", "hello there",
                        "conversation", conv, "temperature", 0.2, "some_future_field", true))
                .post("/v1/responses").then().statusCode(200).contentType("application/json")
                .body("$", aMapWithSize(22))
                .body("id", matchesPattern(RESP_ID))
                .body("object", equalTo("response"))
                .body("status", equalTo("completed"))
                .body("error", nullValue())
                .body("incomplete_details", nullValue())
                .body("instructions", nullValue())
                .body("max_output_tokens", nullValue())
                .body("metadata", anEmptyMap())
                .body("model", equalTo("rules"))
                .body("output", hasSize(1))
                .body("output[0]", aMapWithSize(5))
                .body("output[0].type", equalTo("message"))
                .body("output[0].id", matchesPattern("msg_[0-9a-f]{32}"))
                .body("output[0].status", equalTo("completed"))
                .body("output[0].role", equalTo("assistant"))
                .body("output[0].content", equalTo(List.of(Map.of("type", "output_text", "text", GREETING,
                        "annotations", List.of(), "logprobs", List.of()))))
                .body("parallel_tool_calls", is(true))
                .body("previous_response_id", nullValue())
                .body("temperature", nullValue())
                .body("tool_choice", equalTo("auto"))
                .body("tools", empty())
                .body("top_p", nullValue())
                .body("truncation", equalTo("disabled"))
                .body("usage", nullValue())
                .body("conversation.id", equalTo(conv))
                .body("store", is(true))
                .body("background", is(false))
                .extract().jsonPath();
        assertTrue(response.getLong("created_at") > 1_700_000_000L);

        // The input and the output are items of the conversation, and messages in /api.
        as(alice).queryParam("order", "asc").get("/v1/conversations/{id}/items", conv).then()
                .body("data.role", equalTo(List.of("user", "assistant")))
                .body("data[0].content[0].text", equalTo("hello there"))
                .body("data[1].id", equalTo(response.getString("output[0].id")));
        as(alice).get("/api/conversations/{id}/messages", uuidOf(conv)).then()
                .body("results.content", equalTo(List.of("hello there", GREETING)))
                .body("results.status", equalTo(List.of("complete", "complete")));

        String id = response.getString("id");
        as(alice).get("/v1/responses/{id}", id).then().statusCode(200)
                .body("id", equalTo(id)).body("status", equalTo("completed"))
                .body("created_at", equalTo(response.getInt("created_at")))
                .body("output[0].content[0].text", equalTo(GREETING))
                .body("conversation.id", equalTo(conv));
    }

    @Test
    void should_start_a_conversation_when_none_is_named() {
        String alice = newUser("alice");
        JsonPath response = as(alice).body(Map.of("input", "thanks a lot")).post("/v1/responses").then()
                .statusCode(200).body("output[0].content[0].text",
                        equalTo("You're welcome! Is there anything else I can help with?"))
                .extract().jsonPath();
        String conv = response.getString("conversation.id");
        as(alice).get("/api/conversations/{id}", uuidOf(conv)).then().statusCode(200)
                .body("title", equalTo("thanks a lot")).body("message_count", is(2));
    }

    @Test
    void should_store_item_input_and_instructions_before_the_answered_message() {
        ControllableAssistant model = ControllableAssistant.answering(history -> Reply.text(history.stream()
                .map(t -> t.role() + ":" + t.content()).collect(Collectors.joining("|"))));
        QuarkusMock.installMockForType(model, Assistant.class);
        String alice = newUser("alice");
        String conv = createConversation(alice, Map.of("items", List.of(message("user", "earlier"))));
        as(alice).body(Map.of("conversation", Map.of("id", conv), "instructions", "Answer in French.",
                        "input", List.of(
                                Map.of("role", "assistant", "content", "previous answer"),
                                Map.of("type", "message", "role", "user",
                                        "content", List.of(Map.of("type", "input_text", "text", "now this"))))))
                .post("/v1/responses").then().statusCode(200)
                .body("instructions", equalTo("Answer in French."))
                .body("model", equalTo("test-model"))
                .body("output[0].content[0].text",
                        equalTo("user:earlier|system:Answer in French.|assistant:previous answer|user:now this"));
        List<Turn> seen = model.seen.get(0);
        assertEquals("now this", seen.get(seen.size() - 1).content());
    }

    @Test
    void should_stream_openai_events_in_order() throws Exception {
        String alice = newUser("alice");
        String conv = createConversation(alice, Map.of());
        String body = as(alice).body(Map.of("input", "hello", "conversation", conv, "stream", true))
                .post("/v1/responses").then().statusCode(200).contentType(containsString("text/event-stream"))
                .extract().asString();
        List<Sse.Event> events = Sse.parse(body);
        List<String> names = events.stream().map(Sse.Event::name).toList();
        assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
                "response.content_part.added", "response.output_text.delta", "response.output_text.done",
                "response.content_part.done", "response.output_item.done", "response.completed"), names);
        for (int i = 0; i < events.size(); i++) {
            JsonNode data = JSON.readTree(events.get(i).data());
            assertEquals(events.get(i).name(), data.path("type").asText(), "type names the event");
            assertEquals(i, data.path("sequence_number").asInt(), "sequence_number counts from 0");
            assertTrue(!data.has("error"), "no top-level error key outside error events");
        }
        JsonNode created = JSON.readTree(events.get(0).data()).path("response");
        assertEquals("in_progress", created.path("status").asText());
        assertEquals(0, created.path("output").size());
        JsonNode added = JSON.readTree(events.get(2).data());
        assertEquals(0, added.path("output_index").asInt());
        assertEquals("in_progress", added.path("item").path("status").asText());
        String itemId = added.path("item").path("id").asText();
        JsonNode delta = JSON.readTree(events.get(4).data());
        assertEquals(itemId, delta.path("item_id").asText());
        assertEquals(0, delta.path("output_index").asInt());
        assertEquals(0, delta.path("content_index").asInt());
        assertEquals(GREETING, delta.path("delta").asText());
        assertEquals(GREETING, JSON.readTree(events.get(5).data()).path("text").asText());
        JsonNode partDone = JSON.readTree(events.get(6).data()).path("part");
        assertEquals("output_text", partDone.path("type").asText());
        assertEquals(GREETING, partDone.path("text").asText());
        assertEquals("completed", JSON.readTree(events.get(7).data()).path("item").path("status").asText());
        JsonNode completed = JSON.readTree(events.get(8).data()).path("response");
        assertEquals("completed", completed.path("status").asText());
        assertEquals(created.path("id").asText(), completed.path("id").asText());
        assertEquals(GREETING, completed.path("output").path(0).path("content").path(0).path("text").asText());

        as(alice).get("/v1/responses/{id}", completed.path("id").asText()).then().statusCode(200)
                .body("output[0].content[0].text", equalTo(GREETING));
        as(alice).get("/api/conversations/{id}/messages", uuidOf(conv)).then()
                .body("results.content", equalTo(List.of("hello", GREETING)));
    }

    @Test
    void should_answer_a_failed_response_and_keep_the_input() throws Exception {
        QuarkusMock.installMockForType(ControllableAssistant.failing("upstream down"), Assistant.class);
        String alice = newUser("alice");
        String conv = createConversation(alice, Map.of());
        String id = as(alice).body(Map.of("input", "are you there?", "conversation", conv)).post("/v1/responses")
                .then().statusCode(200)
                .body("status", equalTo("failed"))
                .body("error", equalTo(Map.of("code", "server_error", "message", "upstream down")))
                .body("output", empty())
                .extract().path("id");
        as(alice).get("/v1/responses/{id}", id).then().statusCode(200).body("status", equalTo("failed"))
                .body("error.message", equalTo("upstream down"));
        as(alice).get("/api/conversations/{id}/messages", uuidOf(conv)).then()
                .body("results[0].content", equalTo("are you there?"))
                .body("results[1].status", equalTo("failed"));

        String body = as(alice).body(Map.of("input", "again?", "conversation", conv, "stream", true))
                .post("/v1/responses").then().statusCode(200).extract().asString();
        List<Sse.Event> events = Sse.parse(body);
        List<String> names = events.stream().map(Sse.Event::name).toList();
        assertEquals("error", names.get(names.size() - 2));
        assertEquals("response.failed", names.get(names.size() - 1));
        JsonNode error = JSON.readTree(events.get(events.size() - 2).data());
        assertEquals("server_error", error.path("code").asText());
        assertEquals("upstream down", error.path("message").asText());
        assertEquals("failed", JSON.readTree(events.get(events.size() - 1).data()).path("response").path("status")
                .asText());
    }

    @Test
    void should_refuse_what_parley_cannot_do_naming_the_param() {
        String alice = newUser("alice");
        Map<String, Map<String, Object>> refused = Map.of(
                "tools", Map.of("input", "hi", "tools", List.of(Map.of("type", "web_search"))),
                "store", Map.of("input", "hi", "store", false),
                "background", Map.of("input", "hi", "background", true),
                "previous_response_id", Map.of("input", "hi", "previous_response_id", "resp_1"),
                "input", Map.of("model", "x"),
                "input[0].content[0].type", Map.of("input", List.of(Map.of("role", "user", "content",
                        List.of(Map.of("type", "input_file", "file_id", "file-1"))))),
                "conversation", Map.of("input", "hi", "conversation", "not-a-conversation"));
        refused.forEach((param, body) -> as(alice).body(body).post("/v1/responses").then().statusCode(400)
                .contentType("application/json")
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo(param))
                .body("error.message", containsString(param)));
        as(alice).body(Map.of("input", List.of(message("assistant", "no question")))).post("/v1/responses").then()
                .statusCode(400).body("error.param", equalTo("input"));
        // Nothing was stored by the refused requests.
        as(alice).get("/v1/conversations").then().body("data", empty());
    }

    @Test
    void should_show_another_users_response_and_conversation_as_missing() {
        String alice = newUser("alice");
        String bob = newUser("bob");
        String conv = createConversation(alice, Map.of());
        String id = as(alice).body(Map.of("input", "hello", "conversation", conv)).post("/v1/responses").then()
                .statusCode(200).extract().path("id");
        as(bob).get("/v1/responses/{id}", id).then().statusCode(404).body("error.type", equalTo("not_found_error"));
        as(bob).body(Map.of("input", "hello", "conversation", conv)).post("/v1/responses").then().statusCode(404)
                .body("error.message", equalTo("No conversation " + conv));
        as(alice).get("/v1/conversations/{id}/items", conv).then().body("data", hasSize(2));
        as(alice).get("/v1/responses/{id}", "resp_" + "ab".repeat(32)).then().statusCode(404);
    }
}
