package dev.parley.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Readiness follows the database: DOWN while PostgreSQL is stopped, UP again once it is back,
 * while liveness stays UP throughout (a pod must not be restarted because its database is down).
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
            return Map.of("quarkus.datasource.jdbc.acquisition-timeout", "2S");
        }
    }

    @StoppableDatabase.Control
    StoppableDatabase database;

    @AfterEach
    void databaseBack() {
        database.startDatabase();
    }

    @Test
    void readiness_goes_down_without_the_database_and_up_when_it_returns() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Database connections health check"));

        database.stopDatabase();
        Response down = awaitReadiness(503);
        down.then().body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'Database connections health check' }.status", equalTo("DOWN"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));

        database.startDatabase();
        awaitReadiness(200).then().body("status", equalTo("UP"));
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
