package dev.parley.ops;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
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
 * One access-log line per request with method, path, status, duration, user and correlation id,
 * and the correlation id taken from X-Request-Id when sent, generated otherwise, always echoed.
 */
@QuarkusTest
public class AccessLogTest {

    private static final Pattern LINE = Pattern.compile(
            "(?<method>[A-Z]+) (?<path>\\S+) (?<status>\\d{3}) (?<duration>\\d+\\.\\d)ms user=(?<user>\\S+) "
                    + "auth=(?<auth>\\S+)(?: key_id=(?<keyId>\\S+))? request_id=(?<id>\\S+)");

    private final Logger access = Logger.getLogger("dev.parley.access");
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            Object[] parameters = record.getParameters();
            String message = record.getMessage();
            // JBoss logging passes printf-style records through; format them the way the console would.
            if (parameters != null && parameters.length > 0 && message.contains("%")) {
                message = String.format(message, parameters);
            }
            lines.add(message);
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
    void releaseAccessLog() {
        access.removeHandler(capture);
    }

    @Test
    void a_given_request_id_is_echoed_and_logged_with_method_path_status_duration_and_user() {
        String user = newUser("logged");
        String conversation = createConversation(user, "Logged");

        long start = System.nanoTime();
        as(user).header("X-Request-Id", "trace-42.a:b").get("/api/conversations/{id}", conversation)
                .then().statusCode(200).header("X-Request-Id", "trace-42.a:b");
        double clientMillis = (System.nanoTime() - start) / 1_000_000.0;

        Matcher line = awaitLine("trace-42.a:b");
        assertEquals("GET", line.group("method"));
        assertEquals("/api/conversations/" + conversation, line.group("path"));
        assertEquals("200", line.group("status"));
        // The server's time for the request lies within what the client waited for it.
        double duration = Double.parseDouble(line.group("duration"));
        assertTrue(duration <= clientMillis + 0.1, duration + " ms logged, " + clientMillis + " ms seen by the client");
        assertEquals(user, line.group("user"));
        assertEquals("jwt", line.group("auth"));
    }

    @Test
    void a_missing_or_unusable_request_id_is_replaced_by_a_generated_one_that_is_echoed_and_logged() {
        String generated = given().get("/api/conversations").then().statusCode(401)
                .extract().header("X-Request-Id");
        assertTrue(generated.matches("[0-9a-f-]{36}"), generated);
        Matcher line = awaitLine(generated);
        assertEquals("GET", line.group("method"));
        assertEquals("/api/conversations", line.group("path"));
        assertEquals("401", line.group("status"));
        assertEquals("-", line.group("user"));

        String replaced = given().header("X-Request-Id", "not a sane id\t").get("/q/health/live")
                .then().statusCode(200).extract().header("X-Request-Id");
        assertTrue(replaced.matches("[0-9a-f-]{36}"), replaced);
        assertEquals("/q/health/live", awaitLine(replaced).group("path"));
    }

    @Test
    void every_request_gets_exactly_one_line() {
        String user = newUser("once");
        as(user).header("X-Request-Id", "once-" + user).post("/api/conversations/{id}/messages", "not-a-uuid")
                .then().statusCode(400);
        awaitLine("once-" + user);
        long count = lines.stream().filter(l -> l.endsWith("request_id=once-" + user)).count();
        assertEquals(1, count);
    }

    /** The line is written when the response ends, which can be just after the client has it. */
    private Matcher awaitLine(String requestId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            for (String text : lines) {
                Matcher matcher = LINE.matcher(text);
                if (matcher.matches() && matcher.group("id").equals(requestId)) {
                    return matcher;
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("no access log line with request_id=" + requestId + " in " + lines);
    }
}
