package dev.parley.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

import dev.parley.support.Api;
import dev.parley.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
public class AuthenticationTest {

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    @Test
    void unauthenticated_requests_get_401_problem() {
        given().get("/api/conversations").then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", containsString("Bearer"))
                .body("status", is(401))
                .body("title", equalTo("Unauthorized"))
                .body("detail", equalTo("A valid bearer token is required"))
                .body("instance", equalTo("/api/conversations"));
        given().contentType("application/json").body(Map.of("title", "x")).post("/api/conversations")
                .then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void expired_tokens_get_401() {
        assertRejected("Bearer " + Tokens.expired("alice"));
    }

    @Test
    void tokens_signed_by_another_key_get_401() {
        assertRejected("Bearer " + Tokens.signedByAnotherKey("alice"));
    }

    @Test
    void tampered_tokens_get_401() {
        assertRejected("Bearer " + Tokens.tampered("alice", "bob"));
    }

    @Test
    void tokens_of_another_issuer_get_401() {
        assertRejected("Bearer " + Tokens.wrongIssuer("alice"));
    }

    @Test
    void unsigned_alg_none_tokens_get_401() {
        assertRejected("Bearer " + Tokens.algNone("alice"));
    }

    @Test
    void tokens_without_subject_get_401() {
        assertRejected("Bearer " + Tokens.withoutSubject());
    }

    @Test
    void garbage_and_other_schemes_get_401() {
        assertRejected("Bearer not.a.jwt");
        assertRejected("Basic YWxpY2U6c2VjcmV0");
        assertRejected("Bearer ");
    }

    @Test
    void a_valid_token_is_accepted_and_its_subject_is_the_user() {
        String alice = Api.newUser("alice");
        String id = Api.createConversation(alice, "mine");
        given().header("Authorization", Tokens.bearer(alice)).get("/api/conversations/{id}", id)
                .then().statusCode(200).body("id", equalTo(id));
    }

    @Test
    void es256_and_rs256_tokens_are_both_accepted() {
        String alice = Api.newUser("alice");
        String id = Api.createConversation(alice, "two keys");
        given().header("Authorization", "Bearer " + Tokens.es256(alice)).get("/api/conversations/{id}", id)
                .then().statusCode(200).body("id", equalTo(id)).body("user_id", equalTo(alice));
        given().header("Authorization", "Bearer " + Tokens.forUser(alice)).get("/api/conversations/{id}", id)
                .then().statusCode(200).body("user_id", equalTo(alice));
        // The EC token's payload, moved to another user, no longer verifies.
        assertRejected("Bearer " + Tokens.tampered(Tokens.es256(alice), alice, "bob"));
    }

    @Test
    void no_audience_is_required_unless_one_is_configured() {
        String alice = Api.newUser("alice");
        given().header("Authorization", "Bearer " + Tokens.withAudience(alice, "anything"))
                .get("/api/conversations").then().statusCode(200);
    }

    @Test
    void the_dev_token_endpoint_does_not_exist_outside_dev_mode() {
        given().get("/dev/token?sub=mallory").then().statusCode(404).contentType("application/problem+json");
    }

    private static void assertRejected(String authorization) {
        given().header("Authorization", authorization).get("/api/conversations").then()
                .statusCode(401)
                .contentType("application/problem+json")
                .body("status", is(401))
                .body(not(containsString("Exception")));
    }
}
