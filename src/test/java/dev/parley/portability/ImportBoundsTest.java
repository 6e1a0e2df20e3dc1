package dev.parley.portability;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An import is held to the bounds of content created through the API (content length, tool_calls
 * and metadata size, depth and keys, no NUL anywhere): a conversation with a message past one of
 * them is not imported, the answer says which message and why, and the rest of the file is.
 */
@QuarkusTest
public class ImportBoundsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> lines = new ArrayList<>();

    private void conversation(String id, Map<String, Object> extra, Map<String, Object> message) throws Exception {
        Map<String, Object> conversation = new LinkedHashMap<>(Map.of("type", "conversation", "id", id, "title", id));
        conversation.putAll(extra);
        lines.add(JSON.writeValueAsString(conversation));
        lines.add(JSON.writeValueAsString(Map.of("type", "message", "id", id + "-m1", "conversation_id", id,
                "role", "user", "content", "fine")));
        if (message != null) {
            Map<String, Object> line = new LinkedHashMap<>(Map.of("type", "message", "id", id + "-m2",
                    "conversation_id", id, "role", "assistant", "content", "fine too"));
            line.putAll(message);
            lines.add(JSON.writeValueAsString(line));
        }
        lines.add(JSON.writeValueAsString(Map.of("type", "end")));
    }

    @Test
    void imported_content_is_held_to_the_bounds_of_created_content() throws Exception {
        String alice = newUser("alice");
        Object deep = "bottom";
        for (int i = 0; i < 9; i++) {
            deep = List.of(deep);
        }
        Map<String, Object> manyKeys = new LinkedHashMap<>();
        for (int i = 0; i < 17; i++) {
            manyKeys.put("k" + i, "v");
        }
        conversation("within", Map.of("metadata", Map.of("topic", "ok")),
                Map.of("content", "x".repeat(32_000), "tool_calls", List.of(Map.of("id", "call-1")),
                        "metadata", Map.of("k".repeat(64), "v".repeat(512))));
        conversation("long-content", Map.of(), Map.of("content", "x".repeat(32_001)));
        conversation("big-tool-calls", Map.of(), Map.of("tool_calls", List.of(Map.of("arguments", "a".repeat(33_000)))));
        conversation("deep-tool-calls", Map.of(), Map.of("tool_calls", List.of(Map.of("nested", deep))));
        conversation("nul-metadata-key", Map.of(), Map.of("metadata", Map.of("a\u0000b", "v")));
        conversation("long-metadata-key", Map.of(), Map.of("metadata", Map.of("k".repeat(65), "v")));
        conversation("nul-content", Map.of(), Map.of("content", "before\u0000after"));
        conversation("nul-model", Map.of(), Map.of("model", "gpt\u0000"));
        conversation("conversation-metadata", Map.of("metadata", manyKeys), null);
        conversation("nul-title", Map.of("title", "a\u0000b"), null);

        JsonPath result = as(alice).body(String.join("\n", lines).getBytes(StandardCharsets.UTF_8))
                .contentType("application/x-ndjson").queryParam("format", "parley").post("/api/import")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(1, result.getInt("conversations_imported"), result.prettify());
        assertEquals(2, result.getInt("messages_imported"), result.prettify());
        Map<String, String> problems = new LinkedHashMap<>();
        for (Map<String, String> problem : result.<Map<String, String>>getList("problems")) {
            problems.put(problem.get("source_id"), problem.get("detail"));
        }
        String notImported = "; the conversation was not imported";
        assertEquals(Map.of(
                "long-content", "message long-content-m2: content must be at most 32000 characters" + notImported,
                "big-tool-calls", "message big-tool-calls-m2: tool_calls must be at most 32768 bytes as JSON"
                        + notImported,
                "deep-tool-calls", "message deep-tool-calls-m2: tool_calls must be nested at most 8 levels deep"
                        + notImported,
                "nul-metadata-key", "message nul-metadata-key-m2: metadata keys must not contain NUL characters"
                        + notImported,
                "long-metadata-key", "message long-metadata-key-m2: metadata keys must be 1 to 64 characters"
                        + notImported,
                "nul-content", "message nul-content-m2: content must not contain NUL characters" + notImported,
                "nul-model", "message nul-model-m2: model must not contain NUL characters" + notImported,
                "conversation-metadata", "metadata must have at most 16 keys" + notImported,
                "nul-title", "title must not contain NUL characters" + notImported), problems);

        // Only the conversation within the bounds is stored, whole.
        as(alice).get("/api/conversations").then().statusCode(200)
                .body("count", is(1)).body("results[0].title", equalTo("within"));
        String id = result.getString("conversations.find { it.source_id == 'within' }.conversation_id");
        as(alice).get("/api/conversations/{id}/messages", id).then().statusCode(200)
                .body("count", is(2))
                .body("results[1].content.length()", is(32_000))
                .body("results[1].tool_calls[0].id", equalTo("call-1"));
    }
}
