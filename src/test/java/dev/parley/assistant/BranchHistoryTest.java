package dev.parley.assistant;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.support.Await;
import dev.parley.support.FakeOpenAi;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the model is sent on a branched conversation, as the fake OpenAI server records it: only the
 * active path above the reply, never the other branch, and exactly what GET …/context shows.
 */
@QuarkusTest
@TestProfile(OpenAiProviderTest.OpenAiProfile.class)
public class BranchHistoryTest {

    @BeforeEach
    void reset() {
        OpenAiProviderTest.Server.fake.reset();
    }

    static void awaitComplete(String user, String cid, String mid) {
        Await.until(() -> OpenAiProviderTest.status(user, cid, mid), "complete"::equals, Duration.ofSeconds(20));
    }

    /** The chat messages of the n-th request the fake model received, as role:content. */
    static List<String> sent(int request) {
        Await.until(() -> OpenAiProviderTest.Server.fake.requests.size(), n -> n > request, Duration.ofSeconds(20));
        JsonNode body = OpenAiProviderTest.Server.fake.requests.get(request).body();
        List<String> messages = new ArrayList<>();
        body.path("messages").forEach(m -> messages.add(m.path("role").asText() + ":" + m.path("content").asText()));
        return messages;
    }

    static String[] send(String user, String cid, String content) {
        ExtractableResponse<Response> created = as(user).body(Map.of("role", "user", "content", content))
                .post("/api/conversations/{id}/messages", cid).then().statusCode(201).extract();
        String reply = created.path("assistant_message_id");
        awaitComplete(user, cid, reply);
        return new String[] {created.path("id"), reply};
    }

    /** What GET …/context says the next reply sends, as role:content of the messages it names. */
    static List<String> context(String user, String cid) {
        List<String> shown = new ArrayList<>();
        List<Map<String, Object>> messages = as(user).get("/api/conversations/{id}/context", cid).then()
                .statusCode(200).extract().path("messages");
        for (Map<String, Object> m : messages) {
            String content = as(user).get("/api/conversations/{c}/messages/{m}", cid, m.get("id")).then()
                    .extract().path("content");
            shown.add(m.get("role") + ":" + content);
        }
        return shown;
    }

    @Test
    void after_an_edit_the_model_sees_the_new_version_and_not_the_old_branch() {
        OpenAiProviderTest.Server.fake.then(FakeOpenAi.text("Lisbon."))
                .then(FakeOpenAi.text("About 545 000."))
                .then(FakeOpenAi.text("About 232 000."));
        String alice = newUser("alice");
        String cid = createConversation(alice, "edit history");
        send(alice, cid, "Capital of Portugal?");
        String[] second = send(alice, cid, "Population of Lisbon?");
        assertEquals(List.of("user:Capital of Portugal?", "assistant:Lisbon.", "user:Population of Lisbon?"), sent(1));

        String replyId = as(alice).body(Map.of("content", "Population of Porto?"))
                .post("/api/conversations/{c}/messages/{m}/edit", cid, second[0]).then().statusCode(201)
                .extract().path("assistant_message_id");
        awaitComplete(alice, cid, replyId);
        List<String> expected = List.of("user:Capital of Portugal?", "assistant:Lisbon.", "user:Population of Porto?");
        assertEquals(expected, sent(2));
        // GET …/context now shows the next reply's window: the same path, with the edit's answer at its end.
        List<String> next = new ArrayList<>(expected);
        next.add("assistant:About 232 000.");
        assertEquals(next, context(alice, cid));
    }

    @Test
    void a_regenerated_reply_is_sent_the_path_above_it_and_nothing_of_its_siblings() {
        OpenAiProviderTest.Server.fake.then(FakeOpenAi.text("Lisbon."))
                .then(FakeOpenAi.text("Seven hills."))
                .then(FakeOpenAi.text("It has seven hills."))
                .then(FakeOpenAi.streamed("Seven", ", they say."));
        String alice = newUser("alice");
        String cid = createConversation(alice, "regenerate history");
        send(alice, cid, "Capital of Portugal?");
        String[] second = send(alice, cid, "How many hills?");
        List<String> expected = List.of("user:Capital of Portugal?", "assistant:Lisbon.", "user:How many hills?");
        assertEquals(expected, sent(1));
        // Switched to the user message, the current leaf is its reply, and the window ends with it.
        as(alice).body(Map.of("leaf_id", second[0])).put("/api/conversations/{id}/current", cid).then().statusCode(200);
        List<String> shown = context(alice, cid);
        assertEquals(List.of("user:Capital of Portugal?", "assistant:Lisbon.", "user:How many hills?",
                "assistant:Seven hills."), shown);

        String regenerated = as(alice).post("/api/conversations/{c}/messages/{m}/regenerate", cid, second[1])
                .then().statusCode(201).extract().path("id");
        awaitComplete(alice, cid, regenerated);
        assertEquals(expected, sent(2));

        // And through chat, streamed: the same history again, not the two earlier answers.
        String body = as(alice).accept("text/event-stream").body(Map.of("conversation_id", cid, "regenerate", true))
                .post("/api/chat").then().statusCode(200).extract().asString();
        assertEquals(true, body.contains("event:done") || body.contains("event: done"), body);
        assertEquals(expected, sent(3));
        as(alice).get("/api/conversations/{c}/messages/{m}/siblings", cid, second[1]).then()
                .body("results.content", org.hamcrest.Matchers.equalTo(
                        List.of("Seven hills.", "It has seven hills.", "Seven, they say.")));
    }
}
