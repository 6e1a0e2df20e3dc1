package dev.parley.assistant;

import static dev.parley.support.Api.addMessage;
import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.common.Ids;
import dev.parley.security.DatabaseIdentity.Job;
import dev.parley.security.DatabaseIdentity;
import dev.parley.support.Await;
import dev.parley.support.Db;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Replies left behind by a dead instance are taken over, or failed after too many attempts, and
 * two workers racing for one reply store it once. The "dead instance" is simulated by a pending
 * row whose claim has run out, exactly what a crash leaves in the database.
 */
@QuarkusTest
public class ReplyRecoveryTest {

    /** Every user's rows, as a DBA sees them: the application's pool sees only one identity's. */
    final DataSource dataSource = Db.superuser();

    @Inject
    ReplyStore store;

    @Test
    void a_reply_abandoned_by_a_dead_instance_is_completed_by_the_sweep() throws SQLException {
        String alice = newUser("alice");
        String cid = createConversation(alice, Map.of("title", "crashed", "auto_reply", false));
        String userMessage = addMessage(alice, cid, "user", "hello from before the crash");
        UUID reply = insertPendingReply(alice, cid, userMessage, 1, "now() - interval '1 minute'");

        Await.until(() -> status(reply), "complete"::equals, Duration.ofSeconds(20));
        as(alice).get("/api/conversations/{c}/messages/{m}", cid, reply).then()
                .body("content", equalTo("Hello! How can I assist you today?"))
                .body("parent_id", equalTo(userMessage));
        assertEquals(2, attempts(reply));
        as(alice).get("/api/conversations/{c}/messages/{m}", cid, userMessage).then()
                .body("content", equalTo("hello from before the crash"));
    }

    @Test
    void a_reply_abandoned_too_often_is_marked_failed_not_left_pending() throws SQLException {
        String alice = newUser("alice");
        String cid = createConversation(alice, Map.of("title", "cursed", "auto_reply", false));
        String userMessage = addMessage(alice, cid, "user", "hello");
        UUID reply = insertPendingReply(alice, cid, userMessage, 3, "now() - interval '1 minute'");

        Await.until(() -> status(reply), "failed"::equals, Duration.ofSeconds(20));
        as(alice).get("/api/conversations/{c}/messages/{m}", cid, reply).then()
                .body("metadata.error_type", equalTo("abandoned"));
    }

    @Test
    void a_live_claim_is_not_taken_over() throws Exception {
        String alice = newUser("alice");
        String cid = createConversation(alice, Map.of("title", "busy", "auto_reply", false));
        String userMessage = addMessage(alice, cid, "user", "hello");
        UUID reply = insertPendingReply(alice, cid, userMessage, 1, "now() + interval '1 hour'");
        // A reply left by a dead instance, inserted after the live one: once a sweep has taken and
        // finished it, that sweep has also passed over the live claim.
        String other = createConversation(alice, Map.of("title", "abandoned", "auto_reply", false));
        UUID abandoned = insertPendingReply(alice, other, addMessage(alice, other, "user", "hello"), 1,
                "now() - interval '1 minute'");
        Await.until(() -> status(abandoned), "complete"::equals, Duration.ofSeconds(30));
        assertEquals("pending", status(reply));
        assertEquals(1, attempts(reply));
    }

