package dev.parley.assistant;

import static dev.parley.support.Api.addMessage;
import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.support.Await;
import dev.parley.support.FakeOpenAi;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The two assistant settings README states as behaviour: the model sees the last
 * PARLEY_ASSISTANT_HISTORY_WINDOW complete messages, and an instance generates at most
 * PARLEY_ASSISTANT_CONCURRENCY background replies at once (measured at the model's side).
 */
@QuarkusTest
@TestProfile(AssistantSettingsTest.SmallSettings.class)
public class AssistantSettingsTest {

    public static class SmallSettings implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.assistant.provider", "openai",
                    "parley.assistant.openai.model", "gpt-fake",
                    "parley.assistant.openai.max-retries", "0",
                    "parley.assistant.openai.timeout", "30s",
                    "parley.assistant.history-window", "3",
                    "parley.assistant.concurrency", "2");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(OpenAiProviderTest.Server.class));
        }
    }

    @BeforeEach
    void resetModel() {
        OpenAiProviderTest.Server.fake.reset();
    }

    @Test
    void the_model_sees_the_last_history_window_messages() {
        String alice = newUser("alice");
        String cid = createConversation(alice, Map.of("title", "window", "auto_reply", false));
        for (String text : List.of("one", "two", "three", "four")) {
            addMessage(alice, cid, "user", text);
        }
        OpenAiProviderTest.Server.fake.then(FakeOpenAi.text("five"));
        as(alice).body(Map.of("message", "and now?", "conversation_id", cid)).post("/api/chat").then()
                .statusCode(200).body("response", equalTo("five"));

        JsonNode sent = OpenAiProviderTest.Server.fake.requests.get(0).body().path("messages");
        List<String> contents = new ArrayList<>();
        sent.forEach(message -> contents.add(message.path("content").asText()));
        assertEquals(List.of("three", "four", "and now?"), contents, sent.toPrettyString());
    }

    @Test
    void background_replies_are_generated_at_most_concurrency_at_a_time() {
        String alice = newUser("alice");
        OpenAiProviderTest.Server.fake.always(FakeOpenAi.slow("done", 1_500));
        List<String[]> replies = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String cid = createConversation(alice, Map.of("title", "busy " + i, "auto_reply", true));
            String reply = as(alice).body(Map.of("role", "user", "content", "question " + i))
                    .post("/api/conversations/{id}/messages", cid).then().statusCode(201)
                    .extract().path("assistant_message_id");
            replies.add(new String[] {cid, reply});
        }
        for (String[] reply : replies) {
            Await.until(() -> as(alice).get("/api/conversations/{c}/messages/{m}", reply[0], reply[1]).then()
                    .extract().<String>path("status"), "complete"::equals, Duration.ofSeconds(90));
        }
        assertEquals(6, OpenAiProviderTest.Server.fake.requests.size());
        // Six slow replies: two at a time, never more, and more than one (or the bound proves nothing).
        assertEquals(2, OpenAiProviderTest.Server.fake.mostAtOnce.get());
    }
}
