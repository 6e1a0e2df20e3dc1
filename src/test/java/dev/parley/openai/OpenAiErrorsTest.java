package dev.parley.openai;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.newUser;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.aMapWithSize;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.parley.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every error under /v1 is OpenAI's envelope, framework errors included; /api keeps problem+json. */
@QuarkusTest
public class OpenAiErrorsTest {

    @Test
    void should_answer_401_in_the_envelope_for_a_missing_or_bad_credential() {
        for (String authorization : List.of("", "Bearer " + Tokens.expired("alice"), "Bearer pk_live_nope")) {
            var request = given().contentType(ContentType.JSON);
            if (!authorization.isEmpty()) {
                request.header("Authorization", authorization);
            }
            request.get("/v1/conversations").then().statusCode(401).contentType("application/json")
                    .header("WWW-Authenticate", "Bearer")
                    .body("$", aMapWithSize(1))
                    .body("error", aMapWithSize(4))
                    .body("error.type", equalTo("authentication_error"))
                    .body("error.code", equalTo("invalid_api_key"))
                    .body("error.param", nullValue())
                    .body("error.message", equalTo("A valid bearer token is required"));
        }
        given().get("/api/conversations").then().statusCode(401).contentType("application/problem+json")
                .body("status", equalTo(401));
    }

    @Test
    void should_answer_malformed_json_and_wrong_types_in_the_envelope() {
        String alice = newUser("alice");
        as(alice).body("{\"input\": ").post("/v1/responses").then().statusCode(400).contentType("application/json")
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.message", containsString("not valid JSON"));
        as(alice).body("{\"metadata\": \"text\"}").post("/v1/conversations").then().statusCode(400)
                .body("error.param", equalTo("metadata"))
                .body("error.code", equalTo("invalid_value"));
        as(alice).body(Map.of("metadata", Map.of("k", "x".repeat(513)))).post("/v1/conversations").then()
                .statusCode(400).body("error.param", equalTo("metadata"));
    }

    @Test
    void should_answer_unknown_paths_and_methods_in_the_envelope() {
        String alice = newUser("alice");
        as(alice).get("/v1/assistants").then().statusCode(404).contentType("application/json")
                .body("error.type", equalTo("not_found_error"))
                .body("error.message", equalTo("No resource at /v1/assistants"));
        as(alice).put("/v1/conversations").then().statusCode(405).contentType("application/json")
                .body("error.type", equalTo("invalid_request_error"));
        as(alice).get("/api/nothing-here").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void should_answer_a_key_without_the_scope_with_403_in_the_envelope() {
        String alice = newUser("alice");
        String key = as(alice).body(Map.of("name", "reader", "scopes", List.of("read"))).post("/api/keys").then()
                .statusCode(201).extract().path("key");
        given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .body(Map.of("input", "hello")).post("/v1/responses").then().statusCode(403)
                .contentType("application/json")
                .body("error.type", equalTo("permission_error"))
                .body("error.message", containsString("chat"));
        given().header("Authorization", "Bearer " + key).get("/v1/conversations").then().statusCode(200);
    }

    @Test
    void should_answer_a_body_over_the_limit_in_the_envelope() {
        as(newUser("alice")).body("{\"input\": \"" + "x".repeat(1_100_000) + "\"}").post("/v1/responses").then()
                .statusCode(413).contentType("application/json")
                .body("error.message", containsString("too large"));
    }

    @Test
    void should_refuse_hostile_values_in_tree_read_fields_with_400_never_5xx() {
        String alice = newUser("alice");
        String conv = as(alice).post("/v1/conversations").then().statusCode(200).extract().path("id");
        List<Map<String, Object>> responses = List.of(
                Map.of("input", "a\u0000b"),
                Map.of("input", List.of(Map.of("role", "user", "content", "a\u0000b"))),
                Map.of("input", List.of(Map.of("role", "user", "content", List.of(Map.of("type", "input_text",
                        "text", "\u0000"))))),
                Map.of("input", 42),
                Map.of("input", List.of("just a string")),
                Map.of("input", List.of(Map.of("role", 7, "content", "x"))),
                Map.of("input", "hi", "conversation", 12),
                Map.of("input", "hi", "conversation", Map.of("id", List.of())),
                Map.of("input", "x".repeat(40_000)));
        for (Map<String, Object> body : responses) {
            as(alice).body(body).post("/v1/responses").then().statusCode(400).contentType("application/json")
                    .body("error.type", equalTo("invalid_request_error"));
        }
        List<Map<String, Object>> items = List.of(
                Map.of("items", List.of(Map.of("type", "function_call_output", "call_id", "c\u0000",
                        "output", "x"))),
                Map.of("items", List.of(Map.of("type", "function_call", "call_id", "c", "name", "n\u0000"))),
                Map.of("items", List.of(Map.of("type", "function_call", "call_id", 1, "name", "n"))),
                Map.of("items", "not a list"),
                Map.of("items", List.of(Map.of("type", "\u0000"))));
        for (Map<String, Object> body : items) {
            as(alice).body(body).post("/v1/conversations/{id}/items", conv).then().statusCode(400)
                    .contentType("application/json").body("error.type", equalTo("invalid_request_error"));
        }
        as(alice).get("/v1/conversations/{id}/items", conv).then().statusCode(200)
                .body("data", org.hamcrest.Matchers.empty());
    }
}
