package dev.parley.assistant;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.support.FakeOpenAi;
import dev.parley.support.ParleyProcess;
import dev.parley.support.Tokens;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node dies with SIGKILL while the model is answering: nothing is handed back, no shutdown hook
 * runs. The packaged jar runs as a process of its own against its own PostgreSQL, with the default
 * lease, heartbeat and sweep, and a slow OpenAI-compatible model.
 */
public class ReplyCrashIT {

    private static final String USER = "crash-" + UUID.randomUUID();
    private static final long MODEL_DELAY_MILLIS = 2_000;

    private EmbeddedPostgres database;
    private FakeOpenAi model;

    @BeforeEach
    void start() {
        database = ParleyProcess.database();
        model = new FakeOpenAi().always(FakeOpenAi.slow("An answer that took a while.", MODEL_DELAY_MILLIS));
    }

    @AfterEach
    void stop() throws Exception {
        model.close();
        database.close();
    }

    private Map<String, String> settings() {
        return Map.of("PARLEY_ASSISTANT_PROVIDER", "openai",
                "PARLEY_ASSISTANT_OPENAI_BASE_URL", model.baseUrl(),
                "PARLEY_ASSISTANT_OPENAI_MAX_RETRIES", "0",
                "PARLEY_ASSISTANT_OPENAI_TIMEOUT", "60s");
    }

    private static RequestSpecification as(ParleyProcess parley) {
        return given().baseUri(parley.baseUri()).header("Authorization", Tokens.bearer(USER))
                .contentType(ContentType.JSON);
    }

    @Test
    void every_reply_completes_after_a_kill_and_restart_and_each_message_has_exactly_one() throws Exception {
        Map<String, String> replyOf = new LinkedHashMap<>();
        CompletableFuture<Integer> chat;
        long restartedAt;
        try (ParleyProcess first = ParleyProcess.start("parley-crash-1", database, settings())) {
            for (int c = 0; c < 4; c++) {
                String cid = as(first).body(Map.of("title", "crash " + c)).post("/api/conversations")
                        .then().statusCode(201).extract().path("id");
                for (int m = 0; m < 5; m++) {
                    var created = as(first).body(Map.of("role", "user", "content", "question " + c + "." + m))
                            .post("/api/conversations/{id}/messages", cid).then().statusCode(201).extract();
                    replyOf.put(created.path("id"), created.path("assistant_message_id"));
                }
            }
            // A chat waiting on the model when the node dies: its client sees the connection drop.
            chat = CompletableFuture.supplyAsync(() -> {
                try {
                    return as(first).body(Map.of("message", "chat cut short")).post("/api/chat").statusCode();
                } catch (Exception e) {
                    // RestAssured rethrows the dropped connection's IOException as is.
                    return -1;
                }
            });
            // Mid-generation: the model has been asked for the chat's reply and for the workers' ones.
            awaitTrue(() -> model.requests.stream().anyMatch(r -> r.body().toString().contains("chat cut short"))
                    && model.requests.size() >= 5, Duration.ofSeconds(60), "the model was never asked");
            assertTrue(count("SELECT count(*) FROM message WHERE role = 'assistant' AND status = 'pending'") > 0);
            first.kill();
        }
        assertEquals(-1, chat.get().intValue(), "the chat's client lost its connection");
        assertEquals(1, count("SELECT count(*) FROM message WHERE role = 'user' AND content = 'chat cut short'"),
                "the chat's user message was stored before the model was called");

        restartedAt = System.nanoTime();
        try (ParleyProcess second = ParleyProcess.start("parley-crash-2", database, settings())) {
            long readyAt = System.nanoTime();
            // 60 s from the restart, plus what the JVM's own start took beyond 20 s: on a shared,
            // overloaded machine the start alone has taken 64 s, which no reply lifecycle controls.
            long slowStart = Math.max(0, readyAt - restartedAt - Duration.ofSeconds(20).toNanos());
            awaitTrue(() -> count("SELECT count(*) FROM message WHERE status = 'pending'") == 0,
                    Duration.ofSeconds(60).plusNanos(slowStart).minusNanos(System.nanoTime() - restartedAt),
                    "replies still pending 60 s after the restart");
            long doneAt = System.nanoTime();
            System.out.printf("crash recovery: restart -> ready %d ms, restart -> last reply done %d ms%n",
                    (readyAt - restartedAt) / 1_000_000, (doneAt - restartedAt) / 1_000_000);

            for (Map.Entry<String, String> entry : replyOf.entrySet()) {
                assertEquals(1, count("SELECT count(*) FROM message WHERE parent_id = '" + entry.getKey() + "'"),
                        "exactly one reply to " + entry.getKey());
                assertEquals("complete|An answer that took a while.", text(
                        "SELECT status || '|' || content FROM message WHERE id = '" + entry.getValue() + "'"));
            }
            // The chat's message has exactly one reply, finished one way or the other.
            String chatReply = text("""
                    SELECT r.status FROM message r JOIN message u ON r.parent_id = u.id
                     WHERE u.content = 'chat cut short'""");
            assertTrue(chatReply.equals("complete") || chatReply.equals("failed"), chatReply);
            assertEquals(1, count("""
                    SELECT count(*) FROM message r JOIN message u ON r.parent_id = u.id
                     WHERE u.content = 'chat cut short'"""));
            // The restarted instance serves them like any other message.
            String someReply = replyOf.values().iterator().next();
            String cid = text("SELECT conversation_id::text FROM message WHERE id = '" + someReply + "'");
            as(second).get("/api/conversations/{c}/messages/{m}", cid, someReply).then().statusCode(200);
        }
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

    static void awaitTrue(java.util.function.BooleanSupplier condition, Duration limit, String message) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(message);
            }
            ParleyProcess.sleep(200);
        }
    }
}
