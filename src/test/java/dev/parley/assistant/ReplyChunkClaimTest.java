package dev.parley.assistant;

import static dev.parley.support.Api.addMessage;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.common.Ids;
import dev.parley.security.DatabaseIdentity;
import dev.parley.support.Db;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The text of a reply being generated is taken only from the claim that holds the reply while it
 * is pending: a worker that lost its reply cannot mix its text into the new holder's, nor add any
 * after the reply was stored.
 */
@QuarkusTest
public class ReplyChunkClaimTest {

    /** Every user's rows, as a DBA sees them. */
    final DataSource dataSource = Db.superuser();

    @Inject
    ReplyStore store;

    @Test
    void only_the_claim_that_holds_a_reply_adds_to_its_text() throws SQLException {
        String alice = newUser("alice");
        String cid = createConversation(alice, Map.of("title", "held", "auto_reply", false));
        String question = addMessage(alice, cid, "user", "hello");
        UUID token = UUID.randomUUID();
        UUID reply = insertHeldReply(alice, cid, question, token);
        ReplyStore.Claim holder = new ReplyStore.Claim(reply, UUID.fromString(cid), alice, Ids.now(), 1, token);
        ReplyStore.Claim lost = new ReplyStore.Claim(reply, UUID.fromString(cid), alice, Ids.now(), 1,
                UUID.randomUUID());

        assertTrue(asAlice(alice, () -> store.addChunk(holder, 5, "Hello")));
        assertFalse(asAlice(alice, () -> store.addChunk(lost, 5, "Bogus")), "same offset, lost claim");
        assertFalse(asAlice(alice, () -> store.addChunk(lost, 9, "Bogus text")), "new offset, lost claim");
        assertEquals(List.of("5:Hello:" + token), chunks(reply));
        ReplyStore.Progress progress = asAlice(alice, () -> store.progress(alice, reply, 0));
        assertEquals(List.of(new ReplyStore.Chunk(5, "Hello")), progress.chunks());

        assertTrue(asAlice(alice, () -> store.complete(holder, Reply.text("Hello world"), "test", null)));
        assertEquals(List.of(), chunks(reply), "the stored reply's pieces are gone");
        assertFalse(asAlice(alice, () -> store.addChunk(holder, 11, " world")), "the reply is no longer pending");
        assertEquals(List.of(), chunks(reply));
    }

    private static <T> T asAlice(String alice, Callable<T> work) {
        return DatabaseIdentity.asUser(alice, () -> QuarkusTransaction.requiringNew().call(work));
    }

    /** A pending reply whose live claim (an hour long) keeps the background workers away from it. */
    private UUID insertHeldReply(String user, String cid, String parent, UUID token) throws SQLException {
        UUID id = Ids.newId();
        String createdAt = "(SELECT created_at + interval '1 microsecond' FROM message WHERE id = '" + parent + "')";
        try (Connection c = dataSource.getConnection();
                PreparedStatement insert = c.prepareStatement("""
                        INSERT INTO message (id, conversation_id, user_id, role, content, status, parent_id,
                                             reply_attempts, claimed_until, claim_token, created_at, updated_at)
                        VALUES (?, ?, ?, 'assistant', '', 'pending', ?, 1, now() + interval '1 hour', ?, %s, %s)"""
                        .formatted(createdAt, createdAt))) {
            insert.setObject(1, id);
            insert.setObject(2, UUID.fromString(cid));
            insert.setString(3, user);
            insert.setObject(4, UUID.fromString(parent));
            insert.setObject(5, token);
            insert.executeUpdate();
        }
        return id;
    }

    private List<String> chunks(UUID reply) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT end_offset, content, claim_token FROM reply_chunk WHERE reply_id = ? ORDER BY end_offset")) {
            s.setObject(1, reply);
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getInt(1) + ":" + rs.getString(2) + ":" + rs.getString(3));
                }
            }
            return rows;
        }
    }
}
