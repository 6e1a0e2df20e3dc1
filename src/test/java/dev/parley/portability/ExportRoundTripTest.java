package dev.parley.portability;

import static dev.parley.support.Api.addMessage;
import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Export, import into another user, export again: the same content under new ids. */
@QuarkusTest
public class ExportRoundTripTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A conversation using every field, with a branch: two answers to the same question. */
    static String richConversation(String user) {
        String cid = createConversation(user, Map.of("title", "Every field – ümlaut", "description", "All of it",
                "metadata", Map.of("project", "apollo", "colour", "blue"), "pinned", true, "auto_reply", false));
        String question = addMessage(user, cid, Map.of("role", "user", "content", "Which route? 🚀",
                "thread_id", "thread-7", "endpoint", "openai", "model", "gpt-4o-mini",
                "metadata", Map.of("client", "web", "tokens", 12, "draft", false)));
        addMessage(user, cid, Map.of("role", "assistant", "content", "The northern one.", "parent_id", question,
                "model", "gpt-4o-mini", "tool_calls", List.of(Map.of("id", "call_1", "type", "function",
                        "function", Map.of("name", "route", "arguments", "{\"to\":\"north\"}")))));
        addMessage(user, cid, Map.of("role", "assistant", "content", "The southern one.", "parent_id", question));
        addMessage(user, cid, Map.of("role", "system", "content", "Be brief."));
        addMessage(user, cid, Map.of("role", "tool", "content", "{\"distance\": 42}"));
        return cid;
    }

    static JsonNode exportJson(String user, String cid) {
        String body = as(user).get("/api/conversations/{id}/export", cid).then().statusCode(200)
                .contentType("application/json")
                .header("Content-Disposition", startsWith("attachment; filename=\"conversation-" + cid))
                .extract().asString();
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The conversation with ids replaced by positions, so two copies compare equal. */
    static ObjectNode comparable(JsonNode conversation) {
        ObjectNode copy = conversation.deepCopy();
        copy.remove("id");
        ((ObjectNode) copy.get("metadata")).remove(List.of("imported_from", "imported_id"));
        Map<String, Integer> position = new HashMap<>();
        for (int i = 0; i < copy.get("messages").size(); i++) {
            position.put(copy.get("messages").get(i).get("id").asText(), i);
        }
        for (JsonNode message : copy.get("messages")) {
            ObjectNode m = (ObjectNode) message;
            m.remove("id");
            m.remove("conversation_id");
            m.put("parent_id", m.get("parent_id").isNull() ? null : "#" + position.get(m.get("parent_id").asText()));
        }
        return copy;
    }

    @Test
    void should_export_every_field_of_every_message() {
        String alice = newUser("alice");
        String cid = richConversation(alice);
        JsonNode export = exportJson(alice, cid);

        assertEquals("parley-export", export.get("format").asText());
        assertEquals(1, export.get("version").asInt());
        JsonNode conversation = export.get("conversations").get(0);
        assertEquals(cid, conversation.get("id").asText());
        assertEquals("Every field – ümlaut", conversation.get("title").asText());
        assertEquals("All of it", conversation.get("description").asText());
        assertTrue(conversation.get("pinned").asBoolean());
        assertEquals(false, conversation.get("auto_reply").asBoolean());
        assertEquals("apollo", conversation.get("metadata").get("project").asText());
        assertEquals(5, conversation.get("message_count").asInt());
        JsonNode first = conversation.get("messages").get(0);
        for (String field : List.of("id", "conversation_id", "role", "content", "status", "parent_id", "thread_id",
                "endpoint", "model", "tool_calls", "metadata", "created_at", "updated_at")) {
            assertTrue(first.has(field), field);
        }
        assertEquals("thread-7", first.get("thread_id").asText());
        assertEquals(12, first.get("metadata").get("tokens").asInt());
        JsonNode answer = conversation.get("messages").get(1);
        assertEquals(first.get("id").asText(), answer.get("parent_id").asText());
        assertEquals("route", answer.get("tool_calls").get(0).get("function").get("name").asText());
        // The API's view of the same message agrees with the export.
        JsonPath viaApi = as(alice).get("/api/conversations/{c}/messages/{m}", cid, first.get("id").asText())
                .then().statusCode(200).extract().jsonPath();
        assertEquals(viaApi.getString("created_at"), first.get("created_at").asText());
    }

    @Test
    void export_then_import_into_another_user_then_export_gives_the_same_content() throws Exception {
        String alice = newUser("alice");
        String bob = newUser("bob");
        String cid = richConversation(alice);
        byte[] file = as(alice).get("/api/conversations/{id}/export", cid).then().statusCode(200).extract().asByteArray();

        JsonPath imported = as(bob).body(file).queryParam("format", "parley").post("/api/import")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(1, imported.getInt("conversations_imported"));
        assertEquals(5, imported.getInt("messages_imported"));
        String copyId = imported.getString("conversations[0].conversation_id");
        assertNotEquals(cid, copyId);

        JsonNode original = exportJson(alice, cid).get("conversations").get(0);
        JsonNode copy = exportJson(bob, copyId).get("conversations").get(0);
        assertEquals("parley", copy.get("metadata").get("imported_from").asText());
        assertEquals(cid, copy.get("metadata").get("imported_id").asText());
        assertEquals(comparable(original), comparable(copy));
        // New ids throughout.
        for (int i = 0; i < 5; i++) {
            assertNotEquals(original.get("messages").get(i).get("id"), copy.get("messages").get(i).get("id"));
        }
    }

    @Test
    void the_ndjson_export_imports_back_and_exports_the_same() throws Exception {
        String alice = newUser("alice");
        String carol = newUser("carol");
        richConversation(alice);
        String other = createConversation(alice, Map.of("title", "Archived one", "archived", true, "auto_reply", false));
        addMessage(alice, other, "user", "kept in the archive");

        String ndjson = as(alice).get("/api/export").then().statusCode(200)
                .contentType(containsString("application/x-ndjson"))
                .header("Content-Disposition", startsWith("attachment; filename=\"parley-export-")).extract().asString();
        JsonPath imported = as(carol).body(ndjson.getBytes(java.nio.charset.StandardCharsets.UTF_8)).contentType("application/x-ndjson").queryParam("format", "parley")
                .post("/api/import").then().statusCode(200).extract().jsonPath();
        assertEquals(2, imported.getInt("conversations_imported"));
        assertEquals(6, imported.getInt("messages_imported"));
        String again = as(carol).get("/api/export").then().statusCode(200).extract().asString();

        assertEquals(content(ndjson), content(again));
        // Importing the file a second time finds everything already there.
        JsonPath twice = as(carol).body(ndjson.getBytes(java.nio.charset.StandardCharsets.UTF_8)).contentType("application/x-ndjson").queryParam("format", "parley")
                .post("/api/import").then().statusCode(200).extract().jsonPath();
        assertEquals(2, twice.getInt("conversations_already_imported"));
        assertEquals(0, twice.getInt("messages_imported"));
    }

    /** An NDJSON export's conversations and messages, ids replaced by positions. */
    private static List<ObjectNode> content(String ndjson) throws Exception {
        List<ObjectNode> conversations = new ArrayList<>();
        ObjectNode current = null;
        for (String line : ndjson.split("\n")) {
            ObjectNode node = (ObjectNode) JSON.readTree(line);
            switch (node.get("type").asText()) {
                case "conversation" -> {
                    current = node;
                    current.putArray("messages");
                    conversations.add(current);
                }
                case "message" -> ((com.fasterxml.jackson.databind.node.ArrayNode) current.get("messages")).add(node);
                default -> {
                }
            }
        }
        List<ObjectNode> result = new ArrayList<>();
        for (ObjectNode c : conversations) {
            result.add(comparable(c));
        }
        return result;
    }

    @Test
    void should_export_a_markdown_transcript() {
        String alice = newUser("alice");
        String cid = richConversation(alice);
        String markdown = as(alice).queryParam("format", "markdown").get("/api/conversations/{id}/export", cid)
                .then().statusCode(200).contentType(containsString("text/markdown"))
                .header("Content-Disposition", containsString(".md")).extract().asString();
        assertTrue(markdown.startsWith("# Every field – ümlaut\n\n_All of it_\n\n**user**\n\nWhich route? 🚀\n\n"
                + "**assistant**\n\nThe northern one.\n\n"), markdown);
        assertTrue(markdown.contains("**tool**\n\n{\"distance\": 42}"), markdown);
    }

    @Test
    void another_users_conversation_and_bad_parameters_are_problems() {
        String alice = newUser("alice");
        String bob = newUser("bob");
        String cid = createConversation(alice, "private");
        as(bob).get("/api/conversations/{id}/export", cid).then().statusCode(404)
                .contentType("application/problem+json");
        as(bob).queryParam("format", "markdown").get("/api/conversations/{id}/export", cid).then().statusCode(404);
        as(alice).queryParam("format", "pdf").get("/api/conversations/{id}/export", cid).then().statusCode(400)
                .contentType("application/problem+json").body("errors.format[0]", containsString("json or markdown"));
        as(alice).queryParam("since", "yesterday").get("/api/export").then().statusCode(400)
                .contentType("application/problem+json").body("errors.since[0]", containsString("ISO-8601"));
        as(alice).get("/api/conversations/not-a-uuid/export").then().statusCode(400);
        String bobsExport = as(bob).get("/api/export").then().statusCode(200).extract().asString();
        assertTrue(bobsExport.endsWith("{\"type\":\"end\",\"conversations\":0,\"messages\":0}\n"), bobsExport);
    }

    @Test
    void the_export_filters_by_archived_and_since() {
        String alice = newUser("alice");
        createConversation(alice, Map.of("title", "active"));
        createConversation(alice, Map.of("title", "archived", "archived", true));
        assertEquals(List.of("archived"), titles(as(alice).queryParam("archived", "true").get("/api/export").asString()));
        assertEquals(List.of("active", "archived"), titles(as(alice).get("/api/export").asString()));
        assertEquals(List.of(), titles(as(alice).queryParam("since", "2999-01-01T00:00:00Z").get("/api/export").asString()));
    }

    private static List<String> titles(String ndjson) {
        List<String> titles = new ArrayList<>();
        for (String line : ndjson.split("\n")) {
            try {
                JsonNode node = JSON.readTree(line);
                if ("conversation".equals(node.get("type").asText())) {
                    titles.add(node.get("title").asText());
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return titles;
    }
}
