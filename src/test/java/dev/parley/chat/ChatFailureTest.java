package dev.parley.chat;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.assistant.Assistant;
import dev.parley.support.ControllableAssistant;
import dev.parley.support.Sse;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** When the model fails, the chat says so clearly and the user's message is kept. */
@QuarkusTest
public class ChatFailureTest {

    @Test
    void a_failed_reply_is_a_502_problem_and_the_user_message_is_kept() {
        QuarkusMock.installMockForType(ControllableAssistant.failing("upstream down"), Assistant.class);
        String alice = newUser("alice");
        String cid = createConversation(alice, "failing");
        as(alice).body(Map.of("message", "are you there?", "conversation_id", cid)).post("/api/chat")
                .then().statusCode(502)
                .contentType("application/problem+json")
                .body("status", is(502))
                .body("detail", containsString(cid));
        as(alice).get("/api/conversations/{id}/messages", cid).then()
                .body("results.role", equalTo(List.of("user", "assistant")))
                .body("results[0].content", equalTo("are you there?"))
                .body("results[0].status", equalTo("complete"))
                .body("results[1].status", equalTo("failed"))
                .body("results[1].metadata.error", equalTo("upstream down"));
    }

    @Test
    void a_failed_chat_retried_with_its_idempotency_key_answers_the_same_failure_and_stores_nothing_new() {
        QuarkusMock.installMockForType(ControllableAssistant.failing("upstream down"), Assistant.class);
        String alice = newUser("alice");
        String cid = createConversation(alice, "retried");
        String key = UUID.randomUUID().toString();
        Map<String, String> body = Map.of("message", "once only", "conversation_id", cid);
        String detail = as(alice).header("Idempotency-Key", key).body(body).post("/api/chat")
                .then().statusCode(502).contentType("application/problem+json")
                .extract().path("detail");
        as(alice).header("Idempotency-Key", key).body(body).post("/api/chat")
                .then().statusCode(502).contentType("application/problem+json")
                .header("Idempotent-Replayed", "true")
                .body("detail", equalTo(detail));
        as(alice).get("/api/conversations/{id}/messages", cid).then()
                .body("results.content", equalTo(List.of("once only", "")))
                .body("results.status", equalTo(List.of("complete", "failed")));
        as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(2));
    }

    @Test
    void a_failed_streamed_reply_ends_with_an_error_event() throws Exception {
        QuarkusMock.installMockForType(ControllableAssistant.failing("upstream down"), Assistant.class);
        String alice = newUser("alice");
        String cid = createConversation(alice, "failing stream");
        String body = as(alice).accept("text/event-stream")
                .body(Map.of("message", "stream please", "conversation_id", cid))
                .post("/api/chat").then().statusCode(200).extract().asString();
        List<Sse.Event> events = Sse.parse(body);
        Sse.Event last = events.get(events.size() - 1);
        assertEquals("error", last.name());
        JsonNode problem = new ObjectMapper().readTree(last.data());
        assertEquals(502, problem.path("status").asInt());
        assertEquals("/api/chat", problem.path("instance").asText());
        as(alice).get("/api/conversations/{id}/messages", cid).then()
                .body("results[0].content", equalTo("stream please"))
                .body("results[1].status", equalTo("failed"));
    }
}
