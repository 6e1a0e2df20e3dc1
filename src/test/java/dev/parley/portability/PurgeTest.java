package dev.parley.portability;

import static dev.parley.support.Api.addMessage;
import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.support.Db;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Temporary conversations and retention, purged on a fixed clock (the instant is passed in). */
@QuarkusTest
public class PurgeTest {

    @Inject
    Purge purge;

    /** Every user's rows, as a DBA sees them: the application's pool sees only one identity's. */
    final DataSource dataSource = Db.superuser();

    @Inject
    MeterRegistry metrics;

    @Test
    void expired_conversations_and_their_messages_are_purged_and_counted() throws SQLException {
        String alice = newUser("alice");
        Instant now = Instant.now();
        String soon = as(alice).body(Map.of("title", "soon", "expires_at", now.plus(Duration.ofHours(1)).toString(),
                "auto_reply", false)).post("/api/conversations").then().statusCode(201)
                .body("expires_at", notNullValue()).extract().path("id");
        String temporary = as(alice).body(Map.of("title", "default ttl", "temporary", true)).post("/api/conversations")
                .then().statusCode(201).extract().path("id");
        String kept = createConversation(alice, "kept");
        addMessage(alice, soon, "user", "gone with it");
        Instant ttlExpiry = Instant.parse(as(alice).get("/api/conversations/{id}", temporary).then().extract()
                .path("expires_at"));
        assertTrue(Math.abs(Duration.between(now.plus(Duration.ofHours(24)), ttlExpiry).toSeconds()) < 120, ttlExpiry.toString());
        double before = counter("parley.purged.conversations");
        double messagesBefore = counter("parley.purged.messages");

        assertEquals(0, purge.expired(now).conversations());
        assertEquals(1, rows("conversation", soon));

        Purge.Purged purged = purge.expired(now.plus(Duration.ofHours(2)));
        assertEquals(1, purged.conversations());
        assertEquals(1, purged.messages());
        assertEquals(0, rows("conversation", soon));
        assertEquals(0, rows("message", soon));
        as(alice).get("/api/conversations/{id}", soon).then().statusCode(404);
        assertEquals(1, rows("conversation", temporary));
        assertTrue(counter("parley.purged.conversations") >= before + 1);
        assertTrue(counter("parley.purged.messages") >= messagesBefore + 1);

        purge.expired(now.plus(Duration.ofHours(25)));
        assertEquals(0, rows("conversation", temporary));
        assertEquals(1, rows("conversation", kept));
    }

    @Test
    void an_expiry_in_the_past_is_refused() {
        as(newUser("alice")).body(Map.of("expires_at", "2001-01-01T00:00:00Z")).post("/api/conversations")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors.expires_at[0]", is("must be in the future"));
    }

    @Test
    void retention_purges_conversations_inactive_since_the_cutoff_in_batches() throws SQLException {
        String alice = newUser("alice");
        String recent = createConversation(alice, "recent");
        try (Connection c = dataSource.getConnection();
                PreparedStatement old = c.prepareStatement("""
                        INSERT INTO conversation (id, user_id, title, created_at, updated_at)
                        SELECT gen_random_uuid(), ?, 'old ' || i, timestamptz '2001-01-01', timestamptz '2001-01-01' + i * interval '1 s'
                          FROM generate_series(1, 1200) i""")) {
            old.setString(1, alice);
            old.executeUpdate();
        }

        // 1 200 rows at a batch size of 500: three transactions.
        Purge.Purged purged = purge.inactive(Instant.parse("2002-01-01T00:00:00Z"));

        assertEquals(1200, purged.conversations());
        assertEquals(0, count("SELECT count(*) FROM conversation WHERE user_id = ? AND title LIKE 'old %'", alice));
        assertEquals(1, rows("conversation", recent));
    }

    private double counter(String name) {
        return metrics.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private long rows(String table, String conversationId) throws SQLException {
        String column = table.equals("conversation") ? "id" : "conversation_id";
        try (Connection c = dataSource.getConnection();
                PreparedStatement count = c.prepareStatement("SELECT count(*) FROM " + table + " WHERE " + column + " = ?")) {
            count.setObject(1, UUID.fromString(conversationId));
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private long count(String sql, String parameter) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement count = c.prepareStatement(sql)) {
            count.setString(1, parameter);
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
