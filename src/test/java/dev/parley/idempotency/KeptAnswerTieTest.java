package dev.parley.idempotency;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.parley.assistant.Assistant;
import dev.parley.support.Await;
import dev.parley.support.ControllableAssistant;
import dev.parley.support.Db;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A kept answer is tied to its conversation by a foreign key (it goes when the conversation goes),
 * and a conversation deleted while the work ran leaves its answer kept, untied, instead of failing
 * the request.
 */
@QuarkusTest
public class KeptAnswerTieTest {

    final DataSource dataSource = Db.superuser();

    /**
     * The conversation goes after the chat's work is done and before its answer is kept (the test
     * holds the key's row meanwhile): the chat still answers, and its answer is kept untied.
     */
    @Test
    void an_answer_whose_conversation_went_before_it_was_kept_is_kept_untied() throws Exception {
        ControllableAssistant assistant = ControllableAssistant.heldBack("in time");
        QuarkusMock.installMockForType(assistant, Assistant.class);
        String alice = newUser("alice");
        String cid = createConversation(alice, "short-lived");
        String key = UUID.randomUUID().toString();
        Map<String, String> body = Map.of("message", "hello", "conversation_id", cid);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection lock = dataSource.getConnection()) {
            Future<ExtractableResponse<Response>> first = pool.submit(() -> as(alice).header("Idempotency-Key", key)
                    .body(body).post("/api/chat").then().extract());
            Await.until(assistant.calls::get, n -> n >= 1, Duration.ofSeconds(60));
            lock.setAutoCommit(false);
            try (PreparedStatement hold = lock.prepareStatement(
                    "SELECT 1 FROM idempotency_key WHERE idem_key = ? FOR UPDATE")) {
                hold.setString(1, key);
                hold.executeQuery().close();
            }
            assistant.release.countDown();
            Await.until(this::keepsWaiting, n -> n > 0, Duration.ofSeconds(60));
            as(alice).delete("/api/conversations/{id}", cid).then().statusCode(204);
            lock.rollback();
            ExtractableResponse<Response> answer = first.get(60, TimeUnit.SECONDS);
            assertEquals(200, answer.statusCode(), answer.asString());
            List<Object> row = keyRow(key);
            assertEquals(200, row.get(0), "the answer is kept");
            assertNull(row.get(1), "no conversation to tie it to");
            as(alice).header("Idempotency-Key", key).body(body).post("/api/chat").then()
                    .statusCode(200).header("Idempotent-Replayed", "true")
                    .body("response", equalTo("in time"));
        } finally {
            assistant.release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void a_kept_answer_is_tied_to_its_conversation() {
        String alice = newUser("alice");
        String cid = createConversation(alice, Map.of("title", "tied", "auto_reply", false));
        String key = UUID.randomUUID().toString();
        as(alice).header("Idempotency-Key", key).body(Map.of("role", "user", "content", "hi"))
                .post("/api/conversations/{id}/messages", cid).then().statusCode(201);
        assertEquals(cid, String.valueOf(keyRow(key).get(1)));
    }

    /** Statements keeping an answer that wait for a lock. */
    private long keepsWaiting() {
        try (Connection db = dataSource.getConnection(); ResultSet rows = db.createStatement().executeQuery("""
                SELECT count(*) FROM pg_stat_activity
                 WHERE wait_event_type = 'Lock' AND query LIKE '%UPDATE idempotency_key SET status_code%'""")) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The kept status and the conversation the key is tied to. */
    private List<Object> keyRow(String key) {
        try (Connection db = dataSource.getConnection(); PreparedStatement select = db.prepareStatement(
                "SELECT status_code, conversation_id FROM idempotency_key WHERE idem_key = ?")) {
            select.setString(1, key);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    throw new AssertionError("no key " + key);
                }
                List<Object> row = new ArrayList<>();
                row.add(rows.getObject(1));
                row.add(rows.getObject(2));
                return row;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
