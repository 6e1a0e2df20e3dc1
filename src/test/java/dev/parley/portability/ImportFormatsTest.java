package dev.parley.portability;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each import format from its fixture in src/test/resources/import/. */
@QuarkusTest
public class ImportFormatsTest {

    static byte[] fixture(String name) {
        try (InputStream in = ImportFormatsTest.class.getResourceAsStream("/import/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonPath importFile(String user, String format, byte[] file) {
        return as(user).body(file).queryParam("format", format).post("/api/import")
                .then().statusCode(200).extract().jsonPath();
    }

    /** The conversation's messages, oldest first, as the API lists them. */
    static List<Map<String, Object>> messages(String user, String conversationId) {
        return as(user).queryParam("page_size", 100).get("/api/conversations/{id}/messages", conversationId)
                .then().statusCode(200).extract().jsonPath().getList("results");
    }

    static String idOf(List<Map<String, Object>> messages, String content) {
        return (String) messages.stream().filter(m -> m.get("content").equals(content)).findFirst().orElseThrow()
                .get("id");
    }

    @Test
    void should_import_chatgpt_tree_with_the_current_branch_as_main_line() {
        String alice = newUser("alice");
        JsonPath result = importFile(alice, "chatgpt", fixture("chatgpt-conversations.json"));

        assertEquals(2, result.getInt("conversations_imported"));
        assertEquals(8, result.getInt("messages_imported"));
        assertEquals("conv-branchy", result.getString("conversations[0].source_id"));
        assertEquals(6, result.getInt("conversations[0].messages"));
        assertEquals("imported", result.getString("conversations[0].status"));
        assertTrue(result.getString("problems.detail").contains("non-text part"), result.prettify());

        String cid = result.getString("conversations[0].conversation_id");
        Map<String, Object> conversation = as(alice).get("/api/conversations/{id}", cid).then().statusCode(200)
                .extract().jsonPath().getMap("");
        assertEquals("Café planning ☕", conversation.get("title"));
        assertEquals("2023-11-14T22:13:20.123456Z", conversation.get("created_at"));
        assertEquals(6, conversation.get("message_count"));
        @SuppressWarnings("unchecked")
        Map<String, String> metadata = (Map<String, String>) conversation.get("metadata");
        assertEquals("chatgpt", metadata.get("imported_from"));
        assertEquals("conv-branchy", metadata.get("imported_id"));

        List<Map<String, Object>> messages = messages(alice, cid);
        assertEquals(List.of("Où boire un café à Lisbonne ?", "Essayez A Brasileira, rue Garrett.", "Et à Porto ?",
                "Le Majestic Café, rue Santa Catarina.", "Und in Berlin? 🇩🇪",
                "Versuchen Sie das Café Einstein – Kurfürstenstraße."),
                messages.stream().map(m -> m.get("content")).toList());
        assertEquals(List.of("user", "assistant", "user", "assistant", "user", "assistant"),
                messages.stream().map(m -> m.get("role")).toList());
        // The hidden system node and the empty root are skipped: the first message has no parent.
        assertNull(messages.get(0).get("parent_id"));
        String a1 = idOf(messages, "Essayez A Brasileira, rue Garrett.");
        assertEquals(idOf(messages, "Où boire un café à Lisbonne ?"), messages.get(1).get("parent_id"));
        assertEquals(a1, messages.get(2).get("parent_id"));
        assertEquals(a1, messages.get(4).get("parent_id"));
        assertEquals(idOf(messages, "Und in Berlin? 🇩🇪"), messages.get(5).get("parent_id"));
        assertEquals("gpt-4o", messages.get(1).get("model"));
        assertEquals("2023-11-14T22:13:30.250Z", messages.get(0).get("created_at"));
        // current_node is on the Berlin branch: Porto is the alternate.
        assertEquals(idOf(messages, "Versuchen Sie das Café Einstein – Kurfürstenstraße."),
                metadata.get("current_message_id"));
        assertEquals(List.of(false, false, true, true, false, false),
                messages.stream().map(m -> Boolean.TRUE.equals(((Map<?, ?>) m.get("metadata")).get("alternate")))
                        .toList());
        assertEquals("u2b", ((Map<?, ?>) messages.get(4).get("metadata")).get("imported_id"));

        List<Map<String, Object>> picture = messages(alice, result.getString("conversations[1].conversation_id"));
        assertEquals("What is in this picture?", picture.get(0).get("content"));
    }

    @Test
    void reimporting_the_same_file_does_not_duplicate() {
        String alice = newUser("alice");
        JsonPath first = importFile(alice, "chatgpt", fixture("chatgpt-conversations.json"));
        JsonPath again = importFile(alice, "chatgpt", fixture("chatgpt-conversations.json"));

        assertEquals(0, again.getInt("conversations_imported"));
        assertEquals(0, again.getInt("messages_imported"));
        assertEquals(2, again.getInt("conversations_already_imported"));
        assertEquals(List.of("already_imported", "already_imported"), again.getList("conversations.status"));
        assertEquals(first.getList("conversations.conversation_id"), again.getList("conversations.conversation_id"));
        assertEquals(2, as(alice).get("/api/conversations").then().extract().jsonPath().getList("results").size());
    }

    @Test
    void messages_without_times_keep_the_order_of_the_file() {
        String alice = newUser("alice");
        StringBuilder file = new StringBuilder("{\"type\":\"conversation\",\"id\":\"c\",\"title\":\"untimed\"}\n");
        List<String> contents = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            contents.add("message " + i);
            file.append("{\"type\":\"message\",\"id\":\"m").append(i).append("\",\"conversation_id\":\"c\",")
                    .append("\"role\":\"").append(i % 2 == 0 ? "user" : "assistant").append("\",")
                    .append("\"content\":\"message ").append(i).append("\"}\n");
        }
        file.append("{\"type\":\"end\"}\n");

        JsonPath result = importFile(alice, "parley", file.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));

        assertEquals(12, result.getInt("messages_imported"), result.prettify());
        List<Map<String, Object>> listed = messages(alice, result.getString("conversations[0].conversation_id"));
        assertEquals(contents, listed.stream().map(m -> m.get("content")).toList());
    }

