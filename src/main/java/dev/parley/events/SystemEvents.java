package dev.parley.events;

import dev.parley.security.DatabaseIdentity;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Every database access of the change feed that runs outside a request, and so outside any
 * user's identity: the instance's one listening connection, the watch rows that tell writers whom
 * to notify, reading the events of a notified user for this instance's subscribers, and trimming
 * events and watch rows past their time. Reads and watch rows run as the user named in the
 * notification or subscription (row-level security shows them nothing else), never as anything a
 * client sent; the trim runs as the purge job. Listening reads no table and needs no identity.
 */
@ApplicationScoped
public class SystemEvents {

    static final String CHANNEL = "parley_events";

    @Inject
    AgroalDataSource dataSource;

    /**
     * A pooled connection that listens on the feed's channel. It is held for as long as it works,
     * taking one connection of the pool; the caller closes it (back to the pool) when it breaks.
     */
    Connection listen() throws SQLException {
        Connection connection = dataSource.getConnection();
        try (Statement statement = connection.createStatement()) {
            connection.setAutoCommit(true);
            statement.execute("LISTEN " + CHANNEL);
            return connection;
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
    }

    /**
     * Tells writers that {@code instance} watches the user until {@code ttl} from now (committed on
     * return), and answers the snapshot taken right after: every transaction listed in it as running
     * may have checked for watchers before this row existed, and so may commit without notifying.
     */
    String watch(String userId, UUID instance, Duration ttl) throws SQLException {
        return as(work -> DatabaseIdentity.asUser(userId, work), () -> {
            try (Connection connection = dataSource.getConnection();
                    PreparedStatement upsert = connection.prepareStatement("""
                            INSERT INTO feed_watch (user_id, instance_id, expires_at)
                            VALUES (?, ?, now() + make_interval(secs => ?))
                            ON CONFLICT (user_id, instance_id) DO UPDATE SET expires_at = EXCLUDED.expires_at""");
                    Statement snapshot = connection.createStatement()) {
                upsert.setString(1, userId);
                upsert.setObject(2, instance);
                upsert.setDouble(3, ttl.toMillis() / 1000.0);
                upsert.executeUpdate();
                try (ResultSet rows = snapshot.executeQuery("SELECT pg_current_snapshot()::text")) {
                    rows.next();
                    return rows.getString(1);
                }
            }
        });
    }

    /**
     * Moves the user's watch row {@code ttl} ahead; false when it was gone or had expired (the
     * database restarted, or this instance stalled), so writers may have skipped notifications.
     */
    boolean refresh(String userId, UUID instance, Duration ttl) throws SQLException {
        return as(work -> DatabaseIdentity.asUser(userId, work), () -> {
            try (Connection connection = dataSource.getConnection();
                    PreparedStatement update = connection.prepareStatement("""
                            UPDATE feed_watch SET expires_at = now() + make_interval(secs => ?)
                             WHERE user_id = ? AND instance_id = ? AND expires_at > now()""")) {
                update.setDouble(1, ttl.toMillis() / 1000.0);
                update.setString(2, userId);
                update.setObject(3, instance);
                return update.executeUpdate() == 1;
            }
        });
    }

    /** Writers stop notifying this instance of the user. */
    void unwatch(String userId, UUID instance) throws SQLException {
        as(work -> DatabaseIdentity.asUser(userId, work), () -> {
            try (Connection connection = dataSource.getConnection();
                    PreparedStatement delete = connection.prepareStatement(
                            "DELETE FROM feed_watch WHERE user_id = ? AND instance_id = ?")) {
                delete.setString(1, userId);
                delete.setObject(2, instance);
                return delete.executeUpdate();
            }
        });
    }

    /**
     * Of the snapshots {@link #watch} answered, those none of whose running transactions is still
     * running: whatever they wrote is visible to a read that starts after this one. Asked on the
     * listening connection, which reads no table.
     */
    static Set<String> settled(Connection listening, Collection<String> snapshots) throws SQLException {
        try (PreparedStatement query = listening.prepareStatement("""
                SELECT s FROM unnest(?::text[]) s
                 WHERE NOT EXISTS (SELECT 1 FROM pg_snapshot_xip(s::pg_snapshot) x
                                    WHERE NOT pg_visible_in_snapshot(x, pg_current_snapshot()))""")) {
            query.setArray(1, listening.createArrayOf("text", snapshots.toArray()));
            Set<String> settled = new HashSet<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    settled.add(rows.getString(1));
                }
            }
            return settled;
        }
    }

    /** Deletes every user's expired watch rows: those of instances that stopped without deleting theirs. */
    int trimWatches() throws SQLException {
        return as(work -> DatabaseIdentity.asSystem(DatabaseIdentity.Job.PURGE, work), () -> {
            try (Connection connection = dataSource.getConnection();
                    PreparedStatement delete = connection.prepareStatement(
                            "DELETE FROM feed_watch WHERE expires_at < now()")) {
                return delete.executeUpdate();
            }
        });
    }

    /** The user's events after {@code afterId}, oldest first. */
    List<ChangeEvent> after(String userId, long afterId, int limit) throws SQLException {
        return read("""
                SELECT id, type, data::text FROM change_event
                 WHERE user_id = ? AND id > ?
                 ORDER BY id LIMIT ?""", userId, afterId, limit);
    }

    /**
     * The user's events written within {@code lookback}: a transaction that took an id earlier may
     * commit after a later one, so a reader that moved past its id looks back for it.
     */
    List<ChangeEvent> recent(String userId, Duration lookback, int limit) throws SQLException {
        return read("""
                SELECT id, type, data::text FROM change_event
                 WHERE user_id = ? AND created_at > now() - make_interval(secs => ?::double precision)
                 ORDER BY id LIMIT ?""", userId, lookback.toMillis() / 1000.0, limit);
    }

    private List<ChangeEvent> read(String sql, String userId, Object bound, int limit) throws SQLException {
        return as(work -> DatabaseIdentity.asUser(userId, work), () -> query(sql, userId, bound, limit));
    }

    private List<ChangeEvent> query(String sql, String userId, Object bound, int limit) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, userId);
            query.setObject(2, bound);
            query.setInt(3, limit);
            List<ChangeEvent> events = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    events.add(new ChangeEvent(rows.getLong(1), rows.getString(2), rows.getString(3)));
                }
            }
            return events;
        }
    }

    /** The user's newest event id, or 0 when the user has none. */
    long latestId(String userId) throws SQLException {
        return as(work -> DatabaseIdentity.asUser(userId, work), () -> latest(userId));
    }

    private long latest(String userId) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "SELECT coalesce(max(id), 0) FROM change_event WHERE user_id = ?")) {
            query.setString(1, userId);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    /** Deletes every user's events older than the retention window. */
    int trim(Duration retention) throws SQLException {
        return as(work -> DatabaseIdentity.asSystem(DatabaseIdentity.Job.PURGE, work), () -> delete(retention));
    }

    private int delete(Duration retention) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement delete = connection.prepareStatement(
                        "DELETE FROM change_event WHERE created_at < now() - make_interval(secs => ?)")) {
            delete.setDouble(1, retention.toMillis() / 1000.0);
            return delete.executeUpdate();
        }
    }

    /** JDBC work, which throws the checked SQLException that {@link DatabaseIdentity} does not pass through. */
    @FunctionalInterface
    private interface Sql<T> {
        T run() throws SQLException;
    }

    private static final class Failed extends RuntimeException {
        Failed(SQLException cause) {
            super(cause);
        }
    }

    /** Runs JDBC work under the identity {@code identity} applies, keeping its SQLException checked. */
    private static <T> T as(Function<Supplier<T>, T> identity, Sql<T> work) throws SQLException {
        try {
            return identity.apply(() -> {
                try {
                    return work.run();
                } catch (SQLException e) {
                    throw new Failed(e);
                }
            });
        } catch (Failed e) {
            throw (SQLException) e.getCause();
        }
    }
}
