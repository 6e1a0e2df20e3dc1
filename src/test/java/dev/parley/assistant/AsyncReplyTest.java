package dev.parley.assistant;

import static dev.parley.support.Api.addMessage;
import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.message.Role;
import dev.parley.support.Await;
import dev.parley.support.ControllableAssistant;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
public class AsyncReplyTest {

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    static String status(String user, String cid, String mid) {
        return as(user).get("/api/conversations/{c}/messages/{m}", cid, mid).then().extract().path("status");
    }

    @Test
    void a_user_message_returns_at_once_and_its_reply_completes_later() {
        ControllableAssistant slow = ControllableAssistant.heldBack("Lisbon has seven hills.");
        QuarkusMock.installMockForType(slow, Assistant.class);
        String alice = newUser("alice");
        String cid = createConversation(alice, "async");
        addMessage(alice, cid, "system", "You know Portugal.");

        var created = as(alice).body(Map.of("role", "user", "content", "Tell me about Lisbon"))
                .post("/api/conversations/{id}/messages", cid)
                .then().statusCode(201)
                .body("role", equalTo("user"))
                .body("content", equalTo("Tell me about Lisbon"))
                .body("assistant_message_id", notNullValue())
                .extract();
        String userId = created.path("id");
        String replyId = created.path("assistant_message_id");

        // The model is still held back: the reply exists and is pending.
        as(alice).get("/api/conversations/{c}/messages/{m}", cid, replyId).then().statusCode(200)
                .body("status", equalTo("pending"))
                .body("role", equalTo("assistant"))
                .body("parent_id", equalTo(userId));
        as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(3));

        slow.release.countDown();
        Await.until(() -> status(alice, cid, replyId), "complete"::equals, Duration.ofSeconds(10));
        as(alice).get("/api/conversations/{c}/messages/{m}", cid, replyId).then()
                .body("content", equalTo("Lisbon has seven hills."))
                .body("endpoint", equalTo("test"))
                .body("model", equalTo("test-model"))
                .body("tool_calls", equalTo(List.of()));
        // The model saw the history, oldest first, ending with the message it answers.
        List<Turn> history = slow.seen.get(0);
        assertEquals(List.of(new Turn(Role.SYSTEM, "You know Portugal."), new Turn(Role.USER, "Tell me about Lisbon")),
                history);
        assertEquals(1, slow.calls.get());
    }

    @Test
    void a_failing_provider_marks_the_reply_failed_and_keeps_the_user_message() {
        QuarkusMock.installMockForType(ControllableAssistant.failing("model exploded"), Assistant.class);
        String alice = newUser("alice");
        String cid = createConversation(alice, "failing");
        var created = as(alice).body(Map.of("role", "user", "content", "Are you there?"))
                .post("/api/conversations/{id}/messages", cid).then().statusCode(201).extract();
        String userId = created.path("id");
        String replyId = created.path("assistant_message_id");

        Await.until(() -> status(alice, cid, replyId), "failed"::equals, Duration.ofSeconds(10));
        as(alice).get("/api/conversations/{c}/messages/{m}", cid, replyId).then()
                .body("metadata.error", equalTo("model exploded"))
                .body("metadata.error_type", equalTo("IllegalStateException"));
        as(alice).get("/api/conversations/{c}/messages/{m}", cid, userId).then().statusCode(200)
                .body("content", equalTo("Are you there?"))
                .body("status", equalTo("complete"));
    }

    @Test
    void the_rules_provider_answers_by_default() {
        String alice = newUser("alice");
        String cid = createConversation(alice, "rules");
        String replyId = as(alice).body(Map.of("role", "user", "content", "hello"))
                .post("/api/conversations/{id}/messages", cid).then().statusCode(201)
                .extract().path("assistant_message_id");
        Await.until(() -> status(alice, cid, replyId), "complete"::equals, Duration.ofSeconds(10));
        as(alice).get("/api/conversations/{c}/messages/{m}", cid, replyId).then()
                .body("content", equalTo("Hello! How can I assist you today?"))
                .body("endpoint", equalTo("rules"));
    }

    @Test
    void no_reply_for_other_roles_or_when_auto_reply_is_off() {
        String alice = newUser("alice");
        String cid = createConversation(alice, "replies");
        as(alice).body(Map.of("role", "assistant", "content", "I said this"))
                .post("/api/conversations/{id}/messages", cid).then().statusCode(201)
                .body("assistant_message_id", nullValue());
        String quiet = createConversation(alice, Map.of("title", "quiet", "auto_reply", false));
        as(alice).body(Map.of("role", "user", "content", "hello"))
                .post("/api/conversations/{id}/messages", quiet).then().statusCode(201)
                .body("assistant_message_id", nullValue());
        as(alice).get("/api/conversations/{id}", quiet).then().body("message_count", is(1));
    }

    @Test
    void a_pending_reply_cannot_be_edited_by_its_owner_nor_seen_by_others() {
        ControllableAssistant slow = ControllableAssistant.heldBack("done");
        QuarkusMock.installMockForType(slow, Assistant.class);
        String alice = newUser("alice");
        String bob = newUser("bob");
        String cid = createConversation(alice, "pending");
        String replyId = as(alice).body(Map.of("role", "user", "content", "hi"))
                .post("/api/conversations/{id}/messages", cid).then().statusCode(201)
                .extract().path("assistant_message_id");
        as(alice).body(Map.of("content", "mine now")).patch("/api/conversations/{c}/messages/{m}", cid, replyId)
                .then().statusCode(409).contentType("application/problem+json");
        as(bob).get("/api/conversations/{c}/messages/{m}", cid, replyId).then().statusCode(404);
        slow.release.countDown();
        Await.until(() -> status(alice, cid, replyId), "complete"::equals, Duration.ofSeconds(10));
    }
}
