package dev.parley.apikey;

import static dev.parley.apikey.ApiKeyTest.createKey;
import static dev.parley.apikey.ApiKeyTest.withKey;
import static dev.parley.support.Api.as;
import static dev.parley.support.Api.newUser;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.support.Await;
import dev.parley.support.Db;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** What the database and the logs hold about keys: checked from inside, so not part of ApiKeyIT. */
@QuarkusTest
public class ApiKeyStorageTest {

    /** Every user's rows, as a DBA sees them: the application's pool sees only one identity's. */
    final DataSource dataSource = Db.superuser();

    @Test
    void the_table_holds_the_hash_of_the_key_never_the_key() throws Exception {
        String alice = newUser("alice");
        ApiKeyTest.Key key = createKey(alice, "stored", List.of("read", "chat"));
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT secret_hash, prefix, scopes, user_id, row_to_json(k)::text FROM api_key k WHERE id = ?")) {
            s.setObject(1, UUID.fromString(key.id()));
            try (ResultSet row = s.executeQuery()) {
                assertTrue(row.next());
                byte[] expected = MessageDigest.getInstance("SHA-256").digest(key.secret().getBytes(StandardCharsets.UTF_8));
                assertArrayEquals(expected, row.getBytes(1));
                assertEquals(key.secret().substring(0, 12), row.getString(2));
                assertEquals("read chat", row.getString(3));
                assertEquals(alice, row.getString(4));
                assertFalse(row.getString(5).contains(key.secret().substring(12)), row.getString(5));
            }
        }
        // Nowhere else in the database either (idempotency records, rate-limit buckets, ...).
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("""
                        SELECT count(*) FROM idempotency_key i WHERE row_to_json(i)::text LIKE '%' || ? || '%'""")) {
            s.setString(1, key.secret().substring(12));
            try (ResultSet row = s.executeQuery()) {
                row.next();
                assertEquals(0, row.getLong(1));
            }
        }
    }

    @Test
    void the_table_is_under_forced_row_level_security_by_user() throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("""
                        SELECT relrowsecurity, relforcerowsecurity,
                               (SELECT string_agg(qual, ' | ') FROM pg_policies WHERE tablename = 'api_key')
                        FROM pg_class WHERE relname = 'api_key'""")) {
            try (ResultSet row = s.executeQuery()) {
                assertTrue(row.next());
                assertTrue(row.getBoolean(1), "row level security enabled");
                assertTrue(row.getBoolean(2), "and forced on the owner");
                assertTrue(row.getString(3).contains("current_setting('parley.user_id'::text, true)"), row.getString(3));
            }
        }
        // As a role without superuser rights, a transaction sees only the rows of its parley.user_id.
        String alice = newUser("alice");
        String bob = newUser("bob");
        createKey(alice, "a", List.of("read"));
        createKey(bob, "b", List.of("read"));
        String role = "parley_rls_probe_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = dataSource.getConnection()) {
            c.createStatement().execute("CREATE ROLE " + role + " NOLOGIN");
            try {
                c.createStatement().execute("GRANT SELECT ON api_key TO " + role);
                c.setAutoCommit(false);
                c.createStatement().execute("SET LOCAL ROLE " + role);
                assertEquals(0, count(c, alice), "nothing without parley.user_id");
                c.createStatement().execute("SELECT set_config('parley.user_id', '" + alice + "', true)");
                assertEquals(1, count(c, alice));
                assertEquals(0, count(c, bob));
                c.rollback();
                c.setAutoCommit(true);
            } finally {
                c.createStatement().execute("DROP OWNED BY " + role);
                c.createStatement().execute("DROP ROLE " + role);
            }
        }
    }

    private static long count(Connection c, String user) throws Exception {
        try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM api_key WHERE user_id = ?")) {
            s.setString(1, user);
            try (ResultSet row = s.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    @Test
    void a_key_deleted_by_another_replica_stops_working_within_the_cache_ttl() throws Exception {
        String alice = newUser("alice");
        ApiKeyTest.Key key = createKey(alice, "elsewhere", List.of("read"));
        withKey(key.secret()).get("/api/conversations").then().statusCode(200);
        long revokedAt = System.nanoTime();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("DELETE FROM api_key WHERE id = ?")) {
            s.setObject(1, UUID.fromString(key.id()));
            assertEquals(1, s.executeUpdate());
        }
        // The default parley.api-keys.cache-ttl is 5 s; a loaded machine gets generous slack.
        Await.until(() -> withKey(key.secret()).get("/api/conversations").statusCode(), s -> s == 401,
                Duration.ofSeconds(20));
        assertTrue(Duration.ofNanos(System.nanoTime() - revokedAt).compareTo(Duration.ofSeconds(20)) < 0);
    }

    @Test
    void no_log_line_ever_holds_a_key() {
        List<String> records = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                String message = String.valueOf(record.getMessage());
                Object[] parameters = record.getParameters();
                if (parameters != null && parameters.length > 0 && message.contains("%")) {
                    try {
                        message = String.format(message, parameters);
                    } catch (RuntimeException e) {
                        message = message + " " + java.util.Arrays.toString(parameters);
                    }
                } else if (parameters != null) {
                    message = message + " " + java.util.Arrays.toString(parameters);
                }
                if (record.getThrown() != null) {
                    message = message + " " + record.getThrown();
                }
                records.add(record.getLoggerName() + " " + message);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        Level previous = root.getLevel();
        root.addHandler(capture);
        List<String> secrets = new ArrayList<>();
        try {
            String alice = newUser("alice");
            ApiKeyTest.Key key = createKey(alice, "logged", List.of("read"));
            secrets.add(key.secret());
            withKey(key.secret()).header("X-Request-Id", "key-log-" + key.id()).get("/api/conversations")
                    .then().statusCode(200);
            withKey(key.secret()).header("X-Request-Id", "key-403-" + key.id()).body(Map.of("title", "x"))
                    .post("/api/conversations").then().statusCode(403);
            String wrong = "pk_live_" + "Z".repeat(43);
            secrets.add(wrong);
            withKey(wrong).get("/api/conversations").then().statusCode(401);
            as(alice).delete("/api/keys/{id}", key.id()).then().statusCode(204);
            withKey(key.secret()).get("/api/conversations").then().statusCode(401);
            String line = Await.until(() -> records.stream().filter(r -> r.contains("request_id=key-log-" + key.id()))
                    .findFirst().orElse(null), r -> r != null, Duration.ofSeconds(10));
            assertTrue(line.contains("user=" + alice + " auth=api_key key_id=" + key.id()), line);
            String refused = Await.until(() -> records.stream().filter(r -> r.contains("request_id=key-403-" + key.id()))
                    .findFirst().orElse(null), r -> r != null, Duration.ofSeconds(10));
            assertTrue(refused.contains(" 403 ") && refused.contains("auth=api_key key_id=" + key.id()), refused);
        } finally {
            root.removeHandler(capture);
            root.setLevel(previous);
        }
        assertFalse(records.isEmpty());
        for (String secret : secrets) {
            for (String record : records) {
                assertFalse(record.contains(secret.substring(8)), record);
            }
        }
    }
}