    @Test
    void two_workers_racing_for_a_reply_store_it_once() throws Exception {
        String alice = newUser("alice");
        String cid = createConversation(alice, Map.of("title", "race", "auto_reply", false));
        String userMessage = addMessage(alice, cid, "user", "hello");
        // Held by a claim about to run out, so that the background workers leave it alone until
        // the test holds its row lock; they skip locked rows, and the two racers queue behind it.
        UUID reply = insertPendingReply(alice, cid, userMessage, 0, "now() + interval '2 seconds'");

        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(false);
            try (PreparedStatement forUpdate = lock.prepareStatement("SELECT 1 FROM message WHERE id = ? FOR UPDATE")) {
                forUpdate.setObject(1, reply);
                forUpdate.executeQuery().close();
            }
            Await.until(() -> queryOne("SELECT (claimed_until < now())::text FROM message WHERE id = ?", reply),
                    "true"::equals, Duration.ofSeconds(10));
            // As a worker claims: the reply job, which row-level security lets reach pending replies.
            Callable<ReplyStore.Claim> claim = () -> DatabaseIdentity.asSystem(Job.REPLIES, () -> QuarkusTransaction
                    .requiringNew().call(() -> store.claim(reply, Duration.ofMinutes(1))));
            Future<ReplyStore.Claim> first = pool.submit(claim);
            Future<ReplyStore.Claim> second = pool.submit(claim);
            Await.until(() -> queryOne("""
                    SELECT count(*)::text FROM pg_stat_activity
                     WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE message%' AND query LIKE '%AND status = ''pending''%'
                       AND pid <> pg_backend_pid() AND CAST(? AS uuid) IS NOT NULL""", reply), "2"::equals, Duration.ofSeconds(20));
            lock.commit();
            List<ReplyStore.Claim> claims = new ArrayList<>(List.of(
                    Objects.requireNonNullElse(first.get(), NONE), Objects.requireNonNullElse(second.get(), NONE)));
            claims.removeIf(c -> c == NONE);
            assertEquals(1, claims.size(), "exactly one worker holds the reply");
            ReplyStore.Claim winner = claims.get(0);

            ReplyStore.Claim loser = new ReplyStore.Claim(reply, winner.conversationId(), winner.userId(), winner.createdAt(),
                    winner.attempts(), UUID.randomUUID());
            assertFalse(DatabaseIdentity.asUser(alice, () -> QuarkusTransaction.requiringNew()
                    .call(() -> store.complete(loser, Reply.text("second"), "test", null))));
            assertTrue(DatabaseIdentity.asUser(alice, () -> QuarkusTransaction.requiringNew()
                    .call(() -> store.complete(winner, Reply.text("first"), "test", null))));
            assertFalse(DatabaseIdentity.asUser(alice, () -> QuarkusTransaction.requiringNew()
                    .call(() -> store.complete(winner, Reply.text("again"), "test", null))));
        } finally {
            pool.shutdownNow();
        }
        as(alice).get("/api/conversations/{c}/messages/{m}", cid, reply).then()
                .body("content", equalTo("first")).body("status", equalTo("complete"));
        assertEquals(1, attempts(reply), "claimed once");
    }

    private static final ReplyStore.Claim NONE = new ReplyStore.Claim(null, null, null, null, 0, null);

    private UUID insertPendingReply(String user, String cid, String parent, int attempts, String claimedUntil)
            throws SQLException {
        UUID id = Ids.newId();
        // Asked for right after its user message, as MessageService does.
        String createdAt = "(SELECT created_at + interval '1 microsecond' FROM message WHERE id = '" + parent + "')";
        try (Connection c = dataSource.getConnection();
                PreparedStatement insert = c.prepareStatement("""
                        INSERT INTO message (id, conversation_id, user_id, role, content, status, parent_id,
                                             reply_attempts, claimed_until, claim_token, created_at, updated_at)
                        VALUES (?, ?, ?, 'assistant', '', 'pending', ?, ?, %s, %s, %s, %s)""".formatted(
                        claimedUntil == null ? "NULL" : claimedUntil,
                        claimedUntil == null ? "NULL" : "gen_random_uuid()", createdAt, createdAt))) {
            insert.setObject(1, id);
            insert.setObject(2, UUID.fromString(cid));
            insert.setString(3, user);
            insert.setObject(4, UUID.fromString(parent));
            insert.setInt(5, attempts);
            insert.executeUpdate();
        }
        assertNotNull(status(id));
        return id;
    }

    private String status(UUID id) {
        return queryOne("SELECT status FROM message WHERE id = ?", id);
    }

    private int attempts(UUID id) {
        return Integer.parseInt(queryOne("SELECT reply_attempts::text FROM message WHERE id = ?", id));
    }

    private String queryOne(String sql, UUID id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
