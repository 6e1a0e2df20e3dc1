package dev.parley.isolation;

import static dev.parley.support.Api.addMessage;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.security.DatabaseIdentity;
import dev.parley.support.Db;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The database's own wall between users: plain SQL on the application's pool (the runtime role)
 * sees and changes only the rows of the user it is set to, and nothing when no user is set.
 */
@QuarkusTest
public class RowLevelSecurityTest {

    @Inject
    AgroalDataSource dataSource;

    String alice;
    String bob;
    String aliceConversation;
    String bobConversation;
    String bobMessage;

    @BeforeEach
    void twoUsers() {
        alice = newUser("alice");
        bob = newUser("bob");
        aliceConversation = createConversation(alice, "alice's");
        addMessage(alice, aliceConversation, "assistant", "for alice only");
        bobConversation = createConversation(bob, "bob's");
        bobMessage = addMessage(bob, bobConversation, "assistant", "for bob only");
    }

    @Test
    void a_user_reads_only_their_own_rows() {
        List<String> owners = Db.asUser(dataSource, alice, c -> column(c, "SELECT user_id FROM message"));
        assertFalse(owners.isEmpty());
        assertTrue(owners.stream().allMatch(alice::equals), owners.toString());
        assertEquals(List.of("for alice only"), Db.asUser(dataSource, alice, c -> column(c, "SELECT content FROM message")));
        assertEquals(List.of("alice's"), Db.asUser(dataSource, alice, c -> column(c, "SELECT title FROM conversation")));
        // Even naming bob's row exactly finds nothing.
        assertEquals(List.of(), Db.asUser(dataSource, alice,
                c -> column(c, "SELECT content FROM message WHERE id = '" + bobMessage + "'")));
    }

    @Test
    void another_users_rows_cannot_be_changed_or_deleted() {
        assertEquals(Integer.valueOf(0), Db.asUser(dataSource, alice, c -> update(c,
                "UPDATE message SET content = 'taken' WHERE user_id = '" + bob + "'")));
        assertEquals(Integer.valueOf(0), Db.asUser(dataSource, alice, c -> update(c,
                "UPDATE conversation SET title = 'taken' WHERE id = '" + bobConversation + "'")));
        assertEquals(Integer.valueOf(0), Db.asUser(dataSource, alice, c -> update(c, "DELETE FROM message WHERE user_id = '" + bob + "'")));
        assertEquals(Integer.valueOf(0), Db.asUser(dataSource, alice, c -> update(c,
                "DELETE FROM conversation WHERE id = '" + bobConversation + "'")));
        // A delete with no condition at all takes alice's own conversation, and only it.
        assertEquals(Integer.valueOf(1), Db.asUser(dataSource, alice, c -> update(c, "DELETE FROM conversation")));
        // Bob still has everything, unchanged.
        assertEquals(List.of("for bob only"), Db.asUser(dataSource, bob, c -> column(c, "SELECT content FROM message")));
        assertEquals(List.of("bob's"), Db.asUser(dataSource, bob, c -> column(c, "SELECT title FROM conversation")));
        assertEquals(List.of(), Db.asUser(dataSource, alice, c -> column(c, "SELECT title FROM conversation")));
    }

    @Test
    void a_row_for_another_user_is_refused() {
        SQLException refused = sqlError(() -> Db.asUser(dataSource, alice, c -> update(c, """
                INSERT INTO conversation (id, user_id, title, created_at, updated_at)
                VALUES ('%s', '%s', 'planted', now(), now())""".formatted(UUID.randomUUID(), bob))));
        assertEquals("42501", refused.getSQLState(), refused.getMessage());
        SQLException moved = sqlError(() -> Db.asUser(dataSource, alice, c -> update(c,
                "UPDATE conversation SET user_id = '" + bob + "' WHERE id = '" + aliceConversation + "'")));
        assertEquals("42501", moved.getSQLState(), moved.getMessage());
        assertEquals(List.of("bob's"), Db.asUser(dataSource, bob, c -> column(c, "SELECT title FROM conversation")));
    }

    @Test
    void with_no_user_set_nothing_is_visible() throws SQLException {
        // A pooled connection taken outside any request or identity.
        try (Connection c = dataSource.getConnection()) {
            assertEquals(List.of("0"), column(c, "SELECT count(*) FROM message"));
            assertEquals(List.of("0"), column(c, "SELECT count(*) FROM conversation"));
            assertEquals(List.of("0"), column(c, "SELECT count(*) FROM idempotency_key"));
            assertEquals(List.of("0"), column(c, "SELECT count(*) FROM rate_limit_bucket"));
            assertEquals(0, update(c, "DELETE FROM message"));
        }
        // A connection of the runtime role that never went through the pool: the setting is missing.
        try (Connection c = runtimeRoleConnection()) {
            assertEquals(List.of("0"), column(c, "SELECT count(*) FROM message"));
            assertEquals(List.of("0"), column(c, "SELECT count(*) FROM conversation"));
        }
        // The user a connection was set to before does not stay with it.
        Db.asUser(dataSource, alice, c -> column(c, "SELECT 1"));
        try (Connection c = dataSource.getConnection()) {
            assertEquals(List.of("0"), column(c, "SELECT count(*) FROM message"));
        }
    }

