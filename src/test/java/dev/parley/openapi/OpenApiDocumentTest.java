package dev.parley.openapi;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The published contract: every operation documented, secured, with its errors, in snake_case. */
@QuarkusTest
public class OpenApiDocumentTest {

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
