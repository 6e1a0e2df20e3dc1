package dev.parley.assistant;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.support.Await;
import dev.parley.support.FakeOpenAi;
import dev.parley.support.SseClient;
import dev.parley.support.Tokens;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The whole service with provider=openai, pointed at a local server that speaks the protocol. */
@QuarkusTest
@TestProfile(OpenAiProviderTest.OpenAiProfile.class)
public class OpenAiProviderTest {

    public static class OpenAiProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.assistant.provider", "openai",
                    "parley.assistant.openai.model", "gpt-fake",
                    "parley.assistant.openai.api-key", "sk-fake",
                    "parley.assistant.openai.max-retries", "1",
                    "parley.assistant.openai.timeout", "5s");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Server.class));
        }
    }

    /** Starts the fake model server before Quarkus and hands its URL to the configuration. */
    public static class Server implements QuarkusTestResourceLifecycleManager {
        static FakeOpenAi fake;

        @Override
        public Map<String, String> start() {
            fake = new FakeOpenAi();
            return Map.of("parley.assistant.openai.base-url", fake.baseUrl());
        }

        @Override
        public void stop() {
            fake.close();
        }
    }

    @BeforeEach
    void reset() {
        Server.fake.reset();
    }

    static String status(String user, String cid, String mid) {
        return as(user).get("/api/conversations/{c}/messages/{m}", cid, mid).then().extract().path("status");
    }

    @Test
    void a_user_message_gets_the_models_reply_with_the_history_as_context() {
        Server.fake.then(FakeOpenAi.text("Seven hills."));
        String alice = newUser("alice");
        String cid = createConversation(alice, "openai");
        as(alice).body(Map.of("role", "system", "content", "Answer briefly.")).post("/api/conversations/{id}/messages", cid)
                .then().statusCode(201);
        String replyId = as(alice).body(Map.of("role", "user", "content", "How many hills has Lisbon?"))
                .post("/api/conversations/{id}/messages", cid).then().statusCode(201)
                .extract().path("assistant_message_id");

        Await.until(() -> status(alice, cid, replyId), "complete"::equals, Duration.ofSeconds(15));
        as(alice).get("/api/conversations/{c}/messages/{m}", cid, replyId).then()
                .body("content", equalTo("Seven hills."))
                .body("endpoint", equalTo("openai"))
                .body("model", equalTo("gpt-fake"));
        JsonNode request = Server.fake.requests.get(0).body();
        assertEquals("gpt-fake", request.path("model").asText());
        assertEquals("Bearer sk-fake", Server.fake.requests.get(0).authorization());
        List<String> contents = new ArrayList<>();
        request.path("messages").forEach(m -> contents.add(m.path("role").asText() + ":" + m.path("content").asText()));
        assertEquals(List.of("system:Answer briefly.", "user:How many hills has Lisbon?"), contents);
    }

    @Test
    void a_model_that_keeps_failing_is_retried_then_the_reply_is_failed() {
        Server.fake.always(FakeOpenAi.status(500));
        String alice = newUser("alice");
        String cid = createConversation(alice, "openai failing");
        var created = as(alice).body(Map.of("role", "user", "content", "anyone?"))
                .post("/api/conversations/{id}/messages", cid).then().statusCode(201).extract();
        String replyId = created.path("assistant_message_id");

        Await.until(() -> status(alice, cid, replyId), "failed"::equals, Duration.ofSeconds(20));
        assertEquals(2, Server.fake.requests.size(), "one call and one retry");
        as(alice).get("/api/conversations/{c}/messages/{m}", cid, (String) created.path("id")).then()
                .body("content", equalTo("anyone?")).body("status", equalTo("complete"));
    }

    /**
     * Each token reaches the client while the model is still writing: the fake lets the next one out
     * only after the client got the one before. (A client that arrives late gets the text so far in
     * one delta instead; ReplyStreamTest covers that.)
     */
    @Test
    void a_streamed_chat_relays_the_models_tokens() throws Exception {
        FakeOpenAi.Gate gate = new FakeOpenAi.Gate();
        Server.fake.then(FakeOpenAi.gated(gate, "Lis", "bon", "!"));
        String alice = newUser("alice");
        ObjectMapper json = new ObjectMapper();
        List<String> deltas = new ArrayList<>();
        JsonNode answer;
        try (SseClient chat = SseClient.post(ReplyStreamTest.url("/api/chat"), Tokens.bearer(alice),
                "{\"message\":\"Capital of Portugal?\"}")) {
            assertEquals(200, chat.status, chat::error);
            gate.open(1);
            deltas.add(ReplyStreamTest.content(chat.next(ReplyStreamTest.WAIT)));
            gate.open(1);
            deltas.add(ReplyStreamTest.content(chat.next(ReplyStreamTest.WAIT)));
            gate.open(1);
            List<SseClient.Event> rest = chat.untilEnd(ReplyStreamTest.WAIT);
            for (SseClient.Event event : rest.subList(0, rest.size() - 1)) {
                deltas.add(ReplyStreamTest.content(event));
            }
            SseClient.Event done = rest.get(rest.size() - 1);
            assertEquals("done", done.name());
            answer = json.readTree(done.data());
        }
        assertEquals(List.of("Lis", "bon", "!"), deltas);
        assertEquals("Lisbon!", answer.path("response").asText());
        as(alice).get("/api/conversations/{c}/messages/{m}", answer.path("conversation_id").asText(),
                answer.path("response_message_id").asText()).then()
                .body("content", equalTo("Lisbon!")).body("model", equalTo("gpt-fake"));
    }
}