    @Test
    void should_import_openwebui_history_with_current_id_as_main_line() {
        String alice = newUser("alice");
        JsonPath result = importFile(alice, "openwebui", fixture("openwebui-export.json"));

        assertEquals(1, result.getInt("conversations_imported"));
        assertEquals(3, result.getInt("messages_imported"), "the empty message is skipped");
        String cid = result.getString("conversations[0].conversation_id");
        JsonPath conversation = as(alice).get("/api/conversations/{id}", cid).then().extract().jsonPath();
        assertEquals("Grüße aus Köln", conversation.getString("title"));
        assertTrue(conversation.getBoolean("pinned"));
        assertEquals("2023-11-14T22:46:40Z", conversation.getString("created_at"));

        List<Map<String, Object>> messages = messages(alice, cid);
        assertEquals(List.of("Hallo! Wie geht's?", "Gut, danke.", "Sehr gut – und dir?"),
                messages.stream().map(m -> m.get("content")).toList());
        assertEquals(List.of("user", "assistant", "assistant"), messages.stream().map(m -> m.get("role")).toList());
        String m1 = (String) messages.get(0).get("id");
        assertEquals(m1, messages.get(1).get("parent_id"));
        assertEquals(m1, messages.get(2).get("parent_id"));
        assertEquals("llama3.1:latest", messages.get(2).get("model"));
        assertEquals(true, ((Map<?, ?>) messages.get(1).get("metadata")).get("alternate"));
        assertFalse(((Map<?, ?>) messages.get(2).get("metadata")).containsKey("alternate"));
        assertEquals(messages.get(2).get("id"), conversation.getString("metadata.current_message_id"));
    }

