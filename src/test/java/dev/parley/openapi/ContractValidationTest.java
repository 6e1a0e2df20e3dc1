package dev.parley.openapi;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.newUser;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.support.ContractValidation;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

/** The suite-wide response validation is installed and fails on what the document does not say. */
@QuarkusTest
public class ContractValidationTest {

    @Test
    void every_test_runs_with_the_validation_filter() {
        assertTrue(RestAssured.filters().stream().anyMatch(ContractValidation.class::isInstance),
                "RestAssured filters: " + RestAssured.filters());
    }

    @Test
    void a_status_the_document_does_not_list_fails_the_test_with_a_hint() {
        // 406 is answered (as a problem) but documented for no operation.
        AssertionError error = assertThrows(AssertionError.class,
                () -> as(newUser("contract")).accept("application/xml").get("/api/conversations"));
        assertTrue(error.getMessage().contains("GET /api/conversations -> 406"), error.getMessage());
        assertTrue(error.getMessage().contains("validation.response.status.unknown"), error.getMessage());
        assertTrue(error.getMessage().contains("@APIResponse(responseCode = \"406\""), error.getMessage());
    }

    @Test
    void an_operation_missing_from_the_document_fails_the_test() {
        // JAX-RS answers HEAD for every GET, but the document has no HEAD operation.
        AssertionError error = assertThrows(AssertionError.class,
                () -> as(newUser("contract")).head("/api/conversations"));
        assertTrue(error.getMessage().contains("HEAD /api/conversations -> 200"), error.getMessage());
        assertTrue(error.getMessage().contains("not in the OpenAPI document"), error.getMessage());
    }
}
