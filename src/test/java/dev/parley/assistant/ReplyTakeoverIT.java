package dev.parley.assistant;

import static dev.parley.assistant.ReplyCrashIT.awaitTrue;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.support.FakeOpenAi;
import dev.parley.support.ParleyProcess;
import dev.parley.support.Tokens;
import io.restassured.http.ContentType;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two instances on one database. A generates slowly, far longer than the lease, and keeps its
 * leases alive with the heartbeat: B, sweeping every second, never takes a live reply. Once A is
 * killed, B takes its replies over within about a lease and a sweep.
 */
public class ReplyTakeoverIT {

    private static final String USER = "takeover-" + UUID.randomUUID();
    private static final Duration LEASE = Duration.ofSeconds(6);
    private static final int REPLIES = 4;

    private EmbeddedPostgres database;
    private FakeOpenAi model;

    @BeforeEach
    void start() {
        database = ParleyProcess.database();
        model = new FakeOpenAi().always(FakeOpenAi.slow("taken over", 500));
        for (int i = 0; i < REPLIES; i++) {
            // A's calls: slower than B's start plus several leases, so only the heartbeat keeps them.
            model.then(FakeOpenAi.slow("never seen", 180_000));
        }
    }

    @AfterEach
    void stop() throws Exception {
        model.close();
        database.close();
    }

    private Map<String, String> settings(String modelName) {
        return Map.of("PARLEY_ASSISTANT_PROVIDER", "openai",
                "PARLEY_ASSISTANT_OPENAI_BASE_URL", model.baseUrl(),
                "PARLEY_ASSISTANT_OPENAI_MODEL", modelName,
                "PARLEY_ASSISTANT_OPENAI_MAX_RETRIES", "0",
                "PARLEY_ASSISTANT_OPENAI_TIMEOUT", "900s",
                "PARLEY_ASSISTANT_CLAIM_LEASE", "PT" + LEASE.toSeconds() + "S",
                "PARLEY_ASSISTANT_HEARTBEAT_EVERY", "1s",
                "PARLEY_ASSISTANT_SWEEP_EVERY", "1s");
    }

    @Test
    void a_live_instance_keeps_its_replies_and_a_dead_ones_are_taken_over() {
        List<String> replies = new ArrayList<>();
        try (ParleyProcess a = ParleyProcess.start("parley-takeover-a", database, settings("model-a"))) {
            String cid = given().baseUri(a.baseUri()).header("Authorization", Tokens.bearer(USER))
                    .contentType(ContentType.JSON).body(Map.of("title", "two instances"))
                    .post("/api/conversations").then().statusCode(201).extract().path("id");
            for (int i = 0; i < REPLIES; i++) {
                replies.add(given().baseUri(a.baseUri()).header("Authorization", Tokens.bearer(USER))
                        .contentType(ContentType.JSON).body(Map.of("role", "user", "content", "slow question " + i))
                        .post("/api/conversations/{id}/messages", cid).then().statusCode(201)
                        .extract().path("assistant_message_id"));
            }
            awaitTrue(() -> requestsFor("model-a") == REPLIES, Duration.ofSeconds(60), "A never called the model");

            try (ParleyProcess b = ParleyProcess.start("parley-takeover-b", database, settings("model-b"))) {
                // B is up and sweeping. A's leases must be renewed past the point where they would
                // all have run out twice over while B watched.
                long bReadyEpochMillis = System.currentTimeMillis();
                awaitTrue(() -> minClaimedUntilMillis() > bReadyEpochMillis + 2 * LEASE.toMillis(),
                        LEASE.multipliedBy(6), "A's leases were not renewed");
                assertEquals(REPLIES, count("SELECT count(*) FROM message WHERE status = 'pending' AND reply_attempts = 1"),
                        "no reply was claimed a second time while A was alive");
                assertEquals(0, requestsFor("model-b"), "B never called the model for A's replies");

                a.kill();
                long killedAt = System.nanoTime();
                awaitTrue(() -> count("SELECT count(*) FROM message WHERE status = 'complete' AND model = 'model-b'")
                        == REPLIES, LEASE.plusSeconds(30), "B did not take over A's replies");
                long tookMillis = (System.nanoTime() - killedAt) / 1_000_000;
                System.out.printf("takeover: kill A -> B completed %d replies in %d ms (lease %d s, sweep 1 s)%n",
                        REPLIES, tookMillis, LEASE.toSeconds());
                for (String reply : replies) {
                    assertEquals("complete|taken over|2", text(
                            "SELECT status || '|' || content || '|' || reply_attempts FROM message WHERE id = '" + reply + "'"));
                }
                assertEquals(REPLIES, requestsFor("model-b"), "one model call per reply taken over");
                assertTrue(tookMillis < LEASE.plusSeconds(30).toMillis());
            }
        }
    }

