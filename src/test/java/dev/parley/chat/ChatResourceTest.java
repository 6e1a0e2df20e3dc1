package dev.parley.chat;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.support.Sse;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
public class ChatResourceTest {

    static final String GREETING = "Hello! How can I assist you today?";

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    @Test
    void a_chat_without_conversation_creates_one_and_stores_both_sides() {
        String alice = newUser("alice");
        var answer = as(alice).body(Map.of("message", "hello there")).post("/api/chat")
                .then().statusCode(200)
                .body("conversation_id", notNullValue())
                .body("message_id", notNullValue())
                .body("response", equalTo(GREETING))
                .body("response_message_id", notNullValue())
                .body("tool_calls", empty())
                .extract();
        String cid = answer.path("conversation_id");
        as(alice).get("/api/conversations/{id}", cid).then().statusCode(200)
                .body("title", equalTo("hello there"))
                .body("message_count", is(2));
        as(alice).get("/api/conversations/{id}/messages", cid).then()
                .body("results.id", equalTo(List.of(answer.path("message_id"), answer.path("response_message_id"))))
                .body("results.role", equalTo(List.of("user", "assistant")))
                .body("results[1].content", equalTo(GREETING))
                .body("results[1].status", equalTo("complete"))
                .body("results[1].endpoint", equalTo("rules"))
                .body("results[1].parent_id", equalTo(answer.path("message_id")));
    }

    @Test
    void a_chat_continues_an_existing_conversation() {
        String alice = newUser("alice");
        String cid = createConversation(alice, "ongoing");
        as(alice).body(Map.of("message", "what is this?", "conversation_id", cid)).post("/api/chat")
                .then().statusCode(200)
                .body("conversation_id", equalTo(cid))
                .body("response", equalTo("That's an interesting question. Let me think about that..."));
        as(alice).body(Map.of("message", "thanks", "conversation_id", cid)).post("/api/chat")
                .then().statusCode(200)
                .body("response", equalTo("You're welcome! Is there anything else I can help with?"));
        as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(4))
                .body("title", equalTo("ongoing"));
    }

    @Test
    void a_new_conversation_is_titled_with_the_first_50_code_points() {
        String alice = newUser("alice");
        String longMessage = "a".repeat(49) + "bcd";
        String cid = as(alice).body(Map.of("message", longMessage)).post("/api/chat").then().statusCode(200)
                .extract().path("conversation_id");
        as(alice).get("/api/conversations/{id}", cid).then().body("title", equalTo("a".repeat(49) + "b..."));

        String emoji = "😀".repeat(51);
        String emojiCid = as(alice).body(Map.of("message", emoji)).post("/api/chat").then().statusCode(200)
                .extract().path("conversation_id");
        as(alice).get("/api/conversations/{id}", emojiCid).then().body("title", equalTo("😀".repeat(50) + "..."));

        String exact = "b".repeat(50);
        String exactCid = as(alice).body(Map.of("message", exact)).post("/api/chat").then().statusCode(200)
                .extract().path("conversation_id");
        as(alice).get("/api/conversations/{id}", exactCid).then().body("title", equalTo(exact));
    }

    @Test
    void a_blank_or_missing_message_is_400_and_stores_nothing() {
        String alice = newUser("alice");
        as(alice).body(Map.of("message", "   ")).post("/api/chat").then().statusCode(400)
                .contentType("application/problem+json").body("errors.message[0]", equalTo("must not be blank"));
        as(alice).body(Map.of("conversation_id", "0190c2a2-0000-7000-8000-000000000000")).post("/api/chat")
                .then().statusCode(400).body("errors.message", hasSize(1));
        as(alice).post("/api/chat").then().statusCode(400);
        as(alice).body(Map.of("message", "x", "conversation_id", "nope")).post("/api/chat").then().statusCode(400)
                .body("errors.conversation_id[0]", equalTo("must be a UUID"));
        as(alice).get("/api/conversations").then().body("results", empty());
    }

    @Test
    void another_users_conversation_is_404_and_untouched() {
        String alice = newUser("alice");
        String bob = newUser("bob");
        String cid = createConversation(alice, "private");
        as(bob).body(Map.of("message", "hello", "conversation_id", cid)).post("/api/chat").then().statusCode(404)
                .contentType("application/problem+json");
        as(bob).body(Map.of("message", "hello", "conversation_id", cid)).post("/api/users/{u}/chat", bob)
                .then().statusCode(404);
        as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(0));
        as(bob).get("/api/conversations").then().body("results", empty());
    }

    @Test
    void the_user_in_the_path_must_be_the_caller() {
        String alice = newUser("alice");
        String bob = newUser("bob");
        as(alice).body(Map.of("message", "hello")).post("/api/users/{u}/chat", bob).then().statusCode(403)
                .contentType("application/problem+json").body("status", is(403));
        as(bob).get("/api/conversations").then().body("results", empty());
        as(alice).get("/api/conversations").then().body("results", empty());
        as(alice).body(Map.of("message", "hello")).post("/api/users/{u}/chat", alice).then().statusCode(200)
                .body("response", equalTo(GREETING));
    }

    @Test
    void a_streamed_chat_sends_deltas_then_done_with_the_json_answer() throws Exception {
        String alice = newUser("alice");
        String body = as(alice).accept("text/event-stream").body(Map.of("message", "hey"))
                .post("/api/chat").then().statusCode(200)
                .contentType(org.hamcrest.Matchers.startsWith("text/event-stream"))
                .extract().asString();
        List<Sse.Event> events = Sse.parse(body);
        assertEquals("done", events.get(events.size() - 1).name());
        StringBuilder text = new StringBuilder();
        for (Sse.Event event : events.subList(0, events.size() - 1)) {
            assertEquals("delta", event.name());
            text.append(new ObjectMapper().readTree(event.data()).path("content").asText());
        }
        assertEquals(GREETING, text.toString());
        JsonNode done = new ObjectMapper().readTree(events.get(events.size() - 1).data());
        assertEquals(GREETING, done.path("response").asText());
        String cid = done.path("conversation_id").asText();
        as(alice).get("/api/conversations/{id}/messages", cid).then()
                .body("results.id", equalTo(List.of(done.path("message_id").asText(),
                        done.path("response_message_id").asText())));
    }

    @Test
    void a_streamed_chat_on_a_foreign_conversation_is_a_404_problem() {
        String alice = newUser("alice");
        String cid = createConversation(alice, "private");
        as(newUser("bob")).accept("text/event-stream").body(Map.of("message", "hey", "conversation_id", cid))
                .post("/api/chat").then().statusCode(404).contentType("application/problem+json");
    }
}