    @Test
    void should_import_librechat_tree_with_the_latest_leaf_as_main_line() {
        String alice = newUser("alice");
        JsonPath result = importFile(alice, "librechat", fixture("librechat-export.json"));

        assertEquals(1, result.getInt("conversations_imported"));
        assertEquals(4, result.getInt("messages_imported"));
        String cid = result.getString("conversations[0].conversation_id");
        assertEquals("東京の天気", result.getString("conversations[0].title"));

        List<Map<String, Object>> messages = messages(alice, cid);
        assertEquals(List.of("東京の天気はどうですか？", "晴れです。", "今日は晴れ、最高気温は22度です。", "ありがとう！"),
                messages.stream().map(m -> m.get("content")).toList());
        assertEquals(List.of("user", "assistant", "assistant", "user"),
                messages.stream().map(m -> m.get("role")).toList());
        Map<String, String> parentOf = new HashMap<>();
        messages.forEach(m -> parentOf.put((String) m.get("content"), (String) m.get("parent_id")));
        String first = (String) messages.get(0).get("id");
        assertNull(parentOf.get("東京の天気はどうですか？"));
        assertEquals(first, parentOf.get("晴れです。"));
        assertEquals(first, parentOf.get("今日は晴れ、最高気温は22度です。"));
        assertEquals(messages.get(2).get("id"), parentOf.get("ありがとう！"));
        assertEquals("gpt-4o-mini", messages.get(2).get("model"));
        assertEquals("openAI", messages.get(2).get("endpoint"));
        assertEquals("2024-04-09T14:33:10.500Z", messages.get(2).get("created_at"));
        assertEquals(true, ((Map<?, ?>) messages.get(1).get("metadata")).get("alternate"));
        assertEquals("GPT-4o mini", ((Map<?, ?>) messages.get(2).get("metadata")).get("sender"));
    }

    @Test
    void imported_messages_never_get_replies() {
        String alice = newUser("alice");
        JsonPath result = importFile(alice, "librechat", fixture("librechat-export.json"));
        String cid = result.getString("conversations[0].conversation_id");
        // The last imported message is a user message in a conversation with auto_reply on.
        assertEquals(4, messages(alice, cid).size());
        assertEquals(4, as(alice).get("/api/conversations/{id}", cid).then().extract().jsonPath().getInt("message_count"));
    }

    @Test
    void a_malformed_file_is_a_400_problem_and_keeps_what_came_before_the_break() {
        String alice = newUser("alice");
        Response response = as(alice).body(fixture("chatgpt-malformed.json")).queryParam("format", "chatgpt")
                .post("/api/import");
        response.then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("not valid JSON at line"))
                .body("detail", containsString("1 conversation(s) before that point were imported"))
                .body("errors.file[0]", containsString("not valid JSON"));
        List<Map<String, Object>> conversations = as(alice).get("/api/conversations").then().extract().jsonPath()
                .getList("results");
        assertEquals(List.of("Complete before the break"), conversations.stream().map(c -> c.get("title")).toList());

