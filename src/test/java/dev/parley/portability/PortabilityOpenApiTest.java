package dev.parley.portability;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The export, import and erasure endpoints as the OpenAPI document describes them. */
@QuarkusTest
public class PortabilityOpenApiTest {

    @Test
    void should_name_and_describe_every_portability_operation() {
        given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .body("paths.'/api/conversations/{id}/export'.get.operationId", equalTo("exportConversation"))
                .body("paths.'/api/conversations/{id}/export'.get.responses", hasKey("404"))
                .body("paths.'/api/export'.get.operationId", equalTo("exportAll"))
                .body("paths.'/api/export'.get.responses.'200'.content", hasKey("application/x-ndjson"))
                .body("paths.'/api/import'.post.operationId", equalTo("importConversations"))
                .body("paths.'/api/import'.post.responses", hasKey("413"))
                .body("paths.'/api/me'.delete.operationId", equalTo("eraseMe"))
                .body("paths.'/api/me'.delete.parameters.name", hasItem("confirm"))
                .body("components.schemas.ImportResult.properties", hasKey("conversations_already_imported"))
                .body("components.schemas.ConversationInput.properties", hasKey("expires_at"))
                .body("components.schemas.ConversationView.properties", hasKey("expires_at"));
    }
}