    @Test
    void a_stopped_instance_hands_back_its_replies_and_chats_for_another_to_complete() {
        // Two calls that outlast the stop, then quick answers for whoever takes over.
        model.always(FakeOpenAi.slow("taken over", 500))
                .then(FakeOpenAi.slow("never seen", 180_000))
                .then(FakeOpenAi.slow("never seen", 180_000));
        Map<String, String> quickStop = new java.util.HashMap<>(settings("model-a"));
        quickStop.put("QUARKUS_SHUTDOWN_TIMEOUT", "3S");
        String asyncReply;
        try (ParleyProcess a = ParleyProcess.start("parley-stop-a", database, quickStop)) {
            var spec = given().baseUri(a.baseUri()).header("Authorization", Tokens.bearer(USER))
                    .contentType(ContentType.JSON);
            String cid = spec.body(Map.of("title", "stopping")).post("/api/conversations")
                    .then().statusCode(201).extract().path("id");
            asyncReply = spec.body(Map.of("role", "user", "content", "async before the stop"))
                    .post("/api/conversations/{id}/messages", cid).then().statusCode(201)
                    .extract().path("assistant_message_id");
            java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    given().baseUri(a.baseUri()).header("Authorization", Tokens.bearer(USER))
                            .contentType(ContentType.JSON).body(Map.of("message", "chat during the stop"))
                            .post("/api/chat");
                } catch (Exception e) {
                    // The instance stops under it: whatever the client sees, the reply must survive.
                }
            });
            awaitTrue(() -> requestsFor("model-a") == 2, Duration.ofSeconds(60), "A never called the model");
            a.stop(Duration.ofSeconds(60));
        }
        // Handed back: unclaimed and the attempt not counted, so any instance takes them at once.
        assertEquals(2, count("SELECT count(*) FROM message WHERE status = 'pending' AND claim_token IS NULL"
                + " AND reply_attempts = 0"), "both replies handed back");
        try (ParleyProcess b = ParleyProcess.start("parley-stop-b", database, settings("model-b"))) {
            awaitTrue(() -> count("SELECT count(*) FROM message WHERE status = 'complete' AND model = 'model-b'") == 2,
                    Duration.ofSeconds(30), "B did not complete the handed-back replies");
            assertEquals("complete|taken over", text("SELECT status || '|' || content FROM message WHERE id = '"
                    + asyncReply + "'"));
            assertEquals(1, count("""
                    SELECT count(*) FROM message r JOIN message u ON r.parent_id = u.id
                     WHERE u.content = 'chat during the stop' AND r.status = 'complete'"""));
        }
    }

    private long requestsFor(String modelName) {
        return model.requests.stream().filter(r -> modelName.equals(r.body().path("model").asText())).count();
    }

    private long minClaimedUntilMillis() {
        String value = text("SELECT (extract(epoch FROM min(claimed_until)) * 1000)::bigint FROM message WHERE status = 'pending'");
        return value == null ? 0 : Long.parseLong(value);
    }

    private long count(String sql) {
        return Long.parseLong(text(sql));
    }

    private String text(String sql) {
        try (Connection c = ParleyProcess.connect(database); PreparedStatement s = c.prepareStatement(sql);
                ResultSet rs = s.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
