package dev.parley.assistant;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.support.Await;
import dev.parley.support.FakeOpenAi;
import dev.parley.support.SseClient;
import dev.parley.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Streams watch the reply lifecycle, against a fake model whose tokens the test lets out one by
 * one: a client that drops does not stop the reply, resumes exactly where it left off, and every
 * watcher hears how the reply ended.
 */
@QuarkusTest
@TestProfile(OpenAiProviderTest.OpenAiProfile.class)
public class ReplyStreamTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void reset() {
        OpenAiProviderTest.Server.fake.reset();
    }

    static String url(String path) {
        return "http://localhost:" + RestAssured.port + path;
    }

    static String content(SseClient.Event event) throws Exception {
        assertEquals("delta", event.name(), () -> "not a delta: " + event);
        return JSON.readTree(event.data()).path("content").asText();
    }

    static int offset(SseClient.Event event) {
        return Integer.parseInt(event.id().substring(event.id().lastIndexOf(':') + 1));
    }

    /** Only id, event and one line of JSON data per event; comments; nothing else (no content-type line). */
    static void assertWellFormed(List<String> lines) throws Exception {
        for (String line : lines) {
            assertTrue(line.isEmpty() || line.startsWith(":") || line.startsWith("id:") || line.startsWith("event:")
                    || line.startsWith("data:") || line.startsWith("retry:"), "unexpected field line: " + line);
            if (line.startsWith("data:")) {
                assertTrue(JSON.readTree(line.substring(5)).isObject(), line);
            }
        }
    }

    static String status(String user, String cid, String mid) {
        return as(user).get("/api/conversations/{c}/messages/{m}", cid, mid).then().statusCode(200)
                .extract().path("status");
    }

    @Test
    void a_client_that_drops_does_not_stop_the_reply_and_resumes_with_exactly_the_rest() throws Exception {
        FakeOpenAi.Gate gate = new FakeOpenAi.Gate();
        OpenAiProviderTest.Server.fake.then(FakeOpenAi.gated(gate, "One ", "two ", "three ", "four."));
        String alice = newUser("alice");
        gate.open(1);
        String firstId;
        String resume;
        String text;
        try (SseClient chat = SseClient.post(url("/api/chat"), Tokens.bearer(alice), "{\"message\":\"count\"}")) {
            assertEquals(200, chat.status, chat::error);
            resume = chat.response.headers().firstValue("Location").orElseThrow();
            SseClient.Event first = chat.next(WAIT);
            text = content(first);
            firstId = first.id();
            assertEquals("One ", text);
        }
        // The client is gone; the model goes on.
        gate.open(1);
        try (SseClient resumed = SseClient.get(resume, Tokens.bearer(alice), firstId)) {
            assertEquals(200, resumed.status, resumed::error);
            SseClient.Event second = resumed.next(WAIT);
            assertEquals("two ", content(second));
            assertEquals(text.length() + "two ".length(), offset(second));
            text += content(second);
            gate.open(2);
            List<SseClient.Event> rest = resumed.untilEnd(WAIT);
            SseClient.Event done = rest.get(rest.size() - 1);
            assertEquals("done", done.name());
            int previous = offset(second);
            for (SseClient.Event delta : rest.subList(0, rest.size() - 1)) {
                String piece = content(delta);
                assertEquals(previous + piece.length(), offset(delta), "no gap, no overlap: " + rest);
                previous = offset(delta);
                text += piece;
            }
            JsonNode stored = JSON.readTree(done.data());
            assertEquals("One two three four.", stored.path("content").asText());
            assertEquals("complete", stored.path("status").asText());
            assertEquals(stored.path("content").asText(), text);
            assertWellFormed(resumed.lines);
        }
        // After completion a resume from the first delta gets the rest in one piece.
        try (SseClient late = SseClient.get(resume, Tokens.bearer(alice), firstId)) {
            List<SseClient.Event> events = late.untilEnd(WAIT);
            assertEquals(List.of("delta", "done"), events.stream().map(SseClient.Event::name).toList());
            assertEquals("two three four.", content(events.get(0)));
        }
    }

    @Test
    void a_provider_failure_mid_stream_ends_every_watcher_with_an_error_and_fails_the_reply() throws Exception {
        FakeOpenAi.Gate gate = new FakeOpenAi.Gate();
        OpenAiProviderTest.Server.fake.then(FakeOpenAi.gatedThenBroken(gate, "Half ", "an answer"));
        String alice = newUser("alice");
        String cid = createConversation(alice, "breaking");
        gate.open(1);
        try (SseClient chat = SseClient.post(url("/api/chat"), Tokens.bearer(alice),
                "{\"message\":\"go\",\"conversation_id\":\"" + cid + "\"}")) {
            assertEquals(200, chat.status, chat::error);
            String resume = chat.response.headers().firstValue("Location").orElseThrow();
            assertEquals("Half ", content(chat.next(WAIT)));
            try (SseClient tab = SseClient.get(resume, Tokens.bearer(alice), null)) {
                assertEquals("Half ", content(tab.next(WAIT)));
                gate.open(1);
                for (SseClient watcher : List.of(chat, tab)) {
                    List<SseClient.Event> rest = watcher.untilEnd(WAIT);
                    SseClient.Event last = rest.get(rest.size() - 1);
                    assertEquals("error", last.name(), rest::toString);
                    JsonNode problem = JSON.readTree(last.data());
                    assertEquals(502, problem.path("status").asInt());
                    assertWellFormed(watcher.lines);
                }
            }
            String replyId = resume.replaceAll(".*/messages/([^/]+)/stream", "$1");
            assertEquals("failed", status(alice, cid, replyId));
        }
        as(alice).get("/api/conversations/{id}/messages", cid).then()
                .body("results[0].content", equalTo("go"))
                .body("results[1].status", equalTo("failed"));
    }

    @Test
    void a_complete_reply_streams_as_one_delta_then_done_and_a_pending_one_gets_heartbeats() throws Exception {
        FakeOpenAi.Gate gate = new FakeOpenAi.Gate();
        OpenAiProviderTest.Server.fake.then(FakeOpenAi.gated(gate, "Slow", " but sure"));
        String alice = newUser("alice");
        String cid = createConversation(alice, "async");
        String replyId = as(alice).body(Map.of("role", "user", "content", "take your time"))
                .post("/api/conversations/{id}/messages", cid).then().statusCode(201)
                .extract().path("assistant_message_id");
        String stream = url("/api/conversations/" + cid + "/messages/" + replyId + "/stream");
        try (SseClient idle = SseClient.get(stream, Tokens.bearer(alice), null)) {
            assertEquals(200, idle.status, idle::error);
            // The model has not said a word yet: the stream stays alive with comments.
            assertNotNull(idle.nextComment("heartbeat", WAIT));
            gate.open(2);
            List<SseClient.Event> events = idle.untilEnd(WAIT);
            assertEquals("done", events.get(events.size() - 1).name());
        }
        Await.until(() -> status(alice, cid, replyId), "complete"::equals, WAIT);
        try (SseClient whole = SseClient.get(stream, Tokens.bearer(alice), null)) {
            List<SseClient.Event> events = whole.untilEnd(WAIT);
            assertEquals(List.of("delta", "done"), events.stream().map(SseClient.Event::name).toList());
            assertEquals("Slow but sure", content(events.get(0)));
            assertEquals(replyId + ":13", events.get(0).id());
            assertEquals(replyId + ":end", events.get(1).id());
            assertEquals(replyId, JSON.readTree(events.get(1).data()).path("id").asText());
        }
        // Resumed after done: only done again.
        try (SseClient again = SseClient.get(stream, Tokens.bearer(alice), replyId + ":end")) {
            assertEquals(List.of("done"), again.untilEnd(WAIT).stream().map(SseClient.Event::name).toList());
        }
    }

    @Test
    void another_users_reply_stream_is_a_404_problem() {
        String alice = newUser("alice");
        String cid = createConversation(alice, "private");
        String replyId = as(alice).body(Map.of("role", "user", "content", "hello"))
                .post("/api/conversations/{id}/messages", cid).then().statusCode(201)
                .extract().path("assistant_message_id");
        String bob = newUser("bob");
        as(bob).accept("text/event-stream").get("/api/conversations/{c}/messages/{m}/stream", cid, replyId)
                .then().statusCode(404).contentType("application/problem+json");
        as(alice).accept("text/event-stream").get("/api/conversations/{c}/messages/{m}/stream", cid, "not-a-uuid")
                .then().statusCode(400).contentType("application/problem+json");
    }
}