    @Test
    void background_jobs_reach_only_what_their_policies_allow() throws SQLException {
        List<String> statuses = DatabaseIdentity.asSystem(DatabaseIdentity.Job.REPLIES, () -> {
            try (Connection c = dataSource.getConnection()) {
                assertEquals(List.of("0"), column(c, "SELECT count(*) FROM conversation"));
                assertEquals(0, update(c, "DELETE FROM message"));
                return column(c, "SELECT DISTINCT status FROM message");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(statuses.stream().allMatch("pending"::equals), statuses.toString());
        DatabaseIdentity.asSystem(DatabaseIdentity.Job.PURGE, () -> {
            try (Connection c = dataSource.getConnection()) {
                // It chooses and deletes conversations; it reads no message and changes no conversation.
                assertEquals(List.of("0"), column(c, "SELECT count(*) FROM message"));
                SQLException refused = assertThrows(SQLException.class, () -> update(c,
                        "UPDATE conversation SET title = 'purged' WHERE id = '" + bobConversation + "'"));
                assertEquals("42501", refused.getSQLState(), refused.getMessage());
                SQLException planted = assertThrows(SQLException.class, () -> update(c,
                        "INSERT INTO conversation (id, user_id, title, created_at, updated_at)"
                                + " VALUES (gen_random_uuid(), 'planted', 'planted', now(), now())"));
                assertEquals("42501", planted.getSQLState(), planted.getMessage());
                assertEquals(List.of("0"), column(c,
                        "SELECT count(*) FROM idempotency_key WHERE created_at > now() - interval '5 minutes'"));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(List.of("for bob only"), Db.asUser(dataSource, bob, c -> column(c, "SELECT content FROM message")));
    }

    @Test
    void the_runtime_role_owns_nothing_and_cannot_change_the_schema() throws SQLException {
        try (Connection c = runtimeRoleConnection()) {
            assertEquals(List.of("0"), column(c, "SELECT count(*) FROM pg_class WHERE relowner = current_user::regrole"));
            // Temporary tables are the one thing it may create (the import stages messages in one).
            assertEquals(List.of("true false"), column(c, "SELECT has_database_privilege(current_database(), 'TEMP')"
                    + " || ' ' || has_schema_privilege('public', 'CREATE')"));
            assertEquals(List.of("false false false"), column(c,
                    "SELECT rolsuper || ' ' || rolbypassrls || ' ' || rolcreaterole FROM pg_roles WHERE rolname = current_user"));
            for (String ddl : List.of(
                    "CREATE TABLE planted (id int)",
                    "CREATE INDEX planted_idx ON message (content)",
                    "ALTER TABLE message DISABLE ROW LEVEL SECURITY",
                    "ALTER TABLE message NO FORCE ROW LEVEL SECURITY",
                    "ALTER TABLE conversation ADD COLUMN planted int",
                    "DROP POLICY message_owner ON message",
                    "DROP TABLE idempotency_key",
                    "TRUNCATE message",
                    "TRUNCATE rate_limit_bucket")) {
                SQLException denied = assertThrows(SQLException.class, () -> {
                    try (Statement s = c.createStatement()) {
                        s.execute(ddl);
                    }
                }, ddl);
                assertEquals("42501", denied.getSQLState(), ddl + ": " + denied.getMessage());
            }
        }
        assertEquals(List.of("for bob only"), Db.asUser(dataSource, bob, c -> column(c, "SELECT content FROM message")));
    }

    /** The database's refusal, from under the wrapping of {@link Db}. */
    private static SQLException sqlError(Runnable work) {
        IllegalStateException failed = assertThrows(IllegalStateException.class, work::run);
        assertTrue(failed.getCause() instanceof SQLException, failed.toString());
        return (SQLException) failed.getCause();
    }

    private static Connection runtimeRoleConnection() throws SQLException {
        String url = ConfigProvider.getConfig().getValue("quarkus.datasource.jdbc.url", String.class);
        String user = ConfigProvider.getConfig().getValue("quarkus.datasource.username", String.class);
        String password = ConfigProvider.getConfig().getValue("quarkus.datasource.password", String.class);
        return DriverManager.getConnection(url, user, password);
    }

    private static List<String> column(Connection c, String sql) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            List<String> values = new ArrayList<>();
            while (rs.next()) {
                values.add(rs.getString(1));
            }
            return values;
        }
    }

    private static int update(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            return s.executeUpdate(sql);
        }
    }
}
