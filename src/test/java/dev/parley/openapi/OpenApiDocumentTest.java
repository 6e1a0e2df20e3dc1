package dev.parley.openapi;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The published contract: every operation documented, secured, with its errors, in snake_case. */
@QuarkusTest
public class OpenApiDocumentTest {

    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    JsonPath document() {
        return given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void every_api_operation_has_a_summary_a_tag_the_bearer_scheme_and_error_responses() {
        JsonPath doc = document();
        Map<String, Map<String, Map<String, Object>>> paths = doc.getMap("paths");
        int operations = 0;
        for (var path : paths.entrySet()) {
            if (!path.getKey().startsWith("/api")) {
                continue;
            }
            for (var operation : path.getValue().entrySet()) {
                String where = operation.getKey() + " " + path.getKey();
                Map<String, Object> op = operation.getValue();
                operations++;
                assertTrue(op.get("summary") != null, "summary of " + where);
                assertTrue(op.get("tags") != null, "tags of " + where);
                assertTrue(op.get("security") != null, "security of " + where);
                @SuppressWarnings("unchecked")
                Map<String, Object> responses = (Map<String, Object>) op.get("responses");
                assertTrue(responses.containsKey("401"), "401 of " + where);
                assertTrue(responses.keySet().stream().anyMatch(code -> code.startsWith("2")), "2xx of " + where);
            }
        }
        assertTrue(operations >= 15, "found " + operations + " operations");
        given().queryParam("format", "json").get("/q/openapi").then()
                .body("components.securitySchemes.bearer.scheme", equalTo("bearer"));
    }

    @Test
    void every_operation_has_a_unique_readable_operation_id() {
        Map<String, Map<String, Map<String, Object>>> paths = document().getMap("paths");
        Map<String, String> seen = new HashMap<>();
        for (var path : paths.entrySet()) {
            for (var operation : path.getValue().entrySet()) {
                if (!HTTP_METHODS.contains(operation.getKey())) {
                    continue;
                }
                String where = operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey();
                Object id = operation.getValue().get("operationId");
                assertTrue(id instanceof String s && s.matches("[a-z][A-Za-z0-9]*"),
                        "operationId of " + where + " is a lowerCamelCase word: " + id);
                String earlier = seen.put((String) id, where);
                assertNull(earlier, "operationId " + id + " is used by " + earlier + " and " + where);
            }
        }
        assertTrue(seen.keySet().containsAll(List.of("createConversation", "listConversations", "getConversation",
                "updateConversation", "replaceConversation", "deleteConversation", "deleteAllConversations",
                "deleteConversationsBySelector", "createMessage", "listMessages", "getMessage", "updateMessage",
                "replaceMessage", "deleteMessage", "chat", "chatAsUser", "search")), "operationIds: " + seen.keySet());
    }

    @Test
    void the_document_names_its_servers_and_license() {
        JsonPath doc = document();
        List<String> servers = doc.getList("servers.url");
        assertEquals(List.of("/"), servers, "servers");
        assertEquals("Proprietary", doc.getString("info.license.name"));
        assertNotNull(doc.getString("info.license.url"), "info.license.url");
    }

    @Test
    void every_error_response_is_a_problem_and_the_common_ones_are_everywhere() {
        Map<String, Map<String, Map<String, Object>>> paths = document().getMap("paths");
        for (var path : paths.entrySet()) {
            if (!path.getKey().startsWith("/api")) {
                continue;
            }
            for (var operation : path.getValue().entrySet()) {
                if (!HTTP_METHODS.contains(operation.getKey())) {
                    continue;
                }
                String where = operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey();
                @SuppressWarnings("unchecked")
                Map<String, Map<String, Object>> responses =
                        (Map<String, Map<String, Object>>) operation.getValue().get("responses");
                List<String> expected = new ArrayList<>(List.of("400", "401", "414", "429", "431", "500", "503"));
                if (path.getKey().contains("{")) {
                    expected.add("404");
                }
                if (operation.getValue().get("requestBody") != null) {
                    expected.addAll(List.of("413", "415"));
                }
                assertTrue(responses.keySet().containsAll(expected), where + " documents " + responses.keySet()
                        + ", expected at least " + expected);
                for (var response : responses.entrySet()) {
                    if (response.getKey().startsWith("4") || response.getKey().startsWith("5")) {
                        assertEquals("#/components/schemas/Problem",
                                at(response.getValue(), "content", "application/problem+json", "schema", "$ref"),
                                response.getKey() + " of " + where + " is a problem+json Problem");
                    }
                }
            }
        }
    }

    @Test
    void the_shared_errors_follow_the_path_and_headers_of_each_operation() {
        JsonPath doc = document();
        assertEquals("No such conversation or message for this user",
                doc.getString("paths['/api/conversations/{conversationId}/messages/{messageId}'].get.responses.'404'"
                        + ".description"));
        assertEquals("No such key for this user",
                doc.getString("paths['/api/keys/{id}'].delete.responses.'404'.description"));
        assertEquals("No such conversation or item for this user",
                doc.getString("paths['/v1/conversations/{conversationId}/items/{itemId}'].get.responses.'404'"
                        + ".description"));
        Map<String, Map<String, Map<String, Object>>> paths = doc.getMap("paths");
        int withIfMatch = 0;
        int withIdempotencyKey = 0;
        for (var path : paths.entrySet()) {
            for (var operation : path.getValue().entrySet()) {
                if (!HTTP_METHODS.contains(operation.getKey())) {
                    continue;
                }
                String where = operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey();
                @SuppressWarnings("unchecked")
                Map<String, Map<String, Object>> responses =
                        (Map<String, Map<String, Object>>) operation.getValue().get("responses");
                boolean contract = path.getKey().startsWith("/api/") || path.getKey().startsWith("/v1/");
                if (contract && responses.containsKey("401")) {
                    assertTrue(String.valueOf(responses.get("401").get("description")).startsWith("Missing or invalid"),
                            "401 of " + where + ": " + responses.get("401"));
                }
                if (contract && responses.containsKey("400")) {
                    assertNotEquals("Bad Request", responses.get("400").get("description"), "400 of " + where);
                }
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> parameters =
                        (List<Map<String, Object>>) operation.getValue().get("parameters");
                List<Object> headers = parameters == null ? List.of() : parameters.stream()
                        .filter(p -> "header".equals(p.get("in"))).map(p -> p.get("name")).toList();
                if (headers.contains("If-Match")) {
                    withIfMatch++;
                    assertTrue(responses.containsKey("412"), "412 of " + where);
                }
                if (headers.contains("Idempotency-Key")) {
                    withIdempotencyKey++;
                    assertTrue(responses.keySet().containsAll(List.of("409", "422")), "409 and 422 of " + where);
                }
            }
        }
        assertTrue(withIfMatch >= 6, "operations taking If-Match: " + withIfMatch);
        assertTrue(withIdempotencyKey >= 3, "operations taking an Idempotency-Key: " + withIdempotencyKey);
    }

    private static Object at(Map<String, Object> node, String... keys) {
        Object current = node;
        for (String key : keys) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(key);
        }
        return current;
    }

    @Test
    void schemas_use_the_json_field_names() {
        given().queryParam("format", "json").get("/q/openapi").then()
                .body("components.schemas.ConversationView.properties", hasKey("message_count"))
                .body("components.schemas.ConversationView.properties", hasKey("auto_reply"))
                .body("components.schemas.Problem.properties", hasKey("correlation_id"))
                .body("components.schemas.ChatAnswer.properties", hasKey("response_message_id"));
        given().get("/q/swagger-ui/").then().statusCode(200);
        given().queryParam("format", "json").get("/q/openapi").then().body("info.title", notNullValue());
        List<String> listParameters = document().getList("paths['/api/conversations'].get.parameters.name");
        assertTrue(listParameters.containsAll(List.of("q", "archived", "pinned", "page", "page_size", "cursor", "count")),
                "list parameters: " + listParameters);
    }
}
