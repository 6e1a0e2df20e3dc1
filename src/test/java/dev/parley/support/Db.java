package dev.parley.support;

import dev.parley.security.DatabaseIdentity;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Plain SQL for tests. The application's pool connects as the runtime role, so row-level security
 * applies: a test reads or writes a user's rows as that user ({@link #asUser}). Fixtures that span
 * many users at once (bulk loads) use the embedded server's superuser, which bypasses the policies.
 */
public final class Db {

    /** Work on a connection; may throw SQLException. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private Db() {
    }

    /** On a pooled connection (runtime role) that sees only {@code userId}'s rows. */
    public static <T> T asUser(DataSource dataSource, String userId, Work<T> work) {
        return DatabaseIdentity.asUser(userId, () -> {
            try (Connection connection = dataSource.getConnection()) {
                return work.run(connection);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** On a pooled connection taken with no identity: no request, no user, no job. */
    public static <T> T withoutIdentity(DataSource dataSource, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Connections of the test server's superuser, which bypasses row-level security: for fixtures
     * and checks that look at every user's rows at once, the way a DBA would. The application's
     * own pool is the runtime role and sees only the rows of the identity it is set to.
     */
    public static DataSource superuser() {
        return new SuperuserDataSource();
    }

    private static final class SuperuserDataSource implements DataSource {
        @Override
        public Connection getConnection() throws SQLException {
            String url = ConfigProvider.getConfig().getValue("quarkus.datasource.jdbc.url", String.class);
            return DriverManager.getConnection(url, "postgres", "postgres");
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public java.io.PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(java.io.PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public java.util.logging.Logger getParentLogger() {
            return java.util.logging.Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }
    }

    /** On a connection of the test server's superuser, which bypasses row-level security. */
    public static <T> T asSuperuser(Work<T> work) {
        String url = ConfigProvider.getConfig().getValue("quarkus.datasource.jdbc.url", String.class);
        try (Connection connection = DriverManager.getConnection(url, "postgres", "postgres")) {
            return work.run(connection);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
