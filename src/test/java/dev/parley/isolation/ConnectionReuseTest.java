package dev.parley.isolation;

import static dev.parley.support.Api.addMessage;
import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.security.DatabaseIdentity;
import dev.parley.support.Db;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.narayana.jta.QuarkusTransactionException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Two connections serve every request in turn, so each one is handed from one user to the other
 * hundreds of times, inside transactions (writes) and outside them (reads). Whatever a connection
 * was set to before, a request sees only its own user's rows.
 */
@QuarkusTest
@TestProfile(ConnectionReuseTest.TwoConnections.class)
public class ConnectionReuseTest {

    public static class TwoConnections implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.datasource.jdbc.max-size", "2", "quarkus.datasource.jdbc.min-size", "2",
                    "parley.rate-limit.writes-per-minute", "0");
        }
    }

    static final int REQUESTS = 1_000;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void a_thousand_alternating_requests_never_show_one_users_rows_to_the_other() throws Exception {
        String alice = newUser("alice");
        String bob = newUser("bob");
        String aliceConversation = createConversation(alice, "alice-only");
        String bobConversation = createConversation(bob, "bob-only");
        addMessage(alice, aliceConversation, "assistant", "alice-secret");
        addMessage(bob, bobConversation, "assistant", "bob-secret");

        // Four clients at once over two connections: the pool is always contended.
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                boolean forAlice = i % 2 == 0;
                String user = forAlice ? alice : bob;
                String own = forAlice ? aliceConversation : bobConversation;
                String other = forAlice ? bobConversation : aliceConversation;
                int kind = (i / 2) % 7;
                results.add(clients.submit(() -> request(kind, user, own, other, forAlice ? "alice" : "bob")));
            }
            for (Future<String> result : results) {
                assertEquals("ok", result.get());
            }
        } finally {
            clients.shutdownNow();
        }
    }

    /**
     * The identity is kept per connection for the session; one set inside a transaction that rolls
     * back is undone by PostgreSQL, so the connection must be set again, not trusted to hold it.
     */
    @Test
    void an_identity_set_in_a_rolled_back_transaction_is_not_trusted_afterwards() {
        String alice = newUser("alice");
        String bob = newUser("bob");
        addMessage(alice, createConversation(alice, "alice-only"), "assistant", "alice-secret");
        addMessage(bob, createConversation(bob, "bob-only"), "assistant", "bob-secret");
        int checked = 0;
        for (int attempt = 0; attempt < 50 && checked < 5; attempt++) {
            String alicePid = Db.asUser(dataSource, alice, c -> strings(c, "SELECT pg_backend_pid()::text")).get(0);
            AtomicReference<String> rolledBack = new AtomicReference<>();
            assertThrows(QuarkusTransactionException.class, () -> DatabaseIdentity.asUser(bob,
                    () -> QuarkusTransaction.requiringNew().run(() -> {
                        try (Connection c = dataSource.getConnection()) {
                            rolledBack.set(strings(c, "SELECT pg_backend_pid()::text").get(0));
                        } catch (SQLException e) {
                            throw new IllegalStateException(e);
                        }
                        QuarkusTransaction.setRollbackOnly();
                    })));
            String rolledBackPid = rolledBack.get();
            List<String> seen = Db.asUser(dataSource, bob, c -> strings(c,
                    "SELECT pg_backend_pid()::text || ' ' || coalesce(string_agg(DISTINCT user_id, ','), '') FROM message"));
            String[] pidAndOwners = seen.get(0).split(" ", -1);
            assertEquals(bob, pidAndOwners[1], "bob sees only bob's rows");
            if (alicePid.equals(rolledBackPid) && rolledBackPid.equals(pidAndOwners[0])) {
                checked++;
            }
        }
        assertTrue(checked > 0, "the three steps never shared a connection");
    }

    private static List<String> strings(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rs.next()) {
                values.add(rs.getString(1));
            }
            return values;
        }
    }

    /** One request of seven kinds (five over HTTP, two of plain SQL on the same pool); "ok" when it saw exactly its own user's rows. */
    private String request(int kind, String user, String own, String other, String name) {
        switch (kind) {
            case 0 -> {
                JsonPath list = as(user).get("/api/conversations").then().statusCode(200).extract().jsonPath();
                assertEquals(List.of(name + "-only"), list.getList("results.title"));
            }
            case 1 -> {
                JsonPath messages = as(user).get("/api/conversations/{id}/messages", own).then().statusCode(200)
                        .extract().jsonPath();
                List<String> contents = messages.getList("results.content");
                assertTrue(contents.contains(name + "-secret"), contents.toString());
                assertTrue(contents.stream().allMatch(c -> c.startsWith(name)), contents.toString());
            }
            case 2 -> {
                // Inside a transaction: a write, then the other user's conversation by id.
                as(user).body(Map.of("role", "assistant", "content", name + "-note")).post(
                        "/api/conversations/{id}/messages", own).then().statusCode(201);
                as(user).get("/api/conversations/{id}", other).then().statusCode(404);
            }
            case 3 -> {
                // Plain SQL with no owner condition, on a pooled connection the other user just had.
                List<String> owners = Db.asUser(dataSource, user, c -> strings(c, "SELECT DISTINCT user_id FROM message"));
                assertEquals(List.of(user), owners);
            }
            case 4 -> {
                // A connection taken with no identity at all, right after a user's request had it.
                assertEquals(List.of("0"), Db.withoutIdentity(dataSource, c -> strings(c, "SELECT count(*) FROM message")));
            }
            case 5 -> {
                // A transaction that sets the identity and rolls back (412), then a read without one.
                as(user).header("If-Match", "\"999999\"").body(Map.of("title", "never"))
                        .patch("/api/conversations/{id}", own).then().statusCode(412);
                JsonPath list = as(user).get("/api/conversations").then().statusCode(200).extract().jsonPath();
                assertEquals(List.of(name + "-only"), list.getList("results.title"));
            }
            default -> {
                JsonPath hits = as(user).queryParam("q", "secret").get("/api/search").then().statusCode(200)
                        .extract().jsonPath();
                assertEquals(List.of(name + "-secret"), hits.getList("results.message.content"));
            }
        }
        return "ok";
    }
}
