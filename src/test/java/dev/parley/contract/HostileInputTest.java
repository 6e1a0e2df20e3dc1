package dev.parley.contract;

import static dev.parley.support.Api.addMessage;
import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.ValidatableResponse;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every kind of hostile input the contract names, each with the exact status, the problem+json
 * shape and the errors key it must produce: NUL in each query parameter and each kind of JSON key,
 * oversized and deeply nested free-form JSON, a chunked body over the limit, a page past the bound.
 */
@QuarkusTest
public class HostileInputTest {

    private static final String NUL = "\u0000";
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    private static ValidatableResponse problem(io.restassured.response.Response response, int status) {
        return response.then().statusCode(status).contentType("application/problem+json")
                .body("status", is(status)).body("type", equalTo("about:blank")).body("title", notNullValue())
                .body("detail", notNullValue()).body("instance", notNullValue()).body("timestamp", notNullValue());
    }

    @Test
    void nul_in_every_query_parameter_is_a_400_naming_it() {
        String alice = newUser("alice");
        String cid = createConversation(alice, Map.of("title", "nul", "auto_reply", false));
        addMessage(alice, cid, "user", "hello");
        Map<String, List<String>> byPath = new LinkedHashMap<>();
        byPath.put("/api/conversations", List.of("q", "archived", "pinned", "page", "page_size", "cursor", "count"));
        byPath.put("/api/conversations/" + cid + "/messages",
                List.of("q", "role", "order", "page", "page_size", "cursor", "count"));
        byPath.put("/api/search", List.of("q", "page", "page_size", "cursor", "count"));
        byPath.forEach((path, params) -> {
            for (String param : params) {
                var request = as(alice).urlEncodingEnabled(true).queryParam(param, "a" + NUL + "b");
                if (path.equals("/api/search") && !param.equals("q")) {
                    request.queryParam("q", "hello");
                }
                problem(request.get(path), 400).body("errors." + param, notNullValue());
            }
        });
        for (String selector : List.of("thread_id", "endpoint")) {
            problem(as(alice).queryParam(selector, "a" + NUL + "b").delete("/api/conversations"), 400)
                    .body("errors." + selector + "[0]", equalTo("must not contain NUL characters"));
        }
        as(alice).get("/api/conversations/{id}", cid).then().statusCode(200).body("message_count", is(1));
    }

