package dev.parley.ops;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Health and metrics endpoints as a Kubernetes probe and a Prometheus scraper see them. */
@QuarkusTest
public class OperationsTest {

    @Test
    void liveness_and_readiness_are_up_and_readiness_checks_the_database() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Database connections health check"));
        given().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void metrics_time_requests_per_route_template_not_per_raw_path() {
        String user = newUser("metrics");
        String id = createConversation(user, "Metrics");
        for (int i = 0; i < 3; i++) {
            as(user).get("/api/conversations/{id}", id).then().statusCode(200);
        }
        as(user).get("/api/conversations/{id}/messages", id).then().statusCode(200);

        // The Prometheus text format, as a scraper asks for it (without Accept it is OpenMetrics).
        String metrics = given().accept("text/plain").get("/q/metrics").then().statusCode(200)
                .contentType(containsString("text/plain"))
                .body(not(containsString(id)))
                .extract().asString();

        assertMetric(metrics, "http_server_requests_seconds_count",
                "method=\"GET\"", "status=\"200\"", "uri=\"/api/conversations/{id}\"");
        assertMetric(metrics, "http_server_requests_seconds_count",
                "method=\"POST\"", "status=\"201\"", "uri=\"/api/conversations\"");
        assertMetric(metrics, "http_server_requests_seconds_count",
                "uri=\"/api/conversations/{conversationId}/messages\"");
        // Connection pool, JVM and process.
        assertMetric(metrics, "agroal_active_count", "datasource=\"default\"");
        assertMetric(metrics, "agroal_available_count");
        assertMetric(metrics, "agroal_awaiting_count");
        assertMetric(metrics, "jvm_memory_used_bytes");
        assertMetric(metrics, "jvm_threads_live_threads");
        assertMetric(metrics, "process_cpu_usage");
    }

    /** One sample line of the metric carries all the given labels. */
    private static void assertMetric(String exposition, String name, String... labels) {
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(\\{.*})? \\S+$", Pattern.MULTILINE);
        boolean found = line.matcher(exposition).results()
                .anyMatch(match -> {
                    String text = match.group();
                    for (String label : labels) {
                        if (!text.contains(label)) {
                            return false;
                        }
                    }
                    return true;
                });
        assertTrue(found, () -> "no " + name + " sample with " + String.join(", ", labels) + " in:\n"
                + exposition.lines().filter(l -> l.startsWith(name)).reduce("", (a, b) -> a + b + "\n"));
    }
}
