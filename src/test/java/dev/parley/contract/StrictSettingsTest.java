package dev.parley.contract;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.support.Api;
import dev.parley.support.Db;
import dev.parley.support.Tokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The optional bounds, switched on: an expected audience, a maximum token age, a small read budget,
 * a short statement timeout and idle-in-transaction timeout. One profile, so the application
 * restarts once for all of them.
 */
@QuarkusTest
@TestProfile(StrictSettingsTest.Strict.class)
public class StrictSettingsTest {

    static final String AUDIENCE = "parley-api";
    static final Duration IDLE_IN_TRANSACTION = Duration.ofSeconds(8);

    public static class Strict implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "mp.jwt.verify.audiences", AUDIENCE,
                    "mp.jwt.verify.token.age", "600",
                    "parley.rate-limit.reads-per-minute", "5",
                    "parley.db.statement-timeout", "2s",
                    // Longer than the lock the statement-timeout test holds while its request waits.
                    "parley.db.idle-in-transaction-timeout", IDLE_IN_TRANSACTION.toSeconds() + "s");
        }
    }

    /** Every user's rows, as a DBA sees them: the application's pool sees only one identity's. */
    final DataSource dataSource = Db.superuser();

    /** The application's own pool, whose connections carry the server-side timeouts. */
    @Inject
    AgroalDataSource appPool;

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    private static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token).contentType("application/json");
    }

    @Test
    void a_configured_audience_is_required() {
        String alice = Api.newUser("alice");
        as(Tokens.withAudience(alice, AUDIENCE)).get("/api/conversations").then().statusCode(200);
        for (String token : new String[] {Tokens.withAudience(alice, "another-api"), Tokens.forUser(alice)}) {
            as(token).get("/api/conversations").then().statusCode(401).contentType("application/problem+json")
                    .body("detail", equalTo("A valid bearer token is required"));
        }
    }

    @Test
    void a_token_older_than_the_maximum_age_is_refused_even_before_its_exp() {
        String alice = Api.newUser("alice");
        as(Tokens.issuedAgo(alice, AUDIENCE, 60)).get("/api/conversations").then().statusCode(200);
        as(Tokens.issuedAgo(alice, AUDIENCE, 1200)).get("/api/conversations").then().statusCode(401)
                .contentType("application/problem+json");
    }

    @Test
    void reads_have_their_own_budget_with_the_same_429() {
        String alice = Api.newUser("alice");
        String token = Tokens.withAudience(alice, AUDIENCE);
        for (int i = 0; i < 5; i++) {
            as(token).get("/api/conversations").then().statusCode(200)
                    .header("RateLimit-Limit", "5").header("RateLimit-Remaining", String.valueOf(4 - i));
        }
        as(token).get("/api/search?q=anything").then().statusCode(429).contentType("application/problem+json")
                .header("Retry-After", notNullValue()).header("RateLimit-Limit", "5")
                .header("RateLimit-Remaining", "0").header("RateLimit-Reset", notNullValue())
                .body("status", is(429)).body("title", equalTo("Too Many Requests"))
                .body("detail", containsString("Too many reads; the limit is 5 per minute"));
        // Writes keep their own budget.
        as(token).body(Map.of("title", "still writable")).post("/api/conversations").then().statusCode(201);
        // Another user's budget is untouched.
        as(Tokens.withAudience(Api.newUser("bob"), AUDIENCE)).get("/api/conversations").then().statusCode(200);
    }

    @Test
    void a_statement_over_the_timeout_is_a_503_problem() throws Exception {
        String alice = Api.newUser("alice");
        String token = Tokens.withAudience(alice, AUDIENCE);
        String id = as(token).body(Map.of("title", "locked")).post("/api/conversations").then().statusCode(201)
                .extract().path("id");
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(false);
            try (PreparedStatement select = lock.prepareStatement("SELECT 1 FROM conversation WHERE id = ? FOR UPDATE")) {
                select.setObject(1, UUID.fromString(id));
                select.executeQuery().close();
            }
            long start = System.nanoTime();
            String body = as(token).body(Map.of("title", "waits for the lock")).patch("/api/conversations/{id}", id)
                    .then().statusCode(503).contentType("application/problem+json")
                    .header("Retry-After", notNullValue())
                    .body("status", is(503)).body("detail", equalTo("The database took too long to answer; retry shortly"))
                    .body("correlation_id", notNullValue())
                    .body(not(containsString("statement")))
                    .extract().asString();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.compareTo(Duration.ofSeconds(2)) >= 0, "waited the 2 s timeout first: " + took);
            assertTrue(took.compareTo(Duration.ofSeconds(9)) < 0, "then answered: " + took);
            assertTrue(!body.contains("SQL") && !body.contains("Exception"), body);
            lock.rollback();
        }
        as(token).get("/api/conversations/{id}", id).then().statusCode(200).body("title", equalTo("locked"));
    }

    @Test
    void a_transaction_left_idle_on_an_app_connection_is_ended_by_the_server() throws Exception {
        try (Connection idle = appPool.getConnection()) {
            idle.setAutoCommit(false);
            int pid;
            try (PreparedStatement backend = idle.prepareStatement("SELECT pg_backend_pid()");
                    java.sql.ResultSet rs = backend.executeQuery()) {
                rs.next();
                pid = rs.getInt(1);
            }
            long start = System.nanoTime();
            // The observable end: PostgreSQL terminates that backend.
            dev.parley.support.Await.until(() -> backendExists(pid), exists -> !exists, IDLE_IN_TRANSACTION.plusSeconds(30));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.compareTo(IDLE_IN_TRANSACTION.minusSeconds(1)) >= 0, "not before the timeout: " + took);
            java.sql.SQLException ended = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                    () -> idle.createStatement().execute("SELECT 1"));
            assertTrue(ended.getMessage() != null, ended.toString());
        }
    }

    private boolean backendExists(int pid) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement find = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE pid = ?")) {
            find.setInt(1, pid);
            try (java.sql.ResultSet rs = find.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
