package dev.parley.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.support.Api;
import dev.parley.support.Await;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Readiness follows the database: DOWN while PostgreSQL is stopped, UP again once it is back,
 * while liveness stays UP throughout (a pod must not be restarted because its database is down).
 * Meanwhile the API answers 503 problems quickly, and recovers by itself with nothing lost.
 */
@QuarkusTest
@TestProfile(ReadinessTest.OwnDatabase.class)
public class ReadinessTest {

    /** Points the datasource at a PostgreSQL that this test may stop. */
    public static class OwnDatabase implements QuarkusTestProfile {

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(StoppableDatabase.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            // Fail fast while the database is gone, instead of waiting the prod 5 s per check.
            return Map.of("quarkus.datasource.jdbc.acquisition-timeout", ACQUISITION_TIMEOUT.toSeconds() + "S");
        }
    }

    static final Duration ACQUISITION_TIMEOUT = Duration.ofSeconds(2);
    private static final Pattern ACCESS_LINE = Pattern.compile(" (?<duration>\\d+\\.\\d)ms .* request_id=(?<id>\\S+)$");

    @StoppableDatabase.Control
    StoppableDatabase database;

    private final Logger access = Logger.getLogger("dev.parley.access");
    private final List<String> accessLines = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            Object[] parameters = record.getParameters();
            // JBoss logging passes printf-style records through; format them as the console does.
            accessLines.add(parameters == null || parameters.length == 0 ? record.getMessage()
                    : String.format(record.getMessage(), parameters));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureAccessLog() {
        access.addHandler(capture);
    }

    @AfterEach
    void databaseBack() {
        access.removeHandler(capture);
        database.startDatabase();
    }

    /** How long the server took for the request, from its access-log line (written as the answer ends). */
    private double serverMillis(String requestId) {
        String line = Await.until(() -> accessLines.stream().filter(l -> l.endsWith("request_id=" + requestId))
                .findFirst().orElse(null), java.util.Objects::nonNull, Duration.ofSeconds(10));
        Matcher matcher = ACCESS_LINE.matcher(line);
        assertTrue(matcher.find(), line);
        return Double.parseDouble(matcher.group("duration"));
    }

    @Test
    void readiness_goes_down_without_the_database_and_up_when_it_returns() {
        awaitReadiness(200).then()
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Database connections health check"));

        database.stopDatabase();
        Response down = awaitReadiness(503);
        down.then().body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'Database connections health check' }.status", equalTo("DOWN"));
        assertLeaksNothing(down.asString(), StoppableDatabase.PORT);
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));

        database.startDatabase();
        awaitReadiness(200).then().body("status", equalTo("UP"));
    }

    @Test
    void the_api_answers_503_while_the_database_is_down_and_loses_nothing() {
        awaitReadiness(200);
        String alice = Api.newUser("alice");
        String cid = Api.createConversation(alice, Map.of("title", "outage", "auto_reply", false));
        String before = Api.addMessage(alice, cid, "user", "written before the outage");

        database.stopDatabase();
        // README: 503 within the pool's acquisition timeout (2 s in this profile). Measured by the
        // server itself (its access-log line), so the client's own slowness on a loaded machine does
        // not count, with a small margin for the work around the wait.
        double promiseMillis = ACQUISITION_TIMEOUT.toMillis() + 1000;
        String during = "outage-post-" + UUID.randomUUID();
        String body = Api.as(alice).header("X-Request-Id", during)
                .body(Map.of("role", "user", "content", "written during the outage"))
                .post("/api/conversations/{id}/messages", cid).then().statusCode(503)
                .contentType("application/problem+json")
                .header("Retry-After", notNullValue())
                .body("status", equalTo(503))
                // README: a 5xx problem carries the request's correlation id.
                .body("correlation_id", equalTo(during))
                .extract().asString();
        assertTrue(serverMillis(during) <= promiseMillis, "bounded by the pool's wait: " + serverMillis(during) + " ms");
        assertLeaksNothing(body, StoppableDatabase.PORT);
        String read = "outage-get-" + UUID.randomUUID();
        Api.as(alice).header("X-Request-Id", read).get("/api/conversations/{id}", cid).then().statusCode(503)
                .contentType("application/problem+json").body("correlation_id", equalTo(read));
        assertTrue(serverMillis(read) <= promiseMillis, "bounded by the pool's wait: " + serverMillis(read) + " ms");

        database.startDatabase();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (Api.as(alice).get("/api/conversations/{id}", cid).statusCode() != 200) {
            assertTrue(System.nanoTime() < deadline, "the service did not recover by itself");
            sleep();
        }
        String after = Api.addMessage(alice, cid, "user", "written after the outage");
        Api.as(alice).get("/api/conversations/{id}/messages", cid).then().statusCode(200)
                .body("results.id", equalTo(List.of(before, after)));
    }

    /** No host, port, SQL, driver or class name, nor a stack trace. */
    static void assertLeaksNothing(String body, int port) {
        for (String leak : List.of("127.0.0.1", "localhost", String.valueOf(port), "SQL", "sql", "Exception",
                "org.", "java.", "postgres", "Connection refused", "\tat ")) {
            assertTrue(!body.contains(leak), "leaks '" + leak + "': " + body);
        }
    }

    private static Response awaitReadiness(int status) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Response last;
        do {
            last = given().get("/q/health/ready");
            if (last.statusCode() == status) {
                return last;
            }
            sleep();
        } while (System.nanoTime() < deadline);
        throw new AssertionError("readiness never answered " + status + "; last: " + last.statusCode() + " "
                + last.asString());
    }

    private static void sleep() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