        as(alice).body("this is not JSON").queryParam("format", "openwebui").post("/api/import")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("Nothing was imported"));
        as(alice).body("[]").queryParam("format", "wordperfect").post("/api/import")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors.format[0]", containsString("parley, chatgpt, openwebui, librechat"));
        as(alice).body("\"just a string\"").queryParam("format", "chatgpt").post("/api/import")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("is not a chatgpt file"));
    }

    @Test
    void the_import_takes_files_over_the_normal_body_limit_but_not_over_its_own() {
        String alice = newUser("alice");
        // 1.5 MB: over the 1M limit of every other route, under the import's (2M in tests).
        StringBuilder big = new StringBuilder("""
                [{"id": "big", "title": "big", "chat": {"history": {"currentId": "m1499", "messages": {""");
        String text = "x".repeat(1000);
        for (int i = 0; i < 1500; i++) {
            big.append(i == 0 ? "" : ",").append("""
                    "m%d": {"id": "m%d", "parentId": %s, "role": "%s", "content": "%s", "timestamp": %d}"""
                    .formatted(i, i, i == 0 ? "null" : "\"m" + (i - 1) + "\"", i % 2 == 0 ? "user" : "assistant", text,
                            1700000000 + i));
        }
        big.append("}}}}]");
        assertTrue(big.length() > 1_048_576 && big.length() < 2 * 1_048_576);
        as(alice).body(big.toString()).queryParam("format", "openwebui").post("/api/import")
                .then().statusCode(200).body("conversations_imported", is(1)).body("messages_imported", is(1500));

        String tooBig = "[" + "\"x\",".repeat(600_000) + "\"x\"]";
        as(alice).body(tooBig).queryParam("format", "openwebui").post("/api/import")
                .then().statusCode(413).contentType("application/problem+json").body("status", is(413));
        as(alice).body("{\"title\": \"" + "x".repeat(1_100_000) + "\"}").post("/api/conversations")
                .then().statusCode(413).contentType("application/problem+json");
    }

    @Test
    void chunked_bodies_are_held_to_each_routes_own_limit() throws Exception {
        String alice = newUser("alice");
        double imports = refused("/api/import");
        double creates = refused("/api/conversations");
        // No Content-Length: the size is only known while the body is read. The server answers 413
        // and closes; the client, still sending, may see only the closed connection (-1).
        assertTrue(List.of(413, -1).contains(chunkedPost(alice, "/api/import?format=openwebui", 3 * 1024 * 1024)));
        assertTrue(List.of(413, -1).contains(chunkedPost(alice, "/api/conversations", 1_500_000)));
        assertEquals(imports + 1, refused("/api/import"));
        assertEquals(creates + 1, refused("/api/conversations"));
        assertEquals(0, as(alice).get("/api/conversations").then().extract().jsonPath().getList("results").size());
        assertEquals(0, serverErrors(), "a body over the limit is the client's error, never a 5xx");
    }

    private static double serverErrors() {
        String metrics = io.restassured.RestAssured.given().accept("text/plain").get("/q/metrics").asString();
        double total = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("http_server_requests_seconds_count{") && line.contains("outcome=\"SERVER_ERROR\"")
                    && (line.contains("uri=\"/api/import\"") || line.contains("uri=\"/api/conversations\""))) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    /** How many requests to the route were answered 413, from the server's own metrics. */
    private static double refused(String uri) {
        String metrics = io.restassured.RestAssured.given().accept("text/plain").get("/q/metrics").asString();
        double total = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("http_server_requests_seconds_count{") && line.contains("uri=\"" + uri + "\"")
                    && line.contains("status=\"413\"")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    private int chunkedPost(String user, String path, int size) throws Exception {
        byte[] body = ("{\"title\": \"" + "x".repeat(size) + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(baseUri.resolve(path))
                .header("Authorization", dev.parley.support.Tokens.bearer(user))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
                .build();
        try {
            return java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URI baseUri;

    @Test
    void a_second_user_sees_nothing_of_the_first_users_import() {
        String alice = newUser("alice");
        String bob = newUser("bob");
        JsonPath result = importFile(alice, "chatgpt", fixture("chatgpt-conversations.json"));
        String cid = result.getString("conversations[0].conversation_id");

        as(bob).get("/api/conversations/{id}", cid).then().statusCode(404);
        as(bob).get("/api/conversations/{id}/export", cid).then().statusCode(404)
                .contentType("application/problem+json");
        assertEquals(0, as(bob).get("/api/conversations").then().extract().jsonPath().getList("results").size());
        // Bob importing the same file gets his own copies, not "already imported".
        JsonPath bobs = importFile(bob, "chatgpt", fixture("chatgpt-conversations.json"));
        assertEquals(2, bobs.getInt("conversations_imported"));
        assertFalse(bobs.getList("conversations.conversation_id").contains(cid));
    }
}
