package dev.parley.error;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.newUser;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import dev.parley.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Errors raised by the framework itself leave in the same problem+json shape as ours. */
@QuarkusTest
public class ErrorShapeTest {

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    @Test
    void unknown_paths_get_404_problem_not_html() {
        as(newUser("alice")).get("/api/nothing-here").then().statusCode(404)
                .contentType("application/problem+json")
                .body("status", is(404))
                .body("title", equalTo("Not Found"))
                .body("instance", equalTo("/api/nothing-here"))
                .body("timestamp", matchesPattern("\\d{4}-\\d\\d-\\d\\dT.*Z"))
                .body("type", equalTo("about:blank"));
        given().get("/no/such/page").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void wrong_methods_get_405_problem() {
        as(newUser("alice")).patch("/api/conversations").then().statusCode(405)
                .contentType("application/problem+json")
                .body("status", is(405));
    }

    @Test
    void wrong_media_types_get_415_problem() {
        given().header("Authorization", Tokens.bearer(newUser("alice"))).contentType("text/plain").body("hello")
                .post("/api/conversations").then().statusCode(415)
                .contentType("application/problem+json")
                .body("status", is(415));
    }

    @Test
    void oversized_bodies_get_413_problem() {
        String big = "{\"title\": \"" + "x".repeat(1_100_000) + "\"}";
        as(newUser("alice")).body(big).post("/api/conversations").then().statusCode(413)
                .contentType("application/problem+json")
                .body("status", is(413));
    }

    @Test
    void a_request_line_over_the_limit_is_a_414_problem() {
        String alice = newUser("alice");
        // 4 096 characters of path and query string is the limit: one more is refused, with a body.
        // (An unknown parameter: q has a length limit of its own.)
        String query = "pad=" + "x".repeat(4096 - "/api/conversations?pad=".length());
        as(alice).get("/api/conversations?" + query).then().statusCode(200);
        as(alice).header("X-Request-Id", "long-line").get("/api/conversations?" + query + "x").then().statusCode(414)
                .contentType("application/problem+json")
                .header("X-Request-Id", "long-line")
                .body("status", is(414))
                .body("title", equalTo("Request-URI Too Long"))
                .body("detail", equalTo("The request line is too long; the path and query string may have at most "
                        + "4096 characters"))
                .body("instance", equalTo("/api/conversations"));
        // A long path is not echoed whole.
        as(alice).get("/api/conversations/" + "a".repeat(20_000)).then().statusCode(414)
                .contentType("application/problem+json")
                .body("instance.length()", is(257));
    }

    @Test
    void headers_over_the_limit_are_a_431_problem() {
        String alice = newUser("alice");
        as(alice).header("X-Padding", "p".repeat(12_000)).get("/api/conversations").then().statusCode(200);
        as(alice).header("X-Padding", "p".repeat(10_000)).header("X-More", "m".repeat(7_000))
                .get("/api/conversations").then().statusCode(431)
                .contentType("application/problem+json")
                .body("status", is(431))
                .body("title", equalTo("Request Header Fields Too Large"))
                .body("detail", equalTo("The request headers are too large; together they may have at most "
                        + "16384 characters"));
    }

    @Test
    void request_ids_are_echoed_and_generated() {
        given().header("X-Request-Id", "abc-123").get("/api/conversations").then()
                .header("X-Request-Id", "abc-123");
        given().get("/api/conversations").then().header("X-Request-Id", notNullValue());
        given().header("X-Request-Id", "bad id with spaces").get("/api/conversations").then()
                .header("X-Request-Id", matchesPattern("[0-9a-f-]{36}"));
    }

    @Test
    void client_errors_carry_no_correlation_id_or_internals() {
        as(newUser("alice")).get("/api/conversations/{id}", "zzz").then().statusCode(400)
                .body("correlation_id", nullValue())
                .body("errors.id[0]", equalTo("must be a UUID"));
    }
}
