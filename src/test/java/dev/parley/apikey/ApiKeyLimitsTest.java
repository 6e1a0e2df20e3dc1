package dev.parley.apikey;

import static dev.parley.apikey.ApiKeyTest.createKey;
import static dev.parley.apikey.ApiKeyTest.withKey;
import static dev.parley.support.Api.as;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.support.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The configurable limits, and the no-cache mode where every request looks its key up. */
@QuarkusTest
@TestProfile(ApiKeyLimitsTest.TightLimits.class)
public class ApiKeyLimitsTest {

    public static class TightLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.api-keys.max-per-user", "3",
                    "parley.api-keys.name-max-length", "10",
                    "parley.api-keys.max-expiry-days", "30",
                    "parley.api-keys.requests-per-minute", "3",
                    "parley.api-keys.cache-ttl", "PT0S");
        }
    }

    /** Every user's rows, as a DBA sees them: the application's pool sees only one identity's. */
    final DataSource dataSource = Db.superuser();

    @Test
    void keys_per_user_name_length_and_expiry_are_bounded() {
        String alice = newUser("alice");
        as(alice).body(Map.of("name", "elevenchars", "scopes", List.of("read"))).post("/api/keys").then()
                .statusCode(400).body("errors.name", equalTo(List.of("must be at most 10 characters")));
        as(alice).body(Map.of("name", "far", "scopes", List.of("read"),
                "expires_at", Instant.now().plus(Duration.ofDays(31)).toString())).post("/api/keys").then()
                .statusCode(400).body("errors.expires_at", equalTo(List.of("must be at most 30 days from now")));
        // Without expires_at, a key gets the longest life allowed.
        String expires = as(alice).body(Map.of("name", "default", "scopes", List.of("read"))).post("/api/keys")
                .then().statusCode(201).extract().path("expires_at");
        Duration life = Duration.between(Instant.now(), Instant.parse(expires));
        assertTrue(life.compareTo(Duration.ofDays(29)) > 0 && life.compareTo(Duration.ofDays(30)) <= 0, life.toString());
        createKey(alice, "two", List.of("read"));
        createKey(alice, "three", List.of("read"));
        as(alice).body(Map.of("name", "four", "scopes", List.of("read"))).post("/api/keys").then()
                .statusCode(409).body("detail", containsString("3 API keys"));
    }

    @Test
    void a_key_has_its_own_budget_on_top_of_its_owners() {
        String alice = newUser("alice");
        ApiKeyTest.Key key = createKey(alice, "budget", List.of("read", "write"));
        for (int i = 0; i < 3; i++) {
            withKey(key.secret()).body(Map.of("title", "c" + i)).post("/api/conversations").then().statusCode(201);
        }
        withKey(key.secret()).body(Map.of("title", "over")).post("/api/conversations").then().statusCode(429)
                .contentType("application/problem+json")
                .body("detail", containsString("requests with this API key"))
                .header("Retry-After", org.hamcrest.Matchers.notNullValue());
        // The owner, with a JWT, still has budget; so does another key of theirs.
        as(alice).body(Map.of("title", "by jwt")).post("/api/conversations").then().statusCode(201);
        ApiKeyTest.Key other = createKey(alice, "other", List.of("write"));
        withKey(other.secret()).body(Map.of("title", "by other")).post("/api/conversations").then().statusCode(201);
    }

    @Test
    void without_a_cache_a_key_deleted_elsewhere_stops_at_the_next_request() throws Exception {
        String alice = newUser("alice");
        ApiKeyTest.Key key = createKey(alice, "uncached", List.of("read"));
        withKey(key.secret()).get("/api/conversations").then().statusCode(200);
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("DELETE FROM api_key WHERE id = ?")) {
            s.setObject(1, UUID.fromString(key.id()));
            assertEquals(1, s.executeUpdate());
        }
        withKey(key.secret()).get("/api/conversations").then().statusCode(401);
    }
}