    @Test
    void nul_in_every_kind_of_json_string_and_key_is_a_400_naming_the_field() {
        String alice = newUser("alice");
        String cid = createConversation(alice, Map.of("title", "nul json", "auto_reply", false));
        String mid = addMessage(alice, cid, "user", "hello");
        String messages = "/api/conversations/" + cid + "/messages";
        record Case(String method, String path, String body, String field, String message) {
        }
        List<Case> cases = List.of(
                new Case("POST", "/api/conversations", "{\"title\": \"a\\u0000b\"}", "title",
                        "must not contain NUL characters"),
                new Case("POST", "/api/conversations", "{\"metadata\": {\"k\\u0000\": \"v\"}}", "metadata",
                        "keys must not contain NUL characters"),
                new Case("POST", "/api/conversations", "{\"metadata\": {\"k\": \"v\\u0000\"}}", "metadata.k",
                        "must not contain NUL characters"),
                new Case("PATCH", "/api/conversations/" + cid, "{\"metadata\": {\"k\\u0000\": \"v\"}}", "metadata",
                        "keys must not contain NUL characters"),
                new Case("POST", messages, "{\"role\": \"user\", \"content\": \"a\\u0000\"}", "content",
                        "must not contain NUL characters"),
                new Case("POST", messages, "{\"role\": \"user\", \"content\": \"x\", \"metadata\": {\"\\u0000\": 1}}",
                        "metadata", "keys must not contain NUL characters"),
                new Case("POST", messages, "{\"role\": \"user\", \"content\": \"x\", \"tool_calls\": "
                        + "[{\"function\": {\"arguments\": {\"k\\u0000\": 1}}}]}", "tool_calls",
                        "keys must not contain NUL characters"),
                new Case("POST", messages, "{\"role\": \"user\", \"content\": \"x\", \"tool_calls\": "
                        + "[{\"k\\u0000\": 1}]}", "tool_calls", "keys must not contain NUL characters"),
                new Case("PUT", messages + "/" + mid, "{\"role\": \"user\", \"content\": \"x\", \"tool_calls\": "
                        + "[{\"a\": [[\"deep\\u0000\"]]}]}", "tool_calls[0].a", "must not contain NUL characters"),
                new Case("PATCH", messages + "/" + mid, "{\"tool_calls\": [{\"a\": {\"\\u0000\": true}}]}",
                        "tool_calls", "keys must not contain NUL characters"),
                new Case("PATCH", messages + "/" + mid, "{\"thread_id\": \"t\\u0000\"}", "thread_id",
                        "must not contain NUL characters"),
                new Case("POST", "/api/chat", "{\"message\": \"hi\\u0000\"}", "message",
                        "must not contain NUL characters"),
                new Case("POST", messages, "{\"role\": \"user\", \"content\": \"x\", \"metadata\": {\"n\": 1e999}}",
                        "metadata", "numbers must be finite"));
        for (Case c : cases) {
            problem(as(alice).body(c.body()).request(c.method(), c.path()), 400)
                    .body("errors.'" + c.field() + "'", hasItem(c.message()));
        }
        as(alice).get(messages + "/" + mid).then().statusCode(200).body("content", equalTo("hello"));
        as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(1)).body("metadata.size()", is(0));
    }

    @Test
    void free_form_json_is_bounded_by_size_and_depth() throws Exception {
        String alice = newUser("alice");
        String cid = createConversation(alice, Map.of("title", "bounds", "auto_reply", false));
        String messages = "/api/conversations/" + cid + "/messages";

        String big = "x".repeat(1000);
        StringBuilder calls = new StringBuilder("[");
        for (int i = 0; i < 40; i++) {
            calls.append(i == 0 ? "" : ",").append("{\"arguments\": \"").append(big).append("\"}");
        }
        calls.append("]");
        problem(as(alice).body("{\"role\": \"tool\", \"content\": \"x\", \"tool_calls\": " + calls + "}").post(messages),
                400).body("errors.tool_calls", hasItem("must be at most 32768 bytes as JSON"));

        // Level 1 is the array, then 7 more: allowed. One more: refused.
        String deepOk = "[" + "{\"a\":".repeat(7) + "1" + "}".repeat(7) + "]";
        String tooDeep = "[" + "{\"a\":".repeat(8) + "1" + "}".repeat(8) + "]";
        as(alice).body("{\"role\": \"tool\", \"content\": \"x\", \"tool_calls\": " + deepOk + "}").post(messages)
                .then().statusCode(201);
        problem(as(alice).body("{\"role\": \"tool\", \"content\": \"x\", \"tool_calls\": " + tooDeep + "}").post(messages),
                400).body("errors.tool_calls", hasItem("must be nested at most 8 levels deep"));
        // Deeper than the JSON reader's own bound (64): a plain 400, not a stack overflow.
        String abyss = "[" + "[".repeat(5000) + "]".repeat(5000) + "]";
        problem(as(alice).body("{\"role\": \"tool\", \"content\": \"x\", \"tool_calls\": " + abyss + "}").post(messages),
                400);

        Map<String, Object> metadata = new LinkedHashMap<>();
        for (int i = 0; i < 16; i++) {
            metadata.put(("n" + i + "-").repeat(20).substring(0, 60), new java.math.BigInteger("9".repeat(999)));
        }
        problem(as(alice).body(Map.of("role", "user", "content", "x", "metadata", metadata)).post(messages), 400)
                .body("errors.metadata", hasItem("must be at most 16384 bytes as JSON"));
        as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(1));
    }

    @Test
    void a_page_past_the_offset_bound_is_a_400_that_points_to_the_cursor() {
        String alice = newUser("alice");
        String cid = createConversation(alice, "deep");
        // page_size 20: page 501 skips 10 000 rows (allowed), page 502 skips 10 020.
        as(alice).queryParam("page", 501).get("/api/conversations").then().statusCode(200);
        for (String path : List.of("/api/conversations", "/api/conversations/" + cid + "/messages", "/api/search?q=x")) {
            problem(as(alice).queryParam("page", 502).get(path), 400)
                    .body("errors.page[0]", equalTo(
                            "must be at most 501 with page_size 20; to go further, follow next_cursor (the cursor parameter)"));
        }
        problem(as(alice).queryParam("page", 102).queryParam("page_size", 100).get("/api/conversations"), 400)
                .body("errors.page[0]", containsString("must be at most 101 with page_size 100"));
    }

    @Test
    void a_chunked_body_over_the_limit_is_the_same_413_problem() throws Exception {
        byte[] body = ("{\"title\": \"" + "x".repeat(1024 * 1024 + 10) + "\"}").getBytes();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        for (boolean chunked : List.of(true, false)) {
            HttpRequest.BodyPublisher publisher = chunked
                    ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
                    : HttpRequest.BodyPublishers.ofByteArray(body);
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + RestAssured.port + "/api/conversations"))
                    .header("Authorization", Tokens.bearer(newUser("alice")))
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(60))
                    .POST(publisher).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(413, response.statusCode(), "chunked=" + chunked);
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""),
                    "chunked=" + chunked);
            JsonNode problem = JSON.readTree(response.body());
            assertEquals(413, problem.get("status").asInt());
            assertEquals("Request Entity Too Large", problem.get("title").asText());
            assertTrue(problem.get("detail").asText().startsWith("The request body is too large"), response.body());
            assertEquals("/api/conversations", problem.get("instance").asText());
        }
    }
}
